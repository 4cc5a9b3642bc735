"""Filing, assignment and identity: 立案, 分案, 身份验证 and the 集约查询 trigger (with the first network inquiry's
deadlines); node 46's handler rule on a resumed case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore, _Arm
from core_flow.engine.events import EVENT_KIND, Event, Outcome
from core_flow.engine.state import (
    BLOCKING,
    CaseState,
    FeeCharge,
)
from core_flow.legal_calendar import to_cst


class FilingRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.Assign: self._assign,
            c.VerifyIdentity: self._verify,
            c.CorrectIdentity: self._correct,
        }

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
        arms = self.e._plan(state, "filed", "", filed)
        data = {"case_type": cmd.case_type, "money": cmd.money, "nonlitigation": cmd.nonlitigation, "filed_at": filed,
                "debtors": list(cmd.debtors), "amount_cents": cmd.amount_cents, "previous_case": cmd.previous_case}
        fee = self.e.process.fees.application_fee
        # 执行申请费, recorded on the case (off by default): a charged type, or a 恢复执行 case carrying its 终本 case's
        # (``resumed: carry_over``: the same application, not charged again — it settles what the original left)
        carried = cmd.fee_carried if fee.enabled and cmd.money and fee.resumed == "carry_over" else None
        if carried is not None or fee.applies(cmd.case_type, cmd.money):
            state.fee = FeeCharge(fee, self.e.roles.receipt, carried)
            if carried is not None:
                data["fee_carried"] = {"claim_cents": carried.claim_cents, "enforced_cents": carried.enforced_cents,
                                       "settled_cents": carried.settled_cents}
            if fee.basis == "claim":  # due whole from filing: the filing says it
                data["application_fee_cents"] = state.fee_cents
        out.events.append(Event(now, cmd.case_id, EVENT_KIND.FILED, None, "", None, data))
        self.e._apply(state, arms, now, out)
        return state

    def _assign(self, state: CaseState, cmd: c.Assign, now: datetime, out: Outcome) -> None:
        first = state.handler is None
        arms = self.e._plan(state, "received", "", now) if first else []
        network = self._network_inquiry_plan(state, now)
        state.handler = cmd.handler
        out.events.append(Event(now, state.case_id, EVENT_KIND.ASSIGNED, None, "", None, {"handler": cmd.handler}))
        rule = self.e.process.resumption
        if (state.case_type == "resumed" and rule.handler_must_change and state.previous_handler
                and cmd.handler == state.previous_handler):
            ns = self.e._node_state(state, rule.freezes_node, "")
            if ns.status not in BLOCKING:
                self.e._freeze(state, ns, "HANDLER_NOT_CHANGED", rule.unfreeze, now, out)
                state.filing_frozen = True  # node 46: nothing moves until the 立案 node is unfrozen
        self.e._apply(state, arms, now, out)
        self._maybe_trigger_inquiry(state, now, out, network)

    def _network_inquiry_plan(self, state: CaseState, now: datetime) -> list[_Arm]:
        """The deadlines the first network inquiry starts (node 9's and 11's 30 days), planned before any change."""
        if state.network_inquiry_at is not None or not self.e.spc._inquiry_applies(state):
            return []
        return self.e._plan(state, "network_inquiry", "", now)

    def _maybe_trigger_inquiry(self, state: CaseState, now: datetime, out: Outcome,
                               network: list[_Arm]) -> None:
        if state.handler is None or not self.e.spc._inquiry_applies(state):
            return
        for debtor, status in state.identity.items():
            if status == "passed" and debtor not in state.inquiries_triggered:
                state.inquiries_triggered.add(debtor)
                out.events.append(Event(now, state.case_id, EVENT_KIND.INQUIRY_TRIGGERED, self.e.roles.inquiry, "",
                                        None, {"debtor": debtor}))
                self._record_network_inquiry(state, now, out, network)

    def _record_network_inquiry(self, state: CaseState, now: datetime, out: Outcome, arms: list[_Arm]) -> None:
        if state.network_inquiry_at is not None:
            return
        state.network_inquiry_at = now
        out.events.append(Event(now, state.case_id, EVENT_KIND.ANCHOR, None, "", None,
                                {"anchor": "network_inquiry", "at": now}))
        self.e._apply(state, arms, now, out)

    def _verify(self, state: CaseState, cmd: c.VerifyIdentity, now: datetime, out: Outcome) -> None:
        if cmd.debtor not in state.identity:
            self.e._refuse(out, cmd, now, "UNKNOWN_DEBTOR", f"本案无被执行人 {cmd.debtor}",
                         f"no debtor {cmd.debtor} in this case")
            return
        if state.identity[cmd.debtor] == "failed" and cmd.passed:
            self.e._refuse(out, cmd, now, "IDENTITY_NOT_CORRECTED", "身份信息验证未通过，须先更正身份信息",
                         "identity verification failed: correct the identity first")
            return
        network = self._network_inquiry_plan(state, now) if cmd.passed else []
        state.identity[cmd.debtor] = "passed" if cmd.passed else "failed"
        kind = EVENT_KIND.IDENTITY_VERIFIED if cmd.passed else EVENT_KIND.IDENTITY_FAILED
        out.events.append(Event(now, state.case_id, kind, None, "", None, {"debtor": cmd.debtor}))
        self._maybe_trigger_inquiry(state, now, out, network)

    def _correct(self, state: CaseState, cmd: c.CorrectIdentity, now: datetime, out: Outcome) -> None:
        if cmd.debtor not in state.identity:
            self.e._refuse(out, cmd, now, "UNKNOWN_DEBTOR", f"本案无被执行人 {cmd.debtor}",
                         f"no debtor {cmd.debtor} in this case")
            return
        state.identity[cmd.debtor] = "pending"
        out.events.append(Event(now, state.case_id, EVENT_KIND.IDENTITY_CORRECTED, None, "", None,
                                {"debtor": cmd.debtor, "corrected_to": cmd.corrected_to}))
