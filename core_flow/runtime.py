"""Runs the engine on a clock: keeps case states, records events, arms the timers the engine returns.

The engine decides; the runtime only carries out: ``submit(command)`` → engine → events appended,
timers armed on the clock; a timer that comes due is submitted back as ``FireTimer``. The same runtime
runs on ``SimClock`` (virtual time) and ``AsyncioClock`` (real time).
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from types import MethodType
from typing import Any

from core_flow.clocks import Clock
from core_flow.engine import CaseState, Engine, Event, EventKind, Outcome, Timer
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
        self._by_kind: dict[EventKind, list[EventListener]] = {}
        self.commands_handled = 0
        self.events_recorded = 0
        self.timers_stale = 0  # timers dropped unfired: their item was done or re-armed
        # real time (a clock that can run a timer early): the timers armed, by due instant, for ``_catch_up``;
        # virtual time runs every earlier timer first by itself
        self._run_early: Callable[[Any], None] | None = getattr(clock, "run_early", None)
        self._armed: list[tuple[datetime, int, Any]] | None = [] if self._run_early is not None else None
        self._armed_no = 0
        self._timer_instant: Callable[[], datetime | None] | None = getattr(clock, "timer_instant", None)
        self._outside = False  # ``outside_act``: the act running counts from the instant it is stamped with

    def subscribe(self, listener: EventListener, kinds: Iterable[EventKind] | None = None) -> None:
        """``listener`` gets every event, or only those of ``kinds``."""
        listener = _direct(listener)
        if kinds is None:
            self.listeners.append(listener)
            return
        for kind in kinds:
            self._by_kind.setdefault(kind, []).append(listener)

    def submit(self, cmd: Command) -> Outcome:
        # A timer acts at its due instant, whichever clock carried it and however late it ran:
        # the record is the same on virtual and real time.
        if type(cmd) is FireTimer:
            return self._submit_at(cmd, cmd.timer.due)
        now = self.clock.now()
        armed = self._armed
        if armed and armed[0][0] < now:
            self._catch_up(now)
        return self._submit_at(cmd, now)

    def catch_up(self) -> None:
        """Real time: run the timers ``submit`` would run before a command now (``_catch_up``) — for an act decided on
        the cases' state that submits nothing first: the platform sending a seal, a freeze, a deduction once it has
        checked that the node governing it is not frozen. Before, such an act read the state as the busy loop had left
        it: a seal asked for a day after node 17's deadline, its expiry still queued, went out, where the virtual
        clock (and a replay of the log) refuses it, NODE_FROZEN. Virtual time: nothing to do (every earlier timer has
        run)."""
        armed = self._armed
        if armed:
            now = self.clock.now()
            if armed[0][0] < now:
                self._catch_up(now)

    @property
    def catches_up(self) -> bool:
        """Real time (a clock that can run a timer early): a command, or ``catch_up``, first runs this runtime's timers
        due before it (``_catch_up``). False on the virtual clock, where every earlier timer has run by itself; an
        actor need not mark its acts (``outside_act``) there."""
        return self._armed is not None

    @contextmanager
    def outside_act(self) -> Iterator[None]:
        """An act of an actor outside the platform, run by its timer (the simulated clerk's and staff's, ``sim.clerk``
        ``Clerk._run``): it counts from the instant it is stamped with, ``clock.now()`` — where a replay of the log
        puts it — not from its timer's due instant (see ``_catch_up``). On a clock without logical time a loop that
        ran the timer late (the R25 demo log: the clerk's seal due 03-23 13:17, run at 03-25 00:53) first misses the
        deadlines expired before that instant (node 17's at 03-23 23:00): the seal is refused NODE_FROZEN, as the
        replay refuses it. Logical time and the virtual clock: no difference (the act is stamped with the due
        instant; every earlier timer has run)."""
        previous, self._outside = self._outside, True
        try:
            yield
        finally:
            self._outside = previous

    def _catch_up(self, now: datetime) -> None:
        """Real time: the engine's timers due before ``now`` that the busy loop has not run yet run first, in due
        order (a deadline expired before the command is missed before it, as on the virtual clock, where every
        earlier timer has run). Only this runtime's timers: the clock's other callbacks keep the loop's order. A command
        made by a timer's callback counts from that timer's due instant (a platform act at the end of an objection
        window meets a deadline ending at that same instant, as on the virtual clock, where the earlier-armed timer
        runs first), however late the loop ran it — unless it is an outside actor's act (``outside_act``).

        The rule, from what ``_submit_at(cmd, now)`` stamps a command with: ``now`` is ``clock.now()`` — on a logical
        clock, inside a timer's callback, the timer's due instant (``AsyncioClock.timer_instant``), so the limit is that
        instant whoever armed the timer; on a clock without logical time (the services', the demo's), the loop's
        instant, later than the timer's when the loop ran it late. There the two kinds of act part: a platform timer's
        act (the price fixed at the end of an objection window) is not replayed from the log — any replay runs the
        same platform, whose timer does it at its due instant — so it counts from the due instant; an outside actor's
        act run by a timer (the simulated clerk's or staff's seal, ``outside_act``) is replayed from the log at the
        instant it is recorded at, the loop's, so it counts from that instant: a deadline expired between the timer's
        due instant and it is missed first, as the replay misses it."""
        armed = self._armed
        assert armed is not None and self._run_early is not None
        running = self._timer_instant() if self._timer_instant is not None and not self._outside else None
        limit = running if running is not None and running < now else now
        while armed and armed[0][0] < limit:
            self._run_early(heapq.heappop(armed)[2])

    def _submit_at(self, cmd: Command, now: datetime, case_id: str | None = None) -> Outcome:
        if case_id is None:
            case_id = cmd.case_id
        cases = self.cases
        state, out = self.engine.handle(cases.get(case_id), cmd, now)
        self.commands_handled += 1
        if state is not None:
            cases[case_id] = state
        return self._carry_out(out)

    def _carry_out(self, out: Outcome) -> Outcome:
        """The outcome of a command handled: its events recorded and told, its timers armed."""
        events = out.events
        if events:
            self.events_recorded += len(events)
            if self.keep_events:
                self.events.extend(events)
            for listener in self.listeners:
                for event in events:
                    listener(event)
            by_kind = self._by_kind
            if by_kind:
                get = by_kind.get
                for event in events:
                    for listener in get(event.kind, ()):
                        listener(event)
        for timer in out.timers:
            self._arm(timer)
        return out

    def _arm(self, timer: Timer) -> None:
        handle = self.clock.call_at(timer.due, partial(self._fire, timer))
        armed = self._armed
        if armed is not None:
            self._prune()
            self._armed_no += 1
            heapq.heappush(armed, (timer.due, self._armed_no, handle))

    def _prune(self) -> None:
        """The catch-up's timers the loop has run already leave it (a live court whose timers alone fire for months
        keeps only those still to come)."""
        armed = self._armed
        while armed and armed[0][2].done:
            heapq.heappop(armed)

    def _fire(self, timer: Timer) -> None:
        if self._armed is not None:
            self._prune()
        case_id = timer.case_id
        state = self.cases.get(case_id)
        if state is None:  # no such case: the engine refuses it (UNKNOWN_CASE), as any command
            self._submit_at(FireTimer(timer), timer.due, case_id)
            return
        if self.engine.timer_stale(state, timer):
            self.timers_stale += 1  # its item was done before it fell due: nothing to record (most warnings)
            return
        # ``FireTimer(timer)`` handled at its due instant, without making the command (``Engine.fire_timer``); a
        # timer's handling keeps its case's state object (``handle`` returns the one it was given)
        out = self.engine.fire_timer(state, timer, timer.due)
        self.commands_handled += 1
        self._carry_out(out)

    def case_events(self, case_id: str) -> list[Event]:
        return [e for e in self.events if e.case_id == case_id]


def _direct(listener: EventListener) -> EventListener:
    """A listener object's own bound ``__call__`` (the KPI collector, the rule checks): calling the object itself goes
    through its type's call slot, which looks the method up at every call — about 570,000 events a court-year. A
    function, a bound method or any other callable is kept as it is (its ``__call__`` is a method wrapper), and so is
    an object whose ``__call__`` attribute is another object's method (set on the instance: ``listener(event)``
    calls its type's ``__call__``, never that). The method is bound at ``subscribe``: a class's ``__call__``
    replaced later is not seen by a listener already subscribed."""
    call = listener.__call__
    return call if isinstance(call, MethodType) and call.__self__ is listener else listener


@contextmanager
def simulation_gc() -> Iterator[None]:
    """No automatic cyclic collection during a virtual-time run; restored (and the pending work left to the
    collector) afterwards.

    Year-scale runs allocate millions of long-lived objects (case states, events, timers): the collector would
    scan each of them several times, about a quarter of a fan-out run, and find nothing — the engine, the
    gateway, the platform and the mock agencies make no reference cycles (a 120-day run of 2,000 cases with
    the clerk left 0 cyclic garbage: ``gc.collect()`` after it). Reference counting still frees everything
    at once. What exists when the run starts is frozen (``gc.freeze``) and unfrozen afterwards. What the run
    made is handed to the oldest generation as it ends (frozen, then unfrozen with the rest): otherwise the first
    collection after the run is a young-generation pass over every object the run made — a tenth of a fan-out
    bench's time, spent finding nothing. ``make bench`` reports figures with and without this setting.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # the run's survivors join what was frozen at the start …
        gc.unfreeze()  # … and all of it goes to the oldest generation, the young one left empty
        if enabled:
            gc.enable()
