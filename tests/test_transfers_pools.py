"""Transfers between own wallets, per-wallet vs universal pools, and the 2025-01-01 allocation
(docs/rules.md#gain-or-loss-of-one-disposal; Which units are sold)."""

from decimal import Decimal
from typing import Any

import pytest
from conftest import buy, gains, run, sell

from cryptotax_core import InputError, Method, Pooling, Term, TransferFee


def transfer(tx_id: str, day: str, asset: str, quantity: str, source: str, target: str, received: str = "",
             fee: str = "", **extra: Any) -> dict[str, Any]:
    return {"ID": tx_id, "Date": day, "Type": "Transfer", "Asset": asset, "Quantity": quantity, "Wallet": source,
            "To Wallet": target, "Received Quantity": received, "Fee USD": fee, **extra}


def test_transfer_keeps_basis_and_acquisition_date() -> None:
    result = run([buy("B", "2024-01-10", "BTC", "1", "30000"), transfer("T", "2024-06-01", "BTC", "1", "Coinbase",
                                                                        "Ledger"),
                  sell("S", "2025-02-01", "BTC", "1", "50000", wallet="Ledger")])
    [disposal] = result.disposals
    assert (disposal.lot_id, disposal.wallet, str(disposal.acquired), disposal.cost_basis, disposal.term) == (
        "B", "Ledger", "2024-01-10", 30000, Term.LONG)
    assert result.lots == ()


NETWORK_FEE = [buy("B", "2024-01-10", "BTC", "1", "30000"),
               transfer("T", "2024-06-01", "BTC", "1", "Coinbase", "Ledger", received="0.999", fee="40")]


def test_network_fee_units_are_a_disposal_by_default() -> None:
    """0.001 BTC of basis 30 paid as a fee worth 40: a gain of 10 (Treas. Reg. 1.1001-7(b)(1)(ii))."""
    result = run(NETWORK_FEE)
    assert gains(result) == [("T", "B", Decimal("0.001"), 40, 30, "short")]
    [lot] = result.lots
    assert (lot.wallet, lot.quantity, lot.cost_basis, str(lot.acquired)) == ("Ledger", Decimal("0.999"), 29970,
                                                                            "2024-01-10")


def test_network_fee_can_be_added_to_basis() -> None:
    result = run(NETWORK_FEE, transfer_fee=TransferFee.BASIS)
    assert result.disposals == ()
    [lot] = result.lots
    assert (lot.quantity, lot.cost_basis) == (Decimal("0.999"), 30000)


def test_usd_fee_without_lost_units_is_added_to_basis_only_with_the_basis_setting() -> None:
    rows = [buy("B", "2024-01-10", "BTC", "1", "30000"), transfer("T", "2024-06-01", "BTC", "1", "Coinbase",
                                                                  "Ledger", fee="5")]
    assert run(rows, transfer_fee=TransferFee.BASIS).lots[0].cost_basis == 30005
    result = run(rows)
    assert result.lots[0].cost_basis == 30000
    assert [w.column for w in result.warnings] == ["Fee USD"]


def test_fee_units_without_a_usd_value_warn() -> None:
    rows = [buy("B", "2024-01-10", "BTC", "1", "30000"), transfer("T", "2024-06-01", "BTC", "1", "Coinbase",
                                                                  "Ledger", received="0.999")]
    result = run(rows)
    assert gains(result) == [("T", "B", Decimal("0.001"), 0, 30, "short")]
    assert [str(w) for w in result.warnings] == [
        "row 3, column Fee USD: the network fee of 0.001 BTC is a disposal with proceeds 0: enter its USD value "
        "in Fee USD"]


def test_fee_units_costing_under_half_a_cent_do_not_warn() -> None:
    """Proceeds of 0 are right to the cent for fee units that cost under 0.005 USD (0.0001 ETH of a lot
    bought at 40 USD: 0.004); at 0.005 (0.000125 ETH) the warning stays."""
    def history(received: str) -> list[dict[str, Any]]:
        return [buy("B", "2024-01-10", "ETH", "1", "40"),
                transfer("T", "2024-06-01", "ETH", "1", "Coinbase", "Ledger", received=received)]
    result = run(history("0.9999"))
    assert gains(result) == [("T", "B", Decimal("0.0001"), 0, Decimal("0.004"), "short")]
    assert result.warnings == ()
    [warning] = run(history("0.999875")).warnings
    assert (warning.row, warning.column) == (3, "Fee USD")


def test_moved_older_lot_is_first_in_fifo_of_the_new_wallet() -> None:
    rows = [buy("OLD", "2024-01-10", "BTC", "1", "100"), buy("NEW", "2024-03-01", "BTC", "1", "200",
                                                              wallet="Ledger"),
            transfer("T", "2024-04-01", "BTC", "1", "Coinbase", "Ledger"),
            sell("S", "2024-05-01", "BTC", "1", "300", wallet="Ledger")]
    assert [d.lot_id for d in run(rows).disposals] == ["OLD"]


def test_transfer_moves_lots_chosen_by_the_method_or_named() -> None:
    rows = [buy("A", "2024-01-10", "BTC", "1", "100"), buy("B", "2024-02-10", "BTC", "1", "200"),
            transfer("T", "2024-04-01", "BTC", "1", "Coinbase", "Ledger", **{"Lot IDs": "B"})]
    assert [(lot.lot_id, lot.wallet) for lot in run(rows).lots] == [("A", "Coinbase"), ("B", "Ledger")]


# -- pools -------------------------------------------------------------------------------------------------
POOLED_2024 = [buy("CB", "2024-01-10", "BTC", "1", "10000"), buy("KR", "2024-02-10", "BTC", "1", "20000",
                                                                  wallet="Kraken"),
               sell("S24", "2024-03-10", "BTC", "1", "25000", wallet="Kraken")]


def test_per_wallet_pools_sell_the_wallets_own_lot() -> None:
    assert gains(run(POOLED_2024)) == [("S24", "KR", 1, 25000, 20000, "short")]


def test_universal_pool_sells_the_oldest_lot_of_any_wallet_before_2025() -> None:
    result = run(POOLED_2024, pooling=Pooling.UNIVERSAL)
    assert gains(result) == [("S24", "CB", 1, 25000, 10000, "short")]
    # the 2025 allocation gives the remaining lot to the wallet that holds the unit
    assert [(a.wallet, a.lot_id, a.quantity, a.cost_basis) for a in result.allocation] == [
        ("Coinbase", "KR", 1, 20000)]
    assert [(lot.wallet, lot.lot_id) for lot in result.lots] == [("Coinbase", "KR")]


def test_universal_pooling_ends_on_2025_01_01() -> None:
    """From 2025 a wallet can only sell its own units: Kraken holds none after the 2024 sale."""
    rows = [*POOLED_2024, sell("S25", "2025-01-02", "BTC", "0.5", "15000", wallet="Kraken")]
    with pytest.raises(InputError) as error:
        run(rows, pooling=Pooling.UNIVERSAL)
    assert [str(i) for i in error.value.issues] == [
        "row 5, column Quantity: sells 0.5 BTC from 'Kraken' on 2025-01-02 but 0 are held there"]
    ok = run([*POOLED_2024, sell("S25", "2025-01-02", "BTC", "0.5", "15000")], pooling=Pooling.UNIVERSAL)
    assert gains(ok)[-1] == ("S25", "KR", Decimal("0.5"), 15000, 10000, "short")


def test_universal_transfer_disposes_of_fee_units_first_in_order_and_leaves_the_lots_whole() -> None:
    """One pool for all wallets: a transfer of 1.5 BTC with 0.01 lost to the fee (worth 300) disposes
    of the first 0.01 by FIFO (lot A, 1 @ 10000: basis 100, gain 200); the other units keep their place
    in the pool, so a sale of the 1.49 received takes the rest of A (0.99, basis 9900, proceeds
    0.99/1.49 of 44700 = 29700) and then 0.5 of B (1 @ 20000: basis 10000, proceeds 15000)."""
    rows = [buy("A", "2024-01-10", "BTC", "1", "10000"), buy("B", "2024-02-10", "BTC", "1", "20000"),
            transfer("T", "2024-03-01", "BTC", "1.5", "Coinbase", "Ledger", received="1.49", fee="300")]
    result = run([*rows, sell("S", "2024-04-01", "BTC", "1.49", "44700", wallet="Ledger")],
                 pooling=Pooling.UNIVERSAL)
    assert gains(result) == [("T", "A", Decimal("0.01"), 300, 100, "short"),
                             ("S", "A", Decimal("0.99"), 29700, 9900, "short"),
                             ("S", "B", Decimal("0.5"), 15000, 10000, "short")]
    # Coinbase holds the other 0.5 at the end of 2024: the rest of B is allocated to it
    assert [(lot.wallet, lot.lot_id, lot.quantity, lot.cost_basis) for lot in result.lots] == [
        ("Coinbase", "B", Decimal("0.5"), 10000)]
    with pytest.raises(InputError) as error:
        run([*rows, sell("S", "2024-04-01", "BTC", "1.5", "45000", wallet="Ledger")], pooling=Pooling.UNIVERSAL)
    assert [str(i) for i in error.value.issues] == [
        "row 5, column Quantity: sells 1.5 BTC from 'Ledger' on 2024-04-01 but 1.49 are held there"]


def test_allocation_fills_wallets_in_order_of_first_use_oldest_lots_first() -> None:
    """Wallet A (first used) holds 1.5 and B 0.5 at the end of 2024; lots L1 (1 @ 100), L2 (1 @ 300).
    A gets L1 and half of L2; B the other half."""
    rows = [buy("L1", "2024-01-01", "ETH", "1", "100", wallet="A"),
            buy("L2", "2024-02-01", "ETH", "1", "300", wallet="B"),
            transfer("T", "2024-03-01", "ETH", "0.5", "B", "A")]
    result = run(rows, pooling=Pooling.UNIVERSAL)
    assert [(a.wallet, a.lot_id, a.quantity, a.cost_basis) for a in result.allocation] == [
        ("A", "L1", 1, 100), ("A", "L2", Decimal("0.5"), 150), ("B", "L2", Decimal("0.5"), 150)]


def test_insufficient_holdings_name_row_wallet_and_quantities() -> None:
    rows = [buy("B", "2025-01-01", "BTC", "1.2", "100"), sell("S", "2025-03-01", "BTC", "2.5", "500"),
            sell("S2", "2025-04-01", "ETH", "1", "500", wallet="Kraken")]
    with pytest.raises(InputError) as error:
        run(rows)
    assert [str(i) for i in error.value.issues] == [
        "row 3, column Quantity: sells 2.5 BTC from 'Coinbase' on 2025-03-01 but 1.2 are held there",
        "row 4, column Quantity: sells 1 ETH from 'Kraken' on 2025-04-01 but 0 are held there"]


def test_shortfall_setting_uses_a_zero_basis_lot_and_warns() -> None:
    rows = [buy("B", "2025-01-01", "BTC", "1.2", "120"), sell("S", "2025-03-01", "BTC", "2.5", "500")]
    result = run(rows, allow_shortfall=True)
    assert gains(result) == [("S", "B", Decimal("1.2"), 240, 120, "short"),
                             ("S", "shortfall", Decimal("1.3"), 260, 0, "short")]
    assert [w.message for w in result.warnings] == [
        "sells 2.5 BTC from 'Coinbase' on 2025-03-01 but 1.2 are held there; the missing 1.3 have a zero "
        "cost basis"]


def test_records_made_without_their_constructor_have_every_field() -> None:
    """The engine builds records with tuple.__new__ (faster than a named tuple's own __new__), which
    would not notice a field added to a record: each record must have exactly its fields."""
    rows = [buy("B", "2024-01-10", "BTC", "1", "30000"), transfer("T", "2024-06-01", "BTC", "1", "Coinbase",
                                                                  "Ledger", received="0.999", fee="40"),
            {"ID": "I", "Date": "2024-07-01", "Type": "Staking", "Asset": "ETH", "Quantity": "1", "USD Value": "3000",
             "Wallet": "Kraken"},
            sell("S", "2025-02-01", "BTC", "0.5", "50000", wallet="Ledger")]
    result = run(rows, pooling=Pooling.UNIVERSAL)
    records = [*result.disposals, *result.lots, *result.income, *result.allocation]
    assert {type(record).__name__ for record in records} == {"Disposal", "Lot", "IncomeEvent", "Allocation"}
    assert all(len(record) == len(type(record)._fields) for record in records)


# A lot of 3 units for 2 USD: unit cost 0.666... (to 30 places, truncated: 0.666666666666666666666666666666);
# one unit moved to Ledger takes 0.666666666666666666666666666667 of the basis (its share, rounded), and
# Ledger's own lot B costs exactly that a unit.
THIRDS = [buy("A", "2025-01-01", "X", "3", "2"),
          buy("B", "2025-02-01", "X", "1", "0.666666666666666666666666666667", wallet="Ledger")]


def test_moved_units_rank_by_their_lot_s_unit_cost() -> None:
    """HIFO in Ledger ranks the moved unit by lot A's unit cost, below B's by 10^-30: B is sold first
    (ranked by its own rounded share, the moved unit would tie with B and go first as the older lot)."""
    rows = [*THIRDS, transfer("T", "2025-03-01", "X", "1", "Coinbase", "Ledger"),
            sell("S", "2025-06-01", "X", "1", "5", wallet="Ledger")]
    assert [d.lot_id for d in run(rows, method=Method.HIFO).disposals] == ["B"]


def test_units_moved_with_a_fee_added_to_their_basis_rank_by_their_own_cost() -> None:
    """With the transfer-fee setting 'basis' the moved unit carries the 1 USD fee too: 1.67 USD a unit,
    the dearest in Ledger, so HIFO sells it first."""
    rows = [*THIRDS, transfer("T", "2025-03-01", "X", "1", "Coinbase", "Ledger", fee="1"),
            sell("S", "2025-06-01", "X", "1", "5", wallet="Ledger")]
    result = run(rows, method=Method.HIFO, transfer_fee=TransferFee.BASIS)
    assert [(d.lot_id, d.cost_basis) for d in result.disposals] == [("A", Decimal("1.666666666666666666666666666667"))]
