"""The template workbook as a file: sheets, the Transactions table, settings and names, validation,
dynamic-array formulas with their stored values (read in the XML), xlwings.conf, `cryptotax new`, and
the shipped cryptotax.xlsx being exactly what the builder makes.

All but the last test use a small fake add-in (so they check the template, not the functions); the
last uses the real `addin.functions`.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from io import BytesIO
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import from_excel

from cryptotax_cli.errors import OptionError
from cryptotax_cli.files import OutputExists
from cryptotax_cli.new import new_workbook
from cryptotax_core import COLUMNS
from workbook_templates import content
from workbook_templates.build import SHIPPED, template_bytes
from workbook_templates.cached import FunctionFailed, evaluate, sample_rows, to_grid

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# A fake add-in with the brief's signatures: results whose size follows the table, and a record of calls.
FAKE_ADDIN = '''
from datetime import datetime

CALLS = []
LOTS_HEADER = ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Unit cost", "Long-term from"]
DISPOSALS_HEADER = ["Box", "Description", "Date acquired", "Date sold", "Proceeds", "Cost basis", "Code",
                    "Adjustment", "Gain or loss", "Term", "Row", "ID", "Lot", "Wallet"]


def _rows(transactions):
    return [row for row in transactions[1:] if any(cell is not None for cell in row)]


def COSTBASIS(transactions, asset, wallet=None, as_of=None, settings=None):
    return 0.0


def GAINLOSS(transactions, year, term="all", asset=None, settings=None):
    CALLS.append(("GAINLOSS", transactions, year, term, asset, settings))
    return {"short": -12.5, "long": 100.25}.get(term, 87.75)


def NETCAPITAL(short_term, long_term, carryover_short=0, carryover_long=0, filing_status="single"):
    CALLS.append(("NETCAPITAL", short_term, long_term, carryover_short, carryover_long, filing_status))
    labels = ("Net short-term", "Net long-term", "Net total", "Deductible loss", "Carryover short-term",
              "Carryover long-term")
    return [[label, float(index)] for index, label in enumerate(labels)]


def LOTS(transactions, asset=None, wallet=None, as_of=None, settings=None):
    CALLS.append(("LOTS", transactions, asset, wallet, as_of, settings))
    return [LOTS_HEADER] + [[row[0], row[3], row[7], row[1], row[4], 10.0, 2.5, datetime(2030, 1, 2)]
                            for row in _rows(transactions)]


def DISPOSALS(transactions, year, settings=None):
    sells = [row for row in _rows(transactions) if row[2] == "Sell"]
    return [DISPOSALS_HEADER] + [["I", f"{row[4]} {row[3]}", datetime(2024, 1, 1), row[1], 5.0, 4.0, None, 0.0,
                                  1.0, "short", float(index + 2), row[0], "L", row[7]]
                                 for index, row in enumerate(sells)]


def TAXSUMMARY(transactions, year, settings=None):
    CALLS.append(("TAXSUMMARY", transactions, year, settings))
    labels = ["Tax year", "Method", "Filing status", "Short-term proceeds", "Short-term cost basis",
              "Short-term adjustment", "Short-term gain", "Long-term proceeds", "Long-term cost basis",
              "Long-term adjustment", "Long-term gain",
              "Carryover in, short-term", "Carryover in, long-term", "Net short-term", "Net long-term", "Net total",
              "Deductible loss", "Carryover out, short-term", "Carryover out, long-term", "Ordinary income",
              "Estimated federal tax", "Tax due to capital results", "Disposals", "Warnings"]
    return [[label, year if label == "Tax year" else float(index)] for index, label in enumerate(labels)]


def INCOME(transactions, year, type=None, settings=None):
    CALLS.append(("INCOME", transactions, year, type, settings))
    rows = [[name, 1.0] for name in ("Staking", "Mining", "Airdrop", "Interest", "Other")]
    return rows + [["Total", 5.0]]


def HOLDINGTERM(acquired, disposed):
    return "short"


def CHECK(transactions, settings=None):
    return [["OK"]] if _rows(transactions) else [["OK, with these notes:"], ["the table has no transactions"]]
'''


def _addin_modules() -> dict[str, ModuleType]:
    return {name: module for name, module in sys.modules.items() if name == "addin" or name.startswith("addin.")}


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], ModuleType]]:
    """Puts an add-in module with the given source in place of `addin.functions`, until the test ends."""
    saved = _addin_modules()
    folder = tmp_path_factory.mktemp("fake-addin")

    def install_addin(source: str) -> ModuleType:
        package = folder / "addin"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "functions.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(folder))
        for name in _addin_modules():
            del sys.modules[name]
        return importlib.import_module("addin.functions")

    yield install_addin
    for name in _addin_modules():
        del sys.modules[name]
    sys.modules.update(saved)


@pytest.fixture
def fake(install: Callable[[str], ModuleType]) -> ModuleType:
    return install(FAKE_ADDIN)


@pytest.fixture
def sample_xlsx(fake: ModuleType) -> bytes:
    return template_bytes(with_sample=True)


@pytest.fixture
def empty_xlsx(fake: ModuleType) -> bytes:
    return template_bytes(with_sample=False)


# -- reading the package -----------------------------------------------------------------------------
class Package:
    """The parts of an .xlsx and its sheets' XML by sheet name."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(BytesIO(data))
        workbook = self.xml("xl/workbook.xml")
        rels = self.xml("xl/_rels/workbook.xml.rels")
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{RELS}Relationship")}
        self.sheet_parts = {sheet.get("name"): _part(targets[sheet.get(f"{OFFICE_RELS}id")])
                            for sheet in workbook.iter(f"{MAIN}sheet")}
        self.workbook = workbook

    def xml(self, part: str) -> ElementTree.Element:
        return ElementTree.fromstring(self.zip.read(part))

    def sheet(self, name: str) -> ElementTree.Element:
        return self.xml(self.sheet_parts[name])

    def cells(self, name: str) -> dict[str, ElementTree.Element]:
        return {cell.get("r"): cell for cell in self.sheet(name).iter(f"{MAIN}c")}


def _part(target: str) -> str:
    return target[1:] if target.startswith("/") else "xl/" + target


def book(data: bytes, *, data_only: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data), data_only=data_only)


# -- the file ----------------------------------------------------------------------------------------
def test_two_builds_are_byte_identical(fake: ModuleType) -> None:
    first, second = template_bytes(with_sample=True), template_bytes(with_sample=True)
    assert first == second
    package = Package(first)
    assert {info.date_time for info in package.zip.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert b"<dcterms:created xsi:type=\"dcterms:W3CDTF\">2025-01-01T00:00:00Z" in package.zip.read(
        "docProps/core.xml")


def test_sheets_in_order_and_start_first(empty_xlsx: bytes) -> None:
    workbook = book(empty_xlsx)
    assert workbook.sheetnames == list(content.SHEETS)
    assert workbook.active.title == content.START


def test_start_sheet_tells_the_steps_and_that_it_is_not_advice(empty_xlsx: bytes) -> None:
    texts = " ".join(str(cell.value) for row in book(empty_xlsx)[content.START].iter_rows() for cell in row
                     if cell.value)
    for words in ("paste", "below its last row", "Settings", "Summary", "Lots", "Form 8949", "Ctrl+Alt+F9",
                  "docs/excel.md, 'Use it in Excel'", "docs/excel.md, 'The functions'", "not tax advice"):
        assert words in texts
    assert 5 <= len(content.STEPS) <= 8


def test_start_sheet_lists_every_function() -> None:
    from addin.functions import FUNCTIONS  # the real add-in, not the fake one

    listed = [syntax.split("(")[0] for syntax, _ in content.FUNCTIONS]
    assert sorted(listed) == sorted(function.__name__ for function in FUNCTIONS)


def test_transactions_headings_keep_apart_and_dates_show_without_midnight(empty_xlsx: bytes) -> None:
    sheet = book(empty_xlsx)[content.TRANSACTIONS]
    for index, column in enumerate(content.TRANSACTION_COLUMNS):
        cell = sheet.cell(1, index + 1)
        alignment = cell.alignment
        if column.number_format:  # on the right, off the filter button
            assert (alignment.horizontal, alignment.indent) == ("right", 2), column.name
        elif index:
            assert (alignment.horizontal, alignment.indent) == ("left", 1), column.name
        # the longest word of a wrapped heading fits beside the indent and the filter button (bold: 1.2 a letter)
        longest = max(len(word) for word in column.name.split())
        assert column.width >= 1.2 * longest + 3, column.name
    rules = [(str(ranges.sqref), rule.formula, rule.dxf.numFmt.formatCode if rule.dxf.numFmt else None)
             for ranges in sheet.conditional_formatting for rule in ranges.rules]
    assert ("B2:B20000", ["AND(ISNUMBER($B2),$B2=INT($B2))"], "yyyy-mm-dd") in rules


@pytest.mark.parametrize(("with_sample", "last_row"), [(False, 2), (True, 24)], ids=["empty", "sample"])
def test_transactions_table(fake: ModuleType, with_sample: bool, last_row: int) -> None:
    sheet = book(template_bytes(with_sample=with_sample))[content.TRANSACTIONS]
    table = sheet.tables[content.TABLE]
    assert table.ref == f"A1:O{last_row}"
    assert [column.name for column in table.tableColumns] == list(COLUMNS)
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert sheet.freeze_panes == "A2"


def test_sample_rows_hold_real_dates_and_numbers(sample_xlsx: bytes) -> None:
    sheet = book(sample_xlsx)[content.TRANSACTIONS]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, (cell for cell in sheet[2]), strict=True))
    assert first["ID"].value == "ETH-1"
    assert first["Date"].value == datetime(2024, 2, 12)
    assert first["Date"].number_format == "yyyy-mm-dd hh:mm"
    assert (first["Quantity"].value, first["Quantity"].number_format) == (10, "0.########")
    assert (first["USD Value"].value, first["USD Value"].number_format) == (20000, "#,##0.00")
    assert first["Fee USD"].number_format == "#,##0.00"
    assert sheet.column_dimensions["B"].width > 15
    assert [sheet.cell(row, 1).value for row in range(2, 25)] == [row[0] for row in sample_rows()]


def _validations(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, tuple[str, str]]:
    return {str(validation.sqref): (validation.type, validation.formula1)
            for validation in sheet.data_validations.dataValidation}


def test_transactions_dropdowns_reach_row_20000(empty_xlsx: bytes) -> None:
    validations = _validations(book(empty_xlsx)[content.TRANSACTIONS])
    assert validations == {
        "C2:C20000": ("list", '"Buy,Sell,Trade,Spend,Transfer,Income,Staking,Mining,Airdrop,Interest"'),
        "M2:M20000": ("list", '"Crypto,Stock"'),
        "N2:N20000": ("list", '"None,Proceeds,Basis"'),
    }


def test_settings_block_defaults_and_names(empty_xlsx: bytes) -> None:
    workbook = book(empty_xlsx)
    sheet = workbook[content.SETTINGS]
    names = {name: workbook.defined_names[name].attr_text for name in workbook.defined_names}
    assert names["Settings"] == "'Settings'!$A$4:$B$20"
    expected = {"TaxYear": ("Tax year", 2025), "Method": ("Method", "FIFO"), "Pooling": ("Pooling", "wallet"),
                "TimeZone": ("Time zone", "UTC"), "TransferFee": ("Transfer fee", "dispose"),
                "AllowShortfall": ("Allow shortfall", "no"), "FilingStatus": ("Filing status", "single"),
                "CarryoverShort": ("Carryover short-term", 0), "CarryoverLong": ("Carryover long-term", 0),
                "TableIncomeInOtherIncome": ("Table income in other income", "no")}
    for name, (label, value) in expected.items():
        cell = sheet[names[name].split("!")[1].replace("$", "")]
        assert (sheet.cell(cell.row, 1).value, cell.value) == (label, value), name
        assert cell.column_letter == "B" and 4 <= cell.row <= 20
        assert sheet.cell(cell.row, 3).value, f"{label} has no explanation in column C"
    blank = [row for row in range(4, 21) if sheet.cell(row, 1).value is None]
    assert len(blank) >= 4 and all(sheet.cell(row, 2).value is None for row in blank)


def test_settings_dropdowns(empty_xlsx: bytes) -> None:
    validations = _validations(book(empty_xlsx)[content.SETTINGS])
    assert validations["B5"] == ("list", '"FIFO,LIFO,HIFO,LOFO,SPECIFIC"')
    assert validations["B6"] == ("list", '"wallet,universal"')
    assert validations["B8"] == ("list", '"dispose,basis"')
    assert validations["B9"] == ("list", '"no,yes"')
    assert validations["B10"] == ("list", '"single,mfj,mfs,hoh"')
    assert validations["B4"][0] == "whole" and validations["B11"][0] == "decimal"
    assert validations["B13"] == ("list", '"no,yes"')  # Table income in other income


def test_xlwings_conf_names_the_udf_module(empty_xlsx: bytes) -> None:
    sheet = book(empty_xlsx)["xlwings.conf"]
    assert (sheet["A1"].value, sheet["B1"].value) == ("UDF Modules", "addin.functions")
    assert sheet["A2"].value is None  # xlwings reads A1 down to the first blank


def test_print_setup(empty_xlsx: bytes) -> None:
    package = Package(empty_xlsx)
    for name in (content.TRANSACTIONS, content.SUMMARY, content.LOTS, content.FORM8949):
        sheet = package.sheet(name)
        setup, fit = sheet.find(f"{MAIN}pageSetup"), sheet.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr")
        assert setup is not None and fit is not None
        assert (setup.get("orientation"), setup.get("fitToWidth", "1"), setup.get("fitToHeight")) == (
            "landscape", "1", "0"), name  # one page wide, as many tall as needed
        assert fit.get("fitToPage") == "1"


# -- formulas and stored values ------------------------------------------------------------------------
EXPECTED_FORMULAS = {
    (content.SUMMARY, "A5"): "TAXSUMMARY(Transactions[#All],TaxYear,Settings)",
    (content.SUMMARY, "E5"): 'GAINLOSS(Transactions[#All],TaxYear,"short",,Settings)',
    (content.SUMMARY, "E6"): 'GAINLOSS(Transactions[#All],TaxYear,"long",,Settings)',
    (content.SUMMARY, "D9"): "NETCAPITAL(E5,E6,B16,B17,FilingStatus)",
    (content.SUMMARY, "D18"): "INCOME(Transactions[#All],TaxYear,,Settings)",
    (content.SUMMARY, "G5"): "CHECK(Transactions[#All],Settings)",
    (content.LOTS, "A3"): "LOTS(Transactions[#All],,,,Settings)",
    (content.FORM8949, "A3"): "DISPOSALS(Transactions[#All],TaxYear,Settings)",
}


@pytest.mark.parametrize("with_sample", [False, True], ids=["empty", "sample"])
def test_results_are_dynamic_arrays_over_their_values(fake: ModuleType, with_sample: bool) -> None:
    data = template_bytes(with_sample=with_sample)
    package = Package(data)
    grids = {(placed.sheet, placed.cell): grid
             for placed, grid in evaluate(sample_rows() if with_sample else []).items()}
    assert set(grids) == set(EXPECTED_FORMULAS)
    for (sheet, top_left), formula in EXPECTED_FORMULAS.items():
        cells = package.cells(sheet)
        master = cells[top_left]
        assert master.get("cm") == "1", f"{sheet}!{top_left} is not marked as a dynamic array"
        element = master.find(f"{MAIN}f")
        assert element is not None and element.text == formula
        grid = grids[(sheet, top_left)]
        min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
        assert element.get("t") == "array"
        assert (max_row - min_row + 1, max_col - min_col + 1) == (len(grid), len(grid[0]))
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                address = openpyxl.utils.get_column_letter(col) + str(row)
                cell = cells.get(address)
                value = grid[row - min_row][col - min_col]
                if address != top_left:
                    assert cell is None or cell.find(f"{MAIN}f") is None
                if value is None or value == "":
                    assert cell is None or cell.find(f"{MAIN}v") is None, address  # no stray padding 0
                else:
                    assert cell is not None and cell.find(f"{MAIN}v") is not None, address
    metadata = package.zip.read("xl/metadata.xml").decode()
    assert 'name="XLDAPR"' in metadata and 'fDynamic="1"' in metadata
    assert "/xl/metadata.xml" in package.zip.read("[Content_Types].xml").decode()


def test_stored_values_are_what_the_functions_return(sample_xlsx: bytes) -> None:
    workbook = book(sample_xlsx, data_only=True)
    for placed, grid in evaluate(sample_rows()).items():
        sheet = workbook[placed.sheet]
        top = sheet[placed.cell]
        for row_offset, values in enumerate(grid):
            for col_offset, value in enumerate(values):
                stored = sheet.cell(top.row + row_offset, top.column + col_offset).value
                if isinstance(value, datetime):
                    stored = from_excel(stored) if isinstance(stored, (int, float)) else stored
                assert stored == value, (placed.sheet, placed.cell, row_offset, col_offset)


def test_result_columns_have_date_and_money_formats(sample_xlsx: bytes) -> None:
    workbook = book(sample_xlsx)
    lots, form = workbook[content.LOTS], workbook[content.FORM8949]
    assert [lots.cell(4, col).number_format for col in (4, 5, 6, 8)] == [
        "yyyy-mm-dd", "0.########", "#,##0.00", "yyyy-mm-dd"]
    assert [form.cell(4, col).number_format for col in (3, 4, 5, 6)] == [
        "yyyy-mm-dd", "yyyy-mm-dd", "#,##0.00", "#,##0.00"]
    assert workbook[content.SUMMARY]["B5"].number_format == "0"  # the tax year: no thousands separator


def test_functions_get_cells_as_xlwings_passes_them(fake: ModuleType) -> None:
    evaluate(sample_rows())
    calls = {call[0]: call for call in fake.CALLS}
    _, transactions, year, term, asset, settings = calls["GAINLOSS"]
    assert transactions[0] == list(COLUMNS) and len(transactions) == 24
    assert isinstance(transactions[1][1], datetime) and transactions[1][4] == 10.0
    assert (year, term, asset) == (2025.0, "long", None)  # an omitted argument: the default
    assert settings[0] == ["Tax year", 2025.0] and settings[-1] == [None, None] and len(settings) == 17
    assert calls["LOTS"][2:5] == (None, None, None)
    # fed from the GAINLOSS cells and the fake TAXSUMMARY's carryover-in rows (values 11 and 12)
    assert calls["NETCAPITAL"][1:] == (-12.5, 100.25, 11.0, 12.0, "single")


def test_an_empty_table_keeps_one_blank_row(fake: ModuleType) -> None:
    evaluate([])
    transactions = next(call for call in fake.CALLS if call[0] == "TAXSUMMARY")[1]
    assert transactions == [list(COLUMNS), [None] * len(COLUMNS)]


@pytest.mark.parametrize(("body", "message"), [
    ("raise ValueError('boom')", "raised ValueError: boom"),
    ("return [['cryptotax: internal error in TAXSUMMARY']]", "returned: cryptotax: internal error"),
], ids=["raises", "internal-error"])
def test_a_broken_function_stops_the_build(install: Callable[[str], ModuleType], body: str, message: str) -> None:
    install(FAKE_ADDIN + f"\n\ndef TAXSUMMARY(transactions, year, settings=None):\n    {body}\n")
    with pytest.raises(FunctionFailed, match=re.escape(message)):
        template_bytes()


@pytest.mark.parametrize(("returned", "grid"), [
    (1.5, [[1.5]]),
    ("OK", [["OK"]]),
    (["a", "b"], [["a", "b"]]),  # a flat list is one row, as xlwings writes it
    ([["a", 1], ["b"]], [["a", 1.0], ["b", None]]),
    ([], [[None]]),
], ids=["number", "text", "flat-list", "ragged-rows", "empty"])
def test_return_values_as_cells(returned: object, grid: list[list[object]]) -> None:
    assert to_grid(returned) == grid


# -- cryptotax new ---------------------------------------------------------------------------------------
def test_new_workbook_writes_the_template(fake: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "taxes.xlsx"
    new_workbook(path, with_sample=True)
    assert path.read_bytes() == template_bytes(with_sample=True)
    assert [item.name for item in tmp_path.iterdir()] == ["taxes.xlsx"]  # no temporary file left


def test_new_workbook_never_replaces_a_file(fake: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "taxes.xlsx"
    path.write_bytes(b"my data")
    with pytest.raises(OutputExists, match=r"taxes\.xlsx exists"):
        new_workbook(path, with_sample=False)
    assert path.read_bytes() == b"my data"


@pytest.mark.parametrize("name", ["taxes.xlsm", "taxes.csv", "taxes"])
def test_new_workbook_wants_an_xlsx_name(fake: ModuleType, tmp_path: Path, name: str) -> None:
    with pytest.raises(OptionError, match=r"\.xlsx"):
        new_workbook(tmp_path / name, with_sample=False)
    assert not list(tmp_path.iterdir())


# -- the shipped file (real add-in) ---------------------------------------------------------------------
def test_shipped_template_is_a_fresh_build() -> None:
    fresh = template_bytes(with_sample=False)
    assert SHIPPED.read_bytes() == fresh, (
        "workbook_templates/cryptotax.xlsx is not what the builder makes: run "
        "python -m workbook_templates.build workbook_templates/cryptotax.xlsx")
