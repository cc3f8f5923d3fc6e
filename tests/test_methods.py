"""Lot relief: FIFO, LIFO, HIFO, LOFO and specific identification (docs/rules.md#which-units-are-sold)."""

import json
from datetime import date
from decimal import ROUND_DOWN, Context, Decimal, localcontext

import pytest
from conftest import buy, gains, run, sell

from cryptotax_core import AssetClass, InputError, Method
from cryptotax_core.model import Lot, Relief
from cryptotax_core.pools import RANK, Piece, rank, relief_order

LOTS = [
    buy("A", "2025-01-01", "BTC", "1", "100"),
    buy("B", "2025-02-01", "BTC", "1", "300"),
    buy("C", "2025-03-01", "BTC", "1", "200"),
]
SALE = sell("S", "2025-06-01", "BTC", "1.5", "600")


@pytest.mark.parametrize(("method", "expected"), [
    (Method.FIFO, [("A", "1", "400", "100"), ("B", "0.5", "200", "150")]),
    (Method.LIFO, [("C", "1", "400", "200"), ("B", "0.5", "200", "150")]),
    (Method.HIFO, [("B", "1", "400", "300"), ("C", "0.5", "200", "100")]),
    (Method.LOFO, [("A", "1", "400", "100"), ("C", "0.5", "200", "100")]),
    (Method.SPECIFIC, [("A", "1", "400", "100"), ("B", "0.5", "200", "150")]),  # nothing named: FIFO
], ids=lambda value: value.value if isinstance(value, Method) else "")
def test_each_method_relieves_its_lots(method: Method, expected: list[tuple[str, ...]]) -> None:
    result = run([*LOTS, SALE], method=method)
    assert [(lot, q, p, b) for _, lot, q, p, b, _ in gains(result)] == [
        (lot, Decimal(q), Decimal(p), Decimal(b)) for lot, q, p, b in expected]


@pytest.mark.parametrize(("method", "order"), [
    (Method.FIFO, "ABC"), (Method.LIFO, "CBA"), (Method.HIFO, "BCA"), (Method.LOFO, "ACB"), (Method.SPECIFIC, "ABC")])
def test_every_method_ranks_pieces_by_its_rule(method: Method, order: str) -> None:
    """A, B, C acquired in that order at unit costs 100, 300 and 200 (C's two units cost 400)."""
    pieces = [Piece(lot, 1, seq, "w", date(2025, 1, seq), Decimal(units), Decimal(basis), AssetClass.CRYPTO)
              for seq, (lot, units, basis) in enumerate([("A", "1", "100"), ("B", "1", "300"), ("C", "2", "400")], 1)]
    assert "".join(piece.lot_id for piece in sorted(pieces, key=lambda piece: rank(method, piece))) == order


def test_every_method_has_a_rank_function() -> None:
    assert set(RANK) == set(Method)


# Two lots, the newer dearer by 1e-27 or by 1e-31 a unit. The engine ranks unit costs to 30 decimal places:
# the first pair differ (a Decimal quotient to 28 digits would tie them), the second tie and go oldest first.
# The planner's order of lots (whatif) follows the same rank functions.
@pytest.mark.parametrize(("new_basis", "method", "order"), [
    ("1234.500000000000000000000000001", Method.HIFO, ["NEW", "OLD"]),
    ("1234.500000000000000000000000001", Method.LOFO, ["OLD", "NEW"]),
    ("1234.5000000000000000000000000000001", Method.HIFO, ["OLD", "NEW"]),
    ("1234.5000000000000000000000000000001", Method.LOFO, ["OLD", "NEW"]),
    ("1234.500000000000000000000000001", Method.FIFO, ["OLD", "NEW"]),
    ("1234.500000000000000000000000001", Method.LIFO, ["NEW", "OLD"]),
    ("1234.500000000000000000000000001", Method.SPECIFIC, ["OLD", "NEW"]),
], ids=["hifo-27", "lofo-27", "hifo-31-tie", "lofo-31-tie", "fifo", "lifo", "specific"])
def test_relief_order_ranks_unit_costs_as_the_engine_does(new_basis: str, method: Method, order: list[str]) -> None:
    lots = [Lot("OLD", 2, "BTC", "w", date(2025, 1, 1), Decimal("1"), Decimal("1234.5"), AssetClass.CRYPTO),
            Lot("NEW", 3, "BTC", "w", date(2025, 2, 1), Decimal("1"), Decimal(new_basis), AssetClass.CRYPTO)]
    assert [lots[index].lot_id for index in relief_order(method, lots, [0, 1])] == order
    rows = [buy("OLD", "2025-01-01", "BTC", "1", "1234.5"), buy("NEW", "2025-02-01", "BTC", "1", new_basis),
            sell("S", "2025-03-01", "BTC", "1", "2000")]
    assert [d.lot_id for d in run(rows, method=method).disposals] == order[:1]


def test_hifo_ranks_by_unit_cost_including_fees() -> None:
    """D costs 290 + 10 fee = 300 a unit, more than E's 295: HIFO sells D first."""
    result = run([buy("E", "2025-01-01", "BTC", "1", "295"), buy("D", "2025-02-01", "BTC", "1", "290", fee="10"),
                  sell("S", "2025-06-01", "BTC", "1", "500")], method=Method.HIFO)
    assert [d.lot_id for d in result.disposals] == ["D"]


def test_hifo_ties_go_to_the_earlier_acquisition_then_the_earlier_row() -> None:
    rows = [buy("LATE", "2025-03-01", "BTC", "1", "300"), buy("ROW2", "2025-02-01", "BTC", "1", "300"),
            buy("ROW3", "2025-02-01", "BTC", "1", "300"), sell("S", "2025-06-01", "BTC", "2.5", "900")]
    result = run(rows, method=Method.HIFO)
    assert [(d.lot_id, d.quantity) for d in result.disposals] == [
        ("ROW2", 1), ("ROW3", 1), ("LATE", Decimal("0.5"))]


@pytest.mark.parametrize(("method", "first"), [(Method.HIFO, "DEAR"), (Method.LOFO, "CHEAP")])
def test_unit_costs_a_hair_apart_and_below_a_cent_rank_exactly(method: Method, first: str) -> None:
    """Unit costs 0.000012345678901234567891 and ...892 USD (1e-24 apart, 18-decimal quantities): HIFO
    sells the dearer first even though it was bought later, LOFO the cheaper."""
    rows = [buy("CHEAP", "2025-01-01", "SHIB", "1000000", "12.345678901234567891"),
            buy("DEAR", "2025-02-01", "SHIB", "1000000", "12.345678901234567892"),
            sell("S", "2025-06-01", "SHIB", "1000000", "20")]
    assert [d.lot_id for d in run(rows, method=method).disposals] == [first]


def test_method_can_differ_by_year() -> None:
    rows = [*LOTS, sell("S25", "2025-06-01", "BTC", "1", "500"), sell("S26", "2026-06-01", "BTC", "1", "500")]
    result = run(rows, method=Method.FIFO, method_by_year={2025: Method.HIFO})
    assert [(d.tx_id, d.lot_id, d.method) for d in result.disposals] == [("S25", "B", Relief.HIFO),
                                                                          ("S26", "A", Relief.FIFO)]


def test_specific_ids_with_quantities() -> None:
    result = run([*LOTS, sell("S", "2025-06-01", "BTC", "1.5", "600", **{"Lot IDs": "B:0.5, C"})])
    assert [(d.lot_id, d.quantity, d.cost_basis, d.method) for d in result.disposals] == [
        ("B", Decimal("0.5"), 150, Relief.NAMED), ("C", 1, 200, Relief.NAMED)]
    assert not result.warnings


def test_specific_ids_that_cover_part_fall_back_to_the_method_with_a_warning() -> None:
    result = run([*LOTS, sell("S", "2025-06-01", "BTC", "1.5", "600", **{"Lot IDs": "C:0.5"})])
    assert [(d.lot_id, d.quantity, d.method) for d in result.disposals] == [
        ("C", Decimal("0.5"), Relief.NAMED), ("A", 1, Relief.FIFO)]
    # the texts the JSON output and the reports show
    assert json.dumps([d.method for d in result.disposals]) == '["specific", "FIFO"]'
    assert [str(w) for w in result.warnings] == [
        "row 5, column Lot IDs: the lots named cover 0.5 of 1.5 BTC; the other 1 were taken by FIFO"]


def test_specific_method_without_lot_ids_warns() -> None:
    result = run([*LOTS, SALE], method=Method.SPECIFIC)
    assert [str(w) for w in result.warnings] == [
        "row 5, column Lot IDs: no lots identified: FIFO used (the method for this year is specific identification)"]


def test_lot_in_another_wallet_is_an_error() -> None:
    rows = [buy("A", "2025-01-01", "BTC", "1", "100", wallet="Kraken"), buy("B", "2025-01-02", "BTC", "1", "100"),
            sell("S", "2025-06-01", "BTC", "1", "500", **{"Lot IDs": "A"})]
    with pytest.raises(InputError) as error:
        run(rows)
    assert [str(i) for i in error.value.issues] == [
        "row 4, column Lot IDs: the lot 'A' has 0 BTC left in 'Coinbase', not 1"]


def test_lot_used_up_is_an_error() -> None:
    rows = [*LOTS, sell("S1", "2025-05-01", "BTC", "1", "500", **{"Lot IDs": "B"}),
            sell("S2", "2025-06-01", "BTC", "0.5", "500", **{"Lot IDs": "B:0.5"})]
    with pytest.raises(InputError) as error:
        run(rows)
    assert [str(i) for i in error.value.issues] == [
        "row 6, column Lot IDs: the lot 'B' has 0 BTC left in 'Coinbase', not 0.5"]


@pytest.mark.parametrize(("lot_ids", "message"), [
    ("NOPE", "the lot 'NOPE' is not the ID of any row"),
    ("ETH1", "the lot 'ETH1' (row 5) holds ETH, not BTC"),
    ("LATER", "the lot 'LATER' (row 7) is acquired on 2025-07-01, after this disposal on 2025-06-01"),
    ("S0", "the lot 'S0' names no acquisition (Buy, Trade or income row)"),
], ids=["unknown", "other-asset", "later", "not-an-acquisition"])
def test_lot_ids_must_name_an_earlier_acquisition_of_the_asset(lot_ids: str, message: str) -> None:
    rows = [*LOTS, buy("ETH1", "2025-01-01", "ETH", "1", "100"), sell("S0", "2025-05-01", "BTC", "0.1", "50"),
            buy("LATER", "2025-07-01", "BTC", "1", "100"), sell("S", "2025-06-01", "BTC", "1", "500",
                                                                **{"Lot IDs": lot_ids})]
    with pytest.raises(InputError) as error:
        run(rows)
    assert [str(i) for i in error.value.issues] == [f"row 8, column Lot IDs: {message}"]


def test_unit_costs_are_truncated_to_30_places_not_rounded() -> None:
    """LATE's unit cost is 2.571428571428571428571428571435 / 3.000000000000000000000000000007 =
    0.857142857142857142857142857142 99999... (the 31st and later decimals all but 10^-60 short of a
    unit in the 30th place: worked out with integers, 857142857142857142857142857143 x
    3000000000000000000000000000007 = 2571428571428571428571428571435 x 10^30 + 1). Truncated to 30
    places it ties with EARLY's 0.857142857142857142857142857142, so HIFO takes the earlier lot first;
    rounding the quotient to 60 digits first would make LATE dearer."""
    rows = [buy("EARLY", "2025-01-01", "X", "1", "0.857142857142857142857142857142"),
            buy("LATE", "2025-02-01", "X", "3.000000000000000000000000000007", "2.571428571428571428571428571435"),
            sell("S", "2025-06-01", "X", "1", "1")]
    assert [d.lot_id for d in run(rows, method=Method.HIFO).disposals] == ["EARLY"]


def test_hifo_ranks_extreme_unit_costs() -> None:
    """10^-30 units for 1,000 USD is 10^33 USD a unit: ranked (first under HIFO), no overflow. The
    caller's decimal context does not matter: the engine uses its own (here one that rounds down and
    traps nothing, under which the integer division for a unit cost this large would give NaN)."""
    rows = [buy("DUST", "2025-01-01", "X", "0.000000000000000000000000000001", "1000"),
            buy("BULK", "2025-02-01", "X", "5", "50"), sell("S", "2025-06-01", "X", "1.5", "10")]
    # DUST gives its 10^-30 units: 10 x 10^-30 / 1.5 of the proceeds, 6.67 x 10^-30, to 30 places (half
    # to even; rounding down would give 6 x 10^-30); BULK gives 1.5 - 10^-30 of 5 units at 10 USD each
    expected = [("DUST", 1000, Decimal("7E-30")),
                ("BULK", Decimal("14.99999999999999999999999999999"), Decimal("9.999999999999999999999999999993"))]
    assert [(d.lot_id, d.cost_basis, d.proceeds) for d in run(rows, method=Method.HIFO).disposals] == expected
    with localcontext(Context(prec=28, rounding=ROUND_DOWN, traps=[])):
        assert [(d.lot_id, d.cost_basis, d.proceeds) for d in run(rows, method=Method.HIFO).disposals] == expected
