"""Wash sales (docs/rules.md#wash-sales): the purchases of an asset in the window around a loss sale.

`Purchases` indexes the purchases of a history by asset, in processing order, so that the engine's
wash-sale rule and the harvest planner find the purchases within 30 days of a day with two binary searches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final

from cryptotax_core.model import BUY, TRADE, Transaction

WASH_SALE_DAYS: Final = 30  # Sec. 1091: purchases within 30 days before or after a loss sale (docs/rules.md#wash-sales)
_LAST_ORDINAL: Final = date.max.toordinal()


def purchased(tx: Transaction) -> tuple[str, Decimal] | None:
    """The asset and units a row purchases for the wash-sale rule: a Buy, or a Trade that receives an
    asset (docs/rules.md#wash-sales); None for any other row."""
    if tx.tx_type is BUY:
        return tx.asset, tx.quantity
    if tx.tx_type is TRADE and tx.received_asset and tx.received_quantity:
        return tx.received_asset, tx.received_quantity
    return None


class Purchases:
    """The purchases (`purchased`) of rows given in processing order, per asset: their times and their
    places in the rows. O(n) to build, O(log n) to find the window around a day."""

    def __init__(self, ordered: Sequence[Transaction]) -> None:
        self.ordered = ordered
        self.by_asset: dict[str, tuple[list[datetime], list[int]]] = {}  # asset -> (times, indexes in ordered)
        for index, tx in enumerate(ordered):
            bought = purchased(tx)
            if bought is None:
                continue
            found = self.by_asset.get(bought[0])
            if found is None:
                found = self.by_asset[bought[0]] = ([], [])
            found[0].append(tx.when)
            found[1].append(index)

    def window(self, asset: str, day: date) -> list[int]:
        """The places (in the rows given) of the purchases of `asset` dated from `WASH_SALE_DAYS` before
        `day` to `WASH_SALE_DAYS` after it, in processing order."""
        found = self.by_asset.get(asset)
        if found is None:
            return []
        times, indexes = found
        ordinal = day.toordinal()
        first = date.fromordinal(max(ordinal - WASH_SALE_DAYS, 1))
        last = date.fromordinal(min(ordinal + WASH_SALE_DAYS, _LAST_ORDINAL))
        low = bisect_left(times, datetime.combine(first, time.min))
        high = bisect_right(times, datetime.combine(last, time.max))
        return indexes[low:high]

    def near(self, asset: str, day: date, sold: set[str] | frozenset[str] = frozenset()) -> list[Transaction]:
        """The purchase rows of `asset` in the window around `day`, but for those of the lots `sold` (a
        lot's ID is the ID of the row that acquired it), in processing order."""
        ordered = self.ordered
        return [ordered[index] for index in self.window(asset, day) if ordered[index].tx_id not in sold]

    def around(self, asset: str, day: date, sold: set[str], *, first_only: bool = False
               ) -> list[tuple[int, str, Decimal]]:
        """The purchases of the window around `day`, but for the lots sold (with `first_only`, just the
        first of them: enough to know there is one), as (processing order from 1, lot ID, units)."""
        ordered = self.ordered
        found = []
        for index in self.window(asset, day):
            tx = ordered[index]
            if tx.tx_id not in sold:
                bought = purchased(tx)
                assert bought is not None  # only purchases are indexed
                found.append((index + 1, tx.tx_id, bought[1]))
                if first_only:
                    break
        return found
