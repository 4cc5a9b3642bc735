"""FastAPI dependencies: the session (namespace) of a request."""

from __future__ import annotations

from fastapi import Header, Request

from mock_agencies.session import DEFAULT_NAMESPACE, NAMESPACE_PATTERN, Session, SessionManager

SESSION_HEADER = "X-Zhixing-Session"


def get_manager(request: Request) -> SessionManager:
    return request.app.state.sessions


def get_session(
    request: Request,
    x_zhixing_session: str = Header(
        DEFAULT_NAMESPACE,
        alias=SESSION_HEADER,
        pattern=NAMESPACE_PATTERN,
        description="命名空间（测试会话）/ namespace (test session); created on first use",
    ),
) -> Session:
    return request.app.state.sessions.get_or_create(x_zhixing_session)
