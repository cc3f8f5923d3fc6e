"""Coinbase lines that are one transaction written as two: a Convert on two lines with one ID, a
Retail Mgx Dex Trade (a swap on Coinbase's DEX: two IDs a second apart), and the same-second Send ETH2 /
Receive ETH pair of the ETH2 migration. The layout and what each becomes are in `coinbase`'s docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cryptotax_core.imports.builder import INTERNAL_SKIPPED, Builder
from cryptotax_core.imports.source import Row
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

DEX_PAIR_SECONDS = timedelta(seconds=2)  # the two lines of one DEX swap are written a second apart


@dataclass(frozen=True, slots=True)
class Line:
    """One Coinbase line read: what every type needs."""

    row: Row
    kind: str  # the Transaction Type as written
    when: datetime
    asset: str  # the ticker, ETH2 read as ETH
    raw_asset: str  # as written
    quantity: Decimal  # as signed in the file
    tx_id: str
    usd: bool  # the amounts are in USD
    notes: str
    date_only: bool = False  # the file gives the day without a time (older US reports)


def amount(line: Line, out: Builder, field: str) -> Decimal | None:
    """A USD amount of the line (blank: None); `$`, thousands separators and a trailing unit are read."""
    return out.number(line.row, field, required=False, units=True)


def value(line: Line, out: Builder) -> Decimal | None:
    """The line's value before fees: its Subtotal; Total less Fees when the Subtotal is blank, or is 0
    beside a Total that is not (the older US reports write `0 USD` there)."""
    subtotal, total = amount(line, out, "subtotal"), amount(line, out, "total")
    if subtotal is not None and (subtotal or not total):
        return abs(subtotal)
    if total is None:
        return None
    return abs(total) - abs(amount(line, out, "fees") or Decimal(0))


def add_trade(line: Line, out: Builder, sent: str, sent_quantity: Decimal, received: str, received_quantity: Decimal,
              valued: Line) -> None:
    """A Trade whose USD Value is the Subtotal of `valued` (the line of what is received): the value
    received. The fee or spread is paid in the units given, so it is not a Fee USD."""
    subtotal = value(valued, out)
    if not valued.usd or subtotal is None:
        out.cannot_map(line.row, "type", f"a {line.kind} of {plain(sent_quantity)} {sent} to "
                                         f"{plain(received_quantity)} {received} on {line.when.date()} has no USD "
                                         f"value in the file: enter a Trade with USD Value = the fair market value "
                                         f"of the {received} received (ID {line.tx_id})")
        return
    fee = amount(line, out, "fees")
    note = line.notes or f"Coinbase {line.kind} {sent} to {received}"
    if fee and line.usd:
        note += f" (fee/spread USD {plain(abs(fee))}, paid in the {sent} given)"
    out.add(line.row, line.tx_id, line.when, TxType.TRADE, sent, sent_quantity, abs(subtotal), received_asset=received,
            received_quantity=received_quantity, note=note, date_only=line.date_only)


def two_legs(legs: list[Line], out: Builder) -> None:
    """The newest files write a Convert as two lines with one ID: the asset given (negative quantity) and
    the asset received (positive quantity, its Subtotal the value received)."""
    given = [leg for leg in legs if leg.quantity < 0]
    taken = [leg for leg in legs if leg.quantity > 0]
    if len(given) == 1 and len(taken) == 1 and given[0].asset == taken[0].asset:
        out.skip(INTERNAL_SKIPPED)  # ETH to ETH2: the same asset, staked
        out.skip(INTERNAL_SKIPPED)
        return
    if len(given) != 1 or len(taken) != 1:
        for leg in legs:
            out.cannot_map(leg.row, "quantity", f"the two Convert lines with ID {leg.tx_id} (lines "
                                                f"{legs[0].row.line} and {legs[1].row.line}) are not one asset out "
                                                f"and another in: enter the Trade by hand")
        return
    add_trade(given[0], out, given[0].asset, abs(given[0].quantity), taken[0].asset, taken[0].quantity, taken[0])


def dex_trades(lines: list[Line], out: Builder) -> None:
    """Retail Mgx Dex Trade lines, paired in time order: the line given (negative) and the line received
    (positive) written within two seconds of each other are one Trade, valued at the Subtotal of the line
    received; its ID is the given line's."""
    pending = sorted(lines, key=lambda line: (line.when, line.row.line))
    index = 0
    while index < len(pending):
        line = pending[index]
        after = pending[index + 1] if index + 1 < len(pending) else None
        if (after is not None and after.when - line.when <= DEX_PAIR_SECONDS
                and (line.quantity < 0) != (after.quantity < 0) and line.asset != after.asset):
            given, taken = (line, after) if line.quantity < 0 else (after, line)
            add_trade(given, out, given.asset, abs(given.quantity), taken.asset, abs(taken.quantity), taken)
            index += 2
            continue
        out.cannot_map(line.row, "type", f"a Retail Mgx Dex Trade of {plain(line.quantity)} {line.asset} on "
                                         f"{line.when.date()} has no other side within two seconds: enter the Trade "
                                         f"(what was given and what was received) by hand (ID {line.tx_id})")
        index += 1


def migration_pairs(lines: list[Line], out: Builder, single: Callable[[Line], None]) -> None:
    """Sends and receives: a Send and a Receive in the same second of the same quantity whose assets are
    one asset under two names (Send ETH2, Receive ETH) are a move inside the account, skipped; every other
    line goes to `single`."""
    by_key: dict[tuple[datetime, Decimal, str], list[Line]] = {}
    for line in lines:
        by_key.setdefault((line.when, abs(line.quantity), line.asset), []).append(line)
    for group in by_key.values():
        kinds = sorted(line.kind.lower() for line in group)
        if kinds == ["receive", "send"] and group[0].raw_asset != group[1].raw_asset:
            out.skip(INTERNAL_SKIPPED)
            out.skip(INTERNAL_SKIPPED)
            continue
        for line in group:
            single(line)
