"""Writing values into an XlsxWriter worksheet for the report workbook (cryptotax_cli/report_workbook.py):
the cell formats, and a sheet that writes text as text (neutralized), money rounded to cents, exact
quantities, and sizes its columns to what it wrote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cryptotax_cli.errors import OptionError
from cryptotax_cli.progress import Progress
from cryptotax_core import cents, neutralized, plain

MAX_ROWS = 1_048_576  # rows of a worksheet (Excel, XlsxWriter)
EXACT_DIGITS = 15  # significant digits a spreadsheet number keeps
MOST = 60  # the widest a column gets, in characters; longer text wraps
LINE_POINTS = 15  # the height of a line of 11-point text
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"


class Formats:
    def __init__(self, workbook: Workbook) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.heading = workbook.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E78"})
        # text and dates are indented by one character, so they never touch a right-aligned number before them
        self.cell = workbook.add_format({"indent": 1})
        self.wrapped = workbook.add_format({"indent": 1, "text_wrap": True, "valign": "top"})
        self.top = workbook.add_format({"align": "left", "indent": 1, "valign": "top"})  # beside a wrapped cell
        self.integer_top = workbook.add_format({"num_format": "0", "valign": "top"})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "indent": 1})
        self.header_right = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "align": "right"})
        self.money = workbook.add_format({"num_format": MONEY})
        self.money_total = workbook.add_format({"num_format": MONEY, "bold": True, "top": 1})
        self.total = workbook.add_format({"bold": True, "top": 1, "indent": 1})
        self.date = workbook.add_format({"num_format": DATE, "indent": 1})
        self.year = workbook.add_format({"num_format": "0", "indent": 1})
        self.integer = workbook.add_format({"num_format": "0"})


class Sheet:
    """A worksheet that remembers the widest value of each column, to size the columns at the end."""

    def __init__(self, sheet: Worksheet, formats: Formats, bar: Progress) -> None:
        self.sheet = sheet
        self.formats = formats
        self.bar = bar
        self.widths: dict[int, int] = {}
        self.row = 0  # the next row to write

    def _fit(self, row: int, column: int, width: int) -> None:
        if row >= MAX_ROWS:
            raise OptionError(f"the sheet {self.sheet.name} needs more than {MAX_ROWS:,} rows: write this year "
                             "with --form8949 OUT.csv instead")
        self.widths[column] = max(self.widths.get(column, 0), width)

    def text(self, row: int, column: int, value: str, cell_format: Format | None = None, *, fit: bool = True) -> None:
        """Text as text (never a formula), neutralized: it may come from the user's table."""
        value = neutralized(value)
        self._fit(row, column, len(value) + 1 if fit else 0)
        self.sheet.write_string(row, column, value, cell_format or self.formats.cell)

    def money(self, row: int, column: int, amount: Decimal, cell_format: Format | None = None) -> None:
        rounded = cents(amount)
        self._fit(row, column, len(f"{rounded:,.2f}") + 2)
        self.sheet.write_number(row, column, float(rounded), cell_format or self.formats.money)

    def day(self, row: int, column: int, value: date) -> None:
        self._fit(row, column, 11)
        self.sheet.write_datetime(row, column, datetime.combine(value, time()), self.formats.date)

    def integer(self, row: int, column: int, value: int, cell_format: Format | None = None) -> None:
        self._fit(row, column, len(str(value)) + 1)
        self.sheet.write_number(row, column, value, cell_format or self.formats.integer)

    def quantity(self, row: int, column: int, value: Decimal) -> None:
        """A number when a spreadsheet keeps it exactly (15 significant digits), else its exact text."""
        text = plain(value)
        self._fit(row, column, len(text) + 1)
        if len(value.normalize().as_tuple().digits) <= EXACT_DIGITS:
            self.sheet.write_number(row, column, float(value))
        else:
            self.sheet.write_string(row, column, text)

    def title(self, title: str, note: str = "") -> None:
        """The sheet's first row (and a note under it), not counted in the column widths."""
        self.text(0, 0, title, self.formats.title, fit=False)
        self.row = 1
        if note:
            self.text(1, 0, note, self.formats.note, fit=False)
            self.row = 2

    def header(self, titles: Sequence[str], numbers: Sequence[int] = ()) -> None:
        """Column titles on the next row (right-aligned over the columns of `numbers`), frozen and repeated on
        every printed page."""
        for column, title in enumerate(titles):
            self._fit(self.row, column, len(title) + 2)  # bold
            self.text(self.row, column, title,
                      self.formats.header_right if column in numbers else self.formats.header, fit=False)
        self.sheet.freeze_panes(self.row + 1, 0)
        self.sheet.repeat_rows(self.row)
        self.row += 1

    def finish(self, least: int = 8, most: int = MOST) -> None:
        for column, width in self.widths.items():
            self.sheet.set_column(column, column, min(max(width + 1, least), most))
        self.sheet.set_landscape()
        self.sheet.fit_to_pages(1, 0)
        self.sheet.set_paper(1)  # letter
        self.sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.sheet.set_footer("&L&8cryptotax · &A&R&8Page &P of &N")
