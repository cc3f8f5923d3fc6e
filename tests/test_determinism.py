"""The same input gives byte-identical output on every run: the JSON report, the printed table and the
Form 8949 CSV, from separate processes with different hash seeds (an order taken from a set or a dict
of strings would differ between them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cryptotax_core.samples import SAMPLE_HISTORY

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from generate import write_csv  # noqa: E402  (bench/ is not a package: its folder is on the path)

HASH_SEEDS = ("1", "2024")


def run(source: Path, out: Path, options: list[str], seed: str) -> tuple[bytes, bytes]:
    """stdout of `cryptotax report` and the Form 8949 CSV it wrote, in a fresh interpreter (each run to the same
    file, which stdout names)."""
    form = out / "form8949.csv"
    environment = dict(os.environ, PYTHONHASHSEED=seed)
    process = subprocess.run(
        [sys.executable, "-m", "cryptotax_cli.main", "report", str(source), *options, "--form8949", str(form),
         "--force"],
        capture_output=True, cwd=ROOT, env=environment, timeout=600, check=False)
    assert process.returncode == 0, process.stderr.decode()
    return process.stdout, form.read_bytes()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 rows of the benchmark generator: 4 wallets, 6 assets, trades, transfers with fees, income,
    specific identification."""
    path = tmp_path_factory.mktemp("history") / "history.csv"
    write_csv(path, 6000, seed=7)
    return path


def identical(source: Path, out: Path, options: list[str]) -> tuple[bytes, bytes]:
    first, second = (run(source, out, options, seed) for seed in HASH_SEEDS)
    assert first[0] == second[0]
    assert first[1] == second[1]
    return first


@pytest.mark.parametrize("options", [["--format", "json"], ["--format", "table"],
                                     ["--format", "json", "--method", "HIFO", "--method", "2024=LIFO",
                                      "--pooling", "universal", "--transfer-fee", "basis", "--other-income", "85000"]],
                         ids=["json", "table", "other-settings"])
def test_sample_history(tmp_path: Path, options: list[str]) -> None:
    stdout, form = identical(SAMPLE_HISTORY, tmp_path, options)
    assert stdout.startswith(b"{" if "json" in options else b"cryptotax report: sample_history.csv")
    assert form.startswith(b"Box,") and form.count(b"\n") > 1


@pytest.mark.parametrize("options", [["--format", "json"],
                                     ["--format", "json", "--method", "HIFO", "--year", "2024"]],
                         ids=["fifo", "hifo-2024"])
def test_generated_history(generated: Path, tmp_path: Path, options: list[str]) -> None:
    stdout, form = identical(generated, tmp_path, options)
    assert stdout.count(b'"lot":') > 100 and form.count(b"\n") > 100  # a history big enough to show an order


def test_report_workbook(tmp_path: Path) -> None:
    """The report workbook too (XlsxWriter with a fixed creation date), across hash seeds."""
    books = []
    for seed in HASH_SEEDS:
        book = tmp_path / f"report-{seed}.xlsx"
        process = subprocess.run(
            [sys.executable, "-m", "cryptotax_cli.main", "report", str(SAMPLE_HISTORY), "--workbook", str(book)],
            capture_output=True, cwd=ROOT, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=600, check=False)
        assert process.returncode == 0, process.stderr.decode()
        books.append(book.read_bytes())
    assert books[0] == books[1] and books[0].startswith(b"PK")
