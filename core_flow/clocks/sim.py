"""Virtual time on SimPy: a year of cases runs in seconds; tests skip time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

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
    """``env.now`` counts seconds since ``origin``. The environment is passed in, never global.

    Timers due at the same future instant share one SimPy event (thousands of cases filed together have their
    deadlines at the same instants): they fire in the order they were set, as separate events would."""

    def __init__(self, origin: datetime, env: simpy.Environment | None = None) -> None:
        self.origin = to_cst(origin)
        self.env = env if env is not None else simpy.Environment()
        self._groups: dict[float, list[_SimCall]] = {}  # future instant → its timers, in the order set
        self._now_at: float = -1.0
        self._now = self.origin

    def now(self) -> datetime:
        t = self.env.now
        if t != self._now_at:  # asked many times per instant: made once
            self._now_at, self._now = t, self.origin + timedelta(seconds=t)
        return self._now

    def seconds(self, at: datetime) -> float:
        return (at - self.origin).total_seconds()

    def call_at(self, at: datetime, callback: Callable[[], None]) -> _SimCall:
        call = _SimCall(callback)
        env = self.env
        t = (at - self.origin).total_seconds()
        if t <= env.now:
            env.timeout(0).callbacks.append(call)
            return call
        group = self._groups.get(t)
        if group is None:
            group = self._groups[t] = []
            env.timeout(t - env.now).callbacks.append(partial(self._fire, t))
        group.append(call)
        return call

    def _fire(self, t: float, _event: simpy.Event) -> None:
        for call in self._groups.pop(t):  # a timer set now for this instant runs as a new event, after these
            if not call.cancelled:
                call.callback()

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
