"""Tickets and idempotency of one namespace (no I/O).

A :class:`TicketBook` numbers tickets (``TK0000000001`` …), keeps each :class:`TicketRecord` and the index
(agency, request number) → ticket that makes a repeated submit idempotent: the same request returns the same
ticket, a different request under a number already used is refused (``conflict``).

Memory stays bounded: a ticket the session *retires* (answered, its callbacks settled, no notice to follow, after
the retention) leaves only a compact entry — ticket id, an 8-byte digest of the request, its measure and
acceptance time — so its request number is still recognised (the same request: a duplicate of the answered
ticket; another: ``conflict``) until the idempotency retention forgets it too. A poll of a retired ticket is
answered ``retired`` (410).
"""

from __future__ import annotations

import hashlib
import pickle
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core_flow.errors import UserError
from core_flow.protocol import TICKET_STATUS, ControlRequest, Feedback, Ticket, TicketStatus
from mock_agencies.trusted import trusted

if TYPE_CHECKING:
    from mock_agencies.catalogue import Agency
    from mock_agencies.hub import HubFanout


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
    retired: bool = False  # rebuilt from the compact memory of a retired ticket: no answer kept
    delivered: bool = False  # the final answer was handed over: polled or collected (a callback: the outbox knows)
    _json_of: Feedback | None = field(default=None, repr=False, compare=False)
    _json: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> tuple[Any, ...]:
        """Saved without the JSON cache (rebuilt when first asked for)."""
        return (self.ticket, self.request, self.agency, self.due_at, self.feedback, self.held, self.hub,
                self.notices, self.retired, self.delivered)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (self.ticket, self.request, self.agency, self.due_at, self.feedback, self.held, self.hub, self.notices,
         self.retired, self.delivered) = state
        self._json_of = None
        self._json = None

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


# What a record's saved row depends on, compared by identity (frozen models are replaced, never changed in place):
# the ticket, its feedback, the notices, the fan-out and the plain fields.
Print = tuple[Any, ...]


def print_of(record: TicketRecord) -> Print:
    return (record.ticket, record.feedback, record.notices, record.hub, record.held, record.retired,
            record.delivered, record.due_at)


def _unchanged(a: Print, b: Print) -> bool:
    return a[0] is b[0] and a[1] is b[1] and a[2] is b[2] and a[3] is b[3] and a[4:] == b[4:]


def encode_record(record: TicketRecord) -> bytes:
    """One record as a saved row: its state with the agency by code (the catalogue's own object on restore)."""
    state = record.__getstate__()
    return pickle.dumps((record.agency.code, state[:2] + state[3:]), protocol=pickle.HIGHEST_PROTOCOL)


def decode_record(blob: bytes, catalogue: Any) -> TicketRecord:
    code, state = pickle.loads(blob)  # noqa: S301 - the service's own store, written by encode_record
    record = TicketRecord.__new__(TicketRecord)
    record.__setstate__(state[:2] + (catalogue.get(code),) + state[2:])
    return record


@dataclass(slots=True)
class TicketChanges:
    """The records to write since the last save, the ticket ids to delete, and whether every row is rewritten
    (a namespace's first save: rows of an earlier namespace of the same name go)."""

    rows: dict[str, bytes]
    removed: list[str]
    full: bool
    prints: dict[str, Print]  # what the saved rows will be, once written


def changes_since(tickets: dict[str, TicketRecord], saved: dict[str, Print] | None) -> TicketChanges:
    """What to write so the saved rows equal ``tickets``, given the prints of the rows saved (``None``: none
    yet). A 总对总 record still fanning out is written each time (its fan-out changes in place)."""
    prints: dict[str, Print] = {}
    rows: dict[str, bytes] = {}
    for ticket_id, record in tickets.items():
        p = print_of(record)
        prints[ticket_id] = p
        old = None if saved is None else saved.get(ticket_id)
        fanning = record.hub is not None and record.ticket.status is not TICKET_STATUS.ANSWERED
        if old is None or fanning or not _unchanged(old, p):
            rows[ticket_id] = encode_record(record)
    removed = [] if saved is None else [t for t in saved if t not in tickets]
    return TicketChanges(rows, removed, saved is None, prints)


def request_digest(request: ControlRequest) -> bytes:
    """8 bytes that tell one request from another (a retired ticket keeps only these): of the request's JSON —
    ``model_dump_json()``'s bytes, taken from the serializer without the round trip through ``str``."""
    return hashlib.blake2b(_to_json(request), digest_size=8).digest()


_to_json = ControlRequest.__pydantic_serializer__.to_json


class TicketBook:
    """Every ticket of a namespace by id, and the idempotency index by (agency, request number)."""

    __slots__ = ("tickets", "_by_request", "_seq", "_retired", "_retired_ids", "_forget", "_owed")
    #: retired requests kept whole until their digest is needed, at most (beyond: the oldest are digested) — a
    #: request is ~1.8 KB, its digest 8 bytes, and a busy server remembers retired numbers for 90 days (review R30 F5)
    OWED_MAX = 4096

    def __init__(self) -> None:
        self.tickets: dict[str, TicketRecord] = {}
        self._by_request: dict[tuple[str, str, str], str] = {}  # (agency, court, request number) → ticket id
        self._seq = 0
        # retired tickets, compact: (agency, court, request number) → (ticket id, digest, measure, accepted at); the
        # digest is taken when first needed (a repeat of the number, or a save): until then the request stands in
        self._retired: dict[tuple[str, str, str], tuple[str, bytes | ControlRequest, str, datetime]] = {}
        self._retired_ids: dict[str, tuple[str, str, str]] = {}  # ticket id → (agency, court, request number)
        self._forget: deque[tuple[datetime, str]] = deque()  # (when to forget, ticket id), in time order
        self._owed: deque[tuple[str, str, str]] = deque()  # keys retired with their request, oldest first (not saved)

    def __len__(self) -> int:
        return len(self.tickets)

    @property
    def retired(self) -> int:
        """Retired tickets still remembered for idempotency."""
        return len(self._retired)

    def existing(self, agency: Agency, request: ControlRequest) -> TicketRecord | None:
        """The ticket already issued for ``request``'s number at ``agency`` (``None``: a new request).
        Raises ``conflict`` when the number was used for a different request."""
        key = (agency.code, request.court_code, request.request_no)  # request numbers are unique per court
        ticket_id = self._by_request.get(key)
        if ticket_id is None:
            retired = self._retired.get(key) if self._retired else None
            if retired is None:
                return None
            ticket_id, digest, measure, accepted_at = retired
            if not isinstance(digest, bytes):
                digest = request_digest(digest)
                self._retired[key] = (ticket_id, digest, measure, accepted_at)
            if digest != request_digest(request):
                raise _conflict(request, ticket_id)
            ticket = Ticket(ticket_id=ticket_id, request_no=request.request_no, agency=agency.code,
                            measure=measure, status=TicketStatus.ANSWERED, accepted_at=accepted_at)
            return TicketRecord(ticket=ticket, request=request, agency=agency, due_at=accepted_at, retired=True)
        record = self.tickets[ticket_id]
        if record.request != request:
            raise _conflict(request, ticket_id)
        return record

    def retire(self, ticket_id: str, forget_at: datetime) -> bool:
        """Drop ``ticket_id``'s record, keeping its compact memory until ``forget_at``."""
        record = self.tickets.pop(ticket_id, None)
        if record is None:
            return False
        key = (record.agency.code, record.request.court_code, record.request.request_no)
        self._by_request.pop(key, None)
        ticket = record.ticket
        # the request's digest is taken later, if ever (most retired numbers are never sent again): see __getstate__
        retired = self._retired
        retired[key] = (ticket_id, record.request, ticket.measure.value, ticket.accepted_at)
        owed = self._owed
        owed.append(key)
        if len(owed) > self.OWED_MAX:  # the oldest request digested now, if still whole (not repeated, not forgotten)
            oldest = owed.popleft()
            entry = retired.get(oldest)
            if entry is not None and not isinstance(entry[1], bytes):
                retired[oldest] = (entry[0], request_digest(entry[1]), entry[2], entry[3])
        self._retired_ids[ticket_id] = key
        self._forget.append((forget_at, ticket_id))
        return True

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        """What pickle saves: the slots, as a slotted object's default state, with every retired request's digest
        taken now (kept: each is taken once) — the saved form is the compact one it always was."""
        retired = self._retired
        for key, (ticket_id, digest, measure, accepted_at) in retired.items():
            if not isinstance(digest, bytes):
                retired[key] = (ticket_id, request_digest(digest), measure, accepted_at)
        self._owed.clear()
        return None, {name: getattr(self, name) for name in self.__slots__ if name != "_owed" and hasattr(self, name)}

    def __setstate__(self, state: tuple[Any, dict[str, Any]]) -> None:
        """A saved book (this form, or one saved before the owed requests were bounded): every digest taken."""
        for name, value in state[1].items():
            object.__setattr__(self, name, value)
        self._owed = deque()

    def forget_due(self, now: datetime) -> int:
        """Forget the compact memory of retired tickets due by ``now``; returns how many."""
        forget = self._forget
        n = 0
        while forget and forget[0][0] <= now:
            _, ticket_id = forget.popleft()
            key = self._retired_ids.pop(ticket_id, None)
            if key is not None and self._retired.get(key, ("",))[0] == ticket_id:
                del self._retired[key]
            n += 1
        return n

    def issue(self, agency_code: str, request: ControlRequest, now: datetime) -> Ticket:
        """A new ticket (accepted at ``now``), not yet filed."""
        self._seq += 1
        return _ticket(
            ticket_id=f"TK{self._seq:010d}",
            request_no=request.request_no,
            agency=agency_code,
            measure=request.measure,
            status=TICKET_STATUS.ACCEPTED,
            accepted_at=now,
        )

    def file(self, record: TicketRecord) -> None:
        ticket_id = record.ticket.ticket_id
        self.tickets[ticket_id] = record
        self._by_request[(record.agency.code, record.request.court_code, record.request.request_no)] = ticket_id

    def get(self, agency_code: str, ticket_id: str) -> TicketRecord:
        record = self.tickets.get(ticket_id)
        if record is None and self._retired_ids.get(ticket_id, ("",))[0] == agency_code:
            raise UserError(
                f"工单 {ticket_id} 已答复并过了保留期，不再保存（同一请求编号的重复提交仍被识别）",
                f"ticket {ticket_id} was answered and retired after its retention (a repeat of its request number "
                "is still recognised)",
                where="path.ticket_id",
                code="retired",
            )
        if record is None or record.agency.code != agency_code:
            raise UserError(
                f"机构 {agency_code} 没有工单 {ticket_id}",
                f"agency {agency_code} has no ticket {ticket_id}",
                where="path.ticket_id",
                code="not_found",
            )
        return record

    def by_request(self, agency_code: str, request_no: str, court_code: str | None = None) -> TicketRecord | None:
        """The ticket of a request number (of ``court_code``; without it, the one court that used the number —
        several: ``UserError`` asking for the court)."""
        if court_code is not None:
            ticket_id = self._by_request.get((agency_code, court_code, request_no))
            return None if ticket_id is None else self.tickets[ticket_id]
        found = [t for (a, _, n), t in self._by_request.items() if a == agency_code and n == request_no]
        if len(found) > 1:
            raise UserError(
                f"请求编号 {request_no} 由多个法院使用，请给出 court_code",
                f"request number {request_no} is used by more than one court: give court_code",
                where="query.court_code",
                code="ambiguous",
            )
        return self.tickets[found[0]] if found else None


_ticket = trusted(Ticket)  # a new ticket: the request's values (validated on arrival), the agency's code and ``now``


def _conflict(request: ControlRequest, ticket_id: str) -> UserError:
    return UserError(
        f"请求编号 {request.request_no} 已用于内容不同的请求（工单 {ticket_id}）",
        f"request_no {request.request_no} was already used for a different request (ticket {ticket_id})",
        where="body.request_no",
        code="conflict",
    )


def with_status(ticket: Ticket, status: TicketStatus) -> Ticket:
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
