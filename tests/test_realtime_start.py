"""A real-time court starts its virtual time at its origin when it is handed over, whatever its start-up cost.

Found on 2026-12-07 (review R20, H52; fixed by H54): ``zhixing demo --start 2026-12-07`` filed its first case 4–25
virtual days after the start day, not "from that day at 09:00" as the README says. ``open_court`` made its
``AsyncioClock`` before starting the servers (the agencies' world under uvicorn, the court's receivers), so every
real second of start-up — 11.6 virtual days at 1,000,000× — was virtual time gone before the caller's first act.
Now the clock stands at its origin until the court is handed over (``AsyncioClock(started=False)``, ``start()``),
timers set while it stands are armed when it starts, and virtual time never goes back.

Real time is not waited for: the loop's clock is a fake (``BusyLoop``) or the running loop read ahead by a
``_Shifted`` offset that the test moves — a second of start-up passes in no time.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import Request  # at module level: the routes' annotations are resolved in its globals

from core_flow.assembly import ClockKind, CounterpartSpec, CourtSpec, open_court
from core_flow.clocks import AsyncioClock
from core_flow.legal_calendar import CST
from tests.test_clocks import BusyLoop

ORIGIN = datetime(2026, 12, 7, 9, 0, tzinfo=CST)
SCALE = 1_000_000.0  # the demo's: a real second is 11.6 virtual days


def test_a_clock_made_standing_reads_its_origin_until_started_and_runs_from_it() -> None:
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1000.0, loop=loop, started=False)  # type: ignore[arg-type]
    loop.t += 50.0  # fifty real seconds of start-up
    assert not clock.started and clock.now() == ORIGIN and clock.real_now() == ORIGIN
    fired: list[str] = []
    clock.call_at(ORIGIN + timedelta(seconds=10), lambda: fired.append("a"))
    clock.call_at(ORIGIN + timedelta(seconds=10), lambda: fired.append("b"))
    clock.call_at(ORIGIN + timedelta(seconds=20), lambda: fired.append("cancelled")).cancel()
    early = clock.call_at(ORIGIN + timedelta(seconds=30), lambda: fired.append("early"))
    clock.run_early(early)  # run before the clock starts: not run again once it does
    assert loop.calls == [] and fired == ["early"]  # nothing on the loop while the clock stands
    with pytest.raises(RuntimeError):
        clock.loop_time_of(ORIGIN)

    clock.start()
    assert clock.started and clock.now() == ORIGIN  # from the origin, not 50 × 1000 virtual seconds on
    assert [round(call.when - loop.t, 6) for call in loop.calls] == [0.01, 0.01]  # armed from the start, in order
    assert loop.calls[0].when < loop.calls[1].when
    loop.t += 2.0
    assert clock.now() == ORIGIN + timedelta(seconds=2000)
    clock.start()  # a running clock is left as it is
    assert clock.now() == ORIGIN + timedelta(seconds=2000)
    for call in loop.calls:
        call.callback()
    assert fired == ["early", "a", "b"]


def test_a_clock_made_running_is_as_before() -> None:
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1000.0, loop=loop)  # type: ignore[arg-type]
    loop.t += 1.0
    assert clock.started and clock.now() == ORIGIN + timedelta(seconds=1000)


class _Shifted:
    """The running loop with its clock read ``shift`` seconds ahead: a test spends real seconds by moving it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.shift = loop, 0.0

    def time(self) -> float:
        return self.loop.time() + self.shift

    def call_at(self, when: float, callback: Any) -> asyncio.TimerHandle:
        return self.loop.call_at(when - self.shift, callback)


class SlowStart:
    """A real-time counterpart whose start-up takes a (fake) real second: 11.6 virtual days at ``SCALE``. It is never
    called over HTTP (no case is filed)."""

    name = "slow"
    accounts = None
    admin = None
    base_url = "http://127.0.0.1:9"
    last: SlowStart | None = None

    def __init__(self, spec: Any, clock: Any = None) -> None:
        self.seen_at_start: Any = None
        self.aligned: list[Any] = []
        self.clock: Any = None
        SlowStart.last = self

    def directory_rows(self) -> list[dict[str, Any]]:
        return [{"code": "icbc", "name": "工商银行", "group": "national_bank", "operations": ["00", "01"]}]

    async def start(self, clock: Any) -> None:
        self.clock = clock
        clock.loop = _Shifted(clock.loop)  # the court's clock reads the loop through the shift from now on
        self.seen_at_start = clock.now()
        clock.loop.shift += 1.0  # a real second of start-up (the agencies' world, uvicorn)

    async def clock_started(self, clock: Any) -> None:
        self.aligned.append((clock.started, clock.now()))

    async def stop(self) -> None:
        return None

    def close(self) -> None:
        return None


def _spec() -> CourtSpec:
    return CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME, scale=SCALE,
                     counterpart=CounterpartSpec(kind="tests.test_realtime_start:SlowStart"))


async def test_the_court_is_handed_over_at_its_origin_however_long_its_start_up_took() -> None:
    async with open_court(_spec()) as court:
        at_handover = court.clock.now()
        # before H54: origin + 11.6 days (the second of start-up); now the clock starts at the handover
        assert ORIGIN <= at_handover < ORIGIN + timedelta(hours=6), at_handover
        slow = SlowStart.last
        assert slow is not None and slow.seen_at_start == ORIGIN  # it stood at the origin while the servers started
        assert [started for started, _ in slow.aligned] == [True]  # a counterpart's own clock: aligned once it runs
        assert ORIGIN <= slow.aligned[0][1] <= at_handover


async def test_a_court_handed_over_standing_runs_from_its_origin_when_started() -> None:
    """``started=False`` (the demo): the caller prepares at the origin, however long that takes, then starts it; a
    timer set while the clock stood runs at its own instant after the start."""
    async with open_court(_spec(), started=False) as court:
        slow = SlowStart.last
        assert slow is not None and not court.clock.started and slow.aligned == []
        fired: list[Any] = []
        court.clock.call_at(ORIGIN + timedelta(hours=1), lambda: fired.append(court.clock.now()))
        court.clock.loop.shift += 5.0  # five real seconds of preparing: 58 virtual days, were the clock running
        assert court.clock.now() == ORIGIN
        await court.start()
        assert ORIGIN <= court.clock.now() < ORIGIN + timedelta(hours=1) and len(slow.aligned) == 1
        await court.start()  # once
        assert len(slow.aligned) == 1
        await court.wait_until(ORIGIN + timedelta(hours=1, minutes=1))  # 3.7 ms of real time
        await asyncio.sleep(0)
        assert len(fired) == 1 and fired[0] >= ORIGIN + timedelta(hours=1)


async def test_a_mock_servers_namespace_clock_is_aligned_once_the_courts_clock_runs() -> None:
    """The ``http`` counterpart aligns zhixing's mock server's namespace clock with the court's: when it runs, not
    while it stands at the origin during the court's start-up (the server's clock would run ahead by it)."""
    from fastapi import FastAPI

    from core_flow.net import HOST, free_port, serve

    server = FastAPI()
    seen: dict[str, Any] = {}
    holder: dict[str, Any] = {}

    @server.get("/agencies")
    def agencies() -> list[dict]:
        return [{"code": "icbc", "name": "工商银行", "group": "national_bank", "operations": ["00", "01"]}]

    @server.get("/admin/sessions")
    def sessions() -> dict:
        return {}

    @server.get("/admin/sessions/{ns}")
    def session(ns: str) -> dict:
        return {"namespace": ns}

    @server.put("/admin/sessions/{ns}/clock")
    def clock(ns: str, body: dict) -> dict:
        court_clock = holder.get("clock")
        seen["court_running"] = court_clock is not None and getattr(court_clock, "started", False)
        seen["now"] = body["now"]
        return {"now": body["now"], "time_scale": body["time_scale"]}

    import core_flow.clocks

    made = core_flow.clocks.AsyncioClock

    def keep(*args: Any, **kwargs: Any) -> AsyncioClock:  # the court's clock, for the server to look at
        holder["clock"] = made(*args, **kwargs)
        return holder["clock"]

    port = free_port()
    served = await serve(server, HOST, port)
    mp = pytest.MonkeyPatch()
    mp.setattr(core_flow.clocks, "AsyncioClock", keep)
    try:
        spec = CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME, scale=1000.0,
                         counterpart=CounterpartSpec(kind="http", url=f"http://{HOST}:{port}"))
        async with open_court(spec) as court:
            assert court.counterpart.admin is not None and seen["court_running"] is True
            assert seen["now"].startswith("2026-12-07T09:")
    finally:
        mp.undo()
        await served.stop()


async def test_waiting_on_a_court_handed_over_standing_is_refused_until_it_is_started() -> None:
    """``open_court(started=False)`` and no ``start()``: ``wait_until`` slept the real time the instant is away and
    returned with the clock still at the origin — a caller waiting in a loop for an instant (the demo's ``_wait``)
    waited for ever. It is refused instead (review R24); once started it waits as before."""
    async with open_court(_spec(), started=False) as court:
        with pytest.raises(RuntimeError, match="start"):
            await court.wait_until(ORIGIN + timedelta(hours=1))
        assert court.clock.now() == ORIGIN
        await court.start()
        await court.wait_until(ORIGIN + timedelta(hours=1))  # 3.6 ms of real time
        assert court.clock.now() > ORIGIN + timedelta(minutes=59)  # (the loop may wake within its resolution)


async def test_the_clock_put_leaves_on_a_connection_already_made() -> None:
    """The ``http`` counterpart reads the court's now as its ``PUT …/clock`` is sent and the server anchors it at
    receipt, so the namespace's clock lags the court's by that request's latency. Since H54 the PUT was the first
    request of a new client — a TCP set-up inside the latency (median 5.8 ms against 1.8 ms on a warm connection
    on loopback, p90 24 ms against 2.9 ms: 1–6 virtual hours at 1,000,000×; review R24). It now leaves on a
    connection a request has already used."""
    from fastapi import FastAPI

    from core_flow.net import HOST, free_port, serve

    server = FastAPI()
    peers: list[tuple[str, Any]] = []  # (what, the client's address) per request, in order

    @server.get("/agencies")
    def agencies(request: Request) -> list[dict]:
        peers.append(("agencies", request.client))
        return [{"code": "icbc", "name": "工商银行", "group": "national_bank", "operations": ["00", "01"]}]

    @server.get("/admin/sessions")
    def sessions(request: Request) -> dict:
        peers.append(("sessions", request.client))
        return {}

    @server.get("/admin/sessions/{ns}")
    def session(ns: str, request: Request) -> dict:
        peers.append(("session", request.client))
        return {"namespace": ns}

    @server.put("/admin/sessions/{ns}/clock")
    def clock(ns: str, body: dict, request: Request) -> dict:
        peers.append(("clock", request.client))
        return {"now": body["now"], "time_scale": body["time_scale"]}

    port = free_port()
    served = await serve(server, HOST, port)
    try:
        spec = CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME, scale=1000.0,
                         counterpart=CounterpartSpec(kind="http", url=f"http://{HOST}:{port}"))
        async with open_court(spec) as court:
            assert court.counterpart.admin is not None
        put = [i for i, (what, _) in enumerate(peers) if what == "clock"]
        assert len(put) == 1, peers
        assert peers[put[0]][1] in [peer for _, peer in peers[:put[0]]], peers  # the PUT's connection was made before
    finally:
        await served.stop()
