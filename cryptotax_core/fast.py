"""The fast way to read a row: the common row of plain cells (ISO dates, plain positive numbers, text without
padding) that breaks no rule becomes a `Transaction` with a handful of C-level calls per cell. Any other row
returns None and takes the careful path (cryptotax_core.careful), which gives the messages; both take the
limits and the rules of each type from cryptotax_core.schema, so they accept exactly the same rows with the same
values (tests/test_fast_path.py checks both ways on random tables).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Context, Decimal, Inexact, Rounded
from typing import Final

from cryptotax_core.careful import RowReader
from cryptotax_core.model import CRYPTO, LotPick, Transaction, TxType, make_transaction
from cryptotax_core.schema import (
    CLASSES,
    COLUMNS,
    DEFAULT_WALLET,
    FIRST_YEAR,
    MAX_DECIMALS,
    MAX_QUANTITY,
    MAX_USD,
    REPORTING_WORDS,
    type_problems,
)

_FAST_TYPES: Final = {member.value.lower(): member for member in TxType} | {member.value: member for member in TxType}
_INFINITIES: Final = (float("inf"), float("-inf"))
_LONGEST: Final = 1 + MAX_DECIMALS  # a plain number text this long may have more decimals than allowed
# Digits and at most one point, at most _LONGEST of them: exact in this context, which `create_decimal` reads
# with a cheaper call than `Decimal(text)` (no keyword parsing); rounding is trapped all the same.
_exact_decimal: Final = Context(prec=_LONGEST, traps=[Inexact, Rounded]).create_decimal
FastReader = Callable[[int, Sequence[object]], "Transaction | None"]


class _Careful(Exception):
    """The row needs the careful path."""


def _blank(cell: object) -> bool:
    """An empty cell, None or "" only (`values.is_blank` also takes spaces, which the fast path leaves to the
    careful one), without comparing other cells to both."""
    return cell is None or (isinstance(cell, str) and not cell)


def _number(cell: object) -> Decimal | None:
    """A plain number cell; None when empty. Raises `_Careful` for anything else (signs, exponents,
    separators, NaN, text)."""
    if type(cell) is str:
        if not cell:
            return None
        if len(cell) <= _LONGEST and cell.isascii() and cell.replace(".", "", 1).isdigit():
            return _exact_decimal(cell)
        raise _Careful
    if cell is None:
        return None
    if type(cell) is float and cell == cell and cell not in _INFINITIES:
        number = Decimal(repr(cell))
        if number.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            raise _Careful
        return number
    if type(cell) is int:
        return Decimal(cell)
    raise _Careful


def _picks(text: str) -> tuple[LotPick, ...]:
    """The Lot IDs cell (`B7:0.25, B9`) when every entry is plain; raises `_Careful` otherwise."""
    picks = []
    for part in text.split(","):
        lot_id, colon, amount = part.partition(":")
        lot_id = lot_id.strip()
        if not lot_id or ":" in amount:
            raise _Careful
        if colon:
            amount = amount.strip()
            if not (amount.isascii() and amount.replace(".", "", 1).isdigit()):
                raise _Careful
            quantity: Decimal | None = Decimal(amount)
            if not quantity:
                raise _Careful
        else:
            quantity = None
        picks.append(LotPick(lot_id, quantity))
    return tuple(picks)


def _text(cell: object) -> str:
    """ASCII text without padding ("" when empty). Raises `_Careful` for padded or other text (names are
    normalized there), numbers, Excel errors."""
    if type(cell) is str:
        if cell[:1] == "#" or cell != cell.strip() or not cell.isascii():
            raise _Careful
        return cell
    if cell is None:
        return ""
    raise _Careful


def fast_reader(reader: RowReader, columns: int) -> FastReader:  # noqa: C901
    """The common case quickly: a row of plain cells (ISO dates, plain positive numbers, text without
    padding) that breaks no rule becomes a `Transaction` with a handful of C-level calls per cell. Any
    other row, and every row with a problem, a warning or Lot IDs, returns None and takes the careful
    path (`RowReader.read`), which gives the messages; so both paths accept exactly the same rows with
    the same values. The row's state (its ID, wallet spellings, asset classes) is recorded only once it
    is accepted.

    Longer than a function should be, on purpose: the reader is a closure whose column positions, table
    dictionaries and constants are local variables (an array read, where a global or an attribute is a
    dictionary lookup), and it reads a row in one straight pass; split into helpers, each call would cost
    more than the check it makes, on every row of the table."""
    positions = reader.positions
    width = columns  # the header's width; cell `width` of a padded row stands for an absent column: None
    index = [positions.get(name) for name in COLUMNS]
    (i_id, i_date, i_type, i_asset, i_quantity, i_value, i_fee, i_wallet, i_to, i_received, i_received_quantity,
     i_lots, i_class, i_reported, i_note) = (width if position is None else position for position in index)
    padding = (None,) * (width + 1)
    zone, today = reader.zone, reader.today
    in_utc = zone.key in ("UTC", "Etc/UTC")
    transactions, row_of_id, wallet_names = reader.transactions, reader.row_of_id, reader.wallet_names
    class_of_asset, asset_names = reader.class_of_asset, reader.asset_names
    has_wallet = "Wallet" in positions
    types, classes, reporting_words = _FAST_TYPES, CLASSES, REPORTING_WORDS
    zero = Decimal(0)

    def fast(row: int, cells: Sequence[object]) -> Transaction | None:
        try:
            if len(cells) == width:
                return read(row, (*cells, None))
            return read(row, (*cells[:width], *padding[min(len(cells), width):]))
        except _Careful:
            return None

    def read(row: int, cells: tuple[object, ...]) -> Transaction | None:  # noqa: C901
        """One row padded to the header's width, or None (see fast_reader, and why it is one long pass)."""
        type_cell = cells[i_type]
        tx_type = types.get(type_cell) if type(type_cell) is str else None
        if tx_type is None:
            tx_type = types.get(_text(type_cell).lower())
            if tx_type is None:
                return None
        # Date: ISO text (with or without offset) or a datetime object.
        date_cell = cells[i_date]
        if type(date_cell) is str and date_cell[4:5] == "-":
            try:
                if in_utc and date_cell[-1:] == "Z":  # already the local time: skip the conversion
                    when = datetime.fromisoformat(date_cell[:-1])
                else:
                    when = datetime.fromisoformat(date_cell)
            except ValueError:
                return None
        elif type(date_cell) is datetime:
            when = date_cell
        else:
            return None
        if when.tzinfo is not None:
            when = when.astimezone(zone).replace(tzinfo=None)
        if when.date() > today or when.year < FIRST_YEAR:
            return None
        quantity = _number(cells[i_quantity])
        usd_value = _number(cells[i_value])
        cell = cells[i_fee]
        fee_usd = zero if _blank(cell) else _number(cell) or zero
        cell = cells[i_received_quantity]
        received_quantity = None if _blank(cell) else _number(cell)
        if (quantity is None or not zero < quantity <= MAX_QUANTITY or not zero <= fee_usd <= MAX_USD
                or (usd_value is not None and not zero <= usd_value <= MAX_USD)
                or (received_quantity is not None and not zero < received_quantity <= MAX_QUANTITY)):
            return None
        asset = _text(cells[i_asset]).upper()
        wallet = _text(cells[i_wallet])
        tx_id = _text(cells[i_id]) or f"row {row}"
        cell = cells[i_to]
        to_wallet = "" if _blank(cell) else _text(cell)
        cell = cells[i_received]
        received_asset = "" if _blank(cell) else _text(cell).upper()
        cell = cells[i_note]
        note = "" if _blank(cell) else _text(cell)
        cell = cells[i_class]
        class_text = "" if _blank(cell) else _text(cell)
        cell = cells[i_reported]
        reported = "" if _blank(cell) else _text(cell)
        cell = cells[i_lots]
        lot_ids = () if _blank(cell) else _picks(_text(cell))
        if not asset:
            return None
        asset = asset_names.setdefault(asset, asset)
        if received_asset:
            received_asset = asset_names.setdefault(received_asset, received_asset)
        if wallet:
            wallet = wallet_names.get(wallet.casefold()) or wallet
        elif has_wallet:
            return None
        else:
            wallet = DEFAULT_WALLET
        if to_wallet:
            to_wallet = wallet_names.get(to_wallet.casefold()) or to_wallet
        # Wallet names that differ only in case: the careful path resolves the spelling (the first one kept).
        if to_wallet and to_wallet.casefold() == wallet.casefold():
            return None
        if type_problems(tx_type, asset=asset, quantity=quantity, usd_value=usd_value, fee_usd=fee_usd, wallet=wallet,
                         to_wallet=to_wallet, received_asset=received_asset, received_quantity=received_quantity,
                         lot_ids=lot_ids):
            return None  # the careful path reports them
        asset_class = classes.get(class_text.lower()) if class_text else CRYPTO
        reporting = reporting_words.get(reported.lower()) if reported else None
        if asset_class is None or (reported and reporting is None) or tx_id in row_of_id:
            return None
        first = class_of_asset.get(asset)
        if first is not None and first[0] is not asset_class:
            return None
        if received_asset:
            first_received = class_of_asset.get(received_asset)
            if first_received is not None and first_received[0] is not asset_class:
                return None
            class_of_asset.setdefault(received_asset, (asset_class, row))
        # Accepted: record the row's state as the careful path does.
        row_of_id[tx_id] = row
        if first is None:
            class_of_asset[asset] = (asset_class, row)
        wallet = wallet_names.setdefault(wallet.casefold(), wallet)
        if to_wallet:
            to_wallet = wallet_names.setdefault(to_wallet.casefold(), to_wallet)
        return make_transaction(row=row, seq=len(transactions), tx_id=tx_id, when=when, tx_type=tx_type, asset=asset,
                                quantity=quantity, usd_value=usd_value, fee_usd=fee_usd, wallet=wallet,
                                to_wallet=to_wallet or None, received_asset=received_asset or None,
                                received_quantity=received_quantity, lot_ids=lot_ids, asset_class=asset_class,
                                note=note, reporting=reporting)

    return fast

