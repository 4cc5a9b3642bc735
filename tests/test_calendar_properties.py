"""Property-based tests of the legal calendar (hypothesis), over the years with official data."""

from __future__ import annotations

import calendar as pycal
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.legal_calendar import CST, HolidayCalendar, LegalCalendar, Period, Policy, Unit

HC = HolidayCalendar(use_env=False)
CAL = LegalCalendar(HC)
FAST = settings(max_examples=300, deadline=None)

# starts leave room for the longest period below to stay inside 2004-2026 data
starts = st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2025, 6, 30, 23, 59, 59)).map(
    lambda dt: dt.replace(tzinfo=CST)
)
day_periods = st.one_of(
    st.integers(1, 400).map(lambda n: Period(n, Unit.DAYS)),
    st.integers(1, 200).map(lambda n: Period(n, Unit.WORKING_DAYS)),
    st.integers(1, 18).map(lambda n: Period(n, Unit.MONTHS)),
    st.just(Period(1, Unit.YEARS)),
)
any_periods = st.one_of(
    day_periods, st.integers(1, 2000).map(lambda n: Period(n, Unit.HOURS)), st.just(Period(0, Unit.SAME_DAY))
)
MIDNIGHT_AFTER = timedelta(days=1)


@FAST
@given(starts, day_periods)
def test_cpl_never_ends_on_a_rest_day_and_rolls_to_the_first_working_day(start: datetime, period: Period) -> None:
    dl = CAL.deadline(start, period, Policy.CPL)
    assert chinese_calendar.is_workday(dl.last_day)  # independent oracle: the package itself
    assert dl.last_day >= dl.nominal_last_day
    d = dl.nominal_last_day
    while d < dl.last_day:  # every day skipped by the rollover is a rest day
        assert not chinese_calendar.is_workday(d)
        d += timedelta(days=1)
    assert dl.rolled == (dl.last_day != dl.nominal_last_day)
    assert dl.due == datetime.combine(dl.last_day + MIDNIGHT_AFTER, datetime.min.time(), CST)


@settings(max_examples=300, deadline=None)
@given(starts, starts, any_periods, st.sampled_from(list(Policy)))
def test_later_start_never_gives_earlier_deadline(a: datetime, b: datetime, period: Period, policy: Policy) -> None:
    early, late = sorted((a, b))
    assert CAL.deadline(early, period, policy).due <= CAL.deadline(late, period, policy).due


@FAST
@given(starts, st.integers(1, 5000))
def test_hours_never_roll(start: datetime, n: int) -> None:
    for policy in Policy:
        dl = CAL.deadline(start, Period(n, Unit.HOURS), policy)
        assert not dl.rolled and dl.nominal_last_day == dl.last_day
        assert (dl.due.minute, dl.due.second, dl.due.microsecond) == (0, 0, 0)  # a full hour
        assert timedelta(hours=n) < dl.due - start <= timedelta(hours=n + 1)  # start hour not counted
        assert dl.last_day == (dl.due - timedelta(microseconds=1)).date()


@FAST
@given(starts, any_periods)
def test_natural_never_later_than_cpl(start: datetime, period: Period) -> None:
    nat = CAL.deadline(start, period, Policy.NATURAL)
    cpl = CAL.deadline(start, period, Policy.CPL)
    assert nat.due <= cpl.due
    assert nat.last_day == cpl.nominal_last_day
    assert not nat.rolled


@FAST
@given(starts, st.integers(1, 400))
def test_natural_days_are_plain_calendar_days(start: datetime, n: int) -> None:
    dl = CAL.deadline(start, Period(n, Unit.DAYS), Policy.NATURAL)
    assert (dl.last_day - start.date()).days == n


@FAST
@given(starts, st.integers(1, 60))
def test_working_days_count_exactly_n_working_days(start: datetime, n: int) -> None:
    dl = CAL.deadline(start, Period(n, Unit.WORKING_DAYS))
    d, count = start.date(), 0
    while d < dl.last_day:
        d += timedelta(days=1)
        count += chinese_calendar.is_workday(d)
    assert count == n and chinese_calendar.is_workday(dl.last_day)


@FAST
@given(starts, st.integers(1, 30))
def test_months_use_the_corresponding_day_or_the_month_end(start: datetime, k: int) -> None:
    dl = CAL.deadline(start, Period(k, Unit.MONTHS), Policy.NATURAL)
    months = start.year * 12 + start.month - 1 + k
    y, m = divmod(months, 12)
    last_dom = pycal.monthrange(y, m + 1)[1]
    assert dl.last_day == date(y, m + 1, min(start.day, last_dom))


@FAST
@given(starts, day_periods.filter(lambda p: p.unit is not Unit.WORKING_DAYS))
def test_latest_before_is_consistent_with_natural_counting(event: datetime, period: Period) -> None:
    limit = CAL.latest_before(event, period)
    last_ok = (limit - timedelta(microseconds=1)).date()  # the last day on which the action is in time
    # acting on that day, the natural forward period ends no later than the event's day...
    assert CAL.deadline(datetime.combine(last_ok, datetime.min.time(), CST), period, Policy.NATURAL).last_day <= (
        event.date()
    )
    # ...and acting one day later it would end after it (for day periods; months clamp at month ends)
    if period.unit is Unit.DAYS:
        later = last_ok + timedelta(days=1)
        assert CAL.deadline(datetime.combine(later, datetime.min.time(), CST), period, Policy.NATURAL).last_day > (
            event.date()
        )


@pytest.mark.parametrize("year", [2004, 2015, 2026])
def test_next_working_day_table_matches_linear_scan(year: int) -> None:
    d = date(year, 1, 1)
    while d.year == year and d < date(2026, 12, 25):
        expected = d
        while not chinese_calendar.is_workday(expected):
            expected += timedelta(days=1)
        assert HC.next_working_day_on_or_after(d) == expected
        d += timedelta(days=1)
