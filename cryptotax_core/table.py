"""The transaction table: the entry point that validates a whole table and converts it to `Transaction`s.

One schema (cryptotax_core.schema) serves the template sheet, CSV files and the API. Each row takes the fast
path (cryptotax_core.fast) or, when it is not plain or breaks a rule, the careful one (cryptotax_core.careful).
Every problem of a table is collected and reported at once (`InputError`), each naming its row and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from cryptotax_core.careful import RowReader
from cryptotax_core.fast import fast_reader
from cryptotax_core.model import InputError, Issue, Transaction
from cryptotax_core.schema import (
    COLUMNS,
    DEFAULT_WALLET,
    FIRST_YEAR,
    MAX_DECIMALS,
    MAX_QUANTITY,
    MAX_USD,
    REPORTING_WORDS,
    REQUIRED,
    header_text,
    match_header,
)
from cryptotax_core.values import is_blank, is_blank_or_zero, without_cycle_collection

__all__ = ["COLUMNS", "DEFAULT_WALLET", "FIRST_YEAR", "MAX_DECIMALS", "MAX_QUANTITY", "MAX_USD", "REPORTING_WORDS",
           "REQUIRED", "Table", "match_header", "parse_table"]


@dataclass(frozen=True, slots=True)
class Table:
    """The rows that validated, as transactions, with the warnings; `errors` only from
    `parse_table(..., keep_errors=True)`, which keeps the table when some rows have errors."""

    transactions: tuple[Transaction, ...]
    warnings: tuple[Issue, ...]
    errors: tuple[Issue, ...] = ()
    #: the assets named on rows with errors ("" for such a row whose asset cannot be read)
    error_assets: frozenset[str] = frozenset()


def parse_table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    zone: ZoneInfo,
    first_row: int = 2,
    today: date | None = None,
    keep_errors: bool = False,
) -> Table:
    """Validate and convert a table. `first_row` is the row number the user sees for `rows[0]`.
    Raises `InputError` listing every problem, or with `keep_errors` returns the rows without one
    and the problems in `Table.errors` (a missing column still raises: no row can be read)."""
    positions = match_header(header)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        found = ", ".join(header_text(cell) for cell in header if not is_blank(cell)) or "nothing"
        raise InputError([Issue(first_row - 1, "", f"the header lacks the column(s) {', '.join(missing)}; "
                                                    f"found: {found}")])
    reader = RowReader(positions, zone, today or date.today())
    fast = fast_reader(reader, len(header))
    transactions = reader.transactions
    pending_blank: list[int] = []
    with without_cycle_collection():
        for offset, cells in enumerate(rows):
            row = first_row + offset
            tx = fast(row, cells)
            if tx is not None:
                if pending_blank:
                    reader.warnings.extend(Issue(blank_row, "", "empty row skipped") for blank_row in pending_blank)
                    pending_blank.clear()
                transactions.append(tx)
                continue
            if all(is_blank_or_zero(cell) for cell in cells):
                pending_blank.append(row)
                continue
            for blank_row in pending_blank:
                reader.warnings.append(Issue(blank_row, "", "empty row skipped"))
            pending_blank.clear()
            reader.read(row, cells)
    if not reader.transactions and not reader.errors:
        reader.warnings.append(Issue(0, "", "the table has no transactions"))
    reader.check_references()
    if not reader.errors:
        return Table(tuple(reader.transactions), tuple(reader.warnings))
    if not keep_errors:
        raise InputError(reader.errors)
    wrong = {issue.row for issue in reader.errors}
    kept = tuple(tx for tx in reader.transactions if tx.row not in wrong)
    reader.error_assets.update(tx.asset for tx in reader.transactions if tx.row in wrong)  # Lot IDs errors
    return Table(kept, tuple(reader.warnings), tuple(InputError(reader.errors).issues),
                 frozenset(reader.error_assets))

