"""Staff who put work with a legal deadline first (profile ``queue: deadline``): each person takes, whenever free, the
queued item due the earliest.

``sim.staff.Staff`` serves every queue first come, first served and fixes each item's finish instant when it is
queued (one timeout per item). A busy judge does not work that way: a 48-hour control or a 3-day view of property
found is done before last week's archive paperwork. Here an item's *due* is the legal deadline it serves (the engine's
deadline of its node, the 3-day view rule, an auction's legal window — given by ``StaffActor``) or the instant it
was queued plus ``undated_days``, whichever comes first: work no deadline governs (or one far off, as the 6-month
limit) is not starved, it gives way only to deadlines that fall within that many days of its own arrival. Among equal
dues, first come, first served.

Non-preemptive: an item begun is finished (spread over working periods and days as in ``Staff``). A person free
outside working hours decides what to do first at the next working instant, among everything queued by then. One
SimPy timeout per item, plus one per idle person waking to work. The statistics (``StaffStats``: busy time, waits,
weekly demand and utilisation) are counted as in ``Staff``; ``out_of_turn`` stays 0 (every item is in its turn
here). Without deadlines and with the same ``undated_days`` for every item the order is first come, first served:
the M/M/c validation (``sim.validate``) holds for both disciplines."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from heapq import heappop, heappush

import simpy

from core_flow.clocks.sim import call_later
from sim.staff import DAY_S, WEEK_S, Staff, WorkHours

# an item queued: [due, order queued, role queue or person, seconds, action, kind, ready, token (StaffStats.queued)];
# the order queued is the token itself
_Item = list


class DeadlineStaff(Staff):
    def __init__(self, env: simpy.Environment, hours: WorkHours, people: dict[str, tuple[str, ...]], *,
                 undated_days: float = 10.0, **kw: object) -> None:
        super().__init__(env, hours, people, **kw)  # type: ignore[arg-type]
        self.undated = undated_days * DAY_S
        # a dedicated person's own queue (keyed by the person) or a role's shared queue (keyed by the role)
        self._queues: dict[str, list[_Item]] = {}
        self._busy: set[str] = set()  # people working, or waiting for working time to decide what comes first
        # role → heap of the role's idle people: (idle since, release no., person); the one idle longest is taken
        self._idle: dict[str, list[tuple[float, int, str]]] = {
            role: [(float("-inf"), i, name) for i, name in enumerate(names)]
            for role, names in self.people.items() if role not in self._dedicated}

    def work(self, role: str, seconds: float, action: Callable[[], object] | None = None, *,
             person: str | None = None, kind: str = "", latest: float | None = None,
             due: float | None = None) -> None:
        """Queue ``seconds`` of staff time; ``due`` (SimPy seconds) orders it: the legal deadline it serves, None for
        work without one. ``latest`` (a legal window) orders it the same way."""
        now = self.env._now  # SimPy's time (``env.now``, read past the property)
        if now >= self.count_from:  # ``_arrived``
            self.stats.weekly_demand[(role, int(now // WEEK_S))] += seconds
        free_at = self._free
        if person is None and role in self._dedicated:
            person = min(self.people[role], key=free_at.__getitem__)  # the judge whose queue empties first
        own = person is not None and person in free_at
        if own:  # when this person's queue would empty, all of it done back to back (chooses an unnamed judge)
            free = free_at[person]
            free_at[person] = self.hours.finish(now if now > free else free, seconds)
            queue = person
        else:
            queue = role
        if latest is not None and (due is None or latest < due):
            due = latest
        undated = now + self.undated
        if due is None or due > undated:
            due = undated
        # ``_queue``, written out (its day is ``hours.day_index``); the token orders equal dues too (first come, first
        # served): one counter for both
        self._tokens = token = self._tokens + 1
        self.stats.queued[token] = [not own, queue, int((now - self._day0) // DAY_S), seconds]
        item = [due, token, queue, seconds, action, kind, now, token]
        if own:
            if person in self._busy:
                heappush(self._queues.setdefault(person, []), item)
            else:
                self._take(person, item)
            return
        idle = self._idle[role]
        if idle:
            self._take(heappop(idle)[2], item)
        else:
            heappush(self._queues.setdefault(role, []), item)

    def _take(self, person: str, item: _Item) -> None:
        """``person`` (idle until now, their queue empty) takes ``item``: at once in working time, else they decide at
        the next working instant among what has come by then."""
        self._busy.add(person)
        queue = item[2]
        now = self.env._now
        if not self._queues.get(queue) and self.hours.next_working(now) <= now:
            self._begin(person, item, now)  # what ``_next`` does with the item alone in the queue, in working time
            return
        heappush(self._queues.setdefault(queue, []), item)
        self._next(person, queue)

    def _begin(self, person: str, item: _Item, now: float) -> None:
        queued = self.stats.queued
        if now < self.count_from:  # begun in the warm-up: not counted (``_finish``), nor queued at the end
            queued.pop(item[7], None)
        else:
            waiting = queued.get(item[7])
            if waiting is not None:  # its person known now
                waiting[0] = False
                waiting[1] = person
        seconds = item[3]
        end = self.hours.finish(now, seconds)
        call_later(self.env, end - now, partial(self._finish, person, item, now))

    def _finish(self, person: str, item: _Item, start: float, _event: object = None) -> None:
        _due, _seq, queue, seconds, action, kind, ready, token = item
        self.stats.queued.pop(token, None)
        if start >= self.count_from:
            self._count(person, ready, start, seconds, kind)
        self._next(person, queue)
        if action is not None:
            action()

    def _next(self, person: str, queue: str) -> None:
        """``person`` is free (or wakes to working time): the queue's earliest-due item, or idle."""
        items = self._queues.get(queue)
        if items:
            now = self.env._now
            start = self.hours.next_working(now)
            if start <= now:
                self._begin(person, heappop(items), now)
            else:  # outside working hours: decide when work resumes
                call_later(self.env, start - now, lambda _ev: self._next(person, queue))
            return
        self._busy.discard(person)
        if queue != person:  # back to the role's idle people
            self._released += 1
            heappush(self._idle[queue], (self.env._now, self._released, person))
