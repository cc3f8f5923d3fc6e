"""A tax year typed in a cell (the Settings sheet's Tax year) or given to an Excel function: one rule,
values.to_tax_year, read the same at both places."""

from __future__ import annotations

from decimal import Decimal

import pytest

from addin.convert import year_arg
from cryptotax_core.errors import UserError
from cryptotax_core.options import SettingsError, options_from_pairs
from cryptotax_core.values import CellError, to_tax_year


@pytest.mark.parametrize(("value", "year"), [
    (2025, 2025), ("2025", 2025), (2025.0, 2025), (Decimal("2025.00"), 2025), (" 1901 ", 1901), (2199, 2199),
], ids=["int", "text", "float", "decimal", "padded", "last"])
def test_tax_years(value: object, year: int) -> None:
    assert to_tax_year(value) == year


@pytest.mark.parametrize(("value", "message"), [
    (1900, "1900 is not a tax year"), (2200, "2200 is not a tax year"), (2025.5, "2025.5 is not a tax year"),
    ("next year", "expected a number, found 'next year'"),
], ids=["1900", "2200", "fraction", "text"])
def test_not_tax_years(value: object, message: str) -> None:
    with pytest.raises(CellError, match=f"^{message}$"):
        to_tax_year(value)
    with pytest.raises(UserError, match=f"^year: {message}$"):
        year_arg(value)
    with pytest.raises(SettingsError, match=f"Tax year.*{message}"):
        options_from_pairs([["Tax year", value]])


def test_settings_sheet_reads_the_year() -> None:
    assert options_from_pairs([["Tax year", "2024"]]).tax_year == 2024
