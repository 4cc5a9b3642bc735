"""Nodes and work items: starting, completing (signed acts checked by the measure rules), recording anchor events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import _ITEM_DONE, _NODE_STARTED, EngineCore
from core_flow.engine.events import EVENT_KIND, Event, Outcome
from core_flow.engine.state import (
    BLOCKING,
    NODE_STATUS,
    AssetRounds,
    CaseState,
)
from core_flow.legal_calendar import to_cst
from core_flow.model import ENGINE_ANCHORS  # the anchors no ``Record`` takes (filing, assignment, closing, claim met)


class NodeRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.StartNode: self._start,
            c.CompleteItem: self._complete_item,
            c.CompleteNode: self._complete_node,
            c.Record: self._record,
        }

    # ── nodes and items ──────────────────────────────────────────────────────────────────
    def _start(self, state: CaseState, cmd: c.StartNode, now: datetime, out: Outcome) -> None:
        if self.e._unknown_node(state, cmd, now, out):
            return
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is not None and ns.status in BLOCKING:
            self.e._frozen_refusal(out, cmd, now, [ns])
            return
        if ns is not None and ns.status == NODE_STATUS.DONE:
            self.e._refuse(out, cmd, now, "NODE_DONE", "节点已完成", "node already done")
            return
        if ns is not None and ns.started_at is not None:
            self.e._refuse(out, cmd, now, "NODE_STARTED", "节点已开始", "node already started")
            return
        blockers = self.e._blockers(state, cmd.node, cmd.instance)
        if blockers:
            self.e._frozen_refusal(out, cmd, now, blockers)
            return
        node = self.e.process.by_no[cmd.node]
        finishing = [it.key for it in node.items if it.done_on_start and ns is not None
                     and (st := ns.items.get(it.key)) is not None and not st.done]
        plans = [self.e._plan(state, f"{_ITEM_DONE}{node.no}.{key}", cmd.instance, now) for key in finishing]
        started = self.e._plan(state, f"{_NODE_STARTED}{cmd.node}", cmd.instance, now)
        # ── changes from here on ──
        ns = self.e._node_state(state, cmd.node, cmd.instance)
        ns.started_at = now
        if ns.status == NODE_STATUS.NOT_STARTED:
            ns.status = NODE_STATUS.IN_PROGRESS
        out.events.append(Event(now, state.case_id, EVENT_KIND.NODE_STARTED, cmd.node, cmd.instance))
        for key, arms in zip(finishing, plans, strict=True):
            self.e._mark_item_done(state, node, ns, key, now, out, arms)
        self.e._apply(state, started, now, out)

    def _check_can_finish(self, state: CaseState, cmd: Any, now: datetime, out: Outcome) -> bool:
        """Common checks of CompleteItem / CompleteNode."""
        if cmd.node not in self.e.process.by_no and self.e._unknown_node(state, cmd, now, out):
            return False
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is not None and ns.status in BLOCKING:
            self.e._frozen_refusal(out, cmd, now, [ns])
            return False
        if ns is not None and ns.status == NODE_STATUS.DONE:
            self.e._refuse(out, cmd, now, "NODE_DONE", "节点已完成", "node already done")
            return False
        blockers = self.e._blockers(state, cmd.node, cmd.instance)
        if blockers:
            self.e._frozen_refusal(out, cmd, now, blockers)
            return False
        return True

    def _complete_item(self, state: CaseState, cmd: c.CompleteItem, now: datetime, out: Outcome) -> None:
        node = self.e._node_def(cmd.node)
        armed = state.nodes.get((cmd.node, cmd.instance))
        if node is not None and all(it.key != cmd.item for it in node.items) and (
                armed is None or cmd.item not in armed.items):
            keys = ", ".join(it.key for it in node.items) or "—"
            self.e._refuse(out, cmd, now, "UNKNOWN_ITEM", f"节点 {cmd.node} 无工作事项 {cmd.item}（可选：{keys}）",
                         f"node {cmd.node} has no work item {cmd.item} (one of: {keys})")
            return
        existing = state.nodes.get((cmd.node, cmd.instance))
        st = existing.items.get(cmd.item) if existing is not None else None
        # an item armed after its node closed (the 结案 node's post-closing work) may still be done
        late_item = existing is not None and existing.status == NODE_STATUS.DONE and st is not None and not st.done
        if not late_item and not self._check_can_finish(state, cmd, now, out):
            return
        if st is not None and st.done:
            self.e._refuse(out, cmd, now, "ITEM_DONE", "工作事项已完成", "work item already done")
            return
        arms = self.e._plan(state, f"{_ITEM_DONE}{cmd.node}.{cmd.item}", cmd.instance, now)
        ns = self.e._node_state(state, cmd.node, cmd.instance)
        if ns.status == NODE_STATUS.NOT_STARTED:
            ns.status = NODE_STATUS.IN_PROGRESS
        self.e._mark_item_done(state, self.e.process.by_no[cmd.node], ns, cmd.item, now, out, arms)

    def _complete_node_by_system(self, state: CaseState, cmd: c.CompleteNode, now: datetime, out: Outcome) -> None:
        self._complete_node(state, cmd, now, out, system=True)

    def _complete_node(self, state: CaseState, cmd: c.CompleteNode, now: datetime, out: Outcome, *,
                       system: bool = False) -> None:
        if not self._check_can_finish(state, cmd, now, out):
            return
        node = self.e.process.by_no[cmd.node]
        if not system and not self.e.measures._check_node_act(state, node, cmd, now, out):
            return
        term = self.e.measures._measure_term_plan(node, cmd, now)
        existing = state.nodes.get((cmd.node, cmd.instance))
        open_keys = [k for k, st in existing.items.items() if not st.done] if existing is not None else []
        plans = [self.e._plan(state, f"{_ITEM_DONE}{node.no}.{k}", cmd.instance, now) for k in open_keys]
        ns = self.e._node_state(state, cmd.node, cmd.instance)
        for key, arms in zip(open_keys, plans, strict=True):
            self.e._mark_item_done(state, node, ns, key, now, out, arms)
        ns.status = NODE_STATUS.DONE
        ns.done_at = now
        data = {"authority": self.e.process.authority(cmd.authority).code} if cmd.authority else None
        if term is not None and (measure := term.event_data(node)):  # 失信: the ground listed on and its term
            data = {**(data or {}), **measure}
        out.events.append(Event(now, state.case_id, EVENT_KIND.NODE_DONE, cmd.node, cmd.instance, None, data))
        self.e.measures._take_measure(state, node, term, now, out)

    def _record(self, state: CaseState, cmd: c.Record, now: datetime, out: Outcome) -> None:
        anchor = cmd.anchor
        if anchor not in self.e.process.anchors or anchor in ENGINE_ANCHORS:
            known = ", ".join(k for k in self.e.process.anchors if k not in ENGINE_ANCHORS)
            self.e._refuse(out, cmd, now, "UNKNOWN_ANCHOR", f"未知事件 {anchor}（可选：{known}）",
                         f"unknown event {anchor} (one of: {known})")
            return
        if anchor in self.e._round_anchors and not cmd.instance:  # the release gate reads rounds per asset
            self.e._refuse(out, cmd, now, "ANCHOR_NEEDS_ASSET",
                           f"事件 {anchor} 按财产记录（拍卖轮次的开始或结束），须写明财产（instance）",
                           f"{anchor} is per asset (a round of its sale starts or ends): name the asset (instance)")
            return
        at = cmd.at or now
        data = {"anchor": anchor, "at": at, **cmd.attrs}  # the anchor event's data, also what overrides read
        arms = self.e._plan(state, anchor, cmd.instance, at, data)
        if anchor in self.e._gate_anchors:  # a node waits for it (限消 until the notice's period ends)
            state.not_before[anchor] = to_cst(at)
        if anchor in self.e._round_anchors:  # a round of the asset's sale starts (at) or ends, kept by instant
            rounds = state.rounds.get(cmd.instance, AssetRounds())
            state.rounds[cmd.instance] = (
                rounds.with_start(anchor, to_cst(at), to_cst(now)) if anchor in self.e._round_start_anchors
                else rounds.with_end(anchor, to_cst(at), to_cst(now)))
        out.events.append(Event(now, state.case_id, EVENT_KIND.ANCHOR, None, cmd.instance, None, data))
        self.e._apply(state, arms, now, out)
        self.e._withdraw(state, anchor, cmd.instance, now, out)
