"""Review R16 (2026-12-07) of H36's 撤回拍卖 (268a160, f5274df).

A first auction the platform took with its answers lost (the gateway gave up, a round of the act scheduled) when
the case closed 执行完毕: the act's rounds stopped at the closing (``_call``'s ``again``: a closed case's act is
dropped), so the court never learnt the listing and never withdrew it — the round stayed announced on the platform
and a buyer could bid on the paid-up debtor's flat, its seal already released by the closing. A round-making act
(first, second auction, 变卖) is now asked for once more after the closing, the same request number (the platform
answers with the round it holds), and ``_listed`` withdraws it at once. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from tests.test_disposal_closed import _case
from tests.test_disposal_retry import NO_FAULTS, _faults

LOST = {**NO_FAULTS, "lost_answer": 1.0}
NONE = {**NO_FAULTS, "lost_answer": 0.0}


def test_a_round_taken_with_its_answer_lost_before_the_closing_is_withdrawn_when_asked_again_after_it() -> None:
    case = _case().fixed()
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    _faults(case, "taobao", LOST)
    case.d.list(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))  # the gateway gave up; the act's next round is due in an hour
    assert case.lot.pending == "auction:first" and case.lot.stage == "fixed"
    auction = case.court.session.auction
    [held] = list(auction._listings)  # the platform took the round: only its answers were lost
    assert str(auction.get(held).status) == "announced"
    out = case.p.submit(c.Close(case.k, "执行完毕", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=2))
    assert str(auction.get(held).status) == "withdrawn"
    assert case.lot.stage == "withdrawn" and case.lot.pending is None
    assert [e.data["listing_id"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.ANCHOR and e.data["anchor"] == "listing_withdrawn"] == [held]
    view = auction.get(held)
    with pytest.raises(UserError):  # no buyer registers on the closed case's property
        auction.pay_deposit(held, bidder_id="B1", amount_cents=view.deposit_cents,
                            now=view.starts_at + timedelta(hours=1))


def test_an_act_refused_on_a_withdrawn_lot_says_the_round_was_withdrawn_and_what_may_follow() -> None:
    """By hand on an open case (执行和解): the round withdrawn, the court tries to list the lot again. The refusal said
    "参考价尚未确定，不能上拍" (the price was fixed) — it now says the round was withdrawn, that listing it again is not
    modelled, and what may follow (an agreement in kind, or the seal released: the 终本 gate counts the lot until
    then)."""
    case = _case().fixed().listed()
    case.d.withdraw_listing(case.k, case.asset)
    for act in (lambda: case.d.list(case.k, case.asset), lambda: case.d.relist(case.k, case.asset),
                lambda: case.d.start_sale(case.k, case.asset)):
        with pytest.raises(UserError) as err:
            act()
        assert err.value.code == "disposal_stage"
        assert "本轮拍卖已撤回" in err.value.zh and "以物抵债" in err.value.zh and "解除查封" in err.value.zh
        assert "was withdrawn" in err.value.en and "release the seal" in err.value.en
