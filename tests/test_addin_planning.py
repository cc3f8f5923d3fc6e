"""The planning functions (UNREALIZED, HARVEST, METHODCOMPARE, WHATIF) called as Excel calls them: cells as
lists of lists, numbers as floats, dates as datetimes or text (excel-notes.md). Figures worked out by hand.

2026 single (docs/rules.md#rates): ordinary 10% to 12,400, 12% to 50,400, 22% to 105,700, 24% to 201,775;
long-term 15% from 49,450. Ordinary tax on 100,000 = 1,240 + 4,560 + 49,600 x 22% (10,912) = 16,712.
"""

from datetime import datetime
from typing import Any

import pytest

import addin.convert as convert
from addin.functions import HARVEST, METHODCOMPARE, UNREALIZED, WHATIF

HEADER = ["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Wallet", "Lot IDs"]
LOSSES = [HEADER,
          ["BTC-1", "2025-01-10", "Buy", "BTC", 1.0, 10000.0, "Coinbase", None],
          ["BTC-S", "2026-03-01", "Sell", "BTC", 1.0, 15000.0, "Coinbase", None],  # long-term +5,000
          ["ETH-1", datetime(2026, 2, 1), "Buy", "ETH", 10.0, 30000.0, "Coinbase", None],
          ["SOL-1", "2026-06-01", "Buy", "SOL", 100.0, 10000.0, "Ledger", None],
          ["DOGE-1", "2025-12-01", "Buy", "DOGE", 1000.0, 100.0, "Ledger", None]]
PRICES = [["Asset", "Price"], ["ETH", 2000.0], ["SOL", 50.0], ["DOGE", 0.3], [None, None]]
SETTINGS = [["Filing status", "single"], ["Other income 2026", 100000.0]]
ON = datetime(2026, 11, 22)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    convert.clear_cache()


def test_unrealized_lists_every_priced_lot_with_its_term() -> None:
    rows = UNREALIZED(LOSSES, PRICES, ON)
    assert rows[0] == ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Price", "Value",
                       "Unrealized gain", "Term if sold", "Long-term from", "Days to long-term"]
    assert rows[1:] == [
        # DOGE bought 2025-12-01: long-term from 2026-12-02, 10 days after 2026-11-22; 1,000 x 0.3 = 300
        ["DOGE-1", "DOGE", "Ledger", datetime(2025, 12, 1), 1000.0, 100.0, 0.3, 300.0, 200.0, "short",
         datetime(2026, 12, 2), 10],
        ["ETH-1", "ETH", "Coinbase", datetime(2026, 2, 1), 10.0, 30000.0, 2000.0, 20000.0, -10000.0, "short",
         datetime(2027, 2, 2), 72],
        ["SOL-1", "SOL", "Ledger", datetime(2026, 6, 1), 100.0, 10000.0, 50.0, 5000.0, -5000.0, "short",
         datetime(2027, 6, 2), 192]]
    assert UNREALIZED(LOSSES, [["ETH", 2000.0]], ON, "eth")[1][0] == "ETH-1"
    assert [row[0] for row in UNREALIZED(LOSSES, [["ETH", 2000.0]], ON) if row[0].startswith("Note")] == [
        "Note: no price given for DOGE: its 1 open lot is left out",
        "Note: no price given for SOL: its 1 open lot is left out"]


def test_harvest_ranks_by_tax_saved_and_plans_to_the_limit() -> None:
    rows = HARVEST(LOSSES, PRICES, "2026-11-22", SETTINGS)
    header = rows[0]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:3]]
    # ETH alone: ST -10,000 + LT 5,000 = -5,000: deduct 3,000, carry 2,000; tax 17,462 -> 16,052: saves 1,410
    # SOL alone: ST -5,000 + LT 5,000 = 0: saves the 750 on the gain. In the plan after ETH it saves nothing and
    # adds 5,000 to the carryover; ETH needs 8 of its 10 units for the 8,000 of room (5,000 + 3,000).
    assert [(r["Rank"], r["Lot"], r["Loss"], r["Tax saved"], r["Loss used this year"], r["In plan"], r["Plan saving"],
             r["Carryover added"], r["Sell"], r["Lot IDs"]) for r in table] == [
        (1, "ETH-1", 10000.0, 1410.0, 8000.0, "yes", 1410.0, 2000.0, 8.0, "ETH-1:8"),
        (2, "SOL-1", 5000.0, 750.0, 5000.0, "no", 0.0, 5000.0, 0, "")]
    labelled = {row[0]: row[1] for row in rows[4:] if row[0]}
    assert labelled["Plan: tax saved"] == 1410.0
    assert labelled["Plan: carryover to next year"] == 2000.0
    # DOGE has a gain and turns long-term in 10 days: wait
    assert ("Note: 1000 DOGE (lot DOGE-1, Ledger) has a gain of 200.00 and turns long-term on 2026-12-02, in 10 "
            "days: if you mean to sell it, waiting until then gets the long-term rates") in labelled


def test_harvest_without_other_income_ranks_by_the_loss_used() -> None:
    rows = HARVEST(LOSSES, PRICES, ON)
    assert [(row[1], row[11], row[12]) for row in rows[1:3]] == [("ETH-1", "", 8000.0), ("SOL-1", "", 5000.0)]
    assert [row[:2] for row in rows if row[0] == "Plan: loss used this year"] == [["Plan: loss used this year",
                                                                                   8000.0]]


THREE_LOTS = [HEADER,
              ["L", "2024-01-10", "Buy", "BTC", 1.0, 10000.0, "Coinbase", None],
              ["M", "2024-06-10", "Buy", "BTC", 1.0, 90000.0, "Coinbase", None],
              ["H", "2025-04-01", "Buy", "BTC", 1.0, 100000.0, "Coinbase", None],
              ["S1", "2026-03-01", "Sell", "BTC", 1.0, 120000.0, "Coinbase", None],
              ["S2", "2026-06-01", "Sell", "BTC", 1.0, 120000.0, "Coinbase", None]]


def test_methodcompare_shows_each_method_and_the_best_lots() -> None:
    rows = METHODCOMPARE(THREE_LOTS, 2026.0, SETTINGS)
    assert rows[0] == ["Method", "Short-term gain", "Long-term gain", "Net total", "Deductible loss",
                       "Carryover out", "Estimated tax", "AMT", "", ""]
    # FIFO/LOFO: L and M, long-term 140,000: 16,712 + 21,000 + NIIT 3.8% x (240,000 + the 16,100 standard
    #   deduction - 200,000) = 3.8% x 56,100 (2,131.80) = 39,843.80
    # HIFO/LIFO: H short-term 20,000 + M long-term 30,000: 21,398 + 4,500 = 25,898
    # best: M in March (long-term), H in June (long-term by then): 16,712 + 50,000 x 15% = 24,212
    #   (AMT: none; AMTI at most 240,000 + 16,100, whose 26/28% with the gain at 15% stays below the regular tax)
    assert [row[:8] for row in rows[1:6]] == [
        ["FIFO", 0.0, 140000.0, 140000.0, 0.0, 0.0, 39843.8, 0.0],
        ["LIFO", 20000.0, 30000.0, 50000.0, 0.0, 0.0, 25898.0, 0.0],
        ["HIFO", 20000.0, 30000.0, 50000.0, 0.0, 0.0, 25898.0, 0.0],
        ["LOFO", 0.0, 140000.0, 140000.0, 0.0, 0.0, 39843.8, 0.0],
        ["Best identification", 0.0, 50000.0, 50000.0, 0.0, 0.0, 24212.0, 0.0]]
    assert rows[7] == ["Sale row", "ID", "Date", "Asset", "Wallet", "Quantity", "Lot IDs (best)", "Short-term gain",
                       "Long-term gain", "Recorded"]
    assert rows[8] == [5, "S1", datetime(2026, 3, 1), "BTC", "Coinbase", 1.0, "M:1", 0.0, 30000.0, "no"]
    assert rows[9] == [6, "S2", datetime(2026, 6, 1), "BTC", "Coinbase", 1.0, "H:1", 0.0, 20000.0, "no"]
    assert rows[-2][0].startswith('Note: docs/rules.md#which-units-are-sold: "Specific identification must be made no '
                                  'later than the time of sale')
    assert rows[-1][0] == "Note: the tax estimates use ordinary income 100,000.00 = Other income 100,000.00 + the " \
                          "table's income 0.00"
    assert METHODCOMPARE(THREE_LOTS, 2026)[1][6] == "add 'Other income 2026' to Settings"


def test_whatif_previews_each_lot_choice() -> None:
    cells: list[list[Any]] = THREE_LOTS[:4]
    rows = WHATIF(cells, "btc", 1.5, 85000.0, "coinbase", "2026-11-20", SETTINGS)
    assert rows[0] == ["Lot choice", "Lot IDs", "Proceeds", "Cost basis", "Gain", "Short-term gain", "Long-term gain",
                       "Tax change", "Capital income change", "Your method", "AMT with the sale"]
    # all three lots are long-term on 2026-11-20; 1.5 x 85,000 = 127,500
    # FIFO: L + 0.5 M: basis 10,000 + 45,000 = 55,000, gain 72,500 at 15% = 10,875
    # HIFO/LIFO: H + 0.5 M: basis 145,000, gain -17,500: a long-term loss, 3,000 deducted at 22% = 660 saved
    # LOFO: L + 0.5 M as FIFO
    # (modified AGI with FIFO's gain: 100,000 + 72,500 + the 16,100 standard deduction = 188,600: no NIIT)
    assert rows[1:] == [
        ["FIFO", "L:1, M:0.5", 127500.0, 55000.0, 72500.0, 0.0, 72500.0, 10875.0, 72500.0, "yes", 0.0],
        ["LIFO", "H:1, M:0.5", 127500.0, 145000.0, -17500.0, 0.0, -17500.0, -660.0, -3000.0, "", 0.0],
        ["HIFO", "H:1, M:0.5", 127500.0, 145000.0, -17500.0, 0.0, -17500.0, -660.0, -3000.0, "", 0.0],
        ["LOFO", "L:1, M:0.5", 127500.0, 55000.0, 72500.0, 0.0, 72500.0, 10875.0, 72500.0, "", 0.0],
        ["Best lot choice", "H:1, M:0.5", 127500.0, 145000.0, -17500.0, 0.0, -17500.0, -660.0, -3000.0, "", 0.0],
        ["Note: the tax estimates use ordinary income 100,000.00 = Other income 100,000.00 + the table's income 0.00",
         *[""] * 10]]


def test_planning_mistakes_show_as_short_messages() -> None:
    assert HARVEST(LOSSES, None, ON) == [["prices is missing: give a two-column range of asset and USD price, e.g. "
                                          "BTC | 91000"]]
    assert HARVEST(LOSSES, [["ETH", "cheap"]], ON) == [["prices: row 1: the price of ETH: expected a number, found "
                                                        "'cheap'"]]
    assert UNREALIZED(LOSSES, [["ETH", -5.0]], ON) == [["prices: row 1: the price of ETH is -5.0: a price cannot be "
                                                        "negative"]]
    assert WHATIF(THREE_LOTS, "BTC", 5.0, 1.0, "Coinbase", ON) == [
        ["'Coinbase' holds 1 BTC at the end of 2026-11-22, not 5"]]
    assert WHATIF(LOSSES, "BTC", 1.0, 1.0, None, ON) == [["no wallet holds BTC at the end of 2026-11-22"]]
    assert WHATIF(LOSSES, "ADA", 1.0, 1.0) == [["asset: ADA is not in the Transactions table"]]
    assert METHODCOMPARE(THREE_LOTS, 2027, [["Other income 2027", 1.0]])[0][0] == (
        "tax year 2027 is not supported: rate tables exist for 2024, 2025, 2026")
