"""The mock agencies as an :class:`~core_flow.gateway.simulated.AgencyPort`: direct calls into a
:class:`~mock_agencies.session.Session`, for the gateway's simulated transport (no HTTP, no callbacks).

Before each call the session's virtual clock is moved to the caller's ``now`` (``skip_to``; it never goes
back, so build the session with the simulation's origin and ``time_scale=0``). Faults are drawn exactly as
the HTTP router draws them (``Session.draw_fault``), so a profile's error rates apply in simulation too; a
faulted submit changes nothing in the ledger. Requests should carry no ``callback_url``: callbacks are
queued by the session but never delivered here.

A 总对总 query (agency ``zdz`` with a ``scope``) is answered in parts: ``collect`` hands over each part
produced since the previous collect (one ``Feedback`` per part, not the cumulative one the ticket keeps for
polls), and ``next_due`` names the instant of the next part.

Later notices about answered freezes (a queued freeze took effect, a partial one was topped up; see
:mod:`mock_agencies.session`) are handed over by ``collect`` too, once each, in time order with the answers. While
an answered freeze still waits for money, ``next_due`` also names the ledger's next expiry (a lapse may release
money to it), so a notice is collected at its own instant.

Several ports may share one session — several courts on the same agencies, each with its own gateway. A port
hands over only the notices about requests submitted through it (another court's are that court's), and a notice
caused by another port's request (that court released or deducted money this court's 轮候 freeze waited for) is
made at that request's instant, outside this port's calls: the port then calls ``wake`` (set by the simulated
transport), so that its transport collects the notice at that very instant.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

from core_flow.errors import UserError
from core_flow.ports import Outcome, SubmitResult
from core_flow.protocol import TICKET_STATUS, ControlRequest, Feedback, Measure, Ticket
from mock_agencies.error_body import status_of, user_error_body
from mock_agencies.profiles import FaultKind
from mock_agencies.session import Session, TicketRecord

_FAULT_OUTCOME = {
    FaultKind.ERROR_5XX: Outcome.SERVER_ERROR,
    FaultKind.TIMEOUT: Outcome.SERVER_ERROR,  # a 504 status, as the HTTP router answers it
    FaultKind.RATE_LIMIT: Outcome.RATE_LIMITED,
    FaultKind.MAINTENANCE: Outcome.SERVER_ERROR,
    FaultKind.RESET: Outcome.CONNECTION,
    FaultKind.LOST_ANSWER: Outcome.SERVER_ERROR,  # a 504 after the act
}

_CONTROLS = frozenset({Measure.FREEZE, Measure.SEAL})  # requests a later notice may be about


class SessionPort:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: dict[str, TicketRecord] = {}  # ticket id → record, not yet collected
        self._heap: list[tuple[datetime, int, str]] = []  # (due, seq, ticket id); stale entries skipped
        self._seq = 0
        self._parts_seen: dict[str, int] = {}  # 总对总 ticket id → parts already collected
        self._notices: list[Feedback] = []  # later notices about this port's requests, not yet collected
        self._controls: set[str] = set()  # tickets of freezes and seals submitted here that notices may follow
        self.wake: Callable[[], None] | None = None  # the transport's: something became due outside its calls
        session.notice_listeners.append(self._on_notice)
        self.faults = 0

    def _on_notice(self, notice: Feedback) -> None:
        if notice.ticket_id not in self._controls:
            return  # about a request of another port (another court on the same agencies)
        self._notices.append(notice)
        if not notice.unsecured_remainder_cents:
            self._controls.discard(notice.ticket_id)  # all it asked for is controlled: nothing more can come
        if self.wake is not None:
            self.wake()

    def _watch(self, record: TicketRecord, at: datetime) -> None:
        self._pending[record.ticket.ticket_id] = record
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, record.ticket.ticket_id))

    def submit(self, agency: str, request: ControlRequest, now: datetime) -> Ticket | SubmitResult:
        session = self.session
        at = session.clock.skip_to(now)  # the session's time moves to the caller's (never back)
        try:
            found = session.catalogue.get(agency)
        except UserError as err:
            return _rejected(err)
        fault = session.draw_fault(found, at)
        if fault is not None and fault.kind is FaultKind.LOST_ANSWER:
            try:  # carried out (or refused) as any submit; the caller learns nothing of it
                session.submit(found, request)
            except UserError:
                pass
        if fault is not None:
            self.faults += 1
            session.journal.record(
                session.now(),
                "submit",
                agency=agency,
                request_no=request.request_no,
                outcome=f"fault:{fault.kind.value}",
            )
            return SubmitResult(
                _FAULT_OUTCOME[fault.kind],
                status=fault.status or None,
                retry_after=None if fault.retry_after is None else float(fault.retry_after),
                detail=f"simulated fault: {fault.kind.value}",
            )
        try:
            record, duplicate = session.submit(found, request)
        except UserError as err:
            return _rejected(err)
        if request.measure in _CONTROLS:
            self._controls.add(record.ticket.ticket_id)
        if record.hub is not None:
            ticket_id = record.ticket.ticket_id
            if ticket_id not in self._pending:  # new, or a repeat of a collected one: every part (again)
                self._parts_seen[ticket_id] = 0
                self._watch(record, session.now() if record.hub.parts else record.due_at)
        elif record.retired:
            pass  # a repeat of a request answered and retired long ago: its answer was collected then
        elif record.ticket.status is TICKET_STATUS.ANSWERED:
            # answered at once, or a repeat of an answered request: hand the answer (again) to collect
            self._watch(record, session.now())
        elif record.ticket.ticket_id not in self._pending:
            self._watch(record, record.due_at)
        ticket = record.ticket
        return ticket.model_copy(update={"duplicate": True}) if duplicate else ticket

    def next_due(self) -> datetime | None:
        due = self._next_answer()
        if self._notices:  # made meanwhile (by a submit answered at once): due now
            first = min(f.answered_at for f in self._notices)
            due = first if due is None else min(due, first)
        session = self.session
        if session.awaits_notices(self._controls):
            expiry = session.ledger.next_expiry()
            if expiry is not None:
                due = expiry if due is None else min(due, expiry)
        return due

    def _next_answer(self) -> datetime | None:
        heap = self._heap
        while heap:
            at, _, ticket_id = heap[0]
            record = self._pending.get(ticket_id)
            if record is None:
                heapq.heappop(heap)
                continue
            if (record.ticket.status is not TICKET_STATUS.ANSWERED and record.due_at != at
                    and not self._uncollected(record)):
                heapq.heappop(heap)  # the answer was held (or the next part is later): its due instant moved
                self._seq += 1
                heapq.heappush(heap, (record.due_at, self._seq, ticket_id))
                continue
            return at
        return None

    def collect(self, now: datetime) -> list[Feedback]:
        session = self.session
        session.pump(session.clock.skip_to(now))  # moved to the caller's time: everything due by then
        out: list[Feedback] = []
        keep: list[tuple[datetime, int, str]] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            record = self._pending.get(entry[2])
            if record is None:
                continue
            if record.hub is not None:
                self._collect_parts(entry, record, out, keep)
                continue
            if record.ticket.status is TICKET_STATUS.ANSWERED and record.feedback is not None:
                del self._pending[entry[2]]
                out.append(record.feedback)
                record.delivered = True
                if not record.feedback.unsecured_remainder_cents:
                    self._controls.discard(entry[2])  # nothing waits for money: no notice can follow
            else:
                keep.append(entry)  # not final yet (held): ``next_due`` re-files it at its new instant
        for entry in keep:
            heapq.heappush(heap, entry)
        if self._notices:
            out.extend(self._notices)  # all made by ``now`` (the session never runs ahead of it)
            self._notices.clear()
        if len(out) > 1:
            out.sort(key=_answered_at)
        return out

    def _uncollected(self, record: TicketRecord) -> bool:
        """A 总对总 ticket with parts made but not collected yet (they go at the instant watched)."""
        hub = record.hub
        return hub is not None and len(hub.parts) > self._parts_seen.get(record.ticket.ticket_id, 0)

    def _collect_parts(
        self,
        entry: tuple[datetime, int, str],
        record: TicketRecord,
        out: list[Feedback],
        keep: list[tuple[datetime, int, str]],
    ) -> None:
        ticket_id = entry[2]
        parts = record.hub.parts if record.hub is not None else []
        seen = self._parts_seen.get(ticket_id, 0)
        if len(parts) > seen:
            out.extend(parts[seen:])
            self._parts_seen[ticket_id] = len(parts)
        if record.ticket.status is TICKET_STATUS.ANSWERED:
            del self._pending[ticket_id]
            self._parts_seen.pop(ticket_id, None)
            record.delivered = True
        else:
            keep.append(entry)  # more parts to come: ``next_due`` re-files it at the next part's instant

    @property
    def outstanding(self) -> int:
        return len(self._pending)


def _answered_at(feedback: Feedback) -> datetime:
    return feedback.answered_at


def _rejected(err: UserError) -> SubmitResult:
    return SubmitResult(
        Outcome.REJECTED, status=status_of(err), detail=err.message, error=user_error_body(err)["error"]
    )
