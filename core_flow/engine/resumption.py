"""The 终本 register's way back: resumption approved in 终本管理 and pushed to the local filing system
(法明传〔2020〕849号 一（二）), and the node-46 rule on the resumed case (a different handler, else its 立案
node freezes — see ``Engine._assign``).

A 终本 case stays in the register (swept every 6 months for 5 years, node 45) until its resumption is approved:
then its remaining sweeps end, the approval is pushed to the filing system, which files the 恢复执行 case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import Event, EventKind, Outcome
from core_flow.engine.state import (
    CaseState,
    NodeStatus,
)


class ResumptionRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.RequestResumption: self._request_resumption,
            c.ApproveResumption: self._approve_resumption,
            c.ResumptionFiled: self._resumption_filed,
        }

    def _request_resumption(self, state: CaseState, cmd: c.RequestResumption, now: datetime,
                            out: Outcome) -> None:
        if state.closed_manner != "zhongben":
            self.e._refuse(out, cmd, now, "NOT_ZHONGBEN", "只有终本案件可以申请恢复执行",
                         "only a case closed by 终本 can be resumed")
            return
        if state.resumption is not None:
            self.e._refuse(out, cmd, now, "RESUMPTION_PENDING", "恢复执行申请已提出",
                           "a resumption is already under way")
            return
        state.resumption = "requested"
        out.events.append(Event(now, state.case_id, EventKind.RESUMPTION_REQUESTED,
                                self.e.process.resumption.node, "", None,
                                {"reason": cmd.reason}))

    def _approve_resumption(self, state: CaseState, cmd: c.ApproveResumption, now: datetime,
                            out: Outcome) -> None:
        if state.resumption != "requested":
            self.e._refuse(out, cmd, now, "NO_RESUMPTION_REQUEST", "没有待审批的恢复执行申请",
                         "no resumption request pending")
            return
        code = self.e._check_authority(cmd, self.e.process.resumption.approve, now, out)
        if code is None:
            return
        state.resumption = "approved"
        sweep = self.e._sweep_node
        if sweep is not None and (ns := state.nodes.get((sweep.no, ""))) is not None:
            for st in ns.items.values():
                if not st.done:
                    st.token = -1  # out of the 终本 register: no more sweeps
            ns.status = NodeStatus.DONE
            ns.done_at = now
        out.events.append(Event(now, state.case_id, EventKind.RESUMPTION_APPROVED,
                                self.e.process.resumption.node, "", None,
                                {"authority": code, "handler": state.handler, "push": "local_filing_system"}))

    def _resumption_filed(self, state: CaseState, cmd: c.ResumptionFiled, now: datetime,
                          out: Outcome) -> None:
        if state.resumption != "approved":
            self.e._refuse(out, cmd, now, "RESUMPTION_NOT_APPROVED", "恢复执行未经审批",
                           "the resumption is not approved")
            return
        state.resumption = "filed"
        state.resumed_as = cmd.new_case
        out.events.append(Event(now, state.case_id, EventKind.RESUMPTION_FILED, self.e.process.resumption.node, "",
                                None,
                                {"new_case": cmd.new_case}))
