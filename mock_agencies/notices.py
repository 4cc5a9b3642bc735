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
from typing import TYPE_CHECKING

from core_flow.protocol import Feedback, Measure

if TYPE_CHECKING:
    from mock_agencies.ledger import LedgerEvent
    from mock_agencies.tickets import TicketRecord

CONTROL_MEASURES = frozenset({Measure.FREEZE, Measure.SEAL})  # answers that may be followed by notices
NOTICE_EVENTS = frozenset({"promoted", "topped_up"})  # LedgerEventKind values that make a notice
ENDED_EVENTS = frozenset({"released", "lapsed", "deducted", "transferred"})  # a freeze that waits no more

MakeNotice = Callable[["TicketRecord", "LedgerEvent", int], Feedback]  # (record, event, number) → the notice


class NoticeBoard:
    __slots__ = ("_waiting", "listeners")

    def __init__(self) -> None:
        self._waiting: dict[str, str] = {}  # freeze id → ticket id, for freezes that still wait for money
        self.listeners: list[Callable[[Feedback], None]] = []  # each notice, when made

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
            self._waiting[feedback.freeze_id] = record.ticket.ticket_id

    def waits_on(self, ticket_id: str) -> bool:
        """A freeze answered on ``ticket_id`` still waits for money (a notice may follow)."""
        return bool(self._waiting) and ticket_id in self._waiting.values()

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
            self._waiting.pop(event.freeze_id, None)
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
            self._waiting.pop(event.freeze_id, None)
        return record, notice

    def publish(self, notice: Feedback) -> None:
        """Hand ``notice`` to every listener (after the session journalled it and queued its callback)."""
        for listener in self.listeners:
            listener(notice)
