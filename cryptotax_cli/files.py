"""Writing output files safely: never over an existing file unless asked, and atomically."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from pathlib import Path

from cryptotax_cli.errors import OptionError
from cryptotax_core import UserError


class OutputExists(UserError):
    """The output file exists and --force was not given."""


def write_atomically(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then a rename (with `force`)
    or a hard link (without, which fails rather than replace a file), so a crash leaves either the old
    file or the complete new one. A file that cannot be written (no such folder, no permission, a full
    disk) is an `OptionError` naming it."""
    if path.exists() and not force:
        raise OutputExists(f"{path} exists: choose another name or add --force to replace it")
    try:
        _write(path, data, force=force)
    except OSError as exc:
        raise OptionError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write(path: Path, data: bytes, *, force: bool) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    _remove_leftovers(folder, path.name)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    if hasattr(os, "fchmod"):  # mkstemp makes the file private (0600); an output gets the user's usual mode
        os.fchmod(handle, 0o666 & ~_umask())
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


LEFTOVER_AGE_SECONDS = 24 * 3600


def _remove_leftovers(folder: Path, name: str) -> None:
    """Temporary files of this output that a killed run left behind (`.NAME.*.tmp`, older than a day, so
    never one that a running write still uses)."""
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    try:
        for leftover in folder.glob(f".{glob.escape(name)}.*.tmp"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and not leftover.is_symlink() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
