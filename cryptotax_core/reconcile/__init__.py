"""Reconciling a broker's Form 1099-DA (or 1099-B) with the history: which reported sales the year's
disposals match, what differs (a sale missing on either side, proceeds off by more than a cent, a basis
reported that is not yours, the term), and the Form 8949 box, code and adjustment each line needs
(docs/rules.md#form-8949-boxes).

    form = read_form(Path("1099-da.csv").read_bytes(), "1099-da.csv")
    found = reconcile(result.disposals, form, 2025, wallet="Coinbase")
    found.differences      # ReconciledSale(differences, asset, sold, ..., entries, explanation)

The CSV layout read is in `cryptotax_core.reconcile.form`; the matching in `.match`; the comparison
and the Form 8949 lines in `.compare`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptotax_core.model import Disposal
from cryptotax_core.reconcile.compare import (
    Difference,
    Form8949Entry,
    ReconciledSale,
    ReconcileError,
    Reconciliation,
    form8949_entries,
    reconcile,
)
from cryptotax_core.reconcile.form import FormError, FormLine, read_form, read_form_cells


def reconcile_cells(disposals: Sequence[Disposal], form_rows: Sequence[Sequence[object]], year: int | None = None,
                    wallet: str | None = None, name: str = "broker_form") -> Reconciliation:
    """`reconcile` of a form given as a range of cells (the add-in): header row first."""
    return reconcile(disposals, read_form_cells(form_rows, name), year, wallet)


__all__ = [
    "Difference",
    "Form8949Entry",
    "FormError",
    "FormLine",
    "ReconcileError",
    "ReconciledSale",
    "Reconciliation",
    "form8949_entries",
    "read_form",
    "read_form_cells",
    "reconcile",
]
