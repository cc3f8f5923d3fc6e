"""Build hook: the engine's hot modules compiled with mypyc where the machine can (a C compiler and
Python's headers), for speed; everywhere else, and once any source of the package has changed since
the build, the same modules run as plain Python (see cryptotax_core/_native.py). Metadata is in
pyproject.toml. CRYPTOTAX_PURE=1 at install time skips the compilation."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "cryptotax_core"))
from _native import COMPILED, MANIFEST, source_hashes  # noqa: E402  (the one list of compiled modules)

SOURCES = [f"cryptotax_core/{name}.py" for name in COMPILED]


def extensions() -> list[object]:
    if os.environ.get("CRYPTOTAX_PURE"):
        return []
    try:
        from mypyc.build import mypycify

        # mypyc type-checks the modules first; the project's strict mypy settings apply (pyproject.toml)
        built = mypycify(["--no-warn-unused-configs", *SOURCES], opt_level="3")
    except BaseException as error:  # no mypyc, or it refused: the modules stay plain Python
        print(f"cryptotax: not compiling the engine ({error!r}); it runs as plain Python", file=sys.stderr)
        return []
    for extension in built:
        extension.optional = True  # a failed C build leaves plain Python, not a failed install
    return built


class BuildWithManifest(build_ext):
    """Records the hash of every source of the package beside the compiled modules once every one is
    built: cryptotax_core/_native.py uses the build only while the sources still have those hashes."""

    def run(self) -> None:
        super().run()
        outputs = [Path(self.get_ext_fullpath(extension.name)) for extension in self.extensions]
        if not outputs or not all(path.exists() for path in outputs):
            return
        target = Path(self.get_ext_fullpath("cryptotax_core.engine")).parent
        (target / MANIFEST).write_text(json.dumps(source_hashes(ROOT / "cryptotax_core"), indent=1) + "\n")


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildWithManifest})
