"""Writing output files safely: never over an existing file unless asked, and atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputExists(FileExistsError):
    """The output file exists and --force was not given."""


def write_atomically(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then a rename (with `force`)
    or a hard link (without, which fails rather than replace a file), so a crash leaves either the old
    file or the complete new one."""
    if path.exists() and not force:
        raise OutputExists(f"{path} exists: choose another name or add --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            os.replace(temporary, path)
        else:  # a link fails if the name was taken meanwhile: never replaces a file created since the check
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise OutputExists(f"{path} exists: choose another name or add --force to replace it") from None
            Path(temporary).unlink()
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
