"""A sale previewed before it is made, worked out by hand, and checked against the same sale entered.

2026 single (docs/rules.md#rates): ordinary 10% to 12,400, 12% to 50,400, 22% to 105,700, 24% to 201,775;
long-term 15% from 49,450. Ordinary tax on 85,000 = 1,240 + 4,560 + 34,600 x 22% (7,612) = 13,412.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import Method, Settings, Transaction, compute, parse_table
from cryptotax_core.planning import PlanningError, Sale, WhatIf, what_if
from cryptotax_core.tax import TaxSettings, tax_years

D = Decimal
DAY = date(2026, 11, 20)
TAX = TaxSettings(other_income={2026: D(85000)})
LOTS = [buy("B1", "2025-01-10", "BTC", "1", "40000"), buy("B2", "2026-06-10", "BTC", "1", "60000"),
        buy("K1", "2026-01-05", "BTC", "1", "1000", wallet="Kraken")]


def table(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


def preview(rows: list[dict[str, Any]], sale: Sale, settings: Settings | None = None) -> WhatIf:
    return what_if(table(rows), settings or Settings(), TAX, sale)


def test_each_method_and_the_best_choice() -> None:
    found = preview(LOTS, Sale("btc", D("1.5"), D(85000), DAY, "coinbase"))
    assert (found.wallet, found.held, found.row.usd_value) == ("Coinbase", 2, 127500)
    assert found.position.outcome().tax == 13412  # no other sale in 2026
    rows = [(p.label, p.yours, p.lot_ids, p.lines.proceeds, p.lines.cost_basis, p.short_term, p.long_term,
             p.tax_change) for p in found.previews]
    # FIFO (the user's method) and LOFO: B1 whole (45,000 long-term) + 0.5 of B2 (42,500 - 30,000 = 12,500 short);
    #   ordinary on 97,500: 13,412 + 12,500 x 22% = 16,162; LT 45,000 x 15% = 6,750: 22,912, +9,500
    # LIFO and HIFO: B2 whole (25,000 short) + 0.5 of B1 (42,500 - 20,000 = 22,500 long);
    #   ordinary on 110,000: 13,412 + 20,700 x 22% (4,554) + 4,300 x 24% (1,032) = 18,998; LT 22,500 x 15% = 3,375:
    #   22,373, +8,961. The best: every unit of B2 (25,000 x 22-24%) costs less than one of B1 (45,000 x 15%).
    assert rows == [
        ("FIFO", True, "B1:1, B2:0.5", 127500, 70000, 12500, 45000, 9500),
        ("LIFO", False, "B2:1, B1:0.5", 127500, 80000, 25000, 22500, 8961),
        ("HIFO", False, "B2:1, B1:0.5", 127500, 80000, 25000, 22500, 8961),
        ("LOFO", False, "B1:1, B2:0.5", 127500, 70000, 12500, 45000, 9500),
        ("Best lot choice", False, "B2:1, B1:0.5", 127500, 80000, 25000, 22500, 8961),
    ]


@pytest.mark.parametrize("choice", ["FIFO", "HIFO", "Best lot choice"])
def test_a_preview_matches_the_sale_once_entered(choice: str) -> None:
    """The preview on day D equals the report after the user enters that sale (with the Lot IDs shown, or
    none for the user's own method)."""
    history = [*LOTS, sell("OLD", "2026-03-01", "BTC", "0.5", "30000", wallet="Kraken")]  # 0.5 of K1: +29,500 ST
    found = preview(history, Sale("BTC", D("1.5"), D(85000), DAY, "Coinbase", D(25)))
    shown = next(p for p in found.previews if p.label == choice)
    lot_ids = "" if shown.yours else shown.lot_ids
    entered = [*history, sell("REAL", DAY.isoformat(), "BTC", "1.5", "127500", fee="25", **{"Lot IDs": lot_ids})]
    result = compute(table(entered), Settings())
    actual = [(d.lot_id, d.quantity, d.proceeds, d.cost_basis, d.term) for d in result.disposals if d.tx_id == "REAL"]
    assert actual == [(d.lot_id, d.quantity, d.proceeds, d.cost_basis, d.term) for d in shown.disposals]
    estimate = tax_years(result, TAX)[2026].estimate
    assert shown.outcome is not None and estimate is not None
    assert estimate.total_tax == shown.outcome.tax


def test_the_wallet_is_found_or_must_be_named() -> None:
    only_coinbase = LOTS[:2]
    assert preview(only_coinbase, Sale("BTC", D(1), D(85000), DAY)).wallet == "Coinbase"
    with pytest.raises(PlanningError, match=r"^BTC is held in Coinbase, Kraken: name the wallet to sell from$"):
        preview(LOTS, Sale("BTC", D(1), D(85000), DAY))
    with pytest.raises(PlanningError, match=r"^the wallet 'Binance' is not in the table$"):
        preview(LOTS, Sale("BTC", D(1), D(85000), DAY, "Binance"))


def test_more_than_the_wallet_holds_is_refused() -> None:
    with pytest.raises(PlanningError, match=r"^'Kraken' holds 1 BTC at the end of 2026-11-20, not 1.5$"):
        preview(LOTS, Sale("BTC", D("1.5"), D(85000), DAY, "Kraken"))
    # B2 is bought on 2026-06-10: on 2026-06-09 Coinbase holds only B1
    with pytest.raises(PlanningError, match=r"holds 1 BTC at the end of 2026-06-09, not 1.5"):
        preview(LOTS, Sale("BTC", D("1.5"), D(85000), date(2026, 6, 9), "Coinbase"))


def test_a_sale_that_empties_a_lot_a_later_row_names_says_so() -> None:
    history = [*LOTS, sell("LATER", "2026-11-21", "BTC", "1", "90000", **{"Lot IDs": "B1"})]
    found = preview(history, Sale("BTC", D(1), D(85000), DAY, "Coinbase"))
    problems = {p.label: p.problem for p in found.previews}
    # FIFO and LOFO would take B1, which the later row names
    assert problems["FIFO"] == ("after this sale, row 5, column Lot IDs: the lot 'B1' has 0 BTC left in 'Coinbase', "
                                "not 1")
    assert problems["HIFO"] is None
    assert found.best.lot_ids == "B2:1"


def test_without_other_income_the_change_in_taxable_income_is_shown() -> None:
    found = what_if(table(LOTS), Settings(method=Method.HIFO), TaxSettings(),
                    Sale("BTC", D(1), D(50000), DAY, "Coinbase"))
    hifo = found.previews[2]
    # HIFO takes B2: 50,000 - 60,000 = -10,000 short-term: deductible 3,000 only
    assert (hifo.yours, hifo.tax_change, hifo.capital_income_change, hifo.lines.gain) == (True, None, -3000, -10000)
