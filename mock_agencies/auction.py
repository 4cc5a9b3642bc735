"""The network judicial auction platform (网络司法拍卖平台), with simulated bidders.

Rules enforced (《关于人民法院网络司法拍卖若干问题的规定》(2016) and 《拍卖、变卖规定》(2020), see
shared/domain/LAW.md "Online judicial auction"), all as data in :class:`AuctionRules`:

* starting price (= reserve) not below 70% of the valuation (第十条);
* deposit 5%–20% of the starting price (第十七条); only bidders who paid it may bid;
* announcement ≥15 days (movables) / ≥30 days (real estate, other rights) before bidding (第十二条);
* bidding ≥24 hours; a bid in the last 5 minutes moves the end to 5 minutes after that bid, repeatedly
  (第二十条); a bid must beat the current price by the increment (the first bid may equal the start);
* no bid → 流拍; the re-auction is on the same platform, its bidding starts within 30 days of the 流拍 (a
  duty of the court, tracked by node 26; the platform enforces it only with ``enforce_relist_within``),
  announced ≥7 days (movables) / ≥15 days (real estate, other rights) before, at a cut of at most 20% of the
  first starting price (第二十六条);
* after a 流拍 the creditor may take the property at that round's reserve price (以物抵债); after a second
  流拍 and the creditor's refusal: 变卖 at a price not below half the valuation, announced within 15 days of
  the refusal (the court's duty, node 28; enforced by the platform only with ``enforce_sale_announce_within``) and
  ≥7 / ≥15 days before the sale period (PROCESS.md node 28).

Periods are counted by ``core_flow.legal_calendar`` (calendar days; notice periods as whole days before the
start, the announcement day not counted; "within N days" periods with the rest-day rollover): the rules, their
policies and sources are data in :mod:`mock_agencies.platform_periods`.

Project choices where the texts are silent (documented here, configurable in :class:`AuctionRules`): the
announcement is published when the listing is created (``announced_at = now``); a 变卖 also takes a 5%–20%
deposit; a 变卖 is a fixed-price sale: the first depositor who offers the price buys.

Simulated bidders are deterministic from (seed, listing id): how many, who (from the world's debtors),
their willingness to pay (log-normal around the valuation) and when they look. They bid when
:meth:`AuctionHouse.advance` (or a human bid) crosses their times, so the outcome does not depend on how
finely time is advanced. Nothing here reads the clock: every method takes ``now``.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from core_flow.errors import UserError
from core_flow.legal_calendar import CST, Policy
from mock_agencies.platform_periods import IN_KIND_ASKED_WITHIN, RELIST_WITHIN, SALE_ANNOUNCE_WITHIN, LegalPeriod

# the buyer's balance (``AuctionRules.balance_due_days`` / ``balance_due_policy``, H71): a period the court's
# announcement sets, counted like the platforms' periods "within which" (mock_agencies.platform_periods: CPL)
BALANCE_DUE_SOURCE = "拍卖公告：成交后N日内付清余款（人民法院指定的期间，民事诉讼法 第八十五条计算）"

# China Standard Time, fixed +08:00 (no DST since 1991).
YEARS = (1991, 2200)  # the times the platforms accept

# Platform codes are plain strings here; the catalogue (data/agencies.yaml, group "auction") is the
# authority on which exist, and the HTTP router checks them against it.


# ---------------------------------------------------------------------------------------------- shared bits


@dataclass(frozen=True, slots=True)
class Notice:
    """One result to post by callback to ``url`` (None = the requester only polls)."""

    url: str | None
    payload: dict[str, Any] = field(default_factory=dict)


def checked_cst(value: datetime, where: str) -> datetime:
    """A timezone-aware datetime converted to CST; a naive one is the caller's mistake."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise UserError("时间必须带时区（例如 +08:00）", "the time must carry a time zone (e.g. +08:00)", where)
    if not YEARS[0] <= value.year <= YEARS[1]:  # also keeps date arithmetic clear of OverflowError
        raise UserError(f"年份须在 {YEARS[0]}–{YEARS[1]} 之间", f"the year must lie in {YEARS[0]}–{YEARS[1]}", where)
    return value.astimezone(CST)


def ceil_pct(amount: int, pct: int) -> int:
    """ceil(amount × pct / 100) in integers."""
    return -((-amount * pct) // 100)


def floor_pct(amount: int, pct: int) -> int:
    """floor(amount × pct / 100) in integers."""
    return (amount * pct) // 100


def stable_hash(*parts: object) -> int:
    """A 64-bit hash stable across processes (Python's ``hash`` of str is salted)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def not_found(kind_zh: str, kind_en: str, ident: str, where: str) -> UserError:
    return UserError(f"{kind_zh}不存在：{ident}", f"unknown {kind_en}: {ident}", where, code="not_found")


def conflict(zh: str, en: str, where: str) -> UserError:
    return UserError(zh, en, where, code="conflict")


# ---------------------------------------------------------------------------------------------- rules


class AssetClass(StrEnum):
    """What is sold; decides announcement periods."""

    MOVABLE = "movable"  # 动产
    REAL_ESTATE = "real_estate"  # 不动产
    OTHER_RIGHT = "other_right"  # 其他财产权


class Round(StrEnum):
    FIRST = "first"  # 一拍
    SECOND = "second"  # 二拍
    SALE = "sale"  # 变卖


class ListingStatus(StrEnum):
    ANNOUNCED = "announced"  # 公告中
    BIDDING = "bidding"  # 竞价中 / 变卖期
    SOLD = "sold"  # 成交
    FAILED = "failed"  # 流拍 / 变卖不成
    TAKEN_IN_KIND = "taken_in_kind"  # 以物抵债
    IN_KIND_DECLINED = "in_kind_declined"  # 申请人不接受以物抵债（二拍流拍后）
    WITHDRAWN = "withdrawn"  # 法院撤回拍卖（竞价、变卖期开始前）/ withdrawn by the court before its bidding began
    DEFAULTED = "defaulted"  # 买受人悔拍（付款期限届满未付余款）/ the buyer did not pay the balance by its due date


def _days(movable: int, real_estate: int, other_right: int) -> dict[AssetClass, int]:
    return {
        AssetClass.MOVABLE: movable,
        AssetClass.REAL_ESTATE: real_estate,
        AssetClass.OTHER_RIGHT: other_right,
    }


@dataclass(frozen=True)
class AuctionRules:
    """The legal parameters, as data (defaults from LAW.md, confirmed)."""

    floor_pct: int = 70  # 起拍价不得低于评估价的70%
    deposit_min_pct: int = 5
    deposit_max_pct: int = 20
    announce_days: dict[AssetClass, int] = field(default_factory=lambda: _days(15, 30, 30))
    second_announce_days: dict[AssetClass, int] = field(default_factory=lambda: _days(7, 15, 15))
    sale_announce_days: dict[AssetClass, int] = field(default_factory=lambda: _days(7, 15, 15))
    notice_policy: Policy = Policy.NATURAL  # notice periods: whole calendar days before the start (platform_periods)
    min_bidding: timedelta = timedelta(hours=24)
    extension: timedelta = timedelta(minutes=5)
    relist_within: LegalPeriod = RELIST_WITHIN  # 流拍后30日内再次拍卖
    # Whether the platform refuses a re-auction starting later than ``relist_within`` after the 流拍. The 30 days bind
    # the court (第二十六条; seed 004 节点二十六): a late court is tracked by node 26's deadline, freeze and 督办, and
    # relists once the freeze is lifted (审批解冻) — a platform refusing it would leave the property unsellable for
    # good. Default False: the platform lists what the court sends, the failure notice still names the deadline
    # (``relist_deadline``). True: the platform enforces the 30 days itself (zhixing ≤ 0.2.x).
    enforce_relist_within: bool = False
    max_cut_pct: int = 20  # 降价幅度不超过前次起拍价的20%
    sale_floor_pct: int = 50  # 变卖价不低于评估价的一半
    sale_announce_within: LegalPeriod = SALE_ANNOUNCE_WITHIN  # 申请人拒绝以物抵债后15日内公告变卖
    # Whether the platform refuses a 变卖 announced later than ``sale_announce_within`` after the refusal. Like the
    # re-auction's 30 days, the 15 days bind the court (node 28's deadline): a court late with it still sells — a
    # platform refusing it left the property unsellable and its case held from 终本 for good (10 lots in a staffed
    # court-year with every property disposed of). Default False: the platform announces what the court sends.
    # True: it enforces the 15 days itself (zhixing ≤ 0.4.x).
    enforce_sale_announce_within: bool = False
    in_kind_decision_within: LegalPeriod = IN_KIND_ASKED_WITHIN  # 二拍流拍后10日内征询以物抵债
    # The buyer pays the balance within this many days of the hammer (calendar days). No statute fixes it: the
    # announcement does (网络司法拍卖规定 第二十四条 and 拍卖变卖规定 on a buyer who does not pay, as commonly
    # published — not in LAW.md, unconfirmed; tests/fidelity_audit.md WZ-3d). Project default 5, the court's own
    # expectation (core_flow Disposal.PAYMENT_DAYS); configurable. Past it unpaid the listing is ``defaulted`` (悔拍):
    # the deposit is forfeited, held by the platform until the lot settles, then remitted to the case
    # (mock_agencies/remit.py ``remit_deposit``, H56).
    balance_due_days: int = 5
    # How the balance's days are counted (H71). ``Policy.CPL`` (default): the announcement's "成交后 N 日内" is a period
    # the court set (人民法院指定的期间), counted by 民事诉讼法 第八十五条 (LAW.md, confirmed: the hammer's day not
    # counted; a last day that is a 法定休假日 — a weekend or holiday rest day, by the legal calendar with its 调休 —
    # moves to the first day after it) and 民法典 第二百零三条 (the last day ends at 24:00); 第八十五条's first
    # sentence, "期间包括法定期间和人民法院指定的期间", as commonly published (LAW.md's summary does not quote it), is
    # why a term the court's announcement fixes counts so. A hammer on Monday 2025-09-29 has its 5th day 10-04 in
    # 国庆: the balance is due by 10-09 24:00. ``Policy.NATURAL``: the 5th day's 24:00, no rollover. ``None``: the
    # hammer's instant N × 24 hours later (zhixing ≤ 0.5.x; a listing saved before this field counts so). The due
    # instant is the listing's ``balance_due_at`` (``BALANCE_DUE_SOURCE``).
    balance_due_policy: Policy | None = Policy.CPL


@dataclass(frozen=True)
class BidderModel:
    """How simulated bidders behave (project defaults; configurable)."""

    max_bidders: int = 5  # candidates per listing: uniform 0..max_bidders
    wtp_median_ratio: float = 0.70  # median willingness to pay / valuation (≈⅓ of first auctions fail)
    wtp_sigma: float = 0.20  # log-normal spread
    late_share: float = 0.5  # share of first looks in the last ``late_window`` before the scheduled end
    late_window: timedelta = timedelta(minutes=30)
    min_response: timedelta = timedelta(seconds=5)  # reaction after being outbid (< rules.extension)
    max_response: timedelta = timedelta(seconds=240)
    step_pct_of_start: int = 1  # a simulated raise is at least this share of the starting price
    # The share of winning simulated buyers who never pay the balance (悔拍): drawn per listing from (seed, listing id)
    # on a stream of its own, so the bidding is the same whatever the rate. Default 0.0: every buyer pays. (A human
    # bidder is made one who will not pay at its deposit: ``AuctionHouse.pay_deposit`` ``pays_balance=False``.)
    default_rate: float = 0.0


class BidderSource(Protocol):
    """Where simulated bidders come from: the world (``World.debtor(i)`` with ``.id_number``/``.name``)."""

    size: int

    def debtor(self, index: int) -> Any: ...


# ---------------------------------------------------------------------------------------------- views


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class BidView(_View):
    bidder_id: str = Field(description="竞买人编号 / bidder id")
    amount_cents: int = Field(description="出价（分）/ bid, in cents")
    at: datetime = Field(description="出价时间 / time of the bid")
    simulated: bool = Field(description="模拟竞买人 / a simulated bidder")


class ListingView(_View):
    """A listing as the platform shows it (拍卖标的)."""

    listing_id: str = Field(description="标的编号 / listing id")
    platform: str = Field(description="拍卖平台代码 / platform code")
    round: Round = Field(description="轮次：一拍/二拍/变卖 / first, second auction or 变卖 sale")
    status: ListingStatus = Field(description="状态 / status")
    court_code: str = Field(description="法院代码 / court code")
    case_no: str = Field(description="案号 / case number")
    asset_id: str = Field(description="财产编号 / asset id")
    asset_kind: AssetClass = Field(description="财产类别 / asset class")
    description: str = Field(description="标的描述 / description")
    valuation_cents: int = Field(description="评估价/参考价（分）/ valuation (reference price), cents")
    starting_price_cents: int = Field(description="起拍价或变卖价（分）/ starting or sale price, cents")
    deposit_cents: int = Field(description="保证金（分）/ deposit, cents")
    increment_cents: int = Field(description="加价幅度（分）/ bid increment, cents")
    announced_at: datetime = Field(description="公告时间 / announcement published")
    starts_at: datetime = Field(description="竞价（变卖期）开始 / bidding or sale period starts")
    scheduled_end: datetime = Field(description="原定结束时间 / scheduled end")
    ends_at: datetime = Field(description="结束时间（含延时）/ end, after 5-minute extensions")
    current_price_cents: int | None = Field(description="当前价（分）/ current price, cents")
    leader_id: str | None = Field(description="领先竞买人 / current leader")
    bid_count: int = Field(description="出价次数 / number of bids")
    depositors: int = Field(description="已交保证金人数 / bidders who paid the deposit")
    bids: tuple[BidView, ...] = Field(description="出价记录 / bids, oldest first")
    previous_id: str | None = Field(description="上一轮标的 / the previous round's listing")
    next_id: str | None = Field(description="下一轮标的 / the next round's listing")
    closed_at: datetime | None = Field(description="成交/流拍时间 / when it closed")
    sold_price_cents: int | None = Field(description="成交价（分）/ hammer price, cents")
    buyer_id: str | None = Field(description="买受人 / buyer")
    buyer_name: str | None = Field(description="买受人姓名 / buyer's name")
    relist_deadline: datetime | None = Field(description="再次拍卖最迟开始 / latest start of the re-auction")
    in_kind_price_cents: int | None = Field(description="以物抵债价（分）/ price to take it in kind, cents")
    in_kind_decision_due: datetime | None = Field(description="征询以物抵债期限 / ask the creditor by")
    in_kind_declined_at: datetime | None = Field(description="申请人拒绝以物抵债 / creditor refused in kind")
    in_kind_agreed_at: datetime | None = Field(
        default=None, description="法院告知协议以物抵债的时间（抵债价为作价）/ taken in kind by agreement at (the "
        "in-kind price is the agreed value)")
    withdrawn_at: datetime | None = Field(
        default=None, description="法院撤回时间（竞价、变卖期开始前；此后无结果、无回调）/ withdrawn by the court "
        "at (before its bidding or sale period began; no result nor callback follows)")
    balance_due_days: int = Field(
        default=5, description="成交后付清余款的期限（日，公告所定；项目缺省）/ days after the hammer to pay the "
        "balance (set by the announcement; a project default)")
    balance_due_at: datetime | None = Field(
        default=None, description="余款付款期限（成交后；按民事诉讼法第八十五条计算：成交当日不计，最后一日为休息日的"
        "顺延至其后第一个工作日，至该日24时）/ the balance is due by (once sold; counted by 民事诉讼法 第八十五条: the "
        "hammer's day not counted, a last day that is a rest day moves to the next working day, ending at 24:00)")
    defaulted_at: datetime | None = Field(
        default=None, description="买受人悔拍（逾期未付余款）的时间；保证金不予退还 / when the buyer defaulted (the "
        "balance unpaid by its due date); the deposit is forfeited")
    defaulted_buyer_id: str | None = Field(
        default=None, description="悔拍的买受人（重新拍卖时不得参加竞买）/ the buyer who defaulted (may not bid at "
        "the re-auction)")
    forfeited_deposit_cents: int | None = Field(
        default=None,
        description="悔拍不予退还的保证金（分），该财产有着落时划入本案（…/deposit-remittance） / the deposit "
        "forfeited on the default, cents — remitted to the case once the lot settles (…/deposit-remittance)")
    excluded_bidders: tuple[str, ...] = Field(
        default=(), description="不得参加竞买者（悔拍的原买受人）/ who may not bid (a buyer who defaulted before)")
    callback_url: str | None = Field(description="结果回调地址 / where results are posted")


# ---------------------------------------------------------------------------------------------- state


@dataclass(slots=True)
class _SimBidder:
    bidder_id: str
    name: str
    wtp_cents: int
    wake_token: int = -1  # the seq of this bidder's one live wake-up in the heap (-1: none)
    wake_at: datetime | None = None


@dataclass(slots=True)
class _Bid:
    bidder_id: str
    amount_cents: int
    at: datetime
    simulated: bool


@dataclass(slots=True)
class _Listing:
    listing_id: str
    platform: str
    round: Round
    court_code: str
    case_no: str
    asset_id: str
    asset_kind: AssetClass
    description: str
    valuation_cents: int
    starting_price_cents: int
    deposit_cents: int
    increment_cents: int
    announced_at: datetime
    starts_at: datetime
    scheduled_end: datetime
    callback_url: str | None
    terms: tuple[Any, ...]
    previous_id: str | None = None
    next_id: str | None = None
    ends_at: datetime = field(init=False)
    status: ListingStatus = ListingStatus.ANNOUNCED
    bids: list[_Bid] = field(default_factory=list)
    depositors: dict[str, str] = field(default_factory=dict)  # bidder id → name
    sims: dict[str, _SimBidder] = field(default_factory=dict)
    heap: list[tuple[datetime, int, str]] = field(default_factory=list)
    seq: int = 0
    rng: random.Random = field(default_factory=random.Random)
    order: int = 0  # when it opened among the house's listings (``advance`` runs the due ones in this order)
    closed_at: datetime | None = None
    in_kind_declined_at: datetime | None = None
    # 以物抵债 by agreement, the court's (``agree_in_kind``): when it told the platform, and the agreed value. Read with
    # getattr: a listing saved before these fields existed has neither (a slots dataclass restored field by field)
    in_kind_agreed_at: datetime | None = None
    in_kind_agreed_cents: int | None = None
    # withdrawn by the court before its bidding began (``withdraw``); read with getattr, as above
    withdrawn_at: datetime | None = None
    # 悔拍 (all read with getattr, as above): the balance's days (the rules' at listing), the bidders who will not pay
    # if they win (``pay_deposit`` ``pays_balance=False``), when the winner's default falls due (None: it pays), when
    # it defaulted, and who may not bid (the buyer who defaulted on the round re-auctioned: ``reauction``)
    balance_due_days: int = 5
    balance_due_policy: Policy | None = None  # how they are counted (the rules' at listing: ``AuctionRules``)
    balance_due_at: datetime | None = None  # when the winner's balance is due (set at the hammer)
    non_payers: set[str] = field(default_factory=set)
    default_due: datetime | None = None
    defaulted_at: datetime | None = None
    excluded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.ends_at = self.scheduled_end

    @property
    def leader(self) -> _Bid | None:
        return self.bids[-1] if self.bids else None

    def next_minimum(self) -> int:
        """The least acceptable next bid (变卖: exactly the price)."""
        if self.round is Round.SALE or not self.bids:
            return self.starting_price_cents
        return self.bids[-1].amount_cents + self.increment_cents

    @property
    def is_open(self) -> bool:
        return self.status in (ListingStatus.ANNOUNCED, ListingStatus.BIDDING)


def _listing_id(*key: object) -> str:
    return f"AU{stable_hash('listing', *key):016x}"


def default_increment(starting_price_cents: int) -> int:
    """Project default 加价幅度: 0.5% of the start, rounded down to whole yuan, at least 1 yuan."""
    return max(100, (starting_price_cents // 200) // 100 * 100)


# ---------------------------------------------------------------------------------------------- the house



def _follow_up(previous: _Listing, listing_id: str, round_: Round, price_cents: int, deposit_cents: int,
               increment_cents: int, now: datetime, starts: datetime, ends: datetime, url: str | None,
               terms: tuple[Any, ...]) -> _Listing:
    """The next round of ``previous``'s asset (二拍 or 变卖): the same court, case, asset and valuation, new terms."""
    return _Listing(
        listing_id=listing_id,
        platform=previous.platform,
        round=round_,
        court_code=previous.court_code,
        case_no=previous.case_no,
        asset_id=previous.asset_id,
        asset_kind=previous.asset_kind,
        description=previous.description,
        valuation_cents=previous.valuation_cents,
        starting_price_cents=price_cents,
        deposit_cents=deposit_cents,
        increment_cents=increment_cents,
        announced_at=now,
        starts_at=starts,
        scheduled_end=ends,
        callback_url=url,
        terms=terms,
        previous_id=previous.listing_id,
        excluded=tuple(getattr(previous, "excluded", ())),  # a buyer who defaulted stays out of the later rounds
    )

class AuctionHouse:
    """All auction platforms of one session (listings keyed by id; platform is a field)."""

    def __init__(
        self,
        seed: int,
        bidders_source: BidderSource | None = None,
        *,
        rules: AuctionRules | None = None,
        bidders: BidderModel | None = None,
    ) -> None:
        self.seed = seed
        self.source = bidders_source
        self.rules = rules or AuctionRules()
        self.model = bidders or BidderModel()
        self._listings: dict[str, _Listing] = {}
        self._live: dict[str, _Listing] = {}  # the open listings (announced, bidding), in order: what ``advance`` runs
        # when an open listing may change next — bidding opens, a bidder wakes, the close: (at, order, listing id);
        # an entry may be early or stale (``_run`` then does nothing), never late
        self._due: list[tuple[datetime, int, str]] = []
        self._opened = 0
        self._outbox: list[tuple[datetime, int, Notice]] = []
        self._notice_seq = 0

    # ------------------------------------------------------------------ queries

    def get(self, listing_id: str) -> ListingView:
        return self._view(self._find(listing_id))

    def listings(self, *, platform: str | None = None, case_no: str | None = None) -> tuple[ListingView, ...]:
        """Every listing, or those of ``platform`` and (or) ``case_no``."""
        return tuple(self._view(x) for x in self._listings.values()
                     if (platform is None or x.platform == platform) and (case_no is None or x.case_no == case_no))

    # ------------------------------------------------------------------ commands

    def create_listing(
        self,
        platform: str,
        *,
        court_code: str,
        case_no: str,
        asset_id: str,
        asset_kind: AssetClass,
        valuation_cents: int,
        starting_price_cents: int,
        deposit_cents: int,
        bidding_starts: datetime,
        bidding_ends: datetime | None = None,
        increment_cents: int | None = None,
        description: str = "",
        callback_url: str | None = None,
        now: datetime,
    ) -> ListingView:
        """Publish a first auction (一拍). Idempotent: the same asset and terms return the same listing."""
        now = checked_cst(now, "now")
        starts = checked_cst(bidding_starts, "bidding_starts")
        ends = checked_cst(bidding_ends, "bidding_ends") if bidding_ends else starts + self.rules.min_bidding
        asset_kind = AssetClass(asset_kind)
        r = self.rules
        if valuation_cents < 1:
            raise UserError("评估价必须为正数", "the valuation must be positive", "valuation_cents")
        floor = ceil_pct(valuation_cents, r.floor_pct)
        if starting_price_cents < floor:
            raise UserError(
                f"起拍价不得低于评估价的{r.floor_pct}%（至少 {floor} 分）",
                f"the starting price may not be below {r.floor_pct}% of the valuation (at least {floor} cents)",
                "starting_price_cents",
            )
        increment = increment_cents if increment_cents is not None else default_increment(starting_price_cents)
        lid = _listing_id(platform, court_code, case_no, asset_id, Round.FIRST)
        terms = (
            asset_kind,
            valuation_cents,
            starting_price_cents,
            deposit_cents,
            starts,
            ends,
            increment,
            description,
            callback_url,
        )
        existing = self._idempotent(lid, terms)
        if existing:
            return existing
        self._check_price_terms(starting_price_cents, deposit_cents, increment)
        self._check_window(now, starts, ends, r.announce_days[asset_kind], "bidding_starts")
        listing = _Listing(
            listing_id=lid,
            platform=platform,
            round=Round.FIRST,
            court_code=court_code,
            case_no=case_no,
            asset_id=asset_id,
            asset_kind=asset_kind,
            description=description,
            valuation_cents=valuation_cents,
            starting_price_cents=starting_price_cents,
            deposit_cents=deposit_cents,
            increment_cents=increment,
            announced_at=now,
            starts_at=starts,
            scheduled_end=ends,
            callback_url=callback_url,
            terms=terms,
        )
        return self._open(listing)

    def relist(
        self,
        listing_id: str,
        *,
        starting_price_cents: int,
        deposit_cents: int,
        bidding_starts: datetime,
        bidding_ends: datetime | None = None,
        increment_cents: int | None = None,
        callback_url: str | None = None,
        now: datetime,
    ) -> ListingView:
        """The second auction (二拍) after a first 流拍, on the same platform."""
        now = checked_cst(now, "now")
        first = self._find(listing_id)
        self._run(first, now)
        starts = checked_cst(bidding_starts, "bidding_starts")
        ends = checked_cst(bidding_ends, "bidding_ends") if bidding_ends else starts + self.rules.min_bidding
        increment = increment_cents if increment_cents is not None else default_increment(starting_price_cents)
        url = callback_url if callback_url is not None else first.callback_url
        terms = (starting_price_cents, deposit_cents, starts, ends, increment, url)
        lid = _listing_id(first.listing_id, Round.SECOND)
        existing = self._idempotent(lid, terms)
        if existing:
            return existing
        r = self.rules
        if first.round is not Round.FIRST:
            raise conflict("只有一拍流拍后才能再次拍卖", "only a first auction can be re-auctioned", "listing_id")
        if first.status is not ListingStatus.FAILED:
            raise conflict(
                f"标的尚未流拍（状态 {first.status.value}），不能再次拍卖",
                f"the listing has not failed (status {first.status.value}); it cannot be re-auctioned",
                "listing_id",
            )
        assert first.closed_at is not None
        deadline = r.relist_within.end(first.closed_at)
        if r.enforce_relist_within and starts >= deadline:
            raise UserError(
                f"再次拍卖应在流拍后{r.relist_within.days}日内开始（最迟 {deadline.isoformat()}）",
                f"the re-auction must start within {r.relist_within.days} days of the 流拍 (by {deadline.isoformat()})",
                "bidding_starts",
            )
        least = ceil_pct(first.starting_price_cents, 100 - r.max_cut_pct)
        if starting_price_cents < least:
            raise UserError(
                f"再次拍卖起拍价降价幅度不得超过前次起拍价的{r.max_cut_pct}%（至少 {least} 分）",
                f"the re-auction's starting price may be at most {r.max_cut_pct}% below the first "
                f"(at least {least} cents)",
                "starting_price_cents",
            )
        self._check_price_terms(starting_price_cents, deposit_cents, increment)
        self._check_window(now, starts, ends, r.second_announce_days[first.asset_kind], "bidding_starts")
        listing = _follow_up(first, lid, Round.SECOND, starting_price_cents, deposit_cents, increment, now, starts,
                             ends, url, terms)
        first.next_id = lid
        return self._open(listing)

    def decide_in_kind(self, listing_id: str, *, accept: bool, now: datetime) -> ListingView:
        """The creditor's answer to 以物抵债 at the failed round's reserve price. Told again (the court's repeat after
        a lost answer): the same view; the other answer then is a 409, as for a listing in any other state."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        self._run(listing, now)
        taken = listing.status is ListingStatus.TAKEN_IN_KIND and getattr(listing, "in_kind_agreed_at", None) is None
        if (taken if accept else listing.status is ListingStatus.IN_KIND_DECLINED):
            return self._view(listing)
        if listing.round is Round.SALE or listing.status is not ListingStatus.FAILED or listing.next_id:
            raise conflict(
                "只有流拍且未再次拍卖的标的可以以物抵债",
                "only a failed auction not yet re-auctioned can be taken in kind",
                "listing_id",
            )
        if accept:
            listing.status = ListingStatus.TAKEN_IN_KIND
            self._emit(listing, now, "auction.in_kind", price_cents=listing.starting_price_cents)
        else:
            if listing.round is not Round.SECOND:
                raise conflict(
                    "一拍流拍后不接受以物抵债的，直接再次拍卖",
                    "after a first 流拍 a refusal needs no record: re-auction instead",
                    "accept",
                )
            listing.status = ListingStatus.IN_KIND_DECLINED
            listing.in_kind_declined_at = now
            self._emit(listing, now, "auction.in_kind_declined")
        return self._view(listing)

    def agree_in_kind(self, listing_id: str, *, price_cents: int, now: datetime) -> ListingView:
        """The court took the property in kind by agreement (以物抵债 by agreement, seed 004 节点二十九 第2项; after a
        failed 变卖 where the court's process allows it) at the agreed value ``price_cents``: a listing whose round
        closed without a sale — a 流拍 (first or second, the creditor's refusal at the reserve price recorded or not)
        or a failed 变卖 — and that was not followed by another round is closed as taken in kind (no re-auction, no
        变卖 on it). Told again with the same value: the same view; with another value, or a listing in any other
        state (announced, bidding, sold, taken at the reserve price, followed by another round): 409."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        self._run(listing, now)
        if price_cents < 1:
            raise UserError("抵债作价须为正数", "the agreed value must be positive", "price_cents")
        agreed = getattr(listing, "in_kind_agreed_at", None)
        if agreed is not None:
            if getattr(listing, "in_kind_agreed_cents", None) != price_cents:
                raise conflict(
                    f"标的已按 {listing.in_kind_agreed_cents} 分协议以物抵债",
                    f"the listing was already taken in kind by agreement at {listing.in_kind_agreed_cents} cents",
                    "price_cents",
                )
            return self._view(listing)
        if (listing.status not in (ListingStatus.FAILED, ListingStatus.IN_KIND_DECLINED, ListingStatus.DEFAULTED)
                or listing.next_id):
            raise conflict(
                "只有流拍（或变卖不成、买受人悔拍）且未进入下一轮的标的可以协议以物抵债"
                f"（状态 {listing.status.value}）",
                "only a listing that closed unsold (a 流拍, a failed 变卖, a buyer's default) and was not followed by "
                f"another round can be taken in kind by agreement (status {listing.status.value})",
                "listing_id",
            )
        listing.status = ListingStatus.TAKEN_IN_KIND
        listing.in_kind_agreed_at, listing.in_kind_agreed_cents = now, price_cents
        self._emit(listing, now, "auction.in_kind", price_cents=price_cents, by_agreement=True)
        return self._view(listing)

    def start_sale(
        self,
        listing_id: str,
        *,
        price_cents: int,
        deposit_cents: int,
        sale_starts: datetime,
        sale_ends: datetime,
        callback_url: str | None = None,
        now: datetime,
    ) -> ListingView:
        """变卖 after a second 流拍 and the creditor's refusal of 以物抵债."""
        now = checked_cst(now, "now")
        second = self._find(listing_id)
        self._run(second, now)
        starts = checked_cst(sale_starts, "sale_starts")
        ends = checked_cst(sale_ends, "sale_ends")
        url = callback_url if callback_url is not None else second.callback_url
        terms = (price_cents, deposit_cents, starts, ends, url)
        lid = _listing_id(second.listing_id, Round.SALE)
        existing = self._idempotent(lid, terms)
        if existing:
            return existing
        r = self.rules
        if second.round is not Round.SECOND or second.status is not ListingStatus.IN_KIND_DECLINED:
            raise conflict(
                "变卖须在二拍流拍且申请人拒绝以物抵债之后",
                "变卖 needs a failed second auction whose creditor refused to take the property in kind",
                "listing_id",
            )
        assert second.in_kind_declined_at is not None
        due = r.sale_announce_within.end(second.in_kind_declined_at)
        if r.enforce_sale_announce_within and now >= due:
            raise UserError(
                f"变卖公告应在申请人拒绝以物抵债后{r.sale_announce_within.days}日内发布（最迟 {due.isoformat()}）",
                f"the 变卖 must be announced within {r.sale_announce_within.days} days of the refusal "
                f"(by {due.isoformat()})",
                "now",
            )
        least = ceil_pct(second.valuation_cents, r.sale_floor_pct)
        if price_cents < least:
            raise UserError(
                f"变卖价不得低于评估价的一半（至少 {least} 分）",
                f"the 变卖 price may not be below half the valuation (at least {least} cents)",
                "price_cents",
            )
        self._check_price_terms(price_cents, deposit_cents, 1, price_field="price_cents")
        if ends <= starts:
            raise UserError("变卖期结束须晚于开始", "the sale period must end after it starts", "sale_ends")
        self._check_announcement(now, starts, r.sale_announce_days[second.asset_kind], "sale_starts")
        listing = _follow_up(second, lid, Round.SALE, price_cents, deposit_cents, 0, now, starts, ends, url, terms)
        second.next_id = lid
        return self._open(listing)

    def withdraw(self, listing_id: str, *, now: datetime) -> ListingView:
        """The court withdraws a round whose bidding (a 变卖's sale period) has not begun (撤回拍卖): the first
        auction, the second or the 变卖, announced and its start still ahead. 拍卖变卖规定 (法释〔2004〕16号) 第二十条
        as commonly published (some sources number it 第二十四条): before the auction begins the court withdraws it
        where the application is withdrawn, the debtor has paid in full, or a settlement makes the sale needless;
        第二十一条: a stay (暂缓 / 中止执行) stops it at once. The listing ends ``withdrawn``: no bid, no result, no
        callback, no later change — and no next round (a relist, a 变卖, an agreement in kind: 409 as for any
        listing not closed unsold). Withdrawn again: the same view. Once its bidding began (``bidding``: the round
        runs to its end, the rule reads "拍卖开始前") or it closed (sold, unsold, taken in kind): 409, its stage
        named."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        if getattr(listing, "withdrawn_at", None) is not None:
            return self._view(listing)
        self._run(listing, now)  # what was due by now happened first: the bidding may have begun
        if listing.status is not ListingStatus.ANNOUNCED:
            stage_zh = {ListingStatus.BIDDING: "变卖期已开始" if listing.round is Round.SALE else "竞价已开始",
                        ListingStatus.SOLD: "已成交", ListingStatus.FAILED: "已流拍（或变卖不成）",
                        ListingStatus.TAKEN_IN_KIND: "已以物抵债",
                        ListingStatus.IN_KIND_DECLINED: "已流拍，申请人不接受以物抵债"}.get(listing.status, "")
            stage_en = ("its sale period has begun" if listing.round is Round.SALE else "its bidding has begun") if (
                listing.status is ListingStatus.BIDDING) else "it has closed"
            raise conflict(
                f"标的 {listing_id} {stage_zh}（状态 {listing.status.value}），不能撤回："
                "只能在竞价（变卖期）开始前撤回拍卖",
                f"listing {listing_id} cannot be withdrawn: {stage_en} (status {listing.status.value}) — a round is "
                "withdrawn only before its bidding (sale period) begins",
                "listing_id",
            )
        listing.status = ListingStatus.WITHDRAWN
        listing.withdrawn_at = now
        listing.heap.clear()
        self._live.pop(listing.listing_id, None)  # (its entries in ``_due`` find it gone: skipped)
        return self._view(listing)

    def pay_deposit(
        self, listing_id: str, *, bidder_id: str, amount_cents: int, name: str = "", now: datetime,
        pays_balance: bool = True,
    ) -> ListingView:
        """A human bidder pays the deposit (报名交保证金); paying again changes nothing. ``pays_balance=False`` (a
        simulation's knob, a scenario's buyer who defaults): should this bidder win, it never pays the balance — the
        listing is ``defaulted`` (悔拍) at the balance's due date. A buyer who defaulted on the round re-auctioned may
        not take part (网络司法拍卖规定 第二十四条 as commonly published: 原买受人不得参加竞买; unconfirmed)."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        self._run(listing, now)
        if not listing.is_open:
            raise conflict("竞价已结束", "bidding has ended", "listing_id")
        if bidder_id in getattr(listing, "excluded", ()):
            raise conflict(f"竞买人 {bidder_id} 悔拍，不得参加重新拍卖的竞买",
                           f"bidder {bidder_id} defaulted on this property's sale and may not bid at its re-auction",
                           "bidder_id")
        if not pays_balance:
            self._non_payers(listing).add(bidder_id)
        if bidder_id in listing.depositors:
            return self._view(listing)
        if amount_cents != listing.deposit_cents:
            raise UserError(
                f"保证金应为 {listing.deposit_cents} 分",
                f"the deposit is {listing.deposit_cents} cents",
                "amount_cents",
            )
        listing.depositors[bidder_id] = name or bidder_id
        return self._view(listing)

    def place_bid(self, listing_id: str, *, bidder_id: str, amount_cents: int, now: datetime) -> ListingView:
        """A human bid (变卖: an offer at the price). Simulated bidders up to ``now`` act first."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        self._run(listing, now)
        if not listing.is_open:
            raise conflict("竞价已结束", "bidding has ended", "listing_id")
        if now < listing.starts_at:
            raise conflict(
                f"竞价尚未开始（{listing.starts_at.isoformat()} 开始）",
                f"bidding has not started (starts {listing.starts_at.isoformat()})",
                "listing_id",
            )
        if bidder_id not in listing.depositors:
            raise UserError("未交保证金不得出价", "only bidders who paid the deposit may bid", "bidder_id")
        minimum = listing.next_minimum()
        if listing.round is Round.SALE and amount_cents != minimum:
            raise UserError(f"变卖价为 {minimum} 分", f"the 变卖 price is {minimum} cents", "amount_cents")
        if amount_cents < minimum:
            raise UserError(
                f"出价至少为 {minimum} 分（当前价加加价幅度）",
                f"the bid must be at least {minimum} cents (current price plus the increment)",
                "amount_cents",
            )
        if listing.leader and listing.leader.bidder_id == bidder_id:
            raise conflict("您已是最高出价人", "you already hold the highest bid", "bidder_id")
        self._bid(listing, bidder_id, amount_cents, now, simulated=False)
        return self._view(listing)

    def balance(self, listing_id: str, *, now: datetime) -> ListingView:
        """The listing as of ``now`` for its balance: a buyer who will not pay is ``defaulted`` once its due date
        passed (what the remittance reads: ``mock_agencies.remit``)."""
        now = checked_cst(now, "now")
        listing = self._find(listing_id)
        self._settle(listing, now)
        return self._view(listing)

    def buyer_pays(self, listing_id: str) -> bool:
        """Whether the buyer of a sold listing pays the balance (one who will not is ``defaulted`` at its due date)."""
        return getattr(self._find(listing_id), "default_due", None) is None

    def reauction(
        self,
        listing_id: str,
        *,
        bidding_starts: datetime,
        bidding_ends: datetime | None = None,
        callback_url: str | None = None,
        now: datetime,
    ) -> ListingView:
        """重新拍卖 after the buyer's default (悔拍): the same round again (一拍, 二拍 or 变卖) on the same terms —
        starting (变卖) price, deposit, increment; our choice, the texts give the re-auction no price rule — announced
        as that round is (一拍 15 / 30 days, 二拍 and 变卖 7 / 15), bidding as long as the round's own unless
        ``bidding_ends`` says; the buyer who defaulted may not bid (网络司法拍卖规定 第二十四条 as commonly published:
        悔拍后重新拍卖的，原买受人不得参加竞买 — not in LAW.md, unconfirmed; tests/fidelity_audit.md WZ-3d).
        Idempotent on the same terms; a listing not ``defaulted``, or already re-auctioned: 409."""
        now = checked_cst(now, "now")
        old = self._find(listing_id)
        self._settle(old, now)
        starts = checked_cst(bidding_starts, "bidding_starts")
        ends = (checked_cst(bidding_ends, "bidding_ends") if bidding_ends
                else starts + (old.scheduled_end - old.starts_at))
        url = callback_url if callback_url is not None else old.callback_url
        terms = ("reauction", starts, ends, url)
        lid = _listing_id(old.listing_id, "reauction")
        existing = self._idempotent(lid, terms)
        if existing:
            return existing
        if old.status is not ListingStatus.DEFAULTED or old.next_id:
            raise conflict(
                f"只有买受人悔拍且未重新拍卖的标的可以重新拍卖（状态 {old.status.value}）",
                "only a listing whose buyer defaulted, not yet re-auctioned, is re-auctioned "
                f"(status {old.status.value})",
                "listing_id",
            )
        r = self.rules
        days = (r.announce_days if old.round is Round.FIRST
                else r.second_announce_days if old.round is Round.SECOND else r.sale_announce_days)[old.asset_kind]
        if old.round is Round.SALE:
            if ends <= starts:
                raise UserError("变卖期结束须晚于开始", "the sale period must end after it starts", "bidding_ends")
            self._check_announcement(now, starts, days, "bidding_starts")
        else:
            self._check_window(now, starts, ends, days, "bidding_starts")
        listing = _follow_up(old, lid, old.round, old.starting_price_cents, old.deposit_cents, old.increment_cents,
                             now, starts, ends, url, terms)
        listing.excluded = tuple(sorted({*getattr(old, "excluded", ()), old.bids[-1].bidder_id}))
        old.next_id = lid
        return self._open(listing)

    # ------------------------------------------------------------------ 悔拍 (a buyer who does not pay)

    def _defaulting(self) -> dict[str, _Listing]:
        """The listings sold to a buyer who will not pay, until their due date (a house saved before: none)."""
        owed = self.__dict__.get("_owed_defaults")
        if owed is None:
            owed = self._owed_defaults = {}
        return owed

    @staticmethod
    def _non_payers(listing: _Listing) -> set[str]:
        if getattr(listing, "non_payers", None) is None:  # a listing saved before the field existed
            listing.non_payers = set()
        return listing.non_payers

    def _due_days(self, listing: _Listing) -> int:
        return int(getattr(listing, "balance_due_days", self.rules.balance_due_days))

    def _balance_due_at(self, listing: _Listing, hammer: datetime) -> datetime:
        """When the balance of a round won at ``hammer`` is due: its days counted under the listing's policy
        (``AuctionRules.balance_due_policy``; a listing saved before the field: the exact duration)."""
        days = self._due_days(listing)
        policy = getattr(listing, "balance_due_policy", None)
        if policy is None:
            return hammer + timedelta(days=days)
        return LegalPeriod(f"{days}d", Policy(policy), BALANCE_DUE_SOURCE).end(hammer)

    def _due_of(self, listing: _Listing) -> datetime | None:
        """The balance's due instant of a round won (None before the hammer or with no buyer)."""
        due = getattr(listing, "balance_due_at", None)
        if due is None and listing.closed_at is not None and listing.bids:
            due = self._balance_due_at(listing, listing.closed_at)  # a listing saved before the field
        return due

    def _defaults(self, listing: _Listing, win: _Bid) -> bool:
        """Whether the winner never pays the balance: a bidder who said so at its deposit, or a simulated one drawn
        at ``BidderModel.default_rate`` from (seed, listing id) on a stream of its own (the bidding's unchanged)."""
        if win.bidder_id in self._non_payers(listing):
            return True
        rate = float(getattr(self.model, "default_rate", 0.0))
        if not win.simulated or rate <= 0:
            return False
        return random.Random(stable_hash(self.seed, listing.listing_id, "default")).random() < rate

    def _settle(self, listing: _Listing, now: datetime) -> None:
        """The buyer's balance fell due unpaid by ``now``: the listing is ``defaulted``, the deposit forfeited (kept
        by the platform: its use — the re-auction's costs, the price difference, the debt — is not modelled), the
        notice ``auction.buyer_defaulted`` (``sale.buyer_defaulted``) posted at the due instant."""
        due = getattr(listing, "default_due", None)
        if (due is None or getattr(listing, "defaulted_at", None) is not None or now < due
                or listing.status is not ListingStatus.SOLD):
            return
        listing.status = ListingStatus.DEFAULTED
        listing.defaulted_at = due
        self._defaulting().pop(listing.listing_id, None)
        win = listing.bids[-1]
        self._emit(
            listing,
            due,
            "sale.buyer_defaulted" if listing.round is Round.SALE else "auction.buyer_defaulted",
            buyer_id=win.bidder_id,
            price_cents=win.amount_cents,
            balance_due_at=due.isoformat(),
            forfeited_deposit_cents=listing.deposit_cents,
        )

    @staticmethod
    def _next_of(listing: _Listing) -> datetime:
        """The first instant ``_run`` would change ``listing``: bidding opens, a bidder wakes, the close."""
        nxt = listing.ends_at
        if listing.heap and listing.heap[0][0] < nxt:
            nxt = listing.heap[0][0]
        if listing.status is ListingStatus.ANNOUNCED and listing.starts_at < nxt:
            nxt = listing.starts_at
        return nxt

    def next_due(self, listing_id: str | None = None) -> datetime | None:
        """The earliest instant at which :meth:`advance` would change something (a bid, a close) — of one listing
        when ``listing_id`` names one of this house's (a court waiting on its own listing: O(1), not O(listings))."""
        defaulting = self._defaulting()
        if listing_id is None:
            listings: Iterable[_Listing] = self._live.values()
            owed: Iterable[_Listing] = defaulting.values()
        else:
            one = self._listings.get(listing_id)
            listings = () if one is None else (one,)
            owed = (defaulting[listing_id],) if listing_id in defaulting else ()
        times = [min(x.heap[0][0], x.ends_at) if x.heap else x.ends_at for x in listings if x.is_open]
        times += [x.default_due for x in owed if x.default_due is not None]  # a buyer's default falls due (悔拍)
        return min(times, default=None)

    def advance(self, now: datetime) -> list[Notice]:
        """Let simulated bidders act and close what ends by ``now``; the notices to post, in time order."""
        if not self._live and not self._outbox and not self._defaulting():  # nothing open: the common case
            return []
        now = checked_cst(now, "now")
        due: dict[str, _Listing] = {}
        while self._due and self._due[0][0] <= now:  # only the listings something happens to by ``now``
            _, _, lid = heapq.heappop(self._due)
            listing = self._live.get(lid)
            if listing is not None:
                due[lid] = listing
        for listing in sorted(due.values(), key=lambda x: x.order):  # in opening order, as they were listed
            if listing.is_open:
                self._run(listing, now)
            if listing.is_open:
                self._watch(listing, self._next_of(listing))
            elif self._live.get(listing.listing_id) is listing:
                del self._live[listing.listing_id]
        for listing in sorted(self._defaulting().values(), key=lambda x: x.order):  # (rare: none at rate 0)
            self._settle(listing, now)
        out = [n for _, _, n in sorted(self._outbox, key=lambda x: (x[0], x[1]))]
        self._outbox.clear()
        return out

    # ------------------------------------------------------------------ checks

    def _idempotent(self, lid: str, terms: tuple[Any, ...]) -> ListingView | None:
        existing = self._listings.get(lid)
        if existing is None:
            return None
        if existing.terms != terms:
            raise conflict(
                f"该财产本轮已上拍（{lid}），条件不同",
                f"this asset is already listed for this round ({lid}) with other terms",
                "listing",
            )
        return self._view(existing)

    def _check_price_terms(
        self, price: int, deposit: int, increment: int, price_field: str = "starting_price_cents"
    ) -> None:
        r = self.rules
        if price < 1:
            raise UserError("价格必须为正数", "the price must be positive", price_field)
        low, high = ceil_pct(price, r.deposit_min_pct), floor_pct(price, r.deposit_max_pct)
        if not low <= deposit <= high:
            raise UserError(
                f"保证金应为起拍价的{r.deposit_min_pct}%至{r.deposit_max_pct}%（{low}–{high} 分）",
                f"the deposit must be {r.deposit_min_pct}%–{r.deposit_max_pct}% of the starting price "
                f"({low}–{high} cents)",
                "deposit_cents",
            )
        if increment < 1:
            raise UserError("加价幅度必须为正数", "the increment must be positive", "increment_cents")

    def _check_announcement(self, now: datetime, starts: datetime, days: int, where: str) -> None:
        """The start no earlier than the notice period's last day: ``days`` whole days after the announcement day
        (which is not counted), counted by the legal calendar under ``rules.notice_policy`` (platform_periods)."""
        earliest = LegalPeriod(f"{days}d", self.rules.notice_policy, "notice").last_day(now)
        if starts < earliest:
            raise UserError(
                f"公告期不足：应在开始前至少{days}日公告（最早 {earliest.isoformat()} 开始）",
                f"announcement too short: it must precede the start by at least {days} days "
                f"(earliest start {earliest.isoformat()})",
                where,
            )

    def _check_window(self, now: datetime, starts: datetime, ends: datetime, days: int, where: str) -> None:
        self._check_announcement(now, starts, days, where)
        if ends - starts < self.rules.min_bidding:
            hours = self.rules.min_bidding / timedelta(hours=1)
            raise UserError(
                f"竞价时间不得少于{hours:g}小时",
                f"bidding must last at least {hours:g} hours",
                "bidding_ends",
            )

    def _find(self, listing_id: str) -> _Listing:
        listing = self._listings.get(listing_id)
        if listing is None:
            raise not_found("拍卖标的", "listing", listing_id, "listing_id")
        return listing

    # ------------------------------------------------------------------ simulation

    def _open(self, listing: _Listing) -> ListingView:
        listing.rng = random.Random(stable_hash(self.seed, listing.listing_id))
        listing.balance_due_days = self.rules.balance_due_days  # the announcement's term (悔拍 past it)
        listing.balance_due_policy = self.rules.balance_due_policy  # and how it is counted
        self._draw_bidders(listing)
        self._listings[listing.listing_id] = listing
        self._live[listing.listing_id] = listing
        self._opened += 1
        listing.order = self._opened
        self._watch(listing, self._next_of(listing))
        return self._view(listing)

    def _watch(self, listing: _Listing, at: datetime) -> None:
        heapq.heappush(self._due, (at, listing.order, listing.listing_id))

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A saved house (the namespace's durable state); one saved before the open-listing index existed has it
        rebuilt from its listings, in their order."""
        self.__dict__.update(state)
        if "_live" not in state:
            self._live, self._due, self._opened = {}, [], 0
            for listing in self._listings.values():
                self._opened += 1
                listing.order = self._opened
                if listing.is_open:
                    self._live[listing.listing_id] = listing
                    self._watch(listing, self._next_of(listing))

    def _draw_bidders(self, listing: _Listing) -> None:
        rng, m = listing.rng, self.model
        count = rng.randint(0, m.max_bidders)
        mu = math.log(listing.valuation_cents * m.wtp_median_ratio)
        span = (listing.ends_at - listing.starts_at).total_seconds()
        late = min(m.late_window.total_seconds(), span)
        for i in range(count):
            bidder_id, name = self._identity(rng, listing.listing_id, i)
            wtp = int(rng.lognormvariate(mu, m.wtp_sigma))
            look_late = rng.random() < m.late_share
            offset = span - late + rng.random() * late if look_late else rng.random() * span
            wake = listing.starts_at + timedelta(seconds=int(min(offset, span - 1)))
            if wtp < listing.starting_price_cents or bidder_id in listing.sims or bidder_id in listing.excluded:
                continue  # not interested at this price (or a buyer who defaulted before: excluded): never registers
            sim = _SimBidder(bidder_id, name, wtp)
            listing.sims[bidder_id] = sim
            listing.depositors[bidder_id] = name
            self._wake(listing, sim, wake)

    def _identity(self, rng: random.Random, listing_id: str, i: int) -> tuple[str, str]:
        if self.source is not None and getattr(self.source, "size", 0) > 0:
            debtor = self.source.debtor(rng.randrange(self.source.size))
            return str(debtor.id_number), str(debtor.name)
        tag = f"{stable_hash(self.seed, listing_id, i):016x}"[:10].upper()
        return f"SIM-{tag}", f"竞买人{tag[:4]}"

    def _wake(self, listing: _Listing, sim: _SimBidder, at: datetime) -> None:
        listing.seq += 1
        sim.wake_token = listing.seq
        sim.wake_at = at
        heapq.heappush(listing.heap, (at, listing.seq, sim.bidder_id))
        if listing.order:  # (a listing being opened is watched once it is open)
            self._watch(listing, at)

    def _run(self, listing: _Listing, until: datetime) -> None:
        """Replay simulated bidders' wake-ups up to ``until`` and close the listing if it ended."""
        if not listing.is_open:
            return
        if listing.status is ListingStatus.ANNOUNCED and until >= listing.starts_at:
            listing.status = ListingStatus.BIDDING
        while listing.heap and listing.heap[0][0] <= until and listing.is_open:
            at, token, bidder_id = heapq.heappop(listing.heap)
            sim = listing.sims[bidder_id]
            if sim.wake_token != token:
                continue  # superseded by an earlier wake-up
            sim.wake_token, sim.wake_at = -1, None
            if at >= listing.ends_at:
                continue
            leader = listing.leader
            if leader is not None and leader.bidder_id == bidder_id:
                continue
            minimum = listing.next_minimum()
            if minimum > sim.wtp_cents:
                continue
            amount = minimum
            if listing.round is not Round.SALE and leader is not None:
                step = max(
                    listing.increment_cents,
                    ceil_pct(listing.starting_price_cents, self.model.step_pct_of_start),
                )
                amount = max(minimum, min(sim.wtp_cents, leader.amount_cents + step))
            self._bid(listing, bidder_id, amount, at, simulated=True)
        if listing.is_open and until >= listing.ends_at:
            self._close(listing)

    def _bid(self, listing: _Listing, bidder_id: str, amount: int, at: datetime, *, simulated: bool) -> None:
        listing.bids.append(_Bid(bidder_id, amount, at, simulated))
        if listing.round is Round.SALE:
            self._close(listing, at)
            return
        listing.ends_at = max(listing.ends_at, at + self.rules.extension)
        m = self.model
        lo, hi = m.min_response.total_seconds(), m.max_response.total_seconds()
        nxt = listing.next_minimum()
        for sim in listing.sims.values():
            if sim.bidder_id == bidder_id or sim.wtp_cents < nxt:
                continue
            when = at + timedelta(seconds=int(lo + listing.rng.random() * (hi - lo)))
            if sim.wake_at is None or sim.wake_at > when:
                self._wake(listing, sim, when)

    def _close(self, listing: _Listing, at: datetime | None = None) -> None:
        at = at or listing.ends_at
        listing.closed_at = at
        listing.heap.clear()
        r = self.rules
        if listing.bids:
            win = listing.bids[-1]
            listing.status = ListingStatus.SOLD
            listing.balance_due_at = self._balance_due_at(listing, at)
            if self._defaults(listing, win):  # 悔拍: the buyer will not pay the balance by its due date
                listing.default_due = listing.balance_due_at
                self._defaulting()[listing.listing_id] = listing
            event = "sale.sold" if listing.round is Round.SALE else "auction.sold"
            self._emit(
                listing,
                at,
                event,
                price_cents=win.amount_cents,
                buyer_id=win.bidder_id,
                buyer_name=listing.depositors.get(win.bidder_id, win.bidder_id),
                deposit_applied_cents=listing.deposit_cents,
                balance_due_cents=win.amount_cents - listing.deposit_cents,
                deposits_refunded=sorted(b for b in listing.depositors if b != win.bidder_id),
            )
            return
        listing.status = ListingStatus.FAILED
        if listing.round is Round.SALE:
            self._emit(listing, at, "sale.failed")
        elif listing.round is Round.FIRST:
            self._emit(
                listing,
                at,
                "auction.failed",
                relist_deadline=r.relist_within.end(at).isoformat(),
                in_kind_price_cents=listing.starting_price_cents,
            )
        else:
            self._emit(
                listing,
                at,
                "auction.failed",
                in_kind_price_cents=listing.starting_price_cents,
                in_kind_decision_due=r.in_kind_decision_within.end(at).isoformat(),
            )

    def _emit(self, listing: _Listing, at: datetime, event: str, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "event": event,
            "at": at.isoformat(),
            "listing_id": listing.listing_id,
            "platform": listing.platform,
            "round": listing.round.value,
            "court_code": listing.court_code,
            "case_no": listing.case_no,
            "asset_id": listing.asset_id,
            "status": listing.status.value,
            **extra,
        }
        self._notice_seq += 1
        self._outbox.append((at, self._notice_seq, Notice(listing.callback_url, payload)))

    # ------------------------------------------------------------------ view

    def _view(self, x: _Listing) -> ListingView:
        leader = x.leader
        r = self.rules
        failed = x.closed_at is not None and not x.bids and x.round is not Round.SALE
        buyer = leader if x.status is ListingStatus.SOLD else None
        agreed_cents = getattr(x, "in_kind_agreed_cents", None)
        due_days = self._due_days(x)
        won = x.status in (ListingStatus.SOLD, ListingStatus.DEFAULTED) and x.closed_at is not None and leader
        defaulted_at = getattr(x, "defaulted_at", None)
        return ListingView(
            listing_id=x.listing_id,
            platform=x.platform,
            round=x.round,
            status=x.status,
            court_code=x.court_code,
            case_no=x.case_no,
            asset_id=x.asset_id,
            asset_kind=x.asset_kind,
            description=x.description,
            valuation_cents=x.valuation_cents,
            starting_price_cents=x.starting_price_cents,
            deposit_cents=x.deposit_cents,
            increment_cents=x.increment_cents,
            announced_at=x.announced_at,
            starts_at=x.starts_at,
            scheduled_end=x.scheduled_end,
            ends_at=x.ends_at,
            current_price_cents=leader.amount_cents if leader else None,
            leader_id=leader.bidder_id if leader else None,
            bid_count=len(x.bids),
            depositors=len(x.depositors),
            bids=tuple(
                BidView(bidder_id=b.bidder_id, amount_cents=b.amount_cents, at=b.at, simulated=b.simulated)
                for b in x.bids
            ),
            previous_id=x.previous_id,
            next_id=x.next_id,
            closed_at=x.closed_at,
            sold_price_cents=buyer.amount_cents if buyer else None,
            buyer_id=buyer.bidder_id if buyer else None,
            buyer_name=x.depositors.get(buyer.bidder_id) if buyer else None,
            relist_deadline=r.relist_within.end(x.closed_at) if failed and x.round is Round.FIRST else None,
            in_kind_price_cents=agreed_cents
            if agreed_cents is not None
            else x.starting_price_cents if failed else None,
            in_kind_decision_due=r.in_kind_decision_within.end(x.closed_at)
            if failed and x.closed_at and x.round is Round.SECOND
            else None,
            in_kind_declined_at=x.in_kind_declined_at,
            in_kind_agreed_at=getattr(x, "in_kind_agreed_at", None),
            withdrawn_at=getattr(x, "withdrawn_at", None),
            balance_due_days=due_days,
            balance_due_at=self._due_of(x) if won and x.closed_at else None,
            defaulted_at=defaulted_at,
            defaulted_buyer_id=leader.bidder_id if defaulted_at is not None and leader else None,
            forfeited_deposit_cents=x.deposit_cents if defaulted_at is not None else None,
            excluded_bidders=tuple(getattr(x, "excluded", ())),
            callback_url=x.callback_url,
        )
