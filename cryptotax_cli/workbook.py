"""Reading the transaction table and the Settings range of a cryptotax workbook (read only).

A workbook is a zip of XML parts from whoever sent it, so it is checked before openpyxl opens it:
every part's size and compression ratio against limits (a zip bomb is refused before anything is
decompressed), and every XML part's prolog for a document type declaration (`<!DOCTYPE`, where entity
definitions live: the "billion laughs" expansion). Excel never writes one. openpyxl parses with
defusedxml (a dependency), which refuses entity definitions anywhere, as a second guard.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils.cell import range_boundaries

import cryptotax_cli
import cryptotax_core
from cryptotax_core import InputError, Issue

TRANSACTIONS_SHEET = "Transactions"
SETTINGS_NAME = "Settings"

# A full Transactions sheet (1,048,576 rows) takes 300-600 bytes of XML a row, about 630 MB; real
# parts compress 5 to 16 times (measured on openpyxl and XlsxWriter files, bench/generate.py rows).
MAX_PART_BYTES = 1_000_000_000  # uncompressed size of one part
MAX_TOTAL_BYTES = 2_000_000_000  # uncompressed size of all parts together
MAX_PARTS = 10_000
MAX_RATIO = 200  # uncompressed / compressed, for parts over RATIO_FROM_BYTES; deflate reaches ~1,000
RATIO_FROM_BYTES = 1_000_000
_CHUNK = 65_536
_DOCTYPE = "<!DOCTYPE"
_XML_SPACE = " \t\r\n"
_RESAVE = "open it in Excel and save it as a new workbook"


@dataclass(frozen=True, slots=True)
class WorkbookTable:
    header: list[object]
    rows: list[list[object]]
    first_row: int  # the sheet row of rows[0]
    settings: list[list[object]]  # the Settings range's label/value pairs ([] if the workbook has none)


def read_workbook(path: Path) -> WorkbookTable:
    """The Transactions sheet (header in its first non-empty row) and the named range Settings, as values.
    The file is opened read only and never written. A file that is not a workbook, is damaged or looks
    hostile raises `InputError` saying so."""
    path = Path(path)
    check_archive(path)
    try:
        with path.open("rb") as stream:  # closed here also when openpyxl fails halfway (it would leave it open)
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                sheets = list(book.sheetnames)
                lines = ([list(row) for row in book[TRANSACTIONS_SHEET].iter_rows(values_only=True)]
                         if TRANSACTIONS_SHEET in sheets else [])
                settings = _settings(book)
            finally:
                book.close()
    except Exception as exc:  # openpyxl reading a damaged file can fail in any of its modules
        if _raised_by_cryptotax(exc):
            raise  # a bug of ours between the openpyxl calls: an internal error, not a damaged file
        raise _unreadable(path, exc) from exc
    if TRANSACTIONS_SHEET not in sheets:
        raise _problem(f"{path.name} has no sheet named {TRANSACTIONS_SHEET}; its sheets: {', '.join(sheets)}")
    start = next((index for index, row in enumerate(lines) if any(cell is not None for cell in row)), None)
    if start is None:
        raise _problem(f"the {TRANSACTIONS_SHEET} sheet of {path.name} is empty")
    return WorkbookTable(lines[start], lines[start + 1:], start + 2, settings)


@dataclass(frozen=True, slots=True)
class SheetRows:
    """One sheet's cell values, from its first row (the sheet row of rows[0] is 1)."""

    sheet: str
    rows: list[list[object]]


def read_sheet(path: Path) -> SheetRows:
    """The cell values of a workbook an exchange gives (Gemini's .xlsx): its Transactions sheet when it has
    one (a cryptotax workbook), else its first sheet. Checked and opened as `read_workbook` does."""
    path = Path(path)
    check_archive(path)
    try:
        with path.open("rb") as stream:  # closed here also when openpyxl fails halfway
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                sheets = list(book.sheetnames)
                name = TRANSACTIONS_SHEET if TRANSACTIONS_SHEET in sheets else sheets[0]
                rows = [list(row) for row in book[name].iter_rows(min_row=1, min_col=1, values_only=True)]
            finally:
                book.close()
    except Exception as exc:  # openpyxl reading a damaged file can fail in any of its modules
        if _raised_by_cryptotax(exc):
            raise  # a bug of ours between the openpyxl calls: an internal error, not a damaged file
        raise _unreadable(path, exc) from exc
    return SheetRows(name, rows)


def check_archive(path: Path) -> None:
    """Refuse, before anything is decompressed, a file that is not a zip, a zip without the parts of a
    workbook, parts too large or compressed too well (a zip bomb), or a part whose XML prolog holds a
    DOCTYPE. Python's zipfile never inflates a part beyond the size its directory declares (it stops
    there and fails the CRC check), so the declared sizes bound what is read."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _problem(f"cannot read {name}: it is not an .xlsx or .xlsm workbook (those are zip archives); if "
                       f"it is an old .xls file, a password-protected workbook or a CSV file renamed, save it "
                       f"from Excel as .xlsx or as CSV UTF-8") from exc
    except OSError as exc:
        raise _problem(f"cannot read {name}: {exc.strerror or exc}") from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _problem(f"{name} is refused: it has {len(parts):,} parts, more than the {MAX_PARTS:,} accepted")
        if "[Content_Types].xml" not in archive.namelist():
            raise _problem(f"cannot read {name}: it is a zip archive but not an Excel workbook (it has no "
                           f"[Content_Types].xml); choose the .xlsx or .xlsm file itself")
        total = 0
        for part in parts:
            size = part.file_size
            total += size
            if size > MAX_PART_BYTES:
                raise _problem(f"{name} is refused: its part {part.filename} unpacks to {size:,} bytes, more "
                               f"than the {MAX_PART_BYTES:,} accepted")
            if size > RATIO_FROM_BYTES and size > MAX_RATIO * part.compress_size:
                raise _problem(f"{name} is refused: its part {part.filename} is compressed {_ratio(part)} times "
                               f"(a workbook's parts: under {MAX_RATIO}), as in a zip bomb")
            if part.flag_bits & 0x1:
                raise _problem(f"cannot read {name}: its part {part.filename} is encrypted; save the workbook "
                               f"without a password")
        if total > MAX_TOTAL_BYTES:
            raise _problem(f"{name} is refused: its parts unpack to {total:,} bytes, more than the "
                           f"{MAX_TOTAL_BYTES:,} accepted")
        for part in parts:
            if _declares_doctype(archive, part):
                raise _problem(f"{name} is refused: its part {part.filename} has an XML document type "
                               f"declaration (<!DOCTYPE>, where entities are defined), which Excel never writes; "
                               f"if you trust the file, {_RESAVE}")


def _declares_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether the part's XML prolog holds a `<!DOCTYPE`. Only the prolog is read: before the root
    element come just the XML declaration, comments, processing instructions and white space (XML 1.0,
    section 2.8). A part that is not XML answers at its first bytes; a damaged one is left to the parser."""
    pending = ""
    closing = ""  # the end of the comment or processing instruction being skipped
    try:
        with archive.open(part) as stream:
            for chunk in _decoded(stream):
                pending += chunk
                while True:
                    if closing:
                        end = pending.find(closing)
                        if end < 0:
                            pending = pending[1 - len(closing):]  # a mark may be cut between chunks
                            break
                        pending, closing = pending[end + len(closing):], ""
                    pending = pending.lstrip(_XML_SPACE)
                    if len(pending) < len(_DOCTYPE):
                        break  # too short to tell: read on
                    if pending.startswith(_DOCTYPE):
                        return True
                    if pending.startswith("<?"):
                        pending, closing = pending[2:], "?>"
                    elif pending.startswith("<!--"):
                        pending, closing = pending[4:], "-->"
                    else:
                        return False  # the root element, or what the parser will reject, starts here
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):  # damage: the parser says so
        pass
    return False


def _decoded(stream: IO[bytes]) -> Iterator[str]:
    """The part as text, by its byte-order mark or first characters (XML 1.0, appendix F): UTF-16, or
    UTF-8 (which reads the ASCII of any other encoding an XML parser accepts)."""
    chunk = stream.read(_CHUNK)
    head = chunk[:4]
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    elif head == b"<\x00?\x00":
        encoding = "utf-16-le"
    elif head == b"\x00<\x00?":
        encoding = "utf-16-be"
    else:
        encoding = "utf-8-sig"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    while chunk:
        yield decoder.decode(chunk)
        chunk = stream.read(_CHUNK)
    yield decoder.decode(b"", final=True)


def _raised_by_cryptotax(error: Exception) -> bool:
    """Whether `error` was raised in cryptotax's own code (its innermost frame), not in openpyxl, lxml,
    defusedxml or zipfile, which fail on a damaged file."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return False
    where = Path(frame.tb_frame.f_code.co_filename).resolve()
    return any(where.is_relative_to(folder) for folder in _OURS)


_OURS = tuple(Path(module.__file__ or "").resolve().parent for module in (cryptotax_cli, cryptotax_core))


def _unreadable(path: Path, error: Exception) -> InputError:
    """What to tell of an exception from openpyxl, which wraps its parser's errors: by the first cause."""
    chain = [error]
    while len(chain) < 10 and (cause := chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(cause)  # type: ignore[arg-type]
    defused = next((item for item in chain if isinstance(item, DefusedXmlException)), None)
    if defused is not None:
        return _problem(f"{path.name} is refused: it defines XML entities ({type(defused).__name__}), which Excel "
                        f"never writes; if you trust the file, {_RESAVE}")
    first = chain[-1]
    if isinstance(first, OSError) and first.errno is not None:
        return _problem(f"cannot read {path.name}: {first.strerror or first}")
    detail = str(first).strip().splitlines()[0] if str(first).strip() else "no detail"
    return _problem(f"cannot read {path.name}: it is damaged ({type(first).__name__}: {_clip(detail)}); {_RESAVE}")


def _ratio(part: zipfile.ZipInfo) -> str:
    return f"{part.file_size // part.compress_size:,}" if part.compress_size else "infinitely many"


def _problem(message: str) -> InputError:
    return InputError([Issue(0, "", message)])


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _settings(book: openpyxl.Workbook) -> list[list[object]]:
    defined = book.defined_names.get(SETTINGS_NAME)
    if defined is None:
        return []
    pairs: list[list[object]] = []
    for sheet_name, reference in defined.destinations:
        sheet = book[sheet_name]
        min_col, min_row, max_col, max_row = range_boundaries(reference.replace("$", ""))
        for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                   values_only=True):
            pairs.append(list(row))
    return pairs
