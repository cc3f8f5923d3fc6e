"""The purchases in the wash-sale window (cryptotax_core.wash.Purchases), which the engine and the harvest
planner share: Buys and Trades that receive the asset, from 30 days before a day to 30 days after, both
ends included, in processing order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import parse_table
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.wash import Purchases

ROWS = [
    buy("B0", "2025-01-31", "XYZ", "1", "10"),  # 31 days before 2025-03-03: outside
    buy("B1", "2025-02-01T23:59:59", "XYZ", "2", "20"),  # 30 days before, the day's last second
    buy("OTHER", "2025-02-10", "ABC", "5", "50"),  # another asset
    {"ID": "T1", "Date": "2025-02-20", "Type": "Trade", "Asset": "ABC", "Quantity": "1", "USD Value": "10",
     "Wallet": "Coinbase", "Received Asset": "XYZ", "Received Quantity": "0.5"},  # receives XYZ
    sell("S", "2025-03-03", "XYZ", "1", "5"),  # a sale is no purchase
    buy("B2", "2025-04-02", "XYZ", "3", "30"),  # 30 days after
    buy("B3", "2025-04-03", "XYZ", "4", "40"),  # 31 days after: outside
]


@pytest.fixture
def purchases() -> Purchases:
    header, cells = rows_to_table(ROWS)
    table = parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY)
    return Purchases(in_processing_order(table.transactions))


@pytest.mark.parametrize(("asset", "day", "sold", "expected"), [
    ("XYZ", date(2025, 3, 3), set(), ["B1", "T1", "B2"]),
    ("XYZ", date(2025, 3, 3), {"B1"}, ["T1", "B2"]),  # the lots sold are no replacement
    ("XYZ", date(2025, 1, 1), set(), ["B0"]),
    ("XYZ", date(2025, 5, 4), set(), []),  # B3 + 31 days
    ("ABC", date(2025, 3, 12), set(), ["OTHER"]),  # a trade's own asset is not bought by it
    ("NONE", date(2025, 3, 3), set(), []),
], ids=["both-ends", "sold-left-out", "early", "after-all", "other-asset", "unknown-asset"])
def test_window(purchases: Purchases, asset: str, day: date, sold: set[str], expected: list[str]) -> None:
    assert [tx.tx_id for tx in purchases.near(asset, day, sold)] == expected


def test_around_gives_processing_order_lot_and_units(purchases: Purchases) -> None:
    assert purchases.around("XYZ", date(2025, 3, 3), {"B1"}) == [(4, "T1", Decimal("0.5")), (6, "B2", 3)]
    assert purchases.around("XYZ", date(2025, 3, 3), set(), first_only=True) == [(2, "B1", 2)]
