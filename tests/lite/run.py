"""Run the cases (tests/lite/cases.py) classic or through the Office.js path, and compare.

    python tests/lite/run.py classic OUT.json [--sample-only]   classic desktop calls (CPython)
    python tests/lite/run.py lite OUT.json [--sample-only]      the Office.js path in CPython (licence stub)
    python tests/lite/run.py compare CLASSIC.json LITE.json     prints each difference, then "N passed, M failed"
    python tests/lite/run.py probe < REQUEST.json                the Office.js path: metadata and raw calls

In Pyodide, tests/lite/pyodide.mjs awaits `lite_results` and `compare` from this module. Either way the
repository's folders are given by ROOT (the checkout, or their copies in Pyodide's file system).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
ROOT = HERE.parent.parent

import cases  # noqa: E402
import officejs  # noqa: E402

MAIN = ROOT / "addin" / "lite" / "main.py"


def selected(sample_only: bool) -> list[cases.Case]:
    found = cases.all_cases(ROOT / "bench")
    return [case for case in found if case.name.startswith("sample")] if sample_only else found


def classic_results(sample_only: bool = False) -> dict[str, cases.Cells]:
    import addin.functions as functions

    return {case.name: cases.classic_shown(getattr(functions, case.function)(*case.classic_args()))
            for case in selected(sample_only)}


async def lite_results(sample_only: bool = False, main: Path = MAIN,
                       seconds: dict[str, float] | None = None) -> dict[str, cases.Cells]:
    """Each case through the Office.js path; `seconds` gets each call's wall time if given."""
    module = officejs.load_main(str(main))
    results = {}
    for case in selected(sample_only):
        started = time.perf_counter()
        results[case.name] = officejs.shown(await officejs.call(module, case.function, case.args))
        if seconds is not None:
            seconds[case.name] = time.perf_counter() - started
    return results


def compare(classic: dict[str, Any], lite: dict[str, Any]) -> int:
    """Print every difference and the count; 0 when all cases agree."""
    found = cases.differences(classic, lite)
    for line in found:
        print(f"lite differs from classic: {line}")
    print(f"{len(classic) - len(found)} passed, {len(found)} failed")
    return 1 if found or not classic else 0


async def probe(request: dict[str, Any]) -> dict[str, Any]:
    """For tests/test_officejs.py: {"calls": [[FUNCTION, WIRE_ARGS], ...], "sample": bool} -> the metadata,
    each call's cells as returned (typed values kept) and, if asked, the sample cases as shown."""
    module = officejs.load_main(str(MAIN))
    calls = [await officejs.call_wire(module, name, args) for name, args in request["calls"]]
    import xlwings.server

    answer: dict[str, Any] = {"metadata": officejs.metadata(module), "calls": calls,
                              "scripts": xlwings.server.custom_scripts_meta(module)}
    if request.get("sample"):
        answer["sample"] = {case.name: officejs.shown(await officejs.call(module, case.function, case.args))
                            for case in selected(sample_only=True)}
    return answer


def main(argv: list[str]) -> int:
    command, *rest = argv
    sample_only = "--sample-only" in rest
    paths = [Path(arg) for arg in rest if not arg.startswith("--")]
    if command == "classic":
        paths[0].write_text(json.dumps(classic_results(sample_only)))
        return 0
    if command == "lite":
        import asyncio

        paths[0].write_text(json.dumps(asyncio.run(lite_results(sample_only))))
        return 0
    if command == "probe":
        import asyncio

        print(json.dumps(asyncio.run(probe(json.loads(sys.stdin.read())))))
        return 0
    if command == "compare":
        return compare(json.loads(paths[0].read_text()), json.loads(paths[1].read_text()))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
