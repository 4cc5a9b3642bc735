"""Issue "Domain fidelity": operations complete their nodes (process ``operations``), frozen nodes block what they
govern, no agency answer is dropped, and the corrections to the seeds (each one's source is in process.yaml).

Courts run in virtual time with the in-process mock agencies (fast profile: agencies answer at once) and no clerk,
so every step here is the test's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.protocol import HUB, AssetKind, Holding
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # Monday


def person(court, index: int):
    while (d := court.session.world.debtor(index)).kind != "person":
        index += 1
    return d


def only_icbc(court, debtor, cents: int = 250_000_00) -> Holding:
    """The debtor holds exactly one ICBC deposit across the 集约查询 scope."""
    for agency in inquiry_scope(court.platform.directory, debtor.id_number, court.platform.court.region):
        court.session.world.pin(debtor.id_number, agency.code, [])
    number = account_number("icbc", AssetKind.DEPOSIT, debtor.id_number, 1)
    h = Holding(account_no=number, kind=AssetKind.DEPOSIT, balance_cents=cents, available_cents=cents)
    court.session.world.pin(debtor.id_number, "icbc", [h])
    return h


@pytest.fixture
def court():
    return build_virtual_court(ORIGIN, seed=7, clerk=False)


def kinds(court, case_id: str) -> list[EventKind]:
    return [e.kind for e in court.runtime.case_events(case_id)]


def events(court, case_id: str, kind: EventKind):
    return [e for e in court.runtime.case_events(case_id) if e.kind == kind]


def file_and_inquire(court, case_id: str, debtor, amount: int = 100_000_00, **kw) -> None:
    p = court.platform
    assert p.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=amount, **kw),
                  [debtor.subject()]).accepted
    court.run_for(timedelta(hours=1))
    assert p.submit(c.Assign(case_id, "张法官")).accepted
    assert p.submit(c.VerifyIdentity(case_id, debtor.id_number, True)).accepted
    court.run_for(timedelta(hours=1))


def frozen_asset(court, case_id: str, debtor, holding: Holding) -> str:
    asset = f"icbc:{holding.account_no}"
    court.platform.open_feedback(case_id, debtor.id_number, "icbc")
    court.platform.freeze(case_id, asset, 100_000_00)
    court.run_for(timedelta(hours=1))
    return asset


def deducted_receipt(court):
    """Case K: the 集约查询 found an ICBC deposit, frozen and deducted; the case state and the receipt."""
    debtor = person(court, 0)
    h = only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    asset = frozen_asset(court, "K", debtor, h)
    court.platform.deduct("K", asset, 100_000_00)
    court.run_for(timedelta(hours=1))
    state = court.runtime.cases["K"]
    return state, next(iter(state.receipts))


# ── operations complete their nodes ─────────────────────────────────────────────────────────────────
def test_sending_the_inquiry_starts_node_3_so_it_does_not_freeze_at_midnight(court):
    debtor = person(court, 0)
    only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    state = court.runtime.cases["K"]
    assert state.nodes[(3, "")].started_at is not None
    assert state.nodes[(3, "")].items["initiate"].done
    court.run_for(timedelta(days=2))
    assert state.status(3) != NodeStatus.FROZEN
    # without the inquiry going out (identity never verified), node 3 freezes at 24:00 of the filing day
    other = person(court, 50)
    assert court.platform.file(c.FileCase("L", debtors=(other.id_number,), amount_cents=1),
                               [other.subject()]).accepted
    court.run_for(timedelta(days=1))
    assert court.runtime.cases["L"].status(3) == NodeStatus.FROZEN


def test_confirmed_freeze_deduction_receipt_and_payout_complete_their_nodes(court):
    debtor = person(court, 0)
    h = only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    asset = frozen_asset(court, "K", debtor, h)
    state = court.runtime.cases["K"]
    assert state.status(17, asset) == NodeStatus.DONE
    court.platform.deduct("K", asset, 100_000_00)
    court.run_for(timedelta(hours=1))
    assert state.status(31, asset) == NodeStatus.DONE
    receipt = next(iter(state.receipts))
    assert state.status(32, receipt) != NodeStatus.DONE
    assert court.platform.register_receipt("K", receipt).accepted
    assert state.status(32, receipt) == NodeStatus.DONE
    assert court.platform.register_receipt("K", receipt).refusal.code == "NODE_DONE"
    court.platform.submit(c.ApprovePayout("K", receipt, "执行局长"))
    court.platform.submit(c.ApprovePayout("K", receipt, "分管副院长"))
    assert court.platform.pay_out("K", receipt, 40_000_00).accepted
    assert state.status(33, receipt) != NodeStatus.DONE  # paid in part: not yet
    assert court.platform.pay_out("K", receipt, 60_000_00).accepted
    assert state.status(33, receipt) == NodeStatus.DONE
    assert court.platform.reconcile("K")["ok"]


def test_escrow_needs_its_approver_and_settles_the_receipt(court):
    state, receipt = deducted_receipt(court)
    assert court.platform.submit(c.Escrow("K", receipt, "分管副院长")).refusal.code == "WRONG_AUTHORITY"
    out = court.platform.submit(c.Escrow("K", receipt, "执行局局长", reason="申请执行人下落不明"))
    assert out.accepted and events(court, "K", EventKind.ESCROWED)[0].node == 34
    assert state.status(33, receipt) == NodeStatus.DONE
    assert court.platform.pay_out("K", receipt, 1).refusal is not None  # escrowed money is not paid out


def test_an_operation_on_a_frozen_node_is_recorded_not_applied(engine, make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.Record("K", "property_found_online", "acc"))
    rt.clock.run_until(ORIGIN + timedelta(days=4))  # 48 hours passed: node 17 for "acc" froze
    assert rt.cases["K"].status(17, "acc") == NodeStatus.FROZEN
    out = rt.submit(c.FreezeConfirmed("K", "acc", "icbc", 100, "F1"))
    assert out.accepted  # a bank's fact is never refused for a frozen node
    blocked = [e for e in out.events if e.kind == EventKind.OPERATION_BLOCKED]
    assert blocked and blocked[0].node == 17 and blocked[0].data["on"] == "funds_frozen"
    assert rt.cases["K"].status(17, "acc") == NodeStatus.FROZEN


def test_a_filed_resumption_completes_node_46(court):
    debtor = person(court, 0)
    only_icbc(court, debtor, 0)
    p = court.platform
    assert p.file(c.FileCase("K", debtors=(debtor.id_number,), amount_cents=1), [debtor.subject()]).accepted
    for node in (3, 7, 9, 10, 18):
        p.submit(c.CompleteNode("K", node))
    p.submit(c.CompleteNode("K", 36, authority="院长"))
    court.run_until(datetime(2025, 6, 10, tzinfo=CST))
    assert p.submit(c.Close("K", "终本", reviewed_by="审判管理办公室")).accepted
    p.submit(c.Record("K", "property_found_after_zhongben", "clue-x"))
    assert p.submit(c.RequestResumption("K", "线索")).accepted
    assert p.submit(c.ApproveResumption("K", "执行局长")).accepted
    court.run_for(timedelta(hours=1))
    state = court.runtime.cases["K"]
    assert state.resumption == "filed"
    assert state.status(46, "clue-x") == NodeStatus.DONE


# ── no answer is dropped ─────────────────────────────────────────────────────────────────────────────
def test_an_answer_the_engine_refuses_is_recorded_and_lifts_the_lock(court):
    debtor = person(court, 0)
    only_icbc(court, debtor)
    engine = court.runtime.engine

    def refuse(state, cmd, now, out):  # forced: the engine refuses every 集约查询 part
        engine._refuse(out, cmd, now, "FORCED", "测试强制拒绝", "forced refusal in a test")

    engine._handlers[c.InquiryAnswers] = refuse
    file_and_inquire(court, "K", debtor)
    state = court.runtime.cases["K"]
    scope = list(state.inquiries[debtor.id_number])
    unrecorded = events(court, "K", EventKind.INQUIRY_UNRECORDED)
    assert unrecorded and all(e.data["code"] == "FORCED" for e in unrecorded)
    assert sorted(a for e in unrecorded for a in e.data["agencies"]) == sorted(scope)
    found = [f for e in unrecorded for f in e.data["found"]]
    assert [f[0] for f in found] == ["icbc"]  # what the answer reported stays on the record
    assert state.outstanding(debtor.id_number) == []
    assert events(court, "K", EventKind.INQUIRY_COMPLETED)
    assert court.platform.manual_query("K", debtor.id_number, "icbc").accepted  # the lock lifted
    court.run_for(timedelta(days=5))
    assert not events(court, "K", EventKind.DUBAN_RAISED)  # nothing recorded, nothing to 督办


# ── frozen nodes block what they govern ──────────────────────────────────────────────────────────────
def _exchanges(court, case_id: str) -> int:
    return sum(1 for e in court.runtime.case_events(case_id)
               if e.kind == EventKind.EXCHANGE and e.data["kind"] == "sent")


def test_no_deduction_is_sent_while_node_31_is_frozen(court):
    debtor = person(court, 0)
    h = only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    asset = frozen_asset(court, "K", debtor, h)
    court.run_for(timedelta(days=9))  # 7 days from the freeze passed: node 31 froze
    assert court.runtime.cases["K"].status(31, asset) == NodeStatus.FROZEN
    sent = _exchanges(court, "K")
    with pytest.raises(UserError) as err:
        court.platform.deduct("K", asset, 100_000_00)
    assert err.value.code == "node_frozen" and "31" in err.value.where and "划拨" in err.value.zh
    assert "deduction" in err.value.en
    assert _exchanges(court, "K") == sent  # nothing sent
    p = court.platform
    p.submit(c.RequestUnfreeze("K", 31, asset, by="张法官"))
    assert p.submit(c.ApproveUnfreeze("K", 31, "执行局长", asset)).accepted
    p.deduct("K", asset, 100_000_00)
    assert _exchanges(court, "K") == sent + 1


def test_no_freeze_is_sent_for_an_asset_whose_node_17_is_frozen(court):
    debtor = person(court, 0)
    h = only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    asset = f"icbc:{h.account_no}"
    court.run_for(timedelta(days=3))  # 48 hours from the answer passed
    assert court.runtime.cases["K"].status(17, asset) == NodeStatus.FROZEN
    sent = _exchanges(court, "K")
    with pytest.raises(UserError) as err:
        court.platform.freeze("K", asset, 100)
    assert err.value.code == "node_frozen" and "17" in err.value.where
    assert _exchanges(court, "K") == sent


def test_no_payout_while_node_33_is_frozen(court):
    state, receipt = deducted_receipt(court)
    court.platform.register_receipt("K", receipt)
    court.platform.submit(c.ApprovePayout("K", receipt, "执行局长"))
    court.platform.submit(c.ApprovePayout("K", receipt, "分管副院长"))
    court.run_for(timedelta(days=35))
    assert state.status(33, receipt) == NodeStatus.FROZEN
    balance = court.platform.reconcile("K")["court_account_cents"]
    out = court.platform.pay_out("K", receipt, 100_000_00)
    assert out.refusal.code == "NODE_FROZEN"
    assert court.platform.reconcile("K")["court_account_cents"] == balance == 100_000_00


def test_a_resumed_case_with_a_frozen_filing_node_moves_only_after_the_unfreeze(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("R", case_type="resumed", previous_case="K", previous_handler="张法官"))
    rt.submit(c.Assign("R", "张法官"))
    assert rt.cases["R"].status(2) == NodeStatus.FROZEN
    for cmd in (c.StartNode("R", 7), c.CompleteNode("R", 5), c.Record("R", "clue_received", "x"),
                c.RequestLimitChange("R", "extend"), c.Close("R", "终结", reviewed_by="审判管理办公室"),
                c.Assign("R", "李法官")):
        out = rt.submit(cmd)
        assert out.refusal is not None and out.refusal.code == "NODE_FROZEN", cmd
    assert rt.submit(c.RequestUnfreeze("R", 2, by="张法官")).accepted
    assert rt.submit(c.ApproveUnfreeze("R", 2, "执行局长")).accepted
    assert rt.submit(c.CompleteNode("R", 5)).accepted


def test_closing_with_an_unrelated_frozen_node_follows_the_setting(make_runtime, process):
    from core_flow.clocks import SimClock
    from core_flow.engine import Engine
    from core_flow.legal_calendar import default_calendar
    from core_flow.runtime import Runtime

    literal = process.model_copy(update={"closing": process.closing.model_copy(update={"blocked_by": "limit_only"})})
    for proc, expected in ((process, "NODE_FROZEN"), (literal, None)):
        rt = Runtime(Engine(proc, default_calendar()), SimClock(ORIGIN))
        rt.submit(c.FileCase("K"))
        rt.submit(c.Assign("K", "张法官"))
        rt.clock.run_until(ORIGIN + timedelta(days=15))  # node 7's 10 days passed: frozen
        assert rt.cases["K"].status(7) == NodeStatus.FROZEN
        out = rt.submit(c.Close("K", "终结", reviewed_by="审判管理办公室"))
        assert (out.refusal.code if out.refusal else None) == expected


# ── corrections to the seeds ─────────────────────────────────────────────────────────────────────────
def test_node_3_freezes_only_where_the_network_inquiry_applies(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("M"))
    rt.submit(c.FileCase("N", money=False))
    rt.clock.run_until(ORIGIN + timedelta(days=1))
    assert rt.cases["M"].status(3) == NodeStatus.FROZEN
    assert rt.cases["N"].status(3) != NodeStatus.FROZEN
    assert rt.cases["N"].nodes[(3, "")].items["initiate"].overdue  # still reported overdue


def test_node_9_counts_from_the_inquiry_trigger_and_node_11_from_the_first_inquiry(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K", debtors=("D",)))
    rt.submit(c.Assign("K", "张法官"))
    rt.submit(c.VerifyIdentity("K", "D", True))  # 集约查询 triggered 2025-03-03
    rt.clock.run_until(ORIGIN + timedelta(days=5))
    rt.submit(c.StartNode("K", 9))  # a later manual start moves neither
    rt.submit(c.StartNode("K", 10))
    state = rt.cases["K"]
    # 30 days from 2025-03-03 → 04-02 (Wed), ends 24:00
    assert state.nodes[(9, "")].items["main"].due == datetime(2025, 4, 3, tzinfo=CST)
    assert state.nodes[(11, "")].items["main"].due == datetime(2025, 4, 3, tzinfo=CST)

    rt.submit(c.FileCase("T", money=False))  # no 集约查询: 传统查控 starting first starts node 11's count
    rt.submit(c.StartNode("T", 10))
    rt.clock.run_until(ORIGIN + timedelta(days=7))
    rt.submit(c.StartNode("T", 9))
    t = rt.cases["T"]
    # from 传统查控's start on Sat 03-08: 30 days → Mon 04-07 (清明 04-04..06 lies before it), ends 24:00
    assert t.nodes[(11, "")].items["main"].due == datetime(2025, 4, 8, tzinfo=CST)


def test_the_manual_query_lock_holds_from_the_trigger(court):
    debtor = person(court, 0)
    only_icbc(court, debtor)
    p = court.platform
    p.auto_inquiry = False  # triggered, not yet sent
    assert p.file(c.FileCase("K", debtors=(debtor.id_number,), amount_cents=1), [debtor.subject()]).accepted
    p.submit(c.Assign("K", "张法官"))
    p.submit(c.VerifyIdentity("K", debtor.id_number, True))
    assert debtor.id_number in court.runtime.cases["K"].inquiries_triggered
    assert p.manual_query("K", debtor.id_number, "icbc").refusal.code == "MANUAL_QUERY_LOCKED"
    assert p.manual_query("K", debtor.id_number, "real_estate_registry").accepted  # outside the scope


def test_the_2021_cut_off_compares_the_china_date(make_runtime):
    rt = make_runtime(datetime(2021, 1, 2, tzinfo=CST))
    filed = datetime(2020, 12, 31, 16, 30, tzinfo=UTC)  # 2021-01-01 00:30 in China
    rt.submit(c.FileCase("K", debtors=("D",), filed_at=filed))
    rt.submit(c.Assign("K", "张法官"))
    out = rt.submit(c.VerifyIdentity("K", "D", True))
    assert EventKind.INQUIRY_TRIGGERED in [e.kind for e in out.events]
    rt.submit(c.FileCase("E", debtors=("D",), filed_at=datetime(2020, 12, 31, 15, 30, tzinfo=UTC)))  # 12-31 23:30
    rt.submit(c.Assign("E", "张法官"))
    assert EventKind.INQUIRY_TRIGGERED not in [e.kind for e in rt.submit(c.VerifyIdentity("E", "D", True)).events]


def _zhongben(court, case_id: str, debtor) -> None:
    p = court.platform
    assert p.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=1), [debtor.subject()]).accepted
    for node in (3, 7, 9, 10, 18):
        p.submit(c.CompleteNode(case_id, node))
    p.submit(c.CompleteNode(case_id, 36, authority="院长"))
    court.run_until(datetime(2025, 6, 10, tzinfo=CST))
    assert p.submit(c.Close(case_id, "终本", reviewed_by="审判管理办公室")).accepted


def test_a_zhongben_sweep_asks_for_the_whole_online_scope(court):
    debtor = person(court, 0)
    _zhongben(court, "K", debtor)
    court.run_until(datetime(2025, 12, 11, tzinfo=CST))
    sent = [e for e in court.runtime.case_events("K") if e.kind == EventKind.EXCHANGE and e.data["kind"] == "sent"]
    assert sent and sent[-1].data["agency"] == HUB
    scope = set(sent[-1].data["scope"])
    集约 = {a.code for a in inquiry_scope(court.platform.directory, debtor.id_number, "410811")}
    assert 集约 < scope
    assert {"real_estate_registry", "vehicle_registry", "equity_registry", "housing_fund"} <= scope


def test_a_clue_is_checked_through_the_hub(court):
    debtor = person(court, 0)
    _zhongben(court, "K", debtor)
    court.platform.enter_clue("K", debtor.id_number, "cmb", "申请执行人提供招行账户")
    court.run_for(timedelta(hours=1))
    sent = [e for e in court.runtime.case_events("K") if e.kind == EventKind.EXCHANGE and e.data["kind"] == "sent"]
    assert sent[-1].data["agency"] == HUB and sent[-1].data["scope"] == ["cmb"]


def test_a_closing_is_reviewed_by_the_trial_management_office(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    out = rt.submit(c.Close("K", "终结"))
    assert out.accepted and out.events[-1].kind == EventKind.CLOSING_REQUESTED
    assert rt.cases["K"].closed_manner is None
    assert rt.submit(c.Close("K", "终结")).refusal.code == "CLOSING_PENDING"
    assert rt.submit(c.ApproveClosing("K", "执行局长")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ReturnClosing("K", "审判管理办公室", "电子卷宗不一致")).accepted
    assert rt.submit(c.ApproveClosing("K", "审判管理办公室")).refusal.code == "NO_CLOSING_REQUEST"
    rt.submit(c.Close("K", "终结"))
    out = rt.submit(c.ApproveClosing("K", "审判管理办公室"))
    assert out.accepted and rt.cases["K"].closed_manner == "terminated"
    closed = [e for e in out.events if e.kind == EventKind.CLOSED][0]
    assert closed.data["reviewed_by"] == "trial_management"
    assert rt.submit(c.Close("X", "终结", reviewed_by="执行局长")).refusal.code == "UNKNOWN_CASE"
    rt.submit(c.FileCase("L"))
    assert rt.submit(c.Close("L", "终结", reviewed_by="执行局长")).refusal.code == "WRONG_AUTHORITY"


@pytest.mark.parametrize(("node", "item", "anchor", "days"), [(23, "main", "reference_price_fixed", 10),
                                                             (26, "start", "first_unsold", 30)])
def test_late_auctions_are_put_under_duban(make_runtime, node, item, anchor, days):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.Record("K", anchor, "flat"))
    rt.clock.run_until(ORIGIN + timedelta(days=days + 3))
    raised = [e for e in rt.case_events("K") if e.kind == EventKind.DUBAN_RAISED]
    assert [(e.node, e.instance, e.item) for e in raised] == [(node, "flat", item)]
    assert rt.cases["K"].status(node, "flat") == NodeStatus.FROZEN  # and the node froze, as before
    rt.submit(c.RequestUnfreeze("K", node, "flat", by="张法官"))
    rt.submit(c.ApproveUnfreeze("K", node, "中院执行局长", "flat"))
    out = rt.submit(c.CompleteNode("K", node, "flat"))
    assert EventKind.DUBAN_CLOSED in [e.kind for e in out.events]


def test_signed_acts_and_the_shixin_rules(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    assert rt.submit(c.CompleteNode("K", 37, authority="院长")).refusal.code == "REQUIRES_NODE"
    # 限消 "被执行人未按执行通知书指定的期间履行的" (seed 004 节点三十六 第1项): only after the notice (node 7)
    refused = rt.submit(c.CompleteNode("K", 36, authority="院长")).refusal
    assert refused.code == "REQUIRES_NODE" and "7" in refused.message
    assert rt.submit(c.CompleteNode("K", 7)).accepted
    assert rt.submit(c.CompleteNode("K", 36)).refusal.code == "SIGNATURE_REQUIRED"
    assert rt.submit(c.CompleteNode("K", 36, authority="执行局长")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    # on ground (四) 违反财产报告制度: a 2-year term (2017 规定 第二条; ground (一), the default, has none —
    # tests/test_shixin_ground.py)
    assert rt.submit(c.CompleteNode("K", 37, authority="院长", ground=4)).accepted
    for node in (39, 40):
        assert rt.submit(c.CompleteNode("K", node)).refusal.code == "SIGNATURE_REQUIRED"
        assert rt.submit(c.CompleteNode("K", node, authority="院长")).accepted
    assert rt.submit(c.CompleteNode("K", 34)).refusal.code == "SIGNATURE_REQUIRED"  # 提存 is approved
    assert rt.submit(c.CompleteNode("K", 34, authority="主管院领导")).accepted
    # the ground-(四) listing ends after its 2-year term (2025-03-03 → 2027-03-03 24:00); 限消 has no term
    rt.clock.run_until(datetime(2027, 3, 5, tzinfo=CST))
    lifted = [e for e in rt.case_events("K") if e.kind == EventKind.MEASURE_LIFTED]
    assert [(e.node, e.data["reason"]) for e in lifted] == [(37, "term_ended")]


def test_no_restriction_before_the_period_the_notice_set_to_perform_ends(make_runtime):
    """限消 "被执行人未按执行通知书指定的期间履行的" (seed 004 节点三十六 第1项): once the system has recorded when the
    notice's period ends (performance_due), an order before then is refused NOT_YET naming that instant, and so is
    the 失信 list that needs it; at that instant it is accepted. A case without the record is not held up (above)."""
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.CompleteNode("K", 7))
    due = datetime(2025, 3, 10, 17, 30, tzinfo=CST)  # served Monday 3-3, seven days to perform
    assert rt.submit(c.Record("K", "performance_due", at=due)).accepted
    refused = rt.submit(c.CompleteNode("K", 36, authority="院长")).refusal
    assert refused.code == "NOT_YET" and "2025-03-10 17:30" in refused.zh and "notice set to perform" in refused.en
    assert rt.submit(c.CompleteNode("K", 37, authority="院长")).refusal.code == "REQUIRES_NODE"
    rt.clock.run_until(due - timedelta(minutes=1))
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).refusal.code == "NOT_YET"
    rt.clock.run_until(due)
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    # a time without an offset is China time (compared with the engine's CST clock, not a TypeError)
    rt.submit(c.FileCase("L"))
    rt.submit(c.CompleteNode("L", 7))
    rt.submit(c.Record("L", "performance_due", at=datetime(2025, 3, 20, 9, 0)))
    assert rt.submit(c.CompleteNode("L", 36, authority="院长")).refusal.code == "NOT_YET"


def test_full_performance_lifts_the_measures_each_with_its_event(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.CompleteNode("K", 7))  # the notice, before the restriction
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    rt.submit(c.CompleteNode("K", 37, authority="院长"))
    out = rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室"))
    lifted = [e for e in out.events if e.kind == EventKind.MEASURE_LIFTED]
    assert [(e.node, e.data["measure"], e.data["reason"]) for e in lifted] == [
        (36, "限制消费", "closed_completed"), (37, "信用惩戒", "closed_completed")]
    rt.clock.run_until(datetime(2027, 3, 5, tzinfo=CST))
    assert len([e for e in rt.case_events("K") if e.kind == EventKind.MEASURE_LIFTED]) == 2  # the term timer is stale


# ── rules as data: a renumbered process runs the same flows ──────────────────────────────────────────
def _renumbered(shift: int = 100):
    """The bundled process with every node number moved by ``shift`` (and every reference to one)."""
    import re

    import yaml

    from core_flow.process_loader import default_process_path, parse_process

    data = yaml.safe_load(default_process_path().read_text(encoding="utf-8"))
    n = lambda no: no + shift  # noqa: E731

    def anchor(a: str) -> str:
        return re.sub(r"^(node_started:|item_done:)(\d+)", lambda m: f"{m.group(1)}{n(int(m.group(2)))}", a)

    for node in data["nodes"]:
        node["node"] = n(node["node"])
        for key in ("next", "requires"):
            if key in node:
                node[key] = [n(x) for x in node[key]]
        for item in node.get("items", []):
            item["anchor"] = ([anchor(a) for a in item["anchor"]] if isinstance(item["anchor"], list)
                              else anchor(item["anchor"]))
    data["limit"]["node"] = n(data["limit"]["node"])
    for key in ("node", "freezes_node"):
        data["resumption"][key] = n(data["resumption"][key])
    data["roles"] = {k: ([n(x) for x in v] if isinstance(v, list) else n(v)) for k, v in data["roles"].items()}
    for op in data["operations"]:
        for key in ("start", "complete"):
            if key in op:
                op[key] = n(op[key])
    for cond in data["zhongben_gate"] + data.get("release_gate", []):
        if "node" in cond:
            cond["node"] = n(cond["node"])
        for key in ("disposal_nodes", "disposal_ends", "any_of", "sale_nodes", "sale_ends",
                    "round_end_nodes"):
            if key in cond:
                cond[key] = [n(x) for x in cond[key]]
    return parse_process(yaml.safe_dump(data, allow_unicode=True), "<renumbered>")


def _money_and_spc_flow(court) -> list[tuple[str, int | None, str]]:
    """集约查询 → freeze → 划拨 → 到账登记 → approvals → payout → 执行完毕, then a 终本 case swept and resumed."""
    r = court.runtime.engine.process.roles
    debtor = person(court, 0)
    h = only_icbc(court, debtor)
    file_and_inquire(court, "K", debtor)
    asset = f"icbc:{h.account_no}"
    court.platform.freeze("K", asset, 100_000_00)
    court.run_for(timedelta(days=4))  # the feedback not opened within 3 days: 督办
    court.platform.deduct("K", asset, 100_000_00)
    court.run_for(timedelta(hours=1))
    state = court.runtime.cases["K"]
    receipt = next(iter(state.receipts))
    court.platform.register_receipt("K", receipt)
    court.platform.submit(c.ApprovePayout("K", receipt, "执行局长"))
    court.platform.submit(c.ApprovePayout("K", receipt, "分管副院长"))
    court.platform.pay_out("K", receipt, 100_000_00)
    court.platform.submit(c.CompleteNode("K", r.consumption_restriction, authority="院长"))
    assert court.platform.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted
    other = person(court, 40)
    only_icbc(court, other, 0)
    _zhongben_with(court, "Z", other, r)
    court.run_until(datetime(2025, 12, 11, tzinfo=CST))
    only_icbc(court, other, 5_000_00)
    court.run_until(datetime(2026, 6, 11, tzinfo=CST))
    court.platform.submit(c.RequestResumption("Z", "统查发现存款"))
    court.platform.submit(c.ApproveResumption("Z", "执行局长"))
    court.run_for(timedelta(hours=1))
    return [(str(e.kind), e.node, e.item or "") for cid in ("K", "Z") for e in court.runtime.case_events(cid)
            if e.kind != EventKind.EXCHANGE]


def _zhongben_with(court, case_id: str, debtor, r) -> None:
    p = court.platform
    assert p.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=1), [debtor.subject()]).accepted
    gate = court.runtime.engine.process.zhongben_gate
    for node in [g.node for g in gate if g.node is not None and g.when is None and g.node != r.consumption_restriction]:
        p.submit(c.CompleteNode(case_id, node))
    p.submit(c.CompleteNode(case_id, r.consumption_restriction, authority="院长"))
    court.run_until(datetime(2025, 6, 10, tzinfo=CST))
    assert p.submit(c.Close(case_id, "终本", reviewed_by="审判管理办公室")).accepted


def test_a_renumbered_process_runs_the_spc_and_money_flows_unchanged():
    shift = 100
    base = _money_and_spc_flow(build_virtual_court(ORIGIN, seed=7, clerk=False))
    moved = _money_and_spc_flow(build_virtual_court(ORIGIN, seed=7, clerk=False, process=_renumbered(shift)))
    assert [(k, None if no is None else no - shift, item) for k, no, item in moved] == base
    kinds_seen = {k for k, _, _ in base}
    for kind in ("inquiry_started", "duban_raised", "funds_frozen", "funds_arrived", "receipt_registered",
                 "paid_out", "closed", "sweep_due", "resumption_filed", "node_done"):
        assert kind in kinds_seen, kind  # the flows really ran
    done = {(no, item) for k, no, item in base if k == "node_done"}
    assert {17, 31, 32, 33} <= {no for no, _ in done}


def test_the_readme_tabulates_the_operations_of_the_process(process):
    from pathlib import Path

    from core_flow.catalogue_text import operations_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for row in operations_table(process):
        assert row in readme, row


def test_the_duban_list_shows_late_auctions_too(make_runtime, tmp_path):
    import json

    from core_flow.engine.spc import open_duban
    from zhixing.cmd_duban import open_items

    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.Record("K", "reference_price_fixed", "flat"))
    rt.submit(c.Record("K", "reference_price_fixed", "car"))
    rt.clock.run_until(ORIGIN + timedelta(days=14))
    listed = open_duban(rt.cases)
    assert sorted((i["node"], i["instance"]) for i in listed) == [(23, "car"), (23, "flat")]
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(json.dumps(e.as_dict(), ensure_ascii=False) for e in rt.events), encoding="utf-8")
    assert sorted(i["instance"] for i in open_items(log)) == ["car", "flat"]


PRESERVATION_ZHONGBEN = """\
name: 保全案件不以终本结案
case:
  number: (2025)豫0811执保6号
  type: {kind}
  amount: 100000
  filed: 2025-03-03 10:00
  debtors: [{{as: 邓某, world: 10}}]
steps:
  - start_node: 3
  - assign: 张法官
  - verify_identity: 通过
  - complete_node: 3
  - complete_node: 7
  - complete_node: 9
  - complete_node: 10
  - complete_node: 18
  - complete_node: {{node: 36, by: 院长}}
  - at: 2025-06-04 09:00
    close: 终本
"""


@pytest.mark.parametrize("kind", ["财产保全", "首次执行"])
def test_a_preservation_case_never_closes_by_zhongben(kind):
    """Every other 终本 condition met: a 保全 case was closed by 终本 and swept every 6 months for 5 years (a domain
    review found it); a 首执 case with the same steps closes."""
    from scenarios.loader import parse_text
    from scenarios.runner import run_scenario

    (sc,), bad = parse_text(PRESERVATION_ZHONGBEN.format(kind=kind), "t.scenario.yaml")
    assert not bad, bad
    result = run_scenario(sc)
    if kind == "首次执行":
        assert result.passed, result.failure
    else:
        # said in words, before the gate: 终本 is not a 保全 case's manner (process.yaml closing_manners case_types,
        # 法发〔2014〕26号) — the refusal names the manners a 保全 case may use (the gate's PRESERVATION_CASE, said
        # before, is not reached)
        assert not result.passed and "MANNER_NOT_FOR_CASE_TYPE" in result.failure.actual
        assert "财产保全案件不能以“终本”方式结案" in result.failure.actual and "保全完毕" in result.failure.actual
