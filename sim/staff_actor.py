"""The court's staff acting on the platform's cases with limited time: the clerk's decisions, the staff's queues.

``StaffActor`` keeps what ``sim.clerk.Clerk`` decides (which command, in which order, following the money) and
replaces its coin-toss lateness ("diligence") with work: every action is a work item of a type (the profile's
``actions`` table: role and staff minutes) queued for the right person — the case's 承办法官, the first free
书记员, the approver the frozen node names — and done only in working hours (``sim.staff``). A deadline is missed
when the people are busy. Steps that depend on each other run as chains (the next is queued when the previous
is done). Staff minutes are drawn from a hash of (seed, case, action, n): the same case gets the same times at
every staffing level (common random numbers for the staffing search)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from math import sqrt
from typing import Any, Literal

from core_flow.engine import Event, NodeStatus
from core_flow.engine import commands as c
from core_flow.engine.state import NODE_STATUS
from core_flow.errors import NodeFrozenError, UserError
from core_flow.legal_calendar import Period, Unit
from core_flow.platform import Platform
from core_flow.protocol import Holding
from sim.clerk import DAY, HOUR, Clerk
from sim.crn import uniform_key
from sim.manners import authority_ref, closing, manner_ref
from sim.preservation import preservation_code, query_scope
from sim.profile import AUTHORITY_ROLE, Action
from sim.staff import Staff
from sim.staff_disposal import StaffDisposalClerk

ZERO = timedelta(0)
REVIEW_AFTER = timedelta(days=100)  # the handler's first look at a still-open case, then every 30 days
REVIEW_EVERY = timedelta(days=30)
NODE_KIND = {1: "filing", 2: "filing", 3: "control_start", 4: "filing", 5: "review", 6: "review", 7: "notice",
             9: "inquiry", 10: "onsite", 11: "analysis", 17: "control", 18: "interview", 31: "deduct",
             32: "receipt", 33: "pay", 36: "restrict", 44: "archive", 46: "resume_node"}
CMD_KIND = {"CompleteItem": "upload", "RegisterReceipt": "receipt", "RequestUnfreeze": "unfreeze_ask",
            "ApproveUnfreeze": "unfreeze_approve", "RequestLimitChange": "limit_ask",
            "ApproveLimitChange": "limit_approve", "RequestResumption": "resume_ask",
            "ApproveResumption": "resume_approve", "Record": "interview", "Assign": "filing",
            "VerifyIdentity": "identity", "CorrectIdentity": "identity"}


# the nodes whose deadlines order a work item of a kind when staff put deadlines first (profile ``queue: deadline``):
# the nodes it completes, or leads to (the identity check comes before node 3's control); a command's own node
# (``_cmd``) and an instance the caller names take precedence
KIND_NODES = {"filing": (1, 2, 3, 4), "identity": (3,), "control_start": (3,), "review": (5, 6), "notice": (7,),
              "inquiry": (9,), "onsite": (10,), "analysis": (11,), "control": (17,), "feedback": (17,),
              "interview": (18,), "deduct": (31,), "receipt": (32,), "pay": (33,), "restrict": (36,), "close": (43,),
              "close_review": (43,), "limit_ask": (43,), "limit_approve": (43,), "archive": (44,),
              "resume_node": (46,)}


@dataclass
class Preserving:
    """A 财产保全 case's queries and freezes under way (``StaffActor._preserve``): it closes once they are settled."""

    queried: set[str] = field(default_factory=set)  # debtors whose queries were sent
    answers: dict[str, int] = field(default_factory=dict)  # agency → its queries sent, not answered yet
    feedback: int = 0  # answers with property found, not yet read by the handler
    freezes: set[str] = field(default_factory=set)  # assets whose freeze was decided, not answered yet
    inquired: bool = False  # every query answered: the inquiry nodes 9–11 recorded (``_investigate``)
    close: bool = False  # the inquiry nodes are done: close once nothing above is outstanding
    reviewed: bool = False  # a periodic review found it under way (an answer lost: the next one closes it)

    def settled(self) -> bool:
        return not (any(self.answers.values()) or self.feedback or self.freezes)


def triangular(u: float, lo: float, mode: float, hi: float) -> float:
    if hi <= lo:
        return lo
    f = (mode - lo) / (hi - lo)
    if u < f:
        return lo + sqrt(u * (hi - lo) * (mode - lo))
    return hi - sqrt((1 - u) * (hi - lo) * (hi - mode))


def _triangular_seconds(lo: float, mode: float, hi: float) -> Callable[[float], float]:
    """``60 * triangular(u, lo, mode, hi)`` as a function of ``u``, its constants computed once (the same operations
    in the same order: the same floats)."""
    if hi <= lo:
        return lambda u: 60.0 * lo
    span, below, above = hi - lo, mode - lo, hi - mode
    f = below / span

    def seconds(u: float) -> float:
        if u < f:
            return 60.0 * (lo + sqrt(u * span * below))
        return 60.0 * (hi - sqrt((1 - u) * span * above))

    return seconds


class StaffActor(Clerk):
    def __init__(self, platform: Platform, staff: Staff, actions: dict[str, Action], *, seed: int = 0,
                 judges: tuple[str, ...], same_handler_rate: float = 0.05, identity_failure_rate: float = 0.05,
                 dispose: bool = False, disposal_share: float = 1.0, price_objection: tuple[float, float] = (0.0, 0.0),
                 notice_period_days: int | None = None,
                 unfreeze_ask: Literal["node", "instance"] = "node",
                 investigated: Callable[[str], dict[str, tuple[Holding, ...]]] | None = None,
                 by_deadline: bool = False) -> None:
        super().__init__(platform, seed=seed, diligence=1.0, handlers=judges, same_handler_rate=same_handler_rate,
                         identity_failure_rate=identity_failure_rate)
        self.staff = staff
        self.actions = actions
        self.unfreeze_per_node = unfreeze_ask == "node"
        # each work item carries the legal deadline it serves, for staff who do the earliest due first (``queue:
        # deadline``, ``sim.staff_deadline``); FIFO staff ignore it
        self.by_deadline = by_deadline
        self._cases = platform.runtime.cases  # the runtime's case states (the same dict for the run)
        self._origin = staff.hours.origin  # SimPy second 0 (``_seconds_at``)
        process = platform.runtime.engine.process
        self._per_instance = frozenset(n.no for n in process.nodes if n.per != "case")
        self._scan: dict[tuple[int, ...], bool] = {}
        # case → its node states' dict, how many were seen, each node's instances (``_instances``)
        self._node_index: dict[str, tuple[dict[tuple[int, str], Any], int, dict[int, list[str]]]] = {}
        # what the investigation before 终本 finds of a debtor across the sweep's scope (传统查控 and the registries, by
        # hand: 终本 needs every category inquired, LAW.md condition 3); None: not recorded
        self.investigated = investigated
        # (case, node) → the frozen instances its queued unfreeze ask covers
        self._unfreeze_asks: dict[tuple[str, int], list[str | None]] = {}
        self.seed = seed
        # the notice's period to perform (``performance_due``): 限消 waits for its end (None: not recorded)
        self.notice_period = Period(notice_period_days, Unit.DAYS) if notice_period_days else None
        self._draws: dict[tuple[str, str], int] = {}
        self._seed_key = f"{seed}|"  # the start of every draw's key (``_work``)
        self._kinds: dict[str, tuple[str, Callable[[float], float]]] = {}  # kind → its role, its seconds (``_minutes``)
        self.preloaded: dict[str, tuple[int | None, str]] = {}  # start-state case → (current node | None, handler)
        self.closed_on: dict[str, datetime] = {}  # start-state 终本 register case → when it closed
        self._investigating: set[str] = set()
        self._closing: dict[str, Any] = {}  # case → its 报结 queued: one at a time (see ``_cmd``)
        self._preserving: dict[str, Preserving] = {}  # 财产保全 case → its queries and freezes under way
        if dispose:  # real estate and vehicles: registries, seals, pricing, auctions, as work (nodes 17, 19–30)
            self.disposal = StaffDisposalClerk(self, disposal_share, *price_objection)

    # ── work items ──────────────────────────────────────────────────────────────────────────────
    def _soon(self, within: timedelta) -> timedelta:
        return ZERO  # no coin toss: lateness comes from the queues

    def _minutes(self, kind: str) -> tuple[str, Callable[[float], float]]:
        """The kind's role (as the profile's ``actions`` table names it) and its staff seconds of a uniform draw: the
        triangular distribution of its minutes, made once per kind."""
        got = self._kinds.get(kind)
        if got is None:
            action = self.actions[kind]
            got = self._kinds[kind] = (action.role, _triangular_seconds(*action.minutes))
        return got

    def _work(self, kind: str, case: str, fn: Callable[[], Any], delay: timedelta = ZERO,
              authority: str | None = None, within: timedelta | None = None,
              node: tuple[str, int, str] | None = None, due: datetime | None = None) -> None:
        """``within``: a legal window from now (after ``delay``) the item must be done in — done out of turn if its
        person's queue would take longer (``Staff.work``'s ``latest``). ``node``: the (case, node, instance) the item
        works on, whose deadline orders it when staff put deadlines first (else the kind's nodes, ``KIND_NODES``);
        ``due``: a deadline of its own besides (the 3-day view rule of property found)."""
        got = self._kinds.get(kind)  # ``_minutes``, its cache read here first
        role, minutes = got if got is not None else self._minutes(kind)
        if role == "by_authority":
            role = AUTHORITY_ROLE.get(authority or "", "执行局长")
            if not self.staff.has(role):
                role = "执行局长" if self.staff.has("执行局长") else "书记员"
        # the draw of the case's next item of ``kind``: ``uniform(self.seed, case, kind, n)``, the key made at once
        key = (case, kind)
        draws = self._draws
        n = draws.get(key, 0)
        draws[key] = n + 1
        seconds = minutes(uniform_key(f"{self._seed_key}{case}|{kind}|{n}"))
        if delay is not ZERO and delay > ZERO:  # queued when the delay is over
            self._call_at(self.now + delay, partial(self._queue_work, kind, case, fn, role, seconds, within, node, due))
            return
        # ``_queue_work``, written out for the items queued at once (most)
        person = None
        if role == "承办法官":
            state = self._cases.get(case)
            person = state.handler if state is not None else None
        staff = self.staff
        latest = None if within is None else staff.env._now + within.total_seconds()
        at = None
        if self.by_deadline:
            at = self._deadline(*node) if node is not None else self._deadline(case, KIND_NODES.get(kind, ()))
            if due is not None:
                own = (due - self._origin).total_seconds()
                at = own if at is None or own < at else at
        staff.work(role, seconds, partial(self._run, fn), person=person, kind=kind, latest=latest, due=at)

    def _queue_work(self, kind: str, case: str, fn: Callable[[], Any], role: str, seconds: float,
                    within: timedelta | None, node: tuple[str, int, str] | None, due: datetime | None) -> None:
        """``_work``'s item queued for its person now (after any delay)."""
        person = None
        if role == "承办法官":  # the case's own judge, as assigned when the item is queued (after any delay)
            state = self._cases.get(case)
            person = state.handler if state is not None else None
        staff = self.staff
        latest = None if within is None else staff.env._now + within.total_seconds()
        at = None
        if self.by_deadline:
            at = self._deadline(*node) if node is not None else self._deadline(case, KIND_NODES.get(kind, ()))
            if due is not None:
                own = (due - self._origin).total_seconds()  # ``_seconds_at``
                at = own if at is None or own < at else at
        staff.work(role, seconds, partial(self._run, fn), person=person, kind=kind, latest=latest, due=at)

    def _deadline(self, case: str, nodes: int | tuple[int, ...], instance: str | None = None) -> float | None:
        """The earliest deadline still to meet (not done, not yet missed) of ``nodes`` of ``case`` — of ``instance``
        when given, else of any instance — in SimPy seconds; None when there is none. A missed deadline orders
        nothing: its node is frozen and its work waits for the unfreeze anyway."""
        state = self._cases.get(case)
        if state is None:
            return None
        if isinstance(nodes, int):
            nodes = (nodes,)
        best = None
        if instance is None:
            scan = self._scan.get(nodes)
            if scan is None:  # any instance of a per-instance node: each of its instances the case has (``_instances``)
                scan = self._scan[nodes] = any(n in self._per_instance for n in nodes)
        else:
            scan = False
        if not scan:
            get = state.nodes.get
            instance = instance or ""
            for n in nodes:
                ns = get((n, instance))
                if ns is not None:
                    for it in ns.items.values():
                        if not it.done and not it.overdue and (best is None or it.due < best):
                            best = it.due
        else:
            get = state.nodes.get
            instances = self._instances(case, state.nodes)
            for n in nodes:
                for inst in instances.get(n, ()):
                    for it in get((n, inst)).items.values():  # type: ignore[union-attr]
                        if not it.done and not it.overdue and (best is None or it.due < best):
                            best = it.due
        return None if best is None else (best - self._origin).total_seconds()

    def _instances(self, case: str, nodes: dict[tuple[int, str], Any]) -> dict[int, list[str]]:
        """The instances of each node ``case`` has a state of (``nodes``: its ``CaseState.nodes``), kept per case and
        brought up to date from the keys added since: node states are only ever added (``EngineCore._node_state``),
        in order, so the keys beyond the count seen last are the new ones. ``_deadline`` reads it instead of
        scanning every node state of the case for a per-instance node named without its instance."""
        size = len(nodes)
        known = self._node_index.get(case)
        if known is not None and known[0] is nodes:
            if known[1] == size:
                return known[2]
            if known[1] < size:
                index, start = known[2], known[1]
            else:  # states removed, which the engine never does: made anew
                index, start = {}, 0
        else:  # a first look, or another state of the case: made anew
            index, start = {}, 0
        for no, inst in islice(nodes, start, None):
            found = index.get(no)
            if found is None:
                index[no] = [inst]
            else:
                found.append(inst)
        self._node_index[case] = (nodes, size, index)
        return index

    def _seconds_at(self, at: datetime) -> float:
        """An instant as the staff's SimPy seconds."""
        return (at - self._origin).total_seconds()

    def _run(self, action: Callable[[], Any], attempt: int = 1) -> None:
        """Like the clerk's, but a refused platform call never ends the run: a call refused because a node that
        governs it is frozen waits for the unfreeze of those nodes (``_wait_unfreeze``); others are counted. Engine
        commands refused for a frozen node wait the same way (``_submit``)."""
        self.stats.actions += 1
        try:
            action()
        except UserError as err:
            self.refused[err.code] = self.refused.get(err.code, 0) + 1
            if isinstance(err, NodeFrozenError) and attempt < 20:
                self._wait_unfreeze(err.case_id, err.nodes, lambda: self._run(action, attempt + 1))

    def _later(self, k: str, kind: str, delay: timedelta, action: Callable[[], Any]) -> None:
        self._work(kind, k, action, delay)

    def _at(self, delay: timedelta, action: Callable[[], Any], node: tuple[str, int, str] | None = None) -> None:
        # the clerk's remaining timed actions are the freezes of found property (node 17, online)
        if node is not None and node[0] in self._preserving:  # a 保全 case closes once this freeze is answered
            self._preserving[node[0]].freezes.add(node[2])
        self._work("control", "", action, delay, node=node)

    def _cmd(self, delay: timedelta, cmd: Any) -> None:
        name = type(cmd).__name__
        k = cmd.case_id
        if name == "Close":
            # One 报结 at a time: a periodic review, the last payment and the disposal can each decide to close
            # while an earlier 报结 still waits in the handler's queue; a second one would cost the handler and the
            # 审管办 their time only to be refused (CASE_CLOSED).
            # A 执行完毕 asked for while a 终本 waits (the claim satisfied after 终本 was decided: money frozen late,
            # then paid) takes its place: before, it was dropped and the 终本, refused CLAIM_SATISFIED, asked for
            # again at every review — the case never closed.
            state = self.p.runtime.cases.get(k)
            pending = self._closing.get(k)
            if state is not None and state.closed_manner is not None:
                return
            if pending is not None and not (self._manner(pending) == "zhongben" and self._manner(cmd) == "completed"):
                return
            self._closing[k] = cmd
            self._work("close", k, lambda: self._work("close_review", k, lambda: self._close(k, cmd)), delay)
            return
        if name in ("CompleteNode", "StartNode"):
            kind = NODE_KIND.get(cmd.node, "upload")
        elif name == "ApprovePayout":
            kind = "payout_vice" if self._authority(cmd.authority) == "vice_president" else "payout_bureau"
        else:
            kind = CMD_KIND.get(name, "upload")
        node = (k, cmd.node, cmd.instance) if name in ("CompleteNode", "StartNode", "CompleteItem") else None
        self._work(kind, k, lambda: self._submit(cmd), delay, getattr(cmd, "authority", None), node=node)

    def _who(self, code: str) -> str:
        """The authority ``code`` as the run's process names it (``sim.manners.authority_ref``)."""
        return authority_ref(self.p.process, code)

    def _authority(self, ref: Any) -> str:
        """The code of the authority ``ref`` names in the run's process (as written where it names none)."""
        try:
            return self.p.process.authority(ref).code
        except UserError:
            return str(ref)

    def _manner(self, cmd: Any) -> str:
        """The code of the manner a Close names (by code, as the staff write it, or by a name of the court's
        process); an unknown one as written (the engine refuses it)."""
        try:
            return self.p.process.manner(cmd.manner).code
        except UserError:
            return cmd.manner

    def _close(self, k: str, cmd: Any) -> None:
        """The 报结 ``cmd``, written and reviewed: entered unless a 执行完毕 took its place or the case closed
        meanwhile. Refused while a node is frozen, it stays the case's one 报结 and is entered again once the nodes
        are unfrozen: before, it left the queue at once and waited for the unfreeze on its own, a review or the last
        payment queued a second 执行完毕 meanwhile, and whichever came second was refused CASE_CLOSED (27 in a
        court-year with --dispose 1, seed 2025)."""
        if self._closing.get(k) is not cmd:
            return  # superseded by a 执行完毕
        state = self.p.runtime.cases[k]
        if state.closed_manner is not None or (self._manner(cmd) == "zhongben" and self._busy(k)):
            del self._closing[k]
            if state.closed_manner is None:
                self._zhongben.discard(k)  # property found meanwhile is being disposed of: no 终本 now
            return
        if self._manner(cmd) == "zhongben" and state.satisfied_in_full():  # satisfied while the 终本 waited: 执行完毕
            self._zhongben.discard(k)
            cmd = self._closing[k] = c.Close(k, manner_ref(self.p.process, "completed"), reviewed_by=cmd.reviewed_by)
        if self._held_closing(cmd, lambda: self._close(k, cmd)):
            return  # a sale's ruling or hand-over still to do: it stays the case's one 报结, entered when they are done
        out = self.p.submit(cmd)
        if out.refusal is not None:
            self.refused[out.refusal.code] = self.refused.get(out.refusal.code, 0) + 1
            if out.refusal.code == "NODE_FROZEN":
                self._wait_unfreeze(k, out.refusal.details, lambda: self._close(k, cmd))
                return
        del self._closing[k]  # accepted or refused (e.g. 终本 too early): a later review may ask again

    # ── reactions, as chains of work ────────────────────────────────────────────────────────────
    def _ev_filed(self, e: Event) -> None:
        k = e.case_id
        state = self.p.runtime.cases[k]
        if k in self.preloaded:  # at the next instant, as every reaction (never nested in the filing's events)
            self._call_at(self.now, lambda: self._enter_start_state(k, state, e))
            return
        handler = self.rng.choice(self.handlers)
        if state.case_type == "resumed" and state.previous_handler and self.rng.random() < self.same_handler_rate:
            handler = state.previous_handler
        elif state.case_type == "resumed":
            handler = self.rng.choice([h for h in self.handlers if h != state.previous_handler] or [handler])
        debtors = list((e.data or {}).get("debtors", []))
        fails = [self.rng.random() < self.identity_failure_rate for _ in debtors]

        def filing() -> None:
            for cmd in (c.StartNode(k, 3), c.CompleteNode(k, 1), c.CompleteNode(k, 2), c.CompleteNode(k, 4),
                        c.Assign(k, handler)):
                self._submit(cmd)
            self._work("identity", k, identity)
            self._work("review", k, review)
            self._start(k, 9)

        def identity() -> None:
            preservation = state.case_type == "preservation"
            for debtor, failed in zip(debtors, fails, strict=True):
                self._submit(c.VerifyIdentity(k, debtor, not failed))
                if failed:  # corrected, then it passes and the inquiry starts by itself (a 保全's: the queries)
                    self._work("identity", k, lambda d=debtor: (self._submit(c.CorrectIdentity(k, d)),
                                                               self._submit(c.VerifyIdentity(k, d, True)),
                                                               preservation and self._preserve(k)))
            self._work("control_start", k, lambda: self._submit(c.CompleteNode(k, 3)))
            if preservation:  # 立即采取网络冻结措施: the queries go out at once (sim.preservation)
                self._preserve(k)
            elif not (state.case_type == "first" and state.money):  # no 集约查询: once the case is assigned and
                self._investigate(k, delay=5 * DAY)  # the identities checked, its judge inquires by hand

        def review() -> None:
            self._submit(c.CompleteNode(k, 5))
            self._submit(c.CompleteNode(k, 6))
            self._work("notice", k, lambda: self._submit(c.CompleteNode(k, 7)))
            self._start(k, 10)

        self._work("filing", k, filing)
        self._call_at(state.filed_at + REVIEW_AFTER, lambda: self._review(k))

    def _start(self, k: str, node: int) -> None:
        """The handler starts an inquiry node (9: 网络查控, 10: 传统查控) — unless it has started by then: the 集约查询
        starts node 9 by itself, and the on-site work may record node 10 before a queued start comes up. Such a start
        is not queued, or, when it comes up, finds the node under way and does nothing (no refused command)."""
        def not_started() -> bool:
            state = self.p.runtime.cases.get(k)
            return state is not None and state.status(node) is NODE_STATUS.NOT_STARTED

        if not_started():
            self._work("inquiry", k, lambda: self._submit(c.StartNode(k, node)) if not_started() else None)

    def _investigate(self, k: str, delay: timedelta = ZERO, start: bool = False) -> None:
        """No 集约查询 (恢复 / non-money cases, start-state cases past it): the handler queries through 总对总 by hand
        (not sent to the mock agencies here; a 保全's queries are: ``_preserve``) and records nodes 9–11 when the
        answers are in."""
        state = self.p.runtime.cases[k]
        for cmd in (c.StartNode(k, 9), c.StartNode(k, 10)) if start else ():
            if state.status(cmd.node).value == "not_started":
                self._submit(cmd)

        def step(i: int) -> None:  # the steps not done yet, each as work; a start-state case may have done some
            steps = (("inquiry", 9), ("onsite", 10), ("analysis", 11))
            while i < len(steps) and self.p.runtime.cases[k].status(steps[i][1]) is NodeStatus.DONE:
                i += 1
            if i == len(steps):
                self._decide(k)
                return
            kind, node = steps[i]
            self._work(kind, k, lambda: (self._submit(c.CompleteNode(k, node)), step(i + 1)))

        if delay > ZERO:  # the first step is looked at when its turn comes
            self._work("inquiry", k, lambda: (self._submit(c.CompleteNode(k, 9)), step(1)), delay=delay)
        else:
            step(0)

    def _enter_start_state(self, k: str, state: Any, e: Event) -> None:
        """A case of the start state (``sim.start_state``): the work before its current node was done before the
        run (entered now, no staff time); a 终本 register case is entered closed by 终本."""
        node, handler = self.preloaded[k]
        handler = handler or self.rng.choice(self.handlers)
        upto = 47 if node is None else node
        steps: list[Any] = [c.StartNode(k, 3), c.CompleteNode(k, 1), c.CompleteNode(k, 2), c.CompleteNode(k, 4),
                            c.Assign(k, handler)]
        if upto > 4:
            steps += [c.CompleteNode(k, 3)]
        steps += [cmd for n, cmd in ((5, c.CompleteNode(k, 5)), (6, c.CompleteNode(k, 6)), (7, c.CompleteNode(k, 7)),
                                     (9, c.StartNode(k, 9)), (10, c.StartNode(k, 10)), (10, c.CompleteNode(k, 9)),
                                     (11, c.CompleteNode(k, 10)), (12, c.CompleteNode(k, 11))) if n < upto]
        if node is None:  # the 终本 register
            self._zhongben.add(k)
            steps += [c.Record(k, "no_property_found"), c.CompleteNode(k, 18),
                      c.CompleteNode(k, 36, authority=self._who("president"))]
            if state.shixin_eligible:
                steps.append(c.CompleteNode(k, 37, authority=self._who("president")))
            closed_on = self.closed_on.get(k)  # the register's real 终本 date: its sweeps count from it
            steps.append(closing(self.p.process, k, "zhongben",
                                 closed_at=None if closed_on is None else min(closed_on, self.now)))
        for cmd in steps:
            self.p.submit(cmd)
        if node is not None:
            self._resume_early_work(k, node, list((e.data or {}).get("debtors", [])))
        if node is not None:  # the handler takes it up from where it stands at the next review
            self._call_at(self.now, lambda: self._review(k))

    def _resume_early_work(self, k: str, node: int, debtors: list[str]) -> None:
        """The work of the first stage a start-state case has not done yet (its current node and what follows it up
        to the inquiries), queued as for a case filed in the run: identity and 控制启动 (node 3), 立案审查 (5, 6),
        the 执行通知 (7), starting the inquiries (9, 10). Before, a case entered at node 3–7 never had these done: it
        could neither close nor go to 终本 (≈330 of 300 open cases and their resumptions stuck past 200 days in a
        court-year from a start state, 2026-12-05)."""
        if node <= 3:
            def identity() -> None:
                for debtor in debtors:
                    self._submit(c.VerifyIdentity(k, debtor, True))
                self._work("control_start", k, lambda: self._submit(c.CompleteNode(k, 3)))
                state = self.p.runtime.cases[k]
                if state.case_type == "preservation":  # its queries and freezes at once, as when filed
                    self._preserve(k)
                elif not (state.case_type == "first" and state.money):  # no 集约查询: by hand, as when filed
                    self._investigate(k, delay=5 * DAY)

            self._work("identity", k, identity)
        if node <= 6:
            def review() -> None:
                for n in (5, 6):
                    if n >= node:
                        self._submit(c.CompleteNode(k, n))
                self._work("notice", k, lambda: self._submit(c.CompleteNode(k, 7)))

            self._work("review", k, review)
        elif node == 7:
            self._work("notice", k, lambda: self._submit(c.CompleteNode(k, 7)))
        if node <= 9:
            self._start(k, 9)
        if node <= 10:
            self._start(k, 10)

    def _decide(self, k: str) -> None:
        """After the investigation of a case without 集约查询: a 保全 closes once its freezes are answered, by what they
        took (``_close_preserved``); a case with nothing found goes to 终本 (one with property: the handler's periodic
        review decides, ``_review``)."""
        state = self.p.runtime.cases[k]
        if state.case_type == "preservation":
            pres = self._preserving.get(k)
            if pres is not None and not pres.settled():
                pres.close = True  # the last answer of its queries or freezes closes it
                return
            self._close_preserved(k)
        elif not state.assets:
            self._to_zhongben(k)

    # ── 财产保全: the queries and immediate freezes (seed 004 节点三), closing by what they took ──────────
    def _preserve(self, k: str, start: bool = False) -> None:
        """A 财产保全 case's handler queries, as work, every agency of the 集约查询's scope through 总对总 (one query
        naming them) for each debtor whose identity has passed (``sim.preservation.query_scope``), ordered by node
        3's same-day control item ("财产保全案件应当立即采取网络冻结措施"). What the answers report is frozen up to the
        amount (``_control``: the handler reads each answer, a 书记员 freezes); once every query is answered the
        inquiry nodes 9–11 are recorded (``_investigate``) and the case closes by a preservation manner when its
        freezes are answered.
        ``start``: a start-state case past node 3 (its identities checked before the run, not entered) starts nodes
        9 and 10 first."""

        def send() -> None:
            state = self.p.runtime.cases[k]
            if state.closed_manner is not None:
                return
            for cmd in (c.StartNode(k, 9), c.StartNode(k, 10)) if start else ():
                if state.status(cmd.node) is NodeStatus.NOT_STARTED:
                    self._submit(cmd)
            pres = self._preserving.get(k)
            if pres is None:  # closed as it stood by the handler's review (``_review``) before he got to the queries
                return  # (an overloaded handler: the close may wait on a frozen node; the queries are moot)
            for debtor, status in state.identity.items():
                if (status != "passed" and not start) or debtor in pres.queried:
                    continue
                pres.queried.add(debtor)
                # one 总对总 query naming the agencies, as the handler selects them (``Platform.manual_query_scope``)
                for agency in self.p.manual_query_scope(k, debtor, query_scope(self.p, debtor)):
                    pres.answers[agency] = pres.answers.get(agency, 0) + 1
            if not any(pres.answers.values()) and (start or all(s == "passed" for s in state.identity.values())):
                self._inquired(k)  # nothing to wait for (a debtor still failing: after its correction)

        self._preserving.setdefault(k, Preserving())
        self._work("inquiry", k, send, node=(k, 3, ""))

    def _preserved_answer(self, k: str, agency: str, holdings: tuple[Holding, ...]) -> None:
        """An answer to a preservation case's query: property found is read by the handler, who has it frozen at
        once up to the amount (``_control``); the last answer lets the inquiry nodes be recorded."""
        pres = self._preserving.get(k)
        if pres is None or pres.answers.get(agency, 0) <= 0:
            return  # not awaited (an answer delivered twice)
        pres.answers[agency] -= 1
        if holdings:
            pres.feedback += 1

            def read() -> None:
                pres.feedback -= 1
                if self.p.runtime.cases[k].closed_manner is None:
                    self._record_found(k, agency, holdings)
                    self._control(k, agency, holdings)
                self._settle(k)

            self._work("feedback", k, read)
        if not any(pres.answers.values()):
            self._inquired(k)

    def _record_found(self, k: str, agency: str, holdings: tuple[Holding, ...]) -> None:
        """The handler enters what his own query found (a 集约查询's answer is entered by the system,
        ``InquiryAnswers``): each holding recorded as property found — online or offline — with what it is, which
        starts its control deadline (node 17), as a 集约查询's finding does."""
        for h in holdings:
            asset = f"{agency}:{h.account_no}"
            found = self.p.assets.get((k, asset))
            if found is None:
                continue
            kind = str(getattr(h.kind, "value", h.kind))
            anchor = "property_found_online" if h.online_controllable else "property_found_offline"
            self._submit(c.Record(k, anchor, asset, attrs={
                "amount_cents": h.available_cents, "debtor": found[2], "agency": agency, "account_no": h.account_no,
                "kind": kind, "balance_cents": h.balance_cents, "available_cents": h.available_cents,
                "held_by_others": h.available_cents < h.balance_cents}))

    def _inquired(self, k: str) -> None:
        """Every query of a preservation case answered: the inquiry nodes 9–11 are recorded, once (a second send
        after an identity's correction finds the answers in already), then ``_decide``."""
        pres = self._preserving.get(k)
        if pres is not None and not pres.inquired:
            pres.inquired = True
            self._investigate(k)

    def _settle(self, k: str) -> None:
        """A preservation case whose inquiry nodes are done closes once its queries and freezes are answered."""
        pres = self._preserving.get(k)
        if pres is not None and pres.close and pres.settled():
            self._close_preserved(k)

    def _close_preserved(self, k: str) -> None:
        """报结 by the preservation manner the case's controls make now (``sim.preservation``)."""
        self._preserving.pop(k, None)
        self._cmd(ZERO, closing(self.p.process, k, preservation_code(self.p.runtime.cases[k])))

    def _on_notice(self, kind: str, data: dict[str, Any]) -> None:
        super()._on_notice(kind, data)
        if kind == "manual_answered" and data["case_id"] in self._preserving:
            self._preserved_answer(data["case_id"], data["agency"], tuple(data["holdings"]))
        elif kind == "freeze_answered" and data["case_id"] in self._preserving:
            self._preserving[data["case_id"]].freezes.discard(data["asset"])
            self._settle(data["case_id"])

    def _review(self, k: str) -> None:
        """The handler's periodic look at an open case (every 30 days from the fourth month): money fully paid —
        close; a 保全 — close; nothing left to take — 终本; a 终本 whose closing was refused — ask again."""
        state = self.p.runtime.cases.get(k)
        if state is None or state.closed_manner is not None:
            return
        self._call_at(self.now + REVIEW_EVERY, lambda: self._review(k))
        if state.closing_pending is not None or state.resumption is not None:
            return
        if k in self.preloaded and not state.assets and state.network_inquiry_at is None and k not in self._zhongben:
            # a start-state case past its 集约查询: the handler finishes the inquiry (one entered at node 3 or before
            # has it from its identity check: the 集约查询, or by hand — ``_resume_early_work``)
            if k not in self._investigating and (self.preloaded[k][0] or 0) > 3:
                self._investigating.add(k)
                if state.case_type == "preservation":  # its queries and freezes now (sim.preservation)
                    self._preserve(k, start=True)
                else:
                    self._investigate(k, start=True)
            return
        if any(r.paid_cents < r.amount_cents for r in state.receipts.values()):
            return  # money on its way to the applicant
        amounts = state.amounts()
        paid = amounts["paid_cents"] - amounts["returned_cents"]  # to the applicant (a surplus goes to the debtor)
        if state.case_type == "preservation":  # by what its controls took (its queries and freezes: ``_preserve``)
            pres = self._preserving.get(k)
            if pres is not None and not pres.reviewed:
                pres.reviewed = True  # still under way: looked at again in 30 days, then closed as it stands
            else:
                self._close_preserved(k)
        elif paid >= state.amount_cents > 0 or state.satisfied_in_full():
            # paid in full (or 以物抵债) — even where 终本 had been decided before the money came: 执行完毕
            self._zhongben.discard(k)
            self._cmd(ZERO, closing(self.p.process, k, "completed"))
        elif k in self._zhongben:  # not before three months from filing (a start-state case is reviewed from day one)
            ready = state.filed_at + timedelta(days=93) - self.now
            self._cmd(max(ready, ZERO), closing(self.p.process, k, "zhongben"))
        else:
            self._work("analysis", k, lambda: self._to_zhongben(k))

    def _ev_inquiry_completed(self, e: Event) -> None:
        k = e.case_id

        def analysis() -> None:
            self._submit(c.CompleteNode(k, 11))
            state = self.p.runtime.cases[k]
            if not state.assets and not any(self.p.holdings.get((k, d, a)) for d in state.identity
                                            for a in state.inquiries.get(d, {})):
                self._to_zhongben(k)

        self._work("inquiry", k, lambda: self._submit(c.CompleteNode(k, 9)))
        # 传统查控 on site (a trip planned a few days ahead), then the analysis of all results
        self._work("onsite", k, lambda: (self._submit(c.CompleteNode(k, 10)), self._work("analysis", k, analysis)),
                   delay=2 * DAY)

    def _to_zhongben(self, k: str) -> None:
        if k in self._zhongben or self._busy(k):  # a disposal under way: its end decides (``_maybe_zhongben``)
            return
        if self.p.runtime.cases[k].satisfied_in_full():  # nothing left to enforce: 执行完毕 (the review closes it)
            return
        self._zhongben.add(k)
        self._submit(c.Record(k, "no_property_found"))  # node 18's 10 days start now

        def once(node: int, **kw: Any) -> None:
            """A node of the way to 终本 not done yet: a case whose 终本 was called off (a disposal, since ended)
            and decided again had them done (before: entered again, refused NODE_DONE)."""
            if self.p.runtime.cases[k].status(node) is not NodeStatus.DONE:
                self._submit(c.CompleteNode(k, node, **kw))

        def restrict() -> None:
            once(36, authority=self._who("president"))
            state = self.p.runtime.cases[k]
            if state.shixin_eligible:  # an eligible debtor goes on the 失信 list too (node 37), or no 终本
                once(37, authority=self._who("president"))
            ready = max(state.filed_at + timedelta(days=93) - self.now, HOUR)  # 终本 only after three months
            self._cmd(ready, closing(self.p.process, k, "zhongben"))

        # 限消 only after the 执行通知 (node 7, seed 004 节点三十六): a notice still in the 书记员's queue holds it up,
        # and so does the period it gave to perform, where recorded (``notice_period_days``)
        self._work("interview", k, lambda: (once(18), self._when_node_done(
            k, 7, lambda: self._work("restrict", k, restrict, self._until_performance_due(k)))))

    def _until_performance_due(self, k: str) -> timedelta:
        due = self.p.runtime.cases[k].not_before.get("performance_due")
        return due - self.now if due is not None and due > self.now else ZERO

    def _ev_node_done(self, e: Event) -> None:
        # ``Clerk._ev_node_done``, written out (~93,000 nodes done a court-year)
        waiting = self._waiting_for_node.pop((e.case_id, e.node), None) if self._waiting_for_node else None
        for action in waiting or ():  # at the next instant, after the node's own reactions
            self._call_at(self.now, action)
        if e.node == 7 and self.notice_period is not None and e.case_id not in self.preloaded:
            # the notice gives the debtor its period to perform, counted as a procedural period from its sending
            due = self.p.runtime.engine.calendar.deadline(e.at, self.notice_period).due
            self._submit(c.Record(e.case_id, "performance_due", at=due))

    def _ev_node_frozen(self, e: Event) -> None:
        """The handler asks for the unfreeze and the approvers sign, each as work. One ask covers every instance of
        the case's node frozen before it is made (node 17's per-property deadlines of one inquiry's finding freeze
        together: one 解冻 form for the node, profile ``unfreeze_ask: node``), or one ask per instance
        (``instance``)."""
        k, node, inst = e.case_id, e.node, e.instance
        self.stats.unfreezes += 1
        pending = self._unfreeze_asks.get((k, node)) if self.unfreeze_per_node else None
        if pending is not None:  # an ask for this node of the case is queued: the same form covers this instance
            pending.append(inst)
            return
        data = e.data or {}
        allowed = data["unfreeze_by"]  # the bureau head takes the routine unfreezes when he may
        chain = list(data.get("unfreeze_via", [])) + ["bureau_head" if "bureau_head" in allowed else allowed[0]]
        instances = [inst]
        if self.unfreeze_per_node:
            self._unfreeze_asks[(k, node)] = instances

        def approve(i: int) -> None:
            for one in instances:
                self._submit(c.ApproveUnfreeze(k, node, chain[i], one))
            if i + 1 < len(chain):
                self._work("unfreeze_approve", k, lambda: approve(i + 1), authority=chain[i + 1])

        def ask() -> None:
            self._unfreeze_asks.pop((k, node), None)  # instances frozen from now on need a form of their own
            for one in instances:
                self._submit(c.RequestUnfreeze(k, node, one, by="承办人", reason="补办 / catching up"))
            self._work("unfreeze_approve", k, lambda: approve(0), authority=chain[0])

        self._work("unfreeze_ask", k, ask)

    def _ev_warning(self, e: Event) -> None:
        if e.node == 43 and e.item == "limit":
            k = e.case_id
            state = self.p.runtime.cases[k]
            if state.closed_manner is None and state.limit.extensions == 0:
                def ask() -> None:
                    st = self.p.runtime.cases[k]
                    if st.closed_manner is not None or st.limit.extensions:  # closed (or extended) meanwhile
                        return  # nothing to ask, nothing for the president to approve (it was refused CASE_CLOSED)
                    self._submit(c.RequestLimitChange(k, "extend", reason="财产处置中 / disposal under way"))
                    self._work("limit_approve", k,
                               lambda: self._submit(c.ApproveLimitChange(k, self._who("president"))))
                self._work("limit_ask", k, ask)

    def _ev_closed(self, e: Event) -> None:
        if self.preloaded.get(e.case_id, (0, ""))[0] is None:
            return  # a 终本 register case of the start state: its papers were done before the run
        if e.data["manner"] == "zhongben" and self.investigated is not None:
            # the property the investigation found (and could not dispose of): a sweep reporting it is no new clue
            for debtor in self.p.runtime.cases[e.case_id].identity:
                for agency, holdings in self.investigated(debtor).items():
                    self.p.note_found(e.case_id, debtor, agency, holdings)
        super()._ev_closed(e)

    def _queue_review(self, k: str, inst: str, delay: timedelta | None = None) -> None:
        """Node 46's review (``Clerk._ev_anchor``) as the handler's work item."""
        self._work("resume_node", k, lambda: self._review_finding(k, inst), delay or ZERO, node=(k, 46, inst))

    def _ev_feedback_received(self, e: Event) -> None:
        k, debtor, agency = e.case_id, e.data["debtor"], e.data["agency"]
        fb = self.p.runtime.cases[k].feedback.get((debtor, agency)) if self.by_deadline else None
        self._work("feedback", k, lambda: self._open_and_freeze(k, debtor, agency),
                   due=fb.due if fb is not None and fb.opened_at is None else None)

    def _ev_funds_frozen(self, e: Event) -> None:
        k, asset = e.case_id, e.instance
        state = self.p.runtime.cases[k]
        if state.closed_manner == "zhongben":  # frozen from 终本管理: resume
            if k not in self._resumed:
                self._resumed.add(k)
                self._work("resume_ask", k, lambda: (
                    self._submit(c.RequestResumption(k, reason="统查或线索发现财产 / property found")),
                    self._work("resume_approve", k,
                               lambda: self._submit(c.ApproveResumption(k, self._who("bureau_head"))))))
            return
        if self._deducts(k, asset):
            amount = e.data["amount_cents"]
            self._work("deduct", k, lambda: self._deduct(k, asset, amount))
        elif state.case_type == "preservation":  # preserved money is held, not deducted (process.yaml node 31)
            return
        elif self._disposed_of(k, asset, e):  # 股权, 证券 frozen: disposed of (nodes 19–20, sim.staff_disposal)
            return
        else:
            self._maybe_zhongben(k)

    def _ev_funds_arrived(self, e: Event) -> None:
        k, receipt, amount = e.case_id, e.data["receipt"], e.data["amount_cents"]
        self._payout(k, receipt, lambda: self._pay(k, receipt, amount))

    def _payout(self, k: str, receipt: str, pay: Callable[[], Any]) -> None:
        """Money in the case's account (deducted, or a sale's proceeds): 到账登记, the bureau head's and the vice
        president's signatures, then ``pay`` — a chain, each step queued when the one before is done."""

        def vice() -> None:
            self._submit(c.ApprovePayout(k, receipt, self._who("vice_president")))
            self._work("pay", k, pay)

        def bureau() -> None:
            self._submit(c.ApprovePayout(k, receipt, self._who("bureau_head")))
            self._work("payout_vice", k, vice)

        def register() -> None:
            self._submit(c.RegisterReceipt(k, receipt))
            self._work("payout_bureau", k, bureau)

        self._work("receipt", k, register)
