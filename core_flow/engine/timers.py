"""Timers firing: warnings, expiries (node freezes, 督办 for items marked so), sweeps, the view rule, terms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import EVENT_KIND, TIMER_KIND, Event, EventKind, Outcome, Timer
from core_flow.engine.state import (
    BLOCKING,
    NODE_STATUS,
    CaseState,
    NodeStatus,
)


class TimerRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.FireTimer: self._fire,
        }

    # ── timers ───────────────────────────────────────────────────────────────────────────
    def stale(self, state: CaseState, t: Timer) -> bool:
        """A warning, expiry or sweep timer whose item was done or re-armed since: firing it changes nothing (no
        event, no timer, no state). Most warnings are: the item was done before its lead."""
        if t.kind == TIMER_KIND.VIEW or t.kind == TIMER_KIND.TERM:
            return False
        ns = state.nodes.get((t.node, t.instance))
        st = ns.items.get(t.item) if ns is not None else None
        return st is None or st.token != t.token or st.done

    def _fire(self, state: CaseState, cmd: c.FireTimer, now: datetime, out: Outcome) -> None:
        self.fire(state, cmd.timer, now, out)

    def fire(self, state: CaseState, t: Timer, now: datetime, out: Outcome) -> None:
        """Timer ``t`` falls due on ``state`` at ``now`` (``FireTimer``; ``Engine.fire_timer`` calls it directly)."""
        if t.kind == TIMER_KIND.VIEW:
            self.e.spc._fire_view(state, t, now, out)
            return
        if t.kind == TIMER_KIND.TERM:
            self.e.measures._fire_term(state, t, now, out)
            return
        if self.stale(state, t):
            return
        ns = state.nodes[(t.node, t.instance)]
        st = ns.items[t.item]
        if t.kind == TIMER_KIND.SWEEP:
            st.done = True
            count = sum(1 for s in ns.items.values() if s.done)
            out.events.append(Event(now, state.case_id, EventKind.SWEEP_DUE, t.node, "", t.item,
                                    {"round": int(t.item.split("_")[1]), "done": count}))
            if all(s.done for s in ns.items.values()):
                ns.status = NodeStatus.DONE
                ns.done_at = now
            return
        if t.kind == TIMER_KIND.WARN:
            out.timers.append(Timer(st.due, t.case_id, TIMER_KIND.EXPIRE, t.node, t.item, t.instance, t.token))
            if st.warned:
                return
            st.warned = True
            if ns.status in (NODE_STATUS.NOT_STARTED, NODE_STATUS.IN_PROGRESS):
                ns.status = NODE_STATUS.WARNED
            node = self.e.process.by_no[t.node]
            # 预警 "提醒该节点工作内容、完成时限以及下一节点名称" (guideline 第一部分 5): the work item's content, its
            # deadline and the next nodes' names
            work = next((it.name for it in node.items if it.key == t.item), None) or next(
                (it.name for m in self.e.process.closing_manners for it in m.items if f"{m.code}_{it.key}" == t.item),
                t.item)  # a closing manner's item (``zhongben_publish``) is armed on the closing node
            out.events.append(Event(now, state.case_id, EVENT_KIND.WARNING, t.node, t.instance, t.item,
                                    {"due": st.due, "node_name": node.name, "work": work,
                                     "next": [self.e.process.by_no[n].name for n in node.next]}))
            return
        st.overdue = True
        out.events.append(Event(now, state.case_id, EVENT_KIND.DEADLINE_MISSED, t.node, t.instance, t.item,
                                {"due": st.due}))
        node = self.e.process.by_no[t.node]
        item = next((it for it in node.items if it.key == t.item), None)
        if item is not None and item.duban and st.duban is None:
            st.duban = "open"  # 未及时启动拍卖 / 二拍: 通过执行指挥管理平台督办
            out.events.append(Event(now, state.case_id, EVENT_KIND.DUBAN_RAISED, t.node, t.instance, t.item,
                                    {"due": st.due, "node_name": node.name, "module": self.e.process.inquiry.duban}))
        if st.freeze and ns.status not in BLOCKING and ns.status != NODE_STATUS.DONE:
            self.e._freeze(state, ns, f"DEADLINE:{t.item}", node.unfreeze, now, out, node.unfreeze_via)
