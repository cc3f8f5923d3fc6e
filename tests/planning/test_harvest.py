"""Tax-loss harvest candidates and the cumulative plan, worked out by hand.

2026 single brackets (docs/rules.md#rates): 10% to 12,400, 12% to 50,400, 22% to 105,700, 24% above;
long-term 15% from 49,450. Ordinary tax on 100,000 = 1,240 + 38,000 x 12% (4,560) + 49,600 x 22%
(10,912) = 16,712.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from conftest import TODAY, buy, rows_to_table, sell

from cryptotax_core import Settings, Transaction, parse_table
from cryptotax_core.planning import Harvest, harvest
from cryptotax_core.tax import FilingStatus, TaxSettings

D = Decimal
ON = date(2026, 11, 22)


def table(rows: list[dict[str, Any]]) -> tuple[Transaction, ...]:
    header, cells = rows_to_table(rows)
    return parse_table(header, cells, zone=ZoneInfo("UTC"), today=TODAY).transactions


def planned(rows: list[dict[str, Any]], prices: dict[str, Decimal], other_income: str | None = "100000",
            **tax: Any) -> Harvest:
    income = {2026: D(other_income)} if other_income is not None else {}
    return harvest(table(rows), Settings(), TaxSettings(other_income=income, **tax), ON, prices)


GAIN_AND_TWO_LOSSES = [
    buy("BTC-1", "2025-01-10", "BTC", "1", "10000"),
    sell("BTC-S", "2026-03-01", "BTC", "1", "15000"),  # long-term gain 5,000
    buy("ETH-1", "2026-02-01", "ETH", "10", "30000"),  # at 2,000: a short-term loss of 10,000
    buy("SOL-1", "2026-06-01", "SOL", "100", "10000"),  # at 50: a short-term loss of 5,000
]
PRICES = {"ETH": D(2000), "SOL": D(50)}


def test_a_harvest_turns_a_net_gain_into_the_3000_deduction() -> None:
    found = planned(GAIN_AND_TWO_LOSSES, PRICES)
    # as it is: long-term 5,000 at 15% on top of 100,000 = 750; tax 16,712 + 750 = 17,462
    assert (found.position.short_term, found.position.long_term, found.base.tax) == (0, 5000, 17462)
    eth, sol = found.candidates
    # ETH alone: ST -10,000 + LT 5,000 = -5,000: deduct 3,000, carry 2,000 (short-term: 10,000 - 3,000 - 5,000)
    # tax on 97,000 = 1,240 + 4,560 + 46,600 x 22% (10,252) = 16,052: saves 17,462 - 16,052 = 1,410
    assert (eth.value.lot.lot_id, eth.loss, eth.tax_saved, eth.loss_used, eth.carryover_added) == (
        "ETH-1", 10000, 1410, 8000, 2000)  # loss used: capital income 5,000 -> -3,000
    # SOL alone: ST -5,000 + LT 5,000 = 0: the 750 on the gain goes, nothing carries
    assert (sol.value.lot.lot_id, sol.tax_saved, sol.loss_used, sol.carryover_added) == ("SOL-1", 750, 5000, 0)
    first, second = found.plan
    # the ETH lot reaches the limit with 8 of its 10 ETH (8 x 1,000 loss = 8,000 of room)
    assert (first.in_plan, first.saves, first.quantity, first.lot_ids) == (True, 1410, 8, "ETH-1:8")
    # after it, SOL saves nothing this year (deduction already 3,000) and adds its 5,000 to the carryover:
    # ST -15,000 + LT 5,000: carry 15,000 - 3,000 - 5,000 = 7,000 instead of 2,000
    assert (second.in_plan, second.saves, second.carryover_added) == (False, 0, 5000)
    assert (found.plan_saves, found.planned.netting.deductible_loss, found.planned.carryover_out) == (1410, 3000, 2000)


def test_the_plan_takes_the_mfs_limit_of_1500() -> None:
    found = planned(GAIN_AND_TWO_LOSSES, PRICES, other_income=None, filing_status=FilingStatus.MFS)
    eth = found.plan[0]
    # capital income 5,000 -> -1,500: 6,500 of the 10,000 loss is used, 6.5 ETH; 3,500 carries
    assert (eth.candidate.tax_saved, eth.saves, eth.quantity, eth.carryover_added) == (None, 6500, D("6.5"), 3500)


def test_without_other_income_lots_rank_by_the_loss_the_year_can_use() -> None:
    found = planned(GAIN_AND_TWO_LOSSES, PRICES, other_income=None)
    assert [(c.value.lot.lot_id, c.tax_saved, c.loss_used) for c in found.candidates] == [
        ("ETH-1", None, 8000), ("SOL-1", None, 5000)]
    assert found.base.tax is None
    assert any(note.startswith("tax figures need the year's other income") for note in found.notes)


def test_ties_rank_the_bigger_loss_first_and_a_missing_price_is_never_guessed() -> None:
    rows = [buy("A-1", "2026-01-05", "AAA", "1", "5000"), buy("B-1", "2026-01-06", "BBB", "1", "9000"),
            buy("C-1", "2026-01-07", "CCC", "1", "500")]
    found = planned(rows, {"AAA": D(1000), "BBB": D(0)}, other_income=None)
    # A loses 4,000 and B 9,000; alone each uses the whole 3,000 deduction: a tie, the bigger loss first
    assert [(c.value.lot.lot_id, c.loss_used, c.carryover_added) for c in found.candidates] == [
        ("B-1", 3000, 6000), ("A-1", 3000, 1000)]
    assert found.notes[0] == "no price given for CCC: its 1 open lot is left out"
    # after B the limit is reached: A saves nothing more and carries its whole 4,000
    assert [(step.in_plan, step.saves, step.carryover_added) for step in found.plan] == [
        (True, 3000, 6000), (False, 0, 4000)]
    # B's 9,000 loss: 3,000 of room needs a third of the unit, rounded up to 8 decimals
    assert found.plan[0].quantity == D("0.33333334")


def test_lots_turning_long_term_in_10_days_are_flagged() -> None:
    rows = [buy("LOSS", "2025-12-01", "ETH", "1", "4000"),  # long-term from 2026-12-02: 10 days after ON
            buy("GAIN", "2025-12-01", "BTC", "1", "50000")]
    found = planned(rows, {"ETH": D(3000), "BTC": D(80000)})
    (loss,) = found.candidates
    assert (loss.value.term.value, loss.value.days_to_long_term) == ("short", 10)
    assert loss.notes == ("turns long-term on 2026-12-02 (in 10 days): sold before then the loss stays short-term, "
                          "which offsets short-term gains (taxed at ordinary rates) first",)
    assert found.notes == (
        "BTC lots with a gain that turn long-term within 30 days: GAIN on 2026-12-02 (in 10 days): if you mean to "
        "sell one, waiting until then gets the long-term rates",
        "ETH loss lots that turn long-term within 30 days: LOSS on 2026-12-02 (in 10 days): sold before then, a loss "
        "stays short-term, which offsets short-term gains (taxed at ordinary rates) first")


def test_a_lot_31_days_from_long_term_is_not_flagged() -> None:
    found = planned([buy("LOSS", "2025-12-22", "ETH", "1", "4000")], {"ETH": D(3000)})  # long-term from 2026-12-23
    assert (found.candidates[0].value.days_to_long_term, found.candidates[0].notes) == (31, ())


def test_a_crypto_purchase_within_30_days_is_a_warning_only() -> None:
    rows = [buy("OLD", "2026-01-05", "ETH", "10", "40000"), buy("NEW", "2026-11-10", "ETH", "1", "3000")]
    found = planned(rows, {"ETH": D(3000)})
    (old,) = found.candidates  # the new lot's own purchase is not a repurchase of it (and it has no loss)
    assert old.notes == ("ETH bought on 2026-11-10 (row 3), within 30 days before the sale: a wash sale for stock; "
                         "crypto is not covered today, a warning only (docs/rules.md#wash-sales)",)
    # the whole 10,000 short-term loss counts: 3,000 deducted at 22% = 660, 7,000 carried
    assert (old.disallowed, old.tax_saved, old.loss_used, old.carryover_added) == (0, 660, 3000, 7000)


def test_the_notes_are_told_once_per_asset_and_kind() -> None:
    # four ETH lots with a loss at 2,000, two of them purchases within 30 days of 2026-11-22: each lot's own notes
    # name both purchases (or the one that is not its own), the harvest's notes name them once for ETH
    rows = [buy("E1", "2026-01-05", "ETH", "1", "4000"), buy("E2", "2026-02-05", "ETH", "1", "4000"),
            buy("E3", "2026-11-01", "ETH", "1", "2500"), buy("E4", "2026-11-20", "ETH", "1", "2100"),
            buy("S1", "2026-01-05", "SOL", "10", "2000")]
    found = planned(rows, {"ETH": D(2000), "SOL": D(100)})
    assert {candidate.value.lot.lot_id: len(candidate.notes) for candidate in found.candidates} == {
        "E1": 2, "E2": 2, "E3": 1, "E4": 1, "S1": 0}  # E3 and E4: the other's purchase, not its own
    assert found.notes == ("ETH bought within 30 days of a sale on 2026-11-22: row 4 (2026-11-01), row 5 "
                           "(2026-11-20): a wash sale for stock; crypto is not covered today, a warning only "
                           "(docs/rules.md#wash-sales)",)


def test_a_crypto_asset_names_five_of_its_purchases_and_counts_the_rest() -> None:
    rows = [buy("OLD", "2026-01-05", "ETH", "10", "40000"),
            *(buy(f"N{day}", f"2026-11-{day:02d}", "ETH", "1", "2000") for day in range(1, 8))]
    found = planned(rows, {"ETH": D(1900)})
    (note,) = found.notes
    assert note.startswith("ETH bought within 30 days of a sale on 2026-11-22: row 3 (2026-11-01), row 4 "
                           "(2026-11-02), row 5 (2026-11-03), row 6 (2026-11-04), row 7 (2026-11-05) and 2 more: ")
    # each lot's own notes (JSON) name five too: OLD's, then one line for the other two
    old = next(candidate for candidate in found.candidates if candidate.value.lot.lot_id == "OLD")
    rule = "a wash sale for stock; crypto is not covered today, a warning only (docs/rules.md#wash-sales)"
    assert old.notes == (*(f"ETH bought on 2026-11-0{day} (row {day + 2}), within 30 days before the sale: {rule}"
                           for day in range(1, 6)), f"ETH bought 2 more times within 30 days of the sale: {rule}")


def test_a_stock_purchase_within_30_days_is_a_wash_sale_computed_by_the_engine() -> None:
    rows = [buy("OLD", "2026-01-05", "XYZ", "10", "40000", Class="Stock"),
            buy("NEW", "2026-11-10", "XYZ", "1", "3000", Class="Stock")]
    found = planned(rows, {"XYZ": D(3000)})
    (old,) = found.candidates
    # one share bought 12 days before and still held replaces one of the ten sold: 1/10 of the 10,000 loss
    # (1,000) is disallowed; 9,000 short-term counts: 3,000 deducted (660 at 22%), 6,000 carried
    assert (old.disallowed, old.short_term, old.tax_saved, old.loss_used, old.carryover_added) == (
        1000, -9000, 660, 3000, 6000)
    assert old.notes == (
        "XYZ bought on 2026-11-10 (row 3), within 30 days before the sale: for stock a wash sale if those shares "
        "replace the ones sold (docs/rules.md#wash-sales)",
        "the wash sale disallows 1,000.00 of the loss (added to the basis of the shares bought)",
        "buying XYZ again within 30 days after the sale would make it a wash sale (docs/rules.md#wash-sales)")
    # the 3,000 of room takes a third of the 9,000 that counts: 10 x 3,000 / 9,000, up to 8 decimals
    assert (found.plan[0].in_plan, found.plan[0].quantity) == (True, D("3.33333334"))
    assert found.notes == (
        "XYZ bought within 30 days of a sale on 2026-11-22: row 3 (2026-11-10): for stock a wash sale if those "
        "shares replace the ones sold (docs/rules.md#wash-sales)",
        "XYZ: the wash sale disallows part of the loss of lot OLD (1,000.00) (added to the basis of the shares "
        "bought); the figures count it",
        "buying XYZ again within 30 days after the sale would make it a wash sale (docs/rules.md#wash-sales)")


def test_a_purchase_41_days_before_is_outside_the_window() -> None:
    rows = [buy("OLD", "2026-01-05", "ETH", "10", "40000"), buy("NEW", "2026-10-12", "ETH", "1", "3000")]
    found = planned(rows, {"ETH": D(3000)})
    assert found.candidates[0].notes == ()


def test_carryover_from_earlier_years_enters_the_year() -> None:
    rows = [buy("A", "2024-02-01", "AAA", "1", "10000"), sell("A-S", "2024-05-01", "AAA", "1", "2000"),  # ST -8,000
            buy("B", "2026-01-05", "BBB", "1", "1000"), sell("B-S", "2026-03-01", "BBB", "1", "6000"),  # ST +5,000
            buy("C", "2026-02-01", "CCC", "1", "5000")]
    # 2024 deducts 3,000 and carries 5,000; 2025 (no data) deducts 3,000 of it and carries 2,000 into 2026
    found = planned(rows, {"CCC": D(1000)}, other_income=None)
    assert (found.position.carryover_in.short_term, found.base.netting.total) == (2000, 3000)
    # selling C (-4,000 ST): 3,000 - 4,000 = -1,000, all deductible: capital income 3,000 -> -1,000
    assert (found.candidates[0].loss_used, found.candidates[0].carryover_added) == (4000, 0)


def test_purchases_after_the_date_count_and_a_lot_a_later_row_sells_is_named() -> None:
    rows = [buy("OLD", "2026-01-05", "XYZ", "10", "40000", Class="Stock"),
            buy("NEW", "2026-10-06", "XYZ", "1", "3000", Class="Stock"),
            sell("LATER", "2026-10-11", "XYZ", "10", "30000", Class="Stock")]
    found = harvest(table(rows), Settings(), TaxSettings(), date(2026, 10, 1), {"XYZ": D(3000)})
    (old,) = found.candidates
    assert old.notes[0] == ("XYZ bought on 2026-10-06 (row 3), within 30 days after the sale: for stock a wash sale "
                            "if those shares replace the ones sold (docs/rules.md#wash-sales)")
    # the table sells the lot on 2026-10-11 (FIFO takes OLD first): the engine cannot sell it twice, so the
    # lot's own loss (10 x 1,000) is shown, with the reason
    assert old.notes[1] == "sold whole, the lot leaves row 4, column Quantity: sells 10 XYZ from 'Coinbase' on " \
                           "2026-10-11 but 1 is held there"
    assert (old.short_term, old.disallowed) == (-10000, 0)
