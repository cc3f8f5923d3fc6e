"""Form 8949 boxes, lines and totals, and the Schedule D lines they feed (docs/rules.md#form-8949-boxes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cryptotax_core.model import AssetClass, Disposal, DisposalKind, Term
from cryptotax_core.tax.form8949 import (
    BOXES,
    Adjustment,
    BoxTotal,
    Reporting,
    box_for,
    box_totals,
    describe,
    form8949_lines,
    schedule_d_lines,
)
from cryptotax_core.tax.netting import Carryover, FilingStatus

D = Decimal
CRYPTO, STOCK = AssetClass.CRYPTO, AssetClass.STOCK
SHORT, LONG = Term.SHORT, Term.LONG
NONE, PROCEEDS, BASIS = Reporting.NONE, Reporting.PROCEEDS, Reporting.BASIS

# (asset class, year) -> boxes for (short, long) x (basis, proceeds, none)
BOX_TABLE = {
    (STOCK, 2024): ("ABC", "DEF"),
    (STOCK, 2025): ("ABC", "DEF"),
    (CRYPTO, 2024): ("ABC", "DEF"),  # crypto before 2025 used the 1099-B boxes
    (CRYPTO, 2025): ("GHI", "JKL"),
    (CRYPTO, 2026): ("GHI", "JKL"),
}
BOX_CASES = [
    pytest.param(term, asset_class, year, reporting, boxes[term is LONG][index],
                 id=f"{asset_class.value}-{year}-{term.value}-{reporting.value}")
    for (asset_class, year), boxes in BOX_TABLE.items()
    for term in (SHORT, LONG)
    for index, reporting in enumerate((BASIS, PROCEEDS, NONE))
]  # fmt: skip


@pytest.mark.parametrize(("term", "asset_class", "year", "reporting", "box"), BOX_CASES)
def test_box_for(term: Term, asset_class: AssetClass, year: int, reporting: Reporting, box: str) -> None:
    assert box_for(term, asset_class, year, reporting) == box


def test_box_table_is_complete() -> None:
    assert len(BOX_CASES) == 30
    assert sorted(BOXES.values()) == list("ABCDEFGHIJKL")


@pytest.mark.parametrize(("asset_class", "year", "box"), [
    (CRYPTO, 2024, "C"), (CRYPTO, 2025, "I"), (STOCK, 2025, "C"),
])  # fmt: skip
def test_box_default_not_reported(asset_class: AssetClass, year: int, box: str) -> None:
    assert box_for(SHORT, asset_class, year) == box


@pytest.mark.parametrize(("quantity", "asset", "text"), [
    ("0.50000000", "BTC", "0.5 BTC"),
    ("1.000", "BTC", "1 BTC"),
    ("1E-8", "BTC", "0.00000001 BTC"),
    ("0.00000001", "BTC", "0.00000001 BTC"),
    ("100", "AAPL", "100 AAPL"),
    ("1E+2", "AAPL", "100 AAPL"),
    ("12.3450", "ETH", "12.345 ETH"),
], ids=["half", "one", "satoshi-exponent", "satoshi", "shares", "shares-exponent", "trailing-zero"])
def test_describe(quantity: str, asset: str, text: str) -> None:
    assert describe(D(quantity), asset) == text


def disposal(
    row: int, asset: str, quantity: str, acquired: date, disposed: date, proceeds: str, basis: str,
    term: Term, asset_class: AssetClass,
) -> Disposal:
    return Disposal(
        row=row, tx_id=f"T{row}", kind=DisposalKind.SELL, asset=asset, wallet="main", lot_id=f"L{row}",
        quantity=D(quantity), acquired=acquired, disposed=disposed, proceeds=D(proceeds),
        cost_basis=D(basis), term=term, asset_class=asset_class, method="FIFO",
    )  # fmt: skip


# A small 2025 history; gains: BTC +19,900 (L), ETH -2,000.01 (H, amounts rounded to cents first),
# AAPL -5,000 (A) and +1,000 (D), SOL -200 and +50 (I).
DISPOSALS = [
    disposal(2, "BTC", "0.5", date(2024, 3, 1), date(2025, 6, 1), "44950", "25050", LONG, CRYPTO),
    disposal(3, "ETH", "2", date(2025, 1, 10), date(2025, 5, 1), "6000.004", "8000.005", SHORT, CRYPTO),
    disposal(4, "AAPL", "100", date(2025, 2, 1), date(2025, 3, 1), "15000", "20000", SHORT, STOCK),
    disposal(6, "AAPL", "10", date(2020, 1, 1), date(2025, 4, 1), "2000", "1000", LONG, STOCK),
    disposal(9, "SOL", "3", date(2025, 1, 5), date(2025, 2, 1), "300", "500", SHORT, CRYPTO),
    disposal(5, "SOL", "1", date(2025, 1, 5), date(2025, 2, 1), "100", "50", SHORT, CRYPTO),
]
REPORTING = {"BTC": NONE, "ETH": PROCEEDS, "AAPL": BASIS, "SOL": NONE}


def reporting_for(item: Disposal) -> Reporting:
    return REPORTING[item.asset]


def test_lines_sorted_and_traceable() -> None:
    lines = form8949_lines(DISPOSALS, reporting_for)
    order = [("A", 4), ("D", 6), ("H", 3), ("I", 5), ("I", 9), ("L", 2)]  # box, then date sold, then row
    assert [(line.box, line.row) for line in lines] == order
    eth = lines[2]
    assert eth.description == "2 ETH"
    assert (eth.date_acquired, eth.date_sold) == (date(2025, 1, 10), date(2025, 5, 1))
    assert (eth.proceeds, eth.cost_basis, eth.adjustment_code, eth.adjustment) == (
        D("6000.00"), D("8000.01"), "", D(0))
    assert eth.gain == D("-2000.01")
    assert (eth.tx_id, eth.lot_id, eth.term) == ("T3", "L3", SHORT)
    assert lines[-1].term is LONG


def test_box_totals() -> None:
    totals = box_totals(form8949_lines(DISPOSALS, reporting_for))
    assert list(totals) == ["A", "D", "H", "I", "L"]
    assert totals["A"] == BoxTotal("A", D(15000), D(20000), D(0), D(-5000))
    assert totals["D"] == BoxTotal("D", D(2000), D(1000), D(0), D(1000))
    assert totals["H"] == BoxTotal("H", D("6000.00"), D("8000.01"), D(0), D("-2000.01"))
    assert totals["I"] == BoxTotal("I", D(400), D(550), D(0), D(-150))
    assert totals["L"] == BoxTotal("L", D(44950), D(25050), D(0), D(19900))


def test_schedule_d_lines() -> None:
    lines = schedule_d_lines(form8949_lines(DISPOSALS, reporting_for))
    # Part I: 1b = A + G = -5,000; 2 = B + H = -2,000.01; 3 = C + I = -150; 7 = -7,150.01
    # Part II: 8b = D + J = 1,000; 9 = 0; 10 = F + L = 19,900; 15 = 20,900; 16 = 13,749.99
    assert lines == {
        "1b": D(-5000), "2": D("-2000.01"), "3": D(-150), "6": D(0), "7": D("-7150.01"),
        "8b": D(1000), "9": D(0), "10": D(19900), "14": D(0), "15": D(20900), "16": D("13749.99"),
        "21": D(0),
    }  # fmt: skip


@pytest.mark.parametrize(("status", "line21"), [
    (FilingStatus.SINGLE, D(-3000)), (FilingStatus.MFJ, D(-3000)), (FilingStatus.MFS, D(-1500)),
])  # fmt: skip
def test_schedule_d_with_carryover_and_loss_limit(status: FilingStatus, line21: Decimal) -> None:
    carryover = Carryover(D(10000), D(10000))
    lines = schedule_d_lines(form8949_lines(DISPOSALS, reporting_for), status, carryover)
    # 7 = -7,150.01 - 10,000; 15 = 20,900 - 10,000; 16 = -17,150.01 + 10,900 = -6,250.01
    assert (lines["6"], lines["7"]) == (D(-10000), D("-17150.01"))
    assert (lines["14"], lines["15"], lines["16"]) == (D(-10000), D(10900), D("-6250.01"))
    assert lines["21"] == line21


def test_small_loss_line_21_is_the_whole_loss() -> None:
    small = [disposal(7, "BTC", "0.1", date(2023, 1, 1), date(2024, 6, 1), "1000", "2200", LONG, CRYPTO)]
    lines = schedule_d_lines(form8949_lines(small, lambda _: NONE))
    assert (lines["10"], lines["15"], lines["16"], lines["21"]) == (D(-1200), D(-1200), D(-1200), D(-1200))


def test_adjustment_on_a_line() -> None:
    def wash_sale(item: Disposal) -> Adjustment | None:
        return Adjustment("W", D(5000)) if item.row == 4 else None

    lines = form8949_lines(DISPOSALS, reporting_for, wash_sale)
    apple = lines[0]
    assert (apple.adjustment_code, apple.adjustment, apple.gain) == ("W", D(5000), D(0))
    assert box_totals(lines)["A"] == BoxTotal("A", D(15000), D(20000), D(5000), D(0))
    assert schedule_d_lines(lines)["1b"] == 0


@pytest.mark.parametrize("code", ["", "X", "WZ"])
def test_adjustment_code_checked(code: str) -> None:
    with pytest.raises(ValueError, match="adjustment code"):
        Adjustment(code, D(1))


def test_schedule_d_is_one_year() -> None:
    other_year = disposal(8, "BTC", "1", date(2023, 1, 1), date(2024, 6, 1), "1", "1", LONG, CRYPTO)
    with pytest.raises(ValueError, match="from 2024, 2025"):
        schedule_d_lines(form8949_lines([*DISPOSALS, other_year], reporting_for))


def test_no_lines() -> None:
    lines = schedule_d_lines([])
    assert set(lines.values()) == {D(0)}
    assert box_totals([]) == {}


def piece(quantity: str, proceeds: str, basis: str, acquired: date = date(2025, 1, 10), **changes: object) -> Disposal:
    """A slice of lot B1 sold by row 6 (S1) from wallet main on 2025-06-01."""
    fields: dict[str, object] = dict(row=6, tx_id="S1", kind=DisposalKind.SELL, asset="BTC", wallet="main",
                                     lot_id="B1", quantity=D(quantity), acquired=acquired,
                                     disposed=date(2025, 6, 1), proceeds=D(proceeds), cost_basis=D(basis),
                                     term=SHORT, asset_class=CRYPTO, method="FIFO")
    return Disposal(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("pieces", "lines"), [
    # two transfers brought 0.4 and 0.3 of lot B1 to the wallet; one sale of 0.7 takes both: one row
    ([piece("0.4", "24000.004", "16000"), piece("0.3", "18000.004", "12000")],
     [("0.7 BTC", date(2025, 1, 10), D("42000.00"), D(28000), "", D(0), D("14000.00"))]),
    # each piece rounded to cents first, as printed: 0.01 + 0.01, not 0.01 of 0.016
    ([piece("0.5", "0.008", "0"), piece("0.5", "0.008", "0")],
     [("1 BTC", date(2025, 1, 10), D("0.02"), D(0), "", D(0), D("0.02"))]),
    # a wash sale's loss disallowed on both pieces: one row, the adjustments summed
    ([piece("1", "50", "100", adjustment=D(20), adjustment_code="W"),
      piece("1", "50", "100", adjustment=D(30), adjustment_code="W")],
     [("2 BTC", date(2025, 1, 10), D(100), D(200), "W", D(50), D(-50))]),
    # a piece whose holding period a wash sale tacked on has another date acquired: two rows
    ([piece("0.4", "24000", "16000"), piece("0.3", "18000", "12000", acquired=date(2024, 12, 1))],
     [("0.4 BTC", date(2025, 1, 10), D(24000), D(16000), "", D(0), D(8000)),
      ("0.3 BTC", date(2024, 12, 1), D(18000), D(12000), "", D(0), D(6000))]),
    # pieces of two lots, or of one lot sold by two rows: one row each
    ([piece("0.4", "24000", "16000"), piece("0.3", "18000", "12000", lot_id="B2")],
     [("0.4 BTC", date(2025, 1, 10), D(24000), D(16000), "", D(0), D(8000)),
      ("0.3 BTC", date(2025, 1, 10), D(18000), D(12000), "", D(0), D(6000))]),
    ([piece("0.4", "24000", "16000"), piece("0.3", "18000", "12000", row=7, tx_id="S2")],
     [("0.4 BTC", date(2025, 1, 10), D(24000), D(16000), "", D(0), D(8000)),
      ("0.3 BTC", date(2025, 1, 10), D(18000), D(12000), "", D(0), D(6000))]),
], ids=["two-pieces", "cents-first", "wash-sale", "tacked-date", "two-lots", "two-sales"])
def test_pieces_of_one_lot_sold_together_are_one_row(pieces: list[Disposal], lines: list[tuple[object, ...]]) -> None:
    made = form8949_lines(pieces, lambda _: NONE)
    assert [(line.description, line.date_acquired, line.proceeds, line.cost_basis, line.adjustment_code,
             line.adjustment, line.gain) for line in made] == lines
    assert all(line.gain == line.proceeds - line.cost_basis + line.adjustment for line in made)
