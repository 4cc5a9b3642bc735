"""Money the case account (一案一账号) still holds when a case closes without enforcing its title — 销案, 不予执行,
驳回申请 — goes back to the debtor: the closing is allowed and says what is held and to whom it goes; the return is a
案款发放 with ``surplus`` after the closing (node 33's approvals, 到账登记 first) though the claim is unmet, counted as
returned, not recovered; a payout to the applicant is refused (RETURN_TO_DEBTOR). A 终结 keeps the title: held money
goes to the applicant up to the claim. Before, such money was stuck: the return was refused CLAIM_OUTSTANDING, a payout
to the applicant accepted, and the closing said nothing of it. process.yaml ``closing_manners``' ``returns_held``;
tests/fidelity_audit.md MR-1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core_flow.clocks import SimClock
from core_flow.engine import Engine, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.legal_calendar import default_calendar
from core_flow.process_loader import default_process_path, parse_process
from core_flow.runtime import Runtime
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
REVIEWER = "审判管理办公室"
CLAIM = 100_000_00
NOT_ENFORCED = ("销案", "不予执行", "驳回申请")


def _held_case(rt, *, deducted=60_000_00, register=True, approve=True):
    """A case whose account holds ``deducted`` (receipt R1), registered (node 32) and approved (node 33) or not."""
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 80_000_00, freeze_id="F1", account_no="A1")).accepted
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", deducted, "R1")).accepted
    if register:
        assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    if approve:
        for who in ("执行局长", "分管副院长"):
            assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    return rt


def _close(rt, manner):
    out = rt.submit(c.Close("K", manner, reviewed_by=REVIEWER))
    assert out.accepted, out.refusal
    return next(e for e in out.events if e.kind == EventKind.CLOSED).data


@pytest.mark.parametrize("manner", NOT_ENFORCED)
def test_money_held_at_a_closing_that_does_not_enforce_the_title_goes_back_to_the_debtor(make_runtime, manner):
    rt = _held_case(make_runtime(FILED))
    closed = _close(rt, manner)
    assert closed["held"] == [{"receipt": "R1", "amount_cents": 60_000_00}] and closed["held_to"] == "debtor"
    to_applicant = rt.submit(c.PayOut("K", "R1", 60_000_00)).refusal
    assert to_applicant.code == "RETURN_TO_DEBTOR" and manner in to_applicant.zh and "debtor" in to_applicant.en
    state = rt.cases["K"]
    assert state.amounts()["paid_cents"] == 0 and state.amounts()["account_cents"] == 60_000_00
    out = rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True))  # the claim (100,000) is unmet: accepted all the same
    assert out.accepted, out.refusal
    paid = next(e for e in out.events if e.kind == EventKind.PAID_OUT).data
    assert paid["surplus"] is True and paid["settled"] is True and paid["closing"] == state.closed_manner
    amounts = state.amounts()
    assert amounts["returned_cents"] == amounts["paid_cents"] == 60_000_00 and amounts["account_cents"] == 0
    assert state.outstanding_cents() == CLAIM  # returned, not recovered: nothing of the claim was paid
    assert state.status(33, "R1") == NodeStatus.DONE


def test_a_receipt_unregistered_and_unapproved_at_the_closing_is_registered_approved_and_returned_after_it(
        make_runtime):
    """Courts close and then pay: the 到账登记 and both approvals of the return are taken after the closing, and the
    return waits for them as any payout does."""
    rt = _held_case(make_runtime(FILED), register=False, approve=False)
    _close(rt, "不予执行")
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).refusal.code == "PAYOUT_NOT_APPROVED"
    for who in ("执行局长", "分管副院长"):
        assert rt.submit(c.ApprovePayout("K", "R1", who)).accepted
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).refusal.code == "RECEIPT_NOT_REGISTERED"
    assert rt.submit(c.RegisterReceipt("K", "R1")).accepted
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).accepted
    assert rt.cases["K"].amounts()["returned_cents"] == 60_000_00


def test_what_was_paid_to_the_applicant_before_the_closing_stays_paid_only_the_rest_returns(make_runtime):
    """Money paid to the applicant before 不予执行 is recovered by 执行回转, a new case: not modelled — the case keeps
    it as paid; only what the account still holds is listed and returned."""
    rt = _held_case(make_runtime(FILED))
    assert rt.submit(c.PayOut("K", "R1", 20_000_00)).accepted
    closed = _close(rt, "不予执行")
    assert closed["held"] == [{"receipt": "R1", "amount_cents": 40_000_00}]
    assert rt.submit(c.PayOut("K", "R1", 40_000_01, surplus=True)).refusal.code == "BAD_AMOUNT"
    assert rt.submit(c.PayOut("K", "R1", 40_000_00, surplus=True)).accepted
    state = rt.cases["K"]
    assert state.amounts()["paid_cents"] == 60_000_00 and state.amounts()["returned_cents"] == 40_000_00
    assert state.outstanding_cents() == CLAIM - 20_000_00


def test_an_escrowed_receipt_is_not_listed_as_held(make_runtime):
    """提存 already settled the receipt's payout (node 34): the closing lists only what can still be paid."""
    rt = _held_case(make_runtime(FILED), approve=False)
    assert rt.submit(c.Escrow("K", "R1", "执行局局长", reason="申请执行人下落不明")).accepted
    closed = _close(rt, "销案")
    assert closed["held"] == [] and "held_to" not in closed


def test_terminated_keeps_the_title_held_money_goes_to_the_applicant_up_to_the_claim(make_runtime):
    """终结: the title stays in force — the money goes to the applicant; a surplus back to the debtor only once the
    claim is met (CLAIM_OUTSTANDING before), as in an open case."""
    rt = _held_case(make_runtime(FILED), deducted=80_000_00)
    closed = _close(rt, "终结")
    assert closed["held"] == [{"receipt": "R1", "amount_cents": 80_000_00}] and closed["held_to"] == "applicant"
    assert rt.submit(c.PayOut("K", "R1", 80_000_00, surplus=True)).refusal.code == "CLAIM_OUTSTANDING"
    out = rt.submit(c.PayOut("K", "R1", 80_000_00))
    assert out.accepted and "closing" not in out.events[0].data
    state = rt.cases["K"]
    assert state.amounts()["returned_cents"] == 0 and state.outstanding_cents() == CLAIM - 80_000_00


def test_a_closing_with_nothing_held_lists_nothing(make_runtime):
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    closed = _close(rt, "驳回申请")
    assert closed["held"] == [] and "held_to" not in closed


def _runtime(change) -> Runtime:
    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    change({m["code"]: m for m in data["closing_manners"]})
    return Runtime(Engine(parse_process(yaml.safe_dump(data, allow_unicode=True)), default_calendar()),
                   SimClock(FILED))


def test_where_held_money_goes_is_data():
    """returns_held is read from process.yaml: a court that returns a 终结 case's money (the title set aside) sets it
    for 终结; unsetting it for 不予执行 pays the applicant as before."""
    rt = _held_case(_runtime(lambda ms: ms["terminated"].update(returns_held=True)))
    assert _close(rt, "终结")["held_to"] == "debtor"
    assert rt.submit(c.PayOut("K", "R1", 60_000_00)).refusal.code == "RETURN_TO_DEBTOR"
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).accepted

    rt = _held_case(_runtime(lambda ms: ms["not_enforced"].update(returns_held=False)))
    assert _close(rt, "不予执行")["held_to"] == "applicant"
    assert rt.submit(c.PayOut("K", "R1", 60_000_00, surplus=True)).refusal.code == "CLAIM_OUTSTANDING"
    assert rt.submit(c.PayOut("K", "R1", 60_000_00)).accepted


def test_the_bundled_manners_say_which_return_the_money_held():
    from core_flow.process_loader import default_process

    process = default_process()
    assert {m.code for m in process.closing_manners if m.returns_held} == {"cancelled", "not_enforced", "dismissed"}


def test_the_court_account_pays_the_debtor_and_reconciles():
    """End to end (scenarios/suite/fidelity/money_on_closing): the court account's statement names the return to the
    debtor (结案退还), the case reconciles to the cent, and the simulation's KPI counts it returned, not recovered."""
    from scenarios.loader import load_file
    from scenarios.runner import build_court, run_scenario
    from sim.kpi import Collector

    path = Path(__file__).resolve().parents[1] / "scenarios" / "suite" / "fidelity" / "money_on_closing.scenario.yaml"
    courts = []

    def factory(sc, spec):
        courts.append(build_court(sc, spec))
        return courts[-1]

    sc = load_file(path)[0]
    result = run_scenario(sc, factory)
    assert result.passed, result.explain()
    court = courts[0]
    accounts = court.session.ledger.court_accounts
    sub = court.platform.sub_accounts[sc.case.number]
    payees = [(e.counterparty, e.amount_cents) for e in accounts.entries(sub) if e.kind == "pay_out"]
    assert payees == [("被执行人（结案退还）", 60_000_00)]
    kpi = Collector(sc.case.filed, sc.case.filed)
    for e in court.runtime.case_events(sc.case.number):
        kpi(e)
    assert kpi.returned_cents == 60_000_00 and kpi.paid_cents == 0


def test_the_timeline_line_of_the_closing_says_what_is_held_and_where_it_goes(make_runtime):
    from core_flow.process_loader import default_process
    from zhixing.engine_timeline import _detail

    rt = _held_case(make_runtime(FILED))
    out = rt.submit(c.Close("K", "不予执行", reviewed_by=REVIEWER))
    closed = next(e for e in out.events if e.kind == EventKind.CLOSED)
    # and that its 案款发放 deadline runs on after the closing (nodes 32–33 outlives_closing; 到账登记 is done)
    assert _detail(default_process(), closed).endswith("；账户尚存 held ¥60,000.00 退还被执行人 back to the debtor，"
                                                       "案款发放期限照常 deadlines run on (node 33)")
