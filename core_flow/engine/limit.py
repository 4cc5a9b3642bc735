"""The case's time limit (审限, the closing node's item) and 期限变更: extension and suspension. Every extension is
approved as process.yaml `limit.extension` says (the president, 审限规定 第五条); a further one is also recorded as
filed (备案, `filed_with`) with the courts above, which do not approve it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import Event, EventKind, Outcome
from core_flow.engine.state import (
    CaseState,
)
from core_flow.legal_calendar import Period, Unit
from core_flow.model import Node, WorkItem


class LimitRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.RequestLimitChange: self._request_limit,
            c.ApproveLimitChange: self._approve_limit,
            c.LiftSuspension: self._lift_suspension,
        }

    # ── the time limit (nodes 42/43) ─────────────────────────────────────────────────────
    def _limit_item(self) -> tuple[Node, WorkItem]:
        node = self.e.process.by_no[self.e.process.limit.node]
        return node, node.items[0]

    def _limit_due(self, state: CaseState, extensions: int, suspended_days: int) -> tuple[datetime, Period]:
        """The 审限: 6 (非诉 3) months from filing, plus approved extensions, shifted by suspensions."""
        _, item = self._limit_item()
        base = item.period_for(state.attrs)
        period = Period(base.amount + extensions * self.e.process.limit.extension.months, Unit.MONTHS)
        start = state.filed_at + timedelta(days=suspended_days)
        return self.e.calendar.deadline(start, period, item.policy).due, period

    def _rearm_limit(self, state: CaseState, due: datetime, period: Period, now: datetime, out: Outcome) -> None:
        node, item = self._limit_item()
        st = self.e._node_state(state, node.no, "").items.get(item.key)
        if st is not None:
            st.overdue = False
            st.warned = False
        lead, _ = self.e._lead_for(node, item, item.period_for(state.attrs))
        self.e._arm_at(state, node, item.key, "", due, str(period), lead, now, out,
                       freeze=item.freezes_for(state.attrs))

    def _request_limit(self, state: CaseState, cmd: c.RequestLimitChange, now: datetime, out: Outcome) -> None:
        if cmd.kind not in ("extend", "suspend"):
            self.e._refuse(out, cmd, now, "BAD_LIMIT_CHANGE", f"期限变更类型应为 extend 或 suspend，而非 {cmd.kind}",
                         f"limit change kind must be extend or suspend, not {cmd.kind}")
            return
        if not cmd.reason.strip():  # "录入期限变更的原因、时间等节点必填项信息" (seed 004 节点四十二 第2项)
            self.e._refuse(out, cmd, now, "REASON_REQUIRED", "期限变更须录入原因（节点42必填项）",
                           "a limit change needs its reason (a mandatory field of node 42)")
            return
        if cmd.kind == "suspend" and state.limit.suspended_since is not None:
            self.e._refuse(out, cmd, now, "ALREADY_SUSPENDED", "审限已中止", "the limit is already suspended")
            return
        state.limit.pending = cmd.kind
        out.events.append(Event(now, state.case_id, EventKind.LIMIT_CHANGE_REQUESTED, self.e.roles.limit_change, "",
                                None,
                                {"kind": cmd.kind, "reason": cmd.reason}))

    def _approve_limit(self, state: CaseState, cmd: c.ApproveLimitChange, now: datetime, out: Outcome) -> None:
        pending = state.limit.pending
        if pending is None:
            self.e._refuse(out, cmd, now, "NO_LIMIT_CHANGE", "没有待审批的期限变更", "no limit change pending")
            return
        rules = self.e.process.limit
        if pending == "extend":
            allowed = rules.extension.first if state.limit.extensions == 0 else rules.extension.further
        else:
            allowed = rules.suspension.get("authority", ())
        code = self.e._check_authority(cmd, allowed, now, out)
        if code is None:
            return
        node, item = self._limit_item()
        due = period = None
        if pending == "extend" and state.limit.suspended_since is None:
            due, period = self._limit_due(state, state.limit.extensions + 1, state.limit.suspended_days)
        # ── changes from here on ──
        state.limit.pending = None
        if pending == "extend":
            state.limit.extensions += 1
            if due is not None:
                self._rearm_limit(state, due, period, now, out)
            data: dict[str, Any] = {"authority": code, "extensions": state.limit.extensions, "due": due}
            if state.limit.extensions > 1 and rules.extension.further_filed_with:
                # 还需延长的，层报高级人民法院备案: filed level by level once approved (recorded; nobody approves it)
                data["filed_with"] = list(rules.extension.further_filed_with)
            out.events.append(Event(now, state.case_id, EventKind.LIMIT_EXTENDED, self.e.roles.limit_change, "", None,
                                    data))
        else:
            state.limit.suspended_since = now
            st = self.e._node_state(state, node.no, "").items.get(item.key)
            if st is not None:
                st.token = -1  # the pending expiry timer is now stale
            out.events.append(Event(now, state.case_id, EventKind.LIMIT_SUSPENDED, self.e.roles.limit_change, "", None,
                                    {"authority": code}))

    def _lift_suspension(self, state: CaseState, cmd: c.LiftSuspension, now: datetime, out: Outcome) -> None:
        since = state.limit.suspended_since
        if since is None:
            self.e._refuse(out, cmd, now, "NOT_SUSPENDED", "审限未中止", "the limit is not suspended")
            return
        days = state.limit.suspended_days + (now.date() - since.date()).days
        due, period = self._limit_due(state, state.limit.extensions, days)
        state.limit.suspended_days = days
        state.limit.suspended_since = None
        self._rearm_limit(state, due, period, now, out)
        out.events.append(Event(now, state.case_id, EventKind.LIMIT_RESUMED, self.e.roles.limit_change, "", None,
                                {"suspended_days": state.limit.suspended_days, "due": due}))
