"""The command's options: how each is read, which commands share them, and the settings they give."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from cryptotax_cli import package_version
from cryptotax_cli.demo import DEMO_FOLDER
from cryptotax_cli.errors import OptionError
from cryptotax_cli.importing import add_parser as add_import_parser
from cryptotax_cli.planning import add_planning_commands
from cryptotax_cli.reconciling import add_parser as add_reconcile_parser
from cryptotax_core import (
    DEFAULT_TIME_ZONE,
    REPORTING_WORDS,
    Carryover,
    CellError,
    FilingStatus,
    Method,
    Options,
    Pooling,
    Reporting,
    Settings,
    TaxSettings,
    TransferFee,
    UserError,
    to_decimal,
)

NOT_TAX_ADVICE = ("cryptotax is not tax advice: it computes what the rules in docs/rules.md give for the data you "
                  "enter. Check the results and ask a tax professional about your situation.")
T = TypeVar("T")


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
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _wallet_reporting(text: str) -> tuple[str, Reporting]:
    wallet, _, word = text.rpartition("=")
    reporting = REPORTING_WORDS.get(word.strip().lower())
    if not wallet.strip() or reporting is None:
        raise argparse.ArgumentTypeError(f"'{text}': write WALLET=none, WALLET=proceeds or WALLET=basis")
    return wallet.strip(), reporting


def add_settings_options(parser: argparse.ArgumentParser,
                         year_help: str = "tax year to detail (default: the latest year with disposals)") -> None:
    """The options that decide what is computed and the tax situation (shared by report, the planning commands
    and reconcile, which say with `year_help` what --year means for them)."""
    parser.add_argument("--year", type=int, help=year_help)
    add_computation_options(parser)
    add_tax_options(parser)


def add_computation_options(parser: argparse.ArgumentParser) -> None:
    """The options that decide how the table is computed, and so what `check` finds."""
    parser.add_argument("--method", type=_method_option, action="append", default=[], metavar="[YEAR=]METHOD",
                        help="lot relief: FIFO (default), LIFO, HIFO, LOFO or SPECIFIC; repeat as 2024=HIFO "
                             "to choose per year")
    parser.add_argument("--pooling", choices=[p.value for p in Pooling], default=None,
                        help="wallet (default): lots per wallet; universal: one pool per asset for years "
                             "before 2025, allocated to wallets on 2025-01-01")
    parser.add_argument("--tz", default=None, metavar="ZONE",
                        help=f"IANA time zone for timestamps with an offset (default {DEFAULT_TIME_ZONE}), "
                             "e.g. America/New_York")
    parser.add_argument("--transfer-fee", choices=[f.value for f in TransferFee], default=None,
                        help="units lost to a transfer's network fee: dispose (default) or add to basis")
    parser.add_argument("--allow-shortfall", action="store_const", const=True, default=None,
                        help="treat units sold beyond those held as a zero-basis lot (a warning) "
                             "instead of an error")


def add_tax_options(parser: argparse.ArgumentParser) -> None:
    """The user's tax situation: netting, the tax estimate and the Form 8949 boxes (not what `check` finds)."""
    tax = parser.add_argument_group("tax situation (Schedule D netting, tax estimate, Form 8949)")
    tax.add_argument("--filing-status", type=_filing_status, default=None, metavar="STATUS",
                     help="single (default), mfj, mfs or hoh: sets the loss limit and the brackets")
    tax.add_argument("--carryover-short", type=_amount, default=None, metavar="USD",
                     help="short-term capital loss carried into the first year of the data (a positive amount)")
    tax.add_argument("--carryover-long", type=_amount, default=None, metavar="USD",
                     help="long-term capital loss carried into the first year of the data (a positive amount)")
    tax.add_argument("--other-income", type=_year_amount, action="append", default=[], metavar="[YEAR=]USD",
                     help="taxable income other than capital gains (after the deduction; may be negative), for "
                          "the tax estimate of the chosen year (or of YEAR); repeat for more years. The table's "
                          "income events of the year (staking, mining, ...) are added to it")
    tax.add_argument("--other-income-includes-table", action=argparse.BooleanOptionalAction, default=None,
                     help="the --other-income figures already include the table's income events, so they are not "
                          "added again (default: they do not)")
    tax.add_argument("--itemized-deduction", type=_year_amount, action="append", default=[], metavar="[YEAR=]USD",
                     help="your itemized deductions of the chosen year (or of YEAR), used instead of the standard "
                          "deduction for modified AGI (NIIT); the AMT then adds back nothing (the estimate says "
                          "so); repeat for more years")
    tax.add_argument("--taxable-income", type=_year_amount, action="append", default=[], metavar="YEAR=USD",
                     help="Form 1040 line 15 of YEAR (may be negative), for the capital loss carryover worksheet")
    tax.add_argument("--reported", type=_wallet_reporting, action="append", default=[], metavar="WALLET=WHAT",
                     help="what the broker of WALLET reports on a 1099-B/1099-DA: none (default), proceeds or "
                          "basis; a row's Broker Reported column wins")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cryptotax", description="US capital gains for crypto and stock "
                                                                    "from a transaction table.",
                                     epilog=NOT_TAX_ADVICE)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="compute a transaction table and print the summary",
        description="Read a transaction table (a CSV file or a cryptotax workbook) and print a per-year summary "
                    "and one year in detail; optionally write the year's Form 8949 rows (CSV) and a report "
                    "workbook (.xlsx).", epilog=NOT_TAX_ADVICE)
    report.add_argument("file", type=Path, help="the transaction table: a CSV file, or a cryptotax workbook "
                        "(.xlsx/.xlsm: its Transactions sheet and Settings range)")
    add_settings_options(report)
    output = report.add_argument_group("output")
    output.add_argument("--format", choices=["table", "json"], default="table", help="what to print")
    output.add_argument("--form8949", type=Path, metavar="OUT.csv",
                        help="also write the chosen year's Form 8949 rows (one per lot of each sale, with box) as a "
                             "CSV file (.csv; for a workbook with a Form 8949 sheet use --workbook)")
    output.add_argument("--workbook", type=Path, metavar="OUT.xlsx",
                        help="also write the chosen year as a workbook of values: Summary with a chart, Form 8949, "
                             "Schedule D, Lots, Income, Warnings")
    output.add_argument("--force", action="store_true", help="replace output files that exist")
    new = commands.add_parser(
        "new", help="create a workbook from the template",
        description="Create a new cryptotax workbook (Transactions, Settings, Summary, Lots, Form 8949). "
                    "Never replaces an existing file.")
    new.add_argument("path", type=Path, help="the workbook to create, e.g. taxes.xlsx")
    new.add_argument("--with-sample", action="store_true", help="fill Transactions with the sample history")
    check = commands.add_parser(
        "check", help="validate a transaction table and list every problem",
        description="Read and compute a transaction table as report does, then list every problem "
                    "(row N, column C: message) and the warnings. Exit code 2 when there are errors. Its options "
                    "are those that change what is computed; the tax situation (report's tax options) cannot "
                    "make a table wrong.")
    check.add_argument("file", type=Path, help="the transaction table: a CSV file or a cryptotax workbook")
    add_computation_options(check)
    add_import_parser(commands)
    demo = commands.add_parser(
        "demo", help="run the whole job on the bundled sample history",
        description="Compute the bundled sample history and write into a folder the sample workbook, the report "
                    "workbook, the Form 8949 CSV and the JSON report of the latest year; print the summary.")
    demo.add_argument("--out", type=Path, default=Path(DEMO_FOLDER), metavar="FOLDER",
                      help=f"the folder to write into (default: {DEMO_FOLDER}, created if missing)")
    demo.add_argument("--force", action="store_true", help="replace files of an earlier demo")
    add_planning_commands(commands, add_settings_options)
    add_reconcile_parser(commands, add_settings_options)
    return parser


def _given(value: T | None, fallback: T) -> T:
    return fallback if value is None else value


def settings_from(args: argparse.Namespace, base: Options) -> Settings:
    """The computation settings: each option given on the command line, else the workbook's Settings
    (`base`), else the default."""
    default = next((method for year, method in args.method if year is None), base.settings.method)
    by_year = dict(base.settings.method_by_year) | {year: method for year, method in args.method if year is not None}
    return Settings(method=default, method_by_year=by_year,
                    pooling=Pooling(_given(args.pooling, base.settings.pooling.value)),
                    time_zone=_given(args.tz, base.settings.time_zone),
                    transfer_fee=TransferFee(_given(args.transfer_fee, base.settings.transfer_fee.value)),
                    allow_shortfall=_given(args.allow_shortfall, base.settings.allow_shortfall))


def tax_settings_from(args: argparse.Namespace, year: int, base: Options) -> TaxSettings:
    for value, name in ((args.carryover_short, "--carryover-short"), (args.carryover_long, "--carryover-long")):
        if value is not None and value < 0:
            raise OptionError(f"{name} is a loss carried forward: write it as a positive amount")
    missing_year = [amount for entry_year, amount in args.taxable_income if entry_year is None]
    if missing_year:
        raise OptionError("--taxable-income needs its year: write e.g. 2024=-2000")
    if any(amount <= 0 for _, amount in args.itemized_deduction):
        raise OptionError("--itemized-deduction is the positive total of your itemized deductions: leave it out "
                         "for the standard deduction")
    tax = base.tax
    return TaxSettings(
        filing_status=_given(args.filing_status, tax.filing_status),
        carryover_in=Carryover(_given(args.carryover_short, tax.carryover_in.short_term),
                               _given(args.carryover_long, tax.carryover_in.long_term)),
        other_income=dict(tax.other_income) | {entry_year or year: amount for entry_year, amount in args.other_income},
        other_income_includes_table=_given(args.other_income_includes_table, tax.other_income_includes_table),
        itemized_deduction=dict(tax.itemized_deduction) | {entry_year or year: amount
                                                           for entry_year, amount in args.itemized_deduction},
        taxable_income=dict(tax.taxable_income) | {entry_year: amount for entry_year, amount in args.taxable_income
                                                   if entry_year},
        reporting_by_wallet=dict(tax.reporting_by_wallet) | dict(args.reported),
    )
