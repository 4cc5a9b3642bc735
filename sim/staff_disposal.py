"""Disposal (nodes 17, 19–30) as the court's staff do it in a year-scale run: every step a work item.

:class:`sim.disposal_clerk.DisposalClerk` decides what the demo clerk does with real estate and vehicles — query the
registries after the 集约查询, seal what they report, investigate, price, serve the report, notify the parties, list,
relist after a 流拍, offer it in kind, 变卖, confirm the sale, transfer, hand over, pay the proceeds out — and when,
with the clerk's coin-toss lateness. Here the same decisions are work items of the court profile's action types
(``registry_query``, ``seal``, ``investigate``, ``pricing``, ``serve_report``, ``notify_parties``, ``list``,
``relist``, ``in_kind``, ``sale``, ``confirm``, ``transfer``, ``hand_over``; the money through 到账登记, the two
signatures and the payment like deducted money), queued for the case's 承办法官 or the first free 书记员 and done in
working hours (``sim.staff_actor``). Steps that need the one before — the listing after the parties' notice, the
transfer after the confirmation — run as chains; the investigation (node 19) and the pricing (node 20) both start
from the seal (or from the freeze of 股权 or 证券, which is disposed of, not deducted). The waits the rules set
(the 3 days between the notice and the listing, the 11 days to the hand-over) stay waits.
A case with a disposal under way does not go to 终本. Once its claim is met (``DisposalClerk._met``) no step toward a
sale is queued or taken, and the rounds listed whose bidding has not begun are withdrawn, a work item of the listing's
type (``_stop_rounds``): 拍卖变卖规定 第十四条 as commonly published (unconfirmed, not in LAW.md).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core_flow.engine import Event, EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from sim.clerk import DAY, HOUR
from sim.crn import uniform
from sim.disposal_clerk import (
    _BUSY,
    _LISTING_CALLS,
    _PRICING,
    HAND_OVER_AFTER,
    LIST_AFTER_NOTICE,
    REGISTRIES,
    SALE_WITHIN,
    DisposalClerk,
    relist_within,
)
from sim.manners import closing

if TYPE_CHECKING:
    from sim.staff_actor import StaffActor

NOW = timedelta(0)
# the work item a listing call asked again is (the profile's action types)
_AGAIN_WORK = {"auction:first": "list", "auction:second": "relist", "auction:sale": "sale", "in_kind": "in_kind",
               "in_kind:refused": "in_kind", "auction:reauction": "relist"}
assert set(_AGAIN_WORK) == set(_LISTING_CALLS)


class StaffDisposalClerk(DisposalClerk):
    def __init__(self, actor: StaffActor, share: float = 1.0, objected: float = 0.0, upheld: float = 0.0) -> None:
        super().__init__(actor)
        self.a = actor
        self.share = share  # of the property found, what is disposed of (the profile's ``disposal_share``)
        # of the price reports served, the share a party objects to, and of the objections the share upheld (the
        # profile's ``price_objection_share``, ``price_objection_upheld``: our assumptions, no source gives a rate)
        self.objected = objected
        self.upheld = upheld
        self._lots_of: dict[str, list[str]] = defaultdict(list)  # case → its assets under disposal (``busy``)

    def _draw(self, k: str, asset: str, what: str) -> float:
        """The same at every staffing level (common random numbers, as the staff minutes)."""
        return uniform(self.a.seed, k, asset, what)

    def takes(self, k: str, asset: str) -> bool:
        """Frozen to be disposed of (股权, 证券…): the share of property found this court disposes of, as for a flat."""
        return self.d.port is not None and (self.share >= 1 or self._draw(k, asset, "disposable") < self.share)

    def busy(self, k: str) -> bool:
        lots = self.d.lots
        if any(lots[(k, asset)].stage in _BUSY for asset in self._lots_of.get(k, ())):
            return True
        # a seal a 恢复执行 case took over is its lot from the take-over on (``Disposal.carry_over``), before this
        # clerk hears of it: the handler's own reaction to the take-over must not send the case to 终本
        state = self.p.runtime.cases.get(k)
        return state is not None and state.case_type == "resumed" and any(
            (lot := lots.get((k, asset))) is not None and lot.stage in _BUSY for asset in state.assets)

    def _work(self, kind: str, k: str, action: Any, delay: timedelta = NOW, within: timedelta | None = None) -> None:
        self.a._work(kind, k, action, delay, within=within)

    def _case_lots(self, k: str) -> list[str]:
        return list(dict.fromkeys(self._lots_of.get(k, ())))

    def _stop_rounds(self, k: str) -> None:
        """The claim met: each round listed and not begun is withdrawn by the judge, a work item of the listing's type
        (the profile has no action type for a withdrawal) — done out of turn if the queue would take it past the
        bidding's start, when it can no longer be withdrawn (a judge's queue held one 11 days, past its start, in
        review R26's run) — and looked at again when it is done (``_withdraw``)."""
        for asset in self._stopped(k):
            starts = getattr(self.d.lots[(k, asset)], "starts_at", None)
            within = None if starts is None else max(NOW, starts - self.a.now - 2 * HOUR)
            self._work("list", k, lambda asset=asset: self._withdraw(k, asset), within=within)

    # ── engine events ──
    def _on_event(self, e: Event) -> None:
        if self.d.port is None:
            return
        k = e.case_id
        if e.kind == EventKind.INQUIRY_COMPLETED and self._open(k):
            for debtor in self.p.runtime.cases[k].identity:
                for registry in REGISTRIES:
                    self._work("registry_query", k,
                               lambda debtor=debtor, registry=registry: self.p.manual_query(k, debtor, registry))
        elif e.kind == EventKind.PAID_OUT:
            if self._lots_of.get(k) and self._open(k) and self._met(k):  # the claim met: no more rounds
                self._stop_rounds(k)
        elif e.kind == EventKind.FUNDS_FROZEN and self._disposes(e):
            # (a seal taken over without its lot — the 终本 case's disposal of it had ended, 变卖 found no buyer —
            # stays: there is nothing to dispose of; a 1.5-year run with disposal crashed here)
            asset = e.instance
            if asset not in self._lots_of[k]:  # a seal the 恢复执行 case took over from its 终本 case
                self._lots_of[k].append(asset)
            if not self._selling(k):  # the claim met: nothing to price (the seal is released at the closing)
                return
            method = "appraisal" if self._draw(k, asset, "appraisal") < 0.2 else "network_inquiry"
            # node 19's investigation and node 20's pricing both run from the seal (15 days to start the pricing)
            self._work("investigate", k, lambda: self.d.investigate(k, asset))
            self._work("pricing", k, lambda: self._price(k, asset, method))

    # ── platform notices ──
    def _n_property_found(self, k: str, asset: str, data: dict[str, Any]) -> None:
        self._lots_of[k].append(asset)
        state = self.p.runtime.cases[k]
        disposable = self.share >= 1 or self._draw(k, asset, "disposable") < self.share
        if state.closed_manner == "zhongben":  # found by a sweep (or a clue)
            if disposable:  # sealed, and the seal resumes the case (``StaffActor._ev_funds_frozen``)
                self._work("seal", k, lambda: self.d.seal(k, asset))
            return  # not to be taken: node 46's review of the finding is all
        covered = self.c._reserved.get(k, 0) >= state.amount_cents
        # the claim is covered by what was frozen, or met (``_met``), or the property is not to be taken (the profile's
        # ``disposal_share``: a debtor's only home, a mortgage above its value): recorded as found, not sealed
        if covered or not disposable or not self._selling(k):
            self.a._cmd(HOUR, c.CompleteNode(k, 17, asset))
            return
        self._work("seal", k, lambda: self.d.seal(k, asset))

    def _n_disposal_gave_up(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """A pricing request or a listing call given up (the platform unreachable), or a round of it not made for a
        frozen node, or a listing call's stale kept start refused (``DisposalClerk._n_disposal_refused`` passes them
        here): the handler asks again (``_reprice``, ``DisposalClerk._again``), a work item of the act's type."""
        what = str(data.get("what"))
        if not self._selling(k):  # closed, or the claim met meanwhile: nothing to ask again
            return
        if what in _PRICING:
            self._work("pricing", k, lambda: self._reprice(k, asset, what))
        elif what in _AGAIN_WORK:
            self._work(_AGAIN_WORK[what], k, lambda: self._again(k, asset, what))

    def _start_pct(self, k: str, asset: str) -> int:
        return 70 + int(self._draw(k, asset, "start_pct") * 16)  # the same at every look (common random numbers)

    def _cut_pct(self, k: str, asset: str) -> int:
        return 10 + int(self._draw(k, asset, "cut_pct") * 11)

    def _ask_in_kind(self, k: str, asset: str, accept: bool) -> Any:
        return self._offer_in_kind(k, asset, accept)  # refused: the 变卖 as a work item

    def _n_price_reported(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if self._selling(k):
            self._work("serve_report", k, lambda: self._serve(k, asset))

    def _serve(self, k: str, asset: str) -> None:
        """The report served (node 21): a party objects to it within its 5 days (node 22) — drawn for each report,
        keyed by its number, so an upheld objection's new report is drawn afresh and the rounds end. Not once the case
        closed, nor once its claim is met (``DisposalClerk._selling``)."""
        if not self._selling(k):
            return
        self.d.serve_report(k, asset)
        lot = self.d.lots[(k, asset)]
        n, until = lot.reports, lot.objection_until
        if until is None or self.objected <= 0 or self._draw(k, asset, f"objected{n}") >= self.objected:
            return
        # the party's written objection (no staff time), somewhere in the first four fifths of the window
        at = self.a.now + (until - self.a.now) * (0.8 * self._draw(k, asset, f"objected_at{n}"))
        self.a._call_at(at, lambda: self._object(k, asset, n))  # the party's act (``Clerk._act``)

    def _object(self, k: str, asset: str, n: int) -> None:
        lot = self.d.lots[(k, asset)]
        if lot.reports != n or lot.stage != "reported" or not self._open(k):
            return  # the report was replaced, or the case closed meanwhile
        try:
            self.d.object(k, asset, by="被执行人")
        except UserError as err:  # refused (a node frozen): counted, and the window closes with none pending
            self.a.refused[err.code] = self.a.refused.get(err.code, 0) + 1
            return
        if lot.objection != "pending":
            return  # its record refused: the lot as it was
        upheld = self._draw(k, asset, f"upheld{n}") < self.upheld
        instance = self.d.report_instance(asset, n)
        # the handler's review (node 22: 15 days), ordered by its deadline; upheld: a new 委托评估
        self.a._work("price_objection", k, lambda: self._review(k, asset, n, upheld), node=(k, 22, instance))

    def _review(self, k: str, asset: str, n: int, upheld: bool) -> None:
        lot = self.d.lots[(k, asset)]
        if lot.reports == n and lot.objection == "pending" and self._selling(k):
            self.d.review_objection(k, asset, upheld)

    def _n_price_fixed(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if not self._selling(k):  # the claim met meanwhile: not listed
            return
        pct = self._start_pct(k, asset)  # 70–85% of the reference price

        def notify() -> None:  # then the listing — neither once the claim is met (``_notify``, ``_list`` look again)
            self._notify(k, asset)
            if self._selling(k):
                self._work("list", k, lambda: self._list(k, asset, pct), LIST_AFTER_NOTICE)

        self._work("notify_parties", k, notify)

    def _n_unsold(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if not self._selling(k):  # closed, or the claim met: the lot is sold no further (released at the closing)
            return
        if data["round"] == "first":
            # the second auction starts within 30 days of the 流拍, after a 7 / 15 days' notice (node 26's deadline,
            # frozen when missed): the relisting is done out of turn if the judge's queue would miss that
            cut = self._cut_pct(k, asset)  # 10–20% below the first
            within = relist_within(self.d.lots[(k, asset)].klass)
            last = self.a.now + within

            def notify() -> None:  # the second auction's own notice first (node 24 for every round, H71)
                self._notify_round(k, asset)
                if self._selling(k):
                    self._work("relist", k, lambda: self._relist(k, asset, cut), LIST_AFTER_NOTICE,
                               within=max(NOW, last - self.a.now - LIST_AFTER_NOTICE))

            self._work("notify_parties", k, notify, within=within - LIST_AFTER_NOTICE)
        elif data["round"] == "second":
            accept = self._draw(k, asset, "in_kind") < 0.25  # the creditor takes it in kind
            self._work("in_kind", k, lambda: self._offer_in_kind(k, asset, accept))
        else:  # 变卖 found no buyer: nothing more to take here
            self.a._maybe_zhongben(k)

    def _n_buyer_defaulted(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """悔拍: the re-auction is a work item of the relisting's type (``DisposalClerk._reauction``), after the
        parties' notice of it (an auction round's, node 24: H71) — none once the claim is met (the deposit reaches the
        case at the closing)."""
        if not self._selling(k):
            return
        if self.d.lots[(k, asset)].round == "sale":  # a 变卖 is no 拍卖: no notice (node 24)
            self._work("relist", k, lambda: self._reauction(k, asset))
            return

        def notify() -> None:  # the re-auction's own notice first (node 24 for every round, H71)
            self._notify_round(k, asset)
            if self._selling(k):
                self._work("relist", k, lambda: self._reauction(k, asset), LIST_AFTER_NOTICE)

        self._work("notify_parties", k, notify)

    def _offer_in_kind(self, k: str, asset: str, accept: bool) -> None:
        """以物抵债 asked of the creditor — unless the case closed while the ask waited in the judge's queue (paid in
        full by another sale: a property taken in kind then had no claim left to meet, its SatisfiedInKind refused
        CASE_CLOSED), or the creditor would take it with the claim met meanwhile (``_met``: nothing owed to take it
        for); refused: 变卖, announced within node 28's 15 days, out of turn if the queue would miss them — its act not
        taken once the claim is met (``_sale``). (A refusal is told even then, and the 变卖 queued: the judge's order
        of two lots' asks at one instant then decides nothing — a run with lost answers orders them otherwise than one
        with timeouts, and the two runs stay the same to the staff item.)"""
        if not self._open(k) or (accept and self._met(k)):
            return
        self.d.offer_in_kind(k, asset, accept)
        if not accept:
            self._work("sale", k, lambda: self._sale(k, asset), within=SALE_WITHIN)

    def _n_in_kind(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """The creditor took the property at the reserve price: the ruling, the hand-over; the claim is met as far as
        the price goes (执行完毕 when it covers what is left, otherwise the case goes on)."""
        self._transfer(k, asset)
        if data["outstanding_cents"] == 0:  # the value taken satisfied the claim (SatisfiedInKind)
            self.a._cmd(12 * DAY, closing(self.a.p.process, k, "completed"))
        if self._open(k) and self._met(k):  # the other lots' rounds not begun are withdrawn
            self._stop_rounds(k)

    def _n_proceeds_arrived(self, k: str, asset: str, data: dict[str, Any]) -> None:
        receipt, amount = data["receipt"], data["amount"]
        self.sold += 1
        self.a._payout(k, receipt, lambda: self._pay(k, receipt, amount))
        self._work("confirm", k, lambda: (self.d.confirm_sale(k, asset), self._transfer(k, asset)))

    def _n_deposit_arrived(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """悔拍 (H56): a defaulted buyer's forfeited deposit in the case account — paid out as a sale's price is; no
        sale to confirm."""
        receipt, amount = data["receipt"], data["amount"]
        self.a._payout(k, receipt, lambda: self._pay(k, receipt, amount))

    def _transfer(self, k: str, asset: str) -> None:
        """The 过户 ruling to the registry, then the hand-over once the ruling has been served."""
        self._work("transfer", k, lambda: (self.d.transfer(k, asset), self._work(
            "hand_over", k, lambda: self._hand_over(k, asset), HAND_OVER_AFTER)))
