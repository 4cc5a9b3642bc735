"""集约查询, the manual-query lock and the 3-day view rule (最高人民法院 法明传〔2020〕849号 一（一）).

Rules (mixed into ``Engine``; same contract: check everything, then change):
* The inquiry goes to exactly the agencies ``StartInquiry`` names (the scope is computed by whoever knows the
  agency directory: ``core_flow.gateway.directory.inquiry_scope``) and only after the engine triggered it.
* Until every in-scope agency answered, a handler's own query to any in-scope agency is refused, naming the
  outstanding agencies; agencies outside the scope are the handler's own to query.
* An answer that reports property must be opened within 3 days (legal calendar); otherwise a 督办 item is
  raised; opening it later closes the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import EVENT_KIND, TIMER_KIND, Event, EventKind, Outcome, Timer
from core_flow.engine.state import (
    CaseState,
    FeedbackState,
)
from core_flow.legal_calendar import to_cst


class SpcRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.StartInquiry: self._start_inquiry,
            c.InquiryAnswered: self._inquiry_answered,
            c.InquiryAnswers: self._inquiry_answers,
            c.OpenFeedback: self._open_feedback,
            c.ManualQuery: self._manual_query,
            c.AnswerNotRecorded: self._answer_not_recorded,
        }

    def _inquiry_applies(self, state: CaseState) -> bool:
        rules = self.e.process.inquiry
        # the cut-off compares the China-time date of filing (a UTC instant is converted first)
        return (state.case_type in rules.case_types and (state.money or not rules.money_only)
                and to_cst(state.filed_at).date() >= rules.applies_from)

    def _start_inquiry(self, state: CaseState, cmd: c.StartInquiry, now: datetime, out: Outcome) -> None:
        if cmd.debtor not in state.inquiries_triggered:
            self.e._refuse(out, cmd, now, "INQUIRY_NOT_TRIGGERED",
                           "该被执行人的集约查询尚未触发（须分案且身份验证通过）",
                         "the 集约查询 of this debtor has not been triggered (assignment and a passed identity "
                         "verification come first)")
            return
        if cmd.debtor in state.inquiries:
            self.e._refuse(out, cmd, now, "INQUIRY_STARTED", "该被执行人的集约查询已发起",
                           "the 集约查询 already started")
            return
        if not cmd.agencies or len(set(cmd.agencies)) != len(cmd.agencies):
            self.e._refuse(out, cmd, now, "BAD_SCOPE", "查询范围为空或有重复机构",
                         "the scope is empty or repeats an agency")
            return
        state.inquiries[cmd.debtor] = dict.fromkeys(cmd.agencies, "pending")
        out.events.append(Event(now, state.case_id, EVENT_KIND.INQUIRY_STARTED, self.e.roles.inquiry, "", None,
                                {"debtor": cmd.debtor, "agencies": list(cmd.agencies)}))

    def _inquiry_answered(self, state: CaseState, cmd: c.InquiryAnswered, now: datetime,
                          out: Outcome) -> None:
        if cmd.holdings > 0:
            found, none = ((cmd.agency, cmd.holdings, cmd.amount_cents),), ()
        else:
            found, none = (), (cmd.agency,)
        self._answers(state, cmd, cmd.debtor, found, none, now, out)

    def _inquiry_answers(self, state: CaseState, cmd: c.InquiryAnswers, now: datetime,
                         out: Outcome) -> None:
        self._answers(state, cmd, cmd.debtor, cmd.found, cmd.none_found, now, out, cmd.assets, cmd.failed)

    def _answers(self, state: CaseState, cmd: c.Command, debtor: str, found: tuple[tuple[str, int, int], ...],
                 none_found: tuple[str, ...], now: datetime, out: Outcome,
                 assets: tuple[tuple[str, bool, int], ...] = (), failed: tuple[tuple[str, str], ...] = ()) -> None:
        """Agencies of ``debtor``'s 集约查询 answered at ``now``; those in ``found`` reported property, which
        the handler must open within the view period (3 days) or a 督办 item is raised."""
        agencies = state.inquiries.get(debtor)
        codes = [a for a, _, _ in found]
        codes.extend(none_found)
        codes.extend(a for a, _ in failed)
        if not codes:
            self.e._refuse(out, cmd, now, "BAD_SCOPE", "反馈中没有机构", "the answer names no agency")
            return
        if agencies is None:
            self.e._refuse(out, cmd, now, "NOT_IN_SCOPE", "该被执行人没有进行中的集约查询",
                         "no 集约查询 of this debtor is under way", tuple(codes))
            return
        outside = [a for a in codes if a not in agencies]
        if outside:
            names = "、".join(outside)
            self.e._refuse(out, cmd, now, "NOT_IN_SCOPE", f"{names} 不在该被执行人的集约查询范围内",
                         f"{', '.join(outside)} not in this debtor's 集约查询 scope", tuple(outside))
            return
        again = [a for a in codes if agencies[a] == "answered"]
        if len(set(codes)) != len(codes):
            again.extend(sorted({a for a in codes if codes.count(a) > 1}))
        if again:
            self.e._refuse(out, cmd, now, "ALREADY_ANSWERED", f"{'、'.join(again)} 已反馈",
                         f"{', '.join(again)} already answered", tuple(again))
            return
        due = None
        if found:
            rules = self.e.process.inquiry
            due = self.e.calendar.deadline(now, rules.view_within, rules.view_policy).due  # may refuse: no change yet
        plans = []  # the control deadlines of the property found, planned before anything changes
        details = getattr(cmd, "details", None) or {}
        for asset, online, amount in assets:
            anchor = "property_found_online" if online else "property_found_offline"
            # the anchor event's data, also what overrides read (as ``Record`` does)
            data = {"anchor": anchor, "at": now, "amount_cents": amount, "debtor": debtor, **details.get(asset, {})}
            plans.append((asset, data, self.e._plan(state, anchor, asset, now, data)))
        cid = state.case_id
        events = out.events
        for agency in codes:
            agencies[agency] = "answered"
        for agency, holdings, amount in found:
            events.append(Event(now, cid, EVENT_KIND.INQUIRY_ANSWERED, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agency": agency, "holdings": holdings, "amount_cents": amount}))
            token = state.next_token
            state.next_token += 1
            state.feedback[(debtor, agency)] = FeedbackState(now, due, token, holdings, amount)
            out.timers.append(Timer(due, cid, TIMER_KIND.VIEW, self.e.roles.inquiry, f"{debtor}|{agency}", "", token))
            events.append(Event(now, cid, EVENT_KIND.FEEDBACK_RECEIVED, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agency": agency, "view_by": due}))
        if none_found:
            events.append(Event(now, cid, EVENT_KIND.INQUIRY_NONE_FOUND, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agencies": list(none_found)}))
        if failed:
            events.append(Event(now, cid, EventKind.INQUIRY_FAILED, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agencies": [a for a, _ in failed],
                                 "codes": [code for _, code in failed]}))
        for asset, data, arms in plans:
            events.append(Event(now, cid, EVENT_KIND.ANCHOR, None, asset, None, data))
            self.e._apply(state, arms, now, out)
        if not state.outstanding(debtor):
            events.append(Event(now, cid, EVENT_KIND.INQUIRY_COMPLETED, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agencies": len(agencies)}))

    def _open_feedback(self, state: CaseState, cmd: c.OpenFeedback, now: datetime, out: Outcome) -> None:
        fb = state.feedback.get((cmd.debtor, cmd.agency))
        if fb is None:
            self.e._refuse(out, cmd, now, "NO_FEEDBACK", f"{cmd.agency} 没有待查看的财产反馈",
                         f"no property feedback from {cmd.agency} to open")
            return
        if fb.opened_at is not None:
            return  # opening again changes nothing
        fb.opened_at = now
        fb.token = -1
        out.events.append(Event(now, state.case_id, EVENT_KIND.FEEDBACK_OPENED, self.e.roles.inquiry, "", None,
                                {"debtor": cmd.debtor, "agency": cmd.agency, "late": now >= fb.due}))
        if fb.duban == "open":
            fb.duban = "closed"
            out.events.append(Event(now, state.case_id, EventKind.DUBAN_CLOSED, self.e.roles.inquiry, "", None,
                                    {"debtor": cmd.debtor, "agency": cmd.agency}))

    def _manual_query(self, state: CaseState, cmd: c.ManualQuery, now: datetime, out: Outcome) -> None:
        outstanding = state.outstanding(cmd.debtor)
        scope = state.inquiries.get(cmd.debtor, {})
        if cmd.debtor in state.inquiries_triggered and cmd.debtor not in state.inquiries and cmd.in_scope is not False:
            # triggered, not yet sent: the lock holds from the trigger for every agency of the (coming) scope
            self.e._refuse(out, cmd, now, "MANUAL_QUERY_LOCKED",
                         "集约查询已触发、尚未发出，范围内的协助单位不得自行查询",
                         "the 集约查询 is triggered and not yet sent: no own query to agencies of its scope",
                         (cmd.agency,))
            return
        network = self.e._plan(state, "network_inquiry", "", now) if state.network_inquiry_at is None else []
        # "集约查询范围内的协助单位未反馈信息前，执行人员不得自行对集约查询范围内的协助单位发起查询": while any
        # in-scope agency is outstanding, no own query to any in-scope agency.
        if outstanding and cmd.agency in scope:
            names = "、".join(outstanding)
            self.e._refuse(out, cmd, now, "MANUAL_QUERY_LOCKED",
                         f"集约查询范围内的协助单位未反馈前，不得自行查询；尚未反馈：{names}",
                         f"no own query to agencies of the 集约查询 scope before they answer; outstanding: "
                         f"{', '.join(outstanding)}", tuple(outstanding))
            return
        out.events.append(Event(now, state.case_id, EVENT_KIND.MANUAL_QUERY, self.e.roles.network_inquiry, "", None,
                                {"debtor": cmd.debtor, "agency": cmd.agency, "in_scope": cmd.agency in scope}))
        self.e.filing._record_network_inquiry(state, now, out, network)

    def _answer_not_recorded(self, state: CaseState, cmd: c.AnswerNotRecorded, now: datetime,
                             out: Outcome) -> None:
        """An answer the engine refused is still on the record: its agencies are no longer pending (the lock
        lifts once none is), with the refusal's code and what the answer reported."""
        agencies = state.inquiries.get(cmd.debtor, {})
        pending = [a for a in cmd.agencies if agencies.get(a) == "pending"]
        for a in pending:
            agencies[a] = "unrecorded"
        out.events.append(Event(now, state.case_id, EventKind.INQUIRY_UNRECORDED, self.e.roles.inquiry, "", None,
                                {"debtor": cmd.debtor, "agencies": pending, "code": cmd.code, "reason": cmd.reason,
                                 "found": [list(f) for f in cmd.found]}))
        if agencies and pending and not state.outstanding(cmd.debtor):
            out.events.append(Event(now, state.case_id, EventKind.INQUIRY_COMPLETED, self.e.roles.inquiry, "", None,
                                    {"debtor": cmd.debtor, "agencies": len(agencies)}))

    def _fire_view(self, state: CaseState, timer: Timer, now: datetime, out: Outcome) -> None:
        debtor, _, agency = timer.item.partition("|")
        fb = state.feedback.get((debtor, agency))
        if fb is None or fb.token != timer.token or fb.opened_at is not None or fb.duban is not None:
            return
        fb.duban = "open"
        out.events.append(Event(now, state.case_id, EventKind.DUBAN_RAISED, self.e.roles.inquiry, "", None,
                                {"debtor": debtor, "agency": agency, "received_at": fb.received_at, "due": fb.due,
                                 "module": self.e.process.inquiry.duban}))


def open_duban(states: dict[str, CaseState] | list[CaseState]) -> list[dict[str, object]]:
    """Every open 督办 item across cases (engine API; the CLI prints the same list): property feedback not opened
    within 3 days, and work items marked ``duban`` that expired (a late 启动拍卖 / 二拍)."""
    cases = states.values() if isinstance(states, dict) else states
    items: list[dict[str, object]] = []
    for st in cases:
        for (debtor, agency), fb in st.feedback.items():
            if fb.duban == "open":
                items.append({"case_id": st.case_id, "debtor": debtor, "agency": agency,
                              "received_at": fb.received_at, "due": fb.due, "handler": st.handler})
        for ns in st.nodes.values():
            for key, item in ns.items.items():
                if item.duban == "open":
                    items.append({"case_id": st.case_id, "node": ns.no, "instance": ns.instance, "item": key,
                                  "debtor": "", "agency": "", "received_at": None, "due": item.due,
                                  "handler": st.handler})
    return sorted(items, key=lambda i: (i["due"], i["case_id"], str(i.get("agency", ""))))
