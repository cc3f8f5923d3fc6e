"""`cryptotax import SOURCE [--format F] [-o OUT.csv|OUT.xlsx] [--wallet NAME] [--force]`: exchange exports into
transaction-table rows (the mapping is `cryptotax_core`'s importers; this is the file handling).

- SOURCE is a CSV export, a workbook (`.xlsx`: Gemini's, read from its cells with openpyxl; a cryptotax
  workbook's Transactions sheet), or a folder: every `.csv` and `.xlsx` file in it (not in sub-folders,
  not hidden, not the output file), each with its own format detected, in name order, as one import
  with one report. A row whose ID an earlier file gave is the same transaction (Kraken's trades.csv and
  ledgers.csv name a trade alike): kept once, with a warning.
- Without `-o`: the rows go to stdout as CSV (the table's column order), the report to stderr.
- `-o OUT.csv`: a new file gets the header and the rows. An existing file must be a cryptotax table: its
  bytes are kept exactly and only rows whose ID it lacks are appended, in its own column order, then the
  file is replaced atomically. Importing the same export twice adds nothing and leaves the file as it was.
- `-o taxes.xlsx` / `.xlsm`: the workbook is only read (for the IDs already in its Transactions sheet) and
  never written: openpyxl cannot keep its dynamic arrays, table, validations and macros through a save.
  The new rows go to `taxes-import.csv` next to it, in the workbook's column order, to paste below the table.
Nothing is written when any file has an error; every error is listed with its file, line and column.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cryptotax_cli.errors import EXIT_INPUT
from cryptotax_cli.import_targets import beside_workbook, import_file_of, into_table, print_rows
from cryptotax_cli.progress import Progress
from cryptotax_core import IMPORT_FORMATS, Imported, InputError, Issue, UserError, import_bytes, import_rows

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SOURCE_SUFFIXES = (".csv", ".xlsx")  # what a folder's files are read as; others are listed as left out


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `import` subcommand."""
    command = commands.add_parser(
        "import", help="turn exchange exports (a file, or a folder of them) into transaction-table rows",
        description="Read exchange exports and write transaction-table rows: Coinbase (transaction history, also "
                    "the older US report; Advanced Trade fills), Kraken (ledgers, trades), Gemini (CSV or its "
                    ".xlsx), Binance.US, Crypto.com App, Robinhood crypto, or a CSV already in the "
                    "transaction-table layout (generic). SOURCE may be a folder: each of its .csv and .xlsx files is "
                    "read with its own format, into one set of rows and one report. Lines that cannot be mapped "
                    "without you (a withdrawal to an outside address, a reward without a USD value...) are listed "
                    "with what to enter by hand. Importing the same export again adds nothing.",
        epilog="Examples: cryptotax import coinbase.csv -o history.csv | cryptotax import exports/ -o history.csv | "
               "cryptotax import ledgers.csv --format kraken --wallet 'Kraken main' -o history.csv | cryptotax import "
               "gemini.xlsx -o taxes.xlsx (writes taxes-import.csv to paste below the Transactions table; the "
               "workbook is never written)")
    command.add_argument("source", type=Path, metavar="SOURCE",
                         help="an exchange's export (CSV, or a workbook .xlsx), or a folder of exports")
    command.add_argument("--format", choices=list(IMPORT_FORMATS), default=None,
                         help="the layout of SOURCE (default: detected from each file's header; not with a folder)")
    command.add_argument("-o", "--output", type=Path, default=None, metavar="OUT",
                         help="OUT.csv: create it, or append the rows whose ID it lacks; OUT.xlsx/.xlsm: write "
                              "the rows the workbook lacks to OUT-import.csv next to it (the workbook is only "
                              "read). Default: print the rows as CSV")
    command.add_argument("--wallet", default=None, metavar="NAME",
                         help="the Wallet of the rows (default: the exchange's name, e.g. Coinbase); with a folder, "
                              "of every file's rows")
    command.add_argument("--force", action="store_true",
                         help="with a workbook OUT: replace an existing OUT-import.csv")


@dataclass(frozen=True, slots=True)
class _Read:
    """One file read: its rows, and what it gave."""

    path: Path
    imported: Imported


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run `cryptotax import`; returns the exit code (2 when nothing could be written)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    source: Path = args.source
    output: Path | None = args.output
    try:
        paths, left_out = _sources(source, output)
    except OSError as exc:
        print(f"cryptotax: cannot read {source}: {exc.strerror or exc}", file=stderr)
        return EXIT_INPUT
    if source.is_dir() and args.format:
        print(f"cryptotax: --format names one layout, but {source} is a folder: leave --format out (each file's "
              f"format is detected)", file=stderr)
        return EXIT_INPUT
    if not paths:
        print(f"cryptotax: {source} has no .csv or .xlsx file to import", file=stderr)
        return EXIT_INPUT
    read, failed = _read_all(paths, args, stderr)
    if failed:
        if len(paths) == 1:
            print(f"cryptotax: {paths[0].name} was not imported and nothing was written; fix the file (or choose "
                  f"--format) and run again", file=stderr)
        else:
            print(f"cryptotax: nothing from {source} was imported and nothing was written; fix the files above and "
                  f"run again", file=stderr)
        return EXIT_INPUT
    rows, duplicates = _merged(read)
    unmapped = sum(len(item.imported.unmapped) for item in read)
    try:
        if output is None:
            print_rows(rows, stdout)
            summary = [f"{len(rows)} rows, {unmapped} not mapped"]
        elif output.suffix.lower() in WORKBOOK_SUFFIXES:
            summary = beside_workbook(output, rows, unmapped, force=args.force)
        else:
            summary = into_table(output, rows, unmapped)
    except InputError as exc:  # the workbook cannot be read
        for issue in exc.issues:
            print(f"cryptotax: {issue.message}", file=stderr)
        return EXIT_INPUT
    except UserError as exc:  # TargetError, OutputExists, or the file cannot be written
        print(f"cryptotax: {exc}; nothing was written", file=stderr)
        return EXIT_INPUT
    except OSError as exc:  # a folder that does not exist, no permission...
        print(f"cryptotax: cannot write {output}: {exc.strerror or exc}; nothing was written", file=stderr)
        return EXIT_INPUT
    _report(read, summary, duplicates, left_out, stderr if output is None else stdout)
    return 0


def _sources(source: Path, output: Path | None) -> tuple[list[Path], list[Path]]:
    """The files to read (one, or a folder's exports in name order) and the folder's files left out."""
    if not source.is_dir():
        source.stat()  # a missing file is reported before anything else
        return [source], []
    skip = set()
    if output is not None:
        skip = {output.resolve(), import_file_of(output).resolve()}
    files = sorted((path for path in source.iterdir() if path.is_file() and not path.name.startswith(".")),
                   key=lambda path: path.name)
    chosen = [path for path in files if path.suffix.lower() in SOURCE_SUFFIXES and path.resolve() not in skip]
    return chosen, [path for path in files if path not in chosen]


def _read_all(paths: list[Path], args: argparse.Namespace, stderr: TextIO) -> tuple[list[_Read], bool]:
    """Every file imported; every problem of every file printed (file, line, column)."""
    read: list[_Read] = []
    failed = False
    contents: list[tuple[Path, bytes]] = []
    for path in paths:
        try:
            contents.append((path, path.read_bytes()))
        except OSError as exc:
            print(f"cryptotax: cannot read {path}: {exc.strerror or exc}", file=stderr)
            failed = True
    total = sum(data.count(b"\n") + 1 for _, data in contents)
    with Progress("importing", total, stderr) as bar:
        for path, data in contents:
            try:
                if path.suffix.lower() in WORKBOOK_SUFFIXES:
                    from cryptotax_cli.workbook import read_sheet  # openpyxl loads only for a workbook

                    sheet = read_sheet(path)
                    imported = import_rows(sheet.rows, args.format, wallet=args.wallet, advance=bar.advance)
                else:
                    imported = import_bytes(data, args.format, wallet=args.wallet, advance=bar.advance)
            except InputError as exc:
                for issue in exc.issues:
                    print(f"cryptotax: {_where(path, issue)}: {issue.message}", file=stderr)
                failed = True
                continue
            read.append(_Read(path, imported))
    return read, failed


def _merged(read: list[_Read]) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of all files in order; a row whose ID an earlier file gave is left out, with a warning."""
    rows: list[dict[str, str]] = []
    first: dict[str, tuple[Path, int]] = {}
    duplicates: list[str] = []
    for item in read:
        for line, row in zip(item.imported.lines, item.imported.rows, strict=True):
            seen = first.get(row["ID"])
            if seen is not None and seen[0] != item.path:
                duplicates.append(f"{item.path.name} line {line} is the same transaction as {seen[0].name} line "
                                  f"{seen[1]} (ID {row['ID']}): imported once")
                continue
            first.setdefault(row["ID"], (item.path, line))
            rows.append(row)
    return rows, duplicates


def _where(path: Path, issue: Issue) -> str:
    where = f"{path.name} line {issue.row}" if issue.row else path.name
    return f"{where}, column {issue.column}" if issue.column else where


def _report(read: list[_Read], summary: list[str], duplicates: list[str], left_out: list[Path],
            stream: TextIO) -> None:
    """The counts first ("N rows added, M already present, K not mapped (see below)"), then each file's format,
    what the user must enter by hand, the lines skipped as not taxable, and warnings."""
    unmapped = [(item.path, issue) for item in read for issue in item.imported.unmapped]
    lines = [summary[0] + (" (see below)" if unmapped else ""), *summary[1:]]
    for item in read:
        counts = (f": {len(item.imported.rows)} rows, {len(item.imported.unmapped)} not mapped"
                  if len(read) > 1 else "")
        lines.append(f"{item.path.name} read as {item.imported.format}{counts}")
    lines += [f"{path.name} left out: not a .csv or .xlsx file" for path in left_out]
    if unmapped:
        lines.append("Not mapped: enter these by hand (or decide what they are):")
        lines += [f"  {_where(path, issue)}: {issue.message}" for path, issue in unmapped]
    for item in read:
        if item.imported.skipped:
            where = f" in {item.path.name}" if len(read) > 1 else ""
            lines.append(f"Skipped{where} (not taxable, nothing to enter): " + "; ".join(
                f"{reason}: {count}" for reason, count in item.imported.skipped.items()))
    lines += [f"Warning: {_where(item.path, issue)}: {issue.message}" for item in read
              for issue in item.imported.warnings]
    lines += [f"Warning: {text}" for text in duplicates]
    stream.write("\n".join(lines) + "\n")
