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
from core_flow.engine.money import control_anchor
from core_flow.engine.state import (
    AssetMoney,
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
            c.HandOverMeasure: self._hand_over,
            c.TakeOverMeasure: self._take_over,
            c.FeeHandedOver: self._fee_handed_over,
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

    def _fee_handed_over(self, state: CaseState, cmd: c.FeeHandedOver, now: datetime, out: Outcome) -> None:
        """The application fee goes with the application to the 恢复执行 case filed with this case's figures
        (process.yaml ``fees.application_fee.resumed: carry_over``; ``Platform.file_resumed`` issues it right after
        that filing, at the instant the figures were taken): this case settles no more of it (``FeeCharge.due_cents``).
        Until then — the push not filed yet, refused, or filed where nothing was carried — the fee stays here."""
        if state.fee is None or state.fee.handed_to:
            self.e._refuse(out, cmd, now, "NO_FEE_TO_HAND_OVER", "本案没有可转入恢复执行案件的执行申请费",
                           "this case has no application fee to hand over")
            return
        if state.resumption not in ("approved", "filed") or state.resumed_as not in (None, cmd.to_case):
            self.e._refuse(out, cmd, now, "RESUMPTION_NOT_APPROVED", f"本案未批准恢复执行为 {cmd.to_case}",
                           f"this case's resumption as {cmd.to_case} is not approved")
            return
        state.fee.handed_to = cmd.to_case
        settled = state.fee_settled_cents()
        out.events.append(Event(now, state.case_id, EventKind.FEE_HANDED_OVER, self.e.process.resumption.node, "",
                                None, {"to_case": cmd.to_case, "fee_cents": settled, "fee_settled_cents": settled}))

    # ── the measures continue in the 恢复执行 case ──────────────────────────────────────────────────
    # A 终本 case's freezes and seals stay in force (they are renewed while it is in the register); once it is
    # resumed, the 恢复执行 case holds them: it deducts the frozen money and disposes of the sealed property under the
    # same freeze ids, without freezing anew. Two commands, one per case (the engine sees one case at a time); the
    # platform issues them when the resumed case is filed (``Platform.carry_over``).

    def _hand_over(self, state: CaseState, cmd: c.HandOverMeasure, now: datetime, out: Outcome) -> None:
        if state.resumed_as is None or cmd.to_case != state.resumed_as:
            self.e._refuse(out, cmd, now, "NOT_RESUMED_AS", f"本案未恢复执行为 {cmd.to_case}",
                           f"this case was not resumed as {cmd.to_case}")
            return
        asset = state.assets.get(cmd.asset)
        if asset is None or not asset.active or not asset.freeze_id:
            self.e._refuse(out, cmd, now, "NO_FREEZE", f"财产 {cmd.asset} 没有生效的冻结或查封",
                           f"no freeze or seal in force on {cmd.asset}")
            return
        asset.moved_to = cmd.to_case
        out.events.append(Event(now, state.case_id, EventKind.MEASURE_HANDED_OVER, self.e.process.resumption.node,
                                cmd.asset, None,
                                {"to_case": cmd.to_case, "agency": asset.agency, "freeze_id": asset.freeze_id,
                                 "amount_cents": asset.frozen_cents - asset.deducted_cents}))

    def _take_over(self, state: CaseState, cmd: c.TakeOverMeasure, now: datetime, out: Outcome) -> None:
        if state.case_type != "resumed" or state.previous_case != cmd.from_case:
            self.e._refuse(out, cmd, now, "NOT_RESUMED_FROM", f"本案不是 {cmd.from_case} 的恢复执行案件",
                           f"this case is not the resumption of {cmd.from_case}")
            return
        if cmd.asset in state.assets:
            self.e._refuse(out, cmd, now, "ASSET_EXISTS", f"财产 {cmd.asset} 已在本案控制之下",
                           f"asset {cmd.asset} is already controlled in this case")
            return
        if cmd.amount_cents <= 0 or not cmd.freeze_id:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", "接续的冻结须有冻结编号和大于零的金额",
                           "a measure taken over needs its freeze id and a positive amount")
            return
        arms = self.e._plan(state, control_anchor(self.e.process, cmd.measure, cmd.kind), cmd.asset, now)
        asset = state.assets[cmd.asset] = AssetMoney(cmd.agency, frozen_cents=cmd.amount_cents,
                                                     freeze_id=cmd.freeze_id, account_no=cmd.account_no,
                                                     expires_at=cmd.expires_at)
        # the same event as a freeze taking effect: the case's handler deducts (or disposes of) it as any other
        out.events.append(self.e.money.funds_frozen(state, cmd.asset, asset, cmd.amount_cents, cmd.freeze_id,
                                                    cmd.account_no, cmd.measure, now, taken_over_from=cmd.from_case,
                                                    **({"kind": cmd.kind} if cmd.kind else {})))
        self.e._apply(state, arms, now, out)
