"""The transaction table: header matching, row validation, and conversion to `Transaction`s.

One schema serves the template sheet, CSV files and the API. Every problem of a table is collected
and reported at once (`InputError`), each naming its row and column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, Inexact, Rounded
from typing import Final
from zoneinfo import ZoneInfo

from cryptotax_core.model import (
    BUY,
    CRYPTO,
    DISPOSAL_MEMBERS,
    INCOME_MEMBERS,
    TRADE,
    TRANSFER,
    AssetClass,
    InputError,
    Issue,
    LotPick,
    Reporting,
    Transaction,
    TxType,
    make_transaction,
)
from cryptotax_core.ordering import processing_key
from cryptotax_core.values import (
    CellError,
    is_blank,
    is_blank_or_zero,
    plain,
    to_decimal,
    to_local_datetime,
    to_name,
    to_text,
    without_cycle_collection,
)

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
_TYPES: Final = {member.value.lower(): member for member in TxType}
_CLASSES: Final = {member.value.lower(): member for member in AssetClass}


def match_header(header: Sequence[object]) -> dict[str, int]:
    """Map canonical column names to their index in `header`; unknown columns are ignored."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _BY_KEY.get(_key(_header_text(cell))) if not is_blank(cell) else None
        if name is not None and name not in positions:
            positions[name] = index
    return positions


def _header_text(cell: object) -> str:
    """A header cell as text; an Excel error shown in a header is just text that names no column."""
    try:
        return to_text(cell)
    except CellError:
        return str(cell).strip()


@dataclass(frozen=True, slots=True)
class Table:
    """The rows that validated, as transactions, with the warnings; `errors` only from
    `parse_table(..., keep_errors=True)`, which keeps the table when some rows have errors."""

    transactions: tuple[Transaction, ...]
    warnings: tuple[Issue, ...]
    errors: tuple[Issue, ...] = ()
    #: the assets named on rows with errors ("" for such a row whose asset cannot be read)
    error_assets: frozenset[str] = frozenset()


def parse_table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    zone: ZoneInfo,
    first_row: int = 2,
    today: date | None = None,
    keep_errors: bool = False,
) -> Table:
    """Validate and convert a table. `first_row` is the row number the user sees for `rows[0]`.
    Raises `InputError` listing every problem, or with `keep_errors` returns the rows without one
    and the problems in `Table.errors` (a missing column still raises: no row can be read)."""
    positions = match_header(header)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        found = ", ".join(_header_text(cell) for cell in header if not is_blank(cell)) or "nothing"
        raise InputError([Issue(first_row - 1, "", f"the header lacks the column(s) {', '.join(missing)}; "
                                                    f"found: {found}")])
    reader = _RowReader(positions, zone, today or date.today())
    fast = _fast_reader(reader, len(header))
    transactions = reader.transactions
    pending_blank: list[int] = []
    with without_cycle_collection():
        for offset, cells in enumerate(rows):
            row = first_row + offset
            tx = fast(row, cells)
            if tx is not None:
                if pending_blank:
                    reader.warnings.extend(Issue(blank_row, "", "empty row skipped") for blank_row in pending_blank)
                    pending_blank.clear()
                transactions.append(tx)
                continue
            if all(is_blank_or_zero(cell) for cell in cells):
                pending_blank.append(row)
                continue
            for blank_row in pending_blank:
                reader.warnings.append(Issue(blank_row, "", "empty row skipped"))
            pending_blank.clear()
            reader.read(row, cells)
    if not reader.transactions and not reader.errors:
        reader.warnings.append(Issue(0, "", "the table has no transactions"))
    reader.check_references()
    if not reader.errors:
        return Table(tuple(reader.transactions), tuple(reader.warnings))
    if not keep_errors:
        raise InputError(reader.errors)
    wrong = {issue.row for issue in reader.errors}
    kept = tuple(tx for tx in reader.transactions if tx.row not in wrong)
    reader.error_assets.update(tx.asset for tx in reader.transactions if tx.row in wrong)  # Lot IDs errors
    return Table(kept, tuple(reader.warnings), tuple(InputError(reader.errors).issues),
                 frozenset(reader.error_assets))


class _RowReader:
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
        fields = _Fields(self, row, cells)
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
            self.check_type_rules(fields, tx_type, usd_value, fee_usd, wallet, to_wallet, received_asset,
                                  received_quantity, quantity, lot_ids, asset)
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

    def wallet(self, fields: _Fields, column: str, *, required: bool) -> str | None:
        """Wallet names match case-insensitively; the first spelling in the table is kept."""
        if column not in self.positions:
            return None
        name = fields.text(column)
        if not name:
            if required:
                fields.error(column, "the wallet is missing: name the exchange or wallet that holds the units")
            return None
        return self.wallet_names.setdefault(name.casefold(), name)

    def check_class(self, fields: _Fields, asset: str, asset_class: AssetClass) -> None:
        first = self.class_of_asset.setdefault(asset, (asset_class, fields.row))
        if first[0] is not asset_class:
            fields.error("Class", f"{asset} is {first[0].value} on row {first[1]} but {asset_class.value} here; "
                                  f"one asset has one class")

    def check_type_rules(  # noqa: C901
        self, fields: _Fields, tx_type: TxType, usd_value: Decimal | None, fee_usd: Decimal, wallet: str,
        to_wallet: str | None, received_asset: str | None, received_quantity: Decimal | None,
        quantity: Decimal | None, lot_ids: tuple[LotPick, ...], asset: str | None,
    ) -> None:
        """The rules of each type (docs/table.md), a branch per type: above the complexity limit so that
        every type's rules read in one place, as the table's documentation lists them."""
        name = tx_type.value
        article = "an" if name[0] in "AEIOU" else "a"
        if tx_type is TxType.TRANSFER:
            if to_wallet is None:
                fields.error("To Wallet", "a Transfer needs the destination wallet in To Wallet")
            elif to_wallet == wallet:
                fields.error("To Wallet", f"a Transfer from '{wallet}' to itself: To Wallet must be another wallet")
            if received_asset and received_asset != asset:
                fields.error("Received Asset", f"a Transfer moves {asset}; Received Asset must be blank or {asset}")
            if received_quantity is not None and quantity is not None and received_quantity > quantity:
                fields.error("Received Quantity", f"{received_quantity} arrive but only {quantity} leave; "
                                                  f"Received Quantity must not exceed Quantity")
            if usd_value is not None:
                self.warnings.append(Issue(fields.row, "USD Value", "ignored on a Transfer; put the value of "
                                                                   "a network fee in Fee USD"))
            return
        if usd_value is None:
            fields.error("USD Value", f"{article} {name} needs its USD value ({_VALUE_MEANING[tx_type]})")
        if to_wallet is not None:
            fields.error("To Wallet", "only a Transfer has a To Wallet; clear it or change the Type")
        if tx_type is TxType.TRADE:
            if not received_asset:
                fields.error("Received Asset", "a Trade needs the asset received in Received Asset")
            elif received_asset == asset:
                fields.error("Received Asset", f"a Trade of {asset} for {asset}: Received Asset must differ")
            if received_quantity is None:
                fields.error("Received Quantity", "a Trade needs the units received in Received Quantity")
        elif received_asset or received_quantity is not None:
            column = "Received Asset" if received_asset else "Received Quantity"
            fields.error(column, "only a Trade or Transfer receives another asset; clear it or change the Type")
        if lot_ids and not tx_type.is_disposal:
            fields.error("Lot IDs", f"{article} {name} disposes of nothing; Lot IDs belong on Sell, Trade, Spend "
                                    f"or Transfer rows")
        if tx_type.is_income and fee_usd:
            self.warnings.append(Issue(fields.row, "Fee USD", f"a fee on {article} {name} row is not used: the lot's "
                                                              f"basis is the fair market value"))
        if quantity is not None and lot_ids:
            named = sum((pick.quantity for pick in lot_ids if pick.quantity is not None), Decimal(0))
            if named > quantity:
                fields.error("Lot IDs", f"the lots name {named} units but the row disposes of {quantity}")

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


_VALUE_MEANING = {
    TxType.BUY: "USD paid",
    TxType.SELL: "USD received",
    TxType.TRADE: "fair market value of what is received",
    TxType.SPEND: "value of the goods or services",
} | {income: "fair market value received" for income in TxType if income.is_income}


class _Fields:
    """The cells of one row, read column by column; each problem is recorded with its column."""

    def __init__(self, reader: _RowReader, row: int, cells: Sequence[object]) -> None:
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
            self.error("Type", "the type is missing: " + _TYPE_CHOICES)
            return None
        tx_type = _TYPES.get(text.lower())
        if tx_type is None:
            guess = difflib.get_close_matches(text.lower(), _TYPES, n=1, cutoff=0.6)
            choices = f"did you mean {_TYPES[guess[0]].value}? ({_TYPE_CHOICES})" if guess else _TYPE_CHOICES
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
        asset_class = _CLASSES.get(text.lower())
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


REPORTING_WORDS = {"none": Reporting.NONE, "no": Reporting.NONE, "proceeds": Reporting.PROCEEDS,
                   "proceeds only": Reporting.PROCEEDS, "basis": Reporting.BASIS}
_TYPE_CHOICES = "write one of " + ", ".join(member.value for member in TxType)


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


def _fast_reader(reader: _RowReader, columns: int) -> FastReader:  # noqa: C901
    """The common case quickly: a row of plain cells (ISO dates, plain positive numbers, text without
    padding) that breaks no rule becomes a `Transaction` with a handful of C-level calls per cell. Any
    other row, and every row with a problem, a warning or Lot IDs, returns None and takes the careful
    path (`_RowReader.read`), which gives the messages; so both paths accept exactly the same rows with
    the same values. The row's state (its ID, wallet spellings, asset classes) is recorded only once it
    is accepted. Above the complexity limit on purpose: one closure keeps the row's cells in local
    variables, which is what makes the path fast (bench/README.md)."""
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
    types, classes, reporting_words = _FAST_TYPES, _CLASSES, REPORTING_WORDS
    zero = Decimal(0)

    def fast(row: int, cells: Sequence[object]) -> Transaction | None:
        try:
            if len(cells) == width:
                return read(row, (*cells, None))
            return read(row, (*cells[:width], *padding[min(len(cells), width):]))
        except _Careful:
            return None

    def read(row: int, cells: tuple[object, ...]) -> Transaction | None:  # noqa: C901
        """One row the fast way, or None for the careful path: one function, its cells in local variables
        (the reason for the fast path; see `_fast_reader`)."""
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
        # The rules of the type (_RowReader.check_type_rules); anything it would report goes the careful way.
        if tx_type is TRANSFER:
            if (not to_wallet or to_wallet.casefold() == wallet.casefold() or usd_value is not None
                    or (received_asset and received_asset != asset)
                    or (received_quantity is not None and received_quantity > quantity)):
                return None
        elif usd_value is None or to_wallet:
            return None
        else:
            if tx_type is TRADE:
                if not received_asset or received_asset == asset or received_quantity is None:
                    return None
            elif received_asset or received_quantity is not None or (fee_usd and tx_type in INCOME_MEMBERS):
                return None
            if lot_ids and (tx_type not in DISPOSAL_MEMBERS
                            or sum((pick.quantity for pick in lot_ids if pick.quantity), zero) > quantity):
                return None
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
