"""`cryptotax demo`: the whole job on the bundled sample, as a user runs it."""

import csv
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import cryptotax_cli.demo
from cryptotax_cli.main import main

FILES = ["cryptotax-sample.xlsx", "form8949-2025.csv", "report-2025.json", "report.xlsx"]


@pytest.fixture(autouse=True)
def in_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo runs on 2026-11-22: the sample's 2026 is not over, its latest complete year is 2025."""
    monkeypatch.setattr(cryptotax_cli.demo, "today", lambda: date(2026, 11, 22))


def demo(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["demo", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_writes_the_four_files_and_prints_the_summary(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, err = demo(capsys, "--out", str(folder))
    assert (code, err) == (0, "")
    assert sorted(path.name for path in folder.iterdir()) == FILES
    lines = out.splitlines()
    assert lines[:2] == ["cryptotax demo: the bundled sample history, tax year 2025 in detail:",
                         "  the latest complete year (2026 is not over: cryptotax report --year 2026 shows it)"]
    # 2025 short-term: the spent laptop 1,900.00 - 10 SOL x 87.50 (35,000 / 400) = 1,025.00, and the 0.01 SOL
    # network fee 0.85 - 0.875 (0.88 in cents) = -0.03: 1,024.97. Long-term: 10 ETH bought 2024-02-12 for
    # 20,000, traded 2025-04-07 at 35,000: 15,000.00. Income: mining 200 + staking 375 + 504 = 1,079.00.
    assert "2025       1,024.97    15,000.00    16,024.97       0.00        0.00        0.00    1,079.00" in lines
    # 2026 short-term: BTC-3 (80,000) sold for 90,000 = 10,000; 5 ETH 12,500 - 12.50 fee - (16,000 + 16) =
    # -3,528.50; MSFT 4,800 - 4,000 = 800: 7,271.50. Long-term: 0.5 BTC 45,000 - 50 - (25,000 + 50) = 19,900.
    assert "2026       7,271.50    19,900.00    27,171.50       0.00        0.00        0.00      180.00" in lines
    assert "Tax year 2025 (FIFO)" in lines
    assert "Short-term          1,900.85          875.88            0.00        1,024.97" in lines
    assert lines[-5:] == [f"Files written to {folder}:", *(f"  {folder / name}" for name in
                                                            ["cryptotax-sample.xlsx", "report.xlsx",
                                                             "form8949-2025.csv", "report-2025.json"])]
    document = json.loads((folder / "report-2025.json").read_text())
    assert (document["tax_year"], document["long_term"]["gain"], document["short_term"]["gain"]) == (
        2025, "15000.00", "1024.97")
    with (folder / "form8949-2025.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["Box"], row["ID"], row["Gain or Loss"]) for row in rows] == [
        ("I", "SOL-T1", "-0.03"), ("I", "SOL-SP1", "1025.00"), ("L", "SWAP-1", "15000.00")]
    sample = openpyxl.load_workbook(folder / "cryptotax-sample.xlsx")
    assert sample["Transactions"]["A2"].value == "ETH-1"
    report = openpyxl.load_workbook(folder / "report.xlsx")
    assert report.sheetnames[:2] == ["Summary", "Form 8949"]


def test_once_the_year_is_over_the_demo_details_it(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cryptotax_cli.demo, "today", lambda: date(2027, 1, 2))
    code, out, _ = demo(capsys, "--out", str(tmp_path))
    assert code == 0
    assert out.splitlines()[:2] == ["cryptotax demo: the bundled sample history, tax year 2026 in detail:",
                                    "  the latest year with disposals"]
    assert (tmp_path / "form8949-2026.csv").exists()


def test_demo_refuses_to_replace_files_without_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "report.xlsx").write_bytes(b"my own workbook")
    code, out, err = demo(capsys, "--out", str(folder))
    assert (code, out) == (2, "")
    assert err == (f"cryptotax: {folder / 'report.xlsx'} exists: choose another folder or add --force to replace "
                   f"it\n")
    # nothing half-written: the other three files were not created either, the user's file is untouched
    assert [path.name for path in folder.iterdir()] == ["report.xlsx"]
    assert (folder / "report.xlsx").read_bytes() == b"my own workbook"

    code, _, _ = demo(capsys, "--out", str(folder), "--force")
    assert code == 0
    assert sorted(path.name for path in folder.iterdir()) == FILES
    assert (folder / "report.xlsx").read_bytes()[:2] == b"PK"  # replaced by the report workbook

    code, _, err = demo(capsys, "--out", str(folder))
    assert code == 2
    assert err.startswith(f"cryptotax: {folder / 'cryptotax-sample.xlsx'}, {folder / 'report.xlsx'}, ")
    assert err.endswith(" exist: choose another folder or add --force to replace them\n")


def test_demo_out_must_be_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "taken"
    path.write_text("a file")
    code, _, err = demo(capsys, "--out", str(path))
    assert (code, err) == (2, f"cryptotax: {path} is a file, not a folder: choose another --out\n")
    assert path.read_text() == "a file"


def test_demo_default_folder_is_in_the_current_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = demo(capsys)
    assert code == 0
    assert sorted(path.name for path in (tmp_path / "cryptotax-demo").iterdir()) == FILES
