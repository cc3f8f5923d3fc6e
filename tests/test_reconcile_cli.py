"""`cryptotax import FOLDER`, a workbook as the source, and `cryptotax reconcile` run as a user would; the
acceptance test: a history from four exchange layouts imported in one call, reported, and reconciled
against a hand-written 1099-DA with one planted difference of each kind, every figure worked out by hand."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest

from cryptotax_cli.main import main

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
FORM = Path(__file__).parent / "fixtures" / "reconcile" / "coinbase-1099-da-2025.csv"
EXPORTS = ("coinbase.csv", "coinbase-advanced.csv", "coinbase-2025.csv", "kraken-ledgers.csv", "gemini.csv")


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in EXPORTS:
        shutil.copy(IMPORTS / name, folder / name)
    (folder / "notes.txt").write_text("not an export")
    table = tmp_path / "history.csv"
    code, out, err = cli(capsys, "import", folder, "-o", table)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # 3 + 3 + 7 + 3 + 3 rows; 3 + 2 + 4 + 6 + 6 lines to enter (the files' own tests list them)
    assert lines[:8] == [
        "19 rows added, 0 already present, 21 not mapped (see below)", f"created {table}",
        "coinbase-2025.csv read as coinbase: 3 rows, 3 not mapped",
        "coinbase-advanced.csv read as coinbase-advanced: 3 rows, 2 not mapped",
        "coinbase.csv read as coinbase: 7 rows, 4 not mapped", "gemini.csv read as gemini: 3 rows, 6 not mapped",
        "kraken-ledgers.csv read as kraken: 3 rows, 6 not mapped", "notes.txt left out: not a .csv or .xlsx file"]
    assert "  coinbase-2025.csv line 19, column Transaction Type: a Retail Mgx Dex Trade of -2 SOL on 2025-07-20 has " \
           "no other side within two seconds" in "\n".join(lines)
    return table


def test_a_history_from_four_layouts_is_reported(capsys: pytest.CaptureFixture[str], history: Path) -> None:
    code, out, _ = cli(capsys, "report", history, "--year", "2025", "--format", "json")
    assert code == 0
    document = json.loads(out)
    sales = {(sale["row"], sale["quantity"]): (sale["proceeds"], sale["cost_basis"], sale["gain"], sale["term"])
             for sale in document["disposals"]}
    assert sales == {
        # row 7, Coinbase Advanced SELL 0.75 ETH: 2,482.815 - 9.93126 = 2,472.88374 -> 2,472.88; lot 1.25 ETH
        # of 2024-02-02 for 2,876.48 + 17.26 = 2,893.74: x 0.75 / 1.25 = 1,736.244 -> 1,736.24; short (long from
        # 2025-02-03)
        (7, "0.75"): ("2472.88", "1736.24", "736.64", "short"),
        # row 13, Convert 0.5 ETH -> SOL: 1,692.05 received; the lot's other 0.5: 1,157.496 -> 1,157.50
        (13, "0.5"): ("1692.05", "1157.50", "534.55", "long"),
        # row 14, Sell 0.02 BTC: 1,345.14 received; 1,963.76 x 0.02 / 0.04512873 = 870.29
        (14, "0.02"): ("1345.14", "870.29", "474.85", "long"),
        # row 4, Dex Trade 0.05 ETH -> 124.40 USDC: first the staking lot of 2024-03-10, 0.00183412 ETH for 4.61
        # (long), then 0.04816588 of the 0.8 ETH of 2025-01-06 for 2,923.20: x 0.04816588 / 0.8 = 175.998 -> 176.00;
        # proceeds by units: 124.40 x 0.00183412 / 0.05 = 4.563 -> 4.56, 124.40 x 0.04816588 / 0.05 = 119.837 -> 119.84
        (4, "0.00183412"): ("4.56", "4.61", "-0.05", "long"),
        (4, "0.04816588"): ("119.84", "176.00", "-56.16", "short"),
        (17, "0.025"): ("2159.39", "1294.32", "865.07", "short"),  # Gemini, as in test_import_cli
        (20, "0.04"): ("2717.25", "2621.47", "95.78", "long"),  # Kraken, as in test_import_cli
    }
    # short 736.64 + 865.07 - 56.16 = 1,545.55; long 534.55 + 474.85 - 0.05 + 95.78 = 1,105.13
    assert (document["short_term"]["gain"], document["long_term"]["gain"]) == ("1545.55", "1105.13")


def test_the_history_reconciled_with_the_brokers_1099_da(capsys: pytest.CaptureFixture[str], history: Path) -> None:
    """The form (tests/fixtures/reconcile/coinbase-1099-da-2025.csv) plants one difference of each kind:
    line 2 a basis reported that is not ours, line 3 agrees, line 4 proceeds 17.11 higher (Coinbase's
    Subtotal before the fee), line 5 a sale the history lacks (the Dex Trade whose other side is missing),
    and the history's Dex Trade of 2025-05-11 is not on the form."""
    code, out, err = cli(capsys, "reconcile", history, "--broker", FORM)
    assert (code, err) == (0, "")
    form = FORM.name
    assert out.splitlines() == [
        f"history.csv against {form}: tax year 2025, wallet Coinbase",
        "4 sales on the form, 4 in the history: 1 agree; 1 on the form, not in your history; 1 in your history, not "
        "on the form; 1 proceeds differ; 1 basis differs",
        "",
        "Differences:",
        # basis reported 1,800.00, ours 1,736.24: (e) the form's, code B, (g) = 736.64 - (2,472.88 - 1,800.00) = 63.76
        f"  {form} line 2 / row 7: 0.75 ETH sold 2025-01-09: basis differs",
        "    the form reports a basis of 1,800.00 to the IRS, yours is 1,736.24: enter the form's basis in column (e), "
        "code B and the difference in (g), so (h) is your gain",
        "    Form 8949 box G: 0.75 ETH | acquired 2024-02-02 | sold 2025-01-09 | (d) 2,472.88 | (e) 1,800.00 | (f) B | "
        "(g) 63.76 | (h) 736.64",
        # proceeds 1,362.25 against 1,345.14: (d) the form's, code O, (g) = 474.85 - (1,362.25 - 870.29) = -17.11
        f"  {form} line 4 / row 14: 0.02 BTC sold 2025-03-03: proceeds differ",
        "    the form's proceeds are 1,362.25, yours 1,345.14 (+17.11 on the form): if the form is right, correct USD "
        "Value or Fee USD of row 14; if your records are right, enter the form's proceeds in column (d) and the "
        "difference in (g) with code O, and keep the records that show it",
        "    Form 8949 box K: 0.02 BTC | acquired 2024-01-15 | sold 2025-03-03 | (d) 1,362.25 | (e) 870.29 | (f) O | "
        "(g) -17.11 | (h) 474.85",
        "  row 4: 0.05 ETH sold 2025-05-11: in your history, not on the form",
        "    your history has this sale (row 4); the broker's form does not: it goes in box I/L (not on a broker "
        "form); if the broker should have reported it, ask for a corrected form",
        "    Form 8949 box I: 0.04816588 ETH | acquired 2025-01-06 | sold 2025-05-11 | (d) 119.84 | (e) 176.00 | (f) - "
        "| (g) 0.00 | (h) -56.16",
        "    Form 8949 box L: 0.00183412 ETH | acquired 2024-03-10 | sold 2025-05-11 | (d) 4.56 | (e) 4.61 | (f) - | "
        "(g) 0.00 | (h) -0.05",
        f"  {form} line 5: 2 SOL sold 2025-07-20: on the form, not in your history",
        "    the form reports a sale of 2 SOL on 2025-07-20 for 319.00 that your history does not have: import or "
        "enter it (a sale not recorded, or units that came in by a transfer not entered) and reconcile again; the "
        "IRS has these proceeds",
        "",
        "Agree:",
        f"  {form} line 3 / row 13: 0.5 ETH sold 2025-02-14: box K, proceeds 1,692.05, basis 1,157.50, gain 534.55",
        "",
        "Form 8949 by box (these sales):",
        "  box G: proceeds 2,472.88, cost basis 1,800.00, adjustments 63.76, gain 736.64",
        "  box I: proceeds 119.84, cost basis 176.00, adjustments 0.00, gain -56.16",
        # 1,692.05 + 1,362.25 = 3,054.30; 1,157.50 + 870.29 = 2,027.79; 534.55 + 474.85 = 1,009.40
        "  box K: proceeds 3,054.30, cost basis 2,027.79, adjustments -17.11, gain 1,009.40",
        "  box L: proceeds 4.56, cost basis 4.61, adjustments 0.00, gain -0.05",
        "",
        "For `report` to put these sales in the same boxes, give them Broker Reported: basis on row 7; proceeds on "
        "row 13, 14 (or --reported WALLET=... for a whole wallet).",
    ]
    code, out, _ = cli(capsys, "reconcile", history, "--broker", FORM, "--format", "json", "--wallet", "coinbase")
    document = json.loads(out)
    assert document["counts"] == {"agree": 1, "not_in_history": 1, "not_on_form": 1, "proceeds": 1, "basis": 1,
                                  "term": 0}


def test_reconcile_errors(capsys: pytest.CaptureFixture[str], history: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Asset,Date sold,Proceeds\nBTC,2025-03-03,\nETH,3/3/25,lots\n")
    code, out, err = cli(capsys, "reconcile", history, "--broker", bad)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "cryptotax: bad.csv line 2, column Proceeds: the proceeds (box 1f) are missing: write the amount the form "
        "shows",
        "cryptotax: bad.csv line 3, column Proceeds: 'lots' is not a number: write the amount as the form shows it, "
        "e.g. 1234.56"]
    code, _, err = cli(capsys, "reconcile", history, "--broker", tmp_path / "none.csv")
    assert code == 2 and err.startswith(f"cryptotax: cannot read {tmp_path / 'none.csv'}: No such file")
    code, _, err = cli(capsys, "reconcile", history, "--broker", FORM, "--year", "2024")
    assert (code, err) == (2, "cryptotax: the form has no sale in 2024 (its sales are of 2025)\n")


def test_a_folder_imports_once_and_writes_nothing_on_an_error(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(IMPORTS / "kraken-ledgers.csv", folder / "a-ledgers.csv")
    # Kraken's trades.csv names a trade by the txid its ledger entries give as refid: the same transaction
    (folder / "b-trades.csv").write_text(
        '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"\n'
        '"TA4RTP-4TUW5-G5DGTA","O1","XXBTZUSD","2024-03-04 15:19:19.3412","buy","limit",65432.1,6543.21,10.4691,0.1,'
        '0,"","L1"\n')
    code, out, err = cli(capsys, "import", folder, "--format", "kraken")
    assert (code, out) == (2, "")
    assert err == f"cryptotax: --format names one layout, but {folder} is a folder: leave --format out (each file's " \
                  f"format is detected)\n"
    code, out, err = cli(capsys, "import", folder)
    assert code == 0
    assert len(out.splitlines()) == 1 + 3  # the header and the ledgers' 3 rows: the trade once
    assert err.splitlines()[-1] == ("Warning: b-trades.csv line 2 is the same transaction as a-ledgers.csv line 3 (ID "
                                    "kraken:TA4RTP-4TUW5-G5DGTA): imported once")
    broken = (IMPORTS / "gemini.csv").read_bytes().replace(b"(0.025 BTC)", b"(0.0.25 BTC)")
    (folder / "c-broken.csv").write_bytes(broken)
    table = folder / "out.csv"  # an output inside the folder is not read as a source
    code, out, err = cli(capsys, "import", folder, "-o", table)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "cryptotax: c-broken.csv line 11, column BTC Amount BTC: '(0.0.25 BTC)' is not a number",
        f"cryptotax: nothing from {folder} was imported and nothing was written; fix the files above and run again"]
    assert not table.exists()


def test_gemini_from_its_workbook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Gemini's .xlsx read with its cells' own types (openpyxl), not as text Excel would save."""
    path = tmp_path / "gemini.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Time (UTC)", "Type", "Symbol", "Specification", "USD Amount USD", "Fee (USD) USD",
                  "BTC Amount BTC", "Fee (BTC) BTC", "Trade ID"])
    sheet.append([datetime(2024, 2, 21), time(9, 14, 55), "Buy", "BTCUSD", "Limit", -517, -1.81, 0.01, None,
                  98765400001])
    sheet.append([datetime(2024, 8, 8), time(18, 30), "Sell", "BTCUSD", "Limit", 602.5, -1.21, -0.01, None,
                  98765400002])
    book.save(path)
    code, out, err = cli(capsys, "import", path)
    assert code == 0
    # ($517) paid, fee ($1.81): a Buy of 0.01 BTC; $602.50 received, fee ($1.21): a Sell
    assert out.splitlines()[1:] == [
        "gemini:98765400001,2024-02-21T09:14:55Z,Buy,BTC,0.01,517,1.81,Gemini,,,,,,,Gemini Buy BTCUSD Limit",
        "gemini:98765400002,2024-08-08T18:30:00Z,Sell,BTC,0.01,602.5,1.21,Gemini,,,,,,,Gemini Sell BTCUSD Limit"]
    assert err.splitlines()[:2] == ["2 rows, 0 not mapped", "gemini.xlsx read as gemini"]
