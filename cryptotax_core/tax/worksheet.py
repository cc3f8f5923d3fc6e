"""The regular tax on taxable income with a net capital gain: the Qualified Dividends and Capital Gain Tax
Worksheet of the Form 1040 instructions (docs/rules.md#qualified-dividends-and-capital-gain-tax-worksheet).

cryptotax knows no qualified dividends, so the worksheet's line 2 is zero and its line 4 is the net
capital gain (line 3: the smaller of Schedule D lines 15 and 16, when both are gains).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.tax.netting import ZERO, FilingStatus
from cryptotax_core.tax.rates import long_term_gain_tax, ordinary_tax


@dataclass(frozen=True, slots=True)
class CapitalGainWorksheet:
    """The worksheet's lines, unrounded.

    taxable_income: line 1 (Form 1040 line 15).
    net_capital_gain: line 4 (= line 3 without qualified dividends).
    ordinary_part: line 5, taxable income less the net capital gain, not below zero.
    gain_taxed: line 10, the part of the net capital gain inside taxable income (the smaller of lines 1
        and 4); lines 6 to 21 tax it at 0/15/20% stacked on line 5.
    ordinary_part_tax: line 22, the tax on line 5 at the ordinary rates.
    with_gain_rates: line 23 = lines 18 + 21 + 22.
    all_ordinary: line 24, the tax on all of line 1 at the ordinary rates.
    tax: line 25, the smaller of lines 23 and 24 (Form 1040 line 16).
    """

    taxable_income: Decimal
    net_capital_gain: Decimal
    ordinary_part: Decimal
    gain_taxed: Decimal
    ordinary_part_tax: Decimal
    with_gain_rates: Decimal
    all_ordinary: Decimal
    tax: Decimal


def capital_gain_worksheet(taxable_income: Decimal, net_capital_gain: Decimal, year: int,
                           status: FilingStatus) -> CapitalGainWorksheet:
    """The regular tax by the Qualified Dividends and Capital Gain Tax Worksheet
    (docs/rules.md#qualified-dividends-and-capital-gain-tax-worksheet): the ordinary part at the ordinary
    rates, the net capital gain at 0/15/20% stacked on top of it (`long_term_gain_tax`, lines 6-21), and
    the last line takes the SMALLER of that and the ordinary-rate tax on all of taxable income.

    `taxable_income` is Form 1040 line 15 (zero or more); `net_capital_gain` the worksheet's line 4 (zero
    when there is none: then the worksheet gives the ordinary-rate tax of taxable income). Raises
    `UnsupportedYear` for a year without a rate table.
    """
    line1 = max(ZERO, taxable_income)
    line4 = max(ZERO, net_capital_gain)
    line5 = max(ZERO, line1 - line4)
    line10 = min(line1, line4)
    line22 = ordinary_tax(line5, year, status)
    line23 = line22 + long_term_gain_tax(line5, line10, year, status)
    line24 = ordinary_tax(line1, year, status)
    return CapitalGainWorksheet(taxable_income=line1, net_capital_gain=line4, ordinary_part=line5,
                                gain_taxed=line10, ordinary_part_tax=line22, with_gain_rates=line23,
                                all_ordinary=line24, tax=min(line23, line24))
