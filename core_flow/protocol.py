"""The 查控 protocol (network inquiry-and-control), defined once.

The real 总对总 interface (《人民法院执行案件流程管理系统接口规范 V1.5.5》) is not public; this is
zhixing's own, openly documented profile of the same exchange (see ../shared/domain/LAW.md,
"The 总对总 network inquiry-and-control system"):

* a court submits a request (measure code 00 query / 01 freeze / 02 renew / 04 unfreeze / 06 deduct,
  or a registry's 11 seal / 12 renew seal / 14 unseal / 15 transfer, 过户: the 过户 document that records a sold or
  抵债 property under its new owner and ends the seal or freeze it names, and every 轮候 measure queued behind it);
* the agency accepts it at once with a ticket; the same ``request_no`` submitted again returns the same
  ticket (idempotency) and never acts twice;
* the answer (``Feedback``) arrives later by callback to ``callback_url`` (retried until acknowledged)
  and can also be polled by ticket.

集约查询 goes through the 总对总 system itself (agency code :data:`HUB`, ``zdz``): one query request per
debtor names its ``scope`` (the agencies of the 集约查询); the system fans it out, each agency answers in its
own time, and the answers come back in parts (``Feedback.batch``, a :class:`HubBatch`): each part carries the
agencies that answered since the previous part — those that found property with their holdings, the rest as
a list of codes. A poll returns every answer so far; the ticket is ``answered`` once the whole scope is.

A freeze that was queued (轮候) or only partly effective may take effect later, when earlier measures are
released: the agency then sends a *notice* about the answered freeze request — a ``Feedback`` with ``notice``
= 1, 2, … (the idempotency key with the request) and the amount newly controlled.

Amounts are integer cents (分) everywhere, so that ledgers reconcile to the cent.
Both the mock agencies and the engine's gateway import these models; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from core_flow.enum_members import members_of


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Measure(StrEnum):
    """Measure codes (措施代码)."""

    QUERY = "00"  # 查询
    FREEZE = "01"  # 冻结
    RENEW = "02"  # 继续冻结 (续冻)
    UNFREEZE = "04"  # 解除冻结
    DEDUCT = "06"  # 扣划
    SEAL = "11"  # 查封 (registry)
    RENEW_SEAL = "12"  # 继续查封
    UNSEAL = "14"  # 解除查封
    # 过户 (过户文书送达): the 成交 / 抵债 ruling and its 协助执行通知书 (seed 004 node 30) — the registry records the
    # property under its new owner (``new_owner``), the seal or freeze it names (``freeze_id``) ends, and so does every
    # 轮候 measure on it (FreezeState.TRANSFERRED). TRANSFER_DOC is its former name (profile ≤ 0.3.0: delivered, no
    # effect).
    TRANSFER = "15"
    TRANSFER_DOC = "15"  # an alias of TRANSFER


MEASURE = members_of(Measure)  # for hot code: see core_flow.enum_members


MEASURE_NAMES: dict[Measure, tuple[str, str]] = {
    Measure.QUERY: ("查询", "query"),
    Measure.FREEZE: ("冻结", "freeze"),
    Measure.RENEW: ("继续冻结", "renew freeze"),
    Measure.UNFREEZE: ("解除冻结", "unfreeze"),
    Measure.DEDUCT: ("扣划", "deduct"),
    Measure.SEAL: ("查封", "seal"),
    Measure.RENEW_SEAL: ("继续查封", "renew seal"),
    Measure.UNSEAL: ("解除查封", "unseal"),
    Measure.TRANSFER: ("过户（过户文书送达）", "transfer of ownership (the 过户 document)"),
}


class AgencyGroup(StrEnum):
    NATIONAL_BANK = "national_bank"  # 全国性银行 (21)
    INTERNET_FINANCE = "internet_finance"  # 互联网金融 (3)
    SECURITIES = "securities"  # 证券
    LOCAL_BANK = "local_bank"  # 地方性银行
    REAL_ESTATE = "real_estate"  # 不动产登记
    VEHICLE = "vehicle"  # 车辆
    EQUITY = "equity"  # 工商股权
    OTHER = "other"  # 公积金、船舶、保险、出入境…
    AUCTION = "auction"  # 网络司法拍卖平台
    PRICING = "pricing"  # 询价评估
    COURT_ACCOUNT = "court_account"  # 执行款专户 / 一案一账号
    HUB = "hub"  # 总对总网络查控系统: the network itself, which fans a 集约查询 out


AGENCY_GROUP = members_of(AgencyGroup)  # for hot code: see core_flow.enum_members


AGENCY_GROUP_NAMES: dict[AgencyGroup, tuple[str, str]] = {
    AgencyGroup.NATIONAL_BANK: ("全国性银行", "national banks"),
    AgencyGroup.INTERNET_FINANCE: ("互联网金融", "internet finance"),
    AgencyGroup.SECURITIES: ("证券", "securities"),
    AgencyGroup.LOCAL_BANK: ("地方性银行", "local banks"),
    AgencyGroup.REAL_ESTATE: ("不动产登记", "real estate registries"),
    AgencyGroup.VEHICLE: ("车辆", "vehicles"),
    AgencyGroup.EQUITY: ("工商股权", "company shares"),
    AgencyGroup.OTHER: ("其他", "other"),
    AgencyGroup.AUCTION: ("网络司法拍卖平台", "judicial auction platforms"),
    AgencyGroup.PRICING: ("询价评估", "pricing"),
    AgencyGroup.COURT_ACCOUNT: ("执行款专户", "court case accounts"),
    AgencyGroup.HUB: ("总对总网络查控系统", "the 总对总 hub"),
}


# The 集约查询 scope rule (法明传〔2020〕849号 一（一）1), one definition for the court side
# (core_flow.agency_directory) and the mocks (mock_agencies.catalogue): every agency of the scope groups, plus the
# local banks whose region (a 2-, 4- or 6-digit GB/T 2260 prefix) covers the debtor's registration place or the
# court's place. The court reads its groups from the process file (``inquiry.scope_groups``); these are the notice's.
INQUIRY_SCOPE_GROUPS = ("national_bank", "internet_finance", "securities")


def in_inquiry_scope(group: str, region: str | None, debtor_region: str, court_region: str,
                     groups: tuple[str, ...] = INQUIRY_SCOPE_GROUPS, local_banks: bool = True) -> bool:
    """Whether an agency (its group and region) is in the 集约查询 scope of a debtor and a court."""
    if group in groups:
        return True
    return (local_banks and group == "local_bank" and bool(region)
            and (debtor_region.startswith(region) or court_region.startswith(region)))


PROFILE_VERSION = "0.12.1"  # semver of the interface profile (core_flow/profile/PROFILE.md), not the package's
HUB = "zdz"  # the agency code of the 总对总 system (the court's counterpart for 集约查询 and sweeps)
MAX_CENTS = 10**15  # the largest amount anywhere in the protocol (10 trillion yuan): bounds every amount field
MAX_SCOPE = 200  # agencies in one 总对总 query (a 集约查询 scope is about 30)
MAX_TERM_DAYS = 3 * 366  # the longest freeze term a request may ask for


def json_integer(value: object) -> object:
    """JSON's integer as JSON Schema counts it: an int, or a number with no fraction (``12.0``); never a boolean
    or a string (with ``Strict()`` after it: ``true`` and ``"12"`` are refused, not read as 1 and 12)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer field of a request: JSON's integers only (booleans and strings refused). Constraints go inside the
# Annotated (``Annotated[int, Field(ge=…), *STRICT_INT]``), so that an optional field's schema keeps them.
STRICT_INT = (BeforeValidator(json_integer), Strict())
# A JSON number that is not a boolean or a string; a JSON boolean (not 0, 1 or "true").
StrictNumber = Annotated[float, Strict()]
StrictBool = Annotated[bool, Strict()]


def json_datetime(value: object) -> object:
    """A date-time as JSON has it: an ISO 8601 string (a number is not read as Unix seconds)."""
    if isinstance(value, str | datetime):
        return value
    raise ValueError("应为 ISO 8601 日期时间字符串 / expected an ISO 8601 date-time string")


STRICT_DATETIME = BeforeValidator(json_datetime)
# An amount in cents (分): 1 … MAX_CENTS; and a balance, 0 … MAX_CENTS.
Cents = Annotated[int, Field(ge=1, le=MAX_CENTS), *STRICT_INT]
Balance = Annotated[int, Field(ge=0, le=MAX_CENTS), *STRICT_INT]
TermDays = Annotated[int, Field(ge=1, le=MAX_TERM_DAYS), *STRICT_INT]
Count = Annotated[int, Field(ge=1), *STRICT_INT]  # a position or sequence number, from 1
# An 18-character ID number or credit code as the schema states it (the check character is verified beyond it).
ID_NUMBER_PATTERN = r"^[0-9A-Z]{18}$"


class SubjectKind(StrEnum):
    PERSON = "person"  # 自然人: 18-digit resident ID (GB 11643)
    COMPANY = "company"  # 单位: unified social credit code (GB 32100)


SUBJECT_KIND = members_of(SubjectKind)  # for hot code: see core_flow.enum_members


class AssetKind(StrEnum):
    DEPOSIT = "deposit"  # 存款
    WEALTH_PRODUCT = "wealth_product"  # 理财产品
    BALANCE = "balance"  # 网络支付账户余额
    SECURITIES = "securities"  # 证券
    REAL_ESTATE = "real_estate"  # 不动产
    VEHICLE = "vehicle"  # 车辆
    EQUITY = "equity"  # 股权
    OTHER = "other"


# The kinds that are money at an agency: deducted (06), never priced, sold or transferred (15). The court's process
# says which kinds its 划拨 takes (process.yaml ``asset_kinds``, which may add securities' cash): this is the agencies'
# side, one list for the ledger's and the pricing platforms' rules.
MONEY_KINDS = frozenset({AssetKind.DEPOSIT, AssetKind.BALANCE, AssetKind.WEALTH_PRODUCT})


class TicketStatus(StrEnum):
    ACCEPTED = "accepted"  # 已受理, answer pending
    ANSWERED = "answered"  # 已反馈


TICKET_STATUS = members_of(TicketStatus)  # for hot code: see core_flow.enum_members


class ControlResult(StrEnum):
    CONTROLLED = "1"  # 已控
    NOT_CONTROLLED = "2"  # 未控


CONTROL_RESULT = members_of(ControlResult)  # for hot code: see core_flow.enum_members


class FreezeState(StrEnum):
    ACTIVE = "active"  # 生效
    QUEUED = "queued"  # 轮候
    RELEASED = "released"  # 已解除
    LAPSED = "lapsed"  # 到期失效
    DEDUCTED = "deducted"  # 已全部扣划
    TRANSFERRED = "transferred"  # 因过户解除: the property was transferred to its new owner (15), the measure ended


FREEZE_STATE = members_of(FreezeState)  # for hot code: see core_flow.enum_members


class DeductStatus(StrEnum):
    PENDING = "pending"  # 待处理
    REFUSED = "refused"  # 拒绝
    SUCCESS = "success"  # 成功
    SUCCESS_TO_VERIFY = "success_to_verify"  # 成功待核实
    FAILED = "failed"  # 失败


DEDUCT_STATUS = members_of(DeductStatus)  # for hot code: see core_flow.enum_members


class ResultCode(StrEnum):
    """Result codes of an answer (``Feedback.code``, ``AgencyAnswer.code``): what the agency did."""

    OK = "0000"  # 处理成功 / carried out
    QUEUED = "0001"  # 轮候登记 / registered in the 轮候 queue, not yet in effect
    PENDING = "0002"  # 扣划待处理 / deduction pending
    NOTICE = "0003"  # 轮候生效或补足冻结 / later notice: a queued freeze took effect or a partial one was topped up
    NOTHING_TO_CONTROL = "1001"  # 无可控财产 / nothing available to control
    NOT_ONLINE = "1003"  # 不支持网络控制 / asset cannot be controlled online
    REFUSED = "2001"  # 状态不允许 / refused: the state no longer allows the measure


class FailureCode(StrEnum):
    """Codes of a failed answer that names its cause instead of a result (``ok`` false): the agency could not
    carry the request out — the 总对总 hub gave up on an agency after repeated faults (``fault_<kind>``), or the
    agency's system failed."""

    AGENCY_ERROR = "agency_error"  # 机构系统错误 / the agency's system failed
    FAULT_5XX = "fault_5xx"  # 总对总多次重试仍遇 5xx / the hub met 5xx on every attempt
    FAULT_TIMEOUT = "fault_timeout"  # 多次超时 / timed out on every attempt
    FAULT_RESET = "fault_reset"  # 多次连接重置 / the connection was reset on every attempt
    FAULT_RATE_LIMIT = "fault_429"  # 多次限流 / rate limited on every attempt
    FAULT_MAINTENANCE = "fault_maintenance"  # 维护中 / under maintenance on every attempt


RESULT_NAMES: dict[ResultCode | FailureCode, tuple[str, str]] = {
    ResultCode.OK: ("处理成功", "carried out"),
    ResultCode.QUEUED: ("轮候登记", "registered in the 轮候 queue, not yet in effect"),
    ResultCode.PENDING: ("扣划待处理", "deduction pending"),
    ResultCode.NOTICE: ("轮候生效或补足冻结的通知", "later notice: a queued freeze took effect or was topped up"),
    ResultCode.NOTHING_TO_CONTROL: ("无可控财产", "nothing available to control"),
    ResultCode.NOT_ONLINE: ("不支持网络控制", "cannot be controlled online"),
    ResultCode.REFUSED: ("状态不允许", "refused: the state no longer allows the measure"),
    FailureCode.AGENCY_ERROR: ("机构系统错误", "the agency's system failed"),
    FailureCode.FAULT_5XX: ("多次重试仍遇系统错误", "a server error on every attempt"),
    FailureCode.FAULT_TIMEOUT: ("多次超时", "timed out on every attempt"),
    FailureCode.FAULT_RESET: ("多次连接重置", "connection reset on every attempt"),
    FailureCode.FAULT_RATE_LIMIT: ("多次限流", "rate limited on every attempt"),
    FailureCode.FAULT_MAINTENANCE: ("维护中", "under maintenance on every attempt"),
}


def failure_code(code: str) -> ResultCode | FailureCode:
    """``code`` as an answer's code: a result or failure code as it is, anything else ``agency_error``."""
    for kind in (ResultCode, FailureCode):
        try:
            return kind(code)
        except ValueError:
            continue
    return FailureCode.AGENCY_ERROR


# The result codes by name (one definition: ResultCode).
CODE_OK = ResultCode.OK
CODE_QUEUED = ResultCode.QUEUED
CODE_PENDING = ResultCode.PENDING
CODE_NOTICE = ResultCode.NOTICE
CODE_NOTHING_TO_CONTROL = ResultCode.NOTHING_TO_CONTROL
CODE_NOT_ONLINE = ResultCode.NOT_ONLINE
CODE_REFUSED = ResultCode.REFUSED


class Subject(Frozen):
    """The debtor a request is about (被执行人)."""

    kind: SubjectKind
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(
        min_length=18, max_length=18, pattern=ID_NUMBER_PATTERN,
        description="18位身份证号（GB 11643）或统一社会信用代码（GB 32100），校验位须正确 / an 18-character ID number "
        "or unified social credit code, with a correct check character",
    )


class ControlRequest(Frozen):
    """A 查控 request from a court to one agency."""

    request_no: str = Field(
        min_length=1, max_length=64, description="请求编号，幂等键 / request number, the idempotency key"
    )
    court_code: str = Field(min_length=1, max_length=32, description="法院代码 / court code")
    case_no: str = Field(min_length=1, max_length=64, description="案号 / case number")
    measure: Measure
    subject: Subject
    account_no: str | None = Field(
        default=None, max_length=64, description="账户/财产编号，控制类措施必填 / account or asset id"
    )
    amount_cents: Cents | None = Field(
        default=None, description="冻结/扣划金额（分）/ amount to freeze or deduct, in cents"
    )
    freeze_id: str | None = Field(
        default=None, max_length=64, description="续冻/解冻/扣划所指的冻结 / the freeze acted on"
    )
    target_account: str | None = Field(
        default=None, max_length=64, description="扣划入账的一案一账号 / court sub-account for deductions"
    )
    term_days: TermDays | None = Field(
        default=None, description="冻结期限（天），缺省按财产种类 / term, default by kind"
    )
    original_case_no: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="原案号：恢复执行案件扣划原（终本）案件采取的冻结时填写，扣划款进入本案的一案一账号 / "
        "the 终本 case whose freeze this 恢复执行 case deducts from (the measure continues in it); "
        "the money goes into this case's sub-account",
    )
    new_owner: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="过户（15）后的权利人：买受人或接受抵债的申请执行人 / the new owner after a transfer (15): "
        "the buyer, or the creditor who took the property in kind",
    )
    callback_url: str | None = Field(
        default=None, max_length=2048,
        description="反馈回调地址（http/https；主机须在机构的允许列表中）/ where the answer is posted (http or https; "
        "the host must be on the agency's allow-list)",
    )
    scope: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SCOPE,
        description="总对总查询的协助单位（集约查询范围）/ the agencies a 总对总 query fans out to",
    )

    @model_validator(mode="after")
    def _fields_for_measure(self) -> ControlRequest:
        needs_account, needs_freeze = _NEEDS_ACCOUNT, _NEEDS_FREEZE
        if self.scope is not None:
            if self.measure != MEASURE.QUERY:
                raise ValueError("scope 只用于查询（00）/ scope is for queries (00) only")
            if len(set(self.scope)) != len(self.scope):
                raise ValueError("scope 中机构重复 / scope repeats an agency")
        if self.measure in needs_account and not self.account_no:
            raise ValueError("account_no 必填（冻结/查封）/ account_no is required for freeze and seal")
        if self.measure == MEASURE.FREEZE and self.amount_cents is None:
            raise ValueError("amount_cents 必填（冻结）/ amount_cents is required for a freeze")
        if self.measure == MEASURE.TRANSFER and (not self.freeze_id or self.new_owner is None):
            raise ValueError(
                "freeze_id 与 new_owner 必填（过户 15：所依据的查封或冻结，及新权利人）/ freeze_id and new_owner are "
                "required for a transfer (15): the seal or freeze it acts on, and the new owner"
            )
        if self.new_owner is not None and self.measure != MEASURE.TRANSFER:
            raise ValueError("new_owner 只用于过户（15）/ new_owner is for transfers (15) only")
        if self.measure in needs_freeze and not self.freeze_id:
            raise ValueError("freeze_id 必填（续冻/解冻/扣划）/ freeze_id is required for this measure")
        if self.original_case_no is not None and self.measure != MEASURE.DEDUCT:
            raise ValueError("original_case_no 只用于扣划（06）/ original_case_no is for deductions (06) only")
        if self.measure == MEASURE.DEDUCT and (self.amount_cents is None or not self.target_account):
            raise ValueError(
                "amount_cents 与 target_account 必填（扣划）/ amount_cents and target_account are required "
                "for a deduction"
            )
        return self


_NEEDS_ACCOUNT = frozenset({Measure.FREEZE, Measure.SEAL})
_NEEDS_FREEZE = frozenset({Measure.RENEW, Measure.UNFREEZE, Measure.DEDUCT, Measure.RENEW_SEAL, Measure.UNSEAL})


class Ticket(Frozen):
    """Acknowledgement of a request: accepted at once, answered later."""

    ticket_id: str
    request_no: str
    agency: str
    measure: Measure
    status: TicketStatus
    accepted_at: datetime
    duplicate: StrictBool = Field(default=False, description="同一请求编号的重复提交 / a repeated request_no")


class ExistingFreeze(Frozen):
    """A freeze already on an account (reported with answers)."""

    freeze_id: str
    court_code: str
    case_no: str
    amount_cents: Balance
    state: FreezeState
    queue_position: Count | None = None  # 轮候顺位, 1 = next to take effect
    expires_at: datetime | None = None


class Holding(Frozen):
    """One asset found by a query."""

    account_no: str
    kind: AssetKind
    description: str = ""
    balance_cents: Balance = Field(description="余额（分）/ balance, cents")
    available_cents: Balance = Field(description="未被冻结的可控金额（分）/ not yet frozen, cents")
    online_controllable: StrictBool = True
    existing_freezes: tuple[ExistingFreeze, ...] = ()


class AgencyAnswer(Frozen):
    """One agency's answer inside a 总对总 part (:class:`HubBatch`)."""

    agency: str = Field(description="协助单位代码 / agency code")
    ok: StrictBool = Field(default=True, description="该机构查询成功 / the agency's query succeeded")
    code: ResultCode | FailureCode = Field(
        default=ResultCode.OK, description="结果代码（失败时为原因代码）/ result code (on failure, the cause)"
    )
    message: str = ""
    holdings: tuple[Holding, ...] = Field(default=(), description="查得的财产 / the property found")


class HubBatch(Frozen):
    """Answers the 总对总 system passes on together: one part of a fanned-out query (or, polled, all parts so
    far). ``found`` are the answers that report property (or failed); ``none_found`` the agencies that
    answered that the debtor holds nothing there."""

    part: Annotated[int, *STRICT_INT] = Field(ge=1, description="分批序号 / part number within the ticket")
    found: tuple[AgencyAnswer, ...] = Field(
        default=(), description="查得财产（或查询失败）的机构答复 / answers that found property (or failed)"
    )
    none_found: tuple[str, ...] = Field(
        default=(), description="未查得财产的机构代码 / agencies that answered: nothing found"
    )
    outstanding: Annotated[int, *STRICT_INT] = Field(ge=0, description="尚未反馈的机构数 / agencies of the scope "
                                                                       "still to answer")

    def agencies(self) -> list[str]:
        return [a.agency for a in self.found] + list(self.none_found)


class Feedback(Frozen):
    """An agency's answer to one request (反馈); from the 总对总 system, a part of the answers (``batch``)."""

    ticket_id: str
    request_no: str
    agency: str
    measure: Measure
    answered_at: datetime
    ok: StrictBool = Field(description="业务处理成功 / the measure was carried out")
    code: ResultCode | FailureCode = Field(
        description="结果代码（失败时为原因代码）/ result code (on failure, the cause)"
    )
    message: str = ""
    holdings: tuple[Holding, ...] = ()  # 00 query
    control_result: ControlResult | None = None  # 01/02/11/12
    freeze_id: str | None = None
    freeze_state: FreezeState | None = None
    queue_position: Count | None = None
    amount_requested_cents: Balance | None = None
    amount_controlled_cents: Balance | None = None
    unsecured_remainder_cents: Balance | None = None  # 未控金额 = requested - controlled
    expires_at: datetime | None = None
    existing_freezes: tuple[ExistingFreeze, ...] = ()
    deduct_status: DeductStatus | None = None  # 06
    amount_deducted_cents: Balance | None = None
    batch: HubBatch | None = None  # 总对总 query: the agencies' answers in this part
    notice: Count | None = Field(
        default=None,
        description="已反馈请求的后续通知序号：轮候冻结生效或部分冻结补足，amount_controlled_cents 为本次新增"
        "控制金额 / a later notice about an answered request, numbered per request: a queued (轮候) freeze took "
        "effect or a partial freeze was topped up; amount_controlled_cents is the amount newly controlled",
    )


# --- one vocabulary for both sides: the court, the answers' result codes --------------------------------------


@dataclass(frozen=True, slots=True)
class Court:
    """An executing court: its code, name, region (GB/T 2260: where its local banks are in the 集约查询 scope)
    and the courts above it. The court's platform and the mock agencies' catalogue use this one model."""

    code: str
    name: str
    region: str  # 6-digit GB/T 2260 code of the court's place
    intermediate: str
    high: str


# The default court of the seed guideline. Its code is synthetic: the real 法院代码 is not public here.
DEFAULT_COURT = Court("R410811", "焦作市山阳区人民法院", "410811", "焦作市中级人民法院", "河南省高级人民法院")
