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


def test_harvest_puts_the_plan_first_then_ranks_by_tax_saved() -> None:
    rows = HARVEST(LOSSES, PRICES, "2026-11-22", SETTINGS)
    # ETH alone: ST -10,000 + LT 5,000 = -5,000: deduct 3,000, carry 2,000; tax 17,462 -> 16,052: saves 1,410
    # SOL alone: ST -5,000 + LT 5,000 = 0: saves the 750 on the gain. In the plan after ETH it saves nothing and
    # adds 5,000 to the carryover; ETH needs 8 of its 10 units for the 8,000 of room (5,000 + 3,000).
    assert [[cell for cell in row if cell != ""] for row in rows[:6]] == [
        ["Plan: tax saved", 1410.0, "1 of 2 loss lots, sold on 2026-11-22"],
        ["Plan: carryover to next year", 2000.0],
        ["Plan: sell ETH from Coinbase", 8.0, "ETH-1:8"],
        ["Year: AMT as it stands", 0.0],
        ["Year: AMT with the plan", 0.0],
        []]
    header = rows[6]
    table = [dict(zip(header, row, strict=True)) for row in rows[7:9]]
    assert [(r["Rank"], r["Lot"], r["Loss"], r["Tax saved"], r["Loss used this year"], r["In plan"], r["Plan saving"],
             r["Carryover added"], r["Sell"], r["Lot IDs"]) for r in table] == [
        (1, "ETH-1", 10000.0, 1410.0, 8000.0, "yes", 1410.0, 2000.0, 8.0, "ETH-1:8"),
        (2, "SOL-1", 5000.0, 750.0, 5000.0, "no", 0.0, 5000.0, 0, "")]
    notes = [row[0] for row in rows[9:] if row[0]]
    # DOGE has a gain and turns long-term in 10 days: wait; the note is told once for the asset
    assert notes == ["Note: DOGE lots with a gain that turn long-term within 30 days: DOGE-1 on 2026-12-02 (in 10 "
                     "days): if you mean to sell one, waiting until then gets the long-term rates",
                     "Note: the tax estimates use ordinary income 100,000.00 = Other income 100,000.00 + the table's "
                     "income 0.00"]


def test_harvest_without_other_income_ranks_by_the_loss_used() -> None:
    rows = HARVEST(LOSSES, PRICES, ON)
    assert rows[0][:2] == ["Plan: loss used this year", 8000.0]
    assert [(row[1], row[11], row[12]) for row in rows[5:7]] == [("ETH-1", "", 8000.0), ("SOL-1", "", 5000.0)]


THREE_LOTS = [HEADER,
              ["L", "2024-01-10", "Buy", "BTC", 1.0, 10000.0, "Coinbase", None],
              ["M", "2024-06-10", "Buy", "BTC", 1.0, 90000.0, "Coinbase", None],
              ["H", "2025-04-01", "Buy", "BTC", 1.0, 100000.0, "Coinbase", None],
              ["S1", "2026-03-01", "Sell", "BTC", 1.0, 120000.0, "Coinbase", None],
              ["S2", "2026-06-01", "Sell", "BTC", 1.0, 120000.0, "Coinbase", None]]


def test_methodcompare_puts_the_lowest_tax_first_then_each_method_and_the_best_lots() -> None:
    rows = METHODCOMPARE(THREE_LOTS, 2026.0, SETTINGS)
    # FIFO/LOFO: L and M, long-term 140,000: 16,712 + 21,000 + NIIT 3.8% x (240,000 + the 16,100 standard
    #   deduction - 200,000) = 3.8% x 56,100 (2,131.80) = 39,843.80
    # HIFO/LIFO: H short-term 20,000 + M long-term 30,000: 21,398 + 4,500 = 25,898
    # best: M in March (long-term), H in June (long-term by then): 16,712 + 50,000 x 15% = 24,212
    #   (AMT: none; AMTI at most 240,000 + 16,100, whose 26/28% with the gain at 15% stays below the regular tax)
    assert rows[0][:3] == ["Lowest estimated tax", 24212.0, "Best identification"]
    assert rows[1][:2] == ["Your method (FIFO)", 39843.8]
    assert rows[3][:9] == ["Method", "Estimated tax", "Short-term gain", "Long-term gain", "Net total",
                           "Deductible loss", "Carryover out", "AMT", "To get it from the workbook"]
    assert [row[:9] for row in rows[4:9]] == [
        ["FIFO", 39843.8, 0.0, 140000.0, 140000.0, 0.0, 0.0, 0.0, "Settings: Method 2026 = FIFO"],
        ["LIFO", 25898.0, 20000.0, 30000.0, 50000.0, 0.0, 0.0, 0.0, "Settings: Method 2026 = LIFO"],
        ["HIFO", 25898.0, 20000.0, 30000.0, 50000.0, 0.0, 0.0, 0.0, "Settings: Method 2026 = HIFO"],
        ["LOFO", 39843.8, 0.0, 140000.0, 140000.0, 0.0, 0.0, 0.0, "Settings: Method 2026 = LOFO"],
        ["Best identification", 24212.0, 0.0, 50000.0, 50000.0, 0.0, 0.0, 0.0,
         "Settings: Method 2026 = FIFO, and the Lot IDs below on the year's sales"]]
    assert rows[10] == ["Sale row", "ID", "Date", "Asset", "Wallet", "Quantity", "Short-term gain", "Long-term gain",
                        "Recorded", "Lot IDs (best)"]
    assert rows[11] == [5, "S1", datetime(2026, 3, 1), "BTC", "Coinbase", 1.0, 0.0, 30000.0, "no", "M:1"]
    assert rows[12] == [6, "S2", datetime(2026, 6, 1), "BTC", "Coinbase", 1.0, 0.0, 20000.0, "no", "H:1"]
    assert rows[-2][0].startswith('Note: docs/rules.md#which-units-are-sold: "Specific identification must be made no '
                                  'later than the time of sale')
    assert rows[-1][0] == "Note: the tax estimates use ordinary income 100,000.00 = Other income 100,000.00 + the " \
                          "table's income 0.00"
    without = METHODCOMPARE(THREE_LOTS, 2026)
    # without other income: the capital result, then its short-term part, ranks: the best's 50,000 is LIFO's and
    # HIFO's, with none of it short-term
    assert without[0][:3] == ["Lowest capital result", 50000.0, "Best identification"]
    assert without[4][1] == "add 'Other income 2026' to Settings"


def test_whatif_puts_the_best_choice_first_then_each_lot_choice() -> None:
    cells: list[list[Any]] = THREE_LOTS[:4]
    rows = WHATIF(cells, "btc", 1.5, 85000.0, "coinbase", "2026-11-20", SETTINGS)
    # all three lots are long-term on 2026-11-20; 1.5 x 85,000 = 127,500
    # FIFO: L + 0.5 M: basis 10,000 + 45,000 = 55,000, gain 72,500 at 15% = 10,875
    # HIFO/LIFO: H + 0.5 M: basis 145,000, gain -17,500: a long-term loss, 3,000 deducted at 22% = 660 saved
    # LOFO: L + 0.5 M as FIFO; the best choice saves 10,875 + 660 = 11,535 against FIFO
    # (modified AGI with FIFO's gain: 100,000 + 72,500 + the 16,100 standard deduction = 188,600: no NIIT)
    assert rows[0][:3] == ["Best: Best lot choice", -660.0, "tax change, 11,535.00 less than your FIFO: record its "
                                                            "Lot IDs"]
    assert rows[2] == ["Lot choice", "Gain", "Term", "Short-term gain", "Long-term gain", "Tax change",
                       "Capital income change", "AMT with the sale", "Proceeds", "Cost basis", "Adjustment",
                       "Your method", "Lot IDs"]
    assert rows[3:] == [
        ["FIFO", 72500.0, "long", 0.0, 72500.0, 10875.0, 72500.0, 0.0, 127500.0, 55000.0, 0.0, "yes", "L:1, M:0.5"],
        ["LIFO", -17500.0, "long", 0.0, -17500.0, -660.0, -3000.0, 0.0, 127500.0, 145000.0, 0.0, "", "H:1, M:0.5"],
        ["HIFO", -17500.0, "long", 0.0, -17500.0, -660.0, -3000.0, 0.0, 127500.0, 145000.0, 0.0, "", "H:1, M:0.5"],
        ["LOFO", 72500.0, "long", 0.0, 72500.0, 10875.0, 72500.0, 0.0, 127500.0, 55000.0, 0.0, "", "L:1, M:0.5"],
        ["Best lot choice", -17500.0, "long", 0.0, -17500.0, -660.0, -3000.0, 0.0, 127500.0, 145000.0, 0.0, "",
         "H:1, M:0.5"],
        [""] * 13,
        ["Note: the tax estimates use ordinary income 100,000.00 = Other income 100,000.00 + the table's income 0.00",
         *[""] * 12]]
    # without other income: the change in taxable income, 72,500 against -3,000 (the deduction)
    assert WHATIF(cells, "btc", 1.5, 85000.0, "coinbase", "2026-11-20")[0][:3] == [
        "Best: Best lot choice", -3000.0, "change in taxable income, 75,500.00 less than your FIFO: record its Lot IDs"]


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


@pytest.mark.parametrize("pasted", [
    ["P1", "2026-12-01", "Buy", "BTC", 1.0, 95000.0, "Coinbase", None],  # after every sale
    ["P1", "2026-04-01", "Sell", "BTC", 0.5, 60000.0, "Coinbase", None],  # between the two sales
], ids=["a-buy-after", "a-sale-between"])
def test_after_a_paste_every_answer_is_the_new_tables(pasted: list[Any]) -> None:
    """A row pasted below the table: the functions go on from the table before (its checkpoints and its searches
    where the rows before them are unchanged) and answer as the new table does on its own."""
    calls = {"METHODCOMPARE": lambda cells: METHODCOMPARE(cells, 2026, SETTINGS),
             "WHATIF": lambda cells: WHATIF(cells, "btc", 0.5, 85000.0, "coinbase", "2026-11-20", SETTINGS),
             "HARVEST": lambda cells: HARVEST(cells, [["BTC", 50000.0]], "2026-11-20", SETTINGS)}
    for call in calls.values():
        call([list(row) for row in THREE_LOTS])
    table = [*[list(row) for row in THREE_LOTS], pasted]
    after = {name: call([list(row) for row in table]) for name, call in calls.items()}
    book = convert.book_for([list(row) for row in table], SETTINGS)
    before = convert.book_for([list(row) for row in THREE_LOTS], SETTINGS)
    # the checkpoint at the start of 2026 is the earlier table's: the rows before 2026 did not change
    assert book.computed.checkpoint(2026) is before.computed.checkpoint(2026)
    convert.clear_cache()
    assert after == {name: call([list(row) for row in table]) for name, call in calls.items()}
    assert after["METHODCOMPARE"][0][0] == "Lowest estimated tax"
