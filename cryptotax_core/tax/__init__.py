"""Tax calculations over disposals: Schedule D netting and carryover, rates, Form 8949 (docs/rules.md)."""

from cryptotax_core.model import Reporting
from cryptotax_core.tax.annual import INCOME_KINDS, TaxSettings, TaxYear, tax_years
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
from cryptotax_core.tax.rates import TaxEstimate, UnsupportedYear, estimate_tax, ordinary_tax

__all__ = [
    "INCOME_KINDS",
    "Adjustment",
    "BoxTotal",
    "Carryover",
    "FilingStatus",
    "Form8949Line",
    "Netting",
    "Reporting",
    "TaxEstimate",
    "TaxSettings",
    "TaxYear",
    "UnsupportedYear",
    "box_for",
    "box_totals",
    "estimate_tax",
    "form8949_lines",
    "net_capital",
    "net_years",
    "ordinary_tax",
    "schedule_d_lines",
    "tax_years",
]
