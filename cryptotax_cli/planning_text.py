"""The planning commands' text output, answer first: what to do and what it saves on the first lines, the
figures of every choice in a table, then the Lot IDs to record, then the year's position and the notes.

Lines stay within `WIDTH` characters: long lists (Lot IDs, notes) are wrapped, and the long tables (every open
lot, every harvest candidate) are shown in full only when asked (`--all`). Money is rounded to cents here, at
the edge; the core keeps exact values.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from decimal import Decimal

from cryptotax_cli.estimate import ordinary_income_text
from cryptotax_core import (
    IDENTIFICATION_RULE,
    Comparison,
    Harvest,
    LotValue,
    MethodResult,
    Outcome,
    Preview,
    Settings,
    Step,
    WhatIf,
    cents,
    plain,
)

WIDTH = 100
"""Text is wrapped to this many characters; a table row may be longer only when its figures are."""
TOP = 10
"""harvest lists this many candidates unless told otherwise (`--top`, `--all`)."""


def money(amount: Decimal) -> str:
    return f"{cents(amount):,.2f}"


def signed(amount: Decimal) -> str:
    """A change: `+1,500.00`, `-2,820.00`, `0.00`."""
    rounded = cents(amount)
    return f"{rounded:+,.2f}" if rounded else "0.00"


def wrapped(text: str, indent: str = "", hanging: str | None = None) -> list[str]:
    """`text` in lines of at most `WIDTH`, the first after `indent`, the others after `hanging` (default: the
    same indent). Words are never broken, so a line can be longer only by one word longer than the width."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent if hanging is None else hanging,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def columns(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """A plain text table: each column as wide as its widest cell, the `right` columns right-aligned."""
    widths = [max([len(title)] + [len(row[index]) for row in rows]) for index, title in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.rjust(width) if index in right else cell.ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(header), "-" * len(line(header)), *(line(row) for row in rows)]


def _estimate_notes(outcomes: Sequence[Outcome | None]) -> list[str]:
    """The ordinary income the estimates use (the same for every choice) and, where the AMT applies, what it
    leaves out, each once."""
    estimates = [outcome.estimate for outcome in outcomes if outcome is not None and outcome.estimate is not None]
    if not estimates:
        return []
    lines = wrapped(f"The estimates' {ordinary_income_text(estimates[0])}")
    for note in sorted({estimate.amt_note for estimate in estimates if estimate.amt_note}):
        lines += wrapped(f"Note: {note}", "  ", "    ")
    return lines


def _tax(outcome: Outcome | None) -> str:
    if outcome is None or outcome.estimate is None:
        return ""
    return f"estimated federal tax {money(outcome.estimate.total_tax)} (AMT {money(outcome.estimate.amt)})"


# -- whatif -------------------------------------------------------------------------------------------------
def render_whatif(source: str, found: WhatIf, *, every_lot_choice: bool = False) -> str:
    """The sale and the answer (the best lot choice against yours), each choice's gain, term and tax change,
    then the Lot IDs to record (the best choice's; every choice's with `every_lot_choice`)."""
    sale, year = found.sale, found.sale.day.year
    fee = f", fee {money(sale.fee_usd)}" if sale.fee_usd else ""
    lines = [f"cryptotax whatif {source}: sell {plain(sale.quantity)} {found.row.asset} from {found.wallet} on "
             f"{sale.day} at {money(sale.price)} (proceeds {money(found.row.usd_value or Decimal(0))}{fee})",
             *wrapped(_whatif_answer(found, year)), ""]
    rows, problems = [], []
    for preview in found.previews:
        label = preview.label + (" (yours)" if preview.yours else "")
        if preview.outcome is None:
            rows.append([label, "-", "", "", "", "", "", "", ""])
            problems += wrapped(f"{label} cannot be used: {preview.problem}", "", "  ")
            continue
        change, estimate = preview.tax_change, preview.outcome.estimate
        rows.append([label, money(preview.lines.gain), _term(preview), money(preview.short_term),
                     money(preview.long_term), "" if change is None else signed(change),
                     "" if estimate is None else money(estimate.amt),
                     signed(preview.capital_income_change or Decimal(0)), f"{len(preview.picks):,}"])
    lines += columns(("Lot choice", "Gain", "Term", "Short-term", "Long-term", "Tax change", "AMT with sale",
                      "Taxable change", "Lots"), rows, {1, 3, 4, 5, 6, 7, 8})
    lines += problems
    lines += ["", *_whatif_lot_ids(found, every_lot_choice), ""]
    if found.stopped:
        lines += [*wrapped(f"The best lot choice is a heuristic search ({found.evaluations} engine runs)."
                           f"{budget_note(found.budget, found.stopped)}"), ""]
    base = found.position.outcome()
    held = "" if found.held is None else f"{found.wallet} holds {plain(found.held)} {found.row.asset} on {sale.day}; "
    position = f"{held}tax year {year} without the sale: net {money(base.netting.total)}"
    tax = _tax(base)
    lines += wrapped(f"{position}; {tax}" if tax else f"{position}; no tax estimate: give --other-income {year}=USD")
    lines += _estimate_notes([base, *(preview.outcome for preview in found.previews)])
    lines += ["", *wrapped("To use a choice, record its Lot IDs on the Sell row when you sell "
                           "(docs/rules.md#which-units-are-sold: identification must be made no later than the time "
                           "of sale). Without Lot IDs your method applies.")]
    return "\n".join(lines)


def _term(preview: Preview) -> str:
    terms = {disposal.term for disposal in preview.disposals}
    return "both" if len(terms) > 1 else next(iter(terms)).value if terms else ""


def _yours(found: WhatIf) -> Preview | None:
    return next((preview for preview in found.previews if preview.yours and preview.outcome is not None), None)


def _whatif_answer(found: WhatIf, year: int) -> str:
    """`Best: Best lot choice, tax change +17,010.00: 384.55 less than your FIFO (+17,394.55)`."""
    best, yours = found.best, _yours(found)
    assert best.outcome is not None  # what_if raises when no choice can be made
    estimated = best.tax_change is not None
    figure = (f"tax change {signed(best.tax_change or Decimal(0))}" if estimated else
              f"taxable income {signed(best.capital_income_change or Decimal(0))}")
    missing = "" if estimated else f" (no tax estimate: give --other-income {year}=USD)"
    if yours is None:
        return f"Best: {best.label}, {figure}{missing}"
    assert yours.outcome is not None
    if best.outcome.key >= yours.outcome.key:
        return f"Best: your {yours.label}, {figure}: no lot choice found does better; sell without Lot IDs{missing}"
    if estimated:
        assert yours.tax_change is not None and best.tax_change is not None
        better = f"{money(yours.tax_change - best.tax_change)} less than your {yours.label}"
    else:
        difference = (yours.capital_income_change or Decimal(0)) - (best.capital_income_change or Decimal(0))
        better = (f"{money(difference)} less than your {yours.label}" if difference else
                  f"less of it short-term than under your {yours.label}")
    return f"Best: {best.label}, {figure}, {better} (Lot IDs below){missing}"


def _whatif_lot_ids(found: WhatIf, every: bool) -> list[str]:
    best, yours = found.best, _yours(found)
    if not every:
        if yours is not None and _same_lots(best, yours):
            return wrapped(f"The best lot choice takes the lots your {yours.label} takes: {best.lot_ids}")
        return [f"Lot IDs to record on the Sell row for the {best.label.lower()} (every choice's: --lots):",
                *wrapped(best.lot_ids, "  ")]
    lines = ["Lot IDs of each choice:"]
    width = max(len(preview.label) for preview in found.previews) + 2
    for preview in found.previews:
        if preview.outcome is not None:
            lines += wrapped(preview.lot_ids, f"  {preview.label:<{width}}", " " * (width + 2))
    return lines


def _same_lots(first: Preview, second: Preview) -> bool:
    return sorted(first.picks) == sorted(second.picks)


# -- harvest ------------------------------------------------------------------------------------------------
def render_harvest(source: str, settings: Settings, found: Harvest, *, top: int | None = TOP) -> str:
    """The plan and what it saves, the lots to sell for it, the year as it stands, the ranked candidates (the
    first `top`; None: all) and the notes; every open lot when all are asked for."""
    position, year = found.position, found.position.year
    lines = [f"cryptotax harvest {source}: planning date {found.on} · tax year {year} · "
             f"{settings.method_for(year).value} · filing status {position.tax.filing_status.value}",
             *_plan_lines(found), ""]
    lines += wrapped(f"Realized so far: short-term {money(position.short_term)}, long-term "
                     f"{money(position.long_term)}; carryover in {money(position.carryover_in.short_term)} short, "
                     f"{money(position.carryover_in.long_term)} long")
    if found.has_estimate:
        base, planned = found.base.estimate, found.planned.estimate
        assert base is not None and planned is not None
        lines += wrapped(f"Estimated federal tax {money(base.total_tax)} as it stands (AMT {money(base.amt)}), "
                         f"{money(planned.total_tax)} with the plan (AMT {money(planned.amt)})", "  ")
        lines += ["  " + line for line in _estimate_notes([found.base, found.planned])]
    shown = found.plan if top is None else found.plan[:top]
    ranking = "the tax each saves" if found.has_estimate else "the loss the year can use"
    count = f": the first {len(shown)} of {len(found.plan)} (--top N, --all)" if len(shown) < len(found.plan) else ""
    lines += ["", f"Harvest candidates, ranked by {ranking} when sold alone{count}"]
    if not found.plan:
        lines.append("  none: no open lot with a price is worth less than its basis")
    else:
        saving = "Tax saved" if found.has_estimate else "Loss used"
        lines += columns(("#", "Lot", "Asset", "Wallet", "Loss", "Term", saving, "In plan", "Plan saves",
                          "Carryover+", "Sell (Lot IDs)"),
                         [_candidate_cells(rank, step) for rank, step in enumerate(shown, start=1)], {0, 4, 6, 8, 9})
    if found.notes:
        lines += ["", "Notes:"]
        for note in found.notes:
            lines += wrapped(note, "  - ", "    ")
    lines += ["", *_open_lots(found, every=top is None)]
    return "\n".join(lines)


def _plan_lines(found: Harvest) -> list[str]:
    """`Plan: sell 2 lots on ...: tax saved ...`, then the Lot IDs per asset and wallet."""
    planned = [step for step in found.plan if step.in_plan]
    if not planned:
        why = "no open lot with a price has a loss" if not found.plan else "no loss lot saves anything this year"
        return [f"Plan: none: {why}"]
    what = "tax saved" if found.has_estimate else "loss used this year"
    lots = f"{len(planned)} lot{'s' if len(planned) > 1 else ''}"
    lines = [*wrapped(f"Plan: sell {lots} on {found.on} ({_ranks(found.plan)}): {what} {money(found.plan_saves)}; "
                      f"carryover into {found.position.year + 1}: {money(found.planned.carryover_out)}"),
             "  The lots to sell, by asset and wallet (record their Lot IDs on the Sell rows):"]
    groups: dict[tuple[str, str], list[Step]] = {}
    for step in planned:
        lot = step.candidate.value.lot
        groups.setdefault((lot.asset, lot.wallet), []).append(step)
    for (asset, wallet), steps in groups.items():
        units = sum((step.quantity for step in steps), Decimal(0))
        lines += wrapped(f"{plain(units)} {asset} from {wallet}: {', '.join(step.lot_ids for step in steps)}",
                         "  ", "    ")
    return lines


def _ranks(plan: Sequence[Step]) -> str:
    """The ranks in the plan as runs: `ranks 1-12, 15`."""
    ranks = [rank for rank, step in enumerate(plan, start=1) if step.in_plan]
    runs: list[list[int]] = []
    for rank in ranks:
        if runs and runs[-1][-1] == rank - 1:
            runs[-1].append(rank)
        else:
            runs.append([rank])
    text = ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
    return f"rank{'s' if len(ranks) > 1 else ''} {text}"


def _candidate_cells(rank: int, step: Step) -> list[str]:
    candidate, lot = step.candidate, step.candidate.value.lot
    return [str(rank), lot.lot_id, lot.asset, lot.wallet, money(candidate.loss), candidate.value.term.value,
            money(candidate.saving), "yes" if step.in_plan else "no", money(step.saves),
            money(step.carryover_added), step.lot_ids if step.in_plan else ""]


def _open_lots(found: Harvest, *, every: bool) -> list[str]:
    values = found.lots.lots
    total = sum((cents(value.value) for value in values), Decimal(0))
    gain = sum((value.gain for value in values), Decimal(0))
    head = f"Open lots at your prices: {len(values):,}, worth {money(total)}, unrealized gain {money(gain)}"
    if not every:
        return wrapped(f"{head} (--all lists them)")
    return [*wrapped(head), *columns(("Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Value", "Gain",
                                      "Term", "Long-term from"), [_lot_cells(value) for value in values], {4, 5, 6, 7})]


def _lot_cells(value: LotValue) -> list[str]:
    lot = value.lot
    until = "" if not value.days_to_long_term else f"{value.long_term_from} ({value.days_to_long_term} days)"
    return [lot.lot_id, lot.asset, lot.wallet, lot.acquired.isoformat(), plain(lot.quantity), money(lot.cost_basis),
            money(value.value), money(value.gain), value.term.value, until]


# -- compare ------------------------------------------------------------------------------------------------
def render_compare(source: str, comparison: Comparison, settings: Settings) -> str:
    """The answer (the lowest tax and your method's), the methods side by side in 100 columns, the `report`
    options that give each row, then the best identification's Lot IDs for each sale of the year."""
    year, position = comparison.year, comparison.position
    lines = [f"cryptotax compare {source}: tax year {year} · filing status {position.tax.filing_status.value}",
             *wrapped(_compare_answer(comparison, settings)), ""]
    every = (*comparison.methods, comparison.best)
    header: tuple[str, ...] = ("Method", "Est. tax", "Short-term", "Long-term", "Net total", "Deducted", "Carried",
                               "AMT")
    rows = [_method_cells(method) for method in every]
    if not comparison.has_estimate:  # no tax and no AMT to show
        header, rows = header[:1] + header[2:-1], [row[:1] + row[2:-1] for row in rows]
    lines += columns(header, rows, set(range(1, len(header))))
    for method in every:
        if method.outcome is None:
            lines += wrapped(method.problem or f"{method.label} cannot be used", "", "  ")
    lines += wrapped(f"Carryover into {year}: {money(position.carryover_in.short_term)} short-term, "
                     f"{money(position.carryover_in.long_term)} long-term (earlier years keep your settings)")
    lines += _estimate_notes([method.outcome for method in every])
    if not comparison.has_estimate:
        lines += wrapped(f"No tax estimate: give --other-income {year}=USD; methods are ranked by the capital "
                         f"result.")
    lines += ["", *wrapped(f"To get a row from report: cryptotax report {source} --year {year} [the options given "
                           f"here] and")]
    width = max(len(method.label) for method in every) + 2
    for method in every:
        if method.outcome is not None:
            lines += wrapped(_reproduce(method, comparison), f"  {method.label:<{width}}", " " * (width + 2))
    lines += ["", *_best_lot_ids(comparison)]
    lines += ["", *wrapped(f"The best identification is a heuristic search ({comparison.evaluations} engine runs): "
                           f"never worse than the four methods, which are among its candidates; a better choice "
                           f"may exist.{budget_note(comparison.budget, comparison.stopped)}"),
              *wrapped(f"Identification counts only if made at the time of sale ({IDENTIFICATION_RULE}); for sales "
                       f"already made it shows what to record next time.")]
    return "\n".join(lines)


def budget_note(budget: int, stopped: bool) -> str:
    """What a search that stopped at its budget tells (nothing for one that ran out of moves)."""
    return (f" It stopped at its budget of {budget} engine runs with moves still to try: a longer search might "
            f"find less tax.") if stopped else ""


def _compare_answer(comparison: Comparison, settings: Settings) -> str:
    """`Lowest estimated tax 32,199.01: HIFO and the best identification; your FIFO: 167,177.26`."""
    usable = [method for method in (*comparison.methods, comparison.best) if method.outcome is not None]
    if not usable:
        return f"No method can be used for {comparison.year}: see below"
    lowest = min(_outcome(method).key for method in usable)
    winners = [method for method in usable if _outcome(method).key == lowest]
    names = [method.label if method is not comparison.best else "the best identification" for method in winners]
    together = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    estimated = comparison.has_estimate
    if len(winners) == len(usable) > 1:
        what = "estimated tax" if estimated else "capital result"
        every = "Every method" if len(usable) == 1 + len(comparison.methods) else "Every method that can be used"
        return f"{every} gives the same {what}, {_figure(winners[0], estimated)}: your method is as good as any"
    what = "Lowest estimated tax" if estimated else "Lowest capital result (what Schedule D adds to taxable income)"
    text = f"{what} {_figure(winners[0], estimated)}: {together}"
    own = settings.method_for(comparison.year)
    yours = next((method for method in comparison.methods if method.fallback is own and method.outcome), None)
    if yours is not None and yours not in winners:
        text += f"; your {yours.label}: {_figure(yours, estimated)}"
    elif yours is not None:
        text += f"; your {yours.label} is among them"
    return text


def _outcome(method: MethodResult) -> Outcome:
    assert method.outcome is not None
    return method.outcome


def _figure(method: MethodResult, estimated: bool) -> str:
    """What ranks the methods: the estimated tax, or without one the capital result."""
    outcome = _outcome(method)
    return money(outcome.estimate.total_tax if estimated and outcome.estimate else outcome.capital_income)


def _method_cells(method: MethodResult) -> list[str]:
    if method.outcome is None:
        return [method.label, "-", "-", "", "", "", "", ""]
    netting, estimate = method.outcome.netting, method.outcome.estimate
    return [method.label, "" if estimate is None else money(estimate.total_tax), money(method.short_term),
            money(method.long_term), money(netting.total), money(netting.deductible_loss),
            money(method.outcome.carryover_out), "" if estimate is None else money(estimate.amt)]


def _reproduce(method: MethodResult, comparison: Comparison) -> str:
    option = f"--method {comparison.year}={method.fallback.value}"
    if method is not comparison.best:
        return option
    return f"{option}, with the Lot IDs below recorded on the year's sales"


def _best_lot_ids(comparison: Comparison) -> list[str]:
    best = comparison.best
    if not best.sales:
        return [f"{best.label}: no sales in {comparison.year} to choose lots for"]
    lines = wrapped(f"{best.label}: the Lot IDs to record on each sale of {comparison.year} (units they leave open "
                    f"and transfers: {best.fallback.value})")
    rows = [[str(choice.sale.row), choice.sale.tx_id, choice.sale.day.isoformat(), choice.sale.asset,
             choice.sale.wallet, plain(choice.sale.quantity)] for choice in best.sales]
    table = columns(("Row", "ID", "Date", "Asset", "Wallet", "Quantity"), rows, {0, 5})
    start = len(table[0]) + 2
    lines += [f"{table[0]}  Lot IDs", "-" * (start + len("Lot IDs"))]
    for line, choice in zip(table[2:], best.sales, strict=True):
        ids = choice.lot_ids + (" (recorded)" if choice.recorded else "")
        lines += textwrap.wrap(ids, max(WIDTH, start + 40), initial_indent=line.ljust(start),
                               subsequent_indent=" " * start, break_long_words=False, break_on_hyphens=False)
    return lines
