"""The network judicial auction platforms over HTTP: ``/agencies/{platform}/listings…``.

``{platform}`` is an agency of group ``auction`` in the catalogue (taobao, jd, rmfysszc, gpai, caa, …).
Every call first brings the session up to its virtual ``now`` (simulated bidders act, listings close);
results (成交, 流拍, 以物抵债, 变卖) are posted by callback to the listing's ``callback_url``.
Errors are 4xx with a bilingual, field-level message (``where`` = ``body.<field>`` or ``path.<param>``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from core_flow.errors import UserError
from core_flow.protocol import STRICT_DATETIME, AgencyGroup, Cents, StrictBool
from mock_agencies.auction import AssetClass, ListingView
from mock_agencies.auth import COURT
from mock_agencies.deps import get_session
from mock_agencies.routers.pricing import platform_call
from mock_agencies.session import Session

router = APIRouter(prefix="/agencies", tags=["auction / 网络司法拍卖"])
T = TypeVar("T")

PLATFORM = Path(pattern=r"^[a-z0-9_]+$", max_length=64, description="拍卖平台代码 / auction platform code")
LISTING = Path(min_length=1, max_length=64, description="标的编号 / listing id")
_PATH_PARAMS = {"listing_id", "platform"}

_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "未知平台或标的 / unknown platform or listing"},
    409: {"description": "状态不允许（已结束、未流拍…）/ not allowed in this state"},
    422: {"description": "请求无效（字段级说明）/ invalid request (per field)"},
}

T = TypeVar("T")
Instant = Annotated[AwareDatetime, STRICT_DATETIME]  # an ISO 8601 string with its offset


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


_ID = dict(min_length=1, max_length=64)


class ListingCreate(_Body):
    """发布一拍 / publish a first auction."""

    court_code: str = Field(**_ID, description="法院代码 / court code")
    case_no: str = Field(**_ID, description="案号 / case number")
    asset_id: str = Field(**_ID, description="财产编号（同一财产每轮一个标的）/ asset id, one listing per round")
    asset_kind: AssetClass = Field(description="财产类别：动产/不动产/其他财产权 / asset class")
    description: str = Field(default="", max_length=500, description="标的描述 / description")
    valuation_cents: Cents = Field(description="评估价/参考价（分）/ valuation or reference price")
    starting_price_cents: Cents = Field(description="起拍价（分），不低于评估价70% / ≥70% of valuation")
    deposit_cents: Cents = Field(description="保证金（分），起拍价5%–20% / 5%–20% of the start")
    increment_cents: Cents | None = Field(default=None, description="加价幅度（分）/ bid increment")
    bidding_starts: Instant = Field(description="竞价开始（公告期：动产15日、不动产30日）/ bidding starts")
    bidding_ends: Instant | None = Field(default=None, description="竞价结束（≥24小时）/ ends, ≥ 24 h")
    callback_url: str | None = Field(default=None, max_length=2048, description="结果回调 / result callback")


class RelistCreate(_Body):
    """一拍流拍后30日内再次拍卖 / the second auction within 30 days of the first 流拍."""

    starting_price_cents: Cents = Field(description="起拍价，降价不超过20% / at most 20% below the first")
    deposit_cents: Cents = Field(description="保证金（分）/ deposit, cents")
    increment_cents: Cents | None = Field(default=None, description="加价幅度（分）/ bid increment")
    bidding_starts: Instant = Field(description="竞价开始（公告期：动产7日、不动产15日）/ bidding starts")
    bidding_ends: Instant | None = Field(default=None, description="竞价结束（≥24小时）/ ends, ≥ 24 h")
    callback_url: str | None = Field(default=None, max_length=2048, description="结果回调 / result callback")


class InKindDecision(_Body):
    """申请执行人对以物抵债的答复 / the creditor's answer to taking the property in kind."""

    accept: StrictBool = Field(description="接受以物抵债 / accept the property at the reserve price")


class InKindAgreement(_Body):
    """法院告知：财产已协议以物抵债 / the court tells the platform the property went in kind by agreement."""

    price_cents: Cents = Field(description="抵债作价（分）/ the agreed value, cents")


class SaleCreate(_Body):
    """二拍流拍且不接受以物抵债后的变卖 / 变卖 after a second 流拍 and a refusal in kind."""

    price_cents: Cents = Field(description="变卖价，不低于评估价一半 / not below half the valuation")
    deposit_cents: Cents = Field(description="保证金（分）/ deposit, cents")
    sale_starts: Instant = Field(description="变卖期开始（公告期：动产7日、不动产15日）/ sale starts")
    sale_ends: Instant = Field(description="变卖期结束 / sale period ends")
    callback_url: str | None = Field(default=None, max_length=2048, description="结果回调 / result callback")


class DepositCreate(_Body):
    """报名并交纳保证金 / register and pay the deposit."""

    bidder_id: str = Field(**_ID, description="竞买人编号 / bidder id")
    name: str = Field(default="", max_length=200, description="竞买人姓名 / bidder's name")
    amount_cents: Cents = Field(description="保证金（分）/ deposit, cents")
    pays_balance: bool = Field(default=True, description=(
        "模拟：成交后是否付清余款（false：付款期限届满不付，即悔拍，保证金不予退还）/ simulation: whether this "
        "bidder, should it win, pays the balance (false: it defaults when the balance falls due — 悔拍, the "
        "deposit forfeited)"))


class ReauctionCreate(_Body):
    """买受人悔拍后重新拍卖（同一轮次、同一条件，原买受人不得参加竞买）/ re-auction after the buyer's default (the same
    round on the same terms; the buyer who defaulted may not bid)."""

    bidding_starts: Instant = Field(description="竞价（变卖期）开始（公告期同该轮次）/ bidding (sale period) starts "
                                                "(the round's own notice period)")
    bidding_ends: Instant | None = Field(default=None, description="结束（缺省：与原轮次等长）/ ends (default: as "
                                                                   "long as the round re-auctioned)")
    callback_url: str | None = Field(default=None, max_length=2048, description="结果回调 / result callback")


class Remittance(_Body):
    """成交价款划付法院一案一账号 / remit the price of a sold listing to the court's case sub-account."""

    sub_account: str = Field(**_ID, description="一案一账号 / the case sub-account")


class BidCreate(_Body):
    """出价（变卖：按变卖价购买）/ a bid (变卖: an offer at the price)."""

    bidder_id: str = Field(**_ID, description="竞买人编号 / bidder id")
    amount_cents: Cents = Field(description="出价（分）/ bid, cents")


# -------------------------------------------------------------------------------------------- helpers


def _platform(session: Session, code: str) -> None:
    agency = session.catalogue.get(code)
    if agency.group != AgencyGroup.AUCTION:
        raise UserError(
            f"{code} 不是网络司法拍卖平台", f"{code} is not a judicial auction platform", "path.platform", "not_found"
        )


def _listing_on(view: ListingView, platform: str) -> ListingView:
    if view.platform != platform:
        raise UserError(
            f"平台 {platform} 没有标的 {view.listing_id}",
            f"platform {platform} has no listing {view.listing_id}",
            "path.listing_id",
            "not_found",
        )
    return view


def _flush(session: Session, now: datetime) -> None:
    """Post what a command produced at ``now`` (results up to ``now`` went out with the session's pump),
    keyed and journalled like every other platform result."""
    session.flush_platform("auction", now)


def _run(session: Session, platform: str, action: Callable[[datetime], T]) -> T:
    """Bring the session to ``now``, act, post the results; domain errors name ``body.``/``path.`` fields."""
    _platform(session, platform)
    now = session.now()
    session.pump(now)
    try:
        result = action(now)
    except UserError as err:
        if err.where and "." not in err.where:
            err.where = f"path.{err.where}" if err.where in _PATH_PARAMS else f"body.{err.where}"
            if err.where == "body.now":
                err.where = "request"
            err.args = (err.message,)
        raise
    _flush(session, now)
    return result


# -------------------------------------------------------------------------------------------- routes


@router.post(
    "/{platform}/listings",
    status_code=201,
    response_model=ListingView,
    summary="发布拍卖公告（一拍）/ announce a first auction",
    responses=_ERRORS,
)
async def create_listing(
    body: ListingCreate, platform: str = PLATFORM, session: Session = Depends(get_session)
) -> ListingView | Response:
    session.callback_policy.check(body.callback_url)
    return _faulted(session, platform, body.asset_id, lambda: _run(
        session,
        platform,
        lambda now: session.auction.create_listing(platform, **body.model_dump(), now=now),
    ))


@router.get(
    "/{platform}/listings",
    response_model=list[ListingView],
    summary="平台上的标的 / the platform's listings",
    responses=_ERRORS,
)
async def list_listings(
    platform: str = PLATFORM,
    case_no: str | None = Query(default=None, max_length=64, description="按案号筛选 / filter by case"),
    session: Session = Depends(get_session),
) -> list[ListingView] | Response:
    """The platform's listings (``case_no``: one case's, every round — the court's HttpDisposalPort.find_listings),
    under the platform's faults (``_faulted``) as the in-process lookup (disposal_port ``find_listings``) and one
    listing's route; bidders and testers reading it draw them too. (Before 2026-12-07 (H48) it drew none.)"""
    court = COURT.get()  # with court tokens, only the token's court's listings (issue 13 point 2)

    def look() -> list[ListingView]:
        views = _run(session, platform, lambda now: session.auction.listings())
        return [v for v in views if v.platform == platform and (case_no is None or v.case_no == case_no)
                and (court is None or v.court_code == court)]
    return _faulted(session, platform, case_no or platform, look)


@router.get(
    "/{platform}/listings/{listing_id}",
    response_model=ListingView,
    summary="标的详情 / one listing",
    responses=_ERRORS,
)
async def get_listing(
    platform: str = PLATFORM, listing_id: str = LISTING, session: Session = Depends(get_session)
) -> ListingView | Response:
    return _faulted(session, platform, listing_id,
                    lambda: _listing_on(_run(session, platform, lambda now: session.auction.get(listing_id)), platform))


def _faulted(session: Session, platform: str, ref: str, act: Callable[[], T]) -> T | Response:
    """The court's call to the platform (not a bidder's): ``act()``, or a fault as the profile says — a lost answer
    after ``act()`` (``platform_call``)."""
    _platform(session, platform)
    return platform_call(session, platform, ref, act)


def _on_platform(session: Session, platform: str, listing_id: str) -> None:
    _listing_on(session.auction.get(listing_id), platform)


def _court_act(session: Session, platform: str, listing_id: str, method: str, **kwargs: Any) -> ListingView | Response:
    """The court's ``method`` on a listing (``_act_on``), under the platform's faults (``_faulted``)."""
    return _faulted(session, platform, listing_id, lambda: _act_on(session, platform, listing_id, method, **kwargs))


def _act_on(session: Session, platform: str, listing_id: str, method: str, **kwargs: Any) -> ListingView:
    """Run one auction-house action on a listing of ``platform`` at the session's now (and post its results)."""

    def act(now: datetime) -> ListingView:
        _on_platform(session, platform, listing_id)
        return getattr(session.auction, method)(listing_id, **kwargs, now=now)

    return _run(session, platform, act)


@router.post(
    "/{platform}/listings/{listing_id}/deposits",
    response_model=ListingView,
    summary="交纳保证金 / pay the deposit",
    responses=_ERRORS,
)
async def pay_deposit(
    body: DepositCreate,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView:
    return _act_on(session, platform, listing_id, "pay_deposit", **body.model_dump())


@router.post(
    "/{platform}/listings/{listing_id}/bids",
    response_model=ListingView,
    summary="出价 / place a bid",
    responses=_ERRORS,
)
async def place_bid(
    body: BidCreate,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView:
    return _act_on(session, platform, listing_id, "place_bid", **body.model_dump())


@router.post(
    "/{platform}/listings/{listing_id}/relist",
    status_code=201,
    response_model=ListingView,
    summary="再次拍卖（二拍）/ re-auction after a first 流拍",
    responses=_ERRORS,
)
async def relist(
    body: RelistCreate,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    session.callback_policy.check(body.callback_url)
    return _court_act(session, platform, listing_id, "relist", **body.model_dump())


@router.post(
    "/{platform}/listings/{listing_id}/reauction",
    status_code=201,
    response_model=ListingView,
    summary="买受人悔拍后重新拍卖 / re-auction after the buyer's default (悔拍)",
    responses=_ERRORS,
)
async def reauction(
    body: ReauctionCreate,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    session.callback_policy.check(body.callback_url)
    return _court_act(session, platform, listing_id, "reauction", **body.model_dump())


@router.post(
    "/{platform}/listings/{listing_id}/in-kind",
    response_model=ListingView,
    summary="以物抵债答复 / the creditor's answer to taking it in kind",
    responses=_ERRORS,
)
async def decide_in_kind(
    body: InKindDecision,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    return _court_act(session, platform, listing_id, "decide_in_kind", accept=body.accept)


@router.post(
    "/{platform}/listings/{listing_id}/in-kind-agreement",
    response_model=ListingView,
    summary="协议以物抵债（流拍或变卖不成后，法院告知）/ taken in kind by agreement (after a 流拍 or a failed 变卖)",
    responses=_ERRORS,
)
async def agree_in_kind(
    body: InKindAgreement,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    return _court_act(session, platform, listing_id, "agree_in_kind", price_cents=body.price_cents)


@router.post(
    "/{platform}/listings/{listing_id}/sale",
    status_code=201,
    response_model=ListingView,
    summary="变卖 / sell at a fixed price after a second 流拍",
    responses=_ERRORS,
)
async def start_sale(
    body: SaleCreate,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    session.callback_policy.check(body.callback_url)
    return _court_act(session, platform, listing_id, "start_sale", **body.model_dump())


@router.post(
    "/{platform}/listings/{listing_id}/withdrawal",
    response_model=ListingView,
    summary="撤回拍卖（竞价、变卖期开始前）/ withdraw a round before its bidding or sale period begins",
    responses={**_ERRORS, 409: {"description": "竞价（变卖期）已开始或本轮已结束，不能撤回 / its bidding (sale period) "
                                               "has begun, or the round has closed: not withdrawn"}},
)
async def withdraw_listing(
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> ListingView | Response:
    return _court_act(session, platform, listing_id, "withdraw")


@router.post(
    "/{platform}/listings/{listing_id}/remittance",
    summary="成交价款划付一案一账号（每个标的一次）/ remit the price to the case sub-account (once per listing)",
    responses=_ERRORS,
)
async def remittance(
    body: Remittance,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    from mock_agencies.remit import remit

    def act(now: datetime) -> dict[str, Any]:
        _on_platform(session, platform, listing_id)
        return {"listing_id": listing_id, "amount_cents": remit(session, listing_id, body.sub_account, now)}

    # a fault's Response goes out as it is; the annotation is the schema's
    return _faulted(session, platform, listing_id, lambda: _run(session, platform, act))  # type: ignore[return-value]


@router.post(
    "/{platform}/listings/{listing_id}/deposit-remittance",
    summary="悔拍不予退还的保证金划付一案一账号（每个标的一次）/ remit a defaulted buyer's forfeited deposit to the "
    "case sub-account (once per listing)",
    responses=_ERRORS,
)
async def deposit_remittance(
    body: Remittance,
    platform: str = PLATFORM,
    listing_id: str = LISTING,
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """网络司法拍卖规定 第二十四条 as commonly published (unconfirmed): the deposit of a buyer who defaulted is not
    returned; it makes up the re-auction's price difference and offsets the debtor's debt — both in the case. The
    costs (费用损失) are not modelled: the whole deposit is remitted (``mock_agencies.remit.remit_deposit``)."""
    from mock_agencies.remit import remit_deposit

    def act(now: datetime) -> dict[str, Any]:
        _on_platform(session, platform, listing_id)
        return {"listing_id": listing_id, "amount_cents": remit_deposit(session, listing_id, body.sub_account, now)}

    # a fault's Response goes out as it is; the annotation is the schema's
    return _faulted(session, platform, listing_id, lambda: _run(session, platform, act))  # type: ignore[return-value]
