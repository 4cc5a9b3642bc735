"""Actions of a scenario step: each court-side action is one command through the driver interface
(``run.driver``: an engine command, or one of the court's operations on property — a freeze, a clue, a listing);
the agencies' side (their holdings, their behaviour, another court, a bidder) is arranged by the runner itself.

``perform(run, step)`` returns the refusal (code, message) or ``None`` when the action was accepted. Operations
that refuse by raising ``UserError`` (freezing an unknown asset, a clue for a case not in 终本…) count as refusals
too, with the error's code; a command the system under test does not offer fails the step, naming it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from core_flow.driver.protocol import CaseFiling, CommandResult
from core_flow.engine import commands as c
from core_flow.errors import UserError
from mock_agencies.profiles import load_profile
from scenarios import refs
from scenarios.context import Run, StepFailure
from scenarios.model import StepBase, resolve_behaviour
from scenarios.schedule import calendar
from scenarios.timespec import resolve

Refusal = tuple[str, str] | None


def command_class(name: str) -> type:
    cls = getattr(c, name, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)) or name in ("FireTimer", "Timer"):
        names = sorted(n for n, v in vars(c).items() if isinstance(v, type) and dataclasses.is_dataclass(v)
                       and v.__module__ == c.__name__ and n != "FireTimer")
        raise ValueError(f"未知引擎命令 {name!r}（可选：{'、'.join(names)}）/ unknown engine command {name!r}")
    return cls


def perform(run: Run, step: StepBase) -> Refusal:
    try:
        result = _ACTIONS[step.key](run, step, step.args)
    except UserError as err:
        if err.code == "unknown_command":  # an engine-internal command another court system does not take
            raise StepFailure(f"步骤 {step.key}（第 {step.line} 行）由被测系统执行 / step {step.key} "
                              f"(line {step.line}) run by the system under test",
                              f"驱动接口不提供此命令 / the driver interface does not offer it: {err.message}") from None
        if err.code in ("bad_fields", "unknown_field"):  # the step's own fields, not a court's refusal (review R5)
            raise StepFailure(f"步骤 {step.key}（第 {step.line} 行）的字段合乎驱动接口 / the fields of step "
                              f"{step.key} (line {step.line}) as the driver interface takes them",
                              f"字段有误（场景的错误，不是法院的拒绝）/ a field is wrong (the scenario's mistake, not "
                              f"a court's refusal): {err.message}") from None
        code = err.code.upper() if err.code and err.code != "invalid" else "PLATFORM_REFUSED"
        return code, err.message
    if isinstance(result, CommandResult) and not result.accepted:
        return result.code or "REFUSED", result.message or ""
    return None


def _do(run: Run, step: StepBase, type: str, **fields: Any) -> CommandResult:
    """One command of the step's case through the driver."""
    return run.command(run.case_id(step), type, **fields)


def _file(run: Run, step: StepBase, _: Any) -> CommandResult:
    case = run.scenario.case
    run.target.sync()
    run.changed()
    return run.driver_for(case.number).file(CaseFiling(
        case_id=case.number, case_type=case.type, money=case.money, nonlitigation=case.nonlitigation,
        amount_cents=case.amount, debtors=[run.subjects[d.alias] for d in case.debtors],
        previous_case=case.previous_case,
        previous_handler=case.previous_handler, shixin_eligible=case.shixin_eligible))


def _record(run: Run, step: StepBase, a: Any) -> CommandResult:
    at = resolve(a.at, run.now(), calendar()) if a.at is not None else None
    return _do(run, step, "Record", anchor=a.event, instance=run.instance(a.instance, step), at=at, attrs=dict(a.attrs))


def _asset_of(run: Run, step: StepBase, ref: str) -> str:
    return run.asset(run.case_id(step), ref)


def _freeze(run: Run, step: StepBase, a: Any) -> CommandResult:
    cid = run.case_id(step)
    asset = run.asset(cid, a.asset)
    amount = a.amount
    if amount is None:
        found = next((x for x in run.found_assets(cid) if x.asset == asset), None)
        available = found.available_cents if found else 0
        amount = min(run.view(step).amount_cents or available, available) or available
    return _do(run, step, "Freeze", asset=asset, amount_cents=amount)


def _clue(run: Run, step: StepBase, a: Any) -> CommandResult:
    result = _do(run, step, "EnterClue", debtor=run.debtor_id(a.debtor, step), agency=a.agency, note=a.note or "")
    if a.name and result.accepted and result.id:
        run.names[a.name] = result.id  # later steps say instance: <name>, not the platform's clue-N
    return result


def _deduct(run: Run, step: StepBase, a: Any) -> CommandResult:
    cid = run.case_id(step)
    asset = run.asset(cid, a.asset)
    money = next((x for x in run.found_assets(cid) if x.asset == asset), None)
    amount = a.amount if a.amount is not None else (money.frozen_cents - money.deducted_cents if money else 0)
    result = _do(run, step, "Deduct", asset=asset, amount_cents=amount)
    if a.name and result.accepted:  # the receipt this deduction brings, whenever it arrives: the nth of this asset
        run.receipt_names[a.name] = (asset, run.next_receipt(asset))
    return result


def _pay(run: Run, step: StepBase, a: Any) -> CommandResult:
    view = run.view(step)
    receipt = run.receipt(view, a.receipt)
    r = next((x for x in view.receipts if x.id == receipt), None)
    amount = a.amount if a.amount is not None else (r.amount_cents - r.paid_cents if r else 0)
    surplus = {"surplus": True} if a.surplus else {}  # named only when set: a driver 0.2.1 adapter knows no surplus
    return _do(run, step, "PayOut", receipt=receipt, amount_cents=amount, **surplus)


def _pin(run: Run, step: StepBase, a: Any) -> None:
    run.pin_holdings(run.scenario.debtor(a.debtor, step.case).alias, a.holdings, agency=a.agency)


def _approve_resumption(run: Run, step: StepBase, a: Any) -> CommandResult:
    """批准恢复执行; ``answered``: the local filing system's answer reaches the court then (zhixing's own court, in
    process or on the real-time clock)."""
    if a.answered is None:
        return _do(run, step, "ApproveResumption", authority=a.authority)
    court = run.own_court
    if court is None:
        raise UserError(f"步骤 approve_resumption（第 {step.line} 行）的 answered 只能用于 zhixing 自己的法院（被测"
                        "系统有其自己的立案系统）", f"step approve_resumption (line {step.line}): answered is for "
                        "zhixing's own court only (a system under test has its own filing system)",
                        where=f"{run.scenario.file}:{step.line}", code="ANSWERED_REMOTE")
    from core_flow.platform import AnsweredAt

    filing = court.platform.filing
    if not isinstance(filing, AnsweredAt):
        filing = court.platform.filing = AnsweredAt(filing, court.clock)
    case_id = run.case_id(step)
    filing.at[case_id] = _at(run, a.answered)
    result = _do(run, step, "ApproveResumption", authority=a.authority)
    if not result.accepted:
        filing.at.pop(case_id, None)
    return result


def _agencies(run: Run, step: StepBase, a: dict[str, dict[str, Any]]) -> None:
    session = run.agencies
    merged = {**(session.config.overrides or {})}
    for key, behaviour in resolve_behaviour(a, session.config.profile).items():
        merged[key] = {**merged.get(key, {}), **behaviour}
    session.set_profile(load_profile(session.config.profile, merged))


def _command(run: Run, step: StepBase, a: Any) -> CommandResult:
    command_class(a.type)
    fields: dict[str, Any] = {}
    for name, value in (a.model_extra or {}).items():
        if name == "debtor":
            value = run.debtor_id(value, step)
        elif name == "node":
            value = refs.node(value)
        elif name == "authority":
            value = refs.authority(value)
        elif name == "agency":
            value = refs.agency(value)
        elif name == "agencies":
            value = [refs.agency(v) for v in value]
        elif name == "amount_cents":
            value = refs.cents(f"{value}分") if isinstance(value, int) else refs.cents(value)
        fields[name] = value
    return _do(run, step, a.type, **fields)


# ── disposal (issue 12) ──────────────────────────────────────────────────────────────────────────────────
_NEEDS_PLATFORMS = frozenset({"price", "list_auction", "relist", "offer_in_kind", "start_sale", "withdraw_listing"})


def _wire_disposal(run: Run, step: StepBase) -> None:
    """zhixing's in-process court gets the mock pricing and auction platforms of the scenario's session on first
    use; the scenario's auctions have no simulated bidders (``bid`` steps bid), so results are exact. A court over
    HTTP brings its own platforms (its lots are read back through the driver). Steps that do not reach a platform
    (investigate, serve a report, …) need none."""
    court = run.court
    if court is None and step.key in _NEEDS_PLATFORMS:  # a court driven from outside: the real-time runner's
        attach = getattr(run.agencies, "attach_disposal", None)  # own court may take its agencies' platforms
        if attach is not None:
            attach(run.scenario)
        else:  # --court-url: the court under test reaches a served namespace's platforms
            refuse_served_balance_count(run.scenario)
        return
    if court is None or (court.platform.disposal.port is None and step.key not in _NEEDS_PLATFORMS):
        return
    d = court.platform.disposal
    if d.port is None:
        from mock_agencies.auction import BidderModel
        from mock_agencies.disposal_port import SessionDisposalPort
        from mock_agencies.session import Session

        session = court.session
        if isinstance(session, Session):
            d.port = SessionDisposalPort(session)
            session.auction.model = BidderModel(max_bidders=0)
            set_balance_due_count(session.auction, run.scenario)
        else:  # --agencies-url: the served namespace's platforms over HTTP (created without simulated bidders)
            refuse_served_balance_count(run.scenario)
            d.port = session.disposal_port()


def set_balance_due_count(auction: Any, scenario: Any) -> None:
    """The scenario's ``auction_platform.balance_due_count`` on the mock auction platform's rules (read at each
    listing: set before the first)."""
    from dataclasses import replace

    from mock_agencies.auction import Policy

    count = scenario.auction_platform.balance_due_count
    policy = {"cpl": Policy.CPL, "natural": Policy.NATURAL, "hours": None}[count]
    if auction.rules.balance_due_policy != policy:
        auction.rules = replace(auction.rules, balance_due_policy=policy)


def refuse_served_balance_count(scenario: Any) -> None:
    """A served namespace (``--agencies-url``) counts the balance as its server does: its admin API sets no count,
    so a scenario asking another one is refused, not run on a count it did not ask for."""
    if scenario.auction_platform.balance_due_count != "cpl":
        raise UserError(
            f"auction_platform.balance_due_count: {scenario.auction_platform.balance_due_count} 只能用于进程内的模拟"
            "机构（--agencies-url 的服务按其自身设置计算尾款期限）",
            f"auction_platform.balance_due_count: {scenario.auction_platform.balance_due_count} needs the mock "
            "agencies in process (a server at --agencies-url counts the balance term as it is set up)",
            where=f"{scenario.file}:{scenario.line}", code="BALANCE_COUNT_REMOTE")


def _at(run: Run, spec: Any) -> Any:
    return resolve(spec, run.now(), calendar()) if spec is not None else None


def _lot(type: str, **fields: Callable[[Run, Any], Any]) -> _Action:
    """A disposal command on the step's asset; ``fields`` read the step's arguments."""
    def act(run: Run, step: StepBase, a: Any) -> CommandResult:
        _wire_disposal(run, step)
        values = {name: read(run, a) for name, read in fields.items()}
        return _do(run, step, type, asset=_asset_of(run, step, a.asset),
                   **{k: v for k, v in values.items() if v is not None})
    return act


def _arg(name: str) -> Callable[[Run, Any], Any]:
    return lambda run, a: getattr(a, name)


def _time_arg(name: str) -> Callable[[Run, Any], Any]:
    return lambda run, a: _at(run, getattr(a, name))


def _bid(run: Run, step: StepBase, a: Any) -> None:
    """A bidder pays the deposit and bids (default: the least the platform accepts) on the asset's open listing."""
    session = run.agencies  # in process: the session; --agencies-url: the served namespace (its auction over HTTP)
    if getattr(session, "auction", None) is None:
        raise UserError(f"步骤 bid（第 {step.line} 行）需要模拟拍卖平台（进程内或 --agencies-url 的 zhixing 服务）",
                        f"step bid (line {step.line}) needs zhixing's mock auction platform (in process or served "
                        "with --agencies-url)", where=f"{run.scenario.file}:{step.line}", code="NO_AUCTION")
    asset = _asset_of(run, step, a.asset)
    cid = run.case_id(step)
    lot = next((x for x in run.driver_for(cid).lots(cid) if x.asset == asset), None)
    if lot is None or lot.listing_id is None:
        raise UserError("该财产没有在拍标的", "the asset has no listing", where="asset", code="NO_LISTING")
    auction, now = session.auction, run.now()
    view = auction.get(lot.listing_id)
    least = view.starting_price_cents if view.round == "sale" or view.current_price_cents is None else (
        view.current_price_cents + view.increment_cents)
    try:
        auction.pay_deposit(lot.listing_id, bidder_id=a.bidder, amount_cents=view.deposit_cents, name=a.bidder,
                            now=now, **({} if a.pays_balance else {"pays_balance": False}))  # (悔拍: will not pay)
        auction.place_bid(lot.listing_id, bidder_id=a.bidder, amount_cents=a.amount or least, now=now)
    except UserError as err:  # the platform's 409 (bidding ended, a buyer who defaulted kept out…): its refusal
        if err.code != "conflict":
            raise
        raise UserError(err.zh, err.en, err.where, code="PLATFORM_REFUSED") from None
    _name_bid(run, lot.listing_id, asset, a.bidder, a.name)


def _name_bid(run: Run, listing: str, asset: str, bidder: str, name: str | None) -> None:
    """``as:`` names the receipt the buyer's payment brings if this bid wins, whenever it arrives: one slot among the
    asset's receipts per listing, held by the leading bid's name. A bid by another bidder outbids the leader — its
    name is refused from then on, saying who outbid it (it held the slot: the loser's name read the winner's
    proceeds, the winner's waited for a receipt that never came)."""
    lead = run.bid_names.get(listing)  # (name or None, bidder, slot)
    if lead is None and not name:
        return
    slot = lead[2] if lead is not None else (asset, run.next_receipt(asset))
    if lead is not None and lead[0] and (lead[1] != bidder or (name and name != lead[0])):
        run.receipt_names.pop(lead[0], None)
        if lead[1] != bidder:
            run.outbid[lead[0]] = (bidder, slot)
    if name:
        run.outbid.pop(name, None)  # an outbid bidder bidding again under its name holds it again
        run.receipt_names[name] = slot
    keep = lead[0] if lead is not None and lead[1] == bidder and not name else name
    run.bid_names[listing] = (keep, bidder, slot)


def _other_court(run: Run, step: StepBase, a: Any, release: bool) -> None:
    """Another court freezes (or releases) the debtor's account at the same agencies, as a court would: a request
    through its own port on the agencies' session, answered at the agencies' instant."""
    from core_flow.protocol import ControlRequest, Measure, Subject
    from mock_agencies.port import SessionPort
    from mock_agencies.session import Session

    session = run.agencies
    client = getattr(session, "client", None)  # a namespace of a mock agencies server (scenarios.remote)
    on_loop = getattr(session, "other_court_port", None)  # the served agencies of a real-time court
    if not isinstance(session, Session) and client is None and on_loop is None:
        raise UserError(f"步骤 {step.key}（第 {step.line} 行）：其他法院的措施需要模拟机构（进程内、--agencies-url 或 "
                        "--realtime）", f"step {step.key} (line {step.line}): another court's measures need zhixing's "
                        "mock agencies (in process, --agencies-url or --realtime)",
                        where=f"{run.scenario.file}:{step.line}", code="OTHER_COURT_REMOTE")
    if a.asset not in run.assets:
        raise UserError(f"未知财产别名 {a.asset!r}（应为被执行人 holdings 中的 as）",
                        f"unknown asset alias {a.asset!r} (an ``as`` of the debtor's holdings)", where="asset",
                        code="AMBIGUOUS_ASSET")
    owner, agency, account = run.assets[a.asset]
    port = run.other_courts.get(a.court)
    if port is None:
        if isinstance(session, Session):
            port = SessionPort(session)
        elif on_loop is not None:  # the same session, reached on the court's event loop (scenarios.realtime)
            port = on_loop()
        else:  # the same namespace, over the 查控 API, as that court would
            from scenarios.remote import HttpAgencyPort

            port = HttpAgencyPort(client)
        run.other_courts[a.court] = port
    subject: Subject = next(s for s in run.subjects.values() if s.id_number == owner)
    key = (a.court, a.asset)
    n = len(run.other_freezes) + len(run.other_courts) + sum(1 for k in run.other_freezes if k[0] == a.court)
    # a registry (real estate, vehicles) takes a 查封 (11) and its release (14), not a freeze (01 / 04): a freeze sent
    # there went unanswered, and the other court's measure silently never existed
    found = refs.catalogue().find(agency)
    seals = found is not None and found.supports(Measure.SEAL) and not found.supports(Measure.FREEZE)
    fields: dict[str, Any] = {"measure": Measure.UNSEAL if seals else Measure.UNFREEZE,
                              "freeze_id": run.other_freezes.get(key)} if release else {
        "measure": Measure.SEAL if seals else Measure.FREEZE, "account_no": account,
        "amount_cents": a.amount if a.amount is not None else run.asset_amounts[a.asset],
        **({"term_days": a.term_days} if a.term_days is not None else {})}
    if release and key not in run.other_freezes:
        raise UserError(f"法院 {a.court} 没有冻结 {a.asset}", f"court {a.court} holds no freeze on {a.asset}",
                        where="asset", code="NO_FREEZE")
    request = ControlRequest(request_no=f"{a.court}-X{n:06d}{'R' if release else 'F'}", court_code=a.court,
                             case_no=f"{a.court}-他案", subject=subject, **fields)
    now = run.now()
    port.submit(agency, request, now)
    answers = port.collect(now)
    while not answers and (due := port.next_due()) is not None:  # answered at the agencies' own instant
        run.advance(due)
        answers = port.collect(run.now())
    if not answers:
        raise UserError(f"其他法院的措施没有得到 {agency} 的答复",
                        f"the other court's measure got no answer from {agency}", where="asset",
                        code="PLATFORM_REFUSED")
    for fb in answers:
        if not fb.ok:
            raise UserError(f"其他法院的措施未成功：{fb.message}", f"the other court's measure failed: {fb.message}",
                            where="asset", code="PLATFORM_REFUSED")
        if not release and fb.freeze_id:
            run.other_freezes[key] = fb.freeze_id
    if release:
        run.other_freezes.pop(key, None)


_Action = Callable[[Run, StepBase, Any], Any]
_ACTIONS: dict[str, _Action] = {
    "file": _file,
    "assign": lambda r, s, a: _do(r, s, "Assign", handler=a.handler),
    "verify_identity": lambda r, s, a: _do(r, s, "VerifyIdentity", debtor=r.debtor_id(a.debtor, s), passed=a.passed),
    "correct_identity": lambda r, s, a: _do(r, s, "CorrectIdentity", debtor=r.debtor_id(a.debtor, s),
                                            corrected_to=a.to),
    "start_node": lambda r, s, a: _do(r, s, "StartNode", node=a.node, instance=r.instance(a.instance, s)),
    "complete_node": lambda r, s, a: _do(r, s, "CompleteNode", node=a.node, instance=r.instance(a.instance, s),
                                         authority=a.by, **({"ground": a.ground} if a.ground is not None else {}),
                                         **({"extension_years": a.extension_years}
                                            if a.extension_years is not None else {})),
    "complete_item": lambda r, s, a: _do(r, s, "CompleteItem", node=a.node, item=a.item,
                                         instance=r.instance(a.instance, s)),
    "record": _record,
    "request_unfreeze": lambda r, s, a: _do(r, s, "RequestUnfreeze", node=a.node, instance=r.instance(a.instance, s),
                                            by=a.by, reason=a.reason),
    "approve_unfreeze": lambda r, s, a: _do(r, s, "ApproveUnfreeze", node=a.node, authority=a.authority,
                                            instance=r.instance(a.instance, s)),
    "reject_unfreeze": lambda r, s, a: _do(r, s, "RejectUnfreeze", node=a.node, authority=a.authority,
                                           instance=r.instance(a.instance, s), reason=a.reason),
    "request_extension": lambda r, s, a: _do(r, s, "RequestLimitChange", kind="extend", reason=a.reason),
    "request_suspension": lambda r, s, a: _do(r, s, "RequestLimitChange", kind="suspend", reason=a.reason),
    "approve_limit_change": lambda r, s, a: _do(r, s, "ApproveLimitChange", authority=a.authority),
    "lift_suspension": lambda r, s, a: _do(r, s, "LiftSuspension"),
    "close": lambda r, s, a: _do(r, s, "Close", manner=a.manner,
                                 reviewed_by=None if a.await_review else a.reviewed_by),
    "approve_closing": lambda r, s, a: _do(r, s, "ApproveClosing", authority=a.authority),
    "return_closing": lambda r, s, a: _do(r, s, "ReturnClosing", authority=a.authority, reason=a.reason),
    "register_receipt": lambda r, s, a: _do(r, s, "RegisterReceipt", receipt=r.receipt(r.view(s), a.receipt)),
    "escrow": lambda r, s, a: _do(r, s, "Escrow", receipt=r.receipt(r.view(s), a.receipt), authority=a.authority,
                                  reason=a.reason),
    "open_feedback": lambda r, s, a: _do(r, s, "OpenFeedback", debtor=r.debtor_id(a.debtor, s), agency=a.agency),
    "manual_query": lambda r, s, a: _do(r, s, "ManualQuery", debtor=r.debtor_id(a.debtor, s), agency=a.agency),
    "provide_clue": _clue,
    "freeze": _freeze,
    "deduct": _deduct,
    "release": lambda r, s, a: _do(r, s, "Release", asset=_asset_of(r, s, a.asset)),
    "approve_payout": lambda r, s, a: _do(r, s, "ApprovePayout", receipt=r.receipt(r.view(s), a.receipt),
                                          authority=a.authority),
    "pay_out": _pay,
    "request_resumption": lambda r, s, a: _do(r, s, "RequestResumption", reason=a.reason),
    "approve_resumption": _approve_resumption,
    "pin": _pin,
    "other_court_freeze": lambda r, s, a: _other_court(r, s, a, release=False),
    "other_court_release": lambda r, s, a: _other_court(r, s, a, release=True),
    "agencies": _agencies,
    "command": _command,
    "advance": lambda r, s, a: None,
    "seal": lambda r, s, a: _do(r, s, "Seal", asset=_asset_of(r, s, a.asset)),
    "investigate": _lot("Investigate"),
    "price": _lot("Price", method=_arg("method")),
    "serve_report": _lot("ServeReport"),
    "object": _lot("Object", by=_arg("by")),
    "review_objection": _lot("ReviewObjection", upheld=_arg("upheld"), method=_arg("method")),
    "notify_parties": _lot("NotifyParties", announce=_time_arg("announce")),
    "list_auction": _lot("ListAuction", platform=_arg("platform"), start_pct=lambda r, a: a.start_pct or 70,
                         starting_price_cents=_arg("start"), deposit_pct=_arg("deposit_pct"),
                         bidding_starts=_time_arg("starts")),
    "bid": _bid,
    "relist": _lot("Relist", cut_pct=_arg("cut_pct"), starting_price_cents=_arg("start"),
                   bidding_starts=_time_arg("starts")),
    "offer_in_kind": _lot("OfferInKind", accept=_arg("accept")),
    "agree_in_kind": _lot("AgreeInKind", price_cents=_arg("price"), applicant_consents=_arg("applicant_consents"),
                          debtor_consents=_arg("debtor_consents"), others_consent=_arg("others_consent")),
    "start_sale": _lot("StartSale", price_cents=_arg("price"), sale_starts=_time_arg("starts")),
    "withdraw_listing": _lot("WithdrawListing"),
    "confirm_sale": _lot("ConfirmSale"),
    "transfer": _lot("Transfer"),
    "hand_over": _lot("HandOver"),
}
