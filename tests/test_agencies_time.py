"""One time source per run (issue 10, point 2): the agencies' clock follows an in-process court's clock, and an
HTTP court aligns a served namespace once at start (``PUT /admin/sessions/{ns}/clock``).

Virtual time is skipped, never slept through; the one real wait is the "day of compressed real time" of the
issue's test (86.4 ms at 1,000,000×), awaited on the court's own clock timer."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from core_flow.clocks import AsyncioClock, SimClock
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.protocol import ControlRequest, Measure, Subject, SubjectKind
from mock_agencies.app import create_app
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import VirtualClock
from mock_agencies.namespaces import SessionManager
from mock_agencies.port import SessionPort
from mock_agencies.session import SessionConfig
from mock_agencies.settings import Settings
from mock_agencies.timeline import SessionRunner
from tests.test_agencies_live import LiveServer, free_port

ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
DAY = timedelta(days=1)
SCALE = 1_000_000.0
TICK = timedelta(seconds=SCALE / 1000)  # one millisecond of real time at the compression
CATALOGUE = load_catalogue()


def following_session(source):
    settings = Settings(world_size=200, background=False, time_scale=0.0, profile="fast", origin=ORIGIN)
    manager = SessionManager(settings, CATALOGUE)
    slow = {"bank": {"latency": {"query": {"min_seconds": 600}}}}  # answers 10 minutes after the submit
    config = SessionConfig(seed=3, profile="fast", overrides=slow, time_scale=0.0, origin=ORIGIN)
    return manager, manager.create("court", config, clock=VirtualClock(source=source))


def query(n: int, session) -> ControlRequest:
    debtor = session.world.debtor(0)
    subject = Subject(kind=SubjectKind(debtor.kind), name=debtor.name, id_number=debtor.id_number)
    return ControlRequest(request_no=f"T-{n}", measure=Measure.QUERY, case_no="(2026)豫0811执1号",
                          court_code="R410811", subject=subject)


def test_a_session_following_the_court_clock_reads_the_same_instant_and_answers_on_it() -> None:
    court = SimClock(ORIGIN)
    manager, session = following_session(court.now)
    assert session.now() == court.now() == ORIGIN and session.clock.follows
    port = SessionPort(session)
    ticket = port.submit("icbc", query(1, session), court.now())
    assert ticket.agency == "icbc"
    due = port.next_due()
    assert due == ORIGIN + timedelta(minutes=10)
    court.advance(DAY)  # the court's time moves; the agencies' is the same instant, without any call
    assert session.now() == court.now() == ORIGIN + DAY
    answers = port.collect(court.now())
    assert [a.request_no for a in answers] == ["T-1"] and answers[0].answered_at == due


def test_a_following_clock_cannot_be_moved_or_aligned_apart_from_its_source() -> None:
    court = SimClock(ORIGIN)
    manager, session = following_session(court.now)
    with pytest.raises(ValueError):
        session.clock.skip_to(ORIGIN + DAY)
    session.clock.skip_to(ORIGIN)  # the source's own instant: nothing to do
    with pytest.raises(UserError) as err:
        asyncio.run(SessionRunner(session).advance(by=DAY))
    assert err.value.code == "conflict" and "跟随" in err.value.zh and "follows" in err.value.en
    with pytest.raises(UserError) as err:
        session.align_clock(ORIGIN + DAY, 1.0)
    assert err.value.code == "conflict"
    assert session.now() == ORIGIN


class FakeLoop:
    """The event loop's monotonic time, moved by the test (AsyncioClock reads only ``loop.time()``)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def time(self) -> float:
        return self.t


def test_a_session_following_a_compressed_real_time_court_does_not_drift() -> None:
    loop = FakeLoop()
    court = AsyncioClock(ORIGIN, scale=SCALE, loop=loop)  # type: ignore[arg-type]
    manager, session = following_session(court.now)
    assert session.now() == court.now() == ORIGIN
    loop.t += DAY.total_seconds() / SCALE  # a day of compressed real time
    assert session.now() == court.now()
    assert abs(session.now() - (ORIGIN + DAY)) < TICK


async def _agencies_now(client: httpx.AsyncClient, court: AsyncioClock) -> tuple[datetime, datetime, datetime]:
    before = court.now()
    r = await client.get("/admin/sessions/default/clock")
    after = court.now()
    assert r.status_code == 200, r.text
    return before, datetime.fromisoformat(r.json()["now"]), after


def _read_together(court: AsyncioClock) -> dict[str, object]:
    """The court's now and the real instant it was read at (``real_anchor``), read within 0.1 ms of each other (a
    tenth of TICK): read one after the other, a busy machine's pause of a millisecond in between (17 virtual minutes,
    more than TICK) set the agencies that far off the court — the alignment test then failed, though the alignment
    was right. Retried until the wall clock's reads around the court's are that close (at once, but on a busy
    machine)."""
    wall = create_app.__globals__["WALL_CLOCK"]
    for _ in range(1000):
        anchor = wall()
        now = court.now()
        if wall() - anchor < 1e-4:
            break
    return {"now": now.isoformat(), "real_anchor": anchor}


async def _wait_virtual(court: AsyncioClock, delta: timedelta) -> None:
    done = asyncio.Event()
    court.call_at(court.now() + delta, done.set)
    await asyncio.wait_for(done.wait(), timeout=10)


async def test_an_http_court_aligns_the_served_agencies_once_and_they_stay_within_a_tick() -> None:
    settings = Settings(port=free_port(), world_size=200, time_scale=SCALE, profile="fast", origin=ORIGIN)
    with LiveServer(settings) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
            assert (await client.get("/admin/sessions/default")).status_code == 200  # its clock starts running
            # the agencies well ahead of a court started later (the drift issue 10 measured in `zhixing demo`): a
            # month of virtual time, 2.6 s of real time at this compression — relying on the real gap between the
            # two starts alone (a millisecond is 17 virtual minutes) failed on a loaded machine, where one
            # request's round trip took longer than that gap
            r = await client.post("/admin/sessions/default/advance", json={"seconds": 30 * DAY.total_seconds()})
            assert r.status_code == 200, r.text
            court = AsyncioClock(ORIGIN, scale=SCALE)
            before, agencies, after = await _agencies_now(client, court)
            assert agencies > after  # unaligned: ahead (by the month, less the round trip: fails only past 2.6 s)

            r = await client.put("/admin/sessions/default/clock", json={**_read_together(court), "time_scale": SCALE})
            assert r.status_code == 200, r.text
            assert r.json()["time_scale"] == SCALE and r.json()["shift_seconds"] < 0  # moved back to the court

            before, agencies, after = await _agencies_now(client, court)
            assert before - TICK <= agencies <= after + TICK
            await _wait_virtual(court, DAY)  # a day of compressed real time
            before, agencies, after = await _agencies_now(client, court)
            assert after - ORIGIN >= DAY
            assert before - TICK <= agencies <= after + TICK


async def test_aligning_back_is_refused_once_the_namespace_has_tickets_and_bad_anchors_are_located() -> None:
    app = create_app(Settings(world_size=200, background=False, time_scale=0.0, profile="fast", origin=ORIGIN),
                     wall_clock=lambda: 1_000_000.0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
        ns = "/admin/sessions/align"
        assert (await client.put(ns, json={})).status_code == 200
        r = await client.put(f"{ns}/clock", json={"now": "2026-03-01T09:00:00+08:00", "time_scale": 0,
                                                  "real_anchor": 1_000_000.0})
        assert r.status_code == 200 and r.json()["now"] == "2026-03-01T09:00:00+08:00"  # fresh: back is fine
        r = await client.put(f"{ns}/clock", json={"now": "2026-03-01T09:00:00", "time_scale": 10,
                                                  "real_anchor": 999_990.0})
        aligned = datetime.fromisoformat(r.json()["now"]) - datetime(2026, 3, 1, 9, 1, 40, tzinfo=CST)
        assert timedelta(0) <= aligned < timedelta(seconds=1)  # 10 real seconds since the anchor at 10× (and µs)
        debtor = (await client.get(f"{ns}/debtors/0")).json()
        body = {"request_no": "Q-1", "measure": "00", "case_no": "(2026)豫0811执1号", "court_code": "R410811",
                "subject": {"kind": debtor["kind"], "name": debtor["name"], "id_number": debtor["id_number"]}}
        r = await client.post("/agencies/icbc/requests", json=body, headers={"X-Zhixing-Session": "align"})
        assert r.status_code in (200, 201, 202), r.text
        r = await client.put(f"{ns}/clock", json={"now": "2026-02-01T09:00:00+08:00", "time_scale": 0})
        assert r.status_code == 409
        error = r.json()["error"]
        assert error["where"] == "body.now" and "倒退" in error["zh"] and "cannot go back" in error["en"]
        r = await client.put(f"{ns}/clock", json={"now": "2026-03-01T09:00:00", "time_scale": 0,
                                                  "real_anchor": 1.0})
        assert r.status_code == 422 and r.json()["error"]["where"] == "body.real_anchor"
        spec = (await client.get("/openapi.json")).json()
        route = spec["paths"]["/admin/sessions/{namespace}/clock"]["put"]
        assert "real_anchor" in route["description"] and "对齐" in route["summary"]
