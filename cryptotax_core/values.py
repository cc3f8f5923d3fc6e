"""Turning cell values (as CSV readers, openpyxl or Excel hand them over) into exact values.

Every converter returns the value or raises `CellError` with a message that tells the user what to
fix; the table reader adds the row and column.
"""

from __future__ import annotations

import calendar
import gc
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from cryptotax_core.errors import UserError

EXCEL_EPOCH: Final = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 once Excel's fictitious 1900-02-29 is skipped
EXCEL_ERRORS: Final = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
_NUMBER_TEXT: Final = re.compile(r"^[+-]?\$?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][+-]?\d+)?$")
_SERIAL_MIN, _SERIAL_MAX = 61, 2958465  # 1900-03-01 .. 9999-12-31


class CellError(UserError):
    """A single cell's value cannot be used; the message says why and what to write instead."""


def is_blank(value: object) -> bool:
    """Empty as Excel sends it: None, "" (or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_or_zero(value: object) -> bool:
    """Empty, also counting the 0 that Office.js sends for an empty cell."""
    return is_blank(value) or (isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
                               and value == 0)


def _reject_excel_error(value: str) -> None:
    if value.strip().upper() in EXCEL_ERRORS:
        raise CellError(f"the cell shows the Excel error {value.strip().upper()}: fix the formula or type a value")


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from a number or number text. Floats go through their shortest text form."""
    if isinstance(value, bool):
        raise CellError(f"expected a number, found {value}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CellError(f"expected a number, found {value}")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        _reject_excel_error(text)
        if not _NUMBER_TEXT.match(text) or not any(ch.isdigit() for ch in text):
            raise CellError(f"expected a number, found '{_clip(text)}'{_comma_hint(text)}")
        try:
            result = Decimal(text.replace(",", "").replace("$", ""))
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
            raise CellError(f"expected a number, found '{_clip(text)}'") from exc
    else:
        raise CellError(f"expected a number, found {type(value).__name__} {_clip(str(value))}")
    if not result.is_finite():
        raise CellError(f"expected a number, found {value}")
    return result


def to_tax_year(value: object) -> int:
    """A tax year from a cell or an argument: a whole number after 1900 and before 2200 (2025, "2025", 2025.0)."""
    number = to_decimal(value)
    if number != number.to_integral_value() or not 1900 < number < 2200:
        raise CellError(f"{value} is not a tax year")
    return int(number)


def _comma_hint(text: str) -> str:
    """A hint for a decimal comma (0,5 or 1.234,56), which this table does not read: commas only group
    thousands."""
    if not _DECIMAL_COMMA.match(text):
        return ""
    whole, _, fraction = text.replace(".", "").rpartition(",")
    return f": write the decimal point as '.' ({whole}.{fraction}); a comma may only group thousands (1,234.5)"


_DECIMAL_COMMA: Final = re.compile(r"^[+-]?\$?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\$?\d+,\d+$")


def to_text(value: object) -> str:
    """Cell text, trimmed. Numbers become their shortest text ("3", not "3.0")."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    text = str(value).strip()
    _reject_excel_error(text)
    return text


_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def to_name(value: object) -> str:
    """A name that identifies something (asset, wallet, ID): cell text in one Unicode form (NFKC, so "Börse"
    typed two ways, or a full-width "ＢＴＣ", is one name) without invisible characters pasted from web
    pages (zero-width space, soft hyphen)."""
    text = to_text(value)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()


def to_local_datetime(value: object, zone: ZoneInfo) -> datetime:
    """A naive local date-time from a cell.

    Accepted: `datetime`/`date` objects, Excel serial numbers (as numbers or number text) and date
    text (ISO 8601 with or without time and offset, or common forms like 3/14/2025). A time with an
    offset is converted to `zone` before its date is taken; one without an offset is already local
    (docs/rules.md#holding-period: dates are the taxpayer's local calendar dates).
    """
    if isinstance(value, bool):
        raise CellError(f"expected a date, found {value}")
    if isinstance(value, datetime):
        return _localize(value, zone)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float, Decimal)):
        return _from_serial(value)
    if isinstance(value, str):
        text = value.strip()
        _reject_excel_error(text)
        if not text:
            raise CellError("the date is missing")
        if _YEAR.fullmatch(text):
            raise CellError(f"{text} looks like a year, not a date: write the full date as YYYY-MM-DD "
                            f"(e.g. 2025-03-14)")
        if (_NUMBER_TEXT.match(text) and "," not in text and "$" not in text
                and any(character.isdigit() for character in text)):
            return _from_serial(Decimal(text))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _parse_loose(text)
        try:
            return _localize(parsed, zone)
        except (ValueError, OverflowError) as exc:  # e.g. an offset of +25:00
            raise CellError(f"'{_clip(text)}' is not a date: write it as YYYY-MM-DD (e.g. 2025-03-14)") from exc
    raise CellError(f"expected a date, found {type(value).__name__}")


def _parse_loose(text: str) -> datetime:
    """Dates other than ISO 8601: month/day/year (3/14/2025), or with the month's name. A date that could
    be read two ways, or that lacks its year, month or day, is refused rather than guessed."""
    fix = "write it as YYYY-MM-DD (e.g. 2025-03-14)"
    if _DOTTED.match(text):
        raise CellError(f"'{_clip(text)}' may be day.month.year or month.day.year: {fix}")
    slashed = _SLASHED.match(text)
    if slashed and int(slashed.group(1)) > 12:
        raise CellError(f"'{_clip(text)}' is not month/day/year: {fix}")
    missing_day = _missing_day(text)
    if missing_day:
        raise CellError(f"'{_clip(text)}' is not a date: {missing_day}")
    try:
        first = date_parser.parse(text, dayfirst=False, yearfirst=True, default=_DEFAULTS[0])
        second = date_parser.parse(text, dayfirst=False, yearfirst=True, default=_DEFAULTS[1])
    except (ValueError, OverflowError) as exc:
        raise CellError(f"'{_clip(text)}' is not a date: {fix}") from exc
    if first.date() != second.date():  # a part was filled in from the default
        raise CellError(f"'{_clip(text)}' is not a full date (year, month and day): {fix}")
    return first


def _missing_day(text: str) -> str:
    """For text in the YYYY-MM-DD form whose month or day does not exist (2025-02-30), what is wrong
    with it; else ''."""
    iso = _ISO_DAY.match(text)
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month} (write YYYY-MM-DD, the month second)"
    days = calendar.monthrange(year, month)[1] if year else 31
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days, not {day}"
    return ""


_ISO_DAY: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YEAR: Final = re.compile(r"\d{4}")
_DOTTED: Final = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_SLASHED: Final = re.compile(r"(\d{1,2})[/-]\d{1,2}[/-]\d{2,4}\b")
_DEFAULTS: Final = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def _localize(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _from_serial(value: int | float | Decimal) -> datetime:
    serial = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not serial.is_finite() or not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise CellError(f"{value} is not a date: write it as YYYY-MM-DD (e.g. 2025-03-14)")
    whole = int(serial)
    seconds = round((serial - whole) * 86400)
    return EXCEL_EPOCH + timedelta(days=whole, seconds=int(seconds))


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(number: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 0.50 -> "0.5", 1E+2 -> "100"."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Suspend Python's cyclic garbage collector while building many small records that form no cycles:
    its full passes over every live record cost a quarter of the time on large histories (bench/run.py).
    Reference counting still frees everything. On leaving, also by an exception, the collector is as it
    was found: on again only if it was on (the caller's process, e.g. Excel's Python, owns it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralized(text: str) -> str:
    """Text that cannot run as a formula when a spreadsheet opens it (CSV injection): a leading
    `=`, `+`, `-`, `@`, tab or carriage return gets an apostrophe in front, which spreadsheets show as
    text. Other text is returned unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
