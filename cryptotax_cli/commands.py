"""The commands: each reads its table, calls the core and prints or writes the answer. A problem the user
can fix is a `UserError`, explained here or by main's boundary (cryptotax_cli/main.py)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from cryptotax_cli.arguments import build_parser, settings_from, tax_settings_from
from cryptotax_cli.check import checked_text, failed
from cryptotax_cli.demo import demo_year, write_all, write_demo
from cryptotax_cli.errors import EXIT_INPUT, OptionError
from cryptotax_cli.importing import run as run_import
from cryptotax_cli.new import new_workbook
from cryptotax_cli.planning import PLANNING_COMMANDS, run_planning
from cryptotax_cli.progress import tracked
from cryptotax_cli.reconciling import COMMAND as RECONCILE
from cryptotax_cli.reconciling import run as run_reconcile
from cryptotax_cli.report import Report, form8949_csv, no_data, render_table, write_json, written
from cryptotax_core import (
    SAMPLE_HISTORY,
    FormError,
    InputError,
    Issue,
    Lot,
    Options,
    Settings,
    SettingsError,
    Table,
    UserError,
    check_table,
    compute,
    latest_year_with_disposals,
    load_csv,
    options_from_pairs,
    parse_table,
    read_csv,
    tax_years,
)


def load(path: Path, args: argparse.Namespace, *, keep_errors: bool = False) -> tuple[Table, Options, Settings]:
    """The validated table, the workbook's Settings (or defaults for a CSV) and the settings to use;
    with `keep_errors` the rows with errors are left out and listed in `Table.errors`."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from cryptotax_cli.workbook import read_workbook  # openpyxl loads only for a workbook

        workbook = read_workbook(path)
        try:
            base = options_from_pairs(workbook.settings)
        except SettingsError as exc:
            raise InputError([Issue(0, "", f"{path.name}: {exc}")]) from None
        settings = settings_from(args, base)
        rows = tracked(workbook.rows, "reading rows", len(workbook.rows))
        table = parse_table(workbook.header, rows, zone=settings.zone(), first_row=workbook.first_row,
                            keep_errors=keep_errors)
        return table, base, settings
    base = Options()
    settings = settings_from(args, base)
    header, lines = read_csv(path)
    table = parse_table(header, tracked(lines, "reading rows", len(lines)), zone=settings.zone(),
                        keep_errors=keep_errors)
    return table, base, settings



def run_command(args: argparse.Namespace) -> int:
    """Run the command `args` names; its exit code."""
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
    # a year given: the lots at its end first, only they kept, so that two whole results are never held at once
    try:
        lots = _lots_at_end(table, settings, args.year or base.tax_year)
    except InputError:  # the whole history's problems are the ones to tell: computed next
        lots = None
    result = compute(table.transactions, settings, table.warnings)
    year = args.year or base.tax_year or latest_year_with_disposals(result) or _last_year(table)
    if lots is None:
        lots = _lots_at_end(table, settings, year)
    if lots is None:  # nothing after the year: the lots at its end are the lots at the end of the history
        lots = result.lots
    tax_settings = tax_settings_from(args, year, base)
    years = tax_years(result, tax_settings)
    covered = {tx.when.year for tx in table.transactions}  # none: the report says the table has no transactions
    if covered and not min(covered) <= year <= max(covered):
        raise OptionError(no_data(year, covered, "--year" if args.year else "Tax year (the workbook's Settings)"))
    return table, Report(args.file.name, result, lots, settings, tax_settings, years, year)


def _year_only(report: Report) -> Report:
    """The report with only its year's disposals and income events, which are all its outputs detail (the other
    years show their totals): the others are freed before the outputs are made (1,000,000 rows: some hundreds
    of MB)."""
    result, year = report.result, report.year
    year_only = replace(result, disposals=tuple(d for d in result.disposals if d.tax_year == year),
                        income=tuple(event for event in result.income if event.received.year == year))
    years = {number: tax_year if number == year else replace(tax_year, disposals=(), _made={})
             for number, tax_year in report.years.items()}
    return replace(report, result=year_only, years=years)


def _lots_at_end(table: Table, settings: Settings, year: int | None) -> tuple[Lot, ...] | None:
    """The lots open at the end of `year` where a row comes after it (None otherwise, or without a year)."""
    if year is None or not any(tx.when >= datetime(year + 1, 1, 1) for tx in table.transactions):
        return None
    return compute(table.transactions, settings, until=date(year, 12, 31)).lots


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
        report = _year_only(compute_report(args)[1])  # the table is not kept: freed before the outputs are made
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
        if args.format == "json":
            write_json(report, sys.stdout)
            print()
        else:
            print(render_table(report))
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
    """Every problem in one pass: the rows' own errors and the engine's on the other rows."""
    try:
        table, _, settings = load(args.file, args, keep_errors=True)
        checked = check_table(table, settings)
    except InputError as exc:  # the file or its header cannot be read
        print(failed(args.file, exc.issues))
        return EXIT_INPUT
    except UserError as exc:
        return explain(args.file, exc)
    print(checked_text(args.file, checked))
    return 0 if checked.ok else EXIT_INPUT


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
