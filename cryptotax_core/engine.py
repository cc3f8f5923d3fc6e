"""The engine: transactions in date order -> disposals, open lots, income and the 2025 allocation.

Rules (docs/rules.md#gain-or-loss-of-one-disposal): basis = USD paid + acquisition fee; amount realized =
USD received - disposal fee; a Trade disposes of Asset at the fair market value of what is received
and acquires Received Asset with that value as basis; income is ordinary income at fair market value,
which becomes the new lot's basis; self-transfers move lots with their basis and acquisition date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from typing import Final

from cryptotax_core.holding import long_term_from
from cryptotax_core.model import (
    BUY,
    FEE_KIND,
    LONG,
    NAMED,
    SELL,
    SELL_KIND,
    SHORT,
    SHORTFALL,
    SPECIFIC,
    SPEND,
    SPEND_KIND,
    STOCK,
    TRADE,
    TRADE_KIND,
    TRANSFER,
    Allocation,
    Disposal,
    DisposalKind,
    IncomeEvent,
    InputError,
    Issue,
    Pooling,
    Result,
    Transaction,
    TransferFee,
    TxType,
    make_allocation,
    make_disposal,
    make_income,
    merge_adjacent,
)
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.pools import CONTEXT, Piece, Pool, Slice, share
from cryptotax_core.settings import Settings
from cryptotax_core.values import plain, without_cycle_collection
from cryptotax_core.wash import Purchases

# Treas. Reg. 1.1012-1(j): basis per wallet from 2025-01-01 (docs/rules.md#which-units-are-sold)
PER_WALLET_FROM: Final = 2025
_ALL_WALLETS: Final = "\x00all wallets"  # the pool key of universal pooling
_ZERO: Final = Decimal(0)
_VERB: Final = {TxType.SELL: "sells", TxType.TRADE: "trades", TxType.SPEND: "spends", TxType.TRANSFER: "sends"}
_HALF_CENT: Final = Decimal("0.005")
CRYPTO_WASH_ROWS: Final = 5  # a crypto warning lists this many rows; the search for more stops there
_ONE_DAY: Final = timedelta(days=1)


def compute(transactions: Iterable[Transaction], settings: Settings | None = None,
            warnings: Iterable[Issue] = (), *, until: date | None = None) -> Result:
    """Match lots for a whole history. Rows are taken in order of date and time, ties in table order;
    with `until`, rows dated after it are left out (the state at the end of that day).

    Raises `InputError` listing every disposal of more units than held (unless the settings allow a
    shortfall) and every named lot that cannot give the units asked of it.
    """
    with localcontext(CONTEXT):
        engine = _Engine(settings or Settings(), list(warnings))
        ordered = in_processing_order(transactions)
        if until is not None:
            ordered = [tx for tx in ordered if tx.day <= until]
        engine.purchases = Purchases(ordered)
        with without_cycle_collection():  # the loop and the records it makes
            for tx in ordered:
                engine.process(tx)
            return engine.finish()


class _Engine:
    def __init__(self, settings: Settings, warnings: list[Issue]) -> None:
        self.settings = settings
        self.universal = settings.pooling is Pooling.UNIVERSAL
        self.pools: dict[str, dict[str, Pool]] = {}  # asset -> wallet (or all wallets) -> pool
        # the day of the row being processed, the first moment after it, its year and the year's method
        # (rows come in date order: worked out once a day, not once a row)
        self.today = date.min
        self.tomorrow = datetime.min
        self.year = 0
        self.method = settings.method
        self.long_from: date | None = None  # the first day lots acquired today are long-term, once needed
        self.wallet_order: dict[str, int] = {}
        self.disposals: list[Disposal] = []
        self.income: list[IncomeEvent] = []
        self.allocation: list[Allocation] = []
        self.errors: list[Issue] = []
        self.warnings = warnings
        self.seq = 0
        self.purchases = Purchases([])
        self.replaced: dict[str, Decimal] = {}  # units of a purchase already used as wash-sale replacement
        self.pending: dict[str, list[tuple[Decimal, Decimal, int]]] = {}  # purchase -> (units, loss, days held)
        self.stock_pieces: dict[str, list[Piece]] = {}  # stock lot -> its pieces, for replacements held
        self.crypto_washes: dict[tuple[str, int], list[int]] = {}  # (asset, year) -> rows of loss sales

    # -- the rows -------------------------------------------------------------------------------
    def process(self, tx: Transaction) -> None:
        if tx.when >= self.tomorrow:
            self.new_day(tx.when)
        wallet_order = self.wallet_order
        if tx.wallet not in wallet_order:
            wallet_order[tx.wallet] = len(wallet_order)
        self.seq += 1
        value = tx.usd_value if tx.usd_value is not None else _ZERO
        fee = tx.fee_usd  # most rows have none: no new Decimal for value +/- 0
        tx_type = tx.tx_type
        if tx_type is BUY:
            self.acquire(tx, tx.asset, tx.quantity, value + fee if fee else value)
        elif tx_type is SELL:
            self.dispose(tx, self.take(tx, tx.quantity), value - fee if fee else value, SELL_KIND)
        elif tx_type is TRADE:
            self.dispose(tx, self.take(tx, tx.quantity), value - fee if fee else value, TRADE_KIND)
            if tx.received_asset and tx.received_quantity:
                self.acquire(tx, tx.received_asset, tx.received_quantity, value)
        elif tx_type is TRANSFER:
            self.transfer(tx)
        elif tx_type is SPEND:
            self.dispose(tx, self.take(tx, tx.quantity), value - fee if fee else value, SPEND_KIND)
        else:  # the income types
            self.acquire(tx, tx.asset, tx.quantity, value)
            self.income.append(make_income(row=tx.row, tx_id=tx.tx_id, income_type=tx_type, asset=tx.asset,
                                           wallet=tx.wallet, received=self.today, quantity=tx.quantity,
                                           usd_value=value))

    def new_day(self, when: datetime) -> None:
        """The first row of a day: its date, and the year's method when the year changes. Under universal
        pooling the first row from 2025 on starts the allocation to wallets."""
        day = self.today = when.date()
        self.long_from = None
        self.tomorrow = datetime.combine(day, time.min) + _ONE_DAY if day < date.max else datetime.max
        if day.year != self.year:
            self.year = day.year
            self.method = self.settings.method_for(day.year)
            if self.universal and day.year >= PER_WALLET_FROM:
                self.allocate()

    def acquire(self, tx: Transaction, asset: str, quantity: Decimal, basis: Decimal) -> None:
        if self.long_from is None:  # the day's first acquisition
            self.long_from = long_term_from(self.today)
        piece = Piece(tx.tx_id, tx.row, self.seq, tx.wallet, self.today, quantity, basis, tx.asset_class,
                      self.long_from)
        pool = self.pool(tx.wallet, asset)
        if tx.asset_class is STOCK:
            for replacement in self.replacements(piece, self.pending.pop(tx.tx_id, ())):
                pool.add(replacement)
                self.track(replacement)
            if not piece.quantity:
                return
            self.track(piece)
        pool.add(piece)
        if self.universal:
            _credit(pool, tx.wallet, quantity)

    def transfer(self, tx: Transaction) -> None:
        """Own-wallet transfer: lots move with basis and acquisition date. Units lost to the network
        fee are a disposal at Fee USD (Treas. Reg. 1.1001-7(b)(1)(ii)), or with the 'basis' setting
        their basis goes to the units that arrive (docs/rules.md#gain-or-loss-of-one-disposal: unsettled, a setting)."""
        to_wallet = tx.to_wallet or tx.wallet
        self.wallet_order.setdefault(to_wallet, len(self.wallet_order))
        received = tx.received_quantity if tx.received_quantity is not None else tx.quantity
        fee_units = tx.quantity - received
        dispose_fee = self.settings.transfer_fee is TransferFee.DISPOSE
        pool = self.unchanged_pool(tx) if self.universal and dispose_fee else None
        if pool is not None:
            self.fee_disposal(tx, fee_units, pool.relieve(fee_units)[0] if fee_units else [])
            _credit(pool, to_wallet, received)
            return
        slices = self.take(tx, tx.quantity)
        fee_slices, moved = _split_off(slices, fee_units)
        if dispose_fee:
            self.fee_disposal(tx, fee_units, fee_slices)
            extra = _ZERO
        else:
            extra = sum((basis for _, _, basis, _ in fee_slices), _ZERO) if fee_slices else tx.fee_usd
        destination = self.pool(to_wallet, tx.asset)
        extras = _shares(extra, moved, received) if extra else None
        for index, (piece, quantity, basis, _) in enumerate(moved):  # not zip(strict=True): a keyword call
            if extras is None:
                arrived = piece.moved(to_wallet, quantity, basis)
            else:
                arrived = piece.moved(to_wallet, quantity, basis + extras[index], pro_rata=False)
            destination.add(arrived)
            if arrived.asset_class is STOCK:
                self.track(arrived)
        if self.universal:
            _credit(destination, to_wallet, received)

    def unchanged_pool(self, tx: Transaction) -> Pool | None:
        """Under universal pooling, a transfer of units the wallet holds, naming no lots, under a method
        other than specific identification leaves the one pool as it is (the units keep their lots and
        their place in the order): that pool, with the sending wallet's balance debited here; else None."""
        pool = self.pool(tx.wallet, tx.asset)
        held = pool.held.get(tx.wallet, _ZERO)
        if tx.lot_ids or held < tx.quantity or pool.method is SPECIFIC:
            return None
        pool.held[tx.wallet] = held - tx.quantity
        return pool

    def fee_disposal(self, tx: Transaction, fee_units: Decimal, fee_slices: list[Slice]) -> None:
        """Units lost to a transfer's network fee are disposed of at Fee USD
        (docs/rules.md#gain-or-loss-of-one-disposal)."""
        if fee_slices:
            self.dispose(tx, fee_slices, tx.fee_usd, FEE_KIND)
            if not tx.fee_usd and not _below_half_a_cent(fee_slices):
                self.warn(tx, "Fee USD", f"the network fee of {plain(fee_units)} {tx.asset} is a disposal "
                                         f"with proceeds 0: enter its USD value in Fee USD")
        elif tx.fee_usd:
            self.warn(tx, "Fee USD", "not used: no units were lost to the fee (Received Quantity equals "
                                     "Quantity); with the transfer-fee setting 'basis' it is added to basis")

    def take(self, tx: Transaction, quantity: Decimal) -> list[Slice]:
        """Relieve units for a disposal or transfer; report shortfalls and unmet Lot IDs."""
        pool = self.pool(tx.wallet, tx.asset)
        universal = self.universal
        held = pool.held.get(tx.wallet, _ZERO) if universal else pool.total
        available = quantity if held >= quantity else held
        slices, unmet = pool.relieve(available, tx.lot_ids)
        if universal:
            pool.held[tx.wallet] = held - available
        for lot in unmet:
            self.errors.append(Issue(tx.row, "Lot IDs", f"the lot '{lot.lot_id}' has {plain(lot.available)} "
                                                        f"{tx.asset} left in '{tx.wallet}', not {plain(lot.wanted)}"))
        if tx.lot_ids:
            named = sum((units for _, units, _, how in slices if how is NAMED), _ZERO)
            if named < available and not unmet:
                self.warn(tx, "Lot IDs", f"the lots named cover {plain(named)} of {plain(quantity)} {tx.asset}; "
                                         f"the other {plain(available - named)} were taken by {pool.how}")
        elif pool.method is SPECIFIC and available:
            self.warn(tx, "Lot IDs", "no lots identified: FIFO used (the method for this year is specific "
                                     "identification)")
        if available < quantity:
            slices.append(self.shortfall(tx, quantity, held))
        return slices

    def shortfall(self, tx: Transaction, quantity: Decimal, held: Decimal) -> Slice:
        message = (f"{_VERB[tx.tx_type]} {plain(quantity)} {tx.asset} from '{tx.wallet}' on {tx.day} but "
                   f"{plain(held)} {'is' if held == 1 else 'are'} held there")
        if self.settings.allow_shortfall:
            self.warn(tx, "Quantity", f"{message}; the missing {plain(quantity - held)} have a zero cost basis")
        else:
            self.errors.append(Issue(tx.row, "Quantity", message))
        missing = Piece("shortfall", tx.row, self.seq, tx.wallet, tx.day, quantity - held, _ZERO, tx.asset_class)
        return missing, quantity - held, _ZERO, SHORTFALL

    def dispose(self, tx: Transaction, slices: list[Slice], proceeds: Decimal, kind: DisposalKind) -> None:
        disposed = self.today
        if len(slices) == 1:  # the usual case: one lot, all the proceeds
            lot, quantity, basis, how = slices[0]
            self.disposals.append(make_disposal(
                row=tx.row, tx_id=tx.tx_id, kind=kind, asset=tx.asset, wallet=tx.wallet, lot_id=lot.lot_id,
                quantity=quantity, acquired=lot.acquired, disposed=disposed, proceeds=proceeds, cost_basis=basis,
                term=LONG if disposed >= lot.long_from else SHORT, asset_class=tx.asset_class, method=how,
                reporting=tx.reporting))
            if proceeds < basis:
                self.wash_sale(tx, len(self.disposals) - 1)
            return
        first = len(self.disposals)
        quantity = sum((units for _, units, _, _ in slices), _ZERO)
        loss = False
        shares = _shares(proceeds, slices, quantity)
        for index, (lot, units, basis, how) in enumerate(slices):
            proceeds_share = shares[index]
            self.disposals.append(make_disposal(
                row=tx.row, tx_id=tx.tx_id, kind=kind, asset=tx.asset, wallet=tx.wallet, lot_id=lot.lot_id,
                quantity=units, acquired=lot.acquired, disposed=disposed, proceeds=proceeds_share, cost_basis=basis,
                term=LONG if disposed >= lot.long_from else SHORT, asset_class=tx.asset_class, method=how,
                reporting=tx.reporting))
            loss = loss or proceeds_share < basis
        if loss:
            self.wash_sale(tx, first)

    # -- wash sales -----------------------------------------------------------------------------
    def wash_sale(self, tx: Transaction, first: int) -> None:
        """Sec. 1091 (docs/rules.md#wash-sales; Pub. 550): a loss on stock is disallowed when the same stock
        is bought within 30 days before or after the sale. Each loss slice is matched with replacement
        units, earliest purchase first, each unit replacing one sold unit once (fewer replacement units
        than sold: that share of the loss only). The disallowed loss is the slice's Form 8949 adjustment
        (code W) and is added to the replacement units' basis, whose holding period takes in the days
        the sold units were held. A purchase counts when it is a Buy or a Trade that receives the stock,
        is not among the units sold, and, if bought before the sale, is still held. Crypto is property,
        not stock: a loss with a purchase in the window is only counted for a warning."""
        sold = self.disposals[first:]
        if tx.asset_class is not STOCK:
            rows = self.crypto_washes.setdefault((tx.asset, self.year), [])
            if len(rows) <= CRYPTO_WASH_ROWS and self.purchases.around(
                    tx.asset, self.today, {disposal.lot_id for disposal in sold}, first_only=True):
                rows.append(tx.row)
            return
        lots_sold = {disposal.lot_id for disposal in sold}
        candidates = self.purchases.around(tx.asset, self.today, lots_sold)
        for index, disposal in enumerate(sold, first):
            loss = disposal.cost_basis - disposal.proceeds
            if loss <= 0:
                continue
            need, disallowed = disposal.quantity, _ZERO
            days_held = (disposal.disposed - disposal.acquired).days
            for seq, lot_id, quantity in candidates:
                free = quantity - self.replaced.get(lot_id, _ZERO)
                if seq < self.seq:  # bought before the sale: only units still held can take the loss
                    free = min(free, sum((piece.quantity for piece in self.stock_pieces.get(lot_id, ())
                                          if not piece.washed), _ZERO))
                if free <= 0:
                    continue
                units = min(free, need)
                need -= units
                # the last units of the slice take what is left of its loss, so the parts add up exactly
                part = loss - disallowed if not need else share(loss, units, disposal.quantity)
                self.replaced[lot_id] = self.replaced.get(lot_id, _ZERO) + units
                if seq < self.seq:
                    self.wash_held(tx.asset, lot_id, units, part, days_held)
                else:
                    self.pending.setdefault(lot_id, []).append((units, part, days_held))
                disallowed += part
                if not need:
                    break
            if disallowed:
                self.disposals[index] = disposal._replace(adjustment=disallowed, adjustment_code="W")

    def wash_held(self, asset: str, lot_id: str, units: Decimal, loss: Decimal, days_held: int) -> None:
        """Replacement units already held: split them off their pieces with the loss and the tacked date."""
        for piece in self.stock_pieces.get(lot_id, ()):
            if not units:
                break
            if piece.washed or not piece.quantity:
                continue
            taken = min(units, piece.quantity)
            extra = loss if taken == units else share(loss, taken, units)
            pool = self.pools[asset][_ALL_WALLETS if self.universal else piece.wallet]
            pool.total -= taken
            replacement = _tacked(piece, taken, piece.take(taken) + extra, days_held)
            pool.add(replacement)
            self.track(replacement)
            units -= taken
            loss -= extra

    @staticmethod
    def replacements(piece: Piece, pending: Iterable[tuple[Decimal, Decimal, int]]) -> list[Piece]:
        """A purchase bought after a wash sale: its replacement units split off with the disallowed
        loss added and the tacked date; `piece` keeps the rest."""
        split = []
        for units, loss, days_held in pending:
            taken = min(units, piece.quantity)
            split.append(_tacked(piece, taken, piece.take(taken) + loss, days_held))
        return split

    def track(self, piece: Piece) -> None:
        self.stock_pieces.setdefault(piece.lot_id, []).append(piece)

    # -- pools ----------------------------------------------------------------------------------
    def pool(self, wallet: str, asset: str) -> Pool:
        """The pool of `asset` in `wallet` (or in all wallets), in the method of the current year."""
        method = self.method
        by_wallet = self.pools.get(asset)
        if by_wallet is None:
            by_wallet = self.pools[asset] = {}
        key = _ALL_WALLETS if self.universal else wallet
        pool = by_wallet.get(key)
        if pool is None:
            pool = by_wallet[key] = Pool(method)
        elif pool.method is not method:
            pool.reorder(method)
        return pool

    def allocate(self) -> None:
        """Rev. Proc. 2024-28 safe harbor (docs/rules.md#which-units-are-sold), by this global rule: per
        asset, the lots still open at the start of 2025-01-01, oldest first (acquisition time, then
        row), fill the wallets that hold the asset in the order the wallets were first used, each up
        to the units it holds; a lot that straddles two wallets is split with its basis pro rata."""
        self.universal = False
        method, self.method = self.method, self.settings.method_for(PER_WALLET_FROM)  # the pools' method on 2025-01-01
        universal = sorted((asset, by_wallet.pop(_ALL_WALLETS)) for asset, by_wallet in self.pools.items()
                           if _ALL_WALLETS in by_wallet)
        for asset, pool in universal:
            pieces = pool.pieces()
            holders = sorted((wallet for wallet, units in pool.held.items() if units > 0),
                             key=self.wallet_order.__getitem__)
            index = 0
            for wallet in holders:
                need = pool.held[wallet]
                target = self.pool(wallet, asset)
                while need and index < len(pieces):
                    piece = pieces[index]
                    if need >= piece.quantity:  # the whole piece: it leaves the dropped pool as it is
                        moved, units = piece, piece.quantity
                        piece.wallet = wallet
                        index += 1
                    else:
                        units = need
                        moved = piece.moved(wallet, units, piece.take(units))
                        if moved.asset_class is STOCK:
                            self.track(moved)
                    target.add(moved)
                    self.allocation.append(make_allocation(asset=asset, wallet=wallet, lot_id=moved.lot_id,
                                                           acquired=moved.acquired, quantity=units,
                                                           cost_basis=moved.basis))
                    need -= units
        self.allocation = merge_adjacent(self.allocation)
        self.method = method

    # -- the end --------------------------------------------------------------------------------
    def warn(self, tx: Transaction, column: str, message: str) -> None:
        self.warnings.append(Issue(tx.row, column, message))

    def finish(self) -> Result:
        if self.universal:
            self.allocate()
        flagged = [(asset, year, rows) for (asset, year), rows in self.crypto_washes.items() if rows]
        for asset, year, rows in sorted(flagged, key=lambda item: item[2][0]):
            count = f"{len(rows)} sale(s)" if len(rows) <= CRYPTO_WASH_ROWS else f"more than {CRYPTO_WASH_ROWS} sales"
            shown = ", ".join(map(str, rows[:CRYPTO_WASH_ROWS])) + (", ..." if len(rows) > CRYPTO_WASH_ROWS else "")
            self.warnings.append(Issue(rows[0], "", (
                f"{count} of {asset} at a loss in {year} had a purchase of {asset} within 30 days "
                f"before or after (rows {shown}): the wash-sale rule applies to stock, not to crypto today "
                f"(docs/rules.md#wash-sales), so the losses count; a future rule could disallow them")))
        if self.errors:
            raise InputError(self.errors)
        # by asset, wallet (a pool's key is its pieces' wallet now) and acquisition order
        pieces = [(asset, piece) for asset in sorted(self.pools) for _, pool in sorted(self.pools[asset].items())
                  for piece in pool.pieces()]
        return Result(
            disposals=tuple(self.disposals),
            lots=tuple(merge_adjacent(piece.as_lot(asset) for asset, piece in pieces)),
            income=tuple(self.income),
            allocation=tuple(self.allocation),
            warnings=tuple(sorted(self.warnings, key=lambda issue: issue.row)),
        )


def _tacked(piece: Piece, units: Decimal, basis: Decimal, days_held: int) -> Piece:
    """Replacement units of a wash sale: a piece of the same lot whose holding period takes in the days
    the sold units were held (Pub. 550), with the basis given."""
    acquired = piece.acquired - timedelta(days=days_held)
    replacement = Piece(piece.lot_id, piece.row, piece.seq, piece.wallet, acquired, units, basis, piece.asset_class)
    replacement.washed = True
    return replacement


def _credit(pool: Pool, wallet: str, quantity: Decimal) -> None:
    """Under universal pooling: `quantity` more units in `wallet`, in the pool of all wallets."""
    pool.held[wallet] = pool.held.get(wallet, _ZERO) + quantity


def _shares(total: Decimal, slices: list[Slice], quantity: Decimal) -> list[Decimal]:
    """Split `total` over slices in proportion to their units; the last takes the remainder, so the
    shares add up to `total` exactly."""
    if not slices:
        return []
    shares = []
    left = total
    for _, units, _, _ in slices[:-1]:
        part = share(total, units, quantity) if quantity else _ZERO
        shares.append(part)
        left -= part
    shares.append(left)
    return shares


def _split_off(slices: list[Slice], units: Decimal) -> tuple[list[Slice], list[Slice]]:
    """The first `units` of the slices, and the rest (basis split pro rata within a cut slice)."""
    head: list[Slice] = []
    tail: list[Slice] = []
    for cut in slices:
        piece, quantity, basis, how = cut
        if units >= quantity:
            head.append(cut)
            units -= quantity
        elif units:
            head_basis = share(basis, units, quantity)
            head.append((piece, units, head_basis, how))
            tail.append((piece, quantity - units, basis - head_basis, how))
            units = _ZERO
        else:
            tail.append(cut)
    return head, tail


def _below_half_a_cent(fee_slices: list[Slice]) -> bool:
    """Whether the units of a transfer's network fee cost under half a cent, so that proceeds of 0 are
    right to the cent and entering a Fee USD would change no figure shown (a Transfer has no USD Value to
    price them by, so their cost basis stands in for their worth)."""
    return sum((basis for _, _, basis, _ in fee_slices), _ZERO) < _HALF_CENT
