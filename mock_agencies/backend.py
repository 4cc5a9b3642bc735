"""Request handling of the mock agencies — pure domain, no I/O: a ``ControlRequest`` in, a ``Feedback`` out.

The serving layer calls, for one request to one agency:

1. ``validate(agency, request)`` at submission: a ``UserError`` naming the field → 4xx, nothing changed;
2. ``accept(agency, request, ticket, now)`` right after the ticket is issued: side effects at receipt.
   Only a deduction (06) acts here: it is registered as pending (its money reserved — 民诉法解释
   第四百八十四条: a deduction ruling has freezing effect from receipt), and an interim ``Feedback`` with
   ``deduct_status = pending`` is returned (``None`` for every other measure);
3. ``answer(agency, request, ticket, now)`` when the agency's latency has passed: the measure is carried out
   in the ledger and the final ``Feedback`` returned. ``None`` = not ready yet (an unfreeze held by a
   pending deduction on the same freeze): call again later, e.g. after the deduction's own answer.
   Calling ``answer`` again for the same request returns the same result and acts nothing twice.

A measure that became impossible between submission and answer (the freeze lapsed meanwhile, another
court's deduction took the money) is answered with ``ok=False`` and a result code, not an exception.

Result codes (``Feedback.code``; zhixing's own profile, the real interface's codes are not public):
``0000`` 处理成功 / carried out (for a freeze: controlled, maybe partly — see the unsecured remainder);
``0001`` 轮候登记 / queued behind earlier measures (control result 2, queue position);
``0002`` 扣划待处理 / deduction pending (interim answer);
``0003`` 轮候生效或补足 / a later notice (``Feedback.notice``) about an answered freeze or seal: the queued measure
took effect, or a partial one was topped up (``amount_controlled_cents`` = the amount newly controlled);
``1001`` 无可控财产 / nothing to control (control result 2, nothing registered);
``1003`` 不支持网络控制 / the asset cannot be controlled online;
``2001`` 状态不允许 / refused: the state no longer allows the measure (message names the field).

A transfer (15, 过户) names the seal or freeze it acts on and the new owner: the asset leaves the debtor's holdings
and the measure ends, with every 轮候 measure on it (``FreezeState.TRANSFERRED``; see :mod:`mock_agencies.ledger`);
a freeze of part of a holding (equity, securities) transfers that part, the rest stays the debtor's with the other
measures on it (the answer lists them).
Refused at submission (409, nothing changed): an asset already transferred, a measure only queued, another court's
measure; an agency that takes no 15 refuses it like any measure it does not take (``unsupported_measure``).
"""

from __future__ import annotations

from datetime import datetime

from core_flow.errors import UserError
from core_flow.protocol import (
    CODE_NOT_ONLINE,
    CODE_NOTHING_TO_CONTROL,
    CODE_NOTICE,
    CODE_OK,
    CODE_PENDING,
    CODE_QUEUED,
    CODE_REFUSED,
    DEDUCT_STATUS,
    FREEZE_STATE,
    MEASURE,
    MEASURE_NAMES,
    SUBJECT_KIND,
    ControlRequest,
    ControlResult,
    Feedback,
    FreezeState,
    Holding,
    Measure,
    Ticket,
)
from mock_agencies.catalogue import Agency, Catalogue
from mock_agencies.court_accounts import sub_account_no
from mock_agencies.identity import is_valid_id_number, is_valid_uscc
from mock_agencies.ledger import (
    STATE_ZH,
    DeductOutcome,
    FreezeOutcome,
    Ledger,
    LedgerEvent,
    LedgerEventKind,
    TransferOutcome,
    WorldLike,
    check_transfer,
    term_years,
    transferred_error,
)
from mock_agencies.trusted import trusted

__all__ = [  # the result codes are the protocol's (one vocabulary for both sides), re-exported here
    "CODE_NOTHING_TO_CONTROL",
    "CODE_NOTICE",
    "CODE_NOT_ONLINE",
    "CODE_OK",
    "CODE_PENDING",
    "CODE_QUEUED",
    "CODE_REFUSED",
    "AgencyBackend",
]

_feedback_of = trusted(Feedback)  # an answer built from the request (validated on arrival) and the ledger's values

_ON_FREEZE = {Measure.RENEW, Measure.UNFREEZE, Measure.DEDUCT}  # act on a freeze (01)
_ON_SEAL = {Measure.RENEW_SEAL, Measure.UNSEAL}  # act on a seal (11)
_ON_EITHER = {Measure.TRANSFER}  # acts on a seal (11: real estate, vehicles) or a freeze (01: equity, securities)
_CONTROLS = frozenset({Measure.FREEZE, Measure.SEAL})  # take control of a holding (a query's account)
_RENEWALS = frozenset({Measure.RENEW, Measure.RENEW_SEAL})
_RELEASES = frozenset({Measure.UNFREEZE, Measure.UNSEAL})


def ledger_key(request: ControlRequest) -> str:
    """The ledger's idempotency key of a request: request numbers are unique per court, not per agency (another
    court's request under the same number is another request)."""
    return f"{request.court_code}/{request.request_no}"


class AgencyBackend:
    """Validates, accepts and answers 查控 requests for every agency of a catalogue."""

    def __init__(self, catalogue: Catalogue, world: WorldLike, ledger: Ledger) -> None:
        self.catalogue = catalogue
        self.world = world
        self.ledger = ledger
        self.any_case_deducts = False  # the deliberate defect any_case_deducts (mock_agencies.defects): off

    # --- submission ----------------------------------------------------------------------------------

    def validate(self, agency: Agency | str, request: ControlRequest) -> Agency:
        """Check a request against the agency and the current state; returns the agency. Raises
        ``UserError`` naming the field (``measure``, ``subject.id_number``, ``account_no``, ``freeze_id``,
        ``court_code``, ``amount_cents``, ``target_account``, ``term_days``). Changes nothing."""
        ag = self._agency(agency)
        m = request.measure
        if not ag.supports(m):
            zh, en = MEASURE_NAMES[m]
            raise UserError(
                f"{ag.name}不支持措施 {m.value}（{zh}）；支持：{_codes(ag)}",
                f"{ag.name_en} does not support measure {m.value} ({en}); supported: {_codes(ag)}",
                where="measure",
                code="unsupported_measure",
            )
        _check_subject(request)
        if m in _CONTROLS:
            self._check_account(ag, request)
        if m in _ON_FREEZE or m in _ON_SEAL or m in _ON_EITHER:
            self._check_freeze(ag, request)
        if m == MEASURE.DEDUCT:
            self._check_target(request)
        return ag

    def accept(self, agency: Agency | str, request: ControlRequest, ticket: Ticket, now: datetime) -> Feedback | None:
        """Side effects at receipt: a deduction becomes pending (interim feedback returned)."""
        ag = self._agency(agency)
        if request.measure != MEASURE.DEDUCT:
            return None
        outcome = self._deduct(ag, request, now)
        return self._deduct_feedback(ag, request, ticket, now, outcome)

    # --- answer --------------------------------------------------------------------------------------

    def answer(self, agency: Agency | str, request: ControlRequest, ticket: Ticket, now: datetime) -> Feedback | None:
        """Carry out the measure and return the agency's answer (``None``: not ready, ask again later)."""
        ag = self._agency(agency)
        m = request.measure
        try:
            if m == MEASURE.QUERY:
                return self._query(ag, request, ticket, now)
            if m in _CONTROLS:
                return self._freeze(ag, request, ticket, now)
            if m in _RENEWALS:
                outcome = self.ledger.renew(
                    agency=ag.code,
                    freeze_id=request.freeze_id or "",
                    request_no=ledger_key(request),
                    now=now,
                    term_days=request.term_days,
                    court_code=request.court_code,
                )
                return self._control_feedback(ag, request, ticket, now, outcome, "已续行", "renewed")
            if m in _RELEASES:
                return self._unfreeze(ag, request, ticket, now)
            if m == MEASURE.DEDUCT:
                pending = self._deduct(ag, request, now)
                settled = self.ledger.settle_deduction(pending.deduction_id, now)
                return self._deduct_feedback(ag, request, ticket, now, settled)
            return self._transfer(ag, request, ticket, now)
        except UserError as err:
            return self._feedback(ag, request, ticket, now, False, CODE_REFUSED, err.message)

    def notice(self, agency: Agency | str, request: ControlRequest, ticket: Ticket, event: LedgerEvent,
               number: int) -> Feedback:
        """Notice ``number`` about an answered freeze or seal request: the ledger ``event`` (``promoted``: the
        queued measure took effect; ``topped_up``: a partial one received released money) at its own instant.
        ``amount_controlled_cents`` is the amount newly controlled, ``expires_at`` the term after the event."""
        ag = self._agency(agency)
        amount = event.amount_cents
        seal = request.measure == Measure.SEAL
        if event.kind == LedgerEventKind.PROMOTED:
            zh, en = ("轮候查封已生效", "the queued seal took effect") if seal else (
                "轮候冻结已生效", "the queued freeze took effect")
        else:
            zh, en = ("查封已补足", "the seal was topped up") if seal else ("冻结已补足", "the freeze was topped up")
        msg = f"{zh}，新增控制 {amount} 分 / {en}: {amount} cents newly controlled"
        if event.shortfall_cents:
            msg += f"；未控 {event.shortfall_cents} 分 / {event.shortfall_cents} cents not secured"
        view = self.ledger.find_freeze(event.freeze_id)
        return self._feedback(
            ag,
            request,
            ticket,
            event.at,
            True,
            CODE_NOTICE,
            msg,
            notice=number,
            control_result=ControlResult.CONTROLLED,
            freeze_id=event.freeze_id,
            freeze_state=FreezeState.ACTIVE,
            amount_requested_cents=None if view is None else view.requested_cents,
            amount_controlled_cents=amount,
            unsecured_remainder_cents=event.shortfall_cents,
            expires_at=event.expires_at,
        )

    # --- measures ------------------------------------------------------------------------------------

    def _query(self, ag: Agency, req: ControlRequest, ticket: Ticket, now: datetime) -> Feedback:
        holdings = self.ledger.holdings(ag.code, req.subject.id_number, now)
        msg = (
            f"查得财产 {len(holdings)} 项 / {len(holdings)} holding(s) found" if holdings else "未查得财产 / none found"
        )
        return self._feedback(ag, req, ticket, now, True, CODE_OK, msg, holdings=holdings)

    def _freeze(self, ag: Agency, req: ControlRequest, ticket: Ticket, now: datetime) -> Feedback:
        holding = self._holding(ag, req)
        if holding is not None and not holding.online_controllable:
            return self._feedback(
                ag,
                req,
                ticket,
                now,
                False,
                CODE_NOT_ONLINE,
                "该财产不支持网络控制，请线下办理 / this asset cannot be controlled online",
                control_result=ControlResult.NOT_CONTROLLED,
            )
        outcome = self.ledger.freeze(
            agency=ag.code,
            id_number=req.subject.id_number,
            account_no=req.account_no or "",
            court_code=req.court_code,
            case_no=req.case_no,
            amount_cents=req.amount_cents,
            request_no=ledger_key(req),
            now=now,
            term_days=req.term_days,
            measure=req.measure,
        )
        verb = ("已查封", "sealed") if req.measure == MEASURE.SEAL else ("已冻结", "frozen")
        return self._control_feedback(ag, req, ticket, now, outcome, *verb)

    def _unfreeze(self, ag: Agency, req: ControlRequest, ticket: Ticket, now: datetime) -> Feedback | None:
        out = self.ledger.unfreeze(
            agency=ag.code,
            freeze_id=req.freeze_id or "",
            request_no=ledger_key(req),
            now=now,
            court_code=req.court_code,
        )
        if out.held:
            return None
        if out.state == FreezeState.RELEASED:
            msg = f"已解除，释放 {out.amount_released_cents} 分 / released {out.amount_released_cents} cents"
        else:
            msg = f"冻结已{STATE_ZH[out.state]}，无可解除 / nothing to release: freeze is {out.state.value}"
        return self._feedback(
            ag,
            req,
            ticket,
            now,
            True,
            CODE_OK,
            msg,
            freeze_id=out.freeze_id,
            freeze_state=out.state,
            existing_freezes=out.existing_freezes,
        )

    def _transfer(self, ag: Agency, req: ControlRequest, ticket: Ticket, now: datetime) -> Feedback:
        out: TransferOutcome = self.ledger.transfer(
            agency=ag.code,
            freeze_id=req.freeze_id or "",
            new_owner=req.new_owner or "",
            request_no=ledger_key(req),
            now=now,
            court_code=req.court_code,
            account_no=req.account_no,
        )
        if out.remainder_cents:  # a frozen part of equity or securities: the rest stays the debtor's
            msg = f"冻结部分（{out.amount_cents} 分）已过户至 {out.new_owner}，冻结 {out.freeze_id} 随之解除；余额 " \
                  f"{out.remainder_cents} 分仍登记在被执行人名下 / the frozen part ({out.amount_cents} cents) was " \
                  f"transferred to {out.new_owner}; the freeze {out.freeze_id} ended with it; {out.remainder_cents} " \
                  "cents remain the debtor's"
            return self._feedback(
                ag, req, ticket, now, True, CODE_OK, msg, freeze_id=out.freeze_id, freeze_state=out.state,
                existing_freezes=self.ledger.holding_freezes(ag.code, out.account_no),
            )
        msg = f"已过户至 {out.new_owner}，查封（冻结）{out.freeze_id} 随之解除 / transferred to {out.new_owner}; " \
              f"the measure {out.freeze_id} ended with it"
        if out.ended:
            n = len(out.ended)
            msg += f"；轮候等其他措施 {n} 项同时失效（{'、'.join(out.ended)}）/ {n} other measure(s) on it ended too"
        return self._feedback(
            ag, req, ticket, now, True, CODE_OK, msg, freeze_id=out.freeze_id, freeze_state=out.state,
            existing_freezes=(),
        )

    def _deduct(self, ag: Agency, req: ControlRequest, now: datetime) -> DeductOutcome:
        target = req.target_account or ""
        court_accounts = self.ledger.court_accounts
        if not court_accounts.exists(target) and target == sub_account_no(req.court_code, req.case_no):
            court_accounts.open(req.court_code, req.case_no)
        return self.ledger.deduct(
            agency=ag.code,
            freeze_id=req.freeze_id or "",
            amount_cents=req.amount_cents or 0,
            target_account=target,
            now=now,
            request_no=ledger_key(req),
            court_code=req.court_code,
        )

    # --- feedback ------------------------------------------------------------------------------------

    def _control_feedback(
        self,
        ag: Agency,
        req: ControlRequest,
        ticket: Ticket,
        now: datetime,
        out: FreezeOutcome,
        zh: str,
        en: str,
    ) -> Feedback:
        if out.freeze_id is None:
            code, msg = CODE_NOTHING_TO_CONTROL, "无可控财产 / nothing available to control"
        elif out.state == FREEZE_STATE.QUEUED:
            code = CODE_QUEUED
            msg = f"轮候第 {out.queue_position} 位 / queued at position {out.queue_position}"
        else:
            code = CODE_OK
            msg = f"{zh} {out.amount_controlled_cents} 分 / {en} {out.amount_controlled_cents} cents"
            if out.unsecured_remainder_cents:
                rest = out.unsecured_remainder_cents
                msg += f"；未控 {rest} 分 / {rest} cents not secured"
        return self._feedback(
            ag,
            req,
            ticket,
            now,
            out.freeze_id is not None,
            code,
            msg,
            control_result=out.control_result,
            freeze_id=out.freeze_id,
            freeze_state=out.state,
            queue_position=out.queue_position,
            amount_requested_cents=out.amount_requested_cents,
            amount_controlled_cents=out.amount_controlled_cents,
            unsecured_remainder_cents=out.unsecured_remainder_cents,
            expires_at=out.expires_at,
            existing_freezes=out.existing_freezes,
        )

    def _deduct_feedback(
        self, ag: Agency, req: ControlRequest, ticket: Ticket, now: datetime, out: DeductOutcome
    ) -> Feedback:
        done = out.status == DEDUCT_STATUS.SUCCESS
        state = self.ledger.freeze_state(out.freeze_id)
        msg = (
            f"已扣划 {out.amount_cents} 分至 {out.target_account} / deducted {out.amount_cents} cents"
            if done
            else f"扣划 {out.amount_cents} 分待处理 / deduction of {out.amount_cents} cents pending"
        )
        return self._feedback(
            ag,
            req,
            ticket,
            now,
            True,
            CODE_OK if done else CODE_PENDING,
            msg,
            freeze_id=out.freeze_id,
            freeze_state=state,
            deduct_status=out.status,
            amount_requested_cents=out.amount_cents,
            amount_deducted_cents=out.amount_cents if done else 0,
        )

    def _feedback(
        self,
        ag: Agency,
        req: ControlRequest,
        ticket: Ticket,
        now: datetime,
        ok: bool,
        code: str,
        message: str,
        **fields: object,
    ) -> Feedback:
        return _feedback_of(
            ticket_id=ticket.ticket_id,
            request_no=req.request_no,
            agency=ag.code,
            measure=req.measure,
            answered_at=now,
            ok=ok,
            code=code,
            message=message,
            **fields,  # type: ignore[arg-type]
        )

    # --- validation helpers --------------------------------------------------------------------------

    def _agency(self, agency: Agency | str) -> Agency:
        return agency if isinstance(agency, Agency) else self.catalogue.get(agency)

    def _holding(self, ag: Agency, req: ControlRequest) -> Holding | None:
        for h in self.world.holdings(req.subject.id_number, ag.code):
            if h.account_no == req.account_no:
                return h
        return None

    def _check_account(self, ag: Agency, req: ControlRequest) -> None:
        if not req.account_no:
            raise UserError(
                "account_no 必填（财产编号）", "account_no is required (the asset's id)", where="account_no"
            )
        holding = self._holding(ag, req)
        gone = self.ledger.transferred(ag.code, req.account_no)
        if holding is not None and gone is not None:  # 过户: the new owner's, whatever the world was seeded with
            raise transferred_error(req.account_no, *gone)
        if holding is None:
            raise UserError(
                f"{ag.name}无被执行人 {req.subject.id_number} 的账户/财产 {req.account_no}",
                f"{ag.name_en} holds no account or asset {req.account_no} of debtor {req.subject.id_number}",
                where="account_no",
                code="not_found",
            )
        years = term_years(holding.kind)
        if req.term_days is not None and req.term_days > years * 366:  # the exact day is checked on answer
            raise UserError(
                f"期限 {req.term_days} 天超过{holding.kind.value}类财产的法定上限 {years} 年",
                f"a term of {req.term_days} days exceeds the {years}-year limit for {holding.kind.value} assets",
                where="term_days",
                code="term_too_long",
            )

    def _check_freeze(self, ag: Agency, req: ControlRequest) -> None:
        view = self.ledger.find_freeze(req.freeze_id or "")
        if view is None or view.agency != ag.code:
            raise UserError(
                f"{ag.name}无此冻结/查封：{req.freeze_id}",
                f"{ag.name_en} holds no freeze or seal {req.freeze_id}",
                where="freeze_id",
                code="not_found",
            )
        if view.id_number != req.subject.id_number:
            raise UserError(
                f"冻结 {req.freeze_id} 不是对被执行人 {req.subject.id_number} 采取的",
                f"freeze {req.freeze_id} was not taken against debtor {req.subject.id_number}",
                where="subject.id_number",
            )
        if view.court_code != req.court_code:
            raise UserError(
                f"冻结 {req.freeze_id} 由法院 {view.court_code} 采取，本院不能操作",
                f"freeze {req.freeze_id} was taken by court {view.court_code}; {req.court_code} cannot act",
                where="court_code",
                code="forbidden",
            )
        if req.measure in _ON_EITHER:
            if req.account_no is not None and req.account_no != view.account_no:
                raise UserError(
                    f"查封/冻结 {req.freeze_id} 针对财产 {view.account_no}，不是 {req.account_no}",
                    f"seal or freeze {req.freeze_id} is on asset {view.account_no}, not {req.account_no}",
                    where="account_no",
                )
            check_transfer(view.freeze_id, view.account_no, view.asset_kind, view.state,
                           self.ledger.transferred(ag.code, view.account_no))
            return
        wanted = MEASURE.SEAL if req.measure in _ON_SEAL else MEASURE.FREEZE
        if view.measure != wanted:
            what_zh, what_en = MEASURE_NAMES[view.measure]
            raise UserError(
                f"措施 {req.measure.value} 不适用于{what_zh} {req.freeze_id}",
                f"measure {req.measure.value} does not apply to the {what_en} {req.freeze_id}",
                where="measure",
            )
        if req.measure == MEASURE.DEDUCT:
            if view.state != FREEZE_STATE.ACTIVE:
                raise UserError(
                    f"只能从生效的冻结扣划；冻结 {req.freeze_id} 状态为 {view.state.value}",
                    f"deductions only from an active freeze; {req.freeze_id} is {view.state.value}",
                    where="freeze_id",
                    code="conflict",
                )
            case_no = view.case_no
            if self.any_case_deducts:  # deliberately defective: whichever case asks is paid
                case_no = req.case_no
            elif req.original_case_no is not None:  # a 恢复执行 case deducting from its 终本 case's freeze
                if req.original_case_no != view.case_no:
                    raise UserError(
                        f"冻结 {req.freeze_id} 属于案件 {view.case_no}，不是原案 {req.original_case_no}",
                        f"freeze {req.freeze_id} belongs to case {view.case_no}, not to {req.original_case_no}",
                        where="original_case_no",
                        code="forbidden",
                    )
                case_no = req.case_no
            owner = sub_account_no(view.court_code, case_no)
            if req.target_account != owner:
                raise UserError(
                    f"冻结 {req.freeze_id} 属于案件 {view.case_no}，扣划款只能进入该案的一案一账号 {owner}",
                    f"freeze {req.freeze_id} belongs to case {view.case_no}: its deduction can only go into that "
                    f"case's sub-account {owner}",
                    where="target_account",
                    code="forbidden",
                )
            if (req.amount_cents or 0) > view.controlled_cents:
                raise UserError(
                    f"扣划金额 {req.amount_cents} 分超过冻结控制金额 {view.controlled_cents} 分",
                    f"deduction of {req.amount_cents} cents exceeds the {view.controlled_cents} cents frozen",
                    where="amount_cents",
                    code="insufficient_funds",
                )

    def _check_target(self, req: ControlRequest) -> None:
        target = req.target_account or ""
        accounts = self.ledger.court_accounts
        if accounts.exists(target):
            if accounts.court_of(target) != req.court_code:
                raise UserError(
                    f"一案一账号 {target} 不属于法院 {req.court_code}",
                    f"case sub-account {target} does not belong to court {req.court_code}",
                    where="target_account",
                )
        elif target != (own := sub_account_no(req.court_code, req.case_no)):
            raise UserError(
                f"一案一账号不存在：{target}（本案应为 {own}）",
                f"unknown case sub-account {target} (this case's is {own})",
                where="target_account",
                code="not_found",
            )


def _codes(ag: Agency) -> str:
    return " ".join(m.value for m in ag.operations) or "-"


def _check_subject(req: ControlRequest) -> None:
    s = req.subject
    if s.kind == SUBJECT_KIND.PERSON and not is_valid_id_number(s.id_number):
        raise UserError(
            f"自然人身份证号无效（GB 11643 校验）：{s.id_number}",
            f"invalid resident ID number (GB 11643 check): {s.id_number}",
            where="subject.id_number",
        )
    if s.kind == SUBJECT_KIND.COMPANY and not is_valid_uscc(s.id_number):
        raise UserError(
            f"统一社会信用代码无效（GB 32100 校验）：{s.id_number}",
            f"invalid unified social credit code (GB 32100 check): {s.id_number}",
            where="subject.id_number",
        )
