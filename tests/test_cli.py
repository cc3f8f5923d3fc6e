"""The `cryptotax report` command, run as a user would."""

import json
from importlib.metadata import version
from pathlib import Path

import openpyxl
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
    assert "Long-term          44,950.00       25,050.00            0.00       19,900.00" in lines


def test_json_for_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, str(SAMPLE_HISTORY), "--format", "json", "--year", "2025")
    assert code == 0
    document = json.loads(out)
    assert (document["tax_year"], document["method"]) == (2025, "FIFO")
    assert document["long_term"] == {"proceeds": "35000.00", "cost_basis": "20000.00", "adjustment": "0.00",
                                       "gain": "15000.00"}
    # SOL network fee 0.85 - 0.88 and the laptop 1,900.00 - 875.00
    assert document["short_term"] == {"proceeds": "1900.85", "cost_basis": "875.88", "adjustment": "0.00",
                                        "gain": "1024.97"}
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
        "  row 3, column Date: '2025-02-30' is not a date: February 2025 has 28 days, not 30"]


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


def _workbook(tmp_path: Path, settings: dict[str, object], extra_row: list[object] | None = None) -> Path:
    """A template with the sample, its Settings values changed and maybe a row appended (by openpyxl, as a
    user's edit would; the formulas do not matter to the report)."""
    import openpyxl

    from cryptotax_cli.new import new_workbook

    path = tmp_path / "book.xlsx"
    new_workbook(path, with_sample=True)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Settings"]
    for row in sheet.iter_rows(min_row=4, max_row=20, max_col=2):
        label = row[0].value
        if label in settings:
            row[1].value = settings.pop(label)
        elif label is None and settings:
            row[0].value, row[1].value = settings.popitem()
    if extra_row:
        workbook["Transactions"].append(extra_row)
    workbook.save(path)
    return path


def test_report_reads_the_workbook_and_its_settings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _workbook(tmp_path, {"Tax year": 2026, "Filing status": "mfj", "Other income 2026": 60000})
    assert main(["report", str(path), "--format", "json"]) == 0
    from_workbook = json.loads(capsys.readouterr().out)
    assert main(["report", str(SAMPLE_HISTORY), "--format", "json", "--year", "2026", "--filing-status", "mfj",
                 "--other-income", "60000"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert from_workbook["tax_year"] == 2026
    assert from_workbook["net"]["filing_status"] == "mfj"
    assert from_workbook["tax_estimate"] == from_csv["tax_estimate"]
    assert [d["gain"] for d in from_workbook["disposals"]] == [d["gain"] for d in from_csv["disposals"]]
    # an option given on the command line wins over the workbook's setting
    assert main(["report", str(path), "--format", "json", "--filing-status", "single", "--year", "2025"]) == 0
    overridden = json.loads(capsys.readouterr().out)
    assert (overridden["tax_year"], overridden["net"]["filing_status"]) == (2025, "single")


def test_the_estimate_settings_of_a_workbook_and_the_options_that_win(capsys: pytest.CaptureFixture[str],
                                                                       tmp_path: Path) -> None:
    # the sample's 2025 holds 1,079 of staking and mining (docs/rules.md#ordinary-income)
    path = _workbook(tmp_path, {"Tax year": 2025, "Other income 2025": 85000, "Table income in other income": "yes",
                                "Itemized deduction 2025": 20000})
    assert main(["report", str(path), "--format", "json"]) == 0
    estimate = json.loads(capsys.readouterr().out)["tax_estimate"]
    assert (estimate["ordinary_income"], estimate["table_income"], estimate["table_income_included"]) == (
        "85000.00", "1079.00", True)
    assert (estimate["deduction"], estimate["deduction_itemized"]) == ("20000.00", True)
    assert main(["report", str(path), "--format", "json", "--no-other-income-includes-table",
                 "--itemized-deduction", "2025=25000"]) == 0
    estimate = json.loads(capsys.readouterr().out)["tax_estimate"]
    assert (estimate["ordinary_income"], estimate["table_income_included"], estimate["deduction"]) == (
        "86079.00", False, "25000.00")


def test_report_on_a_workbook_names_the_sheet_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _workbook(tmp_path, {}, ["BAD", "2026-03-01", "Sell", "BTC", 50, 1, None, "Kraken"])
    assert main(["report", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[1] == (
        "  row 25, column Quantity: sells 50 BTC from 'Kraken' on 2026-03-01 but 0 are held there")


def test_report_on_a_damaged_workbook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["report", str(path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_large_amounts_keep_their_columns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n2024-01-02,Buy,BTC,100,100,W\n"
                    "2025-01-03,Sell,BTC,100,14822881.66,W\n")
    assert main(["report", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("2025"))
    assert row.split() == ["2025", "0.00", "14,822,781.66", "14,822,781.66", "0.00", "0.00", "0.00", "0.00"]
    assert len(row) == len(next(line for line in lines if line.startswith("Year")))


# -- what the user meets around the report -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["out.xlsx", "out.XLSM", "out.ods", "out"])
def test_form8949_is_csv_and_says_so_for_any_other_name(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       name: str) -> None:
    out = tmp_path / name
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(out)]) == 2
    assert capsys.readouterr() == ("", f"cryptotax: {out}: the Form 8949 rows are written as CSV: name the file "
                                       f".csv, e.g. form8949-2026.csv (a workbook with a Form 8949 sheet: --workbook "
                                       f"report-2026.xlsx)\n")
    assert not out.exists()


def test_report_says_which_files_it_wrote(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_out, book = tmp_path / "f.csv", tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(csv_out), "--workbook", str(book)]) == 0
    out, err = capsys.readouterr()
    # the sample's 2026: four Form 8949 lines (MSFT, BTC, ETH, BTC)
    assert (out.splitlines()[-2:], err) == ([f"Wrote {csv_out}: Form 8949 of 2026, 4 lines",
                                             f"Wrote {book}: the report workbook of 2026"], "")
    assert main(["report", str(SAMPLE_HISTORY), "--format", "json", "--form8949", str(csv_out), "--force"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["tax_year"] == 2026  # stdout stays one JSON document
    assert err == f"\nWrote {csv_out}: Form 8949 of 2026, 4 lines\n"


def test_version_help_and_not_tax_advice(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"cryptotax {version('cryptotax-excel')}\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "cryptotax is not tax advice" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Read a transaction table (a CSV file or a cryptotax workbook)" in text
    assert "cryptotax is not tax advice" in text


def test_a_sale_of_two_pieces_of_one_lot_is_one_form8949_row(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    # two transfers bring 0.4 and 0.3 BTC of lot B1 (40,000 a unit) to Ledger; selling 0.7 there at 60,000 a
    # unit takes both pieces (FIFO: B1 was acquired before B2): one row of 0.7 BTC, 42,000 - 28,000 = 14,000
    source = tmp_path / "pieces.csv"
    source.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet,To Wallet\n"
                      "B1,2025-01-10,Buy,BTC,1,40000,Coinbase,\nT1,2025-02-01,Transfer,BTC,0.4,,Coinbase,Ledger\n"
                      "B2,2025-02-15,Buy,BTC,1,50000,Ledger,\nT2,2025-03-01,Transfer,BTC,0.3,,Coinbase,Ledger\n"
                      "S1,2025-06-01,Sell,BTC,0.7,42000,Ledger,\n")
    form, book = tmp_path / "f.csv", tmp_path / "r.xlsx"
    assert main(["report", str(source), "--form8949", str(form), "--workbook", str(book), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(item["lot"], item["quantity"]) for item in document["disposals"]] == [("B1", "0.4"), ("B1", "0.3")]
    assert form.read_text().splitlines()[1:] == ["I,0.7 BTC,2025-01-10,2025-06-01,42000.00,28000.00,,,14000.00,short,"
                                                 "6,S1,B1"]
    rows = [row for row in openpyxl.load_workbook(book)["Form 8949"].iter_rows(values_only=True)
            if row[0] and str(row[0]).endswith(" BTC")]
    assert [(row[0], row[3], row[4], row[7]) for row in rows] == [("0.7 BTC", 42000, 28000, 14000)]
