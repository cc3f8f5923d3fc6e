"""Schedule D netting, the loss limit and the Capital Loss Carryover Worksheet
(docs/rules.md#netting-the-loss-limit-and-carryover), on worked examples computed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotax_core import SettingsError
from cryptotax_core.tax.netting import Carryover, FilingStatus, Netting, net_capital, net_years

D = Decimal
SINGLE, MFJ, MFS, HOH = FilingStatus.SINGLE, FilingStatus.MFJ, FilingStatus.MFS, FilingStatus.HOH
NONE = Carryover()


def carry(short_term: int, long_term: int) -> Carryover:
    return Carryover(D(short_term), D(long_term))


# (short-term gain, long-term gain, carryover in, status, taxable income)
#   -> (line 7, line 15, line 16, deductible loss, carryover out)
CASES = [
    # seed 000: +5,000 and -8,000 short-term -> -3,000, deducted in full, nothing carried
    pytest.param(-3000, 0, NONE, SINGLE, None, -3000, 0, -3000, 3000, carry(0, 0), id="seed000"),
    # seed 002: +20,000, -8,000, -5,000 -> +7,000, nothing deducted or carried
    pytest.param(7000, 0, NONE, SINGLE, None, 7000, 0, 7000, 0, carry(0, 0), id="seed002-gain"),
    # seed 002: a net -10,000 -> deduct 3,000, carry 7,000
    pytest.param(-10000, 0, NONE, SINGLE, None, -10000, 0, -10000, 3000, carry(7000, 0), id="seed002-loss"),
    # ST loss offsets LT gain: worksheet line 5 = 12,000, line 6 = 4,000, line 7 = 3,000 + 4,000,
    # line 8 = 12,000 - 7,000 = 5,000
    pytest.param(-12000, 4000, NONE, SINGLE, None, -12000, 4000, -8000, 3000, carry(5000, 0),
                 id="st-loss-lt-gain"),
    # LT loss offsets ST gain: line 9 = 12,000, line 10 = 4,000, line 11 = 3,000, line 13 = 5,000
    pytest.param(4000, -12000, NONE, SINGLE, None, 4000, -12000, -8000, 3000, carry(0, 5000),
                 id="lt-loss-st-gain"),
    # both losses: 2,000 ST used first, then 1,000 LT (line 11 = 3,000 - 2,000), LT carry 6,000 - 1,000
    pytest.param(-2000, -6000, NONE, SINGLE, None, -2000, -6000, -8000, 3000, carry(0, 5000),
                 id="both-losses-st-first"),
    # ST loss larger than the limit: 5,000 - 3,000 ST carried, LT untouched
    pytest.param(-5000, -6000, NONE, MFJ, None, -5000, -6000, -11000, 3000, carry(2000, 6000),
                 id="both-losses-st-over-limit"),
    pytest.param(-10000, 0, NONE, MFS, None, -10000, 0, -10000, 1500, carry(8500, 0), id="mfs"),
    # MFS both losses: line 4 = 1,500, ST 1,000 used, line 11 = 500, LT carry 4,000 - 500
    pytest.param(-1000, -4000, NONE, MFS, None, -1000, -4000, -5000, 1500, carry(0, 3500), id="mfs-both"),
    pytest.param(-10000, 0, NONE, HOH, None, -10000, 0, -10000, 3000, carry(7000, 0), id="hoh"),
    # net zero: nothing deducted or carried
    pytest.param(-5000, 5000, NONE, SINGLE, None, -5000, 5000, 0, 0, carry(0, 0), id="net-zero"),
    # negative taxable income: line 3 = max(0, -2,000 + 3,000) = 1,000 = line 4; ST carry 10,000 - 1,000
    pytest.param(-10000, 0, NONE, SINGLE, -2000, -10000, 0, -10000, 3000, carry(9000, 0), id="income-2000"),
    # line 3 = max(0, -5,000 + 3,000) = 0: everything carries, the deduction is still reported
    pytest.param(-10000, 0, NONE, SINGLE, -5000, -10000, 0, -10000, 3000, carry(10000, 0), id="income-5000"),
    # taxable income 0 or large: line 3 >= line 2, same as not given
    pytest.param(-10000, 0, NONE, SINGLE, 0, -10000, 0, -10000, 3000, carry(7000, 0), id="income-zero"),
    pytest.param(-10000, 0, NONE, SINGLE, 80000, -10000, 0, -10000, 3000, carry(7000, 0), id="income-large"),
    # loss under the limit, negative income: line 4 = 0, so the 2,000 deducted still carries
    pytest.param(-2000, 0, NONE, SINGLE, -5000, -2000, 0, -2000, 2000, carry(2000, 0),
                 id="small-loss-negative-income"),
    # both losses, line 4 = 1,000: ST carry 2,000 - 1,000; line 11 = max(0, 1,000 - 2,000) = 0 -> LT 6,000
    pytest.param(-2000, -6000, NONE, SINGLE, -2000, -2000, -6000, -8000, 3000, carry(1000, 6000),
                 id="both-losses-negative-income"),
    # a gain year with negative taxable income carries nothing
    pytest.param(1000, 0, NONE, SINGLE, -9000, 1000, 0, 1000, 0, carry(0, 0), id="gain-negative-income"),
    # carryover in nets on its own side: 5,000 - 8,000 ST
    pytest.param(5000, 0, carry(8000, 0), SINGLE, None, -3000, 0, -3000, 3000, carry(0, 0),
                 id="st-carryover-in"),
    # LT carryover in 10,000 vs ST gain 4,000: line 9 = 10,000, 10 = 4,000, 11 = 3,000 -> 3,000 LT
    pytest.param(4000, 0, carry(0, 10000), SINGLE, None, 4000, -10000, -6000, 3000, carry(0, 3000),
                 id="lt-carryover-in"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("short_gain", "long_gain", "carry_in", "status", "income", "line7", "line15", "line16", "deduct", "out"),
    CASES,
)
def test_net_capital(
    short_gain: int,
    long_gain: int,
    carry_in: Carryover,
    status: FilingStatus,
    income: int | None,
    line7: int,
    line15: int,
    line16: int,
    deduct: int,
    out: Carryover,
) -> None:
    taxable_income = None if income is None else D(income)
    netting = net_capital(D(short_gain), D(long_gain), carry_in, status, taxable_income)
    assert netting == Netting(D(line7), D(line15), D(line16), D(deduct), out, status)


def test_multi_year_carryover_keeps_character() -> None:
    results = {
        2024: (D(-20000), D(0)),
        2025: (D(0), D(5000)),
        # 2026 missing: a gap year, netted with zero gains
        2027: (D(1000), D(-500)),
        2028: (D(0), D(10000)),
    }
    expected = {  # year: (line 7, line 15, line 16, deductible loss, carryover out)
        # -20,000 ST: deduct 3,000, carry 17,000 ST
        2024: (-20000, 0, -20000, 3000, carry(17000, 0)),
        # ST -17,000, LT +5,000: worksheet line 7 = 3,000 + 5,000, ST carry 17,000 - 8,000 = 9,000
        2025: (-17000, 5000, -12000, 3000, carry(9000, 0)),
        # gap year: ST -9,000, deduct 3,000, carry 6,000
        2026: (-9000, 0, -9000, 3000, carry(6000, 0)),
        # ST 1,000 - 6,000 = -5,000, LT -500: ST carry 5,000 - 3,000 = 2,000;
        # line 11 = max(0, 3,000 - 5,000) = 0, so the LT 500 carries whole
        2027: (-5000, -500, -5500, 3000, carry(2000, 500)),
        # ST -2,000, LT 10,000 - 500 = 9,500: a 7,500 gain, the carryover is used up
        2028: (-2000, 9500, 7500, 0, carry(0, 0)),
    }
    nettings = net_years(results, Carryover(), SINGLE)
    assert list(nettings) == list(expected)
    for year, (line7, line15, line16, deduct, out) in expected.items():
        assert nettings[year] == Netting(D(line7), D(line15), D(line16), D(deduct), out, SINGLE), year


def test_each_year_reproducible_alone() -> None:
    results = {2024: (D(-9000), D(-4000)), 2026: (D(2000), D(-1000))}
    incomes = {2024: D(-1000)}
    nettings = net_years(results, carry(500, 700), MFS, incomes)
    carry_in = carry(500, 700)
    for year, netting in nettings.items():
        short_gain, long_gain = results.get(year, (D(0), D(0)))
        assert netting == net_capital(short_gain, long_gain, carry_in, MFS, incomes.get(year))
        carry_in = netting.carryover_out


def test_taxable_income_per_year() -> None:
    nettings = net_years({2024: (D(-10000), D(0)), 2025: (D(0), D(0))}, Carryover(), SINGLE, {2024: D(-5000)})
    assert nettings[2024].carryover_out == carry(10000, 0)
    assert nettings[2025].carryover_out == carry(7000, 0)


@pytest.mark.parametrize(("taxable", "ordinary", "carried"), [
    # docs/rules.md#the-carryover-worksheets-line-1: a net short-term loss of 10,000, 3,000 deducted.
    # Ordinary income 1,000, no taxable income given: line 1 = 1,000 - 3,000 = -2,000; line 2 = 3,000;
    # line 3 = max(0, -2,000 + 3,000) = 1,000; line 4 = min(3,000, 1,000) = 1,000; line 8 = 10,000 - 1,000
    (None, "1000", 9000),
    # ordinary income 6,000: line 1 = 3,000, line 3 = 6,000, line 4 = 3,000: 7,000 carried
    (None, "6000", 7000),
    # ordinary income -4,000 (the deduction above the income): line 1 = -7,000, line 3 = 0: all 10,000 carried
    (None, "-4000", 10000),
    # the taxable income given wins over the ordinary income: line 1 = -2,500, line 3 = 500: 9,500 carried
    ("-2500", "50000", 9500),
    # neither: large enough
    (None, None, 7000),
], ids=["ordinary-1000", "ordinary-6000", "negative", "taxable-given", "neither"])
def test_worksheet_line_1_from_the_ordinary_income(taxable: str | None, ordinary: str | None, carried: int) -> None:
    netting = net_capital(D(-10000), D(0), Carryover(), SINGLE, None if taxable is None else D(taxable),
                          None if ordinary is None else D(ordinary))
    assert (netting.deductible_loss, netting.carryover_out) == (3000, carry(carried, 0))
    years = net_years({2025: (D(-10000), D(0))}, Carryover(), SINGLE, {} if taxable is None else {2025: D(taxable)},
                      {} if ordinary is None else {2025: D(ordinary)})
    assert years[2025] == netting


def test_no_years() -> None:
    assert net_years({}, carry(100, 0), SINGLE) == {}


@pytest.mark.parametrize(("text", "status"), [
    ("single", SINGLE), ("SINGLE", SINGLE), (" Mfj ", MFJ), ("married filing jointly", MFJ),
    ("Married Filing Separately", MFS), ("mfs", MFS), ("head of household", HOH), ("HOH", HOH),
    ("head_of_household", HOH), ("married-filing-jointly", MFJ), ("married  filing   separately", MFS),
])  # fmt: skip
def test_parse_filing_status(text: str, status: FilingStatus) -> None:
    assert FilingStatus.parse(text) is status


@pytest.mark.parametrize("text", ["joint", "", "married"])
def test_parse_filing_status_rejects(text: str) -> None:
    with pytest.raises(SettingsError, match=r"unknown filing status .*single, mfj, mfs, hoh"):
        FilingStatus.parse(text)


def test_carryover_is_positive() -> None:
    with pytest.raises(SettingsError, match="positive loss amounts"):
        Carryover(D(-100), D(0))
