"""Robinhood crypto: the crypto order history (Robinhood > Account > Reports and statements > Crypto,
"account activity" CSV).

Layout accepted, as a public 1099 helper's example file has it (xumingkuan/1099-B-DIV-helper
`examples/2023_Robinhood_crypto_activity.csv`):

    UUID,Time Entered,Symbol,Side,Quantity,State,Order Type,Leaves Quantity,Entered Price,Average Price,Notional
    <uuid>,"12/01/2023, 12:34:56",BTC,Sell,0.00010449,Filled,Limit,0.00E+00,"$12,345.00 ","$12,345.67 ",$1.29
    <uuid>,"06/01/2022, 15:00:00",BTC,Buy,0.00030037,Filled,Limit,0.00E+00,"$10,000.00 ","$9,987.65 ",($3.00)
    "Robinhood does not provide tax or legal advice. ... Report generated: 01/03/2024, 3:00:00 PM EST",,,,,,,,,,

One line per order, newest first. `Notional` is the USD of the order: paid (negative, in parentheses) on
a Buy, received on a Sell; Robinhood charges no separate fee (its spread is in the price), so USD Value
= |Notional| and Fee USD is blank. The ID is `robinhood:<UUID>`.

- a Filled order with no quantity left (`Leaves Quantity` 0): Buy or Sell of `Quantity` of `Symbol`.
- an order not filled (Canceled, Rejected, Failed, Queued...) with nothing filled (Leaves Quantity =
  Quantity, or no Notional): skipped. One partly filled (canceled with Leaves Quantity below Quantity):
  a Buy or Sell of the units filled (Quantity - Leaves Quantity) when the Notional is their USD
  (Average Price x units filled, to the cent); otherwise not mapped, with the units filled.
- the closing disclaimer line: skipped.

Doubt: the file gives `Time Entered` without a zone; the report's footer is in Eastern time ("Report
generated: ... EST"), so times are read as America/New_York and written in UTC. Transfers in and out
are not in this file (Robinhood lists them apart): enter them by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cryptotax_core.imports.builder import Builder, FieldError, Format, parse_us, parse_utc
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "robinhood"
WALLET = "Robinhood"
FIELDS = {
    "id": ("UUID",), "time": ("Time Entered",), "symbol": ("Symbol",), "side": ("Side",),
    "quantity": ("Quantity",), "state": ("State",), "leaves": ("Leaves Quantity",), "average": ("Average Price",),
    "notional": ("Notional",),
}
REQUIRED = ("time", "symbol", "side", "quantity", "state", "notional")
EASTERN = ZoneInfo("America/New_York")
CENT = Decimal("0.01")
NOT_FILLED_SKIPPED = "orders never filled (canceled, rejected...)"
FOOTER_SKIPPED = "Robinhood's disclaimer line"


def moment(text: str) -> datetime:
    """`12/01/2023, 12:34:56` (or an ISO time) in Eastern time, as a UTC moment."""
    if "/" not in text:
        return parse_utc(text)
    local, has_time = parse_us(text)
    if not has_time:
        raise FieldError(f"'{text.strip()}' has no time (expected e.g. 12/01/2023, 12:34:56)")
    return local.replace(tzinfo=EASTERN).astimezone(UTC)


def convert(source: Source, out: Builder) -> None:
    for row in source.rows:
        _line(row, out)
        out.advance()


def _line(row: Row, out: Builder) -> None:
    if not row.get("symbol") and not row.get("side") and not row.get("time"):
        out.skip(FOOTER_SKIPPED)
        return
    errors_before = len(out.errors)
    when = out.moment(row, "time", moment)
    quantity = out.number(row, "quantity")
    leaves = out.number(row, "leaves", required=False) or Decimal(0)
    state, side, asset = row.get("state").lower(), row.get("side").lower(), row.get("symbol").upper()
    tx_id = out.own_id(row, row.get("id"))
    notional = out.number(row, "notional", required=False)
    if state != "filled" and (leaves == quantity or not notional):
        out.skip(NOT_FILLED_SKIPPED)
        return
    if notional is None:
        out.error(row, "notional", "the amount is missing")
    if when is None or quantity is None or notional is None or len(out.errors) > errors_before:
        return
    filled = abs(quantity) - abs(leaves)
    average = out.number(row, "average", required=False)
    whole = state == "filled" and not leaves
    if side not in ("buy", "sell"):
        out.cannot_map(row, "side", f"the Robinhood order side '{row.get('side')}' ({asset} on {when.date()}) is not "
                                    f"Buy or Sell: enter it by hand (ID {tx_id})")
    elif not whole and (average is None or abs(abs(average) * filled - abs(notional)) > CENT):
        out.cannot_map(row, "state", f"a {side} of {asset} on {when.date()} was filled only in part ({plain(filled)} "
                                     f"of {plain(abs(quantity))}, state '{row.get('state')}'): enter a "
                                     f"{side.capitalize()} of the units filled with the USD of that part (the file's "
                                     f"Notional is {plain(abs(notional))}) (ID {tx_id})")
    else:
        tx_type = TxType.BUY if side == "buy" else TxType.SELL
        part = "" if whole else f" ({plain(filled)} of {plain(abs(quantity))} filled)"
        out.add(row, tx_id, when, tx_type, asset, filled, abs(notional), note=f"Robinhood {side} {asset}{part}")


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
