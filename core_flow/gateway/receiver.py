"""The callback receiver: ``create_receiver_app(gateway)`` → a FastAPI app with ``POST /callbacks/feedback``.

An agency posts a :class:`~core_flow.protocol.Feedback` (retrying until it gets a 2xx). Every well-formed
answer is acknowledged with 200 — duplicates too, or the agency would keep retrying — and handed to
``gateway.receive``, which delivers it once — on a logical real-time clock at the agency's stated answer
instant when it lies between the request's sending and the court's now (``Gateway.answer_instant``). A
malformed body gets 422 with a field-level message, Chinese first and English beside it.
Nothing is built at import time.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core_flow.gateway.gateway import Gateway
from core_flow.protocol import Feedback
from core_flow.validation import field_messages, validation_error_body


class Ack(BaseModel):
    ok: bool = True
    matched: bool  # True: a request's first answer; False: a duplicate or an unknown request
    ticket_id: str
    request_no: str


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = field_messages(list(exc.errors()), drop_body=True)
    return JSONResponse(validation_error_body(fields, "回调内容无效：", "invalid callback body: "), status_code=422)


def create_receiver_app(gateway: Gateway) -> FastAPI:
    app = FastAPI(
        title="zhixing 查控 callback receiver / 查控反馈接收",
        version="0.1.0",
        description="接收协助执行单位的反馈回调 / receives agencies' answer callbacks",
    )
    app.state.gateway = gateway
    app.add_exception_handler(RequestValidationError, _on_validation_error)

    @app.post(
        "/callbacks/feedback",
        response_model=Ack,
        summary="接收反馈 / receive an answer",
        responses={422: {"description": "回调内容无效（字段级说明）/ invalid body, per field"}},
    )
    async def receive_feedback(feedback: Feedback) -> Ack:
        at = gateway.answer_instant(feedback)  # on a logical clock: the agency's answer instant
        if at is None:
            matched = gateway.receive(feedback, via="callback")
        else:
            with gateway.clock.at(at):
                matched = gateway.receive(feedback, via="callback")
        return Ack(matched=matched, ticket_id=feedback.ticket_id, request_no=feedback.request_no)

    return app
