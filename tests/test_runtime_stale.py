"""A timer whose item was done (or re-armed) before it fell due is dropped by the runtime without a command; the
record is exactly what firing it through the engine gives (``Engine.timer_stale`` is the engine's own rule)."""

from __future__ import annotations

from datetime import timedelta

from core_flow.clocks import SimClock
from core_flow.engine.commands import FireTimer
from core_flow.runtime import Runtime
from tests.bench.test_bench_engine import ORIGIN, script


class EveryTimerRuntime(Runtime):
    """The runtime before the shortcut: every timer goes through ``Engine.handle``."""

    def _fire(self, timer):
        self._submit_at(FireTimer(timer), timer.due)


def _run(engine, cls, cases: int = 30):
    clock = SimClock(ORIGIN)
    rt = cls(engine, clock)

    def step(steps, start, k):
        rt.submit(steps[k][1])
        if k + 1 < len(steps):
            clock.call_at(ORIGIN + timedelta(seconds=start + steps[k + 1][0]), lambda: step(steps, start, k + 1))

    for i in range(cases):
        start = (i % 5) * 86400.0 + i * 60.0
        steps = script(i)
        clock.call_at(ORIGIN + timedelta(seconds=start), lambda steps=steps, start=start: step(steps, start, 0))
    clock.run_until(ORIGIN + timedelta(days=400))
    return rt


def test_dropping_stale_timers_records_exactly_what_firing_them_does(engine):
    full = _run(engine, EveryTimerRuntime)
    fast = _run(engine, Runtime)
    assert fast.timers_stale > 0  # most warnings: the item was done before its lead
    assert fast.commands_handled + fast.timers_stale == full.commands_handled
    assert fast.events == full.events
    assert fast.events_recorded == len(fast.events) == full.events_recorded  # what sim.run reports as engine_events
    assert {k: (s.closed_manner, s.next_token) for k, s in fast.cases.items()} == {
        k: (s.closed_manner, s.next_token) for k, s in full.cases.items()}


def test_a_live_timer_is_not_stale(engine):
    rt = _run(engine, Runtime, cases=1)
    warned = [e for e in rt.events if e.kind.value == "warning"]
    missed = [e for e in rt.events if e.kind.value == "deadline_missed"]
    assert warned and missed  # case 0 lets node 7 lapse: its warning and expiry fired through the engine
