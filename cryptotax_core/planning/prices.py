"""Prices the user gives for planning: one USD price per asset, never guessed.

A price comes from text such as `BTC=91000` (the command line) or from a two-column asset/price range
(a spreadsheet). An asset with open lots but no price is left out of planning with a note, so no
figure ever rests on a made-up price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, localcontext

from cryptotax_core.errors import UserError
from cryptotax_core.pools import CONTEXT
from cryptotax_core.values import CellError, is_blank_or_zero, to_decimal, to_text

Prices = Mapping[str, Decimal]
"""USD per unit, by asset ticker (upper case, as the transaction table stores it)."""


def times(quantity: Decimal, price: Decimal) -> Decimal:
    """quantity x price, exact (the default 28-digit context could round an 18-decimal quantity)."""
    with localcontext(CONTEXT):  # the engine's 60 digits
        return quantity * price


class PriceError(UserError):
    """A price cannot be used; the message names the asset (or the range row) and what to write."""


def price_of(asset: object, value: object) -> tuple[str, Decimal]:
    """One asset's price from a cell or text: the ticker upper-cased, the price a Decimal >= 0 (a token
    may be worthless: 0 is a price)."""
    ticker = to_text(asset).upper()
    if not ticker:
        raise PriceError(f"a price of {to_text(value)} names no asset: write the ticker, e.g. BTC=91000")
    try:
        price = to_decimal(value)
    except CellError as exc:
        raise PriceError(f"the price of {ticker}: {exc}") from None
    if price < 0:
        raise PriceError(f"the price of {ticker} is {price}: a price cannot be negative")
    return ticker, price


def prices_from_texts(texts: Iterable[str]) -> dict[str, Decimal]:
    """Prices from `ASSET=USD` texts, e.g. ["BTC=91000", "eth=3,100.50"]."""
    pairs: list[tuple[object, object]] = []
    for text in texts:
        asset, sign, value = text.partition("=")
        if not sign or not value.strip():
            raise PriceError(f"'{text}' is not a price: write ASSET=USD, e.g. BTC=91000")
        pairs.append((asset, value))
    return _collected(price_of(asset, value) for asset, value in pairs)


def prices_from_pairs(rows: Iterable[Sequence[object]]) -> dict[str, Decimal]:
    """Prices from a two-column range (asset, price). Blank rows are skipped, and so is a first row
    whose price cell names the column (a header such as Asset / Price or Asset / USD)."""
    found: list[tuple[str, Decimal]] = []
    for index, row in enumerate(rows, start=1):
        cells = [*row, None, None]
        asset, value = cells[0], cells[1]
        if is_blank_or_zero(asset) and is_blank_or_zero(value):
            continue
        if index == 1 and _is_header(value):
            continue
        if is_blank_or_zero(asset) or value is None or (isinstance(value, str) and not value.strip()):
            raise PriceError(f"row {index}: write an asset and its price, e.g. BTC | 91000")
        try:
            found.append(price_of(asset, value))
        except PriceError as exc:
            raise PriceError(f"row {index}: {exc}") from None
    return _collected(found)


def _is_header(value: object) -> bool:
    """A price column's title: text naming a price (Price, USD, Price (USD), Value), not a mistyped price."""
    return isinstance(value, str) and any(word in value.lower() for word in ("price", "usd", "value"))


def _collected(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    prices: dict[str, Decimal] = {}
    for asset, price in pairs:
        if asset in prices and prices[asset] != price:
            raise PriceError(f"{asset} has two prices, {prices[asset]} and {price}: give one")
        prices[asset] = price
    return prices
