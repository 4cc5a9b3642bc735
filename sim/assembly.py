"""A court in a box, in virtual time — a thin front of the composition root (``core_flow.assembly``): zhixing's
mock agencies in this process (``inprocess`` counterpart), the simulated transport, the gateway, the engine's
runtime on a SimPy clock, the platform and (optionally) the simulated clerk. Year-scale runs, tests and the
in-process benchmark build on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.assembly import CounterpartSpec, Court, CourtSpec, StaffSpec, build_court
from core_flow.clocks import SimClock
from core_flow.gateway import GatewayConfig
from core_flow.model import Process
from core_flow.platform import DEFAULT_COURT
from core_flow.platform import Court as CourtIdentity
from mock_agencies.session import Session
from sim.counterparts import InProcess

VirtualCourt = Court  # the name callers knew


def virtual_spec(origin: datetime, *, seed: int = 0, profile: str = "fast", overrides: dict[str, Any] | None = None,
                 court: CourtIdentity = DEFAULT_COURT, clerk: bool = True, world_size: int = 100_000,
                 strict_calendar: bool | None = None, keep_events: bool = True,
                 gateway_config: GatewayConfig | None = None, process: Process | None = None,
                 **clerk_options: Any) -> CourtSpec:
    return CourtSpec(origin=origin, seed=seed, court=court, strict_calendar=strict_calendar, keep_events=keep_events,
                     gateway=gateway_config, process=process,
                     counterpart=CounterpartSpec(kind="inprocess", profile=profile, overrides=overrides or {},
                                                 world_size=world_size),
                     staff=StaffSpec(kind="clerk", options=clerk_options) if clerk else None)


def build_virtual_court(origin: datetime, *, seed: int = 0, profile: str = "fast",
                        overrides: dict[str, Any] | None = None, court: CourtIdentity = DEFAULT_COURT,
                        clerk: bool = True, diligence: float = 0.9, world_size: int = 100_000,
                        strict_calendar: bool | None = None, keep_events: bool = True,
                        gateway_config: GatewayConfig | None = None, process: Process | None = None,
                        session: Session | None = None, clock: SimClock | None = None,
                        **clerk_options: Any) -> Court:
    """``session`` and ``clock``: another court's, for a second court on the same agencies and the same virtual
    time (its own engine, gateway, port and platform; ``profile``, ``overrides`` and ``world_size`` are then the
    session's). ``process``: another process definition than the bundled one."""
    spec = virtual_spec(origin, seed=seed, profile=profile, overrides=overrides, court=court, clerk=clerk,
                        world_size=world_size, strict_calendar=strict_calendar, keep_events=keep_events,
                        gateway_config=gateway_config, process=process, diligence=diligence, **clerk_options)
    counterpart = InProcess.sharing(session) if session is not None else None
    built = build_court(spec, clock=clock, counterpart=counterpart)
    if clerk_options.get("dispose"):  # the clerk disposes of real estate and vehicles: the platforms in process
        attach_disposal(built)
    return built


def attach_disposal(court: Court) -> None:
    """Give the court's platform the mock pricing and auction platforms of its session (in process)."""
    from mock_agencies.disposal_port import SessionDisposalPort

    court.platform.disposal.port = SessionDisposalPort(court.session)
