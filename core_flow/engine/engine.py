"""The deterministic engine: ``handle(state, command, now)`` → events and timers.

Functional core (DESIGN.md "The engine"): no wall clock, no sleeping, no I/O. ``now`` is passed in;
timers are returned as data and armed by whoever runs the engine (``core_flow.runtime``) on a clock.
A command is either refused — state untouched, one ``refused`` event for the record — or applied:
every check runs before the first change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.events import Event, EventKind, Outcome, Refusal, Timer, TimerKind
from core_flow.engine.gate import unmet_zhongben_conditions
from core_flow.engine.measures import MeasureRules
from core_flow.engine.money import MoneyRules
from core_flow.engine.operations import OperationRules
from core_flow.engine.resumption import ResumptionRules
from core_flow.engine.spc import SpcRules
from core_flow.engine.state import BLOCKING, CaseState, ItemState, NodeState, NodeStatus
from core_flow.legal_calendar import (
    CalendarRangeError,
    LegalCalendar,
    Period,
    Unit,
    provisional_years_in,
    to_cst,
)
from core_flow.model import ClosingManner, Direction, Node, Per, Process, WorkItem

_ITEM_DONE = "item_done:"
_NODE_STARTED = "node_started:"


@dataclass(frozen=True, slots=True)
class _Arm:
    """A deadline to arm, computed before the state changes."""

    node: Node
    key: str
    instance: str
    due: datetime
    period: str
    lead: timedelta
    warnings: tuple[str, ...]
    freeze: bool = False


def _lead(period: Period) -> timedelta:
    unit = period.unit
    if unit == Unit.HOURS:
        return timedelta(hours=period.amount)
    if unit in (Unit.DAYS, Unit.WORKING_DAYS):
        return timedelta(days=period.amount)
    if unit == Unit.MONTHS:
        return timedelta(days=30 * period.amount)
    if unit == Unit.YEARS:
        return timedelta(days=365 * period.amount)
    return timedelta(hours=6)  # same_day


# Commands a closed case still takes: its post-closing work, its timers, releases, the 终本 register's path
# back (sweep findings, freezes from 终本管理, resumption), and late answers or views of 集约查询 feedback.
_AFTER_CLOSING = (
    c.FireTimer, c.Record, c.CompleteItem, c.CompleteNode, c.StartNode, c.FreezeConfirmed, c.FreezeReleased,
    c.FreezeRenewed,
    c.InquiryAnswered, c.InquiryAnswers, c.OpenFeedback, c.RequestResumption, c.ApproveResumption, c.ResumptionFiled,
    c.ManualQuery, c.LogExchange, c.AnswerNotRecorded, c.RegisterReceipt, c.Escrow, c.ApprovePayout, c.PayOut,
    c.ProceedsArrived,
)
# Commands a case whose 立案 node is frozen for a kept handler (node 46) still takes: the unfreeze itself, its timers,
# the record, and facts reported by agencies (answers, freezes and deductions that took effect at a bank).
_WHILE_FILING_FROZEN = (
    c.RequestUnfreeze, c.ApproveUnfreeze, c.RejectUnfreeze, c.FireTimer, c.LogExchange, c.InquiryAnswered,
    c.InquiryAnswers, c.AnswerNotRecorded, c.FreezeConfirmed, c.FreezeReleased, c.FreezeRenewed,
    c.DeductionConfirmed,
)


class Engine(SpcRules, MoneyRules, ResumptionRules, MeasureRules, OperationRules):
    """Runs one ``Process`` on a ``LegalCalendar``. Holds no case state itself."""

    def __init__(self, process: Process, calendar: LegalCalendar) -> None:
        self.process = process
        self.calendar = calendar
        self._preds: dict[int, tuple[Node, ...]] = {
            n.no: tuple(p for p in process.nodes if n.no in p.next) for n in process.nodes
        }
        self._leads: dict[tuple[int, str, Period], tuple[timedelta, str]] = {}
        self.roles = process.roles
        self._sweep_node = process.sweep_node
        self._measure_nodes = frozenset((self.roles.consumption_restriction, self.roles.shixin))
        self._post_close = {
            n.no for n in process.nodes
            if n.sweep is not None or any(a in ("closed", "property_found_after_zhongben")
                                          for it in n.items for a in it.anchor)
        }
        self._handlers = {
            c.FileCase: self._file,
            c.Assign: self._assign,
            c.VerifyIdentity: self._verify,
            c.CorrectIdentity: self._correct,
            c.StartNode: self._start,
            c.CompleteItem: self._complete_item,
            c.CompleteNode: self._complete_node,
            c.Record: self._record,
            c.RequestUnfreeze: self._request_unfreeze,
            c.ApproveUnfreeze: self._approve_unfreeze,
            c.RejectUnfreeze: self._reject_unfreeze,
            c.RequestLimitChange: self._request_limit,
            c.ApproveLimitChange: self._approve_limit,
            c.LiftSuspension: self._lift_suspension,
            c.Close: self._close,
            c.FireTimer: self._fire,
            c.StartInquiry: self._start_inquiry,
            c.InquiryAnswered: self._inquiry_answered,
            c.InquiryAnswers: self._inquiry_answers,
            c.OpenFeedback: self._open_feedback,
            c.ManualQuery: self._manual_query,
            c.FreezeConfirmed: self._freeze_confirmed,
            c.FreezeReleased: self._freeze_released,
            c.FreezeRenewed: self._freeze_renewed,
            c.DeductionConfirmed: self._deduction_confirmed,
            c.ProceedsArrived: self._proceeds_arrived,
            c.ApprovePayout: self._approve_payout,
            c.PayOut: self._pay_out,
            c.RequestResumption: self._request_resumption,
            c.ApproveResumption: self._approve_resumption,
            c.ResumptionFiled: self._resumption_filed,
            c.LogExchange: self._log_exchange,
            c.ApproveClosing: self._approve_closing,
            c.ReturnClosing: self._return_closing,
            c.AnswerNotRecorded: self._answer_not_recorded,
            c.RegisterReceipt: self._register_receipt,
            c.Escrow: self._escrow,
        }

    # ── entry point ──────────────────────────────────────────────────────────────────────
    def handle(self, state: CaseState | None, cmd: c.Command, now: datetime) -> tuple[CaseState | None, Outcome]:
        """Apply ``cmd`` at ``now``. Returns the (possibly new) state and the outcome."""
        out = Outcome([], [])
        if isinstance(cmd, c.FileCase):
            if state is not None:
                return state, self._refuse(out, cmd, now, "ALREADY_FILED", "案件已立案", "case already filed")
            try:
                return self._file(cmd, now, out), out
            except CalendarRangeError as err:
                out.events.clear()
                return None, self._refuse(out, cmd, now, "CALENDAR_RANGE", err.zh, err.en)
        if state is None:
            return None, self._refuse(out, cmd, now, "UNKNOWN_CASE", "案件不存在", "no such case")
        if state.closed_manner is not None and not isinstance(cmd, _AFTER_CLOSING):
            return state, self._refuse(out, cmd, now, "CASE_CLOSED", "案件已结案", "the case is closed")
        if state.filing_frozen and not isinstance(cmd, _WHILE_FILING_FROZEN):
            ns = state.nodes[(self.process.resumption.freezes_node, "")]
            if ns.status in BLOCKING:
                return state, self._frozen_refusal(out, cmd, now, [ns])
            state.filing_frozen = False
        try:
            self._handlers[type(cmd)](state, cmd, now, out)
        except CalendarRangeError as err:  # raised while planning, before any change
            return state, self._refuse(out, cmd, now, "CALENDAR_RANGE", err.zh, err.en)
        if out.refusal is None and out.events:
            self._run_operations(state, now, out)
        return state, out

    # ── helpers ─────────────────────────────────────────────────────────────────────────
    def _refuse(self, out: Outcome, cmd: Any, now: datetime, code: str, zh: str, en: str,
                details: tuple[Any, ...] = ()) -> Outcome:
        out.refusal = Refusal(code, zh, en, details)
        node = getattr(cmd, "node", None)
        out.events.append(Event(now, cmd.case_id, EventKind.REFUSED, node if isinstance(node, int) else None,
                                getattr(cmd, "instance", ""), None,
                                {"command": type(cmd).__name__, "code": code, "zh": zh, "en": en,
                                 "details": list(details)}))
        return out

    def _node_def(self, no: int) -> Node | None:
        return self.process.by_no.get(no)

    def _unknown_node(self, state: CaseState, cmd: Any, now: datetime, out: Outcome) -> bool:
        if cmd.node in self.process.by_no:
            return False
        self._refuse(out, cmd, now, "UNKNOWN_NODE", f"未知节点 {cmd.node}", f"unknown node {cmd.node}")
        return True

    def _node_state(self, state: CaseState, no: int, instance: str) -> NodeState:
        ns = state.nodes.get((no, instance))
        if ns is None:
            ns = state.nodes[(no, instance)] = NodeState(no, instance)
        return ns

    def _attrs(self, state: CaseState, extra: dict[str, Any] | None) -> dict[str, Any]:
        if not extra:
            return state.attrs
        return {**state.attrs, **extra}

    def _due(self, item: WorkItem, period: Period, anchor_at: datetime) -> tuple[datetime, tuple[str, ...]]:
        if item.direction == Direction.BEFORE:
            return self.calendar.latest_before_warned(anchor_at, period)
        deadline = self.calendar.deadline(anchor_at, period, item.policy)
        return deadline.due, deadline.warnings

    def _plan(self, state: CaseState, anchor: str, instance: str, at: datetime,
              extra: dict[str, Any] | None = None) -> list[_Arm]:
        """The deadlines an anchor event starts. Computed before any change to the state, so that a date the
        legal calendar cannot place (beyond its holiday data) refuses the command and changes nothing."""
        pairs = self.process.items_by_anchor.get(anchor)
        if not pairs:
            return []
        attrs = self._attrs(state, extra)
        closed = state.closed_manner is not None
        arms = []
        for node, item in pairs:
            if closed and node.no not in self._post_close:
                continue  # the case is closed: only closing, archiving and resumption deadlines run
            inst = instance if node.per != Per.CASE else ""
            if item.once and (ns := state.nodes.get((node.no, inst))) is not None and item.key in ns.items:
                continue  # counted from the first of its anchors
            period = item.period_for(attrs) if item.overrides else item.period
            freeze = item.freezes_for(attrs) if item.overrides else item.freeze
            due, warnings = self._due(item, period, at)
            lead, text = self._lead_for(node, item, period)
            arms.append(_Arm(node, item.key, inst, due, text, lead, warnings, freeze))
        return arms

    def _apply(self, state: CaseState, arms: list[_Arm], now: datetime, out: Outcome) -> None:
        for a in arms:
            self._arm_at(state, a.node, a.key, a.instance, a.due, a.period, a.lead, now, out, a.warnings, a.freeze)

    def _arm_at(self, state: CaseState, node: Node, key: str, instance: str, due: datetime, period: str,
                lead: timedelta, now: datetime, out: Outcome, warnings: tuple[str, ...] = (),
                freeze: bool = False) -> None:
        ns = self._node_state(state, node.no, instance)
        previous = ns.items.get(key)
        if previous is not None and previous.done:
            return
        token = state.next_token
        state.next_token += 1
        ns.items[key] = ItemState(due, token, period, freeze=freeze)
        warn_at = max(now, due - lead)
        cid = state.case_id
        # Only the warning is armed now; the expiry timer is armed when the warning fires (one live timer
        # per open item, and a completed item leaves a single stale timer behind).
        out.timers.append(Timer(warn_at, cid, TimerKind.WARN, node.no, key, instance, token))
        data: dict[str, Any] = {"due": due, "period": period, "warn_at": warn_at}
        if warnings:
            data["calendar_warnings"] = list(warnings)
            years = provisional_years_in(warnings)
            if years:
                data["calendar_provisional"] = years  # the deadline depends on provisional holiday years
        out.events.append(Event(now, cid, EventKind.DEADLINE_SET, node.no, instance, key, data))

    def _lead_for(self, node: Node, item: WorkItem, period: Period) -> tuple[timedelta, str]:
        """The warning lead of an item for a period, and the period's short text (both cached)."""
        key = (node.no, item.key, period)
        found = self._leads.get(key)
        if found is None:
            found = self._leads[key] = (_lead(self.process.warn_lead(item, period)), str(period))
        return found

    def _blockers(self, state: CaseState, no: int, instance: str) -> list[NodeState]:
        node = self.process.by_no[no]
        blocked: list[NodeState] = []
        for pred in self._preds[no]:
            if pred.per == Per.CASE or pred.per == node.per:
                ns = state.nodes.get((pred.no, "" if pred.per == Per.CASE else instance))
                if ns is not None and ns.status in BLOCKING:
                    blocked.append(ns)
            else:
                blocked.extend(ns for (n, _), ns in state.nodes.items() if n == pred.no and ns.status in BLOCKING)
        return blocked

    def blocking_nodes(self, state: CaseState, no: int, instance: str = "") -> list[NodeState]:
        """The frozen nodes that keep node ``no`` (this instance) from moving: itself, or a predecessor."""
        ns = state.nodes.get((no, instance))
        if ns is not None and ns.status in BLOCKING:
            return [ns]
        return self._blockers(state, no, instance)

    def _frozen_refusal(self, out: Outcome, cmd: Any, now: datetime, frozen: list[NodeState]) -> Outcome:
        names = "、".join(f"{ns.no}{'/' + ns.instance if ns.instance else ''}" for ns in frozen)
        auth = sorted({a for ns in frozen for a in ns.unfreeze_by})
        auth_zh = "、".join(self.process.authority(a).name for a in auth)
        return self._refuse(
            out, cmd, now, "NODE_FROZEN",
            f"节点已冻结（{names}），须经{auth_zh}批准解冻后方可流转",
            f"node frozen ({names}); an unfreeze approved by {', '.join(auth)} is required to move on",
            tuple((ns.no, ns.instance) for ns in frozen),
        )

    def _freeze(self, state: CaseState, ns: NodeState, reason: str, authorities: tuple[str, ...],
                now: datetime, out: Outcome, via: tuple[str, ...] = ()) -> None:
        ns.status = NodeStatus.FROZEN
        ns.frozen_reason = reason
        ns.unfreeze_by = authorities
        ns.unfreeze_via = via
        ns.forwarded = []
        data: dict[str, Any] = {"reason": reason, "unfreeze_by": list(authorities)}
        if via:
            data["unfreeze_via"] = list(via)
        out.events.append(Event(now, state.case_id, EventKind.NODE_FROZEN, ns.no, ns.instance, None, data))

    # ── filing, assignment, identity ──────────────────────────────────────────────────────
    def _file(self, cmd: c.FileCase, now: datetime, out: Outcome) -> CaseState:
        filed = cmd.filed_at or now
        state = CaseState(cmd.case_id, cmd.case_type, cmd.money, cmd.nonlitigation, filed, cmd.amount_cents,
                          {"case_type": cmd.case_type, "nonlitigation": cmd.nonlitigation, "money": cmd.money},
                          previous_case=cmd.previous_case, previous_handler=cmd.previous_handler,
                          shixin_eligible=cmd.shixin_eligible)
        state.identity = dict.fromkeys(cmd.debtors, "pending")
        if cmd.filed_at is not None and cmd.filed_at.tzinfo is not None:
            state.filed_at = to_cst(cmd.filed_at)  # the China-time date counts (the 2021-01-01 cut-off, 立案当天)
        arms = self._plan(state, "filed", "", filed)
        out.events.append(Event(now, cmd.case_id, EventKind.FILED, None, "", None,
                                {"case_type": cmd.case_type, "money": cmd.money, "nonlitigation": cmd.nonlitigation,
                                 "filed_at": filed, "debtors": list(cmd.debtors),
                                 "previous_case": cmd.previous_case}))
        self._apply(state, arms, now, out)
        return state

    def _assign(self, state: CaseState, cmd: c.Assign, now: datetime, out: Outcome) -> None:
        first = state.handler is None
        arms = self._plan(state, "received", "", now) if first else []
        network = self._network_inquiry_plan(state, now)
        state.handler = cmd.handler
        out.events.append(Event(now, state.case_id, EventKind.ASSIGNED, None, "", None, {"handler": cmd.handler}))
        rule = self.process.resumption
        if (state.case_type == "resumed" and rule.handler_must_change and state.previous_handler
                and cmd.handler == state.previous_handler):
            ns = self._node_state(state, rule.freezes_node, "")
            if ns.status not in BLOCKING:
                self._freeze(state, ns, "HANDLER_NOT_CHANGED", rule.unfreeze, now, out)
                state.filing_frozen = True  # node 46: nothing moves until the 立案 node is unfrozen
        self._apply(state, arms, now, out)
        self._maybe_trigger_inquiry(state, now, out, network)

    def _network_inquiry_plan(self, state: CaseState, now: datetime) -> list[_Arm]:
        """The deadlines the first network inquiry starts (node 9's and 11's 30 days), planned before any change."""
        if state.network_inquiry_at is not None or not self._inquiry_applies(state):
            return []
        return self._plan(state, "network_inquiry", "", now)

    def _maybe_trigger_inquiry(self, state: CaseState, now: datetime, out: Outcome,
                               network: list[_Arm]) -> None:
        if state.handler is None or not self._inquiry_applies(state):
            return
        for debtor, status in state.identity.items():
            if status == "passed" and debtor not in state.inquiries_triggered:
                state.inquiries_triggered.add(debtor)
                out.events.append(Event(now, state.case_id, EventKind.INQUIRY_TRIGGERED, self.roles.inquiry, "",
                                        None, {"debtor": debtor}))
                self._record_network_inquiry(state, now, out, network)

    def _record_network_inquiry(self, state: CaseState, now: datetime, out: Outcome, arms: list[_Arm]) -> None:
        if state.network_inquiry_at is not None:
            return
        state.network_inquiry_at = now
        out.events.append(Event(now, state.case_id, EventKind.ANCHOR, None, "", None,
                                {"anchor": "network_inquiry", "at": now}))
        self._apply(state, arms, now, out)

    def _verify(self, state: CaseState, cmd: c.VerifyIdentity, now: datetime, out: Outcome) -> None:
        if cmd.debtor not in state.identity:
            self._refuse(out, cmd, now, "UNKNOWN_DEBTOR", f"本案无被执行人 {cmd.debtor}",
                         f"no debtor {cmd.debtor} in this case")
            return
        if state.identity[cmd.debtor] == "failed" and cmd.passed:
            self._refuse(out, cmd, now, "IDENTITY_NOT_CORRECTED", "身份信息验证未通过，须先更正身份信息",
                         "identity verification failed: correct the identity first")
            return
        network = self._network_inquiry_plan(state, now) if cmd.passed else []
        state.identity[cmd.debtor] = "passed" if cmd.passed else "failed"
        kind = EventKind.IDENTITY_VERIFIED if cmd.passed else EventKind.IDENTITY_FAILED
        out.events.append(Event(now, state.case_id, kind, None, "", None, {"debtor": cmd.debtor}))
        self._maybe_trigger_inquiry(state, now, out, network)

    def _correct(self, state: CaseState, cmd: c.CorrectIdentity, now: datetime, out: Outcome) -> None:
        if cmd.debtor not in state.identity:
            self._refuse(out, cmd, now, "UNKNOWN_DEBTOR", f"本案无被执行人 {cmd.debtor}",
                         f"no debtor {cmd.debtor} in this case")
            return
        state.identity[cmd.debtor] = "pending"
        out.events.append(Event(now, state.case_id, EventKind.IDENTITY_CORRECTED, None, "", None,
                                {"debtor": cmd.debtor, "corrected_to": cmd.corrected_to}))

    # ── nodes and items ──────────────────────────────────────────────────────────────────
    def _start(self, state: CaseState, cmd: c.StartNode, now: datetime, out: Outcome) -> None:
        if self._unknown_node(state, cmd, now, out):
            return
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is not None and ns.status in BLOCKING:
            self._frozen_refusal(out, cmd, now, [ns])
            return
        if ns is not None and ns.status == NodeStatus.DONE:
            self._refuse(out, cmd, now, "NODE_DONE", "节点已完成", "node already done")
            return
        if ns is not None and ns.started_at is not None:
            self._refuse(out, cmd, now, "NODE_STARTED", "节点已开始", "node already started")
            return
        blockers = self._blockers(state, cmd.node, cmd.instance)
        if blockers:
            self._frozen_refusal(out, cmd, now, blockers)
            return
        node = self.process.by_no[cmd.node]
        finishing = [it.key for it in node.items if it.done_on_start and ns is not None
                     and (st := ns.items.get(it.key)) is not None and not st.done]
        plans = [self._plan(state, f"{_ITEM_DONE}{node.no}.{key}", cmd.instance, now) for key in finishing]
        started = self._plan(state, f"{_NODE_STARTED}{cmd.node}", cmd.instance, now)
        # ── changes from here on ──
        ns = self._node_state(state, cmd.node, cmd.instance)
        ns.started_at = now
        if ns.status == NodeStatus.NOT_STARTED:
            ns.status = NodeStatus.IN_PROGRESS
        out.events.append(Event(now, state.case_id, EventKind.NODE_STARTED, cmd.node, cmd.instance))
        for key, arms in zip(finishing, plans, strict=True):
            self._mark_item_done(state, node, ns, key, now, out, arms)
        self._apply(state, started, now, out)

    def _mark_item_done(self, state: CaseState, node: Node, ns: NodeState, key: str, now: datetime,
                        out: Outcome, arms: list[_Arm]) -> None:
        st = ns.items.get(key)
        if st is None:
            ns.items[key] = st = ItemState(now, 0, "", done=True)
        st.done = True
        out.events.append(Event(now, state.case_id, EventKind.ITEM_DONE, node.no, ns.instance, key,
                                {"late": st.overdue}))
        if st.duban == "open":
            st.duban = "closed"
            out.events.append(Event(now, state.case_id, EventKind.DUBAN_CLOSED, node.no, ns.instance, key, {}))
        self._apply(state, arms, now, out)

    def _check_can_finish(self, state: CaseState, cmd: Any, now: datetime, out: Outcome) -> bool:
        """Common checks of CompleteItem / CompleteNode."""
        if self._unknown_node(state, cmd, now, out):
            return False
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is not None and ns.status in BLOCKING:
            self._frozen_refusal(out, cmd, now, [ns])
            return False
        if ns is not None and ns.status == NodeStatus.DONE:
            self._refuse(out, cmd, now, "NODE_DONE", "节点已完成", "node already done")
            return False
        blockers = self._blockers(state, cmd.node, cmd.instance)
        if blockers:
            self._frozen_refusal(out, cmd, now, blockers)
            return False
        return True

    def _complete_item(self, state: CaseState, cmd: c.CompleteItem, now: datetime, out: Outcome) -> None:
        node = self._node_def(cmd.node)
        armed = state.nodes.get((cmd.node, cmd.instance))
        if node is not None and all(it.key != cmd.item for it in node.items) and (
                armed is None or cmd.item not in armed.items):
            keys = ", ".join(it.key for it in node.items) or "—"
            self._refuse(out, cmd, now, "UNKNOWN_ITEM", f"节点 {cmd.node} 无工作事项 {cmd.item}（可选：{keys}）",
                         f"node {cmd.node} has no work item {cmd.item} (one of: {keys})")
            return
        existing = state.nodes.get((cmd.node, cmd.instance))
        st = existing.items.get(cmd.item) if existing is not None else None
        # an item armed after its node closed (the 结案 node's post-closing work) may still be done
        late_item = existing is not None and existing.status == NodeStatus.DONE and st is not None and not st.done
        if not late_item and not self._check_can_finish(state, cmd, now, out):
            return
        if st is not None and st.done:
            self._refuse(out, cmd, now, "ITEM_DONE", "工作事项已完成", "work item already done")
            return
        arms = self._plan(state, f"{_ITEM_DONE}{cmd.node}.{cmd.item}", cmd.instance, now)
        ns = self._node_state(state, cmd.node, cmd.instance)
        if ns.status == NodeStatus.NOT_STARTED:
            ns.status = NodeStatus.IN_PROGRESS
        self._mark_item_done(state, self.process.by_no[cmd.node], ns, cmd.item, now, out, arms)

    def _complete_node_by_system(self, state: CaseState, cmd: c.CompleteNode, now: datetime, out: Outcome) -> None:
        self._complete_node(state, cmd, now, out, system=True)

    def _complete_node(self, state: CaseState, cmd: c.CompleteNode, now: datetime, out: Outcome, *,
                       system: bool = False) -> None:
        if not self._check_can_finish(state, cmd, now, out):
            return
        node = self.process.by_no[cmd.node]
        if not system and not self._check_node_act(state, node, cmd, now, out):
            return
        term = self._measure_term_plan(node, cmd.instance, now)
        existing = state.nodes.get((cmd.node, cmd.instance))
        open_keys = [k for k, st in existing.items.items() if not st.done] if existing is not None else []
        plans = [self._plan(state, f"{_ITEM_DONE}{node.no}.{k}", cmd.instance, now) for k in open_keys]
        ns = self._node_state(state, cmd.node, cmd.instance)
        for key, arms in zip(open_keys, plans, strict=True):
            self._mark_item_done(state, node, ns, key, now, out, arms)
        ns.status = NodeStatus.DONE
        ns.done_at = now
        data = {"authority": self.process.authority(cmd.authority).code} if cmd.authority else None
        out.events.append(Event(now, state.case_id, EventKind.NODE_DONE, cmd.node, cmd.instance, None, data))
        self._take_measure(state, node, term, now, out)

    def _record(self, state: CaseState, cmd: c.Record, now: datetime, out: Outcome) -> None:
        anchor = cmd.anchor
        if anchor not in self.process.anchors or anchor in ("filed", "received", "closed"):
            known = ", ".join(k for k in self.process.anchors if k not in ("filed", "received", "closed"))
            self._refuse(out, cmd, now, "UNKNOWN_ANCHOR", f"未知事件 {anchor}（可选：{known}）",
                         f"unknown event {anchor} (one of: {known})")
            return
        at = cmd.at or now
        arms = self._plan(state, anchor, cmd.instance, at, cmd.attrs)
        out.events.append(Event(now, state.case_id, EventKind.ANCHOR, None, cmd.instance, None,
                                {"anchor": anchor, "at": at, **cmd.attrs}))
        self._apply(state, arms, now, out)

    # ── freezes and unfreezes ────────────────────────────────────────────────────────────
    def _frozen_state(self, state: CaseState, cmd: Any, now: datetime, out: Outcome,
                      want: NodeStatus) -> NodeState | None:
        if self._unknown_node(state, cmd, now, out):
            return None
        ns = state.nodes.get((cmd.node, cmd.instance))
        if ns is None or ns.status != want:
            if want == NodeStatus.FROZEN:
                code, zh, en = "NOT_FROZEN", "节点未冻结", "the node is not frozen"
                if ns is not None and ns.status == NodeStatus.UNFREEZE_PENDING:
                    code, zh, en = "UNFREEZE_PENDING", "解冻申请已在审批中", "an unfreeze is already pending"
            else:
                code, zh, en = "NO_UNFREEZE_REQUEST", "该节点没有待审批的解冻申请", "no unfreeze request pending"
            self._refuse(out, cmd, now, code, zh, en)
            return None
        return ns

    def _request_unfreeze(self, state: CaseState, cmd: c.RequestUnfreeze, now: datetime, out: Outcome) -> None:
        ns = self._frozen_state(state, cmd, now, out, NodeStatus.FROZEN)
        if ns is None:
            return
        ns.status = NodeStatus.UNFREEZE_PENDING
        ns.unfreeze_requested_by = cmd.by
        out.events.append(Event(now, state.case_id, EventKind.UNFREEZE_REQUESTED, ns.no, ns.instance, None,
                                {"by": cmd.by, "reason": cmd.reason, "approver": list(ns.unfreeze_by)}))

    def _check_authority(self, cmd: Any, allowed: tuple[str, ...], now: datetime, out: Outcome) -> str | None:
        try:
            code = self.process.authority(cmd.authority).code
        except Exception:
            code = None
        if code is None or code not in allowed:
            names = "、".join(self.process.authority(a).name for a in allowed)
            self._refuse(out, cmd, now, "WRONG_AUTHORITY",
                         f"{cmd.authority} 无权审批，应由{names}审批",
                         f"{cmd.authority} may not approve this; approver: {', '.join(allowed)}",
                         tuple(allowed))
            return None
        return code

    def _decide_unfreeze(self, state: CaseState, cmd: c.ApproveUnfreeze | c.RejectUnfreeze, now: datetime,
                         out: Outcome) -> tuple[NodeState, str] | None:
        """The checks an unfreeze decision shares: a pending request, and an authority the freeze names."""
        ns = self._frozen_state(state, cmd, now, out, NodeStatus.UNFREEZE_PENDING)
        if ns is None:
            return None
        pending_via = ns.unfreeze_via[len(ns.forwarded):]
        code = self._check_authority(cmd, pending_via[:1] + ns.unfreeze_by, now, out)
        if code is not None and pending_via and code not in pending_via:
            names = "、".join(self.process.authority(a).name for a in pending_via)
            self._refuse(out, cmd, now, "NOT_FORWARDED", f"解冻申请须先层报经{names}审核",
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
        ns.status = NodeStatus.IN_PROGRESS
        reason = ns.frozen_reason
        ns.frozen_reason = None
        ns.unfreeze_requested_by = None
        out.events.append(Event(now, state.case_id, EventKind.UNFREEZE_APPROVED, ns.no, ns.instance, None,
                                {"authority": code, "reason": reason}))

    def _reject_unfreeze(self, state: CaseState, cmd: c.RejectUnfreeze, now: datetime, out: Outcome) -> None:
        if (decided := self._decide_unfreeze(state, cmd, now, out)) is None:
            return
        ns, code = decided
        ns.status = NodeStatus.FROZEN
        out.events.append(Event(now, state.case_id, EventKind.UNFREEZE_REJECTED, ns.no, ns.instance, None,
                                {"authority": code, "reason": cmd.reason}))

    # ── the time limit (nodes 42/43) ─────────────────────────────────────────────────────
    def _limit_item(self) -> tuple[Node, WorkItem]:
        node = self.process.by_no[self.process.limit.node]
        return node, node.items[0]

    def _limit_due(self, state: CaseState, extensions: int, suspended_days: int) -> tuple[datetime, Period]:
        """The 审限: 6 (非诉 3) months from filing, plus approved extensions, shifted by suspensions."""
        _, item = self._limit_item()
        base = item.period_for(state.attrs)
        period = Period(base.amount + extensions * self.process.limit.extension.months, Unit.MONTHS)
        start = state.filed_at + timedelta(days=suspended_days)
        return self.calendar.deadline(start, period, item.policy).due, period

    def _rearm_limit(self, state: CaseState, due: datetime, period: Period, now: datetime, out: Outcome) -> None:
        node, item = self._limit_item()
        st = self._node_state(state, node.no, "").items.get(item.key)
        if st is not None:
            st.overdue = False
            st.warned = False
        lead, _ = self._lead_for(node, item, item.period_for(state.attrs))
        self._arm_at(state, node, item.key, "", due, str(period), lead, now, out, freeze=item.freezes_for(state.attrs))

    def _request_limit(self, state: CaseState, cmd: c.RequestLimitChange, now: datetime, out: Outcome) -> None:
        if cmd.kind not in ("extend", "suspend"):
            self._refuse(out, cmd, now, "BAD_LIMIT_CHANGE", f"期限变更类型应为 extend 或 suspend，而非 {cmd.kind}",
                         f"limit change kind must be extend or suspend, not {cmd.kind}")
            return
        if cmd.kind == "suspend" and state.limit.suspended_since is not None:
            self._refuse(out, cmd, now, "ALREADY_SUSPENDED", "审限已中止", "the limit is already suspended")
            return
        state.limit.pending = cmd.kind
        out.events.append(Event(now, state.case_id, EventKind.LIMIT_CHANGE_REQUESTED, self.roles.limit_change, "", None,
                                {"kind": cmd.kind, "reason": cmd.reason}))

    def _approve_limit(self, state: CaseState, cmd: c.ApproveLimitChange, now: datetime, out: Outcome) -> None:
        pending = state.limit.pending
        if pending is None:
            self._refuse(out, cmd, now, "NO_LIMIT_CHANGE", "没有待审批的期限变更", "no limit change pending")
            return
        rules = self.process.limit
        if pending == "extend":
            allowed = rules.extension.first if state.limit.extensions == 0 else rules.extension.further
        else:
            allowed = rules.suspension.get("authority", ())
        code = self._check_authority(cmd, allowed, now, out)
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
            out.events.append(Event(now, state.case_id, EventKind.LIMIT_EXTENDED, self.roles.limit_change, "", None,
                                    {"authority": code, "extensions": state.limit.extensions, "due": due}))
        else:
            state.limit.suspended_since = now
            st = self._node_state(state, node.no, "").items.get(item.key)
            if st is not None:
                st.token = -1  # the pending expiry timer is now stale
            out.events.append(Event(now, state.case_id, EventKind.LIMIT_SUSPENDED, self.roles.limit_change, "", None,
                                    {"authority": code}))

    def _lift_suspension(self, state: CaseState, cmd: c.LiftSuspension, now: datetime, out: Outcome) -> None:
        since = state.limit.suspended_since
        if since is None:
            self._refuse(out, cmd, now, "NOT_SUSPENDED", "审限未中止", "the limit is not suspended")
            return
        days = state.limit.suspended_days + (now.date() - since.date()).days
        due, period = self._limit_due(state, state.limit.extensions, days)
        state.limit.suspended_days = days
        state.limit.suspended_since = None
        self._rearm_limit(state, due, period, now, out)
        out.events.append(Event(now, state.case_id, EventKind.LIMIT_RESUMED, self.roles.limit_change, "", None,
                                {"suspended_days": state.limit.suspended_days, "due": due}))

    # ── closing ──────────────────────────────────────────────────────────────────────────
    def _closing_checks(self, state: CaseState, cmd: Any, manner_ref: str, now: datetime,
                        out: Outcome) -> ClosingManner | None:
        """What a 报结 must meet, checked when it is filed and again when it is approved."""
        try:
            manner = self.process.manner(manner_ref)
        except Exception:
            self._refuse(out, cmd, now, "UNKNOWN_MANNER", f"未知结案方式 {manner_ref}",
                         f"unknown closing manner {manner_ref}")
            return None
        frozen = state.frozen_nodes()
        if self.process.closing.blocked_by == "limit_only":
            frozen = [ns for ns in frozen if ns.no == self.process.limit.node]
        if frozen:
            self._frozen_refusal(out, cmd, now, frozen)
            return None
        if manner.code == "zhongben":
            unmet = unmet_zhongben_conditions(self.process, self.calendar, state, now)
            if unmet:
                self._refuse(
                    out, cmd, now, "ZHONGBEN_GATE",
                    "不符合终本条件：" + "；".join(u.zh for u in unmet),
                    "终本 conditions not met: " + "; ".join(u.en for u in unmet),
                    tuple(u.code for u in unmet),
                )
                return None
        return manner

    def _close(self, state: CaseState, cmd: c.Close, now: datetime, out: Outcome) -> None:
        if state.closing_pending is not None:
            self._refuse(out, cmd, now, "CLOSING_PENDING", "报结申请正在审查中", "a 报结 is already under review")
            return
        review = self.process.closing.review
        reviewer = None
        if review and cmd.reviewed_by is not None:
            reviewer = self._check_authority(c.ApproveClosing(state.case_id, cmd.reviewed_by), review, now, out)
            if reviewer is None:
                return
        manner = self._closing_checks(state, cmd, cmd.manner, now, out)
        if manner is None:
            return
        if review and reviewer is None:
            state.closing_pending = manner.code
            out.events.append(Event(now, state.case_id, EventKind.CLOSING_REQUESTED, self.process.limit.node, "",
                                    None, {"manner": manner.code, "name": manner.name, "review": list(review)}))
            return
        self._do_close(state, cmd, manner, reviewer, now, out)

    def _approve_closing(self, state: CaseState, cmd: c.ApproveClosing, now: datetime, out: Outcome) -> None:
        if state.closing_pending is None:
            self._refuse(out, cmd, now, "NO_CLOSING_REQUEST", "没有待审查的报结申请", "no 报结 under review")
            return
        code = self._check_authority(cmd, self.process.closing.review, now, out)
        if code is None:
            return
        manner = self._closing_checks(state, cmd, state.closing_pending, now, out)
        if manner is None:
            return
        self._do_close(state, cmd, manner, code, now, out)

    def _return_closing(self, state: CaseState, cmd: c.ReturnClosing, now: datetime, out: Outcome) -> None:
        if state.closing_pending is None:
            self._refuse(out, cmd, now, "NO_CLOSING_REQUEST", "没有待审查的报结申请", "no 报结 under review")
            return
        code = self._check_authority(cmd, self.process.closing.review, now, out)
        if code is None:
            return
        manner, state.closing_pending = state.closing_pending, None
        out.events.append(Event(now, state.case_id, EventKind.CLOSING_RETURNED, self.process.limit.node, "", None,
                                {"manner": manner, "authority": code, "reason": cmd.reason}))

    def _do_close(self, state: CaseState, cmd: Any, manner: ClosingManner, reviewer: str | None, now: datetime,
                  out: Outcome) -> None:
        arms = self._plan(state, "closed", "", now)
        limit_def = self.process.by_no[self.process.limit.node]
        manner_arms = []
        for item in manner.items:
            due, warnings = self._due(item, item.period, now)
            lead, text = self._lead_for(limit_def, item, item.period)
            manner_arms.append(_Arm(limit_def, f"{manner.code}_{item.key}", "", due, text, lead, warnings))
        sweeps = self._plan_sweeps(now) if manner.starts_sweep else []
        # ── changes from here on ──
        state.closing_pending = None
        state.closed_manner = manner.code
        state.closed_at = now
        for ns in state.nodes.values():
            for st in ns.items.values():
                if not st.done:
                    st.token = -1  # outstanding deadlines end with the case
        limit_node = self._node_state(state, self.process.limit.node, "")
        limit_node.status = NodeStatus.DONE
        limit_node.done_at = now
        release = manner.releases_controls and state.case_type not in manner.keeps_controls_for
        lifted = self._measures_in_force(state) if manner.releases_controls else []
        data = {"manner": manner.code, "name": manner.name, "release_controls": release,
                "release": self._release_plan(state) if release else [],
                "lift": [self.process.by_no[no].name for no in lifted], "money": state.amounts()}
        if reviewer is not None:
            data["reviewed_by"] = reviewer
        out.events.append(Event(now, state.case_id, EventKind.CLOSED, self.process.limit.node, "", None, data))
        for no in lifted:
            self._lift_measure(state, no, "closed_" + manner.code, now, out)
        self._apply(state, arms + manner_arms, now, out)
        if sweeps:
            self._arm_sweeps(state, sweeps, out)

    def _plan_sweeps(self, now: datetime) -> list[tuple[str, datetime, str]]:
        """终本统查: every ``every`` after the 终本 closing, ``count`` times (node 45), counted naturally."""
        if self._sweep_node is None:
            return []
        sweep = self._sweep_node.sweep
        plan = []
        for k in range(1, sweep.count + 1):
            period = Period(sweep.every.amount * k, sweep.every.unit)
            plan.append((f"sweep_{k}", self.calendar.deadline(now, period, sweep.policy).due, str(period)))
        return plan

    def _arm_sweeps(self, state: CaseState, plan: list[tuple[str, datetime, str]], out: Outcome) -> None:
        node = self._sweep_node
        token = state.next_token
        state.next_token += 1
        ns = self._node_state(state, node.no, "")
        ns.status = NodeStatus.IN_PROGRESS
        for key, at, period in plan:
            ns.items[key] = ItemState(at, token, period)
            out.timers.append(Timer(at, state.case_id, TimerKind.SWEEP, node.no, key, "", token))

    def _log_exchange(self, state: CaseState, cmd: c.LogExchange, now: datetime, out: Outcome) -> None:
        data: dict[str, Any] = {"kind": cmd.kind, "agency": cmd.agency, "request_no": cmd.request_no,
                                "measure": cmd.measure, "ticket_id": cmd.ticket_id, "attempt": cmd.attempt}
        if cmd.detail:
            data.update(cmd.detail)
        out.events.append(Event(now, state.case_id, EventKind.EXCHANGE, None, "", None, data))

    # ── timers ───────────────────────────────────────────────────────────────────────────
    def _fire(self, state: CaseState, cmd: c.FireTimer, now: datetime, out: Outcome) -> None:
        t = cmd.timer
        if t.kind == TimerKind.VIEW:
            self._fire_view(state, t, now, out)
            return
        if t.kind == TimerKind.TERM:
            self._fire_term(state, t, now, out)
            return
        ns = state.nodes.get((t.node, t.instance))
        st = ns.items.get(t.item) if ns is not None else None
        if st is None or st.token != t.token or st.done:
            return  # stale
        if t.kind == TimerKind.SWEEP:
            st.done = True
            count = sum(1 for s in ns.items.values() if s.done)
            out.events.append(Event(now, state.case_id, EventKind.SWEEP_DUE, t.node, "", t.item,
                                    {"round": int(t.item.split("_")[1]), "done": count}))
            if all(s.done for s in ns.items.values()):
                ns.status = NodeStatus.DONE
                ns.done_at = now
            return
        if t.kind == TimerKind.WARN:
            out.timers.append(Timer(st.due, t.case_id, TimerKind.EXPIRE, t.node, t.item, t.instance, t.token))
            if st.warned:
                return
            st.warned = True
            if ns.status in (NodeStatus.NOT_STARTED, NodeStatus.IN_PROGRESS):
                ns.status = NodeStatus.WARNED
            node = self.process.by_no[t.node]
            # 预警: the work item, its deadline and the next node's name (guideline 第一部分 5)
            out.events.append(Event(now, state.case_id, EventKind.WARNING, t.node, t.instance, t.item,
                                    {"due": st.due, "node_name": node.name,
                                     "next": [self.process.by_no[n].name for n in node.next]}))
            return
        st.overdue = True
        out.events.append(Event(now, state.case_id, EventKind.DEADLINE_MISSED, t.node, t.instance, t.item,
                                {"due": st.due}))
        node = self.process.by_no[t.node]
        item = next((it for it in node.items if it.key == t.item), None)
        if item is not None and item.duban and st.duban is None:
            st.duban = "open"  # 未及时启动拍卖 / 二拍: 通过执行指挥管理平台督办
            out.events.append(Event(now, state.case_id, EventKind.DUBAN_RAISED, t.node, t.instance, t.item,
                                    {"due": st.due, "node_name": node.name, "module": self.process.inquiry.duban}))
        if st.freeze and ns.status not in BLOCKING and ns.status != NodeStatus.DONE:
            self._freeze(state, ns, f"DEADLINE:{t.item}", node.unfreeze, now, out, node.unfreeze_via)
