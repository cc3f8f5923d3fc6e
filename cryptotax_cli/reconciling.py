"""`cryptotax reconcile FILE --broker 1099.csv [--wallet NAME] [the settings options of report]`: the sales a
broker reported on its 1099-DA (or 1099-B) against the year's disposals of the history, what differs, and
the Form 8949 line each sale needs. The matching and the rules are in `cryptotax_core.reconcile`; main.py
loads and computes the table as `report` does, then calls `render`.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from cryptotax_cli.errors import OptionError
from cryptotax_core import Difference, Form8949Entry, ReconciledSale, Reconciliation, Result, read_form, reconcile

COMMAND = "reconcile"


def add_parser(commands: argparse._SubParsersAction,  # type: ignore[type-arg]
               add_settings_options: Callable[[argparse.ArgumentParser, str], None]) -> None:
    """The `reconcile` subcommand, with the report's settings options."""
    command = commands.add_parser(
        COMMAND, help="compare a broker's 1099-DA / 1099-B CSV with your history's sales",
        description="Read the sales a broker reported for a tax year (a 1099-DA or 1099-B as CSV: columns named "
                    "after the form's boxes, see docs/importing.md) and match them to the year's disposals by "
                    "date, asset and units. Lists what differs (a sale on one side only, proceeds off by more than a "
                    "cent, a basis that is not yours, the term) with the Form 8949 box, code and adjustment each "
                    "line needs.",
        epilog="Example: cryptotax reconcile history.csv --broker coinbase-1099-da.csv --wallet Coinbase")
    command.add_argument("file", type=Path, help="the transaction table: a CSV file or a cryptotax workbook")
    command.add_argument("--broker", type=Path, required=True, metavar="1099.csv",
                         help="the broker's form as CSV: one row per sale (Asset, Units, Date sold, Proceeds, Cost "
                              "basis, Basis reported, Term, Box...)")
    command.add_argument("--wallet", default=None, metavar="NAME",
                         help="the wallet whose sales the form reports (default: the wallets its lines match)")
    command.add_argument("--format", choices=["table", "json"], default="table", help="what to print")
    add_settings_options(command, "the tax year of the form (default: the year of its sales)")


def run(args: argparse.Namespace, result: Result, table_name: str) -> str:
    """The reconciliation as text (or JSON). Raises `FormError` (the form) or `ReconcileError`."""
    path: Path = args.broker
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OptionError(f"cannot read {path}: {exc.strerror or exc}") from None
    form = read_form(data, path.name)
    found = reconcile(result.disposals, form, args.year, args.wallet)
    if args.format == "json":
        return json.dumps(_document(found, table_name, path.name), indent=2, ensure_ascii=False)
    return render(found, table_name, path.name)


def render(found: Reconciliation, table_name: str, form_name: str) -> str:
    wallets = ", ".join(found.wallets) or "none matched (name it with --wallet)"
    on_form = sum(1 for item in found.comparisons if item.form_lines)
    in_history = sum(1 for item in found.comparisons if item.rows)
    counts = [f"{found.count(None)} agree"] + [f"{found.count(kind)} {kind.value}" for kind in Difference
                                               if found.count(kind)]
    lines = [f"{table_name} against {form_name}: tax year {found.year}, wallet {wallets}",
             f"{on_form} sales on the form, {in_history} in the history: {'; '.join(counts)}"]
    if found.other_years:
        lines.append(f"({found.other_years} lines of the form are of other years: left out)")
    if found.differences:
        lines += ["", "Differences:"]
        for item in found.differences:
            lines.append(f"  {_where(item, form_name)}: {'; '.join(kind.value for kind in item.differences)}")
            lines.append(f"    {item.explanation}")
            lines += [f"    Form 8949 {_entry(entry)}" for entry in item.entries]
    agreeing = [item for item in found.comparisons if not item.differences]
    if agreeing:
        lines += ["", "Agree:"]
        lines += [f"  {_where(item, form_name)}: " + ", ".join(
            f"box {entry.box}, proceeds {_money(entry.proceeds)}, basis {_money(entry.cost_basis)}, gain "
            f"{_money(entry.gain)}" for entry in item.entries) for item in agreeing]
    totals = _box_totals(found)
    if totals:
        lines += ["", "Form 8949 by box (these sales):"]
        lines += [f"  box {box}: proceeds {_money(values[0])}, cost basis {_money(values[1])}, adjustments "
                  f"{_money(values[2])}, gain {_money(values[3])}" for box, values in totals.items()]
    by_reporting: dict[str, list[str]] = defaultdict(list)
    for item in found.comparisons:
        if item.form_lines and item.rows:
            by_reporting["basis" if item.basis_reported else "proceeds"] += [str(row) for row in item.rows]
    if by_reporting:
        rows = "; ".join(f"{what} on row {', '.join(rows)}" for what, rows in sorted(by_reporting.items()))
        lines += ["", f"For `report` to put these sales in the same boxes, give them Broker Reported: {rows} (or "
                      f"--reported WALLET=... for a whole wallet)."]
    return "\n".join(lines)


def _where(item: ReconciledSale, form_name: str) -> str:
    parts = []
    if item.form_lines:
        parts.append(f"{form_name} line {', '.join(map(str, item.form_lines))}")
    if item.rows:
        parts.append(f"row {', '.join(map(str, item.rows))}")
    units = f"{_plain(item.units)} " if item.units is not None else ""
    return f"{' / '.join(parts)}: {units}{item.asset} sold {item.sold}"


def _entry(entry: Form8949Entry) -> str:
    acquired = entry.acquired.isoformat() if entry.acquired else "various"
    return (f"box {entry.box}: {entry.description} | acquired {acquired} | sold {entry.sold} | (d) "
            f"{_money(entry.proceeds)} | (e) {_money(entry.cost_basis)} | (f) {entry.code or '-'} | (g) "
            f"{_money(entry.adjustment)} | (h) {_money(entry.gain)}")


def _box_totals(found: Reconciliation) -> dict[str, list[Decimal]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for item in found.comparisons:
        for entry in item.entries:
            sums = totals[entry.box]
            for index, amount in enumerate((entry.proceeds, entry.cost_basis, entry.adjustment, entry.gain)):
                sums[index] += amount
    return dict(sorted(totals.items()))


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _plain(amount: Decimal) -> str:
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _document(found: Reconciliation, table_name: str, form_name: str) -> dict[str, object]:
    def money(amount: Decimal | None) -> str | None:
        return None if amount is None else f"{amount:.2f}"

    return {
        "file": table_name, "form": form_name, "year": found.year, "wallets": list(found.wallets),
        "other_years": found.other_years,
        "counts": {"agree": found.count(None), **{kind.name.lower(): found.count(kind) for kind in Difference}},
        "sales": [{
            "differences": [kind.name.lower() for kind in item.differences], "asset": item.asset,
            "sold": item.sold.isoformat(), "units": None if item.units is None else _plain(item.units),
            "form_lines": list(item.form_lines), "rows": list(item.rows), "wallet": item.wallet,
            "form_proceeds": money(item.form_proceeds), "proceeds": money(item.proceeds),
            "form_basis": money(item.form_basis), "basis": money(item.basis), "basis_reported": item.basis_reported,
            "explanation": item.explanation,
            "form8949": [{"box": entry.box, "description": entry.description,
                          "acquired": entry.acquired.isoformat() if entry.acquired else "various",
                          "sold": entry.sold.isoformat(), "proceeds": money(entry.proceeds),
                          "cost_basis": money(entry.cost_basis), "code": entry.code,
                          "adjustment": money(entry.adjustment), "gain": money(entry.gain)} for entry in item.entries],
        } for item in found.comparisons],
    }
