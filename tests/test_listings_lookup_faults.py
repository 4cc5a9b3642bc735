"""``GET /agencies/{platform}/listings`` (the listings lookup by case_no: the court's HttpDisposalPort.find_listings)
draws the platform's faults over HTTP as one listing's route (``_faulted``) and the in-process lookup
(disposal_port ``find_listings``) do — before (review R18 proposal 5) it answered 200 under any fault profile, so a
tester's faulty live run behaved unlike the simulation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_agencies_api import NO_FAULTS, make_client

CASE_NO = "(2026)豫0811执1号"


@pytest.mark.parametrize(
    ("faults", "statuses"),
    [({"error_5xx": 1.0}, {500, 502, 503}),
     ({"rate_limit": 1.0, "retry_after_min_seconds": 5, "retry_after_max_seconds": 9}, {429})],
)
async def test_the_list_route_draws_the_auction_groups_faults_as_one_listings_route(
        faults: dict[str, Any], statuses: set[int]) -> None:
    async with make_client() as client:
        h = {"X-Zhixing-Session": "faulty"}
        rates = {**NO_FAULTS["*"]["faults"], **faults}
        r = await client.put("/admin/sessions/faulty", json={"profile": "fast", "overrides": {"auction": {
            "faults": rates}}})
        assert r.status_code == 200, r.text
        for _ in range(3):
            one = await client.get("/agencies/taobao/listings/L-none", headers=h)
            listed = await client.get("/agencies/taobao/listings", params={"case_no": CASE_NO}, headers=h)
            assert one.status_code in statuses, one.text
            assert listed.status_code in statuses, listed.text
            assert listed.headers["X-Zhixing-Fault"]
            if listed.status_code == 429:
                assert 5 <= int(listed.headers["Retry-After"]) <= 9


async def test_without_faults_the_list_route_answers_as_before() -> None:
    async with make_client() as client:
        h = {"X-Zhixing-Session": "calm"}
        r = await client.put("/admin/sessions/calm", json={"profile": "fast", "overrides": NO_FAULTS})
        assert r.status_code == 200, r.text
        listed = await client.get("/agencies/taobao/listings", params={"case_no": CASE_NO}, headers=h)
        assert listed.status_code == 200 and listed.json() == []
        unknown = await client.get("/agencies/nowhere/listings", headers=h)
        assert unknown.status_code in (404, 422), unknown.text
