"""The `cryptotax` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from cryptotax_cli.report import render_json, render_table
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
from cryptotax_core.settings import DEFAULT_TIME_ZONE

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
    report.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    default = next((method for year, method in args.method if year is None), Method.FIFO)
    by_year = {year: method for year, method in args.method if year is not None}
    return Settings(method=default, method_by_year=by_year, pooling=Pooling(args.pooling), time_zone=args.tz,
                    transfer_fee=TransferFee(args.transfer_fee), allow_shortfall=args.allow_shortfall)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    render = render_json if args.format == "json" else render_table
    print(render(result, lots, settings, year, args.file.name))
    return 0


def _last_year(table: Table) -> int:
    return max((tx.when.year for tx in table.transactions), default=date.today().year)


if __name__ == "__main__":
    sys.exit(main())
