"""Port-level result types of the 查控 exchange (data only, no I/O): how one call to an agency ended.

They belong to the protocol side: the court's transports report them (``core_flow.gateway.transport``
re-exports them) and a counterpart's in-process port (``mock_agencies.port.SessionPort``) returns them, so
neither side needs the other's modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core_flow.enum_members import members_of
from core_flow.protocol import Feedback, Ticket


class Outcome(StrEnum):
    """How one call ended."""

    ACCEPTED = "accepted"  # 2xx: a ticket (submit) or a ticket and maybe its answer (poll)
    RATE_LIMITED = "rate_limited"  # 429, maybe with Retry-After
    SERVER_ERROR = "server_error"  # 5xx (the request was not accepted)
    TIMEOUT = "timeout"  # no answer in time (connect, read, write or pool timeout)
    CONNECTION = "connection"  # refused, reset, dropped mid-response, protocol error
    BAD_RESPONSE = "bad_response"  # 2xx whose body is not what the protocol says
    REJECTED = "rejected"  # any other 4xx: the request itself is wrong; final


OUTCOME = members_of(Outcome)  # for hot code: see core_flow.enum_members


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


# The disposal platforms (pricing, auction) as a port: shared by the court's disposal and a counterpart's port.
PRICING_PLATFORM = "pricing_platform"  # 全国法院询价评估系统 (catalogue code)


class PortFault(Exception):
    """A transient fault of a platform (5xx, 429, timeout, connection reset): the same call is tried again later —
    after ``retry_after`` seconds when the platform said so (Retry-After), else after the gateway's backoff."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited
