"""The calls that must give the same cells in xlwings Lite as in classic desktop Excel.

Every one of the functions (addin.functions.FUNCTIONS), with and without its optional arguments, over
the bundled sample history and a seeded 2,000-row history (bench/generate.py), with the template's
Settings, a price range and a broker's form, plus error cells and empty strings. The same logical cells
go to both: classic xlwings hands a function datetime objects, None for an empty cell and, with
err_to_str, an error cell's text; Office.js sends serial numbers, "" and typed error values
(tests/lite/officejs.py, wire_arg).

    classic_shown(FUNCTION(*case.classic_args()))      # CPython, classic decorators
    shown(await call(module, case.function, case.args))  # Office.js path (CPython or Pyodide)

No module here imports xlwings, so both runtimes can build the cases.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from officejs import ErrorCell, serial

from cryptotax_core import Settings, compute_table
from cryptotax_core.samples import SAMPLE_HISTORY
from workbook_templates.content import SETTINGS_ROWS

NUMBER_COLUMNS = frozenset({"Quantity", "USD Value", "Fee USD", "Received Quantity"})
GENERATED_ROWS, GENERATED_SEED = 2000, 21
PRICES = {"BTC": 91000.0, "ETH": 3100.0, "SOL": 140.0, "DOGE": 0.18, "ADA": 0.7, "LINK": 14.5, "JUP": 0.6,
          "AAPL": 230.0, "MSFT": 480.0}

Cells = list[list[Any]]


@dataclass(frozen=True)
class Case:
    name: str
    function: str
    args: tuple[Any, ...]

    def classic_args(self) -> list[Any]:
        """The arguments as classic xlwings passes them: an error cell as its text (err_to_str)."""
        def cell(value: Any) -> Any:
            return value.text if isinstance(value, ErrorCell) else value

        return [[[cell(value) for value in row] for row in arg] if isinstance(arg, list) else cell(arg)
                for arg in self.args]


def typed(header: list[str], rows: list[list[str]]) -> Cells:
    """CSV text as an Excel table holds it: dates as date-times (naive: a cell has no time zone), numbers
    as floats, blanks as empty cells; the header row first."""
    def cell(column: str, text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if column == "Date":
            return datetime.fromisoformat(text).replace(tzinfo=None)
        if column in NUMBER_COLUMNS:
            return float(text)
        return text

    return [list(header), *[[cell(column, text) for column, text in zip(header, row, strict=False)]
                            for row in rows]]


def sample_table() -> Cells:
    with open(SAMPLE_HISTORY, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return typed(header, rows)


def generated_table(bench: Path) -> Cells:
    sys.path.insert(0, str(bench))
    from generate import generate

    header, rows = generate(GENERATED_ROWS, seed=GENERATED_SEED)
    return typed(header, rows)


def settings_cells(other_income_year: int) -> Cells:
    """The template's Settings range (labels and values; blank rows empty), with the optional lines a user
    adds for a tax estimate and a method of its own for one year."""
    cells: Cells = [[row.label, float(row.value) if isinstance(row.value, int) else row.value]
                    for row in SETTINGS_ROWS]
    return [*cells, [f"Other income {other_income_year}", 85000.0], ["Method 2024", "HIFO"], [None, None]]


def price_cells(table: Cells) -> Cells:
    assets = sorted({row[3] for row in table[1:] if row[3]})
    return [["Asset", "Price"], *[[asset, PRICES[asset]] for asset in assets]]


def broker_form(table: Cells, year: int, wallet: str) -> Cells:
    """A 1099-DA range for `wallet`'s first sales of `year` (up to 4), as a broker reports them, with the
    proceeds of the last one 100.00 above the history's, so RECONCILE finds one difference."""
    header, *rows = table
    result = compute_table(header, rows, Settings())
    form: Cells = [["Asset", "Units", "Date sold", "Proceeds", "Cost basis", "Basis reported"]]
    sales = [d for d in result.disposals if d.tax_year == year and d.wallet == wallet and d.kind.value == "sell"]
    chosen = sales[:4]
    for index, sale in enumerate(chosen):
        extra = 100 if index == len(chosen) - 1 else 0
        form.append([sale.asset, float(sale.quantity), datetime.combine(sale.disposed, datetime.min.time()),
                     float(round(sale.proceeds, 2) + extra), None, None])
    return form


def _largest_holding(table: Cells, asset: str) -> tuple[str, float]:
    """The wallet holding most of `asset` at the end, and a quantity to sell from it (a tenth of it)."""
    header, *rows = table
    result = compute_table(header, rows, Settings())
    held: dict[str, Decimal] = {}
    for lot in result.lots:
        if lot.asset == asset:
            held[lot.wallet] = held.get(lot.wallet, Decimal(0)) + lot.quantity
    wallet = max(held, key=lambda name: held[name])
    return wallet, float(round(held[wallet] / 10, 8))


def cases_for(label: str, table: Cells, years: tuple[int, int], as_of: datetime) -> list[Case]:
    year, other = years
    settings, prices = settings_cells(year), price_cells(table)
    wallet, units = _largest_holding(table, "BTC")
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("COSTBASIS", (table, "BTC")),
        ("COSTBASIS", (table, "BTC", wallet, datetime(year, 6, 30), settings)),
        ("GAINLOSS", (table, year)),
        ("GAINLOSS", (table, year, "short")),
        ("GAINLOSS", (table, other, "long", None, settings)),
        ("GAINLOSS", (table, other, "all", "BTC", settings)),
        ("GAINLOSS", (table, year, "", "", settings)),  # empty strings read as omitted
        ("NETCAPITAL", (-5250.5, 1200.25)),
        ("NETCAPITAL", (-2000.0, -3000.0, 1000.0, 0.0, "mfs")),
        ("LOTS", (table,)),
        ("LOTS", (table, "BTC", None, datetime(year, 12, 31), settings)),
        ("DISPOSALS", (table, year)),
        ("DISPOSALS", (table, other, settings)),
        ("TAXSUMMARY", (table, year, settings)),
        ("TAXSUMMARY", (table, other)),
        ("INCOME", (table, year)),
        ("INCOME", (table, year, "staking", settings)),
        ("HOLDINGTERM", (datetime(2024, 1, 15), datetime(2025, 1, 16))),
        ("HOLDINGTERM", (datetime(2024, 2, 29), datetime(2025, 2, 28))),
        ("CHECK", (table, settings)),
        ("UNREALIZED", (table, prices, as_of)),
        ("UNREALIZED", (table, prices, as_of, "BTC", wallet, settings)),
        ("HARVEST", (table, prices, as_of, settings)),
        ("METHODCOMPARE", (table, year, settings)),
        ("WHATIF", (table, "BTC", units, PRICES["BTC"], wallet, as_of, settings)),
        ("WHATIF", (table, "BTC", units, PRICES["BTC"])),  # several wallets hold BTC: a message
        ("RECONCILE", (table, broker_form(table, other, wallet))),
        ("RECONCILE", (table, broker_form(table, other, wallet), other, wallet, settings)),
    ]
    broken = [list(row) for row in table]
    broken[3][4] = ErrorCell("#N/A")  # the third transaction's Quantity
    calls += [
        ("CHECK", (broken,)),
        ("GAINLOSS", (broken, year)),
        ("GAINLOSS", (table, ErrorCell("#VALUE!"))),
        ("LOTS", (table, ErrorCell("#N/A"))),  # an error cell is no "all assets"
        ("TAXSUMMARY", (table, year, [["Method", ErrorCell("#REF!")]])),
    ]
    return [Case(f"{label}: {function}#{index}", function, args) for index, (function, args) in enumerate(calls)]


def all_cases(bench: Path) -> list[Case]:
    as_of = datetime(2026, 6, 30)
    return [*cases_for("sample", sample_table(), (2025, 2026), as_of),
            *cases_for(f"generated {GENERATED_ROWS}", generated_table(bench), (2025, 2024), as_of)]


def classic_shown(result: Any) -> Cells:
    """What Excel shows of a classic function's result: a grid, dates as serial numbers, None as empty."""
    rows = result if isinstance(result, list) else [[result]]
    rows = [row if isinstance(row, list) else [row] for row in rows]
    return [["" if value is None else serial(value) if isinstance(value, date) else value for value in row]
            for row in rows]


def differences(expected: dict[str, Cells], actual: dict[str, Cells]) -> list[str]:
    """The cases whose cells differ, each with its first differing cell."""
    found = []
    for name, cells in expected.items():
        other = actual.get(name)
        if other != cells:
            where = next(((r, c) for r, row in enumerate(cells) for c, value in enumerate(row)
                          if other is None or r >= len(other) or c >= len(other[r]) or other[r][c] != value), None)
            found.append(f"{name}: differs at {where}: classic {cells[:3]} lite {None if other is None else other[:3]}")
    return found
