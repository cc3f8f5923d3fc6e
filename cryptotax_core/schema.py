"""The schema of the transaction table: its columns, the words its cells may hold, the limits of its numbers
and the rules of each transaction type, which both ways of reading a row (cryptotax_core.careful, the messages;
cryptotax_core.fast, the common case quickly) take from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, NamedTuple

from cryptotax_core.model import (
    DISPOSAL_MEMBERS,
    INCOME_MEMBERS,
    TRADE,
    TRANSFER,
    AssetClass,
    LotPick,
    Reporting,
    TxType,
)
from cryptotax_core.values import CellError, is_blank, to_text

# Canonical column names in template order; the key is the header with case, spaces and punctuation removed.
COLUMNS: tuple[str, ...] = (
    "ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet", "To Wallet",
    "Received Asset", "Received Quantity", "Lot IDs", "Class", "Broker Reported", "Note",
)
REQUIRED: Final = ("Date", "Type", "Asset", "Quantity")
_ALIASES = {"lotid": "Lot IDs", "lots": "Lot IDs", "notes": "Note", "fee": "Fee USD", "feeusd": "Fee USD",
            "value": "USD Value", "valueusd": "USD Value", "usd": "USD Value", "qty": "Quantity",
            "1099": "Broker Reported", "reported": "Broker Reported", "brokerreporting": "Broker Reported"}
DEFAULT_WALLET: Final = "Default"
# Above these a number is a typing mistake, and below them the engine's arithmetic is exact (pools.PRECISION).
FIRST_YEAR: Final = 1900  # Excel's first date; an earlier year is a typing mistake
MAX_USD: Final = Decimal(10) ** 15
MAX_QUANTITY: Final = Decimal(10) ** 24
MAX_DECIMALS: Final = 30  # pools.SHARE_PLACES: shares of a lot are exact to 30 places
_KEY = re.compile(r"[^a-z0-9]")


def _key(header: str) -> str:
    return _KEY.sub("", header.lower())


_BY_KEY = {_key(name): name for name in COLUMNS} | _ALIASES
TYPES: Final = {member.value.lower(): member for member in TxType}
CLASSES: Final = {member.value.lower(): member for member in AssetClass}
REPORTING_WORDS: Final = {"none": Reporting.NONE, "no": Reporting.NONE, "proceeds": Reporting.PROCEEDS,
                          "proceeds only": Reporting.PROCEEDS, "basis": Reporting.BASIS}
TYPE_CHOICES: Final = "write one of " + ", ".join(member.value for member in TxType)


def match_header(header: Sequence[object]) -> dict[str, int]:
    """Map canonical column names to their index in `header`; unknown columns are ignored."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _BY_KEY.get(_key(header_text(cell))) if not is_blank(cell) else None
        if name is not None and name not in positions:
            positions[name] = index
    return positions


def header_text(cell: object) -> str:
    """A header cell as text; an Excel error shown in a header is just text that names no column."""
    try:
        return to_text(cell)
    except CellError:
        return str(cell).strip()



_VALUE_MEANING: Final = {
    TxType.BUY: "USD paid",
    TxType.SELL: "USD received",
    TxType.TRADE: "fair market value of what is received",
    TxType.SPEND: "value of the goods or services",
} | {income: "fair market value received" for income in TxType if income.is_income}



class TypeProblem(NamedTuple):
    """A rule of the row's type that the row breaks: the column to fix and the message, or a warning."""

    column: str
    message: str
    warning: bool = False


def type_problems(tx_type: TxType, *, asset: str | None, quantity: Decimal | None, usd_value: Decimal | None,  # noqa: C901
                  fee_usd: Decimal, wallet: str, to_wallet: str | None, received_asset: str | None,
                  received_quantity: Decimal | None, lot_ids: tuple[LotPick, ...]) -> list[TypeProblem]:
    """The rules of each transaction type (docs/rules.md#gain-or-loss-of-one-disposal), in the order the careful
    path reports them: a Transfer names another wallet and moves one asset; every other type has a USD value and
    no To Wallet; a Trade receives another asset, no other type does; only disposals name lots, for no more units
    than they dispose of; a fee on an income row is not used. An empty list for a row that keeps them all (the
    fast path accepts only such rows). A blank cell is None or "". Above the complexity limit on purpose: a
    branch per type, so that every type's rules read in one place, as docs/table.md lists them."""
    problems: list[TypeProblem] = []
    if tx_type is TRANSFER:
        if not to_wallet:
            problems.append(TypeProblem("To Wallet", "a Transfer needs the destination wallet in To Wallet"))
        elif to_wallet == wallet:
            problems.append(TypeProblem("To Wallet", f"a Transfer from '{wallet}' to itself: To Wallet must be "
                                                     f"another wallet"))
        if received_asset and received_asset != asset:
            problems.append(TypeProblem("Received Asset", f"a Transfer moves {asset}; Received Asset must be blank "
                                                          f"or {asset}"))
        if received_quantity is not None and quantity is not None and received_quantity > quantity:
            problems.append(TypeProblem("Received Quantity", f"{received_quantity} arrive but only {quantity} leave; "
                                                             f"Received Quantity must not exceed Quantity"))
        if usd_value is not None:
            problems.append(TypeProblem("USD Value", "ignored on a Transfer; put the value of a network fee in "
                                                     "Fee USD", warning=True))
        return problems
    if usd_value is None:
        problems.append(TypeProblem("USD Value", f"{_named(tx_type)} needs its USD value ({_VALUE_MEANING[tx_type]})"))
    if to_wallet:
        problems.append(TypeProblem("To Wallet", "only a Transfer has a To Wallet; clear it or change the Type"))
    if tx_type is TRADE:
        if not received_asset:
            problems.append(TypeProblem("Received Asset", "a Trade needs the asset received in Received Asset"))
        elif received_asset == asset:
            problems.append(TypeProblem("Received Asset", f"a Trade of {asset} for {asset}: Received Asset must "
                                                          f"differ"))
        if received_quantity is None:
            problems.append(TypeProblem("Received Quantity", "a Trade needs the units received in Received Quantity"))
    elif received_asset or received_quantity is not None:
        problems.append(TypeProblem("Received Asset" if received_asset else "Received Quantity",
                                    "only a Trade or Transfer receives another asset; clear it or change the Type"))
    if lot_ids and tx_type not in DISPOSAL_MEMBERS:
        problems.append(TypeProblem("Lot IDs", f"{_named(tx_type)} disposes of nothing; Lot IDs belong on Sell, "
                                               f"Trade, Spend or Transfer rows"))
    if fee_usd and tx_type in INCOME_MEMBERS:
        problems.append(TypeProblem("Fee USD", f"a fee on {_named(tx_type)} row is not used: the lot's basis is the "
                                               f"fair market value", warning=True))
    if quantity is not None and lot_ids:
        named = sum((pick.quantity for pick in lot_ids if pick.quantity is not None), Decimal(0))
        if named > quantity:
            problems.append(TypeProblem("Lot IDs", f"the lots name {named} units but the row disposes of {quantity}"))
    return problems


def _named(tx_type: TxType) -> str:
    """'a Sell', 'an Income'."""
    name = tx_type.value
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"
