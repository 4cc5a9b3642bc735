"""集约查询 through the 总对总 system over real HTTP with polling only (no callbacks): the gateway polls the hub's
ticket, each poll returns every answer so far while the ticket is still open, and each agency's answer reaches
the court exactly once — the scope covered, the holdings those the agencies hold. The mock server runs under
uvicorn on loopback; both clocks run at the same compressed speed; the test waits on events, never sleeps."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import httpx

from core_flow.agency_directory import AgencyDirectory, inquiry_scope
from core_flow.clocks import AsyncioClock
from core_flow.gateway import Gateway, GatewayConfig, HttpTransport, RequestState, RetryPolicy
from core_flow.legal_calendar import CST
from core_flow.protocol import HUB, ControlRequest, Feedback, Measure
from mock_agencies.app import create_app
from mock_agencies.session import SessionConfig
from mock_agencies.settings import Settings
from sim.live import HOST, _serve, free_port

ORIGIN = datetime(2026, 3, 3, 9, 0, tzinfo=CST)  # a Tuesday
SCALE = 200_000.0  # virtual seconds per real second: a day of agency latency in ~0.4 s


async def test_polled_hub_tickets_pass_each_agency_on_once():
    port = free_port()
    app = create_app(Settings(host=HOST, port=port, seed=3, profile="realistic", time_scale=SCALE, origin=ORIGIN,
                              world_size=500, background=True))
    server, task = await _serve(app, port)
    client = httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=10.0)
    try:
        session = app.state.sessions.create("default", SessionConfig(
            seed=3, profile="realistic", time_scale=SCALE, origin=ORIGIN,
            overrides={"*": {"faults": {"error_5xx": 0.05, "timeout": 0.0, "reset": 0.0, "rate_limit": 0.05}}}))
        directory = AgencyDirectory.from_json((await client.get("/agencies")).json())
        answers: list[Feedback] = []
        changed = asyncio.Event()

        def on_answer(feedback: Feedback) -> None:
            answers.append(feedback)
            changed.set()

        clock = AsyncioClock(ORIGIN, scale=SCALE)
        gateway = Gateway(HttpTransport(client), clock, seed=3, on_answer=on_answer, config=GatewayConfig(
            retry=RetryPolicy(attempts=20, base=1.0, cap=600.0), poll_interval=timedelta(minutes=30),
            request_timeout=10.0))
        debtors = [session.world.debtor(i) for i in range(6)]
        scopes = {}
        for n, d in enumerate(debtors):
            scope = tuple(a.code for a in inquiry_scope(directory, d.id_number, "410811", d.kind))
            scopes[f"Q{n}"] = (d.id_number, scope)
            gateway.send(HUB, ControlRequest(request_no=f"Q{n}", court_code="R410811", case_no=f"(2026)豫0811执{n}号",
                                             measure=Measure.QUERY, subject=d.subject(), scope=scope))
        async with asyncio.timeout(60):
            while gateway.pending:
                changed.clear()
                try:
                    await asyncio.wait_for(changed.wait(), 0.05)
                except TimeoutError:
                    pass
        parts = Counter(f.request_no for f in answers)
        for request_no, (id_number, scope) in scopes.items():
            assert gateway.state_of(HUB, request_no) is RequestState.ANSWERED
            got = [f for f in answers if f.request_no == request_no]
            passed_on = Counter(a for f in got for a in f.batch.agencies())
            assert passed_on == Counter(scope), request_no  # every agency of the scope, each exactly once
            found = {a.agency: a.holdings for f in got for a in f.batch.found}
            held = {code for code in scope if session.world.holdings(id_number, code)}
            assert set(found) == held and all(found[c] == session.world.holdings(id_number, c) for c in held)
        assert max(parts.values()) > 1  # realistic latencies: the answers came in several polls
        assert gateway.stats()["polls"] > len(scopes)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        await client.aclose()
