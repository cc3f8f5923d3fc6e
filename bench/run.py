"""Benchmark of the cryptotax core and CLI on synthetic histories of growing size.

Run from the repository root:

    .venv/bin/python bench/run.py                                   # 10k, 100k, 1M rows; FIFO and HIFO
    .venv/bin/python bench/run.py --sizes 10000,100000 --methods FIFO,HIFO,LIFO
    .venv/bin/python bench/run.py --sizes '' --doubling             # only the doubling check
    .venv/bin/python bench/run.py --sizes 10000 --tracemalloc       # add Python-heap peaks (slow, separate runs)
    .venv/bin/python bench/run.py --runs 3                          # each phase the fastest of 3 fresh workers

For each size the history is generated once by `bench/generate.py` (seeded) and cached under
`bench/data/` (git-ignored). Every measurement runs in a fresh subprocess (`run.py --worker ...`)
so that one phase's garbage and peaks do not pollute another's. Phases, each timed on its own:

    read       read_csv(path)                          fresh process
    parse      parse_table(header, rows, zone=UTC)     same process, after read
    compute    compute(transactions, Settings(method=M, pooling=WALLET), warnings), per method;
               setup (read + parse, untimed) first, then the CSV rows are dropped
    summarize  summarize(result) of the first method's result, in that method's process
    cli        `.venv/bin/cryptotax report FILE` end to end, in a subprocess of a fresh worker

Memory: "peak" is the process's peak resident set size during the phase (Linux: the high-water
mark is reset at the start of the phase through /proc/self/clear_refs, then read from VmHWM); it
includes what the phase keeps in memory from its setup (e.g. the transactions during compute).
"start" is the RSS at the start of the phase; peak - start can understate a phase's own need when
it reuses memory freed by its setup. With --tracemalloc each phase is run again under tracemalloc
(in separate processes, since tracing slows Python several times) to report the peak of memory
allocated by Python during the phase itself; those runs are not timed. The notes give the time the
cyclic garbage collector took during a phase (gc.callbacks), a large share of read and compute.

--doubling times compute at n and 2n (default n = 50k, 100k, 200k, 400k) for FIFO and HIFO on the
standard history and on a history where every sell names its lots (specific identification), and
prints the ratios t(2n)/t(n) of CPU time (and of wall time): near 2 means linear; near 4 would mean a
quadratic corner. CPU time is reported next to wall time throughout because other load on the
machine inflates wall time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
PYTHON = Path(sys.executable)
CLI = PYTHON.parent / "cryptotax"  # the command installed with this interpreter's cryptotax
LAST_DATE = date(2026, 6, 30)  # the generator's last date; parse_table rejects dates after `today`
MB = 1024 * 1024
P = ParamSpec("P")
T = TypeVar("T")

sys.path.insert(0, str(BENCH))
from generate import write_csv  # noqa: E402  (bench/ is not a package)

# -- measuring inside a worker -------------------------------------------------------------------


def _status_bytes(name: str) -> int | None:
    """A size field of /proc/self/status (VmRSS, VmHWM) in bytes, or None off Linux."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    return None


def _max_rss_bytes(who: int = resource.RUSAGE_SELF) -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return resource.getrusage(who).ru_maxrss * scale


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _Meter:
    """Times one phase and records its memory: peak RSS (or traced Python peak with tracemalloc), and
    the time the cyclic garbage collector took during the phase."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.gc_seconds = 0.0
        self._gc_started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, stage: str, info: dict[str, int]) -> None:
        if stage == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_seconds += time.perf_counter() - self._gc_started

    def measure(self, name: str, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs
                ) -> tuple[T, dict[str, Any]]:
        gc.collect()
        record: dict[str, Any] = {"phase": name}
        if self.trace:
            import tracemalloc

            tracemalloc.start()
            value = action(*args, **kwargs)
            record["traced_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return value, record
        reset = _reset_peak()
        start_rss = _status_bytes("VmRSS")
        self.gc_seconds = 0.0
        started, cpu_started = time.perf_counter(), time.process_time()
        value = action(*args, **kwargs)
        record["seconds"] = time.perf_counter() - started
        record["cpu_seconds"] = time.process_time() - cpu_started
        record["gc_seconds"] = self.gc_seconds
        record["start_rss"] = start_rss
        record["peak_rss"] = (_status_bytes("VmHWM") if reset else None) or _max_rss_bytes()
        record["peak_is_phase"] = reset  # False: the peak is the whole process's so far
        return value, record


def worker(path: Path, phases: list[str], *, repeat: int, trace: bool) -> list[dict[str, Any]]:
    """Run `phases` on one CSV in this process; setup that a phase needs is done untimed first.

    Phases: read, parse, compute:METHOD, summarize (of the last result), cli.
    """
    meter = _Meter(trace)
    records: list[dict[str, Any]] = []
    # the collector on, as the Excel functions run the core (which pauses it around its own loops: values.py,
    # without_cycle_collection); each phase starts after a collection
    if phases == ["cli"]:
        started = time.perf_counter()
        done = subprocess.run([str(CLI), "report", str(path)], capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the CLI failed ({done.returncode}): {done.stderr[-2000:]}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # this fresh worker's only child: the CLI
        return [{"phase": "cli", "seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                 "start_rss": None, "peak_rss": _max_rss_bytes(resource.RUSAGE_CHILDREN), "peak_is_phase": True,
                 "output_lines": done.stdout.count("\n") + 1}]

    from zoneinfo import ZoneInfo

    from cryptotax_core import Method, Pooling, Result, Settings, Table, compute, parse_table, read_csv, summarize

    today = max(date.today(), LAST_DATE)
    csv: tuple[list[str], list[list[str]]] | None = None  # header and rows, while a phase needs them
    table: Table | None = None
    result: Result | None = None
    for phase in phases:
        if phase == "read":
            loaded, record = meter.measure(phase, read_csv, path)
            record["rows"] = len(loaded[1])
            csv = loaded
            records.append(record)
            continue
        if phase == "parse":
            header, rows = csv or read_csv(path)
            parsed, record = meter.measure(phase, parse_table, header, rows, zone=ZoneInfo("UTC"), today=today)
            record["warnings"] = len(parsed.warnings)
            records.append(record)
            table = parsed
            del header, rows
            continue
        if table is None:
            header, rows = csv or read_csv(path)
            table = parse_table(header, rows, zone=ZoneInfo("UTC"), today=today)
            del header, rows
        csv = None  # compute and summarize need only the transactions
        if phase.startswith("compute:"):
            settings = Settings(method=Method[phase.split(":", 1)[1]], pooling=Pooling.WALLET)
            for _ in range(repeat):
                result = None  # let the previous run's result go first
                computed, record = meter.measure(phase, compute, table.transactions, settings, table.warnings)
                record.update(transactions=len(table.transactions), disposals=len(computed.disposals),
                              open_lots=len(computed.lots), warnings=len(computed.warnings))
                result = computed
                del computed
                records.append(record)
        elif phase == "summarize":
            if result is None:
                result = compute(table.transactions, Settings(), table.warnings)
            summary, record = meter.measure(phase, summarize, result)
            record["years"] = len(summary)
            records.append(record)
        else:
            raise SystemExit(f"unknown phase {phase!r}")
    return records


# -- driving workers -----------------------------------------------------------------------------


def _spawn(path: Path, phases: list[str], *, repeat: int = 1, trace: bool = False) -> list[dict[str, Any]]:
    command = [str(PYTHON), str(Path(__file__).resolve()), "--worker", str(path), "--phases", ",".join(phases),
               "--repeat", str(repeat)]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {' '.join(phases)} on {path.name} failed:\n{done.stderr[-4000:]}")
    records: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return records


def dataset(n: int, seed: int, *, lot_ids: bool = False) -> tuple[Path, float | None]:
    """The cached CSV of `n` rows, generated if missing; the seconds generation took, or None if cached."""
    path = DATA / f"history_{n}_s{seed}{'_lotids' if lot_ids else ''}.csv"
    if path.exists():
        return path, None
    started = time.perf_counter()
    write_csv(path, n, seed, lot_ids_on_every_sell=lot_ids)
    return path, time.perf_counter() - started


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.0f}"


@dataclass
class _Line:
    size: int
    phase: str
    seconds: float | None = None
    cpu_seconds: float | None = None
    start_rss: int | None = None
    peak_rss: int | None = None
    traced_peak: int | None = None
    notes: list[str] = field(default_factory=list)


def run_sizes(sizes: list[int], methods: list[str], seed: int, *, cli: bool, trace: bool, runs: int = 1
              ) -> list[_Line]:
    lines: list[_Line] = []
    for n in sizes:
        path, generated = dataset(n, seed)
        size_note = f"{path.stat().st_size / MB:.1f} MB CSV"
        lines.append(_Line(n, "generate", generated, notes=[size_note if generated else f"cached, {size_note}"]))
        print(f"[{n:,} rows] {path.relative_to(ROOT)}: {lines[-1].notes[0]}", file=sys.stderr, flush=True)
        jobs: list[list[str]] = [["read", "parse"]]
        jobs += [[f"compute:{m}", "summarize"] if i == 0 else [f"compute:{m}"] for i, m in enumerate(methods)]
        if cli:
            jobs.append(["cli"])
        for phases in jobs:
            attempts = [_spawn(path, phases) for _ in range(runs)]
            traced = _spawn(path, phases, trace=True) if trace and phases != ["cli"] else []
            for index in range(len(attempts[0])):
                seconds = sorted(attempt[index]["seconds"] for attempt in attempts)
                record = min((attempt[index] for attempt in attempts), key=lambda rec: rec["seconds"])
                line = _Line(n, record["phase"], record["seconds"], record["cpu_seconds"], record["start_rss"],
                             record["peak_rss"], traced[index]["traced_peak"] if traced else None)
                if runs > 1:
                    line.notes.append(f"best of {runs}: {' '.join(f'{value:.2f}' for value in seconds)} s")
                if record["phase"].startswith("compute"):
                    line.notes.append(f"{record['seconds'] / record['transactions'] * 1e6:.0f} µs/row, "
                                      f"{record['disposals']:,} disposal lines, {record['warnings']} warnings")
                elif record["phase"] == "parse":
                    line.notes.append(f"{record['warnings']} warnings")
                if record.get("gc_seconds", 0) >= 0.01:
                    line.notes.append(f"GC {record['gc_seconds']:.2f} s")
                if not record["peak_is_phase"]:
                    line.notes.append("peak is the process's, not the phase's")
                lines.append(line)
                print(f"  {line.phase:<14} {line.seconds:8.2f} s  peak {_mb(line.peak_rss)} MB", file=sys.stderr,
                      flush=True)
    return lines


def print_sizes(lines: list[_Line], trace: bool) -> None:
    head = f"{'rows':>10}  {'phase':<14}{'wall s':>9}{'CPU s':>9}{'start MB':>10}{'peak MB':>9}"
    head += f"{'traced MB':>11}" if trace else ""
    print(head + "  notes")
    print("-" * (len(head) + 40))
    for line in lines:
        seconds = "-" if line.seconds is None else f"{line.seconds:.2f}"
        cpu = "-" if line.cpu_seconds is None else f"{line.cpu_seconds:.2f}"
        text = f"{line.size:>10,}  {line.phase:<14}{seconds:>9}{cpu:>9}{_mb(line.start_rss):>10}"
        text += f"{_mb(line.peak_rss):>9}"
        text += f"{_mb(line.traced_peak):>11}" if trace else ""
        print(text + ("  " + "; ".join(line.notes) if line.notes else ""))


def run_doubling(bases: list[int], methods: list[str], seed: int) -> None:
    """Compute time at n and 2n for each method, on the standard and the all-Lot-IDs history.

    Each figure is the best of up to 3 runs (fewer for large n) in one fresh worker; the ratios use
    CPU time, which other load on the machine disturbs less than wall time.
    """
    sizes = sorted(set(bases) | {2 * n for n in bases})
    cpu: dict[tuple[str, int], float] = {}
    wall: dict[tuple[str, int], float] = {}
    for lot_ids in (False, True):
        history = "lot IDs" if lot_ids else "standard"
        for n in sizes:
            path, _ = dataset(n, seed, lot_ids=lot_ids)
            repeat = max(1, min(3, 400_000 // n))  # best of several runs where a run is short
            records = _spawn(path, [f"compute:{m}" for m in methods], repeat=repeat)
            for method in methods:
                runs = [r for r in records if r["phase"] == f"compute:{method}"]
                best = min(runs, key=lambda r: float(r["cpu_seconds"]))
                cpu[(f"{method}, {history}", n)] = best["cpu_seconds"]
                wall[(f"{method}, {history}", n)] = best["seconds"]
                print(f"  doubling {method:<5} {history:<9} {n:>9,} rows {best['cpu_seconds']:8.2f} s CPU "
                      f"{best['seconds']:8.2f} s wall", file=sys.stderr, flush=True)
    configs = list(dict.fromkeys(name for name, _ in cpu))
    print(f"{'compute':<28}" + "".join(f"{f'{n // 1000}k':>9}" for n in sizes)
          + "".join(f"{f'{2 * n // 1000}k/{n // 1000}k':>12}" for n in bases))
    for name in configs:
        for label, times in (("CPU", cpu), ("wall", wall)):
            row = f"{f'{name} ({label})':<28}" + "".join(f"{times[(name, n)]:>8.2f}s" for n in sizes)
            row += "".join(f"{times[(name, 2 * n)] / times[(name, n)]:>12.2f}" for n in bases)
            print(row)


def _revision() -> str:
    """The commit measured, marked '+changes' when the working tree differs from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "cryptotax_core",
                                "cryptotax_cli"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"
    return commit + (" +changes" if dirty.strip() else "")


def _numbers(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


GAUGE_STEPS = 5_000_000


def machine_gauge() -> float:
    """Seconds for a fixed loop of Python additions (0.26-0.39 s on the machine of bench/README.md):
    printed beside the figures, it tells a slow stretch of the machine from a slow change (such a loop
    has taken from 1x to 1.5x its fastest time within a minute here)."""
    start = time.perf_counter()
    total = 0
    for step in range(GAUGE_STEPS):
        total += step
    return time.perf_counter() - start


def _engine_build() -> str:
    """'compiled' (an install of the wheel built with CRYPTOTAX_COMPILE=1) or 'plain Python' (any other)."""
    from cryptotax_core import engine

    return "plain Python" if str(engine.__file__).endswith(".py") else "compiled"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cryptotax on synthetic histories.")
    parser.add_argument("--sizes", type=_numbers, default=[10_000, 100_000, 1_000_000],
                        help="comma-separated row counts (default 10000,100000,1000000; '' for none)")
    parser.add_argument("--methods", default="FIFO,HIFO", help="comma-separated methods (default FIFO,HIFO)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the end-to-end CLI timing")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure each phase's traced Python peak, in separate (slow, untimed) runs")
    parser.add_argument("--runs", type=int, default=1,
                        help="run each phase in this many fresh workers and keep the fastest (default 1)")
    parser.add_argument("--doubling", action="store_true", help="check that compute time grows linearly")
    parser.add_argument("--doubling-sizes", type=_numbers, default=[50_000, 100_000, 200_000, 400_000],
                        help="the n of the doubling check (default 50000,100000,200000,400000)")
    parser.add_argument("--planning", action="store_true",
                        help="also bench/planning_bench.py: compare, harvest, whatif and the add-in's planning "
                             "functions at 10k and 100k rows (with --doubling, their doubling check too)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phases", default="", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        records = worker(args.worker, args.phases.split(","), repeat=args.repeat, trace=args.trace)
        print(json.dumps(records))
        return 0
    methods = [m.strip().upper() for m in args.methods.split(",") if m.strip()]
    if not CLI.exists() and args.cli:
        parser.error(f"{CLI} is missing: install the project beside {PYTHON} (bash tasks.sh test) or pass --no-cli")
    print(f"python {sys.version.split()[0]} on {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}; cryptotax {_revision()}, engine {_engine_build()}; seed {args.seed}; "
          f"machine gauge {machine_gauge():.2f} s", flush=True)
    if args.sizes:
        lines = run_sizes(args.sizes, methods, args.seed, cli=args.cli, trace=args.tracemalloc, runs=max(1, args.runs))
        print()
        print_sizes(lines, args.tracemalloc)
    if args.doubling:
        print()
        run_doubling(args.doubling_sizes, methods, args.seed)
    if args.planning:
        print()
        from bench.planning_bench import main as planning

        planning([*(["--doubling"] if args.doubling else []), "--seed", str(args.seed)])
    print(f"machine gauge after the runs {machine_gauge():.2f} s (a fixed Python loop; lower is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
