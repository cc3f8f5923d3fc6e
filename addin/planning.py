"""The planning functions' spilled tables (HARVEST, METHODCOMPARE, WHATIF), in the order the command line
prints them: the answer first (label, figure, what it is against), then the table of every choice, then the Lot
IDs to record, then notes. Cells are plain values (numbers rounded to cents, dates as datetimes)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from addin.convert import excel_date, money, quantity
from cryptotax_core import (
    IDENTIFICATION_RULE,
    Comparison,
    Harvest,
    MethodResult,
    Outcome,
    Preview,
    Settings,
    TaxEstimate,
    WhatIf,
    cents,
)

Rows = list[list[object]]


def budget_note(budget: int, stopped: bool) -> str:
    """What a search that stopped at its budget tells (nothing for one that ran out of moves)."""
    return (f"; it stopped at its budget of {budget} engine runs with moves still to try: a longer search might "
            f"find less tax") if stopped else ""


def _amount(amount: Decimal) -> str:
    return f"{cents(amount):,.2f}"


def estimate_notes(candidates: Sequence[TaxEstimate | None]) -> Rows:
    """Note rows under a planning table: the ordinary income the year's estimates use (the same for every
    choice) and, where AMT applies, what it leaves out."""
    estimates = [estimate for estimate in candidates if estimate is not None]
    if not estimates:
        return []
    first = estimates[0]
    split = (f"Other income, which includes the table's income {_amount(first.table_income)}"
             if first.table_income_included else
             f"Other income {_amount(first.other_income)} + the table's income {_amount(first.table_income)}")
    notes = sorted({estimate.amt_note for estimate in estimates if estimate.amt_note})
    rows: Rows = [[f"Note: the tax estimates use ordinary income {_amount(first.ordinary_income)} = {split}"]]
    return rows + [[f"Note: {note}"] for note in notes]


# -- HARVEST -------------------------------------------------------------------------------------------------
HARVEST_HEADER = ["Rank", "Lot", "Asset", "Wallet", "Acquired", "Quantity", "Value", "Cost basis", "Loss", "Term",
                  "Days to long-term", "Tax saved", "Loss used this year", "In plan", "Plan saving",
                  "Carryover added", "Sell", "Lot IDs"]


def harvest_rows(found: Harvest) -> Rows:
    """The plan (what it saves, the carryover, the lots to sell per asset and wallet with their Lot IDs), the
    year's AMT as it stands and with the plan, every candidate ranked, then the notes (once per asset and kind)."""
    saving = "Plan: tax saved" if found.has_estimate else "Plan: loss used this year"
    planned = [step for step in found.plan if step.in_plan]
    rows: Rows = [[saving, money(found.plan_saves), f"{len(planned)} of {len(found.plan)} loss lots, sold on "
                                                    f"{found.on}"],
                  ["Plan: carryover to next year", money(found.planned.carryover_out)]]
    groups: dict[tuple[str, str], list[str]] = {}
    units: dict[tuple[str, str], Decimal] = {}
    for step in planned:
        key = (step.candidate.value.lot.asset, step.candidate.value.lot.wallet)
        groups.setdefault(key, []).append(step.lot_ids)
        units[key] = units.get(key, Decimal(0)) + step.quantity
    rows += [[f"Plan: sell {asset} from {wallet}", quantity(units[(asset, wallet)]), ", ".join(ids)]
             for (asset, wallet), ids in groups.items()]
    if found.base.estimate and found.planned.estimate:
        rows += [["Year: AMT as it stands", money(found.base.estimate.amt)],
                 ["Year: AMT with the plan", money(found.planned.estimate.amt)]]
    rows += [[], list(HARVEST_HEADER)]
    for rank, step in enumerate(found.plan, start=1):
        candidate = step.candidate
        value, lot = candidate.value, candidate.value.lot
        rows.append([rank, lot.lot_id, lot.asset, lot.wallet, excel_date(lot.acquired), quantity(lot.quantity),
                     money(value.value), money(lot.cost_basis), money(candidate.loss), value.term.value,
                     value.days_to_long_term, "" if candidate.tax_saved is None else money(candidate.tax_saved),
                     money(candidate.loss_used), "yes" if step.in_plan else "no", money(step.saves),
                     money(step.carryover_added), quantity(step.quantity) if step.in_plan else 0,
                     step.lot_ids if step.in_plan else ""])
    if not found.plan:
        rows.append(["none: no open lot with a price is worth less than its basis"])
    rows.append([])
    rows += [[f"Note: {note}"] for note in found.notes]
    return rows + estimate_notes([found.base.estimate, found.planned.estimate])


# -- METHODCOMPARE -------------------------------------------------------------------------------------------
METHODCOMPARE_HEADER = ["Method", "Estimated tax", "Short-term gain", "Long-term gain", "Net total",
                        "Deductible loss", "Carryover out", "AMT", "To get it from the workbook"]
CHOICE_HEADER = ["Sale row", "ID", "Date", "Asset", "Wallet", "Quantity", "Short-term gain", "Long-term gain",
                 "Recorded", "Lot IDs (best)"]


def _outcome(method: MethodResult) -> Outcome:
    assert method.outcome is not None
    return method.outcome


def methodcompare_rows(found: Comparison, settings: Settings) -> Rows:
    """The lowest tax and your method's, the methods side by side with the Settings line that gives each, the
    best identification's Lot IDs for each sale of the year, then the notes."""
    number = found.year
    every = (*found.methods, found.best)
    usable = [method for method in every if method.outcome is not None]
    estimated = found.has_estimate
    rows: Rows = []
    if usable:

        def figure(method: MethodResult) -> float:
            outcome = _outcome(method)
            return money(outcome.tax or Decimal(0) if estimated else outcome.capital_income)

        lowest = min(_outcome(method).key for method in usable)
        winners = [method for method in usable if _outcome(method).key == lowest]
        label = "Lowest estimated tax" if estimated else "Lowest capital result"
        all_of_them = "every method" if len(usable) == len(every) else "every method that can be used"
        who = all_of_them if len(winners) == len(usable) > 1 else ", ".join(method.label for method in winners)
        rows.append([label, figure(winners[0]), who])
        own = settings.method_for(number)
        yours = next((method for method in found.methods if method.fallback is own and method.outcome), None)
        if yours is not None:
            rows.append([f"Your method ({yours.label})", figure(yours)])
    rows += [[], list(METHODCOMPARE_HEADER)]
    for method in every:
        if method.outcome is None:
            rows.append([method.label, method.problem or ""])
            continue
        netting, estimate = method.outcome.netting, method.outcome.estimate
        setting = f"Settings: Method {number} = {method.fallback.value}"
        rows.append([method.label,
                     f"add 'Other income {number}' to Settings" if estimate is None else money(estimate.total_tax),
                     money(method.short_term), money(method.long_term), money(netting.total),
                     money(netting.deductible_loss), money(method.outcome.carryover_out),
                     "" if estimate is None else money(estimate.amt),
                     setting if method is not found.best else f"{setting}, and the Lot IDs below on the year's sales"])
    rows += [[], list(CHOICE_HEADER)]
    for choice in found.best.sales:
        sale = choice.sale
        rows.append([sale.row, sale.tx_id, excel_date(sale.day), sale.asset, sale.wallet, quantity(sale.quantity),
                     money(choice.short_term), money(choice.long_term), "yes" if choice.recorded else "no",
                     choice.lot_ids])
    rows += [[], [f"Note: the best identification is a heuristic search ({found.evaluations} engine runs); it is "
                  f"never worse than the four methods, which are among its candidates"
                  f"{budget_note(found.budget, found.stopped)}"],
             [f"Note: {IDENTIFICATION_RULE}"]]
    return rows + estimate_notes([method.outcome.estimate for method in usable if method.outcome])


# -- WHATIF --------------------------------------------------------------------------------------------------
WHATIF_HEADER = ["Lot choice", "Gain", "Term", "Short-term gain", "Long-term gain", "Tax change",
                 "Capital income change", "AMT with the sale", "Proceeds", "Cost basis", "Adjustment", "Your method",
                 "Lot IDs"]


def _yours(found: WhatIf) -> Preview | None:
    return next((preview for preview in found.previews if preview.yours and preview.outcome is not None), None)


def whatif_answer(found: WhatIf) -> Rows:
    """`Best: Best lot choice | 750 | tax change, 1,500.00 less than your FIFO: record its Lot IDs`; without a tax
    estimate the figure is the change in taxable income."""
    best, yours = found.best, _yours(found)
    assert best.outcome is not None  # what_if raises when no choice can be made
    estimated = best.tax_change is not None

    def figure(preview: Preview) -> Decimal:
        change = preview.tax_change if estimated else preview.capital_income_change
        return change or Decimal(0)

    what = "tax change" if estimated else "change in taxable income"
    if yours is None:
        return [[f"Best: {best.label}", money(figure(best)), what]]
    assert yours.outcome is not None
    if best.outcome.key >= yours.outcome.key:
        return [[f"Best: your method ({yours.label})", money(figure(yours)),
                 f"{what}: no lot choice found does better, sell without Lot IDs"]]
    difference = figure(yours) - figure(best)
    against = (f"{_amount(difference)} less than your {yours.label}" if difference else
               f"less of it short-term than your {yours.label}")
    return [[f"Best: {best.label}", money(figure(best)), f"{what}, {against}: record its Lot IDs"]]


def whatif_rows(found: WhatIf) -> Rows:
    """The best lot choice against yours, then each choice's gain, term and tax change with its Lot IDs last,
    then the notes."""
    rows: Rows = [*whatif_answer(found), [], list(WHATIF_HEADER)]
    for preview in found.previews:
        if preview.outcome is None:
            rows.append([preview.label, preview.problem or ""])
            continue
        lines, estimate = preview.lines, preview.outcome.estimate
        terms = {disposal.term.value for disposal in preview.disposals}
        rows.append([preview.label, money(lines.gain), "both" if len(terms) > 1 else "".join(terms),
                     money(preview.short_term), money(preview.long_term),
                     "" if preview.tax_change is None else money(preview.tax_change),
                     money(preview.capital_income_change or Decimal(0)),
                     "" if estimate is None else money(estimate.amt), money(lines.proceeds), money(lines.cost_basis),
                     money(lines.adjustment), "yes" if preview.yours else "", preview.lot_ids])
    rows.append([])
    if found.stopped:
        rows.append([f"Note: the best lot choice is a heuristic search ({found.evaluations} engine runs)."
                     f"{budget_note(found.budget, found.stopped)}"])
    if not found.position.has_estimate:
        rows.append([f"Note: add 'Other income {found.sale.day.year}' to Settings for the tax change"])
    return rows + estimate_notes([found.position.outcome().estimate,
                                  *(preview.outcome.estimate for preview in found.previews if preview.outcome)])
