"""The exports added to cryptotax_core.imports (Coinbase Advanced fills, Kraken trades, Crypto.com App,
Robinhood crypto, the older Coinbase US report, Coinbase's moves inside the account, Gemini saved by Excel
or read from its cells) and the fixes to the others: each fixture row by row against its source line,
worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from cryptotax_core import COLUMNS, InputError
from cryptotax_core.imports import Imported, import_bytes, import_rows
from cryptotax_core.imports.builder import FieldError, parse_us
from cryptotax_core.imports.kraken_trades import split_pair

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
BRIEF = ("ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Received Asset", "Received Quantity")
INTERNAL = "moves between the exchange's own accounts (e.g. spot and staking)"


def load(name: str, fmt: str | None = None) -> Imported:
    return import_bytes((FIXTURES / name).read_bytes(), fmt)


def brief(imported: Imported) -> list[tuple[object, ...]]:
    return [(line, *(row[column] for column in BRIEF)) for line, row in zip(imported.lines, imported.rows, strict=True)]


def unmapped(imported: Imported) -> list[tuple[int, str, str]]:
    return [(issue.row, issue.column, issue.message) for issue in imported.unmapped]


EXPECTED = {
    "coinbase-advanced.csv": ("coinbase-advanced", [
        # BUY 0.02 BTC at 67,250.00: 0.02 x 67,250 = 1,345.00; fee 8.07; total -1,353.07 = -(1,345.00 + 8.07)
        (2, "coinbase-advanced:BTC-USD:100234567", "2024-03-05T14:22:31.512Z", "Buy", "BTC", "0.02", "1345", "8.07",
         "", ""),
        # 0.005 x 67,251.50 = 336.2575; |total| 338.275045 - fee 2.017545 = 336.2575
        (3, "coinbase-advanced:BTC-USD:100234568", "2024-03-05T14:22:31.64Z", "Buy", "BTC", "0.005", "336.2575",
         "2.017545", "", ""),
        # SELL 0.75 ETH at 3,310.42 = 2,482.815; total 2,472.88374 + fee 9.93126 = 2,482.815
        (4, "coinbase-advanced:ETH-USD:55512034", "2025-01-09T20:01:02.003Z", "Sell", "ETH", "0.75", "2482.815",
         "9.93126", "", ""),
    ]),
    "kraken-trades.csv": ("kraken-trades", [
        # buy 0.05 XXBT for cost 2,350 ZUSD, fee 3.76 ZUSD (the two ledger IDs are two fields: one column)
        (2, "kraken:TQ4YH7-ABCDE-FGHIJ1", "2024-02-10T15:30:12.1234Z", "Buy", "BTC", "0.05", "2350", "3.76", "", ""),
        # sell 0.3 XETH at 3,710.50: cost 1,113.15, fee 2.89419
        (3, "kraken:TB7UP2-KLMNO-PQRST2", "2024-05-20T09:05:44.5Z", "Sell", "ETH", "0.3", "1113.15", "2.89419", "", ""),
        (4, "kraken:TC2ZZ9-UVWXY-Z12345", "2025-01-15T18:00:00Z", "Buy", "SOL", "2", "380", "0.988", "", ""),
    ]),
    "cryptocom.csv": ("cryptocom", [
        # viban_purchase: -500.00 USD for 0.01134 BTC: USD Value = the 500 paid
        (2, None, "2024-01-05T10:00:00Z", "Buy", "BTC", "0.01134", "500", "", "", ""),
        (3, None, "2024-02-10T12:30:00Z", "Buy", "CRO", "2500", "210.55", "", "", ""),
        (4, None, "2024-03-01T00:00:05Z", "Interest", "BTC", "0.00001234", "0.76", "", "", ""),
        (5, None, "2024-04-02T08:00:00Z", "Staking", "CRO", "3.2", "0.41", "", "", ""),
        # crypto_exchange -0.004 BTC -> 0.0793 ETH, Native Amount (in USD) -254.83: the value received
        (6, None, "2024-04-20T21:15:00Z", "Trade", "BTC", "0.004", "254.83", "", "ETH", "0.0793"),
        # crypto_viban_exchange -0.05 ETH -> 152.40 USD (To Amount)
        (9, None, "2024-07-04T14:00:00Z", "Sell", "ETH", "0.05", "152.4", "", "", ""),
        (11, None, "2024-09-09T09:09:09Z", "Spend", "CRO", "300", "24.15", "", "", ""),  # card_top_up
        # dust: -0.0004 ETH worth 1.02 swept into 12.7 CRO worth 1.02
        (12, None, "2024-10-01T00:00:00Z", "Sell", "ETH", "0.0004", "1.02", "", "", ""),
        (13, None, "2024-10-01T00:00:00Z", "Buy", "CRO", "12.7", "1.02", "", "", ""),
    ]),
    "robinhood.csv": ("robinhood", [
        # 10:15 Eastern (EST, UTC-5) = 15:15Z; 0.25 x 2,711.20 = 677.80 received
        (2, "robinhood:5c1f0d2a-7e3b-4c9d-a1f0-000000000001", "2025-02-14T15:15:00Z", "Sell", "ETH", "0.25", "677.8",
         "", "", ""),
        # 0.002 x 93,987.50 = 187.975: Notional ($187.98) paid
        (3, "robinhood:5c1f0d2a-7e3b-4c9d-a1f0-000000000002", "2025-01-10T14:30:05Z", "Buy", "BTC", "0.002", "187.98",
         "", "", ""),
        # canceled with 4 of 10 left: 6 filled; 6 x 129.90 = 779.40 = Notional; 15:45 EDT (UTC-4) = 19:45Z
        (4, "robinhood:5c1f0d2a-7e3b-4c9d-a1f0-000000000003", "2024-09-03T19:45:10Z", "Buy", "SOL", "6", "779.4", "",
         "", ""),
        (6, "robinhood:5c1f0d2a-7e3b-4c9d-a1f0-000000000005", "2024-07-04T16:00:00Z", "Buy", "ETH", "1", "3085.4", "",
         "", ""),
    ]),
    "coinbase-2025.csv": ("coinbase", [
        # Buy: Total 2,923.20 - Fees 43.20 = 2,880.00 (= Subtotal)
        (5, "coinbase:67a0c1d2e3f4a5b6c7d8e901", "2025-01-06T09:00:00Z", "Buy", "ETH", "0.8", "2880", "43.2", "", ""),
        (8, "coinbase:67a0c1d2e3f4a5b6c7d8e904", "2025-02-01T00:10:00Z", "Staking", "ETH", "0.00061", "1.9", "", "",
         ""),  # Staking Income in ETH2: ETH
        # Dex Trade: -0.05 ETH (line 14) and +124.401 USDC a second later (line 15, Subtotal $124.40)
        (14, "coinbase:67a0c1d2e3f4a5b6c7d8e910", "2025-05-11T19:08:20Z", "Trade", "ETH", "0.05", "124.4", "", "USDC",
         "124.401"),
    ]),
    "coinbase-us-2019.csv": ("coinbase", [
        # no fee column: USD Value = Total 626.25 (the cash paid); the date alone
        (9, None, "2017-03-14", "Buy", "BTC", "0.5", "626.25", "", "", ""),
        # Total 610.80 is the cash received (0.25 x 2,480.00 = 620.00 less the fee)
        (11, None, "2017-06-02", "Sell", "BTC", "0.25", "610.8", "", "", ""),
        (12, None, "2017-07-19", "Buy", "ETH", "2", "455.31", "", "", ""),
        # Subtotal "0 USD" beside a Total of 0.48 USD: the value is the Total
        (13, None, "2018-11-30", "Income", "ZRX", "1.5", "0.48", "", "", ""),
    ]),
    "gemini-excel.csv": ("gemini", [
        # Excel's 2/21/24 9:14:55 AM; ($517.00) paid, ($1.81) fee
        (3, "gemini:98765400001", "2024-02-21T09:14:55Z", "Buy", "BTC", "0.01", "517", "1.81", "", ""),
        # 8/8/24 6:30:00 PM = 18:30; $602.50 received, fee ($1.21)
        (4, "gemini:98765400002", "2024-08-08T18:30:00Z", "Sell", "BTC", "0.01", "602.5", "1.21", "", ""),
    ]),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_new_layout_maps_its_rows(name: str) -> None:
    fmt, expected = EXPECTED[name]
    imported = load(name)
    assert imported.format == fmt
    got = brief(imported)
    # a None ID in the table is a content hash (these files have no ID): checked for its prefix only
    assert [row[:1] + row[2:] for row in got] == [row[:1] + row[2:] for row in expected]
    for row, want in zip(got, expected, strict=True):
        assert row[1] == want[1] if want[1] else str(row[1]).startswith(f"{fmt}:")
    assert all(list(row) == list(COLUMNS) for row in imported.rows)
    assert brief(load(name, fmt)) == got  # the format named gives the same rows


UNMAPPED = {
    "coinbase-advanced.csv": [
        # SELL 0.01 BTC for USDC: 0.01 x 97,000 = 970 - 5.82 fee = 964.18 USDC received
        (5, "product", "a trade of 0.01 BTC for 964.18 USDC on 2025-02-11: the file has no USD value (USDC is not "
                       "USD); enter a Trade of Quantity 0.01 BTC with Received Asset USDC, Received Quantity 964.18 "
                       "and USD Value = the fair market value in USD of the USDC received (ID "
                       "coinbase-advanced:BTC-USDC:2985581); the fee of 5.82 USDC is in these figures"),
        # BUY 3 SOL: 3 x 0.00165 = 0.00495 + fee 0.0000297 = 0.0049797 BTC paid
        (6, "product", "a trade of 0.0049797 BTC for 3 SOL on 2025-03-01"),
    ],
    "kraken-trades.csv": [
        # sell 1 ETH for cost 0.0301 BTC less fee 0.0000783 = 0.0300217 BTC
        (5, "pair", "a trade of 1 ETH for 0.0300217 BTC on 2025-02-02: the file has no USD value (BTC is not USD)"),
        (6, "margin", "a margin trade of XXBTZUSD on 2025-03-03: margin positions are not imported"),
    ],
    "cryptocom.csv": [
        (7, "Transaction Kind", "card cashback 'Card Cashback' of 1.9 CRO on 2024-05-01 (the file values it at USD "
                                "0.24): as a rebate on a purchase, enter a Buy of 1.9 CRO with USD Value = its value "
                                "(no income); as income, an Income row"),
        (10, "Transaction Kind", "a withdrawal of 0.005 BTC on 2024-08-08 to an address outside Crypto.com"),
        (15, "Transaction Kind", "the Crypto.com kind 'brand_new_kind' (0.0001 BTC on 2024-12-01) is not imported"),
    ],
    "robinhood.csv": [
        # canceled with 2 of 5 left: 3 filled; 3 x 151.00 = 453.00, not the 500.00 Notional: not trusted
        (7, "State", "a sell of SOL on 2024-10-10 was filled only in part (3 of 5, state 'Canceled'): enter a Sell of "
                     "the units filled with the USD of that part (the file's Notional is 500)"),
    ],
    "coinbase-2025.csv": [
        (17, "Transaction Type", "a withdrawal of 24.4 USDC on 2025-06-15 to an address outside Coinbase"),
        (18, "", "1.5 USD paid in cash on 2025-07-01 (USD reward) is ordinary income, but cash is not an asset "
                 "cryptotax keeps lots of: add 1.5 USD to your other income (ID coinbase:67a0c1d2e3f4a5b6c7d8e914)"),
        (19, "Transaction Type", "a Retail Mgx Dex Trade of -2 SOL on 2025-07-20 has no other side within two seconds"),
    ],
    "coinbase-us-2019.csv": [
        (10, "Transaction Type", "a deposit of 0.02 BTC into Coinbase on 2017-03-20 from outside"),
        (14, "Transaction Type", "a withdrawal of 1.25 ETH on 2018-12-01 to an address outside Coinbase"),
    ],
    "gemini-excel.csv": [],
}
SKIPPED = {
    "coinbase-advanced.csv": {}, "kraken-trades.csv": {},
    "cryptocom.csv": {INTERNAL: 1, "cash deposits and withdrawals": 1},  # lockup_lock; viban_deposit of USD
    "robinhood.csv": {"orders never filled (canceled, rejected...)": 1, "Robinhood's disclaimer line": 1},
    # staking transfer 2 lines, Eth2 deprecation 2, Send ETH2 / Receive ETH 2, Convert ETH -> ETH2 1, unstaking 1
    "coinbase-2025.csv": {INTERNAL: 8},
    "coinbase-us-2019.csv": {},
    "gemini-excel.csv": {"cash deposits and withdrawals": 1},
}
DATA_LINES = {"coinbase-advanced.csv": 5, "kraken-trades.csv": 5, "cryptocom.csv": 14, "robinhood.csv": 7,
              "coinbase-2025.csv": 15, "coinbase-us-2019.csv": 6, "gemini-excel.csv": 3}


@pytest.mark.parametrize("name", list(UNMAPPED))
def test_what_is_left_says_what_to_enter_and_nothing_is_lost(name: str) -> None:
    imported = load(name)
    got = unmapped(imported)
    assert [(line, column) for line, column, _ in got] == [(line, column) for line, column, _ in UNMAPPED[name]]
    for (_, _, message), (_, _, start) in zip(got, UNMAPPED[name], strict=True):
        assert message.startswith(start), message
    assert imported.skipped == SKIPPED[name]
    # each data line is a row (the Dex Trade's two lines are one), a line to enter, or counted as skipped
    accounted = len(set(imported.lines)) + len(got) + sum(imported.skipped.values())
    assert accounted + (1 if name == "coinbase-2025.csv" else 0) == DATA_LINES[name]


def test_binanceus_quick_buy_counts_the_usd_fee_once() -> None:
    """The issue's figures: a Quick Buy where 30.00 USD left the account, 0.15 of it the fee."""
    header = (FIXTURES / "binanceus.csv").read_text().split("\n")[0]
    line = ("1,2024-05-01T10:00:00.000+00:00,Quick Buy,Buy,q1,300001,,,,USD,30.00,30.00,ETH,0.009,29.70,USD,0.15,0.15,"
            "Wallet,,")
    [row] = import_bytes(f"{header}\n{line}\n".encode()).rows
    # USD Value 30.00 - 0.15 = 29.85 and Fee USD 0.15: the basis is the 30.00 paid, not 30.15
    assert (row["Type"], row["USD Value"], row["Fee USD"], row["Quantity"]) == ("Buy", "29.85", "0.15", "0.009")


def test_a_kraken_trades_file_named_as_ledgers_says_which_format_it_is() -> None:
    with pytest.raises(InputError) as caught:
        load("kraken-trades.csv", "kraken")
    assert str(caught.value.issues[0]).endswith("line 1 is a kraken-trades header: use --format kraken-trades or "
                                                "leave --format out")


def test_gemini_from_its_workbook_cells() -> None:
    """A sheet's rows as openpyxl gives them: numbers, a date, a time, None for blank cells."""
    header = ["Date", "Time (UTC)", "Type", "Symbol", "Specification", "USD Amount USD", "Fee (USD) USD",
              "BTC Amount BTC", "Fee (BTC) BTC", "Trade ID"]
    rows = [header,
            [datetime(2024, 2, 21), time(9, 14, 55, 102000), "Buy", "BTCUSD", "Limit", -517.0, -1.81, 0.01, None,
             98765400001],
            [date(2024, 8, 8), time(18, 30), "Sell", "BTCUSD", "Limit", 602.5, -1.21, -0.01, None, 98765400002],
            [None, None, None, None, None, 85.5, -3.02, 0.0, None, None]]  # Gemini's totals line
    imported = import_rows(rows)
    assert brief(imported) == [
        (2, "gemini:98765400001", "2024-02-21T09:14:55.102Z", "Buy", "BTC", "0.01", "517", "1.81", "", ""),
        (3, "gemini:98765400002", "2024-08-08T18:30:00Z", "Sell", "BTC", "0.01", "602.5", "1.21", "", "")]
    assert imported.skipped == {"Gemini's totals line": 1}
    with pytest.raises(InputError) as caught:
        import_rows([header, ["31/12/2024", "10:00", "Buy", "BTCUSD", "Limit", -1.0, 0, 0.1, None, 1]], first_row=5)
    assert [str(issue) for issue in caught.value.issues] == [
        "row 6, column Date: '31/12/2024' is not a date (month/day/year)"]


def test_text_that_is_not_utf8() -> None:
    header = ("ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
              "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes")
    line = "a1,2024-03-10 08:00:00 UTC,Staking Income,ETH,0.001,USD,$2500,$2.50,$2.50,$0.00,Récompense"
    windows = f"{header}\n{line}\n".encode("cp1252")
    imported = import_bytes(windows)
    assert imported.rows[0]["Note"] == "Récompense"
    # a UTF-8 byte-order mark in front of Windows-1252 text is dropped, not read as "ï»¿" in the header
    assert import_bytes(b"\xef\xbb\xbf" + windows).rows == imported.rows
    assert [str(issue) for issue in imported.warnings] == [
        "row 2: the file is not UTF-8: it was read as Windows-1252, the encoding Excel uses for \"CSV (Comma "
        "delimited)\"; check that names with accents read right (save as \"CSV UTF-8\" to avoid this)"]
    for encoded in (f"{header}\r\n{line}\r\n".encode("utf-16"), b"\xef\xbb\xbf" + f"{header}\n{line}\n".encode()):
        again = import_bytes(encoded)  # UTF-16 with its byte-order mark (Excel's Unicode Text); UTF-8 with one
        assert (again.rows[0]["Note"], again.warnings) == ("Récompense", [])


@pytest.mark.parametrize(("text", "moment", "has_time"), [
    ("10/06/2015", datetime(2015, 10, 6), False),
    ("8/8/08", datetime(2008, 8, 8), False),  # Excel's short year: 20YY
    ("12/01/2023, 12:34:56", datetime(2023, 12, 1, 12, 34, 56), True),  # Robinhood
    ("3/5/2024 2:07 PM", datetime(2024, 3, 5, 14, 7), True),
    ("3/5/2024 12:00:01.25 AM", datetime(2024, 3, 5, 0, 0, 1, 250000), True),
])
def test_us_dates(text: str, moment: datetime, has_time: bool) -> None:
    assert parse_us(text) == (moment, has_time)


@pytest.mark.parametrize("text", ["13/01/2024", "2/30/2024", "1/1/2024 13:00 PM", "2024-01-01", "1/1"])
def test_not_us_dates(text: str) -> None:
    with pytest.raises(FieldError):
        parse_us(text)


@pytest.mark.parametrize(("pair", "assets"), [
    ("XXBTZUSD", ("BTC", "USD")), ("XETHZUSD", ("ETH", "USD")), ("SOLUSD", ("SOL", "USD")),
    ("XBTUSDC", ("BTC", "USDC")), ("XXBTZEUR", ("BTC", "EUR")), ("XETHXXBT", ("ETH", "BTC")),
    ("XDGUSD", ("DOGE", "USD")), ("USDCUSD", ("USDC", "USD")), ("DOT/USD", ("DOT", "USD")), ("USD", None),
])
def test_kraken_pairs(pair: str, assets: tuple[str, str] | None) -> None:
    assert split_pair(pair) == assets


def test_coinbase_amounts_in_another_currency_in_the_older_report() -> None:
    """`249.73 EUR` in a USD-named column is not taken as USD."""
    data = (b"Timestamp,Transaction Type,Asset,Quantity Transacted,USD Spot Price at Transaction,Subtotal,"
            b"Total (inclusive of fees),Notes\n10/06/2015,Buy,BTC,1,247.26,0 EUR,249.73 EUR,\n")
    imported = import_bytes(data)
    assert imported.rows == []
    assert imported.unmapped[0].message.startswith("a Buy of 1 BTC on 2015-10-06 has no USD value in the file")


def test_every_fixture_has_a_use_in_the_fuzz_tests() -> None:
    """Every fixture is read as it is (the fuzz tests damage them), and each format has a fixture."""
    formats = {import_bytes(path.read_bytes()).format for path in FIXTURES.glob("*.csv")}
    assert formats == {"coinbase", "coinbase-advanced", "kraken", "kraken-trades", "gemini", "binanceus", "cryptocom",
                       "robinhood", "generic"}
