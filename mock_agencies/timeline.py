"""Time passing for one namespace: real-time ticks and skips of virtual time (``advance``).

A :class:`SessionRunner` drives a :class:`~mock_agencies.session.Session` (the domain, which does no I/O)
and a :class:`~mock_agencies.delivery.CallbackDeliverer` (the posts) under one lock: :meth:`SessionRunner.tick`
produces the answers and posts the callbacks due by the clock's now; :meth:`SessionRunner.advance` skips
virtual time (by a duration or to an instant), stopping at every due instant on the way so that each answer
and callback happens at its own instant.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core_flow.errors import UserError
from core_flow.legal_calendar import as_cst
from mock_agencies.callbacks import Delivery, DeliveryState
from mock_agencies.delivery import CallbackDeliverer

if TYPE_CHECKING:
    import httpx

    from mock_agencies.session import Session

log = logging.getLogger(__name__)


class SessionRunner:
    def __init__(self, session: Session, deliverer: CallbackDeliverer | None = None) -> None:
        self.session = session
        settings = session.settings
        self.deliverer = deliverer or CallbackDeliverer(
            timeout_seconds=settings.callback_timeout_seconds, concurrency=settings.callback_concurrency
        )
        self.lock = asyncio.Lock()

    async def deliver_due(self, now: datetime, client: httpx.AsyncClient | None = None) -> list[Delivery]:
        """Attempt every callback due by ``now``; returns the attempted deliveries."""
        session = self.session
        return await self.deliverer.deliver_due(session.outbox, session.journal, now, client)

    async def tick(self, client: httpx.AsyncClient | None = None) -> None:
        """Real-time progression: answers and callbacks due by the clock's now."""
        async with self.lock:
            now = self.session.now()
            self.session.pump(now)
            await self.deliver_due(now, client)

    async def advance(
        self, *, by: timedelta | None = None, to: datetime | None = None, client: httpx.AsyncClient | None = None
    ) -> dict[str, Any]:
        """Skip virtual time (by a duration or to an instant), processing every due answer and callback at
        its own instant on the way."""
        session = self.session
        if session.clock.follows:
            raise UserError(
                "该命名空间的时钟跟随进程内法院的时钟，只能由法院推进",
                "this namespace's clock follows an in-process court's clock; only the court moves it",
                where="path.namespace",
                code="conflict",
            )
        async with self.lock:
            start = session.now()
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
                nxt = session.next_due()
                if nxt is not None and nxt == previous:  # no progress at this instant: do not spin
                    log.error("namespace %s: item due at %s is not processed", session.namespace, nxt)
                    nxt = None
                previous = nxt
                done = nxt is None or nxt > target
                session.clock.skip_to(target if done else nxt)
                now = session.now()
                answered += session.pump(now)
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
                "pending_answers": session.pending_answers,
                "pending_callbacks": len(session.outbox),
            }
