"""The simulated handler disposes of real estate and vehicles (issue 12), alongside :class:`sim.clerk.Clerk` — and of
frozen property that is not money (股权, 证券: the process's 划拨 ``asset_kinds`` leave it out), from its freeze on
(node 19, then the pricing and auction below, as an other property right: 30 / 15 days' notice).

After the 集约查询 the handler queries the real-estate and vehicle registries (网络查控, node 9); what they report is
sealed (node 17) while the claim is not covered, the property investigated (node 19), priced on the pricing platform
(node 20: 网络询价, or 委托评估 for one in five), the report served (node 21), the parties notified (node 24) and the
property listed (node 23, 25) at 70–85% of the reference price; a 流拍 is re-auctioned 10–20% cheaper (node 26), the
parties notified of it first (node 24 for every auction round, as for a re-auction after a 悔拍);
after a second 流拍 the creditor is asked (node 29) and takes it in kind (one in four) or refuses and it goes to 变卖
(node 28). The buyer's payment is registered and paid out like deducted money — the claim to the applicant, any
surplus back to the debtor — the sale confirmed (node 27), the ruling served and the property handed over (node 30):
the registry records the buyer (or the creditor) as the new owner on the ruling (过户, 15) and the seal ends with it, so
a later query or 终本 sweep does not report the property under the debtor — nothing for the court to remember.
Delays follow the clerk's diligence, so late nodes freeze and 督办 items arise as in life. The clerk keeps a case with
a disposal under way from 终本. The court's platform needs a disposal port (``platform.disposal.port``).

Once the claim is met (``DisposalClerk._met``: by what the applicant was paid, escrowed or took in kind) nothing more
is sold: the handler neither seals what is found, nor prices,
serves a report, notifies, lists, relists, asks the creditor in kind, starts a 变卖 nor re-auctions after a 悔拍 — and
withdraws each round listed whose bidding has not begun (``_stop_rounds``); a round begun runs to its end. The lots
left end as the process lets them: the seal is released at the closing (执行完毕), which the last payment asks for.
拍卖变卖规定 第十四条 as commonly published (unconfirmed, not in LAW.md): "拍卖多项财产时，其中部分财产卖得的价款
足以清偿债务和支付被执行人应当负担的费用的，对剩余的财产应当停止拍卖" — and 第二十条 (withdrawn before the auction
begins where the debtor has paid in full). Before (review R26 F6), the handler sold on: a year with 悔拍 had 22
of 641 rounds listed after a surplus had gone back to the debtor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core_flow.engine import Event, EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError

if TYPE_CHECKING:
    from sim.clerk import Clerk

from core_flow.platform.disposal import LISTED, OTHER_RIGHT, SECOND_ANNOUNCE_DAYS
from mock_agencies.platform_periods import RELIST_WITHIN, SALE_ANNOUNCE_WITHIN
from sim.clerk import DAY, HOUR
from sim.manners import authority_ref, closing

REGISTRIES = ("real_estate_registry", "vehicle_registry")
# A lot's stages while its disposal is under way: from the seal to the hand-over (node 30) — sold and paid, confirmed,
# taken in kind and transferred included (a 终本 queued before then fired while nodes 27 or 30 were open)
_BUSY = frozenset({"sealing", "sealed", "pricing", "reported", "fixed", "listed", "unsold1", "relisted", "unsold2",
                   "in_kind", "declined", "sale", "sold", "paid", "confirmed", "transferred",
                   "defaulted"})  # (悔拍: re-auctioned — ``_n_buyer_defaulted``)


LIST_AFTER_NOTICE = 3 * DAY + HOUR  # the parties are told of the auction before it is listed
HAND_OVER_AFTER = 11 * DAY  # the hand-over after the ruling is served
SALE_WITHIN = (SALE_ANNOUNCE_WITHIN.days - 1) * DAY  # 变卖 announced within 15 days of the refusal in kind


def relist_within(klass: str) -> timedelta:
    """How long after a first 流拍 the relisting may be asked for: the second auction starts within 30 days of it,
    after a 7 / 15 days' notice (and 10:00 the day after it) — the platform refuses a later one."""
    return (RELIST_WITHIN.days - SECOND_ANNOUNCE_DAYS[klass] - 2) * DAY


class DisposalClerk:
    def __init__(self, clerk: Clerk) -> None:
        self.c = clerk
        self.p = clerk.p
        self.d = clerk.p.disposal
        self.rng = clerk.rng
        self.sold = 0
        self.paid_cents = 0
        # the terms the handler chose for a lot's listing calls (start %, the second auction's cut, the creditor's
        # answer in kind): a call the platform never answered is asked again with the same terms (``_again``)
        self._terms: dict[tuple[str, str, str], Any] = {}
        self._stopping: set[tuple[str, str]] = set()  # the rounds asked withdrawn once the claim was met, by listing
        clerk.busy.append(self.busy)
        # (a payout may meet the claim: the rounds not begun are withdrawn, ``_stop_rounds``)
        self.p.runtime.subscribe(self._on_event, (EventKind.INQUIRY_COMPLETED, EventKind.FUNDS_FROZEN,
                                                  EventKind.PAID_OUT))
        self.p.listeners.append(self._on_notice)

    def takes(self, k: str, asset: str) -> bool:
        """Whether the handler freezes (to dispose of) an online-controllable holding that is not money (股权, 证券…):
        where the court has its pricing and auction platforms."""
        return self.d.port is not None

    def _disposes(self, e: Event) -> bool:
        """A control that starts the disposal (``property_controlled``: a seal, or a freeze of property that is not
        money — ``Disposal.frozen``) in an open case other than a 财产保全 one (preserved property is held for the
        judgment: process.yaml nodes 19–20 do not apply)."""
        k, asset = e.case_id, e.instance
        lot = self.d.lots.get((k, asset))
        state = self.p.runtime.cases[k]
        return (lot is not None and ((e.data or {}).get("measure") == "seal" or lot.klass == OTHER_RIGHT)
                and state.closed_manner is None and state.case_type != "preservation")

    def busy(self, k: str) -> bool:
        return any(lot.stage in _BUSY for (case, _), lot in self.d.lots.items() if case == k)

    def _open(self, k: str) -> bool:
        return self.d.p.runtime.cases[k].closed_manner is None  # (the disposal's platform: a bare clerk has ``d``)

    def _met(self, k: str) -> bool:
        """Whether the money claim is met — nothing left to sell for (拍卖变卖规定 第十四条 as commonly published,
        unconfirmed, not in LAW.md: once part of the property sold suffices for the debt and the costs the debtor
        bears, the rest is not sold): nothing outstanding (the claim less what the applicant was paid, escrowed or took
        in kind: ``CaseState.outstanding_cents``) and no application fee left to settle (process.yaml ``fees``: 0 when
        not charged). Money received and not yet paid out (registered or not) does not count — our choice: the payout
        (nodes 32–33) follows within days, and counted on arrival the handler's decisions hung on the instant an
        agency's or platform's answer reached the court: a year with 30% of calls answered 504 after the act (lost
        answers) and the same year with timeouts ordered the judges' work otherwise (tests/test_lost_answer.py). Nor
        money only frozen (its deduction may fail), nor a sale won and not paid for (the buyer may default, 悔拍)."""
        return self.d.p.runtime.cases[k].claim_met()  # the engine's definition (its anchor ``claim_met``)

    def _selling(self, k: str) -> bool:
        """Whether the handler takes a step toward a sale (a price, its report, the parties' notice, a listing, a
        relisting, the ask in kind, a 变卖, a re-auction): the case open and its claim not met (``_met``)."""
        return self._open(k) and not self._met(k)

    def _case_lots(self, k: str) -> list[str]:
        """The case's assets under disposal."""
        return [asset for (case, asset) in self.d.lots if case == k]

    def _stop_rounds(self, k: str) -> None:
        """The claim met (``_met``): each of the case's rounds listed whose bidding (a 变卖's sale period) has not
        begun is withdrawn (``_withdraw``) — 拍卖变卖规定 第二十条 as commonly published (the debtor's debt paid, before
        the auction begins; unconfirmed, not in LAW.md) and 第十四条 (the rest not sold). A round begun runs to its
        end (its sale honoured); the closing withdraws what is left then."""
        for asset in self._stopped(k):  # by the bidding's start at the latest (a late clerk's too: ``_in_window``)
            starts = getattr(self.d.lots[(k, asset)], "starts_at", None)
            last = DAY if starts is None else max(timedelta(0), starts - self.d.now - 2 * HOUR)
            self._at(self._in_window(DAY, last), lambda asset=asset: self._withdraw(k, asset))

    def _stopped(self, k: str) -> list[str]:
        """The case's lots whose round is listed and not begun and not yet asked withdrawn (each listing once: the
        payout that meets the claim and the surplus's come together)."""
        out = []
        for asset in self._case_lots(k):
            lot = self.d.lots[(k, asset)]
            if self._unbegun(k, asset) and (lot.listing_id, asset) not in self._stopping:
                self._stopping.add((lot.listing_id, asset))
                out.append(asset)
        return out

    def _unbegun(self, k: str, asset: str) -> bool:
        """A round of the lot listed, its bidding (sale period) not begun, and no act on it waiting for the platform."""
        lot = self.d.lots.get((k, asset))
        return (lot is not None and lot.stage in LISTED and lot.pending is None
                and ((starts := getattr(lot, "starts_at", None)) is None or self.d.now < starts))

    def _withdraw(self, k: str, asset: str) -> Any:
        """撤回拍卖 by hand (``Disposal.withdraw_listing``) — unless the case closed meanwhile (the closing withdrew
        it), the claim is no longer met, or the round began (or moved on) while the act waited: it runs to its end."""
        if not (self._open(k) and self._met(k) and self._unbegun(k, asset)):
            return None
        try:
            return self.d.withdraw_listing(k, asset)
        except UserError:  # begun at this instant, or the platform says it began: the round runs to its end
            return None

    def _at(self, delay: Any, action: Any) -> None:
        self.c._at(delay, action)

    def _in_window(self, expected: Any, last: Any) -> Any:
        """The clerk's delay for a step the platform takes only inside a legal window (a second auction starting
        within 30 days of the 流拍, a 变卖 announced within 15 days of the refusal): diligent or late as ever, but a
        late clerk acts on the window's last day at the latest — the platform refuses a request past it, and the lot
        would wait forever, which no court lets happen (the deadline pressure is the point of the window)."""
        delay = self.c._soon(expected)
        return min(delay, last)

    # ── engine events ──
    def _on_event(self, e: Event) -> None:
        if self.d.port is None:
            return
        if e.kind == "inquiry_completed" and self._open(e.case_id):
            k = e.case_id
            for debtor in self.p.runtime.cases[k].identity:
                for n, registry in enumerate(REGISTRIES):
                    self._at(2 * HOUR + n * HOUR,
                             lambda debtor=debtor, registry=registry: self.p.manual_query(k, debtor, registry))
        elif e.kind == "paid_out":
            if self._open(e.case_id) and self._met(e.case_id):
                self._stop_rounds(e.case_id)
        elif e.kind == "funds_frozen" and self._disposes(e) and self._selling(e.case_id):
            # (a seal taken over after its disposal ended unsold has no lot: it stays; the claim met: nothing to price)
            k, asset = e.case_id, e.instance
            method = "appraisal" if self.rng.random() < 0.2 else "network_inquiry"
            self._at(self.c._soon(10 * DAY), lambda: self.d.investigate(k, asset))
            self._at(self.c._soon(15 * DAY) + HOUR, lambda: self._price(k, asset, method))

    def _price(self, k: str, asset: str, method: str) -> None:
        if self.d.lots[(k, asset)].stage == "sealed" and self._selling(k):
            self.d.price(k, asset, method)

    def _serve_report(self, k: str, asset: str) -> Any:
        return self.d.serve_report(k, asset) if self._selling(k) else None

    def _notify(self, k: str, asset: str) -> Any:
        return self.d.notify_parties(k, asset) if self._selling(k) else None

    def _notify_round(self, k: str, asset: str) -> Any:
        """The parties told of the next auction round (node 24 for every round announced, H71): the second auction's
        after a first 流拍, a re-auction's after a 悔拍 of an auction round (a 变卖 re-auctioned has none) — unless the
        lot moved on meanwhile (taken in kind, the case closed, the claim met) or an act of it is being retried."""
        lot = self.d.lots.get((k, asset))
        if lot is None or lot.pending is not None or not self._selling(k):
            return None
        if lot.stage == "unsold1" or (lot.stage == "defaulted" and lot.round != "sale"):
            return self.d.notify_parties(k, asset)
        return None

    def _relist(self, k: str, asset: str, cut: int) -> Any:
        return self.d.relist(k, asset, cut_pct=cut) if self._selling(k) else None

    def _reauction(self, k: str, asset: str) -> Any:
        """重新拍卖 after the buyer's default (悔拍): the round again (``Disposal.relist`` on a ``defaulted`` lot) —
        unless the case closed meanwhile, its claim was met (``_met``) or the lot moved on (taken in kind by
        agreement)."""
        lot = self.d.lots.get((k, asset))
        if lot is None or lot.stage != "defaulted" or lot.pending is not None or not self._selling(k):
            return None
        return self.d.relist(k, asset)

    def _n_buyer_defaulted(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """The buyer did not pay the balance (悔拍, ``buyer_defaulted``): the round is re-auctioned — the lot's
        disposal goes on (the process's 终本 gate holds a lot found and not disposed of: PROPERTY_IN_DISPOSAL), and
        the old buyer may not bid. (A simulated court gives no lot up after a default: each re-auction ends sold,
        unsold — the rounds go on as after any 流拍 — or defaulted again, at the profile's rate.)"""
        if self._selling(k):  # the claim met meanwhile: not re-auctioned (the deposit reaches the case at the closing)
            # the parties told of the re-auction first (node 24, H71), 3 days before it is listed
            notify = max(self.c._soon(10 * DAY) - LIST_AFTER_NOTICE, timedelta(0))
            self._at(notify, lambda: self._notify_round(k, asset))
            self._at(notify + LIST_AFTER_NOTICE, lambda: self._reauction(k, asset))

    def _reprice(self, k: str, asset: str, method: str) -> None:
        """The price asked again (the same ``price`` act): its request gave up — the platform unreachable through the
        gateway's retries and the rounds after (process.yaml node 20 ``platform_retry``) — and nothing since asked it
        (the first price, or the new one after an upheld objection, whose node 20 ``restart`` runs meanwhile)."""
        lot = self.d.lots.get((k, asset))
        if lot is None or lot.pending is not None or not self._selling(k):
            return
        if lot.stage == "sealed" or (lot.stage == "reported" and lot.objection == "upheld"):
            self.d.price(k, asset, method)

    def _again(self, k: str, asset: str, what: str) -> None:
        """A listing call asked again (the same act, the same terms): it gave up — the auction platform unreachable
        through the gateway's retries and the rounds after (process.yaml node 20 ``platform_retry``), or a round not
        made for a frozen node — and the lot still waits for it. (Before session 29 the clerk asked only a price again:
        a lot whose first auction, 二拍, 变卖 or in-kind answer gave up stayed where it was for good.)"""
        lot = self.d.lots.get((k, asset))
        if lot is None or lot.pending is not None or not self._selling(k):
            return
        def act() -> Any:
            if what == "auction:first" and lot.stage == "fixed":
                return self._list(k, asset, self._start_pct(k, asset))
            if what == "auction:second" and lot.stage == "unsold1":
                return self.d.relist(k, asset, cut_pct=self._cut_pct(k, asset))
            if what in _IN_KIND and lot.stage == "unsold2":
                return self._ask_in_kind(k, asset, what == "in_kind")
            if what == "auction:reauction":
                return self._reauction(k, asset)
            return self._sale(k, asset) if what == "auction:sale" else None

        again_stale(act)

    def _start_pct(self, k: str, asset: str) -> int:
        """The first auction's start (% of the reference price) the handler chose (``_n_price_fixed``)."""
        return int(self._terms.get((k, asset, "auction:first"), 70))

    def _cut_pct(self, k: str, asset: str) -> int:
        """The second auction's cut the handler chose (``_n_unsold``)."""
        return int(self._terms.get((k, asset, "auction:second"), 20))

    def _ask_in_kind(self, k: str, asset: str, accept: bool) -> Any:
        """The creditor's answer told again; refused: the 变卖 too — the one the first ask scheduled found the
        refusal not yet recorded (``_sale`` does nothing before it). Not taken in kind once the claim is met
        (``_met``: nothing owed to take it for); a refusal is told, its 变卖 not started then (``_sale``)."""
        if not self._open(k) or (accept and self._met(k)):
            return None
        out = self.d.offer_in_kind(k, asset, accept)
        if not accept:
            self._at(self._in_window(15 * DAY, SALE_WITHIN), lambda: self._sale(k, asset))
        return out

    # ── platform notices ──
    def _n_disposal_gave_up(self, k: str, asset: str, data: dict[str, Any]) -> None:
        what = str(data.get("what"))
        if not self._selling(k):  # closed, or the claim met meanwhile: nothing to ask again
            return
        if what in _PRICING:
            self._at(self.c._soon(DAY), lambda: self._reprice(k, asset, what))
        elif what in _LISTING_CALLS:
            self._at(self.c._soon(DAY), lambda: self._again(k, asset, what))

    def _n_disposal_refused(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """A later round of a request not made: its node froze while it waited (its deadline missed; review R10) —
        asked again like a request given up; the clerk's act, refused ``node_frozen``, waits for the unfreeze
        (``Clerk._run``). Or a later round of a listing call refused as invalid when the platform came back: the
        start the court kept for it went stale (the platform never took it; the refusal cleared it) — asked again,
        from now."""
        if refused_to_ask_again(data):
            self._n_disposal_gave_up(k, asset, data)

    def _on_notice(self, kind: str, data: dict[str, Any]) -> None:
        if self.d.port is None or kind not in _NOTICES:
            return
        getattr(self, f"_n_{kind}")(data["case_id"], data["asset"], data)

    def _n_property_found(self, k: str, asset: str, data: dict[str, Any]) -> None:
        state = self.p.runtime.cases[k]
        if state.closed_manner == "zhongben":  # found by a 终本 sweep (or a clue): sealed, then 恢复执行 (sim.clerk)
            self._at(self.c._soon(DAY), lambda: self.d.seal(k, asset))
            return
        covered = self.c._reserved.get(k, 0) >= state.amount_cents
        if covered or not self._selling(k):  # the claim is covered by what was frozen, or met: no seal needed
            self.c._cmd(HOUR, c.CompleteNode(k, 17, asset))
            return
        self._at(self.c._soon(DAY), lambda: self.d.seal(k, asset))

    def _n_price_reported(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if self._selling(k):
            self._at(self.c._soon(3 * DAY), lambda: self._serve_report(k, asset))

    def _n_price_fixed(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if not self._selling(k):  # the claim met meanwhile: not listed
            return
        notify = self.c._soon(6 * DAY)
        pct = self._terms[(k, asset, "auction:first")] = self.rng.randint(70, 85)
        self._at(notify, lambda: self._notify(k, asset))
        self._at(notify + LIST_AFTER_NOTICE, lambda: self._list(k, asset, pct))

    def _list(self, k: str, asset: str, pct: int) -> Any:
        """The first auction — or, when the reference price lapsed while the listing waited (a year in a judge's
        queue: 参考价规定 (2018), valid 1 year; the platform refuses the listing), a new price first: asked again,
        and listed when it is fixed (``_n_price_fixed``)."""
        lot = self.d.lots[(k, asset)]
        if not self._selling(k):  # closed (``Disposal._open_for_sale``), or the claim met, while the listing waited
            return None
        if lot.stage == "fixed" and self.d.lapsed(lot) is not None:
            return self.d.price(k, asset, "network_inquiry")
        return self.d.list(k, asset, start_pct=pct)

    def _n_unsold(self, k: str, asset: str, data: dict[str, Any]) -> None:
        if not self._selling(k):  # closed, or the claim met: the lot is sold no further (released at the closing)
            return
        if data["round"] == "first":
            cut = self._terms[(k, asset, "auction:second")] = self.rng.randint(10, 20)
            # the second auction starts within 30 days of the 流拍 after a 7 / 15 days' notice (and 10:00 the day
            # after it): asked for early, and by the last day that still fits
            # the parties told of the second auction 3 days before it is listed (node 24 for every round, H71)
            last = relist_within(self.d.lots[(k, asset)].klass)
            notify = max(self._in_window(12 * DAY, last) - LIST_AFTER_NOTICE, timedelta(0))
            self._at(notify, lambda: self._notify_round(k, asset))
            self._at(notify + LIST_AFTER_NOTICE, lambda: self._relist(k, asset, cut))
        elif data["round"] == "second":
            accept = self.rng.random() < 0.25
            ask = self.c._soon(10 * DAY)
            self._at(ask, lambda: self.d.offer_in_kind(k, asset, accept)
                     if self._open(k) and not (accept and self._met(k)) else None)
            if not accept:  # refused: 变卖, announced within 15 days of the refusal
                self._at(ask + self._in_window(15 * DAY, SALE_WITHIN), lambda: self._sale(k, asset))
        else:  # 变卖 found no buyer: nothing more to take here
            self._at(DAY, lambda: self.c._maybe_zhongben(k))

    def _sale(self, k: str, asset: str) -> None:
        if self.d.lots[(k, asset)].stage == "declined" and self._selling(k):
            self.d.start_sale(k, asset)

    def _n_in_kind(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """The creditor took the property at the reserve price: the ruling, the hand-over; the claim is met as far as
        the price goes (执行完毕 when it covers what is left, otherwise the case goes on)."""
        self._at(self.c._soon(10 * DAY), lambda: self.d.transfer(k, asset))
        self._at(HAND_OVER_AFTER + self.c._soon(15 * DAY), lambda: self._hand_over(k, asset))
        if data["outstanding_cents"] == 0:  # the value taken satisfied the claim (SatisfiedInKind)
            self.c._cmd(12 * DAY, closing(self.p.process, k, "completed"))
        if self._open(k) and self._met(k):  # the other lots' rounds not begun are withdrawn
            self._stop_rounds(k)

    def _n_proceeds_arrived(self, k: str, asset: str, data: dict[str, Any]) -> None:
        receipt, amount = data["receipt"], data["amount"]
        self.sold += 1
        self.c._cmd(self.c._soon(3 * DAY), c.RegisterReceipt(k, receipt))
        self.c._cmd(4 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "bureau_head")))
        self.c._cmd(5 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "vice_president")))
        self._at(5 * DAY + self.c._soon(20 * DAY), lambda: self._pay(k, receipt, amount))
        confirm = self.c._soon(10 * DAY)
        self._at(confirm, lambda: self.d.confirm_sale(k, asset))
        self._at(confirm + self.c._soon(10 * DAY), lambda: self.d.transfer(k, asset))
        self._at(confirm + HAND_OVER_AFTER + self.c._soon(15 * DAY), lambda: self._hand_over(k, asset))

    def _n_deposit_arrived(self, k: str, asset: str, data: dict[str, Any]) -> None:
        """悔拍 (H56): a defaulted buyer's forfeited deposit in the case account — registered, approved and paid out as
        a sale's price is (to the applicant up to the claim, the surplus back to the debtor); no sale to confirm."""
        receipt, amount = data["receipt"], data["amount"]
        self.c._cmd(self.c._soon(3 * DAY), c.RegisterReceipt(k, receipt))
        self.c._cmd(4 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "bureau_head")))
        self.c._cmd(5 * DAY, c.ApprovePayout(k, receipt, authority_ref(self.p.process, "vice_president")))
        self._at(5 * DAY + self.c._soon(20 * DAY), lambda: self._pay(k, receipt, amount))

    def _hand_over(self, k: str, asset: str) -> Any:
        """交付 (node 30): the lot's disposal ends; with the claim still outstanding and nothing else under way, the
        case goes to 终本 (``Clerk._maybe_zhongben``) — the payment of the proceeds decided nothing while the lot was
        still being transferred."""
        out = self.d.hand_over(k, asset)
        state = self.p.runtime.cases[k]
        if state.closed_manner is None and state.outstanding_cents() > 0:
            self.c._maybe_zhongben(k)
        return out

    def _pay(self, k: str, receipt: str, amount: int, attempt: int = 1) -> Any:
        """The claim's rest to the applicant, the surplus back to the debtor (余款退还), then 执行完毕 if met."""
        state = self.p.runtime.cases[k]
        # the claim's rest (less anything satisfied in kind); nothing after a closing that returns held money (销案…)
        due = 0 if self.c.returns_held(k) else min(amount, state.outstanding_cents())
        out = None
        if due:
            out, due = self._settling_fee(k, receipt, due)
            if out.refusal is not None:  # paid late (node 33 frozen), or too early: again later (Clerk._pay_again)
                self.c._pay_again(k, out.refusal, lambda n: self._pay(k, receipt, amount, n), attempt)
                return out
            self.paid_cents += due
        rest = amount - due
        if state.fee is not None:  # the court charges the 执行申请费: what the receipt holds after it and the applicant
            held = state.receipts.get(receipt)
            rest = held.amount_cents - held.paid_cents if held is not None else rest
        if rest > 0:
            out, _ = self._settling_fee(k, receipt, rest, surplus=True)
        state = self.p.runtime.cases[k]
        if state.closed_manner is None and state.outstanding_cents() == 0:
            self.c._cmd(DAY, closing(self.p.process, k, "completed"))
        elif state.closed_manner is None:
            self.c._maybe_zhongben(k)
        return out

    def _settling_fee(self, k: str, receipt: str, amount: int, surplus: bool = False) -> tuple[Any, int]:
        """A payout of ``amount`` and what the payee got; refused ``FEE_UNSETTLED`` (the court charges the 执行申请费,
        process.yaml ``fees``: settled from the receipt first), the payee gets what the refusal says is left after the
        fee (0: the payout only settles it) — as ``Clerk._pay`` does; before, the refused proceeds stayed held for
        good (and a surplus past the fee was refused BAD_AMOUNT)."""
        out = self.p.pay_out(k, receipt, amount, surplus=surplus)
        if out.refusal is not None and out.refusal.code == "FEE_UNSETTLED" and out.refusal.details[0] < amount:
            amount = out.refusal.details[0]
            out = self.p.pay_out(k, receipt, amount, surplus=surplus)
        return out, amount


_NOTICES = frozenset({"property_found", "price_reported", "price_fixed", "unsold", "proceeds_arrived", "in_kind",
                      "disposal_gave_up", "disposal_refused", "buyer_defaulted", "deposit_arrived"})
def refused_to_ask_again(data: dict[str, Any]) -> bool:
    """A ``disposal_refused`` notice the handler answers by asking again (``_n_disposal_gave_up``): a round not made
    for a frozen node, or a listing call's stale kept start refused (``again_stale``)."""
    code = data.get("code")
    return code == "node_frozen" or (code == "invalid" and data.get("what") in _LISTING_CALLS)


def again_stale(act: Callable[[], Any]) -> Any:
    """``act`` (a listing call asked again), and once more if the platform refuses it as invalid: the start the court
    kept for the unanswered call (``Lot.unstarted``, the same terms in case the platform took it)
    went stale — too short a notice now — so the platform never took it; the refusal cleared it, and the act once more
    takes a start from now."""
    try:
        return act()
    except UserError as err:
        if err.code != "invalid":
            raise
    return act()


_PRICING = ("network_inquiry", "appraisal")  # a pricing request's ``what`` in the platform notices
_IN_KIND = ("in_kind", "in_kind:refused")  # the creditor's answer told to the platform (accepted, refused)
# the auction acts asked again (the re-auction after a buyer's default too)
_LISTING_CALLS = ("auction:first", "auction:second", "auction:sale", *_IN_KIND, "auction:reauction")
