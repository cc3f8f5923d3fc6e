"""Which lot relief method serves a year best: FIFO, LIFO, HIFO and LOFO side by side, and a specific
identification of the year's sales that lowers the year's tax further (docs/rules.md#which-units-are-sold).

Each method is applied to the one year (`Settings.method_by_year`); the years before keep the user's own
settings, so the carryover into the year is the same for all. Sales whose Lot IDs the user already
recorded keep them under every method: an identification made at the time of sale stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from cryptotax_core.model import Disposal, InputError, LotPick, Method, Transaction
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.planning.computed import Computed
from cryptotax_core.planning.identify import (
    SEARCH_BUDGET,
    Evaluated,
    LotChoice,
    LotSearch,
    choices,
    evaluated,
    run_year,
    sale_disposals,
)
from cryptotax_core.planning.position import Outcome, TermGains, YearPosition, year_position
from cryptotax_core.settings import Settings
from cryptotax_core.tax import TaxSettings
from cryptotax_core.values import plain, without_cycle_collection

METHODS: tuple[Method, ...] = (Method.FIFO, Method.LIFO, Method.HIFO, Method.LOFO)
"""The single methods compared (docs/rules.md#which-units-are-sold: the methods users expect)."""
BEST_LABEL = "Best identification"
IDENTIFICATION_RULE = (
    'docs/rules.md#which-units-are-sold: "Specific identification must be made no later than the time of sale '
    'and recorded (lot IDs on the sale row); a standing order (e.g. "HIFO for wallet X") counts. Without '
    'identification: FIFO within the wallet, ordered by original acquisition date."'
)
"""Why a better identification found afterwards cannot be claimed for sales already made."""


@dataclass(frozen=True, slots=True)
class SaleChoice(TermGains):
    """The lots one sale row took, with the gain they give (report lines: cents per line)."""

    sale: Transaction
    picks: tuple[LotPick, ...]
    disposals: tuple[Disposal, ...]
    recorded: bool  # the user's own Lot IDs (kept under every method)

    @property
    def lot_ids(self) -> str:
        """The picks as the Lot IDs column reads them: `ID:quantity, ID:quantity`."""
        return ", ".join(f"{pick.lot_id}:{plain(pick.quantity)}" if pick.quantity is not None else pick.lot_id
                         for pick in self.picks)



@dataclass(frozen=True, slots=True)
class MethodResult:
    """One way of choosing the year's lots: a single method, or the best identification found.

    fallback: the year's method for what the picks leave open (transfers between own wallets).
    problem: why this way cannot be used on this history (e.g. a recorded Lot ID it would empty first).
    """

    label: str
    fallback: Method
    short_term: Decimal = Decimal(0)
    long_term: Decimal = Decimal(0)
    outcome: Outcome | None = None
    sales: tuple[SaleChoice, ...] = ()
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    year: int
    position: YearPosition  # the year under the user's own settings (carryover in, tax situation)
    methods: tuple[MethodResult, ...]
    best: MethodResult
    evaluations: int  # engine runs the search made
    budget: int = SEARCH_BUDGET  # the most it could make
    stopped: bool = False  # it stopped at the budget with moves still to try: a longer search might do better

    @property
    def has_estimate(self) -> bool:
        return self.position.has_estimate

    @property
    def recorded_rows(self) -> tuple[int, ...]:
        return tuple(choice.sale.row for choice in self.best.sales if choice.recorded)


@without_cycle_collection()  # one collection after the hundreds of engine runs, not one after each
def compare_methods(transactions: Sequence[Transaction], settings: Settings, tax: TaxSettings, year: int, *,
                    max_evaluations: int | None = None, computed: Computed | None = None) -> Comparison:
    """The year under each of `METHODS` and under the best specific identification found.

    The identification is a heuristic (`LotSearch.best`): the single methods' own choices are among its
    candidates, so it never yields more tax (or, without other income, a larger capital result) than any
    of them; a better choice may exist that it does not find. Every figure comes from the engine run on
    the whole history with the chosen Lot IDs, from the engine's state at the start of the year. `computed`:
    the history under `settings` as computed already (else computed here). Raises `InputError` if the history
    itself cannot be computed.
    """
    computed = computed or Computed(transactions, settings)
    base = computed.result
    checkpoint = computed.checkpoint(year)
    position = year_position(base, tax, year)
    sales = [tx for tx in in_processing_order(transactions)
             if tx.day.year == year and tx.tx_type.is_disposal]
    free_rows = {tx.row for tx in sales if not tx.lot_ids}
    search = LotSearch(transactions, settings, position, free_rows, checkpoint, max_evaluations=max_evaluations,
                       searches=computed.searches)
    methods: list[MethodResult] = []
    starts: list[Evaluated] = []
    contenders: list[Evaluated] = []
    for method in METHODS:
        try:
            if settings.method_for(year) is method:  # the user's own method: the history as computed
                found = evaluated(LotChoice(method, {}), base, position)
            else:
                found = run_year(transactions, settings, position, LotChoice(method, {}), checkpoint, whole=True)
        except InputError as exc:
            methods.append(MethodResult(method.value, method, problem=f"{method.value} cannot be used for "
                                                                       f"{year}: {exc.issues[0]}"))
            continue
        picked = choices(found.disposals, free_rows)
        methods.append(_method_result(method.value, found, sales, free_rows, picked))
        # the search starts from the method's own lots, named: the same year's run as the method's
        starts.append(replace(found, candidate=LotChoice(method, picked)))
        contenders.append(found)
    own = settings.method_for(year)
    found_best = search.best(starts, Method.FIFO if own is Method.SPECIFIC else own) if free_rows else None
    if found_best is not None:
        contenders.append(found_best)
    if not contenders:
        best = MethodResult(BEST_LABEL, own, problem=methods[0].problem)
    else:
        winner = min(contenders, key=lambda found: found.outcome.key)  # the methods come first: they win ties
        best = _method_result(BEST_LABEL, winner, sales, free_rows)
    return Comparison(year, position, tuple(methods), best, search.evaluations, search.max_evaluations,
                      search.stopped)


def _method_result(label: str, found: Evaluated, sales: Sequence[Transaction], free_rows: set[int],
                   picked: dict[int, tuple[LotPick, ...]] | None = None) -> MethodResult:
    """`picked`: the lots each free sale took (`choices`), when worked out already."""
    picked = choices(found.disposals, free_rows) if picked is None else picked
    slices = sale_disposals(found.disposals, {tx.row for tx in sales})
    made = tuple(SaleChoice(tx, picked.get(tx.row, ()) if tx.row in free_rows else tx.lot_ids,
                            slices[tx.row], tx.row not in free_rows) for tx in sales)
    return MethodResult(label, found.candidate.fallback, *found.gains, found.outcome, made)
