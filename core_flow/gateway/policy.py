"""Retry policy: exponential backoff with full jitter, and which outcomes are worth retrying.

``ceiling(n) = min(cap, base × factor^(n-1))`` for the n-th retry (n ≥ 1); with full jitter the wait is
drawn uniformly from ``[0, ceiling(n)]`` by a ``random.Random`` the caller owns (seeded), so a run is
reproducible. Times are seconds on the gateway's clock (virtual seconds under simulation).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from core_flow.gateway.transport import Outcome

# Worth another attempt: the request did not get through, or the agency asked us to come back. Because
# every attempt carries the same request_no (the idempotency key), a retry never acts twice.
RETRYABLE: frozenset[Outcome] = frozenset(
    {Outcome.RATE_LIMITED, Outcome.SERVER_ERROR, Outcome.TIMEOUT, Outcome.CONNECTION, Outcome.BAD_RESPONSE}
)


def is_retryable(outcome: Outcome) -> bool:
    return outcome in RETRYABLE


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6  # attempts in all, the first one included
    base: float = 1.0  # seconds before the first retry (its ceiling)
    factor: float = 2.0
    cap: float = 300.0  # no wait is longer than this (Retry-After aside)
    jitter: bool = True  # full jitter; False: wait exactly the ceiling

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be >= 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must be >= 0")
        if self.factor < 1:
            raise ValueError("factor must be >= 1")

    def ceiling(self, retry: int) -> float:
        """The longest wait before the ``retry``-th retry (1 = the first retry)."""
        if retry < 1:
            raise ValueError("retry counts from 1")
        if self.base == 0:
            return 0.0
        exponent = retry - 1
        # compare in logarithms: base × factor^exponent overflows long before it matters
        if self.factor > 1 and exponent * math.log(self.factor) >= math.log(
            max(self.cap, 1e-300) / self.base
        ):
            return float(self.cap)
        return min(float(self.cap), self.base * self.factor**exponent)

    def delay(self, retry: int, rng: random.Random) -> float:
        """The wait before the ``retry``-th retry: uniform in [0, ceiling] with jitter, else the ceiling."""
        top = self.ceiling(retry)
        return rng.uniform(0.0, top) if self.jitter else top

    def allows(self, attempts_made: int) -> bool:
        """Whether another attempt may follow ``attempts_made`` attempts."""
        return attempts_made < self.attempts
