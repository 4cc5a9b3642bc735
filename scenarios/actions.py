"""Actions of a scenario step: each maps to one engine command or one platform method.

``perform(run, step)`` returns the refusal (code, message) or ``None`` when the action was accepted. Platform
methods that refuse by raising ``UserError`` (freezing an unknown asset, a clue for a case not in 终本…) count
as refusals too, with the error's code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from core_flow.engine import Outcome
from core_flow.engine import commands as c
from core_flow.errors import UserError
from mock_agencies.profiles import load_profile
from scenarios import refs
from scenarios.context import Run
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
        code = err.code.upper() if err.code and err.code != "invalid" else "PLATFORM_REFUSED"
        return code, err.message
    if isinstance(result, Outcome) and result.refusal is not None:
        return result.refusal.code, result.refusal.message
    return None


def _submit(run: Run, cmd: Any) -> Outcome:
    return run.platform.submit(cmd)


def _file(run: Run, step: StepBase, _: Any) -> Outcome:
    case = run.scenario.case
    ids = tuple(s.id_number for s in run.subjects.values())
    cmd = c.FileCase(case.number, case_type=case.type, money=case.money, nonlitigation=case.nonlitigation,
                     amount_cents=case.amount, debtors=ids, previous_case=case.previous_case,
                     previous_handler=case.previous_handler, shixin_eligible=case.shixin_eligible)
    return run.platform.file(cmd, list(run.subjects.values()))


def _record(run: Run, step: StepBase, a: Any) -> Outcome:
    at = resolve(a.at, run.now(), calendar()) if a.at is not None else None
    return _submit(run, c.Record(run.case_id(step), a.event, run.instance(a.instance), at, dict(a.attrs)))


def _freeze(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    asset = run.asset(cid, a.asset)
    amount = a.amount
    if amount is None:
        holding = run.platform.assets.get((cid, asset))
        available = holding[1].available_cents if holding else 0
        amount = min(run.state(step).amount_cents or available, available) or available
    run.platform.freeze(cid, asset, amount)


def _clue(run: Run, step: StepBase, a: Any) -> None:
    clue = run.platform.enter_clue(run.case_id(step), run.debtor_id(a.debtor), a.agency, a.note)
    if a.name:
        run.names[a.name] = clue  # later steps say instance: <name>, not the platform's clue-N


def _deduct(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    asset = run.asset(cid, a.asset)
    money = run.state(step).assets.get(asset)
    amount = a.amount if a.amount is not None else (money.frozen_cents - money.deducted_cents if money else 0)
    run.platform.deduct(cid, asset, amount)
    if a.name:  # the receipt this deduction brings, whenever it arrives: the nth named one of this asset
        nth = sum(1 for named, _ in run.receipt_names.values() if named == asset)
        run.receipt_names[a.name] = (asset, nth)


def _pay(run: Run, step: StepBase, a: Any) -> Outcome:
    state = run.state(step)
    receipt = run.receipt(state, a.receipt)
    r = state.receipts.get(receipt)
    amount = a.amount if a.amount is not None else (r.amount_cents - r.paid_cents if r else 0)
    return run.platform.pay_out(run.case_id(step), receipt, amount)


def _pin(run: Run, step: StepBase, a: Any) -> None:
    run.pin_holdings(run.scenario.debtor(a.debtor).alias, a.holdings, agency=a.agency)


def _agencies(run: Run, step: StepBase, a: dict[str, dict[str, Any]]) -> None:
    session = run.court.session
    merged = {**(session.config.overrides or {})}
    for key, behaviour in resolve_behaviour(a, session.config.profile).items():
        merged[key] = {**merged.get(key, {}), **behaviour}
    session.set_profile(load_profile(session.config.profile, merged))


def _command(run: Run, step: StepBase, a: Any) -> Outcome:
    cls = command_class(a.type)
    fields: dict[str, Any] = {}
    for name, value in (a.model_extra or {}).items():
        if name == "debtor":
            value = run.debtor_id(value)
        elif name == "node":
            value = refs.node(value)
        elif name == "authority":
            value = refs.authority(value)
        elif name == "agency":
            value = refs.agency(value)
        elif name == "agencies":
            value = tuple(refs.agency(v) for v in value)
        elif name == "amount_cents":
            value = refs.cents(f"{value}分") if isinstance(value, int) else refs.cents(value)
        elif isinstance(value, list):
            value = tuple(value)
        fields[name] = value
    return _submit(run, cls(case_id=run.case_id(step), **fields))


# ── disposal (issue 12) ──────────────────────────────────────────────────────────────────────────────────
def _disposal(run: Run) -> Any:
    """The court's disposal component, given the mock pricing and auction platforms of the scenario's session on
    first use; the scenario's auctions have no simulated bidders (``bid`` steps bid), so results are exact."""
    d = run.platform.disposal
    if d.port is None:
        from mock_agencies.auction import BidderModel
        from mock_agencies.disposal_port import SessionDisposalPort
        from mock_agencies.session import Session

        session = run.court.session
        if isinstance(session, Session):
            d.port = SessionDisposalPort(session)
            session.auction.model = BidderModel(max_bidders=0)
        else:  # --agencies-url: the served namespace's platforms over HTTP (created without simulated bidders)
            d.port = session.disposal_port()
    return d


def _at(run: Run, spec: Any) -> Any:
    return resolve(spec, run.now(), calendar()) if spec is not None else None


def _lot_call(method: str, *fields: str) -> _Action:
    def act(run: Run, step: StepBase, a: Any) -> Any:
        cid = run.case_id(step)
        return getattr(_disposal(run), method)(cid, run.asset(cid, a.asset), *(getattr(a, f) for f in fields))
    return act


def _list(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    _disposal(run).list(cid, run.asset(cid, a.asset), platform=a.platform, start_pct=a.start_pct or 70,
                        starting_price_cents=a.start, deposit_pct=a.deposit_pct, bidding_starts=_at(run, a.starts))


def _relist(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    _disposal(run).relist(cid, run.asset(cid, a.asset), cut_pct=a.cut_pct, starting_price_cents=a.start,
                          bidding_starts=_at(run, a.starts))


def _sale(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    _disposal(run).start_sale(cid, run.asset(cid, a.asset), price_cents=a.price, sale_starts=_at(run, a.starts))


def _notify_parties(run: Run, step: StepBase, a: Any) -> Any:
    cid = run.case_id(step)
    return _disposal(run).notify_parties(cid, run.asset(cid, a.asset), _at(run, a.announce))


def _bid(run: Run, step: StepBase, a: Any) -> None:
    """A bidder pays the deposit and bids (default: the least the platform accepts) on the asset's open listing."""
    cid = run.case_id(step)
    lot = _disposal(run).lot(cid, run.asset(cid, a.asset))
    if lot.listing_id is None:
        raise UserError("该财产没有在拍标的", "the asset has no listing", where="asset", code="NO_LISTING")
    auction, now = run.court.session.auction, run.now()
    view = auction.get(lot.listing_id)
    least = view.starting_price_cents if view.round == "sale" or view.current_price_cents is None else (
        view.current_price_cents + view.increment_cents)
    auction.pay_deposit(lot.listing_id, bidder_id=a.bidder, amount_cents=view.deposit_cents, name=a.bidder, now=now)
    auction.place_bid(lot.listing_id, bidder_id=a.bidder, amount_cents=a.amount or least, now=now)


def _other_court(run: Run, step: StepBase, a: Any, release: bool) -> None:
    """Another court freezes (or releases) the debtor's account at the same agencies, as a court would: a request
    through its own port on the agencies' session, answered at the agencies' instant."""
    from core_flow.protocol import ControlRequest, Measure, Subject
    from mock_agencies.port import SessionPort
    from mock_agencies.session import Session

    session = run.court.session
    if not isinstance(session, Session):
        raise UserError("其他法院的措施暂只能在进程内运行（不支持 --agencies-url）",
                        "another court's measures run in process only (not with --agencies-url)",
                        where="agencies_url", code="OTHER_COURT_REMOTE")
    if a.asset not in run.assets:
        raise UserError(f"未知财产别名 {a.asset!r}（应为被执行人 holdings 中的 as）",
                        f"unknown asset alias {a.asset!r} (an ``as`` of the debtor's holdings)", where="asset",
                        code="AMBIGUOUS_ASSET")
    owner, agency, account = run.assets[a.asset]
    port = run.other_courts.get(a.court)
    if port is None:
        port = run.other_courts[a.court] = SessionPort(session)
    subject: Subject = next(s for s in run.subjects.values() if s.id_number == owner)
    key = (a.court, a.asset)
    n = len(run.other_freezes) + len(run.other_courts) + sum(1 for k in run.other_freezes if k[0] == a.court)
    fields: dict[str, Any] = {"measure": Measure.UNFREEZE, "freeze_id": run.other_freezes.get(key)} if release else {
        "measure": Measure.FREEZE, "account_no": account,
        "amount_cents": a.amount if a.amount is not None else next(
            h.balance_cents for h in session.world.holdings(owner, agency) if h.account_no == account)}
    if release and key not in run.other_freezes:
        raise UserError(f"法院 {a.court} 没有冻结 {a.asset}", f"court {a.court} holds no freeze on {a.asset}",
                        where="asset", code="NO_FREEZE")
    request = ControlRequest(request_no=f"{a.court}-X{n:06d}{'R' if release else 'F'}", court_code=a.court,
                             case_no=f"{a.court}-他案", subject=subject, **fields)
    now = run.now()
    port.submit(agency, request, now)
    answers = port.collect(now)
    while not answers and (due := port.next_due()) is not None:  # answered at the agencies' own instant
        run.court.run_until(due)
        answers = port.collect(run.now())
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
    "assign": lambda r, s, a: _submit(r, c.Assign(r.case_id(s), a.handler)),
    "verify_identity": lambda r, s, a: _submit(r, c.VerifyIdentity(r.case_id(s), r.debtor_id(a.debtor), a.passed)),
    "correct_identity": lambda r, s, a: _submit(r, c.CorrectIdentity(r.case_id(s), r.debtor_id(a.debtor), a.to)),
    "start_node": lambda r, s, a: _submit(r, c.StartNode(r.case_id(s), a.node, r.instance(a.instance))),
    "complete_node": lambda r, s, a: _submit(r, c.CompleteNode(r.case_id(s), a.node, r.instance(a.instance), a.by)),
    "complete_item": lambda r, s, a: _submit(r, c.CompleteItem(r.case_id(s), a.node, a.item, r.instance(a.instance))),
    "record": _record,
    "request_unfreeze": lambda r, s, a: _submit(r, c.RequestUnfreeze(r.case_id(s), a.node, r.instance(a.instance), a.by,
                                                                      a.reason)),
    "approve_unfreeze": lambda r, s, a: _submit(r, c.ApproveUnfreeze(r.case_id(s), a.node, a.authority,
                                                                      r.instance(a.instance))),
    "reject_unfreeze": lambda r, s, a: _submit(r, c.RejectUnfreeze(r.case_id(s), a.node, a.authority,
                                                                    r.instance(a.instance), a.reason)),
    "request_extension": lambda r, s, a: _submit(r, c.RequestLimitChange(r.case_id(s), "extend", a.reason)),
    "request_suspension": lambda r, s, a: _submit(r, c.RequestLimitChange(r.case_id(s), "suspend", a.reason)),
    "approve_limit_change": lambda r, s, a: _submit(r, c.ApproveLimitChange(r.case_id(s), a.authority)),
    "lift_suspension": lambda r, s, a: _submit(r, c.LiftSuspension(r.case_id(s))),
    "close": lambda r, s, a: _submit(r, c.Close(r.case_id(s), a.manner,
                                                None if a.await_review else a.reviewed_by)),
    "approve_closing": lambda r, s, a: _submit(r, c.ApproveClosing(r.case_id(s), a.authority)),
    "return_closing": lambda r, s, a: _submit(r, c.ReturnClosing(r.case_id(s), a.authority, a.reason)),
    "register_receipt": lambda r, s, a: r.platform.register_receipt(r.case_id(s), r.receipt(r.state(s), a.receipt)),
    "escrow": lambda r, s, a: _submit(r, c.Escrow(r.case_id(s), r.receipt(r.state(s), a.receipt), a.authority,
                                                  a.reason)),
    "open_feedback": lambda r, s, a: _submit(r, c.OpenFeedback(r.case_id(s), r.debtor_id(a.debtor), a.agency)),
    "manual_query": lambda r, s, a: r.platform.manual_query(r.case_id(s), r.debtor_id(a.debtor), a.agency),
    "provide_clue": _clue,
    "freeze": _freeze,
    "deduct": _deduct,
    "release": lambda r, s, a: r.platform.release(r.case_id(s), r.asset(r.case_id(s), a.asset)),
    "approve_payout": lambda r, s, a: _submit(r, c.ApprovePayout(r.case_id(s), r.receipt(r.state(s), a.receipt),
                                                                 a.authority)),
    "pay_out": _pay,
    "request_resumption": lambda r, s, a: _submit(r, c.RequestResumption(r.case_id(s), a.reason)),
    "approve_resumption": lambda r, s, a: _submit(r, c.ApproveResumption(r.case_id(s), a.authority)),
    "pin": _pin,
    "other_court_freeze": lambda r, s, a: _other_court(r, s, a, release=False),
    "other_court_release": lambda r, s, a: _other_court(r, s, a, release=True),
    "agencies": _agencies,
    "command": _command,
    "advance": lambda r, s, a: None,
    "seal": lambda r, s, a: r.platform.seal(r.case_id(s), r.asset(r.case_id(s), a.asset)),
    "investigate": _lot_call("investigate"),
    "price": lambda r, s, a: _disposal(r).price(r.case_id(s), r.asset(r.case_id(s), a.asset), a.method),
    "serve_report": _lot_call("serve_report"),
    "object": _lot_call("object", "by"),
    "review_objection": _lot_call("review_objection", "upheld", "method"),
    "notify_parties": _notify_parties,
    "list_auction": _list,
    "bid": _bid,
    "relist": _relist,
    "offer_in_kind": _lot_call("offer_in_kind", "accept"),
    "start_sale": _sale,
    "confirm_sale": _lot_call("confirm_sale"),
    "transfer": _lot_call("transfer"),
    "hand_over": _lot_call("hand_over"),
}
