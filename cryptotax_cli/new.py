"""`cryptotax new PATH [--with-sample]`: a new workbook from the template."""

from __future__ import annotations

from pathlib import Path

from cryptotax_cli.errors import OptionError
from cryptotax_cli.files import OutputExists, write_atomically


def new_workbook(path: Path, *, with_sample: bool) -> None:
    """Write a new cryptotax workbook to `path` (a .xlsx file), with the sample history if asked.

    Never replaces a file: raises `OutputExists` if `path` exists (also if it appears while the
    workbook is built). The file is either complete or absent.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise OptionError(f"{path}: the workbook must be a .xlsx file (Excel saves it as .xlsm once the "
                         f"add-in's functions are imported)")
    if path.exists():
        raise OutputExists(f"{path} exists: choose another name; cryptotax new never replaces a file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OptionError(f"{folder} is not a folder: create it first or choose another path")
    from workbook_templates.build import template_bytes  # XlsxWriter and the add-in load only for this command

    write_atomically(path, template_bytes(with_sample=with_sample))
