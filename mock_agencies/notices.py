"""Later notices about answered freezes (轮候生效, 补足) of one namespace (no I/O).

A freeze (or seal) answered as queued or only partly effective *waits for money*: the :class:`NoticeBoard`
remembers it (freeze id → ticket id). When the ledger promotes or tops it up (events ``promoted`` /
``topped_up``) the board makes the numbered notice about the request (``Feedback.notice`` = 1, 2, …, made by
the backend) and keeps it on the ticket; :meth:`NoticeBoard.publish` hands it to every listener. A freeze that
controls all it asked for, or ended (``released``, ``lapsed``, ``deducted``, ``transferred``: 过户), waits no more.
Journalling and the callback are the session's (it composes this board with the journal and the outbox).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any

from core_flow.protocol import Feedback, Measure

if TYPE_CHECKING:
    from mock_agencies.ledger import LedgerEvent
    from mock_agencies.tickets import TicketRecord

CONTROL_MEASURES = frozenset({Measure.FREEZE, Measure.SEAL})  # answers that may be followed by notices
NOTICE_EVENTS = frozenset({"promoted", "topped_up"})  # LedgerEventKind values that make a notice
ENDED_EVENTS = frozenset({"released", "lapsed", "deducted", "transferred"})  # a freeze that waits no more

MakeNotice = Callable[["TicketRecord", "LedgerEvent", int], Feedback]  # (record, event, number) → the notice


class NoticeBoard:
    __slots__ = ("_waiting", "listeners", "_tickets")

    def __init__(self) -> None:
        self._waiting: dict[str, str] = {}  # freeze id → ticket id, for freezes that still wait for money
        self.listeners: list[Callable[[Feedback], None]] = []  # each notice, when made
        # ticket id → how many of ``_waiting``'s freezes name it (derived, not saved): ``waits_on`` is asked for
        # every ticket retired, and a court-year has hundreds of partial freezes waiting at a time
        self._tickets: dict[str, int] = {}

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        """Saved as before the index (a slotted object's default state): the index is rebuilt on load."""
        return None, {"_waiting": self._waiting, "listeners": self.listeners}

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        slots = state[1]
        self._waiting = slots["_waiting"]
        self.listeners = slots["listeners"]
        self._tickets = {}
        for ticket_id in self._waiting.values():
            self._tickets[ticket_id] = self._tickets.get(ticket_id, 0) + 1

    def _wait(self, freeze_id: str, ticket_id: str) -> None:
        self._stop(freeze_id)
        self._waiting[freeze_id] = ticket_id
        self._tickets[ticket_id] = self._tickets.get(ticket_id, 0) + 1

    def _stop(self, freeze_id: str) -> None:
        ticket_id = self._waiting.pop(freeze_id, None)
        if ticket_id is not None:
            left = self._tickets.get(ticket_id, 0) - 1
            if left > 0:
                self._tickets[ticket_id] = left
            else:
                self._tickets.pop(ticket_id, None)

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def answered(self, record: TicketRecord) -> None:
        """``record`` was answered: a queued or partial freeze starts waiting for money."""
        feedback = record.feedback
        if (
            feedback is not None
            and feedback.unsecured_remainder_cents
            and feedback.freeze_id
            and record.request.measure in CONTROL_MEASURES
        ):
            self._wait(feedback.freeze_id, record.ticket.ticket_id)

    def waits_on(self, ticket_id: str) -> bool:
        """A freeze answered on ``ticket_id`` still waits for money (a notice may follow)."""
        return ticket_id in self._tickets

    def awaits(self, tickets: Container[str] | None = None) -> bool:
        """Some answered freeze (of one of ``tickets``, if given) still waits for money."""
        if tickets is None:
            return bool(self._waiting)
        for ticket_id in self._waiting.values():  # (a loop, not ``any``: asked after every request and answer)
            if ticket_id in tickets:
                return True
        return False

    def on_event(
        self, event: LedgerEvent, tickets: dict[str, TicketRecord], make: MakeNotice
    ) -> tuple[TicketRecord, Feedback] | None:
        """What a ledger event means for a waiting freeze: the notice made (and the ticket it is about), or
        ``None``. A freeze taken without a ticket of this namespace (a direct ledger call) gets none."""
        if not self._waiting:
            return None
        kind = event.kind
        if kind in ENDED_EVENTS:
            self._stop(event.freeze_id)
            return None
        if kind not in NOTICE_EVENTS:
            return None
        ticket_id = self._waiting.get(event.freeze_id)
        if ticket_id is None:
            return None
        record = tickets[ticket_id]
        notice = make(record, event, len(record.notices) + 1)
        record.notices += (notice,)
        if not event.shortfall_cents:  # all it asked for is controlled: no notice can follow
            self._stop(event.freeze_id)
        return record, notice

    def publish(self, notice: Feedback) -> None:
        """Hand ``notice`` to every listener (after the session journalled it and queued its callback)."""
        for listener in self.listeners:
            listener(notice)
