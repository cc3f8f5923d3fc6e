"""A progress bar on the terminal for long imports and reports; silent when output is not a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
REDRAW_SECONDS = 0.1
WIDTH = 30


class Progress:
    """`with Progress("importing", total) as bar: bar.advance(n)`. Draws on `stream` (stderr) only
    when it is a terminal and the work lasts long enough to need it; leaves no trace otherwise."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.active = _is_terminal(self.stream)
        self._drawn = False
        self._last = time.monotonic()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.active and time.monotonic() - self._last >= REDRAW_SECONDS:
            self._draw()

    def close(self) -> None:
        if self._drawn:
            self.done = max(self.done, self.total)
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def _draw(self) -> None:
        self._last = time.monotonic()
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * WIDTH)
            line = f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done:,}/{self.total:,}"
        else:
            line = f"\r{self.label} {self.done:,}"
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True


def tracked(items: Iterable[T], label: str, total: int, stream: TextIO | None = None) -> Iterator[T]:
    """Yield `items`, advancing a progress bar by one for each."""
    with Progress(label, total, stream) as bar:
        for item in items:
            yield item
            bar.advance()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
