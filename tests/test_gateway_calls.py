"""Platform calls through the 查控 gateway (issue 12 point 7): the pricing and auction platforms get the gateway's
retry policy (backoff, Retry-After, attempts), circuit breaker, idempotency by request number and exactly-once
results, with the same events as a 查控 request. Virtual time (SimClock): nothing sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core_flow.clocks import SimClock
from core_flow.errors import UserError
from core_flow.gateway import Gateway, GatewayConfig, RetryPolicy
from core_flow.legal_calendar import CST
from core_flow.ports import PortFault

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


class NoTransport:
    def connect(self, deliver: Any) -> None:
        pass


def gateway(**config: Any) -> tuple[Gateway, SimClock, list]:
    clock = SimClock(ORIGIN)
    events: list = []
    g = Gateway(NoTransport(), clock, config=GatewayConfig(**config), seed=1, on_event=events.append)  # type: ignore[arg-type]
    return g, clock, events


class Platform:
    """Answers with the number of calls made; faults (or refuses) the first ``faults`` calls."""

    def __init__(self, faults: int = 0, *, retry_after: float | None = None, refuse_at: int | None = None) -> None:
        self.calls, self.faults, self.retry_after, self.refuse_at = 0, faults, retry_after, refuse_at

    def __call__(self) -> int:
        self.calls += 1
        if self.calls == self.refuse_at:
            raise UserError("起拍价不得低于评估价的70%", "below 70%", where="starting_price_cents", code="invalid")
        if self.calls <= self.faults:
            raise PortFault("HTTP 503", retry_after=self.retry_after)
        return self.calls


def kinds(events: list, request_no: str = "R1") -> list[str]:
    return [e.kind for e in events if e.request_no == request_no]


def test_a_faulting_call_is_retried_with_the_policy_backoff_and_answered_once() -> None:
    g, clock, events = gateway(retry=RetryPolicy(attempts=5, base=10, jitter=False))
    platform, answers = Platform(faults=2), []
    assert g.calls.call("taobao", "R1", platform, answers.append)
    assert answers == [] and g.calls.pending == 1
    clock.run_until(ORIGIN + timedelta(seconds=9))
    assert platform.calls == 1  # the first retry waits the policy's 10 s
    clock.run_until(ORIGIN + timedelta(seconds=31))  # then 20 s more
    assert answers == [3] and platform.calls == 3 and g.calls.pending == 0
    assert kinds(events) == ["sent", "retry_scheduled", "sent", "retry_scheduled", "sent", "answer"]
    assert [e.detail["delay_seconds"] for e in events if e.kind == "retry_scheduled"] == [10, 20]
    # the same request number again (a handler's double click, a retried step): not made again
    assert not g.calls.call("taobao", "R1", platform, answers.append)
    assert platform.calls == 3 and g.stats()["repeated_sends"] == 1


def test_retry_after_is_honoured_instead_of_the_backoff() -> None:
    g, clock, events = gateway(retry=RetryPolicy(attempts=5, base=1, jitter=False))
    platform, answers = Platform(faults=1, retry_after=120), []
    g.calls.call("pricing_platform", "R1", platform, answers.append)
    clock.run_until(ORIGIN + timedelta(seconds=119))
    assert answers == []
    clock.run_until(ORIGIN + timedelta(seconds=120))
    assert answers == [2]
    [retry] = [e for e in events if e.kind == "retry_scheduled"]
    assert retry.detail["retry_after"] == 120 and retry.detail["delay_seconds"] == 120


def test_a_refusal_raises_on_the_first_attempt_and_goes_to_refused_on_a_retry() -> None:
    g, clock, events = gateway(retry=RetryPolicy(attempts=5, base=1, jitter=False))
    with pytest.raises(UserError) as err:
        g.calls.call("taobao", "R1", Platform(refuse_at=1), lambda _: None)
    assert err.value.where == "starting_price_cents" and kinds(events) == ["sent", "rejected"]
    refused: list[UserError] = []
    g.calls.call("taobao", "R2", Platform(faults=1, refuse_at=2), lambda _: None, refused=refused.append)
    clock.run_until(ORIGIN + timedelta(minutes=1))
    assert [e.code for e in refused] == ["invalid"] and kinds(events, "R2")[-1] == "rejected"


def test_after_the_policy_attempts_the_call_gives_up() -> None:
    g, clock, events = gateway(retry=RetryPolicy(attempts=3, base=1, jitter=False), breaker_threshold=10)
    gave_up: list[str] = []
    platform = Platform(faults=99)
    g.calls.call("taobao", "R1", platform, lambda _: None, gave_up=gave_up.append)
    clock.run_until(ORIGIN + timedelta(hours=1))
    assert platform.calls == 3 and gave_up == ["HTTP 503"] and kinds(events)[-1] == "gave_up"
    assert g.stats()["gave_up"] == 1 and g.calls.pending == 0


def test_an_open_circuit_holds_calls_until_its_cool_down_ends() -> None:
    g, clock, events = gateway(retry=RetryPolicy(attempts=10, base=1, jitter=False), breaker_threshold=2,
                               breaker_cooldown=timedelta(minutes=5))
    platform, answers = Platform(faults=2), []
    g.calls.call("taobao", "R1", platform, answers.append)
    clock.run_until(ORIGIN + timedelta(seconds=4))  # two faults: the circuit opens; the retry at 3 s waits
    assert "circuit_open" in kinds(events) and "queued" in kinds(events)
    clock.run_until(ORIGIN + timedelta(minutes=4))
    assert answers == [] and platform.calls == 2  # nothing goes out while it is open
    clock.run_until(ORIGIN + timedelta(minutes=6))
    assert answers == [3] and kinds(events)[-4:] == ["circuit_half_open", "sent", "circuit_closed", "answer"]


def test_a_result_reported_twice_is_passed_on_once() -> None:
    g, _, events = gateway()
    assert g.calls.deliver_once("taobao", "R1", "L1:sold", via="callback")
    assert not g.calls.deliver_once("taobao", "R1", "L1:sold", via="poll")
    assert g.calls.deliver_once("taobao", "R1", "L1:failed")  # another outcome is another result
    assert kinds(events) == ["answer", "duplicate_answer", "answer"] and g.stats()["duplicate_answers"] == 1
