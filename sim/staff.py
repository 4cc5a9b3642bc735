"""Staff as queues on SimPy: people with limited time who work only in working hours.

Each person of a role is one unit of capacity. A role's pool hands a work item to the first free person, FIFO
(an M/M/c queue when times are exponential and hours are 24/7); a 承办法官's own cases queue for that judge
alone. One SimPy timeout per work item (see ``Staff``). A work item waits for its
person, waits for working time (``WorkHours``: the legal calendar's working days — holidays and 调休
respected — and the day's working periods), takes its staff time, spread over working periods and days if it
must, and only then acts. Everything runs on the court's own SimPy environment (``court.clock.env``).
"""

from __future__ import annotations

import heapq
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import simpy

from core_flow.clocks.sim import call_later
from core_flow.legal_calendar import HolidayCalendar, to_cst

DAY_S = 86_400.0
# the weekly charts' week: 7 days from the origin instant (SimPy second 0), as the capacity they are divided by
# (``sim.run._weekly``) and the charts' axes count — not calendar-day weeks from the origin's midnight, which a
# mid-day ``--start`` put part of a day off the capacity's
WEEK_S = 7 * DAY_S


class WorkHours:
    """Working time in SimPy seconds (``env.now`` counts seconds since ``origin``)."""

    def __init__(self, origin: datetime, periods: Iterable[tuple[float, float]] = ((30600, 43200), (52200, 63000)),
                 calendar: HolidayCalendar | None = None, *, always: bool = False) -> None:
        self.origin = to_cst(origin)
        self.periods = tuple(periods)
        self.always = always  # 24/7 (the plain M/M/c validation)
        self.calendar = calendar
        midnight = datetime.combine(self.origin.date(), datetime.min.time(), tzinfo=self.origin.tzinfo)
        self._day0 = (midnight - self.origin).total_seconds()  # SimPy second of the origin day's midnight
        self._ord0 = self.origin.date().toordinal()
        self._days: dict[int, tuple[tuple[float, float], ...]] = {}

    def day(self, index: int) -> tuple[tuple[float, float], ...]:
        """Working periods of day ``index`` (0 = the origin's date), in SimPy seconds."""
        got = self._days.get(index)
        if got is None:
            if self.calendar is None:
                self.calendar = HolidayCalendar(strict=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reported once per run: sim.run → out["calendar"], the note
                working = self.calendar.is_working_day(date.fromordinal(self._ord0 + index))
            base = self._day0 + index * DAY_S
            got = tuple((base + a, base + b) for a, b in self.periods) if working else ()
            self._days[index] = got
        return got

    def day_index(self, t: float) -> int:
        return int((t - self._day0) // DAY_S)

    def finish(self, t: float, work: float) -> float:
        """When ``work`` seconds of working time started no earlier than ``t`` end (``work=0``: the next working
        instant at or after ``t``, as ``next_working``)."""
        if self.always:
            return t + work
        d = int((t - self._day0) // DAY_S)  # ``day_index``; the days looked up once are read from ``_days``
        days = self._days
        while True:
            periods = days.get(d)
            if periods is None:
                periods = self.day(d)
            for a, b in periods:
                if b <= t:
                    continue
                s = a if a > t else t
                if s + work <= b:
                    return s + work
                work -= b - s
                t = b
            d += 1

    def next_working(self, t: float) -> float:
        """The next working instant at or after ``t``: ``finish(t, 0.0)``, asked for every item a person takes (is it
        working time now?)."""
        if self.always:
            return t
        d = int((t - self._day0) // DAY_S)
        days = self._days
        while True:
            periods = days.get(d)
            if periods is None:
                periods = self.day(d)
            for a, b in periods:
                if b > t:
                    return a if a > t else t
            d += 1

    def capacity(self, t0: float, t1: float) -> float:
        """Working seconds of one person between ``t0`` and ``t1``."""
        if self.always:
            return max(0.0, t1 - t0)
        total = 0.0
        for d in range(self.day_index(t0), self.day_index(t1) + 1):
            for a, b in self.day(d):
                lo, hi = max(a, t0), min(b, t1)
                if hi > lo:
                    total += hi - lo
        return total


@dataclass
class StaffStats:
    """What the staff did: per person busy seconds, per item waits, per (person, day) demand."""

    busy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    items: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # kind → [count, staff s, wait s]
    demand: dict[tuple[str, int], float] = field(default_factory=lambda: defaultdict(float))
    # (role, week from the origin instant: ``WEEK_S``) → staff seconds of the items that started that week (the week's
    # utilisation, ≤ its capacity)
    weekly: dict[tuple[str, int], float] = field(default_factory=lambda: defaultdict(float))
    # (role, week) → staff seconds of the items that arrived that week (its demand: above capacity = a backlog)
    weekly_demand: dict[tuple[str, int], float] = field(default_factory=lambda: defaultdict(float))
    # items queued (or begun) and not done yet, by token: [role's pool (True) or a person (False), the person or the
    # role, the day it arrived, staff seconds] — at the run's end, the work still queued, which ``demand`` (counted
    # when an item is done) lacks: the overtime a saturated run needs (``queued_demand``)
    queued: dict[int, list] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)  # (only when ``keep_waits``) waits in seconds
    waited: int = 0  # items that found nobody free
    done: int = 0
    out_of_turn: int = 0  # items done ahead of their person's queue because a legal window would close first

    def queued_demand(self, people: dict[str, tuple[str, ...]]) -> dict[tuple[str, int], float]:
        """Per (person, day it arrived), the staff seconds of the work not done by now (the run's end): a person's
        own, or an item still in a role's shared queue spread evenly over the role's people (whoever takes it, the
        role's time pays for it). With ``demand`` it is every item's demand on the day it arrived, done or not."""
        out: dict[tuple[str, int], float] = defaultdict(float)
        for pooled, key, day, seconds in self.queued.values():
            names = people.get(key, ()) if pooled else (key,)
            for name in names:
                out[(name, day)] += seconds / len(names)
        return out


class Staff:
    """The people of a court, by role. ``dedicated`` roles give every case its own person (the 承办法官).

    A work item costs one SimPy timeout: its duration is known when it is queued, so its person and its finish
    instant are computed at once. A role's pool keeps each person's "free from" instant in a heap ordered by
    (free from, order of release): an item takes the person free the earliest — the first free person of a FIFO
    queue, the same assignment a ``simpy.Store`` of people would make (an item queued behind busy people gets the
    first person to come free, in arrival order). A dedicated person (a 承办法官) is a FIFO queue of one. Work
    starts at the first working instant after both the item is queued and its person is free, is spread over
    working periods and days (``WorkHours.finish``), and ``action`` runs when it ends; the item is counted then."""

    def __init__(self, env: simpy.Environment, hours: WorkHours, people: dict[str, tuple[str, ...]], *,
                 dedicated: tuple[str, ...] = ("承办法官",), count_from: float = 0.0, keep_waits: bool = False) -> None:
        self.env = env
        self.hours = hours
        self._day0 = hours._day0  # SimPy second of the origin day's midnight (``WorkHours.day_index``)
        self.people = {role: tuple(names) for role, names in people.items() if names}
        self.role_of = {name: role for role, names in self.people.items() for name in names}
        self.count_from = count_from  # items starting before this (the warm-up) are not counted
        self.keep_waits = keep_waits
        self.stats = StaffStats()
        self._free: dict[str, float] = {}  # dedicated person → the instant their queue empties
        self._pools: dict[str, list[tuple[float, int, str]]] = {}  # role → heap of (free from, release no., person)
        self._released = 0
        self._tokens = 0
        self._dedicated = frozenset(role for role in dedicated if role in self.people)
        for role, names in self.people.items():
            if role in dedicated:
                for name in names:
                    self._free[name] = float("-inf")
            heap = [(float("-inf"), i, name) for i, name in enumerate(names)]
            self._released = max(self._released, len(names))
            self._pools[role] = heap  # sorted, so already a heap

    def has(self, role: str) -> bool:
        return role in self._pools

    def work(self, role: str, seconds: float, action: Callable[[], object] | None = None, *,
             person: str | None = None, kind: str = "", latest: float | None = None,
             due: float | None = None) -> None:
        """Queue ``seconds`` of staff time for ``person`` (when given and dedicated) or the first free person of
        ``role``; ``action`` runs when the work is done (the one way to act on it: ``DeadlineStaff`` decides the
        instant only when the person takes the item).

        ``latest``: the instant a legal window closes (a second auction must start within 30 days of the 流拍). An
        item that would end after it in turn is done out of turn — at once, ahead of the person's queue, whose
        remaining work waits that much longer — as a busy judge does with a hard legal deadline. ``due`` (the deadline
        the item serves) does not order a first-come-first-served queue: see ``sim.staff_deadline``."""
        env = self.env
        now = env.now
        hours = self.hours
        self._arrived(role, now, seconds)
        if person is None and role in self._dedicated:
            # nobody named yet (a case not yet assigned): the first of the role free — booked on that person's own
            # queue, so a dedicated person is never booked twice over
            person = min(self.people[role], key=self._free.__getitem__)
        own = person is not None and person in self._free  # a dedicated person's own queue, else the role's pool
        if own:
            free = self._free[person]
        else:
            free, _, person = self._pools[role][0]
        start = hours.next_working(now if now > free else free)
        end = hours.finish(start, seconds)
        urgent = latest is not None and end > latest and free > now
        if urgent:  # done at once; in the books it takes the slot at the end of the person's queue
            self.stats.out_of_turn += 1
            begun = hours.next_working(now)
            done_at = hours.finish(begun, seconds)
        else:
            begun, done_at = start, end
        if own:
            self._free[person] = end
        else:
            self._released += 1
            heapq.heapreplace(self._pools[role], (end, self._released, person))
        token = self._queue(False, person, now, seconds) if start >= self.count_from else None
        if not urgent:
            call_later(env, done_at - now if done_at > now else 0.0,
                       lambda _ev: self._done(person, now, start, seconds, kind, action, token=token))
            return
        # the action now; the person's time is counted when the slot it displaced ends (the queue's work already
        # booked keeps its turn and what comes next waits), so utilisation stays within the working time
        call_later(env, done_at - now if done_at > now else 0.0, lambda _ev: action() if action is not None else None)
        call_later(env, end - now if end > now else 0.0,
                   lambda _ev: self._done(person, now, start, seconds, kind, None, waited=begun - now, token=token))

    def _arrived(self, role: str, now: float, seconds: float) -> None:
        """The role's demand, by the week the item arrived (was queued) — counted now, not when begun: with the staff
        saturated, the work queued in the last weeks and not begun by the run's end is demand all the same (counted
        when begun, a saturated run's chart fell to 0 for its last 38 weeks)."""
        if now >= self.count_from:
            self.stats.weekly_demand[(role, int(now // WEEK_S))] += seconds

    def _queue(self, pooled: bool, key: str, now: float, seconds: float) -> int:
        """An item not done yet (``StaffStats.queued``): its token, dropped once it is counted done."""
        self._tokens = token = self._tokens + 1
        self.stats.queued[token] = [pooled, key, int((now - self._day0) // DAY_S), seconds]  # ``hours.day_index``
        return token

    def _done(self, person: str, ready: float, start: float, seconds: float, kind: str,
              action: Callable[[], object] | None, waited: float | None = None, token: int | None = None) -> None:
        if token is not None:
            del self.stats.queued[token]
        if start >= self.count_from:
            self._count(person, ready, start, seconds, kind, waited)
        if action is not None:
            action()

    def _count(self, person: str, ready: float, start: float, seconds: float, kind: str,
               waited: float | None = None) -> None:
        st = self.stats
        st.busy[person] += seconds
        st.items[person] += 1
        st.done += 1
        wait = start - ready if waited is None else waited
        if wait > 0:
            st.waited += 1
        if self.keep_waits:
            st.waits.append(wait)
        try:
            k = st.by_kind[kind]
        except KeyError:  # the kind's first item
            k = st.by_kind[kind] = [0, 0.0, 0.0]
        k[0] += 1
        k[1] += seconds
        k[2] += wait
        st.demand[(person, int((ready - self._day0) // DAY_S))] += seconds  # the day it arrived (``day_index``)
        st.weekly[(self.role_of.get(person, ""), int(start // WEEK_S))] += seconds
