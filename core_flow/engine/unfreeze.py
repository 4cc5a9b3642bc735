"""Unfreezing a frozen node: the request, the named authority's decision, and 层报 (``unfreeze_via``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import EVENT_KIND, Event, EventKind, Outcome
from core_flow.engine.state import (
    NODE_STATUS,
    CaseState,
    NodeState,
    NodeStatus,
)


class UnfreezeRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.RequestUnfreeze: self._request_unfreeze,
            c.ApproveUnfreeze: self._approve_unfreeze,
            c.RejectUnfreeze: self._reject_unfreeze,
        }

    # ── freezes and unfreezes ────────────────────────────────────────────────────────────
    def _frozen_state(self, state: CaseState, cmd: Any, now: datetime, out: Outcome,
                      want: NodeStatus) -> NodeState | None:
        if self.e._unknown_node(state, cmd, now, out):
            return None
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is None or ns.status != want:
            if want == NodeStatus.FROZEN:
                code, zh, en = "NOT_FROZEN", "节点未冻结", "the node is not frozen"
                if ns is not None and ns.status == NodeStatus.UNFREEZE_PENDING:
                    code, zh, en = "UNFREEZE_PENDING", "解冻申请已在审批中", "an unfreeze is already pending"
            else:
                code, zh, en = "NO_UNFREEZE_REQUEST", "该节点没有待审批的解冻申请", "no unfreeze request pending"
            self.e._refuse(out, cmd, now, code, zh, en)
            return None
        return ns

    def _request_unfreeze(self, state: CaseState, cmd: c.RequestUnfreeze, now: datetime, out: Outcome) -> None:
        ns = self._frozen_state(state, cmd, now, out, NODE_STATUS.FROZEN)
        if ns is None:
            return
        ns.status = NODE_STATUS.UNFREEZE_PENDING
        ns.unfreeze_requested_by = cmd.by
        out.events.append(Event(now, state.case_id, EVENT_KIND.UNFREEZE_REQUESTED, ns.no, ns.instance, None,
                                {"by": cmd.by, "reason": cmd.reason, "approver": list(ns.unfreeze_by)}))

    def _decide_unfreeze(self, state: CaseState, cmd: c.ApproveUnfreeze | c.RejectUnfreeze, now: datetime,
                         out: Outcome) -> tuple[NodeState, str] | None:
        """The checks an unfreeze decision shares: a pending request, and an authority the freeze names."""
        ns = self._frozen_state(state, cmd, now, out, NODE_STATUS.UNFREEZE_PENDING)
        if ns is None:
            return None
        pending_via = ns.unfreeze_via[len(ns.forwarded):]
        code = self.e._check_authority(cmd, pending_via[:1] + ns.unfreeze_by, now, out)
        if code is not None and pending_via and code not in pending_via:
            names = "、".join(self.e.process.authority(a).name for a in pending_via)
            self.e._refuse(out, cmd, now, "NOT_FORWARDED", f"解冻申请须先层报经{names}审核",
                         f"the unfreeze request goes up through {', '.join(pending_via)} first (层报)",
                         tuple(pending_via))
            return None
        return None if code is None else (ns, code)

    def _approve_unfreeze(self, state: CaseState, cmd: c.ApproveUnfreeze, now: datetime, out: Outcome) -> None:
        if (decided := self._decide_unfreeze(state, cmd, now, out)) is None:
            return
        ns, code = decided
        if len(ns.forwarded) < len(ns.unfreeze_via):  # 层报: this level agrees and passes the request up
            ns.forwarded.append(code)
            rest = ns.unfreeze_via[len(ns.forwarded):] + ns.unfreeze_by
            out.events.append(Event(now, state.case_id, EventKind.UNFREEZE_FORWARDED, ns.no, ns.instance, None,
                                    {"authority": code, "next": list(rest[:1]) if len(rest) == 1 else list(rest)}))
            return
        ns.status = NODE_STATUS.IN_PROGRESS
        reason = ns.frozen_reason
        ns.frozen_reason = None
        ns.unfreeze_requested_by = None
        out.events.append(Event(now, state.case_id, EVENT_KIND.UNFREEZE_APPROVED, ns.no, ns.instance, None,
                                {"authority": code, "reason": reason}))

    def _reject_unfreeze(self, state: CaseState, cmd: c.RejectUnfreeze, now: datetime, out: Outcome) -> None:
        if (decided := self._decide_unfreeze(state, cmd, now, out)) is None:
            return
        ns, code = decided
        ns.status = NodeStatus.FROZEN
        out.events.append(Event(now, state.case_id, EventKind.UNFREEZE_REJECTED, ns.no, ns.instance, None,
                                {"authority": code, "reason": cmd.reason}))
