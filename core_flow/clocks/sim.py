"""Virtual time on SimPy: a year of cases runs in seconds; tests skip time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from heapq import heappush

import simpy
from simpy.core import NORMAL

from core_flow.legal_calendar import to_cst


class _Due:
    """An event SimPy only processes at its instant, made by ``call_later``: what ``env.timeout(delay)`` with one
    callback is to ``Environment.step`` (its ``callbacks``, ``_ok``, ``_value``), without ``Timeout.__init__`` and
    ``Environment.schedule``. Nothing waits on it (no process yields it)."""

    __slots__ = ("callbacks",)
    _ok = True
    _value = None

    def __init__(self, callback: Callable[[object], None]) -> None:
        self.callbacks: list[Callable[[object], None]] | None = [callback]


def call_later(env: simpy.Environment, delay: float, callback: Callable[[object], None]) -> None:
    """``env.timeout(delay).callbacks.append(callback)`` in one call (``delay`` ≥ 0): queued exactly as SimPy queues a
    timeout — at ``env.now + delay``, normal priority, the environment's next event number — so every event keeps its
    order. The court-year queues about 600,000 of them (the staff's work items, the clock's timers), and three Python
    calls each were a tenth of the clock's and the staff's own time.

    It reads SimPy's private ``Environment._queue``, ``_eid`` and ``_now`` (SimPy 4.x's layout, pinned ``<5`` in
    pyproject.toml; tests/test_clocks.py fails if a release changes them). A negative delay is refused, as
    ``env.timeout`` refuses it: queued, it would move SimPy's time back when processed."""
    if delay < 0:
        raise ValueError(f"Negative delay {delay}")
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), _Due(callback)))


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
        self._now_at: float = float("nan")  # no SimPy instant yet (NaN equals none: an env may start at -1.0 too)
        self._now = self.origin

    def now(self) -> datetime:
        t = self.env._now  # SimPy's time, read past its ``now`` property (about 770,000 calls a court-year)
        if t != self._now_at:  # asked many times per instant: made once
            self._now_at, self._now = t, self.origin + timedelta(seconds=t)
        return self._now

    def seconds(self, at: datetime) -> float:
        return (at - self.origin).total_seconds()

    def call_at(self, at: datetime, callback: Callable[[], None]) -> _SimCall:
        call = _SimCall(callback)
        env = self.env
        now = env._now
        t = (at - self.origin).total_seconds()
        if t <= now:
            call_later(env, 0, call)
            return call
        groups = self._groups
        group = groups.get(t)
        if group is None:
            group = groups[t] = []
            call_later(env, t - now, partial(self._fire, t))
        group.append(call)
        return call

    def _fire(self, t: float, event: simpy.Event) -> None:
        self._run_calls(self._groups.pop(t), event)  # a timer set now for this instant runs as a new event, after

    def _run_calls(self, calls: list[_SimCall], _event: simpy.Event) -> None:
        for i, call in enumerate(calls):
            if not call.cancelled:
                try:
                    call.callback()
                except BaseException:  # the rest of this instant's timers still run (as their own event, next):
                    if calls[i + 1:]:  # one callback's failure never loses the others
                        self.env.timeout(0).callbacks.append(partial(self._run_calls, calls[i + 1:]))
                    raise

    def run_until(self, at: datetime) -> None:
        """Advance virtual time to ``at``, firing every timer due by then (inclusive). A callback's exception
        comes out of here with the clock consistent: the run's stop event is disarmed, so the next run does not
        stop at this run's target (SimPy's ``run(until=…)`` left it armed: StopSimulation, then a 500)."""
        env = self.env
        target = self.seconds(at)
        if target > env.now:
            until = env.timeout(target - env.now)
            try:
                env.run(until=until)
            except BaseException:
                if until.callbacks and simpy.core.StopSimulation.callback in until.callbacks:
                    until.callbacks.remove(simpy.core.StopSimulation.callback)
                raise
        # timers due exactly at ``at`` are fired too
        while env.peek() <= target:
            env.step()

    def advance(self, delta: timedelta) -> None:
        self.run_until(self.now() + delta)
