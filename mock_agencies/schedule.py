"""Answer scheduling of one namespace (no I/O): which ticket is due at which virtual instant.

An :class:`AnswerSchedule` is a heap of (instant, sequence, ticket id). A ticket may have several entries —
a 总对总 query one per distinct answer instant, a held answer one per retry; ties go in filing order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime


class AnswerSchedule:
    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, at: datetime, ticket_id: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, ticket_id))

    def next_due(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def due(self, now: datetime) -> Iterator[tuple[datetime, str]]:
        """(instant, ticket id) of every entry due by ``now``, in order, each removed as it is taken; entries
        added meanwhile (due by ``now`` too) are taken in their turn."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, _, ticket_id = heapq.heappop(heap)
            yield at, ticket_id
