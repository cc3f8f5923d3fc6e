"""The order in which rows are processed: by date and time, ties in table order (docs/rules.md#which-units-are-sold).

Every module that walks a history the way the engine does takes its order from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from operator import attrgetter
from typing import Final

from cryptotax_core.model import Transaction

processing_key: Final[Callable[[Transaction], tuple[datetime, int]]] = attrgetter("when", "seq")
"""A row's place in the processing order: (date and time, position in the table). An attribute getter: it
runs in C, where a lambda or a function would run Python code for every row sorted."""
_when: Final[Callable[[Transaction], datetime]] = attrgetter("when")


def in_processing_order(transactions: Iterable[Transaction]) -> list[Transaction]:
    """The rows in processing order (`processing_key`). Rows given in table order need only a stable sort by
    date and time, whose keys compare without tuples, and none when they are in date order too (as exports
    usually are)."""
    ordered = list(transactions)
    previous = -1
    last = datetime.min
    dated = True  # in date order so far
    for tx in ordered:
        if tx.seq <= previous:
            ordered.sort(key=processing_key)
            return ordered
        previous = tx.seq
        if dated:
            dated = tx.when >= last
            last = tx.when
    if not dated:
        ordered.sort(key=_when)
    return ordered
