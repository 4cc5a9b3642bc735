"""Callbacks from the mock agencies, with respx on the receiving side: delivery, retry with backoff until
acknowledged, giving up (the answer stays pollable), duplicates and reordering on demand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from mock_agencies.callbacks import CallbackOutbox, DeliveryState
from mock_agencies.clock import CST
from tests.test_agencies_api import NS, make_client, person

RECEIVER = "http://receiver.test/feedback"
HOSTS = ("receiver.test",)  # the allow-list of callback hosts (loopback only by default)


@pytest.fixture
async def client() -> httpx.AsyncClient:
    async with make_client(callback_max_attempts=4, callback_backoff_seconds=30, callback_hosts=HOSTS) as c:
        yield c


@pytest.fixture
def receiver() -> respx.MockRouter:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def payloads(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


async def _setup(client: httpx.AsyncClient, name: str, overrides: dict | None = None) -> tuple[NS, dict]:
    ns = NS(client, name)
    await ns.create(profile="fast", seed=2, overrides=overrides or {})
    return ns, await person(ns)


async def test_answer_is_posted_to_the_callback_url(client: httpx.AsyncClient, receiver: respx.MockRouter) -> None:
    route = receiver.post(RECEIVER).mock(return_value=httpx.Response(200))
    ns, d = await _setup(client, "deliver")
    ticket = await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER))
    assert not route.called  # nothing posted before time passes
    await ns.advance(seconds=0)
    assert route.call_count == 1
    request = route.calls[0].request
    assert request.headers["Idempotency-Key"] == ticket["ticket_id"]
    polled = await ns.poll("icbc", ticket["ticket_id"])
    assert payloads(route) == [polled["feedback"]]
    assert (await ns.advance(seconds=86400))["callback_attempts"] == 0  # acknowledged: never again


async def test_failed_delivery_is_retried_with_backoff_until_acknowledged(
    client: httpx.AsyncClient, receiver: respx.MockRouter
) -> None:
    route = receiver.post(RECEIVER).mock(
        side_effect=[httpx.Response(500), httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(204)]
    )
    ns, d = await _setup(client, "retry")
    await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER))
    summary = await ns.advance(seconds=3600)
    assert route.call_count == 4 and summary["callbacks_acknowledged"] == 1
    attempts = (await ns.journal(kind="callback"))["entries"]
    times = [datetime.fromisoformat(e["at"]) for e in attempts]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [30, 60, 120]  # exponential backoff in virtual time
    assert [e["state"] for e in attempts] == ["pending", "pending", "pending", "acknowledged"]
    assert len({json.dumps(p, sort_keys=True) for p in payloads(route)}) == 1  # the same answer each time


async def test_by_default_delivery_is_retried_up_to_a_limit_with_capped_backoff_then_marked_failed(
    receiver: respx.MockRouter,
) -> None:
    route = receiver.post(RECEIVER).mock(return_value=httpx.Response(503))
    async with make_client(callback_hosts=HOSTS) as client:
        ns, d = await _setup(client, "limit")
        ticket = await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER))
        summary = await ns.advance(seconds=365 * 86400)  # a year: the dead receiver is not tried for ever
        assert route.call_count == summary["callback_attempts"] == 12  # the default callback_max_attempts
        attempts = (await ns.journal(kind="callback"))["entries"]
        times = [datetime.fromisoformat(e["at"]) for e in attempts]
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        assert gaps == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]  # doubling, capped at an hour
        (failed,) = (await ns.journal(kind="callback_failed"))["entries"]
        assert failed["attempts"] == 12 and failed["status"] == 503 and failed["key"] == ticket["ticket_id"]
        callbacks = (await client.get(f"/admin/sessions/{ns.name}/callbacks")).json()
        assert callbacks["pending"] == [] and [d["state"] for d in callbacks["done"]] == ["abandoned"]
        assert (await ns.poll("icbc", ticket["ticket_id"]))["feedback"]["ok"] is True  # still pollable


async def test_delivery_is_abandoned_after_max_attempts_and_stays_pollable(
    client: httpx.AsyncClient, receiver: respx.MockRouter
) -> None:
    route = receiver.post(RECEIVER).mock(return_value=httpx.Response(500))
    ns, d = await _setup(client, "abandon")
    ticket = await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER))
    await ns.advance(seconds=7 * 86400)
    assert route.call_count == 4  # callback_max_attempts
    callbacks = (await client.get(f"/admin/sessions/{ns.name}/callbacks")).json()
    assert callbacks["pending"] == [] and [d["state"] for d in callbacks["done"]] == ["abandoned"]
    assert (await ns.poll("icbc", ticket["ticket_id"]))["feedback"]["ok"] is True


async def test_duplicated_callbacks_on_demand(client: httpx.AsyncClient, receiver: respx.MockRouter) -> None:
    route = receiver.post(RECEIVER).mock(return_value=httpx.Response(200))
    ns, d = await _setup(client, "dups", {"*": {"callbacks": {"duplicate_rate": 1.0}}})
    tickets = [(await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER)))["ticket_id"] for _ in range(3)]
    await ns.advance(seconds=3600)
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert sorted(keys) == sorted(tickets * 2)
    for tid in tickets:
        same = [p for p in payloads(route) if p["ticket_id"] == tid]
        assert len(same) == 2 and same[0] == same[1]


async def _arrival_order(client: httpx.AsyncClient, name: str, reorder_rate: float) -> tuple[list[str], list[str]]:
    overrides = {"*": {"callbacks": {"reorder_rate": reorder_rate, "reorder_max_delay_seconds": 3600}}}
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(RECEIVER).mock(return_value=httpx.Response(200))
        ns, d = await _setup(client, name, overrides)
        sent = [(await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER)))["ticket_id"] for _ in range(8)]
        await ns.advance(seconds=2 * 3600)
        return sent, [p["ticket_id"] for p in payloads(route)]


async def test_reordered_callbacks_on_demand(client: httpx.AsyncClient) -> None:
    sent, arrived = await _arrival_order(client, "inorder", 0.0)
    assert arrived == sent
    sent, arrived = await _arrival_order(client, "shuffled", 1.0)
    assert sorted(arrived) == sorted(sent) and arrived != sent  # all delivered, not in answer order
    again = await _arrival_order(client, "shuffled2", 1.0)
    assert [s[-4:] for s in again[1]] == [s[-4:] for s in arrived]  # seeded: the same order again


def test_backoff_doubles_and_is_capped() -> None:
    outbox = CallbackOutbox(max_attempts=10, backoff_seconds=30, backoff_cap_seconds=200)
    assert [outbox.backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 200, 200]


async def test_outbox_orders_by_due_time_then_sequence() -> None:
    outbox = CallbackOutbox()
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
    outbox.queue("http://r/a", {"n": 1}, t0 + timedelta(minutes=5))
    outbox.queue("http://r/b", {"n": 2}, t0)
    outbox.queue("http://r/c", {"n": 3}, t0)
    assert outbox.next_due() == t0
    assert [d.payload["n"] for d in outbox.pop_due(t0)] == [2, 3]
    assert outbox.pop_due(t0 + timedelta(minutes=4)) == []
    (late,) = outbox.pop_due(t0 + timedelta(minutes=5))
    assert late.state is DeliveryState.PENDING and late.payload == {"n": 1}


async def test_callbacks_due_together_are_posted_concurrently_and_journalled_in_order(receiver) -> None:
    """Ten answers due at one instant: their callbacks overlap on the wire (at most ``callback_concurrency`` out
    at once), each is acknowledged once, and the journal lists them in due order."""
    import asyncio

    out = peak = 0
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal out, peak
        out += 1
        peak = max(peak, out)
        if peak >= 4:
            release.set()
        await asyncio.wait_for(release.wait(), 5)
        out -= 1
        return httpx.Response(200)

    route = receiver.post(RECEIVER).mock(side_effect=slow)
    async with make_client(callback_concurrency=4, callback_hosts=HOSTS) as c:
        ns, d = await _setup(c, "together")
        tickets = [await ns.accepted("icbc", ns.body(d, "00", callback_url=RECEIVER, request_no=f"T{i}"))
                   for i in range(10)]
        await ns.advance(seconds=0)
        assert route.call_count == 10 and peak == 4
        keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
        assert sorted(keys) == sorted(t["ticket_id"] for t in tickets)
        journal = (await c.get(f"/admin/sessions/{ns.name}/journal", params={"kind": "callback"})).json()
        assert [e["key"] for e in journal["entries"]] == [t["ticket_id"] for t in tickets]
        assert all(e["state"] == "acknowledged" for e in journal["entries"])
