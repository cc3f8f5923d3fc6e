"""Pools of lots and the one loop that relieves units from them.

A pool holds the pieces of lots of one asset in one wallet (or in all wallets, under universal
pooling). The methods differ only in the order pieces are relieved, so each is a heap key; specific
identification takes named pieces first. Relief is O(log n) per piece touched: a heap with lazy
removal of emptied pieces.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from operator import itemgetter
from typing import Final

from cryptotax_core.holding import long_term_from
from cryptotax_core.model import (
    FIFO,
    HIFO,
    LIFO,
    LOFO,
    NAMED,
    SPECIFIC,
    AssetClass,
    Lot,
    LotPick,
    Method,
    Relief,
    make_lot,
)

_ZERO: Final = Decimal(0)
# Final: compiled, read from a C static (an imported name is looked up in the module's dict at each call)
_heappush: Final = heapq.heappush
_heappop: Final = heapq.heappop
SHARE_PLACES: Final = Decimal("1e-30")
PRECISION: Final = 60  # digits: 10^15 USD amounts and 18-decimal quantities multiply without rounding
# The engine's arithmetic, whatever the caller's context (engine.compute runs in a copy): shares round half
# to even, and an invalid operation raises (_unit_cost relies on it)
CONTEXT: Final = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
# bound to the context: a call with two positional arguments, where Decimal.quantize parses keywords
_quantize: Final = CONTEXT.quantize


def share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`total * part / whole` to 30 decimal places. Shares are split off a total whose remainder is
    kept by subtraction; with a fixed number of places every such sum and difference stays exact in the
    engine's 60-digit context (amounts below 10^29), so basis and proceeds are conserved to the last digit."""
    return _quantize(total * part / whole, SHARE_PLACES)


class Piece:
    """Working state of (part of) one lot in one pool. Mutable inside the engine only; the engine
    hands out frozen `Lot` and `Disposal` records."""

    __slots__ = ("acquired", "asset_class", "basis", "cost", "long_from", "lot_id", "owner", "quantity", "row",
                 "seq", "wallet", "washed")

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
        self.cost = -1  # the unit cost HIFO and LOFO rank by (see `_unit_cost`), once worked out
        self.owner: object = None  # the token of the pool that may change it in place (`Pool.share`)

    def moved(self, wallet: str, quantity: Decimal, basis: Decimal, *, pro_rata: bool = True) -> Piece:
        """The same lot (ID, acquisition date, order) with other units, in another wallet. With their share
        of the basis (`pro_rata`) the units keep the lot's unit cost; with more, theirs is worked out anew."""
        piece = Piece(self.lot_id, self.row, self.seq, wallet, self.acquired, quantity, basis, self.asset_class,
                      self.long_from)
        piece.washed = self.washed
        if pro_rata:
            piece.cost = self.cost
        return piece

    def take(self, quantity: Decimal) -> Decimal:
        """Remove `quantity` units and return their basis; the last units take all that is left, so
        the basis of a lot is conserved exactly."""
        basis = self.basis if quantity == self.quantity else share(self.basis, quantity, self.quantity)
        self.quantity -= quantity
        self.basis -= basis
        return basis

    def copy(self) -> Piece:
        """The same piece as a separate object (a resumed history changes it without changing this one)."""
        twin = Piece(self.lot_id, self.row, self.seq, self.wallet, self.acquired, self.quantity, self.basis,
                     self.asset_class, self.long_from)
        twin.washed = self.washed
        twin.cost = self.cost
        return twin

    def as_lot(self, asset: str) -> Lot:
        return make_lot(lot_id=self.lot_id, row=self.row, asset=asset, wallet=self.wallet, acquired=self.acquired,
                        quantity=self.quantity, cost_basis=self.basis, asset_class=self.asset_class)


COST_PLACES: Final = 30  # unit costs are ranked to this many decimal places
_SLOT_BITS: Final = 32  # room for a piece's slot in its pool below the rank in one heap key
_COST_SHIFT: Final = 2 * _SLOT_BITS  # the unit cost above the acquisition order (below 2^32) and the slot
_SLOT_MASK: Final = (1 << _SLOT_BITS) - 1
_COMPACT: Final = 4096


_COST_UNIT: Final = Decimal(1).scaleb(COST_PLACES)


def _unit_cost(piece: Piece) -> int:
    """The lot's unit cost including fees in units of 10^-30 USD, truncated, as an integer: integers
    compare several times faster than Decimals. Worked out once a lot, from the first piece ranked, and
    carried by the pieces split off with their share of its basis (whose own quotient could differ in
    the 30th place, by the rounding of the share). The basis is scaled first (exact: only the exponent
    changes) and divided to an integer (`//` works out only the quotient's integer digits, about half
    the work of a 60-digit quotient, and truncates exactly). A unit cost above 10^30 USD (the largest
    basis over the smallest quantity the table accepts) has more integer digits than the context
    holds: it is rounded to 60 digits first."""
    cost = piece.cost
    if cost < 0:
        scaled = piece.basis * _COST_UNIT
        try:
            cost = int(scaled // piece.quantity)
        except InvalidOperation:
            cost = int(scaled / piece.quantity)
        piece.cost = cost
    return cost


def _by_acquisition(piece: Piece, slot: int) -> int:
    """FIFO, and the units specific identification does not name: oldest first."""
    return (piece.seq << _SLOT_BITS) + slot  # small integers: no long arithmetic


def _by_acquisition_reversed(piece: Piece, slot: int) -> int:
    """LIFO: newest first (pieces of one acquisition in the order added)."""
    return slot - (piece.seq << _SLOT_BITS)


def _dearest_first(piece: Piece, slot: int) -> int:
    """HIFO: the highest unit cost including fees first (to 30 decimal places), ties oldest first."""
    return (piece.seq << _SLOT_BITS) + slot - (_unit_cost(piece) << _COST_SHIFT)


def _cheapest_first(piece: Piece, slot: int) -> int:
    """LOFO: the lowest unit cost including fees first (to 30 decimal places), ties oldest first."""
    return (piece.seq << _SLOT_BITS) + slot + (_unit_cost(piece) << _COST_SHIFT)


Rank = Callable[[Piece, int], int]
RANK: Final[dict[Method, Rank]] = {
    FIFO: _by_acquisition,
    LIFO: _by_acquisition_reversed,
    HIFO: _dearest_first,
    LOFO: _cheapest_first,
    SPECIFIC: _by_acquisition,
}
"""Relief order per method (docs/rules.md#which-units-are-sold), lowest key first: a method is a function of
a piece and its slot in the pool. `seq` is the order in which the engine processed the acquisitions, which is
the order of acquisition time, then row; a piece keeps it when it moves, so it stands for both (and compares
faster than the date-time). The key adds the piece's slot in the low 32 bits (below 2^32: one key per piece)."""


def rank(method: Method, piece: Piece, slot: int = 0) -> int:
    """The relief key of `piece` in slot `slot` under `method` (`RANK`)."""
    return RANK[method](piece, slot)


def relief_order(method: Method, lots: Sequence[Lot], acquisition_order: Sequence[int]) -> list[int]:
    """The indexes of `lots` in the order `method` relieves them, where `acquisition_order[i]` is the place of
    `lots[i]` in the order of acquisition: the engine's own rank functions in the engine's arithmetic, so
    unit costs that agree to 30 decimal places tie and break by acquisition, as in a pool."""
    rank_of = RANK[method]
    with localcontext(CONTEXT):
        pieces = [Piece(lot.lot_id, lot.row, acquisition_order[index], lot.wallet, lot.acquired, lot.quantity,
                        lot.cost_basis, lot.asset_class) for index, lot in enumerate(lots)]
        keys = [rank_of(piece, index) for index, piece in enumerate(pieces)]
    return sorted(range(len(lots)), key=keys.__getitem__)


_RELIEF_OF: Final = {FIFO: Relief.FIFO, LIFO: Relief.LIFO, HIFO: Relief.HIFO, LOFO: Relief.LOFO, SPECIFIC: Relief.FIFO}


def relief_name(method: Method) -> Relief:
    """How units not identified by Lot IDs are chosen: by the method, or FIFO under SPECIFIC
    (docs/rules.md#which-units-are-sold)."""
    return _RELIEF_OF[method]


Slice = tuple[Piece, Decimal, Decimal, Relief]
"""Units taken from one piece by a relief: (piece, quantity, basis, how), where `how` is the year's method's
relief or NAMED (a plain tuple: one is made per lot touched)."""


class PickError(Exception):
    """A named lot cannot give the units asked of it; relief continues by method."""


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A named lot that held fewer units than asked."""

    lot_id: str
    available: Decimal
    wanted: Decimal


class Pool:
    """The pieces of a pool under integer keys, `RANK[method](piece, slot)`: the rank of the method, then the
    order pieces were added (a deterministic last tie-break), the low bits naming the piece's slot in
    `slots` (integers compare without tuples). Keys added in increasing order (FIFO's acquisitions) queue
    in `run`, read from `head`; the others go to a heap; relief takes the lower of the two fronts, so the
    order is that of one heap. Emptied pieces leave lazily; a taken slot is cleared so the piece can be
    freed."""

    __slots__ = ("_by_id", "head", "heap", "held", "how", "method", "rank_of", "run", "slots", "token", "total")

    def __init__(self, method: Method) -> None:
        self.method = method
        self.rank_of: Rank = RANK[method]  # looked up once: an enum's hash runs Python code in 3.11
        self.how = relief_name(method)
        self.run: list[int] = []  # ascending keys, the first `head` of them taken
        self.head = 0
        self.heap: list[int] = []
        self.slots: list[Piece | None] = []  # slot -> piece; at most 2^32 pieces added to one pool
        self._by_id: dict[str, list[tuple[int, Piece]]] | None = None  # lot -> (slot, piece), built on first use
        self.total = _ZERO
        self.held: dict[str, Decimal] = {}  # units per wallet, kept in a pool of all wallets (universal pooling)
        self.token = object()  # carried by the pieces this pool may change in place (`share`)

    def copy(self, copies: dict[int, Piece]) -> Pool:
        """The same pool with its pieces copied; `copies` maps a piece's id to its copy, so that every
        holder of a piece (the pools, the engine's stock tracking) gets the same copy."""
        twin = self._twin()
        twin.slots = [None if piece is None else copied(piece, copies) for piece in self.slots]
        for piece in twin.slots:
            if piece is not None:
                piece.owner = twin.token
        return twin

    def share(self) -> Pool:
        """The same pool, its pieces shared with this one until either pool changes one (copy on write: a
        piece is changed in place only by the pool whose token it carries, `_own`). Shares the list of slots
        and the keys, not the pieces: a resumed history copies only the pieces it relieves (fast path of the
        planning searches, which resume one engine state hundreds of times; a copy of every piece took about
        1 µs a piece, 11 ms an asset at 100,000 rows). No one else may hold a piece to change it: the engine
        shares the pools of a history without stock only (`WashSales` keeps and changes stock pieces)."""
        twin = self._twin()
        twin.slots = list(self.slots)
        if self._by_id is not None:  # its lists are never changed in place: shared too
            twin._by_id = dict(self._by_id)
        self.token = object()  # this pool's pieces are shared now: it copies them too before changing them
        return twin

    def _twin(self) -> Pool:
        """A pool of the same keys and counts, without slots."""
        twin = Pool(self.method)
        twin.run = list(self.run)
        twin.head = self.head
        twin.heap = list(self.heap)
        twin.total = self.total
        twin.held = dict(self.held)
        return twin  # without `_by_id`, built again on first use from the open pieces in slot order, as it was

    def _own(self, slot: int, piece: Piece) -> Piece:
        """`piece`, in `slot`, as one this pool may change: itself when it carries this pool's token, else a copy
        that takes its place (`share`)."""
        if piece.owner is self.token:
            return piece
        twin = piece.copy()
        twin.owner = self.token
        self.slots[slot] = twin
        if self._by_id is not None:  # a new list: another pool may hold the old one (`share`)
            self._by_id[piece.lot_id] = [(slot, twin) if at == slot else (at, held)
                                         for at, held in self._by_id[piece.lot_id]]
        return twin

    def owned_pieces(self) -> list[Piece]:
        """`pieces()`, each this pool's own (`_own`), to be changed or moved to another pool: a piece added to
        a pool is that pool's alone."""
        return [self._own(slot, piece) for slot, piece in self._in_acquisition_order()]

    def add(self, piece: Piece) -> None:
        piece.owner = self.token
        key = self.rank_of(piece, len(self.slots))
        run = self.run
        if not run or key > run[-1]:
            run.append(key)
        else:
            _heappush(self.heap, key)
        self.slots.append(piece)
        if self._by_id is not None:  # a new list: another pool may hold the old one (`share`)
            self._by_id[piece.lot_id] = [*self._by_id.get(piece.lot_id, ()), (len(self.slots) - 1, piece)]
        self.total += piece.quantity

    def _open(self, keys: list[int]) -> list[tuple[int, Piece]]:
        """The open pieces under `keys`, with their slots, in the order of the keys."""
        slots = self.slots
        found = []
        for key in keys:
            slot = key & _SLOT_MASK
            piece = slots[slot]
            if piece is not None and piece.quantity:
                found.append((slot, piece))
        return found

    def _held(self) -> list[tuple[int, Piece]]:
        """Open pieces with their slots, in the order they were added."""
        held = self._open(self.run[self.head:]) + self._open(self.heap)
        held.sort(key=itemgetter(0))
        return held

    def pieces(self) -> list[Piece]:
        """Open pieces, oldest first (acquisition order, then the order added)."""
        return [piece for _, piece in self._in_acquisition_order()]

    def _in_acquisition_order(self) -> list[tuple[int, Piece]]:
        """Open pieces with their slots, oldest first (acquisition order, then the order added)."""
        if not self.heap and (self.method is FIFO or self.method is SPECIFIC):  # the keys are in that order
            return self._open(self.run[self.head:])
        held = self._held()
        held.sort(key=_seq_of_second)  # stable: pieces of one acquisition stay in the order added
        return held

    def reorder(self, method: Method) -> None:
        if method is not self.method:
            self.method = method
            self.how = relief_name(method)
            self.rank_of = rank_of = RANK[method]
            self.run = sorted(rank_of(piece, slot) for slot, piece in self._held())
            self.head = 0
            self.heap = []

    def by_id(self, lot_id: str) -> list[tuple[int, Piece]]:
        """The open pieces of a named lot with their slots, in the pool's order: when its pieces differ in unit
        cost (wash-sale replacement units carry the disallowed loss), the year's method says which go first, as a
        standing order does (docs/rules.md#which-units-are-sold); so naming the lots a method took takes the same
        units."""
        if self._by_id is None:
            self._by_id = {}
            for slot, piece in self._held():
                self._by_id.setdefault(piece.lot_id, []).append((slot, piece))
        entries = [(slot, piece) for slot, piece in self._by_id.get(lot_id, ()) if piece.quantity]
        if len(entries) > 1:
            entries.sort(key=self._key_of)
        if lot_id in self._by_id:
            self._by_id[lot_id] = entries  # a new list: another pool may hold the old one (`share`)
        return entries

    def _key_of(self, entry: tuple[int, Piece]) -> int:
        return self.rank_of(entry[1], entry[0])

    def relieve(  # noqa: C901
            self, quantity: Decimal, picks: tuple[LotPick, ...] = ()) -> tuple[list[Slice], list[Shortfall]]:
        """Take `quantity` units: named lots first, then by the pool's method. Returns the slices and
        the named lots that could not give what was asked. The caller checks `total` first; if the
        pool holds fewer units, the slices cover only what it holds. One function above the complexity
        limit: named lots and the method's order consume the same running `left` in the engine's most
        frequent call."""
        slices: list[Slice] = []
        problems: list[Shortfall] = []
        left = quantity
        for pick in picks:  # an empty tuple unless the row names lots
            if not left:
                break
            entries = self.by_id(pick.lot_id)
            want = min(pick.quantity or left, left)
            available = sum((piece.quantity for _, piece in entries), _ZERO)
            if not available or (pick.quantity is not None and available < want):
                problems.append(Shortfall(pick.lot_id, available, want))
                want = min(want, available)
            for slot, piece in entries:
                if not want:
                    break
                taken = min(want, piece.quantity)
                piece = self._own(slot, piece)
                slices.append((piece, taken, piece.take(taken), NAMED))
                want -= taken
                left -= taken
        how = self.how
        run = self.run
        head = self.head
        heap = self.heap
        slots = self.slots
        while left:
            from_run = head < len(run) and (not heap or run[head] < heap[0])
            if not from_run and not heap:
                break
            slot = (run[head] if from_run else heap[0]) & _SLOT_MASK
            top = slots[slot]
            if top is not None and top.quantity:
                if top.owner is not self.token:
                    top = self._own(slot, top)
                held = top.quantity
                if left < held:  # part of the piece, which stays at the front
                    slices.append((top, left, top.take(left), how))
                    left = _ZERO
                    break
                slices.append((top, held, top.basis, how))  # the whole piece: its whole basis, no division
                top.quantity = top.basis = _ZERO
                left -= held
            slots[slot] = None  # taken, or emptied by specific identification
            if from_run:
                head += 1
            else:
                _heappop(heap)
        if head == len(run):
            run.clear()
            head = 0
        elif head >= _COMPACT and 2 * head >= len(run):  # drop taken keys now and then: O(1) a key
            del run[:head]
            head = 0
        self.head = head
        self.total -= quantity - left
        return slices, problems


def copied(piece: Piece, copies: dict[int, Piece]) -> Piece:
    """The copy of `piece` in `copies` (by id), made on first use."""
    twin = copies.get(id(piece))
    if twin is None:
        twin = copies[id(piece)] = piece.copy()
    return twin


def _seq_of_second(item: tuple[int, Piece]) -> int:
    return item[1].seq
