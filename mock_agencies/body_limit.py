"""The request body size limit (setting ``max_body_bytes``): a larger body is refused with 413 and the bilingual
error body, before it is read (``Content-Length``) or as soon as the bytes received pass the limit (a chunked
body). Applied in front of everything, the fast path included."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from core_flow.errors import UserError
from mock_agencies.error_body import user_error_body

_CONTENT_LENGTH = b"content-length"


class BodyTooLarge(HTTPException):
    """Raised by :func:`limited` when the body passes the limit (an ``HTTPException``: FastAPI re-raises it as
    it is while it reads a body, instead of turning it into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")
        self.limit = limit


def too_large_error(limit: int) -> UserError:
    return UserError(
        f"请求体超过上限 {limit} 字节",
        f"the request body is larger than the limit of {limit} bytes",
        where="body",
        code="body_too_large",
    )


def too_large_response(limit: int) -> JSONResponse:
    return JSONResponse(user_error_body(too_large_error(limit)), status_code=413)


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` the request declares (``None``: none, or not a number)."""
    for key, value in scope["headers"]:
        if key == _CONTENT_LENGTH:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once more than ``limit`` body bytes came in."""
    total = 0

    async def receive_limited() -> Message:
        nonlocal total
        message = await receive()
        if message["type"] == "http.request":
            total += len(message.get("body", b""))
            if total > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_limited


async def refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await too_large_response(limit)(scope, receive, send)
