"""A history's tax years: totals, Schedule D netting with carryover from year to year, the tax estimate,
Form 8949 lines and the Schedule D lines they feed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from cryptotax_core.model import Disposal, Reporting, Result, TxType
from cryptotax_core.summary import YearSummary, disposals_by_year, summarize
from cryptotax_core.tax.estimate import TaxEstimate, estimate_tax, ordinary_income
from cryptotax_core.tax.form8949 import BoxTotal, Form8949Line, box_totals, form8949_lines, schedule_d_lines
from cryptotax_core.tax.netting import NO_CARRYOVER, ZERO, Carryover, FilingStatus, Netting, net_years

INCOME_KINDS: dict[TxType, str] = {
    TxType.STAKING: "staking", TxType.MINING: "mining", TxType.AIRDROP: "airdrop", TxType.INTEREST: "interest",
    TxType.INCOME: "other",
}
"""How ordinary income is summarized by type (the Income type is 'other')."""


@dataclass(frozen=True, slots=True)
class TaxSettings:
    """The user's tax situation.

    filing_status: sets the loss limit and the brackets.
    carryover_in: capital loss carried into the first year of the data (positive amounts).
    other_income: per year, taxable income other than capital gains and losses (after the deduction; may
        be negative); a year with an entry gets a tax estimate.
    other_income_includes_table: the other-income figures already include the table's ordinary income
        events (default: they do not, and the estimate adds them; docs/rules.md#ordinary-income).
    itemized_deduction: per year, the itemized deduction taken instead of the standard deduction
        (docs/rules.md#standard-deduction).
    taxable_income: per year, Form 1040 line 15 (may be negative) for the Capital Loss Carryover
        Worksheet; a year without an entry takes it from its ordinary income when other income is given,
        else as large enough to use the whole deduction (docs/rules.md#the-carryover-worksheets-line-1).
    reporting_by_wallet: what the broker of a wallet reports (1099-B / 1099-DA); a row's Broker
        Reported column wins, and a wallet not named here reports nothing.
    """

    filing_status: FilingStatus = FilingStatus.SINGLE
    carryover_in: Carryover = NO_CARRYOVER
    other_income: Mapping[int, Decimal] = field(default_factory=dict)
    other_income_includes_table: bool = False
    itemized_deduction: Mapping[int, Decimal] = field(default_factory=dict)
    taxable_income: Mapping[int, Decimal] = field(default_factory=dict)
    reporting_by_wallet: Mapping[str, Reporting] = field(default_factory=dict)

    def ordinary_incomes(self, table_income: Mapping[int, Decimal]) -> dict[int, Decimal]:
        """Per year with other income, the ordinary taxable income the estimate and the carryover
        worksheet use: the other income plus the year's `table_income` (year -> the table's income
        events), unless the setting says the other income includes it (docs/rules.md#ordinary-income)."""
        return {year: ordinary_income(amount, table_income.get(year, ZERO), self.other_income_includes_table)
                for year, amount in self.other_income.items()}

    def estimate(self, year: int, netting: Netting, table_income: Decimal) -> TaxEstimate | None:
        """The year's tax estimate with the year's `table_income` (its ordinary income events), or None
        without other income for the year (docs/rules.md#the-tax-estimate)."""
        other_income = self.other_income.get(year)
        if other_income is None:
            return None
        return estimate_tax(year, self.filing_status, other_income, netting, table_income=table_income,
                            table_income_included=self.other_income_includes_table,
                            itemized_deduction=self.itemized_deduction.get(year))

    def reporting_for(self, disposal: Disposal) -> Reporting:
        """What the broker reported of `disposal`: its row's Broker Reported, else its wallet's setting."""
        return self.reporter()(disposal)

    def reporter(self) -> Callable[[Disposal], Reporting]:
        """`reporting_for` with the wallet names looked up once, for many disposals."""
        by_name = {wallet.casefold(): reporting for wallet, reporting in self.reporting_by_wallet.items()}
        none = Reporting.NONE

        def reporting_for(disposal: Disposal) -> Reporting:
            if disposal.reporting is not None:
                return disposal.reporting
            return by_name.get(disposal.wallet.casefold(), none) if by_name else none

        return reporting_for


@dataclass(frozen=True, slots=True)
class TaxYear:
    """One tax year: totals, netting, estimate and income at once; its Form 8949 lines, box totals and
    Schedule D lines when first asked for (a report details one year of many)."""

    year: int
    summary: YearSummary
    carryover_in: Carryover
    netting: Netting
    estimate: TaxEstimate | None
    income: dict[str, Decimal]
    disposals: tuple[Disposal, ...]
    reporting_for: Callable[[Disposal], Reporting] = field(repr=False, compare=False)
    filing_status: FilingStatus = FilingStatus.SINGLE
    _made: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def lines(self) -> tuple[Form8949Line, ...]:
        lines = self._made.get("lines")
        if lines is None:
            lines = self._made["lines"] = tuple(form8949_lines(self.disposals, self.reporting_for))
        return lines  # type: ignore[return-value]

    @property
    def boxes(self) -> dict[str, BoxTotal]:
        boxes = self._made.get("boxes")
        if boxes is None:
            boxes = self._made["boxes"] = box_totals(self.lines)
        return boxes  # type: ignore[return-value]

    @property
    def schedule_d(self) -> dict[str, Decimal]:
        lines = self._made.get("schedule_d")
        if lines is None:
            lines = self._made["schedule_d"] = schedule_d_lines(self.lines, self.filing_status, self.carryover_in)
        return lines  # type: ignore[return-value]


def tax_years(result: Result, settings: TaxSettings | None = None) -> dict[int, TaxYear]:
    """Every year from the first to the last of the data, netted in order so each year's carryover out
    enters the next. The gains netted are the totals of the Form 8949 lines (cents), so Schedule D and
    Form 8949 agree; each year's income events join its ordinary income (`TaxSettings.ordinary_incomes`)."""
    settings = settings or TaxSettings()
    summaries = summarize(result)
    if not summaries:
        return {}
    results = {year: (summary.short_term.gain, summary.long_term.gain) for year, summary in summaries.items()}
    table_income = {year: summary.ordinary_income for year, summary in summaries.items()}
    nettings = net_years(results, settings.carryover_in, settings.filing_status, settings.taxable_income,
                         settings.ordinary_incomes(table_income))
    disposals = disposals_by_year(result.disposals)
    years: dict[int, TaxYear] = {}
    carryover = settings.carryover_in
    reporting_for = settings.reporter()
    for year, netting in nettings.items():
        summary = summaries.get(year) or YearSummary(year)
        years[year] = TaxYear(
            year=year,
            summary=summary,
            carryover_in=carryover,
            netting=netting,
            estimate=settings.estimate(year, netting, summary.ordinary_income),
            income={kind: summary.income_by_type.get(tx_type, Decimal(0)) for tx_type, kind in INCOME_KINDS.items()},
            disposals=tuple(disposals.get(year, ())),
            reporting_for=reporting_for,
            filing_status=settings.filing_status,
        )
        carryover = netting.carryover_out
    return years


def year_netting(years: Mapping[int, TaxYear], year: int, settings: TaxSettings) -> tuple[Carryover, Netting]:
    """The carryover into `year` and its Schedule D netting, for any year
    (docs/rules.md#netting-the-loss-limit-and-carryover): a year of `years` (`tax_years`) as computed there;
    a later year without data nets zero gains, the last year's carryover out passing through every year
    between, each of which uses the loss limit (`net_years`); an earlier year (or any year when `years` is
    empty) nets the settings' carryover in, which is all that is known before the data."""
    known = years.get(year)
    if known is not None:
        return known.carryover_in, known.netting
    earlier = [other for other in years if other < year]
    start, carryover = ((max(earlier) + 1, years[max(earlier)].netting.carryover_out) if earlier
                        else (year, settings.carryover_in))
    nettings = net_years({start: (ZERO, ZERO), year: (ZERO, ZERO)}, carryover, settings.filing_status,
                         settings.taxable_income, settings.ordinary_incomes({}))
    return (nettings[year - 1].carryover_out if year > start else carryover), nettings[year]
