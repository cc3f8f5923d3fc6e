"""addin/bind.py: the xlwings Lite script that enters the workbook's cryptotax formulas again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from addin.bind import bind_formulas, calls_cryptotax, formulas_to_enter


@pytest.mark.parametrize(("formula", "calls"), [
    ("=GAINLOSS(Transactions[#All],TaxYear,\"long\",,Settings)", True),
    ("=gainloss (A1:B3, 2025)", True),  # Excel's names are case-insensitive
    ("=ROUND(TAXSUMMARY(T,2025),2)+1", True),  # nested
    ("=MYGAINLOSS(1)", False),  # another function whose name ends the same
    ("=OTHER.GAINLOSS(1)", False),  # another add-in's namespace
    ('="GAINLOSS(" & A1', False),  # inside a text literal
    ('="a ""GAINLOSS("" b"', False),  # an escaped quote inside a literal
    ("GAINLOSS(T, 2025)", False),  # text, not a formula
    ("=SUM(A1:A3)", False),
    (46033.0, False),  # a value (e.g. a cell a dynamic array spills into)
    (None, False),
])
def test_which_formulas_call_cryptotax(formula: object, calls: bool) -> None:
    assert calls_cryptotax(formula) is calls


def test_positions_in_the_grid() -> None:
    grid = [["Tax year summary", None, "=CHECK(Transactions[#All],Settings)"],
            ["=TAXSUMMARY(Transactions[#All],TaxYear,Settings)", "Net total", 12.5]]
    assert formulas_to_enter(grid) == [(0, 2, "=CHECK(Transactions[#All],Settings)"),
                                       (1, 0, "=TAXSUMMARY(Transactions[#All],TaxYear,Settings)")]


class FakeCell:
    def __init__(self, written: dict[tuple[int, int], str], address: tuple[int, int]) -> None:
        self.written, self.address = written, address

    @property
    def formula(self) -> str:
        raise AssertionError("Lite cannot read formulas synchronously")

    @formula.setter
    def formula(self, text: str) -> None:
        self.written[self.address] = text


class FakeUsedRange:
    def __init__(self, row: int, column: int, grid: list[list[Any]]) -> None:
        self.row, self.column, self.grid = row, column, grid

    def options(self, ndim: int) -> FakeUsedRange:
        assert ndim == 2
        return self

    async def get_formula(self) -> list[list[Any]]:
        return self.grid


class FakeSheet:
    """The parts of an xlwings Lite sheet (BookAsync) that the script uses."""

    def __init__(self, used: FakeUsedRange | None) -> None:
        self.used = used
        self.written: dict[tuple[int, int], str] = {}

    async def get_used_range(self) -> FakeUsedRange | None:
        return self.used

    def range(self, address: tuple[int, int]) -> FakeCell:
        return FakeCell(self.written, address)


class FakeBook:
    def __init__(self, *sheets: FakeSheet) -> None:
        self.sheets = list(sheets)


def test_the_script_enters_each_cryptotax_formula_at_its_cell(capsys: pytest.CaptureFixture[str]) -> None:
    summary = FakeSheet(FakeUsedRange(4, 1, [["=TAXSUMMARY(Transactions[#All],TaxYear,Settings)", None, None,
                                              "=GAINLOSS(Transactions[#All],TaxYear,\"short\",,Settings)"],
                                             ["Tax year", 2025.0, None, "=E5*2"]]))
    empty = FakeSheet(None)
    lots = FakeSheet(FakeUsedRange(3, 1, [["=LOTS(Transactions[#All],,,,Settings)", "Asset"], ["BTC-1", "BTC"]]))
    asyncio.run(bind_formulas(FakeBook(summary, empty, lots)))
    # 1-based sheet rows and columns: the used range starts at A4 (Summary) and A3 (Lots)
    assert summary.written == {(4, 1): "=TAXSUMMARY(Transactions[#All],TaxYear,Settings)",
                               (4, 4): "=GAINLOSS(Transactions[#All],TaxYear,\"short\",,Settings)"}
    assert empty.written == {}
    assert lots.written == {(3, 1): "=LOTS(Transactions[#All],,,,Settings)"}
    assert "entered 3 formulas again" in capsys.readouterr().out
