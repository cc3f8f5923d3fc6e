"""Real exports published by others, as found (see their PROVENANCE.md): each imports, and every row mapped
is compared with its source line, worked out by hand in the comments.

The samples are third-party files, kept outside the repository (CRYPTOTAX_IMPORT_SAMPLES, default the
workplace's shared/import-samples); where they are absent these tests are skipped and say so.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from cryptotax_core.imports import Imported, import_bytes

SAMPLES = Path(os.environ.get("CRYPTOTAX_IMPORT_SAMPLES", "/work/shared/import-samples"))
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"the third-party samples are not at {SAMPLES}")
BRIEF = ("Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD")


def load(path: str) -> Imported:
    return import_bytes((SAMPLES / path).read_bytes())


def brief(imported: Imported) -> list[tuple[object, ...]]:
    return [(line, *(row[column] for column in BRIEF)) for line, row in zip(imported.lines, imported.rows, strict=True)]


def starts(imported: Imported) -> list[tuple[int, str]]:
    """(line, the message's first words) of each line left for the user."""
    return [(issue.row, " ".join(issue.message.split()[:6])) for issue in imported.unmapped]


def test_coinbase_us_report_of_2019() -> None:
    """The older US report: MM/DD/YYYY dates (the rows get the date alone), `249.73 USD` amounts, a `0 USD`
    Subtotal, no fee column: a Buy's USD Value is the Total paid, a Sell's the Total received."""
    imported = load("coinbase/yabc-2019-ustax-usd.csv")
    assert imported.format == "coinbase"
    assert brief(imported) == [
        (9, "2015-10-06", "Buy", "BTC", "1", "249.73", ""),  # 1 x 247.26 spot + 2.47 fee = 249.73 USD total
        (10, "2015-10-07", "Buy", "BTC", "3", "743.77", ""),
        (11, "2015-10-12", "Buy", "BTC", "4", "1005.52", ""),
        (17, "2015-11-26", "Sell", "BTC", "8", "2700", ""),  # 8 x 342.11 = 2,736.88 before the fee; 2,700 received
        (18, "2017-05-24", "Buy", "ETH", "1.21855962", "246.52", ""),
        (19, "2017-05-31", "Buy", "ETH", "9.66415249", "2261.61", ""),
        (20, "2017-05-31", "Buy", "ETH", "6", "1398.08", ""),
        (24, "2018-02-01", "Buy", "LTC", "7.82768791", "1000", ""),
    ]
    # the five Receive and Send lines of BTC and three Sends of ETH: only the user knows where they went
    assert starts(imported) == [
        (12, "a deposit of 0.001 BTC into"), (13, "a withdrawal of 0.001 BTC on"), (14, "a deposit of 0.003 BTC into"),
        (15, "a withdrawal of 0.003 BTC on"), (16, "a deposit of 0.00694214 BTC into"),
        (21, "a withdrawal of 0.10048038 ETH on"), (22, "a withdrawal of 0.10047163 ETH on"),
        (23, "a withdrawal of 16.6817601 ETH on")]
    assert (imported.skipped, imported.warnings) == ({}, [])


def test_coinbase_2023_in_euros() -> None:
    """Detected, and nothing mapped: the amounts are EUR and the importer never guesses a USD price."""
    imported = load("coinbase/sidekick-2023-example2-eur.csv")
    assert (imported.format, imported.rows) == ("coinbase", [])
    assert starts(imported) == [(9, "a withdrawal of 0.00205323 BTC on"), (10, "a Buy of 0.00213232 ETH on"),
                                (11, "a deposit of 0.00000001 ETH into"),  # the file's 1.0e-08
                                (12, "a Convert of 0.00052203 ETH to")]


def test_gemini_2015_to_2018() -> None:
    imported = load("gemini/yabc-2015-2018.csv")
    assert brief(imported) == [
        (2, "2015-10-16T06:27:56.14Z", "Buy", "BTC", "0.2092", "53.62", "0.13"),  # ($53.62), fee ($0.13)
        (3, "2018-01-02T02:30:10.102Z", "Sell", "BTC", "0.03447186", "489.45", "1.22"),  # $489.45, fee ($1.22)
        (4, "2018-09-01T06:27:56.14Z", "Buy", "ETH", "1", "285", "0.13"),
        (5, "2018-10-01T02:30:10.102Z", "Sell", "ETH", "1", "230", "1.22"),
        (6, "2018-10-01T06:27:56.14Z", "Buy", "ZEC", "1", "130.62", "0.13"),  # ZEC's fee column is `Fee ZEC`
        (7, "2018-11-01T02:30:10.102Z", "Sell", "ZEC", "1", "120.45", "1.22"),
    ]
    assert imported.unmapped == []


def test_kraken_trades_of_2021() -> None:
    """trades.csv, 13 names and 14 fields (the second ledger ID): read, not refused. Every pair is against
    EUR or USDC, so each is listed with the quantities to enter."""
    imported = load("kraken/cointaxman-2021-trades.csv")
    assert (imported.format, imported.rows) == ("kraken-trades", [])
    messages = [issue.message for issue in imported.unmapped]
    # buy: cost 997.40670 + fee 2.59326 = 999.99996 EUR paid for vol 0.03441778 BTC
    assert messages[0].startswith("a trade of 999.99996 EUR for 0.03441778 BTC on 2021-02-02")
    # sell: cost 8.05962 - fee 0.02096 = 8.03866 USDC received for 0.00023108 BTC
    assert messages[1].startswith("a trade of 0.00023108 BTC for 8.03866 USDC on 2021-02-02")
    # buy: cost 8.01781 + fee 0.02085 = 8.03866 USDC paid for 0.00020519 BTC
    assert messages[2].startswith("a trade of 8.03866 USDC for 0.00020519 BTC on 2021-02-08")


def test_kraken_ledgers_of_2021() -> None:
    imported = load("kraken/feelhip-2021-ledgers-10col.csv")
    assert imported.rows == []
    assert starts(imported) == [
        (3, "a staking reward of 0.00528919 DOT"),  # DOT.S is DOT
        (5, "a staking reward of 0.00397192 DOT"),
        (6, "a trade of 0.006396588 BTC for"),  # 0.00638 + fee 0.000016588 leave for 1,000 MANA
        (8, "a trade of 0.004090608 BTC for"),  # 0.00408 + fee 0.000010608
        (10, "a trade of 2000 DOGE for"),  # 1,994.81354167 + fee 5.18645833 = 2,000 XXDG
        (13, "a staking reward of 0.00530133 DOT")]
    assert imported.skipped == {"ledger lines without a txid (failed or pending, moved nothing)": 3}


def test_binanceus_distributions_of_2021() -> None:
    """39 lines: every Referral Commission in a crypto is Income of the Primary amount at the file's USD value
    (the rule checked line by line against the file as csv reads it), the three paid in USD are listed, and
    the Quick Sell is worked out by hand."""
    data = (SAMPLES / "binanceus/winksaville-2021-distributions.csv").read_bytes()
    imported = import_bytes(data)
    source = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    rows = dict(zip(imported.lines, imported.rows, strict=True))
    for line, cells in enumerate(source, start=2):
        if cells["Operation"] != "Referral Commission" or cells["Primary_Asset"] == "USD":
            continue
        row = rows.pop(line)
        assert (row["Type"], row["Asset"], row["Quantity"], row["USD Value"]) == (
            "Income", cells["Primary_Asset"], cells["Realized_Amount_For_Primary_Asset"].rstrip("0").rstrip("."),
            cells["Realized_Amount_For_Primary_Asset_In_USD_Value"]), line
    # line 3, Quick Sell: 1,141.5 ADA for 1,289.5062 USD, already net of the 6.48 USD fee:
    # USD Value = 1,289.5062 + 6.48 = 1,295.9862, Fee USD 6.48: the amount realized is the 1,289.5062 received
    assert {line: (row["Type"], row["Asset"], row["Quantity"], row["USD Value"], row["Fee USD"])
            for line, row in rows.items()} == {3: ("Sell", "ADA", "1141.5", "1295.9862", "6.48")}
    assert [(issue.row, issue.message.split(" (")[0]) for issue in imported.unmapped] == [
        (8, "0.16 USD paid in cash on 2021-01-01"), (13, "0.1543 USD paid in cash on 2021-01-01"),
        (40, "1.1976 USD paid in cash on 2021-04-18")]
    assert len(imported.rows) == 36  # 39 lines less the 3 in USD
