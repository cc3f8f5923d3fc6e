"""cProfile of the cryptotax phases on a cached synthetic history: where the time goes.

Run from the repository root:

    .venv/bin/python bench/profile_phases.py                       # 100k rows: parse, compute FIFO and HIFO
    .venv/bin/python bench/profile_phases.py --size 10000 --phases parse,compute:HIFO,summarize --top 25
    .venv/bin/python bench/profile_phases.py --lot-ids             # the history where every sell names lots

Prints, per phase, the top functions by own time (tottime). The history comes from bench/data/
(generated there first if missing, like bench/run.py does). Times under cProfile are inflated,
most for code that makes many small calls; use bench/run.py for timings.

cProfile cannot see into compiled functions, so this script profiles the plain-Python engine of the
editable install in .venv (the default build) and refuses an install of the compiled wheel. For the
compiled engine (CRYPTOTAX_COMPILE=1), a native profiler shows the C functions mypyc made
(`CPyDef_<module>___<function>`), e.g. `perf record -g --call-graph dwarf PYTHON SCRIPT` then
`perf report --children`, with the PYTHON of an install of the compiled wheel.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LAST_DATE, dataset

from cryptotax_core import Method, Pooling, Settings, compute, engine, parse_table, read_csv, summarize


def profile(name: str, action: Any, *args: Any, top: int) -> Any:
    """Run `action(*args)` under cProfile and print its top `top` functions by tottime."""
    profiler = cProfile.Profile()
    value = profiler.runcall(action, *args)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    print(f"=== {name}: {stats.total_tt:.2f} s under cProfile ===")  # type: ignore[attr-defined]
    text = out.getvalue()
    print(text[text.index("   ncalls"):].rstrip() if "   ncalls" in text else text)
    print()
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile the cryptotax phases on a synthetic history.")
    parser.add_argument("--size", type=int, default=100_000, help="rows (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--lot-ids", action="store_true", help="use the history where every sell names lots")
    parser.add_argument("--phases", default="parse,compute:FIFO,compute:HIFO",
                        help="comma-separated: read, parse, compute:METHOD, summarize (default "
                             "parse,compute:FIFO,compute:HIFO)")
    parser.add_argument("--top", type=int, default=15, help="functions to list per phase (default 15)")
    args = parser.parse_args(argv)
    if not str(engine.__file__).endswith(".py"):
        parser.error(f"the engine of {sys.executable} is compiled ({engine.__file__}): cProfile sees no inside; "
                     f"run this with the plain install (.venv)")
    path, _ = dataset(args.size, args.seed, lot_ids=args.lot_ids)
    today = max(date.today(), LAST_DATE)
    header, rows = read_csv(path)
    table = parse_table(header, rows, zone=ZoneInfo("UTC"), today=today)
    result = None
    for phase in (part.strip() for part in args.phases.split(",") if part.strip()):
        if phase == "read":
            profile(phase, read_csv, path, top=args.top)
        elif phase == "parse":
            profile(phase, lambda: parse_table(header, rows, zone=ZoneInfo("UTC"), today=today), top=args.top)
        elif phase.startswith("compute:"):
            settings = Settings(method=Method[phase.split(":", 1)[1].upper()], pooling=Pooling.WALLET)
            result = profile(phase, compute, table.transactions, settings, table.warnings, top=args.top)
        elif phase == "summarize":
            profile(phase, summarize, result or compute(table.transactions, Settings(), table.warnings),
                    top=args.top)
        else:
            parser.error(f"unknown phase {phase!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
