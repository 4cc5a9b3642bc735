"""Staff who put work with a legal deadline first (profile ``queue: deadline``, ``sim.staff_deadline``): the order
each person works in, its equivalence to first come, first served without deadlines, and what it changes in a
court."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
import simpy

from core_flow.engine import commands as c
from core_flow.engine.state import ItemState, NodeState
from core_flow.legal_calendar import CST, HolidayCalendar
from sim import court_for_run
from sim.profile import ROLES
from sim.replicate import make_units
from sim.run import run_unit
from sim.staff import Staff, WorkHours
from sim.staff_actor import StaffActor
from sim.staff_deadline import DeadlineStaff
from tests.sim_support import small_court

ORIGIN = datetime(2025, 9, 29, 0, 0, tzinfo=CST)  # a Monday
H = 3600.0
DAY = 86_400.0


def test_a_free_person_takes_the_earliest_due_item_and_any_item_counts_as_due_some_days_after_it_came():
    env = simpy.Environment()
    staff = DeadlineStaff(env, WorkHours(ORIGIN, always=True), {"承办法官": ("甲",)}, undated_days=2)
    done: list[str] = []

    def item(name: str, due: float | None = None, latest: float | None = None) -> None:
        staff.work("承办法官", H, lambda: done.append(name), person="甲", due=due, latest=latest)

    item("first")  # begun at once: nothing preempts it
    item("archive")  # no deadline: counts as due 2 days after it came
    item("control", due=40 * H)  # a deadline 40 hours away: before the archive
    item("notice", due=10 * DAY)  # 10 days away: due in 2 days too, like the archive (and queued after it)
    item("relist", latest=30 * H)  # a legal window orders it like a deadline
    env.run(until=3 * H)
    item("late archive")  # queued later: due 2 days after its own arrival, after the others
    env.run()
    assert done == ["first", "relist", "control", "archive", "notice", "late archive"]
    assert staff.stats.busy["甲"] == 6 * H and staff.stats.out_of_turn == 0


def test_a_pool_serves_the_earliest_due_across_its_people_and_the_one_idle_longest_first():
    env = simpy.Environment()
    staff = DeadlineStaff(env, WorkHours(ORIGIN, always=True), {"书记员": ("丙", "丁")}, undated_days=10)
    who: dict[str, tuple[float, float]] = {}

    def item(name: str, hours: float, due: float | None = None) -> None:
        t0 = env.now
        staff.work("书记员", hours * H, lambda: who.__setitem__(name, (t0, env.now)), due=due)

    item("a", 1)
    item("b", 3)
    item("c", 1)  # both busy: waits …
    item("d", 1, due=20 * H)  # … behind this one, due earlier
    env.run()
    assert who["a"][1] == H and who["b"][1] == 3 * H
    assert who["d"][1] == 2 * H and who["c"][1] == 3 * H  # the person free first (丙 at 1 h) takes d, then c
    assert staff.stats.busy == {"丙": 3 * H, "丁": 3 * H}
    # both idle from 3 h, 丁 released first (its item was queued first): the next item goes to 丁
    item("e", 1)
    env.run()
    assert staff.stats.items == {"丙": 3, "丁": 2}


def test_outside_working_hours_the_choice_is_made_when_work_resumes():
    """A judge free overnight: what came in the evening is not begun in the order it came; at 08:30 the item due
    first goes first."""
    hours = WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False))
    env = simpy.Environment()
    staff = DeadlineStaff(env, hours, {"承办法官": ("甲",)})
    done: list[tuple[str, datetime]] = []
    evening = (datetime(2025, 9, 29, 20, 0, tzinfo=CST) - ORIGIN).total_seconds()
    env.run(until=evening)
    staff.work("承办法官", H, lambda: done.append(("archive", ORIGIN + timedelta(seconds=env.now))), person="甲")
    env.run(until=evening + H)
    staff.work("承办法官", H, lambda: done.append(("control", ORIGIN + timedelta(seconds=env.now))), person="甲",
               due=evening + 40 * H)
    env.run()
    assert done == [("control", datetime(2025, 9, 30, 9, 30, tzinfo=CST)),
                    ("archive", datetime(2025, 9, 30, 10, 30, tzinfo=CST))]
    assert staff.stats.busy["甲"] == 2 * H


@pytest.mark.parametrize("seed", range(6))
def test_without_deadlines_the_order_is_first_come_first_served(seed):
    """No item has a deadline: every person works exactly as ``Staff``'s FIFO queues — same instants, same statistics
    — on the legal calendar's working hours, with named judges, unnamed judge work and a pool (so the M/M/c
    validation of ``Staff`` holds for this discipline too)."""
    people = {"承办法官": ("甲", "乙", "戊"), "书记员": ("丙", "丁")}
    runs = []
    for cls in (Staff, DeadlineStaff):
        env = simpy.Environment()
        staff = cls(env, WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False)), people, count_from=2 * DAY)
        log: list[tuple[int, float]] = []
        r = random.Random(seed)  # the same arrivals and times for both

        def arrivals(staff=staff, env=env, log=log, r=r):
            for i in range(400):
                yield env.timeout(r.expovariate(1 / (0.6 * H)))
                role = r.choice(("承办法官", "书记员"))
                person = r.choice(("甲", "乙", "戊", None)) if role == "承办法官" else None
                staff.work(role, r.triangular(0.1 * H, 3 * H, 0.5 * H), lambda i=i: log.append((i, env.now)),
                           person=person, kind=role)

        env.process(arrivals())
        env.run()
        # the same instants up to the float rounding of timeouts created at other moments
        runs.append(([(i, round(t, 3)) for i, t in sorted(log)], {p: round(b, 3) for p, b in staff.stats.busy.items()},
                     {k: [round(x, 3) for x in v] for k, v in staff.stats.by_kind.items()}, staff.stats.waited))
    assert runs[0] == runs[1]
    assert runs[0][3] > 50  # queues formed: the order mattered


def test_a_work_item_carries_the_engine_deadline_of_the_node_it_serves():
    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    env = court.clock.env
    people = {role: profile.people(role) for role in ROLES if profile.people(role)}
    staff = DeadlineStaff(env, WorkHours(court.clock.origin, profile.periods), people)
    actor = StaffActor(court.platform, staff, profile.actions, judges=people["承办法官"], by_deadline=True)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    state = court.runtime.cases["K0"]
    node3 = state.nodes[(3, "")].items  # 控制启动: two deadlines, the earlier orders its work
    assert len(node3) == 2
    assert actor._deadline("K0", 3) == (min(it.due for it in node3.values()) - court.clock.origin).total_seconds()
    limit = state.nodes[(43, "")].items["limit"].due  # the 6-month limit orders the 报结
    assert actor._deadline("K0", (43,)) == (limit - court.clock.origin).total_seconds()
    assert actor._deadline("K0", (44,)) is None  # no deadline runs for the archive yet
    node3["initiate"].done = True  # a deadline met orders nothing
    assert actor._deadline("K0", 3) == (node3["control"].due - court.clock.origin).total_seconds()

    # a command queued as work carries its node's deadline — an item's completion too (node 43's publication after a
    # 终本 closing, 7 days, went as work without a deadline, behind everything due within 10 days)
    queued: list[float | None] = []
    staff.work = lambda role, seconds, action=None, **kw: queued.append(kw["due"])  # type: ignore[method-assign]
    for cmd in (c.CompleteItem("K0", 3, "control"), c.CompleteNode("K0", 3), c.Record("K0", "no_property_found")):
        actor._cmd(timedelta(0), cmd)
    control = (node3["control"].due - court.clock.origin).total_seconds()
    assert queued == [control, control, None]
    assert actor._deadline("nobody", 7) is None


def test_the_deadline_of_a_per_instance_node_named_without_its_instance_sees_every_instance_added_since():
    """``StaffActor._deadline`` reads each case's node instances from an index (``_instances``) kept up to date with
    the node states added since its last look; an index not brought up to date would miss a later asset's deadline."""
    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    people = {role: profile.people(role) for role in ROLES if profile.people(role)}
    staff = DeadlineStaff(court.clock.env, WorkHours(court.clock.origin, profile.periods), people)
    actor = StaffActor(court.platform, staff, profile.actions, judges=people["承办法官"], by_deadline=True)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    state = court.runtime.cases["K0"]
    origin = court.clock.origin
    assert actor._deadline("K0", 17) is None  # 控制 (per asset): no asset yet
    at = datetime(2025, 3, 3, 17, tzinfo=CST)
    earliest = None
    for asset, days in (("房产A", 9), ("存款B", 4), ("车辆C", 6)):  # each added as the engine adds a node state
        due = at + timedelta(days=days)
        state.nodes[(17, asset)] = NodeState(17, asset, items={"freeze": ItemState(due, 1, "1日")})
        earliest = due if earliest is None else min(earliest, due)
        assert actor._deadline("K0", 17) == (earliest - origin).total_seconds()
    assert actor._deadline("K0", (17, 44)) == (at + timedelta(days=4) - origin).total_seconds()
    state.nodes[(17, "存款B")].items["freeze"].done = True  # met: the next asset's deadline orders the work
    assert actor._deadline("K0", 17) == (at + timedelta(days=6) - origin).total_seconds()
    assert actor._deadline("K0", 17, "房产A") == (at + timedelta(days=9) - origin).total_seconds()
    # another state of the case (a case state made anew), as many node states, other assets: its own are read
    nodes = {k: ns for k, ns in state.nodes.items() if k[0] != 17}
    nodes[(17, "车辆C")] = state.nodes[(17, "车辆C")]
    for asset, days in (("土地D", 8), ("船舶E", 7)):
        nodes[(17, asset)] = NodeState(17, asset, items={"freeze": ItemState(at + timedelta(days=days), 2, "1日")})
    assert len(nodes) == len(state.nodes)
    court.runtime.cases["K0"] = type(state)(state.case_id, state.case_type, state.money, state.nonlitigation,
                                            state.filed_at, nodes=nodes)
    assert actor._deadline("K0", 17) == (at + timedelta(days=6) - origin).total_seconds()
    nodes[(17, "房产F")] = NodeState(17, "房产F", items={"freeze": ItemState(at, 3, "1日")})
    assert actor._deadline("K0", 17) == (at - origin).total_seconds()


def _year(queue: str) -> dict:
    return run_unit(make_units([("c", small_court(800, judges=1, clerks=2, queue=queue))], years=0.5,
                               replications=1, seed=3)[0])


def test_a_busy_court_whose_staff_put_deadlines_first_misses_fewer_of_them():
    """One judge for 800 cases a year: her queue is days long. First come, first served, a 48-hour control
    or a 3-day view waits behind last week's closing paperwork and is missed, freezing the node and adding an unfreeze
    ask and an approval; put first, it is met. The same cases, the same staff times (common random numbers)."""
    fifo, deadline = _year("fifo"), _year("deadline")
    assert fifo["kpi"]["utilisation.承办法官"] > 0.85  # busy enough for the order to matter
    assert deadline["kpi"]["node_freezes"] < 0.5 * fifo["kpi"]["node_freezes"]
    assert deadline["kpi"]["compliance"] > fifo["kpi"]["compliance"]
    assert deadline["kpi"]["compliance.node17"] > fifo["kpi"]["compliance.node17"]
    # the work without deadlines is not starved: as many cases closed (within a few percent)
    assert deadline["kpi"]["closed"] >= 0.95 * fifo["kpi"]["closed"]
