"""One history under one set of settings, computed once and shared by every planning question about it.

The whole history, its state at the end of a planning date, and the engine's checkpoint at the start of a year
(`engine.Checkpoint`) are each worked out on first use and kept. A planner that changes one year (another method,
other Lot IDs, a sale added) computes from that year's checkpoint: the earlier years are not processed again and
their disposals and carryovers are those of the whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from cryptotax_core.engine import Checkpoint, compute
from cryptotax_core.model import Issue, Result, Transaction
from cryptotax_core.settings import Settings
from cryptotax_core.wash import WASH_SALE_DAYS


class Computed:
    """`transactions` under `settings` (with the table's `warnings`), computed on demand, each answer once."""

    def __init__(self, transactions: Sequence[Transaction], settings: Settings, warnings: Sequence[Issue] = ()) -> None:
        self.transactions = transactions
        self.settings = settings
        self.warnings = tuple(warnings)
        self._result: Result | None = None
        self._until: dict[date, Result] = {}
        self._checkpoints: dict[int | date, Checkpoint] = {}

    @property
    def result(self) -> Result:
        """The whole history. Raises `InputError` if it cannot be computed."""
        if self._result is None:
            self._result = compute(self.transactions, self.settings, self.warnings)
        return self._result

    def until(self, day: date) -> Result:
        """The history up to the end of `day`."""
        if day not in self._until:
            if day < date(day.year, 1, 1) + timedelta(days=WASH_SALE_DAYS):  # the checkpoint could not be used
                self._until[day] = compute(self.transactions, self.settings, self.warnings, until=day)
            else:
                self._until[day] = self.checkpoint(day.year).compute(self.transactions, self.settings, until=day)
        return self._until[day]

    def checkpoint(self, start: int | date) -> Checkpoint:
        """The engine's state at the start of a year (`start`, a year) or of a day, to compute the history again
        from there; a day's goes on from its year's checkpoint when that one was asked for already."""
        if start not in self._checkpoints:
            earlier = self._checkpoints.get(start.year) if isinstance(start, date) else None
            self._checkpoints[start] = Checkpoint(self.transactions, self.settings, start, self.warnings,
                                                  earlier=earlier)
        return self._checkpoints[start]
