"""A closed case's lots are not sold on (H34; session 30, H33 found a simulated case closed 执行完毕 whose flats were
still notified and listed afterwards): the platform refuses every act that advances a closed case's lot toward a sale
(``Disposal._open_for_sale``: pricing, serving the report, the objection's review, the parties' notice, listing, the
second auction, the answer in kind, 变卖) with ``case_closed_disposal``; it keeps what follows a sale already made
(the proceeds, the confirmation, the 过户, the hand-over), the seal of what a 终本 sweep finds (disposed of in the
恢复执行 case), a party's objection received, and the withdrawal of a pricing request still out
(``Disposal.withdraw_pricing``). A round whose bidding began before the closing runs to its end and starts no next
one; one not begun is withdrawn (H36: tests/test_withdraw_listing.py). The simulated clerk stops advancing a
closed case's lots and withdraws a pricing request still out. Virtual time only; every test fails on 361718d."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from sim.assembly import build_virtual_court
from tests.test_disposal import ORIGIN, Case
from tests.test_disposal_clerk import _flats_and_cars

MANNERS = ("执行完毕", "终结")


def _case(process: Any = None) -> Case:
    case = Case(process=process)
    for node in (3, 7, 9, 10, 18):  # done in time: nothing of the case's own frozen holds up its closing
        assert case.p.submit(c.CompleteNode(case.k, node)).accepted
    return case


def _close(case: Case, manner: str) -> None:
    out = case.p.submit(c.Close(case.k, manner, reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    case.court.run_for(timedelta(hours=12))  # the closing's releases answered


def _priced_in_resumed_case(case: Case, reason: str) -> str:
    """The 终本 case resumed (``reason``): its lot moved, sealed, to the 恢复执行 case, investigated and priced there;
    the new case's id."""
    assert case.p.submit(c.RequestResumption(case.k, reason)).accepted
    assert case.p.submit(c.ApproveResumption(case.k, "执行局长")).accepted
    case.court.run_for(timedelta(days=2))
    [new] = [k for k in case.court.runtime.cases if k != case.k]
    assert case.lot.stage == "moved" and case.d.lots[(new, case.asset)].stage == "sealed"
    case.d.investigate(new, case.asset)
    case.d.price(new, case.asset)
    return new


def _sealed(case: Case) -> Case:
    case.seal()
    case.d.investigate(case.k, case.asset)
    return case


def _reported(case: Case) -> Case:
    _sealed(case)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(days=4))
    assert case.lot.stage == "reported"
    return case


def _objected(case: Case) -> Case:
    _reported(case)
    case.d.serve_report(case.k, case.asset)
    case.d.object(case.k, case.asset, by="被执行人")
    return case


def _unsold1(case: Case) -> Case:
    case.fixed().listed().until_closed()
    assert case.lot.stage == "unsold1"
    return case


def _unsold2(case: Case) -> Case:
    _unsold1(case)
    case.d.relist(case.k, case.asset)
    case.until_closed()
    assert case.lot.stage == "unsold2"
    return case


def _declined(case: Case) -> Case:
    _unsold2(case)
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    assert case.lot.stage == "declined"
    return case


# (the stage the lot is brought to, the act refused once the case is closed)
ACTS: dict[str, tuple[Callable[[Case], Any], Callable[[Case], Any]]] = {
    "price": (_sealed, lambda k: k.d.price(k.k, k.asset)),
    "appraisal": (_sealed, lambda k: k.d.price(k.k, k.asset, "appraisal")),
    "serve_report": (_reported, lambda k: k.d.serve_report(k.k, k.asset)),
    "review_upheld": (_objected, lambda k: k.d.review_objection(k.k, k.asset, upheld=True)),
    "review_dismissed": (_objected, lambda k: k.d.review_objection(k.k, k.asset, upheld=False)),
    "notify_parties": (lambda k: k.fixed(), lambda k: k.d.notify_parties(k.k, k.asset)),
    "list": (lambda k: k.fixed(), lambda k: k.d.list(k.k, k.asset)),
    "relist": (_unsold1, lambda k: k.d.relist(k.k, k.asset)),
    "in_kind_accepted": (_unsold2, lambda k: k.d.offer_in_kind(k.k, k.asset, accept=True)),
    "in_kind_refused": (_unsold2, lambda k: k.d.offer_in_kind(k.k, k.asset, accept=False)),
    "start_sale": (_declined, lambda k: k.d.start_sale(k.k, k.asset)),
}


def _platform_calls(case: Case) -> tuple[int, int]:
    return len(case.court.session.pricing._requests), len(case.court.session.auction.listings())


def _refused(case: Case, act: Callable[[Case], Any]) -> UserError:
    stage, calls = case.lot.stage, _platform_calls(case)
    events = len(case.court.runtime.case_events(case.k))
    with pytest.raises(UserError) as err:
        act(case)
    assert err.value.code == "case_closed_disposal"
    assert case.k in err.value.where and case.asset in err.value.where
    assert "结案" in err.value.zh and "closed" in err.value.en
    # nothing changed: the lot where it was, nothing sent to a platform, nothing recorded on the case
    assert case.lot.stage == stage and case.lot.pending is None and _platform_calls(case) == calls
    assert len(case.court.runtime.case_events(case.k)) == events
    return err.value


@pytest.mark.parametrize("manner", MANNERS)
@pytest.mark.parametrize("act", list(ACTS))
def test_every_act_that_advances_a_closed_cases_lot_toward_a_sale_is_refused(manner: str, act: str) -> None:
    to_stage, do = ACTS[act]
    case = to_stage(_case())
    _close(case, manner)
    _refused(case, do)


def test_a_closed_cases_price_is_not_fixed_when_its_objection_window_ends() -> None:
    """The report served before the closing: its 5 days end after it, and the price is not fixed (nothing is sold) —
    the old code fixed it (node 20 done, ``price_fixed`` told to the handler, who notified and listed)."""
    case = _reported(_case())
    case.d.serve_report(case.k, case.asset)
    _close(case, "终结")
    case.court.run_for(timedelta(days=10))
    assert case.lot.stage == "reported" and "reference_price_fixed" not in case.anchors()


def test_a_zhongben_cases_swept_property_is_sealed_there_and_priced_only_in_the_resumed_case() -> None:
    """终本: a flat found (a sweep, a clue) is sealed in the 终本 case — its measures stay in force (PROCESS.md 终本) —
    and not priced there (refused); the case must be resumed (node 45), and the seal, carried over with its lot
    (``carry_over``), is priced in the 恢复执行 case."""
    case = _case()
    assert case.p.submit(c.CompleteNode(case.k, 36, authority="院长")).accepted  # 限消: 终本 needs it
    assert case.p.submit(c.CompleteNode(case.k, 17, case.asset)).accepted  # not sealed before the 终本
    case.court.run_for(timedelta(days=95))  # more than 3 months since filing
    _close(case, "终本")
    assert case.state.closed_manner == "zhongben"
    case.seal()  # kept: the seal of property found after the 终本
    assert case.lot.stage == "sealed"
    err = _refused(case, lambda k: k.d.price(k.k, k.asset))
    assert "终本" in err.zh
    new = _priced_in_resumed_case(case, "终本后查得房产")
    assert case.court.runtime.cases[new].node(20, case.asset).started_at is not None
    case.court.run_for(timedelta(days=10))
    assert case.d.lots[(new, case.asset)].stage == "reported"


@pytest.mark.parametrize("manner", MANNERS)
def test_a_sale_made_in_a_round_running_at_the_closing_is_collected_confirmed_transferred_and_handed_over(
        manner: str) -> None:
    """Kept: a round whose bidding began before the closing runs to its end (拍卖变卖规定 第二十条: withdrawn only
    before the auction begins; H36); its buyer's money is the case's — collected (``ProceedsArrived`` after the
    closing), the sale confirmed (27), the property transferred and handed over (30). On a court process without
    release_gate's ROUND_IN_BIDDING: the bundled one refuses a releasing closing while the bidding runs (H46, review
    R19 — tests/test_completion_gate.py), so a closed case meets a round begun only where the court file allows it."""
    from tests.test_completion_gate import process_without_round_gate

    case = _case(process_without_round_gate()).fixed().listed()
    price = case.bid()  # bidding under way
    _close(case, manner)
    case.until_closed()
    assert case.lot.stage == "sold"
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "paid" and case.state.receipts[case.lot.receipt].amount_cents == price
    case.d.confirm_sale(case.k, case.asset)
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    case.d.hand_over(case.k, case.asset)
    assert case.lot.stage == "handed_over" and case.status(27) == "done" and case.status(30) == "done"


def test_a_listing_announced_at_the_closing_is_withdrawn_and_no_second_auction_starts() -> None:
    """A case closed while its first auction is announced (bidding not started): the system withdraws the round (H36,
    ``Disposal._withdraw_at_closing``; H34 let it run out unsold, ``first_unsold``, the platforms having no withdrawal
    of a listing), and no second auction starts — the code before H34 relisted it."""
    case = _case().fixed().listed()
    assert case.listing().status == "announced"
    _close(case, "执行完毕")
    case.until_closed()
    assert case.lot.stage == "withdrawn" and "first_unsold" not in case.anchors()
    _refused(case, lambda k: k.d.relist(k.k, k.asset))
    assert str(case.listing().status) == "withdrawn"


def _pricing_out() -> Case:
    case = _sealed(_case())
    case.d.price(case.k, case.asset, "appraisal")  # 委托评估: its report within 30 days
    case.court.run_for(timedelta(days=1))
    assert case.lot.stage == "pricing"
    return case


def _withdrawn(case: Case, pid: str) -> None:
    assert str(case.court.session.pricing.get(pid).status) == "withdrawn"
    case.court.run_for(timedelta(days=40))
    assert case.lot.stage == "sealed" and "report_received" not in case.anchors()
    assert case.status(20) != "done"


@pytest.mark.parametrize("manner", MANNERS)
def test_a_pricing_request_still_out_at_the_closing_is_withdrawn_and_its_report_never_taken(manner: str) -> None:
    """The system withdraws it at the closing (as it releases the controls), and a report is never taken — the old
    code took it, and the price was fixed on the closed case."""
    case = _pricing_out()
    pid = case.lot.pricing_id
    _close(case, manner)
    _withdrawn(case, pid)


def test_the_court_may_withdraw_a_pricing_request_by_hand_on_a_closed_case() -> None:
    case = _pricing_out()
    pid = case.lot.pricing_id
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    case.d.withdraw_pricing(case.k, case.asset)  # kept on a closed case: the right act after the closing
    assert case.lot.stage == "sealed"
    case.court.run_for(timedelta(hours=1))
    _withdrawn(case, pid)
    with pytest.raises(UserError) as err:  # nothing out any more
        case.d.withdraw_pricing(case.k, case.asset)
    assert err.value.code == "disposal_stage"


def test_a_party_may_still_object_after_the_closing() -> None:
    """Kept: an objection received is recorded (a party's right; nothing advances) — its review is refused."""
    case = _reported(_case())
    case.d.serve_report(case.k, case.asset)
    _close(case, "终结")
    case.d.object(case.k, case.asset, by="申请执行人")
    assert "objection_received" in case.anchors()
    _refused(case, lambda k: k.d.review_objection(k.k, k.asset, upheld=False))


# ── the simulated clerk ────────────────────────────────────────────────────────────────────────────
_SALE_ANCHORS = {"announcement_scheduled", "auction_scheduled", "second_auction_scheduled", "sale_period_scheduled",
                 "reference_price_fixed", "report_received"}


@pytest.mark.parametrize("at_stage", ["pricing", "reported", "fixed"])
def test_the_clerk_does_not_advance_a_closed_cases_lot(at_stage: str) -> None:
    """A small seeded run (the demo clerk disposing): the case K0's flat is on its way to a sale when the case is
    closed 终结; the clerk advances it no further — no report served, no price fixed, no notice, no listing — and is
    refused nothing (``case_closed_disposal``); a pricing request still out is withdrawn at the closing. The old
    clerk went on (session 30: a case closed 执行完毕 whose flats were notified and listed)."""
    court = build_virtual_court(ORIGIN, seed=15, dispose=True, diligence=1.0, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    _flats_and_cars(court)
    lots = court.platform.disposal.lots
    for _ in range(120):
        court.run_for(timedelta(hours=6))
        if ("K0" in {k for k, _ in lots}) and next(lot for (k, _), lot in lots.items() if k == "K0").stage == at_stage:
            break
    [(asset, lot)] = [(a, lot) for (k, a), lot in lots.items() if k == "K0"]
    assert lot.stage == at_stage
    out = court.platform.submit(c.Close("K0", "终结", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    closed_at = court.clock.now()
    court.run_for(timedelta(days=120))
    after = [e.data["anchor"] for e in court.runtime.case_events("K0")
             if e.kind == EventKind.ANCHOR and e.instance.startswith(asset) and e.at > closed_at]
    assert not _SALE_ANCHORS & set(after), after
    assert lot.stage in ({"sealed"} if at_stage == "pricing" else {at_stage}), lot.stage
    if at_stage == "pricing":
        assert [p for p in court.session.pricing._requests if str(court.session.pricing.get(p).status) == "withdrawn"]
    assert "CASE_CLOSED_DISPOSAL" not in {code for code, _, _ in court.clerk.stats.refusals}
    # the other cases' disposals went on
    assert any(lot.stage in ("handed_over", "paid", "confirmed", "transferred") for (k, _), lot in lots.items()
               if k != "K0")


def test_a_pricing_request_the_platform_takes_on_a_retry_after_the_closing_is_withdrawn_at_once() -> None:
    """The gateway's own retry of a faulted pricing request succeeds after the case closed: the request is withdrawn
    at once and node 20 does not start — the old code started node 20 on the closed case and took the report."""
    from tests.test_disposal_retry import ALL_FAULTS, NO_FAULTS, _faults

    case = _sealed(_case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(seconds=1))  # the first attempt failed: the gateway retries shortly
    assert case.lot.pending == "network_inquiry"
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    _faults(case, "pricing_platform", NO_FAULTS)
    case.court.run_for(timedelta(days=10))
    requests = list(case.court.session.pricing._requests)
    assert requests, "the gateway's retry reached the platform"
    assert [str(case.court.session.pricing.get(p).status) for p in requests] == ["withdrawn"]
    assert case.state.node(20, case.asset).started_at is None
    assert case.lot.stage == "sealed" and "report_received" not in case.anchors()
