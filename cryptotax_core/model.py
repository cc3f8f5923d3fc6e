"""Records that flow through the engine: transactions in; lots, disposals and income out.

Every record is immutable. The records made once per row or per lot slice are named tuples: they
read like frozen dataclasses and are several times cheaper to create (bench/run.py). Money is USD as
exact `Decimal`; quantities are exact `Decimal` units.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final, NamedTuple, TypeVar

from cryptotax_core.errors import UserError


class TxType(enum.Enum):
    """The Type column of the transaction table."""

    BUY = "Buy"
    SELL = "Sell"
    TRADE = "Trade"
    SPEND = "Spend"
    TRANSFER = "Transfer"
    INCOME = "Income"
    STAKING = "Staking"
    MINING = "Mining"
    AIRDROP = "Airdrop"
    INTEREST = "Interest"

    @property
    def is_income(self) -> bool:
        return self in INCOME_MEMBERS  # a tuple: identity checks (an enum's hash runs Python code in 3.11)

    @property
    def is_disposal(self) -> bool:
        return self in DISPOSAL_MEMBERS


# Members as module constants, here once: the hot loops compare identities, and an enum's attribute access
# and hashing run Python code in 3.11. Final: compiled, a constant is read from a C static.
BUY: Final = TxType.BUY
SELL: Final = TxType.SELL
TRADE: Final = TxType.TRADE
SPEND: Final = TxType.SPEND
TRANSFER: Final = TxType.TRANSFER
INCOME_TYPES: Final = frozenset({TxType.INCOME, TxType.STAKING, TxType.MINING, TxType.AIRDROP, TxType.INTEREST})
INCOME_MEMBERS: Final = tuple(INCOME_TYPES)  # the same, for identity checks in hot loops
DISPOSAL_MEMBERS: Final = (SELL, TRADE, SPEND)


class AssetClass(enum.Enum):
    CRYPTO = "Crypto"
    STOCK = "Stock"


CRYPTO: Final = AssetClass.CRYPTO
STOCK: Final = AssetClass.STOCK


class Method(enum.Enum):
    """Lot relief method for disposals that name no lots (docs/rules.md#which-units-are-sold).

    SPECIFIC means the user identifies lots on every disposal; a disposal without Lot IDs then
    falls back to FIFO and gets a warning.
    """

    FIFO = "FIFO"
    LIFO = "LIFO"
    HIFO = "HIFO"
    LOFO = "LOFO"
    SPECIFIC = "SPECIFIC"


FIFO: Final = Method.FIFO
LIFO: Final = Method.LIFO
HIFO: Final = Method.HIFO
LOFO: Final = Method.LOFO
SPECIFIC: Final = Method.SPECIFIC


class Relief(enum.StrEnum):
    """How the units of a disposal (`Disposal.method`) were chosen: by the year's method (FIFO under
    specific identification for units no Lot IDs name), named in Lot IDs, or missing from the wallet (a
    shortfall with a zero basis). A string enum: its texts are those the JSON output and the reports show.
    """

    FIFO = "FIFO"
    LIFO = "LIFO"
    HIFO = "HIFO"
    LOFO = "LOFO"
    NAMED = "specific"
    SHORTFALL = "shortfall"


NAMED: Final = Relief.NAMED
SHORTFALL: Final = Relief.SHORTFALL


class Pooling(enum.Enum):
    """Per wallet (every year), or universal (one pool per asset) for years before 2025."""

    WALLET = "wallet"
    UNIVERSAL = "universal"


class TransferFee(enum.Enum):
    """What units lost to a network fee on a self-transfer are (docs/rules.md#gain-or-loss-of-one-disposal: unsettled,
    a setting)."""

    DISPOSE = "dispose"  # the fee units are disposed of at their USD value (Fee USD)
    BASIS = "basis"  # the fee units' basis is added to the units that arrive


class Reporting(enum.Enum):
    """What a broker reported of a disposal on a 1099-B or 1099-DA (docs/rules.md#form-8949-boxes)."""

    NONE = "none"  # not on a 1099-B / 1099-DA
    PROCEEDS = "proceeds"  # on the form, basis not reported
    BASIS = "basis"  # on the form, proceeds and basis reported


class Term(enum.Enum):
    SHORT = "short"
    LONG = "long"


SHORT: Final = Term.SHORT
LONG: Final = Term.LONG


class DisposalKind(enum.Enum):
    SELL = "sell"
    TRADE = "trade"
    SPEND = "spend"
    FEE = "fee"  # units paid as a network fee on a transfer


SELL_KIND: Final = DisposalKind.SELL
TRADE_KIND: Final = DisposalKind.TRADE
SPEND_KIND: Final = DisposalKind.SPEND
FEE_KIND: Final = DisposalKind.FEE


class Transaction(NamedTuple):
    """One validated row of the transaction table.

    `row` is the spreadsheet/CSV row number the user sees; `seq` is its position in the table and
    breaks ties between rows with the same date and time.
    """

    row: int
    seq: int
    tx_id: str
    when: datetime  # local wall-clock time, naive; date-only values are midnight
    tx_type: TxType
    asset: str
    quantity: Decimal
    usd_value: Decimal | None
    fee_usd: Decimal
    wallet: str
    to_wallet: str | None
    received_asset: str | None
    received_quantity: Decimal | None
    lot_ids: tuple[LotPick, ...]
    asset_class: AssetClass
    note: str
    reporting: Reporting | None = None  # the Broker Reported column; None: blank, the wallet setting decides

    @property
    def day(self) -> date:
        return self.when.date()


class LotPick(NamedTuple):
    """One entry of the Lot IDs column: a lot and, optionally, how many of its units to use."""

    lot_id: str
    quantity: Decimal | None


class Lot(NamedTuple):
    """Units still held: what is left of one acquisition in one wallet."""

    lot_id: str
    row: int
    asset: str
    wallet: str
    acquired: date
    quantity: Decimal
    cost_basis: Decimal
    asset_class: AssetClass

    @property
    def unit_cost(self) -> Decimal:
        return self.cost_basis / self.quantity


class Disposal(NamedTuple):
    """One lot slice relieved by a disposal: a Form 8949 line before rounding."""

    row: int
    tx_id: str
    kind: DisposalKind
    asset: str
    wallet: str
    lot_id: str
    quantity: Decimal
    acquired: date
    disposed: date
    proceeds: Decimal
    cost_basis: Decimal
    term: Term
    asset_class: AssetClass
    method: Relief  # how the slice was chosen
    reporting: Reporting | None = None  # from the row's Broker Reported column
    adjustment: Decimal = Decimal(0)  # Form 8949 column (g): a wash-sale loss disallowed, added back
    adjustment_code: str = ""  # Form 8949 column (f): "W" for a wash sale

    @property
    def gain(self) -> Decimal:
        """The gain or loss reported (Form 8949 column h): proceeds - basis + adjustment."""
        return self.proceeds - self.cost_basis + self.adjustment

    @property
    def tax_year(self) -> int:
        return self.disposed.year


class IncomeEvent(NamedTuple):
    """Ordinary income at fair market value (docs/rules.md#gain-or-loss-of-one-disposal)."""

    row: int
    tx_id: str
    income_type: TxType
    asset: str
    wallet: str
    received: date
    quantity: Decimal
    usd_value: Decimal


class Allocation(NamedTuple):
    """One line of the 2025-01-01 safe-harbor allocation of universal-pool basis to a wallet."""

    asset: str
    wallet: str
    lot_id: str
    acquired: date
    quantity: Decimal
    cost_basis: Decimal


_Merged = TypeVar("_Merged", Lot, Allocation)


def merge_adjacent(records: Iterable[_Merged]) -> list[_Merged]:
    """Adjacent records of one lot in one wallet (the same asset, wallet, lot ID and acquisition date) as one,
    their units and basis summed, the first's other fields kept: a lot split by a move and rejoined reads as
    the lot it is. Open lots and the lines of the 2025 allocation both read this way."""
    merged: list[_Merged] = []
    last: _Merged | None = None
    for record in records:
        if (last is not None and record.lot_id == last.lot_id and record.wallet == last.wallet
                and record.asset == last.asset and record.acquired == last.acquired):
            last = merged[-1] = last._replace(quantity=last.quantity + record.quantity,
                                              cost_basis=last.cost_basis + record.cost_basis)
        else:
            merged.append(record)
            last = record
    return merged


# -- factories ------------------------------------------------------------------------------------
# One per record, with typed keyword parameters, so mypy checks every field of every call. Each builds with
# tuple.__new__ from all the fields: a named tuple's own __new__ is interpreted and costs more than the
# engine's compiled work for a record (a keyword call adds 0.26 µs a record, 3% of a compute: bench/run.py).
_new: Final = tuple.__new__
_ZERO: Final = Decimal(0)


def make_transaction(*, row: int, seq: int, tx_id: str, when: datetime, tx_type: TxType, asset: str,
                     quantity: Decimal, usd_value: Decimal | None, fee_usd: Decimal, wallet: str, to_wallet: str | None,
                     received_asset: str | None, received_quantity: Decimal | None, lot_ids: tuple[LotPick, ...],
                     asset_class: AssetClass, note: str, reporting: Reporting | None) -> Transaction:
    return _new(Transaction, (row, seq, tx_id, when, tx_type, asset, quantity, usd_value, fee_usd, wallet, to_wallet,
                              received_asset, received_quantity, lot_ids, asset_class, note, reporting))


def make_lot(*, lot_id: str, row: int, asset: str, wallet: str, acquired: date, quantity: Decimal, cost_basis: Decimal,
             asset_class: AssetClass) -> Lot:
    return _new(Lot, (lot_id, row, asset, wallet, acquired, quantity, cost_basis, asset_class))


def make_disposal(*, row: int, tx_id: str, kind: DisposalKind, asset: str, wallet: str, lot_id: str, quantity: Decimal,
                  acquired: date, disposed: date, proceeds: Decimal, cost_basis: Decimal, term: Term,
                  asset_class: AssetClass, method: Relief, reporting: Reporting | None, adjustment: Decimal = _ZERO,
                  adjustment_code: str = "") -> Disposal:
    return _new(Disposal, (row, tx_id, kind, asset, wallet, lot_id, quantity, acquired, disposed, proceeds, cost_basis,
                           term, asset_class, method, reporting, adjustment, adjustment_code))


def make_income(*, row: int, tx_id: str, income_type: TxType, asset: str, wallet: str, received: date,
                quantity: Decimal, usd_value: Decimal) -> IncomeEvent:
    return _new(IncomeEvent, (row, tx_id, income_type, asset, wallet, received, quantity, usd_value))


def make_allocation(*, asset: str, wallet: str, lot_id: str, acquired: date, quantity: Decimal,
                    cost_basis: Decimal) -> Allocation:
    return _new(Allocation, (asset, wallet, lot_id, acquired, quantity, cost_basis))


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with the input (error) or something the user should know (warning).

    `row` is the table row (0 when the problem concerns no single row); `column` the header name
    or "" for a whole row.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "table"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class InputError(UserError):
    """The table cannot be computed; `issues` lists every problem found, in row order."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=lambda issue: issue.row)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True, slots=True)
class Result:
    """Everything the engine works out from a table."""

    disposals: tuple[Disposal, ...]
    lots: tuple[Lot, ...]
    income: tuple[IncomeEvent, ...]
    allocation: tuple[Allocation, ...] = ()
    warnings: tuple[Issue, ...] = field(default=())
