"""The careful way to read a row: every cell checked on its own, every problem recorded with its row and column
and a message that says what to write instead. It reads every row the fast path (cryptotax_core.fast) leaves,
and keeps the table's state (IDs, wallet spellings, asset classes) for both.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cryptotax_core.model import (
    BUY,
    INCOME_MEMBERS,
    TRADE,
    AssetClass,
    Issue,
    LotPick,
    Reporting,
    Transaction,
    TxType,
    make_transaction,
)
from cryptotax_core.ordering import processing_key
from cryptotax_core.schema import (
    CLASSES,
    DEFAULT_WALLET,
    FIRST_YEAR,
    MAX_DECIMALS,
    MAX_QUANTITY,
    MAX_USD,
    REPORTING_WORDS,
    TYPE_CHOICES,
    TYPES,
    type_problems,
)
from cryptotax_core.values import (
    CellError,
    is_blank,
    is_blank_or_zero,
    plain,
    to_decimal,
    to_local_datetime,
    to_name,
    to_text,
)


class RowReader:
    """Reads rows one by one, collecting errors instead of stopping at the first."""

    def __init__(self, positions: dict[str, int], zone: ZoneInfo, today: date) -> None:
        self.positions = positions
        self.zone = zone
        self.today = today
        self.transactions: list[Transaction] = []
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.row_of_id: dict[str, int] = {}
        self.wallet_names: dict[str, str] = {}
        # one string object per asset name: rows share it (less memory; dictionary lookups by asset in the
        # engine and the reports find the very key, without comparing characters)
        self.asset_names: dict[str, str] = {}
        self.class_of_asset: dict[str, tuple[AssetClass, int]] = {}
        self.error_assets: set[str] = set()

    def cell(self, cells: Sequence[object], column: str) -> object:
        index = self.positions.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    def read(self, row: int, cells: Sequence[object]) -> None:
        errors_before = len(self.errors)
        fields = Fields(self, row, cells)
        tx_type = fields.tx_type()
        when = fields.when()
        asset = fields.asset("Asset", required=True)
        quantity = fields.positive("Quantity", required=True)
        usd_value = fields.non_negative("USD Value")
        fee_usd = fields.non_negative("Fee USD") or Decimal(0)
        wallet = self.wallet(fields, "Wallet", required=True) or DEFAULT_WALLET
        to_wallet = self.wallet(fields, "To Wallet", required=False)
        received_asset = fields.asset("Received Asset", required=False)
        received_quantity = fields.positive("Received Quantity")
        lot_ids = fields.lot_picks()
        asset_class = fields.asset_class()
        reporting = fields.reporting()
        tx_id = fields.text("ID") or f"row {row}"
        note = fields.text("Note")
        if tx_type is not None:
            # the rules of the row's type: errors to their columns, warnings to the table's
            for column, message, warning in type_problems(
                    tx_type, asset=asset, quantity=quantity, usd_value=usd_value, fee_usd=fee_usd, wallet=wallet,
                    to_wallet=to_wallet, received_asset=received_asset, received_quantity=received_quantity,
                    lot_ids=lot_ids):
                if warning:
                    self.warnings.append(Issue(row, column, message))
                else:
                    fields.error(column, message)
        if tx_id in self.row_of_id:
            fields.error("ID", f"the ID '{tx_id}' is already used on row {self.row_of_id[tx_id]}; IDs must be unique")
        else:
            self.row_of_id[tx_id] = row
        if asset and asset_class:
            for name in (asset, received_asset):
                if name:
                    self.check_class(fields, name, asset_class)
        if len(self.errors) > errors_before or tx_type is None or when is None or not asset or quantity is None:
            self.error_assets.update((asset or "", received_asset or asset or ""))
            return
        self.transactions.append(make_transaction(
            row=row, seq=len(self.transactions), tx_id=tx_id, when=when, tx_type=tx_type, asset=asset,
            quantity=quantity, usd_value=usd_value, fee_usd=fee_usd, wallet=wallet, to_wallet=to_wallet,
            received_asset=received_asset, received_quantity=received_quantity, lot_ids=lot_ids,
            asset_class=asset_class or AssetClass.CRYPTO, note=note, reporting=reporting,
        ))

    def wallet(self, fields: Fields, column: str, *, required: bool) -> str | None:
        """Wallet names match case-insensitively; the first spelling in the table is kept."""
        if column not in self.positions:
            return None
        name = fields.text(column)
        if not name:
            if required:
                fields.error(column, "the wallet is missing: name the exchange or wallet that holds the units")
            return None
        return self.wallet_names.setdefault(name.casefold(), name)

    def check_class(self, fields: Fields, asset: str, asset_class: AssetClass) -> None:
        first = self.class_of_asset.setdefault(asset, (asset_class, fields.row))
        if first[0] is not asset_class:
            fields.error("Class", f"{asset} is {first[0].value} on row {first[1]} but {asset_class.value} here; "
                                  f"one asset has one class")

    def check_references(self) -> None:
        """Lot IDs must name an earlier acquisition of the same asset."""
        if not any(tx.lot_ids for tx in self.transactions):
            return
        acquisitions = {tx.tx_id: tx for tx in self.transactions if _acquired_asset(tx) is not None}
        wrong = {issue.row for issue in self.errors}
        for tx in self.transactions:
            for pick in tx.lot_ids:
                lot = acquisitions.get(pick.lot_id)
                where = Issue(tx.row, "Lot IDs", "")
                if lot is None:
                    named_row = self.row_of_id.get(pick.lot_id)
                    if named_row in wrong:
                        reason = f"is row {named_row}, which has an error of its own: fix that row first"
                    elif named_row is not None:
                        reason = "names no acquisition (Buy, Trade or income row)"
                    else:
                        reason = "is not the ID of any row"
                    self.errors.append(_with(where, f"the lot '{pick.lot_id}' {reason}"))
                elif _acquired_asset(lot) != tx.asset:
                    self.errors.append(_with(where, f"the lot '{pick.lot_id}' (row {lot.row}) holds "
                                                    f"{_acquired_asset(lot)}, not {tx.asset}"))
                elif processing_key(lot) >= processing_key(tx):
                    self.errors.append(_with(where, f"the lot '{pick.lot_id}' (row {lot.row}) is acquired on "
                                                    f"{lot.day}, after this disposal on {tx.day}"))


def _with(issue: Issue, message: str) -> Issue:
    return Issue(issue.row, issue.column, message)


def _acquired_asset(tx: Transaction) -> str | None:
    tx_type = tx.tx_type
    if tx_type is BUY or tx_type in INCOME_MEMBERS:
        return tx.asset
    if tx_type is TRADE:
        return tx.received_asset
    return None



class Fields:
    """The cells of one row, read column by column; each problem is recorded with its column."""

    def __init__(self, reader: RowReader, row: int, cells: Sequence[object]) -> None:
        self.reader = reader
        self.row = row
        self.cells = cells
        self.bad: set[str] = set()

    def error(self, column: str, message: str) -> None:
        """Record a problem; only the first of a cell counts (a bad number is not also 'missing')."""
        if column not in self.bad:
            self.bad.add(column)
            self.reader.errors.append(Issue(self.row, column, message))

    def raw(self, column: str) -> object:
        return self.reader.cell(self.cells, column)

    def text(self, column: str) -> str:
        """The cell's text; a name (every column but Note) in one Unicode form without invisible characters."""
        value = self.raw(column)
        if is_blank_or_zero(value):
            return ""
        try:
            return to_text(value) if column == "Note" else to_name(value)
        except CellError as exc:
            self.error(column, str(exc))
            return ""

    def tx_type(self) -> TxType | None:
        text = self.text("Type")
        if not text:
            self.error("Type", "the type is missing: " + TYPE_CHOICES)
            return None
        tx_type = TYPES.get(text.lower())
        if tx_type is None:
            guess = difflib.get_close_matches(text.lower(), TYPES, n=1, cutoff=0.6)
            choices = f"did you mean {TYPES[guess[0]].value}? ({TYPE_CHOICES})" if guess else TYPE_CHOICES
            self.error("Type", f"unknown type '{text}': {choices}")
        return tx_type

    def when(self) -> datetime | None:
        value = self.raw("Date")
        if is_blank_or_zero(value):
            self.error("Date", "the date is missing: write it as YYYY-MM-DD (e.g. 2025-03-14)")
            return None
        try:
            when = to_local_datetime(value, self.reader.zone)
        except CellError as exc:
            self.error("Date", str(exc))
            return None
        if when.date() > self.reader.today:
            self.error("Date", f"{when.date()} is in the future; check the year")
            return None
        if when.year < FIRST_YEAR:
            self.error("Date", f"{when.date()} is before {FIRST_YEAR}; check the year")
            return None
        return when

    def asset(self, column: str, *, required: bool) -> str | None:
        text = self.text(column).upper()
        if not text:
            if required:
                self.error(column, "the asset is missing: write its ticker, e.g. BTC")
            return None
        return self.reader.asset_names.setdefault(text, text)

    def number(self, column: str) -> Decimal | None:
        value = self.raw(column)
        if is_blank(value):
            return None
        try:
            return to_decimal(value)
        except CellError as exc:
            self.error(column, str(exc))
            return None

    def positive(self, column: str, *, required: bool = False) -> Decimal | None:
        number = self.number(column)
        if number is None:
            if required:
                self.error(column, "the quantity is missing: write the number of units, e.g. 0.5")
            return None
        if number <= 0:
            if not required and number == 0:
                return None  # an empty cell as Office.js sends it
            self.error(column, f"{number} is not allowed: the quantity must be greater than 0")
            return None
        if number.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            self.error(column, f"{self.typed(column)} has more than {MAX_DECIMALS} decimals, the most a quantity "
                               f"may have: round it")
            return None
        if number > MAX_QUANTITY:
            self.error(column, f"{self.typed(column)} is above {MAX_QUANTITY:,} units, the largest quantity "
                               f"accepted: check the number")
            return None
        return number

    def non_negative(self, column: str) -> Decimal | None:
        number = self.number(column)
        if number is not None and number < 0:
            self.error(column, f"{number} is negative: write the amount without a sign")
            return None
        if number is not None and number > MAX_USD:
            self.error(column, f"{self.typed(column)} is above {MAX_USD:,} USD, the largest amount accepted: "
                               f"check the number")
            return None
        return number

    def typed(self, column: str) -> str:
        """A number cell as the user typed it (text trimmed), or its plain digits."""
        value = self.raw(column)
        return value.strip() if isinstance(value, str) else plain(to_decimal(value))

    def asset_class(self) -> AssetClass | None:
        text = self.text("Class")
        if not text:
            return AssetClass.CRYPTO
        asset_class = CLASSES.get(text.lower())
        if asset_class is None:
            self.error("Class", f"unknown class '{text}': write Crypto or Stock")
        return asset_class

    def reporting(self) -> Reporting | None:
        text = self.text("Broker Reported")
        if not text:
            return None
        reporting = REPORTING_WORDS.get(text.lower())
        if reporting is None:
            self.error("Broker Reported", f"unknown value '{text}': write None (not on a 1099), Proceeds "
                                          f"(basis not reported) or Basis (proceeds and basis reported)")
        return reporting

    def lot_picks(self) -> tuple[LotPick, ...]:
        text = self.text("Lot IDs")
        picks: list[LotPick] = []
        for part in (piece.strip() for piece in text.split(",")) if text else ():
            if not part:
                continue
            lot_id, _, amount = part.rpartition(":") if ":" in part else (part, "", "")
            quantity = None
            if amount.strip():
                try:
                    quantity = to_decimal(amount)
                except CellError:
                    quantity = Decimal(-1)
                if quantity <= 0:
                    self.error("Lot IDs", f"'{part}': after the colon write the units to take from the lot, "
                                          f"e.g. B1:0.5")
                    continue
            picks.append(LotPick(lot_id.strip(), quantity))
        return tuple(picks)

