"""`cryptotax import SOURCE.csv [--format F] [-o OUT.csv|OUT.xlsx] [--wallet NAME] [--force]`: an exchange's
export into transaction-table rows (the mapping is `cryptotax_core.imports`; this is the file handling).

- Without `-o`: the rows go to stdout as CSV (the table's column order), the report to stderr.
- `-o OUT.csv`: a new file gets the header and the rows. An existing file must be a cryptotax table: its
  bytes are kept exactly and only rows whose ID it lacks are appended, in its own column order, then the
  file is replaced atomically. Importing the same export twice adds nothing and leaves the file as it was.
- `-o taxes.xlsx` / `.xlsm`: the workbook is only read (for the IDs already in its Transactions sheet) and
  never written: openpyxl cannot keep its dynamic arrays, table, validations and macros through a save.
  The new rows go to `taxes-import.csv` next to it, in the workbook's column order, to paste below the table.
Nothing is written when the export has an error; every error is listed with its line and column.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cryptotax_cli.files import OutputExists, write_atomically
from cryptotax_cli.progress import Progress
from cryptotax_core import COLUMNS, InputError, Issue
from cryptotax_core.imports import FORMATS, Imported, import_bytes
from cryptotax_core.table import REQUIRED, match_header
from cryptotax_core.values import to_text

EXIT_INPUT = 2
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class TargetError(ValueError):
    """The output file cannot take the rows (not a cryptotax table, a missing column, exists...)."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `import` subcommand."""
    command = commands.add_parser(
        "import", help="turn an exchange's CSV export into transaction-table rows",
        description="Read a Coinbase, Kraken (ledgers), Gemini or Binance.US export, or a CSV already in the "
                    "transaction-table layout (generic), and write transaction-table rows. Lines that cannot "
                    "be mapped without you (a withdrawal to an outside address, a reward without a USD value...) "
                    "are listed with what to enter by hand. Importing the same export again adds nothing.",
        epilog="Examples: cryptotax import coinbase.csv -o history.csv | cryptotax import ledgers.csv "
               "--format kraken --wallet 'Kraken main' -o history.csv | cryptotax import gemini.csv -o taxes.xlsx "
               "(writes taxes-import.csv to paste below the Transactions table; the workbook is never written)")
    command.add_argument("source", type=Path, metavar="SOURCE.csv", help="the exchange's CSV export")
    command.add_argument("--format", choices=list(FORMATS), default=None,
                         help="the layout of SOURCE (default: detected from its header)")
    command.add_argument("-o", "--output", type=Path, default=None, metavar="OUT",
                         help="OUT.csv: create it, or append the rows whose ID it lacks; OUT.xlsx/.xlsm: write "
                              "the rows the workbook lacks to OUT-import.csv next to it (the workbook is only "
                              "read). Default: print the rows as CSV")
    command.add_argument("--wallet", default=None, metavar="NAME",
                         help="the Wallet of the rows (default: the exchange's name, e.g. Coinbase)")
    command.add_argument("--force", action="store_true",
                         help="with a workbook OUT: replace an existing OUT-import.csv")


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run `cryptotax import`; returns the exit code (2 when nothing could be written)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    source: Path = args.source
    try:
        data = source.read_bytes()
    except OSError as exc:
        print(f"cryptotax: cannot read {source}: {exc.strerror or exc}", file=stderr)
        return EXIT_INPUT
    try:
        with Progress("importing", data.count(b"\n") + 1, stderr) as bar:
            imported = import_bytes(data, args.format, wallet=args.wallet, advance=bar.advance)
    except InputError as exc:
        for issue in exc.issues:
            print(f"cryptotax: {_where(source, issue)}: {issue.message}", file=stderr)
        print(f"cryptotax: {source.name} was not imported and nothing was written; fix the file (or choose "
              f"--format) and run again", file=stderr)
        return EXIT_INPUT
    output: Path | None = args.output
    try:
        if output is None:
            _print_rows(imported, stdout)
            summary = [f"{len(imported.rows)} rows, {len(imported.unmapped)} not mapped"]
        elif output.suffix.lower() in WORKBOOK_SUFFIXES:
            summary = _beside_workbook(output, imported, force=args.force)
        else:
            summary = _into_table(output, imported)
    except (TargetError, OutputExists) as exc:
        print(f"cryptotax: {exc}; nothing was written", file=stderr)
        return EXIT_INPUT
    except InputError as exc:  # the workbook cannot be read
        for issue in exc.issues:
            print(f"cryptotax: {issue.message}", file=stderr)
        return EXIT_INPUT
    except OSError as exc:  # a folder that does not exist, no permission...
        print(f"cryptotax: cannot write {output}: {exc.strerror or exc}; nothing was written",
              file=stderr)
        return EXIT_INPUT
    _report(source, imported, summary, stderr if output is None else stdout)
    return 0


def _where(source: Path, issue: Issue) -> str:
    where = f"{source.name} line {issue.row}" if issue.row else source.name
    return f"{where}, column {issue.column}" if issue.column else where


def _report(source: Path, imported: Imported, summary: list[str], stream: TextIO) -> None:
    """The counts first ("N rows added, M already present, K not mapped (see below)"), then what the user
    must enter by hand, the lines skipped as not taxable, and warnings."""
    lines = [summary[0] + (" (see below)" if imported.unmapped else ""), *summary[1:],
             f"{source.name} read as {imported.format}"]
    if imported.unmapped:
        lines.append("Not mapped: enter these by hand (or decide what they are):")
        lines += [f"  {_where(source, issue)}: {issue.message}" for issue in imported.unmapped]
    if imported.skipped:
        lines.append("Skipped (not taxable, nothing to enter): " + "; ".join(f"{reason}: {count}"
                                                          for reason, count in imported.skipped.items()))
    lines += [f"Warning: {_where(source, issue)}: {issue.message}" for issue in imported.warnings]
    stream.write("\n".join(lines) + "\n")


def _print_rows(imported: Imported, stdout: TextIO) -> None:
    try:
        writer = csv.writer(stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([row[column] for column in COLUMNS] for row in imported.rows)
        stdout.flush()
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str = ",", newline: str = "\n",
              *, with_header: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    if with_header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _layout(header: Sequence[str], where: str, imported: Imported) -> list[str | None]:
    """The canonical column of each header cell (None for a column the table does not know), refusing a
    header that is not a transaction table's, that has no ID column, or lacks a column the rows fill."""
    positions = match_header(header)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise TargetError(f"{where} is not a cryptotax transaction table (its header lacks {', '.join(missing)}): "
                          f"choose another output file")
    if "ID" not in positions:
        raise TargetError(f"{where} has no ID column, so rows already there cannot be recognised: add an ID "
                          f"column to its header, or import into a new file")
    filled = {column for row in imported.rows for column, value in row.items() if value}
    lacking = [column for column in COLUMNS if column in filled and column not in positions]
    if lacking:
        raise TargetError(f"{where} lacks the column(s) {', '.join(lacking)} that the imported rows fill: add "
                          f"them to its header (in any place) and run again")
    by_index = {index: name for name, index in positions.items()}
    return [by_index.get(index) for index in range(len(header))]


def _counts(added: int, present: int, imported: Imported) -> str:
    return f"{added} rows added, {present} already present, {len(imported.unmapped)} not mapped"


def _into_table(path: Path, imported: Imported) -> list[str]:
    """Create `path` with the rows, or append the rows whose ID it lacks, keeping its bytes as they are."""
    old = path.read_bytes() if path.exists() else b""
    if not old.strip():
        write_atomically(path, _csv_text(COLUMNS, [[row[column] for column in COLUMNS] for row in imported.rows])
                         .encode("utf-8"), force=path.exists())
        return [_counts(len(imported.rows), 0, imported), f"created {path}"]
    try:
        text = old.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TargetError(f"{path} is not UTF-8 text, so it is not a cryptotax table CSV") from None
    delimiter = max((",", ";", "\t"), key=text.split("\n", 1)[0].count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise TargetError(f"{path} is a damaged CSV ({exc})") from None
    layout = _layout(records[0], str(path), imported)
    id_index = layout.index("ID")
    present = {cells[id_index].strip() for cells in records[1:] if id_index < len(cells)}
    new = [row for row in imported.rows if row["ID"] not in present]
    if new:
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = [[row[column] if column else "" for column in layout] for row in new]
        body = _csv_text(records[0], lines, delimiter, newline, with_header=False)
        prefix = old if old.endswith((b"\n", b"\r")) else old + newline.encode("ascii")
        write_atomically(path, prefix + body.encode("utf-8"), force=True)
    return [_counts(len(new), len(imported.rows) - len(new), imported),
            f"appended to {path}" if new else f"{path} is unchanged"]


def _beside_workbook(workbook: Path, imported: Imported, *, force: bool) -> list[str]:
    """Write the rows the workbook's Transactions sheet lacks to `<stem>-import.csv`; never the workbook."""
    from cryptotax_cli.workbook import read_workbook  # openpyxl loads only for this target

    target = workbook.with_name(f"{workbook.stem}-import.csv")
    if target.exists() and not force:
        raise OutputExists(f"{target} exists: paste its rows first, then delete it, or add --force to replace it")
    table = read_workbook(workbook)
    header = [to_text(cell) for cell in table.header]
    while header and not header[-1]:
        header.pop()
    layout = _layout(header, f"the Transactions sheet of {workbook.name}", imported)
    id_index = layout.index("ID")
    present = {to_text(cells[id_index]) for cells in table.rows
               if id_index < len(cells) and cells[id_index] is not None}
    new = [row for row in imported.rows if row["ID"] not in present]
    counts = _counts(len(new), len(imported.rows) - len(new), imported)
    if not new:
        return [counts, f"every row is already in {workbook.name}: no file written"]
    lines = [[row[column] if column else "" for column in layout] for row in new]
    write_atomically(target, _csv_text(header, lines).encode("utf-8"), force=force)
    return [counts, f"the rows are in {target}, not in the workbook: cryptotax never writes into a workbook. Open "
                    f"{target.name}, copy its rows (without the header line) and paste them directly below the last "
                    f"row of the Transactions table in {workbook.name}; the table grows to include them"]
