"""zhixing's reference court as a :class:`~core_flow.driver.protocol.CourtDriver`.

On the virtual clock: :meth:`EngineDriver.advance` runs the court's clock (every deadline and agency answer due on
the way happens at its own instant). :meth:`EngineDriver.reset` builds a fresh court through the composition root
(``core_flow.assembly``) — with zhixing's mock agencies in process, or a namespace of the mock agencies server the
setup names (the harness arranges that namespace's world itself).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core_flow.driver.fields import checked_fields
from core_flow.driver.protocol import (
    COMMANDS,
    OPERATION_FIELDS,
    AmountsView,
    AssetView,
    CaseFiling,
    CaseView,
    Clock,
    CommandResult,
    FeedbackView,
    ItemView,
    LotView,
    NodeView,
    ReceiptView,
    RunSetup,
)
from core_flow.engine import EventKind, Outcome
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar.holidays import HolidayCalendar

# Engine commands beyond the published ones (what the system records itself: an answer entered by hand, a resumed
# case filed…): zhixing's reference court takes them too, so scenarios that reach into the engine run through its
# HTTP form; another system answers ``unknown_command`` and the harness names the step it cannot run.
REFERENCE_ONLY = tuple(sorted(
    n for n, v in vars(c).items() if isinstance(v, type) and dataclasses.is_dataclass(v)
    and v.__module__ == c.__name__ and n not in COMMANDS and n not in ("FileCase", "FireTimer", "Timer")))


def _result(out: Any, created: str | None = None) -> CommandResult:
    if isinstance(out, Outcome) and out.refusal is not None:
        return CommandResult(accepted=False, code=out.refusal.code, message=out.refusal.message)
    return CommandResult(accepted=True, id=created)


def build_reference_court(setup: RunSetup) -> Any:
    """The reference court for one run, built by the composition root."""
    from core_flow.assembly import CounterpartSpec, CourtSpec, build_court
    from core_flow.platform import DEFAULT_COURT
    from core_flow.platform import Court as CourtIdentity

    ag = setup.agencies
    counterpart = CounterpartSpec(kind="zhixing-http" if ag.url else "inprocess", url=ag.url, profile=ag.profile,
                                  overrides=dict(ag.overrides),
                                  options={"namespace": ag.namespace} if ag.namespace else {})
    court = DEFAULT_COURT if setup.court is None else CourtIdentity(
        setup.court.code, setup.court.name, setup.court.region, setup.court.intermediate, setup.court.high)
    built = build_court(CourtSpec(origin=setup.origin, seed=setup.seed, court=court,
                                  strict_calendar=setup.strict_calendar, counterpart=counterpart))
    # a served namespace brings its pricing and auction platforms (over HTTP): the reference court disposes of
    # property there, as the scenario runner's court does with --agencies-url
    disposal_port = getattr(built.session, "disposal_port", None)
    if built.platform.disposal.port is None and callable(disposal_port):
        built.platform.disposal.port = disposal_port()
    return built


@functools.cache
def _usable_years() -> tuple[int, int]:
    """The years a court can run in: official holiday data and the provisional years after it (read once per
    process, as the builder's default calendar reads them). A strict court refuses, command by command with
    ``CALENDAR_RANGE``, the deadlines that fall in provisional years; a clock beyond these years is refused here."""
    return HolidayCalendar(use_env=True, strict=False).usable_years()


def _unknown_case(case_id: str) -> UserError:
    return UserError(f"案件 {case_id} 不存在", f"no case {case_id}", where="case_id", code="unknown_case")


def _namespace(court: Any) -> tuple[str, str] | None:
    """The agencies server and namespace a court reaches by name (None: in process, or a namespace of its own)."""
    cp = getattr(getattr(court, "spec", None), "counterpart", None)
    name = (getattr(cp, "options", None) or {}).get("namespace")
    if not name or not getattr(cp, "url", None):
        return None
    return cp.url.rstrip("/"), name


def _instant(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class EngineDriver:
    def __init__(self, court: Any = None, *, build: Callable[[RunSetup], Any] = build_reference_court) -> None:
        self.court = court  # a core_flow.assembly.Court
        self._build = build

    def _court(self) -> Any:
        if self.court is None:
            raise UserError("尚无法院：请先 PUT /court 开始一次运行", "no court yet: start a run with PUT /court",
                            where="court", code="no_court")
        return self.court

    # ── the run and its clock ──
    def reset(self, setup: RunSetup) -> Clock:
        # the new court is checked and built before the run in progress ends: a refused setup leaves it as it was —
        # but for a new run on the running one's own namespace of an agencies server, which the old run frees first
        # (a new court may not take a namespace in use)
        self._within_calendar(setup.origin, "origin")
        ag = setup.agencies
        here = (ag.url.rstrip("/"), ag.namespace) if ag.url and ag.namespace else None
        if self.court is not None and here is not None and _namespace(self.court) == here:
            self.close()
        try:
            court = self._build(setup)
        except (TypeError, ValueError, KeyError) as err:  # a setup the agencies or the court cannot be built from
            raise UserError(f"无法按此设置开始运行：{err}", f"cannot start a run with this setup: {err}",
                            where="agencies.overrides" if setup.agencies.overrides else "setup",
                            code="bad_setup") from None
        old, self.court = self.court, court
        if old is not None:
            old.close()
        return Clock(now=self.now())

    @staticmethod
    def _within_calendar(at: datetime, where: str) -> None:
        """A clock beyond the legal calendar's years could compute no deadline: every command would be refused."""
        first, last = _usable_years()
        if not first <= at.year <= last:
            raise UserError(f"{at.isoformat()} 超出法定日历可用的年份（{first}–{last} 年），期限无法计算",
                            f"{at.isoformat()} is beyond the legal calendar's usable years ({first}–{last}): no "
                            "deadline could be computed", where=where, code="calendar_range")

    def now(self) -> datetime:
        return self._court().clock.now()

    def advance(self, to: datetime) -> datetime:
        court = self._court()
        self._within_calendar(to, "to")
        if to > court.clock.now():
            court.run_until(to)
        else:
            court.run_until(court.clock.now())  # what is due at this instant (reactions to the last command)
        return court.clock.now()

    def close(self) -> None:
        if self.court is not None:
            court, self.court = self.court, None
            court.close()

    # ── acting ──
    def file(self, filing: CaseFiling) -> CommandResult:
        cmd = c.FileCase(filing.case_id, case_type=filing.case_type, money=filing.money,
                         nonlitigation=filing.nonlitigation, amount_cents=filing.amount_cents,
                         debtors=tuple(d.id_number for d in filing.debtors), filed_at=filing.filed_at,
                         previous_case=filing.previous_case, previous_handler=filing.previous_handler,
                         shixin_eligible=filing.shixin_eligible)
        return _result(self._court().platform.file(cmd, list(filing.debtors)))

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult:
        if type not in COMMANDS and type not in REFERENCE_ONLY:
            raise UserError(f"未知命令 {type!r}（可选：{'、'.join(COMMANDS)}）",
                            f"unknown command {type!r} (one of: {', '.join(COMMANDS)})", where="type",
                            code="unknown_command")
        if type in OPERATION_FIELDS:
            return self._operation(case_id, type, fields)
        cls = getattr(c, type)
        names = {f.name for f in dataclasses.fields(cls)} - {"case_id"}
        _check_fields(type, fields, names)
        cmd = cls(case_id=case_id, **checked_fields(type, fields))
        platform = self._court().platform
        if type == "ManualQuery":  # the platform sends it if the engine agrees
            return _result(platform.manual_query(case_id, cmd.debtor, cmd.agency))
        if type == "PayOut":  # finance pays from the sub-account if the engine agrees (a surplus: to the debtor)
            return _result(platform.pay_out(case_id, cmd.receipt, cmd.amount_cents, surplus=cmd.surplus))
        if type == "RegisterReceipt":
            return _result(platform.register_receipt(case_id, cmd.receipt))
        return _result(platform.submit(cmd))

    def _operation(self, case_id: str, type: str, f: dict[str, Any]) -> CommandResult:
        _check_fields(type, f, set(OPERATION_FIELDS[type]))
        f = checked_fields(type, f)
        p = self._court().platform
        d = p.disposal
        a = f.get("asset")
        ops: dict[str, Callable[[], Any]] = {
            "EnterClue": lambda: p.enter_clue(case_id, f["debtor"], f["agency"], f.get("note", "")),
            "Freeze": lambda: p.freeze(case_id, a, f["amount_cents"]),
            "Deduct": lambda: p.deduct(case_id, a, f["amount_cents"]),
            "Release": lambda: p.release(case_id, a),
            "Seal": lambda: p.seal(case_id, a),
            "RegisterReceipt": lambda: p.register_receipt(case_id, f["receipt"]),
            "Investigate": lambda: d.investigate(case_id, a),
            "Price": lambda: d.price(case_id, a, f.get("method", "network_inquiry")),
            "ServeReport": lambda: d.serve_report(case_id, a),
            "Object": lambda: d.object(case_id, a, f.get("by", "被执行人")),
            "ReviewObjection": lambda: d.review_objection(case_id, a, f["upheld"], f.get("method", "appraisal")),
            "NotifyParties": lambda: d.notify_parties(case_id, a, _instant(f.get("announce"))),
            "ListAuction": lambda: d.list(case_id, a, **_given(f, platform=None, start_pct=None,
                                                                starting_price_cents=None, deposit_pct=None,
                                                                bidding_starts=_instant)),
            "Relist": lambda: d.relist(case_id, a, **_given(f, cut_pct=None, starting_price_cents=None,
                                                             bidding_starts=_instant)),
            "OfferInKind": lambda: d.offer_in_kind(case_id, a, f["accept"]),
            "AgreeInKind": lambda: d.agree_in_kind(case_id, a, f["price_cents"],
                                                   applicant_consents=f["applicant_consents"],
                                                   debtor_consents=f["debtor_consents"],
                                                   others_consent=f.get("others_consent", False)),
            "StartSale": lambda: d.start_sale(case_id, a, **_given(f, price_cents=None, sale_starts=_instant)),
            "WithdrawListing": lambda: d.withdraw_listing(case_id, a),
            "ConfirmSale": lambda: d.confirm_sale(case_id, a),
            "Transfer": lambda: d.transfer(case_id, a),
            "HandOver": lambda: d.hand_over(case_id, a),
        }
        try:
            out = ops[type]()
        except KeyError as err:
            raise UserError(f"命令 {type} 缺少字段 {err}", f"command {type} needs field {err}", where="fields",
                            code="bad_fields") from None
        return _result(out, out if isinstance(out, str) and type in ("EnterClue", "Seal") else None)

    # ── reading back ──
    def _state(self, case_id: str) -> Any:
        state = self._court().runtime.cases.get(case_id)
        if state is None:
            raise _unknown_case(case_id)
        return state

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self._court().runtime.case_events(case_id)]

    def nodes(self, case_id: str) -> list[NodeView]:
        state = self._state(case_id)
        guessed = self._provisional(case_id)
        return [NodeView(node=ns.no, instance=ns.instance, status=str(ns.status),
                         items={k: ItemView(due=st.due, period=str(st.period), done=st.done, overdue=st.overdue,
                                            calendar_provisional=guessed.get((ns.no, ns.instance, k, st.due), []))
                                for k, st in ns.items.items()})
                for ns in sorted(state.nodes.values(), key=lambda n: (n.no, n.instance))]

    def _provisional(self, case_id: str) -> dict[tuple[Any, ...], list[int]]:
        """(node, instance, item, due) → the provisional holiday years that due relies on, from the case's
        ``deadline_set`` events (the engine's own account of the computation): a guessed due is never shown bare."""
        return {(e.node, e.instance, e.item, e.data["due"]): list(e.data["calendar_provisional"])
                for e in self._court().runtime.case_events(case_id)
                if e.kind == EventKind.DEADLINE_SET and e.data.get("calendar_provisional")}

    def case(self, case_id: str) -> CaseView:
        s = self._state(case_id)
        platform = self._court().platform
        return CaseView(
            case_id=case_id, amount_cents=s.amount_cents, handler=s.handler, closed_manner=s.closed_manner,
            resumption=s.resumption, resumed_as=s.resumed_as, extensions=s.limit.extensions,
            suspended=s.limit.suspended_since is not None, identity=dict(s.identity),
            findings=sum(1 for f in platform.findings if f.case_id == case_id),
            receipts=[ReceiptView(id=rid, asset=r.asset, amount_cents=r.amount_cents, paid_cents=r.paid_cents,
                                  source=r.source) for rid, r in s.receipts.items()],
            feedback=[FeedbackView(debtor=debtor, agency=agency, received_at=fb.received_at, due=fb.due,
                                   opened_at=fb.opened_at, duban=fb.duban)
                      for (debtor, agency), fb in s.feedback.items()])

    def assets(self, case_id: str) -> list[AssetView]:
        money = self._state(case_id).assets
        out = []
        for (cid, asset), (agency, holding, debtor) in sorted(self._court().platform.assets.items()):
            if cid != case_id:
                continue
            m = money.get(asset)
            out.append(AssetView(asset=asset, agency=agency, debtor=debtor, kind=str(holding.kind),
                                 available_cents=holding.available_cents, frozen_cents=m.frozen_cents if m else 0,
                                 deducted_cents=m.deducted_cents if m else 0, released=bool(m and m.released)))
        return out

    def amounts(self, case_id: str) -> AmountsView:
        self._state(case_id)
        court = self._court()
        ledger = getattr(court.session, "ledger", None)

        def frozen_at(agency: str, freeze_id: str) -> int:
            view = ledger.find_freeze(freeze_id)
            return view.controlled_cents if view is not None else 0

        report = court.platform.reconcile(case_id, frozen_at if ledger is not None else None)
        known = set(AmountsView.model_fields) - {"detail"}
        return AmountsView(**{k: v for k, v in report.items() if k in known},
                           detail={k: v for k, v in report.items() if k not in known})

    def lots(self, case_id: str) -> list[LotView]:
        self._state(case_id)
        return [LotView(asset=lot.asset, stage=lot.stage, round=lot.round,
                        reference_price_cents=lot.reference_price_cents, starting_price_cents=lot.starting_price_cents,
                        sold_price_cents=lot.sold_price_cents, listing_id=lot.listing_id)
                for (cid, _), lot in sorted(self._court().platform.disposal.lots.items()) if cid == case_id]


def _check_fields(type: str, fields: dict[str, Any], names: set[str]) -> None:
    unknown = sorted(set(fields) - names)
    if unknown:
        raise UserError(f"命令 {type} 无字段 {'、'.join(unknown)}（可选：{'、'.join(sorted(names))}）",
                        f"command {type} has no field {', '.join(unknown)} (one of: {', '.join(sorted(names))})",
                        where=f"fields.{unknown[0]}", code="unknown_field")


def _given(fields: dict[str, Any], **convert: Callable[[Any], Any] | None) -> dict[str, Any]:
    """The optional fields given (not None), converted where a converter is named."""
    return {k: (conv(fields[k]) if conv else fields[k]) for k, conv in convert.items() if fields.get(k) is not None}
