"""The 查控 gateway: sends requests through a transport, retries, limits, breaks circuits, matches answers.

One implementation on the :class:`~core_flow.clocks.Clock` interface — the same code runs on a
``SimClock`` (simulated transport) and an ``AsyncioClock`` (HTTP / ASGI). It never sleeps: every wait
(backoff, Retry-After, circuit cool-down, poll interval) is a ``clock.call_at``.

Rules:

* ``request_no`` is the idempotency key and is reused on every retry, so a retry after a lost response never
  acts twice (the agency answers with the same ticket, ``duplicate=true``). A second :meth:`Gateway.send` of
  a request already pending or answered does nothing new (one that gave up is started afresh).
* Retryable outcomes (5xx, timeouts, connection errors, 429, malformed 2xx) are retried with the policy's
  backoff; a Retry-After is honoured instead of the backoff. Any other 4xx is final (``rejected``). After
  the policy's attempts the request ``gave_up``; it stays visible in :meth:`Gateway.stats`.
* At most ``max_in_flight`` calls per agency are out at once; further calls wait FIFO per agency (``queued``).
* A per-agency circuit breaker opens after consecutive failures; while open, calls to that agency wait
  (``queued``), they do not fail; after the cool-down one trial goes out.
* Every answer (callback, poll, simulated; duplicated, reordered) reaches ``on_answer`` exactly once; an
  answer for an unknown request is reported (``unmatched_answer``) and otherwise ignored. A 总对总 query (a
  request with a ``scope``) is answered in parts (``Feedback.batch``): each agency's answer reaches
  ``on_answer`` exactly once, in whichever part (or cumulative poll) it first arrives; the request is answered
  when its whole scope is.
* Every request and answer is a :class:`GatewayEvent` given to ``on_event``.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core_flow.clocks import Clock, TimerHandle
from core_flow.engine.records import fast_init
from core_flow.enum_members import members_of
from core_flow.errors import UserError
from core_flow.gateway.breaker import BREAKER_STATE, BreakerState, CircuitBreaker
from core_flow.gateway.policy import RetryPolicy, is_retryable
from core_flow.gateway.transport import Outcome, PollResult, SubmitResult, Transport
from core_flow.ports import OUTCOME
from core_flow.protocol import TICKET_STATUS, ControlRequest, Feedback, HubBatch, TicketStatus


class EventKind(StrEnum):
    SENT = "sent"  # an attempt went out
    ACCEPTED = "accepted"  # the agency gave a new ticket
    DUPLICATE_TICKET = "duplicate_ticket"  # the agency gave the ticket it gave before (a retried request)
    RETRY_SCHEDULED = "retry_scheduled"
    REJECTED = "rejected"  # final 4xx
    GAVE_UP = "gave_up"
    ANSWER = "answer"  # delivered to on_answer
    NOTICE = "notice"  # a later notice about an answered request (轮候 took effect), delivered to on_answer
    DUPLICATE_ANSWER = "duplicate_answer"
    UNMATCHED_ANSWER = "unmatched_answer"
    POLLED = "polled"
    CIRCUIT_OPEN = "circuit_open"
    CIRCUIT_HALF_OPEN = "circuit_half_open"
    CIRCUIT_CLOSED = "circuit_closed"
    QUEUED = "queued"  # waiting for a concurrency slot or a closed circuit


EVENT_KIND = members_of(EventKind)  # for hot code: see core_flow.enum_members


@fast_init
@dataclass(frozen=True, slots=True)
class GatewayEvent:
    """Every request and answer, as data."""

    at: datetime
    kind: str
    agency: str
    request_no: str
    ticket_id: str | None = None
    attempt: int = 0
    detail: dict[str, Any] | None = None
    feedback: Feedback | None = None


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_in_flight: int = 8  # calls out at once per agency
    in_flight_for: dict[str, int] = field(default_factory=dict)  # per-agency exceptions (e.g. the 总对总 hub)
    breaker_threshold: int = 5  # consecutive failures that open an agency's circuit
    breaker_cooldown: timedelta = timedelta(seconds=30)
    poll_interval: timedelta | None = None  # None: rely on callbacks (or the simulated transport)
    request_timeout: float | None = None  # handed to the transport (real seconds for HTTP)
    retry_after_scale: float = 1.0  # clock seconds per Retry-After second (a compressed agency clock)
    callback_url: str | None = None  # filled into requests that name none

    def __post_init__(self) -> None:
        if self.max_in_flight < 1 or any(n < 1 for n in self.in_flight_for.values()):
            raise ValueError("max_in_flight must be >= 1")
        if self.poll_interval is not None and self.poll_interval <= timedelta(0):
            raise ValueError("poll_interval must be positive")
        if self.retry_after_scale < 0:
            raise ValueError("retry_after_scale must be >= 0")


class RequestState(StrEnum):
    WAITING = "waiting"  # queued for a slot / a closed circuit
    IN_FLIGHT = "in_flight"
    BACKOFF = "backoff"  # a retry is scheduled
    ACCEPTED = "accepted"  # ticket held, answer awaited
    ANSWERED = "answered"
    REJECTED = "rejected"
    GAVE_UP = "gave_up"


REQUEST_STATE = members_of(RequestState)  # for hot code: see core_flow.enum_members


_OPEN = frozenset({RequestState.WAITING, RequestState.IN_FLIGHT, RequestState.BACKOFF, RequestState.ACCEPTED})


@dataclass(slots=True)
class _Request:
    agency: str
    request: ControlRequest
    state: RequestState = RequestState.WAITING
    attempts: int = 0
    ticket_id: str | None = None
    timer: TimerHandle | None = None  # retry or poll
    queued: bool = False  # in its agency's ready queue
    last_error: str | None = None
    first_sent_at: datetime | None = None
    answered_at: datetime | None = None
    seen: set[str] | None = None  # 总对总 query: the scope agencies whose answers were passed on
    scope: frozenset[str] | None = None  # 总对总 query: its scope, as a set
    notices: set[int] | None = None  # numbers of the later notices passed on


@dataclass(slots=True)
class _Agency:
    breaker: CircuitBreaker
    ready: deque[tuple[str, _Request]] = field(default_factory=deque)  # ("submit" | "poll", request)
    in_flight: int = 0
    wake: TimerHandle | None = None  # the breaker's cool-down end
    peak_in_flight: int = 0


class Gateway:
    def __init__(
        self,
        transport: Transport,
        clock: Clock,
        *,
        config: GatewayConfig | None = None,
        seed: int = 0,
        on_event: Callable[[GatewayEvent], None] | None = None,
        on_answer: Callable[[Feedback], None] | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.config = config or GatewayConfig()
        self.rng = random.Random(seed)
        self.on_event = on_event
        self.on_answer = on_answer
        self._requests: dict[tuple[str, str], _Request] = {}
        self._agencies: dict[str, _Agency] = {}
        self._pumping: set[str] = set()
        self._repump: set[str] = set()
        self._counts: Counter[str] = Counter()
        self._calls: Any = None  # PlatformCalls, made on first use (self.calls)
        transport.connect(lambda feedback, via: self.receive(feedback, via=via))

    # -- public --------------------------------------------------------------------------------------

    def send(self, agency: str, request: ControlRequest) -> None:
        """Fire and forget; idempotent by ``request_no`` (per agency)."""
        if self.config.callback_url and request.callback_url is None:
            request = request.model_copy(update={"callback_url": self.config.callback_url})
        key = (agency, request.request_no)
        found = self._requests.get(key)
        if found is not None:
            if found.request != request:
                raise UserError(
                    f"请求编号 {request.request_no} 已用于发往 {agency} 的另一请求",
                    f"request_no {request.request_no} was already used for a different request to {agency}",
                    where=f"request {request.request_no}",
                    code="conflict",
                )
            if found.state is not RequestState.GAVE_UP:
                self._counts["repeated_sends"] += 1
                return
            found.attempts = 0
            found.last_error = None
            self._enqueue("submit", found)
            return
        item = _Request(agency, request)
        self._requests[key] = item
        self._counts["requests"] += 1
        self._enqueue("submit", item)

    def receive(self, feedback: Feedback, *, via: str = "callback") -> bool:
        """An answer arrived. True if it matched a request not answered before (and went to ``on_answer``)."""
        item = self._requests.get((feedback.agency, feedback.request_no))
        detail = {"via": via}
        if item is None or (item.ticket_id is not None and item.ticket_id != feedback.ticket_id):
            self._counts["unmatched_answers"] += 1
            if item is not None:
                detail["expected_ticket_id"] = item.ticket_id
            self._emit(
                EventKind.UNMATCHED_ANSWER,
                feedback.agency,
                feedback.request_no,
                feedback.ticket_id,
                detail=detail,
                feedback=feedback,
            )
            return False
        if feedback.notice is not None:
            return self._receive_notice(item, feedback, detail)
        batch = feedback.batch
        if batch is not None and item.request.scope is not None and item.state is not REQUEST_STATE.ANSWERED:
            return self._receive_part(item, feedback, batch, detail)
        if item.state is REQUEST_STATE.ANSWERED:
            self._counts["duplicate_answers"] += 1
            self._emit(
                EventKind.DUPLICATE_ANSWER,
                item.agency,
                feedback.request_no,
                feedback.ticket_id,
                item.attempts,
                detail=detail,
            )
            return False
        if item.state is REQUEST_STATE.WAITING:
            self._unqueue(item)
        item.state = REQUEST_STATE.ANSWERED
        item.ticket_id = feedback.ticket_id
        item.answered_at = self.clock.now()
        self._cancel_timer(item)
        self._counts["answered"] += 1
        self._emit(
            EVENT_KIND.ANSWER,
            item.agency,
            feedback.request_no,
            feedback.ticket_id,
            item.attempts,
            detail=detail,
            feedback=feedback,
        )
        if self.on_answer is not None:
            self.on_answer(feedback)
        return True

    def answer_instant(self, feedback: Feedback) -> datetime | None:
        """On a logical real-time clock (``clock.logical``): the instant an answer arriving now is recorded at —
        the agency's stated ``answered_at`` when it lies between the request's first sending and the court's now
        (the same principle as "a timer acts at its due instant": the transport's delay is not the agency's);
        otherwise, or on any other clock, None (recorded at the court's now)."""
        if not getattr(self.clock, "logical", False):
            return None
        item = self._requests.get((feedback.agency, feedback.request_no))
        if item is None or item.first_sent_at is None:
            return None
        stated = feedback.answered_at
        if stated.tzinfo is None or not item.first_sent_at <= stated <= self.clock.now():
            return None
        return stated

    def _receive_notice(self, item: _Request, feedback: Feedback, detail: dict[str, Any]) -> bool:
        """A later notice about a request (a queued freeze took effect): passed on once per number, whenever it
        comes — before the answer too (callbacks overtake each other)."""
        notices = item.notices
        if notices is None:
            notices = item.notices = set()
        number = feedback.notice
        assert number is not None
        if number in notices:
            self._counts["duplicate_answers"] += 1
            self._emit(EventKind.DUPLICATE_ANSWER, item.agency, feedback.request_no, feedback.ticket_id,
                       item.attempts, detail={**detail, "notice": number})
            return False
        notices.add(number)
        self._counts["notices"] += 1
        self._emit(EventKind.NOTICE, item.agency, feedback.request_no, feedback.ticket_id, item.attempts,
                   detail={**detail, "notice": number}, feedback=feedback)
        if self.on_answer is not None:
            self.on_answer(feedback)
        return True

    def _receive_part(self, item: _Request, feedback: Feedback, batch: HubBatch, detail: dict[str, Any]) -> bool:
        """A part (or a cumulative poll) of a 总对总 answer: pass on the agencies not passed on before."""
        seen = item.seen
        if seen is None:
            seen = item.seen = set()
        scope = item.scope
        if scope is None:
            scope = item.scope = frozenset(item.request.scope or ())
        fresh_found = tuple(a for a in batch.found if a.agency not in seen and a.agency in scope)
        fresh_none = tuple(a for a in batch.none_found if a not in seen and a in scope)
        if not fresh_found and not fresh_none:
            self._counts["duplicate_answers"] += 1
            self._emit(EventKind.DUPLICATE_ANSWER, item.agency, feedback.request_no, feedback.ticket_id,
                       item.attempts, detail={**detail, "part": batch.part})
            return False
        if len(fresh_found) != len(batch.found) or len(fresh_none) != len(batch.none_found):
            feedback = feedback.model_copy(update={"batch": batch.model_copy(
                update={"found": fresh_found, "none_found": fresh_none})})
        seen.update(a.agency for a in fresh_found)
        seen.update(fresh_none)
        item.ticket_id = feedback.ticket_id
        complete = len(seen) >= len(scope)
        if complete:
            if item.state is REQUEST_STATE.WAITING:
                self._unqueue(item)
            item.state = REQUEST_STATE.ANSWERED
            item.answered_at = self.clock.now()
            self._cancel_timer(item)
            self._counts["answered"] += 1
        self._counts["parts"] += 1
        self._emit(EVENT_KIND.ANSWER, item.agency, feedback.request_no, feedback.ticket_id, item.attempts,
                   detail={**detail, "part": batch.part, "agencies": len(fresh_found) + len(fresh_none),
                           "outstanding": len(scope) - len(seen)}, feedback=feedback)
        if self.on_answer is not None:
            self.on_answer(feedback)
        return True

    @property
    def calls(self) -> Any:
        """Synchronous platform calls (pricing, auction) under the same policy (:mod:`core_flow.gateway.calls`)."""
        found = getattr(self, "_calls", None)
        if found is None:
            from core_flow.gateway.calls import PlatformCalls  # imports this module: made on first use

            found = self._calls = PlatformCalls(self)
        return found

    @property
    def pending(self) -> int:
        """Requests not yet answered and still in play (rejected and given-up ones are not counted)."""
        return sum(1 for r in self._requests.values() if r.state in _OPEN)

    def state_of(self, agency: str, request_no: str) -> RequestState | None:
        item = self._requests.get((agency, request_no))
        return None if item is None else item.state

    def stats(self) -> dict[str, Any]:
        by_state = Counter(r.state.value for r in self._requests.values())
        failed = [
            {
                "agency": r.agency,
                "request_no": r.request.request_no,
                "state": r.state.value,
                "attempts": r.attempts,
                "last_error": r.last_error,
            }
            for r in self._requests.values()
            if r.state in (RequestState.REJECTED, RequestState.GAVE_UP)
        ]
        agencies = {
            code: {
                "breaker": a.breaker.state.value,
                "times_opened": a.breaker.times_opened,
                "in_flight": a.in_flight,
                "queued": len(a.ready),
                "peak_in_flight": a.peak_in_flight,
            }
            for code, a in self._agencies.items()
        }
        return {
            **dict(self._counts),
            "pending": self.pending,
            "by_state": dict(by_state),
            "failed": failed,
            "agencies": agencies,
        }

    # -- queueing and dispatch -----------------------------------------------------------------------

    def _agency(self, code: str) -> _Agency:
        found = self._agencies.get(code)
        if found is None:
            breaker = CircuitBreaker(self.config.breaker_threshold, self.config.breaker_cooldown)
            found = self._agencies[code] = _Agency(breaker)
        return found

    def _enqueue(self, job: str, item: _Request) -> None:
        agency = self._agency(item.agency)
        if job == "submit":
            item.state = REQUEST_STATE.WAITING
        agency.ready.append((job, item))
        item.queued = True
        self._pump(item.agency)
        if item.queued:
            reason = "circuit_open" if agency.breaker.state is not BreakerState.CLOSED else "concurrency"
            self._counts["queued"] += 1
            self._emit(
                EventKind.QUEUED,
                item.agency,
                item.request.request_no,
                item.ticket_id,
                item.attempts,
                detail={"job": job, "reason": reason, "position": len(agency.ready)},
            )

    def _unqueue(self, item: _Request) -> None:
        if item.queued:
            agency = self._agency(item.agency)
            agency.ready = deque(entry for entry in agency.ready if entry[1] is not item)
            item.queued = False

    def _pump(self, code: str) -> None:
        if code in self._pumping:  # a transport called back synchronously: the outer loop goes on
            self._repump.add(code)
            return
        self._pumping.add(code)
        try:
            again = True
            while again:
                self._repump.discard(code)
                self._dispatch_ready(code)
                again = code in self._repump
        finally:
            self._pumping.discard(code)

    def _dispatch_ready(self, code: str) -> None:
        agency = self._agency(code)
        limit = self.config.in_flight_for.get(code, self.config.max_in_flight)
        while agency.ready and agency.in_flight < limit:
            job, item = agency.ready[0]
            if item.state is not (REQUEST_STATE.WAITING if job == "submit" else REQUEST_STATE.ACCEPTED):
                agency.ready.popleft()  # answered meanwhile
                item.queued = False
                continue
            before, now = agency.breaker.state, self.clock.now()
            allowed = agency.breaker.allow(now)
            self._breaker_moved(code, before, agency.breaker.state, item, now)
            if not allowed:
                self._wake_at_reopen(code, agency)
                return
            agency.ready.popleft()
            item.queued = False
            agency.in_flight += 1
            agency.peak_in_flight = max(agency.peak_in_flight, agency.in_flight)
            if job == "submit":
                self._submit(item)
            else:
                self._poll(item)

    def _wake_at_reopen(self, code: str, agency: _Agency) -> None:
        at = agency.breaker.reopens_at
        if at is None or agency.wake is not None:
            return  # half-open with its trial out: the trial's result pumps again

        def wake() -> None:
            agency.wake = None
            self._pump(code)

        agency.wake = self.clock.call_at(at, wake)

    def _release(self, code: str) -> None:
        agency = self._agency(code)
        agency.in_flight -= 1

    # -- submit --------------------------------------------------------------------------------------

    def _submit(self, item: _Request) -> None:
        item.state = REQUEST_STATE.IN_FLIGHT
        item.attempts += 1
        now = self.clock.now()
        if item.first_sent_at is None:
            item.first_sent_at = now
        self._counts["sent"] += 1
        self._emit(EVENT_KIND.SENT, item.agency, item.request.request_no, item.ticket_id, item.attempts)
        self.transport.submit(
            item.agency,
            item.request,
            lambda result: self._submitted(item, result),
            timeout=self.config.request_timeout,
        )

    def _submitted(self, item: _Request, result: SubmitResult) -> None:
        code = item.agency
        self._release(code)
        self._record_breaker(code, result.outcome, item)
        request_no = item.request.request_no
        if item.state is not REQUEST_STATE.IN_FLIGHT:
            # answered (by callback) while the call was out: the result changes nothing
            self._counts["late_results"] += 1
        elif result.outcome is OUTCOME.ACCEPTED and result.ticket is not None:
            item.ticket_id = result.ticket.ticket_id
            item.state = REQUEST_STATE.ACCEPTED
            duplicate = result.ticket.duplicate
            self._counts["duplicate_tickets" if duplicate else "accepted"] += 1
            kind = EVENT_KIND.DUPLICATE_TICKET if duplicate else EVENT_KIND.ACCEPTED
            self._emit(
                kind,
                code,
                request_no,
                item.ticket_id,
                item.attempts,
                detail={"status": result.status, "ticket_status": result.ticket.status._value_},  # ``.value``
            )
            # a ticket already answered (a repeat of an answered request): fetch the answer at once
            self._schedule_poll(item, at_once=result.ticket.status is TICKET_STATUS.ANSWERED)
        elif is_retryable(result.outcome):
            self._retry_or_give_up(item, result)
        else:
            item.state = RequestState.REJECTED
            item.last_error = result.detail
            self._counts["rejected"] += 1
            self._emit(
                EventKind.REJECTED,
                code,
                request_no,
                None,
                item.attempts,
                detail={"status": result.status, "reason": result.detail, "error": result.error},
            )
        self._pump(code)

    def _retry_or_give_up(self, item: _Request, result: SubmitResult) -> None:
        item.last_error = result.detail or result.outcome.value
        policy = self.config.retry
        request_no = item.request.request_no
        base = {"outcome": result.outcome.value, "status": result.status, "reason": result.detail}
        if not policy.allows(item.attempts):
            item.state = RequestState.GAVE_UP
            self._counts["gave_up"] += 1
            self._emit(EventKind.GAVE_UP, item.agency, request_no, None, item.attempts, detail=base)
            return
        delay = self.retry_delay(result.retry_after, item.attempts)
        now = self.clock.now()  # the event's instant too: read again (real time), it came after the one counted from
        at = now + timedelta(seconds=delay)
        item.state = RequestState.BACKOFF
        self._counts["retries"] += 1
        self._emit(
            EventKind.RETRY_SCHEDULED,
            item.agency,
            request_no,
            None,
            item.attempts,
            detail={
                **base,
                "delay_seconds": delay,
                "retry_at": at.isoformat(),
                "retry_after": result.retry_after,
            },
            at=now,
        )

        def fire() -> None:
            item.timer = None
            if item.state is RequestState.BACKOFF:
                self._enqueue("submit", item)

        item.timer = self.clock.call_at(at, fire)

    # -- poll ----------------------------------------------------------------------------------------

    def _schedule_poll(self, item: _Request, *, at_once: bool = False) -> None:
        interval = self.config.poll_interval
        if interval is None or item.state is not REQUEST_STATE.ACCEPTED:
            return

        def fire() -> None:
            item.timer = None
            if item.state is RequestState.ACCEPTED:
                self._enqueue("poll", item)

        self._cancel_timer(item)
        now = self.clock.now()
        item.timer = self.clock.call_at(now if at_once else now + interval, fire)

    def _poll(self, item: _Request) -> None:
        assert item.ticket_id is not None
        self._counts["polls"] += 1
        self.transport.poll(
            item.agency,
            item.ticket_id,
            lambda result: self._polled(item, result),
            timeout=self.config.request_timeout,
        )

    def _polled(self, item: _Request, result: PollResult) -> None:
        code = item.agency
        self._release(code)
        self._record_breaker(code, result.outcome, item)
        answered = (
            result.outcome is Outcome.ACCEPTED
            and result.ticket is not None
            and result.feedback is not None
            and (result.ticket.status is TicketStatus.ANSWERED or result.feedback.batch is not None)
        )
        self._emit(
            EventKind.POLLED,
            code,
            item.request.request_no,
            item.ticket_id,
            item.attempts,
            detail={
                "outcome": result.outcome.value,
                "status": result.status,
                "answered": answered,
                "reason": result.detail or None,
            },
        )
        if answered:
            assert result.feedback is not None
            self.receive(result.feedback, via="poll")
            if item.state is RequestState.ACCEPTED:  # a 总对总 query with agencies still to answer
                self._schedule_poll(item)
        elif result.outcome is Outcome.REJECTED:
            item.last_error = result.detail  # e.g. the agency forgot the ticket: stop polling, keep waiting
        else:
            self._schedule_poll(item)
        self._pump(code)

    # -- breaker, timers, events ---------------------------------------------------------------------

    def _record_breaker(self, code: str, outcome: Outcome, item: _Request) -> None:
        agency = self._agency(code)
        breaker = agency.breaker
        before = breaker.state
        now = self.clock.now()
        if outcome in (OUTCOME.ACCEPTED, OUTCOME.REJECTED):  # the agency is up and answering
            breaker.record_success(now)
        elif outcome is Outcome.RATE_LIMITED:
            breaker.record_neutral(now)
        else:
            breaker.record_failure(now)
        self._breaker_moved(code, before, breaker.state, item, now)
        if breaker.state is BREAKER_STATE.CLOSED and agency.wake is not None:
            agency.wake.cancel()
            agency.wake = None

    def _breaker_moved(self, code: str, before: BreakerState, after: BreakerState, item: _Request,
                       at: datetime) -> None:
        """The breaker's move as an event stamped ``at``, the instant the breaker was given: a clock read again
        (real time) is later, and a log whose circuit opened after ``reopens_at`` − cooldown disagreed with itself."""
        if before is after:
            return
        kind = {
            BreakerState.OPEN: EventKind.CIRCUIT_OPEN,
            BreakerState.HALF_OPEN: EventKind.CIRCUIT_HALF_OPEN,
            BreakerState.CLOSED: EventKind.CIRCUIT_CLOSED,
        }[after]
        breaker = self._agency(code).breaker
        reopens = breaker.reopens_at
        self._counts[kind.value] += 1
        self._emit(
            kind,
            code,
            item.request.request_no,
            item.ticket_id,
            item.attempts,
            detail={
                "from": before.value,
                "failures": breaker.failures,
                "reopens_at": reopens.isoformat() if reopens else None,
            },
            at=at,
        )

    def _cancel_timer(self, item: _Request) -> None:
        if item.timer is not None:
            item.timer.cancel()
            item.timer = None

    def retry_delay(self, retry_after: float | None, attempts: int) -> float:
        """Seconds before the next attempt: the agency's Retry-After (scaled) when it gave one, else the backoff."""
        if retry_after is not None:
            return retry_after * self.config.retry_after_scale
        return self.config.retry.delay(attempts, self.rng)

    def _emit(
        self,
        kind: EventKind,
        agency: str,
        request_no: str,
        ticket_id: str | None = None,
        attempt: int = 0,
        *,
        detail: dict[str, Any] | None = None,
        feedback: Feedback | None = None,
        at: datetime | None = None,
    ) -> None:
        if self.on_event is not None:
            # ``_value_``: the object ``kind.value`` returns, read without the enum property's descriptor call
            self.on_event(
                GatewayEvent(
                    at or self.clock.now(), kind._value_, agency, request_no, ticket_id, attempt, detail, feedback
                )
            )
