"""The catalogue of bad input: one table of cases, each a small transaction table and what must be said
about it (row, column, what to fix), run four ways: the core (`compute_table`), the add-in's `CHECK` (the
2-D list Excel passes), `cryptotax report FILE.csv` and `cryptotax check FILE.csv`.

A case with no errors is input that looks suspicious but is right (empty rows, Unicode, 18 decimals,
offsets around New Year): it must compute, with exactly the warnings listed. A comment above a case
says what the core did with it before the catalogue (a traceback, a wrong date or number).
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, buy, rows_to_table, sell

import addin.convert as convert
from addin.functions import CHECK
from cryptotax_cli.main import main
from cryptotax_core import InputError, Result, compute_table

TYPES = "write one of Buy, Sell, Trade, Spend, Transfer, Income, Staking, Mining, Airdrop, Interest"
ISO = "write it as YYYY-MM-DD (e.g. 2025-03-14)"
EXCEL_ERROR = "the cell shows the Excel error {}: fix the formula or type a value"
USD_LIMIT = "is above 1,000,000,000,000,000 USD, the largest amount accepted: check the number"
UNITS_LIMIT = "is above 1,000,000,000,000,000,000,000,000 units, the largest quantity accepted: check the number"
BUY = buy("B1", "2025-01-05", "BTC", "1", "40000")


def row(tx_id: str, day: str, tx_type: str, asset: str, quantity: Any, usd: Any = "", wallet: str = "Coinbase",
        **extra: Any) -> dict[str, Any]:
    """A row of any type; `extra` names further columns with _ for spaces (To_Wallet="Ledger")."""
    cells = {"ID": tx_id, "Date": day, "Type": tx_type, "Asset": asset, "Quantity": quantity, "USD Value": usd,
             "Wallet": wallet}
    return cells | {name.replace("_", " "): value for name, value in extra.items()}


def transfer(tx_id: str, day: str, asset: str, quantity: str, to_wallet: str, **extra: Any) -> dict[str, Any]:
    return row(tx_id, day, "Transfer", asset, quantity, To_Wallet=to_wallet, **extra)


def trade(tx_id: str, day: str, asset: str, quantity: str, usd: str, **extra: Any) -> dict[str, Any]:
    return row(tx_id, day, "Trade", asset, quantity, usd, **extra)


@dataclass(frozen=True)
class Case:
    id: str
    rows: list[dict[str, Any]]  # under the template's header (COLUMNS), unless `table` is given
    errors: list[str]  # str(Issue) of every error, in order; none: the table computes
    warnings: list[str] = field(default_factory=list)  # of a table that computes
    table: tuple[list[Any], list[list[Any]]] | None = None  # header and rows as they are, for header cases
    csv_errors: list[str] | None = None  # where a file holds a cell as text (a float NaN is written 'nan')
    result: Callable[[Result], None] | None = None  # further facts of a table that computes (core)
    report: Callable[[dict[str, Any]], None] | None = None  # further facts of the JSON report (CLI)

    def header_and_rows(self) -> tuple[list[Any], list[list[Any]]]:
        return self.table if self.table is not None else rows_to_table(self.rows)


# -- checks of the tables that compute ---------------------------------------------------------------------
def eighteen_decimals(result: Result) -> None:
    """1.000000000000000001 ETH bought for 1,000.01 and sold in three parts: every unit and cent of basis is
    accounted for exactly (0.333333333333333333 + 0.333333333333333334 x 2 = 1.000000000000000001)."""
    quantities = [d.quantity for d in result.disposals]
    assert quantities == [Decimal("0.333333333333333333"), Decimal("0.333333333333333334"),
                          Decimal("0.333333333333333334")]
    assert sum(quantities) == Decimal("1.000000000000000001")
    assert sum(d.cost_basis for d in result.disposals) == Decimal("1000.01")
    assert sum(d.proceeds for d in result.disposals) == Decimal("1200.01")  # 400 + 400 + 400.01
    assert result.lots == ()


def eighteen_decimals_report(document: dict[str, Any]) -> None:
    assert [d["quantity"] for d in document["disposals"]] == [
        "0.333333333333333333", "0.333333333333333334", "0.333333333333333334"]
    # each line's basis rounded to cents: 1000.01 x 0.333333333333333333 / 1.000000000000000001 = 333.336..
    assert [d["cost_basis"] for d in document["disposals"]] == ["333.34", "333.34", "333.34"]
    assert document["lots"] == []


def largest_accepted(result: Result) -> None:
    [lot] = result.lots
    assert lot.quantity == Decimal("999999999999999999999999.999999999999999999")
    assert lot.cost_basis == Decimal("1000000000000000")


def new_year_dates(result: Result) -> None:
    """UTC (the default zone): 2024-12-31T20:00-05:00 is 2025-01-01 01:00 and 2025-01-01T01:00+02:00 is
    2024-12-31 23:00; the second sale comes first and falls in 2024."""
    assert [(d.tx_id, d.disposed, d.tax_year) for d in result.disposals] == [
        ("S2", date(2024, 12, 31), 2024), ("S1", date(2025, 1, 1), 2025)]


def new_year_report(document: dict[str, Any]) -> None:
    assert document["tax_year"] == 2025
    assert [(d["id"], d["disposed"]) for d in document["disposals"]] == [("S1", "2025-01-01")]


def unicode_names(result: Result) -> None:
    [disposal] = result.disposals
    assert (disposal.asset, disposal.wallet, disposal.lot_id) == ("ÉTH", "Geldbörse 💰", "käufe-1")


def unicode_report(document: dict[str, Any]) -> None:
    [disposal] = document["disposals"]
    assert (disposal["asset"], disposal["wallet"], disposal["lot"]) == ("ÉTH", "Geldbörse 💰", "käufe-1")


def long_names(result: Result) -> None:
    [lot] = result.lots
    assert (lot.lot_id, lot.asset, lot.wallet) == ("B" * 1000, "X" * 300, "W" * 2000)


def one_sale_of_btc(result: Result) -> None:
    [disposal] = result.disposals
    assert (disposal.asset, disposal.quantity, disposal.cost_basis) == ("BTC", Decimal("1"), Decimal("40000"))


NFC, NFD = unicodedata.normalize("NFC", "Börse"), unicodedata.normalize("NFD", "Börse")

# -- the catalogue ---------------------------------------------------------------------------------------
CASES = [
    # dates
    Case("date-unparseable", [buy("B1", "yesterday", "BTC", "1", "40000")],
         [f"row 2, column Date: 'yesterday' is not a date: {ISO}"]),
    Case("date-impossible-day", [buy("B1", "2025-02-29", "BTC", "1", "40000")],
         ["row 2, column Date: '2025-02-29' is not a date: February 2025 has 28 days, not 29"]),
    Case("date-month-13", [buy("B1", "2025-13-01", "BTC", "1", "40000")],
         ["row 2, column Date: '2025-13-01' is not a date: there is no month 13 (write YYYY-MM-DD, the month second)"]),
    Case("date-missing", [buy("B1", "", "BTC", "1", "40000")],
         [f"row 2, column Date: the date is missing: {ISO}"]),
    Case("date-in-the-future", [buy("B1", "2099-01-05", "BTC", "1", "40000")],
         ["row 2, column Date: 2099-01-05 is in the future; check the year"]),
    Case("date-serial-out-of-range", [buy("B1", "3000000", "BTC", "1", "40000")],
         [f"row 2, column Date: 3000000 is not a date: {ISO}"]),
    Case("date-excel-error", [buy("B1", "#N/A", "BTC", "1", "40000")],
         ["row 2, column Date: " + EXCEL_ERROR.format("#N/A")]),
    # '.' looks like the start of a number but is none: a date message, never a decimal.InvalidOperation
    Case("date-just-a-point", [buy("B1", ".", "BTC", "1", "40000")],
         [f"row 2, column Date: '.' is not a date: {ISO}"]),
    # datetime raises ValueError for an offset beyond a day: it must become a message naming the row and column
    Case("date-offset-beyond-a-day", [buy("B1", "2025-01-05T10:00:00+25:00", "BTC", "1", "40000")],
         [f"row 2, column Date: '2025-01-05T10:00:00+25:00' is not a date: {ISO}"]),
    # dateutil alone fills a missing year, month or day from today (3/14 -> 2026-03-14): refused instead
    Case("date-without-year", [buy("B1", "3/14", "BTC", "1", "40000")],
         [f"row 2, column Date: '3/14' is not a full date (year, month and day): {ISO}"]),
    # dateutil alone reads it as 2025-12-22 (the day taken from today's date)
    Case("date-month-and-year", [buy("B1", "12/2025", "BTC", "1", "40000")],
         [f"row 2, column Date: '12/2025' is not a full date (year, month and day): {ISO}"]),
    # as a number it would be Excel serial 2025 = 1905-07-17
    Case("date-year-only", [buy("B1", "2025", "BTC", "1", "40000")],
         ["row 2, column Date: 2025 looks like a year, not a date: write the full date as YYYY-MM-DD "
          "(e.g. 2025-03-14)"]),
    # day first: read as March 14, while 03/04/2025 on the next row of the same table would be March 4
    Case("date-day-first", [buy("B1", "14/03/2025", "BTC", "1", "40000")],
         [f"row 2, column Date: '14/03/2025' is not month/day/year: {ISO}"]),
    # dotted dates are usually day.month.year (3 April), where month first would give March 4
    Case("date-dotted", [buy("B1", "03.04.2025", "BTC", "1", "40000")],
         [f"row 2, column Date: '03.04.2025' may be day.month.year or month.day.year: {ISO}"]),
    # a typing mistake that would give a lot held for 2,000 years
    Case("date-before-1900", [buy("B1", "0025-01-05", "BTC", "1", "40000")],
         ["row 2, column Date: 0025-01-05 is before 1900; check the year"]),
    # numbers
    Case("quantity-negative", [buy("B1", "2025-01-05", "BTC", "-1", "40000")],
         ["row 2, column Quantity: -1 is not allowed: the quantity must be greater than 0"]),
    Case("quantity-zero", [buy("B1", "2025-01-05", "BTC", "0", "40000")],
         ["row 2, column Quantity: 0 is not allowed: the quantity must be greater than 0"]),
    Case("quantity-missing", [buy("B1", "2025-01-05", "BTC", "", "40000")],
         ["row 2, column Quantity: the quantity is missing: write the number of units, e.g. 0.5"]),
    Case("quantity-text", [buy("B1", "2025-01-05", "BTC", "two", "40000")],
         ["row 2, column Quantity: expected a number, found 'two'"]),
    Case("quantity-nan-text", [buy("B1", "2025-01-05", "BTC", "NaN", "40000")],
         ["row 2, column Quantity: expected a number, found 'NaN'"]),
    Case("quantity-nan-float", [buy("B1", "2025-01-05", "BTC", float("nan"), "40000")],
         ["row 2, column Quantity: expected a number, found nan"],
         csv_errors=["row 2, column Quantity: expected a number, found 'nan'"]),
    Case("quantity-infinity-text", [buy("B1", "2025-01-05", "BTC", "Infinity", "40000")],
         ["row 2, column Quantity: expected a number, found 'Infinity'"]),
    Case("quantity-infinity-float", [buy("B1", "2025-01-05", "BTC", float("inf"), "40000")],
         ["row 2, column Quantity: expected a number, found inf"],
         csv_errors=["row 2, column Quantity: expected a number, found 'inf'"]),
    Case("quantity-decimal-comma", [buy("B1", "2025-01-05", "BTC", "0,5", "40000")],
         ["row 2, column Quantity: expected a number, found '0,5': write the decimal point as '.' (0.5); a comma may "
          "only group thousands (1,234.5)"]),
    Case("quantity-excel-error", [buy("B1", "2025-01-05", "BTC", "#VALUE!", "40000")],
         ["row 2, column Quantity: " + EXCEL_ERROR.format("#VALUE!")]),
    # the limits: 10^24 units, 10^15 USD (the number as typed in the message)
    Case("quantity-above-10^24", [buy("B1", "2025-01-05", "BTC", "2000000000000000000000000", "40000")],
         [f"row 2, column Quantity: 2000000000000000000000000 {UNITS_LIMIT}"]),
    # the engine's 60 digits cannot hold it
    Case("quantity-exponent-huge", [buy("B1", "2025-01-05", "BTC", "1e400", "40000")],
         [f"row 2, column Quantity: 1e400 {UNITS_LIMIT}"]),
    # next to large holdings the 60-digit context would drop it: buying 10^23 and 1E-40 BTC and selling the
    # sum exactly would be refused as a shortfall 'but 100000000000000000000000 are held'
    Case("quantity-too-many-decimals", [buy("B1", "2025-01-05", "BTC", "1E-40", "40000")],
         ["row 2, column Quantity: 1E-40 has more than 30 decimals, the most a quantity may have: round it"]),
    Case("usd-above-10^15", [buy("B1", "2025-01-05", "BTC", "1", "2000000000000000")],
         [f"row 2, column USD Value: 2000000000000000 {USD_LIMIT}"]),
    Case("fee-above-10^15", [buy("B1", "2025-01-05", "BTC", "1", "40000", fee="5000000000000000")],
         [f"row 2, column Fee USD: 5000000000000000 {USD_LIMIT}"]),
    Case("usd-negative", [buy("B1", "2025-01-05", "BTC", "1", "-5")],
         ["row 2, column USD Value: -5 is negative: write the amount without a sign"]),
    Case("fee-negative", [buy("B1", "2025-01-05", "BTC", "1", "40000", fee="-1.50")],
         ["row 2, column Fee USD: -1.50 is negative: write the amount without a sign"]),
    Case("usd-excel-error", [buy("B1", "2025-01-05", "BTC", "1", "#DIV/0!")],
         ["row 2, column USD Value: " + EXCEL_ERROR.format("#DIV/0!")]),
    Case("usd-missing-on-a-sell", [BUY, sell("S1", "2025-02-01", "BTC", "1", "")],
         ["row 3, column USD Value: a Sell needs its USD value (USD received)"]),
    Case("largest-amounts-accepted",
         [buy("B1", "2025-01-05", "BTC", "999999999999999999999999.999999999999999999", "1000000000000000")], [],
         result=largest_accepted),
    Case("eighteen-decimals-stay-exact",
         [buy("E1", "2025-01-05", "ETH", "1.000000000000000001", "1000.01"),
          sell("S1", "2025-02-01", "ETH", "0.333333333333333333", "400"),
          sell("S2", "2025-02-02", "ETH", "0.333333333333333334", "400"),
          sell("S3", "2025-02-03", "ETH", "0.333333333333333334", "400.01")], [],
         result=eighteen_decimals, report=eighteen_decimals_report),
    # types and required columns
    Case("type-unknown", [buy("B1", "2025-01-05", "BTC", "1", "40000", Type="Swap")],
         [f"row 2, column Type: unknown type 'Swap': {TYPES}"]),
    Case("type-missing", [buy("B1", "2025-01-05", "BTC", "1", "40000", Type="")],
         [f"row 2, column Type: the type is missing: {TYPES}"]),
    Case("type-excel-error", [buy("B1", "2025-01-05", "BTC", "1", "40000", Type="#NAME?")],
         ["row 2, column Type: " + EXCEL_ERROR.format("#NAME?")]),
    Case("asset-missing", [buy("B1", "2025-01-05", "", "1", "40000")],
         ["row 2, column Asset: the asset is missing: write its ticker, e.g. BTC"]),
    Case("wallet-missing", [buy("B1", "2025-01-05", "BTC", "1", "40000", wallet="")],
         ["row 2, column Wallet: the wallet is missing: name the exchange or wallet that holds the units"]),
    Case("header-lacks-columns", [], ["row 1: the header lacks the column(s) Type, Quantity; found: Date, Kind, "
                                      "Asset, Amount"],
         table=(["Date", "Kind", "Asset", "Amount"], [["2025-01-05", "Buy", "BTC", "1"]])),
    Case("header-only", [], [], ["table: the table has no transactions"]),
    # a header cell showing an Excel error names no column of ours: an unknown column, ignored (and no
    # CellError from match_header; tests/test_fuzz.py feeds such headers)
    Case("header-cell-with-an-excel-error", [], [], result=one_sale_of_btc,
         table=(["Date", "Type", "Asset", "Quantity", "USD Value", "#REF!"],
                [["2025-01-05", "Buy", "BTC", "1", "40000", "x"], ["2025-02-01", "Sell", "BTC", "1", "41000", "y"]])),
    Case("class-unknown", [buy("B1", "2025-01-05", "BTC", "1", "40000", Class="Bond")],
         ["row 2, column Class: unknown class 'Bond': write Crypto or Stock"]),
    Case("class-conflict", [BUY, buy("B2", "2025-01-06", "BTC", "1", "40000", Class="Stock")],
         ["row 3, column Class: BTC is Crypto on row 2 but Stock here; one asset has one class"]),
    Case("broker-reported-unknown", [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Broker Reported": "Yes"})],
         ["row 3, column Broker Reported: unknown value 'Yes': write None (not on a 1099), Proceeds (basis not "
          "reported) or Basis (proceeds and basis reported)"]),
    Case("to-wallet-on-a-buy", [buy("B1", "2025-01-05", "BTC", "1", "40000", **{"To Wallet": "Ledger"})],
         ["row 2, column To Wallet: only a Transfer has a To Wallet; clear it or change the Type"]),
    Case("received-on-a-sell", [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Received Asset": "ETH"})],
         ["row 3, column Received Asset: only a Trade or Transfer receives another asset; clear it or change the "
          "Type"]),
    Case("lot-ids-on-a-buy", [BUY, buy("B2", "2025-01-06", "BTC", "1", "40000", **{"Lot IDs": "B1"})],
         ["row 3, column Lot IDs: a Buy disposes of nothing; Lot IDs belong on Sell, Trade, Spend or Transfer "
          "rows"]),
    # trades
    Case("trade-without-received-asset",
         [BUY, trade("T1", "2025-02-01", "BTC", "1", "41000", Received_Quantity="12")],
         ["row 3, column Received Asset: a Trade needs the asset received in Received Asset"]),
    Case("trade-without-received-quantity",
         [BUY, trade("T1", "2025-02-01", "BTC", "1", "41000", Received_Asset="ETH")],
         ["row 3, column Received Quantity: a Trade needs the units received in Received Quantity"]),
    Case("trade-for-the-same-asset",
         [BUY, trade("T1", "2025-02-01", "BTC", "1", "41000", Received_Asset="btc", Received_Quantity="1")],
         ["row 3, column Received Asset: a Trade of BTC for BTC: Received Asset must differ"]),
    # transfers
    Case("transfer-without-to-wallet", [BUY, transfer("T1", "2025-02-01", "BTC", "1", "")],
         ["row 3, column To Wallet: a Transfer needs the destination wallet in To Wallet"]),
    Case("transfer-to-the-same-wallet", [BUY, transfer("T1", "2025-02-01", "BTC", "1", "coinbase")],
         ["row 3, column To Wallet: a Transfer from 'Coinbase' to itself: To Wallet must be another wallet"]),
    Case("transfer-receives-more-than-sent",
         [BUY, transfer("T1", "2025-02-01", "BTC", "1", "Ledger", Received_Quantity="1.5")],
         ["row 3, column Received Quantity: 1.5 arrive but only 1 leave; Received Quantity must not exceed "
          "Quantity"]),
    Case("transfer-receives-another-asset",
         [BUY, transfer("T1", "2025-02-01", "BTC", "1", "Ledger", Received_Asset="ETH")],
         ["row 3, column Received Asset: a Transfer moves BTC; Received Asset must be blank or BTC"]),
    Case("transfer-more-than-held", [BUY, transfer("T1", "2025-02-01", "BTC", "2", "Ledger")],
         ["row 3, column Quantity: sends 2 BTC from 'Coinbase' on 2025-02-01 but 1 is held there"]),
    # identifiers and Lot IDs
    Case("duplicate-id", [BUY, buy("B1", "2025-01-06", "BTC", "1", "40000")],
         ["row 3, column ID: the ID 'B1' is already used on row 2; IDs must be unique"]),
    Case("lot-id-unknown", [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "B9"})],
         ["row 3, column Lot IDs: the lot 'B9' is not the ID of any row"]),
    Case("lot-id-of-another-asset",
         [BUY, buy("E1", "2025-01-05", "ETH", "10", "30000"),
          sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "E1"})],
         ["row 4, column Lot IDs: the lot 'E1' (row 3) holds ETH, not BTC"]),
    Case("lot-id-in-another-wallet",
         [BUY, buy("K1", "2025-01-05", "BTC", "1", "40000", wallet="Kraken"),
          sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "K1"})],
         ["row 4, column Lot IDs: the lot 'K1' has 0 BTC left in 'Coinbase', not 1"]),
    Case("lot-id-acquired-later",
         [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "B2"}),
          buy("B2", "2025-03-01", "BTC", "1", "40000")],
         ["row 3, column Lot IDs: the lot 'B2' (row 4) is acquired on 2025-03-01, after this disposal on "
          "2025-02-01"]),
    Case("lot-id-not-an-acquisition",
         [BUY, sell("S1", "2025-02-01", "BTC", "0.5", "20000"),
          sell("S2", "2025-02-02", "BTC", "0.5", "20000", **{"Lot IDs": "S1"})],
         ["row 4, column Lot IDs: the lot 'S1' names no acquisition (Buy, Trade or income row)"]),
    Case("lot-ids-name-more-than-sold", [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "B1:2"})],
         ["row 3, column Lot IDs: the lots name 2 units but the row disposes of 1"]),
    Case("lot-id-quantity-not-a-number",
         [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", **{"Lot IDs": "B1:abc"})],
         ["row 3, column Lot IDs: 'B1:abc': after the colon write the units to take from the lot, e.g. B1:0.5"]),
    Case("lot-id-used-up",
         [BUY, buy("B2", "2025-01-06", "BTC", "1", "40000"),
          sell("S1", "2025-02-01", "BTC", "0.6", "25000", **{"Lot IDs": "B1"}),
          sell("S2", "2025-02-02", "BTC", "0.6", "25000", **{"Lot IDs": "B1:0.6"})],
         ["row 5, column Lot IDs: the lot 'B1' has 0.4 BTC left in 'Coinbase', not 0.6"]),
    Case("lot-id-covers-part-of-a-sale",
         [BUY, buy("B2", "2025-01-06", "BTC", "1", "40000"),
          sell("S1", "2025-02-01", "BTC", "0.6", "25000", **{"Lot IDs": "B1"}),
          sell("S2", "2025-02-02", "BTC", "0.6", "25000", **{"Lot IDs": "B1"})], [],
         ["row 5, column Lot IDs: the lots named cover 0.4 of 0.6 BTC; the other 0.2 were taken by FIFO"]),
    # holdings
    Case("sale-before-any-purchase",
         [sell("S1", "2025-01-01", "BTC", "1", "41000"), buy("B1", "2025-02-01", "BTC", "1", "40000")],
         ["row 2, column Quantity: sells 1 BTC from 'Coinbase' on 2025-01-01 but 0 are held there"]),
    Case("sale-from-another-wallet", [BUY, sell("S1", "2025-02-01", "BTC", "1", "41000", wallet="Kraken")],
         ["row 3, column Quantity: sells 1 BTC from 'Kraken' on 2025-02-01 but 0 are held there"]),
    # 23:30 at -05:00 is 04:30 UTC on New Year's Day, after the sale at 03:00 +02:00 (01:00 UTC)
    Case("new-year-offsets-order-by-the-instant",
         [buy("B1", "2024-12-31T23:30:00-05:00", "BTC", "1", "40000"),
          sell("S1", "2025-01-01T03:00:00+02:00", "BTC", "1", "41000")],
         ["row 3, column Quantity: sells 1 BTC from 'Coinbase' on 2025-01-01 but 0 are held there"]),
    Case("new-year-offsets-decide-the-tax-year",
         [buy("B1", "2024-06-01", "BTC", "2", "80000"),
          sell("S1", "2024-12-31T20:00:00-05:00", "BTC", "1", "41000"),
          sell("S2", "2025-01-01T01:00:00+02:00", "BTC", "1", "42000")], [],
         result=new_year_dates, report=new_year_report),
    # rows and names
    Case("empty-row-in-the-middle", [BUY, {}, sell("S1", "2025-02-01", "BTC", "1", "41000")], [],
         ["row 3: empty row skipped"], result=one_sale_of_btc),
    Case("unicode-names",
         [buy("käufe-1", "2025-01-05", "éth", "2", "6000", wallet="Geldbörse 💰", Note="日本語 ✓"),
          sell("verkauf-1", "2025-02-01", "ÉTH", "2", "7000", wallet="geldbörse 💰")], [],
         result=unicode_names, report=unicode_report),
    Case("very-long-names", [buy("B" * 1000, "2025-01-05", "X" * 300, "1", "10", wallet="W" * 2000,
                                 Note="n" * 10_000)], [], result=long_names),
    # the same wallet typed in two Unicode forms (NFC, NFD) is one wallet, not two (which would be a shortfall)
    Case("wallet-in-two-unicode-forms", [buy("B1", "2025-01-05", "BTC", "1", "40000", wallet=NFC),
                                         sell("S1", "2025-02-01", "BTC", "1", "41000", wallet=NFD)], [],
         result=one_sale_of_btc),
    # a zero-width space pasted from a web page made "BTC\u200b" another asset
    Case("asset-with-a-zero-width-space", [BUY, sell("S1", "2025-02-01", "BTC\u200b", "1", "41000")], [],
         result=one_sale_of_btc),
]


def test_the_catalogue_is_large_and_its_names_unique() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


def in_excel(issue: str) -> str:
    """How CHECK words an issue: 'Transactions row N, Column: message' (or 'Transactions: message')."""
    if issue.startswith("table: "):
        return "Transactions: " + issue.removeprefix("table: ")
    return "Transactions " + issue.replace(", column ", ", ", 1)


def write_csv(case: Case, folder: Path) -> Path:
    header, rows = case.header_and_rows()
    path = folder / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([["" if cell is None else str(cell) for cell in cells] for cells in rows])
    return path


def by_id(cases: Sequence[Case]) -> Any:
    return pytest.mark.parametrize("case", cases, ids=[case.id for case in cases])


@by_id(CASES)
def test_core(case: Case) -> None:
    header, rows = case.header_and_rows()
    if case.errors:
        with pytest.raises(InputError) as error:
            compute_table(header, rows, today=TODAY)
        assert [str(issue) for issue in error.value.issues] == case.errors
        return
    result = compute_table(header, rows, today=TODAY)
    assert [str(warning) for warning in result.warnings] == case.warnings
    if case.result:
        case.result(result)


@by_id(CASES)
def test_excel_check(case: Case) -> None:
    convert.clear_cache()
    header, rows = case.header_and_rows()
    answer = CHECK([list(header), *rows])
    if case.errors:
        assert answer == [[in_excel(issue)] for issue in case.errors]
    elif case.warnings:
        assert answer == [["OK, with these notes:"], *[[in_excel(warning)] for warning in case.warnings]]
    else:
        assert answer == [["OK"]]


@by_id(CASES)
def test_command_line_report(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(case, tmp_path)
    errors = case.csv_errors or case.errors
    if errors:
        assert main(["report", str(path)]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.splitlines() == [f"cryptotax: {path} cannot be computed; fix these and run again:",
                                    *[f"  {issue}" for issue in errors]]
        return
    assert main(["report", str(path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [_issue_text(warning) for warning in document["warnings"]] == case.warnings
    if case.report:
        case.report(document)


@by_id(CASES)
def test_command_line_check(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(case, tmp_path)
    errors = case.csv_errors or case.errors
    code = main(["check", str(path)])
    lines = capsys.readouterr().out.splitlines()
    if errors:
        assert code == 2
        assert lines[:-1] == errors
        assert lines[-1].startswith(f"{len(errors)} error")
    else:
        assert code == 0
        assert lines[:-1] == [f"warning: {warning}" for warning in case.warnings]
        assert lines[-1].startswith("OK: ")


def _issue_text(warning: dict[str, Any]) -> str:
    where = f"row {warning['row']}" if warning["row"] else "table"
    return f"{where}{', column ' + warning['column'] if warning['column'] else ''}: {warning['message']}"

