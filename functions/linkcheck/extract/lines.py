"""Offsets to 1-based line numbers, in O(log n) each after one O(n) pass."""

from __future__ import annotations

from bisect import bisect_right


class LineIndex:
    def __init__(self, text: str, first_line: int = 1) -> None:
        self._starts = [0]
        find, start = text.find, 0
        while (start := find("\n", start) + 1) > 0:
            self._starts.append(start)
        self._first = first_line

    @property
    def count(self) -> int:
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1 + self._first
