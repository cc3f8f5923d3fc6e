"""`cryptotax demo`: the whole job on the bundled sample history, written into one folder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from cryptotax_cli.errors import OptionError
from cryptotax_cli.files import OutputExists, write_atomically
from cryptotax_cli.report import Report, form8949_csv, render_json
from cryptotax_core import Result

DEMO_FOLDER = "cryptotax-demo"
SAMPLE_WORKBOOK = "cryptotax-sample.xlsx"
REPORT_WORKBOOK = "report.xlsx"


def today() -> date:
    """The day the demo runs (a function, so a test can fix it)."""
    return date.today()


def demo_year(result: Result, on: date | None = None) -> tuple[int, str]:
    """The year the demo details and why: the latest year with disposals that is over on `on` (default:
    today), else (all of them still running) the latest one."""
    years = sorted({disposal.tax_year for disposal in result.disposals})
    complete = [year for year in years if year < (on or today()).year]
    if complete and complete[-1] != years[-1]:
        return complete[-1], (f"the latest complete year ({years[-1]} is not over: cryptotax report --year "
                              f"{years[-1]} shows it)")
    if complete:
        return complete[-1], "the latest year with disposals"
    return years[-1], "the latest year with disposals, not over yet"


def demo_names(year: int) -> list[str]:
    """The files the demo writes for the report of `year`, in the order it lists them."""
    return [SAMPLE_WORKBOOK, REPORT_WORKBOOK, f"form8949-{year}.csv", f"report-{year}.json"]


def write_demo(folder: Path, report: Report, *, force: bool = False) -> list[Path]:
    """Write into `folder` (created if missing) the template workbook filled with the sample history, the report
    workbook, the Form 8949 CSV and the JSON report of `report`; return their paths. Without `force` nothing is
    written when one of them exists."""
    if folder.exists() and not folder.is_dir():
        raise OptionError(f"{folder} is a file, not a folder: choose another --out")
    paths = [folder / name for name in demo_names(report.year)]
    _refuse_existing(paths, force, "folder")  # before the minute of work: nothing is built or written
    from cryptotax_cli.report_workbook import report_workbook  # XlsxWriter and the add-in load only for this
    from workbook_templates.build import template_bytes

    contents = [template_bytes(with_sample=True), report_workbook(report), form8949_csv(report).encode("utf-8"),
                (render_json(report) + "\n").encode("utf-8")]
    folder.mkdir(parents=True, exist_ok=True)
    write_all(list(zip(paths, contents, strict=True)), force=force)
    return paths


def write_all(files: Sequence[tuple[Path, bytes]], *, force: bool = False, keep: Sequence[Path] = ()) -> None:
    """Write each (path, data) atomically, after checking every path first, so a refusal leaves nothing
    half-written: a path in `keep` (the input table) is never written, an existing file only with `force`."""
    for path, _ in files:
        if any(path.resolve() == kept.resolve() for kept in keep):
            raise OptionError(f"{path} is the input table: write the output to another file")
        if path.is_dir():
            raise OptionError(f"{path} is a folder: give the name of a file to write, e.g. {path / 'out'}")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OptionError(f"{folder} is not a folder: create it first or choose another path for {path.name}")
    _refuse_existing([path for path, _ in files], force, "name")
    for path, data in files:
        write_atomically(path, data, force=force)


def _refuse_existing(paths: Sequence[Path], force: bool, other: str) -> None:
    """`OutputExists` naming every path that exists, unless `force`; `other` is what to choose instead."""
    existing = [str(path) for path in paths if path.exists()]
    if existing and not force:
        verb, pronoun = ("exists", "it") if len(existing) == 1 else ("exist", "them")
        raise OutputExists(f"{', '.join(existing)} {verb}: choose another {other} or add --force to replace "
                           f"{pronoun}")
