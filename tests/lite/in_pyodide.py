"""The Python side of tests/lite/pyodide.mjs: install the wheels, run the cases, check the runtime.

Runs inside Pyodide only. Prints each check; returns [checks, failures] for pyodide.mjs to count.
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import time
import zipfile
from pathlib import Path
from typing import Any


def install(wheels: Path) -> list[str]:
    """Unpack every wheel into site-packages, as micropip installs a pure wheel; their names."""
    site = sysconfig.get_paths()["purelib"]
    names = []
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site)
        names.append(wheel.name)
    importlib.invalidate_caches()
    return names


async def main(wheels: str, classic_json: str) -> list[int]:
    assert sys.platform == "emscripten", sys.platform
    print(f"pyodide: Python {sys.version.split()[0]}; site-packages {sysconfig.get_paths()['purelib']}; wheels: "
          f"{', '.join(install(Path(wheels)))}")
    import run  # after the install: it imports cryptotax_core (from the wheel) through cases.py

    checks: list[tuple[str, bool]] = []
    started, seconds = time.perf_counter(), {}
    lite = await run.lite_results(seconds=seconds)
    slowest = ", ".join(f"{name} {took:.1f} s" for name, took in sorted(seconds.items(), key=lambda item: -item[1])[:3])
    print(f"pyodide: {len(lite)} calls in {time.perf_counter() - started:.1f} s; slowest: {slowest}")
    failed = run.compare(json.loads(Path(classic_json).read_text()), lite)
    checks += [(f"{len(lite)} calls give the classic cells", failed == 0)]
    checks += _runtime_checks()
    checks += [("an internal error names the Lite output pane", await _internal_error())]
    for name, ok in checks:
        print(f"pyodide: {name}: {'ok' if ok else 'FAILED'}")
    return [len(checks), sum(not ok for _, ok in checks)]


def _runtime_checks() -> list[tuple[str, bool]]:
    import cryptotax_core
    from addin import convert

    site = sysconfig.get_paths()["purelib"]
    found = []
    for name in ("openpyxl", "xlsxwriter", "defusedxml"):
        try:
            importlib.import_module(name)
            found.append(name)
        except ImportError:
            pass
    from zoneinfo import ZoneInfo

    zones = [str(ZoneInfo(name)) for name in ("UTC", "America/New_York")]  # from the tzdata wheel
    return [
        (f"cryptotax_core comes from the wheel ({cryptotax_core.__file__})",
         str(Path(cryptotax_core.__file__).resolve()).startswith(str(Path(site).resolve()))),
        ("the engine runs as plain Python", str(cryptotax_core.engine.__file__).endswith(".py")),
        ("the error boundary knows it runs in the browser", convert.IN_BROWSER),
        ("no workbook library is needed (none is installed)", found == []),
        ("time zones from tzdata", zones == ["UTC", "America/New_York"]),
    ]


async def _internal_error() -> bool:
    """A bug (here: the engine raising RuntimeError) shows briefly in the cell; its traceback goes to stderr."""
    import cases
    import officejs

    from addin import convert
    from cryptotax_core.planning import computed as computed_module

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("provoked by the test")

    convert.clear_cache()
    real, computed_module.compute_with_checkpoints = computed_module.compute_with_checkpoints, broken
    try:
        module = sys.modules["main"]
        cells = await officejs.call(module, "GAINLOSS", [cases.sample_table(), 2025])
    finally:
        computed_module.compute_with_checkpoints = real
    expected = [["cryptotax: internal error in GAINLOSS (details in the xlwings Lite output pane)"]]
    print(f"pyodide: internal error cell: {cells}")
    return cells == expected
