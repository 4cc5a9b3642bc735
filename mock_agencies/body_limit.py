"""The request body size limit (setting ``max_body_bytes``): a larger body is refused with 413 and the bilingual
error body, before it is read (``Content-Length``) or as soon as the bytes received pass the limit (a chunked
body). Applied in front of everything, the fast path included. The limit itself: ``core_flow.body_limit``."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from core_flow.body_limit import BodyTooLarge, declared_length, limited
from core_flow.errors import UserError
from mock_agencies.error_body import user_error_body

__all__ = ["BodyTooLarge", "declared_length", "limited", "refuse", "too_large_error", "too_large_response"]


def too_large_error(limit: int) -> UserError:
    return UserError(
        f"请求体超过上限 {limit} 字节",
        f"the request body is larger than the limit of {limit} bytes",
        where="body",
        code="body_too_large",
    )


def too_large_response(limit: int) -> JSONResponse:
    return JSONResponse(user_error_body(too_large_error(limit)), status_code=413)


async def refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await too_large_response(limit)(scope, receive, send)
