"""China Standard Time (fixed +08:00; China has had no daylight saving time since 1991).

Every instant the legal calendar returns is an aware ``datetime`` in :data:`CST`. Naive datetimes handed
to the calendar are *interpreted* as CST wall-clock time; aware ones are converted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone

from core_flow.errors import UserError

CST = timezone(timedelta(hours=8), "Asia/Shanghai")

# the forms of a date people write, year first (never day first: 29/09/2025 stays refused)
DATE_FORMS_ZH = "YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYYMMDD 或 YYYY年M月D日"
DATE_FORMS_EN = "YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日"
_FORMATS_ZH = (f"日期（{DATE_FORMS_ZH}）后可接时刻 HH:MM[:SS] 或 10时30分、下午3时（空格或 T 分隔），"
               "可带时区偏移如 +08:00")
_FORMATS_EN = (f"a date ({DATE_FORMS_EN}), optionally a time HH:MM[:SS] or 10时30分, 下午3时 after a space or T, "
               "and an offset like +08:00")
_WRITTEN_DATE = re.compile(r"(\d{4})(?:[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})|年(?P<c>\d{1,2})月(?P<d>\d{1,2})日|"
                           r"(?P<e>\d{2})(?P<f>\d{2})(?!\d))")

# a time of day as Chinese documents write it, after the date: 10时30分, 10点, 下午3时, 上午10:30 (a space optional)
_SPOKEN_TIME = re.compile(r"\s*(?P<part>上午|早上|中午|下午|晚上)?\s*(?P<h>\d{1,2})\s*"
                          r"(?:[时点]\s*(?:(?P<m>\d{1,2})\s*分)?|:(?P<m2>\d{2})(?::(?P<s>\d{2}))?)\s*")


def _spoken(m: re.Match[str]) -> str:
    """``HH:MM[:SS]`` of a spoken time: 下午 / 晚上 add 12 hours to 1–11 o'clock, 中午 12 stays noon; an hour the part
    of the day contradicts (下午15时 is fine, 上午15时 is not) is left for the caller to refuse."""
    hour, minute = int(m["h"]), int(m["m"] or m["m2"] or 0)
    part = m["part"]
    if part in ("下午", "晚上") and 1 <= hour < 12:
        hour += 12
    elif (part in ("上午", "早上") and hour > 12) or (part == "晚上" and hour == 12):
        hour = 99  # 上午15时 (no such time), 晚上12点 (midnight of which day?): refused
    return f"{hour:02d}:{minute:02d}" + (f":{m['s']}" if m["s"] else "")


_LOCAL_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?P<off>Z|[+-]\d{2}:?\d{2})?)?"
)


def to_cst(dt: datetime) -> datetime:
    """Return ``dt`` as an aware datetime in CST: naive → interpreted as CST, aware → converted."""
    tz = dt.tzinfo
    if tz is CST:
        return dt
    if tz is None or tz.utcoffset(dt) is None:
        return dt.replace(tzinfo=CST)
    return dt.astimezone(CST)


as_cst = to_cst  # the same function under the name the mock agencies (and their callers) use: defined once


def _bad(text: str, field: str, why_zh: str = "", why_en: str = "") -> UserError:
    return UserError(
        f"无法识别的时间 {text!r}{why_zh}；应为 {_FORMATS_ZH}",
        f"unrecognised time {text!r}{why_en}; expected {_FORMATS_EN}",
        where=field,
    )


def parse_local(text: str, field: str = "time", day_start: time = time(0)) -> datetime:
    """Parse a local (CST) date/time text into an aware CST datetime.

    Accepts ``YYYY-MM-DD HH:MM[:SS]``, ``YYYY-MM-DDTHH:MM[:SS]`` and ``YYYY-MM-DD`` (meaning ``day_start``, by default
    00:00; a simulation's first day starts at 08:30); the date also as people write it, year first
    (``DATE_FORMS_EN``: 2025/9/29, 2025.9.29, 20250929, 2025年9月29日), and the time after it as documents write it
    too (10时30分, 10点, 下午3时, 上午10:30; a space before it optional).
    A time may carry an offset (``+08:00``, ``+0800``, ``Z``); the instant is then converted to CST.
    Bad text raises :class:`UserError` naming ``field`` (e.g. ``"--from"``).
    """
    if not isinstance(text, str):
        raise _bad(str(text), field)
    text = text.replace("：", ":")  # a Chinese input method's full-width colon: 2025-09-29 9：00
    written = _WRITTEN_DATE.match(text.strip())
    plain = text.strip()
    if written is not None:
        g = written.groupdict()
        mo, d = next((g[a], g[b]) for a, b in ("ab", "cd", "ef") if g[a] is not None)
        rest = plain[written.end():]
        if (spoken := _SPOKEN_TIME.fullmatch(rest)) is not None:  # 10时30分, 下午3时, 上午10:00 (as documents write)
            rest = " " + _spoken(spoken)
        plain = f"{written[1]}-{int(mo):02d}-{int(d):02d}" + rest
    m = _LOCAL_RE.fullmatch(plain)
    if m is None:
        raise _bad(text, field)
    hour, minute = (int(m["h"]), int(m["mi"])) if m["h"] else (day_start.hour, day_start.minute)
    try:
        dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), hour, minute, int(m["s"] or 0))
    except ValueError as err:
        raise _bad(text, field, f"（日期或时刻不存在：{err}）", f" (no such date or time: {err})") from None
    off = m["off"]
    if not off:
        return dt.replace(tzinfo=CST)
    if off == "Z":
        return dt.replace(tzinfo=UTC).astimezone(CST)
    sign = 1 if off[0] == "+" else -1
    digits = off[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise _bad(text, field, "（时区偏移无效）", " (invalid offset)")
    tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return dt.replace(tzinfo=tz).astimezone(CST)
