"""`cryptotax report --workbook OUT.xlsx`: the report as a workbook of values, checked against the JSON report."""

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cryptotax_cli import progress
from cryptotax_cli.arguments import build_parser
from cryptotax_cli.commands import compute_report
from cryptotax_cli.main import main
from cryptotax_cli.report_workbook import SHEETS, report_workbook
from cryptotax_core.samples import SAMPLE_HISTORY


def write_report(capsys: pytest.CaptureFixture[str], source: Path, out: Path, *args: str) -> dict[str, Any]:
    """Write the workbook and return the JSON report of the same run."""
    assert main(["report", str(source), "--workbook", str(out), "--format", "json", *args]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def rows_of(sheet: Any) -> dict[str, tuple[Any, ...]]:
    """Each row's cells by the text in its first column (the label)."""
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str)}


def test_sheets_and_figures_match_the_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    document = write_report(capsys, SAMPLE_HISTORY, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Form 8949", "Schedule D", "Lots", "Income", "Warnings"] == list(SHEETS)

    summary = rows_of(book["Summary"])
    assert summary["Tax year 2026"][:4] == ("Proceeds", "Cost basis", "Adjustment", "Gain or loss")
    # 2026 long-term: 0.5 BTC sold for 45,000 - 50 fee, bought for 25,000 + 50 fee
    assert summary["Long-term"][:4] == (44950.0, 25050.0, 0, 19900.0)
    for label, key in (("Short-term", "short_term"), ("Long-term", "long_term")):
        totals = document[key]
        assert summary[label][:4] == tuple(float(totals[field]) for field in ("proceeds", "cost_basis", "adjustment",
                                                                               "gain"))
    assert summary["Net gain or loss (line 16)"][0] == float(document["net"]["total"]) == 27171.50
    assert summary["Airdrop"][0] == float(document["income_by_type"]["airdrop"]) == 180.0

    form = rows_of(book["Form 8949"])
    for box, totals in document["form8949_totals"].items():
        line = form[f"Total box {box}"]
        assert (line[2], line[3], line[6]) == (float(totals["proceeds"]), float(totals["cost_basis"]),
                                               float(totals["gain"]))
    # box I: BTC-3 sold for 90,000 (basis 80,000) and 5 ETH 12,487.50 (basis 16,016): 102,487.50 / 96,016 / 6,471.50
    assert (form["Total box I"][2], form["Total box I"][3], form["Total box I"][6]) == (102487.5, 96016.0, 6471.5)
    assert "Part I (short-term), box I: digital assets not reported on Form 1099-DA" in form
    assert "Part II (long-term), box L: digital assets not reported on Form 1099-DA" in form
    assert form["10 MSFT"][:2] == (datetime(2026, 4, 1), datetime(2026, 10, 15))  # real dates

    schedule = rows_of(book["Schedule D"])
    assert {label.removeprefix("Line "): values[1] for label, values in schedule.items()
            if label.startswith("Line ") and label != "Line"} == {
        line: float(amount) for line, amount in document["schedule_d"].items()}

    lots = [row for row in book["Lots"].iter_rows(min_row=4, values_only=True)]
    assert [(row[0], row[2], row[5], row[6]) for row in lots] == [
        (lot["asset"], lot["lot"], float(lot["quantity"]), float(lot["cost_basis"])) for lot in document["lots"]]
    income = [row for row in book["Income"].iter_rows(min_row=4, values_only=True)]
    assert income == [(datetime(2026, 2, 10), "Airdrop", "JUP", 200, 180.0, "Phantom", 19, "JUP-AD1"),
                      ("Total", None, None, None, 180.0, None, None, None)]
    assert book["Warnings"]["A4"].value == "No warnings"


def test_values_only_with_formats_and_frozen_headers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    write_report(capsys, SAMPLE_HISTORY, out)
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    form = book["Form 8949"]
    assert form.freeze_panes == "A4"  # title, note and the column titles stay in view
    assert [cell.value for cell in form[3]][:3] == ["Description (a)", "Date acquired (b)", "Date sold (c)"]
    assert form["D5"].value == 4800.0 and form["D5"].number_format == "#,##0.00"
    assert form["B5"].number_format == "yyyy-mm-dd"
    assert form.column_dimensions["A"].width >= len("Description (a)")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "xl/charts/chart1.xml" in names and not any("vba" in name.lower() for name in names)
    assert "<c:barChart>" in chart and "Summary!$B$" in chart and "Summary!$C$" in chart


def test_text_from_the_table_is_neutralized(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "evil.csv"
    source.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\n"
                      "=1+1,2025-01-02,Buy,BTC,1,100,@SUM(1)\n"
                      "+S,2025-02-03,Sell,BTC,0.5,80,@SUM(1)\n")
    out = tmp_path / "report.xlsx"
    write_report(capsys, source, out)
    book = openpyxl.load_workbook(out)
    sale = next(row for row in book["Form 8949"].iter_rows(min_row=5) if row[0].value == "0.5 BTC")
    assert [(cell.value, cell.data_type) for cell in sale[9:13]] == [
        ("'@SUM(1)", "s"), (3, "n"), ("'+S", "s"), ("'=1+1", "s")]
    lot = [cell.value for cell in book["Lots"][4]]
    assert lot[:3] == ["BTC", "'@SUM(1)", "'=1+1"]


def test_the_same_input_gives_the_same_bytes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first, second = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    write_report(capsys, SAMPLE_HISTORY, first)
    write_report(capsys, SAMPLE_HISTORY, second)
    assert first.read_bytes() == second.read_bytes()
    _, report = compute_report(build_parser().parse_args(["report", str(SAMPLE_HISTORY)]))
    assert report_workbook(report) == first.read_bytes()


def test_a_loss_year_with_carryover_and_tax_estimate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "loss.csv"
    source.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n"
                      "2025-01-02,Buy,BTC,1,20000,W\n2025-06-01,Sell,BTC,1,10000,W\n")
    out = tmp_path / "loss.xlsx"
    document = write_report(capsys, source, out, "--other-income", "50000")
    summary = rows_of(openpyxl.load_workbook(out)["Summary"])
    # a net short-term loss of 10,000: 3,000 deducted, 7,000 carried into 2026 as short-term
    # (docs/rules.md#netting-the-loss-limit-and-carryover)
    assert summary["Net short-term (line 7)"][0] == -10000.0
    assert summary["Loss deducted this year"][0] == 3000.0
    assert summary["Loss carried to 2026, short-term"][0] == 7000.0
    assert summary["Loss carried to 2026, long-term"][0] == 0.0
    assert summary["Total federal tax"][0] == float(document["tax_estimate"]["total_tax"])
    assert summary["Of it due to capital results"][0] == float(document["tax_estimate"]["capital_gains_tax"])
    schedule = rows_of(openpyxl.load_workbook(out)["Schedule D"])
    assert (schedule["Line 7"][1], schedule["Line 16"][1], schedule["Line 21"][1]) == (-10000.0, -10000.0, -3000.0)


def test_quantities_a_spreadsheet_cannot_hold_exactly_stay_text(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    source = tmp_path / "wei.csv"
    source.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n"
                      "2025-01-02,Buy,ETH,1.123456789012345678,3000,W\n2025-01-03,Buy,BTC,0.25,20000,W\n")
    out = tmp_path / "lots.xlsx"
    write_report(capsys, source, out, "--year", "2025")
    lots = {row[0]: row[5] for row in openpyxl.load_workbook(out)["Lots"].iter_rows(min_row=4, values_only=True)}
    assert lots == {"ETH": "1.123456789012345678", "BTC": 0.25}  # 19 significant digits: exact text


def test_never_replaces_a_file_without_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out, csv_out = tmp_path / "report.xlsx", tmp_path / "f8949.csv"
    out.write_bytes(b"mine")
    code = main(["report", str(SAMPLE_HISTORY), "--workbook", str(out), "--form8949", str(csv_out)])
    assert code == 2
    assert capsys.readouterr().err == (f"cryptotax: {out} exists: choose another name or add --force to replace "
                                       f"it\n")
    assert out.read_bytes() == b"mine" and not csv_out.exists()  # nothing half-written
    assert main(["report", str(SAMPLE_HISTORY), "--workbook", str(out), "--force"]) == 0
    assert zipfile.is_zipfile(out)


def test_never_writes_over_the_input_or_a_non_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cryptotax_cli.new import new_workbook

    book = tmp_path / "taxes.xlsx"
    new_workbook(book, with_sample=True)
    before = book.read_bytes()
    assert main(["report", str(book), "--workbook", str(book), "--force"]) == 2
    assert capsys.readouterr().err == f"cryptotax: {book} is the input table: write the output to another file\n"
    assert book.read_bytes() == before
    assert main(["report", str(SAMPLE_HISTORY), "--workbook", str(tmp_path / "r.xlsm")]) == 2
    assert capsys.readouterr().err == f"cryptotax: {tmp_path / 'r.xlsm'}: the report workbook must be a .xlsx file\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["report", str(SAMPLE_HISTORY), "--workbook", str(tmp_path / "a.xlsx"), "--form8949",
            str(tmp_path / "a.csv")]
    assert main(args) == 0
    assert capsys.readouterr().err == ""  # not a terminal: quiet
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0)  # draw at once, as a long report would
    assert main([*args, "--force"]) == 0
    drawn = terminal.getvalue()
    assert "\rreading rows [" in drawn and "23/23\n" in drawn  # the sample's 23 rows
    assert "\rwriting Form 8949 [" in drawn and "4/4\n" in drawn  # 2026: four disposals
    assert "\rwriting the workbook [" in drawn


def test_a_year_of_buys_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "buys.csv"
    source.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n2025-01-02,Buy,ETH,2,6000,W\n"
                      "2025-01-03,Buy,BTC,0.25,20000,W\n")
    out = tmp_path / "2025.xlsx"
    write_report(capsys, source, out, "--year", "2025")
    book = openpyxl.load_workbook(out)
    summary = rows_of(book["Summary"])
    assert summary["Short-term"][:4] == summary["Long-term"][:4] == (0, 0, 0, 0)
    assert "No disposals or income in 2025" in summary and summary["Staking"][0] == 0
    assert book["Schedule D"]["A4"].value == "No disposals or income in 2025"
    assert book["Form 8949"]["A4"].value == "No disposals in 2025"
    assert book["Lots"].max_row == 3 + 2  # the two lots bought


def test_a_year_without_data_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "2030.xlsx"
    assert main(["report", str(SAMPLE_HISTORY), "--year", "2030", "--workbook", str(out)]) == 2
    assert capsys.readouterr() == ("", "cryptotax: no data in 2030 (--year): the table's transactions cover 2024 to "
                                       "2026; give a year of those\n")
    assert not out.exists()


def test_output_to_a_folder_or_into_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "reports.xlsx"
    folder.mkdir()
    assert main(["report", str(SAMPLE_HISTORY), "--workbook", str(folder), "--force"]) == 2
    assert capsys.readouterr().err == (f"cryptotax: {folder} is a folder: give the name of a file to write, e.g. "
                                       f"{folder / 'out'}\n")
    missing = tmp_path / "missing" / "r.xlsx"
    assert main(["report", str(SAMPLE_HISTORY), "--workbook", str(missing)]) == 2
    assert capsys.readouterr().err == (f"cryptotax: {missing.parent} is not a folder: create it first or choose "
                                       f"another path for r.xlsx\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["reports.xlsx"]


def test_a_long_warning_gets_the_lines_it_wraps_into(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # a crypto sale at a loss with a purchase within 30 days: a warning of over 200 characters, and an empty row
    source = tmp_path / "warned.csv"
    source.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\nB1,2025-01-10,Buy,ETH,2,8000,Coinbase\n"
                      "S1,2025-03-01,Sell,ETH,1,3000,Coinbase\n,,,,,,\nB2,2025-03-10,Buy,ETH,1,2900,Coinbase\n")
    out = tmp_path / "warned.xlsx"
    write_report(capsys, source, out)
    sheet = openpyxl.load_workbook(out)["Warnings"]
    warned = {sheet.cell(row, 3).value: sheet.row_dimensions[row].height for row in range(4, sheet.max_row + 1)}
    long, short = sorted(warned, key=len, reverse=True)
    assert short == "empty row skipped" and warned[short] is None  # one line: the default height
    # the text wraps at the column's 60 characters, 56 counted a line: ceil(len / 56) lines of 15 points
    assert len(long) > 200 and warned[long] == 15 * -(-len(long) // 56)
    assert sheet.cell(4, 1).alignment.vertical == sheet.cell(4, 2).alignment.vertical == "top"
