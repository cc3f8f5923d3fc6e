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
improves the best of these by moving units between lots, one sale at a time from the year's latest, while
the year's tax falls and the evaluation budget lasts. It never returns a choice worse than its starting
candidates, because they are among the choices it compares.

Speed, every shortcut exact (the tests compare each with a run of the whole history):
- The years before the one searched are the same for every candidate: every run starts from the engine's
  state at the start of the year (`engine.Checkpoint`), or of a later day before every sale searched.
- The engine keeps one set of pools per asset: a candidate that picks other lots for one asset's sales runs
  that asset's rows only, from the first sale it changes; the engine's states along the asset's rows are kept
  for the choice the search holds (`TRAIL_STATES`), and copied in an instant (`pools.Pool.share`). Trying the
  latest sales first keeps those runs short.
- The year's gains are sums of exact cents: a run's disposals replace those of the same rows in the choice
  it differs from.
- The choice it settles on is run once more with the later years, for the assets whose sales it changed
  (`run_assets`), and that run is what the caller reports. A search asked again with all it depends on
  unchanged is answered from the one made (`Searches`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal, localcontext

from cryptotax_core.engine import PER_WALLET_FROM, Checkpoint, Paused
from cryptotax_core.holding import term_of
from cryptotax_core.model import (
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
from cryptotax_core.planning.position import Outcome, YearPosition, year_gains, year_start
from cryptotax_core.planning.recent import Recent
from cryptotax_core.pools import CONTEXT
from cryptotax_core.settings import Settings
from cryptotax_core.summary import term_gain

ZERO = Decimal(0)
SEARCH_BUDGET = 200
"""The engine runs one search makes at most, whatever the size of the history (docs/planning.md, compare):
each candidate costs one, and so does each state of the lots before a sale. A search that stops at its
budget says so (`LotSearch.stopped`)."""
RATE_STEP = Decimal(100)  # USD: the step of the central difference that measures a marginal rate
ALTERNATIVES = 8  # lots tried in place of each chosen lot, the most promising first


@dataclass(frozen=True, slots=True)
class LotChoice:
    """Lots to take for some sale rows (row -> picks) and the year's method for the rest."""

    fallback: Method
    picks: Mapping[int, tuple[LotPick, ...]]


@dataclass(frozen=True, slots=True)
class Evaluated:
    """A candidate run by the engine: the result up to the year's end (or of the whole history), the year's
    short-term and long-term gain (report lines) and its outcome. A run of some assets' rows of the year
    (`LotSearch._assets_run`) has an empty result and the year's disposals by asset (`lines`) instead."""

    candidate: LotChoice
    result: Result
    gains: tuple[Decimal, Decimal]
    outcome: Outcome
    lines: Mapping[str, Sequence[Disposal]] | None = None

    @property
    def disposals(self) -> Sequence[Disposal]:
        """The disposals it computed: its result's, or the year's of every asset (`lines`)."""
        if self.lines is None:
            return self.result.disposals
        return [disposal for lines in self.lines.values() for disposal in lines]


_NO_RESULT = Result((), (), ())
TRAIL_STATES = 32
"""The engine states kept along one asset's rows of the year (`LotSearch._paused_before`): a run that resumes
before a sale goes on from the last of them before it, so it processes at most 1/32 of the asset's rows before
the sale (a state costs about as much as processing 30 rows at 100,000 rows of history)."""


def run_year(history: Sequence[Transaction], settings: Settings, position: YearPosition,
             candidate: LotChoice, checkpoint: Checkpoint, *, whole: bool = False) -> Evaluated:
    """The history up to the end of the position's year (`whole`: all of it) with the candidate's Lot IDs
    and method for that year, by the engine from the year's `checkpoint` (of `history` under `settings`);
    `InputError` if the choice cannot be made (a lot named has fewer units left than asked, or a later row is
    left short)."""
    year = position.year
    result = checkpoint.compute(with_picks(history, candidate.picks), year_settings(settings, year, candidate.fallback),
                                until=None if whole else date(year, 12, 31))
    return evaluated(candidate, result, position)


def run_assets(history: Sequence[Transaction], settings: Settings, position: YearPosition, candidate: LotChoice,
               checkpoint: Checkpoint, around: Evaluated, assets: Collection[str]) -> Evaluated:
    """`run_year(..., whole=True)` of a history that differs from the one `around` computed (on the whole history,
    under `settings` with the candidate's method for the year) only in the rows of `assets` from the checkpoint's
    start on (fast path: a sale added, one asset's Lot IDs changed). Only those assets' rows are run (the engine
    keeps one set of pools per asset; a Trade that receives one of them is a Buy of it there): their year's
    disposals and gains replace `around`'s (`_swapped`). The result is empty; the year's disposals are in
    `lines`."""
    year = position.year
    wanted = set(assets)
    rows = _rows_by_asset(with_picks([tx for tx in history if tx.asset in wanted or tx.received_asset in wanted],
                                     candidate.picks), checkpoint.start)
    settings = year_settings(settings, year, candidate.fallback)
    lines = dict(year_lines(around, year))
    gains = around.gains
    for asset in assets:  # one at a time: a Trade between two of them is a row of each
        result = checkpoint.compute_after(rows.get(asset, ()), settings, assets=(asset,))
        new = year_split(result, year).get(asset, [])
        gains = _swapped(gains, lines.get(asset, ()), new)
        lines[asset] = new
    return Evaluated(candidate, _NO_RESULT, gains, position.outcome(*gains), lines)


def _swapped(gains: tuple[Decimal, Decimal], old: Sequence[Disposal], new: Sequence[Disposal]
             ) -> tuple[Decimal, Decimal]:
    """A year's short-term and long-term gains with the disposals `old` taken out and `new` put in: the gains are
    sums of exact cents (report lines), so a part of them can be taken out exactly."""
    return (gains[0] + term_gain(new, Term.SHORT) - term_gain(old, Term.SHORT),
            gains[1] + term_gain(new, Term.LONG) - term_gain(old, Term.LONG))


def evaluated(candidate: LotChoice, result: Result, position: YearPosition) -> Evaluated:
    """A computed candidate with its year's gains and outcome."""
    gains = year_gains(result, position.year)
    return Evaluated(candidate, result, gains, position.outcome(*gains))


def year_lines(found: Evaluated, year: int) -> Mapping[str, Sequence[Disposal]]:
    """The year's disposals of an evaluated choice of `year` by asset."""
    if found.lines is not None:
        return found.lines
    return year_split(found.result, year)


def year_split(result: Result, year: int) -> dict[str, list[Disposal]]:
    """A result's disposals of `year` by asset, each asset's in the engine's order."""
    lines: dict[str, list[Disposal]] = {}
    for disposal in result.disposals[year_start(result, year):]:
        if disposal.disposed.year != year:
            break
        lines.setdefault(disposal.asset, []).append(disposal)
    return lines


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


def choices(disposals: Iterable[Disposal], rows: Collection[int]) -> dict[int, tuple[LotPick, ...]]:
    """The lots each of `rows` took in a result's `disposals`, as picks (one per lot, in the order taken). Units
    the engine had to invent for a shortfall are not a lot and are left out."""
    taken: dict[int, dict[str, Decimal]] = {}
    for disposal in disposals:
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


@dataclass(frozen=True, slots=True)
class _Answer:
    """What a search found: the choice, the start it came from (its place among the starts the caller computed;
    None: the greedy choice), and the runs it made."""

    candidate: LotChoice
    start: int | None
    evaluations: int
    stopped: bool


class Searches(Recent[_Answer]):
    """Searches made, each with all it depends on: the history up to the year's end, the settings, the year's
    position, the sales searched, where its runs go on from, the starts and the budget. The same search asked
    again (in Excel, the table with rows pasted after the year) is answered without searching; only its answer
    is run again on the whole history."""


class LotSearch:
    """Lot choices for the `free_rows` (disposal rows of `position.year`) of a history."""

    def __init__(self, history: Sequence[Transaction], settings: Settings, position: YearPosition,
                 free_rows: Collection[int], checkpoint: Checkpoint, *, max_evaluations: int | None = None,
                 resume: Checkpoint | None = None, searches: Searches | None = None) -> None:
        """`checkpoint`: the history's at the start of the year. `resume`: a later one of the year, before every
        free sale, from which the runs of the sales' assets go on (default `checkpoint`). `searches`: searches
        made before (of this history or another), the same one answered from there."""
        self.searches = searches
        self.history = list(history)
        self.settings = settings
        self.checkpoint = checkpoint
        self.resume = resume or checkpoint
        self.position = position
        self.year = position.year
        self.year_end = date(self.year, 12, 31)
        self.across_wallets = pooled_across_wallets(settings, self.year)
        next_year = datetime(self.year + 1, 1, 1)
        self.rows = [tx for tx in self.history if tx.when < next_year]
        if checkpoint.start != date(self.year, 1, 1) or not checkpoint.start <= self.resume.start <= self.year_end:
            raise ValueError(f"the search needs checkpoints in {self.year}, not {checkpoint.start}, "
                             f"{self.resume.start}")
        self.asset_rows = _rows_by_asset(self.rows, self.resume.start)
        self._split: tuple[Result, dict[str, list[Disposal]]] | None = None  # a result's year's disposals by asset
        self._starts: dict[tuple[str, Method], Paused | None] = {}  # the engine at the checkpoint, per asset
        self._trails: dict[str, tuple[LotChoice, list[Paused]]] = {}  # states along an asset's rows, per asset
        self.sales = sorted((tx for tx in self.rows if tx.row in free_rows and tx.tx_type.is_disposal
                             and tx.day.year == self.year), key=engine_order)
        if self.sales and self.sales[0].day < self.resume.start:
            raise ValueError(f"a free sale on {self.sales[0].day} is before {self.resume.start}")
        self.free_rows = frozenset(tx.row for tx in self.sales)
        self._place = {sale.row: index for index, sale in enumerate(self.sales)}
        # each sale's place among its asset's rows, and each asset's free sales as (place, row)
        self._row_place = _places(self.asset_rows, self.free_rows)
        self._free: dict[str, list[tuple[int, int]]] = {}
        for sale in self.sales:
            self._free.setdefault(sale.asset, []).append((self._row_place[sale.row], sale.row))
        self.max_evaluations = SEARCH_BUDGET if max_evaluations is None else max_evaluations
        self.evaluations = 0
        self.stopped = False  # the improvement stopped at the budget, with moves still to try

    # -- evaluating ---------------------------------------------------------------------------------------
    @property
    def exhausted(self) -> bool:
        return self.evaluations >= self.max_evaluations

    def evaluate(self, candidate: LotChoice, *, full: bool = False, around: Evaluated | None = None,
                 changed: Collection[int] | None = None) -> Evaluated | None:
        """The year with this choice, by the engine: up to the year's end, or with `full` on the whole history,
        later years included (what a report of the choice would show). None if the choice cannot be made (a
        lot named has fewer units left than asked, or a later row is left short).

        `around`: an evaluated choice that differs from this one in the picks of some sales only (`changed`, when
        the caller knows them: rows); then only the rows of their assets from the first of them on are run
        (`_assets_run`) and the others' disposals are `around`'s."""
        if not full:
            self.evaluations += 1
        try:
            if around is not None and not full and around.candidate.fallback is candidate.fallback:
                return self._assets_run(candidate, around, changed)
            return run_year(self.history, self.settings, self.position, candidate, self.checkpoint, whole=full)
        except InputError:
            return None

    def _assets_run(self, candidate: LotChoice, around: Evaluated, changed: Collection[int] | None) -> Evaluated:
        """The year with `candidate`, running the engine on the rows of each asset whose sales it picks otherwise
        than `around`, from the first such sale on (fast path: a few of one asset's rows instead of the year's;
        the engine's state before that sale is `around`'s, `_paused_before`). Exact: the engine keeps one set of
        pools per asset, and a row touches the pools of its own asset only, but for a Trade, which also acquires
        the asset it receives (a Buy of it here, at the Trade's USD value, in the Trade's place); the rows before
        the sale make the same disposals as in `around`, so the disposals of the rows from the sale on are taken
        out of `around`'s gains and the candidate's put in (`_swapped`)."""
        if changed is None:
            changed = [sale.row for sale in self.sales
                       if candidate.picks.get(sale.row) != around.candidate.picks.get(sale.row)]
        first: dict[str, int] = {}
        for row in changed:
            asset = self.sales[self._place[row]].asset
            first[asset] = min(first.get(asset, self._row_place[row]), self._row_place[row])
        lines = dict(self.year_lines(around))
        gains = around.gains
        for asset, place in sorted(first.items()):
            paused = self._paused_before(asset, around.candidate, place)
            if paused is None:  # the checkpoint cannot be resumed for the asset: its rows of the year
                settings = year_settings(self.settings, self.year, candidate.fallback)
                result = self.resume.compute_after(with_picks(self.asset_rows.get(asset, []), candidate.picks),
                                                   settings, until=self.year_end, assets=(asset,))
                kept: Sequence[Disposal] = ()
                new: Sequence[Disposal] = year_split(result, self.year).get(asset, [])  # computed anew, other
                old = lines.get(asset, ())  # assets' rows before `resume` included
            else:  # the asset's disposals before `resume`, then those of its rows before the sale, stay
                mine = lines.get(asset, ())
                made = bisect_left(mine, self.resume.start, key=_disposed) + paused.made
                kept, old = mine[:made], mine[made:]
                new = paused.run(with_picks(self.asset_rows[asset][place:], candidate.picks))
            gains = _swapped(gains, old, new)
            lines[asset] = [*kept, *new]
        return Evaluated(candidate, _NO_RESULT, gains, self.position.outcome(*gains), lines)

    def _paused_before(self, asset: str, candidate: LotChoice, place: int) -> Paused | None:
        """The engine from the checkpoint after the asset's rows of the year (`asset_rows`) before `place`, with
        the candidate's Lot IDs and method: where a choice that differs from it from that row on goes on. States
        along the rows are kept for the last candidate asked (`TRAIL_STATES`), and those before the first sale
        it picks otherwise serve the next candidate: the search improves the choice it holds one sale at a
        time. None when the checkpoint cannot be resumed for the asset."""
        trail = self._trails.get(asset)
        if trail is None or trail[0].fallback is not candidate.fallback:
            key = (asset, candidate.fallback)
            if key not in self._starts:
                self._starts[key] = self.resume.paused(
                    self.asset_rows.get(asset, []), year_settings(self.settings, self.year, candidate.fallback), asset)
            start = self._starts[key]
            if start is None:
                return None
            states = [start]
        elif trail[0] is not candidate:
            same = self._same_before(asset, trail[0], candidate, place)
            states = [state for state in trail[1] if state.done <= same]
        else:
            states = trail[1]
        self._trails[asset] = (candidate, states)
        index = bisect_right(states, place, key=_done) - 1
        state = states[index]
        rows = self.asset_rows[asset]
        stride = max(1, len(rows) // TRAIL_STATES)
        while state.done < place:
            state = state.then(with_picks(rows[state.done:min(place, state.done + stride)], candidate.picks))
            index += 1
            states.insert(index, state)
        return state

    def _same_before(self, asset: str, kept: LotChoice, candidate: LotChoice, place: int) -> int:
        """The place of the asset's first sale before `place` that the two choices pick otherwise, else `place`."""
        for where, row in self._free.get(asset, ()):
            if where >= place:
                break
            if kept.picks.get(row) != candidate.picks.get(row):
                return where
        return place

    def year_lines(self, found: Evaluated) -> Mapping[str, Sequence[Disposal]]:
        """The year's disposals of an evaluated choice by asset (`year_lines`, kept for the last result)."""
        if found.lines is not None:
            return found.lines
        if self._split is None or self._split[0] is not found.result:
            self._split = (found.result, year_split(found.result, self.year))
        return self._split[1]

    def _picked(self, found: Evaluated, sale: Transaction) -> tuple[LotPick, ...]:
        """The lots a sale took in an evaluated choice, as picks."""
        picks = found.candidate.picks.get(sale.row)
        if picks:
            return picks
        return choices(self.year_lines(found).get(sale.asset, ()), {sale.row}).get(sale.row, ())

    def lots_before(self, sale: Transaction, candidate: LotChoice) -> list[Lot] | None:
        """The lots the sale can take under this choice: those open just before it; None if the rows before it
        cannot be computed. Per wallet, only the rows of the sale's asset are run (as in `_assets_run`: the
        lots of one asset come from its own rows). One pool for all wallets is allocated to the wallets at the
        end of a history before 2025, in the order the history's rows first used them, so there every row
        before the sale is run."""
        self.evaluations += 1
        if not self.across_wallets:
            paused = self._paused_before(sale.asset, candidate, self._row_place[sale.row])
            if paused is not None:
                try:
                    return available_lots(paused.lots(), sale, self.across_wallets)
                except InputError:
                    return None
        checkpoint = self.checkpoint if self.across_wallets else self.resume
        rows = self.rows if self.across_wallets else [*checkpoint.before, *self.asset_rows.get(sale.asset, [])]
        before = [tx for tx in with_picks(rows, candidate.picks) if engine_order(tx) < engine_order(sale)]
        try:
            lots = checkpoint.compute(before, year_settings(self.settings, self.year, candidate.fallback),
                                      assets=None if self.across_wallets else (sale.asset,)).lots
        except InputError:
            return None
        return available_lots(lots, sale, self.across_wallets)

    # -- the search ---------------------------------------------------------------------------------------
    def best(self, starts: Sequence[LotChoice | Evaluated], fallback: Method) -> Evaluated | None:
        """The best choice found from `starts` (evaluated first; an `Evaluated` start is taken as the caller
        computed it on the whole history, without running it again), a greedy choice and local improvement,
        evaluated on the whole history. None if no candidate could be made."""
        given = [start for start in starts if isinstance(start, Evaluated)]
        question = (fallback, self.max_evaluations, self.free_rows, self.resume.start, self.position, self.settings,
                    tuple(start.candidate if isinstance(start, Evaluated) else start for start in starts),
                    tuple(start.outcome for start in given), self.rows)
        answer = self.searches.find(question) if self.searches is not None else None
        if answer is None:
            answer = self._search(starts, given, fallback)
            if answer is None:
                return None
            if self.searches is not None:
                self.searches.add(question, answer)
        self.evaluations, self.stopped = answer.evaluations, answer.stopped
        origins = [start for start in given if start.candidate.fallback is answer.candidate.fallback]
        if answer.start is not None:
            return given[answer.start]  # as the caller computed it on the whole history
        if not origins:
            return self.evaluate(answer.candidate, full=True)
        # the assets whose sales it picks otherwise than a start, on the whole history: the start's for the others
        changed, origin = min(((self._changed_assets(answer.candidate, start.candidate), start) for start in origins),
                              key=lambda item: len(item[0]))
        try:
            return run_assets(self.history, self.settings, self.position, answer.candidate, self.resume, origin,
                              changed)
        except InputError:
            return None

    def _search(self, starts: Sequence[LotChoice | Evaluated], given: Sequence[Evaluated], fallback: Method
                ) -> _Answer | None:
        """The starts evaluated, the greedy choice and local improvement: the best choice found, by year runs."""
        evaluated = [found for found in (start if isinstance(start, Evaluated) else self.evaluate(start)
                                         for start in starts) if found is not None]
        if not evaluated:
            return None
        leader = min(evaluated, key=lambda found: found.outcome.key)
        greedy = self.greedy(fallback, leader)
        if greedy is not None and greedy.outcome.key < leader.outcome.key:
            leader = greedy
        found = self.improve(leader)
        place = next((index for index, start in enumerate(given) if found is start), None)
        return _Answer(found.candidate, place, self.evaluations, self.stopped)

    def _changed_assets(self, candidate: LotChoice, other: LotChoice) -> list[str]:
        """The assets of the sales the two choices pick otherwise."""
        return sorted({sale.asset for sale in self.sales if candidate.picks.get(sale.row) != other.picks.get(sale.row)})

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
        return self.evaluate(LotChoice(fallback, picks), around=around)

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
            for sale in reversed(self.sales):
                better = self._improve_sale(sale, current, rates)
                if better is not None:
                    current, improved = better, True
                    break
                if self.exhausted:
                    self.stopped = True
                    break
        self.stopped = self.stopped or improved  # the last pass improved: the budget ended the search
        return current

    def _improve_sale(self, sale: Transaction, current: Evaluated, rates: dict[Term, Decimal]) -> Evaluated | None:
        candidate = current.candidate
        chosen = self._picked(current, sale)
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
                for variant, rows in ((picks, (sale.row,)), self._exchanged(picks, sale, source, target.lot_id, moved)):
                    if variant is None or self.exhausted:
                        continue
                    found = self.evaluate(LotChoice(candidate.fallback, variant), around=current, changed=rows)
                    if found is not None and found.outcome.key < current.outcome.key:
                        return found
        return None

    def _exchanged(self, picks: dict[int, tuple[LotPick, ...]], sale: Transaction, source: str, target: str,
                   units: Decimal) -> tuple[dict[int, tuple[LotPick, ...]] | None, tuple[int, ...]]:
        """`picks` where later sales that had chosen `target` take `source` instead, for up to `units`, and the
        rows whose picks that changes (the sale's among them); None if no later sale had chosen `target`."""
        exchanged = dict(picks)
        rows = [sale.row]
        left = units
        for later in self.sales[self._place[sale.row] + 1:]:
            if not left:
                break
            taken = {pick.lot_id: pick.quantity or ZERO for pick in exchanged.get(later.row, ())}
            if taken.get(target):
                swap = min(taken[target], left)
                exchanged[later.row] = _moved(taken, target, source, swap)
                rows.append(later.row)
                left -= swap
        return (exchanged if left < units else None), tuple(rows)


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


def _rows_by_asset(rows: Sequence[Transaction], start: date) -> dict[str, list[Transaction]]:
    """The rows of each asset from `start` on, in engine order: the rows of the asset, and each Trade that
    receives it as a Buy of the units received at the Trade's USD value (what the engine adds to the asset's
    pool for it)."""
    found: dict[str, list[Transaction]] = {}
    first = datetime.combine(start, time.min)
    for tx in sorted((tx for tx in rows if tx.when >= first), key=engine_order):
        found.setdefault(tx.asset, []).append(tx)
        received = tx.received_asset
        if tx.tx_type is TxType.TRADE and received and tx.received_quantity and received != tx.asset:
            found.setdefault(received, []).append(tx._replace(
                tx_type=TxType.BUY, asset=received, quantity=tx.received_quantity, fee_usd=ZERO,
                received_asset=None, received_quantity=None, lot_ids=()))
    return found


def _places(asset_rows: Mapping[str, Sequence[Transaction]], rows: Collection[int]) -> dict[int, int]:
    """The place of each of the disposal `rows` among its asset's rows (`_rows_by_asset`)."""
    return {tx.row: index for asset_list in asset_rows.values() for index, tx in enumerate(asset_list)
            if tx.row in rows and tx.tx_type.is_disposal}


def _done(state: Paused) -> int:
    return state.done


def _disposed(disposal: Disposal) -> date:
    return disposal.disposed


def sale_disposals(disposals: Iterable[Disposal], rows: Collection[int]) -> dict[int, tuple[Disposal, ...]]:
    """The lot slices of each of `rows` (their network-fee disposals aside), in one pass over a result's
    `disposals`: a lookup per sale would scan them all once per sale."""
    found: dict[int, list[Disposal]] = {row: [] for row in rows}
    for disposal in disposals:
        slices = found.get(disposal.row)
        if slices is not None and disposal.kind is not DisposalKind.FEE:
            slices.append(disposal)
    return {row: tuple(slices) for row, slices in found.items()}
