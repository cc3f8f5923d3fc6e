"""Which format a file is: the first line (among the first 20) whose cells are a known header."""

from __future__ import annotations

from collections.abc import Sequence

from cryptotax_core.imports import binanceus, coinbase, gemini, generic, kraken
from cryptotax_core.imports.builder import Format
from cryptotax_core.imports.source import HEADER_SEARCH_LINES, Record, key, locate_header
from cryptotax_core.model import InputError, Issue

FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    coinbase.FORMAT, kraken.FORMAT, gemini.FORMAT, binanceus.FORMAT, generic.FORMAT)}
# Layouts recognised only to say what to export instead.
_OTHER_LAYOUTS = (
    (("txid", "ordertxid", "pair", "vol"), "this is Kraken's trades.csv: export the ledgers instead (History > "
                                           "Export > Ledgers), which also has deposits, withdrawals and rewards"),
)


def find_format(found: Sequence[Record], name: str | None) -> tuple[Format, Record]:
    """The format (the one named, or the first whose header appears) and its header record."""
    first = next((record for record in found if not record.blank), None)
    first_line = first.line if first else 1
    seen = ", ".join(cell.strip() for cell in first.cells if cell.strip()) if first else "nothing"
    if name is not None:
        fmt = FORMATS.get(name.lower())
        if fmt is None:
            raise InputError([Issue(0, "", f"unknown format '{name}': use one of {', '.join(FORMATS)}")])
        header = locate_header(found, fmt.matches)
        if header is None:
            raise InputError([Issue(first_line, "", f"no {fmt.name} header in the first {HEADER_SEARCH_LINES} "
                                                    f"lines: it needs the columns {_needs(fmt)}; line {first_line} "
                                                    f"has: {_clip(seen)}")])
        return fmt, header
    for record in found:
        if record.line > HEADER_SEARCH_LINES:
            break
        for fmt in FORMATS.values():
            if not record.blank and fmt.matches(record.cells):
                return fmt, record
    hint = next((text for names, text in _OTHER_LAYOUTS
                 if first and {key(name) for name in names} <= {key(cell) for cell in first.cells}), "")
    raise InputError([Issue(first_line, "", hint or f"the header matches no known export ({', '.join(FORMATS)}); "
                                                    f"line {first_line} has: {_clip(seen)}. Check that this is the "
                                                    f"exchange's own CSV, or name the format with --format")])


def _needs(fmt: Format) -> str:
    if fmt.name == generic.NAME:
        return "Date, Type, Asset, Quantity (the transaction table)"
    return ", ".join(fmt.fields[field][0] for field in fmt.required)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

