"""执行申请费, review R9 of H23's follow-ups (process.yaml ``fees.application_fee``, off by default).

1. An escrow (提存) counts against the claim (``CaseState.outstanding_cents``): the escrowed sum is the applicant's.
   Before, it was still owed: a later receipt paid the applicant the escrowed sum again, a surplus was refused
   CLAIM_OUTSTANDING, and by ``settle: after_applicant`` the fee waited for a claim that looked unmet.
2. ``settle: after_applicant``: the applicant up to the claim, then the fee — a payout to the applicant past the claim
   that would leave the fee unsettled is refused FEE_UNSETTLED (before: accepted, the fee never settled from it).
3. ``resumed: carry_over``: the 终本 case's fee goes with the application when its 恢复执行 case is filed with its
   figures (``FeeHandedOver``, issued by ``Platform.file_resumed``), no longer from the resumption's approval: a push
   that failed, or a filing elsewhere that carried nothing, left the rest settled nowhere.
4. The simulated clerk pays what FEE_UNSETTLED says is left after the fee (before, the refused money stayed held).
tests/fidelity_audit.md N33-F.
"""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.process_loader import parse_process
from tests.test_fees import FEE, _receive, _run, _runtime, _with_fee
from tests.test_fees_followups import RESUME_SCENARIO, _fee


def _escrow(rt, receipt):
    return rt.submit(c.Escrow("K", receipt, "执行局局长", reason="申请执行人下落不明"))


# ── 1. an escrow counts against the claim ────────────────────────────────────────────────────────────
def test_fees_off_an_escrowed_receipt_counts_against_the_claim_and_the_surplus_goes_back():
    """Claim 10万: 6万 escrowed for the applicant, then 6万 more — 4万 to the applicant, 2万 back to the debtor.
    Before: the escrowed 6万 was still owed (4万 paid, 6万 outstanding), the surplus refused CLAIM_OUTSTANDING."""
    rt = _runtime(enabled=False)
    _receive(rt, "R1", 60_000_00)
    assert _escrow(rt, "R1").accepted
    state = rt.cases["K"]
    assert state.outstanding_cents() == 40_000_00  # old: 100,000
    _receive(rt, "R2", 60_000_00, first=False)
    assert rt.submit(c.PayOut("K", "R2", 40_000_00)).accepted
    assert state.outstanding_cents() == 0 and state.satisfied_in_full()
    out = rt.submit(c.PayOut("K", "R2", 20_000_00, surplus=True))
    assert out.accepted, out.refusal  # old: CLAIM_OUTSTANDING
    assert state.amounts()["returned_cents"] == 20_000_00


def test_after_the_applicant_the_fee_is_settled_once_escrow_and_payout_meet_the_claim():
    """``after_applicant``: 6万 escrowed (the claim unmet: no fee from it), then 6万: 4万 meets the claim, the 1,400元
    fee right after, 1.86万 back. Before: 4万 left 6万 'owed', no fee settled; the applicant could take all 6万."""
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", 60_000_00)
    out = _escrow(rt, "R1")
    assert out.accepted and out.events[0].kind == EventKind.ESCROWED and out.events[0].data["amount_cents"] == 60_000_00
    _receive(rt, "R2", 60_000_00, first=False)
    state = rt.cases["K"]
    refused = rt.submit(c.PayOut("K", "R2", 60_000_00)).refusal  # the fee's 1,400 is kept from the part past the claim
    assert refused is not None and refused.code == "FEE_UNSETTLED" and refused.details == (58_600_00, FEE)
    out = rt.submit(c.PayOut("K", "R2", 40_000_00))
    assert out.accepted and [e.kind for e in out.events][-2:] == [EventKind.FEE_SETTLED, EventKind.CLAIM_MET]
    assert state.fee_settled_cents() == FEE and state.outstanding_cents() == 0  # old: 0 settled, 60,000 outstanding
    assert rt.submit(c.PayOut("K", "R2", 18_600_00, surplus=True)).accepted
    assert state.amounts()["account_cents"] == 60_000_00  # what is held: the escrowed 6万, nothing else


def test_before_the_applicant_a_second_escrow_settles_the_fee_on_both_and_no_more():
    """``before_applicant`` (default), several receipts escrowed: each settles the fee grown by its own money first;
    never more than one fee on the enforced (up to the claim), and the account reconciles to the cent."""
    rt = _runtime(enabled=True)
    _receive(rt, "R1", 60_000_00)
    assert _escrow(rt, "R1").accepted  # 800 settled (the fee on 6万)
    _receive(rt, "R2", 60_000_00, first=False)
    out = _escrow(rt, "R2")  # the fee on 10万 (the claim): 1,400 − 800 = 600 from R2, 59,400 escrowed
    assert out.accepted and out.events[0].data["amount_cents"] == 600_00
    state = rt.cases["K"]
    assert state.fee_settled_cents() == FEE == _fee(100_000_00) and state.outstanding_cents() == 0
    assert state.amounts()["account_cents"] == 120_000_00 - FEE


# ── 2. after_applicant: no payout to the applicant past the claim that skips the fee ─────────────────
def test_after_the_applicant_a_payout_past_the_claim_keeps_the_fee_back():
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", 120_000_00)  # 12万 on a 10万 claim: the fee on 10万 is 1,400
    refused = rt.submit(c.PayOut("K", "R1", 120_000_00)).refusal
    assert refused is not None and refused.code == "FEE_UNSETTLED"  # old: accepted, the fee never settled
    assert refused.details == (118_600_00, FEE) and "从本笔款项中结算 140000 分" in refused.zh
    assert "至多 11860000 分" in refused.zh and "140000 cents of this receipt settle it," in refused.en
    state = rt.cases["K"]
    out = rt.submit(c.PayOut("K", "R1", 100_000_00))
    assert out.accepted and [e.kind for e in out.events][-2:] == [EventKind.FEE_SETTLED, EventKind.CLAIM_MET]
    assert state.fee_settled_cents() == FEE
    assert rt.submit(c.PayOut("K", "R1", 18_600_00, surplus=True)).accepted
    assert state.amounts()["account_cents"] == 0


def test_after_the_applicant_a_payout_within_the_claim_is_not_refused():
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", 60_000_00)
    out = rt.submit(c.PayOut("K", "R1", 60_000_00))  # the claim not met: the applicant's, whole
    assert out.accepted and rt.cases["K"].fee_settled_cents() == 0


# ── 3. the 终本 case's fee goes with the filing that carried it ──────────────────────────────────────
UP_TO_APPROVAL = RESUME_SCENARIO[:RESUME_SCENARIO.index("  - approve_resumption:")]


class _RefusingFiling:
    """A local filing system that refuses every push (as a receiver answering 4xx would)."""

    def push(self, payload, done):
        done(None, "HTTP 422: refused")


def _approved_without_filing():
    text = UP_TO_APPROVAL + """  - approve_resumption: {authority: 执行局长}
  - at: +1d
    expect_case: {resumption: approved}
"""

    def refusing(court):
        court.platform.filing = _RefusingFiling()

    result, court, case = _run(text, setup=refusing)
    assert result.passed, result.explain()
    return court, case


def test_a_refused_filing_push_leaves_the_fee_with_the_zhongben_case():
    """The 终本 case enforced 30元 of a 50元 fee; its resumption was approved but the push was refused: nothing
    carried the 20元 anywhere. Before, the 终本 case settled no more from the approval (fee_cents 30元, none left)."""
    court, case = _approved_without_filing()
    state = court.runtime.cases[case]
    assert state.resumption == "approved" and state.resumed_as is None
    assert state.amounts()["fee_cents"] == 50_00 and state.fee_left_cents() == 20_00  # old: 30_00 and 0
    assert not [e for e in court.runtime.case_events(case) if e.kind == EventKind.FEE_HANDED_OVER]


def test_a_resumed_case_filed_elsewhere_carries_nothing_and_the_fee_stays():
    """A filing system that is not this court's answers with its own case number: the 终本 case records the filing,
    but nothing carried its fee — it stays with the 终本 case (old: settled nowhere)."""
    court, case = _approved_without_filing()
    assert court.runtime.submit(c.ResumptionFiled(case, "(2025)豫0802执恢9号")).accepted
    state = court.runtime.cases[case]
    assert state.resumption == "filed" and state.fee_left_cents() == 20_00  # old: 0
    refused = court.runtime.submit(c.FeeHandedOver(case, "(2025)豫0802执恢10号")).refusal
    assert refused is not None and refused.code == "RESUMPTION_NOT_APPROVED"  # not the case it was resumed as


def test_the_filing_that_carried_the_fee_hands_it_over_once():
    result, court, case = _run(RESUME_SCENARIO)
    assert result.passed, result.explain()
    new = court.runtime.cases[case].resumed_as
    handed = [e for e in court.runtime.case_events(case) if e.kind == EventKind.FEE_HANDED_OVER]
    assert [(e.data["to_case"], e.data["fee_cents"]) for e in handed] == [(new, 30_00)]
    again = court.runtime.submit(c.FeeHandedOver(case, new)).refusal
    assert again is not None and again.code == "NO_FEE_TO_HAND_OVER"
    assert court.runtime.submit(c.FeeHandedOver(new, case)).refusal.code == "RESUMPTION_NOT_APPROVED"


def test_a_late_answer_the_zhongben_case_settles_nothing_more_once_the_new_case_took_its_figures():
    """The filing system files the 恢复执行 case when the push arrives (the figures taken, the fee handed over then) and
    its answer reaches the court a day later: in between the 终本 case owes nothing more — one fee, not two."""
    text = RESUME_SCENARIO.replace("approve_resumption: {authority: 执行局长, as: 恢复案}",
                                   "approve_resumption: {authority: 执行局长, as: 恢复案, answered: +1d}")
    text = text.replace("  - expect_case: {resumption: filed}\n",
                        "  - expect_case: {resumption: approved}\n  - at: +2d\n    expect_case: {resumption: filed}\n")
    result, court, case = _run(text)
    assert result.passed, result.explain()
    new = court.runtime.cases[case].resumed_as
    old_state, new_state = court.runtime.cases[case], court.runtime.cases[new]
    assert old_state.fee_left_cents() == 0
    assert old_state.fee_settled_cents() + new_state.fee_settled_cents() == _fee(80_030_00)


def test_two_resumptions_in_a_row_settle_one_fee_on_the_whole_enforcement():
    """Engine level: the 终本 case settled 30元 on 30元; the first 恢复执行 case enforces 1万 and settles; what it
    carries into the second (claim, enforced in both, settled in both) makes the second settle only the rest."""
    claim = 1_000_000_00
    rt = _runtime(enabled=True)
    c1 = c.FeeCarried(claim_cents=claim, enforced_cents=30_00, settled_cents=30_00)
    assert rt.submit(c.FileCase("K", case_type="resumed", debtors=("D1",), amount_cents=claim - 30_00,
                                previous_case="K0", fee_carried=c1)).accepted
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", claim, freeze_id="F1", account_no="A1")).accepted
    _receive(rt, "R1", 10_000_00, first=False)
    first = rt.cases["K"]
    assert first.fee_left_cents() == _fee(10_030_00) - 30_00
    assert rt.submit(c.PayOut("K", "R1", 10_000_00 - first.fee_left_cents())).accepted
    c2 = c.FeeCarried(*first.fee.application(first))
    assert c2 == c.FeeCarried(claim, 10_030_00, _fee(10_030_00))
    rt2 = _runtime(enabled=True)
    assert rt2.submit(c.FileCase("K", case_type="resumed", debtors=("D1",), amount_cents=claim - 10_030_00,
                                 previous_case="K1", fee_carried=c2)).accepted
    assert rt2.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", claim, freeze_id="F1", account_no="A1")).accepted
    _receive(rt2, "R1", 500_000_00, first=False)
    second = rt2.cases["K"]
    assert c2.settled_cents + second.fee_left_cents() == _fee(510_030_00)


# ── 4. the simulated clerk sizes a payout for the fee ────────────────────────────────────────────────
def _clerk_court(case: str, *, held: int, claim: int):
    """A clerk-driven court with the fee on: one debtor holding ``held`` at boc, the case ``case`` filed for
    ``claim``, run 130 days."""
    from sim.assembly import build_virtual_court
    from tests.test_platform import deposit, file, person, pin_only
    from tests.test_resumption_measures import ORIGIN

    process = parse_process(_with_fee(enabled=True))
    court = build_virtual_court(ORIGIN, seed=5, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0,
                                process=process)
    debtor = person(court, 12)
    pin_only(court, debtor.id_number, {"boc": [deposit(court, debtor.id_number, "boc", 1, held)]})
    file(court, case, debtor, claim)
    court.run_for(timedelta(days=130))
    return court


def test_the_simulated_clerk_pays_what_is_left_after_the_fee_and_the_account_reconciles():
    """A clerk-driven court with the fee on: 2万 found at boc on a 5万 claim — the fee on it (200元) first, 19,800 to
    the applicant. Before, the clerk's payout of the whole 2万 was refused FEE_UNSETTLED and never made: the money
    stayed in the case account for good."""
    court = _clerk_court("K3", held=20_000_00, claim=50_000_00)
    state = court.runtime.cases["K3"]
    fee = _fee(20_000_00)
    assert fee == 200_00
    assert state.fee_settled_cents() == fee and state.amounts()["account_cents"] == 0  # old: 0 and 20,000 held
    assert state.outstanding_cents() == 50_000_00 - (20_000_00 - fee)
    assert court.platform.reconcile("K3")["ok"]


def test_a_repeated_push_files_a_second_case_that_carries_nothing():
    """A push repeated after its case was filed (the filing system files again) carries nothing the second time:
    the fee went over once (``handed_to``) and only an approved resumption's filing carries it. Before, each filing
    carried the same figures: the 20元 left could be settled twice."""
    from core_flow.platform.filing import ResumptionPush

    result, court, case = _run(RESUME_SCENARIO)
    assert result.passed, result.explain()
    old = court.runtime.cases[case]
    push = ResumptionPush(court_code=court.platform.court.code, original_case=case,
                          previous_handler=old.handler, debtors=tuple(old.identity))
    again = court.platform.file_resumed(push)
    assert again != old.resumed_as and court.runtime.cases[again].fee is None  # old: carried the figures again
    first = court.runtime.cases[old.resumed_as]
    assert old.fee_settled_cents() + first.fee_settled_cents() == _fee(80_030_00)


def test_the_simulated_clerk_enforces_the_fee_beside_the_claim_and_the_case_completes():
    """The debtor holds 6万 for a 5万 claim: the clerk freezes and deducts the claim and the fee on it (650元), the fee
    is settled first, the applicant paid the whole claim, the case completes (执行完毕). Before, the clerk took the
    claim only: the fee came out of it, 650元 stayed owed to the applicant and the case was not completed."""
    court = _clerk_court("K4", held=60_000_00, claim=50_000_00)
    state = court.runtime.cases["K4"]
    fee = _fee(50_000_00)
    assert fee == 650_00
    assert state.amounts()["deducted_cents"] == 50_000_00 + fee  # old: 50,000
    assert state.fee_settled_cents() == fee and state.outstanding_cents() == 0
    assert state.closed_manner == "completed" and court.platform.reconcile("K4")["ok"]
