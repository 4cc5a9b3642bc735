"""Day words on the command line: ``--start 今天`` / ``today``, ``明天`` / ``tomorrow``, ``--from 现在`` / ``now``.

The command line is where the wall clock may be read (``core_flow`` never reads it): a word is replaced by the date
(or, for 现在 / now, the minute) in Beijing time before the option is parsed as any other time, so a date word means
what a date alone means to that option (a simulation's first day starts at 08:30, the demo's at 09:00). Scenario files
take no such words: a scenario replays the same way on any day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from core_flow.legal_calendar import CST

_DAYS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "昨天": -1, "yesterday": -1}
_NOW = ("现在", "此刻", "now")


def wall_clock() -> datetime:
    return datetime.now(CST)  # noqa: TID251 (the command line: "today" is the user's day; injected into day_words)


def day_words(text: str | None, now: Callable[[], datetime] | None = None) -> str | None:
    """``text`` with a day word replaced: 今天 → ``2026-12-07``, 今天 10:00 → ``2026-12-07 10:00``, 现在 →
    ``2026-12-07 14:05``; anything else unchanged. ``now``: the clock (default :func:`wall_clock`)."""
    if text is None:
        return None
    now = now or wall_clock
    word, _, rest = text.strip().partition(" ")
    key = word.lower()
    if key in _NOW and not rest:
        return now().astimezone(CST).strftime("%Y-%m-%d %H:%M")
    if key in _DAYS:
        day = (now().astimezone(CST) + timedelta(days=_DAYS[key])).strftime("%Y-%m-%d")
        return f"{day} {rest}".strip()
    return text
