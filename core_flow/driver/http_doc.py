"""What the court driver's OpenAPI says about each operation, in one place (issue 14 point 1, issue 13 point 6): a
description (Chinese first, English beside it), examples — of the path parameter, the request body, or the answer
where the operation takes neither — and every status the app can answer besides its own, each with the driver's
bilingual error body (:class:`DriverError`). A test checks every served operation against this table.

Statuses (see :func:`~core_flow.driver.http_app.create_driver_app`): 400 for a body that cannot be parsed at all
(bytes that are not UTF-8); 413 for a body over 1 MiB (refused unread); 415 for a body that is not sent as
``application/json`` (text/plain, a form); 422 for a bad request (field-level, from
validation) and for everything the court refuses to do as asked (``UserError``: ``no_court``, ``unknown_case``,
``unknown_command``, ``bad_fields``, ``unknown_field``…); 404 for a path that is not an operation; 405 (with
``Allow``) for a method a path does not serve. A command the court *refuses* by its rules is not an error: 200
with ``accepted: false`` and the refusal's code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DriverError(BaseModel):
    """驱动接口的错误体（中文在前，英文在旁）/ the driver interface's error body (Chinese first, English beside)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(description="错误代码 / error code", examples=["unknown_case"])
    zh: str = Field(description="中文说明 / the message in Chinese")
    en: str = Field(description="英文说明 / the message in English")
    where: str | None = Field(None, description="出错位置（字段或参数）/ where: the field or parameter at fault")
    fields: list[dict[str, Any]] = Field(default_factory=list,
                                         description="逐字段说明（请求无效时）/ per field (an invalid request)")


CASE = "（2026）豫0811执1号"
ORIGIN = "2026-03-02T09:00:00+08:00"
_DEBTOR = {"kind": "person", "name": "张三", "id_number": "110101199003077002"}  # synthetic (check digit valid)

STATUS_TEXT: dict[str, str] = {
    "400": "请求体无法解析（如非 UTF-8 字节）/ the request body cannot be parsed (e.g. bytes that are not UTF-8)",
    "413": "请求体超过上限（1 MiB），未读即拒 / the request body is over the limit (1 MiB), refused unread",
    "415": "请求体须以 Content-Type: application/json 发送 / the body must be sent as Content-Type: application/json",
    "404": "路径不是本接口的操作 / the path is not an operation of this interface",
    "405": "该路径不支持此方法（见 Allow 头）/ the path does not serve this method (see the Allow header)",
    "422": ("请求无效（逐字段说明），或法院无法照办：尚未开始运行（no_court）、案件不存在（unknown_case）、"
            "命令或字段未知或类型不符（unknown_command、unknown_field、bad_fields）、被执行人不在本案（unknown_debtor）、"
            "时刻超出法定日历可用的年份（calendar_range）、证件号码校验位不符（bad_id_number）、"
            "名称含控制字符（bad_name）/ an invalid request (per field), or the "
            "court cannot do as asked: no run yet (no_court), no such case (unknown_case), an unknown command or "
            "field or a field of the wrong type (unknown_command, unknown_field, bad_fields), a debtor not of the "
            "case (unknown_debtor), an instant beyond the legal calendar's years (calendar_range), a debtor's number "
            "whose check character is wrong (bad_id_number), a name with control characters (bad_name)"),
}

ERROR_EXAMPLES: dict[str, dict[str, Any]] = {
    "400": {"code": "bad_body", "zh": "请求体不是 UTF-8 编码的文本（偏移 7 字节处无法解码），应为 UTF-8 的 JSON",
            "en": "the request body is not UTF-8 text (undecodable at byte offset 7): expected JSON in UTF-8",
            "where": "body", "fields": []},
    "413": {"code": "body_too_large", "zh": "请求体超过上限 1048576 字节", "en": "the request body is larger than "
            "the limit of 1048576 bytes", "where": "body", "fields": []},
    "415": {"code": "content_type", "zh": "Content-Type 应为 application/json（收到：text/plain）",
            "en": "expected Content-Type: application/json (got: text/plain)", "where": "Content-Type", "fields": []},
    "404": {"code": "not_found", "zh": "没有该路径：/case", "en": "no such path: /case", "where": "path",
            "fields": []},
    "405": {"code": "method_not_allowed", "zh": "此路径不支持 PATCH 方法", "en": "PATCH is not allowed here",
            "where": "method", "fields": []},
    "422": {"code": "unknown_case", "zh": f"案件 {CASE} 不存在", "en": f"no case {CASE}", "where": "case_id",
            "fields": []},
}

_RUN = {"origin": ORIGIN, "seed": 7, "agencies": {"profile": "fast"}}
_FILING = {"case_id": CASE, "case_type": "first", "money": True, "amount_cents": 12_000_000,
           "debtors": [_DEBTOR]}
_CLOCK = {"now": ORIGIN}

# (method, path) → description, body examples, answer example (operations taking neither parameter nor body)
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/court"): {
        "description": ("开始一次运行：建立一个新法院（此前的运行随之结束），时钟起点为 origin；可指定随机种子、"
                        "法院身份与查控对端。 / Starts a run: a fresh court (any earlier run ends), its clock at "
                        "origin; optionally the seed, the court's identity and the agencies it reaches."),
        "body": {"参考法院 / reference court": _RUN,
                 "指定法院 / a named court": {**_RUN, "court": {"code": "J45", "name": "某某县人民法院",
                                                              "region": "410811", "intermediate": "J40",
                                                              "high": "J00"}}},
    },
    ("DELETE", "/court"): {
        "description": "结束本次运行，释放法院。 / Ends the run and releases the court.",
        "answer": None,  # 204: no content
    },
    ("GET", "/now"): {
        "description": ("法院当前时间（虚拟时钟，中国标准时间）。 / "
                        "The court's now (its virtual clock, China Standard Time)."),
        "answer": _CLOCK,
    },
    ("POST", "/clock/advance"): {
        "description": ("把法院时钟推进到 to；其间到期的期限与机构答复各在其时发生。to 不晚于当前时间时，只处理此刻"
                        "到期之事。 / Runs the court's clock to `to`; every deadline and agency answer due on the "
                        "way happens at its own instant. A `to` not after now handles only what is due now."),
        "body": {"推进一天 / one day": {"to": "2026-03-03T09:00:00+08:00"}},
    },
    ("POST", "/cases"): {
        "description": ("立案：案号、案件类型、执行标的与被执行人。被拒绝时 accepted 为 false 并给出拒绝代码。 / "
                        "Files a case: its number, type, claim and debtors. A refusal answers accepted: false with "
                        "the refusal's code."),
        "body": {"首次执行 / a first enforcement case": _FILING},
    },
    ("POST", "/cases/{case_id}/commands"): {
        "description": ("对案件发送一条命令（引擎命令或对财产的操作，见 COMMANDS）；法院依规则拒绝时 accepted 为 "
                        "false。 / Sends the case one command (an engine command or an operation on property, see "
                        "COMMANDS); a refusal by the court's rules answers accepted: false."),
        "body": {"分案 / assign": {"type": "Assign", "fields": {"handler": "张法官"}},
                 "身份验证 / identity check": {"type": "VerifyIdentity",
                                              "fields": {"debtor": _DEBTOR["id_number"], "passed": True}}},
    },
    ("GET", "/cases/{case_id}"): {
        "description": ("案件概要：承办人、结案方式、审限、身份验证、到账与集约查询反馈。 / The case's summary: "
                        "handler, closing manner, limit, identity checks, receipts and 集约查询 feedback."),
    },
    ("GET", "/cases/{case_id}/events"): {
        "description": "案件事件，按发生顺序。 / The case's events, in the order they happened.",
    },
    ("GET", "/cases/{case_id}/nodes"): {
        "description": ("各节点（及其实例）的状态与工作事项期限。 / "
                        "Each node's (and instance's) state and work-item deadlines."),
    },
    ("GET", "/cases/{case_id}/assets"): {
        "description": ("已查得的财产与本案对其的控制（冻结、扣划、解除）。 / "
                        "The property found and the case's hold on it."),
    },
    ("GET", "/cases/{case_id}/amounts"): {
        "description": ("金额对账：冻结、扣划、到账、案款账户，精确到分。 / The case's amounts reconciled to the cent: "
                        "frozen, deducted, paid, the case account."),
    },
    ("GET", "/cases/{case_id}/lots"): {
        "description": ("处置中的财产：询价、拍卖轮次与价格。 / "
                        "Property being disposed of: pricing, auction round and prices."),
    },
}

PARAMETER_EXAMPLES: dict[str, Any] = {"case_id": CASE}
_NEVER_REFUSED = {("DELETE", "/court")}  # takes nothing and always succeeds (204), with or without a run

# 404 and 405 belong to no operation (a path that is none, a method a path does not serve): the app's description
# says so, with the same body.
APP_STATUSES = ("其他状态：路径不是本接口的操作答 404，路径不支持的方法答 405（附 Allow 头），"
                "错误体均为 DriverError。 / "
                "Other statuses: a path that is not an operation answers 404, a method a path does not serve 405 "
                "(with Allow); both with the DriverError body.")


def allowed_methods(routes: Iterable[Any], path: str) -> str:
    """The ``Allow`` list of ``path``: every documented method of every route matching it (Starlette's own 405
    names only those of the first route matched, e.g. ``PUT`` for ``/court``, which serves ``DELETE`` too)."""
    methods: set[str] = set()
    for route in routes:
        regex, served = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and served and getattr(route, "include_in_schema", False) and regex.match(path):
            methods |= set(served) - {"HEAD"}
    return ", ".join(sorted(methods))


def _error_response(status: str) -> dict[str, Any]:
    return {"description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriverError"},
                                             "example": ERROR_EXAMPLES[status]}}}


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (the app's generated OpenAPI) with every operation described, its examples, and the error statuses
    each may answer (FastAPI's own 422 schema replaced by the driver's error body)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["DriverError"] = DriverError.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            entry = OPERATIONS[(method.upper(), path)]
            op["description"] = entry["description"]
            for param in op.get("parameters", []):
                param["example"] = PARAMETER_EXAMPLES[param["name"]]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                for status in ("400", "413", "415"):
                    op["responses"][status] = _error_response(status)
                body["examples"] = {k: {"summary": k, "value": v} for k, v in entry["body"].items()}
            answer = entry.get("answer")
            if answer is not None:
                ok = next(s for s in op["responses"] if s.startswith("2"))
                op["responses"][ok].setdefault("content", {}).setdefault("application/json", {})["example"] = answer
            op["responses"].pop("422", None)  # FastAPI's own, with its English-only body
            if (method.upper(), path) not in _NEVER_REFUSED:
                op["responses"]["422"] = _error_response("422")
    return spec
