"""The 查控 gateway (DESIGN.md "Agencies: one protocol, several transports").

:class:`Gateway` sends :class:`~core_flow.protocol.ControlRequest` s through a transport — HTTP or
in-process ASGI (:class:`HttpTransport` over an ``httpx.AsyncClient``) or simulated
(:class:`SimulatedTransport` over an :class:`AgencyPort`, latency in virtual time) — with retries
(:class:`RetryPolicy`), per-agency concurrency limits and circuit breakers (:class:`CircuitBreaker`),
idempotency by ``request_no``, and answers matched to requests (callbacks: :func:`create_receiver_app`).
"""

from core_flow.gateway.breaker import BreakerState, CircuitBreaker
from core_flow.gateway.gateway import EventKind, Gateway, GatewayConfig, GatewayEvent, RequestState
from core_flow.gateway.http import HttpTransport
from core_flow.gateway.policy import RETRYABLE, RetryPolicy, is_retryable
from core_flow.gateway.simulated import AgencyPort, SimulatedTransport
from core_flow.gateway.transport import Outcome, PollResult, SubmitResult, Transport

__all__ = [
    "RETRYABLE",
    "AgencyPort",
    "BreakerState",
    "CircuitBreaker",
    "EventKind",
    "Gateway",
    "GatewayConfig",
    "GatewayEvent",
    "HttpTransport",
    "Outcome",
    "PollResult",
    "RequestState",
    "RetryPolicy",
    "SimulatedTransport",
    "SubmitResult",
    "Transport",
    "create_receiver_app",
    "is_retryable",
]


def __getattr__(name: str):  # the receiver pulls in FastAPI: import it only when asked for
    if name == "create_receiver_app":
        from core_flow.gateway.receiver import create_receiver_app

        return create_receiver_app
    raise AttributeError(name)
