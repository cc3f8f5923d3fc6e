"""Holding period: short or long term (docs/rules.md#holding-period; IRS Pub. 544)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from cryptotax_core.model import Term

_ONE_DAY: Final = timedelta(days=1)


def is_long_term(acquired: date, disposed: date) -> bool:
    """Held more than one year: counting starts the day after acquisition and includes the day of
    disposal, so long-term iff disposed >= (acquired + 1 day) + 1 calendar year (docs/rules.md#holding-period). Bought
    2025-01-15: sold 2026-01-15 is short, 2026-01-16 long; bought 2015-02-28: sold
    2016-02-29 is short, 2016-03-01 long.
    """
    return disposed >= long_term_from(acquired)


def term_of(acquired: date, disposed: date) -> Term:
    return Term.LONG if is_long_term(acquired, disposed) else Term.SHORT


def long_term_from(acquired: date) -> date:
    """The first disposal date that is long-term for units acquired on `acquired` (the rule of
    `is_long_term`, as a date the engine computes once per acquisition day): the day after acquisition
    one calendar year later; from 29 February, 28 February (a calendar year ends on the last day of
    that month when it has no such day)."""
    start = acquired + _ONE_DAY
    if start.month == 2 and start.day == 29:
        return date(start.year + 1, 2, 28)
    return start.replace(year=start.year + 1)
