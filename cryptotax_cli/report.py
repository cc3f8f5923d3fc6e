"""What `cryptotax report` prints: a per-year table for people, JSON for programs.

Money is rounded to cents here, at the edge; the core keeps exact values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from cryptotax_core import Disposal, Lot, Pooling, Result, Settings, Totals, cents, summarize
from cryptotax_core.summary import YearSummary, reported
from cryptotax_core.values import plain


def money(amount: Decimal) -> str:
    return str(cents(amount))


def _totals(totals: Totals) -> dict[str, str]:
    return {"proceeds": money(totals.proceeds), "cost_basis": money(totals.cost_basis), "gain": money(totals.gain)}


def _disposal(disposal: Disposal) -> dict[str, object]:
    line = reported(disposal)
    return {
        "row": disposal.row, "id": disposal.tx_id, "kind": disposal.kind.value, "asset": disposal.asset,
        "class": disposal.asset_class.value, "wallet": disposal.wallet, "quantity": plain(disposal.quantity),
        "acquired": disposal.acquired.isoformat(), "disposed": disposal.disposed.isoformat(),
        "proceeds": money(line.proceeds), "cost_basis": money(line.cost_basis),
        "gain": money(line.gain), "term": disposal.term.value, "lot": disposal.lot_id,
        "method": disposal.method,
    }


def _lot(lot: Lot) -> dict[str, object]:
    return {"lot": lot.lot_id, "row": lot.row, "asset": lot.asset, "wallet": lot.wallet,
            "acquired": lot.acquired.isoformat(), "quantity": plain(lot.quantity),
            "cost_basis": money(lot.cost_basis)}


def _year(result: Result, year: int) -> YearSummary:
    return summarize(result).get(year) or YearSummary(year)


def render_json(result: Result, lots: Sequence[Lot], settings: Settings, year: int, source: str) -> str:
    summary = _year(result, year)
    document = {
        "source": source,
        "tax_year": year,
        "method": settings.method_for(year).value,
        "pooling": settings.pooling.value,
        "time_zone": settings.time_zone,
        "short_term": _totals(summary.short_term),
        "long_term": _totals(summary.long_term),
        "ordinary_income": money(summary.ordinary_income),
        "income_by_type": {kind.value: money(amount) for kind, amount in sorted(
            summary.income_by_type.items(), key=lambda item: item[0].value)},
        "disposals": [_disposal(d) for d in result.disposals if d.tax_year == year],
        "lots_as_of": f"{year}-12-31",
        "lots": [_lot(lot) for lot in lots],
        "allocation": [{"asset": a.asset, "wallet": a.wallet, "lot": a.lot_id, "acquired": a.acquired.isoformat(),
                        "quantity": plain(a.quantity), "cost_basis": money(a.cost_basis)}
                       for a in result.allocation],
        "warnings": [{"row": w.row, "column": w.column, "message": w.message} for w in result.warnings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _amount(amount: Decimal, width: int = 14) -> str:
    return f"{cents(amount):>{width},.2f}"


def render_table(result: Result, lots: Sequence[Lot], settings: Settings, year: int, source: str) -> str:
    pooling = ("per-wallet pools" if settings.pooling is Pooling.WALLET
               else "universal pools before 2025, per wallet from 2025")
    methods = ", ".join(f"{y}: {m.value}" for y, m in sorted(settings.method_by_year.items()))
    lines = [f"cryptotax report: {source}",
             f"{settings.method.value}{f' ({methods})' if methods else ''} · {pooling} · dates in "
             f"{settings.time_zone}", ""]
    header = f"{'Year':<6}{'Short-term':>14}{'Long-term':>14}{'Net gain':>14}{'Income':>14}{'Disposals':>11}"
    lines += [header, "-" * len(header)]
    for summary in summarize(result).values():
        lines.append(f"{summary.year:<6}{_amount(summary.short_term.gain)}{_amount(summary.long_term.gain)}"
                     f"{_amount(summary.gain)}{_amount(summary.ordinary_income)}{summary.disposals:>11}")
    summary = _year(result, year)
    lines += ["", f"Tax year {year} ({settings.method_for(year).value})",
              f"{'':<12}{'Proceeds':>16}{'Cost basis':>16}{'Gain/loss':>16}"]
    for label, totals in (("Short-term", summary.short_term), ("Long-term", summary.long_term)):
        lines.append(f"{label:<12}{_amount(totals.proceeds, 16)}{_amount(totals.cost_basis, 16)}"
                     f"{_amount(totals.gain, 16)}")
    income = ", ".join(f"{kind.value} {cents(amount):,.2f}" for kind, amount in summary.income_by_type.items())
    lines.append(f"{'Income':<12}{_amount(summary.ordinary_income, 16)}{f'  ({income})' if income else ''}")
    held: dict[str, Decimal] = {}
    for lot in lots:
        held[lot.asset] = held.get(lot.asset, Decimal(0)) + lot.quantity
    if held:
        lines.append(f"Held on {year}-12-31: " + ", ".join(f"{plain(q)} {asset}" for asset, q in held.items()))
    if result.allocation:
        lines.append(f"2025-01-01 allocation of pooled basis to wallets: {len(result.allocation)} lines "
                     f"(see --format json)")
    if result.warnings:
        lines += ["", f"Warnings ({len(result.warnings)}):"] + [f"  {warning}" for warning in result.warnings]
    return "\n".join(lines)
