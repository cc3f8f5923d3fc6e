"""Reading an exchange export: bytes to text, CSV records with the file's own line numbers, the header.

Exchange files are not tables from the first line: Coinbase puts a few lines before its header. Every
record keeps the 1-based line of the file where it starts, so each message can point at the line a
user sees in a text editor.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from cryptotax_core.model import InputError, Issue

HEADER_SEARCH_LINES = 20  # a header further down than this is not looked for
_KEY = re.compile(r"[^a-z0-9]")


def key(name: str) -> str:
    """A header name compared without case, spaces or punctuation: 'Primary_Asset' == 'Primary Asset'."""
    return _KEY.sub("", name.lower())


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # the file's line where the record starts (1-based)
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


ENCODING_NOTE = ("the file is not UTF-8: it was read as Windows-1252, the encoding Excel uses for \"CSV (Comma "
                 "delimited)\"; check that names with accents read right (save as \"CSV UTF-8\" to avoid this)")


@dataclass(frozen=True, slots=True)
class Text:
    """A file's text and, when it was not UTF-8, a warning saying how it was read."""

    text: str
    warnings: tuple[Issue, ...] = ()


def decode(data: bytes) -> Text:
    """The file as text: UTF-8 with or without a byte-order mark, UTF-16 with its byte-order mark (Excel's
    "Unicode Text"), else Windows-1252 (Excel's "CSV" on Windows) with a warning naming the first line
    that is not ASCII. Bytes that are none of these, binary data and an Excel workbook are refused."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError([Issue(1, "", "this is an Excel workbook or another zip archive, not CSV text: give the "
                                       "file its .xlsx name so it is read as a workbook, or save it as CSV UTF-8")])
    warnings: tuple[Issue, ...] = ()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decoded(data, "utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 mark over Windows-1252 text: the mark is not text
            text = _decoded(data, "cp1252")
            first = next(index for index, byte in enumerate(data) if byte > 0x7F)
            warnings = (Issue(data[:first].count(b"\n") + 1, "", ENCODING_NOTE),)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError([Issue(line, "", "the file contains binary data, not CSV text")])
    if not text.strip():
        raise InputError([Issue(1, "", "the file is empty")])
    return Text(text, warnings)


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        what = ("not UTF-16 text, as its first bytes say" if encoding == "utf-16"
                else "neither UTF-8 nor Windows-1252 text")
        raise InputError([Issue(line, "", f"the file is {what} (byte 0x{data[exc.start]:02X} on this line cannot be "
                                          f"read): save it from the spreadsheet as CSV UTF-8")]) from exc


def delimiter_of(text: str) -> str:
    """Comma, unless the first lines hold more semicolons or tabs (a spreadsheet saved in another locale)."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_LINES])
    return max((",", ";", "\t"), key=head.count)


def cell_text(value: object) -> str:
    """A spreadsheet cell's value as the text a CSV export of it holds: numbers in their shortest exact
    form (a float's repr, never float arithmetic), dates as ISO dates (a date at midnight as the date
    alone), times as ISO times, blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def cell_records(rows: Sequence[Sequence[object]], first_row: int = 1) -> list[Record]:
    """Records from a sheet's rows of cell values; `first_row` is the sheet row of rows[0]."""
    return [Record(first_row + offset, tuple(cell_text(cell) for cell in cells)) for offset, cells in enumerate(rows)]


def records(text: str, delimiter: str = ",") -> list[Record]:
    """Every CSV record with the line it starts on; a damaged record (an open quote) is an error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    found: list[Record] = []
    start = 1
    try:
        for cells in reader:
            found.append(Record(start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError([Issue(start, "", f"the CSV is damaged here ({exc}): a quote is not closed or the "
                                           f"file was cut off")]) from exc
    return found


class Columns:
    """Where each field of a format sits in a header. A field may have several accepted names (the
    exchanges renamed columns over the years); the first name found wins."""

    def __init__(self, header: Sequence[str], fields: Mapping[str, Sequence[str]]) -> None:
        self.header = tuple(cell.strip() for cell in header)
        positions: dict[str, int] = {}
        for index, cell in enumerate(self.header):
            positions.setdefault(key(cell), index)
        self.index: dict[str, int] = {}
        self.name: dict[str, str] = {}
        for field, names in fields.items():
            for name in names:
                if key(name) in positions:
                    self.index[field] = positions[key(name)]
                    self.name[field] = self.header[positions[key(name)]]
                    break

    def has(self, *fields: str) -> bool:
        return all(field in self.index for field in fields)


@dataclass(frozen=True, slots=True)
class Row:
    """One data record of the file, read through the format's `Columns`."""

    line: int
    cells: tuple[str, ...]
    columns: Columns

    def get(self, field: str) -> str:
        """The cell of `field`, trimmed ("" when the format's file lacks the column)."""
        index = self.columns.index.get(field)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def column(self, field: str) -> str:
        """The file's own name of the column of `field`, for messages."""
        return self.columns.name.get(field, field)


@dataclass(frozen=True, slots=True)
class Source:
    """A file's header and data rows; blank records are dropped, a record with the wrong number of cells
    is an error naming its line (kept in `errors`, so the other lines are still checked)."""

    header_line: int
    columns: Columns
    rows: tuple[Row, ...]
    errors: tuple[Issue, ...] = ()


def locate_header(found: Sequence[Record], matches: Callable[[Sequence[str]], bool]) -> Record | None:
    """The first record among the first lines for which `matches(cells)` is true."""
    for record in found:
        if record.line > HEADER_SEARCH_LINES:
            break
        if not record.blank and matches(record.cells):
            return record
    return None


def source(found: Sequence[Record], header: Record, fields: Mapping[str, Sequence[str]], *,
           spill_last: bool = False) -> Source:
    """The data rows after `header`, each checked for its number of cells (`spill_last`: more cells are
    allowed, the extra ones belonging to the last column)."""
    columns = Columns(header.cells, fields)
    width = len(header.cells)
    rows: list[Row] = []
    errors: list[Issue] = []
    for record in found:
        if record.line <= header.line or record.blank:
            continue
        cells = record.cells
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]  # empty cells past the header's end (a trailing comma)
        elif len(cells) > width and spill_last:
            cells = (*cells[: width - 1], ",".join(cells[width - 1:]))
        if len(cells) != width:
            errors.append(Issue(record.line, "", f"the line has {len(cells)} fields but the header (line "
                                                 f"{header.line}) has {width}: the line is cut off or damaged"))
            continue
        rows.append(Row(record.line, cells, columns))
    return Source(header.line, columns, tuple(rows), tuple(errors))
