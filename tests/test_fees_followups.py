"""执行申请费 follow-ups (review R7, H23): process.yaml ``fees.application_fee`` — off by default, as data.

1. ``resumed: carry_over`` (default): a 恢复执行 case carries what its 终本 case's application left unsettled and
   settles it from its own receipts, one fee on the whole enforcement of the application (not charged again);
   ``none``: as before (the resumed case neither charges nor settles).
2. ``settle_before_escrow: true`` (default): an escrow (提存) settles the fee from the receipt first, escrows the rest;
   the court account pays the court its fee and still reconciles.
3. ``fee_cents`` is derived from the case (node 32's status), right after node 32 is completed by hand.
4. ``count_in_kind: true`` (default): what was satisfied in kind (以物抵债) counts as enforced; the fee on it stays due
   until money comes (the closing is not held up by it).
tests/fidelity_audit.md N33-F.
"""

from __future__ import annotations

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.process_loader import default_process, parse_process
from tests.test_fees import FEE, _kinds, _receive, _refused_at_its_line, _run, _runtime, _with_fee

BIG = 1_000_000_00  # 100万元
CLAIM_IN_KIND = 100_000_00  # 10万元: 1,400元 (FEE) on it


def _fee(amount: int, **change) -> int:
    return parse_process(_with_fee(enabled=True, **change)).fees.application_fee.fee_cents(amount)


def test_the_bundled_follow_up_options():
    rule = default_process().fees.application_fee
    assert (rule.resumed, rule.settle_before_escrow, rule.count_in_kind) == ("carry_over", True, True)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("resumed: carry_over", "resumed: again", "resumed"),
    ("settle_before_escrow: true", "settle_before_escrow: maybe", "settle_before_escrow"),
    ("count_in_kind: true", "count_in_kind: 2", "count_in_kind"),
])
def test_bad_follow_up_data_is_refused_at_its_line(old, new, words):
    _refused_at_its_line(old, new, words)


# ── 3. fee_cents right after node 32 is completed by hand ────────────────────────────────────────────
def test_fee_cents_is_right_right_after_node_32_is_completed_by_hand():
    """Before, the fee due was stored and recomputed only at 到账登记 (RegisterReceipt) or at a payout: a node 32
    completed by hand left ``fee_cents`` at 0 until the next payout. Now derived from node 32's status."""
    rt = _runtime(enabled=True)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=BIG)).accepted
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", BIG, freeze_id="F1", account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 100_000_00, "R1")).accepted
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == 0  # not registered: not enforced yet
    assert rt.submit(c.CompleteNode("K", 32, "R1")).accepted  # 到账登记 done without RegisterReceipt
    assert state.amounts()["fee_cents"] == FEE and state.fee_left_cents() == FEE  # old: 0 until a payout
    assert state.fee_cents == FEE


# ── 2. an escrow settles the fee first ───────────────────────────────────────────────────────────────
R1 = 60_000_00  # 6万元 enforced: 50 + 1.5% × 5万 = 800元
R1_FEE = 800_00


def _escrow(rt, receipt="R1"):
    return rt.submit(c.Escrow("K", receipt, "执行局局长", reason="申请执行人下落不明"))


def test_an_escrow_settles_the_fee_due_from_the_receipt_then_escrows_the_rest():
    rt = _runtime(enabled=True)
    _receive(rt, "R1", R1)
    assert _fee(R1) == R1_FEE
    out = _escrow(rt)
    assert out.accepted and [e.kind for e in out.events][:2] == [EventKind.FEE_SETTLED, EventKind.ESCROWED]
    assert out.events[0].data["amount_cents"] == R1_FEE and out.events[0].data["settled"] is True
    assert out.events[1].data["amount_cents"] == R1 - R1_FEE  # old: the whole 60,000 escrowed, no fee
    state = rt.cases["K"]
    assert state.fee_settled_cents() == R1_FEE and state.fee_left_cents() == 0
    assert state.receipts["R1"].escrowed and state.amounts()["account_cents"] == R1 - R1_FEE  # held, escrowed


def test_off_the_whole_receipt_is_escrowed_as_before():
    rt = _runtime(enabled=True, settle_before_escrow=False)
    _receive(rt, "R1", R1)
    out = _escrow(rt)
    assert out.accepted and EventKind.FEE_SETTLED not in [e.kind for e in out.events]
    assert out.events[0].data["amount_cents"] == R1 and rt.cases["K"].fee_left_cents() == R1_FEE


def test_after_the_applicant_an_escrow_settles_only_from_what_is_beyond_the_claim_owed():
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", R1)  # the claim (10万) is not met by 6万: the applicant's first, the fee waits
    out = _escrow(rt)
    assert out.accepted and out.events[0].kind == EventKind.ESCROWED and out.events[0].data["amount_cents"] == R1


def test_a_receipt_the_fee_takes_whole_is_not_escrowed_the_payout_of_0_settles_it():
    rt = _runtime(enabled=True, basis="claim")  # 1,400元 due from filing
    _receive(rt, "R1", 1_000_00)
    refused = _escrow(rt).refusal
    assert refused.code == "NOTHING_TO_ESCROW" and "执行申请费" in refused.zh and "application fee" in refused.en
    assert rt.cases["K"].fee_settled_cents() == 0 and not rt.cases["K"].receipts["R1"].escrowed  # nothing changed
    assert rt.submit(c.PayOut("K", "R1", 0)).accepted


ESCROW_SCENARIO = """
name: 启用执行申请费：提存前先结算执行申请费，其余提存，法院账户对账
seed: 7
case:
  number: (2025)豫0811执1343号
  amount: 100000
  filed: 2025-03-03 10:00
  debtors: [{as: 某债务人, world: 151, holdings: [{agency: 工商银行, kind: 存款, amount: 60000, as: 工行存款}]}]
steps:
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    expect_event: {kind: inquiry_completed}
  - open_feedback: 工商银行
  - freeze: {asset: 工行存款, amount: 60000}
  - at: +1d
    deduct: {asset: 工行存款, as: 工行到账}
  - at: +1d
    register_receipt: 工行到账
  - escrow: {authority: 执行局局长, reason: 申请执行人下落不明}
  - expect_event: {kind: fee_settled, data: {amount_cents: 80000, settled: true}}
  - expect_event: {kind: escrowed, data: {amount_cents: 5920000}}
  - expect_node: {node: 33, instance: 工行到账, state: 已完成}
  - expect_amounts: {paid: 800, account: 59200, court_account: 59200, reconciled: true}
"""


def test_enabled_the_court_account_pays_the_fee_at_the_escrow_and_the_case_reconciles():
    from core_flow.driver.engine_driver import EngineDriver

    result, court, case = _run(ESCROW_SCENARIO)
    assert result.passed, result.explain()
    amounts = EngineDriver(court).amounts(case)
    assert (amounts.fee_cents, amounts.fee_settled_cents) == (R1_FEE, R1_FEE) and amounts.ok
    sub = court.platform.sub_accounts[case]
    payees = [(e.counterparty, e.amount_cents) for e in court.session.ledger.court_accounts.entries(sub)
              if e.kind == "pay_out"]
    assert payees == [("法院（执行申请费）", R1_FEE)]


# ── 4. 以物抵债 and the enforced basis ───────────────────────────────────────────────────────────────
def test_the_value_satisfied_in_kind_counts_as_enforced_and_is_settled_from_the_next_receipt():
    rt = _runtime(enabled=True)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=BIG)).accepted
    state = rt.cases["K"]
    assert rt.submit(c.SatisfiedInKind("K", "flat-1", 500_000_00)).accepted  # 50万元 of the claim met in kind
    assert state.amounts()["fee_cents"] == _fee(500_000_00) == 7_400_00  # old: 0 (money received only)
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", BIG, freeze_id="F1", account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 100_000_00, "R1")).accepted
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    for who in ("执行局长", "分管副院长"):
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    due = _fee(600_000_00)  # 50 + 1.5% × 49万 + 1% × 10万 = 8,400元 on the 60万 enforced
    assert due == 8_400_00 and state.amounts()["fee_cents"] == due
    out = rt.submit(c.PayOut("K", "R1", 100_000_00 - due))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert out.events[0].data["amount_cents"] == due and state.fee_left_cents() == 0


def test_off_only_money_received_counts_as_before():
    rt = _runtime(enabled=True, count_in_kind=False)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=BIG)).accepted
    assert rt.submit(c.SatisfiedInKind("K", "flat-1", 500_000_00)).accepted
    assert rt.cases["K"].amounts()["fee_cents"] == 0


def test_a_fee_due_on_value_in_kind_with_no_money_stays_due_and_the_case_still_closes():
    """No money came: nothing settles the fee from the case account; it stays due (amounts: fee_cents above
    fee_settled_cents). The closing rules have no fee condition: 执行完毕 closes (FEE_UNSETTLED refuses payouts
    only)."""
    rt = _runtime(enabled=True)
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM_IN_KIND)).accepted
    assert rt.submit(c.SatisfiedInKind("K", "flat-1", 150_000_00)).accepted  # the whole 10万 claim, in kind
    state = rt.cases["K"]
    assert state.satisfied_in_full() and state.amounts()["fee_cents"] == FEE  # on the claim met, not the value
    out = rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    assert state.closed_manner == "completed" and state.fee_left_cents() == FEE
    assert state.amounts()["fee_settled_cents"] == 0



# ── 1. the 恢复执行 case carries what the 终本 case left unsettled ──────────────────────────────────────
RESUME_SCENARIO = """
name: 启用执行申请费：恢复执行案件承接终本案件未结清的执行申请费
seed: 7
case:
  number: (2025)豫0811执1344号
  amount: 1000000
  filed: 2025-03-03 10:00
  debtors: [{as: 某债务人, world: 152, holdings: [{agency: 工商银行, kind: 存款, amount: 30, as: 工行存款}]}]
steps:
  - start_node: 3
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    expect_event: {kind: inquiry_completed}
  - open_feedback: 工商银行
  - freeze: {asset: 工行存款, amount: 30}
  - at: +1d
    deduct: {asset: 工行存款, as: 工行到账}
  - at: +1d
    register_receipt: 工行到账
  - approve_payout: 执行局长
  - approve_payout: 分管副院长
  - pay_out: {amount: 0}
  - expect_event: {kind: fee_settled, data: {amount_cents: 3000, settled: false}}
  - expect_amounts: {paid: 30, account: 0}
  - complete_node: 3
  - complete_node: 7
  - complete_node: 9
  - complete_node: 10
  - complete_node: 18
  - complete_node: {node: 36, by: 院长}
  - at: 2025-06-04 09:00
    close: 终本
  - at: 2025-07-07 10:00
    pin: {agency: 建设银行, holdings: [{kind: 存款, amount: 80000, as: 建行新存款}]}
  - provide_clue: {agency: 建设银行, note: 申请执行人提供被执行人建设银行账户, as: 建行线索}
  - freeze: {asset: 建行新存款, amount: 80000, as: 终本管理冻结}
  - request_resumption: 线索核查属实
  - approve_resumption: {authority: 执行局长, as: 恢复案}
  - expect_case: {resumption: filed}
  - case: 恢复案
    assign: 李法官
  - case: 恢复案
    deduct: {asset: 终本管理冻结, as: 恢复到账}
  - case: 恢复案
    register_receipt: 恢复到账
  - case: 恢复案
    approve_payout: 执行局长
  - case: 恢复案
    approve_payout: 分管副院长
  - case: 恢复案
    pay_out: {amount: 80000}
    refused: FEE_UNSETTLED
  - case: 恢复案
    pay_out: {amount: 78929.55}
  - case: 恢复案
    expect_event: {kind: fee_settled, data: {amount_cents: 107045, fee_settled_cents: 107045, settled: true}}
  - case: 恢复案
    expect_amounts: {paid: 80000, account: 0, court_account: 0, reconciled: true}
"""


def test_the_resumed_case_settles_what_the_zhongben_case_left_one_fee_on_the_whole_enforcement():
    """The 终本 case enforced 30元 and settled it towards the 50元 fee (20元 left). The 恢复执行 case enforces 8万元:
    the application's fee on 80,030元 is 1,100.45元 (50 + 1.5% × 70,030), 30元 of it settled: 1,070.45元 from the
    resumed case's receipt. Before, the resumed case settled nothing (the 80,000 went whole to the applicant)."""
    result, court, case = _run(RESUME_SCENARIO)
    assert result.passed, result.explain()
    new = court.runtime.cases[case].resumed_as
    old_state, new_state = court.runtime.cases[case], court.runtime.cases[new]
    total = _fee(80_030_00)
    assert total == 1_100_45
    assert old_state.fee_settled_cents() + new_state.fee_settled_cents() == total
    assert old_state.fee_left_cents() == 0 and old_state.amounts()["fee_cents"] == 30_00  # the rest went along
    assert new_state.amounts()["fee_cents"] == total - 30_00 and new_state.fee_left_cents() == 0
    filed = [e for e in court.runtime.case_events(new) if e.kind == EventKind.FILED][0]
    assert filed.data["fee_carried"] == {"claim_cents": BIG, "enforced_cents": 30_00, "settled_cents": 30_00}
    sub = court.platform.sub_accounts[new]
    payees = [(e.counterparty, e.amount_cents) for e in court.session.ledger.court_accounts.entries(sub)
              if e.kind == "pay_out"]
    assert payees == [("法院（执行申请费）", total - 30_00), ("申请执行人", 78_929_55)]


def test_resumed_none_the_resumed_case_charges_and_settles_nothing_as_before():
    text = RESUME_SCENARIO.replace("""    pay_out: {amount: 80000}
    refused: FEE_UNSETTLED
  - case: 恢复案
    pay_out: {amount: 78929.55}
  - case: 恢复案
    expect_event: {kind: fee_settled, data: {amount_cents: 107045, fee_settled_cents: 107045, settled: true}}
""", """    pay_out: {amount: 80000}
""")
    result, court, case = _run(text, resumed="none")
    assert result.passed, result.explain()
    new = court.runtime.cases[case].resumed_as
    assert court.runtime.cases[new].fee is None and "fee_cents" not in court.runtime.cases[new].amounts()
    assert court.runtime.cases[case].fee_left_cents() == 20_00  # stays with the 终本 case


def test_the_application_never_settles_more_than_one_fee_on_its_claim():
    """Engine level: a 恢复执行 case filed with what its 终本 case carried; what the two enforce together counts up to
    the application's claim (money beyond it goes back to the debtor), and the fee the 终本 case settled counts."""
    rt = _runtime(enabled=True)
    carried = c.FeeCarried(claim_cents=CLAIM_IN_KIND, enforced_cents=60_000_00, settled_cents=800_00)
    out = rt.submit(c.FileCase("K", case_type="resumed", debtors=("D1",), amount_cents=40_000_00,
                               previous_case="K0", fee_carried=carried))
    assert out.accepted and out.events[0].data["fee_carried"]["settled_cents"] == 800_00
    state = rt.cases["K"]
    assert state.amounts()["fee_cents"] == 0  # nothing enforced here yet: the 终本 case settled the fee on its 6万
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 90_000_00, freeze_id="F1", account_no="A1")).accepted
    _receive(rt, "R1", 90_000_00, first=False)  # 9万 here: 15万 in all, counted up to the 10万 claim
    assert state.amounts()["fee_cents"] == FEE - 800_00 == 600_00
    assert rt.submit(c.PayOut("K", "R1", 40_000_00)).accepted and state.fee_settled_cents() == 600_00
    assert 800_00 + state.fee_settled_cents() == _fee(CLAIM_IN_KIND) == FEE  # one fee on the application's claim
