"""A 终本 case's freezes and seals continue in its 恢复执行 case (``Platform.carry_over``; the process's
``resumption.measures_carry_over``): the new case deducts the money a sweep froze under the old one — under the same
freeze, without a second freeze at the bank — and the old case no longer holds it (no renewal, no release from
there). The engine's two commands check whose measure it is."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process
from sim.assembly import build_virtual_court
from tests.test_platform import deposit, events, file, person, pin_only

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _swept_and_resumed(carry_over: bool = True):
    """K2 goes to 终本 with nothing; money appears at ccb; the sweep freezes it and the case is resumed."""
    process = default_process()
    if not carry_over:
        process = process.model_copy(update={"resumption": process.resumption.model_copy(
            update={"measures_carry_over": False})})
    court = build_virtual_court(ORIGIN, seed=5, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0,
                                process=process)
    debtor = person(court, 10)
    pin_only(court, debtor.id_number, {})
    file(court, "K2", debtor, 50_000_00)
    court.run_for(timedelta(days=130))
    assert court.runtime.cases["K2"].closed_manner == "zhongben"
    court.session.world.unpin(debtor.id_number, "ccb")
    held = deposit(court, debtor.id_number, "ccb", 1, 80_000_00)
    court.session.world.pin(debtor.id_number, "ccb", [held])
    court.run_for(timedelta(days=200))
    assert events(court, "K2", EventKind.RESUMPTION_FILED)
    return court, debtor, held


def test_the_resumed_case_deducts_what_the_sweep_froze_under_the_zhongben_case():
    court, debtor, held = _swept_and_resumed()
    asset = f"ccb:{held.account_no}"
    old, new = court.runtime.cases["K2"], court.runtime.cases["K2-恢1"]
    # handed over by the old case, taken over by the new one, under the same freeze
    handed = events(court, "K2", EventKind.MEASURE_HANDED_OVER)
    assert [(e.instance, e.data["to_case"]) for e in handed] == [(asset, "K2-恢1")]
    assert old.assets[asset].moved_to == "K2-恢1" and old.amounts()["frozen_cents"] == 0
    taken = [e for e in events(court, "K2-恢1", EventKind.FUNDS_FROZEN) if e.data.get("taken_over_from") == "K2"]
    assert [e.instance for e in taken] == [asset]
    assert new.assets[asset].freeze_id == old.assets[asset].freeze_id
    # the new case's handler deducted it and paid the applicant: the claim is met and the case completed
    assert new.amounts()["deducted_cents"] == 50_000_00 and new.amounts()["paid_cents"] == 50_000_00
    assert new.closed_manner == "completed"
    assert court.platform.reconcile("K2-恢1")["ok"]
    # one freeze at the bank, ever: the measure was carried, not taken again
    assert len(court.session.ledger.freezes_of("ccb", held.account_no)) == 1
    left = court.session.ledger.holdings("ccb", debtor.id_number, court.clock.now())[0]
    assert left.balance_cents == 30_000_00


def test_without_carry_over_the_measure_stays_with_the_zhongben_case():
    court, _, held = _swept_and_resumed(carry_over=False)
    asset = f"ccb:{held.account_no}"
    assert not events(court, "K2", EventKind.MEASURE_HANDED_OVER)
    assert asset not in court.runtime.cases["K2-恢1"].assets
    assert court.runtime.cases["K2"].assets[asset].active
    assert court.runtime.cases["K2-恢1"].amounts()["deducted_cents"] == 0


def test_only_the_case_resumed_from_it_takes_a_measure_over():
    court, debtor, held = _swept_and_resumed()
    asset = f"ccb:{held.account_no}"
    now = court.clock.now()
    engine, cases = court.runtime.engine, court.runtime.cases
    # the old case no longer holds it: handing it over again, or to a case it was not resumed as, is refused
    _, out = engine.handle(cases["K2"], c.HandOverMeasure("K2", asset, "K2-恢1"), now)
    assert out.refusal.code == "NO_FREEZE"
    _, out = engine.handle(cases["K2"], c.HandOverMeasure("K2", asset, "K9-恢1"), now)
    assert out.refusal.code == "NOT_RESUMED_AS"
    # a case that is not K2's resumption cannot take K2's measure; the resumed case cannot take it twice (its state
    # as it stood open: the engine is pure, a copy is enough)
    other = next(d for i in range(40, 400) if (d := person(court, i)).id_number != debtor.id_number)
    assert file(court, "K5", other, 100_00).accepted
    _, out = engine.handle(cases["K5"], c.TakeOverMeasure("K5", "K2", "icbc:1", "icbc", 100, "F1"), now)
    assert out.refusal.code == "NOT_RESUMED_FROM"
    resumed = copy.deepcopy(cases["K2-恢1"])
    resumed.closed_manner = None
    _, out = engine.handle(resumed, c.TakeOverMeasure("K2-恢1", "K2", asset, "ccb", 100, "F1"), now)
    assert out.refusal.code == "ASSET_EXISTS"
    _, out = engine.handle(resumed, c.TakeOverMeasure("K2-恢1", "K2", "icbc:9", "icbc", 0, "F1"), now)
    assert out.refusal.code == "BAD_AMOUNT"
    _, out = engine.handle(resumed, c.TakeOverMeasure("K2-恢1", "K2", "icbc:9", "icbc", 100, "F9"), now)
    assert out.accepted and resumed.assets["icbc:9"].frozen_cents == 100
    assert [e.data["taken_over_from"] for e in out.events if e.kind == EventKind.FUNDS_FROZEN] == ["K2"]


def test_a_measure_handed_over_is_not_renewed_or_released_from_the_zhongben_case():
    court, _, held = _swept_and_resumed()
    asset = f"ccb:{held.account_no}"
    money = court.runtime.cases["K2"].assets[asset]
    now = court.clock.now()
    _, out = court.runtime.engine.handle(court.runtime.cases["K2"], c.FreezeRenewed(
        "K2", asset, (money.expires_at or now) + timedelta(days=365)), now)
    assert out.refusal.code == "NO_FREEZE"
    _, out = court.runtime.engine.handle(court.runtime.cases["K2"], c.FreezeReleased("K2", asset), now)
    assert out.refusal.code == "NO_FREEZE"
    sent = [e for e in events(court, "K2", EventKind.EXCHANGE) if e.data.get("kind") == "sent"]
    assert not [e for e in sent if e.data.get("measure") in ("renew", "unfreeze", "deduct")]


def paid_in_part_then_zhongben(case: str, **resumption: object):  # noqa: ANN201 - (a VirtualCourt, the debtor)
    """``case`` (50,000) finds 20,000 at boc, paid out, then nothing more: 终本 (``resumption``: process settings)."""
    process = default_process()
    process = process.model_copy(update={"resumption": process.resumption.model_copy(update=resumption)})
    court = build_virtual_court(ORIGIN, seed=5, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0,
                                process=process)
    debtor = person(court, 12)
    pin_only(court, debtor.id_number, {"boc": [deposit(court, debtor.id_number, "boc", 1, 20_000_00)]})
    file(court, case, debtor, 50_000_00)
    court.run_for(timedelta(days=130))
    state = court.runtime.cases[case]
    assert state.closed_manner == "zhongben" and state.amounts()["paid_cents"] == 20_000_00
    return court, debtor


def _partly_paid_then_resumed(claim_rule: str):
    """K3 (50,000) finds 20,000 at boc, paid out, then nothing more: 终本; 80,000 appears at ccb and is swept."""
    court, debtor = paid_in_part_then_zhongben("K3", claim=claim_rule)
    old = court.runtime.cases["K3"]
    court.session.world.unpin(debtor.id_number, "ccb")
    court.session.world.pin(debtor.id_number, "ccb", [deposit(court, debtor.id_number, "ccb", 1, 80_000_00)])
    court.run_for(timedelta(days=200))
    return court, old, court.runtime.cases["K3-恢1"]


def test_a_resumed_case_claims_what_the_zhongben_case_left_and_the_judgment_is_never_exceeded():
    """``resumption.claim: remainder`` (default): the 恢复执行 case's claim is the 30,000 the 终本 case did not
    enforce; the sweep froze no more than that, the new case took it, paid it and completed — 50,000 in all, the
    judgment. Before, the new case claimed the whole 50,000 again and went back to 终本 after paying 30,000."""
    court, old, new = _partly_paid_then_resumed("remainder")
    assert new.amount_cents == 30_000_00
    assert new.amounts()["paid_cents"] == 30_000_00 and new.closed_manner == "completed"
    assert old.amounts()["paid_cents"] + new.amounts()["paid_cents"] == old.amount_cents


def test_with_the_original_claim_the_resumed_case_claims_it_all_again():
    court, old, new = _partly_paid_then_resumed("original")
    assert new.amount_cents == 50_000_00
    assert new.amounts()["paid_cents"] == 30_000_00  # the sweep froze only what was left of the judgment
    assert new.closed_manner != "completed"
