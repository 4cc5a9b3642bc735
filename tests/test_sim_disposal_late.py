"""The simulated disposal clerks at the end of a lot's road: a case closed while the creditor's 以物抵债 ask waited in
the judge's queue (paid in full by another sale) is not asked (before: the property was taken in kind and its
SatisfiedInKind refused CASE_CLOSED, the lot left half transferred); a 变卖 the court announces after node 28's 15
days is announced all the same (before: the platform refused it, the lot was never sold and its case held from
终本 — 10 lots in a staffed court-year with every property disposed of)."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import commands as c
from sim.staff_disposal import StaffDisposalClerk
from tests.test_disposal import Case
from tests.test_platform import unfreeze_all


def _unsold_twice() -> Case:
    case = Case().fixed().listed()
    case.until_closed()
    case.d.relist(case.k, case.asset, cut_pct=20)
    case.until_closed()
    assert case.lot.stage == "unsold2"
    return case


def _clerk(case: Case) -> StaffDisposalClerk:
    clerk = StaffDisposalClerk.__new__(StaffDisposalClerk)  # its queue is not needed: the act is called directly
    clerk.p, clerk.d = case.p, case.d
    return clerk


def test_a_case_closed_while_the_in_kind_ask_waited_is_not_asked():
    case = _unsold_twice()
    unfreeze_all(case.court, case.k)  # (node 7's notice, never sent in this case)
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    _clerk(case)._offer_in_kind(case.k, case.asset, True)
    assert case.lot.stage == "unsold2"  # not asked: nothing taken in kind, nothing sent


def test_an_open_case_is_asked():
    case = _unsold_twice()
    _clerk(case)._offer_in_kind(case.k, case.asset, True)
    assert case.lot.stage in ("in_kind", "transferred") and case.status(29) == "done"


def test_a_sale_announced_after_node_28s_15_days_goes_on_the_platform():
    case = _unsold_twice()
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    case.court.run_for(timedelta(days=30))  # the judge's queue: weeks past the 15 days
    case.d.start_sale(case.k, case.asset)
    assert case.lot.stage == "sale" and case.listing().round == "sale"
