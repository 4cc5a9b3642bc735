"""Behaviour profiles: how long an agency takes to answer, when it works, how it fails.

A :class:`Profile` resolves, per agency, a :class:`Behaviour` (defaults ← class ← session overrides for
``"*"`` ← the class ← the agency code). Every random draw takes a ``random.Random`` owned by the caller
(seeded per namespace and agency), so a run is reproducible. Nothing here reads the clock.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core_flow import yaml_text
from core_flow.errors import UserError
from core_flow.legal_calendar import HolidayCalendar
from core_flow.protocol import Measure

PROFILES_PATH = Path(__file__).parent / "data" / "profiles.yaml"
MAX_DELAY_SECONDS = 366 * 86400  # no agency takes longer than a year to answer


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Latency(_Frozen):
    dist: Literal["fixed", "uniform", "loguniform"] = "fixed"
    min_seconds: float = Field(default=0.0, ge=0, le=MAX_DELAY_SECONDS)
    max_seconds: float | None = Field(default=None, ge=0, le=MAX_DELAY_SECONDS)

    @model_validator(mode="after")
    def _range(self) -> Latency:
        if self.dist != "fixed":
            if self.max_seconds is None or self.max_seconds < self.min_seconds:
                raise ValueError("max_seconds 必须 ≥ min_seconds / max_seconds must be >= min_seconds")
            if self.dist == "loguniform" and self.min_seconds <= 0:
                raise ValueError("loguniform 要求 min_seconds > 0 / loguniform needs min_seconds > 0")
        return self

    def sample(self, rng: random.Random) -> float:
        if self.dist == "fixed" or self.max_seconds is None:
            return self.min_seconds
        if self.dist == "uniform":
            return rng.uniform(self.min_seconds, self.max_seconds)
        return math.exp(rng.uniform(math.log(self.min_seconds), math.log(self.max_seconds)))


class BusinessHours(_Frozen):
    """Open ``start``–``end`` (end exclusive); answers only at poll instants when ``poll_every_minutes``."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    workdays_only: bool = True
    poll_every_minutes: int | None = Field(default=None, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _order(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("end 必须晚于 start / end must be after start")
        return self


class Maintenance(_Frozen):
    """A weekly window: ISO weekdays (1 = Monday … 7 = Sunday), ``start``–``end`` within the day."""

    weekdays: tuple[int, ...] = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _check(self) -> Maintenance:
        if any(d < 1 or d > 7 for d in self.weekdays):
            raise ValueError("weekdays 取值 1–7 / weekdays are 1-7")
        if self.end <= self.start:
            raise ValueError("end 必须晚于 start / end must be after start")
        return self


class Faults(_Frozen):
    """Probabilities of a fault per submitted request (at most one fault per request). ``lost_answer``: the request
    is carried out (a ticket issued, a freeze made) but its answer never reaches the court — a 504 as a timeout, after
    the act, as a bank's front end timing out on a core system that went on; the court must send it again with the
    same request number and is answered with the same ticket (never acted twice). The 查控 requests and the pricing
    and auction platforms' calls (HTTP and in process; the platforms' calls are idempotent: profile 0.6.2)."""

    error_5xx: float = Field(default=0.0, ge=0, le=1)
    timeout: float = Field(default=0.0, ge=0, le=1)
    reset: float = Field(default=0.0, ge=0, le=1)
    rate_limit: float = Field(default=0.0, ge=0, le=1)
    lost_answer: float = Field(default=0.0, ge=0, le=1)
    retry_after_min_seconds: int = Field(default=1, ge=0, le=86400)
    retry_after_max_seconds: int = Field(default=30, ge=0, le=86400)

    @model_validator(mode="after")
    def _check(self) -> Faults:
        if self.error_5xx + self.timeout + self.reset + self.rate_limit + self.lost_answer > 1.0 + 1e-9:
            raise ValueError("故障概率之和不能超过 1 / fault probabilities must sum to at most 1")
        if self.retry_after_max_seconds < self.retry_after_min_seconds:
            raise ValueError("retry_after_max_seconds < retry_after_min_seconds")
        return self

    @property
    def any(self) -> bool:
        return (self.error_5xx + self.timeout + self.reset + self.rate_limit + self.lost_answer) > 0.0


class CallbackBehaviour(_Frozen):
    duplicate_rate: float = Field(default=0.0, ge=0, le=1)
    reorder_rate: float = Field(default=0.0, ge=0, le=1)
    reorder_max_delay_seconds: float = Field(default=0.0, ge=0, le=31 * 86400)


class Behaviour(_Frozen):
    latency: dict[Literal["query", "control", "deduct"], Latency]
    business_hours: BusinessHours | None = None
    maintenance: tuple[Maintenance, ...] = ()
    faults: Faults = Faults()
    callbacks: CallbackBehaviour = CallbackBehaviour()
    held_retry_seconds: float = Field(
        default=600.0, gt=0, le=31 * 86400, description="答复暂缓时的重试间隔 / retry when held"
    )

    # -- latency and opening times -------------------------------------------------------------------

    def latency_for(self, measure: Measure) -> Latency:
        category = LATENCY_CATEGORY.get(measure, "control")
        return self.latency.get(category) or self.latency.get("control") or Latency()

    def answer_due(self, measure: Measure, submitted: datetime, rng: random.Random) -> datetime:
        """When the answer to a request submitted at ``submitted`` is ready (a poll instant, open, no
        maintenance)."""
        delay = math.ceil(self.latency_for(measure).sample(rng))  # whole seconds
        due = submitted + timedelta(seconds=delay)
        if self.business_hours is None and not self.maintenance:  # always open: next_open(due) is due
            return due
        return self.next_open(due)

    def next_open(self, at: datetime) -> datetime:
        """The first instant ≥ ``at`` at which the agency answers."""
        t = at
        for _ in range(4000):  # bounded: weeks of holidays and windows at most
            moved = self._business_instant(t)
            window_end = self.maintenance_end(moved)
            if window_end is None:
                return moved
            t = window_end
        return t

    def maintenance_end(self, at: datetime) -> datetime | None:
        """End of the maintenance window containing ``at``; None when none does."""
        for window in self.maintenance:
            if at.isoweekday() in window.weekdays:
                start = at.replace(hour=window.start.hour, minute=window.start.minute, second=0, microsecond=0)
                end = at.replace(hour=window.end.hour, minute=window.end.minute, second=0, microsecond=0)
                if start <= at < end:
                    return end
        return None

    def _business_instant(self, at: datetime) -> datetime:
        hours = self.business_hours
        if hours is None:
            return at
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(400):
            if not hours.workdays_only or is_workday(day.date()):
                open_at = day.replace(hour=hours.start.hour, minute=hours.start.minute)
                close_at = day.replace(hour=hours.end.hour, minute=hours.end.minute)
                candidate = max(at, open_at)
                if hours.poll_every_minutes:
                    step = hours.poll_every_minutes * 60
                    offset = (candidate - open_at).total_seconds()
                    candidate = open_at + timedelta(seconds=math.ceil(offset / step) * step)
                if candidate < close_at:
                    return candidate
            day += timedelta(days=1)
        return at

    # -- faults and callbacks ------------------------------------------------------------------------

    def draw_fault(self, rng: random.Random) -> FaultKind | None:
        faults = self.faults
        if not faults.any:
            return None
        u = rng.random()
        for kind, p in (
            (FaultKind.ERROR_5XX, faults.error_5xx),
            (FaultKind.TIMEOUT, faults.timeout),
            (FaultKind.RESET, faults.reset),
            (FaultKind.RATE_LIMIT, faults.rate_limit),
            (FaultKind.LOST_ANSWER, faults.lost_answer),  # last: with 0 the draws are those before it was added
        ):
            if u < p:
                return kind
            u -= p
        return None

    def retry_after(self, rng: random.Random) -> int:
        return rng.randint(self.faults.retry_after_min_seconds, self.faults.retry_after_max_seconds)


class FaultKind(StrEnum):
    ERROR_5XX = "5xx"  # 500/502/503
    TIMEOUT = "timeout"  # 504 Gateway Timeout: the request did not get through
    RESET = "reset"  # the connection is dropped mid-response
    RATE_LIMIT = "429"  # Too Many Requests, with Retry-After
    MAINTENANCE = "maintenance"  # 503 with Retry-After until the window ends
    LOST_ANSWER = "lost_answer"  # 504 after the request was carried out: its answer lost on the way


LATENCY_CATEGORY: dict[Measure, Literal["query", "control", "deduct"]] = {
    Measure.QUERY: "query",
    Measure.DEDUCT: "deduct",
}


@lru_cache(maxsize=1)
def _workdays() -> HolidayCalendar:
    """The calendar of office days, built when first needed (not at import: a bad ``ZHIXING_HOLIDAYS`` file is
    then reported by the command that uses it, and ``--help`` always works). Never strict: a mock agency keeps
    its office days in years without a notice (provisional, warned once)."""
    return HolidayCalendar(strict=False)


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Official working day on zhixing's legal calendar (State Council data plus extension files).

    A mock agency keeps working in years beyond the official holiday data: there the calendar uses the
    provisional year (statutory holidays, 调休 unknown) and warns once per year (never silently) — the mock
    must not stop answering for want of a notice, whatever ``ZHIXING_CALENDAR_STRICT`` says.
    """
    return _workdays().is_working_day(day)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class Profile:
    """A named behaviour profile plus a session's overrides; resolves and caches per agency."""

    def __init__(
        self,
        name: str,
        defaults: dict[str, Any],
        classes: dict[str, dict[str, Any]] | None = None,
        description: str = "",
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self._defaults = defaults
        self._classes = dict(classes or {})
        self.overrides: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (overrides or {}).items()}
        self._cache: dict[tuple[str, str], Behaviour] = {}
        self.behaviour("*", "*")  # validate defaults and every override layer now, not at first use
        for layer in (*self._classes, *self.overrides):
            if layer in self._classes:
                self.behaviour(layer, "*")
            else:
                self.behaviour("*", layer)

    def behaviour(self, agency_class: str, agency_code: str) -> Behaviour:
        key = (agency_class, agency_code)
        found = self._cache.get(key)
        if found is not None:
            return found
        data = _merge(self._defaults, self._classes.get(agency_class, {}))
        for layer in ("*", agency_class, agency_code):
            if layer in self.overrides:
                data = _merge(data, self.overrides[layer])
        try:
            resolved = Behaviour.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            text = str(first["msg"]).removeprefix("Value error, ")
            zh, sep, en = text.partition(" / ")  # our validators write "中文 / English"
            if not sep:  # pydantic's own English: its Chinese from the shared table (不允许的字段, 应为数字…)
                zh, en = _pydantic_zh(first), text
            at = f"[{loc}]" if loc else ""  # the key (``delay``): "Extra inputs are not permitted" alone named none
            raise UserError(
                f"行为配置无效（{agency_class}/{agency_code}）{at}：{zh}",
                f"invalid behaviour profile ({agency_class}/{agency_code}){at}: {en}",
                where=f"profile {self.name}: {loc}",
            ) from None
        self._cache[key] = resolved
        return resolved

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> Profile:
        """A copy with ``overrides`` merged over the current ones (validated at once)."""
        merged = dict(self.overrides)
        for key, value in overrides.items():
            merged[key] = _merge(merged.get(key, {}), value)
        return Profile(self.name, self._defaults, self._classes, self.description, merged)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "defaults": self._defaults,
            "classes": self._classes,
            "overrides": self.overrides,
        }


@lru_cache(maxsize=4)
def _load_raw(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml_text.load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
        raise UserError("行为配置文件缺少 profiles", "profiles file has no 'profiles' mapping", where=str(path))
    return data["profiles"]


def profile_names(path: Path = PROFILES_PATH) -> tuple[str, ...]:
    return tuple(_load_raw(path))


def load_profile(name: str, overrides: dict[str, dict[str, Any]] | None = None, path: Path = PROFILES_PATH) -> Profile:
    raw = _load_raw(path)
    if name not in raw:
        raise UserError(
            f"未知的行为配置 {name!r}，可选：{', '.join(raw)}",
            f"unknown behaviour profile {name!r}; choose one of: {', '.join(raw)}",
            where="profile",
            code="unknown_profile",
        )
    entry = raw[name] or {}
    return Profile(
        name,
        entry.get("defaults") or {},
        entry.get("classes") or {},
        entry.get("description", ""),
        overrides,
    )


def _pydantic_zh(error: Any) -> str:
    """A pydantic error's Chinese (``core_flow.validation.ZH``, the table the servers' 422 bodies use)."""
    from core_flow.validation import ZH

    template = ZH.get(error.get("type", ""), "取值无效")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return template
