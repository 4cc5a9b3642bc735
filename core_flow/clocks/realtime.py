"""Real time on asyncio, optionally compressed (``scale`` virtual seconds per real second).

This is the clock of the services. The only time it reads is the event loop's monotonic clock; the
virtual instant is ``origin + (loop.time() - t0) × scale``.

Logical time (``logical=True``, what scenarios on the real-time clock use): while a timer's callback runs, ``now()``
is the instant the timer was due (or, for one set in the past, the instant it was set), not the moment the loop got
round to it — so a deadline that fires a little late under load is recorded at its own instant, as on the virtual
clock. Code that awaits in between (an HTTP exchange) reads the loop's instant again, so it is off by default: the
services keep one monotonic reading. :meth:`AsyncioClock.at` pins ``now()`` for a caller acting "at" an instant it
has just reached (a scenario's step).

A timer can be run early (:meth:`AsyncioClock.run_early`): when the loop is busy, a timer's callback can run after
a command that comes later in virtual time (a receipt registered 16 virtual minutes after its deadline expired, the
expiry timer still queued behind other work). The runtime runs its own timers due before a command's instant first
(``Runtime.submit``) — the deadline is missed and the node frozen, as on the virtual clock, whatever the loop's lag.
A command made by a timer's callback (the platform fixing a price when the objection window ends) counts from that
timer's due instant (:meth:`AsyncioClock.timer_instant`): on the virtual clock only what was due before it has run —
a platform timer's act, which any replay's platform does again at that instant. Not an outside actor's act run by its
timer (the simulated clerk's, ``Runtime.outside_act``): without logical time it is stamped with the loop's instant,
where a replay of the log puts it, and counts from there (``Runtime._catch_up`` says the rule).

A clock made with ``started=False`` stands at its origin until :meth:`AsyncioClock.start`, and runs from the origin
from that moment: the composition root starts it when the court is handed over, so the real seconds spent starting
its servers (11.6 virtual days each at 1,000,000×) are not virtual time gone before the first filing. Timers set
while it stands are armed when it starts; nothing reads a later instant before it, so time never goes back.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from core_flow.legal_calendar import to_cst


class AsyncioClock:
    def __init__(self, origin: datetime, scale: float = 1.0, loop: asyncio.AbstractEventLoop | None = None, *,
                 logical: bool = False, started: bool = True) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.origin = to_cst(origin)
        self.scale = scale
        self.loop = loop or asyncio.get_running_loop()
        self.t0: float | None = self.loop.time() if started else None  # the loop time the origin is read at
        self._unstarted: list[_Timer] = []  # timers set before ``start``: armed by it
        self.logical = logical
        self._logical: datetime | None = None  # the instant of the timer (or pinned action) running now
        self._held: datetime | None = None  # ``hold``: the instant the clock stands at (logical time)
        self._deferred: list[_Timer] = []  # timers due after the held instant, re-armed on release
        self._running: datetime | None = None  # the due instant of the timer whose callback runs now
        self._ties: dict[datetime, int] = {}  # timers armed per due instant: equal instants run in the order armed
        self._ties_limit = 4096

    @property
    def started(self) -> bool:
        return self.t0 is not None

    def start(self) -> None:
        """Let a clock made with ``started=False`` run: it reads its origin now, and the timers set while it stood
        are armed (in the order set). Starting a running clock does nothing."""
        if self.t0 is not None:
            return
        self.t0 = self.loop.time()
        waiting, self._unstarted = self._unstarted, []
        for timer in waiting:
            timer.arm()

    def real_now(self) -> datetime:
        """The loop's instant, whatever runs (the origin until the clock is started)."""
        if self.t0 is None:
            return self.origin
        return self.origin + timedelta(seconds=(self.loop.time() - self.t0) * self.scale)

    def now(self) -> datetime:
        return self._logical if self._logical is not None else self.real_now()

    def loop_time_of(self, at: datetime) -> float:
        if self.t0 is None:
            raise RuntimeError("the clock has not been started: no loop time stands for a virtual instant yet")
        return self.t0 + (at - self.origin).total_seconds() / self.scale

    @contextmanager
    def at(self, instant: datetime) -> Iterator[None]:
        """``now()`` is ``instant`` inside the block (synchronous code only: the block must not await)."""
        previous, self._logical = self._logical, instant
        try:
            yield
        finally:
            self._logical = previous

    def hold(self, instant: datetime | None) -> None:
        """Hold ``now()`` at ``instant`` across awaits too (``None`` lets it run again) — a scenario runner's
        step: the world stands at the step's instant while the step's reactions (HTTP round trips) land and are
        checked, as on the virtual clock. Logical time only: a timer due by ``instant`` runs (reading its own
        instant); one due after it waits, however long the hold lasts in real time, and runs on release."""
        self._held = self._logical = instant
        if self._deferred:
            deferred, self._deferred = self._deferred, []
            for timer in deferred:
                timer.arm()  # re-checked against a new hold when it runs

    def call_at(self, at: datetime, callback: Callable[[], None]) -> _Timer:
        # logical time: a timer set in the past runs at the instant it was set
        timer = _Timer(self, max(at, self.now()) if self.logical else at, callback)
        timer.arm()
        return timer

    def _loop_time_for(self, due: datetime) -> float:
        """The loop time a timer due at ``due`` runs at: timers of one instant a nanosecond apart (or two float steps,
        when the loop's clock reads so large that a nanosecond is below its resolution) in the order they were armed
        (the loop's heap does not keep that order; the virtual clock does) — 1 ns of real time is at most a few
        virtual milliseconds at the scales used."""
        ties = self._ties
        k = ties.get(due, 0)
        ties[due] = k + 1
        if len(ties) > self._ties_limit:  # instants already past need no tie-break any more (amortised: the limit
            now = self.real_now()  # doubles with what stays)
            for instant in [t for t in ties if t < now]:
                del ties[instant]
            self._ties_limit = max(4096, 2 * len(ties))
        base = self.loop_time_of(due)
        return base + k * max(1e-9, 2 * math.ulp(base))  # distinct floats however large the loop's clock reads

    def timer_instant(self) -> datetime | None:
        """The due instant of the timer whose callback is running (None outside one): what it does comes after
        everything due before that instant, as on the virtual clock, however late the loop ran it."""
        return self._running

    def run_early(self, timer: _Timer) -> None:
        """Run ``timer`` now if the loop has not run it yet (see the module note): the loop's own call then finds
        it done. One held back by :meth:`hold` stays held."""
        if not timer.done:
            if timer.handle is not None:
                timer.handle.cancel()
            timer.run()


class _Timer:
    """A timer: runs once, at its due instant or earlier by ``run_early``. In logical time it reads its due instant as
    ``now()`` and waits while the clock is held at an earlier instant (run on release). ``cancel`` works in any
    state."""

    __slots__ = ("clock", "due", "callback", "handle", "done")

    def __init__(self, clock: AsyncioClock, due: datetime, callback: Callable[[], None]) -> None:
        self.clock = clock
        self.due = due
        self.callback = callback
        self.handle: asyncio.TimerHandle | None = None
        self.done = False  # ran or cancelled

    def arm(self) -> None:
        if self.done:
            return
        if self.clock.t0 is None:  # the clock stands at its origin: armed when it starts
            self.clock._unstarted.append(self)
            return
        self.handle = self.clock.loop.call_at(self.clock._loop_time_for(self.due), self.run)

    def run(self) -> None:
        clock = self.clock
        if self.done:
            return
        if clock._held is not None and self.due > clock._held:
            clock._deferred.append(self)
            return
        self.done = True
        previous, clock._running = clock._running, self.due
        try:
            if not clock.logical:
                self.callback()
                return
            with clock.at(self.due):
                self.callback()
        finally:
            clock._running = previous

    def cancel(self) -> None:
        self.done = True
        if self.handle is not None:
            self.handle.cancel()
