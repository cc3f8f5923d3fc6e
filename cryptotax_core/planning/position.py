"""A tax year's capital position and what a change to it does to the year's tax.

Planning asks one question over and over: the year as it is, and the year with some more short-term or
long-term gain (a sale not made yet, another lot choice). The answer always comes from the project's
own rules: Schedule D netting with the carryover in and the loss limit (`net_capital`) and, when the
user gave other income for the year, the tax estimate (`TaxSettings.estimate`, with the year's income
events from the table).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.model import Disposal, Result, Term
from cryptotax_core.summary import summarize, term_gain
from cryptotax_core.tax import Carryover, Netting, TaxEstimate, TaxSettings, net_capital, net_years

ZERO = Decimal(0)


class TermGains:
    """The short-term and long-term gain of a record's `disposals` (the slices of one sale)."""

    __slots__ = ()
    disposals: Sequence[Disposal]

    @property
    def short_term(self) -> Decimal:
        return term_gain(self.disposals, Term.SHORT)

    @property
    def long_term(self) -> Decimal:
        return term_gain(self.disposals, Term.LONG)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A year's Schedule D result and, with other income, its estimated tax.

    capital_income: what the capital results add to taxable income: the net gain, or minus the
        deductible loss (Schedule D line 16, or line 21 as a negative amount).
    ordinary_part: the part of a positive `capital_income` taxed at ordinary rates (net short-term gain
        not sheltered by long-term loss); the rest is net capital gain at the long-term rates.
    """

    netting: Netting
    estimate: TaxEstimate | None

    @property
    def capital_income(self) -> Decimal:
        return self.netting.total if self.netting.total > 0 else -self.netting.deductible_loss

    @property
    def ordinary_part(self) -> Decimal:
        netting = self.netting
        if netting.total <= 0:
            return ZERO
        return netting.total - max(ZERO, min(netting.long_term, netting.total))

    @property
    def carryover_out(self) -> Decimal:
        return self.netting.carryover_out.short_term + self.netting.carryover_out.long_term

    @property
    def tax(self) -> Decimal | None:
        return None if self.estimate is None else self.estimate.total_tax

    @property
    def key(self) -> tuple[Decimal, ...]:
        """Smaller is better for the year: the estimated tax; without other income (no estimate), the
        capital income, then its part at ordinary rates. A larger carryover out breaks ties (it is
        worth something next year)."""
        if self.estimate is not None:
            return (self.estimate.total_tax, -self.carryover_out)
        return (self.capital_income, self.ordinary_part, -self.carryover_out)


@dataclass(frozen=True, slots=True)
class YearPosition:
    """A year's realized short-term and long-term gain (report lines, in cents) with what surrounds it:
    the carryover into the year (from the earlier years of the data, or the user's carryover before
    them) and the user's tax situation."""

    year: int
    short_term: Decimal
    long_term: Decimal
    carryover_in: Carryover
    tax: TaxSettings
    table_income: Decimal = ZERO  # the year's ordinary income events in the table (docs/rules.md#ordinary-income)

    @property
    def has_estimate(self) -> bool:
        """A tax estimate needs the year's other income (docs/rules.md#the-tax-estimate: the brackets stack
        on it)."""
        return self.year in self.tax.other_income

    def outcome(self, short_term: Decimal | None = None, long_term: Decimal | None = None) -> Outcome:
        """The year with these gains instead of its own (None: its own)."""
        ordinary = self.tax.ordinary_incomes({self.year: self.table_income}).get(self.year)
        netting = net_capital(self.short_term if short_term is None else short_term,
                              self.long_term if long_term is None else long_term,
                              self.carryover_in, self.tax.filing_status, self.tax.taxable_income.get(self.year),
                              ordinary)
        return Outcome(netting, self.tax.estimate(self.year, netting, self.table_income))

    def plus(self, short_term: Decimal = ZERO, long_term: Decimal = ZERO) -> Outcome:
        """The year with more gain (a loss is negative) on top of its own."""
        return self.outcome(self.short_term + short_term, self.long_term + long_term)


def year_position(result: Result, tax: TaxSettings, year: int) -> YearPosition:
    """The position of `year` in a computed history: its gains as the report totals them, its ordinary
    income events, and the carryover the earlier years pass into it (years without data between pass it
    on, using the loss limit there, as `tax_years` does)."""
    summaries = summarize(result)
    gains = {number: (summary.short_term.gain, summary.long_term.gain)
             for number, summary in summaries.items() if number <= year}
    gains.setdefault(year, (ZERO, ZERO))
    table_income = {number: summary.ordinary_income for number, summary in summaries.items()}
    nettings = net_years(gains, tax.carryover_in, tax.filing_status, tax.taxable_income,
                         tax.ordinary_incomes(table_income))
    carryover_in = nettings[year - 1].carryover_out if year - 1 in nettings else tax.carryover_in
    short_term, long_term = gains[year]
    return YearPosition(year, short_term, long_term, carryover_in, tax, table_income.get(year, ZERO))


def year_gains(result: Result, year: int) -> tuple[Decimal, Decimal]:
    """A year's short-term and long-term gain as the report totals them (cents per line, as `summarize`).
    The engine makes disposals in date order, so the year's are one run of them, found by bisection: the
    search asks this once per candidate, and summing every year would cost a pass over the whole history."""
    disposals = result.disposals
    first = year_start(result, year)
    lines = disposals[first:bisect_right(disposals, year, lo=first, key=_year_of)]
    return term_gain(lines, Term.SHORT), term_gain(lines, Term.LONG)


def year_start(result: Result, year: int) -> int:
    """Where the year's disposals start in a result's (date order, as the engine makes them)."""
    return bisect_left(result.disposals, year, key=_year_of)


def _year_of(disposal: Disposal) -> int:
    return disposal.disposed.year
