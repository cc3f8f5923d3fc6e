"""The `cryptotax` command line."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from cryptotax_cli import package_version
from cryptotax_cli.check import failed, passed
from cryptotax_cli.demo import DEMO_FOLDER, demo_year, write_all, write_demo
from cryptotax_cli.errors import EXIT_INPUT, OptionError, internal_error
from cryptotax_cli.importing import add_parser as add_import_parser
from cryptotax_cli.importing import run as run_import
from cryptotax_cli.new import new_workbook
from cryptotax_cli.planning import PLANNING_COMMANDS, add_planning_commands, run_planning
from cryptotax_cli.progress import tracked
from cryptotax_cli.reconciling import COMMAND as RECONCILE
from cryptotax_cli.reconciling import add_parser as add_reconcile_parser
from cryptotax_cli.reconciling import run as run_reconcile
from cryptotax_cli.report import Report, form8949_csv, no_data, render_json, render_table, written
from cryptotax_core import (
    DEFAULT_TIME_ZONE,
    REPORTING_WORDS,
    SAMPLE_HISTORY,
    Carryover,
    CellError,
    FilingStatus,
    FormError,
    InputError,
    Issue,
    Method,
    Options,
    Pooling,
    Reporting,
    Settings,
    SettingsError,
    Table,
    TaxSettings,
    TransferFee,
    UserError,
    compute,
    latest_year_with_disposals,
    load_csv,
    options_from_pairs,
    parse_table,
    read_csv,
    tax_years,
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


def load(path: Path, args: argparse.Namespace) -> tuple[Table, Options, Settings]:
    """The validated table, the workbook's Settings (or defaults for a CSV) and the settings to use."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from cryptotax_cli.workbook import read_workbook  # openpyxl loads only for a workbook

        workbook = read_workbook(path)
        try:
            base = options_from_pairs(workbook.settings)
        except SettingsError as exc:
            raise InputError([Issue(0, "", f"{path.name}: {exc}")]) from None
        settings = settings_from(args, base)
        rows = tracked(workbook.rows, "reading rows", len(workbook.rows))
        table = parse_table(workbook.header, rows, zone=settings.zone(), first_row=workbook.first_row)
        return table, base, settings
    base = Options()
    settings = settings_from(args, base)
    header, lines = read_csv(path)
    return parse_table(header, tracked(lines, "reading rows", len(lines)), zone=settings.zone()), base, settings


def run() -> int:
    """The `cryptotax` command: `main` with Python's cyclic garbage collector off. A run is short and
    makes millions of small records that form no cycles; reference counting frees them all, and the
    collector's passes over them would only cost time (a fifth of a 100,000-row report)."""
    gc.disable()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. The error boundary: a `UserError` a command did not explain itself is
    printed as its message (exit code 2); any other exception is an internal error (cryptotax_cli.errors)."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        return internal_error(args.command)


def _run(args: argparse.Namespace) -> int:
    if args.command == "new":
        return _new(args.path, args.with_sample)
    if args.command == "demo":
        return _demo(args.out, args.force)
    if args.command == "import":
        return run_import(args)
    if args.command == "check":
        return _check(args)
    if args.command in PLANNING_COMMANDS:
        return _planning(args)
    if args.command == RECONCILE:
        return _reconcile(args)
    return _report(args)


def compute_report(args: argparse.Namespace) -> tuple[Table, Report]:
    """Read, validate and compute `args.file` with the settings options in `args` (see add_settings_options):
    the table and the report of the chosen year. Raises `InputError` (the table) or another `UserError` (a
    setting or option)."""
    table, base, settings = load(args.file, args)
    result = compute(table.transactions, settings, table.warnings)
    year = args.year or base.tax_year or latest_year_with_disposals(result) or _last_year(table)
    year_end = date(year, 12, 31)
    next_year = datetime(year + 1, 1, 1)
    if any(tx.when >= next_year for tx in table.transactions):  # a row after the year
        lots = compute(table.transactions, settings, until=year_end).lots
    else:  # nothing after the year: the lots at its end are the lots at the end of the history
        lots = result.lots
    tax_settings = tax_settings_from(args, year, base)
    years = tax_years(result, tax_settings)
    covered = {tx.when.year for tx in table.transactions}  # none: the report says the table has no transactions
    if covered and not min(covered) <= year <= max(covered):
        raise OptionError(no_data(year, covered, "--year" if args.year else "Tax year (the workbook's Settings)"))
    return table, Report(args.file.name, result, lots, settings, tax_settings, years, year)


def explain(path: Path, error: UserError) -> int:
    """Print why `path` cannot be computed (every problem of the table, or the setting) and return exit code 2."""
    if isinstance(error, InputError):
        print(f"cryptotax: {path} cannot be computed; fix these and run again:", file=sys.stderr)
        for issue in error.issues:
            print(f"  {issue}", file=sys.stderr)
    else:  # a setting, e.g. an unknown time zone
        print(f"cryptotax: {error}", file=sys.stderr)
    return EXIT_INPUT


def _report(args: argparse.Namespace) -> int:
    try:
        _, report = compute_report(args)
    except UserError as exc:
        return explain(args.file, exc)
    try:
        outputs: list[tuple[Path, bytes]] = []
        if args.form8949:
            if args.form8949.suffix.lower() != ".csv":
                raise OptionError(f"{args.form8949}: the Form 8949 rows are written as CSV: name the file .csv, e.g. "
                                 f"form8949-{report.year}.csv (a workbook with a Form 8949 sheet: --workbook "
                                 f"report-{report.year}.xlsx)")
            outputs.append((args.form8949, form8949_csv(report).encode("utf-8")))
        if args.workbook:
            if args.workbook.suffix.lower() != ".xlsx":
                raise OptionError(f"{args.workbook}: the report workbook must be a .xlsx file")
            from cryptotax_cli.report_workbook import report_workbook  # XlsxWriter loads only when asked

            outputs.append((args.workbook, report_workbook(report)))
        write_all(outputs, force=args.force, keep=(args.file,))
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        print(render_json(report) if args.format == "json" else render_table(report))
        if outputs:  # after the table; beside JSON on stderr, so stdout stays one JSON document
            print("", *written(report, [path for path, _ in outputs]), sep="\n",
                  file=sys.stderr if args.format == "json" else sys.stdout)
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`): not an error of the report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _demo(folder: Path, force: bool) -> int:
    sample = compute(load_csv(SAMPLE_HISTORY).transactions)
    year, why = demo_year(sample)
    args = build_parser().parse_args(["report", str(SAMPLE_HISTORY), "--year", str(year)])  # report's defaults
    try:
        _, report = compute_report(args)
    except UserError as exc:  # pragma: no cover - the bundled sample is valid
        return explain(args.file, exc)
    try:
        paths = write_demo(folder, report, force=force)
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"cryptotax demo: the bundled sample history, tax year {year} in detail:", f"  {why}", "", sep="\n")
    print(render_table(report))
    print("", f"Files written to {folder}:", *(f"  {path}" for path in paths), sep="\n")
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        table, _, settings = load(args.file, args)
        result = compute(table.transactions, settings, table.warnings)
    except InputError as exc:
        print(failed(args.file, exc.issues))
        return EXIT_INPUT
    except UserError as exc:
        return explain(args.file, exc)
    print(passed(len(table.transactions), result.warnings))
    return 0


def _planning(args: argparse.Namespace) -> int:
    """harvest, compare, whatif: the table loaded as report loads it, then cryptotax_cli/planning.py."""
    try:
        table, base, settings = load(args.file, args)
        text = run_planning(args, table, base, settings, lambda year: tax_settings_from(args, year, base))
    except UserError as exc:
        return explain(args.file, exc)
    try:
        print(text)
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    """reconcile: the table loaded and computed as report does, then cryptotax_cli/reconciling.py."""
    try:
        table, _, settings = load(args.file, args)
        result = compute(table.transactions, settings, table.warnings)
    except UserError as exc:
        return explain(args.file, exc)
    try:
        text = run_reconcile(args, result, args.file.name)
    except FormError as exc:
        for issue in exc.issues:
            where = f"{exc.name} line {issue.row}" if issue.row else exc.name
            print(f"cryptotax: {where}{', column ' + issue.column if issue.column else ''}: {issue.message}",
                  file=sys.stderr)
        return EXIT_INPUT
    except UserError as exc:  # ReconcileError, or the form cannot be read
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        print(text)
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _new(path: Path, with_sample: bool) -> int:
    try:
        new_workbook(path, with_sample=with_sample)
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"created {path}{' with the sample history' if with_sample else ''}: open it in Excel, or run "
          f"'cryptotax report {path}'")
    return 0


def _last_year(table: Table) -> int:
    return max((tx.when.year for tx in table.transactions), default=date.today().year)


if __name__ == "__main__":
    sys.exit(run())
