"""Rate tables (docs/rules.md#rates): bracket edges for every year and status, the long-term bands stacked on
ordinary income, and the unknown-year error of every table of the estimate."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from cryptotax_core import UserError
from cryptotax_core.tax.amt import AMT_TABLES, amt_table
from cryptotax_core.tax.deduction import STANDARD_DEDUCTIONS, standard_deduction
from cryptotax_core.tax.estimate import estimate_tax
from cryptotax_core.tax.netting import FilingStatus, net_capital
from cryptotax_core.tax.rates import RATE_TABLES, UnsupportedYear, long_term_gain_tax, ordinary_tax

D = Decimal
SINGLE, MFJ, MFS, HOH = FilingStatus.SINGLE, FilingStatus.MFJ, FilingStatus.MFS, FilingStatus.HOH
RATES_ABOVE = ["0.12", "0.22", "0.24", "0.32", "0.35", "0.37"]  # rate of the band after each bound

# Tax at the upper bound of each 10/12/22/24/32/35% band, computed by hand from docs/rules.md#rates:
# tax(b1) = 10% b1; tax(b[i]) = tax(b[i-1]) + rate[i] * (b[i] - b[i-1]).
# e.g. 2024 single: 11,600 -> 1,160.00; 47,150 -> 1,160 + 12% * 35,550 = 5,426.00;
# 100,525 -> 5,426 + 22% * 53,375 = 17,168.50; 191,950 -> 17,168.50 + 24% * 91,425 = 39,110.50;
# 243,725 -> 39,110.50 + 32% * 51,775 = 55,678.50; 609,350 -> 55,678.50 + 35% * 365,625 = 183,647.25.
# MFS is single except the 35% band end: 2024 365,600 -> 55,678.50 + 35% * 121,875 = 98,334.75.
BRACKET_EDGES: list[tuple[int, FilingStatus, list[tuple[int, str]]]] = [
    (2024, SINGLE, [(11_600, "1160.00"), (47_150, "5426.00"), (100_525, "17168.50"),
                    (191_950, "39110.50"), (243_725, "55678.50"), (609_350, "183647.25")]),
    (2024, MFJ, [(23_200, "2320.00"), (94_300, "10852.00"), (201_050, "34337.00"),
                 (383_900, "78221.00"), (487_450, "111357.00"), (731_200, "196669.50")]),
    (2024, HOH, [(16_550, "1655.00"), (63_100, "7241.00"), (100_500, "15469.00"),
                 (191_950, "37417.00"), (243_700, "53977.00"), (609_350, "181954.50")]),
    (2024, MFS, [(11_600, "1160.00"), (47_150, "5426.00"), (100_525, "17168.50"),
                 (191_950, "39110.50"), (243_725, "55678.50"), (365_600, "98334.75")]),
    (2025, SINGLE, [(11_925, "1192.50"), (48_475, "5578.50"), (103_350, "17651.00"),
                    (197_300, "40199.00"), (250_525, "57231.00"), (626_350, "188769.75")]),
    (2025, MFJ, [(23_850, "2385.00"), (96_950, "11157.00"), (206_700, "35302.00"),
                 (394_600, "80398.00"), (501_050, "114462.00"), (751_600, "202154.50")]),
    (2025, HOH, [(17_000, "1700.00"), (64_850, "7442.00"), (103_350, "15912.00"),
                 (197_300, "38460.00"), (250_500, "55484.00"), (626_350, "187031.50")]),
    (2025, MFS, [(11_925, "1192.50"), (48_475, "5578.50"), (103_350, "17651.00"),
                 (197_300, "40199.00"), (250_525, "57231.00"), (375_800, "101077.25")]),
    (2026, SINGLE, [(12_400, "1240.00"), (50_400, "5800.00"), (105_700, "17966.00"),
                    (201_775, "41024.00"), (256_225, "58448.00"), (640_600, "192979.25")]),
    (2026, MFJ, [(24_800, "2480.00"), (100_800, "11600.00"), (211_400, "35932.00"),
                 (403_550, "82048.00"), (512_450, "116896.00"), (768_700, "206583.50")]),
    (2026, HOH, [(17_700, "1770.00"), (67_450, "7740.00"), (105_700, "16155.00"),
                 (201_750, "39207.00"), (256_200, "56631.00"), (640_600, "191171.00")]),
    (2026, MFS, [(12_400, "1240.00"), (50_400, "5800.00"), (105_700, "17966.00"),
                 (201_775, "41024.00"), (256_225, "58448.00"), (384_350, "103291.75")]),
]  # fmt: skip

EDGE_CASES = [
    pytest.param(year, status, D(bound), D(tax), D(rate_above), id=f"{year}-{status.value}-{bound}")
    for year, status, edges in BRACKET_EDGES
    for (bound, tax), rate_above in zip(edges, RATES_ABOVE, strict=True)
]


@pytest.mark.parametrize(("year", "status", "bound", "tax", "rate_above"), EDGE_CASES)
def test_ordinary_tax_at_bracket_edge(
    year: int, status: FilingStatus, bound: Decimal, tax: Decimal, rate_above: Decimal
) -> None:
    assert ordinary_tax(bound, year, status) == tax
    # 100 dollars more are taxed at the next band's rate
    assert ordinary_tax(bound + 100, year, status) == tax + 100 * rate_above


def test_edge_table_matches_every_rate_table() -> None:
    covered = {(year, status) for year, status, _ in BRACKET_EDGES}
    assert covered == {(year, status) for year in RATE_TABLES for status in FilingStatus}
    for year, status, edges in BRACKET_EDGES:
        assert tuple(D(bound) for bound, _ in edges) == RATE_TABLES[year].ordinary[status]


@pytest.mark.parametrize("year", sorted(RATE_TABLES))
def test_tables_are_ordered_and_sourced(year: int) -> None:
    table = RATE_TABLES[year]
    assert table.source.startswith("Rev. Proc. 20")
    for status in FilingStatus:
        bounds = table.ordinary[status]
        assert len(bounds) == 6 and list(bounds) == sorted(bounds)
        low, high = table.long_term[status]
        assert 0 < low < high


@pytest.mark.parametrize(("taxable", "tax"), [
    ("0", "0"),
    ("-5000", "0"),
    ("0.05", "0.005"),  # unrounded: rounding happens in estimate_tax's fields
    ("50000", "6053.00"),  # 2024 single: 5,426 + 22% * 2,850
], ids=["zero", "negative", "fraction", "mid-band"])
def test_ordinary_tax_small_amounts(taxable: str, tax: str) -> None:
    assert ordinary_tax(D(taxable), 2024, SINGLE) == D(tax)


@pytest.mark.parametrize(("year", "status", "ordinary", "gain", "tax"), [
    # 2025 single, 0% ends at 48,350: 8,350 at 0% and 11,650 at 15% = 1,747.50
    (2025, SINGLE, "40000", "20000", "1747.50"),
    # 2024 single 20,000 + 10,000 stays under 47,025: all 0%
    (2024, SINGLE, "20000", "10000", "0"),
    # 2024 mfj, 15% ends at 583,750: 83,750 at 15% = 12,562.50 and 16,250 at 20% = 3,250
    (2024, MFJ, "500000", "100000", "15812.50"),
    # 2026 single, ordinary already above 545,500: all 20%
    (2026, SINGLE, "600000", "50000", "10000.00"),
    # 2024 single, all three bands: 47,025 at 0%, 471,875 at 15% = 70,781.25, 81,100 at 20% = 16,220
    (2024, SINGLE, "0", "600000", "87001.25"),
    # 2025 mfs, 15% ends at 300,000: 50,000 at 15% = 7,500 and 50,000 at 20% = 10,000
    (2025, MFS, "250000", "100000", "17500.00"),
    # 2026 hoh, 0% ends at 66,200: 6,200 at 0%, 3,800 at 15% = 570
    (2026, HOH, "60000", "10000", "570.00"),
], ids=["straddle-0-15", "all-zero", "straddle-15-20", "all-20", "three-bands", "mfs-15-20", "hoh-0-15"])
def test_long_term_stacking(year: int, status: FilingStatus, ordinary: str, gain: str, tax: str) -> None:
    assert long_term_gain_tax(D(ordinary), D(gain), year, status) == D(tax)


@pytest.mark.parametrize(("call", "tables"), [
    (lambda: ordinary_tax(D(1000), 2023, SINGLE), "rate tables"),
    (lambda: estimate_tax(2023, SINGLE, D(1000), net_capital(D(0), D(0))), "rate tables"),
    (lambda: long_term_gain_tax(D(0), D(1000), 2027, SINGLE), "rate tables"),
    (lambda: standard_deduction(2027, MFJ), "standard deduction tables"),
    (lambda: amt_table(2023), "AMT tables"),
], ids=["ordinary-2023", "estimate-2023", "long-term-2027", "deduction-2027", "amt-2023"])
def test_unsupported_year(call: Callable[[], object], tables: str) -> None:
    with pytest.raises(UnsupportedYear, match=rf"{tables} exist for 2024, 2025, 2026") as info:
        call()
    assert isinstance(info.value, UserError) and not isinstance(info.value, ValueError)


def test_every_table_of_the_estimate_covers_the_same_years() -> None:
    assert sorted(STANDARD_DEDUCTIONS) == sorted(AMT_TABLES) == sorted(RATE_TABLES) == [2024, 2025, 2026]
    for tables in (STANDARD_DEDUCTIONS, AMT_TABLES):
        for year, table in tables.items():
            assert table.year == year and table.source.startswith(("Rev. Proc. 20", "Pub. L. 119-21"))


def test_unsupported_year_message() -> None:
    message = "tax year 2023 is not supported: rate tables exist for 2024, 2025, 2026"
    assert str(UnsupportedYear(2023)) == message
