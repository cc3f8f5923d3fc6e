"""A table with rows pasted at its end, planned with the table before (`Computed(previous=)`, as the Excel
functions do after a paste): every answer is the one planning the new table from scratch gives; a search whose
rows did not change (the rows pasted after its year) is answered without searching again, a harvest whose rows
did not change (up to 30 days after its date) is the same."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import Settings, Transaction, parse_table
from cryptotax_core.planning import compare_methods, harvest
from cryptotax_core.planning.computed import Computed
from cryptotax_core.planning.identify import LotSearch
from cryptotax_core.tax import TaxSettings

D = Decimal
TAX = TaxSettings(other_income={2025: D(100000)})
# the three lots and two sales of tests/planning/test_compare.py, a year earlier, and a sale in 2026
ROWS = [buy("L", "2023-01-10", "BTC", "1", "10000"), buy("M", "2023-06-10", "BTC", "1", "90000"),
        buy("H", "2024-04-01", "BTC", "1", "100000"), buy("E", "2024-05-01", "ETH", "10", "30000"),
        sell("S1", "2025-03-01", "BTC", "1", "120000"), sell("S2", "2025-06-01", "BTC", "1", "120000"),
        sell("S3", "2026-02-01", "ETH", "2", "8000")]


def table(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


@pytest.mark.parametrize(("pasted", "searched"), [
    (buy("P1", "2026-03-01", "BTC", "1", "95000"), False),  # after 2025: the 2025 search stands
    (sell("P1", "2025-09-01", "ETH", "1", "3500"), True),  # in 2025: searched again
], ids=["after-the-year", "in-the-year"])
def test_a_comparison_after_a_paste_is_the_new_tables(pasted: dict[str, str], searched: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    searches: list[int] = []
    real = LotSearch._search

    def counting(self: LotSearch, *args: Any) -> Any:
        searches.append(self.year)
        return real(self, *args)

    monkeypatch.setattr(LotSearch, "_search", counting)
    before = Computed(table(ROWS), Settings())
    first = compare_methods(before.transactions, Settings(), TAX, 2025, computed=before)
    assert searches == [2025]
    now = table([*ROWS, pasted])
    after = compare_methods(now, Settings(), TAX, 2025, computed=Computed(now, Settings(), previous=before))
    assert searches == ([2025, 2025] if searched else [2025])
    alone = compare_methods(now, Settings(), TAX, 2025)
    assert after == alone
    # S1 takes M (long-term 30,000), S2 takes H (long-term 20,000): 50,000 x 15% on 100,000 of other income
    assert [(choice.sale.tx_id, choice.lot_ids) for choice in first.best.sales] == [("S1", "M:1"), ("S2", "H:1")]
    assert (first.best.short_term, first.best.long_term) == (0, 50000)


@pytest.mark.parametrize(("pasted", "kept"), [
    (buy("P1", "2026-01-10", "ETH", "1", "3000"), True),  # more than 30 days after the date
    (buy("P1", "2025-11-30", "ETH", "1", "3000"), False),  # within 30 days after: a purchase near the sale
], ids=["later", "within-30-days"])
def test_a_harvest_after_a_paste_is_the_new_tables(pasted: dict[str, str], kept: bool) -> None:
    on, prices = date(2025, 11, 20), {"BTC": D(80000), "ETH": D(2000)}
    before = Computed(table(ROWS), Settings())
    first = harvest(before.transactions, Settings(), TAX, on, prices, computed=before)
    now = table([*ROWS, pasted])
    after = harvest(now, Settings(), TAX, on, prices, computed=Computed(now, Settings(), previous=before))
    assert (after is first) is kept
    assert after == harvest(now, Settings(), TAX, on, prices)
    # H (1 BTC, basis 100,000) at 80,000: a loss of 20,000; E (10 ETH, basis 30,000) at 2,000: 10,000
    assert sorted((candidate.value.lot.lot_id, candidate.value.gain) for candidate in after.candidates) == [
        ("E", -10000), ("H", -20000)]
