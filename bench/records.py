"""Digests of every record the engine works out, to check that a change leaves the results as they are.

Run from the repository root:

    .venv/bin/python bench/records.py > /tmp/records.txt
    diff /work/briefs/records-before.txt /tmp/records.txt      # or any earlier output

For each history, each lot relief method (FIFO, LIFO, HIFO, LOFO, SPECIFIC) and each pooling (per wallet,
universal), it computes the history and prints one line: the history, the method, the pooling, the number of
disposals, lots, income events, allocation lines and warnings, and a SHA-256 digest over every record of the
result in order (disposals, lots, income, allocation, warnings), each field as its `repr`. A field holding an
enum member counts as the member's value, so a field whose strings become an enum of the same texts digests
the same. A history that cannot be computed with a setting digests the problems it raises instead
(`InputError.issues`), so a change in which rows are refused shows too.

The histories: the bundled sample (it has stock, so wash sales), `bench/generate.py 10000`,
`bench/generate.py 100000 --lot-ids` (every sell names its lots) and `bench/generate.py 100000
--specific-share 0` (no sell names lots), seed 1, cached under `bench/data/`. Universal pooling refuses the
first two (a lot named in one wallet was used up by another's sale before 2025, as generate.py says); the last
computes under it.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import hashlib
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
TODAY = date(2026, 12, 31)  # later than every date of the histories; fixed, so the output does not drift
SAMPLE = BENCH.parent / "cryptotax_core" / "samples" / "sample_history.csv"

sys.path.insert(0, str(BENCH))
from generate import write_csv  # noqa: E402  (bench/ is not a package)

from cryptotax_core import InputError, Method, Pooling, Settings, compute, parse_table, read_csv  # noqa: E402


def history(rows: int, seed: int, *, lot_ids: bool = False, named: bool = True) -> Path:
    """The cached history of `rows` rows (bench/run.py's file names), generated if missing; without `named`,
    no sell names lots (`--specific-share 0`)."""
    path = DATA / f"history_{rows}_s{seed}{'_lotids' if lot_ids else ''}{'' if named else '_unnamed'}.csv"
    if not path.exists():
        write_csv(path, rows, seed, lot_ids_on_every_sell=lot_ids, specific_share=0.2 if named else 0.0)
    return path


def _field(value: object) -> str:
    if isinstance(value, enum.Enum):
        return repr(value.value)
    if isinstance(value, tuple):  # the Lot IDs of a transaction: a tuple of records
        return "(" + ", ".join(_record(item) for item in value) + ")"
    return repr(value)


def _record(record: object) -> str:
    """One record as the reprs of its fields, in order (a named tuple or a dataclass)."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        values: Iterable[object] = (getattr(record, item.name) for item in dataclasses.fields(record))
    else:
        assert isinstance(record, tuple), record
        values = record
    return type(record).__name__ + "(" + ", ".join(_field(value) for value in values) + ")"


def digest(groups: Iterable[Iterable[object]]) -> str:
    """SHA-256 over the records of every group, in order, a group's end marked."""
    sha = hashlib.sha256()
    for group in groups:
        for record in group:
            sha.update(_record(record).encode())
            sha.update(b"\n")
        sha.update(b"--\n")
    return sha.hexdigest()


def lines(path: Path, name: str) -> Iterable[str]:
    header, rows = read_csv(path)
    table = parse_table(header, rows, zone=ZoneInfo("UTC"), today=TODAY)
    yield f"{name} transactions {len(table.transactions)} {digest([table.transactions, table.warnings])}"
    for method in Method:
        for pooling in (Pooling.WALLET, Pooling.UNIVERSAL):
            where = f"{name} {method.value} {pooling.value}"
            try:
                result = compute(table.transactions, Settings(method=method, pooling=pooling), table.warnings)
            except InputError as exc:
                yield f"{where} refused: {len(exc.issues)} problems {digest([exc.issues])}"
                continue
            counts = (f"disposals {len(result.disposals)} lots {len(result.lots)} income {len(result.income)} "
                      f"allocation {len(result.allocation)} warnings {len(result.warnings)}")
            groups = [result.disposals, result.lots, result.income, result.allocation, result.warnings]
            yield f"{where} {counts} {digest(groups)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    seed = args.seed
    histories = [(SAMPLE, "sample"), (history(10_000, seed), f"10000_s{seed}"),
                 (history(100_000, seed, lot_ids=True), f"100000_s{seed}_lotids"),
                 (history(100_000, seed, named=False), f"100000_s{seed}_unnamed")]
    for path, name in histories:
        for line in lines(path, name):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
