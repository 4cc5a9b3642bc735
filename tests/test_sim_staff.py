"""Staff as SimPy resources: working hours on the legal calendar, queues per person and per role, and a court
whose deadlines are missed because its people are busy."""

from __future__ import annotations

from datetime import datetime, timedelta

import simpy

from core_flow.engine import EventKind
from core_flow.legal_calendar import CST, HolidayCalendar
from sim import court_for_run
from sim.profile import ROLES
from sim.replicate import make_units, run_units
from sim.run import Unit, run_unit
from sim.staff import Staff, WorkHours
from sim.staff_actor import StaffActor
from tests.sim_support import small_court

ORIGIN = datetime(2025, 9, 29, 0, 0, tzinfo=CST)  # a Monday, just before 国庆 2025 (rest Oct 1–8)
H = 3600.0


def at(s: float) -> datetime:
    return ORIGIN + timedelta(seconds=s)


def secs(d: datetime) -> float:
    return (d - ORIGIN).total_seconds()


def test_work_happens_only_in_working_hours_holidays_and_make_up_days_respected():
    hours = WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False))
    # an hour started Tue 30 Sep 17:00: half an hour that day, the rest after the National Day break (Thu 9 Oct)
    assert at(hours.finish(secs(datetime(2025, 9, 30, 17, 0, tzinfo=CST)), H)) == datetime(2025, 10, 9, 9, 0,
                                                                                           tzinfo=CST)
    # after Friday 10 Oct's close comes Saturday 11 Oct, a make-up working day (调休)
    assert at(hours.finish(secs(datetime(2025, 10, 10, 17, 30, tzinfo=CST)), 0)) == datetime(2025, 10, 11, 8, 30,
                                                                                             tzinfo=CST)
    # the lunch break is skipped; Sunday 12 Oct is a rest day
    assert at(hours.finish(secs(datetime(2025, 10, 11, 11, 0, tzinfo=CST)), 2 * H)) == datetime(2025, 10, 11, 15, 30,
                                                                                               tzinfo=CST)
    assert at(hours.finish(secs(datetime(2025, 10, 11, 17, 0, tzinfo=CST)), H)) == datetime(2025, 10, 13, 9, 0,
                                                                                           tzinfo=CST)
    week = secs(datetime(2025, 10, 6, tzinfo=CST)), secs(datetime(2025, 10, 13, tzinfo=CST))
    assert hours.capacity(*week) == 3 * 6.5 * H  # Thu, Fri and the make-up Saturday


def test_the_next_working_instant_is_the_end_of_no_work_at_every_instant_of_a_holiday_fortnight():
    """``WorkHours.next_working`` (asked for every item a person takes: is it working time now?) is ``finish(t, 0)``:
    inside a period, on its edges, in the lunch break, at night, over a weekend, the National Day break and its
    make-up Saturday — from a fresh calendar and from the days already looked up."""
    starts = [k * 900.0 for k in range(16 * 96)] + [30600.0 - 1e-6, 43200.0, 52200.0 + 0.25, 63000.0, -5 * H]
    for always in (False, True):
        hours = WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False), always=always)
        again = WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False), always=always)
        for t in starts:
            assert hours.next_working(t) == again.finish(t, 0.0), (always, t)
    # Tue 30 Sep's close: the next working instant is after the break, Thu 9 Oct 08:30
    closed = secs(datetime(2025, 9, 30, 17, 30, tzinfo=CST))
    assert at(WorkHours(ORIGIN, calendar=HolidayCalendar(strict=False)).next_working(closed)) == datetime(
        2025, 10, 9, 8, 30, tzinfo=CST)


def test_a_kinds_staff_seconds_are_the_triangular_draws_to_the_last_bit():
    """The staff seconds of a draw ``u`` are made by a function per kind with its constants computed once
    (``StaffActor._minutes``): the same floats as ``60 * triangular(u, lo, mode, hi)`` — any other order of the
    operations would move the court-year's durations, hence its results."""
    from sim.staff_actor import _triangular_seconds, triangular

    us = [k / 997 for k in range(997)] + [0.0, 1e-12, 0.5, 1 - 1e-12, 0.1 + 0.2, 1 / 3]
    for lo, mode, hi in ((5, 10, 30), (0.5, 0.5, 3.3), (12, 40, 40), (7.1, 9.7, 31.3), (3, 3, 3), (4, 2, 1)):
        seconds = _triangular_seconds(float(lo), float(mode), float(hi))
        for u in us:
            assert seconds(u) == 60.0 * triangular(u, float(lo), float(mode), float(hi)), (lo, mode, hi, u)


def test_a_judges_own_cases_queue_for_that_judge_and_a_pool_serves_the_first_free():
    env = simpy.Environment()
    staff = Staff(env, WorkHours(ORIGIN, always=True), {"承办法官": ("甲", "乙"), "书记员": ("丙", "丁")})
    done: list[tuple[str, float]] = []
    for i in range(3):
        staff.work("承办法官", H, lambda i=i: done.append((f"甲{i}", env.now)), person="甲")
    staff.work("承办法官", H, lambda: done.append(("乙", env.now)), person="乙")
    for i in range(3):
        staff.work("书记员", 2 * H, lambda i=i: done.append((f"pool{i}", env.now)))
    env.run()
    when = dict(done)
    assert [when[f"甲{i}"] for i in range(3)] == [H, 2 * H, 3 * H]  # 甲's cases wait for 甲, though 乙 is free
    assert when["乙"] == H
    assert sorted(when[f"pool{i}"] for i in range(3)) == [2 * H, 2 * H, 4 * H]  # two clerks, FIFO
    assert staff.stats.busy["甲"] == 3 * H and staff.stats.waited == 3


def _file_cases(court, profile, n: int, every: timedelta) -> None:  # type: ignore[no-untyped-def]
    """``n`` cases K0… of 30,000 yuan, one every ``every`` from the profile's origin, each against its own debtor."""
    from core_flow.engine import commands as c

    world = court.session.world
    for i in range(n):
        d = world.debtor(i)
        court.clock.call_at(profile.origin + every * i, lambda d=d, i=i: court.platform.file(
            c.FileCase(f"K{i}", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()]))


def test_staff_actions_in_a_court_run_happen_only_in_working_hours():
    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    hours = WorkHours(profile.origin, profile.periods)
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    StaffActor(court.platform, Staff(court.clock.env, hours, people), profile.actions, seed=5,
               judges=people["承办法官"])
    stamps: list[datetime] = []
    court.runtime.subscribe(lambda e: stamps.append(e.at),
                            (EventKind.ASSIGNED, EventKind.UNFREEZE_REQUESTED, EventKind.UNFREEZE_APPROVED,
                             EventKind.FEEDBACK_OPENED, EventKind.RECEIPT_REGISTERED, EventKind.CLOSED))
    _file_cases(court, profile, 30, every=timedelta(hours=2))
    court.run_until(profile.origin + timedelta(days=150))
    assert len(stamps) > 60
    cal = HolidayCalendar(strict=False)
    for t in stamps:
        assert cal.is_working_day(t.date()), t
        minute = t.hour * 60 + t.minute
        assert 8 * 60 + 30 <= minute <= 12 * 60 or 14 * 60 + 30 <= minute <= 17 * 60 + 30, t


def test_busy_people_miss_deadlines_more_staff_miss_fewer():
    """The same cases (common random numbers) with one judge and with three: only the staffing differs. The judges
    put deadlines first (``queue: deadline``): the one judge's deadlines hold while only work without them piles up,
    and go once that backlog is older than ``undated_days`` (in the first quarter: compliance 0.989 against 0.990)."""
    one, three = (run_unit(u) for u in
                  [make_units([("c", small_court(1100, judges=n, clerks=2))], years=0.5, replications=1,
                              seed=3)[0] for n in (1, 3)])
    assert one["kpi"]["filed"] == three["kpi"]["filed"]  # same arrivals at both levels
    assert one["kpi"]["utilisation.承办法官"] > 0.8 and three["kpi"]["utilisation.承办法官"] < 0.5
    assert one["kpi"]["compliance"] < three["kpi"]["compliance"] - 0.05
    assert one["kpi"]["node_freezes"] > three["kpi"]["node_freezes"]
    assert one["kpi"]["overtime_hours.承办法官"] > three["kpi"]["overtime_hours.承办法官"]


def test_warm_up_is_excluded_from_the_kpis():
    p = small_court(300, judges=2, clerks=2)
    full = run_units(make_units([("c", p)], years=0.4, replications=1, seed=8), backend="serial")[0]
    warm = run_units(make_units([("c", p.model_copy(update={"warmup_days": 60}))], years=0.4, replications=1,
                                seed=8), backend="serial")[0]
    assert warm["meta"]["cases_filed"] == full["meta"]["cases_filed"]  # the same run…
    assert 0 < warm["kpi"]["filed"] < full["kpi"]["filed"]  # …counted from day 60
    assert warm["series"]["day"][0] >= 60


def test_a_unit_is_a_plain_picklable_value():
    import pickle

    u = make_units([("c", small_court())], years=0.1, replications=2, seed=1)
    assert pickle.loads(pickle.dumps(u)) == u
    assert isinstance(u[0], Unit) and u[0].spawn_key != u[1].spawn_key


def test_every_finding_after_zhongben_is_reviewed_by_its_handler_resumed_or_not():
    """Node 46: each property found after 终本 (a sweep's finding) opens a 10-day review; the handler reviews it
    whether or not the case is resumed (before, only a resumption completed it, and most findings — too small,
    frozen by others, property disposed of offline — stayed open and lapsed)."""
    unit = make_units([("c", small_court(600, judges=3, clerks=2))], years=1.2, replications=1, seed=3)[0]
    r = run_unit(unit)
    n46 = r["per_node"].get("46")
    assert n46 is not None and n46["deadlines"] >= 10, n46  # findings after 终本 happened in the run
    assert r["work"]["resume_node"]["items"] >= n46["deadlines"] - r["kpi"]["resumptions"]
    assert n46["compliance"] >= 0.8, n46  # a lightly loaded court reviews in time


def test_busy_staff_do_not_queue_work_the_system_would_refuse_as_already_done():
    """An overloaded judge's queue is weeks long: a periodic review, the last payment and the 终本 chain each decide
    to close a case while an earlier 报结 still waits, and a queued start of 传统查控 comes up after the on-site work
    recorded the node. Each such item cost the handler (and the 审管办) their time only to be refused (CASE_CLOSED,
    NODE_DONE: 56 and 258 in this run before). One 报结 is queued at a time; a start finds its node under way."""
    r = run_unit(make_units([("c", small_court(1100, judges=1, clerks=2))], years=0.5, replications=1, seed=3)[0])
    refused = r["meta"]["refusals"]
    assert r["kpi"]["utilisation.承办法官"] > 0.8 and r["kpi"]["closed"] > 100  # loaded, and closing cases
    assert refused.get("NODE_FROZEN", 0) > 0  # refusals are counted (the busy judge misses deadlines) …
    assert "CASE_CLOSED" not in refused and "NODE_DONE" not in refused, refused  # … but none for double work
    assert "REQUIRES_NODE" not in refused, refused  # (限消 waits for the 执行通知: the next test)
    # each 报结 reviewed once: as many reviews as 报结, but for those whose review is still queued when the run ends
    closes, reviews = r["work"]["close"]["items"], r["work"]["close_review"]["items"]
    assert 0 <= closes - reviews <= 2, (closes, reviews)
    # the saturated judge works one item at a time, in working hours: never above 100% (it came out at 1.008)
    assert 0.95 < r["kpi"]["utilisation.承办法官"] <= 1.0
    assert max(r["utilisation"]["person"].values()) <= 1.0
    # a week counts the work started in it: above 1 only by the last item's spill into the next week (≤ 45 minutes
    # of a ≥ 6.5-hour week); the work that arrived is far above 1 — the backlog
    assert max(r["weekly_utilisation"]["承办法官"]) < 1.12 < 1.5 < max(r["weekly_demand"]["承办法官"])


def test_an_overloaded_clerk_holds_up_the_judges_work_that_depends_on_hers():
    """One 书记员 for 1,100 cases a year: her queue is weeks long while four judges are free. The judges' work waits
    for hers where the rules say so: 限消 only after the 执行通知 she sends (seed 004 节点三十六; refused
    REQUIRES_NODE, and 终本 then refused by its gate, 20 and 4 times in this run before), and a case without 集约查询
    is investigated by its assigned judge once its filing and identities are done (before, a 保全 case could be
    investigated and closed while its filing still waited: 63 commands refused CASE_CLOSED)."""
    r = run_unit(make_units([("c", small_court(1100, judges=4, clerks=1))], years=0.5, replications=1, seed=3)[0])
    refused = r["meta"]["refusals"]
    assert r["kpi"]["utilisation.书记员"] > 0.95 and r["kpi"]["closed"] > 200 and r["kpi"]["zhongben_rate"] > 0.3
    assert not {"REQUIRES_NODE", "ZHONGBEN_GATE", "CASE_CLOSED"} & set(refused), refused


def test_an_item_for_nobody_yet_books_a_dedicated_person_on_their_own_queue():
    """A 承办法官 item of a case not yet assigned goes to the first judge free — on that judge's own queue. Before,
    it was booked on the role's pool, which did not know the judge's own queue: the judge worked two items at once
    (a saturated judge's utilisation came out above 1)."""
    env = simpy.Environment()
    staff = Staff(env, WorkHours(ORIGIN, always=True), {"承办法官": ("甲",)})
    done: dict[str, float] = {}
    for i in range(2):
        staff.work("承办法官", H, lambda i=i: done.__setitem__(f"own{i}", env.now), person="甲")
    staff.work("承办法官", H, lambda: done.__setitem__("unnamed", env.now))
    staff.work("承办法官", H, lambda: done.__setitem__("own2", env.now), person="甲")
    env.run()
    assert done == {"own0": H, "own1": 2 * H, "unnamed": 3 * H, "own2": 4 * H}  # one at a time, in arrival order
    assert staff.stats.busy["甲"] == 4 * H == env.now

    two = Staff(simpy.Environment(), WorkHours(ORIGIN, always=True), {"承办法官": ("甲", "乙")})
    for _ in range(3):
        two.work("承办法官", H, person="甲")
    two.work("承办法官", H)  # 乙 is free: the unnamed item goes to 乙
    two.env.run()
    assert two.stats.busy == {"甲": 3 * H, "乙": H}


def test_an_item_with_a_legal_window_is_done_out_of_turn_and_the_queue_waits_that_much_longer():
    """A relisting due within the 流拍's 30 days is not left behind weeks of a judge's queue: done at once, ahead of
    the queue, whose remaining work then ends that much later (the time is not free)."""
    env = simpy.Environment()
    staff = Staff(env, WorkHours(ORIGIN, always=True), {"承办法官": ("甲",), "书记员": ("乙",)})
    done: dict[str, float] = {}
    for i in range(10):  # ten hours of 甲's own cases, and as much for the 书记员 pool
        staff.work("承办法官", H, lambda i=i: done.setdefault(f"q{i}", env.now), person="甲")
        staff.work("书记员", H, lambda i=i: done.setdefault(f"p{i}", env.now))
    staff.work("承办法官", H, lambda: done.setdefault("urgent", env.now), person="甲", latest=5 * H)
    staff.work("承办法官", H, lambda: done.setdefault("after", env.now), person="甲")
    staff.work("书记员", H, lambda: done.setdefault("pool-urgent", env.now), latest=3 * H)
    staff.work("承办法官", H, lambda: done.setdefault("in-time", env.now), person="甲", latest=100 * H)
    env.run(until=10 * H + 1)
    # in the books the urgent hour is the slot it displaced (the 11th): 甲 never worked two things at once
    assert staff.stats.busy["甲"] == 10 * H
    env.run()
    assert done["urgent"] == H and done["pool-urgent"] == H  # at once, not after the queue's 10 hours
    assert done["q9"] == 10 * H  # what was queued keeps its turn …
    assert done["after"] == 12 * H  # … and what comes next waits for the hour taken out of turn
    assert done["in-time"] == 13 * H  # a window the queue meets: in turn
    assert staff.stats.out_of_turn == 2
    assert staff.stats.busy["甲"] == 13 * H and staff.stats.items["甲"] == 13


def test_a_call_refused_by_frozen_nodes_waits_for_their_unfreeze_not_for_any_unfreeze_of_its_case():
    """A case with nodes 3 and 7 frozen: a call refused because of node 3 is not tried again when node 7 is unfrozen
    (it would only be refused again — with several frozen nodes per case, an overloaded court-year with disposal
    had ≈47,000 such refusals); it runs once node 3 is, and a call refused by both once both are."""
    from core_flow.engine import commands as c

    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    court.platform.submit(c.Assign("K0", "张法官"))
    court.run_until(profile.origin + timedelta(days=60))  # nobody works the case: its deadlines lapse
    assert {(ns.no, ns.instance) for ns in court.runtime.cases["K0"].frozen_nodes()} == {(3, ""), (7, "")}
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                       profile.actions, seed=5, judges=people["承办法官"])
    ran: list[str] = []
    actor._wait_unfreeze("K0", [(3, "")], lambda: ran.append("3"))
    actor._wait_unfreeze("K0", [(7, "")], lambda: ran.append("7"))
    actor._wait_unfreeze("K0", [(3, ""), (7, "")], lambda: ran.append("3+7"))

    def unfreeze(node: int, authority: str) -> None:
        court.platform.submit(c.RequestUnfreeze("K0", node, by="承办人"))
        out = court.platform.submit(c.ApproveUnfreeze("K0", node, authority))
        assert out.refusal is None and out.events[-1].kind == EventKind.UNFREEZE_APPROVED
        court.run_until(court.clock.now() + timedelta(hours=1))

    unfreeze(7, "bureau_head")
    assert ran == ["7"]
    unfreeze(3, "intermediate_court")
    assert ran == ["7", "3", "3+7"] and "K0" not in actor.blocked


def test_a_payout_refused_for_now_is_paid_again_frozen_after_the_unfreeze_too_early_as_work_later():
    """Money in a case's account is never left there: a payout refused because node 33 froze (paid late) waits for
    that unfreeze; one refused because its 到账登记 has not happened yet waits for the case's next registration; one
    whose approvals are outstanding is queued again as payout work two days on (``Clerk._pay_again``). Before, all
    were dropped and the money stayed in the account."""
    from core_flow.engine import commands as c
    from core_flow.engine.events import Event, Refusal

    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    court.platform.submit(c.Assign("K0", "张法官"))
    court.run_until(profile.origin + timedelta(days=60))  # nobody works the case: nodes 3 and 7 freeze
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    staff = Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people)
    actor = StaffActor(court.platform, staff, profile.actions, seed=5, judges=people["承办法官"])
    paid: list[str] = []
    actor._pay_again("K0", Refusal("NODE_FROZEN", "", "", ((3, ""),)), lambda n: paid.append(f"frozen{n}"), 1)
    actor._pay_again("K0", Refusal("RECEIPT_NOT_REGISTERED", "", ""), lambda n: paid.append(f"receipt{n}"), 1)
    actor._pay_again("K0", Refusal("PAYOUT_NOT_APPROVED", "", ""), lambda n: paid.append(f"approval{n}"), 1)
    actor._pay_again("K0", Refusal("CLAIM_OUTSTANDING", "", ""), lambda n: paid.append("never"), 1)  # a mistake
    actor._pay_again("K0", Refusal("PAYOUT_NOT_APPROVED", "", ""), lambda n: paid.append("never"), 30)  # given up
    start = court.clock.now()
    court.run_until(start + timedelta(days=1))
    assert paid == []  # two days on, in working time
    court.run_until(start + timedelta(days=6))
    assert paid == ["approval2"] and staff.stats.by_kind["pay"][0] == 1  # the second attempt, done as payout work
    court.platform.submit(c.RequestUnfreeze("K0", 3, by="承办人"))
    court.platform.submit(c.ApproveUnfreeze("K0", 3, "intermediate_court"))
    court.run_until(court.clock.now() + timedelta(hours=1))
    assert paid == ["approval2", "frozen1"] and "K0" not in actor.blocked  # the frozen one, at its unfreeze
    actor._ev_node_done(Event(court.clock.now(), "K0", EventKind.NODE_DONE, 32, "R1"))  # a receipt registered
    court.run_until(court.clock.now() + timedelta(hours=1))
    assert paid == ["approval2", "frozen1", "receipt2"]


def test_a_node_the_system_could_not_move_is_moved_by_hand_once_what_blocked_it_is_unfrozen():
    """An operation blocked by frozen nodes (到账登记 while a 划拨 node is frozen: node 32 not completed) is done by
    the handler once those nodes are unfrozen (``Clerk._ev_operation_blocked``, the engine's rule for a blocked
    operation); before, nobody did and the receipt's money was never paid out. Not twice, not before."""
    from core_flow.engine import commands as c
    from core_flow.engine.events import Event

    profile = small_court(200)
    court = court_for_run.build(profile, seed=5)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    court.platform.submit(c.Assign("K0", "张法官"))
    court.run_until(profile.origin + timedelta(days=60))  # nodes 3 and 7 frozen
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                       profile.actions, seed=5, judges=people["承办法官"])
    sent: list[tuple[str, int, str]] = []
    submit = actor._submit
    actor._submit = lambda cmd: (sent.append((type(cmd).__name__, cmd.node, cmd.instance)), submit(cmd))[1]
    now = court.clock.now()
    actor._ev_operation_blocked(Event(now, "K0", EventKind.OPERATION_BLOCKED, 32, "R1", None,
                                      {"on": "receipt_registered", "frozen": [[3, ""]]}))
    actor._ev_operation_blocked(Event(now, "K0", EventKind.OPERATION_BLOCKED, 32, "R2", None,
                                      {"on": "receipt_registered", "code": "CALENDAR_RANGE"}))  # nothing to wait for
    court.platform.submit(c.RequestUnfreeze("K0", 7, by="承办人"))
    court.platform.submit(c.ApproveUnfreeze("K0", 7, "bureau_head"))
    court.run_until(court.clock.now() + timedelta(hours=1))
    assert sent == []  # node 7's unfreeze is not the one it waits for
    court.platform.submit(c.RequestUnfreeze("K0", 3, by="承办人"))
    court.platform.submit(c.ApproveUnfreeze("K0", 3, "intermediate_court"))
    court.run_until(court.clock.now() + timedelta(hours=1))
    assert sent == [("CompleteNode", 32, "R1")]


def test_a_seal_taken_over_without_its_lot_is_left_alone():
    """A 终本 case's seal whose disposal had ended (变卖 found no buyer) is handed over to the 恢复执行 case without a
    lot: the disposal clerk leaves it (the seal stays). A 1.5-year run with disposal crashed on it (KeyError)."""
    from core_flow.engine import commands as c
    from core_flow.engine.events import Event

    profile = small_court(200, disposal=True)
    court = court_for_run.build(profile, seed=5)
    d = court.session.world.debtor(0)
    court.platform.file(c.FileCase("K0-恢1", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()])
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                       profile.actions, seed=5, judges=people["承办法官"], dispose=True)
    asset = "vehicle_registry:CL0001"
    actor.disposal._on_event(Event(court.clock.now(), "K0-恢1", EventKind.FUNDS_FROZEN, 17, asset, None,
                                   {"measure": "seal", "taken_over_from": "K0"}))
    assert not actor.disposal.busy("K0-恢1") and asset not in actor.disposal._lots_of.get("K0-恢1", [])
    court.run_until(court.clock.now() + timedelta(days=30))
    # no investigation or pricing of a lot that is not there (they were queued, and refused, before)
    assert not {"investigate", "pricing"} & set(actor.staff.stats.by_kind)


def test_a_notice_period_holds_the_restriction_until_it_ends():
    """``notice_period_days``: the 执行通知 gives the debtor a period to perform, recorded as performance_due when the
    notice is sent (a procedural period on the legal calendar); the judge's 限消 waits for its end — never refused
    NOT_YET, never before it. Unset, nothing is recorded."""

    def run(period: int | None) -> tuple[dict[str, datetime], dict[str, datetime], dict[str, datetime], StaffActor]:
        profile = small_court(200)
        court = court_for_run.build(profile, seed=5)
        people = {r: profile.people(r) for r in ROLES if profile.people(r)}
        actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                           profile.actions, seed=5, judges=people["承办法官"], notice_period_days=period)
        notice, due, restricted = {}, {}, {}

        def seen(e):  # type: ignore[no-untyped-def]
            if e.kind == EventKind.NODE_DONE and e.node == 7:
                notice[e.case_id] = e.at
            elif e.kind == EventKind.NODE_DONE and e.node == 36:
                restricted[e.case_id] = e.at
            elif e.kind == EventKind.ANCHOR and e.data["anchor"] == "performance_due":
                due[e.case_id] = e.data["at"]

        court.runtime.subscribe(seen, (EventKind.NODE_DONE, EventKind.ANCHOR))
        _file_cases(court, profile, 40, every=timedelta(hours=3))
        court.run_until(profile.origin + timedelta(days=200))
        return notice, due, restricted, actor

    notice, due, restricted, actor = run(15)
    assert len(restricted) >= 10 and set(due) == set(notice)  # cases went to 限消; every notice recorded its period
    assert "NOT_YET" not in actor.refused, actor.refused
    cal = HolidayCalendar(strict=False)
    for k, at in restricted.items():
        assert at >= due[k] >= notice[k] + timedelta(days=15), (k, notice[k], due[k], at)
        assert cal.is_working_day((due[k] - timedelta(seconds=1)).date())  # a rest day rolls the period over
    _, due_off, restricted_off, _ = run(None)
    assert due_off == {} and len(restricted_off) >= 10


def _frozen_and_unfrozen(mode: str):  # type: ignore[no-untyped-def]
    """40 cases filed an hour apart before 国庆, each debtor with money at three banks, one judge and one clerk: node
    17's 48-hour control deadlines (one per account) run out together over the holiday."""
    from core_flow.engine import commands as c
    from tests.test_platform import deposit, pin_only

    profile = small_court(200)
    court = court_for_run.build(profile.model_copy(update={"origin": ORIGIN + timedelta(hours=8.5)}), seed=5)
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(ORIGIN, profile.periods), people),
                       profile.actions, seed=5, judges=people["承办法官"], unfreeze_ask=mode)
    seen: dict[str, list] = {"frozen": [], "asked": [], "approved": []}
    kinds = {EventKind.NODE_FROZEN: "frozen", EventKind.UNFREEZE_REQUESTED: "asked",
             EventKind.UNFREEZE_APPROVED: "approved"}
    court.runtime.subscribe(lambda e: seen[kinds[e.kind]].append((e.case_id, e.node, e.instance, e.at)), tuple(kinds))
    world = court.session.world
    for i in range(40):
        d = world.debtor(i)
        pin_only(court, d.id_number, {bank: [deposit(court, d.id_number, bank, 1, 5_000_00)]
                                      for bank in ("icbc", "ccb", "boc")})
        court.clock.call_at(ORIGIN + timedelta(hours=9 + i), lambda d=d, i=i: court.platform.file(
            c.FileCase(f"K{i}", debtors=(d.id_number,), amount_cents=3_000_000), [d.subject()]))
    court.run_until(ORIGIN + timedelta(days=120))
    return seen, actor.staff.stats.by_kind["unfreeze_ask"][0]


def test_one_unfreeze_ask_covers_the_instances_of_a_node_frozen_together():
    """Node 17 has one deadline per property found (48 hours online): a debtor's three accounts missed together froze
    three instances, and each took its own ask and its own approvals (3,477 node-17 freezes in 983 cases of the
    default court-year). Profile ``unfreeze_ask: node`` (default): one form for the case's node; ``instance``: one
    per instance (before). Either way every frozen instance is asked for and approved."""
    for mode in ("node", "instance"):
        seen, asks = _frozen_and_unfrozen(mode)
        frozen17 = {(k, inst) for k, node, inst, _ in seen["frozen"] if node == 17}
        assert len(frozen17) >= 6, mode  # several cases missed node 17 for all three accounts
        assert {(k, n, i) for k, n, i, _ in seen["asked"]} == {(k, n, i) for k, n, i, _ in seen["frozen"]}, mode
        assert {(k, n, i) for k, n, i, _ in seen["approved"]} >= {(k, n, i) for k, n, i, _ in seen["frozen"]}, mode
        forms: dict[tuple, int] = {}
        for k, node, _inst, t in seen["asked"]:
            forms[(k, node, t)] = forms.get((k, node, t), 0) + 1
        assert asks == (len(forms) if mode == "node" else len(seen["asked"])), mode
        if mode == "node":
            assert max(forms.values()) == 3 and asks < len(seen["asked"])
        else:
            assert max(forms.values()) == 1


def test_property_the_investigation_found_before_zhongben_is_no_new_clue_at_the_sweep():
    """A debtor owning only a flat (the court does not dispose of it): the case closes by 终本, and its first sweep
    reports the flat. The investigation before 终本 had found it (终本 needs every category inquired): no node-46
    review — where the staff did not record it, every 终本 case's first sweep reviewed property that had been there
    since filing (3,074 reviews in the default court's second year)."""
    from core_flow.agency_directory import sweep_scope
    from core_flow.engine import commands as c
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number
    from sim.run import _investigated

    def reviews(record: bool) -> tuple[list, list]:  # type: ignore[type-arg]
        profile = small_court(200)
        court = court_for_run.build(profile, seed=5)
        people = {r: profile.people(r) for r in ROLES if profile.people(r)}
        StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                   profile.actions, seed=5, judges=people["承办法官"],
                   investigated=(lambda d: _investigated(court, d)) if record else None)
        p, world = court.platform, court.session.world
        anchors: list = []  # type: ignore[type-arg]
        court.runtime.subscribe(lambda e: anchors.append(e) if e.case_id == "F1" and e.data["anchor"]
                                == "property_found_after_zhongben" else None, (EventKind.ANCHOR,))
        d = next(x for i in range(50) if (x := world.debtor(i)).kind == "person")
        scope = sweep_scope(p.directory, d.id_number, p.court.region, sweep_groups=p.process.inquiry.sweep_groups)
        for agency in scope:
            world.pin(d.id_number, agency.code, [])
        flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, d.id_number, 1),
                       kind=AssetKind.REAL_ESTATE, balance_cents=600_000_00, available_cents=600_000_00)
        world.pin(d.id_number, "real_estate_registry", [flat])
        p.file(c.FileCase("F1", debtors=(d.id_number,), amount_cents=50_000_00), [d.subject()])
        court.run_until(profile.origin + timedelta(days=330))
        assert court.runtime.cases["F1"].closed_manner == "zhongben"
        return [f for f in p.findings if f.case_id == "F1"], anchors

    found, anchors = reviews(record=True)
    assert [f.agency for f in found] == ["real_estate_registry"] and not anchors
    found, anchors = reviews(record=False)
    assert [f.agency for f in found] == ["real_estate_registry"] and len(anchors) == 1


def test_the_work_arrived_each_week_counts_what_is_still_queued_at_the_end():
    """Demand is counted by the week an item arrived: a saturated run's last weeks had only the items begun by the
    end (a 3-year walk's judges fell to 0 for 38 weeks). A person with 20 hours of work arriving each week of 40 hours
    of time (always on): every week's demand is the work that arrived in it, whether begun or still queued."""
    from sim.staff_deadline import DeadlineStaff

    for kind in (Staff, DeadlineStaff):
        env = simpy.Environment()
        staff = kind(env, WorkHours(ORIGIN, always=True), {"承办法官": ("甲",), "书记员": ("丙",)})
        week = 7 * 24 * H
        for w in range(4):  # 4 weeks, each 200 h of work for one judge: the queue is weeks long at the end
            env.process(_arrivals(env, staff, w * week, 20, 10 * H, "甲"))
        env.run(until=4 * week)
        demand = {w: s / H for (role, w), s in staff.stats.weekly_demand.items() if role == "承办法官"}
        assert demand == {0: 200.0, 1: 200.0, 2: 200.0, 3: 200.0}, kind
        begun = sum(s for (role, _w), s in staff.stats.weekly.items() if role == "承办法官") / H
        assert begun <= 4 * 7 * 24 + 10  # what was worked is bounded by the time (one item spills over)


def _arrivals(env, staff, start: float, n: int, seconds: float, person: str):
    yield env.timeout(start)
    for _ in range(n):
        staff.work("承办法官", seconds, person=person)
        yield env.timeout(3600.0)
