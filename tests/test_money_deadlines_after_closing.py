"""The deadlines of money still held do not end with the case (seed 004 节点三十二、三十三: "款物到账后三日内" /
"三十日内", counted from the money's arrival whatever became of the case). At a closing, each receipt neither paid out
nor escrowed keeps its 到账登记 and 案款发放 deadlines: they warn, and on expiry freeze the node, after the closing; the
node is unfrozen after the closing by its own authority (案款发放: 中院执行局长); money arriving after the closing arms
them as before it; a payout or return settles them. Every other deadline still ends with the case. Before, the closing
ended them all (and money arriving after it armed none): the court could hold the money for ever, unwarned.
process.yaml node 32/33 ``outlives_closing``; tests/fidelity_audit.md N33-c."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from core_flow.clocks import SimClock
from core_flow.engine import Engine, Event, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import default_calendar
from core_flow.process_loader import default_process_path, parse_process
from core_flow.runtime import Runtime
from sim.invariants import Checker
from tests.conftest import cst
from tests.test_engine_rules import _gate_ready_case
from tests.test_money_on_closing import _close, _held_case

FILED = cst(2025, 3, 3, 10, 0)  # Monday
REVIEWER = "审判管理办公室"
CLAIM = 100_000_00
APPROVERS = ("执行局长", "分管副院长")


def _after(rt, mark, *kinds, nodes=(32, 33)):
    """The events of ``kinds`` since ``mark`` on ``nodes`` (by default the money's: node 44's archiving deadline runs
    after a closing as it always did)."""
    return [(e.kind, e.node, e.instance) for e in rt.events[mark:] if e.kind in kinds and e.node in nodes]


def test_held_money_after_a_cancellation_warns_freezes_node_33_and_is_returned_once_unfrozen(make_runtime):
    rt = _held_case(make_runtime(FILED))
    closed = _close(rt, "销案")
    assert closed["running"] == [[33, "R1", "main"]]  # node 32 is done: only 案款发放 still runs
    mark = len(rt.events)
    rt.clock.advance(timedelta(days=29, hours=14))  # 2025-04-02 00:00: the day before the 30 days end
    assert _after(rt, mark, EventKind.WARNING) == [(EventKind.WARNING, 33, "R1")]
    rt.clock.advance(timedelta(days=1))
    assert _after(rt, mark, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN) == [
        (EventKind.DEADLINE_MISSED, 33, "R1"), (EventKind.NODE_FROZEN, 33, "R1")]
    state = rt.cases["K"]
    assert state.status(33, "R1") == NodeStatus.FROZEN
    # frozen: neither returned nor escrowed until the 中院执行局长 unfreezes it
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).refusal.code == "NODE_FROZEN"
    assert rt.submit(c.Escrow("K", "R1", "执行局长", reason="被执行人下落不明")).refusal.code == "NODE_FROZEN"
    assert rt.submit(c.RequestUnfreeze("K", 33, "R1", by="承办人", reason="补办")).accepted
    assert rt.submit(c.ApproveUnfreeze("K", 33, "执行局长", "R1")).refusal.code == "WRONG_AUTHORITY"
    assert rt.submit(c.ApproveUnfreeze("K", 33, "中院执行局长", "R1")).accepted
    out = rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True))
    assert out.accepted, out.refusal
    done = next(e for e in out.events if e.kind == EventKind.ITEM_DONE)
    assert (done.node, done.instance, done.data["late"]) == (33, "R1", True)
    assert state.status(33, "R1") == NodeStatus.DONE and state.amounts()["returned_cents"] == 60_000_00


def test_an_unfreeze_rejected_after_the_closing_keeps_the_node_frozen(make_runtime):
    rt = _held_case(make_runtime(FILED))
    _close(rt, "不予执行")
    rt.clock.advance(timedelta(days=31))
    assert rt.submit(c.RequestUnfreeze("K", 33, "R1", by="承办人", reason="补办")).accepted
    assert rt.submit(c.RejectUnfreeze("K", 33, "中院执行局长", "R1", reason="说明理由")).accepted
    assert rt.cases["K"].status(33, "R1") == NodeStatus.FROZEN


def test_an_unregistered_receipt_freezes_node_32_after_the_closing_unfrozen_by_its_own_authority(make_runtime):
    rt = _held_case(make_runtime(FILED), register=False, approve=False)
    closed = _close(rt, "驳回申请")
    assert sorted(closed["running"]) == [[32, "R1", "main"], [33, "R1", "main"]]
    rt.clock.advance(timedelta(days=4))  # 3 days from the arrival
    state = rt.cases["K"]
    assert state.status(32, "R1") == NodeStatus.FROZEN
    assert rt.submit(c.RegisterReceipt("K", "R1")).refusal.code == "NODE_FROZEN"
    assert rt.submit(c.RequestUnfreeze("K", 32, "R1", by="承办人", reason="补办")).accepted
    assert rt.submit(c.ApproveUnfreeze("K", 32, "执行局长", "R1")).accepted  # 本院主管领导或者执行局局长
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    for who in APPROVERS:
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).accepted  # within the 30 days: in time
    mark = len(rt.events)
    rt.clock.advance(timedelta(days=60))
    assert _after(rt, mark, EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN) == []
    assert state.status(33, "R1") == NodeStatus.DONE


def test_money_arriving_after_the_closing_arms_nodes_32_and_33_and_a_timely_payout_meets_them(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 80_000_00, freeze_id="F1", account_no="A1")).accepted
    assert "running" not in _close(rt, "终结")  # nothing held: nothing runs on
    rt.clock.advance(timedelta(days=2))
    out = rt.submit(c.DeductionConfirmed("K", "icbc-1", 30_000_00, "R1"))  # the bank deducted before the release
    assert out.accepted, out.refusal
    due = {e.node: e.data["due"] for e in out.events if e.kind == EventKind.DEADLINE_SET}
    # 3 and 30 days from the arrival (03-05), each ending on a rest day moved to the next working day's end: 03-08 is a
    # Saturday (→ Monday 03-10), 04-04 清明 (→ Monday 04-07)
    assert due == {32: cst(2025, 3, 11), 33: cst(2025, 4, 8)}
    rt.clock.advance(timedelta(days=2))
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    for who in APPROVERS:
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    out = rt.submit(c.PayOut("K", "R1", 30_000_00))
    assert [(e.node, e.data["late"]) for e in out.events if e.kind == EventKind.ITEM_DONE] == [(33, False)]
    mark = len(rt.events)
    rt.clock.advance(timedelta(days=60))
    assert _after(rt, mark, EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN) == []


def test_money_arriving_after_the_closing_left_unpaid_freezes_node_33(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 80_000_00, freeze_id="F1", account_no="A1"))
    _close(rt, "终结")
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 30_000_00, "R1")).accepted
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    rt.clock.advance(timedelta(days=31))
    assert rt.cases["K"].status(33, "R1") == NodeStatus.FROZEN


def test_every_other_deadline_and_money_no_longer_held_end_with_the_case(make_runtime):
    """R1 paid out before the closing, R2 escrowed with its 到账登记 still open, R3 held: only R3 runs on; node 17's
    control of a found property and the other open deadlines end as before."""
    rt = _held_case(make_runtime(FILED))
    assert rt.submit(c.PayOut("K", "R1", 60_000_00)).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 10_000_00, "R2")).accepted
    assert rt.submit(c.Escrow("K", "R2", "执行局长", reason="申请执行人下落不明")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 10_000_00, "R3")).accepted
    assert rt.submit(c.Record("K", "property_found_offline", "house-1")).accepted  # node 17's deadline starts
    closed = _close(rt, "终结")
    assert sorted(closed["running"]) == [[32, "R3", "main"], [33, "R3", "main"]]
    mark = len(rt.events)
    rt.clock.advance(timedelta(days=400))
    after = _after(rt, mark, EventKind.WARNING, EventKind.NODE_FROZEN, nodes=range(1, 47))
    assert {(node, inst) for _, node, inst in after} == {(32, "R3"), (33, "R3"), (44, "")}  # and 归档, as always
    # a node that does not outlive the closing is not unfrozen after it (nor anything else done on it)
    assert rt.submit(c.RequestUnfreeze("K", 17, "house-1", by="承办人")).refusal.code == "CASE_CLOSED"


def test_an_escrow_on_a_frozen_payout_node_is_refused_before_a_closing_too(make_runtime):
    """The escrow settles node 33 (operations): refused NODE_FROZEN as a payout is. Before, it was taken and the node
    stayed frozen, its completion blocked (operation_blocked)."""
    rt = _held_case(make_runtime(FILED))
    rt.clock.advance(timedelta(days=31))
    assert rt.cases["K"].status(33, "R1") == NodeStatus.FROZEN
    out = rt.submit(c.Escrow("K", "R1", "执行局长", reason="申请执行人下落不明"))
    assert out.refusal.code == "NODE_FROZEN" and out.refusal.details == ((33, "R1"),)
    assert not rt.cases["K"].receipts["R1"].escrowed


def test_a_resumed_zhongben_case_still_pays_out_its_own_money_in_time(make_runtime):
    """Money arriving in a 终本 case after its closing (a sale's proceeds) is its own: its deadlines keep running
    while the case is resumed (the resumption ends only the sweeps), and the 终本 case pays it out, as it did before
    (unchanged: only the deadlines are new)."""
    rt = _gate_ready_case(make_runtime)
    _close(rt, "终本")
    assert rt.submit(c.ProceedsArrived("K", "flat", 30_000_00, "R1")).accepted
    assert rt.submit(c.RequestResumption("K", reason="统查发现财产")).accepted
    assert rt.submit(c.ApproveResumption("K", "执行局长")).accepted
    rt.clock.advance(timedelta(days=31))
    state = rt.cases["K"]
    assert state.status(32, "R1") == NodeStatus.FROZEN and state.status(33, "R1") == NodeStatus.FROZEN


def _process_text(old: str, new: str) -> str:
    text = default_process_path().read_text(encoding="utf-8")
    assert text.count(old) == 1
    return text.replace(old, new, 1)


def test_whether_the_money_deadlines_outlive_the_closing_is_data():
    text = _process_text("    outlives_closing: true   # see node 32\n", "")
    text = text.replace("    outlives_closing: true\n", "", 1)
    rt = Runtime(Engine(parse_process(text, "court.yaml"), default_calendar()), SimClock(FILED))
    _held_case(rt)
    assert "running" not in _close(rt, "销案")
    mark = len(rt.events)
    rt.clock.advance(timedelta(days=40))
    assert _after(rt, mark, EventKind.WARNING, EventKind.NODE_FROZEN) == []  # as before: ended with the case


@pytest.mark.parametrize("old, new, needle", [
    ("    outlives_closing: true   # see node 32\n", "    outlives_closing: sometimes\n", "outlives_closing: some"),
    ("    next: [3, 4]\n", "    next: [3, 4]\n    outlives_closing: true\n", "outlives_closing: true"),
])
def test_a_bad_outlives_closing_is_refused_at_its_line(old, new, needle):
    text = _process_text(old, new)
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    msg = err.value.message
    line = next(i for i, s in enumerate(text.splitlines(), 1) if needle in s)  # node 2's, or node 33's
    assert "outlives_closing" in msg and f"court.yaml:{line}" in msg
    if "next" in old:  # node 2 (per case): only a per-receipt node's deadlines outlive the closing
        assert "node 2" in msg and "per-receipt" in msg and "结案后" in msg


def test_the_rule_check_counts_a_held_receipts_deadline_after_the_closing():
    """sim/invariants: a node-33 deadline still running after the closing that came due silently is a lost timer;
    the deadlines the closing ended are not."""
    process = parse_process(default_process_path().read_text(encoding="utf-8"), "process.yaml")
    t0 = FILED
    court = SimpleNamespace(runtime=SimpleNamespace(cases={}), platform=SimpleNamespace(pushes=[]),
                            session=SimpleNamespace(ledger=SimpleNamespace(
                                total_cents=lambda: 0, origin_cents=lambda: 0,
                                court_accounts=SimpleNamespace(paid_out_cents=0))))

    def run(running):
        ch = Checker(process)
        for at, kind, node, inst, item, data in (
                (0, EventKind.DEADLINE_SET, 17, "house-1", "main", {"due": t0 + timedelta(days=3)}),
                (0, EventKind.DEADLINE_SET, 33, "R1", "main", {"due": t0 + timedelta(days=30)}),
                (1, EventKind.CLOSED, 43, "", None, {"manner": "cancelled", **running}),
                (2, EventKind.DEADLINE_SET, 33, "R2", "main", {"due": t0 + timedelta(days=32)})):
            ch(Event(t0 + timedelta(days=at), "K1", kind, node, inst, item, data))
        ch.finish(court, t0 + timedelta(days=40))
        return sorted(v["en"] for v in ch.violations)

    lost = "node 33 deadline main came due without a miss reported (timer lost)"
    assert run({"running": [[33, "R1", "main"]]}) == [lost, lost]  # R1 kept at the closing, R2 armed after it
    assert run({}) == [lost]  # R1 ended with the case; R2 armed after it still checked
