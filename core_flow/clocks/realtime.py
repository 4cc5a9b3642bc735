"""Real time on asyncio, optionally compressed (``scale`` virtual seconds per real second).

This is the clock of the services. The only time it reads is the event loop's monotonic clock; the
virtual instant is ``origin + (loop.time() - t0) × scale``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from core_flow.legal_calendar import to_cst


class AsyncioClock:
    def __init__(self, origin: datetime, scale: float = 1.0, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.origin = to_cst(origin)
        self.scale = scale
        self.loop = loop or asyncio.get_running_loop()
        self.t0 = self.loop.time()

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=(self.loop.time() - self.t0) * self.scale)

    def loop_time_of(self, at: datetime) -> float:
        return self.t0 + (at - self.origin).total_seconds() / self.scale

    def call_at(self, at: datetime, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return self.loop.call_at(self.loop_time_of(at), callback)
