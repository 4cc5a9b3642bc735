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
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.docs import offline_docs
from core_flow.errors import UserError
from core_flow.protocol import PROFILE_VERSION
from core_flow.validation import field_messages, validation_error_body
from mock_agencies.auth import COURT, Tokens, authorise, cross_site
from mock_agencies.body_limit import BodyTooLarge, declared_length, limited, refuse, too_large_response
from mock_agencies.catalogue import load_catalogue
from mock_agencies.error_body import status_of, user_error_body
from mock_agencies.fastpath import FastPath
from mock_agencies.masking import install_masking, mask_data
from mock_agencies.namespaces import SessionManager
from mock_agencies.openapi_doc import allowed_methods, tell_the_truth
from mock_agencies.platform_courts import COURT_BOUND
from mock_agencies.profiles import profile_names
from mock_agencies.routers import admin, catalogue, control
from mock_agencies.routers.control import SimulatedConnectionReset, drop_start
from mock_agencies.settings import Settings
from mock_agencies.store import StateWriteError

log = logging.getLogger(__name__)

PLATFORM_ROUTERS = ("mock_agencies.routers.auction", "mock_agencies.routers.pricing")

async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    body = validation_error_body(field_messages(list(exc.errors())), "请求无效：", "invalid request: ")
    _journal_rejection(request, body["error"]["zh"], body["error"]["en"])
    return JSONResponse(body if request.app.state.settings.unmask else mask_data(body), status_code=422)


def _http_error(status: int, request: Request, detail: object, headers: dict[str, str] | None) -> UserError:
    """FastAPI's / Starlette's own errors (no route, wrong method, an unreadable body …) as located bilingual
    ``UserError`` s."""
    path, method = request.url.path, request.method
    if status == 404:
        return UserError(f"没有这个地址：{path}", f"no such path: {path}", where="path", code="not_found")
    if status == 405:
        allow = ", ".join(allowed_methods(request.app, path))
        return UserError(
            f"{path} 不接受 {method} 请求（可用：{allow or '-'}）",
            f"{path} does not accept {method} (allowed: {allow or '-'})",
            where="method",
            code="method_not_allowed",
        )
    if status == 400:  # Starlette's own detail is English: the Chinese half says it in Chinese
        return UserError(
            "请求体无法解析（应为 UTF-8 编码的 JSON）",
            f"the request cannot be parsed (expected JSON in UTF-8): {detail}", where="body", code="bad_request")
    return UserError(f"请求失败（HTTP {status}）：{detail}", f"request failed (HTTP {status}): {detail}",
                     code=f"http_{status}")


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, BodyTooLarge):
        return too_large_response(exc.limit)
    err = _http_error(exc.status_code, request, exc.detail, exc.headers)
    headers = exc.headers
    if exc.status_code == 405:  # every method the path accepts, not only those of the first route matched
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request.app, request.url.path))}
        headers.pop("allow", None)
    return JSONResponse(user_error_body(err), status_code=exc.status_code, headers=headers)


async def _on_user_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UserError)
    status = 503 if isinstance(exc, StateWriteError) else status_of(exc)
    return JSONResponse(user_error_body(exc, unmask=request.app.state.settings.unmask), status_code=status)


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


_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _namespace_of(scope: Scope) -> str | None:
    """The namespace a request may change: ``/admin/sessions/{ns}…`` or the ``X-Zhixing-Session`` of an agency
    request (``default`` without one); ``None`` for anything else."""
    path = scope["path"]
    if path.startswith("/admin/sessions/"):
        return path[len("/admin/sessions/"):].split("/", 1)[0] or None
    if path.startswith("/agencies/"):
        for key, value in scope["headers"]:
            if key == b"x-zhixing-session":
                return value.decode("latin-1")
        return "default"
    return None


class _Unsaved(Exception):
    """The save before a response failed (:class:`StateWriteError`, in ``args[0]``): the response is not sent,
    a 503 goes instead (:meth:`AgenciesApp._serve`). Not a ``UserError``, so no exception handler of the stack
    takes it for its own (the response is by then "started" for them)."""


def _saving(send: Send, manager: SessionManager, namespace: str, *, force: bool) -> Send:
    """``send`` that saves ``namespace`` in the durable store before the response starts: what the client is
    told happened has been saved. When the save fails nothing goes out (:class:`_Unsaved`)."""

    async def send_saved(message: Message) -> None:
        if message["type"] == "http.response.start":
            try:
                manager.persist(namespace, force=force)
            except StateWriteError as err:
                raise _Unsaved(err) from None
        await send(message)

    return send_saved

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
    _servers: frozenset[Any] = frozenset()  # the addresses this server was reached at (noted once each)

    tokens: Tokens | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = cross_site(scope)
            grant = None
            if refusal is None and self.tokens is not None:
                refusal, grant = authorise(scope, self.tokens)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            if grant is not None:
                token = COURT.set(grant.court)
                try:
                    await self._limited(scope, receive, send)
                finally:
                    COURT.reset(token)
                return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _WITH_BODY:
            limit = self.state.settings.max_body_bytes
            length = declared_length(scope)
            if length is not None and length > limit:
                await refuse(scope, receive, send, limit)
                return
            if length is None:  # chunked: count the bytes as they come
                started = False
                inner_send = send

                async def send(message: Message) -> None:
                    nonlocal started
                    started = True
                    await inner_send(message)

                try:
                    await self._serve(scope, limited(receive, limit), send)
                except BodyTooLarge:
                    if started:
                        raise
                    await refuse(scope, receive, inner_send, limit)
                return
        await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = self.state.sessions
        if manager.store is not None and scope["type"] == "http":
            namespace = _namespace_of(scope)
            if namespace is not None:
                try:
                    await self._route(scope, receive, _saving(send, manager, namespace,
                                                              force=scope["method"] != "GET"))
                except _Unsaved as unsaved:  # nothing was sent: the request is undone (SessionManager._failed)
                    err = unsaved.args[0]
                    response = JSONResponse(user_error_body(err, unmask=self.state.settings.unmask), status_code=503)
                    await response(scope, receive, send)
                return
        await self._route(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if server is not None:
            if type(server) is not tuple:
                server = tuple(server)
            if server not in self._servers:
                self._note_server(server, scope.get("scheme", "http"))
        if self.fast_path is None:
            await super().__call__(scope, receive, send)
        else:
            await self.fast_path(scope, receive, send)

    def _note_server(self, server: Any, scheme: str) -> None:
        """Callbacks must never target this server: note the address it was really reached at."""
        self._servers = self._servers | {server}
        host, port = server[0], server[1]
        if port is None:  # the scheme's default port
            port = 443 if scheme == "https" else 80
        if isinstance(host, str) and isinstance(port, int):
            self.state.sessions.callbacks.note_own(host, port)

    async def full_stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The FastAPI app itself (middleware, routing, dependencies, the routes)."""
        await super().__call__(scope, receive, send)


async def _ticker(manager: SessionManager) -> None:
    """Real-time progression: produce due answers and post due callbacks in every namespace. One HTTP client
    posts every callback for the service's life (kept-alive connections to the receivers, one TLS set-up)."""
    async with httpx.AsyncClient(timeout=manager.settings.callback_timeout_seconds) as client:
        while True:
            try:
                wait = await manager.tick_all(client=client)
            except Exception:  # keep ticking: one namespace's failure must not stop the others
                log.exception("mock agencies ticker")
                wait = 1.0
            manager.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(manager.wake.wait(), timeout=wait)


# The one wall-clock read of the service: the real instant shared with a court in another process (or on another
# machine) when it aligns a namespace's clock; virtual time itself never comes from it.
WALL_CLOCK: Callable[[], float] = time.time  # noqa: TID251


def _health(app: FastAPI, settings: Settings) -> None:
    """``GET /health``: up, the service's version and the deliberate defects in force (none unless ``--defect``);
    not part of the published profile (kept out of the OpenAPI)."""

    @app.get("/health", include_in_schema=False)
    async def health() -> Any:
        body: dict[str, Any] = {"status": "ok", "service": "zhixing-mock-agencies", "version": app.version,
                                "defects": [d.value for d in settings.defects]}
        degraded = app.state.sessions.degraded
        if degraded is None:
            return body
        # the state file cannot be written: changes are refused (503) and undone until a save succeeds
        body["status"] = "degraded"
        body["reason"] = {"code": degraded.code, "zh": degraded.zh, "en": degraded.en,
                          "message": f"{degraded.zh} / {degraded.en}"}
        return JSONResponse(body, status_code=503)


def create_app(settings: Settings | None = None, *, wall_clock: Callable[[], float] = WALL_CLOCK) -> AgenciesApp:
    """Build the service. ``settings`` default: :meth:`Settings.from_env` (``ZHIXING_AGENCIES_*``).
    ``wall_clock``: the real time in Unix seconds, read only to align a namespace's clock with a court's
    (``PUT /admin/sessions/{ns}/clock``)."""
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
            await manager.close()

    app = AgenciesApp(
        title="zhixing mock agencies / 模拟协助执行单位",
        version=PROFILE_VERSION,  # the interface profile's version (core_flow/profile/PROFILE.md)
        description=(
            "总对总网络查控的模拟机构：银行、互联网金融、证券、地方银行、登记机构、拍卖与询价平台、"
            "法院执行款账户。异步、有状态、可设种子、可注入故障。"
            " / Mock agencies of the 查控 network: asynchronous, stateful, seeded, with fault injection. "
            "Select a namespace with the header `X-Zhixing-Session`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served offline below (court intranets have no internet)
        redoc_url=None,
    )
    offline_docs(app)
    app.state.settings = settings
    app.state.catalogue = agencies
    app.state.sessions = manager
    app.state.wall_clock = wall_clock
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(UserError, _on_user_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(DropConnectionMiddleware)
    app.fast_path = FastPath(app.full_stack, app, manager)
    app.tokens = Tokens.configured(settings.tokens_file, settings.admin_token)
    install_reset_log_filter()
    if not settings.unmask:
        install_masking()
    _health(app, settings)
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
        app.include_router(module.router, dependencies=COURT_BOUND)  # bound to the token's court, like 查控
    # the OpenAPI tells the truth: every status a route may answer, the callback hosts, the world, the profiles
    tell_the_truth(app, manager.callbacks, settings.world_size, list(profile_names()))
    return app
