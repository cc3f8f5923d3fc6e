"""Wherever proceeds, basis and gain are shown together, the adjustment is too, so proceeds - basis +
adjustment = gain on every line: the report table, the report workbook's Summary and TAXSUMMARY.

The history is Pub. 550's partial replacement (docs/rules.md#wash-sales; tests/test_wash_sales.py): 100
shares bought for 1,000 and sold for 750, 40 bought back within 30 days: 40/100 of the 250 loss (100) is
disallowed, so the line reads 750 - 1,000 + 100 = -150.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from addin.convert import clear_cache
from addin.functions import TAXSUMMARY
from cryptotax_cli.main import main

ROWS = [["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Wallet", "Class"],
        ["B1", "2025-01-02", "Buy", "XYZ", "100", "1000", "Broker", "Stock"],
        ["S1", "2025-03-01", "Sell", "XYZ", "100", "750", "Broker", "Stock"],
        ["B2", "2025-03-10", "Buy", "XYZ", "40", "400", "Broker", "Stock"]]


@pytest.fixture
def wash_sale(tmp_path: Path) -> Path:
    path = tmp_path / "wash.csv"
    path.write_text("\n".join(",".join(row) for row in ROWS) + "\n")
    return path


def test_the_report_table_shows_the_adjustment(capsys: pytest.CaptureFixture[str], wash_sale: Path) -> None:
    assert main(["report", str(wash_sale)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index("Tax year 2025 (FIFO)") + 1
    assert lines[header:header + 3] == [
        "                    Proceeds      Cost basis      Adjustment       Gain/loss",
        "Short-term            750.00        1,000.00          100.00         -150.00",
        "Long-term               0.00            0.00            0.00            0.00"]


def test_the_report_workbook_summary_shows_the_adjustment(capsys: pytest.CaptureFixture[str], wash_sale: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    assert main(["report", str(wash_sale), "--workbook", str(out)]) == 0
    rows = [row[:5] for row in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)]
    start = rows.index(("Tax year 2025", "Proceeds", "Cost basis", "Adjustment", "Gain or loss"))
    assert rows[start + 1:start + 4] == [("Short-term", 750, 1000, 100, -150), ("Long-term", 0, 0, 0, 0),
                                         ("Total", 750, 1000, 100, -150)]


def test_taxsummary_shows_the_adjustment() -> None:
    clear_cache()
    rows = dict((label, value) for label, value in TAXSUMMARY(ROWS, 2025))
    assert [rows[f"Short-term {what}"] for what in ("proceeds", "cost basis", "adjustment", "gain")] == [
        750.0, 1000.0, 100.0, -150.0]
    assert [rows[f"Long-term {what}"] for what in ("proceeds", "cost basis", "adjustment", "gain")] == [0.0] * 4
