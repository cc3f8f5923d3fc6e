"""Where `cryptotax import` writes: stdout, a transaction-table CSV (created, or appended to with its bytes
kept), or a CSV beside a workbook that is only read. The rules are in cryptotax_cli/importing.py's
docstring."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cryptotax_cli.files import OutputExists, write_atomically
from cryptotax_core import COLUMNS, REQUIRED_COLUMNS, UserError, match_header, to_text

Row = dict[str, str]


class TargetError(UserError):
    """The output file cannot take the rows (not a cryptotax table, a missing column, exists...)."""


def print_rows(rows: Sequence[Row], stdout: TextIO) -> None:
    try:
        writer = csv.writer(stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([row[column] for column in COLUMNS] for row in rows)
        stdout.flush()
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str = ",", newline: str = "\n",
             *, with_header: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    if with_header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _layout(header: Sequence[str], where: str, rows: Sequence[Row]) -> list[str | None]:
    """The canonical column of each header cell (None for a column the table does not know), refusing a
    header that is not a transaction table's, that has no ID column, or lacks a column the rows fill."""
    positions = match_header(header)
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise TargetError(f"{where} is not a cryptotax transaction table (its header lacks {', '.join(missing)}): "
                          f"choose another output file")
    if "ID" not in positions:
        raise TargetError(f"{where} has no ID column, so rows already there cannot be recognised: add an ID "
                          f"column to its header, or import into a new file")
    filled = {column for row in rows for column, value in row.items() if value}
    lacking = [column for column in COLUMNS if column in filled and column not in positions]
    if lacking:
        raise TargetError(f"{where} lacks the column(s) {', '.join(lacking)} that the imported rows fill: add "
                          f"them to its header (in any place) and run again")
    by_index = {index: name for name, index in positions.items()}
    return [by_index.get(index) for index in range(len(header))]


def counts(added: int, present: int, unmapped: int) -> str:
    return f"{added} rows added, {present} already present, {unmapped} not mapped"


def into_table(path: Path, rows: Sequence[Row], unmapped: int) -> list[str]:
    """Create `path` with the rows, or append the rows whose ID it lacks, keeping its bytes as they are."""
    old = path.read_bytes() if path.exists() else b""
    if not old.strip():
        write_atomically(path, csv_text(COLUMNS, [[row[column] for column in COLUMNS] for row in rows])
                         .encode("utf-8"), force=path.exists())
        return [counts(len(rows), 0, unmapped), f"created {path}"]
    try:
        text = old.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TargetError(f"{path} is not UTF-8 text, so it is not a cryptotax table CSV") from None
    delimiter = max((",", ";", "\t"), key=text.split("\n", 1)[0].count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise TargetError(f"{path} is a damaged CSV ({exc})") from None
    layout = _layout(records[0], str(path), rows)
    id_index = layout.index("ID")
    present = {cells[id_index].strip() for cells in records[1:] if id_index < len(cells)}
    new = [row for row in rows if row["ID"] not in present]
    if new:
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = [[row[column] if column else "" for column in layout] for row in new]
        body = csv_text(records[0], lines, delimiter, newline, with_header=False)
        prefix = old if old.endswith((b"\n", b"\r")) else old + newline.encode("ascii")
        write_atomically(path, prefix + body.encode("utf-8"), force=True)
    return [counts(len(new), len(rows) - len(new), unmapped),
            f"appended to {path}" if new else f"{path} is unchanged"]


def beside_workbook(workbook: Path, rows: Sequence[Row], unmapped: int, *, force: bool) -> list[str]:
    """Write the rows the workbook's Transactions sheet lacks to `<stem>-import.csv`; never the workbook."""
    from cryptotax_cli.workbook import read_workbook  # openpyxl loads only for this target

    target = import_file_of(workbook)
    if target.exists() and not force:
        raise OutputExists(f"{target} exists: paste its rows first, then delete it, or add --force to replace it")
    table = read_workbook(workbook)
    header = [to_text(cell) for cell in table.header]
    while header and not header[-1]:
        header.pop()
    layout = _layout(header, f"the Transactions sheet of {workbook.name}", rows)
    id_index = layout.index("ID")
    present = {to_text(cells[id_index]) for cells in table.rows
               if id_index < len(cells) and cells[id_index] is not None}
    new = [row for row in rows if row["ID"] not in present]
    summary = counts(len(new), len(rows) - len(new), unmapped)
    if not new:
        return [summary, f"every row is already in {workbook.name}: no file written"]
    lines = [[row[column] if column else "" for column in layout] for row in new]
    write_atomically(target, csv_text(header, lines).encode("utf-8"), force=force)
    return [summary, f"the rows are in {target}, not in the workbook: cryptotax never writes into a workbook. Open "
                     f"{target.name}, copy its rows (without the header line) and paste them directly below the last "
                     f"row of the Transactions table in {workbook.name}; the table grows to include them"]


def import_file_of(workbook: Path) -> Path:
    return workbook.with_name(f"{workbook.stem}-import.csv")
