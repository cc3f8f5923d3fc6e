"""The `cryptotax` command line (cryptotax_cli.main), a shell over cryptotax_core.

It reads and writes workbooks with the libraries of the package's `cli` extra; the Excel functions need
none of them, so a plain `pip install cryptotax-excel` leaves them out.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

WORKBOOK_LIBRARIES = ("openpyxl", "defusedxml", "xlsxwriter")  # import names of the `cli` extra


def missing_libraries() -> list[str]:
    """The workbook libraries of the `cli` extra that are not installed."""
    return [name for name in WORKBOOK_LIBRARIES if find_spec(name) is None]


def package_version() -> str:
    """The installed package's version (pyproject.toml)."""
    try:
        return version("cryptotax-excel")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def run() -> int:
    """The `cryptotax` command; without the `cli` extra it says how to install it."""
    missing = missing_libraries()
    if missing:
        print(f"cryptotax: the command line needs its workbook libraries (missing: {', '.join(missing)}); "
              f"install them with pip install \"cryptotax-excel[cli]\"", file=sys.stderr)
        return 1
    from cryptotax_cli.main import run as run_main

    return run_main()
