"""What `cryptotax report` prints: a per-year table for people, JSON for programs, Form 8949 as CSV.

Money is rounded to cents here, at the edge; the core keeps exact values.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from cryptotax_cli.estimate import estimate_json, estimate_lines
from cryptotax_cli.progress import tracked
from cryptotax_core import (
    NO_CARRYOVER,
    Disposal,
    Lot,
    Netting,
    Pooling,
    Result,
    Settings,
    TaxSettings,
    TaxYear,
    Totals,
    YearSummary,
    box_for,
    cents,
    neutralized,
    plain,
    reported,
)


@dataclass(frozen=True, slots=True)
class Report:
    source: str
    result: Result
    lots: Sequence[Lot]  # open at the end of `year`
    settings: Settings
    tax_settings: TaxSettings
    years: dict[int, TaxYear]
    year: int

    @property
    def tax_year(self) -> TaxYear | None:
        return self.years.get(self.year)

    @property
    def summary(self) -> YearSummary:
        chosen = self.tax_year
        return chosen.summary if chosen else YearSummary(self.year)


def money(amount: Decimal) -> str:
    return str(cents(amount))


def _totals(totals: Totals) -> dict[str, str]:
    return {"proceeds": money(totals.proceeds), "cost_basis": money(totals.cost_basis),
            "adjustment": money(totals.adjustment), "gain": money(totals.gain)}


def _disposal(report: Report, disposal: Disposal) -> dict[str, object]:
    line = reported(disposal)
    box = box_for(disposal.term, disposal.asset_class, disposal.tax_year, report.tax_settings.reporting_for(disposal))
    return {
        "row": disposal.row, "id": disposal.tx_id, "kind": disposal.kind.value, "asset": disposal.asset,
        "class": disposal.asset_class.value, "wallet": disposal.wallet, "quantity": plain(disposal.quantity),
        "acquired": disposal.acquired.isoformat(), "disposed": disposal.disposed.isoformat(),
        "proceeds": money(line.proceeds), "cost_basis": money(line.cost_basis),
        "adjustment_code": disposal.adjustment_code, "adjustment": money(line.adjustment),
        "gain": money(line.gain), "term": disposal.term.value, "lot": disposal.lot_id,
        "method": disposal.method, "box": box,
    }


def _lot(lot: Lot) -> dict[str, object]:
    return {"lot": lot.lot_id, "row": lot.row, "asset": lot.asset, "wallet": lot.wallet,
            "acquired": lot.acquired.isoformat(), "quantity": plain(lot.quantity),
            "cost_basis": money(lot.cost_basis)}


def _net(netting: Netting) -> dict[str, str]:
    return {
        "short_term": money(netting.short_term), "long_term": money(netting.long_term), "total": money(netting.total),
        "deductible_loss": money(netting.deductible_loss),
        "carryover_short_term": money(netting.carryover_out.short_term),
        "carryover_long_term": money(netting.carryover_out.long_term),
        "filing_status": netting.filing_status.value,
    }


def render_json(report: Report) -> str:
    buffer = io.StringIO()
    write_json(report, buffer)
    return buffer.getvalue()


def write_json(report: Report, out: TextIO) -> None:
    """The report as one JSON document (`json.dumps(document, indent=2)` to the byte), written piece by piece:
    the disposals and open lots one record at a time, so that neither the list of their dicts nor the whole
    document as one string is ever held (at 1,000,000 rows that is several hundred megabytes)."""
    summary, chosen, year = report.summary, report.tax_year, report.year
    carryover_in = chosen.carryover_in if chosen else NO_CARRYOVER
    document: dict[str, object] = {
        "source": report.source,
        "tax_year": year,
        "method": report.settings.method_for(year).value,
        "pooling": report.settings.pooling.value,
        "time_zone": report.settings.time_zone,
        "short_term": _totals(summary.short_term),
        "long_term": _totals(summary.long_term),
        "carryover_in": {"short_term": money(carryover_in.short_term), "long_term": money(carryover_in.long_term)},
        "net": _net(chosen.netting) if chosen else None,
        "ordinary_income": money(summary.ordinary_income),
        "income_by_type": {kind: money(amount) for kind, amount in chosen.income.items()} if chosen else {},
        "form8949_totals": {box: _totals(Totals(total.proceeds, total.cost_basis, total.adjustment))
                            for box, total in chosen.boxes.items()} if chosen else {},
        "schedule_d": {line: money(amount) for line, amount in chosen.schedule_d.items()} if chosen else {},
        "disposals": (_disposal(report, d) for d in report.result.disposals if d.tax_year == year),
        "lots_as_of": f"{year}-12-31",
        "lots": (_lot(lot) for lot in report.lots),
        "allocation": [{"asset": a.asset, "wallet": a.wallet, "lot": a.lot_id, "acquired": a.acquired.isoformat(),
                        "quantity": plain(a.quantity), "cost_basis": money(a.cost_basis)}
                       for a in report.result.allocation],
        "warnings": [{"row": w.row, "column": w.column, "message": w.message} for w in report.result.warnings],
    }
    if chosen and chosen.estimate:
        document["tax_estimate"] = estimate_json(chosen.estimate)
    out.write("{")
    for index, (key, value) in enumerate(document.items()):
        out.write(f"{',' if index else ''}\n  {_dumped(key)}: ")
        if isinstance(value, Iterator):
            _write_list(value, out)
        else:
            out.write(_dumped(value).replace("\n", "\n  "))
    out.write("\n}")


NEWLINE = "\n"
_SCALAR = json.JSONEncoder(ensure_ascii=False)  # no indent: the C encoder


def _dumped(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _record(item: object) -> str:
    """A list item as `json.dumps(indent=2)` writes it two levels down. A flat record (every value a string,
    number or null, as a disposal and a lot are) is put together from its keys and values by the C encoder:
    with an indent, json runs a Python encoder whose closures form reference cycles on every call, which the
    command, running without the cyclic garbage collector, would keep until it exits (hundreds of MB for the
    records of 1,000,000 rows)."""
    if not isinstance(item, dict) or not item or any(isinstance(value, (dict, list)) for value in item.values()):
        return _dumped(item).replace(NEWLINE, NEWLINE + "    ")
    fields = ",".join(f"\n      {_SCALAR.encode(key)}: {_SCALAR.encode(value)}" for key, value in item.items())
    return f"{{{fields}\n    }}"


def _write_list(items: Iterator[object], out: TextIO) -> None:
    """A list one level inside the document, as `json.dumps(indent=2)` writes it there, item by item."""
    empty = True
    for item in items:
        out.write(f"{'[' if empty else ','}\n    {_record(item)}")
        empty = False
    out.write("[]" if empty else "\n  ]")


FORM8949_COLUMNS = ("Box", "Description", "Date Acquired", "Date Sold", "Proceeds", "Cost Basis", "Adjustment Code",
                    "Adjustment", "Gain or Loss", "Term", "Row", "ID", "Lot")


def form8949_csv(report: Report) -> str:
    """The chosen year's Form 8949 rows, sorted by box, one per lot of each sale (columns a-h and the source row).
    Text from the user's table (description, IDs) is neutralized so that no cell runs as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FORM8949_COLUMNS)
    lines = report.tax_year.lines if report.tax_year else ()
    for line in tracked(lines, "writing Form 8949", len(lines)):
        writer.writerow([line.box, neutralized(line.description), line.date_acquired.isoformat(),
                         line.date_sold.isoformat(), line.proceeds, line.cost_basis, line.adjustment_code,
                         line.adjustment or "", line.gain, line.term.value, line.row, neutralized(line.tx_id),
                         neutralized(line.lot_id)])
    return buffer.getvalue()


def _amount(amount: Decimal, width: int = 14) -> str:
    """Right-aligned in `width`, and always after at least one space, so large amounts never run together."""
    return f" {cents(amount):>{width - 1},.2f}"


def render_table(report: Report) -> str:
    settings = report.settings
    pooling = ("per-wallet pools" if settings.pooling is Pooling.WALLET
               else "universal pools before 2025, per wallet from 2025")
    methods = ", ".join(f"{y}: {m.value}" for y, m in sorted(settings.method_by_year.items()))
    status = report.tax_settings.filing_status.value
    lines = [f"cryptotax report: {report.source}",
             f"{settings.method.value}{f' ({methods})' if methods else ''} · {pooling} · dates in "
             f"{settings.time_zone} · filing status {status}", ""]
    titles = ("Short-term", "Long-term", "Net gain", "Deducted", "Carried ST", "Carried LT", "Income")
    minimum = (13, 13, 13, 11, 12, 12, 12)
    table = [(tax_year.year, (tax_year.summary.short_term.gain, tax_year.summary.long_term.gain, tax_year.summary.gain,
                              tax_year.netting.deductible_loss, tax_year.netting.carryover_out.short_term,
                              tax_year.netting.carryover_out.long_term, tax_year.summary.ordinary_income))
             for tax_year in report.years.values()]
    widths = [max([least] + [len(f"{cents(values[index]):,.2f}") + 2 for _, values in table])
              for index, least in enumerate(minimum)]
    header = f"{'Year':<6}" + "".join(f"{title:>{width}}" for title, width in zip(titles, widths, strict=True))
    lines += [header, "-" * len(header)]
    for year, values in table:
        lines.append(f"{year:<6}" + "".join(_amount(value, width) for value, width in zip(values, widths, strict=True)))
    lines += _year_detail(report)
    if report.result.allocation:
        lines.append(f"2025-01-01 allocation of pooled basis to wallets: {len(report.result.allocation)} lines "
                     f"(see --format json)")
    if report.result.warnings:
        lines += ["", f"Warnings ({len(report.result.warnings)}):"]
        lines += [f"  {warning}" for warning in report.result.warnings]
    return "\n".join(lines)


def _year_detail(report: Report) -> list[str]:
    year, summary, chosen = report.year, report.summary, report.tax_year
    lines = ["", f"Tax year {year} ({report.settings.method_for(year).value})",
             f"{'':<12}{'Proceeds':>16}{'Cost basis':>16}{'Adjustment':>16}{'Gain/loss':>16}"]
    for label, totals in (("Short-term", summary.short_term), ("Long-term", summary.long_term)):  # d - e + g = h
        lines.append(f"{label:<12}{_amount(totals.proceeds, 16)}{_amount(totals.cost_basis, 16)}"
                     f"{_amount(totals.adjustment, 16)}{_amount(totals.gain, 16)}")
    if chosen:
        netting = chosen.netting
        carried_in = chosen.carryover_in
        if carried_in.short_term or carried_in.long_term:
            lines.append(f"Carryover in: short-term {cents(carried_in.short_term):,.2f}, long-term "
                         f"{cents(carried_in.long_term):,.2f}")
        lines.append(f"Schedule D: net short-term {cents(netting.short_term):,.2f}, net long-term "
                     f"{cents(netting.long_term):,.2f}, total {cents(netting.total):,.2f}")
        if netting.total < 0:
            out = netting.carryover_out
            lines.append(f"Deductible loss {cents(netting.deductible_loss):,.2f}; carried to {year + 1}: short-term "
                         f"{cents(out.short_term):,.2f}, long-term {cents(out.long_term):,.2f}")
        boxes = ", ".join(f"{box} {cents(total.gain):,.2f}" for box, total in chosen.boxes.items())
        if boxes:
            lines.append(f"Form 8949 gain by box: {boxes}")
    income = ", ".join(f"{kind.value} {cents(amount):,.2f}" for kind, amount in summary.income_by_type.items())
    lines.append(f"Ordinary income {cents(summary.ordinary_income):,.2f}{f' ({income})' if income else ''}")
    if chosen and chosen.estimate:
        lines += estimate_lines(chosen.estimate)
    held: dict[str, Decimal] = {}
    for lot in report.lots:
        held[lot.asset] = held.get(lot.asset, Decimal(0)) + lot.quantity
    if held:
        lines.append(f"Held on {year}-12-31: " + ", ".join(f"{plain(q)} {asset}" for asset, q in held.items()))
    return lines


def no_data(year: int, years: Collection[int], where: str) -> str:
    """Why a year outside the table's years (some) has nothing to report, and which years it covers."""
    span = f"{min(years)}" if min(years) == max(years) else f"{min(years)} to {max(years)}"
    return f"no data in {year} ({where}): the table's transactions cover {span}; give a year of those"


def written(report: Report, paths: Sequence[Path]) -> list[str]:
    """`Wrote form8949-2025.csv: Form 8949 of 2025, 12 lines` for each file written."""
    lines = len(report.tax_year.lines) if report.tax_year else 0
    what = {".csv": f"Form 8949 of {report.year}, {lines:,} line{'' if lines == 1 else 's'}",
            ".xlsx": f"the report workbook of {report.year}"}
    return [f"Wrote {path}: {what[path.suffix.lower()]}" for path in paths]
