"""What a tax-loss harvest tells the user besides its figures: per lot (a candidate's own notes) and for the
whole portfolio, once per asset and kind (a purchase within 30 days is one note for the asset, however many
of its lots have a loss).

The kinds, in the order they are told for each asset: purchases of the asset within 30 days of the sale
(docs/rules.md#wash-sales: for stock a wash sale, which the engine computes; for crypto a warning only), the
loss a wash sale disallows, a lot a later row needs, buying stock again after the sale, loss lots that turn
long-term within `SOON_DAYS` (sold before then, the loss stays short-term) and gain lots that do (waiting
gets the long-term rates; docs/rules.md#holding-period).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cryptotax_core.model import AssetClass, Term, Transaction
from cryptotax_core.ordering import processing_key
from cryptotax_core.planning.unrealized import LotValue, Unrealized
from cryptotax_core.wash import WASH_SALE_DAYS

SOON_DAYS = 30
"""A lot that turns long-term within this many days of the planning date gets a note."""
PURCHASES_NAMED = 5
"""A crypto asset's note names this many of its purchases near the date (a warning only); stock names all."""

_CRYPTO_RULE = "a wash sale for stock; crypto is not covered today, a warning only (docs/rules.md#wash-sales)"
_STOCK_RULE = "for stock a wash sale if those shares replace the ones sold (docs/rules.md#wash-sales)"
_SHORT_TERM_LOSS = "offsets short-term gains (taxed at ordinary rates) first"


@dataclass(frozen=True, slots=True)
class LotNotes:
    """What one harvest candidate needs said: the purchases of its asset within 30 days of the sale (other than
    its own), why the engine could not sell it (a later row needs it) and the loss a wash sale disallows."""

    value: LotValue
    purchases: tuple[Transaction, ...] = ()
    problem: str | None = None
    disallowed: Decimal = Decimal(0)

    @property
    def stock(self) -> bool:
        return self.value.lot.asset_class is AssetClass.STOCK


def turns_long_term_soon(value: LotValue) -> bool:
    return value.term is Term.SHORT and value.days_to_long_term <= SOON_DAYS


def lot_notes(notes: LotNotes) -> tuple[str, ...]:
    """A candidate's own notes, one per fact (the JSON output's per-lot notes)."""
    value, lines = notes.value, []
    if turns_long_term_soon(value):
        lines.append(f"turns long-term on {value.long_term_from} (in {value.days_to_long_term} days): sold before "
                     f"then the loss stays short-term, which {_SHORT_TERM_LOSS}")
    named = notes.purchases if notes.stock else notes.purchases[:PURCHASES_NAMED]
    for tx in named:
        when = "before" if tx.day <= value.on else "after"
        lines.append(f"{value.lot.asset} bought on {tx.day} (row {tx.row}), within {WASH_SALE_DAYS} days {when} the "
                     f"sale: {_STOCK_RULE if notes.stock else _CRYPTO_RULE}")
    if len(notes.purchases) > len(named):
        more = len(notes.purchases) - len(named)
        lines.append(f"{value.lot.asset} bought {more} more time{'s' if more > 1 else ''} within {WASH_SALE_DAYS} days "
                     f"of the sale: {_CRYPTO_RULE}")
    if notes.problem:
        lines.append(notes.problem)
    if notes.disallowed:
        lines.append(f"the wash sale disallows {notes.disallowed:,.2f} of the loss (added to the basis of the shares "
                     f"bought)")
    if notes.stock:
        lines.append(_rebuy(value.lot.asset))
    return tuple(lines)


def _rebuy(asset: str) -> str:
    return f"buying {asset} again within {WASH_SALE_DAYS} days after the sale would make it a wash sale " \
           f"(docs/rules.md#wash-sales)"


def portfolio_notes(valued: Unrealized, candidates: Sequence[LotNotes], on: date, *,
                    tax_figures: bool) -> tuple[str, ...]:
    """The harvest's notes once per asset and kind (assets in alphabetical order), then the assets left out for
    want of a price and, without a tax estimate, what ranks the lots."""
    by_asset: dict[str, list[LotNotes]] = {}
    for notes in candidates:
        by_asset.setdefault(notes.value.lot.asset, []).append(notes)
    waiting: dict[str, list[LotValue]] = {}
    for value in valued.lots:
        if value.gain > 0 and turns_long_term_soon(value):
            waiting.setdefault(value.lot.asset, []).append(value)
    lines: list[str] = []
    for asset in sorted(by_asset.keys() | waiting.keys()):
        lines += _asset_notes(asset, by_asset.get(asset, []), waiting.get(asset, []), on)
    lines += valued.notes
    if not tax_figures:
        lines.append(f"tax figures need the year's other income (Other income {on.year} in Settings, or "
                     f"--other-income): lots are ranked by the loss this year can use")
    return tuple(lines)


def _asset_notes(asset: str, candidates: Sequence[LotNotes], waiting: Sequence[LotValue], on: date) -> list[str]:
    lines: list[str] = []
    stock = any(notes.stock for notes in candidates)
    shared = {id(notes.purchases): notes.purchases for notes in candidates}  # the lots of an asset share one
    purchases = {tx.row: tx for rows in shared.values() for tx in rows}
    if purchases:
        ordered = sorted(purchases.values(), key=processing_key)
        named = ordered if stock else ordered[:PURCHASES_NAMED]
        more = f" and {len(ordered) - len(named)} more" if len(ordered) > len(named) else ""
        lines.append(f"{asset} bought within {WASH_SALE_DAYS} days of a sale on {on}: "
                     f"{', '.join(f'row {tx.row} ({tx.day})' for tx in named)}{more}: "
                     f"{_STOCK_RULE if stock else _CRYPTO_RULE}")
    washed = [notes for notes in candidates if notes.disallowed]
    if washed:
        lines.append(f"{asset}: the wash sale disallows part of the loss of lot "
                     f"{', '.join(f'{n.value.lot.lot_id} ({n.disallowed:,.2f})' for n in washed)} "
                     f"(added to the basis of the shares bought); the figures count it")
    lines += [f"{asset} lot {notes.value.lot.lot_id}: {notes.problem}" for notes in candidates if notes.problem]
    if stock:
        lines.append(_rebuy(asset))
    soon = [notes.value for notes in candidates if turns_long_term_soon(notes.value)]
    if soon:
        lines.append(f"{asset} loss lots that turn long-term within {SOON_DAYS} days: "
                     f"{_turning(soon)}: sold before then, a loss stays short-term, which {_SHORT_TERM_LOSS}")
    if waiting:
        lines.append(f"{asset} lots with a gain that turn long-term within {SOON_DAYS} days: "
                     f"{_turning(waiting)}: if you mean to sell one, waiting until then gets the long-term rates")
    return lines


def _turning(values: Sequence[LotValue]) -> str:
    """`T7 on 2026-12-02 (in 10 days), T9 on 2026-12-05 (in 13 days)`, the soonest first."""
    ordered = sorted({value.lot.lot_id: value for value in values}.values(),  # a lot in two wallets: once
                     key=lambda value: (value.long_term_from, value.lot.lot_id))
    return ", ".join(f"{value.lot.lot_id} on {value.long_term_from} (in {value.days_to_long_term} "
                     f"day{'' if value.days_to_long_term == 1 else 's'})" for value in ordered)
