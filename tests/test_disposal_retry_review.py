"""Review R10 (2026-12-07) of the disposal platforms' retry rounds (H25: process.yaml node 20 ``platform_retry``,
core_flow/platform/disposal.py ``Disposal._call``; tests/fidelity_audit.md N20-R).

What the review found, each test failing on the H25 code:

* a later round whose first attempt the platform refused (4xx) raised the refusal out of the court clock's timer —
  the run stopped (``run_for`` raised), nothing told, nothing recorded;
* a round waiting when the case closed (终结: its seals released) still fired: the pricing request was commissioned on
  the platform and node 20 started on the closed case;
* a round waiting when node 20 froze (its 15 days to start missed meanwhile) passed the freeze the act itself obeys:
  the request commissioned, the engine refused node 20's start (NODE_FROZEN), the lot priced with node 20 frozen and
  never started — now the round is not made and is told as refused (``node_frozen``); the handler asks again once
  unfrozen (the simulated clerk does);
* proceeds a platform held when the rounds ran out were recorded (``platform_refused``) and never collected again —
  the lot stayed ``sold``, the buyer's money with the platform for good (H25's own note): now asked for daily after
  the rounds, the same request number, told once.

And what held (guards): a request the platform did receive though its answer was lost is the same request in the
later round (the mock is idempotent on the request number: one pricing request, one listing).

Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.ports import PortFault
from mock_agencies.disposal_port import SessionDisposalPort
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port
from tests.test_disposal import Case
from tests.test_disposal_retry import ALL_FAULTS, NO_FAULTS, _anchors, _faults, _heard


class _DownThenRefusing(SessionDisposalPort):
    """A pricing platform down (5xx) until ``up_at``, then refusing the request (a 4xx: its located bilingual body)."""

    up_at: Any = None

    def price(self, **kw: Any) -> dict[str, Any]:
        if self.up_at is None or kw["now"] < self.up_at:
            raise PortFault("pricing_platform: 503")
        raise UserError("该财产已由他院委托评估，不再受理", "the asset is being appraised for another court: not taken",
                        where="body.asset_id", code="conflict")


def _sealed(case: Case) -> Case:
    case.seal()
    case.d.investigate(case.k, case.asset)
    return case


def test_a_later_rounds_refusal_is_told_and_recorded_not_raised_out_of_the_clock():
    case = _sealed(Case(port=_DownThenRefusing))
    heard = _heard(case)
    case.d.price(case.k, case.asset)
    case.d.port.up_at = case.court.clock.now() + timedelta(minutes=40)  # back before the first round, refusing
    case.court.run_for(timedelta(days=1))  # the old code: UserError raised here, out of the round's timer
    assert [d["round"] for k, d in heard if k == "disposal_retrying"] == [1]
    [told] = [d for k, d in heard if k == "disposal_refused"]
    assert told["what"] == "network_inquiry" and told["code"] == "conflict"
    [refused] = _anchors(case, "platform_refused")
    assert refused.data["outcome"] == "refused" and refused.data["code"] == "conflict"
    assert refused.data["request_no"] == told["request_no"]
    assert case.lot.stage == "sealed" and case.lot.pending is None  # the handler may act again


def test_a_round_waiting_when_the_case_closed_is_not_made():
    case = _sealed(Case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    assert [d["round"] for k, d in heard if k == "disposal_retrying"] == [1] and case.lot.pending
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted  # the seal released with it
    _faults(case, "pricing_platform", NO_FAULTS)
    case.court.run_for(timedelta(days=3))
    assert not case.court.session.pricing._requests  # the old code: commissioned after the case closed
    assert case.state.node(20, case.asset).started_at is None  # the old code: node 20 started on the closed case
    assert case.lot.stage == "sealed" and case.lot.pending is None


def test_a_round_waiting_when_node_20_froze_is_not_made_and_told_the_handler_asks_again_once_unfrozen():
    case = _sealed(Case())
    due = case.due(20, "start")
    case.court.run_until(due - timedelta(hours=3))  # asked in time; the platform down
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    case.d.price(case.k, case.asset)
    case.court.run_until(due + timedelta(minutes=10))
    assert case.status(20) == "frozen" and case.lot.pending == "network_inquiry"
    _faults(case, "pricing_platform", NO_FAULTS)
    case.court.run_for(timedelta(days=1))
    refusals = [e for e in case.court.runtime.case_events(case.k) if e.kind == EventKind.REFUSED]
    assert not [e for e in refusals if e.data.get("command") == "StartNode"]  # the old code: refused NODE_FROZEN
    assert not case.court.session.pricing._requests  # the old code: commissioned past the freeze
    assert case.lot.stage == "sealed" and case.lot.pending is None  # the old code: "pricing", node 20 not started
    [told] = [d for k, d in heard if k == "disposal_refused"]
    assert told["code"] == "node_frozen" and told["what"] == "network_inquiry"
    [refused] = _anchors(case, "platform_refused")
    assert refused.data["outcome"] == "refused" and refused.data["code"] == "node_frozen"
    # the 中院执行局长's unfreeze, and the handler asks again: node 20 starts with the platform's acceptance
    assert case.p.submit(c.RequestUnfreeze(case.k, 20, case.asset, by="承办人", reason="平台故障")).accepted
    assert case.p.submit(c.ApproveUnfreeze(case.k, 20, "intermediate_bureau_head", case.asset)).accepted
    case.d.price(case.k, case.asset)
    assert case.lot.stage == "pricing" and case.state.node(20, case.asset).started_at == case.court.clock.now()


def test_proceeds_the_platform_held_past_the_rounds_are_collected_once_it_is_back():
    """H25's note: a collection that gave up after all rounds was recorded and nothing collected again — the lot
    stayed ``sold`` (no 成交确认 possible: it needs the price paid), the money with the platform for good."""
    case = Case().fixed().listed()
    price = case.bid()
    case.until_closed()
    assert case.lot.stage == "sold"
    platform = case.lot.platform
    _faults(case, platform, ALL_FAULTS)  # down when the balance is due (5 days after the hammer)
    heard = _heard(case)
    case.court.run_for(timedelta(days=7))
    assert [d["round"] for k, d in heard if k == "disposal_retrying" and d["what"] == "collect"] == [1, 2, 3]
    [told] = [d for k, d in heard if k == "disposal_gave_up" and d["what"] == "collect"]
    assert told["rounds"] == 3 and case.lot.stage == "sold"
    _faults(case, platform, NO_FAULTS)
    case.court.run_for(timedelta(days=2))
    assert case.lot.stage == "paid"  # the old code: still "sold"
    assert case.state.receipts[case.lot.receipt].amount_cents == price
    refused = [e for e in _anchors(case, "platform_refused") if e.data["what"] == "collect"]
    assert len(refused) == 1 and refused[0].data["outcome"] == "gave_up"  # told once, not at every daily try
    collects = {e.data.get("request_no") for e in case.court.runtime.case_events(case.k)
                if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "collect"}
    assert len(collects) == 1  # the same request number throughout


class _AnswerLost(SessionDisposalPort):
    """The platform acts on the request, then the answer is lost (a 502 on the way back), until ``until``."""

    until: Any = None

    def price(self, **kw: Any) -> dict[str, Any]:
        view = super().price(**kw)
        if self.until is not None and kw["now"] < self.until:
            raise PortFault("answer lost")
        return view

    def list(self, **kw: Any) -> dict[str, Any]:
        view = super().list(**kw)
        if self.until is not None and kw["now"] < self.until:
            raise PortFault("answer lost")
        return view


def test_guard_a_request_the_platform_received_though_its_answer_was_lost_is_the_same_request_in_the_rounds():
    """Guard (holds on the H25 code): the rounds reuse the request number, on which the mock platforms are
    idempotent — one pricing request, one listing, however many rounds."""
    case = _sealed(Case(port=_AnswerLost))
    heard = _heard(case)
    case.d.port.until = case.court.clock.now() + timedelta(minutes=50)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(days=4))
    assert [d["round"] for k, d in heard if k == "disposal_retrying"] == [1]
    assert case.lot.stage == "reported" and len(case.court.session.pricing._requests) == 1
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=7))
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    case.d.port.until = case.court.clock.now() + timedelta(hours=5, minutes=50)
    case.d.list(case.k, case.asset)
    case.court.run_for(timedelta(days=1))
    assert case.lot.stage == "listed" and len(case.court.session.auction._listings) == 1
    assert not _anchors(case, "platform_refused")


def test_the_simulated_clerk_asks_the_price_again_after_a_round_was_not_made_for_a_frozen_node_20():
    """The notice of a round not made (``disposal_refused``, ``node_frozen``): the clerk asks the price again — its
    act waits for the unfreeze like any refused ``node_frozen`` (sim/clerk.py ``Clerk._run``). The old clerk heard
    only ``disposal_gave_up``: the lot stayed sealed, unpriced."""
    from sim.assembly import build_virtual_court
    from tests.test_disposal import ORIGIN
    from tests.test_disposal_clerk import _flats_and_cars

    court = build_virtual_court(ORIGIN, seed=15, dispose=True, diligence=0.9, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    _flats_and_cars(court)
    lots = court.platform.disposal.lots
    for _ in range(20):
        court.run_for(timedelta(hours=6))
        if any(lot.stage == "sealed" for lot in lots.values()):
            break
    (k, asset), lot = next((key, lot) for key, lot in lots.items() if lot.stage == "sealed")
    court.platform._notify("disposal_refused", case_id=k, asset=asset, what="network_inquiry", code="node_frozen",
                           request_no="R-1")
    court.run_for(timedelta(days=3))  # before the clerk's own first request (some 15 days after the seal)
    assert lot.stage != "sealed"


def test_an_objection_to_a_report_set_aside_is_refused_and_the_new_prices_15_days_stay():
    """Two objections upheld in a row against one report: the first set it aside (its other objections moot) and the
    new request failed (the rounds spent); a second party's objection in the old report's window was taken, and
    upheld it recorded ``repricing_ordered`` again — node 20 ``restart`` of ``<asset>#2`` re-armed, its 15 days
    moved later. Now refused ``disposal_stage``: the new report is the one to object to."""
    from tests.test_disposal_retry import _objected

    case = _objected(Case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    second = f"{case.asset}#2"
    due = case.state.node(20, second).items["restart"].due
    case.court.run_for(timedelta(days=1))
    assert case.lot.pending is None and case.court.clock.now() < case.lot.objection_until  # rounds spent, in window
    try:
        case.d.object(case.k, case.asset, by="被执行人")
    except UserError as err:
        assert err.code == "disposal_stage"
    else:
        raise AssertionError("an objection to a report set aside was taken")
    assert [o.state for o in case.lot.objections] == ["upheld"]
    assert case.state.node(20, second).items["restart"].due == due
    assert len(_anchors(case, "repricing_ordered")) == 1


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def test_over_http_a_round_waiting_when_the_case_closed_is_not_made(server: str) -> None:
    """The same over uvicorn on loopback, the faults set by the admin API (``PUT /admin/sessions/{ns}/faults``): the
    round that waited through the 终结 is not made — the old code sent it, the platform answered and node 20 started
    on the closed case."""
    from scenarios.remote import build_remote_court
    from tests.test_disposal import ORIGIN
    from tests.test_disposal_retry import _exchanges, _remote_case

    court = build_remote_court(server, ORIGIN, seed=6)
    try:
        client = court.session.client
        case = Case.__new__(Case)
        _remote_case(case, court)

        def faults(rates: dict[str, float]) -> None:
            client.call("PUT", f"{client.admin}/faults", json={"scope": "pricing_platform", **rates})

        _sealed(case)
        faults(ALL_FAULTS)
        heard = _heard(case)
        case.d.price(case.k, case.asset)
        court.run_for(timedelta(minutes=30))
        assert [d["round"] for k, d in heard if k == "disposal_retrying"] == [1] and case.lot.pending
        assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
        faults(NO_FAULTS)
        court.run_for(timedelta(days=2))
        assert "answer" not in _exchanges(case, "network_inquiry")
        assert court.runtime.cases[case.k].node(20, case.asset).started_at is None
        assert case.lot.stage == "sealed" and case.lot.pending is None
    finally:
        court.counterpart.close()


def test_the_price_asked_again_after_the_rounds_keeps_the_request_number_the_platform_may_have_taken():
    """The platform took the request but every answer was lost (the gateway's retries, the three rounds): the court
    asks again with the same method — the same request number, so the platform answers with the request it has. The
    old code made a new request number: a second pricing request (a second appraisal commissioned) for the asset."""
    case = _sealed(Case(port=_AnswerLost))
    heard = _heard(case)
    case.d.port.until = case.court.clock.now() + timedelta(days=2)
    case.d.price(case.k, case.asset, "appraisal")
    case.court.run_for(timedelta(days=2))
    [told] = [d for k, d in heard if k == "disposal_gave_up"]
    assert told["rounds"] == 3 and case.lot.stage == "sealed"
    assert len(case.court.session.pricing._requests) == 1  # taken, unanswered
    case.d.price(case.k, case.asset, "appraisal")
    assert case.lot.stage == "pricing" and len(case.court.session.pricing._requests) == 1
    assert case.lot.requests[case.lot.pricing_id] == told["request_no"]


def test_guard_a_refused_request_is_not_reused():
    case = _sealed(Case(port=_DownThenRefusing))
    case.d.price(case.k, case.asset)
    case.d.port.up_at = case.court.clock.now() + timedelta(minutes=40)
    case.court.run_for(timedelta(days=1))
    [refused] = _anchors(case, "platform_refused")
    assert case.lot.unanswered is None
    try:
        case.d.price(case.k, case.asset)
    except UserError:
        pass
    numbers = {e.data.get("request_no") for e in case.court.runtime.case_events(case.k)
               if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "network_inquiry"}
    assert len(numbers) == 2 and refused.data["request_no"] in numbers


def test_the_listing_asked_again_after_the_rounds_is_the_listing_the_platform_took():
    """The auction platform took the first listing but every answer was lost: listed again on the same terms (its
    start not given), the court resends the start it asked — the platform answers with the listing it has. The old
    code computed a new start: refused "already listed for this round with other terms", the listing running on the
    platform unknown to the court."""
    case = Case(port=_AnswerLost).fixed()
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    heard = _heard(case)
    case.d.port.until = case.court.clock.now() + timedelta(days=2)
    case.d.list(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:first"]
    assert case.lot.stage == "fixed" and len(case.court.session.auction._listings) == 1
    case.d.list(case.k, case.asset)  # the old code: UserError conflict
    [lid] = case.court.session.auction._listings
    assert case.lot.stage == "listed" and case.lot.listing_id == lid and "auction:first" not in case.lot.unstarted


def test_a_new_price_after_the_old_one_lapsed_has_node_20s_30_days_from_the_platforms_acceptance():
    """H25's note: a new price asked because the old one lapsed (参考价规定 (2018): valid 1 year) ran under the
    asset's instance, whose node 20 was done — nothing timed it. Now node 20 of the new report's instance
    (``<asset>#2``) starts with the platform's acceptance: ``main``'s 30 days (seed 004 节点二十 "启动后三十日内完成"),
    completed when the new price is fixed."""
    from core_flow.legal_calendar import Period

    case = Case().fixed()
    lot = case.lot
    case.court.run_until(lot.valid_until + timedelta(hours=1))
    case.d.price(case.k, case.asset)
    second = f"{case.asset}#2"
    ns = case.state.node(20, second)
    asked = case.court.clock.now()
    assert ns is not None and ns.started_at == asked  # the old code: no such instance, nothing timed
    main = ns.items["main"]
    assert not main.done and main.due == case.court.runtime.engine.calendar.deadline(asked, Period.parse("30d")).due
    assert "restart" not in ns.items or ns.items["restart"].due is None  # no 15 days to start: nothing ordered it
    for _ in range(10):
        case.court.run_for(timedelta(days=1))
        if lot.stage == "reported":
            break
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=7))
    assert lot.stage == "fixed" and str(case.state.status(20, second)) == "done"
