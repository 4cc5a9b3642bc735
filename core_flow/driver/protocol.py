"""The driver interface's messages and the operations a driver must offer (typed, validated).

A harness (the scenario runner, the certification kit) drives a court case system through these operations only:
it starts a fresh court for one run (:meth:`CourtDriver.reset`), moves the court's clock (:meth:`CourtDriver.advance`),
files cases and sends commands by name, and reads back the case's events, node states, summary, found property,
amounts and disposal lots. The agencies the court reaches are arranged by the harness on their own side (zhixing's
mock agencies server, ``--agencies-url``), never through the court.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core_flow.errors import UserError
from core_flow.identity import number_problem
from core_flow.legal_calendar.tz import to_cst
from core_flow.masking import mask_text
from core_flow.protocol import STRICT_DATETIME, STRICT_INT, StrictBool, Subject


def _in_cst(at: datetime, info: ValidationInfo) -> datetime:
    """``at`` in China Standard Time; an instant so far out that it has none (year 1 or 9999 in another offset) is
    beyond the legal calendar's years, as any instant outside them is refused (``calendar_range``)."""
    try:
        return to_cst(at)
    except OverflowError:
        where = info.field_name or "time"
        raise UserError(f"{at.isoformat()} 超出法定日历可用的年份（换算为中国标准时间已越出可表示的范围），"
                        "期限无法计算",
                        f"{at.isoformat()} is beyond the legal calendar's usable years (out of range in China "
                        "Standard Time): no deadline could be computed", where=where, code="calendar_range") from None


# A date-time of the driver interface: an ISO 8601 string; without an offset it is China Standard Time (as every
# time the court reads), never a naive value inside the court.
Instant = Annotated[datetime, STRICT_DATETIME, AfterValidator(_in_cst)]

# The engine's commands a driver takes by name (fields as in core_flow.engine.commands).
ENGINE_COMMANDS = (
    "Assign", "VerifyIdentity", "CorrectIdentity", "StartNode", "CompleteItem", "CompleteNode", "Record",
    "RequestUnfreeze", "ApproveUnfreeze", "RejectUnfreeze", "RequestLimitChange", "ApproveLimitChange",
    "LiftSuspension", "Close", "ApproveClosing", "ReturnClosing", "OpenFeedback", "ManualQuery", "ApprovePayout",
    "PayOut", "RegisterReceipt", "Escrow", "RequestResumption", "ApproveResumption",
)
# The court's operations on property a driver takes by name (fields as in ``OPERATION_FIELDS``): the case system
# sends the 查控 requests, keeps the money and runs the disposal (询价评估、网络司法拍卖).
OPERATION_FIELDS: dict[str, dict[str, str]] = {
    "EnterClue": {"debtor": "被执行人证件号 / debtor's ID number", "agency": "机构代码 / agency code",
                  "note": "线索说明 / note (optional)"},
    "Freeze": {"asset": "财产 agency:account", "amount_cents": "冻结金额（分）/ amount in cents"},
    "Deduct": {"asset": "财产 agency:account", "amount_cents": "扣划金额（分）/ amount in cents"},
    "Release": {"asset": "财产 agency:account"},
    "Seal": {"asset": "财产 agency:account"},
    "RegisterReceipt": {"receipt": "到账编号 / receipt id"},
    "Investigate": {"asset": "财产 agency:account"},
    "Price": {"asset": "财产", "method": "network_inquiry | appraisal | …"},
    "ServeReport": {"asset": "财产"},
    "Object": {"asset": "财产", "by": "异议人 / who objects"},
    "ReviewObjection": {"asset": "财产", "upheld": "成立 / upheld (bool)", "method": "重新定价方式 / new method"},
    "NotifyParties": {"asset": "财产", "announce": "公告时间 / announce at (optional)"},
    "ListAuction": {"asset": "财产", "platform": "拍卖平台 / platform", "start_pct": "起拍价比例 / start %",
                    "starting_price_cents": "起拍价（分）(optional)", "deposit_pct": "保证金比例 (optional)",
                    "bidding_starts": "竞价开始 / bidding starts (optional)"},
    "Relist": {"asset": "财产", "cut_pct": "降价比例 / cut %", "starting_price_cents": "起拍价 (optional)",
               "bidding_starts": "竞价开始 (optional)"},
    "OfferInKind": {"asset": "财产", "accept": "以物抵债是否接受 / accepted (bool)"},
    "AgreeInKind": {"asset": "财产", "price_cents": "抵债作价（分）/ the agreed value in cents",
                    "applicant_consents": "申请执行人同意 / the applicant consents (bool)",
                    "debtor_consents": "被执行人同意 / the debtor consents (bool)",
                    "others_consent": "其他查封、冻结的债权人同意 / the creditors of other measures on it "
                                      "consent (bool, optional)"},
    "StartSale": {"asset": "财产", "price_cents": "变卖价 (optional)", "sale_starts": "变卖开始 (optional)"},
    "WithdrawListing": {"asset": "财产"},
    "ConfirmSale": {"asset": "财产"},
    "Transfer": {"asset": "财产"},
    "HandOver": {"asset": "财产"},
}
COMMANDS = ENGINE_COMMANDS + tuple(name for name in OPERATION_FIELDS if name not in ENGINE_COMMANDS)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourtIdentity(_M):
    code: str = Field(description="法院代码 / court code", examples=["J45"])
    name: str = Field(description="法院名称 / court name")
    region: str = Field(description="行政区划代码 / region code")
    intermediate: str = Field(description="中级法院 / the intermediate court above")
    high: str = Field(description="高级法院 / the high court above")


class AgenciesSetup(_M):
    """被测法院所连接的查控机构：zhixing 模拟机构服务的一个命名空间 / the agencies the court under test reaches: a
    namespace of zhixing's mock agencies server, which the harness arranges (holdings, behaviour) itself."""

    url: str | None = Field(None, description="模拟机构服务地址；缺省为进程内 / the server's URL; none: in process")
    namespace: str | None = Field(None, description="命名空间（法院创建）/ the namespace (the court creates it)")
    profile: str = Field("fast", description="机构行为档案 / behaviour profile")
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="按 * / 类别 / 机构代码覆盖行为（每项为行为字段的映射）/ behaviour overrides "
                                          "by *, class or agency code (each a mapping of behaviour fields)")


class RunSetup(_M):
    """一次运行的新法院：起点时间、随机种子、法院身份、查控对端 / a fresh court for one run."""

    origin: Instant = Field(
        description="法院时钟起点（虚拟时间）/ the court clock's origin (virtual time)")
    seed: Annotated[int, Field(ge=0, le=2**53 - 1), *STRICT_INT] = Field(0, description="随机种子 / seed")
    court: CourtIdentity | None = Field(None, description="法院身份；缺省为参考法院 / the court; default: reference")
    agencies: AgenciesSetup = Field(default_factory=AgenciesSetup)
    strict_calendar: StrictBool | None = Field(None, description="严格日历 / strict calendar (no provisional years)")


class Clock(_M):
    now: datetime = Field(description="法院当前时间（中国标准时间）/ the court's now (China Standard Time)")


class AdvanceBody(_M):
    to: Instant = Field(
        description="推进到该时刻；其间到期的期限与机构答复各在其时发生 / run the court to this "
                                     "instant; every deadline and answer due on the way happens at its own instant")


def _plain_text(value: str, zh: str, en: str) -> str:
    """``value`` as a case number or a name: no control or format characters (a NUL, a bidi override that shows
    the text reversed, a zero-width joiner), not blank, no space at either end. ``ValueError`` (bilingual) else."""
    if not value.strip():
        raise ValueError(f"{zh}不得为空白 / {en} cannot be blank")
    if value != value.strip():
        raise ValueError(f"{zh}首尾不得有空白 / {en} cannot start or end with white space")
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise ValueError(f"{zh}含控制或格式字符 U+{ord(ch):04X}（第 {i + 1} 个字符）/ {en} contains the control "
                             f"or format character U+{ord(ch):04X} (character {i + 1})")
    return value


def _filed_debtor(d: Subject, where: str) -> Subject:
    """A debtor as the court files it: a number whose check character is right (GB 11643 for a person, GB 32100 for
    a company, validated once in ``core_flow.identity``), a name without control characters. Refused at once (422,
    where the item's field): the 总对总 hub would refuse every query about it and the case stall unseen."""
    problem = number_problem(d.id_number, d.kind)
    if problem is not None:
        shown = mask_text(d.id_number)
        raise UserError(f"证件号码 {shown} {problem[0]}", f"the number {shown} {problem[1]}",
                        where=f"{where}.id_number", code="bad_id_number")
    try:
        _plain_text(d.name, "姓名或名称", "the name")
    except ValueError as err:
        zh, _, en = (part.strip() for part in str(err).partition("/ "))
        raise UserError(zh, en, where=f"{where}.name", code="bad_name") from None
    return d


class CaseFiling(_M):
    """立案: the case and its debtors (their identities)."""

    case_id: str = Field(min_length=1, max_length=64, description="案号 / case number")
    case_type: str = Field("first", pattern="^(first|resumed|preservation)$",
                           description="首次执行 first / 恢复执行 resumed / 财产保全 preservation")
    money: StrictBool = Field(True, description="金钱给付 / a money judgment")
    nonlitigation: StrictBool = Field(False, description="非诉执行 (3-month limit)")
    amount_cents: Annotated[int, *STRICT_INT] = Field(
        0, ge=0, le=10**15, description="执行标的（分）/ the claim, in cents")
    filed_at: Instant | None = Field(
        None, description="立案时间；缺省为法院当前时间 / default: the court's now")
    debtors: list[Subject] = Field(
        min_length=1, description="被执行人；证件号码的校验位须正确 / debtors, each number with a correct check "
                                  "character")
    previous_case: str | None = None
    previous_handler: str | None = None
    shixin_eligible: StrictBool = False

    @field_validator("case_id", "previous_case")
    @classmethod
    def _a_case_number(cls, value: str | None) -> str | None:
        if value is not None:
            _plain_text(value, "案号", "a case number")
            if "/" in value or "\\" in value:  # a path's separator: GET /cases/a%2Fb could never find it
                raise ValueError("案号不得含斜杠（/）或反斜杠（\\）/ a case number cannot contain a slash or a "
                                 "backslash")
        return value

    @field_validator("previous_handler")
    @classmethod
    def _a_name(cls, value: str | None) -> str | None:
        if value is not None:
            _plain_text(value, "姓名", "a name")
        return value

    @field_validator("debtors")
    @classmethod
    def _each_debtor_once(cls, debtors: list[Subject]) -> list[Subject]:
        seen: dict[str, int] = {}
        for i, d in enumerate(debtors):
            _filed_debtor(d, f"debtors.{i}")
            if d.id_number in seen:  # one person twice: a 集约查询 per copy, two rows of one identity
                shown, first = mask_text(d.id_number), seen[d.id_number]
                raise ValueError(f"被执行人重复（第 {first} 项与第 {i} 项）：{shown} / the same debtor twice (items "
                                 f"{first} and {i}): {shown}")
            seen[d.id_number] = i
        return debtors


class CommandBody(_M):
    type: str = Field(description="命令名（见 COMMANDS）/ the command's name", examples=["Assign"])
    fields: dict[str, Any] = Field(default_factory=dict, description="命令字段 / the command's fields",
                                   examples=[{"handler": "张法官"}])


class CommandResult(_M):
    accepted: bool
    code: str | None = Field(None, description="拒绝代码 / the refusal's code")
    message: str | None = Field(None, description="拒绝说明（中文 / English）/ why it was refused")
    id: str | None = Field(None, description="命令产生的编号（线索、查封）/ what the command created (a clue, a seal)")


class EventView(_M):
    """案件事件（引擎事件的 JSON 形式）/ a case event (the engine event's JSON form)."""

    at: datetime = Field(description="发生时刻（中国标准时间）/ when (China Standard Time)")
    case_id: str
    kind: str = Field(description="事件类型，如 filed、deadline_set、node_frozen、funds_frozen / the event's kind")
    node: int | None = Field(None, description="节点号 / node number")
    instance: str = Field("", description="节点实例（财产、线索…）/ the node's instance (an asset, a clue…)")
    item: str | None = Field(None, description="工作事项 / work item")
    data: dict[str, Any] = Field(default_factory=dict, description="事件数据 / the event's data")


class ItemView(_M):
    due: datetime = Field(description="届满时刻 / due")
    period: str = Field("", description="期间 / the period, as the process file writes it")
    done: bool = False
    overdue: bool = False
    calendar_provisional: list[int] = Field(default_factory=list, description=(
        "届满时刻所依据的暂定节假日年份（无国务院通知，调休未知）；空则全部依据官方数据（参考法院给出，适配器可省略）/ "
        "the provisional holiday years the due relies on (no State Council notice, make-up days unknown); empty: "
        "official data throughout (zhixing's reference court fills it; an adapter may leave it out)"))


class NodeView(_M):
    node: int
    instance: str = ""
    status: str = Field(description="not_started | in_progress | warned | frozen | unfreeze_pending | done")
    items: dict[str, ItemView] = Field(default_factory=dict, description="事项：期限与状态 / work items")


class ReceiptView(_M):
    id: str = Field(description="到账编号 / receipt id")
    asset: str = Field(description="来源财产 / the asset it came from")
    amount_cents: int
    paid_cents: int = 0
    source: str = Field("deduction", description="deduction 划拨 | auction | sale 变价款")


class FeedbackView(_M):
    debtor: str
    agency: str
    received_at: datetime
    due: datetime = Field(description="应查看期限（3日）/ view by")
    opened_at: datetime | None = None
    duban: str | None = Field(None, description="督办：None | open | closed")


class CaseView(_M):
    """案件概要 / the case's summary."""

    case_id: str
    amount_cents: int = 0
    handler: str | None = None
    closed_manner: str | None = Field(None, description="结案方式 / closing manner, once closed")
    resumption: str | None = Field(None, description="恢复执行：requested | approved | filed")
    resumed_as: str | None = Field(None, description="恢复执行案号 / the resumed case")
    extensions: int = Field(0, description="延长审限次数 / limit extensions")
    suspended: bool = Field(False, description="审限中止中 / the limit suspended")
    identity: dict[str, str] = Field(default_factory=dict, description="身份验证：证件号 → pending|passed|failed")
    findings: int = Field(0, description="统查发现的财产 / property found by the 终本 sweep")
    receipts: list[ReceiptView] = Field(default_factory=list, description="到账（按到达顺序）/ receipts, in order")
    feedback: list[FeedbackView] = Field(default_factory=list, description="集约查询反馈 / 集约查询 feedback")


class AssetView(_M):
    """已查得的财产与本案对其的控制 / a found asset and the case's hold on it."""

    asset: str = Field(description="agency:account")
    agency: str
    debtor: str
    kind: str
    available_cents: int = Field(0, description="可控金额 / available when found")
    frozen_cents: int = 0
    deducted_cents: int = 0
    released: bool = False


class AmountsView(_M):
    """对账：案件金额与机构、案款账户一致 / reconciliation of the case's amounts (to the cent)."""

    frozen_cents: int
    deducted_cents: int
    paid_cents: int = Field(description="已发放（含退还被执行人的余款与已结算的执行申请费）/ paid out (a surplus "
                                        "returned and the application fee settled included)")
    returned_cents: int = Field(0, description="其中退还被执行人的余款 / of it, a surplus returned to the debtor")
    fee_cents: int | None = Field(None, description=(
        "执行申请费：至今应收额，缺省按执行到位金额（已登记到账的款项与以物抵债的价额，计至申请执行标的；恢复执行案件"
        "含原终本案件的，减去原案已结算的部分；原案在恢复执行案件携其数据立案后为其已结算额）分段计算，或按申请执行"
        "标的；法院不收取或未启用时为 null / the application fee due so far: by tiers of the money enforced (the "
        "receipts registered and the value satisfied in kind, counted up to the claim; in a resumed case the "
        "original's included, less what the original settled; the original, once the resumed case was filed with its "
        "figures, what it settled) by default, or of the claim; null when the court does not charge it"))
    fee_settled_cents: int | None = Field(None, description=(
        "其中已从本案案款中结算的执行申请费（含提存前结算的；计入 paid_cents；不收取时为 null）/ of paid_cents, the "
        "application fee settled from this case's money (before an escrow too; null when the fee is not charged)"))
    proceeds_cents: int
    account_cents: int | None = None
    court_account_cents: int | None = None
    agencies_frozen_cents: int | None = None
    ok: bool
    detail: dict[str, Any] = Field(default_factory=dict, description="其余对账项 / the rest of the report")


class LotView(_M):
    """处置中的财产 / an asset being disposed of."""

    asset: str
    stage: str
    round: str = ""
    reference_price_cents: int | None = None
    starting_price_cents: int | None = None
    sold_price_cents: int | None = None
    listing_id: str | None = None


class CourtDriver(Protocol):
    """What a harness needs from a court case system under test."""

    def reset(self, setup: RunSetup) -> Clock: ...

    def now(self) -> datetime: ...

    def advance(self, to: datetime) -> datetime: ...

    def file(self, filing: CaseFiling) -> CommandResult: ...

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult: ...

    def events(self, case_id: str) -> list[dict[str, Any]]: ...

    def nodes(self, case_id: str) -> list[NodeView]: ...

    def case(self, case_id: str) -> CaseView: ...

    def assets(self, case_id: str) -> list[AssetView]: ...

    def amounts(self, case_id: str) -> AmountsView: ...

    def lots(self, case_id: str) -> list[LotView]: ...

    def close(self) -> None: ...


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:\d{2}$")


def event_from_dict(raw: dict[str, Any]) -> Any:
    """An engine ``Event`` from its JSON form (``Event.as_dict``): instants in its data become datetimes again."""
    from core_flow.engine import Event, EventKind

    def value(v: Any) -> Any:
        if isinstance(v, str) and _INSTANT.match(v):
            return datetime.fromisoformat(v)
        if isinstance(v, list):
            return [value(x) for x in v]
        return v

    data = raw.get("data")
    return Event(at=datetime.fromisoformat(raw["at"]), case_id=raw["case_id"], kind=EventKind(raw["kind"]),
                 node=raw.get("node"), instance=raw.get("instance") or "", item=raw.get("item"),
                 data=None if data is None else {k: value(v) for k, v in data.items()})
