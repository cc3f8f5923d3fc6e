"""Bad input: every problem of a table at once, each naming its row and column."""

from datetime import datetime
from typing import Any

import pytest
from conftest import TODAY, buy, run, sell

from cryptotax_core import InputError, compute_table


def problems(rows: list[dict[str, Any]], **settings: Any) -> list[str]:
    with pytest.raises(InputError) as error:
        run(rows, **settings)
    return [str(issue) for issue in error.value.issues]


@pytest.mark.parametrize(("row", "message"), [
    ({"Type": "Swap"}, "row 2, column Type: unknown type 'Swap': write one of Buy, Sell, Trade, Spend, Transfer, "
                       "Income, Staking, Mining, Airdrop, Interest"),
    ({"Date": ""}, "row 2, column Date: the date is missing: write it as YYYY-MM-DD (e.g. 2025-03-14)"),
    ({"Date": "2025-02-30"}, "row 2, column Date: '2025-02-30' is not a date: February 2025 has 28 days, not 30"),
    ({"Date": "2024-02-30"}, "row 2, column Date: '2024-02-30' is not a date: February 2024 has 29 days, not 30"),
    ({"Date": "2025-13-02"}, "row 2, column Date: '2025-13-02' is not a date: there is no month 13 (write "
                             "YYYY-MM-DD, the month second)"),
    ({"Type": "Sel"}, "row 2, column Type: unknown type 'Sel': did you mean Sell? (write one of Buy, Sell, Trade, "
                      "Spend, Transfer, Income, Staking, Mining, Airdrop, Interest)"),
    ({"Quantity": "0,5"}, "row 2, column Quantity: expected a number, found '0,5': write the decimal point as '.' "
                          "(0.5); a comma may only group thousands (1,234.5)"),
    ({"Quantity": "1.234,5"}, "row 2, column Quantity: expected a number, found '1.234,5': write the decimal point "
                              "as '.' (1234.5); a comma may only group thousands (1,234.5)"),
    ({"Date": "2027-01-01"}, "row 2, column Date: 2027-01-01 is in the future; check the year"),
    ({"Quantity": "-1"}, "row 2, column Quantity: -1 is not allowed: the quantity must be greater than 0"),
    ({"Quantity": "0"}, "row 2, column Quantity: 0 is not allowed: the quantity must be greater than 0"),
    ({"Quantity": "two"}, "row 2, column Quantity: expected a number, found 'two'"),
    ({"Quantity": float("nan")}, "row 2, column Quantity: expected a number, found nan"),
    ({"Quantity": "#N/A"}, "row 2, column Quantity: the cell shows the Excel error #N/A: fix the formula or "
                           "type a value"),
    ({"USD Value": ""}, "row 2, column USD Value: a Buy needs its USD value (USD paid)"),
    ({"USD Value": "-5"}, "row 2, column USD Value: -5 is negative: write the amount without a sign"),
    ({"Wallet": ""}, "row 2, column Wallet: the wallet is missing: name the exchange or wallet that holds the "
                     "units"),
    ({"Asset": ""}, "row 2, column Asset: the asset is missing: write its ticker, e.g. BTC"),
    ({"Class": "Bond"}, "row 2, column Class: unknown class 'Bond': write Crypto or Stock"),
    ({"To Wallet": "Ledger"}, "row 2, column To Wallet: only a Transfer has a To Wallet; clear it or change the "
                              "Type"),
], ids=["type", "no-date", "bad-date", "leap-day", "month-13", "near-type", "decimal-comma", "decimal-comma-dots",
        "future", "negative", "zero", "text", "nan", "excel-error", "no-value",
        "negative-value", "no-wallet", "no-asset", "class", "to-wallet"])
def test_bad_cell(row: dict[str, Any], message: str) -> None:
    assert problems([buy("B", "2025-01-01", "BTC", "1", "100") | row]) == [message]


def test_trade_needs_what_is_received() -> None:
    trade = {"ID": "X", "Date": "2025-02-01", "Type": "Trade", "Asset": "ETH", "Quantity": "1", "USD Value": "3000",
             "Wallet": "Coinbase"}
    assert problems([trade]) == [
        "row 2, column Received Asset: a Trade needs the asset received in Received Asset",
        "row 2, column Received Quantity: a Trade needs the units received in Received Quantity"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"To Wallet": ""}, "row 3, column To Wallet: a Transfer needs the destination wallet in To Wallet"),
    ({"To Wallet": "coinbase"}, "row 3, column To Wallet: a Transfer from 'Coinbase' to itself: To Wallet must be "
                                "another wallet"),
    ({"Received Quantity": "1.5"}, "row 3, column Received Quantity: 1.5 arrive but only 1 leave; Received Quantity "
                                   "must not exceed Quantity"),
], ids=["no-destination", "same-wallet", "more-received"])
def test_transfer_rules(extra: dict[str, str], message: str) -> None:
    transfer = {"ID": "T", "Date": "2025-02-01", "Type": "Transfer", "Asset": "BTC", "Quantity": "1",
                "Wallet": "Coinbase", "To Wallet": "Ledger"} | extra
    assert problems([buy("B", "2025-01-01", "BTC", "1", "100"), transfer]) == [message]


def test_every_problem_is_reported_at_once_in_row_order() -> None:
    rows = [buy("B", "2025-01-01", "BTC", "1", "100"), buy("B", "2025-01-02", "BTC", "x", "100"),
            sell("S", "2025-03-01", "DOGE", "1", "100", Type="Sel")]
    assert problems(rows) == [
        "row 3, column Quantity: expected a number, found 'x'",
        "row 3, column ID: the ID 'B' is already used on row 2; IDs must be unique",
        "row 4, column Type: unknown type 'Sel': did you mean Sell? (write one of Buy, Sell, Trade, Spend, Transfer, "
        "Income, Staking, Mining, Airdrop, Interest)"]


def test_header_must_name_the_required_columns() -> None:
    with pytest.raises(InputError) as error:
        compute_table(["Date", "Kind", "Asset"], [["2025-01-01", "Buy", "BTC"]], today=TODAY)
    assert [str(i) for i in error.value.issues] == [
        "row 1: the header lacks the column(s) Type, Quantity; found: Date, Kind, Asset"]


def test_cells_as_excel_sends_them() -> None:
    """Header in any order and case, dates as datetime or serial numbers, numbers as floats, empty cells as
    None, "" or 0, trailing empty rows ignored."""
    header = ["wallet", "QUANTITY", "usd value", "type", "asset", "date", "fee usd", "id"]
    rows = [["Coinbase", 0.1, 2500.1, "buy", "btc", datetime(2025, 1, 2), None, "B"],
            ["Coinbase", 0.1, 3000.0, "Sell", "BTC", 45721.0, 0, 0],    # serial 45721 = 2025-03-05
            [None, None, None, None, None, None, None, None], ["", "", "", "", "", "", "", ""]]
    result = compute_table(header, rows, today=TODAY)
    [disposal] = result.disposals
    assert (str(disposal.disposed), disposal.tx_id, disposal.lot_id) == ("2025-03-05", "row 3", "B")
    assert (str(disposal.quantity), str(disposal.proceeds), str(disposal.cost_basis)) == ("0.1", "3000.0", "2500.1")
    assert result.warnings == ()


def test_empty_rows_in_the_middle_are_skipped_with_a_warning() -> None:
    rows = [buy("B", "2025-01-01", "BTC", "1", "100"), {}, sell("S", "2025-03-01", "BTC", "1", "200")]
    result = run(rows)
    assert [str(w) for w in result.warnings] == ["row 3: empty row skipped"]
    assert len(result.disposals) == 1


def test_eighteen_decimal_quantities_stay_exact() -> None:
    rows = [buy("B", "2025-01-01", "ETH", "1.000000000000000001", "3000"),
            sell("S", "2025-03-01", "ETH", "0.000000000000000001", "1")]
    result = run(rows)
    assert str(result.lots[0].quantity) == "1.000000000000000000"
