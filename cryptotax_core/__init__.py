"""cryptotax core: US capital gains from a transaction table. Pure Python, no Excel.

    from cryptotax_core import Settings, compute_csv, summarize
    result = compute_csv("history.csv", Settings(method=Method.HIFO))
    summarize(result)[2025].short_term.gain

This module is the public API: the command line (cryptotax_cli), the Excel functions (addin) and the
template builder (workbook_templates) import from here alone (tests/test_public_api.py checks it), so the
modules behind it can be split and renamed freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from cryptotax_core.check import Checked, check_table
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
from cryptotax_core.options import Options, options_from_pairs
from cryptotax_core.planning import (
    IDENTIFICATION_RULE,
    Comparison,
    Harvest,
    LotValue,
    MethodResult,
    Outcome,
    PlanningError,
    Preview,
    PriceError,
    Sale,
    Step,
    WhatIf,
    compare_methods,
    harvest,
    prices_from_pairs,
    prices_from_texts,
    unrealized,
    what_if,
)
from cryptotax_core.planning.computed import Computed
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
from cryptotax_core.samples import SAMPLE_HISTORY
from cryptotax_core.settings import DEFAULT_TIME_ZONE, Settings
from cryptotax_core.summary import Totals, YearSummary, cents, latest_year_with_disposals, reported, summarize, totals
from cryptotax_core.table import COLUMNS, REPORTING_WORDS, Table, match_header, parse_table
from cryptotax_core.table import REQUIRED as REQUIRED_COLUMNS
from cryptotax_core.tax import (
    AMT_NOTE,
    INCOME_KINDS,
    Carryover,
    FilingStatus,
    TaxEstimate,
    TaxSettings,
    TaxYear,
    UnsupportedYear,
    box_for,
    net_capital,
    tax_years,
    year_netting,
)
from cryptotax_core.tax.form8949 import BOXES, SCHEDULE_D_BOX_LINES, FormFamily
from cryptotax_core.tax.netting import NO_CARRYOVER, Netting
from cryptotax_core.values import (
    CellError,
    is_blank_or_zero,
    neutralized,
    plain,
    to_decimal,
    to_local_datetime,
    to_tax_year,
    to_text,
    without_cycle_collection,
)


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
    "BOXES",
    "COLUMNS",
    "DEFAULT_TIME_ZONE",
    "IDENTIFICATION_RULE",
    "IMPORT_FORMATS",
    "INCOME_KINDS",
    "NO_CARRYOVER",
    "REPORTING_WORDS",
    "REQUIRED_COLUMNS",
    "SAMPLE_HISTORY",
    "SCHEDULE_D_BOX_LINES",
    "Allocation",
    "AssetClass",
    "Carryover",
    "CellError",
    "Checked",
    "Comparison",
    "Computed",
    "Difference",
    "Disposal",
    "DisposalKind",
    "FilingStatus",
    "Form8949Entry",
    "FormError",
    "FormFamily",
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
    "Netting",
    "Options",
    "Outcome",
    "PlanningError",
    "Pooling",
    "Preview",
    "PriceError",
    "ReconcileError",
    "ReconciledSale",
    "Reconciliation",
    "Reporting",
    "Result",
    "Sale",
    "Settings",
    "SettingsError",
    "Step",
    "Table",
    "TaxEstimate",
    "TaxSettings",
    "TaxYear",
    "Term",
    "Totals",
    "Transaction",
    "TransferFee",
    "TxType",
    "UnsupportedYear",
    "UserError",
    "WhatIf",
    "YearSummary",
    "box_for",
    "cents",
    "check_table",
    "compare_methods",
    "compute",
    "compute_csv",
    "compute_table",
    "harvest",
    "import_bytes",
    "import_rows",
    "is_blank_or_zero",
    "is_long_term",
    "latest_year_with_disposals",
    "load_csv",
    "long_term_from",
    "match_header",
    "net_capital",
    "neutralized",
    "options_from_pairs",
    "parse_table",
    "plain",
    "prices_from_pairs",
    "prices_from_texts",
    "read_csv",
    "read_form",
    "read_form_cells",
    "reconcile",
    "reconcile_cells",
    "reported",
    "summarize",
    "tax_years",
    "term_of",
    "to_decimal",
    "to_local_datetime",
    "to_tax_year",
    "to_text",
    "totals",
    "unrealized",
    "what_if",
    "without_cycle_collection",
    "year_netting",
]
