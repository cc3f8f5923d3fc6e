"""Planning at size: the commands compare, harvest and whatif, and the add-in's METHODCOMPARE, HARVEST and WHATIF.

    .venv/bin/python bench/planning_bench.py                       # 10k and 100k rows
    .venv/bin/python bench/planning_bench.py --sizes 10000 --no-cli
    .venv/bin/python bench/planning_bench.py --sizes '' --doubling # compare, harvest, whatif at 50k and 800k
    .venv/bin/python bench/run.py --sizes '' --planning            # the same, from run.py

Every figure comes from a fresh process. The commands plan the year 2025 of the generated history (its last
complete year), on 2025-11-20 with other income 90,000, the prices below, and a sale of 0.5 BTC from Coinbase
at 9,000; `report --year 2025` is timed beside them. The add-in functions get a table as classic xlwings hands
it over (floats, datetimes, None), new lists for every call: the first call of each (METHODCOMPARE first, so
it validates and computes the table), further calls with the same cells (the cached answer), and the three
after a paste (rows added at the end of the table, which makes it a new table).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import CLI, PYTHON, _numbers, _revision, dataset, machine_gauge

YEAR = "2025"
AS_OF = "2025-11-20"
PRICES = {"BTC": "9000", "ETH": "480", "SOL": "30", "ADA": "0.27", "LINK": "0.6", "DOGE": "0.045"}
INCOME = ["--other-income", f"{YEAR}=90000"]
PASTED = 10  # rows added by a paste: dated the table's last day (after the planned year), or IN_YEAR
IN_YEAR = datetime(2025, 12, 20, 12, 0)  # after the planning date, in the planned year: every search runs again
CACHED_CALLS = 20


def commands(path: Path) -> dict[str, list[str]]:
    prices = [part for asset, price in PRICES.items() for part in ("--price", f"{asset}={price}")]
    return {
        "report": ["report", str(path), "--year", YEAR],
        "compare": ["compare", str(path), "--year", YEAR, *INCOME],
        "harvest": ["harvest", str(path), *prices, "--as-of", AS_OF, *INCOME],
        "whatif": whatif(path, "BTC", "Coinbase"),
    }


SALES = [(asset, wallet) for asset in ("BTC", "ETH", "SOL") for wallet in ("Coinbase", "Kraken", "Ledger", "Phantom")]
"""The sales whatif tries in turn: a history may need every unit of a wallet later (the command then refuses)."""


def whatif(path: Path, asset: str, wallet: str) -> list[str]:
    quantity, price = ("0.5", "9000") if asset == "BTC" else ("2", PRICES[asset])
    return ["whatif", str(path), "--asset", asset, "--quantity", quantity, "--price", price, "--wallet", wallet,
            "--as-of", AS_OF, *INCOME]


def timed(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MB of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def allowed_sale(paths: list[Path]) -> tuple[str, str]:
    """The first of `SALES` every one of the histories allows."""
    for asset, wallet in SALES:
        if all(subprocess.run([str(CLI), *whatif(path, asset, wallet)], capture_output=True).returncode == 0
               for path in paths):
            return asset, wallet
    raise SystemExit("no sale of SALES is allowed by every history")


def run_cli(sizes: list[int], seed: int) -> dict[tuple[str, int], float]:
    print(f"{'rows':>9}  {'command':<8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  {'x report':>8}")
    cpu: dict[tuple[str, int], float] = {}
    paths = [dataset(n, seed)[0] for n in sizes]
    sale = allowed_sale(paths)  # the same sale at every size
    for n, path in zip(sizes, paths, strict=True):
        for name, argv in commands(path).items():
            shown = name
            if name == "whatif":
                argv = whatif(path, *sale)
                shown = f"whatif {sale[0]}/{sale[1]}"
            wall, seconds, peak = timed([str(CLI), *argv])
            cpu[(name, n)] = seconds
            ratio = "" if name == "report" else f"{seconds / cpu[('report', n)]:8.1f}"
            print(f"{n:>9,}  {shown:<8} {wall:8.2f} {seconds:8.2f} {peak:8.0f}  {ratio:>8}", flush=True)
    return cpu


# -- the add-in ---------------------------------------------------------------------------------------------
def addin_worker(n: int, seed: int) -> dict[str, Any]:
    """Run in a fresh process: the first calls, the cached calls and the calls after a paste."""
    import addin.convert as convert
    from addin.functions import HARVEST, METHODCOMPARE, WHATIF
    from bench.addin_bench import excel_cells

    if seed != 1:
        raise SystemExit("the add-in table is the seed-1 history")
    table = excel_cells(n)
    settings = [["Filing status", "single"], [f"Other income {YEAR}", 90000.0]]
    prices = [["Asset", "Price"], *([asset, float(price)] for asset, price in PRICES.items())]
    calls = {"METHODCOMPARE": lambda cells: METHODCOMPARE(cells, int(YEAR), settings),
             "HARVEST": lambda cells: HARVEST(cells, prices, AS_OF, settings),
             "WHATIF": lambda cells: WHATIF(cells, "BTC", 0.5, 9000.0, "Coinbase", AS_OF, settings)}
    figures: dict[str, Any] = {}
    convert.clear_cache()
    for name, call in calls.items():
        fresh = [list(row) for row in table]
        start = time.perf_counter()
        answer = call(fresh)
        figures[f"first {name}"] = time.perf_counter() - start
        if len(answer) < 2:
            raise SystemExit(f"{name} answered {answer}")
    for name, call in calls.items():
        times = []
        for _ in range(CACHED_CALLS):
            fresh = [list(row) for row in table]
            start = time.perf_counter()
            call(fresh)
            times.append(time.perf_counter() - start)
        figures[f"cached {name}"] = statistics.mean(times)
    last = table[-1]
    for label, day in (("after a paste, all three", last[1]), (f"after a paste into {YEAR}, all three", IN_YEAR)):
        pasted = [list(row) for row in table]
        for index in range(PASTED):  # a Buy of 1 BTC a row, at the end of the table
            pasted.append([f"P{index}", day, "Buy", "BTC", 1.0, 9000.0, None, "Coinbase", *[None] * (len(last) - 8)])
        start = time.perf_counter()
        for call in calls.values():
            call([list(row) for row in pasted])
        figures[label] = time.perf_counter() - start
    return figures


def run_addin(sizes: list[int], seed: int) -> None:
    print("\nthe add-in functions (plain Python, as Excel on Windows and xlwings Lite run them)")
    for n in sizes:
        done = subprocess.run([str(PYTHON), __file__, "--addin-worker", str(n), "--seed", str(seed)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the add-in worker failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        shown = ", ".join(f"{name} {seconds * 1000:,.1f} ms" for name, seconds in figures.items())
        print(f"{n:>9,} rows: {shown}", flush=True)


def run_doubling(low: int, high: int, seed: int) -> None:
    print(f"\ndoubling: CPU seconds at {low:,} and {high:,} rows ({high // low}-fold)")
    cpu = run_cli([low, high], seed)
    for name in ("report", "compare", "harvest", "whatif"):
        print(f"  {name:<8} grows {cpu[(name, high)] / cpu[(name, low)]:6.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the planning commands and add-in functions.")
    parser.add_argument("--sizes", type=_numbers, default=[10_000, 100_000],
                        help="comma-separated row counts (default 10000,100000; '' for none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the commands")
    parser.add_argument("--no-addin", dest="addin", action="store_false", help="skip the add-in functions")
    parser.add_argument("--doubling", action="store_true", help="the commands at the two --doubling-sizes")
    parser.add_argument("--doubling-sizes", type=_numbers, default=[50_000, 800_000])
    parser.add_argument("--addin-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.addin_worker:
        print(json.dumps(addin_worker(args.addin_worker, args.seed)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; cryptotax "
          f"{_revision()}; machine gauge {machine_gauge():.2f} s", flush=True)
    if args.sizes and args.cli:
        run_cli(args.sizes, args.seed)
    if args.sizes and args.addin:
        run_addin(args.sizes, args.seed)
    if args.doubling:
        low, high = args.doubling_sizes
        run_doubling(low, high, args.seed)
    print(f"machine gauge after the runs {machine_gauge():.2f} s (a fixed Python loop; lower is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
