"""Specific identification that lowers a year's tax: candidate lot choices, each evaluated by the engine.

A candidate names, for some sale rows of one year, the lots to take (`ID:quantity` picks, as a user would
write them in the Lot IDs column) and the year's method for everything the picks do not cover (transfers
between own wallets, units beyond the picks). Every candidate is judged by running the real engine
(`compute`) over the history with those Lot IDs and netting the year (`Outcome.key`): no shortcut
arithmetic decides which choice is better.

Finding the best choice is hard: Schedule D nets every sale of the year together, the brackets bend the
value of each dollar, and a lot given to one sale is gone for the next. `LotSearch.best` is therefore a
heuristic: it starts from the choices the caller hands it (the single methods), adds a greedy choice
(each sale in date order takes the lots with the least tax per unit at the year's marginal rates), and
improves the best of these by moving units between lots, one sale at a time, while the year's tax falls
and the evaluation budget lasts. It never returns a choice worse than its starting candidates, because
they are among the choices it compares.

Speed: the years before the one searched are the same for every candidate. Where basis is per wallet
(always from 2025; every year with per-wallet pooling), the search runs the engine on the lots open at the
start of the year, written as one Buy row each with the lot's ID, date, wallet and basis, followed by the
year's rows. The choice it settles on is evaluated once more on the whole history, and that full run is
what the caller reports.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal, localcontext

from cryptotax_core.engine import PER_WALLET_FROM, compute
from cryptotax_core.holding import term_of
from cryptotax_core.model import (
    AssetClass,
    Disposal,
    DisposalKind,
    InputError,
    Lot,
    LotPick,
    Method,
    Pooling,
    Relief,
    Result,
    Term,
    Transaction,
    TxType,
)
from cryptotax_core.ordering import processing_key
from cryptotax_core.planning.position import Outcome, YearPosition, year_gains
from cryptotax_core.pools import CONTEXT
from cryptotax_core.settings import Settings

ZERO = Decimal(0)
MAX_EVALUATIONS = 200
"""Most engine runs one search makes (each candidate and each lot state costs one)."""
ROW_BUDGET = 250_000
"""Most rows the engine processes in one search (about 6 s on the machine of bench/README.md);
a long history gets fewer evaluations, never fewer than `MIN_EVALUATIONS`."""
MIN_EVALUATIONS = 12
RATE_STEP = Decimal(100)  # USD: the step of the central difference that measures a marginal rate
ALTERNATIVES = 8  # lots tried in place of each chosen lot, the most promising first


@dataclass(frozen=True, slots=True)
class LotChoice:
    """Lots to take for some sale rows (row -> picks) and the year's method for the rest."""

    fallback: Method
    picks: Mapping[int, tuple[LotPick, ...]]


@dataclass(frozen=True, slots=True)
class Evaluated:
    """A candidate run by the engine: the result up to the year's end, the year's short-term and long-term
    gain (report lines) and its outcome."""

    candidate: LotChoice
    result: Result
    gains: tuple[Decimal, Decimal]
    outcome: Outcome


def run_year(history: Sequence[Transaction], settings: Settings, position: YearPosition,
             candidate: LotChoice, *, whole: bool = False) -> Evaluated:
    """The history up to the end of the position's year (`whole`: all of it) with the candidate's Lot IDs
    and method for that year, by the engine; `InputError` if the choice cannot be made (a lot named has
    fewer units left than asked, or a later row is left short)."""
    year = position.year
    result = compute(with_picks(history, candidate.picks), year_settings(settings, year, candidate.fallback),
                     until=None if whole else date(year, 12, 31))
    gains = year_gains(result, year)
    return Evaluated(candidate, result, gains, position.outcome(*gains))


def engine_order(tx: Transaction) -> tuple[datetime, int]:
    """The order the engine takes rows in: date and time, ties in table order (`ordering.processing_key`)."""
    return processing_key(tx)


def with_picks(history: Sequence[Transaction], picks: Mapping[int, tuple[LotPick, ...]]) -> list[Transaction]:
    """The history with the Lot IDs of the picked disposal rows replaced."""
    return [tx._replace(lot_ids=picks[tx.row]) if tx.row in picks and tx.tx_type.is_disposal else tx
            for tx in history]


def year_settings(settings: Settings, year: int, method: Method) -> Settings:
    """The user's settings with `method` for `year` only."""
    return replace(settings, method_by_year={**settings.method_by_year, year: method})


def choices(result: Result, rows: Collection[int]) -> dict[int, tuple[LotPick, ...]]:
    """The lots each of `rows` took in a result, as picks (one per lot, in the order taken). Units the
    engine had to invent for a shortfall are not a lot and are left out."""
    taken: dict[int, dict[str, Decimal]] = {}
    for disposal in result.disposals:
        if disposal.row in rows and disposal.kind is not DisposalKind.FEE and disposal.method is not Relief.SHORTFALL:
            lots = taken.setdefault(disposal.row, {})
            lots[disposal.lot_id] = lots.get(disposal.lot_id, ZERO) + disposal.quantity
    return {row: tuple(LotPick(lot_id, quantity) for lot_id, quantity in lots.items())
            for row, lots in taken.items()}


def pooled_across_wallets(settings: Settings, year: int) -> bool:
    """One pool per asset for all wallets: universal pooling in a year before 2025
    (docs/rules.md#which-units-are-sold)."""
    return settings.pooling is Pooling.UNIVERSAL and year < PER_WALLET_FROM


def available_lots(lots: Sequence[Lot], sale: Transaction, across_wallets: bool) -> list[Lot]:
    """The open lots a sale can take, in the engine's order of the lots (acquisition time, then row)."""
    return [lot for lot in lots if lot.asset == sale.asset and (across_wallets or lot.wallet == sale.wallet)]


def per_unit_proceeds(sale: Transaction) -> Decimal:
    """Amount realized per unit: (USD value - fee) / quantity (docs/rules.md#gain-or-loss-of-one-disposal)."""
    with localcontext(CONTEXT):  # the engine's arithmetic
        return ((sale.usd_value or ZERO) - sale.fee_usd) / sale.quantity


def marginal_rates(position: YearPosition, short_term: Decimal, long_term: Decimal) -> dict[Term, Decimal]:
    """Tax per dollar of more short-term and of more long-term gain around the year's gains, measured on
    the tax estimate itself (a central difference). Without other income there is no estimate: every
    dollar of gain then counts the same."""
    if not position.has_estimate:
        return {Term.SHORT: Decimal(1), Term.LONG: Decimal(1)}

    def slope(short_step: Decimal, long_step: Decimal) -> Decimal:
        up = position.outcome(short_term + short_step, long_term + long_step).tax
        down = position.outcome(short_term - short_step, long_term - long_step).tax
        assert up is not None and down is not None
        return (up - down) / (2 * RATE_STEP)

    return {Term.SHORT: slope(RATE_STEP, ZERO), Term.LONG: slope(ZERO, RATE_STEP)}


class LotSearch:
    """Lot choices for the `free_rows` (disposal rows of `position.year`) of a history."""

    def __init__(self, history: Sequence[Transaction], settings: Settings, position: YearPosition,
                 free_rows: Collection[int], *, max_evaluations: int | None = None) -> None:
        self.history = list(history)
        self.settings = settings
        self.position = position
        self.year = position.year
        self.year_end = date(self.year, 12, 31)
        self.across_wallets = pooled_across_wallets(settings, self.year)
        self.rows, self.base_settings = self._reduced()
        self.sales = sorted((tx for tx in self.rows if tx.row in free_rows and tx.tx_type.is_disposal),
                            key=engine_order)
        self.free_rows = frozenset(tx.row for tx in self.sales)
        budget = max(MIN_EVALUATIONS, ROW_BUDGET // max(1, len(self.rows)))
        self.max_evaluations = min(budget, MAX_EVALUATIONS) if max_evaluations is None else max_evaluations
        self.evaluations = 0

    def _reduced(self) -> tuple[list[Transaction], Settings]:
        """The rows the search runs the engine on: the lots open at the start of the year as Buy rows, in
        the order their acquisitions were processed (the engine's FIFO order, across wallets), then the
        year's own rows. Only where basis is per wallet and no stock is traded (a wash sale links a sale to
        purchases on both sides of the new year); else the whole history up to the year's end."""
        history = [tx for tx in self.history if tx.day <= self.year_end]
        if self.across_wallets or any(tx.asset_class is AssetClass.STOCK for tx in history):
            return history, self.settings
        start = compute(self.history, self.settings, until=date(self.year - 1, 12, 31)).lots
        acquired_at = {tx.tx_id: processing_key(tx) for tx in history}

        def opened(lot: Lot) -> tuple[datetime, int]:
            """When the lot's acquisition was processed (its row's time), or the start of its date."""
            when, seq = acquired_at.get(lot.lot_id, (None, 0))
            return (when, seq) if when is not None and when.date() == lot.acquired else \
                (datetime.combine(lot.acquired, time()), seq)

        ordered = sorted(start, key=opened)  # stable: the lots of one acquisition keep the engine's order
        opening = [Transaction(row=lot.row, seq=index - len(ordered), tx_id=lot.lot_id, when=opened(lot)[0],
                               tx_type=TxType.BUY, asset=lot.asset, quantity=lot.quantity, usd_value=lot.cost_basis,
                               fee_usd=ZERO, wallet=lot.wallet, to_wallet=None, received_asset=None,
                               received_quantity=None, lot_ids=(), asset_class=lot.asset_class, note="")
                   for index, lot in enumerate(ordered)]
        rows = opening + [tx for tx in history if tx.day.year == self.year]
        return rows, replace(self.settings, pooling=Pooling.WALLET)

    # -- evaluating ---------------------------------------------------------------------------------------
    @property
    def exhausted(self) -> bool:
        return self.evaluations >= self.max_evaluations

    def evaluate(self, candidate: LotChoice, *, full: bool = False) -> Evaluated | None:
        """The year with this choice, by the engine: on the search's rows, or with `full` on the whole
        history, later years included (what a report of the choice would show). None if the choice
        cannot be made (a lot named has fewer units left than asked, or a later row is left short)."""
        history, settings = (self.history, self.settings) if full else (self.rows, self.base_settings)
        if not full:
            self.evaluations += 1
        try:
            return run_year(history, settings, self.position, candidate, whole=full)
        except InputError:
            return None

    def lots_before(self, sale: Transaction, candidate: LotChoice) -> list[Lot] | None:
        """The lots the sale can take under this choice: those open just before it."""
        self.evaluations += 1
        before = [tx for tx in with_picks(self.rows, candidate.picks) if engine_order(tx) < engine_order(sale)]
        try:
            lots = compute(before, year_settings(self.base_settings, self.year, candidate.fallback)).lots
        except InputError:
            return None
        return available_lots(lots, sale, self.across_wallets)

    # -- the search ---------------------------------------------------------------------------------------
    def best(self, starts: Sequence[LotChoice], fallback: Method) -> Evaluated | None:
        """The best choice found from `starts` (evaluated first), a greedy choice and local improvement,
        evaluated on the whole history. None if no candidate could be made."""
        evaluated = [found for found in (self.evaluate(start) for start in starts) if found is not None]
        if not evaluated:
            return None
        leader = min(evaluated, key=lambda found: found.outcome.key)
        greedy = self.greedy(fallback, leader)
        if greedy is not None and greedy.outcome.key < leader.outcome.key:
            leader = greedy
        leader = self.improve(leader)
        return self.evaluate(leader.candidate, full=True)

    def greedy(self, fallback: Method, around: Evaluated) -> Evaluated | None:
        """Each sale in date order takes the lots with the least tax per unit: gain per unit times the
        marginal rate of its term (at the year's gains of `around`); ties go to a long-term gain or a
        short-term loss, then to the engine's lot order. Skipped (None) when the budget cannot pay for
        one engine run per sale and as many again for improving."""
        if 2 * (len(self.sales) + 1) > self.max_evaluations - self.evaluations:
            return None  # one engine run per sale: leave at least as much for improving
        rates = marginal_rates(self.position, *around.gains)
        picks: dict[int, tuple[LotPick, ...]] = {}
        for sale in self.sales:
            lots = self.lots_before(sale, LotChoice(fallback, picks))
            if lots is None:
                return None
            ranked = sorted(enumerate(lots), key=lambda item: (*_tax_per_unit(item[1], sale, rates), item[0]))
            picks[sale.row] = _cover(sale.quantity, [lot for _, lot in ranked])
        return self.evaluate(LotChoice(fallback, picks))

    def improve(self, start: Evaluated) -> Evaluated:
        """First-improvement local search: for each sale, move units from a chosen lot to another lot it
        could take (and, if a later sale had chosen that lot, give the later sale the freed units in
        exchange); keep a move when the year's outcome is better; repeat until no move helps or the
        budget is spent."""
        current = start
        improved = True
        while improved and not self.exhausted:
            improved = False
            rates = marginal_rates(self.position, *current.gains)
            for sale in self.sales:
                better = self._improve_sale(sale, current, rates)
                if better is not None:
                    current, improved = better, True
                    break
                if self.exhausted:
                    break
        return current

    def _improve_sale(self, sale: Transaction, current: Evaluated, rates: dict[Term, Decimal]) -> Evaluated | None:
        candidate = current.candidate
        chosen = candidate.picks.get(sale.row) or choices(current.result, {sale.row}).get(sale.row, ())
        if not chosen:
            return None
        lots = self.lots_before(sale, candidate)
        if lots is None:
            return None
        held: dict[str, Decimal] = {}
        for lot in lots:
            held[lot.lot_id] = held.get(lot.lot_id, ZERO) + lot.quantity
        ranked = [lot for _, lot in sorted(enumerate(lots),
                                           key=lambda item: (*_tax_per_unit(item[1], sale, rates), item[0]))]
        by_id = {lot.lot_id: lot for lot in lots}
        taken = {pick.lot_id: pick.quantity or ZERO for pick in chosen}
        worst_first = sorted(taken, key=lambda lot_id: _tax_per_unit(by_id[lot_id], sale, rates) if lot_id in by_id
                             else (ZERO, ZERO), reverse=True)
        for source in worst_first:
            tried = 0
            for target in ranked:
                spare = held[target.lot_id] - taken.get(target.lot_id, ZERO)
                if target.lot_id == source or spare <= 0:
                    continue
                if tried >= ALTERNATIVES or self.exhausted:
                    break
                tried += 1
                moved = min(taken[source], spare)
                picks = dict(candidate.picks)
                picks[sale.row] = _moved(taken, source, target.lot_id, moved)
                for variant in (picks, self._exchanged(picks, sale, source, target.lot_id, moved)):
                    if variant is None or self.exhausted:
                        continue
                    found = self.evaluate(LotChoice(candidate.fallback, variant))
                    if found is not None and found.outcome.key < current.outcome.key:
                        return found
        return None

    def _exchanged(self, picks: dict[int, tuple[LotPick, ...]], sale: Transaction, source: str, target: str,
                   units: Decimal) -> dict[int, tuple[LotPick, ...]] | None:
        """`picks` where later sales that had chosen `target` take `source` instead, for up to `units`."""
        exchanged = dict(picks)
        left = units
        for later in self.sales:
            if engine_order(later) <= engine_order(sale) or not left:
                continue
            taken = {pick.lot_id: pick.quantity or ZERO for pick in exchanged.get(later.row, ())}
            if taken.get(target):
                swap = min(taken[target], left)
                exchanged[later.row] = _moved(taken, target, source, swap)
                left -= swap
        return exchanged if left < units else None


def _tax_per_unit(lot: Lot, sale: Transaction, rates: dict[Term, Decimal]) -> tuple[Decimal, Decimal]:
    """What one unit of `lot` adds to the year's tax if `sale` takes it, and its short-term gain."""
    gain = per_unit_proceeds(sale) - lot.unit_cost
    term = term_of(lot.acquired, sale.day)
    return (gain * rates[term], gain if term is Term.SHORT else ZERO)


def _cover(quantity: Decimal, lots: Sequence[Lot]) -> tuple[LotPick, ...]:
    """Picks that take `quantity` units from `lots` in their order (as much as they hold)."""
    taken: dict[str, Decimal] = {}
    left = quantity
    for lot in lots:
        if not left:
            break
        units = min(left, lot.quantity)
        taken[lot.lot_id] = taken.get(lot.lot_id, ZERO) + units
        left -= units
    return tuple(LotPick(lot_id, units) for lot_id, units in taken.items())


def _moved(taken: Mapping[str, Decimal], source: str, target: str, units: Decimal) -> tuple[LotPick, ...]:
    """The picks `taken` with `units` moved from lot `source` to lot `target`."""
    changed = dict(taken)
    changed[source] -= units
    changed[target] = changed.get(target, ZERO) + units
    return tuple(LotPick(lot_id, quantity) for lot_id, quantity in changed.items() if quantity)


def sale_disposals(result: Result, row: int) -> tuple[Disposal, ...]:
    """The lot slices of one sale row (its network-fee disposals aside)."""
    return tuple(d for d in result.disposals if d.row == row and d.kind is not DisposalKind.FEE)
