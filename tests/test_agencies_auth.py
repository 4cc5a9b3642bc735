"""Authentication and tenancy (issue 13, point 2): court tokens bound to a court and a namespace, an admin token
for the admin routes, request numbers unique per court, a deduction only into the sub-account of the case that
owns the freeze, cross-site requests refused, and no open bind beyond loopback without tokens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core_flow.errors import UserError
from mock_agencies.app import create_app
from mock_agencies.settings import Settings
from tests.test_agencies_api import NS, make_client, person
from tests.test_agencies_live import free_port

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "admin-token-0123456789"
A, B, C = "court-a-token-0123456789", "court-b-token-0123456789", "court-c-token-0123456789"


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"admin": ADMIN, "courts": [
        {"token": A, "court": "R410811", "namespace": "shared"},
        {"token": B, "court": "R410802", "namespace": "other"},
        {"token": C, "court": "R410803", "namespace": "shared"},  # a second court on the same agencies
    ]}), encoding="utf-8")
    return path


def client_for(tokens_file: Path) -> httpx.AsyncClient:
    app = create_app(Settings(time_scale=0.0, world_size=2000, background=False, profile="fast",
                              tokens_file=str(tokens_file)))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(r: httpx.Response, status: int, code: str, where: str) -> dict:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert (error["code"], error["where"]) == (code, where) and error["zh"] and error["en"], error
    return error


async def _subject(client: httpx.AsyncClient, namespace: str) -> dict:
    d = (await client.get(f"/admin/sessions/{namespace}/debtors/0", headers=bearer(ADMIN))).json()
    return {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}


def _query(no: str, court: str, subject: dict) -> dict:
    return {"request_no": no, "court_code": court, "case_no": "(2026)豫0811执1号", "measure": "00", "subject": subject}


async def test_tokens_guard_the_agency_and_admin_routes(tokens_file: Path) -> None:
    async with client_for(tokens_file) as client:
        assert (await client.get("/agencies")).status_code == 200  # the catalogue and docs stay open
        assert (await client.get("/openapi.json")).status_code == 200
        subject = await _subject(client, "shared")
        body = _query("Q-1", "R410811", subject)
        r = await client.post("/agencies/icbc/requests", json=body)
        assert r.headers["www-authenticate"] == "Bearer"
        _error(r, 401, "unauthorised", "header Authorization")
        _error(await client.post("/agencies/icbc/requests", json=body, headers=bearer("x" * 20)), 403, "forbidden",
               "header Authorization")
        _error(await client.get("/admin/sessions"), 401, "unauthorised", "header Authorization")
        _error(await client.post("/admin/sessions/shared/reset", headers=bearer(A)), 403, "forbidden",
               "header Authorization")
        assert (await client.get("/admin/sessions", headers=bearer(ADMIN))).status_code == 200


async def test_a_court_token_acts_only_as_its_court_in_its_namespace(tokens_file: Path) -> None:
    async with client_for(tokens_file) as client:
        subject = await _subject(client, "shared")
        mine = await client.post("/agencies/icbc/requests", json=_query("Q-1", "R410811", subject), headers=bearer(A))
        assert mine.status_code == 202, mine.text  # no namespace header: the token's namespace
        info = (await client.get("/admin/sessions/shared", headers=bearer(ADMIN))).json()
        assert info["tickets"] == 1
        error = _error(await client.post("/agencies/icbc/requests", json=_query("Q-2", "R410802", subject),
                                         headers=bearer(A)), 403, "forbidden", "body.court_code")
        assert "R410811" in error["en"] and "R410802" in error["en"]
        _error(await client.post("/agencies/icbc/requests", json=_query("Q-3", "R410811", subject),
                                 headers={**bearer(A), "X-Zhixing-Session": "other"}), 403, "forbidden",
               "header X-Zhixing-Session")
        # court C shares the namespace: it neither sees A's ticket nor takes A's request number
        ticket_id = mine.json()["ticket_id"]
        _error(await client.get(f"/agencies/icbc/requests/{ticket_id}", headers=bearer(C)), 404, "not_found",
               "path.ticket_id")
        assert (await client.get(f"/agencies/icbc/requests/{ticket_id}", headers=bearer(A))).status_code == 200
        _error(await client.get("/agencies/icbc/requests", params={"request_no": "Q-1"}, headers=bearer(C)), 404,
               "not_found", "query.request_no")
        theirs = await client.post("/agencies/icbc/requests", json=_query("Q-1", "R410803", subject),
                                   headers=bearer(C))
        assert theirs.status_code == 202 and theirs.json()["ticket_id"] != ticket_id  # the same number: its own
        by_number = await client.get("/agencies/icbc/requests", params={"request_no": "Q-1"}, headers=bearer(A))
        assert by_number.json()["ticket"]["ticket_id"] == ticket_id


async def test_request_numbers_are_unique_per_court_without_tokens_too() -> None:
    async with make_client() as client:
        ns = NS(client, "per-court")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        (account,) = await ns.pin(d, "icbc", [100_000])
        a = ns.body(d, "01", account_no=account, amount_cents=30_000, request_no="SAME")
        b = {**a, "court_code": "R410802", "case_no": "(2026)豫0802执9号"}
        first = await ns.accepted("icbc", a)
        second = await ns.accepted("icbc", b)
        assert first["ticket_id"] != second["ticket_id"]
        await ns.advance(seconds=3600)
        answers = [(await ns.poll("icbc", t["ticket_id"]))["feedback"] for t in (first, second)]
        assert answers[0]["freeze_id"] != answers[1]["freeze_id"]  # two freezes: B did not get A's answer
        assert [f["amount_controlled_cents"] for f in answers] == [30_000, 30_000]
        r = await client.get("/agencies/icbc/requests", params={"request_no": "SAME"}, headers=ns.h)
        _error(r, 422, "ambiguous", "query.court_code")  # two courts used the number: which one?
        r = await client.get("/agencies/icbc/requests", params={"request_no": "SAME", "court_code": "R410802"},
                             headers=ns.h)
        assert r.json()["ticket"]["ticket_id"] == second["ticket_id"]


async def test_a_deduction_goes_only_into_the_sub_account_of_the_freezes_case() -> None:
    async with make_client() as client:
        ns = NS(client, "own-case")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        (account,) = await ns.pin(d, "icbc", [100_000])
        freeze = await ns.accepted("icbc", ns.body(d, "01", account_no=account, amount_cents=50_000))
        await ns.advance(seconds=600)
        freeze_id = (await ns.poll("icbc", freeze["ticket_id"]))["feedback"]["freeze_id"]
        accounts = f"/admin/sessions/{ns.name}/court-accounts"
        other = (await client.post(accounts, json={"court_code": "R410811", "case_no": "(2026)豫0811执2号"})).json()[
            "sub_account"]
        r = await ns.submit("icbc", ns.body(d, "06", freeze_id=freeze_id, amount_cents=10_000, target_account=other))
        error = _error(r, 403, "forbidden", "body.target_account")
        assert "(2026)豫0811执1号" in error["zh"]
        own = (await client.post(accounts, json={"court_code": "R410811", "case_no": "(2026)豫0811执1号"})).json()[
            "sub_account"]
        r = await ns.submit("icbc", ns.body(d, "06", freeze_id=freeze_id, amount_cents=10_000, target_account=own))
        assert r.status_code == 202, r.text


async def test_cross_site_requests_are_refused() -> None:
    async with make_client() as client:
        ns = NS(client, "xsite")
        await ns.create(profile="fast", seed=2)
        r = await client.post("/admin/sessions/xsite/reset", headers={"Origin": "http://evil.example"})
        _error(r, 403, "cross_site", "header Origin")
        r = await client.post("/admin/sessions/xsite/reset", headers={"Sec-Fetch-Site": "cross-site"})
        _error(r, 403, "cross_site", "header Origin")
        same = await client.post("/admin/sessions/xsite/reset", headers={"Origin": "http://agencies.test"})
        assert same.status_code == 200
        assert (await client.get("/admin/sessions/xsite", headers={"Origin": "http://evil.example"})).is_success


def test_a_bad_tokens_file_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(UserError) as err:
        create_app(Settings(background=False, tokens_file=str(path)))
    assert err.value.where == "ZHIXING_AGENCIES_TOKENS_FILE" and "UTF-8" in err.value.en
    path.write_text(json.dumps({"courts": [{"token": "short", "court": "R", "namespace": "n"}]}), encoding="utf-8")
    with pytest.raises(UserError) as err:
        create_app(Settings(background=False, tokens_file=str(path)))
    assert "courts[0].token" in err.value.en


def test_serve_refuses_to_bind_beyond_loopback_without_tokens() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "zhixing", "agencies", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "--insecure-open" in out and "拒绝" in out and "Traceback" not in out


async def test_auction_and_pricing_calls_are_bound_to_the_token_court(tokens_file: Path) -> None:
    """Issue 13 point 2 for the platforms: a listing or pricing request names the token's court (another court is
    a 403), and a court sees and acts on only its own listings and pricing requests (another's: 404)."""
    listing = {"court_code": "R410811", "case_no": "(2026)豫0811执1号", "asset_id": "A-1", "asset_kind": "movable",
               "valuation_cents": 1_000_000, "starting_price_cents": 700_000, "deposit_cents": 70_000,
               "bidding_starts": "2026-03-20T10:00:00+08:00"}
    pricing = {"request_no": "P-1", "court_code": "R410811", "case_no": "(2026)豫0811执1号", "asset_id": "A-1",
               "asset_kind": "vehicle"}
    async with client_for(tokens_file) as client:
        as_other = {**listing, "court_code": "R410803"}
        _error(await client.post("/agencies/taobao/listings", json=as_other, headers=bearer(A)), 403, "forbidden",
               "body.court_code")
        _error(await client.post("/agencies/pricing_platform/inquiries", json={**pricing, "court_code": "R410803"},
                                 headers=bearer(A)), 403, "forbidden", "body.court_code")
        made = await client.post("/agencies/taobao/listings", json=listing, headers=bearer(A))
        asked = await client.post("/agencies/pricing_platform/inquiries", json=pricing, headers=bearer(A))
        assert made.status_code == 201 and asked.status_code == 202, (made.text, asked.text)
        listing_id, pricing_id = made.json()["listing_id"], asked.json()["pricing_id"]
        # court C shares the namespace: A's listing and pricing request are not C's to see or act on
        _error(await client.get(f"/agencies/taobao/listings/{listing_id}", headers=bearer(C)), 404, "not_found",
               "path.listing_id")
        deposit = {"bidder_id": "B1", "amount_cents": 70_000}
        _error(await client.post(f"/agencies/taobao/listings/{listing_id}/deposits", json=deposit,
                                 headers=bearer(C)), 404, "not_found", "path.listing_id")
        _error(await client.get(f"/agencies/pricing_platform/pricings/{pricing_id}", headers=bearer(C)), 404,
               "not_found", "path.pricing_id")
        assert (await client.get(f"/agencies/taobao/listings/{listing_id}", headers=bearer(A))).status_code == 200
        # the list too: court C (same namespace) does not see A's listing; A sees it; C sees its own only
        theirs = {**listing, "court_code": "R410803", "case_no": "(2026)豫0803执1号", "asset_id": "C-1"}
        assert (await client.post("/agencies/taobao/listings", json=theirs, headers=bearer(C))).status_code == 201
        seen_by_c = await client.get("/agencies/taobao/listings", headers=bearer(C))
        seen_by_a = await client.get("/agencies/taobao/listings", headers=bearer(A))
        assert seen_by_c.status_code == 200 and seen_by_a.status_code == 200, (seen_by_c.text, seen_by_a.text)
        assert {v["court_code"] for v in seen_by_c.json()} == {"R410803"}
        assert {v["court_code"] for v in seen_by_a.json()} == {"R410811"}
        assert listing_id in {v["listing_id"] for v in seen_by_a.json()}
        assert (await client.get(f"/agencies/pricing_platform/pricings/{pricing_id}",
                                 headers=bearer(A))).status_code == 200
