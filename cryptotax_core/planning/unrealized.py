"""Unrealized gain or loss of every open lot at the prices the user gives, on a planning date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cryptotax_core.holding import long_term_from, term_of
from cryptotax_core.model import Lot, Term
from cryptotax_core.planning.prices import Prices, times
from cryptotax_core.summary import Totals, cents
from cryptotax_core.values import plain


@dataclass(frozen=True, slots=True)
class LotValue:
    """One open lot valued on a date.

    value: quantity x price (exact). gain: what selling the whole lot would report, the value and the
    basis each in cents as a Form 8949 line has them (negative: a loss). term: short or long if sold on
    `on` (docs/rules.md#holding-period). days_to_long_term: 0 once it is long-term.
    """

    lot: Lot
    on: date
    price: Decimal

    @property
    def value(self) -> Decimal:
        return times(self.lot.quantity, self.price)

    @property
    def gain(self) -> Decimal:
        return Totals(cents(self.value), cents(self.lot.cost_basis)).gain

    @property
    def term(self) -> Term:
        return term_of(self.lot.acquired, self.on)

    @property
    def long_term_from(self) -> date:
        return long_term_from(self.lot.acquired)

    @property
    def days_to_long_term(self) -> int:
        return max(0, (self.long_term_from - self.on).days)

    @property
    def lot_ids(self) -> str:
        """The whole lot as a Lot IDs entry for a sale row (`ID:quantity`)."""
        return lot_pick_text(self.lot.lot_id, self.lot.quantity)


@dataclass(frozen=True, slots=True)
class Unrealized:
    """The open lots that have a price, and the assets held that have none (left out, never guessed)."""

    on: date
    lots: tuple[LotValue, ...]
    unpriced: dict[str, int]  # asset -> number of open lots left out

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"no price given for {asset}: its {count} open lot{'s' if count > 1 else ''} "
                     f"{'are' if count > 1 else 'is'} left out" for asset, count in self.unpriced.items())


def unrealized(lots: Iterable[Lot], prices: Prices, on: date) -> Unrealized:
    """Value `lots` (open at the end of `on`) at `prices`; an asset without a price is left out and
    named in `unpriced`."""
    valued: list[LotValue] = []
    unpriced: dict[str, int] = {}
    for lot in lots:
        price = prices.get(lot.asset)
        if price is None:
            unpriced[lot.asset] = unpriced.get(lot.asset, 0) + 1
        else:
            valued.append(LotValue(lot, on, price))
    return Unrealized(on, tuple(valued), dict(sorted(unpriced.items())))


def lot_pick_text(lot_id: str, quantity: Decimal) -> str:
    """`ID:quantity` as the Lot IDs column reads it."""
    return f"{lot_id}:{plain(quantity)}"
