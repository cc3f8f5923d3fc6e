"""The Excel functions of the tax return: Schedule D netting, a tax year at a glance, ordinary income, and
a broker's form reconciled with the disposals. Thin wrappers: cells in (addin.convert), the core, cells out.
The parameters carry no type hints on purpose: xlwings turns hints into cell converters.
"""

from __future__ import annotations

from decimal import Decimal

from xlwings import func

from addin.arguments import CATEGORY, SETTINGS_DOC, TRANSACTIONS_DOC, YEAR_DOC, cell, cells
from addin.convert import (
    Book,
    UserError,
    book_for,
    excel_date,
    guarded,
    labelled,
    money,
    number_arg,
    quantity,
    rows_of,
    text_arg,
    year_arg,
)
from cryptotax_core import (
    INCOME_KINDS,
    Carryover,
    FilingStatus,
    TaxEstimate,
    YearSummary,
    net_capital,
    reconcile_cells,
    year_netting,
)

NETCAPITAL_LABELS = ("Net short-term", "Net long-term", "Net total", "Deductible loss", "Carryover short-term",
                     "Carryover long-term")


@func(category=CATEGORY)
@cell("short_term", "The year's short-term gain or loss (negative), e.g. from GAINLOSS(...,\"short\")")
@cell("long_term", "The year's long-term gain or loss (negative)")
@cell("carryover_short", "Optional: short-term capital loss carried in from last year (a positive amount)")
@cell("carryover_long", "Optional: long-term capital loss carried in from last year (a positive amount)")
@cell("filing_status", 'Optional: "single" (default), "mfj", "mfs" or "hoh"')
@guarded(spill=True)
def NETCAPITAL(short_term, long_term, carryover_short=0, carryover_long=0, filing_status="single"):
    """Schedule D netting: net short/long/total, the deductible loss (3,000 limit) and the carryover out."""
    status = FilingStatus.parse(text_arg(filing_status, "filing_status") or "single")
    carryover = Carryover(number_arg(carryover_short, "carryover_short"), number_arg(carryover_long, "carryover_long"))
    netting = net_capital(number_arg(short_term, "short_term"), number_arg(long_term, "long_term"), carryover, status)
    values = (netting.short_term, netting.long_term, netting.total, netting.deductible_loss,
              netting.carryover_out.short_term, netting.carryover_out.long_term)
    return labelled([(label, money(value)) for label, value in zip(NETCAPITAL_LABELS, values, strict=True)])


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("year", YEAR_DOC)
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def TAXSUMMARY(transactions, year, settings=None):
    """A tax year at a glance, labelled: gains by term, Schedule D netting, carryovers, income, tax."""
    book = book_for(transactions, settings)
    number = year_arg(year)
    return book.memo(("TAXSUMMARY", number), lambda: _taxsummary(book, number))


def _taxsummary(book: Book, number: int) -> list[list[object]]:
    options = book.options
    tax_year = book.years.get(number)
    summary = tax_year.summary if tax_year else YearSummary(number)
    carried_in, netting = year_netting(book.years, number, options.tax)  # a year without data too
    estimate = tax_year.estimate if tax_year else None
    rows: list[tuple[str, object]] = [
        ("Tax year", number), ("Method", options.settings.method_for(number).value),
        ("Filing status", options.tax.filing_status.value),
        # proceeds - cost basis + adjustment (a wash sale's disallowed loss) = gain, for each term
        ("Short-term proceeds", money(summary.short_term.proceeds)),
        ("Short-term cost basis", money(summary.short_term.cost_basis)),
        ("Short-term adjustment", money(summary.short_term.adjustment)),
        ("Short-term gain", money(summary.short_term.gain)),
        ("Long-term proceeds", money(summary.long_term.proceeds)),
        ("Long-term cost basis", money(summary.long_term.cost_basis)),
        ("Long-term adjustment", money(summary.long_term.adjustment)),
        ("Long-term gain", money(summary.long_term.gain)),
        ("Carryover in, short-term", money(carried_in.short_term)),
        ("Carryover in, long-term", money(carried_in.long_term)),
        ("Net short-term", money(netting.short_term)), ("Net long-term", money(netting.long_term)),
        ("Net total", money(netting.total)), ("Deductible loss", money(netting.deductible_loss)),
        ("Carryover out, short-term", money(netting.carryover_out.short_term)),
        ("Carryover out, long-term", money(netting.carryover_out.long_term)),
        ("Ordinary income", money(summary.ordinary_income)),
        *_estimate_rows(estimate),
        ("Estimated federal tax", money(estimate.total_tax) if estimate else f"add 'Other income {number}' "
                                                                             f"to Settings"),
        ("Tax due to capital results", money(estimate.capital_gains_tax) if estimate else ""),
        ("Tax note", (estimate.amt_note or "") if estimate else ""),
        ("Disposals", summary.disposals),
        ("Warnings", len(book.result.warnings)),
    ]
    return labelled(rows)


def _estimate_rows(estimate: TaxEstimate | None) -> list[tuple[str, object]]:
    """The estimate's ordinary income (the Settings figure and the table's) and each tax, blank without one."""
    labels = ("Other income (Settings)", "Table income in other income", "Ordinary income used",
              "Taxable income", "Regular tax", "Alternative minimum tax", "Net investment income tax")
    if estimate is None:
        return [(label, "") for label in labels]
    values: tuple[object, ...] = (
        money(estimate.other_income), "yes" if estimate.table_income_included else "no",
        money(estimate.ordinary_income), money(estimate.taxable_income), money(estimate.regular_tax),
        money(estimate.amt), money(estimate.niit))
    return list(zip(labels, values, strict=True))


INCOME_TYPES = {kind: tx_type for tx_type, kind in INCOME_KINDS.items()}


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("year", YEAR_DOC)
@cell("type", 'Optional: "staking", "mining", "airdrop", "interest" or "other"; left out: a table by type')
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def INCOME(transactions, year, type=None, settings=None):
    """Ordinary income of a tax year (fair market value when received): one type, or a table by type."""
    book = book_for(transactions, settings)
    number = year_arg(year)
    tax_year = book.years.get(number)
    by_kind = tax_year.income if tax_year else dict.fromkeys(INCOME_TYPES, Decimal(0))
    kind = text_arg(type, "type")
    if kind is not None:
        if kind.lower() not in by_kind:
            raise UserError(f"type: '{kind}' is not an income type: write staking, mining, airdrop, interest "
                            f"or other")
        return [[money(by_kind[kind.lower()])]]
    rows: list[tuple[str, object]] = [(name.capitalize(), money(amount)) for name, amount in by_kind.items()]
    rows.append(("Total", money(sum(by_kind.values(), Decimal(0)))))
    return labelled(rows)


RECONCILE_HEADER = ["Difference", "Asset", "Date sold", "Units", "Form lines", "Rows", "Form proceeds",
                    "Your proceeds", "Form basis", "Your basis", "Box", "Proceeds (d)", "Basis (e)", "Code (f)",
                    "Adjustment (g)", "Gain (h)", "What to do"]


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cells("broker_form", "The broker's 1099-DA (or 1099-B) with its header row: Asset, Units, Date sold, Proceeds, "
                      "and where the form has them Cost basis, Basis reported, Term, Box")
@cell("year", "Optional: the tax year (default: the year of the form's sales)")
@cell("wallet", "Optional: the wallet whose sales the form reports (default: the wallets its lines match)")
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def RECONCILE(transactions, broker_form, year=None, wallet=None, settings=None):
    """A broker's reported sales against your disposals: what differs, and each sale's Form 8949 box, code and
    adjustment."""
    book = book_for(transactions, settings)
    form = rows_of(broker_form)
    number = None if text_arg(year, "year") is None else year_arg(year)
    wallet_name = text_arg(wallet, "wallet")

    def answer() -> list[list[object]]:
        found = reconcile_cells(book.result.disposals, form, number, wallet_name)
        rows: list[list[object]] = [list(RECONCILE_HEADER)]
        for item in found.comparisons:
            shared = ["; ".join(kind.value for kind in item.differences) or "agrees", item.asset,
                      excel_date(item.sold), "" if item.units is None else quantity(item.units),
                      ", ".join(map(str, item.form_lines)), ", ".join(map(str, item.rows)),
                      *("" if amount is None else money(amount) for amount in (item.form_proceeds, item.proceeds,
                                                                               item.form_basis, item.basis))]
            for entry in item.entries or [None]:
                columns = (["", "", "", "", "", ""] if entry is None else
                           [entry.box, money(entry.proceeds), money(entry.cost_basis), entry.code,
                            money(entry.adjustment), money(entry.gain)])
                rows.append([*shared, *columns, item.explanation])
        return rows

    key = tuple(tuple(cells) for cells in form)
    return book.memo(("RECONCILE", key, number, wallet_name), answer)
