"""Reconciling a broker's form with the history (cryptotax_core.reconcile): the layouts read, the matching,
each kind of difference with the Form 8949 line it needs, worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core import (
    Difference,
    FormError,
    ReconcileError,
    Reconciliation,
    Settings,
    compute_table,
    read_form,
    read_form_cells,
    reconcile,
)
from cryptotax_core.reconcile import Form8949Entry

HEADER = ["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet", "Class"]
# Coinbase: BTC 1 bought 2024-01-10 for 40,000 + 100 fee; 1 more 2025-01-05 for 90,000; ETH 10 for 20,000
# Kraken: ETH 5 for 12,500
HISTORY = [  # table rows 2 to 9
    ["b1", "2024-01-10", "Buy", "BTC", "1", "40000", "100", "Coinbase", ""],
    ["b2", "2025-01-05", "Buy", "BTC", "1", "90000", "", "Coinbase", ""],
    ["b3", "2024-02-01", "Buy", "ETH", "10", "20000", "", "Coinbase", ""],
    ["k1", "2024-03-01", "Buy", "ETH", "5", "12500", "", "Kraken", ""],
    # 0.5 BTC sold: FIFO from b1: basis 40,100 x 0.5 = 20,050, long-term (2024-01-10 -> 2025-03-01)
    ["s1", "2025-03-01", "Sell", "BTC", "0.5", "47000", "20", "Coinbase", ""],
    # 1 BTC sold: 0.5 left of b1 (basis 20,050, long) and 0.5 of b2 (45,000, short); proceeds 96,000 - 40
    ["s2", "2025-06-02", "Sell", "BTC", "1", "96000", "40", "Coinbase", ""],
    # 2 ETH: basis 20,000 x 2 / 10 = 4,000, long; proceeds 7,000 - 7 = 6,993
    ["s3", "2025-04-15", "Sell", "ETH", "2", "7000", "7", "Coinbase", ""],
    # Kraken's 1 ETH: basis 2,500, long
    ["s4", "2025-04-15", "Sell", "ETH", "1", "3500", "", "Kraken", ""],
]


def result(rows: list[list[str]] | None = None) -> list[object]:
    return list(compute_table(HEADER, rows or HISTORY, Settings()).disposals)


def form(text: str) -> Reconciliation:
    return reconcile(result(), read_form(text.encode(), "1099.csv"), None, None)  # type: ignore[arg-type]


FORM_HEADER = "Asset,Units,Date acquired,Date sold,Proceeds,Cost basis,Basis reported,Term,Box\n"


def entries(found: Reconciliation, rows: tuple[int, ...]) -> list[Form8949Entry]:
    return [entry for item in found.comparisons if item.rows == rows for entry in item.entries]


def test_each_kind_of_difference_and_its_form8949_line() -> None:
    found = form(FORM_HEADER
                 # s1: proceeds 47,000 - 20 = 46,980.00 on the form too; basis not shown: agrees, box K (long, 2025)
                 + "BTC,0.5,2024-01-10,2025-03-01,46980.00,,,Long,K\n"
                 # s3: the form says 7,000 (before the fee) against 6,993: proceeds differ by 7.00
                 + "ETH,2,2024-02-01,2025-04-15,7000.00,,,Long,K\n"
                 # s2: basis reported 60,000 against 20,050 + 45,000 = 65,050
                 + "BTC,1,Various,2025-06-02,95960.00,60000.00,X,,\n"
                 # a sale the history lacks
                 + "SOL,10,,2025-08-01,1500.00,,,Short,H\n")
    assert found.year == 2025 and found.wallets == ("Coinbase",)  # Kraken's s4 is not this broker's
    kinds = {item.rows: item.differences for item in found.comparisons}
    assert kinds == {(6,): (), (8,): (Difference.PROCEEDS,), (7,): (Difference.BASIS,),
                     (): (Difference.NOT_IN_HISTORY,)}
    # proceeds: (d) the form's 7,000.00, (e) 4,000.00, code O, (g) = 2,993.00 - (7,000.00 - 4,000.00) = -7.00
    assert entries(found, (8,)) == [Form8949Entry("K", "2 ETH", date(2024, 2, 1), date(2025, 4, 15), Decimal("7000.00"),
                                                  Decimal("4000.00"), "O", Decimal("-7.00"), Decimal("2993.00"))]
    # basis reported, two terms: the form's 60,000 shared by units (0.5 / 0.5) -> 30,000.00 each in (e);
    # proceeds 95,960 split 47,980 / 47,980 by the engine; long: gain 47,980 - 20,050 = 27,930,
    # (g) = 27,930 - (47,980 - 30,000) = 9,950; short: 47,980 - 45,000 = 2,980, (g) = 2,980 - 17,980 = -15,000
    assert entries(found, (7,)) == [
        Form8949Entry("G", "0.5 BTC", date(2025, 1, 5), date(2025, 6, 2), Decimal("47980.00"), Decimal("30000.00"),
                      "B", Decimal("-15000.00"), Decimal("2980.00")),
        Form8949Entry("J", "0.5 BTC", date(2024, 1, 10), date(2025, 6, 2), Decimal("47980.00"), Decimal("30000.00"),
                      "B", Decimal("9950.00"), Decimal("27930.00"))]
    [agreed] = [item for item in found.comparisons if item.rows == (6,)]
    # 46,980 - 20,050 = 26,930, long, on the form without basis: box K, no code
    assert (agreed.entries, agreed.explanation) == ((Form8949Entry(
        "K", "0.5 BTC", date(2024, 1, 10), date(2025, 3, 1), Decimal("46980.00"), Decimal("20050.00"), "",
        Decimal("0.00"), Decimal("26930.00")),), "")
    [missing] = [item for item in found.comparisons if not item.rows]
    assert missing.entries == ()
    assert missing.explanation.startswith("the form reports a sale of 10 SOL on 2025-08-01 for 1,500.00 that your "
                                          "history does not have")
    assert (found.count(None), found.count(Difference.PROCEEDS), found.count(Difference.NOT_ON_FORM)) == (1, 1, 0)


def test_a_sale_the_form_lacks_and_a_basis_shown_but_not_reported() -> None:
    found = reconcile(result(), read_form((FORM_HEADER + "BTC,0.5,,2025-03-01,46980,20000,,,\n").encode()), 2025,
                      "Coinbase")  # type: ignore[arg-type]
    by_rows = {item.rows: item for item in found.comparisons}
    # s1's basis shown as 20,000 but not reported: (e) is yours, 20,050.00, code B, (g) 0
    assert by_rows[(6,)].differences == (Difference.BASIS,)
    assert [(entry.box, entry.cost_basis, entry.code, entry.adjustment) for entry in by_rows[(6,)].entries] == [
        ("K", Decimal("20050.00"), "B", Decimal("0.00"))]
    assert by_rows[(6,)].explanation == ("the form shows a basis of 20,000.00 (not reported to the IRS), yours is "
                                         "20,050.00: enter your basis in column (e), code B, 0 in (g)")
    # with the wallet named, s2 and s3 are Coinbase's sales the form lacks: boxes I/L, no code
    assert by_rows[(7,)].differences == (Difference.NOT_ON_FORM,)
    assert [(entry.box, entry.proceeds, entry.cost_basis) for entry in by_rows[(7,)].entries] == [
        ("I", Decimal("47980.00"), Decimal("45000.00")), ("L", Decimal("47980.00"), Decimal("20050.00"))]
    assert by_rows[(8,)].explanation.startswith("your history has this sale (row 8); the broker's form does not: it "
                                                "goes in box L")
    assert (9,) not in by_rows  # Kraken's sale is not compared


def test_the_term_the_form_gives() -> None:
    found = form(FORM_HEADER + "ETH,2,,2025-04-15,6993,,,Short,H\n")
    [item] = [item for item in found.comparisons if item.rows == (8,)]
    # the lot is of 2024-02-01, long-term on 2025-04-15: box K by our dates, code T, 0 in (g)
    assert item.differences == (Difference.TERM,)
    assert [(entry.box, entry.code, entry.adjustment) for entry in item.entries] == [("K", "T", Decimal("0.00"))]


@pytest.mark.parametrize(("lines", "rows", "day_off"), [
    # the broker lists s2 once per lot: two lines of 0.5 add up to the sale
    ("BTC,0.5,2024-01-10,2025-06-02,47980,,,,\nBTC,0.5,2025-01-05,2025-06-02,47980,,,,\n", (7,), False),
    # a day later: the broker's day in UTC
    ("ETH,2,,2025-04-16,6993,,,,\n", (8,), True),
    # no units on the form: the day's one sale of the asset
    ("BTC,,,2025-03-01,46980,,,,\n", (6,), False),
    # units to 1E-8: 0.500000004 is 0.5
    ("BTC,0.500000004,,2025-03-01,46980,,,,\n", (6,), False),
], ids=["per-lot", "day-off", "no-units", "rounded-units"])
def test_matching(lines: str, rows: tuple[int, ...], day_off: bool) -> None:
    found = form(FORM_HEADER + lines)
    [item] = [item for item in found.comparisons if item.form_lines]
    assert (item.rows, item.differences, item.day_off) == (rows, (), day_off)


def test_a_day_of_sales_on_one_line_of_the_form() -> None:
    """Two sales of ETH on 2025-04-15 (Coinbase's s3 and Kraken's s4) on one line of 3 units: one group."""
    found = reconcile(result(), read_form((FORM_HEADER + "ETH,3,,2025-04-15,10493,,,,\n").encode()),
                      2025, None)  # type: ignore[arg-type]
    [item] = [item for item in found.comparisons if item.form_lines]
    # 6,993 + 3,500 = 10,493: they agree
    assert (item.rows, item.differences, item.proceeds) == ((8, 9), (), Decimal("10493.00"))


@pytest.mark.parametrize(("text", "message"), [
    ("Asset,Date sold,Proceeds\nBTC,2025-13-01,5\n", "1099.csv row 2, column Date sold: '2025-13-01' is not a date: "
                                                     "write it as 2025-03-03 or 03/03/2025"),
    ("Asset,Date sold,Proceeds\nBTC,2025-03-01,five\n", "1099.csv row 2, column Proceeds: 'five' is not a number: "
                                                        "write the amount as the form shows it, e.g. 1234.56"),
    ("Asset,Date sold,Proceeds\n,2025-03-01,5\nBTC,,5\n",
     "1099.csv row 2, column Asset: the asset is missing: write its ticker (e.g. BTC) as in your transaction table "
     "(and 1 more)"),
    ("Symbol,Amount\nBTC,5\n", "1099.csv table: no header of a broker form found: it needs the columns Asset (or "
                               "Description), Date sold and Proceeds, named as the form's boxes (e.g. 1e Date sold or "
                               "disposed, 1f Proceeds); see docs/importing.md"),
])
def test_a_form_that_cannot_be_read(text: str, message: str) -> None:
    with pytest.raises(FormError) as caught:
        read_form(text.encode(), "1099.csv")
    assert str(caught.value) == message


def test_the_year_and_the_wallet_asked() -> None:
    two_years = read_form((FORM_HEADER + "BTC,0.5,,2024-03-01,1,,,,\nBTC,0.5,,2025-03-01,46980,,,,\n").encode())
    with pytest.raises(ReconcileError, match="the form has sales of 2024, 2025: give the tax year"):
        reconcile(result(), two_years)  # type: ignore[arg-type]
    assert reconcile(result(), two_years, 2025).other_years == 1  # type: ignore[arg-type]
    with pytest.raises(ReconcileError, match="no disposal in 2025 is in wallet 'Gemini'; the wallets with "
                                             "disposals that year: Coinbase, Kraken"):
        reconcile(result(), two_years, 2025, "Gemini")  # type: ignore[arg-type]


def test_layouts_of_brokers_and_tax_tools() -> None:
    """The same sale as TaxBit's 1099-DA template, Schwab's 1099-B section and Coinbase's gain/loss CSV
    write it (their column names; the rows are made up)."""
    taxbit = ("account_id,asset_symbol,asset_dtif_code,asset_name,asset_quantity,acquired_date,disposed_date,proceeds,"
              "cost_basis,proceeds_type,gain_loss_classification\n"
              "12345678,BTC,GE3838456,Bitcoin,0.5,1/10/2024,3/1/2025,46980,,Gross Proceeds,Long-term\n")
    schwab = ('"Form 1099 B",\n"1a","1b","1c","1d","1e",\n'
              '"Description of property (Example 100 sh. XYZ Co.)","Date acquired","Date sold or disposed","Proceeds",'
              '"Cost or other basis","Wash sale loss disallowed",'
              '"Short-Term gain loss Long-term gain or loss Ordinary","Form 8949 Code",'
              '"Check if basis reported to IRS",\n'
              '"0.5 BTC","01/10/2024","03/01/2025","46980.00","20050.00","$0.00","Long Term","D","Yes",\n\n'
              '"Form 1099 MISC",\n')
    coinbase = ("Transaction Type,Transaction ID,Tax lot ID,Asset name,Amount,Date Acquired,Cost basis (USD),"
                "Date of Disposition,Proceeds (USD),Gains (Losses) (USD),Holding period (Days),Data source\n"
                "Sell,abc,lot1,BTC,0.5,2024-01-10,20050.00,2025-03-01,46980.00,26930.00,416,Coinbase\n")
    read = [read_form(text.encode(), name)[0] for name, text in (("taxbit", taxbit), ("schwab", schwab),
                                                                   ("coinbase", coinbase))]
    assert {(line.asset, line.units, line.sold, line.proceeds) for line in read} == {
        ("BTC", Decimal("0.5"), date(2025, 3, 1), Decimal("46980"))} | {
        ("BTC", Decimal("0.5"), date(2025, 3, 1), Decimal("46980.00"))}
    assert [(line.basis, line.basis_reported, line.box, line.term.value if line.term else None) for line in read] == [
        (None, False, "", "long"), (Decimal("20050.00"), True, "D", "long"), (Decimal("20050.00"), False, "", "long")]
    for lines in ([read[0]], [read[1]], [read[2]]):
        found = reconcile(result(), lines, 2025, "Coinbase")  # type: ignore[arg-type]
        assert [item.differences for item in found.comparisons if item.form_lines] == [()]


def test_a_form_from_cells() -> None:
    """The add-in's range: numbers and dates as cells give them."""
    lines = read_form_cells([["Asset", "Units", "Date sold", "Proceeds"], ["BTC", 0.5, date(2025, 3, 1), 46980.0],
                             [None, None, None, None]])
    assert [(line.line, line.asset, line.units, line.sold, line.proceeds) for line in lines] == [
        (2, "BTC", Decimal("0.5"), date(2025, 3, 1), Decimal("46980"))]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.binary(max_size=400))
def test_random_bytes_are_a_form_or_a_form_error(data: bytes) -> None:
    """Nothing a file holds raises anything but FormError, and what reads is a sale with a date and proceeds."""
    try:
        lines = read_form(FORM_HEADER.encode() + data, "random.csv")
    except FormError as exc:
        assert exc.issues and str(exc).startswith("random.csv ")
        return
    assert all(isinstance(line.sold, date) and isinstance(line.proceeds, Decimal) for line in lines)
