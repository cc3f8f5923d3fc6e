"""Every problem in a table in one pass: the rows' own errors, then what the engine finds on the rows
without one (a sale of more units than are held, a named lot without the units asked of it)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptotax_core.engine import compute
from cryptotax_core.model import InputError, Issue
from cryptotax_core.settings import Settings
from cryptotax_core.table import Table


@dataclass(frozen=True, slots=True)
class Checked:
    """A table's errors in row order (empty when it computes) and its warnings. The engine runs without
    the rows that have errors of their own, so what it finds for an asset named on such a row may only
    follow from leaving that row out: those findings are held back, and `held_back` names the assets."""

    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    transactions: int
    held_back: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def held_back_note(self) -> str:
        """The line under the errors naming the assets whose findings wait for rows with errors ('' if none)."""
        if not self.held_back:
            return ""
        return (f"(the holdings of {', '.join(self.held_back)} are checked once the rows above with errors are "
                f"fixed: they may depend on them)")


def check_table(table: Table, settings: Settings) -> Checked:
    """The errors of `table` (from `parse_table(..., keep_errors=True)`) and the engine's on its valid rows."""
    try:
        result = compute(table.transactions, settings, table.warnings)
    except InputError as exc:
        if "" in table.error_assets:  # a row with errors names no asset that can be read: any may follow
            found, held_back = list(exc.issues), set[str]()
        else:
            asset_of = {tx.row: tx.asset for tx in table.transactions}
            found, held_back = [], set[str]()
            for issue in exc.issues:
                asset = asset_of.get(issue.row)
                if asset in table.error_assets:
                    held_back.add(asset)
                else:
                    found.append(issue)
        errors = InputError([*table.errors, *found]).issues if found else table.errors
        return Checked(tuple(errors), table.warnings, len(table.transactions), tuple(sorted(held_back)))
    return Checked(table.errors, result.warnings, len(table.transactions))
