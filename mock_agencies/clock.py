"""A namespace's virtual clock: ``now = origin + skipped + elapsed_real × scale`` in China Standard Time.

Tests skip time (``skip`` / ``skip_to``) instead of sleeping; with ``scale == 0`` time moves only when
skipped. The only wall-clock read is the injected monotonic source (real-time progression of the
service), never ``datetime.now``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from core_flow.legal_calendar.tz import CST, as_cst  # defined once, for both sides

__all__ = ["CST", "VirtualClock", "as_cst"]


class VirtualClock:
    __slots__ = ("_origin", "_skipped", "_scale", "_monotonic", "_real_start")

    def __init__(self, origin: datetime, scale: float = 0.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        if scale < 0:
            raise ValueError("scale must be >= 0")
        self._origin = as_cst(origin)
        self._skipped = timedelta(0)
        self._scale = float(scale)
        self._monotonic = monotonic
        self._real_start = monotonic()

    @property
    def origin(self) -> datetime:
        return self._origin

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def skipped(self) -> timedelta:
        return self._skipped

    def now(self) -> datetime:
        if self._scale == 0.0:
            return self._origin + self._skipped
        elapsed = (self._monotonic() - self._real_start) * self._scale
        return self._origin + self._skipped + timedelta(seconds=elapsed)

    def skip(self, delta: timedelta) -> datetime:
        """Move time forward by ``delta`` (never backwards)."""
        if delta < timedelta(0):
            raise ValueError("a clock never goes back")
        self._skipped += delta
        return self.now()

    def skip_to(self, when: datetime) -> datetime:
        """Move time forward to ``when``; a moment already past leaves the clock alone."""
        current = self.now()
        target = as_cst(when)
        if target > current:
            self._skipped += target - current
        return self.now()

    def set_scale(self, scale: float) -> None:
        """Change the speed from now on; time so far is kept."""
        if scale < 0:
            raise ValueError("scale must be >= 0")
        current = self.now()
        self._skipped = current - self._origin
        self._real_start = self._monotonic()
        self._scale = float(scale)

    def real_seconds_until(self, when: datetime) -> float | None:
        """Real seconds until virtual ``when`` at the current speed (None: time does not run by itself)."""
        if self._scale == 0.0:
            return None
        return max(0.0, (as_cst(when) - self.now()).total_seconds() / self._scale)
