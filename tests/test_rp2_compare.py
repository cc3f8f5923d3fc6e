"""cryptotax and RP2 1.7.2 (the open-source US calculator) compute the same yearly gains on the same
history, written in RP2's .ods format by bench/rp2_convert.py (the comparison of bench/rp2_compare.py).

RP2 runs in a subprocess, through the same entry point the benchmark times: importing it changes the
process-wide decimal context (31 digits, float operations trapped) and creates ./log, which would leak
into the other tests. RP2 missing is a failure: it is part of the dev extra.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotax_core import Method, Pooling, Settings, compute_table, is_long_term

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import rp2_compare  # bench/ is not a package: its folder is on the path
import rp2_convert
from generate import HEADER

TODAY = date(2026, 11, 22)
UNIVERSAL_FIFO = Settings(method=Method.FIFO, pooling=Pooling.UNIVERSAL)
D = Decimal


def row(tx_id: str, when: str, kind: str, asset: str, quantity: str, usd: str = "", wallet: str = "Coinbase",
        **extra: str) -> list[str]:
    cells = {"ID": tx_id, "Date": when, "Type": kind, "Asset": asset, "Quantity": quantity, "USD Value": usd,
             "Wallet": wallet, **{key.replace("_", " "): value for key, value in extra.items()}}
    return [cells.get(column, "") for column in HEADER]


def cryptotax_yearly(rows: list[list[str]]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    result = compute_table(list(HEADER), rows, UNIVERSAL_FIFO, today=TODAY)
    return rp2_convert.cryptotax_yearly(result).rounded()


def rp2_yearly(rows: list[list[str]], folder: Path) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    assert importlib.util.find_spec("rp2") is not None, "RP2 is missing: .venv/bin/pip install -e '.[dev]'"
    rp2_convert.write_rp2_input(rows, folder / "input.ods", folder / "config.ini")
    env = dict(os.environ, RP2_PHASES=str(folder / "phases.json"))
    command = rp2_compare.rp2_command(folder / "config.ini", folder / "input.ods", folder / "out")
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr  # e.g. amount x spot price off the fiat value by a cent or more
    assert (folder / "phases.json").exists()
    return rp2_convert.rp2_yearly(folder / "out" / "fifo_tax_report_us.ods").rounded()


# A small history worked by hand; one pool per asset across wallets (RP2's only way, cryptotax's
# universal pooling before 2025):
#   B1 2023-01-10 buy 1 BTC for 100 (Coinbase); S0 2023-02-01 staking 10 SOL worth 200 (Ledger);
#   B2 2023-06-01 buy 1 BTC for 300 (Kraken).
#   T1 2024-01-05 trade 0.25 BTC (Coinbase) for 5 SOL worth 2,000: FIFO takes 0.25 of B1, basis 25, held
#      less than a year (long-term from 2024-01-11): short-term 2,000 - 25 = 1,975.
#   X1 2024-02-01 transfer 0.5 BTC Coinbase -> Kraken (no gain).
#   S1 2024-03-01 sell 0.5 BTC from Kraken for 400: the pool's oldest units are B1's (not Kraken's own
#      B2): basis 0.5 x 100 = 50, long-term: 400 - 50 = 350.
#   P1 2024-04-01 spend 4 SOL from Coinbase worth 600: the oldest SOL are S0's (Ledger), basis
#      4 x 20 = 80, long-term: 600 - 80 = 520.
# 2023: income 200. 2024: short 1,975; long 350 + 520 = 870.
HAND_ROWS = [
    row("B1", "2023-01-10T12:00:00Z", "Buy", "BTC", "1", "100"),
    row("S0", "2023-02-01T12:00:00Z", "Staking", "SOL", "10", "200", wallet="Ledger"),
    row("B2", "2023-06-01T12:00:00Z", "Buy", "BTC", "1", "300", wallet="Kraken"),
    row("T1", "2024-01-05T12:00:00Z", "Trade", "BTC", "0.25", "2000", Received_Asset="SOL",
        Received_Quantity="5"),
    row("X1", "2024-02-01T12:00:00Z", "Transfer", "BTC", "0.5", To_Wallet="Kraken"),
    row("S1", "2024-03-01T12:00:00Z", "Sell", "BTC", "0.5", "400", wallet="Kraken"),
    row("P1", "2024-04-01T12:00:00Z", "Spend", "SOL", "4", "600"),
]
HAND_YEARLY = {2023: (D("0.00"), D("0.00"), D("200.00")), 2024: (D("1975.00"), D("870.00"), D("0.00"))}


def test_hand_worked_history_both_programs(tmp_path: Path) -> None:
    assert cryptotax_yearly(HAND_ROWS) == HAND_YEARLY
    assert rp2_yearly(HAND_ROWS, tmp_path) == HAND_YEARLY


def test_generated_history_same_yearly_gains(tmp_path: Path) -> None:
    header, rows = rp2_convert.comparable_history(200, seed=3)
    assert len(rows) == 200 and rows[-1][1] < "2025"
    rows, _ = rp2_convert.agree_on_terms(header, rows, today=TODAY)
    kinds = {r[2] for r in rows}
    assert {"Buy", "Sell", "Trade", "Transfer", "Spend"} <= kinds  # every kind of row reaches RP2
    ours = cryptotax_yearly(rows)
    assert any(short for short, _, _ in ours.values()) and any(long for _, long, _ in ours.values())
    assert rp2_yearly(rows, tmp_path) == ours


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("acquired", "disposed", "rp2_long", "irs_long"), [
    ("2021-01-15T12:00", "2022-01-15T11:59", False, False),  # 364 days 23:59
    ("2021-01-15T12:00", "2022-01-15T12:00", True, False),   # the anniversary: 365 days for RP2, short for IRS
    ("2021-01-15T12:00", "2022-01-16T00:00", True, True),    # the day after the anniversary
    ("2023-03-01T12:00", "2024-02-29T12:00", True, False),   # 365 days over a leap day, not yet a year
    ("2023-03-01T12:00", "2024-03-02T00:00", True, True),
], ids=["under-365-days", "anniversary", "day-after", "leap-365-days", "leap-day-after"])
def test_holding_rules(acquired: str, disposed: str, rp2_long: bool, irs_long: bool) -> None:
    assert rp2_convert.rp2_is_long_term(_utc(acquired), _utc(disposed)) is rp2_long
    assert is_long_term(_utc(acquired).date(), _utc(disposed).date()) is irs_long


def test_agree_on_terms_removes_disputed_disposals() -> None:
    rows = [
        row("B1", "2021-01-15T12:00:00Z", "Buy", "BTC", "1", "100"),
        row("B2", "2021-01-16T12:00:00Z", "Buy", "ETH", "10", "1000"),
        row("S1", "2022-01-15T13:00:00Z", "Sell", "BTC", "0.25", "300"),  # 365 days: RP2 long, IRS short
        row("T1", "2022-01-16T18:00:00Z", "Trade", "ETH", "1", "500", Received_Asset="SOL",
            Received_Quantity="20"),  # 365 days: RP2 long, IRS short
        row("S2", "2022-02-01T12:00:00Z", "Sell", "BTC", "0.5", "400"),  # long under both rules
    ]
    kept, agreement = rp2_convert.agree_on_terms(list(HEADER), rows, today=TODAY)
    assert [r[0] for r in kept] == ["B1", "B2", "T1", "S2"]
    assert kept[2][2:7] == ["Buy", "SOL", "20", "500", ""]  # the trade keeps only what it acquired
    assert (agreement.dropped, agreement.trades_to_buys, agreement.passes, agreement.first_pass_slices) == (1, 1, 1, 2)
    # What is left: S2 takes 0.5 of B1 (basis 50) long-term: 400 - 50 = 350 in 2022.
    assert cryptotax_yearly(kept) == {2022: (D("0.00"), D("350.00"), D("0.00"))}


def test_first_difference_names_year_and_figure() -> None:
    ours = {2023: (D("1.00"), D("2.00"), D("0")), 2024: (D("5.00"), D("0"), D("0"))}
    assert rp2_convert.first_difference(ours, dict(ours)) is None
    theirs = {2023: ours[2023], 2024: (D("5.00"), D("0.01"), D("0"))}
    assert rp2_convert.first_difference(ours, theirs) == "2024 long-term: cryptotax 0 vs RP2 0.01"
    assert rp2_convert.first_difference(ours, {2024: ours[2024]}) == "2023 short-term: cryptotax 1.00 vs RP2 0"
