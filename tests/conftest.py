"""Helpers shared by the tests: build a table from short row dicts and compute it."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings

from cryptotax_core import COLUMNS, Result, Settings, compute_table, table

# CI (.ci/run) runs every property test on the same examples, so a red build can be reproduced and is
# never a new random draw; other runs draw new examples each time, which is how they find new cases
settings.register_profile("ci", derandomize=True)
if os.environ.get("CRYPTOTAX_TEST_PROFILE") == "ci":
    settings.load_profile("ci")

TODAY = date(2026, 11, 22)

plain_python_only = pytest.mark.skipif(
    not str(table.__file__).endswith(".py"), reason="patches module internals, which compiled code does not look "
                                                    "up; runs against the sources (`bash tasks.sh test`)")


def rows_to_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Header in template order and rows with blanks where a dict names no value."""
    return list(COLUMNS), [[row.get(column, "") for column in COLUMNS] for row in rows]


def run(rows: list[dict[str, Any]], **settings: Any) -> Result:
    header, cells = rows_to_table(rows)
    return compute_table(header, cells, Settings(**settings), today=TODAY)


def buy(tx_id: str, day: str, asset: str, quantity: str, usd: str, wallet: str = "Coinbase", fee: str = "",
        **extra: Any) -> dict[str, Any]:
    return {"ID": tx_id, "Date": day, "Type": "Buy", "Asset": asset, "Quantity": quantity, "USD Value": usd,
            "Fee USD": fee, "Wallet": wallet, **extra}


def sell(tx_id: str, day: str, asset: str, quantity: str, usd: str, wallet: str = "Coinbase", fee: str = "",
         **extra: Any) -> dict[str, Any]:
    return {"ID": tx_id, "Date": day, "Type": "Sell", "Asset": asset, "Quantity": quantity, "USD Value": usd,
            "Fee USD": fee, "Wallet": wallet, **extra}


def gains(result: Result) -> list[tuple[str, str, Decimal, Decimal, Decimal, str]]:
    """(ID, lot, quantity, proceeds, basis, term) per disposal slice: what most tests compare."""
    return [(d.tx_id, d.lot_id, d.quantity, d.proceeds, d.cost_basis, d.term.value) for d in result.disposals]


@pytest.fixture
def d() -> type[Decimal]:
    return Decimal
