"""The pricing platform (全国法院询价评估系统): 网络询价 and 委托评估.

Rules (《关于人民法院确定财产处置参考价若干问题的规定》(2018), shared/domain/LAW.md "Reference price"):

* 网络询价 goes to all listed platforms at once (three here; which three is unconfirmed, so they are data
  in :class:`PricingConfig`); each answers within 3 days, or within 6 days after its one 3-day extension;
  the reference price is the average of the answers (rounded half up to the cent);
* 委托评估: the report within 30 days, at most two 15-day extensions;
* a reference price is valid for 1 year (same date a year later; 29 Feb → 28 Feb).

Every period is counted by ``core_flow.legal_calendar`` (calendar days, the starting day not counted, a last day
that is a rest day rolled to the next working day, ending 24:00; an extension runs from the end of the period it
extends): data, policy and sources in :mod:`mock_agencies.platform_periods`.

A request is keyed by its court and request number (the court's idempotency key: another court's request under the
same number is another request); its ``pricing_id`` is made from both.

Answers are deterministic per (seed, asset): the asset's market value, each platform's estimate, each
answer's delay and whether an extension is taken all come from a hash of (seed, asset id, …), so two
requests about the same asset get the same answers. A caller that knows the asset's value (a scenario)
passes ``market_value_cents`` and the estimates scatter around it. Results and extension notices come out
of :meth:`PricingPlatform.advance` as :class:`~mock_agencies.auction.Notice` objects. Nothing reads the clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core_flow.errors import UserError
from core_flow.legal_calendar import years_after
from core_flow.protocol import AssetKind
from mock_agencies.auction import Notice, checked_cst, conflict, not_found, stable_hash
from mock_agencies.platform_periods import (
    APPRAISAL_EXTENSION,
    APPRAISAL_REPORT,
    INQUIRY_ANSWER,
    INQUIRY_EXTENSION,
    LegalPeriod,
)


class PricingMethod(StrEnum):
    NETWORK_INQUIRY = "network_inquiry"  # 网络询价
    APPRAISAL = "appraisal"  # 委托评估


class PricingStatus(StrEnum):
    PENDING = "pending"  # 办理中
    EXTENDED = "extended"  # 已延期
    COMPLETED = "completed"  # 已出具结果
    WITHDRAWN = "withdrawn"  # 已撤回（法院撤回委托：财产已协议以物抵债…）


@dataclass(frozen=True)
class PricingConfig:
    """Periods (LAW.md, confirmed) and the simulation's distributions (project defaults)."""

    # The three 网络询价 platforms (unconfirmed which; codes as in data/agencies.yaml): code → name.
    platforms: tuple[tuple[str, str], ...] = (
        ("inquiry_alibaba", "阿里拍卖网络询价"),
        ("inquiry_jd", "京东网络询价"),
        ("inquiry_icbc", "工商银行融e购网络询价"),
    )
    valuer: tuple[str, str] = ("valuer_mock", "委托评估机构（模拟）")
    # periods counted by the legal calendar (data, sources and policy: mock_agencies.platform_periods)
    inquiry_period: LegalPeriod = INQUIRY_ANSWER
    inquiry_extension: LegalPeriod = INQUIRY_EXTENSION
    inquiry_extension_probability: float = 0.1
    platform_spread: float = 0.08  # each platform's estimate: market value × lognormal(0, spread)
    appraisal_period: LegalPeriod = APPRAISAL_REPORT
    appraisal_extension: LegalPeriod = APPRAISAL_EXTENSION
    appraisal_extension_weights: tuple[float, float, float] = (0.75, 0.18, 0.07)  # 0, 1 or 2 extensions
    appraisal_spread: float = 0.05
    min_answer_delay: timedelta = timedelta(hours=1)
    # Market value when the caller gives none: log-uniform between these bounds (yuan), per asset kind.
    value_range_yuan: dict[AssetKind, tuple[int, int]] = field(
        default_factory=lambda: {
            AssetKind.REAL_ESTATE: (300_000, 5_000_000),
            AssetKind.VEHICLE: (20_000, 400_000),
            AssetKind.EQUITY: (50_000, 10_000_000),
            AssetKind.SECURITIES: (10_000, 2_000_000),
        }
    )
    default_value_range_yuan: tuple[int, int] = (5_000, 500_000)
    validity_years: int = 1


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlatformAnswer(_View):
    """One platform's answer (网络询价) or the valuer's report (委托评估)."""

    provider: str = Field(description="询价平台或评估机构代码 / platform or valuer code")
    provider_name: str = Field(description="名称 / name")
    due_at: datetime = Field(description="答复期限（含延期）/ due, after any extension")
    extensions: int = Field(description="延期次数 / extensions taken")
    answered_at: datetime | None = Field(description="答复时间 / answered at (None = pending)")
    price_cents: int | None = Field(description="询价/评估结果（分）/ the price, cents (None = pending)")


class PricingView(_View):
    """A pricing request and its result (询价评估)."""

    pricing_id: str = Field(description="询价评估编号 / pricing request id")
    request_no: str = Field(description="请求编号（法院的幂等键）/ request number, the court's idempotency key")
    method: PricingMethod = Field(description="方式：网络询价/委托评估 / network inquiry or appraisal")
    status: PricingStatus = Field(description="状态 / status")
    court_code: str = Field(description="法院代码 / court code")
    case_no: str = Field(description="案号 / case number")
    asset_id: str = Field(description="财产编号 / asset id")
    asset_kind: AssetKind = Field(description="财产种类 / asset kind")
    description: str = Field(description="财产描述 / description")
    requested_at: datetime = Field(description="提交时间 / submitted at")
    due_at: datetime = Field(description="当前最迟完成时间 / latest completion, after extensions")
    answers: tuple[PlatformAnswer, ...] = Field(description="各平台答复 / answers, only those given so far")
    reference_price_cents: int | None = Field(description="参考价（分）/ reference price, cents")
    completed_at: datetime | None = Field(description="完成时间 / completed at")
    valid_until: datetime | None = Field(description="参考价有效期至 / reference price valid until")
    withdrawn_at: datetime | None = Field(
        default=None, description="法院撤回时间（不再出具结果）/ withdrawn by the court at (no result will come)")
    callback_url: str | None = Field(description="结果回调地址 / where results are posted")


@dataclass(slots=True)
class _Answer:
    provider: str
    provider_name: str
    base_due: datetime
    extensions: int
    answer_at: datetime
    price_cents: int
    extension_noticed: int = 0  # extensions already announced
    given: bool = False

    def due(self, step: LegalPeriod) -> datetime:
        return step.after(self.base_due, self.extensions)

    def due_seen(self, step: LegalPeriod) -> datetime:
        """The due date as known so far: extensions become known when announced."""
        return step.after(self.base_due, self.extension_noticed)


@dataclass(slots=True)
class _Request:
    pricing_id: str
    request_no: str
    method: PricingMethod
    court_code: str
    case_no: str
    asset_id: str
    asset_kind: AssetKind
    description: str
    requested_at: datetime
    callback_url: str | None
    terms: tuple[Any, ...]
    answers: list[_Answer]
    completed_at: datetime | None = None
    reference_price_cents: int | None = None
    next_at: datetime | None = None  # the earliest answer or extension not yet delivered (None: not yet looked at)
    # withdrawn by the court before its result (``withdraw``); read with getattr: a request saved before the field
    # existed has none (a slots dataclass restored field by field)
    withdrawn_at: datetime | None = None


def _round_half_up_div(total: int, n: int) -> int:
    return (2 * total + n) // (2 * n)


class PricingPlatform:
    """All pricing requests of one session."""

    def __init__(self, seed: int, config: PricingConfig | None = None) -> None:
        self.seed = seed
        self.config = config or PricingConfig()
        self._requests: dict[str, _Request] = {}
        # (court, request number) → pricing id: a request number is the court's idempotency key, as a 查控 request's
        # (``mock_agencies.backend.ledger_key``) — two courts using the same number make two requests (review R18
        # proposal 6: before 2026-12-07 (H53) the store was keyed by the number alone, and they shared one)
        self._keys: dict[tuple[str, str], str] = {}
        self._pending: dict[str, _Request] = {}  # the requests not completed yet, in order (what ``advance`` runs)
        self._outbox: list[tuple[datetime, int, Notice]] = []
        self._seq = 0

    # ------------------------------------------------------------------ market

    def market_value_cents(self, asset_id: str, asset_kind: AssetKind) -> int:
        """The asset's (hidden) market value, deterministic per (seed, asset)."""
        low, high = self.config.value_range_yuan.get(asset_kind, self.config.default_value_range_yuan)
        rng = random.Random(stable_hash(self.seed, "value", asset_kind, asset_id))
        yuan = math.exp(rng.uniform(math.log(low), math.log(high)))
        return int(yuan) * 100

    # ------------------------------------------------------------------ commands

    def request_inquiry(self, **kwargs: Any) -> PricingView:
        """网络询价: sent to every platform at once. Keyword arguments as :meth:`submit`."""
        return self.submit(PricingMethod.NETWORK_INQUIRY, **kwargs)

    def commission_appraisal(self, **kwargs: Any) -> PricingView:
        """委托评估. Keyword arguments as :meth:`submit`."""
        return self.submit(PricingMethod.APPRAISAL, **kwargs)

    def submit(
        self,
        method: PricingMethod,
        *,
        request_no: str,
        court_code: str,
        case_no: str,
        asset_id: str,
        asset_kind: AssetKind,
        description: str = "",
        market_value_cents: int | None = None,
        callback_url: str | None = None,
        now: datetime,
        known_value: Callable[[], int | None] | None = None,
    ) -> PricingView:
        """Accept a request; the same ``request_no`` of the same court with the same content returns the same request
        (another court's under the same number is another request: the number is unique per court, H53).
        ``market_value_cents``: a value the caller gave, part of its request; ``known_value``: the platform's own
        knowledge of the asset's value (the world's, ``mock_agencies.asset_value``), looked up for a new request
        only and not part of the request — the court's repeat of a request whose answer was lost is the same request
        however that value moved meanwhile (review R12: it was compared as content, a moved value refused 409)."""
        now = checked_cst(now, "now")
        method, asset_kind = PricingMethod(method), AssetKind(asset_kind)
        if market_value_cents is not None and market_value_cents < 1:
            raise UserError("市场价必须为正数", "the market value must be positive", "market_value_cents")
        terms = (
            method,
            court_code,
            case_no,
            asset_id,
            asset_kind,
            description,
            market_value_cents,
            callback_url,
        )
        key = (court_code, request_no)
        existing = self._requests.get(self._keys.get(key, ""))
        if existing is not None:
            if existing.terms != terms:
                raise conflict(
                    f"请求编号 {request_no} 已用于不同的询价评估",
                    f"request number {request_no} was already used for a different pricing request",
                    "request_no",
                )
            return self._view(existing)
        value = market_value_cents or (known_value() if known_value is not None else None) or \
            self.market_value_cents(asset_id, asset_kind)
        answers = (
            self._inquiry_answers(asset_id, value, now)
            if method is PricingMethod.NETWORK_INQUIRY
            else [self._appraisal_answer(asset_id, value, now)]
        )
        pid = f"PR{stable_hash('pricing', court_code, request_no):016x}"
        req = _Request(
            pricing_id=pid,
            request_no=request_no,
            method=method,
            court_code=court_code,
            case_no=case_no,
            asset_id=asset_id,
            asset_kind=asset_kind,
            description=description,
            requested_at=now,
            callback_url=callback_url,
            terms=terms,
            answers=answers,
        )
        self._requests[pid] = req
        self._keys[key] = pid
        self._pending[pid] = req
        return self._view(req)

    def get(self, pricing_id: str) -> PricingView:
        req = self._requests.get(pricing_id)
        if req is None:
            raise not_found("询价评估", "pricing request", pricing_id, "pricing_id")
        return self._view(req)

    def find(self, request_no: str, court_code: str | None = None) -> list[PricingView]:
        """The requests accepted under ``request_no`` (a court that never learnt the answer to its request looks it
        up: nothing is made): ``court_code``'s — none, or one: the number is the court's idempotency key — or, with
        no court given, every court's that used the number, in the order they were made."""
        if court_code is not None:
            pid = self._keys.get((court_code, request_no))
            return [] if pid is None else [self._view(self._requests[pid])]
        return [self._view(self._requests[pid]) for (_, no), pid in self._keys.items() if no == request_no]

    def withdraw(self, pricing_id: str, *, now: datetime) -> PricingView:
        """The court withdraws a pending request (撤回委托): the property it was to price went to the applicant in kind
        by agreement, or the like. No answer, extension or result comes for it after ``now``; withdrawing it again
        returns the same view. A request whose result is out cannot be withdrawn (409): the court ignores the result."""
        now = checked_cst(now, "now")
        req = self._requests.get(pricing_id)
        if req is None:
            raise not_found("询价评估", "pricing request", pricing_id, "pricing_id")
        if getattr(req, "withdrawn_at", None) is None:
            self._run(req, now)  # what was due by now happened first
            if req.completed_at is not None:
                raise conflict(
                    f"询价评估 {pricing_id} 已出具结果（{req.completed_at.isoformat()}），不能撤回",
                    f"pricing request {pricing_id} has its result ({req.completed_at.isoformat()}): it cannot be "
                    "withdrawn",
                    "pricing_id",
                )
            req.withdrawn_at = now
            self._pending.pop(pricing_id, None)
        return self._view(req)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A saved platform (the namespace's durable state); one saved before the pending index existed has it
        rebuilt from its requests, and one saved before requests were keyed per court (H53) its keys: each request
        under its own court and number, its pricing id kept (made from the number alone then) — the court's repeat
        of it is the same request, looked up and withdrawn by the id it knows."""
        self.__dict__.update(state)
        if "_pending" not in state:
            self._pending = {pid: req for pid, req in self._requests.items() if req.completed_at is None}
        if "_keys" not in state:
            self._keys = {(req.court_code, req.request_no): pid for pid, req in self._requests.items()}

    def next_due(self, pricing_id: str | None = None) -> datetime | None:
        """The earliest instant at which :meth:`advance` would change something (an extension, an answer) — of one
        request when ``pricing_id`` names one of this platform's."""
        if pricing_id is None:
            requests: Iterable[Any] = self._pending.values()
        else:
            one = self._requests.get(pricing_id)
            requests = () if one is None else (one,)
        times = []
        for req in requests:
            if req.completed_at is not None or getattr(req, "withdrawn_at", None) is not None:
                continue
            for a in req.answers:
                step = self._step(req)
                if a.extension_noticed < a.extensions:
                    times.append(step.after(a.base_due, a.extension_noticed))
                if not a.given:
                    times.append(a.answer_at)
        return min(times, default=None)

    def advance(self, now: datetime) -> list[Notice]:
        """Deliver answers, extensions and results due by ``now``; the notices to post, in time order."""
        if not self._pending and not self._outbox:  # the hot path of every 查控 request passes here
            return []
        now = checked_cst(now, "now")
        for pid, req in list(self._pending.items()):  # a year's completed requests are not looked at again
            if req.completed_at is None and (req.next_at is None or req.next_at <= now):  # else nothing is due
                self._run(req, now)
            if req.completed_at is not None:
                del self._pending[pid]
        out = [n for _, _, n in sorted(self._outbox, key=lambda x: (x[0], x[1]))]
        self._outbox.clear()
        return out

    # ------------------------------------------------------------------ simulation

    def _delay(self, rng: random.Random, period: timedelta) -> timedelta:
        lo = self.config.min_answer_delay.total_seconds()
        return timedelta(minutes=int((lo + rng.random() * (period.total_seconds() - lo)) // 60))

    def _inquiry_answers(self, asset_id: str, value: int, now: datetime) -> list[_Answer]:
        c = self.config
        out = []
        for code, name in c.platforms:
            rng = random.Random(stable_hash(self.seed, "inquiry", asset_id, code))
            price = max(1, round(value * rng.lognormvariate(0.0, c.platform_spread)))
            extended = rng.random() < c.inquiry_extension_probability
            base_due = c.inquiry_period.end(now)
            if extended:
                answer_at = base_due + self._delay(rng, c.inquiry_extension.after(base_due) - base_due)
            else:
                answer_at = now + self._delay(rng, base_due - now)
            out.append(_Answer(code, name, base_due, int(extended), answer_at, price))
        return out

    def _appraisal_answer(self, asset_id: str, value: int, now: datetime) -> _Answer:
        c = self.config
        rng = random.Random(stable_hash(self.seed, "appraisal", asset_id))
        price = max(1, round(value * rng.lognormvariate(0.0, c.appraisal_spread)))
        n_ext = rng.choices((0, 1, 2), weights=c.appraisal_extension_weights)[0]
        base_due = c.appraisal_period.end(now)
        if n_ext == 0:
            answer_at = now + self._delay(rng, base_due - now)
        else:
            begins = c.appraisal_extension.after(base_due, n_ext - 1)
            answer_at = begins + self._delay(rng, c.appraisal_extension.after(begins) - begins)
        code, name = c.valuer
        return _Answer(code, name, base_due, n_ext, answer_at, price)

    def _step(self, req: _Request) -> LegalPeriod:
        c = self.config
        return c.inquiry_extension if req.method is PricingMethod.NETWORK_INQUIRY else c.appraisal_extension

    def _run(self, req: _Request, now: datetime) -> None:
        step = self._step(req)
        events: list[tuple[datetime, int, _Answer, str]] = []
        for i, a in enumerate(req.answers):
            for k in range(a.extension_noticed, a.extensions):
                events.append((step.after(a.base_due, k), i, a, "extend"))
            if not a.given:
                events.append((a.answer_at, i, a, "answer"))
        req.next_at = None
        for at, _, a, kind in sorted(events, key=lambda e: (e[0], e[1], e[3] == "answer")):
            if at > now:
                req.next_at = at  # nothing changes before then
                break
            if kind == "extend":
                a.extension_noticed += 1
                self._emit(
                    req,
                    at,
                    "pricing.extended",
                    provider=a.provider,
                    extensions=a.extension_noticed,
                    due_at=a.due_seen(step).isoformat(),
                )
            else:
                a.given = True
        if all(a.given for a in req.answers):
            req.completed_at = max(a.answer_at for a in req.answers)
            total = sum(a.price_cents for a in req.answers)
            req.reference_price_cents = _round_half_up_div(total, len(req.answers))
            view = self._view(req)
            self._emit(
                req,
                req.completed_at,
                "pricing.completed",
                reference_price_cents=req.reference_price_cents,
                answers=[a.model_dump(mode="json") for a in view.answers],
                valid_until=view.valid_until.isoformat() if view.valid_until else None,
            )

    def _emit(self, req: _Request, at: datetime, event: str, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "event": event,
            "at": at.isoformat(),
            "pricing_id": req.pricing_id,
            "request_no": req.request_no,
            "method": req.method.value,
            "court_code": req.court_code,
            "case_no": req.case_no,
            "asset_id": req.asset_id,
            **extra,
        }
        self._seq += 1
        self._outbox.append((at, self._seq, Notice(req.callback_url, payload)))

    def _view(self, req: _Request) -> PricingView:
        step = self._step(req)
        answers = tuple(
            PlatformAnswer(
                provider=a.provider,
                provider_name=a.provider_name,
                due_at=a.due_seen(step),
                extensions=a.extension_noticed,
                answered_at=a.answer_at if a.given else None,
                price_cents=a.price_cents if a.given else None,
            )
            for a in req.answers
        )
        done = req.completed_at is not None
        extended = any(a.extension_noticed for a in req.answers)
        withdrawn = getattr(req, "withdrawn_at", None)
        status = (PricingStatus.COMPLETED if done else PricingStatus.WITHDRAWN if withdrawn is not None
                  else PricingStatus.EXTENDED if extended else PricingStatus.PENDING)
        return PricingView(
            pricing_id=req.pricing_id,
            request_no=req.request_no,
            method=req.method,
            status=status,
            court_code=req.court_code,
            case_no=req.case_no,
            asset_id=req.asset_id,
            asset_kind=req.asset_kind,
            description=req.description,
            requested_at=req.requested_at,
            due_at=max(a.due_at for a in answers),
            answers=tuple(a for a in answers if a.answered_at is not None),
            reference_price_cents=req.reference_price_cents,
            completed_at=req.completed_at,
            valid_until=years_after(req.completed_at, self.config.validity_years) if req.completed_at else None,
            withdrawn_at=withdrawn,
            callback_url=req.callback_url,
        )
