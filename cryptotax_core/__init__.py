"""cryptotax core: US capital gains from a transaction table. Pure Python, no Excel.

    from cryptotax_core import Settings, compute_csv, summarize
    result = compute_csv("history.csv", Settings(method=Method.HIFO))
    summarize(result)[2025].short_term.gain
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from cryptotax_core.csvio import read_csv
from cryptotax_core.engine import compute
from cryptotax_core.errors import SettingsError, UserError
from cryptotax_core.holding import is_long_term, long_term_from, term_of
from cryptotax_core.imports import FORMATS as IMPORT_FORMATS
from cryptotax_core.imports import Imported, import_bytes, import_rows
from cryptotax_core.model import (
    Allocation,
    AssetClass,
    Disposal,
    DisposalKind,
    IncomeEvent,
    InputError,
    Issue,
    Lot,
    LotPick,
    Method,
    Pooling,
    Reporting,
    Result,
    Term,
    Transaction,
    TransferFee,
    TxType,
)
from cryptotax_core.planning import (
    IDENTIFICATION_RULE,
    Comparison,
    Harvest,
    LotValue,
    MethodResult,
    Outcome,
    Preview,
    Step,
    WhatIf,
)
from cryptotax_core.reconcile import (
    Difference,
    Form8949Entry,
    FormError,
    FormLine,
    ReconciledSale,
    ReconcileError,
    Reconciliation,
    read_form,
    read_form_cells,
    reconcile,
    reconcile_cells,
)
from cryptotax_core.settings import Settings
from cryptotax_core.summary import Totals, YearSummary, cents, latest_year_with_disposals, summarize
from cryptotax_core.table import COLUMNS, Table, match_header, parse_table
from cryptotax_core.table import REQUIRED as REQUIRED_COLUMNS
from cryptotax_core.tax import AMT_NOTE, TaxEstimate, TaxSettings, UnsupportedYear
from cryptotax_core.values import plain, to_text


def compute_table(header: Sequence[object], rows: Iterable[Sequence[object]], settings: Settings | None = None,
                  *, first_row: int = 2, today: date | None = None) -> Result:
    """Validate a table (header + rows of cell values) and compute it; `InputError` lists every problem."""
    settings = settings or Settings()
    table = parse_table(header, rows, zone=settings.zone(), first_row=first_row, today=today)
    return compute(table.transactions, settings, table.warnings)


def compute_csv(path: str | Path, settings: Settings | None = None, *, today: date | None = None) -> Result:
    header, rows = read_csv(path)
    return compute_table(header, rows, settings, today=today)


def load_csv(path: str | Path, settings: Settings | None = None, *, today: date | None = None) -> Table:
    """Read and validate a CSV table without computing it (to compute it more than once)."""
    header, rows = read_csv(path)
    return parse_table(header, rows, zone=(settings or Settings()).zone(), today=today)


__all__ = [
    "AMT_NOTE",
    "COLUMNS",
    "IDENTIFICATION_RULE",
    "IMPORT_FORMATS",
    "REQUIRED_COLUMNS",
    "Allocation",
    "AssetClass",
    "Comparison",
    "Difference",
    "Disposal",
    "DisposalKind",
    "Form8949Entry",
    "FormError",
    "FormLine",
    "Harvest",
    "Imported",
    "IncomeEvent",
    "InputError",
    "Issue",
    "Lot",
    "LotPick",
    "LotValue",
    "Method",
    "MethodResult",
    "Outcome",
    "Pooling",
    "Preview",
    "ReconcileError",
    "ReconciledSale",
    "Reconciliation",
    "Reporting",
    "Result",
    "Settings",
    "SettingsError",
    "Step",
    "Table",
    "TaxEstimate",
    "TaxSettings",
    "Term",
    "Totals",
    "Transaction",
    "TransferFee",
    "TxType",
    "UnsupportedYear",
    "UserError",
    "WhatIf",
    "YearSummary",
    "cents",
    "compute",
    "compute_csv",
    "compute_table",
    "import_bytes",
    "import_rows",
    "is_long_term",
    "latest_year_with_disposals",
    "load_csv",
    "long_term_from",
    "match_header",
    "parse_table",
    "plain",
    "read_csv",
    "read_form",
    "read_form_cells",
    "reconcile",
    "reconcile_cells",
    "summarize",
    "term_of",
    "to_text",
]
