"""A per-agency circuit breaker, sans-IO: the caller passes ``now`` and asks; nothing here waits.

closed ──(``threshold`` consecutive failures)──▶ open ──(``cooldown`` passed, next ``allow``)──▶ half-open
half-open lets exactly one trial through: success ▶ closed, failure ▶ open again (a new cool-down).
A neutral result (429: the agency is up but busy) frees the trial slot without deciding anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from core_flow.enum_members import members_of


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


BREAKER_STATE = members_of(BreakerState)  # for hot code: see core_flow.enum_members


class CircuitBreaker:
    __slots__ = ("threshold", "cooldown", "state", "failures", "opened_at", "trial_out", "times_opened")

    def __init__(self, threshold: int = 5, cooldown: timedelta = timedelta(seconds=30)) -> None:
        if threshold < 1:
            raise ValueError("threshold must be >= 1")
        if cooldown < timedelta(0):
            raise ValueError("cooldown must be >= 0")
        self.threshold = threshold
        self.cooldown = cooldown
        self.state = BREAKER_STATE.CLOSED
        self.failures = 0  # consecutive
        self.opened_at: datetime | None = None
        self.trial_out = False  # the half-open trial is in flight
        self.times_opened = 0

    @property
    def reopens_at(self) -> datetime | None:
        """When an open circuit lets a trial through (None unless open)."""
        if self.state is not BreakerState.OPEN or self.opened_at is None:
            return None
        return self.opened_at + self.cooldown

    def allow(self, now: datetime) -> bool:
        """May a call go out at ``now``? In half-open this hands out the one trial."""
        if self.state is BREAKER_STATE.OPEN:
            reopen = self.reopens_at
            if reopen is None or now < reopen:
                return False
            self.state = BreakerState.HALF_OPEN
            self.trial_out = False
        if self.state is BREAKER_STATE.HALF_OPEN:
            if self.trial_out:
                return False
            self.trial_out = True
            return True
        return True

    def record_success(self, now: datetime) -> None:
        self.failures = 0
        if self.state is not BREAKER_STATE.CLOSED:
            self.state = BreakerState.CLOSED
            self.opened_at = None
            self.trial_out = False

    def record_failure(self, now: datetime) -> None:
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self.failures >= self.threshold
        ):
            self._open(now)
        # already open (a call that left before it opened came back failed): the cool-down stands

    def record_neutral(self, now: datetime) -> None:
        if self.state is BreakerState.HALF_OPEN:
            self.trial_out = False

    def _open(self, now: datetime) -> None:
        self.state = BreakerState.OPEN
        self.opened_at = now
        self.trial_out = False
        self.times_opened += 1
