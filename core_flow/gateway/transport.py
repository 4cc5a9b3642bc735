"""The transport interface of the gateway and its result types (data only, no I/O).

A transport carries one call to one agency and reports how it ended through a ``done`` callback; it never
retries, waits or decides anything — that is the gateway's job. Three transports implement it: HTTP and
in-process ASGI (:class:`~core_flow.gateway.http.HttpTransport`, the same class over a different
``httpx.AsyncClient``) and simulated (:class:`~core_flow.gateway.simulated.SimulatedTransport`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from core_flow.protocol import ControlRequest, Feedback, Ticket


class Outcome(StrEnum):
    """How one call ended."""

    ACCEPTED = "accepted"  # 2xx: a ticket (submit) or a ticket and maybe its answer (poll)
    RATE_LIMITED = "rate_limited"  # 429, maybe with Retry-After
    SERVER_ERROR = "server_error"  # 5xx (the request was not accepted)
    TIMEOUT = "timeout"  # no answer in time (connect, read, write or pool timeout)
    CONNECTION = "connection"  # refused, reset, dropped mid-response, protocol error
    BAD_RESPONSE = "bad_response"  # 2xx whose body is not what the protocol says
    REJECTED = "rejected"  # any other 4xx: the request itself is wrong; final


@dataclass(frozen=True, slots=True)
class SubmitResult:
    outcome: Outcome
    ticket: Ticket | None = None
    status: int | None = None  # HTTP status (None when there was no response)
    retry_after: float | None = None  # seconds the agency asked us to wait (429 / 503)
    detail: str = ""  # short human-readable reason (exception text, error message)
    error: dict[str, Any] | None = None  # the agency's error body, when it sent one

    @property
    def duplicate(self) -> bool:
        return self.ticket is not None and self.ticket.duplicate


@dataclass(frozen=True, slots=True)
class PollResult:
    outcome: Outcome
    ticket: Ticket | None = None
    feedback: Feedback | None = None  # only final when ``ticket.status`` is answered
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""
    error: dict[str, Any] | None = None


SubmitDone = Callable[[SubmitResult], None]
PollDone = Callable[[PollResult], None]
FeedbackSink = Callable[[Feedback, str], None]  # (answer, via) — e.g. ``gateway.receive``


class Transport(Protocol):
    """One call per method; ``done`` is called exactly once, later (never from inside the call)."""

    def connect(self, deliver: FeedbackSink) -> None:
        """Where answers the transport itself produces go (the simulated one); others may ignore it."""
        ...

    def submit(
        self, agency: str, request: ControlRequest, done: SubmitDone, *, timeout: float | None = None
    ) -> None: ...

    def poll(self, agency: str, ticket_id: str, done: PollDone, *, timeout: float | None = None) -> None: ...
