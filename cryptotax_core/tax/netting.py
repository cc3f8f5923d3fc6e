"""Schedule D netting, the capital loss limit and the loss carryover
(docs/rules.md#netting-the-loss-limit-and-carryover).

Amounts are USD `Decimal`s. Gains are signed (a loss is negative); the loss amounts of a `Carryover` and
`Netting.deductible_loss` are positive, as the Capital Loss Carryover Worksheet enters them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from cryptotax_core.errors import SettingsError

ZERO = Decimal(0)


class FilingStatus(enum.Enum):
    """Form 1040 filing status; the codes are what users type."""

    SINGLE = "single"
    MFJ = "mfj"  # married filing jointly
    MFS = "mfs"  # married filing separately
    HOH = "hoh"  # head of household

    @classmethod
    def parse(cls, text: str) -> FilingStatus:
        """A status from its code or long name in any case: "MFJ", "married filing jointly", "HOH"."""
        key = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
        status = _STATUS_NAMES.get(key)
        if status is None:
            codes = ", ".join(member.value for member in cls)
            raise SettingsError(
                f"unknown filing status '{text}': use one of {codes} "
                "(or single, married filing jointly, married filing separately, head of household)"
            )
        return status


_STATUS_NAMES: dict[str, FilingStatus] = {
    **{status.value: status for status in FilingStatus},
    "married filing jointly": FilingStatus.MFJ,
    "married filing joint": FilingStatus.MFJ,
    "married filing separately": FilingStatus.MFS,
    "married filing separate": FilingStatus.MFS,
    "head of household": FilingStatus.HOH,
}


LOSS_LIMIT: dict[FilingStatus, Decimal] = {
    FilingStatus.SINGLE: Decimal(3000),
    FilingStatus.MFJ: Decimal(3000),
    FilingStatus.MFS: Decimal(1500),
    FilingStatus.HOH: Decimal(3000),
}
"""Most net capital loss deductible against ordinary income in a year: 3,000, or 1,500 married filing
separately (docs/rules.md#netting-the-loss-limit-and-carryover; IRC 1211(b), Schedule D line 21)."""


@dataclass(frozen=True, slots=True)
class Carryover:
    """Capital losses carried into (or out of) a year, as POSITIVE amounts, each keeping its character."""

    short_term: Decimal = ZERO
    long_term: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.short_term < 0 or self.long_term < 0:
            raise SettingsError(
                "a carryover is entered as positive loss amounts, got "
                f"short-term {self.short_term} and long-term {self.long_term}"
            )


NO_CARRYOVER = Carryover()


@dataclass(frozen=True, slots=True)
class Netting:
    """One year's Schedule D result.

    short_term: net short-term gain (signed) after the short-term carryover in (Schedule D line 7).
    long_term: net long-term gain (signed) after the long-term carryover in (line 15).
    total: short_term + long_term (line 16).
    deductible_loss: the loss deducted from ordinary income this year, positive (line 21 without its sign).
    carryover_out: what carries into next year (Capital Loss Carryover Worksheet lines 8 and 13).
    """

    short_term: Decimal
    long_term: Decimal
    total: Decimal
    deductible_loss: Decimal
    carryover_out: Carryover
    filing_status: FilingStatus


def net_capital(
    short_term_gain: Decimal,
    long_term_gain: Decimal,
    carryover_in: Carryover = NO_CARRYOVER,
    filing_status: FilingStatus = FilingStatus.SINGLE,
    prior_year_taxable_income: Decimal | None = None,
    ordinary_income: Decimal | None = None,
) -> Netting:
    """Net one year's gains as Schedule D does (docs/rules.md#netting-the-loss-limit-and-carryover).

    short_term_gain / long_term_gain: the year's net short-/long-term gain or loss (signed) before any
    carryover. The carryover in is subtracted from its own side (Schedule D lines 6 and 14); a net loss on
    one side then offsets a net gain on the other (line 16). A net loss is deductible up to `LOSS_LIMIT`.

    prior_year_taxable_income: THIS year's Form 1040 line 15 taxable income (may be negative). The name
    follows the Capital Loss Carryover Worksheet, which sits in NEXT year's Schedule D instructions and
    starts from the "prior-year" (i.e. this year's) taxable income. It only changes what carries; the
    deduction this year is still reported in full.
    ordinary_income: this year's ordinary taxable income (everything but capital results), used when
    `prior_year_taxable_income` is None: the worksheet's line 1 is then that income plus the capital
    result after the loss limit (docs/rules.md#the-carryover-worksheets-line-1). With neither, line 1 is
    taken as large enough for the whole deductible loss to be used (line 4 = the deductible loss).
    """
    short_term = short_term_gain - carryover_in.short_term
    long_term = long_term_gain - carryover_in.long_term
    total = short_term + long_term
    deductible = min(-total, LOSS_LIMIT[filing_status]) if total < 0 else ZERO
    carryover_out = NO_CARRYOVER
    if total < 0:
        line1 = worksheet_line1(prior_year_taxable_income, ordinary_income, deductible)
        carryover_out = loss_carryover(short_term, long_term, deductible, line1)
    return Netting(short_term, long_term, total, deductible, carryover_out, filing_status)


def worksheet_line1(taxable_income: Decimal | None, ordinary_income: Decimal | None,
                    deductible_loss: Decimal) -> Decimal | None:
    """Line 1 of the Capital Loss Carryover Worksheet for a year with a net loss
    (docs/rules.md#the-carryover-worksheets-line-1): the year's taxable income as given; else, from the
    year's ordinary income, that income less the deductible loss (its capital result after the limit);
    else None (large enough)."""
    if taxable_income is not None:
        return taxable_income
    return None if ordinary_income is None else ordinary_income - deductible_loss


def loss_carryover(
    short_term: Decimal, long_term: Decimal, deductible_loss: Decimal, taxable_income: Decimal | None
) -> Carryover:
    """The Capital Loss Carryover Worksheet (Schedule D instructions;
    docs/rules.md#netting-the-loss-limit-and-carryover): the short-term loss is used against the deduction first, the
    rest of the deduction
    then uses long-term loss, and a net gain on one side absorbs a loss on the other. When taxable income
    was negative, less of the deduction counts as used (lines 1-4), so more carries forward.

    short_term / long_term: Schedule D lines 7 and 15 (signed, carryover in included).
    """
    line2 = deductible_loss
    if taxable_income is None:
        line4 = line2
    else:
        line3 = max(ZERO, taxable_income + line2)
        line4 = min(line2, line3)
    line5 = -short_term if short_term < 0 else ZERO  # short-term loss
    line6 = long_term if long_term > 0 else ZERO  # long-term gain
    line8 = max(ZERO, line5 - (line4 + line6))  # short-term carryover
    line13 = ZERO
    if long_term < 0:
        line9 = -long_term  # long-term loss
        line10 = short_term if short_term > 0 else ZERO  # short-term gain
        line11 = max(ZERO, line4 - line5)  # deduction left after the short-term loss
        line13 = max(ZERO, line9 - (line10 + line11))  # long-term carryover
    return Carryover(short_term=line8, long_term=line13)


def net_years(
    results: Mapping[int, tuple[Decimal, Decimal]],
    carryover_in: Carryover = NO_CARRYOVER,
    filing_status: FilingStatus = FilingStatus.SINGLE,
    prior_year_taxable_income: Mapping[int, Decimal] | None = None,
    ordinary_income: Mapping[int, Decimal] | None = None,
) -> dict[int, Netting]:
    """Net consecutive years, each year's carryover out feeding the next
    (docs/rules.md#netting-the-loss-limit-and-carryover: a loss carries forward indefinitely, keeping its character).

    results: year -> (short-term gain, long-term gain) before carryover. Years missing between the first
    and the last are netted with zero gains, so a carryover passes through them (and is used against the
    loss limit there). carryover_in enters the first year.
    prior_year_taxable_income: year -> THAT year's Form 1040 line 15 taxable income, used for the carryover
    out of that year (see `net_capital`).
    ordinary_income: year -> that year's ordinary taxable income, for the worksheet's line 1 of a year
    without taxable income (see `net_capital`); a year in neither mapping means large enough.
    Each year's result equals `net_capital` on that year's inputs and the previous year's carryover out.
    """
    if not results:
        return {}
    incomes = prior_year_taxable_income or {}
    ordinary = ordinary_income or {}
    nettings: dict[int, Netting] = {}
    carryover = carryover_in
    for year in range(min(results), max(results) + 1):
        short_term_gain, long_term_gain = results.get(year, (ZERO, ZERO))
        netting = net_capital(short_term_gain, long_term_gain, carryover, filing_status, incomes.get(year),
                              ordinary.get(year))
        nettings[year] = netting
        carryover = netting.carryover_out
    return nettings
