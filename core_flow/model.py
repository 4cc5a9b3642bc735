"""The process model: nodes, work items and their deadline rules, validated and immutable.

Loaded from a data file (``core_flow/data/process.yaml`` by default) by ``core_flow.process_loader``.
The engine (``core_flow.engine``) runs a ``Process``; it never changes one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from core_flow.enum_members import members_of
from core_flow.errors import UserError
from core_flow.legal_calendar import Period, Policy, Unit
from core_flow.legal_calendar.periods import zh_number
from core_flow.protocol import AgencyGroup, AssetKind

# anchors the engine records itself — filing, assignment, closing, the claim met (``MoneyRules._claim_check``) — never
# by a ``Record``: recorded by hand they would disagree with the state they follow from. Nothing waits on them as on a
# recorded one (a node's ``not_before``, a round's start or end): those read what a ``Record`` kept
ENGINE_ANCHORS = frozenset({"filed", "received", "closed", "claim_met"})

_NODE_ANCHOR = re.compile(r"^node_started:(\d+)$")
_ITEM_ANCHOR = re.compile(r"^item_done:(\d+)\.([a-z_]+)$")
# 7, 节点7, 第7节点, 7号节点 — and the seeds' own 节点十七, 第三十六个节点
_NODE_NUMBER = re.compile(r"(?:第|节点)?\s*(\d{1,3}|[零一二两三四五六七八九十百]{1,5})\s*(?:[个号]?\s*节点)?")
_NAME_MARKS = re.compile(r"[\s、，,·．.（）()]")  # 查封扣押冻结 is 查封、扣押、冻结
# a node by both its number and its name: 17-查封、扣押、冻结, 节点17：查封、扣押、冻结, (17)执行通知; 执行通知（7）
_NUMBER_THEN_NAME = re.compile(r"[（(]?(?:第|节点)?\s*(?P<no>\d{1,3}|[零一二两三四五六七八九十百]{1,5})"
                               r"\s*(?:[个号]?\s*节点)?[）)]?\s*[-－—.．:：、]?\s*(?P<name>\D.*)")
_NAME_THEN_NUMBER = re.compile(r"(?P<name>.+?)\s*[（(](?:第|节点)?\s*(?P<no>\d{1,3})\s*(?:节点)?[）)]")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Per(StrEnum):
    """What a node runs once for."""

    CASE = "case"
    ASSET = "asset"  # nodes 17, 19–31, 35: once per controlled asset
    RECEIPT = "receipt"  # nodes 32–33: once per receipt of money
    CLUE = "clue"  # node 8
    APPLICATION = "application"  # nodes 15, 16, 38


PER = members_of(Per)  # for hot code: see core_flow.enum_members


class Direction(StrEnum):
    AFTER = "after"  # N after the anchor (the usual 期间)
    BEFORE = "before"  # at least N before a scheduled event (公告 before an auction)


DIRECTION = members_of(Direction)  # for hot code: see core_flow.enum_members


def _parse_period(value: Any) -> Period:
    if isinstance(value, Period):
        return value
    try:
        return Period.parse(str(value))
    except UserError as err:  # becomes a located validation error
        raise ValueError(f"{err.zh} / {err.en}") from None


def matches(when: dict[str, Any], attrs: dict[str, Any]) -> bool:
    """Whether ``attrs`` match every key of ``when`` (a list value: any of its members)."""
    for key, want in when.items():
        have = attrs.get(key)
        if isinstance(want, list):
            if have not in want:
                return False
        elif have != want:
            return False
    return True


class Override(_Model):
    """Another period (and/or whether expiry freezes) when the case or the anchor's attributes match ``when``."""

    when: dict[str, Any]
    period: Period | None = None
    freeze: bool | None = None
    # false: the item does not apply to a matching case — no deadline is set (执行通知 in a 财产保全 case)
    applies: bool | None = None

    @field_validator("period", mode="before")
    @classmethod
    def _p(cls, value: Any) -> Period | None:
        return None if value is None else _parse_period(value)

    def matches(self, attrs: dict[str, Any]) -> bool:
        return matches(self.when, attrs)


class WorkItem(_Model):
    key: str = Field(pattern=r"^[a-z_]+$")
    name: str
    anchor: tuple[str, ...]
    period: Period
    policy: Policy = Policy.CPL
    direction: Direction = Direction.AFTER
    freeze: bool = False
    warn: Period | None = None
    done_on_start: bool = False
    overrides: tuple[Override, ...] = ()
    # the deadline counts from the first of its anchors; a later anchor does not move it
    # ("whichever of 网络查控 / 传统查控 starts first")
    once: bool = False
    duban: bool = False  # expiry also raises a 督办 item on the 执行指挥管理平台 (seed 004 节点二十三、二十六)
    # anchors that make the work moot: once one is recorded for the item's instance, a deadline of the item not yet
    # done nor missed is withdrawn (node 26: "一拍流拍后，无人申请抵债的…再次拍卖" — taken in kind, no 二拍)
    ends_on: tuple[str, ...] = ()

    _p = field_validator("period", mode="before")(_parse_period)

    @field_validator("warn", mode="before")
    @classmethod
    def _w(cls, value: Any) -> Period | None:
        return None if value is None else _parse_period(value)

    @field_validator("anchor", "ends_on", mode="before")
    @classmethod
    def _anchor_list(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _default_policy(cls, data: Any) -> Any:
        # "at least N before" constraints count natural days (see process.yaml header).
        if isinstance(data, dict) and data.get("direction") == "before" and "policy" not in data:
            data = {**data, "policy": "natural"}
        return data

    def period_for(self, attrs: dict[str, Any]) -> Period:
        for override in self.overrides:
            if override.period is not None and override.matches(attrs):
                return override.period
        return self.period

    def freezes_for(self, attrs: dict[str, Any]) -> bool:
        """Whether expiry freezes the node for a case with ``attrs`` (an override may say otherwise)."""
        for override in self.overrides:
            if override.freeze is not None and override.matches(attrs):
                return override.freeze
        return self.freeze

    def applies_for(self, attrs: dict[str, Any]) -> bool:
        """Whether the item applies (its deadline is set) to a case with ``attrs`` (an override may say not)."""
        for override in self.overrides:
            if override.applies is not None and override.matches(attrs):
                return override.applies
        return True


class Sweep(_Model):
    anchor: str
    every: Period
    count: int = Field(ge=1)
    policy: Policy = Policy.NATURAL  # "每六个月" counted as plain calendar months (no rest-day rollover)

    _p = field_validator("every", mode="before")(_parse_period)


class Ground(_Model):
    """A ground a measure is taken on, and the term it lasts for that ground (none: no fixed term)."""

    name: str
    en: str
    term: Period | None = None

    @field_validator("term", mode="before")
    @classmethod
    def _t(cls, value: Any) -> Period | None:
        return None if value is None or value == "none" else _parse_period(value)


class ExtensionYears(_Model):
    """How many years a term may be extended by, when the act says so (失信: 一至三年)."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _order(self) -> ExtensionYears:
        if self.min > self.max:
            raise ValueError("min > max / 延长年限下限大于上限")
        return self


class ReferencePrice(_Model):
    """How long a reference price (确定财产处置参考价, node 20) serves the sale: ``valid_years`` from the report
    (参考价规定 (2018): one year; LAW.md, confirmed) when the pricing platform gives no ``valid_until``; a first auction
    is listed only while it is valid. A second auction or a 变卖 — the first auction announced (or the 变卖
    entered) within the validity — goes ahead unless it comes more than ``grace_months`` after the validity ended (0:
    the validity alone)."""

    valid_years: int = Field(1, ge=1)
    grace_months: int = Field(0, ge=0)


class PlatformRetry(_Model):
    """A call to the pricing or auction platform whose transient faults (5xx, 429, timeout, a broken connection, the
    mock's injected faults) outlasted the 查控 gateway's own retries of it (core_flow.gateway.calls: the gateway's
    ``RetryPolicy``, backoff with jitter over seconds to minutes): the court makes it again ``rounds`` more times — the
    first ``after`` the gateway gave up, each later wait ``factor`` times the one before — with the same request number
    (the platforms are idempotent on it), each round a gateway call with its own retries, on the court's clock
    (core_flow/platform/disposal.py ``Disposal._call``). Then the court is told (``platform_refused`` recorded on the
    case, outcome ``gave_up``). A refusal (4xx) is never retried. Our choice (no law sets it; tests/fidelity_audit.md
    N20-R): 3 rounds, 1 hour, ×4 — 1, 4 and 16 hours after the gateway gave up; ``rounds: 0`` leaves the gateway's
    retries alone. ``after`` in hours or days."""

    rounds: int = Field(3, ge=0, le=10)
    after: Period = Period(1, Unit.HOURS)
    factor: int = Field(4, ge=1, le=10)

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        period = _parse_period(value)
        if period.unit not in (Unit.HOURS, Unit.DAYS):
            raise ValueError(f"after must be in hours (h) or days (d), got {value!r} / "
                             f"after 须以小时（h）或日（d）计，收到 {value!r}")
        return period

    def wait(self, round_: int) -> timedelta:
        """The wait before round ``round_`` (1 = the first after the gateway gave up)."""
        n = self.after.amount * self.factor ** (round_ - 1)
        return timedelta(hours=n) if self.after.unit is Unit.HOURS else timedelta(days=n)


class InKindAgreement(_Model):
    """以物抵债 by agreement (seed 004 节点二十九 第2项: "经申请执行人和被执行人同意，且不损害其他债权人合法权益和
    社会公共利益的，人民法院可以不经拍卖、变卖，直接将被执行人的财产作价交申请执行人抵偿债务"): the court's rules for
    taking it (core_flow/platform/disposal.py ``Disposal.agree_in_kind``). Unconfirmed beyond the seed (民诉法解释
    (2022) 第四百九十条, article number as the brief gives it, text not in LAW.md): data.

    ``allowed``: the court takes such agreements at all. ``other_measures``: what the court can see of the other
    creditors — another court's (or case's) seal or freeze on the asset, in effect or 轮候, as the agency last reported
    it — ``consent``: such a measure refuses the agreement unless the act records those creditors' consent;
    ``refuse``: it refuses it whatever they say; ``ignore``: not checked. ``reference_price``: ``optional`` — the
    agreed value stands on its own (the parties' 议价, 参考价规定 (2018) 当事人议价); ``required`` — a reference
    price must be fixed (node 20) first. ``above_claim``: an agreed value above the outstanding claim —
    ``difference``: taken, the claim is met and the creditor owes the difference (补交差额, as after a 流拍: 拍卖变卖
    规定 第十六条); ``refuse``: refused. ``after_failed_sale``: the property a 变卖 failed to sell (the lot ``unsold``,
    still sealed) — ``applicant``: it goes to the applicant at an agreed value with the applicant's consent alone
    (民诉法解释 (2022) 第四百九十一条 as the brief cites it, "无法拍卖或者变卖的，经申请执行人同意…作价后交付申请
    执行人抵偿债务…申请执行人拒绝接收或者管理的，退回被执行人" as remembered: unconfirmed, not in LAW.md);
    ``both``: both parties' consent, as for an agreement without a sale; ``refuse``: not taken (the property stays
    sealed or is released). ``failed_sale_floor``: there, with the applicant's consent alone (the debtor not
    consenting) — ``sale_price``: the agreed value may not be below the price the 变卖 offered it at (the debtor's
    property is not given the creditor for less than anyone could have bought it; our choice, review R6, unconfirmed);
    ``none``: any positive value."""

    allowed: StrictBool = True
    other_measures: Literal["consent", "refuse", "ignore"] = "consent"
    reference_price: Literal["optional", "required"] = "optional"
    above_claim: Literal["difference", "refuse"] = "difference"
    after_failed_sale: Literal["applicant", "both", "refuse"] = "applicant"
    failed_sale_floor: Literal["sale_price", "none"] = "sale_price"


class MeasureTerms(_Model):
    """A measure's term by the ground it is taken on (失信: the six grounds of 2017 规定 第一条, their terms 第二条).
    The act names its ground (``CompleteNode.ground``); one that names none is taken on ``default_ground``."""

    grounds: dict[int, Ground]
    default_ground: int
    extension_years: ExtensionYears | None = None  # a term (not "none") may be extended by this many years

    @model_validator(mode="after")
    def _default_known(self) -> MeasureTerms:
        if not self.grounds:
            raise ValueError("no grounds / 未列事由")
        if self.default_ground not in self.grounds:
            raise ValueError(f"default_ground {self.default_ground} is not one of the grounds "
                             f"({', '.join(map(str, self.grounds))}) / 缺省事由不在所列事由之中")
        return self

    def term(self, ground: int, extension_years: int = 0) -> Period | None:
        """The term of a measure taken on ``ground`` (None: no fixed term), extended by whole years."""
        base = self.grounds[ground].term
        if base is None or not extension_years:
            return base
        if base.unit is Unit.YEARS:
            return Period(base.amount + extension_years, Unit.YEARS)
        if base.unit is Unit.MONTHS:
            return Period(base.amount + 12 * extension_years, Unit.MONTHS)
        raise ValueError(f"a {base} term is not extended by years / {base} 的期限不能按年延长")


class FeeTier(_Model):
    """A tier of a fee by the amount (分段累计): the part of the amount above the previous tier's bound and up to
    ``up_to_cents`` (None: no bound — the last tier) pays ``percent`` of itself, plus ``fixed_cents`` once when the
    amount reaches into the tier."""

    up_to_cents: int | None = Field(None, ge=1)
    fixed_cents: int = Field(0, ge=0)
    percent: Decimal = Decimal(0)

    @field_validator("percent", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError("percent: a number (1.5 for 1.5%) / 费率须为数字（1.5 即 1.5%）")
        try:
            number = Decimal(str(value).strip().removesuffix("%"))  # 1.5 and "1.5%" alike; a float by its text
        except InvalidOperation:
            raise ValueError(f"percent: {value!r} is not a number / 费率不是数字") from None
        if not number.is_finite() or number < 0:
            raise ValueError(f"percent: {value!r} must be a number ≥ 0 / 费率须为不小于零的数")
        return number


class ApplicationFee(_Model):
    """执行申请费: computed by ``tiers`` on ``basis``: ``enforced`` (the default) — the money enforced so far (the
    case's registered receipts, counted up to the claim), so the fee due grows receipt by receipt; ``claim`` — the
    case's claim (``amount_cents``), due whole from filing. Settled from the money the case account receives at the
    payout (node 33: "执行款的核算、执行费用的结算"), ``settle``: ``before_applicant`` — the fee first, then the
    applicant, a surplus returned only after both; ``after_applicant`` — the applicant up to the claim, then the
    fee, then a surplus. ``case_types``: the case types charged. ``resumed``: ``carry_over`` — a 恢复执行 case
    carries what its 终本 case left unsettled (one fee on the application's whole enforcement), ``none`` — it charges
    and settles nothing. ``settle_before_escrow``: an escrow (提存) settles the fee from the receipt first.
    ``count_in_kind``: what was satisfied in kind (以物抵债) counts as enforced. Off unless ``enabled`` (not in LAW.md:
    unconfirmed; process.yaml ``fees`` says what it relies on)."""

    enabled: StrictBool = False
    basis: Literal["enforced", "claim"] = "enforced"
    settle: Literal["before_applicant", "after_applicant"] = "before_applicant"
    case_types: tuple[str, ...] = ("first",)
    resumed: Literal["carry_over", "none"] = "carry_over"
    settle_before_escrow: StrictBool = True
    count_in_kind: StrictBool = True
    tiers: tuple[FeeTier, ...] = ()

    def problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """What is wrong with the tiers, each at its own tier (``Process`` reports them at their lines)."""
        out: list[tuple[tuple[Any, ...], str]] = []
        if self.enabled and not self.tiers:
            out.append(((), "tiers: an enabled fee needs its tiers / 启用时须列出分段"))
        last = 0
        for i, tier in enumerate(self.tiers):
            final = i == len(self.tiers) - 1
            if tier.up_to_cents is None and not final:
                out.append(((i, "up_to_cents"), "only the last tier is without up_to_cents / 只有最后一段可以不设上限"))
            elif tier.up_to_cents is not None and final:
                out.append(((i, "up_to_cents"), "the last tier has no up_to_cents (every amount falls in a tier) / "
                                                 "最后一段不设上限（任何金额都须落在某一段）"))
            if tier.up_to_cents is not None:
                if tier.up_to_cents <= last:
                    out.append(((i, "up_to_cents"), f"up_to_cents {tier.up_to_cents} not above the tier before "
                                                     f"({last}): tiers ascending / 各段上限须递增"))
                last = max(last, tier.up_to_cents)
        return out

    def fee_cents(self, amount_cents: int) -> int:
        """The fee on ``amount_cents``, in exact arithmetic: each tier's rate on the part of the amount within it, its
        fixed sum once the amount reaches into it, the total rounded half up to the fen (分) once, at the end."""
        total, lower = Fraction(0), 0
        for tier in self.tiers:
            if amount_cents <= lower:
                break
            upper = amount_cents if tier.up_to_cents is None else min(amount_cents, tier.up_to_cents)
            total += tier.fixed_cents + Fraction(tier.percent) / 100 * (upper - lower)
            lower = tier.up_to_cents if tier.up_to_cents is not None else amount_cents
        return int(total + Fraction(1, 2))  # half up: the total is never negative, int() floors it

    def due_cents(self, claim_cents: int, enforced_cents: int) -> int:
        """The fee due on a case of ``claim_cents`` with ``enforced_cents`` enforced so far (both to the cent): by
        ``basis``, the fee on the claim, or on what was enforced, never counted above the claim."""
        return self.fee_cents(claim_cents if self.basis == "claim" else min(claim_cents, enforced_cents))

    def applies(self, case_type: str, money: bool) -> bool:
        """Whether a case of ``case_type`` is charged: enabled, a money case, of a charged type."""
        return self.enabled and money and case_type in self.case_types


class Fees(_Model):
    """The enforcement costs (执行费用) the payout settles; only the application fee is modelled."""

    application_fee: ApplicationFee = ApplicationFee()


class Node(_Model):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    no: int = Field(ge=1, alias="node")
    name: str
    en: str
    stage: str
    per: Per = Per.CASE
    next: tuple[int, ...] = ()
    unfreeze: tuple[str, ...] = ()
    # 层报: the unfreeze request goes up through these, in order, before ``unfreeze`` decides (node 43: 中院 → 省法院)
    unfreeze_via: tuple[str, ...] = ()
    items: tuple[WorkItem, ...] = ()
    note: str | None = None
    approval_chain: tuple[str, ...] = ()
    approval_any: tuple[str, ...] = ()
    signed_by: tuple[str, ...] = ()
    requires: tuple[int, ...] = ()  # nodes that must be done before this one completes (失信 needs 限消)
    # recorded instants this node may not complete before (限消: the notice's period to perform, ``performance_due``);
    # an anchor the case never recorded does not hold it up (nothing is known to wait for)
    not_before: tuple[str, ...] = ()
    term: Period | None = None  # how long the measure the node takes lasts, whatever its ground
    # or: the term by the ground the act names (失信: none for ground 1, 2 years for grounds 2–6); not with ``term``
    terms: MeasureTerms | None = None
    sweep: Sweep | None = None
    reference_price: ReferencePrice | None = None  # the node that fixes the reference price (确定参考价): its validity
    in_kind: InKindAgreement | None = None  # the node of 以物抵债 (node 29): its rules for an agreement without auction
    # the disposal platforms' calls tried again after the gateway gave up on them (node 20, where they start)
    platform_retry: PlatformRetry | None = None
    # the kinds of controlled property (protocol ``AssetKind``) a per-asset node applies to; empty: any. 划拨 (node
    # 31): money only — a freeze of other property (股权, 证券…) is disposed of (nodes 19–20), never deducted
    asset_kinds: tuple[AssetKind, ...] = ()
    # the node's deadlines outlive the case's closing for the money the case account still holds (a per-receipt node:
    # 到账登记, 案款发放 — "款物到账后三十日内", counted from the money's arrival whatever became of the case): at the
    # closing they keep running for each receipt neither paid out nor escrowed, money arriving after it arms them, and
    # the node frozen after it is unfrozen after it. Every other deadline ends with the case.
    outlives_closing: StrictBool = False

    @field_validator("term", mode="before")
    @classmethod
    def _t(cls, value: Any) -> Period | None:
        return None if value is None else _parse_period(value)

    @model_validator(mode="after")
    def _one_term_rule(self) -> Node:
        if self.term is not None and self.terms is not None:
            raise ValueError("term or terms, not both / term 与 terms 只能有一个")
        return self

    @property
    def freezes(self) -> bool:
        return any(item.freeze for item in self.items)

    def applies_for(self, attrs: dict[str, Any]) -> bool:
        """Whether the node's work applies to a case with ``attrs``: no override of an item says it does not (划拨
        in a 财产保全 case)."""
        return all(item.applies_for(attrs) for item in self.items)

    def item(self, key: str) -> WorkItem:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)


class Authority(_Model):
    code: str = Field(pattern=r"^[a-z_]+$")
    name: str
    en: str
    level: str
    aliases: tuple[str, ...] = ()


class Named(_Model):
    code: str
    name: str
    en: str
    part: str | None = None
    aliases: tuple[str, ...] = ()  # other names people write (首执 for 首次执行)


class LimitExtension(_Model):
    months: int = Field(ge=1)
    first: tuple[str, ...]  # who approves the first extension
    further: tuple[str, ...]  # who approves each further one
    # where a further extension is filed (备案) once approved, level by level (层报): recorded, not waited for
    further_filed_with: tuple[str, ...] = ()


class LimitRules(_Model):
    node: int
    extension: LimitExtension
    suspension: dict[str, tuple[str, ...]]


class ResumptionRule(_Model):
    node: int
    handler_must_change: bool = True
    freezes_node: int
    unfreeze: tuple[str, ...]
    approve: tuple[str, ...]
    # the 终本 case's freezes and seals continue in the 恢复执行 case (``Platform.carry_over``); false: they stay
    # with the 终本 case and the resumed case starts with none (the simplification of zhixing ≤ 0.1.2)
    measures_carry_over: bool = True
    # the 恢复执行 case's claim: ``remainder`` — what the 终本 case left unenforced (its claim less what the applicant
    # was paid and what was satisfied in kind); ``original`` — the 终本 case's whole claim again (zhixing ≤ 0.1.x)
    claim: Literal["remainder", "original"] = "remainder"
    # which findings of a 终本 sweep open node 46's review: ``new`` — property the case has not found before, or money
    # available to freeze (a sweep reporting again the flat, car, equity or other property the case already had on
    # record when it closed by 终本 is no new clue); ``every`` — each agency's finding at every sweep (zhixing ≤ 0.1.x)
    sweep_review: Literal["new", "every"] = "new"


class InquiryRules(_Model):
    """集约查询: which cases get it automatically, whom it reaches, and the 3-day view rule of its feedback."""

    applies_from: date
    case_types: tuple[str, ...]
    money_only: bool = True
    view_within: Period
    view_policy: Policy = Policy.CPL
    duban: str = ""
    # the scope: every agency of these groups, plus the local banks of the debtor's and the court's place
    scope_groups: tuple[AgencyGroup, ...]
    local_banks: bool = True
    # a 终本 sweep (and a clue check) asks 总对总 for the whole online scope: the 集约 scope plus these groups
    sweep_groups: tuple[AgencyGroup, ...] = ()

    _p = field_validator("view_within", mode="before")(_parse_period)


class Roles(_Model):
    """The node numbers the engine's built-in rules act on. Renumbering a process changes these, not the code.
    (The closing node is ``limit.node``, the resumption node ``resumption.node``, the sweep node the one with a
    ``sweep``.)"""

    inquiry: int  # 提起（首次）网络查询: the 集约查询's events and its 3-day view rule
    network_inquiry: int  # 网络查控: manual network queries
    traditional_inquiry: int  # 传统查控
    control: int  # 查封、扣押、冻结
    deduction: int  # 划拨
    receipt: int  # 到账登记
    payout: int  # 案款发放 (its approval_chain)
    consumption_restriction: int  # 限制消费
    shixin: int  # 失信
    limit_change: int  # 期限变更
    lifted_at_closing: tuple[int, ...]  # the coercive measures a closing that releases controls lifts


OPERATION_EVENTS = frozenset({
    "inquiry_triggered", "inquiry_started", "inquiry_completed", "funds_frozen", "freeze_queued", "funds_arrived",
    "receipt_registered", "paid_out", "freeze_released", "resumption_filed", "escrowed",
})


class Operation(_Model):
    """A system event that starts or completes a node (or one item), as the court's case system does by itself."""

    event: str
    start: int | None = None
    complete: int | None = None
    item: str | None = None  # with ``complete``: only this work item
    instance: Literal["case", "event", "all"] = "event"  # which instance: the case's, the event's, every one
    when: dict[str, Any] = Field(default_factory=dict)  # the event's data must match
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> Operation:
        if (self.start is None) == (self.complete is None):
            raise ValueError("exactly one of start / complete / start 与 complete 须且只能有一个")
        if self.event not in OPERATION_EVENTS:
            raise ValueError(f"unknown event {self.event!r} (one of: {', '.join(sorted(OPERATION_EVENTS))}) / 未知事件")
        if self.item is not None and self.complete is None:
            raise ValueError("item goes with complete / item 只能与 complete 同用")
        return self

    @property
    def node(self) -> int:
        return self.start if self.start is not None else self.complete  # type: ignore[return-value]


class ClosingRules(_Model):
    """How closing (报结, node 43) is checked."""

    # any_frozen: no case with a frozen node closes (project default); limit_only: only the closing node's own
    # freeze blocks it (the seed's "only the next node is blocked")
    blocked_by: Literal["any_frozen", "limit_only"] = "any_frozen"
    # 审判管理办公室 reviews a 报结 and approves or returns it; empty: the closing takes effect when filed
    review: tuple[str, ...] = ()


class ClosingManner(_Model):
    code: str
    name: str
    en: str
    aliases: tuple[str, ...] = ()  # other names for it (终结本次执行程序 for 终本)
    full: str = ""  # the law's full name where the name is short (终结本次执行程序 for 终本): said in listings
    # the case types (``case_types`` codes) that may close so; empty: every case type. A manner used for another
    # type is refused (MANNER_NOT_FOR_CASE_TYPE), naming the manners that type may use
    case_types: tuple[str, ...] = ()
    releases_controls: bool
    keeps_controls_for: tuple[str, ...] = ()
    # whether the measures in force (``roles.lifted_at_closing``: 限消, 失信) are lifted at closing; unset: as
    # ``releases_controls`` (a preservation manner keeps the controls and still lifts them)
    lifts_measures: bool | None = None
    starts_sweep: bool = False
    # money the case account still holds at closing goes back to the debtor (the title was not enforced:
    # 销案, 不予执行, 驳回申请): a return (``PayOut`` with ``surplus``) is taken after the closing though the claim
    # is unmet, a payout to the applicant is refused (RETURN_TO_DEBTOR). Unset: held money goes to the applicant up to
    # the claim (终结)
    returns_held: bool = False
    items: tuple[WorkItem, ...] = ()

    @property
    def label(self) -> str:
        """The name, with the law's full name where it differs (``终本即终结本次执行程序``)."""
        return f"{self.name}即{self.full}" if self.full else self.name

    @property
    def lifts(self) -> bool:
        return self.releases_controls if self.lifts_measures is None else self.lifts_measures

    def allows(self, case_type: str) -> bool:
        """Whether a case of ``case_type`` may close in this manner."""
        return not self.case_types or case_type in self.case_types

    def releases_for(self, case_type: str) -> bool:
        """Whether closing a case of ``case_type`` so releases its freezes and seals (a 保全 case keeps them)."""
        return self.releases_controls and case_type not in self.keeps_controls_for


class GateCondition(_Model):
    code: str
    zh: str
    en: str
    node: int | None = None
    any_of: tuple[int, ...] = ()  # with ``node``: met when ``node`` or any of these is done
    # applies only when: shixin_eligible (the case's debtor may be listed), or an anchor recorded on the case
    # (debtor_missing, obstruction_found: 终本规定 condition 5)
    when: str | None = None
    months_since_filing: int | None = None
    policy: Policy = Policy.NATURAL  # how months_since_filing counts ("立案之日起满三个月": natural months)
    money_held: bool = False  # unmet while the case's sub-account holds money not yet paid out
    not_case_type: str | None = None  # unmet for a case of this type (a 保全 case never closes by 终本)
    # [first, last]: the per-asset nodes of the disposal and the 划拨. Unmet while an asset the case still holds
    # (its measure neither released, lapsed nor handed over) has one of them with work open (started, or a deadline
    # running, and not done), money frozen and not deducted, or entered the disposal and none of ``disposal_ends``
    # is done for it (gate.open_disposals)
    disposal_nodes: tuple[int, int] | None = None
    disposal_ends: tuple[int, ...] = ()  # the nodes that end an asset's disposal, sold or not (transfer, 变卖)
    claim_left: bool = False  # unmet when a money claim is satisfied in full (nothing left to enforce: 执行完毕)
    # the per-asset nodes a sale arms (27 by ``sale_paid``, 30 by ``sale_confirmed``: sold at auction or by 变卖, or
    # taken in kind). Unmet while an asset sold has one of them with work open (started, or a deadline running, and
    # not done) or none of ``sale_ends`` done for it: the ruling and the transfer still owed to the buyer
    # (gate.unfinished_sales; process.yaml ``release_gate``)
    sale_nodes: tuple[int, ...] = ()
    sale_ends: tuple[int, ...] = ()  # the nodes that end a sale's disposal (30: the ruling served, the hand-over)
    # the per-asset anchors that schedule a round's bidding (or 变卖 sale period), each with its label "中文 / English"
    # (auction_scheduled, second_auction_scheduled, sale_period_scheduled: recorded with the round's start as ``at``).
    # Unmet while an asset's round listed last (of ``round_starts``) has come (its ``at`` not after now), no end of
    # ``round_ends`` that ends its start recorded at or after its listing (by instant, not by arrival:
    # engine.state.AssetRounds; the same start again — same anchor, same ``at`` — is the same round) and none
    # of ``round_end_nodes`` is done for it: the bidding begun and not ended — a round won and its price not yet paid
    # included (gate.rounds_in_bidding; process.yaml ``release_gate``)
    round_starts: dict[str, str] = {}
    # the anchors that end a round (流拍, withdrawn, sold and paid), each with the starts (of ``round_starts``) whose
    # round it ends: written as a mapping (``first_unsold: [auction_scheduled]`` — a 流拍 of the first auction cannot
    # end the second; ``listing_withdrawn: any``) or as a list (each ends a round of any start). Kept as the mapping,
    # ``any`` spelt out as every start of ``round_starts`` (review R21 F2: an undated 流拍 entered after the next round
    # was listed ended that round — instants alone cannot tell it from a withdrawal recorded at the listing's instant)
    round_ends: dict[str, tuple[str, ...]] = {}
    round_end_nodes: tuple[int, ...] = ()  # per-asset nodes whose completion ends a round (28: the 变卖 over)
    # ``release_gate`` only: the releasing manners (code, name or alias: [执行完毕, 终结]) this condition holds; empty:
    # every manner the gate is asked for (执行完毕, 终结, 销案, 不予执行, 驳回申请). Checked at load (an unknown manner,
    # one that releases no controls, or the field in ``zhongben_gate``: refused, file and line named)
    manners: tuple[str, ...] = ()

    @field_validator("round_ends", mode="before",
                     json_schema_input_type=list[str] | dict[str, list[str] | Literal["any"]])
    @classmethod
    def _round_ends(cls, value: Any, info: Any) -> Any:
        """The list form (each end ends any start) and ``any`` as the mapping, every start spelt out."""
        starts = tuple(info.data.get("round_starts") or ())
        if isinstance(value, list | tuple):
            return {anchor: starts for anchor in value}
        if isinstance(value, dict):
            for anchor, ends in value.items():
                if isinstance(ends, str) and ends != "any":
                    raise ValueError(f"{anchor}: {ends!r} — the starts it ends, a list of round_starts, or any / "
                                     "应为该事件结束的开始事件列表（round_starts 中的）或 any")
            return {anchor: starts if ends == "any" else ends for anchor, ends in value.items()}
        return value

    def holds(self, manner: ClosingManner) -> bool:
        """Whether this condition holds a closing in ``manner`` (``manners`` empty: every manner)."""
        return not self.manners or any(ref in (manner.code, manner.name, *manner.aliases) for ref in self.manners)

    @model_validator(mode="after")
    def _one_kind(self) -> GateCondition:
        if sum((self.node is not None, self.months_since_filing is not None, self.money_held,
                self.not_case_type is not None, self.disposal_nodes is not None, self.claim_left,
                bool(self.sale_nodes), bool(self.round_starts))) != 1:
            raise ValueError("exactly one of node / months_since_filing / money_held / not_case_type / disposal_nodes"
                             " / claim_left / sale_nodes / round_starts")
        if (self.round_ends or self.round_end_nodes) and not self.round_starts:
            raise ValueError("round_ends / round_end_nodes go with round_starts / 须与 round_starts 同用")
        if self.sale_ends and not set(self.sale_ends) <= set(self.sale_nodes):
            raise ValueError("sale_ends: nodes among sale_nodes / 须为 sale_nodes 中的节点")
        if self.disposal_nodes is not None and self.disposal_nodes[0] > self.disposal_nodes[1]:
            raise ValueError("disposal_nodes: [first, last] with first ≤ last / 首节点不得大于末节点")
        if self.disposal_ends and (self.disposal_nodes is None or not all(
                self.disposal_nodes[0] <= no <= self.disposal_nodes[1] for no in self.disposal_ends)):
            raise ValueError("disposal_ends: nodes within disposal_nodes / 须在 disposal_nodes 范围之内")
        return self


class Process(_Model):
    """A whole process definition. Cross-references are checked at load."""

    version: int
    name: str
    source: str
    warning_defaults: dict[str, Period]
    authorities: tuple[Authority, ...]
    case_types: tuple[Named, ...]
    stages: tuple[Named, ...]
    anchors: dict[str, str]
    nodes: tuple[Node, ...]
    limit: LimitRules
    resumption: ResumptionRule
    inquiry: InquiryRules
    closing_manners: tuple[ClosingManner, ...]
    zhongben_gate: tuple[GateCondition, ...]
    roles: Roles
    # what a closing that releases the controls (its manner's ``releases_for`` the case's type: 执行完毕, 终结, 销案,
    # 不予执行, 驳回申请) must meet — the conditions as the 终本 gate's; empty: none (as before)
    release_gate: tuple[GateCondition, ...] = ()
    operations: tuple[Operation, ...] = ()
    closing: ClosingRules = ClosingRules()
    fees: Fees = Fees()  # 执行费用: off unless enabled (process.yaml ``fees``)

    @field_validator("warning_defaults", mode="before")
    @classmethod
    def _wd(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {str(k): _parse_period(v) for k, v in value.items()}

    @model_validator(mode="after")
    def _cross_references(self) -> Process:
        problems: list[tuple[tuple[Any, ...], str]] = []
        authorities = {a.code for a in self.authorities}
        stages = {s.code for s in self.stages}
        numbers = [n.no for n in self.nodes]
        if len(set(numbers)) != len(numbers):
            problems.append((("nodes",), "duplicate node numbers / 节点编号重复"))
        known = set(numbers)
        for i, node in enumerate(self.nodes):
            where = ("nodes", i)
            if node.stage not in stages:
                problems.append((where + ("stage",), f"unknown stage {node.stage!r} / 未知阶段"))
            for field in ("unfreeze", "unfreeze_via", "approval_chain", "approval_any", "signed_by"):
                for code in getattr(node, field):
                    if code not in authorities:
                        problems.append((where + (field,), f"unknown authority {code!r} / 未知审批主体"))
            for nxt in node.next:
                if nxt not in known:
                    problems.append((where + ("next",), f"unknown node {nxt} / 未知节点"))
            if node.outlives_closing and node.per != Per.RECEIPT:
                problems.append((where + ("outlives_closing",),
                                 "only a per-receipt node's deadlines outlive the closing (the money still held) / "
                                 "仅按到账款项（per: receipt）计的节点期限可在结案后继续计算"))
            if node.in_kind is not None and any(n.in_kind is not None for n in self.nodes[:i]):
                problems.append((where + ("in_kind",), "the rules of 以物抵债 by agreement are given on one node only "
                                 "(node 29) / 协议以物抵债的规则只能写在一个节点上（节点29）"))
            if node.platform_retry is not None and any(n.platform_retry is not None for n in self.nodes[:i]):
                problems.append((where + ("platform_retry",), "the platforms' retry rounds are given on one node only "
                                 "(node 20) / 平台重试规则只能写在一个节点上（节点20）"))
            if node.freezes and not node.unfreeze:
                problems.append(
                    (where + ("unfreeze",), "a freezing node needs unfreeze authorities / 冻结节点须指定解冻审批主体")
                )
            keys = [it.key for it in node.items]
            if len(set(keys)) != len(keys):
                problems.append((where + ("items",), "duplicate item keys / 工作事项键重复"))
            for j, item in enumerate(node.items):
                for field, anchors in (("anchor", item.anchor), ("ends_on", item.ends_on)):
                    for anchor in anchors:
                        if not self._anchor_known(anchor, known):
                            problems.append(
                                (where + ("items", j, field), f"unknown anchor {anchor!r} / 未知起算事件")
                            )
                        elif field == "anchor" and anchor == "claim_met":  # review R27 F4: never armed by it
                            problems.append((where + ("items", j, field), "claim_met ends deadlines (ends_on) and "
                                             "starts none / 债权已实现（claim_met）只撤回期限（ends_on），不起算期限"))
        for field, codes in (
            ("resumption", self.resumption.unfreeze + self.resumption.approve),
            ("limit", self.limit.extension.first + self.limit.extension.further
             + self.limit.extension.further_filed_with),
        ):
            for code in codes:
                if code not in authorities:
                    problems.append(((field,), f"unknown authority {code!r} / 未知审批主体"))
        if self.limit.node not in known:
            problems.append((("limit", "node"), f"unknown node {self.limit.node} / 未知节点"))
        for field, no in (("resumption.node", self.resumption.node),
                          ("resumption.freezes_node", self.resumption.freezes_node)):
            if no not in known:
                problems.append((tuple(field.split(".")), f"unknown node {no} / 未知节点"))
        for role, value in self.roles:
            for no in value if isinstance(value, tuple) else (value,):
                if no not in known:
                    problems.append((("roles", role), f"unknown node {no} / 未知节点"))
        for i, op in enumerate(self.operations):
            if op.node not in known:
                problems.append((("operations", i), f"unknown node {op.node} / 未知节点"))
            elif op.item is not None and all(it.key != op.item for it in self.by_no[op.node].items):
                problems.append((("operations", i, "item"), f"node {op.node} has no item {op.item!r} / 无此工作事项"))
        for i, node in enumerate(self.nodes):
            for no in node.requires:
                if no not in known:
                    problems.append((("nodes", i, "requires"), f"unknown node {no} / 未知节点"))
            for anchor in node.not_before:
                if anchor not in self.anchors or anchor in ENGINE_ANCHORS:
                    problems.append((("nodes", i, "not_before"),
                                     f"unknown or unrecordable event {anchor!r} / 未知或不可登记的事件"))
        for code in self.closing.review:
            if code not in authorities:
                problems.append((("closing", "review"), f"unknown authority {code!r} / 未知审批主体"))
        types = {t.code for t in self.case_types}
        names: dict[str, str] = {}
        for i, m in enumerate(self.closing_manners):
            for field in ("case_types", "keeps_controls_for"):
                for code in getattr(m, field):
                    if code not in types:
                        problems.append((("closing_manners", i, field), f"unknown case type {code!r} / 未知案件类型"))
            for key in dict.fromkeys((m.code, m.name, *m.aliases)):
                if key in names:
                    problems.append((("closing_manners", i), f"{key!r} names both {names[key]} and {m.code} / "
                                                             "结案方式名称或别名重复"))
                names[key] = m.code
        for t in sorted(types - {t for m in self.closing_manners for t in (m.case_types or types)}):
            problems.append((("closing_manners",), f"case type {t!r} has no closing manner / 该案件类型无结案方式"))
        for gate, conds in (("zhongben_gate", self.zhongben_gate), ("release_gate", self.release_gate)):
            for i, cond in enumerate(conds):
                if cond.node is not None and cond.node not in known:
                    problems.append(((gate, i, "node"), f"unknown node {cond.node} / 未知节点"))
                for no in cond.any_of:
                    if no not in known:
                        problems.append(((gate, i, "any_of"), f"unknown node {no} / 未知节点"))
                if cond.any_of and cond.node is None:
                    problems.append(((gate, i, "any_of"), "any_of goes with node / any_of 须与 node 同用"))
                if cond.when is not None and cond.when != "shixin_eligible" and cond.when not in self.anchors:
                    problems.append(((gate, i, "when"),
                                     f"unknown condition {cond.when!r}: shixin_eligible or an anchor / "
                                     "未知适用条件（应为 shixin_eligible 或已定义的起算事件）"))
                for no in cond.disposal_nodes or ():
                    if no not in known:
                        problems.append(((gate, i, "disposal_nodes"), f"unknown node {no} / 未知节点"))
                for field, nos in (("sale_nodes", cond.sale_nodes), ("round_end_nodes", cond.round_end_nodes)):
                    for no in nos:
                        if no not in known or self.by_no[no].per != Per.ASSET:
                            problems.append(((gate, i, field), f"unknown or not a per-asset node {no} / "
                                                               "未知节点或非按财产的节点"))
                for field, anchors in (("round_starts", tuple(cond.round_starts)), ("round_ends", cond.round_ends)):
                    for anchor in anchors:
                        if anchor not in self.anchors or anchor in ENGINE_ANCHORS:
                            problems.append(((gate, i, field, anchor), f"unknown anchor {anchor!r} / 未知起算事件"))
                for anchor, starts in cond.round_ends.items():  # the starts an end ends: of round_starts
                    if not starts:
                        problems.append(((gate, i, "round_ends", anchor), f"{anchor!r} ends no round: name the starts"
                                         " of round_starts it ends, or any / 未写明该事件结束的轮次（round_starts 中的"
                                         "开始事件，或 any）"))
                    for j, start in enumerate(starts):
                        if start not in cond.round_starts:
                            problems.append(((gate, i, "round_ends", anchor, j),
                                             f"{start!r} is not a start of round_starts (one of: "
                                             + ", ".join(cond.round_starts) + ") / 不是 round_starts 中的开始事件"))
                for j, ref in enumerate(cond.manners):
                    manner = next((m for m in self.closing_manners if names.get(ref) == m.code), None)
                    if gate != "release_gate":
                        problems.append(((gate, i, "manners"), "manners goes with release_gate (终本 alone is asked "
                                                               "the 终本 gate) / manners 仅用于 release_gate"))
                        break
                    if manner is None:
                        problems.append(((gate, i, "manners", j), f"unknown closing manner {ref!r} (one of: "
                                         + ", ".join(m.code for m in self.closing_manners if m.releases_controls)
                                         + ") / 未知结案方式（可选："
                                         + "、".join(m.name for m in self.closing_manners if m.releases_controls)
                                         + "）"))
                    elif not manner.releases_controls:
                        problems.append(((gate, i, "manners", j), f"{ref!r} releases no controls: the release gate "
                                         "is never asked for it / 该结案方式不解除控制措施，不适用本条件"))
        for loc, msg in self.fees.application_fee.problems():
            problems.append((("fees", "application_fee", *(("tiers", *loc) if loc else ())), msg))
        for code in self.fees.application_fee.case_types:
            if code not in types:
                problems.append((("fees", "application_fee", "case_types"),
                                 f"unknown case type {code!r} / 未知案件类型"))
        if problems:
            raise CrossReferenceError(problems)
        return self

    def _anchor_known(self, anchor: str, known: set[int]) -> bool:
        if anchor in self.anchors:
            return True
        if m := _NODE_ANCHOR.match(anchor):
            return int(m.group(1)) in known
        if m := _ITEM_ANCHOR.match(anchor):
            no = int(m.group(1))
            return no in known and any(it.key == m.group(2) for n in self.nodes if n.no == no for it in n.items)
        return False

    # ── lookups (cached on the frozen instance) ──
    @cached_property
    def by_no(self) -> dict[int, Node]:
        return {n.no: n for n in self.nodes}

    @cached_property
    def by_name(self) -> dict[str, Node]:
        return {n.name: n for n in self.nodes}

    @cached_property
    def _by_bare_name(self) -> dict[str, Node]:
        """Names without their punctuation and spaces (查封扣押冻结, 提起首次网络查询); a name shared that way by two
        nodes is left out (no guess)."""
        seen: dict[str, list[Node]] = {}
        for n in self.nodes:
            seen.setdefault(_NAME_MARKS.sub("", n.name), []).append(n)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    @cached_property
    def authority_index(self) -> dict[str, Authority]:
        index: dict[str, Authority] = {}
        for a in self.authorities:
            for key in (a.code, a.name, *a.aliases):
                index[key] = a
        return index

    @cached_property
    def manners(self) -> dict[str, ClosingManner]:
        index: dict[str, ClosingManner] = {}
        for m in self.closing_manners:
            for key in (m.code, m.name, *m.aliases):
                index[key] = m
        return index

    @cached_property
    def operations_by_event(self) -> dict[str, tuple[Operation, ...]]:
        index: dict[str, list[Operation]] = {}
        for op in self.operations:
            index.setdefault(op.event, []).append(op)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def reference_price(self) -> ReferencePrice:
        """The reference price's validity, from the node that fixes it; the law's year and no grace when none says."""
        return next((n.reference_price for n in self.nodes if n.reference_price is not None), ReferencePrice())

    @cached_property
    def in_kind(self) -> InKindAgreement:
        """以物抵债 by agreement: the rules of the node that carries them; the defaults when none does."""
        return next((n.in_kind for n in self.nodes if n.in_kind is not None), InKindAgreement())

    @cached_property
    def platform_retry(self) -> PlatformRetry:
        """The disposal platforms' calls tried again after the gateway gave up: the node's that carries it, else the
        defaults."""
        return next((n.platform_retry for n in self.nodes if n.platform_retry is not None), PlatformRetry())

    @cached_property
    def sweep_node(self) -> Node | None:
        return next((n for n in self.nodes if n.sweep is not None), None)

    def _items_by(self, field: str) -> dict[str, tuple[tuple[Node, WorkItem], ...]]:
        """anchor → the (node, item) pairs that name it in the item's ``field`` (``anchor`` or ``ends_on``)."""
        index: dict[str, list[tuple[Node, WorkItem]]] = {}
        for node in self.nodes:
            for item in node.items:
                for anchor in getattr(item, field):
                    index.setdefault(anchor, []).append((node, item))
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def items_by_anchor(self) -> dict[str, tuple[tuple[Node, WorkItem], ...]]:
        """anchor → the work items it starts."""
        return self._items_by("anchor")

    @cached_property
    def items_ended_by(self) -> dict[str, tuple[tuple[Node, WorkItem], ...]]:
        """anchor → the work items it makes moot (``ends_on``)."""
        return self._items_by("ends_on")

    def node(self, ref: int | str) -> Node:
        """A node by number (``7``, ``"7"``, ``"节点7"``, ``"第7节点"``, ``"7号节点"``, the seeds' ``"节点十七"``) or
        Chinese name (``"执行通知"``; its punctuation optional: ``"查封扣押冻结"``), or both as case systems export
        them (``"17-查封、扣押、冻结"``, ``"查封、扣押、冻结（17）"``; a number and a name that disagree are
        refused)."""
        number = _NODE_NUMBER.fullmatch(ref.strip()) if isinstance(ref, str) else None
        if isinstance(ref, int) or number is not None:
            no = ref if isinstance(ref, int) else zh_number(number[1])  # type: ignore[index]
            if no in self.by_no:
                return self.by_no[no]
        elif isinstance(ref, str) and ref.strip() in self.by_name:
            return self.by_name[ref.strip()]
        elif isinstance(ref, str) and _NAME_MARKS.sub("", ref) in self._by_bare_name:
            return self._by_bare_name[_NAME_MARKS.sub("", ref)]
        elif isinstance(ref, str) and (both := self._number_and_name(ref.strip())) is not None:
            return both
        raise UserError(
            f"未知节点 {ref!r}（应为 1–{max(self.by_no)} 的编号或节点名称）",
            f"unknown node {ref!r} (expected a number 1–{max(self.by_no)} or a node name)",
            code="unknown_node",
        )

    def _number_and_name(self, text: str) -> Node | None:
        """A node written with both its number and its name, as case systems export it (``17-查封、扣押、冻结``,
        ``节点17：查封、扣押、冻结``, ``查封、扣押、冻结（17）``): the node when the two agree, else None."""
        m = _NUMBER_THEN_NAME.fullmatch(text) or _NAME_THEN_NUMBER.fullmatch(text)
        if m is None:
            return None
        no = zh_number(m["no"])
        node = self.by_no.get(no) if no is not None else None
        if node is None:
            return None
        name = _NAME_MARKS.sub("", m["name"])
        if name and name == _NAME_MARKS.sub("", node.name):
            return node
        other = self._by_bare_name.get(name)
        if other is not None:  # both readable, and they disagree: which one was meant is not guessed
            raise UserError(f"节点编号与名称不符：{text!r}（节点 {node.no} 是「{node.name}」，「{other.name}」是节点 "
                            f"{other.no}）", f"the node's number and name disagree: {text!r} (node {node.no} is "
                            f"{node.name}, {other.name} is node {other.no})", code="unknown_node")
        return None

    def authority(self, ref: str) -> Authority:
        try:
            return self.authority_index[ref]
        except KeyError:
            names = "、".join(a.name for a in self.authorities)
            raise UserError(
                f"未知审批主体 {ref!r}（可选：{names}）",
                f"unknown authority {ref!r} (one of: {', '.join(a.code for a in self.authorities)})",
                code="unknown_authority",
            ) from None

    def case_type(self, ref: str) -> str:
        """A case type's code by code, name or alias (``first``, ``首次执行``, ``首执``, ``执恢``)."""
        text = str(ref).strip()
        for t in self.case_types:
            if text in (t.code, t.name, *t.aliases):
                return t.code
        names = "、".join(t.name for t in self.case_types)
        raise UserError(f"未知案件类型 {ref!r}（{names}）", f"unknown case type {ref!r} "
                        f"({', '.join(t.code for t in self.case_types)})", code="unknown_case_type")

    def manner(self, ref: str) -> ClosingManner:
        try:
            return self.manners[ref]
        except KeyError:
            raise UserError(
                f"未知结案方式 {ref!r}（{'、'.join(m.label for m in self.closing_manners)}）",
                f"unknown closing manner {ref!r} ({', '.join(m.code for m in self.closing_manners)})",
                code="unknown_manner",
            ) from None

    def manners_for(self, case_type: str) -> tuple[ClosingManner, ...]:
        """The closing manners a case of ``case_type`` may use, in the process file's order."""
        return tuple(m for m in self.closing_manners if m.allows(case_type))

    def warn_lead(self, item: WorkItem, period: Period) -> Period:
        return item.warn or self.warning_defaults[str(period.unit)]


class CrossReferenceError(ValueError):
    """Raised by ``Process`` validation; carries (location, message) pairs for the loader."""

    def __init__(self, problems: list[tuple[tuple[Any, ...], str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems))
