"""Matching a broker's reported sales to the year's disposals, and the Form 8949 lines each needs.

A sale of the history is one disposal row (a Sell, Trade, Spend or transfer fee: its lot slices summed).
Passes, each on what the earlier ones left: one form line to one sale of the same asset, day and units
(to 1E-8 units); then, per asset and day, all the form's lines to all the sales when their units add up
(a broker lists a sale once per lot, or one line for several fills); then both again with the form's
date a day off (a broker's day in UTC or its own zone). What is left is a sale the form lacks, or a line
of the form the history lacks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cryptotax_core.model import Disposal, Term
from cryptotax_core.reconcile.form import FormLine

UNITS_TOLERANCE = Decimal("0.00000001")  # brokers round units to 8 places
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Sale:
    """One disposal row of the history: its lot slices."""

    tx_id: str
    row: int
    asset: str
    wallet: str
    sold: date
    slices: tuple[Disposal, ...]

    @property
    def units(self) -> Decimal:
        return sum((piece.quantity for piece in self.slices), Decimal(0))


@dataclass(frozen=True, slots=True)
class Match:
    """Form lines and sales found to be the same sales (either may be empty: unmatched)."""

    lines: tuple[FormLine, ...]
    sales: tuple[Sale, ...]
    day_off: bool = False  # the form's date is a day before or after the history's


def sales_of(disposals: Iterable[Disposal], year: int, wallets: set[str] | None) -> list[Sale]:
    """The year's disposal rows (in wallets `wallets`, casefolded, when given), in table order."""
    by_tx: dict[str, list[Disposal]] = defaultdict(list)
    for piece in disposals:
        if piece.disposed.year == year and (wallets is None or piece.wallet.casefold() in wallets):
            by_tx[piece.tx_id].append(piece)
    sales = [Sale(tx_id, pieces[0].row, pieces[0].asset, pieces[0].wallet, pieces[0].disposed, tuple(pieces))
             for tx_id, pieces in by_tx.items()]
    return sorted(sales, key=lambda sale: (sale.row, sale.tx_id))


def same_units(first: Decimal, second: Decimal) -> bool:
    return abs(first - second) <= UNITS_TOLERANCE


def match(lines: Sequence[FormLine], sales: Sequence[Sale]) -> list[Match]:
    """Every form line and every sale, in matches (see the module docstring)."""
    open_lines, open_sales = list(lines), list(sales)
    found: list[Match] = []
    for shift in (timedelta(0), _DAY, -_DAY):
        found += _one_to_one(open_lines, open_sales, shift)
        found += _by_day(open_lines, open_sales, shift)
    found += [Match((line,), ()) for line in open_lines]
    found += [Match((), (sale,)) for sale in open_sales]
    return found


def _key(asset: str, day: date) -> tuple[str, date]:
    return asset.casefold(), day


def _one_to_one(lines: list[FormLine], sales: list[Sale], shift: timedelta) -> list[Match]:
    found: list[Match] = []
    for line in list(lines):
        if line.units is None:
            candidates = [sale for sale in sales if _key(sale.asset, sale.sold + shift) == _key(line.asset, line.sold)]
            if len(candidates) != 1:  # without units, only a day's one sale of the asset is that sale
                continue
        else:
            candidates = [sale for sale in sales if _key(sale.asset, sale.sold + shift) == _key(line.asset, line.sold)
                          and same_units(sale.units, line.units)]
        if candidates:
            lines.remove(line)
            sales.remove(candidates[0])
            found.append(Match((line,), (candidates[0],), bool(shift)))
    return found


def _by_day(lines: list[FormLine], sales: list[Sale], shift: timedelta) -> list[Match]:
    """A day's lines and sales of one asset whose units add up: one group."""
    found: list[Match] = []
    days: dict[tuple[str, date], list[FormLine]] = defaultdict(list)
    for line in lines:
        days[_key(line.asset, line.sold)].append(line)
    for day_key, day_lines in days.items():
        day_sales = [sale for sale in sales if _key(sale.asset, sale.sold + shift) == day_key]
        if not day_sales or any(line.units is None for line in day_lines):
            continue
        form_units = sum((line.units or Decimal(0) for line in day_lines), Decimal(0))
        if same_units(form_units, sum((sale.units for sale in day_sales), Decimal(0))):
            for line in day_lines:
                lines.remove(line)
            for sale in day_sales:
                sales.remove(sale)
            found.append(Match(tuple(day_lines), tuple(day_sales), bool(shift)))
    return found


def terms(sales: Iterable[Sale]) -> dict[Term, list[Disposal]]:
    """The sales' lot slices by term, short first."""
    by_term: dict[Term, list[Disposal]] = {}
    for term in (Term.SHORT, Term.LONG):
        pieces = [piece for sale in sales for piece in sale.slices if piece.term is term]
        if pieces:
            by_term[term] = pieces
    return by_term
