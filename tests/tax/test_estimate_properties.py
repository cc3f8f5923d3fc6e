"""Properties of the tax estimate that must hold for any amounts (docs/rules.md#the-tax-estimate): more income
or more gain never lowers it, the worksheet's minimum never exceeds the ordinary-rate tax on all of taxable
income, the AMT is never negative, and income the user's figure already includes is counted once."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core.tax.estimate import TaxEstimate, estimate_tax
from cryptotax_core.tax.netting import Carryover, FilingStatus, net_capital
from cryptotax_core.tax.rates import ordinary_tax
from cryptotax_core.tax.worksheet import capital_gain_worksheet

LIMIT = 3_000_000_00  # cents: past every phase-out and band end
money = st.integers(min_value=-LIMIT // 10, max_value=LIMIT).map(lambda cents: Decimal(cents).scaleb(-2))
positive = st.integers(min_value=0, max_value=LIMIT).map(lambda cents: Decimal(cents).scaleb(-2))
steps = st.integers(min_value=1, max_value=LIMIT // 3).map(lambda cents: Decimal(cents).scaleb(-2))
years = st.sampled_from([2024, 2025, 2026])
statuses = st.sampled_from(FilingStatus)
carryovers = st.builds(Carryover, positive, positive)
itemized = st.none() | positive
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


def estimate(year: int, status: FilingStatus, other: Decimal, short: Decimal, long: Decimal, carry: Carryover,
             table: Decimal = Decimal(0), deduction: Decimal | None = None) -> TaxEstimate:
    netting = net_capital(short, long, carry, status)
    return estimate_tax(year, status, other, netting, table_income=table, itemized_deduction=deduction)


@PROPERTY_SETTINGS
@given(years, statuses, money, money, money, carryovers, positive, itemized, steps, st.sampled_from(range(4)))
def test_more_income_or_gain_never_lowers_the_estimate(
    year: int, status: FilingStatus, other: Decimal, short: Decimal, long: Decimal, carry: Carryover,
    table: Decimal, deduction: Decimal | None, step: Decimal, which: int
) -> None:
    before = estimate(year, status, other, short, long, carry, table, deduction)
    more = [other, short, long, table]
    more[which] += step  # more other income, short-term gain, long-term gain or table income
    after = estimate(year, status, more[0], more[1], more[2], carry, more[3], deduction)
    assert after.total_tax >= before.total_tax
    assert after.regular_tax >= before.regular_tax


@PROPERTY_SETTINGS
@given(years, statuses, positive, positive)
def test_the_worksheet_never_exceeds_ordinary_rates_on_all_taxable_income(
    year: int, status: FilingStatus, taxable: Decimal, gain: Decimal
) -> None:
    worksheet = capital_gain_worksheet(taxable, gain, year, status)
    assert worksheet.tax <= ordinary_tax(taxable, year, status)
    assert worksheet.tax == min(worksheet.with_gain_rates, worksheet.all_ordinary)
    assert worksheet.ordinary_part_tax <= worksheet.tax  # the gain never lowers the tax on the ordinary part


@PROPERTY_SETTINGS
@given(years, statuses, money, money, money, carryovers, positive, itemized)
def test_amt_is_never_negative_and_the_parts_add_up(
    year: int, status: FilingStatus, other: Decimal, short: Decimal, long: Decimal, carry: Carryover,
    table: Decimal, deduction: Decimal | None
) -> None:
    result = estimate(year, status, other, short, long, carry, table, deduction)
    assert result.amt >= 0 and result.long_term_tax >= 0 and result.niit >= 0
    assert result.amt == max(Decimal(0), result.tentative_minimum_tax - result.regular_tax)  # Form 6251 line 11
    assert result.regular_tax == result.ordinary_tax + result.long_term_tax
    assert result.total_tax == result.regular_tax + result.amt + result.niit
    assert result.capital_gains_tax == result.total_tax - result.baseline_tax


@PROPERTY_SETTINGS
@given(years, statuses, money, money, money, carryovers, positive, itemized)
def test_income_already_included_is_counted_once(
    year: int, status: FilingStatus, other: Decimal, short: Decimal, long: Decimal, carry: Carryover,
    table: Decimal, deduction: Decimal | None
) -> None:
    netting = net_capital(short, long, carry, status)
    added = estimate_tax(year, status, other, netting, table_income=table, itemized_deduction=deduction)
    included = estimate_tax(year, status, other + table, netting, table_income=table, table_income_included=True,
                            itemized_deduction=deduction)
    assert included.ordinary_income == added.ordinary_income
    assert (included.total_tax, included.baseline_tax, included.amt) == (added.total_tax, added.baseline_tax,
                                                                          added.amt)
