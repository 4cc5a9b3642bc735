"""A simulated court staff: handlers, approvers and the filing office acting on a platform's cases.

Seeded and reproducible. Each action is a plain engine command or a platform method, taken after a delay on
the platform's clock (virtual or compressed real time). ``diligence`` is the share of actions taken within the
node's deadline; the rest run late, so warnings, freezes, unfreeze approvals and 督办 items happen too.
The clerk follows the money: it freezes what the 集约查询 found (up to the claim), deducts it, registers the
receipt, gets the two payout approvals and pays out — money only: frozen 股权 or 证券 is disposed of (nodes 19–20,
with ``dispose``; without it such property is recorded as found, not frozen), and preserved money (a 财产保全 case) is
held, not deducted; a case with nothing to enforce goes to 终本 after the
interview and the consumption restriction, once three months have passed. Found property of a 终本 case is
frozen from 终本管理 and the case resumed, with a new handler (or, rarely, the same one). Every finding after 终本
opens node 46, the handler's 10-day review, which the clerk does whether or not the case is resumed. A case without
集约查询 (a 恢复执行 case) is inquired by hand. Nothing is dropped: a command refused while a node is frozen is entered
again once that node is unfrozen, a payout refused for now is paid later, and no money is left in a case's account.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import BLOCKING, Event, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.engine.gate import unmet_release_conditions
from core_flow.engine.money import control_anchor
from core_flow.engine.state import NODE_STATUS
from core_flow.errors import NodeFrozenError, UserError
from core_flow.platform import Platform
from core_flow.platform.disposal import SEALABLE
from core_flow.protocol import MEASURE
from sim.manners import authority_ref, closing
from sim.preservation import preservation_code

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass
class ClerkStats:
    actions: int = 0
    late: int = 0
    unfreezes: int = 0
    refusals: list[tuple[str, str, str]] = field(default_factory=list)


class Clerk:
    def __init__(self, platform: Platform, *, seed: int = 0, diligence: float = 0.9,
                 handlers: tuple[str, ...] = ("张法官", "李法官", "王法官", "赵法官"),
                 same_handler_rate: float = 0.2, identity_failure_rate: float = 0.1, dispose: bool = False) -> None:
        self.p = platform
        self.rng = random.Random(seed)
        self.diligence = diligence
        self.handlers = handlers
        self.same_handler_rate = same_handler_rate
        self.identity_failure_rate = identity_failure_rate
        self.stats = ClerkStats()
        self.refused: dict[str, int] = {}  # refusal code → how many commands it refused (``_submit``)
        self._resumed: set[str] = set()
        self._zhongben: set[str] = set()
        self._waiting_for_node: dict[tuple[str, int], list[Callable[[], Any]]] = {}  # (case, node) → when it is done
        # (case, anchor) → when it is recorded: a 报结 held while a round's bidding runs, looked at again at its end
        self._waiting_for_anchor: dict[tuple[str, str], list[Callable[[], Any]]] = {}
        self._reserved: dict[str, int] = {}  # freezes asked for, per case
        self._deducting: dict[str, int] = {}  # deductions asked for, per case
        self._reviewing: set[tuple[str, str]] = set()  # (case, node 46 instance) whose review is queued
        self._zb_chain: dict[str, list[int]] = {}  # case → the live chain of steps to 终本 (dropped when disposing)
        # case → calls waiting for the unfreeze of the frozen nodes that refused them (``_wait_unfreeze``)
        self.blocked: dict[str, list[tuple[Callable[[], Any], frozenset[tuple[int, str]]]]] = {}
        # checks that something still works on a case (a disposal under way): no 终本 while one says so
        self.busy: list[Callable[[str], bool]] = []
        # only the event kinds with a reaction (an ``_ev_<kind>`` method): most engine events need none; each kind's
        # method subscribed itself (``_on_event``'s lookup skipped: ~150,000 reactions a court-year)
        for kind in self.reacts_to():
            platform.runtime.subscribe(getattr(self, f"_ev_{kind.value}"), (kind,))
        platform.listeners.append(self._on_notice)
        self.disposal: Any = None
        if dispose:  # real estate and vehicles: queried at the registries, sealed, priced, auctioned (issue 12)
            from sim.disposal_clerk import DisposalClerk

            self.disposal = DisposalClerk(self)

    # ── scheduling ──────────────────────────────────────────────────────────────────────────────
    @property
    def now(self) -> datetime:
        return self.p.runtime.clock.now()

    def _at(self, delay: timedelta, action: Callable[[], Any], node: tuple[str, int, str] | None = None) -> None:
        """``action`` after ``delay``. ``node``: the (case, node, instance) it works on (used by staff who order their
        work by its deadline)."""
        self._call_at(self.now + delay, lambda: self._run(action))

    def _call_at(self, at: datetime, action: Callable[[], Any]) -> None:
        """``action``, an act of this clerk's, at ``at`` on the court's clock (``_act``)."""
        self.p.runtime.clock.call_at(at, self._act(action))

    def _act(self, action: Callable[[], Any]) -> Callable[[], Any]:
        """``action`` as the clerk's act, an actor's outside the platform: on real time it counts from the instant it
        is stamped with (``Runtime.outside_act``) — the loop's, on the demo's clock, however late the loop ran its
        timer — where a replay of the log puts it, not from its timer's due instant. Virtual time: ``action``."""
        runtime = self.p.runtime
        if not runtime.catches_up:
            return action

        def act() -> Any:
            with runtime.outside_act():
                return action()

        return act

    RETRY = frozenset({"node_frozen", "platform_retrying", "disposal_stage"})

    def _run(self, action: Callable[[], Any], attempt: int = 1) -> None:
        self.stats.actions += 1
        try:
            result = self._act(action)()
        except UserError as err:  # the platform refused: nothing was sent (a person would read the message)
            self.stats.refusals.append((err.code.upper(), err.en, str(action)))
            if isinstance(err, NodeFrozenError) and err.nodes and attempt < 20:
                # a measure refused while the nodes that govern it are frozen: again once they are unfrozen
                self._wait_unfreeze(err.case_id, err.nodes, lambda: self._run(action, attempt + 1))
            elif err.code in self.RETRY and attempt < 3:
                # a platform retrying, a disposal step not reached yet (or a frozen node it did not name): the clerk
                # tries again a little later
                self._call_at(self.now + 2 * DAY + 2 * HOUR, lambda: self._run(action, attempt + 1))
            return
        refusal = getattr(result, "refusal", None)
        if refusal is not None:
            self.stats.refusals.append((refusal.code, refusal.en, str(action)))

    def _wait_unfreeze(self, case: str, nodes: Iterable[tuple[int, str]], retry: Callable[[], Any]) -> None:
        """``retry`` once none of ``nodes`` (the frozen nodes a refusal named) is frozen any more — not at every
        unfreeze of the case: a case with several frozen nodes had each waiting call refused again at each
        approval (≈47,000 refusals in a simulated court-year with disposal)."""
        self.blocked.setdefault(case, []).append((retry, frozenset(nodes)))

    def _ev_operation_blocked(self, e: Event) -> None:
        """The system did not move a node for an event (到账登记 while another 划拨 node was frozen, say): the
        handler does it by hand once the frozen nodes the record names are unfrozen (the engine's rule for a
        blocked operation). Before, nobody did: the receipt stayed unregistered and its money was never paid out."""
        frozen = (e.data or {}).get("frozen")
        if not frozen or e.node is None:
            return  # blocked for another reason (a date beyond a strict calendar): nothing to wait for
        op = next((o for o in self.p.runtime.engine.process.operations
                   if o.event == e.data["on"] and (o.start or o.complete) == e.node), None)
        if op is None:
            return
        k, node, instance, item = e.case_id, e.node, e.instance, e.item

        def by_hand() -> Any:
            ns = self.p.runtime.cases[k].nodes.get((node, instance))
            if ns is not None and (ns.status is NodeStatus.DONE or (op.start is not None and ns.started_at)):
                return None  # done (or started) meanwhile
            if op.start is not None:
                return self._submit(c.StartNode(k, node, instance))
            if item is not None:
                return self._submit(c.CompleteItem(k, node, item, instance))
            return self._submit(c.CompleteNode(k, node, instance))

        self._wait_unfreeze(k, [tuple(f) for f in frozen], by_hand)

    def _ev_unfreeze_approved(self, e: Event) -> None:
        waiting = self.blocked.pop(e.case_id, [])
        state = self.p.runtime.cases.get(e.case_id)
        still: list[tuple[Callable[[], Any], frozenset[tuple[int, str]]]] = []
        for retry, nodes in waiting:  # at the next instant, after the approval's own reactions
            if state is not None and any((ns := state.nodes.get(key)) is not None and ns.status in BLOCKING
                                         for key in nodes):
                still.append((retry, nodes))
            else:
                self._call_at(self.now, retry)
        if still:
            self.blocked[e.case_id] = still

    def _soon(self, within: timedelta) -> timedelta:
        """A delay inside ``within`` (diligent) or past it (late)."""
        if self.rng.random() < self.diligence:
            return within * self.rng.uniform(0.05, 0.6)
        self.stats.late += 1
        return within * self.rng.uniform(1.05, 1.6)

    def _cmd(self, delay: timedelta, cmd: Any) -> None:
        self._at(delay, lambda: self._submit(cmd))

    # ── reactions ───────────────────────────────────────────────────────────────────────────────
    @classmethod
    def reacts_to(cls) -> tuple[EventKind, ...]:
        """The event kinds this clerk has a reaction (``_ev_<kind>``) for."""
        return tuple(k for k in EventKind if callable(getattr(cls, f"_ev_{k.value}", None)))

    def _ev_filed(self, e: Event) -> None:
        k = e.case_id
        self._cmd(HOUR, c.StartNode(k, 3))
        self._cmd(2 * HOUR, c.CompleteNode(k, 1))
        self._cmd(2 * HOUR, c.CompleteNode(k, 2))
        self._cmd(3 * HOUR, c.CompleteNode(k, 4))
        self._cmd(3 * HOUR + self._soon(48 * HOUR), c.CompleteNode(k, 3))  # control or pass the feedback summary
        state = self.p.runtime.cases[k]
        handler = self.rng.choice(self.handlers)
        if state.case_type == "resumed" and self.rng.random() < self.same_handler_rate:
            handler = state.previous_handler or handler
        elif state.case_type == "resumed":
            handler = self.rng.choice([h for h in self.handlers if h != state.previous_handler] or [handler])
        self._cmd(4 * HOUR, c.Assign(k, handler))
        for debtor in e.data.get("debtors", []):
            passed = self.rng.random() >= self.identity_failure_rate
            self._cmd(5 * HOUR, c.VerifyIdentity(k, debtor, passed))
            if not passed:  # the staff correct the identity, then it passes and the inquiry starts by itself
                self._cmd(DAY, c.CorrectIdentity(k, debtor))
                self._cmd(DAY + HOUR, c.VerifyIdentity(k, debtor, True))
        for node, within in ((5, 3 * DAY), (6, 3 * DAY), (7, 10 * DAY)):
            self._cmd(4 * HOUR + self._soon(within), c.CompleteNode(k, node))
        self._cmd(DAY, c.StartNode(k, 9))
        self._cmd(2 * DAY, c.StartNode(k, 10))
        if not (state.case_type == "first" and state.money):  # no 集约查询 (恢复, 保全, non-money): by hand
            self._at(2 * DAY + self._soon(25 * DAY), lambda: self._inquire_by_hand(k))

    def _inquire_by_hand(self, k: str) -> None:
        """A case without 集约查询: the handler queries through 总对总 by hand (not sent to the mock agencies here) and
        records nodes 9–11; then, as after a 集约查询, a 保全 is done and a case with nothing left to take goes to 终本.
        Without this a 恢复执行 case never left its inquiry (its 终本 refused ZHONGBEN_GATE for nodes 9 and 10)."""
        for node in (9, 10, 11):
            self._submit(c.CompleteNode(k, node))
        self._decide(k)

    def _decide(self, k: str) -> None:
        """After the inquiry by hand: a 保全 is done; a case with nothing left to take goes to 终本."""
        state = self.p.runtime.cases[k]
        if state.closed_manner is not None:
            return
        if state.case_type == "preservation":  # 保全完毕, 部分保全 or 无标的物可实施保全, as its controls stand
            self._cmd(DAY, closing(self.p.process, k, preservation_code(state)))
        else:
            self._maybe_zhongben(k)

    def _ev_node_frozen(self, e: Event) -> None:
        who = e.data["unfreeze_by"][0]
        self.stats.unfreezes += 1
        self._cmd(DAY, c.RequestUnfreeze(e.case_id, e.node, e.instance, by="承办人", reason="补办 / catching up"))
        for n, level in enumerate(e.data.get("unfreeze_via", ())):  # 层报: each level agrees and passes it up
            self._cmd(DAY + (n + 1) * HOUR, c.ApproveUnfreeze(e.case_id, e.node, level, e.instance))
        self._cmd(2 * DAY, c.ApproveUnfreeze(e.case_id, e.node, who, e.instance))
        if e.node in (5, 6, 7, 17, 31, 32):  # the handler catches up (补办), unless a call refused meanwhile did
            self._at(2 * DAY + HOUR, lambda: self._catch_up(e.case_id, e.node, e.instance))

    def _catch_up(self, k: str, node: int, instance: str) -> Any:
        if self.p.runtime.cases[k].status(node, instance) is NodeStatus.DONE:
            return None
        return self._submit(c.CompleteNode(k, node, instance))

    def _ev_inquiry_completed(self, e: Event) -> None:
        k = e.case_id
        state = self.p.runtime.cases[k]
        self._cmd(5 * DAY, c.CompleteNode(k, 9))
        self._cmd(8 * DAY, c.CompleteNode(k, 10))
        self._cmd(8 * DAY + HOUR, c.CompleteNode(k, 11))
        if not state.assets and not any(self.p.holdings.get((k, d, a)) for d in state.identity
                                        for a in state.inquiries.get(d, {})):
            self._to_zhongben(k)

    def _busy(self, k: str) -> bool:
        return any(check(k) for check in self.busy)

    def _maybe_zhongben(self, k: str) -> None:
        """Property found and taken, but the claim is not met and nothing is left to take: 终本. A claim satisfied in
        full is not: whoever satisfied it (the last payment, the value taken in kind) closes the case 执行完毕."""
        if self._busy(k):
            return
        state = self.p.runtime.cases[k]
        if state.satisfied_in_full():
            return
        pending = self._to_deduct(state) > 0
        unpaid = any(r.paid_cents < r.amount_cents for r in state.receipts.values())
        if state.closed_manner is None and not pending and not unpaid and k not in self._zhongben:
            self._to_zhongben(k)

    def _is_money(self, k: str, asset: str) -> bool:
        """Whether the asset is money the 划拨 takes (the process's 划拨 ``asset_kinds``: deposits, payment balances,
        wealth products), not property disposed of once frozen (股权, 证券…: nodes 19–20). Unknown: money."""
        found = self.p.assets.get((k, asset))
        kind = str(getattr(found[1].kind, "value", found[1].kind)) if found is not None else ""
        return control_anchor(self.p.process, "freeze", kind) == "freeze_effective"

    def _takes(self, k: str, asset: str, kind: Any) -> bool:
        """Whether the handler freezes an online-controllable holding: money always; other property (股权, 证券…),
        which is then disposed of (nodes 19–20 run from the freeze), only where this run disposes of property — else it
        is recorded as found, as real estate is not even queried then (a freeze would start nodes nobody works on)."""
        kind = str(getattr(kind, "value", kind))
        if control_anchor(self.p.process, "freeze", kind) == "freeze_effective":
            return True
        return self.disposal is not None and self.disposal.takes(k, asset)

    def _deducts(self, k: str, asset: str) -> bool:
        """Whether the handler 划拨s a freeze that took effect: money, where the 划拨 (node 31) applies to the case —
        not in a 财产保全 case by default (process.yaml: preserved money is held for the judgment, not deducted nor
        paid out) — and the agency takes an online deduction (06; securities, for one, do not)."""
        state = self.p.runtime.cases[k]
        node = self.p.process.by_no[self.p.process.roles.deduction]
        return (self._is_money(k, asset) and node.applies_for(state.attrs)
                and self.p.can(asset.split(":", 1)[0], MEASURE.DEDUCT))

    def _disposed_of(self, k: str, asset: str, e: Event) -> bool:
        """A freeze of property that is not money, which this run's disposal clerk disposes of (its lot: nodes 19–20
        run from the freeze, ``Disposal.frozen``)."""
        return (e.data.get("measure") != "seal" and self.disposal is not None and not self._is_money(k, asset)
                and (k, asset) in self.p.disposal.lots)

    @staticmethod
    def _target(state: Any) -> int:
        """What the case enforces: its claim and, where the court charges it (process.yaml ``fees``, off by default:
        the claim only, as before), the application fee the claim bears — settled first from the money enforced, it
        is the debtor's to pay beside the claim (《诉讼费用交纳办法》第三十八条 as remembered, unconfirmed). Before, the
        claim only: with the fee on, a case enforced in full was short by the fee and went to 终本 (review R9)."""
        return state.amount_cents + (state.fee.at_full_cents(state) if state.fee is not None else 0)

    @staticmethod
    def _left(state: Any) -> int:
        """What is left to enforce: the claim still owed and the fee still to settle at full enforcement."""
        fee = state.fee.at_full_cents(state) - state.fee_settled_cents() if state.fee is not None else 0
        return state.outstanding_cents() + max(0, fee)

    def _to_deduct(self, state: Any) -> int:
        """Money the case's active freezes hold that can still be deducted online (not equity, securities…)."""
        return sum(a.frozen_cents - a.deducted_cents for a in state.assets.values()
                   if a.active and a.frozen_cents > a.deducted_cents and self.p.can(a.agency, MEASURE.DEDUCT))

    def _when_node_done(self, k: str, node: int, action: Callable[[], Any]) -> None:
        """``action`` now if node ``node`` of case ``k`` is done, else at the instant it is (``_ev_node_done``)."""
        state = self.p.runtime.cases.get(k)
        if state is not None and state.status(node) is NODE_STATUS.DONE:
            action()
        else:
            self._waiting_for_node.setdefault((k, node), []).append(action)

    def _ev_node_done(self, e: Event) -> None:
        waiting = self._waiting_for_node.pop((e.case_id, e.node), None) if self._waiting_for_node else None
        for action in waiting or ():  # at the next instant, after the node's own reactions
            self._call_at(self.now, action)

    def _to_zhongben(self, k: str) -> None:
        self._zhongben.add(k)
        # 限消 comes after the 执行通知 (seed 004 节点三十六 "被执行人未按执行通知书指定的期间履行的"): a late
        # notice holds up the way to 终本
        self._when_node_done(k, 7, lambda: self._zhongben_steps(k))

    def _zhongben_steps(self, k: str) -> None:
        state = self.p.runtime.cases[k]
        interview = 9 * DAY + self._soon(10 * DAY)
        self._zb(9 * DAY, c.Record(k, "no_property_found"))
        self._zb(interview, c.CompleteNode(k, 18))
        self._zb(12 * DAY, c.CompleteNode(k, 36, authority=authority_ref(self.p.process, "president")))
        # 终本 only after more than three months since filing (the gate refuses earlier), and after the interview
        ready = state.filed_at + timedelta(days=93) - self.now
        self._zb(max(ready, 20 * DAY, interview + DAY), closing(self.p.process, k, "zhongben"))

    def _zb(self, delay: timedelta, cmd: Any) -> None:
        """A step towards 终本; the rest of the way is dropped if by then something works on the case (property found
        at a registry, being disposed of) or it has closed."""
        k = cmd.case_id
        chain = self._zb_chain.setdefault(k, [0])
        token = chain[0]

        def step() -> Any:
            if chain[0] != token:
                return None  # dropped earlier
            state = self.p.runtime.cases[k]
            if self._busy(k) or state.closed_manner is not None or state.satisfied_in_full():
                chain[0] += 1
                self._zhongben.discard(k)
                if state.closed_manner is None and state.satisfied_in_full() and isinstance(cmd, c.Close):
                    # the claim was satisfied after 终本 was decided (money frozen late, then paid; a disposal's
                    # proceeds, the value taken in kind): 执行完毕 — the gate refuses 终本 (CLAIM_SATISFIED)
                    return self._close_completed(k)
                return None
            return self._submit(cmd)

        self._at(delay, step)

    def _close_completed(self, k: str) -> Any:
        """报结 执行完毕 now, unless the case closed meanwhile (a 执行完毕 asked for by the last payment)."""
        if self.p.runtime.cases[k].closed_manner is not None:
            return None
        return self._submit(closing(self.p.process, k, "completed"))

    def _ev_warning(self, e: Event) -> None:
        if e.node == 43 and e.item == "limit":  # the 6-month limit is near: ask the president for 3 more months
            state = self.p.runtime.cases[e.case_id]
            if state.closed_manner is None and state.limit.extensions == 0:
                self._cmd(HOUR, c.RequestLimitChange(e.case_id, "extend", reason="财产处置中 / disposal under way"))
                self._cmd(DAY, c.ApproveLimitChange(e.case_id, authority_ref(self.p.process, "president")))

    def _ev_feedback_received(self, e: Event) -> None:
        k, debtor, agency = e.case_id, e.data["debtor"], e.data["agency"]
        # a diligent handler opens it well within the 3-day view rule (and node 17's 48 hours); a late one raises
        # a 督办 item and misses the control deadline
        diligent = self.rng.random() < self.diligence
        delay = DAY * (self.rng.uniform(0.1, 1.2) if diligent else self.rng.uniform(3.5, 5))
        if delay > 3 * DAY:
            self.stats.late += 1
        self._at(delay, lambda: self._open_and_freeze(k, debtor, agency))

    def _open_and_freeze(self, k: str, debtor: str, agency: str) -> None:
        self._control(k, agency, self.p.open_feedback(k, debtor, agency))

    def _control(self, k: str, agency: str, holdings: Iterable[Any]) -> None:
        """What an inquiry found at ``agency`` (a 集约查询's feedback, a preservation case's own query): each holding
        frozen online up to what is left of the claim (node 17), or recorded as found."""
        state = self.p.runtime.cases[k]
        for h in holdings:
            asset = f"{agency}:{h.account_no}"
            claim = self._target(state) - self._reserved.get(k, 0)  # freeze no more than the claim (and fee), overall
            if claim <= 0 or not h.online_controllable or not self._takes(k, asset, h.kind):
                # no control needed (the claim is covered), none possible online, or property this run does not
                # dispose of: the handler records it — once: a 终本 sweep reports known property again
                if state.status(17, asset) is not NODE_STATUS.DONE:
                    self._cmd(HOUR, c.CompleteNode(k, 17, asset))
                continue
            amount = min(claim, h.available_cents or h.balance_cents)  # nothing available: 轮候 behind the others
            self._reserved[k] = self._reserved.get(k, 0) + amount
            self._at(self._soon(DAY), lambda asset=asset, amount=amount: self._freeze(k, asset, amount),
                     (k, 17, asset))

    def _freeze(self, k: str, asset: str, amount: int) -> Any:
        """Node 17: the control measure is taken online when the freeze is submitted; the bank answers later."""
        self.p.freeze(k, asset, amount)
        if self.p.runtime.cases[k].status(17, asset) is NODE_STATUS.DONE:
            return None  # more of an account controlled before (a sweep found value on it again): node 17 stays done
        return self._submit(c.CompleteNode(k, 17, asset))

    def _deduct(self, k: str, asset: str, frozen: int) -> None:
        state = self.p.runtime.cases[k]
        amount = min(frozen, self._target(state) - self._deducting.get(k, 0))
        if amount > 0 and state.closed_manner is None:
            self.p.deduct(k, asset, amount)  # node 31: the 划拨 is ordered online; the money arrives later
            # counted once sent: a 划拨 the platform refused (its node frozen) is tried again in full (``_run``)
            self._deducting[k] = self._deducting.get(k, 0) + amount
        self._submit(c.CompleteNode(k, 31, asset))

    def _ev_funds_frozen(self, e: Event) -> None:
        k, asset = e.case_id, e.instance
        state = self.p.runtime.cases[k]
        if state.closed_manner == "zhongben":  # frozen from 终本管理: resume
            if k not in self._resumed:
                self._resumed.add(k)
                self._cmd(DAY, c.RequestResumption(k, reason="统查或线索发现财产 / property found"))
                self._cmd(2 * DAY, c.ApproveResumption(k, authority_ref(self.p.process, "bureau_head")))
            return
        if e.data.get("measure") == "seal":  # real estate, a vehicle: disposed of (sim.disposal_clerk)
            return
        if self._deducts(k, asset):
            self._at(self._soon(7 * DAY), lambda: self._deduct(k, asset, e.data["amount_cents"]))
        elif state.case_type == "preservation":  # preserved, not deducted: the case closes as its controls are taken
            return
        elif self._disposed_of(k, asset, e):  # 股权, 证券 frozen: disposed of (nodes 19–20, sim.disposal_clerk)
            return
        else:  # money no online 划拨 takes (offline), or property this run does not dispose of: nothing to deduct now
            self._maybe_zhongben(k)

    def _ev_funds_arrived(self, e: Event) -> None:
        k, receipt, amount = e.case_id, e.data["receipt"], e.data["amount_cents"]
        self._cmd(self._soon(3 * DAY), c.RegisterReceipt(k, receipt))  # 到账登记 completes node 32
        self._cmd(4 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "bureau_head")))
        self._cmd(5 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "vice_president")))
        self._at(5 * DAY + self._soon(20 * DAY), lambda: self._pay(k, receipt, amount))

    def returns_held(self, k: str) -> bool:
        """The case closed without enforcing its title (销案, 不予执行, 驳回申请: process.yaml ``returns_held``): the
        money its account holds goes back to the debtor, within node 33's 30 days, which the closing does not end."""
        state = self.p.runtime.cases[k]
        manner = self.p.process.manners.get(state.closed_manner) if state.closed_manner else None
        return manner is not None and manner.returns_held

    def _pay(self, k: str, receipt: str, amount: int, attempt: int = 1) -> Any:
        # to the applicant; after a closing that returns held money, back to the debtor (before: refused
        # RETURN_TO_DEBTOR and never paid again, the money held for good)
        out = self.p.pay_out(k, receipt, amount, surplus=self.returns_held(k))
        if out.refusal is not None and out.refusal.code == "FEE_UNSETTLED" and out.refusal.details[0] < amount:
            # the application fee first (process.yaml ``fees``, off by default): the payee gets what the refusal says
            # is left after it (0: the payout only settles the fee) — before, the refused money stayed held for good
            return self._pay(k, receipt, out.refusal.details[0], attempt)
        if out.refusal is not None:
            self._pay_again(k, out.refusal, lambda n: self._pay(k, receipt, amount, n), attempt)
            return out
        state = self.p.runtime.cases[k]
        if out.accepted and state.closed_manner is None and state.outstanding_cents() == 0:
            self._cmd(DAY, closing(self.p.process, k, "completed"))
        elif out.accepted:
            self._maybe_zhongben(k)
        return out

    def _pay_again(self, k: str, refusal: Any, pay: Callable[[int], Any], attempt: int) -> None:
        """A payout refused for now is paid later: once the frozen nodes that refused it are unfrozen (paid late,
        node 33 froze), once its receipt is registered (到账登记 waits for an unfreeze itself, or is still queued),
        or a little later while its approvals are outstanding. Without this the money stayed in the case's account for
        good (4 of ``make run``'s 16 cases, 2026-12-05); polling for the registration gave up too early where the
        unfreeze behind it took weeks."""
        if refusal.code == "NODE_FROZEN":
            self._wait_unfreeze(k, refusal.details, lambda: pay(attempt))
        elif refusal.code == "RECEIPT_NOT_REGISTERED":  # at the next 到账登记 of the case (node_done, any receipt)
            node = self.p.runtime.engine.process.roles.receipt
            self._waiting_for_node.setdefault((k, node), []).append(lambda: pay(attempt + 1))
        elif refusal.code == "PAYOUT_NOT_APPROVED" and attempt < 30:
            self._later(k, "pay", 2 * DAY, lambda: pay(attempt + 1))

    def _later(self, k: str, kind: str, delay: timedelta, action: Callable[[], Any]) -> None:
        """``action`` of case ``k`` after ``delay`` (the staff actor queues it as work of ``kind``)."""
        self._at(delay, action)

    def _ev_closed(self, e: Event) -> None:
        k, manner = e.case_id, e.data["manner"]
        if manner in ("completed", "zhongben"):
            key = "completed_upload" if manner == "completed" else "zhongben_publish"
            self._cmd(self._soon(7 * DAY), c.CompleteItem(k, 43, key))
        self._cmd(self._soon(15 * DAY), c.CompleteNode(k, 44))

    # ── node 46: the review of property found after 终本 (shared with sim.staff_actor) ──────────────────
    def _ev_anchor(self, e: Event) -> None:
        """Node 46: property found after 终本 (a sweep's finding, a clue) — the handler reviews it within 10 days,
        whether or not the case is resumed (the finding may be too small, already frozen by others, or property the
        court disposes of offline). The review is the handler's decision; resuming is a separate chain of work."""
        anchor = (e.data or {}).get("anchor")
        if self._waiting_for_anchor and (waiting := self._waiting_for_anchor.pop((e.case_id, str(anchor)), None)):
            for action in waiting:  # a round ended (``_held_closing``): at the next instant, after its own reactions
                self._call_at(self.now, action)
        if anchor != "property_found_after_zhongben" or not e.instance:
            return
        self._reviewing.add((e.case_id, e.instance))
        self._queue_review(e.case_id, e.instance)

    def _queue_review(self, k: str, inst: str, delay: timedelta | None = None) -> None:
        """The review as this staff does work: here after a delay within (or, when late, past) the 10 days."""
        wait = self._soon(10 * DAY) if delay is None else delay
        self._call_at(self.now + wait, lambda: self._run(lambda: self._review_finding(k, inst)))

    def _review_finding(self, k: str, inst: str) -> None:
        ns = self.p.runtime.cases[k].nodes.get((46, inst))
        if ns is None or ns.status != "done":  # not completed meanwhile (a resumption completes it)
            self._submit(c.CompleteNode(k, 46, inst))

    def _held_closing(self, cmd: Any, enter: Callable[[], Any]) -> bool:
        """Whether the 报结 ``cmd`` waits: its manner releases the controls (执行完毕, 终结…) while property sold, or
        taken in kind, still awaits its ruling, transfer or hand-over (process.yaml ``release_gate``: the engine would
        refuse it RELEASE_GATE). The handler does not file it then: ``enter`` runs once a node that may end the wait is
        done (the sale's last node, 30 — the handler works nodes 27–30 meanwhile), and looks again. Before, the case
        closed 执行完毕 as soon as the proceeds were paid out, its sold flat's seal lifted with the ruling and the
        hand-over not done — and nothing made the ruling after (review R17). Likewise while a lot's round has begun
        (bidding, a 变卖 period) and not ended, a round won and not yet paid for included (``ROUND_IN_BIDDING``):
        ``enter`` runs when the round ends (an anchor of the condition's ``round_ends`` recorded — 流拍, withdrawn,
        paid — or a node of its ``round_end_nodes`` done: a 变卖 over); sold, it waits again, for node 30 (review
        R19: the case closed 执行完毕 while its flat was sold and unpaid, the seal lifted before the buyer paid)."""
        k = cmd.case_id
        state = self.p.runtime.cases.get(k)
        if not isinstance(cmd, c.Close) or state is None or state.closed_manner is not None:
            return False
        process = self.p.process
        try:
            manner = process.manner(cmd.manner)
        except UserError:
            return False  # the engine names the manners there are
        if not process.release_gate or not manner.releases_for(state.case_type):
            return False
        unmet = unmet_release_conditions(process, self.p.runtime.engine.calendar, state, self.now, manner)
        # the nodes whose completion may meet a condition: a sale's ends (or its nodes), a node condition's nodes
        nodes = {no for u in unmet for no in (u.sale_ends or u.sale_nodes or ((u.node, *u.any_of) if u.node else ()))}
        nodes |= {no for u in unmet for no in u.round_end_nodes}
        anchors = {a for u in unmet for a in u.round_ends}  # a round's end
        if not nodes and not anchors:
            return False  # no node done nor round ended would meet it (or nothing unmet): the engine says why
        fired: list[bool] = []

        def again() -> None:
            if not fired:
                fired.append(True)
                enter()

        for no in nodes:
            self._waiting_for_node.setdefault((k, no), []).append(again)
        for anchor in anchors:
            self._waiting_for_anchor.setdefault((k, anchor), []).append(again)
        return True

    def _submit(self, cmd: Any) -> Any:
        """An engine command; refused because a node is frozen (done, but the system refuses it while the node is
        frozen), it is entered again once the nodes the refusal named are unfrozen. A 报结 that would release the
        controls while a sale's disposal is unfinished waits for it (``_held_closing``): None. A refusal is counted
        (``refused``)."""
        if isinstance(cmd, c.Close) and self._held_closing(cmd, lambda: self._enter_held(cmd)):
            return None
        out = self.p.submit(cmd)
        refusal = out.refusal
        if refusal is not None:
            code = refusal.code
            if code == "NODE_FROZEN":
                self._wait_unfreeze(cmd.case_id, refusal.details, lambda: self._submit(cmd))
            self.refused[code] = self.refused.get(code, 0) + 1
        return out

    def _enter_held(self, cmd: Any) -> Any:
        """A 报结 that waited for a sale's disposal (``_held_closing``): entered now — unless the case closed meanwhile
        (another 执行完毕 asked for by the last payment took its place), or it waits again (another lot)."""
        if self.p.runtime.cases[cmd.case_id].closed_manner is not None:
            return None
        return self._submit(cmd)

    def _ev_resumption_approved(self, e: Event) -> None:
        k = e.case_id
        for (no, inst), ns in self.p.runtime.cases[k].nodes.items():  # reviews not already queued (none expected)
            if no == 46 and ns.status != "done" and (k, inst) not in self._reviewing:
                self._queue_review(k, inst, HOUR)

    def _on_notice(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "sweep_found" or (kind == "clue_verified" and data["holdings"]):
            k = data["case_id"]
            for h in data["holdings"]:  # money is frozen; real estate and vehicles are sealed (sim.disposal_clerk)
                asset = f"{data['agency']}:{h.account_no}"
                if h.online_controllable and str(getattr(h.kind, "value", h.kind)) not in SEALABLE \
                        and self._takes(k, asset, h.kind):
                    # up to what is left of the claim less the money the case's freezes hold (to be deducted), as the
                    # 集约查询's freezes (a sweep froze whole balances: 3.4 million yuan for a 74,000 yuan claim);
                    # nothing available: 轮候 behind the others
                    state = self.p.runtime.cases[k]
                    left = self._left(state) - self._to_deduct(state)
                    amount = min(h.available_cents or h.balance_cents, left)
                    if amount > 0:
                        self._at(DAY, lambda k=k, asset=asset, amount=amount: self._freeze(k, asset, amount),
                                 (k, 17, asset))
                    break
