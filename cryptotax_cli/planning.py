"""The planning commands `harvest`, `compare` and `whatif`: their options and their output.

Money is rounded to cents here, at the edge; the core keeps exact values. main.py adds the commands with
`add_planning_commands` and runs them with `run_planning` after loading the table as `report` does.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptotax_cli.estimate import estimate_json, ordinary_income_text
from cryptotax_core import Settings, Table, cents, compute, latest_year_with_disposals
from cryptotax_core.options import Options
from cryptotax_core.planning import (
    IDENTIFICATION_RULE,
    Comparison,
    Harvest,
    LotValue,
    MethodResult,
    Outcome,
    PriceError,
    Sale,
    WhatIf,
    compare_methods,
    harvest,
    prices_from_texts,
    what_if,
)
from cryptotax_core.tax import TaxSettings
from cryptotax_core.values import CellError, plain, to_decimal, to_local_datetime

PLANNING_COMMANDS = ("harvest", "compare", "whatif")
FILE_HELP = "the transaction table: a CSV file or a cryptotax workbook (.xlsx/.xlsm)"
TaxFor = Callable[[int], TaxSettings]


# -- options ------------------------------------------------------------------------------------------------
def _day(text: str) -> date:
    try:
        return to_local_datetime(text, ZoneInfo("UTC")).date()
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _amount(text: str) -> Decimal:
    try:
        return to_decimal(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_planning_commands(commands: argparse._SubParsersAction,  # type: ignore[type-arg]
                          add_settings_options: Callable[[argparse.ArgumentParser, str], None]) -> None:
    """The `harvest`, `compare` and `whatif` subcommands, each with the report's settings and tax options."""
    harvest_parser = commands.add_parser(
        "harvest", help="tax-loss harvest: which loss lots to sell before year end and what each saves",
        description="Value every open lot at your prices on the planning date, rank the lots with a loss by the "
                    "tax selling each saves in that year (with --other-income; else by the loss the year can "
                    "use) and build a cumulative plan that stops where the 3,000 loss limit makes more losses "
                    "worth nothing this year.")
    harvest_parser.add_argument("file", type=Path, help=FILE_HELP)
    harvest_parser.add_argument("--price", action="append", default=[], metavar="ASSET=USD",
                                help="USD price per unit of an asset, e.g. BTC=91000; repeat for each asset "
                                     "(an asset without a price is left out, never guessed)")
    _planning_date_option(harvest_parser, "the planning date: the day you would sell")
    add_settings_options(harvest_parser, "tax year to plan (default: the planning date's year; without --as-of, "
                         "an earlier year is planned as of its December 31)")
    _format_option(harvest_parser)

    compare = commands.add_parser(
        "compare", help="a year under FIFO, LIFO, HIFO, LOFO and a tax-minimizing specific identification",
        description="Compute one year with each lot relief method (earlier years as set) and search a specific "
                    "identification of the year's sales that lowers the year's tax (a heuristic that is never "
                    "worse than the four methods). Sales with recorded Lot IDs keep them.")
    compare.add_argument("file", type=Path, help=FILE_HELP)
    add_settings_options(compare, "tax year to compare (default: the latest year with disposals)")
    _format_option(compare)

    whatif = commands.add_parser(
        "whatif", help="preview a sale: gain, term and tax change under each method and the best lot choice",
        description="Add a hypothetical Sell row (ID whatif) on the sale date and compute the history with it: "
                    "the gain, its term and the change in the year's tax under FIFO, LIFO, HIFO, LOFO and the "
                    "best lot choice found, with the Lot IDs to record at the time of sale.")
    whatif.add_argument("file", type=Path, help=FILE_HELP)
    whatif.add_argument("--asset", required=True, help="the asset to sell, e.g. BTC")
    whatif.add_argument("--quantity", type=_amount, required=True, metavar="UNITS", help="units to sell, e.g. 0.5")
    whatif.add_argument("--price", required=True, metavar="USD|ASSET=USD", help="USD price per unit, e.g. 91000")
    whatif.add_argument("--wallet", help="the wallet to sell from (default: the only wallet holding the asset)")
    whatif.add_argument("--fee", type=_amount, default=Decimal(0), metavar="USD", help="the sale's fee in USD")
    _planning_date_option(whatif, "the date of the sale")
    add_settings_options(whatif, "must be the sale date's year if given (default: the sale date's year)")
    _format_option(whatif)


def _planning_date_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--as-of", type=_day, metavar="DATE", help=f"{what} (default: today), e.g. 2026-12-15")


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["table", "json"], default="table", help="what to print")


def planning_date(args: argparse.Namespace, today: date) -> date:
    """--as-of, else today; --year alone names a year to plan as of its last day (or today in this year)."""
    if args.as_of is not None:
        if args.year and args.year != args.as_of.year:
            raise ValueError(f"--as-of {args.as_of} is not in --year {args.year}: give one of them")
        return args.as_of  # type: ignore[no-any-return]
    if args.year and args.year != today.year:
        return date(args.year, 12, 31)
    return today


# -- running ------------------------------------------------------------------------------------------------
def run_planning(args: argparse.Namespace, table: Table, base: Options, settings: Settings, tax_for: TaxFor,
                 *, today: date | None = None) -> str:
    """Run one planning command on a loaded table; the text to print. Raises `InputError` (the history) or
    `ValueError` (an option: a price, the sale, an unsupported tax year)."""
    today = today or date.today()
    transactions = table.transactions
    name = args.file.name
    if args.command == "harvest":
        prices = prices_from_texts(args.price)
        if not prices:
            raise ValueError("give the prices to value the lots at: --price BTC=91000 (repeat for each asset)")
        day = planning_date(args, today)
        found = harvest(transactions, settings, tax_for(day.year), day, prices)
        return _json(harvest_json(found)) if args.format == "json" else render_harvest(name, settings, found)
    if args.command == "compare":
        year = args.year or base.tax_year or latest_year_with_disposals(compute(transactions, settings)) \
            or max((tx.when.year for tx in transactions), default=today.year)
        comparison = compare_methods(transactions, settings, tax_for(year), year)
        return _json(compare_json(comparison)) if args.format == "json" else render_compare(name, comparison)
    day = planning_date(args, today)
    sale = Sale(args.asset.strip().upper(), args.quantity, _sale_price(args.price, args.asset), day, args.wallet,
                args.fee)
    preview = what_if(transactions, settings, tax_for(day.year), sale)
    return _json(whatif_json(preview)) if args.format == "json" else render_whatif(name, preview)


def _sale_price(text: str, asset: str) -> Decimal:
    if "=" not in text:
        try:
            return to_decimal(text)
        except CellError as exc:
            raise PriceError(f"--price: {exc}") from None
    prices = prices_from_texts([text])
    price = prices.get(asset.strip().upper())
    if price is None:
        raise PriceError(f"--price {text} is not a price of {asset.strip().upper()}")
    return price


# -- text ---------------------------------------------------------------------------------------------------
def _money(amount: Decimal) -> str:
    return f"{cents(amount):,.2f}"


def _columns(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """A plain text table: each column as wide as its widest cell, the `right` columns right-aligned."""
    widths = [max([len(title)] + [len(row[index]) for row in rows]) for index, title in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.rjust(width) if index in right else cell.ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    ruler = "-" * len(line(header))
    return [line(header), ruler, *(line(row) for row in rows)]


def _year_lines(position_text: str, outcome: Outcome, year: int) -> list[str]:
    """The year's position and its estimated tax, with the ordinary income the estimate used and its AMT
    (and what the AMT leaves out, where it applies)."""
    estimate = outcome.estimate
    if estimate is None:
        return [f"{position_text}; no tax estimate: give --other-income {year}=USD"]
    return [f"{position_text}; estimated federal tax {_money(estimate.total_tax)} (AMT {_money(estimate.amt)})",
            f"  The estimate's {ordinary_income_text(estimate)}", *_amt_notes([outcome])]


def _amt_notes(outcomes: Sequence[Outcome | None]) -> list[str]:
    """The AMT note once, if any of the outcomes' estimates needs it."""
    notes = {outcome.estimate.amt_note for outcome in outcomes if outcome and outcome.estimate}
    return [f"  Note: {note}" for note in sorted(note for note in notes if note)]


def render_harvest(source: str, settings: Settings, found: Harvest) -> str:
    position, year = found.position, found.position.year
    lines = [f"cryptotax harvest: {source}",
             f"planning date {found.on} · tax year {year} · {settings.method_for(year).value} · filing status "
             f"{position.tax.filing_status.value}",
             *_year_lines(f"Realized so far: short-term {_money(position.short_term)}, long-term "
                          f"{_money(position.long_term)}; carryover in {_money(position.carryover_in.short_term)} "
                          f"short, {_money(position.carryover_in.long_term)} long", found.base, year), ""]
    lines += ["Open lots at your prices"]
    lines += _columns(
        ("Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Value", "Gain", "Term", "Long-term from"),
        [_lot_cells(value) for value in found.lots.lots], {4, 5, 6, 7})
    saving = "Tax saved" if found.has_estimate else "Loss used"
    ranking = "the tax each saves" if found.has_estimate else "the loss the year can use"
    lines += ["", f"Harvest candidates, ranked by {ranking} when sold alone"]
    if not found.plan:
        lines.append("  none: no open lot with a price is worth less than its basis")
    rows, notes = [], []
    for rank, step in enumerate(found.plan, start=1):
        candidate, lot = step.candidate, step.candidate.value.lot
        rows.append([str(rank), lot.lot_id, lot.asset, lot.wallet, _money(candidate.loss), candidate.value.term.value,
                     _money(candidate.saving), "yes" if step.in_plan else "no", _money(step.saves),
                     _money(step.carryover_added), step.lot_ids if step.in_plan else ""])
        notes += [f"  {rank}. {note}" for note in candidate.notes]
    if rows:
        lines += _columns(("#", "Lot", "Asset", "Wallet", "Loss", "Term", saving, "In plan", "Plan saves",
                           "Carryover+", "Sell (Lot IDs)"), rows, {0, 4, 6, 8, 9})
    lines += notes
    planned = [str(rank) for rank, step in enumerate(found.plan, start=1) if step.in_plan]
    if planned:
        what = "tax saved" if found.has_estimate else "loss used this year"
        lines += ["", f"Plan: sell {', '.join(planned)} on {found.on} (record each sale's Lot IDs): {what} "
                      f"{_money(found.plan_saves)}; carryover into {year + 1}: {_money(found.planned.carryover_out)}"]
    if found.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in found.notes)]
    return "\n".join(lines)


def _lot_cells(value: LotValue) -> list[str]:
    lot = value.lot
    until = "" if not value.days_to_long_term else f"{value.long_term_from} ({value.days_to_long_term} days)"
    return [lot.lot_id, lot.asset, lot.wallet, lot.acquired.isoformat(), plain(lot.quantity), _money(lot.cost_basis),
            _money(value.value), _money(value.gain), value.term.value, until]


def render_compare(source: str, comparison: Comparison) -> str:
    year, position = comparison.year, comparison.position
    lines = [f"cryptotax compare: {source}",
             f"tax year {year} · filing status {position.tax.filing_status.value} · carryover in "
             f"{_money(position.carryover_in.short_term)} short, {_money(position.carryover_in.long_term)} long", ""]
    rows = [_method_cells(method, year) for method in (*comparison.methods, comparison.best)]
    lines += _columns(("Method", "Short-term", "Long-term", "Net total", "Deducted", "Carryover out", "AMT",
                       "Est. tax"), rows, {1, 2, 3, 4, 5, 6, 7})
    outcomes = [method.outcome for method in (*comparison.methods, comparison.best)]
    base = position.outcome().estimate
    if base is not None:
        lines += [f"The estimates' {ordinary_income_text(base)}", *_amt_notes(outcomes)]
    best = comparison.best
    if best.sales:
        lines += ["", f"{best.label} (transfers and units the Lot IDs leave open: {best.fallback.value}):"]
        lines += _columns(("Row", "ID", "Date", "Asset", "Wallet", "Quantity", "Lot IDs", "Short-term", "Long-term"),
                          [[str(choice.sale.row), choice.sale.tx_id, choice.sale.day.isoformat(), choice.sale.asset,
                            choice.sale.wallet, plain(choice.sale.quantity),
                            choice.lot_ids + (" (recorded)" if choice.recorded else ""), _money(choice.short_term),
                            _money(choice.long_term)] for choice in best.sales], {0, 5, 7, 8})
    lines += ["", f"The best identification is a heuristic search ({comparison.evaluations} engine runs): never worse "
                  f"than the four methods, which are among its candidates; a better choice may exist.",
              f"Identification counts only if made at the time of sale ({IDENTIFICATION_RULE}); for sales already "
              f"made it shows what to record next time."]
    if not comparison.has_estimate:
        lines.append(f"No tax estimate: give --other-income {year}=USD; methods are ranked by the capital result.")
    return "\n".join(lines)


def _method_cells(method: MethodResult, year: int) -> list[str]:
    if method.outcome is None:
        return [method.label, "", "", "", "", "", "", method.problem or ""]
    netting, estimate = method.outcome.netting, method.outcome.estimate
    return [method.label, _money(method.short_term), _money(method.long_term), _money(netting.total),
            _money(netting.deductible_loss), _money(method.outcome.carryover_out),
            "" if estimate is None else _money(estimate.amt), "" if estimate is None else _money(estimate.total_tax)]


def render_whatif(source: str, found: WhatIf) -> str:
    sale = found.sale
    base = found.position.outcome()
    lines = [f"cryptotax whatif: {source}",
             f"sell {plain(sale.quantity)} {found.row.asset} from {found.wallet} on {sale.day} at "
             f"{_money(sale.price)} (proceeds {_money(found.row.usd_value or Decimal(0))}"
             f"{f', fee {_money(sale.fee_usd)}' if sale.fee_usd else ''})"
             + ("" if found.held is None else f"; {found.wallet} holds {plain(found.held)} {found.row.asset}"),
             *_year_lines(f"Tax year {sale.day.year} without the sale: net {_money(base.netting.total)}", base,
                          sale.day.year), ""]
    rows = []
    for preview in found.previews:
        if preview.outcome is None:
            rows.append([preview.label, preview.problem or "", "", "", "", "", "", ""])
            continue
        change, estimate = preview.tax_change, preview.outcome.estimate
        rows.append([preview.label + (" (yours)" if preview.yours else ""), preview.lot_ids,
                     _money(preview.lines.gain), _money(preview.short_term), _money(preview.long_term),
                     "" if change is None else _money(change), "" if estimate is None else _money(estimate.amt),
                     _money(preview.capital_income_change or Decimal(0))])
    lines += _columns(("Lot choice", "Lot IDs", "Gain", "Short-term", "Long-term", "Tax change", "AMT with sale",
                       "Taxable change"), rows, {2, 3, 4, 5, 6, 7})
    shown = _amt_notes([base])  # with the year's line above
    lines += [note for note in _amt_notes([preview.outcome for preview in found.previews]) if note not in shown]
    lines += ["", "To use a choice, record its Lot IDs on the Sell row when you sell "
                  "(docs/rules.md#which-units-are-sold: identification must be made no later than the time of sale). "
                  "Without Lot IDs your method applies."]
    return "\n".join(lines)


# -- JSON ---------------------------------------------------------------------------------------------------
def _json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _cents(amount: Decimal | None) -> str | None:
    return None if amount is None else str(cents(amount))


def _outcome(outcome: Outcome | None) -> dict[str, object] | None:
    if outcome is None:
        return None
    netting = outcome.netting
    return {"net_short_term": _cents(netting.short_term), "net_long_term": _cents(netting.long_term),
            "net_total": _cents(netting.total), "deductible_loss": _cents(netting.deductible_loss),
            "carryover_out": {"short_term": _cents(netting.carryover_out.short_term),
                              "long_term": _cents(netting.carryover_out.long_term)},
            "estimated_tax": _cents(outcome.tax),
            "tax_estimate": None if outcome.estimate is None else estimate_json(outcome.estimate)}


def _lot_json(value: LotValue) -> dict[str, object]:
    lot = value.lot
    return {"lot": lot.lot_id, "asset": lot.asset, "wallet": lot.wallet, "acquired": lot.acquired.isoformat(),
            "quantity": plain(lot.quantity), "cost_basis": _cents(lot.cost_basis), "price": plain(value.price),
            "value": _cents(value.value), "gain": _cents(value.gain), "term": value.term.value,
            "long_term_from": value.long_term_from.isoformat(), "days_to_long_term": value.days_to_long_term}


def harvest_json(found: Harvest) -> dict[str, object]:
    return {
        "as_of": found.on.isoformat(), "tax_year": found.position.year,
        "realized": {"short_term": _cents(found.position.short_term), "long_term": _cents(found.position.long_term)},
        "year": _outcome(found.base),
        "lots": [_lot_json(value) for value in found.lots.lots],
        "candidates": [{**_lot_json(step.candidate.value), "rank": rank, "tax_saved": _cents(step.candidate.tax_saved),
                        "loss_used": _cents(step.candidate.loss_used), "in_plan": step.in_plan,
                        "plan_saves": _cents(step.saves), "carryover_added": _cents(step.carryover_added),
                        "sell_quantity": plain(step.quantity), "lot_ids": step.lot_ids,
                        "notes": list(step.candidate.notes)}
                       for rank, step in enumerate(found.plan, start=1)],
        "plan": {"saves": _cents(found.plan_saves), "year": _outcome(found.planned)},
        "notes": list(found.notes),
    }


def _method_json(method: MethodResult) -> dict[str, object]:
    return {"label": method.label, "fallback_method": method.fallback.value, "problem": method.problem,
            "short_term": _cents(method.short_term), "long_term": _cents(method.long_term),
            "year": _outcome(method.outcome),
            "sales": [{"row": choice.sale.row, "id": choice.sale.tx_id, "date": choice.sale.day.isoformat(),
                       "asset": choice.sale.asset, "wallet": choice.sale.wallet,
                       "quantity": plain(choice.sale.quantity), "lot_ids": choice.lot_ids,
                       "recorded": choice.recorded, "short_term": _cents(choice.short_term),
                       "long_term": _cents(choice.long_term)} for choice in method.sales]}


def compare_json(comparison: Comparison) -> dict[str, object]:
    return {"tax_year": comparison.year, "methods": [_method_json(method) for method in comparison.methods],
            "best": _method_json(comparison.best), "evaluations": comparison.evaluations,
            "note": IDENTIFICATION_RULE}


def whatif_json(found: WhatIf) -> dict[str, object]:
    sale = found.sale
    return {
        "sale": {"asset": found.row.asset, "quantity": plain(sale.quantity), "price": plain(sale.price),
                 "wallet": found.wallet, "date": sale.day.isoformat(), "fee": _cents(sale.fee_usd),
                 "held": None if found.held is None else plain(found.held)},
        "year_without_sale": _outcome(found.position.outcome()),
        "previews": [{"label": preview.label, "yours": preview.yours, "problem": preview.problem,
                      "lot_ids": preview.lot_ids, "proceeds": _cents(preview.lines.proceeds),
                      "cost_basis": _cents(preview.lines.cost_basis), "gain": _cents(preview.lines.gain),
                      "short_term": _cents(preview.short_term), "long_term": _cents(preview.long_term),
                      "tax_change": _cents(preview.tax_change),
                      "capital_income_change": _cents(preview.capital_income_change),
                      "year": _outcome(preview.outcome)} for preview in found.previews],
    }
