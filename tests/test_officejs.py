"""The functions under xlwings' Office.js decorators, as xlwings Lite registers and calls them, on Linux.

A fresh interpreter (xlwings picks its decorators on first import) loads addin/lite/main.py, the file a
user pastes into Lite, with the licence check stubbed (tests/lite/officejs.py says how) and answers with
the metadata Excel registers and the cells of calls sent as Office.js sends them: dates as serial
numbers, empty cells as "", omitted arguments as null, error cells as typed values.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import addin.functions as functions

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lite"))
import cases  # noqa: E402
import officejs  # noqa: E402  (cell encodings only; xlwings is imported in the subprocess)

SAMPLE = [officejs.wire_arg(cases.sample_table())]
NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
VALUE = {"type": "Error", "basicValue": "#VALUE!", "errorType": "Value"}
# Excel serials (1900 system): 2024-01-01 is 45292, so 2024-01-15 is 45306; 2025-01-01 is 45658 (+366, a leap
# year), so 2025-01-15 is 45672 and 2025-01-16 is 45673
JAN_15_2024, JAN_15_2025, JAN_16_2025 = 45306, 45672, 45673
BROKEN = [[*row] for row in SAMPLE[0]]  # type: ignore[union-attr]
BROKEN[3][4] = NA  # the third transaction's Quantity
CALLS: list[tuple[str, list[Any]]] = [
    ("HOLDINGTERM", [[[JAN_15_2024]], [[JAN_16_2025]]]),
    ("HOLDINGTERM", [[[JAN_15_2024]], [[JAN_15_2025]]]),
    ("GAINLOSS", [*SAMPLE, [[2026]], [["long"]]]),
    ("GAINLOSS", [*SAMPLE, [[2026]], [["short"]], [["eth"]]]),
    ("GAINLOSS", [*SAMPLE, [[2026]]]),
    ("GAINLOSS", [*SAMPLE, [[2026]], [[""]], [[""]], None]),
    ("LOTS", [*SAMPLE]),
    ("CHECK", [BROKEN]),
    ("GAINLOSS", [*SAMPLE, [[VALUE]]]),
    ("LOTS", [*SAMPLE, [[NA]]]),
    ("COSTBASIS", [*SAMPLE, [["BTC"]], None, [[JAN_15_2025]]]),
    ("COSTBASIS", [*SAMPLE, [["BTC"]], None, [[JAN_15_2025 - 1]]]),
]


@pytest.fixture(scope="module")
def lite() -> dict[str, Any]:
    request = json.dumps({"calls": CALLS, "sample": True})
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "lite" / "run.py"), "probe"], input=request,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def answer_of(lite: dict[str, Any], index: int) -> Any:
    return lite["calls"][index]


def test_every_function_registers_without_a_namespace(lite: dict[str, Any]) -> None:
    registered = {entry["id"]: entry for entry in lite["metadata"]["functions"]}
    assert sorted(registered) == sorted(function.__name__ for function in functions.FUNCTIONS)
    for function in functions.FUNCTIONS:
        entry = registered[function.__name__]
        assert entry["name"] == function.__name__  # =GAINLOSS(...), as the template's formulas read
        assert entry["description"] == function.__doc__
        assert entry["result"] == {"dimensionality": "matrix", "type": "any"}
        parameters = inspect.signature(function).parameters
        assert [p["name"] for p in entry["parameters"]] == list(parameters), function.__name__
        for meta, parameter in zip(entry["parameters"], parameters.values(), strict=True):
            assert meta.get("optional", False) is (parameter.default is not inspect.Parameter.empty), meta
            assert meta["description"] and not meta["description"].startswith("Positional argument"), meta
    assert lite["metadata"]["allowErrorForDataTypeAny"] is True  # error cells reach Python as typed values


def test_the_binding_script_registers_without_preloading_the_workbook(lite: dict[str, Any]) -> None:
    """addin/bind.py reads formulas on demand (BookAsync): no values of the whole workbook up front."""
    (script,) = lite["scripts"]
    assert script["function_name"] == "bind_formulas" and script["lazy"] is True


def test_help_texts_carry_over(lite: dict[str, Any]) -> None:
    gainloss = next(entry for entry in lite["metadata"]["functions"] if entry["id"] == "GAINLOSS")
    assert [(p["name"], p["description"], p.get("optional", False)) for p in gainloss["parameters"]] == [
        ("transactions", "The Transactions table with its header row, e.g. Transactions[#All]", False),
        ("year", "The tax year, e.g. 2025", False),
        ("term", 'Optional: "short", "long" or "all" (default)', True),
        ("asset", "Optional: only disposals of this asset, e.g. ETH", True),
        ("settings", "Optional: the Settings range (label/value pairs: Method, Pooling, Time zone, Filing status, "
                     "...)", True),
    ]


def test_serial_dates_in_arguments(lite: dict[str, Any]) -> None:
    # long-term means held more than one year: acquired 2024-01-15, long from 2025-01-16 (docs/rules.md)
    assert answer_of(lite, 0) == [["long"]]
    assert answer_of(lite, 1) == [["short"]]
    # the sample's BTC held at the end of 2025-01-15: BTC-1 (1 BTC for 40,000 on 2025-01-10) and BTC-K1
    # (0.5 BTC for 25,000 plus a 50 fee, bought that day) -> 65,050.00; a day earlier only BTC-1
    assert answer_of(lite, 10) == [[65050.0]]
    assert answer_of(lite, 11) == [[40000.0]]


def test_serial_dates_in_the_table_and_empty_strings(lite: dict[str, Any]) -> None:
    assert answer_of(lite, 2) == [[19900.0]]  # the seed's 0.5 BTC (tests/test_addin.py)
    assert answer_of(lite, 3) == [[-3528.5]]  # 12,487.50 - 16,016.00
    assert answer_of(lite, 4) == [[27171.5]]
    assert answer_of(lite, 5) == [[27171.5]]  # "" and null read as omitted


def test_dates_come_back_as_dates(lite: dict[str, Any]) -> None:
    header, first = answer_of(lite, 6)[:2]
    assert header[:4] == ["Lot", "Asset", "Wallet", "Acquired"]
    assert first[:3] == ["BTC-1", "BTC", "Coinbase"]
    # acquired 2025-01-10: 45658 + 9; long-term from 2026-01-11: 45658 + 365 + 10
    assert first[3] == {"type": "FormattedNumber", "basicValue": 45667.0, "numberFormat": officejs.DATE_FORMAT}
    assert first[7] == {"type": "FormattedNumber", "basicValue": 46033.0, "numberFormat": officejs.DATE_FORMAT}


def test_error_cells_are_refused_with_their_place(lite: dict[str, Any]) -> None:
    fix = "the cell shows the Excel error {}: fix the formula or type a value"
    # row 4 buys the DOGE that row 7 sells: that sale is checked once row 4 is fixed
    assert answer_of(lite, 7) == [[f"Transactions row 4, Quantity: {fix.format('#N/A')}"],
                                  ["(the holdings of DOGE are checked once the rows above with errors are fixed: "
                                   "they may depend on them)"]]
    assert answer_of(lite, 8) == [[f"year: {fix.format('#VALUE!')}"]]
    assert answer_of(lite, 9) == [[f"asset: {fix.format('#N/A')}"]]  # not "all assets"


def test_lite_equals_classic_on_the_sample(lite: dict[str, Any]) -> None:
    """Every function of tests/lite/cases.py on the sample history (the 2,000-row history runs in Pyodide in
    CI, .ci/pyodide.sh): the cells Excel shows are the same in both modes."""
    classic = {case.name: cases.classic_shown(getattr(functions, case.function)(*case.classic_args()))
               for case in cases.all_cases(ROOT / "bench") if case.name.startswith("sample")}
    classic = json.loads(json.dumps(classic))
    assert len(classic) == len(lite["sample"]) > 25
    assert {case.split("#")[0].split(": ")[1] for case in classic} == {f.__name__ for f in functions.FUNCTIONS}
    assert cases.differences(classic, lite["sample"]) == []
