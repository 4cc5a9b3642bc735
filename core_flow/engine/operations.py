"""What the court's case system does by itself: system events start or complete nodes (process ``operations``).

After a command is applied, each of its events that the process maps (``operations`` in process.yaml) starts or
completes its node — the instance the event names, the case's, or every instance. A node that is frozen (or kept
from moving by a frozen predecessor) is not completed: an ``operation_blocked`` event says so, and the handler
completes it by hand once unfrozen. An operation never refuses the command that caused it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import EVENT_KIND, Event, EventKind, Outcome
from core_flow.engine.state import (
    BLOCKING,
    NODE_STATUS,
    CaseState,
)
from core_flow.legal_calendar import CalendarRangeError
from core_flow.model import Operation


class OperationRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine
        self._index = engine.process.operations_by_event  # event kind → its operations (the process is immutable)

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
        }

    def _run_operations(self, state: CaseState, now: datetime, out: Outcome) -> None:
        index = self._index
        if not index:
            return
        case_id = state.case_id
        for ev in out.events:  # a list's iterator sees what is appended meanwhile: events an operation adds too
            ops = index.get(ev.kind)
            if ops is None or ev.case_id != case_id:
                continue
            for op in ops:
                if op.when and not all((ev.data or {}).get(k) == v for k, v in op.when.items()):
                    continue
                for instance in self._op_instances(state, op, ev):
                    self._operate(state, op, instance, ev, now, out)

    def _op_instances(self, state: CaseState, op: Operation, ev: Event) -> list[str]:
        if op.instance == "case":
            return [""]
        if op.instance == "event":
            return [ev.instance]
        return [inst for (n, inst), _ in state.nodes.items() if n == op.node] or [""]

    def _operate(self, state: CaseState, op: Operation, instance: str, ev: Event, now: datetime,
                 out: Outcome) -> None:
        ns = state.nodes.get((op.node, instance))
        if ns is not None and (ns.status == NODE_STATUS.DONE or (op.start is not None and ns.started_at is not None)):
            return  # already done (or started): nothing to do
        if op.item is not None and ns is not None and (st := ns.items.get(op.item)) is not None and st.done:
            return
        blocked = ([ns] if ns is not None and ns.status in BLOCKING else []) or self.e._blockers(state, op.node,
                                                                                             instance)
        if blocked:
            out.events.append(Event(now, state.case_id, EVENT_KIND.OPERATION_BLOCKED, op.node, instance, op.item,
                                    {"on": op.event, "frozen": [[b.no, b.instance] for b in blocked]}))
            return
        if op.start is not None:
            cmd: c.Command = c.StartNode(state.case_id, op.node, instance)
            handler = self.e.nodes._start
        elif op.item is not None:
            cmd = c.CompleteItem(state.case_id, op.node, op.item, instance)
            handler = self.e.nodes._complete_item
        else:
            cmd = c.CompleteNode(state.case_id, op.node, instance)
            handler = self.e.nodes._complete_node_by_system
        mark = len(out.events)
        try:
            handler(state, cmd, now, out)
        except CalendarRangeError as err:  # strict calendar: the node stays open, and the record says why
            out.events.append(Event(now, state.case_id, EventKind.OPERATION_BLOCKED, op.node, instance, op.item,
                                    {"on": op.event, "code": "CALENDAR_RANGE", "zh": err.zh, "en": err.en}))
            return
        if out.refusal is not None:  # checked above, so not expected: never refuse the command that caused it
            refusal, out.refusal = out.refusal, None
            del out.events[mark:]
            out.events.append(Event(now, state.case_id, EventKind.OPERATION_BLOCKED, op.node, instance, op.item,
                                    {"on": op.event, "code": refusal.code, "zh": refusal.zh, "en": refusal.en}))
