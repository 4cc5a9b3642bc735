"""Review R12 (2026-12-07, session 29) of the lost answers at the pricing and auction platforms (profile 0.6.2) and in
the court-side certification kit (kit 0.5.0; its findings are tested in tests/test_certify_court_lost_answer.py).
Each test fails on the code before its fix but the guards (named so), which hold on it.

* A second auction (二拍) or a 变卖 the platform took with every answer lost — the gateway's retries and the
  ``platform_retry`` rounds all given a 504 — was asked again by the handler with a start computed anew: the platform
  (which keys a round's listing on the listing before it) refused it "already listed for this round with other terms"
  and the round ran on the platform unknown to the court, the lot held at ``unsold1`` / ``declined``. Review R10 had
  fixed this for the first listing only (``Lot.unlisted``); the later rounds now keep their start too
  (``Lot.unstarted``).
* The pricing platform compared the asset's value it looks up itself (the world's: ``mock_agencies.asset_value``, for
  frozen equity the part the court's freezes control) as part of the court's request: the court's repeat of a
  request whose answer was lost, the value moved meanwhile (the tests move it by hand; in the world it is read at each
  call — for frozen equity from the court's live freezes, which may change), was refused 409 "request
  number already used for a different pricing request" — the court then asked anew, a second request on the
  platform. The value is the platform's knowledge, looked up for a new request only.
* The profile's header still said 0.6.1 while 0.6.2 was served and noted.

Virtual time only."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
import respx

from core_flow.ports import PortFault
from mock_agencies.app import create_app
from mock_agencies.auction import BidderModel
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port
from tests.test_auction_api import CB, V, advance_to, callback_events, listing_body, open_session
from tests.test_auction_api import ORIGIN as ORIGIN_API
from tests.test_disposal import ORIGIN, Case
from tests.test_disposal_retry import NO_FAULTS, _faults, _heard, _remote_case

LOST = {**NO_FAULTS, "lost_answer": 1.0}
NONE = {**NO_FAULTS, "lost_answer": 0.0}


def _lost_for_good(case: Case, act) -> list[tuple[str, dict]]:  # noqa: ANN001
    """``act()`` with every answer of the auction platform lost until the gateway and its rounds gave up."""
    heard = _heard(case)
    _faults(case, "taobao", LOST)
    act()
    case.court.run_for(timedelta(days=2))
    _faults(case, "taobao", NONE)
    return heard


def test_a_second_auction_taken_with_every_answer_lost_is_the_one_asked_again():
    case = Case().fixed().listed().until_closed()
    assert case.lot.stage == "unsold1"
    first = case.lot.listing_id
    heard = _lost_for_good(case, lambda: case.d.relist(case.k, case.asset))
    assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:second"]
    second = case.court.session.auction.get(first).next_id
    assert second is not None and case.lot.stage == "unsold1"  # on the platform, unknown to the court
    case.d.relist(case.k, case.asset)  # the old code: UserError conflict "already listed … with other terms"
    assert case.lot.stage == "relisted" and case.lot.listing_id == second and case.status(26) == "done"
    assert len(case.court.session.auction._listings) == 2 and not case.lot.unstarted


def test_a_sale_taken_with_every_answer_lost_is_the_one_asked_again():
    case = Case().fixed().listed().until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    assert case.lot.stage == "declined"
    second = case.lot.listing_id
    heard = _lost_for_good(case, lambda: case.d.start_sale(case.k, case.asset))
    assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:sale"]
    sale = case.court.session.auction.get(second).next_id
    assert sale is not None and case.lot.stage == "declined"
    case.d.start_sale(case.k, case.asset)  # the old code: UserError conflict
    assert case.lot.stage == "sale" and case.lot.listing_id == sale
    assert len(case.court.session.auction._listings) == 3 and not case.lot.unstarted


def test_over_http_a_second_auction_taken_with_every_answer_lost_is_the_one_asked_again():
    """The same over uvicorn on loopback: the court's HttpDisposalPort, the platform's lost answers drawn from the
    namespace's fault profile (``PUT /admin/sessions/{ns}/faults``). The old code: 409 on the second ask."""
    from scenarios.remote import build_remote_court

    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        court = build_remote_court(live.url, ORIGIN, seed=5)
        try:
            client = court.session.client
            case = Case.__new__(Case)
            _remote_case(case, court)
            case.d.port = court.session.disposal_port()  # (and the session's ``auction``, read by ``Case``)
            case.fixed().listed().until_closed()
            assert case.lot.stage == "unsold1"
            heard = _heard(case)

            def lost(rate: float) -> None:
                client.call("PUT", f"{client.admin}/faults", json={"scope": "taobao", "lost_answer": rate})

            lost(1.0)
            case.d.relist(case.k, case.asset)
            court.run_for(timedelta(days=2))
            lost(0.0)
            assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:second"]
            second = case.court.session.auction.get(case.lot.listing_id).next_id
            assert second is not None and case.lot.stage == "unsold1"
            case.d.relist(case.k, case.asset)  # the old code: UserError conflict
            assert case.lot.stage == "relisted" and case.lot.listing_id == second
        finally:
            court.counterpart.close()


def test_guard_a_later_round_refused_is_asked_anew():
    """Guard (holds on the old code): a refusal keeps no start — the next ask is a new one, as for the first
    listing."""
    case = Case().fixed().listed().until_closed()
    try:
        case.d.relist(case.k, case.asset, cut_pct=21)  # refused at once: a cut above 20%
    except Exception:  # noqa: BLE001
        pass
    assert not getattr(case.lot, "unstarted", {})
    case.court.run_for(timedelta(days=1))
    case.d.relist(case.k, case.asset)
    assert case.lot.stage == "relisted"


def test_the_profiles_header_states_the_version_it_serves():
    """Review R12: profile 0.6.2 (the platforms' lost answers) was noted and served (``PROFILE_VERSION``, the OpenAPI
    document) while the profile's own header still said 0.6.1."""
    from pathlib import Path

    from core_flow.protocol import PROFILE_VERSION

    text = (Path(__file__).resolve().parents[1] / "core_flow" / "profile" / "PROFILE.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("规范版本 / profile version:"))
    assert f"**{PROFILE_VERSION}**" in header, header
    assert f"- **{PROFILE_VERSION}**" in text  # and its change is noted


@pytest.fixture
def lab():
    return create_app(Settings(background=False, time_scale=0.0, world_size=1000, profile="fast",
                               callback_hosts=("court.test",)))


@pytest.fixture
async def client(lab):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=lab), base_url="http://mock") as c:
        yield c


async def _court_call(client: httpx.AsyncClient, ns: str, h: dict[str, str], lost: bool, method: str, path: str,
                      body: dict | None = None) -> httpx.Response:
    """The court's call to the platform; ``lost``: its first attempt carried out and answered 504, then the repeat."""
    scope = "pricing_platform" if "/pricing" in path else "gpai"
    if lost:
        await client.put(f"/admin/sessions/{ns}/faults", json={"scope": scope, "lost_answer": 1.0})
        r = await client.request(method, path, json=body, headers=h)
        assert r.status_code == 504 and r.headers["X-Zhixing-Fault"] == "lost_answer", (path, r.text)
        await client.put(f"/admin/sessions/{ns}/faults", json={"scope": scope, "lost_answer": 0.0})
        await client.post(f"/admin/sessions/{ns}/advance", json={"seconds": 120})
    return await client.request(method, path, json=body, headers=h)


async def _chain(lab, client: httpx.AsyncClient, ns: str, lost: bool) -> tuple[list, list[str]]:  # noqa: ANN001
    """First auction, its poll, 二拍, the creditor's refusal in kind, 变卖, sold, the price remitted (twice)."""
    h = await open_session(client, ns)
    lab.state.sessions.get(ns).auction.model = BidderModel(max_bidders=0)
    out: list = []
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CB).mock(return_value=httpx.Response(200))
        first = (await _court_call(client, ns, h, lost, "POST", "/agencies/gpai/listings", listing_body())).json()
        await advance_to(client, ns, datetime.fromisoformat(first["ends_at"]) + timedelta(hours=1))
        base = f"/agencies/gpai/listings/{first['listing_id']}"
        view = (await _court_call(client, ns, h, lost, "GET", base)).json()
        start = first["starting_price_cents"]
        relist = {"starting_price_cents": start * 80 // 100, "deposit_cents": start // 10,
                  "bidding_starts": (datetime.fromisoformat(view["closed_at"]) + timedelta(days=16)).isoformat()}
        second = (await _court_call(client, ns, h, lost, "POST", f"{base}/relist", relist)).json()
        await advance_to(client, ns, datetime.fromisoformat(second["ends_at"]) + timedelta(hours=1))
        base2 = f"/agencies/gpai/listings/{second['listing_id']}"
        declined = (await _court_call(client, ns, h, lost, "POST", f"{base2}/in-kind", {"accept": False})).json()
        now = datetime.fromisoformat(declined["in_kind_declined_at"])
        sale = (await _court_call(client, ns, h, lost, "POST", f"{base2}/sale", {
            "price_cents": V // 2, "deposit_cents": V // 20, "sale_starts": (now + timedelta(days=15)).isoformat(),
            "sale_ends": (now + timedelta(days=75)).isoformat()})).json()
        base3 = f"/agencies/gpai/listings/{sale['listing_id']}"
        dep = {"bidder_id": "buyer-1", "name": "李四", "amount_cents": V // 20}
        assert (await client.post(f"{base3}/deposits", json=dep, headers=h)).status_code == 200
        await advance_to(client, ns, now + timedelta(days=16))
        bid = {"bidder_id": "buyer-1", "amount_cents": V // 2}
        assert (await client.post(f"{base3}/bids", json=bid, headers=h)).json()["status"] == "sold"
        await advance_to(client, ns, now + timedelta(days=16, minutes=1))
        sub = (await client.post(f"/admin/sessions/{ns}/court-accounts", json={
            "court_code": "410811", "case_no": "(2026)豫0811执1号"})).json()["sub_account"]
        for _ in range(2):  # the court's collection, and a later one: the price booked once
            paid = await _court_call(client, ns, h, lost, "POST", f"{base3}/remittance", {"sub_account": sub})
            out.append((paid.status_code, paid.json()))
        balance = (await client.get(f"/admin/sessions/{ns}/court-accounts/{sub}")).json()["balance_cents"]
        out += [first["listing_id"], view["status"], second["listing_id"], declined["status"], sale["listing_id"],
                balance]
        return out, callback_events(route)


async def test_guard_over_http_every_court_call_of_a_disposal_with_its_answer_lost_ends_as_without(lab, client):
    """Guard (holds since a997ca5): each of the court's calls — listing, poll, 二拍, the refusal in kind, 变卖, the
    remittance twice — carried out with its answer lost and sent again: the same listings, states, callbacks (each
    posted once) and one remittance of the price into the sub-account."""
    clean = await _chain(lab, client, "clean", lost=False)
    lossy = await _chain(lab, client, "lossy", lost=True)
    assert lossy == clean
    assert clean[1] == ["auction.failed", "auction.failed", "auction.in_kind_declined", "sale.sold"]
    assert clean[0][-1] == V // 2


def _moving_value(monkeypatch: pytest.MonkeyPatch, module: str, since: datetime) -> None:
    """The world's value of the asset as the platform reads it: 1,000,000.00 元, 1,200,000.00 元 from ``since``."""
    monkeypatch.setattr(f"{module}.market_value",
                        lambda session, asset_id, at, court_code=None: 100_000_000 if at < since else 120_000_000)


def test_a_pricing_request_repeated_after_its_lost_answer_is_the_same_though_the_worlds_value_moved(monkeypatch):
    case = Case().seal()
    port, now = case.d.port, case.court.clock.now()
    _moving_value(monkeypatch, "mock_agencies.disposal_port", now + timedelta(minutes=30))
    ask = {"method": "appraisal", "request_no": "P-1", "court_code": "R410811", "case_no": case.k,
           "asset_id": case.asset, "asset_kind": "real_estate", "description": ""}
    _faults(case, "pricing_platform", {**NO_FAULTS, "lost_answer": 1.0})
    with pytest.raises(PortFault):
        port.price(**ask, now=now)
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(hours=1))
    again = port.price(**ask, now=case.court.clock.now())  # the old code: UserError conflict (409)
    (request,) = case.court.session.pricing._requests.values()
    assert again["pricing_id"] == request.pricing_id and again["requested_at"] == now.isoformat()


async def test_over_http_a_pricing_request_repeated_after_its_lost_answer_is_the_same_though_the_value_moved(
        client, monkeypatch):
    h = await open_session(client, "moved")
    _moving_value(monkeypatch, "mock_agencies.routers.pricing", ORIGIN_API + timedelta(minutes=30))
    body = {"request_no": "PJ-1", "court_code": "410811", "case_no": "(2026)豫0811执1号", "asset_id": "房产-1",
            "asset_kind": "real_estate"}
    await client.put("/admin/sessions/moved/faults", json={"scope": "pricing_platform", "lost_answer": 1.0})
    assert (await client.post("/agencies/pricing_platform/appraisals", json=body, headers=h)).status_code == 504
    await client.put("/admin/sessions/moved/faults", json={"scope": "pricing_platform", "lost_answer": 0.0})
    await advance_to(client, "moved", ORIGIN_API + timedelta(hours=1))
    again = await client.post("/agencies/pricing_platform/appraisals", json=body, headers=h)
    assert again.status_code == 202, again.text  # the old code: 409 conflict
    assert again.json()["requested_at"] == ORIGIN_API.isoformat()
