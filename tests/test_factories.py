"""Each record's factory (cryptotax_core.model.make_*) builds the record its class builds from the same
fields: every field in its place, the defaults the class's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from cryptotax_core.model import (
    Allocation,
    AssetClass,
    Disposal,
    DisposalKind,
    IncomeEvent,
    Lot,
    LotPick,
    Relief,
    Reporting,
    Term,
    Transaction,
    TxType,
    make_allocation,
    make_disposal,
    make_income,
    make_lot,
    make_transaction,
)

# every field a value of its own, so a field in another's place shows
TRANSACTION = dict(row=7, seq=3, tx_id="T7", when=datetime(2025, 3, 14, 9, 30), tx_type=TxType.TRADE, asset="BTC",
                   quantity=Decimal("0.5"), usd_value=Decimal("30000"), fee_usd=Decimal("12.5"), wallet="Kraken",
                   to_wallet=None, received_asset="ETH", received_quantity=Decimal("9"),
                   lot_ids=(LotPick("B1", Decimal("0.25")),), asset_class=AssetClass.CRYPTO, note="swap",
                   reporting=Reporting.PROCEEDS)
LOT = dict(lot_id="B1", row=2, asset="ETH", wallet="Ledger", acquired=date(2024, 1, 2), quantity=Decimal("3"),
           cost_basis=Decimal("6000"), asset_class=AssetClass.STOCK)
DISPOSAL = dict(row=9, tx_id="S9", kind=DisposalKind.SPEND, asset="SOL", wallet="Phantom", lot_id="B4",
                quantity=Decimal("2"), acquired=date(2023, 5, 6), disposed=date(2025, 7, 8), proceeds=Decimal("300"),
                cost_basis=Decimal("120"), term=Term.LONG, asset_class=AssetClass.CRYPTO, method=Relief.NAMED,
                reporting=Reporting.BASIS)
INCOME = dict(row=4, tx_id="I4", income_type=TxType.STAKING, asset="ADA", wallet="Coinbase",
              received=date(2025, 2, 3), quantity=Decimal("10"), usd_value=Decimal("4.5"))
ALLOCATION = dict(asset="BTC", wallet="Coinbase", lot_id="B2", acquired=date(2022, 8, 9), quantity=Decimal("0.1"),
                  cost_basis=Decimal("2100"))


@pytest.mark.parametrize(("factory", "record", "fields"), [
    (make_transaction, Transaction, TRANSACTION),
    (make_lot, Lot, LOT),
    (make_disposal, Disposal, DISPOSAL),
    (make_disposal, Disposal, DISPOSAL | {"adjustment": Decimal("40"), "adjustment_code": "W"}),
    (make_income, IncomeEvent, INCOME),
    (make_allocation, Allocation, ALLOCATION),
], ids=["transaction", "lot", "disposal", "disposal-adjusted", "income", "allocation"])
def test_factory_builds_the_record(factory: Callable[..., tuple[Any, ...]], record: type[tuple[Any, ...]],
                                   fields: dict[str, object]) -> None:
    made = factory(**fields)
    assert type(made) is record
    assert made == record(**fields)  # type: ignore[call-arg]
    assert made._asdict() == record(**fields)._asdict()  # type: ignore[attr-defined, call-arg]
