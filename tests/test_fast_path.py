"""The table reader's fast path must accept exactly the rows the careful path accepts, with the same
values, and leave every message to the careful path: a row read either way gives the same table or the
same errors. Hypothesis mixes plain rows (the fast path's case) with every kind of cell that sends a row
the careful way (padding, signs, exponents, separators, Excel errors, floats, datetimes, bad values)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY, plain_python_only
from hypothesis import given, settings
from hypothesis import strategies as st

import cryptotax_core.table as table_module
from cryptotax_core import COLUMNS, InputError, Transaction, parse_table
from cryptotax_core.table import Table
from cryptotax_core.values import plain

TYPES = ["Buy", "Sell", "Trade", "Spend", "Transfer", "Staking", "Income", "buy", "SELL", " Buy", "Swap", ""]
ASSETS = ["BTC", "eth", "SOL", " BTC", "#N/A", "", "ETH"]
WALLETS = ["Coinbase", "coinbase", "Kraken", "Ledger", "", " Kraken", "#VALUE!"]
IDS = ["", "B1", "B2", "S1", "T1", "B1 ", "#REF!"]
DATES: list[object] = [
    "2024-01-05", "2024-03-01T10:00:00Z", "2024-12-31T23:30:00-05:00", "2025-01-01T02:00:00+02:00",
    "2025-06-01T00:00:00Z", "2099-01-01", "2024-13-01", "3/14/2024", " 2024-01-05", "45000", "",
    datetime(2024, 5, 1, 12, 0), date(2024, 5, 2), 45123.5, "#N/A",
]
NUMBERS: list[object] = [
    "1", "0.5", "2.25", "100", ".5", "5.", "0", "-1", "1e3", "1,000", "$12.50", " 3", "abc", "", "NaN",
    "0.000000000000000001", "2000000000000000", "1" + "0" * 25, 1.5, 2, 0.0, -3.5, float("nan"), float("inf"),
    True, Decimal("7.25"),
]
LOT_IDS = ["", "B1", "B1:0.5", "B1:0.5, B2", "B1:x", "B1:0", "B9", "B1:0.5,,B2", " B2 "]
CLASSES = ["", "Crypto", "stock", "Bond"]
REPORTED = ["", "Basis", "none", "maybe"]
ZONES = ["UTC", "America/New_York"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[object]]]:
    columns = draw(st.sampled_from([list(COLUMNS), [c for c in COLUMNS if c not in ("Broker Reported", "Class")],
                                    ["Date", "Type", "Asset", "Quantity", "USD Value", "Note", "Extra"]]))
    plain_row = draw(st.integers(0, 3))  # how many cells a row changes away from a plain row
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row: dict[str, object] = {
            "ID": draw(st.sampled_from(IDS[:5])), "Date": draw(st.sampled_from(DATES[:5])),
            "Type": draw(st.sampled_from(TYPES[:6])), "Asset": draw(st.sampled_from(["BTC", "ETH"])),
            "Quantity": draw(st.sampled_from(NUMBERS[:4])), "USD Value": draw(st.sampled_from(NUMBERS[:4])),
            "Fee USD": "", "Wallet": draw(st.sampled_from(WALLETS[:3])), "To Wallet": "", "Received Asset": "",
            "Received Quantity": "", "Lot IDs": "", "Class": "", "Broker Reported": "", "Note": "", "Extra": "x",
        }
        if row["Type"] == "Transfer":
            row.update({"USD Value": "", "To Wallet": draw(st.sampled_from(WALLETS))})
        if row["Type"] == "Trade":
            row.update({"Received Asset": "SOL", "Received Quantity": draw(st.sampled_from(NUMBERS[:4]))})
        for _ in range(draw(st.integers(0, plain_row))):
            column = draw(st.sampled_from(list(COLUMNS)))
            pool = {"ID": IDS, "Date": DATES, "Type": TYPES, "Asset": ASSETS, "Wallet": WALLETS, "To Wallet": WALLETS,
                    "Received Asset": ASSETS, "Lot IDs": LOT_IDS, "Class": CLASSES, "Broker Reported": REPORTED,
                    "Note": ["", "n", " padded ", "=1+1", 0]}.get(column, NUMBERS)
            row[column] = draw(st.sampled_from(pool))
        cells = [row.get(column, "") for column in columns]
        if draw(st.booleans()) and len(cells) > 3:
            cells = cells[: draw(st.integers(len(cells) - 3, len(cells)))]  # a short row, as CSV readers give
        rows.append(cells)
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), [""] * len(columns))
    return columns, rows


def read(header: list[str], rows: list[list[object]], zone: str) -> Table | list[str]:
    try:
        return parse_table(header, rows, zone=ZoneInfo(zone), today=TODAY)
    except InputError as exc:
        return [str(issue) for issue in exc.issues]


@plain_python_only
@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from(ZONES))
def test_fast_and_careful_paths_agree(table: tuple[list[str], list[list[object]]], zone: str) -> None:
    header, rows = table
    fast = read(header, rows, zone)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "fast_reader", lambda reader, columns: lambda row, cells: None)
        careful = read(header, rows, zone)
    assert fast == careful


@plain_python_only
def test_the_fast_path_takes_plain_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common row goes the fast way (otherwise the agreement above would test nothing)."""
    header = list(COLUMNS)
    row = {"ID": "B1", "Date": "2024-03-01T10:00:00Z", "Type": "Buy", "Asset": "BTC", "Quantity": "0.5",
           "USD Value": "20000", "Wallet": "Coinbase"}
    careful_rows: list[int] = []
    original = table_module.RowReader.read

    def spy(self: object, row_number: int, cells: list[object]) -> None:
        careful_rows.append(row_number)
        original(self, row_number, cells)  # type: ignore[arg-type]

    monkeypatch.setattr(table_module.RowReader, "read", spy)
    padded = row | {"ID": "B2", "Type": " Buy"}
    result = parse_table(header, [[row.get(c, "") for c in header], [padded.get(c, "") for c in header][:-1]],
                         zone=ZoneInfo("UTC"), today=TODAY)
    assert careful_rows == [3]  # row 3's Type has a space: the careful path reads it
    assert [(tx.tx_id, plain(tx.quantity)) for tx in result.transactions] == [("B1", "0.5"), ("B2", "0.5")]


def test_eighteen_decimals_stay_exact_on_the_fast_path() -> None:
    header = ["Date", "Type", "Asset", "Quantity", "USD Value"]
    table = parse_table(header, [["2024-01-01", "Buy", "ETH", "1.123456789012345678", "3000.01"]],
                        zone=ZoneInfo("UTC"), today=TODAY)
    assert table.transactions[0].quantity == Decimal("1.123456789012345678")
    assert table.transactions[0].usd_value == Decimal("3000.01")


PLAIN = {"ID": "B1", "Date": "2024-03-01T10:00:00Z", "Type": "Sell", "Asset": "BTC", "Quantity": "0.5",
         "USD Value": "20000", "Fee USD": "", "Wallet": "Coinbase", "To Wallet": "", "Received Asset": "",
         "Received Quantity": "", "Lot IDs": "", "Class": "", "Broker Reported": "", "Note": ""}
ODD = {"ID": IDS, "Date": DATES, "Type": TYPES, "Asset": ASSETS, "Wallet": WALLETS, "To Wallet": WALLETS,
       "Received Asset": ASSETS, "Lot IDs": LOT_IDS, "Class": CLASSES, "Broker Reported": REPORTED,
       "Note": ["", "n", " padded ", "=1+1", 0, None]}


@st.composite
def single_rows(draw: st.DrawFn) -> list[object]:
    """A plain row of some type with up to two cells replaced by any odd value of their column."""
    kind = draw(st.sampled_from(["Buy", "Sell", "Trade", "Transfer", "Staking"]))
    base = PLAIN | {"Type": kind}
    if kind == "Transfer":
        base |= {"USD Value": "", "To Wallet": "Kraken"}
    if kind == "Trade":
        base |= {"Received Asset": "ETH", "Received Quantity": "2"}
    odd = set(draw(st.lists(st.sampled_from(COLUMNS), max_size=2)))
    return [draw(st.sampled_from(ODD.get(column, NUMBERS))) if column in odd else base[column] for column in COLUMNS]


@plain_python_only
@settings(max_examples=400, deadline=None)
@given(single_rows(), st.sampled_from(ZONES))
def test_one_row_reads_the_same_both_ways(row: list[object], zone: str) -> None:
    header = list(COLUMNS)
    buy = [PLAIN.get(column, "") for column in COLUMNS]
    buy[COLUMNS.index("ID")], buy[COLUMNS.index("Type")], buy[COLUMNS.index("Date")] = "B0", "Buy", "2024-01-01"
    fast = read(header, [buy, row], zone)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "fast_reader", lambda reader, columns: lambda row, cells: None)
        careful = read(header, [buy, row], zone)
    assert fast == careful


def test_transactions_of_both_paths_have_every_field() -> None:
    """The fast path builds transactions with tuple.__new__, which would not notice a field added to
    Transaction; the careful path (row 3: a space in Type) uses the constructor."""
    header = list(COLUMNS)
    row = {"ID": "B1", "Date": "2024-03-01T10:00:00Z", "Type": "Buy", "Asset": "BTC", "Quantity": "0.5",
           "USD Value": "20000", "Wallet": "Coinbase"}
    padded = row | {"ID": "B2", "Type": " Buy"}
    table = parse_table(header, [[row.get(c, "") for c in header], [padded.get(c, "") for c in header]],
                        zone=ZoneInfo("UTC"), today=TODAY)
    assert [len(tx) for tx in table.transactions] == [len(Transaction._fields)] * 2
    assert [tx.reporting for tx in table.transactions] == [None, None]


def test_rows_of_one_asset_share_its_name() -> None:
    """Both paths give every row of an asset the same string object (the first spelling read, upper-cased):
    one name in memory per asset, not one per row, and the engine's lookups by asset find the very key.
    Row 2 takes the fast path, row 3 (a space in Type) the careful one; both trade into ETH."""
    header = list(COLUMNS)
    rows = [{"ID": "B1", "Date": "2024-03-01", "Type": "Buy", "Asset": "btc", "Quantity": "1", "USD Value": "9",
             "Wallet": "Coinbase"},
            {"ID": "T1", "Date": "2024-03-02", "Type": "Trade", "Asset": "BTC", "Quantity": "0.5", "USD Value": "5",
             "Received Asset": "eth", "Received Quantity": "2", "Wallet": "Coinbase"},
            {"ID": "T2", "Date": "2024-03-03", "Type": " Trade", "Asset": "Btc", "Quantity": "0.5", "USD Value": "5",
             "Received Asset": "ETH", "Received Quantity": "2", "Wallet": "Coinbase"}]
    table = parse_table(header, [[row.get(column, "") for column in header] for row in rows], zone=ZoneInfo("UTC"),
                        today=TODAY)
    first, second, third = table.transactions
    assert first.asset == "BTC" and first.asset is second.asset is third.asset
    assert second.received_asset == "ETH" and second.received_asset is third.received_asset
