"""Holding period: short or long term (domain.md, Holding period; IRS Pub. 544)."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cryptotax_core.model import Term


def is_long_term(acquired: date, disposed: date) -> bool:
    """Held more than one year: counting starts the day after acquisition and includes the day of
    disposal, so long-term iff disposed >= (acquired + 1 day) + 1 calendar year (domain.md, Holding
    period). Bought 2025-01-15: sold 2026-01-15 is short, 2026-01-16 long; bought 2015-02-28: sold
    2016-02-29 is short, 2016-03-01 long.
    """
    return disposed >= long_term_from(acquired)


def term_of(acquired: date, disposed: date) -> Term:
    return Term.LONG if is_long_term(acquired, disposed) else Term.SHORT


@functools.lru_cache(maxsize=65536)
def long_term_from(acquired: date) -> date:
    """The first disposal date that is long-term for units acquired on `acquired` (the rule of
    `is_long_term`, as a date the engine computes once per lot)."""
    return acquired + timedelta(days=1) + relativedelta(years=1)
