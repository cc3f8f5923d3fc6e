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


def test_harvest_prints_the_plan_first_then_the_ranking(capsys: pytest.CaptureFixture[str], losses: Path) -> None:
    code, out, err = run(capsys, "harvest", str(losses), "--price", "ETH=2000", "--price", "sol=50", "--as-of",
                         "2026-11-22", "--other-income", "100000")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # ETH saves 1,410 and needs 8 of its 10 units; SOL then saves nothing more and adds 5,000 to the carryover
    assert lines[:4] == [
        "cryptotax harvest losses.csv: planning date 2026-11-22 · tax year 2026 · FIFO · filing status single",
        "Plan: sell 1 lot on 2026-11-22 (rank 1): tax saved 1,410.00; carryover into 2027: 2,000.00",
        "  The lots to sell, by asset and wallet (record their Lot IDs on the Sell rows):",
        "  8 ETH from Coinbase: ETH-1:8"]
    # as it is: long-term 5,000 at 15% = 750 on 16,712; AMT: AMTI 105,000 + 16,100 = 121,100 less the 90,100
    # exemption = 31,000: 26% x 26,000 (the ordinary part) + 750 = 7,510 < 17,462, none. With the plan: the
    # 3,000 deduction, tax on 97,000 = 16,052
    assert "Realized so far: short-term 0.00, long-term 5,000.00; carryover in 0.00 short, 0.00 long" in lines
    assert "  Estimated federal tax 17,462.00 as it stands (AMT 0.00), 16,052.00 with the plan (AMT 0.00)" in lines
    assert ("  The estimates' ordinary income 100,000.00 = your other income 100,000.00 + the table's income "
            "0.00") in lines
    assert "1  ETH-1  ETH    Coinbase  10,000.00  short   1,410.00  yes        1,410.00    2,000.00  ETH-1:8" in lines
    assert "2  SOL-1  SOL    Ledger     5,000.00  short     750.00  no             0.00    5,000.00" in lines
    # ETH 10 x 2,000 + SOL 100 x 50 = 25,000 against 40,000 of basis; the lots themselves only with --all
    assert lines[-1] == "Open lots at your prices: 2, worth 25,000.00, unrealized gain -15,000.00 (--all lists them)"
    assert not any(line.startswith("ETH-1  ETH    Coinbase  2026-02-01") for line in lines)


def test_harvest_lists_the_top_candidates_and_all_of_them_when_asked(capsys: pytest.CaptureFixture[str],
                                                                     losses: Path) -> None:
    prices = ("--price", "ETH=2000", "--price", "SOL=50", "--as-of", "2026-11-22")
    lines = run(capsys, "harvest", str(losses), *prices, "--top", "1")[1].splitlines()
    assert "Harvest candidates, ranked by the loss the year can use when sold alone: the first 1 of 2 (--top N, " \
           "--all)" in lines
    assert not any(line.startswith("2  SOL-1") for line in lines)
    lines = run(capsys, "harvest", str(losses), *prices, "--all")[1].splitlines()
    assert any(line.startswith("2  SOL-1") for line in lines)
    assert ("ETH-1  ETH    Coinbase  2026-02-01        10   30,000.00  20,000.00  -10,000.00  short  2027-02-02 "
            "(72 days)") in lines
    with pytest.raises(SystemExit):
        main(["harvest", str(losses), *prices, "--top", "0"])
    assert "argument --top: '0' is not a count: write a whole number such as 10" in capsys.readouterr().err


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
    assert out.splitlines()[0] == ("cryptotax harvest losses.csv: planning date 2025-12-31 · tax year 2025 · FIFO · "
                                   "filing status single")


def test_compare_prints_the_answer_the_methods_and_how_to_reproduce_them(capsys: pytest.CaptureFixture[str],
                                                                        three_lots: Path) -> None:
    code, out, _ = run(capsys, "compare", str(three_lots), "--other-income", "100000")
    assert code == 0
    lines = out.splitlines()
    # test_compare.py works these out (FIFO: NIIT on modified AGI with the 16,100 standard deduction)
    assert lines[1] == "Lowest estimated tax 24,212.00: the best identification; your FIFO: 39,843.80"
    assert "FIFO                 39,843.80        0.00  140,000.00  140,000.00      0.00     0.00  0.00" in lines
    assert "HIFO                 25,898.00   20,000.00   30,000.00   50,000.00      0.00     0.00  0.00" in lines
    assert "Best identification  24,212.00        0.00   50,000.00   50,000.00      0.00     0.00  0.00" in lines
    assert "The estimates' ordinary income 100,000.00 = your other income 100,000.00 + the table's income 0.00" \
        in lines
    assert "  HIFO                 --method 2026=HIFO" in lines
    assert "  Best identification  --method 2026=FIFO, with the Lot IDs below recorded on the year's sales" in lines
    assert "  5  S1  2026-03-01  BTC    Coinbase         1  M:1" in lines
    assert "  6  S2  2026-06-01  BTC    Coinbase         1  H:1" in lines
    assert "Carryover into 2026: 0.00 short-term, 0.00 long-term (earlier years keep your settings)" in lines
    assert max(len(line) for line in lines[:lines.index("To get a row from report: cryptotax report three.csv "
                                                         "--year 2026 [the options given here] and")]) <= 100


@pytest.mark.parametrize(("method", "lot_ids", "tax"), [
    ("HIFO", {}, "25,898.00"),
    ("FIFO", {"S1": "M:1", "S2": "H:1"}, "24,212.00"),  # the best identification with its Lot IDs recorded
], ids=["a-method", "the-best-identification"])
def test_report_with_the_options_compare_names_gives_the_rows_figures(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, method: str, lot_ids: dict[str, str], tax: str) -> None:
    header, *rows = THREE_LOTS.splitlines()
    path = tmp_path / "recorded.csv"
    path.write_text("\n".join([header + ",Lot IDs", *(row + "," + lot_ids.get(row.split(",")[0], "") for row in rows)]))
    out = run(capsys, "report", str(path), "--year", "2026", "--method", f"2026={method}", "--other-income",
              "2026=100000")[1]
    assert f"Estimated federal tax {tax};" in out


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
    # under FIFO, S1 and S2 took L and M: H is left, a long-term loss of 15,000 that offsets long-term gain:
    # 15,000 x 15% = 2,250 and NIIT on 15,000 less above 200,000 (3.8% = 570): 2,820 less tax; the year
    # without it: 39,843.80 (test_compare.py). Every choice takes H, the only lot.
    assert lines[:2] == [
        "cryptotax whatif three.csv: sell 1 BTC from Coinbase on 2026-11-20 at 85,000.00 (proceeds 85,000.00)",
        "Best: your FIFO, tax change -2,820.00: no lot choice found does better; sell without Lot IDs"]
    assert ("FIFO (yours)     -15,000.00  long        0.00  -15,000.00   -2,820.00           0.00      -15,000.00"
            "     1") in lines
    assert "The best lot choice takes the lots your FIFO takes: H:1" in lines
    assert ("Coinbase holds 1 BTC on 2026-11-20; tax year 2026 without the sale: net 140,000.00; estimated") in lines


def test_whatif_names_the_better_lots_and_every_choices_with_lots(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\n"
                    "CHEAP,2025-01-10,Buy,BTC,1,40000,Coinbase\nDEAR,2025-02-10,Buy,BTC,1,60000,Coinbase\n")
    options = ("whatif", str(path), "--asset", "BTC", "--quantity", "0.5", "--price", "70000", "--as-of",
               "2026-11-20", "--other-income", "90000")
    lines = run(capsys, *options)[1].splitlines()
    # both lots long-term: FIFO sells half of CHEAP (gain 35,000 - 20,000 = 15,000), HIFO half of DEAR (5,000);
    # 15% of each: 2,250 and 750, so DEAR saves 1,500
    assert lines[1] == "Best: Best lot choice, tax change +750.00, 1,500.00 less than your FIFO (Lot IDs below)"
    assert lines[lines.index("Lot IDs to record on the Sell row for the best lot choice (every choice's: --lots):")
                 + 1] == "  DEAR:0.5"
    lines = run(capsys, *options, "--lots")[1].splitlines()
    start = lines.index("Lot IDs of each choice:")
    assert lines[start + 1:start + 6] == ["  FIFO             CHEAP:0.5", "  LIFO             DEAR:0.5",
                                          "  HIFO             DEAR:0.5", "  LOFO             CHEAP:0.5",
                                          "  Best lot choice  DEAR:0.5"]


def test_whatif_mistakes(capsys: pytest.CaptureFixture[str], three_lots: Path) -> None:
    assert run(capsys, "whatif", str(three_lots), "--asset", "BTC", "--quantity", "2", "--price", "BTC=85000",
               "--as-of", "2026-11-20")[2] == "cryptotax: 'Coinbase' holds 1 BTC at the end of 2026-11-20, not 2\n"
    assert run(capsys, "whatif", str(three_lots), "--asset", "BTC", "--quantity", "1", "--price", "ETH=85000")[2] == (
        "cryptotax: --price ETH=85000 is not a price of BTC\n")
    assert run(capsys, "whatif", str(three_lots), "--asset", "ADA", "--quantity", "1", "--price", "1", "--as-of",
               "2026-11-20")[2] == "cryptotax: no wallet holds ADA at the end of 2026-11-20\n"


LATER_LOT_IDS = """ID,Date,Type,Asset,Quantity,USD Value,Wallet,Lot IDs
L,2024-01-10,Buy,BTC,1,10000,Coinbase,
H,2024-06-10,Buy,BTC,1,90000,Coinbase,
S1,2026-03-01,Sell,BTC,1,95000,Coinbase,
S2,2026-06-01,Sell,BTC,1,95000,Coinbase,H:1
"""


def test_a_choice_that_cannot_be_made_is_named_with_the_reason(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    # S2 names lot H: under LIFO and HIFO, S1 would take H first and leave S2 short
    path = tmp_path / "later.csv"
    path.write_text(LATER_LOT_IDS)
    lines = run(capsys, "compare", str(path), "--year", "2026", "--other-income", "100000")[1].splitlines()
    # FIFO: S1 takes L (95,000 - 10,000), S2 its H (5,000): 90,000 long-term; 16,712 + 13,500 + NIIT 3.8% x
    # (190,000 + 16,100 - 200,000) = 231.80: 30,443.80
    assert lines[1] == "Every method that can be used gives the same estimated tax, 30,443.80: your method is as " \
                       "good as any"
    assert "HIFO                         -           -" in lines
    assert ("HIFO cannot be used for 2026: row 5, column Lot IDs: the lot 'H' has 0 BTC left in 'Coinbase', not "
            "1") in " ".join(lines)
    # one more lot, M: selling 1 BTC on 2026-02-20 leaves two for S1 and S2, unless the sale takes H
    path.write_text(LATER_LOT_IDS.replace("S1,", "M,2024-03-01,Buy,BTC,1,50000,Coinbase,\nS1,"))
    lines = run(capsys, "whatif", str(path), "--asset", "BTC", "--quantity", "1", "--price", "85000", "--as-of",
                "2026-02-20")[1].splitlines()
    assert "HIFO                     -" in lines
    assert ("HIFO cannot be used: after this sale, row 6, column Lot IDs: the lot 'H' has 0 BTC left in 'Coinbase', "
            "not 1") not in lines  # wrapped at 100 characters
    assert "HIFO cannot be used: after this sale, row 6, column Lot IDs: the lot 'H' has 0 BTC left in" in lines
