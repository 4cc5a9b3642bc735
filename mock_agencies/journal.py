"""A bounded per-namespace request journal: what came in, what went out, when (virtual time)."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any


class Journal:
    """Keeps the last ``maxlen`` entries; ``seq`` keeps counting so a reader sees what was dropped."""

    __slots__ = ("_entries", "_seq")

    def __init__(self, maxlen: int = 1000) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be >= 1")
        self._entries: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self._seq = 0

    @property
    def maxlen(self) -> int:
        return self._entries.maxlen or 0

    @property
    def total(self) -> int:
        """Entries ever recorded (including those dropped)."""
        return self._seq

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, at: datetime, kind: str, **fields: Any) -> dict[str, Any]:
        self._seq += 1
        entry = {"seq": self._seq, "at": at.isoformat(), "kind": kind, **fields}
        self._entries.append(entry)
        return entry

    def entries(self, limit: int | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Oldest first; ``limit`` keeps the newest ``limit`` entries."""
        items = [e for e in self._entries if kind is None or e["kind"] == kind]
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        return items

    def clear(self) -> None:
        self._entries.clear()
        self._seq = 0
