"""The new price report after an upheld objection goes the way of the first (seed 004 节点二十一: "收到…委托评估…
等报告后，应当将报告发送给当事人…自收到材料之日起三日内发送"; 节点二十二: "当事人、利害关系人认为网络询价报告
或者评估报告有错误的，可以在收到报告后五日内提出书面异议"; tests/fidelity_audit.md N21, N22): recorded (node 21's 3 days
run for it), served, a new 5-day window by the legal calendar, objected to or not, fixed when the window closes with no
objection pending or when the objection is dismissed — node 23's 10 days only then. It was fixed on arrival, unserved.
A later report's nodes 21–22 are timed under its own instance (``<asset>#2``…: ``Disposal.report_instance``); the
first report's stay the asset's."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.eventlog import EventLog
from core_flow.legal_calendar import Period
from scenarios.record_check import check_log
from tests.test_disposal import CLAIM, Case


def _events(case: Case, kind: EventKind, node: int | None = None, instance: str | None = None) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == kind and (node is None or e.node == node) and (instance is None or e.instance == instance)]


def _fixed(case: Case) -> list:
    return [e for e in _events(case, EventKind.ANCHOR, instance=case.asset)
            if e.data["anchor"] == "reference_price_fixed"]


def _upheld(method: str = "appraisal", seed: int = 5) -> tuple[Case, str]:
    """A flat priced, its report served, objected to and the objection upheld: a new price asked (``method``), its
    report in. Returns the case and the second report's instance."""
    case = Case(seed=seed).seal().price()
    case.court.run_for(timedelta(days=1))
    case.d.object(case.k, case.asset, by="申请执行人")
    case.d.review_objection(case.k, case.asset, upheld=True, method=method)
    assert case.lot.stage == "pricing" and case.status(22) == "done"
    for _ in range(40):
        case.court.run_for(timedelta(days=1))
        if case.lot.stage != "pricing":
            break
    return case, f"{case.asset}#2"


def test_the_report_after_an_upheld_objection_is_not_fixed_on_arrival_and_runs_node_21_again():
    case, second = _upheld()
    lot = case.lot
    assert lot.stage == "reported" and lot.reports == 2  # the old code: fixed on arrival
    assert case.status(20) != "done" and not _fixed(case)
    [received] = [e for e in _events(case, EventKind.ANCHOR, instance=second) if e.data["anchor"] == "report_received"]
    assert received.data["reference_price_cents"] == lot.reference_price_cents
    # node 21's 3 days for the new report, under its own instance; the first report's node 21 stays done
    ns = case.state.node(21, second)
    assert ns is not None and not ns.items["main"].done
    engine = case.court.runtime.engine
    item = engine.process.by_no[21].items[0]
    assert ns.items["main"].due == engine.calendar.deadline(received.at, Period.parse("3d"), item.policy).due
    assert case.status(21) == "done"
    served_at = case.court.clock.now()
    case.d.serve_report(case.k, case.asset)
    assert str(case.state.status(21, second)) == "done" and lot.objection_until is not None
    # a new 5 days by the legal calendar from the service
    assert lot.objection_until == case.court.runtime.engine.calendar.deadline(served_at, Period.parse("5d")).due
    case.court.run_until(lot.objection_until - timedelta(minutes=1))
    assert lot.stage == "reported" and not _fixed(case)
    case.court.run_until(lot.objection_until + timedelta(minutes=1))
    [fixed] = _fixed(case)  # the window closed with no objection: fixed now, node 23's 10 days from now
    assert lot.stage == "fixed" and fixed.at == lot.objection_until and case.status(20) == "done"
    set_23 = _events(case, EventKind.DEADLINE_SET, 23, case.asset)
    assert len(set_23) == 1 and set_23[0].at == fixed.at
    assert not _events(case, EventKind.DEADLINE_MISSED, 21) and not _events(case, EventKind.DEADLINE_MISSED, 22)


def test_the_second_report_not_served_in_3_days_is_warned_and_missed_and_not_fixed():
    case, second = _upheld()
    due = case.state.node(21, second).items["main"].due
    case.court.run_until(due + timedelta(days=10))
    assert _events(case, EventKind.WARNING, 21, second)
    [missed] = _events(case, EventKind.DEADLINE_MISSED, 21, second)
    assert missed.at == due
    assert case.lot.stage == "reported" and not _fixed(case)  # not served: no window, no price
    # node 20's 30 days (from the first request) stopped at the upheld objection (process.yaml node 20 `main` ends_on
    # objection_received): not frozen by the late service of the second report — it was, before 2026-12-07 (H17)
    assert case.status(20) not in ("frozen", "done")
    case.d.serve_report(case.k, case.asset)  # late, but served: its window runs
    case.court.run_for(timedelta(days=8))
    assert case.lot.stage == "fixed" and len(_fixed(case)) == 1


def test_an_objection_to_the_second_report_is_reviewed_and_dismissed_fixes_it():
    case, second = _upheld()
    lot = case.lot
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    case.d.object(case.k, case.asset, by="被执行人")
    [received] = [e for e in _events(case, EventKind.ANCHOR, instance=second)
                  if e.data["anchor"] == "objection_received"]
    ns = case.state.node(22, second)  # node 22's 15 days again, for this report
    assert ns is not None and not ns.items["main"].done and ns.items["main"].due > received.at + timedelta(days=14)
    case.court.run_until(lot.objection_until + timedelta(days=1))  # the window closed, the objection pending
    assert lot.stage == "reported" and not _fixed(case) and case.status(20) != "done"
    case.d.review_objection(case.k, case.asset, upheld=False)
    assert str(case.state.status(22, second)) == "done"
    [fixed] = _fixed(case)
    assert lot.stage == "fixed" and fixed.at == case.court.clock.now()
    [set_23] = _events(case, EventKind.DEADLINE_SET, 23, case.asset)
    assert set_23.at == fixed.at  # node 23's 10 days start only now


def test_an_objection_upheld_again_goes_round_again_and_an_earlier_window_fixes_nothing():
    """Upheld again: a third report (``#3``), each round timed — the seed sets no limit (our choice). A 网络询价 asked
    again answers within the first report's window: that window's end does not fix the new, unserved report."""
    case = Case().seal().price()
    lot = case.lot
    first_window = lot.objection_until
    case.d.object(case.k, case.asset)
    case.d.review_objection(case.k, case.asset, upheld=True, method="network_inquiry")
    for _ in range(5):
        case.court.run_for(timedelta(days=1))
        if lot.stage == "reported":
            break
    assert lot.stage == "reported" and lot.reports == 2 and case.court.clock.now() < first_window
    case.court.run_until(first_window + timedelta(hours=1))
    assert lot.stage == "reported" and not _fixed(case)  # the first window's end: nothing fixed
    case.d.serve_report(case.k, case.asset)
    case.d.object(case.k, case.asset, by="申请执行人")
    case.d.review_objection(case.k, case.asset, upheld=True, method="network_inquiry")
    for _ in range(6):
        case.court.run_for(timedelta(days=1))
        if lot.stage == "reported":
            break
    third = f"{case.asset}#3"
    assert lot.stage == "reported" and lot.reports == 3 and case.state.node(21, third) is not None
    assert str(case.state.status(22, f"{case.asset}#2")) == "done"
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=8))
    assert lot.stage == "fixed" and len(_fixed(case)) == 1
    # the second report, held back past the first window here, missed its own 3 days; the first and third did not
    assert {e.instance for e in _events(case, EventKind.DEADLINE_MISSED, 21)} == {f"{case.asset}#2"}
    assert not _events(case, EventKind.DEADLINE_MISSED, 22)


def test_payment_in_kind_withdraws_the_second_reports_service_deadline():
    """以物抵债 by agreement while the new report waits to be served: node 21's deadline for it is moot (ends_on
    sale_confirmed reaches the report's own instance), not missed."""
    case, second = _upheld()
    case.d.agree_in_kind(case.k, case.asset, CLAIM, applicant_consents=True, debtor_consents=True)
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 21, second)
    assert withdrawn.data["by"] == "sale_confirmed"
    case.court.run_for(timedelta(days=10))
    assert not _events(case, EventKind.DEADLINE_MISSED, 21, second)


def test_a_reports_instance_is_the_asset_for_the_first_and_numbered_after():
    from core_flow.platform.disposal import Disposal

    assert Disposal.report_instance("real_estate_registry:1", 1) == "real_estate_registry:1"
    assert Disposal.report_instance("real_estate_registry:1", 3) == "real_estate_registry:1#3"


def test_a_recorded_second_round_replays_the_acts_on_the_asset(tmp_path: Path, monkeypatch) -> None:
    """``zhixing scenarios record``: the second report's service, the objection to it and its review are the handler's
    acts on the asset (``serve_report: 房产``…), not a ``complete_node`` of an instance the replay cannot name."""
    import tests.test_disposal as td

    path, real, logs = tmp_path / "log.jsonl", td.build_virtual_court, []

    def build(*a, **kw):
        court = real(*a, **kw)
        logs.append(EventLog(path).attach(court.runtime))
        return court

    monkeypatch.setattr(td, "build_virtual_court", build)
    case, _ = _upheld()
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    case.d.object(case.k, case.asset, by="被执行人")
    case.court.run_for(timedelta(days=6))
    case.d.review_objection(case.k, case.asset, upheld=False)
    case.court.run_for(timedelta(days=2))
    assert case.lot.stage == "fixed"
    logs[0].close()
    [check] = check_log(path)
    assert check.passed, check.failure
    steps = check.text[check.text.index("\nsteps:"):]
    assert "#2" not in steps and "complete_node" not in steps
    assert steps.count("serve_report:") == 2 and steps.count("object: {asset:") == 2
    assert "upheld: true" in steps and "upheld: false" in steps


# ── node 20's 30 days and an objection (tests/fidelity_audit.md N20-b) ─────────────────────────────────────────────
def _frozen(case: Case, node: int) -> list:
    return _events(case, EventKind.NODE_FROZEN, node, case.asset)


def test_an_upheld_objection_stops_the_first_requests_30_days_and_the_new_request_has_its_own():
    """Node 20's 30 days run from the first request; the objection, its review (node 22's 15 days) and a new 委托评估
    (up to 30 days: 参考价规定 (2018), LAW.md) cannot fit in what is left of them. From the objection on they do not
    count against the first request (its deadline withdrawn): no freeze of the asset's node 20 for the 中院执行局长 to
    lift. Before (2026-12-07), node 20 froze at day 30 while the appraisal was out. The new request is timed as the
    first (H25, fidelity N20-R: node 20 of the new report's instance ``<asset>#2``, 30 days from its start): a valuer
    taking its full 30 days and the report's 5-day window pass them — warned, missed and frozen as the first request's
    would be, and the sale waits for the 中院执行局长's unfreeze. (This test said before H25 that nothing froze: the
    new request was not timed at all.)"""
    case = Case(seed=5).seal().price()
    started = case.state.node(20, case.asset).started_at
    due = case.due(20)
    case.court.run_for(timedelta(days=1))
    case.d.object(case.k, case.asset, by="被执行人")
    # the valuer takes its full 30 days (no extension): the new report comes after node 20's 30 days from the start
    pricing = case.court.session.pricing
    pricing.config = replace(pricing.config, min_answer_delay=timedelta(days=28),
                             appraisal_extension_weights=(1.0, 0.0, 0.0))
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    second = f"{case.asset}#2"
    restarted = case.state.node(20, second).started_at
    assert restarted == case.court.clock.now()  # the new request accepted at once: its node 20 started
    case.court.run_until(due + timedelta(days=1))
    assert case.lot.stage == "pricing"  # the appraisal is still out past node 20's old due time
    assert not _frozen(case, 20) and case.status(20) != "frozen"  # the old code: frozen at `due`
    for _ in range(10):
        case.court.run_for(timedelta(days=1))
        if case.lot.stage == "reported":
            break
    assert case.lot.stage == "reported" and case.lot.report_at > started + timedelta(days=30)
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=8))
    assert case.lot.stage == "fixed" and case.status(20) == "done"
    assert not _frozen(case, 20) and not _events(case, EventKind.DEADLINE_MISSED, 20, case.asset)
    assert not _events(case, EventKind.WARNING, 20, case.asset)  # withdrawn before its warning (a day ahead)
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 20, case.asset)  # at the upheld objection
    assert withdrawn.item == "main" and withdrawn.data["by"] == "objection_received" and withdrawn.data["due"] == due
    # node 23's 10 days still count from the price fixed
    [fixed] = _fixed(case)
    [set_23] = _events(case, EventKind.DEADLINE_SET, 23, case.asset)
    assert set_23.at == fixed.at
    # the new request's own 30 days, from its start: missed and frozen; the sale waits for the unfreeze
    [missed] = _events(case, EventKind.DEADLINE_MISSED, 20, second)
    new_due = case.court.runtime.engine.calendar.deadline(restarted, Period.parse("30d")).due
    assert missed.item == "main" and missed.at == new_due < fixed.at
    assert str(case.state.status(20, second)) == "frozen"
    with pytest.raises(UserError) as held:
        case.d.list(case.k, case.asset)
    assert f"20/{second}" in held.value.zh and case.lot.stage == "fixed"
    assert case.p.submit(c.RequestUnfreeze(case.k, 20, second, by="张法官", reason="评估机构依法用满三十日")).accepted
    assert case.p.submit(c.ApproveUnfreeze(case.k, 20, "intermediate_bureau_head", second)).accepted
    assert str(case.state.status(20, second)) == "done"  # the price was fixed: completed at the unfreeze
    case.d.list(case.k, case.asset)
    case.court.run_for(timedelta(hours=1))
    assert case.lot.stage == "listed"


def test_node_20_still_freezes_when_the_price_is_simply_not_fixed_in_30_days():
    """No objection: the report is never served, so no price is fixed — node 20 warns and freezes at its 30 days as
    the seed says (S4:244–246), and only the 中院执行局长 unfreezes it."""
    case = Case(seed=5).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(days=4))
    assert case.lot.stage == "reported"
    due = case.due(20)
    case.court.run_until(due + timedelta(hours=1))
    assert _events(case, EventKind.WARNING, 20, case.asset)
    [frozen] = _frozen(case, 20)
    assert frozen.at == due and frozen.data["unfreeze_by"] == ["intermediate_bureau_head"]
    assert case.status(20) == "frozen" and not _events(case, EventKind.DEADLINE_WITHDRAWN, 20)



def test_a_review_on_time_that_ends_after_node_20s_30_days_freezes_nothing_and_is_taken():
    """Review R7: with node 20's 30 days withdrawn only at an *upheld* objection (966106e, after review R6), an
    appraisal reported on day 16 and objected to on day 18 froze node 20 at day 30 while the review was within node
    22's own 15 days — and the review upholding it was then refused (node 20 frozen: no new price asked) until the
    中院执行局长 unfroze it. The 30 days stop at the objection again: nothing freezes, the review is taken. A court
    that never reviews misses node 22 (reported late; the seed gives node 22 no freeze)."""
    case = Case(seed=5).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset, method="appraisal")
    due = case.due(20)
    for _ in range(40):
        case.court.run_for(timedelta(days=1))
        if case.lot.stage == "reported":
            break
    assert case.lot.stage == "reported" and case.court.clock.now() < due
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    case.d.object(case.k, case.asset, by="被执行人")
    review_due = case.state.node(22, case.asset).items["main"].due
    assert review_due > due  # the review's own 15 days end after node 20's 30
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 20, case.asset)
    assert withdrawn.data["by"] == "objection_received"
    case.court.run_until(due + timedelta(days=1))
    assert not _frozen(case, 20) and case.status(20) != "frozen"
    out = case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")  # on time for node 22
    assert out.accepted and case.lot.stage == "pricing" and str(case.state.status(22, case.asset)) == "done"

    never = Case(seed=5).seal().price()
    never.court.run_for(timedelta(days=1))
    never.d.object(never.k, never.asset, by="被执行人")
    never.court.run_for(timedelta(days=40))
    assert _events(never, EventKind.DEADLINE_MISSED, 22, never.asset) and not _frozen(never, 20)
