"""`cryptotax harvest`, `compare` and `whatif`, run as a user would. Figures as in test_harvest.py and
test_compare.py (2026 single brackets; ordinary tax on 100,000 = 16,712)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cryptotax_cli.main import main

LOSSES = """ID,Date,Type,Asset,Quantity,USD Value,Wallet
BTC-1,2025-01-10,Buy,BTC,1,10000,Coinbase
BTC-S,2026-03-01,Sell,BTC,1,15000,Coinbase
ETH-1,2026-02-01,Buy,ETH,10,30000,Coinbase
SOL-1,2026-06-01,Buy,SOL,100,10000,Ledger
"""
THREE_LOTS = """ID,Date,Type,Asset,Quantity,USD Value,Wallet
L,2024-01-10,Buy,BTC,1,10000,Coinbase
M,2024-06-10,Buy,BTC,1,90000,Coinbase
H,2025-04-01,Buy,BTC,1,100000,Coinbase
S1,2026-03-01,Sell,BTC,1,120000,Coinbase
S2,2026-06-01,Sell,BTC,1,120000,Coinbase
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def losses(tmp_path: Path) -> Path:
    path = tmp_path / "losses.csv"
    path.write_text(LOSSES)
    return path


@pytest.fixture
def three_lots(tmp_path: Path) -> Path:
    path = tmp_path / "three.csv"
    path.write_text(THREE_LOTS)
    return path


def test_harvest_prints_the_lots_the_ranking_and_the_plan(capsys: pytest.CaptureFixture[str], losses: Path) -> None:
    code, out, err = run(capsys, "harvest", str(losses), "--price", "ETH=2000", "--price", "sol=50", "--as-of",
                         "2026-11-22", "--other-income", "100000")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # as it is: long-term 5,000 at 15% = 750 on 16,712; AMT: AMTI 105,000 + 16,100 = 121,100 less the 90,100
    # exemption = 31,000: 26% x 26,000 (the ordinary part) + 750 = 7,510 < 17,462, none
    assert ("Realized so far: short-term 0.00, long-term 5,000.00; carryover in 0.00 short, 0.00 long; estimated "
            "federal tax 17,462.00 (AMT 0.00)") in lines
    assert "  The estimate's ordinary income 100,000.00 = your other income 100,000.00 + the table's income 0.00" \
        in lines
    assert ("ETH-1  ETH    Coinbase  2026-02-01        10   30,000.00  20,000.00  -10,000.00  short  2027-02-02 "
            "(72 days)") in lines
    # ETH saves 1,410 and needs 8 of its 10 units; SOL then saves nothing more and adds 5,000 to the carryover
    assert "1  ETH-1  ETH    Coinbase  10,000.00  short   1,410.00  yes        1,410.00    2,000.00  ETH-1:8" in lines
    assert "2  SOL-1  SOL    Ledger     5,000.00  short     750.00  no             0.00    5,000.00" in lines
    assert ("Plan: sell 1 on 2026-11-22 (record each sale's Lot IDs): tax saved 1,410.00; carryover into 2027: "
            "2,000.00") in lines


def test_harvest_json(capsys: pytest.CaptureFixture[str], losses: Path) -> None:
    code, out, _ = run(capsys, "harvest", str(losses), "--price", "ETH=2000", "--price", "SOL=50", "--as-of",
                       "2026-11-22", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["year"]["estimated_tax"] is None  # no --other-income
    assert [(c["lot"], c["tax_saved"], c["loss_used"], c["in_plan"], c["lot_ids"]) for c in document["candidates"]] \
        == [("ETH-1", None, "8000.00", True, "ETH-1:8"), ("SOL-1", None, "5000.00", False, "SOL-1:100")]
    assert document["notes"][-1].startswith("tax figures need the year's other income")


def test_harvest_needs_prices_and_a_date_in_the_year(capsys: pytest.CaptureFixture[str], losses: Path) -> None:
    assert run(capsys, "harvest", str(losses)) == (
        2, "", "cryptotax: give the prices to value the lots at: --price BTC=91000 (repeat for each asset)\n")
    assert run(capsys, "harvest", str(losses), "--price", "ETH")[2] == (
        "cryptotax: 'ETH' is not a price: write ASSET=USD, e.g. BTC=91000\n")
    assert run(capsys, "harvest", str(losses), "--price", "ETH=2000", "--as-of", "2026-11-22", "--year", "2025")[2] \
        == "cryptotax: --as-of 2026-11-22 is not in --year 2025: give one of them\n"
    with pytest.raises(SystemExit) as exited:
        main(["harvest", str(losses), "--price", "ETH=2000", "--as-of", "2026-02-30"])
    assert exited.value.code == 2
    assert "argument --as-of: '2026-02-30' is not a date" in capsys.readouterr().err


def test_harvest_of_an_earlier_year_is_planned_as_of_its_last_day(capsys: pytest.CaptureFixture[str],
                                                                   losses: Path) -> None:
    code, out, _ = run(capsys, "harvest", str(losses), "--price", "BTC=5000", "--year", "2025")
    assert code == 0
    assert "planning date 2025-12-31 · tax year 2025 · FIFO · filing status single" in out.splitlines()


def test_compare_prints_every_method_and_the_best_lots(capsys: pytest.CaptureFixture[str], three_lots: Path) -> None:
    code, out, _ = run(capsys, "compare", str(three_lots), "--other-income", "100000")
    assert code == 0
    lines = out.splitlines()
    # test_compare.py works these out (FIFO: NIIT on modified AGI with the 16,100 standard deduction)
    assert "FIFO                       0.00  140,000.00  140,000.00      0.00           0.00  0.00  39,843.80" in lines
    assert "HIFO                  20,000.00   30,000.00   50,000.00      0.00           0.00  0.00  25,898.00" in lines
    assert "Best identification        0.00   50,000.00   50,000.00      0.00           0.00  0.00  24,212.00" in lines
    assert "The estimates' ordinary income 100,000.00 = your other income 100,000.00 + the table's income 0.00" \
        in lines
    assert "  5  S1  2026-03-01  BTC    Coinbase         1  M:1            0.00  30,000.00" in lines
    assert "  6  S2  2026-06-01  BTC    Coinbase         1  H:1            0.00  20,000.00" in lines


def test_compare_json_for_a_year(capsys: pytest.CaptureFixture[str], three_lots: Path) -> None:
    code, out, _ = run(capsys, "compare", str(three_lots), "--year", "2026", "--other-income", "2026=100000",
                       "--format", "json")
    document = json.loads(out)
    assert (code, document["tax_year"]) == (0, 2026)
    assert [(m["label"], m["year"]["estimated_tax"]) for m in document["methods"]] == [
        ("FIFO", "39843.80"), ("LIFO", "25898.00"), ("HIFO", "25898.00"), ("LOFO", "39843.80")]
    assert [s["lot_ids"] for s in document["best"]["sales"]] == ["M:1", "H:1"]


def test_whatif_previews_a_sale(capsys: pytest.CaptureFixture[str], three_lots: Path) -> None:
    code, out, _ = run(capsys, "whatif", str(three_lots), "--asset", "btc", "--quantity", "1", "--price", "85000",
                       "--as-of", "2026-11-20", "--other-income", "100000")
    assert code == 0
    lines = out.splitlines()
    assert "sell 1 BTC from Coinbase on 2026-11-20 at 85,000.00 (proceeds 85,000.00); Coinbase holds 1 BTC" in lines
    # under FIFO, S1 and S2 took L and M: H is left, a long-term loss of 15,000 that offsets long-term gain:
    # 15,000 x 15% = 2,250 and NIIT on 15,000 less above 200,000 (3.8% = 570): 2,820 less tax; the year
    # without it: 39,843.80 (test_compare.py)
    assert "Tax year 2026 without the sale: net 140,000.00; estimated federal tax 39,843.80 (AMT 0.00)" in lines
    assert "FIFO (yours)     H:1      -15,000.00        0.00  -15,000.00   -2,820.00           0.00      -15,000.00" \
        in lines


def test_whatif_mistakes(capsys: pytest.CaptureFixture[str], three_lots: Path) -> None:
    assert run(capsys, "whatif", str(three_lots), "--asset", "BTC", "--quantity", "2", "--price", "BTC=85000",
               "--as-of", "2026-11-20")[2] == "cryptotax: 'Coinbase' holds 1 BTC at the end of 2026-11-20, not 2\n"
    assert run(capsys, "whatif", str(three_lots), "--asset", "BTC", "--quantity", "1", "--price", "ETH=85000")[2] == (
        "cryptotax: --price ETH=85000 is not a price of BTC\n")
    assert run(capsys, "whatif", str(three_lots), "--asset", "ADA", "--quantity", "1", "--price", "1", "--as-of",
               "2026-11-20")[2] == "cryptotax: no wallet holds ADA at the end of 2026-11-20\n"
