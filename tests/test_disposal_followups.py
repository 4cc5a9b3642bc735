"""Follow-ups to the disposal rules of 079ed7a / c5fd1e1 (core_flow/platform/disposal.py, platform.py).

* Real estate or a vehicle found again (a 终本 sweep, a clue) after its lot's disposal ended without a sale — its
  变卖 ended unsold and the seal released — is a new lot (``Disposal.found``), as a re-frozen 股权 / 证券 is
  (``Disposal.frozen``); a lot under disposal, an unsold one still sealed, and one sold and handed over stay.
* No 划拨 in a 财产保全 case: node 31's override (process.yaml ``applies: false``) is read by ``Platform.deduct``,
  which refuses with a bilingual ``deduction_not_applicable`` — a scenario's ``deduct:`` step reports it as a
  refusal.
* A reference price is valid 1 year (参考价规定 (2018), LAW.md): the first auction is not listed on a lapsed price
  (``reference_price_lapsed``, naming the date); the court fixes a new price (``price`` again) and lists. A second
  auction or a 变卖 is refused only 6 months past the validity (unconfirmed: process.yaml node 20's
  ``reference_price.grace_months``, data).
tests/fidelity_audit.md DP-LAPSE, N31-P.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process, default_process_path, parse_process
from scenarios.loader import parse_text
from scenarios.runner import run_scenario
from sim.assembly import build_virtual_court
from tests.sim_support import preserved_deposit
from tests.test_disposal import Case

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


# ── found again after the disposal ended ───────────────────────────────────────────────────────
def _found_again(case: Case) -> list[dict]:
    notices: list[dict] = []
    case.p.listeners.append(lambda kind, data: notices.append(data) if kind == "property_found" else None)
    case.d.found(case.k, case.debtor.id_number, case.agency, (case.holding,))
    return notices


def test_a_flat_sold_and_handed_over_found_again_stays_the_buyers():
    """The court transferred it: a registry still listing it under the debtor (not yet updated, or a registry that
    takes no 过户 document) is no new property — a new lot sold the same car twice in the disposal clerk's test."""
    case = Case().seal()
    old = case.lot
    old.stage = "handed_over"
    assert not _found_again(case) and case.lot is old


def test_an_unsold_flat_whose_seal_was_released_is_a_new_lot_one_still_sealed_is_not():
    case = Case().seal()
    old = case.lot
    old.stage = "unsold"  # 变卖 found no buyer: the seal is kept after 终本 (measures continue)
    assert not _found_again(case) and case.lot is old
    case.p.release(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    assert case.state.assets[case.asset].released
    assert _found_again(case) and case.lot is not old and case.lot.stage == "found"


@pytest.mark.parametrize("stage", ["sealed", "listed", "paid", "transferred", "moved"])
def test_a_lot_under_disposal_or_moved_stays(stage):
    case = Case().seal()
    old = case.lot
    old.stage = stage
    assert not _found_again(case) and case.lot is old


# ── no 划拨 in a 财产保全 case ──────────────────────────────────────────────────────────────────
PRESERVATION = """
name: 财产保全案件不予划拨
tags: [test]
case:
  number: (2025)豫0811执保21号
  type: 财产保全
  amount: 100000
  filed: 2025-03-03 10:00
  debtors:
    - {as: 甲某, world: 63, holdings: [{agency: 工商银行, amount: 250000, as: 工行存款}]}
steps:
  - assign: 张法官
  - verify_identity: 通过
  - manual_query: 工商银行
  - at: +2h
    freeze: {asset: 工行存款, amount: 100000}
  - at: +2h
    deduct: {asset: 工行存款}
    refused: any
  - expect_no_event: {kind: funds_arrived}
"""


def test_a_preservation_case_refuses_the_deduction_from_the_process_data():
    [sc], problems = parse_text(PRESERVATION, "preservation.scenario.yaml")
    assert not problems
    result = run_scenario(sc)
    assert result.passed, result.explain()  # a refusal the step reports (before: accepted, the money deducted)
    [refused] = [s for s in result.steps if s.key == "deduct"]
    assert refused.status == "passed" and "DEDUCTION_NOT_APPLICABLE" in refused.actual, refused


def test_the_refusal_names_node_31_in_both_languages_and_sends_nothing():
    court = build_virtual_court(ORIGIN, seed=3, clerk=False)
    p, rt = court.platform, court.runtime
    asset = preserved_deposit(court)
    court.run_for(timedelta(days=1))
    assert rt.cases["P"].assets[asset].active
    before = len(rt.case_events("P"))
    with pytest.raises(UserError) as err:
        p.deduct("P", asset, 50_000_00)
    assert err.value.code == "deduction_not_applicable"
    assert "节点31" in err.value.zh and "财产保全" in err.value.zh and "node 31" in err.value.en
    assert rt.case_events("P")[before:] == []  # nothing sent to the bank


# ── the reference price's one-year validity ─────────────────────────────────────────────────────
def _unfreeze(case: Case, node: int) -> None:
    frozen = [e for e in case.court.runtime.case_events(case.k)
              if e.kind == EventKind.NODE_FROZEN and e.node == node and e.instance == case.asset]
    if not frozen or case.state.status(node, case.asset) != "frozen":
        return
    data = frozen[-1].data
    case.p.submit(c.RequestUnfreeze(case.k, node, case.asset, by="承办人", reason="补办 / catching up"))
    for level in [*data.get("unfreeze_via", ()), data["unfreeze_by"][0]]:
        assert case.p.submit(c.ApproveUnfreeze(case.k, node, level, case.asset)).accepted


def test_a_lapsed_reference_price_refuses_the_first_auction_until_a_new_price_is_fixed():
    case = Case().fixed()
    lot = case.lot
    assert lot.valid_until is not None
    assert lot.valid_until.date() == lot.report_at.date().replace(year=lot.report_at.year + 1)  # the platform's year
    case.court.run_until(lot.valid_until + timedelta(hours=1))
    case.d.notify_parties(case.k, case.asset)
    before = len(case.court.runtime.case_events(case.k))
    with pytest.raises(UserError) as err:
        case.d.list(case.k, case.asset)
    valid = lot.valid_until.date().isoformat()
    assert err.value.code == "reference_price_lapsed"
    assert valid in err.value.zh and valid in err.value.en and "参考价" in err.value.zh
    assert case.court.runtime.case_events(case.k)[before:] == []  # nothing sent to the auction platform
    assert lot.stage == "fixed" and lot.listing_id is None
    # the court fixes a new price: asked again, reported, served, its 5 days, fixed — then it is listed
    old_until = lot.valid_until
    case.d.price(case.k, case.asset)
    for _ in range(10):
        case.court.run_for(timedelta(days=1))
        if lot.stage == "reported":
            break
    assert lot.stage == "reported" and lot.objection_until is None
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=7))
    assert lot.stage == "fixed" and lot.valid_until > old_until + timedelta(days=360)
    _unfreeze(case, 23)  # node 23's 10 days were missed long ago (督办): unfrozen to list
    case.listed()
    assert lot.stage == "listed"


def test_a_valid_price_lists_and_is_not_repriced():
    case = Case().fixed()
    with pytest.raises(UserError, match="参考价失效后重新"):  # the price is valid: nothing to re-price
        case.d.price(case.k, case.asset)
    case.listed()
    assert case.lot.stage == "listed"


def _unsold_once(case: Case) -> None:
    case.listed()
    case.until_closed()
    assert case.lot.stage == "unsold1"


def _grace(months: int):
    """The bundled process with node 20's ``reference_price.grace_months`` set to ``months``."""
    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    next(n for n in data["nodes"] if n["node"] == 20)["reference_price"]["grace_months"] = months
    return parse_process(yaml.safe_dump(data, allow_unicode=True))


def test_a_second_auction_within_six_months_of_the_lapse_goes_ahead_later_is_refused():
    assert default_process().reference_price.grace_months == 6  # the bundled data (unconfirmed rule: N23-V)
    case = Case().fixed()
    _unsold_once(case)
    now = case.court.clock.now()
    case.lot.valid_until = now - timedelta(days=200)  # (stands for a price fixed long before the first auction)
    with pytest.raises(UserError) as err:
        case.d.relist(case.k, case.asset)
    assert err.value.code == "reference_price_lapsed" and "6" in err.value.zh and "6 months" in err.value.en
    assert case.lot.stage == "unsold1"
    case.lot.valid_until = now - timedelta(days=150)  # lapsed, but within the 6 months
    case.d.relist(case.k, case.asset)
    assert case.lot.stage == "relisted"


@pytest.mark.parametrize("months", [0, 3])
def test_the_grace_after_the_validity_is_the_process_data(months):
    """``reference_price.grace_months`` in process.yaml, not a constant: 0 holds a second auction to the validity
    alone (the message then says re-price, no grace), 3 refuses it 4 months past the validity."""
    case = Case(process=_grace(months)).fixed()
    _unsold_once(case)
    case.lot.valid_until = case.court.clock.now() - timedelta(days=1 if months == 0 else 120)
    with pytest.raises(UserError) as err:
        case.d.relist(case.k, case.asset)
    assert err.value.code == "reference_price_lapsed"
    assert ("个月" in err.value.zh) == (months > 0) and (f"{months} months" in err.value.en) == (months > 0)
    case.lot.valid_until = case.court.clock.now() - timedelta(days=60)
    if months == 0:
        with pytest.raises(UserError):
            case.d.relist(case.k, case.asset)
    else:
        case.d.relist(case.k, case.asset)
        assert case.lot.stage == "relisted"


def test_the_simulated_clerk_reprices_a_lot_whose_price_lapsed_before_its_listing():
    """A listing that waited a year in a judge's queue (a 2-year run with every property disposed of: 13 refused
    reference_price_lapsed, the lots left at fixed for good): the clerk asks for a new price instead, and lists it
    when that is fixed."""
    from sim.disposal_clerk import DisposalClerk

    case = Case().fixed()
    clerk = DisposalClerk.__new__(DisposalClerk)
    clerk.d = case.d
    clerk._list(case.k, case.asset, 80)  # valid: listed
    assert case.lot.stage == "listed"
    case = Case().fixed()
    clerk.d = case.d
    case.court.run_until(case.lot.valid_until + timedelta(days=1))
    clerk._list(case.k, case.asset, 80)
    assert case.lot.stage == "pricing"  # asked again (before: refused, the lot stayed fixed)


def test_a_failed_steps_explanation_masks_the_account_its_refusal_names():
    """``explain()`` (the CLI's, JUnit's and pytest's failure text) masks account numbers as the step lines do."""
    [sc], _ = parse_text(PRESERVATION.replace("    refused: any\n", "    refused: NODE_FROZEN\n"), "p.scenario.yaml")
    result = run_scenario(sc)
    assert not result.passed
    [step] = [s for s in result.steps if s.key == "deduct"]
    account = re.search(r"icbc:(\d{16,})", step.actual)
    assert account, step.actual  # the refusal names the asset by its account
    said = result.explain()
    assert "DEDUCTION_NOT_APPLICABLE" in said and account[1] not in said and "*" * 8 in said
