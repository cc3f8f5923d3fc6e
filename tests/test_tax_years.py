"""A history's tax years: crypto and stock netted together, carryovers from year to year, boxes
(docs/rules.md#netting-the-loss-limit-and-carryover; Form 8949 boxes; seed 000)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import buy, run, sell

from cryptotax_cli.main import main
from cryptotax_core import Reporting
from cryptotax_core.tax import Carryover, FilingStatus, TaxSettings, tax_years


def test_crypto_losses_offset_stock_gains() -> None:
    """Seed 000: 5,000 short-term stock gain and 8,000 short-term crypto loss: 3,000 deducted, nothing carried."""
    result = run([buy("A", "2025-01-02", "AAPL", "10", "10000", wallet="Schwab", Class="Stock"),
                  sell("AS", "2025-06-02", "AAPL", "10", "15000", wallet="Schwab", Class="Stock"),
                  buy("E", "2025-02-01", "ETH", "4", "12000"), sell("ES", "2025-07-01", "ETH", "4", "4000")])
    year = tax_years(result)[2025]
    assert (year.netting.short_term, year.netting.deductible_loss) == (-3000, 3000)
    assert year.netting.carryover_out == Carryover(Decimal(0), Decimal(0))
    assert {box: total.gain for box, total in year.boxes.items()} == {"C": 5000, "I": -8000}
    assert (year.schedule_d["3"], year.schedule_d["7"], year.schedule_d["21"]) == (-3000, -3000, -3000)


def test_a_loss_carries_through_later_years_with_its_character() -> None:
    """2024: -10,000 short-term: 3,000 deducted, 7,000 carried (seed 002). 2025: +2,000 long-term against
    the 7,000: net -5,000, 3,000 deducted, 2,000 short-term carried. 2026 (income, no sales): 2,000
    deducted, nothing left."""
    result = run([buy("B", "2024-01-02", "BTC", "1", "30000"), sell("S", "2024-06-01", "BTC", "1", "20000"),
                  buy("E", "2023-01-02", "ETH", "1", "1000"), sell("T", "2025-03-01", "ETH", "1", "3000"),
                  {"ID": "R", "Date": "2026-01-02", "Type": "Staking", "Asset": "SOL", "Quantity": "1",
                   "USD Value": "100", "Wallet": "Phantom"}])
    years = tax_years(result)
    assert list(years) == [2024, 2025, 2026]
    assert (years[2024].netting.deductible_loss, years[2024].netting.carryover_out) == (
        3000, Carryover(Decimal(7000), Decimal(0)))
    assert (years[2025].netting.total, years[2025].netting.deductible_loss, years[2025].netting.carryover_out) == (
        -5000, 3000, Carryover(Decimal(2000), Decimal(0)))
    assert (years[2026].netting.deductible_loss, years[2026].netting.carryover_out) == (2000, Carryover())
    assert years[2025].schedule_d["6"] == -7000


def test_carryover_from_before_the_data_and_mfs_limit() -> None:
    result = run([buy("B", "2025-01-02", "BTC", "1", "30000"), sell("S", "2025-06-01", "BTC", "1", "29000")])
    year = tax_years(result, TaxSettings(filing_status=FilingStatus.MFS,
                                         carryover_in=Carryover(Decimal(0), Decimal(4000))))[2025]
    assert (year.netting.total, year.netting.deductible_loss) == (-5000, 1500)
    assert year.netting.carryover_out == Carryover(Decimal(0), Decimal(3500))


def test_broker_reporting_from_the_row_or_the_wallet_setting() -> None:
    result = run([buy("B", "2025-01-02", "BTC", "2", "200"),
                  sell("S1", "2025-06-01", "BTC", "1", "300"),
                  sell("S2", "2025-06-02", "BTC", "1", "300", **{"Broker Reported": "basis"})])
    lines = tax_years(result, TaxSettings(reporting_by_wallet={"coinbase": Reporting.PROCEEDS}))[2025].lines
    assert [(line.tx_id, line.box) for line in lines] == [("S2", "G"), ("S1", "H")]


def test_income_by_type_names_every_kind() -> None:
    result = run([{"ID": "I", "Date": "2025-03-01", "Type": "Income", "Asset": "USDC", "Quantity": "100",
                   "USD Value": "100", "Wallet": "Coinbase"}, sell("S", "2025-04-01", "USDC", "100", "100")])
    assert tax_years(result)[2025].income == {"staking": 0, "mining": 0, "airdrop": 0, "interest": 0, "other": 100}


def test_cli_json_has_net_boxes_and_estimate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\nB,2025-01-02,Buy,BTC,1,30000,Coinbase\n"
                    "S,2025-06-01,Sell,BTC,1,20000,Coinbase\n")
    assert main(["report", str(path), "--format", "json", "--carryover-long", "500", "--other-income", "60000",
                 "--filing-status", "mfj"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["net"] == {"short_term": "-10000.00", "long_term": "-500.00", "total": "-10500.00",
                               "deductible_loss": "3000.00", "carryover_short_term": "7000.00",
                               "carryover_long_term": "500.00", "filing_status": "mfj"}
    assert document["disposals"][0]["box"] == "I"
    # 2025 joint: 57,000 taxable = 2,385.00 + 12% x 33,150 = 6,363.00; without the loss 60,000: 6,723.00
    assert (document["tax_estimate"]["total_tax"], document["tax_estimate"]["capital_gains_tax"]) == (
        "6363.00", "-360.00")


def test_cli_writes_form8949_and_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "h.csv"
    source.write_text("ID,Date,Type,Asset,Quantity,USD Value,Fee USD,Wallet\nB,2025-01-15,Buy,BTC,0.5,25000,50,K\n"
                      "S,2026-01-16,Sell,BTC,0.5,45000,50,K\n")
    out = tmp_path / "8949.csv"
    assert main(["report", str(source), "--form8949", str(out)]) == 0
    assert out.read_text().splitlines() == [
        "Box,Description,Date Acquired,Date Sold,Proceeds,Cost Basis,Adjustment Code,Adjustment,Gain or Loss,Term,"
        "Row,ID,Lot",
        "L,0.5 BTC,2025-01-15,2026-01-16,44950.00,25050.00,,,19900.00,long,3,S,B"]
    out.write_text("mine")
    capsys.readouterr()
    assert main(["report", str(source), "--form8949", str(out)]) == 2
    assert "exists: choose another name or add --force" in capsys.readouterr().err
    assert out.read_text() == "mine"
