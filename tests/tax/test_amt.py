"""The alternative minimum tax (docs/rules.md#alternative-minimum-tax), worked by hand through Form 6251's
lines for a filer whose only adjustment is the deduction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotax_core.tax.amt import AMT_NOTE, AMT_TABLES, at_26_28, form_6251
from cryptotax_core.tax.estimate import estimate_tax
from cryptotax_core.tax.netting import FilingStatus, Netting, net_capital
from cryptotax_core.tax.worksheet import capital_gain_worksheet

D = Decimal
SINGLE, MFJ, MFS, HOH = FilingStatus.SINGLE, FilingStatus.MFJ, FilingStatus.MFS, FilingStatus.HOH


def long_term(amount: str, status: FilingStatus = SINGLE) -> Netting:
    return net_capital(D(0), D(amount), filing_status=status)


def test_2024_single_large_long_term_gain() -> None:
    """2024 single, other income 50,000, long-term gain 900,000.

    Regular tax (Qualified Dividends and Capital Gain Tax Worksheet):
      line 1 taxable income 950,000; line 4 net capital gain 900,000; line 5 ordinary part 50,000
      line 22 tax on 50,000: 5,426 + 22% x 2,850 = 6,053
      lines 6-21: the 0% band ends at 47,025, below line 5: nothing at 0%; 15% from 50,000 to 518,900:
        468,900 x 15% = 70,335; 20% from 518,900 to 950,000: 431,100 x 20% = 86,220
      line 23: 6,053 + 70,335 + 86,220 = 162,608; line 24 (all ordinary) far more: line 25 = 162,608
    Form 6251:
      line 1: 950,000; line 2a: the standard deduction 14,600; line 4 AMTI: 964,600
      line 5: 85,700 - 25% x (964,600 - 609,350) = 85,700 - 88,812.50 < 0: exemption 0
      line 6: 964,600; line 7: Part III (a gain on Schedule D lines 15 and 16)
      Part III: line 12: 964,600; line 13: 900,000; line 15: 900,000; line 16: 900,000; line 17: 64,600
        line 18: 26% x 64,600 = 16,796 (under 232,600)
        line 19: 47,025; line 20: 50,000 (the worksheet's line 5); line 21: 0; line 22: 900,000; line 23: 0
        line 24: 900,000; line 25: 518,900; line 26: 0 (line 21); line 27: 50,000; line 28: 50,000
        line 29: 468,900; line 30: 468,900; line 31: 15% = 70,335; line 32: 468,900
        line 33: 431,100; line 34: 20% = 86,220; lines 35-37: no unrecaptured 1250 gain
        line 38: 16,796 + 70,335 + 86,220 = 173,351
        line 39: 26% x 232,600 + 28% x (964,600 - 232,600) = 60,476 + 204,960 = 265,436
        line 40: the smaller: 173,351
      line 9 tentative minimum tax: 173,351; line 10 regular tax: 162,608; line 11 AMT: 10,743
    NIIT: MAGI 964,600, 764,600 above 200,000 < 900,000 of gain: 3.8% x 764,600 = 29,054.80
    Total: 162,608 + 10,743 + 29,054.80 = 202,405.80. Baseline (50,000 alone): 6,053, AMTI 64,600 under the
    exemption, no AMT: 196,352.80 due to the gain.
    """
    estimate = estimate_tax(2024, SINGLE, D(50000), long_term("900000"))
    assert (estimate.regular_tax, estimate.ordinary_tax, estimate.long_term_tax) == (D(162608), D(6053), D(156555))
    assert (estimate.amti, estimate.amt_exemption, estimate.tentative_minimum_tax) == (D(964600), D(0), D(173351))
    assert (estimate.amt, estimate.niit, estimate.total_tax) == (D(10743), D("29054.80"), D("202405.80"))
    assert (estimate.baseline_tax, estimate.capital_gains_tax) == (D(6053), D("196352.80"))
    assert estimate.amt_note == AMT_NOTE


def test_2026_single_large_long_term_gain() -> None:
    """2026 single, other income 60,000, long-term gain 1,000,000.

    Regular tax: line 1 1,060,000; line 4 1,000,000; line 5 60,000
      line 22: 5,800 + 22% x 9,600 = 7,912; nothing at 0% (49,450 < 60,000); 15% from 60,000 to 545,500:
      485,500 x 15% = 72,825; 20% from 545,500 to 1,060,000: 514,500 x 20% = 102,900
      line 23 = 183,637; line 24 (348,157.25) is larger: regular tax 183,637
    Form 6251:
      line 1: 1,060,000; line 2a: 16,100; line 4: 1,076,100
      line 5: 90,100 - 50% x (1,076,100 - 500,000) < 0: 0; line 6: 1,076,100
      Part III: line 12: 1,076,100; lines 13, 15, 16: 1,000,000; line 17: 76,100; line 18: 26% = 19,786
        lines 19-34, placed by the regular line 5 (60,000): 0% none, 15% 485,500 (72,825), 20% 514,500 (102,900)
        line 38: 19,786 + 72,825 + 102,900 = 195,511
        line 39: 26% x 244,500 + 28% x 831,600 = 63,570 + 232,848 = 296,418; line 40: 195,511
      line 11: 195,511 - 183,637 = 11,874
    NIIT: MAGI 1,076,100: 3.8% x 876,100 = 33,291.80 (less than the gain). Total 228,802.80.
    """
    estimate = estimate_tax(2026, SINGLE, D(60000), long_term("1000000"))
    assert (estimate.regular_tax, estimate.amti, estimate.amt_exemption) == (D(183637), D(1076100), D(0))
    assert (estimate.tentative_minimum_tax, estimate.amt) == (D(195511), D(11874))
    assert (estimate.niit, estimate.total_tax) == (D("33291.80"), D("228802.80"))
    assert estimate.amt_note == AMT_NOTE


def test_the_2026_phase_out_makes_amt_where_2025_has_none() -> None:
    """Single, other income 60,000, long-term gain 560,000.

    2026: regular: 7,912 + 15% x 485,500 (72,825) + 20% x 74,500 (14,900) = 95,637.
      AMTI 620,000 + 16,100 = 636,100; exemption 90,100 - 50% x 136,100 = 22,050; line 6: 614,050
      line 16: 560,000; line 17: 54,050 x 26% = 14,053; line 38: 14,053 + 72,825 + 14,900 = 101,778
      line 39: 63,570 + 28% x 369,550 = 167,044; AMT 101,778 - 95,637 = 6,141
    2025: regular: 5,578.50 + 22% x 11,525 = 8,114 on 60,000; 15% from 60,000 to 533,400 = 71,010; 20% x
      86,600 = 17,320: 96,444. AMTI 635,750; exemption 88,100 - 25% x 9,400 = 85,750; line 6 (= line 12):
      550,000, less than the 560,000 gain: line 16 = 550,000 and line 17 = 0; lines 19-34 from the regular
      line 5 (60,000): 15% x 473,400 (71,010) + 20% x 76,600 (15,320) = 86,330 = line 38, under the regular
      tax: no AMT.
    """
    in_2026 = estimate_tax(2026, SINGLE, D(60000), long_term("560000"))
    assert (in_2026.regular_tax, in_2026.amt_exemption, in_2026.tentative_minimum_tax, in_2026.amt) == (
        D(95637), D(22050), D(101778), D(6141))
    in_2025 = estimate_tax(2025, SINGLE, D(60000), long_term("560000"))
    assert (in_2025.regular_tax, in_2025.amt_exemption, in_2025.tentative_minimum_tax, in_2025.amt) == (
        D(96444), D(85750), D(86330), D(0))
    assert in_2025.amt_note is None


def test_a_partly_phased_out_exemption_without_amt() -> None:
    """2024 single, other income 100,000, long-term 600,000. Regular: 17,053 + 15% x 418,900 (62,835) + 20% x
    181,100 (36,220) = 116,108. AMTI 714,600; exemption 85,700 - 25% x 105,250 = 59,387.50; line 6 655,212.50;
    line 17: 55,212.50 x 26% = 14,355.25; line 38: 113,410.25 (line 39: 178,807.50): under the regular tax."""
    estimate = estimate_tax(2024, SINGLE, D(100000), long_term("600000"))
    assert (estimate.regular_tax, estimate.amt_exemption, estimate.tentative_minimum_tax, estimate.amt) == (
        D(116108), D("59387.50"), D("113410.25"), D(0))


def test_an_itemizer_adds_back_nothing_and_is_told() -> None:
    """2026 single, other income 60,000, long-term 560,000, itemized 30,000: line 2a is the taxes of Schedule A
    line 7, which cryptotax is not given: AMTI 620,000; exemption 90,100 - 50% x 120,000 = 30,100; line 17:
    60,000 - 30,100 = 29,900 x 26% = 7,774; line 38: 7,774 + 87,725 = 95,499 < 95,637: no AMT, with the note."""
    estimate = estimate_tax(2026, SINGLE, D(60000), long_term("560000"), itemized_deduction=D(30000))
    assert (estimate.amti, estimate.amt_exemption, estimate.tentative_minimum_tax, estimate.amt) == (
        D(620000), D(30100), D(95499), D(0))
    assert estimate.amt_note == AMT_NOTE


def test_without_a_net_capital_gain_line_7_is_26_and_28_percent() -> None:
    """2024 single, ordinary income 300,000: regular 55,678.50 + 35% x 56,275 = 75,374.75. AMTI 314,600;
    exemption 85,700; line 6 228,900 x 26% = 59,514 (under 232,600): no AMT."""
    worksheet = capital_gain_worksheet(D(300000), D(0), 2024, SINGLE)
    form = form_6251(2024, SINGLE, D(300000), D(14600), worksheet)
    assert (form.amti, form.exemption, form.taxable_excess, form.tentative_minimum_tax) == (
        D(314600), D(85700), D(228900), D(59514))
    assert (form.regular_tax, form.amt) == (D("75374.75"), D(0))


@pytest.mark.parametrize(("before", "addition"), [
    ("875950", "0"),  # 2024 Form 6251 instructions, line 4: nothing up to 875,950
    ("1000000", "31012.50"),  # 25% x 124,050
    ("1142550", "66650"),  # from 1,142,550 on, the whole 66,650
    ("1500000", "66650"),
])
def test_married_filing_separately_adds_to_line_4(before: str, addition: str) -> None:
    # 875,950 = 609,350 + 66,650 / 25%, where the exemption reaches zero (IRC 55(d)(2))
    taxable = D(before) - D(14600)
    form = form_6251(2024, MFS, taxable, D(14600), capital_gain_worksheet(taxable, D(0), 2024, MFS))
    assert (form.separate_addition, form.amti, form.exemption) == (D(addition), D(before) + D(addition), D(0))


def test_no_taxable_income_no_tentative_minimum_tax() -> None:
    # other income -20,000 (AGI below the deduction): line 1 is -20,000, + 16,100 = -3,900: line 6 is 0
    estimate = estimate_tax(2026, SINGLE, D(-20000), long_term("0"))
    assert (estimate.amti, estimate.tentative_minimum_tax, estimate.amt, estimate.total_tax) == (
        D(-3900), D(0), D(0), D(0))


def test_at_26_28() -> None:
    # the form's "28% minus 4,652" for 2024 is the same as 26% to 232,600 and 28% above
    threshold = AMT_TABLES[2024].rate_28_above[SINGLE]
    assert at_26_28(D(300000), threshold) == D("0.28") * 300000 - 4652
    assert at_26_28(D(100000), threshold) == 26000


@pytest.mark.parametrize("year", sorted(AMT_TABLES))
def test_amt_tables_name_every_status(year: int) -> None:
    table = AMT_TABLES[year]
    for figures in (table.exemption, table.phase_out_start, table.rate_28_above):
        assert set(figures) == set(FilingStatus)
    assert table.exemption[SINGLE] == table.exemption[HOH] and table.exemption[MFS] * 2 == table.exemption[MFJ]
    assert table.phase_out_start[MFS] * 2 == table.phase_out_start[MFJ]
    assert table.rate_28_above[MFS] * 2 == table.rate_28_above[SINGLE]
    assert table.phase_out_rate == (D("0.50") if year >= 2026 else D("0.25"))
