"""Behaviours, faults and random streams of one namespace (no I/O, no clock of its own).

:class:`AgencyBehaviours` resolves each agency's :class:`~mock_agencies.profiles.Behaviour` from the
namespace's profile (remembered until the profile changes), keeps one seeded generator per (agency,
stream) — latency, faults, callbacks … — and draws transport-level faults (:meth:`AgencyBehaviours.draw_fault`)
exactly the same way for a direct submit and for the 总对总 hub's submits to the agencies of a scope.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_agencies.profiles import Behaviour, FaultKind, Profile

if TYPE_CHECKING:
    from mock_agencies.catalogue import Agency


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from ``parts`` (independent of Python's hash randomisation)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(slots=True, frozen=True)
class FaultDecision:
    kind: FaultKind
    status: int  # 0 for a dropped connection
    retry_after: int | None = None


class AgencyBehaviours:
    """The behaviour profile of a namespace, resolved per agency, and its seeded random streams.

    ``scale`` gives the namespace clock's current speed (virtual seconds per real second): a maintenance
    window's ``Retry-After`` is stated in real seconds at that speed."""

    __slots__ = ("seed", "_profile", "_behaviours", "_calm", "_rngs", "_scale")

    def __getstate__(self) -> dict[str, object]:
        """Saved with its namespace: the profile and the random streams' states (``scale`` is given back)."""
        return {"seed": self.seed, "profile": self._profile, "rngs": self._rngs}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.seed = state["seed"]  # type: ignore[assignment]
        self._profile = state["profile"]  # type: ignore[assignment]
        self._rngs = state["rngs"]  # type: ignore[assignment]
        self._behaviours = {}
        self._calm = {}
        self._scale = lambda: 0.0

    def __init__(self, seed: int, profile: Profile, scale: Callable[[], float]) -> None:
        self.seed = seed
        self._profile = profile
        self._behaviours: dict[str, Behaviour] = {}
        self._calm: dict[str, bool] = {}
        self._rngs: dict[tuple[str, str], random.Random] = {}
        self._scale = scale

    @property
    def profile(self) -> Profile:
        return self._profile

    @profile.setter
    def profile(self, profile: Profile) -> None:
        """A new profile; the behaviours resolved from the old one are forgotten."""
        self._profile = profile
        self._behaviours.clear()
        self._calm.clear()

    def rng(self, agency_code: str, stream: str) -> random.Random:
        """The seeded generator of ``stream`` (latency, faults, callbacks…) for one agency."""
        key = (agency_code, stream)
        found = self._rngs.get(key)
        if found is None:
            found = self._rngs[key] = random.Random(derive_seed(self.seed, agency_code, stream))
        return found

    def behaviour(self, agency: Agency) -> Behaviour:
        found = self._behaviours.get(agency.code)
        if found is None:
            found = self._behaviours[agency.code] = self._profile.behaviour(agency.profile, agency.code)
            # no maintenance window and no fault: every submit gets through (see draw_fault)
            self._calm[agency.code] = not found.maintenance and not found.faults.any
        return found

    def calm(self, agency: Agency) -> bool:
        """No maintenance window and no fault in ``agency``'s behaviour: every submit gets through."""
        calm = self._calm.get(agency.code)
        if calm is None:
            self.behaviour(agency)
            calm = self._calm[agency.code]
        return calm

    def draw_fault(self, agency: Agency, now: datetime) -> FaultDecision | None:
        """Whether a submit to ``agency`` at ``now`` fails at the transport level (never touching the ledger)."""
        calm = self._calm.get(agency.code)
        if calm is None:
            self.behaviour(agency)
            calm = self._calm[agency.code]
        if calm:  # nothing to draw (no random number is taken either way)
            return None
        behaviour = self.behaviour(agency)
        window_end = behaviour.maintenance_end(now)
        if window_end is not None:
            # real seconds at the current speed; with a stopped clock (scale 0), virtual seconds
            scale = self._scale() or 1.0
            retry = max(1, math.ceil((window_end - now).total_seconds() / scale))
            return FaultDecision(FaultKind.MAINTENANCE, 503, retry)
        if not behaviour.faults.any:
            return None
        rng = self.rng(agency.code, "faults")
        kind = behaviour.draw_fault(rng)
        if kind is None:
            return None
        if kind is FaultKind.ERROR_5XX:
            return FaultDecision(kind, rng.choice((500, 502, 503)))
        if kind is FaultKind.TIMEOUT or kind is FaultKind.LOST_ANSWER:
            return FaultDecision(kind, 504)
        if kind is FaultKind.RATE_LIMIT:
            return FaultDecision(kind, 429, behaviour.retry_after(rng))
        return FaultDecision(kind, 0)
