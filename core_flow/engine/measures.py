"""Acts that are signed or approved, and coercive measures with their terms (seed 004 第七部分; node 34).

* A node whose act is signed (``signed_by``: 限制消费令、失信决定书、拘传、罚款拘留 — 院长签发) or approved
  (``approval_any``: 提存 — 执行局局长或主管院领导) completes only with that authority named.
* A node may require others done first (``requires``: 失信 needs 限制消费, seed 004 节点三十七 第3项).
* A measure with a ``term`` (失信: 2 years, 《关于公布失信被执行人名单信息的若干规定》(2017) 第二条) ends by
  itself; the measures of ``roles.lifted_at_closing`` are lifted when the case closes with its controls released
  (全部履行: 同规定 第十条; seed 004 执行完毕 第3项). Each lifting is its own event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine.core import EngineCore
from core_flow.engine.events import Event, EventKind, Outcome, Timer, TimerKind
from core_flow.engine.state import (
    CaseState,
    Measure,
    NodeStatus,
)
from core_flow.legal_calendar import Deadline, provisional_years_in
from core_flow.model import Node


class MeasureRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
        }

    def _check_node_act(self, state: CaseState, node: Node, cmd: Any, now: datetime, out: Outcome) -> bool:
        """A signed or approved act names its authority; required nodes are done first."""
        missing = [no for no in node.requires if state.status(no) != NodeStatus.DONE
                   and not any(n == no and ns.status == NodeStatus.DONE for (n, _), ns in state.nodes.items())]
        if missing:
            names = "、".join(f"{no}（{self.e.process.by_no[no].name}）" for no in missing)
            self.e._refuse(out, cmd, now, "REQUIRES_NODE", f"须先完成节点{names}",
                         f"node(s) {', '.join(map(str, missing))} must be done first", tuple(missing))
            return False
        for anchor in node.not_before:
            if (until := state.not_before.get(anchor)) is not None and now < until:
                zh, _, en = self.e.process.anchors[anchor].partition(" / ")
                en = en.removesuffix(" (at)") or anchor
                self.e._refuse(out, cmd, now, "NOT_YET",
                               f"节点{node.no}（{node.name}）须待{zh}（{until:%Y-%m-%d %H:%M}）之后",
                               f"node {node.no} ({node.en}): not before {en} ({until:%Y-%m-%d %H:%M})",
                               (anchor, until.isoformat()))
                return False
        allowed = node.signed_by or node.approval_any
        if not allowed:
            return True
        if cmd.authority is None:
            names = "、".join(self.e.process.authority(a).name for a in allowed)
            verb = ("签发", "signed") if node.signed_by else ("审批", "approved")
            self.e._refuse(out, cmd, now, "SIGNATURE_REQUIRED", f"节点{node.no}（{node.name}）须经{names}{verb[0]}",
                         f"node {node.no} must be {verb[1]} by {', '.join(allowed)}", tuple(allowed))
            return False
        return self.e._check_authority(cmd, allowed, now, out) is not None

    def _measure_term_plan(self, node: Node, instance: str, now: datetime) -> Deadline | None:
        if node.term is None or instance:
            return None
        return self.e.calendar.deadline(now, node.term)  # planned before any change (may refuse)

    def _take_measure(self, state: CaseState, node: Node, term: Deadline | None, now: datetime,
                      out: Outcome) -> None:
        if node.no not in self.e._measure_nodes:
            return
        token = 0
        ends_at = term.due if term is not None else None
        if term is not None:
            data: dict[str, Any] = {"due": ends_at, "period": str(node.term), "measure": node.name}
            if term.warnings:
                data["calendar_warnings"] = list(term.warnings)
                if years := provisional_years_in(term.warnings):
                    data["calendar_provisional"] = years
            out.events.append(Event(now, state.case_id, EventKind.DEADLINE_SET, node.no, "", "term", data))
            token = state.next_token
            state.next_token += 1
            out.timers.append(Timer(ends_at, state.case_id, TimerKind.TERM, node.no, "term", "", token))
        state.measures[node.no] = Measure(now, ends_at, token)

    def _measures_in_force(self, state: CaseState) -> list[int]:
        return [no for no in self.e.roles.lifted_at_closing
                if (m := state.measures.get(no)) is not None and m.lifted_at is None]

    def _lift_measure(self, state: CaseState, no: int, reason: str, now: datetime, out: Outcome) -> None:
        m = state.measures[no]
        m.lifted_at = now
        m.lifted_reason = reason
        m.token = -1
        out.events.append(Event(now, state.case_id, EventKind.MEASURE_LIFTED, no, "", None,
                                {"measure": self.e.process.by_no[no].name, "reason": reason}))

    def _fire_term(self, state: CaseState, timer: Timer, now: datetime, out: Outcome) -> None:
        m = state.measures.get(timer.node)
        if m is None or m.token != timer.token or m.lifted_at is not None:
            return
        self._lift_measure(state, timer.node, "term_ended", now, out)
