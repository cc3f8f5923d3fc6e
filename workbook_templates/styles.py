"""Cell formats of the template, created once per workbook, and the formats of each spilled result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from workbook_templates import content as c
from workbook_templates.cached import Grid

COUNT_WORDS = frozenset({"year", "disposals", "warnings", "count", "row"})  # last word of a label of a count


class Styles:
    NAVY, BLUE, ORANGE, GREEN, GREY = "#1F3864", "#2F5597", "#C55A11", "#548235", "#7F7F7F"
    HEADER_FILL, INPUT_FILL, LABEL_FILL = "#DDEBF7", "#FFF2CC", "#F2F2F2"

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self.plain = self.make()
        self.title = self.make(bold=True, font_size=20, font_color=self.NAVY)
        self.subtitle = self.make(font_size=12, font_color=self.GREY)
        self.heading = self.make(bold=True, font_size=13, font_color=self.NAVY, bottom=2, bottom_color=self.NAVY)
        self.section = self.make(bold=True, font_size=13, font_color=self.NAVY)
        self.note = self.make(italic=True, font_color=self.GREY)
        self.wrapped = self.make(text_wrap=True, valign="top")
        self.step_number = self.make(bold=True, font_color=self.NAVY, align="right", valign="top")
        self.code = self.make(font_name="Consolas", font_size=10)
        self.disclaimer = self.make(italic=True, text_wrap=True, valign="top", font_color="#595959", top=1,
                                    top_color="#BFBFBF")
        self.column_header = self.make(bold=True, bg_color=self.HEADER_FILL, bottom=1)
        self.label = self.make(bold=True)
        self.explanation = self.make(font_color="#404040")
        self.hint = self.make(italic=True, font_color=self.GREY)
        self.input_label = self.make(bold=True, bg_color=self.INPUT_FILL, border=1, border_color="#BFBFBF")
        self.spill_label = self.make(bg_color=self.LABEL_FILL)
        self.whole_dxf = workbook.add_format({"num_format": c.WHOLE})  # conditional formats: not cached
        self.day_dxf = workbook.add_format({"num_format": c.DATE})

    def make(self, **properties: Any) -> Format:
        key = tuple(sorted(properties.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(properties)
        return self._cache[key]

    def number(self, number_format: str | None, **extra: Any) -> Format:
        return self.make(num_format=number_format, **extra) if number_format else self.make(**extra)

    def table_header(self, number_format: str | None, *, first: bool = False) -> Format:
        """A heading of the Transactions table: white on the table style's blue, wrapped, aligned as its column:
        a number's on the right, two characters in, off the filter button Excel draws at the right end of the
        cell; the others on the left after a space (but the first), off the heading before."""
        alignment: dict[str, Any] = ({"align": "right", "indent": 2} if number_format else {} if first else
                                     {"align": "left", "indent": 1})
        return self.make(bold=True, font_color="#FFFFFF", bg_color="#4472C4", text_wrap=True, valign="bottom",
                         **alignment)

    def header(self, name: str, number_format: str | None) -> Format:
        """A heading of a result table, aligned as its column."""
        align = "center" if name in c.CENTERED else "right" if number_format else "left"
        return self.make(bold=True, bg_color=self.HEADER_FILL, bottom=1, align=align)

    def column(self, name: str, number_format: str | None) -> Format:
        """The format of a column of a result table or of Transactions."""
        if name in c.CENTERED:
            return self.number(number_format, align="center")
        return self.number(number_format)

    def input(self, number_format: str | None) -> Format:
        properties: dict[str, Any] = {"bg_color": self.INPUT_FILL, "border": 1, "border_color": "#BFBFBF",
                                      "align": "left"}
        if number_format:
            properties["num_format"] = number_format
        return self.make(**properties)

    # -- spilled results ---------------------------------------------------------------------------
    def spill_formats(self, placed: c.Placed, grid: Grid) -> list[list[Format]]:
        """The format of each cell a result fills: a header row and column formats for tables, label and
        figure for label/value pairs, text for lists."""
        if placed.kind == "table":
            columns = c.LOTS_COLUMNS if placed.call.function == "LOTS" else c.DISPOSALS_COLUMNS
            header = [str(value) if value is not None else "" for value in grid[0]]
            formats = [[self._header(columns, name) for name in header]]
            for values in grid[1:]:
                formats.append([self._column(columns, header, index, value) for index, value in enumerate(values)])
            return formats
        if placed.kind == "labelled":
            return [self._labelled(values) for values in grid]
        return [[self.plain for _ in values] for values in grid]

    def _header(self, columns: dict[str, tuple[float, str | None]], name: str) -> Format:
        known = {known.casefold(): (known, number_format) for known, (_, number_format) in columns.items()}
        return self.header(*known.get(name.casefold(), (name, None)))

    def _column(self, columns: dict[str, tuple[float, str | None]], header: list[str], index: int,
                value: object) -> Format:
        by_name = {name.casefold(): (name, number_format) for name, (_, number_format) in columns.items()}
        name, number_format = by_name.get(header[index].casefold(), ("", None)) if index < len(header) else ("", None)
        if number_format is None and isinstance(value, date):
            number_format = c.DATE
        return self.column(name, number_format)

    def _labelled(self, values: Sequence[object]) -> list[Format]:
        if len(values) == 1:  # a single figure, or a message
            return [self.plain if isinstance(values[0], str) else self._figure("", values[0])]
        label = str(values[0] or "")
        return [self.spill_label, *(self._figure(label, value) for value in values[1:])]

    def _figure(self, label: str, value: object) -> Format:
        if isinstance(value, str):
            return self.make(align="right")
        if isinstance(value, date):
            return self.number(c.DATE)
        words = label.casefold().split()
        return self.number(c.WHOLE if words and words[-1] in COUNT_WORDS else c.GAIN)
