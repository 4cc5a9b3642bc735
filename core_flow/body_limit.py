"""A request body's size limit at the ASGI level, shared by the servers zhixing serves (the mock agencies, the
court's driver interface): the length a request declares, and a ``receive`` that raises :class:`BodyTooLarge` once
more than the limit came in (a chunked body). Each server answers 413 with its own error body."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

_CONTENT_LENGTH = b"content-length"


class BodyTooLarge(HTTPException):
    """Raised by :func:`limited` when the body passes the limit (an ``HTTPException``: FastAPI re-raises it as
    it is while it reads a body, instead of turning it into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")
        self.limit = limit


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
