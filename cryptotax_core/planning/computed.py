"""One history under one set of settings, computed once and shared by every planning question about it.

The whole history, its state at the end of a planning date, and the engine's checkpoint at the start of a year
(`engine.Checkpoint`) are each worked out on first use and kept. A planner that changes one year (another method,
other Lot IDs, a sale added) computes from that year's checkpoint: the earlier years are not processed again and
their disposals and carryovers are those of the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from operator import attrgetter
from typing import Final, TypeVar

from cryptotax_core.engine import Checkpoint, compute_with_checkpoints, rows_through, start_day
from cryptotax_core.model import Issue, Result, Transaction
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.planning.identify import Searches
from cryptotax_core.planning.recent import Recent
from cryptotax_core.settings import Settings
from cryptotax_core.wash import WASH_SALE_DAYS

T = TypeVar("T")
_START: Final = attrgetter("start")


class Computed:
    """`transactions` under `settings` (with the table's `warnings`), computed on demand, each answer once."""

    def __init__(self, transactions: Sequence[Transaction], settings: Settings, warnings: Sequence[Issue] = (), *,
                 previous: Computed | None = None) -> None:
        """`previous`: the same table before some rows were added or changed (a paste), under the same settings:
        its checkpoints before the first changed row are used, and the history is computed from the latest."""
        self.transactions = transactions
        self.settings = settings
        self.warnings = tuple(warnings)
        self._result: Result | None = None
        self._until: dict[date, Result] = {}
        self._checkpoints: dict[int | date, Checkpoint] = {}
        self._previous = previous
        self._wanted: set[int | date] = set()
        self.searches: Searches = previous.searches if previous is not None else Searches()  # each answers its own
        self._lasting: Recent[object] = previous._lasting if previous is not None else Recent()

    def lasting(self, key: tuple[object, ...], day: date, answer: Callable[[], T]) -> T:
        """An answer that depends on `key`, the settings and the rows dated up to `day` only, worked out once and
        kept for the table after a paste while those rows stay the same (a harvest on a date)."""
        question = (*key, self.settings, day, rows_through(in_processing_order(self.transactions), day))
        found = self._lasting.find(question)
        if found is None:
            found = answer()
            self._lasting.add(question, found)
        return found  # type: ignore[return-value]

    def want(self, *starts: int | date) -> None:
        """Checkpoints the run of the whole history is to keep besides its last two years' (a planner that knows
        its dates asks before the history is computed, so that none is computed again)."""
        self._wanted.update(starts)

    @property
    def result(self) -> Result:
        """The whole history. Raises `InputError` if it cannot be computed. The same run keeps the checkpoints
        at the start of the history's last two years, those planners ask for most (the year of the latest rows
        and the year before it), and those `want`ed."""
        if self._result is None:
            last = max((tx.when for tx in self.transactions), default=None)
            years = () if last is None else (last.year - 1, last.year)
            starts = {*years, *self._wanted}
            earlier = self._lent()
            self._previous = None  # not kept alive by this one
            self._result, kept = compute_with_checkpoints(self.transactions, self.settings, self.warnings, starts,
                                                          resume=earlier)
            for year, checkpoint in kept.items():
                self._checkpoints.setdefault(year, checkpoint)
        return self._result

    def _lent(self) -> list[Checkpoint]:
        """The year checkpoints of the table before a paste, under the same settings."""
        if self._previous is None or self._previous.settings != self.settings:
            return []
        return [*self._previous.checkpoints.values()]

    @property
    def checkpoints(self) -> dict[int, Checkpoint]:
        """The checkpoints at the start of a year kept so far, by year."""
        return {start: checkpoint for start, checkpoint in self._checkpoints.items() if isinstance(start, int)}

    def want_day(self, day: date) -> None:
        """`want` what `until(day)` and a planner starting on `day` go on from."""
        self.want(day - timedelta(days=WASH_SALE_DAYS), day)

    def until(self, day: date) -> Result:
        """The history up to the end of `day`: from the checkpoint 30 days before it, whose state the purchases
        after `day` cannot have changed (the wash-sale rule looks 30 days ahead of a sale), kept for the planners
        that start on `day` (`checkpoint(day)` goes on from it)."""
        if day not in self._until:
            start = day - timedelta(days=WASH_SALE_DAYS)  # as `want_day` asks
            if start in self._checkpoints or any(kept.start <= start for kept in self._checkpoints.values()):
                self._until[day] = self.checkpoint(start).compute(self.transactions, self.settings, until=day)
            else:  # nothing to go on from: one run to the end of the day keeps the checkpoints up to 30 days before
                starts = {start, *(wanted for wanted in self._wanted if start_day(wanted) <= start)}
                self._until[day], kept = compute_with_checkpoints(
                    self.transactions, self.settings, self.warnings, starts, until=day, resume=self._lent())
                for key, checkpoint in kept.items():
                    self._checkpoints.setdefault(key, checkpoint)
        return self._until[day]

    def checkpoint(self, start: int | date) -> Checkpoint:
        """The engine's state at the start of a year (`start`, a year) or of a day, to compute the history again
        from there; it goes on from the latest checkpoint before it that is kept already."""
        if start not in self._checkpoints:
            day = start_day(start)
            earlier = max((checkpoint for checkpoint in self._checkpoints.values() if checkpoint.start <= day),
                          key=_START, default=None)
            self._checkpoints[start] = Checkpoint(self.transactions, self.settings, start, self.warnings,
                                                  earlier=earlier)
        return self._checkpoints[start]

