"""Exchange exports into transaction-table rows: Coinbase (transaction history, old and new, and Advanced
Trade fills), Kraken (ledgers and trades), Gemini, Binance.US, Crypto.com App, Robinhood crypto and the
table's own CSV layout (`generic`). Pure Python; the command line (`cryptotax import`) adds the file
handling, and reads a workbook's cells (openpyxl) for `import_rows`.

    imported = import_bytes(Path("coinbase.csv").read_bytes())
    imported.rows          # dicts keyed by the table's column names, ready to write
    imported.unmapped      # Issue(line, column, what to enter by hand)
    import_rows(sheet_rows)  # the same from a sheet's rows of cell values (Gemini's .xlsx)

Every problem that makes the file unreadable (undecodable bytes, no known header, a line with the wrong
number of fields, a number or date that cannot be read) raises `InputError` listing them all, each with
the file's 1-based line number and column. Each format's module docstring names the layout it reads, its
source, and what every kind of line becomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cryptotax_core.imports.builder import Builder
from cryptotax_core.imports.detect import FORMATS, find_format
from cryptotax_core.imports.source import Record, cell_records, decode, delimiter_of, records, source
from cryptotax_core.model import InputError, Issue
from cryptotax_core.table import COLUMNS, parse_table


@dataclass(frozen=True, slots=True)
class Imported:
    """What one file gives: rows for the table (in file order), the source line of each, the lines the user
    must enter by hand, how many lines were skipped as not taxable (by reason) and warnings."""

    format: str
    rows: list[dict[str, str]]
    lines: list[int]
    unmapped: list[Issue]
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)


def import_bytes(data: bytes, fmt: str | None = None, *, wallet: str | None = None,
                 advance: Callable[[int], None] | None = None) -> Imported:
    """Read an export (`fmt` one of FORMATS, or None to detect it from the header) into table rows in the
    wallet `wallet` (default: the exchange's name). `advance(n)` is called as lines are mapped."""
    text = decode(data)
    return _import(records(text.text, delimiter_of(text.text)), fmt, wallet, advance, list(text.warnings))


def import_rows(rows: Sequence[Sequence[object]], fmt: str | None = None, *, wallet: str | None = None,
                first_row: int = 1, advance: Callable[[int], None] | None = None) -> Imported:
    """The same from a sheet's rows of cell values (text, numbers, dates, None), as a workbook reader gives
    them; `first_row` is the sheet row of rows[0], so messages name the rows the user sees."""
    return _import(cell_records(rows, first_row), fmt, wallet, advance, [])


def _import(found: list[Record], fmt: str | None, wallet: str | None, advance: Callable[[int], None] | None,
            warnings: list[Issue]) -> Imported:
    chosen, header = find_format(found, fmt)
    out = Builder(chosen.name, (wallet or "").strip() or chosen.wallet, advance)
    out.warnings.extend(warnings)
    lines = source(found, header, chosen.fields, spill_last=chosen.spill_last)
    out.errors.extend(lines.errors)
    chosen.convert(lines, out)
    if out.errors:
        raise InputError(out.errors)
    _validate(out)
    order = sorted(range(len(out.rows)), key=lambda index: out.lines[index])  # file order; stable for a line's rows
    return Imported(chosen.name, [out.rows[index] for index in order], [out.lines[index] for index in order],
                    sorted(out.unmapped, key=lambda issue: issue.row), dict(out.skipped), out.warnings)


def _validate(out: Builder) -> None:
    """Check the rows as the table will (a bad value, a date in the future), naming the file's line. Lot IDs
    are left out: they may name rows of the table the import is added to."""
    rows = [[value if column != "Lot IDs" else "" for column, value in row.items()] for row in out.rows]
    try:
        parse_table(list(COLUMNS), rows, zone=ZoneInfo("UTC"))
    except InputError as exc:
        raise InputError([Issue(out.lines[issue.row - 2] if issue.row >= 2 else 0, issue.column, issue.message)
                          for issue in exc.issues]) from None


__all__ = ["FORMATS", "Imported", "import_bytes", "import_rows"]
