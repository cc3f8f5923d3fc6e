"""The cyclic garbage collector is paused only while the core builds its records, and left as it was found:
also when the work raises, and never switched on for a caller that had it off (the Excel functions run in
Excel's own Python, whose collector belongs to everything else running there)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from addin.functions import GAINLOSS
from cryptotax_cli.main import main
from cryptotax_core import (
    SAMPLE_HISTORY,
    InputError,
    Settings,
    compute,
    compute_table,
    parse_table,
    without_cycle_collection,
)

HEADER = ["Date", "Type", "Asset", "Quantity", "USD Value", "Wallet"]
BUY = ["2025-01-01", "Buy", "BTC", "1", "100", "Coinbase"]
OVERSOLD = ["2025-03-01", "Sell", "BTC", "3", "150", "Coinbase"]  # 3 sold, 1 held: InputError from the engine
ZONE = Settings().zone()


@pytest.fixture(params=[True, False], ids=["collector-on", "collector-off"])
def collector(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The collector as the caller has it; restored after the test whatever happens."""
    was = gc.isenabled()
    if request.param:
        gc.enable()
    else:
        gc.disable()
    try:
        yield request.param
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_paused_inside_restored_after(collector: bool) -> None:
    with without_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled() is collector


def test_restored_when_the_work_raises(collector: bool) -> None:
    with pytest.raises(KeyError), without_cycle_collection():
        raise KeyError("a bug")
    assert gc.isenabled() is collector


def test_compute_leaves_the_collector_as_it_was(collector: bool) -> None:
    table = parse_table(HEADER, [BUY, ["2025-03-01", "Sell", "BTC", "1", "150", "Coinbase"]], zone=ZONE)
    assert gc.isenabled() is collector
    result = compute(table.transactions)
    assert [d.gain for d in result.disposals] == [50]
    assert gc.isenabled() is collector


def test_compute_raising_leaves_the_collector_as_it_was(collector: bool) -> None:
    table = parse_table(HEADER, [BUY, OVERSOLD], zone=ZONE)
    with pytest.raises(InputError, match="sells 3 BTC from 'Coinbase' on 2025-03-01 but 1 is held there"):
        compute(table.transactions)
    assert gc.isenabled() is collector


def test_validation_raising_leaves_the_collector_as_it_was(collector: bool) -> None:
    with pytest.raises(InputError, match="Quantity"):
        compute_table(HEADER, [BUY, ["2025-03-01", "Sell", "BTC", "one", "150", "Coinbase"]])
    assert gc.isenabled() is collector


@pytest.mark.parametrize("call", [
    lambda: GAINLOSS([HEADER, BUY, OVERSOLD], 2025),  # the cell shows the error
    lambda: GAINLOSS([HEADER, BUY], 2025),
], ids=["cell-with-error", "cell"])
def test_an_excel_function_leaves_the_collector_as_it_was(collector: bool, call: Callable[[], object]) -> None:
    call()
    assert gc.isenabled() is collector


def test_the_command_leaves_the_collector_as_it_was(collector: bool, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(SAMPLE_HISTORY), "--year", "2025"]) == 0
    assert gc.isenabled() is collector
    oversold = tmp_path / "oversold.csv"
    oversold.write_text("\n".join(",".join(row) for row in (HEADER, BUY, OVERSOLD)) + "\n")
    assert main(["report", str(oversold)]) == 2
    assert gc.isenabled() is collector
    capsys.readouterr()
