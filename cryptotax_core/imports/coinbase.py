"""Coinbase: the "Transaction history" report (coinbase.com > Profile > Statements > Generate custom
statement, CSV).

Layout accepted. Coinbase publishes no column reference; the layout below is the one quoted, with real
lines, by public importers (BittyTax's Coinbase parser lists each header version; GhostfolioSidekick's
CoinbaseRecord; fixtures of several open-source tax tools):

    (blank line)                                  <- preamble lines, skipped; line numbers stay the file's
    Transactions
    User,<name>,<uuid>
    ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,
        Total (inclusive of fees and/or spread),Fees and/or Spread,Notes[,Sender Address,Recipient Address]
    6536728d...,2023-10-23 13:18:05 UTC,Send,BTC,-0.01304335,USD,$30702.27,-$400.46,-$400.46,$0.00,Sent ...

Older reports, accepted too: no ID column (the ID is then a hash of the line), `Spot Price Currency` /
`Spot Price at Transaction`, `Total (inclusive of fees)` / `Fees`, timestamps like 2021-12-31T21:39:13Z
and unsigned quantities. Amounts may carry `$`, thousands separators and a minus sign; the transaction
type decides the direction (outflows are negative only in the newest files).

What each type becomes (USD amounts only when Price Currency is USD; otherwise the line is not mapped):
- Buy / Advanced Trade Buy: Buy; USD Value = Total - Fees, Fee USD = Fees (basis = Total, the cash paid).
- Sell / Advanced Trade Sell: Sell; USD Value = Total + Fees, Fee USD = Fees (amount realized = Total,
  the cash received). An Advanced Trade against another crypto (Notes `... on ETH-USDC ...`) is not
  mapped: its quantity of the other crypto is not in a column.
- Convert: Trade; the asset received and its quantity come from the Notes (`Converted 0.5 ETH to 1,000
  USDC`) or, in the newest files, from the second line with the same ID. USD Value = Subtotal, the fair
  market value of what is received; Fee USD is left blank because Coinbase takes the fee or spread in the
  units converted: those units are disposed of at their value (docs/rules.md#gain-or-loss-of-one-disposal: fee units
  are disposed of),
  which cancels the fee as a cost, so the amount realized is the value received.
- Staking Income, Rewards Income, Reward Income, Inflation Reward: Staking; Learning Reward, Coinbase
  Earn: Income; Interest Payout: Interest; Airdrop: Airdrop. USD Value = Subtotal (else Total).
- Receive: Income when the Notes name a Coinbase reward (Coinbase Earn, Coinbase Rewards, Referral);
  otherwise not mapped (a transfer in or income: only the user knows).
- Send: not mapped (to a wallet of the user's, a Transfer; spent or given, a Spend).
- Deposit / Withdrawal of cash: skipped, not taxable. Pro/Exchange Deposit and Withdrawal (moves to and
  from Coinbase Pro) and every other type: not mapped, with what to enter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    Builder,
    FieldError,
    Format,
    no_usd_message,
    parse_number,
    receive_message,
    send_message,
)
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "coinbase"
WALLET = "Coinbase"
FIELDS = {
    "id": ("ID",),
    "time": ("Timestamp",),
    "type": ("Transaction Type",),
    "asset": ("Asset",),
    "quantity": ("Quantity Transacted",),
    "currency": ("Price Currency", "Spot Price Currency"),
    "subtotal": ("Subtotal", "USD Subtotal"),
    "total": ("Total (inclusive of fees and/or spread)", "Total (inclusive of fees)", "USD Total (inclusive of fees)"),
    "fees": ("Fees and/or Spread", "Fees", "USD Fees"),
    "notes": ("Notes",),
}
REQUIRED = ("time", "type", "asset", "quantity", "subtotal", "total")

_BUYS = frozenset({"buy", "advanced trade buy", "advance trade buy"})
_SELLS = frozenset({"sell", "advanced trade sell", "advance trade sell"})
_INCOME = {
    "staking income": TxType.STAKING, "rewards income": TxType.STAKING, "reward income": TxType.STAKING,
    "inflation reward": TxType.STAKING, "learning reward": TxType.INCOME, "coinbase earn": TxType.INCOME,
    "interest payout": TxType.INTEREST, "interest": TxType.INTEREST, "airdrop": TxType.AIRDROP,
}
_REWARD_NOTES = ("coinbase earn", "coinbase rewards", "referral")
_CASH_MOVES = frozenset({"deposit", "withdrawal"})
_PRO_MOVES = frozenset({"pro deposit", "pro withdrawal", "exchange deposit", "exchange withdrawal"})
_CONVERTED = re.compile(r"^Converted\s+([\d,]*\.?\d+)\s+(\S+)\s+to\s+([\d,]*\.?\d+)\s+(\S+)\s*$", re.IGNORECASE)
_PAIR = re.compile(r"\bon\s+([A-Za-z0-9]+)-([A-Za-z0-9]+)\b")
_FOR = re.compile(r"\bfor\s+\S*?[\d,]*\.?\d+\s+([A-Za-z0-9]+)\b")


@dataclass(frozen=True, slots=True)
class _Line:
    """One line read: what every type needs."""

    row: Row
    kind: str  # the Transaction Type as written
    when: datetime
    asset: str
    quantity: Decimal  # as signed in the file
    tx_id: str
    usd: bool  # the amounts are in USD
    notes: str


def convert(source: Source, out: Builder) -> None:
    usd_columns = source.columns.name.get("subtotal", "").upper().startswith("USD")
    converts: dict[str, list[_Line]] = {}
    for row in source.rows:
        line = _read(row, out, usd_columns)
        out.advance()
        if line is None:
            continue
        if line.kind.lower() == "convert" and row.get("id"):
            converts.setdefault(line.tx_id, []).append(line)
        else:
            _map(line, out)
    for legs in converts.values():
        if len(legs) == 2:
            _two_legs(legs, out)
        else:
            for leg in legs:
                _map(leg, out)


def _read(row: Row, out: Builder, usd_columns: bool) -> _Line | None:
    when = out.moment(row, "time")
    quantity = out.number(row, "quantity")
    asset = row.get("asset").upper()
    if not asset:
        out.error(row, "asset", "the asset is missing")
    if when is None or quantity is None or not asset:
        return None
    currency = row.get("currency").upper() or ("USD" if usd_columns else "")
    return _Line(row, row.get("type"), when, asset, quantity, out.own_id(row, row.get("id")), currency == "USD",
                 row.get("notes"))


def _map(line: _Line, out: Builder) -> None:
    kind = line.kind.lower()
    row, quantity = line.row, abs(line.quantity)
    if kind in _CASH_MOVES and line.asset in FIAT:
        out.skip(CASH_SKIPPED)
    elif kind in _BUYS or kind in _SELLS:
        _trade_with_cash(line, out, buy=kind in _BUYS)
    elif kind == "convert":
        _convert(line, out)
    elif kind in _INCOME or (kind == "receive" and any(word in line.notes.lower() for word in _REWARD_NOTES)):
        _income(line, out, _INCOME.get(kind, TxType.INCOME))
    elif kind in ("receive", "deposit"):
        value = _amount(line, out, "total")
        out.cannot_map(row, "type", receive_message(out.wallet, line.asset, quantity, line.when, line.tx_id,
                                                    abs(value) if value and line.usd else None))
    elif kind in ("send", "withdrawal"):
        message = send_message(out.wallet, line.asset, quantity, line.when, line.tx_id)
        fee = _amount(line, out, "fees")
        if fee and line.usd:
            message += f"; the file shows a fee of USD {plain(abs(fee))}"
        out.cannot_map(row, "type", message)
    elif kind in _PRO_MOVES:
        out.cannot_map(row, "type", f"a move of {plain(quantity)} {line.asset} between Coinbase and Coinbase Pro "
                                    f"({line.kind}) on {line.when.date()}: if you keep Coinbase Pro in another "
                                    f"wallet, enter a Transfer between the two; otherwise nothing changes "
                                    f"(ID {line.tx_id})")
    else:
        out.cannot_map(row, "type", f"the Coinbase transaction type '{line.kind}' ({plain(quantity)} {line.asset} "
                                    f"on {line.when.date()}) is not imported: enter it by hand if it changed "
                                    f"your holdings (ID {line.tx_id})")


def _amount(line: _Line, out: Builder, field: str) -> Decimal | None:
    return out.number(line.row, field, required=False)


def _trade_with_cash(line: _Line, out: Builder, *, buy: bool) -> None:
    quantity, tx_type = abs(line.quantity), TxType.BUY if buy else TxType.SELL
    quote = _quote(line.notes)
    if line.usd and quote and quote != "USD":
        verb = "bought with" if buy else "sold for"
        out.cannot_map(line.row, "notes", f"{plain(quantity)} {line.asset} {verb} {quote} on {line.when.date()} "
                                          f"(not USD): enter a Trade ({quote} for {line.asset} or {line.asset} for "
                                          f"{quote}) with the quantities of the Notes and USD Value = the fair "
                                          f"market value of what you received (ID {line.tx_id})")
        return
    subtotal, total, fee = _amount(line, out, "subtotal"), _amount(line, out, "total"), _amount(line, out, "fees")
    if not line.usd or (total is None and subtotal is None):
        out.cannot_map(line.row, "type", no_usd_message(f"a {line.kind}", tx_type, line.asset, quantity, line.when,
                                                        line.tx_id))
        return
    fee_usd = abs(fee or Decimal(0))
    if total is None:
        total = abs(subtotal or Decimal(0)) + (fee_usd if buy else -fee_usd)
    usd_value = abs(total) - fee_usd if buy else abs(total) + fee_usd
    out.add(line.row, line.tx_id, line.when, tx_type, line.asset, quantity, usd_value, fee_usd=fee_usd,
            note=line.notes or f"Coinbase {line.kind}")


def _quote(notes: str) -> str:
    """The currency the Notes say was paid or received: `... on ETH-USDC ...` or `... for 500 USD`."""
    pair = _PAIR.search(notes)
    if pair:
        return pair.group(2).upper()
    paid = _FOR.search(notes)
    return paid.group(1).upper() if paid else ""


def _income(line: _Line, out: Builder, tx_type: TxType) -> None:
    quantity = abs(line.quantity)
    subtotal = _amount(line, out, "subtotal")
    value = subtotal if subtotal is not None else _amount(line, out, "total")
    if not line.usd or value is None:
        out.cannot_map(line.row, "type", no_usd_message(f"a {line.kind}", tx_type, line.asset, quantity, line.when,
                                                        line.tx_id))
        return
    out.add(line.row, line.tx_id, line.when, tx_type, line.asset, quantity, abs(value),
            note=line.notes or f"Coinbase {line.kind}")


def _convert(line: _Line, out: Builder) -> None:
    match = _CONVERTED.match(line.notes)
    if match is None:
        out.cannot_map(line.row, "notes", f"a Convert of {plain(abs(line.quantity))} {line.asset} on "
                                          f"{line.when.date()}: the Notes do not say what was received; enter a "
                                          f"Trade with Received Asset, Received Quantity and USD Value = the fair "
                                          f"market value of what you received (ID {line.tx_id})")
        return
    try:
        sent_quantity, received_quantity = parse_number(match.group(1)), parse_number(match.group(3))
    except FieldError as exc:  # pragma: no cover - the pattern admits only numbers
        out.error(line.row, "notes", str(exc))
        return
    sent, received = match.group(2).upper(), match.group(4).upper()
    if line.asset == sent:
        sent_quantity = abs(line.quantity)
    elif line.asset == received:
        received_quantity = abs(line.quantity)
    else:
        out.cannot_map(line.row, "notes", f"the Notes convert {sent} to {received} but the Asset is {line.asset}: "
                                          f"enter the Trade by hand (ID {line.tx_id})")
        return
    _add_trade(line, out, sent, sent_quantity, received, received_quantity, line)


def _two_legs(legs: list[_Line], out: Builder) -> None:
    """The newest files write a Convert as two lines with one ID: the asset given (negative quantity) and
    the asset received (positive quantity, its Subtotal the value received)."""
    given = [leg for leg in legs if leg.quantity < 0]
    taken = [leg for leg in legs if leg.quantity > 0]
    if len(given) != 1 or len(taken) != 1 or given[0].asset == taken[0].asset:
        for leg in legs:
            out.cannot_map(leg.row, "quantity", f"the two Convert lines with ID {leg.tx_id} (lines "
                                                f"{legs[0].row.line} and {legs[1].row.line}) are not one asset out "
                                                f"and another in: enter the Trade by hand")
        return
    _add_trade(given[0], out, given[0].asset, abs(given[0].quantity), taken[0].asset, taken[0].quantity, taken[0])


def _add_trade(line: _Line, out: Builder, sent: str, sent_quantity: Decimal, received: str,
               received_quantity: Decimal, valued: _Line) -> None:
    subtotal = _amount(valued, out, "subtotal")
    if subtotal is None:
        total, fee = _amount(valued, out, "total"), _amount(valued, out, "fees")
        subtotal = None if total is None else abs(total) - abs(fee or Decimal(0))
    if not valued.usd or subtotal is None:
        out.cannot_map(line.row, "type", f"a Convert of {plain(sent_quantity)} {sent} to "
                                         f"{plain(received_quantity)} {received} on {line.when.date()} has no USD "
                                         f"value in the file: enter a Trade with USD Value = the fair market value "
                                         f"of the {received} received (ID {line.tx_id})")
        return
    fee = _amount(line, out, "fees")
    note = line.notes or f"Coinbase Convert {sent} to {received}"
    if fee and valued.usd:
        note += f" (fee/spread USD {plain(abs(fee))}, paid in the {sent} converted)"
    out.add(line.row, line.tx_id, line.when, TxType.TRADE, sent, sent_quantity, abs(subtotal),
            received_asset=received, received_quantity=received_quantity, note=note)


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
