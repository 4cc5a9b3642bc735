"""Retry policy (backoff growth, cap, full-jitter bounds, determinism by seed) and the circuit breaker's
transitions (closed → open → half-open → closed / open), all sans-IO with ``now`` passed in."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.gateway.breaker import BreakerState, CircuitBreaker
from core_flow.gateway.policy import RetryPolicy, is_retryable
from core_flow.gateway.transport import Outcome
from core_flow.legal_calendar import CST

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)

policies = st.builds(
    RetryPolicy,
    attempts=st.integers(1, 50),
    base=st.floats(0.001, 100, allow_nan=False),
    factor=st.floats(1.0, 10.0, allow_nan=False),
    cap=st.floats(0.0, 10_000, allow_nan=False),
)


@settings(max_examples=200, deadline=None)
@given(policy=policies, retry=st.integers(1, 2000))
def test_ceiling_grows_geometrically_until_the_cap(policy: RetryPolicy, retry: int) -> None:
    here, following = policy.ceiling(retry), policy.ceiling(retry + 1)
    assert 0 <= here <= policy.cap
    assert following >= here  # never shrinks
    if following < policy.cap:  # below the cap each step multiplies by the factor
        assert following == pytest.approx(here * policy.factor, rel=1e-9)
    assert policy.ceiling(1) == pytest.approx(min(policy.cap, policy.base))


@settings(max_examples=200, deadline=None)
@given(policy=policies, retry=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_full_jitter_is_within_bounds_and_deterministic_by_seed(
    policy: RetryPolicy, retry: int, seed: int
) -> None:
    a = [policy.delay(retry, random.Random(seed)) for _ in range(3)]
    assert a[0] == a[1] == a[2]  # the same seed gives the same wait
    rng = random.Random(seed)
    run1 = [policy.delay(n, rng) for n in range(1, 8)]
    rng = random.Random(seed)
    assert [policy.delay(n, rng) for n in range(1, 8)] == run1
    for n, d in enumerate(run1, start=1):
        assert 0.0 <= d <= policy.ceiling(n)


def test_jitter_spreads_waits_and_no_jitter_waits_the_ceiling() -> None:
    policy = RetryPolicy(base=10, factor=2, cap=1000)
    rng = random.Random(1)
    draws = [policy.delay(3, rng) for _ in range(2000)]  # ceiling 40
    assert min(draws) < 4 and max(draws) > 36  # spread over the whole [0, 40] (full jitter)
    assert 15 < sum(draws) / len(draws) < 25  # mean ~ half the ceiling
    assert RetryPolicy(base=10, factor=2, cap=1000, jitter=False).delay(3, rng) == 40
    assert RetryPolicy(base=10, factor=2, cap=25, jitter=False).delay(3, rng) == 25


def test_attempts_and_what_is_retryable() -> None:
    policy = RetryPolicy(attempts=3)
    assert [policy.allows(n) for n in (1, 2, 3, 4)] == [True, True, False, False]
    retryable = {o for o in Outcome if is_retryable(o)}
    assert retryable == {
        Outcome.RATE_LIMITED,
        Outcome.SERVER_ERROR,
        Outcome.TIMEOUT,
        Outcome.CONNECTION,
        Outcome.BAD_RESPONSE,
    }
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(factor=0.5)


# ------------------------------------------------------------------------------------------------ breaker


def test_breaker_opens_after_threshold_consecutive_failures_only() -> None:
    b = CircuitBreaker(threshold=3, cooldown=timedelta(seconds=60))
    for _ in range(2):
        b.record_failure(T0)
    b.record_success(T0)  # a success resets the count: failures must be consecutive
    for _ in range(2):
        b.record_failure(T0)
        assert b.state is BreakerState.CLOSED and b.allow(T0)
    b.record_failure(T0)
    assert b.state is BreakerState.OPEN and b.reopens_at == T0 + timedelta(seconds=60)
    assert not b.allow(T0 + timedelta(seconds=59))


def test_half_open_lets_exactly_one_trial_then_closes_or_reopens() -> None:
    b = CircuitBreaker(threshold=1, cooldown=timedelta(seconds=30))
    b.record_failure(T0)
    later = T0 + timedelta(seconds=30)
    assert b.allow(later) and b.state is BreakerState.HALF_OPEN
    assert not b.allow(later) and not b.allow(later + timedelta(hours=1))  # one trial at a time
    b.record_failure(later)  # the trial failed: open again, with a new cool-down
    assert b.state is BreakerState.OPEN and b.times_opened == 2
    assert not b.allow(later + timedelta(seconds=29))
    again = later + timedelta(seconds=30)
    assert b.allow(again)
    b.record_neutral(again)  # 429 on the trial: decides nothing, frees the trial slot
    assert b.state is BreakerState.HALF_OPEN and b.allow(again)
    b.record_success(again)
    assert b.state is BreakerState.CLOSED and b.failures == 0 and b.reopens_at is None
    assert all(b.allow(again) for _ in range(5))


@settings(max_examples=200, deadline=None)
@given(
    threshold=st.integers(1, 6),
    results=st.lists(st.tuples(st.sampled_from(["ok", "fail", "neutral"]), st.integers(0, 120)), max_size=60),
)
def test_breaker_invariants_under_any_sequence(threshold: int, results: list[tuple[str, int]]) -> None:
    """Model check: open only after ``threshold`` consecutive failures (or a failed trial); never more than
    one trial out in half-open; an open circuit refuses everything before its cool-down ends."""
    b = CircuitBreaker(threshold=threshold, cooldown=timedelta(seconds=30))
    now = T0
    consecutive = 0
    for result, gap in results:
        now += timedelta(seconds=gap)
        state = b.state
        allowed = b.allow(now)
        if state is BreakerState.OPEN and b.state is BreakerState.OPEN:
            assert not allowed
        if not allowed:
            continue
        if b.state is BreakerState.HALF_OPEN:
            assert not b.allow(now)  # the trial is out: nobody else gets through
        before = b.state
        if result == "ok":
            b.record_success(now)
            consecutive = 0
            assert b.state is BreakerState.CLOSED
        elif result == "fail":
            b.record_failure(now)
            consecutive += 1
            if before is BreakerState.HALF_OPEN or consecutive >= threshold:
                assert b.state is BreakerState.OPEN and b.opened_at == now
            else:
                assert b.state is BreakerState.CLOSED
        else:
            b.record_neutral(now)
            assert b.state is before
