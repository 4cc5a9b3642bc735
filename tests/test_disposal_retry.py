"""A pricing or auction platform that fails or refuses when the court asks it for a new price after an upheld
objection (node 22), or tells it of an agreement in kind (以物抵债: the auction platform closes the listing, the pricing
platform withdraws the request) — review R6's gap (2026-12-07, H25; tests/fidelity_audit.md N20-R, N29-2):

* a transient failure (5xx, 429, timeout, a broken connection, a fault the mock's fault profile injects) is retried
  by the 查控 gateway (its RetryPolicy) and, when it outlasts those retries, again in rounds on the court's clock
  (process.yaml node 20 ``platform_retry``: 1, 4 and 16 hours after the gateway gave up, the same request number);
* a definitive refusal (4xx with the platform's located bilingual body), or the rounds spent, is told to the court:
  ``disposal_refused`` / ``disposal_gave_up`` and ``platform_refused`` recorded on the case; an upheld review stands;
* the new price after an upheld objection is timed as the first (node 20 of the new report's instance ``<asset>#2``:
  ``restart``'s 15 days from the upheld review to the platform's acceptance, then ``main``'s 30 days): a request that
  failed leaves ``restart`` running — warned, missed, frozen — and the court asks again with the same ``price`` act.

Virtual time only (no sleeping): in process through the SimulatedTransport and the mock platforms, and over real HTTP
(uvicorn on loopback) for the faults the mock's profile injects there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from core_flow.engine import EventKind
from core_flow.errors import UserError
from core_flow.legal_calendar import Period
from core_flow.platform.disposal_http import HttpDisposalPort
from core_flow.process_loader import default_process_path, parse_process
from mock_agencies.auction import ListingStatus
from mock_agencies.disposal_port import SessionDisposalPort
from mock_agencies.pricing import PricingStatus
from mock_agencies.settings import Settings
from scenarios.remote import build_remote_court
from tests.test_agencies_live import LiveServer, free_port
from tests.test_disposal import CLAIM, ORIGIN, Case

ALL_FAULTS = {"error_5xx": 1.0, "timeout": 0.0, "reset": 0.0, "rate_limit": 0.0}
NO_FAULTS = {"error_5xx": 0.0, "timeout": 0.0, "reset": 0.0, "rate_limit": 0.0}


def _faults(case: Case, agency: str, faults: dict[str, float]) -> None:
    """The mock's fault profile for ``agency`` (as the admin API's ``PUT …/faults`` sets it)."""
    session = case.court.session
    session.set_profile(session.profile.with_overrides({agency: {"faults": faults}}))


def _heard(case: Case) -> list[tuple[str, dict]]:
    heard: list[tuple[str, dict]] = []
    case.p.listeners.append(lambda kind, data: heard.append((kind, data)))
    return heard


def _anchors(case: Case, anchor: str) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.ANCHOR and e.data["anchor"] == anchor]


def _exchanges(case: Case, measure: str) -> list[str]:
    return [e.data["kind"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("measure") == measure]


def _events(case: Case, kind: EventKind, node: int, instance: str) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == kind and e.node == node and e.instance == instance]


def _objected(case: Case) -> Case:
    case.seal().price()
    case.court.run_for(timedelta(days=1))
    case.d.object(case.k, case.asset, by="申请执行人")
    return case


def _until_reported(case: Case, days: int = 40) -> None:
    for _ in range(days):
        case.court.run_for(timedelta(days=1))
        if case.lot.stage == "reported":
            return


def _process(**retry: Any):
    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    next(n for n in data["nodes"] if n["node"] == 20)["platform_retry"].update(retry)
    return parse_process(yaml.safe_dump(data, allow_unicode=True))


# ── the new price after an upheld objection ─────────────────────────────────────────────────────────────────────────
def test_the_new_price_request_is_timed_like_the_first_from_the_upheld_review_and_its_start():
    """Seed 004 节点二十 "应当在十五日内启动，并于启动后三十日内完成", for the new price too: 15 days from the upheld
    review to the request, 30 days from the platform's acceptance. The old code: nothing timed the new request."""
    case = _objected(Case())
    reviewed = case.court.clock.now()
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    second = f"{case.asset}#2"
    [ordered] = _anchors(case, "repricing_ordered")
    assert ordered.instance == second and ordered.at == reviewed
    ns = case.state.node(20, second)
    engine = case.court.runtime.engine
    assert ns is not None and ns.started_at == reviewed  # the platform accepted at once: started
    restart, main = ns.items["restart"], ns.items["main"]
    assert restart.done and restart.due == engine.calendar.deadline(reviewed, Period.parse("15d")).due
    assert not main.done and main.due == engine.calendar.deadline(reviewed, Period.parse("30d")).due
    _until_reported(case)
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=8))
    assert case.lot.stage == "fixed" and str(case.state.status(20, second)) == "done"
    assert case.status(20) == "done" and not _events(case, EventKind.DEADLINE_MISSED, 20, second)


def test_a_transient_fault_of_the_new_request_is_retried_and_the_request_goes_through():
    case = _objected(Case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    out = case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    assert out.accepted and case.lot.pending == "appraisal" and case.lot.stage == "reported"
    case.court.run_for(timedelta(seconds=5))
    _faults(case, "pricing_platform", NO_FAULTS)  # the platform recovers within the gateway's retries
    case.court.run_for(timedelta(hours=1))
    kinds = _exchanges(case, "appraisal")
    assert kinds[0] == "sent" and "retry_scheduled" in kinds and kinds[-1] == "answer"
    assert case.lot.stage == "pricing" and case.lot.pending is None
    assert case.state.node(20, f"{case.asset}#2").started_at is not None
    assert not [k for k, _ in heard if k.startswith("disposal_")] and not _anchors(case, "platform_refused")


def test_faults_outlasting_the_gateway_are_asked_again_in_rounds_then_the_court_is_told_and_can_ask_again():
    """The platform down for good: the gateway's retries, then 3 rounds (1, 4, 16 hours after each give-up: data),
    then ``disposal_gave_up`` and ``platform_refused`` (gave_up) on the case; node 20's ``restart`` keeps running —
    warned, missed, frozen at its 15 days as ``start`` would be — and the court asks again with ``price``. The old code
    gave up after the gateway's retries, said nothing the case kept, and timed nothing."""
    case = _objected(Case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    reviewed = case.court.clock.now()
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    case.court.run_for(timedelta(days=2))
    rounds = [d for k, d in heard if k == "disposal_retrying"]
    assert [r["round"] for r in rounds] == [1, 2, 3]
    assert len({r["request_no"] for r in rounds}) == 1  # the same request number each round (idempotent)
    gave_up = [e for e in case.court.runtime.case_events(case.k)
               if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "appraisal" and e.data["kind"] == "gave_up"]
    assert len(gave_up) == 4  # the gateway gave up on each of the four calls
    waits = [(r1.at - g.at) for g, r1 in zip(gave_up, [
        next(e for e in case.court.runtime.case_events(case.k) if e.kind == EventKind.EXCHANGE
             and e.data.get("measure") == "appraisal" and e.data["kind"] == "sent" and e.at > g.at)
        for g in gave_up[:3]], strict=False)]
    assert waits == [timedelta(hours=1), timedelta(hours=4), timedelta(hours=16)]
    [told] = [d for k, d in heard if k == "disposal_gave_up"]
    assert told["what"] == "appraisal" and told["rounds"] == 3
    [refused] = _anchors(case, "platform_refused")
    assert refused.data["outcome"] == "gave_up" and refused.data["what"] == "appraisal"
    assert refused.data["request_no"] == rounds[0]["request_no"] and refused.at == gave_up[-1].at
    lot, second = case.lot, f"{case.asset}#2"
    assert lot.stage == "reported" and lot.objection == "upheld" and lot.pending is None
    ns = case.state.node(20, second)
    assert ns.started_at is None and not ns.items["restart"].done  # still to ask: its 15 days run
    due = ns.items["restart"].due
    assert due == case.court.runtime.engine.calendar.deadline(reviewed, Period.parse("15d")).due
    case.court.run_until(due + timedelta(hours=1))
    assert _events(case, EventKind.WARNING, 20, second) and _events(case, EventKind.DEADLINE_MISSED, 20, second)
    assert str(case.state.status(20, second)) == "frozen"
    _faults(case, "pricing_platform", NO_FAULTS)
    with pytest.raises(UserError) as frozen:  # not asked again past its freeze without the 中院执行局长
        case.d.price(case.k, case.asset, "appraisal")
    assert f"20/{second}" in frozen.value.zh


def test_the_court_asks_again_with_the_same_act_and_the_request_completes_restart():
    case = _objected(Case())
    _faults(case, "pricing_platform", ALL_FAULTS)
    case.d.review_objection(case.k, case.asset, upheld=True, method="network_inquiry")
    case.court.run_for(timedelta(days=2))
    assert _anchors(case, "platform_refused") and case.lot.pending is None
    _faults(case, "pricing_platform", NO_FAULTS)
    case.court.run_for(timedelta(days=1))
    case.d.price(case.k, case.asset, "network_inquiry")  # the court asks again (the same act as the first request)
    second = f"{case.asset}#2"
    ns = case.state.node(20, second)
    assert case.lot.stage == "pricing" and ns.started_at == case.court.clock.now()
    assert ns.items["restart"].done and not ns.items["restart"].overdue and not ns.items["main"].done
    _until_reported(case)
    assert case.lot.reports == 2


def test_rounds_are_data_and_zero_leaves_only_the_gateways_retries():
    case = _objected(Case(process=_process(rounds=0)))
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    case.court.run_for(timedelta(hours=1))
    assert not [d for k, d in heard if k == "disposal_retrying"]
    [told] = [d for k, d in heard if k == "disposal_gave_up"]
    assert told["rounds"] == 0 and _anchors(case, "platform_refused")
    other = _objected(Case(process=_process(after="2d", factor=1, rounds=1)))
    _faults(other, "pricing_platform", ALL_FAULTS)
    heard = _heard(other)
    other.d.review_objection(other.k, other.asset, upheld=True, method="appraisal")
    other.court.run_for(timedelta(days=1))
    [retrying] = [d for k, d in heard if k == "disposal_retrying"]
    assert not _anchors(other, "platform_refused") and other.lot.pending == "appraisal"
    other.court.run_for(timedelta(days=2))
    assert _anchors(other, "platform_refused")


def test_a_bad_retry_rule_is_a_located_error():
    with pytest.raises(UserError) as err:
        _process(after="3wd")
    assert "platform_retry" in err.value.where or "platform_retry" in err.value.en


class _Refusing(SessionDisposalPort):
    """A pricing platform that refuses a second request for the same asset (a definitive 4xx refusal)."""

    asked = 0

    def price(self, **kw: Any) -> dict[str, Any]:
        self.asked += 1
        if self.asked > 1:
            raise UserError("该财产已有评估结果，不再受理", "the asset has a result already: not taken",
                            where="body.asset_id", code="conflict")
        return super().price(**kw)


def test_a_definitive_refusal_of_the_new_request_leaves_the_review_and_tells_the_court():
    """A refusal is not retried: said at once (``disposal_refused``, ``platform_refused`` refused, with the
    platform's code and text). The review upholding the objection stands — the old code raised its refusal out of
    ``review_objection`` after node 22 was done and the objection upheld, so the act read as refused."""
    case = _objected(Case(port=_Refusing))
    heard = _heard(case)
    out = case.d.review_objection(case.k, case.asset, upheld=True, method="appraisal")
    assert out.accepted and str(case.state.status(22, case.asset)) == "done"
    assert _exchanges(case, "appraisal") == ["sent", "rejected"]  # once: never retried
    [told] = [d for k, d in heard if k == "disposal_refused"]
    assert told["what"] == "appraisal" and told["code"] == "conflict" and told["zh"].startswith("该财产已有评估结果")
    [refused] = _anchors(case, "platform_refused")
    assert refused.data["outcome"] == "refused" and refused.data["code"] == "conflict"
    assert case.lot.stage == "reported" and case.lot.objection == "upheld" and case.lot.pending is None
    assert not case.state.node(20, f"{case.asset}#2").items["restart"].done  # its 15 days run
    case.court.run_for(timedelta(hours=2))
    assert [d for k, d in heard if k == "disposal_retrying"] == []


# ── telling a platform of an agreement in kind ──────────────────────────────────────────────────────────────────────
def _agree(case: Case) -> Any:
    return case.d.agree_in_kind(case.k, case.asset, 250_000_00, applicant_consents=True, debtor_consents=True)


def test_the_listing_closed_in_kind_after_the_platform_came_back_in_a_later_round():
    """After a 流拍 the auction platform is told of the agreement; down longer than the gateway's retries, it is told
    in the next round and closes the listing taken in kind. The old code gave up: the listing stayed failed, open to
    a second round."""
    case = Case().fixed().listed()
    case.until_closed()
    lid, auction = case.lot.listing_id, case.court.session.auction
    _faults(case, "taobao", ALL_FAULTS)
    heard = _heard(case)
    assert _agree(case).accepted and case.lot.stage == "in_kind"  # the agreement does not wait for the platform
    case.court.run_for(timedelta(minutes=50))
    assert auction.get(lid).status is ListingStatus.FAILED
    assert [d["round"] for k, d in heard if k == "disposal_retrying"] == [1]
    _faults(case, "taobao", NO_FAULTS)
    case.court.run_for(timedelta(hours=1))
    assert auction.get(lid).status is ListingStatus.TAKEN_IN_KIND
    assert ("platform_told", {"case_id": case.k, "asset": case.asset, "what": "in_kind:agreed",
                              "status": "taken_in_kind"}) in heard
    assert not _anchors(case, "platform_refused")


def test_a_withdrawal_the_platform_never_took_is_recorded_on_the_case_and_the_agreement_stands():
    case = Case().seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    pid = case.lot.pricing_id
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    assert _agree(case).accepted and case.lot.stage == "in_kind"
    case.court.run_for(timedelta(days=2))
    [told] = [d for k, d in heard if k == "disposal_gave_up"]
    assert told["what"] == "pricing:withdrawn"
    [refused] = _anchors(case, "platform_refused")
    assert refused.data["what"] == "pricing:withdrawn" and refused.data["outcome"] == "gave_up"
    assert case.court.session.pricing.get(pid).status is not PricingStatus.WITHDRAWN  # never told
    assert case.lot.stage == "in_kind"  # the agreement stands; the late answer is ignored
    case.court.run_for(timedelta(days=5))
    assert case.lot.reference_price_cents is None and _anchors(case, "sale_confirmed")


# ── over real HTTP: the mock's injected faults on the platforms' routes ─────────────────────────────────────────────
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def test_over_http_the_injected_faults_are_retried_in_rounds_and_the_new_request_goes_through(server: str) -> None:
    """Over uvicorn on loopback: the admin API's fault rates (``PUT /admin/sessions/{ns}/faults``) now reach the
    platforms' routes (they drew none before H25: the fault profile reached them in process only) — 5xx answers the
    HttpDisposalPort turns into retried faults, the gateway's retries and a round later, the same request number."""
    court = build_remote_court(server, ORIGIN, seed=5)
    try:
        client = court.session.client
        case = Case.__new__(Case)  # the steps of tests.test_disposal.Case, on the remote court
        _remote_case(case, court)
        d = case.d
        _objected(case)

        def faults(rates: dict[str, float]) -> None:
            client.call("PUT", f"{client.admin}/faults", json={"scope": "pricing_platform", **rates})

        faults(ALL_FAULTS)
        heard = _heard(case)
        assert d.review_objection(case.k, case.asset, upheld=True, method="appraisal").accepted
        court.run_for(timedelta(minutes=50))
        assert [r["round"] for k, r in heard if k == "disposal_retrying"] == [1]
        kinds = _exchanges(case, "appraisal")
        assert kinds.count("sent") > 1 and "gave_up" in kinds and "answer" not in kinds
        faults(NO_FAULTS)
        court.run_for(timedelta(hours=1))
        assert _exchanges(case, "appraisal")[-1] == "answer" and case.lot.stage == "pricing"
        second = f"{case.asset}#2"
        assert court.runtime.cases[case.k].node(20, second).items["restart"].done
        assert not _anchors(case, "platform_refused")
    finally:
        court.counterpart.close()


def _remote_case(case: Case, court: Any) -> None:
    """``tests.test_disposal.Case``'s set-up on a remote court: a flat pinned at the registry, filed, found."""
    from core_flow.agency_directory import inquiry_scope
    from core_flow.engine import commands as c
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number

    client = court.session.client
    case.court, case.p, case.d = court, court.platform, court.platform.disposal
    case.d.port = HttpDisposalPort(client.send, before=client.move_to)
    world = court.session.world
    i = 0
    while (debtor := world.debtor(i)).kind != "person":
        i += 1
    for a in inquiry_scope(case.p.directory, debtor.id_number, case.p.court.region, debtor.kind):
        world.pin(debtor.id_number, a.code, [])
    value = 800_000_00
    holding = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                      kind=AssetKind.REAL_ESTATE, balance_cents=value, available_cents=value, description="住宅")
    world.pin(debtor.id_number, "real_estate_registry", [holding])
    case.debtor, case.agency, case.value, case.holding = debtor, "real_estate_registry", value, holding
    case.asset, case.k = f"real_estate_registry:{holding.account_no}", "K-retry"
    case.p.file(c.FileCase(case.k, debtors=(debtor.id_number,), amount_cents=CLAIM), [debtor.subject()])
    case.p.submit(c.Assign(case.k, "张法官"))
    case.p.submit(c.VerifyIdentity(case.k, debtor.id_number, True))
    court.run_for(timedelta(days=1))
    assert case.p.manual_query(case.k, debtor.id_number, "real_estate_registry").accepted
    court.run_for(timedelta(days=1))


def test_a_poll_given_up_is_made_again_at_the_next_daily_look():
    """The court polls a pricing request when its answer is due; the platform down for longer than the gateway's
    retries, the poll is made again a day later, and the answer is read once the platform is back. The old code never
    polled again: the lot waited in ``pricing`` for good."""
    case = Case().seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    _faults(case, "pricing_platform", ALL_FAULTS)
    heard = _heard(case)
    case.court.run_for(timedelta(days=5))
    assert case.lot.stage == "pricing" and [d["what"] for k, d in heard if k == "disposal_gave_up"]
    assert not _anchors(case, "platform_refused")  # a read: nothing recorded
    _faults(case, "pricing_platform", NO_FAULTS)
    case.court.run_for(timedelta(days=2))
    assert case.lot.stage == "reported" and case.lot.reference_price_cents


def test_upheld_twice_each_new_request_is_timed_and_the_price_fixed_completes_them_all():
    """A report set aside by a second upheld objection: its request's node 20 (``#2``) is completed with the price
    finally fixed, with the third's (``#3``) — none left open."""
    case = _objected(Case())
    case.d.review_objection(case.k, case.asset, upheld=True, method="network_inquiry")
    _until_reported(case)
    case.d.serve_report(case.k, case.asset)
    case.d.object(case.k, case.asset, by="被执行人")
    second, third = f"{case.asset}#2", f"{case.asset}#3"
    [withdrawn] = _events(case, EventKind.DEADLINE_WITHDRAWN, 20, second)  # the objection stops its 30 days
    assert withdrawn.item == "main" and withdrawn.data["by"] == "objection_received"
    case.d.review_objection(case.k, case.asset, upheld=True, method="network_inquiry")
    assert case.state.node(20, third).started_at == case.court.clock.now()
    _until_reported(case)
    case.d.serve_report(case.k, case.asset)
    case.court.run_for(timedelta(days=8))
    assert case.lot.stage == "fixed" and case.lot.reports == 3
    assert [str(case.state.status(20, i)) for i in (case.asset, second, third)] == ["done"] * 3


# ── the simulated clerk asks again ──────────────────────────────────────────────────────────────────────────────────
def test_the_simulated_clerk_asks_the_price_again_after_the_platform_was_unreachable():
    """The pricing platform down for the clerk's first requests (the gateway's retries and the rounds spent): the
    clerk hears ``disposal_gave_up`` and asks again (sim/disposal_clerk.py ``_reprice``) until the platform answers.
    The old clerk asked once: the lots stayed sealed, unpriced, for good."""
    from sim.assembly import build_virtual_court
    from tests.test_disposal_clerk import _flats_and_cars

    court = build_virtual_court(ORIGIN, seed=15, dispose=True, diligence=0.9, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    session = court.session
    session.set_profile(session.profile.with_overrides({"pricing_platform": {"faults": ALL_FAULTS}}))
    _flats_and_cars(court)
    court.run_for(timedelta(days=25))
    lots = court.platform.disposal.lots
    gave_up = [e for e in court.runtime.events if e.kind == EventKind.ANCHOR
               and e.data["anchor"] == "platform_refused" and e.data["what"] in ("network_inquiry", "appraisal")]
    assert gave_up and all(lot.stage in ("sealing", "sealed") for lot in lots.values())
    session.set_profile(session.profile.with_overrides({"pricing_platform": {"faults": NO_FAULTS}}))
    court.run_for(timedelta(days=10))
    assert all(lot.stage not in ("sealing", "sealed") for lot in lots.values()), {
        k: lot.stage for k, lot in lots.items()}
