"""The 终本 gate: every condition a case must meet before it may close by 终本.

Conditions are data (``zhongben_gate`` in the process file; sources in LAW.md: 《关于严格规范终结本次执行
程序的规定（试行）》(2016) and seed node 36). The gate lists every unmet condition, not just the first.
"""

from __future__ import annotations

from datetime import datetime

from core_flow.engine.state import CaseState, NodeStatus
from core_flow.legal_calendar import LegalCalendar, Period, Unit
from core_flow.model import GateCondition, Process


def _node_done(state: CaseState, no: int) -> bool:
    # A per-case node, or any instance of a per-instance node, marked done.
    return any(ns.status == NodeStatus.DONE for (n, _), ns in state.nodes.items() if n == no)


def unmet_zhongben_conditions(process: Process, calendar: LegalCalendar, state: CaseState,
                              now: datetime) -> list[GateCondition]:
    unmet: list[GateCondition] = []
    for cond in process.zhongben_gate:
        if cond.when == "shixin_eligible" and not state.shixin_eligible:
            continue
        if cond.node is not None:
            if not _node_done(state, cond.node):
                unmet.append(cond)
        elif cond.months_since_filing is not None:
            # "more than 3 months since 立案": the 3-month period, counted naturally, has fully run.
            period = Period(cond.months_since_filing, Unit.MONTHS)
            if now < calendar.deadline(state.filed_at, period, cond.policy).due:
                unmet.append(cond)
        elif cond.money_held:
            if state.amounts()["account_cents"] > 0:
                unmet.append(cond)
        elif cond.not_case_type is not None and state.case_type == cond.not_case_type:
            unmet.append(cond)
    return unmet
