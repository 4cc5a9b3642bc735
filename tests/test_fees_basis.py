"""The application fee's basis (review R7): process.yaml ``fees.application_fee.basis``, ``enforced`` by default.

《诉讼费用交纳办法》第二十条 (quoted from memory, unconfirmed) has the 执行申请费 paid after enforcement, and courts
compute it on the money actually enforced (执行到位金额). On the claim (the only basis before), a 1,000万元 claim with
10万元 recovered paid 77,400元 of the 10万元 before the applicant got anything; on what was enforced it pays 1,400元
(50 + 1.5% × 9万). ``basis: enforced``: the fee due is the tiers on the receipts registered so far, counted up to the
claim; each payout settles what is due less what was settled. ``basis: claim``: as before (tests/test_fees.py pins it
where its figures are the claim's). tests/fidelity_audit.md N33-F.
"""

from __future__ import annotations

from pathlib import Path

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.process_loader import default_process, parse_process
from tests.test_fees import FEE, _kinds, _refused_at_its_line, _runtime, _with_fee

BIG = 10_000_000_00  # 1,000万元: on the claim, 77,400元


def _file(rt, claim):
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=claim)).accepted
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 5_000_000_00, freeze_id="F1", account_no="A1")).accepted


def _arrive(rt, receipt, amount, *, register=True):
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", amount, receipt)).accepted
    if register:
        assert rt.submit(c.RegisterReceipt("K", receipt)).accepted
    for who in ("执行局长", "分管副院长"):
        assert rt.submit(c.ApprovePayout("K", receipt, who)).accepted


def test_the_bundled_basis_is_the_money_enforced():
    assert default_process().fees.application_fee.basis == "enforced"


def test_a_big_claim_enforced_in_small_part_pays_the_fee_on_what_was_enforced():
    rt = _runtime(enabled=True)  # the bundled basis: enforced
    _file(rt, BIG)
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == 0  # nothing enforced yet: nothing due
    _arrive(rt, "R1", 100_000_00)
    assert state.amounts()["fee_cents"] == FEE  # 1,400元 on the 10万 registered (the claim's fee: 77,400元)
    refused = rt.submit(c.PayOut("K", "R1", 100_000_00)).refusal
    assert refused.code == "FEE_UNSETTLED" and refused.details == (98_600_00, FEE)  # old: (22_600_00, 77_400_00)
    out = rt.submit(c.PayOut("K", "R1", 98_600_00))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert out.events[0].data == {"amount_cents": FEE, "fee_cents": FEE, "fee_settled_cents": FEE,
                                  "paid_cents": FEE, "settled": True}
    assert state.outstanding_cents() == BIG - 98_600_00 and state.fee_left_cents() == 0


def test_two_receipts_settle_the_fee_in_two_steps_adding_up_to_the_fee_on_both():
    rt = _runtime(enabled=True)
    _file(rt, BIG)
    _arrive(rt, "R1", 100_000_00)
    out = rt.submit(c.PayOut("K", "R1", 98_600_00))
    assert out.accepted and out.events[0].data["amount_cents"] == FEE
    _arrive(rt, "R2", 200_000_00)  # 30万 enforced: 50 + 1.5% × 29万 = 4,400元 due, 1,400 settled
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == 4_400_00 and state.fee_left_cents() == 3_000_00
    assert rt.submit(c.PayOut("K", "R2", 197_000_01)).refusal.code == "FEE_UNSETTLED"
    out = rt.submit(c.PayOut("K", "R2", 197_000_00))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert out.events[0].data["amount_cents"] == 3_000_00 and out.events[0].data["fee_settled_cents"] == 4_400_00
    fee = parse_process(_with_fee(enabled=True)).fees.application_fee
    assert state.fee_settled_cents() == fee.fee_cents(300_000_00) == 4_400_00


def test_an_unregistered_receipt_is_not_enforced_yet_a_node_completed_by_hand_is():
    rt = _runtime(enabled=True)
    _file(rt, BIG)
    _arrive(rt, "R1", 100_000_00, register=False)
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == 0 and rt.submit(c.PayOut("K", "R1", 1)).refusal.code == \
        "RECEIPT_NOT_REGISTERED"
    assert rt.submit(c.CompleteNode("K", 32, "R1")).accepted  # 到账登记 done without RegisterReceipt
    out = rt.submit(c.PayOut("K", "R1", 98_600_00))
    assert out.accepted and out.events[0].data["amount_cents"] == FEE and state.amounts()["fee_cents"] == FEE


def test_money_beyond_the_claim_does_not_raise_the_fee():
    rt = _runtime(enabled=True)
    _file(rt, 100_000_00)  # 10万元 claim: 1,400元 at most
    _arrive(rt, "R1", 150_000_00)
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == FEE  # on the claim's 10万, not the 15万 received
    assert rt.submit(c.PayOut("K", "R1", 100_000_00)).accepted  # the fee, then the claim
    assert rt.submit(c.PayOut("K", "R1", 48_600_00, surplus=True)).accepted  # the rest back to the debtor
    assert state.amounts() == {
        "frozen_cents": 4_850_000_00, "deducted_cents": 150_000_00, "proceeds_cents": 0, "paid_cents": 150_000_00,
        "returned_cents": 48_600_00, "account_cents": 0, "fee_cents": FEE, "fee_settled_cents": FEE}


def test_on_the_claim_basis_the_whole_claims_fee_comes_first_as_before():
    rt = _runtime(enabled=True, basis="claim")
    _file(rt, BIG)
    assert rt.cases["K"].amounts()["fee_cents"] == 77_400_00  # due whole from filing
    _arrive(rt, "R1", 100_000_00)
    refused = rt.submit(c.PayOut("K", "R1", 98_600_00)).refusal
    assert refused.code == "FEE_UNSETTLED" and refused.details == (22_600_00, 77_400_00)
    assert rt.submit(c.PayOut("K", "R1", 22_600_00)).accepted and rt.cases["K"].fee_settled_cents() == 77_400_00


def test_a_bad_basis_is_refused_at_its_line():
    _refused_at_its_line("basis: enforced", "basis: received", "basis")


def test_over_http_the_fee_fields_are_null_when_the_fee_is_off_as_profile_md_says():
    """PROFILE.md 0.3.1 said the fields were left out when the court does not charge the fee; the driver gives its
    optional amounts (``account_cents``…) as null, and so these: the text now says null (review R7, low)."""
    from datetime import datetime

    from fastapi.testclient import TestClient

    from core_flow.assembly import CourtSpec, build_court
    from core_flow.driver import EngineDriver
    from core_flow.driver.http_app import create_driver_app
    from core_flow.legal_calendar import CST

    court = build_court(CourtSpec(origin=datetime(2025, 3, 3, 9, 0, tzinfo=CST)))
    client = TestClient(create_driver_app(EngineDriver(court)))
    debtor = {"kind": "person", "name": "张三", "id_number": "110101199003077774"}  # synthetic, check digit valid
    filed = client.post("/cases", json={"case_id": "K1", "amount_cents": 100_000, "debtors": [debtor]})
    assert filed.status_code == 200
    body = client.get("/cases/K1/amounts").json()
    assert body["fee_cents"] is None and body["fee_settled_cents"] is None
    profile = (Path(__file__).parents[1] / "core_flow/profile/PROFILE.md").read_text(encoding="utf-8")
    entry = profile[profile.index("- **驱动接口 0.3.1"):profile.index("- **驱动接口 0.3.0")]
    zh, en = "".join(entry.split()), " ".join(entry.split())  # its lines joined
    assert "关闭时两字段为`null`" in zh and "both fields `null`" in en and "字段省略" not in zh
    assert "恰好等于尚欠的执行申请费" in zh and "exactly the fee left" in en
