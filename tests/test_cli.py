"""The `cryptotax report` command, run as a user would."""

import json
from pathlib import Path

import pytest

from cryptotax_cli.main import main
from cryptotax_core.samples import SAMPLE_HISTORY


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_shows_every_year_and_the_latest_in_detail(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, str(SAMPLE_HISTORY))
    assert code == 0
    lines = out.splitlines()
    # 2024: AAPL +1,100.00 and DOGE 2,097.90 - 4,004.00 = -1,906.10; staking 150
    assert "2024        -806.10         0.00      -806.10     806.10        0.00        0.00      150.00" in lines
    assert "Tax year 2026 (FIFO)" in lines
    assert "Long-term          44,950.00       25,050.00       19,900.00" in lines


def test_json_for_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, str(SAMPLE_HISTORY), "--format", "json", "--year", "2025")
    assert code == 0
    document = json.loads(out)
    assert (document["tax_year"], document["method"]) == (2025, "FIFO")
    assert document["long_term"] == {"proceeds": "35000.00", "cost_basis": "20000.00", "gain": "15000.00"}
    # SOL network fee 0.85 - 0.88 and the laptop 1,900.00 - 875.00
    assert document["short_term"] == {"proceeds": "1900.85", "cost_basis": "875.88", "gain": "1024.97"}
    assert document["ordinary_income"] == "1079.00"
    swap = document["disposals"][0]
    assert {k: swap[k] for k in ("id", "asset", "quantity", "acquired", "disposed", "gain", "term", "lot")} == {
        "id": "SWAP-1", "asset": "ETH", "quantity": "10", "acquired": "2024-02-12", "disposed": "2025-04-07",
        "gain": "15000.00", "term": "long", "lot": "ETH-1"}
    btc_lots = [lot for lot in document["lots"] if lot["asset"] == "BTC"]
    assert [(lot["lot"], lot["quantity"]) for lot in btc_lots] == [
        ("BTC-1", "1"), ("BTC-2", "1"), ("BTC-3", "1"), ("BTC-K1", "0.5"), ("BTC-M1", "0.002")]


def test_bad_input_exits_2_listing_every_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n"
                    "2025-01-01,Buy,BTC,1,100,Coinbase\n"
                    "2025-02-30,Buy,BTC,1,100,Coinbase\n"
                    "2025-03-01,Sell,BTC,3,100,Coinbase\n")
    code, out, err = report(capsys, str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"cryptotax: {path} cannot be computed; fix these and run again:",
        "  row 3, column Date: '2025-02-30' is not a date: write it as YYYY-MM-DD (e.g. 2025-03-14)"]


def test_engine_problems_are_listed_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n2025-01-01,Buy,BTC,1.2,100,Coinbase\n"
                    "2025-03-01,Sell,BTC,2.5,100,Coinbase\n")
    code, _, err = report(capsys, str(path))
    assert code == 2
    assert err.splitlines()[1] == ("  row 3, column Quantity: sells 2.5 BTC from 'Coinbase' on 2025-03-01 but 1.2 are "
                                   "held there")


def test_unknown_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = report(capsys, str(SAMPLE_HISTORY), "--tz", "Mars/Base")
    assert (code, err) == (2, "cryptotax: unknown time zone 'Mars/Base': use an IANA name such as America/New_York\n")


def test_unknown_method(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(SAMPLE_HISTORY), "--method", "2024=BEST"])
    assert exit_info.value.code == 2
    assert "unknown method 'BEST': use FIFO, LIFO, HIFO, LOFO or SPECIFIC" in capsys.readouterr().err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = report(capsys, str(tmp_path / "nope.csv"))
    assert code == 2
    assert "table: cannot read" in err and "No such file or directory" in err


def test_method_per_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, str(SAMPLE_HISTORY), "--format", "json", "--method", "HIFO", "--method",
                          "2026=LIFO")
    assert code == 0
    assert json.loads(out)["method"] == "LIFO"


def test_new_creates_a_workbook_and_never_replaces_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "taxes.xlsx"
    assert main(["new", str(path), "--with-sample"]) == 0
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Start", "Transactions", "Settings"]
    assert workbook["Transactions"]["A2"].value == "ETH-1"
    size = path.stat().st_size
    capsys.readouterr()
    assert main(["new", str(path)]) == 2
    assert capsys.readouterr().err == (f"cryptotax: {path} exists: choose another name; cryptotax new never "
                                       f"replaces a file\n")
    assert path.stat().st_size == size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taxes.xlsx"]  # no temporary file left
