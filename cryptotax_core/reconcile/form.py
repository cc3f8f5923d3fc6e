"""Reading a broker's Form 1099-DA (or 1099-B) as a table: one line per sale the broker reported.

The layout cryptotax defines (docs/importing.md, "The broker CSV"): a header row, then one row per sale,
with columns named after the form's boxes. Names are matched without case, spaces or punctuation, and
each column has other accepted names, so the CSVs brokers and tax tools write read too:

| column | box (1099-DA / 1099-B) | other names accepted |
| --- | --- | --- |
| Asset | 1a-1b / 1a | asset_symbol, Symbol, Ticker, Digital asset, Asset name; or a Description `0.5 BTC` |
| Units | 1c | Number of units, asset_quantity, Quantity, Amount, Qty |
| Date acquired | 1d / 1b | acquired_date (`Various` or blank: not given) |
| Date sold | 1e / 1c | Date sold or disposed, disposed_date, Date of Disposition |
| Proceeds | 1f / 1d | Gross proceeds, Proceeds (USD) |
| Cost basis | 1g / 1e | Cost or other basis, cost_basis, Cost basis (USD) (blank: not reported) |
| Wash sale | 1i / 1g | Wash sale loss disallowed |
| Basis reported | 2 / 12 | Check if basis reported to IRS, basis_reported (X, Yes, True: reported) |
| Term | 6 / 2 | Gain or loss, gain_loss_classification, Short-Term gain loss Long-term gain or loss Ordinary |
| Box | Applicable checkbox on Form 8949 | Form 8949 Code, Form 8949 box |

Layouts read this way (their sources): the 1099-DA boxes as the IRS form names them (Form 1099-DA,
and the box map of taxdataexchange.org/1099-da/mapping.html); TaxBit's 1099-DA CSV template (asset_symbol,
asset_quantity, acquired_date, disposed_date, proceeds, cost_basis, gain_loss_classification); the
1099-B section of Charles Schwab's 1099 composite CSV (`"Form 1099 B",`, a line of box numbers, then
`Description of property (Example 100 sh. XYZ Co.)`, `Date acquired`, `Date sold or disposed`,
`Proceeds`, `Cost or other basis`, `Wash sale loss disallowed`, `Check if basis reported to IRS`, ...), as
public 1099 helpers read it; and Coinbase's tax-center gain/loss CSV (Asset name, Amount, Date Acquired,
Cost basis (USD), Date of Disposition, Proceeds (USD)). The header is looked for on any line (Schwab
puts other forms above it); rows end at the first blank line. Amounts may carry `$`, thousands
separators and parentheses for negatives; dates are ISO (2025-03-03) or US (03/03/2025).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cryptotax_core.errors import UserError
from cryptotax_core.holding import term_of
from cryptotax_core.imports.builder import FieldError, parse_day, parse_number
from cryptotax_core.imports.source import Columns, Record, cell_records, decode, delimiter_of, key, records
from cryptotax_core.model import InputError, Issue, Term

FIELDS: dict[str, tuple[str, ...]] = {
    "asset": ("Asset", "asset_symbol", "Symbol", "Ticker", "Digital asset", "Asset name"),
    "description": ("Description", "Description of property (Example 100 sh. XYZ Co.)", "Description of property",
                    "1a Description of property"),
    "units": ("Units", "1c Number of units", "Number of units", "asset_quantity", "Quantity", "Amount", "Qty"),
    "acquired": ("Date acquired", "1d Date acquired", "1b Date acquired", "acquired_date"),
    "sold": ("Date sold", "1e Date sold or disposed", "1c Date sold or disposed", "Date sold or disposed",
             "disposed_date", "Date of Disposition"),
    "proceeds": ("Proceeds", "1f Proceeds", "1d Proceeds", "Gross proceeds", "Proceeds (USD)"),
    "basis": ("Cost basis", "1g Cost or other basis", "1e Cost or other basis", "Cost or other basis", "cost_basis",
              "Cost basis (USD)"),
    "wash": ("Wash sale", "1i Wash sale loss disallowed", "1g Wash sale loss disallowed", "Wash sale loss disallowed"),
    "reported": ("Basis reported", "2 Check if basis reported to IRS", "12 Check if basis reported to IRS",
                 "Check if basis reported to IRS", "Basis reported to IRS", "basis_reported"),
    "term": ("Term", "6 Gain or loss", "Gain or loss", "gain_loss_classification",
             "Short-Term gain loss Long-term gain or loss Ordinary", "Long Term/Short Term/Ordinary"),
    "box": ("Box", "Applicable checkbox on Form 8949", "Form 8949 Code", "Form 8949 box"),
}
_YES = frozenset({"x", "yes", "y", "true", "1", "checked", "reported", "covered"})
_TERMS = {"s": Term.SHORT, "short": Term.SHORT, "shortterm": Term.SHORT, "l": Term.LONG, "long": Term.LONG,
          "longterm": Term.LONG}
_DESCRIPTION = re.compile(r"^\s*([\d,]*\.?\d+(?:[eE][+-]?\d+)?)\s+(?:sh\.?\s+|shares?\s+|units?\s+)?(.+?)\s*$")
_BASIS_BOXES = frozenset("ADGJ")  # Form 8949 boxes of a form that reports basis (docs/rules.md#form-8949-boxes)
_LONG_BOXES = frozenset("DEFJKL")


class FormError(UserError):
    """The broker's form cannot be read; `issues` names each problem's line, column and what to write."""

    def __init__(self, name: str, issues: list[Issue]) -> None:
        self.name = name
        self.issues = sorted(issues, key=lambda issue: issue.row)
        first = self.issues[0]
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"{name} {first}{more}")


@dataclass(frozen=True, slots=True)
class FormLine:
    """One sale as the broker reported it."""

    line: int  # the file's line (or the range's row)
    asset: str
    units: Decimal | None  # None: the form gives no number of units
    acquired: date | None  # None: "Various" or not given
    sold: date
    proceeds: Decimal
    basis: Decimal | None  # None: not shown
    basis_reported: bool  # box 2 of the 1099-DA (box 12 of the 1099-B), or a Form 8949 box A, D, G or J
    term: Term | None  # box 6 (box 2): short or long; None: not given, or ordinary
    box: str  # the form's "Applicable checkbox on Form 8949" ("" when not given)
    wash: Decimal


def read_form(data: bytes, name: str = "the broker form") -> list[FormLine]:
    """The sales of a broker CSV (bytes); `FormError` lists every problem with its line and column."""
    try:
        text = decode(data)
        found = records(text.text, delimiter_of(text.text))
    except InputError as exc:  # not text, or a damaged CSV: said with its line
        raise FormError(name, exc.issues) from None
    return _read(found, name)


def read_form_cells(rows: Sequence[Sequence[object]], name: str = "broker_form", first_row: int = 1) -> list[FormLine]:
    """The same from a range of cells (the add-in), header row first."""
    return _read(cell_records(rows, first_row), name)


def _read(found: list[Record], name: str) -> list[FormLine]:
    header = next((record for record in found if _is_header(record)), None)
    if header is None:
        raise FormError(name, [Issue(0, "", "no header of a broker form found: it needs the columns Asset (or "
                                            "Description), Date sold and Proceeds, named as the form's boxes (e.g. "
                                            "1e Date sold or disposed, 1f Proceeds); see docs/importing.md")])
    columns = Columns(header.cells, FIELDS)
    lines: list[FormLine] = []
    issues: list[Issue] = []
    for record in found:
        if record.line <= header.line:
            continue
        if record.blank:
            if lines or issues:
                break  # the section ends
            continue
        line = _line(record, columns, issues)
        if line is not None:
            lines.append(line)
    if issues:
        raise FormError(name, issues)
    if not lines:
        raise FormError(name, [Issue(header.line, "", "the form has a header but no sale below it")])
    return lines


def _is_header(record: Record) -> bool:
    columns = Columns(record.cells, FIELDS)
    return columns.has("sold", "proceeds") and (columns.has("asset") or columns.has("description"))


def _line(record: Record, columns: Columns, issues: list[Issue]) -> FormLine | None:
    def cell(field: str) -> str:
        index = columns.index.get(field)
        return record.cells[index].strip() if index is not None and index < len(record.cells) else ""

    def problem(field: str, message: str) -> None:
        issues.append(Issue(record.line, columns.name.get(field, field), message))

    before = len(issues)
    asset, units = cell("asset").upper(), _amount(cell("units"), "units", problem)
    described = _DESCRIPTION.match(cell("description"))
    if not asset and described:
        asset = described.group(2).upper()
        units = units if units is not None else _amount(described.group(1), "description", problem)
    if not asset:
        problem("asset" if "asset" in columns.index else "description",
                "the asset is missing: write its ticker (e.g. BTC) as in your transaction table")
    sold = _date(cell("sold"), "sold", problem, required=True)
    acquired = _date(cell("acquired"), "acquired", problem, required=False)
    proceeds = _amount(cell("proceeds"), "proceeds", problem)
    if proceeds is None and not any(issue.row == record.line for issue in issues[before:]):
        problem("proceeds", "the proceeds (box 1f) are missing: write the amount the form shows")
    basis = _amount(cell("basis"), "basis", problem)
    wash = _amount(cell("wash"), "wash", problem) or Decimal(0)
    box = cell("box").upper()[:1]
    term = _TERMS.get(key(cell("term")))
    if term is None and box:
        term = Term.LONG if box in _LONG_BOXES else Term.SHORT if box in "ABCGHI" else None
    if term is None and acquired is not None and sold is not None:
        term = term_of(acquired, sold)
    if len(issues) > before or sold is None or proceeds is None:
        return None
    reported = key(cell("reported")) in _YES or box in _BASIS_BOXES
    return FormLine(record.line, asset, units, acquired, sold, proceeds, basis, reported and basis is not None, term,
                    box, wash)


Problem = Callable[[str, str], None]


def _amount(text: str, field: str, problem: Problem) -> Decimal | None:
    if not text or text.strip("-") == "" or key(text) in ("", "na", "unknown", "notavailable"):
        return None
    try:
        return parse_number(text, units=True)
    except FieldError as exc:
        problem(field, f"{exc}: write the amount as the form shows it, e.g. 1234.56")
        return None


def _date(text: str, field: str, problem: Problem, *, required: bool) -> date | None:
    if not text or key(text) in ("various", "na", "unknown"):
        if required:
            problem(field, "the date sold (box 1e) is missing: write it as 2025-03-03")
        return None
    try:
        return parse_day(text)
    except FieldError:
        problem(field, f"'{text}' is not a date: write it as 2025-03-03 or 03/03/2025")
        return None
