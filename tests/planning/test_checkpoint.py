"""`engine.Checkpoint`: a history computed again from the start of a year gives exactly what computing the whole
history gives, whatever the later years' method, Lot IDs or added rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import Disposal, InputError, LotPick, Method, Pooling, Settings, Transaction, compute, parse_table
from cryptotax_core.engine import Checkpoint, compute_with_checkpoints
from cryptotax_core.planning.computed import Computed
from cryptotax_core.planning.identify import (
    Evaluated,
    LotChoice,
    LotSearch,
    _rows_by_asset,
    run_assets,
    run_year,
    year_split,
)
from cryptotax_core.planning.position import year_gains, year_position
from cryptotax_core.summary import summarize
from cryptotax_core.tax import TaxSettings

D = Decimal
STOCK = {"Class": "Stock"}


def table(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


# A wash sale across the new year: XYZ bought 2024-01-10 for 1,000, sold 2024-12-20 for 600 (loss 400), bought
# again 2025-01-05 for 700: the 400 is disallowed (code W) and the replacement's basis is 700 + 400 = 1,100; it
# takes in the 345 days the sold shares were held (acquired 2025-01-05 - 345 days = 2024-01-26), so its sale on
# 2025-03-01 for 1,300 is long-term with a gain of 200.
WASH = [buy("X1", "2024-01-10", "XYZ", "10", "1000", wallet="Broker", **STOCK),
        sell("S1", "2024-12-20", "XYZ", "10", "600", wallet="Broker", **STOCK),
        buy("X2", "2025-01-05", "XYZ", "10", "700", wallet="Broker", **STOCK),
        buy("B1", "2024-02-01", "BTC", "1", "40000"), buy("B2", "2024-08-01", "BTC", "1", "60000"),
        buy("B3", "2025-02-01", "BTC", "1", "90000"),
        sell("S2", "2025-03-01", "XYZ", "10", "1300", wallet="Broker", **STOCK),
        sell("S3", "2025-06-01", "BTC", "1", "100000"), sell("S4", "2026-01-15", "BTC", "1", "100000")]


@pytest.mark.parametrize("method", list(Method))
def test_a_resumed_year_is_the_whole_history(method: Method) -> None:
    rows = table(WASH)
    checkpoint = Checkpoint(rows, Settings(), 2025)
    settings = Settings(method_by_year={2025: method})
    assert checkpoint.compute(rows, settings) == compute(rows, settings)
    assert checkpoint.compute(rows, settings, until=date(2025, 12, 31)) == compute(rows, settings,
                                                                                    until=date(2025, 12, 31))


def test_the_wash_sale_across_the_new_year_is_kept() -> None:
    rows = table(WASH)
    result = Checkpoint(rows, Settings(), 2025).compute(rows, Settings(method_by_year={2025: Method.HIFO}))
    xyz = [(d.tx_id, d.lot_id, d.proceeds, d.cost_basis, d.adjustment, d.adjustment_code, d.acquired, d.term.value)
           for d in result.disposals if d.asset == "XYZ"]
    assert xyz == [("S1", "X1", D(600), D(1000), D(400), "W", date(2024, 1, 10), "short"),
                   ("S2", "X2", D(1300), D(1100), D(0), "", date(2024, 1, 26), "long")]
    # HIFO in 2025: S3 takes B3 (90,000), S4 in 2026 (FIFO again) takes B1
    assert [(d.tx_id, d.lot_id) for d in result.disposals if d.asset == "BTC"] == [("S3", "B3"), ("S4", "B1")]


def test_lot_ids_and_an_added_sale_in_the_year() -> None:
    rows = table(WASH)
    checkpoint = Checkpoint(rows, Settings(), 2025)
    picked = [tx._replace(lot_ids=(LotPick("B2", D(1)),)) if tx.tx_id == "S3" else tx for tx in rows]
    extra = sell("S5", "2025-07-01", "BTC", "0.5", "50000")
    added = [*picked, *table([*WASH, extra])[-1:]]
    for history in (picked, added):
        assert checkpoint.compute(history, Settings()) == compute(history, Settings())
    assert [(d.tx_id, d.lot_id, d.quantity) for d in checkpoint.compute(added, Settings()).disposals
            if d.asset == "BTC"] == [("S3", "B2", D(1)), ("S5", "B1", D("0.5")), ("S4", "B1", D("0.5")),
                                     ("S4", "B3", D("0.5"))]


def test_a_changed_earlier_year_or_setting_computes_the_whole_history() -> None:
    rows = table(WASH)
    checkpoint = Checkpoint(rows, Settings(), 2025)
    earlier = [tx._replace(lot_ids=(LotPick("B2", D(1)),)) if tx.tx_id == "S1" else tx for tx in rows]
    no_rebuy = [tx for tx in rows if tx.tx_id not in ("X2", "S2")]  # no purchase 16 days into the year
    for history, settings in ((rows, Settings(method_by_year={2024: Method.LIFO})),
                              (rows, replace(Settings(), pooling=Pooling.UNIVERSAL)), (no_rebuy, Settings())):
        assert checkpoint.compute(history, settings) == compute(history, settings)
    s1 = next(d for d in checkpoint.compute(no_rebuy, Settings()).disposals if d.tx_id == "S1")
    assert (s1.adjustment, s1.gain) == (D(0), D(-400))
    with pytest.raises(InputError, match="B2"):
        checkpoint.compute(earlier, Settings())


def test_year_gains_are_the_summary_of_the_year() -> None:
    result = compute(table(WASH), Settings())
    # 2024: S1 600 - 1,000 + 400 disallowed = 0 short-term; 2025: S2 +200 long-term, S3 takes B1 (FIFO):
    # 100,000 - 40,000 = 60,000 long-term; 2026: S4 takes B2, 100,000 - 60,000 = 40,000 long-term
    assert [year_gains(result, year) for year in (2023, 2024, 2025, 2026, 2027)] == [
        (0, 0), (0, 0), (0, 60200), (0, 40000), (0, 0)]
    summaries = summarize(result)
    assert all(year_gains(result, year) == (summary.short_term.gain, summary.long_term.gain)
               for year, summary in summaries.items())


# Trades both ways in 2025: T1 gives 5 ETH for 0.1 BTC (USD 15,000), T2 gives 0.5 BTC for 10 ETH (USD 50,000).
TRADES = [buy("B1", "2024-02-01", "BTC", "1", "40000"), buy("B2", "2024-08-01", "BTC", "1", "60000"),
          buy("E1", "2024-03-01", "ETH", "10", "20000"),
          {"ID": "T1", "Date": "2025-02-01", "Type": "Trade", "Asset": "ETH", "Quantity": "5", "USD Value": "15000",
           "Wallet": "Coinbase", "Received Asset": "BTC", "Received Quantity": "0.1"},
          {"ID": "T2", "Date": "2025-03-01", "Type": "Trade", "Asset": "BTC", "Quantity": "0.5", "USD Value": "50000",
           "Wallet": "Coinbase", "Received Asset": "ETH", "Received Quantity": "10"},
          sell("S1", "2025-06-01", "BTC", "0.5", "55000"), sell("S2", "2025-07-01", "ETH", "5", "20000"),
          sell("S3", "2026-01-10", "BTC", "0.5", "50000")]


@pytest.mark.parametrize("picks", [
    {"S1": "B2:0.5"},                            # BTC only: S1 takes B2 (basis 30,000) instead of B1
    {"T2": "B2:0.5", "S1": "T1:0.1, B1:0.4"},    # BTC: the lot T1 bought is named
    {"S2": "T2:5"},                              # ETH only: S2 takes the units T2 bought (basis 50,000 / 10 each)
], ids=["one-sale", "trade-lot", "other-asset"])
def test_a_candidate_run_on_its_assets_rows_is_the_whole_years_run(picks: dict[str, str]) -> None:
    rows = table(TRADES)
    by_id = {tx.tx_id: tx for tx in rows}
    position = year_position(compute(rows, Settings()), TaxSettings(), 2025)
    search = LotSearch(rows, Settings(), position, {tx.row for tx in rows if tx.tx_type.is_disposal},
                       Checkpoint(rows, Settings(), 2025))
    around = search.evaluate(LotChoice(Method.FIFO, {}))
    assert around is not None
    candidate = LotChoice(Method.FIFO, {by_id[tx_id].row: tuple(
        LotPick(lot, D(units)) for lot, units in (pick.split(":") for pick in text.split(", ")))
        for tx_id, text in picks.items()})
    fast, whole = search.evaluate(candidate, around=around), search.evaluate(candidate)
    assert fast is not None and whole is not None
    assert fast.gains == whole.gains and fast.outcome == whole.outcome
    assert lines(search, fast) == lines(search, whole)


def lines(search: LotSearch, found: Evaluated) -> dict[str, list[Disposal]]:
    """The year's disposals of an evaluated choice, by asset."""
    return {asset: list(mine) for asset, mine in search.year_lines(found).items() if mine}


def test_the_trades_by_hand() -> None:
    rows = table(TRADES)
    result = compute(rows, Settings(), until=date(2025, 12, 31))
    # T1: 5 ETH of E1 (basis 10,000) for 15,000, held 11 months: +5,000 short-term; T2: 0.5 BTC of B1
    # (20,000) for 50,000: +30,000 long-term; S1 (FIFO): 0.5 BTC of B1 (20,000) for 55,000: +35,000
    # long-term; S2: 5 ETH of E1 (10,000) for 20,000: +10,000 long-term
    assert [(d.tx_id, d.lot_id, d.quantity, d.gain, d.term.value) for d in result.disposals] == [
        ("T1", "E1", D(5), D(5000), "short"), ("T2", "B1", D("0.5"), D(30000), "long"),
        ("S1", "B1", D("0.5"), D(35000), "long"), ("S2", "E1", D(5), D(10000), "long")]


@pytest.mark.parametrize("method", [Method.FIFO, Method.HIFO])
def test_a_checkpoint_on_a_day_is_the_whole_history(method: Method) -> None:
    """From 2025-02-15 (after the wash-sale purchase X2 of 2025-01-05 and the trades' year start), on its own
    or going on from the year's checkpoint: the same as the whole history. Another method for 2025 changes the
    days before 2025-02-15, so the whole history is computed then."""
    for rows in (table(WASH), table(TRADES)):
        year = Checkpoint(rows, Settings(), 2025)
        for checkpoint in (Checkpoint(rows, Settings(), date(2025, 2, 15)),
                           Checkpoint(rows, Settings(), date(2025, 2, 15), earlier=year)):
            assert len(checkpoint.before) == len([tx for tx in rows if tx.day < date(2025, 2, 15)])
            settings = Settings(method_by_year={2025: method})
            assert checkpoint.compute(rows, settings) == compute(rows, settings)
            assert checkpoint.compute(rows, Settings(), until=date(2025, 6, 30)) == compute(
                rows, Settings(), until=date(2025, 6, 30))


def test_a_paused_run_goes_on_as_the_whole_run() -> None:
    """BTC's rows of the trades from 2025 on (T1 receives 0.1 BTC: a Buy of it): paused after each of them and run
    with the rest, or taken further in two steps, the same BTC disposals from 2025 on and the same lots as the
    whole history."""
    rows = table(TRADES)
    checkpoint = Checkpoint(rows, Settings(), 2025)
    btc = _rows_by_asset(rows, date(2025, 1, 1))["BTC"]
    assert [(tx.tx_id, tx.tx_type.value) for tx in btc] == [("T1", "Buy"), ("T2", "Trade"), ("S1", "Sell"),
                                                            ("S3", "Sell")]
    whole = compute(rows, Settings())
    expected = [d for d in whole.disposals if d.asset == "BTC"]
    start = checkpoint.paused(btc, Settings(), "BTC")
    assert start is not None
    assert [lot for lot in start.then(btc).lots() if lot.asset == "BTC"] == [
        lot for lot in whole.lots if lot.asset == "BTC"]
    for done in range(len(btc) + 1):
        paused = start.then(btc[:done])
        assert (paused.done, paused.made) == (done, [0, 0, 1, 2, 3][done])
        assert expected[:paused.made] + paused.run(btc[done:]) == expected
    assert start.then(btc[:1]).then(btc[1:3]).run(btc[3:]) == expected[2:]
    # FIFO: T2 and S1 take 0.5 BTC of B1 each, S3 (2026) takes B2
    assert [(d.tx_id, d.lot_id) for d in expected] == [("T2", "B1"), ("S1", "B1"), ("S3", "B2")]
    assert checkpoint.paused(btc, Settings(method_by_year={2024: Method.LIFO}), "BTC") is None


def test_the_checkpoints_kept_by_one_run_are_those_computed_alone() -> None:
    """`compute_with_checkpoints`: the whole history, and at the start of 2025 and 2026 the states a checkpoint
    computed on its own has: each computes the later years with another method as the whole history does."""
    for rows in (table(WASH), table(TRADES)):
        result, kept = compute_with_checkpoints(rows, Settings(), (), (2026, 2025))
        assert result == compute(rows, Settings())
        assert sorted(kept) == [2025, 2026]
        for year, checkpoint in kept.items():
            alone = Checkpoint(rows, Settings(), year)
            assert (checkpoint.start, checkpoint.before, checkpoint.purchases) == (alone.start, alone.before,
                                                                                  alone.purchases)
            settings = Settings(method_by_year={year: Method.HIFO})
            assert checkpoint.compute(rows, settings) == alone.compute(rows, settings) == compute(rows, settings)


@pytest.mark.parametrize("picks", [{"T2": "B2:0.5", "S1": "T1:0.1, B1:0.4", "S2": "T2:5"}, {"S1": "B2:0.5"}],
                         ids=["both-assets", "btc"])
def test_a_whole_run_of_some_assets_is_the_whole_run(picks: dict[str, str]) -> None:
    """`run_assets`: the trades' history with other Lot IDs for BTC and ETH (T1 and T2 trade one for the other:
    a row of each) or for BTC only, run on those assets' rows around the history as it is, gives the year's
    gains and disposals of the whole run."""
    rows = table(TRADES)
    by_id = {tx.tx_id: tx for tx in rows}
    position = year_position(compute(rows, Settings()), TaxSettings(), 2025)
    checkpoint = Checkpoint(rows, Settings(), 2025)
    around = run_year(rows, Settings(), position, LotChoice(Method.FIFO, {}), checkpoint, whole=True)
    candidate = LotChoice(Method.FIFO, {by_id[tx_id].row: tuple(
        LotPick(lot, D(units)) for lot, units in (pick.split(":") for pick in text.split(", ")))
        for tx_id, text in picks.items()})
    assets = sorted({by_id[tx_id].asset for tx_id in picks})
    fast = run_assets(rows, Settings(), position, candidate, checkpoint, around, assets)
    whole = run_year(rows, Settings(), position, candidate, checkpoint, whole=True)
    assert fast.gains == whole.gains and fast.outcome == whole.outcome
    assert fast.lines is not None
    assert {asset: list(lines) for asset, lines in fast.lines.items() if lines} == year_split(whole.result, 2025)


@pytest.mark.parametrize(("pasted", "reused"), [
    (sell("P1", "2026-02-01", "ETH", "1", "4000"), [2025, 2026]),  # after both checkpoints' reach
    (sell("P1", "2025-08-01", "ETH", "1", "3000"), [2025]),  # in 2025: the 2026 checkpoint is computed again
    (buy("P1", "2024-12-20", "ETH", "1", "2500"), []),  # before 2025: nothing to go on from
], ids=["2026", "2025", "2024"])
def test_a_paste_goes_on_from_the_checkpoints_before_it(pasted: dict[str, str], reused: list[int]) -> None:
    """The table with a row pasted at its end, computed with the table before (`Computed(previous=)`): the
    checkpoints before the pasted row's date are the earlier table's, and every figure is the whole history's."""
    rows = table(TRADES)
    before = Computed(rows, Settings())
    assert before.result == compute(rows, Settings())
    assert sorted(before.checkpoints) == [2025, 2026]  # the last two years of the history
    now = table([*TRADES, pasted])
    after = Computed(now, Settings(), previous=before)
    assert after.result == compute(now, Settings())
    assert [year for year in (2025, 2026) if after.checkpoint(year) is before.checkpoint(year)] == reused
    settings = Settings(method_by_year={2026: Method.HIFO})
    assert after.checkpoint(2026).compute(now, settings) == compute(now, settings)
