"""集约查询 in the engine: scope recorded, the manual-query lock, the 3-day view rule and 督办; money to the cent
through freeze, 划拨, 到账 and the two-step payout approval; releases on closing; resumption from the 终本
register. Time is skipped on a SimPy clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.engine.spc import open_duban
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
SCOPE = ("icbc", "ccb", "alipay", "csdc", "lb_410800_zyb")


@pytest.fixture
def rt(make_runtime):
    runtime = make_runtime(FILED)
    runtime.submit(c.FileCase("K", debtors=("D1",)))
    runtime.submit(c.StartNode("K", 3))
    runtime.submit(c.Assign("K", "张三"))
    runtime.submit(c.VerifyIdentity("K", "D1", True))
    return runtime


def kinds(rt, kind):
    return [e for e in rt.case_events("K") if e.kind == kind]


def test_inquiry_starts_only_after_it_was_triggered(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",)))
    assert rt.submit(c.StartInquiry("K", "D1", SCOPE)).refusal.code == "INQUIRY_NOT_TRIGGERED"
    rt.submit(c.Assign("K", "张三"))
    rt.submit(c.VerifyIdentity("K", "D1", True))
    assert rt.submit(c.StartInquiry("K", "D1", SCOPE)).accepted
    assert rt.submit(c.StartInquiry("K", "D1", SCOPE)).refusal.code == "INQUIRY_STARTED"


def test_manual_query_is_locked_until_every_in_scope_agency_answered(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    refused = rt.submit(c.ManualQuery("K", "D1", "icbc")).refusal
    assert refused.code == "MANUAL_QUERY_LOCKED" and set(refused.details) == set(SCOPE)
    assert "icbc" in refused.zh and "alipay" in refused.en
    # outside the scope (real estate, vehicles, equity…) the handler queries freely
    assert rt.submit(c.ManualQuery("K", "D1", "real_estate")).accepted
    for agency in SCOPE[:-1]:
        rt.submit(c.InquiryAnswered("K", "D1", agency))
    refused = rt.submit(c.ManualQuery("K", "D1", "icbc")).refusal
    assert refused.details == ("lb_410800_zyb",)  # only the outstanding one is named
    rt.submit(c.InquiryAnswered("K", "D1", "lb_410800_zyb"))
    assert rt.submit(c.ManualQuery("K", "D1", "icbc")).accepted
    assert len(kinds(rt, EventKind.INQUIRY_COMPLETED)) == 1


def test_answers_outside_the_scope_or_twice_are_refused(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    assert rt.submit(c.InquiryAnswered("K", "D1", "cmb")).refusal.code == "NOT_IN_SCOPE"
    assert rt.submit(c.InquiryAnswered("K", "D1", "icbc")).accepted
    assert rt.submit(c.InquiryAnswered("K", "D1", "icbc")).refusal.code == "ALREADY_ANSWERED"


def test_feedback_not_opened_within_three_days_raises_duban(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    rt.clock.run_until(cst(2025, 3, 6, 15, 0))  # Thursday
    rt.submit(c.InquiryAnswered("K", "D1", "icbc", holdings=2, amount_cents=500_000))
    received = kinds(rt, EventKind.FEEDBACK_RECEIVED)[0]
    # 3 days from Thu 03-06 → Sun 03-09, a rest day → Mon 03-10, ends 24:00
    assert received.data["view_by"] == cst(2025, 3, 11)
    rt.clock.run_until(cst(2025, 3, 10, 23, 59))
    assert not kinds(rt, EventKind.DUBAN_RAISED)
    rt.clock.run_until(cst(2025, 3, 11))
    raised = kinds(rt, EventKind.DUBAN_RAISED)
    assert len(raised) == 1 and raised[0].at == cst(2025, 3, 11) and "执行督办" in raised[0].data["module"]
    assert [(i["case_id"], i["agency"]) for i in open_duban(rt.cases)] == [("K", "icbc")]
    rt.clock.advance(timedelta(days=2))
    rt.submit(c.OpenFeedback("K", "D1", "icbc"))
    assert kinds(rt, EventKind.FEEDBACK_OPENED)[0].data["late"] is True
    assert len(kinds(rt, EventKind.DUBAN_CLOSED)) == 1
    assert open_duban(rt.cases) == []


def test_feedback_opened_in_time_raises_nothing(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    rt.submit(c.InquiryAnswered("K", "D1", "ccb", holdings=1, amount_cents=100))
    rt.submit(c.InquiryAnswered("K", "D1", "alipay", holdings=0))  # no property: nothing to view
    rt.clock.advance(timedelta(days=2))
    rt.submit(c.OpenFeedback("K", "D1", "ccb"))
    rt.clock.advance(timedelta(days=30))
    assert not kinds(rt, EventKind.DUBAN_RAISED)
    assert rt.submit(c.OpenFeedback("K", "D1", "alipay")).refusal.code == "NO_FEEDBACK"


def test_a_hub_part_answers_several_agencies_at_once_and_is_checked_as_a_whole(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    # a part naming an agency outside the scope, or one twice, changes nothing at all
    out = rt.submit(c.InquiryAnswers("K", "D1", found=(("icbc", 1, 100),), none_found=("ccb", "cmb")))
    assert out.refusal.code == "NOT_IN_SCOPE" and out.refusal.details == ("cmb",)
    out = rt.submit(c.InquiryAnswers("K", "D1", none_found=("ccb", "ccb")))
    assert out.refusal.code == "ALREADY_ANSWERED" and out.refusal.details == ("ccb",)
    assert set(rt.cases["K"].outstanding("D1")) == set(SCOPE)
    out = rt.submit(c.InquiryAnswers("K", "D1", found=(("icbc", 2, 500_000),), none_found=("ccb", "alipay")))
    assert out.accepted
    assert rt.cases["K"].outstanding("D1") == ["csdc", "lb_410800_zyb"]
    assert [e.data["agency"] for e in kinds(rt, EventKind.FEEDBACK_RECEIVED)] == ["icbc"]  # only property is viewed
    assert kinds(rt, EventKind.INQUIRY_NONE_FOUND)[0].data["agencies"] == ["ccb", "alipay"]
    # an agency of an earlier part cannot answer again; the rest completes the inquiry
    again = rt.submit(c.InquiryAnswers("K", "D1", none_found=("csdc", "alipay"))).refusal
    assert again.code == "ALREADY_ANSWERED" and again.details == ("alipay",)
    assert not kinds(rt, EventKind.INQUIRY_COMPLETED)
    assert rt.submit(c.InquiryAnswers("K", "D1", none_found=("csdc", "lb_410800_zyb"))).accepted
    assert len(kinds(rt, EventKind.INQUIRY_COMPLETED)) == 1
    assert rt.submit(c.ManualQuery("K", "D1", "icbc")).accepted
    # the property reported in the part runs the 3-day view rule like a single answer
    rt.clock.advance(timedelta(days=5))
    assert [e.data["agency"] for e in kinds(rt, EventKind.DUBAN_RAISED)] == ["icbc"]


def test_property_reported_in_a_part_starts_its_control_deadline_as_a_record_would(rt, make_runtime):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    refused = rt.submit(c.InquiryAnswers("K", "D1", found=(("icbc", 1, 500),), none_found=("cmb",),
                                         assets=(("icbc:A1", True, 500),)))
    assert refused.refusal.code == "NOT_IN_SCOPE"
    assert not [e for e in kinds(rt, EventKind.DEADLINE_SET) if e.instance == "icbc:A1"]
    rt.submit(c.InquiryAnswers("K", "D1", found=(("icbc", 1, 500),), assets=(("icbc:A1", True, 500),)))
    via_part = [(e.node, e.data.get("due")) for e in kinds(rt, EventKind.DEADLINE_SET) if e.instance == "icbc:A1"]
    # the same property recorded by a Record command on an identical case
    other = make_runtime(FILED)
    for cmd in (c.FileCase("K", debtors=("D1",)), c.StartNode("K", 3), c.Assign("K", "张三"),
                c.VerifyIdentity("K", "D1", True),
                c.Record("K", "property_found_online", "icbc:A1", attrs={"amount_cents": 500})):
        other.submit(cmd)
    via_record = [(e.node, e.data.get("due")) for e in other.case_events("K")
                  if e.kind == EventKind.DEADLINE_SET and e.instance == "icbc:A1"]
    assert via_part == via_record and any(node == 17 for node, _ in via_part)
    anchor = [e for e in kinds(rt, EventKind.ANCHOR) if e.instance == "icbc:A1"]
    assert anchor[0].data["anchor"] == "property_found_online" and anchor[0].data["amount_cents"] == 500


def test_a_failed_query_is_feedback_that_lifts_the_lock_for_that_agency(rt):
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    rt.submit(c.InquiryAnswers("K", "D1", none_found=SCOPE[1:-1], failed=(("icbc", "fault_error_5xx"),)))
    failed = kinds(rt, EventKind.INQUIRY_FAILED)
    assert [(e.data["agencies"], e.data["codes"]) for e in failed] == [(["icbc"], ["fault_error_5xx"])]
    assert rt.cases["K"].outstanding("D1") == ["lb_410800_zyb"]  # icbc answered (with a failure)
    assert not kinds(rt, EventKind.FEEDBACK_RECEIVED)  # nothing to view
    again = rt.submit(c.InquiryAnswers("K", "D1", failed=(("icbc", "x"),))).refusal
    assert again.code == "ALREADY_ANSWERED"
    rt.submit(c.InquiryAnswers("K", "D1", none_found=("lb_410800_zyb",)))
    assert rt.submit(c.ManualQuery("K", "D1", "icbc")).accepted  # the handler queries it himself


def test_a_part_without_agencies_or_for_a_debtor_not_inquired_is_refused(rt):
    assert rt.submit(c.InquiryAnswers("K", "D1", none_found=("icbc",))).refusal.code == "NOT_IN_SCOPE"
    rt.submit(c.StartInquiry("K", "D1", SCOPE))
    assert rt.submit(c.InquiryAnswers("K", "D1")).refusal.code == "BAD_SCOPE"


# ── money ──────────────────────────────────────────────────────────────────────────────────────
def _money_flow(rt):
    rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 300_000_00, freeze_id="F1", account_no="A1"))
    rt.submit(c.FreezeConfirmed("K", "ccb-1", "ccb", 50_000_00, freeze_id="F2", account_no="A2"))
    rt.submit(c.DeductionConfirmed("K", "icbc-1", 120_000_00, "R1"))


def test_freeze_starts_node_31_and_money_arrival_nodes_32_and_33(rt):
    _money_flow(rt)
    st = rt.cases["K"]
    assert st.nodes[(31, "icbc-1")].items["main"].period == "7d"
    assert st.nodes[(32, "R1")].items["main"].period == "3d"
    assert st.nodes[(33, "R1")].items["main"].period == "30d"
    assert st.amounts() == {"frozen_cents": 230_000_00, "deducted_cents": 120_000_00, "proceeds_cents": 0,
                            "paid_cents": 0, "returned_cents": 0, "account_cents": 120_000_00}


def test_deduction_cannot_exceed_what_is_frozen(rt):
    _money_flow(rt)
    out = rt.submit(c.DeductionConfirmed("K", "icbc-1", 180_000_01, "R2"))
    assert out.refusal.code == "BAD_AMOUNT" and out.refusal.details == (180_000_00,)
    assert rt.submit(c.DeductionConfirmed("K", "nope", 1, "R3")).refusal.code == "NO_FREEZE"
    assert rt.submit(c.DeductionConfirmed("K", "ccb-1", 1, "R1")).refusal.code == "RECEIPT_EXISTS"


def test_payout_needs_registration_and_the_approvals_in_order(rt):
    _money_flow(rt)
    assert rt.submit(c.PayOut("K", "R1", 100)).refusal.code == "PAYOUT_NOT_APPROVED"
    assert rt.submit(c.ApprovePayout("K", "R1", "分管副院长")).refusal.code == "WRONG_AUTHORITY"  # 局长 first
    assert rt.submit(c.ApprovePayout("K", "R1", "执行局长")).accepted
    assert rt.submit(c.PayOut("K", "R1", 100)).refusal.code == "PAYOUT_NOT_APPROVED"
    assert rt.submit(c.ApprovePayout("K", "R1", "分管副院长")).accepted
    assert rt.submit(c.ApprovePayout("K", "R1", "分管副院长")).refusal.code == "ALREADY_APPROVED"
    assert rt.submit(c.PayOut("K", "R1", 100)).refusal.code == "RECEIPT_NOT_REGISTERED"
    rt.submit(c.CompleteNode("K", 32, "R1"))
    assert rt.submit(c.PayOut("K", "R1", 120_000_01)).refusal.code == "BAD_AMOUNT"
    assert rt.submit(c.PayOut("K", "R1", 20_000_00)).accepted
    assert rt.cases["K"].status(33, "R1") != NodeStatus.DONE
    assert rt.submit(c.PayOut("K", "R1", 100_000_00)).accepted
    assert rt.cases["K"].status(33, "R1") == NodeStatus.DONE
    assert rt.cases["K"].amounts()["account_cents"] == 0


def test_a_surplus_returned_to_the_debtor_pays_nothing_of_the_claim(make_runtime):
    """余款退还: only what is left once the applicant's claim is met (refused CLAIM_OUTSTANDING before); money paid
    back to the debtor leaves the case account (paid_cents, as the bank's statement shows) and is kept apart
    (returned_cents), not counted as paid to the applicant (outstanding_cents)."""
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=50_000_00))
    rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 300_000_00, freeze_id="F1", account_no="A1"))
    rt.submit(c.DeductionConfirmed("K", "icbc-1", 120_000_00, "R1"))
    for who in ("执行局长", "分管副院长"):
        rt.submit(c.ApprovePayout("K", "R1", who))
    rt.submit(c.CompleteNode("K", 32, "R1"))
    assert rt.submit(c.PayOut("K", "R1", 30_000_00)).accepted
    early = rt.submit(c.PayOut("K", "R1", 70_000_00, surplus=True)).refusal  # 20,000 still owed to the applicant
    assert early.code == "CLAIM_OUTSTANDING" and early.details == (20_000_00,) and "20000" in early.zh
    assert rt.submit(c.PayOut("K", "R1", 20_000_00)).accepted
    out = rt.submit(c.PayOut("K", "R1", 70_000_00, surplus=True))
    assert out.accepted and out.events[0].data["surplus"] is True
    st = rt.cases["K"]
    assert st.outstanding_cents() == 0
    amounts = st.amounts()
    assert (amounts["paid_cents"], amounts["returned_cents"], amounts["account_cents"]) == (
        120_000_00, 70_000_00, 0)


def test_a_frozen_payout_node_blocks_payment(rt):
    _money_flow(rt)
    rt.submit(c.CompleteNode("K", 32, "R1"))
    rt.submit(c.ApprovePayout("K", "R1", "执行局长"))
    rt.submit(c.ApprovePayout("K", "R1", "分管副院长"))
    rt.clock.advance(timedelta(days=40))
    assert rt.cases["K"].status(33, "R1") == NodeStatus.FROZEN
    assert rt.submit(c.PayOut("K", "R1", 100)).refusal.code == "NODE_FROZEN"


def test_closing_by_completion_lists_the_freezes_to_release_and_measures_to_lift(rt):
    _money_flow(rt)
    rt.submit(c.CompleteNode("K", 7))  # the notice, then the restriction
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    out = rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室"))
    closed = out.events[0].data
    assert {r["asset"]: r["amount_cents"] for r in closed["release"]} == {"icbc-1": 180_000_00, "ccb-1": 50_000_00}
    assert closed["lift"] == ["限制消费"]
    assert rt.submit(c.FreezeReleased("K", "icbc-1")).accepted
    assert rt.submit(c.FreezeReleased("K", "icbc-1")).refusal.code == "NO_FREEZE"


def test_preservation_keeps_its_controls_on_closing(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("P", case_type="preservation"))
    rt.submit(c.FreezeConfirmed("P", "a", "icbc", 100))
    closed = rt.submit(c.Close("P", "执行完毕", reviewed_by="审判管理办公室")).events[0].data
    assert closed["release_controls"] is False and closed["release"] == []


# ── resumption from the 终本 register ───────────────────────────────────────────────────────────
def _zhongben(rt):
    for node in (3, 7, 9, 10, 18):
        rt.submit(c.CompleteNode("K", node))
    rt.submit(c.CompleteNode("K", 36, authority="院长"))
    rt.clock.run_until(cst(2025, 6, 10))
    assert rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted


def test_resumption_is_approved_pushed_and_filed_and_the_sweeps_stop(rt):
    assert rt.submit(c.RequestResumption("K")).refusal.code == "NOT_ZHONGBEN"
    _zhongben(rt)
    rt.clock.run_until(cst(2026, 1, 1))  # one sweep so far
    rt.submit(c.Record("K", "property_found_after_zhongben", "sweep-1"))
    rt.submit(c.FreezeConfirmed("K", "icbc-9", "icbc", 10_000))
    assert rt.submit(c.ApproveResumption("K", "执行局长")).refusal.code == "NO_RESUMPTION_REQUEST"
    rt.submit(c.RequestResumption("K", reason="统查发现存款"))
    assert rt.submit(c.ApproveResumption("K", "中院")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ResumptionFiled("K", "K-恢")).refusal.code == "RESUMPTION_NOT_APPROVED"
    approved = rt.submit(c.ApproveResumption("K", "执行局长")).events[0]
    assert approved.kind == EventKind.RESUMPTION_APPROVED and approved.data["handler"] == "张三"
    assert rt.submit(c.ResumptionFiled("K", "K-恢")).accepted
    rt.clock.run_until(cst(2031, 1, 1))
    assert len(kinds(rt, EventKind.SWEEP_DUE)) == 1
    assert [e.item for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 46] == ["review"]
