"""以物抵债 by agreement and the platforms (seed 004 节点二十九 第2项; tests/fidelity_audit.md N29-2): the court's
agreement is told to the platform that still holds the lot — through the ``DisposalPort`` (in process and over HTTP)
and the 查控 gateway like every platform call:

* after a 流拍 (the first, the second, the creditor's refusal at the reserve price) the auction platform closes the
  listing as taken in kind by agreement at the agreed value — it showed a 流拍 still open to a second round or 变卖;
* while the price is being asked the pricing platform withdraws the request — it answered later into a lot already
  taken; a result that comes all the same (the platform had it out, or ignores the withdrawal) is ignored without
  error, and a platform that refuses to be told does not undo the agreement.

Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core_flow.engine import EventKind
from core_flow.errors import UserError
from mock_agencies.auction import ListingStatus
from mock_agencies.disposal_port import SessionDisposalPort
from mock_agencies.pricing import PricingStatus
from mock_agencies.settings import Settings
from scenarios.loader import load_paths
from scenarios.remote import court_factory
from scenarios.runner import build_court, run_scenario
from tests.test_agencies_live import LiveServer, free_port
from tests.test_disposal import Case

SUITE = Path(__file__).resolve().parent.parent / "scenarios" / "suite" / "disposal" / "in_kind_agreement.scenario.yaml"


def _agree(case: Case, price: int) -> Any:
    return case.d.agree_in_kind(case.k, case.asset, price, applicant_consents=True, debtor_consents=True)


def _exchanges(case: Case, measure: str) -> list[str]:
    return [e.data["kind"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("measure") == measure]


def _heard(case: Case) -> list[tuple[str, dict]]:
    heard: list[tuple[str, dict]] = []
    case.p.listeners.append(lambda kind, data: heard.append((kind, data)))
    return heard


def _unsold(round_: str) -> Case:
    case = Case().fixed().listed()
    case.until_closed()
    if round_ != "first":
        case.d.relist(case.k, case.asset)
        case.until_closed()
    if round_ == "declined":
        case.d.offer_in_kind(case.k, case.asset, accept=False)
        case.court.run_for(timedelta(hours=1))
    return case


@pytest.mark.parametrize(("round_", "stage"), [("first", "unsold1"), ("second", "unsold2"), ("declined", "declined")])
def test_after_a_failed_round_the_auction_platform_closes_the_listing_as_taken_in_kind(round_, stage):
    case = _unsold(round_)
    assert case.lot.stage == stage
    lid = case.lot.listing_id
    auction = case.court.session.auction
    before = auction.get(lid).status
    assert before in (ListingStatus.FAILED, ListingStatus.IN_KIND_DECLINED)
    heard = _heard(case)
    assert _agree(case, 250_000_00).accepted
    view = auction.get(lid)  # the old code: still failed (or declined), open to a second round or 变卖
    assert view.status is ListingStatus.TAKEN_IN_KIND
    assert view.in_kind_price_cents == 250_000_00 and view.in_kind_agreed_at == case.court.clock.now()
    assert _exchanges(case, "in_kind:agreed") == ["sent", "answer"]
    assert ("platform_told", {"case_id": case.k, "asset": case.asset, "what": "in_kind:agreed",
                              "status": "taken_in_kind"}) in heard
    assert case.lot.stage == "in_kind"
    # the platform offers the lot no further round
    now = case.court.clock.now()
    with pytest.raises(UserError) as err:
        if round_ == "first":
            auction.relist(lid, starting_price_cents=1, deposit_cents=1, bidding_starts=now + timedelta(days=20),
                           now=now)
        else:
            auction.start_sale(lid, price_cents=10**9, deposit_cents=10**7, sale_starts=now + timedelta(days=20),
                               sale_ends=now + timedelta(days=80), now=now)
    assert err.value.code == "conflict"


def test_the_auction_platform_takes_the_agreement_once_and_only_on_a_listing_closed_unsold():
    case = Case().fixed().listed()
    auction, lid = case.court.session.auction, case.lot.listing_id
    now = case.court.clock.now()
    with pytest.raises(UserError) as err:  # announced: not closed
        auction.agree_in_kind(lid, price_cents=100, now=now)
    assert err.value.code == "conflict" and "announced" in err.value.en
    case.until_closed()
    now = case.court.clock.now()
    first = auction.agree_in_kind(lid, price_cents=100, now=now)
    assert auction.agree_in_kind(lid, price_cents=100, now=now + timedelta(hours=1)) == first  # told again: the same
    with pytest.raises(UserError) as err:
        auction.agree_in_kind(lid, price_cents=200, now=now)
    assert err.value.code == "conflict"
    with pytest.raises(UserError) as err:
        auction.agree_in_kind(lid, price_cents=0, now=now)


def test_agreed_while_priced_the_pricing_request_is_withdrawn_and_never_answers():
    case = Case().seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))  # before any platform answers (an hour at the least)
    assert case.lot.stage == "pricing"
    pid, pricing = case.lot.pricing_id, case.court.session.pricing
    assert _agree(case, 300_000_00).accepted
    view = pricing.get(pid)  # the old code: pending, and completed within 3 days
    assert view.status is PricingStatus.WITHDRAWN and view.withdrawn_at == case.court.clock.now()
    assert _exchanges(case, "pricing:withdrawn") == ["sent", "answer"]
    case.court.run_for(timedelta(days=40))
    view = pricing.get(pid)
    assert view.status is PricingStatus.WITHDRAWN and view.reference_price_cents is None
    assert pricing.next_due(pid) is None and pricing.advance(case.court.clock.now()) == []
    assert pricing.withdraw(pid, now=case.court.clock.now()) == view  # withdrawn again: the same
    assert case.lot.stage == "in_kind" and case.lot.reference_price_cents is None
    assert "report_received" not in case.anchors()


class _AnsweredAlready(SessionDisposalPort):
    """A pricing platform whose result was out when the court told it (or that ignores the withdrawal): it refuses
    the withdrawal and answers all the same."""

    def withdraw_pricing(self, pricing_id: str, now):
        raise UserError("询价评估已出具结果，不能撤回", "the pricing request has its result: it cannot be withdrawn",
                        where="path.pricing_id", code="conflict")


def test_a_late_pricing_answer_for_a_lot_taken_is_ignored_and_a_refusal_to_withdraw_leaves_the_agreement():
    case = Case(port=_AnsweredAlready).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    assert case.lot.stage == "pricing"
    heard = _heard(case)
    out = _agree(case, 300_000_00)
    assert out.accepted and case.lot.stage == "in_kind"  # the agreement stands
    assert _exchanges(case, "pricing:withdrawn") == ["sent", "rejected"]
    [refused] = [d for k, d in heard if k == "disposal_refused"]
    assert refused["what"] == "pricing:withdrawn" and refused["code"] == "conflict"
    case.court.run_for(timedelta(days=8))  # the platform answers: the court does not look (the lot is taken)
    view = case.d.port.pricing(case.lot.pricing_id, case.court.clock.now())  # what the platform shows now
    assert view["status"] == "completed"
    events = len(case.court.runtime.case_events(case.k))
    # its callback, and the answer read directly: ignored, no error, nothing recorded
    assert case.d.receive({"event": "pricing.completed", "pricing_id": view["pricing_id"],
                           "court_code": case.p.court.code, "case_no": case.k, "asset_id": case.asset})
    case.d._pricing_answer(case.lot, view)
    assert len(case.court.runtime.case_events(case.k)) == events
    assert case.lot.stage == "in_kind" and case.lot.reference_price_cents is None and case.lot.reports == 0


def test_a_port_without_the_operation_leaves_the_agreement_and_says_the_platform_was_not_told():
    class Older(SessionDisposalPort):
        withdraw_pricing = None  # an older port: no such operation

    case = Case(port=Older).seal()
    case.d.investigate(case.k, case.asset)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    heard = _heard(case)
    assert _agree(case, 300_000_00).accepted and case.lot.stage == "in_kind"
    assert [d["code"] for k, d in heard if k == "disposal_refused"] == ["not_supported"]
    assert _exchanges(case, "pricing:withdrawn") == []


# ── both ports: in process and over HTTP, the same events ────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def _capturing(factory: Any, seen: dict[str, Any], key: str) -> Any:
    def build(sc: Any, spec: Any) -> Any:
        court = seen[key] = factory(sc, spec)
        return court

    return build


def _events(court: Any) -> list[tuple]:
    return [(e.at, e.case_id, e.kind, e.node, e.instance, e.item,
             sorted((k, repr(v)) for k, v in (e.data or {}).items() if k != "where")) for e in court.runtime.events]


def test_the_platforms_are_told_in_process_and_over_http_with_the_same_events(server: str) -> None:
    chosen = ("节点29 第2项 协议以物抵债的拒绝", "节点29 第2项 询价中协议以物抵债", "变卖不成后以物抵债")
    scenarios = [sc for sc in load_paths([SUITE]) if sc.name.startswith(chosen)]
    assert len(scenarios) == len(chosen)
    remote = court_factory(server)
    for sc in scenarios:
        seen: dict[str, Any] = {}
        a = run_scenario(sc, _capturing(build_court, seen, "local"))
        b = run_scenario(sc, _capturing(remote, seen, "remote"))
        assert a.passed, a.explain()
        assert b.passed, b.explain()
        assert _events(seen["remote"]) == _events(seen["local"]), sc.name
        told = [e.data for e in seen["remote"].runtime.events if e.kind == EventKind.EXCHANGE
                and e.data.get("measure") in ("in_kind:agreed", "pricing:withdrawn")]
        assert [x["kind"] for x in told] == ["sent", "answer"], sc.name
