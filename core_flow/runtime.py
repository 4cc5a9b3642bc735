"""Runs the engine on a clock: keeps case states, records events, arms the timers the engine returns.

The engine decides; the runtime only carries out: ``submit(command)`` → engine → events appended,
timers armed on the clock; a timer that comes due is submitted back as ``FireTimer``. The same runtime
runs on ``SimClock`` (virtual time) and ``AsyncioClock`` (real time).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from core_flow.clocks import Clock
from core_flow.engine import CaseState, Engine, Event, Outcome, Timer
from core_flow.engine.commands import Command, FireTimer

EventListener = Callable[[Event], None]


class Runtime:
    def __init__(self, engine: Engine, clock: Clock, *, keep_events: bool = True) -> None:
        self.engine = engine
        self.clock = clock
        self.cases: dict[str, CaseState] = {}
        self.events: list[Event] = []
        self.keep_events = keep_events
        self.listeners: list[EventListener] = []
        self.commands_handled = 0

    def subscribe(self, listener: EventListener) -> None:
        self.listeners.append(listener)

    def submit(self, cmd: Command) -> Outcome:
        case_id = cmd.case_id
        # A timer acts at its due instant, whichever clock carried it and however late it ran:
        # the record is the same on virtual and real time.
        now = cmd.timer.due if isinstance(cmd, FireTimer) else self.clock.now()
        state, out = self.engine.handle(self.cases.get(case_id), cmd, now)
        self.commands_handled += 1
        if state is not None:
            self.cases[case_id] = state
        if out.events:
            if self.keep_events:
                self.events.extend(out.events)
            for listener in self.listeners:
                for event in out.events:
                    listener(event)
        for timer in out.timers:
            self._arm(timer)
        return out

    def _arm(self, timer: Timer) -> None:
        self.clock.call_at(timer.due, partial(self._fire, timer))

    def _fire(self, timer: Timer) -> None:
        self.submit(FireTimer(timer))

    def case_events(self, case_id: str) -> list[Event]:
        return [e for e in self.events if e.case_id == case_id]


@contextmanager
def simulation_gc(gen0: int = 10_000) -> Iterator[None]:
    """Raise the cyclic GC's generation-0 threshold for a long virtual-time run, then restore it.

    Year-scale runs allocate millions of short-lived events; with CPython's default threshold (700) the
    collector rescans the growing set of live case states over and over. ``make bench`` reports figures with
    and without this setting.
    """
    old = gc.get_threshold()
    gc.set_threshold(gen0, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
