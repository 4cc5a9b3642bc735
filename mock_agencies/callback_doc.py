"""The callbacks the agencies post, described for the OpenAPI (``callbacks`` on every operation that takes a
``callback_url``): what is posted, with which headers, and what the receiver answers.

* a 查控 request's answer (:class:`~core_flow.protocol.Feedback`; a 总对总 part; a later notice);
* an auction platform's results (:class:`AuctionResult`: 成交, 流拍, 以物抵债, 变卖 …);
* the pricing platform's results (:class:`PricingResult`: an extension, the result).

Delivery (``mock_agencies.delivery``): a POST per result, retried with capped exponential backoff until the
receiver answers 2xx, up to ``callback_max_attempts`` (then marked failed in the journal; the answer stays
available by polling). The receiver deduplicates by ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mock_agencies.auction import ListingStatus, Round
from mock_agencies.pricing import PlatformAnswer, PricingMethod


class _Result(BaseModel):
    model_config = ConfigDict(extra="allow")


class AuctionResult(_Result):
    """网络司法拍卖平台的结果回调 / an auction platform's result callback."""

    event: Literal["auction.sold", "auction.failed", "auction.in_kind", "auction.in_kind_declined", "sale.sold",
                   "sale.failed", "auction.buyer_defaulted", "sale.buyer_defaulted"] = Field(
        description="事件：成交、流拍、以物抵债、不接受以物抵债、变卖成交、变卖不成、买受人悔拍（拍卖、变卖）"
        "/ sold, failed, taken in kind, in kind declined, sold in the 变卖, the 变卖 failed, the buyer "
        "defaulted (an auction's, a 变卖's)")
    at: datetime = Field(description="发生时刻 / when")
    listing_id: str = Field(description="标的编号 / listing id")
    platform: str = Field(description="拍卖平台代码 / platform code")
    round: Round = Field(description="一拍 / 二拍 / 变卖 — first, second auction or 变卖")
    court_code: str = Field(description="法院代码 / court code")
    case_no: str = Field(description="案号 / case number")
    asset_id: str = Field(description="财产编号 / asset id")
    status: ListingStatus = Field(description="标的状态 / the listing's status")
    price_cents: int | None = Field(default=None, description="成交价或抵债价（分）/ price sold or taken at, cents")
    buyer_id: str | None = Field(default=None, description="买受人编号 / buyer id (sold)")
    buyer_name: str | None = Field(default=None, description="买受人 / buyer (sold)")
    deposit_applied_cents: int | None = Field(default=None, description="抵作价款的保证金（分）/ deposit applied")
    balance_due_cents: int | None = Field(default=None, description="尚需支付的余款（分）/ balance due")
    relist_deadline: datetime | None = Field(default=None, description="二拍须在此前发布 / relist by (流拍)")
    in_kind_price_cents: int | None = Field(default=None, description="以物抵债价（分）/ the in-kind price")
    in_kind_decision_due: datetime | None = Field(default=None, description="申请人答复期限 / creditor answers by")
    by_agreement: bool | None = Field(default=None, description="协议以物抵债（法院告知，抵债价为作价）/ taken in kind "
                                      "by agreement, the court's (auction.in_kind; price_cents the agreed value)")
    balance_due_at: datetime | None = Field(default=None, description="余款付款期限（悔拍）/ the balance was due by "
                                            "(buyer_defaulted)")
    forfeited_deposit_cents: int | None = Field(
        default=None, description="悔拍不予退还的保证金（分），该财产有着落时划入本案 / the deposit forfeited on the "
        "default, cents (remitted to the case once the lot settles)")


class PricingResult(_Result):
    """询价评估的结果回调 / a pricing result callback."""

    event: Literal["pricing.extended", "pricing.completed"] = Field(
        description="事件：某平台延期、结果已出 / a platform extended its term; the result is in")
    at: datetime = Field(description="发生时刻 / when")
    pricing_id: str = Field(description="询价评估编号 / pricing id")
    request_no: str = Field(description="请求编号 / request number")
    method: PricingMethod = Field(description="网络询价 / 委托评估 — network inquiry or appraisal")
    court_code: str = Field(description="法院代码 / court code")
    case_no: str = Field(description="案号 / case number")
    asset_id: str = Field(description="财产编号 / asset id")
    provider: str | None = Field(default=None, description="延期的平台（extended）/ the platform that extended")
    extensions: int | None = Field(default=None, description="该平台的延期次数 / its extensions so far")
    due_at: datetime | None = Field(default=None, description="新的答复期限 / the new due instant")
    reference_price_cents: int | None = Field(default=None, description="参考价（分）/ reference price (completed)")
    answers: list[PlatformAnswer] | None = Field(default=None, description="各平台答复 / each platform's answer")
    valid_until: datetime | None = Field(default=None, description="结果有效期 / valid until")


_HEADERS = [
    {"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "幂等键，接收方据此去重：工单号；总对总分批为 工单号:批次；通知为 工单号:notice:n；平台结果为 "
                    "事件:编号 / the receiver deduplicates by it: the ticket id; a hub part ticket:part; a notice "
                    "ticket:notice:n; a platform result event:id"},
    {"name": "X-Zhixing-Delivery", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "投递序号 / delivery number"},
    {"name": "X-Zhixing-Attempt", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "第几次尝试（1 起）/ attempt number, from 1"},
]
_RESPONSES = {
    "2XX": {"description": "已确认：不再投递（重复的也应确认）/ acknowledged: not posted again (acknowledge duplicates "
                           "too)"},
    "default": {"description": "未确认（或无应答）：以有上限的指数退避重试，达到 callback_max_attempts 后在日志中"
                               "记为失败，"
                               "结果仍可轮询 / not acknowledged (or no answer): retried with capped exponential "
                               "backoff; after callback_max_attempts marked failed in the journal, still pollable"},
}
_WHAT = {
    "Feedback": ("查控反馈 / the 查控 answer",
                 "机构的反馈（总对总为分批反馈，轮候生效时为编号通知），受理后异步送达。/ The agency's answer (from "
                 "the "
                 "总对总 hub, its parts; a numbered notice when a queued freeze takes effect), posted asynchronously "
                 "after the ticket."),
    "AuctionResult": ("拍卖结果 / auction results",
                      "标的的结果：成交、流拍、以物抵债答复、变卖结果。/ The listing's results: sold, failed, the "
                      "creditor's in-kind answer, the 变卖's outcome."),
    "PricingResult": ("询价评估结果 / pricing results",
                      "询价评估的进展与结果：平台延期、参考价。/ The pricing request's progress and result: a "
                      "platform's extension, the reference price."),
}
DOCUMENTATION_MODELS = (AuctionResult, PricingResult)


def _payload_for(path: str) -> str:
    if "/listings" in path:
        return "AuctionResult"
    if path.endswith(("/inquiries", "/appraisals")):
        return "PricingResult"
    return "Feedback"


def describe_callbacks(schema: dict[str, Any]) -> None:
    """Add ``callbacks`` to every operation of the OpenAPI ``schema`` whose body has a ``callback_url``, and the
    payloads' schemas to its components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in DOCUMENTATION_MODELS:
        js = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in js.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = js
    for path, item in schema.get("paths", {}).items():
        for op in item.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            props = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
            if "callback_url" not in props:
                continue
            payload = _payload_for(path)
            summary, description = _WHAT[payload]
            op["callbacks"] = {payload: {"{$request.body#/callback_url}": {"post": {
                "summary": summary,
                "description": description,
                "parameters": _HEADERS,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{payload}"}}}},
                "responses": _RESPONSES,
            }}}}
