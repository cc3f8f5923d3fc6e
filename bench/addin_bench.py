"""How the Excel functions behave when a workbook has many formulas over one large table.

    .venv/bin/python bench/addin_bench.py [--rows 10000] [--formulas 1000]

Builds a table as classic xlwings hands it over (floats, datetimes, None for empty cells), then calls
the functions the way Excel recalculates a workbook: every call gets freshly built lists. Prints the
first (cold) call, the mean and worst further calls, and how many times the history was computed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import addin.convert as convert
import cryptotax_core.planning.computed as computed_module
from addin.functions import COSTBASIS, GAINLOSS, LOTS, TAXSUMMARY
from bench.generate import generate

NUMERIC = {"Quantity", "USD Value", "Fee USD", "Received Quantity"}


def excel_cells(rows: int) -> list[list[Any]]:
    header, body = generate(rows, seed=1)
    table: list[list[Any]] = [list(header)]
    for row in body:
        cells: list[Any] = []
        for column, text in zip(header, row, strict=True):
            if text == "":
                cells.append(None)
            elif column == "Date":
                cells.append(datetime.fromisoformat(text).replace(tzinfo=None))
            elif column in NUMERIC:
                cells.append(float(text))
            else:
                cells.append(text)
        table.append(cells)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formulas", type=int, default=1_000)
    args = parser.parse_args(argv)

    table = excel_cells(args.rows)
    computed = 0
    real_compute = computed_module.compute_with_checkpoints

    def counting(*positional: Any, **named: Any) -> Any:
        nonlocal computed
        computed += 1
        return real_compute(*positional, **named)

    computed_module.compute_with_checkpoints = counting  # type: ignore[assignment]
    convert.clear_cache()
    calls = [lambda t: GAINLOSS(t, 2024), lambda t: GAINLOSS(t, 2023, "long"), lambda t: COSTBASIS(t, "BTC"),
             lambda t: TAXSUMMARY(t, 2024), lambda t: LOTS(t, "ETH", "Kraken")]
    fresh = [list(row) for row in table]
    start = time.perf_counter()
    first = GAINLOSS(fresh, 2024)
    cold = time.perf_counter() - start
    if isinstance(first, str):
        print(f"the table did not compute: {first}")
        return 1
    timings = []
    for index in range(args.formulas):
        fresh = [list(row) for row in table]  # xlwings builds new lists for every call
        start = time.perf_counter()
        calls[index % len(calls)](fresh)
        timings.append(time.perf_counter() - start)
    print(f"table: {args.rows:,} rows; {args.formulas:,} formulas (GAINLOSS, COSTBASIS, TAXSUMMARY, LOTS)")
    print(f"first call (validate + compute): {cold * 1000:8.1f} ms")
    print(f"further calls: mean {statistics.mean(timings) * 1000:6.2f} ms, "
          f"95th percentile {sorted(timings)[int(len(timings) * 0.95)] * 1000:6.2f} ms, "
          f"worst {max(timings) * 1000:6.2f} ms")
    print(f"all {args.formulas + 1:,} calls: {(cold + sum(timings)):6.2f} s; history computed {computed} time(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
