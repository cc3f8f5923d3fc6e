"""The engine: transactions in date order -> disposals, open lots, income and the 2025 allocation.

Rules (docs/rules.md#gain-or-loss-of-one-disposal): basis = USD paid + acquisition fee; amount realized =
USD received - disposal fee; a Trade disposes of Asset at the fair market value of what is received
and acquires Received Asset with that value as basis; income is ordinary income at fair market value,
which becomes the new lot's basis; self-transfers move lots with their basis and acquisition date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from operator import attrgetter
from typing import Final

from cryptotax_core.allocation import allocate
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
    Lot,
    Pooling,
    Result,
    Transaction,
    TransferFee,
    TxType,
    make_disposal,
    make_income,
    merge_adjacent,
)
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.pools import CONTEXT, Piece, Pool, Slice, share
from cryptotax_core.settings import Settings
from cryptotax_core.values import plain, without_cycle_collection
from cryptotax_core.wash import WASH_SALE_DAYS, Purchases, WashSales, purchased

# Treas. Reg. 1.1012-1(j): basis per wallet from 2025-01-01 (docs/rules.md#which-units-are-sold)
PER_WALLET_FROM: Final = 2025
_ALL_WALLETS: Final = "\x00all wallets"  # the pool key of universal pooling
_ZERO: Final = Decimal(0)
_VERB: Final = {TxType.SELL: "sells", TxType.TRADE: "trades", TxType.SPEND: "spends", TxType.TRANSFER: "sends"}
_HALF_CENT: Final = Decimal("0.005")
_ONE_DAY: Final = timedelta(days=1)
_WHEN: Final = attrgetter("when")


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
        engine.wash = WashSales(Purchases(ordered))
        with without_cycle_collection():  # the loop and the records it makes
            for tx in ordered:
                engine.process(tx)
            return engine.finish()


def compute_with_checkpoints(transactions: Iterable[Transaction], settings: Settings, warnings: Iterable[Issue],
                             starts: Iterable[int | date], *, resume: Iterable[Checkpoint] = (),
                             until: date | None = None) -> tuple[Result, dict[int | date, Checkpoint]]:
    """`compute(transactions, settings, warnings)`, and from the same run the checkpoints at `starts` (a year: its
    first day), each a copy of the engine's state there, its pieces shared until changed (`Pool.share`), by the
    start asked. `resume`: the year checkpoints of another history with the same table warnings (the table before
    rows were added or changed); those this history can go on from are kept (`Checkpoint.resumes`), and the run
    starts at the latest of them. With `until`, the run ends there, as `compute`'s does. Raises `InputError` as
    `compute` does."""
    warnings = list(warnings)
    with localcontext(CONTEXT):
        ordered = rows_through(in_processing_order(transactions), until)
        kept: dict[int | date, Checkpoint] = {
            checkpoint.year: checkpoint for checkpoint in resume
            if checkpoint.start == date(checkpoint.year, 1, 1) and checkpoint.warnings == warnings
            and checkpoint.resumes(ordered, settings)}
        earlier = max(kept.values(), key=_start_of, default=None)
        if earlier is not None:
            engine, done = earlier.going_on(ordered, settings), len(earlier.before)
        else:
            engine, done = _Engine(settings, list(warnings)), 0
            engine.wash = WashSales(Purchases(ordered))
        with without_cycle_collection():  # the loop and the records it makes
            for key in sorted(set(starts), key=start_day):
                start = start_day(key)
                end = _first_on(ordered, start)
                if key in kept or end < done:
                    continue
                for tx in ordered[done:end]:
                    engine.process(tx)
                done = end
                kept[key] = earlier = Checkpoint(ordered, settings, start, warnings, earlier=earlier,
                                                 state=engine.copy(settings))
            for tx in ordered[done:]:
                engine.process(tx)
            return engine.finish(), kept


def start_day(start: int | date) -> date:
    """A checkpoint's start: a day, or a year's first."""
    return start if isinstance(start, date) else date(start, 1, 1)


def rows_through(ordered: list[Transaction], day: date | None) -> list[Transaction]:
    """The rows (in processing order) dated up to `day` (None: all): a prefix, cut where the next day starts."""
    if day is None or day == date.max:
        return ordered
    return ordered[:_first_on(ordered, day + _ONE_DAY)]


def _start_of(checkpoint: Checkpoint) -> date:
    return checkpoint.start


def _first_on(ordered: Sequence[Transaction], day: date) -> int:
    """The place of the first of the rows (in processing order) dated `day` or later."""
    return bisect_left(ordered, datetime.combine(day, time.min), key=_WHEN)


class Checkpoint:
    """A history computed up to the start of a day (`start`; a year: its first day), to compute it again from
    there with other rows or settings for that day and later ones (planning: another method or other Lot IDs
    for one year, a sale added).

    `compute` gives exactly what `compute` of the whole history gives: the engine's state after the rows dated
    before `start` is copied and goes on with the rest, when the rows and settings the earlier days depend on
    are the checkpoint's (the rows dated before the start, the purchases the wash-sale rule looks at up to 30
    days after it, the settings for the years before it and, from a day after the year's first, for its year);
    otherwise the whole history is computed.
    """

    def __init__(self, transactions: Iterable[Transaction], settings: Settings, start: int | date,
                 warnings: Iterable[Issue] = (), *, earlier: Checkpoint | None = None,
                 state: _Engine | None = None) -> None:
        """`earlier`: a checkpoint of the same history, settings and warnings at an earlier start, to go on from
        (the rows before its start are not processed again). `state`: the engine's state after the rows before
        `start`, kept by a run of the history (`compute_with_checkpoints`); then no row is processed here."""
        with localcontext(CONTEXT), without_cycle_collection():
            ordered = in_processing_order(transactions)
            self.start = start_day(start)
            self.year = self.start.year
            self.settings = settings
            self.warnings = list(warnings)
            self.before = ordered[:_first_on(ordered, self.start)]  # rows are in date order: a prefix
            self.reach = self.start + timedelta(days=WASH_SALE_DAYS - 1)  # the wash-sale window of the last day before
            self.purchases = _purchases_until(ordered, len(self.before), self.reach)
            self._prefix: Purchases | None = None
            self._earlier = earlier if earlier is not None and earlier.start <= self.start else None
            if state is not None:
                engine, done = state, len(self.before)
            elif self._earlier is not None:
                engine, done = self._earlier.state.copy(settings), len(self._earlier.before)
            else:
                engine, done = _Engine(settings, list(self.warnings)), 0
                engine.wash = WashSales(Purchases(ordered))
            self.state: _Engine = engine
            for tx in self.before[done:]:
                engine.process(tx)

    @property
    def prefix(self) -> Purchases:
        """The purchases among the rows before `start`, indexed once (`wash.Purchases`)."""
        if self._prefix is None:  # an earlier checkpoint's rows are the first of these: its index is looked up
            self._prefix = Purchases(self.before, None if self._earlier is None else self._earlier.prefix)
        return self._prefix

    def compute(self, transactions: Iterable[Transaction], settings: Settings, *, until: date | None = None,
                assets: Collection[str] | None = None) -> Result:
        """`compute(transactions, settings, self.warnings, until=until)`, the days before `start` not processed
        again where they are the checkpoint's. `assets`: the rows from `start` on are those of these assets and
        only their records are kept (each asset has its own pools), so only their purchases must be the
        checkpoint's."""
        return self._run(in_processing_order(transactions), settings, until, assets)

    def compute_after(self, rows: Iterable[Transaction], settings: Settings, *, until: date | None = None,
                      assets: Collection[str] | None = None) -> Result:
        """`compute` of the checkpoint's rows before `start` followed by `rows`, all dated from `start` on (fast
        path: a planner's rows after the start are put in order alone, not the whole history again)."""
        return self._run([*self.before, *in_processing_order(rows)], settings, until, assets)

    def _run(self, ordered: list[Transaction], settings: Settings, until: date | None,
             assets: Collection[str] | None) -> Result:
        with localcontext(CONTEXT), without_cycle_collection():
            ordered = rows_through(ordered, until)
            if self._resumes(ordered, settings, assets):
                engine, rest = self.going_on(ordered, settings, assets), ordered[len(self.before):]
            else:
                engine, rest = _Engine(settings, list(self.warnings)), ordered
                engine.wash = WashSales(Purchases(ordered))
            for tx in rest:
                engine.process(tx)
            return engine.finish()

    def going_on(self, ordered: list[Transaction], settings: Settings, assets: Collection[str] | None = None
                 ) -> _Engine:
        """A copy of the state to process the rest of `ordered` (a history this checkpoint resumes, `resumes`)
        under `settings`: its purchases those of `ordered`, the rows before the start looked up in `prefix`."""
        engine = self.state.copy(settings, assets)
        engine.wash.purchases = Purchases(ordered, self.prefix)
        return engine

    def paused(self, rows: list[Transaction], settings: Settings, asset: str) -> Paused | None:
        """The engine at this checkpoint under `settings`, for the rows of one asset from `start` on (`rows`, in
        processing order, each Trade that receives the asset as a Buy of it): a `Paused` run to take them in
        steps, without processing the rows before `start` or the other assets' rows (fast path of the planning
        searches, which run the engine hundreds of times on one asset's rows of a year). None when the
        checkpoint cannot be used for them (the settings or the purchases near `start` are not its)."""
        mine = [found for found in self.purchases if found[2] == asset]
        if not _same_before(settings, self.settings, self.start) or \
                [found for found in _purchases_until(rows, 0, self.reach) if found[2] == asset] != mine:
            return None
        engine = self.state.copy(settings, (asset,), records=False)
        engine.wash.purchases = Purchases([*self.before, *rows], self.prefix)
        return Paused(engine)

    def resumes(self, ordered: list[Transaction], settings: Settings) -> bool:
        """Whether a history (`ordered`, in processing order) under `settings` can go on from this checkpoint: its
        rows before `start` are the checkpoint's, the purchases the wash-sale rule looks at up to 30 days after
        it too, and the settings compute the days before it alike."""
        return self._resumes(ordered, settings, None)

    def _resumes(self, ordered: list[Transaction], settings: Settings, assets: Collection[str] | None) -> bool:
        count = len(self.before)
        if _first_on(ordered, self.start) != count or not _same_before(settings, self.settings, self.start):
            return False
        if ordered[:count] != self.before:  # in C, each row compared by identity first
            return False
        if assets is None:
            return _purchases_until(ordered, count, self.reach) == self.purchases
        return ([found for found in _purchases_until(ordered, count, self.reach) if found[2] in assets]
                == [found for found in self.purchases if found[2] in assets])


class Paused:
    """An engine run of one asset's rows from a checkpoint (`Checkpoint.paused`), stopped after the first `done`
    of them. `then` goes on from here with more of them, `run` with the rest, each as often as asked and without
    changing this run: a search that tries many lot choices for one sale processes the rows before it once. It
    keeps no records but the count of disposals its rows made (`made`); its lots are the asset's (a Trade of it
    also leaves a lot of the asset received, which is not that asset's whole pool)."""

    def __init__(self, engine: _Engine, done: int = 0, made: int = 0) -> None:
        self.engine = engine
        self.done = done
        self.made = made

    def then(self, rows: Sequence[Transaction]) -> Paused:
        """This run with `rows` processed too: the next rows of those `Checkpoint.paused` was given, in their
        order (their Lot IDs may differ)."""
        with localcontext(CONTEXT), without_cycle_collection():
            engine = self.engine.copy(self.engine.settings, records=False)
            for tx in rows:
                engine.process(tx)
        return Paused(engine, self.done + len(rows), self.made + len(engine.disposals))

    def run(self, rows: Sequence[Transaction]) -> list[Disposal]:
        """The disposals `rows` make from here (taken as `then` takes them); raises `InputError` as `compute`
        does when a row cannot be computed."""
        with localcontext(CONTEXT), without_cycle_collection():
            engine = self.engine.copy(self.engine.settings, records=False)
            for tx in rows:
                engine.process(tx)
            if engine.errors:
                raise InputError(engine.errors)
            return engine.disposals

    def lots(self) -> tuple[Lot, ...]:
        """The open lots at this point (of the asset, and of assets its Trades received), as `compute` gives
        them; raises `InputError` as `compute` does."""
        with localcontext(CONTEXT), without_cycle_collection():
            return self.engine.copy(self.engine.settings, records=False).finish().lots


def _same_before(settings: Settings, other: Settings, start: date) -> bool:
    """The two settings compute every day before `start` alike: the years before it, and its own year when it
    is not the year's first day."""
    last = start.year if start > date(start.year, 1, 1) else start.year - 1
    years = {year for year in (*settings.method_by_year, *other.method_by_year) if year <= last}
    return (replace(settings, method_by_year={}) == replace(other, method_by_year={})
            and all(settings.method_for(year) is other.method_for(year) for year in years))


def _purchases_until(ordered: list[Transaction], start: int, last: date) -> list[tuple[object, ...]]:
    """The purchases (`wash.purchased`) among `ordered[start:]` dated up to `last`, as the wash-sale rule reads
    them: ID, time, asset and units (a Trade's own Lot IDs do not count)."""
    found: list[tuple[object, ...]] = []
    for tx in ordered[start:]:
        if tx.day > last:
            break
        bought = purchased(tx)
        if bought is not None:
            found.append((tx.tx_id, tx.when, bought[0], bought[1], tx.asset_class))
    return found


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
        self.wash = WashSales(Purchases([]))

    def copy(self, settings: Settings, assets: Collection[str] | None = None, *, records: bool = True) -> _Engine:
        """This engine's state, going on under `settings` (which compute the rows processed so far alike): the
        copy processes more rows without changing this engine, and this engine goes on without changing the copy
        (their pieces are copied, or shared until one of them changes one). `assets`: only their pools and
        records are copied (the copy starts the others empty: for rows of these assets, whose results alone are
        read). Without `records`, the copy starts with no disposals, income or allocation lines (it makes only
        those of the rows it processes)."""
        twin = _Engine(settings, list(self.warnings))
        copies: dict[int, Piece] = {}
        twin.universal = self.universal
        if self.wash.stock_pieces:  # the wash-sale rule holds stock pieces and changes them: copy every piece
            twin.pools = {asset: {key: pool.copy(copies) for key, pool in by_wallet.items()}
                          for asset, by_wallet in self.pools.items() if assets is None or asset in assets}
        else:  # the pieces are shared until one engine changes one (`Pool.share`)
            twin.pools = {asset: {key: pool.share() for key, pool in by_wallet.items()}
                          for asset, by_wallet in self.pools.items() if assets is None or asset in assets}
        twin.today, twin.tomorrow, twin.year, twin.method = self.today, self.tomorrow, self.year, self.method
        twin.long_from = self.long_from
        twin.wallet_order = dict(self.wallet_order)
        if records and assets is None:
            twin.disposals, twin.income = list(self.disposals), list(self.income)
            twin.allocation = list(self.allocation)
        elif records and assets is not None:
            twin.disposals = [disposal for disposal in self.disposals if disposal.asset in assets]
            twin.income = [event for event in self.income if event.asset in assets]
            twin.allocation = [line for line in self.allocation if line.asset in assets]
        twin.errors = list(self.errors)
        twin.seq = self.seq
        twin.wash = self.wash.copy(copies)
        return twin

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
            for replacement in self.wash.replacements(piece):
                pool.add(replacement)
            if not piece.quantity:
                return
            self.wash.track(piece)
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
                self.wash.track(arrived)
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
                self.loss_sale(tx, len(self.disposals) - 1)
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
            self.loss_sale(tx, first)

    def loss_sale(self, tx: Transaction, first: int) -> None:
        """The disposals from `first` on realized a loss: the wash-sale rule (wash.WashSales.loss_sale)."""
        asset, universal, pools = tx.asset, self.universal, self.pools

        def pool_of(wallet: str) -> Pool:
            return pools[asset][_ALL_WALLETS if universal else wallet]

        self.wash.loss_sale(tx, self.disposals, first, self.seq, self.year, self.today, pool_of)

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
        """From 2025-01-01 each wallet has its own pools: the units of the pool of all wallets go to the
        wallets that hold them (allocation.allocate), in the pools of the method of 2025."""
        self.universal = False
        method, self.method = self.method, self.settings.method_for(PER_WALLET_FROM)  # the pools' method on 2025-01-01
        universal = sorted((asset, by_wallet.pop(_ALL_WALLETS)) for asset, by_wallet in self.pools.items()
                           if _ALL_WALLETS in by_wallet)
        self.allocation = allocate(universal, self.wallet_order, self.pool, self.wash.track)
        self.method = method

    # -- the end --------------------------------------------------------------------------------
    def warn(self, tx: Transaction, column: str, message: str) -> None:
        self.warnings.append(Issue(tx.row, column, message))

    def finish(self) -> Result:
        if self.universal:
            self.allocate()
        self.warnings.extend(self.wash.crypto_warnings())
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
