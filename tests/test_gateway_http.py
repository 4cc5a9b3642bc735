"""The gateway over HTTP, stubbed with respx: retry (503, 429 + Retry-After, timeouts, resets), idempotency,
final 4xx, giving up, the circuit breaker, per-agency concurrency, duplicated and reordered callbacks,
polling. Time is an ``AsyncioClock`` compressed a millionfold: virtual waits pass in microseconds, and tests
await events (with a real-time timeout), never sleep."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from core_flow.clocks import AsyncioClock
from core_flow.errors import UserError
from core_flow.gateway import (
    Gateway,
    GatewayConfig,
    GatewayEvent,
    HttpTransport,
    RequestState,
    RetryPolicy,
)
from core_flow.gateway.http import parse_retry_after
from core_flow.legal_calendar import CST
from core_flow.protocol import (
    HUB,
    AgencyAnswer,
    ControlRequest,
    Feedback,
    Holding,
    HubBatch,
    Measure,
    Subject,
    SubjectKind,
    Ticket,
    TicketStatus,
)

BASE = "http://agencies.test"
ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
SCALE = 1_000_000.0  # virtual seconds per real second
SUBJECT = Subject(kind=SubjectKind.PERSON, name="张三", id_number="41081119900307001X")
FAST_RETRY = RetryPolicy(attempts=5, base=1.0, factor=2.0, cap=60.0)


def request(n: int, measure: Measure = Measure.QUERY) -> ControlRequest:
    extra: dict[str, Any] = {}
    if measure is Measure.FREEZE:
        extra = {"account_no": f"6222{n:08d}", "amount_cents": 50_000}
    return ControlRequest(
        request_no=f"REQ-{n}",
        court_code="R410811",
        case_no="(2026)豫0811执1号",
        measure=measure,
        subject=SUBJECT,
        **extra,
    )


class FakeAgency:
    """A stateful agency behind respx: tickets by request_no (idempotent), answers on demand, and a
    script of failures. ``script`` maps the n-th submit call (1-based) to what happens instead of the
    normal answer: an ``httpx.Response``, an exception, or ``"accept_then_reset"`` (the ticket is made,
    the response lost)."""

    def __init__(self, code: str = "icbc") -> None:
        self.code = code
        self.tickets: dict[str, Ticket] = {}
        self.answers: dict[str, Feedback] = {}
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self.script: dict[int, Any] = {}
        self.fail_always: Callable[[], httpx.Response] | None = None
        self.gate: asyncio.Event | None = None  # when set, submits wait for it
        self.in_flight = 0
        self.peak = 0
        self.polls = 0
        self._seq = itertools.count(1)

    def install(self, router: respx.MockRouter) -> None:
        router.post(f"/agencies/{self.code}/requests").mock(side_effect=self.submit)
        router.get(path__regex=rf"^/agencies/{self.code}/requests/(?P<tid>[A-Z0-9]+)$").mock(
            side_effect=self.poll
        )

    def _ticket(self, request_no: str, measure: str) -> tuple[Ticket, bool]:
        found = self.tickets.get(request_no)
        if found is not None:
            return found.model_copy(update={"duplicate": True}), True
        ticket = Ticket(
            ticket_id=f"TK{next(self._seq):06d}",
            request_no=request_no,
            agency=self.code,
            measure=Measure(measure),
            status=TicketStatus.ACCEPTED,
            accepted_at=ORIGIN,
        )
        self.tickets[request_no] = ticket
        return ticket, False

    async def submit(self, req: httpx.Request) -> httpx.Response:
        self.calls += 1
        n = self.calls
        body = json.loads(req.content)
        self.bodies.append(body)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            scripted = self.script.get(n)
            if scripted == "accept_then_reset":
                self._ticket(body["request_no"], body["measure"])
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                )
            if isinstance(scripted, BaseException):
                raise scripted
            if isinstance(scripted, httpx.Response):
                return scripted
            if self.fail_always is not None:
                return self.fail_always()
            ticket, duplicate = self._ticket(body["request_no"], body["measure"])
            return httpx.Response(
                200 if duplicate else 202,
                content=ticket.model_dump_json(),
                headers={"content-type": "application/json"},
            )
        finally:
            self.in_flight -= 1

    def poll(self, req: httpx.Request, tid: str) -> httpx.Response:
        self.polls += 1
        ticket = next((t for t in self.tickets.values() if t.ticket_id == tid), None)
        if ticket is None:
            return httpx.Response(
                404, json={"error": {"code": "not_found", "zh": "无此工单", "en": "no ticket"}}
            )
        feedback = self.answers.get(ticket.request_no)
        if feedback is not None and (feedback.batch is None or feedback.batch.outstanding == 0):
            ticket = ticket.model_copy(update={"status": TicketStatus.ANSWERED})
        body = {
            "ticket": ticket.model_dump(mode="json"),
            "feedback": None if feedback is None else feedback.model_dump(mode="json"),
        }
        return httpx.Response(200, json=body)

    def answer(self, request_no: str, *, ok: bool = True) -> Feedback:
        ticket = self.tickets[request_no]
        feedback = Feedback(
            ticket_id=ticket.ticket_id,
            request_no=request_no,
            agency=self.code,
            measure=ticket.measure,
            answered_at=ORIGIN,
            ok=ok,
            code="0000" if ok else "2001",
        )
        self.answers[request_no] = feedback
        return feedback


def error_response(status: int, **headers: str) -> httpx.Response:
    body = {
        "error": {
            "code": f"http_{status}",
            "where": "request",
            "zh": "错误",
            "en": "error",
            "message": f"request: 错误 / error {status}",
        }
    }
    return httpx.Response(status, json=body, headers=headers)


class Harness:
    def __init__(self, config: GatewayConfig) -> None:
        self.events: list[GatewayEvent] = []
        self.answers: list[Feedback] = []
        self.changed = asyncio.Event()
        self.client = httpx.AsyncClient(base_url=BASE)
        self.transport = HttpTransport(self.client, timeout=5.0)
        self.clock = AsyncioClock(ORIGIN, scale=SCALE)
        self.gateway = Gateway(
            self.transport, self.clock, config=config, seed=7, on_event=self._event, on_answer=self._answer
        )

    def _event(self, event: GatewayEvent) -> None:
        self.events.append(event)
        self.changed.set()

    def _answer(self, feedback: Feedback) -> None:
        self.answers.append(feedback)
        self.changed.set()

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait (real time, bounded) until ``predicate`` holds: woken by every event and answer, and every
        millisecond for conditions outside the gateway (the fake agency's counters)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.001)

    async def pass_virtual(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time go by (a timer on the gateway's own clock), then return."""
        passed = asyncio.Event()
        self.clock.call_at(self.clock.now() + timedelta(seconds=seconds), passed.set)
        async with asyncio.timeout(5.0):
            await passed.wait()

    def kinds(self, request_no: str | None = None) -> list[str]:
        return [e.kind for e in self.events if request_no is None or e.request_no == request_no]

    def of(self, kind: str, request_no: str | None = None) -> list[GatewayEvent]:
        return [
            e for e in self.events if e.kind == kind and (request_no is None or e.request_no == request_no)
        ]

    def state(self, request_no: str, agency: str = "icbc") -> RequestState | None:
        return self.gateway.state_of(agency, request_no)

    async def close(self) -> None:
        await self.transport.aclose()
        await self.client.aclose()


@pytest.fixture
async def setup():
    """``setup(config) -> (harness, fake, router)``; respx intercepts every request to BASE."""
    made: list[Harness] = []
    with respx.mock(base_url=BASE, assert_all_called=False) as router:

        def make(
            config: GatewayConfig | None = None, *codes: str
        ) -> tuple[Harness, FakeAgency, respx.MockRouter]:
            fakes = [FakeAgency(code) for code in (codes or ("icbc",))]
            for fake in fakes:
                fake.install(router)
            h = Harness(config or GatewayConfig(retry=FAST_RETRY))
            made.append(h)
            h.fakes = {f.code: f for f in fakes}
            return h, fakes[0], router

        yield make
    for h in made:
        await h.close()


# ------------------------------------------------------------------------------------------------- retry


async def test_retry_on_503_then_success_reuses_the_request_no(setup) -> None:
    h, fake, _ = setup()
    fake.script = {1: error_response(503), 2: error_response(502)}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    assert fake.calls == 3 and len(fake.tickets) == 1
    assert {b["request_no"] for b in fake.bodies} == {"REQ-1"}  # the idempotency key on every attempt
    assert fake.bodies[0] == fake.bodies[2]
    retries = h.of("retry_scheduled")
    assert [e.detail["status"] for e in retries] == [503, 502]
    assert all(e.detail["outcome"] == "server_error" for e in retries)
    assert [e.attempt for e in h.of("sent")] == [1, 2, 3]
    # each retry went out no earlier than its scheduled backoff
    sent = h.of("sent")
    for retry, nxt in zip(retries, sent[1:], strict=True):
        assert nxt.at >= retry.at + timedelta(seconds=retry.detail["delay_seconds"])
        assert 0 <= retry.detail["delay_seconds"] <= FAST_RETRY.ceiling(retry.attempt)


async def test_429_retry_after_is_honoured_in_virtual_time(setup) -> None:
    h, fake, _ = setup()
    fake.script = {1: error_response(429, **{"Retry-After": "120"})}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    (retry,) = h.of("retry_scheduled")
    assert retry.detail["outcome"] == "rate_limited" and retry.detail["retry_after"] == 120
    first, second = h.of("sent")
    assert second.at - first.at >= timedelta(seconds=120)  # not the (at most 1 s) backoff
    assert h.gateway.stats()["agencies"]["icbc"]["breaker"] == "closed"  # 429 is not a failure


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out")]
)
async def test_timeout_is_retried(setup, error: Exception) -> None:
    h, fake, _ = setup()
    fake.script = {1: error}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    (retry,) = h.of("retry_scheduled")
    assert retry.detail["outcome"] == "timeout" and fake.calls == 2


async def test_freeze_retried_after_a_lost_response_is_accepted_once(setup) -> None:
    """The agency made the ticket but the connection was reset before the answer: the retry carries the same
    request_no, the agency answers with the same ticket (duplicate), and only one freeze exists."""
    h, fake, _ = setup()
    fake.script = {1: "accept_then_reset", 2: ConnectionResetError("connection reset by peer")}
    h.gateway.send("icbc", request(1, Measure.FREEZE))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    assert fake.calls == 3 and len(fake.tickets) == 1
    assert [e.detail["outcome"] for e in h.of("retry_scheduled")] == ["connection", "connection"]
    (dup,) = h.of("duplicate_ticket")
    assert dup.ticket_id == fake.tickets["REQ-1"].ticket_id and not h.of("accepted")
    h.gateway.send("icbc", request(1, Measure.FREEZE))  # the caller repeats itself: nothing new goes out
    await h.pass_virtual(60)
    assert fake.calls == 3 and h.gateway.stats()["repeated_sends"] == 1
    with pytest.raises(UserError) as err:  # the same key for different content is the caller's bug
        h.gateway.send("icbc", request(1, Measure.QUERY))
    assert "REQ-1" in err.value.message


async def test_malformed_2xx_is_retried(setup) -> None:
    h, fake, _ = setup()
    fake.script = {1: httpx.Response(202, json={"unexpected": True})}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    assert h.of("retry_scheduled")[0].detail["outcome"] == "bad_response"


@pytest.mark.parametrize("status", [400, 404, 409, 422])
async def test_4xx_is_final(setup, status: int) -> None:
    h, fake, _ = setup()
    fake.script = {1: error_response(status)}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.REJECTED)
    await h.pass_virtual(3600)  # any retry would have gone out by now
    assert fake.calls == 1 and not h.of("retry_scheduled")
    (rejected,) = h.of("rejected")
    assert rejected.detail["status"] == status and rejected.detail["error"]["code"] == f"http_{status}"
    stats = h.gateway.stats()
    assert stats["failed"] == [
        {
            "agency": "icbc",
            "request_no": "REQ-1",
            "state": "rejected",
            "attempts": 1,
            "last_error": rejected.detail["reason"],
        }
    ]
    assert h.gateway.pending == 0
    h.gateway.send("icbc", request(1))  # final: sending again does nothing
    await h.pass_virtual(60)
    assert fake.calls == 1


async def test_gives_up_after_the_policy_attempts_and_stays_visible(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=RetryPolicy(attempts=3, base=1, cap=5), breaker_threshold=100))
    fake.fail_always = lambda: error_response(500)
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.GAVE_UP)
    assert fake.calls == 3 and len(h.of("retry_scheduled")) == 2
    (gave_up,) = h.of("gave_up")
    assert gave_up.attempt == 3 and gave_up.detail["status"] == 500
    assert h.gateway.stats()["failed"][0]["state"] == "gave_up" and h.gateway.pending == 0
    fake.fail_always = None  # the agency recovers; a new send of the given-up request starts afresh
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    assert fake.calls == 4 and len(fake.tickets) == 1


# ----------------------------------------------------------------------------------------------- breaker


async def test_circuit_opens_waits_half_opens_and_closes(setup) -> None:
    cooldown = timedelta(hours=2)  # 7 ms of real time at SCALE (10 minutes were 0.6 ms: less than a busy loop's lag)
    h, fake, _ = setup(
        GatewayConfig(
            retry=RetryPolicy(attempts=10, base=1, cap=2), breaker_threshold=3, breaker_cooldown=cooldown
        )
    )
    fake.script = {1: error_response(500), 2: error_response(503), 3: httpx.ReadTimeout("slow")}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: bool(h.of("circuit_open")))
    (opened,) = h.of("circuit_open")
    # while open it waits, it does not fail. Sent at the instant the circuit opened: read off the loop, a busy
    # machine's lag past the cooldown made it the half-open trial (3 runs in 100 with both cores busy)
    with h.clock.at(opened.at):
        h.gateway.send("icbc", request(2))
    queued = h.of("queued", "REQ-2")
    assert queued and queued[0].detail["reason"] == "circuit_open"
    await h.until(
        lambda: h.state("REQ-1") is RequestState.ACCEPTED and h.state("REQ-2") is RequestState.ACCEPTED
    )
    (half,) = h.of("circuit_half_open")
    (closed,) = h.of("circuit_closed")
    assert half.at >= opened.at + cooldown
    assert opened.at < half.at <= closed.at
    sent_while_open = [e for e in h.of("sent") if opened.at <= e.at < half.at]
    assert not sent_while_open
    # the half-open trial went out alone: the other request waited for its success
    after = [e for e in h.events if e.at >= half.at and e.kind in ("sent", "circuit_closed")]
    assert [e.kind for e in after[:3]] == ["sent", "circuit_closed", "sent"]
    assert fake.calls == 5 and h.gateway.stats()["agencies"]["icbc"]["times_opened"] == 1


async def test_failed_half_open_trial_reopens_the_circuit(setup) -> None:
    h, fake, _ = setup(
        GatewayConfig(
            retry=RetryPolicy(attempts=10, base=1, cap=2),
            breaker_threshold=2,
            breaker_cooldown=timedelta(minutes=5),
        )
    )
    fake.script = {1: error_response(500), 2: error_response(500), 3: error_response(500)}
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    assert h.kinds().count("circuit_open") == 2 and h.kinds().count("circuit_half_open") == 2
    first_open, second_open = h.of("circuit_open")
    assert second_open.at - first_open.at >= timedelta(minutes=5)
    assert fake.calls == 4


async def test_an_open_circuit_holds_one_agency_only(setup) -> None:
    h, fake, _ = setup(
        GatewayConfig(retry=FAST_RETRY, breaker_threshold=1, breaker_cooldown=timedelta(days=60)),
        "icbc",
        "abc",
    )
    fake.fail_always = lambda: error_response(500)
    h.gateway.send("icbc", request(1))
    await h.until(lambda: bool(h.of("circuit_open")))
    h.gateway.send("abc", request(2))
    await h.until(lambda: h.state("REQ-2", "abc") is RequestState.ACCEPTED)
    assert h.state("REQ-1") is RequestState.BACKOFF or h.state("REQ-1") is RequestState.WAITING


# ------------------------------------------------------------------------------------------- concurrency


async def test_per_agency_concurrency_limit(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=FAST_RETRY, max_in_flight=2), "icbc", "abc")
    other = h.fakes["abc"]
    fake.gate = asyncio.Event()
    for n in range(6):
        h.gateway.send("icbc", request(n))
    await h.until(lambda: fake.in_flight == 2)
    await h.pass_virtual(600)  # every call that could start has started
    assert fake.in_flight == 2 and fake.calls == 2
    assert len(h.of("queued")) == 4 and all(e.detail["reason"] == "concurrency" for e in h.of("queued"))
    h.gateway.send("abc", request(99))  # another agency is not held up by icbc's limit
    await h.until(lambda: h.state("REQ-99", "abc") is RequestState.ACCEPTED)
    assert other.calls == 1
    fake.gate.set()
    await h.until(lambda: all(h.state(f"REQ-{n}") is RequestState.ACCEPTED for n in range(6)))
    assert fake.peak == 2 and fake.calls == 6
    assert [e.request_no for e in h.of("sent") if e.agency == "icbc"] == [
        f"REQ-{n}" for n in range(6)
    ]  # FIFO
    assert h.gateway.stats()["agencies"]["icbc"]["peak_in_flight"] == 2


async def test_one_agency_may_have_its_own_concurrency_limit(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=FAST_RETRY, max_in_flight=1, in_flight_for={HUB: 3}), HUB, "icbc")
    hub, icbc = h.fakes[HUB], h.fakes["icbc"]
    hub.gate = icbc.gate = asyncio.Event()
    for n in range(5):
        h.gateway.send(HUB, hub_request(n))
        h.gateway.send("icbc", request(100 + n))
    await h.until(lambda: hub.in_flight == 3 and icbc.in_flight == 1)
    await h.pass_virtual(600)
    assert hub.calls == 3 and icbc.calls == 1
    hub.gate.set()
    await h.until(lambda: hub.calls == 5 and icbc.calls == 5)
    assert hub.peak == 3 and icbc.peak == 1


# ------------------------------------------------------------------------------------------------ answers


async def test_duplicated_callbacks_give_one_answer(setup) -> None:
    h, fake, _ = setup()
    h.gateway.send("icbc", request(1))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    feedback = fake.answer("REQ-1")
    assert h.gateway.receive(feedback) is True
    assert h.gateway.receive(feedback) is False
    assert h.gateway.receive(feedback, via="poll") is False
    assert h.answers == [feedback]
    assert h.kinds("REQ-1").count("answer") == 1 and h.kinds("REQ-1").count("duplicate_answer") == 2
    assert h.gateway.pending == 0


async def test_reordered_callbacks_are_matched_to_their_requests(setup) -> None:
    h, fake, _ = setup()
    for n in (1, 2):
        h.gateway.send("icbc", request(n))
    await h.until(lambda: all(h.state(f"REQ-{n}") is RequestState.ACCEPTED for n in (1, 2)))
    one, two = fake.answer("REQ-1"), fake.answer("REQ-2", ok=False)
    assert h.gateway.receive(two) and h.gateway.receive(one)
    assert [(f.request_no, f.ok) for f in h.answers] == [("REQ-2", False), ("REQ-1", True)]
    by_request = {e.request_no: e.ticket_id for e in h.of("answer")}
    assert by_request == {"REQ-1": fake.tickets["REQ-1"].ticket_id, "REQ-2": fake.tickets["REQ-2"].ticket_id}
    # an answer for an unknown request, or with another ticket for a known one, is reported and ignored
    stranger = one.model_copy(update={"request_no": "REQ-404"})
    wrong_ticket = two.model_copy(update={"ticket_id": "TK999999"})
    assert not h.gateway.receive(stranger) and not h.gateway.receive(wrong_ticket)
    assert len(h.answers) == 2 and len(h.of("unmatched_answer")) == 2


async def test_answer_arriving_while_the_submit_is_out(setup) -> None:
    """The callback overtakes the submit's response: the answer counts, the late response changes nothing."""
    h, fake, _ = setup()
    fake.gate = asyncio.Event()
    h.gateway.send("icbc", request(1))
    await h.until(lambda: fake.in_flight == 1)
    fake._ticket("REQ-1", "00")
    assert h.gateway.receive(fake.answer("REQ-1"))
    fake.gate.set()
    await h.until(lambda: h.gateway.stats().get("late_results") == 1)
    assert h.state("REQ-1") is RequestState.ANSWERED and len(h.answers) == 1


async def test_poll_path_until_answered(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=FAST_RETRY, poll_interval=timedelta(minutes=5)))
    h.gateway.send("icbc", request(1))
    await h.until(lambda: len(h.of("polled")) >= 3)
    assert not h.answers and all(not e.detail["answered"] for e in h.of("polled"))
    gaps = [b.at - a.at for a, b in itertools.pairwise(h.of("polled"))]
    assert all(g >= timedelta(minutes=5) for g in gaps)
    fake.answer("REQ-1")
    await h.until(lambda: bool(h.answers))
    (answer,) = h.of("answer")
    assert answer.detail == {"via": "poll"} and h.answers[0].ticket_id == fake.tickets["REQ-1"].ticket_id
    polls = fake.polls
    await h.pass_virtual(3600)  # no more polling after the answer
    assert fake.polls == polls and len(h.answers) == 1


async def test_callback_stops_polling(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=FAST_RETRY, poll_interval=timedelta(minutes=5)))
    h.gateway.send("icbc", request(1))
    await h.until(lambda: len(h.of("polled")) >= 1)
    h.gateway.receive(fake.answer("REQ-1"))
    polls = fake.polls
    await h.pass_virtual(3600)
    assert fake.polls <= polls + 1 and len(h.answers) == 1  # at most a poll already out
    assert Counter(h.kinds())["answer"] == 1


async def test_later_notices_are_passed_on_once_each_even_before_the_answer(setup) -> None:
    """A queued freeze that takes effect later is told by numbered notices about the answered request."""
    h, fake, _ = setup()
    h.gateway.send("icbc", request(1, Measure.FREEZE))
    await h.until(lambda: h.state("REQ-1") is RequestState.ACCEPTED)
    answer = fake.answer("REQ-1")
    first = answer.model_copy(update={"notice": 1, "amount_controlled_cents": 30_000})
    second = answer.model_copy(update={"notice": 2, "amount_controlled_cents": 20_000})
    assert h.gateway.receive(second)  # overtook the answer and the first notice
    assert h.gateway.receive(answer) and h.gateway.receive(first)
    assert not h.gateway.receive(first) and not h.gateway.receive(second)
    assert [(f.notice, f.amount_controlled_cents) for f in h.answers] == [(2, 20_000), (None, None), (1, 30_000)]
    assert len(h.of("notice")) == 2 and len(h.of("duplicate_answer")) == 2
    stranger = first.model_copy(update={"request_no": "REQ-404"})
    assert not h.gateway.receive(stranger) and len(h.of("unmatched_answer")) == 1


# ---------------------------------------------------------------------------------------- 总对总 parts

HUB_SCOPE = ("icbc", "ccb", "alipay", "csdc")


def hub_request(n: int) -> ControlRequest:
    return request(n).model_copy(update={"scope": HUB_SCOPE})


def part(fake: FakeAgency, request_no: str, n: int, found: tuple[str, ...] = (), none: tuple[str, ...] = (),
         outstanding: int = 0) -> Feedback:
    """Part ``n`` of the hub's answer; the fake keeps the cumulative answer for polls."""
    ticket = fake.tickets[request_no]
    holding = Holding(account_no="6222000000000001", kind="deposit", balance_cents=100, available_cents=100)
    batch = HubBatch(part=n, found=tuple(AgencyAnswer(agency=a, holdings=(holding,)) for a in found),
                     none_found=none, outstanding=outstanding)
    feedback = Feedback(ticket_id=ticket.ticket_id, request_no=request_no, agency=HUB, measure=Measure.QUERY,
                        answered_at=ORIGIN, ok=True, code="0000", batch=batch)
    before = fake.answers.get(request_no)
    if before is not None and before.batch is not None:
        batch = batch.model_copy(update={"found": before.batch.found + batch.found,
                                         "none_found": before.batch.none_found + batch.none_found})
    fake.answers[request_no] = feedback.model_copy(update={"batch": batch})
    return feedback


def passed_on(h: Harness) -> list[str]:
    return [a for f in h.answers for a in f.batch.agencies()]


async def test_hub_parts_pass_each_agency_on_once_duplicated_or_reordered(setup) -> None:
    h, fake, _ = setup(None, HUB)
    h.gateway.send(HUB, hub_request(1))
    await h.until(lambda: h.state("REQ-1", HUB) is RequestState.ACCEPTED)
    one = part(fake, "REQ-1", 1, found=("icbc",), none=("ccb",), outstanding=2)
    two = part(fake, "REQ-1", 2, none=("alipay", "csdc"))
    assert h.gateway.receive(two)  # the last part first: the request is not answered before the first
    assert h.state("REQ-1", HUB) is RequestState.ACCEPTED
    assert not h.gateway.receive(two)  # a duplicated part passes nothing on
    assert h.gateway.receive(one)
    assert h.state("REQ-1", HUB) is RequestState.ANSWERED
    assert not h.gateway.receive(one)
    assert sorted(passed_on(h)) == sorted(HUB_SCOPE)
    assert [e.detail["outstanding"] for e in h.of("answer")] == [2, 0]
    assert len(h.of("duplicate_answer")) == 2 and h.gateway.pending == 0


async def test_a_cumulative_poll_passes_on_only_what_callbacks_did_not(setup) -> None:
    h, fake, _ = setup(GatewayConfig(retry=FAST_RETRY, poll_interval=timedelta(minutes=5)), HUB)
    h.gateway.send(HUB, hub_request(1))
    await h.until(lambda: h.state("REQ-1", HUB) is RequestState.ACCEPTED)
    assert h.gateway.receive(part(fake, "REQ-1", 1, found=("icbc",), outstanding=3))  # by callback
    part(fake, "REQ-1", 2, none=("ccb",), outstanding=2)  # polled only
    await h.until(lambda: len(h.answers) == 2)
    assert h.answers[1].batch.agencies() == ["ccb"] and h.of("answer")[1].detail["via"] == "poll"
    assert h.state("REQ-1", HUB) is RequestState.ACCEPTED  # still polling for the rest
    part(fake, "REQ-1", 3, none=("alipay", "csdc"))
    await h.until(lambda: h.state("REQ-1", HUB) is RequestState.ANSWERED)
    assert sorted(passed_on(h)) == sorted(HUB_SCOPE)
    polls = fake.polls
    await h.pass_virtual(3600)
    assert fake.polls == polls  # polling stops once the whole scope answered


async def test_agencies_outside_the_scope_in_a_part_are_ignored(setup) -> None:
    h, fake, _ = setup(None, HUB)
    h.gateway.send(HUB, hub_request(1))
    await h.until(lambda: h.state("REQ-1", HUB) is RequestState.ACCEPTED)
    assert not h.gateway.receive(part(fake, "REQ-1", 1, none=("cmb",), outstanding=4))
    assert h.gateway.receive(part(fake, "REQ-1", 2, none=("cmb", "icbc"), outstanding=3))
    assert passed_on(h) == ["icbc"]


def test_retry_after_parsing() -> None:
    def resp(**headers: str) -> httpx.Response:
        return httpx.Response(429, headers=headers)

    assert parse_retry_after(resp(**{"Retry-After": "30"})) == 30
    assert parse_retry_after(resp(**{"Retry-After": "1.5"})) == 1.5
    assert parse_retry_after(resp()) is None
    assert parse_retry_after(resp(**{"Retry-After": "-3"})) is None
    assert parse_retry_after(resp(**{"Retry-After": "soon"})) is None
    dated = {"Retry-After": "Mon, 02 Mar 2026 01:02:00 GMT", "Date": "Mon, 02 Mar 2026 01:00:30 GMT"}
    assert parse_retry_after(resp(**dated)) == 90  # measured against the agency's own Date, no local clock
    assert parse_retry_after(resp(**{"Retry-After": "Mon, 02 Mar 2026 01:02:00 GMT"})) is None


async def test_a_closed_transport_sends_nothing_and_logs_nothing(caplog):
    """A court shutting down (``open_court``'s end) closes the transport before the client: a retry or a poll a
    clock timer asks for afterwards is dropped — not sent on the closed client, whose RuntimeError ("the client has
    been closed") was logged as a failed transport call on the demo's stderr — and its ``done`` is not called."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        route = router.post("/agencies/icbc/requests").respond(201, json={})
        client = httpx.AsyncClient(base_url=BASE)
        transport = HttpTransport(client)
        answered: list[Any] = []
        await transport.aclose()
        await client.aclose()
        with caplog.at_level("WARNING", logger="core_flow.gateway.http"):
            transport.submit("icbc", request(1), answered.append)
            transport.poll("icbc", "T-1", answered.append)
            await transport.drain()
        assert answered == [] and route.call_count == 0 and transport.in_flight == 0
        assert "transport call failed" not in caplog.text
