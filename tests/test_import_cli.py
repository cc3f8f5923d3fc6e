"""`cryptotax import` run as a user would: rows to stdout, a table CSV created and appended to (its bytes
kept), a workbook that is only read, errors that write nothing, and the acceptance test: four exchanges
into one table and a report over it, checked against figures worked out by hand."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cryptotax_cli.main import main
from cryptotax_core import COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EXCHANGES = ("coinbase.csv", "kraken-ledgers.csv", "gemini.csv", "binanceus.csv")


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_without_output_rows_go_to_stdout_and_the_report_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "import", FIXTURES / "kraken-ledgers.csv")
    assert code == 0
    assert out.splitlines() == [
        ",".join(COLUMNS),
        "kraken:TA4RTP-4TUW5-G5DGTA,2024-03-04T15:19:19.3412Z,Buy,BTC,0.1,6543.21,10.4691,Kraken,,,,,,,"
        "Kraken trade TA4RTP-4TUW5-G5DGTA",
        "kraken:RKB7JQ-2PLWC-ZD4T3N,2024-04-12T08:55:02Z,Buy,ETH,0.08234512,250,3.75,Kraken,,,,,,,"
        "Kraken spend RKB7JQ-2PLWC-ZD4T3N",
        "kraken:TP2MUC-5QHXR-WKZ4LD,2025-06-10T14:02:56Z,Sell,BTC,0.04,2721.6,4.3546,Kraken,,,,,,,"
        "Kraken trade TP2MUC-5QHXR-WKZ4LD"]
    lines = err.splitlines()
    assert lines[:3] == ["3 rows, 6 not mapped (see below)", "kraken-ledgers.csv read as kraken",
                         "Not mapped: enter these by hand (or decide what they are):"]
    assert lines[3].startswith("  kraken-ledgers.csv line 9, column type: a staking reward of 0.00012345 ETH")
    assert lines[-1] == ("Skipped (not taxable, nothing to enter): ledger lines without a txid (failed or pending, "
                         "moved nothing): 1; cash deposits and withdrawals: 2; moves between the exchange's own "
                         "accounts (e.g. spot and staking): 2")


def test_the_same_export_twice_adds_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    table = tmp_path / "history.csv"
    code, out, _ = cli(capsys, "import", FIXTURES / "coinbase.csv", "-o", table)
    assert code == 0
    assert out.splitlines()[:2] == ["7 rows added, 0 already present, 4 not mapped (see below)", f"created {table}"]
    first = table.read_bytes()
    assert first.decode().splitlines()[0] == ",".join(COLUMNS)
    assert len(first.decode().splitlines()) == 1 + 7
    code, out, _ = cli(capsys, "import", FIXTURES / "coinbase.csv", "-o", table)
    assert code == 0
    assert out.splitlines()[:2] == ["0 rows added, 7 already present, 4 not mapped (see below)",
                                    f"{table} is unchanged"]
    assert table.read_bytes() == first


def test_appending_keeps_the_files_bytes_and_its_column_order(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    table = tmp_path / "mine.csv"
    # the user's own table: semicolons, CRLF, no newline at the end, its own column order, an extra column
    old = (b"Note;ID;Date;Type;Asset;Quantity;USD Value;Fee USD;Wallet;Received Asset;Received Quantity;Extra\r\n"
           b"hand entry;H1;2024-01-01;Buy;BTC;1;40000;;Coinbase;;;keep me")
    table.write_bytes(old)
    code, out, _ = cli(capsys, "import", FIXTURES / "kraken-ledgers.csv", "-o", table)
    assert code == 0
    assert out.splitlines()[0] == "3 rows added, 0 already present, 6 not mapped (see below)"
    assert table.read_bytes() == old + (
        b"\r\nKraken trade TA4RTP-4TUW5-G5DGTA;kraken:TA4RTP-4TUW5-G5DGTA;2024-03-04T15:19:19.3412Z;Buy;BTC;0.1;"
        b"6543.21;10.4691;Kraken;;;\r\n"
        b"Kraken spend RKB7JQ-2PLWC-ZD4T3N;kraken:RKB7JQ-2PLWC-ZD4T3N;2024-04-12T08:55:02Z;Buy;ETH;0.08234512;250;"
        b"3.75;Kraken;;;\r\n"
        b"Kraken trade TP2MUC-5QHXR-WKZ4LD;kraken:TP2MUC-5QHXR-WKZ4LD;2025-06-10T14:02:56Z;Sell;BTC;0.04;2721.6;"
        b"4.3546;Kraken;;;\r\n")
    appended = table.read_bytes()
    assert cli(capsys, "import", FIXTURES / "kraken-ledgers.csv", "-o", table)[0] == 0
    assert table.read_bytes() == appended


@pytest.mark.parametrize(("content", "message"), [
    ("ID,Date,Type,Asset,Quantity,USD Value,Wallet\n",
     "lacks the column(s) Fee USD, Note that the imported rows fill: add them to its header (in any place) and run "
     "again; nothing was written"),
    ("Date,Type,Asset,Quantity,USD Value,Fee USD,Wallet,Note\n",
     "has no ID column, so rows already there cannot be recognised: add an ID column to its header, or import into "
     "a new file; nothing was written"),
    ("txid,refid,time\n", "is not a cryptotax transaction table (its header lacks Date, Type, Asset, Quantity): "
                          "choose another output file; nothing was written"),
], ids=["missing-column", "no-id", "not-a-table"])
def test_an_output_file_that_cannot_take_the_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str,
                                                  message: str) -> None:
    table = tmp_path / "out.csv"
    table.write_text(content)
    code, out, err = cli(capsys, "import", FIXTURES / "kraken-ledgers.csv", "-o", table)
    assert (code, out) == (2, "")
    assert err == f"cryptotax: {table} {message}\n"
    assert table.read_text() == content


def test_errors_exit_2_list_every_problem_and_write_nothing(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    source = tmp_path / "coinbase.csv"
    lines = (FIXTURES / "coinbase.csv").read_text().split("\n")
    lines[12] = lines[12].replace(",-0.02,", ",1.2.3,")  # line 13: the Sell
    lines[5] = lines[5].replace("2024-01-15 14:20:05", "2024-01-15 25:20:05")  # line 6: the first Buy
    source.write_text("\n".join(lines))
    table = tmp_path / "history.csv"
    code, out, err = cli(capsys, "import", source, "-o", table)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "cryptotax: coinbase.csv line 6, column Timestamp: '2024-01-15 25:20:05 UTC' is not a date and time "
        "(expected e.g. 2024-01-02 10:00:00)",
        "cryptotax: coinbase.csv line 13, column Quantity Transacted: '1.2.3' is not a number",
        "cryptotax: coinbase.csv was not imported and nothing was written; fix the file (or choose --format) and "
        "run again"]
    assert not table.exists()
    code, _, err = cli(capsys, "import", tmp_path / "missing.csv")
    assert code == 2
    assert err.startswith(f"cryptotax: cannot read {tmp_path / 'missing.csv'}: No such file")


def test_an_output_that_cannot_be_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = cli(capsys, "import", FIXTURES / "gemini.csv", "-o", tmp_path / "no such folder" / "out.csv")
    assert (code, out) == (2, "")
    assert err == f"cryptotax: cannot write {tmp_path / 'no such folder' / 'out.csv'}: No such file or directory; " \
                  f"nothing was written\n"
    assert list(tmp_path.iterdir()) == []


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_workbook_is_only_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    workbook = tmp_path / "taxes.xlsx"
    assert cli(capsys, "new", workbook, "--with-sample")[0] == 0
    before, parts = workbook.read_bytes(), _parts(workbook)
    code, out, _ = cli(capsys, "import", FIXTURES / "gemini.csv", "-o", workbook)
    assert code == 0
    target = tmp_path / "taxes-import.csv"
    assert out.splitlines()[:2] == [
        "3 rows added, 0 already present, 6 not mapped (see below)",
        f"the rows are in {target}, not in the workbook: cryptotax never writes into a workbook. Open "
        f"taxes-import.csv, copy its rows (without the header line) and paste them directly below the last row of "
        f"the Transactions table in taxes.xlsx; the table grows to include them"]
    assert workbook.read_bytes() == before
    assert _parts(workbook) == parts
    assert target.read_text().splitlines()[0] == ",".join(COLUMNS)  # the template's columns are the table's
    assert len(target.read_text().splitlines()) == 1 + 3
    code, _, err = cli(capsys, "import", FIXTURES / "gemini.csv", "-o", workbook)
    assert code == 2
    assert err == (f"cryptotax: {target} exists: paste its rows first, then delete it, or add --force to replace it; "
                   f"nothing was written\n")
    assert cli(capsys, "import", FIXTURES / "gemini.csv", "-o", workbook, "--force")[0] == 0
    assert workbook.read_bytes() == before


def test_rows_already_in_the_workbook_are_left_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    workbook = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Transactions"
    sheet.append(["Date", "ID", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet", "Note"])
    sheet.append(["2024-02-21", "gemini:98765432101", "Buy", "BTC", 0.06012345, 3101.91, 10.86, "Gemini", ""])
    book.save(workbook)
    before = workbook.read_bytes()
    code, out, _ = cli(capsys, "import", FIXTURES / "gemini.csv", "-o", workbook)
    assert code == 0
    assert out.splitlines()[0] == "2 rows added, 1 already present, 6 not mapped (see below)"
    assert (tmp_path / "book-import.csv").read_text().splitlines() == [
        "Date,ID,Type,Asset,Quantity,USD Value,Fee USD,Wallet,Note",
        "2024-03-05T17:40:03.917Z,gemini:98765433310,Buy,ETH,0.5891234,1999.98,4,Gemini,Gemini Buy ETHUSD Limit",
        "2025-02-18T16:22:48.731Z,gemini:98765450011,Sell,BTC,0.025,2166.97,7.58,Gemini,Gemini Sell BTCUSD Limit"]
    assert workbook.read_bytes() == before
    # the user pastes the rows below the table and deletes the import file: importing again finds them all
    book = openpyxl.load_workbook(workbook)
    for line in (tmp_path / "book-import.csv").read_text().splitlines()[1:]:
        book["Transactions"].append(line.split(","))
    book.save(workbook)
    (tmp_path / "book-import.csv").unlink()
    pasted = workbook.read_bytes()
    code, out, _ = cli(capsys, "import", FIXTURES / "gemini.csv", "-o", workbook)
    assert code == 0
    assert out.splitlines()[:2] == ["0 rows added, 3 already present, 6 not mapped (see below)",
                                    "every row is already in book.xlsx: no file written"]
    assert not (tmp_path / "book-import.csv").exists()
    assert workbook.read_bytes() == pasted


def test_four_exchanges_into_one_table_and_a_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The acceptance test: every exchange fixture imported into one table; the report's sales match the
    figures worked out by hand. Each wallet is its own pool; every sale's lot was bought first."""
    table = tmp_path / "history.csv"
    for name in EXCHANGES:
        code, _, _ = cli(capsys, "import", FIXTURES / name, "-o", table)
        assert code == 0, name
    code, out, err = cli(capsys, "report", table, "--format", "json", "--year", "2025")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["warnings"] == []
    sales = {sale["id"]: (sale["kind"], sale["proceeds"], sale["cost_basis"], sale["gain"], sale["term"])
             for sale in document["disposals"]}
    assert sales == {
        # Coinbase Convert 0.5 ETH -> SOL: proceeds = value received 1,692.05 (no fee: paid in the ETH);
        # lot: 1.25 ETH for 2,876.48 + 17.26 = 2,893.74; 2,893.74 x 0.5 / 1.25 = 1,157.496 -> 1,157.50;
        # gain 1,692.05 - 1,157.50 = 534.55; bought 2024-02-02, long-term from 2025-02-03
        "coinbase:67af1c0e4b7d2a0013e8f008": ("trade", "1692.05", "1157.50", "534.55", "long"),
        # Coinbase Sell 0.02 BTC: 1,362.25 - 17.11 = 1,345.14; lot 0.04512873 BTC for 1,934.74 + 29.02 =
        # 1,963.76; 1,963.76 x 0.02 / 0.04512873 = 870.2926... -> 870.29; gain 474.85
        "coinbase:67c5d2a91f3e6b0012d7a009": ("sell", "1345.14", "870.29", "474.85", "long"),
        # Kraken Sell 0.04 BTC: 2,721.60 - 4.3546 = 2,717.2454 -> 2,717.25; lot 0.1 BTC for 6,543.21 + 10.4691 =
        # 6,553.6791; x 0.4 = 2,621.47164 -> 2,621.47; gain 95.78
        "kraken:TP2MUC-5QHXR-WKZ4LD": ("sell", "2717.25", "2621.47", "95.78", "long"),
        # Gemini Sell 0.025 BTC: 2,166.97 - 7.58 = 2,159.39; lot 0.06012345 BTC for 3,101.91 + 10.86 = 3,112.77;
        # 3,112.77 x 0.025 / 0.06012345 = 1,294.3244... -> 1,294.32; gain 865.07; bought 2024-02-21, sold
        # 2025-02-18: short-term (long-term only from 2025-02-22)
        "gemini:98765450011": ("sell", "2159.39", "1294.32", "865.07", "short"),
        # Binance.US Trade 0.3 ETH -> 0.01612 BTC: 1,043.581234 - fee 0.7833 = 1,042.797934 -> 1,042.80;
        # lot 0.75 ETH for 2,495.10 + 1.87068 = 2,496.97068; x 0.3 / 0.75 = 998.788272 -> 998.79; gain 44.01
        "binanceus:179167140": ("trade", "1042.80", "998.79", "44.01", "short"),
        # its fee, 0.002611 BNB spent at 0.7833 -> 0.78; BNB lot 2.498125 for 760.25:
        # 760.25 x 0.002611 / 2.498125 = 0.79460... -> 0.79; loss 0.01
        "binanceus:179167140:fee": ("spend", "0.78", "0.79", "-0.01", "short"),
        # Binance.US Quick Sell 0.01 BTC: the 671.10 USD received is net of the fee (674.46 - 3.36); lot: the
        # 0.01612 BTC from the trade, basis 1,043.581234 (its fair market value); x 0.01 / 0.01612 =
        # 647.38289... -> 647.38; gain 671.10 - 647.38 = 23.72
        "binanceus:190163493": ("sell", "671.10", "647.38", "23.72", "short"),
    }
    # short-term 865.07 + 44.01 - 0.01 + 23.72 = 932.79; long-term 534.55 + 474.85 + 95.78 = 1,105.18
    assert (document["short_term"]["gain"], document["long_term"]["gain"]) == ("932.79", "1105.18")
    code, out, _ = cli(capsys, "report", table, "--format", "json", "--year", "2024")
    document = json.loads(out)
    assert {sale["id"]: (sale["proceeds"], sale["cost_basis"], sale["gain"]) for sale in document["disposals"]} == {
        # the ETH buy's fee: 0.00612 BNB spent at 1.87068 -> 1.87; 760.25 x 0.00612 / 2.498125 = 1.86248... -> 1.86
        "binanceus:125149922:fee": ("1.87", "1.86", "0.01"),
        # the staking service fee: 0.00001 ETH at 0.034567 -> 0.03; 2,496.97068 x 0.00001 / 0.75 = 0.0333 -> 0.03
        "binanceus:17931100": ("0.03", "0.03", "0.00"),
    }
    # staking 4.61 (Coinbase) + 1.52314 (Binance.US) = 6.13314 -> 6.13; interest 1.23; other: Learning Reward
    # 0.63 + referral 0.074321 = 0.704321 -> 0.70
    assert document["income_by_type"] == {"staking": "6.13", "mining": "0.00", "airdrop": "0.00", "interest": "1.23",
                                          "other": "0.70"}
