"""cryptotax against RP2 1.7.2 on the same history: same yearly gains first, then the speed.

Run from the repository root (RP2 comes with the dev extra: `pip install -e .[dev]`):

    .venv/bin/python bench/rp2_compare.py                        # 10k and 100k rows
    .venv/bin/python bench/rp2_compare.py --sizes 2000 --timeout 600

For each size:

1. A comparable history of that many generated rows (seeded; see bench/rp2_convert.py for why: dated
   before 2025, no fees, no lot IDs; less the few disposals where RP2's 365-day holding rule and the
   IRS calendar rule disagree) is written once under bench/data/rp2/ as cryptotax's CSV and as RP2's
   .ods input and .ini configuration; later runs reuse it (delete the folder after changing the
   conversion).
2. RP2 runs once in a subprocess: its `rp2_us` entry point with `-m fifo -n` (-n: see rp2_command; its
   defaults otherwise: all three reports), timed by wall clock with the child's CPU time and peak RSS
   (wait4). Timers wrapped around its own open_ods, parse_ods, compute_tax and report-generator calls
   split the time into open (ezodf loads the .ods), parse (the rows become transactions), compute (lot
   matching and its computed data) and report.
3. cryptotax computes the CSV in a fresh process with Settings(method=FIFO, pooling=UNIVERSAL), the
   setting that matches RP2's one pool per asset: read and validation timed, then compute timed alone
   (the target compares compute); then `cryptotax report FILE --pooling universal` end to end. This
   machine's speed drifts by half within minutes, and one compute of cryptotax (under a second) samples
   a single moment where RP2's (half a minute) averages over many: so cryptotax computes SAMPLES times
   in fresh processes before RP2 and SAMPLES times after it (once the machine has settled, SETTLE
   seconds), and the compute ratio is given with the median of those times and with the slowest.
4. The yearly short-term gains, long-term gains and ordinary income of both are compared to the cent
   (each side's unrounded line amounts summed exactly per year, the sum rounded once, half up). Speed
   ratios are printed only when every figure agrees; otherwise the first differing year is printed.

RP2 on 100,000 rows takes minutes and GBs of memory: the machine's load is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import rp2_convert  # noqa: E402  (bench/ is not a package)
import run as bench_run  # noqa: E402

RUNS = bench_run.DATA / "rp2"
PYTHON = Path(sys.executable)
# For some seconds after RP2 exits (it frees 6.5 GB at 100k rows) every process here runs 1.5-1.8 times
# slower, validation as much as compute (measured: 0.59 s compute right after, 0.35 s twenty seconds later)
SETTLE = 30.0
SAMPLES = 3  # fresh-process computes of cryptotax before RP2, and as many after it
MB = 1024 * 1024

# Runs RP2's US entry point (what the `rp2_us` command calls) with timers around its phases; each
# phase's [wall, CPU] seconds go as JSON to the file named by RP2_PHASES.
_RP2_DRIVER = """
import json, os, sys, time
import rp2.rp2_main as rp2_main
from rp2.plugin.country.us import US

phases = {}
def timed(name, action):
    def wrapper(*args, **kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return action(*args, **kwargs)
        finally:
            wall, cpu = phases.get(name, (0.0, 0.0))
            phases[name] = (wall + time.perf_counter() - started, cpu + time.process_time() - cpu_started)
    return wrapper

rp2_main.open_ods = timed("open", rp2_main.open_ods)
rp2_main.parse_ods = timed("parse", rp2_main.parse_ods)
rp2_main.compute_tax = timed("compute", rp2_main.compute_tax)
rp2_main._find_and_run_report_generators = timed("report", rp2_main._find_and_run_report_generators)
sys.argv = ["rp2_us", *sys.argv[1:]]
try:
    rp2_main.rp2_main(US())
finally:
    with open(os.environ["RP2_PHASES"], "w", encoding="utf-8") as handle:
        json.dump(phases, handle)
"""


def rp2_command(config: Path, ods: Path, out_dir: Path, prefix: str = "") -> list[str]:
    """The command running RP2's US entry point with timers (see _RP2_DRIVER) on one input.

    `-n` (allow negative balances) turns off only RP2's per-account balance check: RP2 reads every number
    as a float and keeps 11 decimals, so a wallet emptied of 9,504,750.09962004 DOGE can end at -5.5e-10
    units, which that check rejects although the history is valid (cryptotax checks it exactly).
    """
    return [str(PYTHON), "-c", _RP2_DRIVER, "-m", "fifo", "-n", "-o", str(out_dir), "-p", prefix, str(config),
            str(ods)]


@dataclass
class Prepared:
    rows: int
    folder: Path
    csv: Path
    ods: Path
    ini: Path
    generated_rows: int
    dropped: int
    trades_to_buys: int
    disputed_slices: int
    tables: dict[str, int]


def prepare(n: int, seed: int) -> Prepared:
    """The comparable history of about `n` rows in both formats, written once and reused."""
    folder = RUNS / f"history_{n}_s{seed}"
    record = folder / "prepared.json"
    if record.exists():
        data = json.loads(record.read_text())
        return Prepared(folder=folder, csv=folder / "history.csv", ods=folder / "input.ods",
                        ini=folder / "config.ini", **data)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    header, rows = rp2_convert.comparable_history(n, seed)
    kept, agreement = rp2_convert.agree_on_terms(header, rows)
    csv_path = folder / "history.csv"
    rp2_convert.write_history_csv(csv_path, header, kept)
    tables = rp2_convert.write_rp2_input(kept, folder / "input.ods", folder / "config.ini")
    data = {"rows": len(kept), "generated_rows": len(rows), "dropped": agreement.dropped,
            "trades_to_buys": agreement.trades_to_buys, "disputed_slices": agreement.first_pass_slices,
            "tables": tables}
    record.write_text(json.dumps(data, indent=1))
    print(f"[{n:,} rows] prepared in {time.perf_counter() - started:.0f} s: {folder.relative_to(ROOT)}",
          file=sys.stderr, flush=True)
    return Prepared(folder=folder, csv=csv_path, ods=folder / "input.ods", ini=folder / "config.ini", **data)


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss: int
    returncode: int


def run_measured(command: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None,
                 stdout: Path, stderr: Path) -> Measured:
    """Run a command, waiting with wait4 for its own CPU time and peak RSS; stopped past `timeout`."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.kill(child.pid, signal.SIGKILL)
                os.wait4(child.pid, 0)
                child.returncode = -signal.SIGKILL
                raise SystemExit(f"{' '.join(command[:3])[:80]}... ran longer than {timeout:.0f} s and was stopped")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, child.returncode)


@dataclass
class RP2Run:
    total: Measured
    phases: dict[str, tuple[float, float]]  # open, parse, compute, report: (wall, CPU) seconds
    warnings: int
    yearly: dict[int, tuple[Decimal, Decimal, Decimal]]

    def phase(self, *names: str) -> tuple[float, float]:
        return (sum(self.phases.get(name, (0.0, 0.0))[0] for name in names),
                sum(self.phases.get(name, (0.0, 0.0))[1] for name in names))


def run_rp2(prepared: Prepared, timeout: float) -> RP2Run:
    out_dir = prepared.folder / "rp2-output"
    out_dir.mkdir(exist_ok=True)
    phases_path = prepared.folder / "rp2-phases.json"
    phases_path.unlink(missing_ok=True)
    env = dict(os.environ, RP2_PHASES=str(phases_path))
    print(f"[{prepared.rows:,} rows] RP2 running (timeout {timeout:.0f} s) ...", file=sys.stderr, flush=True)
    measured = run_measured(rp2_command(prepared.ini, prepared.ods, out_dir), cwd=prepared.folder,
                            timeout=timeout, env=env, stdout=prepared.folder / "rp2-stdout.txt",
                            stderr=prepared.folder / "rp2-stderr.txt")
    log = (prepared.folder / "rp2-stderr.txt").read_text(errors="replace")
    if measured.returncode != 0:
        raise SystemExit(f"RP2 failed (exit code {measured.returncode}):\n{log[-3000:]}")
    phases = {name: (wall, cpu) for name, (wall, cpu) in json.loads(phases_path.read_text()).items()}
    yearly = rp2_convert.rp2_yearly(out_dir / "fifo_tax_report_us.ods").rounded()
    return RP2Run(measured, phases, log.count("WARNING:"), yearly)


# -- cryptotax, in a fresh worker ----------------------------------------------------------------


def worker(path: Path) -> dict[str, Any]:
    """Read and validate the CSV (timed), compute it with universal FIFO (timed alone), yearly figures."""
    from zoneinfo import ZoneInfo

    from cryptotax_core import Method, Pooling, Settings, compute, parse_table, read_csv

    meter = bench_run._Meter(trace=False)
    (header, rows), read = meter.measure("read", read_csv, path)
    table, parse = meter.measure("parse", parse_table, header, rows, zone=ZoneInfo("UTC"))
    del header, rows
    settings = Settings(method=Method.FIFO, pooling=Pooling.UNIVERSAL)
    result, computed = meter.measure("compute", compute, table.transactions, settings, table.warnings)
    yearly = rp2_convert.cryptotax_yearly(result).rounded()
    return {"read": read, "parse": parse, "compute": computed, "warnings": len(result.warnings),
            "yearly": {year: [str(value) for value in values] for year, values in yearly.items()}}


@dataclass
class CryptotaxRun:
    read_parse: tuple[float, float]  # (wall, CPU) seconds
    compute: tuple[float, float]
    compute_peak_rss: int
    cli: Measured
    warnings: int
    yearly: dict[int, tuple[Decimal, Decimal, Decimal]]


def run_worker(prepared: Prepared, timeout: float) -> dict[str, Any]:
    """`worker` in a fresh process: read, validation and compute, timed."""
    done = subprocess.run([str(PYTHON), str(Path(__file__).resolve()), "--worker", str(prepared.csv)],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"cryptotax worker failed:\n{done.stderr[-3000:]}")
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def run_cryptotax(prepared: Prepared, timeout: float) -> CryptotaxRun:
    record = run_worker(prepared, timeout)
    cli = run_measured([str(bench_run.CLI), "report", str(prepared.csv), "--pooling", "universal"], cwd=ROOT,
                       timeout=timeout, stdout=prepared.folder / "cryptotax-stdout.txt",
                       stderr=prepared.folder / "cryptotax-stderr.txt")
    if cli.returncode != 0:
        raise SystemExit(f"cryptotax report failed ({cli.returncode}); see {prepared.folder}/cryptotax-stderr.txt")
    yearly = {int(year): (Decimal(short), Decimal(long), Decimal(income))
              for year, (short, long, income) in record["yearly"].items()}
    read_parse = (record["read"]["seconds"] + record["parse"]["seconds"],
                  record["read"]["cpu_seconds"] + record["parse"]["cpu_seconds"])
    compute = (record["compute"]["seconds"], record["compute"]["cpu_seconds"])
    return CryptotaxRun(read_parse, compute, record["compute"]["peak_rss"], cli, record["warnings"], yearly)


# -- the comparison ------------------------------------------------------------------------------


Seconds = tuple[float, float]  # (wall, CPU)


@dataclass
class Comparison:
    prepared: Prepared
    ours: CryptotaxRun
    theirs: RP2Run
    difference: str | None  # the first differing year and figure, None when all agree
    computes_before: list[Seconds]  # cryptotax's compute in fresh processes before RP2 (the first is `ours`)
    computes_after: list[Seconds]  # and after RP2 has run and the machine has settled

    @property
    def computes(self) -> list[Seconds]:
        return self.computes_before + self.computes_after

    @property
    def median_compute(self) -> Seconds:
        return statistics.median(wall for wall, _ in self.computes), statistics.median(cpu for _, cpu in self.computes)

    @property
    def slowest_compute(self) -> Seconds:
        return max(wall for wall, _ in self.computes), max(cpu for _, cpu in self.computes)


def _compute_of(record: dict[str, Any]) -> Seconds:
    return record["compute"]["seconds"], record["compute"]["cpu_seconds"]


def compare(n: int, seed: int, timeout: float) -> Comparison:
    prepared = prepare(n, seed)
    print(f"[{prepared.rows:,} rows] cryptotax ...", file=sys.stderr, flush=True)
    ours = run_cryptotax(prepared, timeout)
    before = [ours.compute] + [_compute_of(run_worker(prepared, timeout)) for _ in range(SAMPLES - 1)]
    theirs = run_rp2(prepared, timeout)
    time.sleep(SETTLE)
    after = [_compute_of(run_worker(prepared, timeout)) for _ in range(SAMPLES)]
    difference = rp2_convert.first_difference(ours.yearly, theirs.yearly)
    agreed = "gains identical" if difference is None else "DIFFERENT: " + difference
    print(f"[{prepared.rows:,} rows] RP2 {theirs.total.seconds:.1f} s, cryptotax compute {_walls(before)} "
          f"(after RP2: {_walls(after)}); {agreed}", file=sys.stderr, flush=True)
    return Comparison(prepared, ours, theirs, difference, before, after)


def _second(value: float) -> str:
    """Seconds to a precision that suits their size: 0.003, 0.45, 2.57, 30.6."""
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _seconds(pair: Seconds) -> str:
    wall, cpu = pair
    return f"{_second(wall)} s / {_second(cpu)} s"


def _walls(samples: list[Seconds]) -> str:
    return ", ".join(_second(wall) for wall, _ in samples) + " s"


def _ratio(theirs: Seconds, ours: Seconds) -> str:
    return f"{theirs[0] / ours[0]:.1f}x / {theirs[1] / ours[1]:.1f}x"


def table(lines: list[Comparison]) -> list[tuple[str, list[str]]]:
    """One (label, value per size) row per figure; ratios only where the yearly figures agree."""
    rows: list[tuple[str, list[str]]] = [("rows compared", [f"{line.prepared.rows:,}" for line in lines])]

    def add(label: str, value: Any) -> None:
        rows.append((label, [value(line) for line in lines]))

    add("yearly gains identical", lambda c: "yes" if c.difference is None else f"NO: {c.difference}")
    add("RP2 total (wall / CPU)", lambda c: _seconds((c.theirs.total.seconds, c.theirs.total.cpu_seconds)))
    add("RP2 peak memory", lambda c: f"{c.theirs.total.peak_rss / MB:,.0f} MB")
    add("RP2 open .ods", lambda c: _seconds(c.theirs.phase("open")))
    add("RP2 parse", lambda c: _seconds(c.theirs.phase("parse")))
    add("RP2 compute", lambda c: _seconds(c.theirs.phase("compute")))
    add("RP2 reports", lambda c: _seconds(c.theirs.phase("report")))
    add("cryptotax read + validate", lambda c: _seconds(c.ours.read_parse))
    add("cryptotax compute, runs before RP2", lambda c: _walls(c.computes_before))
    add("cryptotax compute, runs after RP2", lambda c: _walls(c.computes_after))
    add("cryptotax compute, median", lambda c: _seconds(c.median_compute))
    add("cryptotax compute peak", lambda c: f"{c.ours.compute_peak_rss / MB:,.0f} MB")
    add("cryptotax CLI (wall / CPU)", lambda c: _seconds((c.ours.cli.seconds, c.ours.cli.cpu_seconds)))
    add("cryptotax CLI peak", lambda c: f"{c.ours.cli.peak_rss / MB:,.0f} MB")
    add("compute ratio RP2/cryptotax (median)", lambda c: "-" if c.difference else _ratio(c.theirs.phase("compute"),
                                                                                             c.median_compute))
    add("compute ratio, cryptotax's slowest run", lambda c: "-" if c.difference else _ratio(
        c.theirs.phase("compute"), c.slowest_compute))
    add("parse+compute ratio", lambda c: "-" if c.difference else _ratio(
        c.theirs.phase("open", "parse", "compute"),
        (c.ours.read_parse[0] + c.ours.compute[0], c.ours.read_parse[1] + c.ours.compute[1])))
    add("end-to-end ratio", lambda c: "-" if c.difference else _ratio(
        (c.theirs.total.seconds, c.theirs.total.cpu_seconds), (c.ours.cli.seconds, c.ours.cli.cpu_seconds)))
    return rows


def print_table(lines: list[Comparison]) -> None:
    rows = table(lines)
    label_width = max(len(label) for label, _ in rows)
    widths = [max(len(values[i]) for _, values in rows) for i in range(len(lines))]
    for label, values in rows:
        print(label.ljust(label_width) + "".join("  " + value.rjust(width) for value, width in zip(values, widths,
                                                                                                     strict=True)))
    print()
    for line in lines:
        prepared = line.prepared
        print(f"{prepared.rows:,} rows: {prepared.generated_rows:,} generated, {prepared.disputed_slices} disposal "
              f"slices on which the holding rules disagreed, so {prepared.dropped} disposals dropped and "
              f"{prepared.trades_to_buys} trades made buys; RP2 tables {prepared.tables}; RP2 warnings "
              f"{line.theirs.warnings}, cryptotax warnings {line.ours.warnings}. Yearly figures (both programs):")
        for year, (short, long, income) in sorted(line.theirs.yearly.items()):
            print(f"  {year}: short-term {short:>16,}  long-term {long:>16,}  income {income:>14,}")


def _rp2_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rp2")
    except PackageNotFoundError:
        raise SystemExit("RP2 is not installed: .venv/bin/pip install -e '.[dev]' (it brings rp2==1.7.2)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare cryptotax with RP2 1.7.2 on the same histories.")
    parser.add_argument("--sizes", type=bench_run._numbers, default=[10_000, 100_000],
                        help="comma-separated row counts (default 10000,100000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per program run (3600)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    if not bench_run.CLI.exists():
        parser.error(f"{bench_run.CLI} is missing: install the project into .venv (bash tasks.sh test)")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"cryptotax {bench_run._revision()}; RP2 {_rp2_version()}; seed {args.seed}; "
          f"machine gauge {bench_run.machine_gauge():.2f} s", flush=True)
    lines = [compare(n, args.seed, args.timeout) for n in args.sizes]
    print(f"load after the runs {os.getloadavg()[0]:.1f}, machine gauge {bench_run.machine_gauge():.2f} s (a fixed "
          f"Python loop; lower is faster); times are wall / CPU seconds")
    print()
    print_table(lines)
    return 0 if all(line.difference is None for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
