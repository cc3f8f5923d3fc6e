"""Per-year totals of a result: what the user reads first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from cryptotax_core.model import Disposal, IncomeEvent, Result, Term, TxType

_ZERO: Final = Decimal(0)
CENT: Final = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Round money to cents, half up, at the edge of the program (reports, cells)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Totals:
    proceeds: Decimal = _ZERO
    cost_basis: Decimal = _ZERO
    adjustment: Decimal = _ZERO  # wash-sale losses disallowed (Form 8949 column g)

    @property
    def gain(self) -> Decimal:
        return self.proceeds - self.cost_basis + self.adjustment

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.proceeds + other.proceeds, self.cost_basis + other.cost_basis,
                      self.adjustment + other.adjustment)


@dataclass(frozen=True, slots=True)
class YearSummary:
    year: int
    short_term: Totals = Totals()
    long_term: Totals = Totals()
    income_by_type: dict[TxType, Decimal] = field(default_factory=dict)
    disposals: int = 0

    @property
    def ordinary_income(self) -> Decimal:
        return sum(self.income_by_type.values(), _ZERO)

    @property
    def gain(self) -> Decimal:
        return self.short_term.gain + self.long_term.gain


def reported(disposal: Disposal) -> Totals:
    """A disposal as a report line: proceeds and basis each in cents, gain their difference, so every
    printed line and total adds up (Form 8949 adds its lines the same way)."""
    return Totals(cents(disposal.proceeds), cents(disposal.cost_basis), cents(disposal.adjustment))


def totals(disposals: Iterable[Disposal]) -> Totals:
    """The sum of the report lines of `disposals`."""
    proceeds = cost = adjustment = _ZERO
    for disposal in disposals:
        proceeds += cents(disposal.proceeds)
        cost += cents(disposal.cost_basis)
        if disposal.adjustment:
            adjustment += cents(disposal.adjustment)
    return Totals(proceeds, cost, adjustment)


def term_gain(disposals: Iterable[Disposal], term: Term) -> Decimal:
    """The reported gain or loss of the disposals of one term."""
    return totals(disposal for disposal in disposals if disposal.term is term).gain


def income_by_type(events: Iterable[IncomeEvent]) -> dict[TxType, Decimal]:
    by_type: dict[TxType, Decimal] = {}
    for event in events:
        by_type[event.income_type] = by_type.get(event.income_type, _ZERO) + event.usd_value
    return by_type


def disposals_by_year(disposals: Iterable[Disposal]) -> dict[int, list[Disposal]]:
    """The disposals of each tax year, in their order, from one pass."""
    by_year: dict[int, list[Disposal]] = {}
    for disposal in disposals:
        by_year.setdefault(disposal.disposed.year, []).append(disposal)  # .tax_year, without the property call
    return by_year


def summarize(result: Result) -> dict[int, YearSummary]:
    """Totals per tax year (the year of the disposal or receipt date), years ascending."""
    # One pass: per year, [count, short proceeds, short basis, short adjustment, the same long-term].
    sums: dict[int, list[Decimal]] = {}
    short = Term.SHORT
    zero = _ZERO
    for disposal in result.disposals:
        year = disposal.disposed.year
        line = sums.get(year)
        if line is None:
            line = sums[year] = [zero] * 7
        at = 1 if disposal.term is short else 4
        line[0] += 1
        line[at] += cents(disposal.proceeds)
        line[at + 1] += cents(disposal.cost_basis)
        if disposal.adjustment:
            line[at + 2] += cents(disposal.adjustment)
    income: dict[int, list[IncomeEvent]] = {}
    for event in result.income:
        income.setdefault(event.received.year, []).append(event)
    summaries = {}
    for year in sorted(sums.keys() | income.keys()):
        line = sums.get(year) or [zero] * 7
        summaries[year] = YearSummary(
            year=year,
            short_term=Totals(line[1], line[2], line[3]),
            long_term=Totals(line[4], line[5], line[6]),
            income_by_type=income_by_type(income.get(year, ())),
            disposals=int(line[0]),
        )
    return summaries


def latest_year_with_disposals(result: Result) -> int | None:
    return max((d.disposed.year for d in result.disposals), default=None)
