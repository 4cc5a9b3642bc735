"""The engine's core: the process, the calendar and the helpers every rule set shares (refusals, planning and
arming deadlines, node states, freezes, authorities). Rule sets (``filing``, ``nodes``, ``unfreeze``, ``limit``,
``closing``, ``timers``, ``spc``, ``money``, ``resumption``, ``measures``, ``operations``) are composed by
:class:`~core_flow.engine.engine.Engine`, each registering the commands it handles; they reach one another through
the engine (``self.e.measures…``), never by inheritance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core_flow.engine import commands as c
from core_flow.engine.events import EVENT_KIND, TIMER_KIND, Event, Outcome, Refusal, Timer
from core_flow.engine.records import fast_init
from core_flow.engine.state import BLOCKING, NODE_STATUS, CaseState, ItemState, NodeState, NodeStatus
from core_flow.legal_calendar import CST, LegalCalendar, Period, Unit, provisional_years_in, to_cst
from core_flow.legal_calendar.periods import UNIT
from core_flow.model import DIRECTION, PER, Node, Process, WorkItem

if TYPE_CHECKING:  # the rule sets the engine composes (forward references: they import this module)
    from core_flow.engine.closing import ClosingRules
    from core_flow.engine.filing import FilingRules
    from core_flow.engine.limit import LimitRules
    from core_flow.engine.measures import MeasureRules
    from core_flow.engine.money import MoneyRules
    from core_flow.engine.nodes import NodeRules
    from core_flow.engine.operations import OperationRules
    from core_flow.engine.resumption import ResumptionRules
    from core_flow.engine.spc import SpcRules
    from core_flow.engine.timers import TimerRules
    from core_flow.engine.unfreeze import UnfreezeRules

_ITEM_DONE = "item_done:"
# how ``_blockers`` finds a predecessor's state (``EngineCore._pred_ways``)
_CASE, _OWN, _EVERY = "case", "own", "every"
_NODE_STARTED = "node_started:"


@fast_init
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
    if unit == UNIT.HOURS:
        return timedelta(hours=period.amount)
    if unit in (UNIT.DAYS, UNIT.WORKING_DAYS):
        return timedelta(days=period.amount)
    if unit == Unit.MONTHS:
        return timedelta(days=30 * period.amount)
    if unit == Unit.YEARS:
        return timedelta(days=365 * period.amount)
    return timedelta(hours=6)  # same_day


class EngineCore:
    """Runs one ``Process`` on a ``LegalCalendar``. Holds no case state itself."""

    filing: FilingRules
    nodes: NodeRules
    unfreeze: UnfreezeRules
    limit: LimitRules
    closing: ClosingRules
    timers: TimerRules
    spc: SpcRules
    money: MoneyRules
    resumption: ResumptionRules
    measures: MeasureRules
    operations: OperationRules

    def __init__(self, process: Process, calendar: LegalCalendar) -> None:
        self.process = process
        self.calendar = calendar
        self.roles = process.roles
        self._preds: dict[int, tuple[Node, ...]] = {
            n.no: tuple(p for p in process.nodes if n.no in p.next) for n in process.nodes
        }
        # each node's predecessors, in order, with how ``_blockers`` finds the state of each that counts (the
        # instance of the node asked about, the case's, or every instance)
        self._pred_ways: dict[int, tuple[tuple[int, str], ...]] = {
            n.no: tuple((p.no, _CASE if p.per == PER.CASE else _OWN if p.per == n.per else _EVERY)
                        for p in self._preds[n.no])
            for n in process.nodes
        }
        # caches keyed by the ids of the process's own items and periods (hashing a period is dear on the hot path);
        # the engine holds the process, so the ids stay theirs
        self._leads: dict[tuple[int, int], tuple[timedelta, str]] = {}
        self._dues: dict[tuple[int, int, int], tuple[datetime, tuple[str, ...]]] = {}  # see ``_due``
        # hour-based periods: the last anchor instant per (item, period) and its deadline (see ``_due``)
        self._hour_dues: dict[tuple[int, int], tuple[datetime, datetime, tuple[str, ...]]] = {}
        self._sweep_node = process.sweep_node
        self._measure_nodes = frozenset((self.roles.consumption_restriction, self.roles.shixin))
        # kept in CaseState.not_before: what a node may not complete before, and what the 终本 gate asks about
        self._gate_anchors = frozenset(a for n in process.nodes for a in n.not_before) | frozenset(
            g.when for g in (*process.zhongben_gate, *process.release_gate)
            if g.when is not None and g.when in process.anchors)
        # kept per asset in CaseState.rounds: what starts or ends a round's bidding (the release gate asks)
        self._round_anchors = frozenset(a for g in (*process.zhongben_gate, *process.release_gate)
                                        for a in (*g.round_starts, *g.round_ends))
        self._round_start_anchors = frozenset(a for g in (*process.zhongben_gate, *process.release_gate)
                                              for a in g.round_starts)
        self._post_close = {
            n.no for n in process.nodes
            if n.sweep is not None or any(a in ("closed", "property_found_after_zhongben")
                                          for it in n.items for a in it.anchor)
        }
        # nodes whose deadlines outlive the closing for the money still held (process.yaml ``outlives_closing``:
        # 到账登记, 案款发放): kept running at the closing, armed after it, unfrozen after it
        self._outlive = frozenset(n.no for n in process.nodes if n.outlives_closing)

    # ── helpers ─────────────────────────────────────────────────────────────────────────
    def _refuse(self, out: Outcome, cmd: Any, now: datetime, code: str, zh: str, en: str,
                details: tuple[Any, ...] = ()) -> Outcome:
        out.refusal = Refusal(code, zh, en, details)
        node = getattr(cmd, "node", None)
        out.events.append(Event(now, cmd.case_id, EVENT_KIND.REFUSED, node if isinstance(node, int) else None,
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
        if item.direction == DIRECTION.BEFORE:
            return self.calendar.latest_before_warned(anchor_at, period)
        if period.unit is UNIT.HOURS:  # counted from the hour: not shared by a day's anchors, but by one instant's
            # (the property an answer reports is found at one instant): the last instant's deadline is kept
            key = (id(item), id(period))
            last = self._hour_dues.get(key)
            if last is not None and last[0] == anchor_at:
                return last[1], last[2]
            deadline = self.calendar.deadline(anchor_at, period, item.policy)
            self._hour_dues[key] = (anchor_at, deadline.due, deadline.warnings)
            return deadline.due, deadline.warnings
        # A day-based period's end depends only on the anchor's date (CST): computed once per (date, period,
        # policy). A date the calendar cannot place raises every time (nothing is cached for it).
        at = anchor_at if anchor_at.tzinfo is CST else to_cst(anchor_at)
        key = (at.toordinal(), id(item), id(period))  # both the process's own objects: alive as long as the engine
        found = self._dues.get(key)
        if found is None:
            deadline = self.calendar.deadline(at, period, item.policy)
            found = self._dues[key] = (deadline.due, deadline.warnings)
        return found

    def _plan(self, state: CaseState, anchor: str, instance: str, at: datetime,
              extra: dict[str, Any] | None = None) -> list[_Arm]:
        """The deadlines an anchor event starts. Computed before any change to the state, so that a date the
        legal calendar cannot place (beyond its holiday data) refuses the command and changes nothing."""
        pairs = self.process.items_by_anchor.get(anchor)
        if not pairs:
            return []
        attrs = None  # the case's attributes with ``extra``: made only for an item with overrides
        closed = state.closed_manner is not None
        met = state.claim_met_at is not None
        per_case = PER.CASE
        leads = self._leads
        arms = []
        for node, item in pairs:
            if closed and node.no not in self._post_close and node.no not in self._outlive:
                continue  # the case is closed: only closing, archiving, resumption and held money's deadlines run
            if met and "claim_met" in item.ends_on:
                continue  # the claim met (``MoneyRules._claim_check``): a step toward a sale is not timed any more
            inst = instance if node.per != per_case else ""
            if item.once and (ns := state.nodes.get((node.no, inst))) is not None and item.key in ns.items:
                continue  # counted from the first of its anchors
            if item.overrides:
                if attrs is None:
                    attrs = self._attrs(state, extra)
                if not item.applies_for(attrs):
                    continue  # the item does not apply to this case (执行通知 in a 财产保全 case): no deadline
                period, freeze = item.period_for(attrs), item.freezes_for(attrs)
            else:
                period, freeze = item.period, item.freeze
            due, warnings = self._due(item, period, at)
            found = leads.get((id(item), id(period)))  # ``_lead_for``'s cache, read here first
            lead, text = found if found is not None else self._lead_for(node, item, period)
            arms.append(_Arm(node, item.key, inst, due, text, lead, warnings, freeze))
        return arms

    def _apply(self, state: CaseState, arms: list[_Arm], now: datetime, out: Outcome) -> None:
        for a in arms:
            self._arm_at(state, a.node, a.key, a.instance, a.due, a.period, a.lead, now, out, a.warnings, a.freeze)

    def _arm_at(self, state: CaseState, node: Node, key: str, instance: str, due: datetime, period: str,
                lead: timedelta, now: datetime, out: Outcome, warnings: tuple[str, ...] = (),
                freeze: bool = False) -> None:
        nodes = state.nodes
        ns = nodes.get((node.no, instance))
        if ns is None:  # ``_node_state``, written out
            ns = nodes[(node.no, instance)] = NodeState(node.no, instance)
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
        out.timers.append(Timer(warn_at, cid, TIMER_KIND.WARN, node.no, key, instance, token))
        data: dict[str, Any] = {"due": due, "period": period, "warn_at": warn_at}
        if warnings:
            data["calendar_warnings"] = list(warnings)
            years = provisional_years_in(warnings)
            if years:
                data["calendar_provisional"] = years  # the deadline depends on provisional holiday years
        out.events.append(Event(now, cid, EVENT_KIND.DEADLINE_SET, node.no, instance, key, data))

    def _withdraw(self, state: CaseState, anchor: str, instance: str | None, now: datetime, out: Outcome) -> None:
        """The deadlines ``anchor`` makes moot (items' ``ends_on``) end: an item neither done nor missed is removed
        with its timers (they find no item: stale), and a ``deadline_withdrawn`` event says so. A missed one stays
        missed (its freeze, if any, still needs its unfreeze). ``instance`` None: a case-wide anchor (``claim_met``)
        ending the node's every instance (each asset, each receipt, their rounds)."""
        for node, item in self.process.items_ended_by.get(anchor, ()):
            inst = instance if node.per != PER.CASE else ""
            found = ([ns for (no, _), ns in state.nodes.items() if no == node.no] if inst is None
                     else self._with_rounds(state, node.no, inst))
            for ns in found:
                st = ns.items.get(item.key)
                if st is None or st.done or st.overdue:
                    continue
                del ns.items[item.key]
                if ns.status == NODE_STATUS.WARNED and not any(s.warned and not s.done for s in ns.items.values()):
                    ns.status = NodeStatus.IN_PROGRESS if ns.started_at is not None else NodeStatus.NOT_STARTED
                out.events.append(Event(now, state.case_id, EVENT_KIND.DEADLINE_WITHDRAWN, node.no, ns.instance,
                                        item.key, {"due": st.due, "by": anchor}))

    @staticmethod
    def _with_rounds(state: CaseState, no: int, instance: str) -> list[NodeState]:
        """Node ``no``'s instance ``instance`` and its rounds (``<instance>#2``…: a later price report of the asset,
        served and objected to under its own instance — core_flow.platform.disposal ``report_instance``): what ends
        the asset's deadlines ends theirs."""
        found = [ns] if (ns := state.nodes.get((no, instance))) is not None else []
        if instance:
            prefix = f"{instance}#"
            found.extend(ns for (n, i), ns in state.nodes.items() if n == no and i.startswith(prefix))
        return found

    def _lead_for(self, node: Node, item: WorkItem, period: Period) -> tuple[timedelta, str]:
        """The warning lead of an item for a period, and the period's short text (both cached)."""
        key = (id(item), id(period))  # the process's own objects (a node's item determines the node)
        found = self._leads.get(key)
        if found is None:
            found = self._leads[key] = (_lead(self.process.warn_lead(item, period)), str(period))
        return found

    def _blockers(self, state: CaseState, no: int, instance: str) -> list[NodeState]:
        blocked: list[NodeState] = []
        get = state.nodes.get
        for pred, how in self._pred_ways[no]:
            if how is _OWN:  # a node per case, or per the same kind of instance: its one state that counts
                ns = get((pred, instance))
            elif how is _CASE:
                ns = get((pred, ""))
            else:  # per another kind of instance: every one of them
                blocked.extend(ns for (n, _), ns in state.nodes.items() if n == pred and ns.status in BLOCKING)
                continue
            if ns is not None and ns.status in BLOCKING:
                blocked.append(ns)
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
        ns.status = NODE_STATUS.FROZEN
        ns.frozen_reason = reason
        ns.unfreeze_by = authorities
        ns.unfreeze_via = via
        ns.forwarded = []
        data: dict[str, Any] = {"reason": reason, "unfreeze_by": list(authorities)}
        if via:
            data["unfreeze_via"] = list(via)
        out.events.append(Event(now, state.case_id, EVENT_KIND.NODE_FROZEN, ns.no, ns.instance, None, data))

    def _check_authority(self, cmd: Any, allowed: tuple[str, ...], now: datetime, out: Outcome) -> str | None:
        try:
            code = self.process.authority(cmd.authority).code
        except Exception:
            code = None
        if code is None or code not in allowed:
            names = "、".join(self.process.authority(a).name for a in allowed)
            given = self.process.authority(code).name if code is not None else cmd.authority  # 院长, not "president"
            self._refuse(out, cmd, now, "WRONG_AUTHORITY",
                         f"{given} 无权审批，应由{names}审批",
                         f"{cmd.authority} may not approve this; approver: {', '.join(allowed)}",
                         tuple(allowed))
            return None
        return code

    def _mark_item_done(self, state: CaseState, node: Node, ns: NodeState, key: str, now: datetime,
                        out: Outcome, arms: list[_Arm]) -> None:
        st = ns.items.get(key)
        if st is None:
            ns.items[key] = st = ItemState(now, 0, "", done=True)
        st.done = True
        out.events.append(Event(now, state.case_id, EVENT_KIND.ITEM_DONE, node.no, ns.instance, key,
                                {"late": st.overdue}))
        if st.duban == "open":
            st.duban = "closed"
            out.events.append(Event(now, state.case_id, EVENT_KIND.DUBAN_CLOSED, node.no, ns.instance, key, {}))
        if arms:
            self._apply(state, arms, now, out)

    def _log_exchange(self, state: CaseState, cmd: c.LogExchange, now: datetime, out: Outcome) -> None:
        data: dict[str, Any] = {"kind": cmd.kind, "agency": cmd.agency, "request_no": cmd.request_no,
                                "measure": cmd.measure, "ticket_id": cmd.ticket_id, "attempt": cmd.attempt}
        if cmd.detail:
            data.update(cmd.detail)
        out.events.append(Event(now, state.case_id, EVENT_KIND.EXCHANGE, None, "", None, data))
