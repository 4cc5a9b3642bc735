"""The share of cases closed within the 审限 reads the engine's own limit deadline: an approved 期限变更 extension
moves it (``within_limit_share``), the statutory 6 months do not move (``within_statutory_share``); and the approvals
of node freezes inherited from a start state are counted apart from the run's own."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from sim.kpi import KINDS, Collector
from sim.staff import StaffStats
from tests.conftest import cst
from tests.test_sim_kpi_carried import ORIGIN, _ev, _summary

FILED = cst(2025, 3, 3, 10, 0)  # Monday; 6 months → 2025-09-03, 9 months → 2025-12-03


def _run(make_runtime, extend: bool, close_at):
    rt = make_runtime(FILED)
    col = Collector(FILED, FILED, limit_node=rt.engine.process.limit.node)
    rt.subscribe(col, KINDS)
    rt.submit(c.FileCase("K", debtors=("D1",)))
    rt.submit(c.StartNode("K", 3))  # the first inquiry starts on the filing day
    if extend:
        rt.clock.run_until(cst(2025, 8, 20))
        rt.submit(c.RequestLimitChange("K", "extend", reason="评估拍卖"))
        assert rt.submit(c.ApproveLimitChange("K", "院长")).accepted
    rt.clock.run_until(close_at)
    if rt.cases["K"].status(43) == NodeStatus.FROZEN:  # the limit ran out: 层报 to the 省法院 to close at all
        rt.submit(c.RequestUnfreeze("K", 43, by="张三"))
        rt.submit(c.ApproveUnfreeze("K", 43, "中院"))
        assert rt.submit(c.ApproveUnfreeze("K", 43, "省法院")).accepted
    out = rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    return col.summary(StaffStats(), {"承办法官": ("J1",)}, 1.0, {"open": [1.0]}, 365, close_at, 8 * 3600.0)["kpi"]


def test_an_extension_approved_in_time_keeps_a_later_closing_within_the_limit(make_runtime):
    k = _run(make_runtime, extend=True, close_at=cst(2025, 10, 15, 10))  # after 6 months, before 9
    assert k["closed"] == 1
    assert k["within_limit_share"] == 1.0
    assert k["within_statutory_share"] == 0.0


def test_without_an_extension_the_same_closing_is_outside_both(make_runtime):
    k = _run(make_runtime, extend=False, close_at=cst(2025, 10, 15, 10))
    assert (k["within_limit_share"], k["within_statutory_share"]) == (0.0, 0.0)


def test_a_closing_within_six_months_is_within_both(make_runtime):
    k = _run(make_runtime, extend=False, close_at=cst(2025, 8, 1, 10))
    assert (k["within_limit_share"], k["within_statutory_share"]) == (1.0, 1.0)


def test_the_limit_follows_the_legal_calendar_not_a_day_count(make_runtime):
    # 2025-09-03 is 184 days after 2025-03-03: the old 183-day rule called a closing on the last day late
    k = _run(make_runtime, extend=False, close_at=cst(2025, 9, 3, 16))
    assert (k["within_limit_share"], k["within_statutory_share"]) == (1.0, 1.0)


def test_approvals_of_inherited_freezes_are_counted_apart():
    old = ORIGIN - timedelta(days=200)
    events = [
        _ev(ORIGIN, "OLD", EventKind.FILED, case_type="first", filed_at=old),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_SET, 9, "inquiry", due=old + timedelta(days=30)),
        _ev(ORIGIN, "OLD", EventKind.DEADLINE_MISSED, 9, "inquiry"),
        _ev(ORIGIN, "OLD", EventKind.NODE_FROZEN, 9, None, reason="DEADLINE:inquiry"),
        _ev(ORIGIN + timedelta(days=2), "OLD", EventKind.UNFREEZE_APPROVED, 9, None, authority="bureau_head"),
        _ev(ORIGIN + timedelta(days=1), "NEW", EventKind.FILED, case_type="first"),
        _ev(ORIGIN + timedelta(days=1), "NEW", EventKind.DEADLINE_SET, 7, "notice", due=ORIGIN + timedelta(days=3)),
        _ev(ORIGIN + timedelta(days=4), "NEW", EventKind.DEADLINE_MISSED, 7, "notice"),
        _ev(ORIGIN + timedelta(days=4), "NEW", EventKind.NODE_FROZEN, 7, None, reason="DEADLINE:notice"),
        _ev(ORIGIN + timedelta(days=5), "NEW", EventKind.UNFREEZE_APPROVED, 7, None, authority="bureau_head"),
        # the old case's node 9 frozen again, now by the staff's own miss: the run's
        _ev(ORIGIN + timedelta(days=6), "OLD", EventKind.DEADLINE_SET, 9, "inquiry", due=ORIGIN + timedelta(days=8)),
        _ev(ORIGIN + timedelta(days=9), "OLD", EventKind.DEADLINE_MISSED, 9, "inquiry"),
        _ev(ORIGIN + timedelta(days=9), "OLD", EventKind.NODE_FROZEN, 9, None, reason="DEADLINE:inquiry"),
        _ev(ORIGIN + timedelta(days=10), "OLD", EventKind.UNFREEZE_APPROVED, 9, None, authority="bureau_head"),
    ]
    k = _summary(events)["kpi"]
    assert (k["node_freezes_at_start"], k["unfreeze_approvals_at_start"]) == (1, 1)
    assert (k["node_freezes"], k["unfreeze_approvals"]) == (2, 2)
