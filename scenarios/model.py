"""The scenario format as pydantic models: the court, the case, the debtors' holdings and a timeline of steps.

A step is a mapping with an optional time (``at``), an optional ``note`` and ``case`` (which case it acts on),
and exactly one action or expectation key (``assign``, ``approve_unfreeze``, ``expect_node``, …). Names of
nodes, authorities, agencies, anchor events, closing manners, node states and event kinds are resolved at
load (``scenarios.refs``); cross-references inside the file (debtor and asset aliases, times running
forwards) are checked by :func:`scenarios.schedule.check`. The JSON Schema in ``schema.json`` is generated from
these models (``python -m scenarios.model > scenarios/schema.json``).
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from core_flow.errors import UserError
from core_flow.masking import mask_text
from core_flow.platform import DEFAULT_COURT
from core_flow.refusals import REFUSALS, suggest
from scenarios import refs
from scenarios.timespec import Offset, parse_offset, parse_time


def _wrap(fn):
    def run(value: Any) -> Any:
        try:
            return fn(value)
        except UserError as err:
            raise ValueError(f"{err.zh} / {err.en}") from None
    return run


def _absolute(value: Any) -> datetime:
    spec = parse_time(value)
    if not isinstance(spec, datetime):
        raise ValueError(f"此处须为绝对时间（如 2025-09-29 10:00），而非 {value} / an absolute time is required here")
    return spec


_REF = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
NodeRef = Annotated[int, BeforeValidator(refs.node),
                    WithJsonSchema({**_REF, "description": "节点编号或名称 / node number or Chinese name"})]
AuthorityRef = Annotated[str, BeforeValidator(refs.authority), WithJsonSchema({"x-catalogue": "Authority"})]
AgencyRef = Annotated[str, BeforeValidator(refs.agency), WithJsonSchema({"x-catalogue": "Agency"})]
AnchorRef = Annotated[str, BeforeValidator(refs.anchor),
                      WithJsonSchema({"type": "string", "description": "起算事件 / anchor event (process.yaml)"})]
MannerRef = Annotated[str, BeforeValidator(refs.manner), WithJsonSchema({"x-catalogue": "ClosingManner"})]
CaseType = Annotated[str, BeforeValidator(refs.case_type),
                     WithJsonSchema({"type": "string",
                                     "description": "首次执行/恢复执行/财产保全 or first/resumed/preservation"})]
StateRef = Annotated[str, BeforeValidator(lambda v: refs.node_state(v).value),
                     WithJsonSchema({"x-catalogue": "NodeState"})]
EventRef = Annotated[str, BeforeValidator(lambda v: refs.event_kind(v).value),
                     WithJsonSchema({"x-catalogue": "EventKind"})]
KindRef = Annotated[str, BeforeValidator(lambda v: refs.asset_kind(v).value),
                    WithJsonSchema({"x-catalogue": "AssetKind"})]
Money = Annotated[int, BeforeValidator(refs.cents),
                  WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}],
                                  "description": "金额：数字为元，文本可写 2,500.50元、250050分、5万、¥12,000、"
                                                 "壹万贰仟元整 / "
                                                 "amount: a number is yuan; text may carry 元, 分, 万 (× 10,000), ¥, "
                                                 "separators, or be in Chinese numerals"})]
_TIME_SCHEMA = {"type": "string", "description": "YYYY-MM-DD[ HH:MM] 或 / or +2d, +3wd, +48h, +30m, +1mo"}
Time = Annotated[Any, BeforeValidator(_wrap(parse_time)), WithJsonSchema(_TIME_SCHEMA)]
AbsTime = Annotated[datetime, BeforeValidator(_wrap(_absolute)),
                    WithJsonSchema({"type": "string", "description": "YYYY-MM-DD[ HH:MM]"})]
Duration = Annotated[Any, BeforeValidator(_wrap(lambda v: parse_offset(str(v), "within"))),
                     WithJsonSchema({"type": "string", "description": "时长 / duration: 3d, 48h, 30m, 2wd"})]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)


def _shorthand(key: str):
    """Allow a scalar instead of a mapping: ``start_node: 9`` means ``start_node: {node: 9}`` (the JSON Schema says
    so too: :func:`_scalar_forms`)."""
    def wrap(cls: Any, data: Any) -> Any:
        if data is None:
            return {}
        return data if isinstance(data, dict) else {key: data}
    wrap.shorthand_key = key  # type: ignore[attr-defined]
    return model_validator(mode="before")(classmethod(wrap))  # type: ignore[arg-type]


# ── the court, the case, the debtors ─────────────────────────────────────────────────────────────────
class CourtSpec(_M):
    name: str = DEFAULT_COURT.name
    code: str = DEFAULT_COURT.code
    region: str = Field(DEFAULT_COURT.region, pattern=r"^\d{2}(\d{2}){0,2}$", description="GB/T 2260 区划代码")
    intermediate: str = DEFAULT_COURT.intermediate
    high: str = DEFAULT_COURT.high

    @model_validator(mode="before")
    @classmethod
    def _by_name(cls, data: Any) -> Any:
        if isinstance(data, str):
            if data.strip() != DEFAULT_COURT.name:
                raise ValueError(f"未知法院 {data!r}：其他法院须写出 name、code、region 等 / unknown court {data!r}: "
                                 "give name, code and region for another court")
            return {}
        return data


class HoldingSpec(_M):
    agency: AgencyRef
    kind: KindRef = "deposit"
    amount: Money
    alias: str | None = Field(None, alias="as", description="财产别名，供 freeze/deduct 引用 / asset alias")
    online: bool = True
    description: str = ""


def _id_problem(number: str) -> tuple[str, str]:
    """Why ``number`` is neither a valid ID number nor a valid credit code: the check character it should end with
    where only that is wrong (as an ID number, else as a credit code), else what both standards check."""
    from core_flow.identity import number_problem
    from core_flow.protocol import SubjectKind

    for kind in (SubjectKind.PERSON, SubjectKind.COMPANY):
        problem = number_problem(number, kind)
        if problem is not None and "末位应为" in problem[0]:
            return problem
    return ("既不是有效的公民身份号码（GB 11643：18位，省份代码、出生日期、校验位），"
            "也不是有效的统一社会信用代码（GB 32100）",
            "neither a valid resident ID number (GB 11643: 18 characters, province code, birth date, check character) "
            "nor a valid unified social credit code (GB 32100)")


class DebtorSpec(_M):
    alias: str = Field(alias="as", min_length=1, description="被执行人别名 / the debtor's alias in steps")
    world: int | None = Field(None, ge=0, description="世界中的被执行人序号 / index of a debtor of the world")
    name: str | None = None
    id: str | None = Field(None, description="身份证号或统一社会信用代码 / ID number or credit code")
    holdings: list[HoldingSpec] = Field(default_factory=list)
    nothing_elsewhere: bool = Field(True, description="其他机构均无财产 / nothing at any other agency")

    @field_validator("id", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _identity(self) -> DebtorSpec:
        if (self.world is None) == (self.id is None):
            raise ValueError("须且仅须给出 world（世界序号）或 id（证件号码）之一 / give exactly one of world and id")
        if self.id is not None:
            from mock_agencies.identity import is_valid_id_number, is_valid_uscc

            if not (is_valid_id_number(self.id) or is_valid_uscc(self.id)):
                shown = mask_text(self.id)  # the line is named: the number itself need not be repeated in logs
                zh, en = _id_problem(self.id)
                raise ValueError(f"证件号码无效：{shown}，{zh} / invalid ID number or credit code: {shown}, {en}")
            if not self.name:
                raise ValueError("给出 id 时须写 name（姓名或名称）/ name is required with id")
        return self


class CaseSpec(_M):
    number: str = Field(min_length=1, max_length=64, description="案号 / case number")
    type: CaseType = "first"
    money: bool = Field(True, description="金钱给付 / money judgment")
    nonlitigation: bool = Field(False, description="非诉执行 / non-litigation enforcement")
    amount: Money = 0
    filed: AbsTime
    applicant: str = ""
    debtors: list[DebtorSpec] = Field(min_length=1)
    previous_case: str | None = None
    previous_handler: str | None = None
    shixin_eligible: bool = False

    @field_validator("debtors")
    @classmethod
    def _each_debtor_once(cls, debtors: list[DebtorSpec]) -> list[DebtorSpec]:
        seen: dict[tuple[str, object], int] = {}
        for i, d in enumerate(debtors):
            key = ("world", d.world) if d.world is not None else ("id", d.id)
            if key in seen:  # the court refuses one person twice in one filing (the driver's 422)
                shown = f"world: {d.world}" if d.world is not None else f"id: {mask_text(str(d.id))}"
                raise ValueError(f"被执行人重复：第 {seen[key]} 项与第 {i} 项是同一人（{shown}） / the same debtor "
                                 f"twice: items {seen[key]} and {i} ({shown})")
            seen[key] = i
        return debtors


class OtherCaseSpec(CaseSpec):
    """另一案件（他院或本院），与本案共用机构与时钟；步骤以 ``case: 别名或案号`` 指向它 / another case (of another court
    or this one) sharing the agencies and the clock; steps name it with ``case: alias or number``."""

    alias: str | None = Field(None, alias="as", description="案件别名 / the case's alias for steps")
    court: CourtSpec = Field(default_factory=CourtSpec, description="受理法院，缺省为本院 / its court (default: "
                                                                      "the scenario's)")


# ── step arguments ───────────────────────────────────────────────────────────────────────────────────
def _instance_text(v: Any) -> Any:
    """An instance is a name (an asset's, a receipt's, a clue's ``as``) or the platform's id, never a count: ``instance:
    1`` read as the id "1" and matched nothing — said, with what to write instead."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        raise ValueError(f"instance 写名称而非序号 {v!r}：财产、到账、线索以其 as 别名引用"
                         "（到账由 deduct 或 bid 的 as 命名；第几笔到账只用于 receipt:）/ "
                         "instance is a name, not a number: an asset, receipt or clue by its `as` "
                         "(a receipt named by deduct's or bid's `as`; a receipt's number is for receipt: only)")
    return v


InstanceRef = Annotated[str, BeforeValidator(_instance_text), WithJsonSchema({"type": "string"})]


class NodeArgs(_M):
    node: NodeRef
    instance: InstanceRef = ""
    _s = _shorthand("node")


class ItemArgs(NodeArgs):
    item: str


class CompleteArgs(NodeArgs):
    by: AuthorityRef | None = Field(None, description="签发/审批人（限消令、失信决定由院长签发；提存）/ who signs or "
                                                      "approves the act")
    ground: int | None = Field(None, description="失信事由（2017 规定第一条第一至六项；缺省为流程的 default_ground）/ "
                                                 "the 失信 ground, 1–6 (default: the process's default_ground)")
    extension_years: int | None = Field(None, description="失信期限延长年数（第二条：一至三年）/ years the 失信 "
                                                          "term is extended by (1–3)")


class RecordArgs(_M):
    event: AnchorRef
    instance: InstanceRef = ""
    at: Time | None = None
    attrs: dict[str, Any] = Field(default_factory=dict)
    _s = _shorthand("event")


class HandlerArgs(_M):
    handler: str = Field(min_length=1)
    _s = _shorthand("handler")


class VerifyArgs(_M):
    debtor: str | None = None
    passed: bool = True

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, bool):
            return {"passed": data}
        if isinstance(data, str):
            words = {"pass": True, "passed": True, "通过": True, "fail": False, "failed": False, "未通过": False}
            if data.strip() in words:
                return {"passed": words[data.strip()]}
            return {"debtor": data}
        return data


class CorrectArgs(_M):
    debtor: str | None = None
    to: str | None = None
    _s = _shorthand("debtor")


class UnfreezeRequestArgs(NodeArgs):
    by: str = ""
    reason: str = ""


class ApproveArgs(NodeArgs):
    authority: AuthorityRef
    reason: str = ""


class ReasonArgs(_M):
    reason: str = ""
    _s = _shorthand("reason")


class AuthorityArgs(_M):
    authority: AuthorityRef
    _s = _shorthand("authority")


class ResumptionArgs(AuthorityArgs):
    name: str | None = Field(
        None, alias="as", description="恢复执行案件的名称，后续步骤以 case: 名称 引用（案号为本院当年下一个执恢号，如 "
                                      "(2025)豫0811执恢1号）/ a name for the resumed case, for later steps' case: (its "
                                      "number is the court's next 执恢 number of the year, as (2025)豫0811执恢1号)")
    answered: Time | None = Field(
        None, description="本地立案系统的答复到达法院的时间（缺省：立即）：此前新案已立案，答复到达时原案记立案、"
                          "冻结查封移交新案；仅 zhixing 自己的法院 / when the local filing system's answer reaches the "
                          "court (default: at once): the new case is filed before, the 终本 case records the filing "
                          "and hands its freezes and seals over when it arrives; zhixing's own court only")


class MannerArgs(_M):
    """报结 with a manner. By default 审判管理办公室 reviews and approves it at once (``reviewed_by``); with
    ``await_review: true`` the 报结 waits for ``approve_closing`` / ``return_closing``."""

    manner: MannerRef
    reviewed_by: AuthorityRef = "审判管理办公室"
    await_review: bool = False
    _s = _shorthand("manner")


class ReturnArgs(_M):
    authority: AuthorityRef
    reason: str = ""
    _s = _shorthand("authority")


class ReceiptArgs(_M):
    receipt: int | str | None = Field(None, description="到账序号(1起)或编号；缺省为最近一笔 / receipt")
    _s = _shorthand("receipt")


class EscrowArgs(_M):
    authority: AuthorityRef
    receipt: int | str | None = None
    reason: str = ""
    _s = _shorthand("authority")


class AgencyArgs(_M):
    agency: AgencyRef
    debtor: str | None = None
    _s = _shorthand("agency")


class ClueArgs(AgencyArgs):
    note: str = ""
    name: str | None = Field(None, alias="as", description="此线索的名称，供后续步骤的 instance 引用 / a name for the "
                                                          "clue, for later steps' instance")


class AssetArgs(_M):
    asset: str = Field(min_length=1, description="财产别名、机构或 机构:账号 / asset alias, agency or agency:account")
    amount: Money | None = None
    name: str | None = Field(
        None, alias="as", description="deduct：由此到账的名称，供 receipt / instance 引用；freeze：此冻结的名称，"
                                      "可代替财产别名 / deduct: a name for the receipt it brings; freeze: a name "
                                      "for the freeze (stands for its asset)")
    _s = _shorthand("asset")


class OtherCourtArgs(_M):
    """Another court on the same agencies (a 轮候 story): it freezes or releases the debtor's account, named by its
    alias, through the same agencies."""

    asset: str = Field(min_length=1, description="财产别名 / the asset's alias (from the debtor's holdings)")
    amount: Money | None = Field(None, description="冻结金额，缺省为全部余额 / the freeze's amount; default: all")
    court: str = Field("R410802", min_length=1, max_length=32, description="该法院代码 / that court's code")
    term_days: int | None = Field(
        None, ge=1, le=1098, description="冻结期限（天），不续行即届满失效；缺省为法定最长期限 / the freeze's term in "
                                         "days (not renewed: it lapses at its end); default: the legal maximum")
    _s = _shorthand("asset")


class PayoutApproveArgs(_M):
    authority: AuthorityRef
    receipt: int | str | None = Field(None, description="到账序号(1起)或编号；缺省为最近一笔 / receipt")
    _s = _shorthand("authority")


class PayArgs(_M):
    receipt: int | str | None = None
    amount: Money | None = None
    surplus: bool = Field(False, description="余款退还被执行人（须申请执行人已足额受偿；以销案、不予执行、驳回申请"
                                             "结案后账户中的款项亦以此退还）/ the surplus back to the debtor (once the "
                                             "applicant is paid in full; after a closing by 销案, 不予执行 or 驳回申请 "
                                             "the money held goes back so)")
    _s = _shorthand("amount")


class PinArgs(_M):
    """Exactly what the debtor holds at ``agency`` from now on (``holdings: []``: nothing)."""

    agency: AgencyRef
    debtor: str | None = None
    holdings: list[HoldingSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _same_agency(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("holdings"), list):
            data = {**data, "holdings": [{"agency": data.get("agency"), **h} if isinstance(h, dict) else h
                                         for h in data["holdings"]]}
        return data


class CommandArgs(_M):
    model_config = ConfigDict(extra="allow")
    type: str = Field(description="core_flow.engine.commands 中的命令类名 / an engine command class")

    @field_validator("type")
    @classmethod
    def _known(cls, v: str) -> str:
        from scenarios.actions import command_class

        command_class(v)
        return v


# ── disposal (issue 12): seal, reference price, auctions, 变卖, 以物抵债, transfer ───────────────────────────
_METHODS = {"网络询价": "network_inquiry", "委托评估": "appraisal", "network_inquiry": "network_inquiry",
            "appraisal": "appraisal"}
_STAGES = {"查得": "found", "查封中": "sealing", "已查封": "sealed", "询价中": "pricing", "报告已出": "reported",
           "参考价已定": "fixed", "一拍": "listed", "一拍流拍": "unsold1", "二拍": "relisted", "二拍流拍": "unsold2",
           "以物抵债": "in_kind", "拒绝抵债": "declined", "变卖": "sale", "成交": "sold", "价款到账": "paid",
           "成交确认": "confirmed", "已过户": "transferred", "已交付": "handed_over", "变卖不成": "unsold",
           "已撤回拍卖": "withdrawn", "悔拍": "defaulted"}
_STAGE_WORDS = {code: zh for zh, code in _STAGES.items()}


def stage_words(code: Any) -> str:
    """A disposal stage for reports, Chinese first: ``一拍流拍 unsold1`` (a code it does not know, as it is)."""
    zh = _STAGE_WORDS.get(str(code))
    return f"{zh} {code}" if zh else str(code)


def _method(value: Any) -> str:
    found = _METHODS.get(str(value).strip())
    if found is None:
        raise ValueError(f"询价方式须为 网络询价/委托评估（network_inquiry/appraisal），收到 {value!r} / "
                         "unknown method")
    return found


def _stage(value: Any) -> str:
    text = str(value).strip()
    if text in _STAGES.values():
        return text
    found = _STAGES.get(text)
    if found is None:
        raise ValueError(f"未知处置阶段 {value!r}（可选：{'、'.join(_STAGES)}）/ unknown disposal stage {value!r}")
    return found


Method = Annotated[str, BeforeValidator(_method),
                   WithJsonSchema({"type": "string", "description": "网络询价/委托评估 or network_inquiry/appraisal"})]
Stage = Annotated[str, BeforeValidator(_stage),
                  WithJsonSchema({"type": "string", "description": "处置阶段 / disposal stage (已查封, sold, …)"})]


class DisposalArgs(_M):
    asset: str = Field(min_length=1, description="财产别名、机构或 机构:账号 / asset alias, agency or agency:account")
    _s = _shorthand("asset")


class PriceArgs(DisposalArgs):
    method: Method = "network_inquiry"


class ObjectArgs(DisposalArgs):
    by: str = Field("被执行人", description="异议人 / who objects")


class ReviewArgs(DisposalArgs):
    upheld: bool = Field(description="异议成立（重新确定参考价）/ upheld: the price is asked again")
    method: Method = "appraisal"


class NotifyArgs(DisposalArgs):
    announce: Time | None = Field(None, description="拟发布拍卖公告的时间（缺省3日后）/ announcement planned for")


class ListArgs(DisposalArgs):
    name: str | None = Field(
        None, alias="as", description="此拍卖标的的名称，后续处置步骤可代替财产别名 / a name for the listing, "
                                      "usable instead of the asset in later steps")
    platform: AgencyRef = Field("taobao", description="拍卖平台 / auction platform")
    start_pct: int | None = Field(None, ge=1, le=1000, description="起拍价占参考价的百分比（缺省70）/ start, % of ref")
    start: Money | None = Field(None, description="起拍价 / starting price")
    deposit_pct: int = Field(10, ge=1, le=100, description="保证金占起拍价的百分比 / deposit, % of the start")
    starts: Time | None = Field(None, description="竞价开始（缺省：公告期满次日10:00）/ bidding starts")


class RelistArgs(DisposalArgs):
    name: str | None = Field(None, alias="as", description="二拍标的的名称 / a name for the second listing")
    cut_pct: int = Field(20, ge=0, le=100, description="较一拍起拍价降价百分比 / cut from the first start, %")
    start: Money | None = None
    starts: Time | None = None


class BidArgs(DisposalArgs):
    bidder: str = Field("竞买人甲", min_length=1, description="竞买人（交保证金后出价）/ the bidder (pays the deposit)")
    amount: Money | None = Field(None, description="出价（缺省：最低可出价）/ the bid (default: the least allowed)")
    name: str | None = Field(None, alias="as", description="此次出价成交时价款到账的名称（receipt:、instance: 引用）/ "
                                                          "a name for the proceeds' receipt if this bid wins")
    pays_balance: bool = Field(True, description=(
        "成交后是否付清余款（false：付款期限届满不付，即悔拍，保证金不予退还）/ whether this bidder, should it win, "
        "pays the balance (false: it defaults when the balance falls due — 悔拍, the deposit forfeited)"))


class InKindArgs(DisposalArgs):
    accept: bool = Field(description="申请执行人是否接受以物抵债 / the creditor takes the property in kind")


class AgreeInKindArgs(DisposalArgs):
    price: Money = Field(description="抵债作价（双方议定的价额）/ the agreed value")
    applicant_consents: bool = Field(description="申请执行人同意 / the applicant consents")
    debtor_consents: bool = Field(description="被执行人同意 / the debtor consents")
    others_consent: bool = Field(False, description="该财产上其他查封、冻结的债权人同意 / the creditors of other "
                                                    "measures on the property consent")


class SaleArgs(DisposalArgs):
    price: Money | None = Field(None, description="变卖价（缺省：二拍保留价）/ the 变卖 price")
    starts: Time | None = Field(None, description="变卖期开始 / the sale period starts")


class ExpectDisposalArgs(DisposalArgs):
    stage: Stage | None = None
    round: Literal["first", "second", "sale", "一拍", "二拍", "变卖"] | None = None
    reference_price: Money | None = None
    starting_price: Money | None = None
    sold_price: Money | None = None


# ── expectations ─────────────────────────────────────────────────────────────────────────────────────
_PER_WORDS = {"asset": ("每项财产", "asset", "建行存款"), "clue": ("每条线索", "clue", "线索1"),
              "application": ("每件申请", "application", "申请1"), "receipt": ("每份回执", "receipt", "回执1")}


def _instance_given(args: NodeArgs) -> None:
    """An expectation on a node run once per asset (clue, application, receipt) must name the instance: without it
    it read the case-level node, which such a node never has — "未开始 not started" while an instance was frozen."""
    per = str(getattr(refs.process().by_no[args.node].per, "value", "case"))
    if per != "case" and not args.instance:
        zh, en, example = _PER_WORDS.get(per, (per, per, ""))
        raise ValueError(f"节点{args.node}按{zh}分别办理，须写 instance（如 instance: {example}）/ node {args.node} "
                         f"runs once per {en}: give the instance (e.g. instance: {example})")


class ExpectNodeArgs(NodeArgs):
    state: StateRef | None = None
    not_state: StateRef | None = Field(None, alias="not")

    @model_validator(mode="after")
    def _one(self) -> ExpectNodeArgs:
        if self.state is None and self.not_state is None:
            raise ValueError("须给出 state 或 not / give state or not")
        _instance_given(self)
        return self


class ExpectDeadlineArgs(NodeArgs):
    item: str | None = None
    due: AbsTime | None = None
    last_day: AbsTime | None = Field(None, description="期限最后一日（日期）/ the last day (a date)")
    provisional: bool | None = Field(
        None, description="期限是否依赖暂定日历年份（无国务院节假日通知）/ whether the deadline depends on a "
                          "provisional calendar year (no State Council holiday notice)")

    @model_validator(mode="after")
    def _one(self) -> ExpectDeadlineArgs:
        if (self.due is None) == (self.last_day is None):
            raise ValueError("须且仅须给出 due 或 last_day 之一 / give exactly one of due and last_day")
        _instance_given(self)
        return self


class ExpectEventArgs(_M):
    kind: EventRef
    node: NodeRef | None = None
    instance: InstanceRef | None = None
    item: str | None = None
    agency: AgencyRef | None = None
    debtor: str | None = None
    code: str | None = Field(None, description="拒绝代码（kind: refused）/ refusal code")
    data: dict[str, Any] = Field(default_factory=dict, description="事件数据须包含 / event data must contain")
    within: Duration | None = Field(None, description="自本步时间起的窗口 / window from the step's time")
    between: tuple[Time, Time] | None = None
    before: Time | None = Field(None, description="事件须早于此时 / the event happened before this time")
    time: Time | None = Field(None, description="事件须恰在此时 / the event's exact time")
    count: int | None = Field(None, ge=0)
    absent: bool = False
    _s = _shorthand("kind")

    @model_validator(mode="after")
    def _window(self) -> ExpectEventArgs:
        if sum(x is not None for x in (self.within, self.between, self.before)) > 1:
            raise ValueError("within、between、before 只能给出一个 / give one of within, between, before")
        return self


class ExpectDubanArgs(AgencyArgs):
    state: Literal["open", "closed", "none", "督办中", "已关闭", "无"] = "open"


class ExpectInquiryArgs(_M):
    debtor: str | None = None
    agencies: Literal["scope", "范围"] | list[AgencyRef] | None = "scope"
    includes: list[AgencyRef] = Field(default_factory=list)
    excludes: list[AgencyRef] = Field(default_factory=list)


class ExpectAmountsArgs(_M):
    frozen: Money | None = None
    deducted: Money | None = None
    paid: Money | None = Field(None, description="已发放（含退还的余款）/ paid out (a surplus returned included)")
    returned: Money | None = Field(None, description="退还被执行人的余款 / the surplus returned to the debtor")
    proceeds: Money | None = Field(None, description="变价款（拍卖、变卖成交价）/ a sale's proceeds")
    account: Money | None = Field(None, description="一案一账号内余额（案件台账）/ held for the case")
    court_account: Money | None = Field(None, description="法院案款账户子账户余额 / the court sub-account")
    agencies_frozen: Money | None = Field(None, description="协助单位台账上的冻结金额 / frozen in agency ledgers")
    reconciled: bool | None = None


class ExpectCaseArgs(_M):
    closed: bool | MannerRef | None = Field(
        None, description="结案方式（执行完毕、终本、保全完毕……，见名称目录），true 为已结案（任何方式），"
                          "false 为未结案 / the closing manner (see the catalogue); true: closed in any manner; "
                          "false: open")
    handler: str | None = None
    resumption: Literal["requested", "approved", "filed"] | None = None
    resumed: bool | None = None
    extensions: int | None = Field(None, ge=0)
    suspended: bool | None = None
    identity: dict[str, Literal["pending", "passed", "failed"]] = Field(default_factory=dict)
    findings: int | None = Field(None, ge=0, description="终本统查或线索查得财产的次数 / findings")

    @field_validator("closed", mode="before")
    @classmethod
    def _open(cls, v: Any) -> Any:
        if v in (True, "closed", "已结案"):
            return True
        return False if v in (False, "open", "未结案") else v


# ── steps ────────────────────────────────────────────────────────────────────────────────────────────
class StepBase(_M):
    at: Time | None = Field(None, description="绝对时间，或相对上一步的时间 / absolute, or relative to the "
                                               "previous step")
    note: str | None = None
    case: str | None = Field(None, description="main（本案，缺省）、resumed（恢复执行案件）、approve_resumption 的 as "
                                                "名称，或 cases 中的别名、案号 / main, resumed, the name given by "
                                                "approve_resumption's as, or an alias or number of cases")
    key: ClassVar[str] = ""
    expectation: ClassVar[bool] = False
    _line: int = PrivateAttr(0)
    _when: datetime | None = PrivateAttr(None)  # resolved at load (scenarios.schedule)
    _until: datetime | None = PrivateAttr(None)  # end of the step's window

    @property
    def args(self) -> Any:
        return getattr(self, self.key)

    @property
    def line(self) -> int:
        return self._line

    @property
    def when(self) -> datetime:
        return self._when  # type: ignore[return-value]

    @property
    def until(self) -> datetime:
        return self._until or self._when  # type: ignore[return-value]


def _refusal_code(value: Any) -> str:
    """A catalogued refusal code (``core_flow.refusals``) or ``any``; a misspelt one gets suggestions."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("refused: 须写明拒绝代码，或有意写 any / write the refusal code, or any on purpose")
    code = value.strip()
    if code == "any" or code in REFUSALS:
        return code
    near = suggest(code)
    hint_zh = f"；是否想写：{'、'.join(near)}" if near else "（见 README 拒绝代码表）"
    hint_en = f"; did you mean: {', '.join(near)}" if near else " (see the refusal codes in the README)"
    raise ValueError(f"未知拒绝代码 {code!r}{hint_zh} / unknown refusal code {code!r}{hint_en}")


class ActionBase(StepBase):
    refused: str | None = Field(None, description="期望被拒绝的代码（见 README 拒绝代码表），或有意写 any / "
                                                  "the expected refusal code (README's table), or any on purpose",
                                json_schema_extra={"enum": ["any", *REFUSALS]})

    # a field's validator, not the model's: a misspelt code is one problem among the step's others (the action's
    # misspelt authority beside it was not said until the code was mended and the file run again)
    @field_validator("refused", mode="before")
    @classmethod
    def _refused_named(cls, value: Any) -> Any:
        return _refusal_code(value)


ACTIONS: dict[str, Any] = {
    "file": (bool | None, None), "assign": (HandlerArgs, ...), "verify_identity": (VerifyArgs, ...),
    "correct_identity": (CorrectArgs, ...), "start_node": (NodeArgs, ...), "complete_node": (CompleteArgs, ...),
    "complete_item": (ItemArgs, ...), "record": (RecordArgs, ...), "request_unfreeze": (UnfreezeRequestArgs, ...),
    "approve_unfreeze": (ApproveArgs, ...), "reject_unfreeze": (ApproveArgs, ...),
    "request_extension": (ReasonArgs, ...), "request_suspension": (ReasonArgs, ...),
    "approve_limit_change": (AuthorityArgs, ...), "lift_suspension": (bool | None, None), "close": (MannerArgs, ...),
    "approve_closing": (AuthorityArgs, ...), "return_closing": (ReturnArgs, ...),
    "register_receipt": (ReceiptArgs, ...), "escrow": (EscrowArgs, ...),
    "open_feedback": (AgencyArgs, ...), "manual_query": (AgencyArgs, ...), "provide_clue": (ClueArgs, ...),
    "freeze": (AssetArgs, ...), "deduct": (AssetArgs, ...), "release": (AssetArgs, ...),
    "approve_payout": (PayoutApproveArgs, ...), "pay_out": (PayArgs, ...), "request_resumption": (ReasonArgs, ...),
    "approve_resumption": (ResumptionArgs, ...), "pin": (PinArgs, ...),
    "other_court_freeze": (OtherCourtArgs, ...), "other_court_release": (OtherCourtArgs, ...),
    "agencies": (Annotated[dict[str, dict[str, Any]], AfterValidator(lambda v: resolve_behaviour(v, "fast"))],
                 ...), "command": (CommandArgs, ...), "advance": (Time, ...),
    # disposal (issue 12)
    "seal": (DisposalArgs, ...), "investigate": (DisposalArgs, ...), "price": (PriceArgs, ...),
    "serve_report": (DisposalArgs, ...), "object": (ObjectArgs, ...), "review_objection": (ReviewArgs, ...),
    "notify_parties": (NotifyArgs, ...), "list_auction": (ListArgs, ...), "bid": (BidArgs, ...),
    "relist": (RelistArgs, ...), "offer_in_kind": (InKindArgs, ...),
    "agree_in_kind": (AgreeInKindArgs, ...), "start_sale": (SaleArgs, ...), "withdraw_listing": (DisposalArgs, ...),
    "confirm_sale": (DisposalArgs, ...), "transfer": (DisposalArgs, ...), "hand_over": (DisposalArgs, ...),
}
EXPECTATIONS: dict[str, Any] = {
    "expect_node": ExpectNodeArgs, "expect_deadline": ExpectDeadlineArgs, "expect_event": ExpectEventArgs,
    "expect_no_event": ExpectEventArgs, "expect_duban": ExpectDubanArgs, "expect_inquiry": ExpectInquiryArgs,
    "expect_amounts": ExpectAmountsArgs, "expect_case": ExpectCaseArgs, "expect_disposal": ExpectDisposalArgs,
}
STEP_KEYS = tuple(ACTIONS) + tuple(EXPECTATIONS)


def _step_model(key: str, base: type[StepBase], field: Any, expectation: bool) -> type[StepBase]:
    model = create_model(f"Step_{key}", __base__=base, **{key: field})
    model.key = key
    model.expectation = expectation
    return model


STEP_MODELS: dict[str, type[StepBase]] = {
    **{k: _step_model(k, ActionBase, v, False) for k, v in ACTIONS.items()},
    **{k: _step_model(k, StepBase, (v, ...), True) for k, v in EXPECTATIONS.items()},
}


def _step_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = [k for k in value if k in STEP_MODELS]
        return keys[0] if len(keys) == 1 else None
    return getattr(value, "key", None)


Step = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in STEP_MODELS.items())],  # noqa: UP007 (built from a dict)
    Discriminator(_step_tag, custom_error_type="step_kind",
                  custom_error_message="每一步须有且仅有一个动作或期望键 / each step needs exactly one action or "
                                       "expectation key: " + ", ".join(STEP_KEYS)),
]


BALANCE_DUE_COUNTS = ("cpl", "natural", "hours")


class AuctionPlatformSpec(_M):
    """The mock auction platform of the scenario's agencies (in process or ``--realtime``; a served ``--agencies-url``
    counts as its server does)."""

    balance_due_count: Literal["cpl", "natural", "hours"] = Field(
        "cpl", description=(
            "买受人尾款期限（成交后 5 日）的计算：cpl 按民事诉讼法第八十五条（成交当日不计、"
            "末日遇法定休假日顺延、至末日 24 时，默认）；natural 至第 5 日 24 时，不顺延；"
            "hours 成交时刻起 5 × 24 小时（H71 之前的平台、之前录制的日志）/ how the buyer's "
            "balance term (5 days after the hammer) is counted: cpl by 民事诉讼法 第八十五条 (the "
            "hammer's day not counted, a rest-day last day moved on, to its 24:00; the default); "
            "natural to the 5th day's 24:00, not moved; hours the hammer's instant 5 × 24 hours "
            "later (the platform before H71, logs made then)"))


class Scenario(_M):
    name: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    court: CourtSpec = Field(default_factory=CourtSpec)
    seed: int = Field(0, ge=0)
    profile: Literal["fast", "realistic"] = "fast"
    agencies: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="协助单位行为覆盖（* / 类别 / 机构）/ agency behaviour overrides")
    auction_platform: AuctionPlatformSpec = Field(
        default_factory=AuctionPlatformSpec, description="模拟拍卖平台的设置 / the mock auction platform's settings")
    case: CaseSpec
    cases: list[OtherCaseSpec] = Field(default_factory=list, description="其他案件（他院或本院），共用机构与时钟 / "
                                                                         "other cases sharing the agencies and clock")
    steps: list[Step] = Field(min_length=1)
    use: list[str] | str | None = Field(
        None, description="夹具名称（fixtures/*.fixture.yaml 中的 fixture:），加载时并入 / fixtures included by name "
                          "(merged at load)")
    parameters: list[dict[str, Any]] | dict[str, list[Any]] | None = Field(
        None, description="参数表：每行一个场景，${列名} 替换为该行的值 / a table: one scenario per row, ${column} "
                          "replaced by the row's value (expanded at load)")
    process: dict[str, Any] | None = Field(
        None, description="法院流程设置覆盖，并入内置流程（或 --process 文件）：映射逐键合并，列表整体替换；"
                          "加载时按流程模型校验 / the court's process options merged over the bundled process "
                          "(or --process FILE): mappings key by key, lists replaced whole; checked at load by the "
                          "process model, e.g. {fees: {application_fee: {enabled: true}}}")
    _file: str = PrivateAttr("")
    _line: int = PrivateAttr(0)
    _court_process: Any = PrivateAttr(None)  # core_flow.model.Process the run's court uses; None: the bundled one
    _process_line: int = PrivateAttr(0)  # the line of ``process:``

    @field_validator("process", mode="before")
    @classmethod
    def _process_mapping(cls, value: Any) -> Any:
        """``process: [1]`` said what ``process:`` takes (process.yaml's keys), not a bare 取值无效."""
        if value is not None and not isinstance(value, dict):
            from core_flow.process_options import not_a_mapping

            zh, en = not_a_mapping(value)
            raise ValueError(f"{zh} / {en}")
        return value

    @field_validator("agencies")
    @classmethod
    def _behaviour(cls, value: dict[str, dict[str, Any]], info: Any) -> dict[str, dict[str, Any]]:
        return resolve_behaviour(value, info.data.get("profile", "fast"))

    @property
    def file(self) -> str:
        return self._file

    @property
    def line(self) -> int:
        return self._line

    @property
    def where(self) -> str:
        return f"{self._file}:{self._line}"

    @property
    def court_process(self) -> Any:
        """The process (``core_flow.model.Process``) the scenario's court runs: its ``process:`` merged over the run's
        base (the bundled process or ``--process FILE``), resolved at load; None: the bundled one."""
        return self._court_process

    @property
    def process_line(self) -> int:
        return self._process_line or self._line

    @property
    def sets_process(self) -> bool:
        """Whether the scenario sets process options of its own (``process:`` with any key)."""
        return bool(self.process)

    def debtor(self, alias: str | None, case: str | None = None) -> DebtorSpec:
        """A debtor by alias (any case's), or the first debtor of the step's case (``case``: a step's ``case:``)."""
        if alias is None:
            other = self.other_case(case)
            return (other or self.case).debtors[0]
        return next(d for c in (self.case, *self.cases) for d in c.debtors if d.alias == alias)

    def other_case(self, ref: str | None) -> OtherCaseSpec | None:
        """The other case a step's ``case:`` names (by alias or number), or None for the main / resumed case."""
        return next((c for c in self.cases if ref is not None and ref in (c.alias, c.number)), None)


_CLASSES = ("bank", "internet_finance", "securities", "registry", "auction", "pricing", "court_account")


def resolve_behaviour(value: dict[str, dict[str, Any]], profile: str) -> dict[str, dict[str, Any]]:
    """Behaviour overrides keyed by ``*``, a profile class or an agency (code or name); validated by the mock."""
    from mock_agencies.profiles import load_profile

    out = {}
    for key, behaviour in value.items():
        out[key if key == "*" or key in _CLASSES else refs.agency(key)] = behaviour
    try:
        load_profile(profile, out or None)
    except UserError as err:
        raise ValueError(f"协助单位行为覆盖无效：{err.zh} / invalid agency behaviour: {err.en}") from None
    except ValueError as err:
        raise ValueError(f"协助单位行为覆盖无效 / invalid agency behaviour: {err}") from None
    return out


def _link_catalogues(schema: Any) -> None:
    """``{"x-catalogue": "Agency", …}`` (a name from a catalogue) → ``{"$ref": "#/$defs/Agency", …}``."""
    if isinstance(schema, dict):
        name = schema.pop("x-catalogue", None)
        if name is not None:
            schema["$ref"] = f"#/$defs/{name}"
        for v in schema.values():
            _link_catalogues(v)
    elif isinstance(schema, list):
        for v in schema:
            _link_catalogues(v)


def _shorthand_of(model: type[BaseModel]) -> str | None:
    """The key a model's scalar shorthand stands for (``HandlerArgs``: ``handler``), or None."""
    for dec in model.__pydantic_decorators__.model_validators.values():
        key = getattr(getattr(dec.func, "__func__", dec.func), "shorthand_key", None)
        if key is not None:
            return key
    return None


def _scalar_forms(schema: dict[str, Any]) -> None:
    """The scalar shorthands the loader reads (``assign: 张法官`` for ``{handler: 张法官}``, ``verify_identity: 通过``),
    in the schema: each step's argument takes its mapping or that scalar — an editor checking a file against the
    schema flagged the README's own example (``assign: 李法官``) and 112 of the suite's 133 scenarios. The same for
    what else the loader reads beyond the models' own schema: a pin's holdings without their agency, an unquoted ID
    number, a case completed by fixtures."""
    defs = schema["$defs"]
    for key, model in STEP_MODELS.items():
        annotation = model.model_fields[key].annotation
        args = next((a for a in (annotation, *get_args(annotation))
                     if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if args is None:
            continue
        if args is VerifyArgs:  # 通过 / 未通过 / true / false, or a debtor's alias
            scalar: dict[str, Any] = {"type": ["string", "boolean"]}
        elif (short := _shorthand_of(args)) is not None:
            scalar = {k: v for k, v in defs[args.__name__]["properties"][short].items()
                      if k not in ("default", "title")}
        else:
            continue
        prop = defs[f"Step_{key}"]["properties"]
        prop[key] = {"anyOf": [prop[key], scalar]}
    # a pin's holdings are at the pin's agency (PinArgs._same_agency fills it in)
    pin_holding = {**defs["HoldingSpec"], "required": [r for r in defs["HoldingSpec"].get("required", [])
                                                       if r != "agency"]}
    defs["PinHolding"] = pin_holding
    defs["PinArgs"]["properties"]["holdings"]["items"] = {"$ref": "#/$defs/PinHolding"}
    # an ID number written without quotes is a YAML integer, read as its digits (DebtorSpec._text)
    defs["DebtorSpec"]["properties"]["id"]["anyOf"].insert(1, {"type": "integer"})
    # with fixtures (use:), the case's number, filing time and debtors may come from them
    required = defs["CaseSpec"].pop("required", [])
    schema["if"] = {"not": {"required": ["use"]}}
    schema["then"] = {"properties": {"case": {"required": required}}}


PARAMETER = {"type": "string", "pattern": "^\\$\\{[^{}]+\\}$",
             "description": "参数表的一列：整个值写 ${列名}，每行运行时替换为该行的值（保留其类型）/ a column of the "
                            "parameters table: the whole value ${name}, the row's value (its type kept) at run time"}
_TYPED = {"integer", "number", "boolean"}


def _parameter_forms(node: Any, catalogues: frozenset[str] = frozenset()) -> Any:
    """A value of a name from a catalogue (an enum) or of a number or a yes/no may be a parameter, ``${列名}``, in a
    scenario with ``parameters`` (the loader puts the row's value there, its type kept): an editor flagged
    ``state: ${state}`` though the file ran. Strings took it already. The catalogues' own definitions stay the
    published names; where one is used (``$ref``), the parameter is offered beside it."""
    if isinstance(node, list):
        return [_parameter_forms(v, catalogues) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in catalogues:
        return {"anyOf": [node, {"$ref": "#/$defs/Parameter"}]}
    node = {k: (v if k == "$defs" else _parameter_forms(v, catalogues)) for k, v in node.items()}
    if "$defs" in node:
        node["$defs"] = {name: d if name in catalogues else _parameter_forms(d, catalogues)
                         for name, d in node["$defs"].items()}
    kind = node.get("type")  # a schema's type — not a property named type (CaseSpec's, a command's)
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    if isinstance(node.get("enum"), list) or (kinds & _TYPED and "string" not in kinds):
        return {"anyOf": [node, {"$ref": "#/$defs/Parameter"}]}
    return node


_PROCESS = "process."  # the process model's definitions in the scenario schema (``process.Node``…), apart from its own
_PARTIAL = "process.partial."  # the same, every key optional: what an override written under ``process:`` may omit


def _process_overrides(schema: dict[str, Any]) -> None:
    """``process:`` in the schema as what it takes: the process model's keys (``core_flow.model.Process``), each
    optional along the mappings an override merges key by key; a list replaces the bundled one whole, so its items
    are the model's full definitions (a node written under ``nodes:`` has every key a node needs). Editors then
    complete and check the keys (``fees.application_fee.enabled``) the loader checks at load."""
    from core_flow.model import Process

    full = Process.model_json_schema(ref_template="#/$defs/" + _PROCESS + "{model}")
    defs = full.pop("$defs", {})

    def partial(node: Any, in_list: bool = False) -> Any:
        if isinstance(node, list):
            return [partial(v, in_list) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not in_list:
                out[key] = value.replace("/" + _PROCESS, "/" + _PARTIAL, 1)
            elif key == "required" and not in_list:
                continue
            elif key in ("items", "prefixItems"):  # a list is written whole: its items as the model has them
                out[key] = partial(value, True)
            elif key in ("properties", "patternProperties", "$defs"):
                out[key] = {k: partial(v, in_list) for k, v in value.items()}
            else:
                out[key] = partial(value, in_list)
        return out

    for name, definition in defs.items():
        schema["$defs"][_PROCESS + name] = definition
        schema["$defs"][_PARTIAL + name] = partial(definition)
    top = partial(full)
    top.pop("title", None)
    schema["$defs"][_PARTIAL + "Process"] = top
    said = schema["properties"]["process"]
    said["anyOf"] = [{"$ref": "#/$defs/" + _PARTIAL + "Process"}, {"type": "null"}]


def json_schema() -> dict[str, Any]:
    from scenarios.catalogue import schema_defs

    schema = Scenario.model_json_schema(by_alias=True)
    schema.setdefault("$defs", {}).update(schema_defs())  # the published names (README 名称目录 / catalogues)
    _link_catalogues(schema)
    _scalar_forms(schema)
    schema = _parameter_forms(schema, frozenset(schema_defs()))
    schema["$defs"]["Parameter"] = PARAMETER
    _process_overrides(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zhixing 场景文件 / zhixing scenario"
    return schema


__all__ = ["STEP_KEYS", "STEP_MODELS", "Offset", "Scenario", "StepBase", "json_schema"]


if __name__ == "__main__":
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def field_names() -> list[str]:
    """Every key the scenario format knows (for suggestions on a misspelt key)."""
    return sorted(set(STEP_KEYS) | set(field_places()))


@functools.cache
def field_places() -> dict[str, list[str]]:
    """Where each key of the scenario format may be written: key → the dotted paths of the mappings that hold it
    (``debtors`` → ``case``, ``cases[]``; ``agency`` → ``agencies``…, ``steps[].expect_event``…). For a key written at
    the wrong level: "it belongs under case:" (``scenarios.loader``)."""
    schema = Scenario.model_json_schema()
    defs = schema.get("$defs", {})
    places: dict[str, list[str]] = {}

    def walk(node: Any, path: tuple[str, ...], seen: frozenset[str]) -> None:
        if isinstance(node, list):
            for v in node:
                walk(v, path, seen)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen and name in defs:
                walk(defs[name], path, seen | {name})
            return
        for k, v in node.get("properties", {}).items():
            where = ".".join(path)
            if where not in places.setdefault(k, []):
                places[k].append(where)
            walk(v, (*path, k), seen)
        for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            if key not in node:
                continue
            if key == "items" and path:
                walk(node[key], (*path[:-1], path[-1] + "[]"), seen)
            elif key == "additionalProperties" and path:
                walk(node[key], (*path, "*"), seen)
            else:
                walk(node[key], path, seen)

    walk(schema, (), frozenset())
    return places
