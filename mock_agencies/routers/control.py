"""查控 requests: submit (accepted at once with a ticket, idempotent by ``request_no``) and poll.

A submit may fail at the transport level as the behaviour profile draws (5xx, 504 timeout, dropped
connection, 429 with Retry-After, 503 in a maintenance window); such a request was *not accepted* and
nothing in the ledger changed. Answers arrive later by callback and can be polled here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core_flow.errors import UserError
from core_flow.protocol import ControlRequest, Feedback, Ticket
from mock_agencies.auth import COURT, check_court, visible
from mock_agencies.catalogue import Agency, UnknownAgencyError
from mock_agencies.deps import get_session
from mock_agencies.profiles import FaultKind
from mock_agencies.routers.catalogue import CODE_PATH
from mock_agencies.session import Session
from mock_agencies.streams import FaultDecision
from mock_agencies.tickets import TicketRecord

router = APIRouter(prefix="/agencies", tags=["control / 查控"])

_JSON = "application/json"
_JSON_TYPE_HEADER = (b"content-type", _JSON.encode("latin-1"))


class JSONBytes(Response):
    """A JSON body already rendered to bytes: the very response ``Response(body, status_code,
    media_type="application/json")`` makes (same headers in the same order: content-length, content-type),
    built without re-encoding the body or rescanning headers."""

    media_type = _JSON

    def __init__(self, body: bytes, status_code: int = 200) -> None:
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", str(len(body)).encode("latin-1")), _JSON_TYPE_HEADER]


class SimulatedConnectionReset(ConnectionResetError):
    """Raised to drop the connection mid-response (a simulated reset; see app.DropConnectionMiddleware)."""


def drop_start() -> dict[str, Any]:
    """What goes out before a simulated reset: response headers announcing a body that never comes."""
    return {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
    }


class PollAnswer(BaseModel):
    ticket: Ticket
    feedback: Feedback | None = None


class ErrorDetail(BaseModel):
    code: str
    where: str | None = None
    zh: str
    en: str
    message: str
    fields: list[dict[str, str | None]] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


# an answered ticket whose answer reached the court is retired after the retention; its request number is still known
_RETIRED = {"model": ErrorBody, "description": "工单已按保留期限清理（请求编号仍可识别）/ ticket retired after the "
                                               "retention (its request number is still recognised)"}


_FAULT_TEXT: dict[FaultKind, tuple[str, str]] = {
    FaultKind.ERROR_5XX: ("机构系统内部错误，请求未受理", "agency system error; the request was not accepted"),
    FaultKind.TIMEOUT: ("机构系统超时，请求未受理", "agency system timed out; the request was not accepted"),
    FaultKind.RATE_LIMIT: ("请求过于频繁，请稍后重试", "too many requests; retry later"),
    FaultKind.MAINTENANCE: ("机构系统维护中，请求未受理", "agency system under maintenance; not accepted"),
    FaultKind.LOST_ANSWER: ("机构系统超时：请求可能已办理，请以同一请求（同一请求编号）重发",
                            "agency system timed out: the request may have been carried out; send the same request "
                            "again (the same request number)"),
}

_ERRORS = {
    404: {"model": ErrorBody, "description": "未知机构或工单 / unknown agency or ticket"},
    409: {"model": ErrorBody, "description": "请求编号已用于不同请求 / request_no reused"},
    422: {"model": ErrorBody, "description": "请求无效（字段级说明）/ invalid request (per field)"},
}


_WHERE_PREFIXES = ("body", "path.", "query.", "header", "request")


async def agency_of(code: str = CODE_PATH, session: Session = Depends(get_session)) -> Agency:
    """The agency named in the path (resolved before the body is validated: an unknown agency is a 404)."""
    if code not in session.catalogue:
        raise UnknownAgencyError(code, where="path.code")
    return session.catalogue.get(code)


def _submit(session: Session, agency: Agency, body: ControlRequest) -> tuple[TicketRecord, bool]:
    """``session.submit``; a domain error names its field as the validation errors do (``body.<field>``)."""
    try:
        return session.submit(agency, body)
    except UserError as err:
        if err.where and not err.where.startswith(_WHERE_PREFIXES):
            err.where = f"body.{err.where}"
            err.args = (err.message,)
        raise


def _fault_response(session: Session, code: str, request_no: str, fault: FaultDecision) -> Response:
    session.journal.record(
        session.now(), "submit", agency=code, request_no=request_no, outcome=f"fault:{fault.kind.value}"
    )
    if fault.kind is FaultKind.RESET:
        raise SimulatedConnectionReset(f"simulated connection reset ({code})")
    zh, en = _FAULT_TEXT[fault.kind]
    headers = {"X-Zhixing-Fault": fault.kind.value}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    body = {
        "error": {
            "code": f"fault_{fault.kind.value}",
            "where": "request",
            "zh": zh,
            "en": en,
            "message": f"request: {zh} / {en}",
            "fields": [],
        }
    }
    return JSONResponse(body, status_code=fault.status, headers=headers)


def handle_submit(session: Session, agency: Agency, body: ControlRequest) -> Response:
    """What ``POST /agencies/{code}/requests`` does once the agency and the body are valid (shared by the
    route and :mod:`mock_agencies.fastpath`): a drawn fault, else the ticket (202 new, 200 repeated).
    Raises ``UserError`` (403 another court than the token's, 409 conflict, 422 rejected) or
    :class:`SimulatedConnectionReset`."""
    check_court(body.court_code)
    fault = session.draw_fault(agency)
    if fault is not None and fault.kind is FaultKind.LOST_ANSWER:
        try:  # carried out (or refused) as any submit; the answer is what is lost
            _submit(session, agency, body)
        except UserError:
            pass
    if fault is not None:
        return _fault_response(session, agency.code, body.request_no, fault)
    record, duplicate = _submit(session, agency, body)
    ticket = record.ticket.model_copy(update={"duplicate": True}) if duplicate else record.ticket
    # the bytes ``model_dump_json`` would give, without the str round trip
    return JSONBytes(ticket.__pydantic_serializer__.to_json(ticket), 200 if duplicate else 202)


def handle_poll(session: Session, code: str, ticket_id: str) -> Response:
    """What ``GET /agencies/{code}/requests/{ticket_id}`` does (shared by the route and the fast path);
    raises ``UserError`` (404) for an unknown agency or ticket."""
    session.catalogue.get(code)
    record = session.ticket(code, ticket_id)
    if not visible(record.request.court_code):  # another court's ticket: as if there were none
        raise UserError(f"机构 {code} 没有工单 {ticket_id}", f"agency {code} has no ticket {ticket_id}",
                        where="path.ticket_id", code="not_found")
    return JSONBytes(_poll_body(record))


def _poll_body(record: TicketRecord) -> bytes:
    ticket = record.ticket.model_dump_json()
    feedback = "null" if record.feedback_json is None else json.dumps(record.feedback_json, ensure_ascii=False)
    return f'{{"ticket":{ticket},"feedback":{feedback}}}'.encode()


@router.post(
    "/{code}/requests",
    status_code=202,
    response_model=Ticket,
    summary="提交查控请求 / submit a 查控 request",
    responses={
        200: {"model": Ticket, "description": "重复提交，返回原工单 / repeated request_no: the same ticket"},
        **_ERRORS,
        429: {"model": ErrorBody, "description": "限流，见 Retry-After / rate limited, see Retry-After"},
        500: {"model": ErrorBody, "description": "模拟故障（未受理）/ simulated fault, not accepted"},
        502: {"model": ErrorBody, "description": "模拟故障（未受理）/ simulated fault, not accepted"},
        503: {"model": ErrorBody, "description": "模拟故障或维护（未受理）/ simulated fault or maintenance"},
        504: {"model": ErrorBody, "description": "模拟超时（未受理）/ simulated timeout, not accepted"},
    },
)
async def submit_request(
    body: ControlRequest, agency: Agency = Depends(agency_of), session: Session = Depends(get_session)
) -> Response:
    return handle_submit(session, agency, body)


@router.get(
    "/{code}/requests/{ticket_id}",
    response_model=PollAnswer,
    summary="查询工单与反馈 / poll a ticket and its answer",
    responses={404: _ERRORS[404], 410: _RETIRED, 422: _ERRORS[422]},
)
async def poll_request(
    code: str = CODE_PATH,
    ticket_id: str = Path(max_length=64, description="工单号 / ticket id"),
    session: Session = Depends(get_session),
) -> Response:
    return handle_poll(session, code, ticket_id)


@router.get(
    "/{code}/requests",
    response_model=PollAnswer,
    summary="按请求编号查询 / poll by request number",
    responses={404: _ERRORS[404], 410: _RETIRED, 422: _ERRORS[422]},
)
async def poll_by_request_no(
    code: str = CODE_PATH,
    request_no: str = Query(min_length=1, max_length=64, description="请求编号 / request number"),
    court_code: str | None = Query(
        default=None, min_length=1, max_length=32,
        description="法院代码（请求编号按法院唯一；令牌已确定法院时不必给出）/ the court (request numbers are "
        "unique per court; not needed with a court token)",
    ),
    session: Session = Depends(get_session),
) -> Response:
    session.catalogue.get(code)
    session.pump(session.now())
    record = session.ticket_by_request(code, request_no, COURT.get() or court_code)
    if record is None:
        raise UserError(
            f"机构 {code} 没有请求编号为 {request_no} 的请求",
            f"agency {code} has no request numbered {request_no}",
            where="query.request_no",
            code="not_found",
        )
    return JSONBytes(_poll_body(record))
