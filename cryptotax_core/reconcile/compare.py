"""What differs between a broker's form and the year's disposals, and the Form 8949 line each sale needs
(docs/rules.md#reconciling-with-the-brokers-form)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from cryptotax_core.errors import UserError
from cryptotax_core.model import Disposal, Reporting
from cryptotax_core.reconcile.form import FormLine
from cryptotax_core.reconcile.match import Match, Sale, match, sales_of, terms
from cryptotax_core.summary import cents
from cryptotax_core.tax.form8949 import box_for, describe
from cryptotax_core.values import plain

CENT = Decimal("0.01")
_ZERO = Decimal(0)


class ReconcileError(UserError):
    """The form and the history cannot be compared as asked (no year to choose, an unknown wallet)."""


class Difference(enum.Enum):
    NOT_IN_HISTORY = "on the form, not in your history"
    NOT_ON_FORM = "in your history, not on the form"
    PROCEEDS = "proceeds differ"
    BASIS = "basis differs"
    TERM = "term differs"


class Form8949Entry(NamedTuple):
    """A Form 8949 line to enter: box, columns (a) to (h)."""

    box: str
    description: str
    acquired: date | None  # None: various dates
    sold: date
    proceeds: Decimal  # (d)
    cost_basis: Decimal  # (e)
    code: str  # (f)
    adjustment: Decimal  # (g)
    gain: Decimal  # (h) = (d) - (e) + (g)


@dataclass(frozen=True, slots=True)
class ReconciledSale:
    """One sale (or a day's sales of an asset) as the form has it and as the history has it."""

    differences: tuple[Difference, ...]  # empty: they agree
    asset: str
    sold: date  # the history's date, else the form's
    units: Decimal | None
    form_lines: tuple[int, ...]
    rows: tuple[int, ...]  # the transaction table's rows
    wallet: str
    form_proceeds: Decimal | None
    proceeds: Decimal | None  # the history's, in cents
    form_basis: Decimal | None  # None: the form shows none
    basis: Decimal | None
    basis_reported: bool  # the form reports basis to the IRS (box 2)
    entries: tuple[Form8949Entry, ...]
    explanation: str  # what differs and what to do; "" when they agree
    day_off: bool = False


@dataclass(frozen=True, slots=True)
class Reconciliation:
    year: int
    wallets: tuple[str, ...]  # the wallets whose sales were compared
    comparisons: tuple[ReconciledSale, ...]
    other_years: int = 0  # form lines of other years, left out

    def count(self, difference: Difference | None) -> int:
        """How many comparisons show `difference` (None: how many agree)."""
        if difference is None:
            return sum(1 for item in self.comparisons if not item.differences)
        return sum(1 for item in self.comparisons if difference in item.differences)

    @property
    def differences(self) -> tuple[ReconciledSale, ...]:
        return tuple(item for item in self.comparisons if item.differences)


def reconcile(disposals: Sequence[Disposal], form: Sequence[FormLine], year: int | None = None,
              wallet: str | None = None) -> Reconciliation:
    """Compare the broker's sales of `year` (default: the form's one year) with the history's disposals of
    that year, in `wallet` (default: the wallets whose sales the form's lines match)."""
    years = sorted({line.sold.year for line in form})
    if year is None:
        if len(years) != 1:
            raise ReconcileError(f"the form has sales of {', '.join(map(str, years))}: give the tax year to compare "
                                 f"(--year)")
        year = years[0]
    lines = [line for line in form if line.sold.year == year]
    if not lines:
        raise ReconcileError(f"the form has no sale in {year} (its sales are of {', '.join(map(str, years))})")
    chosen = {wallet.casefold()} if wallet else None
    sales = sales_of(disposals, year, chosen)
    if wallet and not sales:
        known = sorted({piece.wallet for piece in disposals if piece.disposed.year == year})
        raise ReconcileError(f"no disposal in {year} is in wallet '{wallet}'; the wallets with disposals that year: "
                             f"{', '.join(known) or 'none'}")
    found = match(lines, sales)
    matched = {sale.wallet for item in found if item.lines for sale in item.sales}
    if chosen is None and matched:  # the form is the broker's of these wallets: the others' sales are not its
        found = [item for item in found if item.lines or item.sales[0].wallet in matched]
    wallets = tuple(sorted(matched)) if chosen is None else (wallet or "",)
    comparisons = sorted((compare(item, year) for item in found), key=lambda item: (item.sold, item.asset,
                                                                                     item.form_lines, item.rows))
    return Reconciliation(year, wallets, tuple(comparisons), len(form) - len(lines))


def compare(found: Match, year: int) -> ReconciledSale:
    """The comparison of one match, with the Form 8949 lines it needs."""
    lines, sales = found.lines, found.sales
    pieces = [piece for sale in sales for piece in sale.slices]
    form_proceeds = cents(sum((line.proceeds for line in lines), _ZERO)) if lines else None
    form_basis = (cents(sum((line.basis or _ZERO for line in lines), _ZERO))
                  if lines and all(line.basis is not None for line in lines) else None)
    reported = bool(lines) and all(line.basis_reported for line in lines)
    proceeds = cents(sum((piece.proceeds for piece in pieces), _ZERO)) if sales else None
    basis = cents(sum((piece.cost_basis for piece in pieces), _ZERO)) if sales else None
    first = sales[0] if sales else None
    units = (sum((sale.units for sale in sales), _ZERO) if sales
             else None if any(line.units is None for line in lines) else sum((line.units or _ZERO for line in lines),
                                                                             _ZERO))
    differences: list[Difference] = []
    if not sales:
        differences.append(Difference.NOT_IN_HISTORY)
    elif not lines:
        differences.append(Difference.NOT_ON_FORM)
    else:
        if abs((form_proceeds or _ZERO) - (proceeds or _ZERO)) > CENT:
            differences.append(Difference.PROCEEDS)
        if form_basis is not None and abs(form_basis - (basis or _ZERO)) > CENT:
            differences.append(Difference.BASIS)
        form_terms = {line.term for line in lines}
        if len(form_terms) == 1 and None not in form_terms and set(terms(sales)) != form_terms:
            differences.append(Difference.TERM)
    entries = form8949_entries(sales, year, reported if lines else None, form_proceeds, form_basis, differences)
    comparison = ReconciledSale(
        tuple(differences), first.asset if first else lines[0].asset, first.sold if first else lines[0].sold, units,
        tuple(line.line for line in lines), tuple(sale.row for sale in sales), first.wallet if first else "",
        form_proceeds, proceeds, form_basis, basis, reported, tuple(entries), "", found.day_off)
    return _explained(comparison, lines)


def form8949_entries(sales: Sequence[Sale], year: int, reported: bool | None, form_proceeds: Decimal | None,
                     form_basis: Decimal | None, differences: Sequence[Difference]) -> list[Form8949Entry]:
    """The Form 8949 lines of the history's sales, by term (docs/rules.md#reconciling-with-the-brokers-form;
    the boxes: docs/rules.md#form-8949-boxes):
    - the box: by term, whether the sale is on the broker's form (`reported` None: not on it; False: on it,
      basis not reported; True: basis reported) and the year (G-L for digital assets from 2025);
    - proceeds that differ: column (d) is the form's proceeds (shared between terms by units) and the
      difference goes in column (g), code O;
    - a basis that differs: reported to the IRS, column (e) is the form's basis and the difference goes in
      column (g); not reported, column (e) is yours and (g) 0; code B either way;
    - a term that differs: the line goes in the box of your term, code T, nothing in (g);
    - the engine's own adjustment (a wash sale, code W) stays.
    Column (g) is what makes (h) = (d) - (e) + (g) your gain: the history's proceeds less its basis plus
    the engine's adjustment, each in cents."""
    by_term = terms(sales)
    reporting = Reporting.NONE if reported is None else Reporting.BASIS if reported else Reporting.PROCEEDS
    codes = {"O"} if Difference.PROCEEDS in differences else set()
    codes |= {"B"} if Difference.BASIS in differences else set()
    codes |= {"T"} if Difference.TERM in differences else set()
    units = [sum((piece.quantity for piece in pieces), _ZERO) for pieces in by_term.values()]
    form_d = _shared(form_proceeds, units) if Difference.PROCEEDS in differences else None
    form_e = _shared(form_basis, units) if Difference.BASIS in differences and reported else None
    entries: list[Form8949Entry] = []
    for index, (term, pieces) in enumerate(by_term.items()):
        proceeds = cents(sum((piece.proceeds for piece in pieces), _ZERO))
        basis = cents(sum((piece.cost_basis for piece in pieces), _ZERO))
        engine = cents(sum((piece.adjustment for piece in pieces), _ZERO))
        gain = proceeds - basis + engine
        column_d = form_d[index] if form_d else proceeds
        column_e = form_e[index] if form_e else basis
        code = codes | ({"W"} if any("W" in piece.adjustment_code for piece in pieces) else set())
        acquired = {piece.acquired for piece in pieces}
        entries.append(Form8949Entry(box_for(term, pieces[0].asset_class, year, reporting),
                             describe(units[index], pieces[0].asset), acquired.pop() if len(acquired) == 1 else None,
                             pieces[0].disposed, column_d, column_e, "".join(sorted(code)),
                             gain - (column_d - column_e), gain))
    return entries


def _shared(total: Decimal | None, units: Sequence[Decimal]) -> list[Decimal] | None:
    """`total` in cents shared by units; the last share takes what rounding leaves, so they add up."""
    if total is None:
        return None
    whole = sum(units, _ZERO)
    shares = [cents(total * part / whole) for part in units[:-1]] if whole else [_ZERO] * (len(units) - 1)
    return [*shares, total - sum(shares, _ZERO)]


def _explained(item: ReconciledSale, lines: Sequence[FormLine]) -> ReconciledSale:
    rows = ", ".join(map(str, item.rows))
    what = f"{plain(item.units)} {item.asset}" if item.units is not None else item.asset
    texts: list[str] = []
    for difference in item.differences:
        if difference is Difference.NOT_IN_HISTORY:
            texts.append(f"the form reports a sale of {what} on {item.sold} for {_usd(item.form_proceeds)} that your "
                         f"history does not have: import or enter it (a sale not recorded, or units that came in by "
                         f"a transfer not entered) and reconcile again; the IRS has these proceeds")
        elif difference is Difference.NOT_ON_FORM:
            boxes = "/".join(entry.box for entry in item.entries)
            texts.append(f"your history has this sale (row {rows}); the broker's form does not: it goes in box "
                         f"{boxes} (not on a broker form); if the broker should have reported it, ask for a corrected "
                         f"form")
        elif difference is Difference.PROCEEDS:
            gap = (item.form_proceeds or _ZERO) - (item.proceeds or _ZERO)
            texts.append(f"the form's proceeds are {_usd(item.form_proceeds)}, yours {_usd(item.proceeds)} "
                         f"({'+' if gap > 0 else ''}{plain(gap)} on the form): if the form is right, correct USD Value "
                         f"or Fee USD of row {rows}; if your records are right, enter the form's proceeds in column "
                         f"(d) and the difference in (g) with code O, and keep the records that show it")
        elif difference is Difference.BASIS:
            if item.basis_reported:
                texts.append(f"the form reports a basis of {_usd(item.form_basis)} to the IRS, yours is "
                             f"{_usd(item.basis)}: enter the form's basis in column (e), code B and the difference in "
                             f"(g), so (h) is your gain")
            else:
                texts.append(f"the form shows a basis of {_usd(item.form_basis)} (not reported to the IRS), yours is "
                             f"{_usd(item.basis)}: enter your basis in column (e), code B, 0 in (g)")
        else:
            form_term = next(line.term for line in lines if line.term is not None)
            texts.append(f"the form says {form_term.value}-term, your lots make it "
                         f"{' and '.join(entry.box for entry in item.entries)} by your dates: report it in the box of "
                         f"your term with code T, 0 in (g)")
    if item.day_off and item.form_lines and item.rows:
        texts.append("the form's date is a day from yours (the broker counts days in another time zone): Form 8949 "
                     "takes your date")
    return ReconciledSale(item.differences, item.asset, item.sold, item.units, item.form_lines, item.rows, item.wallet,
                      item.form_proceeds, item.proceeds, item.form_basis, item.basis, item.basis_reported,
                      item.entries, "; ".join(texts), item.day_off)


def _usd(amount: Decimal | None) -> str:
    return "none" if amount is None else f"{amount:,.2f}"
