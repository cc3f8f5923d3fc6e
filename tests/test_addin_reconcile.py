"""RECONCILE as Excel calls it: the Transactions table and a broker-form range as lists of cells (floats,
datetimes, None), one spill row per Form 8949 line, a user's mistake as its message in the cell."""

from __future__ import annotations

from datetime import datetime

import pytest

import addin.convert as convert
from addin.functions import RECONCILE
from addin.tax_functions import RECONCILE_HEADER

TABLE = [
    ["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet"],
    ["b1", datetime(2024, 1, 10), "Buy", "BTC", 1.0, 40000.0, 100.0, "Coinbase"],
    # 0.5 BTC: basis 40,100 x 0.5 = 20,050; proceeds 47,000 - 20 = 46,980; long-term (held over a year)
    ["s1", datetime(2025, 3, 1), "Sell", "BTC", 0.5, 47000.0, 20.0, "Coinbase"],
    # the other 0.5: basis 20,050; proceeds 30,000, long-term
    ["s2", datetime(2025, 5, 1), "Sell", "BTC", 0.5, 30000.0, None, "Coinbase"],
]
FORM = [
    ["Asset", "Units", "Date sold", "Proceeds", "Cost basis", "Basis reported"],
    ["BTC", 0.5, datetime(2025, 3, 1), 46980.0, None, None],
    ["BTC", 0.5, datetime(2025, 5, 1), 30100.0, None, None],  # 100.00 more than the history's 30,000
]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    convert.clear_cache()


def test_reconcile_spills_one_row_per_form8949_line() -> None:
    rows = RECONCILE(TABLE, FORM)
    assert rows[0] == RECONCILE_HEADER
    assert [row[:16] for row in rows[1:]] == [
        # s1 agrees: box K (long, on the 1099-DA, basis not reported); gain 46,980 - 20,050 = 26,930
        ["agrees", "BTC", datetime(2025, 3, 1), 0.5, "2", "3", 46980.0, 46980.0, "", 20050.0, "K", 46980.0, 20050.0,
         "", 0.0, 26930.0],
        # s2: (d) the form's 30,100, code O, (g) = (30,000 - 20,050) - (30,100 - 20,050) = -100
        ["proceeds differ", "BTC", datetime(2025, 5, 1), 0.5, "3", "4", 30100.0, 30000.0, "", 20050.0, "K", 30100.0,
         20050.0, "O", -100.0, 9950.0],
    ]
    assert rows[1][16] == ""
    assert rows[2][16].startswith("the form's proceeds are 30,100.00, yours 30,000.00 (+100 on the form)")
    assert RECONCILE(TABLE, FORM, 2025, "Coinbase") == rows


def test_reconcile_errors_are_messages_in_the_cell() -> None:
    bad = [FORM[0], ["BTC", 0.5, "31/12/2025", 1.0, None, None]]
    assert RECONCILE(TABLE, bad) == [["broker_form row 2, column Date sold: '31/12/2025' is not a date: write it as "
                                      "2025-03-03 or 03/03/2025"]]
    assert RECONCILE(TABLE, FORM, 2024) == [["the form has no sale in 2024 (its sales are of 2025)"]]
    assert RECONCILE(TABLE, FORM, None, "Kraken") == [["no disposal in 2025 is in wallet 'Kraken'; the wallets with "
                                                       "disposals that year: Coinbase"]]
