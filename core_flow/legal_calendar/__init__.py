"""The legal calendar: every deadline in zhixing is computed here.

``default_calendar().deadline(start, Period.parse("3d"))`` → :class:`Deadline`. See ``periods`` for the
counting rules (民诉法 第八十五条, 民诉法解释 第一百二十五条, 民法典 第二百零一至二百零三条) and
``holidays`` for the rest-day data (chinesecalendar + YAML extension files; provisional years from the
statutory rule beyond them, unless strict).
"""

from core_flow.legal_calendar.holidays import (
    DEFAULT_EXTENSION,
    ENV_VAR,
    STRICT_ENV_VAR,
    CalendarRangeError,
    HolidayCalendar,
    ProvisionalCalendarWarning,
    YearData,
    load_extension,
    provisional_note,
    provisional_source,
    provisional_warning,
    provisional_year_of,
    provisional_years_in,
    strict_from_env,
)
from core_flow.legal_calendar.periods import (
    Deadline,
    LegalCalendar,
    Period,
    Policy,
    Unit,
    default_calendar,
    due_local_text,
    years_after,
)
from core_flow.legal_calendar.tz import CST, DATE_FORMS_EN, DATE_FORMS_ZH, as_cst, parse_local, to_cst

__all__ = [
    "CST",
    "as_cst",
    "DEFAULT_EXTENSION",
    "ENV_VAR",
    "STRICT_ENV_VAR",
    "CalendarRangeError",
    "Deadline",
    "HolidayCalendar",
    "LegalCalendar",
    "Period",
    "Policy",
    "ProvisionalCalendarWarning",
    "Unit",
    "YearData",
    "default_calendar",
    "due_local_text",
    "load_extension",
    "parse_local",
    "DATE_FORMS_EN",
    "DATE_FORMS_ZH",
    "provisional_note",
    "provisional_source",
    "provisional_warning",
    "provisional_year_of",
    "years_after",
    "provisional_years_in",
    "strict_from_env",
    "to_cst",
]
