"""The worked examples of docs/rules.md (from the articles the product started from), with their numbers."""

from decimal import Decimal

from conftest import buy, run, sell

from cryptotax_core import Method, Term


def test_half_btc_with_fees_gains_19900() -> None:
    """Seed 002: buy 0.5 BTC for 25,000 + 50 fee, sell for 45,000 - 50 fee: gain 19,900."""
    result = run([buy("B", "2025-01-15", "BTC", "0.5", "25000", fee="50"),
                  sell("S", "2026-01-16", "BTC", "0.5", "45000", fee="50")])
    [disposal] = result.disposals
    assert disposal.cost_basis == Decimal("25050")
    assert disposal.proceeds == Decimal("44950")
    assert disposal.gain == Decimal("19900")
    assert disposal.term is Term.LONG  # bought 2025-01-15: long-term from 2026-01-16


def test_eth_to_sol_swap() -> None:
    """Seed 002: 10 ETH bought for 20,000 traded for 400 SOL worth 35,000: gain 15,000, SOL basis 35,000."""
    result = run([
        buy("E", "2025-02-01", "ETH", "10", "20000"),
        {"ID": "X", "Date": "2025-08-01", "Type": "Trade", "Asset": "ETH", "Quantity": "10", "USD Value": "35000",
         "Wallet": "Coinbase", "Received Asset": "SOL", "Received Quantity": "400"},
    ])
    [disposal] = result.disposals
    assert (disposal.proceeds, disposal.cost_basis, disposal.gain) == (35000, 20000, 15000)
    [sol] = result.lots
    assert (sol.asset, sol.quantity, sol.cost_basis, sol.lot_id) == ("SOL", 400, 35000, "X")
    assert str(sol.acquired) == "2025-08-01"


THREE_LOTS = [
    buy("JAN", "2025-01-10", "BTC", "1", "40000"),
    buy("JUN", "2025-06-10", "BTC", "1", "60000"),
    buy("DEC", "2025-12-10", "BTC", "1", "80000"),
]


def test_three_lots_fifo_sells_january_long_term() -> None:
    """Seed 002: selling 1 BTC for 90,000 under FIFO uses the January lot: 50,000 long-term."""
    result = run([*THREE_LOTS, sell("S", "2026-03-02", "BTC", "1", "90000")], method=Method.FIFO)
    [disposal] = result.disposals
    assert (disposal.lot_id, disposal.gain, disposal.term) == ("JAN", 50000, Term.LONG)


def test_three_lots_specific_id_sells_december_short_term() -> None:
    """Seed 002: identifying the December lot instead gives 10,000 short-term."""
    result = run([*THREE_LOTS, sell("S", "2026-03-02", "BTC", "1", "90000", **{"Lot IDs": "DEC"})])
    [disposal] = result.disposals
    assert (disposal.lot_id, disposal.gain, disposal.term, disposal.method) == ("DEC", 10000, Term.SHORT,
                                                                                "specific")
    assert {lot.lot_id for lot in result.lots} == {"JAN", "JUN"}
