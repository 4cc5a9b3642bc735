"""Review R7 of the application fee at payout (process.yaml ``fees``; tests/test_fees.py): what the review fixed.

A payout of 0 settles the fee only where the fee takes all that is left of the receipt — as the commit (3076013),
PROFILE.md's driver 0.3.1 changelog ("本笔款项不足以结清时，PayOut 的 amount_cents 可为 0 / where the receipt does not
cover the fee, a PayOut may give amount_cents 0") and fidelity N33-F say. The engine took 0 whenever a fee was due: a
receipt covering the fee gave a payout of nothing to the applicant (a ``paid_out`` of 0 on the case's record) with
the applicant's money still held.
"""

from __future__ import annotations

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from tests.test_fees import CLAIM, FEE, _kinds, _receive, _runtime


def test_a_payout_of_0_is_refused_where_the_receipt_covers_the_fee_and_more():
    rt = _runtime(enabled=True, basis="claim")  # the fee on the claim (pinned: the receipts are below it)
    _receive(rt, "R1", 60_000_00)
    refused = rt.submit(c.PayOut("K", "R1", 0)).refusal  # the old code: accepted, the fee settled, 0 paid
    assert refused is not None and refused.code == "BAD_AMOUNT" and "1 至" in refused.zh
    state = rt.cases["K"]
    assert state.fee_settled_cents() == 0 and state.receipts["R1"].paid_cents == 0  # nothing changed
    assert not [e for e in rt.case_events("K") if e.kind in (EventKind.FEE_SETTLED, EventKind.PAID_OUT)]
    out = rt.submit(c.PayOut("K", "R1", 58_600_00))  # the fee first, the applicant the rest, as before
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert state.status(33, "R1") == NodeStatus.DONE and state.outstanding_cents() == CLAIM - 58_600_00


def test_a_payout_of_0_still_settles_a_fee_that_takes_the_whole_receipt_or_exactly_all_of_it():
    rt = _runtime(enabled=True, basis="claim")  # the fee on the claim (pinned: the receipts are below it)
    _receive(rt, "R1", 1_000_00)  # below the fee: all of it goes to the fee
    out = rt.submit(c.PayOut("K", "R1", 0))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    _receive(rt, "R2", 400_00, first=False)  # exactly the fee left
    out = rt.submit(c.PayOut("K", "R2", 0))
    assert out.accepted and out.events[0].data["settled"] is True and rt.cases["K"].fee_left_cents() == 0
    assert rt.cases["K"].status(33, "R2") == NodeStatus.DONE
    _receive(rt, "R3", 10_000_00, first=False)
    assert rt.submit(c.PayOut("K", "R3", 0)).refusal.code == "BAD_AMOUNT"  # no fee left: 0 is no payout
    assert FEE == 1_400_00


def test_the_simulations_check_flags_a_fee_settled_beyond_the_fee_due():
    """sim/invariants.py (325e577) came without a test: the court of test_fees's end-to-end scenario checks clean,
    and a fee settled above the fee due (planted: the engine never settles more) is a violation, in both languages."""
    from datetime import timedelta

    from sim.invariants import Checker
    from tests.test_fees import SCENARIO, _run

    result, court, case = _run(SCENARIO)
    assert result.passed, result.explain()
    process = court.platform.process
    end = court.clock.now() + timedelta(hours=2)

    def fee_violations():
        report = Checker(process).finish(court, end)
        return [v for v in report["violations"] if "执行申请费" in v["zh"]]

    assert fee_violations() == []
    state = court.runtime.cases[case]
    receipt = next(r for r in state.receipts.values() if r.fee_cents)
    receipt.fee_cents += 1  # one fen more settled than due
    [bad] = fee_violations()
    assert bad["case"] == case and f"{FEE + 1} 分" in bad["zh"] and f"> due {FEE} cents" in bad["en"]
