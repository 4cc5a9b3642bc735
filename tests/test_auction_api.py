"""The auction and pricing platforms over HTTP (httpx ASGI transport; respx receives the callbacks)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest
import respx

from mock_agencies.app import create_app
from mock_agencies.auction import CST, BidderModel
from mock_agencies.settings import Settings

ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
CB = "http://court.test/cb"
V = 100_000_000


@pytest.fixture
def app():
    return create_app(Settings(background=False, time_scale=0.0, world_size=1000, profile="fast",
                               callback_hosts=("court.test",)))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as c:
        yield c


async def open_session(client: httpx.AsyncClient, ns: str, seed: int = 5) -> dict[str, str]:
    r = await client.put(
        f"/admin/sessions/{ns}",
        json={"seed": seed, "profile": "fast", "time_scale": 0, "origin": ORIGIN.isoformat()},
    )
    assert r.status_code == 200, r.text
    return {"X-Zhixing-Session": ns}


async def advance_to(client: httpx.AsyncClient, ns: str, when: datetime) -> None:
    r = await client.post(f"/admin/sessions/{ns}/advance", json={"to": when.isoformat()})
    assert r.status_code == 200, r.text


def listing_body(**kw) -> dict:
    body = {
        "court_code": "410811",
        "case_no": "(2026)豫0811执1号",
        "asset_id": "房产-1",
        "asset_kind": "real_estate",
        "valuation_cents": V,
        "starting_price_cents": V * 70 // 100,
        "deposit_cents": V * 7 // 100,
        "bidding_starts": (ORIGIN + timedelta(days=30)).isoformat(),
        "callback_url": CB,
    }
    body.update(kw)
    return body


def field_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["zh"] and err["en"]
    return err


def callback_events(route) -> list[str]:
    return [json.loads(call.request.content)["event"] for call in route.calls]


async def test_floor_refused_with_a_field_message_and_nothing_listed(client):
    h = await open_session(client, "floor")
    r = await client.post("/agencies/taobao/listings", json=listing_body(starting_price_cents=V * 69 // 100), headers=h)
    err = field_error(r, 422)
    assert err["where"] == "body.starting_price_cents"
    assert err["fields"][0]["field"] == "body.starting_price_cents"
    assert (await client.get("/agencies/taobao/listings", headers=h)).json() == []


async def test_unknown_or_wrong_platform_is_404(client):
    h = await open_session(client, "plat")
    assert (await client.post("/agencies/no_such/listings", json=listing_body(), headers=h)).status_code == 404
    r = await client.post("/agencies/court_account/listings", json=listing_body(), headers=h)
    assert field_error(r, 404)["where"] == "path.platform"


async def test_schema_errors_are_422(client):
    h = await open_session(client, "schema")
    naive = listing_body(bidding_starts="2026-04-10T09:00:00")
    assert (await client.post("/agencies/jd/listings", json=naive, headers=h)).status_code == 422
    extra = listing_body(surprise=1)
    assert (await client.post("/agencies/jd/listings", json=extra, headers=h)).status_code == 422
    far = listing_body(bidding_starts="9999-12-31T23:00:00+08:00")
    assert field_error(await client.post("/agencies/jd/listings", json=far, headers=h), 422)["where"] == (
        "body.bidding_starts"
    )


async def test_listing_is_per_platform_and_per_namespace(client):
    a = await open_session(client, "ns-a")
    b = await open_session(client, "ns-b")
    r = await client.post("/agencies/taobao/listings", json=listing_body(), headers=a)
    assert r.status_code == 201
    lid = r.json()["listing_id"]
    assert (await client.get(f"/agencies/taobao/listings/{lid}", headers=a)).json()["status"] == "announced"
    assert (await client.get(f"/agencies/jd/listings/{lid}", headers=a)).status_code == 404
    assert (await client.get(f"/agencies/taobao/listings/{lid}", headers=b)).status_code == 404
    again = await client.post("/agencies/taobao/listings", json=listing_body(), headers=a)
    assert again.json()["listing_id"] == lid
    other = await client.post("/agencies/taobao/listings", json=listing_body(deposit_cents=V // 10), headers=a)
    assert field_error(other, 409)["code"] == "conflict"


async def test_full_chain_over_http_with_callbacks(app, client):
    h = await open_session(client, "chain")
    app.state.sessions.get("chain").auction.model = BidderModel(max_bidders=0)  # nobody bids by himself
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CB).mock(return_value=httpx.Response(200))
        r = await client.post("/agencies/gpai/listings", json=listing_body(), headers=h)
        first = r.json()
        await advance_to(client, "chain", datetime.fromisoformat(first["ends_at"]))
        assert callback_events(route) == ["auction.failed"]
        base = f"/agencies/gpai/listings/{first['listing_id']}"
        view = (await client.get(base, headers=h)).json()
        assert view["status"] == "failed" and view["relist_deadline"]

        start = first["starting_price_cents"]
        relist = {
            "starting_price_cents": start * 79 // 100,
            "deposit_cents": start // 10,
            "bidding_starts": (datetime.fromisoformat(view["closed_at"]) + timedelta(days=16)).isoformat(),
        }
        assert field_error(await client.post(f"{base}/relist", json=relist, headers=h), 422)["where"] == (
            "body.starting_price_cents"
        )
        relist["starting_price_cents"] = start * 80 // 100
        second = (await client.post(f"{base}/relist", json=relist, headers=h)).json()
        assert second["round"] == "second" and second["previous_id"] == first["listing_id"]
        await advance_to(client, "chain", datetime.fromisoformat(second["ends_at"]))
        assert callback_events(route)[-1] == "auction.failed"

        base2 = f"/agencies/gpai/listings/{second['listing_id']}"
        r = await client.post(f"{base2}/in-kind", json={"accept": False}, headers=h)
        assert r.json()["status"] == "in_kind_declined"
        now = datetime.fromisoformat(r.json()["in_kind_declined_at"])
        sale = {
            "price_cents": V // 2,
            "deposit_cents": V // 20,
            "sale_starts": (now + timedelta(days=15)).isoformat(),
            "sale_ends": (now + timedelta(days=75)).isoformat(),
        }
        low = dict(sale, price_cents=V // 2 - 1)
        assert field_error(await client.post(f"{base2}/sale", json=low, headers=h), 422)["where"] == (
            "body.price_cents"
        )
        s = (await client.post(f"{base2}/sale", json=sale, headers=h)).json()
        base3 = f"/agencies/gpai/listings/{s['listing_id']}"
        dep = {"bidder_id": "buyer-1", "name": "李四", "amount_cents": V // 20}
        assert (await client.post(f"{base3}/deposits", json=dep, headers=h)).status_code == 200
        await advance_to(client, "chain", now + timedelta(days=16))
        bid = {"bidder_id": "buyer-1", "amount_cents": V // 2}
        sold = (await client.post(f"{base3}/bids", json=bid, headers=h)).json()
        assert sold["status"] == "sold" and sold["buyer_name"] == "李四"
        await advance_to(client, "chain", now + timedelta(days=16, minutes=1))
        assert callback_events(route) == [
            "auction.failed",
            "auction.failed",
            "auction.in_kind_declined",
            "sale.sold",
        ]
        last = json.loads(route.calls[-1].request.content)
        assert last["price_cents"] == V // 2 and last["buyer_id"] == "buyer-1"
        # every result, whether time or a command produced it, carries the receiver's idempotency key
        keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
        listings = [first["listing_id"], second["listing_id"], second["listing_id"], s["listing_id"]]
        assert keys == [f"{e}:{lid}" for e, lid in zip(callback_events(route), listings, strict=True)]
        notices = (await client.get("/admin/sessions/chain/journal", params={"kind": "notice"})).json()["entries"]
        assert [e["event"] for e in notices] == callback_events(route)


async def test_simulated_bidders_result_matches_the_callback(client):
    h = await open_session(client, "sims", seed=11)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CB).mock(return_value=httpx.Response(200))
        ids = []
        for i in range(4):
            r = await client.post("/agencies/jd/listings", json=listing_body(asset_id=f"A{i}"), headers=h)
            ids.append(r.json()["listing_id"])
        await advance_to(client, "sims", ORIGIN + timedelta(days=33))
        payloads = {json.loads(c.request.content)["listing_id"]: json.loads(c.request.content) for c in route.calls}
        assert set(payloads) == set(ids)
        for lid in ids:
            v = (await client.get(f"/agencies/jd/listings/{lid}", headers=h)).json()
            p = payloads[lid]
            assert p["event"] == ("auction.sold" if v["status"] == "sold" else "auction.failed")
            assert p.get("price_cents") == v["sold_price_cents"]
            assert p.get("buyer_id") == v["buyer_id"]


async def test_deposit_and_bid_errors_name_the_field(client):
    h = await open_session(client, "bids")
    lid = (
        await client.post(
            "/agencies/caa/listings",
            json=listing_body(asset_kind="movable", bidding_starts=(ORIGIN + timedelta(days=15)).isoformat()),
            headers=h,
        )
    ).json()["listing_id"]
    base = f"/agencies/caa/listings/{lid}"
    r = await client.post(f"{base}/deposits", json={"bidder_id": "x", "amount_cents": 1}, headers=h)
    assert field_error(r, 422)["where"] == "body.amount_cents"
    await advance_to(client, "bids", ORIGIN + timedelta(days=15, seconds=1))
    r = await client.post(f"{base}/bids", json={"bidder_id": "x", "amount_cents": V}, headers=h)
    assert field_error(r, 422)["where"] == "body.bidder_id"
    r = await client.post("/agencies/caa/listings/nope/bids", json={"bidder_id": "x", "amount_cents": V}, headers=h)
    assert field_error(r, 404)["where"] == "path.listing_id"


async def test_pricing_inquiry_and_appraisal_over_http(client):
    h = await open_session(client, "pricing")
    body = {
        "request_no": "Q-1",
        "court_code": "410811",
        "case_no": "(2026)豫0811执1号",
        "asset_id": "房产-1",
        "asset_kind": "real_estate",
        "callback_url": CB,
    }
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CB).mock(return_value=httpx.Response(200))
        r = await client.post("/agencies/pricing_platform/inquiries", json=body, headers=h)
        assert r.status_code == 202 and r.json()["status"] == "pending"
        pid = r.json()["pricing_id"]
        again = await client.post("/agencies/pricing_platform/inquiries", json=body, headers=h)
        assert again.json()["pricing_id"] == pid
        clash = await client.post("/agencies/pricing_platform/inquiries", json=dict(body, asset_id="x"), headers=h)
        assert field_error(clash, 409)["where"] == "body.request_no"
        await advance_to(client, "pricing", ORIGIN + timedelta(days=7))
        view = (await client.get(f"/agencies/pricing_platform/pricings/{pid}", headers=h)).json()
        assert view["status"] == "completed" and len(view["answers"]) == 3
        done = [json.loads(c.request.content) for c in route.calls]
        done = [p for p in done if p["event"] == "pricing.completed"]
        assert done and done[0]["reference_price_cents"] == view["reference_price_cents"]

    r = await client.post("/agencies/inquiry_jd/appraisals", json=dict(body, request_no="E-1"), headers=h)
    assert field_error(r, 404)["where"] == "path.code"
    r = await client.post("/agencies/pricing_platform/appraisals", json=dict(body, request_no="E-1"), headers=h)
    assert r.status_code == 202 and r.json()["method"] == "appraisal"
    assert (await client.get("/agencies/pricing_platform/pricings/none", headers=h)).status_code == 404
    bad = dict(body, request_no="Q-2", market_value_cents=0)
    assert (await client.post("/agencies/pricing_platform/inquiries", json=bad, headers=h)).status_code == 422
