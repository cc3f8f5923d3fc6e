"""Wash sales (docs/rules.md#wash-sales; IRS Pub. 550, Wash Sales): a loss on stock with the same stock bought
within 30 days before or after is disallowed, added to the replacement's basis, and the replacement's
holding period takes in the days the sold shares were held. Crypto gets a warning only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import buy, run, sell

from cryptotax_core import Method, Term, summarize
from cryptotax_core.tax import form8949_lines
from cryptotax_core.tax.annual import TaxSettings

STOCK = {"Class": "Stock"}


def stock_buy(tx_id: str, day: str, shares: str, usd: str) -> dict[str, str]:
    return buy(tx_id, day, "XYZ", shares, usd, wallet="Broker", **STOCK)


def stock_sell(tx_id: str, day: str, shares: str, usd: str) -> dict[str, str]:
    return sell(tx_id, day, "XYZ", shares, usd, wallet="Broker", **STOCK)


def lines(rows: list[dict[str, str]]) -> list[tuple[str, str, Decimal, Decimal, Decimal, str, Decimal]]:
    """(sale, lot, proceeds, basis, adjustment, code, gain) per disposal slice."""
    return [(d.tx_id, d.lot_id, d.proceeds, d.cost_basis, d.adjustment, d.adjustment_code, d.gain)
            for d in run(rows).disposals]


def test_pub_550_replacement_bought_after_the_sale() -> None:
    # Pub. 550: 100 shares bought for 1,000 and sold for 750; 100 bought within 30 days for 800. The 250
    # loss is disallowed and the new shares' basis is 800 + 250 = 1,050.
    rows = [stock_buy("B1", "2025-01-02", "100", "1000"), stock_sell("S1", "2025-03-01", "100", "750"),
            stock_buy("B2", "2025-03-20", "100", "800")]
    result = run(rows)
    assert lines(rows) == [("S1", "B1", Decimal(750), Decimal(1000), Decimal(250), "W", Decimal(0))]
    (lot,) = result.lots
    assert (lot.lot_id, lot.quantity, lot.cost_basis) == ("B2", Decimal(100), Decimal(1050))
    # Held 2025-01-02 .. 2025-03-01 = 58 days, tacked on: 2025-03-20 - 58 days = 2025-01-21.
    assert lot.acquired == date(2025, 1, 21)


def test_partial_replacement_disallows_that_share_of_the_loss() -> None:
    # 100 shares sold at a loss of 250; only 40 bought back: 40/100 of the loss (100) is disallowed,
    # the other 150 stays deductible; the 40 new shares cost 400 + 100 = 500.
    rows = [stock_buy("B1", "2025-01-02", "100", "1000"), stock_sell("S1", "2025-03-01", "100", "750"),
            stock_buy("B2", "2025-03-10", "40", "400")]
    assert lines(rows) == [("S1", "B1", Decimal(750), Decimal(1000), Decimal(100), "W", Decimal(-150))]
    assert [(lot.quantity, lot.cost_basis) for lot in run(rows).lots] == [(Decimal(40), Decimal(500))]


def test_replacement_bought_before_the_sale() -> None:
    # FIFO sells the January lot (1,000) for 750 on March 10; the 100 shares bought on March 1 (700),
    # 9 days before, replace them: 250 disallowed, March lot basis 950; the January shares were held
    # 2025-01-01 .. 2025-03-10 = 68 days, so the March lot counts from 2025-03-01 - 68 = 2024-12-23.
    rows = [stock_buy("B1", "2025-01-01", "100", "1000"), stock_buy("B2", "2025-03-01", "100", "700"),
            stock_sell("S1", "2025-03-10", "100", "750")]
    result = run(rows)
    assert lines(rows) == [("S1", "B1", Decimal(750), Decimal(1000), Decimal(250), "W", Decimal(0))]
    assert [(lot.lot_id, lot.acquired, lot.cost_basis) for lot in result.lots] == [
        ("B2", date(2024, 12, 23), Decimal(950))]


def test_the_shares_sold_are_not_their_own_replacement() -> None:
    # Bought on January 1 and sold at a loss 19 days later: the only purchase in the window is the lot
    # sold, so the loss of 200 counts.
    rows = [stock_buy("B1", "2025-01-01", "10", "1000"), stock_sell("S1", "2025-01-20", "10", "800")]
    assert lines(rows) == [("S1", "B1", Decimal(800), Decimal(1000), Decimal(0), "", Decimal(-200))]


def test_replacement_later_sold_carries_basis_and_holding_period() -> None:
    # B1 held 2024-01-10 .. 2024-11-05 = 300 days, sold at a loss of 250 (1,000 -> 750). B2 bought
    # 2024-11-20 for 800: basis 1,050, acquired 2024-11-20 - 300 days = 2024-01-25. Sold 2025-02-10
    # for 1,200: gain 150, and long-term (held more than a year from 2024-01-25), though B2 itself
    # was held 82 days.
    rows = [stock_buy("B1", "2024-01-10", "100", "1000"), stock_sell("S1", "2024-11-05", "100", "750"),
            stock_buy("B2", "2024-11-20", "100", "800"), stock_sell("S2", "2025-02-10", "100", "1200")]
    result = run(rows)
    second = result.disposals[1]
    assert (second.acquired, second.cost_basis, second.gain, second.term) == (
        date(2024, 1, 25), Decimal(1050), Decimal(150), Term.LONG)
    summaries = summarize(result)
    assert summaries[2024].short_term.gain == Decimal(0)  # the 2024 loss is disallowed
    assert summaries[2025].long_term.gain == Decimal(150)


def test_a_replacement_share_replaces_once() -> None:
    # Two sales of 100 at a loss (250 each) and one purchase of 100 within 30 days of both: the
    # purchase replaces the first sale's shares only; the second loss is deductible.
    rows = [stock_buy("B1", "2025-01-02", "200", "2000"), stock_sell("S1", "2025-03-01", "100", "750"),
            stock_sell("S2", "2025-03-05", "100", "750"), stock_buy("B2", "2025-03-20", "100", "800")]
    assert lines(rows) == [
        ("S1", "B1", Decimal(750), Decimal(1000), Decimal(250), "W", Decimal(0)),
        ("S2", "B1", Decimal(750), Decimal(1000), Decimal(0), "", Decimal(-250)),
    ]


def test_outside_the_window_and_gains_are_untouched() -> None:
    # A repurchase 31 days after the sale is outside the window; a sale at a gain is never a wash sale.
    rows = [stock_buy("B1", "2025-01-02", "100", "1000"), stock_sell("S1", "2025-03-01", "50", "400"),
            stock_buy("B2", "2025-04-01", "100", "800"), stock_sell("S2", "2025-04-10", "50", "900")]
    assert [(sale, gain, code) for sale, _, _, _, _, code, gain in lines(rows)] == [
        ("S1", Decimal(-100), ""), ("S2", Decimal(400), "")]


def test_form_8949_shows_code_w_and_the_adjustment() -> None:
    rows = [stock_buy("B1", "2025-01-02", "100", "1000"), stock_sell("S1", "2025-03-01", "100", "750"),
            stock_buy("B2", "2025-03-10", "40", "400")]
    result = run(rows)
    (line,) = form8949_lines(result.disposals, TaxSettings().reporting_for)
    # Stock not reported on a 1099-B, short-term: box C; (d) 750, (e) 1,000, (f) W, (g) 100, (h) -150.
    assert (line.box, line.proceeds, line.cost_basis, line.adjustment_code, line.adjustment, line.gain) == (
        "C", Decimal("750.00"), Decimal("1000.00"), "W", Decimal("100.00"), Decimal("-150.00"))
    assert summarize(result)[2025].short_term.gain == Decimal(-150)


def test_crypto_losses_with_a_repurchase_only_warn() -> None:
    rows = [buy("B1", "2025-01-02", "BTC", "1", "90000"), sell("S1", "2025-03-01", "BTC", "1", "80000"),
            buy("B2", "2025-03-10", "BTC", "1", "82000")]
    result = run(rows)
    assert [(d.gain, d.adjustment_code) for d in result.disposals] == [(Decimal(-10000), "")]
    assert [str(warning) for warning in result.warnings] == [
        "row 3: 1 sale of BTC at a loss in 2025 had a purchase of BTC within 30 days before or after "
        "(row 3): the wash-sale rule applies to stock, not to crypto today (docs/rules.md#wash-sales), "
        "so the loss counts; a future rule could disallow it"]
    again = run([*rows, sell("S2", "2025-03-20", "BTC", "1", "70000"), buy("B3", "2025-04-01", "BTC", "1", "71000")])
    assert [str(warning) for warning in again.warnings] == [
        "row 3: 2 sales of BTC at a loss in 2025 each had a purchase of BTC within 30 days before or after "
        "(rows 3, 5): the wash-sale rule applies to stock, not to crypto today (docs/rules.md#wash-sales), "
        "so the losses count; a future rule could disallow them"]


@pytest.mark.parametrize(("method", "basis"), [(Method.HIFO, 200), (Method.FIFO, 100), (Method.LOFO, 100)])
def test_naming_a_lot_with_replacement_units_takes_the_units_the_method_would(method: Method, basis: int) -> None:
    """B1's 10 shares cost 100 each; one of them replaces the share sold at a loss of 100 from the other
    account (bought the same day), so it carries a basis of 200. Selling one B1 share by naming the lot takes
    the share the year's method takes (the dearer under HIFO), as a standing order would: recording the
    lots a method chose gives the method's result (the planner's suggestions rely on it)."""
    rows = [buy("B1", "2025-01-02", "XYZ", "10", "1000", wallet="Broker", **STOCK),
            buy("B2", "2025-01-02", "XYZ", "1", "200", wallet="Other", **STOCK),
            sell("S1", "2025-01-02", "XYZ", "1", "100", wallet="Other", **STOCK)]
    by_method = run([*rows, stock_sell("S2", "2025-06-01", "1", "150")], method=method).disposals[-1]
    named = run([*rows, stock_sell("S2", "2025-06-01", "1", "150") | {"Lot IDs": "B1:1"}], method=method).disposals[-1]
    assert (by_method.lot_id, by_method.cost_basis) == (named.lot_id, named.cost_basis) == ("B1", Decimal(basis))
