"""The same engine behaviour on both clocks: SimPy virtual time and asyncio real time (compressed).

The script: file and assign a case; let node 7's deadline pass (warning, then freeze); request and approve
the unfreeze; complete the node. Timer-driven events carry their due instant on either clock, so the two
records agree exactly on those; command-driven events agree on everything but the instant.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import simpy

from core_flow.clocks import AsyncioClock, SimClock
from core_flow.clocks.sim import call_later
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.runtime import Runtime
from tests.conftest import cst

ORIGIN = cst(2025, 9, 26, 9, 0)  # Friday before the 2025 国庆 break: node 7's 10 days roll over it
SCALE = 4_000_000.0  # virtual seconds per real second: ~20 virtual days take ~0.4 s


def opening(rt: Runtime) -> None:
    rt.submit(c.FileCase("K", debtors=("D",)))
    rt.submit(c.StartNode("K", 3))
    rt.submit(c.Assign("K", "张三"))


def closing(rt: Runtime) -> None:
    rt.submit(c.RequestUnfreeze("K", 7, by="张三"))
    assert not rt.submit(c.ApproveUnfreeze("K", 7, "院长")).accepted
    rt.submit(c.ApproveUnfreeze("K", 7, "执行局长"))
    rt.submit(c.CompleteNode("K", 7))


def record(rt: Runtime) -> list[tuple]:
    timer_kinds = {EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN}
    return [(e.kind, e.node, e.item, e.at if e.kind in timer_kinds else None) for e in rt.events
            if e.node in (7, None) or e.kind in timer_kinds]


def run_on_simpy(engine) -> list[tuple]:
    rt = Runtime(engine, SimClock(ORIGIN))
    opening(rt)
    rt.clock.run_until(ORIGIN + timedelta(days=20))
    closing(rt)
    return record(rt)


async def run_on_asyncio(engine) -> list[tuple]:
    rt = Runtime(engine, AsyncioClock(ORIGIN, scale=SCALE))
    frozen = asyncio.Event()
    rt.subscribe(lambda e: frozen.set() if e.kind == EventKind.NODE_FROZEN and e.node == 7 else None)
    with rt.clock.at(ORIGIN):  # the opening acts at the origin, as on SimPy (a scenario step's pinned instant): read
        opening(rt)  # off the loop, a few ms of a busy machine between its commands are virtual hours at SCALE
    await asyncio.wait_for(frozen.wait(), timeout=10)
    closing(rt)
    return record(rt)


async def test_same_behaviour_on_both_clocks(engine):
    simulated = run_on_simpy(engine)
    real = await run_on_asyncio(engine)
    # command-driven events in the same order; timer-driven ones at the same instants (timers due at the
    # same instant have no defined order between them)
    assert [r for r in real if r[3] is None] == [r for r in simulated if r[3] is None]
    assert sorted(r for r in real if r[3] is not None) == sorted(r for r in simulated if r[3] is not None)
    # and the behaviour is the one the rules ask for: 10 days from 09-26 → 10-06, in the break → 10-09
    frozen = [r for r in simulated if r[0] == EventKind.NODE_FROZEN]
    assert frozen == [(EventKind.NODE_FROZEN, 7, None, cst(2025, 10, 10))]
    assert [r[0] for r in simulated if r[1] == 7][-3:] == [
        EventKind.UNFREEZE_APPROVED, EventKind.ITEM_DONE, EventKind.NODE_DONE]


def test_sim_clock_fires_timers_due_exactly_at_the_target():
    clock = SimClock(ORIGIN)
    fired = []
    clock.call_at(ORIGIN + timedelta(hours=5), lambda: fired.append(clock.now()))
    handle = clock.call_at(ORIGIN + timedelta(hours=6), lambda: fired.append("cancelled"))
    handle.cancel()
    clock.run_until(ORIGIN + timedelta(hours=5))
    assert fired == [ORIGIN + timedelta(hours=5)]
    clock.advance(timedelta(days=1))
    assert fired == [ORIGIN + timedelta(hours=5)]
    assert clock.now() == ORIGIN + timedelta(days=1, hours=5)


def test_sim_clock_now_follows_simpy_time_however_it_moves():
    """``SimClock.now`` makes its datetime once per SimPy instant (asked about 770,000 times a court-year) and reads
    SimPy's time itself: the instant it gives changes as soon as SimPy's does — also when the environment is stepped
    by others sharing it (the staff's timeouts), not only through the clock's own ``run_until``."""
    clock = SimClock(ORIGIN)
    env = clock.env
    seen: list[tuple[float, object, object]] = []
    offsets = (0.0, 0.0, 0.25, 90.0, 90.0, 3600.5, 86400.0 * 40)
    for s in offsets:
        env.timeout(s).callbacks.append(lambda _ev: seen.append((env.now, clock.now(), clock.now())))
    assert clock.now() == ORIGIN
    env.run()  # SimPy's own loop: no method of the clock moves its time
    assert seen == [(s, ORIGIN + timedelta(seconds=s), ORIGIN + timedelta(seconds=s)) for s in offsets]
    assert clock.now() == ORIGIN + timedelta(days=40)
    clock.run_until(ORIGIN + timedelta(days=41, seconds=1))
    assert clock.now() == ORIGIN + timedelta(days=41, seconds=1)


def test_call_later_queues_as_a_simpy_timeout_does():
    """``call_later`` (the staff's work items, the clock's timers) skips ``Timeout``'s constructor but takes SimPy's
    place in the queue as a timeout would: by instant, then in the order scheduled — mixed with SimPy's own timeouts
    and processes — and its callback gets the event, at its instant."""
    env = simpy.Environment()
    ran: list[tuple[str, float]] = []

    def note(name: str):
        return lambda _ev: ran.append((name, env.now))

    def process():
        yield env.timeout(5)
        ran.append(("process", env.now))
        call_later(env, 0, note("from process"))
        env.timeout(0).callbacks.append(note("timeout from process"))

    env.process(process())
    for i, delay in enumerate((5, 0, 5, 2.5, 0, 5)):
        if i % 2:
            env.timeout(delay).callbacks.append(note(f"timeout {i}"))
        else:
            call_later(env, delay, note(f"later {i}"))
    env.run()
    assert ran == [("timeout 1", 0), ("later 4", 0), ("timeout 3", 2.5), ("later 0", 5), ("later 2", 5),
                   ("timeout 5", 5), ("process", 5), ("from process", 5), ("timeout from process", 5)]


def test_call_later_refuses_a_negative_delay_as_a_simpy_timeout_does():
    """A negative delay queued would move SimPy's time back when processed (``Environment.step`` sets ``_now`` from
    the entry): ``env.timeout`` refuses it, and so does ``call_later`` (review R29)."""
    env = simpy.Environment()
    env.run(until=10)
    ran: list[float] = []
    with pytest.raises(ValueError, match="Negative delay"):
        env.timeout(-1)
    with pytest.raises(ValueError, match="Negative delay"):
        call_later(env, -1, lambda _ev: ran.append(env.now))
    env.run()
    assert ran == [] and env.now == 10


def test_sim_clock_now_on_an_environment_that_starts_before_zero():
    """The per-instant ``now`` has no instant made before the first call: an environment given at SimPy time -1.0
    reads one second before the origin, not the origin (review R29: the cache began at -1.0)."""
    for start in (-1.0, -0.5, 0.0, 7.0):
        clock = SimClock(ORIGIN, simpy.Environment(initial_time=start))
        assert clock.now() == ORIGIN + timedelta(seconds=start), start


def test_a_listener_object_is_called_as_calling_it_calls_it(engine):
    """``Runtime.subscribe`` keeps a listener object's bound ``__call__`` (H68) — what ``listener(event)`` calls, its
    type's ``__call__``; an instance attribute named ``__call__`` holding another object's method is not what calling
    the object runs, so that listener is kept as it is (review R29)."""
    heard: list[tuple[str, str]] = []

    class Listener:
        def __init__(self, name: str) -> None:
            self.name = name

        def __call__(self, event: object) -> None:
            heard.append((self.name, event.kind))  # type: ignore[attr-defined]

    plain, decoy, other = Listener("plain"), Listener("decoy"), Listener("other")
    decoy.__call__ = other.__call__  # type: ignore[method-assign]
    rt = Runtime(engine, SimClock(ORIGIN))
    rt.subscribe(plain)
    rt.subscribe(decoy, kinds=(EventKind.FILED,))
    rt.submit(c.FileCase("K", debtors=("D",)))
    assert ("plain", EventKind.FILED) in heard and ("decoy", EventKind.FILED) in heard
    assert not any(name == "other" for name, _ in heard)


def test_a_timer_that_raises_loses_no_other_timer_and_leaves_the_clock_runnable():
    """A callback's exception (an agencies server unreachable mid-step) came out of SimPy's ``run(until=…)`` with its
    stop event still armed: the next run stopped at the old target (StopSimulation — a 500 over HTTP), and the
    timers set for the same instant after the failing one were dropped."""
    clock = SimClock(ORIGIN)
    fired = []
    at = ORIGIN + timedelta(hours=1)

    def boom() -> None:
        raise RuntimeError("unreachable")

    clock.call_at(at, lambda: fired.append("first"))
    clock.call_at(at, boom)
    clock.call_at(at, lambda: fired.append("after"))
    clock.call_at(at + timedelta(hours=2), lambda: fired.append("later"))
    try:
        clock.run_until(ORIGIN + timedelta(hours=2))
    except RuntimeError:
        pass
    else:
        raise AssertionError("the callback's exception is not swallowed")
    clock.run_until(ORIGIN + timedelta(hours=5))  # carries on past the old target: no stale stop
    assert fired == ["first", "after", "later"] and clock.now() == ORIGIN + timedelta(hours=5)


async def test_asyncio_clock_maps_virtual_instants_to_loop_time():
    clock = AsyncioClock(ORIGIN, scale=1000.0)
    loop = asyncio.get_running_loop()
    assert abs(clock.loop_time_of(ORIGIN + timedelta(seconds=1000)) - (clock.t0 + 1.0)) < 1e-9
    assert clock.now() >= ORIGIN
    done = loop.create_future()
    clock.call_at(ORIGIN + timedelta(seconds=20), lambda: done.set_result(clock.now()))
    fired_at = await asyncio.wait_for(done, timeout=5)
    assert fired_at >= ORIGIN + timedelta(seconds=20)


def test_sim_clock_timers_at_one_instant_fire_in_the_order_set_on_either_clock_path():
    """Timers sharing an instant share one SimPy event: the order they were set is kept (interleaved with
    timers of other instants), a cancelled one stays silent, and one set at that instant while it fires runs
    after the others — as separate events did."""
    clock = SimClock(ORIGIN)
    fired: list[str] = []
    t1, t2 = ORIGIN + timedelta(hours=1), ORIGIN + timedelta(hours=2)

    def at_t1_first() -> None:
        fired.append("a")
        clock.call_at(t1, lambda: fired.append("late"))  # set for "now": after the rest of the instant

    clock.call_at(t1, at_t1_first)
    clock.call_at(t2, lambda: fired.append("x"))
    clock.call_at(t1, lambda: fired.append("b")).cancel()
    clock.call_at(t1, lambda: fired.append("c"))
    clock.advance(timedelta(minutes=30))
    clock.call_at(t1, lambda: fired.append("d"))  # set later, same instant
    clock.run_until(t2)
    assert fired == ["a", "c", "d", "late", "x"]
    assert len(clock._groups) == 0  # nothing left behind


def test_simulation_gc_pauses_automatic_collection_and_restores_it():
    import gc

    from core_flow.runtime import simulation_gc

    assert gc.isenabled()
    with simulation_gc():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        made = [[i] for i in range(50_000)]  # what a run makes, tracked by the collector
        young_passes = gc.get_stats()[0]["collections"]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # handed to the oldest generation as the run ends: no young-generation pass over everything the run made as
    # soon as the collector is back (before: one at the first allocation, over 50,000+ objects)
    assert gc.get_stats()[0]["collections"] == young_passes and len(made) == 50_000
    gc.disable()
    try:
        with simulation_gc():
            pass
        assert not gc.isenabled()  # a collector switched off before stays off
    finally:
        gc.enable()


def test_a_listener_may_take_only_some_kinds(make_runtime):
    rt = make_runtime(ORIGIN)
    every, some = [], []
    rt.subscribe(every.append)
    rt.subscribe(some.append, (EventKind.ASSIGNED, EventKind.INQUIRY_TRIGGERED))
    rt.submit(c.FileCase("K", debtors=("D1",)))
    rt.submit(c.Assign("K", "张三"))
    rt.submit(c.VerifyIdentity("K", "D1", True))
    assert [e.kind for e in some] == [EventKind.ASSIGNED, EventKind.INQUIRY_TRIGGERED]
    assert [e for e in every if e.kind in (EventKind.ASSIGNED, EventKind.INQUIRY_TRIGGERED)] == some
    assert len(every) > len(some)


class _Call:
    def __init__(self, when: float, callback) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class BusyLoop:
    """An event loop too busy to run any callback: its time moves (set by the test), its timers never run."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.calls: list[_Call] = []

    def time(self) -> float:
        return self.t

    def call_at(self, when: float, callback) -> _Call:
        self.calls.append(_Call(when, callback))
        return self.calls[-1]


def test_a_command_after_a_deadline_the_busy_loop_has_not_expired_yet_meets_the_expired_deadline(engine):
    """Real time under load: node 7's deadline (10-10 00:00) passed 16 virtual minutes ago but the loop has not run
    its timers. The command is handled after them — the deadline missed and the node frozen, as on the virtual
    clock (before, node 7 was completed 'on time' 16 minutes late: the live demo and its replay disagreed)."""
    for logical in (False, True):
        loop = BusyLoop()
        rt = Runtime(engine, AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical))  # type: ignore[arg-type]
        opening(rt)
        loop.t += (cst(2025, 10, 10, 0, 16) - ORIGIN).total_seconds()
        out = rt.submit(c.CompleteNode("K", 7))
        assert not out.accepted and out.refusal.code == "NODE_FROZEN"
        kinds = [(e.kind, e.at) for e in rt.events if e.node == 7 and e.kind in (
            EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN)]
        assert kinds == [(EventKind.WARNING, cst(2025, 10, 9)), (EventKind.DEADLINE_MISSED, cst(2025, 10, 10)),
                         (EventKind.NODE_FROZEN, cst(2025, 10, 10))], logical
        # the loop's own calls of those timers, when it gets to them, do nothing more
        count = len(rt.events)
        for call in [call for call in loop.calls if call.when <= loop.t]:
            call.callback()
        assert len(rt.events) == count
        # the timers run early were taken off the loop; one not yet due stays for it
        assert all(call.cancelled for call in loop.calls if call.when <= loop.t)
        assert any(not call.cancelled and call.when > loop.t for call in loop.calls)


def test_a_timers_own_command_counts_from_its_due_instant_however_late_the_loop_ran_it(engine):
    """A system act on a timer (the platform fixing a price when the objection window ends) due at the very instant
    a deadline ends: on the virtual clock it was armed first and runs first, meeting the deadline. On a loop that runs
    it 16 virtual minutes late, its command counts from its due instant — the deadline's own expiry is not run ahead
    of it — so it meets the deadline there too. Both clocks record the same."""
    due = cst(2025, 10, 10)  # node 7's deadline (see ``test_same_behaviour_on_both_clocks``)

    def script(rt: Runtime) -> None:
        opening(rt)
        rt.clock.call_at(due, lambda: rt.submit(c.CompleteNode("K", 7)))  # armed before the deadline's expiry

    sim = Runtime(engine, SimClock(ORIGIN))
    script(sim)
    sim.clock.run_until(due + timedelta(hours=1))
    loop = BusyLoop()
    real = Runtime(engine, AsyncioClock(ORIGIN, scale=1.0, loop=loop))  # type: ignore[arg-type]
    script(real)
    for _ in range(3):  # the loop runs what is due, in its order, 16 minutes late
        loop.t = 1000.0 + (due + timedelta(minutes=16) - ORIGIN).total_seconds()
        for call in sorted((call for call in loop.calls if not call.cancelled and call.when <= loop.t),
                           key=lambda call: call.when):
            call.cancelled = True
            call.callback()
    for rt in (sim, real):
        node7 = [e.kind for e in rt.events if e.node == 7]
        assert EventKind.NODE_DONE in node7 and EventKind.NODE_FROZEN not in node7, node7


def test_the_timers_kept_for_the_catch_up_do_not_pile_up_when_only_the_loop_runs_them(engine):
    """A live court that receives no command for months (only its timers fire: warnings, expiries) keeps, for the
    catch-up, only the timers not yet run — not every timer it ever armed."""
    loop = BusyLoop()
    rt = Runtime(engine, AsyncioClock(ORIGIN, scale=1.0, loop=loop))  # type: ignore[arg-type]
    for k in range(20):
        rt.submit(c.FileCase(f"K{k}", debtors=("D1",)))
        rt.submit(c.Assign(f"K{k}", "张三"))
    armed = len(loop.calls)
    for _ in range(6):  # the loop alone runs whatever falls due, a week at a time; no command comes
        loop.t += 7 * 86400
        for call in sorted((call for call in loop.calls if not call.cancelled and call.when <= loop.t),
                           key=lambda call: call.when):
            call.cancelled = True
            call.callback()
    assert len(loop.calls) > armed  # the timers armed more timers (expiries after warnings)
    pending = sum(1 for call in loop.calls if not call.cancelled)
    assert len(rt._armed) <= pending + 1, (len(rt._armed), pending)


async def test_timers_due_at_one_instant_run_in_the_order_they_were_armed():
    """As on the virtual clock (``test_sim_clock_timers_at_one_instant_fire_in_the_order_set_on_either_clock_path``);
    the loop's own heap does not keep that order for equal times."""
    clock = AsyncioClock(ORIGIN, scale=1_000_000.0)
    loop = asyncio.get_running_loop()
    at = ORIGIN + timedelta(hours=1)
    fired: list[int] = []
    done = loop.create_future()
    for i in range(40):
        clock.call_at(at, lambda i=i: fired.append(i))
        clock.call_at(at + timedelta(minutes=30 - i), lambda: None)  # other instants around it
    clock.call_at(at + timedelta(hours=1), lambda: done.set_result(None))
    await asyncio.wait_for(done, timeout=10)
    assert fired == list(range(40))


def test_timers_of_one_instant_stay_apart_on_a_loop_clock_that_reads_large():
    """The loop's clock is seconds since boot: after months up, a nanosecond is below a float's resolution there —
    timers of one instant must still get distinct, increasing loop times in the order armed."""
    for uptime in (1e3, 1e7, 1e9):
        loop = BusyLoop()
        loop.t = uptime
        clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop)  # type: ignore[arg-type]
        for _ in range(20):
            clock.call_at(ORIGIN + timedelta(hours=1), lambda: None)
        whens = [call.when for call in loop.calls]
        assert all(a < b for a, b in zip(whens, whens[1:], strict=False)), uptime
