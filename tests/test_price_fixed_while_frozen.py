"""The price fixed while node 20 is frozen (seed 004 节点二十: "经预警后，仍未按时限完成的，系统将自动冻结该节点…
解冻节点的，需报所辖中院执行局长批准"): a report served late, within node 20's 30 days, whose 5-day objection window
closes after them. The window's close fixes the price (``reference_price_fixed``: node 23's 10 days run from it), but
node 20 is frozen: completing it then was refused (NODE_FROZEN) and nothing tried again, so node 20 stayed undone for
good after the 中院执行局长's unfreeze. Now its completion waits for the unfreeze, and comes with it (review R6)."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from tests.test_disposal import Case


def _fixed_while_frozen() -> Case:
    case = Case(seed=5).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(days=4))
    due = case.due(20)
    case.court.run_until(due - timedelta(days=2))
    case.d.serve_report(case.k, case.asset)  # late, but within the 30 days: the window ends after them
    case.court.run_for(timedelta(days=8))
    assert case.lot.stage == "fixed" and case.status(20) == "frozen"
    return case


def test_node_20_completes_when_it_is_unfrozen_after_the_price_was_fixed():
    case = _fixed_while_frozen()
    refused = [e for e in case.court.runtime.case_events(case.k) if e.kind == EventKind.REFUSED and e.node == 20]
    assert refused == []  # the old code: CompleteNode(20) refused NODE_FROZEN at the window's close
    case.p.submit(c.RequestUnfreeze(case.k, 20, case.asset, by="承办人"))
    assert case.p.submit(c.ApproveUnfreeze(case.k, 20, "中院执行局长", case.asset)).accepted
    assert case.status(20) == "done"  # the old code: in progress for good
    [done] = [e for e in case.court.runtime.case_events(case.k) if e.kind == EventKind.NODE_DONE and e.node == 20]
    assert done.at == case.court.clock.now()
    case.d.notify_parties(case.k, case.asset)  # the sale goes on
    case.court.run_for(timedelta(days=3))
    case.d.list(case.k, case.asset)
    case.court.run_for(timedelta(hours=1))
    assert case.lot.stage == "listed"


def test_a_refused_unfreeze_completes_nothing_and_one_heard_again_changes_nothing():
    case = _fixed_while_frozen()
    case.p.submit(c.RequestUnfreeze(case.k, 20, case.asset, by="承办人"))
    assert not case.p.submit(c.ApproveUnfreeze(case.k, 20, "执行局长", case.asset)).accepted  # not the authority
    assert case.status(20) != "done"
    assert case.p.submit(c.ApproveUnfreeze(case.k, 20, "中院执行局长", case.asset)).accepted
    events = len(case.court.runtime.case_events(case.k))
    case.d._unfrozen(case.court.runtime.case_events(case.k)[-1])  # heard again: nothing more
    assert case.status(20) == "done" and len(case.court.runtime.case_events(case.k)) == events
