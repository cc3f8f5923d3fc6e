"""Planning before acting: unrealized gains at given prices, tax-loss harvest candidates, the lot
relief methods compared for a year, and a sale previewed before it is made.

Everything here is built on the public core: `compute` (with `until` for a planning date, and with Lot IDs
written onto sale rows for a lot choice), `summarize`, and the tax rules of `cryptotax_core.tax`.
"""

from cryptotax_core.planning.compare import (
    BEST_LABEL,
    IDENTIFICATION_RULE,
    METHODS,
    Comparison,
    MethodResult,
    SaleChoice,
    compare_methods,
)
from cryptotax_core.planning.harvest import Candidate, Harvest, Step, harvest
from cryptotax_core.planning.harvest_notes import SOON_DAYS, LotNotes
from cryptotax_core.planning.position import Outcome, YearPosition, year_position
from cryptotax_core.planning.prices import PriceError, Prices, prices_from_pairs, prices_from_texts
from cryptotax_core.planning.unrealized import LotValue, Unrealized, unrealized
from cryptotax_core.planning.whatif import WHATIF_ID, PlanningError, Preview, Sale, WhatIf, what_if

__all__ = [
    "BEST_LABEL",
    "IDENTIFICATION_RULE",
    "METHODS",
    "SOON_DAYS",
    "WHATIF_ID",
    "Candidate",
    "Comparison",
    "Harvest",
    "LotNotes",
    "LotValue",
    "MethodResult",
    "Outcome",
    "PlanningError",
    "Preview",
    "PriceError",
    "Prices",
    "Sale",
    "SaleChoice",
    "Step",
    "Unrealized",
    "WhatIf",
    "YearPosition",
    "compare_methods",
    "harvest",
    "prices_from_pairs",
    "prices_from_texts",
    "unrealized",
    "what_if",
    "year_position",
]
