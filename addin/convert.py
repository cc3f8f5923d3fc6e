"""Between Excel cells and the core: tables in, plain values out, errors as short text, one cache.

The only place that catches every exception (style.md, One catch-all, at the edge): a user's mistake
(any `cryptotax_core.UserError`) becomes its message in the cell; anything else becomes a short text and
a log entry with its traceback: in a log file on the desktop, on stderr in xlwings Lite, whose output
pane shows it (Python runs in the browser there, with no file a user could open).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import cryptotax_core
from cryptotax_core import (
    COLUMNS,
    CellError,
    Checked,
    Computed,
    InputError,
    Lot,
    Options,
    PriceError,
    Result,
    Table,
    TaxYear,
    cents,
    check_table,
    is_blank_or_zero,
    match_header,
    options_from_pairs,
    parse_table,
    prices_from_pairs,
    tax_years,
    to_decimal,
    to_local_datetime,
    to_tax_year,
    to_text,
)

IN_BROWSER = sys.platform == "emscripten"  # xlwings Lite: Pyodide in Excel's web view (Windows, Mac, the web)
LOG_PATH = Path(os.environ.get("CRYPTOTAX_LOG", Path.home() / ".cryptotax" / "addin.log"))
LITE_OUTPUT = "the xlwings Lite output pane"
CACHE_SIZE = 8
TABLE_NAME = "Transactions"
T = TypeVar("T")


class UserError(cryptotax_core.UserError):
    """A mistake in a function's arguments; the message is shown in the cell."""


# -- cells in ------------------------------------------------------------------------------------------
def rows_of(cells: object) -> list[list[object]]:
    """A 2-D list from what Excel sends (a value, a row, or rows), without trailing empty rows. The
    rows themselves are not copied: nothing here changes a cell."""
    if not isinstance(cells, list):
        rows: list[list[object]] = [[cells]]
    elif cells and not isinstance(cells[0], list):
        rows = [cells]
    else:
        rows = cells
    end = len(rows)
    while end and _is_blank_row(rows[end - 1]):
        end -= 1
    return rows if end == len(rows) else rows[:end]


def _is_blank_row(row: list[object]) -> bool:
    """A row of empty cells. `count(None)` runs in C (xlwings sends None for an empty cell): 0.1 ms for 1,000
    empty rows at the end of a table, where looking at each cell took 1.2 ms, on every call over the table."""
    return row.count(None) == len(row) or all(is_blank_or_zero(cell) for cell in row)


def text_arg(value: object, name: str) -> str | None:
    if is_blank_or_zero(value):
        return None
    try:
        return to_text(value)
    except CellError as exc:
        raise UserError(f"{name}: {exc}") from None


def year_arg(value: object, name: str = "year") -> int:
    if is_blank_or_zero(value):
        raise UserError(f"{name} is missing: give a tax year such as 2025")
    try:
        return to_tax_year(value)
    except CellError as exc:
        raise UserError(f"{name}: {exc}") from None


def number_arg(value: object, name: str) -> Decimal:
    if is_blank_or_zero(value):
        return Decimal(0)
    try:
        return to_decimal(value)
    except CellError as exc:
        raise UserError(f"{name}: {exc}") from None


def date_arg(value: object, name: str, book: Book | None = None) -> date | None:
    if is_blank_or_zero(value):
        return None
    zone = book.options.settings.zone() if book else Options().settings.zone()
    try:
        return to_local_datetime(value, zone).date()
    except CellError as exc:
        raise UserError(f"{name}: {exc}") from None


def asset_arg(book: Book, value: object, name: str = "asset") -> str | None:
    """An asset ticker that occurs in the table (a typo must not read as zero)."""
    asset = text_arg(value, name)
    if asset is None:
        return None
    asset = asset.upper()
    rows = book.transactions.transactions
    known = book.memo(("assets",), lambda: {tx.asset for tx in rows} | {tx.received_asset for tx in rows
                                                                         if tx.received_asset})
    if asset not in known:
        raise UserError(f"{name}: {asset} is not in the {TABLE_NAME} table")
    return asset


def wallet_arg(book: Book, value: object) -> str | None:
    """A wallet name that occurs in the table, casefolded for matching."""
    wallet = text_arg(value, "wallet")
    if wallet is None:
        return None
    rows = book.transactions.transactions
    known = book.memo(("wallets",), lambda: {name.casefold() for tx in rows for name in (tx.wallet, tx.to_wallet)
                                             if name})
    if wallet.casefold() not in known:
        raise UserError(f"wallet: '{wallet}' is not in the {TABLE_NAME} table")
    return wallet.casefold()


# -- the cache -----------------------------------------------------------------------------------------
@dataclass
class Book:
    """One transaction table with one set of settings, computed at most once per question. A table
    with errors keeps its error, so a thousand cells over it do not validate it a thousand times."""

    options: Options
    table: Table | None = None
    error: InputError | None = None
    previous: Computed | None = None  # the history of this table before a paste, under the same settings
    _computed: Computed | None = None
    _years: dict[int, TaxYear] | None = None
    _answers: dict[tuple[object, ...], object] = field(default_factory=dict)

    @property
    def transactions(self) -> Table:
        if self.error is not None:
            raise self.error
        assert self.table is not None
        return self.table

    @property
    def computed(self) -> Computed:
        """The history under the settings, shared by every function of this table: the whole history, its
        state on a date and the engine's checkpoint at the start of a year, each computed once."""
        if self._computed is None:
            table = self.transactions
            self._computed = Computed(table.transactions, self.options.settings, table.warnings,
                                      previous=self.previous)
            self.previous = None
        return self._computed

    @property
    def result(self) -> Result:
        try:
            return self.computed.result
        except InputError as exc:
            self.error = exc
            raise

    @property
    def years(self) -> dict[int, TaxYear]:
        if self._years is None:
            self._years = tax_years(self.result, self.options.tax)
        return self._years

    def memo(self, key: tuple[object, ...], answer: Callable[[], T]) -> T:
        """A function's answer for these arguments, worked out once per table."""
        if key not in self._answers:
            self._answers[key] = answer()
        return self._answers[key]  # type: ignore[return-value]

    def lots(self, as_of: date | None) -> tuple[Lot, ...]:
        result = self.result
        if as_of is None:
            return result.lots
        return self.computed.until(as_of).lots


@dataclass(frozen=True)
class _Cells:
    """A copy of a range's cells, kept as a key (the caller may reuse its lists), and where a cell equals 0 or 1,
    with its type: list equality holds True equal to 1 and False to 0, but a cell changed from 1 to TRUE is a
    change (TRUE is no quantity, and reads 'True' as text)."""

    rows: list[list[object]]
    zero_one: list[tuple[int, int, type]]

    @staticmethod
    def of(rows: list[list[object]]) -> _Cells:
        zero_one = [(row_index, column, type(cell)) for row_index, row in enumerate(rows)
                    for column, cell in enumerate(row) if cell is not None and cell in (0, 1)]
        return _Cells([list(row) for row in rows], zero_one)

    def same(self, rows: list[list[object]]) -> bool:
        """Every cell equal, and of the same type where it equals 0 or 1 (checked in Python: 0.07 ms per 1,000)."""
        return self.rows == rows and all(type(rows[row][column]) is kind for row, column, kind in self.zero_one)


@dataclass(frozen=True)
class _Entry:
    """A cached table: its cells and its settings' cells, and what was worked out."""

    rows: _Cells
    settings: _Cells
    book: Book


_books: list[_Entry] = []  # most recently used last


def book_for(transactions: object, settings: object = None) -> Book:
    """The computed table, from the cache when these cells and settings were seen before. The cells are the key,
    compared in full (`_Cells.same`), so any change to any cell is a new table. List equality runs in C: 3 ms for
    100,000 rows of 14 cells, up to 10 when the caller's new lists lie scattered in memory (reading them alone takes
    as long), nearly all of a cached call; building and hashing a key took 95. The newest table is compared first,
    and its few settings cells before its rows: a table used with two Settings ranges is compared once a call."""
    rows = rows_of(transactions)
    setting_rows = rows_of(settings) if not is_blank_or_zero(settings) else []
    for index in range(len(_books) - 1, -1, -1):
        entry = _books[index]
        if entry.settings.same(setting_rows) and entry.rows.same(rows):
            if index != len(_books) - 1:
                _books.append(_books.pop(index))
            return entry.book
    options = options_from_pairs(setting_rows)  # a SettingsError is the cell's message
    # the newest table computed under these settings: after a paste, its checkpoints and searches before the
    # rows that changed are this one's (planning.computed.Computed, `previous`)
    previous = next((entry.book._computed for entry in reversed(_books)
                     if entry.book._computed is not None and entry.settings.same(setting_rows)), None)
    try:
        book = Book(options, table=_table(rows, options), previous=previous)
    except InputError as exc:
        book = Book(options, error=exc)
    _books.append(_Entry(_Cells.of(rows), _Cells.of(setting_rows), book))
    if len(_books) > CACHE_SIZE:
        del _books[0]
    return book


def checked(transactions: object, settings: object = None) -> Checked:
    """Every problem of the table in one pass (the rows' own errors, then the engine's on the other rows),
    worked out once per table."""
    book = book_for(transactions, settings)
    if book.error is None:
        try:
            result = book.result
        except InputError:
            pass  # the engine's errors: found again below with the rows' own (none here)
        else:
            return Checked((), result.warnings, len(book.transactions.transactions))

    def one_pass() -> Checked:
        table = _table(rows_of(transactions), book.options, keep_errors=True)
        return check_table(table, book.options.settings)
    return book.memo(("CHECK",), one_pass)


def _table(rows: list[list[object]], options: Options, *, keep_errors: bool = False) -> Table:
    if not rows:
        raise UserError(f"the {TABLE_NAME} range is empty: pass the whole table, e.g. {TABLE_NAME}[#All]")
    if len(match_header(rows[0])) >= 2:
        header, body = rows[0], rows[1:]
    elif len(rows[0]) == len(COLUMNS):  # a range without its header: the template's column order
        header, body = list(COLUMNS), rows
    else:
        raise UserError(f"the range has no header row and {len(rows[0])} columns, not the template's "
                        f"{len(COLUMNS)}: pass the table with its header, e.g. {TABLE_NAME}[#All]")
    return parse_table(header, body, zone=options.settings.zone(), keep_errors=keep_errors)


def clear_cache() -> None:
    _books.clear()


# -- values out ----------------------------------------------------------------------------------------
def money(amount: Decimal) -> float:
    """Money for a cell: rounded to cents, then the nearest float (Excel holds doubles)."""
    return float(cents(amount))


def quantity(amount: Decimal) -> float:
    return float(amount)


def excel_date(day: date) -> datetime:
    return datetime.combine(day, time())


# -- errors out ----------------------------------------------------------------------------------------
_log = logging.getLogger("cryptotax.addin")


def details_place() -> str:
    """Where an internal error's traceback goes, as the cell names it."""
    return LITE_OUTPUT if IN_BROWSER else str(LOG_PATH)


def _log_handler() -> logging.Handler:
    if IN_BROWSER:
        return logging.StreamHandler(sys.stderr)  # xlwings Lite shows stderr in its output pane
    try:
        LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
        return logging.FileHandler(LOG_PATH, encoding="utf-8")
    except OSError:
        return logging.StreamHandler(sys.stderr)


def _log_exception(function: str) -> None:
    if not _log.handlers:
        handler = _log_handler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _log.addHandler(handler)
        _log.propagate = False
    _log.exception("cryptotax: %s failed", function)


def issue_text(issue: object) -> str:
    """'Transactions row 14, Quantity: sells ...' from a core Issue."""
    text = str(issue)
    if text.startswith("row "):
        return f"{TABLE_NAME} {text.replace(', column ', ', ', 1)}"
    return f"{TABLE_NAME}: {text.removeprefix('table: ')}"


def message_of(error: Exception) -> str:
    if isinstance(error, InputError):
        first = issue_text(error.issues[0])
        more = len(error.issues) - 1
        return first + (f" (and {more} more: see =CHECK())" if more else "")
    return str(error)


F = TypeVar("F", bound=Callable[..., Any])


def guarded(*, spill: bool) -> Callable[[F], F]:
    """Turn every failure into text for the cell: the user's mistakes as their message, anything else
    as a short notice with the detail in the log (details_place). `spill`: the function returns rows."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            try:
                return function(*args)
            except cryptotax_core.UserError as exc:
                text = message_of(exc)
            except Exception:
                _log_exception(function.__name__)
                text = f"cryptotax: internal error in {function.__name__} (details in {details_place()})"
            return [[text]] if spill else text

        return wrapper  # type: ignore[return-value]

    return decorate


def labelled(rows: Sequence[tuple[str, object]]) -> list[list[object]]:
    return [[label, value] for label, value in rows]


# -- planning -------------------------------------------------------------------------------------------
def prices_arg(cells: object) -> dict[str, Decimal]:
    """Prices from a two-column asset/price range (a header row such as Asset | Price is skipped)."""
    if is_blank_or_zero(cells):
        raise UserError("prices is missing: give a two-column range of asset and USD price, e.g. BTC | 91000")
    try:
        return prices_from_pairs(rows_of(cells))
    except PriceError as exc:
        raise UserError(f"prices: {exc}") from None


def planning_date_arg(value: object, name: str, book: Book) -> date:
    """The planning date: the date given, else today (pass TODAY() so Excel recomputes it each day)."""
    return date_arg(value, name, book) or date.today()


def padded(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Rows of different lengths as one rectangle (Excel spills rectangles), blanks as ""."""
    width = max((len(row) for row in rows), default=0)
    return [[*row, *[""] * (width - len(row))] for row in rows]
