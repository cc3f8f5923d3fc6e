"""The tax estimate where users read it: `cryptotax report` (table and JSON), the report workbook, the
Settings range, and the year position of the planning commands (docs/rules.md#the-tax-estimate)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from conftest import TODAY, buy, rows_to_table, run, sell

from cryptotax_cli.main import main
from cryptotax_core import compute, parse_table
from cryptotax_core.options import SettingsError, options_from_pairs
from cryptotax_core.planning import harvest, year_position
from cryptotax_core.settings import Settings
from cryptotax_core.tax import TaxSettings, tax_years
from cryptotax_core.tax.amt import AMT_NOTE
from cryptotax_core.tax.netting import Carryover

D = Decimal

# 2025: 0.5 BTC bought in 2023 for 11,000, sold for 48,000 (long-term 37,000); 12,940 of staking
STAKING_2025 = """ID,Date,Type,Asset,Quantity,USD Value,Fee USD,Wallet
B1,2023-03-01,Buy,BTC,1,22000,,Coinbase
B2,2023-06-10,Buy,ETH,10,18000,,Coinbase
S1,2025-02-14,Sell,BTC,0.5,48000,,Coinbase
R1,2025-03-31,Staking,ETH,1.2,2940,,Coinbase
R2,2025-06-30,Staking,ETH,1.5,4000,,Coinbase
R3,2025-09-30,Staking,ETH,2,6000,,Coinbase
"""
# 2025 single, other income 95,000 + the staking 12,940 = ordinary 107,940:
#   17,651 + 24% x 4,590 = 18,752.60; the 37,000 long-term gain all at 15% (107,940 > 48,350) = 5,550:
#   regular 24,302.60 (all 144,940 at ordinary rates: 27,632.60). MAGI 144,940 + 15,750 = 160,690: no NIIT.
#   AMTI 160,690 - 88,100 = 72,590; line 17: 35,590 x 26% = 9,253.40 + 5,550 = 14,803.40 < 24,302.60: no AMT.
# Without the staking (95,000 alone) the estimate would be 15,814 + 5,550 = 21,364: 2,938.60 too low.


def report(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["report", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def staking(tmp_path: Path) -> Path:
    path = tmp_path / "staking.csv"
    path.write_text(STAKING_2025)
    return path


def test_report_counts_the_staking_income_and_says_so(capsys: pytest.CaptureFixture[str], staking: Path) -> None:
    code, out, _ = report(capsys, staking, "--other-income", "2025=95000")
    assert code == 0
    lines = out.splitlines()
    assert "Ordinary income 12,940.00 (Staking 12,940.00)" in lines
    at = lines.index("Tax estimate: ordinary income 107,940.00 = your other income 95,000.00 + the table's income "
                     "12,940.00")
    assert lines[at + 1:at + 5] == [
        "  taxable income 144,940.00; standard deduction 15,750.00, modified AGI 160,690.00",
        "  regular tax 24,302.60 (ordinary 18,752.60, long-term 5,550.00); NIIT 0.00",
        "  AMT 0.00 (AMTI 160,690.00, exemption 88,100.00, tentative minimum tax 14,803.40)",
        "Estimated federal tax 24,302.60; 5,550.00 of it due to capital results"]
    assert not any(line.startswith("  Note: AMT") for line in lines)  # no AMT, standard deduction: no note


def test_json_fields_of_the_estimate(capsys: pytest.CaptureFixture[str], staking: Path) -> None:
    code, out, _ = report(capsys, staking, "--other-income", "2025=95000", "--format", "json")
    estimate = json.loads(out)["tax_estimate"]
    assert code == 0
    assert estimate == {
        "year": 2025, "filing_status": "single", "other_income": "95000.00", "table_income": "12940.00",
        "ordinary_income": "107940.00", "short_term": "0.00", "long_term": "37000.00",
        "capital_loss_deduction": "0.00", "taxable_income": "144940.00", "deduction": "15750.00",
        "modified_agi": "160690.00", "ordinary_tax": "18752.60", "long_term_tax": "5550.00",
        "regular_tax": "24302.60", "amti": "160690.00", "amt_exemption": "88100.00",
        "tentative_minimum_tax": "14803.40", "amt": "0.00", "niit": "0.00", "total_tax": "24302.60",
        "baseline_tax": "18752.60", "capital_gains_tax": "5550.00", "table_income_included": False,
        "deduction_itemized": False, "amt_note": None}


def test_other_income_that_includes_the_staking(capsys: pytest.CaptureFixture[str], staking: Path) -> None:
    code, out, _ = report(capsys, staking, "--other-income", "2025=107940", "--other-income-includes-table",
                          "--format", "json")
    estimate = json.loads(out)["tax_estimate"]
    # the 107,940 already holds the 12,940: the same 24,302.60 as 95,000 + 12,940, not 107,940 + 12,940
    assert (code, estimate["ordinary_income"], estimate["table_income_included"]) == (0, "107940.00", True)
    assert estimate["total_tax"] == "24302.60"
    _, out, _ = report(capsys, staking, "--other-income", "2025=107940", "--other-income-includes-table")
    assert ("Tax estimate: ordinary income 107,940.00: your other income, which includes the table's income "
            "12,940.00") in out.splitlines()


def test_an_itemized_deduction_on_the_command_line(capsys: pytest.CaptureFixture[str], staking: Path) -> None:
    code, out, _ = report(capsys, staking, "--other-income", "2025=95000", "--itemized-deduction", "2025=30000",
                          "--format", "json")
    estimate = json.loads(out)["tax_estimate"]
    # MAGI 144,940 + 30,000 = 174,940; Form 6251 adds nothing back for an itemizer: AMTI 144,940, no AMT, and the
    # note says what is left out
    assert (code, estimate["deduction"], estimate["deduction_itemized"], estimate["modified_agi"]) == (
        0, "30000.00", True, "174940.00")
    assert (estimate["amti"], estimate["amt"], estimate["amt_note"]) == ("144940.00", "0.00", AMT_NOTE)
    code, _, err = report(capsys, staking, "--other-income", "95000", "--itemized-deduction", "-5")
    assert code == 2
    assert err == ("cryptotax: --itemized-deduction is the positive total of your itemized deductions: leave it out "
                   "for the standard deduction\n")


def test_amt_is_its_own_line_with_its_note(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "amt.csv"
    path.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\nB,2020-03-01,Buy,BTC,20,100000,Coinbase\n"
                    "S,2026-03-02,Sell,BTC,10,1050000,Coinbase\n")
    code, out, _ = report(capsys, path, "--other-income", "2026=60000")
    lines = out.splitlines()
    # tests/tax/test_amt.py works this case through Form 6251: AMT 11,874
    assert code == 0
    assert "  AMT 11,874.00 (AMTI 1,076,100.00, exemption 0.00, tentative minimum tax 195,511.00)" in lines
    assert "Estimated federal tax 228,802.80; 220,890.80 of it due to capital results" in lines
    assert f"  Note: {AMT_NOTE}" in lines


def test_the_report_workbook_shows_the_split_and_the_amt(capsys: pytest.CaptureFixture[str], staking: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    assert main(["report", str(staking), "--workbook", str(out), "--other-income", "2025=95000",
                 "--itemized-deduction", "2025=30000"]) == 0
    capsys.readouterr()
    rows: dict[str, tuple[Any, ...]] = {row[0]: row[1:] for row in openpyxl.load_workbook(out)["Summary"].iter_rows(
        values_only=True) if isinstance(row[0], str)}
    assert [rows[label][0] for label in ("Your other income", "The table's income", "Ordinary income used",
                                         "Itemized deduction", "Modified AGI", "Alternative minimum tax",
                                         "Total federal tax")] == [95000, 12940, 107940, 30000, 174940, 0, 24302.6]
    assert f"Note: {AMT_NOTE}" in rows


def test_settings_labels_of_the_estimate() -> None:
    options = options_from_pairs([["Other income 2025", 95000.0], ["Table income in other income", "yes"],
                                  ["Itemized deduction 2025", 30000.0], ["Itemized deduction 2026", 0.0]])
    assert options.tax.other_income_includes_table is True
    assert options.tax.itemized_deduction == {2025: 30000}  # 0 is a blank cell: the standard deduction
    assert options_from_pairs([]).tax.other_income_includes_table is False
    with pytest.raises(SettingsError, match="Settings 'Itemized deduction 2025': an itemized deduction is a "
                                            "positive amount"):
        options_from_pairs([["Itemized deduction 2025", -1.0]])
    with pytest.raises(SettingsError, match="Settings 'Table income in other income': write yes or no"):
        options_from_pairs([["Table income in other income", "maybe"]])


def test_carryover_line_1_from_the_year_s_figures() -> None:
    """docs/rules.md#the-carryover-worksheets-line-1: 2025, a short-term loss of 10,000 and 2,000 of staking;
    other income -4,000 (the deduction above the wages). Ordinary income -4,000 + 2,000 = -2,000; line 1 =
    -2,000 - 3,000 = -5,000; line 3 = max(0, -5,000 + 3,000) = 0: none of the deduction counts as used, all
    10,000 carries (taken as large enough, 7,000 would)."""
    rows = [buy("B", "2025-01-02", "BTC", "1", "30000"), sell("S", "2025-06-01", "BTC", "1", "20000"),
            {"ID": "R", "Date": "2025-03-01", "Type": "Staking", "Asset": "ETH", "Quantity": "1", "USD Value": "2000",
             "Wallet": "Coinbase"}]
    result = run(rows)
    assert tax_years(result)[2025].netting.carryover_out == Carryover(D(7000), D(0))
    years = tax_years(result, TaxSettings(other_income={2025: D(-4000)}))
    assert years[2025].netting.carryover_out == Carryover(D(10000), D(0))
    # the position planning starts from sees the same line 1 and the year's staking
    position = year_position(result, TaxSettings(other_income={2025: D(-4000)}), 2025)
    assert position.table_income == 2000
    assert position.outcome().netting == years[2025].netting


def test_harvest_sees_the_year_s_income_events() -> None:
    """2026 single, other income 40,000 and 6,000 of USDC staking; a long-term gain of 8,000 realized and an
    ETH lot worth 3,000 less than its basis.

    As it stands: ordinary 46,000: 1,240 + 12% x 33,600 = 5,272; the gain from 46,000: 3,450 at 0% (to 49,450)
    and 4,550 at 15% = 682.50: 5,954.50 (line 24, all 54,000 at ordinary rates: 5,800 + 22% x 3,600 = 6,592).
    Selling the ETH: short-term -3,000 against long-term 8,000: net capital gain 5,000 from 46,000: 3,450 at 0%
    and 1,550 at 15% = 232.50: 5,504.50; it saves 450. (Without the staking the gain would sit in the 0% band
    and the sale would save nothing.)
    """
    rows = [buy("B", "2024-01-02", "BTC", "1", "2000"), sell("S", "2026-02-01", "BTC", "1", "10000"),
            buy("E", "2026-05-01", "ETH", "2", "8000"),
            {"ID": "R", "Date": "2026-03-01", "Type": "Staking", "Asset": "USDC", "Quantity": "6000",
             "USD Value": "6000", "Wallet": "Coinbase"}]
    header, cells = rows_to_table(rows)
    transactions = parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions
    tax = TaxSettings(other_income={2026: D(40000)})
    found = harvest(transactions, Settings(), tax, date(2026, 11, 20), {"ETH": D(2500)})
    assert found.base.estimate is not None
    assert (found.base.estimate.table_income, found.base.estimate.ordinary_income) == (6000, 46000)
    assert found.base.tax == D("5954.50")
    assert [(candidate.value.lot.lot_id, candidate.tax_saved) for candidate in found.candidates] == [("E", 450)]
    estimate = tax_years(compute(transactions, Settings()), tax)[2026].estimate
    assert estimate is not None and estimate.total_tax == found.base.tax
