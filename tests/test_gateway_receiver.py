"""The callback receiver through httpx's ASGI transport: duplicates acknowledged and delivered once, a bad
body refused with a bilingual field-level 422; and the whole loop in process — gateway → mock agencies
(ASGI, with faults) → callbacks (duplicated, reordered) → receiver → gateway — answered exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from core_flow.clocks import AsyncioClock
from core_flow.gateway import Gateway, GatewayConfig, GatewayEvent, HttpTransport, RequestState, RetryPolicy
from core_flow.gateway.receiver import create_receiver_app
from core_flow.legal_calendar import CST
from core_flow.protocol import ControlRequest, Feedback, Measure, Subject, SubjectKind
from mock_agencies.app import create_app
from mock_agencies.settings import Settings

ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
RECEIVER = "http://receiver.test"
SUBJECT = Subject(kind=SubjectKind.PERSON, name="张三", id_number="41081119900307001X")


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class Loop:
    """A gateway on a compressed asyncio clock, with its receiver app behind an ASGI client."""

    def __init__(self, transport: HttpTransport, config: GatewayConfig | None = None) -> None:
        self.events: list[GatewayEvent] = []
        self.answers: list[Feedback] = []
        self.changed = asyncio.Event()
        self.clock = AsyncioClock(ORIGIN, scale=1_000_000.0)
        self.gateway = Gateway(
            transport,
            self.clock,
            config=config,
            on_event=self._note(self.events),
            on_answer=self._note(self.answers),
        )
        app = create_receiver_app(self.gateway)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=RECEIVER)

    def _note(self, into: list) -> Callable:
        def note(item: object) -> None:
            into.append(item)
            self.changed.set()

        return note

    async def until(self, predicate: Callable[[], bool], timeout: float = 8.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.001)


class NoTransport:
    """The receiver tests need no agency: requests are never sent anywhere."""

    def connect(self, deliver) -> None: ...

    def submit(self, agency, request, done, *, timeout=None) -> None: ...

    def poll(self, agency, ticket_id, done, *, timeout=None) -> None: ...


def feedback(request_no: str = "REQ-1", ticket_id: str = "TK000001") -> Feedback:
    return Feedback(
        ticket_id=ticket_id,
        request_no=request_no,
        agency="icbc",
        measure=Measure.QUERY,
        answered_at=ORIGIN,
        ok=True,
        code="0000",
    )


def query(n: int) -> ControlRequest:
    return ControlRequest(
        request_no=f"REQ-{n}",
        court_code="R410811",
        case_no="(2026)豫0811执1号",
        measure=Measure.QUERY,
        subject=SUBJECT,
    )


async def test_feedback_posted_twice_is_acknowledged_twice_and_delivered_once() -> None:
    loop = Loop(NoTransport())  # type: ignore[arg-type]
    loop.gateway.send("icbc", query(1))
    body = feedback().model_dump(mode="json")
    async with loop.client as client:
        first = await client.post("/callbacks/feedback", json=body)
        second = await client.post("/callbacks/feedback", json=body)
        stranger = await client.post("/callbacks/feedback", json=feedback("REQ-404").model_dump(mode="json"))
    assert first.status_code == second.status_code == stranger.status_code == 200
    assert first.json()["matched"] is True and second.json()["matched"] is False
    assert stranger.json()["matched"] is False  # acknowledged (or the agency retries forever), not delivered
    assert loop.answers == [feedback()]
    kinds = Counter(e.kind for e in loop.events)
    assert kinds["answer"] == 1 and kinds["duplicate_answer"] == 1 and kinds["unmatched_answer"] == 1
    assert loop.gateway.state_of("icbc", "REQ-1") is RequestState.ANSWERED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in feedback().model_dump(mode="json").items() if k != "ok"}, "ok"),
        ({**feedback().model_dump(mode="json"), "answered_at": "yesterday"}, "answered_at"),
        ({**feedback().model_dump(mode="json"), "measure": "99"}, "measure"),
        ({**feedback().model_dump(mode="json"), "surprise": 1}, "surprise"),
    ],
)
async def test_bad_body_is_422_with_a_bilingual_field_message(body: dict, field: str) -> None:
    loop = Loop(NoTransport())  # type: ignore[arg-type]
    async with loop.client as client:
        r = await client.post("/callbacks/feedback", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert has_chinese(error["zh"]) and not has_chinese(error["en"]) and error["en"]
    assert field in error["where"] and any(f["field"] == field for f in error["fields"])
    for f in error["fields"]:
        assert has_chinese(f["zh"]) and f["en"]
    assert error["message"].index(error["zh"]) < error["message"].index(error["en"])  # Chinese first
    assert not loop.answers and not loop.events


async def test_not_json_is_422_bilingual() -> None:
    loop = Loop(NoTransport())  # type: ignore[arg-type]
    async with loop.client as client:
        r = await client.post(
            "/callbacks/feedback", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert r.status_code == 422 and has_chinese(r.json()["error"]["zh"])


async def test_whole_loop_in_process_with_faults_duplicates_and_reordering() -> None:
    """Real mock agencies over ASGI (30 % submit faults, half the callbacks duplicated, half delayed): every
    request is accepted once at the agency and answered once to the caller."""
    agencies = create_app(Settings(time_scale=0.0, world_size=2000, background=False, profile="realistic",
                                    callback_hosts=("receiver.test",)))
    headers = {"X-Zhixing-Session": "loop"}
    overrides = {
        "*": {
            "faults": {"error_5xx": 0.1, "timeout": 0.05, "reset": 0.05, "rate_limit": 0.1},
            "callbacks": {"duplicate_rate": 0.5, "reorder_rate": 0.5, "reorder_max_delay_seconds": 3600},
        }
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=agencies), base_url="http://agencies.test"
    ) as ac:
        r = await ac.put(
            "/admin/sessions/loop",
            json={"profile": "realistic", "seed": 4, "overrides": overrides, "origin": ORIGIN.isoformat()},
        )
        assert r.status_code == 200, r.text
        debtor = (await ac.get("/admin/sessions/loop/debtors/0")).json()
        subject = Subject(kind=debtor["kind"], name=debtor["name"], id_number=debtor["id_number"])
        transport = HttpTransport(ac, headers=headers)
        config = GatewayConfig(
            retry=RetryPolicy(attempts=15, base=1, cap=60),
            breaker_threshold=4,
            breaker_cooldown=timedelta(seconds=30),
            callback_url=f"{RECEIVER}/callbacks/feedback",
        )
        loop = Loop(transport, config)
        requests = [query(n).model_copy(update={"subject": subject}) for n in range(30)]
        for n, req in enumerate(requests):
            loop.gateway.send(("icbc", "ccb", "abc")[n % 3], req)
        accepted = ("accepted", "duplicate_ticket")
        await loop.until(lambda: sum(e.kind in accepted for e in loop.events) == len(requests))
        assert loop.gateway.stats()["retries"] > 0  # faults happened and were retried
        session = agencies.state.sessions.require("loop")
        async with loop.client as receiver:
            await agencies.state.sessions.runner("loop").advance(by=timedelta(days=3), client=receiver)
        await transport.aclose()
    delivered = Counter(fb.request_no for fb in loop.answers)
    assert sorted(delivered) == sorted(r.request_no for r in requests) and set(delivered.values()) == {1}
    assert loop.gateway.pending == 0
    assert Counter(e.kind for e in loop.events)["duplicate_answer"] > 0  # the agencies did duplicate
    journal = Counter(e["outcome"] for e in session.journal.entries(kind="submit"))
    assert journal["accepted"] == len(requests)


@pytest.mark.parametrize(("logical", "offset", "pinned"), [
    (True, timedelta(minutes=1), True),  # between the sending and now: at the agency's answer instant
    (True, timedelta(minutes=-1), False),  # before the request was sent (a skewed agency): at the court's now
    (False, timedelta(minutes=1), False),  # a service's clock (not logical): at the court's now
])
async def test_an_answer_by_callback_is_recorded_at_the_agencys_answer_instant_on_a_logical_clock(
        logical: bool, offset: timedelta, pinned: bool) -> None:
    loop = Loop(NoTransport())  # type: ignore[arg-type]
    loop.clock = loop.gateway.clock = AsyncioClock(ORIGIN, scale=1_000_000.0, logical=logical)
    seen: list[datetime] = []
    loop.gateway.on_answer = lambda fb: seen.append(loop.clock.now())
    sent = loop.clock.now()
    with loop.clock.at(sent):  # the request's first sending is ``sent`` itself: read after the send, a busy machine's
        loop.gateway.send("icbc", query(1))  # 60 µs (a virtual minute) in between made "1 minute before" pinned
    await asyncio.sleep(0.02)  # 20 ms real: 5.5 virtual hours later the callback arrives
    answered = sent + offset
    body = feedback().model_copy(update={"answered_at": answered}).model_dump(mode="json")
    async with loop.client as client:
        assert (await client.post("/callbacks/feedback", json=body)).json()["matched"] is True
    answer = next(e for e in loop.events if e.kind == "answer")
    if pinned:
        assert seen == [answered] and answer.at == answered
    else:
        assert seen[0] > sent + timedelta(hours=1) and answer.at > sent + timedelta(hours=1)
