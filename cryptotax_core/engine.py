"""The engine: transactions in date order -> disposals, open lots, income and the 2025 allocation.

Rules (domain.md, Gain or loss of one disposal): basis = USD paid + acquisition fee; amount realized =
USD received - disposal fee; a Trade disposes of Asset at the fair market value of what is received
and acquires Received Asset with that value as basis; income is ordinary income at fair market value,
which becomes the new lot's basis; self-transfers move lots with their basis and acquisition date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, localcontext
from operator import attrgetter
from typing import TypeVar

from cryptotax_core.model import (
    Allocation,
    Disposal,
    DisposalKind,
    IncomeEvent,
    InputError,
    Issue,
    Lot,
    Method,
    Pooling,
    Result,
    Term,
    Transaction,
    TransferFee,
    TxType,
)
from cryptotax_core.pools import Piece, Pool, Slice, share
from cryptotax_core.settings import Settings
from cryptotax_core.values import plain, without_cycle_collection

PRECISION = 60  # digits: 10^15 USD amounts and 18-decimal quantities multiply without rounding
PER_WALLET_FROM = 2025  # Treas. Reg. 1.1012-1(j): basis per wallet from 2025-01-01 (domain.md)
_ALL_WALLETS = "\x00all wallets"  # the pool key of universal pooling
_ZERO = Decimal(0)
_VERB = {TxType.SELL: "sells", TxType.TRADE: "trades", TxType.SPEND: "spends", TxType.TRANSFER: "sends"}
# Members as module constants: the hot loop compares identities (enum attribute access and hashing run
# Python code in 3.11).
_BUY, _SELL, _TRADE, _SPEND, _TRANSFER = TxType.BUY, TxType.SELL, TxType.TRADE, TxType.SPEND, TxType.TRANSFER
_INCOME_TYPES = (TxType.INCOME, TxType.STAKING, TxType.MINING, TxType.AIRDROP, TxType.INTEREST)
_SHORT, _LONG = Term.SHORT, Term.LONG
_SPECIFIC = Method.SPECIFIC
_ORDER = attrgetter("when", "seq")  # rows by date and time, ties in table order


def compute(transactions: Iterable[Transaction], settings: Settings | None = None,
            warnings: Iterable[Issue] = (), *, until: date | None = None) -> Result:
    """Match lots for a whole history. Rows are taken in order of date and time, ties in table order;
    with `until`, rows dated after it are left out (the state at the end of that day).

    Raises `InputError` listing every disposal of more units than held (unless the settings allow a
    shortfall) and every named lot that cannot give the units asked of it.
    """
    with localcontext() as context, without_cycle_collection():
        context.prec = PRECISION
        engine = _Engine(settings or Settings(), list(warnings))
        for tx in sorted(transactions, key=_ORDER):
            if until is not None and tx.day > until:
                break
            engine.process(tx)
        return engine.finish()


class _Engine:
    def __init__(self, settings: Settings, warnings: list[Issue]) -> None:
        self.settings = settings
        self.universal = settings.pooling is Pooling.UNIVERSAL
        self.pools: dict[tuple[str, str], Pool] = {}
        self.balances: dict[tuple[str, str], Decimal] = {}  # units per wallet, kept under universal pooling
        self.wallet_order: dict[str, int] = {}
        self.disposals: list[Disposal] = []
        self.income: list[IncomeEvent] = []
        self.allocation: list[Allocation] = []
        self.errors: list[Issue] = []
        self.warnings = warnings
        self.seq = 0
        self.method_of_year: dict[int, Method] = {}

    # -- the rows -------------------------------------------------------------------------------
    def process(self, tx: Transaction) -> None:
        if self.universal and tx.when.year >= PER_WALLET_FROM:
            self.allocate()
        wallet_order = self.wallet_order
        if tx.wallet not in wallet_order:
            wallet_order[tx.wallet] = len(wallet_order)
        self.seq += 1
        value = tx.usd_value if tx.usd_value is not None else _ZERO
        tx_type = tx.tx_type
        if tx_type is _BUY:
            self.acquire(tx, tx.asset, tx.quantity, value + tx.fee_usd)
        elif tx_type is _SELL:
            self.dispose(tx, self.take(tx, tx.quantity), value - tx.fee_usd, DisposalKind.SELL)
        elif tx_type is _TRADE:
            self.dispose(tx, self.take(tx, tx.quantity), value - tx.fee_usd, DisposalKind.TRADE)
            if tx.received_asset and tx.received_quantity:
                self.acquire(tx, tx.received_asset, tx.received_quantity, value)
        elif tx_type is _TRANSFER:
            self.transfer(tx)
        elif tx_type is _SPEND:
            self.dispose(tx, self.take(tx, tx.quantity), value - tx.fee_usd, DisposalKind.SPEND)
        else:  # the income types
            self.acquire(tx, tx.asset, tx.quantity, value)
            self.income.append(IncomeEvent(tx.row, tx.tx_id, tx_type, tx.asset, tx.wallet, tx.day, tx.quantity,
                                           value))

    def acquire(self, tx: Transaction, asset: str, quantity: Decimal, basis: Decimal) -> None:
        piece = Piece(tx.tx_id, tx.row, self.seq, tx.wallet, tx.when.date(), quantity, basis, tx.asset_class)
        self.pool(tx.wallet, asset, tx.when).add(piece)
        if self.universal:
            self.credit(tx.wallet, asset, quantity)

    def transfer(self, tx: Transaction) -> None:
        """Own-wallet transfer: lots move with basis and acquisition date. Units lost to the network
        fee are a disposal at Fee USD (Treas. Reg. 1.1001-7(b)(1)(ii)), or with the 'basis' setting
        their basis goes to the units that arrive (domain.md: unsettled, a setting)."""
        to_wallet = tx.to_wallet or tx.wallet
        self.wallet_order.setdefault(to_wallet, len(self.wallet_order))
        received = tx.received_quantity if tx.received_quantity is not None else tx.quantity
        fee_units = tx.quantity - received
        slices = self.take(tx, tx.quantity)
        fee_slices, moved = _split_off(slices, fee_units)
        if self.settings.transfer_fee is TransferFee.DISPOSE:
            if fee_slices:
                self.dispose(tx, fee_slices, tx.fee_usd, DisposalKind.FEE)
                if not tx.fee_usd:
                    self.warn(tx, "Fee USD", f"the network fee of {plain(fee_units)} {tx.asset} is a disposal "
                                             f"with proceeds 0: enter its USD value in Fee USD")
            elif tx.fee_usd:
                self.warn(tx, "Fee USD", "not used: no units were lost to the fee (Received Quantity equals "
                                         "Quantity); with the transfer-fee setting 'basis' it is added to basis")
            extra = _ZERO
        else:
            extra = sum((basis for _, _, basis, _ in fee_slices), _ZERO) if fee_slices else tx.fee_usd
        destination = self.pool(to_wallet, tx.asset, tx.when)
        for (piece, quantity, basis, _), extra_basis in zip(moved, _shares(extra, moved, received), strict=True):
            destination.add(piece.moved(to_wallet, quantity, basis + extra_basis))
        self.credit(to_wallet, tx.asset, received)

    def take(self, tx: Transaction, quantity: Decimal) -> list[Slice]:
        """Relieve units for a disposal or transfer; report shortfalls and unmet Lot IDs."""
        pool = self.pool(tx.wallet, tx.asset, tx.when)
        if self.universal:
            key = (tx.wallet, tx.asset)
            held = self.balances.get(key, _ZERO)
        else:
            held = pool.total
        available = quantity if held >= quantity else held
        slices, unmet = pool.relieve(available, tx.lot_ids)
        if self.universal:
            self.balances[key] = held - available
        for lot in unmet:
            self.errors.append(Issue(tx.row, "Lot IDs", f"the lot '{lot.lot_id}' has {plain(lot.available)} "
                                                        f"{tx.asset} left in '{tx.wallet}', not {plain(lot.wanted)}"))
        if tx.lot_ids:
            named = sum((units for _, units, _, how in slices if how == "specific"), _ZERO)
            if named < available and not unmet:
                self.warn(tx, "Lot IDs", f"the lots named cover {plain(named)} of {plain(quantity)} {tx.asset}; "
                                         f"the other {plain(available - named)} were taken by {pool.how}")
        elif pool.method is _SPECIFIC and available:
            self.warn(tx, "Lot IDs", "no lots identified: FIFO used (the method for this year is specific "
                                     "identification)")
        if available < quantity:
            slices.append(self.shortfall(tx, quantity, held))
        return slices

    def shortfall(self, tx: Transaction, quantity: Decimal, held: Decimal) -> Slice:
        message = (f"{_VERB[tx.tx_type]} {plain(quantity)} {tx.asset} from '{tx.wallet}' on {tx.day} but "
                   f"{plain(held)} are held there")
        if self.settings.allow_shortfall:
            self.warn(tx, "Quantity", f"{message}; the missing {plain(quantity - held)} have a zero cost basis")
        else:
            self.errors.append(Issue(tx.row, "Quantity", message))
        missing = Piece("shortfall", tx.row, self.seq, tx.wallet, tx.day, quantity - held, _ZERO, tx.asset_class)
        return missing, quantity - held, _ZERO, "shortfall"

    def dispose(self, tx: Transaction, slices: list[Slice], proceeds: Decimal, kind: DisposalKind) -> None:
        disposed = tx.day
        if len(slices) == 1:  # the usual case: one lot, all the proceeds
            lot, quantity, basis, how = slices[0]
            self.disposals.append(Disposal(
                tx.row, tx.tx_id, kind, tx.asset, tx.wallet, lot.lot_id, quantity, lot.acquired, disposed,
                proceeds, basis, _LONG if disposed >= lot.long_from else _SHORT, tx.asset_class, how, tx.reporting))
            return
        quantity = sum((units for _, units, _, _ in slices), _ZERO)
        for (lot, units, basis, how), proceeds_share in zip(slices, _shares(proceeds, slices, quantity), strict=True):
            self.disposals.append(Disposal(
                tx.row, tx.tx_id, kind, tx.asset, tx.wallet, lot.lot_id, units, lot.acquired, disposed,
                proceeds_share, basis, _LONG if disposed >= lot.long_from else _SHORT, tx.asset_class, how,
                tx.reporting))

    # -- pools ----------------------------------------------------------------------------------
    def pool(self, wallet: str, asset: str, when: datetime) -> Pool:
        year = when.year
        method = self.method_of_year.get(year)
        if method is None:
            method = self.method_of_year[year] = self.settings.method_for(year)
        key = (_ALL_WALLETS if self.universal else wallet, asset)
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = Pool(method)
        elif pool.method is not method:
            pool.reorder(method)
        return pool

    def credit(self, wallet: str, asset: str, quantity: Decimal) -> None:
        if self.universal:
            key = (wallet, asset)
            self.balances[key] = self.balances.get(key, _ZERO) + quantity

    def allocate(self) -> None:
        """Rev. Proc. 2024-28 safe harbor (domain.md, Which units are sold), by this global rule: per
        asset, the lots still open at the start of 2025-01-01, oldest first (acquisition time, then
        row), fill the wallets that hold the asset in the order the wallets were first used, each up
        to the units it holds; a lot that straddles two wallets is split with its basis pro rata."""
        self.universal = False
        universal = sorted((asset, pool) for (wallet, asset), pool in self.pools.items() if wallet == _ALL_WALLETS)
        for asset, _ in universal:
            del self.pools[(_ALL_WALLETS, asset)]
        for asset, pool in universal:
            pieces = pool.pieces()
            holders = sorted((wallet for (wallet, held_asset), units in self.balances.items()
                              if held_asset == asset and units > 0), key=self.wallet_order.__getitem__)
            index = 0
            for wallet in holders:
                need = self.balances[(wallet, asset)]
                target = self.pool(wallet, asset, datetime(PER_WALLET_FROM, 1, 1))
                while need and index < len(pieces):
                    piece = pieces[index]
                    units = min(need, piece.quantity)
                    moved = piece.moved(wallet, units, piece.take(units))
                    target.add(moved)
                    self.allocation.append(Allocation(asset, wallet, moved.lot_id, moved.acquired, units,
                                                      moved.basis))
                    need -= units
                    if not piece.quantity:
                        index += 1
        self.allocation = _merged(self.allocation)
        self.balances.clear()

    # -- the end --------------------------------------------------------------------------------
    def warn(self, tx: Transaction, column: str, message: str) -> None:
        self.warnings.append(Issue(tx.row, column, message))

    def finish(self) -> Result:
        if self.universal:
            self.allocate()
        if self.errors:
            raise InputError(self.errors)
        pieces = [(asset, piece) for (_, asset), pool in self.pools.items() for piece in pool.pieces()]
        pieces.sort(key=lambda item: (item[0], item[1].wallet, item[1].seq))
        return Result(
            disposals=tuple(self.disposals),
            lots=tuple(_merged([piece.as_lot(asset) for asset, piece in pieces])),
            income=tuple(self.income),
            allocation=tuple(self.allocation),
            warnings=tuple(sorted(self.warnings, key=lambda issue: issue.row)),
        )


_Record = TypeVar("_Record", Lot, Allocation)


def _merged(records: list[_Record]) -> list[_Record]:
    """Adjacent records of the same lot in the same wallet as one: a lot split by a move and rejoined
    reads as the lot it is."""
    merged: list[_Record] = []
    for record in records:
        last = merged[-1] if merged else None
        if (last is not None and (last.asset, last.wallet, last.lot_id, last.acquired)
                == (record.asset, record.wallet, record.lot_id, record.acquired)):
            merged[-1] = last._replace(quantity=last.quantity + record.quantity,
                                 cost_basis=last.cost_basis + record.cost_basis)
        else:
            merged.append(record)
    return merged


def _shares(total: Decimal, slices: list[Slice], quantity: Decimal) -> list[Decimal]:
    """Split `total` over slices in proportion to their units; the last takes the remainder, so the
    shares add up to `total` exactly."""
    if not slices:
        return []
    shares = ([share(total, units, quantity) for _, units, _, _ in slices[:-1]] if quantity
              else [_ZERO] * (len(slices) - 1))
    shares.append(total - sum(shares, _ZERO))
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
