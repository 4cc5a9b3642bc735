"""Acts that are signed or approved, and coercive measures with their terms (seed 004 第七部分; node 34).

* A node whose act is signed (``signed_by``: 限制消费令、失信决定书、拘传、罚款拘留 — 院长签发) or approved
  (``approval_any``: 提存 — 执行局局长或主管院领导) completes only with that authority named.
* A node may require others done first (``requires``: 失信 needs 限制消费, seed 004 节点三十七 第3项).
* A measure with a term ends by itself. The term is the node's ``term``, or — a node with ``terms`` (失信) — the
  term of the ground the act names (``CompleteNode.ground``; none named: ``default_ground``), extended by
  ``CompleteNode.extension_years``: 《关于公布失信被执行人名单信息的若干规定》(2017) 第一条's six grounds, 第二条's
  two years for grounds (二)–(六), extendable by one to three years, and no fixed term for ground (一). The
  ``node_done`` event of the act carries the ground and the term.
* The measures of ``roles.lifted_at_closing`` are lifted when the case closes with its controls released
  (全部履行: 同规定 第十条; seed 004 执行完毕 第3项). Each lifting is its own event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core_flow.engine.core import EngineCore
from core_flow.engine.events import Event, EventKind, Outcome, Timer, TimerKind
from core_flow.engine.state import (
    NODE_STATUS,
    CaseState,
    Measure,
    NodeStatus,
)
from core_flow.legal_calendar import Deadline, Period, provisional_years_in
from core_flow.model import Node


@dataclass(frozen=True, slots=True)
class TermPlan:
    """The measure an act takes: its ground (a node with ``terms``), its term (None: no fixed term) and when the
    term ends, planned before any change to the case."""

    ground: int | None
    period: Period | None
    deadline: Deadline | None
    extension_years: int = 0

    def event_data(self, node: Node) -> dict[str, Any]:
        """What the act's ``node_done`` event says of the measure (nothing for a node without ``terms``)."""
        if node.terms is None or self.ground is None:
            return {}
        data: dict[str, Any] = {"ground": self.ground, "ground_name": node.terms.grounds[self.ground].name,
                                "term": str(self.period) if self.period is not None else None}
        if self.extension_years:
            data["extension_years"] = self.extension_years
        return data


class MeasureRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
        }

    def _check_ground(self, node: Node, cmd: Any, now: datetime, out: Outcome) -> bool:
        """The ground and extension an act names are ones its node takes (失信: 1–6; 一至三年 for a term)."""
        ground, extension = getattr(cmd, "ground", None), getattr(cmd, "extension_years", None)
        if ground is None and not extension:
            return True
        terms = node.terms
        if terms is None:
            field = "ground" if ground is not None else "extension_years"
            self.e._refuse(out, cmd, now, "NO_GROUND",
                           f"节点{node.no}（{node.name}）不按事由确定措施期限，不取 {field}",
                           f"node {node.no} ({node.en}) takes no ground or term extension ({field})", (field,))
            return False
        if ground is not None and ground not in terms.grounds:
            listed = "；".join(f"{no} {g.name}" for no, g in terms.grounds.items())
            listed_en = "; ".join(f"{no} {g.en}" for no, g in terms.grounds.items())
            self.e._refuse(out, cmd, now, "UNKNOWN_GROUND",
                           f"节点{node.no}（{node.name}）无事由 {ground}（可选：{listed}）",
                           f"node {node.no} ({node.en}) has no ground {ground} (one of: {listed_en})",
                           tuple(terms.grounds))
            return False
        if extension:
            g = ground if ground is not None else terms.default_ground
            limits = terms.extension_years
            if terms.grounds[g].term is None:
                self.e._refuse(out, cmd, now, "BAD_EXTENSION",
                               f"事由 {g}（{terms.grounds[g].name}）无固定期限，不能延长",
                               f"ground {g} ({terms.grounds[g].en}) has no fixed term to extend", (g, extension))
                return False
            if limits is None or not limits.min <= extension <= limits.max:
                span = f"{limits.min}–{limits.max}" if limits is not None else "—"
                self.e._refuse(out, cmd, now, "BAD_EXTENSION", f"期限延长 {extension} 年不在可延长的 {span} 年之内",
                               f"a {extension}-year extension is outside the {span} years allowed", (extension, span))
                return False
        return True

    def _check_node_act(self, state: CaseState, node: Node, cmd: Any, now: datetime, out: Outcome) -> bool:
        """A signed or approved act names its authority; required nodes are done first."""
        if not self._check_ground(node, cmd, now, out):
            return False
        missing = [no for no in node.requires if state.status(no) != NODE_STATUS.DONE
                   and not any(n == no and ns.status == NodeStatus.DONE for (n, _), ns in state.nodes.items())
                   ] if node.requires else None
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

    def _measure_term_plan(self, node: Node, cmd: Any, now: datetime) -> TermPlan | None:
        """The measure the act takes and its term (checked by ``_check_ground``), planned before any change (a
        term the legal calendar cannot place refuses the act)."""
        if cmd.instance:
            return None
        if node.terms is None:
            return None if node.term is None else TermPlan(None, node.term, self.e.calendar.deadline(now, node.term))
        ground = getattr(cmd, "ground", None)
        ground = node.terms.default_ground if ground is None else ground
        extension = getattr(cmd, "extension_years", None) or 0
        period = node.terms.term(ground, extension)
        deadline = self.e.calendar.deadline(now, period) if period is not None else None
        return TermPlan(ground, period, deadline, extension)

    def _take_measure(self, state: CaseState, node: Node, plan: TermPlan | None, now: datetime,
                      out: Outcome) -> None:
        if node.no not in self.e._measure_nodes:
            return
        token = 0
        ends_at = None
        if plan is not None and (term := plan.deadline) is not None:
            ends_at = term.due
            data: dict[str, Any] = {"due": ends_at, "period": str(plan.period), "measure": node.name}
            if plan.ground is not None:
                data["ground"] = plan.ground
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
