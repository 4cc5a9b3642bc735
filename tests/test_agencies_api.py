"""The mock agencies' HTTP API through httpx's ASGI transport: catalogue, submit/poll, every measure,
sessions, journal, faults and bad input. Time is skipped through the admin API, never slept."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.protocol import AgencyGroup, Measure
from mock_agencies.app import create_app
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import CST, VirtualClock
from mock_agencies.journal import Journal
from mock_agencies.profiles import is_workday, load_profile
from mock_agencies.settings import Settings

COURT_A = "R410811"
COURT_B = "R410802"
NO_FAULTS = {"*": {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0, "rate_limit": 0}, "maintenance": []}}


def make_client(**overrides: Any) -> httpx.AsyncClient:
    values: dict[str, Any] = {"time_scale": 0.0, "world_size": 2000, "background": False, "profile": "fast"}
    values.update(overrides)
    app = create_app(Settings(**values))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test")


@pytest.fixture
async def client() -> httpx.AsyncClient:
    async with make_client() as c:
        yield c


class NS:
    """A namespace seen through the API."""

    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.c = client
        self.name = name
        self.h = {"X-Zhixing-Session": name}
        self._n = 0

    async def create(self, **spec: Any) -> dict:
        r = await self.c.put(f"/admin/sessions/{self.name}", json=spec)
        assert r.status_code == 200, r.text
        return r.json()

    async def debtor(self, index: int) -> dict:
        r = await self.c.get(f"/admin/sessions/{self.name}/debtors/{index}")
        assert r.status_code == 200, r.text
        return r.json()

    async def pin(self, debtor: dict, agency: str, balances: list[int]) -> list[str]:
        accounts = [f"PIN{debtor['index']:06d}{i:02d}" for i in range(len(balances))]
        holdings = [
            {"account_no": a, "kind": "deposit", "balance_cents": b, "available_cents": b}
            for a, b in zip(accounts, balances, strict=True)
        ]
        body = {"agency": agency, "id_number": debtor["id_number"], "holdings": holdings}
        r = await self.c.put(f"/admin/sessions/{self.name}/pins", json=body)
        assert r.status_code == 200, r.text
        return accounts

    def body(self, debtor: dict, measure: str, **fields: Any) -> dict:
        self._n += 1
        subject = {"kind": debtor["kind"], "name": debtor["name"], "id_number": debtor["id_number"]}
        base = {"request_no": f"{self.name}-{self._n}", "court_code": COURT_A, "case_no": "(2026)豫0811执1号"}
        return {**base, "measure": measure, "subject": subject, **fields}

    async def submit(self, agency: str, body: dict) -> httpx.Response:
        return await self.c.post(f"/agencies/{agency}/requests", json=body, headers=self.h)

    async def accepted(self, agency: str, body: dict) -> dict:
        r = await self.submit(agency, body)
        assert r.status_code == 202, r.text
        return r.json()

    async def poll(self, agency: str, ticket_id: str) -> dict:
        r = await self.c.get(f"/agencies/{agency}/requests/{ticket_id}", headers=self.h)
        assert r.status_code == 200, r.text
        return r.json()

    async def advance(self, seconds: float = 0, to: datetime | None = None) -> dict:
        body = {"to": to.isoformat()} if to is not None else {"seconds": seconds}
        r = await self.c.post(f"/admin/sessions/{self.name}/advance", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    async def holdings(self, agency: str, debtor: dict) -> list[dict]:
        r = await self.c.get(f"/admin/sessions/{self.name}/holdings/{agency}/{debtor['id_number']}")
        assert r.status_code == 200, r.text
        return r.json()

    async def total(self) -> int:
        return (await self.c.get(f"/admin/sessions/{self.name}/ledger")).json()["total_cents"]

    async def journal(self, **params: Any) -> dict:
        return (await self.c.get(f"/admin/sessions/{self.name}/journal", params=params)).json()

    async def faults(self, **rates: Any) -> None:
        r = await self.c.put(f"/admin/sessions/{self.name}/faults", json=rates)
        assert r.status_code == 200, r.text


async def person(ns: NS, start: int = 0) -> dict:
    """A person debtor of the world (index ≥ start)."""
    for i in range(start, start + 50):
        d = await ns.debtor(i)
        if d["kind"] == "person":
            return d
    raise AssertionError("no person among 50 debtors")


def assert_bilingual(error: dict, field_part: str | None = None) -> None:
    assert error["zh"] and error["en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["zh"]), error
    assert error["en"].isascii() or not any("\u4e00" <= ch <= "\u9fff" for ch in error["en"]), error
    if field_part is not None:
        names = [f["field"] for f in error.get("fields", [])] + [error.get("where") or ""]
        assert any(field_part in n for n in names), (field_part, error)


# --------------------------------------------------------------------------------------------- catalogue


async def test_catalogue_lists_every_agency_with_its_fields(client: httpx.AsyncClient) -> None:
    r = await client.get("/agencies")
    assert r.status_code == 200
    rows = r.json()
    catalogue = load_catalogue()
    assert [row["code"] for row in rows] == [a.code for a in catalogue.agencies]
    for row in rows:
        assert set(row) >= {"code", "name", "group", "operations", "region"}
    groups = Counter(row["group"] for row in rows)
    assert groups[AgencyGroup.NATIONAL_BANK.value] == 21
    assert groups[AgencyGroup.INTERNET_FINANCE.value] == 3
    assert all(row["region"] for row in rows if row["group"] == "local_bank")
    one = await client.get("/agencies/icbc")
    assert one.json()["name"] == "工商银行" and one.json()["operations"] == ["00", "01", "02", "04", "06"]


async def test_unknown_agency_is_404_bilingual(client: httpx.AsyncClient) -> None:
    ns = NS(client, "default")
    d = await person(ns)
    for r in (
        await client.get("/agencies/nosuchbank"),
        await ns.submit("nosuchbank", ns.body(d, "00")),
        await ns.submit("nosuchbank", {}),  # the agency is checked before the body
    ):
        assert r.status_code == 404
        assert_bilingual(r.json()["error"])
        assert "nosuchbank" in r.json()["error"]["message"]


# --------------------------------------------------------------------------------------- submit and poll


async def test_submit_gives_ticket_and_repeat_is_idempotent(client: httpx.AsyncClient) -> None:
    ns = NS(client, "idem")
    await ns.create(profile="realistic", overrides=NO_FAULTS, seed=5)
    d = await person(ns)
    accounts = await ns.pin(d, "icbc", [100_000])
    body = ns.body(d, "01", account_no=accounts[0], amount_cents=60_000)
    first = await ns.accepted("icbc", body)
    assert first["status"] == "accepted" and first["duplicate"] is False and first["request_no"] == body["request_no"]
    again = await ns.submit("icbc", body)
    assert again.status_code == 200
    assert again.json()["ticket_id"] == first["ticket_id"] and again.json()["duplicate"] is True
    await ns.advance(seconds=7 * 86400)
    third = await ns.submit("icbc", body)  # after the answer: still the same ticket, no second freeze
    assert third.json()["ticket_id"] == first["ticket_id"] and third.json()["status"] == "answered"
    (h,) = await ns.holdings("icbc", d)
    live = [f for f in h["existing_freezes"] if f["state"] in ("active", "queued")]
    assert len(live) == 1 and h["available_cents"] == 40_000
    outcomes = [e["outcome"] for e in (await ns.journal(kind="submit"))["entries"]]
    assert outcomes == ["accepted", "duplicate", "duplicate"]


async def test_same_request_no_with_other_content_is_conflict(client: httpx.AsyncClient) -> None:
    ns = NS(client, "conflict")
    d = await person(ns)
    body = ns.body(d, "00")
    await ns.accepted("icbc", body)
    r = await ns.submit("icbc", {**body, "case_no": "(2026)豫0811执2号"})
    assert r.status_code == 409
    assert_bilingual(r.json()["error"], "request_no")


async def test_poll_before_and_after_virtual_time_passes(client: httpx.AsyncClient) -> None:
    ns = NS(client, "poll")
    info = await ns.create(profile="realistic", overrides=NO_FAULTS, seed=11)
    start = datetime.fromisoformat(info["now"])
    d = await person(ns)
    await ns.pin(d, "icbc", [123_456, 7_000])
    ticket = await ns.accepted("icbc", ns.body(d, "00"))
    before = await ns.poll("icbc", ticket["ticket_id"])
    assert before["ticket"]["status"] == "accepted" and before["feedback"] is None
    await ns.advance(seconds=60)  # queries take at least 10 minutes in the realistic profile
    assert (await ns.poll("icbc", ticket["ticket_id"]))["feedback"] is None
    summary = await ns.advance(seconds=2 * 86400)
    assert summary["answered"] == 1
    after = await ns.poll("icbc", ticket["ticket_id"])
    assert after["ticket"]["status"] == "answered"
    fb = after["feedback"]
    assert fb["ok"] is True and fb["ticket_id"] == ticket["ticket_id"]
    assert sorted(h["balance_cents"] for h in fb["holdings"]) == [7_000, 123_456]
    answered = datetime.fromisoformat(fb["answered_at"])
    assert start + timedelta(minutes=10) <= answered <= start + timedelta(days=1)  # LAW.md: 10 min – 1 day
    by_no = await client.get("/agencies/icbc/requests", params={"request_no": ticket["request_no"]}, headers=ns.h)
    assert by_no.json()["ticket"]["ticket_id"] == ticket["ticket_id"]
    missing = await client.get("/agencies/icbc/requests/TK9999999999", headers=ns.h)
    assert missing.status_code == 404
    assert_bilingual(missing.json()["error"], "ticket_id")


async def test_registry_answers_only_at_poll_instants_in_business_hours(client: httpx.AsyncClient) -> None:
    ns = NS(client, "registry")
    friday_evening = datetime(2026, 3, 6, 17, 50, tzinfo=CST)
    await ns.create(profile="realistic", overrides=NO_FAULTS, origin=friday_evening.isoformat())
    d = await person(ns)
    tickets = [(await ns.accepted("real_estate_registry", ns.body(d, "00")))["ticket_id"] for _ in range(5)]
    await ns.advance(seconds=10 * 86400)
    for tid in tickets:
        at = datetime.fromisoformat((await ns.poll("real_estate_registry", tid))["feedback"]["answered_at"])
        assert at >= datetime(2026, 3, 9, 8, 0, tzinfo=CST)  # nothing over the weekend
        assert at.isoweekday() <= 5 and 8 <= at.hour < 18
        assert at.minute % 20 == 0 and at.second == 0 and at.microsecond == 0


# ------------------------------------------------------------------------------------------ each measure


async def _answer(ns: NS, agency: str, body: dict, seconds: float = 0) -> dict:
    ticket = await ns.accepted(agency, body)
    await ns.advance(seconds=seconds)
    polled = await ns.poll(agency, ticket["ticket_id"])
    assert polled["ticket"]["status"] == "answered", polled
    return polled["feedback"]


async def test_freeze_queue_promotion_renew_deduct_end_to_end(client: httpx.AsyncClient) -> None:
    ns = NS(client, "measures")
    await ns.create(profile="fast", seed=3)
    d = await person(ns)
    (acct,) = await ns.pin(d, "icbc", [100_000])

    first = await _answer(ns, "icbc", ns.body(d, "01", account_no=acct, amount_cents=150_000))
    assert first["ok"] and first["control_result"] == "1"
    assert first["amount_controlled_cents"] == 100_000 and first["unsecured_remainder_cents"] == 50_000
    assert first["freeze_state"] == "active" and first["expires_at"]
    assert first["queue_position"] == 1  # its shortfall waits first in the 轮候 queue (ledger's rule)
    total0 = await ns.total()
    assert total0 >= 100_000

    second_body = ns.body(d, "01", account_no=acct, amount_cents=30_000)
    second_body["court_code"] = COURT_B
    second = await _answer(ns, "icbc", second_body)
    assert second["freeze_state"] == "queued" and second["queue_position"] == 2
    assert second["amount_controlled_cents"] == 0 and second["control_result"] == "2"
    assert any(f["freeze_id"] == first["freeze_id"] for f in second["existing_freezes"])

    renewed = await _answer(ns, "icbc", ns.body(d, "02", freeze_id=first["freeze_id"]))
    assert renewed["ok"] and renewed["expires_at"] >= first["expires_at"]

    r = await client.post(
        f"/admin/sessions/{ns.name}/court-accounts", json={"court_code": COURT_A, "case_no": "(2026)豫0811执1号"}
    )
    sub = r.json()["sub_account"]
    deduct = await _answer(
        ns, "icbc", ns.body(d, "06", freeze_id=first["freeze_id"], amount_cents=40_000, target_account=sub)
    )
    assert deduct["ok"] and deduct["deduct_status"] == "success" and deduct["amount_deducted_cents"] == 40_000
    account = (await client.get(f"/admin/sessions/{ns.name}/court-accounts/{sub}")).json()
    assert account["balance_cents"] == 40_000 and account["entries"][0]["amount_cents"] == 40_000

    released = await _answer(ns, "icbc", ns.body(d, "04", freeze_id=first["freeze_id"]))
    assert released["ok"]
    (h,) = await ns.holdings("icbc", d)
    assert h["balance_cents"] == 60_000
    states = {f["freeze_id"]: f["state"] for f in h["existing_freezes"]}
    assert states[second["freeze_id"]] == "active"  # promoted from the 轮候 queue
    assert h["available_cents"] == 60_000 - 30_000
    assert await ns.total() == total0  # money moved, none created or destroyed


async def test_unfreeze_waits_for_a_pending_deduction(client: httpx.AsyncClient) -> None:
    ns = NS(client, "held")
    slow_deduct = {
        "*": {
            "latency": {
                "deduct": {"dist": "fixed", "min_seconds": 3600},
                "control": {"dist": "fixed", "min_seconds": 60},
            }
        }
    }
    await ns.create(profile="fast", overrides=slow_deduct)
    d = await person(ns)
    (acct,) = await ns.pin(d, "icbc", [50_000])
    freeze = await _answer(ns, "icbc", ns.body(d, "01", account_no=acct, amount_cents=50_000), seconds=60)
    sub = (
        await client.post(f"/admin/sessions/{ns.name}/court-accounts",
                          json={"court_code": COURT_A, "case_no": "(2026)豫0811执1号"})  # the freeze's own case
    ).json()["sub_account"]
    deduct = await ns.accepted(
        "icbc", ns.body(d, "06", freeze_id=freeze["freeze_id"], amount_cents=20_000, target_account=sub)
    )
    interim = await ns.poll("icbc", deduct["ticket_id"])
    assert interim["ticket"]["status"] == "accepted" and interim["feedback"]["deduct_status"] == "pending"
    unfreeze = await ns.accepted("icbc", ns.body(d, "04", freeze_id=freeze["freeze_id"]))
    await ns.advance(seconds=600)  # the unfreeze's latency has passed, the deduction's has not
    assert (await ns.poll("icbc", unfreeze["ticket_id"]))["ticket"]["status"] == "accepted"
    await ns.advance(seconds=2 * 3600)
    d_fb = (await ns.poll("icbc", deduct["ticket_id"]))["feedback"]
    u_fb = (await ns.poll("icbc", unfreeze["ticket_id"]))["feedback"]
    assert d_fb["deduct_status"] == "success" and u_fb["ok"]
    assert u_fb["answered_at"] >= d_fb["answered_at"]
    # held and retried for an hour, journalled once (retries would crowd the bounded journal)
    assert [e["ticket_id"] for e in (await ns.journal(kind="held"))["entries"]] == [unfreeze["ticket_id"]]
    (h,) = await ns.holdings("icbc", d)
    assert h["balance_cents"] == 30_000 and h["available_cents"] == 30_000


async def test_freeze_lapses_at_term_end_unless_renewed(client: httpx.AsyncClient) -> None:
    ns = NS(client, "lapse")
    await ns.create(profile="fast")
    d = await person(ns)
    (acct,) = await ns.pin(d, "icbc", [10_000])
    fb = await _answer(ns, "icbc", ns.body(d, "01", account_no=acct, amount_cents=10_000, term_days=30))
    expires = datetime.fromisoformat(fb["expires_at"])
    await ns.advance(to=expires - timedelta(seconds=1))
    (h,) = await ns.holdings("icbc", d)
    assert h["available_cents"] == 0
    await ns.advance(to=expires + timedelta(seconds=1))
    (h,) = await ns.holdings("icbc", d)
    assert h["available_cents"] == 10_000 and not h["existing_freezes"]
    lapses = [e for e in (await ns.journal(kind="ledger"))["entries"] if e["event"]["kind"] == "lapsed"]
    assert [e["event"]["freeze_id"] for e in lapses] == [fb["freeze_id"]]
    assert datetime.fromisoformat(lapses[0]["at"]) == expires  # processed at its own instant


# ---------------------------------------------------------------------------------------------- sessions


async def test_sessions_are_isolated_and_reset_alone(client: httpx.AsyncClient) -> None:
    a, b = NS(client, "alpha"), NS(client, "beta")
    await a.create(profile="fast", seed=7)
    await b.create(profile="fast", seed=7)
    da, db = await person(a), await person(b)
    assert da["id_number"] == db["id_number"]  # same seed, same world
    (acct,) = await a.pin(da, "icbc", [5_000])
    await b.pin(db, "icbc", [5_000])
    await _answer(a, "icbc", a.body(da, "01", account_no=acct, amount_cents=5_000))
    await _answer(b, "icbc", b.body(db, "00"))
    assert (await a.holdings("icbc", da))[0]["available_cents"] == 0
    assert (await b.holdings("icbc", db))[0]["available_cents"] == 5_000
    r = await client.post("/admin/sessions/alpha/reset")
    assert r.json()["tickets"] == 0
    fresh = NS(client, "gamma")
    await fresh.create(profile="fast", seed=7)
    assert await a.holdings("icbc", da) == await fresh.holdings("icbc", da)  # pin and freeze are gone
    assert (await client.get("/admin/sessions/beta")).json()["tickets"] == 1
    assert (await b.journal())["total"] > 0 and (await a.journal())["total"] == 0


async def test_journal_is_bounded_per_namespace() -> None:
    async with make_client(journal_size=5) as c:
        ns, other = NS(c, "j1"), NS(c, "j2")
        d = await person(ns)
        for _ in range(12):
            await ns.accepted("icbc", ns.body(d, "00"))
        await other.accepted("icbc", other.body(await person(other), "00"))
        j = await ns.journal()
        assert j["size"] == 5 and len(j["entries"]) == 5 and j["total"] > 5
        assert [e["seq"] for e in j["entries"]] == list(range(j["total"] - 4, j["total"] + 1))
        assert [e for e in j["entries"] if e["kind"] == "submit"][-1]["request_no"] == "j1-12"
        assert all(e.get("request_no", "j2").startswith("j2") for e in (await other.journal())["entries"])


# ------------------------------------------------------------------------------------------------ faults


async def _fault_setup(client: httpx.AsyncClient, name: str, **rates: Any) -> tuple[NS, dict, str, int]:
    ns = NS(client, name)
    await ns.create(profile="fast", seed=1)
    d = await person(ns)
    (acct,) = await ns.pin(d, "icbc", [80_000])
    await ns.faults(**rates)
    return ns, d, acct, await ns.total()


@pytest.mark.parametrize(
    ("rates", "statuses", "fault"),
    [
        ({"error_5xx": 1.0}, {500, 502, 503}, "5xx"),
        ({"timeout": 1.0}, {504}, "timeout"),
        ({"rate_limit": 1.0, "retry_after_min_seconds": 5, "retry_after_max_seconds": 9}, {429}, "429"),
    ],
)
async def test_faults_reject_without_touching_the_ledger(
    client: httpx.AsyncClient, rates: dict, statuses: set[int], fault: str
) -> None:
    ns, d, acct, total0 = await _fault_setup(client, "faulty", **rates)
    for _ in range(5):
        r = await ns.submit("icbc", ns.body(d, "01", account_no=acct, amount_cents=10_000))
        assert r.status_code in statuses and r.headers["X-Zhixing-Fault"] == fault
        assert_bilingual(r.json()["error"])
        if fault == "429":
            assert 5 <= int(r.headers["Retry-After"]) <= 9
    await ns.advance(seconds=86400)
    assert (await client.get("/admin/sessions/faulty")).json()["tickets"] == 0
    (h,) = await ns.holdings("icbc", d)
    assert h["available_cents"] == 80_000 and not h["existing_freezes"]
    assert await ns.total() == total0


async def test_connection_reset_fault_drops_the_connection(client: httpx.AsyncClient) -> None:
    ns, d, acct, total0 = await _fault_setup(client, "resets", reset=1.0)
    with pytest.raises(ConnectionResetError):
        await ns.submit("icbc", ns.body(d, "01", account_no=acct, amount_cents=10_000))
    assert (await client.get("/admin/sessions/resets")).json()["tickets"] == 0
    assert (await ns.holdings("icbc", d))[0]["available_cents"] == 80_000


async def test_fault_rate_is_seeded_and_only_accepted_requests_act(client: httpx.AsyncClient) -> None:
    async def run(name: str) -> list[int]:
        ns, d, _, total0 = await _fault_setup(client, name, error_5xx=0.15, rate_limit=0.15)
        codes = [(await ns.submit("icbc", ns.body(d, "00"))).status_code for _ in range(300)]
        info = (await client.get(f"/admin/sessions/{name}")).json()
        assert info["tickets"] == codes.count(202)
        assert await ns.total() == total0
        return codes

    first = await run("rate1")
    faults = sum(1 for c in first if c != 202) / len(first)
    assert 0.2 <= faults <= 0.4  # 0.3 expected; 300 draws keep this far from flaky
    assert await run("rate2") == first  # same seed, same sequence of faults


async def test_maintenance_window_answers_503_with_retry_after(client: httpx.AsyncClient) -> None:
    ns = NS(client, "maint")
    sunday_night = datetime(2026, 3, 8, 1, 0, tzinfo=CST)
    only_faults_off = {"*": {"faults": NO_FAULTS["*"]["faults"]}}
    await ns.create(profile="realistic", overrides=only_faults_off, origin=sunday_night.isoformat())
    r = await client.get("/admin/sessions/maint/behaviour/icbc")
    assert r.json()["maintenance"], "banks have a Sunday-night window in the realistic profile"
    d = await person(ns)
    r = await ns.submit("icbc", ns.body(d, "00"))
    assert r.status_code == 503 and r.headers["X-Zhixing-Fault"] == "maintenance"
    assert int(r.headers["Retry-After"]) == 3 * 3600
    await ns.advance(seconds=3 * 3600)
    assert (await ns.submit("icbc", ns.body(d, "00"))).status_code == 202


# --------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("court_code"), "court_code"),
        (lambda b: b.update(measure="99"), "measure"),
        (lambda b: b.update(amount_cents=-5), "amount_cents"),
        (lambda b: b.update(amount_cents="lots"), "amount_cents"),
        (lambda b: b.update(account_no=None), "account_no"),
        (lambda b: b["subject"].update(id_number="12345"), "id_number"),
        (lambda b: b["subject"].update(id_number="110101199003070000"), "id_number"),  # bad check digit
        (lambda b: b.update(unexpected=1), "unexpected"),
    ],
)
async def test_bad_input_is_4xx_per_field_and_changes_nothing(
    client: httpx.AsyncClient, mutate: Any, field: str
) -> None:
    ns = NS(client, "bad")
    d = await person(ns)
    (acct,) = await ns.pin(d, "icbc", [9_000])
    total0 = await ns.total()
    body = ns.body(d, "01", account_no=acct, amount_cents=1_000)
    mutate(body)
    r = await ns.submit("icbc", body)
    assert 400 <= r.status_code < 500, r.text
    assert_bilingual(r.json()["error"], field)
    for f in r.json()["error"]["fields"]:
        assert f["zh"] and f["en"]
    assert (await client.get("/admin/sessions/bad")).json()["tickets"] == 0
    assert (await ns.holdings("icbc", d))[0]["available_cents"] == 9_000 and await ns.total() == total0


async def test_unsupported_measure_and_unknown_freeze_are_rejected(client: httpx.AsyncClient) -> None:
    ns = NS(client, "unsupported")
    d = await person(ns)
    r = await ns.submit("csdc", ns.body(d, "06", freeze_id="F1", amount_cents=1, target_account="X"))
    assert r.status_code == 422
    assert_bilingual(r.json()["error"], "measure")
    r = await ns.submit("icbc", ns.body(d, "04", freeze_id="NO-SUCH-FREEZE"))
    assert 400 <= r.status_code < 500
    assert_bilingual(r.json()["error"], "freeze_id")
    assert r.json()["error"]["where"] == "body.freeze_id"  # named like schema errors: body.<field>
    r = await client.post("/agencies/icbc/requests", content=b'{"request_no": ', headers=ns.h)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "body"
    assert (await client.get("/admin/sessions/unsupported")).json()["tickets"] == 0


async def test_admin_rejects_bad_requests_bilingually(client: httpx.AsyncClient) -> None:
    for method, url, body in [
        ("PUT", "/admin/sessions/x1", {"profile": "nope"}),
        ("PUT", "/admin/sessions/x1", {"overrides": {"*": {"faults": {"error_5xx": 2}}}}),
        ("POST", "/admin/sessions/x1/advance", {"seconds": 1, "to": "2026-03-02T10:00:00+08:00"}),
        ("POST", "/admin/sessions/x1/advance", {"to": "2020-01-01T00:00:00+08:00"}),
        ("PUT", "/admin/sessions/bad name!", {}),
    ]:
        r = await client.request(method, url, json=body)
        assert 400 <= r.status_code < 500, (url, body, r.text)
        assert_bilingual(r.json()["error"])
    r = await client.get("/agencies/icbc/requests/TK1", headers={"X-Zhixing-Session": "no spaces allowed"})
    assert r.status_code == 422


# ------------------------------------------------------------------------------------ profiles and clock


_REGISTRY = load_profile("realistic").behaviour("registry", "real_estate_registry")


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20)))
def test_registry_next_open_is_the_first_poll_instant(naive: datetime) -> None:
    at = naive.replace(tzinfo=CST)
    t = _REGISTRY.next_open(at)
    assert t >= at
    assert is_workday(t.date()) and 8 <= t.hour < 18 and t.minute % 20 == 0 and t.second == 0
    # no earlier poll instant in [at, t)
    probe = at.replace(minute=(at.minute // 20) * 20, second=0, microsecond=0)
    while probe < t:
        if probe >= at:
            assert not (is_workday(probe.date()) and 8 <= probe.hour < 18), (at, t, probe)
        probe += timedelta(minutes=20)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["icbc", "alipay", "csdc"]))
def test_latency_draws_stay_in_the_profile_range(seed: int, code: str) -> None:
    profile = load_profile("realistic", NO_FAULTS)
    agency = load_catalogue().get(code)
    b = profile.behaviour(agency.profile, code)
    rng = random.Random(seed)
    start = datetime(2026, 3, 3, 10, 0, tzinfo=CST)  # a Tuesday: no maintenance window
    for measure in (Measure.QUERY, Measure.FREEZE):
        lat = b.latency_for(measure)
        due = b.answer_due(measure, start, rng)
        assert timedelta(seconds=lat.min_seconds) <= due - start <= timedelta(seconds=lat.max_seconds + 1)


def test_virtual_clock_skips_and_scales() -> None:
    real = [100.0]
    clock = VirtualClock(datetime(2026, 1, 5, 9, 0), scale=0.0, monotonic=lambda: real[0])
    assert clock.now() == datetime(2026, 1, 5, 9, 0, tzinfo=CST)
    real[0] += 50
    assert clock.now() == datetime(2026, 1, 5, 9, 0, tzinfo=CST)  # scale 0: only skips move it
    clock.skip(timedelta(hours=2))
    clock.set_scale(60.0)
    real[0] += 10
    assert clock.now() == datetime(2026, 1, 5, 11, 10, tzinfo=CST)
    assert clock.real_seconds_until(datetime(2026, 1, 5, 12, 10, tzinfo=CST)) == pytest.approx(60.0)
    clock.skip_to(datetime(2026, 1, 5, 10, 0, tzinfo=CST))  # the past: unchanged
    assert clock.now() == datetime(2026, 1, 5, 11, 10, tzinfo=CST)
    with pytest.raises(ValueError):
        clock.skip(timedelta(seconds=-1))


def test_journal_keeps_the_newest_entries() -> None:
    j = Journal(3)
    at = datetime(2026, 1, 1, tzinfo=CST)
    for i in range(7):
        j.record(at, "submit" if i % 2 else "answer", i=i)
    assert [e["i"] for e in j.entries()] == [4, 5, 6] and j.total == 7
    assert [e["i"] for e in j.entries(kind="submit")] == [5]
    assert [e["i"] for e in j.entries(limit=2)] == [5, 6]


# ------------------------------------------------------------------------------------------------- CLI


def test_cli_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from zhixing.cli import main

    assert main(["agencies", "list", "--json", "--group", "internet_finance"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == [a.code for a in load_catalogue().by_group("internet_finance")]
    assert main(["agencies", "list", "--group", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "--group" in err and "未知" in err and "unknown" in err
    assert main(["agencies", "serve", "--profile", "nope"]) == 2  # refused before anything starts


def test_cli_lists_the_catalogue_in_words_a_court_reads(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    """The table said `national_bank` and `00 01 02 04 06`; a group may be asked for by its Chinese name; at 80
    columns no cell is cut to "…" (rich cut a run of Chinese, which has no spaces to wrap at)."""
    from zhixing.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["agencies", "list", "--group", "全国性银行"]) == 0
    out = capsys.readouterr().out
    for said in ("全国性银行", "national_bank", "查询、", "扣划"):  # cells fold at 80 columns, mid-word if need be
        assert said in out, said
    assert " 01 02 " not in out  # measures by name, not code
    assert "…" not in out and "淘宝" not in out  # the group only, nothing cut


def test_docs_work_offline() -> None:
    """The mock agencies' /docs loads Swagger UI from this server, never from a CDN."""
    from fastapi.testclient import TestClient

    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings

    client = TestClient(create_app(Settings(background=False, world_size=100)))
    page = client.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


async def test_a_body_that_is_not_utf8_is_said_in_chinese_in_the_chinese_half(client: httpx.AsyncClient) -> None:
    """The Chinese half read "请求无法解析：There was an error parsing the body" (Starlette's English inside it)."""
    r = await client.post("/agencies/icbc/requests", content=b'{"a": "\xff\xfe"}',
                          headers={"Content-Type": "application/json"})
    error = r.json()["error"]
    assert r.status_code == 400 and error["code"] == "bad_request" and error["where"] == "body"
    assert "UTF-8" in error["zh"] and not any("a" <= ch.lower() <= "z" for ch in error["zh"].replace("UTF", "")
                                             .replace("JSON", ""))
