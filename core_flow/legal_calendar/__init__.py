"""The legal calendar: every deadline in zhixing is computed here.

``default_calendar().deadline(start, Period.parse("3d"))`` → :class:`Deadline`. See ``periods`` for the
counting rules (民诉法 第八十五条, 民诉法解释 第一百二十五条, 民法典 第二百零一至二百零三条) and
``holidays`` for the rest-day data (chinesecalendar + YAML extension files).
"""

from core_flow.legal_calendar.holidays import (
    DEFAULT_EXTENSION,
    ENV_VAR,
    CalendarRangeError,
    HolidayCalendar,
    load_extension,
)
from core_flow.legal_calendar.periods import (
    Deadline,
    LegalCalendar,
    Period,
    Policy,
    Unit,
    default_calendar,
    due_local_text,
)
from core_flow.legal_calendar.tz import CST, parse_local, to_cst

__all__ = [
    "CST",
    "DEFAULT_EXTENSION",
    "ENV_VAR",
    "CalendarRangeError",
    "Deadline",
    "HolidayCalendar",
    "LegalCalendar",
    "Period",
    "Policy",
    "Unit",
    "default_calendar",
    "due_local_text",
    "load_extension",
    "parse_local",
    "to_cst",
]
