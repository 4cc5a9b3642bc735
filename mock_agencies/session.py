"""One isolated namespace of the mock agencies (selected by the header ``X-Zhixing-Session``).

A :class:`Session` owns everything stateful: the synthetic world, the ledger, the request handling
backend, the auction and pricing platforms, the tickets and their pending answers, the callback outbox,
the request journal and the namespace's virtual clock. Answers become due at virtual instants drawn
from the behaviour profile; :meth:`Session.pump` produces every answer due by ``now`` (in time order,
no I/O) and :meth:`Session.deliver_due` posts due callbacks. :meth:`Session.advance` skips time,
doing both at every intermediate instant. Nothing here reads the wall clock except through the
session's :class:`~mock_agencies.clock.VirtualClock`.

A query to the 总对总 hub (agency ``zdz``, with a ``scope``) is one ticket fanned out by
:class:`~mock_agencies.hub.Hub`: one due entry per distinct answer instant, one part per instant (journalled
as one answer, called back alone with the key ``ticket:part``); the ticket keeps the cumulative answer.

A freeze (or seal) answered as queued (轮候) or only partly effective may take effect later, when earlier
measures are released (an unfreeze held by a pending deduction too) or lapse: the ledger then promotes or tops
it up (events ``promoted`` / ``topped_up``, each at its own virtual instant). The session turns each such event
into a *notice* about the answered request (``Feedback.notice`` = 1, 2, … per ticket, code ``0003``,
``amount_controlled_cents`` = the amount newly controlled, ``expires_at`` = the term after the event), keeps it
on the ticket (``TicketRecord.notices``), journals it (``notice``, with the feedback), calls it back if the
request named a ``callback_url`` (key ``ticket:notice:n``) and hands it to the ``notice_listeners`` (the
in-process :class:`~mock_agencies.port.SessionPort`). Notices are push-only: a poll of the ticket keeps
returning the original answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from core_flow.errors import UserError
from core_flow.protocol import ControlRequest, Feedback, Measure, Ticket, TicketStatus
from mock_agencies.callbacks import CallbackOutbox, Delivery, DeliveryState
from mock_agencies.clock import VirtualClock, as_cst
from mock_agencies.hub import Hub, HubFanout, Scope
from mock_agencies.journal import Journal
from mock_agencies.profiles import Behaviour, CallbackBehaviour, FaultKind, Profile, load_profile
from mock_agencies.settings import Settings

if TYPE_CHECKING:
    from mock_agencies.auction import AuctionHouse
    from mock_agencies.backend import AgencyBackend
    from mock_agencies.catalogue import Agency, Catalogue
    from mock_agencies.ledger import Ledger, LedgerEvent
    from mock_agencies.pricing import PricingPlatform
    from mock_agencies.world import World

log = logging.getLogger(__name__)

NAMESPACE_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
_NAMESPACE_RE = re.compile(NAMESPACE_PATTERN)
DEFAULT_NAMESPACE = "default"

_CONTROL_MEASURES = frozenset({Measure.FREEZE, Measure.SEAL})  # answers that may be followed by notices
_NOTICE_EVENTS = frozenset({"promoted", "topped_up"})  # LedgerEventKind values that make a notice
_ENDED_EVENTS = frozenset({"released", "lapsed", "deducted"})  # a freeze that waits no more


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from ``parts`` (independent of Python's hash randomisation)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(slots=True)
class TicketRecord:
    ticket: Ticket
    request: ControlRequest
    agency: Agency
    due_at: datetime
    feedback: Feedback | None = None  # a 总对总 query's: the cumulative answer (every part so far)
    held: int = 0  # times the answer was not ready at its due instant
    hub: HubFanout | None = None  # a 总对总 query: its fan-out (``due_at`` is its next part's instant)
    notices: tuple[Feedback, ...] = ()  # later notices about the answered freeze (轮候生效, 补足), in order
    _json_of: Feedback | None = field(default=None, repr=False, compare=False)
    _json: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def feedback_json(self) -> dict[str, Any] | None:
        """``feedback`` as JSON data (``model_dump(mode="json")``), made when first asked for — a poll or a
        callback — and kept until the feedback changes."""
        feedback = self.feedback
        if feedback is None:
            return None
        if self._json_of is not feedback:
            self._json = feedback.model_dump(mode="json")
            self._json_of = feedback
        return self._json


@dataclass(slots=True, frozen=True)
class FaultDecision:
    kind: FaultKind
    status: int  # 0 for a dropped connection
    retry_after: int | None = None


@dataclass(slots=True)
class SessionConfig:
    seed: int
    profile: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    time_scale: float = 1.0
    origin: datetime | None = None


class Session:
    """One namespace. See the module docstring."""

    def __init__(
        self,
        namespace: str,
        config: SessionConfig,
        settings: Settings,
        catalogue: Catalogue,
        wake: asyncio.Event | None = None,
    ) -> None:
        self.namespace = namespace
        self._wake = wake
        self.config = config
        self.seed = config.seed
        self.settings = settings
        self.catalogue = catalogue
        self._behaviours: dict[str, Behaviour] = {}
        self._calm: dict[str, bool] = {}
        self._profile: Profile = load_profile(config.profile, config.overrides or None)
        self.clock = VirtualClock(config.origin or settings.origin, config.time_scale)
        self.journal = Journal(settings.journal_size)
        self.outbox = CallbackOutbox(
            max_attempts=settings.callback_max_attempts,
            backoff_seconds=settings.callback_backoff_seconds,
            backoff_cap_seconds=settings.callback_backoff_cap_seconds,
        )
        self.lock = asyncio.Lock()
        self.tickets: dict[str, TicketRecord] = {}
        self._by_request: dict[tuple[str, str], str] = {}
        self._due: list[tuple[datetime, int, str]] = []
        self._ticket_seq = 0
        self._rngs: dict[tuple[str, str], random.Random] = {}
        self._last_advanced: datetime | None = None
        # freeze id → ticket id, for freezes answered with an unsecured remainder (queued or partial) that still
        # wait for money: notices may come
        self._waiting: dict[str, str] = {}
        self.notice_listeners: list[Callable[[Feedback], None]] = []  # each notice, when made
        self.hub = Hub(self)
        self._build_domain()

    # -- the contract (used by the auction / pricing routers) ----------------------------------------

    world: World
    ledger: Ledger
    backend: AgencyBackend
    auction: AuctionHouse
    pricing: PricingPlatform

    def now(self) -> datetime:
        """The namespace's virtual time, CST."""
        return self.clock.now()

    def notify(self, url: str, payload: dict[str, Any], key: str = "") -> None:
        """Queue a callback (retried until acknowledged)."""
        behaviour = self.profile.behaviour("*", "*").callbacks
        self._queue(url, payload, self.now(), key, behaviour, self.rng("*", "callbacks"))

    def _queue(
        self,
        url: str,
        payload: dict[str, Any],
        at: datetime,
        key: str,
        behaviour: CallbackBehaviour | None,
        rng: random.Random | None,
    ) -> None:
        self.outbox.queue(url, payload, at, key=key, behaviour=behaviour, rng=rng)
        if self._wake is not None:
            self._wake.set()

    # -- construction --------------------------------------------------------------------------------

    def _build_domain(self) -> None:
        from mock_agencies.auction import AuctionHouse
        from mock_agencies.backend import AgencyBackend
        from mock_agencies.ledger import Ledger
        from mock_agencies.pricing import PricingPlatform
        from mock_agencies.world import World

        self.world = World(self.seed, size=self.settings.world_size, catalogue=self.catalogue)
        self.ledger = Ledger(self.world)
        self.backend = AgencyBackend(self.catalogue, self.world, self.ledger)
        self.auction = AuctionHouse(self.seed, self.world)
        self.pricing = PricingPlatform(self.seed)

    def rng(self, agency_code: str, stream: str) -> random.Random:
        """The seeded generator of ``stream`` (latency, faults, callbacks…) for one agency."""
        key = (agency_code, stream)
        found = self._rngs.get(key)
        if found is None:
            found = self._rngs[key] = random.Random(derive_seed(self.seed, agency_code, stream))
        return found

    @property
    def profile(self) -> Profile:
        return self._profile

    @profile.setter
    def profile(self, profile: Profile) -> None:
        """A new profile; the behaviours resolved from the old one are forgotten."""
        self._profile = profile
        self._behaviours.clear()
        self._calm.clear()

    def behaviour(self, agency: Agency) -> Behaviour:
        found = self._behaviours.get(agency.code)
        if found is None:
            found = self._behaviours[agency.code] = self._profile.behaviour(agency.profile, agency.code)
            # no maintenance window and no fault: every submit gets through (see draw_fault)
            self._calm[agency.code] = not found.maintenance and not found.faults.any
        return found

    def set_profile(self, profile: Profile) -> None:
        self.profile = profile
        self.config.profile = profile.name
        self.config.overrides = profile.overrides

    # -- submit / poll -------------------------------------------------------------------------------

    def calm(self, agency: Agency) -> bool:
        """No maintenance window and no fault in ``agency``'s behaviour: every submit gets through."""
        calm = self._calm.get(agency.code)
        if calm is None:
            self.behaviour(agency)
            calm = self._calm[agency.code]
        return calm

    def draw_fault(self, agency: Agency, at: datetime | None = None) -> FaultDecision | None:
        """Whether the submit (now, or at ``at``: the 总对总 hub's submits) fails at the transport level
        (never touching the ledger)."""
        calm = self._calm.get(agency.code)
        if calm is None:
            self.behaviour(agency)
            calm = self._calm[agency.code]
        if calm:  # nothing to draw (no random number is taken either way)
            return None
        behaviour = self.behaviour(agency)
        now = self.now() if at is None else at
        window_end = behaviour.maintenance_end(now)
        if window_end is not None:
            # real seconds at the current speed; with a stopped clock (scale 0), virtual seconds
            scale = self.clock.scale or 1.0
            retry = max(1, math.ceil((window_end - now).total_seconds() / scale))
            return FaultDecision(FaultKind.MAINTENANCE, 503, retry)
        if not behaviour.faults.any:
            return None
        rng = self.rng(agency.code, "faults")
        kind = behaviour.draw_fault(rng)
        if kind is None:
            return None
        if kind is FaultKind.ERROR_5XX:
            return FaultDecision(kind, rng.choice((500, 502, 503)))
        if kind is FaultKind.TIMEOUT:
            return FaultDecision(kind, 504)
        if kind is FaultKind.RATE_LIMIT:
            return FaultDecision(kind, 429, behaviour.retry_after(rng))
        return FaultDecision(kind, 0)

    def submit(self, agency: Agency, request: ControlRequest) -> tuple[TicketRecord, bool]:
        """Accept ``request`` (or return the ticket of the same ``request_no``). Returns (record, duplicate)."""
        now = self.now()
        self.pump(now)
        key = (agency.code, request.request_no)
        existing = self._by_request.get(key)
        if existing is not None:
            record = self.tickets[existing]
            if record.request != request:
                self.journal.record(
                    now, "submit", agency=agency.code, request_no=request.request_no, outcome="conflict"
                )
                raise UserError(
                    f"请求编号 {request.request_no} 已用于内容不同的请求（工单 {existing}）",
                    f"request_no {request.request_no} was already used for a different request (ticket {existing})",
                    where="body.request_no",
                    code="conflict",
                )
            self.journal.record(
                now,
                "submit",
                agency=agency.code,
                request_no=request.request_no,
                measure=request.measure.value,
                ticket_id=existing,
                outcome="duplicate",
            )
            return record, True
        try:
            self.backend.validate(agency, request)
            scope = self.hub.scope_of(agency, request.scope)
        except UserError as err:
            self.journal.record(
                now,
                "submit",
                agency=agency.code,
                request_no=request.request_no,
                measure=request.measure.value,
                outcome="rejected",
                error=err.message,
            )
            raise
        self._ticket_seq += 1
        ticket = Ticket(
            ticket_id=f"TK{self._ticket_seq:010d}",
            request_no=request.request_no,
            agency=agency.code,
            measure=request.measure,
            status=TicketStatus.ACCEPTED,
            accepted_at=now,
        )
        if scope is not None:
            return self._submit_hub(agency, request, ticket, scope, now), False
        interim = self.backend.accept(agency, request, ticket, now)
        due = self.behaviour(agency).answer_due(request.measure, now, self.rng(agency.code, "latency"))
        record = TicketRecord(ticket=ticket, request=request, agency=agency, due_at=due)
        if interim is not None:  # e.g. a deduction registered as pending: visible by polling only
            record.feedback = interim
        self.tickets[ticket.ticket_id] = record
        self._by_request[key] = ticket.ticket_id
        heapq.heappush(self._due, (due, self._ticket_seq, ticket.ticket_id))
        self.journal.record(
            now,
            "submit",
            agency=agency.code,
            request_no=request.request_no,
            measure=request.measure.value,
            ticket_id=ticket.ticket_id,
            outcome="accepted",
            due_at=due,  # shown in ISO 8601 when read
        )
        if due <= now:
            self.pump(now)
        return record, False

    def _submit_hub(
        self, agency: Agency, request: ControlRequest, ticket: Ticket, scope: Scope, now: datetime
    ) -> TicketRecord:
        """A 总对总 query accepted: fanned out, one due entry per distinct answer instant."""
        fanout = self.hub.plan(request.subject.id_number, scope, now)
        first = fanout.next_due() or now  # a scope is never empty
        record = TicketRecord(ticket=ticket, request=request, agency=agency, due_at=first, hub=fanout)
        ticket_id = ticket.ticket_id
        self.tickets[ticket_id] = record
        self._by_request[(agency.code, request.request_no)] = ticket_id
        due = self._due
        for at in fanout.instants():
            self._ticket_seq += 1
            heapq.heappush(due, (at, self._ticket_seq, ticket_id))
        self.journal.record(
            now,
            "submit",
            agency=agency.code,
            request_no=request.request_no,
            measure=request.measure.value,
            ticket_id=ticket_id,
            outcome="accepted",
            due_at=first,
            scope=len(scope.agencies),
            instants=len(fanout.groups),
            hub_retries=fanout.retries,
        )
        if first <= now:
            self.pump(now)
        return record

    def ticket(self, agency_code: str, ticket_id: str) -> TicketRecord:
        self.pump(self.now())
        record = self.tickets.get(ticket_id)
        if record is None or record.agency.code != agency_code:
            raise UserError(
                f"机构 {agency_code} 没有工单 {ticket_id}",
                f"agency {agency_code} has no ticket {ticket_id}",
                where="path.ticket_id",
                code="not_found",
            )
        return record

    def ticket_by_request(self, agency_code: str, request_no: str) -> TicketRecord | None:
        ticket_id = self._by_request.get((agency_code, request_no))
        return None if ticket_id is None else self.tickets[ticket_id]

    # -- time passing --------------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """The earliest pending answer, callback, freeze expiry, auction or pricing event (virtual time)."""
        candidates = [
            t
            for t in (
                self._due[0][0] if self._due else None,
                self.outbox.next_due(),
                self.ledger.next_expiry(),
                self.auction.next_due(),
                self.pricing.next_due(),
            )
            if t is not None
        ]
        return min(candidates) if candidates else None

    def pump(self, now: datetime) -> int:
        """Produce every answer due by ``now``, in time order; returns how many were answered."""
        answered = 0
        due = self._due
        while due and due[0][0] <= now:
            at, _, ticket_id = heapq.heappop(due)
            self._advance_domain(at)
            answered += self._answer(self.tickets[ticket_id], at)
            self._journal_ledger(at)  # what the answer did, at its own instant
        self._advance_domain(now)
        return answered

    def _advance_domain(self, at: datetime) -> None:
        last = self._last_advanced
        if last is not None and at <= last:
            self._journal_ledger(at)
            return
        self._last_advanced = at
        self._journal_ledger(at)
        self.flush_platform("auction", at)
        self.flush_platform("pricing", at)

    def _journal_ledger(self, at: datetime) -> None:
        for event in self.ledger.advance(at) or ():
            self.journal.record(at, "ledger", event=_jsonable(event))
            if self._waiting:
                kind = event.kind
                if kind in _NOTICE_EVENTS:
                    self._notice(event)
                elif kind in _ENDED_EVENTS:
                    self._stop_waiting(event.freeze_id)

    def awaits_notices(self) -> bool:
        """Some answered freeze still waits for money: a release, a deduction or a lapse may make a notice."""
        return bool(self._waiting)

    def _stop_waiting(self, freeze_id: str) -> None:
        """The freeze controls all it asked for, or ended: no notice can follow."""
        self._waiting.pop(freeze_id, None)

    def _notice(self, event: LedgerEvent) -> None:
        """A queued freeze took effect or a partial one was topped up: notice the request's ticket (see the
        module docstring). A freeze taken without a ticket of this session (a direct ledger call) has none."""
        freeze_id = event.freeze_id
        ticket_id = self._waiting.get(freeze_id)
        if ticket_id is None:
            return
        record = self.tickets[ticket_id]
        number = len(record.notices) + 1
        agency = record.agency
        at = event.at
        notice = self.backend.notice(agency, record.request, record.ticket, event, number)
        record.notices += (notice,)
        if not event.shortfall_cents:
            self._stop_waiting(freeze_id)
        key = f"{ticket_id}:notice:{number}"
        url = record.request.callback_url
        payload = notice.model_dump(mode="json")
        self.journal.record(
            at,
            "notice",
            agency=agency.code,
            ticket_id=ticket_id,
            request_no=record.request.request_no,
            notice=number,
            freeze_id=freeze_id,
            event=str(event.kind),
            amount_controlled_cents=event.amount_cents,
            url=url,
            key=key,
            feedback=payload,
        )
        if url:
            self._queue(url, payload, at, key, self.behaviour(agency).callbacks, self.rng(agency.code, "callbacks"))
        for listener in self.notice_listeners:
            listener(notice)

    def flush_platform(self, platform_class: str, at: datetime) -> None:
        """Queue the callbacks of the auction or pricing platform's results due by ``at`` (each with an
        idempotency key ``event:id`` and the platform's callback behaviour) and journal them."""
        platform = self.auction if platform_class == "auction" else self.pricing
        for notice in platform.advance(at) or ():
            payload = notice.payload
            ident = payload.get("listing_id") or payload.get("pricing_id") or ""
            key = f"{payload.get('event', 'notice')}:{ident}"
            if notice.url:
                self._queue(
                    notice.url,
                    payload,
                    at,
                    key,
                    self.profile.behaviour(platform_class, "*").callbacks,
                    self.rng(platform_class, "callbacks"),
                )
            self.journal.record(at, "notice", url=notice.url, key=key, event=payload.get("event"))

    def _answer(self, record: TicketRecord, at: datetime) -> int:
        if record.hub is not None:
            return self._answer_hub(record, record.hub, at)
        agency = record.agency
        try:
            feedback = self.backend.answer(agency, record.request, record.ticket, at)
        except UserError as err:
            feedback = self._failed_feedback(record, at, err.code, err.message)
        except Exception as err:  # a bug in a backend must not stop the clock; journal it loudly
            log.exception("answer failed for ticket %s", record.ticket.ticket_id)
            feedback = self._failed_feedback(record, at, "agency_error", f"{type(err).__name__}: {err}")
            self.journal.record(at, "error", ticket_id=record.ticket.ticket_id, error=repr(err)[:500])
        if feedback is None:
            behaviour = self.behaviour(agency)
            record.held += 1
            retry = behaviour.next_open(at + timedelta(seconds=behaviour.held_retry_seconds))
            record.due_at = retry
            self._ticket_seq += 1
            heapq.heappush(self._due, (retry, self._ticket_seq, record.ticket.ticket_id))
            if record.held == 1:  # journal the first hold only: retries would flood the bounded journal
                self.journal.record(at, "held", ticket_id=record.ticket.ticket_id, retry_at=retry.isoformat())
            return 0
        record.feedback = feedback
        record.ticket = _with_status(record.ticket, TicketStatus.ANSWERED)
        if feedback.unsecured_remainder_cents and feedback.freeze_id and record.request.measure in _CONTROL_MEASURES:
            # a queued or partial freeze: the ledger may give it more later (a notice per promotion / top-up)
            self._waiting[feedback.freeze_id] = record.ticket.ticket_id
        self.journal.record(
            at,
            "answer",
            agency=agency.code,
            ticket_id=record.ticket.ticket_id,
            ok=feedback.ok,
            code=feedback.code,
        )
        url = record.request.callback_url
        if url:
            self._queue(
                url,
                record.feedback_json,
                at,
                record.ticket.ticket_id,
                self.behaviour(agency).callbacks,
                self.rng(agency.code, "callbacks"),
            )
        return 1

    def _answer_hub(self, record: TicketRecord, fanout: HubFanout, at: datetime) -> int:
        """One part of a 总对总 query: the agencies due by ``at`` answer; callback with this part only."""
        part = self.hub.answer(record, fanout, at)
        if part is None:
            return 0
        batch = part.batch
        assert batch is not None
        nxt = fanout.next_due()
        record.due_at = at if nxt is None else nxt
        ticket_id = record.ticket.ticket_id
        if nxt is None:
            record.ticket = _with_status(record.ticket, TicketStatus.ANSWERED)
        self.journal.record(
            at,
            "answer",
            agency=record.agency.code,
            ticket_id=ticket_id,
            ok=True,
            code=part.code,
            part=batch.part,
            found=len(batch.found),
            none_found=len(batch.none_found),
            outstanding=batch.outstanding,
        )
        url = record.request.callback_url
        if url:
            agency = record.agency
            self._queue(
                url,
                part.model_dump(mode="json"),
                at,
                f"{ticket_id}:{batch.part}",
                self.behaviour(agency).callbacks,
                self.rng(agency.code, "callbacks"),
            )
        return 1

    def _failed_feedback(self, record: TicketRecord, at: datetime, code: str, message: str) -> Feedback:
        return Feedback(
            ticket_id=record.ticket.ticket_id,
            request_no=record.request.request_no,
            agency=record.agency.code,
            measure=record.request.measure,
            answered_at=at,
            ok=False,
            code=code,
            message=message,
        )

    async def deliver_due(self, now: datetime, client: httpx.AsyncClient | None = None) -> list[Delivery]:
        """Attempt every callback due by ``now`` (in due order); returns the attempted deliveries."""
        batch = self.outbox.pop_due(now)
        if not batch:
            return []
        if client is None:
            async with httpx.AsyncClient(timeout=self.settings.callback_timeout_seconds) as own:
                return await self._deliver(batch, own, now)
        return await self._deliver(batch, client, now)

    async def _deliver(self, batch: list[Delivery], client: httpx.AsyncClient, now: datetime) -> list[Delivery]:
        """Attempt ``batch`` — up to ``callback_concurrency`` posts out at once (callbacks due at one instant
        are independent; their receiver tolerates any order) — then journal them in due order."""
        limit = max(1, self.settings.callback_concurrency)
        if limit == 1 or len(batch) == 1:
            for delivery in batch:
                await self.outbox.attempt(delivery, client, now)
        else:
            gate = asyncio.Semaphore(limit)

            async def one(delivery: Delivery) -> None:
                async with gate:
                    await self.outbox.attempt(delivery, client, now)

            await asyncio.gather(*(one(d) for d in batch))
        for delivery in batch:
            self.journal.record(
                now,
                "callback",
                url=delivery.url,
                key=delivery.key,
                copy=delivery.copy,
                attempt=delivery.attempts,
                status=delivery.last_status,
                error=delivery.last_error,
                state=delivery.state.value,
            )
        return batch

    async def tick(self, client: httpx.AsyncClient | None = None) -> None:
        """Real-time progression: answers and callbacks due by the clock's now."""
        async with self.lock:
            now = self.now()
            self.pump(now)
            await self.deliver_due(now, client)

    async def advance(
        self, *, by: timedelta | None = None, to: datetime | None = None, client: httpx.AsyncClient | None = None
    ) -> dict[str, Any]:
        """Skip virtual time (by a duration or to an instant), processing every due answer and callback at
        its own instant on the way."""
        async with self.lock:
            start = self.now()
            target = as_cst(to) if to is not None else start + (by or timedelta(0))
            if target < start:
                raise UserError(
                    f"虚拟时钟不能倒退（当前 {start.isoformat()}）",
                    f"the virtual clock cannot go back (now {start.isoformat()})",
                    where="body.to",
                )
            answered = attempts = acknowledged = 0
            previous: datetime | None = None
            while True:
                nxt = self.next_due()
                if nxt is not None and nxt == previous:  # no progress at this instant: do not spin
                    log.error("namespace %s: item due at %s is not processed", self.namespace, nxt)
                    nxt = None
                previous = nxt
                done = nxt is None or nxt > target
                self.clock.skip_to(target if done else nxt)
                now = self.now()
                answered += self.pump(now)
                batch = await self.deliver_due(now, client)
                attempts += len(batch)
                acknowledged += sum(1 for d in batch if d.state is DeliveryState.ACKNOWLEDGED)
                if done:
                    break
            return {
                "from": start.isoformat(),
                "now": now.isoformat(),
                "answered": answered,
                "callback_attempts": attempts,
                "callbacks_acknowledged": acknowledged,
                "pending_answers": len(self._due),
                "pending_callbacks": len(self.outbox),
            }

    def info(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "seed": self.seed,
            "profile": self.profile.name,
            "overrides": self.profile.overrides,
            "time_scale": self.clock.scale,
            "origin": self.clock.origin.isoformat(),
            "now": self.now().isoformat(),
            "tickets": len(self.tickets),
            "pending_answers": len(self._due),
            "pending_callbacks": len(self.outbox),
            "journal_entries": len(self.journal),
            "journal_size": self.journal.maxlen,
        }


def _with_status(ticket: Ticket, status: TicketStatus) -> Ticket:
    """``ticket.model_copy(update={"status": status})``, made directly: the same shallow copy (values,
    fields set; a ticket has no extra or private attributes) at half the cost, once per answer."""
    new = Ticket.__new__(Ticket)
    values = ticket.__dict__.copy()
    values["status"] = status
    object.__setattr__(new, "__dict__", values)
    object.__setattr__(new, "__pydantic_fields_set__", ticket.__pydantic_fields_set__ | {"status"})
    object.__setattr__(new, "__pydantic_extra__", None)
    object.__setattr__(new, "__pydantic_private__", None)
    return new


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class SessionManager:
    """All namespaces of one service; creates ``default`` (and any well-named namespace) on first use."""

    def __init__(self, settings: Settings, catalogue: Catalogue) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.sessions: dict[str, Session] = {}
        self.wake = asyncio.Event()

    def default_config(self) -> SessionConfig:
        s = self.settings
        return SessionConfig(seed=s.seed, profile=s.profile, time_scale=s.time_scale, origin=s.origin)

    def get(self, namespace: str) -> Session | None:
        return self.sessions.get(namespace)

    def get_or_create(self, namespace: str) -> Session:
        found = self.sessions.get(namespace)
        if found is not None:
            return found
        return self.create(namespace, self.default_config())

    def create(self, namespace: str, config: SessionConfig) -> Session:
        """Create (or replace, i.e. reset) ``namespace`` with ``config``."""
        check_namespace(namespace)
        if namespace not in self.sessions and len(self.sessions) >= self.settings.max_sessions:
            raise UserError(
                f"命名空间已达上限 {self.settings.max_sessions}，请先删除不用的",
                f"at most {self.settings.max_sessions} namespaces; delete unused ones first",
                where="header X-Zhixing-Session",
                code="too_many_sessions",
            )
        session = Session(namespace, config, self.settings, self.catalogue, self.wake)
        self.sessions[namespace] = session
        self.wake.set()
        return session

    def reset(self, namespace: str) -> Session:
        """A fresh namespace with the same seed, profile, overrides and clock settings."""
        old = self.require(namespace)
        config = SessionConfig(
            seed=old.config.seed,
            profile=old.config.profile,
            overrides=dict(old.config.overrides),
            time_scale=old.config.time_scale,
            origin=old.config.origin,
        )
        return self.create(namespace, config)

    def drop(self, namespace: str) -> None:
        self.require(namespace)
        del self.sessions[namespace]

    def require(self, namespace: str) -> Session:
        found = self.sessions.get(namespace)
        if found is None:
            raise UserError(
                f"没有命名空间 {namespace!r}",
                f"no namespace {namespace!r}",
                where="path.namespace",
                code="not_found",
            )
        return found

    async def tick_all(self, client: httpx.AsyncClient | None = None) -> float:
        """Advance every namespace to its clock's now (callbacks posted with ``client``, one for the service's
        life: a new client per tick costs ~40 ms of TLS set-up); returns real seconds until the next due item."""
        wait = 1.0
        for session in list(self.sessions.values()):
            await session.tick(client)
            nxt = session.next_due()
            if nxt is not None:
                seconds = session.clock.real_seconds_until(nxt)
                if seconds is not None:
                    wait = min(wait, seconds)
        return max(wait, 0.005)


def check_namespace(namespace: str) -> str:
    if not _NAMESPACE_RE.match(namespace):
        raise UserError(
            f"命名空间名称无效 {namespace!r}：1–64 个字母、数字、_ . -",
            f"invalid namespace {namespace!r}: 1-64 letters, digits, _ . -",
            where="header X-Zhixing-Session",
        )
    return namespace
