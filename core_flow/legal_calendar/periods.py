"""Periods (期间) and deadlines: the one place where zhixing computes when a period ends.

Rules (see ../shared/domain/LAW.md, "Computing periods"); ``Policy.CPL`` is the default:

* 《民事诉讼法》第八十五条: periods count in hours, days, months, years; the starting hour / day is not
  counted; if the last day is a 法定休假日 the period ends on the first day after it.
* 《民诉法解释》第一百二十五条: an hour period starts at the next full hour; day / month / year periods
  start on the next day.
* 《民法典》第二百零一至二百零三条: for months and years the corresponding day of the due month is the
  last day, or that month's last day where it has none (2025-08-31 + 6 months → 2026-02-28); a last day
  that is a 法定休假日 moves to the day after the holiday; the last day ends at 24:00.

Project defaults (documented in LAW.md, configurable per rule through ``Policy``):

* ``h``  hours: counting starts at the next full hour (10:00:00 and 10:20 both start at 11:00);
  ``due`` = that + N hours; **no** rest-day rollover (hour periods serve urgent measures). ``last_day`` is
  the day in which ``due`` falls (a due of exactly 00:00 belongs to the previous day, as its 24:00).
* ``d``  days: nominal last day = start date + N.
* ``m``/``y`` months/years: the corresponding day of the due month, clamped to the month's last day.
* ``wd`` working days: the N-th working day after the start date (start date not counted).
* ``same_day``: the start date itself (当天/立案当天), ending 24:00; never rolled.
* Under ``CPL`` a day/month/year last day that is a rest day (weekend not made up by 调休, or holiday) rolls
  to the next working day; make-up Saturdays/Sundays are working days. ``NATURAL`` counts plain calendar
  days without rollover (``wd`` still counts working days).
* For day-based units ``due`` is 24:00 of the last day, i.e. the next midnight (last day 2025-10-09 →
  due 2025-10-10T00:00:00+08:00).
* Only days the computation actually inspects must have holiday data: natural day counts, hours and
  ``same_day`` never need the calendar; a CPL rollover inspects the nominal last day onward; ``wd`` inspects
  every day after the start date up to the result. A day in a year without official data uses that year's
  provisional calendar (statutory holidays, no 调休; see ``holidays``) and the result carries a warning
  (``Deadline.provisional``); in strict mode, or beyond the provisional years, it raises
  ``CalendarRangeError``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from enum import StrEnum

from core_flow.enum_members import members_of
from core_flow.errors import UserError
from core_flow.legal_calendar.holidays import CalendarRangeError, HolidayCalendar, provisional_year_of
from core_flow.legal_calendar.tz import CST, to_cst


class Unit(StrEnum):
    HOURS = "h"
    DAYS = "d"
    WORKING_DAYS = "wd"
    MONTHS = "m"
    YEARS = "y"
    SAME_DAY = "same_day"


UNIT = members_of(Unit)  # for hot code: see core_flow.enum_members


class Policy(StrEnum):
    CPL = "cpl"  # 民诉法 第八十五条 + 民诉法解释 第一百二十五条 + 民法典 第二百零一至二百零三条
    NATURAL = "natural"  # plain calendar counting, no rollover


POLICY = members_of(Policy)  # for hot code: see core_flow.enum_members


_MAX_AMOUNT = {
    Unit.HOURS: 1_000_000,
    Unit.DAYS: 100_000,
    Unit.WORKING_DAYS: 50_000,
    Unit.MONTHS: 12_000,
    Unit.YEARS: 1_000,
}
_PERIOD_RE = re.compile(r"(\d{1,9})(wd|h|d|m|y)")
# The law's own words: 三日、四十八小时、十个工作日、六个月、一年、当天 (digits or Chinese numerals)
_ZH_PERIOD_RE = re.compile(r"(\d{1,9}|[零一二两三四五六七八九十百]{1,6})\s*(个工作日|工作日|个小时|小时|日|天|个月|年)")
_ZH_UNITS = {"个工作日": "wd", "工作日": "wd", "个小时": "h", "小时": "h", "日": "d", "天": "d", "个月": "m", "年": "y"}
# the digits 0–9, 小写 and 大写
_ZH_DIGIT_CHARS = ("零〇", "一壹", "二两贰貳", "三叁參", "四肆", "五伍", "六陆陸", "七柒", "八捌", "九玖")
_ZH_DIGITS = {ch: value for value, chars in enumerate(_ZH_DIGIT_CHARS) for ch in chars}
_ZH_SMALL = {**dict.fromkeys("十拾", 10), **dict.fromkeys("百佰", 100), **dict.fromkeys("千仟", 1000)}
_ZH_LARGE = {"万": 10_000, "亿": 100_000_000}
ZH_NUMERAL_CHARS = frozenset(_ZH_DIGITS) | frozenset(_ZH_SMALL) | frozenset(_ZH_LARGE)
_FORMS = "3d、48h、10wd、6m、1y 或 same_day（亦可写 3日、四十八小时、10个工作日、六个月、一年、当天）"
_FORMS_EN = "3d, 48h, 10wd, 6m, 1y or same_day (or in Chinese: 3日, 四十八小时, 10个工作日, 六个月, 一年, 当天)"


def zh_number(text: str) -> int | None:
    """A whole number as the law, judgments and people write it: digits, or Chinese numerals 小写 or 大写
    (三, 十五, 四十八, 一百零五, 壹万贰仟, 十二万五千; Arabic runs before a unit as in 12万5千), and the spoken
    一万五, 三千五, 两百五 (a last digit without its own unit is of the next lower one: 15,000, 3,500, 250;
    一万零五 is 10,005). None when it is not one: two digits in a row (四八), a unit not smaller than the one before
    it (十十, 百千, 二十一百)."""
    if text.isdigit():
        return int(text)
    total = section = 0
    number: int | None = None  # the digits read since the last unit
    arabic = 0  # how many Arabic digits ``number`` was written with
    small = 0  # the last 十/百/千 of this section (each must be smaller than the one before)
    unit = 0  # the last unit of any kind, for the spoken 一万五
    zero = False  # a 零 since that unit (一万零五: the 五 is ones)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii() and ch.isdigit():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isdigit():
                j += 1
            if number is not None:
                return None
            number, arabic, i = int(text[i:j]), j - i, j
            continue
        if ch in _ZH_DIGITS:
            if _ZH_DIGITS[ch] == 0:  # 零 holds a place
                if number not in (None, 0):
                    return None
                number, zero = None, True
            elif number is not None:
                return None  # two digits in a row (四八)
            else:
                number, arabic = _ZH_DIGITS[ch], 0
        elif ch in _ZH_SMALL:
            if small and _ZH_SMALL[ch] >= small:
                return None
            section += (1 if number is None else number) * _ZH_SMALL[ch]
            number, small, unit, zero = None, _ZH_SMALL[ch], _ZH_SMALL[ch], False
        elif ch in _ZH_LARGE:
            if number is None and section == 0:
                return None
            section += number or 0
            total = total + section * 10_000 if ch == "万" else (total + section) * 100_000_000
            number, section, small, unit, zero = None, 0, 0, _ZH_LARGE[ch], False
        else:
            return None
        i += 1
    if number is not None and unit >= 100 and not zero:  # a last digit after 百, 千, 万 … without its own unit
        if arabic > 1:  # written out in full (1万5000): as it stands, below the unit
            if number >= unit:
                return None
        else:
            number *= unit // 10
    return total + section + (number or 0)


_ZH_UNIT = {
    Unit.HOURS: "小时",
    Unit.DAYS: "日",
    Unit.WORKING_DAYS: "个工作日",
    Unit.MONTHS: "个月",
    Unit.YEARS: "年",
}
_EN_UNIT = {
    Unit.HOURS: "hour",
    Unit.DAYS: "day",
    Unit.WORKING_DAYS: "working day",
    Unit.MONTHS: "month",
    Unit.YEARS: "year",
}
_WEEKDAYS = (
    "星期一 Monday",
    "星期二 Tuesday",
    "星期三 Wednesday",
    "星期四 Thursday",
    "星期五 Friday",
    "星期六 Saturday",
    "星期日 Sunday",
)


@dataclass(frozen=True, slots=True)
class Period:
    """An amount of a unit, e.g. ``Period(3, Unit.DAYS)``; ``same_day`` has amount 0."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        unit = self.unit
        if not isinstance(unit, Unit):
            try:
                unit = Unit(unit)
            except ValueError:
                raise UserError(
                    f"期间单位无效：{unit!r}（应为 h、d、wd、m、y、same_day）",
                    f"invalid period unit {unit!r} (h, d, wd, m, y, same_day)",
                    where="period",
                ) from None
            object.__setattr__(self, "unit", unit)
        amt = self.amount
        if not isinstance(amt, int) or isinstance(amt, bool):
            raise UserError(f"期间数量应为整数：{amt!r}", f"period amount must be an integer: {amt!r}", where="period")
        if unit is UNIT.SAME_DAY:
            if amt != 0:
                raise UserError("same_day 期间的数量应为 0", "a same_day period has amount 0", where="period")
        elif not 1 <= amt <= _MAX_AMOUNT[unit]:
            raise UserError(
                f"期间数量应在 1–{_MAX_AMOUNT[unit]} 之间：{amt}",
                f"period amount must be 1-{_MAX_AMOUNT[unit]}: {amt}",
                where="period",
            )

    @classmethod
    def parse(cls, text: str, field: str = "period") -> Period:
        """Parse ``"3d"``, ``"48h"``, ``"10wd"``, ``"6m"``, ``"1y"`` or ``"same_day"`` — or the law's own words,
        ``"三日"``, ``"48小时"``, ``"十个工作日"``, ``"六个月"``, ``"一年"``, ``"当天"`` (digits or Chinese
        numerals)."""
        t = text.strip().lower() if isinstance(text, str) else ""
        if t in ("same_day", "当天", "当日"):
            return cls(0, Unit.SAME_DAY)
        m = _PERIOD_RE.fullmatch(t)
        zh = _ZH_PERIOD_RE.fullmatch(t) if m is None else None
        amount = int(m[1]) if m is not None else (zh_number(zh[1]) if zh is not None else None)
        if amount is None:
            raise UserError(
                f"无法识别的期间 {text!r}；应为 {_FORMS}",
                f"unrecognised period {text!r}; expected {_FORMS_EN}",
                where=field,
            )
        try:
            return cls(amount, Unit(m[2] if m is not None else _ZH_UNITS[zh[2]]))
        except UserError as err:
            raise UserError(err.zh, err.en, where=field) from None

    def __str__(self) -> str:
        if self.unit is Unit.SAME_DAY:
            return "same_day"
        return f"{self.amount}{self.unit.value}"

    @property
    def words_zh(self) -> str:
        if self.unit is Unit.SAME_DAY:
            return "当天"
        return f"{self.amount}{_ZH_UNIT[self.unit]}"

    @property
    def words_en(self) -> str:
        if self.unit is Unit.SAME_DAY:
            return "same day"
        word = _EN_UNIT[self.unit]
        return f"{self.amount} {word}" + ("" if self.amount == 1 else "s")


_ONE_HOUR = timedelta(hours=1)
_TINY = timedelta(microseconds=1)
_EPOCH_ORD = date(2000, 1, 1).toordinal()
_EPOCH = datetime(2000, 1, 1, tzinfo=CST)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _midnight(o: int) -> datetime:
    """00:00 CST of the day with ordinal ``o``."""
    return _EPOCH + timedelta(days=o - _EPOCH_ORD)


def _add_months(d: date, k: int) -> tuple[int, bool, date | None]:
    """Ordinal of the corresponding day ``k`` months after/before ``d``; clamped?; the missing day's month."""
    t = d.year * 12 + d.month - 1 + k
    y, m = divmod(t, 12)
    m += 1
    dim = 29 if m == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else _DAYS_IN_MONTH[m]
    if d.day > dim:
        return date(y, m, dim).toordinal(), True, date(y, m, 1)
    return date(y, m, d.day).toordinal(), False, None


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt.second or dt.microsecond else dt.strftime("%Y-%m-%d %H:%M")


def due_local_text(due: datetime) -> str:
    """Local reading of a due instant: midnight is shown as the previous day's 24:00."""
    if due.hour == 0 and due.minute == 0 and due.second == 0 and due.microsecond == 0:
        return f"{(due - _TINY).date().isoformat()} 24:00"
    return _fmt(due)


@dataclass(frozen=True, slots=True)
class Deadline:
    """The end of a period. ``due`` is the instant the period ends (CST); for day-based units the last
    day ends at 24:00, so ``due`` is the following midnight. The explanation is built lazily."""

    start: datetime
    period: Period
    policy: Policy
    last_day: date
    due: datetime
    nominal_last_day: date
    rolled: bool
    warnings: tuple[str, ...] = ()
    calendar: HolidayCalendar | None = field(default=None, repr=False, compare=False)

    @property
    def due_local(self) -> str:
        return due_local_text(self.due)

    @property
    def provisional_years(self) -> tuple[int, ...]:
        """Provisional calendar years the computation depended on (from its warnings), in order."""
        return tuple(y for y in map(provisional_year_of, self.warnings) if y is not None)

    @property
    def provisional(self) -> bool:
        """True when the result depends on a provisional calendar year (no State Council notice in the data)."""
        return any(provisional_year_of(w) is not None for w in self.warnings)

    def _reason(self, o: int) -> str | None:
        if self.calendar is None:
            return None
        try:
            return self.calendar.reason_ord(o)
        except CalendarRangeError:
            return None

    def _runs(self, lo: int, hi: int) -> list[str]:
        """Rest days in ordinals [lo, hi], grouped into runs with the same reason."""
        runs: list[tuple[int, int, str]] = []
        for o in range(lo, hi + 1):
            r = self._reason(o)
            if r is None:
                continue
            if runs and runs[-1][1] == o - 1 and runs[-1][2] == r:
                runs[-1] = (runs[-1][0], o, r)
            else:
                runs.append((o, o, r))
        out = []
        for a, b, r in runs:
            span = date.fromordinal(a).isoformat()
            if b != a:
                span += f"–{date.fromordinal(b).isoformat()}"
            out.append(f"{span} {r}")
        return out

    def _day(self, d: date) -> str:
        r = self._reason(d.toordinal())
        if r is None and d.weekday() >= 5 and self.calendar is not None:
            try:
                if self.calendar.is_working_day(d):
                    r = "调休上班日 make-up working day"
            except CalendarRangeError:
                pass
        return f"{d.isoformat()}（{_WEEKDAYS[d.weekday()]}{'，' + r if r else ''}）"

    def explain(self) -> list[str]:
        """Bilingual lines: start; counting begins; days counted; nominal last day; rollover; due."""
        p, unit = self.period, self.period.unit
        lines = [
            f"起算时点 / start: {_fmt(self.start)} +08:00（{_WEEKDAYS[self.start.weekday()]}）",
            f"期间 / period: {p.words_zh} / {p.words_en}（{p}，计算规则 policy: {self.policy.value}）",
        ]
        if unit is Unit.HOURS:
            begin = self.due - timedelta(hours=p.amount)
            lines.append(
                f"开始计算 / counting begins: {_fmt(begin)}（下一个整点起算，开始的小时不计入 / from the "
                "next full hour, the starting hour is not counted — 民诉法解释第一百二十五条）"
            )
            lines.append(f"计算 / counted: {_fmt(begin)} + {p.words_zh} → {_fmt(self.due)}")
            lines.append("小时期间不因休息日顺延 / hour periods do not roll over rest days (project default)")
        elif unit is Unit.SAME_DAY:
            lines.append(f"当天届满 / ends the same day: {self.last_day.isoformat()} 24:00 (project default)")
        else:
            s = self.start.toordinal()
            first = date.fromordinal(s + 1)
            lines.append(
                f"开始计算 / counting begins: {first.isoformat()}（次日起算，开始的日不计入 / the next day, "
                "the starting day is not counted — 民诉法第八十五条、民法典第二百零一条）"
            )
            if unit is Unit.DAYS:
                lines.append(
                    f"计算 / counted: {first.isoformat()} … {self.nominal_last_day.isoformat()}"
                    f"（{p.amount} 日 / {p.words_en}）"
                )
            elif unit is Unit.WORKING_DAYS:
                last = self.last_day.toordinal()
                skipped = self._runs(s + 1, last)
                lines.append(
                    f"计算 / counted: 第 {p.amount} 个工作日为 {self.last_day.isoformat()} / working day "
                    f"no. {p.amount} after the start is {self.last_day.isoformat()}"
                )
                if skipped:
                    lines.append("不计入的休息日 / rest days not counted: " + "; ".join(skipped))
            else:
                k = p.amount if unit is Unit.MONTHS else 12 * p.amount
                _o, clamped, month = _add_months(self.start.date(), k)
                lines.append(
                    f"计算 / counted: {p.words_zh} / {p.words_en}，到期月的对应日 / the corresponding day "
                    f"of the due month → {self.nominal_last_day.isoformat()}"
                )
                if clamped and month is not None:
                    lines.append(
                        f"{month:%Y-%m} 没有第 {self.start.day} 日，以该月最后一日为期间最后一日 / "
                        f"{month:%Y-%m} has no day {self.start.day}: its last day is the last day "
                        "— 民法典第二百零二条"
                    )
            lines.append(f"名义最后一日 / nominal last day: {self._day(self.nominal_last_day)}")
            if self.rolled:
                skipped = self._runs(self.nominal_last_day.toordinal(), self.last_day.toordinal() - 1)
                lines.append(
                    f"顺延 / rolled over: {self.nominal_last_day.isoformat()} → {self.last_day.isoformat()}"
                    f"；跳过休息日 / skipped rest days: {'; '.join(skipped)}"
                    "（期间最后一日是法定休假日的，以其后第一日为最后一日 / a last day on a rest day moves "
                    "to the next working day — 民诉法第八十五条、民法典第二百零三条）"
                )
            elif self.policy is Policy.NATURAL and unit is not Unit.WORKING_DAYS:
                lines.append("natural 规则：不因休息日顺延 / natural policy: no rollover over rest days")
            elif unit is not Unit.WORKING_DAYS:
                lines.append("最后一日是工作日，无需顺延 / the last day is a working day: no rollover")
            lines.append(f"最后一日 / last day: {self._day(self.last_day)}，24:00 届满 / ends at 24:00")
        lines.append(f"届满时刻 / due: {self.due.isoformat()}（{self.due_local}）")
        lines.extend(f"警告 / warning: {w}" for w in self.warnings)
        return lines

    def as_dict(self) -> dict[str, object]:
        """JSON-ready dict (dates YYYY-MM-DD, instants ISO 8601 with +08:00)."""
        return {
            "start": self.start.isoformat(),
            "period": str(self.period),
            "period_zh": self.period.words_zh,
            "period_en": self.period.words_en,
            "policy": self.policy.value,
            "nominal_last_day": self.nominal_last_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "rolled": self.rolled,
            "due": self.due.isoformat(),
            "due_local": self.due_local,
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "warnings": list(self.warnings),
            "explanation": self.explain(),
        }


_new = object.__new__
# Member descriptors of the slots class: setting through them skips the frozen dataclass __init__'s
# per-field object.__setattr__ calls, which dominate the cost of a deadline computation.
(_s_start, _s_period, _s_policy, _s_last, _s_due, _s_nominal, _s_rolled, _s_warnings, _s_cal) = (
    getattr(Deadline, f.name).__set__ for f in fields(Deadline)
)


def _make(
    start: datetime,
    period: Period,
    policy: Policy,
    last_day: date,
    due: datetime,
    nominal_last_day: date,
    rolled: bool,
    warns: tuple[str, ...],
    cal: HolidayCalendar,
) -> Deadline:
    """Same as ``Deadline(...)`` (the instance is just as frozen), about twice as fast."""
    d = _new(Deadline)
    _s_start(d, start)
    _s_period(d, period)
    _s_policy(d, policy)
    _s_last(d, last_day)
    _s_due(d, due)
    _s_nominal(d, nominal_last_day)
    _s_rolled(d, rolled)
    _s_warnings(d, warns)
    _s_cal(d, cal)
    return d


def _policy(policy: Policy | str) -> Policy:
    try:
        return Policy(policy)
    except ValueError:
        raise UserError(
            f"计算规则无效：{policy!r}（应为 cpl 或 natural）",
            f"invalid policy {policy!r} (cpl or natural)",
            where="policy",
        ) from None


def _out_of_range(what: object) -> UserError:
    return UserError(
        f"结果超出可表示的日期范围（{what}）",
        f"result beyond the representable dates ({what})",
        where="period",
    )


class LegalCalendar:
    """Computes deadlines (see the module docstring for the rules) over a :class:`HolidayCalendar`."""

    __slots__ = ("holidays", "_mid_base", "_midnights")

    def __init__(self, holidays: HolidayCalendar | None = None) -> None:
        self.holidays = hc = holidays if holidays is not None else HolidayCalendar()
        # precomputed 00:00 CST instants (the ``due`` of day-based units) over the holiday data's span
        lo, hi = hc.span_ordinals()
        self._mid_base = lo
        self._midnights = [_midnight(o) for o in range(lo, hi + 2)]

    def deadline(self, start: datetime, period: Period, policy: Policy = Policy.CPL) -> Deadline:
        """When ``period`` counted from ``start`` ends. ``start`` naive → CST; aware → converted to CST."""
        if start.tzinfo is not CST:
            start = to_cst(start)
        if policy is not POLICY.CPL and policy is not POLICY.NATURAL:
            policy = _policy(policy)
        unit = period.unit
        n = period.amount
        hc = self.holidays
        warns: tuple[str, ...] = ()
        try:
            if unit is UNIT.DAYS:
                nominal = start.toordinal() + n
                if policy is POLICY.CPL:
                    last, warns = hc.roll_ord(nominal)
                else:
                    last = nominal
            elif unit is UNIT.WORKING_DAYS:
                last, warns = hc.nth_working_after_ord(start.toordinal(), n)
                nominal = last
            elif unit is UNIT.MONTHS or unit is UNIT.YEARS:
                nominal = _add_months(start.date(), n if unit is UNIT.MONTHS else 12 * n)[0]
                if policy is POLICY.CPL:
                    last, warns = hc.roll_ord(nominal)
                else:
                    last = nominal
            elif unit is UNIT.HOURS:
                # 民诉法解释 第一百二十五条: hours start at the next full hour; no rollover (project default)
                due = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=n + 1)
                day = (due - _TINY).date()
                return _make(start, period, policy, day, due, day, False, (), hc)
            else:  # SAME_DAY: 当天 ends 24:00 that day (project default)
                nominal = last = start.toordinal()
            if nominal == last:
                last_day = nominal_day = date.fromordinal(last)
            else:
                last_day = date.fromordinal(last)
                nominal_day = date.fromordinal(nominal)
            i = last + 1 - self._mid_base
            mids = self._midnights
            due = mids[i] if 0 <= i < len(mids) else _midnight(last + 1)
        except (OverflowError, ValueError):
            raise _out_of_range(f"{_fmt(start)} + {period}") from None
        return _make(start, period, policy, last_day, due, nominal_day, nominal != last, warns, hc)

    def latest_before(self, event: datetime, period: Period) -> datetime:
        """See :meth:`latest_before_warned`; the calendar warnings are dropped."""
        return self.latest_before_warned(event, period)[0]

    def latest_before_warned(self, event: datetime, period: Period) -> tuple[datetime, tuple[str, ...]]:
        """The latest instant at which an action may happen so that it precedes ``event`` by ``period``.

        Natural backward counting, for constraints such as "announce at least 15 days before the auction":
        for day/month/year periods the action must happen by the end (24:00) of day ``event_date − N``
        (months/years: the corresponding day, clamped to the month's end), returned as the following
        midnight like :attr:`Deadline.due`; ``wd``: by 24:00 of the N-th working day before the event's
        date; hours: by ``event − N hours`` exactly; ``same_day``: by 24:00 of the event's date.
        No rest-day rollover is applied (moving the limit later would break the constraint). Only ``wd``
        consults the holiday data; its provisional-year warnings are returned beside the instant.
        """
        event = to_cst(event)
        unit, n = period.unit, period.amount
        warns: tuple[str, ...] = ()
        try:
            if unit is UNIT.HOURS:
                return event - timedelta(hours=n), warns
            o = event.toordinal()
            if unit is UNIT.DAYS:
                o -= n
            elif unit is Unit.WORKING_DAYS:
                o, warns = self.holidays.nth_working_before_ord(o, n)
            elif unit is Unit.MONTHS or unit is Unit.YEARS:
                o = _add_months(event.date(), -(n if unit is Unit.MONTHS else 12 * n))[0]
            return _midnight(o + 1), warns
        except (OverflowError, ValueError):
            raise _out_of_range(f"{_fmt(event)} − {period}") from None


@functools.cache
def default_calendar() -> LegalCalendar:
    """The process-wide calendar: package data + shipped extension + ``$ZHIXING_HOLIDAYS``, provisional years
    beyond them unless ``$ZHIXING_CALENDAR_STRICT`` (both read once)."""
    return LegalCalendar(HolidayCalendar())


def years_after(at: datetime, years: int) -> datetime:
    """The same time of day (China time) on the corresponding day ``years`` later, 29 February → 28 February: the
    natural count of years (民法典 第二百零三条's corresponding day), as a reference price's year of validity runs."""
    last_day = default_calendar().deadline(at, Period(years, UNIT.YEARS), POLICY.NATURAL).last_day
    return datetime.combine(last_day, to_cst(at).timetz())
