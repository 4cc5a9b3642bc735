"""Events (the record of every state change), timers (data, not callbacks) and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core_flow.engine.records import fast_init
from core_flow.enum_members import members_of


class EventKind(StrEnum):
    FILED = "filed"
    ASSIGNED = "assigned"
    IDENTITY_VERIFIED = "identity_verified"
    IDENTITY_FAILED = "identity_failed"
    IDENTITY_CORRECTED = "identity_corrected"
    INQUIRY_TRIGGERED = "inquiry_triggered"  # 集约查询 starts for a debtor
    ANCHOR = "anchor"  # an anchor event was recorded
    DEADLINE_SET = "deadline_set"
    DEADLINE_WITHDRAWN = "deadline_withdrawn"  # the work became moot (item ``ends_on``): its deadline no longer runs
    NODE_STARTED = "node_started"
    ITEM_DONE = "item_done"
    NODE_DONE = "node_done"
    WARNING = "warning"  # 预警
    DEADLINE_MISSED = "deadline_missed"  # 超期
    NODE_FROZEN = "node_frozen"  # 节点冻结
    UNFREEZE_REQUESTED = "unfreeze_requested"
    UNFREEZE_APPROVED = "unfreeze_approved"  # 解冻
    UNFREEZE_REJECTED = "unfreeze_rejected"
    UNFREEZE_FORWARDED = "unfreeze_forwarded"  # 层报: a lower level agreed and passed the request up
    LIMIT_CHANGE_REQUESTED = "limit_change_requested"
    LIMIT_EXTENDED = "limit_extended"
    LIMIT_SUSPENDED = "limit_suspended"
    LIMIT_RESUMED = "limit_resumed"
    CLOSED = "closed"
    SWEEP_DUE = "sweep_due"  # 终本统查
    REFUSED = "refused"  # a command was refused (no state change)
    INQUIRY_STARTED = "inquiry_started"  # 集约查询 sent to its scope
    INQUIRY_ANSWERED = "inquiry_answered"  # an agency reported property
    INQUIRY_NONE_FOUND = "inquiry_none_found"  # agencies answered that the debtor holds nothing there
    INQUIRY_FAILED = "inquiry_failed"  # agencies answered that the query failed (查询失败)
    INQUIRY_COMPLETED = "inquiry_completed"  # every in-scope agency answered
    FEEDBACK_RECEIVED = "feedback_received"  # an answer reported property: the 3-day view rule runs
    FEEDBACK_OPENED = "feedback_opened"  # 点击查看
    DUBAN_RAISED = "duban_raised"  # 执行督办: not opened within 3 days
    DUBAN_CLOSED = "duban_closed"
    MANUAL_QUERY = "manual_query"
    FUNDS_FROZEN = "funds_frozen"
    FREEZE_QUEUED = "freeze_queued"  # 轮候冻结（查封）登记
    FREEZE_RENEWED = "freeze_renewed"  # 续行冻结
    FREEZE_RELEASED = "freeze_released"
    FUNDS_ARRIVED = "funds_arrived"  # 划拨 into the 一案一账号
    PROCEEDS_ARRIVED = "proceeds_arrived"  # 变价款 (a sale's proceeds) into the 一案一账号
    SATISFIED_IN_KIND = "satisfied_in_kind"  # 以物抵债: the accepted in-kind value reduces the claim
    PAYOUT_APPROVED = "payout_approved"
    PAID_OUT = "paid_out"
    FEE_SETTLED = "fee_settled"  # 执行申请费 settled from a receipt at its payout (process.yaml ``fees``, off)
    # the money claim met (paid out, escrowed or taken in kind; no fee left): the anchor ``claim_met`` (the selling
    # deadlines of the disposal end, process.yaml ``ends_on``) — recorded by the engine, once per case
    CLAIM_MET = "claim_met"
    RESUMPTION_REQUESTED = "resumption_requested"
    RESUMPTION_APPROVED = "resumption_approved"  # → pushed to the local filing system
    RESUMPTION_FILED = "resumption_filed"
    FEE_HANDED_OVER = "fee_handed_over"  # a 终本 case's application fee goes with it to its 恢复执行 case (``fees``)
    MEASURE_HANDED_OVER = "measure_handed_over"  # a 终本 case's freeze / seal continues in its 恢复执行 case
    EXCHANGE = "exchange"  # a 查控 request or answer through the gateway
    INQUIRY_UNRECORDED = "inquiry_unrecorded"  # an agency's answer the engine refused: recorded with the reason
    CLOSING_REQUESTED = "closing_requested"  # 报结, waiting for 审判管理办公室
    CLOSING_RETURNED = "closing_returned"  # 报结 returned
    RECEIPT_REGISTERED = "receipt_registered"  # 到账登记
    ESCROWED = "escrowed"  # 提存
    MEASURE_LIFTED = "measure_lifted"  # 限制消费 / 失信 lifted (full performance, or the 失信 term ended)
    OPERATION_BLOCKED = "operation_blocked"  # a system event could not complete its node (the node is frozen)


EVENT_KIND = members_of(EventKind)  # for hot code: see core_flow.enum_members


@fast_init
@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    case_id: str
    kind: EventKind
    node: int | None = None
    instance: str = ""
    item: str | None = None
    data: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: instants as ISO 8601 with their +08:00 offset."""
        return {
            "at": self.at.isoformat(),
            "case_id": self.case_id,
            "kind": str(self.kind),
            "node": self.node,
            "instance": self.instance,
            "item": self.item,
            "data": {k: _plain(v) for k, v in (self.data or {}).items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class TimerKind(StrEnum):
    WARN = "warn"
    EXPIRE = "expire"
    SWEEP = "sweep"
    VIEW = "view"  # the 3-day view rule of 集约查询 feedback
    TERM = "term"  # a measure's term ends (失信: 2 years)


TIMER_KIND = members_of(TimerKind)  # for hot code: see core_flow.enum_members


@fast_init
@dataclass(frozen=True, slots=True)
class Timer:
    """A timer to arm. Stale timers (token no longer current) are ignored when they fire."""

    due: datetime
    case_id: str
    kind: TimerKind
    node: int
    item: str
    instance: str
    token: int


@fast_init
@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    zh: str
    en: str
    details: tuple[Any, ...] = ()

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(slots=True)
class Outcome:
    """What one command produced."""

    events: list[Event]
    timers: list[Timer]
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def answered_agencies(event: Event) -> list[str]:
    """The agencies whose 集约查询 answer ``event`` records (none for other kinds)."""
    if event.kind == EventKind.INQUIRY_ANSWERED:
        return [event.data["agency"]]
    if event.kind in (EventKind.INQUIRY_NONE_FOUND, EventKind.INQUIRY_FAILED, EventKind.INQUIRY_UNRECORDED):
        return list(event.data["agencies"])
    return []
