"""One clock interface for the engine's runtime: what time it is, and call me back at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """``now`` is timezone-aware (China Standard Time). ``call_at`` in the past fires as soon as possible."""

    def now(self) -> datetime: ...

    def call_at(self, at: datetime, callback: Callable[[], None]) -> TimerHandle: ...
