"""Properties of Schedule D netting that must hold for any amounts
(docs/rules.md#netting-the-loss-limit-and-carryover)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core.tax.netting import LOSS_LIMIT, Carryover, FilingStatus, net_capital, net_years

LIMIT = 1_000_000_00  # cents
money = st.integers(min_value=-LIMIT, max_value=LIMIT).map(lambda cents: Decimal(cents).scaleb(-2))
losses = st.integers(min_value=0, max_value=LIMIT).map(lambda cents: Decimal(cents).scaleb(-2))
carryovers = st.builds(Carryover, losses, losses)
statuses = st.sampled_from(FilingStatus)
incomes = st.none() | money
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(money, money, carryovers, statuses, incomes)
def test_never_deducts_more_than_the_limit_or_the_loss(
    short_gain: Decimal, long_gain: Decimal, carry_in: Carryover, status: FilingStatus, income: Decimal | None
) -> None:
    netting = net_capital(short_gain, long_gain, carry_in, status, income)
    assert 0 <= netting.deductible_loss <= LOSS_LIMIT[status]
    assert netting.deductible_loss <= max(Decimal(0), -netting.total)
    assert netting.total == netting.short_term + netting.long_term


@PROPERTY_SETTINGS
@given(money, money, carryovers, statuses)
def test_loss_is_deducted_or_carried(
    short_gain: Decimal, long_gain: Decimal, carry_in: Carryover, status: FilingStatus
) -> None:
    netting = net_capital(short_gain, long_gain, carry_in, status)
    if netting.total < 0:
        carried = netting.carryover_out.short_term + netting.carryover_out.long_term
        assert netting.deductible_loss + carried == -netting.total


@PROPERTY_SETTINGS
@given(money, money, carryovers, statuses, incomes)
def test_gain_year_carries_nothing(
    short_gain: Decimal, long_gain: Decimal, carry_in: Carryover, status: FilingStatus, income: Decimal | None
) -> None:
    netting = net_capital(short_gain, long_gain, carry_in, status, income)
    if netting.total >= 0:
        assert netting.carryover_out == Carryover()
        assert netting.deductible_loss == 0


@PROPERTY_SETTINGS
@given(money, money, carryovers, statuses, incomes)
def test_carryover_keeps_character(
    short_gain: Decimal, long_gain: Decimal, carry_in: Carryover, status: FilingStatus, income: Decimal | None
) -> None:
    netting = net_capital(short_gain, long_gain, carry_in, status, income)
    assert netting.carryover_out.short_term <= max(Decimal(0), -netting.short_term)
    assert netting.carryover_out.long_term <= max(Decimal(0), -netting.long_term)


@PROPERTY_SETTINGS
@given(money, money, carryovers, statuses, money)
def test_low_income_carries_at_least_as_much(
    short_gain: Decimal, long_gain: Decimal, carry_in: Carryover, status: FilingStatus, income: Decimal
) -> None:
    # The worksheet only ever counts less of the deduction as used, never more; the total carried
    # stays within the net loss.
    with_income = net_capital(short_gain, long_gain, carry_in, status, income).carryover_out
    without = net_capital(short_gain, long_gain, carry_in, status).carryover_out
    assert with_income.short_term >= without.short_term
    assert with_income.long_term >= without.long_term
    total = short_gain + long_gain - carry_in.short_term - carry_in.long_term
    assert with_income.short_term + with_income.long_term <= max(Decimal(0), -total)


@PROPERTY_SETTINGS
@given(
    st.dictionaries(st.integers(min_value=2024, max_value=2030), st.tuples(money, money), max_size=5),
    carryovers,
    statuses,
)
def test_years_chain_their_carryover(
    results: dict[int, tuple[Decimal, Decimal]], carry_in: Carryover, status: FilingStatus
) -> None:
    nettings = net_years(results, carry_in, status)
    assert list(nettings) == (list(range(min(results), max(results) + 1)) if results else [])
    carry = carry_in
    for year, netting in nettings.items():
        short_gain, long_gain = results.get(year, (Decimal(0), Decimal(0)))
        assert netting == net_capital(short_gain, long_gain, carry, status)
        carry = netting.carryover_out
