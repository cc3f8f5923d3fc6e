"""The shells use the core's public API alone: `from cryptotax_core import NAME`, each NAME in `__all__`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import cryptotax_core

ROOT = Path(__file__).resolve().parent.parent
SHELLS = ("cryptotax_cli", "addin", "workbook_templates")


def _sources() -> list[Path]:
    return sorted(path for package in SHELLS for path in (ROOT / package).rglob("*.py"))


def _private_uses(path: Path) -> list[str]:
    """Each import of a core submodule, each name imported from the core outside `__all__`, and each
    `cryptotax_core.NAME` outside `__all__`, as 'file:line: what'."""
    where = path.relative_to(ROOT)
    public = set(cryptotax_core.__all__)
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cryptotax_core"):
            if node.module != "cryptotax_core":
                found.append(f"{where}:{node.lineno}: from {node.module} import ...")
            else:
                found += [f"{where}:{node.lineno}: {alias.name} is not in cryptotax_core.__all__"
                          for alias in node.names if alias.name not in public]
        elif isinstance(node, ast.Import):
            found += [f"{where}:{node.lineno}: import {alias.name}" for alias in node.names
                      if alias.name.startswith("cryptotax_core.")]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "cryptotax_core" and node.attr not in public):
            found.append(f"{where}:{node.lineno}: cryptotax_core.{node.attr} is not in cryptotax_core.__all__")
    return found


def test_the_shells_import_the_core_through_its_public_api_alone() -> None:
    sources = _sources()
    assert len(sources) > 20  # the scan sees the packages
    assert [use for path in sources for use in _private_uses(path)] == []


def test_the_scan_names_the_file_and_line_of_a_private_import(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    shell = tmp_path / "addin"
    shell.mkdir()
    (shell / "bad.py").write_text("import cryptotax_core\n"
                                  "from cryptotax_core import Method\n"
                                  "from cryptotax_core.tax.netting import net_capital\n"
                                  "import cryptotax_core.engine\n"
                                  "x = cryptotax_core.engine.compute\n"
                                  "y = cryptotax_core.UserError\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _private_uses(shell / "bad.py") == [
        "addin/bad.py:3: from cryptotax_core.tax.netting import ...",
        "addin/bad.py:4: import cryptotax_core.engine",
        "addin/bad.py:5: cryptotax_core.engine is not in cryptotax_core.__all__",
    ]


def test_every_name_in_all_exists_once() -> None:
    names = cryptotax_core.__all__
    assert len(names) == len(set(names))
    assert [name for name in names if not hasattr(cryptotax_core, name)] == []


def test_importing_the_core_loads_no_workbook_library() -> None:
    """The Excel functions load the core in Excel's own Python (and in Pyodide): no openpyxl, no XlsxWriter."""
    code = ("import sys, addin.functions\n"
            "print(sorted(name for name in ('openpyxl', 'xlsxwriter', 'defusedxml') if name in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"
