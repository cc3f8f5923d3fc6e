"""The build backend: setuptools' own, with one opt-in setting for the compiled engine.

    pip install .                              plain Python; a pure py3-none-any wheel
    CRYPTOTAX_COMPILE=1 python -m build -w     the engine's hot modules compiled with mypyc (setup.py)

By default nothing is compiled, so a build needs neither mypy nor a C compiler. With CRYPTOTAX_COMPILE=1
the backend asks the front end for mypy (which brings mypyc) as an extra build requirement, and setup.py
compiles; a failed compilation then fails the build instead of quietly giving a plain wheel. Editable
installs are always plain: compiled modules beside the sources would shadow every later edit of them.
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (the hooks that need no change)
    build_sdist,
    build_wheel,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

SWITCH = "CRYPTOTAX_COMPILE"
# mypyc is part of mypy; the type stubs let it check the modules as strictly as `mypy` does in CI
COMPILE_REQUIRES = ("mypy==2.4.1", "types-python-dateutil==2.9.0.20261116")


def compiling() -> bool:
    """True when the build is asked for the compiled engine (CRYPTOTAX_COMPILE=1)."""
    return os.environ.get(SWITCH, "") == "1"


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    if not compiling():
        return _setuptools.get_requires_for_build_wheel(config_settings)
    # setuptools runs setup.py to find its own requirements, before mypy is installed: compile nothing then
    os.environ[SWITCH] = "0"
    try:
        return [*_setuptools.get_requires_for_build_wheel(config_settings), *COMPILE_REQUIRES]
    finally:
        os.environ[SWITCH] = "1"


def get_requires_for_build_editable(config_settings: dict[str, object] | None = None) -> list[str]:
    _refuse_compiled_editable()
    return _setuptools.get_requires_for_build_editable(config_settings)


def build_editable(wheel_directory: str, config_settings: dict[str, object] | None = None,
                   metadata_directory: str | None = None) -> str:
    _refuse_compiled_editable()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


class CompiledEditable(RuntimeError):
    """CRYPTOTAX_COMPILE=1 with an editable install, which would run stale compiled code after an edit."""


def _refuse_compiled_editable() -> None:
    if compiling():
        raise CompiledEditable(f"{SWITCH}=1 builds the compiled engine into wheels only; an editable install "
                               f"runs the sources as they are edited. Unset {SWITCH} for `pip install -e .`, "
                               f"or build a wheel: {SWITCH}=1 python -m pip wheel --no-deps .")
