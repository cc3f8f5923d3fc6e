"""Federal income tax rates by year and an estimate of the tax on a year's capital results
(docs/rules.md#rates; Rev. Procs. 2023-34, 2024-40, 2025-32).

Every table is versioned by tax year and names its source; a year without a table is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.summary import cents as _cents
from cryptotax_core.tax.netting import ZERO, FilingStatus, Netting

ORDINARY_RATES: tuple[Decimal, ...] = tuple(
    Decimal(rate) for rate in ("0.10", "0.12", "0.22", "0.24", "0.32", "0.35")
)
"""Rates of the ordinary bands whose upper bounds `RateTable.ordinary` lists (docs/rules.md#rates)."""
TOP_ORDINARY_RATE = Decimal("0.37")
"""Rate above the last bound (docs/rules.md#rates)."""
LONG_TERM_RATES: tuple[Decimal, Decimal, Decimal] = (Decimal(0), Decimal("0.15"), Decimal("0.20"))
"""Long-term rates: 0% up to the first threshold of taxable income, 15% up to the second, 20% above
(docs/rules.md#rates; IRC 1(h))."""
NIIT_RATE = Decimal("0.038")
NIIT_THRESHOLD: dict[FilingStatus, Decimal] = {
    FilingStatus.SINGLE: Decimal(200_000),
    FilingStatus.MFJ: Decimal(250_000),
    FilingStatus.MFS: Decimal(125_000),
    FilingStatus.HOH: Decimal(200_000),
}
"""Net investment income tax: 3.8% above these modified AGIs, not indexed (docs/rules.md#rates; IRC 1411)."""


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


class UnsupportedYear(ValueError):
    """No rate table exists for the year (docs/rules.md#rates: an unknown year is an error)."""

    def __init__(self, year: int) -> None:
        self.year = year
        known = ", ".join(str(known_year) for known_year in sorted(RATE_TABLES))
        super().__init__(f"tax year {year} is not supported: rate tables exist for {known}")


def rate_table(year: int) -> RateTable:
    """The table for `year`; `UnsupportedYear` if there is none."""
    try:
        return RATE_TABLES[year]
    except KeyError:
        raise UnsupportedYear(year) from None


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


def niit(net_investment_income: Decimal, magi: Decimal, status: FilingStatus) -> Decimal:
    """Net investment income tax: 3.8% of the smaller of net investment income and modified AGI above the
    threshold (docs/rules.md#rates; IRC 1411, Form 8960), unrounded."""
    excess = max(ZERO, magi - NIIT_THRESHOLD[status])
    return NIIT_RATE * min(max(ZERO, net_investment_income), excess)


@dataclass(frozen=True, slots=True)
class TaxEstimate:
    """Federal tax with and without a year's capital results, in cents.

    ordinary_income: the other taxable income given (everything but capital gains and losses).
    short_term: capital gain taxed at ordinary rates (net short-term gain left after netting).
    long_term: net capital gain taxed at the long-term rates.
    capital_loss_deduction: the net capital loss deducted from ordinary income (positive).
    taxable_income: Form 1040 line 15 as estimated (never below zero).
    ordinary_tax: tax on taxable income other than `long_term`, by the ordinary brackets.
    long_term_tax / niit: tax on `long_term` stacked on top / net investment income tax.
    total_tax: ordinary_tax + long_term_tax + niit.
    baseline_tax: the tax on `ordinary_income` alone, as if there were no capital results.
    capital_gains_tax: total_tax - baseline_tax (negative when a loss deduction saves tax).
    """

    year: int
    filing_status: FilingStatus
    ordinary_income: Decimal
    short_term: Decimal
    long_term: Decimal
    capital_loss_deduction: Decimal
    taxable_income: Decimal
    ordinary_tax: Decimal
    long_term_tax: Decimal
    niit: Decimal
    total_tax: Decimal
    baseline_tax: Decimal
    capital_gains_tax: Decimal


def estimate_tax(
    year: int, status: FilingStatus, other_taxable_income: Decimal, netting: Netting
) -> TaxEstimate:
    """Estimate the federal tax on a year's netted capital results (docs/rules.md#rates; Schedule D lines
    15-21 and the Qualified Dividends and Capital Gain Tax Worksheet).

    - Net capital gain (taxed at long-term rates) is the smaller of net long-term gain (line 15) and the
      total (line 16) when both are gains; the rest of a positive total is taxed as ordinary income.
    - A net loss reduces ordinary income by `netting.deductible_loss` only.
    - Taxable income = other_taxable_income + the capital result, floored at zero; the net capital gain
      taxed at long-term rates is at most that taxable income (as in the worksheet), and is stacked on
      top of the ordinary part to find its band.
    - NIIT approximation: net investment income is the positive capital total only (no dividends,
      interest or rents), and modified AGI is approximated as other_taxable_income + the capital total.
      Real MAGI is before deductions, so this understates NIIT for taxpayers near the threshold.
    - `status` must be the filing status the netting was computed for (its loss limit depends on it).
    - The baseline (tax without capital results) is the ordinary tax on other_taxable_income, no NIIT.
    - Amounts are exact until the final fields, each rounded to cents (half up); total_tax is the sum of
      the rounded parts.
    """
    if status is not netting.filing_status:
        raise ValueError(
            f"the netting was computed for filing status '{netting.filing_status.value}' "
            f"but the tax is estimated for '{status.value}': the loss limit differs"
        )
    if netting.total > 0:
        net_capital_gain = max(ZERO, min(netting.long_term, netting.total))
        capital_income = netting.total
    else:
        net_capital_gain = ZERO
        capital_income = -netting.deductible_loss
    taxable_income = max(ZERO, other_taxable_income + capital_income)
    long_term = min(net_capital_gain, taxable_income)
    ordinary_taxable = taxable_income - long_term
    short_term = max(ZERO, netting.total) - net_capital_gain

    ordinary = _cents(ordinary_tax(ordinary_taxable, year, status))
    long_term_tax = _cents(long_term_gain_tax(ordinary_taxable, long_term, year, status))
    investment_income = max(ZERO, netting.total)
    niit_tax = _cents(niit(investment_income, other_taxable_income + investment_income, status))
    total = ordinary + long_term_tax + niit_tax
    baseline = _cents(ordinary_tax(other_taxable_income, year, status))
    return TaxEstimate(
        year=year,
        filing_status=status,
        ordinary_income=_cents(other_taxable_income),
        short_term=_cents(short_term),
        long_term=_cents(long_term),
        capital_loss_deduction=_cents(netting.deductible_loss),
        taxable_income=_cents(taxable_income),
        ordinary_tax=ordinary,
        long_term_tax=long_term_tax,
        niit=niit_tax,
        total_tax=total,
        baseline_tax=baseline,
        capital_gains_tax=total - baseline,
    )
