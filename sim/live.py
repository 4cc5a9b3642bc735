"""A court over real HTTP on loopback, in compressed real time — a front of the composition root
(``core_flow.assembly.open_court`` with the ``served`` counterpart).

The mock agencies run under uvicorn on 127.0.0.1 (in this event loop), the platform talks to them through
``HttpTransport`` (httpx), they answer by callback to the platform's receiver (another uvicorn server on
loopback), and an approved resumption is pushed over HTTP to the reference filing receiver. The agencies' virtual
clock follows the court's (``VirtualClock(source=…)``): one time source.

Retry-After values from the agencies are taken in their (virtual) seconds. The court's own account system
(一案一账号) is reached in-process — it is the court's, not an external agency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from core_flow.assembly import ClockKind, CounterpartSpec, Court, CourtSpec, StaffSpec, open_court
from core_flow.net import HOST, free_port, serve
from core_flow.platform import DEFAULT_COURT
from core_flow.platform import Court as CourtIdentity

LiveCourt = Court  # the name callers knew
__all__ = ["HOST", "LiveCourt", "_serve", "free_port", "live_court", "until"]


async def _serve(app: Any, port: int) -> tuple[Any, Any]:
    served = await serve(app, HOST, port)
    return served.server, served.task


@asynccontextmanager
async def live_court(origin: datetime, *, scale: float, seed: int = 0, profile: str = "fast",
                     overrides: dict[str, Any] | None = None, court: CourtIdentity = DEFAULT_COURT, clerk: bool = True,
                     world_size: int = 100_000, strict_calendar: bool | None = None, started: bool = True,
                     **clerk_options: Any) -> AsyncIterator[Court]:
    """``started=False``: the court is handed over with its clock standing at ``origin`` (``await court.start()``
    lets it run; see ``open_court``)."""
    spec = CourtSpec(origin=origin, clock=ClockKind.REALTIME, scale=scale, seed=seed, court=court,
                     strict_calendar=strict_calendar,
                     counterpart=CounterpartSpec(kind="served", profile=profile, overrides=overrides or {},
                                                 world_size=world_size),
                     staff=StaffSpec(kind="clerk", options=clerk_options) if clerk else None)
    async with open_court(spec, started=started) as live:
        yield live


def until(origin: datetime, days: float) -> datetime:
    return origin + timedelta(days=days)
