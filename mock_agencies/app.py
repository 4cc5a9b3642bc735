"""The mock agencies' HTTP service: ``create_app(settings) -> FastAPI`` (nothing is built at import time).

Routes: ``GET /agencies`` (catalogue), ``POST/GET /agencies/{code}/requests…`` (查控 submit and poll),
the auction and pricing platforms, ``/admin/…`` (namespaces, profiles, faults, pins, clock, journal) and
the OpenAPI docs at ``/docs``. Errors are JSON ``{"error": {code, where, zh, en, message, fields}}``:
Chinese first, English beside it, naming the field.

The hot submit and poll requests are answered by :mod:`mock_agencies.fastpath` in front of the FastAPI
stack (same handlers, same responses; anything unusual goes on to FastAPI). A simulated connection reset
leaves no traceback in uvicorn's log (:func:`install_reset_log_filter`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.errors import UserError
from core_flow.validation import field_messages, validation_error_body
from mock_agencies.catalogue import load_catalogue
from mock_agencies.fastpath import FastPath
from mock_agencies.routers import admin, catalogue, control
from mock_agencies.routers.control import SimulatedConnectionReset, drop_start
from mock_agencies.session import SessionManager
from mock_agencies.settings import Settings

log = logging.getLogger(__name__)

PLATFORM_ROUTERS = ("mock_agencies.routers.auction", "mock_agencies.routers.pricing")

_STATUS_BY_CODE = {
    "not_found": 404,
    "unknown_agency": 404,
    "forbidden": 403,
    "conflict": 409,
    "too_many_sessions": 429,
}


def status_of(err: UserError) -> int:
    return _STATUS_BY_CODE.get(err.code, 422)


def user_error_body(err: UserError) -> dict[str, Any]:
    detail = err.as_dict()
    detail["fields"] = [{"field": err.where, "zh": err.zh, "en": err.en}] if err.where else []
    return {"error": detail}


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    body = validation_error_body(field_messages(list(exc.errors())), "请求无效：", "invalid request: ")
    _journal_rejection(request, body["error"]["zh"], body["error"]["en"])
    return JSONResponse(body, status_code=422)


async def _on_user_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UserError)
    return JSONResponse(user_error_body(exc), status_code=status_of(exc))


def _journal_rejection(request: Request, zh: str, en: str) -> None:
    """Record a rejected 查控 request in its namespace's journal (if the namespace exists)."""
    path = request.url.path
    if not path.startswith("/agencies/"):
        return
    manager: SessionManager = request.app.state.sessions
    session = manager.get(request.headers.get("x-zhixing-session", "default"))
    if session is not None:
        session.journal.record(
            session.now(), "submit", path=path, method=request.method, outcome="invalid", error=en[:500]
        )


class DropConnectionMiddleware:
    """Turns :class:`SimulatedConnectionReset` into a dropped connection: response headers go out, then
    the application fails, so the server closes the connection mid-response (under httpx's ASGI
    transport the exception itself reaches the client)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except SimulatedConnectionReset:
            if not started:
                await send(drop_start())
            raise


class _ResetLogFilter(logging.Filter):
    """Drops uvicorn's "Exception in ASGI application" record (and its traceback) for a simulated reset:
    the dropped connection is the point, not a server failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedConnectionReset)


def install_reset_log_filter(logger_name: str = "uvicorn.error") -> None:
    """Install :class:`_ResetLogFilter` on uvicorn's error logger (once)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, _ResetLogFilter) for f in logger.filters):
        logger.addFilter(_ResetLogFilter())


SERVING_GC_GEN0 = 10_000
_gc_lock = threading.Lock()
_gc_saved: list[tuple[int, int, int]] = []  # the thresholds before the first service started
_gc_users = 0


@contextlib.contextmanager
def serving_gc(gen0: int = SERVING_GC_GEN0) -> Iterator[None]:
    """While the service runs: what exists at start-up (catalogue, app, schemas, imported modules) moves to
    the collector's permanent generation (``gc.freeze``) and the generation-0 threshold is raised, so the
    cyclic GC does not rescan them and the growing set of tickets over and over (in ``make bench`` the
    collector otherwise takes about a quarter of a request's own work). Collection timing only; nothing
    observable changes (the same tuning as ``core_flow.runtime.simulation_gc``). Services running at once
    in one process share it: the first to start applies it, the last to stop restores the thresholds."""
    global _gc_users
    with _gc_lock:
        if _gc_users == 0:
            old = gc.get_threshold()
            _gc_saved[:] = [old]
            gc.freeze()
            gc.set_threshold(max(gen0, old[0]), old[1], old[2])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved.pop())
                gc.unfreeze()


class AgenciesApp(FastAPI):
    """The FastAPI app with :class:`~mock_agencies.fastpath.FastPath` in front: the hot 查控 submit and
    poll requests are answered there, everything else (and anything unusual) by the FastAPI stack."""

    fast_path: FastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fast_path is None:
            await super().__call__(scope, receive, send)
        else:
            await self.fast_path(scope, receive, send)

    async def full_stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The FastAPI app itself (middleware, routing, dependencies, the routes)."""
        await super().__call__(scope, receive, send)


async def _ticker(manager: SessionManager) -> None:
    """Real-time progression: produce due answers and post due callbacks in every namespace. One HTTP client
    posts every callback for the service's life (kept-alive connections to the receivers, one TLS set-up)."""
    async with httpx.AsyncClient(timeout=manager.settings.callback_timeout_seconds) as client:
        while True:
            try:
                wait = await manager.tick_all(client)
            except Exception:  # keep ticking: one namespace's failure must not stop the others
                log.exception("mock agencies ticker")
                wait = 1.0
            manager.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(manager.wake.wait(), timeout=wait)


def create_app(settings: Settings | None = None) -> AgenciesApp:
    """Build the service. ``settings`` default: :meth:`Settings.from_env` (``ZHIXING_AGENCIES_*``)."""
    settings = settings or Settings.from_env()
    agencies = load_catalogue()
    manager = SessionManager(settings, agencies)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_ticker(manager)) if settings.background else None
        try:
            with serving_gc():
                yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = AgenciesApp(
        title="zhixing mock agencies / 模拟协助执行单位",
        version="0.1.0",
        description=(
            "总对总网络查控的模拟机构：银行、互联网金融、证券、地方银行、登记机构、拍卖与询价平台、"
            "法院执行款账户。异步、有状态、可设种子、可注入故障。"
            " / Mock agencies of the 查控 network: asynchronous, stateful, seeded, with fault injection. "
            "Select a namespace with the header `X-Zhixing-Session`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = agencies
    app.state.sessions = manager
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(UserError, _on_user_error)
    app.add_middleware(DropConnectionMiddleware)
    app.fast_path = FastPath(app.full_stack, app, manager)
    install_reset_log_filter()
    app.include_router(catalogue.router)
    app.include_router(control.router)
    app.include_router(admin.router)
    for name in PLATFORM_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            log.warning("router %s not available", name)
            continue
        app.include_router(module.router)
    return app
