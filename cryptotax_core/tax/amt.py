"""The alternative minimum tax by Form 6251 for a filer whose only adjustment is the deduction
(docs/rules.md#alternative-minimum-tax; IRC 55).

Form 6251 adds back the standard deduction (line 2a); an itemizer adds back the taxes of Schedule A line 7
there instead, and other filers have other adjustments (incentive stock options, private activity bond
interest, ...), none of which cryptotax is given: they are left out (`AMT_NOTE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.tax.netting import ZERO, FilingStatus
from cryptotax_core.tax.rates import for_year, long_term_gain_tax
from cryptotax_core.tax.worksheet import CapitalGainWorksheet

AMT_RATES = (Decimal("0.26"), Decimal("0.28"))
"""26% of the taxable excess up to the 28% threshold, 28% above (docs/rules.md#alternative-minimum-tax;
IRC 55(b)(1))."""
SEPARATE_ADDITION_RATE = Decimal("0.25")
"""Married filing separately: line 4 grows by 25% of AMTI above the amount where the exemption reaches
zero, at most by the exemption (docs/rules.md#alternative-minimum-tax; IRC 55(d)(2); Form 6251
instructions, line 4)."""
AMT_NOTE = ("AMT per Form 6251 with the deduction as the only adjustment: itemized deductions' adjustments "
            "(the taxes of Schedule A line 7 on line 2a) and other items (e.g. incentive stock options) are "
            "left out (docs/rules.md#alternative-minimum-tax)")
"""Shown with every estimate where AMT applies or the deduction is itemized."""


@dataclass(frozen=True, slots=True)
class AmtTable:
    """One tax year's AMT figures per filing status (docs/rules.md#alternative-minimum-tax).

    exemption: the exemption amount before the phase-out (Form 6251 line 5).
    phase_out_start: AMTI above which the exemption shrinks by `phase_out_rate` of the excess.
    rate_28_above: the taxable excess above which the rate is 28% (26% below).
    """

    year: int
    source: str
    exemption: dict[FilingStatus, Decimal]
    phase_out_start: dict[FilingStatus, Decimal]
    phase_out_rate: Decimal
    rate_28_above: dict[FilingStatus, Decimal]


def _table(year: int, source: str, exemption: tuple[int, int, int], phase_out: tuple[int, int],
           rate: str, rate_28: tuple[int, int]) -> AmtTable:
    """exemption: single and head / joint / separate; phase_out: single, head and separate / joint;
    rate_28: every status but separate / separate."""
    single, joint, separate = (Decimal(amount) for amount in exemption)
    start, joint_start = (Decimal(amount) for amount in phase_out)
    above, separate_above = (Decimal(amount) for amount in rate_28)
    by_status = (FilingStatus.SINGLE, FilingStatus.MFJ, FilingStatus.MFS, FilingStatus.HOH)
    return AmtTable(year, source, dict(zip(by_status, (single, joint, separate, single), strict=True)),
                    dict(zip(by_status, (start, joint_start, start, start), strict=True)), Decimal(rate),
                    dict(zip(by_status, (above, above, separate_above, above), strict=True)))


AMT_TABLES: dict[int, AmtTable] = {
    table.year: table
    for table in (
        _table(2024, "Rev. Proc. 2023-34", (85_700, 133_300, 66_650), (609_350, 1_218_700), "0.25",
               (232_600, 116_300)),
        _table(2025, "Rev. Proc. 2024-40", (88_100, 137_000, 68_500), (626_350, 1_252_700), "0.25",
               (239_100, 119_550)),
        _table(2026, "Rev. Proc. 2025-32; Pub. L. 119-21 (phase-out start and 50% rate)",
               (90_100, 140_200, 70_100), (500_000, 1_000_000), "0.50", (244_500, 122_250)),
    )
}
"""AMT figures by tax year, each from the source it names (docs/rules.md#alternative-minimum-tax)."""


def amt_table(year: int) -> AmtTable:
    """The AMT figures of `year`; `UnsupportedYear` for a year without them."""
    return for_year(AMT_TABLES, year, "AMT tables")


@dataclass(frozen=True, slots=True)
class Form6251:
    """Form 6251's lines, unrounded (docs/rules.md#alternative-minimum-tax).

    line1: taxable income, or when that is zero, AGI minus the deduction (may be negative).
    deduction_added: line 2a, the standard deduction (zero for an itemizer: the taxes are not known).
    separate_addition: what the line 4 instructions add for married filing separately.
    amti: line 4, alternative minimum taxable income.
    exemption: line 5, after the phase-out.
    taxable_excess: line 6, AMTI less the exemption, not below zero.
    tentative_minimum_tax: line 9 (= line 7: Part III with a net capital gain, else 26/28% of line 6;
        there is no AMT foreign tax credit, line 8).
    regular_tax: line 10, the regular tax (the worksheet's line 25, Form 1040 line 16).
    amt: line 11, the tentative minimum tax less the regular tax, never below zero.
    """

    line1: Decimal
    deduction_added: Decimal
    separate_addition: Decimal
    amti: Decimal
    exemption: Decimal
    taxable_excess: Decimal
    tentative_minimum_tax: Decimal
    regular_tax: Decimal
    amt: Decimal


def at_26_28(amount: Decimal, threshold: Decimal) -> Decimal:
    """26% of `amount` up to `threshold`, 28% above (Form 6251 lines 7, 18 and 39: "multiply by 28% and
    subtract 2% of the threshold" is the same; docs/rules.md#alternative-minimum-tax)."""
    low, high = AMT_RATES
    return low * min(amount, threshold) + high * max(ZERO, amount - threshold)


def form_6251(year: int, status: FilingStatus, line1: Decimal, deduction_added: Decimal,
              regular: CapitalGainWorksheet) -> Form6251:
    """The AMT for a filer whose only adjustment is the deduction (docs/rules.md#alternative-minimum-tax).

    line1: taxable income before its zero floor (Form 6251 line 1: taxable income, or AGI minus the
    deduction when taxable income is zero). deduction_added: line 2a. regular: the regular tax's
    worksheet, whose line 4 (the net capital gain) and line 5 (its ordinary part) Part III uses, and whose
    line 25 is the regular tax of line 10. Raises `UnsupportedYear` for a year without AMT figures.
    """
    table = amt_table(year)
    exemption_amount = table.exemption[status]
    before = line1 + deduction_added
    addition = ZERO
    if status is FilingStatus.MFS:
        exempt_to_zero = table.phase_out_start[status] + exemption_amount / table.phase_out_rate
        addition = min(SEPARATE_ADDITION_RATE * max(ZERO, before - exempt_to_zero), exemption_amount)
    line4 = before + addition
    line5 = max(ZERO, exemption_amount - table.phase_out_rate * max(ZERO, line4 - table.phase_out_start[status]))
    line6 = max(ZERO, line4 - line5)
    threshold = table.rate_28_above[status]
    if line6 == 0:
        line7 = ZERO
    elif regular.net_capital_gain > 0:
        line7 = _part_iii(line6, regular, threshold, year, status)
    else:
        line7 = at_26_28(line6, threshold)
    line10 = regular.tax
    return Form6251(line1=line1, deduction_added=deduction_added, separate_addition=addition, amti=line4,
                    exemption=line5, taxable_excess=line6, tentative_minimum_tax=line7, regular_tax=line10,
                    amt=max(ZERO, line7 - line10))


def _part_iii(line6: Decimal, regular: CapitalGainWorksheet, threshold: Decimal, year: int,
              status: FilingStatus) -> Decimal:
    """Part III, Tax Computation Using Maximum Capital Gains Rates (docs/rules.md#alternative-minimum-tax):
    the net capital gain inside the taxable excess keeps its 0/15/20% rates, with the bands placed by the
    REGULAR tax's ordinary part (lines 20 and 27: the worksheet's line 5); the rest is taxed at 26/28%.
    Line 40 takes the smaller of that and 26/28% of the whole taxable excess."""
    line12 = line6
    line13 = regular.net_capital_gain  # line 15 too: no Schedule D Tax Worksheet (no 28% or 1250 gain)
    line16 = min(line12, line13)  # = line 22
    line17 = line12 - line16
    line18 = at_26_28(line17, threshold)
    # lines 19-34: 0% up to line 19 (the regular 0% threshold), 15% up to line 25, 20% above, stacked on
    # the regular worksheet's line 5 (lines 20 and 27)
    at_gain_rates = long_term_gain_tax(regular.ordinary_part, line16, year, status)
    line38 = line18 + at_gain_rates
    line39 = at_26_28(line12, threshold)
    return min(line38, line39)
