"""cryptotax functions for Excel (xlwings custom functions).

Each function is a thin wrapper: cells in (addin.convert), one core call, cells out. The same module
serves classic Windows UDFs ("UDF Modules: addin.functions") and xlwings' Office.js add-ins. Optional
arguments may be left out; `settings` is the template's Settings range (label/value pairs).
The parameters carry no type hints on purpose: xlwings turns hints into cell converters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlwings import arg, func

from addin.convert import (
    Book,
    UserError,
    asset_arg,
    book_for,
    date_arg,
    excel_date,
    guarded,
    issue_text,
    labelled,
    money,
    number_arg,
    padded,
    planning_date_arg,
    prices_arg,
    quantity,
    rows_of,
    text_arg,
    wallet_arg,
    year_arg,
)
from addin.planning import harvest_rows, methodcompare_rows, whatif_rows
from cryptotax_core import (
    INCOME_KINDS,
    Carryover,
    FilingStatus,
    InputError,
    PlanningError,
    Sale,
    TaxEstimate,
    Term,
    YearSummary,
    compare_methods,
    harvest,
    long_term_from,
    net_capital,
    reconcile_cells,
    term_of,
    totals,
    unrealized,
    what_if,
)

CATEGORY = "cryptotax"


# Every argument reads an error cell (#N/A, #VALUE!, ...) as its text, which the conversions refuse with a
# message naming the argument (or the table's row and column); by default Office.js hands one over as an
# empty cell, which would quietly mean "omitted" (xlwings' `err_to_str`, classic and Office.js alike).
def cells(name: str, doc: str) -> Any:
    """A range argument: rows of cells, however many (`ndim=2`)."""
    return arg(name, ndim=2, err_to_str=True, doc=doc)


def cell(name: str, doc: str) -> Any:
    """A single value."""
    return arg(name, err_to_str=True, doc=doc)


TRANSACTIONS_DOC = "The Transactions table with its header row, e.g. Transactions[#All]"
SETTINGS_DOC = "Optional: the Settings range (label/value pairs: Method, Pooling, Time zone, Filing status, ...)"
YEAR_DOC = "The tax year, e.g. 2025"
TERMS = {"all": None, "short": Term.SHORT, "long": Term.LONG}


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("asset", "Ticker of the asset, e.g. BTC")
@cell("wallet", "Optional: only the units in this wallet or account")
@cell("as_of", "Optional: the date at whose end to count (default: after the last transaction)")
@cells("settings", SETTINGS_DOC)
@guarded(spill=False)
def COSTBASIS(transactions, asset, wallet=None, as_of=None, settings=None):
    """Cost basis in USD of the units of an asset still held, optionally in one wallet, as of a date."""
    book = book_for(transactions, settings)
    name = asset_arg(book, asset)
    if name is None:
        raise UserError("asset is missing: give a ticker such as BTC")
    wallet_key = wallet_arg(book, wallet)
    day = date_arg(as_of, "as_of", book)

    def answer() -> float:
        return money(sum((lot.cost_basis for lot in book.lots(day)
                          if lot.asset == name and (wallet_key is None or lot.wallet.casefold() == wallet_key)),
                         Decimal(0)))

    return book.memo(("COSTBASIS", name, wallet_key, day), answer)


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("year", YEAR_DOC)
@cell("term", 'Optional: "short", "long" or "all" (default)')
@cell("asset", "Optional: only disposals of this asset, e.g. ETH")
@cells("settings", SETTINGS_DOC)
@guarded(spill=False)
def GAINLOSS(transactions, year, term="all", asset=None, settings=None):
    """Realized capital gain (or loss, negative) of a tax year, as Form 8949 totals it."""
    book = book_for(transactions, settings)
    tax_year = year_arg(year)
    term_name = (text_arg(term, "term") or "all").lower()
    if term_name not in TERMS:
        raise UserError(f"term: '{term_name}' is not a term: write short, long or all")
    wanted_term = TERMS[term_name]
    name = asset_arg(book, asset)

    def answer() -> float:
        disposals = [d for d in book.result.disposals if d.tax_year == tax_year
                     and (wanted_term is None or d.term is wanted_term) and (name is None or d.asset == name)]
        return money(totals(disposals).gain)

    return book.memo(("GAINLOSS", tax_year, wanted_term, name), answer)


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


LOTS_HEADER = ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Unit cost", "Long-term from"]


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("asset", "Optional: only lots of this asset")
@cell("wallet", "Optional: only lots in this wallet")
@cell("as_of", "Optional: the lots held at the end of this date (default: after the last transaction)")
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def LOTS(transactions, asset=None, wallet=None, as_of=None, settings=None):
    """Open lots as a table with headers: what is held, where, since when, at what cost."""
    book = book_for(transactions, settings)
    name, wallet_key = asset_arg(book, asset), wallet_arg(book, wallet)
    day = date_arg(as_of, "as_of", book)

    def answer() -> list[list[object]]:
        rows: list[list[object]] = [list(LOTS_HEADER)]
        for lot in book.lots(day):
            if (name is None or lot.asset == name) and (wallet_key is None or lot.wallet.casefold() == wallet_key):
                rows.append([lot.lot_id, lot.asset, lot.wallet, excel_date(lot.acquired), quantity(lot.quantity),
                             money(lot.cost_basis), float(lot.cost_basis / lot.quantity),
                             excel_date(long_term_from(lot.acquired))])
        return rows

    return book.memo(("LOTS", name, wallet_key, day), answer)


DISPOSALS_HEADER = ["Box", "Description", "Date acquired", "Date sold", "Proceeds", "Cost basis", "Code",
                    "Adjustment", "Gain or loss", "Term", "Row", "ID", "Lot", "Wallet"]


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("year", YEAR_DOC)
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def DISPOSALS(transactions, year, settings=None):
    """The tax year's Form 8949 rows with their box, sorted by box, with headers."""
    book = book_for(transactions, settings)
    number = year_arg(year)

    def answer() -> list[list[object]]:
        tax_year = book.years.get(number)
        rows: list[list[object]] = [list(DISPOSALS_HEADER)]
        for line in tax_year.lines if tax_year else ():
            rows.append([line.box, line.description, excel_date(line.date_acquired), excel_date(line.date_sold),
                         money(line.proceeds), money(line.cost_basis), line.adjustment_code, money(line.adjustment),
                         money(line.gain), line.term.value, line.row, line.tx_id, line.lot_id, line.wallet])
        return rows

    return book.memo(("DISPOSALS", number), answer)


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
    if tax_year:
        carried_in, netting, estimate = tax_year.carryover_in, tax_year.netting, tax_year.estimate
    else:  # a year without data: only a carryover passes through it
        earlier = [y for y in book.years if y < number]
        carried_in = book.years[max(earlier)].netting.carryover_out if earlier else options.tax.carryover_in
        netting = net_capital(summary.short_term.gain, summary.long_term.gain, carried_in, options.tax.filing_status)
        estimate = None
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


@func(category=CATEGORY)
@cell("acquired", "The date the units were acquired")
@cell("disposed", "The date they were (or would be) sold")
@guarded(spill=False)
def HOLDINGTERM(acquired, disposed):
    """ "short" or "long": long-term means held more than one year, counted from the day after acquisition."""
    start, end = date_arg(acquired, "acquired"), date_arg(disposed, "disposed")
    if start is None or end is None:
        raise UserError("give both dates: acquired and disposed")
    if end < start:
        raise UserError(f"disposed ({end}) is before acquired ({start})")
    return term_of(start, end).value


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def CHECK(transactions, settings=None):
    """Every problem in the Transactions table, one per row, then warnings; or OK."""
    book = book_for(transactions, settings)
    try:
        warnings = book.result.warnings
    except InputError as exc:
        return [[issue_text(issue)] for issue in exc.issues]
    if not warnings:
        return [["OK"]]
    return [["OK, with these notes:"]] + [[issue_text(warning)] for warning in warnings]


# -- planning ----------------------------------------------------------------------------------------------
PRICES_DOC = "Two columns: asset and USD price per unit, e.g. a Prices range (a header row is skipped)"
AS_OF_DOC = "Optional: the planning date (default: today; pass TODAY() to recompute each day)"
UNREALIZED_HEADER = ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Price", "Value",
                     "Unrealized gain", "Term if sold", "Long-term from", "Days to long-term"]


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cells("prices", PRICES_DOC)
@cell("as_of", AS_OF_DOC)
@cell("asset", "Optional: only lots of this asset")
@cell("wallet", "Optional: only lots in this wallet")
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def UNREALIZED(transactions, prices, as_of=None, asset=None, wallet=None, settings=None):
    """Unrealized gain or loss of every open lot at your prices, with its term and days until long-term."""
    book = book_for(transactions, settings)
    by_asset = prices_arg(prices)
    name, wallet_key = asset_arg(book, asset), wallet_arg(book, wallet)
    day = planning_date_arg(as_of, "as_of", book)

    def answer() -> list[list[object]]:
        lots = [lot for lot in book.lots(day)
                if (name is None or lot.asset == name) and (wallet_key is None or lot.wallet.casefold() == wallet_key)]
        valued = unrealized(lots, by_asset, day)
        rows: list[list[object]] = [list(UNREALIZED_HEADER)]
        for value in valued.lots:
            lot = value.lot
            rows.append([lot.lot_id, lot.asset, lot.wallet, excel_date(lot.acquired), quantity(lot.quantity),
                         money(lot.cost_basis), float(value.price), money(value.value), money(value.gain),
                         value.term.value, excel_date(value.long_term_from), value.days_to_long_term])
        rows += [[f"Note: {note}"] for note in valued.notes]
        return padded(rows)

    return book.memo(("UNREALIZED", tuple(sorted(by_asset.items())), day, name, wallet_key), answer)


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cells("prices", PRICES_DOC)
@cell("as_of", AS_OF_DOC)
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def HARVEST(transactions, prices, as_of=None, settings=None):
    """Tax-loss harvest: the plan first (tax saved, the lots to sell), then the loss lots ranked by the tax each
    saves this year."""
    book = book_for(transactions, settings)
    by_asset = prices_arg(prices)
    day = planning_date_arg(as_of, "as_of", book)

    def answer() -> list[list[object]]:
        found = harvest(book.transactions.transactions, book.options.settings, book.options.tax, day, by_asset)
        return padded(harvest_rows(found))

    return book.memo(("HARVEST", tuple(sorted(by_asset.items())), day), answer)


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("year", YEAR_DOC)
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def METHODCOMPARE(transactions, year, settings=None):
    """The lowest tax first, then the year under FIFO, LIFO, HIFO, LOFO and a tax-minimizing specific
    identification of its sales, with the Lot IDs of that identification."""
    book = book_for(transactions, settings)
    number = year_arg(year)

    def answer() -> list[list[object]]:
        found = compare_methods(book.transactions.transactions, book.options.settings, book.options.tax, number)
        return padded(methodcompare_rows(found, book.options.settings))

    return book.memo(("METHODCOMPARE", number), answer)


@func(category=CATEGORY)
@cells("transactions", TRANSACTIONS_DOC)
@cell("asset", "Ticker of the asset to sell, e.g. BTC")
@cell("quantity_to_sell", "Units to sell, e.g. 0.5")
@cell("price", "USD price per unit")
@cell("wallet", "Optional: the wallet to sell from (default: the only wallet holding the asset)")
@cell("sale_date", "Optional: the date of the sale (default: today)")
@cells("settings", SETTINGS_DOC)
@guarded(spill=True)
def WHATIF(transactions, asset, quantity_to_sell, price, wallet=None, sale_date=None, settings=None):
    """A sale before you make it: the best lot choice first, then gain, term and tax change under each method
    and the best lot choice, with their Lot IDs."""
    book = book_for(transactions, settings)
    name = asset_arg(book, asset)
    if name is None:
        raise UserError("asset is missing: give a ticker such as BTC")
    units, usd = number_arg(quantity_to_sell, "quantity_to_sell"), number_arg(price, "price")
    wallet_name = text_arg(wallet, "wallet")
    day = planning_date_arg(sale_date, "sale_date", book)

    def answer() -> list[list[object]]:
        try:
            found = what_if(book.transactions.transactions, book.options.settings, book.options.tax,
                            Sale(name, units, usd, day, wallet_name))
        except PlanningError as exc:
            raise UserError(str(exc)) from None
        return padded(whatif_rows(found))

    return book.memo(("WHATIF", name, units, usd, wallet_name, day), answer)


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


FUNCTIONS = (COSTBASIS, GAINLOSS, NETCAPITAL, LOTS, DISPOSALS, TAXSUMMARY, INCOME, HOLDINGTERM, CHECK,
             UNREALIZED, HARVEST, METHODCOMPARE, WHATIF, RECONCILE)
__all__ = [function.__name__ for function in FUNCTIONS]
