"""Answers kept with all they depend on, so that the same question asked again is answered at once."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """The latest `limit` answers, each with its question: everything the answer depends on, compared in full
    (a history's rows among it), so an answer is found again only for the very question it answers."""

    def __init__(self, limit: int = 8) -> None:
        self.limit = limit
        self._kept: list[tuple[tuple[object, ...], T]] = []

    def find(self, question: tuple[object, ...]) -> T | None:
        """The answer to `question`, if kept."""
        for asked, answer in reversed(self._kept):
            if asked == question:
                return answer
        return None

    def add(self, question: tuple[object, ...], answer: T) -> None:
        self._kept = [*self._kept[-(self.limit - 1):], (question, answer)]
