"""The callback receiver: ``create_receiver_app(gateway)`` → a FastAPI app with ``POST /callbacks/feedback``.

An agency posts a :class:`~core_flow.protocol.Feedback` (retrying until it gets a 2xx). Every well-formed
answer is acknowledged with 200 — duplicates too, or the agency would keep retrying — and handed to
``gateway.receive``, which delivers it once. A malformed body gets 422 with a field-level message, Chinese
first and English beside it. Nothing is built at import time.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core_flow.gateway.gateway import Gateway
from core_flow.protocol import Feedback

# pydantic error type → Chinese text (the English is pydantic's own message)
_ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度不得少于 {min_length}",
    "string_too_long": "长度不得超过 {max_length}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "enum": "取值应为 {expected}",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "tuple_type": "应为数组",
    "json_invalid": "JSON 格式错误",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
}


class Ack(BaseModel):
    ok: bool = True
    matched: bool  # True: a request's first answer; False: a duplicate or an unknown request
    ticket_id: str
    request_no: str


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pydantic errors → ``[{field, type, zh, en}]`` (the location without the leading ``body``)."""
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[1:]
        typ = str(e.get("type", ""))
        template = _ZH.get(typ, "字段无效")
        try:
            zh = template.format(**(e.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            zh = template
        out.append(
            {"field": ".".join(loc) or "body", "type": typ, "zh": zh, "en": str(e.get("msg", "invalid"))}
        )
    return out


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = field_errors(list(exc.errors()))
    where = ", ".join(f["field"] for f in fields)
    zh = "回调内容无效：" + "；".join(f"{f['field']}：{f['zh']}" for f in fields)
    en = "invalid callback body: " + "; ".join(f"{f['field']}: {f['en']}" for f in fields)
    body = {
        "error": {
            "code": "validation",
            "where": where,
            "zh": zh,
            "en": en,
            "message": f"{where}: {zh} / {en}",
            "fields": fields,
        }
    }
    return JSONResponse(body, status_code=422)


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
        matched = gateway.receive(feedback, via="callback")
        return Ack(matched=matched, ticket_id=feedback.ticket_id, request_no=feedback.request_no)

    return app
