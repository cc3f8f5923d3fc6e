"""The rules of each transaction type (schema.type_problems), which the careful path reports and the fast
path checks before it accepts a row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cryptotax_core.model import LotPick, TxType
from cryptotax_core.schema import TypeProblem, type_problems

ROW: dict[str, Any] = dict(asset="BTC", quantity=Decimal("2"), usd_value=Decimal("100"), fee_usd=Decimal(0),
                           wallet="Kraken", to_wallet=None, received_asset=None, received_quantity=None, lot_ids=())


@pytest.mark.parametrize(("tx_type", "changes", "expected"), [
    (TxType.SELL, {}, []),
    (TxType.TRANSFER, {"usd_value": None, "to_wallet": "Ledger", "received_quantity": Decimal("1.9")}, []),
    (TxType.TRANSFER, {"usd_value": None, "to_wallet": "Kraken"},
     [TypeProblem("To Wallet", "a Transfer from 'Kraken' to itself: To Wallet must be another wallet")]),
    (TxType.TRANSFER, {"to_wallet": "Ledger", "received_quantity": Decimal("3")},
     [TypeProblem("Received Quantity", "3 arrive but only 2 leave; Received Quantity must not exceed Quantity"),
      TypeProblem("USD Value", "ignored on a Transfer; put the value of a network fee in Fee USD", True)]),
    (TxType.TRADE, {"received_asset": "BTC"},
     [TypeProblem("Received Asset", "a Trade of BTC for BTC: Received Asset must differ"),
      TypeProblem("Received Quantity", "a Trade needs the units received in Received Quantity")]),
    (TxType.INCOME, {"usd_value": None, "fee_usd": Decimal("1"), "lot_ids": (LotPick("B1", None),)},
     [TypeProblem("USD Value", "an Income needs its USD value (fair market value received)"),
      TypeProblem("Lot IDs", "an Income disposes of nothing; Lot IDs belong on Sell, Trade, Spend or Transfer rows"),
      TypeProblem("Fee USD", "a fee on an Income row is not used: the lot's basis is the fair market value", True)]),
    (TxType.SELL, {"lot_ids": (LotPick("B1", Decimal("1.5")), LotPick("B2", Decimal("1")), LotPick("B3", None))},
     [TypeProblem("Lot IDs", "the lots name 2.5 units but the row disposes of 2")]),
    (TxType.BUY, {"to_wallet": "Ledger", "received_quantity": Decimal("1")},
     [TypeProblem("To Wallet", "only a Transfer has a To Wallet; clear it or change the Type"),
      TypeProblem("Received Quantity", "only a Trade or Transfer receives another asset; clear it or change the "
                                       "Type")]),
], ids=["sell", "transfer", "transfer-to-itself", "transfer-more-arrive", "trade-for-itself", "income",
        "lots-over-quantity", "buy-with-transfer-columns"])
def test_type_rules(tx_type: TxType, changes: dict[str, Any], expected: list[TypeProblem]) -> None:
    assert type_problems(tx_type, **(ROW | changes)) == expected
