"""Reading the transaction table and the Settings range of a cryptotax workbook (read only)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries

from cryptotax_core import InputError, Issue

TRANSACTIONS_SHEET = "Transactions"
SETTINGS_NAME = "Settings"


@dataclass(frozen=True, slots=True)
class WorkbookTable:
    header: list[object]
    rows: list[list[object]]
    first_row: int  # the sheet row of rows[0]
    settings: list[list[object]]  # the Settings range's label/value pairs ([] if the workbook has none)


def read_workbook(path: Path) -> WorkbookTable:
    """The Transactions sheet (header in its first non-empty row) and the named range Settings, as values.
    The file is opened read only and never written."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError([Issue(0, "", f"cannot read {path} as an Excel workbook: {exc}")]) from exc
    try:
        if TRANSACTIONS_SHEET not in book.sheetnames:
            raise InputError([Issue(0, "", f"{path.name} has no sheet named {TRANSACTIONS_SHEET}; its sheets: "
                                           f"{', '.join(book.sheetnames)}")])
        lines = [list(row) for row in book[TRANSACTIONS_SHEET].iter_rows(values_only=True)]
        start = next((index for index, row in enumerate(lines) if any(cell is not None for cell in row)), None)
        if start is None:
            raise InputError([Issue(0, "", f"the {TRANSACTIONS_SHEET} sheet of {path.name} is empty")])
        return WorkbookTable(lines[start], lines[start + 1:], start + 2, _settings(book))
    finally:
        book.close()


def _settings(book: openpyxl.Workbook) -> list[list[object]]:
    defined = book.defined_names.get(SETTINGS_NAME)
    if defined is None:
        return []
    pairs: list[list[object]] = []
    for sheet_name, reference in defined.destinations:
        sheet = book[sheet_name]
        min_col, min_row, max_col, max_row = range_boundaries(reference.replace("$", ""))
        for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                   values_only=True):
            pairs.append(list(row))
    return pairs
