"""Commands: what users (handlers, approvers, agencies, timers) ask the engine to do.

Plain frozen dataclasses with slots: cheap to build (the engine handles tens of thousands a second).
Nodes are referenced by number here; names are resolved at the edges (CLI, scenarios) via
``Process.node``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core_flow.engine.events import Timer
from core_flow.engine.records import fast_init


@dataclass(frozen=True, slots=True)
class FeeCarried:
    """The application fee a 终本 case's application carries into its 恢复执行 case (process.yaml
    ``fees.application_fee.resumed: carry_over``): the application's claim, the money enforced on it so far (as the
    fee's basis counts it) and the fee settled so far — the 终本 case's own, and what it carried itself."""

    claim_cents: int
    enforced_cents: int
    settled_cents: int


@fast_init
@dataclass(frozen=True, slots=True)
class FileCase:
    """立案. ``filed_at`` defaults to the engine's ``now``."""

    case_id: str
    case_type: str = "first"  # first | resumed | preservation
    money: bool = True  # 金钱给付
    nonlitigation: bool = False  # 非诉执行: 3-month limit
    amount_cents: int = 0
    debtors: tuple[str, ...] = ()
    filed_at: datetime | None = None
    previous_case: str | None = None  # for 恢复执行: the 终本 case resumed
    previous_handler: str | None = None  # its handler (node 46: must change)
    shixin_eligible: bool = False
    fee_carried: FeeCarried | None = None  # 恢复执行: the 终本 case's application fee, carried (process.yaml ``fees``)


@fast_init
@dataclass(frozen=True, slots=True)
class Assign:
    """分案: the case is assigned to a handler (收案)."""

    case_id: str
    handler: str


@fast_init
@dataclass(frozen=True, slots=True)
class VerifyIdentity:
    """Result of the debtor's identity verification (身份信息验证)."""

    case_id: str
    debtor: str
    passed: bool


@fast_init
@dataclass(frozen=True, slots=True)
class CorrectIdentity:
    """The staff corrected a debtor's identity after a failed verification."""

    case_id: str
    debtor: str
    corrected_to: str | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class StartNode:
    case_id: str
    node: int
    instance: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class CompleteItem:
    case_id: str
    node: int
    item: str
    instance: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class CompleteNode:
    """Complete a node. A node whose act is signed (``signed_by``: 限消令、失信决定 by 院长) or approved
    (``approval_any``: 提存) names who did it in ``authority``. A measure whose term depends on its ground (``terms``:
    失信) names the ground in ``ground`` (2017 规定 第一条 (一)–(六); none: the process's ``default_ground``) and
    any extension of its term in ``extension_years`` (第二条: 一至三年)."""

    case_id: str
    node: int
    instance: str = ""
    authority: str | None = None
    ground: int | None = None
    extension_years: int | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class Record:
    """An anchor event happened (property found, freeze effective, money arrived, auction scheduled…).

    ``at`` is when it happened — or, for scheduled events ("auction starts at"), when it will happen;
    it defaults to ``now``. ``attrs`` select period overrides (e.g. ``asset_kind``, ``urgent``).
    """

    case_id: str
    anchor: str
    instance: str = ""
    at: datetime | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@fast_init
@dataclass(frozen=True, slots=True)
class RequestUnfreeze:
    case_id: str
    node: int
    instance: str = ""
    by: str = ""
    reason: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class ApproveUnfreeze:
    case_id: str
    node: int
    authority: str
    instance: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class RejectUnfreeze:
    case_id: str
    node: int
    authority: str
    instance: str = ""
    reason: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class RequestLimitChange:
    """期限变更 (node 42): ``kind`` is ``extend`` or ``suspend``."""

    case_id: str
    kind: str
    reason: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class ApproveLimitChange:
    case_id: str
    authority: str


@fast_init
@dataclass(frozen=True, slots=True)
class LiftSuspension:
    """The ground for suspending the limit ended: the limit runs again, shifted by the suspension."""

    case_id: str


@fast_init
@dataclass(frozen=True, slots=True)
class Close:
    """结案 with a manner of process.yaml ``closing_manners`` (code, name or alias: 执行完毕 completed, 终本 zhongben,
    终结 terminated, 销案, 不予执行, 驳回申请; 保全完毕, 部分保全, 无标的物可实施保全 for 保全 cases)."""

    case_id: str
    manner: str
    # 报结 review (process ``closing.review``): naming the reviewer here files and approves at once; without it
    # the 报结 waits for ``ApproveClosing`` / ``ReturnClosing``
    reviewed_by: str | None = None
    # a closing entered after the fact (a court's 终本 register loaded at a run's start): the day it really closed,
    # not after ``now`` nor before filing. Its sweeps and post-closing deadlines count from it; those due by ``now``
    # took place before the entry (recorded done, not fired). Needs ``reviewed_by`` (the 报结 was reviewed then).
    closed_at: datetime | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class ApproveClosing:
    """审判管理办公室 approves a pending 报结: the case closes now."""

    case_id: str
    authority: str


@fast_init
@dataclass(frozen=True, slots=True)
class ReturnClosing:
    """审判管理办公室 returns a 报结 for the handler to complete and file again."""

    case_id: str
    authority: str
    reason: str = ""


# ── 集约查询 and the 3-day view rule (法明传〔2020〕849号) ──────────────────────────────────────
@fast_init
@dataclass(frozen=True, slots=True)
class StartInquiry:
    """The 集约查询 for one debtor went out to exactly these agencies (the scope of the SPC notice)."""

    case_id: str
    debtor: str
    agencies: tuple[str, ...]


@fast_init
@dataclass(frozen=True, slots=True)
class InquiryAnswered:
    """One in-scope agency answered the 集约查询. ``holdings`` > 0 means it reported property."""

    case_id: str
    debtor: str
    agency: str
    holdings: int = 0
    amount_cents: int = 0


@fast_init
@dataclass(frozen=True, slots=True)
class InquiryAnswers:
    """Several in-scope agencies answered together — one part of a 总对总 answer. ``found`` holds
    ``(agency, holdings, amount_cents)`` for each agency that reported property; ``none_found`` the agencies
    that found nothing. Checked as a whole: one agency out of scope or answered before refuses the part.
    ``failed`` agencies answered that their query failed: that is their feedback (the manual-query lock lifts
    for them; the handler may query them himself). ``assets`` are the properties reported: each is recorded as
    found (``property_found_online`` / ``property_found_offline``, as a ``Record`` would), which starts its
    control deadline (node 17)."""

    case_id: str
    debtor: str
    found: tuple[tuple[str, int, int], ...] = ()
    none_found: tuple[str, ...] = ()
    assets: tuple[tuple[str, bool, int], ...] = ()  # (asset, online controllable, amount_cents) of ``found``
    failed: tuple[tuple[str, str], ...] = ()  # (agency, result code) of answers that report a failed query
    # what each asset is, kept on the record with its ``property_found_*`` event: asset → {"agency", "account_no",
    # "kind", "balance_cents", "available_cents", "held_by_others"}
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


@fast_init
@dataclass(frozen=True, slots=True)
class OpenFeedback:
    """The handler opened (点击查看) an agency's feedback."""

    case_id: str
    debtor: str
    agency: str


@fast_init
@dataclass(frozen=True, slots=True)
class ManualQuery:
    """A handler's own query to an agency on the 总对总 system. ``in_scope``: whether the agency is in the debtor's
    集约查询 scope (told by whoever knows the directory; needed while the 集约查询 is triggered but not yet sent)."""

    case_id: str
    debtor: str
    agency: str
    in_scope: bool | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class AnswerNotRecorded:
    """An agency's 集约查询 answer that the engine refused (its reason in ``code`` / ``reason``): recorded as such, so
    the agencies are no longer pending and the manual-query lock stays consistent."""

    case_id: str
    debtor: str
    agencies: tuple[str, ...]
    code: str
    reason: str = ""
    found: tuple[tuple[str, int, int], ...] = ()  # what the answer reported, kept on the record


@fast_init
@dataclass(frozen=True, slots=True)
class RegisterReceipt:
    """到账登记: the receipt is confirmed and claimed to the 一案一账号 (node 32)."""

    case_id: str
    receipt: str


@fast_init
@dataclass(frozen=True, slots=True)
class Escrow:
    """提存 (node 34): money that cannot be paid out in time is escrowed, approved by one of ``approval_any``."""

    case_id: str
    receipt: str
    authority: str
    reason: str = ""


# ── control and money (nodes 17, 31–33) ──────────────────────────────────────────────────────
@fast_init
@dataclass(frozen=True, slots=True)
class FreezeConfirmed:
    """An agency confirmed a freeze of ``amount_cents`` on an asset (account) of the case."""

    case_id: str
    asset: str
    agency: str
    amount_cents: int
    freeze_id: str = ""
    account_no: str = ""
    expires_at: datetime | None = None  # the freeze's term (deposits 1 year, movables 2, real estate 3)
    # freeze (冻结) | seal (查封/扣押 of real estate or a vehicle; ``amount_cents`` is the value the seal controls)
    measure: str = "freeze"
    # the asset's kind as the agency reported it (protocol ``AssetKind``: deposit, securities, equity…; "" unknown).
    # With ``measure`` it decides what the control starts (``money.control_anchor``): a freeze of money the 划拨
    # applies to (node 31's ``asset_kinds``; unknown counts as money) anchors ``freeze_effective``, node 31's 7 days;
    # a seal, or a freeze of other property (股权, 证券…), anchors ``property_controlled``: the disposal (nodes 19–20)
    kind: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class FreezeQueued:
    """An agency registered the case's freeze (or seal) in the 轮候 queue behind other courts' measures: the control
    measure is taken (node 17), the money comes when it takes effect (a later ``FreezeConfirmed``)."""

    case_id: str
    asset: str
    agency: str
    freeze_id: str
    queue_position: int | None = None
    measure: str = "freeze"


@fast_init
@dataclass(frozen=True, slots=True)
class FreezeRenewed:
    """续行冻结: the agency renewed the freeze; its term now ends at ``expires_at``."""

    case_id: str
    asset: str
    expires_at: datetime


@fast_init
@dataclass(frozen=True, slots=True)
class FreezeReleased:
    case_id: str
    asset: str


@fast_init
@dataclass(frozen=True, slots=True)
class DeductionConfirmed:
    """划拨: frozen money arrived in the case's 一案一账号 sub-account as receipt ``receipt``."""

    case_id: str
    asset: str
    amount_cents: int
    receipt: str


@fast_init
@dataclass(frozen=True, slots=True)
class ProceedsArrived:
    """变价款到账: the proceeds of a sale (拍卖、变卖) of a sealed asset arrived in the case's 一案一账号 sub-account as
    receipt ``receipt``; it then goes through 到账登记 and 案款发放 like deducted money (nodes 32–33)."""

    case_id: str
    asset: str
    amount_cents: int
    receipt: str
    source: str = "auction"  # auction | sale (变卖)


@fast_init
@dataclass(frozen=True, slots=True)
class SatisfiedInKind:
    """以物抵债裁定: the creditor took ``asset`` at ``value_cents`` (the failed round's reserve price); the claim is
    reduced by the value, up to what is outstanding — a value beyond it is the difference the creditor pays in
    (补交差额, 拍卖变卖规定 第十六条)."""

    case_id: str
    asset: str
    value_cents: int


@fast_init
@dataclass(frozen=True, slots=True)
class ApprovePayout:
    """One step of the 案款发放审批表 (执行局长, then 分管副院长)."""

    case_id: str
    receipt: str
    authority: str


@fast_init
@dataclass(frozen=True, slots=True)
class PayOut:
    """Finance paid ``amount_cents`` of a receipt to the applicant — or, ``surplus``, what is left after the claim back
    to the debtor (余款退还: a sale's proceeds above what the case is owed)."""

    case_id: str
    receipt: str
    amount_cents: int
    surplus: bool = False


# ── 终本 register and resumption (法明传〔2020〕849号 一（二）) ────────────────────────────────────
@fast_init
@dataclass(frozen=True, slots=True)
class RequestResumption:
    case_id: str
    reason: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class ApproveResumption:
    case_id: str
    authority: str


@fast_init
@dataclass(frozen=True, slots=True)
class ResumptionFiled:
    """The local filing system filed the 恢复执行 case ``new_case`` for this 终本 case."""

    case_id: str
    new_case: str


@fast_init
@dataclass(frozen=True, slots=True)
class HandOverMeasure:
    """The 终本 case's freeze or seal on ``asset`` continues in its 恢复执行 case ``to_case``: this case no longer
    holds it (no renewal, release or deduction from here)."""

    case_id: str
    asset: str
    to_case: str


@fast_init
@dataclass(frozen=True, slots=True)
class FeeHandedOver:
    """The 终本 case's application fee went with its application to the 恢复执行 case ``to_case``, filed with its
    figures (``FileCase.fee_carried``, process.yaml ``fees.application_fee.resumed: carry_over``): this case settles
    no more of it. Until then (the push not filed yet, refused, or filed by a filing system that carried nothing) the
    fee stays this case's."""

    case_id: str
    to_case: str


@fast_init
@dataclass(frozen=True, slots=True)
class TakeOverMeasure:
    """The 恢复执行 case takes over the freeze or seal the 终本 case ``from_case`` held on ``asset``: what it still
    controls (``amount_cents``), under the same freeze id and term — not a new freeze at the agency."""

    case_id: str
    from_case: str
    asset: str
    agency: str
    amount_cents: int
    freeze_id: str
    account_no: str = ""
    expires_at: datetime | None = None
    measure: str = "freeze"  # freeze | seal (as ``FreezeConfirmed``)
    kind: str = ""  # the asset's kind (as ``FreezeConfirmed``)


@fast_init
@dataclass(frozen=True, slots=True)
class LogExchange:
    """A 查控 request or answer passing the gateway, recorded on the case (no other state change)."""

    case_id: str
    kind: str  # sent | accepted | retry_scheduled | rejected | gave_up | answer | duplicate_answer | …
    agency: str
    request_no: str
    measure: str = ""
    ticket_id: str | None = None
    attempt: int = 0
    detail: dict[str, Any] | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class FireTimer:
    timer: Timer

    @property
    def case_id(self) -> str:
        return self.timer.case_id


Command = (
    FileCase | Assign | VerifyIdentity | CorrectIdentity | StartNode | CompleteItem | CompleteNode | Record
    | RequestUnfreeze | ApproveUnfreeze | RejectUnfreeze | RequestLimitChange | ApproveLimitChange
    | LiftSuspension | Close | FireTimer | StartInquiry | InquiryAnswered | InquiryAnswers
    | OpenFeedback | ManualQuery
    | FreezeConfirmed | FreezeQueued | FreezeRenewed | FreezeReleased | DeductionConfirmed | ProceedsArrived
    | SatisfiedInKind | ApprovePayout | PayOut
    | RequestResumption
    | ApproveResumption | ResumptionFiled | HandOverMeasure | TakeOverMeasure | FeeHandedOver | LogExchange
    | ApproveClosing
    | ReturnClosing | AnswerNotRecorded
    | RegisterReceipt | Escrow
)
