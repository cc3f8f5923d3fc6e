"""Which format a file is: the first line (among the first 20) whose cells are a known header.

A refusal quotes the line that looks most like the file's header (the first of the most filled lines
among the first 20), not the file's first line: Coinbase and others put a disclaimer above the header.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptotax_core.imports import (
    binanceus,
    coinbase,
    coinbase_advanced,
    cryptocom,
    gemini,
    generic,
    kraken,
    kraken_trades,
    robinhood,
)
from cryptotax_core.imports.builder import Format
from cryptotax_core.imports.source import HEADER_SEARCH_LINES, Record, locate_header
from cryptotax_core.model import InputError, Issue

FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    coinbase.FORMAT, coinbase_advanced.FORMAT, kraken.FORMAT, kraken_trades.FORMAT, gemini.FORMAT,
    binanceus.FORMAT, cryptocom.FORMAT, robinhood.FORMAT, generic.FORMAT)}


def find_format(found: Sequence[Record], name: str | None) -> tuple[Format, Record]:
    """The format (the one named, or the first whose header appears) and its header record."""
    header = likely_header(found)
    where = header.line if header else 1
    seen = ", ".join(cell.strip() for cell in header.cells if cell.strip()) if header else "nothing"
    detected = _detect(found)
    if name is not None:
        fmt = FORMATS.get(name.lower())
        if fmt is None:
            raise InputError([Issue(0, "", f"unknown format '{name}': use one of {', '.join(FORMATS)}")])
        record = locate_header(found, fmt.matches)
        if record is None:
            other = (f"; line {detected[1].line} is a {detected[0].name} header: use --format {detected[0].name} "
                     f"or leave --format out" if detected else "")
            raise InputError([Issue(where, "", f"no {fmt.name} header in the first {HEADER_SEARCH_LINES} lines: it "
                                               f"needs the columns {_needs(fmt)}; line {where} has: "
                                               f"{_clip(seen)}{other}")])
        return fmt, record
    if detected:
        return detected
    raise InputError([Issue(where, "", f"the header matches no known export ({', '.join(FORMATS)}); line {where} "
                                       f"has: {_clip(seen)}. Check that this is the exchange's own CSV, or name the "
                                       f"format with --format")])


def _detect(found: Sequence[Record]) -> tuple[Format, Record] | None:
    for record in found:
        if record.line > HEADER_SEARCH_LINES:
            break
        for fmt in FORMATS.values():
            if not record.blank and fmt.matches(record.cells):
                return fmt, record
    return None


def likely_header(found: Sequence[Record]) -> Record | None:
    """The first of the records with the most non-blank cells among the first lines: a header has more
    cells than a title or disclaimer above it."""
    best: Record | None = None
    for record in found:
        if record.line > HEADER_SEARCH_LINES:
            break
        filled = sum(1 for cell in record.cells if cell.strip())
        if filled and (best is None or filled > sum(1 for cell in best.cells if cell.strip())):
            best = record
    return best


def _needs(fmt: Format) -> str:
    if fmt.name == generic.NAME:
        return "Date, Type, Asset, Quantity (the transaction table)"
    return ", ".join(fmt.fields[field][0] for field in fmt.required)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
