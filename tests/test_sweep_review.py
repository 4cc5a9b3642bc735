"""Which findings of a 终本 sweep open node 46's 10-day review (process ``resumption.sweep_review``): with ``new`` (the
default) a sweep reporting again the flat the case already found opens no second review, while money available in an
account the case knew is a new clue; with ``every`` each sweep's finding opens one (zhixing ≤ 0.1.x)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.agency_directory import sweep_scope
from core_flow.engine import EventKind
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court
from tests.test_platform import deposit, events, file, person
from tests.test_resumption_measures import paid_in_part_then_zhongben

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _court(rule: str):
    process = default_process()
    process = process.model_copy(update={"resumption": process.resumption.model_copy(update={"sweep_review": rule})})
    return build_virtual_court(ORIGIN, seed=5, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0,
                               process=process)


def _reviews(court, case_id: str) -> list[str]:
    return [e.instance for e in events(court, case_id, EventKind.ANCHOR)
            if e.data["anchor"] == "property_found_after_zhongben"]


def _sweeps(court, case_id: str) -> int:
    return len(events(court, case_id, EventKind.SWEEP_DUE))


@pytest.mark.parametrize(("rule", "expected"), [("new", 1), ("every", 2)])
def test_a_flat_reported_by_every_sweep_is_reviewed_once_unless_every_finding_is(rule, expected):
    """Nothing at the banks, a flat at the registry (not disposed of: the court has no disposal here): 终本, then
    two 6-monthly sweeps each report the flat."""
    court = _court(rule)
    debtor = person(court, 10)
    p = court.platform
    for agency in sweep_scope(p.directory, debtor.id_number, p.court.region,
                              sweep_groups=p.process.inquiry.sweep_groups):  # nothing anywhere but the flat
        court.session.world.pin(debtor.id_number, agency.code, [])
    flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                   kind=AssetKind.REAL_ESTATE, balance_cents=600_000_00, available_cents=600_000_00)
    court.session.world.pin(debtor.id_number, "real_estate_registry", [flat])
    file(court, "F1", debtor, 50_000_00)
    court.run_for(timedelta(days=130))
    assert court.runtime.cases["F1"].closed_manner == "zhongben"
    court.run_for(timedelta(days=400))
    assert _sweeps(court, "F1") == 2
    found = [f for f in court.platform.findings if f.case_id == "F1" and f.agency == "real_estate_registry"]
    assert len(found) == 2  # both sweeps reported the flat (终本管理 shows both)
    reviews = _reviews(court, "F1")
    assert len(reviews) == expected, reviews
    state = court.runtime.cases["F1"]
    assert all(ns.status == "done" for (no, _), ns in state.nodes.items() if no == 46)  # each review was done
    assert state.closed_manner == "zhongben" and state.resumption is None  # the flat alone resumes nothing here


def test_money_in_an_account_the_case_already_knew_is_a_new_clue():
    """The 集约查询 found 20,000 at boc (deducted, paid): 终本. 30,000 then arrives in the same account: the sweep's
    finding of a known account with money available opens a review and brings the case back."""
    court, debtor = paid_in_part_then_zhongben("M1", sweep_review="new")
    account = deposit(court, debtor.id_number, "boc", 1, 0).account_no
    assert ("M1", f"boc:{account}") in court.platform.assets
    court.session.ledger.credit(agency="boc", id_number=debtor.id_number, account_no=account,
                                amount_cents=30_000_00, now=court.clock.now())
    court.run_for(timedelta(days=200))
    assert _sweeps(court, "M1") >= 1
    assert any(r.endswith(":boc") for r in _reviews(court, "M1"))
    assert events(court, "M1", EventKind.RESUMPTION_FILED)
