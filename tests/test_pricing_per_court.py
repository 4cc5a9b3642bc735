"""H53 (review R18 proposal 6): the pricing platform keyed a request on its number alone (``pid =
PR{stable_hash('pricing', request_no)}``): two courts using the same request number shared one request in the
namespace — the second court's was refused 409 (its terms differ: the court is one of them) or, repeated on the same
terms, answered with the first court's. Request numbers are the court's idempotency key (as a 查控 request's,
``backend.ledger_key``): keyed per court now, the HTTP lookup (``GET …/pricings?request_no=``) taking the court (the
token's, else ``court_code``), and a platform saved before still loads (its requests under their old ids, found per
court). The stop date of a closed case's owed pricing lookup: tests/test_pricing_stop_date.py.

Every test fails on 6e8a720 (the base; the saved-platform test because it has no per-court keys). Virtual time only."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta
from typing import Any

import httpx

from core_flow.legal_calendar import CST
from mock_agencies.auction import stable_hash
from mock_agencies.pricing import PricingMethod, PricingPlatform
from tests.test_agencies_auth import bearer, client_for, tokens_file  # noqa: F401 (a fixture)
from tests.test_auction_api import open_session

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=CST)


def _ask(platform: PricingPlatform, court: str, no: str = "P-1", **over: Any) -> str:
    terms: dict[str, Any] = {"request_no": no, "court_code": court, "case_no": f"({court})执1号", "asset_id": "房产-1",
                             "asset_kind": "real_estate", "now": NOW, **over}
    return platform.submit(PricingMethod.APPRAISAL, **terms).pricing_id


# ── 1. keyed per court ───────────────────────────────────────────────────────────────────────────────────────────
def test_two_courts_using_the_same_request_number_get_two_requests() -> None:
    platform = PricingPlatform(seed=7)
    a = _ask(platform, "R410811")
    b = _ask(platform, "R410802")  # 6e8a720: 409 "request number P-1 was already used for a different request"
    assert a != b and len(platform._requests) == 2
    assert _ask(platform, "R410811") == a and _ask(platform, "R410802") == b  # each court's repeat: its own
    assert [v.pricing_id for v in platform.find("P-1", "R410811")] == [a]
    assert [v.pricing_id for v in platform.find("P-1", "R410802")] == [b]
    assert [v.pricing_id for v in platform.find("P-1")] == [a, b]  # no court given: every court's
    assert platform.find("P-1", "R410803") == [] and platform.find("P-2") == []
    platform.withdraw(a, now=NOW + timedelta(hours=1))  # one court's withdrawal leaves the other's running
    assert str(platform.get(a).status) == "withdrawn" and str(platform.get(b).status) == "pending"


def test_a_platform_saved_before_requests_were_keyed_per_court_still_loads() -> None:
    """A platform pickled before H53: its requests under the old ids (from the number alone), no per-court keys. It
    loads; the court's repeat is its request (the same id), found per court; another court's number is new."""
    platform = PricingPlatform(seed=7)
    new = _ask(platform, "R410811")
    req = platform._requests.pop(new)
    old = f"PR{stable_hash('pricing', 'P-1'):016x}"  # the id the request had then
    req.pricing_id = old
    platform._requests[old] = req
    platform._pending = {old: req}
    state = dict(platform.__dict__)
    del state["_keys"]  # (the attribute did not exist)
    saved = PricingPlatform.__new__(PricingPlatform)
    saved.__setstate__(state)
    loaded = pickle.loads(pickle.dumps(saved))
    assert _ask(loaded, "R410811") == old and list(loaded._requests) == [old]
    assert [v.pricing_id for v in loaded.find("P-1", "R410811")] == [old]
    other = _ask(loaded, "R410802")
    assert other not in (old, new) and len(loaded._requests) == 2
    assert str(loaded.withdraw(old, now=NOW + timedelta(hours=1)).status) == "withdrawn"


async def test_the_http_lookup_takes_the_court() -> None:
    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings

    app = create_app(Settings(background=False, time_scale=0.0, world_size=1000, profile="fast"))
    body = {"request_no": "Q-1", "case_no": "(2026)豫0811执1号", "asset_id": "房产-1", "asset_kind": "real_estate"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
        h = await open_session(client, "per-court")
        ids = {}
        for court in ("R410811", "R410802"):
            r = await client.post("/agencies/pricing_platform/appraisals", json={**body, "court_code": court},
                                  headers=h)
            assert r.status_code == 202, r.text  # 6e8a720: the second court's 409 (conflict, body.request_no)
            ids[court] = r.json()["pricing_id"]
        assert ids["R410811"] != ids["R410802"]
        for court, pid in ids.items():
            r = await client.get("/agencies/pricing_platform/pricings", params={"request_no": "Q-1",
                                                                               "court_code": court}, headers=h)
            assert r.status_code == 200 and [v["pricing_id"] for v in r.json()] == [pid], r.text
        r = await client.get("/agencies/pricing_platform/pricings", params={"request_no": "Q-1"}, headers=h)
        assert sorted(v["court_code"] for v in r.json()) == ["R410802", "R410811"]  # no court: every court's
        spec = (await client.get("/openapi.json")).json()
        params = {p["name"] for p in spec["paths"]["/agencies/{code}/pricings"]["get"]["parameters"]}
        assert {"request_no", "court_code"} <= params


async def test_with_court_tokens_each_court_finds_its_own_request_under_a_shared_number(tokens_file) -> None:  # noqa: F811
    body = {"request_no": "P-9", "case_no": "(2026)豫0811执1号", "asset_id": "A-1", "asset_kind": "vehicle"}
    async with client_for(tokens_file) as client:
        a = await client.post("/agencies/pricing_platform/inquiries", json={**body, "court_code": "R410811"},
                              headers=bearer("court-a-token-0123456789"))
        c_ = await client.post("/agencies/pricing_platform/inquiries", json={**body, "court_code": "R410803"},
                               headers=bearer("court-c-token-0123456789"))  # court C shares A's namespace
        assert a.status_code == 202 and c_.status_code == 202, (a.text, c_.text)  # 6e8a720: C's refused 409
        for token, mine in (("court-a-token-0123456789", a), ("court-c-token-0123456789", c_)):
            r = await client.get("/agencies/pricing_platform/pricings", params={"request_no": "P-9"},
                                 headers=bearer(token))
            assert [v["pricing_id"] for v in r.json()] == [mine.json()["pricing_id"]], r.text
