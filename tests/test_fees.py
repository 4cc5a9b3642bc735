"""执行申请费 settled at the payout (seed 004 节点三十三 第1项 "执行费用的结算"): process.yaml ``fees``, off by default.

The fee is computed by cumulative tiers (《诉讼费用交纳办法》(2006) 第十四条第(一)项, quoted from memory, unconfirmed),
exactly, rounded half up to the fen once — here on the claim (``basis: claim``, set where a test's figures are the
claim's; the default basis, the money enforced, is tests/test_fees_basis.py); when enabled the payout settles it
from the receipt in the order the data says (before the applicant by default, a surplus returned only after the
claim and the fee), with a ``fee_settled`` event, and a payout that would leave it unsettled is refused
FEE_UNSETTLED. Disabled, nothing changes.
tests/fidelity_audit.md N33-F.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from core_flow.clocks import SimClock
from core_flow.engine import Engine, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import default_calendar
from core_flow.process_loader import default_process, default_process_path, parse_process
from core_flow.runtime import Runtime
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
CLAIM = 100_000_00  # 10万元: 50 + 1.5% × 9万 = 1,400元
FEE = 1_400_00
PROCESS_TEXT = Path(default_process_path()).read_text(encoding="utf-8")


def _yuan(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.mark.parametrize(("amount", "fee"), [
    ("0.01", "50"), ("10000", "50"),                    # ≤ 1万元: 50元 per case
    ("10000.01", "50"),                                 # + 1.5% of 1 fen = 0.015 fen: rounds to nothing
    ("10000.33", "50"), ("10000.34", "50.01"),          # 0.495 fen down, 0.51 fen up
    ("500000", "7400"),                                 # 50 + 1.5% × 49万
    ("500000.50", "7400.01"),                           # + 1% of 50 fen = 0.5 fen exactly: half up
    ("5000000", "52400"),                               # 7,400 + 1% × 450万
    ("10000000", "77400"),                              # 52,400 + 0.5% × 500万
    ("10000000.01", "77400"),                           # + 0.1% of 1 fen
    ("20000000", "87400"),                              # 77,400 + 0.1% × 1000万
    ("123456789.12", "190856.79"),                      # 77,400 + 0.1% × 113,456,789.12 = 113,456.78912
])
def test_the_bundled_tiers_at_each_boundary(amount, fee):
    assert default_process().fees.application_fee.fee_cents(_yuan(amount)) == _yuan(fee)


def test_the_bundled_fee_is_off_and_charges_first_enforcement_only():
    rule = default_process().fees.application_fee
    assert rule.enabled is False and rule.settle == "before_applicant" and rule.case_types == ("first",)
    assert rule.fee_cents(0) == 0


# ── the data: validated, refused at its line ─────────────────────────────────────────────────────────
def _with_fee(**change) -> str:
    data = yaml.safe_load(PROCESS_TEXT)
    data["fees"]["application_fee"].update(change)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


FEES_TAIL = PROCESS_TEXT[PROCESS_TEXT.index("\nfees:"):]


@pytest.mark.parametrize(("old", "new", "words"), [
    ("{up_to_cents: 500000000, percent: 1}", "{up_to_cents: 40000000, percent: 1}", "ascending"),
    ("{up_to_cents: 50000000, percent: 1.5}", "{up_to_cents: 50000000, percent: -1.5}", "≥ 0"),
    ("{up_to_cents: 50000000, percent: 1.5}", "{up_to_cents: 50000000, percent: lots}", "not a number"),
    ("{up_to_cents: 1000000, fixed_cents: 5000}", "{up_to_cents: 1000000, fixed_cents: -5000}", "fixed_cents"),
    ("{up_to_cents: 1000000, fixed_cents: 5000}", "{up_to_cents: 1000000, fixed_cents: 50.5}", "fixed_cents"),
    ("{up_to_cents: 500000000, percent: 1}", "{percent: 1}", "only the last tier"),
    ("{percent: 0.1}", "{up_to_cents: 2000000000, percent: 0.1}", "the last tier"),
    ("settle: before_applicant", "settle: first", "settle"),
    ("enabled: false", "enabled: maybe", "enabled"),
    ("case_types: [first]", "case_types: [firts]", "firts"),
])
def test_bad_fee_data_is_refused_at_its_line(old, new, words):
    _refused_at_its_line(old, new, words)


def _refused_at_its_line(old: str, new: str, words: str) -> None:
    """``old`` (once in the ``fees`` section) written ``new``: the process is refused, ``words`` said at its line."""
    assert FEES_TAIL.count(old) == 1
    head = PROCESS_TEXT[:PROCESS_TEXT.index("\nfees:")]
    text = head + FEES_TAIL.replace(old, new)
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    msg = err.value.message
    line = head.count("\n") + 1 + _line_of(FEES_TAIL.replace(old, new), new) - 1
    assert words in msg and f"court.yaml:{line}" in msg, msg


def test_an_enabled_fee_needs_tiers():
    with pytest.raises(UserError, match="an enabled fee needs its tiers"):
        parse_process(_with_fee(enabled=True, tiers=[]), "court.yaml")


# ── the engine ───────────────────────────────────────────────────────────────────────────────────────
def _runtime(**change) -> Runtime:
    return Runtime(Engine(parse_process(_with_fee(**change)), default_calendar()), SimClock(FILED))


def _receive(rt, receipt, amount, *, first=True):
    """``amount`` deducted into the account as ``receipt``, registered and approved (ready to pay out)."""
    if first:
        out = rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
        assert out.accepted
        assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 500_000_00, freeze_id="F1",
                                           account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", amount, receipt)).accepted
    assert rt.submit(c.RegisterReceipt("K", receipt)).accepted
    for who in ("执行局长", "分管副院长"):
        assert rt.submit(c.ApprovePayout("K", receipt, who)).accepted


def _kinds(out):
    return [e.kind for e in out.events if e.kind in (EventKind.FEE_SETTLED, EventKind.PAID_OUT)]


def test_the_fee_is_recorded_on_the_case_at_filing():
    rt = _runtime(enabled=True, basis="claim")  # pins the claim basis
    out = rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    assert out.events[0].data["application_fee_cents"] == FEE and rt.cases["K"].fee_cents == FEE
    assert rt.cases["K"].amounts()["fee_cents"] == FEE and rt.cases["K"].amounts()["fee_settled_cents"] == 0
    rt.submit(c.FileCase("P", case_type="preservation", debtors=("D1",), amount_cents=CLAIM))
    assert rt.cases["P"].fee_cents is None and "fee_cents" not in rt.cases["P"].amounts()  # not a charged type


def test_before_the_applicant_the_fee_comes_first_and_the_surplus_last():
    rt = _runtime(enabled=True, basis="claim")  # pins the claim basis
    _receive(rt, "R1", 60_000_00)
    refused = rt.submit(c.PayOut("K", "R1", 60_000_00)).refusal  # would leave the fee unsettled
    assert refused.code == "FEE_UNSETTLED" and refused.details == (58_600_00, FEE)
    assert "执行申请费" in refused.zh and "application fee" in refused.en and "5860000" in refused.zh
    state = rt.cases["K"]
    assert state.amounts()["paid_cents"] == 0 and state.fee_settled_cents() == 0  # a refusal changes nothing
    out = rt.submit(c.PayOut("K", "R1", 58_600_00))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    fee = out.events[0].data
    assert fee == {"amount_cents": FEE, "fee_cents": FEE, "fee_settled_cents": FEE, "paid_cents": FEE,
                   "settled": True}
    paid = out.events[1].data
    assert paid["amount_cents"] == 58_600_00 and paid["paid_cents"] == 60_000_00 and paid["settled"] is True
    assert state.status(33, "R1") == NodeStatus.DONE
    assert state.outstanding_cents() == CLAIM - 58_600_00  # the fee pays nothing of the claim
    # the next receipt: the fee is settled, the applicant's rest, then the surplus
    _receive(rt, "R2", 60_000_00, first=False)
    assert rt.submit(c.PayOut("K", "R2", 18_600_00, surplus=True)).refusal.code == "CLAIM_OUTSTANDING"
    out = rt.submit(c.PayOut("K", "R2", 41_400_00))
    assert out.accepted and _kinds(out) == [EventKind.PAID_OUT] and state.outstanding_cents() == 0
    assert rt.submit(c.PayOut("K", "R2", 18_600_00, surplus=True)).accepted
    assert state.amounts() == {"frozen_cents": 380_000_00, "deducted_cents": 120_000_00, "proceeds_cents": 0,
                               "paid_cents": 120_000_00, "returned_cents": 18_600_00, "account_cents": 0,
                               "fee_cents": FEE, "fee_settled_cents": FEE}


def test_a_receipt_smaller_than_the_fee_all_goes_to_it_by_a_payout_of_nothing_more():
    rt = _runtime(enabled=True, basis="claim")  # pins the claim basis
    _receive(rt, "R1", 1_000_00)
    refused = rt.submit(c.PayOut("K", "R1", 1)).refusal
    assert refused.code == "FEE_UNSETTLED" and refused.details == (0, FEE)
    out = rt.submit(c.PayOut("K", "R1", 0))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert out.events[0].data["amount_cents"] == 1_000_00 and out.events[0].data["settled"] is False
    state = rt.cases["K"]
    assert state.status(33, "R1") == NodeStatus.DONE and state.fee_left_cents() == 400_00
    assert state.outstanding_cents() == CLAIM
    _receive(rt, "R2", 10_000_00, first=False)
    # R2 covers the 400 left and more: 0 is no payout (it settled the fee and paid nothing before review R7)
    assert rt.submit(c.PayOut("K", "R2", 0)).refusal.code == "BAD_AMOUNT"
    out = rt.submit(c.PayOut("K", "R2", 9_600_00))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]
    assert state.fee_settled_cents() == FEE and state.outstanding_cents() == CLAIM - 9_600_00


def test_after_the_applicant_the_claim_first_then_the_fee_then_the_surplus():
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", 60_000_00)
    out = rt.submit(c.PayOut("K", "R1", 60_000_00))  # the claim unmet: the applicant first, no fee
    assert out.accepted and _kinds(out) == [EventKind.PAID_OUT]
    _receive(rt, "R2", 60_000_00, first=False)
    out = rt.submit(c.PayOut("K", "R2", 40_000_00))  # meets the claim: the fee right after, from the rest
    assert out.accepted and _kinds(out) == [EventKind.PAID_OUT, EventKind.FEE_SETTLED]  # then claim_met (last)
    assert out.events[1].data["amount_cents"] == FEE and out.events[0].data["paid_cents"] == 41_400_00
    refused = rt.submit(c.PayOut("K", "R2", 20_000_00, surplus=True)).refusal
    assert refused.code == "BAD_AMOUNT"  # only 18,600 is left: the surplus is what remains after claim and fee
    assert rt.submit(c.PayOut("K", "R2", 18_600_00, surplus=True)).accepted
    state = rt.cases["K"]
    assert state.outstanding_cents() == 0 and state.amounts()["account_cents"] == 0
    assert state.amounts()["returned_cents"] == 18_600_00 and state.fee_settled_cents() == FEE


def test_a_surplus_waits_for_the_fee_in_either_order():
    rt = _runtime(enabled=True, settle="after_applicant")
    _receive(rt, "R1", CLAIM)
    out = rt.submit(c.PayOut("K", "R1", CLAIM))  # the claim met, nothing left of R1 for the fee
    assert _kinds(out) == [EventKind.PAID_OUT] and rt.cases["K"].fee_left_cents() == FEE
    _receive(rt, "R2", 10_000_00, first=False)
    refused = rt.submit(c.PayOut("K", "R2", 10_000_00, surplus=True)).refusal
    assert refused.code == "FEE_UNSETTLED" and refused.details == (8_600_00, FEE) and "余款" in refused.zh
    out = rt.submit(c.PayOut("K", "R2", 8_600_00, surplus=True))
    assert out.accepted and _kinds(out) == [EventKind.FEE_SETTLED, EventKind.PAID_OUT]


def test_money_returned_after_a_closing_that_did_not_enforce_the_title_pays_no_fee():
    rt = _runtime(enabled=True)
    _receive(rt, "R1", 60_000_00)
    assert rt.submit(c.Close("K", "不予执行", reviewed_by="审判管理办公室")).accepted
    out = rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True))
    assert out.accepted and _kinds(out) == [EventKind.PAID_OUT] and rt.cases["K"].fee_settled_cents() == 0


# ── disabled: nothing changes ────────────────────────────────────────────────────────────────────────
def _walk(rt) -> list[tuple[str, dict]]:
    _receive(rt, "R1", 60_000_00)
    outs = [rt.submit(c.PayOut("K", "R1", 0)), rt.submit(c.PayOut("K", "R1", 60_000_00))]
    _receive(rt, "R2", 60_000_00, first=False)
    outs += [rt.submit(c.PayOut("K", "R2", 40_000_00)), rt.submit(c.PayOut("K", "R2", 20_000_00, surplus=True))]
    assert outs[0].refusal.code == "BAD_AMOUNT" and "1 至" in outs[0].refusal.zh  # 0 is no payout, as before
    assert all(o.accepted for o in outs[1:])
    return [(e.kind, e.data) for e in rt.case_events("K")]


def test_disabled_or_absent_the_fees_change_nothing():
    """The bundled (disabled) fee, another tier set disabled, and a process file without the ``fees`` section (as
    before it existed) run the same case to the same events; no fee is recorded, the amounts as before."""
    without = yaml.safe_load(PROCESS_TEXT)
    del without["fees"]
    runs = [Runtime(Engine(parse_process(text), default_calendar()), SimClock(FILED))
            for text in (PROCESS_TEXT, _with_fee(settle="after_applicant", tiers=[{"percent": 50}]),
                         yaml.safe_dump(without, allow_unicode=True))]
    walks = [_walk(rt) for rt in runs]
    assert walks[0] == walks[1] == walks[2]
    assert not [k for k, _ in walks[0] if k == EventKind.FEE_SETTLED]
    assert "application_fee_cents" not in walks[0][0][1]
    assert runs[0].cases["K"].fee_cents is None
    assert set(runs[0].cases["K"].amounts()) == {"frozen_cents", "deducted_cents", "proceeds_cents", "paid_cents",
                                                  "returned_cents", "account_cents"}


# ── end to end: the court account pays the fee out and the case reconciles ────────────────────────────
SCENARIO = """
name: 启用执行申请费：先结算执行申请费，再发放申请执行人，余款最后退还
seed: 7
case:
  number: (2025)豫0811执1342号
  amount: 100000
  filed: 2025-03-03 10:00
  debtors: [{as: 某债务人, world: 150, holdings: [{agency: 工商银行, kind: 存款, amount: 120000, as: 工行存款}]}]
steps:
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    expect_event: {kind: inquiry_completed}
  - open_feedback: 工商银行
  - freeze: {asset: 工行存款, amount: 120000}
  - at: +1d
    deduct: {asset: 工行存款, as: 工行到账}
  - at: +1d
    register_receipt: 工行到账
  - approve_payout: 执行局长
  - approve_payout: 分管副院长
  - pay_out: {amount: 119000}
    refused: FEE_UNSETTLED
    note: 执行申请费 1,400 元先从本笔款项结算，发放至多 118,600 元 / the fee first, at most 118,600 to pay
  - pay_out: {amount: 20000, surplus: true}
    refused: CLAIM_OUTSTANDING
  - pay_out: {amount: 100000}
  - expect_event: {kind: fee_settled, data: {amount_cents: 140000, settled: true}}
  - expect_event: {kind: paid_out, data: {amount_cents: 10000000, paid_cents: 10140000, settled: false}}
  - pay_out: {amount: 20000, surplus: true}
    refused: BAD_AMOUNT
    note: 只余 18,600 元 / only 18,600 left
  - pay_out: {surplus: true}
  - expect_node: {node: 33, instance: 工行到账, state: 已完成}
  - expect_amounts: {paid: 120000, returned: 18600, account: 0, court_account: 0, reconciled: true}
"""


def _run(text: str, *, setup=None, **change):
    """Runs the scenario ``text`` on a virtual court (no clerk) whose process enables the fee with ``change``
    (built here, for tests that reach into the court; a scenario file sets the same with ``process:``, see
    scenarios/suite/fees/); ``setup(court)`` adjusts the court before the
    run. Returns the result, the court and the case number."""
    from scenarios.loader import parse_text
    from scenarios.runner import run_scenario
    from sim.assembly import build_virtual_court

    process = parse_process(_with_fee(enabled=True, **change))
    scenarios, problems = parse_text(text)
    assert not problems, problems
    courts = []

    def factory(sc, spec):
        courts.append(build_virtual_court(sc.case.filed, seed=sc.seed, profile=sc.profile, court=spec, clerk=False,
                                          process=process))
        if setup is not None:
            setup(courts[-1])
        return courts[-1]

    return run_scenario(scenarios[0], factory), courts[0], scenarios[0].case.number


def test_enabled_the_court_account_pays_the_fee_and_the_case_reconciles():
    """A scenario run on a court whose process enables the fee: the court account's statement pays the court its fee,
    the applicant and the debtor; the amounts view gives the fee and reconciles to the cent."""
    from core_flow.driver.engine_driver import EngineDriver

    result, court, case = _run(SCENARIO)
    assert result.passed, result.explain()
    amounts = EngineDriver(court).amounts(case)
    assert (amounts.fee_cents, amounts.fee_settled_cents) == (FEE, FEE) and amounts.ok
    assert amounts.paid_cents == 120_000_00 and amounts.returned_cents == 18_600_00 and amounts.account_cents == 0
    assert amounts.court_account_cents == 0
    accounts = court.session.ledger.court_accounts
    sub = court.platform.sub_accounts[case]
    payees = [(e.counterparty, e.amount_cents) for e in accounts.entries(sub) if e.kind == "pay_out"]
    assert payees == [("法院（执行申请费）", FEE), ("申请执行人", 100_000_00), ("被执行人（余款退还）", 18_600_00)]
