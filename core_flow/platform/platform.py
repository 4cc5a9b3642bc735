"""The court's platform: the engine driving the agencies end to end.

It joins a ``Runtime`` (the engine on a clock) to a ``Gateway`` (the agencies) and does what the system does
by itself under the SPC notice and the guideline:

* a triggered 集约查询 goes out to exactly its scope (``inquiry_scope``) for each debtor — as one query to the
  总对总 system naming the scope (``inquiry_via="hub"``, the default), or one query per agency (``"direct"``,
  for an endpoint without the hub);
* answers become engine commands: ``InquiryAnswers`` per 总对总 part (``InquiryAnswered`` per direct answer);
  property found starts node 17's control deadline;
  confirmed freezes, deductions and releases become ``FreezeConfirmed`` (with the asset's kind: a freeze of money
  starts node 31's 划拨, one of 股权 or 证券 the disposal, nodes 19–20, as a lot of ``Disposal``) /
  ``DeductionConfirmed`` / ``FreezeReleased``;
* closing by 执行完毕 / 终结 sends an unfreeze for every freeze still held (not in 保全 cases);
* a freeze still holding money is renewed (续行, 02) before its term ends, in open and 终本 cases;
* each 终本 sweep queries the debtors again; property found is recorded for 终本管理 (node 46's review);
* an approved resumption is pushed to the local filing system, which files the 恢复执行 case; the freezes and
  seals the 终本 case holds continue in it (``carry_over``, the process's ``resumption.measures_carry_over``);
* every request and answer is recorded on its case (``LogExchange``).

What handlers decide — opening feedback, freezing, deducting, approving, paying — are the methods
``open_feedback``, ``freeze``, ``deduct``, ``release``, ``manual_query``, ``pay_out`` and plain engine
commands through ``submit``. Reactions to engine events run at the clock's next instant, never nested inside
the command that caused them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any, Protocol

from core_flow.agency_directory import AgencyDirectory, AgencyInfo, inquiry_scope, sweep_scope
from core_flow.case_number import CaseNumbers
from core_flow.engine import Event, EventKind, Outcome
from core_flow.engine import commands as c
from core_flow.engine.events import EVENT_KIND
from core_flow.engine.money import control_anchor
from core_flow.errors import NodeFrozenError, UserError
from core_flow.gateway import Gateway
from core_flow.legal_calendar import to_cst
from core_flow.masking import mask_text
from core_flow.platform.court import DEFAULT_COURT, Court
from core_flow.platform.disposal import SEALABLE, Disposal, DisposalPort
from core_flow.platform.filing import FilingPush, ResumptionPush
from core_flow.protocol import (
    DEDUCT_STATUS,
    HUB,
    MEASURE,
    AssetKind,
    ControlRequest,
    Feedback,
    Holding,
    Measure,
    Subject,
)
from core_flow.runtime import Runtime

# money a freeze takes at once: found again with a balance available, it is a new clue whatever the account's history
_MONEY = frozenset(k.value for k in (AssetKind.DEPOSIT, AssetKind.BALANCE, AssetKind.WEALTH_PRODUCT,
                                     AssetKind.SECURITIES))


def _kind(holding: Holding) -> str:
    """The holding's kind as the engine's commands name it (``AssetKind`` value)."""
    return str(getattr(holding.kind, "value", holding.kind))


class CourtAccounts(Protocol):
    """The court's 执行款专户 with its per-case sub-accounts (一案一账号)."""

    def open(self, court_code: str, case_id: str) -> str: ...

    def balance(self, sub: str) -> int: ...

    def pay_out(self, sub: str, amount_cents: int, payee: str) -> None: ...


@dataclass(slots=True)
class _Request:
    case_id: str
    purpose: str  # inquiry | manual | freeze | seal | renew | deduct | unfreeze | transfer | sweep | clue
    debtor: str
    agency: str
    asset: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    scope: tuple[str, ...] = ()  # a 总对总 query: the agencies it fans out to


_ABANDONED = frozenset({"gave_up", "rejected"})  # a request's end without an answer (core_flow.gateway events)


@dataclass(slots=True)
class Finding:
    """Property a 终本 sweep (or a verified clue) reported, for 终本管理."""

    case_id: str
    debtor: str
    agency: str
    holdings: tuple[Holding, ...]
    source: str  # sweep-N | clue


class Platform:
    def __init__(self, runtime: Runtime, gateway: Gateway, directory: AgencyDirectory, *, court: Court = DEFAULT_COURT,
                 accounts: CourtAccounts | None = None, filing: FilingPush | None = None,
                 callback_url: str | None = None, auto_inquiry: bool = True,
                 renew_lead: timedelta = timedelta(days=30), inquiry_via: str = "hub",
                 disposal_port: DisposalPort | None = None) -> None:
        if inquiry_via not in ("hub", "direct"):
            raise UserError(f"inquiry_via 须为 hub 或 direct，收到 {inquiry_via!r}",
                            f"inquiry_via must be hub or direct, got {inquiry_via!r}", where="inquiry_via")
        self.runtime = runtime
        self.gateway = gateway
        self.directory = directory
        self.court = court
        self.accounts = accounts
        self.filing = filing
        self.callback_url = callback_url
        self.auto_inquiry = auto_inquiry
        self.renew_lead = renew_lead  # how long before a freeze's term ends its renewal (续行) is sent
        self.inquiry_via = inquiry_via
        self.process = runtime.engine.process
        self.subjects: dict[str, Subject] = {}
        self.sub_accounts: dict[str, str] = {}
        self.holdings: dict[tuple[str, str, str], tuple[Holding, ...]] = {}  # (case, debtor, agency)
        self.assets: dict[tuple[str, str], tuple[str, Holding, str]] = {}  # (case, asset) -> agency, holding, debtor
        self.findings: list[Finding] = []
        self.pushes: list[dict[str, Any]] = []
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []  # platform notices (for clerks, UIs)
        self._requests: dict[str, _Request] = {}
        self._renewals: dict[tuple[str, str], datetime] = {}  # (case, asset) → the term a renewal is scheduled for
        self._seq = count(1)
        self._receipts = count(1)
        self.case_numbers = CaseNumbers()  # the numbers filed (and reserved): a 恢复执行 case takes the next 执恢
        self.disposal = Disposal(self, disposal_port)  # seals, reference price, auctions, transfer (nodes 17, 19–30)
        gateway.on_answer = self._on_answer
        gateway.on_event = self._on_gateway_event
        runtime.subscribe(self._on_event, (EventKind.INQUIRY_TRIGGERED, EventKind.CLOSED, EventKind.SWEEP_DUE,
                                           EventKind.RESUMPTION_APPROVED))

    # ── commands and filing ─────────────────────────────────────────────────────────────────────
    def submit(self, cmd: c.Command) -> Outcome:
        out = self.runtime.submit(cmd)
        if type(cmd) is c.Escrow and out.accepted and self.accounts is not None:
            # the application fee an escrow settled first (process.yaml ``fees``: settle_before_escrow): paid to the
            # court from the sub-account; the rest stays held for the applicant, escrowed
            for e in out.events:
                if e.kind == EventKind.FEE_SETTLED:
                    self.accounts.pay_out(self._sub_account(cmd.case_id), e.data["amount_cents"], "法院（执行申请费）")
        return out

    def file(self, cmd: c.FileCase, subjects: Sequence[Subject]) -> Outcome:
        """立案 with the debtors' identities (their ID numbers are the debtors of the case)."""
        ids = tuple(s.id_number for s in subjects)
        if set(ids) != set(cmd.debtors):
            raise UserError("被执行人名单与证件号码不一致", "the debtors of the case and the subjects differ",
                            where="debtors")
        for subject in subjects:
            self.subjects[subject.id_number] = subject
        out = self.runtime.submit(cmd)
        if out.accepted:
            self.case_numbers.taken(cmd.case_id)
            if self.accounts is not None:
                self.sub_accounts[cmd.case_id] = self.accounts.open(self.court.code, cmd.case_id)  # 一案一账号
        return out

    def file_resumed(self, push: ResumptionPush) -> str:
        """What the local filing system does with a push: file the 恢复执行 case (handler assigned later)."""
        original = self.runtime.cases.get(push.original_case)
        if original is None:
            raise UserError(f"原案 {push.original_case} 不存在", f"no case {push.original_case}",
                            where="original_case")
        # the court's next 执恢 number of the year it is filed: (2026)豫0811执恢1号 (core_flow.case_number)
        new_case = self.case_numbers.resumed(push.original_case, to_cst(self.runtime.clock.now()).year,
                                             self.runtime.cases)
        subjects = [self.subjects[d] for d in push.debtors]
        claim = original.amount_cents  # ``resumption.claim``: the whole claim again, or what is left of it
        if self.process.resumption.claim == "remainder" and original.outstanding_cents() > 0:
            claim = original.outstanding_cents()
        # the application fee the 终本 case's application still owes goes with it (process.yaml ``fees``: resumed)
        # — by the filing of its approved resumption, once: a push repeated after its case was filed (an answer lost,
        # the push retried) or one for a case not approved carries nothing (before, each carried the same figures)
        carried = None
        if (original.fee is not None and self.process.fees.application_fee.resumed == "carry_over"
                and original.resumption == "approved" and not original.fee.handed_to):
            carried = c.FeeCarried(*original.fee.application(original))
        out = self.file(c.FileCase(new_case, case_type="resumed", debtors=push.debtors,
                                   previous_case=push.original_case, previous_handler=push.previous_handler,
                                   amount_cents=claim, fee_carried=carried), subjects)
        if not out.accepted:
            raise UserError(out.refusal.zh, out.refusal.en, where="original_case")
        if carried is not None and (filed := self.runtime.cases[new_case].fee) is not None and filed.carried:
            # the 终本 case settles no more of it from now: the figures were taken at this instant
            self.runtime.submit(c.FeeHandedOver(push.original_case, new_case))
        return new_case

    # ── what handlers do ────────────────────────────────────────────────────────────────────────
    def open_feedback(self, case_id: str, debtor: str, agency: str) -> tuple[Holding, ...]:
        self.runtime.submit(c.OpenFeedback(case_id, debtor, agency))
        return self.holdings.get((case_id, debtor, agency), ())

    def _known_debtor(self, debtor: str) -> None:
        if debtor not in self.subjects:
            raise UserError(f"被执行人 {mask_text(debtor)} 不是本院案件的被执行人",
                            f"debtor {mask_text(debtor)} is not a debtor of this court's cases", where="debtor",
                            code="unknown_debtor")

    def manual_query(self, case_id: str, debtor: str, agency: str) -> Outcome:
        self._known_debtor(debtor)  # checked before the engine records anything
        self.directory.get(agency)
        in_scope = agency in {a.code for a in self._scope(debtor)}
        out = self.runtime.submit(c.ManualQuery(case_id, debtor, agency, in_scope))
        if out.accepted:
            self._send(case_id, "manual", debtor, agency, MEASURE.QUERY)
        return out

    def manual_query_scope(self, case_id: str, debtor: str, agencies: Sequence[str]) -> tuple[str, ...]:
        """自行查询 of several agencies at once, as a handler selects them on the 总对总 system: each recorded on the
        case (``ManualQuery``: the engine checks it), the accepted ones sent as one query naming them as its scope
        (``inquiry_via="hub"``), or one query each (``"direct"``). Each agency's answer is told like a single manual
        query's (``manual_answered``). Returns the agencies queried."""
        self._known_debtor(debtor)
        for agency in agencies:
            self.directory.get(agency)
        in_scope = {a.code for a in self._scope(debtor)}
        queried = tuple(a for a in agencies
                        if self.runtime.submit(c.ManualQuery(case_id, debtor, a, a in in_scope)).accepted)
        if queried:
            self._query_scope(case_id, "manual", debtor, queried)
        return queried

    def register_receipt(self, case_id: str, receipt: str) -> Outcome:
        """到账登记 (node 32): the receipt claimed to the 一案一账号."""
        return self.runtime.submit(c.RegisterReceipt(case_id, receipt))

    def freeze(self, case_id: str, asset: str, amount_cents: int) -> None:
        agency, holding, debtor = self._asset(case_id, asset)
        self._check_not_frozen(case_id, self.process.roles.control, asset, "冻结", "freeze")
        self._send(case_id, "freeze", debtor, agency, MEASURE.FREEZE, asset=asset,
                   account_no=holding.account_no, amount_cents=amount_cents)

    def seal(self, case_id: str, asset: str) -> str:
        """查封 / 扣押 (11) of real estate or a vehicle a registry reported (see ``Disposal.seal``)."""
        return self.disposal.seal(case_id, asset)

    def is_seal(self, case_id: str, asset: str) -> bool:
        """Whether the asset is controlled by a seal (real estate, vehicles) rather than a freeze."""
        found = self.assets.get((case_id, asset))
        return found is not None and str(found[1].kind) in SEALABLE

    def can(self, asset_agency: str, measure: Measure) -> bool:
        """Whether the agency takes this measure (securities, for one, cannot be deducted online)."""
        return measure in self.directory.get(asset_agency).operations

    def deduct(self, case_id: str, asset: str, amount_cents: int) -> None:
        agency, _, debtor = self._asset(case_id, asset)
        state = self.runtime.cases[case_id]
        node = self.process.by_no[self.process.roles.deduction]
        if not node.applies_for(state.attrs):
            # process.yaml: the 划拨 node's override (not in a 财产保全 case: preserved property is held for the
            # judgment) — read from the data, as the simulated clerk reads it
            kind = "财产保全案件（保全的财产留待判决生效后执行）" if state.case_type == "preservation" else "本类案件"
            kind_en = ("a 财产保全 case (preserved property is held for the judgment)"
                       if state.case_type == "preservation" else f"this kind of case ({state.case_type})")
            raise UserError(f"节点{node.no}「{node.name}」不适用于{kind}，不予划拨（06）：{asset} 保持冻结",
                            f"node {node.no} ({node.en}) does not apply to {kind_en}: no deduction (06); {asset} "
                            "stays frozen", where=f"案件 case {case_id}", code="deduction_not_applicable")
        if not self.can(agency, MEASURE.DEDUCT):
            raise UserError(f"{agency} 不受理网络扣划（06），须另行处置", f"{agency} takes no online deduction (06)",
                            where="asset")
        money = state.assets.get(asset)
        if money is None or not money.freeze_id:
            raise UserError(f"财产 {asset} 尚未冻结", f"asset {asset} is not frozen", where="asset")
        self._check_not_frozen(case_id, self.process.roles.deduction, asset, "划拨（06）", "deduction (06)")
        self._send(case_id, "deduct", debtor, agency, MEASURE.DEDUCT, asset=asset, freeze_id=money.freeze_id,
                   amount_cents=amount_cents, target_account=self._sub_account(case_id),
                   original_case_no=self._taken_from(case_id, asset))

    def release(self, case_id: str, asset: str) -> None:
        agency, _, debtor = self._asset(case_id, asset)
        money = self.runtime.cases[case_id].assets.get(asset)
        if money is None or not money.freeze_id or not money.active:
            raise UserError(f"财产 {asset} 没有生效的冻结", f"no active freeze on {asset}", where="asset")
        measure = Measure.UNSEAL if self.is_seal(case_id, asset) else Measure.UNFREEZE
        self._send(case_id, "unfreeze", debtor, agency, measure, asset=asset, freeze_id=money.freeze_id)

    def enter_clue(self, case_id: str, debtor: str, agency: str, note: str = "") -> str:
        """终本恢复执行财产线索核查: the applicant's clue, entered at filing, is pushed to 终本管理 and verified
        through 总对总 (a query to the agency it names). Node 46's 10-day review starts now."""
        state = self.runtime.cases.get(case_id)
        if state is None or state.closed_manner != "zhongben":
            raise UserError("只有终本案件可以提交恢复执行财产线索", "clues to resume are for 终本 cases only",
                            where="case_id")
        self.directory.get(agency)
        self._known_debtor(debtor)
        clue = f"clue-{next(self._seq)}"
        self.runtime.submit(c.Record(case_id, "property_found_after_zhongben", clue, attrs={"note": note}))
        if self.inquiry_via == "hub":  # verified through 总对总 (849号 一（二）): a query naming the one agency
            self._send(case_id, "clue", debtor, HUB, Measure.QUERY, asset=clue, scope=(agency,))
        else:
            self._send(case_id, "clue", debtor, agency, Measure.QUERY, asset=clue)
        return clue

    def pay_out(self, case_id: str, receipt: str, amount_cents: int, payee: str | None = None,
                surplus: bool = False) -> Outcome:
        """案款发放: the engine checks approvals, amounts and node 33's freeze first (a frozen node pays nothing);
        then finance pays from the sub-account — to the applicant, or, ``surplus``, 余款退还 to the debtor (not money
        recovered; after a closing that returns the money held — 销案, 不予执行, 驳回申请 — the whole of it, 结案退还).
        ``payee`` names the recipient on the account's statement (by default which of the two it is, and why)."""
        if payee is None:
            state = self.runtime.cases.get(case_id)
            manner = self.process.manners.get(state.closed_manner) if state and state.closed_manner else None
            back = "结案退还" if manner is not None and manner.returns_held else "余款退还"
            payee = f"被执行人（{back}）" if surplus else "申请执行人"
        out = self.runtime.submit(c.PayOut(case_id, receipt, amount_cents, surplus))
        if out.accepted and self.accounts is not None:
            # the application fee the payout settled (process.yaml ``fees``, off by default), in the engine's order
            for e in out.events:
                if e.kind == EVENT_KIND.FEE_SETTLED:
                    self.accounts.pay_out(self._sub_account(case_id), e.data["amount_cents"], "法院（执行申请费）")
                elif e.kind == EVENT_KIND.PAID_OUT and amount_cents:  # nothing more when the fee took the receipt
                    self.accounts.pay_out(self._sub_account(case_id), amount_cents, payee)
        return out

    # ── reconciliation ───────────────────────────────────────────────────────────────────────────
    def reconcile(self, case_id: str, agency_frozen: Callable[[str, str], int] | None = None) -> dict[str, Any]:
        """The case's amounts against the court account (and, given a reader, the agencies' ledgers)."""
        state = self.runtime.cases[case_id]
        amounts = state.amounts()
        report: dict[str, Any] = {"case_id": case_id, **amounts}
        if self.accounts is not None and case_id in self.sub_accounts:
            report["court_account_cents"] = self.accounts.balance(self.sub_accounts[case_id])
        if agency_frozen is not None:
            report["agencies_frozen_cents"] = sum(
                agency_frozen(a.agency, a.freeze_id) for a in state.assets.values() if a.freeze_id)
        report["ok"] = (report.get("court_account_cents", amounts["account_cents"]) == amounts["account_cents"]
                        and report.get("agencies_frozen_cents", amounts["frozen_cents"]) == amounts["frozen_cents"])
        return report

    # ── internals ────────────────────────────────────────────────────────────────────────────────
    def _check_not_frozen(self, case_id: str, node: int, instance: str, what_zh: str, what_en: str,
                          asset_wide: bool = False) -> None:
        """A measure governed by a frozen node is not sent (nor is anything for a case whose 立案 node froze
        because the handler was kept): a located bilingual refusal, nothing sent. ``asset_wide``: every frozen node
        of the asset ``instance`` stands in the way too (an act that ends the asset's disposal, not only its next
        node's). Real time: the deadlines that expired before now are expired first (``Runtime.catch_up``), as they
        are before a command."""
        self.runtime.catch_up()
        state = self.runtime.cases.get(case_id)
        if state is None:
            raise UserError(f"案件 {case_id} 不存在", f"no case {case_id}", where="case_id")
        frozen = self.runtime.engine.blocking_nodes(state, node, instance)
        if state.filing_frozen:
            frozen = frozen + [ns for ns in state.frozen_nodes() if ns.no == self.process.resumption.freezes_node]
        if asset_wide and instance:
            frozen = frozen + [ns for ns in state.frozen_nodes() if ns.instance == instance and ns not in frozen]
        if frozen:
            names = "、".join(f"{ns.no}{'/' + ns.instance if ns.instance else ''}" for ns in frozen)
            who = sorted({a for ns in frozen for a in ns.unfreeze_by})
            who_zh = "、".join(self.process.authority(a).name for a in who)
            raise NodeFrozenError(
                f"节点已冻结（{names}），不能发送{what_zh}；须经{who_zh}批准解冻",
                f"node frozen ({names}): {what_en} waits for an unfreeze approved by {', '.join(who)}",
                f"案件 case {case_id} 节点 node {node}{'/' + instance if instance else ''}",
                case_id, tuple((ns.no, ns.instance) for ns in frozen))

    def _scope(self, debtor: str) -> tuple[AgencyInfo, ...]:
        """The debtor's 集约查询 scope, by the process's rule (``inquiry.scope_groups``, ``local_banks``)."""
        rules = self.process.inquiry
        return inquiry_scope(self.directory, debtor, self.court.region, self.subjects[debtor].kind,
                             tuple(rules.scope_groups), rules.local_banks)

    def _asset(self, case_id: str, asset: str) -> tuple[str, Holding, str]:
        try:
            return self.assets[(case_id, asset)]
        except KeyError:
            raise UserError(f"本案没有已查得的财产 {asset}", f"no property {asset} found for this case",
                            where="asset") from None

    def _sub_account(self, case_id: str) -> str:
        if case_id not in self.sub_accounts:
            if self.accounts is None:
                raise UserError("未配置法院案款账户", "no court account configured", where="accounts")
            self.sub_accounts[case_id] = self.accounts.open(self.court.code, case_id)
        return self.sub_accounts[case_id]

    def _send(self, case_id: str, purpose: str, debtor: str, agency: str, measure: Measure, *, asset: str = "",
              **fields: Any) -> str:
        request_no = f"{self.court.code}-{next(self._seq):010d}"
        self._requests[request_no] = _Request(case_id, purpose, debtor, agency, asset, scope=fields.get("scope") or ())
        request = ControlRequest(request_no=request_no, court_code=self.court.code, case_no=case_id[:64],
                                 measure=measure, subject=self.subjects[debtor], callback_url=self.callback_url,
                                 **fields)
        self.gateway.send(agency, request)
        return request_no

    def _track(self, request_no: str, case_id: str, purpose: str, debtor: str, agency: str, asset: str) -> None:
        """A platform call the gateway makes for a case (pricing, auction): its events are recorded on the case like
        a 查控 request's (``_on_gateway_event``)."""
        self._requests[request_no] = _Request(case_id, purpose, debtor, agency, asset)

    def _later(self, action: Callable[[], None]) -> None:
        self.runtime.clock.call_at(self.runtime.clock.now(), action)

    def _notify(self, kind: str, **data: Any) -> None:
        for listener in self.listeners:
            listener(kind, data)

    def _on_event(self, event: Event) -> None:
        kind = event.kind
        if kind == EVENT_KIND.INQUIRY_TRIGGERED and self.auto_inquiry:
            self._later(lambda: self._start_inquiry(event.case_id, event.data["debtor"]))
        elif kind == EVENT_KIND.CLOSED and event.data.get("release"):
            self._later(lambda: self._release_all(event.case_id, event.data["release"]))
        elif kind == EVENT_KIND.SWEEP_DUE:
            self._later(lambda: self._sweep(event.case_id, event.data["round"]))
        elif kind == EVENT_KIND.RESUMPTION_APPROVED and self.filing is not None:
            self._later(lambda: self._push(event.case_id))

    def _start_inquiry(self, case_id: str, debtor: str) -> None:
        codes = tuple(a.code for a in self._scope(debtor))
        if self.runtime.submit(c.StartInquiry(case_id, debtor, codes)).accepted:
            self._query_scope(case_id, "inquiry", debtor, codes)

    def _query_scope(self, case_id: str, purpose: str, debtor: str, codes: tuple[str, ...], asset: str = "") -> None:
        """One query naming the scope to the 总对总 system, or (direct) one query per agency."""
        if self.inquiry_via == "hub":
            self._send(case_id, purpose, debtor, HUB, MEASURE.QUERY, asset=asset, scope=codes)
        else:
            for code in codes:
                self._send(case_id, purpose, debtor, code, Measure.QUERY, asset=asset)

    def _release_all(self, case_id: str, release: list[dict[str, Any]]) -> None:
        for item in release:
            if (case_id, item["asset"]) in self.assets:
                self.release(case_id, item["asset"])

    def _sweep(self, case_id: str, round_no: int) -> None:
        state = self.runtime.cases[case_id]
        rules = self.process.inquiry
        for debtor in state.identity:  # 终本统查 through 总对总: the whole online scope, not only the 集约 scope
            scope = sweep_scope(self.directory, debtor, self.court.region, self.subjects[debtor].kind,
                                tuple(rules.scope_groups), rules.local_banks, tuple(rules.sweep_groups))
            self._query_scope(case_id, "sweep", debtor, tuple(a.code for a in scope), asset=f"sweep-{round_no}")

    def _push(self, case_id: str) -> None:
        state = self.runtime.cases[case_id]
        payload = ResumptionPush(court_code=self.court.code, original_case=case_id,
                                 previous_handler=state.handler, debtors=tuple(state.identity))

        def done(new_case: str | None, detail: str) -> None:
            self.pushes.append({"case_id": case_id, "new_case": new_case, "detail": detail})
            if new_case is not None:
                filed = self.runtime.submit(c.ResumptionFiled(case_id, new_case))
                if filed.accepted and self.process.resumption.measures_carry_over:
                    self.carry_over(case_id, new_case)
                self._notify("resumption_filed", case_id=case_id, new_case=new_case)

        self.filing.push(payload, done)

    def carry_over(self, case_id: str, new_case: str) -> list[str]:
        """The 终本 case's freezes and seals still in force continue in its 恢复执行 case ``new_case`` (filed in this
        court): handed over by the one, taken over by the other, under the same freeze ids and terms — nothing is
        sent to the agencies. The new case's handler then deducts the money and disposes of the property as for a
        freeze or seal of its own; renewals (续行) follow the new case. A freeze of the old case confirmed after the
        new case was filed follows it the same way (``_answer_freeze``). Returns the assets carried over."""
        old = self.runtime.cases.get(case_id)
        if old is None or new_case not in self.runtime.cases:
            return []  # filed by a filing system elsewhere: nothing of it here
        carried = [asset for asset in list(old.assets) if self._carry(case_id, new_case, asset)]
        if carried:
            self._notify("measures_carried_over", case_id=case_id, new_case=new_case, assets=carried)
        return carried

    def _carry(self, case_id: str, new_case: str, asset: str) -> bool:
        money = self.runtime.cases[case_id].assets[asset]
        remaining = money.frozen_cents - money.deducted_cents
        if not money.active or not money.freeze_id or remaining <= 0 or (case_id, asset) not in self.assets \
                or asset in self.runtime.cases[new_case].assets:  # the new case controls it itself: it stays
            return False
        if not self.runtime.submit(c.HandOverMeasure(case_id, asset, new_case)).accepted:
            return False
        self.assets[(new_case, asset)] = self.assets[(case_id, asset)]
        measure = "seal" if self.is_seal(case_id, asset) else "freeze"
        self.disposal.carry_over(case_id, new_case, asset)
        out = self.runtime.submit(c.TakeOverMeasure(new_case, case_id, asset, money.agency, remaining,
                                                    money.freeze_id, money.account_no, money.expires_at, measure,
                                                    _kind(self.assets[(case_id, asset)][1])))
        if out.accepted and money.expires_at is not None:
            self._schedule_renewal(new_case, asset, money.expires_at)
        return out.accepted

    # Gateway events kept on the case: the request going out, its answer, and everything that goes wrong. A new
    # ticket, a wait in the per-agency queue and a poll are bookkeeping (the gateway's stats keep them).
    _QUIET = frozenset({"accepted", "queued", "polled"})

    def _on_gateway_event(self, ge: Any) -> None:
        ctx = self._requests.get(ge.request_no)
        kind = str(ge.kind)  # the gateway's kind as a plain str (what ``Gateway._emit`` gives already)
        if ctx is None or kind in self._QUIET:
            return
        detail: dict[str, Any] = {k: v for k, v in (ge.detail or {}).items()
                                  if isinstance(v, (str, int, float, bool, type(None)))}
        if ctx.scope and kind == "sent":
            detail["scope"] = list(ctx.scope)  # what the 总对总 system is asked to fan out to
        self.runtime.submit(c.LogExchange(ctx.case_id, kind, ge.agency, ge.request_no, ctx.purpose,
                                          ge.ticket_id, ge.attempt, detail or None))
        if ctx.purpose == "inquiry" and kind in _ABANDONED:
            self._inquiry_abandoned(ctx, kind)
        elif ctx.purpose == "manual" and kind in _ABANDONED:  # no answer will come: each agency told so
            for agency in ctx.scope or (ctx.agency,):
                self._notify("manual_answered", case_id=ctx.case_id, agency=agency, holdings=(), failed=kind)

    def _inquiry_abandoned(self, ctx: _Request, why: str) -> None:
        """A 集约查询 request the gateway gave up on (its retries spent: the agency or the 总对总 system unreachable) or
        that was refused outright: its agencies still pending are recorded as failed with that reason
        (``inquiry_failed``), as an agency's own failed answer is — not left pending for good, the 集约查询 never
        complete and node 3 running into its deadlines with nothing on the case to say why. 自行查询 of them is then
        open (MANUAL_QUERY_LOCKED names only agencies still pending)."""
        state = self.runtime.cases.get(ctx.case_id)
        if state is None:
            return
        pending = set(state.outstanding(ctx.debtor))
        failed = tuple((a, why) for a in (ctx.scope or (ctx.agency,)) if a in pending)
        if failed:
            self._record_answers(c.InquiryAnswers(ctx.case_id, ctx.debtor, (), (), (), failed, {}))

    def _on_answer(self, fb: Feedback) -> None:
        ctx = self._requests.get(fb.request_no)
        if ctx is None:
            return
        handler = getattr(self, f"_answer_{ctx.purpose}")
        handler(ctx, fb)
        self.disposal.reported(ctx.case_id, ctx.agency, ctx.asset, fb)  # the measures on a lot's property, as told

    def _found(self, fb: Feedback, holdings: tuple[Holding, ...] | None = None) -> tuple[Holding, ...]:
        """The holdings of an answer (or ``holdings`` of one agency in it) that are property found for the
        request's case: money available, or a balance held by measures of others — another court, or another
        case — behind which a 轮候 freeze can be registered (查封扣押冻结规定 第二十六条). A balance held only by the
        case's own measures is nothing new."""
        items = fb.holdings if holdings is None else holdings
        if all(h.available_cents > 0 for h in items):
            return tuple(items)  # the common answer: money available in every holding
        ctx = self._requests.get(fb.request_no)
        own = (self.court.code, ctx.case_id[:64]) if ctx is not None else None  # as ``_send`` names the case

        def found(h: Holding) -> bool:  # an active measure (FreezeState.ACTIVE) holds money; a queued one waits
            return h.available_cents > 0 or h.balance_cents > 0 and any(
                e.state == "active" and e.amount_cents > 0 and (e.court_code, e.case_no) != own
                for e in h.existing_freezes)

        return tuple(h for h in items if found(h))

    def _answers(self, fb: Feedback, agency: str) -> list[tuple[str, tuple[Holding, ...], str | None]]:
        """(agency, holdings found — see ``_found``, the result code if its query failed) for every agency an
        answer covers: the answers of a 总对总 part (the agencies that found nothing with no holdings), or a direct
        answer's own agency."""
        batch = fb.batch
        if batch is None:
            if not fb.ok:
                return [(agency, (), fb.code)]
            return [(agency, self._found(fb), None)]
        out = [(a.agency, self._found(fb, a.holdings), None) if a.ok
               else (a.agency, (), a.code) for a in batch.found]
        out.extend((code, (), None) for code in batch.none_found)
        return out

    def _answer_inquiry(self, ctx: _Request, fb: Feedback) -> None:
        case_id, debtor = ctx.case_id, ctx.debtor
        found: list[tuple[str, int, int]] = []
        none_found: list[str] = []
        failed: list[tuple[str, str]] = []
        assets = []
        details: dict[str, dict[str, Any]] = {}
        for agency, holdings, failure in self._answers(fb, ctx.agency):
            if failure is not None:
                failed.append((agency, failure))
                continue
            if not holdings:
                none_found.append(agency)
                continue
            self.holdings[(case_id, debtor, agency)] = holdings
            total = 0
            for h in holdings:
                available = h.available_cents
                total += available
                asset = f"{agency}:{h.account_no}"
                self.assets[(case_id, asset)] = (agency, h, debtor)
                assets.append((asset, h.online_controllable, available))
                details[asset] = {"agency": agency, "account_no": h.account_no, "kind": str(h.kind),
                                  "balance_cents": h.balance_cents, "available_cents": available,
                                  "held_by_others": available < h.balance_cents}
            found.append((agency, len(holdings), total))
        self._record_answers(c.InquiryAnswers(case_id, debtor, tuple(found), tuple(none_found), tuple(assets),
                                              tuple(failed), details))
        if self.listeners:
            for agency, _, _ in found:
                self._notify("inquiry_answered", case_id=case_id, debtor=debtor, agency=agency,
                             holdings=self.holdings[(case_id, debtor, agency)])

    def _record_answers(self, cmd: c.InquiryAnswers) -> None:
        """Hand a part to the engine; an answer it refuses (for any reason) is still recorded, with the reason, so
        no agency stays silently pending."""
        out = self.runtime.submit(cmd)
        if out.refusal is None:
            return
        agencies = tuple(dict.fromkeys([a for a, _, _ in cmd.found] + list(cmd.none_found)
                                       + [a for a, _ in cmd.failed]))
        self.runtime.submit(c.AnswerNotRecorded(cmd.case_id, cmd.debtor, agencies, out.refusal.code,
                                                out.refusal.message, cmd.found))
        self._notify("answer_not_recorded", case_id=cmd.case_id, debtor=cmd.debtor, agencies=agencies,
                     code=out.refusal.code)

    def _answer_manual(self, ctx: _Request, fb: Feedback) -> None:
        """A manual query's answer: one agency's, or a part of a 总对总 query's (``manual_query_scope``), each agency
        of it recorded and told as its own (a failed one as nothing found)."""
        answers = self._answers(fb, ctx.agency)
        if fb.batch is None and not fb.ok and ctx.scope:  # the 总对总 system failed the query as a whole
            answers = [(agency, (), fb.code) for agency in ctx.scope]
        for agency, found, _ in answers:
            if agency == HUB:
                continue
            self.holdings[(ctx.case_id, ctx.debtor, agency)] = found
            for h in found:
                self.assets[(ctx.case_id, f"{agency}:{h.account_no}")] = (agency, h, ctx.debtor)
            self.disposal.found(ctx.case_id, ctx.debtor, agency, found)  # real estate, vehicles: node 17 runs
            self._notify("manual_answered", case_id=ctx.case_id, agency=agency, holdings=found)

    def _answer_freeze(self, ctx: _Request, fb: Feedback, measure: str = "freeze") -> None:
        """The freeze's (or seal's) answer, or a later notice that more of it took effect (轮候生效): either way the
        amount it (newly) controls is confirmed to the engine, and the renewal follows the term."""
        controlled = fb.amount_controlled_cents or 0
        if fb.ok and controlled > 0 and fb.freeze_id:
            expires = to_cst(fb.expires_at) if fb.expires_at is not None else None
            case_id = self._holder(ctx.case_id, ctx.asset)  # more of a freeze a 恢复执行 case took over: its own
            holding = self.assets[(ctx.case_id, ctx.asset)][1]
            kind = _kind(holding)
            # a freeze of property that is not money (股权, 证券…) is disposed of: its lot exists before the engine
            # tells of the freeze (``control_anchor``: nodes 19–20 run from it, not node 31's 划拨)
            lot = measure == "freeze" and control_anchor(self.process, measure, kind) == "property_controlled" \
                and self.disposal.frozen(case_id, ctx.asset, ctx.agency, ctx.debtor, holding)
            out = self.runtime.submit(c.FreezeConfirmed(case_id, ctx.asset, ctx.agency, controlled, fb.freeze_id,
                                                        holding.account_no, expires, measure, kind))
            if lot and not out.accepted:
                self.disposal.forget(case_id, ctx.asset)
            resumed_as = self.runtime.cases[case_id].resumed_as
            if out.accepted and resumed_as is not None and self.process.resumption.measures_carry_over \
                    and resumed_as in self.runtime.cases:  # confirmed after the 恢复执行 case was filed: it follows
                if self._carry(case_id, resumed_as, ctx.asset):
                    self._notify("measures_carried_over", case_id=ctx.case_id, new_case=resumed_as,
                                 assets=[ctx.asset])
            elif out.accepted and expires is not None:
                self._schedule_renewal(case_id, ctx.asset, expires)
        elif fb.ok and controlled == 0 and fb.freeze_id and fb.notice is None:  # registered in the 轮候 queue
            self.runtime.submit(c.FreezeQueued(ctx.case_id, ctx.asset, ctx.agency, fb.freeze_id, fb.queue_position,
                                               measure))
        self._notify("freeze_answered", case_id=ctx.case_id, asset=ctx.asset, controlled=controlled,
                     queue_position=fb.queue_position, ok=fb.ok, notice=fb.notice)

    def _answer_seal(self, ctx: _Request, fb: Feedback) -> None:
        """查封 answered (or a 轮候 seal took effect): confirmed as a seal, which anchors the disposal (nodes 19–20)."""
        self._answer_freeze(ctx, fb, measure="seal")
        self.disposal.sealed(self._holder(ctx.case_id, ctx.asset), ctx.asset, fb.ok, fb.amount_controlled_cents or 0)

    def _taken_from(self, case_id: str, asset: str) -> str | None:
        """The 终本 case that took the freeze on ``asset`` which ``case_id`` (a 恢复执行 case, perhaps of a 恢复执行
        case) holds now — the case the agency knows it by — or None for the case's own freeze."""
        cases, case = self.runtime.cases, case_id
        while (prev := cases[case].previous_case) in cases:
            money = cases[prev].assets.get(asset)
            if money is None or money.moved_to != case:
                break
            case = prev
        return None if case == case_id else case[:64]

    def _holder(self, case_id: str, asset: str) -> str:
        """The case that holds the measure on ``asset`` now: ``case_id``, or the 恢复执行 case it went to."""
        held = self.runtime.cases[case_id].assets.get(asset)
        return held.moved_to if held is not None and held.moved_to in self.runtime.cases else case_id

    def _answer_transfer(self, ctx: _Request, fb: Feedback) -> None:
        """过户 (15) answered: the property is the new owner's at the registry and the seal ended with it."""
        state = fb.freeze_state.value if fb.freeze_state is not None else None
        self.disposal.transferred(ctx.case_id, ctx.asset, fb.ok, state)

    def _schedule_renewal(self, case_id: str, asset: str, expires_at: datetime) -> None:
        """续行: a freeze still holding money is renewed before its term ends — in open cases and in 终本 cases
        (whose measures stay in force), not after 执行完毕 or 终结."""
        if self._renewals.get((case_id, asset)) == expires_at:
            return  # already scheduled for this term (a later notice about the same freeze)
        self._renewals[(case_id, asset)] = expires_at
        at = max(self.runtime.clock.now(), expires_at - self.renew_lead)
        self.runtime.clock.call_at(at, lambda: self._renew(case_id, asset, expires_at))

    def _renew(self, case_id: str, asset: str, expires_at: datetime) -> None:
        state = self.runtime.cases[case_id]
        money = state.assets.get(asset)
        manner = self.process.manners.get(state.closed_manner) if state.closed_manner else None
        if (money is None or not money.active or money.expires_at != expires_at
                or money.frozen_cents <= money.deducted_cents
                or (manner is not None and manner.releases_for(state.case_type))):
            return  # released, already renewed, all deducted, or the case ended in a manner that releases them
        agency, _, debtor = self._asset(case_id, asset)
        measure = Measure.RENEW_SEAL if self.is_seal(case_id, asset) else Measure.RENEW
        self._send(case_id, "renew", debtor, agency, measure, asset=asset, freeze_id=money.freeze_id)

    def _answer_renew(self, ctx: _Request, fb: Feedback) -> None:
        if fb.ok and fb.expires_at is not None:
            expires = to_cst(fb.expires_at)  # one time zone object on every transport (JSON parsing makes its own)
            if self.runtime.submit(c.FreezeRenewed(ctx.case_id, ctx.asset, expires)).accepted:
                self._schedule_renewal(ctx.case_id, ctx.asset, expires)
        self._notify("renew_answered", case_id=ctx.case_id, asset=ctx.asset, ok=fb.ok, expires_at=fb.expires_at)

    def _answer_deduct(self, ctx: _Request, fb: Feedback) -> None:
        done = fb.deduct_status in (DEDUCT_STATUS.SUCCESS, DEDUCT_STATUS.SUCCESS_TO_VERIFY)
        amount = fb.amount_deducted_cents or 0
        receipt = ""
        if fb.ok and done and amount > 0:
            receipt = f"R{next(self._receipts):06d}"
            self.runtime.submit(c.DeductionConfirmed(ctx.case_id, ctx.asset, amount, receipt))
        self._notify("deduct_answered", case_id=ctx.case_id, asset=ctx.asset, amount=amount, receipt=receipt,
                     ok=fb.ok and done)

    def _answer_unfreeze(self, ctx: _Request, fb: Feedback) -> None:
        if fb.ok:
            self.runtime.submit(c.FreezeReleased(ctx.case_id, ctx.asset))
        self._notify("unfreeze_answered", case_id=ctx.case_id, asset=ctx.asset, ok=fb.ok)

    def _answer_sweep(self, ctx: _Request, fb: Feedback) -> None:
        every = self.process.resumption.sweep_review == "every"
        for agency, found, _ in self._answers(fb, ctx.agency):
            if not found:
                continue
            clue = every or any(self._is_clue(ctx.case_id, agency, h) for h in found)
            for h in found:
                self.assets[(ctx.case_id, f"{agency}:{h.account_no}")] = (agency, h, ctx.debtor)
            self.findings.append(Finding(ctx.case_id, ctx.debtor, agency, found, ctx.asset))
            if clue:  # node 46's review (process resumption.sweep_review)
                self.runtime.submit(c.Record(ctx.case_id, "property_found_after_zhongben", f"{ctx.asset}:{agency}"))
            self.disposal.found(ctx.case_id, ctx.debtor, agency, found)  # real estate, vehicles: to be sealed
            self._notify("sweep_found", case_id=ctx.case_id, debtor=ctx.debtor, agency=agency, holdings=found)

    def note_found(self, case_id: str, debtor: str, agency: str, holdings: Sequence[Holding]) -> None:
        """Property the case's investigation found outside the online inquiries (传统查控, a registry asked by hand):
        recorded as found, no measure taken, so a 终本 sweep reporting it again is no new clue
        (``resumption.sweep_review: new``)."""
        for h in holdings:
            self.assets.setdefault((case_id, f"{agency}:{h.account_no}"), (agency, h, debtor))

    def _is_clue(self, case_id: str, agency: str, h: Holding) -> bool:
        """A sweep's holding is a new property clue when the case has not found it before, or when it is money
        available to freeze now (a known account with a new balance)."""
        if (case_id, f"{agency}:{h.account_no}") not in self.assets:
            return True
        return str(h.kind) in _MONEY and h.online_controllable and h.available_cents > 0

    def _answer_clue(self, ctx: _Request, fb: Feedback) -> None:
        """The clue's agency answered (directly, or as the one agency of a 总对总 query)."""
        for agency, found, _ in self._answers(fb, ctx.agency):
            if agency == HUB:
                continue
            for h in found:
                self.assets[(ctx.case_id, f"{agency}:{h.account_no}")] = (agency, h, ctx.debtor)
            if found:
                self.findings.append(Finding(ctx.case_id, ctx.debtor, agency, found, ctx.asset))
                self.disposal.found(ctx.case_id, ctx.debtor, agency, found)  # real estate, vehicles: to be sealed
            self._notify("clue_verified", case_id=ctx.case_id, clue=ctx.asset, agency=agency, holdings=found)
