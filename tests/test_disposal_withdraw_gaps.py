"""H39: the withdrawal gaps R16 left at a closing — a round or a pricing request the platform took while every answer
was lost, which the court never learnt of — and ``agree_in_kind``'s refusal on a closed case.

1. A round act (first auction, second auction) given up for good *before* the closing (the gateway's retries and the
   rounds spent, every answer lost: ``disposal_gave_up``) left the round announced on the platform: nothing asked
   again after the closing, so a buyer could deposit and bid on property whose seal the closing released. Now the
   closing looks the round up on the platform (``find_listings``: the listings of the case) and withdraws it.
2. A pricing request the platform took, every answer lost, whose case closed during the retry rounds (or after they
   were spent) stayed pending at the platform: the court never learnt its id. Now the closing looks it up by its
   request number (``find_pricing``; ``GET /agencies/{code}/pricings?request_no=``, profile 0.8.0) and withdraws it.
   The platform does not expire a pending request: it completes it (the valuer's report, its fee) — not harmless.
   Neither is sent again: re-sending the kept terms makes, on the closed case, what the platform never took — R16 did
   that for a round still retrying at the closing (made, then withdrawn); now looked up, nothing is made.
3. ``agree_in_kind`` (以物抵债 by agreement) on a closed case answered ``case_closed`` with no why; now
   ``case_closed_disposal`` with the message of the case's own manner, as every other act advancing a closed case's
   lot (``Disposal._open_for_sale``).

Every test but the guards marked so fails on bcb80e5. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from tests.test_disposal import Case
from tests.test_disposal_closed import _case, _close, _sealed, _unsold1
from tests.test_disposal_retry import ALL_FAULTS, NO_FAULTS, _faults

LOST = {**NO_FAULTS, "lost_answer": 1.0}
NONE = {**NO_FAULTS, "lost_answer": 0.0}
DOWN = {**ALL_FAULTS, "lost_answer": 0.0}  # every call faults before the platform acts: nothing taken


def _withdrawn_anchors(case: Case) -> list[str]:
    return [e.data["listing_id"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.ANCHOR and e.data["anchor"] == "listing_withdrawn"]


def _gave_up(case: Case, what: str) -> list[dict]:
    return [e.data for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.ANCHOR and e.data["anchor"] == "platform_refused" and e.data.get("what") == what
            and e.data.get("outcome") == "gave_up"]


def _no_buyer(case: Case, lid: str) -> None:
    auction = case.court.session.auction
    view = auction.get(lid)
    with pytest.raises(UserError):  # no buyer registers on the closed case's released property
        auction.pay_deposit(lid, bidder_id="B1", amount_cents=view.deposit_cents,
                            now=view.starts_at + timedelta(hours=1))


def _first_listed_under(faults: dict, wait: timedelta = timedelta(days=2)) -> Case:
    """A priced flat, its parties notified, listed while the auction platform has ``faults`` (LOST: the platform takes
    the round, its answers lost; DOWN: it takes nothing), the court then waiting ``wait`` (2 days: the gateway's retries
    and the 3 rounds — 1 h, 4 h, 16 h — spent)."""
    case = _case().fixed()
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    _faults(case, "taobao", faults)
    case.d.list(case.k, case.asset)
    case.court.run_for(wait)
    return case


def _second_given_up(case: Case) -> tuple[str, str]:
    """The second auction given up for good, every answer lost (the platform holds it): (first, second) listing ids."""
    first = case.lot.listing_id
    _faults(case, "taobao", LOST)
    case.d.relist(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    assert case.lot.pending is None and case.lot.stage == "unsold1" and _gave_up(case, "auction:second")
    [second] = [v.listing_id for v in case.court.session.auction.listings() if v.listing_id != first]
    return first, second


# ── 1. a round given up for good before the closing ──────────────────────────────────────────────────────────────
def test_a_first_auction_given_up_for_good_before_the_closing_is_looked_up_and_withdrawn_at_it() -> None:
    case = _first_listed_under(LOST)  # the gateway's retries and the 3 rounds (1 h, 4 h, 16 h) spent
    assert case.lot.pending is None and case.lot.stage == "fixed" and _gave_up(case, "auction:first")
    auction = case.court.session.auction
    [held] = list(auction._listings)  # the platform took the round: only its answers were lost
    assert str(auction.get(held).status) == "announced"
    _faults(case, "taobao", NONE)
    _close(case, "执行完毕")
    case.court.run_for(timedelta(days=1))
    assert str(auction.get(held).status) == "withdrawn"  # bcb80e5: still announced, its seal released
    assert case.lot.stage == "withdrawn" and case.lot.listing_id == held and _withdrawn_anchors(case) == [held]
    assert len(auction.listings()) == 1  # looked up, not made again
    _no_buyer(case, held)


def test_a_second_auction_given_up_for_good_before_the_closing_is_withdrawn_at_it() -> None:
    case = _unsold1(_case())
    first, second = _second_given_up(case)
    auction = case.court.session.auction
    assert str(auction.get(second).status) == "announced"
    _faults(case, "taobao", NONE)
    _close(case, "终结")
    case.court.run_for(timedelta(days=1))
    assert str(auction.get(second).status) == "withdrawn"  # bcb80e5: still announced
    assert case.lot.stage == "withdrawn" and _withdrawn_anchors(case) == [second]
    assert str(auction.get(first).status) == "failed"  # the first round's 流拍 untouched
    _no_buyer(case, second)


def test_a_round_found_for_a_lot_that_moved_on_is_withdrawn_and_the_lot_left_as_it_is() -> None:
    """The first auction given up for good, then the flat taken in kind by agreement (the lot no longer waits on a
    round): at the closing the round the platform held is found and withdrawn; the lot stays ``in_kind``."""
    case = _first_listed_under(LOST)
    assert case.lot.pending is None and _gave_up(case, "auction:first")
    _faults(case, "taobao", NONE)
    assert case.d.agree_in_kind(case.k, case.asset, 10_000_00, applicant_consents=True,
                                debtor_consents=True).accepted
    assert case.lot.stage == "in_kind"
    auction = case.court.session.auction
    [held] = list(auction._listings)
    # the ruling served and the flat handed over first: a 终结 releasing the seal of a flat taken in kind before its
    # transfer is refused (RELEASE_GATE, H42)
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=1))
    case.d.hand_over(case.k, case.asset)
    _close(case, "终结")
    case.court.run_for(timedelta(days=1))
    assert str(auction.get(held).status) == "withdrawn"  # bcb80e5: still announced
    assert case.lot.stage == "handed_over" and case.lot.listing_id is None
    _no_buyer(case, held)


def test_a_round_the_platform_never_took_is_not_made_on_the_closed_case() -> None:
    """Guard (passes on bcb80e5 too): given up for good with the platform down (nothing taken), the closing's lookup
    finds nothing and makes nothing."""
    case = _first_listed_under(DOWN)
    assert case.lot.pending is None and _gave_up(case, "auction:first")
    _faults(case, "taobao", NONE)
    _close(case, "执行完毕")
    case.court.run_for(timedelta(days=2))
    assert case.court.session.auction.listings() == () and case.lot.stage == "fixed"
    assert _withdrawn_anchors(case) == []


def test_a_round_still_retrying_at_the_closing_that_the_platform_never_took_is_not_made_after_it() -> None:
    """R16 asked a round still retrying at the closing again, on its kept terms: the platform, which had never taken
    it (down, not an answer lost), made it then on the closed case — and the court withdrew it at once. Now looked
    up: nothing made."""
    case = _first_listed_under(DOWN, timedelta(minutes=30))  # the gateway gave up; next round in 1 h
    assert case.lot.pending == "auction:first"
    assert case.p.submit(c.Close(case.k, "执行完毕", reviewed_by="审判管理办公室")).accepted
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=2))
    assert case.court.session.auction.listings() == ()  # bcb80e5: one made after the closing (then withdrawn)
    assert case.lot.pending is None and case.lot.stage == "fixed" and _withdrawn_anchors(case) == []


# ── 2. a pricing request the platform took, every answer lost ────────────────────────────────────────────────────
def _priced_with_answers_lost(case: Case) -> str:
    _faults(case, "pricing_platform", LOST)
    case.d.price(case.k, case.asset, "appraisal")  # 委托评估: its report within 30 days
    case.court.run_for(timedelta(minutes=30))  # the gateway gave up; the act's next round is due in an hour
    assert case.lot.pending == "appraisal" and case.lot.stage == "sealed"
    [held] = list(case.court.session.pricing._requests)  # the platform took it: only its answers were lost
    assert str(case.court.session.pricing.get(held).status) == "pending"
    return held


@pytest.mark.parametrize("closed", ["during the rounds", "after the rounds"])
def test_a_pricing_request_taken_with_every_answer_lost_is_looked_up_and_withdrawn_at_the_closing(closed: str) -> None:
    case = _sealed(_case())
    held = _priced_with_answers_lost(case)
    if closed == "after the rounds":
        case.court.run_for(timedelta(days=2))  # the 3 rounds spent: given up for good
        assert case.lot.pending is None and _gave_up(case, "appraisal")
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(days=2))
    pricing = case.court.session.pricing
    assert str(pricing.get(held).status) == "withdrawn"  # bcb80e5: pending, its report to come in 30 days
    assert list(pricing._requests) == [held]  # looked up by its number, not commissioned again
    case.court.run_for(timedelta(days=60))
    assert pricing.get(held).reference_price_cents is None  # no report made for the closed case
    assert case.lot.stage == "sealed" and "report_received" not in case.anchors()
    assert case.state.node(20, case.asset) is None or case.state.node(20, case.asset).started_at is None


def test_a_pricing_request_the_platform_never_took_is_not_commissioned_at_the_closing() -> None:
    """The platform down, nothing taken — the lookup at the closing finds nothing and commissions nothing (so did
    bcb80e5, which dropped the round; it kept the unanswered request for ever: that assertion fails there)."""
    case = _sealed(_case())
    _faults(case, "pricing_platform", DOWN)
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(minutes=30))
    assert case.lot.pending == "network_inquiry"
    assert case.p.submit(c.Close(case.k, "执行完毕", reviewed_by="审判管理办公室")).accepted
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(days=5))
    assert case.court.session.pricing._requests == {} and case.lot.pending is None
    assert case.lot.unanswered is None  # looked up once


def test_the_pricing_platform_finds_a_request_by_its_number_and_nothing_else() -> None:
    case = _sealed(_case())
    case.d.price(case.k, case.asset)
    case.court.run_for(timedelta(hours=1))
    port, pid = case.d.port, case.lot.pricing_id
    request_no = case.lot.requests[pid]
    [view] = port.find_pricing(request_no, case.d.now)
    assert view["pricing_id"] == pid and view["request_no"] == request_no
    assert port.find_pricing("R-none", case.d.now) == []
    assert list(case.court.session.pricing._requests) == [pid]  # a read: nothing made


# ── 3. agree_in_kind on a closed case ────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("manner", ["执行完毕", "终结"])
def test_an_agreement_in_kind_on_a_closed_case_is_refused_as_every_disposal_act_is(manner: str) -> None:
    case = _case().fixed()
    _close(case, manner)
    events = len(case.court.runtime.case_events(case.k))
    with pytest.raises(UserError) as err:
        case.d.agree_in_kind(case.k, case.asset, 10_000_00, applicant_consents=True, debtor_consents=True)
    assert err.value.code == "case_closed_disposal"  # bcb80e5: case_closed, "案件已结案，不能以物抵债"
    assert f"以「{manner}」结案" in err.value.zh and "协议以物抵债" in err.value.zh
    assert "控制措施已随结案解除" in err.value.zh and "payment in kind by agreement" in err.value.en
    assert case.lot.stage == "fixed" and len(case.court.runtime.case_events(case.k)) == events


# ── the lookup over HTTP ─────────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def app():
    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings

    return create_app(Settings(background=False, time_scale=0.0, world_size=1000, profile="fast"))


async def test_find_pricing_over_http_and_in_the_openapi(app) -> None:
    import httpx

    from tests.test_auction_api import open_session

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
        h = await open_session(client, "find")
        body = {"request_no": "Q-9", "court_code": "410811", "case_no": "(2026)豫0811执1号", "asset_id": "房产-1",
                "asset_kind": "real_estate"}
        r = await client.post("/agencies/pricing_platform/appraisals", json=body, headers=h)
        assert r.status_code == 202, r.text
        r = await client.get("/agencies/pricing_platform/pricings", params={"request_no": "Q-9"}, headers=h)
        assert r.status_code == 200 and [v["pricing_id"] for v in r.json()] == [
            (await client.get("/agencies/pricing_platform/pricings", params={"request_no": "Q-9"},
                              headers=h)).json()[0]["pricing_id"]]
        assert r.json()[0]["request_no"] == "Q-9" and r.json()[0]["status"] == "pending"
        r = await client.get("/agencies/pricing_platform/pricings", params={"request_no": "Q-0"}, headers=h)
        assert r.status_code == 200 and r.json() == []
        r = await client.get("/agencies/pricing_platform/pricings", headers=h)
        assert r.status_code == 422  # the request number is required
        spec = (await client.get("/openapi.json")).json()
        op = spec["paths"]["/agencies/{code}/pricings"]["get"]
        assert "请求编号" in op["description"] and "request number" in op["description"]


def test_the_http_port_looks_up_a_pricing_request_and_a_cases_listings(app) -> None:
    """``HttpDisposalPort.find_pricing`` (``GET …/pricings?request_no=``) and ``find_listings`` (``GET
    …/listings?case_no=``) against the served mock."""
    from fastapi.testclient import TestClient

    from core_flow.platform.disposal_http import HttpDisposalPort
    from tests.test_auction_api import ORIGIN, listing_body

    with TestClient(app) as tc:
        r = tc.put("/admin/sessions/port", json={"seed": 5, "profile": "fast", "time_scale": 0,
                                                  "origin": ORIGIN.isoformat()})
        assert r.status_code == 200, r.text
        h = {"X-Zhixing-Session": "port"}
        port = HttpDisposalPort(lambda method, path, json=None: tc.request(method, path, json=json, headers=h))
        view = port.price(method="appraisal", request_no="Q-7", court_code="410811", case_no="(2026)豫0811执1号",
                          asset_id="房产-1", asset_kind="real_estate", description="", now=ORIGIN)
        assert [v["pricing_id"] for v in port.find_pricing("Q-7", ORIGIN)] == [view["pricing_id"]]
        assert port.find_pricing("Q-8", ORIGIN) == []
        body = {k: v for k, v in listing_body().items() if k != "callback_url"}
        lid = tc.post("/agencies/taobao/listings", json=body, headers=h).json()["listing_id"]
        tc.post("/agencies/taobao/listings", json={**body, "case_no": "(2026)豫0811执2号"}, headers=h)
        found = port.find_listings(platform="taobao", case_no="(2026)豫0811执1号", now=ORIGIN)
        assert [v["listing_id"] for v in found] == [lid]
        assert port.listing(lid, ORIGIN)["status"] == "announced"  # (its platform learnt from the lookup)


# ── review R18 ───────────────────────────────────────────────────────────────────────────────────────────────────
def test_a_round_given_up_before_the_closing_is_looked_up_when_an_act_retrying_at_it_is_dropped() -> None:
    """Review R18: the second auction given up for good (every answer lost: the platform holds it), then the answer
    in kind sent while the platform is down — still retrying at the closing, so the closing's ``_withdraw_if_out``
    passed the lot over, and the act's next round, dropped on the closed case, looked nothing up (only round and
    pricing acts did): the second round stayed announced. Now any act dropped at a closing looks the lot's up."""
    case = _unsold1(_case())
    first, second = _second_given_up(case)
    auction = case.court.session.auction
    _faults(case, "taobao", DOWN)
    case.d.offer_in_kind(case.k, case.asset, True)
    case.court.run_for(timedelta(minutes=30))  # the gateway gave up; the act's next round is due in an hour
    assert case.lot.pending == "in_kind"
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=2))
    assert str(auction.get(second).status) == "withdrawn"  # 2eed7c9: still announced on the closed case
    assert case.lot.pending is None and case.lot.stage == "withdrawn" and _withdrawn_anchors(case) == [second]
    _no_buyer(case, second)


@pytest.mark.parametrize("first, then", [("network_inquiry", "appraisal"), ("appraisal", "network_inquiry")])
def test_a_pricing_request_given_up_and_replaced_by_the_other_method_is_looked_up_and_withdrawn(first: str,
                                                                                                then: str) -> None:
    """Review R18: a pricing request the platform took, every answer lost, given up for good; the handler then asks
    the price by the other method — a new request number (``price``). The first request's number was forgotten and
    the request stayed pending on the platform: its report made for nothing beside the one asked (an inquiry's in 3
    days). Now it is looked up by its number when replaced and withdrawn; the new request runs as asked."""
    case = _sealed(_case())
    _faults(case, "pricing_platform", LOST)
    case.d.price(case.k, case.asset, first)
    case.court.run_for(timedelta(days=2))
    assert case.lot.pending is None and case.lot.stage == "sealed" and _gave_up(case, first)
    pricing = case.court.session.pricing
    [old] = list(pricing._requests)
    _faults(case, "pricing_platform", NONE)
    case.d.price(case.k, case.asset, then)
    case.court.run_for(timedelta(hours=1))
    assert case.lot.stage == "pricing" and case.lot.pricing_id != old
    assert str(pricing.get(old).status) == "withdrawn"  # 2eed7c9: pending, its report to come
    assert str(pricing.get(case.lot.pricing_id).status) in ("pending", "extended")
    assert len(pricing._requests) == 2 and case.lot.unanswered is None
    case.court.run_for(timedelta(days=40))
    assert pricing.get(old).reference_price_cents is None and case.lot.stage == "reported"
    assert case.lot.reports == 1


def test_a_pricing_request_of_another_court_under_the_lots_number_is_not_withdrawn_at_the_closing() -> None:
    """Review R18: another court holds a request under the lot's number, and the lookup without court tokens shows
    any court's (``GET …/pricings?request_no=``; in process: no tokens). The closing's lookup found the other court's
    request and withdrew it — the view's court, case and asset were not read (the rounds' lookup reads them). (When
    R18 was fixed the platform keyed a request on its number alone, so the lot's own was refused 409 and never
    taken; since H53 (R18 proposal 6) requests are keyed per court: the lot's is taken, answers lost, and is the one
    withdrawn at the closing — theirs is untouched.)"""
    case = _sealed(_case())
    pricing = case.court.session.pricing
    number = f"{case.p.court.code}-P00000001"  # the number the lot's first request takes (``price``)
    theirs = pricing.submit("appraisal", request_no=number, court_code="R999999", case_no="(2025)其他执1号",
                            asset_id="其他:1", asset_kind="real_estate", now=case.d.now).pricing_id
    _faults(case, "pricing_platform", LOST)
    case.d.price(case.k, case.asset, "appraisal")
    case.court.run_for(timedelta(days=2))
    assert case.lot.pending is None and _gave_up(case, "appraisal") and case.lot.unanswered is not None
    [ours] = [pid for pid in pricing._requests if pid != theirs]  # H53: keyed per court, the lot's is taken too
    assert case.lot.unanswered[2] == number and pricing.get(ours).request_no == number
    _faults(case, "pricing_platform", NONE)
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    case.court.run_for(timedelta(days=2))
    assert str(pricing.get(theirs).status) in ("pending", "extended")  # 7cb3e71: withdrawn — another court's
    assert str(pricing.get(ours).status) == "withdrawn" and case.lot.unanswered is None
