"""The claim met ends the selling deadlines of the disposal (process.yaml ``ends_on: [claim_met]``, nodes 19–26 and 28).

拍卖变卖规定 第十四条 as commonly published (unconfirmed, not in LAW.md; tests/fidelity_audit.md N19-M): once the
proceeds suffice for the debt and the costs, the rest is not sold. The engine records the anchor itself
(``MoneyRules._claim_check``, event ``claim_met``) when the applicant has been paid out (or escrowed, or taken in
kind) the whole claim and no fee is left; the deadlines of the steps toward a sale neither done nor missed are
withdrawn on every asset, and none starts after it. Before (session 33, H60's leftover), the simulated staff rightly
stopped selling and the steps' deadlines froze the nodes: a node-26 freeze held a closed case 17 days."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import core_flow
from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.process_loader import parse_process
from scenarios import refs
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
CLAIM = 100_000_00
APPROVERS = ("执行局长", "分管副院长")
CLAIM_MET = "claim_met"  # EventKind.CLAIM_MET (by value: the test runs on code without it, and fails on behaviour)


def _kinds(events, kind):
    return [e for e in events if e.kind == kind]


def _case_with_two_seals(rt):
    """A case with a flat and a car sealed (nodes 19–20 timed for each) and the claim's money deducted (R1)."""
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM)).accepted
    for asset in ("flat", "car"):
        assert rt.submit(c.Record("K", "property_controlled", asset)).accepted
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", CLAIM, freeze_id="F1", account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", CLAIM, "R1")).accepted
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    for who in APPROVERS:
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    return rt


def test_paying_out_the_whole_claim_withdraws_every_seized_assets_selling_deadlines(make_runtime):
    rt = _case_with_two_seals(make_runtime(FILED))
    state = rt.cases["K"]
    assert {(no, i) for (no, i), ns in state.nodes.items() if no in (19, 20) and ns.items} == {
        (19, "flat"), (20, "flat"), (19, "car"), (20, "car")}
    part = rt.submit(c.PayOut("K", "R1", 40_000_00))
    assert part.accepted and not _kinds(part.events, CLAIM_MET)  # 60,000 still owed: selling goes on
    out = rt.submit(c.PayOut("K", "R1", 60_000_00))
    assert out.accepted, out.refusal
    withdrawn = {(e.node, e.instance, e.item) for e in _kinds(out.events, EventKind.DEADLINE_WITHDRAWN)}
    assert withdrawn == {(19, "flat", "main"), (20, "flat", "start"), (19, "car", "main"), (20, "car", "start")}
    rt.clock.advance(timedelta(days=60))  # node 20's 15 days to start the pricing long past: nothing froze
    assert state.status(20, "flat") != NodeStatus.FROZEN and state.status(20, "car") != NodeStatus.FROZEN
    assert not any(e.kind in (EventKind.NODE_FROZEN, EventKind.DEADLINE_MISSED) and e.node in (19, 20)
                   for e in rt.events)
    met = _kinds(out.events, CLAIM_MET)
    assert len(met) == 1 and met[0].data["anchor"] == "claim_met" and state.claim_met_at == FILED


def test_a_selling_step_after_the_claim_is_met_is_not_timed_and_the_anchor_is_recorded_once(make_runtime):
    rt = _case_with_two_seals(make_runtime(FILED))
    assert rt.submit(c.PayOut("K", "R1", CLAIM)).accepted
    later = rt.submit(c.Record("K", "property_controlled", "boat"))  # found and sealed after the claim was met
    assert later.accepted and not _kinds(later.events, EventKind.DEADLINE_SET)
    assert rt.submit(c.Record("K", "first_unsold", "flat")).accepted  # no 30 days to start a second auction
    assert rt.cases["K"].nodes.get((26, "flat")) is None or not rt.cases["K"].nodes[(26, "flat")].items
    assert len([e for e in rt.events if e.kind == CLAIM_MET]) == 1


def test_a_missed_selling_deadline_stays_frozen_when_the_claim_is_met(make_runtime):
    """Only deadlines neither done nor missed are withdrawn: a node frozen for lateness keeps its freeze."""
    rt = make_runtime(FILED)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM)).accepted
    assert rt.submit(c.Record("K", "property_controlled", "flat")).accepted
    rt.clock.advance(timedelta(days=40))  # node 20's 15 days to start the pricing missed: frozen
    state = rt.cases["K"]
    assert state.status(20, "flat") == NodeStatus.FROZEN
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", CLAIM, freeze_id="F1", account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", CLAIM, "R1")).accepted
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    for who in APPROVERS:
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    out = rt.submit(c.PayOut("K", "R1", CLAIM))
    assert _kinds(out.events, CLAIM_MET)
    assert (20, "flat", "start") not in {(e.node, e.instance, e.item)
                                         for e in _kinds(out.events, EventKind.DEADLINE_WITHDRAWN)}
    assert state.status(20, "flat") == NodeStatus.FROZEN


def test_taking_the_property_in_kind_for_the_whole_claim_meets_it(make_runtime):
    rt = make_runtime(FILED)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM)).accepted
    for asset in ("flat", "car"):
        assert rt.submit(c.Record("K", "property_controlled", asset)).accepted
    out = rt.submit(c.SatisfiedInKind("K", "flat", CLAIM))
    assert out.accepted, out.refusal
    assert (20, "car", "start") in {(e.node, e.instance, e.item)
                                    for e in _kinds(out.events, EventKind.DEADLINE_WITHDRAWN)}
    assert _kinds(out.events, CLAIM_MET)


def test_the_anchor_is_the_engines_own_a_record_of_it_is_refused(make_runtime):
    rt = make_runtime(FILED)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM)).accepted
    out = rt.submit(c.Record("K", "claim_met"))
    assert out.refusal.code == "UNKNOWN_ANCHOR" and "claim_met" not in out.refusal.en.split("one of:")[1]


def test_a_non_money_case_never_meets_a_claim(make_runtime):
    rt = make_runtime(FILED)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=0)).accepted
    assert rt.submit(c.Record("K", "property_controlled", "flat")).accepted
    rt.clock.advance(timedelta(days=1))
    assert not any(e.kind == CLAIM_MET for e in rt.events)


def test_a_claim_met_after_the_closing_withdraws_nothing_the_closing_ended(make_runtime):
    """Review R27 F1: a case closed as 执行完毕 with the money still held (nodes 32–33 outlive the closing) and paid
    out after it meets the claim then — the anchor is recorded, but the selling deadlines ended with the closing (no
    timer runs on them): none is said withdrawn again, nor are the closed case's nodes touched. Before, each of nodes
    19–20's deadlines on both assets was reported ``deadline_withdrawn`` after the ``closed`` event."""
    rt = _case_with_two_seals(make_runtime(FILED))
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted
    state = rt.cases["K"]
    before = {k: set(ns.items) for k, ns in state.nodes.items() if k[0] in (19, 20)}
    rt.clock.advance(timedelta(days=1))
    out = rt.submit(c.PayOut("K", "R1", CLAIM))
    assert out.accepted, out.refusal
    assert [e.data["anchor"] for e in _kinds(out.events, CLAIM_MET)] == ["claim_met"]
    assert not _kinds(out.events, EventKind.DEADLINE_WITHDRAWN)
    assert {k: set(ns.items) for k, ns in state.nodes.items() if k[0] in (19, 20)} == before


def test_no_scenario_nor_process_file_may_name_the_engines_anchor_where_a_record_is_read():
    """Review R27 F2: ``claim_met`` is recorded by the engine only (a ``Record`` of it is refused UNKNOWN_ANCHOR), as
    filed, received and closed are. Before, a scenario's ``record: {event: claim_met}`` passed the file's check (the
    scenarios' anchor list left out only those three) and was refused when run; a process file's ``not_before`` or a
    round's end naming it loaded, and waited on nothing (only a ``Record`` keeps what they read)."""
    with pytest.raises(ValueError) as err:
        refs.anchor("claim_met")
    assert "claim_met" not in str(err.value).split("可选：")[1].split("）")[0]  # the events a record may name
    with pytest.raises(ValueError):
        refs.anchor("申请执行人债权已全部实现（发放、提存或以物抵债）且执行申请费已结清")
    text = (Path(core_flow.__file__).parent / "data" / "process.yaml").read_text(encoding="utf-8")
    for old, new in (("not_before: [performance_due]", "not_before: [claim_met]"),
                     ("round_ends: {first_unsold: [auction_scheduled],",
                      "round_ends: {claim_met: [auction_scheduled], first_unsold: [auction_scheduled],")):
        assert old in text
        with pytest.raises(Exception, match="claim_met"):
            parse_process(text.replace(old, new), "<claim_met read as recorded>")


def test_a_process_file_may_not_time_an_item_from_the_claim_met():
    """Review R27 F4: the engine records ``claim_met`` and withdraws what names it in ``ends_on``; it arms nothing from
    it (``MoneyRules._claim_check`` plans no item). Before, an item anchored on it loaded and was never timed."""
    text = (Path(core_flow.__file__).parent / "data" / "process.yaml").read_text(encoding="utf-8")
    old = "name: 将报告发送当事人及利害关系人, anchor: report_received,"
    assert old in text
    with pytest.raises(Exception, match="claim_met ends deadlines"):
        parse_process(text.replace(old, old.replace("report_received", "claim_met")), "<timed from claim_met>")
    assert parse_process(text, "<bundled>").items_ended_by["claim_met"]  # ends_on: still read
