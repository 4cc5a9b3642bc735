"""Callback delivery I/O: the HTTP posts of the callbacks a namespace's outbox holds.

The domain (:class:`~mock_agencies.session.Session`) only *queues* callbacks in its
:class:`~mock_agencies.callbacks.CallbackOutbox`; a :class:`CallbackDeliverer` takes those due by a virtual
instant, posts them (up to ``concurrency`` at once: callbacks due at one instant are independent and their
receiver tolerates any order), settles each attempt in the outbox (acknowledged, retried after the capped
exponential backoff, or — after ``callback_max_attempts`` — abandoned and journalled as ``callback_failed``; the
answer stays available by polling) and journals it, in due order. Any failure of one post (refused, timed out,
a URL the client rejects) is that attempt's failure, never the caller's.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx

from mock_agencies.callbacks import CallbackOutbox, Delivery, DeliveryState
from mock_agencies.journal import Journal


class CallbackDeliverer:
    def __init__(self, *, timeout_seconds: float = 5.0, concurrency: int = 16) -> None:
        self.timeout_seconds = timeout_seconds
        self.concurrency = max(1, concurrency)

    async def deliver_due(
        self, outbox: CallbackOutbox, journal: Journal, now: datetime, client: httpx.AsyncClient | None = None
    ) -> list[Delivery]:
        """Attempt every callback due by ``now`` (in due order); returns the attempted deliveries. Without a
        ``client`` one is made for the batch (and closed)."""
        batch = outbox.pop_due(now)
        if not batch:
            return []
        if client is None:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as own:
                return await self._deliver(batch, outbox, journal, own, now)
        return await self._deliver(batch, outbox, journal, client, now)

    async def _deliver(
        self,
        batch: list[Delivery],
        outbox: CallbackOutbox,
        journal: Journal,
        client: httpx.AsyncClient,
        now: datetime,
    ) -> list[Delivery]:
        limit = self.concurrency
        if limit == 1 or len(batch) == 1:
            for delivery in batch:
                await self._attempt(delivery, outbox, client, now)
        else:
            gate = asyncio.Semaphore(limit)

            async def one(delivery: Delivery) -> None:
                async with gate:
                    await self._attempt(delivery, outbox, client, now)

            await asyncio.gather(*(one(d) for d in batch))
        for delivery in batch:
            journal.record(
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
            if delivery.state is DeliveryState.ABANDONED:  # the answer stays available by polling
                journal.record(
                    now,
                    "callback_failed",
                    url=delivery.url,
                    key=delivery.key,
                    attempts=delivery.attempts,
                    status=delivery.last_status,
                    error=delivery.last_error,
                )
        return batch

    @staticmethod
    async def _attempt(delivery: Delivery, outbox: CallbackOutbox, client: httpx.AsyncClient, now: datetime) -> None:
        """One POST at virtual ``now``, settled in ``outbox``."""
        headers = {
            "X-Zhixing-Delivery": str(delivery.seq),
            "X-Zhixing-Attempt": str(delivery.attempts + 1),
            "Idempotency-Key": delivery.key,
        }
        try:
            response = await client.post(delivery.url, json=delivery.payload, headers=headers)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - refused, timeout, reset, a URL httpx rejects …: this attempt failed
            outbox.settle(delivery, now, None, f"{type(err).__name__}: {err}"[:300])
            return
        outbox.settle(delivery, now, response.status_code, None)
