"""The Excel functions as xlwings' Office.js runtime runs them (xlwings Lite; xlwings Server alike).

    module = load_main(path_of_main_py)        # addin/lite/main.py, decorated by xlwings' Office.js decorators
    metadata(module)                           # what Excel registers: names, parameters, help texts
    await call(module, "GAINLOSS", args)       # a call as Excel sends it, the cells it gets back

Used in CPython (tests/test_officejs.py, in a fresh interpreter: xlwings picks its decorators when it is
first imported) and in Pyodide under Node (tests/lite/pyodide.mjs), the runtime of xlwings Lite.

The licence stub: xlwings' Office.js decorators live in `xlwings.pro`, whose import calls
`xlwings.pro.utils.LicenseHandler.validate_license`, which wants a licence key (xlwings Lite, free, brings
its own). No key is used here: an import hook loads `xlwings.pro.utils` from its file as it is and then
replaces that one function by one that accepts; nothing else of xlwings is changed.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from types import ModuleType
from typing import Any

LICENCE_MODULE = "xlwings.pro.utils"
RUNTIME = "1.5"  # the custom functions requirement set: from 1.4 on, dates and errors go back as typed values
DATE_FORMAT = "yyyy-mm-dd"  # Excel's short date pattern, which xlwings gives date cells it returns
ERROR_TYPES = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null", "#NUM!": "Num",
               "#REF!": "Ref", "#VALUE!": "Value"}
EXCEL_EPOCH = datetime(1899, 12, 30)


class _LicenceAccepted(importlib.machinery.SourceFileLoader):
    def exec_module(self, module: ModuleType) -> None:
        super().exec_module(module)
        module.LicenseHandler.validate_license = staticmethod(_accept)  # type: ignore[attr-defined]


def _accept(product: str, license_type: str | None = None) -> dict[str, str]:
    return {"license_type": "test stub", "product": product}


class _LicenceStub(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != LICENCE_MODULE:
            return None
        found = importlib.machinery.PathFinder.find_spec(fullname, path)
        if found is None or found.origin is None:
            return None
        return importlib.util.spec_from_file_location(fullname, found.origin,
                                                      loader=_LicenceAccepted(fullname, found.origin))


def load_main(path: str) -> ModuleType:
    """The module xlwings Lite makes of its main.py tab, with xlwings' Office.js decorators."""
    if "xlwings" in sys.modules:
        raise RuntimeError("xlwings is imported already: it chooses its decorators when first imported")
    sys.meta_path.insert(0, _LicenceStub())
    if sys.platform != "emscripten":
        # xlwings tries `from pyodide.ffi import JsNull` for every cell it reads; outside Pyodide that import
        # fails, and a failing import searches the whole path each time: this makes it fail at once
        sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]
    os.environ["XLWINGS_ON_SERVER"] = "true"  # what makes xlwings.func the Office.js decorator
    import xlwings
    import xlwings.server

    assert xlwings.func is xlwings.server.func, "xlwings did not switch to its Office.js decorators"
    spec = importlib.util.spec_from_file_location("main", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    return module


def metadata(module: ModuleType) -> dict[str, Any]:
    import xlwings.server

    return dict(xlwings.server.custom_functions_meta(module))


# -- cells as Office.js sends them -----------------------------------------------------------------
class ErrorCell:
    """An error cell (#N/A, #VALUE!, ...) in a table or argument."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorCell) and other.text == self.text

    def __repr__(self) -> str:
        return f"ErrorCell({self.text!r})"


def serial(moment: date) -> float:
    """Excel's serial number of a date or date-time (1900 date system)."""
    value = moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)
    delta = value - EXCEL_EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def wire_cell(value: object) -> object:
    """One cell as it reaches Python in xlwings Lite: dates as serial numbers (Office.js does not mark date
    cells), empty as "", errors as typed values (the metadata allows them), whole numbers as int (Pyodide
    turns a JavaScript number that is a whole number into an int)."""
    if value is None:
        return ""
    if isinstance(value, ErrorCell):
        return {"type": "Error", "basicValue": value.text, "errorType": ERROR_TYPES.get(value.text, "Value")}
    if isinstance(value, date):
        value = serial(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def wire_arg(value: object) -> object:
    """One argument: an omitted one is null (Office.js docs: Excel assigns null to an omitted optional
    parameter); a value or a range is a matrix, since xlwings declares every parameter as one."""
    if value is None:
        return None
    rows = value if isinstance(value, list) else [[value]]
    rows = [row if isinstance(row, list) else [row] for row in rows]
    return [[wire_cell(cell) for cell in row] for row in rows]


def payload(function: str, args: Sequence[object]) -> dict[str, Any]:
    import xlwings

    return {"func_name": function, "args": [wire_arg(value) for value in args], "version": xlwings.__version__,
            "client": "Office.js", "runtime": RUNTIME, "date_format": DATE_FORMAT, "culture_info_name": "en-US"}


async def call(module: ModuleType, function: str, args: Sequence[object]) -> list[list[object]]:
    """The cells a function call returns to Excel, as xlwings' Office.js runtime hands them over."""
    return await call_wire(module, function, [wire_arg(value) for value in args])


async def call_wire(module: ModuleType, function: str, wire_args: Sequence[object]) -> list[list[object]]:
    """The same with the arguments given as Office.js sends them (see wire_arg)."""
    import xlwings.server

    data = {**payload(function, []), "args": list(wire_args)}
    result = await xlwings.server.custom_functions_call(data, module)
    return [list(row) for row in result]


def shown(cells: list[list[object]]) -> list[list[object]]:
    """What Excel shows of returned cells: a date as its serial number, an error value as its text."""
    def one(value: object) -> object:
        if isinstance(value, dict):
            if value.get("type") == "FormattedNumber":
                return value["basicValue"]
            if value.get("type") == "Error":
                return next((text for text, kind in ERROR_TYPES.items() if kind == value["errorType"]), "#VALUE!")
        return value

    return [[one(value) for value in row] for row in cells]
