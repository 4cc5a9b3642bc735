"""The callback outbox of one namespace: answers to POST to the URL a request named (no I/O here — the
posts are :class:`~mock_agencies.delivery.CallbackDeliverer`'s), retried with backoff until a 2xx.

Times are the namespace's virtual time: a delivery is *due* at a virtual instant and is attempted when
the clock reaches it (the service's real-time ticker, or an admin ``advance``). By default a delivery is
retried until acknowledged (backoff doubling up to a cap); with ``max_attempts`` set it is abandoned after
that many failures — the answer stays available by polling. On demand (per
behaviour profile) a delivery is duplicated, or held back by a random delay so that later answers
overtake it (reordering).
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from mock_agencies.profiles import CallbackBehaviour


class DeliveryState(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    ABANDONED = "abandoned"


@dataclass(slots=True)
class Delivery:
    seq: int
    url: str
    payload: dict[str, Any]
    due_at: datetime
    key: str = ""  # idempotency key for the receiver (ticket id or notice id)
    copy: int = 0  # 0 = original, 1 = duplicate
    owner: str = ""  # the ticket the callback is about ("" for none): kept while this is pending
    attempts: int = 0
    state: DeliveryState = DeliveryState.PENDING
    last_status: int | None = None
    last_error: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "url": self.url,
            "key": self.key,
            "copy": self.copy,
            "due_at": self.due_at.isoformat(),
            "attempts": self.attempts,
            "state": self.state.value,
            "last_status": self.last_status,
            "last_error": self.last_error,
        }


class CallbackOutbox:
    """Deliveries of one namespace, ordered by (due time, sequence)."""

    def __init__(
        self,
        *,
        max_attempts: int | None = None,
        backoff_seconds: float = 30.0,
        backoff_cap_seconds: float = 3600.0,
        keep_done: int = 1000,
    ) -> None:
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_cap_seconds = backoff_cap_seconds
        self._heap: list[tuple[datetime, int, Delivery]] = []
        self._seq = 0
        self._owners: dict[str, int] = {}  # ticket → its callbacks still pending
        self._acked: set[str] = set()  # tickets a callback about was acknowledged for (until forgotten)
        self.done: deque[Delivery] = deque(maxlen=keep_done)
        self.attempting = 0  # deliveries taken by ``pop_due`` and not yet settled (their POST is out)

    def __len__(self) -> int:
        return len(self._heap)

    def queue(
        self,
        url: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        key: str = "",
        behaviour: CallbackBehaviour | None = None,
        rng: random.Random | None = None,
        owner: str = "",
    ) -> list[Delivery]:
        """Queue a delivery (plus a duplicate, or with a reordering delay, as ``behaviour`` draws)."""
        due = now
        duplicate = False
        if behaviour is not None and rng is not None:
            if behaviour.reorder_rate and rng.random() < behaviour.reorder_rate:
                due = now + timedelta(seconds=rng.uniform(0.0, behaviour.reorder_max_delay_seconds))
            if behaviour.duplicate_rate and rng.random() < behaviour.duplicate_rate:
                duplicate = True
        made = [self._push(url, payload, due, key, 0, owner)]
        if duplicate:
            made.append(self._push(url, payload, due + timedelta(seconds=rng.uniform(0.0, 60.0)), key, 1, owner))
        return made

    def _push(self, url: str, payload: dict[str, Any], due: datetime, key: str, copy: int, owner: str) -> Delivery:
        self._seq += 1
        delivery = Delivery(seq=self._seq, url=url, payload=payload, due_at=due, key=key, copy=copy, owner=owner)
        heapq.heappush(self._heap, (due, self._seq, delivery))
        if owner:
            self._owners[owner] = self._owners.get(owner, 0) + 1
        return delivery

    def busy(self, owner: str) -> bool:
        """Some callback about ``owner`` (a ticket) is still pending."""
        return owner in self._owners

    def acked(self, owner: str) -> bool:
        """A callback about ``owner`` (a ticket) was acknowledged: its answer reached the receiver."""
        return owner in self._acked

    def forget(self, owner: str) -> None:
        self._acked.discard(owner)

    def _settled(self, delivery: Delivery) -> None:
        owner = delivery.owner
        if owner:
            left = self._owners.get(owner, 0) - 1
            if left > 0:
                self._owners[owner] = left
            else:
                self._owners.pop(owner, None)

    def next_due(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: datetime) -> list[Delivery]:
        out: list[Delivery] = []
        while self._heap and self._heap[0][0] <= now:
            out.append(heapq.heappop(self._heap)[2])
        self.attempting += len(out)
        return out

    def pending(self) -> list[Delivery]:
        return [d for _, _, d in sorted(self._heap)]

    def clear(self) -> None:
        self._heap.clear()
        self.attempting = 0
        self.done.clear()
        self._owners.clear()
        self._acked.clear()

    def backoff(self, attempts: int) -> timedelta:
        exponent = min(max(attempts - 1, 0), 60)  # unbounded retries: keep 2**n a float
        return timedelta(seconds=min(self.backoff_cap_seconds, self.backoff_seconds * 2**exponent))

    def settle(self, delivery: Delivery, now: datetime, status: int | None, error: str | None) -> Delivery:
        """Record one attempt at virtual ``now`` (``status`` the receiver's, or ``error`` when none came):
        acknowledged on a 2xx, abandoned after ``max_attempts``, else queued again after the backoff."""
        delivery.attempts += 1
        self.attempting = max(0, self.attempting - 1)
        delivery.last_status = status
        delivery.last_error = error
        ok = status is not None and 200 <= status < 300
        delivery.history.append({"at": now.isoformat(), "status": status, "error": error})
        if ok:
            delivery.state = DeliveryState.ACKNOWLEDGED
            self.done.append(delivery)
            self._settled(delivery)
            if delivery.owner:
                self._acked.add(delivery.owner)
        elif self.max_attempts is not None and delivery.attempts >= self.max_attempts:
            delivery.state = DeliveryState.ABANDONED
            self.done.append(delivery)
            self._settled(delivery)
        else:
            delivery.due_at = now + self.backoff(delivery.attempts)
            heapq.heappush(self._heap, (delivery.due_at, delivery.seq, delivery))
        return delivery
