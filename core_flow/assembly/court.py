"""A court as the builder returns it: typed, with its one clock."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core_flow.assembly.spec import ClockKind, CourtSpec
from core_flow.engine import Event
from core_flow.gateway import Gateway
from core_flow.platform import Platform
from core_flow.runtime import Runtime, simulation_gc


@dataclass
class Court:
    spec: CourtSpec
    clock: Any  # SimClock (virtual) or AsyncioClock (realtime): the run's one time source
    runtime: Runtime
    gateway: Gateway
    platform: Platform
    counterpart: Any  # the agencies' side (see core_flow.assembly.plugins.Counterpart)
    staff: Any = None
    _changed: asyncio.Event | None = field(default=None, repr=False)

    # ── what callers use most ──
    @property
    def session(self) -> Any:
        """The in-process mock agencies' session (zhixing's own counterparts), or their remote stand-in."""
        return getattr(self.counterpart, "session", None)

    @property
    def clerk(self) -> Any:
        return self.staff

    # ── virtual time ──
    def run_until(self, at: datetime) -> None:
        """Skip virtual time to ``at`` (virtual clock only)."""
        if self.spec.clock != ClockKind.VIRTUAL:
            raise TypeError("run_until is for the virtual clock; use await court.wait_until(at)")
        with warnings.catch_warnings(), simulation_gc():  # provisional holiday years are flagged on events
            warnings.simplefilter("ignore")
            self.clock.run_until(at)
        moved = getattr(self.counterpart, "moved_to", None)
        if moved is not None:  # a remote counterpart's clock follows the court's
            moved(self.clock.now())

    def run_for(self, delta: timedelta) -> None:
        self.run_until(self.clock.now() + delta)

    # ── real time ──
    async def start(self) -> None:
        """Let the court's real-time clock run from its origin (``open_court`` does so when it hands the court over,
        unless told ``started=False``); a counterpart keeping a clock of its own in step with the court's aligns it
        then (``clock_started``). A running clock, or a virtual one (it moves when run), is left as it is."""
        start = getattr(self.clock, "start", None)
        if start is None or self.clock.started:
            return
        start()
        aligned = getattr(self.counterpart, "clock_started", None)
        if aligned is not None:
            await aligned(self.clock)

    def _on_event(self, _: Event) -> None:
        if self._changed is not None:
            self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (real seconds, bounded) until ``predicate()`` holds, re-checking after every engine event."""
        if self._changed is None:
            self._changed = asyncio.Event()
            self.runtime.subscribe(self._on_event)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(left, 0.2))
            except TimeoutError:
                pass
        return True

    async def wait_until(self, at: datetime) -> None:
        """Let compressed real time run to ``at``. A court handed over standing (``open_court(started=False)``) must
        be started first: its clock would still read the origin after the sleep, and a caller waiting in a loop for
        an instant would wait for ever."""
        if not getattr(self.clock, "started", True):
            raise RuntimeError("法院时钟尚未启动（先 await court.start()）/ the court's clock has not been started: "
                               "await court.start() first")
        seconds = (at - self.clock.now()).total_seconds() / self.clock.scale
        if seconds > 0:
            await asyncio.sleep(seconds)

    def close(self) -> None:
        close = getattr(self.counterpart, "close", None)
        if close is not None:
            close()
