"""Properties of the lot engine that must hold for every valid history (docs/rules.md#gain-or-loss-of-one-disposal;
Holding period; Which units are sold).

`histories()` builds random valid tables: a few assets, 1-3 wallets, distinct days from 2023 to mid-2026
(so universal pooling before 2025 and per-wallet basis after it both occur), every row type, 8- and
18-decimal quantities, fees, network fees paid in units, and Lot IDs that name lots still certainly whole.
It tracks the units each wallet holds so that no row disposes of or moves more than is there.

Sums over the engine's output are taken in a wide context that traps inexact results, so the test's own
arithmetic is exact, and every equality below is exact Decimal equality.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, Inexact, localcontext
from functools import cache
from typing import TypeVar

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core import (
    COLUMNS,
    Disposal,
    DisposalKind,
    Method,
    Pooling,
    Result,
    Settings,
    TransferFee,
    compute_table,
    is_long_term,
)

TODAY = date(2026, 11, 22)
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2026, 6, 30)
PER_WALLET_FROM = date(2025, 1, 1)  # Treas. Reg. 1.1012-1(j) (docs/rules.md#which-units-are-sold)
ASSETS = ("BTC", "ETH", "SOL")
WALLETS = ("Coinbase", "Ledger", "Kraken")
OTHER_NAMES = ("Coinbase", "Ledger", "Kraken", "Trezor", "Binance", "MetaMask", "cold storage", "Wallet 7",
               "Ümlaut", "x")  # distinct even ignoring case: wallet names match case-insensitively
INCOME_TYPES = ("Staking", "Mining", "Airdrop", "Interest", "Income")
DISPOSAL_KINDS = {"Sell": DisposalKind.SELL, "Spend": DisposalKind.SPEND, "Trade": DisposalKind.TRADE}
SCALES = (0, 2, 8, 18)  # decimals of a quantity: whole units, cents-like, satoshis, wei
DATE_STYLES = ("iso", "date", "datetime")  # how a Date cell is written: "2025-03-14", a date, a datetime
ZERO = Decimal(0)
WEI = Decimal("1e-18")
T = TypeVar("T")
FEW = settings(max_examples=30, deadline=None)  # for tests parametrized many ways
FAST = settings(max_examples=50, deadline=None)
THOROUGH = settings(max_examples=100, deadline=None)


# -- exact arithmetic ---------------------------------------------------------------------------------
@contextmanager
def exact() -> Iterator[None]:
    """A context in which any rounding raises `Inexact`: the test's own arithmetic never hides a cent."""
    with localcontext() as context:
        context.prec = 1000
        context.traps[Inexact] = True
        yield


def total(values: Iterable[Decimal]) -> Decimal:
    with exact():
        return sum(values, ZERO)


# -- the rows a history is made of ------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    tx_id: str
    day: date
    tx_type: str
    asset: str
    wallet: str
    quantity: Decimal
    usd_value: Decimal | None = None
    fee_usd: Decimal = ZERO
    to_wallet: str = ""
    received_asset: str = ""
    received_quantity: Decimal | None = None
    lot_ids: str = ""
    date_style: str = "iso"

    @property
    def fee_units(self) -> Decimal:
        """Units a Transfer loses to the network fee (Quantity - Received Quantity)."""
        if self.tx_type != "Transfer" or self.received_quantity is None:
            return ZERO
        with exact():
            return self.quantity - self.received_quantity

    def cells(self, as_text: bool) -> list[object]:
        def number(value: Decimal | None) -> object:
            if value is None:
                return ""
            return format(value, "f") if as_text else value

        when: object = {"iso": self.day.isoformat(), "date": self.day,
                        "datetime": datetime.combine(self.day, time(12, 30))}[self.date_style]
        by_column: dict[str, object] = {
            "ID": self.tx_id, "Date": when, "Type": self.tx_type, "Asset": self.asset,
            "Quantity": number(self.quantity), "USD Value": number(self.usd_value),
            "Fee USD": number(self.fee_usd) if self.fee_usd else "", "Wallet": self.wallet,
            "To Wallet": self.to_wallet, "Received Asset": self.received_asset,
            "Received Quantity": number(self.received_quantity), "Lot IDs": self.lot_ids,
        }
        return [by_column.get(column, "") for column in COLUMNS]


@dataclass(frozen=True)
class History:
    rows: tuple[Row, ...]
    as_text: bool = False  # numbers as text cells ("0.5") rather than Decimals
    held_at_2025: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (asset, wallet) -> units
    held_at_end: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # held after the last row

    def run(self, **options: object) -> Result:
        cells = [row.cells(self.as_text) for row in self.rows]
        return compute_table(list(COLUMNS), cells, Settings(**options), today=TODAY)  # type: ignore[arg-type]


# -- strategies -----------------------------------------------------------------------------------------
# A history takes hundreds of draws; the strategies are built once (functools.cache) rather than per draw,
# which keeps generation several times faster.
@cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def pick(draw: st.DrawFn, choices: Sequence[T]) -> T:
    """One of `choices`; shrinks towards the first."""
    return choices[draw(_integers(0, len(choices) - 1))]


def flip(draw: st.DrawFn) -> bool:
    return draw(_integers(0, 1)) == 1


def quantity_of(draw: st.DrawFn) -> Decimal:
    """A positive quantity of up to ~1000 units with 0, 2, 8 or 18 decimals."""
    scale = pick(draw, SCALES)
    return Decimal(draw(_integers(1, 10 ** (scale + 3)))).scaleb(-scale)


def part_of(draw: st.DrawFn, held: Decimal) -> Decimal:
    """A positive quantity not above `held`: all of it, or a whole number of 10^-k units below it."""
    if flip(draw):
        return held
    scale = pick(draw, SCALES)
    with exact():
        limit = int(held.scaleb(scale))
    if limit < 1:
        return held
    return Decimal(draw(st.integers(1, limit))).scaleb(-scale)


def usd_of(draw: st.DrawFn) -> Decimal:
    """0 to 1,000,000 USD, in cents."""
    return Decimal(draw(_integers(0, 10**8))).scaleb(-2)


def fee_of(draw: st.DrawFn) -> Decimal:
    """No fee half of the time, else up to 1,000 USD in cents."""
    return Decimal(max(0, draw(_integers(-(10**5), 10**5)))).scaleb(-2)


def lot_picks(draw: st.DrawFn, fresh: dict[str, Decimal], quantity: Decimal) -> str:
    """Lot IDs for a disposal of `quantity`: one or two of the `fresh` lots (untouched since acquired), each
    with a number of units it certainly still has, or bare (take what it has), naming at most `quantity`."""
    if not fresh or not flip(draw):
        return ""
    candidates = sorted(fresh)
    named = [pick(draw, candidates)]
    other = pick(draw, candidates)
    if other not in named and flip(draw):
        named.append(other)
    budget = quantity
    picks = []
    for lot_id in named:
        if budget <= 0 or flip(draw):
            picks.append(lot_id)
            continue
        units = part_of(draw, min(fresh[lot_id], budget))
        with exact():
            budget -= units
        picks.append(f"{lot_id}:{format(units, 'f')}")
    return ", ".join(picks)


# Days where the rules turn: leap days, the year ends around the 2025 switch to per-wallet basis.
EDGE_DAYS = (date(2023, 2, 28), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31),
             date(2025, 1, 1), date(2025, 2, 28), date(2025, 3, 1), date(2025, 12, 31), date(2026, 1, 1))
ALL_DAYS = st.dates(FIRST_DAY, LAST_DAY) | st.sampled_from(EDGE_DAYS)


def days_of(draw: st.DrawFn, count: int) -> list[date]:
    """`count` distinct days, ascending. Some are a year (give or take a day) after an earlier one, so
    that units are often disposed of right at the end of the holding period (docs/rules.md#holding-period)."""
    days = set(draw(st.lists(ALL_DAYS, min_size=(2 * count + 2) // 3, max_size=count, unique=True)))
    for earlier in sorted(days):
        if len(days) >= count:
            break
        echo = earlier + relativedelta(years=1) + timedelta(days=pick(draw, (0, 1, -1, 2)))
        if echo <= LAST_DAY and flip(draw):
            days.add(echo)
    return sorted(days)


@st.composite
def histories(draw: st.DrawFn, max_rows: int = 40) -> History:  # noqa: C901
    """A random valid history; see the module docstring. Above the complexity limit: one draw per row
    type in one order, so that Hypothesis shrinks a failing history row by row."""
    wallets = WALLETS[: pick(draw, (2, 3, 1))]
    assets = ASSETS[: draw(_integers(1, len(ASSETS)))]
    days = days_of(draw, draw(_integers(1, max_rows)))
    style = pick(draw, DATE_STYLES)
    held: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (wallet, asset) -> units
    # Lots acquired in (wallet, asset) since anything last left it, under any pooling: before 2025 the
    # universal pool may relieve any wallet's lots, and the 2025 allocation may move lots between wallets.
    fresh: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    held_at_2025: dict[tuple[str, str], Decimal] | None = None
    rows: list[Row] = []

    def snapshot() -> dict[tuple[str, str], Decimal]:
        return {(asset, wallet): units for (wallet, asset), units in held.items() if units}

    def outflow(wallet: str, asset: str, day: date, units: Decimal) -> None:
        with exact():
            held[(wallet, asset)] -= units
        for key in list(fresh):
            if key[1] == asset and (key[0] == wallet or day < PER_WALLET_FROM):
                fresh[key].clear()

    def inflow(wallet: str, asset: str, units: Decimal, lot_id: str | None) -> None:
        with exact():
            held[(wallet, asset)] += units
        if lot_id is not None:
            fresh[(wallet, asset)][lot_id] = units

    for index, day in enumerate(days):
        if held_at_2025 is None and day >= PER_WALLET_FROM:
            held_at_2025 = snapshot()
            fresh.clear()
        tx_id = f"T{index + 1}"
        positions = sorted(key for key, units in held.items() if units > 0)
        kinds = ["Buy", "Income"]
        if positions:
            kinds += ["Sell", "Spend", "Trade"] + (["Transfer"] if len(wallets) > 1 else [])
        kind = pick(draw, kinds)
        if kind in ("Buy", "Income"):
            wallet, asset = pick(draw, wallets), pick(draw, assets)
            quantity = quantity_of(draw)
            tx_type = "Buy" if kind == "Buy" else pick(draw, INCOME_TYPES)
            rows.append(Row(tx_id, day, tx_type, asset, wallet, quantity, usd_of(draw), fee_of(draw),
                            date_style=style))
            inflow(wallet, asset, quantity, tx_id)
            continue
        wallet, asset = pick(draw, positions)
        quantity = part_of(draw, held[(wallet, asset)])
        picks = lot_picks(draw, fresh[(wallet, asset)], quantity)
        outflow(wallet, asset, day, quantity)
        if kind == "Transfer":
            to_wallet = pick(draw, [other for other in wallets if other != wallet])
            received = pick(draw, [None, quantity])  # Received Quantity blank, or all units arrive
            if quantity > WEI and flip(draw):  # some units are lost to the network fee
                with exact():
                    received = quantity - part_of(draw, quantity - WEI)
            rows.append(Row(tx_id, day, "Transfer", asset, wallet, quantity, None, fee_of(draw), to_wallet,
                            received_quantity=received, lot_ids=picks, date_style=style))
            inflow(to_wallet, asset, quantity if received is None else received, None)
        elif kind == "Trade":
            received_asset = pick(draw, [other for other in ASSETS if other != asset])
            received_quantity = quantity_of(draw)
            rows.append(Row(tx_id, day, "Trade", asset, wallet, quantity, usd_of(draw), fee_of(draw),
                            received_asset=received_asset, received_quantity=received_quantity, lot_ids=picks,
                            date_style=style))
            inflow(wallet, received_asset, received_quantity, tx_id)
        else:
            rows.append(Row(tx_id, day, kind, asset, wallet, quantity, usd_of(draw), fee_of(draw),
                            lot_ids=picks, date_style=style))
    # A history that ends before 2025 is allocated at its end (engine.finish): the same holdings.
    return History(tuple(rows), flip(draw), held_at_2025 if held_at_2025 is not None else snapshot(), snapshot())


# -- what the rows put in -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inflow:
    """Per asset: units and basis acquired, and the corrections a TransferFee setting makes."""

    units: dict[str, Decimal]
    basis: dict[str, Decimal]
    fee_units: dict[str, Decimal]  # units lost to network fees on transfers
    fee_usd_without_units: dict[str, Decimal]  # Fee USD of transfers that lose no units


def inflow_of(rows: Iterable[Row]) -> Inflow:
    """Buy: Quantity at USD Value + Fee USD; income: Quantity at USD Value (the fee is not used);
    Trade: Received Quantity at USD Value (docs/rules.md#gain-or-loss-of-one-disposal)."""
    units: dict[str, Decimal] = defaultdict(Decimal)
    basis: dict[str, Decimal] = defaultdict(Decimal)
    fee_units: dict[str, Decimal] = defaultdict(Decimal)
    fee_usd: dict[str, Decimal] = defaultdict(Decimal)
    with exact():
        for row in rows:
            value = row.usd_value if row.usd_value is not None else ZERO
            if row.tx_type == "Buy":
                units[row.asset] += row.quantity
                basis[row.asset] += value + row.fee_usd
            elif row.tx_type in INCOME_TYPES:
                units[row.asset] += row.quantity
                basis[row.asset] += value
            elif row.tx_type == "Trade":
                assert row.received_quantity is not None
                units[row.received_asset] += row.received_quantity
                basis[row.received_asset] += value
            elif row.tx_type == "Transfer":
                if row.fee_units:
                    fee_units[row.asset] += row.fee_units
                else:
                    fee_usd[row.asset] += row.fee_usd
    return Inflow(units, basis, fee_units, fee_usd)


def units_out(result: Result, asset: str) -> Decimal:
    """Units disposed of plus units still open."""
    return total([d.quantity for d in result.disposals if d.asset == asset]
                 + [lot.quantity for lot in result.lots if lot.asset == asset])


def basis_out(result: Result, asset: str) -> Decimal:
    """Basis relieved by disposals plus basis of the open lots."""
    return total([d.cost_basis for d in result.disposals if d.asset == asset]
                 + [lot.cost_basis for lot in result.lots if lot.asset == asset])


def open_units(result: Result) -> dict[tuple[str, str], Decimal]:
    """Units in open lots per (asset, wallet)."""
    units: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with exact():
        for lot in result.lots:
            assert lot.quantity > 0
            units[(lot.asset, lot.wallet)] += lot.quantity
    return dict(units)


def assert_conserved(history: History, result: Result, transfer_fee: TransferFee) -> None:
    """Per asset, with DISPOSE: units in == units disposed + units open; basis in == basis disposed + basis
    open. With BASIS the fee units vanish without a disposal (their basis stays with the units that
    arrive), and the Fee USD of a transfer that loses no units is added to basis:
        units in - fee units == units disposed + open
        basis in + Fee USD of transfers without fee units == basis disposed + open."""
    put_in = inflow_of(history.rows)
    for asset in ASSETS:
        expected_units, expected_basis = put_in.units[asset], put_in.basis[asset]
        if transfer_fee is TransferFee.BASIS:
            with exact():
                expected_units -= put_in.fee_units[asset]
                expected_basis += put_in.fee_usd_without_units[asset]
        assert units_out(result, asset) == expected_units, asset
        assert basis_out(result, asset) == expected_basis, asset
    assert open_units(result) == history.held_at_end


# -- 1, 2: conservation -----------------------------------------------------------------------------------
@THOROUGH
@given(histories())
@pytest.mark.parametrize("transfer_fee", list(TransferFee))
def test_units_are_conserved(transfer_fee: TransferFee, history: History) -> None:
    """Every unit acquired (Buy, income, Trade received) is either disposed of or still in an open lot.
    With TransferFee.DISPOSE, units lost to a network fee are disposals of kind "fee" (Treas. Reg.
    1.1001-7(b)(1)(ii), docs/rules.md#gain-or-loss-of-one-disposal); with BASIS they leave without a disposal. And
    each wallet's open lots
    hold exactly the units that wallet holds: basis is tracked per wallet (docs/rules.md#which-units-are-sold)."""
    result = history.run(transfer_fee=transfer_fee)
    assert open_units(result) == history.held_at_end
    put_in = inflow_of(history.rows)
    for asset in ASSETS:
        expected = put_in.units[asset]
        if transfer_fee is TransferFee.BASIS:
            with exact():
                expected -= put_in.fee_units[asset]
        assert units_out(result, asset) == expected, asset
    fee_disposals = [d for d in result.disposals if d.kind is DisposalKind.FEE]
    if transfer_fee is TransferFee.BASIS:
        assert fee_disposals == []
    else:
        assert total(d.quantity for d in fee_disposals) == total(row.fee_units for row in history.rows)


@THOROUGH
@given(histories())
@pytest.mark.parametrize("transfer_fee", list(TransferFee))
def test_basis_is_conserved(transfer_fee: TransferFee, history: History) -> None:
    """Basis is never created or lost, only moved (docs/rules.md#gain-or-loss-of-one-disposal: basis = USD paid +
    fees; income and trades
    at fair market value; transfers keep basis). Exact identity per asset:
        DISPOSE: sum(Buy USD + Fee) + sum(income USD) + sum(Trade USD into the asset)
                 == sum(disposal cost_basis) + sum(open lot cost_basis)
        BASIS:   the same, plus on the left the Fee USD of every Transfer that loses no units (engine.transfer
                 adds it to the moved units; when units are lost, their own basis moves instead)."""
    result = history.run(transfer_fee=transfer_fee)
    put_in = inflow_of(history.rows)
    for asset in ASSETS:
        expected = put_in.basis[asset]
        if transfer_fee is TransferFee.BASIS:
            with exact():
                expected += put_in.fee_usd_without_units[asset]
        assert basis_out(result, asset) == expected, asset


# -- 3, 4: each disposal ----------------------------------------------------------------------------------
@THOROUGH
@given(histories())
def test_slices_of_a_row_add_up_to_the_row(history: History) -> None:
    """A row disposed of in slices (one per lot) realizes exactly its amount: USD Value - Fee USD for
    Sell/Spend/Trade, Fee USD for the units a Transfer loses to the network fee
    (docs/rules.md#gain-or-loss-of-one-disposal). Each slice: gain = proceeds - cost_basis, quantity > 0, disposed on
    the row's day."""
    result = history.run()
    by_row: dict[str, list[Disposal]] = defaultdict(list)
    for disposal in result.disposals:
        assert disposal.quantity > 0
        with exact():
            assert disposal.gain == disposal.proceeds - disposal.cost_basis
        by_row[disposal.tx_id].append(disposal)
    for row in history.rows:
        slices = by_row.pop(row.tx_id, [])
        if row.tx_type in DISPOSAL_KINDS:
            assert row.usd_value is not None
            with exact():
                realized = row.usd_value - row.fee_usd
            assert {d.kind for d in slices} == {DISPOSAL_KINDS[row.tx_type]}
            assert total(d.quantity for d in slices) == row.quantity
            assert total(d.proceeds for d in slices) == realized, row.tx_id
        elif row.tx_type == "Transfer" and row.fee_units:
            assert {d.kind for d in slices} == {DisposalKind.FEE}
            assert total(d.quantity for d in slices) == row.fee_units
            assert total(d.proceeds for d in slices) == row.fee_usd, row.tx_id
        else:
            assert slices == [], row.tx_id
        assert all(d.disposed == row.day and d.asset == row.asset and d.wallet == row.wallet for d in slices)
    assert by_row == {}


@THOROUGH
@given(histories())
def test_term_follows_the_holding_period(history: History) -> None:
    """Long-term iff held more than one year (docs/rules.md#holding-period). Transfers keep the acquisition
    date, so every slice and open lot is dated by the row that acquired it (its lot ID), never after the
    disposal; with universal pooling too, where the 2025 allocation moves lots between wallets."""
    acquired_on = {row.tx_id: row.day for row in history.rows}
    for method, pooling in ((Method.FIFO, Pooling.WALLET), (Method.LIFO, Pooling.UNIVERSAL)):
        result = history.run(method=method, pooling=pooling)
        for disposal in result.disposals:
            assert disposal.acquired == acquired_on[disposal.lot_id] <= disposal.disposed
            assert (disposal.term.value == "long") is is_long_term(disposal.acquired, disposal.disposed)
        assert all(lot.acquired == acquired_on[lot.lot_id] for lot in result.lots)


# -- 5, 6: invariance ---------------------------------------------------------------------------------------
def disposal_keys(result: Result, wallet_name: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    rename = wallet_name or {}
    return sorted((d.tx_id, d.lot_id, rename.get(d.wallet, d.wallet), d.quantity, d.proceeds, d.cost_basis,
                   d.acquired, d.disposed, d.term.value, d.kind.value) for d in result.disposals)


def lot_keys(result: Result, wallet_name: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    rename = wallet_name or {}
    return sorted((lot.lot_id, lot.asset, rename.get(lot.wallet, lot.wallet), lot.acquired, lot.quantity,
                   lot.cost_basis) for lot in result.lots)


def allocation_keys(result: Result, wallet_name: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    rename = wallet_name or {}
    return sorted((a.asset, rename.get(a.wallet, a.wallet), a.lot_id, a.acquired, a.quantity, a.cost_basis)
                  for a in result.allocation)


@FAST
@given(histories(), st.permutations(OTHER_NAMES), st.sampled_from(list(Method)))
@pytest.mark.parametrize("pooling", list(Pooling))
def test_wallet_names_do_not_matter(pooling: Pooling, history: History, names: list[str], method: Method) -> None:
    """Renaming wallets (a bijection) renames them in the output and changes nothing else: lots are
    relieved by method and wallet, never by the alphabetical order of wallet names. Under universal
    pooling the 2025 allocation fills wallets in the order they were first used, not by name."""
    wallet_name = dict(zip(WALLETS, names, strict=False))
    renamed = replace(history, rows=tuple(
        replace(row, wallet=wallet_name[row.wallet], to_wallet=wallet_name.get(row.to_wallet, ""))
        for row in history.rows))
    before, after = history.run(method=method, pooling=pooling), renamed.run(method=method, pooling=pooling)
    assert disposal_keys(after) == disposal_keys(before, wallet_name)
    assert lot_keys(after) == lot_keys(before, wallet_name)
    assert allocation_keys(after) == allocation_keys(before, wallet_name)


@FAST
@given(histories(), st.randoms(use_true_random=False), st.sampled_from(list(Method)),
       st.sampled_from(list(Pooling)))
def test_row_order_does_not_matter(history: History, shuffler: random.Random, method: Method, pooling: Pooling) -> None:
    """Rows are taken in date order, whatever their order in the table (all days here are distinct), so
    shuffling the table changes nothing but row numbers."""
    rows = list(history.rows)
    shuffler.shuffle(rows)
    shuffled = replace(history, rows=tuple(rows))
    before, after = history.run(method=method, pooling=pooling), shuffled.run(method=method, pooling=pooling)
    assert disposal_keys(after) == disposal_keys(before)
    assert lot_keys(after) == lot_keys(before)
    assert allocation_keys(after) == allocation_keys(before)
    assert sorted((i.tx_id, i.quantity, i.usd_value) for i in after.income) == \
        sorted((i.tx_id, i.quantity, i.usd_value) for i in before.income)


# -- 7: every method and pooling ------------------------------------------------------------------------------
@FEW
@given(histories())
@pytest.mark.parametrize("pooling", list(Pooling))
@pytest.mark.parametrize("method", list(Method))
def test_every_method_and_pooling_conserves(method: Method, pooling: Pooling, history: History) -> None:
    """The methods differ only in which units go first (docs/rules.md#which-units-are-sold), and universal
    pooling only in which wallet's lots may be used before 2025: units and basis are conserved by all, and
    each wallet's open lots hold the units it holds (under universal pooling, after the 2025 allocation)."""
    for transfer_fee in TransferFee:
        result = history.run(method=method, pooling=pooling, transfer_fee=transfer_fee)
        assert_conserved(history, result, transfer_fee)


@FAST
@given(histories(), st.dictionaries(st.integers(2023, 2026), st.sampled_from(list(Method))),
       st.sampled_from(list(Pooling)))
def test_method_changing_by_year_conserves(history: History, method_by_year: dict[int, Method],
                                           pooling: Pooling) -> None:
    """Switching the method from one year to the next reorders the open lots; none is lost or doubled."""
    result = history.run(method_by_year=method_by_year, pooling=pooling)
    assert_conserved(history, result, TransferFee.DISPOSE)


@THOROUGH
@given(histories(), st.sampled_from(list(Method)), st.sampled_from(list(TransferFee)))
def test_universal_allocation_matches_holdings_at_2025(history: History, method: Method,
                                                       transfer_fee: TransferFee) -> None:
    """Rev. Proc. 2024-28 (docs/rules.md#which-units-are-sold): the basis of the universal pool is allocated
    to the wallets that hold the units at the start of 2025-01-01, each getting exactly the units it holds.
    The allocated basis is what the pool still had: pre-2025 basis in (plus Fee USD with the BASIS setting)
    minus the basis pre-2025 disposals relieved. A history that ends before 2025 is allocated at its end,
    which is the same moment."""
    result = history.run(method=method, pooling=Pooling.UNIVERSAL, transfer_fee=transfer_fee)
    allocated: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with exact():
        for line in result.allocation:
            assert line.quantity > 0
            allocated[(line.asset, line.wallet)] += line.quantity
    assert dict(allocated) == history.held_at_2025
    put_in = inflow_of(row for row in history.rows if row.day < PER_WALLET_FROM)
    for asset in ASSETS:
        expected = put_in.basis[asset]
        with exact():
            if transfer_fee is TransferFee.BASIS:
                expected += put_in.fee_usd_without_units[asset]
            expected -= total(d.cost_basis for d in result.disposals
                              if d.asset == asset and d.disposed < PER_WALLET_FROM)
        assert total(line.cost_basis for line in result.allocation if line.asset == asset) == expected, asset


# -- 8: HIFO / LOFO picks ------------------------------------------------------------------------------------
@st.composite
def buys_then_one_sell(draw: st.DrawFn) -> tuple[list[Row], Row]:
    """1-10 buys of BTC into one wallet (some at equal unit cost, to exercise the tie-break), then one sale
    of part or all of the units."""
    days = sorted(draw(st.lists(ALL_DAYS, min_size=2, max_size=11, unique=True)))
    buys = []
    for index, day in enumerate(days[:-1]):
        quantity = quantity_of(draw)
        if flip(draw):
            value, fee = quantity * draw(_integers(1, 4)), ZERO  # a round unit cost: ties likely
        else:
            value, fee = usd_of(draw), fee_of(draw)
        buys.append(Row(f"B{index + 1}", day, "Buy", "BTC", "Ledger", quantity, value, fee))
    held = total(buy.quantity for buy in buys)
    sale = Row("S", days[-1], "Sell", "BTC", "Ledger", part_of(draw, held), usd_of(draw))
    return buys, sale


SHARE_ROUNDING = Decimal("1e-30")  # the engine rounds the basis of part of a lot to 30 decimal places


def unit_cost(buy: Row) -> Decimal:
    """USD per unit, fees included (docs/rules.md#which-units-are-sold: HIFO/LOFO rank by unit cost including fees)."""
    assert buy.usd_value is not None
    with localcontext() as context:
        context.prec, context.traps[Inexact] = 100, False  # a quotient to 100 digits
        return (buy.usd_value + buy.fee_usd) / buy.quantity


@THOROUGH
@given(buys_then_one_sell())
@pytest.mark.parametrize("method", [Method.HIFO, Method.LOFO])
def test_hifo_and_lofo_sell_the_costliest_or_cheapest_units(method: Method,
                                                            history: tuple[list[Row], Row]) -> None:
    """HIFO relieves the highest unit cost (fees included) first, LOFO the lowest; ties by acquisition
    date (docs/rules.md#which-units-are-sold). So the slices' unit costs run down (HIFO) or up (LOFO), every
    lot left open costs no more (HIFO) or no less (LOFO) per unit than any unit sold, and the slices are
    exactly the greedy choice over the lots sorted by that rule.

    Unit costs are those of the lots (from their Buy rows): cost_basis / quantity of a slice differs from
    its lot's in the 30th decimal place of the basis, where the engine rounds the basis of part of a lot;
    each slice's and open lot's basis is checked to be its pro-rata share to within that rounding."""
    buys, sale = history
    result = History((*buys, sale)).run(method=method)
    by_id = {buy.tx_id: buy for buy in buys}
    sign = 1 if method is Method.HIFO else -1  # rank by sign * unit cost, highest first
    sold = [sign * unit_cost(by_id[d.lot_id]) for d in result.disposals]
    assert sold == sorted(sold, reverse=True)
    assert all(sign * unit_cost(by_id[lot.lot_id]) <= min(sold) for lot in result.lots)
    with localcontext() as context:
        context.prec = 100
        parts = [(d.lot_id, d.quantity, d.cost_basis) for d in result.disposals]
        parts += [(lot.lot_id, lot.quantity, lot.cost_basis) for lot in result.lots]
        for lot_id, quantity, cost_basis in parts:
            assert abs(cost_basis - unit_cost(by_id[lot_id]) * quantity) <= SHARE_ROUNDING

    expected, left = [], sale.quantity
    with exact():
        for buy in sorted(buys, key=lambda buy: (-sign * unit_cost(buy), buy.day)):
            if not left:
                break
            taken = min(left, buy.quantity)
            expected.append((buy.tx_id, taken))
            left -= taken
    assert [(d.lot_id, d.quantity) for d in result.disposals] == expected


# -- exact splits, pinned --------------------------------------------------------------------------------
# Minimal examples of the properties above. Splitting a basis or proceeds at 60 significant digits and
# rounding the remainder again would make the parts miss the whole by ~1e-60: the parts must add up exactly.
def run_rows(*rows: Row, **options: object) -> Result:
    return History(rows).run(**options)


def exact_sum(*groups: Iterable[Decimal]) -> Decimal:
    return total(amount for group in groups for amount in group)


D = Decimal


def test_selling_part_of_a_lot_keeps_its_basis_exactly() -> None:
    """Buy 11 BTC for $1, sell 1: the sold slice's basis and the open lot's add up to exactly $1."""
    result = run_rows(Row("B", date(2024, 1, 1), "Buy", "BTC", "W", D(11), D(1)),
                      Row("S", date(2024, 2, 1), "Sell", "BTC", "W", D(1), D(1)))
    assert exact_sum((d.cost_basis for d in result.disposals), (lot.cost_basis for lot in result.lots)) == 1


def test_proceeds_of_slices_add_up_exactly() -> None:
    """Buy 1 BTC then 10 BTC, sell all 11 for $1: the two slices' proceeds add up to exactly $1."""
    result = run_rows(Row("B1", date(2024, 1, 1), "Buy", "BTC", "W", D(1), D(0)),
                      Row("B2", date(2024, 1, 2), "Buy", "BTC", "W", D(10), D(0)),
                      Row("S", date(2024, 2, 1), "Sell", "BTC", "W", D(11), D(1)))
    assert exact_sum(d.proceeds for d in result.disposals) == 1


def test_transfer_fee_units_keep_the_basis_exactly() -> None:
    """Buy 11 BTC for $1, send them with 1 BTC lost to the network fee: the fee disposal's basis and the
    arriving lot's add up to exactly $1."""
    result = run_rows(Row("B", date(2024, 1, 1), "Buy", "BTC", "A", D(11), D(1)),
                      Row("T", date(2024, 2, 1), "Transfer", "BTC", "A", D(11), None, D(1), "B",
                          received_quantity=D(10)))
    assert exact_sum((d.cost_basis for d in result.disposals), (lot.cost_basis for lot in result.lots)) == 1
