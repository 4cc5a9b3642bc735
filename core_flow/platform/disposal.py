"""Disposal of sealed property (and of frozen property that is not money) (财产处置): seals, reference price, auctions,
变卖, 以物抵债, transfer and proceeds.

The court side of nodes 17 and 19–30 (and 32–33 for the proceeds), a component the :class:`Platform` owns.
Every deadline of a disposal node runs from an answer of a platform or from the handler's own act, never from a
hand-recorded anchor:

* **freeze of other property** (股权, 证券: not money, the process's 划拨 ``asset_kinds``): its confirmed freeze is
  ``FreezeConfirmed(kind=…)`` anchoring ``property_controlled`` like a seal; the lot (``frozen``, class other_right:
  30 / 15 days' notice) is disposed of as below; the transfer (15) ends its freeze — the registry records the frozen
  part (the whole holding, or the part the freeze controlled: the rest stays the debtor's) under the buyer;
* **seal** (查封 / 扣押, node 17): real estate and vehicles found by a query to the registries are sealed through
  the gateway with the registries' seal code (11); the answer — or a later notice that a 轮候 seal took effect — is
  ``FreezeConfirmed(measure="seal")``: node 17 done for that asset (process ``operations``), node 19's and node 20's
  deadlines run from it (``property_controlled``); the seal is renewed (12) before its term ends (不动产 3 years,
  动产 2 years) like a freeze, and released (14) after the transfer;
* **reference price** (nodes 20–22): 网络询价 (three platforms, 3 days, the average) or 委托评估 (30 days) through the
  pricing platform; asking starts node 20; the report (``report_received``) starts node 21; serving it opens the
  5-day objection window (counted by the legal calendar); every objection in it, each party's (``objection_received``,
  ``by``), starts node 22's review of it, 15 days from its own receipt (``Disposal.objection_instance``); at the end
  of the window with no objection pending — or when the review dismisses the last one pending — the price is fixed
  (``reference_price_fixed``: node 20 done, node 23's 10 days with its 督办 start); an upheld objection (the others
  pending to the same report are moot then: their 15 days withdrawn) has a new price asked, and its report goes the
  same way (served, objectable, fixed), nodes 21–22 timed again under the report's own instance (``<asset>#2``…:
  ``Disposal.report_instance``);
* **auction** (nodes 23–27, 29): notifying the parties names the announcement's date (``announcement_scheduled``, node
  24's "3 days before"; every auction round announced — the second, a re-auction after a 悔拍 — is notified under node
  24's own instance, ``Disposal.notice_instance``); listing on the auction platform with the floor, deposit and notice
  the rules require completes node 23 and — the platform publishes the announcement at once — node 25
  (``auction_scheduled``); the result is polled when the bidding ends: 流拍 (``first_unsold``: node 26's 30 days with
  its 督办; ``second_unsold``: node 29's 10 days), or sold; the buyer's payment arrives in the case's 一案一账号
  (``ProceedsArrived``: nodes 32–33 run as for a deduction; ``sale_paid``: node 27's 10 days); the second auction
  (node 26), 以物抵债 (node 29) and 变卖 (node 28, ``creditor_refused`` / ``sale_period_scheduled``) follow the
  platform's answers; a round whose bidding (sale period) has not begun is withdrawn — at a closing by the system, by
  hand with the case open (``withdraw_listing``: 拍卖变卖规定 第二十条 as commonly published, 第二十四条 in some
  sources) — and one whose bidding began runs to its end; a buyer who does not pay (悔拍, ``buyer_defaulted``) has the
  round re-auctioned, and its forfeited deposit reaches the case once the lot's later fate settles
  (``Disposal._settle_forfeits``: a receipt of its own, ``ProceedsArrived`` source ``deposit_forfeited``, nodes 32–33
  as for the price);
* **transfer** (node 30): the confirmation (``sale_confirmed``) starts the ruling's 10 days; the ruling's service
  starts the hand-over's 15 days; the 过户 document goes to the registry (15, naming the seal and the new owner): the
  registry records the property under the buyer (or the creditor who took it in kind) and the seal ends with it
  (``FreezeReleased`` on its answer) — a later query, a 终本 sweep, no longer finds it under the debtor (frozen 股权
  or 证券 sold in part: only the remainder, the debtor's). Where the agency takes no 15 (the agencies' catalogue:
  mock_agencies/data/agencies.yaml ``operations``), or answers without ending the seal, the court releases it
  (14 / 04).

The platforms are reached through a :class:`DisposalPort` (the mock platforms in-process, or over HTTP), and every
call goes through the 查控 gateway (``Gateway.calls``, :mod:`core_flow.gateway.calls`): the gateway's retry policy
(backoff with jitter, Retry-After), circuit breaker and idempotency by request number, its exchange records on the
case (sent, answer, retry_scheduled, rejected, gave_up). A platform that refuses a listing (floor below 70%, notice
too short, a second auction more than 20% cheaper…) raises its located bilingual :class:`UserError` before anything
changes on the court side (the refused attempt is recorded as ``rejected``). A transient fault (:class:`PortFault`)
is retried by the gateway with the same terms (the platforms are idempotent on them), and a result seen twice — a
repeated callback, a poll after a callback — is passed on once by the gateway (``deliver_once``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any, Protocol

from core_flow.engine import Event, EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST, CalendarRangeError, to_cst, years_after
from core_flow.legal_calendar.periods import Period, Policy, Unit
from core_flow.ports import PRICING_PLATFORM, PortFault  # noqa: F401 (re-exported: the port-level types)
from core_flow.protocol import AssetKind, ExistingFreeze, Feedback, Holding, Measure

if TYPE_CHECKING:
    from core_flow.platform.platform import Platform

# What the court seals rather than freezes, and its class for the auction rules and the process's overrides
# (node 25/26/28: real estate and other rights 30/15 days, movables 15/7).
SEALABLE: dict[str, str] = {AssetKind.REAL_ESTATE.value: "real_estate", AssetKind.VEHICLE.value: "movable"}
# What the court freezes and disposes of rather than deducts (the process's 划拨 ``asset_kinds`` say what is money):
# 股权, 证券 holdings, other property rights — "其他财产权" to the auction rules (30 / 15 days, like real estate)
OTHER_RIGHT = "other_right"
DEFAULT_AUCTION_PLATFORM = "taobao"
# Notice periods in whole calendar days, counted by the legal calendar like the platforms count them
# (mock_agencies.platform_periods: the announcement day not counted, no rollover)
ANNOUNCE_DAYS = {"movable": 15, "real_estate": 30, OTHER_RIGHT: 30}  # first auction (网络司法拍卖规定 第十二条)
SECOND_ANNOUNCE_DAYS = {"movable": 7, "real_estate": 15, OTHER_RIGHT: 15}  # second auction / 变卖 (第二十六条; node 28)
SALE_PERIOD_DAYS = 60  # a 变卖's sale period when the court sets none (our choice; the seeds and LAW.md give none)
# The longest a pricing request may run by law — its period and every extension the rules allow, each from the end of
# the one before (参考价规定 (2018), shared/domain/LAW.md "Reference price"; the platform's own periods, counted
# the same way: mock_agencies.platform_periods): 网络询价 3 days and one 3-day extension, 委托评估 30 days and two of
# 15. Past it the platform must have given its result, so a closed case's owed lookup or withdrawal of the request
# stops there (``Disposal._pricing_due``, H53) — nothing is left to withdraw.
PRICING_LONGEST = {"network_inquiry": ("3d", "3d", 1), "appraisal": ("30d", "15d", 2)}
# A reference price's validity (a year) and the grace a second auction or 变卖 has past it: the process's
# ``reference_price`` (node 20; core_flow.model.ReferencePrice).


class DisposalPort(Protocol):
    """The pricing and auction platforms as the court reaches them. Views are JSON-able dicts (as the platforms'
    HTTP API returns them). Refusals raise :class:`UserError` (located, bilingual); transient faults
    :class:`PortFault`."""

    def price(self, *, method: str, request_no: str, court_code: str, case_no: str, asset_id: str,
              asset_kind: str, description: str, now: datetime) -> dict[str, Any]: ...

    def pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]: ...

    def withdraw_pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
        """Withdraw a request with no result yet (the property went in kind by agreement); a result out: refused."""
        ...

    def list(self, *, platform: str, court_code: str, case_no: str, asset_id: str, asset_class: str,
             description: str, valuation_cents: int, starting_price_cents: int, deposit_cents: int,
             bidding_starts: datetime, now: datetime) -> dict[str, Any]: ...

    def relist(self, listing_id: str, *, starting_price_cents: int, deposit_cents: int, bidding_starts: datetime,
               now: datetime) -> dict[str, Any]: ...

    def decide_in_kind(self, listing_id: str, *, accept: bool, now: datetime) -> dict[str, Any]: ...

    def agree_in_kind(self, listing_id: str, *, price_cents: int, now: datetime) -> dict[str, Any]:
        """The lot of a listing closed unsold (流拍, failed 变卖) went to the creditor in kind by agreement at
        ``price_cents``: the listing ends taken in kind."""
        ...

    def start_sale(self, listing_id: str, *, price_cents: int, deposit_cents: int, sale_starts: datetime,
                   sale_ends: datetime, now: datetime) -> dict[str, Any]: ...

    def withdraw_listing(self, listing_id: str, now: datetime) -> dict[str, Any]:
        """撤回拍卖: withdraw a round (first or second auction, 变卖) whose bidding (sale period) has not begun; the
        listing ends ``withdrawn`` — no result, no callback. Withdrawn again: the same view; its bidding begun or the
        round closed: refused (409)."""
        ...

    def listing(self, listing_id: str, now: datetime) -> dict[str, Any]: ...

    def find_pricing(self, request_no: str, now: datetime) -> list[dict[str, Any]]:
        """The pricing request the platform holds under ``request_no`` (none, or one): what the court looks up when
        it never learnt the answer to its request (every answer lost) and the case closed (``Disposal._learn``)."""
        ...

    def find_listings(self, *, platform: str, case_no: str, now: datetime) -> list[dict[str, Any]]:
        """The listings ``platform`` holds for ``case_no`` (all rounds, of every asset of the case): the court looks
        for a round it asked for and never learnt the answer to (``Disposal._learn``)."""
        ...

    def collect(self, listing_id: str, sub_account: str, now: datetime) -> int: ...

    def collect_deposit(self, listing_id: str, sub_account: str, now: datetime) -> int:
        """The deposit forfeited on ``listing_id``'s default (悔拍) into ``sub_account``, once (H56; optional: a port
        without it leaves the deposit with the platform)."""
        raise NotImplementedError

    def next_change(self, now: datetime, ref: str | None = None) -> datetime | None:
        """When the platforms next have something new (an answer, a close), if they can tell; ``None``: unknown (the
        court then looks daily). ``ref``: a pricing request's or listing's id — when that one changes."""
        ...


@dataclass
class Lot:
    """One sealed asset on its way to money (or to the creditor in kind)."""

    case_id: str
    asset: str
    agency: str
    debtor: str
    kind: str  # real_estate | vehicle (sealed) | equity | securities | other (frozen: ``Disposal.frozen``)
    klass: str  # movable | real_estate | other_right (the auction rules' and the process's asset class)
    description: str = ""
    stage: str = "found"  # found sealing sealed pricing reported fixed listed unsold1 relisted unsold2 in_kind
    #                       declined sale sold paid confirmed transferred handed_over unsold
    #                       moved (the seal continues in the 恢复执行 case: ``Disposal.carry_over``)
    #                       withdrawn (its round withdrawn before its bidding began: ``Disposal.withdraw_listing``)
    #                       defaulted (悔拍: the buyer did not pay the balance by its due date — ``buyer_defaulted``;
    #                       re-auctioned by ``Disposal.relist``, taken in kind by agreement, or the case closed)
    pricing_id: str | None = None
    pricing_no: int = 0
    # the pricing request given no answer (method, node 20 instance, request number) — the gateway's retries and the
    # rounds spent: asked again with the same method it keeps its number, so one the platform did take (its answers
    # lost) is not commissioned twice (``price``; review R10); cleared by the platform's answer or a refusal
    unanswered: tuple[str, str, str] | None = None
    # the same for the listing calls, by round (``auction:first``, ``auction:second``, ``auction:sale``): the terms
    # (platform, valuation, price, deposit, the 变卖's period) and the start of one given no answer — asked again on
    # those terms with no start of its own, it keeps its start, so a round the platform took with every answer lost
    # is answered (the platform keys a round's listing on the asset: a new start was refused "already listed with
    # other terms", the round running on the platform unknown to the court — review R10 for the first listing, R12
    # for the later rounds); cleared by the answer or a refusal (``_kept_start``)
    unstarted: dict[str, tuple[tuple[Any, ...], datetime]] = field(default_factory=dict)
    reports: int = 0  # price reports received: the nth one's nodes 21–22 run under ``Disposal.report_instance``
    report_at: datetime | None = None
    reference_price_cents: int | None = None
    valid_until: datetime | None = None  # the reference price's validity (the pricing platform's answer)
    objection_until: datetime | None = None
    objections: list[Objection] = field(default_factory=list)  # to the current report, in the order received
    fixed_at: datetime | None = None
    # the next round's announcement as its notice to the parties planned it (node 24); None: that round not notified
    # yet — set by ``notify_parties``, cleared when the round is listed (the next round is notified anew)
    announce_at: datetime | None = None
    # node 24 notices given (one per auction round announced): the nth one's under ``Disposal.notice_instance``
    # (read with getattr: a lot saved before the field existed has none)
    notices: int = 0
    listing_id: str | None = None
    listings: list[str] = field(default_factory=list)
    round: str = ""  # first | second | sale
    # when the current round's bidding (a 变卖's sale period) begins, as the platform answered (read with getattr: a
    # lot saved before the field existed has none): before it the round may be withdrawn (``withdraw_listing``)
    starts_at: datetime | None = None
    starting_price_cents: int | None = None
    sold_price_cents: int | None = None
    buyer: str | None = None
    registered: bool = False  # the registry recorded the transfer (15): it reports the property as the debtor's no more
    receipt: str | None = None
    confirmed_at: datetime | None = None
    platform: str = ""  # the auction platform of its listings
    requests: dict[str, str] = field(default_factory=dict)  # pricing / listing id → the request number that made it
    act_request: str | None = None  # the request number of the last act answered
    pending: str | None = None  # a handler's act waiting for a platform that faulted (tried again later)
    # the other measures on the property (other courts', other cases'; in effect or 轮候) as its agency last reported
    # them — a query's answer, the answer to the seal or freeze (``Disposal.reported``); None: none reported since found
    measures: tuple[ExistingFreeze, ...] | None = None
    # 悔拍 (H56): each listing of the lot whose buyer defaulted → (the price defaulted on, the forfeited deposit); the
    # deposits asked of the platform, and the receipts they arrived as (``Disposal._settle_forfeits``; read with
    # getattr: a lot saved before the fields existed has none)
    forfeits: dict[str, tuple[int | None, int]] = field(default_factory=dict)
    forfeits_asked: set[str] = field(default_factory=set)
    forfeit_receipts: dict[str, str] = field(default_factory=dict)

    @property
    def objection(self) -> str | None:
        """The current report's objections in sum: ``pending`` (any still under review), ``upheld`` (one was: a new
        price is asked), ``dismissed`` (all reviewed, none upheld), ``None`` (none received)."""
        states = {o.state for o in self.objections}
        return next((s for s in ("pending", "upheld", "dismissed") if s in states), None)


@dataclass
class Objection:
    """One written objection to a lot's current price report (seed 004 节点二十二: "当事人、利害关系人…可以在收到报告后
    五日内提出书面异议"): each party's, each received in the window, is recorded and reviewed on its own, node 22's 15
    days from its own receipt under its own instance (``Disposal.objection_instance``)."""

    by: str
    at: datetime
    instance: str
    state: str = "pending"  # pending | upheld | dismissed | moot (another objection to the report was upheld)


@dataclass
class DisposalStats:
    faults: int = 0  # transient platform faults absorbed (retried)
    rounds: int = 0  # calls made again after the gateway gave up on them (process.yaml node 20 ``platform_retry``)
    duplicates: int = 0  # results seen again and ignored
    polls: int = 0


class Disposal:
    PAYMENT_DAYS = 5  # the buyer pays the balance this long after the hammer (project default, configurable)
    LOOK_DAILY = timedelta(days=1)  # a platform that cannot say when it changes is looked at daily

    def __init__(self, platform: Platform, port: DisposalPort | None = None) -> None:
        self.p = platform
        self.port = port
        self.lots: dict[tuple[str, str], Lot] = {}
        # the same lots by case, in ``lots``' order (a lot replaced keeps its place, as in ``lots``): a closing reads
        # its case's (``_withdraw_at_closing``) without scanning every lot of the court — kept by ``_put``, ``forget``
        self._by_case: dict[str, dict[str, Lot]] = {}
        self.stats = DisposalStats()
        self._receipts = count(1)
        self._pricing_nos = count(1)
        self._call_nos = count(1)
        # a price fixed while node 20 was frozen completes node 20 at its unfreeze (``_fix``, ``_unfrozen``)
        platform.runtime.subscribe(self._unfrozen, (EventKind.UNFREEZE_APPROVED,))
        # a closing withdraws the case's pricing requests still out (``_withdraw_at_closing``)
        platform.runtime.subscribe(self._withdraw_at_closing, (EventKind.CLOSED,))

    # ── helpers ─────────────────────────────────────────────────────────────────────────────────
    @property
    def now(self) -> datetime:
        return self.p.runtime.clock.now()

    def _port(self) -> DisposalPort:
        if self.port is None:
            raise UserError("未配置拍卖与询价平台（DisposalPort）", "no auction / pricing platform port configured",
                            where="disposal.port")
        return self.port

    def lot(self, case_id: str, asset: str) -> Lot:
        lot = self.lots.get((case_id, asset))
        if lot is None:
            raise UserError(f"本案没有待处置的财产 {asset}（须为已查得的不动产或车辆，或已冻结的股权、证券等）",
                            f"no property {asset} to dispose of in this case (real estate or a vehicle found, or "
                            "equity, securities or other property frozen that is not money)",
                            where=f"案件 case {case_id} 财产 asset {asset}")
        return lot

    def _need(self, lot: Lot, stages: tuple[str, ...], zh: str, en: str) -> None:
        if lot.pending is not None:
            raise UserError(f"平台暂时无法受理，{lot.pending} 将自动重试",
                            f"the platform faulted: {lot.pending} is retried",
                            where=f"案件 case {lot.case_id} 财产 asset {lot.asset}", code="platform_retrying")
        if lot.stage == "withdrawn" and lot.stage not in stages:  # review R16: "参考价尚未确定" misled here
            raise UserError(f"{zh}（当前阶段：withdrawn，本轮拍卖已撤回；撤回后重新上拍未建模：可协议以物抵债，"
                            "或解除查封）",
                            f"{en} (stage now: withdrawn — the round was withdrawn; listing it again is not "
                            "modelled: agree in kind, or release the seal)",
                            where=f"案件 case {lot.case_id} 财产 asset {lot.asset}", code="disposal_stage")
        if lot.stage not in stages:
            raise UserError(f"{zh}（当前阶段：{lot.stage}）", f"{en} (stage now: {lot.stage})",
                            where=f"案件 case {lot.case_id} 财产 asset {lot.asset}", code="disposal_stage")

    def _open_for_sale(self, lot: Lot, what_zh: str, what_en: str) -> None:
        """Refuses (``case_closed_disposal``) an act that advances the lot toward a sale once its case is closed.

        Which acts, and why (H34; session 30 found a case closed 执行完毕 whose flats were still notified and listed):
        a closing ends the case's disposal — 执行完毕 and 终结 release the controls (PROCESS.md 第八部分: "release
        controls and coercive measures"), and a 终本 case's property found later is disposed of in the 恢复执行 case
        it must be resumed as (PROCESS.md node 45: "found property ⇒ must resume"; ``carry_over`` moves the sealed
        lot there). So refused on a closed case: the pricing request (node 20, also the new one after an upheld
        objection or a lapse), serving the report (node 21), the review of an objection (node 22: upheld it asks a
        new price, dismissed it fixes the price), the parties' notice (node 24), the listing (23, 25), the second
        auction (26), the creditor's answer in kind (29: either way it starts something, a transfer or a 变卖), the
        agreement in kind (29 item 2: ``agree_in_kind``, it starts a transfer) and the 变卖 (28). The 拍卖变卖规定
        (2004) 第二十条 as published has the court withdraw an auction before it starts where the debtor has paid in
        full or the application is withdrawn — nothing new is started.

        Kept, as what follows a sale already made or ends the disposal: a result of a round already running (its
        流拍 recorded, its sale's proceeds collected: ``_collect``, the engine takes ``ProceedsArrived`` after a
        closing), the confirmation (27), the 过户 and the hand-over (30), releases, the seal of property a 终本
        sweep found (kept in force for the resumption, PROCESS.md 终本: "measures stay in force"), a party's
        objection received (its record: nothing advances), the investigation (19: a finding, not a step to a sale)
        and the withdrawal of a pending pricing request (``withdraw_pricing``: the right act after a closing)."""
        state = self.p.runtime.cases[lot.case_id]
        if state.closed_manner is None:
            return
        manner = self.p.process.manners.get(state.closed_manner)
        name = manner.name if manner is not None else state.closed_manner
        day = to_cst(state.closed_at).date().isoformat() if state.closed_at is not None else "?"
        # why, for this case's own manner (review R15: every refusal said 执行完毕 and 终结 release the controls, and
        # offered a withdrawal no court API takes — the system withdraws pricing still out at the closing itself)
        if manner is not None and manner.releases_for(state.case_type):
            why_zh, why_en = "控制措施已随结案解除", "its controls were released at the closing"
        elif manner is not None and manner.starts_sweep:
            resumed = f"（{state.resumed_as}）" if state.resumed_as else ""
            why_zh = f"控制措施继续有效，终本后查得的财产在恢复执行案件{resumed}中处置"
            why_en = "its controls stay in force; property found after 终本 is disposed of in its 恢复执行 case" + (
                f" ({state.resumed_as})" if state.resumed_as else "")
        else:
            why_zh, why_en = "控制措施继续有效，但不在本案处置", "its controls stay in force but nothing is sold in it"
        raise UserError(f"案件已于 {day} 以「{name}」结案，不能{what_zh}：结案后不再推进财产处置（{why_zh}）",
                        f"the case closed on {day} ({name}, {state.closed_manner}): no {what_en} — a closed case's "
                        f"property is no longer disposed of ({why_en})",
                        where=f"案件 case {lot.case_id} 财产 asset {lot.asset}", code="case_closed_disposal")

    def _submit(self, cmd: c.Command) -> Any:
        return self.p.runtime.submit(cmd)

    def _record(self, lot: Lot, anchor: str, at: datetime | None = None, *, instance: str | None = None,
                **attrs: Any) -> Any:
        return self._submit(c.Record(lot.case_id, anchor, instance or lot.asset, at=at, attrs=attrs))

    def _complete(self, lot: Lot, node: int, instance: str | None = None) -> Any:
        state = self.p.runtime.cases[lot.case_id]
        if state.status(node, instance or lot.asset) == "done":
            return None
        return self._submit(c.CompleteNode(lot.case_id, node, instance or lot.asset))

    @staticmethod
    def report_instance(asset: str, n: int) -> str:
        """The node instance of the ``n``th price report of ``asset`` — its service (node 21) and the review of an
        objection to it (node 22): the asset itself for the first, ``<asset>#n`` for a later one (the new report after
        an upheld objection, or after the price lapsed). Each report is served and objectable (seed 004 节点二十一,
        二十二: every report), so each is timed on its own: the engine arms an item once per instance."""
        return asset if n <= 1 else f"{asset}#{n}"

    def _report_instance(self, lot: Lot) -> str:
        return self.report_instance(lot.asset, lot.reports)

    @classmethod
    def objection_instance(cls, asset: str, n: int, k: int) -> str:
        """The node 22 instance of the ``k``th objection to the ``n``th price report of ``asset``: the report's own
        instance for the first (``report_instance``), ``<asset>#<n>/<k>`` for a later one (``房产#1/2``: the first
        report's second objection) — never a report's instance (``<asset>#<n>``), and under the asset's rounds, so
        what ends the asset's deadlines (``ends_on``) ends its. Each objection is reviewed within 15 days of its own
        receipt (seed 004 节点二十二); the engine arms an item once per instance, so each needs its own."""
        return cls.report_instance(asset, n) if k <= 1 else f"{asset}#{max(n, 1)}/{k}"

    @staticmethod
    def _pending(lot: Lot) -> list[Objection]:
        return [o for o in lot.objections if o.state == "pending"]

    def _later(self, at: datetime, action: Callable[[], None]) -> None:
        self.p.runtime.clock.call_at(max(at, self.now), action)

    @property
    def _pricing_platform(self) -> str:
        return str(getattr(self.port, "pricing_platform", PRICING_PLATFORM))

    def _call(self, lot: Lot, agency: str, purpose: str, call: Callable[[], Any], then: Callable[[Any], None], *,
              act: bool = False, poll: bool = False, request_no: str | None = None, round_: int = 0,
              owed: bool = False, guard: Callable[[], None] | None = None, until: datetime | None = None,
              stop: dict[str, Any] | None = None, keep: bool = False) -> None:
        """One platform call through the gateway (``Gateway.calls``: its retry policy, Retry-After, breaker and
        idempotency by request number). An act is recorded on the case (sent, answer, retry_scheduled, rejected,
        gave_up) under its own request number, which every retry reuses; a poll (``poll``) is a repeatable read and
        is not recorded. ``then`` runs once, on the answer. A refusal (``UserError``) on the first attempt raises to
        the caller at once — nothing changed. ``act``: the lot waits for it (no other act is taken meanwhile).

        Transient faults the gateway's retries did not outlast (it ``gave_up``) are tried again in rounds, on the
        court's clock, with the same request number (process.yaml node 20 ``platform_retry``: ``rounds`` more
        gateway calls, ``after`` × ``factor``^k apart), the lot still waiting; a round is dropped if the lot moved on
        meanwhile (an agreement in kind, the disposal ended). A poll given up is made again at the next daily look
        (it was never made again: a pricing request or listing polled while its platform was down waited for good).
        A refusal on a later attempt, or the rounds spent, is told to the court — ``disposal_refused`` /
        ``disposal_gave_up`` and ``platform_refused`` recorded on the case (``_told_refusal``) — and the handler may
        act again (the same act: ``price`` asks anew). ``owed``: a call no handler's act can make again (the proceeds
        a platform holds for the case: ``_collect``) — told once when the rounds are spent, then made again at every
        daily look, the same request number, until answered or the lot moves on. ``guard``: the act's own check of
        the nodes it passes (frozen: ``NodeFrozenError``), made again before each round — a round that finds one
        frozen is not made and is told as refused (its code ``node_frozen``); the handler asks again once unfrozen.

        A closed case's withdrawal of a round (``_withdraw_if_out``) and its lookups of what a platform holds
        (``_learn``) are owed too (H45, review R18: given up after ~21 h of a platform down, the round stayed announced
        and sold, after its bidding began, property whose seal the closing released): no handler asks them again.
        ``until``: the instant after which an owed call's daily tries stop — the round's bidding began, and it runs to
        its end (拍卖变卖规定 第二十条: withdrawn only before it) — told as given up (``reason`` ``bidding_begun``); or
        a pricing request's longest legal term ended (``_pricing_due``, H53) — told with ``stop`` (its reason
        ``pricing_due`` and the bilingual text). ``keep``: an owed call made again whatever the lot's stage became
        meanwhile (a forfeited deposit: owed to the case whatever the lot's later fate, ``_settle_forfeits``)."""
        request_no = request_no or f"{self.p.court.code}-D{next(self._call_nos):09d}"
        if not poll and round_ == 0:
            self.p._track(request_no, lot.case_id, purpose, lot.debtor, agency, lot.asset)
        if act:
            lot.pending = purpose
        stage = lot.stage

        def invoke() -> Any:
            try:
                return call()
            except PortFault:
                self.stats.faults += 1
                raise

        def done(result: Any) -> None:
            if act:
                lot.pending, lot.act_request = None, request_no
            then(result)

        def refused(err: UserError) -> None:  # refused on a retry: the handler reads it
            if act:
                lot.pending = None
            self._told_refusal(lot, purpose, request_no, "refused", code=err.code, zh=err.zh, en=err.en)

        def gave_up(reason: str) -> None:
            if poll:  # a read: the court looks again at its next daily look, for as long as the lot waits on it
                self.p._notify("disposal_gave_up", case_id=lot.case_id, asset=lot.asset, what=purpose,
                               request_no=request_no, reason=reason, rounds=0)
                self._later(self.now + self.LOOK_DAILY, lambda: again())
                return
            retry = self.p.process.platform_retry
            if round_ < retry.rounds:  # the gateway's retries spent: another round later, the lot still waiting
                at = self.now + retry.wait(round_ + 1)
                self.stats.rounds += 1
                self.p._notify("disposal_retrying", case_id=lot.case_id, asset=lot.asset, what=purpose,
                               request_no=request_no, round=round_ + 1, at=at.isoformat(), reason=reason)
                self._later(at, lambda: again())
                return
            if act:
                lot.pending = None
            if round_ <= retry.rounds:  # (an owed call's later daily tries are not told again)
                self._told_refusal(lot, purpose, request_no, "gave_up", reason=reason, rounds=round_)
            if act and self.p.runtime.cases[lot.case_id].closed_manner is not None:
                # H39: its last round given up after the closing — what may the platform hold? Any act (review R18):
                # one still retrying at the closing kept ``_withdraw_if_out`` from looking up the lot's others
                self._learn(lot)
            if owed:  # review R10: a collection given up was recorded, and nothing collected the proceeds again
                self._later(self.now + self.LOOK_DAILY, lambda: again())

        def again() -> None:
            # moved on meanwhile — the lot (an agreement in kind, the disposal ended) or, for an act or a read, the
            # case: closed (终结, 销案…: its seals released) — nothing to ask. Review R10: a round still fired on a
            # closed case — a pricing request commissioned and node 20 started after 终结 released the seal
            closed = (act or poll) and self.p.runtime.cases[lot.case_id].closed_manner is not None
            if closed and act and purpose in _LEARNT and lot.stage == stage and lot.pending == purpose:
                # a round (review R16) or a pricing request (H39) the platform may have taken, its answers lost: not
                # asked again — one it never took would be made now, on the closed case — but looked up, and
                # withdrawn if it holds it (``_learn``); dropped here, it stayed on the platform (a round announced,
                # the closed case's released property sold; a request priced for nothing)
                lot.pending = None
                self._learn(lot)
                return
            if (lot.stage != stage and not keep) or (act and lot.pending != purpose) or closed:
                if act and lot.pending == purpose:
                    lot.pending = None
                    if closed:  # review R18: the closing's ``_withdraw_if_out`` passed the lot over while this act
                        self._learn(lot)  # (an answer in kind, say) waited — a round given up before is looked up now
                return
            if (until is not None and round_ >= self.p.process.platform_retry.rounds
                    and to_cst(self.now) >= to_cst(until)):  # H45: an owed daily try past the round's start
                self._told_refusal(lot, purpose, request_no, "gave_up", **(stop or {"reason": "bidding_begun"}),
                                   rounds=round_)  # (H53: or past a pricing request's longest legal term)
                return
            if guard is not None:  # review R10: a round made after its node froze (the deadline missed meanwhile)
                try:  # passed the freeze — the pricing commissioned, node 20 refused its start, the lot priced
                    guard()
                except UserError as err:
                    refused(err)
                    return
            self._call(lot, agency, purpose, call, then, act=act, poll=poll, request_no=request_no,
                       round_=round_ + 1, owed=owed, guard=guard, until=until, stop=stop, keep=keep)

        try:
            self.p.gateway.calls.call(agency, request_no, invoke, done, refused=refused, gave_up=gave_up,
                                      repeatable=poll)
        except UserError as err:
            if round_ == 0:  # the handler's own act: refused at once, nothing changed
                if act:
                    lot.pending = None
                raise
            # a later round's first attempt refused (4xx): on the court's clock, no handler to raise to — told like a
            # refusal on a retry (review R10: it raised out of the clock's timer and stopped the run)
            refused(err)

    def _told_refusal(self, lot: Lot, what: str, request_no: str | None, outcome: str, **detail: Any) -> None:
        """A platform call that will not be answered — refused (``outcome`` ``refused``: a 4xx, its code and text) or
        given up (``gave_up``: the gateway's retries and the rounds spent) — told to the court: the notice
        (``disposal_refused`` / ``disposal_gave_up``) and ``platform_refused`` recorded on the case (what, outcome,
        the request number, the code or reason), where the case's events show it. Review R6 (2026-12-07): only the
        notice was given, which nothing kept — the case sat with no price and nothing on it to say why."""
        kind = "disposal_refused" if outcome == "refused" else "disposal_gave_up"
        if outcome == "refused" and detail.get("code") != "node_frozen":  # the platform did not take it
            if lot.unanswered is not None and lot.unanswered[2] == request_no:
                lot.unanswered = None  # a new request when asked again
            self._unstarted(lot).pop(what, None)
        self.p._notify(kind, case_id=lot.case_id, asset=lot.asset, what=what, request_no=request_no, **detail)
        attrs = {k: v for k, v in detail.items() if k in ("code", "reason", "rounds", "zh", "en")}
        self._record(lot, "platform_refused", what=what, outcome=outcome,
                     **({"request_no": request_no} if request_no else {}), **attrs)

    @staticmethod
    def _unstarted(lot: Lot) -> dict[str, tuple[tuple[Any, ...], datetime]]:
        if not hasattr(lot, "unstarted"):  # a lot saved before the field existed
            lot.unstarted = {}
        return lot.unstarted

    def _kept_start(self, lot: Lot, what: str, terms: tuple[Any, ...], starts: datetime, given: bool) -> datetime:
        """The start of the round ``what`` asked on ``terms``: the one asked before, when that call was given no
        answer and this one names no start of its own (``given``) — the platform may hold the round on it."""
        kept = self._unstarted(lot).get(what)
        if not given and kept is not None and kept[0] == terms:
            starts = kept[1]
        self._unstarted(lot)[what] = (terms, starts)
        return starts

    def _once(self, lot: Lot, agency: str, ref: str, result: str, **detail: Any) -> bool:
        """A platform's result passed on once by the gateway (a repeated callback or poll: ``False``)."""
        fresh = self.p.gateway.calls.deliver_once(agency, lot.requests.get(ref, ref), result, detail={
            k: v for k, v in detail.items() if isinstance(v, (str, int, bool))})
        if not fresh:
            self.stats.duplicates += 1
        return fresh

    @staticmethod
    def _time(value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return to_cst(value) if value is not None else None
        return to_cst(datetime.fromisoformat(str(value)))

    def _earliest_start(self, days: int) -> datetime:
        """A default start for bidding or a 变卖 period: 10:00 on the first day after a notice of ``days`` whole
        calendar days counted by the legal calendar (announcement day not counted, no rollover: the platforms'
        rule, mock_agencies.platform_periods)."""
        return _ten_am(self.p.runtime.engine.calendar.deadline(self.now, Period(days, Unit.DAYS), Policy.NATURAL).due)

    def _applies(self, case_id: str, node_no: int, refused_zh: str, refused_en: str, where: str, *, code: str) -> None:
        """Refused (``code``) where the process says node ``node_no`` does not apply to the case (its items'
        overrides: not in a 财产保全 case, whose property is held for the judgment) — read from the data."""
        state = self.p.runtime.cases[case_id]
        node = self.p.process.by_no[node_no]
        if node.applies_for(state.attrs):
            return
        kind, kind_en = (("财产保全案件（保全的财产留待判决生效后执行）",
                          "a property preservation case (财产保全: the property is held for the judgment)")
                         if state.case_type == "preservation"
                         else (f"本类案件（{state.case_type}）", f"this kind of case ({state.case_type})"))
        raise UserError(f"节点{node_no}「{node.name}」不适用于{kind}，{refused_zh}",
                        f"node {node_no} ({node.en}) does not apply to {kind_en}: {refused_en}", where=where, code=code)

    def _check(self, lot: Lot, node: int, what_zh: str, what_en: str) -> None:
        self.p._check_not_frozen(lot.case_id, node, lot.asset, what_zh, what_en)

    # ── found and sealed (node 17) ──────────────────────────────────────────────────────────────
    def found(self, case_id: str, debtor: str, agency: str, holdings: tuple[Holding, ...]) -> None:
        """A registry reported real estate or a vehicle: it is property found, and node 17's control deadline runs
        (48 hours online, 10 days offline)."""
        for h in holdings:
            kind = h.kind.value if hasattr(h.kind, "value") else str(h.kind)
            if kind not in SEALABLE:
                continue
            asset = f"{agency}:{h.account_no}"
            if (case_id, asset) in self.lots and not self._gives_way(self.lots[(case_id, asset)]):
                continue
            self._put(Lot(case_id, asset, agency, debtor, kind, SEALABLE[kind], h.description))
            anchor = "property_found_online" if h.online_controllable else "property_found_offline"
            self._submit(c.Record(case_id, anchor, asset, attrs={"asset_kind": SEALABLE[kind]}))
            self.p._notify("property_found", case_id=case_id, asset=asset, asset_kind=kind, value_cents=h.balance_cents)

    def _put(self, lot: Lot) -> None:
        """``lot`` is its case's lot of its asset (new, or replacing the one before: in its place), in ``lots`` and in
        the index by case (``_by_case``)."""
        self.lots[(lot.case_id, lot.asset)] = lot
        self._by_case.setdefault(lot.case_id, {})[lot.asset] = lot

    def _gives_way(self, lot: Lot) -> bool:
        """Whether the asset found again (a 终本 sweep, a clue) is a new lot: its disposal ended without a sale — the
        变卖 found no buyer — and the seal is no longer held (released, lapsed), so the property is the debtor's and
        uncontrolled again, as a re-frozen 股权 or 证券 is (``frozen``). A lot under disposal, one still sealed after an
        unsold 变卖 (the measure continues after 终本), one continued in the 恢复执行 case (``moved``) stay. One sold
        or taken in kind and handed over: where the registry recorded the transfer (15 answered, ``registered``) it
        no longer reports the property under the debtor, so a report of it is true — the debtor owns it again, a new
        lot; where it did not (an agency that takes no 15), the court's own record counts: the property is the buyer's
        (or the creditor's), whatever the registry reports — a new lot for it would sell it twice. (Frozen 股权, 证券
        found again are frozen anew: ``frozen`` asks the same of their handed-over lot.)"""
        if lot.stage == "handed_over":
            return lot.registered
        if lot.stage != "unsold":
            return False
        measure = self.p.runtime.cases[lot.case_id].assets.get(lot.asset)
        return measure is None or not measure.active or (
            measure.expires_at is not None and to_cst(measure.expires_at) <= to_cst(self.now))

    def seal(self, case_id: str, asset: str) -> str:
        """查封 / 扣押 through the registry (11). Node 17 frozen: refused, nothing sent."""
        lot = self.lot(case_id, asset)
        self._need(lot, ("found",), "该财产已查封或正在查封", "the asset is sealed or being sealed")
        agency, holding, debtor = self.p._asset(case_id, asset)
        self._check(lot, self.p.process.roles.control, "查封（11）", "seal (11)")
        lot.stage = "sealing"
        return self.p._send(case_id, "seal", debtor, agency, Measure.SEAL, asset=asset, account_no=holding.account_no)

    def sealed(self, case_id: str, asset: str, ok: bool, controlled: int) -> None:
        lot = self.lots.get((case_id, asset))
        if lot is None:
            return
        if ok and controlled > 0 and lot.stage in ("found", "sealing"):
            lot.stage = "sealed"
        elif not ok and lot.stage == "sealing":
            lot.stage = "found"  # not sealed (refused, or cannot be sealed online): the handler may try again
        self.p._notify("seal_answered", case_id=case_id, asset=asset, ok=ok, controlled=controlled,
                       stage=lot.stage)

    def frozen(self, case_id: str, asset: str, agency: str, debtor: str, holding: Holding) -> bool:
        """A freeze of property that is not money (股权, 证券, other property rights: the process's 划拨 ``asset_kinds``
        leave it out) took effect: nothing to deduct, it is disposed of like a sealed flat — investigated (node 19),
        priced (node 20), auctioned as an other property right. The lot starts ``sealed`` (controlled); ``False``
        if the asset already has one (more of the same freeze, a 轮候 taking effect)."""
        old = self.lots.get((case_id, asset))
        if old is not None and (old.stage not in _ENDED or (old.stage == "handed_over" and not old.registered)):
            # (a lot whose disposal ended gives way to the new freeze's, a sweep's: unsold, or sold and recorded under
            # the buyer by the registry's 过户 — what it reports now is the debtor's, the remainder of a part sold; one
            # sold where the registry took no 15 stays: what it reports is the buyer's, not to be sold twice)
            return False
        kind = holding.kind.value if hasattr(holding.kind, "value") else str(holding.kind)
        self._put(Lot(case_id, asset, agency, debtor, kind, OTHER_RIGHT, holding.description, stage="sealed"))
        return True

    def forget(self, case_id: str, asset: str) -> None:
        """The lot ``frozen`` made for a freeze the engine then refused."""
        self.lots.pop((case_id, asset), None)
        self._by_case.get(case_id, {}).pop(asset, None)

    def carry_over(self, case_id: str, new_case: str, asset: str) -> None:
        """The 终本 case's seal continues in its 恢复执行 case (``Platform.carry_over``): the lot, sealed (or its seal
        being answered) and not yet on a platform, is the new case's to dispose of; the old case's is ``moved``.

        A lot whose price was reported or fixed in the 终本 case (a court whose process lets 终本 pass property
        still being disposed of: no ``PROPERTY_IN_DISPOSAL`` gate) goes over too, sealed: the 终本 case no longer
        advances it (``_open_for_sale``), and the resumed case, whose nodes 19–20 run from the taken-over seal, asks
        its price anew (review R15: it stayed in the 终本 case, where every act was refused, and the resumed case had
        no lot — "no property to dispose of" — so the flat could be sold in neither). So does one whose round was
        withdrawn at the 终本 before its bidding began (``_withdraw_at_closing``, H36), and one whose rounds ended in
        the 终本 case without a sale (review R26 F5; they stayed there, unsold and unsellable, as a priced one had):
        一拍 or 二拍 流拍 (``unsold1``, ``unsold2``), 以物抵债 refused before a 变卖 (``declined``), the buyer's default
        (``defaulted``, 悔拍) — the resumed case prices it anew and lists a first auction of its own (the 终本 case's
        rounds, on its case number, are over). A deposit forfeited on the lot goes to the case that holds the lot
        when the deposit is asked of the platform (review R28 F10): one forfeited before the 终本 was asked at its
        closing (``_withdraw_if_out`` → ``_settle_forfeits`` ``closed``, asked daily while the platform is down,
        whatever the lot's stage meanwhile) and stays the 终本 case's, paid out there under the price's rules — the
        resumed case's lot carries no forfeit of it (no second remittance, no shortfall reckoned on its sale); one
        forfeited after the resumption, on a round that was bidding at the 终本 (``_follow_resumed``), is not asked
        yet: it goes over with the lot, settled in the 恢复执行 case like a default of its own (the shortfall reckoned
        on the resumed case's sale, 第二十四条: ``_settle_forfeits``). Stay: a lot whose sale was made (sold, paid,
        confirmed, transferred, taken in kind: what follows it is the 终本 case's, ``_open_for_sale``), one whose
        disposal ended (``unsold`` 变卖不成, handed over), and one whose round's bidding was under way at the 终本 or
        whose pricing withdrawal is still unanswered (a round begun runs to its end in the 终本 case; one ending
        without a sale after the resumption — 流拍 or a buyer's default — follows its seal then:
        ``_follow_resumed``, H71)."""
        lot = self.lots.get((case_id, asset))
        if lot is None or lot.stage not in _CARRIED or (new_case, asset) in self.lots:
            return
        moved = Lot(new_case, asset, lot.agency, lot.debtor, lot.kind, lot.klass, lot.description,
                    stage="sealing" if lot.stage == "sealing" else "sealed")
        forfeits = self._forfeits(lot)
        if carried := {lid: v for lid, v in forfeits.items() if lid not in lot.forfeits_asked}:
            # deposits forfeited and not yet asked of the platform (a default after the 终本 case was resumed:
            # ``_follow_resumed``) go with the lot, settled where it is sold now (review R28 F10)
            moved.forfeits, moved.platform = carried, lot.platform
            for lid in carried:
                del forfeits[lid]
        self._put(moved)
        lot.stage = "moved"

    def investigate(self, case_id: str, asset: str) -> Any:
        """调查财产状况 (node 19): title, encumbrances, occupancy, taxes, defects — the handler's finding."""
        lot = self.lot(case_id, asset)
        self._need(lot, _AFTER_SEAL, "财产尚未查封", "the asset is not sealed yet")
        return self._complete(lot, 19)

    # ── reference price (nodes 20–22) ───────────────────────────────────────────────────────────
    def price(self, case_id: str, asset: str, method: str = "network_inquiry") -> None:
        """网络询价 (``network_inquiry``) or 委托评估 (``appraisal``) through the pricing platform; starts node 20."""
        self._method(method)
        lot = self.lot(case_id, asset)
        # a 财产保全 case's property is never priced, open or closed: that reason first (review R15)
        self._applies(case_id, 20, f"不予询价评估、处置：{asset} 保持查封（冻结）",
                      f"no pricing nor sale; {asset} stays sealed (frozen)", f"案件 case {case_id} 财产 asset {asset}",
                      code="disposal_not_applicable")
        self._open_for_sale(lot, "询价评估", "pricing request")
        repricing = lot.stage == "fixed" and self.lapsed(lot) is not None
        self._need(lot, ("fixed",) if repricing else ("sealed",) if lot.objection != "upheld" else ("reported",),
                   "须在查封后（或异议成立后、参考价失效后重新）确定参考价",
                   "the price is asked after the seal (or again after an upheld objection, or once it lapsed)")
        instance = self._pricing_instance(lot, lapsed=repricing)

        def unfrozen() -> None:  # now, and before each later round (``_call`` ``guard``)
            self._check(lot, 20, "询价评估", "a pricing request")
            if instance != asset:  # a new price (after an upheld objection, a lapse): its own node 20 (frozen)
                self.p._check_not_frozen(case_id, 20, instance, "询价评估", "a pricing request")

        unfrozen()
        if repricing:  # the lapsed price is replaced: a new report, served, its own objection window, fixed again
            lot.objection_until = lot.fixed_at = lot.announce_at = None
            lot.objections = []
        lot.pricing_no += 1
        port = self._port()
        if lot.unanswered is not None and lot.unanswered[:2] == (method, instance):
            request_no = lot.unanswered[2]  # asked again: the same request (the platform may have it)
        else:
            if lot.unanswered is not None:  # review R18: an unanswered request replaced (another method) is looked
                # up and withdrawn if the platform took it — it was left there, priced for nothing, its number forgotten
                self._learn_pricing(lot, lot.unanswered[2])
            request_no = f"{self.p.court.code}-P{next(self._pricing_nos):08d}"  # the idempotency key of a retry
        lot.unanswered = (method, instance, request_no)

        def asked(view: dict[str, Any]) -> None:
            lot.pricing_id, lot.stage, lot.unanswered = view["pricing_id"], "pricing", None
            lot.requests[view["pricing_id"]] = request_no
            state = self.p.runtime.cases[case_id]
            if state.closed_manner is not None:  # taken by the platform on a retry after the closing: withdrawn at
                self.withdraw_pricing(case_id, asset)  # once, node 20 not started (``_open_for_sale``)
                return
            # node 20 starts — the new price's own instance after an upheld objection (its `restart` done, `main`'s
            # 30 days from now: process.yaml node 20)
            if state.node(20, instance) is None or state.node(20, instance).started_at is None:
                self._submit(c.StartNode(case_id, 20, instance))
            self._poll_pricing_at(lot, self._time(view["due_at"]))

        try:
            self._call(lot, self._pricing_platform, method, lambda: port.price(
                method=method, request_no=request_no, court_code=self.p.court.code, case_no=case_id[:64],
                asset_id=asset, asset_kind=lot.kind, description=lot.description, now=self.now), asked, act=True,
                request_no=request_no, guard=unfrozen)
        except UserError:  # refused at once: not taken
            lot.unanswered = None
            raise

    def withdraw_pricing(self, case_id: str, asset: str) -> None:
        """撤回询价评估: the pricing request still out (``pricing``, no result yet) is withdrawn through the gateway —
        the court's act once the case closed (``_open_for_sale``: nothing is sold; 拍卖变卖规定 (2004) 第二十条 as
        published: the court withdraws what it commissioned for a sale no longer to be made), taken on an open case
        too. The lot goes back to ``sealed``: a result that comes all the same is ignored (``_pricing_answer``), and
        a 终本 case's seal, still in force, is carried over to its 恢复执行 case as one not under disposal
        (``carry_over``), priced there anew. A platform that refuses the withdrawal (its result already out) is told
        (``disposal_refused``), and the withdrawal stands on the court's side (as ``_tell_platforms``)."""
        lot = self.lot(case_id, asset)
        self._need(lot, ("pricing",), "没有尚未出具结果的询价评估请求可撤回", "no pricing request out to withdraw")
        lot.stage = "sealed"
        self._tell_platforms(lot, "pricing", 0)
        lot.pricing_id = None
        self.p._notify("pricing_withdrawn", case_id=case_id, asset=asset)

    def _withdraw_at_closing(self, e: Event) -> None:
        """The case closed: its pricing requests still out are withdrawn (``withdraw_pricing``) by the system, as it
        releases the controls of a closing that releases them (``Platform._release_all``) — nothing is sold after a
        closing (``_open_for_sale``), and a report would only be ignored. One the platform has not answered yet (its
        call retried) is withdrawn when it answers (``price``'s ``asked``). So is each round listed whose bidding (a
        变卖's sale period) has not begun (``withdraw_listing``, H36): 拍卖变卖规定 (2004) 第二十条 as commonly
        published (some sources number it 第二十四条) — before the auction begins the court withdraws it where the
        application is withdrawn, the debtor has paid in full (执行完毕) or a settlement needs no sale; 第二十一条: a
        stay stops it at once. Every closing: 执行完毕, 终结, 销案, 不予执行, 驳回申请 end the enforcement; 终本 too
        — the bundled 终本 gate (process.yaml ``zhongben_gate``: PROPERTY_IN_DISPOSAL, 终本规定 第一条第（三）项)
        refuses 终本 while a round is listed, so only a court whose process drops that condition closes one 终本
        with a round listed, and its property is then disposed of in the 恢复执行 case as a priced one is
        (``carry_over`` takes the withdrawn lot, sealed; H34, review R15: nothing is sold in the 终本 case); a 保全
        case has none. A round whose bidding began runs to its end (the rule says 拍卖开始前): its sale is honoured,
        its proceeds collected; a round the platform takes on a retry after the closing is withdrawn at once
        (``_listed``). A round or pricing request the court asked for and never learnt the answer to (every answer
        lost: given up for good before the closing, or still retrying at it) is looked up on the platform and
        withdrawn if it holds it (``_learn``, H39) — not asked again, which would make it on the closed case. The
        withdrawals and lookups are owed (H45): a platform down through the gateway's retries and the rounds, they
        are asked again at every daily look until answered, or until the round's bidding begins (``_call``). The
        lot's deadlines for the round end with the closing as every deadline of the case does (engine: closed,
        tokens ended), and the ``listing_withdrawn`` anchor arms none. Reactions run at the clock's next instant,
        never inside the closing itself."""
        for lot in list(self._by_case.get(e.case_id, {}).values()):
            self.p._later(lambda lot=lot: self._withdraw_if_out(lot))

    def _withdraw_if_out(self, lot: Lot) -> None:
        if self.port is not None:  # a forfeited deposit still with the platform: the case's now (H56)
            self._settle_forfeits(lot, "closed")
        if lot.pending is not None or self.port is None:
            return  # (an act still retrying: its next round looks the platform up instead — ``_call``'s ``again``)
        if lot.stage == "pricing":
            self.withdraw_pricing(lot.case_id, lot.asset)
        elif lot.stage in LISTED and not self._begun(lot):
            try:  # owed (H45): given up, asked again daily until answered or the round's bidding begins
                self._withdraw_round(lot, owed=True)
            except UserError as err:  # the platform refused at once (its bidding began after all): the round runs
                self._told_refusal(lot, "auction:withdrawn", None, "refused", code=err.code, zh=err.zh, en=err.en)
        self._learn(lot)

    def _learn(self, lot: Lot) -> None:
        """A closed case's acts that were never answered — a pricing request (``Lot.unanswered``) or a round
        (``Lot.unstarted``) the gateway and the rounds gave up on, every answer lost, or one still retrying at the
        closing — are looked up on the platform (H39): the platform may hold what the court never learnt. A pricing
        request found pending is withdrawn (``pricing:withdrawn``); a round found is taken as listed (``_listed``),
        which on a closed case withdraws it at once if its bidding has not begun (拍卖变卖规定 第二十条) — one begun
        runs to its end as a round begun before the closing does. Looked up, not asked again: the same terms sent
        again would make, on the closed case, a request or a round the platform never took (review R16 asked a
        retrying round again). The lookups go through the gateway like every call (its retries, rounds; recorded on
        the case: ``pricing:lookup``, ``auction:lookup``) and are not repeated once answered: the kept terms are
        dropped; given up, they are asked again daily (owed, H45) — a round's lookup until its bidding begins. A port
        without the lookup (an older interface) is said (``not_supported``), nothing else."""
        if self.port is None:
            return
        if lot.unanswered is not None:
            self._learn_pricing(lot, lot.unanswered[2])
        for what in [w for w in _ROUND_ACTS if w in self._unstarted(lot)]:
            self._learn_round(lot, what)

    def _lookup(self, lot: Lot, agency: str, purpose: str, op: Any, call: Callable[[], Any],
                then: Callable[[Any], None], until: datetime | None = None, stop: dict[str, Any] | None = None) -> None:
        """A lookup of what a platform holds (``_learn``) through the gateway; on a closed case owed (H45): once the
        rounds are spent, asked again daily until answered — a round's until its bidding begins (``until``), a pricing
        request's until its longest legal term ends (H53; told with ``stop``)."""
        if op is None:  # a port of an older interface
            self._told_refusal(lot, purpose, None, "refused", code="not_supported",
                               zh="平台接口不支持按请求查找，未能查明平台是否已受理",
                               en="the platform's port has no lookup: whether it took the request is unknown")
            return
        try:
            self._call(lot, agency, purpose, call, then, owed=self._closed(lot), until=until, stop=stop)
        except UserError as err:  # refused at once: told
            self._told_refusal(lot, purpose, None, "refused", code=err.code, zh=err.zh, en=err.en)

    def _learn_pricing(self, lot: Lot, request_no: str) -> None:
        """The pricing request ``request_no`` looked up (``_learn``; ``price``, when a request of another method
        replaces it — review R18); withdrawn if the platform holds it pending. On a closed case both are owed (H45)
        until the request's longest legal term ends (H53, ``_pricing_due``): the lookup's counted from now — the
        request, if the platform took it, was taken by now, and is not sent again — the withdrawal's from the
        platform's acceptance (the view's ``requested_at``); past it the platform has given its result (nothing is
        left to withdraw) and the court stops, told (``pricing_due``). Before, a platform that never answered was
        asked daily for ever."""
        port = self._port()
        op = getattr(port, "find_pricing", None)
        method = lot.unanswered[0] if lot.unanswered is not None else "appraisal"  # (unknown: the longer term)
        lot.unanswered = None  # looked up once: not asked again (a new price is a new request)
        closed = self._closed(lot)

        def found(views: list[dict[str, Any]]) -> None:
            for view in views:
                pid = str(view.get("pricing_id", ""))
                if (view.get("request_no") != request_no or view.get("court_code") != self.p.court.code
                        or view.get("case_no") != lot.case_id[:64] or view.get("asset_id") != lot.asset):
                    continue  # (another court's under the number — review R18: the platform keys on it alone)
                if str(view.get("status")) not in ("pending", "extended"):
                    continue  # (not found: the platform never took it; its result out: ignored, nothing to withdraw)
                lot.requests[pid] = request_no

                def withdrawn(answer: dict[str, Any], pid: str = pid) -> None:
                    self.p._notify("pricing_withdrawn", case_id=lot.case_id, asset=lot.asset, pricing_id=pid,
                                   learnt=True, status=str(answer.get("status", "")))

                taken = self._time(view.get("requested_at")) or self.now
                until = self._pricing_due(str(view.get("method", method)), taken) if closed else None
                try:
                    self._call(lot, self._pricing_platform, "pricing:withdrawn",
                               lambda pid=pid: port.withdraw_pricing(pid, self.now), withdrawn,
                               owed=closed, until=until,  # H45: on a closed case asked until answered — H53: or
                               stop=self._pricing_stop(until))  # its longest legal term ended
                except UserError as err:  # its result came meanwhile: nothing to withdraw
                    self._told_refusal(lot, "pricing:withdrawn", None, "refused", code=err.code, zh=err.zh,
                                       en=err.en)

        until = self._pricing_due(method, self.now) if closed else None
        self._lookup(lot, self._pricing_platform, "pricing:lookup", op,
                     lambda: op(request_no, self.now), found, until=until, stop=self._pricing_stop(until))

    def _pricing_due(self, method: str, start: datetime) -> datetime | None:
        """The end of the longest legal term of a pricing request by ``method`` taken at ``start``
        (``PRICING_LONGEST``: its period, then each extension from the end of the one before), counted by the legal
        calendar (the starting day not counted, a last day on a rest day rolled to the next working day, ending
        24:00). ``None`` where the calendar cannot count it — a strict calendar without the year it reaches (review
        R25: a closing in the last ~66 days of the data raised in its reaction, the lookup dropped): no stop, the
        owed call asked until answered as before H53, never given up while the platform may still answer."""
        period, extension, times = PRICING_LONGEST.get(method, PRICING_LONGEST["appraisal"])
        calendar = self.p.runtime.engine.calendar
        try:
            due = calendar.deadline(start, Period.parse(period), Policy.CPL).due
            for _ in range(times):  # counted from the last day, which is not counted again
                due = calendar.deadline(due - timedelta(microseconds=1), Period.parse(extension), Policy.CPL).due
        except CalendarRangeError:
            return None
        return due

    @staticmethod
    def _pricing_stop(until: datetime | None) -> dict[str, Any] | None:
        """What the court is told when a closed case's owed pricing lookup or withdrawal stops at ``until``."""
        if until is None:
            return None
        at = to_cst(until).isoformat()
        return {"reason": "pricing_due",
                "zh": f"询价评估请求的法定最长期限（含全部延期：网络询价 3 日并延期 3 日，委托评估 30 日并两次"
                      f"各延期 15 日）已于 {at} 届满，平台应已出具结果、无可撤回，不再查询或撤回；"
                      "结果不予采用（案件已结案）",
                "en": f"the pricing request's longest legal term (every extension included: 网络询价 3 days and 3 "
                      f"more, 委托评估 30 days and two of 15) ended at {at}: the platform must have given its result "
                      "and nothing is left to withdraw — no longer looked up nor withdrawn; a result is ignored (the "
                      "case is closed)"}

    def _learn_round(self, lot: Lot, what: str) -> None:
        """The round ``what`` asked for and never answered, looked up on its platform (``_learn``): the listing of
        the lot's asset in that round (a second auction or 变卖: the one following the lot's current listing) the
        court does not know yet — taken as listed, so withdrawn at once on the closed case (``_listed``)."""
        port = self._port()
        terms, starts = self._unstarted(lot).pop(what)
        round_ = {"auction:first": "first", "auction:second": "second", "auction:sale": "sale"}.get(what, lot.round)
        again = what == "auction:reauction"  # (悔拍: the same round again, following the listing defaulted)
        platform = str(terms[0]) if round_ == "first" and not again else lot.platform or DEFAULT_AUCTION_PLATFORM
        previous = None if round_ == "first" and not again else lot.listing_id
        op = getattr(port, "find_listings", None)
        court, case_no = self.p.court.code, lot.case_id[:64]

        def found(views: list[dict[str, Any]]) -> None:
            for view in views:
                lid = str(view.get("listing_id", ""))
                if (view.get("court_code") != court or view.get("asset_id") != lot.asset
                        or str(view.get("round")) != round_ or view.get("previous_id") != previous
                        or lid in lot.listings):
                    continue
                if lot.stage == _ROUND_FROM[what] and lot.pending is None:  # the lot still where the act left it
                    lot.act_request = None  # (the round's request number unknown: its id keys its results)
                    self._listed(lot, view, round_, platform)
                elif str(view.get("status")) == "announced":  # the lot moved on meanwhile: the round withdrawn only
                    self._withdraw_learnt(lot, platform, lid, round_, self._time(view.get("starts_at")))
                return

        self._lookup(lot, platform, "auction:lookup", op,
                     lambda: op(platform=platform, case_no=case_no, now=self.now), found, until=starts)

    def _withdraw_learnt(self, lot: Lot, platform: str, lid: str, round_: str, starts: datetime | None) -> None:
        """A round found on the platform (``_learn_round``) for a lot that moved on meanwhile (taken in kind, say):
        withdrawn on the platform, the lot left as it is — on a closed case asked until answered or its bidding
        begins (``starts``; H45)."""
        op = getattr(self._port(), "withdraw_listing", None)
        if op is None:
            self._told_refusal(lot, "auction:withdrawn", None, "refused", code="not_supported",
                               zh="平台接口不支持撤回拍卖", en="the platform's port cannot withdraw a listing")
            return

        def withdrawn(answer: dict[str, Any]) -> None:
            self.p._notify("listing_withdrawn", case_id=lot.case_id, asset=lot.asset, listing_id=lid, round=round_,
                           learnt=True, status=str(answer.get("status", "")))

        try:
            closed = self._closed(lot)
            self._call(lot, platform, "auction:withdrawn", lambda: op(lid, self.now), withdrawn, owed=closed,
                       until=starts if closed else None)
        except UserError as err:  # refused at once (its bidding began meanwhile): the round runs
            self._told_refusal(lot, "auction:withdrawn", None, "refused", code=err.code, zh=err.zh, en=err.en)

    def withdraw_listing(self, case_id: str, asset: str) -> None:
        """撤回拍卖 by hand: the lot's round listed — the first auction, the second or the 变卖 — whose bidding (sale
        period) has not begun is withdrawn through the auction platform (``DisposalPort.withdraw_listing``, through
        the 查控 gateway's retries like every call, idempotent). 拍卖变卖规定 (法释〔2004〕16号) 第二十条 as
        commonly published (some sources number it 第二十四条): "在拍卖开始前，有下列情形之一的，人民法院应当撤回
        拍卖委托：…（二）申请执行人及其他执行债权人撤回执行申请的；（三）被执行人全部履行了法律文书确定的金钱债务的；
        （四）当事人达成了执行和解协议，不需要拍卖财产的；…"; 第二十一条: 暂缓 / 中止执行 — the auction stops at
        once. The system does it at a closing (``_withdraw_at_closing``); the court does it by hand where the case
        stays open (执行和解, a stay) or closed. Taken on the platform's answer: the lot ``withdrawn`` (its seal kept;
        an agreement in kind may follow, ``agree_in_kind``; a new round is not offered — our choice, not modelled),
        ``listing_withdrawn`` recorded (it arms no deadline). Refused (``disposal_stage``, nothing sent) with no
        round listed or its bidding begun: the round runs to its end ("拍卖开始前"); a platform that refuses (409:
        it began meanwhile) raises its error."""
        lot = self.lot(case_id, asset)
        self._need(lot, LISTED, "没有在拍卖或变卖中的标的可撤回", "no round listed to withdraw")
        self._withdraw_round(lot)

    def _closed(self, lot: Lot) -> bool:
        return self.p.runtime.cases[lot.case_id].closed_manner is not None

    def _begun(self, lot: Lot) -> bool:
        starts = getattr(lot, "starts_at", None)
        return starts is not None and to_cst(self.now) >= to_cst(starts)

    def _withdraw_round(self, lot: Lot, *, owed: bool = False) -> None:
        """The withdrawal of the lot's round (``withdraw_listing``) through the gateway: not a handler's act the lot
        waits on — a round given up by the gateway is tried again on a closed case too (``_call``: the rounds of an
        act or a poll stop at a closing) and dropped once the lot moved on (its result came). ``owed`` (the closing's,
        ``_withdraw_if_out``; H45): once the rounds are spent, asked again daily until answered or the round's
        bidding begins (``_call`` ``until``) — before, a platform down ~21 h left the round announced for good."""
        where = f"案件 case {lot.case_id} 财产 asset {lot.asset}"
        if self._begun(lot):
            starts = to_cst(lot.starts_at).isoformat() if lot.starts_at is not None else "?"
            what = "变卖期" if lot.round == "sale" else "竞价"
            raise UserError(f"本轮{what}已于 {starts} 开始，不能撤回，本轮进行至结束"
                            "（拍卖开始前方可撤回：拍卖变卖规定 第二十条）",
                            f"this round's {'sale period' if lot.round == 'sale' else 'bidding'} began at {starts}: "
                            "it is not withdrawn and runs to its end (withdrawn only before the auction begins: "
                            "拍卖变卖规定 第二十条)", where=where, code="disposal_stage")
        op = getattr(self._port(), "withdraw_listing", None)
        if op is None:
            raise UserError("平台接口不支持撤回拍卖", "the platform's port cannot withdraw a listing", where=where,
                            code="not_supported")
        lid = lot.listing_id
        assert lid is not None
        self._call(lot, lot.platform or DEFAULT_AUCTION_PLATFORM, "auction:withdrawn", lambda: op(lid, self.now),
                   lambda view: self._listing_withdrawn(lot, lid, view), owed=owed,
                   until=getattr(lot, "starts_at", None) if owed else None)

    def _listing_withdrawn(self, lot: Lot, lid: str, view: dict[str, Any]) -> None:
        """The platform shows the round withdrawn (its answer, or a poll after it was lost): taken once."""
        if str(view.get("status")) != "withdrawn" or lot.listing_id != lid or lot.stage not in LISTED:
            return
        lot.stage = "withdrawn"
        self._record(lot, "listing_withdrawn", listing_id=lid, round=lot.round)
        self.p._notify("listing_withdrawn", case_id=lot.case_id, asset=lot.asset, listing_id=lid, round=lot.round)

    def _pricing_instance(self, lot: Lot, *, lapsed: bool = False) -> str:
        """Node 20's instance of the price being asked: the asset's for the first, the new report's
        (``report_instance``: ``<asset>#n``) after an upheld objection — timed as the first, its 15 days to start
        from the upheld review (process.yaml node 20 ``restart``) — or replacing a lapsed price (``lapsed``): its
        30 days to complete from the platform's acceptance (``main``; no 15 days to start: nothing but the court's
        own decision to sell again orders it — review R10, H25's note: it ran under the asset's instance, done, and
        nothing timed it)."""
        again = lot.objection == "upheld" or lapsed
        return self.report_instance(lot.asset, lot.reports + 1) if again else lot.asset

    @staticmethod
    def _method(method: str) -> None:
        if method not in ("network_inquiry", "appraisal"):
            raise UserError(f"询价方式须为 network_inquiry（网络询价）或 appraisal（委托评估），收到 {method!r}",
                            f"method must be network_inquiry or appraisal, got {method!r}", where="method")

    def _next_look(self, at: datetime | None, ref: str | None) -> datetime:
        """When to look again at ``ref`` (a pricing request, a listing): at ``at`` (a due time), earlier if its
        platform says it changes before, and at least daily; never in the past."""
        now = self.now
        candidates = [now + self.LOOK_DAILY]
        if at is not None:
            candidates.append(at)
        if self.port is not None:
            nxt = self.port.next_change(now, ref)
            if nxt is not None:
                candidates.append(nxt)
        return max(min(candidates), now + timedelta(seconds=1))

    def _poll_pricing_at(self, lot: Lot, at: datetime | None) -> None:
        self._later(self._next_look(at, lot.pricing_id), lambda: self._poll_pricing(lot))

    def _poll_pricing(self, lot: Lot) -> None:
        pid = lot.pricing_id
        if pid is None or lot.stage != "pricing":
            return
        self.stats.polls += 1
        self._call(lot, self._pricing_platform, "pricing", lambda: self._port().pricing(pid, self.now),
                   lambda view: self._pricing_answer(lot, view), poll=True)

    def _pricing_answer(self, lot: Lot, view: dict[str, Any]) -> None:
        if view.get("reference_price_cents") is None:  # extended, or not all answers yet
            self._poll_pricing_at(lot, self._time(view.get("due_at")))
            return
        pid = str(view["pricing_id"])
        if lot.stage != "pricing":
            self.stats.duplicates += 1
            return
        if not self._once(lot, self._pricing_platform, pid, f"pricing:{pid}:completed",
                          reference_price_cents=int(view["reference_price_cents"])):
            return
        at = max(self._time(view.get("completed_at")) or self.now, self.now)  # when the court has it
        lot.reference_price_cents = int(view["reference_price_cents"])
        lot.report_at = at
        lot.valid_until = self._time(view.get("valid_until")) or years_after(
            self._time(view.get("completed_at")) or at, self.p.process.reference_price.valid_years)
        # every report — the new one after an upheld objection too — is a new round: recorded (node 21's 3 days run
        # for it), served, its own 5 days to object, fixed when they end with no objection pending (seed 004 节点二十一:
        # "收到…委托评估…等报告后…发送给当事人"; 节点二十二: "收到报告后五日内提出书面异议"). It was fixed on arrival.
        lot.stage, lot.reports = "reported", lot.reports + 1
        lot.objection_until = None
        lot.objections = []
        self._record(lot, "report_received", at, instance=self._report_instance(lot),
                     reference_price_cents=lot.reference_price_cents)
        self.p._notify("price_reported", case_id=lot.case_id, asset=lot.asset,
                       reference_price_cents=lot.reference_price_cents)

    def serve_report(self, case_id: str, asset: str) -> Any:
        """送达参考价材料 (node 21, the report's instance: ``report_instance``): the parties have the report; their 5
        days to object run from now (the legal calendar)."""
        lot = self.lot(case_id, asset)
        self._open_for_sale(lot, "送达参考价报告", "service of the price report")
        self._need(lot, ("reported",), "尚未收到询价或评估报告", "no price report received yet")
        if lot.objection_until is not None:
            raise UserError("报告已送达", "the report was already served",
                            where=f"案件 case {case_id} 财产 asset {asset}")
        self._check(lot, 21, "送达参考价材料", "the service of the price report")  # refused: no window starts
        out = self._complete(lot, 21, self._report_instance(lot))
        period = Period.parse("5d")
        lot.objection_until = self.p.runtime.engine.calendar.deadline(self.now, period).due
        served = lot.reports  # the window of this report: a later round's report is not fixed by it
        self._later(lot.objection_until, lambda: self._window_closed(lot, served))
        return out

    def object(self, case_id: str, asset: str, by: str = "被执行人") -> Any:
        """A party or 利害关系人 objects to the reference price within 5 days of receiving the report: every objection
        in the window is received and recorded (``objection_received``, ``by``), whether another is pending or was
        dismissed — the seed gives each of them the right (seed 004 节点二十二) — and each starts node 22's 15 days
        from its own receipt under its own instance (``objection_instance``: the report's for the first, as before;
        ``<asset>#<n>/<k>`` for the kth). One after the 5 days is refused (``objection_late``). Review R6 2026-12-07:
        a second one was refused while the first was pending ("已有异议在审查中"), and one after a dismissal was taken
        with no deadline (node 22 of the report's instance was done). One to a report an upheld objection set aside
        (its window still open, a new price being asked) is refused ``disposal_stage``: nothing left to review — the
        objections pending then are moot (``review_objection``); review R10: it was taken, and upheld, it recorded
        ``repricing_ordered`` again and moved the new price's 15 days (node 20 ``restart``) later."""
        lot = self.lot(case_id, asset)
        where = f"案件 case {case_id} 财产 asset {asset}"
        if lot.objection_until is not None and self.now >= lot.objection_until:
            raise UserError(f"异议期已届满（{lot.objection_until.isoformat()}），不予受理",
                            f"the 5-day objection period ended at {lot.objection_until.isoformat()}", where=where,
                            code="objection_late")
        self._need(lot, ("reported",), "没有可异议的参考价报告", "no price report to object to")
        if lot.objection_until is None:
            raise UserError("报告尚未送达当事人", "the report has not been served on the parties", where=where)
        if lot.objection == "upheld":  # review R10: taken, and upheld again, it re-armed the new price's 15 days
            raise UserError("该报告已因异议成立而撤销，正在重新询价评估：可对新报告在其送达后五日内提出异议",
                            "the report was set aside by an upheld objection and a new price is being asked: object "
                            "to the new report within 5 days of its service", where=where, code="disposal_stage")
        instance = self.objection_instance(lot.asset, lot.reports, len(lot.objections) + 1)
        out = self._record(lot, "objection_received", instance=instance, by=by)
        if out.accepted:  # a refused record (e.g. the filing node frozen) leaves the lot as it was
            lot.objections.append(Objection(by, self.now, instance))
        return out

    def review_objection(self, case_id: str, asset: str, upheld: bool, method: str = "appraisal",
                         objection: int | None = None) -> Any:
        """参考价异议审查 (node 22) of one objection — the earliest received still pending, or the ``objection``th to
        the current report — completing node 22 of its instance. Dismissed: the price stands; it is fixed now if the
        window has closed and no other objection is pending (else when the window closes, or at the last dismissal).
        Upheld: a new price is asked (委托评估 by default), and its report goes the way of the first: served (node 21),
        objectable within 5 days (node 22), fixed when they end with none pending or the last is dismissed. The other
        objections to the same report still pending are moot (``moot``): the report they attack is set aside, and
        their 15 days are withdrawn (``deadline_withdrawn`` by ``objection_upheld``, process.yaml node 22 ends_on) —
        one already missed stays missed. An objection to the new report may be upheld again: another round, each
        timed (the seed sets no limit; our choice)."""
        lot = self.lot(case_id, asset)
        where = f"案件 case {case_id} 财产 asset {asset}"
        pending = self._pending(lot)
        self._open_for_sale(lot, "审查参考价异议（成立须重新询价，驳回即确定参考价）",
                            "review of the price objection (upheld it asks a new price, dismissed it fixes the price)")
        if not pending:
            raise UserError("没有待审查的异议", "no objection under review", where=where)
        if objection is None:
            target = pending[0]
        elif 1 <= objection <= len(lot.objections) and lot.objections[objection - 1].state == "pending":
            target = lot.objections[objection - 1]
        else:
            raise UserError(f"第{objection}项异议不在审查中（待审查：{len(pending)}项）",
                            f"objection {objection} is not under review ({len(pending)} pending)", where=where)
        self._check(lot, 22, "异议审查结果", "the objection's review")
        if upheld:  # the new price is asked at once: what would refuse it refuses the review before anything changes
            self._method(method)
            self._port()
            self._check(lot, 20, "询价评估", "a pricing request")
        out = self._complete(lot, 22, target.instance)
        target.state = "upheld" if upheld else "dismissed"
        if upheld:
            for other in self._pending(lot):
                other.state = "moot"
            # the asset's: the moot objections' 15 days end (process.yaml node 22 ends_on)
            self._record(lot, "objection_upheld")
            # the new price is due: node 20's 15 days to ask it run under the new report's instance (`restart`)
            self._record(lot, "repricing_ordered", instance=self._pricing_instance(lot), method=method)
            try:
                self.price(case_id, asset, method)
            except UserError as err:  # the platform refused the new request: the review stands; told, asked again
                self._told_refusal(lot, method, None, "refused", code=err.code, zh=err.zh, en=err.en)
        elif not self._pending(lot) and lot.objection_until is not None and self.now >= lot.objection_until:
            self._fix(lot)
        return out

    def _window_closed(self, lot: Lot, served: int) -> None:
        """The report's 5 days are over: fixed if none of its objections is pending (nor upheld) — and the case is
        open: a closed case's price is not fixed, nothing is sold (``_open_for_sale``)."""
        if self.p.runtime.cases[lot.case_id].closed_manner is not None:
            return
        if lot.reports == served and lot.stage == "reported" and lot.objection in (None, "dismissed"):
            self._fix(lot)

    def _fix(self, lot: Lot) -> None:
        """确定参考价: node 20 done, node 23's 10 days (督办 when late) start."""
        lot.stage, lot.fixed_at = "fixed", self.now
        self._record(lot, "reference_price_fixed", reference_price_cents=lot.reference_price_cents)
        # node 20 frozen (its 30 days missed: a report served late, its window closing after them) is not passed
        # ("不得流转下一节点" until the 中院执行局长's unfreeze): completed then (``_unfrozen``) — completing it now was
        # refused NODE_FROZEN, and nothing tried again
        self._complete_price(lot)
        self.p._notify("price_fixed", case_id=lot.case_id, asset=lot.asset,
                       reference_price_cents=lot.reference_price_cents)

    def _price_instances(self, lot: Lot) -> list[str]:
        """Node 20's instances the fixed price completes: those of the new prices asked after upheld objections
        (``<asset>#n``, started: the current report's and those of reports set aside since — the price is
        determined now for all of them), then the asset's."""
        state = self.p.runtime.cases[lot.case_id]
        rounds = [self.report_instance(lot.asset, n) for n in range(2, lot.reports + 1)]
        return [i for i in rounds if (ns := state.node(20, i)) is not None and ns.started_at is not None] + [lot.asset]

    def _blocked(self, lot: Lot, node: int, instance: str | None = None) -> bool:
        state = self.p.runtime.cases[lot.case_id]
        return bool(self.p.runtime.engine.blocking_nodes(state, node, instance or lot.asset))

    def _unfrozen(self, e: Event) -> None:
        """An unfreeze approved (the last level's): a lot whose price was fixed while node 20 was frozen has node 20
        completed now that nothing holds it (``_fix``)."""
        lot = self.lots.get((e.case_id, (e.instance or "").split("#")[0]))
        if lot is None or lot.fixed_at is None:
            return
        self._complete_price(lot)

    def _complete_price(self, lot: Lot) -> None:
        """Node 20 of each instance the fixed price completes (``_price_instances``) that no frozen node holds: a
        frozen one is completed at its unfreeze (``_unfrozen``)."""
        for instance in self._price_instances(lot):
            if not self._blocked(lot, 20, instance):
                self._complete(lot, 20, instance)

    # ── auction (nodes 23–27, 29) and 变卖 (node 28) ────────────────────────────────────────────
    def lapsed(self, lot: Lot, grace_months: int = 0) -> datetime | None:
        """When the lot's reference price ceased to be valid (plus ``grace_months``), if it has by now; ``None``
        while it is valid (or unknown: a price fixed before its validity was kept)."""
        if lot.valid_until is None:
            return None
        until = lot.valid_until
        if grace_months:
            until = self.p.runtime.engine.calendar.deadline(until, Period(grace_months, Unit.MONTHS),
                                                            Policy.NATURAL).due
        return until if self.now > until else None

    def _need_valid_price(self, lot: Lot, what_zh: str, what_en: str, grace_months: int = 0) -> None:
        """Refuses ``what`` when the reference price has lapsed (参考价规定 (2018): valid 1 year; LAW.md)."""
        lapsed = self.lapsed(lot, grace_months)
        if lapsed is None:
            return
        assert lot.valid_until is not None
        valid = to_cst(lot.valid_until).date().isoformat()
        if grace_months:
            zh = (f"参考价有效期至 {valid}，{what_zh}已超过有效期 {grace_months} 个月（至 "
                  f"{to_cst(lapsed).date().isoformat()}），须重新确定参考价后重新启动处置")
            en = (f"the reference price was valid until {valid}; {what_en} comes more than {grace_months} months "
                  f"after that (until {to_cst(lapsed).date().isoformat()}): a new reference price is needed and the "
                  "disposal started again")
        else:
            zh = f"参考价有效期至 {valid}，已失效，不能{what_zh}：请重新确定参考价（询价或评估）后再上拍"
            en = (f"the reference price was valid until {valid} and has lapsed: no {what_en} — fix a new reference "
                  "price (ask the pricing platform again) first")
        raise UserError(zh, en, where=f"案件 case {lot.case_id} 财产 asset {lot.asset}", code="reference_price_lapsed")

    def notify_parties(self, case_id: str, asset: str, announce_at: datetime | None = None) -> Any:
        """网络司法拍卖事项通知 (node 24): the parties and known pre-emption holders are told; the announcement is
        planned for ``announce_at`` (default: 3 days from now), from which node 24's "3 days before" counts.

        Every auction round announced is notified (H71): the first auction (the price fixed), the second (node 26,
        after the first 流拍) and a re-auction after a buyer's default (悔拍) of either — 网络司法拍卖规定 (2016)
        第十六条 (LAW.md, confirmed: "notified 3 days before the announcement"), as commonly published "网络司法拍卖的
        事项应当在拍卖公告发布三日前…通知当事人和已知优先购买权人", reads for each 拍卖公告, and each round has its own
        (第十二条, 第二十六条; 第二十四条 重新拍卖). Each round's notice is timed on its own, under node 24's instance
        ``notice_instance`` (the asset for the first, ``<asset>#n`` for the nth): the engine arms an item once per
        instance. A round listed with no notice of its own has node 24's deadline counted from the listing (the
        platform publishes the announcement at once): missed. A 变卖 (node 28) is not a 拍卖: no notice here (its
        own announcement is node 28's); one re-auctioned after a 悔拍 is refused ``disposal_stage``. Notified again
        before its round is listed, the same round's notice is re-planned under the same instance (no new
        deadline). A round announced with no notice (missed) is notified by the next call, late, whatever the lot's
        stage (``_missed_notice``); where a new round is to be announced (the price fixed, a 流拍, a 悔拍 of an
        auction round) the same call is that round's notice too — the parties told of the round to come are told
        of it in time, not charged with the old round's miss (review R28: the old round's late notice took the call,
        and the new round listed 3 days later was recorded missed as well). process.yaml node 24 says the same."""
        lot = self.lot(case_id, asset)
        self._open_for_sale(lot, "通知当事人拍卖事项", "notice of the auction to the parties")
        missed = self._missed_notice(lot)
        if missed is not None:  # the last round was announced with no notice: given now, late (whatever the stage)
            late = self._complete(lot, 24, missed)
            if lot.stage not in ("fixed", "unsold1", "defaulted") or (lot.stage == "defaulted" and lot.round == "sale"):
                return late  # no new round to announce (the round still bidding, or a 变卖 next): that notice only
        if lot.stage == "defaulted" and lot.round == "sale":
            raise UserError("变卖不是拍卖，无须网络司法拍卖事项通知（节点二十四）；变卖公告为节点二十八",
                            "a 变卖 is not an auction: no notice of the auction (node 24) — its announcement is "
                            "node 28's", where=f"案件 case {lot.case_id} 财产 asset {lot.asset}",
                            code="disposal_stage")
        self._need(lot, ("fixed", "unsold1", "defaulted"),
                   "参考价尚未确定，或没有待公告的拍卖轮次（一拍、流拍后的二拍、悔拍后的重新拍卖）",
                   "the reference price is not fixed yet, or no auction round is to be announced (the first, the "
                   "second after a 流拍, a re-auction after a default)")
        if lot.announce_at is None:  # a new round's notice
            lot.notices = self._notices(lot) + 1
        lot.announce_at = to_cst(announce_at) if announce_at is not None else self.now + timedelta(days=3)
        instance = self.notice_instance(lot.asset, lot.notices)
        ns = self.p.runtime.cases[lot.case_id].node(24, instance)
        if (ns is None or str(ns.status) != "done") and self.now > self._notice_due(lot.announce_at):
            # planned less than 3 days ahead (by 24:00 of the third day before): given late — before, the engine,
            # arming the deadline and completing it in one instant, recorded it on time (review R28 F9)
            self._record(lot, "announcement_scheduled", lot.announce_at, instance=instance, notice_late=True)
            self._give_late(lot, instance)
            return None
        self._record(lot, "announcement_scheduled", lot.announce_at, instance=instance)
        return self._complete(lot, 24, instance)

    def _notice_due(self, announced: datetime) -> datetime:
        """The last instant node 24's notice may be given for an announcement published at ``announced``: 3 days
        before it (the process's node 24 item, counted backward by the legal calendar: by 24:00 of the day 3 days
        before the announcement's)."""
        item = next(it for it in self.p.process.by_no[24].items if it.key == "main")
        return self.p.runtime.engine.calendar.latest_before(announced, item.period)

    def _give_late(self, lot: Lot, instance: str) -> None:
        """Node 24's notice under ``instance``, whose deadline (``announcement_scheduled`` just recorded) passed
        before now, given now — late: completed a second on, once the engine's timers of this instant have recorded
        its deadline missed (an item done in the instant it is armed is not judged late: the engine's ``late`` is
        its expiry having fired)."""
        self._later(self.now + timedelta(seconds=1), lambda: self._complete(lot, 24, instance))

    @staticmethod
    def notice_instance(asset: str, n: int) -> str:
        """Node 24's instance of the ``n``th notice of ``asset`` (``notify_parties``; one per auction round, and one
        more for a round listed before its notice's planned date and told too late, ``_announced``: ``n`` counts
        notices, not rounds): the asset for the first, ``<asset>#n`` for a later one — under the asset's rounds, so
        what ends the asset's deadlines (``ends_on``) ends its."""
        return asset if n <= 1 else f"{asset}#{n}"

    @staticmethod
    def _notices(lot: Lot) -> int:
        return int(getattr(lot, "notices", 0) or 0)

    def _missed_notice(self, lot: Lot) -> str | None:
        """The node 24 instance of the last round announced with no notice of its own (``_announced``), not given
        since: ``notify_parties`` gives it first — late — so a court that forgot it can still tell the parties, and
        the asset's disposal is not held open by it for good (the 终本 gate's PROPERTY_IN_DISPOSAL counts a node
        with work open). None: every round announced was notified."""
        n = self._notices(lot)
        if n < 1 or lot.announce_at is not None:
            return None
        instance = self.notice_instance(lot.asset, n)
        ns = self.p.runtime.cases[lot.case_id].node(24, instance)
        return instance if ns is not None and ns.items and str(ns.status) != "done" else None

    def _announced(self, lot: Lot) -> None:
        """An auction round listed — its announcement published at once: the round's notice (node 24) is used up.
        A round not notified has node 24's "3 days before" counted from now (``announcement_scheduled`` at the
        listing: missed) under its own instance; the next round is notified anew.

        The listing is the announcement in fact (review R28 F9): listed before the date its notice planned, the
        round's notice counts from the listing. Given in time for it (by 24:00 three days before), it stands; given
        later, the announcement published now had no notice 3 days before it — before, the notice counted on time
        against the planned date. The engine judged that notice when it was given (done on time for the plan) and
        does not judge a done item again, so the announcement in fact is timed as a round announced with no notice
        of its own, under the round's next instance (``announcement_scheduled`` at the listing, its deadline past:
        missed) and given at once, late — the parties were told, too late. Node 24 then counts two deadlines for the
        round, the plan's (met) and the listing's (missed): the miss is what the review asked to see. A notice late
        for its own plan (planned less than 3 days ahead: ``notice_late``) is late for an earlier listing too: its
        miss is the round's, no second instance (review R30: it was counted missed twice)."""
        if lot.announce_at is None:
            lot.notices = self._notices(lot) + 1
            self._record(lot, "announcement_scheduled", self.now, instance=self.notice_instance(lot.asset,
                                                                                              lot.notices))
        elif self.now < lot.announce_at:  # listed before the planned announcement
            ns = self.p.runtime.cases[lot.case_id].node(24, self.notice_instance(lot.asset, self._notices(lot)))
            given = ns.done_at if ns is not None and str(ns.status) == "done" else None
            item = ns.items.get("main") if ns is not None else None
            # the plan's notice itself late (a short notice, _give_late): the round's miss is counted there already
            late = item is not None and (item.overdue or (not item.done and item.due <= self.now))
            if not late and (given is None or given > self._notice_due(self.now)):  # not 3 days before the listing
                lot.notices = self._notices(lot) + 1
                instance = self.notice_instance(lot.asset, lot.notices)
                self._record(lot, "announcement_scheduled", self.now, instance=instance, planned=lot.announce_at)
                self._give_late(lot, instance)
        lot.announce_at = None

    def list(self, case_id: str, asset: str, *, platform: str = DEFAULT_AUCTION_PLATFORM, start_pct: int = 70,
             starting_price_cents: int | None = None, deposit_pct: int = 10, deposit_cents: int | None = None,
             bidding_starts: datetime | None = None) -> None:
        """启动拍卖 (node 23) and 发布拍卖公告 (node 25): the first auction on the platform, at the reference price as
        valuation. The platform checks the floor (70%), the deposit (5%–20%) and the notice (15 / 30 days)."""
        lot = self.lot(case_id, asset)
        self._open_for_sale(lot, "上拍", "listing")
        self._need(lot, ("fixed",), "参考价尚未确定，不能上拍", "the reference price is not fixed: nothing to list")
        self._need_valid_price(lot, "上拍（发布一拍公告）", "first auction (its announcement)")
        self.p.directory.get(platform)

        def unfrozen() -> None:  # now, and before each later round (``_call`` ``guard``)
            self._check(lot, 23, "拍卖上拍", "a listing")
            for instance in self._price_instances(lot)[:-1]:  # the new price's node 20 (frozen: not passed)
                self.p._check_not_frozen(case_id, 20, instance, "拍卖上拍", "a listing")

        unfrozen()
        valuation = int(lot.reference_price_cents or 0)
        start = starting_price_cents if starting_price_cents is not None else -(-valuation * start_pct // 100)
        deposit = deposit_cents if deposit_cents is not None else -(-start * deposit_pct // 100)
        starts = (to_cst(bidding_starts) if bidding_starts is not None
                  else self._earliest_start(ANNOUNCE_DAYS[lot.klass]))
        starts = self._kept_start(lot, "auction:first", (platform, valuation, start, deposit), starts,
                                  bidding_starts is not None)
        port = self._port()

        def listed(view: dict[str, Any]) -> None:
            self._unstarted(lot).pop("auction:first", None)
            self._announced(lot)  # no notice to the parties before: node 24's "3 days before" counts from now
            self._listed(lot, view, "first", platform)
            self._complete(lot, 23)
            self._record(lot, "auction_scheduled", self._time(view["starts_at"]), asset_kind=lot.klass,
                         **self._terms(view, start, deposit))
            self._complete(lot, 25)

        try:
            self._call(lot, platform, "auction:first", lambda: port.list(
                platform=platform, court_code=self.p.court.code, case_no=case_id[:64], asset_id=asset,
                asset_class=lot.klass, description=lot.description, valuation_cents=valuation,
                starting_price_cents=start, deposit_cents=deposit, bidding_starts=starts, now=self.now),
                listed, act=True, guard=unfrozen)  # a refusal raises here: nothing changed (recorded as rejected)
        except UserError:  # refused at once: not taken
            self._unstarted(lot).pop("auction:first", None)
            raise

    @staticmethod
    def _terms(view: dict[str, Any], start: int | None = None, deposit: int | None = None) -> dict[str, int]:
        """A round's terms as its ``*_scheduled`` anchor records them (review R26 F4): the starting price (a 变卖's
        price) and the deposit the platform answered it listed with — else those the court asked for. A recorded
        scenario lists the round at that price (``scenarios.record``: the step's ``start:``), so its replay's deposit,
        forfeited on a 悔拍, is the log's — not a share of the replay's own reference price."""
        terms = {"starting_price_cents": view.get("starting_price_cents", start),
                 "deposit_cents": view.get("deposit_cents", deposit)}
        return {k: int(v) for k, v in terms.items() if v is not None}

    def _listed(self, lot: Lot, view: dict[str, Any], round_: str, platform: str) -> None:
        lot.listing_id, lot.round, lot.stage = view["listing_id"], round_, "listed" if round_ == "first" else (
            "relisted" if round_ == "second" else "sale")
        lot.starting_price_cents = int(view["starting_price_cents"])
        lot.starts_at = self._time(view.get("starts_at"))
        lot.listings.append(lot.listing_id)
        lot.platform = platform or lot.platform
        if lot.act_request is not None:
            lot.requests[lot.listing_id] = lot.act_request
        self.p._notify("listed", case_id=lot.case_id, asset=lot.asset, listing_id=lot.listing_id, round=round_,
                       starts_at=view["starts_at"], starting_price_cents=lot.starting_price_cents)
        self._poll_listing_at(lot, lot.listing_id, self._time(view["ends_at"]))
        if self.p.runtime.cases[lot.case_id].closed_manner is not None:  # taken by the platform on a retry after the
            self.p._later(lambda: self._withdraw_if_out(lot))  # closing: withdrawn at once (``_withdraw_at_closing``)

    def _poll_listing_at(self, lot: Lot, listing_id: str, at: datetime | None) -> None:
        self._later(self._next_look(at + timedelta(seconds=1) if at else None, listing_id),
                    lambda: self._poll_listing(lot, listing_id))

    def _poll_listing(self, lot: Lot, listing_id: str) -> None:
        self.stats.polls += 1
        self._call(lot, lot.platform or DEFAULT_AUCTION_PLATFORM, "listing",
                   lambda: self._port().listing(listing_id, self.now),
                   lambda view: self.on_result(lot.case_id, lot.asset, view), poll=True)

    _RESULTS = frozenset({"pricing.completed", "auction.sold", "auction.failed", "sale.sold", "sale.failed",
                          "auction.buyer_defaulted", "sale.buyer_defaulted"})

    def receive(self, payload: dict[str, Any]) -> bool:
        """A result a platform posted (callback): the pricing request or listing it names is looked at now — the
        platform's own view is what counts, so a repeated or reordered callback changes nothing (acted on once).
        Returns whether it concerns a lot of this court."""
        lot = next((x for x in self.lots.values()
                    if x.case_id[:64] == payload.get("case_no") and x.asset == payload.get("asset_id")), None)
        if lot is None or payload.get("court_code") not in (None, self.p.court.code):
            return False
        if payload.get("event") not in self._RESULTS:
            return True  # an extension notice and the like: nothing to act on
        if payload.get("pricing_id") and payload["pricing_id"] == lot.pricing_id and lot.stage == "pricing":
            self._poll_pricing(lot)
        elif payload.get("listing_id") and payload["listing_id"] == lot.listing_id:
            self._poll_listing(lot, payload["listing_id"])
        else:
            self.stats.duplicates += 1
        return True

    def on_result(self, case_id: str, asset: str, view: dict[str, Any]) -> None:
        """A listing's state, polled or posted by callback: acted on once per listing and outcome."""
        lot = self.lots.get((case_id, asset))
        if lot is None:
            return
        status, lid = str(view["status"]), str(view["listing_id"])
        if status in ("announced", "bidding"):
            self._poll_listing_at(lot, lid, self._time(view.get("ends_at")))
            return
        if status == "withdrawn":  # the court's own withdrawal, its answer lost: taken from the platform's view
            self._listing_withdrawn(lot, lid, view)
            return
        if status == "defaulted":  # 悔拍: told by the notice, or the remittance refused (``_collect``)
            self._defaulted(lot, lid, view)
            return
        if lid != lot.listing_id:
            self.stats.duplicates += 1
            return
        if not self._once(lot, str(view.get("platform") or lot.platform), lid, f"{lid}:{status}", status=status):
            return
        at = self._time(view.get("closed_at")) or self.now
        if status == "sold":
            lot.stage, lot.sold_price_cents, lot.buyer = "sold", int(view["sold_price_cents"]), view.get("buyer_id")
            self.p._notify("sold", case_id=case_id, asset=asset, listing_id=lid, price_cents=lot.sold_price_cents)
            self._later(at + timedelta(days=self.PAYMENT_DAYS), lambda: self._collect(lot))
        elif status == "failed" and lot.round == "first":
            lot.stage = "unsold1"
            self._record(lot, "first_unsold", at)
            self.p._notify("unsold", case_id=case_id, asset=asset, listing_id=lid, round="first")
            self._follow_resumed(lot)
        elif status == "failed" and lot.round == "second":
            lot.stage = "unsold2"
            self._record(lot, "second_unsold", at)
            self.p._notify("unsold", case_id=case_id, asset=asset, listing_id=lid, round="second")
            self._follow_resumed(lot)
        elif status == "failed":  # 变卖 found no buyer in its period
            lot.stage = "unsold"
            self._complete(lot, 28)  # the 变卖 ended unsold: the engine's 终本 gate reads the disposal as ended
            self.p._notify("unsold", case_id=case_id, asset=asset, listing_id=lid, round="sale")
            self._settle_forfeits(lot, "unsold")

    def _collect(self, lot: Lot) -> None:
        """The buyer paid in full: the price is in the case's 一案一账号 (``ProceedsArrived``), nodes 32–33 run, and
        node 27 (or, for 变卖, the sale's end) follows. A buyer who did not pay (悔拍): the platform refuses the
        remittance (409); the court reads the listing — ``defaulted``: taken as the default (``_defaulted``: the
        owed collection stops); still ``sold``, its balance not yet due (an announcement's term longer than
        ``PAYMENT_DAYS``): collected again at the due date."""
        if lot.receipt is not None or lot.listing_id is None or lot.stage == "defaulted":
            return
        sub = self.p._sub_account(lot.case_id)
        lid = lot.listing_id

        def remit() -> Any:
            port = self._port()
            try:
                return port.collect(lid, sub, self.now)
            except UserError as err:
                if err.code != "conflict":
                    raise
                view = port.listing(lid, self.now)  # why: a buyer who did not pay, or not yet due
                due = self._time(view.get("balance_due_at"))
                if str(view.get("status")) == "defaulted" or (
                        str(view.get("status")) == "sold" and due is not None and to_cst(due) > to_cst(self.now)):
                    return view
                raise

        def arrived(amount: int | dict[str, Any]) -> None:
            if isinstance(amount, dict):  # the remittance refused: the listing says why
                if str(amount.get("status")) == "defaulted":
                    self._defaulted(lot, lid, amount)
                else:
                    due = self._time(amount.get("balance_due_at")) or self.now + self.LOOK_DAILY
                    self._later(due + timedelta(seconds=1), lambda: self._collect(lot))
                return
            if lot.receipt is not None:
                self.stats.duplicates += 1
                return
            lot.receipt = f"S{next(self._receipts):06d}-{lot.case_id}"[:64]
            source = "sale" if lot.round == "sale" else "auction"
            self._submit(c.ProceedsArrived(lot.case_id, lot.asset, amount, lot.receipt, source))
            lot.stage = "paid"
            self._record(lot, "sale_paid", price_cents=amount)
            if source == "sale":
                self._complete(lot, 28)
            self.p._notify("proceeds_arrived", case_id=lot.case_id, asset=lot.asset, receipt=lot.receipt,
                           amount=amount)
            self._settle_forfeits(lot, "resold", amount)  # (a deposit forfeited on an earlier round of the lot)

        # owed: the buyer's money is the case's — asked for daily after the rounds, never left with the platform
        self._call(lot, lot.platform, "collect", remit, arrived, owed=True)

    def _defaulted(self, lot: Lot, lid: str, view: dict[str, Any]) -> None:
        """悔拍: the buyer of the lot's round did not pay the balance by its due date (the platform's view
        ``defaulted``). Taken once: ``buyer_defaulted`` recorded on the asset — it ends the round (process.yaml
        ``release_gate`` ROUND_IN_BIDDING ``round_ends``: a closing is no longer held for a balance that will not
        come) — the lot ``defaulted`` (its owed collection stops), from where the court re-auctions it (``relist``:
        重新拍卖, the buyer who defaulted may not bid), takes it in kind by agreement, or closes. The forfeited deposit
        stays with the platform until the lot's later fate settles, then reaches the case (``_settle_forfeits``; at
        once on a case already closed — unless the lot follows its seal into the 恢复执行 case, ``_follow_resumed``:
        the deposit goes with it, review R28 F10). The sale itself may never have
        been learnt — the platform unreachable, or its answers lost, from the hammer past the due date (review R23):
        the lot still in its round (``listed``, ``relisted``, ``sale``) takes the default the same, else it stayed
        in a round the platform had ended, its case held ROUND_IN_BIDDING for good."""
        if lid != lot.listing_id or lot.stage not in ("sold", *LISTED):
            self.stats.duplicates += 1
            return
        if not self._once(lot, str(view.get("platform") or lot.platform), lid, f"{lid}:defaulted", status="defaulted"):
            return
        at = self._time(view.get("defaulted_at")) or self.now
        lot.stage, lot.buyer, lot.sold_price_cents = "defaulted", None, None
        forfeited = view.get("forfeited_deposit_cents")
        self._record(lot, "buyer_defaulted", at, listing_id=lid, round=lot.round,
                     **({"buyer_id": str(view["defaulted_buyer_id"])} if view.get("defaulted_buyer_id") else {}),
                     **({"forfeited_deposit_cents": int(forfeited)} if forfeited is not None else {}))
        self.p._notify("buyer_defaulted", case_id=lot.case_id, asset=lot.asset, listing_id=lid, round=lot.round,
                       forfeited_deposit_cents=forfeited)
        if forfeited is not None and int(forfeited) > 0:
            price = view.get("current_price_cents")
            self._forfeits(lot)[lid] = (int(price) if price is not None else None, int(forfeited))
        self._follow_resumed(lot)  # the lot, and the deposit with it, into the 恢复执行 case (review R28 F10)
        if lot.stage != "moved" and self.p.runtime.cases[lot.case_id].closed_manner is not None:
            self._settle_forfeits(lot, "closed")  # nothing more is sold in this case

    def _follow_resumed(self, lot: Lot) -> None:
        """A round whose bidding was under way at the 终本 ran to its end in the 终本 case (``carry_over`` leaves such
        a lot there) and ended without a sale — 流拍 (``unsold1``, ``unsold2``) or the buyer's default
        (``defaulted``) — after the case was resumed: its seal went to the 恢复执行 case with the resumption
        (``Platform.carry_over``: the measure's ``moved_to``), and now the lot follows it there, sealed, to be priced
        and sold anew (``carry_over``; H71, session 34's leftover). Before, it stayed in the 终本 case, where nothing
        is sold, and the resumed case held the seal with no lot: the property sellable in neither. A 变卖 ending
        unsold ends the disposal (node 28 done): it stays."""
        state = self.p.runtime.cases[lot.case_id]
        if state.closed_manner is None:
            return
        measure = state.assets.get(lot.asset)
        new = getattr(measure, "moved_to", None) if measure is not None else None
        if new and new in self.p.runtime.cases:
            self.carry_over(lot.case_id, new, lot.asset)

    @staticmethod
    def _forfeits(lot: Lot) -> dict[str, tuple[int | None, int]]:
        if getattr(lot, "forfeits", None) is None:  # a lot saved before H56
            lot.forfeits, lot.forfeits_asked, lot.forfeit_receipts = {}, set(), {}
        return lot.forfeits

    def _settle_forfeits(self, lot: Lot, why: str, new_price_cents: int | None = None) -> None:
        """悔拍 (H56): the deposits forfeited on the lot's defaulted rounds reach the case once its later fate settles —
        ``why``: its re-sale paid (``resold``, ``new_price_cents`` the price now in the case), taken in kind
        (``in_kind``, at that value), its 变卖 unsold (``unsold``), or the case closed (``closed``: nothing more is sold
        in it; a round already bidding still pays its own price in). 网络司法拍卖规定 (2016) 第二十四条 as commonly
        published (not in LAW.md, unconfirmed): 悔拍的，交纳的保证金不予退还，依次用于支付拍卖产生的费用损失、
        弥补重新拍卖价款低于原拍卖价款的差价、冲抵本案被执行人的债务以及与拍卖财产相关的被执行人的债务 — the price
        difference and the debt are both the case's: the whole deposit is remitted to the case's 一案一账号 (the costs,
        费用损失, are not modelled: the platform keeps nothing back), through the price's path — the platform's
        remittance (``DisposalPort.collect_deposit``), the court account credited, ``ProceedsArrived`` with source
        ``deposit_forfeited`` as a receipt of its own — so 到账登记 and 案款发放 (nodes 32–33) pay it out under the
        price's rules: to the applicant up to the claim, the surplus back to the debtor. The case so receives the new
        price and the deposit: the price part ``min(defaulted price, new price + deposit)``, the shortfall made up from
        the deposit told as ``shortfall_cents`` (max(0, defaulted − new price), at most the deposit), the rest
        (``credit_cents``) offsetting the debt. Once per defaulted listing: owed (asked again daily while the platform
        is down, whatever the lot's stage meanwhile), the platform's remittance idempotent, a repeated answer books
        nothing.

        Which case (review R28 F10): the one that holds the lot when the deposit is asked. 第二十四条 uses the deposit
        first for the re-auction's shortfall below the defaulted price, then for "本案" debt — both are where the lot
        is sold: a buyer's default after the 终本 case was resumed moves the lot into the 恢复执行 case
        (``_follow_resumed``), and its deposit with it (``carry_over``), so the shortfall is reckoned on the sale
        there and the rest offsets the same debt, carried into the resumed case. Before, it was remitted at once to
        the closed 终本 case, and the resumed case's sale reckoned no shortfall. A deposit asked before the
        resumption (a default before the 终本, asked at its closing) stays the 终本 case's."""
        op = getattr(self.port, "collect_deposit", None)
        forfeits = self._forfeits(lot)
        if op is None or not forfeits:
            return
        sub = self.p._sub_account(lot.case_id)
        for lid, (price, deposit) in list(forfeits.items()):
            if lid in lot.forfeits_asked:
                continue
            lot.forfeits_asked.add(lid)
            shortfall = (None if price is None or new_price_cents is None
                         else min(deposit, max(0, price - new_price_cents)))

            def arrived(amount: int, lid: str = lid, price: int | None = price,
                        shortfall: int | None = shortfall) -> None:
                if lid in lot.forfeit_receipts:
                    self.stats.duplicates += 1
                    return
                # numbered per case, D000001-<case>, … (not on the price's counter: a replay names them alike)
                held = self.p.runtime.cases[lot.case_id].receipts.values()
                n = 1 + sum(1 for r in held if r.source == "deposit_forfeited")
                receipt = lot.forfeit_receipts[lid] = f"D{n:06d}-{lot.case_id}"[:64]
                self._submit(c.ProceedsArrived(lot.case_id, lot.asset, amount, receipt, "deposit_forfeited"))
                self.p._notify("deposit_arrived", case_id=lot.case_id, asset=lot.asset, receipt=receipt,
                               amount=amount, listing_id=lid, why=why, defaulted_price_cents=price,
                               new_price_cents=new_price_cents, shortfall_cents=shortfall,
                               credit_cents=amount - shortfall if shortfall is not None else None)

            try:
                self._call(lot, lot.platform or DEFAULT_AUCTION_PLATFORM, "collect_deposit",
                           lambda lid=lid: op(lid, sub, self.now), arrived, owed=True, keep=True)
            except UserError as err:  # refused at once (the platform holds no such deposit): told, not raised
                self._told_refusal(lot, "collect_deposit", None, "refused", code=err.code, zh=err.zh, en=err.en)

    def confirm_sale(self, case_id: str, asset: str) -> Any:
        """网络拍卖成交确认 (node 27): the confirmation ruling served on the buyer; node 30's ruling runs from it."""
        lot = self.lot(case_id, asset)
        self._need(lot, ("paid",), "成交价款尚未付清", "the price is not paid in full")
        self._check(lot, 27, "成交确认", "the confirmation of the sale")
        out = self._complete(lot, 27)
        lot.stage, lot.confirmed_at = "confirmed", self.now
        self._record(lot, "sale_confirmed")
        return out

    def relist(self, case_id: str, asset: str, *, cut_pct: int = 20, starting_price_cents: int | None = None,
               deposit_pct: int = 10, bidding_starts: datetime | None = None) -> None:
        """第二次网络拍卖 (node 26) on the same platform; the platform refuses a cut above 20%, a start later than 30
        days after the 流拍, or a notice shorter than 7 / 15 days."""
        lot = self.lot(case_id, asset)
        if lot.stage == "defaulted":  # 悔拍: 重新拍卖 of the round whose buyer defaulted
            self._reauction(lot, bidding_starts)
            return
        self._open_for_sale(lot, "再次拍卖（二拍）", "second auction")
        self._need(lot, ("unsold1",), "只有一拍流拍后才能再次拍卖（或买受人悔拍后重新拍卖）",
                   "only a first 流拍 is re-auctioned (or a round whose buyer defaulted)")
        self._need_valid_price(lot, "二拍", "a second auction", self.p.process.reference_price.grace_months)
        def unfrozen() -> None:  # now, and before each later round (``_call`` ``guard``)
            self._check(lot, 26, "二拍", "a second auction")

        unfrozen()
        first = int(lot.starting_price_cents or 0)
        start = starting_price_cents if starting_price_cents is not None else -(-first * (100 - cut_pct) // 100)
        deposit = -(-start * deposit_pct // 100)
        starts = (to_cst(bidding_starts) if bidding_starts is not None
                  else self._earliest_start(SECOND_ANNOUNCE_DAYS[lot.klass]))
        starts = self._kept_start(lot, "auction:second", (start, deposit), starts, bidding_starts is not None)
        lid, port = lot.listing_id, self._port()
        assert lid is not None

        def relisted(view: dict[str, Any]) -> None:
            self._unstarted(lot).pop("auction:second", None)
            state = self.p.runtime.cases[case_id]
            if state.node(26, asset) is None or state.node(26, asset).started_at is None:
                self._submit(c.StartNode(case_id, 26, asset))
            self._announced(lot)  # the second auction's own notice (node 24, ``notify_parties``)
            self._record(lot, "second_auction_scheduled", self._time(view["starts_at"]), asset_kind=lot.klass,
                         **self._terms(view, start, deposit))
            self._listed(lot, view, "second", str(view.get("platform", "")))
            self._complete(lot, 26)

        try:
            self._call(lot, lot.platform, "auction:second", lambda: port.relist(
                lid, starting_price_cents=start, deposit_cents=deposit, bidding_starts=starts, now=self.now),
                relisted, act=True, guard=unfrozen)
        except UserError:  # refused at once: not taken
            self._unstarted(lot).pop("auction:second", None)
            raise

    def _reauction(self, lot: Lot, bidding_starts: datetime | None) -> None:
        """重新拍卖 after the buyer's default (悔拍; 网络司法拍卖规定 第二十四条, 拍卖变卖规定 as commonly published —
        not in LAW.md, unconfirmed; tests/fidelity_audit.md WZ-3d): the same round (一拍, 二拍 or 变卖) again on the
        same platform and terms, announced as that round is (``bidding_starts``, default the earliest the notice
        allows); the buyer who defaulted may not bid (the platform keeps it out). The round's start anchor is recorded
        again at the new start (ROUND_IN_BIDDING holds a closing while it runs); no node is started or completed — the
        round's nodes (23/25, 26 or 28) were done when it was first listed. An auction round (not a 变卖) is announced
        anew, so the parties are notified of it first (``notify_parties``: node 24 under the round's own instance,
        H71); re-auctioned with no notice, that deadline is counted from now — missed (``_announced``)."""
        self._open_for_sale(lot, "重新拍卖（悔拍后）", "re-auction after the buyer's default")
        # (the reference price is not checked again: the round re-auctioned was listed on a valid one, and a price
        # lapsed meanwhile would leave the lot neither sellable nor done — its case held from 终本 for good)
        days = (ANNOUNCE_DAYS if lot.round == "first" else SECOND_ANNOUNCE_DAYS)[lot.klass]
        starts = to_cst(bidding_starts) if bidding_starts is not None else self._earliest_start(days)
        op = getattr(self._port(), "reauction", None)
        where = f"案件 case {lot.case_id} 财产 asset {lot.asset}"
        if op is None:
            raise UserError("平台接口不支持重新拍卖", "the platform's port cannot re-auction a listing", where=where,
                            code="not_supported")
        lid, round_ = lot.listing_id, lot.round
        assert lid is not None
        anchor = {"first": "auction_scheduled", "second": "second_auction_scheduled"}.get(round_,
                                                                                          "sale_period_scheduled")
        # kept like a round's start (``_kept_start``): asked again with no start of its own after every answer was
        # lost, the platform's round is answered; a closing looks it up (``_learn``) and withdraws it
        starts = self._kept_start(lot, "auction:reauction", (lid,), starts, bidding_starts is not None)

        def reauctioned(view: dict[str, Any]) -> None:
            self._unstarted(lot).pop("auction:reauction", None)
            if round_ != "sale":  # a re-auction is announced anew: its own notice (node 24, ``notify_parties``)
                self._announced(lot)
            self._record(lot, anchor, self._time(view["starts_at"]), asset_kind=lot.klass, reauction=True,
                         **self._terms(view))
            self._listed(lot, view, round_, str(view.get("platform", "")))

        try:
            self._call(lot, lot.platform, "auction:reauction",
                       lambda: op(lid, bidding_starts=starts, now=self.now), reauctioned, act=True)
        except UserError:  # refused at once: not taken
            self._unstarted(lot).pop("auction:reauction", None)
            raise

    def offer_in_kind(self, case_id: str, asset: str, accept: bool) -> Any:
        """以物抵债 (node 29): the creditor is asked whether it takes the property at the failed round's reserve
        price."""
        lot = self.lot(case_id, asset)
        self._open_for_sale(lot, "询问或记录以物抵债的答复", "answer in kind")
        self._need(lot, ("unsold2",) if not accept else ("unsold1", "unsold2"),
                   "只有流拍后才能询问以物抵债（拒绝须在二拍流拍后）",
                   "payment in kind follows a 流拍 (a refusal, the second one)")
        lid, port = lot.listing_id, self._port()
        assert lid is not None

        def decided(view: dict[str, Any]) -> None:
            if lot.stage == "unsold2" or accept:
                self._complete(lot, 29)
            if accept:
                self._take_in_kind(lot, int(view.get("in_kind_price_cents") or lot.starting_price_cents or 0), {})
            else:
                lot.stage = "declined"
                self._record(lot, "creditor_refused")

        self._call(lot, lot.platform, "in_kind" if accept else "in_kind:refused",
                   lambda: port.decide_in_kind(lid, accept=accept, now=self.now), decided, act=True)

    # the stages an agreement in kind is taken in: controlled and not listed — before any listing (sealed or frozen,
    # being priced, the price reported or fixed), after a 流拍 (the first, the second, the creditor's refusal at the
    # reserve price) or after a failed 变卖 (``unsold``, where the process's in_kind.after_failed_sale allows it, the
    # seal still held), or once its round was withdrawn (``withdrawn``); not while listed (withdraw the round first:
    # ``withdraw_listing``), not after a sale or once in kind
    AGREE_STAGES = ("sealed", "pricing", "reported", "fixed", "unsold1", "unsold2", "declined", "unsold", "withdrawn",
                    "defaulted")

    def agree_in_kind(self, case_id: str, asset: str, price_cents: int, *, applicant_consents: bool,
                      debtor_consents: bool, others_consent: bool = False) -> Any:
        """以物抵债 by agreement, without auction (seed 004 节点二十九 第2项): with the applicant's and the debtor's
        consent, and no harm to other creditors, the court takes the property at the agreed value (作价)
        ``price_cents`` in payment of the claim. The process's ``in_kind`` rules (node 29;
        core_flow.model.InKindAgreement) say what harm the court can see (another court's measure on the asset as
        the agency last reported it — refused unless ``others_consent`` records those creditors' consent, by
        default), whether a fixed reference price is needed and whether a value above the outstanding claim is taken
        (the creditor owes the difference). Refused, before anything changes, with a located bilingual
        :class:`UserError`. On success: node 29 done, ``sale_confirmed`` (node 30's ruling runs 10 days from the
        agreement; the deadlines of a price, a sale or a 变卖 not yet met are withdrawn: process ``ends_on``), the
        claim reduced (``SatisfiedInKind``), the lot ``in_kind`` — transferred to the applicant (15) and handed over
        as one taken after a 流拍."""
        rules = self.p.process.in_kind
        lot = self.lot(case_id, asset)
        where = f"案件 case {case_id} 财产 asset {asset}"
        state = self.p.runtime.cases[case_id]
        if not rules.allowed:
            raise UserError("本院流程不受理不经拍卖、变卖的协议以物抵债（process.yaml 节点29 in_kind.allowed）",
                            "this court's process takes no payment in kind by agreement without a sale "
                            "(process.yaml node 29 in_kind.allowed)", where=where, code="in_kind_not_allowed")
        self._applies(case_id, 29, "不能以物抵债", "no payment in kind", where, code="in_kind_not_allowed")
        # a closed case's property is no longer disposed of: refused ``case_closed_disposal`` with why, for its own
        # manner, as every other act that advances a lot (H39: it alone said ``case_closed`` and no why)
        self._open_for_sale(lot, "协议以物抵债", "payment in kind by agreement")
        # after a failed 变卖 (民诉法解释 (2022) 第四百九十一条 as cited: data, node 29 in_kind.after_failed_sale)
        after_sale = lot.stage == "unsold"
        if after_sale and rules.after_failed_sale == "refuse":
            raise UserError("本院流程不受理变卖不成后的以物抵债（process.yaml 节点29 in_kind.after_failed_sale）",
                            "this court's process takes no payment in kind after a failed 变卖 (process.yaml node 29 "
                            "in_kind.after_failed_sale)", where=where, code="in_kind_not_allowed")
        parties = [("申请执行人", "the applicant", applicant_consents)]
        if not (after_sale and rules.after_failed_sale == "applicant"):  # the applicant's consent suffices there
            parties.append(("被执行人", "the debtor", debtor_consents))
        missing = [zh for zh, _, ok in parties if not ok]
        if missing:
            en = " and ".join(en for _, en, ok in parties if not ok)
            if len(parties) == 1:
                raise UserError("变卖不成的财产以物抵债须经申请执行人同意（process.yaml 节点29 "
                                "in_kind.after_failed_sale）",
                                "property a 变卖 did not sell goes in kind only with the applicant's consent "
                                "(process.yaml node 29 in_kind.after_failed_sale)", where=f"{where} consent",
                                code="in_kind_no_consent")
            raise UserError(f"未经{'、'.join(missing)}同意，不能不经拍卖、变卖以物抵债（节点29 第2项）",
                            f"no payment in kind without a sale unless both parties agree: {en} did not consent "
                            "(node 29 item 2)", where=f"{where} consent", code="in_kind_no_consent")
        if price_cents <= 0:
            raise UserError(f"抵债作价须大于零（收到 {price_cents} 分）",
                            f"the agreed value must be positive (got {price_cents} cents)", where=f"{where} price",
                            code="in_kind_price")
        floor = lot.starting_price_cents or 0  # the price the 变卖 offered it at (_listed, round "sale")
        if (after_sale and not debtor_consents and rules.failed_sale_floor == "sale_price"
                and price_cents < floor):
            least, got = (f"{c // 100:,}.{c % 100:02d} 元" for c in (floor, price_cents))
            raise UserError(f"变卖不成的财产未经被执行人同意，抵债作价不得低于变卖价 {least}（收到 {got}；"
                            "process.yaml 节点29 in_kind.failed_sale_floor）",
                            f"without the debtor's consent, property a 变卖 did not sell goes in kind at no less than "
                            f"its 变卖 price, {least} (got {got}; process.yaml node 29 in_kind.failed_sale_floor)",
                            where=f"{where} price", code="in_kind_price")
        if lot.stage in ("listed", "relisted", "sale"):
            raise UserError("该财产正在拍卖或变卖中，不能协议以物抵债（须待本轮结束，或在竞价开始前先撤回拍卖）",
                            "the property is listed for auction or 变卖: no payment in kind by agreement while the "
                            "round is open (or withdraw the round before its bidding begins)", where=where,
                            code="disposal_stage")
        if lot.stage in ("found", "sealing"):
            queued = lot.stage == "sealing" and state.assets.get(asset) is not None
            raise UserError("本院对该财产的查封（冻结）为轮候，尚未生效，不能以物抵债（由首封法院处置）" if queued
                            else "本院尚未控制该财产（未查封、扣押、冻结），不能以物抵债",
                            "this court's seal (freeze) on the property is queued (轮候), not in effect: no payment in "
                            "kind (the first court disposes of it)" if queued else
                            "this court does not control the property (not sealed or frozen): no payment in kind",
                            where=where, code="in_kind_not_controlled")
        self._need(lot, self.AGREE_STAGES, "已成交、已以物抵债或处置已结束，不能再协议以物抵债",
                   "sold, taken in kind or its disposal ended: no payment in kind by agreement")
        money = state.assets.get(asset)
        if money is None or not money.active or money.frozen_cents <= 0 or (
                money.expires_at is not None and to_cst(money.expires_at) <= to_cst(self.now)):
            raise UserError("本院对该财产的控制措施已解除、失效或已移交，不能以物抵债",
                            "this court's measure on the property was released, lapsed or handed over: no payment "
                            "in kind", where=where, code="in_kind_not_controlled")
        if rules.reference_price == "required" and lot.fixed_at is None:
            raise UserError("本院流程要求先确定财产处置参考价（节点20），再协议以物抵债",
                            "this court's process needs a fixed reference price (node 20) before payment in kind by "
                            "agreement", where=where, code="in_kind_no_reference_price")
        outstanding = state.outstanding_cents()
        if outstanding <= 0:
            raise UserError("申请执行人已全额受偿，无可抵偿的债务", "the claim is met: nothing to pay in kind",
                            where=where, code="in_kind_price")
        if price_cents > outstanding and rules.above_claim == "refuse":
            raise UserError(f"抵债作价 {price_cents} 分高于尚未受偿的 {outstanding} 分，本院流程不受理（above_claim）",
                            f"the agreed value {price_cents} cents is above the {outstanding} cents outstanding, "
                            "which this court's process refuses (above_claim)", where=f"{where} price",
                            code="in_kind_price")
        others = self.other_measures(case_id, asset)
        if others and rules.other_measures != "ignore" and (rules.other_measures == "refuse" or not others_consent):
            names = "、".join(f"{e.court_code} {e.case_no}（{'轮候' if e.state == 'queued' else '生效'}）"
                             for e in others)
            names_en = ", ".join(f"{e.court_code} {e.case_no} ({e.state})" for e in others)
            consent_zh = "" if rules.other_measures == "refuse" else "，且未记录其同意"
            consent_en = "" if rules.other_measures == "refuse" else " and their consent is not recorded"
            raise UserError(f"该财产上另有其他债权人的查封、冻结（{names}）{consent_zh}：以物抵债将损害其他债权人合法"
                            "权益（节点29 第2项）",
                            f"other creditors' measures are on the property ({names_en}){consent_en}: payment in kind "
                            "would harm them (node 29 item 2)", where=where, code="in_kind_other_creditors")
        # a frozen node of the asset's disposal (node 20's price, node 23's start of the sale…) is not passed by
        # taking the property in kind: "不得流转下一节点" until its unfreeze (seed 004 总体要求)
        self.p._check_not_frozen(case_id, 29, asset, "以物抵债", "payment in kind", asset_wide=True)
        if asset in state.in_kind:  # (the engine would refuse it after the lot had changed)
            raise UserError(f"财产 {asset} 已以物抵债", f"{asset} was already taken in kind", where=where,
                            code="disposal_stage")
        # taken: node 29 done, the agreement's day anchors node 30's ruling, the claim reduced; the platforms told
        stage = lot.stage
        self._complete(lot, 29)
        out = self._take_in_kind(lot, price_cents, {"by_agreement": True,
                                                    "others_consent": bool(others) and others_consent,
                                                    **({"after_failed_sale": True} if after_sale else {})})
        self._tell_platforms(lot, stage, price_cents)
        return out

    def _tell_platforms(self, lot: Lot, stage: str, price_cents: int) -> None:
        """The platforms told of an agreement in kind taken in ``stage`` (``agree_in_kind``), through the gateway like
        every call (its retries of a fault; the exchange recorded on the case): a pricing request still out
        (``pricing``) is withdrawn — its answer would price a lot already taken, and is ignored if it comes all the
        same (``_pricing_answer``, ``receive``: the lot is no longer ``pricing``); a listing closed unsold and not
        followed by another round (a 流拍, the creditor's refusal at the reserve price, a failed 变卖) is closed as
        taken in kind by agreement at the agreed value, so the platform shows it ended and offers it no second round
        or 变卖. The agreement is the court's and does not wait for them: a platform that refuses (its result already
        out, an API without the operation) is said (``disposal_refused``), and the agreement stands."""
        port = self.port
        if port is None:
            return
        if stage == "pricing" and lot.pricing_id is not None:
            pid = lot.pricing_id
            agency, purpose, op = self._pricing_platform, "pricing:withdrawn", getattr(port, "withdraw_pricing", None)
            call = None if op is None else (lambda: op(pid, self.now))
        elif stage in ("unsold1", "unsold2", "declined", "unsold", "defaulted") and lot.listing_id is not None:
            lid = lot.listing_id
            agency, purpose, op = lot.platform or DEFAULT_AUCTION_PLATFORM, "in_kind:agreed", getattr(
                port, "agree_in_kind", None)
            call = None if op is None else (lambda: op(lid, price_cents=price_cents, now=self.now))
        else:
            return
        if call is None:  # a port of an older interface: the platform cannot be told
            self._told_refusal(lot, purpose, None, "refused", code="not_supported",
                               zh="平台接口不支持该操作，未告知平台",
                               en="the platform's port has no such operation: not told")
            return

        def told(view: dict[str, Any]) -> None:
            self.p._notify("platform_told", case_id=lot.case_id, asset=lot.asset, what=purpose,
                           status=str(view.get("status", "")))

        try:
            self._call(lot, agency, purpose, call, told)
        except UserError as err:  # refused on the first attempt: recorded (rejected), the agreement stands
            self._told_refusal(lot, purpose, None, "refused", code=err.code, zh=err.zh, en=err.en)

    def _take_in_kind(self, lot: Lot, price_cents: int, agreement: dict[str, Any]) -> Any:
        """The property taken in payment at ``price_cents`` — after a 流拍, or by agreement (``agreement``: its
        record's attributes): ``sale_confirmed`` (node 30's ruling runs from it), the claim reduced by the value
        (``SatisfiedInKind``), the lot ``in_kind`` (transferred to the applicant)."""
        lot.stage, lot.confirmed_at = "in_kind", self.now
        self._record(lot, "sale_confirmed", in_kind_price_cents=price_cents, **agreement)
        out = self._submit(c.SatisfiedInKind(lot.case_id, lot.asset, price_cents))
        self.p._notify("in_kind", case_id=lot.case_id, asset=lot.asset, price_cents=price_cents,
                       **({"agreement": True} if agreement else {}),
                       outstanding_cents=self.p.runtime.cases[lot.case_id].outstanding_cents())
        self._settle_forfeits(lot, "in_kind", price_cents)
        return out

    def reported(self, case_id: str, agency: str, asset: str, fb: Feedback) -> None:
        """An agency's answer for the case (``Platform._on_answer``, after it was acted on): the measures it reports on
        the property of a lot — a query's holdings (direct, or the agency's part of a 总对总 answer), the answer to the
        seal or freeze itself or its notice that it took effect (the other measures on it then) — are kept as the
        lot's ``measures``, what the court knows of other creditors (``agree_in_kind``)."""
        if fb.measure in (Measure.SEAL, Measure.FREEZE) and fb.ok:  # its answer, or a notice it took effect
            lot = self.lots.get((case_id, asset))
            if lot is not None:
                lot.measures = fb.existing_freezes
            return
        if fb.measure != Measure.QUERY:
            return
        answers = [(agency, fb.holdings)] if fb.batch is None else [(a.agency, a.holdings) for a in fb.batch.found
                                                                     if a.ok]
        for ag, holdings in answers:
            for h in holdings:
                lot = self.lots.get((case_id, f"{ag}:{h.account_no}"))
                if lot is not None:
                    lot.measures = h.existing_freezes

    def other_measures(self, case_id: str, asset: str) -> list[ExistingFreeze]:
        """The measures of other courts (or other cases) on ``asset`` — in effect or 轮候, not lapsed — as its agency
        last reported them (``Lot.measures``; else the holding of the query that found it); the case's own measure is
        not one."""
        lot = self.lots.get((case_id, asset))
        found = self.p.assets.get((case_id, asset))
        measures = lot.measures if lot is not None and lot.measures is not None else (
            found[1].existing_freezes if found is not None else ())
        money = self.p.runtime.cases[case_id].assets.get(asset)
        own_id = money.freeze_id if money is not None else ""
        own = (self.p.court.code, case_id[:64])
        now = to_cst(self.now)
        return [e for e in measures
                if str(e.state) in ("active", "queued") and e.freeze_id != own_id and (e.court_code, e.case_no) != own
                and (e.expires_at is None or to_cst(e.expires_at) > now)]

    def start_sale(self, case_id: str, asset: str, *, price_cents: int | None = None, deposit_pct: int = 10,
                   sale_starts: datetime | None = None, period_days: int = SALE_PERIOD_DAYS) -> None:
        """变卖 (node 28) after the creditor refused 以物抵债: announced within 15 days of the refusal, 7 / 15 days
        before the sale period, at not less than half the valuation (the platform checks)."""
        lot = self.lot(case_id, asset)
        self._open_for_sale(lot, "变卖", "变卖 (sale)")
        self._need(lot, ("declined",), "变卖须在申请人拒绝以物抵债之后", "变卖 follows the creditor's refusal in kind")
        self._need_valid_price(lot, "变卖", "a 变卖", self.p.process.reference_price.grace_months)
        price = price_cents if price_cents is not None else int(lot.starting_price_cents or 0)
        deposit = -(-price * deposit_pct // 100)
        starts = (to_cst(sale_starts) if sale_starts is not None
                  else self._earliest_start(SECOND_ANNOUNCE_DAYS[lot.klass]))
        starts = self._kept_start(lot, "auction:sale", (price, deposit, period_days), starts, sale_starts is not None)
        lid, port = lot.listing_id, self._port()
        assert lid is not None

        def announced(view: dict[str, Any]) -> None:
            self._unstarted(lot).pop("auction:sale", None)
            self._submit(c.CompleteItem(case_id, 28, "announce", asset))
            self._record(lot, "sale_period_scheduled", self._time(view["starts_at"]), asset_kind=lot.klass,
                         **self._terms(view, price, deposit))
            self._submit(c.CompleteItem(case_id, 28, "lead_time", asset))
            self._listed(lot, view, "sale", str(view.get("platform", "")))

        try:
            self._call(lot, lot.platform, "auction:sale", lambda: port.start_sale(
                lid, price_cents=price, deposit_cents=deposit, sale_starts=starts,
                sale_ends=starts + timedelta(days=period_days), now=self.now), announced, act=True)
        except UserError:  # refused at once: not taken
            self._unstarted(lot).pop("auction:sale", None)
            raise

    # ── transfer (node 30) ──────────────────────────────────────────────────────────────────────
    def transfer(self, case_id: str, asset: str, new_owner: str | None = None) -> str | None:
        """成交（抵债）裁定 served (node 30, item 1): the hand-over's 15 days run; the 过户 document goes to the
        registry (15, where it takes it), naming the seal it acts on and the new owner — ``new_owner``, by default the
        buyer the auction platform reported, or the applicant for property taken in kind. The registry's answer ends
        the seal (``transferred``); an agency without 15 has the seal released (14 / 04) instead."""
        lot = self.lot(case_id, asset)
        self._need(lot, ("confirmed", "in_kind"), "尚未确认成交或同意以物抵债", "no sale confirmed nor payment in kind")
        self._submit(c.CompleteItem(case_id, 30, "ruling", asset))
        in_kind = lot.stage == "in_kind"
        lot.stage = "transferred"
        agency, holding, debtor = self.p._asset(case_id, asset)
        measure = self.p.runtime.cases[case_id].assets.get(asset)
        if self.p.can(agency, Measure.TRANSFER) and measure is not None and measure.freeze_id:
            owner = new_owner or ("申请执行人（以物抵债）" if in_kind or not lot.buyer else f"买受人 {lot.buyer}")
            return self.p._send(case_id, "transfer", debtor, agency, Measure.TRANSFER, asset=asset,
                                account_no=holding.account_no, freeze_id=measure.freeze_id, new_owner=owner)
        self.release_seal(case_id, asset)
        return None

    def transferred(self, case_id: str, asset: str, ok: bool, state: str | None = None) -> None:
        """The registry answered the 过户 (15): it recorded the new owner and, ``state`` ``transferred``, ended the
        seal — the case's measure ends with it (``FreezeReleased``: nothing is left to release); a registry that kept
        the seal (``state`` otherwise) is asked to release it (14)."""
        lot = self.lots.get((case_id, asset))
        if ok and lot is not None:
            lot.registered = True
        if ok and state == "transferred":
            money = self.p.runtime.cases[case_id].assets.get(asset)
            if money is not None and money.active:
                self._submit(c.FreezeReleased(case_id, asset))
        elif ok:
            self.release_seal(case_id, asset)
        self.p._notify("transfer_answered", case_id=case_id, asset=asset, ok=ok)

    def release_seal(self, case_id: str, asset: str) -> None:
        money = self.p.runtime.cases[case_id].assets.get(asset)
        if money is not None and money.freeze_id and money.active:
            self.p.release(case_id, asset)

    def hand_over(self, case_id: str, asset: str) -> Any:
        """交付财产 (node 30, item 2)."""
        lot = self.lot(case_id, asset)
        self._need(lot, ("transferred",), "成交（抵债）裁定尚未送达，或财产已交付",
                   "the ruling has not been served, or the property was handed over")
        out = self._submit(c.CompleteItem(case_id, 30, "handover", asset))
        lot.stage = "handed_over"
        return self._complete(lot, 30) or out  # both items done: the node is


_ENDED = ("handed_over", "unsold", "moved")  # a lot's disposal is over (or continues in the 恢复执行 case)
LISTED = ("listed", "relisted", "sale")  # a round on the auction platform: announced, or its bidding under way
# the stages of a lot a 终本 case's 恢复执行 case takes over, sealed (``Disposal.carry_over``): under disposal with no
# round on the platform and no sale made
_CARRIED = ("sealing", "sealed", "reported", "fixed", "withdrawn", "unsold1", "unsold2", "declined", "defaulted")
# the acts that put a round on the platform (the re-auction after a buyer's default too)
_ROUND_ACTS = ("auction:first", "auction:second", "auction:sale", "auction:reauction")
_LEARNT = (*_ROUND_ACTS, "network_inquiry", "appraisal")  # acts looked up on the platform at a closing (``_learn``)
_ROUND_FROM = {"auction:first": "fixed", "auction:second": "unsold1", "auction:sale": "declined",
               "auction:reauction": "defaulted"}  # each act's stage
_AFTER_SEAL = ("sealed", "pricing", "reported", "fixed", "listed", "unsold1", "relisted", "unsold2", "in_kind",
               "declined", "sale", "sold", "paid", "confirmed", "transferred", "handed_over", "unsold", "withdrawn",
               "defaulted")


def _ten_am(at: datetime) -> datetime:
    local = to_cst(at)
    return local.replace(hour=10, minute=0, second=0, microsecond=0, tzinfo=CST)
