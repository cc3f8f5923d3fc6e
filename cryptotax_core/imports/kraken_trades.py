"""Kraken: the trades export (kraken.com > History > Export > Trades, CSV: `trades.csv`).

Layout accepted, as BittyTax's Kraken parser lists both header versions and as a public tax tool's test
file has it (CoinTaxman `test/kraken-trades.csv`):

    "txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"
    "TXID1","OTXID1","XXBTZUSD","2021-02-02 13:30:51.7025","buy","market",28979.4,997.4067,2.59326,0.03441778,
        0.00000,"","LEDGER1","LEDGER2"

Newer files add postxid, posstatus, cprice, ccost, cfee, cvol, cmargin, net, trades; columns are found
by name. The `ledgers` column lists the trade's ledger entries, written as more fields than the header
has: they are taken as that one column. `time` is UTC. `vol` is the base asset's units, `cost` the
quote asset's amount before the fee, `fee` is in the quote asset. Pairs are Kraken's codes (XXBTZUSD,
XETHZUSD, SOLUSD, XBTUSDC; a `/` is accepted); assets are named as in the ledgers (XXBT -> BTC).

The ID is `kraken:<txid>`: Kraken's ledger names a trade's two entries with the trade's txid as their
refid, so a trade imported from the ledgers (`kraken` format) and from this file is one row, not two.
The ledgers have deposits, withdrawals and rewards too; this file only trades.

- buy / sell against USD: Buy (USD Value = cost, Fee USD = fee: the basis is cost + fee) or Sell (USD
  Value = cost, Fee USD = fee: the amount realized is cost - fee).
- against anything else (a crypto, USDC, EUR): not mapped: the file has no USD value.
- a margin trade (margin not 0, or a position): not mapped.
"""

from __future__ import annotations

from decimal import Decimal

from cryptotax_core.imports.builder import Builder, Format, trade_message
from cryptotax_core.imports.kraken import asset_code
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType

NAME = "kraken-trades"
WALLET = "Kraken"
FIELDS = {name: (name,) for name in ("txid", "ordertxid", "pair", "time", "type", "cost", "fee", "vol", "margin",
                                     "posstatus", "ledgers")}
REQUIRED = ("txid", "ordertxid", "pair", "time", "type", "cost", "fee", "vol")
_QUOTES = ("PYUSD", "ZUSD", "ZEUR", "ZGBP", "ZCAD", "ZJPY", "ZAUD", "USDC", "USDT", "XXBT", "XETH", "USD", "EUR",
           "GBP", "CAD", "JPY", "AUD", "CHF", "XBT", "ETH", "DAI", "DOT")


def split_pair(pair: str) -> tuple[str, str] | None:
    """XXBTZUSD -> (BTC, USD), XBTUSDC -> (BTC, USDC), SOL/USD -> (SOL, USD); None if no quote is found."""
    code = pair.strip().upper()
    if "/" in code:
        base, _, quote = code.partition("/")
        return (asset_code(base), asset_code(quote)) if base and quote else None
    for quote in _QUOTES:
        if code.endswith(quote) and len(code) > len(quote):
            return asset_code(code[: -len(quote)]), asset_code(quote)
    return None


def convert(source: Source, out: Builder) -> None:
    for row in source.rows:
        _line(row, out)
        out.advance()


def _line(row: Row, out: Builder) -> None:
    errors_before = len(out.errors)
    when = out.moment(row, "time")
    cost, fee, vol = out.number(row, "cost"), out.number(row, "fee", required=False), out.number(row, "vol")
    margin = out.number(row, "margin", required=False)
    if when is None or cost is None or vol is None or len(out.errors) > errors_before:
        return
    tx_id = f"kraken:{row.get('txid')}"
    pair, side = split_pair(row.get("pair")), row.get("type").lower()
    if pair is None or side not in ("buy", "sell"):
        out.cannot_map(row, "pair", f"the trade '{row.get('type')}' of pair '{row.get('pair')}' on {when.date()} is "
                                    f"not a buy or sell of a known pair: enter it by hand (ID {tx_id})")
        return
    if margin or row.get("posstatus"):
        out.cannot_map(row, "margin", f"a margin trade of {row.get('pair')} on {when.date()}: margin positions are "
                                      f"not imported; enter their gain or loss by hand (ID {tx_id})")
        return
    base, quote = pair
    units, amount, fee_amount = abs(vol), abs(cost), abs(fee or Decimal(0))
    note = f"Kraken {side} {row.get('pair')} {row.get('txid')}"
    if quote == "USD":
        tx_type = TxType.BUY if side == "buy" else TxType.SELL
        out.add(row, tx_id, when, tx_type, base, units, amount, fee_usd=fee_amount, note=note)
        return
    why = f"the file has no USD value ({quote} is not USD)"
    if side == "buy":
        message = trade_message(quote, amount + fee_amount, base, units, when, tx_id, why)
    else:
        message = trade_message(base, units, quote, amount - fee_amount, when, tx_id, why)
    out.cannot_map(row, "pair", message)


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert, spill_last=True)
