"""A mock agencies server that stops answering for a while (a brief outage on the lab's network): the court's
集约查询 once stayed stuck for good — the port's failure escaped the SimPy step (the request never answered, never
retried, no failure recorded) and the next advance answered 500. Now a request sent in the outage is a connection
failure the gateway retries, and the inquiry completes once the server answers again. Virtual time; nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from mock_agencies.clock import CST
from mock_agencies.settings import Settings
from scenarios.remote import build_remote_court
from tests.test_agencies_live import LiveServer, free_port

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


class Outage(httpx.BaseTransport):
    """The client's own transport, refusing every connection while ``down``."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.down, self.refused = inner, False, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused += 1
            raise httpx.ConnectError("connection refused (outage)", request=request)
        return self.inner.handle_request(request)


def _inquiry_in_outage(server: str, minutes: int) -> list:
    """A case's 集约查询 sent while the server refuses connections for ``minutes`` virtual minutes; its events two
    days later."""
    court = build_remote_court(server, ORIGIN, seed=5)
    try:
        client = court.session.client
        outage = Outage(client.http._transport)
        client.http._transport = outage
        p = court.platform
        debtor = court.session.world.debtor(6)
        p.file(c.FileCase("K1", debtors=(debtor.id_number,), amount_cents=50_000_00), [debtor.subject()])
        p.submit(c.Assign("K1", "张法官"))
        outage.down = True
        p.submit(c.VerifyIdentity("K1", debtor.id_number, True))  # the 集约查询 goes out: refused
        with pytest.raises(UserError) as err:  # the court's clock moved; the namespace's could not follow: said
            court.run_for(timedelta(minutes=minutes))
        assert err.value.code == "agencies_unreachable" and outage.refused
        outage.down = False
        court.run_for(timedelta(days=2))  # no StopSimulation (a 500 over HTTP), no request lost
        return court.runtime.case_events("K1")
    finally:
        court.close()


def _exchanges(events: list, kind: str) -> list:
    return [e for e in events if e.kind == EventKind.EXCHANGE and e.data.get("kind") == kind]


def test_an_inquiry_sent_in_a_brief_outage_is_retried_and_answered(server: str) -> None:
    events = _inquiry_in_outage(server, 2)
    kinds = [e.kind for e in events]
    assert _exchanges(events, "retry_scheduled") and not _exchanges(events, "gave_up")
    assert EventKind.INQUIRY_COMPLETED in kinds and EventKind.INQUIRY_FAILED not in kinds
    assert EventKind.INQUIRY_ANSWERED in kinds or EventKind.INQUIRY_NONE_FOUND in kinds


def test_an_inquiry_the_gateway_gives_up_on_is_recorded_failed_not_left_pending(server: str) -> None:
    events = _inquiry_in_outage(server, 60)  # longer than the gateway's retries last
    assert _exchanges(events, "gave_up")
    failed = [e for e in events if e.kind == EventKind.INQUIRY_FAILED]
    assert failed and set(failed[0].data["codes"]) == {"gave_up"}
    assert EventKind.INQUIRY_COMPLETED in [e.kind for e in events]


def test_a_new_court_never_wipes_a_namespace_that_exists(server: str) -> None:
    """PUT /court naming a namespace another court (or test) uses replaced it: its freezes gone without a word."""
    admin = f"{server}/admin/sessions/taken"
    assert httpx.put(admin, json={"seed": 1, "profile": "fast", "time_scale": 0.0,
                                  "origin": ORIGIN.isoformat()}, timeout=5).status_code < 300
    httpx.post(f"{admin}/pins/batch", json={"pins": []}, timeout=5)
    before = httpx.get(admin, timeout=5).json()
    with pytest.raises(UserError) as err:
        build_remote_court(server, ORIGIN, seed=5, namespace="taken")
    assert err.value.code == "namespace_exists" and "taken" in err.value.zh and "attach" in err.value.en
    after = httpx.get(admin, timeout=5).json()
    assert after == before  # untouched: not replaced, and not deleted by the refused court's clean-up
    httpx.delete(admin, timeout=5)
