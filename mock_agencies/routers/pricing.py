"""The pricing platform over HTTP: 网络询价 and 委托评估 under ``/agencies/{code}/…``.

``{code}`` is an agency of group ``pricing`` offering the service (``pricing_platform``, the national
询价评估系统, offers both). A request is accepted at once (202) and answered later: results are posted by
callback to ``callback_url`` and can be polled at ``GET /agencies/{code}/pricings/{pricing_id}``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from core_flow.errors import UserError
from core_flow.protocol import AgencyGroup, AssetKind, Cents
from mock_agencies.asset_value import market_value
from mock_agencies.auth import COURT
from mock_agencies.deps import get_session
from mock_agencies.pricing import PricingMethod, PricingView
from mock_agencies.profiles import FaultKind
from mock_agencies.routers.control import _fault_response
from mock_agencies.session import Session

router = APIRouter(prefix="/agencies", tags=["pricing / 询价评估"])
T = TypeVar("T")

CODE = Path(pattern=r"^[a-z0-9_]+$", max_length=64, description="询价评估机构代码 / pricing agency code")
_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "未知机构或请求 / unknown agency or request"},
    409: {"description": "请求编号已用于不同请求；已出具结果不能撤回 / request_no reused for another request; a result "
                         "out cannot be withdrawn"},
    422: {"description": "请求无效（字段级说明）/ invalid request (per field)"},
}
# Catalogue service names (data/agencies.yaml) per method.
_SERVICE = {PricingMethod.NETWORK_INQUIRY: "network_inquiry", PricingMethod.APPRAISAL: "commissioned_valuation"}


class PricingCreate(BaseModel):
    """网络询价或委托评估请求 / a network inquiry or appraisal request."""

    model_config = ConfigDict(extra="forbid")

    request_no: str = Field(min_length=1, max_length=64,
                            description="请求编号，本院的幂等键 / idempotency key, the court's own")
    court_code: str = Field(min_length=1, max_length=64, description="法院代码 / court code")
    case_no: str = Field(min_length=1, max_length=64, description="案号 / case number")
    asset_id: str = Field(min_length=1, max_length=64, description="财产编号 / asset id")
    asset_kind: AssetKind = Field(description="财产种类 / asset kind")
    description: str = Field(default="", max_length=500, description="财产描述 / description")
    market_value_cents: Cents | None = Field(
        default=None, description="已知市场价（分），可选 / known market value, optional"
    )
    callback_url: str | None = Field(default=None, max_length=2048, description="结果回调 / result callback")


def platform_call(session: Session, code: str, ref: str, act: Callable[[], T]) -> T | Response:
    """A court's call to a platform: ``act()`` — or a transport-level fault instead (5xx, timeout, 429, maintenance, a
    dropped connection), drawn from the session's behaviour profile for the platform, or a fault the admin API set,
    exactly as a 查控 request's and as the in-process port draws it (mock_agencies.disposal_port ``_call``): nothing
    changes, the court retries. A lost answer (``lost_answer``): ``act()`` is carried out (or refused) and its
    answer lost — a 504 all the same; the court's repeat is answered as the same act. Drawn after the session is
    brought to now. (Before 2026-12-07 (H25) the platforms' HTTP routes drew no fault; before 2026-12-07 (session
    29) a lost answer was a plain timeout here, not carried out.)"""
    session.pump(session.now())
    fault = session.draw_fault(session.catalogue.get(code))
    if fault is None:
        return act()
    if fault.kind is FaultKind.LOST_ANSWER:
        with contextlib.suppress(UserError):
            act()
    return _fault_response(session, code, ref, fault)


def _submit(session: Session, code: str, method: PricingMethod, body: PricingCreate) -> PricingView | Response:
    session.callback_policy.check(body.callback_url)
    agency = session.catalogue.get(code)
    services = getattr(agency, "services", ())
    if agency.group != AgencyGroup.PRICING or _SERVICE[method] not in services:
        raise UserError(
            f"{code} 不办理{'网络询价' if method is PricingMethod.NETWORK_INQUIRY else '委托评估'}",
            f"{code} does not offer {method.value}",
            "path.code",
            "not_found",
        )
    return platform_call(session, code, body.request_no, lambda: _commission(session, method, body))


def _commission(session: Session, method: PricingMethod, body: PricingCreate) -> PricingView:
    now = session.now()
    session.pump(now)
    try:
        # the world's value of the asset when the court gave none, as in process (for a new request only)
        view = session.pricing.submit(method, **body.model_dump(), now=now,
                                      known_value=lambda: market_value(session, body.asset_id, now, body.court_code))
    except UserError as err:
        if err.where and "." not in err.where:
            err.where = f"body.{err.where}"
            err.args = (err.message,)
        raise
    _flush(session, now)
    return view


def _flush(session: Session, now: datetime) -> None:
    session.flush_platform("pricing", now)


@router.post(
    "/{code}/inquiries",
    status_code=202,
    response_model=PricingView,
    summary="网络询价（三家平台，3日内答复）/ network price inquiry (three platforms, 3 days)",
    responses=_ERRORS,
)
async def request_inquiry(
    body: PricingCreate, code: str = CODE, session: Session = Depends(get_session)
) -> PricingView | Response:
    return _submit(session, code, PricingMethod.NETWORK_INQUIRY, body)


@router.post(
    "/{code}/appraisals",
    status_code=202,
    response_model=PricingView,
    summary="委托评估（30日内出具报告）/ commissioned appraisal (report within 30 days)",
    responses=_ERRORS,
)
async def commission_appraisal(
    body: PricingCreate, code: str = CODE, session: Session = Depends(get_session)
) -> PricingView | Response:
    return _submit(session, code, PricingMethod.APPRAISAL, body)


def _pricing_agency(session: Session, code: str) -> None:
    """``code`` names a pricing agency of the catalogue (else a located 404)."""
    if session.catalogue.get(code).group != AgencyGroup.PRICING:
        raise UserError(f"{code} 不是询价评估机构", f"{code} is not a pricing agency", "path.code", "not_found")


@contextmanager
def _at_pricing_id() -> Iterator[None]:
    """A refusal about the pricing request is located at the path's pricing id."""
    try:
        yield
    except UserError as err:
        err.where = "path.pricing_id"
        err.args = (err.message,)
        raise


@router.get(
    "/{code}/pricings",
    response_model=list[PricingView],
    summary="按请求编号查找询价评估 / find a pricing request by its request number",
    responses=_ERRORS,
)
async def find_pricing(
    code: str = CODE,
    request_no: str = Query(min_length=1, max_length=64, description="请求编号 / the request number"),
    court_code: str | None = Query(
        default=None, min_length=1, max_length=64,
        description="法院代码（请求编号按法院唯一；令牌已确定法院时不必给出）/ the court (request numbers are unique "
        "per court; not needed with a court token)",
    ),
    session: Session = Depends(get_session),
) -> list[PricingView] | Response:
    """The request the court accepted under ``request_no`` — none, or one: a court whose answers were all lost learns
    whether the platform took its request (and withdraws it if its case closed) without sending it again, which would
    make it (profile 0.8.0). The court is the token's (with court tokens), else ``court_code``; with neither, every
    court's request under the number (profile 0.10.0: requests are keyed per court, two courts' same number are two
    requests — before, they shared one)."""
    _pricing_agency(session, code)
    court = COURT.get() or court_code

    def look() -> list[PricingView]:
        return session.pricing.find(request_no, court)

    return platform_call(session, code, request_no, look)


@router.get(
    "/{code}/pricings/{pricing_id}",
    response_model=PricingView,
    summary="询价评估结果 / a pricing request and its result",
    responses=_ERRORS,
)
async def get_pricing(
    code: str = CODE,
    pricing_id: str = Path(min_length=1, max_length=64, description="询价评估编号 / pricing id"),
    session: Session = Depends(get_session),
) -> PricingView | Response:
    _pricing_agency(session, code)

    def look() -> PricingView:
        with _at_pricing_id():
            return session.pricing.get(pricing_id)

    return platform_call(session, code, pricing_id, look)


@router.post(
    "/{code}/pricings/{pricing_id}/withdrawal",
    response_model=PricingView,
    summary="撤回询价评估（不再出具结果）/ withdraw a pricing request (no result will come)",
    responses=_ERRORS,
)
async def withdraw_pricing(
    code: str = CODE,
    pricing_id: str = Path(min_length=1, max_length=64, description="询价评估编号 / pricing id"),
    session: Session = Depends(get_session),
) -> PricingView | Response:
    _pricing_agency(session, code)

    def withdraw() -> PricingView:
        now = session.now()
        with _at_pricing_id():
            view = session.pricing.withdraw(pricing_id, now=now)
        _flush(session, now)
        return view

    return platform_call(session, code, pricing_id, withdraw)
