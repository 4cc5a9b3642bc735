"""A court over real HTTP on loopback, in compressed real time.

The mock agencies run under uvicorn on 127.0.0.1 (in this event loop), the platform talks to them through
``HttpTransport`` (httpx), they answer by callback to the platform's receiver (another uvicorn server on
loopback), and an approved resumption is pushed over HTTP to the reference filing receiver. Both sides keep
the same compressed clock: ``scale`` virtual seconds per real second from the same origin.

Retry-After values from the agencies are taken in their (virtual) seconds. The court's own account system
(一案一账号) is reached in-process — it is the court's, not an external agency.
"""

from __future__ import annotations

import asyncio
import socket
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import uvicorn

from core_flow.agency_directory import AgencyDirectory
from core_flow.clocks import AsyncioClock
from core_flow.engine import Engine, Event
from core_flow.gateway import Gateway, GatewayConfig, HttpTransport, RetryPolicy, create_receiver_app
from core_flow.legal_calendar import HolidayCalendar, LegalCalendar
from core_flow.platform import DEFAULT_COURT, Court, HttpFilingPush, Platform, create_filing_receiver
from core_flow.process_loader import default_process
from core_flow.protocol import HUB
from core_flow.runtime import Runtime
from mock_agencies.accounts_port import SessionAccounts
from mock_agencies.app import create_app
from mock_agencies.session import Session, SessionConfig
from mock_agencies.settings import Settings
from sim.clerk import Clerk

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


async def _serve(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False,
                                           lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # the caller owns signals
    task = asyncio.get_running_loop().create_task(server.serve())
    for _ in range(500):  # bounded: ≤ 5 s
        if server.started:
            return server, task
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    raise RuntimeError(f"server on port {port} did not start / 服务未能启动")


@dataclass
class LiveCourt:
    platform: Platform
    runtime: Runtime
    gateway: Gateway
    clock: AsyncioClock
    session: Session
    clerk: Clerk | None
    agencies_url: str
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _on_event(self, _: Event) -> None:
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (real seconds, bounded) until ``predicate()`` holds, re-checking after every engine event."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(left, 0.2))
            except TimeoutError:
                pass
        return True

    async def run_until(self, at: datetime) -> None:
        """Let compressed time run to ``at`` (real waiting: this is the live, real-time mode)."""
        seconds = (at - self.clock.now()).total_seconds() / self.clock.scale
        if seconds > 0:
            await asyncio.sleep(seconds)


@asynccontextmanager
async def live_court(origin: datetime, *, scale: float, seed: int = 0, profile: str = "fast",
                     overrides: dict[str, Any] | None = None, court: Court = DEFAULT_COURT, clerk: bool = True,
                     diligence: float = 0.9, world_size: int = 100_000, strict_calendar: bool | None = None,
                     **clerk_options: Any) -> AsyncIterator[LiveCourt]:
    agencies_port, receiver_port, filing_port = free_port(), free_port(), free_port()
    settings = Settings(host=HOST, port=agencies_port, seed=seed, profile=profile, time_scale=scale,
                        origin=origin, world_size=world_size, background=True)
    agencies_app = create_app(settings)
    servers = [await _serve(agencies_app, agencies_port)]
    client = httpx.AsyncClient(base_url=f"http://{HOST}:{agencies_port}", timeout=10.0,
                               limits=httpx.Limits(max_connections=48, max_keepalive_connections=48))
    filing_client = httpx.AsyncClient(timeout=10.0)
    try:
        directory = AgencyDirectory.from_json((await client.get("/agencies")).raise_for_status().json())
        session = agencies_app.state.sessions.create(
            "default", SessionConfig(seed=seed, profile=profile, overrides=overrides or {}, time_scale=scale,
                                     origin=origin))
        clock = AsyncioClock(origin, scale=scale)  # started with the session's clock: same origin, same speed
        gateway = Gateway(HttpTransport(client), clock, seed=seed, config=GatewayConfig(
            retry=RetryPolicy(attempts=20, base=1.0, cap=600.0), max_in_flight=2, in_flight_for={HUB: 16},
            callback_url=f"http://{HOST}:{receiver_port}/callbacks/feedback", request_timeout=10.0))
        calendar = LegalCalendar(HolidayCalendar(strict=strict_calendar))
        runtime = Runtime(Engine(default_process(), calendar), clock)
        platform = Platform(runtime, gateway, directory, court=court, accounts=SessionAccounts(session),
                            filing=HttpFilingPush(filing_client, f"http://{HOST}:{filing_port}/filings/resumptions"))
        servers.append(await _serve(create_receiver_app(gateway), receiver_port))
        servers.append(await _serve(create_filing_receiver(platform.file_resumed), filing_port))
        staff = Clerk(platform, seed=seed, diligence=diligence, **clerk_options) if clerk else None
        live = LiveCourt(platform, runtime, gateway, clock, session, staff, f"http://{HOST}:{agencies_port}")
        runtime.subscribe(live._on_event)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dates beyond the holiday data are flagged on their events
            yield live
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, task in servers:
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        await client.aclose()
        await filing_client.aclose()


def until(origin: datetime, days: float) -> datetime:
    return origin + timedelta(days=days)
