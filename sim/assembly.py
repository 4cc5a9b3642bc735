"""A court in a box, in virtual time: mock agencies (one session), the simulated transport, the gateway, the
engine's runtime on a SimPy clock, the platform and (optionally) a simulated clerk — all in one process,
no network. Year-scale runs, tests and the in-process benchmark build on it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core_flow.agency_directory import AgencyDirectory
from core_flow.clocks import SimClock
from core_flow.engine import Engine
from core_flow.gateway import Gateway, GatewayConfig, RetryPolicy, SimulatedTransport
from core_flow.legal_calendar import HolidayCalendar, LegalCalendar
from core_flow.model import Process
from core_flow.platform import DEFAULT_COURT, Court, LocalFilingPush, Platform
from core_flow.process_loader import default_process
from core_flow.runtime import Runtime, simulation_gc
from mock_agencies.accounts_port import SessionAccounts
from mock_agencies.catalogue import load_catalogue
from mock_agencies.port import SessionPort
from mock_agencies.session import Session, SessionConfig, SessionManager
from mock_agencies.settings import Settings
from sim.clerk import Clerk


@dataclass
class VirtualCourt:
    session: Session
    clock: SimClock
    runtime: Runtime
    gateway: Gateway
    platform: Platform
    clerk: Clerk | None

    def run_until(self, at: datetime) -> None:
        with warnings.catch_warnings(), simulation_gc():  # dates beyond the holiday data are flagged on events
            warnings.simplefilter("ignore")
            self.clock.run_until(at)

    def run_for(self, delta: timedelta) -> None:
        self.run_until(self.clock.now() + delta)


def build_virtual_court(origin: datetime, *, seed: int = 0, profile: str = "fast",
                        overrides: dict[str, Any] | None = None, court: Court = DEFAULT_COURT,
                        clerk: bool = True, diligence: float = 0.9, world_size: int = 100_000,
                        strict_calendar: bool | None = None, keep_events: bool = True,
                        gateway_config: GatewayConfig | None = None, process: Process | None = None,
                        session: Session | None = None, clock: SimClock | None = None,
                        **clerk_options: Any) -> VirtualCourt:
    """``session`` and ``clock``: another court's, for a second court on the same agencies and the same virtual
    time (its own engine, gateway, port and platform; ``profile``, ``overrides`` and ``world_size`` are then the
    session's). ``process``: another process definition than the bundled one."""
    catalogue = load_catalogue()
    if session is None:
        settings = Settings(world_size=world_size, background=False, time_scale=0.0, profile=profile, origin=origin)
        session = SessionManager(settings, catalogue).create("court", SessionConfig(
            seed=seed, profile=profile, overrides=overrides or {}, time_scale=0.0, origin=origin))
    clock = clock if clock is not None else SimClock(origin)
    calendar = LegalCalendar(HolidayCalendar(strict=strict_calendar))
    runtime = Runtime(Engine(process or default_process(), calendar), clock, keep_events=keep_events)
    gateway = Gateway(SimulatedTransport(SessionPort(session), clock), clock, seed=seed,
                      config=gateway_config or GatewayConfig(retry=RetryPolicy(attempts=12, base=1, cap=300)))
    platform = Platform(runtime, gateway, AgencyDirectory.from_json(catalogue.as_json()), court=court,
                        accounts=SessionAccounts(session))
    platform.filing = LocalFilingPush(clock, platform.file_resumed)
    staff = Clerk(platform, seed=seed, diligence=diligence, **clerk_options) if clerk else None
    return VirtualCourt(session, clock, runtime, gateway, platform, staff)
