"""The deduction between adjusted gross income and taxable income: the standard deduction by year and
status, or the itemized amount the user gives (docs/rules.md#standard-deduction).

The estimate starts from taxable income (the user's other income is after the deduction); it needs the
deduction itself only where a rule starts from AGI: modified AGI for the net investment income tax and
the standard deduction that Form 6251 adds back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.tax.netting import FilingStatus
from cryptotax_core.tax.rates import for_year


@dataclass(frozen=True, slots=True)
class StandardDeductionTable:
    """One tax year's basic standard deduction per filing status (docs/rules.md#standard-deduction)."""

    year: int
    source: str
    amounts: dict[FilingStatus, Decimal]


def _table(year: int, source: str, single: int, joint: int, separate: int, head: int) -> StandardDeductionTable:
    amounts = {FilingStatus.SINGLE: single, FilingStatus.MFJ: joint, FilingStatus.MFS: separate,
               FilingStatus.HOH: head}
    return StandardDeductionTable(year, source, {status: Decimal(amount) for status, amount in amounts.items()})


STANDARD_DEDUCTIONS: dict[int, StandardDeductionTable] = {
    table.year: table
    for table in (
        _table(2024, "Rev. Proc. 2023-34", 14_600, 29_200, 14_600, 21_900),
        _table(2025, "Pub. L. 119-21 (amending Rev. Proc. 2024-40)", 15_750, 31_500, 15_750, 23_625),
        _table(2026, "Rev. Proc. 2025-32", 16_100, 32_200, 16_100, 24_150),
    )
}
"""Basic standard deductions by tax year, each from the source it names (docs/rules.md#standard-deduction);
the additional amounts for age 65 or blindness are not included."""


def standard_deduction(year: int, status: FilingStatus) -> Decimal:
    """The basic standard deduction of `year` for `status` (docs/rules.md#standard-deduction);
    `UnsupportedYear` for a year without a table."""
    return for_year(STANDARD_DEDUCTIONS, year, "standard deduction tables").amounts[status]


@dataclass(frozen=True, slots=True)
class Deduction:
    """The deduction taken (Form 1040 line 12): `amount`, and whether it is the user's itemized amount."""

    amount: Decimal
    itemized: bool


def deduction_taken(year: int, status: FilingStatus, itemized: Decimal | None = None) -> Deduction:
    """The itemized amount when the user gives one, else the standard deduction
    (docs/rules.md#standard-deduction)."""
    if itemized is not None:
        return Deduction(itemized, True)
    return Deduction(standard_deduction(year, status), False)
