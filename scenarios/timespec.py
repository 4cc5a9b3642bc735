"""Times in scenario files: absolute (``2025-09-29 10:00``) or relative (``+2d``, ``+3wd``, ``+48h``, ``+30m``).

Relative units (several may follow each other: ``+1d2h``):

* ``m`` / ``min`` / ``分钟`` minutes, ``h`` / ``小时`` hours, ``d`` / ``天`` / ``日`` calendar days (24 h each),
  ``w`` / ``周`` weeks;
* ``wd`` / ``工作日`` working days on the legal calendar: the N-th working day after, at the same time of day;
* ``mo`` / ``个月`` / ``月`` calendar months (the same day of the month, or the month's last day).

The amount is digits or a Chinese numeral, as the law writes it: ``+三日``, ``+十个工作日``, ``+四十八小时``.

Note that in scenario times ``m`` means minutes; months are ``mo`` (process.yaml periods use ``m`` for months).
"""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core_flow.errors import UserError
from core_flow.legal_calendar import DATE_FORMS_EN, DATE_FORMS_ZH, LegalCalendar, parse_local
from core_flow.legal_calendar.periods import zh_number

_UNITS = {
    "m": "min", "min": "min", "分钟": "min", "分": "min",
    "h": "h", "小时": "h", "时": "h",
    "d": "d", "天": "d", "日": "d",
    "w": "w", "周": "w",
    "wd": "wd", "工作日": "wd", "个工作日": "wd",
    "mo": "mo", "个月": "mo", "月": "mo",
}
_TERM = re.compile(r"\s*(\d{1,6}|[零一二两三四五六七八九十百]{1,6})\s*"
                   r"(个工作日|工作日|个月|分钟|小时|min|mo|wd|分|时|天|日|周|月|m|h|d|w)")
FORMS_ZH = (f"绝对时间：日期（{DATE_FORMS_ZH}）后可接时刻 HH:MM 或 10时30分、下午3时；"
            "或相对时间如 +2d、+3wd、+48h、+30m（分钟）、+1mo（月）、+三日")
FORMS_EN = (f"an absolute time — a date ({DATE_FORMS_EN}), optionally a time HH:MM or 10时30分, 下午3时 — or a "
            "relative one like +2d, +3wd, +48h, +30m (minutes), +1mo (months), +三日")


@dataclass(frozen=True, slots=True)
class Offset:
    """A relative time: terms applied in order (months, then working days, then fixed durations)."""

    terms: tuple[tuple[int, str], ...]
    text: str

    def apply(self, base: datetime, calendar: LegalCalendar) -> datetime:
        at = base
        for amount, unit in self.terms:
            if unit == "mo":
                at = _add_months(at, amount)
            elif unit == "wd":
                day = calendar.holidays.add_working_days(at.date(), amount)
                at = at + timedelta(days=(day - at.date()).days)
            elif unit == "w":
                at = at + timedelta(weeks=amount)
            elif unit == "d":
                at = at + timedelta(days=amount)
            elif unit == "h":
                at = at + timedelta(hours=amount)
            else:
                at = at + timedelta(minutes=amount)
        return at

    def __str__(self) -> str:
        return self.text


TimeSpec = datetime | Offset


def _add_months(at: datetime, k: int) -> datetime:
    month0 = at.month - 1 + k
    year, month = at.year + month0 // 12, month0 % 12 + 1
    day = min(at.day, _cal.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


def parse_time(text: object, field: str = "at") -> TimeSpec:
    """``+…`` → :class:`Offset`; anything else → an aware CST instant (``parse_local``)."""
    if isinstance(text, datetime | date):
        text = text.isoformat(sep=" ") if isinstance(text, datetime) else text.isoformat()
    if isinstance(text, int | float) and not isinstance(text, bool):
        raise _bad(str(text), field)
    if not isinstance(text, str) or not text.strip():
        raise _bad(repr(text), field)
    t = text.strip()
    if t.startswith("+"):
        return parse_offset(t[1:], field, original=t)
    try:
        return parse_local(t, field)
    except UserError:
        raise _no_such_instant(t, field) or _bad(t, field) from None


def parse_offset(text: str, field: str = "within", original: str | None = None) -> Offset:
    """A duration without its ``+`` (``3d``, ``48h``, ``1d2h``); ``0`` is allowed (no time passes)."""
    t = text.strip().lstrip("+").strip()
    if t == "0":
        return Offset((), original or "+0")
    terms: list[tuple[int, str]] = []
    pos = 0
    while pos < len(t):
        m = _TERM.match(t, pos)
        if m is None:
            raise _bad(original or text, field)
        amount = zh_number(m[1])  # digits, or the law's numerals: +三日, +十个工作日
        if amount is None:
            raise _bad(original or text, field)
        terms.append((amount, _UNITS[m[2]]))
        pos = m.end()
    if not terms:
        raise _bad(original or text, field)
    # calendar-shaped units first, so that "+1mo2h" means "a month later, then two hours"
    order = {"mo": 0, "wd": 1}
    terms.sort(key=lambda term: order.get(term[1], 2))
    return Offset(tuple(terms), original or f"+{t}")


# a date in one of the forms parse_local takes (2026-02-30, 2026/2/30, 2026.2.30, 20260230, 2026年2月30日) and an
# HH:MM after it: written the right way, naming a day or a time of day that does not exist
_DATE_SHAPE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日|(\d{2})(\d{2})(?!\d))")
_CLOCK_SHAPE = re.compile(r"[ T]?\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def _no_such_instant(text: str, field: str) -> UserError | None:
    """A time written in an accepted form that names no real day or time of day (2026-02-30, 2026-13-01, 25:00):
    said as such — the generic message listed the very form the user had written."""
    m = _DATE_SHAPE.match(text)
    if m is None:
        return None
    year = int(m[1])
    month, day = next((int(m[a]), int(m[b])) for a, b in ((2, 3), (4, 5), (6, 7)) if m[a] is not None)
    if not 1 <= month <= 12:
        zh, en = f"没有{month}月，月份为 1–12", f"there is no month {month}: months are 1–12"
    elif not 1 <= day <= (last := _cal.monthrange(year, month)[1]):
        zh, en = f"{year}年{month}月只有{last}日", f"{_MONTHS_EN[month - 1]} {year} has {last} days"
    else:
        clock = _CLOCK_SHAPE.fullmatch(text, m.end())
        if clock is None or (int(clock[1]) <= 23 and int(clock[2]) <= 59):
            return None
        return UserError(f"时刻不存在：{text}（时为 0–23，分为 0–59；24时写作次日 00:00）",
                         f"no such time of day: {text} (hours 0–23, minutes 0–59; 24:00 is the next day's 00:00)",
                         where=field, code="bad_time")
    return UserError(f"日期不存在：{text}（{zh}）", f"no such date: {text} ({en})", where=field, code="bad_time")


def _bad(text: str, field: str) -> UserError:
    return UserError(f"无法识别的时间 {text}；应为{FORMS_ZH}", f"unrecognised time {text}; expected {FORMS_EN}",
                     where=field, code="bad_time")


def resolve(spec: TimeSpec | None, base: datetime, calendar: LegalCalendar) -> datetime:
    """The instant of ``spec``: absolute as is, relative from ``base``; ``None`` is ``base``."""
    if spec is None:
        return base
    if isinstance(spec, Offset):
        return spec.apply(base, calendar)
    return spec
