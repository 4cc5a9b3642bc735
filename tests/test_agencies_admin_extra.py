"""The admin endpoints a court on a remote server needs (scenarios/remote.py): a ticket's due instant, a freeze
by id, a payout from a case sub-account, pins in a batch. Through httpx's ASGI transport (driven from plain
test functions, so hypothesis can run them); time is skipped through the admin API, never slept."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_agencies.app import create_app
from mock_agencies.settings import Settings

COURT = "R410811"
CASE = "(2026)豫0811执77号"
_names = itertools.count(1)


class Client:
    """Synchronous calls to the app through ``httpx.ASGITransport`` on a private event loop."""

    def __init__(self) -> None:
        app = create_app(Settings(time_scale=0.0, world_size=2000, background=False, profile="fast",
                                  max_sessions=10_000))
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    c = Client()
    yield c
    c.close()


class NS:
    def __init__(self, c: Client, **spec: Any) -> None:
        self.c = c
        self.name = f"extra-{next(_names)}"
        self.admin = f"/admin/sessions/{self.name}"
        self.h = {"X-Zhixing-Session": self.name}
        r = c.put(self.admin, json={"profile": "fast", "seed": 4, **spec})
        assert r.status_code == 200, r.text
        self.now = datetime.fromisoformat(r.json()["now"])
        self.debtor = next(d for d in (c.get(f"{self.admin}/debtors/{i}").json() for i in range(50))
                           if d["kind"] == "person")
        self._n = 0

    def pin(self, agency: str, balance: int, account: str = "PIN000001") -> str:
        holding = {"account_no": account, "kind": "deposit", "balance_cents": balance, "available_cents": balance}
        r = self.c.put(f"{self.admin}/pins", json={"agency": agency, "id_number": self.debtor["id_number"],
                                                   "holdings": [holding]})
        assert r.status_code == 200, r.text
        return account

    def submit(self, agency: str, measure: str, **fields: Any) -> dict:
        self._n += 1
        d = self.debtor
        body = {"request_no": f"{self.name}-{self._n}", "court_code": COURT, "case_no": CASE, "measure": measure,
                "subject": {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}, **fields}
        r = self.c.post(f"/agencies/{agency}/requests", json=body, headers=self.h)
        assert r.status_code == 202, r.text
        return r.json()

    def answer(self, agency: str, ticket_id: str) -> dict:
        r = self.c.get(f"/agencies/{agency}/requests/{ticket_id}", headers=self.h)
        assert r.status_code == 200, r.text
        return r.json()

    def advance(self, seconds: float) -> None:
        r = self.c.post(f"{self.admin}/advance", json={"seconds": seconds})
        assert r.status_code == 200, r.text

    def holdings(self, agency: str) -> list[dict]:
        return self.c.get(f"{self.admin}/holdings/{agency}/{self.debtor['id_number']}").json()

    def money_in_court_account(self, amount: int) -> str:
        """A sub-account holding ``amount``: pinned deposit, frozen, deducted into the sub-account."""
        sub = self.c.post(f"{self.admin}/court-accounts", json={"court_code": COURT, "case_no": CASE}).json()
        account = self.pin("icbc", amount)
        freeze = self.answer("icbc", self.submit("icbc", "01", account_no=account, amount_cents=amount)["ticket_id"])
        fid = freeze["feedback"]["freeze_id"]
        self.submit("icbc", "06", freeze_id=fid, amount_cents=amount, target_account=sub["sub_account"])
        assert self.balance(sub["sub_account"]) == amount
        return sub["sub_account"]

    def balance(self, sub: str) -> int:
        return self.c.get(f"{self.admin}/court-accounts/{sub}").json()["balance_cents"]


def assert_bilingual(error: dict, where: str) -> None:
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["zh"]) and error["en"].isascii(), error
    assert error["where"] == where, error


# ── a ticket and when its answer is due ───────────────────────────────────────────────────────────


def test_ticket_due_instant_is_when_the_answer_comes(client: Client) -> None:
    ns = NS(client, overrides={"*": {"latency": {"query": {"dist": "fixed", "min_seconds": 7200}}}})
    ticket = ns.submit("icbc", "00")
    info = client.get(f"{ns.admin}/tickets/{ticket['ticket_id']}").json()
    due = datetime.fromisoformat(info["due_at"])
    assert due == datetime.fromisoformat(ticket["accepted_at"]) + timedelta(hours=2)
    assert info["answered"] is False and info["ticket"]["status"] == "accepted"
    ns.advance(7199)
    assert ns.answer("icbc", ticket["ticket_id"])["feedback"] is None  # one second early: nothing yet
    ns.advance(1)
    polled = ns.answer("icbc", ticket["ticket_id"])
    assert datetime.fromisoformat(polled["feedback"]["answered_at"]) == due
    assert client.get(f"{ns.admin}/tickets/{ticket['ticket_id']}").json()["answered"] is True


def test_unknown_ticket_is_404_naming_the_path(client: Client) -> None:
    ns = NS(client)
    r = client.get(f"{ns.admin}/tickets/TK404")
    assert r.status_code == 404
    assert_bilingual(r.json()["error"], "path.ticket_id")


# ── a freeze by id ───────────────────────────────────────────────────────────────────────────────


def test_freeze_by_id_follows_the_ledger(client: Client) -> None:
    ns = NS(client)
    account = ns.pin("icbc", 100_000)
    fb = ns.answer("icbc", ns.submit("icbc", "01", account_no=account, amount_cents=60_000)["ticket_id"])["feedback"]
    view = client.get(f"{ns.admin}/freezes/{fb['freeze_id']}").json()
    assert (view["agency"], view["account_no"], view["case_no"]) == ("icbc", account, CASE)
    assert view["state"] == "active" and view["controlled_cents"] == 60_000 == view["requested_cents"]
    (h,) = ns.holdings("icbc")
    assert h["available_cents"] == 100_000 - view["controlled_cents"]
    ns.submit("icbc", "04", freeze_id=fb["freeze_id"])  # release
    after = client.get(f"{ns.admin}/freezes/{fb['freeze_id']}").json()
    assert after["state"] != "active" and after["controlled_cents"] == 0
    missing = client.get(f"{ns.admin}/freezes/NOPE")
    assert missing.status_code == 404
    assert_bilingual(missing.json()["error"], "path.freeze_id")


# ── paying out of a case sub-account ─────────────────────────────────────────────────────────────


def test_payout_books_on_the_sub_account_and_refuses_beyond_the_balance(client: Client) -> None:
    ns = NS(client)
    sub = ns.money_in_court_account(40_000)
    r = client.post(f"{ns.admin}/court-accounts/{sub}/payouts", json={"amount_cents": 15_000, "payee": "张三"})
    assert r.status_code == 200, r.text
    assert r.json()["balance_cents"] == 25_000 == ns.balance(sub)
    entries = client.get(f"{ns.admin}/court-accounts/{sub}").json()["entries"]
    assert entries[-1]["kind"] == "pay_out" and entries[-1]["counterparty"] == "张三"
    too_much = client.post(f"{ns.admin}/court-accounts/{sub}/payouts", json={"amount_cents": 25_001})
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "insufficient_funds"
    assert_bilingual(too_much.json()["error"], "body.amount_cents")
    assert ns.balance(sub) == 25_000
    unknown = client.post(f"{ns.admin}/court-accounts/YAYZH-X-0/payouts", json={"amount_cents": 1})
    assert unknown.status_code == 404
    assert_bilingual(unknown.json()["error"], "path.sub")
    assert client.post(f"{ns.admin}/court-accounts/{sub}/payouts", json={"amount_cents": 0}).status_code == 422


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=30_000), max_size=6))
def test_payouts_never_overdraw_and_the_balance_adds_up(client: Client, amounts: list[int]) -> None:
    ns = NS(client)
    sub = ns.money_in_court_account(50_000)
    balance = 50_000
    for amount in amounts:
        r = client.post(f"{ns.admin}/court-accounts/{sub}/payouts", json={"amount_cents": amount})
        assert r.status_code == (200 if amount <= balance else 422), r.text
        if amount <= balance:
            balance -= amount
    assert ns.balance(sub) == balance >= 0
    total = client.get(f"{ns.admin}/ledger").json()
    assert total["total_cents"] == total["origin_cents"]  # money paid out moved, none created or lost


# ── pins in a batch ──────────────────────────────────────────────────────────────────────────────


def test_pins_batch_applies_in_order_and_names_a_bad_entry(client: Client) -> None:
    ns = NS(client)
    owner = ns.debtor["id_number"]

    def pin(agency: str, balance: int) -> dict:
        return {"agency": agency, "id_number": owner, "holdings": [
            {"account_no": "PIN0000009", "kind": "deposit", "balance_cents": balance, "available_cents": balance}]}

    r = client.post(f"{ns.admin}/pins/batch", json={"pins": [pin("icbc", 100), pin("ccb", 7), pin("icbc", 300)]})
    assert r.status_code == 200 and r.json() == {"pins": 3, "holdings": 3}
    assert [h["balance_cents"] for h in ns.holdings("icbc")] == [300]  # the later pin of the same pair wins
    assert [h["balance_cents"] for h in ns.holdings("ccb")] == [7]
    bad = client.post(f"{ns.admin}/pins/batch", json={"pins": [pin("abc", 5), {**pin("icbc", 1), "agency": "nope"}]})
    assert bad.status_code == 404
    assert bad.json()["error"]["where"].startswith("body.pins[1]")
    assert [h["balance_cents"] for h in ns.holdings("abc")] == [5]  # the entries before it stay applied
    assert [h["balance_cents"] for h in ns.holdings("icbc")] == [300]
