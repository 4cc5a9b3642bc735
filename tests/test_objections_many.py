"""Objections to one price report by more than one party (seed 004 节点二十二: "当事人、利害关系人认为网络询价报告或者
评估报告有错误的，可以在收到报告后五日内提出书面异议。人民法院应当依法进行审查…应当在收到异议之日起十五日内审查完毕";
tests/fidelity_audit.md N22, review R6 2026-12-07). Every objection received in the 5 days is recorded (by whom) and
reviewed within 15 days of its own receipt, each under its own node 22 instance (``Disposal.objection_instance``: the
report's for the first, ``<asset>#<n>/<k>`` for the kth); the price is fixed only when the window has closed and none is
pending; one upheld asks a new price, and the others pending to that report are moot (their 15 days withdrawn).
Before: a second objection was refused while one was pending ("已有异议在审查中"), and one after a dismissal was taken
with no deadline (node 22 of the report's instance was already done)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.errors import UserError
from core_flow.legal_calendar import Period
from tests.test_disposal import Case


def _events(case: Case, kind: EventKind, node: int | None = None, instance: str | None = None) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == kind and (node is None or e.node == node) and (instance is None or e.instance == instance)]


def _anchors(case: Case, anchor: str) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.ANCHOR and e.data.get("anchor") == anchor]


def _due_15(case: Case, at):
    engine = case.court.runtime.engine
    item = engine.process.by_no[22].items[0]
    return engine.calendar.deadline(at, Period.parse("15d"), item.policy).due


def _two_objections() -> tuple[Case, str, str]:
    """A flat's report served; the debtor objects, a day later the applicant. Returns the case and both node 22
    instances."""
    case = Case().seal().price()
    case.d.object(case.k, case.asset, by="被执行人")
    case.court.run_for(timedelta(days=1))
    out = case.d.object(case.k, case.asset, by="申请执行人")  # the old code: refused, one under review
    assert out.accepted
    return case, case.asset, f"{case.asset}#1/2"


def test_two_parties_objecting_to_one_report_are_both_recorded_and_each_timed_from_its_own_receipt():
    case, first, second = _two_objections()
    received = _anchors(case, "objection_received")
    assert [(e.instance, e.data["by"]) for e in received] == [(first, "被执行人"), (second, "申请执行人")]
    assert received[1].at - received[0].at == timedelta(days=1)
    for e in received:  # each its own 15 days, from its own receipt
        ns = case.state.node(22, e.instance)
        assert ns is not None and not ns.items["main"].done
        assert ns.items["main"].due == _due_15(case, e.at)
    assert case.state.node(22, first).items["main"].due != case.state.node(22, second).items["main"].due
    assert [o.by for o in case.lot.objections] == ["被执行人", "申请执行人"] and case.lot.objection == "pending"


def test_the_price_is_fixed_only_after_both_objections_are_dismissed():
    case, first, second = _two_objections()
    lot = case.lot
    case.court.run_until(lot.objection_until + timedelta(hours=1))  # the window closed, both pending
    assert lot.stage == "reported" and not _anchors(case, "reference_price_fixed")
    case.d.review_objection(case.k, case.asset, upheld=False)  # the earliest received: the debtor's
    assert str(case.state.status(22, first)) == "done" and str(case.state.status(22, second)) != "done"
    assert lot.stage == "reported" and not _anchors(case, "reference_price_fixed")  # the applicant's still pending
    assert not _events(case, EventKind.DEADLINE_SET, 23)
    case.court.run_for(timedelta(days=1))
    case.d.review_objection(case.k, case.asset, upheld=False)
    assert str(case.state.status(22, second)) == "done"
    [fixed] = _anchors(case, "reference_price_fixed")
    assert lot.stage == "fixed" and fixed.at == case.court.clock.now() and case.status(20) == "done"
    [set_23] = _events(case, EventKind.DEADLINE_SET, 23, case.asset)
    assert set_23.at == fixed.at
    with pytest.raises(UserError):
        case.d.review_objection(case.k, case.asset, upheld=False)  # none left


def test_both_dismissed_inside_the_window_fix_the_price_when_it_closes():
    case, _, _ = _two_objections()
    lot = case.lot
    case.d.review_objection(case.k, case.asset, upheld=False)
    case.d.review_objection(case.k, case.asset, upheld=False)
    assert lot.stage == "reported" and not _anchors(case, "reference_price_fixed")
    case.court.run_until(lot.objection_until + timedelta(minutes=1))
    [fixed] = _anchors(case, "reference_price_fixed")
    assert fixed.at == lot.objection_until and lot.stage == "fixed"


def test_a_second_objection_after_a_dismissal_inside_the_window_is_timed_and_holds_the_price():
    case = Case().seal().price()
    lot = case.lot
    case.d.object(case.k, case.asset, by="被执行人")
    case.court.run_for(timedelta(days=1))
    case.d.review_objection(case.k, case.asset, upheld=False)  # dismissed inside the window: not fixed yet
    assert lot.stage == "reported"
    case.court.run_for(timedelta(hours=2))
    case.d.object(case.k, case.asset, by="利害关系人")
    second = f"{case.asset}#1/2"
    [received] = [e for e in _anchors(case, "objection_received") if e.instance == second]
    assert received.data["by"] == "利害关系人"
    ns = case.state.node(22, second)  # the old code: node 22 of the report's instance was done — no deadline at all
    assert ns is not None and ns.items["main"].due == _due_15(case, received.at)
    case.court.run_until(lot.objection_until + timedelta(hours=1))
    assert lot.stage == "reported" and not _anchors(case, "reference_price_fixed")  # pending: not fixed
    case.court.run_until(ns.items["main"].due + timedelta(hours=1))
    [missed] = _events(case, EventKind.DEADLINE_MISSED, 22, second)  # it does not escape its 15 days
    assert missed.at == ns.items["main"].due
    case.d.review_objection(case.k, case.asset, upheld=False)
    assert lot.stage == "fixed" and len(_anchors(case, "reference_price_fixed")) == 1


def test_one_upheld_asks_a_new_price_and_the_other_pending_is_moot():
    case, first, second = _two_objections()
    lot = case.lot
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    assert lot.stage == "pricing" and lot.objection == "upheld"
    assert [o.state for o in lot.objections] == ["upheld", "moot"]
    assert _events(case, EventKind.EXCHANGE) and any(
        e.data.get("kind") == "sent" and e.data.get("agency") == "pricing_platform" and e.data.get("measure") ==
        "appraisal" for e in _events(case, EventKind.EXCHANGE))
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 22, second)  # moot: its 15 days withdrawn
    assert withdrawn.data["by"] == "objection_upheld"
    assert str(case.state.status(22, first)) == "done" and not _events(case, EventKind.DEADLINE_WITHDRAWN, 22, first)
    with pytest.raises(UserError):
        case.d.review_objection(case.k, case.asset, upheld=False)  # nothing pending
    case.court.run_for(timedelta(days=60))
    assert not _events(case, EventKind.DEADLINE_MISSED, 22, second)
    # the new report: its own window and objections; its second objection is <asset>#2/2
    for _ in range(40):
        if lot.stage == "reported":
            break
        case.court.run_for(timedelta(days=1))
    assert lot.reports == 2 and lot.objections == []
    case.d.serve_report(case.k, case.asset)
    case.d.object(case.k, case.asset, by="被执行人")
    case.d.object(case.k, case.asset, by="申请执行人")
    assert case.state.node(22, f"{case.asset}#2") is not None and case.state.node(22, f"{case.asset}#2/2") is not None


def test_the_later_objection_may_be_reviewed_first_and_upheld():
    case, first, second = _two_objections()
    case.d.review_objection(case.k, case.asset, upheld=True, objection=2)
    assert [o.state for o in case.lot.objections] == ["moot", "upheld"]
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 22, first)
    assert withdrawn.data["by"] == "objection_upheld" and case.lot.stage == "pricing"


def test_an_objection_after_the_window_is_still_refused():
    case = Case().seal().price()
    case.d.object(case.k, case.asset, by="被执行人")
    case.court.run_until(case.lot.objection_until + timedelta(minutes=1))
    with pytest.raises(UserError) as err:
        case.d.object(case.k, case.asset, by="申请执行人")
    assert err.value.code == "objection_late" and len(case.lot.objections) == 1


def test_the_recorder_reads_a_further_objections_instance_as_the_assets() -> None:
    """A recorded log's events on ``<asset>#n/k`` (a kth objection to the nth report) replay as acts on the asset, as
    ``<asset>#n`` did: the pattern knew ``#n`` only, and such an event kept an instance no scenario step names."""
    from scenarios.record import _report_asset

    asset = "real_estate_registry:BD48****8101"
    for instance in (f"{asset}#1/2", f"{asset}#3", f"{asset}#2/10"):
        assert _report_asset({"instance": instance})["instance"] == asset
    assert _report_asset({"instance": asset})["instance"] == asset
