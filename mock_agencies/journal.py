"""A bounded per-namespace request journal: what came in, what went out, when (virtual time)."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any


class Journal:
    """Keeps the last ``maxlen`` entries; ``seq`` keeps counting so a reader sees what was dropped.

    An entry is kept as recorded (its instant a ``datetime``) and becomes the JSON-ready dict
    ``{"seq", "at" (ISO 8601), "kind", **fields}`` when read — a field recorded as a ``datetime`` is shown
    in ISO 8601 too, a (frozen) dataclass such as a ledger event as a dict: most entries of a busy namespace
    are dropped unread, so none pays for formatting up front. Record only immutable values."""

    __slots__ = ("_entries", "_seq")

    def __init__(self, maxlen: int = 1000) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be >= 1")
        self._entries: deque[tuple[int, datetime, str, dict[str, Any]]] = deque(maxlen=maxlen)
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

    def record(self, at: datetime, kind: str, **fields: Any) -> None:
        self._seq += 1
        self._entries.append((self._seq, at, kind, fields))

    def entries(self, limit: int | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Oldest first; ``limit`` keeps the newest ``limit`` entries."""
        items = [e for e in self._entries if kind is None or e[2] == kind]
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        return [{"seq": seq, "at": at.isoformat(), "kind": k, **_shown(fields)} for seq, at, k, fields in items]

    def clear(self) -> None:
        self._entries.clear()
        self._seq = 0


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` JSON-ready: every ``datetime`` in ISO 8601, a dataclass as a dict."""
    return {k: jsonable(v) for k, v in fields.items()}


def jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: pydantic models dumped, dataclasses as dicts, datetimes in ISO 8601."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {k: jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)
