"""generic: a CSV already in the cryptotax transaction-table schema (docs/table.md).

Header names are matched as `cryptotax_core.table.match_header` matches them: any case and order, the
same aliases; unknown columns are dropped. Values are kept as written (they are the user's own), text
goes through `neutralized`, and the rows are validated like a table before anything is written. A blank
ID becomes `generic:` + a hash of the line (identical lines are then one transaction); a blank Wallet
becomes `--wallet`, else `Default`, the table's wallet when it has no Wallet column.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptotax_core.imports.builder import Builder, Format, content_id
from cryptotax_core.imports.source import Source
from cryptotax_core.table import COLUMNS, DEFAULT_WALLET, REQUIRED, match_header
from cryptotax_core.values import neutralized

NAME = "generic"
_NUMBERS_AND_DATES = frozenset({"Date", "Quantity", "USD Value", "Fee USD", "Received Quantity"})


def matches(header: Sequence[str]) -> bool:
    positions = match_header(header)
    return all(name in positions for name in REQUIRED)


def convert(source: Source, out: Builder) -> None:
    positions = match_header(source.columns.header)
    for row in source.rows:
        values = dict.fromkeys(COLUMNS, "")
        for name, index in positions.items():
            text = row.cells[index].strip()
            # numbers and dates are checked by the table's validation (a formula is neither); text is neutralized
            values[name] = text if name in _NUMBERS_AND_DATES else neutralized(text)
        values["ID"] = values["ID"] or content_id(NAME, row)
        values["Wallet"] = values["Wallet"] or neutralized(out.wallet)
        out.add_values(row, values["ID"], values)
        out.advance()


FORMAT = Format(NAME, DEFAULT_WALLET, {}, (), convert, match=matches)
