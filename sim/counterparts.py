"""zhixing's mock agencies as a court's counterpart: plugins of the composition root (``core_flow.assembly``),
named in ``pyproject.toml``'s ``zhixing.counterparts`` entry points.

* ``inprocess`` (:class:`InProcess`): one :class:`~mock_agencies.session.Session` in this process, reached by the
  gateway's simulated transport through a :class:`~mock_agencies.port.SessionPort` per court; the session's clock
  follows the court's (``VirtualClock(source=clock.now)``), so the court's clock is the only time source.
* ``served`` (:class:`Served`): the mock agencies under uvicorn on loopback, reached over HTTP in real time; the
  session's virtual clock follows the court's (``VirtualClock(source=clock.now)``), so the two
  cannot drift apart.

Both expose ``directory_rows()`` (the catalogue as ``GET /agencies`` serves it), ``accounts`` (the court's
一案一账号 in the session's ledger), ``session`` and ``admin`` (zhixing's own admin features: the world, pins).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mock_agencies.accounts_port import SessionAccounts
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import VirtualClock
from mock_agencies.session import Session, SessionConfig, SessionManager
from mock_agencies.settings import Settings


def _config(spec: Any, scale: float) -> SessionConfig:
    cp = spec.counterpart
    return SessionConfig(seed=spec.seed, profile=cp.profile, overrides=dict(cp.overrides), time_scale=scale,
                         origin=spec.origin)


class InProcess:
    name = "inprocess"

    def __init__(self, spec: Any, clock: Any = None) -> None:
        self.catalogue = load_catalogue()
        settings = Settings(world_size=spec.counterpart.world_size, background=False, time_scale=0.0,
                            profile=spec.counterpart.profile, origin=spec.origin)
        follow = VirtualClock(source=clock.now) if clock is not None else None  # one time source: the court's
        self.session: Session = SessionManager(settings, self.catalogue).create("court", _config(spec, 0.0),
                                                                                clock=follow)
        self.accounts = SessionAccounts(self.session)
        self.admin = self.session

    @classmethod
    def sharing(cls, session: Session) -> InProcess:
        """A counterpart over an existing session (another court on the same agencies)."""
        self = cls.__new__(cls)
        self.catalogue = session.catalogue
        self.session = session
        self.accounts = SessionAccounts(session)
        self.admin = session
        return self

    def directory_rows(self) -> list[dict[str, Any]]:
        return self.catalogue.as_json()

    def port(self, now: Callable[[], datetime]) -> Any:
        from mock_agencies.port import SessionPort

        return SessionPort(self.session)  # one per court: several courts may share the session

    def close(self) -> None:
        return None


class Served:
    """The mock agencies served on loopback; started with the court's real-time clock."""

    name = "served"

    def __init__(self, spec: Any, clock: Any = None) -> None:
        self.spec = spec
        self.catalogue = load_catalogue()
        self.session: Session | None = None
        self.accounts: SessionAccounts | None = None
        self.admin: Session | None = None
        self.base_url = ""
        self.sessions: Any = None
        self._server: Any = None

    def directory_rows(self) -> list[dict[str, Any]]:
        return self.catalogue.as_json()

    async def start(self, clock: Any) -> None:
        from core_flow.net import HOST, free_port, serve
        from mock_agencies.app import create_app

        spec = self.spec
        port = free_port()
        settings = Settings(host=HOST, port=port, seed=spec.seed, profile=spec.counterpart.profile,
                            time_scale=clock.scale, origin=spec.origin, world_size=spec.counterpart.world_size,
                            background=True)
        app = create_app(settings)
        self._server = await serve(app, HOST, port)
        self.base_url = f"http://{HOST}:{port}"
        # one time source: the namespace reads the court's clock (its scale only paces real-time waits)
        self.sessions = app.state.sessions  # its ticker's ``wake`` (a scenario runner holding the clock)
        self.session = app.state.sessions.create("default", _config(spec, clock.scale),
                                                 clock=VirtualClock(source=clock.now, scale=clock.scale))
        self.accounts = SessionAccounts(self.session)
        self.admin = self.session

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()

    def close(self) -> None:
        return None
