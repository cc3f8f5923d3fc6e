"""The federal income tax of a year with and without its capital results (docs/rules.md#the-tax-estimate):
ordinary income (the user's figure and the table's income events), taxable income, the regular tax by the
Qualified Dividends and Capital Gain Tax Worksheet, the alternative minimum tax and the net investment
income tax.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.summary import cents
from cryptotax_core.tax.amt import AMT_NOTE, Form6251, form_6251
from cryptotax_core.tax.deduction import Deduction, deduction_taken
from cryptotax_core.tax.netting import ZERO, FilingStatus, Netting
from cryptotax_core.tax.rates import rate_table
from cryptotax_core.tax.worksheet import CapitalGainWorksheet, capital_gain_worksheet

NIIT_RATE = Decimal("0.038")
NIIT_THRESHOLD: dict[FilingStatus, Decimal] = {
    FilingStatus.SINGLE: Decimal(200_000),
    FilingStatus.MFJ: Decimal(250_000),
    FilingStatus.MFS: Decimal(125_000),
    FilingStatus.HOH: Decimal(200_000),
}
"""Net investment income tax: 3.8% above these modified AGIs, not indexed
(docs/rules.md#net-investment-income-tax; IRC 1411)."""


def niit(net_investment_income: Decimal, modified_agi: Decimal, status: FilingStatus) -> Decimal:
    """Net investment income tax: 3.8% of the smaller of net investment income and modified AGI above the
    threshold (docs/rules.md#net-investment-income-tax; IRC 1411, Form 8960), unrounded."""
    excess = max(ZERO, modified_agi - NIIT_THRESHOLD[status])
    return NIIT_RATE * min(max(ZERO, net_investment_income), excess)


def ordinary_income(other_income: Decimal, table_income: Decimal, table_income_included: bool) -> Decimal:
    """The year's ordinary taxable income: the user's other income plus the table's income events, unless
    the user's figure already includes them (docs/rules.md#ordinary-income: never counted twice)."""
    return other_income if table_income_included else other_income + table_income


@dataclass(frozen=True, slots=True)
class TaxEstimate:
    """Federal tax with and without a year's capital results, in cents.

    other_income: the user's figure (taxable income other than capital gains and losses).
    table_income: the year's ordinary income events in the table (staking, mining, ...).
    table_income_included: the user said `other_income` already includes `table_income`.
    ordinary_income: what the estimate uses: other_income, plus table_income unless included.
    short_term: capital gain taxed at ordinary rates (net short-term gain left after netting).
    long_term: net capital gain taxed at the long-term rates (the part inside taxable income).
    capital_loss_deduction: the net capital loss deducted from ordinary income (positive).
    taxable_income: Form 1040 line 15 as estimated (never below zero).
    deduction / deduction_itemized: the deduction taken, the standard one unless the user itemizes.
    modified_agi: AGI, taxable income (before its zero floor) plus the deduction, for NIIT.
    ordinary_tax: the tax on the ordinary part of taxable income (worksheet line 22).
    long_term_tax: what the net capital gain adds to the regular tax: 0/15/20% stacked on top, or less
        where the worksheet's last line (all at ordinary rates) is smaller.
    regular_tax: ordinary_tax + long_term_tax (worksheet line 25, Form 1040 line 16).
    amti / amt_exemption / tentative_minimum_tax: Form 6251 lines 4, 5 and 9.
    amt: the alternative minimum tax (Form 6251 line 11), never negative.
    niit: net investment income tax.
    total_tax: regular_tax + amt + niit.
    baseline_tax: the same estimate without capital results (the year's ordinary income alone).
    capital_gains_tax: total_tax - baseline_tax (negative when a loss deduction saves tax).
    """

    year: int
    filing_status: FilingStatus
    other_income: Decimal
    table_income: Decimal
    table_income_included: bool
    ordinary_income: Decimal
    short_term: Decimal
    long_term: Decimal
    capital_loss_deduction: Decimal
    taxable_income: Decimal
    deduction: Decimal
    deduction_itemized: bool
    modified_agi: Decimal
    ordinary_tax: Decimal
    long_term_tax: Decimal
    regular_tax: Decimal
    amti: Decimal
    amt_exemption: Decimal
    tentative_minimum_tax: Decimal
    amt: Decimal
    niit: Decimal
    total_tax: Decimal
    baseline_tax: Decimal
    capital_gains_tax: Decimal

    @property
    def amt_note(self) -> str | None:
        """What the AMT leaves out, where it matters: when there is AMT, or when the deduction is
        itemized (its adjustments could raise the AMT; docs/rules.md#alternative-minimum-tax)."""
        return AMT_NOTE if self.amt > 0 or self.deduction_itemized else None


@dataclass(frozen=True, slots=True)
class _Federal:
    """One computation of the year's federal tax, unrounded."""

    line1: Decimal  # taxable income before its zero floor
    deduction: Deduction
    worksheet: CapitalGainWorksheet
    form6251: Form6251
    modified_agi: Decimal
    niit: Decimal

    def rounded_total(self) -> Decimal:
        """Regular tax plus AMT (the larger of the regular and the tentative minimum tax) and NIIT, each
        rounded to cents: every rounded part grows with the exact amounts, so the total does too."""
        return cents(max(self.worksheet.tax, self.form6251.tentative_minimum_tax)) + cents(self.niit)


def _federal(year: int, status: FilingStatus, ordinary: Decimal, capital_income: Decimal,
             net_capital_gain: Decimal, investment_income: Decimal, itemized: Decimal | None) -> _Federal:
    deduction = deduction_taken(year, status, itemized)
    line1 = ordinary + capital_income
    worksheet = capital_gain_worksheet(max(ZERO, line1), net_capital_gain, year, status)
    added_back = ZERO if deduction.itemized else deduction.amount
    modified_agi = line1 + deduction.amount
    return _Federal(line1, deduction, worksheet, form_6251(year, status, line1, added_back, worksheet), modified_agi,
                    niit(investment_income, modified_agi, status))


@functools.lru_cache(maxsize=64)
def _baseline_tax(year: int, status: FilingStatus, ordinary: Decimal, itemized: Decimal | None) -> Decimal:
    """The year's tax without capital results (an estimate's baseline), worked out once per income: a planner
    estimates thousands of variants of one year (harvest: two per loss lot), and this was half of each."""
    return _federal(year, status, ordinary, ZERO, ZERO, ZERO, itemized).rounded_total()


def estimate_tax(year: int, status: FilingStatus, other_income: Decimal, netting: Netting, *,
                 table_income: Decimal = ZERO, table_income_included: bool = False,
                 itemized_deduction: Decimal | None = None) -> TaxEstimate:
    """Estimate the federal tax on a year's netted capital results (docs/rules.md#the-tax-estimate).

    - Ordinary income = other_income + table_income, or other_income alone when it already includes the
      table's income (docs/rules.md#ordinary-income).
    - Net capital gain (taxed at long-term rates) is the smaller of net long-term gain (Schedule D line 15)
      and the total (line 16) when both are gains; the rest of a positive total is ordinary income. A net
      loss reduces ordinary income by `netting.deductible_loss` only.
    - Taxable income = ordinary income + the capital result, floored at zero
      (docs/rules.md#taxable-income); the regular tax follows the Qualified Dividends and Capital Gain Tax
      Worksheet, with its final minimum (docs/rules.md#qualified-dividends-and-capital-gain-tax-worksheet).
    - The deduction is `itemized_deduction` when given, else the standard deduction
      (docs/rules.md#standard-deduction); modified AGI = taxable income before its floor + the deduction.
    - AMT by Form 6251 with the standard deduction added back (nothing for an itemizer,
      docs/rules.md#alternative-minimum-tax); NIIT on the positive capital total
      (docs/rules.md#net-investment-income-tax).
    - The baseline is the same estimate without capital results.
    - `status` must be the filing status the netting was computed for (its loss limit depends on it).
    - Amounts are exact until the fields, each rounded to cents (half up): regular_tax, regular_tax + amt
      and niit are the rounded exact amounts, and total_tax is their sum.
    Raises `UnsupportedYear` for a year without tables.
    """
    rate_table(year)  # a year without tables names the rate tables first
    if status is not netting.filing_status:
        raise ValueError(
            f"the netting was computed for filing status '{netting.filing_status.value}' "
            f"but the tax is estimated for '{status.value}': the loss limit differs"
        )
    if netting.total > 0:
        net_capital_gain = max(ZERO, min(netting.long_term, netting.total))
        capital_income = netting.total
    else:
        net_capital_gain = ZERO
        capital_income = -netting.deductible_loss
    ordinary = ordinary_income(other_income, table_income, table_income_included)
    investment_income = max(ZERO, netting.total)
    federal = _federal(year, status, ordinary, capital_income, net_capital_gain, investment_income,
                       itemized_deduction)
    baseline_tax = _baseline_tax(year, status, ordinary, itemized_deduction)
    worksheet, form = federal.worksheet, federal.form6251
    ordinary_tax = cents(worksheet.ordinary_part_tax)
    regular_tax = cents(worksheet.tax)
    niit_tax = cents(federal.niit)
    total = federal.rounded_total()
    return TaxEstimate(
        year=year,
        filing_status=status,
        other_income=cents(other_income),
        table_income=cents(table_income),
        table_income_included=table_income_included,
        ordinary_income=cents(ordinary),
        short_term=cents(max(ZERO, netting.total) - net_capital_gain),
        long_term=cents(worksheet.gain_taxed),
        capital_loss_deduction=cents(netting.deductible_loss),
        taxable_income=cents(worksheet.taxable_income),
        deduction=cents(federal.deduction.amount),
        deduction_itemized=federal.deduction.itemized,
        modified_agi=cents(federal.modified_agi),
        ordinary_tax=ordinary_tax,
        long_term_tax=regular_tax - ordinary_tax,
        regular_tax=regular_tax,
        amti=cents(form.amti),
        amt_exemption=cents(form.exemption),
        tentative_minimum_tax=cents(form.tentative_minimum_tax),
        amt=total - niit_tax - regular_tax,
        niit=niit_tax,
        total_tax=total,
        baseline_tax=baseline_tax,
        capital_gains_tax=total - baseline_tax,
    )
