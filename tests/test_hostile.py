"""Hostile files and paths: XML entity expansion, zip bombs, files that are no workbook, and output paths
that must write exactly where asked (and nowhere else)."""

from __future__ import annotations

import csv
import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl.xml.functions
import pytest
import xlsxwriter
from defusedxml import EntitiesForbidden

import cryptotax_cli.workbook as workbook
from cryptotax_cli.main import main
from cryptotax_cli.workbook import read_workbook
from cryptotax_core import InputError
from cryptotax_core.imports import import_bytes
from cryptotax_core.samples import SAMPLE_HISTORY

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
RESAVE = "if you trust the file, open it in Excel and save it as a new workbook"
LAUGHS = ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
          + "".join(f"<!ENTITY lol{n} \"{('&lol' + (str(n - 1) if n > 1 else '') + ';') * 10}\">" for n in range(1, 10))
          + "]>")  # &lol9; expands to 10^9 'lol': 3 GB of text from a few hundred bytes


def small_workbook() -> bytes:
    """A valid workbook as XlsxWriter writes it (text in shared strings, as Excel does): a Transactions
    sheet with a header, a buy and a sale."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Transactions")
    for index, row in enumerate([
        ["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Wallet", "Note"],
        ["B1", "2025-01-05", "Buy", "BTC", 1, 40000, "Coinbase", "<!DOCTYPE html> is only text here"],
        ["S1", "2025-03-01", "Sell", "BTC", 0.5, 30000, "Coinbase"],
    ]):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_doctype(xml: bytes, doctype: str, reference: bytes | None = None) -> bytes:
    """The part with `doctype` after its XML declaration and, if given, `reference` as the first text value."""
    declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    xml = xml[:declaration_end] + doctype.encode() + xml[declaration_end:]
    if reference is not None:
        xml = xml.replace(b"<t>ID</t>", b"<t>" + reference + b"</t>", 1)
    return xml


def patched(data: bytes, member: str, *, size: int | None = None, flags: int | None = None) -> bytes:
    """The archive with the central directory entry of `member` claiming another uncompressed size or flag
    bits (APPNOTE.TXT 4.3.12: flags at offset 8, uncompressed size at 24, name length at 28)."""
    out = bytearray(data)
    start = out.find(b"PK\x01\x02")
    while start >= 0:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        if out[start + 46:start + 46 + name_length].decode() == member:
            if size is not None:
                struct.pack_into("<I", out, start + 24, size)
            if flags is not None:
                struct.pack_into("<H", out, start + 8, flags)
            return bytes(out)
        start = out.find(b"PK\x01\x02", start + 46)
    raise AssertionError(f"{member} is not in the archive")


def refused(tmp_path: Path, data: bytes, name: str = "book.xlsx") -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_workbook(path)
    return [str(issue) for issue in error.value.issues]


# -- XML entity expansion ------------------------------------------------------------------------------
def test_the_small_workbook_is_read(tmp_path: Path) -> None:
    """The base of the hostile variants below is a good workbook (and a Note that merely mentions a DOCTYPE
    is text, not a declaration)."""
    path = tmp_path / "good.xlsx"
    path.write_bytes(small_workbook())
    table = read_workbook(path)
    assert table.header[:4] == ["ID", "Date", "Type", "Asset"]
    assert [row[0] for row in table.rows] == ["B1", "S1"]
    assert table.rows[0][7] == "<!DOCTYPE html> is only text here"


def test_billion_laughs_in_a_sheet_is_refused_quickly_and_small(tmp_path: Path) -> None:
    parts = parts_of(small_workbook())
    parts[SHEET] = with_doctype(parts[SHEET], LAUGHS).replace(b"<v>40000</v>", b"<v>&lol9;</v>")
    tracemalloc.start()
    try:
        issues = refused(tmp_path, zipped(parts), "bomb.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert issues == [f"table: bomb.xlsx is refused: its part {SHEET} has an XML document type declaration "
                      f"(<!DOCTYPE>, where entities are defined), which Excel never writes; {RESAVE}"]
    assert peak < 20_000_000  # bytes traced while refusing: nothing of the 3 GB expansion was built


def test_one_harmless_entity_is_refused_too(tmp_path: Path) -> None:
    """Excel never writes a DOCTYPE, so any is refused, not only an expansion too big for the parser."""
    parts = parts_of(small_workbook())
    parts[STRINGS] = with_doctype(parts[STRINGS], '<!DOCTYPE sst [<!ENTITY a "ID">]>', b"&a;")
    assert refused(tmp_path, zipped(parts)) == [
        f"table: book.xlsx is refused: its part {STRINGS} has an XML document type declaration (<!DOCTYPE>, "
        f"where entities are defined), which Excel never writes; {RESAVE}"]


def test_a_doctype_behind_a_long_prolog_or_in_utf16_is_found(tmp_path: Path) -> None:
    """The prolog is read to its end whatever its length (comments and processing instructions across
    read chunks), and in UTF-16 as well as UTF-8."""
    parts = parts_of(small_workbook())
    padding = "<!-- " + "x" * 200_000 + " -->\n<?cryptotax a processing instruction ?>\n"
    parts[SHEET] = with_doctype(parts[SHEET], padding + LAUGHS)
    assert "its part xl/worksheets/sheet1.xml has an XML document type declaration" in refused(
        tmp_path, zipped(parts))[0]
    parts = parts_of(small_workbook())
    text = with_doctype(parts[STRINGS], LAUGHS, b"&lol9;").decode("utf-8").replace('encoding="UTF-8"',
                                                                                   'encoding="UTF-16"')
    parts[STRINGS] = text.encode("utf-16")
    assert "its part xl/sharedStrings.xml has an XML document type declaration" in refused(
        tmp_path, zipped(parts))[0]


def test_defusedxml_guards_what_the_prolog_check_might_miss(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl parses with defusedxml when it is installed (openpyxl/xml/functions.py; its README:
    "To guard against these attacks install defusedxml"), which refuses entity declarations."""

    assert openpyxl.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")
    parts = parts_of(small_workbook())
    parts[STRINGS] = with_doctype(parts[STRINGS], LAUGHS, b"&lol9;")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zipped(parts))
    with pytest.raises(ValueError) as error:  # openpyxl alone, without our check
        openpyxl.load_workbook(path, read_only=True)
    assert isinstance(error.value.__cause__, EntitiesForbidden)
    monkeypatch.setattr(workbook, "_declares_doctype", lambda archive, part: False)
    with pytest.raises(InputError) as error:
        read_workbook(path)
    assert [str(issue) for issue in error.value.issues] == [
        f"table: bomb.xlsx is refused: it defines XML entities (EntitiesForbidden), which Excel never writes; "
        f"{RESAVE}"]


# -- zip bombs and archives that are no workbook ----------------------------------------------------
def test_a_part_compressed_like_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    parts = parts_of(small_workbook()) | {"xl/media/zeros.bin": bytes(2_000_000)}
    data = zipped(parts)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/zeros.bin")
    ratio = info.file_size // info.compress_size
    assert ratio > 200  # zlib packs 2 MB of zeros into about 2 KB
    assert refused(tmp_path, data) == [
        f"table: book.xlsx is refused: its part xl/media/zeros.bin is compressed {ratio:,} times (a workbook's "
        f"parts: under 200), as in a zip bomb"]


def test_a_part_declared_too_large_is_refused_before_anything_is_unpacked(tmp_path: Path) -> None:
    data = patched(small_workbook(), SHEET, size=1_500_000_000)
    assert refused(tmp_path, data) == [
        f"table: book.xlsx is refused: its part {SHEET} unpacks to 1,500,000,000 bytes, more than the "
        f"1,000,000,000 accepted"]


def test_limits_on_the_total_and_the_number_of_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = small_workbook()
    total = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    count = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(workbook, "MAX_TOTAL_BYTES", total - 1)
    assert refused(tmp_path, data) == [
        f"table: book.xlsx is refused: its parts unpack to {total:,} bytes, more than the {total - 1:,} accepted"]
    monkeypatch.setattr(workbook, "MAX_PARTS", count - 1)
    assert refused(tmp_path, data) == [
        f"table: book.xlsx is refused: it has {count} parts, more than the {count - 1} accepted"]


def test_a_part_whose_declared_size_is_a_lie_is_damage_not_a_bomb(tmp_path: Path) -> None:
    """zipfile inflates no more than the declared size and then fails the CRC check."""
    data = patched(small_workbook(), SHEET, size=40)
    [issue] = refused(tmp_path, data)
    assert issue.startswith("table: cannot read book.xlsx: it is damaged (")
    assert issue.endswith("); open it in Excel and save it as a new workbook")


def test_an_encrypted_part(tmp_path: Path) -> None:
    assert refused(tmp_path, patched(small_workbook(), SHEET, flags=0x1)) == [
        f"table: cannot read book.xlsx: its part {SHEET} is encrypted; save the workbook without a password"]


NOT_A_ZIP = ("table: cannot read book.xlsx: it is not an .xlsx or .xlsm workbook (those are zip archives); if it is "
             "an old .xls file, a password-protected workbook or a CSV file renamed, save it from Excel as .xlsx "
             "or as CSV UTF-8")


@pytest.mark.parametrize("data", [
    b"ID,Date,Type,Asset,Quantity,USD Value\nB1,2025-01-05,Buy,BTC,1,40000\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),   # the OLE2 header of .xls and of encrypted .xlsx
    b"",
    b"PK\x03\x04 a zip's first bytes and nothing else",
], ids=["csv", "ole2", "empty", "truncated-zip"])
def test_a_file_that_is_not_a_zip(tmp_path: Path, data: bytes) -> None:
    assert refused(tmp_path, data) == [NOT_A_ZIP]


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    assert refused(tmp_path, zipped({"notes.txt": b"hello"})) == [
        "table: cannot read book.xlsx: it is a zip archive but not an Excel workbook (it has no "
        "[Content_Types].xml); choose the .xlsx or .xlsm file itself"]
    [issue] = refused(tmp_path, zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"garbage"}))
    assert issue.startswith("table: cannot read book.xlsx: it is damaged (")


def test_a_folder_or_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(InputError) as error:
        read_workbook(tmp_path / "folder.xlsx")
    assert str(error.value) == "table: cannot read folder.xlsx: Is a directory"
    with pytest.raises(InputError) as error:
        read_workbook(tmp_path / "missing.xlsx")
    assert str(error.value) == "table: cannot read missing.xlsx: No such file or directory"


def test_the_command_line_reports_a_hostile_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = parts_of(small_workbook())
    parts[SHEET] = with_doctype(parts[SHEET], LAUGHS)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zipped(parts))
    assert main(["report", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"cryptotax: {path} cannot be computed; fix these and run again:",
        f"  table: bomb.xlsx is refused: its part {SHEET} has an XML document type declaration (<!DOCTYPE>, "
        f"where entities are defined), which Excel never writes; {RESAVE}"]


# -- output paths ------------------------------------------------------------------------------------
def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_relative_output_path_resolves_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", "../x.csv"]) == 0
    assert listing(tmp_path) == ["work", "x.csv"]  # exactly the file asked for, no temporary file left
    # the sample's latest year, 2026: four disposals (MSFT, BTC, ETH, BTC) under a header
    assert len((tmp_path / "x.csv").read_text().splitlines()) == 5
    capsys.readouterr()


def test_an_existing_file_is_kept_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"the user's own file\n")
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(target)]) == 2
    assert capsys.readouterr().err == f"cryptotax: {target} exists: choose another name or add --force to replace it\n"
    assert target.read_bytes() == b"the user's own file\n"
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(target), "--force"]) == 0
    assert target.read_text().startswith("Box,")
    assert listing(tmp_path) == ["out.csv"]


def test_a_link_is_replaced_itself_never_written_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An output name that is a symbolic link, dangling or not, cannot make the report write elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.csv").write_bytes(b"kept\n")
    dangling, live = tmp_path / "dangling.csv", tmp_path / "live.csv"
    dangling.symlink_to(elsewhere / "created.csv")
    live.symlink_to(elsewhere / "kept.csv")
    for link in (dangling, live):
        assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(link)]) == 2
        assert capsys.readouterr().err.endswith("exists: choose another name or add --force to replace it\n")
    assert main(["report", str(SAMPLE_HISTORY), "--form8949", str(live), "--force"]) == 0
    assert listing(elsewhere) == ["kept.csv"]
    assert (elsewhere / "kept.csv").read_bytes() == b"kept\n"
    assert not live.is_symlink() and live.read_text().startswith("Box,")
    capsys.readouterr()


def clear_error(capsys: pytest.CaptureFixture[str], code: int, mentions: str) -> None:
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("cryptotax: ") and mentions in err
    assert "Traceback" not in err


def test_output_to_a_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    clear_error(capsys, main(["report", str(SAMPLE_HISTORY), "--form8949", str(folder)]), str(folder))
    clear_error(capsys, main(["report", str(SAMPLE_HISTORY), "--form8949", str(folder), "--force"]), str(folder))
    assert listing(tmp_path) == ["reports"]


def test_output_into_a_missing_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "x.csv"
    clear_error(capsys, main(["report", str(SAMPLE_HISTORY), "--form8949", str(target)]), "missing")
    assert listing(tmp_path) == []


def test_nothing_is_written_when_the_input_is_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n2025-01-01,Buy,BTC,one,100,Coinbase\n")
    assert main(["report", str(bad), "--form8949", str(tmp_path / "out.csv")]) == 2
    assert listing(tmp_path) == ["bad.csv"]
    capsys.readouterr()


def test_report_creates_nothing_next_to_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reading creates no lock or temporary file next to the input."""
    source = tmp_path / "history.csv"
    source.write_bytes(SAMPLE_HISTORY.read_bytes())
    assert main(["report", str(source), "--format", "json"]) == 0
    assert listing(tmp_path) == ["history.csv"]
    capsys.readouterr()


# -- formula text (CSV injection) -------------------------------------------------------------------------
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def test_formula_text_from_an_import_is_neutralized() -> None:
    """Text an exchange file brings in cannot run as a formula once the rows are opened in a spreadsheet."""
    data = (b'ID,Date,Type,Asset,Quantity,USD Value,Wallet,Note\n"=HYPERLINK(""http://example.invalid"",""click"")",'
            b"2025-01-05,Buy,BTC,1,40000,@SUM(1),+cmd|' /C calc'!A0\n")
    [imported] = import_bytes(data, "generic").rows
    assert (imported["ID"], imported["Wallet"], imported["Note"]) == ("'" + FORMULA, "'@SUM(1)", "'+cmd|' /C calc'!A0")


def test_formula_text_in_the_form_8949_csv_is_neutralized(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """IDs typed in the table reach the Form 8949 CSV (the ID and lot columns): a spreadsheet opening it must
    show them as text."""
    source = tmp_path / "history.csv"
    with source.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Wallet"])
        writer.writerow([FORMULA, "2025-01-05", "Buy", "BTC", "1", "40000", "Coinbase"])
        writer.writerow(["@SUM(1)", "2025-03-01", "Sell", "BTC", "1", "45000", "Coinbase"])
    form = tmp_path / "form8949.csv"
    assert main(["report", str(source), "--form8949", str(form)]) == 0
    capsys.readouterr()
    with form.open(newline="") as stream:
        [header, line] = list(csv.reader(stream))
    cells = dict(zip(header, line, strict=True))
    texts = [value for value in cells.values() if value.lstrip("'").startswith(("=", "@"))]
    assert sorted(texts) == sorted(["'" + FORMULA, "'@SUM(1)"])  # the sale's ID and the lot it used
