"""Settings written as label/value pairs, as on the template's Settings sheet.

Labels match case-insensitively: Tax year, Method, Method 2024 (any year), Pooling, Time zone,
Transfer fee, Allow shortfall, Filing status, Carryover short-term, Carryover long-term,
Other income 2025, Table income in other income, Itemized deduction 2025, Taxable income 2025
(any year), Reported WALLET. Blank lines are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from cryptotax_core.errors import SettingsError, UserError
from cryptotax_core.model import Method, Pooling, Reporting, TransferFee
from cryptotax_core.settings import Settings
from cryptotax_core.table import REPORTING_WORDS
from cryptotax_core.tax.annual import TaxSettings
from cryptotax_core.tax.netting import Carryover, FilingStatus
from cryptotax_core.values import is_blank_or_zero, to_decimal, to_tax_year, to_text

_YEAR_LABEL = re.compile(r"^(method|other income|taxable income|itemized deduction)\s+(\d{4})$")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}


def parse_method(text: str) -> Method:
    try:
        return Method[text.strip().upper()]
    except KeyError:
        raise SettingsError(f"unknown method '{text}': use FIFO, LIFO, HIFO, LOFO or SPECIFIC") from None


E = TypeVar("E", Pooling, TransferFee)


def _choice(text: str, choices: type[E]) -> E:
    for member in choices:
        if member.value == text.strip().lower():
            return member
    names = " or ".join(member.value for member in choices)
    raise SettingsError(f"unknown value '{text}': use {names}")


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a Settings range says."""

    settings: Settings = field(default_factory=Settings)
    tax: TaxSettings = field(default_factory=TaxSettings)
    tax_year: int | None = None


def options_from_pairs(pairs: Iterable[Sequence[object]]) -> Options:
    """Read label/value pairs; `SettingsError` names the first label whose value cannot be used."""
    values: dict[str, object] = {}
    by_year: dict[str, dict[int, object]] = {"method": {}, "other income": {}, "taxable income": {},
                                             "itemized deduction": {}}
    reported: dict[str, Reporting] = {}
    for pair in pairs:
        if len(pair) < 2 or is_blank_or_zero(pair[0]):
            continue
        label = " ".join(to_text(pair[0]).lower().replace("-", " ").split()).rstrip(":")
        value = pair[1]
        try:
            match = _YEAR_LABEL.match(label)
            if match:
                by_year[match.group(1)][int(match.group(2))] = value
            elif label.startswith("reported ") and not is_blank_or_zero(value):
                word = to_text(value).lower()
                if word not in REPORTING_WORDS:
                    raise SettingsError(f"unknown value '{word}': use none, proceeds or basis")
                reported[to_text(pair[0])[len("reported "):].strip()] = REPORTING_WORDS[word]
            else:
                values[label] = value
        except UserError as exc:
            raise SettingsError(f"Settings '{to_text(pair[0])}': {exc}") from None
    try:
        return _build(values, by_year, reported)
    except _LabelError as exc:
        raise SettingsError(f"Settings '{exc.label}': {exc.reason}") from None


class _LabelError(Exception):
    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label = label
        self.reason = reason


T = TypeVar("T")


def _loss(value: object) -> Decimal:
    amount = to_decimal(value)
    if amount < 0:
        raise SettingsError("a loss carried forward is written as a positive amount")
    return amount


def _itemized(value: object) -> Decimal:
    amount = to_decimal(value)
    if amount < 0:
        raise SettingsError("an itemized deduction is a positive amount (leave it blank for the standard "
                            "deduction)")
    return amount


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = to_text(value).lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise SettingsError(f"write yes or no, not '{text}'")


def _build(values: dict[str, object], by_year: dict[str, dict[int, object]],
           reported: dict[str, Reporting]) -> Options:
    def read(label: str, parse: Callable[[object], T], default: T) -> T:
        value = values.get(label)
        if is_blank_or_zero(value):  # Office.js sends an empty cell as 0
            return default
        try:
            return parse(value)
        except UserError as exc:
            raise _LabelError(label.capitalize(), str(exc)) from None

    def per_year(kind: str, parse: Callable[[object], T]) -> dict[int, T]:
        parsed: dict[int, T] = {}
        for tax_year, value in by_year[kind].items():
            if is_blank_or_zero(value):
                continue
            try:
                parsed[tax_year] = parse(value)
            except UserError as exc:
                raise _LabelError(f"{kind.capitalize()} {tax_year}", str(exc)) from None
        return parsed

    def method(value: object) -> Method:
        return parse_method(to_text(value))

    settings = Settings(
        method=read("method", method, Method.FIFO),
        method_by_year=per_year("method", method),
        pooling=read("pooling", lambda value: _choice(to_text(value), Pooling), Pooling.WALLET),
        time_zone=read("time zone", to_text, "UTC"),
        transfer_fee=read("transfer fee", lambda value: _choice(to_text(value), TransferFee), TransferFee.DISPOSE),
        allow_shortfall=read("allow shortfall", _flag, False),
    )
    try:
        settings.zone()
    except SettingsError as exc:
        raise _LabelError("Time zone", str(exc)) from None
    tax = TaxSettings(
        filing_status=read("filing status", lambda value: FilingStatus.parse(to_text(value)), FilingStatus.SINGLE),
        carryover_in=Carryover(read("carryover short term", _loss, Decimal(0)),
                               read("carryover long term", _loss, Decimal(0))),
        other_income=per_year("other income", to_decimal),
        other_income_includes_table=read("table income in other income", _flag, False),
        itemized_deduction=per_year("itemized deduction", _itemized),
        taxable_income=per_year("taxable income", to_decimal),
        reporting_by_wallet=reported,
    )
    return Options(settings, tax, read("tax year", to_tax_year, None))
