"""The template computed as a spreadsheet would: a formula engine (the `formulas` package) loads the
sample-filled workbook, calls our functions (the real `addin.functions`, given cells as xlwings gives
them) and its Summary, Lots and Form 8949 must equal what the core computes from the sample CSV. Then a
paste of three trades below the table (the table grows as in Excel) must change them as the core says.

The harness does what `formulas` cannot: structured references (`Transactions[#All]`) become A1 ranges
from the table's definition, an omitted argument reaches the function as its default, and each spill
range gets the free rows below it; a row and a column of END after each result mark where it ends, as
the size of an Excel spill does.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import openpyxl
import pytest
import schedula
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from addin import functions as addin_functions  # the real add-in: these tests need it
from cryptotax_core import COLUMNS, Result, Settings, cents, compute_table
from cryptotax_core.csvio import read_csv
from cryptotax_core.samples import SAMPLE_HISTORY
from cryptotax_core.tax import FilingStatus, TaxYear, net_capital, tax_years
from workbook_templates import content
from workbook_templates.build import build_template
from workbook_templates.cached import Cell

OMITTED = "~omitted~"  # stands for an empty argument (`f(a,,b)`), which formulas passes as 0
END = "~end~"  # fills the row after a rows result, so a spill's size shows (formulas repeats a 1x1 array)
EXCEL_EPOCH = datetime(1899, 12, 30)
SPILL_ROOM = 40  # rows a spill may grow into (as far as the cells below are free)
TAX_YEAR = 2025

PASTED = [  # three trades of 2025, pasted below the table
    {"ID": "P-1", "Date": "2025-11-03 14:30", "Type": "Sell", "Asset": "BTC", "Quantity": "0.4",
     "USD Value": "28000", "Fee USD": "10", "Wallet": "Coinbase", "Note": "pasted"},
    {"ID": "P-2", "Date": "2025-11-20", "Type": "Interest", "Asset": "SOL", "Quantity": "1.5", "USD Value": "240",
     "Wallet": "Phantom"},
    {"ID": "P-3", "Date": "2025-12-01", "Type": "Sell", "Asset": "ETH", "Quantity": "0.05", "USD Value": "180",
     "Wallet": "Coinbase", "Broker Reported": "Basis"},
]
NUMBER_COLUMNS = ("Quantity", "USD Value", "Fee USD", "Received Quantity")


# -- the expected figures, from the core ------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    result: Result
    year: TaxYear


def expected(pasted: list[dict[str, str]]) -> Expected:
    """The core's answer for the sample CSV plus `pasted`, with the template's default settings."""
    header, rows = read_csv(SAMPLE_HISTORY)
    records = [dict(zip(header, row, strict=False)) for row in rows] + pasted
    table = [[record.get(column, "") for column in COLUMNS] for record in records]
    result = compute_table(list(COLUMNS), table, Settings())
    return Expected(result, tax_years(result)[TAX_YEAR])


def typed(record: dict[str, str]) -> list[Cell]:
    """A pasted row as Excel holds it: a real date, numbers as numbers."""
    cells: list[Cell] = []
    for column in COLUMNS:
        text = record.get(column, "")
        cells.append(None if not text else datetime.fromisoformat(text) if column == "Date"
                     else float(text) if column in NUMBER_COLUMNS else text)
    return cells


# -- the workbook, prepared for the formula engine ----------------------------------------------------
Ranges_ = dict[tuple[str, str], str]  # (sheet, top-left cell) -> the range a dynamic array may fill


def prepare(source: Path, target: Path, pasted: list[dict[str, str]]) -> Ranges_:
    """Paste rows below the table and grow it; turn structured references into A1 ranges, empty arguments
    into OMITTED, and give each dynamic array the free rows below it (returned)."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook[content.TRANSACTIONS]
    table = sheet.tables[content.TABLE]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    for offset, record in enumerate(pasted, start=1):
        for col, value in enumerate(typed(record), start=min_col):
            sheet.cell(max_row + offset, col, value)
    max_row += len(pasted)
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    all_rows = (f"'{sheet.title}'!${get_column_letter(min_col)}${min_row}:"
                f"${get_column_letter(max_col)}${max_row}")

    def translate(formula: str) -> str:
        formula = formula.replace(f"{content.TABLE}[#All]", all_rows)
        while re.search(r"[(,]\s*[,)]", formula):
            formula = re.sub(r"([(,])\s*([,)])", rf'\1"{OMITTED}"\2', formula, count=1)
        return formula

    spills: Ranges_ = {}
    for each in workbook.worksheets:
        arrays = [cell for row in each.iter_rows() for cell in row if isinstance(cell.value, ArrayFormula)]
        for cell in arrays:
            grown = _grown(each, cell.value.ref, [other.value.ref for other in arrays if other is not cell])
            cell.value = ArrayFormula(grown, translate(cell.value.text))
            spills[(each.title, cell.coordinate)] = grown
    workbook.save(target)
    return spills


def _grown(sheet: Any, ref: str, others: list[str]) -> str:
    """`ref` extended down over the empty cells below it (not into another formula's range)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    taken = {(row, col) for other in others for col in range(range_boundaries(other)[0], range_boundaries(other)[2] + 1)
             for row in range(range_boundaries(other)[1], range_boundaries(other)[3] + 1)}
    last = max_row
    while last < max_row + SPILL_ROOM and all(
            sheet.cell(last + 1, col).value is None and (last + 1, col) not in taken
            for col in range(min_col, max_col + 1)):
        last += 1
    first, end = f"{get_column_letter(min_col)}{min_row}", f"{get_column_letter(max_col)}{last}"
    return first if first == end else f"{first}:{end}"


# -- our functions inside the engine, called as xlwings calls them --------------------------------------
def _cell_in(value: object) -> object:
    if value is schedula.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _argument(value: object, parameter: inspect.Parameter) -> object:
    """A range as xlwings reads it: one cell as a value, more as a list of rows; numbers as floats, the
    Date column of a table as datetimes (Excel formats it as a date)."""
    if isinstance(value, str) and value == OMITTED:
        return parameter.default
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        rows = [[_cell_in(cell) for cell in row] for row in value.tolist()]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if "Date" in rows[0]:
            index = rows[0].index("Date")
            for row in rows[1:]:
                if isinstance(row[index], float):
                    row[index] = EXCEL_EPOCH + timedelta(days=row[index])
        return rows
    return _cell_in(value)


def _cell_out(value: object) -> object:
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        return (moment - EXCEL_EPOCH) / timedelta(days=1)
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def engine_function(function: Callable[..., object]) -> Callable[..., object]:
    parameters = list(inspect.signature(function).parameters.values())

    def call(*args: object) -> object:
        returned = function(*(_argument(arg, parameter) for arg, parameter in zip(args, parameters, strict=False)))
        if not isinstance(returned, list | tuple):
            return _cell_out(returned)  # one value: Excel (and formulas) repeat it over a larger range
        rows = [list(row) if isinstance(row, list | tuple) else [row] for row in returned]
        width = max(len(row) for row in rows)
        cells = [[_cell_out(cell) for cell in row] + [""] * (width - len(row)) for row in rows]
        return np.array([*cells, [END] * width], dtype=object)

    return call


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = formulas.get_functions()
    for function in addin_functions.FUNCTIONS:
        monkeypatch.setitem(registry, function.__name__, engine_function(function))


# -- computing ---------------------------------------------------------------------------------------
class Computed:
    """The engine's values of the template's result ranges, each cut where its result ends (END)."""

    def __init__(self, path: Path, spills: Ranges_) -> None:
        model = formulas.ExcelModel().loads(str(path)).finish()
        self.solution = {key.upper(): value for key, value in model.calculate().items()}
        self.book = path.name.upper()
        self.spills = spills

    def spill(self, sheet: str, top_left: str) -> list[list[object]]:
        ref = self.spills[(sheet, top_left)]
        value = self.solution[f"'[{self.book}]{sheet.upper()}'!{ref}"].value
        rows = [[_cell_in(cell) for cell in row] for row in np.asarray(value).tolist()]
        ends = [index for index, row in enumerate(rows) if row[0] == END]
        if ends:
            return rows[:ends[0]]
        assert all(row == rows[0] for row in rows) and len(rows[0]) == 1, (
            f"{sheet}!{top_left}: the result needs more room than the harness gives it: {rows}")
        return rows[:1]  # a single value, repeated over the range

    def labelled(self, sheet: str, top_left: str) -> dict[str, object]:
        return {_key(str(label)): value for label, value, *_ in self.spill(sheet, top_left)}


def _key(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower())


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sample.xlsx"
    build_template(path, with_sample=True)
    return path


def compute(sample_path: Path, folder: Path, pasted: list[dict[str, str]]) -> Computed:
    target = folder / ("pasted.xlsx" if pasted else "prepared.xlsx")
    return Computed(target, prepare(sample_path, target, pasted))


@pytest.fixture
def before(engine: None, sample_path: Path, tmp_path: Path) -> Computed:
    return compute(sample_path, tmp_path, [])


@pytest.fixture
def after(engine: None, sample_path: Path, tmp_path: Path) -> Computed:
    return compute(sample_path, tmp_path, PASTED)


# -- checks ------------------------------------------------------------------------------------------
def money(amount: Decimal) -> float:
    return float(cents(amount))


def check_summary(computed: Computed, want: Expected) -> None:
    year = want.year
    short_term, long_term = computed.spill(content.SUMMARY, "E5"), computed.spill(content.SUMMARY, "E6")
    assert short_term == [[money(year.summary.short_term.gain)]]
    assert long_term == [[money(year.summary.long_term.gain)]]
    summary = computed.labelled(content.SUMMARY, "A5")
    netting = year.netting
    assert {key: summary.get(key) for key in (
        "taxyear", "method", "shorttermproceeds", "shorttermcostbasis", "shorttermadjustment", "shorttermgain",
        "longtermproceeds", "longtermcostbasis", "longtermadjustment", "longtermgain", "carryoverinshortterm",
        "carryoverinlongterm", "netshortterm", "netlongterm", "nettotal", "deductibleloss", "carryoveroutshortterm",
        "carryoveroutlongterm",
        "ordinaryincome")} == {
        "taxyear": TAX_YEAR, "method": "FIFO",
        "shorttermproceeds": money(year.summary.short_term.proceeds),
        "shorttermcostbasis": money(year.summary.short_term.cost_basis),
        "shorttermadjustment": money(year.summary.short_term.adjustment),
        "shorttermgain": money(year.summary.short_term.gain),
        "longtermproceeds": money(year.summary.long_term.proceeds),
        "longtermcostbasis": money(year.summary.long_term.cost_basis),
        "longtermadjustment": money(year.summary.long_term.adjustment),
        "longtermgain": money(year.summary.long_term.gain),
        "carryoverinshortterm": money(year.carryover_in.short_term),
        "carryoverinlongterm": money(year.carryover_in.long_term),
        "netshortterm": money(netting.short_term), "netlongterm": money(netting.long_term),
        "nettotal": money(netting.total), "deductibleloss": money(netting.deductible_loss),
        "carryoveroutshortterm": money(netting.carryover_out.short_term),
        "carryoveroutlongterm": money(netting.carryover_out.long_term),
        "ordinaryincome": money(year.summary.ordinary_income),
    }
    # NETCAPITAL of the two GAINLOSS cells and TAXSUMMARY's carryover-in rows, which sit at A16:B17
    assert [row[0] for row in computed.spill(content.SUMMARY, "A5")[11:13]] == [
        "Carryover in, short-term", "Carryover in, long-term"]
    by_hand = net_capital(cents(year.summary.short_term.gain), cents(year.summary.long_term.gain),
                          year.carryover_in, FilingStatus.SINGLE)
    assert computed.labelled(content.SUMMARY, "D9") == {
        "netshortterm": money(by_hand.short_term), "netlongterm": money(by_hand.long_term),
        "nettotal": money(by_hand.total), "deductibleloss": money(by_hand.deductible_loss),
        "carryovershortterm": money(by_hand.carryover_out.short_term),
        "carryoverlongterm": money(by_hand.carryover_out.long_term),
    }
    income = {kind: money(amount) for kind, amount in year.income.items()}
    assert computed.labelled(content.SUMMARY, "D18") == income | {"total": money(sum(year.income.values()))}
    assert computed.spill(content.SUMMARY, "G5") == [["OK"]]
    assert not want.result.warnings


def check_lots(computed: Computed, want: Expected) -> None:
    header, *rows = computed.spill(content.LOTS, "A3")
    assert header == ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Unit cost", "Long-term from"]
    assert [(row[0], row[1], row[2], _day(row[3]), row[4], row[5]) for row in rows] == [
        (lot.lot_id, lot.asset, lot.wallet, lot.acquired, pytest.approx(float(lot.quantity)), money(lot.cost_basis))
        for lot in want.result.lots]


def check_form8949(computed: Computed, want: Expected) -> None:
    header, *rows = computed.spill(content.FORM8949, "A3")
    assert header == ["Box", "Description", "Date acquired", "Date sold", "Proceeds", "Cost basis", "Code",
                      "Adjustment", "Gain or loss", "Term", "Row", "ID", "Lot", "Wallet"]
    assert [(row[0], row[1], _day(row[2]), _day(row[3]), row[4], row[5], row[8], row[9], row[10], row[11], row[12],
             row[13]) for row in rows] == [
        (line.box, line.description, line.date_acquired, line.date_sold, money(line.proceeds),
         money(line.cost_basis), money(line.gain), line.term.value, float(line.row), line.tx_id, line.lot_id,
         line.wallet) for line in want.year.lines]


def _day(serial: object) -> date:
    assert isinstance(serial, float), f"expected a date serial, found {serial!r}"
    return (EXCEL_EPOCH + timedelta(days=serial)).date()


def test_sample_figures_equal_the_core(before: Computed) -> None:
    want = expected([])
    check_summary(before, want)
    check_lots(before, want)
    check_form8949(before, want)


def test_stored_values_equal_the_computed_ones(before: Computed, sample_path: Path) -> None:
    """What the file shows before the add-in is connected is what the functions compute."""
    stored = openpyxl.load_workbook(sample_path, data_only=True)
    for placed in content.FORMULAS:
        computed = before.spill(placed.sheet, placed.cell)
        sheet = stored[placed.sheet]
        top = sheet[placed.cell]
        values = [[_cell_out(_cell_in(sheet.cell(top.row + row, top.column + col).value))
                   for col in range(len(computed[0]))] for row in range(len(computed))]
        assert values == computed, f"{placed.sheet}!{placed.cell}"


def test_a_paste_below_the_table_changes_the_figures_as_the_core_says(before: Computed, after: Computed) -> None:
    want = expected(PASTED)
    check_summary(after, want)
    check_lots(after, want)
    check_form8949(after, want)
    # the paste, worked by hand: P-1 sells 0.4 of BTC-1 (16,000 of basis) for 27,990 net, short-term;
    # P-3 sells the 0.05 ETH of ETH-ST1 (150) for 180, long-term, in box J (basis reported); P-2 is interest.
    gain_short = after.spill(content.SUMMARY, "E5")[0][0] - before.spill(content.SUMMARY, "E5")[0][0]
    gain_long = after.spill(content.SUMMARY, "E6")[0][0] - before.spill(content.SUMMARY, "E6")[0][0]
    assert (round(gain_short, 2), round(gain_long, 2)) == (11990.0, 30.0)
    assert after.labelled(content.SUMMARY, "D18")["interest"] == 240.0
    assert [row[0] for row in after.spill(content.FORM8949, "A3")[1:]].count("J") == 1
    assert len(after.spill(content.LOTS, "A3")) == len(before.spill(content.LOTS, "A3"))  # ETH-ST1 out, P-2 in

