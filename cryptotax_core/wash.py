"""Wash sales (docs/rules.md#wash-sales): a loss on stock with a purchase of the same stock within 30 days.

`Purchases` indexes the purchases of a history by asset, in processing order, so that the engine's
wash-sale rule and the harvest planner find the purchases within 30 days of a day with two binary searches.
`WashSales` applies the rule as the engine goes: it disallows a loss, moves it to the replacement units and
counts the crypto losses that only get a warning.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from cryptotax_core.model import BUY, STOCK, TRADE, Disposal, Issue, Transaction
from cryptotax_core.pools import Piece, Pool, copied, share

WASH_SALE_DAYS: Final = 30  # Sec. 1091: purchases within 30 days before or after a loss sale (docs/rules.md#wash-sales)
CRYPTO_WASH_ROWS: Final = 5  # a crypto warning lists this many rows; the search for more stops there
_LAST_ORDINAL: Final = date.max.toordinal()
_ZERO: Final = Decimal(0)


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

    def __init__(self, ordered: Sequence[Transaction], prefix: Purchases | None = None) -> None:
        """`prefix`: the purchases of the first rows of `ordered` (the same rows), looked up there, not indexed
        again (the engine's `Checkpoint` resumes a history after the rows before a year, hundreds of times in a
        planning search)."""
        self.ordered = ordered
        self.prefix = prefix
        self.by_asset: dict[str, tuple[list[datetime], list[int]]] = {}  # asset -> (times, indexes in ordered)
        start = 0 if prefix is None else len(prefix.ordered)
        for index in range(start, len(ordered)):
            tx = ordered[index]
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
        earlier = [] if self.prefix is None else self.prefix.window(asset, day)
        found = self.by_asset.get(asset)
        if found is None:
            return earlier
        times, indexes = found
        ordinal = day.toordinal()
        first = date.fromordinal(max(ordinal - WASH_SALE_DAYS, 1))
        last = date.fromordinal(min(ordinal + WASH_SALE_DAYS, _LAST_ORDINAL))
        low = bisect_left(times, datetime.combine(first, time.min))
        high = bisect_right(times, datetime.combine(last, time.max))
        return [*earlier, *indexes[low:high]] if earlier else indexes[low:high]

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


class WashSales:
    """The wash-sale rule's state through one computation: the purchases, the units of each already used as
    a replacement, the losses waiting for a purchase still to come, the pieces of every stock lot (to find
    replacement units held) and, per crypto asset and year, the rows of losses with a purchase nearby."""

    def __init__(self, purchases: Purchases) -> None:
        self.purchases = purchases
        self.replaced: dict[str, Decimal] = {}  # units of a purchase already used as wash-sale replacement
        self.pending: dict[str, list[tuple[Decimal, Decimal, int]]] = {}  # purchase -> (units, loss, days held)
        self.stock_pieces: dict[str, list[Piece]] = {}  # stock lot -> its pieces, for replacements held
        self.crypto_washes: dict[tuple[str, int], list[int]] = {}  # (asset, year) -> rows of loss sales

    def copy(self, copies: dict[int, Piece]) -> WashSales:
        """The same state, for a copy of the engine (`engine.Checkpoint`): the stock pieces through `copies`
        (a piece's id -> its copy), so the copy's pools and this state hold the same pieces."""
        twin = WashSales(self.purchases)
        twin.replaced = dict(self.replaced)
        twin.pending = {lot_id: list(entries) for lot_id, entries in self.pending.items()}
        twin.stock_pieces = {lot_id: [copied(piece, copies) for piece in pieces]
                             for lot_id, pieces in self.stock_pieces.items()}
        twin.crypto_washes = {key: list(rows) for key, rows in self.crypto_washes.items()}
        return twin

    def loss_sale(self, tx: Transaction, disposals: list[Disposal], first: int, seq: int, year: int, day: date,
                  pool_of: Callable[[str], Pool]) -> None:
        """Sec. 1091 (docs/rules.md#wash-sales; Pub. 550): a loss on stock is disallowed when the same stock
        is bought within 30 days before or after the sale. Each loss slice (`disposals[first:]`, the sale's,
        processed `seq`-th on `day`) is matched with replacement units, earliest purchase first, each unit
        replacing one sold unit once (fewer replacement units than sold: that share of the loss only). The
        disallowed loss is the slice's Form 8949 adjustment (code W) and is added to the replacement units'
        basis, whose holding period takes in the days the sold units were held. A purchase counts when it is a
        Buy or a Trade that receives the stock, is not among the units sold, and, if bought before the sale,
        is still held (in `pool_of(wallet)`). Crypto is property, not stock: a loss with a purchase in the
        window is only counted for a warning."""
        sold = disposals[first:]
        lots_sold = {disposal.lot_id for disposal in sold}
        if tx.asset_class is not STOCK:
            rows = self.crypto_washes.setdefault((tx.asset, year), [])
            if len(rows) <= CRYPTO_WASH_ROWS and self.purchases.around(tx.asset, day, lots_sold, first_only=True):
                rows.append(tx.row)
            return
        candidates = self.purchases.around(tx.asset, day, lots_sold)
        for index, disposal in enumerate(sold, first):
            loss = disposal.cost_basis - disposal.proceeds
            if loss <= 0:
                continue
            need, disallowed = disposal.quantity, _ZERO
            days_held = (disposal.disposed - disposal.acquired).days
            for bought_seq, lot_id, quantity in candidates:
                free = quantity - self.replaced.get(lot_id, _ZERO)
                if bought_seq < seq:  # bought before the sale: only units still held can take the loss
                    free = min(free, sum((piece.quantity for piece in self.stock_pieces.get(lot_id, ())
                                          if not piece.washed), _ZERO))
                if free <= 0:
                    continue
                units = min(free, need)
                need -= units
                # the last units of the slice take what is left of its loss, so the parts add up exactly
                part = loss - disallowed if not need else share(loss, units, disposal.quantity)
                self.replaced[lot_id] = self.replaced.get(lot_id, _ZERO) + units
                if bought_seq < seq:
                    self.held(lot_id, units, part, days_held, pool_of)
                else:
                    self.pending.setdefault(lot_id, []).append((units, part, days_held))
                disallowed += part
                if not need:
                    break
            if disallowed:
                disposals[index] = disposal._replace(adjustment=disallowed, adjustment_code="W")

    def held(self, lot_id: str, units: Decimal, loss: Decimal, days_held: int, pool_of: Callable[[str], Pool]) -> None:
        """Replacement units already held: split them off their pieces with the loss and the tacked date."""
        for piece in self.stock_pieces.get(lot_id, ()):
            if not units:
                break
            if piece.washed or not piece.quantity:
                continue
            taken = min(units, piece.quantity)
            extra = loss if taken == units else share(loss, taken, units)
            pool = pool_of(piece.wallet)
            pool.total -= taken
            replacement = _tacked(piece, taken, piece.take(taken) + extra, days_held)
            pool.add(replacement)
            self.track(replacement)
            units -= taken
            loss -= extra

    def replacements(self, piece: Piece) -> list[Piece]:
        """A stock purchase (`piece`, a lot the engine is adding) bought after wash sales: its replacement
        units split off with the disallowed loss added and the tacked date, tracked; `piece` keeps the rest."""
        split = []
        for units, loss, days_held in self.pending.pop(piece.lot_id, ()):
            taken = min(units, piece.quantity)
            replacement = _tacked(piece, taken, piece.take(taken) + loss, days_held)
            self.track(replacement)
            split.append(replacement)
        return split

    def track(self, piece: Piece) -> None:
        """A piece of a stock lot, where replacement units held may be found."""
        self.stock_pieces.setdefault(piece.lot_id, []).append(piece)

    def crypto_warnings(self) -> list[Issue]:
        """One warning per crypto asset and year with losses that had a purchase within 30 days, naming the
        first rows, in the order of their first row."""
        warnings = []
        flagged = [(asset, year, rows) for (asset, year), rows in self.crypto_washes.items() if rows]
        for asset, year, rows in sorted(flagged, key=lambda item: item[2][0]):
            if len(rows) == 1:
                count, had, shown = "1 sale", "had", f"row {rows[0]}"
                counts = "the loss counts; a future rule could disallow it"
            else:
                count = f"{len(rows)} sales" if len(rows) <= CRYPTO_WASH_ROWS else f"more than {CRYPTO_WASH_ROWS} sales"
                more = ", ..." if len(rows) > CRYPTO_WASH_ROWS else ""
                had, shown = "each had", "rows " + ", ".join(map(str, rows[:CRYPTO_WASH_ROWS])) + more
                counts = "the losses count; a future rule could disallow them"
            warnings.append(Issue(rows[0], "", (
                f"{count} of {asset} at a loss in {year} {had} a purchase of {asset} within 30 days "
                f"before or after ({shown}): the wash-sale rule applies to stock, not to crypto today "
                f"(docs/rules.md#wash-sales), so {counts}")))
        return warnings


def _tacked(piece: Piece, units: Decimal, basis: Decimal, days_held: int) -> Piece:
    """Replacement units of a wash sale: a piece of the same lot whose holding period takes in the days
    the sold units were held (Pub. 550), with the basis given."""
    acquired = piece.acquired - timedelta(days=days_held)
    replacement = Piece(piece.lot_id, piece.row, piece.seq, piece.wallet, acquired, units, basis, piece.asset_class)
    replacement.washed = True
    return replacement
