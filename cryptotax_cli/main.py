"""The `cryptotax` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from cryptotax_cli.files import OutputExists, write_atomically
from cryptotax_cli.new import new_workbook
from cryptotax_cli.report import Report, form8949_csv, render_json, render_table
from cryptotax_core import (
    InputError,
    Method,
    Pooling,
    Settings,
    Table,
    TransferFee,
    compute,
    latest_year_with_disposals,
    load_csv,
)
from cryptotax_core.model import Reporting
from cryptotax_core.settings import DEFAULT_TIME_ZONE
from cryptotax_core.table import REPORTING_WORDS
from cryptotax_core.tax import Carryover, FilingStatus, TaxSettings, tax_years
from cryptotax_core.values import CellError, to_decimal

EXIT_INPUT = 2


def _method_option(text: str) -> tuple[int | None, Method]:
    year, _, name = text.rpartition("=")
    try:
        method = Method[name.strip().upper()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"unknown method '{name}': use FIFO, LIFO, HIFO, LOFO or SPECIFIC, optionally per year as 2024=HIFO"
        ) from None
    if not year:
        return None, method
    if not year.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{year}' is not a year: write e.g. 2024=HIFO")
    return int(year), method


def _amount(text: str) -> Decimal:
    try:
        return to_decimal(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year_amount(text: str) -> tuple[int | None, Decimal]:
    year, _, amount = text.rpartition("=")
    if year and not year.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{year}' is not a year: write e.g. 2025=85000")
    return (int(year) if year else None), _amount(amount)


def _filing_status(text: str) -> FilingStatus:
    try:
        return FilingStatus.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _wallet_reporting(text: str) -> tuple[str, Reporting]:
    wallet, _, word = text.rpartition("=")
    reporting = REPORTING_WORDS.get(word.strip().lower())
    if not wallet.strip() or reporting is None:
        raise argparse.ArgumentTypeError(f"'{text}': write WALLET=none, WALLET=proceeds or WALLET=basis")
    return wallet.strip(), reporting


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cryptotax", description="US capital gains for crypto and stock "
                                                                    "from a transaction table.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="compute a transaction table and print the summary",
        description="Read a transaction table (CSV) and print a per-year summary and one year in detail.")
    report.add_argument("file", type=Path, help="the transaction table, a CSV file")
    report.add_argument("--year", type=int, help="tax year to detail (default: the latest year with disposals)")
    report.add_argument("--method", type=_method_option, action="append", default=[], metavar="[YEAR=]METHOD",
                        help="lot relief: FIFO (default), LIFO, HIFO, LOFO or SPECIFIC; repeat as 2024=HIFO "
                             "to choose per year")
    report.add_argument("--pooling", choices=[p.value for p in Pooling], default=Pooling.WALLET.value,
                        help="wallet (default): lots per wallet; universal: one pool per asset for years "
                             "before 2025, allocated to wallets on 2025-01-01")
    report.add_argument("--tz", default=DEFAULT_TIME_ZONE, metavar="ZONE",
                        help=f"IANA time zone for timestamps with an offset (default {DEFAULT_TIME_ZONE}), "
                             "e.g. America/New_York")
    report.add_argument("--transfer-fee", choices=[f.value for f in TransferFee], default="dispose",
                        help="units lost to a transfer's network fee: dispose (default) or add to basis")
    report.add_argument("--allow-shortfall", action="store_true",
                        help="treat units sold beyond those held as a zero-basis lot (a warning) "
                             "instead of an error")
    new = commands.add_parser(
        "new", help="create a workbook from the template",
        description="Create a new cryptotax workbook (Transactions, Settings, Summary, Lots, Form 8949). "
                    "Never replaces an existing file.")
    new.add_argument("path", type=Path, help="the workbook to create, e.g. taxes.xlsx")
    new.add_argument("--with-sample", action="store_true", help="fill Transactions with the sample history")
    tax = report.add_argument_group("tax situation (Schedule D netting, tax estimate, Form 8949)")
    tax.add_argument("--filing-status", type=_filing_status, default=FilingStatus.SINGLE, metavar="STATUS",
                     help="single (default), mfj, mfs or hoh: sets the loss limit and the brackets")
    tax.add_argument("--carryover-short", type=_amount, default=Decimal(0), metavar="USD",
                     help="short-term capital loss carried into the first year of the data (a positive amount)")
    tax.add_argument("--carryover-long", type=_amount, default=Decimal(0), metavar="USD",
                     help="long-term capital loss carried into the first year of the data (a positive amount)")
    tax.add_argument("--other-income", type=_year_amount, action="append", default=[], metavar="[YEAR=]USD",
                     help="taxable income other than capital gains, for the tax estimate of the chosen year "
                          "(or of YEAR); repeat for more years")
    tax.add_argument("--taxable-income", type=_year_amount, action="append", default=[], metavar="YEAR=USD",
                     help="Form 1040 line 15 of YEAR (may be negative), for the capital loss carryover worksheet")
    tax.add_argument("--reported", type=_wallet_reporting, action="append", default=[], metavar="WALLET=WHAT",
                     help="what the broker of WALLET reports on a 1099-B/1099-DA: none (default), proceeds or "
                          "basis; a row's Broker Reported column wins")
    output = report.add_argument_group("output")
    output.add_argument("--format", choices=["table", "json"], default="table", help="what to print")
    output.add_argument("--form8949", type=Path, metavar="OUT.csv",
                        help="also write the chosen year's Form 8949 rows (one per disposal, with box) as CSV")
    output.add_argument("--force", action="store_true", help="replace output files that exist")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    default = next((method for year, method in args.method if year is None), Method.FIFO)
    by_year = {year: method for year, method in args.method if year is not None}
    return Settings(method=default, method_by_year=by_year, pooling=Pooling(args.pooling), time_zone=args.tz,
                    transfer_fee=TransferFee(args.transfer_fee), allow_shortfall=args.allow_shortfall)


def tax_settings_from(args: argparse.Namespace, year: int) -> TaxSettings:
    for value, name in ((args.carryover_short, "--carryover-short"), (args.carryover_long, "--carryover-long")):
        if value < 0:
            raise ValueError(f"{name} is a loss carried forward: write it as a positive amount")
    missing_year = [amount for entry_year, amount in args.taxable_income if entry_year is None]
    if missing_year:
        raise ValueError("--taxable-income needs its year: write e.g. 2024=-2000")
    return TaxSettings(
        filing_status=args.filing_status,
        carryover_in=Carryover(args.carryover_short, args.carryover_long),
        other_income={entry_year or year: amount for entry_year, amount in args.other_income},
        taxable_income={entry_year: amount for entry_year, amount in args.taxable_income if entry_year},
        reporting_by_wallet=dict(args.reported),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "new":
        return _new(args.path, args.with_sample)
    try:
        settings = settings_from(args)
        settings.zone()
    except ValueError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if args.file.suffix.lower() in (".xlsx", ".xlsm"):
        print("cryptotax: reading workbooks is not available yet: save the Transactions sheet as CSV UTF-8 "
              "and report on that file", file=sys.stderr)
        return EXIT_INPUT
    try:
        table = load_csv(args.file, settings)
        result = compute(table.transactions, settings, table.warnings)
        year = args.year or latest_year_with_disposals(result) or _last_year(table)
        lots = compute(table.transactions, settings, until=date(year, 12, 31)).lots
    except InputError as exc:
        print(f"cryptotax: {args.file} cannot be computed; fix these and run again:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_INPUT
    try:
        tax_settings = tax_settings_from(args, year)
        years = tax_years(result, tax_settings)
        report = Report(args.file.name, result, lots, settings, tax_settings, years, year)
        if args.form8949:
            write_atomically(args.form8949, form8949_csv(report).encode("utf-8"), force=args.force)
    except (ValueError, OutputExists) as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(render_json(report) if args.format == "json" else render_table(report))
    return 0


def _new(path: Path, with_sample: bool) -> int:
    try:
        new_workbook(path, with_sample=with_sample)
    except (OSError, ValueError) as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"created {path}{' with the sample history' if with_sample else ''}: open it in Excel, or run "
          f"'cryptotax report' on a CSV of its Transactions sheet")
    return 0


def _last_year(table: Table) -> int:
    return max((tx.when.year for tx in table.transactions), default=date.today().year)


if __name__ == "__main__":
    sys.exit(main())
