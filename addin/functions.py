"""cryptotax functions for Excel (xlwings custom functions): the module xlwings registers.

The functions live by job in addin/table_functions.py, tax_functions.py and planning_functions.py; this
module gathers them, so the same name serves classic Windows UDFs ("UDF Modules: addin.functions"),
xlwings' Office.js add-ins and xlwings Lite (addin/lite/main.py), each of which registers every function
among a module's names. Optional arguments may be left out; `settings` is the template's Settings range
(label/value pairs).
"""

from __future__ import annotations

from addin.planning_functions import HARVEST, METHODCOMPARE, UNREALIZED, WHATIF
from addin.table_functions import CHECK, COSTBASIS, DISPOSALS, GAINLOSS, HOLDINGTERM, LOTS
from addin.tax_functions import INCOME, NETCAPITAL, RECONCILE, TAXSUMMARY

FUNCTIONS = (COSTBASIS, GAINLOSS, NETCAPITAL, LOTS, DISPOSALS, TAXSUMMARY, INCOME, HOLDINGTERM, CHECK,
             UNREALIZED, HARVEST, METHODCOMPARE, WHATIF, RECONCILE)
__all__ = [function.__name__ for function in FUNCTIONS]
