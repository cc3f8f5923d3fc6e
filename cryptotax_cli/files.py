"""Writing output files safely: never over an existing file unless asked, and atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputExists(Exception):
    """The output file exists and --force was not given."""


def write_atomically(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename, so a crash
    leaves either the old file or the complete new one."""
    if path.exists() and not force:
        raise OutputExists(f"{path} exists: choose another name or add --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
