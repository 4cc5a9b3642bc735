"""FastAPI dependencies: the session (namespace) of a request.

Both are ``async``: they run on the event loop, never in the thread pool, so two concurrent first requests
to a new namespace cannot each create it (and the ticker's asyncio wake-up event is set from its loop)."""

from __future__ import annotations

from fastapi import Header, Request

from mock_agencies.namespaces import DEFAULT_NAMESPACE, NAMESPACE_PATTERN, SessionManager
from mock_agencies.session import Session

SESSION_HEADER = "X-Zhixing-Session"


async def get_manager(request: Request) -> SessionManager:
    return request.app.state.sessions


async def get_session(
    request: Request,
    x_zhixing_session: str = Header(
        DEFAULT_NAMESPACE,
        alias=SESSION_HEADER,
        pattern=NAMESPACE_PATTERN,
        description="命名空间（测试会话）/ namespace (test session); created on first use",
    ),
) -> Session:
    return request.app.state.sessions.get_or_create(x_zhixing_session)
