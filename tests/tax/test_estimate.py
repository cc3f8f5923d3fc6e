"""The tax estimate (docs/rules.md#the-tax-estimate), worked by hand: ordinary income with the table's income
events, the Qualified Dividends and Capital Gain Tax Worksheet with its final minimum, the standard deduction
and modified AGI for NIIT. The AMT cases are in test_amt.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotax_core.tax.deduction import STANDARD_DEDUCTIONS, deduction_taken, standard_deduction
from cryptotax_core.tax.estimate import estimate_tax
from cryptotax_core.tax.netting import FilingStatus, Netting, net_capital
from cryptotax_core.tax.worksheet import capital_gain_worksheet

D = Decimal
SINGLE, MFJ, MFS, HOH = FilingStatus.SINGLE, FilingStatus.MFJ, FilingStatus.MFS, FilingStatus.HOH


def long_term(amount: str, status: FilingStatus = SINGLE) -> Netting:
    """A year whose only capital result is a long-term gain (or loss) of `amount`."""
    return net_capital(D(0), D(amount), filing_status=status)


def test_estimate_straddle_example() -> None:
    estimate = estimate_tax(2025, SINGLE, D(40000), long_term("20000"))
    # ordinary 40,000: 1,192.50 + 12% * 28,075 = 4,561.50; long-term: 8,350 at 0% (to 48,350) and 11,650 at
    # 15% = 1,747.50; worksheet line 24, all 60,000 at ordinary rates: 5,578.50 + 22% * 11,525 = 8,114 > 6,309
    assert estimate.ordinary_tax == D("4561.50")
    assert estimate.long_term_tax == D("1747.50")
    assert estimate.regular_tax == D("6309.00")
    # AMT: AMTI 60,000 + 15,750 = 75,750, under the 88,100 exemption; MAGI 75,750: no NIIT
    assert (estimate.amt, estimate.niit) == (0, 0)
    assert estimate.total_tax == D("6309.00")
    assert estimate.baseline_tax == D("4561.50")
    assert estimate.capital_gains_tax == D("1747.50")
    assert (estimate.short_term, estimate.long_term, estimate.taxable_income) == (D(0), D(20000), D(60000))


@pytest.mark.parametrize(("short", "long", "ordinary_part", "long_part"), [
    ("10000", "-4000", "6000", "0"),  # long-term loss offsets short-term gain: all ordinary
    ("-3000", "10000", "0", "7000"),  # short-term loss reduces the net capital gain (line 16 < line 15)
    ("5000", "10000", "5000", "10000"),  # both gains: line 15 is the net capital gain
], ids=["lt-loss", "st-loss", "both-gains"])
def test_net_capital_gain_is_smaller_of_lines_15_and_16(
    short: str, long: str, ordinary_part: str, long_part: str
) -> None:
    estimate = estimate_tax(2025, SINGLE, D(50000), net_capital(D(short), D(long)))
    assert estimate.short_term == D(ordinary_part)
    assert estimate.long_term == D(long_part)


def test_short_term_gain_taxed_as_ordinary() -> None:
    # 2025 single, 50,000 + 6,000 net short-term: 5,578.50 + 22% * 7,525 = 7,234.00;
    # baseline 5,578.50 + 22% * 1,525 = 5,914.00; difference = 6,000 * 22% = 1,320.00
    estimate = estimate_tax(2025, SINGLE, D(50000), net_capital(D(10000), D(-4000)))
    assert (estimate.ordinary_tax, estimate.baseline_tax, estimate.capital_gains_tax) == (
        D("7234.00"), D("5914.00"), D("1320.00"))


def test_loss_deduction_lowers_tax() -> None:
    # 2025 single, 50,000 - 3,000: 1,192.50 + 12% * 35,075 = 5,401.50; saves 1,525 * 22% + 1,475 * 12%
    estimate = estimate_tax(2025, SINGLE, D(50000), net_capital(D(-10000), D(0)))
    assert estimate.capital_loss_deduction == D(3000)
    assert estimate.taxable_income == D(47000)
    assert estimate.ordinary_tax == D("5401.50")
    assert estimate.capital_gains_tax == D("-512.50")


def test_gain_over_negative_other_income() -> None:
    # other income -5,000 (deductions above income) + 8,000 long-term: taxable 3,000, all of it at 0%
    estimate = estimate_tax(2025, SINGLE, D(-5000), long_term("8000"))
    assert (estimate.taxable_income, estimate.long_term, estimate.total_tax) == (D(3000), D(3000), D(0))
    # modified AGI: 3,000 + the 15,750 standard deduction
    assert estimate.modified_agi == D(18750)


# -- the worksheet's final minimum ------------------------------------------------------------------------
# Where the 0% band ends before the 12% band does, gain taxed at 15% between the two ends costs more than the
# ordinary 12% would: the worksheet's line 25 takes the smaller of line 23 (rates) and line 24 (all ordinary).
@pytest.mark.parametrize(("year", "status", "ordinary", "gain", "line23", "line24"), [
    # 2026 single: 0% ends 49,450, 12% ends 50,400. Line 22: 1,240 + 12% * 37,050 = 5,686; line 23 = 5,686 +
    # 15% * 950 = 5,828.50; line 24: tax on 50,400 = 1,240 + 12% * 38,000 = 5,800
    (2026, SINGLE, "49450", "950", "5828.50", "5800.00"),
    # 2026 joint: 0% ends 98,900, 12% ends 100,800. Line 22: 2,480 + 12% * 74,100 = 11,372; + 15% * 1,900 = 285:
    # 11,657; line 24: tax on 100,800 = 2,480 + 12% * 76,000 = 11,600 (57 less: the largest gap)
    (2026, MFJ, "98900", "1900", "11657.00", "11600.00"),
    # 2026 head: 0% ends 66,200, 12% ends 67,450. Line 22: 1,770 + 12% * 48,500 = 7,590; + 187.50 = 7,777.50;
    # line 24: 1,770 + 12% * 49,750 = 7,740
    (2026, HOH, "66200", "1250", "7777.50", "7740.00"),
    # 2026 separate: as single
    (2026, MFS, "49450", "950", "5828.50", "5800.00"),
    # 2024 single: 0% ends 47,025, 12% ends 47,150. Line 22: 1,160 + 12% * 35,425 = 5,411; + 15% * 125 = 18.75:
    # 5,429.75; line 24: 1,160 + 12% * 35,550 = 5,426
    (2024, SINGLE, "47025", "125", "5429.75", "5426.00"),
    # 2025 single below the gap: ordinary 40,000 + 5,000 all at 0%: line 23 = 1,192.50 + 12% * 28,075 = 4,561.50;
    # line 24 = 1,192.50 + 12% * 33,075 = 5,161.50: the rates win
    (2025, SINGLE, "40000", "5000", "4561.50", "5161.50"),
], ids=["2026-single-5800", "2026-joint-57", "2026-head", "2026-separate", "2024-single", "rates-win"])
def test_worksheet_takes_the_smaller_of_lines_23_and_24(
    year: int, status: FilingStatus, ordinary: str, gain: str, line23: str, line24: str
) -> None:
    taxable = D(ordinary) + D(gain)
    worksheet = capital_gain_worksheet(taxable, D(gain), year, status)
    assert (worksheet.ordinary_part, worksheet.gain_taxed) == (D(ordinary), D(gain))
    assert (worksheet.with_gain_rates, worksheet.all_ordinary) == (D(line23), D(line24))
    assert worksheet.tax == min(D(line23), D(line24))
    estimate = estimate_tax(year, status, D(ordinary), long_term(gain, status))
    assert estimate.regular_tax == min(D(line23), D(line24))
    # the long-term line is what the gain adds: 5,800 - 5,686 = 114 in the first case, not 142.50
    assert estimate.long_term_tax == estimate.regular_tax - estimate.ordinary_tax


def test_the_5800_example() -> None:
    """docs/rules.md#qualified-dividends-and-capital-gain-tax-worksheet: 2026 single, ordinary 49,450 and
    long-term 950: 5,800, not 5,828.50."""
    estimate = estimate_tax(2026, SINGLE, D(49450), long_term("950"))
    assert (estimate.ordinary_tax, estimate.long_term_tax, estimate.total_tax) == (D(5686), D(114), D(5800))


# -- ordinary income: the table's income events ------------------------------------------------------------
def test_staking_income_moves_a_long_term_gain_from_0_to_15_percent() -> None:
    # 2025 single, other income 40,000 and a long-term gain of 8,000: taxable 48,000 < 48,350, all at 0%:
    # the tax is the ordinary 1,192.50 + 12% * 28,075 = 4,561.50
    alone = estimate_tax(2025, SINGLE, D(40000), long_term("8000"))
    assert (alone.ordinary_income, alone.long_term_tax, alone.total_tax) == (D(40000), D(0), D("4561.50"))
    # with 6,000 of staking from the table: ordinary 46,000: 1,192.50 + 12% * 34,075 = 5,281.50; the gain now
    # runs from 46,000: 2,350 at 0% (to 48,350) and 5,650 at 15% = 847.50; line 23 = 6,129.00 < line 24
    # (54,000 at ordinary rates: 5,578.50 + 22% * 5,525 = 6,794.00)
    staked = estimate_tax(2025, SINGLE, D(40000), long_term("8000"), table_income=D(6000))
    assert (staked.other_income, staked.table_income, staked.ordinary_income) == (D(40000), D(6000), D(46000))
    assert (staked.ordinary_tax, staked.long_term_tax, staked.total_tax) == (D("5281.50"), D("847.50"), D("6129.00"))
    # the baseline holds the staking too (ordinary income, not a capital result): 847.50 is due to the gain
    assert (staked.baseline_tax, staked.capital_gains_tax) == (D("5281.50"), D("847.50"))


def test_other_income_that_already_includes_the_table_income_counts_it_once() -> None:
    # the user's 46,000 already holds the 6,000 of staking: ordinary income 46,000, not 52,000
    included = estimate_tax(2025, SINGLE, D(46000), long_term("8000"), table_income=D(6000),
                            table_income_included=True)
    added = estimate_tax(2025, SINGLE, D(40000), long_term("8000"), table_income=D(6000))
    assert (included.ordinary_income, included.table_income_included) == (D(46000), True)
    assert (included.total_tax, included.capital_gains_tax) == (added.total_tax, added.capital_gains_tax) == (
        D("6129.00"), D("847.50"))
    # counted twice it would be 52,000: 1,192.50 + 12% * 36,550 + 22% * 3,525 = 6,354.00 + 15% * 8,000
    twice = estimate_tax(2025, SINGLE, D(46000), long_term("8000"), table_income=D(6000))
    assert twice.ordinary_income == D(52000) and twice.total_tax == D("7554.00")


# -- the standard deduction and modified AGI ---------------------------------------------------------------
@pytest.mark.parametrize(("year", "amounts"), [
    (2024, (14600, 29200, 14600, 21900)),
    (2025, (15750, 31500, 15750, 23625)),
    (2026, (16100, 32200, 16100, 24150)),
])
def test_standard_deduction(year: int, amounts: tuple[int, int, int, int]) -> None:
    for status, amount in zip((SINGLE, MFJ, MFS, HOH), amounts, strict=True):
        assert standard_deduction(year, status) == amount
    assert set(STANDARD_DEDUCTIONS[year].amounts) == set(FilingStatus)
    assert deduction_taken(year, MFJ).itemized is False
    assert deduction_taken(year, MFJ, D(41000)).amount == D(41000)


@pytest.mark.parametrize(("year", "status", "ordinary", "short", "long", "magi", "niit"), [
    # MAGI = taxable income + the standard deduction: 230,000 + 15,750 = 245,750; 45,750 above 200,000 is less
    # than the 50,000 of gain: 3.8% * 45,750 = 1,738.50 (taxable income alone would give 1,140: 3.8% of the
    # 15,750 less)
    (2025, SINGLE, "180000", "50000", "0", "245750", "1738.50"),
    # MAGI 600,000 + 29,200: 379,200 above 250,000 > 100,000 of gain: 3.8% * 100,000
    (2024, MFJ, "500000", "0", "100000", "629200", "3800.00"),
    # head of household: 199,000 of taxable income + 24,150 = 223,150: 23,150 above 200,000 > 9,000 of
    # gain: 3.8% * 9,000 = 342 (none on taxable income alone)
    (2026, HOH, "190000", "9000", "0", "223150", "342.00"),
    # a net loss is no investment income
    (2025, SINGLE, "400000", "-5000", "0", "412750", "0"),
], ids=["single-partial", "mfj-all-gain", "hoh-over-with-deduction", "loss"])
def test_niit_on_modified_agi(year: int, status: FilingStatus, ordinary: str, short: str, long: str, magi: str,
                              niit: str) -> None:
    netting = net_capital(D(short), D(long), filing_status=status)
    estimate = estimate_tax(year, status, D(ordinary), netting)
    assert (estimate.modified_agi, estimate.niit) == (D(magi), D(niit))


@pytest.mark.parametrize(("ordinary", "gain", "magi", "niit"), [
    # 2026 married filing separately, threshold 125,000, standard deduction 16,100
    ("100000", "8000", "124100", "0"),  # 108,000 + 16,100 = 124,100: under the threshold
    ("100000", "8900", "125000", "0"),  # exactly at it
    ("105000", "10000", "131100", "231.80"),  # 6,100 above: 3.8% * 6,100 (taxable income 115,000 alone: none)
    ("120000", "10000", "146100", "380.00"),  # 21,100 above > 10,000 of gain: 3.8% * 10,000
], ids=["under", "at", "just-over", "all-gain"])
def test_niit_near_the_threshold_married_filing_separately(ordinary: str, gain: str, magi: str, niit: str) -> None:
    estimate = estimate_tax(2026, MFS, D(ordinary), long_term(gain, MFS))
    assert (estimate.deduction, estimate.modified_agi, estimate.niit) == (D(16100), D(magi), D(niit))


def test_an_itemized_deduction_sets_modified_agi() -> None:
    # 2026 single, taxable income 190,000 + 20,000 long-term, itemized 40,000: MAGI 250,000, 50,000 above
    # 200,000 > 20,000 of gain: 3.8% * 20,000 = 760; with the standard 16,100: MAGI 226,100: 3.8% * 20,000 too;
    # and with a 10,000 gain: itemized MAGI 240,000 (40,000 above: 380) vs standard 216,100 (16,100 above: 380)
    itemized = estimate_tax(2026, SINGLE, D(190000), long_term("20000"), itemized_deduction=D(40000))
    assert (itemized.deduction, itemized.deduction_itemized, itemized.modified_agi, itemized.niit) == (
        D(40000), True, D(250000), D(760))
    # near the threshold the deduction decides: taxable 170,000 + 10,000, itemized 40,000: MAGI 220,000, 3.8% *
    # 10,000 = 380; standard: MAGI 196,100: none
    near = estimate_tax(2026, SINGLE, D(170000), long_term("10000"), itemized_deduction=D(40000))
    standard = estimate_tax(2026, SINGLE, D(170000), long_term("10000"))
    assert (near.modified_agi, near.niit, standard.modified_agi, standard.niit) == (
        D(220000), D(380), D(196100), D(0))


def test_estimate_parts_add_up_and_round_half_up() -> None:
    # 2024 single, 47,025 ordinary + 10.01 long-term: line 23 = 5,411 + 15% * 10.01 = 5,412.5015; line 24 (the
    # gap to 47,150): 1,160 + 12% * 35,435.01 = 5,412.2012, the smaller -> 5,412.20; long-term 5,412.20 - 5,411
    estimate = estimate_tax(2024, SINGLE, D(47025), long_term("10.01"))
    assert (estimate.ordinary_tax, estimate.long_term_tax, estimate.regular_tax) == (
        D(5411), D("1.20"), D("5412.20"))
    assert estimate.regular_tax == estimate.ordinary_tax + estimate.long_term_tax
    assert estimate.total_tax == estimate.regular_tax + estimate.amt + estimate.niit
    # 0.05 of ordinary income at 10% = 0.005 -> 0.01 (half up)
    assert estimate_tax(2024, SINGLE, D("0.05"), net_capital(D(0), D(0))).ordinary_tax == D("0.01")


def test_status_must_match_netting() -> None:
    with pytest.raises(ValueError, match="filing status 'mfs'"):
        estimate_tax(2025, SINGLE, D(1000), net_capital(D(-5000), D(0), filing_status=MFS))
