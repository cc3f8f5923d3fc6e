"""What every Excel function shares: its category, and its arguments' help texts and cell conversions."""

from __future__ import annotations

from typing import Any

from xlwings import arg

CATEGORY = "cryptotax"
TRANSACTIONS_DOC = "The Transactions table with its header row, e.g. Transactions[#All]"
SETTINGS_DOC = "Optional: the Settings range (label/value pairs: Method, Pooling, Time zone, Filing status, ...)"
YEAR_DOC = "The tax year, e.g. 2025"


# Every argument reads an error cell (#N/A, #VALUE!, ...) as its text, which the conversions refuse with a
# message naming the argument (or the table's row and column); by default Office.js hands one over as an
# empty cell, which would quietly mean "omitted" (xlwings' `err_to_str`, classic and Office.js alike).
def cells(name: str, doc: str) -> Any:
    """A range argument: rows of cells, however many (`ndim=2`)."""
    return arg(name, ndim=2, err_to_str=True, doc=doc)


def cell(name: str, doc: str) -> Any:
    """A single value."""
    return arg(name, err_to_str=True, doc=doc)
