"""One isolated namespace of the mock agencies (selected by the header ``X-Zhixing-Session``): the domain.

A :class:`Session` composes the stateful parts of a namespace, each in its own module, and does no I/O:

* the synthetic world, the ledger, the request handling backend, the auction and pricing platforms;
* :mod:`~mock_agencies.tickets` — tickets and idempotency (:class:`~mock_agencies.tickets.TicketBook`);
* :mod:`~mock_agencies.schedule` — when each answer is due (:class:`~mock_agencies.schedule.AnswerSchedule`);
* :mod:`~mock_agencies.streams` — behaviours, faults and seeded random streams
  (:class:`~mock_agencies.streams.AgencyBehaviours`);
* :mod:`~mock_agencies.notices` — later notices about answered freezes
  (:class:`~mock_agencies.notices.NoticeBoard`);
* :mod:`~mock_agencies.platform_flush` — the auction and pricing platforms' results as callbacks;
* :mod:`~mock_agencies.hub` — the 总对总 fan-out, given only what it needs (behaviours, catalogue, ledger);
* the callback outbox (:class:`~mock_agencies.callbacks.CallbackOutbox`: queued callbacks, data only), the
  request journal and the namespace's :class:`~mock_agencies.clock.VirtualClock`.

Answers become due at virtual instants drawn from the behaviour profile; :meth:`Session.pump` produces every
answer due by ``now`` (in time order) and queues their callbacks. The posts are
:class:`~mock_agencies.delivery.CallbackDeliverer`'s; time passing (real-time ticks, ``advance``) is
:class:`~mock_agencies.timeline.SessionRunner`'s; the namespaces are
:class:`~mock_agencies.namespaces.SessionManager`'s. Nothing here reads the wall clock except through the
session's clock.

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

import logging
import pickle
import random
from collections import deque
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core_flow.errors import UserError
from core_flow.protocol import TICKET_STATUS, ControlRequest, FailureCode, Feedback, failure_code
from mock_agencies.callback_policy import CallbackPolicy
from mock_agencies.callbacks import CallbackOutbox
from mock_agencies.clock import VirtualClock
from mock_agencies.defects import Defect, alter_feedback, apply_transfer_defects, replays_as_new
from mock_agencies.hub import Hub, HubFanout, Scope
from mock_agencies.journal import Journal
from mock_agencies.notices import NoticeBoard
from mock_agencies.platform_flush import results_of
from mock_agencies.profiles import Behaviour, CallbackBehaviour, Profile, load_profile
from mock_agencies.schedule import AnswerSchedule
from mock_agencies.settings import Settings
from mock_agencies.streams import AgencyBehaviours, FaultDecision, derive_seed
from mock_agencies.tickets import (
    Print,
    TicketBook,
    TicketChanges,
    TicketRecord,
    changes_since,
    decode_record,
    print_of,
    with_status,
)

if TYPE_CHECKING:
    from core_flow.protocol import Ticket
    from mock_agencies.auction import AuctionHouse
    from mock_agencies.backend import AgencyBackend
    from mock_agencies.catalogue import Agency, Catalogue
    from mock_agencies.ledger import Ledger, LedgerEvent
    from mock_agencies.pricing import PricingPlatform
    from mock_agencies.world import World

log = logging.getLogger(__name__)

__all__ = ["FaultDecision", "Session", "SessionConfig", "TicketRecord", "derive_seed"]

_NAMESPACES = frozenset({"SessionManager", "check_namespace", "NAMESPACE_PATTERN", "DEFAULT_NAMESPACE"})


def __getattr__(name: str) -> Any:  # the namespaces moved to mock_agencies.namespaces; old imports keep working
    if name in _NAMESPACES:
        from mock_agencies import namespaces

        return getattr(namespaces, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(slots=True)
class SessionConfig:
    seed: int
    profile: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    time_scale: float = 1.0
    origin: datetime | None = None
    simulated_bidders: bool = True  # False: only the bidders a client sends bid (a scenario's exact results)


class Session:
    """One namespace's domain. See the module docstring."""

    world: World
    ledger: Ledger
    backend: AgencyBackend
    auction: AuctionHouse
    pricing: PricingPlatform

    def __init__(
        self,
        namespace: str,
        config: SessionConfig,
        settings: Settings,
        catalogue: Catalogue,
        *,
        on_queued: Callable[[], None] | None = None,
        clock: VirtualClock | None = None,
        callback_policy: CallbackPolicy | None = None,
    ) -> None:
        """``on_queued``: called whenever a callback is queued (the service's ticker wakes up). ``clock``: the
        namespace's clock when not one made from ``config`` (e.g. one following an in-process court's clock)."""
        self.namespace = namespace
        self.config = config
        self.seed = config.seed
        self.settings = settings
        self.catalogue = catalogue
        self._on_queued = on_queued
        self.callback_policy = callback_policy or CallbackPolicy(
            settings.callback_hosts, [(settings.host, settings.port)]
        )
        self.clock = clock or VirtualClock(config.origin or settings.origin, config.time_scale)
        self.behaviours = AgencyBehaviours(config.seed, load_profile(config.profile, config.overrides or None),
                                           lambda: self.clock.scale)
        self.journal = Journal(settings.journal_size)
        self.outbox = CallbackOutbox(
            max_attempts=1 if Defect.NO_CALLBACK_RETRY in settings.defects else settings.callback_max_attempts,
            backoff_seconds=settings.callback_backoff_seconds,
            backoff_cap_seconds=settings.callback_backoff_cap_seconds,
        )
        self.book = TicketBook()
        self.schedule = AnswerSchedule()
        self.notices = NoticeBoard()
        self._last_advanced: datetime | None = None
        retention = settings.ticket_retention_seconds
        self._retention = None if retention is None else timedelta(seconds=retention)
        self._remember = timedelta(seconds=settings.idempotency_retention_seconds)
        self._retire_queue: deque[tuple[datetime, str]] = deque()  # (retirable from, ticket id), in time order
        self._saved_prints: dict[str, Print] | None = None  # the ticket rows as last saved (None: none yet)
        self._build_domain()
        self.hub = Hub(self.behaviours, catalogue, self.ledger,
                       retry_seconds=settings.hub_retry_seconds, max_attempts=settings.hub_max_attempts)

    def _build_domain(self) -> None:
        from mock_agencies.auction import AuctionHouse
        from mock_agencies.backend import AgencyBackend
        from mock_agencies.ledger import Ledger
        from mock_agencies.pricing import PricingPlatform
        from mock_agencies.world import World

        self.world = World(self.seed, size=self.settings.world_size, catalogue=self.catalogue)
        self.ledger = Ledger(self.world)
        self.ledger.queue_lifo = Defect.QUEUE_OUT_OF_ORDER in self.settings.defects  # a deliberate defect (off)
        apply_transfer_defects(self.ledger, self.settings.defects)  # deliberate defects of 过户 (off)
        self.backend = AgencyBackend(self.catalogue, self.world, self.ledger)
        self.backend.any_case_deducts = Defect.ANY_CASE_DEDUCTS in self.settings.defects  # a deliberate defect (off)
        from mock_agencies.auction import BidderModel

        self.auction = AuctionHouse(self.seed, self.world, bidders=None if getattr(
            self.config, "simulated_bidders", True) else BidderModel(max_bidders=0))
        self.pricing = PricingPlatform(self.seed)

    # -- views kept for callers ------------------------------------------------------------------------

    @property
    def tickets(self) -> dict[str, TicketRecord]:
        return self.book.tickets

    @property
    def notice_listeners(self) -> list[Callable[[Feedback], None]]:
        """Called with each notice when made (the in-process ports)."""
        return self.notices.listeners

    @property
    def pending_answers(self) -> int:
        return len(self.schedule)

    def now(self) -> datetime:
        """The namespace's virtual time, CST."""
        return self.clock.now()

    def fresh(self) -> bool:
        """Nothing has happened yet: no ticket, no callback, nothing due (pins may be set)."""
        return not self.book.tickets and not len(self.outbox) and self.next_due() is None

    def align_clock(self, now: datetime, scale: float) -> datetime:
        """Set the clock to read ``now`` from this moment on and run at ``scale`` (an HTTP court aligns its
        agencies once at start). Going back is allowed only while the namespace is :meth:`fresh`; a clock that
        follows an in-process court cannot be aligned. Raises a located ``UserError`` (``conflict``)."""
        if self.clock.follows:
            raise UserError(
                "该命名空间的时钟跟随进程内法院的时钟，不能另行对齐",
                "this namespace's clock follows an in-process court's clock; it cannot be aligned",
                where="path.namespace",
                code="conflict",
            )
        current = self.now()
        if now < current and not self.fresh():
            raise UserError(
                f"命名空间已有工单或待办事项，虚拟时钟不能倒退（当前 {current.isoformat()}）；请先重置",
                f"the namespace has tickets or pending items: its virtual clock cannot go back (now "
                f"{current.isoformat()}); reset it first",
                where="body.now",
                code="conflict",
            )
        if now < current:
            self._last_advanced = None  # nothing happened yet: the platforms start again from the new time
        self.config.time_scale = scale
        return self.clock.align(now, scale)

    # -- behaviour, faults, random streams ---------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        return self.behaviours.profile

    @profile.setter
    def profile(self, profile: Profile) -> None:
        """A new profile; the behaviours resolved from the old one are forgotten."""
        self.behaviours.profile = profile

    def set_profile(self, profile: Profile) -> None:
        self.behaviours.profile = profile
        self.config.profile = profile.name
        self.config.overrides = profile.overrides

    def rng(self, agency_code: str, stream: str) -> random.Random:
        return self.behaviours.rng(agency_code, stream)

    def behaviour(self, agency: Agency) -> Behaviour:
        return self.behaviours.behaviour(agency)

    def calm(self, agency: Agency) -> bool:
        return self.behaviours.calm(agency)

    def draw_fault(self, agency: Agency, at: datetime | None = None) -> FaultDecision | None:
        """Whether the submit (now, or at ``at``) fails at the transport level (never touching the ledger)."""
        return self.behaviours.draw_fault(agency, self.now() if at is None else at)

    # -- callbacks (queued only: the posts are the deliverer's) ----------------------------------------

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
        owner: str = "",
    ) -> None:
        self.outbox.queue(url, payload, at, key=key, behaviour=behaviour, rng=rng, owner=owner)
        if self._on_queued is not None:
            self._on_queued()

    # -- submit / poll -------------------------------------------------------------------------------

    def submit(self, agency: Agency, request: ControlRequest) -> tuple[TicketRecord, bool]:
        """Accept ``request`` (or return the ticket of the same ``request_no``). Returns (record, duplicate)."""
        now = self.now()
        self.pump(now)
        replay_new = False  # a deliberate defect (mock_agencies.defects; off): a repeat carried out as new
        try:
            existing = self.book.existing(agency, request)
        except UserError:
            if not replays_as_new(self.settings.defects, request.measure):
                self.journal.record(now, "submit", agency=agency.code, request_no=request.request_no,
                                    outcome="conflict")
                raise
            existing, replay_new = None, True
        if existing is not None and replays_as_new(self.settings.defects, request.measure):
            existing, replay_new = None, True
        if existing is not None:
            self.journal.record(
                now,
                "submit",
                agency=agency.code,
                request_no=request.request_no,
                measure=request.measure.value,
                ticket_id=existing.ticket.ticket_id,
                outcome="duplicate",
            )
            return existing, True
        try:
            self.backend.validate(agency, request)
            scope = self.hub.scope_of(agency, request.scope)
            self.callback_policy.check(request.callback_url)
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
        ticket = self.book.issue(agency.code, request, now)
        if replay_new:  # the defect: carried out as another request (the ledger would otherwise dedupe it)
            request = request.model_copy(update={"request_no": f"{request.request_no}~{ticket.ticket_id}"})
        if scope is not None:
            return self._submit_hub(agency, request, ticket, scope, now), False
        interim = self.backend.accept(agency, request, ticket, now)
        behaviours = self.behaviours
        due = behaviours.behaviour(agency).answer_due(request.measure, now, behaviours.rng(agency.code, "latency"))
        record = TicketRecord(ticket=ticket, request=request, agency=agency, due_at=due)
        if interim is not None:  # e.g. a deduction registered as pending: visible by polling only
            record.feedback = interim
        self.book.file(record)
        self.schedule.add(due, ticket.ticket_id)
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
        self.book.file(record)
        for at in fanout.instants():
            self.schedule.add(at, ticket_id)
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
        """A ticket, as a poll sees it (an answered one counts as delivered: it may be retired later)."""
        self.pump(self.now())
        record = self.book.get(agency_code, ticket_id)
        if record.ticket.status is TICKET_STATUS.ANSWERED:
            record.delivered = True
        return record

    def ticket_by_request(
        self, agency_code: str, request_no: str, court_code: str | None = None
    ) -> TicketRecord | None:
        return self.book.by_request(agency_code, request_no, court_code)

    # -- time passing (no I/O: answers are produced, callbacks queued) ---------------------------------

    def next_due(self) -> datetime | None:
        """The earliest pending answer, callback, freeze expiry, auction or pricing event (virtual time)."""
        candidates = [
            t
            for t in (
                self.schedule.next_due(),
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
        schedule = self.schedule
        heap = schedule._heap  # (peeked here: most pumps find nothing due, and then no generator is made)
        if heap and heap[0][0] <= now:
            tickets = self.book.tickets
            for at, ticket_id in schedule.due(now):
                self._advance_domain(at)
                answered += self._answer(tickets[ticket_id], at)
                self._journal_ledger(at)  # what the answer did, at its own instant
        last = self._last_advanced
        if last is not None and now <= last:  # (``_advance_domain``'s first case, without the call)
            self._journal_ledger(now)
        else:
            self._advance_domain(now)
        if self._retire_queue and self._retire_queue[0][0] <= now:
            self._retire_due(now)
        book = self.book
        forget = book._forget  # (peeked here, as the schedule: ``forget_due`` has nothing to do most times)
        if forget and forget[0][0] <= now:
            book.forget_due(now)
        return answered

    # -- retention (bounded memory) ---------------------------------------------------------------------

    def _retirable(self, record: TicketRecord, at: datetime) -> None:
        """``record`` was answered at ``at``: it may be retired once the retention has passed."""
        if self._retention is not None:
            self._retire_queue.append((at + self._retention, record.ticket.ticket_id))

    def _retire_due(self, now: datetime) -> None:
        """Retire every ticket whose retention has passed and whose answer reached the court (a poll or a
        collect returned it, or a callback about it was acknowledged) — unless a callback about it is still
        pending or a notice may still follow (then it is looked at again one retention later)."""
        queue = self._retire_queue
        retention = self._retention
        assert retention is not None
        later: list[str] = []
        while queue and queue[0][0] <= now:
            _, ticket_id = queue.popleft()
            if ticket_id not in self.book.tickets:
                continue
            record = self.book.tickets[ticket_id]
            delivered = record.delivered or self.outbox.acked(ticket_id)
            if not delivered or self.outbox.busy(ticket_id) or self.notices.waits_on(ticket_id):
                later.append(ticket_id)  # its answer has not reached the court yet, or more may follow
                continue
            self.book.retire(ticket_id, now + self._remember)
            self.outbox.forget(ticket_id)
        for ticket_id in later:
            queue.append((now + retention, ticket_id))

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
            self.journal.record(at, "ledger", event=event)  # made JSON-ready when read
            made = self.notices.on_event(event, self.book.tickets, self._make_notice)
            if made is not None:
                self._send_notice(*made, event)

    def awaits_notices(self, tickets: Container[str] | None = None) -> bool:
        """Some answered freeze (of one of ``tickets``, if given) still waits for money: a release, a deduction or a
        lapse may make a notice."""
        return self.notices.awaits(tickets)

    def _make_notice(self, record: TicketRecord, event: LedgerEvent, number: int) -> Feedback:
        return self.backend.notice(record.agency, record.request, record.ticket, event, number)

    def _send_notice(self, record: TicketRecord, notice: Feedback, event: LedgerEvent) -> None:
        """Journal a notice, queue its callback, hand it to the listeners (see the module docstring)."""
        agency = record.agency
        ticket_id = record.ticket.ticket_id
        number = len(record.notices)
        at = event.at
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
            freeze_id=event.freeze_id,
            event=str(event.kind),
            amount_controlled_cents=event.amount_cents,
            url=url,
            key=key,
            feedback=payload,
        )
        if url:
            self._queue(url, payload, at, key, self.behaviour(agency).callbacks, self.rng(agency.code, "callbacks"),
                        ticket_id)
        self.notices.publish(notice)

    def flush_platform(self, platform_class: str, at: datetime) -> None:
        """Queue the callbacks of the auction or pricing platform's results due by ``at`` (each with an
        idempotency key ``event:id`` and the platform's callback behaviour) and journal them."""
        platform = self.auction if platform_class == "auction" else self.pricing
        notices = platform.advance(at)
        if not notices:  # the common case: nothing due on the platform
            return
        for result in results_of(notices):
            if result.url:
                self._queue(
                    result.url,
                    result.payload,
                    at,
                    result.key,
                    self.profile.behaviour(platform_class, "*").callbacks,
                    self.rng(platform_class, "callbacks"),
                )
            self.journal.record(at, "notice", url=result.url, key=result.key, event=result.event)

    def _answer(self, record: TicketRecord, at: datetime) -> int:
        if record.hub is not None:
            return self._answer_hub(record, record.hub, at)
        agency = record.agency
        try:
            feedback = self.backend.answer(agency, record.request, record.ticket, at)
        except UserError as err:
            feedback = self._failed_feedback(record, at, failure_code(err.code), f"{err.code}: {err.message}")
        except Exception as err:  # a bug in a backend must not stop the clock; journal it loudly
            log.exception("answer failed for ticket %s", record.ticket.ticket_id)
            feedback = self._failed_feedback(record, at, FailureCode.AGENCY_ERROR, f"{type(err).__name__}: {err}")
            self.journal.record(at, "error", ticket_id=record.ticket.ticket_id, error=repr(err)[:500])
        if feedback is not None and self.settings.defects:
            feedback = alter_feedback(self.settings.defects, feedback, record.ticket.request_no)
        if feedback is None:
            behaviour = self.behaviour(agency)
            record.held += 1
            retry = behaviour.next_open(at + timedelta(seconds=behaviour.held_retry_seconds))
            record.due_at = retry
            self.schedule.add(retry, record.ticket.ticket_id)
            if record.held == 1:  # journal the first hold only: retries would flood the bounded journal
                self.journal.record(at, "held", ticket_id=record.ticket.ticket_id, retry_at=retry.isoformat())
            return 0
        record.feedback = feedback
        record.ticket = with_status(record.ticket, TICKET_STATUS.ANSWERED)
        self.notices.answered(record)  # a queued or partial freeze: the ledger may give it more later
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
                record.ticket.ticket_id,
            )
        self._retirable(record, at)
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
            record.ticket = with_status(record.ticket, TICKET_STATUS.ANSWERED)
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
                ticket_id,
            )
        if nxt is None:
            self._retirable(record, at)
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

    # -- saving and restoring (the durable store keeps these) -------------------------------------------

    _SAVED = ("config", "behaviours", "journal", "outbox", "book", "schedule", "notices", "_last_advanced",
              "_retire_queue", "world", "ledger", "auction", "pricing")

    def snapshot(self) -> tuple[bytes, TicketChanges]:
        """The namespace's state as bytes (no I/O): everything above but the tickets, and the clock's reading; and
        the ticket records changed since the last save (:meth:`saved`). What is rebuilt on restore — the backend,
        the hub (a cache), the listeners — is not in it."""
        clock = self.clock
        book = self.book
        changes = changes_since(book.tickets, self._saved_prints)
        state = {name: getattr(self, name) for name in self._SAVED}
        state["clock"] = (clock.origin, clock.now(), clock.scale)
        listeners = self.notices.listeners
        tickets = book.tickets
        self.notices.listeners = []
        book.tickets = {}  # one row each, in ``changes``
        try:
            return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), changes
        finally:
            self.notices.listeners = listeners
            book.tickets = tickets

    def saved(self, changes: TicketChanges) -> None:
        """``changes`` (from :meth:`snapshot`) were written: the next snapshot writes only what changes after."""
        self._saved_prints = changes.prints

    @classmethod
    def restore(
        cls,
        namespace: str,
        blob: bytes,
        settings: Settings,
        catalogue: Catalogue,
        *,
        rows: dict[str, bytes] | None = None,
        on_queued: Callable[[], None] | None = None,
        callback_policy: CallbackPolicy | None = None,
    ) -> Session:
        """A namespace from :meth:`snapshot` (its virtual clock reads where it stopped and runs on from there)."""
        from mock_agencies.backend import AgencyBackend

        state = pickle.loads(blob)  # noqa: S301 - the service's own store, written by :meth:`snapshot`
        book: TicketBook = state["book"]
        whole = bool(book.tickets)  # saved before ticket rows: the tickets are in the blob
        for ticket_id, row in (rows or {}).items():  # ticket ids sort in issue order
            book.tickets[ticket_id] = decode_record(row, catalogue)
        origin, now, scale = state.pop("clock")
        config: SessionConfig = state["config"]
        clock = VirtualClock(origin, scale)
        clock.skip_to(now)
        session = cls.__new__(cls)
        session.namespace = namespace
        session.seed = config.seed
        session.settings = settings
        session.catalogue = catalogue
        session._on_queued = on_queued
        session.callback_policy = callback_policy or CallbackPolicy(
            settings.callback_hosts, [(settings.host, settings.port)]
        )
        session.clock = clock
        for name, value in state.items():
            setattr(session, name, value)
        retention = settings.ticket_retention_seconds
        session._retention = None if retention is None else timedelta(seconds=retention)
        session._remember = timedelta(seconds=settings.idempotency_retention_seconds)
        session.behaviours._scale = lambda: session.clock.scale
        session.world.catalogue = catalogue
        session.backend = AgencyBackend(catalogue, session.world, session.ledger)
        session.hub = Hub(session.behaviours, catalogue, session.ledger,
                          retry_seconds=settings.hub_retry_seconds, max_attempts=settings.hub_max_attempts)
        # the rows read are what is saved; a state saved before ticket rows is written whole next time
        session._saved_prints = None if whole else {t: print_of(r) for t, r in book.tickets.items()}
        # the deliberate defects are this server's (--defect), never carried over from a saved state
        session.ledger.queue_lifo = Defect.QUEUE_OUT_OF_ORDER in settings.defects
        apply_transfer_defects(session.ledger, settings.defects)
        session.backend.any_case_deducts = Defect.ANY_CASE_DEDUCTS in settings.defects
        session.outbox.max_attempts = (1 if Defect.NO_CALLBACK_RETRY in settings.defects
                                       else settings.callback_max_attempts)
        return session

    def info(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "seed": self.seed,
            "profile": self.profile.name,
            "overrides": self.profile.overrides,
            "time_scale": self.clock.scale,
            "origin": self.clock.origin.isoformat(),
            "simulated_bidders": self.auction.model.max_bidders > 0,
            "platforms_next_due": _iso(min((t for t in (self.pricing.next_due(), self.auction.next_due())
                                            if t is not None), default=None)),
            "ledger_next_expiry": _iso(self.ledger.next_expiry()),  # a lapse may promote a queued freeze (notice)
            "now": self.now().isoformat(),
            "tickets": len(self.book),
            "retired_tickets": self.book.retired,
            "pending_answers": len(self.schedule),
            "pending_callbacks": len(self.outbox),
            "journal_entries": len(self.journal),
            "journal_size": self.journal.maxlen,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None

