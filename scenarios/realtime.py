"""Scenarios on the real-time clock (``--realtime --scale X``): each scenario's court is opened by the composition
root on an ``AsyncioClock`` compressed ``X``-fold (``core_flow.assembly.open_court``), talking HTTP to zhixing's
mock agencies served live on loopback (counterpart ``served``: answers by callback, the agencies' clock derived
from the court's). The court runs on an event loop in a thread of its own; the runner — synchronous, as on the
virtual clock — drives it through :class:`RealtimeDriver`, a :class:`~core_flow.driver.protocol.CourtDriver`.

Time: ``advance(to)`` lets the court's clock run (real time) until it reaches ``to`` and then *holds* it there
(``AsyncioClock.hold``) until the next ``advance`` to a later instant: the step's reactions over HTTP (the request
reaching the agencies, an answer given at once, its callback) land at ``to``, timers due after it wait for the
release, and the runner waits (real time, at most ``SETTLE_MAX``) for calls out and for what the served agencies owe
by ``to`` (answers, callbacks, notices) before it checks. The clock keeps logical time (a timer's callback reads its
due instant) and an answer by callback is recorded at the agency's stated answer instant
(``Gateway.answer_instant``), so events fall where they fall on the virtual clock whatever the scale.

Other courts of a scenario (``other_court_freeze``, ``cases:`` with ``court:``) and the disposal platforms use the
served session in process, on the court's loop (:class:`OnLoop`); the court under test still talks HTTP.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from core_flow.driver import EngineDriver
from core_flow.driver.protocol import Clock, RunSetup
from core_flow.errors import UserError
from scenarios.target import Target

# Real seconds any one call may take beyond the time the clock itself needs: an ``advance`` over a span of virtual
# time may take span / scale more (a step five virtual years on is 158 real seconds at 1,000,000×), so a long step
# is not cut off — the allowance catches a loop that hangs, not a scenario that spans years (H63).
TIMEOUT = 120.0
SETTLE_MAX = 1.0  # real seconds at most that reactions are waited for at one instant


class LoopThread:
    """An asyncio event loop in a daemon thread; ``call`` runs a coroutine there and waits for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="zhixing-realtime")
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run ``coro`` on the loop and wait for its result: at most ``timeout`` real seconds (``TIMEOUT``)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT if timeout is None else timeout)

    def run(self, fn: Callable[[], Any]) -> Any:
        async def call() -> Any:
            return fn()
        return self.call(call())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class OnLoop:
    """The agencies' session seen from the runner's thread: every call runs on the court's loop."""

    def __init__(self, target: Any, loop: LoopThread, driver: RealtimeDriver | None = None) -> None:
        self._target = target
        self._loop = loop
        self._driver = driver  # the real-time court's whose agencies these are (disposal, other courts)

    @property
    def _court(self) -> Any:
        return None if self._driver is None else self._driver.court

    def attach_disposal(self, scenario: Any) -> None:
        """The court's disposal port on first use: the served session's pricing and auction platforms, called in
        process on the court's loop (the port is synchronous; an HTTP call to a server on the same loop would wait
        for itself), without simulated bidders (``bid`` steps bid), counting the balance term as the scenario says
        (``auction_platform``) — as the in-process runner wires them."""
        court = self._court
        if court is None or court.platform.disposal.port is not None:
            return
        from mock_agencies.auction import BidderModel
        from mock_agencies.disposal_port import SessionDisposalPort
        from scenarios.actions import set_balance_due_count

        def attach() -> None:
            court.platform.disposal.port = SessionDisposalPort(self._target)
            self._target.auction.model = BidderModel(max_bidders=0)
            set_balance_due_count(self._target.auction, scenario)

        self._loop.run(attach)

    def another_court(self, identity: Any) -> Target:
        """Another court of the scenario (``cases:`` with ``court:``): zhixing's engine on the same real-time clock
        and loop, reaching the same agencies' session in process (the court under test talks HTTP; this one is the
        scenario's scenery), its commands pinned at the runner's instant like the main court's."""
        from core_flow.assembly import CounterpartSpec, CourtSpec, build_court
        from sim.counterparts import InProcess

        main = self._driver
        assert main is not None and main.court is not None
        court = main.court

        def build() -> Any:
            spec = CourtSpec(origin=court.spec.origin, seed=court.spec.seed, court=identity,
                             strict_calendar=court.spec.strict_calendar,
                             counterpart=CounterpartSpec(kind="inprocess", profile=court.spec.counterpart.profile,
                                                         overrides=dict(court.spec.counterpart.overrides)))
            return build_court(spec, clock=court.clock, counterpart=InProcess.sharing(self._target))

        other = self._loop.run(build)
        return Target(_OtherCourtDriver(main, other), self, None, closer=lambda: None)

    def other_court_port(self) -> OnLoop:
        """Another court's port on the same agencies (a 轮候 story's other court), used on the court's loop: its
        requests act at the runner's held instant, as the court's own."""
        from mock_agencies.port import SessionPort

        return OnLoop(self._loop.run(lambda: SessionPort(self._target)), self._loop)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name == "world":
            return OnLoop(value, self._loop)
        if callable(value):
            return lambda *a, **kw: self._loop.run(lambda: value(*a, **kw))
        return value


class RealtimeDriver:
    """zhixing's engine on the real-time clock, driven from another thread."""

    def __init__(self, loop: LoopThread, *, scale: float, settle: float = 0.02) -> None:
        self.loop = loop
        self.scale = scale
        self.settle = settle
        self.court: Any = None
        self._cm: Any = None
        self._instant: datetime | None = None  # the step's instant: commands act "at" it
        self.process: Any = None  # the court's process (core_flow.model.Process) for the next reset; None: bundled

    def reset(self, setup: RunSetup) -> Clock:
        from core_flow.assembly import CounterpartSpec, CourtSpec, open_court
        from core_flow.platform import DEFAULT_COURT
        from core_flow.platform import Court as CourtIdentity

        self.close()
        court = DEFAULT_COURT if setup.court is None else CourtIdentity(
            setup.court.code, setup.court.name, setup.court.region, setup.court.intermediate, setup.court.high)
        spec = CourtSpec(origin=setup.origin, clock="realtime", scale=self.scale, logical_time=True,
                         seed=setup.seed, court=court, strict_calendar=setup.strict_calendar, process=self.process,
                         counterpart=CounterpartSpec(kind="served", profile=setup.agencies.profile,
                                                     overrides=dict(setup.agencies.overrides)))

        async def open_() -> Any:
            cm = open_court(spec)
            return cm, await cm.__aenter__()

        self._cm, self.court = self.loop.call(open_())
        self._instant = setup.origin
        self.inner = EngineDriver(self.court)
        return Clock(now=setup.origin)

    def close(self) -> None:
        if self._cm is not None:
            cm, court, self._cm, self.court = self._cm, self.court, None, None
            self.loop.run(lambda: court.clock.hold(None))  # time runs again while the court shuts down
            self.loop.call(cm.__aexit__(None, None, None))

    def now(self) -> datetime:
        return self._instant

    def advance(self, to: datetime) -> datetime:
        court = self.court

        async def wait() -> None:
            clock = court.clock
            at = max(to, self._instant)
            clock.hold(None)  # time runs again up to the next step
            if to > clock.real_now():
                reached = asyncio.Event()

                def reach() -> None:  # held in the loop's own timer callback: a timer due a moment later (a
                    clock.hold(at)  # microsecond of real time at a high scale) must not slip in before the hold
                    reached.set()

                clock.loop.call_at(clock.loop_time_of(to), reach)  # after the timers due by then
                await reached.wait()
            clock.hold(at)  # the step's instant: its reactions land at it
            for _ in range(3):
                await asyncio.sleep(0)
            await self._settle(max(to, self._instant))

        # the clock needs the span's real seconds to get there (it stands at the step's instant until now)
        span = max((to - self._instant).total_seconds(), 0.0) / self.scale
        self.loop.call(wait(), timeout=TIMEOUT + SETTLE_MAX + span)
        self._instant = max(to, self._instant)
        return self._instant

    async def _settle(self, at: datetime) -> None:
        """Let the reactions over HTTP land: at least ``settle`` real seconds, then as long as the court still has
        calls out or the agencies have an answer, callback or notice due by ``at`` not yet delivered (a loaded
        machine answers slower), up to ``SETTLE_MAX``."""
        gateway = self.court.gateway
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self.settle)
        deadline = loop.time() + SETTLE_MAX
        while loop.time() < deadline and (self._agencies_owe(at) or getattr(gateway.transport, "in_flight", 0) or any(
                a["in_flight"] or a["queued"] for a in gateway.stats()["agencies"].values())):
            await asyncio.sleep(0.005)

    def _agencies_owe(self, at: datetime) -> bool:
        """The served agencies have something due by ``at`` (an answer, a callback, a freeze lapsing, an auction
        or pricing event) or a callback out: their ticker is woken to deliver it."""
        counterpart = self.court.counterpart
        session = getattr(counterpart, "session", None)
        if session is None:
            return False
        due = session.next_due()
        owe = session.outbox.attempting > 0 or (due is not None and due <= at)
        sessions = getattr(counterpart, "sessions", None)
        if owe and due is not None and due <= at and sessions is not None:
            sessions.wake.set()
        return owe

    def _pinned(self, fn: Callable[[], Any]) -> Any:
        def call() -> Any:
            with self.court.clock.at(self._instant):
                return fn()
        return self.loop.run(call)

    def file(self, filing: Any) -> Any:
        return self._pinned(lambda: self.inner.file(filing))

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> Any:
        return self._pinned(lambda: self.inner.command(case_id, type, fields))

    def __getattr__(self, name: str) -> Any:  # events, nodes, case, assets, amounts, lots: read on the loop
        if name in ("events", "nodes", "case", "assets", "amounts", "lots"):
            method = getattr(self.inner, name)
            return lambda *a: self.loop.run(lambda: method(*a))
        raise AttributeError(name)


class _OtherCourtDriver(RealtimeDriver):
    """Another court's engine beside the main real-time court: the main's loop, clock and step instant."""

    def __init__(self, main: RealtimeDriver, court: Any) -> None:  # not RealtimeDriver.__init__: shares the main
        self.main = main
        self.loop = main.loop
        self.court = court
        self.inner = EngineDriver(court)
        self._cm = None

    @property
    def _instant(self) -> datetime | None:  # type: ignore[override]
        return self.main.now()

    def reset(self, setup: RunSetup) -> Clock:
        raise NotImplementedError("another court is built by the main court's agencies")

    def now(self) -> datetime:
        return self.main.now()

    def advance(self, to: datetime) -> datetime:
        return self.main.advance(to)

    def close(self) -> None:
        return None


def realtime_factory(scale: float, *, strict_calendar: bool | None = None,
                     settle: float = 0.02) -> Callable[[Any, Any], Target]:
    """Each scenario on a fresh real-time court (``scale`` virtual seconds per real second) and live agencies."""
    if not scale or scale <= 0:
        raise UserError("--realtime 须给出正的 --scale（每真实秒的虚拟秒数）",
                        "--realtime needs a positive --scale (virtual seconds per real second)", where="--scale",
                        code="bad_scale")
    from core_flow.driver.protocol import AgenciesSetup, CourtIdentity

    def build(sc: Any, court: Any) -> Target:
        loop = LoopThread()
        driver = RealtimeDriver(loop, scale=scale, settle=settle)
        driver.process = sc.court_process
        try:
            driver.reset(RunSetup(origin=sc.case.filed, seed=sc.seed, strict_calendar=strict_calendar,
                                  court=CourtIdentity(code=court.code, name=court.name, region=court.region,
                                                      intermediate=court.intermediate, high=court.high),
                                  agencies=AgenciesSetup(profile=sc.profile, overrides=dict(sc.agencies or {}))))
        except BaseException:
            loop.stop()
            raise

        def close() -> None:
            try:
                driver.close()
            finally:
                loop.stop()

        return Target(driver, OnLoop(driver.court.counterpart.session, loop, driver), None, close)

    build.takes_process = True  # type: ignore[attr-defined]  # zhixing's engine: the scenario's process
    return build
