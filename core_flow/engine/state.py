"""Case state as the engine keeps it. Owned by the engine: callers read it, never write it."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from core_flow.enum_members import members_of


class NodeStatus(StrEnum):
    NOT_STARTED = "not_started"  # 未开始 (a deadline may already run)
    IN_PROGRESS = "in_progress"  # 进行中
    WARNED = "warned"  # 已预警
    FROZEN = "frozen"  # 已冻结
    UNFREEZE_PENDING = "unfreeze_pending"  # 解冻审批中
    DONE = "done"  # 已完成


NODE_STATUS = members_of(NodeStatus)  # for hot code: see core_flow.enum_members


BLOCKING = (NodeStatus.FROZEN, NodeStatus.UNFREEZE_PENDING)


@dataclass(slots=True)
class ItemState:
    due: datetime
    token: int
    period: str
    done: bool = False
    warned: bool = False
    overdue: bool = False
    freeze: bool = False  # expiry freezes the node (the item's rule for this case)
    duban: str | None = None  # None | open | closed: 督办 raised when an item marked ``duban`` expired


@dataclass(slots=True)
class NodeState:
    no: int
    instance: str
    status: NodeStatus = NodeStatus.NOT_STARTED
    items: dict[str, ItemState] = field(default_factory=dict)
    started_at: datetime | None = None
    done_at: datetime | None = None
    frozen_reason: str | None = None
    unfreeze_by: tuple[str, ...] = ()
    unfreeze_via: tuple[str, ...] = ()  # 层报: who forwards the request, in order, before unfreeze_by decides
    forwarded: list[str] = field(default_factory=list)
    unfreeze_requested_by: str | None = None


@dataclass(slots=True)
class LimitState:
    base: str = "6m"
    extensions: int = 0
    suspended_since: datetime | None = None
    suspended_days: int = 0
    pending: str | None = None  # extend | suspend


@dataclass(slots=True)
class FeedbackState:
    """An agency's 集约查询 answer that reported property: to be opened within 3 days."""

    received_at: datetime
    due: datetime
    token: int
    holdings: int
    amount_cents: int
    opened_at: datetime | None = None
    duban: str | None = None  # None | open | closed


@dataclass(slots=True)
class AssetMoney:
    agency: str
    frozen_cents: int = 0
    deducted_cents: int = 0
    freeze_id: str = ""
    account_no: str = ""
    released: bool = False
    expires_at: datetime | None = None
    moved_to: str = ""  # the 恢复执行 case that took the measure over (``HandOverMeasure``): held there, not here

    @property
    def active(self) -> bool:
        """The measure is held by this case: neither released nor handed over."""
        return not self.released and not self.moved_to


@dataclass(slots=True)
class Receipt:
    asset: str
    amount_cents: int
    approvals: list[str] = field(default_factory=list)
    paid_cents: int = 0  # paid out of the case account: to the applicant, and any surplus back to the debtor
    returned_cents: int = 0  # of it, the surplus returned to the debtor (余款退还)
    fee_cents: int = 0  # of it, the application fee settled from this receipt (执行申请费, process.yaml ``fees``)
    escrowed: bool = False
    source: str = "deduction"  # deduction (划拨) | auction | sale (变价款)


@dataclass(slots=True)
class FeeCharge:
    """The 执行申请费 a case bears (process.yaml ``fees.application_fee``, off by default): its ``rule`` (the model's
    ``ApplicationFee``), the 到账登记 node whose completion counts a receipt as enforced (``receipt_node``), and what a
    终本 case's application carried into this 恢复执行 case (``carried``: ``commands.FeeCarried``, or None). What is
    due is derived from the case each time it is read (node 32's status, the receipts, 以物抵债), never stored beside
    them: right after node 32 is completed by hand as after a payout."""

    rule: Any
    receipt_node: int
    carried: Any = None
    handed_to: str = ""  # a 终本 case: the 恢复执行 case its application's fee went to (``FeeHandedOver``)
    # the last (claim, enforced) the tiers were applied to and their fee: the exact tier arithmetic (Fraction) was ¾ of
    # the derivation's cost, for the same figures read again and again (review R9) — a memo, not a second record
    _memo: tuple[int, int, int] = field(default=(-1, -1, 0), repr=False, compare=False)

    def application(self, state: CaseState) -> tuple[int, int, int]:
        """The application's claim, the money enforced on it and the fee settled on it — this case's and, for a
        恢复执行 case, what its 终本 case carried: the enforced counted up to each case's claim (money beyond it goes
        back to the debtor), in kind (以物抵债) only by ``count_in_kind``."""
        no = self.receipt_node
        enforced = sum(r.amount_cents for key, r in state.receipts.items() if state.status(no, key) == NodeStatus.DONE)
        if self.rule.count_in_kind:
            enforced += sum(state.in_kind.values())  # the part of the claim it satisfied (never beyond the claim)
        enforced = min(enforced, state.amount_cents)
        settled = state.fee_settled_cents()
        if self.carried is None:
            return state.amount_cents, enforced, settled
        c = self.carried
        return c.claim_cents, min(c.claim_cents, c.enforced_cents + enforced), c.settled_cents + settled

    def at_full_cents(self, state: CaseState) -> int:
        """The fee this case settles in all once its claim is enforced in full — what enforcement takes beside the
        claim (the simulated clerk's target): the application's fee on its whole claim less what its 终本 case
        settled; once handed over to a 恢复执行 case, what it settled."""
        if self.handed_to:
            return state.fee_settled_cents()
        claim = self.carried.claim_cents if self.carried is not None else state.amount_cents
        before = self.carried.settled_cents if self.carried is not None else 0
        return max(0, self.rule.due_cents(claim, claim) - before)

    def due_cents(self, state: CaseState) -> int:
        """The fee this case is to settle: on the application's basis (``basis``), less what its 终本 case settled
        (carried); for a 终本 case whose 恢复执行 case was filed with its figures (``handed_to``), what it settled —
        the rest went with the application. Before, from the resumption's approval: a push that failed, or a filing
        that carried nothing (another court's system), left the rest settled nowhere."""
        if self.handed_to:
            return state.fee_settled_cents()
        claim, enforced, _ = self.application(state)
        if self._memo[:2] != (claim, enforced):
            self._memo = (claim, enforced, self.rule.due_cents(claim, enforced))
        before = self.carried.settled_cents if self.carried is not None else 0
        return max(0, self._memo[2] - before)


class AssetRounds(NamedTuple):
    """The rounds of one asset's sale as the release gate reads them (``CaseState.rounds``; gate.rounds_in_bidding):
    the start listed last and, per end anchor, its latest end. Ordered by instant, not by arrival: each mark is keyed
    ``(instant, n)`` — ``n`` the asset's round anchors recorded so far, which orders marks at one instant by arrival.

    A start (``auction_scheduled``…: its ``at`` the round's start, recorded when the round is listed) is listed at the
    engine's ``now`` when recorded, or at its start if that came first (a round recorded after it began, back-dated,
    was listed no later than it began); the start kept is the one listed last. An end (``first_unsold``,
    ``listing_withdrawn``…: its ``at`` when the round ended) ends the latest start listed at or before its ``at`` —
    so it ends the start kept iff its key is after the start's listing and it is an end of that start (the gate's
    ``round_ends``: a 流拍 of the first auction ends no second auction, review R21 F2); an end is placed no later than
    it was recorded (its ``at`` if earlier), as a start is. Not the latest ``at``: a round withdrawn before it began
    has an end before its start.

    A round is known by its start anchor and its ``at``: a start identical to one recorded before (the same anchor at
    the same instant — a ``Record`` sent twice, a retry) is that round again, not a relisting, and is ignored (review
    R21 F3: sent again after the round was withdrawn before it began, it was listed anew, its withdrawal behind it,
    and held the closing once its start passed). A relisting has a start of its own (H49's re-auction: the round's
    start recorded again at the new bidding's start)."""

    start: str | None = None  # the anchor of the start listed last (None: no start recorded)
    starts_at: datetime | None = None  # that round's start (its ``at``)
    listed: tuple[datetime, int] | None = None  # when it was listed, and its arrival
    ends: tuple[tuple[str, datetime, int], ...] = ()  # per end anchor, its latest (at, arrival)
    n: int = 0  # the round anchors recorded for the asset
    seen: frozenset[tuple[str, datetime]] = frozenset()  # every start recorded: (anchor, at)

    def with_start(self, anchor: str, at: datetime, now: datetime) -> AssetRounds:
        """A start recorded at ``now`` (its round beginning ``at``): kept unless a start listed later is kept, or it is
        one recorded before (the same anchor and ``at``: the same round, ignored)."""
        if (anchor, at) in self.seen:
            return self._replace(n=self.n + 1)
        seen = self.seen | {(anchor, at)}
        listed = (min(now, at), self.n + 1)
        if self.listed is not None and listed < self.listed:
            return self._replace(n=self.n + 1, seen=seen)
        return self._replace(start=anchor, starts_at=at, listed=listed, n=self.n + 1, seen=seen)

    def with_end(self, anchor: str, at: datetime, now: datetime) -> AssetRounds:
        """An end recorded at ``now`` (the round ended ``at``; an ``at`` after ``now`` — a platform's clock ahead, an
        instant entered wrongly — is taken as ``now``: it ends no round listed after it was recorded): kept as its
        anchor's latest unless a later one is kept."""
        mark = (min(now, at), self.n + 1)
        ends = tuple(e for e in self.ends if e[0] != anchor)
        old = next((e for e in self.ends if e[0] == anchor), None)
        if old is not None and mark < old[1:]:
            return self._replace(n=self.n + 1)
        return self._replace(ends=(*ends, (anchor, *mark)), n=self.n + 1)

    def ended(self, round_ends: Mapping[str, Container[str]]) -> bool:
        """Whether an end ends the start kept: recorded after its listing (by instant, then arrival) and, in
        ``round_ends`` (the gate's: end anchor → the starts it ends), an end of that start."""
        return self.listed is not None and any(
            (at, n) > self.listed and self.start in round_ends.get(a, ()) for a, at, n in self.ends)


@dataclass(slots=True)
class Measure:
    """A coercive measure in force (限制消费, 失信): until lifted, or until its term ends."""

    taken_at: datetime
    ends_at: datetime | None = None
    token: int = 0
    lifted_at: datetime | None = None
    lifted_reason: str = ""


@dataclass(slots=True)
class CaseState:
    case_id: str
    case_type: str
    money: bool
    nonlitigation: bool
    filed_at: datetime
    amount_cents: int = 0
    attrs: dict[str, Any] = field(default_factory=dict)
    handler: str | None = None
    previous_case: str | None = None
    previous_handler: str | None = None
    shixin_eligible: bool = False
    identity: dict[str, str] = field(default_factory=dict)  # debtor -> pending | passed | failed
    inquiries_triggered: set[str] = field(default_factory=set)
    nodes: dict[tuple[int, str], NodeState] = field(default_factory=dict)
    limit: LimitState = field(default_factory=LimitState)
    closed_manner: str | None = None
    closed_at: datetime | None = None
    next_token: int = 1
    inquiries: dict[str, dict[str, str]] = field(default_factory=dict)  # debtor -> agency -> pending|answered
    feedback: dict[tuple[str, str], FeedbackState] = field(default_factory=dict)  # (debtor, agency)
    assets: dict[str, AssetMoney] = field(default_factory=dict)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    resumption: str | None = None  # requested | approved | filed
    resumed_as: str | None = None
    network_inquiry_at: datetime | None = None  # the first network inquiry (集约 trigger or a manual query)
    filing_frozen: bool = False  # node 46: the 立案 node froze because the handler was kept
    closing_pending: str | None = None  # a 报结 (its manner) waiting for review
    measures: dict[int, Measure] = field(default_factory=dict)  # coercive measure node → its state
    in_kind: dict[str, int] = field(default_factory=dict)  # 以物抵债: asset → the part of the claim it satisfied
    # anchors a node may not complete before (``Node.not_before``) or a 终本 condition applies on (``when``:
    # debtor_missing) → the instant last recorded (performance_due)
    not_before: dict[str, datetime] = field(default_factory=dict)
    # per asset, the anchors that start or end a round of its sale (a gate's ``round_starts`` / ``round_ends``:
    # auction_scheduled … at the round's start, first_unsold … at its end), ordered by instant (AssetRounds): what
    # the release gate asks whether a round's bidding has begun and not ended (gate.rounds_in_bidding)
    rounds: dict[str, AssetRounds] = field(default_factory=dict)
    # 执行申请费, when the process charges it (``fees``; None: not charged): its rule and what was carried; what is due
    # is ``fee_cents``, derived
    fee: FeeCharge | None = None
    # when the money claim was first met (``claim_met``; the anchor, recorded once: ``MoneyRules._claim_check``)
    claim_met_at: datetime | None = None

    @property
    def fee_cents(self) -> int | None:
        """The application fee due on this case so far (None: not charged): on the claim (``basis: claim``), or on the
        money enforced so far (``basis: enforced``, the default: the receipts whose 到账登记 is done, however it was
        completed). Derived on each read."""
        return None if self.fee is None else self.fee.due_cents(self)

    def outstanding(self, debtor: str) -> list[str]:
        """In-scope agencies of the debtor's 集约查询 that have not answered yet."""
        return [a for a, s in self.inquiries.get(debtor, {}).items() if s == "pending"]

    def amounts(self) -> dict[str, int]:
        """The case's amounts, to the cent: frozen now, deducted into the 一案一账号, paid out (``returned_cents`` of it
        back to the debtor: a sale's surplus), held."""
        frozen = sum(a.frozen_cents - a.deducted_cents for a in self.assets.values() if a.active)
        deducted = sum(a.deducted_cents for a in self.assets.values())
        paid = sum(r.paid_cents for r in self.receipts.values())
        proceeds = sum(r.amount_cents for r in self.receipts.values() if r.source != "deduction")
        returned = sum(r.returned_cents for r in self.receipts.values())
        out = {"frozen_cents": frozen, "deducted_cents": deducted, "proceeds_cents": proceeds, "paid_cents": paid,
               "returned_cents": returned, "account_cents": deducted + proceeds - paid}
        if self.fee is not None:  # charged (process.yaml ``fees``): the fee, its settled part (in paid_cents)
            out |= {"fee_cents": self.fee.due_cents(self), "fee_settled_cents": self.fee_settled_cents()}
        return out

    def fee_settled_cents(self) -> int:
        """The application fee settled so far from the case account (part of the money paid out)."""
        return sum(r.fee_cents for r in self.receipts.values())

    def fee_left_cents(self) -> int:
        """The application fee still to settle (0 when the case is not charged)."""
        return 0 if self.fee is None else max(0, self.fee.due_cents(self) - self.fee_settled_cents())

    def outstanding_cents(self) -> int:
        """What is left of the claim: the amount less what the applicant was paid, what was escrowed for the applicant
        (提存: the receipt's rest, held for the applicant — the debt discharged as far as it goes, 民法典
        第五百七十一条 as remembered, unconfirmed; before, it was still counted as owed, so a later receipt paid the
        applicant the escrowed sum again and a surplus was refused CLAIM_OUTSTANDING) and what was satisfied in kind
        (以物抵债); a surplus returned to the debtor, or the application fee settled, pays nothing of the claim."""
        paid = sum(r.amount_cents - r.returned_cents - r.fee_cents if r.escrowed else
                   r.paid_cents - r.returned_cents - r.fee_cents for r in self.receipts.values())
        return max(0, self.amount_cents - paid - sum(self.in_kind.values()))

    def claim_met(self) -> bool:
        """Whether the money claim is met — nothing left to sell for (拍卖变卖规定 第十四条 as commonly published,
        unconfirmed, not in LAW.md): nothing outstanding (``outstanding_cents``: what the applicant was paid, escrowed
        or took in kind) and no application fee left to settle (``fee_left_cents``; 0 when not charged). Money received
        and not yet paid out does not count, nor money only frozen, nor a sale won and not paid for. The one
        definition: the engine records the anchor ``claim_met`` the first time it holds (``MoneyRules._claim_check``)
        and the simulated handler stops selling while it holds (``sim.disposal_clerk.DisposalClerk._met``)."""
        return self.money and self.amount_cents > 0 and self.outstanding_cents() == 0 and self.fee_left_cents() == 0

    def satisfied_in_full(self) -> bool:
        """A money claim fully satisfied (paid, or 以物抵债): nothing left to enforce — 执行完毕, never 终本."""
        return self.money and self.amount_cents > 0 and self.outstanding_cents() == 0

    def node(self, no: int, instance: str = "") -> NodeState | None:
        return self.nodes.get((no, instance))

    def status(self, no: int, instance: str = "") -> NodeStatus:
        ns = self.nodes.get((no, instance))
        return ns.status if ns else NODE_STATUS.NOT_STARTED

    def frozen_nodes(self) -> list[NodeState]:
        return [ns for ns in self.nodes.values() if ns.status in BLOCKING]
