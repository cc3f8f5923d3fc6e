"""Federal income tax rates by year: the ordinary brackets and the long-term bands stacked on top of
ordinary income (docs/rules.md#rates; Rev. Procs. 2023-34, 2024-40, 2025-32).

Every table of the estimate (these, the standard deduction, the AMT figures) is versioned by tax year and
names its source; a year without a table is an error (`UnsupportedYear`), never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from cryptotax_core.errors import UserError
from cryptotax_core.tax.netting import ZERO, FilingStatus

ORDINARY_RATES: tuple[Decimal, ...] = tuple(
    Decimal(rate) for rate in ("0.10", "0.12", "0.22", "0.24", "0.32", "0.35")
)
"""Rates of the ordinary bands whose upper bounds `RateTable.ordinary` lists (docs/rules.md#rates)."""
TOP_ORDINARY_RATE = Decimal("0.37")
"""Rate above the last bound (docs/rules.md#rates)."""
LONG_TERM_RATES: tuple[Decimal, Decimal, Decimal] = (Decimal(0), Decimal("0.15"), Decimal("0.20"))
"""Long-term rates: 0% up to the first threshold of taxable income, 15% up to the second, 20% above
(docs/rules.md#rates; IRC 1(h))."""


@dataclass(frozen=True, slots=True)
class RateTable:
    """One tax year's indexed figures (docs/rules.md#rates).

    ordinary: per status, the upper bounds of the 10/12/22/24/32/35% bands of taxable income.
    long_term: per status, the taxable income where the 0% band ends and where the 15% band ends.
    """

    year: int
    source: str
    ordinary: dict[FilingStatus, tuple[Decimal, ...]]
    long_term: dict[FilingStatus, tuple[Decimal, Decimal]]


def _bounds(*amounts: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(amount) for amount in amounts)


def _separate(single: tuple[Decimal, ...], band_35_end: int) -> tuple[Decimal, ...]:
    """Married filing separately: the single bounds, except where the 35% band ends (docs/rules.md#rates)."""
    return (*single[:-1], Decimal(band_35_end))


def _table(
    year: int,
    source: str,
    single: tuple[Decimal, ...],
    joint: tuple[Decimal, ...],
    head: tuple[Decimal, ...],
    separate_35_end: int,
    long_term: dict[FilingStatus, tuple[int, int]],
) -> RateTable:
    ordinary = {
        FilingStatus.SINGLE: single,
        FilingStatus.MFJ: joint,
        FilingStatus.MFS: _separate(single, separate_35_end),
        FilingStatus.HOH: head,
    }
    thresholds = {status: (Decimal(low), Decimal(high)) for status, (low, high) in long_term.items()}
    return RateTable(year, source, ordinary, thresholds)


RATE_TABLES: dict[int, RateTable] = {
    table.year: table
    for table in (
        _table(
            2024,
            "Rev. Proc. 2023-34",
            single=_bounds(11_600, 47_150, 100_525, 191_950, 243_725, 609_350),
            joint=_bounds(23_200, 94_300, 201_050, 383_900, 487_450, 731_200),
            head=_bounds(16_550, 63_100, 100_500, 191_950, 243_700, 609_350),
            separate_35_end=365_600,
            long_term={
                FilingStatus.SINGLE: (47_025, 518_900),
                FilingStatus.MFJ: (94_050, 583_750),
                FilingStatus.MFS: (47_025, 291_850),
                FilingStatus.HOH: (63_000, 551_350),
            },
        ),
        _table(
            2025,
            "Rev. Proc. 2024-40",
            single=_bounds(11_925, 48_475, 103_350, 197_300, 250_525, 626_350),
            joint=_bounds(23_850, 96_950, 206_700, 394_600, 501_050, 751_600),
            head=_bounds(17_000, 64_850, 103_350, 197_300, 250_500, 626_350),
            separate_35_end=375_800,
            long_term={
                FilingStatus.SINGLE: (48_350, 533_400),
                FilingStatus.MFJ: (96_700, 600_050),
                FilingStatus.MFS: (48_350, 300_000),
                FilingStatus.HOH: (64_750, 566_700),
            },
        ),
        _table(
            2026,
            "Rev. Proc. 2025-32",
            single=_bounds(12_400, 50_400, 105_700, 201_775, 256_225, 640_600),
            joint=_bounds(24_800, 100_800, 211_400, 403_550, 512_450, 768_700),
            head=_bounds(17_700, 67_450, 105_700, 201_750, 256_200, 640_600),
            separate_35_end=384_350,
            long_term={
                FilingStatus.SINGLE: (49_450, 545_500),
                FilingStatus.MFJ: (98_900, 613_700),
                FilingStatus.MFS: (49_450, 306_850),
                FilingStatus.HOH: (66_200, 579_600),
            },
        ),
    )
}
"""Indexed rate tables by tax year, each from the Rev. Proc. it names (docs/rules.md#rates)."""


class UnsupportedYear(UserError):
    """No table of the estimate exists for the year (docs/rules.md#rates: an unknown year is an error).

    A `UserError` (the user names the year); also a `ValueError`, which the command line reports as a
    setting it cannot use."""

    def __init__(self, year: int, tables: str = "rate tables", known: Iterable[int] = ()) -> None:
        self.year = year
        years = ", ".join(str(known_year) for known_year in sorted(known or RATE_TABLES))
        super().__init__(f"tax year {year} is not supported: {tables} exist for {years}")


T = TypeVar("T")


def for_year(tables: Mapping[int, T], year: int, what: str) -> T:
    """The table of `year` among `tables` (one per year); `UnsupportedYear` naming `what` if there is none."""
    try:
        return tables[year]
    except KeyError:
        raise UnsupportedYear(year, what, tables) from None


def rate_table(year: int) -> RateTable:
    """The rate table for `year`; `UnsupportedYear` if there is none."""
    return for_year(RATE_TABLES, year, "rate tables")


def _banded(
    amount_from: Decimal, amount_to: Decimal, bounds: tuple[Decimal, ...], rates: tuple[Decimal, ...]
) -> Decimal:
    """Tax on the slice (amount_from, amount_to] of taxable income; band i ends at bounds[i] (the last band
    is open)."""
    tax = ZERO
    lower = ZERO
    for index, rate in enumerate(rates):
        upper = bounds[index] if index < len(bounds) else None
        low = max(lower, amount_from)
        high = amount_to if upper is None else min(upper, amount_to)
        if high > low:
            tax += (high - low) * rate
        if upper is not None:
            lower = upper
    return tax


def ordinary_tax(taxable_income: Decimal, year: int, status: FilingStatus) -> Decimal:
    """Regular tax on ordinary taxable income by the Tax Rate Schedules (docs/rules.md#rates), unrounded.

    Zero or negative taxable income has no tax. This is the exact schedule; the IRS Tax Table used below
    100,000 taxes the midpoint of a 50-dollar row instead, so it can differ by a few dollars.
    """
    bounds = rate_table(year).ordinary[status]
    return _banded(ZERO, taxable_income, bounds, (*ORDINARY_RATES, TOP_ORDINARY_RATE))


def long_term_gain_tax(ordinary_taxable: Decimal, gain: Decimal, year: int, status: FilingStatus) -> Decimal:
    """Tax on net capital gain stacked on top of ordinary taxable income (docs/rules.md#rates: "long-term
    gains are stacked on top of ordinary taxable income to find their rate band"; Schedule D Tax
    Worksheet / Qualified Dividends and Capital Gain Tax Worksheet), unrounded."""
    bounds = rate_table(year).long_term[status]
    return _banded(ordinary_taxable, ordinary_taxable + gain, bounds, LONG_TERM_RATES)
