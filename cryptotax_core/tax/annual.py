"""A history's tax years: totals, Schedule D netting with carryover from year to year, the tax estimate,
Form 8949 lines and the Schedule D lines they feed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from cryptotax_core.model import Disposal, Reporting, Result, TxType
from cryptotax_core.summary import YearSummary, disposals_by_year, summarize
from cryptotax_core.tax.form8949 import BoxTotal, Form8949Line, box_totals, form8949_lines, schedule_d_lines
from cryptotax_core.tax.netting import NO_CARRYOVER, Carryover, FilingStatus, Netting, net_years
from cryptotax_core.tax.rates import TaxEstimate, estimate_tax

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
    other_income: per year, taxable income other than capital gains and losses; a year with an entry
        gets a tax estimate.
    taxable_income: per year, Form 1040 line 15 (may be negative) for the Capital Loss Carryover
        Worksheet; a year without an entry is taken as large enough to use the whole deduction.
    reporting_by_wallet: what the broker of a wallet reports (1099-B / 1099-DA); a row's Broker
        Reported column wins, and a wallet not named here reports nothing.
    """

    filing_status: FilingStatus = FilingStatus.SINGLE
    carryover_in: Carryover = NO_CARRYOVER
    other_income: Mapping[int, Decimal] = field(default_factory=dict)
    taxable_income: Mapping[int, Decimal] = field(default_factory=dict)
    reporting_by_wallet: Mapping[str, Reporting] = field(default_factory=dict)

    def reporting_for(self, disposal: Disposal) -> Reporting:
        if disposal.reporting is not None:
            return disposal.reporting
        by_name = {wallet.casefold(): reporting for wallet, reporting in self.reporting_by_wallet.items()}
        return by_name.get(disposal.wallet.casefold(), Reporting.NONE)


@dataclass(frozen=True, slots=True)
class TaxYear:
    year: int
    summary: YearSummary
    carryover_in: Carryover
    netting: Netting
    estimate: TaxEstimate | None
    lines: tuple[Form8949Line, ...]
    boxes: dict[str, BoxTotal]
    schedule_d: dict[str, Decimal]
    income: dict[str, Decimal]


def tax_years(result: Result, settings: TaxSettings | None = None) -> dict[int, TaxYear]:
    """Every year from the first to the last of the data, netted in order so each year's carryover out
    enters the next. The gains netted are the totals of the Form 8949 lines (cents), so Schedule D and
    Form 8949 agree."""
    settings = settings or TaxSettings()
    summaries = summarize(result)
    if not summaries:
        return {}
    results = {year: (summary.short_term.gain, summary.long_term.gain) for year, summary in summaries.items()}
    nettings = net_years(results, settings.carryover_in, settings.filing_status, settings.taxable_income)
    disposals = disposals_by_year(result.disposals)
    years: dict[int, TaxYear] = {}
    carryover = settings.carryover_in
    for year, netting in nettings.items():
        summary = summaries.get(year) or YearSummary(year)
        lines = tuple(form8949_lines(disposals.get(year, ()), settings.reporting_for))
        other_income = settings.other_income.get(year)
        years[year] = TaxYear(
            year=year,
            summary=summary,
            carryover_in=carryover,
            netting=netting,
            estimate=None if other_income is None else estimate_tax(year, settings.filing_status, other_income,
                                                                    netting),
            lines=lines,
            boxes=box_totals(lines),
            schedule_d=schedule_d_lines(lines, settings.filing_status, carryover),
            income={kind: summary.income_by_type.get(tx_type, Decimal(0)) for tx_type, kind in INCOME_KINDS.items()},
        )
        carryover = netting.carryover_out
    return years
