"""Tax calculations over disposals: Schedule D netting and carryover, rates, Form 8949 (docs/rules.md)."""

from cryptotax_core.model import Reporting
from cryptotax_core.tax.amt import AMT_NOTE, AMT_TABLES, Form6251, form_6251
from cryptotax_core.tax.annual import INCOME_KINDS, TaxSettings, TaxYear, tax_years, year_netting
from cryptotax_core.tax.deduction import STANDARD_DEDUCTIONS, standard_deduction
from cryptotax_core.tax.estimate import TaxEstimate, estimate_tax
from cryptotax_core.tax.form8949 import (
    Adjustment,
    BoxTotal,
    Form8949Line,
    box_for,
    box_totals,
    form8949_lines,
    schedule_d_lines,
)
from cryptotax_core.tax.netting import Carryover, FilingStatus, Netting, net_capital, net_years
from cryptotax_core.tax.rates import RATE_TABLES, UnsupportedYear, ordinary_tax
from cryptotax_core.tax.worksheet import CapitalGainWorksheet, capital_gain_worksheet

__all__ = [
    "AMT_NOTE",
    "AMT_TABLES",
    "INCOME_KINDS",
    "RATE_TABLES",
    "STANDARD_DEDUCTIONS",
    "Adjustment",
    "BoxTotal",
    "CapitalGainWorksheet",
    "Carryover",
    "FilingStatus",
    "Form6251",
    "Form8949Line",
    "Netting",
    "Reporting",
    "TaxEstimate",
    "TaxSettings",
    "TaxYear",
    "UnsupportedYear",
    "box_for",
    "box_totals",
    "capital_gain_worksheet",
    "estimate_tax",
    "form8949_lines",
    "form_6251",
    "net_capital",
    "net_years",
    "ordinary_tax",
    "schedule_d_lines",
    "standard_deduction",
    "tax_years",
    "year_netting",
]
