"""Kraken: the ledgers export (kraken.com > History > Export > Ledgers, CSV: `ledgers.csv`).

Layout accepted, as Kraken documents it ("How to interpret Ledger history fields",
support.kraken.com/hc/en-us/articles/360001169383): `txid, refid, time, type, subtype, aclass, asset,
amount, fee, balance`; newer exports add `wallet` (e.g. `spot / main`) and some `subclass`. Columns are
found by name, so every variant works. Every field is usually quoted. `time` is UTC
(`2024-03-19 19:41:07`); `amount` is signed (credited +, debited -), `fee` is in the same asset and is
debited on top (`balance = old balance + amount - fee`). One ledger line moves one asset; the two legs of
a trade share a `refid`. Assets use Kraken's codes: XXBT/XBT is BTC, XXDG is DOGE, Z-prefixed codes are
fiat (ZUSD), and suffixes such as `.S`, `.M`, `.F`, `.B`, `.P` mark staked or earning balances of the
same asset (DOT.S is DOT).

Kraken's `trades.csv` (txid, ordertxid, pair, ...) is the `kraken-trades` format; the ledger is the
better export: it has every movement, and the trades file lacks deposits, withdrawals and rewards. A
trade's ID is the same in both (its refid here, its txid there), so importing both keeps it once.

The ledger has no USD value of anything but USD itself, and this importer never guesses a price:
- trade / spend+receive (Buy Crypto) pairs against USD: Buy (USD Value = USD paid, Fee USD = the USD
  leg's fee) or Sell (USD Value = USD received, Fee USD = its fee). A fee charged in the crypto leg
  changes the units: a Buy counts the units that arrive (amount - fee), a Sell the units that leave
  (amount + fee). The ID is `kraken:<refid>`.
- trades between two cryptos, or against another fiat (EUR...): not mapped, saying which USD value to
  supply.
- staking (and earn/reward), airdrops and forks (transfer without subtype), dividends, invite bonuses:
  not mapped: income needs its fair market value in USD.
- deposit / withdrawal of fiat: skipped, not taxable. Of crypto: not mapped (transfer or not: only the
  user knows); a withdrawal's fee is named.
- transfers between spot, staking, earn and futures accounts (subtypes like spottostaking, earn
  allocation/deallocation): skipped, the units stay the user's.
- lines without a txid (failed or pending): skipped. Every other type (margin, rollover, settled,
  adjustment...): not mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    INTERNAL_SKIPPED,
    Builder,
    Format,
    no_usd_message,
    receive_message,
    send_message,
)
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "kraken"
WALLET = "Kraken"
FIELDS = {name: (name,) for name in ("txid", "refid", "time", "type", "subtype", "asset", "amount", "fee")}
REQUIRED = ("txid", "refid", "time", "type", "asset", "amount", "fee")

_LEGACY_CODES = {
    "XXBT": "BTC", "XBT": "BTC", "XETH": "ETH", "ETH2": "ETH", "XXDG": "DOGE", "XDG": "DOGE", "XLTC": "LTC",
    "XXRP": "XRP", "XXLM": "XLM", "XXMR": "XMR", "XETC": "ETC", "XZEC": "ZEC", "XMLN": "MLN", "XREP": "REP",
    "ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD",
}
_BALANCE_SUFFIXES = frozenset({"S", "M", "P", "F", "B", "HOLD"})
_TRADE_TYPES = frozenset({"trade", "spend", "receive"})
_INTERNAL_SUBTYPES = frozenset({"spottostaking", "stakingfromspot", "stakingtospot", "spotfromstaking",
                                "spottofutures", "spotfromfutures", "allocation", "deallocation",
                                "autoallocation", "migration"})
_FEE_CREDITS = "KFEE"  # Kraken's fee credits: a discount voucher, not an asset
INCOMPLETE_SKIPPED = "ledger lines without a txid (failed or pending, moved nothing)"


def asset_code(code: str) -> str:
    """Kraken's asset code as a common ticker: XXBT -> BTC, ZUSD -> USD, DOT.S -> DOT, ETH2.S -> ETH."""
    name = code.strip().upper()
    base, _, suffix = name.partition(".")
    if suffix not in _BALANCE_SUFFIXES:
        base = name
    return _LEGACY_CODES.get(base, base)


@dataclass(frozen=True, slots=True)
class _Leg:
    row: Row
    txid: str
    refid: str
    when: datetime
    kind: str
    subtype: str
    asset: str
    amount: Decimal
    fee: Decimal


def convert(source: Source, out: Builder) -> None:
    legs: list[_Leg] = []
    for row in source.rows:
        leg = _read(row, out)
        out.advance()
        if leg is not None:
            legs.append(leg)
    trades: dict[str, list[_Leg]] = {}
    for leg in legs:
        if leg.kind in _TRADE_TYPES:
            trades.setdefault(leg.refid, []).append(leg)
    done: set[str] = set()
    for leg in legs:
        if leg.kind not in _TRADE_TYPES:
            _single(leg, out)
        elif leg.refid not in done:
            done.add(leg.refid)
            _trade(trades[leg.refid], out)


def _read(row: Row, out: Builder) -> _Leg | None:
    errors_before = len(out.errors)
    when = out.moment(row, "time")
    amount = out.number(row, "amount")
    fee = out.number(row, "fee", required=False)
    if not row.get("asset"):
        out.error(row, "asset", "the asset is missing")
    if when is None or amount is None or len(out.errors) > errors_before:
        return None
    if not row.get("txid"):
        out.skip(INCOMPLETE_SKIPPED)
        return None
    return _Leg(row, row.get("txid"), row.get("refid"), when, row.get("type").lower(), row.get("subtype").lower(),
                asset_code(row.get("asset")), amount, abs(fee or Decimal(0)))


def _single(leg: _Leg, out: Builder) -> None:
    tx_id = f"{NAME}:{leg.txid}"
    if leg.kind in ("deposit", "withdrawal") and leg.asset in FIAT:
        out.skip(CASH_SKIPPED)
    elif leg.kind == "deposit" and leg.amount > 0:
        out.cannot_map(leg.row, "type", receive_message(out.wallet, leg.asset, leg.amount - leg.fee, leg.when, tx_id))
    elif leg.kind == "withdrawal" and leg.amount < 0:
        out.cannot_map(leg.row, "type", send_message(out.wallet, leg.asset, -leg.amount, leg.when, tx_id, leg.fee))
    elif leg.subtype in _INTERNAL_SUBTYPES and leg.kind in ("transfer", "earn", "staking"):
        out.skip(INTERNAL_SKIPPED)
    elif leg.amount > 0 and (leg.kind == "staking" or (leg.kind == "earn" and leg.subtype == "reward")):
        out.cannot_map(leg.row, "type", no_usd_message("a staking reward", TxType.STAKING, leg.asset,
                                                       leg.amount - leg.fee, leg.when, tx_id))
    elif leg.amount > 0 and leg.kind == "transfer" and not leg.subtype:
        out.cannot_map(leg.row, "type", no_usd_message("an airdrop or fork credit", TxType.AIRDROP, leg.asset,
                                                       leg.amount - leg.fee, leg.when, tx_id))
    elif leg.amount > 0 and leg.kind in ("dividend", "invite bonus", "reward"):
        out.cannot_map(leg.row, "type", no_usd_message(f"a {leg.kind}", TxType.INCOME, leg.asset,
                                                       leg.amount - leg.fee, leg.when, tx_id))
    else:
        subtype = f"/{leg.subtype}" if leg.subtype else ""
        out.cannot_map(leg.row, "type", f"the Kraken ledger type '{leg.kind}{subtype}' ({plain(leg.amount)} "
                                        f"{leg.asset} on {leg.when.date()}) is not imported: enter it by hand if "
                                        f"it changed your holdings (ID {tx_id})")


def _trade(group: list[_Leg], out: Builder) -> None:
    first = group[0]
    tx_id = f"{NAME}:{first.refid}"
    lines = ", ".join(str(leg.row.line) for leg in group)
    moving = [leg for leg in group if leg.amount != 0]
    given = [leg for leg in moving if leg.amount < 0]
    taken = [leg for leg in moving if leg.amount > 0]
    if len(given) != 1 or len(taken) != 1:
        out.cannot_map(first.row, "refid", f"the ledger lines of trade {first.refid} (lines {lines}) are not one "
                                           f"asset out and one in: enter the trade by hand (ID {tx_id})")
        return
    sent, got = given[0], taken[0]
    sent_quantity, got_quantity = -sent.amount + sent.fee, got.amount - got.fee
    usd_fee = sum((leg.fee for leg in group if leg.asset == "USD" and leg.amount == 0), Decimal(0))
    for leg in group:
        if leg.amount == 0 and leg.fee and leg.asset not in ("USD", _FEE_CREDITS):
            out.cannot_map(leg.row, "fee", no_usd_message(f"a trading fee of trade {first.refid}", TxType.SPEND,
                                                          leg.asset, leg.fee, leg.when, f"{tx_id}:fee"))
    note = f"Kraken {first.kind} {first.refid}"
    if sent.asset == "USD":
        out.add(first.row, tx_id, sent.when, TxType.BUY, got.asset, got_quantity, -sent.amount,
                fee_usd=sent.fee + usd_fee, note=note)
    elif got.asset == "USD":
        out.add(first.row, tx_id, sent.when, TxType.SELL, sent.asset, sent_quantity, got.amount,
                fee_usd=got.fee + usd_fee, note=note)
    else:
        fiat = next((asset for asset in (sent.asset, got.asset) if asset in FIAT), "")
        why = f"it is priced in {fiat}" if fiat else "Kraken's ledger has no USD value of a crypto-to-crypto trade"
        out.cannot_map(first.row, "asset", f"a trade of {plain(sent_quantity)} {sent.asset} for "
                                           f"{plain(got_quantity)} {got.asset} on {sent.when.date()} (lines {lines}): "
                                           f"{why}; enter a Trade of Quantity {plain(sent_quantity)} {sent.asset} "
                                           f"with Received Asset {got.asset}, Received Quantity {plain(got_quantity)} "
                                           f"and USD Value = the fair market value in USD of the {got.asset} "
                                           f"received (ID {tx_id})")


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
