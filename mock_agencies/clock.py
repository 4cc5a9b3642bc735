"""A namespace's virtual clock, in China Standard Time.

Two kinds, one interface:

* **own time** — ``now = origin + skipped + elapsed_real × scale``. Tests skip time (``skip`` / ``skip_to``)
  instead of sleeping; with ``scale == 0`` time moves only when skipped. The only wall-clock read is the
  injected monotonic source (real-time progression of the service), never ``datetime.now``. An HTTP court
  aligns it once at start (:meth:`VirtualClock.align`, the admin route ``PUT /admin/sessions/{ns}/clock``).
* **following** (``source=``) — ``now`` is the source's ``now`` (an in-process court passes its own clock's
  ``now``), so the agencies and the court cannot drift apart. It cannot be skipped ahead of its source or
  aligned: time is the court's.

``CST`` and ``as_cst`` are the legal calendar's (``core_flow.legal_calendar.tz``), defined once for both sides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from core_flow.legal_calendar.tz import CST, as_cst  # defined once, for both sides

__all__ = ["CST", "VirtualClock", "as_cst"]


class VirtualClock:
    __slots__ = ("_origin", "_skipped", "_scale", "_monotonic", "_real_start", "_source")

    def __init__(
        self,
        origin: datetime | None = None,
        scale: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        source: Callable[[], datetime] | None = None,
    ) -> None:
        """``source``: follow another clock's ``now`` (``origin`` then defaults to its current reading;
        ``scale`` only states its speed, for real-time waits)."""
        if scale < 0:
            raise ValueError("scale must be >= 0")
        if origin is None:
            if source is None:
                raise ValueError("a clock needs an origin or a source")
            origin = source()
        self._origin = as_cst(origin)
        self._skipped = timedelta(0)
        self._scale = float(scale)
        self._monotonic = monotonic
        self._real_start = monotonic()
        self._source = source

    @property
    def origin(self) -> datetime:
        return self._origin

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def skipped(self) -> timedelta:
        return self._skipped

    @property
    def follows(self) -> bool:
        """The clock follows an external source (an in-process court's clock)."""
        return self._source is not None

    def now(self) -> datetime:
        if self._source is not None:
            return as_cst(self._source())
        if self._scale == 0.0:
            return self._origin + self._skipped
        elapsed = (self._monotonic() - self._real_start) * self._scale
        return self._origin + self._skipped + timedelta(seconds=elapsed)

    def skip(self, delta: timedelta) -> datetime:
        """Move time forward by ``delta`` (never backwards)."""
        if delta < timedelta(0):
            raise ValueError("a clock never goes back")
        if self._source is not None:
            if delta:
                raise ValueError("a following clock is moved by its source only")
            return self.now()
        self._skipped += delta
        return self.now()

    def skip_to(self, when: datetime) -> datetime:
        """Move time forward to ``when``; a moment already past leaves the clock alone. A following clock
        cannot be moved ahead of its source (``ValueError``)."""
        current = self.now()
        target = as_cst(when)
        if target > current:
            if self._source is not None:
                raise ValueError("a following clock is moved by its source only")
            self._skipped += target - current
        return self.now()

    def set_scale(self, scale: float) -> None:
        """Change the speed from now on; time so far is kept."""
        if scale < 0:
            raise ValueError("scale must be >= 0")
        if self._source is None:
            current = self.now()
            self._skipped = current - self._origin
            self._real_start = self._monotonic()
        self._scale = float(scale)

    def align(self, now: datetime, scale: float) -> datetime:
        """From this moment on, read ``now`` and run at ``scale`` (the court's clock, once at start). The origin
        moves back with ``now`` if it is earlier. Not for a following clock (``ValueError``)."""
        if self._source is not None:
            raise ValueError("a following clock is aligned by its source")
        if scale < 0:
            raise ValueError("scale must be >= 0")
        target = as_cst(now)
        self._origin = min(self._origin, target)
        self._skipped = target - self._origin
        self._real_start = self._monotonic()
        self._scale = float(scale)
        return self.now()

    def real_seconds_until(self, when: datetime) -> float | None:
        """Real seconds until virtual ``when`` at the current speed (None: time does not run by itself)."""
        if self._scale == 0.0:
            return None
        return max(0.0, (as_cst(when) - self.now()).total_seconds() / self._scale)
