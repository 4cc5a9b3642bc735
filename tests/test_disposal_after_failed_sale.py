"""以物抵债 after a failed 变卖 (tests/fidelity_audit.md N29-3): the property a 变卖 found no buyer for — still sealed —
may go to the applicant at an agreed value (民诉法解释 (2022) 第四百九十一条 as the brief cites it, outside the seed,
unconfirmed: data, process.yaml node 29 ``in_kind.after_failed_sale``). By default (``applicant``) the applicant's
consent suffices; ``both`` asks the debtor's too, as an agreement without a sale; ``refuse`` takes none. Before
(2026-12-07) the lot ``unsold`` was refused whatever the data (``disposal_stage``). Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.errors import UserError
from core_flow.process_loader import default_process
from mock_agencies.auction import ListingStatus
from tests.test_disposal import CLAIM, Case
from tests.test_in_kind_agreement import _rules


def _unsold(process=None) -> Case:
    """Two 流拍, the creditor's refusal at the reserve price, a 变卖 period with no buyer: the lot ``unsold``, its seal
    still held."""
    case = Case(process=process).fixed().listed()
    case.until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    case.court.run_for(timedelta(hours=1))
    case.d.start_sale(case.k, case.asset)
    case.court.run_until(case.listing().ends_at + timedelta(hours=2))
    assert case.lot.stage == "unsold" and case.status(28) == "done"
    assert case.state.assets[case.asset].active  # still sealed
    return case


def _agree(case: Case, *, applicant: bool = True, debtor: bool = False, price: int = 200_000_00):
    return case.d.agree_in_kind(case.k, case.asset, price, applicant_consents=applicant, debtor_consents=debtor)


def _snapshot(case: Case) -> tuple:
    return (case.lot.stage, len(case.court.runtime.case_events(case.k)), case.state.outstanding_cents())


def test_the_bundled_rule_takes_it_with_the_applicants_consent():
    assert default_process().in_kind.after_failed_sale == "applicant"


def test_after_a_failed_sale_the_applicant_takes_the_property_at_an_agreed_value():
    case = _unsold()
    lid = case.lot.listing_id
    price = case.lot.starting_price_cents  # the 变卖's price: the least the applicant alone may take it at
    assert price is not None and price > 0
    out = _agree(case, price=price)  # the debtor's consent not needed here; the old code: refused (disposal_stage)
    assert out.accepted and case.lot.stage == "in_kind"
    [confirmed] = [e for e in case.court.runtime.case_events(case.k)
                   if e.kind == EventKind.ANCHOR and e.data.get("anchor") == "sale_confirmed"]
    assert confirmed.data["by_agreement"] and confirmed.data["after_failed_sale"]
    assert confirmed.data["in_kind_price_cents"] == price
    assert case.state.outstanding_cents() == max(0, CLAIM - price)  # above the claim: the difference owed
    assert case.state.node(30, case.asset).items["ruling"].due is not None  # node 30's 10 days from the agreement
    view = case.court.session.auction.get(lid)  # the 变卖's listing on the platform: taken in kind by agreement
    assert view.status is ListingStatus.TAKEN_IN_KIND and view.in_kind_price_cents == price
    case.d.transfer(case.k, case.asset)  # to the applicant, as after a 流拍
    case.court.run_for(timedelta(days=2))
    assert case.lot.registered and not case.state.assets[case.asset].active


def test_on_the_applicants_consent_alone_a_value_below_the_sale_price_is_refused_and_nothing_changes():
    """Review R6: with the applicant's consent alone any positive value was taken — the creditor could have the
    debtor's property for a token sum. Now not below the price the 变卖 offered it at (in_kind.failed_sale_floor:
    sale_price, our choice); with the debtor's consent, or the floor set to none, a lower value is taken."""
    case = _unsold()
    floor = case.lot.starting_price_cents
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, price=floor - 1)
    assert err.value.code == "in_kind_price" and "变卖价" in err.value.zh and "failed_sale_floor" in err.value.en
    assert err.value.where.endswith("price") and _snapshot(case) == before
    assert _agree(case, price=floor // 2, debtor=True).accepted  # both consent: their value
    lenient = _unsold(_rules(failed_sale_floor="none"))
    assert _agree(lenient, price=lenient.lot.starting_price_cents // 2).accepted


def test_without_the_applicants_consent_it_is_refused_and_nothing_changes():
    case = _unsold()
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, applicant=False, debtor=True)
    assert err.value.code == "in_kind_no_consent" and "申请执行人" in err.value.zh
    assert _snapshot(case) == before


def test_where_the_process_says_both_the_debtors_consent_is_needed_too():
    case = _unsold(_rules(after_failed_sale="both"))
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, debtor=False)
    assert err.value.code == "in_kind_no_consent" and "被执行人" in err.value.zh and _snapshot(case) == before
    assert _agree(case, debtor=True).accepted and case.lot.stage == "in_kind"


def test_where_the_process_refuses_it_the_unsold_property_stays_sealed():
    case = _unsold(_rules(after_failed_sale="refuse"))
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, debtor=True)
    assert err.value.code == "in_kind_not_allowed" and "after_failed_sale" in err.value.en
    assert _snapshot(case) == before and case.state.assets[case.asset].active


def test_returned_to_the_debtor_the_seal_released_it_is_no_longer_the_courts_to_give():
    case = _unsold()
    case.p.release(case.k, case.asset)  # 退回被执行人: the seal released
    case.court.run_for(timedelta(days=1))
    with pytest.raises(UserError) as err:
        _agree(case, debtor=True)
    assert err.value.code == "in_kind_not_controlled"


def test_an_unknown_rule_is_a_located_error():
    with pytest.raises(UserError) as err:
        _rules(after_failed_sale="sometimes")
    assert "after_failed_sale" in str(err.value)
