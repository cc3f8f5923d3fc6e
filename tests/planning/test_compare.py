"""FIFO, LIFO, HIFO, LOFO and the best specific identification of a year, worked out by hand.

2026 single (docs/rules.md#rates): ordinary 10% to 12,400, 12% to 50,400, 22% to 105,700, 24% to 201,775;
long-term 15% from 49,450 to 545,500; NIIT 3.8% above a modified AGI of 200,000.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import Method, Settings, Transaction, compute, parse_table
from cryptotax_core.planning import IDENTIFICATION_RULE, Comparison, compare_methods
from cryptotax_core.tax import TaxSettings, tax_years

D = Decimal


def table(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


def compared(rows: list[dict[str, Any]], other_income: str | None, **settings: Any) -> Comparison:
    income = {2026: D(other_income)} if other_income is not None else {}
    return compare_methods(table(rows), Settings(**settings), TaxSettings(other_income=income), 2026)


def taxes(comparison: Comparison) -> dict[str, Decimal | None]:
    return {method.label: method.outcome.tax if method.outcome else None
            for method in (*comparison.methods, comparison.best)}


def test_hifo_beats_fifo() -> None:
    rows = [buy("B1", "2026-01-05", "BTC", "1", "30000"), buy("B2", "2026-02-05", "BTC", "1", "50000"),
            sell("S1", "2026-06-01", "BTC", "1", "60000")]
    found = compared(rows, "50000")
    # FIFO/LOFO take B1: short-term 30,000; taxable 80,000 = 1,240 + 4,560 + 29,600 x 22% (6,512) = 12,312
    # HIFO/LIFO take B2: short-term 10,000; taxable 60,000 = 1,240 + 4,560 + 9,600 x 22% (2,112) = 7,912
    assert taxes(found) == {"FIFO": 12312, "LIFO": 7912, "HIFO": 7912, "LOFO": 12312, "Best identification": 7912}
    assert [(m.label, m.short_term, m.long_term) for m in found.methods] == [
        ("FIFO", 30000, 0), ("LIFO", 10000, 0), ("HIFO", 10000, 0), ("LOFO", 30000, 0)]
    assert [choice.lot_ids for choice in found.best.sales] == ["B2:1"]


def test_hifo_does_not_beat_fifo_when_its_lot_is_short_term() -> None:
    rows = [buy("B1", "2024-01-10", "BTC", "1", "45000"), buy("B2", "2026-03-01", "BTC", "1", "46000"),
            sell("S1", "2026-06-01", "BTC", "1", "50000")]
    found = compared(rows, "100000")
    # FIFO/LOFO: B1 long-term +5,000 at 15% = 750 on top of 16,712 = 17,462
    # HIFO/LIFO: B2 (unit cost 46,000) short-term +4,000: 5,700 x 22% fits under 105,700 -> 880; 17,592
    assert taxes(found) == {"FIFO": 17462, "LIFO": 17592, "HIFO": 17592, "LOFO": 17462, "Best identification": 17462}
    assert found.best.sales[0].lot_ids == "B1:1"


# Lots L (2024-01-10, 10,000), M (2024-06-10, 90,000), H (2025-04-01, 100,000; long-term from 2026-04-02);
# two sales of 1 BTC at 120,000, on 2026-03-01 (H short-term) and 2026-06-01 (H long-term).
THREE_LOTS_TWO_SALES = [
    buy("L", "2024-01-10", "BTC", "1", "10000"), buy("M", "2024-06-10", "BTC", "1", "90000"),
    buy("H", "2025-04-01", "BTC", "1", "100000"),
    sell("S1", "2026-03-01", "BTC", "1", "120000"), sell("S2", "2026-06-01", "BTC", "1", "120000"),
]


def test_the_best_identification_beats_every_single_method() -> None:
    found = compared(THREE_LOTS_TWO_SALES, "100000")
    # HIFO and LIFO: S1 takes H (short-term 20,000), S2 takes M (long-term 30,000).
    #   ordinary on 120,000: 16,712 + 5,700 x 22% (1,254) + 14,300 x 24% (3,432) = 21,398; LT 30,000 x 15% = 4,500
    #   MAGI 150,000 + the 16,100 standard deduction = 166,100 < 200,000: no NIIT. 25,898.
    # FIFO and LOFO: L then M, both long-term: 110,000 + 30,000 = 140,000 x 15% = 21,000; NIIT 3.8% x
    #   (240,000 + 16,100 - 200,000) = 3.8% x 56,100 = 2,131.80; 16,712 + 21,000 + 2,131.80 = 39,843.80.
    # Best: S1 takes M (long-term 30,000), S2 takes H once long-term (20,000): 50,000 x 15% = 7,500; 24,212.
    assert taxes(found) == {"FIFO": D("39843.80"), "LIFO": 25898, "HIFO": 25898, "LOFO": D("39843.80"),
                            "Best identification": 24212}
    assert [(c.sale.tx_id, c.lot_ids, c.short_term, c.long_term) for c in found.best.sales] == [
        ("S1", "M:1", 0, 30000), ("S2", "H:1", 0, 20000)]


def test_the_best_identification_written_into_the_table_gives_its_figures() -> None:
    """What the user records is what the report then computes."""
    found = compared(THREE_LOTS_TWO_SALES, "100000")
    lot_ids = {choice.sale.tx_id: choice.lot_ids for choice in found.best.sales}
    recorded = [dict(row, **{"Lot IDs": lot_ids[row["ID"]]}) if row["ID"] in lot_ids else row
                for row in THREE_LOTS_TWO_SALES]
    years = tax_years(compute(table(recorded), Settings()), TaxSettings(other_income={2026: D(100000)}))
    estimate = years[2026].estimate
    assert estimate is not None and estimate.total_tax == 24212


def test_without_other_income_the_capital_result_decides() -> None:
    found = compared(THREE_LOTS_TWO_SALES, None)
    # no estimate: the best keeps the smallest capital income, then the least of it at ordinary rates:
    # total 50,000 for H and M either way; all long-term beats 20,000 short-term
    assert all(method.outcome and method.outcome.tax is None for method in (*found.methods, found.best))
    assert (found.best.short_term, found.best.long_term) == (0, 50000)
    assert not found.has_estimate


def test_recorded_lot_ids_are_kept_under_every_method() -> None:
    rows = [*THREE_LOTS_TWO_SALES[:4], sell("S2", "2026-06-01", "BTC", "1", "120000", **{"Lot IDs": "L"})]
    found = compared(rows, "100000", method=Method.HIFO)
    assert found.recorded_rows == (6,)
    # S2 keeps L (long-term 110,000) everywhere. FIFO and LOFO would give S1 the lot L first (oldest, cheapest),
    # leaving nothing of it for S2's recorded identification: they cannot be used on this table.
    assert [m.problem for m in found.methods] == [
        "FIFO cannot be used for 2026: row 6, column Lot IDs: the lot 'L' has 0 BTC left in 'Coinbase', not 1", None,
        None, "LOFO cannot be used for 2026: row 6, column Lot IDs: the lot 'L' has 0 BTC left in 'Coinbase', not 1"]
    # S1 takes H (HIFO, LIFO): short-term 20,000: ordinary on 120,000 = 21,398; LT 110,000 x 15% = 16,500;
    #   NIIT 3.8% x (230,000 + 16,100 standard deduction - 200,000) = 3.8% x 46,100 = 1,751.80: 39,649.80.
    # S1 takes M instead: LT 140,000 x 15% = 21,000 + 16,712 + NIIT 3.8% x 56,100 (2,131.80) = 39,843.80: worse.
    assert taxes(found) == {"FIFO": None, "LIFO": D("39649.80"), "HIFO": D("39649.80"), "LOFO": None,
                            "Best identification": D("39649.80")}
    assert [(c.lot_ids, c.recorded) for c in found.best.sales] == [("H:1", False), ("L", True)]


def test_the_note_quotes_the_rules() -> None:
    assert IDENTIFICATION_RULE.startswith('docs/rules.md#which-units-are-sold: "Specific identification must be made '
                                          'no later than the time of sale and recorded')


def test_per_year_method_of_other_years_stays() -> None:
    rows = [buy("A", "2025-01-05", "ETH", "1", "1000"), buy("B", "2025-02-05", "ETH", "1", "3000"),
            sell("S25", "2025-06-01", "ETH", "1", "2000"), sell("S26", "2026-06-01", "ETH", "1", "2000")]
    # 2025 keeps HIFO (sells B: -1,000), so 2026 has only A left whatever the method: +1,000
    found = compared(rows, None, method_by_year={2025: Method.HIFO})
    assert {(m.short_term, m.long_term) for m in (*found.methods, found.best)} == {(0, 1000)}
    # the 2025 loss of 1,000 is deducted in 2025: nothing carries into 2026
    assert found.position.carryover_in.short_term == 0


def test_a_search_that_stops_at_its_budget_says_so() -> None:
    from cryptotax_cli.planning_text import render_compare

    rows, tax = table(THREE_LOTS_TWO_SALES), TaxSettings(other_income={2026: D(100000)})
    whole = compare_methods(rows, Settings(), tax, 2026)
    # the two sales converge well within the 200 runs: the best is 24,212 (above), and no note
    assert (whole.budget, whole.stopped, whole.best.outcome and whole.best.outcome.tax) == (200, False, 24212)
    assert whole.evaluations < 200
    assert "stopped at its budget" not in render_compare("three.csv", whole, Settings())
    cut = compare_methods(rows, Settings(), tax, 2026, max_evaluations=4)  # the four methods' choices only
    assert (cut.evaluations, cut.budget, cut.stopped) == (4, 4, True)
    assert "It stopped at its budget of 4 engine runs with moves still to try" in \
        " ".join(render_compare("three.csv", cut, Settings()).split())
