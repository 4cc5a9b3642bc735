"""The driver interface's messages and the operations a driver must offer (typed, validated)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from core_flow.protocol import Subject

# The commands a driver takes by name (the engine's command classes; fields as in core_flow.engine.commands).
COMMANDS = (
    "Assign", "VerifyIdentity", "CorrectIdentity", "StartNode", "CompleteItem", "CompleteNode", "Record",
    "RequestUnfreeze", "ApproveUnfreeze", "RejectUnfreeze", "RequestLimitChange", "ApproveLimitChange",
    "LiftSuspension", "Close", "ApproveClosing", "ReturnClosing", "OpenFeedback", "ManualQuery", "ApprovePayout",
    "PayOut", "RegisterReceipt", "Escrow", "RequestResumption", "ApproveResumption",
)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseFiling(_M):
    """立案: the case and its debtors (their identities)."""

    case_id: str = Field(min_length=1, max_length=64, description="案号 / case number")
    case_type: str = Field("first", pattern="^(first|resumed|preservation)$",
                           description="首次执行 first / 恢复执行 resumed / 财产保全 preservation")
    money: bool = Field(True, description="金钱给付 / a money judgment")
    nonlitigation: bool = Field(False, description="非诉执行 (3-month limit)")
    amount_cents: int = Field(0, ge=0, le=10**15, description="执行标的（分）/ the claim, in cents")
    filed_at: datetime | None = Field(None, description="立案时间；缺省为法院当前时间 / default: the court's now")
    debtors: list[Subject] = Field(min_length=1, description="被执行人 / debtors")
    previous_case: str | None = None
    previous_handler: str | None = None
    shixin_eligible: bool = False


class CommandBody(_M):
    type: str = Field(description="命令名（见 COMMANDS）/ the command's name", examples=["Assign"])
    fields: dict[str, Any] = Field(default_factory=dict, description="命令字段 / the command's fields",
                                   examples=[{"handler": "张法官"}])


class CommandResult(_M):
    accepted: bool
    code: str | None = Field(None, description="拒绝代码 / the refusal's code")
    message: str | None = Field(None, description="拒绝说明（中文 / English）/ why it was refused")


class NodeView(_M):
    node: int
    instance: str = ""
    status: str = Field(description="not_started | in_progress | warned | frozen | unfreeze_pending | done")
    items: dict[str, dict[str, Any]] = Field(default_factory=dict, description="事项：期限与状态 / work items")


class CourtDriver(Protocol):
    """What a harness needs from a court case system under test."""

    def now(self) -> datetime: ...

    def file(self, filing: CaseFiling) -> CommandResult: ...

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult: ...

    def events(self, case_id: str) -> list[dict[str, Any]]: ...

    def nodes(self, case_id: str) -> list[NodeView]: ...
