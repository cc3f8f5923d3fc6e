"""Build hook: with CRYPTOTAX_COMPILE=1 (build_backend/cryptotax_build.py), the engine's hot modules are
compiled with mypyc into a platform wheel for release; without it, the default, nothing is compiled and
the wheel is pure Python. Metadata is in pyproject.toml."""

from __future__ import annotations

import os

from setuptools import setup

COMPILED = ("engine", "allocation", "pools", "holding", "ordering", "wash", "table", "schema", "careful", "fast",
            "values", "summary")  # cryptotax_core modules, by name


def extensions() -> list[object]:
    """The compiled modules when CRYPTOTAX_COMPILE=1, else none. mypyc type-checks the modules first
    with the project's strict mypy settings (pyproject.toml); any failure stops the build."""
    if os.environ.get("CRYPTOTAX_COMPILE", "") != "1":
        return []
    from mypyc.build import mypycify

    return list(mypycify(["--no-warn-unused-configs", *(f"cryptotax_core/{name}.py" for name in COMPILED)],
                         opt_level="3"))


if __name__ == "__main__":
    setup(ext_modules=extensions())
