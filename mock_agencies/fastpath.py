"""A lean ASGI layer in front of the FastAPI app for the two hot 查控 endpoints:

* ``POST /agencies/{code}/requests`` (submit) and
* ``GET /agencies/{code}/requests/{ticket_id}`` (poll).

It answers exactly as the routes of :mod:`mock_agencies.routers.control` do — it calls the same handlers
(:func:`~mock_agencies.routers.control.handle_submit`, :func:`~mock_agencies.routers.control.handle_poll`),
renders a ``UserError`` they raise with the exception handler the app registered, turns a simulated reset
into a dropped connection as ``DropConnectionMiddleware`` does and any other failure into the 500 of
Starlette's ``ServerErrorMiddleware`` — but skips FastAPI's middleware stack, routing and dependency
resolution (most of a request's cost). It takes a request only when every input is plainly valid: an
existing namespace (header ``X-Zhixing-Session`` at most once; default ``default``), a known agency, a
``ticket_id`` of at most 64 characters, one ``Content-Type: application/json`` and a body that
``json.loads`` and ``ControlRequest.model_validate`` accept (what FastAPI does with a JSON body).
Everything else — a new namespace, a bad header, an unknown agency, a body with errors, other methods
and paths, a mounted app — goes to FastAPI untouched (a body already read is replayed), so every 4xx of
the validation layer is still FastAPI's own. The routes stay for the OpenAPI docs and as that fallback.

Not mirrored: FastAPI's native OpenTelemetry instrumentation (not configured in zhixing) does not see the
requests answered here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.errors import UserError
from core_flow.protocol import ControlRequest
from mock_agencies.namespaces import DEFAULT_NAMESPACE, SessionManager
from mock_agencies.routers.control import SimulatedConnectionReset, drop_start, handle_poll, handle_submit
from mock_agencies.session import Session

if TYPE_CHECKING:
    from fastapi import FastAPI

_SUBMIT = re.compile(r"/agencies/([^/]+)/requests")
_POLL = re.compile(r"/agencies/([^/]+)/requests/([^/]+)")
_SESSION_HEADER = b"x-zhixing-session"
_CONTENT_TYPE = b"content-type"
_JSON = b"application/json"
_MAX_PATH_PARAM = 64  # the routes' max_length of ``code`` and ``ticket_id``


class FastPath:
    """See the module docstring. ``fallback`` is the full FastAPI stack of ``app``; ``sessions`` its
    :class:`SessionManager`."""

    def __init__(self, fallback: ASGIApp, app: FastAPI, sessions: SessionManager) -> None:
        self.fallback = fallback
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path") and not self.app.root_path:
            method = scope["method"]
            if method == "POST":
                match = _SUBMIT.fullmatch(scope["path"])
                if match is not None:
                    await self._submit(scope, receive, send, match.group(1))
                    return
            elif method == "GET":
                match = _POLL.fullmatch(scope["path"])
                if match is not None:
                    await self._poll(scope, receive, send, match.group(1), match.group(2))
                    return
        await self.fallback(scope, receive, send)

    def _session(self, scope: Scope) -> Session | None:
        """The existing namespace named by the request (``None``: let FastAPI decide)."""
        name = None
        for key, value in scope["headers"]:
            if key == _SESSION_HEADER:  # ASGI header names are lower-case
                if name is not None:
                    return None
                name = value
        return self.sessions.get(DEFAULT_NAMESPACE if name is None else name.decode("latin-1"))

    def _submit_target(self, scope: Scope, code: str) -> Session | None:
        """For a submit: the existing namespace named by the request when the agency is known and the body
        is declared as JSON — ``X-Zhixing-Session`` at most once, exactly one ``Content-Type`` and it is
        ``application/json`` — in one pass over the headers (``None``: let FastAPI decide)."""
        name = content_type = None
        for key, value in scope["headers"]:  # ASGI header names are lower-case
            if key == _CONTENT_TYPE:
                if content_type is not None:
                    return None
                content_type = value
            elif key == _SESSION_HEADER:
                if name is not None:
                    return None
                name = value
        if content_type is None or (content_type != _JSON and content_type.strip().lower() != _JSON):
            return None
        session = self.sessions.get(DEFAULT_NAMESPACE if name is None else name.decode("latin-1"))
        if session is None or len(code) > _MAX_PATH_PARAM or code not in session.catalogue:
            return None
        return session

    async def _submit(self, scope: Scope, receive: Receive, send: Send, code: str) -> None:
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:  # read the body as Starlette's Request.body() does, keeping the messages for a replay
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)  # linear in the body's size
        request = None
        session = self._submit_target(scope, code) if messages[-1]["type"] == "http.request" else None
        if session is not None:
            request = _control_request(body)
        if session is None or request is None:
            await self.fallback(scope, replay_messages(messages, receive), send)
            return
        await self._respond(scope, receive, send, handle_submit, session, session.catalogue.get(code), request)

    async def _poll(self, scope: Scope, receive: Receive, send: Send, code: str, ticket_id: str) -> None:
        session = self._session(scope)
        if (
            session is None
            or len(code) > _MAX_PATH_PARAM
            or len(ticket_id) > _MAX_PATH_PARAM
            or code not in session.catalogue
        ):
            await self.fallback(scope, receive, send)
            return
        await self._respond(scope, receive, send, handle_poll, session, code, ticket_id)

    async def _respond(
        self, scope: Scope, receive: Receive, send: Send, handler: Callable[..., Response], *args: Any
    ) -> None:
        scope["app"] = self.app  # as Starlette sets it: handlers reach the app through the request
        try:
            response = handler(*args)
        except UserError as err:  # rendered by the app's own handler, as FastAPI's ExceptionMiddleware would
            response = await self._user_error(scope, receive, err)
        except SimulatedConnectionReset:  # as DropConnectionMiddleware: headers out, then the failure
            await send(drop_start())
            raise
        except Exception as exc:  # as ServerErrorMiddleware: a plain 500, then the failure for the server
            await self._server_error(scope, receive, send, exc)
            raise
        if type(response).__call__ is Response.__call__ and response.background is None:
            # what ``Response.__call__`` sends for an HTTP scope, without the extra call
            await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
            await send({"type": "http.response.body", "body": response.body})
        else:
            await response(scope, receive, send)

    async def _user_error(self, scope: Scope, receive: Receive, err: UserError) -> Response:
        handlers = self.app.exception_handlers
        for cls in type(err).__mro__:  # the most specific registered handler, as ExceptionMiddleware finds it
            handler = handlers.get(cls)
            if handler is not None:
                return await handler(Request(scope, receive), err)
        raise err

    async def _server_error(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        handler = self.app.exception_handlers.get(500) or self.app.exception_handlers.get(Exception)
        errors = ServerErrorMiddleware(self.fallback, handler=handler, debug=self.app.debug)
        request = Request(scope, receive)
        if errors.debug:
            response = errors.debug_response(request, exc)
        elif errors.handler is None:
            response = errors.error_response(request, exc)
        else:
            response = await errors.handler(request, exc)
        await response(scope, receive, send)


def _control_request(body: bytes) -> ControlRequest | None:
    """The body validated in one pass (``model_validate_json``); ``None`` when it has any error. What this
    accepts, FastAPI's ``json.loads`` + validation accepts too, as the same request (a test checks it);
    the reverse need not hold (a UTF-8 BOM, UTF-16): those bodies go to FastAPI."""
    try:
        return ControlRequest.model_validate_json(body)
    except ValidationError:
        return None


def replay_messages(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that returns ``messages`` first, then reads on."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
