"""A sale before it is made: what selling a quantity of an asset from a wallet at a price on a date would
realize and do to the year's tax, under each method and under the best lot choice found.

The sale is a Sell row added to the history (ID `whatif`, USD value = quantity x price, less an optional
fee) and taken after every row dated on or before its day; the engine computes the history with it. The
user's own method gives exactly what entering the same row without Lot IDs will give; each other method
and the best choice name their lots (`ID:quantity`), which the user can record in the row's Lot IDs
column at the time of sale (docs/rules.md#which-units-are-sold). Rows after the sale stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from cryptotax_core.errors import UserError
from cryptotax_core.model import Disposal, InputError, Lot, LotPick, Method, Transaction, TxType
from cryptotax_core.planning.compare import METHODS
from cryptotax_core.planning.computed import Computed
from cryptotax_core.planning.identify import (
    SEARCH_BUDGET,
    Evaluated,
    LotChoice,
    LotSearch,
    available_lots,
    choices,
    evaluated,
    pooled_across_wallets,
    run_assets,
    sale_disposals,
    year_split,
)
from cryptotax_core.planning.position import Outcome, TermGains, YearPosition, year_position
from cryptotax_core.planning.prices import times
from cryptotax_core.pools import relief_name, relief_order
from cryptotax_core.settings import Settings
from cryptotax_core.summary import Totals, totals
from cryptotax_core.tax import TaxSettings
from cryptotax_core.values import plain, without_cycle_collection
from cryptotax_core.wash import WASH_SALE_DAYS

WHATIF_ID = "whatif"
BEST_LABEL = "Best lot choice"


class PlanningError(UserError):
    """A planned sale cannot be previewed (an unknown wallet, more units than held); the message says why."""


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale the user considers: `quantity` units of `asset` from `wallet` (None: the only wallet that
    holds the asset) at `price` USD per unit on `day`, less `fee_usd`."""

    asset: str
    quantity: Decimal
    price: Decimal
    day: date
    wallet: str | None = None
    fee_usd: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Preview(TermGains):
    """The sale under one lot choice.

    picks: the lots taken, as Lot IDs would name them. outcome: the year with the sale; base: without it.
    yours: this is the user's own method for the year (the row entered without Lot IDs gives this).
    """

    label: str
    picks: tuple[LotPick, ...]
    disposals: tuple[Disposal, ...]
    outcome: Outcome | None
    base: Outcome
    yours: bool = False
    problem: str | None = None

    @property
    def lot_ids(self) -> str:
        return ", ".join(f"{pick.lot_id}:{plain(pick.quantity or Decimal(0))}" for pick in self.picks)

    @property
    def lines(self) -> Totals:
        return totals(self.disposals)


    @property
    def tax_change(self) -> Decimal | None:
        """Estimated tax with the sale minus without it (None without other income for the year)."""
        if self.outcome is None or self.outcome.tax is None or self.base.tax is None:
            return None
        return self.outcome.tax - self.base.tax

    @property
    def capital_income_change(self) -> Decimal | None:
        """What the sale adds to the year's taxable income after netting and the loss limit."""
        return None if self.outcome is None else self.outcome.capital_income - self.base.capital_income


@dataclass(frozen=True, slots=True)
class WhatIf:
    sale: Sale
    wallet: str
    row: Transaction  # the hypothetical Sell row
    position: YearPosition  # the year without the sale
    held: Decimal | None  # units of the asset in the wallet before the sale (None: one pool for all wallets)
    previews: tuple[Preview, ...]  # the four methods, then the best lot choice
    evaluations: int  # engine runs the search made
    budget: int = SEARCH_BUDGET  # the most it could make
    stopped: bool = False  # it stopped at the budget with moves still to try: a longer search might do better

    @property
    def best(self) -> Preview:
        return self.previews[-1]


@without_cycle_collection()  # one collection after the hundreds of engine runs, not one after each
def what_if(transactions: Sequence[Transaction], settings: Settings, tax: TaxSettings, sale: Sale, *,
            max_evaluations: int | None = None, computed: Computed | None = None) -> WhatIf:
    """Preview `sale` under FIFO, LIFO, HIFO, LOFO and the best lot choice found (a heuristic that never
    does worse than the four methods, which are among its candidates: see `LotSearch`). Raises
    `PlanningError` for a sale that cannot be made and `InputError` if the history cannot be computed.
    `computed`: the history under `settings` as computed already (else computed here); every run with the sale
    starts from the engine's state at the start of the sale's year, or of its day."""
    if sale.quantity <= 0:
        raise PlanningError(f"the quantity to sell is {plain(sale.quantity)}: it must be greater than 0")
    if sale.price < 0 or sale.fee_usd < 0:
        raise PlanningError("the price and the fee cannot be negative")
    year = sale.day.year
    computed = computed or Computed(transactions, settings)
    # the search's runs of the year go on from the sale's day, or from 30 days before the year's end: they end
    # there, and a checkpoint holds the purchases of 30 days after its start (`Checkpoint.resumes`)
    resume = min(sale.day, date(year, 12, 31) - timedelta(days=WASH_SALE_DAYS - 1))
    computed.want_day(sale.day)
    computed.want(resume)
    whole = computed.result
    before = computed.until(sale.day)
    across_wallets = pooled_across_wallets(settings, year)
    wallet = _wallet(transactions, before.lots, sale)
    row = sale_row(transactions, sale, wallet)
    lots = available_lots(before.lots, row, across_wallets)
    held = None if across_wallets else sum((lot.quantity for lot in lots), Decimal(0))
    if held is not None and sale.quantity > held:  # one pool for all wallets: the engine checks the wallet's units
        raise PlanningError(f"'{wallet}' holds {plain(held)} {row.asset} at the end of {sale.day}, not "
                            f"{plain(sale.quantity)}")
    position = year_position(whole, tax, year)
    checkpoint = computed.checkpoint(year)
    on_the_day = computed.checkpoint(sale.day)  # the methods' runs: only the rows from the sale's day on
    base = position.outcome()
    history = [*transactions, row]
    own = settings.method_for(year)
    without = replace(evaluated(LotChoice(own, {}), whole, position),  # the other assets' records stay these
                      lines=year_split(whole, year))
    previews: list[Preview] = []
    found: list[Evaluated] = []
    for method in METHODS:
        mine = relief_name(own) is relief_name(method)
        picks = {} if mine else {row.row: _in_order(lots, method, sale.quantity, across_wallets)}
        try:
            run = run_assets(history, settings, position, LotChoice(own, picks), on_the_day, without, (row.asset,))
        except InputError as exc:
            previews.append(Preview(method.value, (), (), None, base, mine, _problem(exc, row)))
            continue
        found.append(run)
        previews.append(_preview(method.value, run, row, base, yours=mine))
    if not found:
        raise PlanningError(previews[0].problem or "the sale cannot be made")
    search = LotSearch(history, settings, position, {row.row}, checkpoint, max_evaluations=max_evaluations,
                       resume=computed.checkpoint(resume), searches=computed.searches)
    # the search starts from each method's lots, named: the same run as the method's
    starts = [replace(run, candidate=LotChoice(own, choices(run.disposals, {row.row}))) for run in found]
    searched = search.best(starts, own)
    winner = min([*found, *([searched] if searched else [])], key=lambda run: run.outcome.key)
    previews.append(_preview(BEST_LABEL, winner, row, base))
    return WhatIf(sale, wallet, row, position, held, tuple(previews), search.evaluations, search.max_evaluations,
                  search.stopped)


def _preview(label: str, evaluated: Evaluated, row: Transaction, base: Outcome, *, yours: bool = False) -> Preview:
    disposals = evaluated.disposals
    picks = choices(disposals, {row.row}).get(row.row, ())
    return Preview(label, picks, sale_disposals(disposals, (row.row,))[row.row], evaluated.outcome, base, yours)


def _problem(error: InputError, row: Transaction) -> str:
    issue = error.issues[0]
    return issue.message if issue.row == row.row else f"after this sale, {issue}"


def _in_order(lots: Sequence[Lot], method: Method, quantity: Decimal, across_wallets: bool) -> tuple[LotPick, ...]:
    """The lots `method` relieves first, as picks covering `quantity`, in the engine's relief order
    (`pools.relief_order`). `lots` come in the engine's order within a wallet; across wallets (universal
    pooling) acquisition date and row order them."""
    order = sorted(range(len(lots)), key=lambda index: (lots[index].acquired, lots[index].row)) if across_wallets \
        else list(range(len(lots)))
    place = [0] * len(lots)
    for position, index in enumerate(order):
        place[index] = position
    taken: dict[str, Decimal] = {}
    left = quantity
    for index in relief_order(method, lots, place):
        if not left:
            break
        units = min(left, lots[index].quantity)
        taken[lots[index].lot_id] = taken.get(lots[index].lot_id, Decimal(0)) + units
        left -= units
    return tuple(LotPick(lot_id, units) for lot_id, units in taken.items())


def _wallet(transactions: Sequence[Transaction], lots: Sequence[Lot], sale: Sale) -> str:
    """The wallet as the table spells it (names match case-insensitively); without one, the only wallet
    holding the asset."""
    asset = sale.asset.upper()
    if sale.wallet is not None:
        names = {name.casefold(): name for tx in transactions for name in (tx.wallet, tx.to_wallet) if name}
        name = names.get(sale.wallet.strip().casefold())
        if name is None:
            raise PlanningError(f"the wallet '{sale.wallet}' is not in the table")
        return name
    holders = sorted({lot.wallet for lot in lots if lot.asset == asset})
    if len(holders) == 1:
        return holders[0]
    if not holders:
        raise PlanningError(f"no wallet holds {asset} at the end of {sale.day}")
    raise PlanningError(f"{asset} is held in {', '.join(holders)}: name the wallet to sell from")


def sale_row(transactions: Sequence[Transaction], sale: Sale, wallet: str,
             picks: tuple[LotPick, ...] = ()) -> Transaction:
    """The Sell row of a planned sale: after every row of the table (ID `whatif`, or `whatif'` if taken),
    at the end of its day, USD value = quantity x price."""
    asset = sale.asset.upper()
    asset_class = next((tx.asset_class for tx in transactions if asset in (tx.asset, tx.received_asset)), None)
    if asset_class is None:
        raise PlanningError(f"{asset} is not in the table")
    ids = {tx.tx_id for tx in transactions}
    tx_id = WHATIF_ID
    while tx_id in ids:
        tx_id += "'"
    return Transaction(
        row=max((tx.row for tx in transactions), default=1) + 1,
        seq=max((tx.seq for tx in transactions), default=0) + 1, tx_id=tx_id,
        when=datetime.combine(sale.day, time.max), tx_type=TxType.SELL, asset=asset,
        quantity=sale.quantity, usd_value=times(sale.quantity, sale.price), fee_usd=sale.fee_usd, wallet=wallet,
        to_wallet=None, received_asset=None, received_quantity=None, lot_ids=picks,
        asset_class=asset_class, note="what if")
