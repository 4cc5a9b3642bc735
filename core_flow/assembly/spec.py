"""The court specification: everything that decides how a court is assembled, validated and immutable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core_flow.gateway import GatewayConfig
from core_flow.legal_calendar import to_cst
from core_flow.model import Process
from core_flow.platform.court import DEFAULT_COURT
from core_flow.platform.court import Court as CourtIdentity


class ClockKind(StrEnum):
    VIRTUAL = "virtual"  # SimPy virtual time: a year runs in seconds
    REALTIME = "realtime"  # asyncio real time, compressed by ``scale``


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class CounterpartSpec(_Spec):
    """Which agencies the court reaches, and how (a plugin of the ``zhixing.counterparts`` group).

    Built in: ``inprocess`` (zhixing's mock agencies in this process), ``served`` (zhixing's mock agencies under
    uvicorn on loopback, reached over HTTP; real-time clock), ``http`` (any server speaking zhixing's published
    查控 interface at ``url``). A third party's adapter is named ``module:attribute``."""

    kind: str = "inprocess"
    url: str | None = None
    profile: str = "fast"
    overrides: dict[str, Any] = Field(default_factory=dict)
    world_size: int = Field(100_000, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)  # the plugin's own settings


class StaffSpec(_Spec):
    """Who acts on the court's side (a plugin of the ``zhixing.staff`` group; built in: ``clerk``)."""

    kind: str = "clerk"
    options: dict[str, Any] = Field(default_factory=dict)


class CourtSpec(_Spec):
    origin: datetime  # the clock's start (virtual) or the virtual instant real time starts at (realtime)
    clock: ClockKind = ClockKind.VIRTUAL
    scale: float = Field(1.0, gt=0)  # realtime: virtual seconds per real second
    logical_time: bool = False  # realtime: a timer's callback reads its due instant (AsyncioClock(logical=True))
    process: Path | Process | None = None  # a file, a loaded process, or None: the bundled one
    holidays: tuple[Path, ...] = ()  # extension files with official holiday notices
    strict_calendar: bool | None = None  # None: $ZHIXING_CALENDAR_STRICT, else provisional years allowed
    court: CourtIdentity = DEFAULT_COURT  # code, name, region and the courts above it
    counterpart: CounterpartSpec = CounterpartSpec()
    staff: StaffSpec | None = None
    gateway: GatewayConfig | None = None  # None: the counterpart's recommended settings
    inquiry_via: str = Field("hub", pattern="^(hub|direct)$")
    seed: int = 0
    keep_events: bool = True

    @field_validator("origin")
    @classmethod
    def _cst(cls, value: datetime) -> datetime:
        return to_cst(value)
