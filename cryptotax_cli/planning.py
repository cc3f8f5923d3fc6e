"""The planning commands `harvest`, `compare` and `whatif`: their options, running them, their JSON.

Their text is `planning_text.py`'s. Money is rounded to cents here, at the edge; the core keeps exact values.
main.py adds the commands with `add_planning_commands` and runs them with `run_planning` after loading the
table as `report` does.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptotax_cli.errors import OptionError
from cryptotax_cli.estimate import estimate_json
from cryptotax_cli.planning_text import TOP, render_compare, render_harvest, render_whatif
from cryptotax_core import (
    IDENTIFICATION_RULE,
    CellError,
    Comparison,
    Harvest,
    LotValue,
    MethodResult,
    Options,
    Outcome,
    PriceError,
    Sale,
    Settings,
    Table,
    TaxSettings,
    WhatIf,
    cents,
    compare_methods,
    compute,
    harvest,
    latest_year_with_disposals,
    plain,
    prices_from_texts,
    to_decimal,
    to_local_datetime,
    what_if,
)

PLANNING_COMMANDS = ("harvest", "compare", "whatif")
FILE_HELP = "the transaction table: a CSV file or a cryptotax workbook (.xlsx/.xlsm)"
TaxFor = Callable[[int], TaxSettings]


# -- options ------------------------------------------------------------------------------------------------
def _day(text: str) -> date:
    try:
        return to_local_datetime(text, ZoneInfo("UTC")).date()
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a count: write a whole number such as 10")
    return int(text)


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
    shown = harvest_parser.add_mutually_exclusive_group()
    shown.add_argument("--top", type=_count, default=TOP, metavar="N",
                       help=f"list the first N candidates (default {TOP}); the plan lists every lot it sells")
    shown.add_argument("--all", action="store_true", help="list every candidate and every open lot at your prices")

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
    whatif.add_argument("--lots", action="store_true",
                        help="list the Lot IDs of every lot choice (default: the best choice's)")


def _planning_date_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--as-of", type=_day, metavar="DATE", help=f"{what} (default: today), e.g. 2026-12-15")


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["table", "json"], default="table", help="what to print")


def planning_date(args: argparse.Namespace, today: date) -> date:
    """--as-of, else today; --year alone names a year to plan as of its last day (or today in this year)."""
    if args.as_of is not None:
        if args.year and args.year != args.as_of.year:
            raise OptionError(f"--as-of {args.as_of} is not in --year {args.year}: give one of them")
        return args.as_of  # type: ignore[no-any-return]
    if args.year and args.year != today.year:
        return date(args.year, 12, 31)
    return today


# -- running ------------------------------------------------------------------------------------------------
def run_planning(args: argparse.Namespace, table: Table, base: Options, settings: Settings, tax_for: TaxFor,
                 *, today: date | None = None) -> str:
    """Run one planning command on a loaded table; the text to print. Raises `InputError` (the history) or
    another `UserError` (an option: a price, the sale, an unsupported tax year)."""
    today = today or date.today()
    transactions = table.transactions
    name = args.file.name
    if args.command == "harvest":
        prices = prices_from_texts(args.price)
        if not prices:
            raise OptionError("give the prices to value the lots at: --price BTC=91000 (repeat for each asset)")
        day = planning_date(args, today)
        found = harvest(transactions, settings, tax_for(day.year), day, prices)
        if args.format == "json":
            return _json(harvest_json(found))
        return render_harvest(name, settings, found, top=None if args.all else args.top)
    if args.command == "compare":
        year = args.year or base.tax_year or latest_year_with_disposals(compute(transactions, settings)) \
            or max((tx.when.year for tx in transactions), default=today.year)
        comparison = compare_methods(transactions, settings, tax_for(year), year)
        return _json(compare_json(comparison)) if args.format == "json" else render_compare(name, comparison, settings)
    day = planning_date(args, today)
    sale = Sale(args.asset.strip().upper(), args.quantity, _sale_price(args.price, args.asset), day, args.wallet,
                args.fee)
    preview = what_if(transactions, settings, tax_for(day.year), sale)
    if args.format == "json":
        return _json(whatif_json(preview))
    return render_whatif(name, preview, every_lot_choice=args.lots)


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
            "budget": comparison.budget, "stopped_at_budget": comparison.stopped,
            "note": IDENTIFICATION_RULE}


def whatif_json(found: WhatIf) -> dict[str, object]:
    sale = found.sale
    return {
        "sale": {"asset": found.row.asset, "quantity": plain(sale.quantity), "price": plain(sale.price),
                 "wallet": found.wallet, "date": sale.day.isoformat(), "fee": _cents(sale.fee_usd),
                 "held": None if found.held is None else plain(found.held)},
        "year_without_sale": _outcome(found.position.outcome()),
        "evaluations": found.evaluations, "budget": found.budget, "stopped_at_budget": found.stopped,
        "previews": [{"label": preview.label, "yours": preview.yours, "problem": preview.problem,
                      "lot_ids": preview.lot_ids, "proceeds": _cents(preview.lines.proceeds),
                      "cost_basis": _cents(preview.lines.cost_basis), "adjustment": _cents(preview.lines.adjustment),
                      "gain": _cents(preview.lines.gain),
                      "short_term": _cents(preview.short_term), "long_term": _cents(preview.long_term),
                      "tax_change": _cents(preview.tax_change),
                      "capital_income_change": _cents(preview.capital_income_change),
                      "year": _outcome(preview.outcome)} for preview in found.previews],
    }
