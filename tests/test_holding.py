"""Holding period dates (docs/rules.md#holding-period; seed 002)."""

from datetime import date, timedelta

import pytest
from conftest import buy, run, sell
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core import Term, is_long_term, long_term_from


@pytest.mark.parametrize(("acquired", "disposed", "long_term"), [
    (date(2025, 1, 15), date(2026, 1, 15), False),   # anniversary: still short
    (date(2025, 1, 15), date(2026, 1, 16), True),    # the day after: long (seed 002)
    (date(2015, 2, 28), date(2016, 2, 29), False),   # leap day: still short (docs/rules.md#holding-period)
    (date(2015, 2, 28), date(2016, 3, 1), True),
    (date(2024, 2, 29), date(2025, 2, 28), False),   # bought on a leap day
    (date(2024, 2, 29), date(2025, 3, 1), True),
    (date(2024, 12, 31), date(2025, 12, 31), False),
    (date(2024, 12, 31), date(2026, 1, 1), True),
    (date(2025, 6, 1), date(2025, 6, 1), False),     # same day
], ids=["anniversary", "day-after", "leap-day", "after-leap-day", "bought-leap-day", "bought-leap-day-long",
        "new-year-anniversary", "new-year-day-after", "same-day"])
def test_holding_period(acquired: date, disposed: date, long_term: bool) -> None:
    assert is_long_term(acquired, disposed) is long_term


def test_long_term_from_is_the_first_long_day() -> None:
    assert long_term_from(date(2025, 1, 15)) == date(2026, 1, 16)
    assert long_term_from(date(2015, 2, 28)) == date(2016, 3, 1)
    assert long_term_from(date(2016, 2, 28)) == date(2017, 2, 28)  # from 29 Feb: the year ends on 28 Feb
    assert long_term_from(date(2024, 12, 31)) == date(2026, 1, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 30)))
@settings(max_examples=300, deadline=None)
def test_long_term_from_is_one_calendar_year_after_the_next_day(acquired: date) -> None:
    """The rule as docs/rules.md#holding-period states it, with dateutil's calendar arithmetic (end of month kept)."""
    assert long_term_from(acquired) == acquired + timedelta(days=1) + relativedelta(years=1)


def test_engine_uses_the_rule_on_each_slice() -> None:
    """One sale across two lots: one slice long-term, the other short-term."""
    result = run([buy("A", "2025-01-15", "BTC", "1", "100"), buy("B", "2025-03-01", "BTC", "1", "200"),
                  sell("S", "2026-01-16", "BTC", "2", "600")])
    assert [(d.lot_id, d.term) for d in result.disposals] == [("A", Term.LONG), ("B", Term.SHORT)]
