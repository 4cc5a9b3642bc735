"""The legal calendar: holiday data, every unit and policy, range errors, extension files, latest_before.

Expected dates come from the official notices (LAW.md "Computing periods") and from counting on the
calendar by hand, not from the implementation.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import (
    CST,
    ENV_VAR,
    CalendarRangeError,
    Deadline,
    HolidayCalendar,
    LegalCalendar,
    Period,
    Policy,
    Unit,
    default_calendar,
    parse_local,
    to_cst,
)


@pytest.fixture(scope="module")
def hc() -> HolidayCalendar:
    return HolidayCalendar(use_env=False)


@pytest.fixture(scope="module")
def cal(hc: HolidayCalendar) -> LegalCalendar:
    return LegalCalendar(hc)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=CST)


def midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=CST)


def write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------- data


def test_2025_national_day_and_make_up_days(hc: HolidayCalendar) -> None:
    for day in range(1, 9):
        d = date(2025, 10, day)
        assert hc.is_rest_day(d) and not hc.is_working_day(d)
    assert "国庆节 National Day" == hc.rest_reason(date(2025, 10, 1))
    assert hc.is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert hc.is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    assert hc.rest_reason(date(2025, 10, 11)) is None
    assert hc.is_working_day(date(2025, 9, 30)) and hc.is_working_day(date(2025, 10, 9))
    assert hc.rest_reason(date(2025, 10, 12)) == "周末 weekend"  # ordinary Sunday


def test_2026_spring_festival_and_make_up_days(hc: HolidayCalendar) -> None:
    for day in range(15, 24):
        assert hc.is_rest_day(date(2026, 2, day))
    assert "春节" in hc.rest_reason(date(2026, 2, 17))
    assert hc.is_working_day(date(2026, 2, 14))  # Saturday
    assert hc.is_working_day(date(2026, 2, 28))  # Saturday
    assert hc.is_working_day(date(2026, 2, 24))
    assert hc.is_rest_day(date(2026, 3, 1))  # ordinary Sunday


def test_tables_agree_with_package_for_every_covered_day(hc: HolidayCalendar) -> None:
    d, end = date(2004, 1, 1), date(2026, 12, 31)
    while d <= end:
        assert hc.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_covered_years(hc: HolidayCalendar) -> None:
    assert hc.covered_years() == list(range(2004, 2027))


def test_next_working_day_and_add_working_days(hc: HolidayCalendar) -> None:
    assert hc.next_working_day_on_or_after(date(2025, 10, 1)) == date(2025, 10, 9)
    assert hc.next_working_day_on_or_after(date(2025, 10, 9)) == date(2025, 10, 9)
    assert hc.next_working_day_on_or_after(date(2025, 10, 11)) == date(2025, 10, 11)  # make-up Saturday
    assert hc.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert hc.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Fri → make-up Sunday
    assert hc.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Fri → make-up Saturday
    assert hc.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # over 春节
    with pytest.raises(UserError):
        hc.add_working_days(date(2025, 1, 2), 0)


# ------------------------------------------------------------------------------------------- periods


def test_worked_example(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2025, 9, 29, 10), Period.parse("3d"))
    assert dl.nominal_last_day == date(2025, 10, 2)
    assert dl.rolled
    assert dl.last_day == date(2025, 10, 9)
    assert dl.due == at(2025, 10, 10)
    assert dl.due.isoformat() == "2025-10-10T00:00:00+08:00"
    assert dl.warnings == ()
    text = "\n".join(dl.explain())
    assert "国庆节 National Day" in text
    assert "2025-10-02 → 2025-10-09" in text
    assert "2025-10-09 24:00" in text
    d = dl.as_dict()
    assert d["last_day"] == "2025-10-09"
    assert d["due"] == "2025-10-10T00:00:00+08:00"
    assert d["nominal_last_day"] == "2025-10-02" and d["rolled"] is True
    assert d["policy"] == "cpl" and d["period"] == "3d"
    json.dumps(d, ensure_ascii=False)


def test_deadline_is_frozen_and_equal_to_constructed(cal: LegalCalendar) -> None:
    import dataclasses

    dl = cal.deadline(at(2025, 9, 29, 10), Period.parse("3d"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        dl.last_day = date(2025, 10, 2)  # type: ignore[misc]
    rebuilt = Deadline(**{f.name: getattr(dl, f.name) for f in dataclasses.fields(Deadline)})
    assert rebuilt == dl and hash(rebuilt) == hash(dl)


def test_worked_example_natural_does_not_roll(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2025, 9, 29, 10), Period.parse("3d"), Policy.NATURAL)
    assert dl.last_day == dl.nominal_last_day == date(2025, 10, 2)
    assert not dl.rolled
    assert dl.due == at(2025, 10, 3)
    assert any("natural" in line for line in dl.explain())


def test_policy_accepts_plain_string(cal: LegalCalendar) -> None:
    assert cal.deadline(at(2025, 9, 29, 10), Period.parse("3d"), "natural").last_day == date(2025, 10, 2)  # type: ignore[arg-type]
    with pytest.raises(UserError) as ei:
        cal.deadline(at(2025, 9, 29, 10), Period.parse("3d"), "lenient")  # type: ignore[arg-type]
    assert ei.value.where == "policy"


@pytest.mark.parametrize(
    ("start", "period", "last_day", "rolled"),
    [
        (at(2025, 10, 8, 9), "3d", date(2025, 10, 11), False),  # ends on a make-up Saturday: no roll
        (at(2025, 11, 12, 9), "3d", date(2025, 11, 17), True),  # ordinary Saturday → Monday
        (at(2025, 11, 12, 9), "2d", date(2025, 11, 14), False),  # Friday
        (at(2026, 2, 12, 9), "5d", date(2026, 2, 24), True),  # 春节 2026-02-17 → 02-24
        (at(2026, 2, 9, 9), "5d", date(2026, 2, 14), False),  # make-up Saturday 2026-02-14
        (at(2025, 12, 31, 23, 59), "1d", date(2026, 1, 4), True),  # 元旦 2026 Jan 1-3 → Sun Jan 4 make-up
    ],
)
def test_days_cpl(cal: LegalCalendar, start: datetime, period: str, last_day: date, rolled: bool) -> None:
    dl = cal.deadline(start, Period.parse(period))
    assert (dl.last_day, dl.rolled) == (last_day, rolled)
    assert dl.due == midnight(last_day + timedelta(days=1))
    assert dl.nominal_last_day == start.date() + timedelta(days=Period.parse(period).amount)


@pytest.mark.parametrize(
    ("start", "period", "due"),
    [
        (at(2025, 9, 29, 10, 0, 0), "48h", at(2025, 10, 1, 11)),  # start hour not counted; Oct 1: no roll
        (at(2025, 9, 29, 10, 20), "48h", at(2025, 10, 1, 11)),
        (at(2025, 9, 29, 10, 59, 59), "1h", at(2025, 9, 29, 12)),
        (at(2025, 9, 30, 22, 30), "1h", at(2025, 10, 1, 0)),
    ],
)
def test_hours(cal: LegalCalendar, start: datetime, period: str, due: datetime) -> None:
    for policy in Policy:
        dl = cal.deadline(start, Period.parse(period), policy)
        assert dl.due == due
        assert not dl.rolled
        assert dl.last_day == (due - timedelta(microseconds=1)).date()


def test_hours_due_at_midnight_belongs_to_previous_day(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2025, 9, 30, 22, 30), Period.parse("1h"))
    assert dl.last_day == date(2025, 9, 30)
    assert "2025-09-30 24:00" in dl.as_dict()["due_local"]


def test_hours_never_need_holiday_data(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2031, 5, 1, 8), Period.parse("24h"))
    assert dl.due == at(2031, 5, 2, 9)


def test_working_days(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2025, 9, 29, 10), Period.parse("3wd"))
    assert dl.last_day == date(2025, 10, 10)  # Sep 30, Oct 9, Oct 10
    assert dl.due == at(2025, 10, 11)
    assert not dl.rolled
    # counted from a rest day: the start day is never counted, rest days are skipped
    assert cal.deadline(at(2025, 10, 3, 10), Period.parse("1wd")).last_day == date(2025, 10, 9)
    assert cal.deadline(at(2025, 9, 26, 17), Period.parse("1wd")).last_day == date(2025, 9, 28)
    natural = cal.deadline(at(2025, 9, 29, 10), Period.parse("3wd"), Policy.NATURAL)
    assert natural.last_day == date(2025, 10, 10)  # wd always counts working days
    assert any("国庆节" in line for line in dl.explain())


@pytest.mark.parametrize(
    ("start", "period", "nominal", "cpl_last"),
    [
        (date(2025, 8, 31), "6m", date(2026, 2, 28), date(2026, 2, 28)),  # clamp; Sat but make-up workday
        (date(2024, 1, 31), "1m", date(2024, 2, 29), date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), "1m", date(2023, 2, 28), date(2023, 2, 28)),
        (date(2025, 4, 1), "6m", date(2025, 10, 1), date(2025, 10, 9)),  # 国庆 rollover
        (date(2025, 1, 15), "1m", date(2025, 2, 15), date(2025, 2, 17)),  # Saturday → Monday
        (date(2025, 11, 30), "3m", date(2026, 2, 28), date(2026, 2, 28)),
        (date(2024, 2, 29), "1y", date(2025, 2, 28), date(2025, 2, 28)),  # leap day + 1 year
        (date(2023, 3, 1), "1y", date(2024, 3, 1), date(2024, 3, 1)),
        (date(2020, 2, 29), "4y", date(2024, 2, 29), date(2024, 2, 29)),
        (date(2024, 10, 1), "1y", date(2025, 10, 1), date(2025, 10, 9)),
    ],
)
def test_months_and_years(cal: LegalCalendar, start: date, period: str, nominal: date, cpl_last: date) -> None:
    s = at(start.year, start.month, start.day, 15)
    cpl = cal.deadline(s, Period.parse(period))
    nat = cal.deadline(s, Period.parse(period), Policy.NATURAL)
    assert cpl.nominal_last_day == nominal and cpl.last_day == cpl_last
    assert cpl.rolled == (nominal != cpl_last)
    assert nat.last_day == nominal and not nat.rolled
    assert cpl.due == midnight(cpl_last + timedelta(days=1))


def test_month_clamp_is_explained(cal: LegalCalendar) -> None:
    lines = cal.deadline(at(2025, 8, 31, 9), Period.parse("6m")).explain()
    assert any("第二百零二条" in line and "2026-02" in line for line in lines)
    assert any("last day" in line and "make-up working day" in line for line in lines)


def test_same_day(cal: LegalCalendar) -> None:
    dl = cal.deadline(at(2025, 10, 1, 15), Period.parse("same_day"))  # a holiday, but never rolled
    assert dl.last_day == date(2025, 10, 1) and not dl.rolled
    assert dl.due == at(2025, 10, 2)
    # no holiday data needed
    assert cal.deadline(at(2040, 1, 1, 15), Period.parse("same_day")).last_day == date(2040, 1, 1)


def test_start_in_other_timezone_or_naive(cal: LegalCalendar) -> None:
    utc = UTC
    same = cal.deadline(datetime(2025, 9, 29, 2, 0, tzinfo=utc), Period.parse("3d"))
    assert same.start == at(2025, 9, 29, 10) and same.last_day == date(2025, 10, 9)
    # 17:00 UTC on Sep 28 is already Sep 29 01:00 in China: the day counted from is Sep 29
    late = cal.deadline(datetime(2025, 9, 28, 17, 0, tzinfo=utc), Period.parse("3d"), Policy.NATURAL)
    assert late.last_day == date(2025, 10, 2)
    naive = cal.deadline(datetime(2025, 9, 29, 10), Period.parse("3d"))
    assert naive.start.utcoffset() == timedelta(hours=8) and naive.last_day == date(2025, 10, 9)


def test_default_calendar_is_shared() -> None:
    assert default_calendar() is default_calendar()
    assert default_calendar().deadline(at(2025, 9, 29, 10), Period.parse("3d")).last_day == date(2025, 10, 9)


# ------------------------------------------------------------------------------------------- parsing


def test_to_cst() -> None:
    assert to_cst(datetime(2025, 1, 1, 8)) == datetime(2025, 1, 1, 0, tzinfo=UTC)
    conv = to_cst(datetime(2025, 1, 1, 0, tzinfo=UTC))
    assert conv.hour == 8 and conv.tzinfo is CST


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-29 10:00", at(2025, 9, 29, 10)),
        ("2025-09-29 10:00:30", at(2025, 9, 29, 10, 0, 30)),
        ("2025-09-29T10:00", at(2025, 9, 29, 10)),
        ("2025-09-29", at(2025, 9, 29)),
        ("2025-09-29T02:00Z", at(2025, 9, 29, 10)),
        ("2025-09-29 03:00+01:00", at(2025, 9, 29, 10)),
        ("2025-09-29T10:00+0800", at(2025, 9, 29, 10)),
        # a date as people write it, year first
        ("2025/09/29", at(2025, 9, 29)),
        ("2025/9/29 10:00", at(2025, 9, 29, 10)),
        ("2025年9月29日", at(2025, 9, 29)),
        ("2025年9月29日 10:00", at(2025, 9, 29, 10)),
        ("2025.9.29", at(2025, 9, 29)),
        ("20250929 9:05", at(2025, 9, 29, 9, 5)),
        ("2025-9-29", at(2025, 9, 29)),
        # a Chinese input method's full-width colon
        ("2025-09-29 9：05", at(2025, 9, 29, 9, 5)),
        ("2025年9月29日 10：00：30", at(2025, 9, 29, 10, 0, 30)),
        # the time as documents (送达回证, 笔录) write it, a space before it optional
        ("2025年9月29日10时30分", at(2025, 9, 29, 10, 30)),
        ("2025年9月29日 10时", at(2025, 9, 29, 10)),
        ("2025年9月29日10:00", at(2025, 9, 29, 10)),
        ("2025年9月29日下午3时", at(2025, 9, 29, 15)),
        ("2025年9月29日晚上8点", at(2025, 9, 29, 20)),
        ("2025年9月29日中午12时", at(2025, 9, 29, 12)),
        ("2025/9/29 上午9:05", at(2025, 9, 29, 9, 5)),
        ("2025-09-29 下午15时", at(2025, 9, 29, 15)),
    ],
)
def test_parse_local(text: str, expected: datetime) -> None:
    got = parse_local(text)
    assert got == expected and got.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("text", ["", "29/09/2025", "09/29/2025", "2025/13/01", "2025年2月30日", "202509290",
                                  "2025-13-01", "2025-02-30 10:00", "2025-09-29 25:00", "tomorrow",
                                  "2025年9月29日上午15时", "2025年9月29日晚上12点", "2025年9月29日 25时",
                                  "2025年9月29日10时70分"])
def test_parse_local_rejects(text: str) -> None:
    with pytest.raises(UserError) as ei:
        parse_local(text, field="--from")
    assert ei.value.where == "--from"
    assert "无法识别" in ei.value.zh and "unrecognised" in ei.value.en


@pytest.mark.parametrize(
    ("text", "unit", "amount", "zh", "en"),
    [
        ("3d", Unit.DAYS, 3, "3日", "3 days"),
        ("48h", Unit.HOURS, 48, "48小时", "48 hours"),
        ("1h", Unit.HOURS, 1, "1小时", "1 hour"),
        ("10wd", Unit.WORKING_DAYS, 10, "10个工作日", "10 working days"),
        ("6m", Unit.MONTHS, 6, "6个月", "6 months"),
        ("1y", Unit.YEARS, 1, "1年", "1 year"),
        ("same_day", Unit.SAME_DAY, 0, "当天", "same day"),
    ],
)
def test_period_parse(text: str, unit: Unit, amount: int, zh: str, en: str) -> None:
    p = Period.parse(text)
    assert (p.unit, p.amount) == (unit, amount)
    assert str(p) == text and Period.parse(str(p)) == p
    assert (p.words_zh, p.words_en) == (zh, en)


@pytest.mark.parametrize("text", ["", "3", "d3", "3x", "0d", "-1d", "1.5d", "3 days", "same-day", "99999999999d"])
def test_period_parse_rejects(text: str) -> None:
    with pytest.raises(UserError) as ei:
        Period.parse(text, field="--period")
    assert ei.value.where == "--period"
    assert ei.value.zh and ei.value.en and ei.value.zh != ei.value.en


def test_period_constructor_validates() -> None:
    assert Period(2, "d") == Period(2, Unit.DAYS)  # type: ignore[arg-type]
    for bad in [(0, Unit.DAYS), (1, Unit.SAME_DAY), (True, Unit.DAYS), (1, "weeks")]:
        with pytest.raises(UserError):
            Period(*bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- beyond data


def test_beyond_data_is_an_explicit_error_in_strict_mode() -> None:
    hc = HolidayCalendar(use_env=False, strict=True)
    cal = LegalCalendar(hc)
    with pytest.raises(CalendarRangeError) as ei:
        hc.is_rest_day(date(2027, 1, 4))
    msg = ei.value.message
    assert "2027-01-04" in msg and "2004–2026" in msg and ENV_VAR in msg and "--holidays" in msg
    assert "没有官方节假日数据" in msg and "no official holiday data" in msg and "--strict-calendar" in msg
    with pytest.raises(CalendarRangeError):
        hc.is_rest_day(date(2003, 12, 31))
    # nominal last day 2027-01-02 must be inspected for a CPL rollover
    with pytest.raises(CalendarRangeError) as ei:
        cal.deadline(at(2026, 12, 30, 9), Period.parse("3d"))
    assert "2027-01-02" in ei.value.message
    # a working-day count that runs off the data names the first missing day it needed
    with pytest.raises(CalendarRangeError) as ei:
        cal.deadline(at(2026, 12, 30, 9), Period.parse("2wd"))
    assert "2027-01-01" in ei.value.message
    # natural day counting inspects no day, so it works
    assert cal.deadline(at(2026, 12, 30, 9), Period.parse("3d"), Policy.NATURAL).last_day == date(2027, 1, 2)
    # the start itself may lie beyond the data when it is not inspected
    assert cal.deadline(at(2003, 12, 31, 9), Period.parse("1wd")).last_day == date(2004, 1, 2)


def test_years_before_the_statutory_rule_are_never_provisional(hc: HolidayCalendar) -> None:
    # provisional years exist only from 2025 (the 2024 revision): 2003 raises even when not strict
    assert not hc.strict
    with pytest.raises(CalendarRangeError) as ei:
        hc.is_rest_day(date(2003, 12, 31))
    assert "2003" in ei.value.message and "2025" in ei.value.message


# ----------------------------------------------------------------------------------- extension files

EXT_2027 = """\
    years:
      2027:
        source: "测试数据 test data (not a real notice)"
        holidays:
          - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
          - {name: 测试日, name_en: Test Day, from: 2027-03-03}
        workdays: [2027-01-09]
    """


def test_extension_file_adds_a_year(tmp_path) -> None:
    path = write(tmp_path, "ext.yaml", EXT_2027)
    hc = HolidayCalendar([path], use_env=False)
    assert hc.covered_years()[-1] == 2027
    assert hc.rest_reason(date(2027, 1, 1)) == "元旦 New Year's Day"
    assert hc.is_rest_day(date(2027, 1, 3))
    assert hc.rest_reason(date(2027, 3, 3)) == "测试日 Test Day"  # a Wednesday
    assert hc.is_working_day(date(2027, 1, 9))  # Saturday made a working day
    assert hc.is_rest_day(date(2027, 1, 10))  # ordinary Sunday
    assert hc.is_working_day(date(2027, 1, 4))
    assert hc.source_of(2027) == "测试数据 test data (not a real notice)"
    cal = LegalCalendar(hc)
    assert cal.deadline(at(2026, 12, 30, 9), Period.parse("3d")).last_day == date(2027, 1, 4)
    with pytest.raises(CalendarRangeError):
        HolidayCalendar([path], use_env=False, strict=True).is_rest_day(date(2028, 1, 3))


def test_extension_year_replaces_package_year(tmp_path) -> None:
    path = write(
        tmp_path,
        "override.yaml",
        """\
        years:
          2025:
            source: "test override"
        """,
    )
    hc = HolidayCalendar([path], use_env=False)
    assert hc.is_working_day(date(2025, 10, 1))  # a Wednesday; no holidays listed for 2025 any more
    assert hc.is_rest_day(date(2025, 9, 28))  # the make-up Sunday is gone too
    assert hc.is_rest_day(date(2024, 10, 1))  # other years untouched


def test_gap_year_between_data_is_missing_in_strict_mode(tmp_path) -> None:
    path = write(tmp_path, "y2028.yaml", 'years:\n  2028:\n    source: "test"\n')
    hc = HolidayCalendar([path], use_env=False, strict=True)
    assert hc.is_rest_day(date(2028, 1, 1))  # Saturday in a known year
    with pytest.raises(CalendarRangeError) as ei:
        hc.is_rest_day(date(2027, 6, 1))
    assert "2004–2026, 2028" in ei.value.message


def test_env_var_and_explicit_priority(tmp_path, monkeypatch) -> None:
    env_file = write(tmp_path, "env.yaml", EXT_2027)
    monkeypatch.setenv(ENV_VAR, str(env_file))
    assert HolidayCalendar().is_rest_day(date(2027, 1, 1))
    assert HolidayCalendar(use_env=False).covered_years()[-1] == 2026
    explicit = write(tmp_path, "explicit.yaml", 'years:\n  2027:\n    source: "later wins"\n')
    hc = HolidayCalendar([explicit])
    assert hc.is_working_day(date(2027, 1, 1)) and hc.source_of(2027) == "later wins"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.yaml"))
    with pytest.raises(UserError) as ei:
        HolidayCalendar()
    assert ei.value.where == ENV_VAR


def test_shipped_extension_file_is_valid_and_invents_no_year() -> None:
    from core_flow.legal_calendar import DEFAULT_EXTENSION, load_extension

    assert DEFAULT_EXTENSION.is_file()
    assert load_extension(DEFAULT_EXTENSION) == {}
    assert "years:" in DEFAULT_EXTENSION.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        (
            "years:\n  2027:\n    source: x\n    holidays:\n      - {name: 元旦, from: 2027-13-01}\n",
            5,
            "holidays[0].from",
        ),
        ("years:\n  2027:\n    holidays: []\n", 2, "years.2027.source"),
        ("years:\n  2027:\n    source: x\n    holiday: []\n", 4, "years.2027.holiday"),
        ("years:\n  2027:\n    source: x\n    workdays: [2026-12-31]\n", 4, "workdays[0]"),
        (
            "years:\n  2027:\n    source: x\n    holidays:\n      - {name: a, from: 2027-02-03, to: 2027-02-01}\n",
            5,
            "holidays[0].to",
        ),
        ("years:\n  2027:\n    source: x\n  2027:\n    source: y\n", 4, "years.2027"),
        ("years:\n  twenty:\n    source: x\n", 2, "years"),
        ("years:\n  2027:\n    source: x\n    holidays:\n      - {from: 2027-01-01}\n", 5, "holidays[0].name"),
        (
            "years:\n  2027:\n    source: x\n    holidays:\n      - {name: a, from: 2027-01-01}\n"
            "    workdays: [2027-01-01]\n",
            6,
            "workdays[0]",
        ),
        ("years:\n  2027:\n    source: x\n    holidays: [\n", 5, ""),  # YAML syntax error
        ("calendar: {}\n", 1, "calendar"),
    ],
)
def test_malformed_extension_names_file_line_and_field(tmp_path, body: str, line: int, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as ei:
        HolidayCalendar([path], use_env=False)
    err = ei.value
    assert err.where is not None and err.where.startswith(f"{path}:{line}"), err.where
    assert field in err.where
    assert err.zh and err.en


def test_an_extension_takes_dates_as_the_notice_writes_them(tmp_path) -> None:
    """A court copies next year's notice into the file: its own 2月5日 (the year is the block's), or 2027/2/5,
    2027年2月5日 — only YYYY-MM-DD was read."""
    path = tmp_path / "ext.yaml"
    path.write_text("years:\n  2027:\n    source: 测试（非真实通知）\n    holidays:\n"
                    "      - {name: 春节, from: 2月5日, to: 2027/2/13}\n      - {name: 清明节, from: 2027年4月5日}\n"
                    "    workdays: [2月20日, 20270221]\n", encoding="utf-8")
    hc = HolidayCalendar([path], use_env=False)
    assert hc.is_rest_day(date(2027, 2, 5)) and hc.is_rest_day(date(2027, 2, 10)) and hc.is_rest_day(date(2027, 4, 5))
    assert hc.is_working_day(date(2027, 2, 20)) and hc.is_working_day(date(2027, 2, 21))  # Saturday, Sunday
    path.write_text("years:\n  2027:\n    source: x\n    holidays:\n      - {name: a, from: 2月30日}\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as ei:  # no such day in that year
        HolidayCalendar([path], use_env=False)
    assert ei.value.where == f"{path}:5 (years.2027.holidays[0].from)" and "M月D日" in ei.value.zh


def test_every_mistake_of_an_extension_is_said_at_once(tmp_path) -> None:
    path = tmp_path / "ext.yaml"
    path.write_text("years:\n  2027:\n    source: x\n    holidays:\n      - {name: a, from: 2027-13-01}\n"
                    "      - {name: b, from: 2027-10-01, to: 2026-10-07}\n    workdays: [2026-12-31]\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as ei:
        HolidayCalendar([path], use_env=False)
    err = ei.value
    assert err.where == str(path) and err.zh.startswith("节假日扩展文件有 3 处错误")
    for place in (":5 (years.2027.holidays[0].from)", ":6 (years.2027.holidays[1].to)", ":7 (years.2027.workdays[0])"):
        assert f"{path}{place}" in err.zh
    assert err.code == "bad_holidays_file" and "3 mistakes" in err.en


def test_missing_extension_file(tmp_path) -> None:
    with pytest.raises(UserError) as ei:
        HolidayCalendar([tmp_path / "nope.yaml"], use_env=False)
    assert str(tmp_path / "nope.yaml") in ei.value.message


# ------------------------------------------------------------------------------------- latest_before


def test_latest_before(cal: LegalCalendar) -> None:
    event = at(2025, 10, 20, 10)
    # announce at least 15 days before: by the end of 2025-10-05, i.e. before 2025-10-06 00:00
    assert cal.latest_before(event, Period.parse("15d")) == at(2025, 10, 6)
    assert cal.latest_before(event, Period.parse("5h")) == at(2025, 10, 20, 5)
    assert cal.latest_before(at(2026, 3, 31, 9), Period.parse("1m")) == at(2026, 3, 1)  # Feb 28 24:00
    assert cal.latest_before(at(2025, 2, 28, 9), Period.parse("1y")) == at(2024, 2, 29)  # 2024-02-28 24:00
    # 2 working days before 2025-10-10: Oct 9, then Sep 30
    assert cal.latest_before(at(2025, 10, 10, 9), Period.parse("2wd")) == at(2025, 10, 1)
    assert cal.latest_before(event, Period.parse("same_day")) == at(2025, 10, 21)
    with pytest.raises(CalendarRangeError):
        cal.latest_before(at(2004, 1, 5, 9), Period.parse("5wd"))


def test_a_date_alone_may_stand_for_a_time_of_day() -> None:
    """``day_start``: what a date alone means (a simulation's first day starts at 08:30, the demo's at 09:00); a
    written time, midnight included, is kept."""
    from datetime import time

    assert parse_local("2026年12月7日", day_start=time(8, 30)) == datetime(2026, 12, 7, 8, 30, tzinfo=CST)
    assert parse_local("2026-12-07 00:00", day_start=time(8, 30)) == datetime(2026, 12, 7, tzinfo=CST)
    assert parse_local("2026/12/7") == datetime(2026, 12, 7, tzinfo=CST)
