"""Platform calls through the 查控 gateway: the pricing and auction platforms (issue 12 point 7).

A platform call is one synchronous operation of a :class:`~core_flow.platform.disposal.DisposalPort` (in process, or
one HTTP request) that answers at once — there is no ticket to poll. The gateway gives it the policy of a 查控
request, on the same clock, counters and events:

* **idempotency by request_no**: a call whose ``request_no`` is waiting for a retry, or was answered, is not made
  again (``repeated_sends``); every retry carries the same terms, on which the platforms are idempotent, so a retry
  after a lost answer never acts twice. Reads (``repeatable=True``: a poll of a listing) may be made again;
* a **transient fault** (:class:`~core_flow.ports.PortFault`: 5xx, 429, timeout, reset) is retried after the
  policy's backoff (full jitter, the gateway's seeded ``rng``) or after the platform's ``Retry-After``; after the
  policy's attempts the call ``gave_up`` (``gave_up`` is called);
* a **refusal** (:class:`~core_flow.errors.UserError`: a 4xx, the platform's located bilingual message) is final
  (``rejected``): on the first attempt it raises to the caller — nothing changed, the handler reads it — and on a
  later attempt it goes to ``refused``;
* the agency's **circuit breaker** counts faults as for 查控 requests; while it is open the call waits (``queued``)
  until the cool-down ends. (The per-agency concurrency limit does not apply: a synchronous call is over before the
  next one starts.);
* a **result** a platform reports more than once — a repeated or reordered callback, a poll after the callback — is
  passed on once (:meth:`PlatformCalls.deliver_once`: ``answer`` the first time, ``duplicate_answer`` after);
* every attempt and outcome is a :class:`~core_flow.gateway.GatewayEvent` (``sent``, ``answer``, ``retry_scheduled``,
  ``rejected``, ``gave_up``, ``queued``, ``duplicate_answer``), which the court records on the case like the 查控
  exchanges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core_flow.clocks import TimerHandle
from core_flow.errors import UserError
from core_flow.gateway.breaker import BreakerState
from core_flow.gateway.gateway import EVENT_KIND, EventKind, Gateway
from core_flow.ports import PortFault


@dataclass(slots=True)
class _Call:
    agency: str
    request_no: str
    invoke: Callable[[], Any]
    done: Callable[[Any], None]
    refused: Callable[[UserError], None] | None
    gave_up: Callable[[str], None] | None
    repeatable: bool
    attempts: int = 0
    timer: TimerHandle | None = None


class PlatformCalls:
    """The gateway's platform calls (``Gateway.calls``, made on first use)."""

    def __init__(self, gateway: Gateway) -> None:
        self.g = gateway
        self._open: dict[tuple[str, str], _Call] = {}
        self._answered: set[tuple[str, str]] = set()
        self._results: set[tuple[str, str]] = set()

    @property
    def pending(self) -> int:
        """Calls waiting for a retry or a closed circuit."""
        return len(self._open)

    def call(self, agency: str, request_no: str, invoke: Callable[[], Any], done: Callable[[Any], None], *,
             refused: Callable[[UserError], None] | None = None, gave_up: Callable[[str], None] | None = None,
             repeatable: bool = False) -> bool:
        """Make the call now (``done(result)`` on its answer); ``False`` if ``request_no`` is already in play or was
        answered (nothing is made again). A refusal on this first attempt raises here."""
        key = (agency, request_no)
        if key in self._open or key in self._answered:
            self.g._counts["repeated_sends"] += 1
            return False
        item = _Call(agency, request_no, invoke, done, refused, gave_up, repeatable)
        self._open[key] = item
        self.g._counts["calls"] += 1
        self._attempt(item, first=True)
        return True

    def deliver_once(self, agency: str, request_no: str, result: str, *, via: str = "poll",
                     detail: dict[str, Any] | None = None) -> bool:
        """A result (``result``: e.g. ``listing:status``) of the call ``request_no``, however it came: ``True`` the
        first time (``answer``), ``False`` after (``duplicate_answer``)."""
        key = (agency, result)
        g = self.g
        if key in self._results:
            g._counts["duplicate_answers"] += 1
            g._emit(EventKind.DUPLICATE_ANSWER, agency, request_no, detail={"via": via, "result": result})
            return False
        self._results.add(key)
        g._counts["results"] += 1
        g._emit(EVENT_KIND.ANSWER, agency, request_no, detail={"via": via, "result": result, **(detail or {})})
        return True

    # ── one attempt ──
    def _attempt(self, item: _Call, *, first: bool = False) -> None:
        g, item.timer = self.g, None
        now = g.clock.now()
        breaker = g._agency(item.agency).breaker
        before = breaker.state
        allowed = breaker.allow(now)
        self._moved(item, before, now)
        if not allowed:
            at = breaker.reopens_at or now + g.config.breaker_cooldown
            g._counts["queued"] += 1
            g._emit(EventKind.QUEUED, item.agency, item.request_no, None, item.attempts,
                    detail={"job": "call", "reason": "circuit_open", "until": at.isoformat()})
            item.timer = g.clock.call_at(at, lambda: self._attempt(item))
            return
        item.attempts += 1
        g._counts["sent"] += 1
        g._emit(EVENT_KIND.SENT, item.agency, item.request_no, None, item.attempts)
        try:
            result = item.invoke()
        except PortFault as err:
            before, now = breaker.state, g.clock.now()
            (breaker.record_neutral if err.rate_limited else breaker.record_failure)(now)
            self._moved(item, before, now)
            self._retry_or_give_up(item, err)
            return
        except UserError as err:
            self._answering(item)
            del self._open[(item.agency, item.request_no)]
            g._counts["rejected"] += 1
            g._emit(EventKind.REJECTED, item.agency, item.request_no, None, item.attempts,
                    detail={"reason": err.en, "code": err.code, "where": err.where})
            if first:
                raise
            if item.refused is not None:
                item.refused(err)
            return
        self._answering(item)
        key = (item.agency, item.request_no)
        del self._open[key]
        if not item.repeatable:
            self._answered.add(key)
        g._counts["answered"] += 1
        g._emit(EVENT_KIND.ANSWER, item.agency, item.request_no, None, item.attempts, detail={"via": "call"})
        item.done(result)

    def _answering(self, item: _Call) -> None:
        breaker = self.g._agency(item.agency).breaker
        before, now = breaker.state, self.g.clock.now()
        breaker.record_success(now)
        self._moved(item, before, now)

    def _retry_or_give_up(self, item: _Call, err: PortFault) -> None:
        g, policy = self.g, self.g.config.retry
        base = {"outcome": "rate_limited" if err.rate_limited else "server_error", "reason": str(err)}
        if not policy.allows(item.attempts):
            del self._open[(item.agency, item.request_no)]
            g._counts["gave_up"] += 1
            g._emit(EventKind.GAVE_UP, item.agency, item.request_no, None, item.attempts, detail=base)
            if item.gave_up is not None:
                item.gave_up(str(err))
            return
        delay = g.retry_delay(err.retry_after, item.attempts)
        now = g.clock.now()  # the event's instant too (``Gateway._retry_or_give_up``)
        at = now + timedelta(seconds=delay)
        g._counts["retries"] += 1
        g._emit(EventKind.RETRY_SCHEDULED, item.agency, item.request_no, None, item.attempts,
                detail={**base, "delay_seconds": delay, "retry_at": at.isoformat(), "retry_after": err.retry_after},
                at=now)
        item.timer = g.clock.call_at(at, lambda: self._attempt(item))

    def _moved(self, item: _Call, before: BreakerState, at: datetime) -> None:
        """The breaker's move, stamped with the instant the breaker was given (``Gateway._breaker_moved``)."""
        breaker = self.g._agency(item.agency).breaker
        after = breaker.state
        if before is after:
            return
        kind = {BreakerState.OPEN: EventKind.CIRCUIT_OPEN, BreakerState.HALF_OPEN: EventKind.CIRCUIT_HALF_OPEN,
                BreakerState.CLOSED: EventKind.CIRCUIT_CLOSED}[after]
        self.g._counts[kind.value] += 1
        reopens = breaker.reopens_at
        self.g._emit(kind, item.agency, item.request_no, None, item.attempts,
                     detail={"from": before.value, "failures": breaker.failures,
                             "reopens_at": reopens.isoformat() if reopens else None}, at=at)

