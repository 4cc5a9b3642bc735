"""The error body of the mock agencies (HTTP and in-process alike; no web framework here): a domain
``UserError`` as ``{"error": {code, where, zh, en, message, fields}}`` and the HTTP status its code means."""

from __future__ import annotations

from typing import Any

from core_flow.errors import UserError
from mock_agencies.masking import mask_data

_STATUS_BY_CODE = {
    "not_found": 404,
    "unknown_agency": 404,
    "forbidden": 403,
    "conflict": 409,
    "retired": 410,
    "too_many_sessions": 429,
}


def status_of(err: UserError) -> int:
    return _STATUS_BY_CODE.get(err.code, 422)


def user_error_body(err: UserError, *, unmask: bool = False) -> dict[str, Any]:
    """The body; ID, credit-code and account numbers in it masked unless ``unmask`` (see ``masking``)."""
    detail = err.as_dict()
    detail["fields"] = [{"field": err.where, "zh": err.zh, "en": err.en}] if err.where else []
    body = {"error": detail}
    return body if unmask else mask_data(body)
