"""The pool's relief order against a plain reference: every method takes the piece of lowest rank, ties by
the order pieces were added (docs/rules.md#which-units-are-sold). The pool keeps pieces added in rank order in
a queue and the others in a heap; these tests add pieces in and out of order (as transfers do), change
method midway, and relieve whole and partial pieces, so both structures and their hand-over are used."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotax_core import AssetClass, LotPick, Method
from cryptotax_core.pools import CONTEXT, Piece, Pool, rank

METHODS = (Method.FIFO, Method.LIFO, Method.HIFO, Method.LOFO, Method.SPECIFIC)
Step = tuple[str, int, int, int]  # ("add", seq, units, unit cost), ("relieve", units, 0, 0), ("method", index, 0, 0)


@pytest.fixture(autouse=True)
def engine_precision() -> Iterator[None]:
    """Pools split bases in the engine's context."""
    with localcontext(CONTEXT):
        yield


class Reference:
    """Open pieces in a list; relief sorts by (rank, order added) and takes greedily."""

    def __init__(self, method: Method) -> None:
        self.method = method
        self.pieces: list[tuple[int, Piece]] = []  # (order added, piece)

    def add(self, order: int, piece: Piece) -> None:
        self.pieces.append((order, piece))

    def relieve(self, quantity: Decimal) -> list[tuple[str, Decimal]]:
        taken = []
        open_pieces = [(order, piece) for order, piece in self.pieces if piece.quantity]
        for _, piece in sorted(open_pieces, key=lambda item: (rank(self.method, item[1]), item[0])):
            if not quantity:
                break
            units = min(quantity, piece.quantity)
            taken.append((piece.lot_id, units))
            quantity -= units
        return taken

    def use_up(self, taken: list[tuple[str, Decimal]]) -> None:
        """Remove the units taken (each lot ID is one piece), the basis pro rata: unit costs stay."""
        for lot_id, units in taken:
            match = next(piece for _, piece in self.pieces if piece.lot_id == lot_id)
            match.basis -= match.basis * units / match.quantity
            match.quantity -= units


def piece(lot: int, seq: int, units: int, cost: int) -> Piece:
    return Piece(f"L{lot}", lot, seq, "w", date(2025, 1, 1), Decimal(units), Decimal(units * cost), AssetClass.CRYPTO)


def twin(original: Piece) -> Piece:
    """The same lot as a separate object: the pool and the reference each use up their own."""
    return Piece(original.lot_id, original.row, original.seq, original.wallet, original.acquired, original.quantity,
                 original.basis, original.asset_class)


operations = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(1, 40), st.integers(1, 5), st.integers(1, 9)),  # seq, units, cost
    st.tuples(st.just("relieve"), st.integers(1, 12), st.just(0), st.just(0)),
    st.tuples(st.just("method"), st.integers(0, len(METHODS) - 1), st.just(0), st.just(0)),
), max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(METHODS), operations)
def test_relief_follows_the_reference_order(method: Method, steps: list[Step]) -> None:
    pool, reference, added = Pool(method), Reference(method), 0
    for step in steps:
        if step[0] == "add":
            added += 1
            new = piece(added, step[1], step[2], step[3])
            pool.add(new)
            reference.add(added, twin(new))
        elif step[0] == "relieve":
            wanted = min(Decimal(step[1]), pool.total)
            expected = reference.relieve(wanted)
            slices, problems = pool.relieve(wanted)
            assert ([(taken.lot_id, units) for taken, units, _, _ in slices], problems) == (expected, [])
            reference.use_up(expected)
        else:
            pool.reorder(METHODS[step[1]])
            reference.method = METHODS[step[1]]
    assert [(p.lot_id, p.quantity) for p in pool.pieces()] == [
        (p.lot_id, p.quantity) for _, p in sorted(reference.pieces, key=lambda item: (item[1].seq, item[0]))
        if p.quantity]


@pytest.mark.parametrize("method", [Method.FIFO, Method.HIFO])
def test_a_long_history_in_and_out_of_order(method: Method) -> None:
    """10,000 pieces, most in acquisition order and every seventh older (a transfer in), relieved in
    chunks as they come: enough taken from the queue that it drops its taken keys along the way."""
    shuffle = random.Random(7)
    pool, reference = Pool(method), Reference(method)
    for lot in range(1, 10_001):
        seq = lot if lot % 7 else shuffle.randrange(1, lot)
        new = piece(lot, seq, shuffle.randrange(1, 4), shuffle.randrange(1, 50))
        pool.add(new)
        reference.add(lot, twin(new))
        if lot % 10 == 0:
            wanted = Decimal(shuffle.randrange(5, 20))
            expected = reference.relieve(wanted)
            slices, _ = pool.relieve(wanted)
            assert [(taken.lot_id, units) for taken, units, _, _ in slices] == expected
            reference.use_up(expected)
    assert pool.total == sum((p.quantity for _, p in reference.pieces), Decimal(0))
    assert [p.lot_id for p in pool.pieces()] == [
        p.lot_id for _, p in sorted(reference.pieces, key=lambda item: (item[1].seq, item[0])) if p.quantity]


def state(pool: Pool) -> list[tuple[str, Decimal, Decimal]]:
    return [(p.lot_id, p.quantity, p.basis) for p in pool.pieces()]


shared_steps = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(1, 40), st.integers(1, 5), st.integers(1, 9)),  # seq, units, cost
    st.tuples(st.just("relieve"), st.integers(1, 12), st.just(0), st.just(0)),
    st.tuples(st.just("named"), st.integers(1, 30), st.integers(1, 4), st.just(0)),  # lot, units
    st.tuples(st.just("method"), st.integers(0, len(METHODS) - 1), st.just(0), st.just(0)),
), max_size=30)


def run(pool: Pool, steps: list[Step], added: int) -> tuple[list[object], int]:
    """The steps on `pool`: what each relief took (lot, units, basis) and the problems of named lots."""
    taken: list[object] = []
    for step in steps:
        if step[0] == "add":
            added += 1
            pool.add(piece(added, step[1], step[2], step[3]))
        elif step[0] in ("relieve", "named"):
            picks = (LotPick(f"L{step[1]}", Decimal(step[2])),) if step[0] == "named" else ()
            wanted = min(Decimal(step[2] if picks else step[1]), pool.total)
            slices, problems = pool.relieve(wanted, picks)
            taken.append(([(p.lot_id, units, basis) for p, units, basis, _ in slices], problems))
        else:
            pool.reorder(METHODS[step[1]])
    return taken, added


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(METHODS), shared_steps, shared_steps, shared_steps)
def test_shared_pools_go_on_as_separate_copies(method: Method, before: list[Step], mine: list[Step],
                                               theirs: list[Step]) -> None:
    """A pool shared (`Pool.share`, its pieces copied on write) and the original each go on with other steps, in
    turns, as two separate copies would (`Pool.copy`): neither changes the other, named lots included (a lot
    named before the share has its index of pieces built)."""
    pool = Pool(method)
    _, added = run(pool, before, 0)
    pool.by_id("L1")  # the index of named pieces, built before the share
    shared, copied = pool.share(), pool.copy({})
    original, reference = pool, copied.copy({})
    expected_mine, _ = run(reference, mine, added)
    expected_theirs, _ = run(copied, theirs, added)
    half = len(mine) // 2
    got_mine, later = run(original, mine[:half], added)
    got_theirs, _ = run(shared, theirs, added)
    more, _ = run(original, mine[half:], later)
    assert (got_mine + more, state(original)) == (expected_mine, state(reference))
    assert (got_theirs, state(shared)) == (expected_theirs, state(copied))
