"""A review of an objection to a price report (node 22) that upholds it asks a new price at once
(``Disposal.review_objection``). When that request is refused — a bad method, node 20 frozen (its 30 days missed
before the objection: a missed deadline stays frozen, tests/fidelity_audit.md N20-b) — the review is refused as a
whole and changes nothing: node 22 stays open and the objection pending, so the handler reviews it again once the
cause is gone. Before (2026-12-07) node 22 was completed and the objection marked upheld before the request was
refused: the refusal said the review failed, a second review read "没有待审查的异议 / no objection under review"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.errors import UserError
from tests.test_disposal import Case


def _objected() -> Case:
    case = Case(seed=5).seal().price()
    case.court.run_for(timedelta(days=1))
    case.d.object(case.k, case.asset, by="被执行人")
    assert case.lot.objection == "pending" and case.status(22) != "done"
    return case


def test_a_review_upholding_with_a_bad_method_changes_nothing():
    case = _objected()
    with pytest.raises(UserError) as err:
        case.d.review_objection(case.k, case.asset, upheld=True, method="guess")
    assert err.value.where == "method"
    assert case.lot.objection == "pending" and case.status(22) != "done"  # the old code: upheld, node 22 done
    assert case.lot.stage == "reported"
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")  # reviewed again: goes through
    assert case.lot.objection == "upheld" and case.status(22) == "done" and case.lot.stage == "pricing"


def test_a_review_upholding_while_node_20_is_frozen_changes_nothing_until_the_unfreeze():
    case = Case(seed=5).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(days=4))
    assert case.lot.stage == "reported"
    due = case.due(20)
    case.court.run_until(due - timedelta(days=2))
    case.d.serve_report(case.k, case.asset)  # late, within node 20's 30 days
    case.court.run_until(due + timedelta(hours=1))  # node 20's 30 days missed: frozen for the 中院执行局长
    assert case.status(20) == "frozen"
    case.d.object(case.k, case.asset, by="被执行人")  # still within the 5 days: received (node 22 runs)
    assert case.lot.objection == "pending"
    with pytest.raises(UserError) as err:
        case.d.review_objection(case.k, case.asset, upheld=True)
    assert "20" in err.value.zh and "冻结" in err.value.zh
    assert case.lot.objection == "pending" and case.status(22) != "done"  # the old code: upheld, node 22 done
    # dismissing it asks nothing of node 20: the review goes through (the price stands, fixed as the window ends)
    case.d.review_objection(case.k, case.asset, upheld=False)
    assert case.lot.objection == "dismissed" and case.status(22) == "done"
