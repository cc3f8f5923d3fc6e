"""Nothing lost: an output file is either as it was or complete, even when the process is killed (SIGKILL)
while writing; the tool never writes to the user's transaction table.

A kill -9 during a write can leave the temporary file `.NAME.XXXXXXXX.tmp` next to the target (no
process is left to remove it). It is never taken for the output: the next run picks a new temporary
name, and the target is only ever replaced by a complete file (a rename or a link after fsync).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cryptotax_cli.files import write_atomically
from cryptotax_cli.main import main
from cryptotax_cli.new import new_workbook
from cryptotax_core.samples import SAMPLE_HISTORY

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1 << 20
SIZE = 200 * CHUNK  # 200 MB

# The child writes SIZE bytes of `fill` through write_atomically; its stream writes 1 MB at a time and says
# how far it got on stdout, so the parent can kill it at a known point of the write.
WRITER = f"""
import os, sys
from pathlib import Path
import cryptotax_cli.files as files

real_fdopen = os.fdopen

class Slow:
    def __init__(self, stream):
        self.stream = stream
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.stream.__exit__(*exc)
    def write(self, data):
        view = memoryview(data)
        for start in range(0, len(view), {CHUNK}):
            self.stream.write(view[start:start + {CHUNK}])
            self.stream.flush()
            print(start // {CHUNK} + 1, flush=True)
        return len(data)
    def flush(self):
        self.stream.flush()
    def fileno(self):
        return self.stream.fileno()

files.os.fdopen = lambda handle, mode: Slow(real_fdopen(handle, mode))
target, fill, force = Path(sys.argv[1]), sys.argv[2].encode(), sys.argv[3] == "force"
files.write_atomically(target, fill * {SIZE}, force=force)
print("done", flush=True)
"""


def start_writer(target: Path, fill: str, *, force: bool) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(target), fill, "force" if force else "new"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)


def kill_after(process: subprocess.Popen[str], chunks: int) -> None:
    """SIGKILL the writer once it has written `chunks` MB of the temporary file."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == str(chunks):
            break
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    process.stdout.close()


def temporaries(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f".{name}.*.tmp"))


@pytest.mark.parametrize("force", [True, False], ids=["replace-old", "new-file"])
def test_kill_9_mid_write_leaves_the_old_file_or_none(tmp_path: Path, force: bool) -> None:
    target = tmp_path / "form8949.csv"
    if force:
        target.write_bytes(b"old content\n")
    kill_after(start_writer(target, "a", force=force), chunks=50)
    assert (target.read_bytes() == b"old content\n") if force else not target.exists()
    [leftover] = temporaries(tmp_path, target.name)  # what kill -9 leaves: part of the 200 MB
    assert 50 * CHUNK <= leftover.stat().st_size < SIZE  # the writer may get a little further before the kill
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([leftover.name] + ([target.name] if force else []))

    # a later run is not confused by the leftover: it writes its own temporary file and completes
    write_atomically(target, b"new content\n", force=True)
    assert target.read_bytes() == b"new content\n"
    assert temporaries(tmp_path, target.name) == [leftover]  # the leftover is untouched, never used as output


def test_a_write_that_is_not_interrupted_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "big.csv"
    process = start_writer(target, "b", force=False)
    output, _ = process.communicate()
    assert process.returncode == 0 and output.splitlines()[-1] == "done"
    assert target.stat().st_size == SIZE
    with target.open("rb") as stream:
        assert stream.read(CHUNK) == b"b" * CHUNK  # the first and
        stream.seek(-CHUNK, os.SEEK_END)
        assert stream.read() == b"b" * CHUNK  # the last megabyte are the data
    assert temporaries(tmp_path, target.name) == []


def test_kill_9_at_any_moment_leaves_old_or_complete(tmp_path: Path) -> None:
    """Unpatched writes of 20 MB killed after different delays (during the write, the fsync, the rename or
    after it): the target is always the old bytes or the complete new ones, never a part."""
    target = tmp_path / "out.csv"
    old, size = b"old\n", 20 * CHUNK
    script = ("import sys; from pathlib import Path; from cryptotax_cli.files import write_atomically; "
              f"write_atomically(Path(sys.argv[1]), b'n' * {size}, force=True)")
    outcomes = []
    for delay in (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, None):
        target.write_bytes(old)
        process = subprocess.Popen([sys.executable, "-c", script, str(target)], cwd=ROOT)
        if delay is None:  # the last run is not killed: it must complete
            assert process.wait(timeout=120) == 0
        else:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
        data = target.read_bytes()
        assert data == old or data == b"n" * size
        outcomes.append("old" if data == old else "new")
        for leftover in temporaries(tmp_path, target.name):
            leftover.unlink()
    assert outcomes[0] == "old" and outcomes[-1] == "new"  # killed before it began; not killed


def snapshot(path: Path) -> tuple[bytes, int, int]:
    status = path.stat()
    return path.read_bytes(), status.st_mtime_ns, status.st_mode


def test_report_never_touches_its_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "history.csv"
    source.write_bytes(SAMPLE_HISTORY.read_bytes())
    os.utime(source, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(source)
    assert main(["report", str(source), "--format", "json", "--form8949", str(tmp_path / "f.csv")]) == 0
    assert main(["report", str(source), "--year", "2025", "--method", "HIFO"]) == 0
    assert snapshot(source) == before
    capsys.readouterr()


def test_report_never_touches_its_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "taxes.xlsx"
    new_workbook(book, with_sample=True)
    os.utime(book, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(book)
    assert main(["report", str(book), "--format", "json", "--form8949", str(tmp_path / "f.csv")]) == 0
    assert main(["report", str(book)]) == 0
    assert snapshot(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "taxes.xlsx"]
    capsys.readouterr()


def test_the_input_table_is_never_an_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Naming the input as the Form 8949 output, even with --force and by another spelling of its path,
    is refused: the user's transaction rows are never rewritten."""
    source = tmp_path / "history.csv"
    source.write_bytes(SAMPLE_HISTORY.read_bytes())
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    before = snapshot(source)
    for output, force in ((str(source), []), (str(source), ["--force"]), ("../history.csv", ["--force"])):
        assert main(["report", str(source), "--form8949", output, *force]) == 2
        assert snapshot(source) == before
        assert capsys.readouterr().err == f"cryptotax: {output} is the input table: write the output to another file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv", "sub"]


def test_leftovers_of_a_killed_write_are_removed_after_a_day(tmp_path: Path) -> None:
    """A temporary file a kill -9 left behind goes once it is a day old; a fresh one (a write that may
    still be running) and other files stay."""
    target = tmp_path / "form.csv"
    old = tmp_path / ".form.csv.abc123.tmp"
    fresh = tmp_path / ".form.csv.def456.tmp"
    other = tmp_path / ".other.csv.abc123.tmp"
    for leftover in (old, fresh, other):
        leftover.write_bytes(b"partial")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(other, (day_ago, day_ago))
    write_atomically(target, b"complete\n")
    assert target.read_bytes() == b"complete\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".form.csv.def456.tmp", ".other.csv.abc123.tmp",
                                                                 "form.csv"]
