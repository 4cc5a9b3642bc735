"""The deterministic engine: ``handle(state, command, now)`` → events and timers.

Functional core (DESIGN.md "The engine"): no wall clock, no sleeping, no I/O. ``now`` is passed in;
timers are returned as data and armed by whoever runs the engine (``core_flow.runtime``) on a clock.
A command is either refused — state untouched, one ``refused`` event for the record — or applied:
every check runs before the first change. The rules are composed rule sets (see ``core_flow.engine.core``),
each registering the commands it handles.
"""

from __future__ import annotations

from datetime import datetime

from core_flow.engine import commands as c
from core_flow.engine.closing import ClosingRules
from core_flow.engine.core import EngineCore
from core_flow.engine.events import Outcome, Timer
from core_flow.engine.filing import FilingRules
from core_flow.engine.limit import LimitRules
from core_flow.engine.measures import MeasureRules
from core_flow.engine.money import MoneyRules
from core_flow.engine.nodes import NodeRules
from core_flow.engine.operations import OperationRules
from core_flow.engine.resumption import ResumptionRules
from core_flow.engine.spc import SpcRules
from core_flow.engine.state import BLOCKING, CaseState
from core_flow.engine.timers import TimerRules
from core_flow.engine.unfreeze import UnfreezeRules
from core_flow.legal_calendar import CalendarRangeError, LegalCalendar
from core_flow.model import Process

# Commands a closed case still takes: its post-closing work, its timers, releases, the 终本 register's path
# back (sweep findings, freezes from 终本管理 — in effect or 轮候 — resumption), late answers or views of 集约查询
# feedback, and money arriving after it (a deduction the bank made before the closing's release reached it, a sale's
# proceeds): a receipt to register and pay out like any other.
_AFTER_CLOSING = (
    c.FireTimer, c.Record, c.CompleteItem, c.CompleteNode, c.StartNode, c.FreezeConfirmed, c.FreezeReleased,
    c.FreezeRenewed, c.FreezeQueued, c.DeductionConfirmed,
    c.InquiryAnswered, c.InquiryAnswers, c.OpenFeedback, c.RequestResumption, c.ApproveResumption, c.ResumptionFiled,
    c.ManualQuery, c.LogExchange, c.AnswerNotRecorded, c.RegisterReceipt, c.Escrow, c.ApprovePayout, c.PayOut,
    c.ProceedsArrived, c.HandOverMeasure, c.FeeHandedOver,
)
# Commands a closed case takes only on a node whose deadlines outlive the closing (process.yaml ``outlives_closing``:
# 到账登记, 案款发放 of money still held): the node frozen after the closing is unfrozen after it.
_UNFREEZE_AFTER_CLOSING = (c.RequestUnfreeze, c.ApproveUnfreeze, c.RejectUnfreeze)
# Commands a case whose 立案 node is frozen for a kept handler (node 46) still takes: the unfreeze itself, its timers,
# the record, and facts reported by agencies (answers, freezes and deductions that took effect at a bank).
_WHILE_FILING_FROZEN = (
    c.RequestUnfreeze, c.ApproveUnfreeze, c.RejectUnfreeze, c.FireTimer, c.LogExchange, c.InquiryAnswered,
    c.InquiryAnswers, c.AnswerNotRecorded, c.FreezeConfirmed, c.FreezeReleased, c.FreezeRenewed,
    c.DeductionConfirmed, c.ProceedsArrived, c.FreezeQueued, c.TakeOverMeasure,
)


class Engine(EngineCore):
    """The core and its rule sets; dispatches each command to the rule set that registered it."""

    def __init__(self, process: Process, calendar: LegalCalendar) -> None:
        super().__init__(process, calendar)
        self.filing = FilingRules(self)
        self.nodes = NodeRules(self)
        self.unfreeze = UnfreezeRules(self)
        self.limit = LimitRules(self)
        self.closing = ClosingRules(self)
        self.timers = TimerRules(self)
        self.spc = SpcRules(self)
        self.money = MoneyRules(self)
        self.resumption = ResumptionRules(self)
        self.measures = MeasureRules(self)
        self.operations = OperationRules(self)
        self._handlers = {c.LogExchange: self._log_exchange}
        for rules in (self.filing, self.nodes, self.unfreeze, self.limit, self.closing, self.timers, self.spc,
                      self.money, self.resumption, self.measures, self.operations):
            for kind, handler in rules.commands().items():
                if kind in self._handlers:
                    raise ValueError(f"{kind.__name__} registered twice")
                self._handlers[kind] = handler

    # ── entry point ──────────────────────────────────────────────────────────────────────
    def timer_stale(self, state: CaseState, timer: Timer) -> bool:
        """Firing ``timer`` on ``state`` would change nothing and record nothing (its item is done or re-armed):
        a runtime may drop it without a command. Exactly what :meth:`handle` of ``FireTimer`` would do then."""
        return self.timers.stale(state, timer)

    def fire_timer(self, state: CaseState, timer: Timer, now: datetime) -> Outcome:
        """``handle(state, FireTimer(timer), now)`` for a case that exists, without the command: the same events,
        timers and state (a timer passes every gate of ``handle``: a closed case and a frozen 立案 node take it). A
        runtime fires about 100,000 timers a court-year; the command is made only for a refusal's record."""
        out = Outcome([], [])
        try:
            self.timers.fire(state, timer, now, out)
        except CalendarRangeError as err:  # raised while planning, before any change
            return self._refuse(out, c.FireTimer(timer), now, "CALENDAR_RANGE", err.zh, err.en)
        if out.refusal is None and out.events:
            self.operations._run_operations(state, now, out)
        return out

    def handle(self, state: CaseState | None, cmd: c.Command, now: datetime) -> tuple[CaseState | None, Outcome]:
        """Apply ``cmd`` at ``now``. Returns the (possibly new) state and the outcome."""
        out = Outcome([], [])
        if isinstance(cmd, c.FileCase):
            if state is not None:
                return state, self._refuse(out, cmd, now, "ALREADY_FILED", "案件已立案", "case already filed")
            try:
                return self.filing._file(cmd, now, out), out
            except CalendarRangeError as err:
                out.events.clear()
                return None, self._refuse(out, cmd, now, "CALENDAR_RANGE", err.zh, err.en)
        if state is None:
            return None, self._refuse(out, cmd, now, "UNKNOWN_CASE", "案件不存在", "no such case")
        if state.closed_manner is not None and not isinstance(cmd, _AFTER_CLOSING) and not (
                isinstance(cmd, _UNFREEZE_AFTER_CLOSING) and cmd.node in self._outlive):
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
            self.operations._run_operations(state, now, out)
        return state, out
