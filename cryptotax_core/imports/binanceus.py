"""Binance.US: the transaction history of the tax report (binance.us > Tax > Tax documents / Export
transaction history, CSV).

Layout accepted, as written by Binance.US and quoted with real-looking lines in public importers
(BittyTax's Binance.US parser lists both header versions; the test fixtures of an open-source
Binance.US CLI):

    User_Id,Time,Category,Operation,Order_Id,Transaction_Id,Primary_Asset,
      Realized_Amount_For_Primary_Asset,Realized_Amount_For_Primary_Asset_In_USD_Value,Base_Asset,
      Realized_Amount_For_Base_Asset,Realized_Amount_For_Base_Asset_In_USD_Value,Quote_Asset,
      Realized_Amount_For_Quote_Asset,Realized_Amount_For_Quote_Asset_In_USD_Value,Fee_Asset,
      Realized_Amount_For_Fee_Asset,Realized_Amount_For_Fee_Asset_In_USD_Value,Payment_Method,
      Withdrawal_Method,Additional_Note
    12345678,2020-03-23T04:10:29.000+00:00,Spot Trading,Sell,5988456,17916714,,,,ETH,20.374,2748.689183,
      BTC,0.427854,2745.245935,BNB,0.16893668,2.047513,Wallet,,

The newer header with spaces (`User ID`, `Primary Asset`, `Realized Amount for Primary Asset in USD`,
`Withdraw Method`...) is accepted too: names are compared without case, spaces or underscores, with
both spellings of the renamed ones. Times are UTC (`...+00:00`; a time without offset is taken as UTC).

What each line becomes (ID `binanceus:<Transaction_Id>`):
- Spot Trading Buy (base received, quote paid) and Sell (base paid, quote received); Buy, Sell, Quick
  Buy, Quick Sell and Convert (base paid, quote received):
  against USD a Buy (USD Value = the USD paid) or Sell (USD Value = the USD received); between two
  cryptos a Trade whose USD Value is the file's USD value of what is received.
  Fee: Spot Trading's amounts are price x quantity, before the fee: a fee in USD is Fee USD on top (a
  Buy's basis is the USD paid plus it, a Sell's amount realized the USD received less it); a fee in the
  asset received leaves fewer units. Quick Buy / Quick Sell amounts already hold the fee: the USD paid
  includes it (USD Value = USD paid - fee, Fee USD = fee: the basis is the USD that left the account)
  and the USD received is net of it (USD Value = USD received + fee, Fee USD = fee: the amount realized
  is the USD that arrived); the units received are the units that arrive. A fee in any other asset
  (e.g. BNB): Fee USD = its USD value and a Spend of the fee units at that value (ID `...:fee`): units
  spent on a fee are disposed of (docs/rules.md#gain-or-loss-of-one-disposal, Treas. Reg.
  1.1001-7(b)(1)(ii)).
- Distribution: Staking Rewards -> Staking, Referral Commission -> Income, Others/Airdrop -> Airdrop,
  Interest -> Interest, at the file's USD value; a negative staking amount (a service fee taken in units)
  -> Spend at its USD value. A commission paid in USD is listed: it is ordinary income, not a lot.
- Deposit / Withdrawal of USD: skipped, not taxable. Of crypto: not mapped (transfer or not: only the
  user knows), with the file's USD value and fee.
- Any other category: not mapped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    Builder,
    Format,
    no_usd_message,
    receive_message,
    send_message,
)
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "binanceus"
WALLET = "Binance.US"


def _fields() -> dict[str, tuple[str, ...]]:
    fields: dict[str, tuple[str, ...]] = {
        "time": ("Time",), "category": ("Category",), "operation": ("Operation",),
        "order_id": ("Order_Id", "Order ID"), "txid": ("Transaction_Id", "Transaction ID"),
        "note": ("Additional_Note", "Additional Note"),
    }
    for part in ("primary", "base", "quote", "fee"):
        name = part.capitalize()
        fields[part] = (f"{name}_Asset",)
        fields[f"{part} amount"] = (f"Realized_Amount_For_{name}_Asset",)
        fields[f"{part} usd"] = (f"Realized_Amount_For_{name}_Asset_In_USD_Value",
                                 f"Realized Amount for {name} Asset in USD")
    return fields


FIELDS = _fields()
REQUIRED = ("time", "category", "operation", "primary", "primary amount", "base", "base amount", "quote",
            "quote amount")

_PAYS_BASE = frozenset({"buy", "sell", "quick buy", "quick sell", "convert"})
_FEE_INCLUDED = frozenset({"quick buy", "quick sell"})  # their amounts already hold the fee
_DISTRIBUTIONS = (("staking", TxType.STAKING), ("referral", TxType.INCOME), ("commission", TxType.INCOME),
                  ("interest", TxType.INTEREST), ("airdrop", TxType.AIRDROP), ("others", TxType.AIRDROP))


class _Amount(NamedTuple):
    asset: str
    quantity: Decimal
    usd: Decimal | None  # the file's USD value of the quantity


def convert(source: Source, out: Builder) -> None:
    for row in source.rows:
        _line(row, out)
        out.advance()


def _part(row: Row, out: Builder, part: str) -> _Amount | None:
    """The asset, quantity and USD value of the primary, base, quote or fee part of a line (None if blank)."""
    asset = row.get(part).upper()
    quantity = out.number(row, f"{part} amount", required=bool(asset) and part != "fee")
    usd = out.number(row, f"{part} usd", required=False)
    if not asset or quantity is None:
        return None
    return _Amount(asset, quantity, usd)


def _line(row: Row, out: Builder) -> None:
    errors_before = len(out.errors)
    when = out.moment(row, "time")
    category, operation = row.get("category").lower(), row.get("operation").lower()
    parts = {part: _part(row, out, part) for part in ("primary", "base", "quote", "fee")}
    if when is None or len(out.errors) > errors_before:
        return
    tx_id = out.own_id(row, row.get("txid"), row.get("order_id"))
    note = row.get("note") or f"Binance.US {row.get('category')} {row.get('operation')}".strip()
    primary, base, quote = parts["primary"], parts["base"], parts["quote"]
    if category in ("deposit", "withdrawal") and primary is not None:
        _deposit_or_withdrawal(row, out, when, tx_id, primary, parts["fee"], deposit=category == "deposit")
    elif category == "distribution" and primary is not None:
        _distribution(row, out, when, tx_id, primary, operation, note)
    elif base is not None and quote is not None and (category in _PAYS_BASE or category == "spot trading"):
        receives_base = category == "spot trading" and operation == "buy"
        if category == "spot trading" and operation not in ("buy", "sell"):
            out.cannot_map(row, "operation", f"the Spot Trading operation '{row.get('operation')}' on {when.date()} "
                                             f"is neither Buy nor Sell: enter the trade by hand (ID {tx_id})")
            return
        sent, received = (quote, base) if receives_base else (base, quote)
        _trade(row, out, when, tx_id, sent, received, parts["fee"], note, fee_included=category in _FEE_INCLUDED)
    else:
        out.cannot_map(row, "category", f"the Binance.US category '{row.get('category')}' / operation "
                                        f"'{row.get('operation')}' on {when.date()} is not imported: enter it by "
                                        f"hand if it changed your holdings (ID {tx_id})")


def _deposit_or_withdrawal(row: Row, out: Builder, when: datetime, tx_id: str, primary: _Amount,
                           fee: _Amount | None, *, deposit: bool) -> None:
    if primary.asset in FIAT:
        out.skip(CASH_SKIPPED)
        return
    quantity = abs(primary.quantity)
    if deposit:
        out.cannot_map(row, "category", receive_message(out.wallet, primary.asset, quantity, when, tx_id,
                                                        primary.usd))
        return
    fee_units = abs(fee.quantity) if fee is not None and fee.asset == primary.asset else Decimal(0)
    fee_usd = abs(fee.usd) if fee is not None and fee.usd is not None and fee_units else None
    out.cannot_map(row, "category", send_message(out.wallet, primary.asset, quantity, when, tx_id, fee_units,
                                                 fee_usd))


def _distribution(row: Row, out: Builder, when: datetime, tx_id: str, primary: _Amount, operation: str,
                  note: str) -> None:
    quantity = abs(primary.quantity)
    if primary.quantity < 0:
        if primary.usd is None:
            out.cannot_map(row, "primary usd", no_usd_message("a fee taken in units", TxType.SPEND, primary.asset,
                                                              quantity, when, tx_id))
        else:
            out.add(row, tx_id, when, TxType.SPEND, primary.asset, quantity, abs(primary.usd),
                    note=f"{note}: a fee taken in units (disposed of at their value)")
        return
    tx_type = next((kind for word, kind in _DISTRIBUTIONS if word in operation), None)
    if tx_type is None:
        out.cannot_map(row, "operation", f"a distribution '{row.get('operation')}' of {plain(quantity)} "
                                         f"{primary.asset} on {when.date()}: enter it as Income, Staking, Airdrop "
                                         f"or Interest with its USD value (the file says "
                                         f"{plain(primary.usd) if primary.usd is not None else 'nothing'}) "
                                         f"(ID {tx_id})")
    elif primary.usd is None:
        out.cannot_map(row, "primary usd", no_usd_message(f"a {row.get('operation')}", tx_type, primary.asset,
                                                          quantity, when, tx_id))
    else:
        out.add(row, tx_id, when, tx_type, primary.asset, quantity, abs(primary.usd), note=note)


def _trade(row: Row, out: Builder, when: datetime, tx_id: str, sent: _Amount, received: _Amount,
           fee: _Amount | None, note: str, *, fee_included: bool) -> None:
    """`fee_included`: the amounts already hold the fee (Quick Buy / Quick Sell, see the module docstring)."""
    sent_units, received_units = abs(sent.quantity), abs(received.quantity)
    fee_units = abs(fee.quantity) if fee is not None else Decimal(0)
    fee_usd, fee_spent = Decimal(0), None
    if fee is not None and fee_units:
        if fee.asset == "USD":
            fee_usd = fee_units
            if fee_included and sent.asset == "USD":
                sent_units -= fee_units  # the USD paid, less the fee it includes
            elif fee_included and received.asset == "USD":
                received_units += fee_units  # the USD received, before the fee taken from it
        elif fee.asset == received.asset:
            if not fee_included:
                received_units -= fee_units  # the units that arrive
        elif fee.usd is None:
            out.cannot_map(row, "fee usd", no_usd_message("a trading fee", TxType.SPEND, fee.asset, fee_units, when,
                                                          f"{tx_id}:fee"))
        else:
            fee_usd, fee_spent = abs(fee.usd), fee
    if sent.asset == "USD":
        out.add(row, tx_id, when, TxType.BUY, received.asset, received_units, sent_units, fee_usd=fee_usd, note=note)
    elif received.asset == "USD":
        out.add(row, tx_id, when, TxType.SELL, sent.asset, sent_units, received_units, fee_usd=fee_usd, note=note)
    elif received.usd is None:
        out.cannot_map(row, "quote usd", f"a trade of {plain(sent_units)} {sent.asset} for {plain(received_units)} "
                                         f"{received.asset} on {when.date()} has no USD value of what was received: "
                                         f"enter a Trade with USD Value = the fair market value of the "
                                         f"{received.asset} (ID {tx_id})")
        return
    else:
        out.add(row, tx_id, when, TxType.TRADE, sent.asset, sent_units, abs(received.usd), fee_usd=fee_usd,
                received_asset=received.asset, received_quantity=received_units, note=note)
    if fee_spent is not None:
        out.add(row, f"{tx_id}:fee", when, TxType.SPEND, fee_spent.asset, fee_units, fee_usd,
                note=f"{note}: trading fee paid in {fee_spent.asset} (disposed of at its value)")


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
