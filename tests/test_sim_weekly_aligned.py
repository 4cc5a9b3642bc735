"""The weekly charts (work begun, work arrived, each ÷ the role's working time that week) count their weeks from the
origin instant, as the working time they are divided by does (``sim.run._weekly``) — they counted calendar-day weeks
from the origin's midnight, so with a mid-day ``--start`` a week's work and its working time were part of a day
apart."""

from __future__ import annotations

from datetime import datetime

import simpy

from core_flow.legal_calendar import CST, HolidayCalendar
from sim.run import _weekly
from sim.staff import DAY_S, Staff, WorkHours
from sim.staff_deadline import DeadlineStaff

ORIGIN = datetime(2025, 10, 13, 12, 0, tzinfo=CST)  # a Monday at noon: a mid-day --start
H = 3600.0


def test_a_mid_day_starts_weeks_hold_their_own_working_time_and_work():
    """An hour's work arriving (and begun) the next Monday at 09:00 — 7 days less 3 hours from the origin — is in the
    first week from the origin, whose working time includes that Monday morning: one hour over week 0's capacity.
    Counted by calendar-day weeks it went to week 1, and week 0 read 0 with that morning's time in its capacity."""
    for kind in (Staff, DeadlineStaff):
        env = simpy.Environment()
        hours = WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False))
        people = {"承办法官": ("甲",)}
        staff = kind(env, hours, people)
        at = (datetime(2025, 10, 20, 9, 0, tzinfo=CST) - ORIGIN).total_seconds()
        env.process(_one(env, staff, at))
        env.run(until=14 * DAY_S)
        window = (0.0, 14 * DAY_S)
        cap0 = hours.capacity(0.0, 7 * DAY_S)
        assert cap0 == (3 + 4 * 6.5 + 3.5) * H  # Mon afternoon, Tue–Fri, next Mon morning
        for weekly in (staff.stats.weekly, staff.stats.weekly_demand):
            ratios = _weekly(weekly, people, hours, (0, 2), window)["承办法官"]
            assert ratios == [H / cap0, 0.0], kind


def _one(env, staff, at: float):
    yield env.timeout(at)
    staff.work("承办法官", H, person="甲")
