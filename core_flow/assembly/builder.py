"""Build a court from its specification: the only place a court is wired.

``build_court(spec)`` for the virtual clock (SimPy: the gateway's simulated transport calls the counterpart's
port at virtual instants); ``open_court(spec)`` (async context manager) for real time (the gateway talks HTTP to
the counterpart's base URL, answers come back by callback to the court's receiver, resumptions are pushed over
HTTP to the reference filing receiver). Both take the counterpart from the spec (a plugin), or one given — a
second court on the same agencies passes the first court's counterpart and clock.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core_flow.agency_directory import AgencyDirectory
from core_flow.assembly.court import Court
from core_flow.assembly.plugins import counterpart_factory, staff_factory
from core_flow.assembly.spec import ClockKind, CourtSpec
from core_flow.clocks import SimClock
from core_flow.engine import Engine
from core_flow.errors import UserError
from core_flow.gateway import Gateway, GatewayConfig, RetryPolicy, SimulatedTransport
from core_flow.legal_calendar import HolidayCalendar, LegalCalendar
from core_flow.model import Process
from core_flow.platform import LocalFilingPush, Platform
from core_flow.process_loader import default_process, load_process
from core_flow.protocol import HUB
from core_flow.runtime import Runtime

HOST = "127.0.0.1"
# The gateway's retry policy, the same on either clock: how often a 查控 or platform call is tried, and how long the
# waits between tries are (virtual seconds), is the court's rule, not the clock's. The real-time court had its own
# (20 attempts, waits up to 600 s) since the first live demo: a call the virtual court gave up within minutes was
# still retried after an hour there, and scenarios timed on the gateway's give-up failed on --realtime (H63).
RETRY = RetryPolicy(attempts=12, base=1, cap=300)


def _runtime(spec: CourtSpec, clock: Any) -> Runtime:
    if spec.process is None:
        process = default_process()
    elif isinstance(spec.process, Process):
        process = spec.process
    else:
        process = load_process(spec.process)
    calendar = LegalCalendar(HolidayCalendar(spec.holidays, strict=spec.strict_calendar))
    return Runtime(Engine(process, calendar), clock, keep_events=spec.keep_events)


def _staff(spec: CourtSpec, platform: Platform) -> Any:
    factory = staff_factory(spec)
    return None if factory is None else factory(platform, seed=spec.seed, **spec.staff.options)


def build_court(spec: CourtSpec, *, clock: SimClock | None = None, counterpart: Any = None) -> Court:
    """A court on the virtual clock. ``clock`` and ``counterpart``: another court's, to share them."""
    if spec.clock != ClockKind.VIRTUAL:
        raise UserError("实时时钟的法院请用 open_court", "a real-time court is opened with open_court",
                        where="clock", code="bad_clock")
    clock = clock if clock is not None else SimClock(spec.origin)
    runtime = _runtime(spec, clock)
    if counterpart is None:
        counterpart = counterpart_factory(spec)(spec, clock)
    config = spec.gateway or GatewayConfig(retry=RETRY)
    gateway = Gateway(SimulatedTransport(counterpart.port(clock.now), clock), clock, seed=spec.seed, config=config)
    platform = Platform(runtime, gateway, AgencyDirectory.from_json(counterpart.directory_rows()), court=spec.court,
                        accounts=counterpart.accounts, inquiry_via=spec.inquiry_via)
    platform.filing = LocalFilingPush(clock, platform.file_resumed)
    return Court(spec, clock, runtime, gateway, platform, counterpart, _staff(spec, platform))


@asynccontextmanager
async def open_court(spec: CourtSpec, *, counterpart: Any = None, started: bool = True) -> AsyncIterator[Court]:
    """A court in (compressed) real time over HTTP on loopback; servers stop when the block ends.

    The court's clock reads the origin until the court is handed over and runs from the origin from then on,
    whatever the machine's speed: the real seconds spent starting the servers (the agencies' world, uvicorn) would
    otherwise be virtual days gone before the caller's first act (11.6 days a second at 1,000,000×). Nothing is
    scheduled, or sent to the agencies, before then. ``started=False``: handed over standing at the origin, for a
    caller to prepare there (the demo pins its debtors' property) and ``await court.start()`` when it acts."""
    import httpx

    from core_flow.clocks import AsyncioClock
    from core_flow.gateway import HttpTransport, create_receiver_app
    from core_flow.net import free_port, serve
    from core_flow.platform import HttpFilingPush, create_filing_receiver

    if spec.clock != ClockKind.REALTIME:
        raise UserError("虚拟时钟的法院请用 build_court", "a virtual-time court is built with build_court",
                        where="clock", code="bad_clock")
    # stands at the origin until the court is handed over: the start-up's real seconds are no virtual time
    clock = AsyncioClock(spec.origin, scale=spec.scale, logical=spec.logical_time, started=False)
    if counterpart is None:
        counterpart = counterpart_factory(spec)(spec, clock)
    servers: list[Any] = []
    client = filing_client = transport = None
    try:
        await counterpart.start(clock)  # the agencies' clock is derived from this one (one time source)
        receiver_port, filing_port = free_port(), free_port()
        client = httpx.AsyncClient(base_url=counterpart.base_url, timeout=10.0,
                                   limits=httpx.Limits(max_connections=48, max_keepalive_connections=48))
        filing_client = httpx.AsyncClient(timeout=10.0)
        config = spec.gateway or GatewayConfig(
            retry=RETRY, max_in_flight=2, in_flight_for={HUB: 16},
            callback_url=f"http://{HOST}:{receiver_port}/callbacks/feedback", request_timeout=10.0)
        transport = HttpTransport(client)
        gateway = Gateway(transport, clock, seed=spec.seed, config=config)
        runtime = _runtime(spec, clock)
        platform = Platform(runtime, gateway, AgencyDirectory.from_json(counterpart.directory_rows()),
                            court=spec.court, accounts=counterpart.accounts, inquiry_via=spec.inquiry_via,
                            filing=HttpFilingPush(filing_client, f"http://{HOST}:{filing_port}/filings/resumptions"))
        servers.append(await serve(create_receiver_app(gateway), HOST, receiver_port))
        servers.append(await serve(create_filing_receiver(platform.file_resumed), HOST, filing_port))
        court = Court(spec, clock, runtime, gateway, platform, counterpart, _staff(spec, platform))
        if started:
            await court.start()  # the servers are up: virtual time runs from the origin now
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # provisional holiday years are flagged on their events
            yield court
    finally:
        if transport is not None:  # calls in flight or retried while shutting down: cancelled, never sent closed
            await transport.aclose()
        for server in servers:
            await server.stop()
        if client is not None:
            await client.aclose()
        if filing_client is not None:
            await filing_client.aclose()
        await counterpart.stop()
