"""Coinbase: the "Transaction history" report (coinbase.com > Profile > Statements > Generate custom
statement, CSV), and the older US "Transaction report" of 2018-2020.

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

The US report of 2018-2020 (a file of early 2020 in robertkarl/yabc `testdata/coinbase/
UsTaxTransactionsReport.csv`): a quoted disclaimer, `Transactions`, `User`, then
`Timestamp,Transaction Type,Asset,Quantity Transacted,USD Spot Price at Transaction,Subtotal,Total
(inclusive of fees),Notes`: no currency and no fee column (the amounts are USD), dates `10/06/2015`
without a time (rows get the date alone), amounts `249.73 USD`, and a Subtotal of `0 USD` that is not the
value (the Total is used then). Without a fee column a Buy's USD Value is the Total (the basis, the cash
paid) and a Sell's the Total (the amount realized, the cash received).

What each type becomes (USD amounts only when Price Currency is USD; otherwise the line is not mapped).
ETH2 (staked ETH, as Coinbase named it until 2023) is ETH: one asset, staked or not.
- Buy / Advanced Trade Buy: Buy; USD Value = Total - Fees, Fee USD = Fees (basis = Total, the cash paid).
- Sell / Advanced Trade Sell: Sell; USD Value = Total + Fees, Fee USD = Fees (amount realized = Total,
  the cash received). An Advanced Trade against another crypto (Notes `... on ETH-USDC ...`) is not
  mapped: its quantity of the other crypto is not in a column.
- Convert: Trade; the asset received and its quantity come from the Notes (`Converted 0.5 ETH to 1,000
  USDC`) or, in the newest files, from the second line with the same ID. USD Value = Subtotal, the fair
  market value of what is received; Fee USD is left blank because Coinbase takes the fee or spread in the
  units converted: those units are disposed of at their value (docs/rules.md#gain-or-loss-of-one-disposal:
  fee units are disposed of), which cancels the fee as a cost, so the amount realized is the value
  received. A Convert of ETH to ETH2 is a move of the same asset: skipped.
- Retail Mgx Dex Trade (a swap on Coinbase's DEX): two lines with their own IDs a second apart, the
  asset given (negative) and the asset received (positive), both valued in USD: one Trade valued at the
  received line's Subtotal, with the given line's ID (the swap's fee is paid in the units given, as for
  a Convert). A line without its other side is not mapped.
- Staking Income, Rewards Income, Reward Income, Inflation Reward: Staking; Learning Reward, Coinbase
  Earn: Income; Interest Payout: Interest; Airdrop: Airdrop. USD Value = Subtotal (else Total). A
  reward paid in cash (USD) is listed: it is ordinary income, not a lot.
- Receive: Income when the Notes name a Coinbase reward (Coinbase Earn, Coinbase Rewards, Referral);
  otherwise not mapped (a transfer in or income: only the user knows).
- Send, Retail MGX DEX Send: not mapped (to a wallet of the user's, a Transfer; spent or given, a Spend).
- Moves inside the account: Retail Staking Transfer, Retail Unstaking Transfer, Retail Eth2 Deprecation,
  Portfolio Transfer, and a Send ETH2 with a Receive ETH of the same quantity in the same second (the
  ETH2 migration): skipped, not taxable.
- Deposit / Withdrawal of cash: skipped, not taxable. Pro/Exchange Deposit and Withdrawal (moves to and
  from Coinbase Pro) and every other type: not mapped, with what to enter.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    INTERNAL_SKIPPED,
    Builder,
    FieldError,
    Format,
    no_usd_message,
    parse_number,
    parse_us,
    receive_message,
    send_message,
)
from cryptotax_core.imports.coinbase_pairs import Line, add_trade, amount, dex_trades, migration_pairs, two_legs, value
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
    "price": ("Price at Transaction", "Spot Price at Transaction", "USD Spot Price at Transaction"),
    "subtotal": ("Subtotal", "USD Subtotal"),
    "total": ("Total (inclusive of fees and/or spread)", "Total (inclusive of fees)", "USD Total (inclusive of fees)"),
    "fees": ("Fees and/or Spread", "Fees", "USD Fees"),
    "notes": ("Notes",),
}
REQUIRED = ("time", "type", "asset", "quantity", "subtotal", "total")

ASSET_NAMES = {"ETH2": "ETH"}  # staked ETH under Coinbase's former name: the same asset
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
_INTERNAL = frozenset({"retail staking transfer", "retail unstaking transfer", "retail eth2 deprecation",
                       "portfolio transfer"})
_DEX_TRADE = "retail mgx dex trade"
_SENDS = frozenset({"send", "retail mgx dex send"})
_CONVERTED = re.compile(r"^Converted\s+([\d,]*\.?\d+)\s+(\S+)\s+to\s+([\d,]*\.?\d+)\s+(\S+)\s*$", re.IGNORECASE)
_PAIR = re.compile(r"\bon\s+([A-Za-z0-9]+)-([A-Za-z0-9]+)\b")
_FOR = re.compile(r"\bfor\s+\S*?[\d,]*\.?\d+\s+([A-Za-z0-9]+)\b")
_UNIT = re.compile(r"\s([A-Za-z]{3,5})\s*$")  # "249.73 USD"


def ticker(name: str) -> str:
    upper = name.strip().upper()
    return ASSET_NAMES.get(upper, upper)


def convert(source: Source, out: Builder) -> None:
    usd_columns = any(source.columns.name.get(field, "").upper().startswith("USD") for field in ("subtotal", "price"))
    converts: dict[str, list[Line]] = {}
    dex: list[Line] = []
    moves: list[Line] = []
    for row in source.rows:
        line = _read(row, out, usd_columns)
        out.advance()
        if line is None:
            continue
        kind = line.kind.lower()
        if kind == "convert" and row.get("id"):
            converts.setdefault(line.tx_id, []).append(line)
        elif kind == _DEX_TRADE:
            dex.append(line)
        elif kind in ("send", "receive"):
            moves.append(line)
        else:
            _map(line, out)
    for legs in converts.values():
        if len(legs) == 2:
            two_legs(legs, out)
        else:
            for leg in legs:
                _map(leg, out)
    dex_trades(dex, out)
    migration_pairs(moves, out, lambda line: _map(line, out))


def _read(row: Row, out: Builder, usd_columns: bool) -> Line | None:
    moment, date_only = _moment(row, out)
    quantity = out.number(row, "quantity")
    raw_asset = row.get("asset").upper()
    if not raw_asset:
        out.error(row, "asset", "the asset is missing")
    if moment is None or quantity is None or not raw_asset:
        return None
    currency = row.get("currency").upper() or ("USD" if usd_columns else "")
    usd = currency == "USD" and all(_unit(row.get(field)) in ("", "USD") for field in ("subtotal", "total"))
    return Line(row, row.get("type"), moment, ticker(raw_asset), raw_asset, quantity, out.own_id(row, row.get("id")),
                usd, row.get("notes"), date_only)


def _moment(row: Row, out: Builder) -> tuple[datetime | None, bool]:
    """The Timestamp: an ISO time in UTC, or a US date (10/06/2015) of the older reports, without a time."""
    text = row.get("time")
    if "/" not in text:
        return out.moment(row, "time"), False
    try:
        moment, has_time = parse_us(text)
    except FieldError as exc:
        out.error(row, "time", str(exc))
        return None, False
    return moment.replace(tzinfo=UTC), not has_time


def _unit(text: str) -> str:
    match = _UNIT.search(text)
    return match.group(1).upper() if match else ""


def _map(line: Line, out: Builder) -> None:
    kind = line.kind.lower()
    row, quantity = line.row, abs(line.quantity)
    if kind in _CASH_MOVES and line.asset in FIAT:
        out.skip(CASH_SKIPPED)
    elif kind in _INTERNAL:
        out.skip(INTERNAL_SKIPPED)
    elif kind in _BUYS or kind in _SELLS:
        _trade_with_cash(line, out, buy=kind in _BUYS)
    elif kind == "convert":
        _convert(line, out)
    elif kind in _INCOME or (kind == "receive" and any(word in line.notes.lower() for word in _REWARD_NOTES)):
        _income(line, out, _INCOME.get(kind, TxType.INCOME))
    elif kind in ("receive", "deposit"):
        total = amount(line, out, "total")
        out.cannot_map(row, "type", receive_message(out.wallet, line.asset, quantity, line.when, line.tx_id,
                                                    abs(total) if total and line.usd else None))
    elif kind in _SENDS or kind == "withdrawal":
        message = send_message(out.wallet, line.asset, quantity, line.when, line.tx_id)
        fee = amount(line, out, "fees")
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


def _trade_with_cash(line: Line, out: Builder, *, buy: bool) -> None:
    quantity, tx_type = abs(line.quantity), TxType.BUY if buy else TxType.SELL
    quote = _quote(line.notes)
    if line.usd and quote and quote != "USD":
        verb = "bought with" if buy else "sold for"
        out.cannot_map(line.row, "notes", f"{plain(quantity)} {line.asset} {verb} {quote} on {line.when.date()} "
                                          f"(not USD): enter a Trade ({quote} for {line.asset} or {line.asset} for "
                                          f"{quote}) with the quantities of the Notes and USD Value = the fair "
                                          f"market value of what you received (ID {line.tx_id})")
        return
    subtotal, total, fee = amount(line, out, "subtotal"), amount(line, out, "total"), amount(line, out, "fees")
    if not line.usd or (total is None and subtotal is None):
        out.cannot_map(line.row, "type", no_usd_message(f"a {line.kind}", tx_type, line.asset, quantity, line.when,
                                                        line.tx_id))
        return
    fee_usd = abs(fee or Decimal(0))
    if total is None:
        total = abs(subtotal or Decimal(0)) + (fee_usd if buy else -fee_usd)
    usd_value = abs(total) - fee_usd if buy else abs(total) + fee_usd
    out.add(line.row, line.tx_id, line.when, tx_type, line.asset, quantity, usd_value, fee_usd=fee_usd,
            note=line.notes or f"Coinbase {line.kind}", date_only=line.date_only)


def _quote(notes: str) -> str:
    """The currency the Notes say was paid or received: `... on ETH-USDC ...` or `... for 500 USD`."""
    pair = _PAIR.search(notes)
    if pair:
        return pair.group(2).upper()
    paid = _FOR.search(notes)
    return paid.group(1).upper() if paid else ""


def _income(line: Line, out: Builder, tx_type: TxType) -> None:
    quantity = abs(line.quantity)
    worth = value(line, out)
    if not line.usd or worth is None:
        out.cannot_map(line.row, "type", no_usd_message(f"a {line.kind}", tx_type, line.asset, quantity, line.when,
                                                        line.tx_id))
        return
    out.add(line.row, line.tx_id, line.when, tx_type, line.asset, quantity, worth,
            note=line.notes or f"Coinbase {line.kind}", date_only=line.date_only)


def _convert(line: Line, out: Builder) -> None:
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
    sent, received = ticker(match.group(2)), ticker(match.group(4))
    if sent == received:
        out.skip(INTERNAL_SKIPPED)  # ETH to ETH2: the same asset, staked
        return
    if line.asset == sent:
        sent_quantity = abs(line.quantity)
    elif line.asset == received:
        received_quantity = abs(line.quantity)
    else:
        out.cannot_map(line.row, "notes", f"the Notes convert {sent} to {received} but the Asset is {line.asset}: "
                                          f"enter the Trade by hand (ID {line.tx_id})")
        return
    add_trade(line, out, sent, sent_quantity, received, received_quantity, line)


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
