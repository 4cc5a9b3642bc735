"""A deduction the bank confirms after the case closed: the money is in the case account (the bank moved it before
the closing's release reached it), so the engine records it as a receipt — 到账登记 and 案款发放 follow as for any
money arriving after a closing (a sale's proceeds already did). Before, the confirmation was refused CASE_CLOSED: the
money sat in the court's account with no receipt, nobody could pay it out, and the case's ledger no longer matched the
court account's."""

from __future__ import annotations

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
REVIEWER = "审判管理办公室"
CLAIM = 100_000_00


def _frozen_case(rt):
    rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=CLAIM))
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 80_000_00, freeze_id="F1", account_no="A1")).accepted
    return rt


def _close(rt, manner):
    out = rt.submit(c.Close("K", manner, reviewed_by=REVIEWER))
    assert out.accepted, out.refusal
    return out


def _approve_and_register(rt, receipt):
    assert rt.submit(c.RegisterReceipt("K", receipt)).accepted
    for who in ("执行局长", "分管副院长"):
        assert rt.submit(c.ApprovePayout("K", receipt, who)).accepted


def test_a_deduction_confirmed_after_a_termination_is_received_and_paid_to_the_applicant(make_runtime):
    rt = _frozen_case(make_runtime(FILED))
    _close(rt, "终结")
    out = rt.submit(c.DeductionConfirmed("K", "icbc-1", 30_000_00, "R1"))
    assert out.accepted, out.refusal
    assert [e.kind for e in out.events if e.kind == EventKind.FUNDS_ARRIVED] == [EventKind.FUNDS_ARRIVED]
    state = rt.cases["K"]
    assert state.amounts()["account_cents"] == 30_000_00
    _approve_and_register(rt, "R1")
    assert rt.submit(c.PayOut("K", "R1", 30_000_00)).accepted  # 终结 keeps the title: the applicant is paid
    assert state.outstanding_cents() == CLAIM - 30_000_00 and state.amounts()["account_cents"] == 0


def test_a_deduction_confirmed_after_a_closing_that_returns_money_goes_back_to_the_debtor(make_runtime):
    rt = _frozen_case(make_runtime(FILED))
    _close(rt, "不予执行")
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", 30_000_00, "R1")).accepted
    _approve_and_register(rt, "R1")
    assert rt.submit(c.PayOut("K", "R1", 30_000_00)).refusal.code == "RETURN_TO_DEBTOR"
    assert rt.submit(c.PayOut("K", "R1", 30_000_00, surplus=True)).accepted
    assert rt.cases["K"].amounts()["returned_cents"] == 30_000_00


@pytest.mark.parametrize("amount", [0, 80_000_01])
def test_a_deduction_after_closing_is_still_checked_against_the_freeze(make_runtime, amount):
    rt = _frozen_case(make_runtime(FILED))
    _close(rt, "终结")
    assert rt.submit(c.DeductionConfirmed("K", "icbc-1", amount, "R1")).refusal.code == "BAD_AMOUNT"
    assert rt.cases["K"].receipts == {}
