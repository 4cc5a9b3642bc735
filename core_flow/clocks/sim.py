"""Virtual time on SimPy: a year of cases runs in seconds; tests skip time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import simpy

from core_flow.legal_calendar import to_cst


class _SimCall:
    """The callback of one timer and its handle: cancelling makes it a no-op when it fires."""

    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __call__(self, _event: simpy.Event) -> None:
        if not self.cancelled:
            self.callback()


class SimClock:
    """``env.now`` counts seconds since ``origin``. The environment is passed in, never global."""

    def __init__(self, origin: datetime, env: simpy.Environment | None = None) -> None:
        self.origin = to_cst(origin)
        self.env = env if env is not None else simpy.Environment()

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=self.env.now)

    def seconds(self, at: datetime) -> float:
        return (at - self.origin).total_seconds()

    def call_at(self, at: datetime, callback: Callable[[], None]) -> _SimCall:
        call = _SimCall(callback)
        env = self.env
        delay = (at - self.origin).total_seconds() - env.now
        env.timeout(delay if delay > 0 else 0).callbacks.append(call)
        return call

    def run_until(self, at: datetime) -> None:
        """Advance virtual time to ``at``, firing every timer due by then (inclusive)."""
        target = self.seconds(at)
        if target > self.env.now:
            self.env.run(until=target)
        # timers due exactly at ``at`` are fired too
        while self.env.peek() <= target:
            self.env.step()

    def advance(self, delta: timedelta) -> None:
        self.run_until(self.now() + delta)
