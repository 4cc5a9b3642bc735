"""A circuit breaker's moves, and a retry's scheduling, are recorded at the instant the breaker was given or the retry
counted from, on a clock that moves between two reads as real time does (the asyncio clock of the live court reads
the loop each time).

Under load, test_gateway_http's breaker test saw ``circuit_open`` stamped 4 ms of real time (an hour at 1,000,000×)
after the breaker had opened: the event's ``at`` plus the cooldown came after the breaker's ``reopens_at``, and the
circuit half-opened "before its cooldown ended" in the log (4 runs in 300 with both cores busy). A clock that moves
one second at every read makes that gap certain here. A retry_scheduled event read the clock again after the retry's
instant was set: the event + its delay came after its own retry_at, and test_gateway_http's "each retry went out no
earlier than its scheduled backoff" (the next sending ≥ the event + the delay) held only while the two reads were
closer than the timer's lateness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from core_flow.clocks import SimClock
from core_flow.gateway import Gateway, GatewayConfig, RetryPolicy
from core_flow.gateway.transport import Outcome, SubmitResult
from core_flow.ports import PortFault
from tests.test_gateway_calls import ORIGIN
from tests.test_gateway_http import request

COOLDOWN = timedelta(minutes=10)


class MovingClock:
    """SimClock's timers; ``now()`` one second later at every read, as a real clock read a moment later."""

    def __init__(self) -> None:
        self.sim = SimClock(ORIGIN)
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return self.sim.now() + timedelta(seconds=self.reads)

    def call_at(self, at: datetime, callback: Any) -> Any:
        return self.sim.call_at(at, callback)


class Failing:
    """A transport whose submits all end in a 503, answered on the clock's next turn (never from inside the call)."""

    def __init__(self, clock: MovingClock) -> None:
        self.clock = clock

    def connect(self, deliver: Any) -> None:
        pass

    def submit(self, agency: str, req: Any, done: Any, *, timeout: float | None = None) -> None:
        result = SubmitResult(Outcome.SERVER_ERROR, status=503, detail="HTTP 503")
        self.clock.sim.call_at(self.clock.sim.now(), lambda: done(result))


def _gateway(clock: MovingClock, transport: Any = None) -> tuple[Gateway, list]:
    events: list = []
    config = GatewayConfig(retry=RetryPolicy(attempts=4, base=1, jitter=False), breaker_threshold=2,
                           breaker_cooldown=COOLDOWN)
    return Gateway(transport or Failing(clock), clock, config=config, seed=1, on_event=events.append), events  # type: ignore[arg-type]


def _at_the_breakers_instants(events: list) -> None:
    opened = [e for e in events if e.kind == "circuit_open"]
    half = [e for e in events if e.kind == "circuit_half_open"]
    assert opened and half, [e.kind for e in events]
    for e in opened:  # opened at the instant whose cooldown ends at reopens_at
        assert e.at + COOLDOWN == datetime.fromisoformat(e.detail["reopens_at"]), e
    assert half[0].at >= opened[0].at + COOLDOWN  # half-open only once the cooldown has ended


def _faulting() -> int:
    raise PortFault("HTTP 503")


def _send(gateway: Any, what: str) -> None:
    """A 查控 request to a bank, or a call to an auction platform, each answered 503 for the hour."""
    if what == "request":
        gateway.send("icbc", request(1))
    else:
        gateway.calls.call("taobao", "R1", _faulting, lambda result: None)


def _retries_counted_from_their_instant(events: list) -> None:
    retries = [e for e in events if e.kind == "retry_scheduled"]
    assert retries, [e.kind for e in events]
    for e in retries:
        assert e.at + timedelta(seconds=e.detail["delay_seconds"]) == datetime.fromisoformat(e.detail["retry_at"]), e


@pytest.mark.parametrize("what", ["request", "platform"])
@pytest.mark.parametrize("check", [_at_the_breakers_instants, _retries_counted_from_their_instant],
                         ids=["breaker_moves_stamped_when_it_moved", "retry_stamped_when_it_counts_from"])
def test_gateway_events_are_stamped_at_the_instant_they_describe(what: str, check: Callable[[list], None]) -> None:
    """On a clock a second later at each read (a real-time clock, exaggerated), a breaker's move and a retry's
    schedule carry the instant the gateway acted on, not a later read."""
    clock = MovingClock()
    gateway, events = _gateway(clock)
    _send(gateway, what)
    clock.sim.run_until(ORIGIN + timedelta(hours=1))
    check(events)
