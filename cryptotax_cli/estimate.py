"""The tax estimate as the command line shows it: lines of text and a JSON object, shared by `report` and
the planning commands, so every output names the ordinary income it used (the user's figure and the
table's), the AMT as its own line and, where AMT applies, what it leaves out."""

from __future__ import annotations

from decimal import Decimal

from cryptotax_core import TaxEstimate, cents

ESTIMATE_FIELDS = ("other_income", "table_income", "ordinary_income", "short_term", "long_term",
                   "capital_loss_deduction", "taxable_income", "deduction", "modified_agi", "ordinary_tax",
                   "long_term_tax", "regular_tax", "amti", "amt_exemption", "tentative_minimum_tax", "amt", "niit",
                   "total_tax", "baseline_tax", "capital_gains_tax")
"""The money fields of `estimate_json`, in the order they are computed (docs/commands.md)."""


def _money(amount: Decimal) -> str:
    return f"{cents(amount):,.2f}"


def estimate_json(estimate: TaxEstimate) -> dict[str, object]:
    """Every figure of the estimate (money as decimal strings in cents), its switches and the AMT note."""
    return {"year": estimate.year, "filing_status": estimate.filing_status.value,
            **{name: str(cents(getattr(estimate, name))) for name in ESTIMATE_FIELDS},
            "table_income_included": estimate.table_income_included,
            "deduction_itemized": estimate.deduction_itemized, "amt_note": estimate.amt_note}


def ordinary_income_text(estimate: TaxEstimate) -> str:
    """`ordinary income 107,940.00 = your other income 95,000.00 + the table's income 12,940.00`, or, when
    the other income already includes the table's, says so."""
    if estimate.table_income_included:
        return (f"ordinary income {_money(estimate.ordinary_income)}: your other income, which includes the "
                f"table's income {_money(estimate.table_income)}")
    return (f"ordinary income {_money(estimate.ordinary_income)} = your other income "
            f"{_money(estimate.other_income)} + the table's income {_money(estimate.table_income)}")


def estimate_lines(estimate: TaxEstimate) -> list[str]:
    """The estimate in a few lines of text: income, taxable income and deduction, each tax, the total."""
    deduction = "itemized" if estimate.deduction_itemized else "standard"
    lines = [
        f"Tax estimate: {ordinary_income_text(estimate)}",
        f"  taxable income {_money(estimate.taxable_income)}; {deduction} deduction {_money(estimate.deduction)}, "
        f"modified AGI {_money(estimate.modified_agi)}",
        f"  regular tax {_money(estimate.regular_tax)} (ordinary {_money(estimate.ordinary_tax)}, long-term "
        f"{_money(estimate.long_term_tax)}); NIIT {_money(estimate.niit)}",
        f"  AMT {_money(estimate.amt)} (AMTI {_money(estimate.amti)}, exemption {_money(estimate.amt_exemption)}, "
        f"tentative minimum tax {_money(estimate.tentative_minimum_tax)})",
        f"Estimated federal tax {_money(estimate.total_tax)}; {_money(estimate.capital_gains_tax)} of it due to "
        f"capital results",
    ]
    if estimate.amt_note:
        lines.append(f"  Note: {estimate.amt_note}")
    return lines


def estimate_rows(estimate: TaxEstimate) -> list[tuple[str, Decimal]]:
    """The estimate as label/amount rows (the report workbook's Summary)."""
    included = " (included in your figure)" if estimate.table_income_included else ""
    deduction = "Itemized deduction" if estimate.deduction_itemized else "Standard deduction"
    return [
        ("Your other income", estimate.other_income),
        (f"The table's income{included}", estimate.table_income),
        ("Ordinary income used", estimate.ordinary_income),
        ("Taxable income", estimate.taxable_income),
        (deduction, estimate.deduction),
        ("Modified AGI", estimate.modified_agi),
        ("Ordinary tax", estimate.ordinary_tax),
        ("Long-term gain tax", estimate.long_term_tax),
        ("Alternative minimum tax", estimate.amt),
        ("Net investment income tax", estimate.niit),
        ("Total federal tax", estimate.total_tax),
        ("Of it due to capital results", estimate.capital_gains_tax),
    ]
