"""The Excel functions called as Excel calls them: cells as lists of lists, floats, datetimes, serials,
blanks as None, "" or 0 (excel-notes.md)."""

import ast
import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import addin.convert as convert
import cryptotax_core.planning.computed as computed_module
from addin.functions import (
    CHECK,
    COSTBASIS,
    DISPOSALS,
    FUNCTIONS,
    GAINLOSS,
    HOLDINGTERM,
    INCOME,
    LOTS,
    NETCAPITAL,
    TAXSUMMARY,
)
from cryptotax_core.samples import SAMPLE_HISTORY

HEADER = ["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet", "To Wallet", "Received Asset",
          "Received Quantity", "Lot IDs", "Class", "Broker Reported", "Note"]


def sample_rows() -> list[list[Any]]:
    with SAMPLE_HISTORY.open() as stream:
        return list(csv.reader(stream))


def as_classic_excel(rows: list[list[str]]) -> list[list[Any]]:
    """What classic xlwings hands over for a typed-in table: floats, datetimes, None for empty cells."""
    out: list[list[Any]] = [list(rows[0])]
    for row in rows[1:]:
        cells: list[Any] = []
        for column, text in zip(rows[0], row, strict=True):
            if text == "":
                cells.append(None)
            elif column == "Date":
                cells.append(datetime.fromisoformat(text))
            elif column in ("Quantity", "USD Value", "Fee USD", "Received Quantity"):
                cells.append(float(text))
            else:
                cells.append(text)
        out.append(cells)
    return out


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    convert.clear_cache()


def test_gainloss_by_term_and_asset() -> None:
    rows = as_classic_excel(sample_rows())
    assert GAINLOSS(rows, 2026.0) == 27171.5
    assert GAINLOSS(rows, 2026, "long") == 19900.0          # the seed's 0.5 BTC
    assert GAINLOSS(rows, 2026, "short", "eth") == -3528.5    # 12,487.50 - 16,016.00
    assert GAINLOSS(rows, 2024, None, None, None) == -806.1


def test_office_js_cells_dates_as_serials_empty_as_zero() -> None:
    rows = as_classic_excel(sample_rows())
    office = [rows[0]] + [[(cell - datetime(1899, 12, 30)).days if isinstance(cell, datetime) else
                           (0 if cell is None else cell) for cell in row] for row in rows[1:]]
    assert GAINLOSS(office, 2026, "long", 0, 0) == 19900.0
    assert COSTBASIS(office, "BTC", 0, 0, 0) == COSTBASIS(rows, "BTC")


def test_table_without_header_and_with_trailing_empty_rows() -> None:
    rows = as_classic_excel(sample_rows())
    in_template_order = [[dict(zip(rows[0], row, strict=True)).get(column) for column in HEADER] for row in rows[1:]]
    padded = in_template_order + [[None] * len(HEADER)] * 5 + [[""] * len(HEADER)]
    assert GAINLOSS(padded, 2026) == 27171.5
    assert GAINLOSS(rows[1:], 2026) == ("the range has no header row and 14 columns, not the template's 15: pass "
                                        "the table with its header, e.g. Transactions[#All]")


def test_costbasis_per_wallet_and_as_of() -> None:
    rows = sample_rows()
    # Coinbase holds BTC-1 and BTC-2 (40,000 + 60,000) after BTC-3 was sold; Ledger the mined 0.002 (200)
    assert COSTBASIS(rows, "btc", "coinbase") == 100000.0
    assert COSTBASIS(rows, "BTC") == 100200.0
    # at the end of 2025 BTC-3 (80,000) and Kraken's 0.5 (25,050) were still held
    assert COSTBASIS(rows, "BTC", None, datetime(2025, 12, 31)) == 205250.0
    assert COSTBASIS(rows, "BTC", None, "2025-12-31") == 205250.0


def test_lots_spill_with_headers() -> None:
    rows = LOTS(sample_rows(), "SOL")
    assert rows[0] == ["Lot", "Asset", "Wallet", "Acquired", "Quantity", "Cost basis", "Unit cost", "Long-term from"]
    # 400 SOL at 35,000 less the fee's 0.01 and the laptop's 10: 389.99 at 87.50
    assert rows[1] == ["SWAP-1", "SOL", "Phantom", datetime(2025, 4, 7), 389.99, 34124.13, 87.5, datetime(2026, 4, 8)]
    assert [row[0] for row in rows[2:]] == ["SOL-ST1", "SOL-ST2"]


def test_disposals_are_form_8949_rows() -> None:
    rows = DISPOSALS(sample_rows(), 2026)
    assert rows[0][:5] == ["Box", "Description", "Date acquired", "Date sold", "Proceeds"]
    assert [(row[0], row[1], row[8]) for row in rows[1:]] == [
        ("C", "10 MSFT", 800.0), ("I", "1 BTC", 10000.0), ("I", "5 ETH", -3528.5), ("L", "0.5 BTC", 19900.0)]


def test_taxsummary_with_settings_range() -> None:
    settings = [["Tax year", 2025.0], ["Filing status", "mfj"], ["Other income 2025", 85000.0], [None, None]]
    summary = dict((label, value) for label, value in TAXSUMMARY(sample_rows(), 2025, settings))
    assert (summary["Net total"], summary["Filing status"]) == (16024.97, "mfj")
    # the year's staking and mining (1,079) join the 85,000: ordinary income 86,079, and with the net short-term
    # 1,024.97 the ordinary part is 87,103.97: 2,385 + 12% x 63,253.97 = 9,975.48 (9,975.4764);
    # long-term 15,000: 96,700 - 87,103.97 = 9,596.03 at 0% and 5,403.97 at 15% = 810.60 (810.5955);
    # 10,786.07 (10,786.0719), less than the ordinary rates on all 102,103.97 (12,290.87). AMT: AMTI 102,103.97
    # + 31,500 = 133,603.97, under the 137,000 exemption: none. Without the capital results: 2,385 + 12% x
    # 62,229 = 9,852.48: 933.59 of it due to them.
    assert (summary["Ordinary income"], summary["Other income (Settings)"], summary["Ordinary income used"]) == (
        1079.0, 85000.0, 86079.0)
    assert summary["Table income in other income"] == "no"
    assert (summary["Regular tax"], summary["Alternative minimum tax"], summary["Net investment income tax"]) == (
        10786.07, 0.0, 0.0)
    assert (summary["Estimated federal tax"], summary["Tax due to capital results"]) == (10786.07, 933.59)
    assert summary["Tax note"] == ""
    included = dict((label, value) for label, value in TAXSUMMARY(
        sample_rows(), 2025, [*settings, ["Table income in other income", "yes"]]))
    # the 85,000 already holds the 1,079: ordinary part 86,024.97: 2,385 + 12% x 62,174.97 = 9,846.00 (9,845.9964);
    # 10,675.03 at 0% and 4,324.97 at 15% = 648.7455: 10,494.7419, rounded once: 10,494.74
    assert (included["Ordinary income used"], included["Estimated federal tax"]) == (85000.0, 10494.74)


def test_taxsummary_shows_the_amt_and_its_note() -> None:
    # 2026 single, other income 60,000, a long-term gain of 1,000,000: AMT 11,874 (tests/tax/test_amt.py works
    # it through Form 6251), regular tax 183,637, NIIT 33,291.80
    rows = [HEADER, ["B", "2020-03-01", "Buy", "BTC", 20.0, 100000.0, None, "Coinbase"],
            ["S", "2026-03-02", "Sell", "BTC", 10.0, 1050000.0, None, "Coinbase"]]
    summary = dict((label, value) for label, value in TAXSUMMARY(rows, 2026, [["Other income 2026", 60000.0]]))
    assert (summary["Regular tax"], summary["Alternative minimum tax"], summary["Net investment income tax"]) == (
        183637.0, 11874.0, 33291.8)
    assert summary["Estimated federal tax"] == 228802.8
    assert summary["Tax note"].startswith("AMT per Form 6251 with the deduction as the only adjustment")
    # without other income the estimate's rows are blank and one says what to add
    bare = dict((label, value) for label, value in TAXSUMMARY(rows, 2026))
    assert (bare["Ordinary income used"], bare["Alternative minimum tax"], bare["Estimated federal tax"]) == (
        "", "", "add 'Other income 2026' to Settings")


@pytest.mark.parametrize(("year", "gain", "carried_in", "deducted", "carried_out"), [
    (2024, -10000.0, 500.0, 3000.0, 7500.0),  # the Settings' 500 enters the first year: -10,500 deducts 3,000
    (2025, 0.0, 7500.0, 3000.0, 4500.0),  # no data: the carryover alone, against the loss limit
    (2026, 0.0, 4500.0, 3000.0, 1500.0),  # 2025 used 3,000 of it first
    (2023, 0.0, 500.0, 500.0, 0.0),  # before the data: the carryover of the Settings, all that is known
], ids=["with-data", "next-year", "two-years-on", "before-the-data"])
def test_taxsummary_of_a_year_without_data_passes_the_carryover_through(
        year: int, gain: float, carried_in: float, deducted: float, carried_out: float) -> None:
    rows = [HEADER, ["B", "2024-01-10", "Buy", "BTC", 1.0, 20000.0, None, "Coinbase"],
            ["S", "2024-03-01", "Sell", "BTC", 1.0, 10000.0, None, "Coinbase"]]
    summary = dict((label, value) for label, value in TAXSUMMARY(rows, year, [["Carryover short term", 500.0]]))
    assert (summary["Short-term gain"], summary["Carryover in, short-term"], summary["Net short-term"],
            summary["Deductible loss"], summary["Carryover out, short-term"]) == (
        gain, carried_in, gain - carried_in, deducted, carried_out)


def test_netcapital_without_a_table() -> None:
    """Seed 002: a net -10,000 deducts 3,000 and carries 7,000."""
    assert NETCAPITAL(-10000.0, None) == [
        ["Net short-term", -10000.0], ["Net long-term", 0.0], ["Net total", -10000.0], ["Deductible loss", 3000.0],
        ["Carryover short-term", 7000.0], ["Carryover long-term", 0.0]]
    assert NETCAPITAL(-10000.0, 0, 0, 0, "mfs")[3] == ["Deductible loss", 1500.0]


def test_income_by_type() -> None:
    assert INCOME(sample_rows(), 2025) == [["Staking", 879.0], ["Mining", 200.0], ["Airdrop", 0.0], ["Interest", 0.0],
                                           ["Other", 0.0], ["Total", 1079.0]]
    assert INCOME(sample_rows(), 2025, "Staking") == [[879.0]]


@pytest.mark.parametrize(("acquired", "disposed", "term"), [
    (datetime(2025, 1, 15), datetime(2026, 1, 15), "short"),
    (datetime(2025, 1, 15), datetime(2026, 1, 16), "long"),
    (45672.0, "2026-01-16", "long"),      # serial 45672 = 2025-01-15
], ids=["anniversary", "day-after", "serial-and-text"])
def test_holdingterm(acquired: Any, disposed: Any, term: str) -> None:
    assert HOLDINGTERM(acquired, disposed) == term


def test_check_lists_every_problem() -> None:
    rows = sample_rows()
    assert CHECK(rows) == [["OK"]]
    bad = [*rows, ["X1", "2026-03-01", "Sell", "BTC", "50", "1", "", "Kraken"], ["X2", "2026-03-02", "Swap", "BTC"]]
    # one pass: row 26's own errors; row 25's BTC sale waits for row 26, which names BTC too
    assert [row[0] for row in CHECK(bad)] == [
        "Transactions row 26, Type: unknown type 'Swap': write one of Buy, Sell, Trade, Spend, Transfer, Income, "
        "Staking, Mining, Airdrop, Interest",
        "Transactions row 26, Quantity: the quantity is missing: write the number of units, e.g. 0.5",
        "Transactions row 26, Wallet: the wallet is missing: name the exchange or wallet that holds the units",
        "(the holdings of BTC are checked once the rows above with errors are fixed: they may depend on them)"]
    # a row with errors for another asset: the BTC shortfall is found in the same pass
    other = [*bad[:-1], ["X2", "2026-03-02", "Buy", "DOGE", "x", "1", "", "Kraken"]]
    assert [row[0] for row in CHECK(other)] == [
        "Transactions row 25, Quantity: sells 50 BTC from 'Kraken' on 2026-03-01 but 0 are held there",
        "Transactions row 26, Quantity: expected a number, found 'x'"]
    assert CHECK(bad[:-1]) == [
        ["Transactions row 25, Quantity: sells 50 BTC from 'Kraken' on 2026-03-01 but 0 are held there"]]


def test_user_mistakes_show_as_short_messages() -> None:
    rows = sample_rows()
    short = [*rows, ["X1", "2026-03-01", "Sell", "BTC", "50", "1", "", "Kraken"]]
    assert GAINLOSS(short, 2026) == ("Transactions row 25, Quantity: sells 50 BTC from 'Kraken' on 2026-03-01 but "
                                     "0 are held there")
    assert LOTS(short) == [["Transactions row 25, Quantity: sells 50 BTC from 'Kraken' on 2026-03-01 but 0 are held "
                            "there"]]
    assert COSTBASIS(rows, "BTCC") == "asset: BTCC is not in the Transactions table"
    assert GAINLOSS(rows, "twenty") == "year: expected a number, found 'twenty'"
    assert GAINLOSS(rows, 2026, "medium") == "term: 'medium' is not a term: write short, long or all"
    assert TAXSUMMARY(rows, 2025, [["Method", "BEST"]]) == [
        ["Settings 'Method': unknown method 'BEST': use FIFO, LIFO, HIFO, LOFO or SPECIFIC"]]
    assert GAINLOSS([["Date", "Kind", "Asset"]], 2025) == ("Transactions row 1: the header lacks the column(s) Type, "
                                                           "Quantity; found: Date, Kind, Asset")


def test_unexpected_errors_are_logged_not_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = tmp_path / "addin.log"
    monkeypatch.setattr(convert, "LOG_PATH", log)
    monkeypatch.setattr(convert, "_log", convert.logging.getLogger("cryptotax.addin.test"))

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(computed_module, "compute_with_checkpoints", broken)
    text = GAINLOSS(sample_rows(), 2025)
    assert text == f"cryptotax: internal error in GAINLOSS (details in {log})"
    assert "Traceback" not in text
    assert "RuntimeError: disk on fire" in log.read_text()


def test_in_xlwings_lite_the_detail_goes_to_its_output_pane(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """In the browser there is no log file to open: the traceback goes to stderr, which Lite shows."""
    monkeypatch.setattr(convert, "IN_BROWSER", True)
    monkeypatch.setattr(convert, "LOG_PATH", Path("/nonexistent/addin.log"))
    monkeypatch.setattr(convert, "_log", convert.logging.getLogger("cryptotax.addin.lite-test"))

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("no disk in a browser")

    monkeypatch.setattr(computed_module, "compute_with_checkpoints", broken)
    assert LOTS(sample_rows()) == [["cryptotax: internal error in LOTS (details in the xlwings Lite output pane)"]]
    err = capsys.readouterr().err
    assert "cryptotax: LOTS failed" in err and "Traceback" in err and "RuntimeError: no disk in a browser" in err
    assert not Path("/nonexistent/addin.log").exists()


def counted_computes(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """A list that grows by one each time a table's history is computed."""
    calls: list[None] = []
    real = computed_module.compute_with_checkpoints

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(computed_module, "compute_with_checkpoints", counting)
    return calls


def test_many_cells_over_one_table_compute_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted_computes(monkeypatch)
    rows = sample_rows()
    for _ in range(50):  # xlwings builds new lists for every call
        copy = [list(row) for row in rows]
        GAINLOSS(copy, 2026)
        LOTS(copy)
        TAXSUMMARY(copy, 2025)
    assert calls == [None]
    rows[3][4] = "0.06"  # one cell changes: computed again
    GAINLOSS(rows, 2026)
    assert calls == [None, None]


SETTINGS = [["Filing status", "single"], ["Other income 2025", 85000.0], [None, 1.0]]


@pytest.mark.parametrize(("cells", "row_index", "column", "before", "after"), [
    ("table", 1, "Quantity", 10.0, 11.0),
    ("table", 12, "USD Value", 60000.0, 60001.0),
    ("table", 23, "Note", None, "closing sale"),
    ("table", 0, "Note", "Note", "Notes"),
    ("table", 8, "Quantity", 0.5, 0.5 + 1e-12),
    ("table", 1, "Fee USD", None, 0),
    ("table", 1, "Note", "2000", 2000.0),
    ("table", 19, "Quantity", 1.0, True),     # equal in Python (True == 1), not in a cell
    ("table", 1, "Fee USD", 0.0, False),
    ("table", 1, "Note", True, 1.0),
    ("settings", 1, 1, 85000.0, 85000.0 + 1e-9),
    ("settings", 0, 1, "single", "mfj"),
    ("settings", 2, 1, 1.0, True),
], ids=["first-row", "middle-row", "last-row", "header", "float-by-1e-12", "none-to-0", "text-to-number",
        "1-to-TRUE", "0-to-FALSE", "TRUE-to-1", "settings-value", "settings-text", "settings-1-to-TRUE"])
def test_any_changed_cell_is_a_new_table(cells: str, row_index: int, column: str | int, before: Any,
                                         after: Any) -> None:
    """The cache compares every cell of the table and of the settings: one changed cell, wherever it is and however
    small the change, is a new table, and the unchanged cells still find theirs."""
    table = as_classic_excel(sample_rows())

    def with_cell(value: Any) -> tuple[list[list[Any]], list[list[Any]]]:
        rows, settings = [list(row) for row in table], [list(row) for row in SETTINGS]
        if cells == "table":
            rows[row_index][table[0].index(column)] = value
        else:
            settings[row_index][int(column)] = value
        return rows, settings

    book = convert.book_for(*with_cell(before))
    assert convert.book_for(*with_cell(before)) is book
    assert convert.book_for(*with_cell(after)) is not book
    assert convert.book_for(*with_cell(before)) is book


def test_changed_cells_give_new_answers() -> None:
    rows = as_classic_excel(sample_rows())
    assert (GAINLOSS(rows, 2026), LOTS(rows, "ETH")[1][4]) == (27171.5, 0.05)
    changed = [list(row) for row in rows]
    changed[19][4] = True  # BTC-S1 sells 1 BTC: TRUE compares equal to 1.0
    assert GAINLOSS(changed, 2026) == "Transactions row 20, Quantity: expected a number, found True"
    changed = [list(row) for row in rows]
    changed[4][4] = 0.05 + 1e-12  # ETH-ST1's staking reward, still held
    assert LOTS(changed, "ETH")[1][4] == 0.05 + 1e-12


def test_one_table_with_two_settings_ranges_is_computed_once_for_each(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted_computes(monkeypatch)
    rows = sample_rows()
    for _ in range(10):
        assert GAINLOSS([list(row) for row in rows], 2026) == 27171.5
        assert GAINLOSS([list(row) for row in rows], 2026, None, None, [list(row) for row in SETTINGS]) == 27171.5
    assert calls == [None, None]


def test_every_function_and_argument_has_help_text() -> None:
    """Excel shows the docstring and each argument's doc, @cell(name, doc) or @cells(name, doc), in the function
    wizard (tests/test_officejs.py checks the metadata xlwings makes of them)."""
    folder = Path(__file__).parents[1] / "addin"
    functions = {node.name: node for name in ("table_functions", "tax_functions", "planning_functions")
                 for node in ast.parse((folder / f"{name}.py").read_text()).body if isinstance(node, ast.FunctionDef)}
    for function in FUNCTIONS:
        node = functions[function.__name__]
        assert ast.get_docstring(node), function.__name__
        documented = {ast.literal_eval(call.args[0]) for call in node.decorator_list
                      if isinstance(call, ast.Call) and getattr(call.func, "id", "") in ("cell", "cells")
                      and len(call.args) == 2}
        assert documented == {parameter.arg for parameter in node.args.args}, function.__name__
