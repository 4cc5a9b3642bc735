"""``zhixing demo`` (``make run``) ends when its cases are done, not at a fixed instant that a slow machine misses.

Found on 2026-12-07 (review R20: one run in seven ended with 执恢2号 open, "恢复执行案件新立案，重新查控中"; reproduced
here in 2 of 6 runs on 7f1fb3f): the demo ran to origin + 420 virtual days and stopped. A 终本 case that a sweep
(~day 281) finds to hold 股权 is resumed and disposes of it — pricing, two auctions, payout, handover — before its
终本 again, about 125 days: on virtual time it closes on day 406. In real time at 1,000,000× every real second the
machine spends is 11.6 virtual days: the first case was filed on day 5–13 idle, 12–25 under load (starting the
servers), and a loaded loop runs every timer late, so the closing slid past day 420 on some runs and not on others
(one run ended in its 终本约谈, which the table called "重新查控中"; another still in the handover of its 股权).

The demo is driven here on a virtual clock (``sim.demo.live_court`` swapped for a virtual-time court with the same
options), a loaded machine stood for by virtual days lost after the first filing (since H54 the servers' start-up is
no virtual time: the court is handed over standing at the origin). No real time passes.
"""

from __future__ import annotations

import asyncio
import warnings
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest

import sim.demo
from core_flow.engine import EventKind
from sim.assembly import build_virtual_court
from sim.demo import ORIGIN, run_demo


class _Paced:
    """A virtual-time court with the real-time court's ``await wait_until(at)`` and ``await start()`` (what the demo
    awaits). ``lag``: virtual time lost once the court runs (a loaded loop running every timer late). ``late``: every
    wait for a later instant ends that much after it (a busy loop waking each sleeper late)."""

    def __init__(self, court: Any, scale: float, *, started: bool = True, lag: timedelta = timedelta(0),
                 late: timedelta = timedelta(0)) -> None:
        self._court = court
        self.clock = _ScaledClock(court.clock, scale)
        self.started = started
        self._lag = lag
        self._late = late

    def __getattr__(self, name: str) -> Any:
        return getattr(self._court, name)

    async def start(self) -> None:
        self.started = True
        self.years_at_start = self._court.runtime.engine.calendar.holidays.provisional_years()

    async def wait_until(self, at: datetime) -> None:
        assert self.started, "the demo waits on a court whose clock it has not started"
        if self._lag:
            lag, self._lag = self._lag, timedelta(0)
            self._court.run_until(self._court.clock.now() + lag)
        if at > self._court.clock.now():
            self._court.run_until(at + self._late)
        await asyncio.sleep(0)


class _ScaledClock:
    def __init__(self, clock: Any, scale: float) -> None:
        self._clock, self.scale = clock, scale

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clock, name)


handed: list[_Paced] = []  # the court the last demo ran on


def _virtual_live_court(lag: timedelta = timedelta(0), startup: timedelta = timedelta(0),
                        late: timedelta = timedelta(0)):
    """``live_court`` on a virtual clock. ``startup``: virtual time that passes before a court handed over running
    (``started=True``, the real-time court before H54: its clock ran while the servers started); one handed over
    ``started=False`` stands at the origin until ``await start()``. ``lag``: virtual time lost once it runs;
    ``late``: how late every wait ends (``_Paced``)."""
    handed.clear()

    @asynccontextmanager
    async def live_court(origin: datetime, *, scale: float, seed: int = 0, profile: str = "fast",
                         overrides: dict[str, Any] | None = None, world_size: int = 100_000,
                         strict_calendar: bool | None = None, started: bool = True, **clerk_options: Any):
        court = build_virtual_court(origin, seed=seed, profile=profile, overrides=overrides, world_size=world_size,
                                    strict_calendar=strict_calendar, **clerk_options)
        if started:
            court.run_until(origin + startup)
        handed[:] = [_Paced(court, scale, started=started, lag=lag, late=late)]
        yield handed[0]

    return live_court


def _demo(monkeypatch: pytest.MonkeyPatch, lag: timedelta, startup: timedelta = timedelta(0),
          late: timedelta = timedelta(0), **options: Any) -> sim.demo.DemoResult:
    monkeypatch.setattr(sim.demo, "live_court", _virtual_live_court(lag, startup, late))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asyncio.run(run_demo(**options))


def test_a_late_start_still_ends_with_every_case_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six weeks lost after the first filing (a loaded machine: ~3.6 real seconds): the last resumed case closes after
    day 420 — the demo waits for it instead of ending with it open. (Three weeks did it while the cases were filed
    two hours apart round the clock; filed in working hours (review R24) the resumed case disposing of 股权 closes on
    day 376 on time, and a three-week lag ends every case by day 420.)"""
    result = _demo(monkeypatch, timedelta(days=42))
    rows = {r["case"]: r for r in result.rows}
    assert any("恢" in k for k in rows), "no case was resumed: the run does not test what the demo is about"
    assert {k: r["why_open"] for k, r in rows.items() if not r["manner"]} == {}
    assert all(r["reconciled"] for r in rows.values())
    late = [e.case_id for e in result.events if e.kind == EventKind.CLOSED and e.at > ORIGIN + timedelta(days=420)]
    assert late, "nothing closed after day 420: the lag did not test the wait"
    assert 420 < result.totals["virtual_days"] < 420 + 180


def test_on_time_the_demo_ends_at_its_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing late: every case is closed by day 420 and the demo ends there, as before."""
    result = _demo(monkeypatch, timedelta(0))
    assert all(r["manner"] for r in result.rows)
    assert result.totals["virtual_days"] == 420


def test_the_wait_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case that cannot close in time is left open, said why, once the grace days are spent: the demo ends."""
    result = _demo(monkeypatch, timedelta(0), days=200, settle_days=10)
    assert result.totals["virtual_days"] == 210
    open_rows = {r["case"]: r["why_open"] for r in result.rows if not r["manner"]}
    assert open_rows and all(open_rows.values())


def test_the_first_case_is_filed_at_the_start_however_long_the_servers_took(monkeypatch: pytest.MonkeyPatch) -> None:
    """``zhixing demo --start D`` files from D at 09:00, as the README says (review R20, H54): the court's clock ran
    while the servers started — 4–25 virtual days at 1,000,000× — and the first case was filed that late. The demo
    now takes the court standing at the origin, pins its debtors' property there and starts the clock as it files;
    here three weeks of start-up would pass before a court handed over running."""
    start = datetime(2026, 12, 7, 9, 0, tzinfo=ORIGIN.tzinfo)
    result = _demo(monkeypatch, timedelta(0), startup=timedelta(days=21), origin=start, days=200, settle_days=0)
    filed = sorted(e.at for e in result.events if e.kind == EventKind.FILED)
    assert filed and filed[0] == start
    assert filed[1] == start + timedelta(hours=1)  # the next ones on the hour, in working hours (review R24)
    # the provisional holiday year the run reaches (2027) was computed before the clock ran: computed on first use in
    # the middle of the first filing, it cost 1.7 virtual days in real time (the first inquiry missed its filing day)
    assert 2027 in handed[0].years_at_start


def test_a_filing_the_court_refuses_is_said_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``zhixing demo --strict-calendar --start 2026-12-31``: every filing was refused (CALENDAR_RANGE: its deadlines
    fall in 2027, without official holiday data) and not looked at — the demo ran its 420 idle virtual days (39 real
    seconds) and ended in a traceback (KeyError 'requests': no request was ever sent). The refusal is said at once,
    as a user error naming the case, with the calendar's own advice (review R24)."""
    from core_flow.errors import UserError

    start = datetime(2026, 12, 31, 9, 0, tzinfo=ORIGIN.tzinfo)
    with pytest.raises(UserError) as raised:
        _demo(monkeypatch, timedelta(0), origin=start, strict_calendar=True, cases=2)
    assert raised.value.where == "(2026)豫0811执1号"
    assert "2027" in raised.value.zh and "--holidays" in raised.value.en
    assert handed[0].clock.now() < start + timedelta(days=1)  # at once, not after the run's 420 days
