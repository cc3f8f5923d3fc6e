"""Coinbase Advanced Trade (formerly Coinbase Pro) fills: one line per fill of an order (coinbase.com >
Advanced > Orders > Download fills, or the Coinbase Pro "Fills" statement, CSV).

Layout accepted, as written by Coinbase and quoted with real lines by public importers (BittyTax's
Coinbase Pro parser; the fills records of several open-source portfolio tools, e.g. a 2018 BCH-BTC
export and a 2020 BTC-USDC line):

    portfolio,trade id,product,side,created at,size,size unit,price,fee,total,price/fee/total unit
    default,2985581,BTC-USDC,SELL,2020-11-25T11:29:22.362Z,0.75789000,BTC,19295.00,51.182206425,
        14572.305343575,USDC

`portfolio` is missing in the oldest files. `size` is in the base asset (`size unit`); `price`, `fee` and
`total` are in the quote asset (`price/fee/total unit`). `total` is signed: a BUY pays size x price + fee
(negative), a SELL receives size x price - fee. Times are UTC. Trade IDs count per product, so the ID is
`coinbase-advanced:<product>:<trade id>`.

What each line becomes:
- against USD: BUY -> Buy (USD Value = |total| - fee, the fill's value; Fee USD = fee: the basis is the
  USD paid), SELL -> Sell (USD Value = total + fee; Fee USD = fee: the amount realized is the USD
  received).
- against anything else (USDC, BTC, EUR...): not mapped: the file has no USD value of what is received.
  USDC is a crypto of its own, so a BTC-USDC fill is a Trade.
- a size given in the quote asset: not mapped.

Doubt: Coinbase's transaction history (the `coinbase` format) also lists Advanced Trade Buy and Sell
lines for the same orders, with other IDs. Import Advanced Trade from one of the two files, not both.
The wallet is `Coinbase` (Advanced Trade uses the Coinbase account's balances); Coinbase Pro, before
2023, was an account of its own: name it with --wallet "Coinbase Pro" if you keep it as a wallet.
"""

from __future__ import annotations

from decimal import Decimal

from cryptotax_core.imports.builder import Builder, Format, trade_message
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "coinbase-advanced"
WALLET = "Coinbase"
FIELDS = {
    "trade_id": ("trade id",), "product": ("product",), "side": ("side",), "time": ("created at",),
    "size": ("size",), "size_unit": ("size unit",), "price": ("price",), "fee": ("fee",), "total": ("total",),
    "unit": ("price/fee/total unit",),
}
REQUIRED = ("trade_id", "product", "side", "time", "size", "size_unit", "fee", "total", "unit")


def convert(source: Source, out: Builder) -> None:
    for row in source.rows:
        _line(row, out)
        out.advance()


def _line(row: Row, out: Builder) -> None:
    errors_before = len(out.errors)
    when = out.moment(row, "time")
    size = out.number(row, "size")
    fee = out.number(row, "fee", required=False)
    total = out.number(row, "total")
    if when is None or size is None or total is None or len(out.errors) > errors_before:
        return
    product, side = row.get("product").upper(), row.get("side").upper()
    base, _, quote = product.partition("-")
    tx_id = f"{NAME}:{product}:{row.get('trade_id')}"
    unit, size_unit = row.get("unit").upper(), row.get("size_unit").upper()
    if side not in ("BUY", "SELL") or not quote:
        out.cannot_map(row, "side", f"the fill '{row.get('side')}' of '{row.get('product')}' on {when.date()} is not "
                                    f"a BUY or SELL of a pair: enter it by hand (ID {tx_id})")
        return
    if size_unit != base or unit != quote:
        out.cannot_map(row, "size_unit", f"the fill of {product} on {when.date()} gives its size in {size_unit} and "
                                         f"its total in {unit}: enter the trade by hand (ID {tx_id})")
        return
    units, fee_amount, paid = abs(size), abs(fee or Decimal(0)), abs(total)
    note = f"Coinbase Advanced {side} {product}"
    if quote == "USD":
        if side == "BUY":  # |total| = size x price + fee
            out.add(row, tx_id, when, TxType.BUY, base, units, paid - fee_amount, fee_usd=fee_amount, note=note)
        else:  # total = size x price - fee
            out.add(row, tx_id, when, TxType.SELL, base, units, paid + fee_amount, fee_usd=fee_amount, note=note)
        return
    why = f"the file has no USD value ({quote} is not USD)"
    if side == "BUY":
        message = trade_message(quote, paid, base, units, when, tx_id, why)
    else:
        message = trade_message(base, units, quote, paid, when, tx_id, why)
    if fee_amount:
        message += f"; the fee of {plain(fee_amount)} {quote} is in these figures"
    out.cannot_map(row, "product", message)


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
