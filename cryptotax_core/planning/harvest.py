"""Tax-loss harvesting before year end: which loss lots to sell on a planning date, what each saves this
year, and a plan that stops where the loss limit makes more losses worthless this year.

The seed articles' advice ("identify assets that decreased in value, sell before year-end to realize
losses, use them to offset gains") made concrete. The year is taken as it stands at the end of the
planning date: its realized short-term and long-term gain so far, the carryover into it, the filing status
and, for tax figures, the year's other income (`TaxSettings`). Selling a whole lot on the date at the
given price realizes its unrealized gain with the term it has that day; `YearPosition` nets it
(Schedule D, the 3,000 / 1,500 limit, the carryover) and estimates the tax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from cryptotax_core.model import AssetClass, InputError, Lot, LotPick, Term, Transaction
from cryptotax_core.ordering import in_processing_order
from cryptotax_core.planning.computed import Computed
from cryptotax_core.planning.harvest_notes import LotNotes, lot_notes, portfolio_notes
from cryptotax_core.planning.position import Outcome, YearPosition, year_gains, year_position
from cryptotax_core.planning.prices import Prices
from cryptotax_core.planning.unrealized import LotValue, Unrealized, lot_pick_text, unrealized
from cryptotax_core.planning.whatif import Sale, sale_row
from cryptotax_core.settings import Settings
from cryptotax_core.tax import TaxSettings
from cryptotax_core.tax.netting import LOSS_LIMIT
from cryptotax_core.values import without_cycle_collection
from cryptotax_core.wash import WASH_SALE_DAYS, Purchases

ZERO = Decimal(0)
QUANTITY_PLACES = Decimal("1e-8")  # a partial quantity is rounded up to 8 decimals (a satoshi)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A lot with an unrealized loss, sold alone on the planning date.

    tax_saved: estimated tax of the year as it is minus with this sale (None without other income).
    loss_used: how much the sale lowers the year's capital income (the loss that offsets gains or is
        deducted this year); the rest of the loss carries forward (`carryover_added`).
    short_term / long_term: the sale's effect on the year: the lot's gain with its term, or, for stock
        with a purchase within 30 days in the table, what the engine computes (a wash sale disallows part or
        all of the loss: `disallowed`).
    """

    value: LotValue
    short_term: Decimal  # what the sale adds to the year's short-term and long-term gain (a loss: negative)
    long_term: Decimal
    tax_saved: Decimal | None
    loss_used: Decimal
    carryover_added: Decimal
    facts: LotNotes  # what its notes say: purchases near the date, a problem, the loss disallowed

    @property
    def notes(self) -> tuple[str, ...]:
        """This lot's own notes; `Harvest.notes` tells them once per asset and kind."""
        return lot_notes(self.facts)

    @property
    def disallowed(self) -> Decimal:
        """The part of the loss a wash sale disallows (the engine's adjustment; 0 for crypto)."""
        return self.short_term + self.long_term - self.value.gain

    @property
    def loss(self) -> Decimal:
        return -self.value.gain

    @property
    def saving(self) -> Decimal:
        """What ranks the candidate: tax saved, or without a tax estimate the loss used this year."""
        return self.loss_used if self.tax_saved is None else self.tax_saved


@dataclass(frozen=True, slots=True)
class Step:
    """A candidate's place in the cumulative plan (candidates taken in rank order).

    in_plan: it still saves tax (or uses loss) this year on top of the lots before it.
    saves: what it adds to the plan's saving. carryover_added: what it adds to next year's carryover.
    quantity: the units whose loss this year can use (the whole lot, or part of the last lot of the
        plan; selling the whole lot still helps later years through the carryover).
    """

    candidate: Candidate
    in_plan: bool
    saves: Decimal
    carryover_added: Decimal
    quantity: Decimal

    @property
    def lot_ids(self) -> str:
        return lot_pick_text(self.candidate.value.lot.lot_id, self.quantity)


@dataclass(frozen=True, slots=True)
class Harvest:
    on: date
    position: YearPosition
    base: Outcome  # the year as it stands
    lots: Unrealized  # every open lot with a price
    candidates: tuple[Candidate, ...]  # ranked
    plan: tuple[Step, ...]
    planned: Outcome  # the year with the plan's lots sold
    notes: tuple[str, ...]  # once per asset and kind, then missing prices (harvest_notes.portfolio_notes)

    @property
    def has_estimate(self) -> bool:
        return self.position.has_estimate

    @property
    def plan_saves(self) -> Decimal:
        return sum((step.saves for step in self.plan if step.in_plan), ZERO)


@without_cycle_collection()  # one collection after the hundreds of engine runs, not one after each
def harvest(transactions: Sequence[Transaction], settings: Settings, tax: TaxSettings, on: date,
            prices: Prices, *, computed: Computed | None = None) -> Harvest:
    """Rank the lots with an unrealized loss on `on` by what selling each saves in `on`'s tax year
    (ties: the bigger loss first) and build the cumulative plan. Raises `InputError` if the history up
    to `on` cannot be computed. `computed`: the history under `settings` as computed already (else computed
    here)."""
    computed = computed or Computed(transactions, settings)
    # it reads the rows up to 30 days after the date (the purchases near it, a stock sale's wash sale)
    return computed.lasting(("harvest", tax, on, tuple(sorted(prices.items()))), on + timedelta(days=WASH_SALE_DAYS),
                            lambda: _harvest(transactions, tax, on, prices, computed))


def _harvest(transactions: Sequence[Transaction], tax: TaxSettings, on: date, prices: Prices,
             computed: Computed) -> Harvest:
    result = computed.until(on)
    position = year_position(result, tax, on.year)
    base = position.outcome()
    valued = unrealized(result.lots, prices, on)
    index = Purchases(in_processing_order(transactions))
    near: dict[str, tuple[tuple[Transaction, ...], set[str]]] = {}  # an asset's purchases within 30 days, IDs
    candidates = []
    for value in valued.lots:
        if value.gain < 0:
            asset = value.lot.asset
            if asset not in near:
                found = tuple(index.near(asset, on))
                near[asset] = (found, {tx.tx_id for tx in found})
            candidates.append(_candidate(value, position, base, computed, _others(*near[asset], value.lot)))
    order = {id(value): index for index, value in enumerate(valued.lots)}
    candidates.sort(key=lambda candidate: (-candidate.saving, candidate.value.gain, order[id(candidate.value)]))
    plan, planned = _plan(candidates, position, base)
    notes = portfolio_notes(valued, [candidate.facts for candidate in candidates], on,
                            tax_figures=position.has_estimate)
    return Harvest(on, position, base, valued, tuple(candidates), plan, planned, notes)


def _others(purchases: tuple[Transaction, ...], ids: set[str], lot: Lot) -> tuple[Transaction, ...]:
    """The purchases (whose row IDs are `ids`) but for the lot's own acquisition (a lot's ID is the ID of the row
    that acquired it): the same tuple when it is not among them, so the lots of an asset share one (a tuple per
    lot made the harvest grow with the lots times the purchases)."""
    if lot.lot_id not in ids:
        return purchases
    return tuple(tx for tx in purchases if tx.tx_id != lot.lot_id)


def _candidate(value: LotValue, position: YearPosition, base: Outcome, computed: Computed,
               purchases: tuple[Transaction, ...]) -> Candidate:
    """The lot sold alone on the date, with the purchases of its asset within `WASH_SALE_DAYS` of it (but for the
    lot's own acquisition)."""
    stock = value.lot.asset_class is AssetClass.STOCK
    short_term, long_term = (value.gain, ZERO) if value.term is Term.SHORT else (ZERO, value.gain)
    problem = None
    if stock and purchases:
        try:
            short_term, long_term = _engine_effect(computed, value)
        except InputError as exc:  # a later row of the table needs this lot
            problem = f"sold whole, the lot leaves {exc.issues[0]}"
    sold = position.plus(short_term, long_term)
    tax_saved = None if base.tax is None or sold.tax is None else base.tax - sold.tax
    facts = LotNotes(value, purchases, problem, short_term + long_term - value.gain)
    return Candidate(value, short_term, long_term, tax_saved, base.capital_income - sold.capital_income,
                     sold.carryover_out - base.carryover_out, facts)


def _engine_effect(computed: Computed, value: LotValue) -> tuple[Decimal, Decimal]:
    """What selling the whole lot on the date adds to its year's short-term and long-term gain, by the
    engine, which applies the wash-sale rule with the purchases the table holds up to 30 days after.
    `InputError` if a row in those 30 days needs units of the lot."""
    lot, year = value.lot, value.on.year
    sale = Sale(lot.asset, lot.quantity, value.price, value.on, lot.wallet)
    transactions = computed.transactions
    row = sale_row(transactions, sale, lot.wallet, (LotPick(lot.lot_id, lot.quantity),))
    until = value.on + timedelta(days=WASH_SALE_DAYS)
    without = year_gains(computed.until(until), year)
    with_sale = year_gains(computed.checkpoint(year).compute([*transactions, row], computed.settings, until=until),
                           year)
    return with_sale[0] - without[0], with_sale[1] - without[1]


def _plan(candidates: Sequence[Candidate], position: YearPosition, base: Outcome) -> tuple[tuple[Step, ...], Outcome]:
    """Take the candidates in rank order while each still saves."""
    steps: list[Step] = []
    current, short_term, long_term = base, ZERO, ZERO
    limit = LOSS_LIMIT[position.tax.filing_status]
    for candidate in candidates:
        value = candidate.value
        sold = position.plus(short_term + candidate.short_term, long_term + candidate.long_term)
        saves = _saving(current, sold)
        added = sold.carryover_out - current.carryover_out
        if saves <= 0:
            steps.append(Step(candidate, False, ZERO, added, value.lot.quantity))
            continue
        room = current.capital_income + limit  # how far capital income can still fall this year
        quantity = value.lot.quantity
        allowed = -(candidate.short_term + candidate.long_term)
        if allowed > room > 0:
            part = (value.lot.quantity * room / allowed).quantize(QUANTITY_PLACES, rounding=ROUND_CEILING)
            quantity = min(quantity, part)
        steps.append(Step(candidate, True, saves, added, quantity))
        short_term += candidate.short_term
        long_term += candidate.long_term
        current = sold
    return tuple(steps), current


def _saving(before: Outcome, after: Outcome) -> Decimal:
    if before.tax is not None and after.tax is not None:
        return before.tax - after.tax
    return before.capital_income - after.capital_income
