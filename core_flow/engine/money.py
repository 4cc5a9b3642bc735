"""Control and money: freezes confirmed by agencies, 划拨 into the 一案一账号, 到账, 案款发放 (nodes 17, 31–33).

Amounts are integer cents, kept per asset and per receipt, so that the case reconciles to the cent with the
agencies' ledgers and the court's account. The deadlines are the nodes' own (process.yaml): a confirmed freeze
starts node 31 (7 days) — a freeze of money; one of other property (股权, 证券) and a seal start the disposal
(nodes 19–20, ``control_anchor``) —, money arriving starts nodes 32 (3 days) and 33 (30 days). In a 财产保全 case node
31 does not apply by default (process.yaml: preserved money is held, not 划拨'd or paid out).
The payout approval follows node 33's ``approval_chain`` (执行局长 → 分管副院长) in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.engine.core import EngineCore
from core_flow.engine.events import EVENT_KIND, Event, EventKind, Outcome
from core_flow.engine.state import (
    BLOCKING,
    NODE_STATUS,
    AssetMoney,
    CaseState,
    Receipt,
)
from core_flow.model import Process


def control_anchor(process: Process, measure: str, kind: str = "") -> str:
    """The anchor a control measure starts. A freeze of money: the 划拨 (node 31, ``freeze_effective``). A seal, or
    a freeze of property that is not money — 股权, 证券, other property, disposed of (变价: 参考价, auction), never
    deducted: the disposal (nodes 19–20, ``property_controlled``). What is money is the 划拨 node's ``asset_kinds``
    (process.yaml); an asset of unknown kind (``""``) counts as money, as every freeze did before kinds were told."""
    if measure == "seal":
        return "property_controlled"
    kinds = process.by_no[process.roles.deduction].asset_kinds
    if kind and kinds and kind not in kinds:
        return "property_controlled"
    return "freeze_effective"


class MoneyRules:
    def __init__(self, engine: EngineCore) -> None:
        self.e = engine

    def commands(self) -> dict[type, Any]:
        """The commands this rule set handles."""
        return {
            c.FreezeConfirmed: self._freeze_confirmed,
            c.FreezeReleased: self._freeze_released,
            c.FreezeRenewed: self._freeze_renewed,
            c.DeductionConfirmed: self._deduction_confirmed,
            c.FreezeQueued: self._freeze_queued,
            c.ProceedsArrived: self._proceeds_arrived,
            c.SatisfiedInKind: self._satisfied_in_kind,
            c.ApprovePayout: self._approve_payout,
            c.PayOut: self._pay_out,
            c.RegisterReceipt: self._register_receipt,
            c.Escrow: self._escrow,
        }

    def _freeze_confirmed(self, state: CaseState, cmd: c.FreezeConfirmed, now: datetime,
                          out: Outcome) -> None:
        if cmd.amount_cents <= 0:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", "冻结金额须大于零", "the frozen amount must be positive")
            return
        asset = state.assets.get(cmd.asset)
        if asset is not None and asset.agency != cmd.agency:
            self.e._refuse(out, cmd, now, "ASSET_AGENCY", f"财产 {cmd.asset} 属于 {asset.agency}",
                         f"asset {cmd.asset} belongs to {asset.agency}")
            return
        first = asset is None or asset.frozen_cents == 0  # the first money it controls (a 轮候 took effect)
        anchor = control_anchor(self.e.process, cmd.measure, cmd.kind)
        arms = self.e._plan(state, anchor, cmd.asset, now) if first else []
        if asset is None:
            asset = state.assets[cmd.asset] = AssetMoney(cmd.agency)
        asset.frozen_cents += cmd.amount_cents
        asset.freeze_id = cmd.freeze_id or asset.freeze_id
        asset.account_no = cmd.account_no or asset.account_no
        asset.expires_at = cmd.expires_at or asset.expires_at
        asset.released = False
        kind = {"kind": cmd.kind} if cmd.kind else {}  # told by the agency: what the control starts (above)
        out.events.append(self.funds_frozen(state, cmd.asset, asset, cmd.amount_cents, cmd.freeze_id, cmd.account_no,
                                            cmd.measure, now, **kind))
        self.e._apply(state, arms, now, out)

    def funds_frozen(self, state: CaseState, key: str, asset: AssetMoney, amount_cents: int, freeze_id: str,
                     account_no: str, measure: str, now: datetime, **extra: Any) -> Event:
        """The event of a freeze (or seal) controlling ``amount_cents`` more of ``asset``: confirmed by the agency,
        or taken over from the 终本 case (``ResumptionRules._take_over``)."""
        return Event(now, state.case_id, EVENT_KIND.FUNDS_FROZEN, self.e.roles.control, key, None,
                     {"agency": asset.agency, "amount_cents": amount_cents, "freeze_id": freeze_id,
                      "account_no": account_no, "frozen_cents": asset.frozen_cents, "expires_at": asset.expires_at,
                      "measure": measure, **extra})

    def _freeze_queued(self, state: CaseState, cmd: c.FreezeQueued, now: datetime, out: Outcome) -> None:
        """轮候登记: the measure is registered behind others; the money is confirmed when it takes effect."""
        asset = state.assets.get(cmd.asset)
        if asset is not None and asset.agency != cmd.agency:
            self.e._refuse(out, cmd, now, "ASSET_AGENCY", f"财产 {cmd.asset} 属于 {asset.agency}",
                           f"asset {cmd.asset} belongs to {asset.agency}")
            return
        if asset is None:
            asset = state.assets[cmd.asset] = AssetMoney(cmd.agency)
        asset.freeze_id = cmd.freeze_id or asset.freeze_id
        asset.released = False
        out.events.append(Event(now, state.case_id, EventKind.FREEZE_QUEUED, self.e.roles.control, cmd.asset, None,
                                {"agency": cmd.agency, "freeze_id": cmd.freeze_id, "queue_position": cmd.queue_position,
                                 "measure": cmd.measure}))

    def _freeze_renewed(self, state: CaseState, cmd: c.FreezeRenewed, now: datetime, out: Outcome) -> None:
        asset = state.assets.get(cmd.asset)
        if asset is None or not asset.active:
            self.e._refuse(out, cmd, now, "NO_FREEZE", f"财产 {cmd.asset} 没有生效的冻结",
                         f"no active freeze on {cmd.asset}")
            return
        if asset.expires_at is not None and cmd.expires_at <= asset.expires_at:
            self.e._refuse(out, cmd, now, "NOT_LATER", "续行后的期限应晚于原期限",
                         "a renewal must end later than the term")
            return
        previous, asset.expires_at = asset.expires_at, cmd.expires_at
        out.events.append(Event(now, state.case_id, EventKind.FREEZE_RENEWED, self.e.roles.control, cmd.asset, None,
                                {"agency": asset.agency, "previous": previous, "expires_at": cmd.expires_at}))

    def _freeze_released(self, state: CaseState, cmd: c.FreezeReleased, now: datetime,
                         out: Outcome) -> None:
        asset = state.assets.get(cmd.asset)
        if asset is None or not asset.active:
            self.e._refuse(out, cmd, now, "NO_FREEZE", f"财产 {cmd.asset} 没有生效的冻结",
                         f"no active freeze on {cmd.asset}")
            return
        asset.released = True
        out.events.append(Event(now, state.case_id, EVENT_KIND.FREEZE_RELEASED, self.e.roles.control, cmd.asset, None,
                                {"agency": asset.agency, "released_cents": asset.frozen_cents - asset.deducted_cents}))

    def _deduction_confirmed(self, state: CaseState, cmd: c.DeductionConfirmed, now: datetime,
                             out: Outcome) -> None:
        asset = state.assets.get(cmd.asset)
        if asset is None:
            self.e._refuse(out, cmd, now, "NO_FREEZE", f"财产 {cmd.asset} 没有冻结记录", f"no freeze on {cmd.asset}")
            return
        available = asset.frozen_cents - asset.deducted_cents
        if cmd.amount_cents <= 0 or cmd.amount_cents > available:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", f"扣划金额应在 1 至 {available} 分之间",
                         f"the deducted amount must be between 1 and {available} cents", (available,))
            return
        arms = self._arrival_plan(state, cmd, now, out)
        if arms is None:
            return
        asset.deducted_cents += cmd.amount_cents
        state.receipts[cmd.receipt] = Receipt(cmd.asset, cmd.amount_cents)
        out.events.append(Event(now, state.case_id, EVENT_KIND.FUNDS_ARRIVED, self.e.roles.deduction, cmd.asset, None,
                                {"receipt": cmd.receipt, "amount_cents": cmd.amount_cents,
                                 "agency": asset.agency}))
        self.e._apply(state, arms, now, out)

    def _arrival_plan(self, state: CaseState, cmd: c.DeductionConfirmed | c.ProceedsArrived, now: datetime,
                      out: Outcome) -> list | None:
        """Money arriving as a new receipt: refused if the receipt exists, else the deadlines it starts (32, 33)."""
        if cmd.receipt in state.receipts:
            self.e._refuse(out, cmd, now, "RECEIPT_EXISTS", f"到账记录 {cmd.receipt} 已存在",
                           f"receipt {cmd.receipt} already recorded")
            return None
        return self.e._plan(state, "money_arrived", cmd.receipt, now)

    def _proceeds_arrived(self, state: CaseState, cmd: c.ProceedsArrived, now: datetime, out: Outcome) -> None:
        """变价款到账: a sale's proceeds; 到账登记 and 案款发放 (nodes 32–33) follow as for a deduction."""
        if cmd.amount_cents <= 0:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", "变价款金额须大于零", "the proceeds must be positive")
            return
        arms = self._arrival_plan(state, cmd, now, out)
        if arms is None:
            return
        state.receipts[cmd.receipt] = Receipt(cmd.asset, cmd.amount_cents, source=cmd.source)
        out.events.append(Event(now, state.case_id, EVENT_KIND.PROCEEDS_ARRIVED, None, cmd.asset, None,
                                {"receipt": cmd.receipt, "amount_cents": cmd.amount_cents, "source": cmd.source}))
        self.e._apply(state, arms, now, out)

    def _satisfied_in_kind(self, state: CaseState, cmd: c.SatisfiedInKind, now: datetime, out: Outcome) -> None:
        """以物抵债裁定: the claim is reduced by the accepted value, up to what is outstanding; a value beyond it is the
        difference the creditor pays in (补交差额, 拍卖变卖规定 第十六条), a surplus of no concern to the claim.
        Once per asset; the amounts are in the event (value, credited, difference, outstanding before and after)."""
        if cmd.value_cents <= 0:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", "抵债价额须大于零", "the in-kind value must be positive")
            return
        if cmd.asset in state.in_kind:
            self.e._refuse(out, cmd, now, "IN_KIND_EXISTS", f"财产 {cmd.asset} 已以物抵债",
                           f"{cmd.asset} was already taken in kind")
            return
        before = state.outstanding_cents()
        credited = min(cmd.value_cents, before)
        state.in_kind[cmd.asset] = credited
        out.events.append(Event(now, state.case_id, EventKind.SATISFIED_IN_KIND, None, cmd.asset, None,
                                {"value_cents": cmd.value_cents, "credited_cents": credited,
                                 "difference_cents": cmd.value_cents - credited, "outstanding_before_cents": before,
                                 "outstanding_cents": before - credited, "satisfied": before - credited == 0}))
        self._claim_check(state, now, out)

    def _receipt(self, state: CaseState, cmd: c.ApprovePayout | c.PayOut | c.RegisterReceipt | c.Escrow,
                 now: datetime,
                 out: Outcome) -> Receipt | None:
        receipt = state.receipts.get(cmd.receipt)
        if receipt is None:
            self.e._refuse(out, cmd, now, "NO_RECEIPT", f"没有到账记录 {cmd.receipt}", f"no receipt {cmd.receipt}")
        return receipt

    def _approve_payout(self, state: CaseState, cmd: c.ApprovePayout, now: datetime, out: Outcome) -> None:
        receipt = self._receipt(state, cmd, now, out)
        if receipt is None:
            return
        chain = self.e.process.by_no[self.e.roles.payout].approval_chain
        if len(receipt.approvals) >= len(chain):
            self.e._refuse(out, cmd, now, "ALREADY_APPROVED", "案款发放审批已完成", "the payout is already approved")
            return
        expected = chain[len(receipt.approvals)]
        code = self.e._check_authority(cmd, (expected,), now, out)
        if code is None:
            return
        receipt.approvals.append(code)
        out.events.append(Event(now, state.case_id, EVENT_KIND.PAYOUT_APPROVED, self.e.roles.payout, cmd.receipt, None,
                                {"authority": code, "step": len(receipt.approvals), "of": len(chain)}))

    def _pay_out(self, state: CaseState, cmd: c.PayOut, now: datetime, out: Outcome) -> None:
        receipt = self._receipt(state, cmd, now, out)
        if receipt is None:
            return
        chain = self.e.process.by_no[self.e.roles.payout].approval_chain
        if len(receipt.approvals) < len(chain):
            missing = "、".join(self.e.process.authority(a).name for a in chain[len(receipt.approvals):])
            self.e._refuse(out, cmd, now, "PAYOUT_NOT_APPROVED", f"案款发放审批未完成，尚需：{missing}",
                         f"the payout is not approved yet; still needed: {', '.join(chain[len(receipt.approvals):])}")
            return
        if state.status(self.e.roles.receipt, cmd.receipt) != NODE_STATUS.DONE:
            no = self.e.roles.receipt
            self.e._refuse(out, cmd, now, "RECEIPT_NOT_REGISTERED", f"到账未登记（节点{no}）",
                         f"receipt not registered (node {no})")
            return
        if receipt.escrowed:
            self.e._refuse(out, cmd, now, "ESCROWED", "该笔款项已提存", "this receipt is escrowed")
            return
        ns = state.nodes.get((self.e.roles.payout, cmd.receipt))
        if ns is not None and ns.status in BLOCKING:
            self.e._frozen_refusal(out, cmd, now, [ns])
            return
        manner = self.e.process.manners.get(state.closed_manner) if state.closed_manner else None
        returning = manner is not None and manner.returns_held  # closed without enforcing the title (销案, 不予执行…)
        if returning and not cmd.surplus:
            self.e._refuse(out, cmd, now, "RETURN_TO_DEBTOR",
                           f"案件已以“{manner.name}”结案，执行依据未予执行：账户中的款项应退还被执行人（surplus），"
                           "不能发放给申请执行人",
                           f"the case closed as {manner.name} ({manner.code}), its title not enforced: the money held "
                           "goes back to the debtor (surplus), not to the applicant", (manner.code,))
            return
        if cmd.surplus and not returning and (owed := state.outstanding_cents()) > 0:  # 余款退还: after the claim
            self.e._refuse(out, cmd, now, "CLAIM_OUTSTANDING",
                           f"申请执行人的债权尚未清偿（尚欠 {owed} 分），不能退还余款",
                           f"the applicant's claim is not met ({owed} cents outstanding): no surplus is returned",
                           (owed,))
            return
        left = receipt.amount_cents - receipt.paid_cents
        # 执行申请费 (process.yaml ``fees``, off by default: fee_left is then 0 and nothing below changes): what is due
        # now (``basis: enforced``: the fee on what was enforced so far, this receipt included) less what was settled
        # (never negative) is settled from this receipt before the payee when the fee comes first — always before a
        # surplus, before the applicant by ``settle: before_applicant`` or once the claim is met — else right after the
        # applicant's payout that meets the claim. Never from money returned after a closing that did not enforce the
        # title (our reading).
        fee_left = 0 if returning else state.fee_left_cents()
        fee_before, fee_kept = self._fee_parts(state, fee_left, left, cmd.surplus)
        # a payout of 0 only settles the fee, where the fee takes all that is left of the receipt (PROFILE.md 0.3.1);
        # a receipt with more pays someone at least a fen — before (R7), 0 was taken whenever a fee was due
        least = 0 if fee_before and fee_before == left else 1
        if cmd.amount_cents < least or cmd.amount_cents > left:
            self.e._refuse(out, cmd, now, "BAD_AMOUNT", f"发放金额应在 {least} 至 {left} 分之间",
                         f"the paid amount must be between {least} and {left} cents", (left,))
            return
        if cmd.amount_cents > left - fee_before - fee_kept:
            room, fee_part = left - fee_before - fee_kept, fee_before + fee_kept
            whom_zh, whom_en = ("退还被执行人的余款", "a surplus returned") if cmd.surplus else ("发放申请执行人",
                                                                                          "a payout to the applicant")
            self.e._refuse(out, cmd, now, "FEE_UNSETTLED",
                           f"执行申请费尚未结清（尚欠 {fee_left} 分），应{'先' if fee_before else ''}从本笔款项中结算 "
                           f"{fee_part} 分，{whom_zh}至多 {room} 分",
                           f"the application fee is not settled ({fee_left} cents due): {fee_part} cents of this "
                           f"receipt settle it{' first' if fee_before else ''}, {whom_en} may take at most {room} "
                           "cents",
                           (room, fee_left))
            return
        if fee_before:
            out.events.append(self._fee_settled(state, receipt, cmd.receipt, fee_before, now))
        receipt.paid_cents += cmd.amount_cents
        if cmd.surplus:
            receipt.returned_cents += cmd.amount_cents
        fee_after = 0
        if fee_left and not fee_before and state.outstanding_cents() == 0:  # after_applicant: the claim just met
            fee_after = min(fee_left, receipt.amount_cents - receipt.paid_cents)
        data = {"amount_cents": cmd.amount_cents, "paid_cents": receipt.paid_cents + fee_after,
                "settled": receipt.paid_cents + fee_after == receipt.amount_cents, "surplus": cmd.surplus}
        if returning:
            data["closing"] = manner.code  # returned because of the closing, not a surplus over the claim
        out.events.append(Event(now, state.case_id, EVENT_KIND.PAID_OUT, self.e.roles.payout, cmd.receipt, None, data))
        if fee_after:
            out.events.append(self._fee_settled(state, receipt, cmd.receipt, fee_after, now))
        self._claim_check(state, now, out)

    def _claim_check(self, state: CaseState, now: datetime, out: Outcome) -> None:
        """The money claim just met (``CaseState.claim_met``: nothing outstanding — paid out, escrowed, taken in kind —
        and no application fee left to settle; checked after each payout, escrow and taking in kind, the acts that
        lower what is owed or settle the fee) records the anchor ``claim_met`` once per case (event ``claim_met``): the
        deadlines of the steps toward a sale that name it in ``ends_on`` (process.yaml, nodes
        19–26 and 28) are withdrawn on every asset of the case. 拍卖变卖规定 第十四条 as commonly published
        (unconfirmed, not in LAW.md): once the proceeds suffice for the debt and the costs, the rest is not sold — a
        court that rightly stops selling is not frozen for it (H60's leftover: a node-26 freeze held a closing 17
        days). Money received and not yet paid out does not count (the simulated staff's ``DisposalClerk._met`` reads
        the same predicate). Once per case — our choice: nothing in the engine makes a met claim owed again but a fee
        charged on what was enforced (``fees``, off by default) growing with a later receipt; its deadlines are not
        re-armed then (the fee is settled from that receipt's payout, nothing is sold for it). A 恢复执行 is filed as a
        new case, with its own state and anchor."""
        if state.claim_met_at is not None or not state.claim_met():
            return
        state.claim_met_at = now
        out.events.append(Event(now, state.case_id, EVENT_KIND.CLAIM_MET, None, "", None,
                                {"anchor": "claim_met", "amount_cents": state.amount_cents}))
        if state.closed_manner is None:
            # a closed case's selling deadlines ended with the closing (``ClosingRules._do_close``: their timers dead,
            # none armed after it): nothing runs to withdraw. Met by money paid out after the closing (执行完毕 with
            # money held), each was said withdrawn again (review R27 F1)
            self.e._withdraw(state, "claim_met", None, now, out)

    def _fee_parts(self, state: CaseState, fee_left: int, left: int, surplus: bool) -> tuple[int, int]:
        """Of the ``fee_left`` cents of the application fee still to settle, what the ``left`` cents of a receipt
        settle (all 0 when nothing is left to settle): ``before`` — first, before the payee, where the fee comes first
        (always before a surplus, before the applicant by ``settle: before_applicant`` or once the claim is met);
        ``kept`` — by ``after_applicant`` (the applicant up to the claim, then the fee), what the receipt holds beyond
        the claim still owed, kept from a payout to the applicant past the claim (before, the applicant could be paid
        the whole receipt past the claim and the fee was never settled from it)."""
        if not fee_left:
            return 0, 0
        owed = state.outstanding_cents()
        if surplus or self.e.process.fees.application_fee.settle == "before_applicant" or owed == 0:
            return min(fee_left, left), 0
        return 0, min(fee_left, max(0, left - owed))

    def _fee_settled(self, state: CaseState, receipt: Receipt, key: str, amount: int, now: datetime) -> Event:
        """``amount`` of the application fee settled from ``receipt`` (paid out of the case account to the court)."""
        receipt.paid_cents += amount
        receipt.fee_cents += amount
        settled = state.fee_settled_cents()
        return Event(now, state.case_id, EventKind.FEE_SETTLED, self.e.roles.payout, key, None,
                     {"amount_cents": amount, "fee_cents": state.fee_cents, "fee_settled_cents": settled,
                      "paid_cents": receipt.paid_cents, "settled": settled == state.fee_cents})

    def _register_receipt(self, state: CaseState, cmd: c.RegisterReceipt, now: datetime,
                          out: Outcome) -> None:
        """到账登记 (node 32): the operations table completes the node for this receipt."""
        receipt = self._receipt(state, cmd, now, out)
        if receipt is None:
            return
        no = self.e.roles.receipt
        ns = state.nodes.get((no, cmd.receipt))
        if ns is not None and ns.status == NODE_STATUS.DONE:
            self.e._refuse(out, cmd, now, "NODE_DONE", "到账已登记", "the receipt is already registered")
            return
        if ns is not None and ns.status in BLOCKING:
            self.e._frozen_refusal(out, cmd, now, [ns])
            return
        out.events.append(Event(now, state.case_id, EVENT_KIND.RECEIPT_REGISTERED, no, cmd.receipt, None,
                                {"amount_cents": receipt.amount_cents}))
        # the application fee due (``fees``) counts this receipt once node 32 is done (``CaseState.fee_cents``, derived)

    def _escrow(self, state: CaseState, cmd: c.Escrow, now: datetime, out: Outcome) -> None:
        """提存: approved by one of the escrow node's ``approval_any``; settles the receipt's payout (node 33)."""
        receipt = self._receipt(state, cmd, now, out)
        if receipt is None:
            return
        escrow = next((n for n in self.e.process.nodes if n.approval_any), None)
        allowed = escrow.approval_any if escrow is not None else ()
        if receipt.escrowed or receipt.paid_cents >= receipt.amount_cents:
            self.e._refuse(out, cmd, now, "NOTHING_TO_ESCROW", "该笔款项已发放或已提存",
                         "this receipt is already paid out or escrowed")
            return
        # the escrow settles node 33 for the receipt (operations): a frozen node 33 (or 到账登记 before it) is unfrozen
        # first, as for a payout — before, the escrow was taken and the node stayed frozen, its completion blocked
        if frozen := self.e.blocking_nodes(state, self.e.roles.payout, cmd.receipt):
            self.e._frozen_refusal(out, cmd, now, frozen)
            return
        code = self.e._check_authority(cmd, allowed, now, out)
        if code is None:
            return
        if not cmd.reason.strip():  # "填写执行款提存审批表并附具有提存情形的证明材料" (seed 004 节点三十四)
            self.e._refuse(out, cmd, now, "REASON_REQUIRED", "提存须写明提存情形（法定事由）并附证明材料",
                           "an escrow names its grounds (the legal reason) with the evidence")
            return
        fee = self._fee_before_escrow(state, receipt)
        left = receipt.amount_cents - receipt.paid_cents
        if fee and fee == left:  # nothing left for the applicant: the fee takes it (a payout of 0 settles it)
            self.e._refuse(out, cmd, now, "NOTHING_TO_ESCROW",
                           f"本笔款项余额 {left} 分须全部结算执行申请费，无可提存：以金额 0 的发放结算执行申请费",
                           f"the {left} cents left of this receipt all settle the application fee, nothing is "
                           "escrowed: a payout of 0 settles the fee", (left,))
            return
        if fee:
            out.events.append(self._fee_settled(state, receipt, cmd.receipt, fee, now))
        receipt.escrowed = True
        out.events.append(Event(now, state.case_id, EventKind.ESCROWED, escrow.no, cmd.receipt, None,
                                {"authority": code, "amount_cents": receipt.amount_cents - receipt.paid_cents,
                                 "reason": cmd.reason}))
        self._claim_check(state, now, out)

    def _fee_before_escrow(self, state: CaseState, receipt: Receipt) -> int:
        """The application fee an escrow (提存) settles from ``receipt`` first (``settle_before_escrow``, process.yaml
        ``fees``; off or not charged: 0): the escrow stands in for the applicant's payout, so the fee comes out of the
        receipt as it would before that payout — all of what is left of the fee by ``settle: before_applicant`` (or
        once the claim is met), by ``after_applicant`` only what the receipt holds beyond the claim still owed. Never
        from money returned after a closing that did not enforce the title."""
        manner = self.e.process.manners.get(state.closed_manner) if state.closed_manner else None
        if not self.e.process.fees.application_fee.settle_before_escrow or (manner is not None and manner.returns_held):
            return 0
        before, kept = self._fee_parts(state, state.fee_left_cents(), receipt.amount_cents - receipt.paid_cents, False)
        return before + kept

    def held(self, state: CaseState) -> list[dict[str, object]]:
        """The money the case account still holds, per receipt: received, neither paid out nor escrowed (提存)."""
        return [{"receipt": k, "amount_cents": r.amount_cents - r.paid_cents}
                for k, r in state.receipts.items() if not r.escrowed and r.amount_cents > r.paid_cents]

    def _release_plan(self, state: CaseState) -> list[dict[str, object]]:
        """The freezes a closing by 执行完毕 / 终结 releases: every asset still frozen beyond what was deducted."""
        return [{"asset": k, "agency": a.agency, "freeze_id": a.freeze_id, "account_no": a.account_no,
                 "amount_cents": a.frozen_cents - a.deducted_cents}
                for k, a in state.assets.items() if a.active and a.frozen_cents > a.deducted_cents]
