"""What an importer produces from a file: transaction-table rows, the lines it could not map (each with
what the user should enter by hand), counts of lines skipped as not taxable, and the errors that stop
the import.

Every text value that comes from the file goes through `neutralized` (CSV injection); numbers and
dates are written by this module itself (`plain`, `iso_utc`), so they are safe.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from cryptotax_core.errors import UserError
from cryptotax_core.imports.source import Columns, Row, Source
from cryptotax_core.model import Issue, TxType
from cryptotax_core.table import COLUMNS
from cryptotax_core.values import neutralized, plain

_ZERO = Decimal(0)
_PLAIN = re.compile(r"-?\d{1,40}(\.\d{1,40})?")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_UNIT = re.compile(r"\s+[A-Za-z][A-Za-z0-9.]*$")  # Gemini writes "0.0101601 BTC"
_CURRENCY_SIGNS = ("US$", "$", "€", "£")
_SMALLEST_EXPONENT, _LARGEST_EXPONENT = -30, 24  # 1E-30 .. 9.99E+24: wei (1E-18) fit, 1E+999999 does not
FIAT = frozenset({"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SGD"})
CASH_SKIPPED = "cash deposits and withdrawals"
INTERNAL_SKIPPED = "moves between the exchange's own accounts (e.g. spot and staking)"


class FieldError(UserError):
    """A cell's text cannot be read as the number or date it must be."""


def parse_number(text: str, *, units: bool = False) -> Decimal:
    """An exact Decimal from exchange number text: `-$1,234.50`, `$-12`, `($519.83)` (accounting
    negative), `1E-8`; with `units`, a trailing unit as in `0.5 BTC` is dropped."""
    if _PLAIN.fullmatch(text):  # the common case, fast
        return _in_range(Decimal(text), text)
    body = text.strip()
    negative = body.startswith("(") and body.endswith(")")
    if negative:
        body = body[1:-1].strip()
    if units:
        body = _UNIT.sub("", body)
    sign = ""
    if body[:1] in "+-" and body:
        sign, body = body[0], body[1:]
    for currency in _CURRENCY_SIGNS:
        if body.startswith(currency):
            body = body[len(currency):]
            break
    if body[:1] in "+-" and body and not sign:
        sign, body = body[0], body[1:]
    if not body or not _NUMBER.match(body) or not any(ch.isdigit() for ch in body):
        raise FieldError(f"'{_clip(text.strip())}' is not a number")
    try:
        number = Decimal(body.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
        raise FieldError(f"'{_clip(text.strip())}' is not a number") from exc
    return _in_range(-number if negative or sign == "-" else number, text)


def _in_range(number: Decimal, text: str) -> Decimal:
    if number and not _SMALLEST_EXPONENT <= number.adjusted() <= _LARGEST_EXPONENT:
        raise FieldError(f"'{_clip(text.strip())}' is out of range for an amount")
    return number


def parse_utc(text: str) -> datetime:
    """A moment from `2024-01-02 10:00:00`, `2024-01-02 10:00:00 UTC`, `2024-01-02T10:00:00.147Z` or
    `...+00:00`. A time without an offset is taken as UTC: every format imported here writes UTC."""
    body = text.strip()
    if body.upper().endswith(" UTC"):
        body = body[:-4].strip()
    try:
        moment = datetime.fromisoformat(body)
    except ValueError:
        raise FieldError(f"'{_clip(text.strip())}' is not a date and time (expected e.g. "
                         f"2024-01-02 10:00:00)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})"
                      r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([AaPp][Mm])?)?$")


def parse_us(text: str) -> tuple[datetime, bool]:
    """A US month/day/year date, as spreadsheets and US exports write it: `10/06/2015`, `8/8/08` (a
    two-digit year is 20YY), `12/01/2023, 12:34:56`, `3/5/2024 2:07 PM`. Returns the moment (naive) and
    whether the text had a time."""
    match = _US_DATE.match(text.strip())
    if match is None:
        raise FieldError(f"'{_clip(text.strip())}' is not a date (expected e.g. 10/06/2015 or 2015-10-06)")
    month, day_of_month, year, hour, minute, second, fraction, half = match.groups()
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    hours = int(hour or 0)
    if half:
        if not 1 <= hours <= 12:
            raise FieldError(f"'{_clip(text.strip())}' is not a time of day")
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    try:
        moment = datetime(full_year, int(month), int(day_of_month), hours, int(minute or 0), int(second or 0),
                          int(((fraction or '.')[1:] + '000000')[:6]))
    except ValueError:
        raise FieldError(f"'{_clip(text.strip())}' is not a date (month/day/year)") from None
    return moment, hour is not None


def parse_day(text: str) -> date:
    """A day: ISO (2025-03-03, or the date of an ISO time) or US (03/03/2025)."""
    body = text.strip()
    if "/" in body:
        return parse_us(body)[0].date()
    try:
        return date.fromisoformat(body[:10])
    except ValueError:
        raise FieldError(f"'{_clip(body)}' is not a date (expected e.g. 2025-03-03)") from None


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`: 2024-01-02T10:00:00Z (fractions of a second kept, trailing zeros dropped)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def content_id(fmt: str, row: Row) -> str:
    """A stable ID for a line of a format without transaction IDs: the first 12 hex digits of the SHA-1
    of its trimmed cells. Two identical lines in one file get the same ID and are one transaction."""
    digest = hashlib.sha1("\x1f".join(cell.strip() for cell in row.cells).encode("utf-8")).hexdigest()
    return f"{fmt}:{digest[:12]}"


class Builder:
    """Collects one file's output; parsing helpers record a bad cell as an error and return None, so every
    problem of the file is reported at once."""

    def __init__(self, fmt: str, wallet: str, advance: Callable[[int], None] | None = None) -> None:
        self.fmt = fmt
        self.wallet = wallet
        self.rows: list[dict[str, str]] = []
        self.lines: list[int] = []
        self.unmapped: list[Issue] = []
        self.warnings: list[Issue] = []
        self.skipped: Counter[str] = Counter()
        self.errors: list[Issue] = []
        self._advance = advance
        self._line_of_id: dict[str, int] = {}

    # -- progress and reading -------------------------------------------------------------------
    def advance(self, count: int = 1) -> None:
        if self._advance is not None:
            self._advance(count)

    def error(self, row: Row, field: str, message: str) -> None:
        self.errors.append(Issue(row.line, row.column(field) if field else "", message))

    def number(self, row: Row, field: str, *, required: bool = True, units: bool = False) -> Decimal | None:
        """The cell of `field` as a number; blank is None (an error when `required`)."""
        text = row.get(field)
        if not text:
            if required:
                self.error(row, field, "the amount is missing")
            return None
        try:
            return parse_number(text, units=units)
        except FieldError as exc:
            self.error(row, field, str(exc))
            return None

    def moment(self, row: Row, field: str, parse: Callable[[str], datetime] = parse_utc) -> datetime | None:
        text = row.get(field)
        if not text:
            self.error(row, field, "the date and time are missing")
            return None
        try:
            return parse(text)
        except FieldError as exc:
            self.error(row, field, str(exc))
            return None

    def own_id(self, row: Row, *candidates: str) -> str:
        """`fmt:ID` from the first non-blank of `candidates` (cell texts), else the line's content hash."""
        for candidate in candidates:
            if candidate.strip():
                return f"{self.fmt}:{candidate.strip()}"
        return content_id(self.fmt, row)

    # -- output ---------------------------------------------------------------------------------
    def add(self, row: Row, tx_id: str, when: datetime, tx_type: TxType, asset: str, quantity: Decimal,
            usd_value: Decimal | None, *, fee_usd: Decimal = _ZERO, received_asset: str = "",
            received_quantity: Decimal | None = None, note: str = "", date_only: bool = False) -> None:
        """One row of the transaction table (`date_only`: the file gives the day, not the time). Quantities
        must be positive and amounts not negative: a row that breaks this is listed as not mapped rather
        than written wrong. Income paid in cash (a referral commission in USD) is listed too: it is
        ordinary income, but cash is not a lot to hold."""
        if tx_type.is_income and asset in FIAT:
            self.cannot_map(row, "", f"{plain(quantity)} {asset} paid in cash on {day(when)} ({note or tx_type.value}) "
                                     f"is ordinary income, but cash is not an asset cryptotax keeps lots of: add "
                                     f"{plain(quantity)} {asset} to your other income (ID {tx_id})")
            return
        if quantity <= 0 or (received_quantity is not None and received_quantity <= 0):
            self.cannot_map(row, "", f"the {tx_type.value} of {plain(quantity)} {asset} leaves no units after "
                                     f"its fee; enter it by hand if it changed your holdings")
            return
        if (usd_value is not None and usd_value < 0) or fee_usd < 0:
            self.cannot_map(row, "", f"the {tx_type.value} of {plain(quantity)} {asset} works out to a negative "
                                     f"USD amount; check the line and enter it by hand")
            return
        values = dict.fromkeys(COLUMNS, "")
        values.update({
            "ID": neutralized(tx_id), "Date": day(when) if date_only else iso_utc(when), "Type": tx_type.value,
            "Asset": neutralized(asset),
            "Quantity": plain(quantity), "USD Value": "" if usd_value is None else plain(usd_value),
            "Fee USD": plain(fee_usd) if fee_usd else "", "Wallet": neutralized(self.wallet),
            "Received Asset": neutralized(received_asset),
            "Received Quantity": "" if received_quantity is None else plain(received_quantity),
            "Note": neutralized(note),
        })
        self.add_values(row, tx_id, values)

    def add_values(self, row: Row, tx_id: str, values: dict[str, str]) -> None:
        """A finished row (every value already neutralized); a second row with the same ID is dropped with a
        warning: with the exchange's IDs, or the content hash of identical lines, they are one transaction."""
        if tx_id in self._line_of_id:
            first = self._line_of_id[tx_id]
            self.warnings.append(Issue(row.line, "", f"line {row.line} is the same transaction as line {first} "
                                                     f"(ID {tx_id}): imported once"))
            return
        self._line_of_id[tx_id] = row.line
        self.rows.append(values)
        self.lines.append(row.line)

    def cannot_map(self, row: Row, field: str, message: str) -> None:
        """A line the user must enter by hand (or decide about); `message` says what to enter."""
        self.unmapped.append(Issue(row.line, row.column(field) if field else "", message))

    def skip(self, reason: str) -> None:
        """A line that is not a taxable event and needs nothing from the user (counted in the summary)."""
        self.skipped[reason] += 1


# -- what the user is told to enter -------------------------------------------------------------
def send_message(wallet: str, asset: str, quantity: Decimal, when: datetime, tx_id: str,
                 fee_quantity: Decimal = _ZERO, fee_usd: Decimal | None = None) -> str:
    """A withdrawal of crypto to an address outside the exchange: only the user knows whether it went to a
    wallet of theirs (a Transfer) or was spent or given away (a Spend)."""
    amount = f"{plain(quantity)} {asset}"
    if fee_quantity:
        total = plain(quantity + fee_quantity)
        fee_value = f"its USD value, {plain(fee_usd)} by the file," if fee_usd else "its USD value"
        transfer = (f"enter a Transfer of Quantity {total} {asset} from {wallet} with Received Quantity "
                    f"{plain(quantity)}, To Wallet that wallet and Fee USD = {fee_value} for the "
                    f"{plain(fee_quantity)} {asset} network fee")
        amount += f" plus a network fee of {plain(fee_quantity)} {asset}"
    else:
        transfer = f"enter a Transfer of {plain(quantity)} {asset} from {wallet} with To Wallet that wallet"
    return (f"a withdrawal of {amount} on {day(when)} to an address outside {wallet}: if it went to a wallet of "
            f"yours, {transfer}; if you spent or gave it away, enter a Spend with its USD value "
            f"(ID {tx_id})")


def receive_message(wallet: str, asset: str, quantity: Decimal, when: datetime, tx_id: str,
                    usd_value: Decimal | None = None) -> str:
    """A deposit of crypto from outside: a Transfer from another wallet of the user's, or income or a gift."""
    value = f" (the file values it at USD {plain(usd_value)})" if usd_value is not None else ""
    return (f"a deposit of {plain(quantity)} {asset} into {wallet} on {day(when)} from outside{value}: if it came "
            f"from a wallet of yours, enter a Transfer from that wallet with To Wallet {wallet}; if you were paid "
            f"or it is a reward, enter it as Income (or Staking, Airdrop...) with its USD value on that day "
            f"(ID {tx_id})")


def no_usd_message(what: str, tx_type: TxType, asset: str, quantity: Decimal, when: datetime, tx_id: str) -> str:
    """A row the file gives no USD figure for: the importer never guesses a price."""
    article = "an" if tx_type.value[0] in "AEIOU" else "a"
    return (f"{what} of {plain(quantity)} {asset} on {day(when)} has no USD value in the file: enter {article} "
            f"{tx_type.value} of {plain(quantity)} {asset} with USD Value = its fair market value in USD at "
            f"that time (ID {tx_id})")


def trade_message(sent: str, sent_quantity: Decimal, received: str, received_quantity: Decimal, when: datetime,
                  tx_id: str, why: str) -> str:
    """A trade the file gives no USD value for (`why` says so): what to enter as a Trade."""
    return (f"a trade of {plain(sent_quantity)} {sent} for {plain(received_quantity)} {received} on {day(when)}: "
            f"{why}; enter a Trade of Quantity {plain(sent_quantity)} {sent} with Received Asset {received}, "
            f"Received Quantity {plain(received_quantity)} and USD Value = the fair market value in USD of the "
            f"{received} received (ID {tx_id})")


@dataclass(frozen=True, slots=True)
class Format:
    """One exchange layout: its name (the --format word), the exchange's wallet name, the accepted column
    names of each field, the fields its header must have, and the function that maps its rows."""

    name: str
    wallet: str
    fields: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    convert: Callable[[Source, Builder], None]
    match: Callable[[Sequence[str]], bool] | None = None  # instead of `required`, when names are not enough
    spill_last: bool = False  # the last column may run over several fields (Kraken's unquoted ledger IDs)

    def matches(self, header: Sequence[str]) -> bool:
        if self.match is not None:
            return self.match(header)
        return Columns(header, self.fields).has(*self.required)
