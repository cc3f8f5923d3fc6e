"""Build a wheel of the project and check it: its tag, its declared dependencies and its files.

    python .ci/wheel.py pure OUT_DIR        the default build: a py3-none-any wheel, no compiled module
    python .ci/wheel.py compiled OUT_DIR    CRYPTOTAX_COMPILE=1: a platform wheel with the mypyc engine

Prints the wheel's path last. The Excel functions need only xlwings, python-dateutil and tzdata (all
pure wheels, so xlwings Lite can install them in Pyodide); the command line's workbook libraries come
with the `cli` extra.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "cryptotax-excel"
REQUIRED = {"xlwings", "python-dateutil", "tzdata"}
CLI_EXTRA = {"openpyxl", "defusedxml", "xlsxwriter"}
MUST_CONTAIN = ("addin/functions.py", "addin/convert.py", "cryptotax_core/engine.py", "cryptotax_cli/main.py",
                "cryptotax_core/samples/sample_history.csv", "cryptotax_core/py.typed", "workbook_templates/content.py")


def compiled_modules() -> tuple[str, ...]:
    """The modules setup.py compiles (its COMPILED), read without running a build."""
    spec = importlib.util.spec_from_file_location("cryptotax_setup", ROOT / "setup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.COMPILED)


def build(kind: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("cryptotax_excel-*.whl"):
        old.unlink()
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' staging folder: files of an earlier build
    env = {**os.environ, "CRYPTOTAX_COMPILE": "1" if kind == "compiled" else "0"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--wheel-dir", str(out), str(ROOT)], check=True, env=env)
    (wheel,) = out.glob("cryptotax_excel-*.whl")
    return wheel


def requirements(metadata: str) -> tuple[set[str], dict[str, set[str]]]:
    """The names of the wheel's requirements: (always, by extra)."""
    always: set[str] = set()
    extras: dict[str, set[str]] = {}
    for line in Parser().parsestr(metadata).get_all("Requires-Dist") or []:
        name = re.match(r"[A-Za-z0-9._-]+", line)
        assert name, line
        canonical = re.sub(r"[-_.]+", "-", name.group(0)).lower()
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", line)
        if extra:
            extras.setdefault(extra.group(1), set()).add(canonical)
        else:
            assert ";" not in line, f"a requirement of the functions has a marker: {line}"
            always.add(canonical)
    return always, extras


def check(kind: str, wheel: Path) -> list[str]:
    """What is wrong with the wheel (nothing: an empty list)."""
    problems = []
    tag = wheel.name.removesuffix(".whl").split("-", 2)[2]
    if kind == "pure" and tag != "py3-none-any":
        problems.append(f"the default build is not a pure wheel: {wheel.name}")
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    if kind == "compiled" and not tag.endswith(platform):
        problems.append(f"the compiled build is not a {platform} wheel: {wheel.name}")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
    if Parser().parsestr(metadata)["Name"] != NAME:
        problems.append(f"the distribution is not named {NAME}")
    always, extras = requirements(metadata)
    if always != REQUIRED:
        problems.append(f"the functions' dependencies are {sorted(always)}, not {sorted(REQUIRED)}")
    if extras.get("cli") != CLI_EXTRA:
        problems.append(f"the cli extra is {sorted(extras.get('cli', ()))}, not {sorted(CLI_EXTRA)}")
    problems += [f"missing {name}" for name in MUST_CONTAIN if name not in names]
    native = sorted(name for name in names if name.endswith((".so", ".pyd")))
    if kind == "pure" and native:
        problems.append(f"compiled files in the pure wheel: {native}")
    if kind == "compiled":
        missing = [name for name in compiled_modules()
                   if not any(path.startswith(f"cryptotax_core/{name}.") for path in native)]
        if missing:
            problems.append(f"not compiled: {missing}")
    if any(name.startswith("addin/lite/") for name in names):
        problems.append("addin/lite/ (the files a user pastes into xlwings Lite) is in the wheel")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("pure", "compiled"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, out = argv[0], Path(argv[1])
    wheel = build(kind, out)
    problems = check(kind, wheel)
    for problem in problems:
        print(f"wheel check: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"wheel check: {wheel.name} OK ({wheel.stat().st_size // 1024} KiB)", file=sys.stderr)
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
