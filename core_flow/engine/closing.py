"""Closing (报结): the checks, the review by 审判管理办公室, the closing itself (releases, measures lifted,
post-closing deadlines) and the 终本 sweeps it starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore, _Arm
from core_flow.engine.events import EVENT_KIND, Event, EventKind, Outcome, Timer, TimerKind
from core_flow.engine.gate import unmet_release_conditions, unmet_zhongben_conditions
from core_flow.engine.state import (
    NODE_STATUS,
    CaseState,
    ItemState,
    NodeStatus,
)
from core_flow.errors import UserError
from core_flow.legal_calendar import Period, to_cst
from core_flow.model import ClosingManner


class ClosingRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.Close: self._close,
            c.ApproveClosing: self._approve_closing,
            c.ReturnClosing: self._return_closing,
        }

    # ── closing ──────────────────────────────────────────────────────────────────────────
    def _closing_checks(self, state: CaseState, cmd: Any, manner_ref: str, now: datetime,
                        out: Outcome) -> ClosingManner | None:
        """What a 报结 must meet, checked when it is filed and again when it is approved."""
        try:
            manner = self.e.process.manner(manner_ref)
        except UserError as err:  # names the manners there are
            self.e._refuse(out, cmd, now, "UNKNOWN_MANNER", err.zh, err.en)
            return None
        if not manner.allows(state.case_type):
            self._wrong_case_type(state, cmd, manner, now, out)
            return None
        frozen = state.frozen_nodes()
        if self.e.process.closing.blocked_by == "limit_only":
            frozen = [ns for ns in frozen if ns.no == self.e.process.limit.node]
        if frozen:
            self.e._frozen_refusal(out, cmd, now, frozen)
            return None
        if manner.code == "zhongben":
            unmet = unmet_zhongben_conditions(self.e.process, self.e.calendar, state, now)
            if unmet:
                self.e._refuse(
                    out, cmd, now, "ZHONGBEN_GATE",
                    "不符合终本条件：" + "；".join(u.zh for u in unmet),
                    "终本 conditions not met: " + "; ".join(u.en for u in unmet),
                    tuple(u.code for u in unmet),
                )
                return None
        elif manner.releases_for(state.case_type) and self.e.process.release_gate:
            # a closing that releases the seals and freezes waits for what they still secure (process.yaml
            # ``release_gate``: property sold whose ruling and transfer are not done)
            unmet = unmet_release_conditions(self.e.process, self.e.calendar, state, now, manner)
            if unmet:
                self.e._refuse(
                    out, cmd, now, "RELEASE_GATE",
                    f"不能以“{manner.name}”结案（结案将解除查封、扣押、冻结等控制措施）："
                    + "；".join(u.zh for u in unmet),
                    f"cannot close as {manner.name} ({manner.code}): the closing releases the controls, and "
                    + "; ".join(u.en for u in unmet),
                    tuple(u.code for u in unmet),
                )
                return None
        return manner

    def _wrong_case_type(self, state: CaseState, cmd: Any, manner: ClosingManner, now: datetime,
                         out: Outcome) -> None:
        """A manner for other case types (保全完毕 in a 首执 case, 终本 in a 保全 case): refused, naming the manners
        this case's type may use (process.yaml ``closing_manners``' ``case_types``)."""
        process = self.e.process
        kind = next((t for t in process.case_types if t.code == state.case_type), None)
        zh_type, en_type = (kind.name, kind.en) if kind is not None else (state.case_type, state.case_type)
        usable = process.manners_for(state.case_type)
        self.e._refuse(
            out, cmd, now, "MANNER_NOT_FOR_CASE_TYPE",
            f"{zh_type}案件不能以“{manner.name}”方式结案；可用的结案方式：" + "、".join(m.label for m in usable),
            f"a {en_type} case does not close as {manner.name} ({manner.code}); its closing manners: "
            + ", ".join(f"{m.name} ({m.code})" for m in usable),
            tuple(m.code for m in usable),
        )

    def _close(self, state: CaseState, cmd: c.Close, now: datetime, out: Outcome) -> None:
        closed_at = _closed_at(cmd)
        if closed_at is not None and (closed_at > now or closed_at < state.filed_at or cmd.reviewed_by is None):
            self.e._refuse(out, cmd, now, "BAD_CLOSED_AT", "补录的结案日期须在立案之后、当前之前，且须写明审查人",
                           "a closing entered after the fact lies between filing and now and names its reviewer")
            return
        if state.closing_pending is not None:
            self.e._refuse(out, cmd, now, "CLOSING_PENDING", "报结申请正在审查中", "a 报结 is already under review")
            return
        review = self.e.process.closing.review
        reviewer = None
        if review and cmd.reviewed_by is not None:
            reviewer = self.e._check_authority(c.ApproveClosing(state.case_id, cmd.reviewed_by), review, now, out)
            if reviewer is None:
                return
        manner = self._closing_checks(state, cmd, cmd.manner, now, out)
        if manner is None:
            return
        if review and reviewer is None:
            state.closing_pending = manner.code
            out.events.append(Event(now, state.case_id, EventKind.CLOSING_REQUESTED, self.e.process.limit.node, "",
                                    None, {"manner": manner.code, "name": manner.name, "review": list(review)}))
            return
        self._do_close(state, cmd, manner, reviewer, now, out)

    def _reviewer(self, state: CaseState, cmd: c.ApproveClosing | c.ReturnClosing, now: datetime,
                  out: Outcome) -> str | None:
        """The reviewer of a pending 报结 (refusing when none is pending or the authority may not review)."""
        if state.closing_pending is None:
            self.e._refuse(out, cmd, now, "NO_CLOSING_REQUEST", "没有待审查的报结申请", "no 报结 under review")
            return None
        return self.e._check_authority(cmd, self.e.process.closing.review, now, out)

    def _approve_closing(self, state: CaseState, cmd: c.ApproveClosing, now: datetime, out: Outcome) -> None:
        code = self._reviewer(state, cmd, now, out)
        if code is None:
            return
        manner = self._closing_checks(state, cmd, state.closing_pending, now, out)
        if manner is None:
            return
        self._do_close(state, cmd, manner, code, now, out)

    def _return_closing(self, state: CaseState, cmd: c.ReturnClosing, now: datetime, out: Outcome) -> None:
        code = self._reviewer(state, cmd, now, out)
        if code is None:
            return
        manner, state.closing_pending = state.closing_pending, None
        out.events.append(Event(now, state.case_id, EventKind.CLOSING_RETURNED, self.e.process.limit.node, "", None,
                                {"manner": manner, "authority": code, "reason": cmd.reason}))

    def _do_close(self, state: CaseState, cmd: Any, manner: ClosingManner, reviewer: str | None, now: datetime,
                  out: Outcome) -> None:
        at = _closed_at(cmd) or now  # a closing entered after the fact counts from its real day
        arms = self.e._plan(state, "closed", "", at)
        limit_def = self.e.process.by_no[self.e.process.limit.node]
        manner_arms = []
        for item in manner.items:
            due, warnings = self.e._due(item, item.period, at)
            lead, text = self.e._lead_for(limit_def, item, item.period)
            manner_arms.append(_Arm(limit_def, f"{manner.code}_{item.key}", "", due, text, lead, warnings))
        sweeps = self._plan_sweeps(at) if manner.starts_sweep else []
        before = [a for a in arms + manner_arms if a.due <= now] if at != now else []
        if before:  # due before the entry: done then (not fired now)
            arms = [a for a in arms if a.due > now]
            manner_arms = [a for a in manner_arms if a.due > now]
        # ── changes from here on ──
        held = self.e.money.held(state)
        held_receipts = {h["receipt"] for h in held}
        running = []  # the deadlines that outlive the closing: money still held (process.yaml ``outlives_closing``)
        state.closing_pending = None
        state.closed_manner = manner.code
        state.closed_at = at
        for ns in state.nodes.values():
            outlives = ns.no in self.e._outlive and ns.instance in held_receipts
            for key, st in ns.items.items():
                if not st.done:
                    if outlives:
                        running.append([ns.no, ns.instance, key])
                    else:
                        st.token = -1  # outstanding deadlines end with the case
        limit_node = self.e._node_state(state, self.e.process.limit.node, "")
        limit_node.status = NODE_STATUS.DONE
        limit_node.done_at = now
        release = manner.releases_for(state.case_type)
        lifted = self.e.measures._measures_in_force(state) if manner.lifts else []
        data = {"manner": manner.code, "name": manner.name, "release_controls": release,
                "release": self.e.money._release_plan(state) if release else [],
                "lift": [self.e.process.by_no[no].name for no in lifted], "money": state.amounts()}
        data["held"] = held  # what the account still holds, and to whom it goes (process.yaml returns_held)
        if held:
            data["held_to"] = "debtor" if manner.returns_held else "applicant"
        if running:
            data["running"] = running  # [node, receipt, item]: still due (warned, frozen on expiry) after the closing
        if reviewer is not None:
            data["reviewed_by"] = reviewer
        swept = sum(1 for _, due, _ in sweeps if due <= now)
        if at != now:
            data["closed_at"] = at
            data["done_before"] = [[a.node.no, a.key] for a in before]
            data["sweeps_before"] = swept
        out.events.append(Event(now, state.case_id, EVENT_KIND.CLOSED, self.e.process.limit.node, "", None, data))
        for no in lifted:
            self.e.measures._lift_measure(state, no, "closed_" + manner.code, now, out)
        for a in before:
            ns = self.e._node_state(state, a.node.no, a.instance)
            ns.items[a.key] = ItemState(a.due, 0, a.period, done=True)
        self.e._apply(state, arms + manner_arms, now, out)
        if sweeps:
            self._arm_sweeps(state, sweeps, out, now if at != now else None)

    def _plan_sweeps(self, now: datetime) -> list[tuple[str, datetime, str]]:
        """终本统查: every ``every`` after the 终本 closing, ``count`` times (node 45), counted naturally."""
        if self.e._sweep_node is None:
            return []
        sweep = self.e._sweep_node.sweep
        plan = []
        for k in range(1, sweep.count + 1):
            period = Period(sweep.every.amount * k, sweep.every.unit)
            plan.append((f"sweep_{k}", self.e.calendar.deadline(now, period, sweep.policy).due, str(period)))
        return plan

    def _arm_sweeps(self, state: CaseState, plan: list[tuple[str, datetime, str]], out: Outcome,
                    now: datetime | None = None) -> None:
        """Arm the sweeps of ``plan``; with ``now`` (a closing entered after the fact), those due by then took place
        before the entry: recorded done, not armed."""
        node = self.e._sweep_node
        token = state.next_token
        state.next_token += 1
        ns = self.e._node_state(state, node.no, "")
        ns.status = NodeStatus.IN_PROGRESS
        for key, at, period in plan:
            if now is not None and at <= now:
                ns.items[key] = ItemState(at, token, period, done=True)
                continue
            ns.items[key] = ItemState(at, token, period)
            out.timers.append(Timer(at, state.case_id, TimerKind.SWEEP, node.no, key, "", token))
        if all(st.done for st in ns.items.values()):
            ns.status = NodeStatus.DONE
            ns.done_at = now


def _closed_at(cmd: Any) -> datetime | None:
    """``Close.closed_at`` in China time (a naive value is taken as China time), or None."""
    at = getattr(cmd, "closed_at", None)
    return None if at is None else to_cst(at)
