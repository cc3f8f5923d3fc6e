"""The Excel functions over a table's results: cost basis, gain or loss, lots, Form 8949 rows, the holding
period and the table's problems. Each is a thin wrapper: cells in (addin.convert), one core call, cells out.
The parameters carry no type hints on purpose: xlwings turns hints into cell converters.
"""

from __future__ import annotations

from decimal import Decimal

from xlwings import func

from addin.arguments import CATEGORY, SETTINGS_DOC, TRANSACTIONS_DOC, YEAR_DOC, cell, cells
from addin.convert import (
    UserError,
    asset_arg,
    book_for,
    checked,
    date_arg,
    excel_date,
    guarded,
    issue_text,
    money,
    quantity,
    text_arg,
    wallet_arg,
    year_arg,
)
from cryptotax_core import Term, long_term_from, term_of, totals

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
    """Every problem in the Transactions table, one per row (the rows' own and sales of more than is held,
    in one pass); or OK, then the warnings."""
    found = checked(transactions, settings)
    if found.errors:
        rows = [[issue_text(issue)] for issue in found.errors]
        if found.held_back:
            rows.append([found.held_back_note])
        return rows
    if not found.warnings:
        return [["OK"]]
    return [["OK, with these notes:"]] + [[issue_text(warning)] for warning in found.warnings]
