"""Form 8949 lines, their box totals and the Schedule D lines they feed (docs/rules.md#form-8949-boxes;
Netting, the loss limit and carryover).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from cryptotax_core.model import AssetClass, Disposal, Reporting, Term
from cryptotax_core.summary import cents as _cents
from cryptotax_core.tax.netting import NO_CARRYOVER, ZERO, Carryover, FilingStatus, net_capital
from cryptotax_core.values import plain

FIRST_DIGITAL_ASSET_YEAR = 2025
"""From tax year 2025 digital assets use boxes G-L instead of A-F (docs/rules.md#form-8949-boxes)."""


class FormFamily(enum.Enum):
    """Which broker form a box refers to."""

    B = "1099-B"  # stocks any year; crypto before 2025
    DA = "1099-DA"  # digital assets from 2025


BOXES: dict[tuple[FormFamily, Term, Reporting], str] = {
    (FormFamily.B, Term.SHORT, Reporting.BASIS): "A",
    (FormFamily.B, Term.SHORT, Reporting.PROCEEDS): "B",
    (FormFamily.B, Term.SHORT, Reporting.NONE): "C",
    (FormFamily.B, Term.LONG, Reporting.BASIS): "D",
    (FormFamily.B, Term.LONG, Reporting.PROCEEDS): "E",
    (FormFamily.B, Term.LONG, Reporting.NONE): "F",
    (FormFamily.DA, Term.SHORT, Reporting.BASIS): "G",
    (FormFamily.DA, Term.SHORT, Reporting.PROCEEDS): "H",
    (FormFamily.DA, Term.SHORT, Reporting.NONE): "I",
    (FormFamily.DA, Term.LONG, Reporting.BASIS): "J",
    (FormFamily.DA, Term.LONG, Reporting.PROCEEDS): "K",
    (FormFamily.DA, Term.LONG, Reporting.NONE): "L",
}
"""Form 8949 check boxes (docs/rules.md#form-8949-boxes)."""

BOX_TERM: dict[str, Term] = {box: term for (_, term, _), box in BOXES.items()}

SCHEDULE_D_BOX_LINES: dict[str, tuple[str, ...]] = {
    "1b": ("A", "G"),
    "2": ("B", "H"),
    "3": ("C", "I"),
    "8b": ("D", "J"),
    "9": ("E", "K"),
    "10": ("F", "L"),
}
"""Schedule D lines fed by Form 8949 boxes (docs/rules.md#form-8949-boxes): the 2025 Schedule D pairs each
1099-DA box with the 1099-B box of the same reporting and term: line 1b takes boxes A and G, 2 B and H,
3 C and I (Part I), 8b D and J, 9 E and K, 10 F and L (Part II)."""

ADJUSTMENT_CODES = frozenset("WBO")
"""Form 8949 column (f) codes the project uses: W wash sale, B basis reported wrong, O other
(docs/rules.md#form-8949-boxes)."""


def box_for(term: Term, asset_class: AssetClass, tax_year: int, reporting: Reporting = Reporting.NONE) -> str:
    """The Form 8949 box (docs/rules.md#form-8949-boxes): A-F for stocks in any year and crypto before 2025,
    G-L for crypto (digital assets) from tax year 2025."""
    digital = asset_class is AssetClass.CRYPTO and tax_year >= FIRST_DIGITAL_ASSET_YEAR
    family = FormFamily.DA if digital else FormFamily.B
    return BOXES[(family, term, reporting)]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A Form 8949 column (f) code and column (g) amount; codes from `ADJUSTMENT_CODES`, e.g. "W"."""

    code: str
    amount: Decimal

    def __post_init__(self) -> None:
        unknown = sorted(set(self.code) - ADJUSTMENT_CODES)
        if not self.code or unknown:
            raise ValueError(
                f"adjustment code '{self.code}' is not valid: use one or more of W (wash sale), "
                "B (basis reported wrong), O (other)"
            )


class Form8949Line(NamedTuple):
    """One Form 8949 row (columns a-h, amounts in cents) and the disposal it comes from (a named tuple:
    one is made per disposal)."""

    box: str
    description: str
    date_acquired: date
    date_sold: date
    proceeds: Decimal
    cost_basis: Decimal
    adjustment_code: str
    adjustment: Decimal
    gain: Decimal
    row: int
    tx_id: str
    lot_id: str
    wallet: str = ""

    @property
    def term(self) -> Term:
        return BOX_TERM[self.box]


def describe(quantity: Decimal, asset: str) -> str:
    """Column (a): quantity in plain notation without trailing zeros, then the asset ("0.5 BTC")."""
    return f"{plain(quantity)} {asset}"


def form8949_line(
    disposal: Disposal, reporting: Reporting, adjustment: Adjustment | None = None
) -> Form8949Line:
    """The Form 8949 row of one disposal. Proceeds and basis are rounded to cents first, and column (h) is
    (d) - (e) + (g) of the rounded amounts, so every row adds up as printed."""
    proceeds = _cents(disposal.proceeds)
    cost_basis = _cents(disposal.cost_basis)
    if adjustment is None and disposal.adjustment_code:  # the engine's own adjustment (a wash sale)
        adjustment = Adjustment(disposal.adjustment_code, disposal.adjustment)
    code, amount = (adjustment.code, _cents(adjustment.amount)) if adjustment else ("", ZERO)
    return Form8949Line(
        box=box_for(disposal.term, disposal.asset_class, disposal.tax_year, reporting),
        description=describe(disposal.quantity, disposal.asset),
        date_acquired=disposal.acquired,
        date_sold=disposal.disposed,
        proceeds=proceeds,
        cost_basis=cost_basis,
        adjustment_code=code,
        adjustment=amount,
        gain=proceeds - cost_basis + amount,
        row=disposal.row,
        tx_id=disposal.tx_id,
        lot_id=disposal.lot_id,
        wallet=disposal.wallet,
    )


def form8949_lines(
    disposals: Iterable[Disposal],
    reporting_for: Callable[[Disposal], Reporting],
    adjustment_for: Callable[[Disposal], Adjustment | None] | None = None,
) -> list[Form8949Line]:
    """Form 8949 rows of the disposals, sorted by box, then date sold, then row.

    reporting_for: what the broker reported for each disposal (`Reporting.NONE` when not on a form).
    adjustment_for: an optional column (f)/(g) adjustment per disposal; by default the disposal's own (the
        engine's wash-sale adjustment, code W), if any.

    Pieces of one lot that one sale takes (units of a lot that reached a wallet by two transfers) are one
    row, as the broker's form shows one sale of one lot: their quantity, proceeds, basis and adjustment
    summed (each in cents first, so the row adds up as printed), the rest kept. Pieces that differ in any
    other column (the box, the date acquired after a wash sale, the code) stay apart.
    """
    merged: dict[tuple[object, ...], tuple[Form8949Line, Decimal, str]] = {}
    for disposal in disposals:
        line = form8949_line(disposal, reporting_for(disposal), adjustment_for(disposal) if adjustment_for else None)
        key = (line.row, line.tx_id, line.lot_id, line.wallet, line.box, line.date_acquired, line.date_sold,
               line.adjustment_code)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = (line, disposal.quantity, disposal.asset)
            continue
        first, quantity, asset = earlier
        quantity += disposal.quantity
        merged[key] = (first._replace(description=describe(quantity, asset), proceeds=first.proceeds + line.proceeds,
                                      cost_basis=first.cost_basis + line.cost_basis,
                                      adjustment=first.adjustment + line.adjustment, gain=first.gain + line.gain),
                       quantity, asset)
    return sorted((line for line, _, _ in merged.values()), key=lambda line: (line.box, line.date_sold, line.row))


@dataclass(frozen=True, slots=True)
class BoxTotal:
    """The totals row of one Form 8949 box (columns d, e, g and h)."""

    box: str
    proceeds: Decimal
    cost_basis: Decimal
    adjustment: Decimal
    gain: Decimal


def box_totals(lines: Iterable[Form8949Line]) -> dict[str, BoxTotal]:
    """Totals per box, for the boxes that have lines, in box order."""
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        total = sums.get(line.box)
        if total is None:
            total = sums[line.box] = [ZERO, ZERO, ZERO, ZERO]
        total[0] += line.proceeds
        total[1] += line.cost_basis
        total[2] += line.adjustment
        total[3] += line.gain
    return {box: BoxTotal(box, *sums[box]) for box in sorted(sums)}


def _as_loss(amount: Decimal) -> Decimal:
    """A positive loss amount as Schedule D shows it: negative (and plain 0, not -0, when there is none)."""
    return -amount if amount else ZERO


def schedule_d_lines(
    lines: Iterable[Form8949Line],
    filing_status: FilingStatus = FilingStatus.SINGLE,
    carryover_in: Carryover = NO_CARRYOVER,
) -> dict[str, Decimal]:
    """Column (h) of the Schedule D lines that one year's Form 8949 rows feed (docs/rules.md#form-8949-boxes;
    Netting, the loss limit and carryover).

    Keys: "1b", "2", "3" (boxes per `SCHEDULE_D_BOX_LINES`), "6" (short-term carryover in, negative),
    "7" (net short-term), "8b", "9", "10", "14" (long-term carryover in, negative), "15" (net long-term),
    "16" (7 + 15) and "21" (the deductible loss as a negative number when line 16 is a loss, else 0),
    which comes from `net_capital` so the loss limit lives in one place. Lines 1a and 8a (totals reported
    without Form 8949) and lines 4-5 and 11-13 (other forms, distributions) are not produced: everything
    here goes through Form 8949. Every key is present, zero when nothing feeds it.

    All rows must be from one tax year; a `ValueError` names the years otherwise.
    """
    rows = list(lines)
    years = sorted({line.date_sold.year for line in rows})
    if len(years) > 1:
        raise ValueError(
            f"Schedule D covers one tax year, but the Form 8949 lines are from {', '.join(map(str, years))}"
        )
    totals = box_totals(rows)
    result: dict[str, Decimal] = {}
    for line_number, boxes in SCHEDULE_D_BOX_LINES.items():
        result[line_number] = sum((totals[box].gain for box in boxes if box in totals), ZERO)
    result["6"] = _as_loss(carryover_in.short_term)
    result["7"] = result["1b"] + result["2"] + result["3"] + result["6"]
    result["14"] = _as_loss(carryover_in.long_term)
    result["15"] = result["8b"] + result["9"] + result["10"] + result["14"]
    result["16"] = result["7"] + result["15"]
    short_term_gain = result["1b"] + result["2"] + result["3"]
    long_term_gain = result["8b"] + result["9"] + result["10"]
    netting = net_capital(short_term_gain, long_term_gain, carryover_in, filing_status)
    result["21"] = _as_loss(netting.deductible_loss)
    return {key: result[key] for key in ("1b", "2", "3", "6", "7", "8b", "9", "10", "14", "15", "16", "21")}
