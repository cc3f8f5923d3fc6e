"""Income, trades, spends and fees; row order; time zones (docs/rules.md#gain-or-loss-of-one-disposal;
Holding period)."""

from decimal import Decimal

from conftest import buy, gains, run, sell

from cryptotax_core import TxType, summarize


def test_income_is_ordinary_income_and_the_lots_basis() -> None:
    rows = [{"ID": "R", "Date": "2025-03-01", "Type": "Staking", "Asset": "ETH", "Quantity": "0.1",
             "USD Value": "350", "Wallet": "Coinbase"},
            {"ID": "A", "Date": "2025-04-01", "Type": "airdrop", "Asset": "JUP", "Quantity": "100",
             "USD Value": "80", "Wallet": "Phantom"},
            sell("S", "2025-05-01", "ETH", "0.1", "300")]
    result = run(rows)
    assert [(e.tx_id, e.income_type, e.usd_value) for e in result.income] == [
        ("R", TxType.STAKING, 350), ("A", TxType.AIRDROP, 80)]
    assert gains(result) == [("S", "R", Decimal("0.1"), 300, 350, "short")]
    summary = summarize(result)[2025]
    assert summary.ordinary_income == 430
    assert summary.income_by_type == {TxType.STAKING: 350, TxType.AIRDROP: 80}


def test_trade_fee_reduces_proceeds_and_received_asset_has_fmv_basis() -> None:
    rows = [buy("E", "2025-01-01", "ETH", "1", "2000", fee="20"),
            {"ID": "X", "Date": "2025-02-01", "Type": "Trade", "Asset": "ETH", "Quantity": "1", "USD Value": "3000",
             "Fee USD": "10", "Wallet": "Coinbase", "Received Asset": "sol", "Received Quantity": "40"}]
    result = run(rows)
    assert gains(result) == [("X", "E", 1, 2990, 2020, "short")]
    assert [(lot.asset, lot.quantity, lot.cost_basis) for lot in result.lots] == [("SOL", 40, 3000)]


def test_spend_is_a_disposal_at_the_value_of_the_goods() -> None:
    rows = [buy("B", "2025-01-01", "BTC", "0.1", "4000"),
            {"ID": "P", "Date": "2025-02-01", "Type": "Spend", "Asset": "BTC", "Quantity": "0.02", "USD Value": "1000",
             "Wallet": "Coinbase"}]
    assert gains(run(rows)) == [("P", "B", Decimal("0.02"), 1000, 800, "short")]


def test_proceeds_of_a_sale_across_lots_add_up_exactly() -> None:
    rows = [buy("A", "2025-01-01", "BTC", "1", "100"), buy("B", "2025-01-02", "BTC", "2", "100"),
            sell("S", "2025-03-01", "BTC", "3", "100")]
    proceeds = [d.proceeds for d in run(rows).disposals]
    assert sum(proceeds) == 100
    assert proceeds[0].quantize(Decimal("0.000001")) == Decimal("33.333333")


def test_row_order_does_not_matter() -> None:
    rows = [sell("S", "2025-03-01", "BTC", "1", "500"), buy("B", "2025-01-01", "BTC", "1", "100")]
    assert gains(run(rows)) == [("S", "B", 1, 500, 100, "short")]


def test_same_day_rows_keep_table_order() -> None:
    rows = [buy("B1", "2025-01-01", "BTC", "1", "100"), buy("B2", "2025-01-01", "BTC", "1", "200"),
            sell("S", "2025-01-01", "BTC", "1", "500")]
    assert [d.lot_id for d in run(rows).disposals] == ["B1"]


SALE_NEAR_NEW_YEAR = [buy("B", "2024-06-01", "BTC", "1", "100"), sell("S", "2025-01-01T03:00:00Z", "BTC", "1", "500")]


def test_time_zone_decides_the_tax_year_of_a_timestamp() -> None:
    """03:00 UTC on 2025-01-01 is still 2024-12-31 in New York (docs/rules.md#dates-and-the-time-zone)."""
    assert run(SALE_NEAR_NEW_YEAR).disposals[0].tax_year == 2025
    new_york = run(SALE_NEAR_NEW_YEAR, time_zone="America/New_York").disposals[0]
    assert (str(new_york.disposed), new_york.tax_year) == ("2024-12-31", 2024)


def test_timestamps_without_offset_are_already_local() -> None:
    rows = [buy("B", "2024-06-01", "BTC", "1", "100"), sell("S", "2025-01-01T03:00:00", "BTC", "1", "500")]
    assert run(rows, time_zone="America/New_York").disposals[0].tax_year == 2025


def test_mixed_offsets_are_ordered_by_the_instant() -> None:
    """A buy at 23:30 New York time on 12-31 is 04:30 UTC on 01-01, after a sale stamped 01:00 UTC: the
    buy must come first only if it happened first."""
    rows = [buy("B", "2024-12-31T23:30:00-05:00", "BTC", "1", "100"),
            sell("S", "2025-01-01T06:00:00+00:00", "BTC", "1", "500")]
    result = run(rows, time_zone="America/New_York")
    assert [(str(d.acquired), str(d.disposed)) for d in result.disposals] == [("2024-12-31", "2025-01-01")]
