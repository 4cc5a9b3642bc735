"""Warnings, automatic node freezes and the approvals that lift them; the time limit; the 终本 gate;
the 终本 sweeps; the node-46 handler rule; the 集约查询 trigger. Time is skipped on a SimPy clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday


def kinds(rt, case="K", node=None):
    return [e.kind for e in rt.case_events(case) if node is None or e.node == node]


@pytest.fixture
def rt(make_runtime):
    runtime = make_runtime(FILED)
    runtime.submit(c.FileCase("K", debtors=("D1",)))
    runtime.submit(c.StartNode("K", 3))  # the first inquiry starts on the filing day, as it should
    return runtime


# Each freezing rule of PROCESS.md: (node, how to start its clock, instance, the authorities that may unfreeze,
# a node it blocks, an authority that may not unfreeze)
FREEZING = [
    (3, None, "", {"intermediate_court"}, 4, "bureau_head"),
    (7, c.Assign("K", "张三"), "", {"court_leader", "bureau_head"}, 9, "president"),
    (17, c.Record("K", "property_found_online", "a1"), "a1", {"court_leader", "bureau_head"}, 19, "intermediate_court"),
    (20, c.Record("K", "property_controlled", "a1"), "a1", {"intermediate_bureau_head"}, 21, "bureau_head"),
    (23, c.Record("K", "reference_price_fixed", "a1"), "a1", {"intermediate_bureau_head"}, 24, "court_leader"),
    (26, c.Record("K", "first_unsold", "a1"), "a1", {"intermediate_bureau_head"}, 27, "bureau_head"),
    (31, c.Record("K", "freeze_effective", "a1"), "a1", {"court_leader", "bureau_head"}, 32, "intermediate_court"),
    (32, c.Record("K", "money_arrived", "r1"), "r1", {"court_leader", "bureau_head"}, 33, "high_court"),
    (
        33,
        [c.Record("K", "money_arrived", "r1"), c.CompleteNode("K", 32, "r1")],
        "r1",
        {"intermediate_bureau_head"},
        None,
        "bureau_head",
    ),
]


@pytest.mark.parametrize(("node", "start", "inst", "allowed", "blocks", "wrong"), FREEZING)
def test_warning_then_freeze_then_unfreeze(make_runtime, process, node, start, inst, allowed, blocks, wrong):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",)))
    if node != 3:
        rt.submit(c.StartNode("K", 3))
    for cmd in start if isinstance(start, list) else [start] if start else []:
        assert rt.submit(cmd).accepted
    st = rt.cases["K"].nodes[(node, inst)]
    due = min(i.due for i in st.items.values())
    assert set(process.by_no[node].unfreeze) == allowed

    rt.clock.run_until(due - timedelta(minutes=1))
    assert rt.cases["K"].status(node, inst) == NodeStatus.WARNED
    assert EventKind.WARNING in kinds(rt, node=node)
    assert EventKind.NODE_FROZEN not in kinds(rt, node=node)

    rt.clock.run_until(due)
    assert rt.cases["K"].status(node, inst) == NodeStatus.FROZEN
    frozen = [e for e in rt.case_events("K") if e.kind == EventKind.NODE_FROZEN and e.node == node]
    assert frozen[0].at == due and set(frozen[0].data["unfreeze_by"]) == allowed

    # a frozen node cannot be completed, and the case cannot move to the next node
    assert rt.submit(c.CompleteNode("K", node, inst)).refusal.code == "NODE_FROZEN"
    if blocks is not None:
        assert rt.submit(c.StartNode("K", blocks, inst)).refusal.code == "NODE_FROZEN"
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).refusal.code == "NODE_FROZEN"
    # approval needs a request first; only the named authority may approve
    assert rt.submit(c.ApproveUnfreeze("K", node, sorted(allowed)[0], inst)).refusal.code == "NO_UNFREEZE_REQUEST"
    assert rt.submit(c.RequestUnfreeze("K", node, inst, by="张三", reason="补正")).accepted
    assert rt.cases["K"].status(node, inst) == NodeStatus.UNFREEZE_PENDING
    refused = rt.submit(c.ApproveUnfreeze("K", node, wrong, inst)).refusal
    assert refused.code == "WRONG_AUTHORITY" and set(refused.details) == allowed
    assert rt.cases["K"].status(node, inst) == NodeStatus.UNFREEZE_PENDING
    # approvers may be named in Chinese as in the guideline
    approver = process.authority(sorted(allowed)[0]).name
    assert rt.submit(c.ApproveUnfreeze("K", node, approver, inst)).accepted
    assert rt.cases["K"].status(node, inst) == NodeStatus.IN_PROGRESS
    if blocks is not None:
        assert rt.submit(c.StartNode("K", blocks, inst)).accepted
    assert rt.submit(c.CompleteNode("K", node, inst)).accepted


def test_rejected_unfreeze_stays_frozen(rt):
    rt.submit(c.Assign("K", "张三"))
    rt.clock.advance(timedelta(days=30))
    rt.submit(c.RequestUnfreeze("K", 7, by="张三"))
    assert rt.submit(c.RejectUnfreeze("K", 7, "执行局长", reason="理由不足")).accepted
    assert rt.cases["K"].status(7) == NodeStatus.FROZEN
    assert rt.submit(c.StartNode("K", 9)).refusal.code == "NODE_FROZEN"


@pytest.mark.parametrize(
    ("node", "start"), [(4, None), (9, c.StartNode("K", 9)), (19, c.Record("K", "property_controlled", "a"))]
)
def test_non_freezing_nodes_only_warn_and_report_overdue(rt, node, start):
    if start is not None:
        rt.submit(start)
    rt.clock.advance(timedelta(days=60))
    ks = kinds(rt, node=node)
    assert EventKind.WARNING in ks and EventKind.DEADLINE_MISSED in ks
    assert EventKind.NODE_FROZEN not in ks
    assert rt.submit(c.CompleteNode("K", node, "a" if node == 19 else "")).accepted


def test_done_in_time_means_no_warning_and_no_freeze(rt):
    rt.submit(c.Assign("K", "张三"))
    rt.clock.advance(timedelta(days=2))
    rt.submit(c.CompleteNode("K", 7))
    rt.clock.advance(timedelta(days=30))
    assert kinds(rt, node=7) == [EventKind.DEADLINE_SET, EventKind.ITEM_DONE, EventKind.NODE_DONE]


def test_node3_freezes_only_if_the_inquiry_was_not_started_on_the_filing_day(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K"))
    rt.clock.run_until(cst(2025, 3, 3, 16, 0))
    rt.submit(c.StartNode("K", 3))  # started on the filing day: item 'initiate' done
    rt.clock.advance(timedelta(days=5))  # the 48-hour control item runs late: overdue, not frozen
    assert rt.cases["K"].status(3) != NodeStatus.FROZEN
    assert (3, "control") in {(e.node, e.item) for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_MISSED}


def test_warning_lead_time_comes_from_the_data(rt, process):
    rt.submit(c.Assign("K", "张三"))
    warn = [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 7][0]
    assert process.warn_lead(process.by_no[7].items[0], process.by_no[7].items[0].period).amount == 1
    # received 03-03 + 10 days → Thu 03-13, due 03-14 00:00; warned 1 day before
    assert warn.data["warn_at"].isoformat() == "2025-03-13T00:00:00+08:00"


# ── the time limit: nodes 42 / 43 ──────────────────────────────────────────────────────────
LIMIT_DUE = cst(2025, 9, 4)  # 6 months from 2025-03-03 → Wed 09-03, 24:00


def test_limit_freezes_the_closing_node_if_neither_closed_nor_extended(rt):
    rt.clock.run_until(LIMIT_DUE - timedelta(days=1))
    assert rt.cases["K"].status(43) == NodeStatus.WARNED
    rt.clock.run_until(LIMIT_DUE)
    assert rt.cases["K"].status(43) == NodeStatus.FROZEN
    assert rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室")).refusal.code == "NODE_FROZEN"
    rt.submit(c.RequestUnfreeze("K", 43, by="张三"))
    assert rt.submit(c.ApproveUnfreeze("K", 43, "院长")).refusal.code == "WRONG_AUTHORITY"
    # the Chinese half names the authority in Chinese however it was given (it said "president 无权审批")
    by_code = rt.submit(c.ApproveUnfreeze("K", 43, "president")).refusal
    assert by_code.code == "WRONG_AUTHORITY" and by_code.zh.startswith("院长 无权审批")
    assert "president" not in by_code.zh
    # 层报: the 省法院 decides only a request the 中院 passed up
    assert rt.submit(c.ApproveUnfreeze("K", 43, "省法院")).refusal.code == "NOT_FORWARDED"
    out = rt.submit(c.ApproveUnfreeze("K", 43, "中院"))
    assert [e.kind for e in out.events] == [EventKind.UNFREEZE_FORWARDED]
    assert rt.cases["K"].status(43) == NodeStatus.UNFREEZE_PENDING
    assert rt.submit(c.ApproveUnfreeze("K", 43, "中院")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ApproveUnfreeze("K", 43, "省法院")).accepted
    assert rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室")).accepted


def test_an_approved_extension_moves_the_limit(rt):
    rt.clock.run_until(cst(2025, 8, 20))
    rt.submit(c.RequestLimitChange("K", "extend", reason="评估拍卖"))
    assert rt.submit(c.ApproveLimitChange("K", "执行局长")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ApproveLimitChange("K", "院长")).accepted
    rt.clock.run_until(LIMIT_DUE + timedelta(days=1))
    assert rt.cases["K"].status(43) != NodeStatus.FROZEN
    # 9 months from 2025-03-03 → Wed 12-03
    extended = cst(2025, 12, 4)
    rt.clock.run_until(extended - timedelta(seconds=1))
    assert rt.cases["K"].status(43) == NodeStatus.WARNED
    rt.clock.run_until(extended)
    assert rt.cases["K"].status(43) == NodeStatus.FROZEN


def test_a_further_extension_is_approved_by_the_president_and_filed_with_the_high_court(rt):
    # 审限规定 第五条: "经本院院长批准，可以延长三个月，还需延长的，层报高级人民法院备案" — a filing, not an approval
    rt.submit(c.RequestLimitChange("K", "extend", reason="评估拍卖"))
    first = rt.submit(c.ApproveLimitChange("K", "院长"))
    assert "filed_with" not in first.events[-1].data  # the first extension is the president's alone
    rt.submit(c.RequestLimitChange("K", "extend", reason="拍卖未完成"))
    assert rt.submit(c.ApproveLimitChange("K", "省法院")).refusal.code == "WRONG_AUTHORITY"
    out = rt.submit(c.ApproveLimitChange("K", "院长"))
    assert out.accepted and rt.cases["K"].limit.extensions == 2
    extended = out.events[-1]
    assert extended.kind == EventKind.LIMIT_EXTENDED and extended.data["authority"] == "president"
    assert extended.data["filed_with"] == ["intermediate_court", "high_court"]  # 层报: through the 中院
    # 3 + 3 months on the 6: 2025-03-03 + 12 months → Tue 2026-03-03 ends at 24:00, from the president's approval on
    assert extended.data["due"] == cst(2026, 3, 4)


def test_a_court_whose_rules_want_the_high_courts_approval_sets_it(process):
    from core_flow.clocks import SimClock
    from core_flow.engine import Engine
    from core_flow.legal_calendar import default_calendar
    from core_flow.runtime import Runtime

    ext = process.limit.extension.model_copy(update={"further": ("high_court",), "further_filed_with": ()})
    strict = process.model_copy(update={"limit": process.limit.model_copy(update={"extension": ext})})
    rt = Runtime(Engine(strict, default_calendar()), SimClock(FILED))
    rt.submit(c.FileCase("K", debtors=("D1",)))
    rt.submit(c.RequestLimitChange("K", "extend", reason="评估拍卖"))
    rt.submit(c.ApproveLimitChange("K", "院长"))
    rt.submit(c.RequestLimitChange("K", "extend", reason="拍卖未完成"))
    assert rt.submit(c.ApproveLimitChange("K", "院长")).refusal.code == "WRONG_AUTHORITY"
    out = rt.submit(c.ApproveLimitChange("K", "省法院"))
    assert out.accepted and "filed_with" not in out.events[-1].data


def test_an_unapproved_request_does_not_stop_the_freeze(rt):
    rt.submit(c.RequestLimitChange("K", "extend", reason="评估拍卖"))
    rt.clock.run_until(LIMIT_DUE)
    assert rt.cases["K"].status(43) == NodeStatus.FROZEN


def test_suspension_stops_the_limit_and_lifting_it_shifts_the_due_date(rt):
    rt.clock.run_until(cst(2025, 6, 2, 9))
    rt.submit(c.RequestLimitChange("K", "suspend", reason="中止执行"))
    rt.submit(c.ApproveLimitChange("K", "院长"))
    rt.clock.run_until(cst(2025, 7, 2, 9))  # suspended for 30 days
    out = rt.submit(c.LiftSuspension("K"))
    assert out.events[-1].data["suspended_days"] == 30
    rt.clock.run_until(LIMIT_DUE + timedelta(days=5))
    assert rt.cases["K"].status(43) != NodeStatus.FROZEN
    # 6 months from 2025-04-02 → Thu 10-02, in the 国庆 break (Oct 1–8) → Thu 10-09
    assert rt.cases["K"].nodes[(43, "")].items["limit"].due == cst(2025, 10, 10)


def test_closing_in_time_means_no_limit_freeze(rt):
    rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室"))
    rt.clock.run_until(LIMIT_DUE + timedelta(days=10))
    assert EventKind.NODE_FROZEN not in kinds(rt)


# ── 终本 gate and sweeps ────────────────────────────────────────────────────────────────
def test_zhongben_gate_lists_every_unmet_condition(rt):
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.refusal.code == "ZHONGBEN_GATE"
    assert set(out.refusal.details) == {
        "NOTICE_NOT_SENT",
        "NO_CONSUMPTION_RESTRICTION",
        "TOO_EARLY",
        "NO_INTERVIEW",
        "INQUIRY_NOT_DONE",
        "NETWORK_INQUIRY_NOT_DONE",
        "TRADITIONAL_INQUIRY_NOT_DONE",
    }
    assert rt.cases["K"].closed_manner is None


def _satisfy_gate(rt):
    for node in (3, 7, 9, 10, 18):
        assert rt.submit(c.CompleteNode("K", node)).accepted
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted  # 限制消费令: 院长签发


def test_zhongben_needs_more_than_three_months(rt):
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 6, 3, 12))  # the 3 months end at 06-03 24:00
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).refusal.details == ("TOO_EARLY",)
    rt.clock.run_until(cst(2025, 6, 4))
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


def test_zhongben_is_refused_while_the_case_account_holds_money_not_paid_out(rt):
    """终本规定 第一条第（三）项: money in the sub-account is property found; it is paid out before any 终本."""
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 6, 4))
    assert rt.submit(c.ProceedsArrived("K", "flat", 50_000_00, "R1")).accepted
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.refusal.code == "ZHONGBEN_GATE" and out.refusal.details == ("MONEY_IN_ACCOUNT",)
    assert rt.cases["K"].closed_manner is None


def _gate_ready_case(make_runtime):
    """Case K, a claim of 50,000 yuan, past the 终本 gate's nodes and its three months (06-04)."""
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=50_000_00))
    rt.submit(c.StartNode("K", 3))
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 6, 4))
    return rt


def test_zhongben_is_refused_once_the_claim_is_satisfied_in_full(make_runtime):
    """终本 is for a claim that could not be satisfied (终本规定 第一条); one satisfied in full is 执行完毕."""
    rt = _gate_ready_case(make_runtime)
    assert rt.submit(c.SatisfiedInKind("K", "car", 20_000_00)).accepted  # part of it: 终本 still possible
    assert rt.submit(c.SatisfiedInKind("K", "flat", 30_000_00)).accepted  # the rest: nothing left to enforce
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.refusal.code == "ZHONGBEN_GATE" and out.refusal.details == ("CLAIM_SATISFIED",)
    assert "执行完毕" in out.refusal.zh and "in full" in out.refusal.en
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted


def test_a_claim_partly_satisfied_may_still_close_by_zhongben(make_runtime):
    rt = _gate_ready_case(make_runtime)
    assert rt.submit(c.SatisfiedInKind("K", "car", 20_000_00)).accepted
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


def test_a_missing_debtor_is_searched_for_before_zhongben(rt):
    """终本规定 condition 5 (LAW.md): a debtor recorded missing has been searched for (node 14)."""
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 6, 4))
    assert rt.submit(c.Record("K", "debtor_missing")).accepted
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.refusal.details == ("MISSING_NOT_SEARCHED",) and "节点14" in out.refusal.zh
    assert rt.submit(c.CompleteNode("K", 14)).accepted
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


@pytest.mark.parametrize(("node", "authority"), [(40, "院长"), (41, None)])
def test_obstruction_is_sanctioned_before_zhongben_by_a_fine_detention_or_criminal_referral(rt, node, authority):
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 6, 4))
    assert rt.submit(c.Record("K", "obstruction_found")).accepted
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.refusal.details == ("OBSTRUCTION_NOT_SANCTIONED",)
    assert rt.submit(c.CompleteNode("K", node, authority=authority)).accepted
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


def test_a_gate_condition_on_an_unknown_fact_is_refused_at_load():
    from pathlib import Path

    from core_flow.errors import UserError
    from core_flow.process_loader import parse_process

    text = (Path(__file__).parents[1] / "core_flow" / "data" / "process.yaml").read_text(encoding="utf-8")
    assert "when: debtor_missing" in text
    with pytest.raises(UserError, match="debtor_mising") as err:
        parse_process(text.replace("when: debtor_missing", "when: debtor_mising"), "p.yaml")
    assert "zhongben_gate" in err.value.zh and "未知适用条件" in err.value.zh


def test_shixin_condition_applies_only_to_eligible_debtors(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", shixin_eligible=True))
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 7, 1))
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).refusal.details == ("SHIXIN_NOT_LISTED",)
    rt.submit(c.CompleteNode("K", 37, authority="院长"))
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


def test_zhongben_sweeps_every_six_months_for_five_years_and_no_longer(rt):
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2025, 7, 1, 10))
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))
    assert out.events[0].data["release_controls"] is False
    rt.clock.run_until(cst(2035, 1, 1))
    sweeps = [e for e in rt.case_events("K") if e.kind == EventKind.SWEEP_DUE]
    assert [e.data["round"] for e in sweeps] == list(range(1, 11))
    assert sweeps[0].at.date().isoformat() == "2026-01-02"  # counting starts the next day: 2026-01-01 24:00
    assert sweeps[-1].at.date().isoformat() == "2030-07-02"
    assert rt.cases["K"].status(45) == NodeStatus.DONE


def test_a_zhongben_entered_after_the_fact_counts_its_sweeps_from_its_real_day(make_runtime):
    """A court's 终本 register loaded later (``Close(closed_at=…)``): the sweeps due before the entry took place
    before it (done, not fired), the rest come due on the real schedule; post-closing deadlines already past are met."""
    rt = make_runtime(cst(2027, 3, 1, 9))  # the register is entered on 2027-03-01 …
    rt.submit(c.FileCase("K", filed_at=FILED))
    _satisfy_gate(rt)
    out = rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室", closed_at=cst(2025, 7, 1, 10)))  # … closed then
    closed = out.events[0]
    assert out.accepted and closed.at == cst(2027, 3, 1, 9) and closed.data["closed_at"] == cst(2025, 7, 1, 10)
    assert closed.data["sweeps_before"] == 3  # 2026-01-02, 2026-07-02, 2027-01-02
    assert rt.cases["K"].closed_at == cst(2025, 7, 1, 10)
    assert not [e for e in out.events if e.kind == EventKind.DEADLINE_SET and e.data["due"] <= cst(2027, 3, 1, 9)]
    rt.clock.run_until(cst(2035, 1, 1))
    sweeps = [e for e in rt.case_events("K") if e.kind == EventKind.SWEEP_DUE]
    assert [e.data["round"] for e in sweeps] == list(range(4, 11))  # the same days as a closing on 2025-07-01
    assert sweeps[0].at.date().isoformat() == "2027-07-02" and sweeps[-1].at.date().isoformat() == "2030-07-02"
    assert rt.cases["K"].status(45) == NodeStatus.DONE
    assert not [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_MISSED]


@pytest.mark.parametrize("closed_at", [cst(2030, 1, 1), cst(2025, 1, 1), None])
def test_a_closing_after_the_fact_lies_between_filing_and_now_and_names_its_reviewer(rt, closed_at):
    _satisfy_gate(rt)
    rt.clock.run_until(cst(2027, 3, 1, 9))
    cmd = (c.Close("K", "终本", closed_at=cst(2025, 7, 1)) if closed_at is None  # no reviewer named
           else c.Close("K", "终本", reviewed_by="审判管理办公室", closed_at=closed_at))
    out = rt.submit(cmd)
    assert out.refusal.code == "BAD_CLOSED_AT" and rt.cases["K"].closed_manner is None


def test_closing_by_completion_releases_controls_except_in_preservation(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("A"))
    rt.submit(c.FileCase("P", case_type="preservation"))
    assert rt.submit(c.Close("A", "执行完毕", reviewed_by="审判管理办公室")).events[0].data["release_controls"] is True
    assert rt.submit(c.Close("P", "执行完毕", reviewed_by="审判管理办公室")).events[0].data["release_controls"] is False


def test_a_closed_case_refuses_further_filing_commands(rt):
    rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室"))
    assert rt.submit(c.Assign("K", "李四")).refusal.code == "CASE_CLOSED"
    assert rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室")).refusal.code == "CASE_CLOSED"


# ── node 46: a resumed case needs a different handler ─────────────────────────────────────
def test_resumed_case_with_the_same_handler_freezes_its_filing_node(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("R", case_type="resumed", previous_case="K", previous_handler="张三"))
    rt.submit(c.Assign("R", "张三"))
    assert rt.cases["R"].status(2) == NodeStatus.FROZEN
    assert rt.submit(c.StartNode("R", 3)).refusal.code == "NODE_FROZEN"
    rt.submit(c.RequestUnfreeze("R", 2, by="张三"))
    assert rt.submit(c.ApproveUnfreeze("R", 2, "中院")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ApproveUnfreeze("R", 2, "执行局局长")).accepted
    assert rt.submit(c.StartNode("R", 3)).accepted


def test_resumed_case_with_a_new_handler_runs_normally(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("R", case_type="resumed", previous_case="K", previous_handler="张三"))
    rt.submit(c.Assign("R", "李四"))
    assert rt.cases["R"].status(2) != NodeStatus.FROZEN
    assert EventKind.NODE_FROZEN not in kinds(rt, "R")


# ── 集约查询 trigger (法明传〔2020〕849号) ───────────────────────────────────────────────────
def test_inquiry_starts_when_assigned_and_identity_passes(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1", "D2")))
    rt.submit(c.VerifyIdentity("K", "D1", True))
    assert EventKind.INQUIRY_TRIGGERED not in kinds(rt)  # not assigned yet
    rt.submit(c.Assign("K", "张三"))
    rt.submit(c.VerifyIdentity("K", "D2", False))
    triggered = [e.data["debtor"] for e in rt.case_events("K") if e.kind == EventKind.INQUIRY_TRIGGERED]
    assert triggered == ["D1"]
    assert rt.submit(c.VerifyIdentity("K", "D2", True)).refusal.code == "IDENTITY_NOT_CORRECTED"
    rt.submit(c.CorrectIdentity("K", "D2", corrected_to="410811199001011234"))
    rt.submit(c.VerifyIdentity("K", "D2", True))
    triggered = [e.data["debtor"] for e in rt.case_events("K") if e.kind == EventKind.INQUIRY_TRIGGERED]
    assert triggered == ["D1", "D2"]


@pytest.mark.parametrize(
    ("kwargs", "filed"),
    [({"money": False}, FILED), ({"case_type": "resumed"}, FILED), ({}, cst(2020, 12, 31, 10))],
)
def test_inquiry_scope_of_cases(make_runtime, kwargs, filed):
    rt = make_runtime(filed)
    rt.submit(c.FileCase("K", debtors=("D1",), **kwargs))
    rt.submit(c.Assign("K", "李四"))
    rt.submit(c.VerifyIdentity("K", "D1", True))
    assert EventKind.INQUIRY_TRIGGERED not in kinds(rt)


def test_every_state_change_is_an_event_with_its_virtual_time(rt):
    rt.submit(c.Assign("K", "张三"))
    rt.clock.advance(timedelta(days=20))
    times = [e.at for e in rt.case_events("K")]
    assert times == sorted(times)
    frozen = [e for e in rt.case_events("K") if e.kind == EventKind.NODE_FROZEN]
    assert frozen and all(
        e.at == rt.cases["K"].nodes[(e.node, e.instance)].items["main"].due for e in frozen if e.node == 7
    )


def test_refusals_leave_the_state_untouched(rt):
    import copy

    snapshot = copy.deepcopy(rt.cases["K"])
    for cmd in (
        c.ApproveUnfreeze("K", 7, "院长"),
        c.RequestUnfreeze("K", 7),
        c.ApproveLimitChange("K", "院长"),
        c.CompleteItem("K", 7, "nope"),
        c.StartNode("K", 99),
        c.LiftSuspension("K"),
    ):
        assert not rt.submit(cmd).accepted
    assert rt.cases["K"] == snapshot


# ── dates beyond the official holiday data ──────────────────────────────────────────────────────
def _runtime(process, origin: datetime, strict: bool):
    from core_flow.clocks import SimClock
    from core_flow.engine import Engine
    from core_flow.legal_calendar import HolidayCalendar, LegalCalendar
    from core_flow.runtime import Runtime

    engine = Engine(process, LegalCalendar(HolidayCalendar(use_env=False, strict=strict)))
    return Runtime(engine, SimClock(origin))


def test_a_strict_calendar_refuses_a_command_whose_deadline_lacks_official_data_and_changes_nothing(process):
    import copy

    rt = _runtime(process, cst(2026, 11, 25, 10), strict=True)  # the 6-month limit would end in 2027
    out = rt.submit(c.FileCase("K"))
    assert out.refusal.code == "CALENDAR_RANGE" and "2027" in out.refusal.zh and "2027" in out.refusal.en
    assert "K" not in rt.cases

    rt = _runtime(process, cst(2026, 6, 1, 10), strict=True)
    rt.submit(c.FileCase("K"))
    rt.clock.run_until(cst(2026, 12, 20, 10))
    snapshot = copy.deepcopy(rt.cases["K"])
    assert rt.submit(c.Record("K", "first_unsold", "a1")).refusal.code == "CALENDAR_RANGE"  # 30 days → 2027
    assert rt.submit(c.CompleteItem("K", 30, "ruling", "a1")).refusal.code == "CALENDAR_RANGE"  # handover: 15 d
    assert rt.cases["K"] == snapshot
    assert rt.submit(c.Record("K", "money_arrived", "r1")).refusal.code == "CALENDAR_RANGE"  # 33: 30 days


def test_the_default_engine_uses_the_provisional_year_and_flags_each_such_deadline(process):
    import warnings

    from core_flow.legal_calendar import provisional_year_of

    rt = _runtime(process, cst(2026, 11, 25, 10), strict=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert rt.submit(c.FileCase("K")).accepted
    limit = [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 43][0]
    assert [provisional_year_of(w) for w in limit.data["calendar_warnings"]] == [2027]
    same_day = [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 1][0]
    assert "calendar_warnings" not in same_day.data


def test_hour_deadlines_of_property_found_at_one_instant_and_at_another(rt):
    """48 hours of node 17 from each finding: assets found together share their instant's deadline, one found later
    gets its own (the engine keeps the last instant's hour-based deadline)."""
    from core_flow.legal_calendar import Period

    calendar, period = rt.engine.calendar, Period.parse("48h")
    first = cst(2025, 3, 7, 16, 30)  # Friday afternoon: the 48 hours run over the weekend by the calendar's policy
    rt.clock.run_until(first)
    for asset in ("a1", "a2"):
        assert rt.submit(c.Record("K", "property_found_online", asset)).accepted
    later = cst(2025, 3, 10, 9, 15)
    rt.clock.run_until(later)
    assert rt.submit(c.Record("K", "property_found_online", "a3")).accepted
    due = {a: rt.cases["K"].nodes[(17, a)].items["online"].due for a in ("a1", "a2", "a3")}
    policy = rt.engine.process.by_no[17].items[0].policy
    assert due["a1"] == due["a2"] == calendar.deadline(first, period, policy).due
    assert due["a3"] == calendar.deadline(later, period, policy).due != due["a1"]


def test_a_frozen_predecessor_of_another_kind_of_instance_blocks_every_instance_of_the_node(rt):
    """到账登记 (node 32, per receipt) follows 扣划 (node 31, per asset): an asset's frozen deduction keeps every
    receipt from moving, whatever its instance — the predecessor of another kind of instance is looked up in all its
    instances (``EngineCore._pred_ways``, made once from the process), not under the receipt's own instance."""
    assert rt.submit(c.Record("K", "freeze_effective", "a1")).accepted
    due = min(i.due for i in rt.cases["K"].nodes[(31, "a1")].items.values())
    rt.clock.run_until(due)
    assert rt.cases["K"].status(31, "a1") == NodeStatus.FROZEN
    refused = rt.submit(c.StartNode("K", 32, "r1")).refusal
    assert refused is not None and refused.code == "NODE_FROZEN" and refused.details == ((31, "a1"),)
    assert rt.engine.blocking_nodes(rt.cases["K"], 32, "r1") == [rt.cases["K"].nodes[(31, "a1")]]
    assert rt.submit(c.StartNode("K", 32, "a1")).refusal.details == ((31, "a1"),)  # and under the asset's name
