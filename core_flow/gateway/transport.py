"""The transport interface of the gateway and its result types (data only, no I/O).

A transport carries one call to one agency and reports how it ended through a ``done`` callback; it never
retries, waits or decides anything — that is the gateway's job. Three transports implement it: HTTP and
in-process ASGI (:class:`~core_flow.gateway.http.HttpTransport`, the same class over a different
``httpx.AsyncClient``) and simulated (:class:`~core_flow.gateway.simulated.SimulatedTransport`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from core_flow.ports import Outcome, PollResult, SubmitResult
from core_flow.protocol import ControlRequest, Feedback

__all__ = [
    "FeedbackSink",
    "Outcome",
    "PollDone",
    "PollResult",
    "SubmitDone",
    "SubmitResult",
    "Transport",
]  # the result types live in core_flow.ports (protocol side); re-exported here


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
