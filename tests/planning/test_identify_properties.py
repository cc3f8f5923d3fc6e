"""Properties of the tax-minimizing identification over random small histories (hypothesis).

- It never yields more tax than any single method (they are among its candidates), with or without
  other income (then the capital result is compared), also where one asset is a stock (wash sales).
- Its Lot IDs written into the table give, through the ordinary report path (`tax_years`), exactly the
  tax it reports: the choice is one a user can record.
- The search's shortcut (the lots open at the start of the year as Buy rows, then the year's rows) computes
  every single method's year exactly as the whole history does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from conftest import TODAY, rows_to_table
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core import Disposal, Method, Pooling, Result, Settings, Term, Transaction, compute, parse_table
from cryptotax_core.engine import Checkpoint
from cryptotax_core.planning import compare_methods, year_position
from cryptotax_core.planning.identify import Evaluated, LotChoice, LotSearch, choices, year_settings
from cryptotax_core.planning.position import year_gains
from cryptotax_core.tax import FilingStatus, TaxSettings, tax_years

FIRST_DAY = date(2024, 9, 1)
ASSETS = ("BTC", "ETH")
WALLETS = ("Coinbase", "Ledger")
EXAMPLES = settings(max_examples=25, deadline=None)


@dataclass(frozen=True)
class Event:
    day: int  # days after FIRST_DAY
    kind: str  # buy, sell, move
    asset: str
    wallet: int
    amount: int  # tenths of a unit to buy, or per mille of the holding to sell or move
    price: int  # USD per unit


events = st.builds(Event, day=st.integers(0, 800), kind=st.sampled_from(("buy", "buy", "buy", "sell", "sell", "move")),
                   asset=st.sampled_from(("BTC", "BTC", "ETH")), wallet=st.integers(0, 1),
                   amount=st.integers(1, 1000), price=st.integers(1, 120).map(lambda thousands: thousands * 1000))


def history(drawn: list[Event], stock: bool = False) -> list[dict[str, Any]]:
    """Rows in date order that never dispose of or move more than a wallet holds; with `stock`, ETH is
    traded as a stock (wash sales apply to it)."""
    held: dict[tuple[str, str], Decimal] = {}
    rows: list[dict[str, Any]] = []
    for number, event in enumerate(sorted(drawn, key=lambda event: event.day)):
        day = (FIRST_DAY + timedelta(days=event.day)).isoformat()
        wallet = WALLETS[event.wallet]
        key = (wallet, event.asset)
        base = {"ID": f"R{number}", "Date": day, "Asset": event.asset, "Wallet": wallet,
                "Class": "Stock" if stock and event.asset == "ETH" else "Crypto"}
        if event.kind == "buy":
            quantity = Decimal(event.amount % 40 + 1) / 10
            held[key] = held.get(key, Decimal(0)) + quantity
            rows.append({**base, "Type": "Buy", "Quantity": str(quantity), "USD Value": str(quantity * event.price)})
            continue
        quantity = (held.get(key, Decimal(0)) * event.amount / 1000).quantize(Decimal("0.1"), rounding="ROUND_DOWN")
        if quantity <= 0:
            continue
        held[key] -= quantity
        if event.kind == "sell":
            rows.append({**base, "Type": "Sell", "Quantity": str(quantity), "USD Value": str(quantity * event.price)})
        else:
            other = WALLETS[1 - event.wallet]
            held[(other, event.asset)] = held.get((other, event.asset), Decimal(0)) + quantity
            rows.append({**base, "Type": "Transfer", "Quantity": str(quantity), "To Wallet": other})
    return rows


def busiest_year(rows: list[dict[str, Any]]) -> int:
    """2025 or 2026, whichever has more sales (the search has something to choose)."""
    sales = [row["Date"][:4] for row in rows if row["Type"] == "Sell"]
    return 2025 if sales.count("2025") >= sales.count("2026") else 2026


def transactions(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


situations = st.builds(
    lambda status, income: TaxSettings(filing_status=status, other_income={} if income is None else
                                       {2025: Decimal(income), 2026: Decimal(income)}),
    st.sampled_from(list(FilingStatus)), st.sampled_from([None, 0, 60_000, 180_000, 700_000]))


@EXAMPLES
@given(st.lists(events, min_size=4, max_size=18), situations, st.sampled_from(list(Pooling)),
       st.sampled_from([Method.FIFO, Method.HIFO]), st.booleans())
def test_the_best_identification_is_never_worse_than_a_single_method(
        drawn: list[Event], tax: TaxSettings, pooling: Pooling, own: Method, stock: bool) -> None:
    rows = history(drawn, stock)
    if not rows:
        return
    year = busiest_year(rows)
    found = compare_methods(transactions(rows), Settings(method=own, pooling=pooling), tax, year)
    best = found.best.outcome
    assert best is not None  # no recorded Lot IDs: every method can be applied
    for method in found.methods:
        assert method.outcome is not None
        assert best.key <= method.outcome.key
        if best.tax is not None:
            assert method.outcome.tax is not None and best.tax <= method.outcome.tax
    # recorded in the table, the choice gives what was reported
    lot_ids = {choice.sale.tx_id: choice.lot_ids for choice in found.best.sales}
    recorded = [dict(row, **{"Lot IDs": lot_ids[row["ID"]]}) if lot_ids.get(row["ID"]) else row for row in rows]
    by_year = {year: found.best.fallback}
    computed = compute(transactions(recorded), Settings(method=own, method_by_year=by_year, pooling=pooling))
    again = tax_years(computed, tax).get(year)
    if again is not None:
        assert (again.summary.short_term.gain, again.summary.long_term.gain) == (found.best.short_term,
                                                                                 found.best.long_term)
        assert again.netting == best.netting
        if best.tax is not None:
            assert again.estimate is not None and again.estimate.total_tax == best.tax


@EXAMPLES
@given(st.lists(events, min_size=4, max_size=18), st.sampled_from(list(Pooling)))
def test_the_search_shortcut_computes_each_method_as_the_whole_history(drawn: list[Event], pooling: Pooling) -> None:
    rows = history(drawn)
    if not rows:
        return
    year = busiest_year(rows)
    history_rows = transactions(rows)
    user = Settings(pooling=pooling)
    position = year_position(compute(history_rows, user), TaxSettings(), year)
    checkpoint = Checkpoint(history_rows, user, year)
    search = LotSearch(history_rows, user, position, {tx.row for tx in history_rows}, checkpoint)
    for method in (Method.FIFO, Method.LIFO, Method.HIFO, Method.LOFO):
        shortcut = search.evaluate(LotChoice(method, {}))
        whole = compute(history_rows, year_settings(user, year, method), until=date(year, 12, 31))
        assert shortcut is not None
        assert shortcut.result == whole  # record for record: the earlier years' state is the engine's own
        assert shortcut.gains == year_gains(whole, year)


def per_lot(result: Result, year: int) -> dict[tuple[int, str, Term], tuple[Decimal, Decimal, Decimal]]:
    """Units, proceeds and basis each sale row took from each lot, by term (exact)."""
    taken: dict[tuple[int, str, Term], tuple[Decimal, Decimal, Decimal]] = {}
    for d in result.disposals:
        if d.tax_year == year:
            units, proceeds, basis = taken.get((d.row, d.lot_id, d.term), (Decimal(0),) * 3)
            taken[(d.row, d.lot_id, d.term)] = (units + d.quantity, proceeds + d.proceeds, basis + d.cost_basis)
    return taken


@EXAMPLES
@given(st.lists(events, min_size=4, max_size=18), st.sampled_from(list(Pooling)), st.booleans())
def test_a_candidate_run_on_its_assets_rows_is_the_years_run(drawn: list[Event], pooling: Pooling,
                                                             stock: bool) -> None:
    """LIFO's lots for the BTC sales, FIFO for the rest: run on BTC's rows only, around FIFO's run, it is the
    run of every row of the year (with ETH as a stock, wash sales too)."""
    drawn_search = fifo_and_lifo(drawn, pooling, stock)
    if drawn_search is None:
        return
    search, around, lifo = drawn_search
    sales = {tx.row: tx for tx in search.sales}
    btc = {row: picks for row, picks in choices(lifo.result.disposals, set(sales)).items() if sales[row].asset == "BTC"}
    candidate = LotChoice(Method.FIFO, btc)
    fast, whole = search.evaluate(candidate, around=around), search.evaluate(candidate)
    assert (fast is None) == (whole is None)
    if fast is not None and whole is not None:
        assert fast.gains == whole.gains
        assert by_asset(search, fast) == by_asset(search, whole)


@EXAMPLES
@given(st.lists(events, min_size=4, max_size=18), st.sampled_from(list(Pooling)), st.booleans())
def test_a_candidate_run_from_its_first_changed_sale_is_the_years_run(drawn: list[Event], pooling: Pooling,
                                                                      stock: bool) -> None:
    """LIFO's lots for one sale at a time, FIFO for the rest, the sales taken late to early and then early to
    late: each run on its asset's rows from that sale on (the engine paused before it, taken further or started
    again) is the run of every row of the year."""
    drawn_search = fifo_and_lifo(drawn, pooling, stock)
    if drawn_search is None:
        return
    search, around, lifo = drawn_search
    sales = search.sales
    picked = choices(lifo.result.disposals, {tx.row for tx in sales})
    for sale in [*reversed(sales), *sales]:
        if sale.row not in picked:
            continue
        candidate = LotChoice(Method.FIFO, {sale.row: picked[sale.row]})
        fast, whole = search.evaluate(candidate, around=around), search.evaluate(candidate)
        assert (fast is None) == (whole is None)
        if fast is not None and whole is not None:
            assert fast.gains == whole.gains
            assert by_asset(search, fast) == by_asset(search, whole)


def fifo_and_lifo(drawn: list[Event], pooling: Pooling, stock: bool) -> tuple[LotSearch, Evaluated, Evaluated] | None:
    """A search over every sale of the drawn history's busiest year, with that year under FIFO and under LIFO
    (None for a history without rows)."""
    rows = history(drawn, stock)
    if not rows:
        return None
    year = busiest_year(rows)
    history_rows = transactions(rows)
    user = Settings(pooling=pooling)
    position = year_position(compute(history_rows, user), TaxSettings(), year)
    sales = {tx.row for tx in history_rows if tx.tx_type.is_disposal and tx.day.year == year}
    search = LotSearch(history_rows, user, position, sales, Checkpoint(history_rows, user, year))
    around, lifo = search.evaluate(LotChoice(Method.FIFO, {})), search.evaluate(LotChoice(Method.LIFO, {}))
    assert around is not None and lifo is not None
    return search, around, lifo


def by_asset(search: LotSearch, found: Evaluated) -> dict[str, list[Disposal]]:
    """The year's disposals of an evaluated choice, by asset."""
    return {asset: list(lines) for asset, lines in search.year_lines(found).items() if lines}
