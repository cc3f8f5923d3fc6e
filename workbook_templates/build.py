"""Write the cryptotax template workbook with XlsxWriter.

    python -m workbook_templates.build OUT.xlsx [--with-sample]

The output is reproducible: fixed document properties and zip timestamps, so two builds of the same
inputs are byte-identical and `cryptotax.xlsx` (the shipped build) can be checked against a fresh one.
Result formulas are dynamic-array formulas (Excel 365 spills them) that carry the values our functions
return for the workbook's own data (see `cached.py`).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_templates import content as c
from workbook_templates.cached import Cell, Grid, evaluate, sample_rows
from workbook_templates.styles import Styles

SHIPPED = Path(__file__).with_name("cryptotax.xlsx")
CREATED = datetime(2025, 1, 1)  # fixed, so builds are byte-identical
LETTER = 1
EXCEL_EPOCH = datetime(1899, 12, 30)


def build_template(path: str | Path, *, with_sample: bool = False) -> None:
    """Write the template to `path` (replacing it); with the sample history in Transactions if asked."""
    Path(path).write_bytes(template_bytes(with_sample=with_sample))


def template_bytes(*, with_sample: bool = False) -> bytes:
    """The template as .xlsx bytes; `addin.functions` computes the values stored with the formulas."""
    rows = sample_rows() if with_sample else []
    results = evaluate(rows)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    # Show the stored figures on open instead of recalculating everything (which gives #NAME? until the
    # add-in is connected); after "Import Functions", Ctrl+Alt+F9 recalculates the whole workbook.
    workbook.calc_on_load = False
    workbook.set_properties({
        "title": "cryptotax workbook", "subject": "US capital gains for crypto and stock", "author": "cryptotax",
        "company": "", "comments": "Built by workbook_templates/build.py", "created": CREATED,
    })
    styles = Styles(workbook)
    sheets = {name: workbook.add_worksheet(name) for name in c.SHEETS}
    _start(sheets[c.START], styles)
    _transactions(sheets[c.TRANSACTIONS], styles, rows)
    _settings(workbook, sheets[c.SETTINGS], styles)
    _summary(sheets[c.SUMMARY], styles)
    _lots(sheets[c.LOTS], styles)
    _form8949(sheets[c.FORM8949], styles)
    _xlwings_conf(sheets[c.XLWINGS_CONF], styles)
    for placed, grid in results.items():
        write_spill(sheets[placed.sheet], placed, grid, styles)
    sheets[c.START].activate()
    workbook.close()
    return buffer.getvalue()


# -- sheets ----------------------------------------------------------------------------------------
def _print_setup(sheet: Worksheet, *, landscape: bool = True, repeat_row: int | None = None) -> None:
    sheet.set_paper(LETTER)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&L&8cryptotax · &A&R&8Page &P of &N")
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)


def _start(sheet: Worksheet, styles: Styles) -> None:
    sheet.hide_gridlines(2)
    sheet.set_column("A:A", 4)
    sheet.set_column("B:B", 82)  # the longest syntax, WHATIF's, in 10-point Consolas
    sheet.set_column("C:C", 46)
    sheet.set_row(0, 34)
    sheet.write("A1", c.TITLE, styles.title)
    sheet.write("A2", c.SUBTITLE, styles.subtitle)
    sheet.write("A4", "How to use this workbook", styles.section)
    row = 4
    for number, step in enumerate(c.STEPS, start=1):
        sheet.write(row, 0, f"{number}.", styles.step_number)
        sheet.merge_range(row, 1, row, 2, step, styles.wrapped)
        sheet.set_row(row, _height(step, 165))
        row += 1
    row += 1
    sheet.write(row, 0, "The functions", styles.section)
    row += 1
    for syntax, meaning in c.FUNCTIONS:
        sheet.write(row, 1, syntax, styles.code)
        sheet.write(row, 2, meaning, styles.plain)
        row += 1
    sheet.write(row, 1, c.FUNCTIONS_NOTE, styles.note)
    row += 2
    sheet.merge_range(row, 0, row, 2, c.DISCLAIMER, styles.disclaimer)
    sheet.set_row(row, _height(c.DISCLAIMER, 165))
    _print_setup(sheet, landscape=False)


def _height(text: str, characters_per_line: int) -> float:
    lines = -(-len(text) // characters_per_line)
    return 15.0 * lines + 3


def _transactions(sheet: Worksheet, styles: Styles, rows: Sequence[Sequence[Cell]]) -> None:
    last_row = max(len(rows), 1)  # an empty table keeps one blank row, as Excel's tables do
    columns = c.TRANSACTION_COLUMNS
    formats = [styles.number(column.number_format) if column.number_format or not index
               else styles.make(indent=1) for index, column in enumerate(columns)]  # text kept off numbers
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, formats[index])
    sheet.add_table(0, 0, last_row, len(columns) - 1, {
        "name": c.TABLE, "style": "Table Style Medium 2",
        "columns": [{"header": column.name,
                     "header_format": styles.table_header(column.number_format, first=not index)}
                    for index, column in enumerate(columns)],
    })
    for row_index in range(1, last_row + 1):
        cells = rows[row_index - 1] if rows else [None] * len(columns)
        for col_index, value in enumerate(cells):
            write_value(sheet, row_index, col_index, value, formats[col_index])
    for index, column in enumerate(columns):
        sheet.write_comment(0, index, f"{column.name}: {column.note}",
                            {"author": "cryptotax", "x_scale": 2.2, "y_scale": 1.1})
        choices = c.DROPDOWNS.get(column.name)
        if choices:
            sheet.data_validation(1, index, c.VALIDATION_LAST_ROW - 1, index, {
                "validate": "list", "source": list(choices),
                "error_title": f"Not a {column.name}", "error_message": "Choose one of: " + ", ".join(choices),
            })
        if column.number_format == c.QUANTITY:
            _whole_quantities(sheet, styles, 1, index, c.VALIDATION_LAST_ROW - 1)
        if column.number_format == c.DATE_TIME:
            _whole_days(sheet, styles, 1, index, c.VALIDATION_LAST_ROW - 1)
    sheet.set_row(0, 30)  # two-line headings
    sheet.freeze_panes(1, 0)
    sheet.set_tab_color(styles.BLUE)
    _print_setup(sheet, repeat_row=0)


def _whole_quantities(sheet: Worksheet, styles: Styles, first_row: int, col: int, last_row: int) -> None:
    """Quantities show up to 8 decimals; a whole number shows no trailing decimal point."""
    cell = xl_rowcol_to_cell(first_row, col, row_abs=False, col_abs=True)
    sheet.conditional_format(first_row, col, last_row, col, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{cell}=INT({cell}))", "format": styles.whole_dxf,
    })


def _whole_days(sheet: Worksheet, styles: Styles, first_row: int, col: int, last_row: int) -> None:
    """A date without a time of day shows as a date (2025-03-14), not with 00:00."""
    cell = xl_rowcol_to_cell(first_row, col, row_abs=False, col_abs=True)
    sheet.conditional_format(first_row, col, last_row, col, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{cell}=INT({cell}))", "format": styles.day_dxf,
    })


def _settings(workbook: Workbook, sheet: Worksheet, styles: Styles) -> None:
    sheet.set_column("A:A", 30)  # the longest label, "Table income in other income", in bold
    sheet.set_column("B:B", 20)
    sheet.set_column("C:C", 104)
    sheet.write("A1", "Settings", styles.title)
    sheet.write("A2", f"Labels in column A, values in column B. The functions read the block A{c.SETTINGS_FIRST_ROW}:"
                      f"B{c.SETTINGS_LAST_ROW} (named Settings); blank rows are ignored, labels are not "
                      f"case-sensitive.", styles.note)
    for col, heading in enumerate(("Setting", "Value", "What it means")):
        sheet.write(2, col, heading, styles.column_header)
    row = c.SETTINGS_FIRST_ROW - 1
    for setting in c.SETTINGS_ROWS:
        sheet.write(row, 0, setting.label, styles.label)
        write_value(sheet, row, 1, setting.value, styles.input(setting.number_format))
        sheet.write(row, 2, setting.explanation, styles.explanation)
        if setting.name:
            workbook.define_name(setting.name, f"='{c.SETTINGS}'!{xl_rowcol_to_cell(row, 1, True, True)}")
        _setting_validation(sheet, row, setting)
        row += 1
    for hint in c.OPTIONAL_ROWS:
        sheet.write_blank(row, 0, None, styles.input_label)
        sheet.write_blank(row, 1, None, styles.input(None))
        if hint:
            sheet.write(row, 2, hint, styles.hint)
        row += 1
    workbook.define_name("Settings", f"='{c.SETTINGS}'!{c.SETTINGS_RANGE}")
    sheet.freeze_panes(3, 0)
    sheet.set_tab_color(styles.ORANGE)
    _print_setup(sheet)


def _setting_validation(sheet: Worksheet, row: int, setting: c.Setting) -> None:
    if setting.choices:
        sheet.data_validation(row, 1, row, 1, {
            "validate": "list", "source": list(setting.choices),
            "error_type": "stop" if setting.strict else "information",
            "error_title": setting.label, "error_message": "Choose one of: " + ", ".join(setting.choices),
        })
    elif setting.number_format == c.WHOLE:
        sheet.data_validation(row, 1, row, 1, {
            "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
            "error_title": setting.label, "error_message": "Write a year, e.g. 2025.",
        })
    elif setting.number_format == c.MONEY:
        sheet.data_validation(row, 1, row, 1, {
            "validate": "decimal", "criteria": ">=", "value": 0,
            "error_title": setting.label, "error_message": "Write the loss as a positive amount (0 for none).",
        })


def _summary(sheet: Worksheet, styles: Styles) -> None:
    sheet.hide_gridlines(2)
    for columns, width, number_format in (("A:A", 26, None), ("B:B", 30, c.GAIN), ("C:C", 3, None),
                                          ("D:D", 24, None), ("E:E", 16, c.GAIN), ("F:F", 3, None),
                                          ("G:G", 72, None)):
        sheet.set_column(columns, width, styles.number(number_format))
    sheet.write("A1", "Summary", styles.title)
    sheet.write("A2", "The tax year set on Settings, computed from the Transactions table. Each block is one "
                      "formula of the cryptotax add-in: click a figure to see it.", styles.note)
    for cell, (text, span) in c.SUMMARY_HEADINGS.items():
        row, col = xl_cell_to_rowcol(cell)
        sheet.write(row, col, text, styles.heading)
        for extra in range(1, span):  # the rule under the heading spans its block
            sheet.write_blank(row, col + extra, None, styles.heading)
    for cell, text in c.SUMMARY_LABELS.items():
        sheet.write(cell, text, styles.label)
    sheet.set_tab_color(styles.GREEN)
    _print_setup(sheet)


def _lots(sheet: Worksheet, styles: Styles) -> None:
    _table_sheet(sheet, styles, c.LOTS_COLUMNS, "Open lots",
                 "Units held at the end of the data, per lot and wallet, with their cost basis. For one asset, "
                 "wallet or date, change the formula: =LOTS(Transactions[#All],\"BTC\",,DATE(2025,12,31),Settings)")


def _form8949(sheet: Worksheet, styles: Styles) -> None:
    _table_sheet(sheet, styles, c.DISPOSALS_COLUMNS, "Form 8949",
                 "The disposals of the tax year set on Settings, one line per lot, by box: G-L for digital "
                 "assets from 2025, A-F for stocks and earlier years.")


def _table_sheet(sheet: Worksheet, styles: Styles, columns: dict[str, tuple[float, str | None]], title: str,
                 note: str) -> None:
    for index, (name, (width, number_format)) in enumerate(columns.items()):
        sheet.set_column(index, index, width, styles.column(name, number_format))
        if number_format == c.QUANTITY:
            _whole_quantities(sheet, styles, 3, index, 5000)
    sheet.write("A1", title, styles.title)
    sheet.write("A2", note, styles.note)
    sheet.freeze_panes(3, 0)
    sheet.set_tab_color(styles.GREEN)
    _print_setup(sheet, repeat_row=2)


def _xlwings_conf(sheet: Worksheet, styles: Styles) -> None:
    sheet.set_column("A:A", 16)
    sheet.set_column("B:B", 18)
    sheet.set_column("D:D", 100)
    sheet.write("A1", "UDF Modules")
    sheet.write("B1", "addin.functions")
    sheet.write("D1", c.XLWINGS_NOTE, styles.note)
    sheet.set_tab_color(styles.GREY)
    _print_setup(sheet)


# -- cells -----------------------------------------------------------------------------------------
def write_value(sheet: Worksheet, row: int, col: int, value: Cell | int, cell_format: Format) -> None:
    """One stored value; an empty cell keeps its format (so the padding of a spill range is cleared)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, date):
        sheet.write_number(row, col, excel_serial(value), cell_format)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def excel_serial(value: date) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


def write_spill(sheet: Worksheet, placed: c.Placed, grid: Grid, styles: Styles) -> None:
    """A dynamic-array formula over the range its values fill: the formula and first value in the top-left
    cell, the other values in the cells it spills into."""
    first_row, first_col = xl_cell_to_rowcol(placed.cell)
    formats = styles.spill_formats(placed, grid)
    last_row, last_col = first_row + len(grid) - 1, first_col + len(grid[0]) - 1
    master = grid[0][0]
    cached: str | float | bool = (
        "" if master is None else excel_serial(master) if isinstance(master, date) else master)
    sheet.write_dynamic_array_formula(first_row, first_col, last_row, last_col, placed.call.formula(),
                                      formats[0][0], cached)
    for row_offset, values in enumerate(grid):
        for col_offset, value in enumerate(values):
            if row_offset or col_offset:
                write_value(sheet, first_row + row_offset, first_col + col_offset, value,
                            formats[row_offset][col_offset])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook_templates.build",
                                     description="Write the cryptotax template workbook.")
    parser.add_argument("out", type=Path, help="the .xlsx file to write (replaced if it exists)")
    parser.add_argument("--with-sample", action="store_true", help="fill Transactions with the sample history")
    args = parser.parse_args(argv)
    build_template(args.out, with_sample=args.with_sample)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
