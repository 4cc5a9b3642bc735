"""One simulation unit: one court × one replication. ``run_unit(unit)`` → a plain dict (JSON-ready, picklable),
so the same unit runs in this process, in a process pool or on a Ray worker with the same result."""

from __future__ import annotations

import math
import re
import time as _time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from core_flow.agency_directory import sweep_scope
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST, ProvisionalCalendarWarning
from core_flow.process_options import process_of
from core_flow.protocol import SubjectKind
from core_flow.runtime import simulation_gc
from sim import court_for_run
from sim.arrivals import arrivals
from sim.invariants import KINDS as checked_kinds
from sim.invariants import Checker
from sim.kpi import DISPOSAL_KINDS as disposal_kinds
from sim.kpi import KINDS as kpi_kinds
from sim.kpi import Collector
from sim.profile import ROLES, process_lines, profile_from_dict
from sim.staff import DAY_S, Staff, WorkHours
from sim.staff_actor import StaffActor
from sim.staff_deadline import DeadlineStaff
from sim.start_state import load_start_state

TYPE_PREFIX = {"first": "执", "resumed": "执恢", "preservation": "执保"}


@dataclass(frozen=True)
class Unit:
    """What one run needs: the profile (as a plain dict), its length, the replication's seed (entropy and spawn key
    of its ``SeedSequence``) and, for a court with its own process options, the process as data (``process``: the
    profile's ``process:`` merged over its base, checked when the profile was loaded; the ``Process`` is built once
    per worker from it — data, not a model or a file name, crosses to a process-pool or Ray worker); None: the
    bundled process."""

    profile: dict[str, Any]
    years: float
    entropy: int
    spawn_key: tuple[int, ...] = ()
    court: str = ""
    replication: int = 0
    count_events: bool = False
    check: bool = True  # rule checks while simulating (sim.invariants): a violation fails the run
    extra: dict[str, Any] = field(default_factory=dict)
    process: dict[str, Any] | None = None


def _sweep_scope(court: Any, debtor: str, kind: SubjectKind | None = None) -> tuple[Any, ...]:
    """The agencies a 终本 sweep of ``debtor`` asks (the court's process and place); ``kind``: the debtor's, when the
    platform does not know the debtor yet."""
    p = court.platform
    subject = p.subjects.get(debtor)
    kind = kind if kind is not None else subject.kind if subject is not None else None
    return sweep_scope(p.directory, debtor, p.court.region, kind, sweep_groups=p.process.inquiry.sweep_groups)


def _investigated(court: Any, debtor: str) -> dict[str, tuple[Any, ...]]:
    """What a debtor holds across a 终本 sweep's scope now: what the investigation before 终本 finds by hand (read from
    the agencies' state, not sent as requests)."""
    scope = _sweep_scope(court, debtor)
    session = court.session
    return session.ledger.holdings_many([session.catalogue.get(a.code) for a in scope], debtor, court.clock.now())


def run_unit(unit: Unit, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """One court × one replication. The legal calendar's provisional-year warnings are the run's to report, once,
    as ``out["calendar"]`` (the terminal's and the report's note): not Python's warning text with a source path on
    stderr (a start state's cases touched 2027 before the staff's calendar, which kept it quiet, and one leaked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return _run_unit(unit, progress)


def _run_unit(unit: Unit, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    t0 = _time.perf_counter()
    profile = profile_from_dict(unit.profile, check_process=False)  # the unit carries its process, checked at load
    process = process_of(unit.process) if unit.process is not None else None
    seq = np.random.SeedSequence(unit.entropy, spawn_key=unit.spawn_key)
    s_arrivals, s_court, s_staff = seq.spawn(3)
    court_seed = int(s_court.generate_state(1)[0])
    staff_seed = int(s_staff.generate_state(1)[0])
    court = court_for_run.build(profile, seed=court_seed, process=process)
    env = court.clock.env
    origin = court.clock.origin
    days = unit.years * 365.0
    warm_s = profile.warmup_days * DAY_S
    hours = WorkHours(origin, profile.periods)
    people = {role: profile.people(role) for role in ROLES if profile.people(role)}
    if profile.queue == "deadline":
        staff: Staff = DeadlineStaff(env, hours, people, count_from=warm_s, undated_days=profile.undated_days)
    else:
        staff = Staff(env, hours, people, count_from=warm_s)
    actor = StaffActor(court.platform, staff, profile.actions, seed=staff_seed, judges=people["承办法官"],
                       dispose=profile.disposal, disposal_share=profile.disposal_share,
                       price_objection=(profile.price_objection_share, profile.price_objection_upheld),
                       notice_period_days=profile.notice_period_days, unfreeze_ask=profile.unfreeze_ask,
                       investigated=lambda debtor: _investigated(court, debtor),
                       by_deadline=profile.queue == "deadline")
    kpi_from = origin + timedelta(seconds=warm_s)
    collector = Collector(origin, kpi_from, limit_node=court.runtime.engine.process.limit.node,
                          fees=court.runtime.engine.process.fees.application_fee.enabled, disposal=profile.disposal)
    # the KPI collector and the rule checks get only the event kinds they read; the runtime counts every event
    events_before = court.runtime.events_recorded
    court.runtime.subscribe(collector, kpi_kinds | disposal_kinds if profile.disposal else kpi_kinds)
    checker = Checker(court.runtime.engine.process) if unit.check else None
    if checker is not None:
        court.runtime.subscribe(checker, checked_kinds)
    events_file = None
    if unit.extra.get("events_dir"):  # the per-event table (masked), streamed: nothing kept in memory
        events_file = _event_writer(court, Path(unit.extra["events_dir"]), unit)
    ledger = court.session.ledger
    ledger_before = (ledger.total_cents(), ledger.origin_cents())
    # SimPy events processed (what `make bench` reports per second): every event SimPy scheduled (its event-id counter)
    # less those still queued at the end — one ``env.step()`` each, counted without wrapping ``step`` (a wrapper was
    # 206,000 extra calls in the very run it measured)
    eid_before, queued_before = (next(env._eid), len(env._queue)) if unit.count_events else (0, 0)
    world = court.session.world
    cursor = {True: 0, False: 0}

    def debtor(person: bool):
        i = cursor[person]
        while True:
            d = world.debtor(i)
            i += 1
            if (d.kind == SubjectKind.PERSON) == person:
                cursor[person] = i
                return d

    arr = arrivals(profile, hours, days, np.random.default_rng(s_arrivals))
    platform = court.platform
    start_cases = load_start_state(profile.start_state, origin, people["承办法官"],
                                   reassign=bool(unit.extra.get("reassign_handlers")),
                                   order=profile.start_state_date_order) if profile.start_state else []
    empty_register = profile.register_debtors == "empty"
    for sc in start_cases:  # today's caseload, entered at the start (sim/start_state.py)
        d = debtor(True)
        if sc.zhongben_closed is not None and empty_register:  # nothing its sweeps find (profile register_debtors)
            for agency in _sweep_scope(court, d.id_number, d.kind):
                world.pin(d.id_number, agency.code, [])
        actor.preloaded[sc.case] = (sc.current_node, sc.handler)
        if sc.zhongben_closed is not None:  # closed at the end of that working day (China time)
            actor.closed_on[sc.case] = datetime.combine(sc.zhongben_closed, time(17, 0), tzinfo=CST)
        cmd = c.FileCase(sc.case, case_type=sc.case_type, amount_cents=sc.amount_cents, debtors=(d.id_number,),
                         filed_at=sc.filed)
        platform.file(cmd, [d.subject()])
    unfiled: list[str] = []  # arrivals refused at filing: a rule-check violation (never silently short intake)

    def _filed(cmd: c.FileCase, out: Any) -> None:
        if out.refusal is not None:
            unfiled.append(cmd.case_id)
            if checker is not None:
                checker.filing_refused(cmd.case_id, out.refusal.code, out.refusal.zh, out.refusal.en)

    for a in arr:
        d = debtor(a.person)
        at = origin + timedelta(seconds=a.at)
        # the court's register counts on past the numbers today's caseload holds (filed above): a new case numbered like
        # a start-state case, (2026)豫0811执101号 beside the file's, was refused as a duplicate and never filed;
        # and it starts again from 1 each year, as a court's does ((2027)豫0811执1号 on the first case of 2027)
        top = platform.case_numbers.top(at.year, profile.court_code, TYPE_PREFIX[a.case_type][1:])
        case_id = f"({at.year}){profile.court_code}{TYPE_PREFIX[a.case_type]}{top + 1}号"
        cmd = c.FileCase(case_id, case_type=a.case_type, money=a.money, nonlitigation=a.nonlitigation,
                         amount_cents=a.amount_cents, debtors=(d.id_number,), shixin_eligible=a.shixin)
        platform.case_numbers.taken(case_id)  # reserved: a 终本 case resumed before it arrives numbers past it
        court.clock.call_at(at, lambda cmd=cmd, s=d.subject(): _filed(cmd, platform.file(cmd, [s])))
    series: dict[str, list[float]] = {"day": [], "open": [], "zhongben": []}

    def sample() -> None:
        t = env.now
        if t >= warm_s:
            series["day"].append(round(t / DAY_S, 2))
            series["open"].append(collector.open_now)
            series["zhongben"].append(collector.zhongben_now)
        if t + DAY_S <= days * DAY_S:
            court.clock.call_at(origin + timedelta(seconds=t + DAY_S), sample)

    court.clock.call_at(origin + timedelta(hours=12), sample)  # daily, at noon
    end = origin + timedelta(days=days)
    chunk = timedelta(days=30)
    at = origin
    try:
        with simulation_gc():  # once for the whole run: the chunks' own (nested) settings then cost nothing
            while at < end:
                at = min(at + chunk, end)
                court.run_until(at)
                if progress is not None:
                    progress((at - origin) / (end - origin))
    finally:  # a failed run still leaves its events on disk
        if events_file is not None:
            events_file.close()
    invariants = None
    if checker is not None:
        invariants = checker.finish(court, end, ledger_before)
        checker.raise_if_violated()
    wall = _time.perf_counter() - t0
    capacity = hours.capacity(warm_s, days * DAY_S)
    day_cap = sum(b - a for a, b in profile.periods)
    out = collector.summary(staff.stats, people, capacity, series, days - profile.warmup_days, end, day_cap)
    # one ratio per week of the run from the warm-up's end (``weekly_from``: the first list entry's week), a quiet week
    # 0 — the lists once skipped the warm-up's weeks and any week without work, and the charts counted weeks from 0
    weeks = (int(warm_s // (7 * DAY_S)), int(math.ceil(days / 7)))
    out["weekly_from"] = weeks[0]
    out["weekly_utilisation"] = _weekly(staff.stats.weekly, people, hours, weeks, (warm_s, days * DAY_S))
    out["weekly_demand"] = _weekly(staff.stats.weekly_demand, people, hours, weeks, (warm_s, days * DAY_S))
    out["meta"] = {"court": unit.court or profile.name, "start_cases": len(start_cases),
                   "replication": unit.replication, "years": unit.years,
                   "warmup_days": profile.warmup_days, "cases_filed": len(arr),
                   "engine_events": court.runtime.events_recorded - events_before,
                   "engine_commands": court.runtime.commands_handled,
                   "timers_stale": court.runtime.timers_stale, "wall_s": wall,
                   "simpy_events": _processed(env, eid_before, queued_before) if unit.count_events else 0,
                   "refusals": dict(actor.refused), "unfiled": len(unfiled),
                   "staff": {r: len(n) for r, n in people.items()},
                   "out_of_turn": staff.stats.out_of_turn,
                   "origin": origin.isoformat()}
    if unit.process is not None:  # a court with its own process options: which ran, said in the outputs
        base, overrides = process_lines(profile)
        out["meta"]["process"] = {"base": base, "overrides": overrides,
                                  "fees_charged": collector.fees}
    out["invariants"] = invariants and {**invariants, "violations": invariants["violations"][:20],
                                        "violation_count": len(invariants["violations"])}
    out["cases"] = _case_rows(court, collector)
    # a guess is never silent: the provisional holiday years the run's deadlines and staff working days relied on
    # (up to its end: a deadline or a working day after it does not touch the results)
    years, deadlines = collector.provisional_before(end)
    if hours.calendar is not None:
        years |= {y for y in hours.calendar.provisional_years() if y <= end.year}
    out["calendar"] = {"provisional_years": sorted(years), "provisional_deadlines": deadlines}
    return out


def _weekly(busy_by_week: dict[tuple[str, int], float], people: dict[str, Any], hours: WorkHours,
            weeks: tuple[int, int], window: tuple[float, float]) -> dict[str, list[float]]:
    """Per role, one ratio a week for each week in ``weeks`` (first, end): staff seconds ÷ the role's working seconds
    that week within the counted ``window`` (the warm-up's end to the run's end: a week cut by either is not read
    low); a week without work is 0, not left out (which shifted every later week on the chart)."""
    roles = sorted({role for role, _ in busy_by_week})
    weekly: dict[str, list[float]] = {}
    for role in roles:
        n = len(people.get(role, ())) or 1
        row = []
        for week in range(*weeks):
            cap = hours.capacity(max(week * 7 * DAY_S, window[0]), min((week + 1) * 7 * DAY_S, window[1])) * n
            busy = busy_by_week.get((role, week), 0.0)
            row.append(busy / cap if cap > 0 else 0.0)
        weekly[role] = row
    return weekly


class _EventTable:
    """The per-event table (CSV, masked), written as the events happen: flushed whenever the simulated day changes,
    so a killed run leaves every day it finished on disk (a flush per event would cost a year-scale run dearly)."""

    def __init__(self, path: Path) -> None:
        import csv

        from sim.report import CSV_ENCODING

        self.path = path
        self._fh = path.open("w", newline="", encoding=CSV_ENCODING)
        self._w = csv.writer(self._fh)
        self._w.writerow(["at", "case", "kind", "node", "instance", "item", "data"])
        self._fh.flush()
        self._day: Any = None
        self.rows = 0

    def __call__(self, e: Any) -> None:
        import json

        from core_flow.masking import mask_data
        from sim.report import mask

        day = e.at.date()
        if day != self._day:
            self._fh.flush()
            self._day = day
        # strings masked before the JSON is written: numbers stay numbers (masking the JSON text took a float's
        # 16 decimals for an account number)
        data = json.dumps(mask_data(e.as_dict()["data"]), ensure_ascii=False) if e.data else ""
        self._w.writerow([e.at.isoformat(), e.case_id, e.kind.value, e.node if e.node is not None else "",
                          mask(e.instance), e.item or "", data])
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


def _processed(env: Any, eid_before: int, queued_before: int) -> int:
    """SimPy events processed since ``next(env._eid)`` gave ``eid_before`` with ``queued_before`` queued: those queued
    then and those scheduled since, less those still queued. (SimPy numbers scheduled events with ``env._eid``, only to
    keep same-instant events in order; taking a number skips one and changes no order.)"""
    scheduled = next(env._eid) - eid_before - 1
    return queued_before + scheduled - len(env._queue)


def _event_writer(court: Any, directory: Path, unit: Unit) -> _EventTable:
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w\u4e00-\u9fff]+", "_", unit.court or "court").strip("_")
    table = _EventTable(directory / f"events-{name}-r{unit.replication}.csv")
    court.runtime.subscribe(table)
    return table


def _case_rows(court: Any, collector: Collector) -> list[dict[str, Any]]:
    rows = []
    for k, s in court.runtime.cases.items():
        amounts = s.amounts()
        rows.append({"case": k, "type": s.case_type, "handler": s.handler or "", "filed": s.filed_at.isoformat(),
                     "closed": s.closed_at.isoformat() if s.closed_at else "", "manner": s.closed_manner or "",
                     "amount_cents": s.amount_cents, "paid_cents": amounts["paid_cents"],
                     "returned_cents": amounts["returned_cents"],
                     "frozen_nodes": sum(1 for ns in s.nodes.values() if ns.status.value in ("frozen",)),
                     "sweeps": collector.sweeps.get(k, 0), "resumed_as": s.resumed_as or "",
                     # a start state's register case: the sweeps due before the run (with ``sweeps``, 10 in 5 years)
                     "sweeps_before": collector.sweeps_before.get(k, 0)})
        if collector.fees:  # the court charges the 执行申请费 (process.yaml ``fees``): each case's due and settled
            # (in paid_cents: the applicant got paid_cents − fee_settled_cents − returned_cents); 0 where not charged
            rows[-1] |= {"fee_cents": amounts.get("fee_cents", 0),
                         "fee_settled_cents": amounts.get("fee_settled_cents", 0)}
    return rows

