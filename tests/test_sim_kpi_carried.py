"""KPIs with a start state: the carried-over caseload is not intake, cycle times count from each case's real filing
date, and deadlines already missed before the run are reported apart, not put on the simulated staff."""

from __future__ import annotations

from datetime import datetime, timedelta

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from sim.kpi import Collector
from sim.staff import StaffStats

ORIGIN = datetime(2025, 1, 2, 8, 30, tzinfo=CST)
END = ORIGIN + timedelta(days=365)


def _summary(events: list[Event]) -> dict:
    col = Collector(ORIGIN, ORIGIN)
    for e in events:
        col(e)
    return col.summary(StaffStats(), {"承办法官": ("J1",)}, 1.0, {"open": [1.0]}, 365, END, 8 * 3600.0)


def _ev(at: datetime, case: str, kind: EventKind, node: int | None = None, item: str | None = None,
        **data: object) -> Event:
    return Event(at, case, kind, node, "", item, dict(data))


def test_carried_over_cases_are_not_intake_and_their_overdue_deadlines_are_reported_apart():
    old = datetime(2024, 10, 8, 9, 0, tzinfo=CST)  # a start-state case, filed before the run
    later = ORIGIN + timedelta(days=40)
    events = [
        _ev(ORIGIN, "OLD", EventKind.FILED, case_type="first", filed_at=old),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_SET, 7, "notice", due=old + timedelta(days=10)),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_SET, 9, "inquiry", due=old + timedelta(days=30)),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_SET, 18, "interview", due=ORIGIN + timedelta(days=10)),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_MISSED, 7, "notice", due=old),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_MISSED, 9, "inquiry", due=old),
        _ev(ORIGIN, "OLD", EventKind.WARNING, 9, "inquiry"),
        _ev(ORIGIN, "OLD", EventKind.NODE_FROZEN, 9, None, reason="DEADLINE:inquiry", unfreeze_by=["bureau_head"]),
        _ev(ORIGIN, "OLD", EventKind.ITEM_DONE, 7, "notice", late=True),  # entered as done at the start
        _ev(ORIGIN + timedelta(days=3), "OLD", EventKind.ITEM_DONE, 9, "inquiry", late=True),  # done in the run
        _ev(ORIGIN + timedelta(days=20), "OLD", EventKind.DEADLINE_MISSED, 18, "interview"),  # the staff's miss
        _ev(later, "OLD", EventKind.CLOSED, manner="completed"),
        _ev(ORIGIN + timedelta(days=1), "NEW", EventKind.FILED, case_type="first"),
        _ev(ORIGIN + timedelta(days=1), "NEW", EventKind.DEADLINE_SET, 7, "notice",
            due=ORIGIN + timedelta(days=11)),
        _ev(ORIGIN + timedelta(days=5), "NEW", EventKind.ITEM_DONE, 7, "notice", late=False),
        _ev(ORIGIN + timedelta(days=31), "NEW", EventKind.CLOSED, manner="completed"),
        _ev(ORIGIN, "ZB", EventKind.FILED, case_type="first", filed_at=datetime(2022, 5, 5, 9, tzinfo=CST)),
        _ev(ORIGIN, "ZB", EventKind.CLOSED, manner="zhongben", closed_at=datetime(2022, 9, 30, 17, tzinfo=CST)),
    ]
    r = _summary(events)
    k = r["kpi"]
    assert k["filed"] == 1 and r["filed_by"] == {"first": 1}  # intake: the new case only
    assert (k["carried_over"], k["carried_over_open"], k["carried_over_zhongben"], k["carried_over_closed"]) == (
        2, 1, 1, 1)
    # the carried-over case's cycle counts from its real filing date (2024-10-08), not the run's start
    cycles = sorted([(later - old).total_seconds() / 86400, 30.0])
    assert r["cycle"]["completed"]["n"] == 2
    assert abs(r["cycle"]["completed"]["p90"] - (cycles[0] + 0.9 * (cycles[1] - cycles[0]))) < 1e-9
    assert k["within_limit_share"] == 1.0  # 40 + 86 days: both within 6 months
    # node 7 and node 9 were overdue before the run: apart; node 18 (due in the run) missed: the staff's
    assert k["overdue_at_start"] == 2 and r["carried_over"]["overdue_by_node"] == {"7": 1, "9": 1}
    assert r["per_node"]["18"]["late"] == 1 and "9" not in r["per_node"]
    assert r["per_node"]["7"] == {"deadlines": 1, "late": 0, "compliance": 1.0, "warnings": 0, "frozen": 0}
    assert k["warnings"] == 0 and k["node_freezes"] == 0 and k["node_freezes_at_start"] == 1
    assert r["carried_over"]["at_start"]["warnings"] == 1 and r["carried_over"]["at_start"]["entered_done"] == 1
    assert k["compliance"] == 0.5  # node 7 of the new case on time, node 18 of the old one late


def test_a_run_without_a_start_state_counts_everything_as_before():
    t = ORIGIN + timedelta(hours=1)
    r = _summary([_ev(t, "A", EventKind.FILED, case_type="resumed"),
                  _ev(t, "A", EventKind.DEADLINE_SET, 7, "notice", due=t + timedelta(days=1)),
                  _ev(t + timedelta(days=2), "A", EventKind.DEADLINE_MISSED, 7, "notice"),
                  _ev(t + timedelta(days=2), "A", EventKind.NODE_FROZEN, 7, None, reason="DEADLINE:notice")])
    assert r["kpi"]["filed"] == 1 and r["kpi"]["carried_over"] == 0 and r["kpi"]["node_freezes"] == 1
    assert r["per_node"]["7"]["late"] == 1 and r["kpi"]["overdue_at_start"] == 0
