"""The Excel functions that plan before acting: unrealized gains, tax-loss harvest, the methods compared, a
sale previewed. Thin wrappers over the core's planning; addin/planning.py lays their answers out as rows.
The parameters carry no type hints on purpose: xlwings turns hints into cell converters.
"""

from __future__ import annotations

from xlwings import func

from addin.arguments import CATEGORY, SETTINGS_DOC, TRANSACTIONS_DOC, YEAR_DOC, cell, cells
from addin.convert import (
    UserError,
    asset_arg,
    book_for,
    excel_date,
    guarded,
    money,
    number_arg,
    padded,
    planning_date_arg,
    prices_arg,
    quantity,
    text_arg,
    wallet_arg,
    year_arg,
)
from addin.planning import harvest_rows, methodcompare_rows, whatif_rows
from cryptotax_core import PlanningError, Sale, compare_methods, harvest, unrealized, what_if

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
        found = harvest(book.transactions.transactions, book.options.settings, book.options.tax, day, by_asset,
                        computed=book.computed)
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
        found = compare_methods(book.transactions.transactions, book.options.settings, book.options.tax, number,
                                computed=book.computed)
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
                            Sale(name, units, usd, day, wallet_name), computed=book.computed)
        except PlanningError as exc:
            raise UserError(str(exc)) from None
        return padded(whatif_rows(found))

    return book.memo(("WHATIF", name, units, usd, wallet_name, day), answer)
