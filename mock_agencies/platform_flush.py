"""The auction and pricing platforms' results as callbacks (no I/O).

Each platform produces, when its virtual time reaches them, results to report (an auction closed, a 变卖 failed,
a price set …) as :class:`~mock_agencies.auction.Notice` s. :func:`due_results` names each with its idempotency
key ``event:id`` (the receiver's to deduplicate) — the session queues the callbacks and journals them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mock_agencies.auction import Notice

PLATFORM_CLASSES = ("auction", "pricing")  # the behaviour-profile classes of the two platforms


class Platform(Protocol):
    def advance(self, now: datetime) -> list[Notice] | None: ...


@dataclass(frozen=True, slots=True)
class PlatformResult:
    url: str | None  # None: the requester only polls
    payload: dict[str, Any]
    key: str  # ``event:listing_id`` or ``event:pricing_id``
    event: Any


def due_results(platform: Platform, at: datetime) -> Iterator[PlatformResult]:
    """Every result of ``platform`` due by ``at``, in the platform's order, with its callback key."""
    yield from results_of(platform.advance(at) or ())


def results_of(notices: Iterable[Notice]) -> Iterator[PlatformResult]:
    """``notices`` (a platform's, from ``advance``) with their callback keys."""
    for notice in notices:
        payload = notice.payload
        ident = payload.get("listing_id") or payload.get("pricing_id") or ""
        event = payload.get("event")
        yield PlatformResult(notice.url, payload, f"{payload.get('event', 'notice')}:{ident}", event)
