"""The court's side of 过户 (node 30): the ruling's 协助执行通知书 goes to the registry as a transfer (15)
naming the seal and the new owner — the buyer the auction platform reported, or the applicant who took the property
in kind — and the registry's answer ends the seal (no 解除查封 14 is sent). A sold flat's later query no longer finds
it under the debtor; a lot whose transfer the registry recorded is no longer kept by the court's memory (found again,
the debtor owns it anew), one the registry never recorded (an agency without 15) still is.
tests/fidelity_audit.md N30-T, ZB-3f.
"""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.protocol import FreezeState, Measure
from tests.test_disposal import Case
from tests.test_disposal_followups import _found_again


def _sold_and_transferred(case: Case) -> Case:
    case.fixed().listed()
    case.bid("B7")
    case.until_closed()
    case.court.run_for(timedelta(days=6))  # the buyer pays the balance: the price in the case's 一案一账号
    assert case.lot.stage == "paid"
    case.d.confirm_sale(case.k, case.asset)
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    return case


def _sent(case: Case, purpose: str) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent" and e.data.get("measure") == purpose]


def test_a_sold_flats_later_query_no_longer_finds_it_under_the_debtor():
    case = _sold_and_transferred(Case())
    ledger = case.court.session.ledger
    owner, _ = ledger.transferred(case.agency, case.holding.account_no)
    assert owner == "买受人 B7"  # the buyer the auction platform reported
    seal = ledger.find_freeze(case.state.assets[case.asset].freeze_id)
    assert seal.state == FreezeState.TRANSFERRED  # the registry ended the seal with the transfer
    assert case.state.assets[case.asset].released and case.lot.registered
    assert len(_sent(case, "transfer")) == 1 and _sent(case, "unfreeze") == []  # no 14 after the 过户
    case.d.hand_over(case.k, case.asset)
    # a later query of the registry (the handler's, a 终本 sweep's, a resumed case's) reports nothing of it
    assert case.p.manual_query(case.k, case.debtor.id_number, case.agency).accepted
    case.court.run_for(timedelta(days=2))
    assert case.p.holdings[(case.k, case.debtor.id_number, case.agency)] == ()
    assert case.lot.stage == "handed_over"
    recon = case.p.reconcile(case.k)
    assert recon["ok"] and recon["frozen_cents"] == 0


def test_a_car_taken_in_kind_goes_to_the_applicant():
    case = Case("vehicle").fixed().listed()
    case.until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    case.d.offer_in_kind(case.k, case.asset, accept=True)
    case.court.run_for(timedelta(days=1))
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    owner, _ = case.court.session.ledger.transferred(case.agency, case.holding.account_no)
    assert owner == "申请执行人（以物抵债）"
    assert case.state.assets[case.asset].released and _sent(case, "unfreeze") == []
    assert case.court.session.ledger.holdings(case.agency, case.debtor.id_number, case.court.clock.now()) == ()


def test_a_handed_over_lot_the_registry_recorded_gives_way_one_it_never_recorded_stays():
    case = _sold_and_transferred(Case())
    case.d.hand_over(case.k, case.asset)
    old = case.lot
    # the registry answers truly: reported under the debtor again, the debtor owns it anew (bought back) — a new lot
    assert _found_again(case) and case.lot is not old and case.lot.stage == "found"
    other = Case(seed=6).seal()
    kept = other.lot
    kept.stage = "handed_over"  # handed over where the registry took no 过户 (registered stays False)
    assert not _found_again(other) and other.lot is kept


def test_a_registry_without_the_transfer_has_the_seal_released_instead(monkeypatch):
    case = Case()
    takes = case.p.can
    monkeypatch.setattr(case.p, "can", lambda agency, m: m != Measure.TRANSFER and takes(agency, m))
    _sold_and_transferred(case)
    assert _sent(case, "transfer") == [] and len(_sent(case, "unfreeze")) == 1
    assert case.state.assets[case.asset].released and not case.lot.registered
    seal = case.court.session.ledger.find_freeze(case.state.assets[case.asset].freeze_id)
    assert seal.state == FreezeState.RELEASED
