"""Fuzzing the readers: random tables, random bytes and damaged workbooks. The only outcomes allowed are a
result or a clear input error (`InputError` naming where); any other exception is a bug. Budgets are
bounded (max_examples) so the whole file runs in well under a minute."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import addin.convert as convert
from addin.functions import CHECK
from cryptotax_cli.workbook import WorkbookTable, read_workbook
from cryptotax_core import COLUMNS, InputError, Method, Pooling, Settings, TransferFee, compute, parse_table
from cryptotax_core.csvio import parse_csv_bytes
from cryptotax_core.imports import FORMATS, import_bytes
from cryptotax_core.summary import summarize
from cryptotax_core.tax import tax_years
from cryptotax_core.values import EXCEL_ERRORS
from workbook_templates.build import SHIPPED

# derandomize: the same examples on every run, so a failure is reproducible and the suite is stable
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ZONE = Settings().zone()

# -- cells: plausible values for each column, mixed with junk of every kind a spreadsheet can hold --------
junk = st.one_of(
    st.none(), st.just(""), st.just("   "), st.booleans(), st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, -1e-308, 5e-324, 0.0, -0.0]),
    st.text(max_size=12), st.sampled_from(sorted(EXCEL_ERRORS)),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["1e400", "1E-400", "-0", "$1,234.50", "1,2,3", "0x10", "١٢", "NaN", "inf", "+5", ".", "$",
                     "=1+1", "@SUM(A1)", "2025-02-30", "3/14", "2025", "2025-01-01T10:00:00+25:00", "\x00",
                     "B1:", "B1:-1", ":", ",,,", "B1:1e400"]),
)
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 11, 30))
moments = st.one_of(
    days.map(str), days,
    st.builds(lambda day, minutes, offset: (datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes))
              .isoformat() + offset, days, st.integers(0, 1439), st.sampled_from(["", "Z", "+02:00", "-05:00"])),
    st.integers(43466, 46000),  # Excel serials 2019-01-01 .. 2025-12-08
)
quantities = st.one_of(st.decimals(min_value="0.000000000000000001", max_value="1000", places=18).map(str),
                       st.sampled_from(["1", "0.5", "2", "0.1", "10"]), st.floats(0.001, 100))
amounts = st.one_of(st.decimals(min_value=0, max_value=100_000, places=2).map(str), st.floats(0, 1e6),
                    st.just(""))
assets = st.sampled_from(["BTC", "ETH", "btc", "SOL", "AAPL", ""])
wallets = st.sampled_from(["Coinbase", "Kraken", "kraken", "Ledger", ""])
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "ID": st.sampled_from(["B1", "B2", "S1", "T1", "", "X"]),
    "Date": moments,
    "Type": st.sampled_from(["Buy", "Sell", "Trade", "Spend", "Transfer", "Income", "Staking", "Mining", "Airdrop",
                             "Interest", "buy", "SELL"]),
    "Asset": assets, "Quantity": quantities, "USD Value": amounts, "Fee USD": amounts, "Wallet": wallets,
    "To Wallet": wallets, "Received Asset": assets, "Received Quantity": st.one_of(quantities, st.just("")),
    "Lot IDs": st.sampled_from(["", "B1", "B2", "B1:0.5", "B1, B2", "B1:0.5, B2:0.25", "S1", "nope"]),
    "Class": st.sampled_from(["", "Crypto", "Stock", "stock"]),
    "Broker Reported": st.sampled_from(["", "None", "Proceeds", "Basis"]),
    "Note": st.text(max_size=20),
}


def cell(column: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(column, junk)
    return st.one_of(plausible, plausible, plausible, junk)  # three in four plausible, so rows reach the engine


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Any], list[list[Any]]]:
    required = ["Date", "Type", "Asset", "Quantity"]
    optional = draw(st.lists(st.sampled_from([c for c in COLUMNS if c not in required]), unique=True))
    header: list[Any] = draw(st.permutations(required + optional))
    if draw(st.booleans()):
        header = [*header, draw(st.one_of(junk, st.just("Extra")))]  # a column nobody knows
    if draw(st.integers(0, 9)) == 0:
        header = [draw(junk) if index == 0 else name for index, name in enumerate(header)]  # a broken header
    rows = draw(st.lists(st.tuples(*[cell(str(name)) for name in header]).map(list), max_size=8))
    if rows and draw(st.booleans()):
        rows[draw(st.integers(0, len(rows) - 1))] = draw(st.lists(junk, max_size=len(header) + 2))  # ragged
    return header, rows


@st.composite
def near_valid_tables(draw: st.DrawFn) -> tuple[list[Any], list[list[Any]]]:
    """Histories that mostly validate, so the engine runs: each row filled as its type wants (dates
    ascending, Lot IDs naming earlier acquisitions of the asset), then a few cells replaced by junk."""
    header = draw(st.permutations(list(COLUMNS)))
    rows: list[list[Any]] = []
    acquired: dict[str, list[str]] = {"BTC": [], "ETH": []}
    day = date(2023, 6, 1)
    for index in range(draw(st.integers(1, 12))):
        day += timedelta(days=draw(st.integers(0, 200)))
        tx_type = draw(st.sampled_from(["Buy", "Buy", "Buy", "Sell", "Sell", "Trade", "Spend", "Transfer", "Staking",
                                        "Income"]))
        wallet = draw(st.sampled_from(["Coinbase", "Kraken"]))
        asset = draw(st.sampled_from(["BTC", "ETH"]))
        disposal = tx_type in ("Sell", "Trade", "Spend", "Transfer")
        quantity = draw(st.sampled_from(["0.1", "0.25", "0.333333333333333333", "1"] if disposal
                                        else ["2", "1.5", "0.000000000000000001"]))
        values: dict[str, Any] = {
            "ID": f"R{index}", "Type": tx_type, "Asset": asset, "Quantity": quantity, "Wallet": wallet,
            "Date": draw(st.sampled_from([day, day.isoformat(), f"{day}T23:30:00-05:00",
                                          f"{day.month}/{day.day}/{day.year}"])),
            "USD Value": "" if tx_type == "Transfer" else draw(st.sampled_from(["100", "2500.50", "0.01", "99999"])),
            "Fee USD": draw(st.sampled_from(["", "0", "1.25"])),
        }
        if tx_type == "Transfer":
            values["To Wallet"] = "Kraken" if wallet == "Coinbase" else "Coinbase"
            values["Received Quantity"] = draw(st.sampled_from(["", quantity, str(Decimal(quantity) * 9 / 10)]))
        if tx_type == "Trade":
            values["Received Asset"] = "ETH" if asset == "BTC" else "BTC"
            values["Received Quantity"] = draw(st.sampled_from(["3", "0.5"]))
        if disposal and acquired[asset] and draw(st.booleans()):
            lot = draw(st.sampled_from(acquired[asset]))
            values["Lot IDs"] = draw(st.sampled_from([lot, f"{lot}:0.1", f"{lot}:{quantity}"]))
        if tx_type in ("Buy", "Staking", "Income"):
            acquired[asset].append(f"R{index}")
        elif tx_type == "Trade":
            acquired[values["Received Asset"]].append(f"R{index}")
        rows.append([values.get(str(name), "") for name in header])
    for _ in range(draw(st.integers(0, 2))):
        cells = rows[draw(st.integers(0, len(rows) - 1))]
        cells[draw(st.integers(0, len(cells) - 1))] = draw(junk)
    return header, rows


engine_settings = st.builds(Settings, method=st.sampled_from(list(Method)), pooling=st.sampled_from(list(Pooling)),
                            transfer_fee=st.sampled_from(list(TransferFee)), allow_shortfall=st.booleans())


def result_or_input_error(action: Callable[[], object]) -> object | None:
    """Run `action`; an `InputError` is fine if every issue says where (a row, or the table) and what."""
    try:
        return action()
    except InputError as error:
        assert error.issues
        assert all(issue.row >= 0 and issue.message for issue in error.issues)
        return None


@FUZZ
@given(st.one_of(tables(), near_valid_tables()), engine_settings)
def test_random_tables_compute_or_say_why(table: tuple[list[Any], list[list[Any]]], chosen: Settings) -> None:
    header, rows = table

    def run() -> object:
        parsed = parse_table(header, rows, zone=chosen.zone(), today=TODAY)
        result = compute(parsed.transactions, chosen, parsed.warnings)
        summarize(result)
        tax_years(result)
        return result

    result_or_input_error(run)


@FUZZ
@given(st.one_of(tables(), near_valid_tables()))
def test_random_tables_in_excel_check(table: tuple[list[Any], list[list[Any]]]) -> None:
    """CHECK answers with the problems or OK, never with the add-in's notice of an internal error."""
    convert.clear_cache()
    header, rows = table
    answer = CHECK([header, *rows])
    assert isinstance(answer, list) and answer and all(isinstance(line[0], str) for line in answer)
    assert not answer[0][0].startswith("cryptotax: internal error"), answer


# -- CSV bytes ----------------------------------------------------------------------------------------
csv_texts = st.builds(
    lambda header, lines, separator, ending: ending.join(
        separator.join(fields) for fields in [header, *lines]).encode("utf-8"),
    st.permutations(["Date", "Type", "Asset", "Quantity", "USD Value", "Wallet", "Lot IDs"]),
    st.lists(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(['"', '"a,b"', '2025-01-01', 'Buy', 'BTC', '1',
                                                                       '""', '\r', '\n'])), max_size=8), max_size=6),
    st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]),
)


@FUZZ
@given(st.one_of(st.binary(max_size=400), csv_texts, csv_texts.map(lambda data: b"\xef\xbb\xbf" + data)))
def test_random_bytes_as_csv(data: bytes) -> None:
    def run() -> object:
        header, rows = parse_csv_bytes(data)
        return compute(parse_table(header, rows, zone=ZONE, today=TODAY).transactions)

    result_or_input_error(run)


# -- workbooks ----------------------------------------------------------------------------------------
def small_workbook() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Transactions")
    for index, cells in enumerate([["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Wallet"],
                                   ["B1", "2025-01-05", "Buy", "BTC", 1, 40000, "Coinbase"],
                                   ["S1", "2025-03-01", "Sell", "BTC", 0.5, 30000, "Coinbase"]]):
        sheet.write_row(index, 0, cells)
    book.close()
    return buffer.getvalue()


SMALL = small_workbook()
TEMPLATE = SHIPPED.read_bytes()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_and_parse(folder: Path, data: bytes) -> None:
    path = folder / "fuzzed.xlsx"
    path.write_bytes(data)

    def run() -> object:
        table = read_workbook(path)
        assert isinstance(table, WorkbookTable)
        return parse_table(table.header, table.rows, zone=ZONE, first_row=table.first_row, today=TODAY)

    result_or_input_error(run)


@FILES
@given(st.binary(max_size=2000))
def test_random_bytes_as_a_workbook(folder: Path, data: bytes) -> None:
    read_and_parse(folder, data)


@FILES
@given(st.sampled_from([SMALL, TEMPLATE]), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1,
                                                    max_size=8), st.floats(0.5, 1))
def test_workbooks_with_damaged_bytes(folder: Path, original: bytes, flips: list[tuple[float, int]],
                                      keep: float) -> None:
    data = bytearray(original)
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    read_and_parse(folder, bytes(data[: max(1, int(len(data) * keep))]))


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


SMALL_PARTS = parts_of(SMALL)
XML_SNIPPETS = [b"<", b">", b"&", b"&amp;", b"<c r=\"A1\" t=\"s\"><v>99</v></c>", b"<v>1e999</v>", b"</row>",
                b"<row r=\"1048577\">", b"t=\"e\"", b"<v>#N/A</v>", b"\x00", b"\xff", b"<!DOCTYPE x>", b"r=\"XFE1\"",
                b"<definedName name=\"Settings\">Nowhere!$A$1:$B$2</definedName>"]


@FILES
@given(st.sampled_from(sorted(SMALL_PARTS)), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40),
                                                                st.sampled_from(XML_SNIPPETS)), min_size=1, max_size=4))
def test_workbooks_with_damaged_xml(folder: Path, part: str, edits: list[tuple[float, int, bytes]]) -> None:
    """Edits inside a part, zipped again with good checksums, reach openpyxl's XML parsing."""
    content = bytearray(SMALL_PARTS[part])
    for where, cut, snippet in edits:
        at = int(where * len(content))
        content[at:at + cut] = snippet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, original in SMALL_PARTS.items():
            archive.writestr(name, bytes(content) if name == part else original)
    read_and_parse(folder, buffer.getvalue())


def test_the_workbooks_fuzzed_are_good_before_damage(folder: Path) -> None:
    """The mutations start from workbooks that read: the small one and the shipped template."""
    for data, rows in ((SMALL, 2), (TEMPLATE, 0)):
        path = folder / "good.xlsx"
        path.write_bytes(data)
        table = read_workbook(path)
        assert table.header[:3] == ["ID", "Date", "Type"]
        assert len([cells for cells in table.rows if any(cell is not None for cell in cells)]) == rows



# -- the importers ------------------------------------------------------------------------------------
FIXTURES = {path.name: path.read_bytes()
            for path in sorted((Path(__file__).parent / "fixtures" / "imports").glob("*.csv"))}
FIXTURE_FORMATS = {name: import_bytes(data).format for name, data in FIXTURES.items()}
SOURCE_SNIPPETS = [b"", b",", b"\n", b'"', b"-", b"0", b"9e999", b"NaN", b"x", b"\xff", b"2025-13-45", b"=1+1",
                   b"1,000", b"-0", b"\r", b"\x00"]


def imported_or_input_error(data: bytes, fmt: str | None) -> None:
    def run() -> object:
        imported = import_bytes(data, fmt)
        assert all(set(row) <= set(COLUMNS) for row in imported.rows)
        return imported

    result_or_input_error(run)


@FUZZ
@given(st.binary(max_size=500), st.sampled_from([None, *FORMATS]))
def test_random_bytes_into_the_importers(data: bytes, fmt: str | None) -> None:
    imported_or_input_error(data, fmt)


@FUZZ
@given(st.sampled_from(sorted(FIXTURES)), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 10),
                                                             st.sampled_from(SOURCE_SNIPPETS)), min_size=1, max_size=5),
       st.booleans())
def test_damaged_exchange_files_into_the_importers(name: str, edits: list[tuple[float, int, bytes]],
                                                   detect: bool) -> None:
    """The exchange fixtures with bytes replaced: a result or a message naming the line and column."""
    data = bytearray(FIXTURES[name])
    for where, cut, snippet in edits:
        at = int(where * len(data))
        data[at:at + cut] = snippet
    imported_or_input_error(bytes(data), None if detect else FIXTURE_FORMATS[name])


@FUZZ
@given(st.sampled_from(sorted(FIXTURES)), st.data())
def test_exchange_files_with_lines_dropped_or_repeated(name: str, data: st.DataObject) -> None:
    lines = FIXTURES[name].split(b"\n")
    kept = data.draw(st.lists(st.sampled_from(range(len(lines))), max_size=len(lines) + 3))
    imported_or_input_error(b"\n".join(lines[index] for index in kept), None)


def test_the_importers_fuzzed_read_their_fixtures() -> None:
    """The mutations start from files every importer reads without error."""
    assert sorted(FIXTURES) == ["binanceus.csv", "coinbase-2025.csv", "coinbase-advanced.csv", "coinbase-us-2019.csv",
                                "coinbase.csv", "cryptocom.csv", "gemini-excel.csv", "gemini.csv", "generic.csv",
                                "kraken-ledgers.csv", "kraken-trades.csv", "robinhood.csv"]
    for data in FIXTURES.values():
        assert import_bytes(data).rows
