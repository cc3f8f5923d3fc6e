"""Reading a transaction table from CSV text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cryptotax_core.model import InputError, Issue


def read_csv(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV file (UTF-8, with or without BOM; comma, semicolon or tab)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Issue(0, "", f"cannot read {path}: {exc.strerror or exc}")]) from exc
    return parse_csv_bytes(raw)


def parse_csv_bytes(raw: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Issue(line, "", "the file is not UTF-8 text: save it as CSV UTF-8")]) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError([Issue(line, "", "the file contains binary data, not CSV text")])
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
    except csv.Error as exc:
        raise InputError([Issue(reader.line_num, "", f"the CSV is damaged: {exc}")]) from exc
    if not rows:
        raise InputError([Issue(1, "", "the file is empty: it needs a header row naming the columns")])
    return rows[0], rows[1:]
