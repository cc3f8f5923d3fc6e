"""The planning commands' default text on a 10,000-row history (bench/generate.py, seed 1): no line longer
than 120 characters, and the answer on the first lines, where it agrees with the core's figures.

Each command runs once, the searches with a small budget (`max_evaluations`): the lengths of the lines come
from the figures, the lot counts and the IDs, which a longer search does not change (Lot IDs are wrapped
whatever their number)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bench.generate import generate
from cryptotax_cli.planning_text import money, render_compare, render_harvest, render_whatif, signed
from cryptotax_core import Settings, Transaction, parse_table
from cryptotax_core.planning import Sale, compare_methods, harvest, what_if
from cryptotax_core.tax import TaxSettings

LONGEST = 120
ON = date(2025, 12, 15)
PRICES = {"BTC": Decimal(91000), "ETH": Decimal(3000), "SOL": Decimal(130), "ADA": Decimal("0.4"),
          "DOGE": Decimal("0.13"), "LINK": Decimal(13)}
TAX = TaxSettings(other_income={2025: Decimal(80000)})


@pytest.fixture(scope="module")
def history() -> tuple[Transaction, ...]:
    header, rows = generate(10_000, seed=1)
    return parse_table(header, rows, zone=ZoneInfo("UTC"), today=date(2026, 7, 1)).transactions


def too_long(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) > LONGEST]


def test_whatif(history: tuple[Transaction, ...]) -> None:
    found = what_if(history, Settings(), TAX, Sale("BTC", Decimal("0.5"), Decimal(91000), ON, "Coinbase"),
                    max_evaluations=6)
    text = render_whatif("history-10000.csv", found)
    assert too_long(text) == []
    first, answer = text.splitlines()[:2]
    assert first.startswith("cryptotax whatif history-10000.csv: sell 0.5 BTC from Coinbase on 2025-12-15 at "
                            "91,000.00 (proceeds 45,500.00)")
    best = found.best
    assert best.tax_change is not None
    assert answer.startswith(f"Best: {best.label}, tax change {signed(best.tax_change)}, ")  # less than FIFO's
    assert text.splitlines()[3].startswith("Lot choice ")  # the table of every choice follows at once


def test_harvest(history: tuple[Transaction, ...]) -> None:
    found = harvest(history, Settings(), TAX, ON, PRICES)
    text = render_harvest("history-10000.csv", Settings(), found)
    assert too_long(text) == []
    planned = sum(1 for step in found.plan if step.in_plan)
    assert planned > 10  # a long plan: its Lot IDs are wrapped
    assert text.splitlines()[1].startswith(f"Plan: sell {planned} lots on 2025-12-15 (ranks 1-{planned}): tax saved "
                                           f"{money(found.plan_saves)}; carryover into 2026: ")
    assert len(text.splitlines()) < 150  # not every open lot (1,910) nor one note per lot and purchase


def test_compare(history: tuple[Transaction, ...]) -> None:
    found = compare_methods(history, Settings(), TAX, 2025, max_evaluations=0)
    text = render_compare("history-10000.csv", found, Settings())
    assert too_long(text) == []
    lines = text.splitlines()
    taxes = {method.label: method.outcome.tax for method in found.methods if method.outcome}
    lowest = min(tax for tax in taxes.values() if tax is not None)
    assert lines[1].startswith(f"Lowest estimated tax {money(lowest)}: ")
    assert lines[1].endswith(f"your FIFO: {money(taxes['FIFO'] or Decimal(0))}")
    table = lines[3:3 + 2 + 5]  # header, ruler, the four methods and the best identification
    assert table[0].startswith("Method ") and table[-1].startswith("Best identification ")
    assert max(len(line) for line in table) <= 100
