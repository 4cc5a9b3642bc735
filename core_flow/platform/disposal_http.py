"""The pricing and auction platforms over HTTP, as the court's :class:`~core_flow.platform.disposal.DisposalPort`.

Synchronous calls (``send(method, path, json=…)`` returning an ``httpx.Response``: an ``httpx.Client``'s ``request``,
or a client that adds a namespace header and moves a virtual clock first); for a platform served by another thread
or process. A 4xx answer carries the platform's bilingual, field-located error (``{"error": {code, zh, en, where}}``)
and becomes that :class:`UserError`; a 5xx or 429 answer, a timeout or a broken connection is a transient
:class:`PortFault` (with the platform's ``Retry-After``, if any), which the 查控 gateway retries with the same
terms. Results come by callback to ``callback_url`` (:func:`create_disposal_receiver`) and are polled as well
(``next_change`` is unknown over HTTP: the court looks at each due time and daily); either way the platform's view is
read and the gateway passes each result on once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from core_flow.errors import UserError
from core_flow.gateway.http import parse_retry_after
from core_flow.platform.disposal import PRICING_PLATFORM, Disposal, PortFault
from core_flow.validation import field_messages, validation_error_body

Send = Callable[..., httpx.Response]


class HttpDisposalPort:
    def __init__(self, send: Send, *, before: Callable[[datetime], None] | None = None,
                 pricing_platform: str = PRICING_PLATFORM, callback_url: str | None = None,
                 next_due: Callable[[datetime], datetime | None] | None = None) -> None:
        self.send = send
        self.next_due = next_due  # when the platforms next change, if the server can tell (a virtual namespace)
        self.callback_url = callback_url  # where the platforms post results (create_disposal_receiver); or poll
        self.before = before  # e.g. move a virtual namespace's clock to the court's now
        self.pricing_platform = pricing_platform
        self._platform: dict[str, str] = {}  # listing id → its platform

    def _call(self, method: str, path: str, now: datetime, body: dict[str, Any] | None = None) -> Any:
        if body is not None and self.callback_url and method == "POST" and not path.endswith(
                ("/remittance", "/deposit-remittance", "/in-kind", "/in-kind-agreement")):
            body = {**body, "callback_url": self.callback_url}
        try:
            if self.before is not None:
                self.before(now)
            response = self.send(method, path, json=body) if body is not None else self.send(method, path)
        except (httpx.TransportError, httpx.TimeoutException) as err:
            raise PortFault(f"{method} {path}: {type(err).__name__}") from None
        if response.status_code >= 500 or response.status_code == 429:  # the gateway retries (its policy)
            raise PortFault(f"{method} {path}: HTTP {response.status_code}", retry_after=parse_retry_after(response),
                            rate_limited=response.status_code == 429)
        if response.status_code >= 400:
            raise _user_error(response, f"{method} {path}")
        return response.json()

    def _view(self, view: dict[str, Any]) -> dict[str, Any]:
        if "listing_id" in view and "platform" in view:
            self._platform[view["listing_id"]] = view["platform"]
        return view

    def _on(self, listing_id: str) -> str:
        platform = self._platform.get(listing_id)
        if platform is None:
            raise UserError(f"未知标的 {listing_id}", f"unknown listing {listing_id}", where="listing_id",
                            code="not_found")
        return f"/agencies/{platform}/listings/{quote(listing_id, safe='')}"

    # ── pricing ──
    def price(self, *, method: str, request_no: str, court_code: str, case_no: str, asset_id: str, asset_kind: str,
              description: str, now: datetime) -> dict[str, Any]:
        kind = "inquiries" if method == "network_inquiry" else "appraisals"
        return self._call("POST", f"/agencies/{self.pricing_platform}/{kind}", now, {
            "request_no": request_no, "court_code": court_code, "case_no": case_no, "asset_id": asset_id,
            "asset_kind": asset_kind, "description": description})

    def pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
        return self._call("GET", f"/agencies/{self.pricing_platform}/pricings/{quote(pricing_id, safe='')}", now)

    def withdraw_pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
        return self._call("POST", f"/agencies/{self.pricing_platform}/pricings/{quote(pricing_id, safe='')}/withdrawal",
                          now)

    def find_pricing(self, request_no: str, now: datetime) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/agencies/{self.pricing_platform}/pricings?request_no="
                               f"{quote(request_no, safe='')}", now))

    # ── auction ──
    def list(self, *, platform: str, court_code: str, case_no: str, asset_id: str, asset_class: str,
             description: str, valuation_cents: int, starting_price_cents: int, deposit_cents: int,
             bidding_starts: datetime, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"/agencies/{platform}/listings", now, {
            "court_code": court_code, "case_no": case_no, "asset_id": asset_id, "asset_kind": asset_class,
            "description": description, "valuation_cents": valuation_cents,
            "starting_price_cents": starting_price_cents, "deposit_cents": deposit_cents,
            "bidding_starts": bidding_starts.isoformat()}))

    def relist(self, listing_id: str, *, starting_price_cents: int, deposit_cents: int, bidding_starts: datetime,
               now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/relist", now, {
            "starting_price_cents": starting_price_cents, "deposit_cents": deposit_cents,
            "bidding_starts": bidding_starts.isoformat()}))

    def reauction(self, listing_id: str, *, bidding_starts: datetime, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/reauction", now, {
            "bidding_starts": bidding_starts.isoformat()}))

    def decide_in_kind(self, listing_id: str, *, accept: bool, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/in-kind", now, {"accept": accept}))

    def agree_in_kind(self, listing_id: str, *, price_cents: int, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/in-kind-agreement", now,
                                     {"price_cents": price_cents}))

    def start_sale(self, listing_id: str, *, price_cents: int, deposit_cents: int, sale_starts: datetime,
                   sale_ends: datetime, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/sale", now, {
            "price_cents": price_cents, "deposit_cents": deposit_cents, "sale_starts": sale_starts.isoformat(),
            "sale_ends": sale_ends.isoformat()}))

    def withdraw_listing(self, listing_id: str, now: datetime) -> dict[str, Any]:
        return self._view(self._call("POST", f"{self._on(listing_id)}/withdrawal", now))

    def listing(self, listing_id: str, now: datetime) -> dict[str, Any]:
        return self._view(self._call("GET", self._on(listing_id), now))

    def find_listings(self, *, platform: str, case_no: str, now: datetime) -> list[dict[str, Any]]:
        return [self._view(v) for v in self._call(
            "GET", f"/agencies/{platform}/listings?case_no={quote(case_no, safe='')}", now)]

    def collect(self, listing_id: str, sub_account: str, now: datetime) -> int:
        answer = self._call("POST", f"{self._on(listing_id)}/remittance", now, {"sub_account": sub_account})
        return int(answer["amount_cents"])

    def collect_deposit(self, listing_id: str, sub_account: str, now: datetime) -> int:
        answer = self._call("POST", f"{self._on(listing_id)}/deposit-remittance", now, {"sub_account": sub_account})
        return int(answer["amount_cents"])

    def path_of(self, listing_id: str) -> str:
        """The listing's path on its platform (a listing this port made or read)."""
        return self._on(listing_id)

    def next_change(self, now: datetime, ref: str | None = None) -> datetime | None:
        if self.next_due is None:
            return None
        try:
            return self.next_due(now)
        except (httpx.TransportError, httpx.TimeoutException, UserError):
            return None  # unknown: the court looks at each due time and daily


class DisposalAck(BaseModel):
    ok: bool = True
    matched: bool = Field(description="是否为本院处置中的财产 / about a lot of this court")


def create_disposal_receiver(disposal: Disposal) -> FastAPI:
    """``POST /callbacks/disposal``: the pricing and auction platforms post their results here (retrying until a
    2xx). Every well-formed result is acknowledged — repeats too, or the platform would keep retrying — and handed to
    ``Disposal.receive``, which looks at the platform's view and acts on each result once. A malformed body gets 422
    with a located message, Chinese first."""
    app = FastAPI(title="zhixing 处置结果接收 / disposal result receiver", version="0.1.0")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = field_messages(list(exc.errors()), drop_body=True)
        return JSONResponse(validation_error_body(fields, "回调内容无效：", "invalid callback body: "),
                            status_code=422)

    @app.post("/callbacks/disposal", response_model=DisposalAck,
              summary="询价、拍卖结果回调 / a pricing or auction result")
    def result(payload: PlatformResult) -> DisposalAck:
        return DisposalAck(matched=disposal.receive(payload.model_dump(exclude_none=True)))

    return app


class PlatformResult(BaseModel):
    """A platform's posted result (the fields zhixing reads; others are kept but not needed)."""

    model_config = ConfigDict(extra="allow")
    event: str = Field(min_length=1, max_length=64, description="结果类型 / e.g. auction.sold, pricing.completed")
    court_code: str = Field(min_length=1, max_length=64)
    case_no: str = Field(min_length=1, max_length=64)
    asset_id: str = Field(min_length=1, max_length=64)
    listing_id: str | None = Field(default=None, max_length=64)
    pricing_id: str | None = Field(default=None, max_length=64)


def _user_error(response: httpx.Response, request: str) -> UserError:
    """The platform's bilingual error (``{"error": {code, zh, en, where}}``), or a plain one naming the request."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    zh = error.get("zh") or f"平台拒绝请求 {request}（HTTP {response.status_code}）"
    en = error.get("en") or f"the platform refused {request} (HTTP {response.status_code})"
    return UserError(zh, en, where=error.get("where") or request, code=error.get("code") or "invalid")
