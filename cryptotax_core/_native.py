"""Compiled or plain: the engine's hot modules may be compiled with mypyc at install time (setup.py),
which runs them 1.3-2 times as fast. The compiled build is used only while every source is the one
the package was built from (the hashes in _compiled.json, written by the build); after any edit, or when
CRYPTOTAX_PURE=1 is set, all of them run from their sources. Imported first by the package.

This module is never compiled and imports nothing of the package.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

COMPILED = ("engine", "pools", "holding", "table", "values", "summary")
MANIFEST = "_compiled.json"
PACKAGE = "cryptotax_core"


def source_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of every Python source of the package, by path: what a build is compiled from (the
    compiled modules also build in what they know of the modules they import)."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*.py"))}


def stale(folder: Path, pure: bool) -> dict[str, Path]:
    """The compiled modules not to use, by full name, with their sources: none while every source of
    the package is the one the build recorded; otherwise (`pure`, no complete build, any source edited
    since) all of them, since compiled modules of one build call each other directly."""
    sources = {f"{PACKAGE}.{name}": folder / f"{name}.py" for name in COMPILED}
    try:
        fresh = not pure and json.loads((folder / MANIFEST).read_text()) == source_hashes(folder)
    except (OSError, ValueError):
        fresh = False
    return {} if fresh else {module: source for module, source in sources.items() if source.exists()}


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds the listed modules in their source files, ahead of any compiled build beside them."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        return importlib.util.spec_from_file_location(fullname, source) if source else None


def compiled(name: str) -> bool:
    """True when the module `cryptotax_core.<name>` runs compiled."""
    module = sys.modules.get(f"{PACKAGE}.{name}")
    return module is not None and not str(getattr(module, "__file__", "")).endswith(".py")


_plain: dict[str, Path] = {}
if __name__ == f"{PACKAGE}._native":  # not when setup.py reads the list of compiled modules
    _plain = stale(Path(__file__).resolve().parent, pure=bool(os.environ.get("CRYPTOTAX_PURE")))
    if _plain and not any(isinstance(finder, _SourceFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFirst(_plain))
