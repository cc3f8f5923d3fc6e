"""Exchange imports (cryptotax_core.imports): each fixture's rows written out by hand, what is not mapped and
why, detection, line numbers, damaged files, IDs and CSV injection."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotax_core import COLUMNS, InputError
from cryptotax_core.imports import FORMATS, Imported, import_bytes
from cryptotax_core.imports.builder import FieldError, parse_number
from cryptotax_core.imports.kraken import asset_code
from cryptotax_core.values import FORMULA_STARTS

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
BRIEF = ("ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Received Asset", "Received Quantity")


def load(name: str, fmt: str | None = None, **options: str) -> Imported:
    return import_bytes((FIXTURES / name).read_bytes(), fmt, **options)


def brief(imported: Imported) -> list[tuple[object, ...]]:
    """(source line, ID, Date, Type, Asset, Quantity, USD Value, Fee USD, Received Asset, Received Quantity)."""
    return [(line, *(row[column] for column in BRIEF)) for line, row in zip(imported.lines, imported.rows, strict=True)]


def errors(data: bytes, fmt: str | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        import_bytes(data, fmt)
    return [str(issue) for issue in caught.value.issues]


COINBASE_HEADER = ("ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,"
                   "Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes")


def coinbase(*lines: str) -> bytes:
    return ("\nTransactions\nUser,A B,uuid\n" + COINBASE_HEADER + "\n" + "\n".join(lines) + "\n").encode()


# -- each fixture, row by row -------------------------------------------------------------------
EXPECTED = {
    "coinbase.csv": [
        # line 5 (Deposit of USD) is skipped; the header is line 4 after 3 preamble lines
        # Buy: USD Value = Total 1,963.76 - Fees 29.02 = 1,934.74 (= Subtotal); basis 1,963.76
        (6, "coinbase:65a54e3a9d2f4c0012a7b002", "2024-01-15T14:20:05Z", "Buy", "BTC", "0.04512873", "1934.74",
         "29.02", "", ""),
        # Advanced Trade Buy on ETH-USD: 2,893.74 - 17.26 = 2,876.48
        (7, "coinbase:65bd1b7f0a9e3d0013c2e003", "2024-02-02T16:45:11Z", "Buy", "ETH", "1.25", "2876.48", "17.26",
         "", ""),
        (8, "coinbase:65ede5c1f7b84a0012e9d004", "2024-03-10T08:00:00Z", "Staking", "ETH", "0.00183412", "4.61", "",
         "", ""),
        (9, "coinbase:660ab8e2c5d13f0012b6a005", "2024-04-01T12:31:44Z", "Income", "XLM", "5.1234567", "0.63", "",
         "", ""),
        (10, "coinbase:6631f6a0b2e97c0012f1c006", "2024-05-01T00:05:00Z", "Interest", "USDC", "1.234567", "1.23",
         "", "", ""),
        # Convert -0.5 ETH: "Converted 0.5 ETH to 11.92614 SOL"; USD Value = Subtotal 1,692.05 (value received);
        # the 9.01 spread is paid in the ETH converted, so no Fee USD
        (12, "coinbase:67af1c0e4b7d2a0013e8f008", "2025-02-14T10:10:10Z", "Trade", "ETH", "0.5", "1692.05", "",
         "SOL", "11.92614"),
        # Sell -0.02 BTC: USD Value = Total 1,345.14 + Fees 17.11 = 1,362.25; amount realized 1,345.14
        (13, "coinbase:67c5d2a91f3e6b0012d7a009", "2025-03-03T21:47:30Z", "Sell", "BTC", "0.02", "1362.25", "17.11",
         "", ""),
    ],
    "kraken-ledgers.csv": [
        # trade TA4RTP: ZUSD -6,543.21 (fee 10.4691) and XXBT +0.1
        (3, "kraken:TA4RTP-4TUW5-G5DGTA", "2024-03-04T15:19:19.3412Z", "Buy", "BTC", "0.1", "6543.21", "10.4691",
         "", ""),
        # Buy Crypto button: spend ZUSD -250 (fee 3.75), receive XETH +0.08234512
        (5, "kraken:RKB7JQ-2PLWC-ZD4T3N", "2024-04-12T08:55:02Z", "Buy", "ETH", "0.08234512", "250", "3.75", "", ""),
        # trade TP2MUC: XXBT -0.04, ZUSD +2,721.60 (fee 4.3546)
        (16, "kraken:TP2MUC-5QHXR-WKZ4LD", "2025-06-10T14:02:56Z", "Sell", "BTC", "0.04", "2721.6", "4.3546", "", ""),
    ],
    "gemini.csv": [
        # USD Amount ($3,101.91), Fee (USD) ($10.86): a Buy of 0.06012345 BTC
        (3, "gemini:98765432101", "2024-02-21T09:14:55.102Z", "Buy", "BTC", "0.06012345", "3101.91", "10.86", "",
         ""),
        (4, "gemini:98765433310", "2024-03-05T17:40:03.917Z", "Buy", "ETH", "0.5891234", "1999.98", "4", "", ""),
        # $2,166.97 received for (0.025 BTC), fee ($7.58)
        (11, "gemini:98765450011", "2025-02-18T16:22:48.731Z", "Sell", "BTC", "0.025", "2166.97", "7.58", "", ""),
    ],
    "binanceus.csv": [
        # 2.5 BNB bought, the 0.001875 BNB fee taken from them: 2.5 - 0.001875 = 2.498125 arrive
        (3, "binanceus:125143901", "2024-03-11T14:32:07Z", "Buy", "BNB", "2.498125", "760.25", "", "", ""),
        # fee paid in BNB: Fee USD 1.87068 on the Buy and a Spend of the 0.00612 BNB at that value
        (4, "binanceus:125149922", "2024-03-12T09:05:44Z", "Buy", "ETH", "0.75", "2495.1", "1.87068", "", ""),
        (4, "binanceus:125149922:fee", "2024-03-12T09:05:44Z", "Spend", "BNB", "0.00612", "1.87068", "", "", ""),
        (5, "binanceus:17929593", "2024-05-06T18:20:31Z", "Staking", "ETH", "0.00045123", "1.52314", "", "", ""),
        (6, "binanceus:17930017", "2024-06-02T07:32:05Z", "Income", "BNB", "0.00012345", "0.074321", "", "", ""),
        # a negative staking reward: the service fee taken in units, a Spend at |-0.034567|
        (7, "binanceus:17931100", "2024-07-01T01:00:00Z", "Spend", "ETH", "0.00001", "0.034567", "", "", ""),
        # Spot Trading Sell ETH for BTC: USD Value = the BTC's USD value 1,043.581234; fee in BNB as above
        (8, "binanceus:179167140", "2025-01-20T04:10:29Z", "Trade", "ETH", "0.3", "1043.581234", "0.7833", "BTC",
         "0.01612"),
        (8, "binanceus:179167140:fee", "2025-01-20T04:10:29Z", "Spend", "BNB", "0.002611", "0.7833", "", "", ""),
        # Quick Sell: base BTC paid, quote USD 671.10 received, already net of the 3.36 USD fee:
        # USD Value = 671.10 + 3.36 = 674.46, Fee USD 3.36, so the amount realized is the 671.10 received
        (9, "binanceus:190163493", "2025-02-07T16:45:10.147Z", "Sell", "BTC", "0.01", "674.46", "3.36", "", ""),
    ],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_format_maps_its_rows(name: str) -> None:
    imported = load(name)
    assert brief(imported) == EXPECTED[name]
    assert all(list(row) == list(COLUMNS) for row in imported.rows)
    wallet = {"coinbase.csv": "Coinbase", "kraken-ledgers.csv": "Kraken", "gemini.csv": "Gemini",
              "binanceus.csv": "Binance.US"}[name]
    assert {row["Wallet"] for row in imported.rows} == {wallet}
    assert {row[column] for row in imported.rows for column in ("To Wallet", "Lot IDs", "Class",
                                                               "Broker Reported")} == {""}


UNMAPPED = {
    "coinbase.csv": [
        (11, "Transaction Type", "a deposit of 0.25 ETH into Coinbase on 2024-06-01 from outside (the file values it "
                                 "at USD 945.03): if it came from a wallet of yours, enter a Transfer from that "
                                 "wallet with To Wallet Coinbase; if you were paid or it is a reward, enter it as "
                                 "Income (or Staking, Airdrop...) with its USD value on that day "
                                 "(ID coinbase:665a7c31e8d4a20012c3b007)"),
        (14, "Notes", "5 SOL sold for USDC on 2025-03-20 (not USD): enter a Trade"),
        (15, "Transaction Type", "a withdrawal of 0.01 BTC on 2025-04-01 to an address outside Coinbase: if it went "
                                 "to a wallet of yours, enter a Transfer of 0.01 BTC from Coinbase with To Wallet "
                                 "that wallet; if you spent or gave it away, enter a Spend with its USD value "
                                 "(ID coinbase:67eb2f6d9c1a4e0012b5d011)"),
        (17, "Transaction Type", "the Coinbase transaction type 'Subscription Rebate' (2.99 USDC on 2025-05-01) is "
                                 "not imported"),
    ],
    "kraken-ledgers.csv": [
        (9, "type", "a staking reward of 0.00012345 ETH on 2024-05-02 has no USD value in the file: enter a Staking "
                    "of 0.00012345 ETH with USD Value = its fair market value in USD at that time "
                    "(ID kraken:LK2ZP7-HGF5D-S4AQWE)"),
        # 0.0001150000 BTC arrive less the 0.0000001840 fee = 0.000114816
        (10, "asset", "a trade of 0.002 ETH for 0.000114816 BTC on 2024-06-18 (lines 10, 11): Kraken's ledger has "
                      "no USD value of a crypto-to-crypto trade; enter a Trade of Quantity 0.002 ETH with Received "
                      "Asset BTC, Received Quantity 0.000114816 and USD Value = the fair market value in USD of the "
                      "BTC received (ID kraken:TX3P6X-7LWEN-BQZ2RC)"),
        # 0.03 BTC sent + 0.00005 fee = 0.03005 leave Kraken
        (12, "type", "a withdrawal of 0.03 BTC plus a network fee of 0.00005 BTC on 2024-08-09 to an address outside "
                     "Kraken: if it went to a wallet of yours, enter a Transfer of Quantity 0.03005 BTC from Kraken "
                     "with Received Quantity 0.03, To Wallet that wallet and Fee USD = its USD value for the "
                     "0.00005 BTC network fee; if you spent or gave it away, enter a Spend with its USD value "
                     "(ID kraken:LW3ER4-TYU7I-O9PASD)"),
        (13, "type", "a deposit of 25 DOT into Kraken on 2024-09-01 from outside"),
        (15, "type", "a staking reward of 0.04123456 DOT on 2024-09-20 has no USD value"),  # DOT.S is DOT
        (19, "type", "the Kraken ledger type 'rollover' (0 USD on 2025-07-01) is not imported"),
    ],
    "gemini.csv": [
        (5, "Type", "a deposit of 0.01 BTC into Gemini on 2024-04-09 from outside"),
        (6, "Type", "interest (Interest Credit) of 0.00123456 ETH on 2024-05-01 has no USD value in the file: enter "
                    "an Interest of 0.00123456 ETH"),
        (7, "Type", "a reward (Staking Reward) of 0.00098765 ETH on 2024-06-15 has no USD value in the file: enter "
                    "a Staking of 0.00098765 ETH"),
        # ETHBTC Buy: (0.0052 BTC) + fee (0.0000182 BTC) = 0.0052182 BTC paid for 0.1 ETH
        (8, "Symbol", "a trade of 0.0052182 BTC for 0.1 ETH on 2024-07-22 is between two cryptos: the file has no "
                      "USD value; enter a Trade of Quantity 0.0052182 BTC with Received Asset ETH, Received "
                      "Quantity 0.1 and USD Value = the fair market value in USD of the ETH received "
                      "(ID gemini:98765439876)"),
        (9, "Type", "a withdrawal of 0.005 BTC plus a network fee of 0.0001 BTC on 2024-08-30 to an address outside "
                    "Gemini: if it went to a wallet of yours, enter a Transfer of Quantity 0.0051 BTC"),
        (10, "Type", "a debit of 0.0001 ETH ('Administrative Debit') on 2025-01-10 is not imported"),
    ],
    "binanceus.csv": [
        (10, "Category", "a withdrawal of 0.2 ETH plus a network fee of 0.0012 ETH on 2025-03-04 to an address "
                         "outside Binance.US: if it went to a wallet of yours, enter a Transfer of Quantity 0.2012 "
                         "ETH from Binance.US with Received Quantity 0.2, To Wallet that wallet and Fee USD = its "
                         "USD value, 3.853908 by the file, for the 0.0012 ETH network fee"),
        (11, "Category", "a deposit of 12.5 SOL into Binance.US on 2025-03-15 from outside (the file values it at "
                         "USD 1812.5)"),
        (12, "Operation", "a distribution 'Card Cashback' of 0.0051 BNB on 2025-04-01: enter it as Income, Staking, "
                          "Airdrop or Interest with its USD value (the file says 3.1212) (ID binanceus:17940001)"),
    ],
}
SKIPPED = {
    "coinbase.csv": {"cash deposits and withdrawals": 2},
    "kraken-ledgers.csv": {"cash deposits and withdrawals": 2, "moves between the exchange's own accounts (e.g. "
                           "spot and staking)": 2, "ledger lines without a txid (failed or pending, moved nothing)": 1},
    "gemini.csv": {"cash deposits and withdrawals": 2, "Gemini's totals line": 1},
    "binanceus.csv": {"cash deposits and withdrawals": 2},
}


@pytest.mark.parametrize("name", list(UNMAPPED))
def test_unmapped_lines_say_what_to_enter(name: str) -> None:
    imported = load(name)
    assert [(issue.row, issue.column) for issue in imported.unmapped] == [(line, column)
                                                                           for line, column, _ in UNMAPPED[name]]
    for issue, (_, _, message) in zip(imported.unmapped, UNMAPPED[name], strict=True):
        assert issue.message.startswith(message), issue.message
    assert imported.skipped == SKIPPED[name]
    assert imported.warnings == []


def test_every_line_is_rows_unmapped_or_skipped() -> None:
    """Nothing is dropped silently: each data line is a row, a not-mapped issue or a skipped count."""
    data_lines = {"coinbase.csv": 13, "kraken-ledgers.csv": 18, "gemini.csv": 12, "binanceus.csv": 12}
    for name, count in data_lines.items():
        imported = load(name)
        accounted = len(set(imported.lines)) + len({issue.row for issue in imported.unmapped})
        accounted += sum(imported.skipped.values())
        # Kraken: each trade is 2 ledger lines and one row (3 rows) or issue (the ETH/BTC trade)
        assert accounted + (4 if name.startswith("kraken") else 0) == count, name


def test_generic_keeps_the_users_values() -> None:
    imported = load("generic.csv")
    assert imported.format == "generic"
    digest = hashlib.sha1("\x1f".join(["", "2024-06-01", "Staking", "ADA", "3.214", "1.42", "", "Ledger", "epoch 489",
                                       ""]).encode()).hexdigest()[:12]
    assert [(row["ID"], row["Date"], row["Quantity"], row["Lot IDs"], row["Note"]) for row in imported.rows] == [
        ("L-1", "2024-05-01", "1500.123456", "", "cold storage buy"),
        (f"generic:{digest}", "2024-06-01", "3.214", "", "epoch 489"),  # blank ID: hash of the line
        ("L-2", "2025-01-05", "500", "L-1:500", ""),
    ]


def test_generic_wallet_defaults_and_validation() -> None:
    data = b"Date,Type,Asset,Quantity,USD Value\n2024-01-02,Buy,BTC,0.5,20000\n"
    assert import_bytes(data, "generic").rows[0]["Wallet"] == "Default"
    assert import_bytes(data, "generic", wallet="Ledger").rows[0]["Wallet"] == "Ledger"
    assert errors(b"Date,Type,Asset,Quantity,USD Value\n\n2024-01-02,Buy,BTC,-1,20000\n2024-01-03,Buy,BTC,1,\n") == [
        "row 3, column Quantity: -1 is not allowed: the quantity must be greater than 0",
        "row 4, column USD Value: a Buy needs its USD value (USD paid)"]


# -- detection and layouts ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "fmt"), [("coinbase.csv", "coinbase"), ("kraken-ledgers.csv", "kraken"),
                                           ("gemini.csv", "gemini"), ("binanceus.csv", "binanceus"),
                                           ("generic.csv", "generic")])
def test_format_is_detected_from_the_header(name: str, fmt: str) -> None:
    assert load(name).format == fmt
    assert brief(load(name, fmt)) == brief(load(name))


def test_formats_are_the_nine() -> None:
    assert list(FORMATS) == ["coinbase", "coinbase-advanced", "kraken", "kraken-trades", "gemini", "binanceus",
                             "cryptocom", "robinhood", "generic"]


def test_the_wrong_format_named_is_an_error() -> None:
    # the line quoted is the header (line 4, after the preamble), and the format it is is named
    assert errors((FIXTURES / "coinbase.csv").read_bytes(), "kraken") == [
        "row 4: no kraken header in the first 20 lines: it needs the columns txid, refid, time, type, asset, "
        "amount, fee; line 4 has: ID, Timestamp, Transaction Type, Asset, Quantity Transacted, Price Currency, Price "
        "at Transaction, Subtotal, Total (inclusive of fees and/or spread), Fees and/…; line 4 is a coinbase header: "
        "use --format coinbase or leave --format out"]  # the header quoted is cut at 160 characters
    assert errors(b"a,b\n1,2\n", "bitstamp") == ["table: unknown format 'bitstamp': use one of coinbase, "
                                                 "coinbase-advanced, kraken, kraken-trades, gemini, binanceus, "
                                                 "cryptocom, robinhood, generic"]


def test_older_coinbase_layout_without_id_gets_content_hash_ids() -> None:
    header = ("Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,Spot Price at Transaction,"
              "Subtotal,Total (inclusive of fees),Fees,Notes")
    line = "2021-12-31T21:39:13Z,Buy,ADA,212.524476,USD,1.1511997794,244.65813,250.00,5.34187,Bought ADA"
    data = f"You can use this transaction report to inform your likely tax obligations.\n\n{header}\n{line}\n"
    imported = import_bytes(data.encode())
    digest = hashlib.sha1("\x1f".join(line.split(",")).encode()).hexdigest()[:12]
    # 250.00 - 5.34187 = 244.65813 (the Subtotal)
    assert brief(imported) == [(4, f"coinbase:{digest}", "2021-12-31T21:39:13Z", "Buy", "ADA", "212.524476",
                                "244.65813", "5.34187", "", "")]


def test_coinbase_convert_on_two_lines_with_one_id() -> None:
    imported = import_bytes(coinbase(
        "6975442d,2026-01-24 22:14:05 UTC,Convert,BTC,0.00084397,USD,$89345.925,$75.40,$77.58,$2.18,",
        "6975442d,2026-01-24 22:14:05 UTC,Convert,USDC,-77.589329,USD,$1.00,$77.58,$77.58,$0.00,"))
    # USDC out (negative), BTC in: USD Value = the BTC line's Subtotal 75.40
    assert brief(imported) == [(6, "coinbase:6975442d", "2026-01-24T22:14:05Z", "Trade", "USDC", "77.589329",
                                "75.4", "", "BTC", "0.00084397")]


def test_coinbase_amounts_not_in_usd_are_not_mapped() -> None:
    imported = import_bytes(coinbase("a1,2025-01-14 09:00:00 UTC,Buy,BTC,0.01,EUR,€90000.00,€900.00,€914.90,€14.90,"
                                     "Bought 0.01 BTC for € 914.90 EUR"))
    assert imported.rows == []
    assert imported.unmapped[0].message == (
        "a Buy of 0.01 BTC on 2025-01-14 has no USD value in the file: enter a Buy of 0.01 BTC with USD Value = its "
        "fair market value in USD at that time (ID coinbase:a1)")


def test_binanceus_newer_header_with_spaces() -> None:
    header = ("User ID,Time,Category,Operation,Order ID,Transaction ID,Primary Asset,Realized Amount For Primary Asset,"
              "Realized Amount for Primary Asset in USD,Base Asset,Realized Amount For Base Asset,Realized Amount For "
              "Base Asset In USD,Quote Asset,Realized Amount for Quote Asset,Realized Amount for Quote Asset in USD,"
              "Fee Asset,Realized Amount for Fee Asset,Realized Amount for Fee Asset in USD,Payment Method,"
              "Withdraw Method,Additional Note")
    line = ("1,2021-05-14 16:08:04,Spot Trading,Buy,o2,tx2,,,,BTC,0.010039,500.75,USD,514.498,514.498,BTC,0.00001004,"
            "0.50,Wallet,,")
    # fee in the BTC bought: 0.010039 - 0.00001004 = 0.01002896 arrive for 514.498 USD; no offset: UTC
    assert brief(import_bytes(f"{header}\n{line}\n".encode())) == [
        (2, "binanceus:tx2", "2021-05-14T16:08:04Z", "Buy", "BTC", "0.01002896", "514.498", "", "", "")]


def test_binanceus_quick_buy_and_convert_pay_the_base_asset() -> None:
    header = (FIXTURES / "binanceus.csv").read_text().split("\n")[0]
    data = "\n".join([
        header,
        # a fixture line of a public Binance.US importer: 27.4684 USD paid for 0.1 BNB, fee 0.14 USD included in it
        "1,2021-03-18T03:49:18.000+00:00,Quick Buy,Buy,cf92,171875688,,,,USD,27.4684,27.4684,BNB,0.1,26.170481,"
        "USD,0.14,0.14,Wallet,,",
        # Convert 0.5 ETH to 1,000.12 USDC, no fee: a Trade at the USDC's USD value
        "1,2024-03-18T03:49:18.000+00:00,Convert,Convert,c1,171875999,,,,ETH,0.5,1001.5,USDC,1000.12,1000.02,,,,"
        "Wallet,,", ""])
    assert brief(import_bytes(data.encode())) == [
        # USD Value = 27.4684 - 0.14 = 27.3284, Fee USD 0.14: the basis is the 27.4684 that left the account
        (2, "binanceus:171875688", "2021-03-18T03:49:18Z", "Buy", "BNB", "0.1", "27.3284", "0.14", "", ""),
        (3, "binanceus:171875999", "2024-03-18T03:49:18Z", "Trade", "ETH", "0.5", "1000.02", "", "USDC", "1000.12")]


def test_kraken_older_header_and_a_fee_in_the_crypto_leg() -> None:
    data = (b'"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"\n'
            b'"L1","T1","2024-01-02 03:04:05","trade","","currency","ZUSD","-100.0000","0.0000","0"\n'
            b'"L2","T1","2024-01-02 03:04:05","trade","","currency","XXBT","0.0025000000","0.0000040000","0"\n'
            b'"L3","T2","2024-02-02 03:04:05","trade","","currency","XXBT","-0.0010000000","0.0000016000","0"\n'
            b'"L4","T2","2024-02-02 03:04:05","trade","","currency","ZUSD","45.0000","0.0000","45"\n')
    assert brief(import_bytes(data)) == [
        (2, "kraken:T1", "2024-01-02T03:04:05Z", "Buy", "BTC", "0.002496", "100", "", "", ""),  # 0.0025 - 0.000004
        (4, "kraken:T2", "2024-02-02T03:04:05Z", "Sell", "BTC", "0.0010016", "45", "", "", ""),  # 0.001 + 0.0000016
    ]


@pytest.mark.parametrize(("code", "ticker"), [("XXBT", "BTC"), ("XBT", "BTC"), ("XXDG", "DOGE"), ("ZUSD", "USD"),
                                              ("XETH", "ETH"), ("ETH2.S", "ETH"), ("DOT.S", "DOT"), ("SOL.F", "SOL"),
                                              ("USD.HOLD", "USD"), ("XTZ", "XTZ"), ("ADA", "ADA"), ("BTC.X", "BTC.X")])
def test_kraken_asset_codes(code: str, ticker: str) -> None:
    assert asset_code(code) == ticker


@pytest.mark.parametrize(("text", "number"), [
    ("$1,234.50", "1234.50"), ("-$12.34", "-12.34"), ("$-12.34", "-12.34"), ("($519.83)", "-519.83"),
    ("0.0101601 BTC ", "0.0101601"), ("(0.07 BTC)", "-0.07"), ("1E-8", "1E-8"), ("€3000.00", "3000.00"),
    (" 42 ", "42"), ("-0.00084397", "-0.00084397")])
def test_exchange_number_text(text: str, number: str) -> None:
    assert parse_number(text, units=True) == Decimal(number)


@pytest.mark.parametrize("text", ["1.2.3", "$", "", "12,34", "0x10", "1 000", "=1+1", "(5"])
def test_not_numbers(text: str) -> None:
    with pytest.raises(FieldError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(("text", "valid"), [("1E+999999", False), ("1E-31", False), ("1E+25", False),
                                             ("1E-18", True), ("9.99E+24", True), ("0E-99", True)])
def test_amounts_out_of_range(text: str, valid: bool) -> None:
    if valid:
        assert parse_number(text) == Decimal(text)
    else:
        with pytest.raises(FieldError, match="is out of range for an amount"):
            parse_number(text)


# -- damaged files: every problem at once, with the file's line --------------------------------
def test_preamble_lines_count_in_error_line_numbers() -> None:
    data = coinbase("a1,2024-01-15 14:20:05 UTC,Buy,BTC,1.2.3,USD,$1,$1,$1,$0,",
                    "a2,2024-13-15 14:20:05 UTC,Buy,BTC,1,USD,$1,$1,$1,$0,",
                    "a3,2024-01-15 14:20:05 UTC,Buy,BTC,1,USD,$1,$1,one,$0,")
    assert errors(data) == [
        "row 5, column Quantity Transacted: '1.2.3' is not a number",
        "row 6, column Timestamp: '2024-13-15 14:20:05 UTC' is not a date and time (expected e.g. 2024-01-02 "
        "10:00:00)",
        "row 7, column Total (inclusive of fees and/or spread): 'one' is not a number"]


def test_a_truncated_line_and_a_cut_off_file() -> None:
    lines = (FIXTURES / "gemini.csv").read_bytes().split(b"\n")
    lines[3] = lines[3][:46]  # line 4 loses its last fields: "2024-03-05,17:40:03.917,Buy,ETHUSD,Limit,Maker"
    lines[10] = lines[10].replace(b"(0.025 BTC)", b"(0.0.25 BTC)")  # line 11: the Sell
    assert errors(b"\n".join(lines)) == [
        "row 4: the line has 6 fields but the header (line 1) has 27: the line is cut off or damaged",
        "row 11, column BTC Amount BTC: '(0.0.25 BTC)' is not a number"]
    data = (FIXTURES / "kraken-ledgers.csv").read_bytes()
    assert errors(data[: data.index(b"TA4RTP") + 3]) == [
        "row 3: the CSV is damaged here (unexpected end of data): a quote is not closed or the file was cut off"]


def test_binary_and_undecodable_files() -> None:
    assert errors(b"txid,refid\n\x00\x01garbage") == ["row 2: the file contains binary data, not CSV text"]
    # 0x81 is neither UTF-8 nor a Windows-1252 character
    assert errors(b"Date,Type\n2024-01-01,Buy\n\x81\xfe") == [
        "row 3: the file is neither UTF-8 nor Windows-1252 text (byte 0x81 on this line cannot be read): save it "
        "from the spreadsheet as CSV UTF-8"]
    assert errors(b"") == ["row 1: the file is empty"]
    assert errors(b"PK\x03\x04\x14\x00") == [
        "row 1: this is an Excel workbook or another zip archive, not CSV text: give the file its .xlsx name so it "
        "is read as a workbook, or save it as CSV UTF-8"]


def test_a_header_that_matches_nothing() -> None:
    # the line quoted is the one most like a header (line 4, with 3 cells), not the title above it
    assert errors(b"\nMy export\n\nDate,Amount,Memo\n2024-01-01,5,x\n") == [
        "row 4: the header matches no known export (coinbase, coinbase-advanced, kraken, kraken-trades, gemini, "
        "binanceus, cryptocom, robinhood, generic); line 4 has: Date, Amount, Memo. Check that this is the "
        "exchange's own CSV, or name the format with --format"]


def test_a_date_in_the_future_names_the_source_line() -> None:
    data = coinbase("a1,2099-01-15 14:20:05 UTC,Buy,BTC,1,USD,$1,$1,$1,$0,")
    assert errors(data) == ["row 5, column Date: 2099-01-15 is in the future; check the year"]


# -- IDs, duplicates, wallet, progress ----------------------------------------------------------
def test_identical_lines_without_an_id_are_one_transaction() -> None:
    header = (FIXTURES / "gemini.csv").read_text().split("\n")[0]
    line = "2024-02-21,09:14:55.102,Buy,BTCUSD,Limit,Taker,35.00 ,($100.00),($0.35),,0.002 BTC ,,,,,,,,,,,,,,,,"
    other = line.replace("0.002 BTC", "0.003 BTC")
    imported = import_bytes("\n".join([header, line, line, other, ""]).encode())
    ids = [row["ID"] for row in imported.rows]
    assert ids == [f"gemini:{hashlib.sha1(chr(0x1f).join(c.strip() for c in cells).encode()).hexdigest()[:12]}"
                   for cells in (line.split(","), other.split(","))]
    assert [str(issue) for issue in imported.warnings] == [
        f"row 3: line 3 is the same transaction as line 2 (ID {ids[0]}): imported once"]
    assert brief(import_bytes("\n".join([header, line, ""]).encode()))[0][1] == ids[0]  # stable


def test_wallet_option_names_the_wallet() -> None:
    imported = load("kraken-ledgers.csv", wallet="Kraken main")
    assert {row["Wallet"] for row in imported.rows} == {"Kraken main"}
    assert "outside Kraken main" in imported.unmapped[2].message


def test_advance_is_called_once_per_data_line() -> None:
    calls: list[int] = []
    import_bytes((FIXTURES / "binanceus.csv").read_bytes(), advance=calls.append)
    assert calls == [1] * 12


# -- CSV injection ------------------------------------------------------------------------------
def test_text_from_the_file_cannot_run_as_a_formula() -> None:
    imported = import_bytes(coinbase(
        '=cmd,2024-03-10 08:00:00 UTC,Staking Income,ETH,0.001,USD,$2500,$2.50,$2.50,$0.00,'
        '"=HYPERLINK(""http://x"",""click"")"',
        "b2,2024-03-11 08:00:00 UTC,Staking Income,@ETH,0.001,USD,$2500,$2.50,$2.50,$0.00,@SUM(1)"),
        wallet="+Wallet")
    assert [(row["ID"], row["Asset"], row["Wallet"], row["Note"]) for row in imported.rows] == [
        ("coinbase:=cmd", "ETH", "'+Wallet", "'=HYPERLINK(\"http://x\",\"click\")"),
        ("coinbase:b2", "'@ETH", "'+Wallet", "'@SUM(1)")]
    for row in imported.rows:
        assert not any(value.startswith(FORMULA_STARTS) for value in row.values()), row


def test_generic_text_is_neutralized_and_numbers_validated() -> None:
    data = b'ID,Date,Type,Asset,Quantity,USD Value,Wallet,Note\n-1,2024-01-02,Buy,BTC,1,100,@w,"=1+1"\n'
    row = import_bytes(data).rows[0]
    assert (row["ID"], row["Wallet"], row["Note"]) == ("'-1", "'@w", "'=1+1")
    assert errors(b"Date,Type,Asset,Quantity,USD Value\n2024-01-02,Buy,BTC,=1+1,100\n") == [
        "row 2, column Quantity: expected a number, found '=1+1'"]
