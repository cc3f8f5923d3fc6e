"""Binding the workbook's formulas to the functions of xlwings Lite: a script that enters them again.

Excel binds a formula to an Office.js add-in's function when the formula is entered while the add-in's
functions are registered; it saves such a formula with the prefix `_xldudf_` and, on opening a file,
binds only formulas saved that way (Microsoft's answer in OfficeDev/Excel-Custom-Functions#108). A
formula that another program wrote (the template: XlsxWriter stores `=GAINLOSS(...)` as the classic
desktop functions need it) or that was typed before the add-in was loaded shows #NAME? until it is
entered again (OfficeDev/office-js#6611, #6355: by design). Entering the same text through Office.js
(`range.formulas`, which also spills dynamic arrays) binds it; saving the workbook then stores the bound
form, so this is needed once per workbook.

Only cells whose formula calls one of the cryptotax functions are written, each with its own formula
text as Excel reports it, so nothing the user typed changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xlwings import BookAsync, script

from addin.functions import FUNCTIONS

_CALL = re.compile(r"(?<![\w.])(?:" + "|".join(function.__name__ for function in FUNCTIONS) + r")\s*\(",
                   re.IGNORECASE)


def calls_cryptotax(formula: object) -> bool:
    """True for a formula (text starting with =) that calls one of the cryptotax functions."""
    return isinstance(formula, str) and formula.startswith("=") and _CALL.search(_without_strings(formula)) is not None


def _without_strings(formula: str) -> str:
    """The formula without its text literals ("GAINLOSS(" inside quotes is no call)."""
    return re.sub(r'"(?:[^"]|"")*"', '""', formula)


def formulas_to_enter(formulas: Sequence[Sequence[object]]) -> list[tuple[int, int, str]]:
    """(row, column, formula), 0-based within the grid, of each cell whose formula calls a cryptotax
    function. Cells that a dynamic array spills into report their values, not formulas, and are left."""
    return [(row, column, text) for row, cells in enumerate(formulas) for column, text in enumerate(cells)
            if isinstance(text, str) and calls_cryptotax(text)]


@script
async def bind_formulas(book: BookAsync) -> None:
    """Enter every cryptotax formula of the workbook again, so Excel binds it to the functions of xlwings
    Lite; run it once after opening the template or a workbook from Windows Excel, then save."""
    entered = 0
    for sheet in book.sheets:
        used = await sheet.get_used_range()
        if used is None:
            continue
        grid = await used.options(ndim=2).get_formula()
        for row, column, text in formulas_to_enter(grid):
            sheet.range((used.row + row, used.column + column)).formula = text
            entered += 1
    print(f"cryptotax: entered {entered} formulas again; save the workbook to keep them bound")
