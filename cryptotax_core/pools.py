"""Pools of lots and the one loop that relieves units from them.

A pool holds the pieces of lots of one asset in one wallet (or in all wallets, under universal
pooling). The methods differ only in the order pieces are relieved, so each is a heap key; specific
identification takes named pieces first. Relief is O(log n) per piece touched: a heap with lazy
removal of emptied pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from heapq import heapify, heappop, heappush
from typing import Final

from cryptotax_core.holding import long_term_from
from cryptotax_core.model import AssetClass, Lot, LotPick, Method

_ZERO: Final = Decimal(0)
SHARE_PLACES: Final = Decimal("1e-30")


def share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`total * part / whole` to 30 decimal places. Shares are split off a total whose remainder is
    kept by subtraction; with a fixed number of places every such sum and difference stays exact in the
    engine's 60-digit context (amounts below 10^29), so basis and proceeds are conserved to the last digit."""
    return (total * part / whole).quantize(SHARE_PLACES)


class Piece:
    """Working state of (part of) one lot in one pool. Mutable inside the engine only; the engine
    hands out frozen `Lot` and `Disposal` records."""

    __slots__ = ("acquired", "asset_class", "basis", "long_from", "lot_id", "quantity", "row", "seq", "wallet",
                 "washed")

    def __init__(self, lot_id: str, row: int, seq: int, wallet: str, acquired: date, quantity: Decimal,
                 basis: Decimal, asset_class: AssetClass, long_from: date | None = None) -> None:
        self.lot_id = lot_id
        self.row = row
        self.seq = seq  # processing order of the acquisition: the order of acquisition time, then row
        self.wallet = wallet
        self.acquired = acquired
        self.long_from = long_term_from(acquired) if long_from is None else long_from
        self.quantity = quantity
        self.basis = basis
        self.asset_class = asset_class
        self.washed = False  # replacement units of a wash sale: their basis and date are adjusted already

    def moved(self, wallet: str, quantity: Decimal, basis: Decimal) -> Piece:
        """The same lot (ID, acquisition date, order) with other units, in another wallet."""
        piece = Piece(self.lot_id, self.row, self.seq, wallet, self.acquired, quantity, basis, self.asset_class,
                      self.long_from)
        piece.washed = self.washed
        return piece

    def take(self, quantity: Decimal) -> Decimal:
        """Remove `quantity` units and return their basis; the last units take all that is left, so
        the basis of a lot is conserved exactly."""
        basis = self.basis if quantity == self.quantity else share(self.basis, quantity, self.quantity)
        self.quantity -= quantity
        self.basis -= basis
        return basis

    def as_lot(self, asset: str) -> Lot:
        # tuple.__new__: without the interpreted __new__ of a named tuple (every field given)
        return tuple.__new__(Lot, (self.lot_id, self.row, asset, self.wallet, self.acquired, self.quantity, self.basis,
                                   self.asset_class))


COST_PLACES: Final = 30  # unit costs are ranked to this many decimal places
_SEQ_BITS: Final = 64  # room for the acquisition order below the unit cost in one integer key


def _unit_cost(piece: Piece) -> int:
    """The unit cost including fees in units of 10^-30 USD (truncated), as an integer: heap keys of
    integers compare several times faster than Decimals."""
    return int((piece.basis / piece.quantity).scaleb(COST_PLACES))


ORDER: Final[dict[Method, Callable[[Piece], int]]] = {
    Method.FIFO: lambda piece: piece.seq,
    Method.LIFO: lambda piece: -piece.seq,
    Method.HIFO: lambda piece: (-_unit_cost(piece) << _SEQ_BITS) + piece.seq,
    Method.LOFO: lambda piece: (_unit_cost(piece) << _SEQ_BITS) + piece.seq,
    Method.SPECIFIC: lambda piece: piece.seq,  # units not identified: FIFO (domain.md)
}
"""Relief order per method (domain.md, Which units are sold), lowest key first: HIFO/LOFO rank by unit
cost including fees (to 30 decimal places), ties by acquisition time, then row. `seq` is the order in
which the engine processed the acquisitions, which is the order of acquisition time, then row; a piece
keeps it when it moves, so it stands for both (and compares faster than the date-time)."""


def relief_name(method: Method) -> str:
    """How units not identified by Lot IDs are chosen: the method, or FIFO under SPECIFIC (domain.md)."""
    return "FIFO" if method is Method.SPECIFIC else method.value


Slice = tuple[Piece, Decimal, Decimal, str]
"""Units taken from one piece by a relief: (piece, quantity, basis, how), where `how` is the method's
name or "specific" (a plain tuple: one is made per lot touched)."""


class PickError(Exception):
    """A named lot cannot give the units asked of it; relief continues by method."""


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A named lot that held fewer units than asked."""

    lot_id: str
    available: Decimal
    wanted: Decimal


class Pool:
    __slots__ = ("_by_id", "count", "heap", "how", "method", "order", "total")

    def __init__(self, method: Method) -> None:
        self.method = method
        self.order = ORDER[method]
        self.how = relief_name(method)
        self.heap: list[tuple[int, int, Piece]] = []
        self._by_id: dict[str, list[Piece]] | None = None  # built on the first specific identification
        self.count = 0  # insertion order: a deterministic last tie-break
        self.total = _ZERO

    def add(self, piece: Piece) -> None:
        self.count += 1
        heappush(self.heap, (self.order(piece), self.count, piece))
        if self._by_id is not None:
            self._by_id.setdefault(piece.lot_id, []).append(piece)
        self.total += piece.quantity

    def pieces(self) -> list[Piece]:
        """Open pieces, oldest first."""
        entries = sorted((entry for entry in self.heap if entry[2].quantity),
                         key=lambda entry: (entry[2].seq, entry[1]))
        return [entry[2] for entry in entries]

    def reorder(self, method: Method) -> None:
        if method is not self.method:
            self.method = method
            self.order = order = ORDER[method]
            self.how = relief_name(method)
            self.heap = [(order(piece), count, piece) for _, count, piece in self.heap if piece.quantity]
            heapify(self.heap)

    def by_id(self, lot_id: str) -> list[Piece]:
        if self._by_id is None:
            self._by_id = {}
            for _, _, piece in sorted(self.heap, key=lambda entry: entry[1]):
                if piece.quantity:
                    self._by_id.setdefault(piece.lot_id, []).append(piece)
        pieces = self._by_id.get(lot_id, [])
        pieces[:] = [piece for piece in pieces if piece.quantity]
        return pieces

    def relieve(self, quantity: Decimal, picks: tuple[LotPick, ...] = ()) -> tuple[list[Slice], list[Shortfall]]:
        """Take `quantity` units: named lots first, then by the pool's method. Returns the slices and
        the named lots that could not give what was asked. The caller checks `total` first; if the
        pool holds fewer units, the slices cover only what it holds."""
        slices: list[Slice] = []
        problems: list[Shortfall] = []
        left = quantity
        for pick in picks:  # an empty tuple unless the row names lots
            if not left:
                break
            pieces = self.by_id(pick.lot_id)
            want = min(pick.quantity or left, left)
            available = sum((piece.quantity for piece in pieces), _ZERO)
            if not available or (pick.quantity is not None and available < want):
                problems.append(Shortfall(pick.lot_id, available, want))
                want = min(want, available)
            for piece in pieces:
                if not want:
                    break
                taken = min(want, piece.quantity)
                slices.append((piece, taken, piece.take(taken), "specific"))
                want -= taken
                left -= taken
        how = self.how
        heap = self.heap
        pop = heappop
        while left and heap:
            piece = heap[0][2]
            held = piece.quantity
            if not held:
                pop(heap)
            elif left >= held:  # the whole piece: its whole basis, no division
                slices.append((piece, held, piece.basis, how))
                piece.quantity = piece.basis = _ZERO
                left -= held
                pop(heap)
            else:
                slices.append((piece, left, piece.take(left), how))
                left = _ZERO
        self.total -= quantity - left
        return slices, problems
