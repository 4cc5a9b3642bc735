"""``zhixing demo`` (``make run``) files its cases in the court's working hours, on working days (review R24).

Found on 2026-12-07: the demo filed its cases "two hours apart" from 09:00 — 13:00 in the lunch break, 19:00–07:00 at
night — and each "two hours after the previous filing", so on a busy loop the spacing grew. A case filed late in the
evening had its first inquiry (node 3, started an hour after filing) on the next day: node 3 froze, "立案当日未发起首次
网络查询", 2–3 freezes a run that read as the court's defect but came from the demo's own filing times.

The demo files on the hour from its start, at the instants in the court's working hours (08:30–12:00, 14:30–17:30) on
working days of its legal calendar (holidays and 调休); fixed virtual instants, so a late wake-up moves that filing
only. Driven on a virtual clock (``tests/test_demo_ends_when_done.py``'s virtual-time court), a busy loop stood for
by every wait ending late. No real time passes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from core_flow.engine import EventKind
from sim.demo import ORIGIN
from tests.test_demo_ends_when_done import _demo, handed

HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))  # the court's working periods


def _filings(result) -> list[tuple[str, datetime]]:
    """The demo's own filings (a 恢复执行 case is filed by the local filing system, when its resumption is approved)."""
    return [(e.case_id, e.at) for e in result.events if e.kind == EventKind.FILED and "恢" not in e.case_id]


def _outside_working_hours(result) -> list[tuple[str, str]]:
    holidays = handed[0].runtime.engine.calendar.holidays  # the court's calendar
    return [(case, f"{at:%Y-%m-%d %a %H:%M}") for case, at in _filings(result)
            if not holidays.is_working_day(at.date()) or not any(a <= at.time() < b for a, b in HOURS)]


def _node_3_frozen(result) -> list[str]:
    demo_cases = {case for case, _ in _filings(result)}
    return [e.case_id for e in result.events
            if e.kind == EventKind.NODE_FROZEN and e.node == 3 and e.case_id in demo_cases]


def test_a_busy_loop_does_not_freeze_node_3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each wait ending 5 virtual minutes late (0.3 real ms at 1,000,000×): before, the filings drifted 2 h 05 apart
    and the 8th was filed at 23:35, its first inquiry at 00:35 the next day — node 3 froze. Now none does."""
    result = _demo(monkeypatch, timedelta(0), late=timedelta(minutes=5), days=200, settle_days=0)
    assert len(_filings(result)) == 16
    assert _node_3_frozen(result) == []
    assert _outside_working_hours(result) == []


@pytest.mark.parametrize("late", [timedelta(0), timedelta(minutes=5), timedelta(minutes=75)])
def test_every_filing_is_in_working_hours(monkeypatch: pytest.MonkeyPatch, late: timedelta) -> None:
    """On time, or every wait late (75 minutes: a filing due at 17:00 woken at 18:15 waits for the next working day's
    08:30 — in real time — rather than being filed at night)."""
    result = _demo(monkeypatch, timedelta(0), late=late, days=200, settle_days=0)
    assert len(_filings(result)) == 16
    assert _outside_working_hours(result) == []
    assert _node_3_frozen(result) == []


def test_the_filings_are_fixed_instants(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the hour from the start: six a working day (09:00–11:00, 15:00–17:00), three days for the 16 cases. A loop
    waking late files each one that late, and no later: the next is at its own instant, not after the late one."""
    late = timedelta(minutes=5)
    result = _demo(monkeypatch, timedelta(0), late=late, days=200, settle_days=0)
    slots = [datetime.combine(ORIGIN.date() + timedelta(days=d), time(h), ORIGIN.tzinfo)
             for d in range(3) for h in (9, 10, 11, 15, 16, 17)][:16]
    assert [at for _, at in _filings(result)] == [ORIGIN] + [s + late for s in slots[1:]]  # the first: no wait


@pytest.mark.parametrize(("start", "days"), [
    # the day before 国庆: filed on it, then after the holiday (10-01 … 10-07)
    (date(2026, 9, 30), [date(2026, 9, 30)] * 6 + [date(2026, 10, 8)] * 6 + [date(2026, 10, 9)] * 4),
    # started on a holiday: from the first working day, and on Saturday 10-10, a working day (调休)
    (date(2026, 10, 1), [date(2026, 10, 8)] * 6 + [date(2026, 10, 9)] * 6 + [date(2026, 10, 10)] * 4),
])
def test_holidays_and_tiaoxiu_are_respected(monkeypatch: pytest.MonkeyPatch, start: date, days: list[date]) -> None:
    origin = datetime.combine(start, time(9), ORIGIN.tzinfo)
    result = _demo(monkeypatch, timedelta(0), origin=origin, days=200, settle_days=0)
    filings = _filings(result)
    assert [at.date() for _, at in filings] == days
    assert filings[0][1] == datetime.combine(days[0], time(9), ORIGIN.tzinfo)  # its first working hour on the hour
    assert _outside_working_hours(result) == []
    assert _node_3_frozen(result) == []


def test_in_real_time_the_filing_is_recorded_at_the_instant_found_in_working_hours() -> None:
    """Real time reads the loop's clock on every ``now()``: at 1,000,000× the tenth of a millisecond between the demo
    finding an instant in working hours and the platform recording the filing is 100 virtual seconds — ``make run``
    (2026-12-07) recorded one found before 12:00 at 12:01:30. The filing is made with the clock held at the instant
    found. (A stand-in loop: its time moves only when told, no real time passes.)"""
    from types import SimpleNamespace

    from core_flow.clocks.realtime import AsyncioClock
    from sim.demo import _pinned

    loop = SimpleNamespace(t=0.0)
    loop.time = lambda: loop.t
    clock = AsyncioClock(datetime(2025, 3, 3, 11, 59, 58, tzinfo=ORIGIN.tzinfo), scale=1_000_000.0, loop=loop)
    found = clock.now()
    with _pinned(SimpleNamespace(clock=clock), found):
        loop.t += 0.000_092  # the filing's own work
        assert clock.now() == found
    assert clock.now() == found + timedelta(seconds=92)  # 12:01:30 without it
