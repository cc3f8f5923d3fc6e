"""The values stored with the template's formulas, so a reader that does not run our functions (LibreOffice,
file previews, Excel before the add-in is connected) shows figures instead of blanks.

Each formula is computed at build time by calling `addin.functions` exactly as the xlwings wrappers call it
from Excel: ranges as lists of rows, numbers as floats, dates as `datetime`, empty cells as None, an
omitted argument as the parameter's default. What a function returns becomes the grid of cells it spills.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType

from xlsxwriter.utility import xl_cell_to_rowcol

from cryptotax_core import (
    COLUMNS,
    SAMPLE_HISTORY,
    match_header,
    read_csv,
)
from workbook_templates.content import ALL_ROWS, FORMULAS, OPTIONAL_ROWS, SETTINGS_ROWS, Placed, Ref

ADDIN_MODULE = "addin.functions"
INTERNAL_ERROR = "cryptotax: internal error"  # how the add-in reports a bug in a cell: never shipped
NUMBER_COLUMNS = frozenset({"Quantity", "USD Value", "Fee USD", "Received Quantity"})
DATE_COLUMNS = frozenset({"Date"})

Cell = str | float | bool | date | datetime | None
Grid = list[list[Cell]]


class FunctionFailed(RuntimeError):
    """A function raised, or returned an internal error, instead of a value or a message for the cell."""


def sample_rows() -> list[list[Cell]]:
    """The bundled sample history as the Transactions table holds it: real dates and numbers."""
    header, rows = read_csv(SAMPLE_HISTORY)
    positions = match_header(header)
    table: list[list[Cell]] = []
    for cells in rows:
        row: list[Cell] = []
        for column in COLUMNS:
            index = positions.get(column)
            text = cells[index].strip() if index is not None and index < len(cells) else ""
            row.append(_typed(column, text))
        table.append(row)
    return table


def _typed(column: str, text: str) -> Cell:
    if not text:
        return None
    if column in DATE_COLUMNS:
        return datetime.fromisoformat(text)
    if column in NUMBER_COLUMNS:
        return float(text)
    return text


def transaction_cells(rows: Sequence[Sequence[Cell]]) -> Grid:
    """`Transactions[#All]`: the header and the rows; an empty table has one blank row, as in Excel."""
    body = [list(row) for row in rows] or [[None] * len(COLUMNS)]
    return [list(COLUMNS), *body]


def settings_cells() -> Grid:
    """The named range `Settings` as xlwings reads it: numbers as floats, blank rows as None."""
    cells: Grid = [[setting.label, float(setting.value) if isinstance(setting.value, int) else setting.value]
                   for setting in SETTINGS_ROWS]
    return cells + [[None, None] for _ in OPTIONAL_ROWS]


def named_values(rows: Sequence[Sequence[Cell]]) -> dict[str, object]:
    """What each reference used by the formulas holds, by its text in the formulas."""
    values: dict[str, object] = {ALL_ROWS: transaction_cells(rows), "Settings": settings_cells()}
    for setting in SETTINGS_ROWS:
        if setting.name:
            values[setting.name] = float(setting.value) if isinstance(setting.value, int) else setting.value
    return values


def load_functions() -> ModuleType:
    return importlib.import_module(ADDIN_MODULE)


def evaluate(rows: Sequence[Sequence[Cell]], functions: ModuleType | None = None) -> dict[Placed, Grid]:
    """Every formula of the template computed over `rows` (the Transactions data rows)."""
    module = functions or load_functions()
    values = named_values(rows)
    results: dict[Placed, Grid] = {}
    by_cell: dict[tuple[str, str], Grid] = {}
    for placed in FORMULAS:
        function = getattr(module, placed.call.function)

        def resolve(ref: Ref, sheet: str = placed.sheet) -> object:
            if ref.text in values:
                return values[ref.text]
            return spilled_value(by_cell, sheet, ref.text)

        arguments = call_arguments(function, placed.call.args, resolve)
        try:
            returned = function(*arguments)
        except Exception as exc:
            raise FunctionFailed(f"{placed.call.function} on {placed.sheet}!{placed.cell} raised "
                                 f"{type(exc).__name__}: {exc}; an add-in function returns its message "
                                 f"for the cell instead") from exc
        grid = to_grid(returned)
        failure = next((value for row in grid for value in row
                        if isinstance(value, str) and value.startswith(INTERNAL_ERROR)), None)
        if failure:
            raise FunctionFailed(f"{placed.call.function} on {placed.sheet}!{placed.cell} returned: {failure}")
        results[placed] = by_cell[(placed.sheet, placed.cell)] = grid
    return results


def spilled_value(by_cell: dict[tuple[str, str], Grid], sheet: str, cell: str) -> object:
    """The value of `cell` on `sheet` inside a spill computed earlier (its top-left cell or any other)."""
    row, column = xl_cell_to_rowcol(cell)
    for (grid_sheet, top_left), grid in by_cell.items():
        top, left = xl_cell_to_rowcol(top_left)
        if grid_sheet == sheet and 0 <= row - top < len(grid) and 0 <= column - left < len(grid[0]):
            return grid[row - top][column - left]
    raise KeyError(f"{sheet}!{cell} is not inside a formula computed before the one that uses it")


def call_arguments(function: Callable[..., object], args: Sequence[Ref | str | None],
                   resolve: Callable[[Ref], object]) -> list[object]:
    """Positional arguments as xlwings passes them: an omitted one takes the parameter's default."""
    parameters = list(inspect.signature(function).parameters.values())
    if len(args) > len(parameters):
        raise TypeError(f"{function.__name__} takes {len(parameters)} arguments, the formula passes {len(args)}")
    arguments: list[object] = []
    for arg, parameter in zip(args, parameters, strict=False):
        if arg is None:
            if parameter.default is inspect.Parameter.empty:
                raise TypeError(f"{function.__name__}: the formula omits the required argument {parameter.name}")
            arguments.append(parameter.default)
        else:
            arguments.append(resolve(arg) if isinstance(arg, Ref) else arg)
    return arguments


def to_grid(returned: object) -> Grid:
    """A return value as the cells it fills: a scalar is one cell, a flat list one row (as xlwings writes
    it), a list of rows a block; short rows are padded with empty cells."""
    if hasattr(returned, "tolist"):  # numpy arrays and scalars
        returned = returned.tolist()
    if not isinstance(returned, (list, tuple)):
        return [[_cell(returned)]]
    if not returned:
        return [[None]]
    if all(isinstance(row, (list, tuple)) for row in returned):
        grid = [[_cell(value) for value in row] for row in returned]
    else:
        grid = [[_cell(value) for value in returned]]
    width = max(len(row) for row in grid) or 1
    return [row + [None] * (width - len(row)) for row in grid]


def _cell(value: object) -> Cell:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if value is None or isinstance(value, (str, bool, float, date)):  # datetime is a date
        return value
    if isinstance(value, (int, Decimal)):
        return float(value)
    return str(value)

