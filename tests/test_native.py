"""Compiled or plain Python (cryptotax_core/_native.py): a compiled build is used only while every source
of the package is the one it was built from, and never with CRYPTOTAX_PURE=1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptotax_core import _native


def package(tmp_path: Path) -> Path:
    folder = tmp_path / "cryptotax_core"
    (folder / "tax").mkdir(parents=True)
    for name in _native.COMPILED:
        (folder / f"{name}.py").write_text(f"NAME = {name!r}\n")
    (folder / "model.py").write_text("X = 1\n")
    (folder / "tax" / "rates.py").write_text("Y = 2\n")
    (folder / _native.MANIFEST).write_text(json.dumps(_native.source_hashes(folder)))
    return folder


def test_a_fresh_build_is_used(tmp_path: Path) -> None:
    assert _native.stale(package(tmp_path), pure=False) == {}


def test_any_edit_since_the_build_sends_every_compiled_module_to_its_source(tmp_path: Path) -> None:
    folder = package(tmp_path)
    (folder / "tax" / "rates.py").write_text("Y = 3\n")  # not compiled itself, but compiled code uses it
    plain = _native.stale(folder, pure=False)
    assert plain == {f"cryptotax_core.{name}": folder / f"{name}.py" for name in _native.COMPILED}


def test_no_complete_build_or_the_pure_setting_means_plain_python(tmp_path: Path) -> None:
    folder = package(tmp_path)
    assert len(_native.stale(folder, pure=True)) == len(_native.COMPILED)
    (folder / _native.MANIFEST).unlink()
    assert len(_native.stale(folder, pure=False)) == len(_native.COMPILED)


def test_this_process_and_a_pure_one() -> None:
    """Here the engine runs compiled exactly when the installed build is fresh; with CRYPTOTAX_PURE=1
    every compiled module comes from its .py file."""
    folder = Path(_native.__file__).parent
    assert _native.compiled("engine") == (not _native.stale(folder, pure=bool(os.environ.get("CRYPTOTAX_PURE")))
                                          and any(folder.glob("engine.*.so")))
    code = ("import cryptotax_core, sys; from cryptotax_core import _native; "
            f"print([sys.modules['cryptotax_core.' + name].__file__.endswith('.py') for name in {_native.COMPILED!r}])")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "CRYPTOTAX_PURE": "1"}, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == str([True] * len(_native.COMPILED))
