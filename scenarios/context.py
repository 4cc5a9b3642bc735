"""One scenario's run: the court it drives (through the driver interface), the agencies it arranges, its
debtors in the world and the names steps use.

Everything court-side goes through ``run.driver`` (a :class:`~core_flow.driver.protocol.CourtDriver`): actions
are commands, expectations read the case's events, node states, summary, assets, amounts and lots back. What the
court said is read once per instant (a cache dropped whenever the runner acts or time moves)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from core_flow.driver.protocol import CaseView, CommandResult, NodeView, event_from_dict
from core_flow.engine import Event
from core_flow.errors import UserError
from core_flow.platform import Court
from core_flow.protocol import AssetKind, Holding, Subject, SubjectKind
from mock_agencies.identity import subject_kind_of
from mock_agencies.world import account_number
from scenarios import refs
from scenarios.model import HoldingSpec, Scenario, StepBase
from scenarios.schedule import RESUMED_CASE


@lru_cache(maxsize=1)
def _directory() -> Any:
    from core_flow.agency_directory import AgencyDirectory

    return AgencyDirectory.from_json(refs.catalogue().as_json())


class StepFailure(Exception):
    """An expectation that does not hold (or an action refused unexpectedly): expected vs actual."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"expected: {expected}; actual: {actual}")


@dataclass
class Run:
    scenario: Scenario
    target: Any  # scenarios.target.Target: the driver, the agencies, the in-process court (or None)
    subjects: dict[str, Subject] = field(default_factory=dict)  # alias -> subject
    assets: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # alias -> (debtor id, agency, account)
    asset_amounts: dict[str, int] = field(default_factory=dict)  # alias -> the balance pinned
    _seq: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    other_courts: dict[str, Any] = field(default_factory=dict)  # court code → its port on the same agencies
    names: dict[str, str] = field(default_factory=dict)  # a scenario's name (as:) → the platform's id (clue)
    receipt_names: dict[str, tuple[str, int]] = field(default_factory=dict)  # name → (asset id, nth receipt of it)
    # a listing's leading bid once one was named (listing id → (its name or None, bidder, the receipt slot)), and a
    # named bid outbid (name → (the bidder who outbid it, the slot)): the sale's proceeds are the winning bid's
    bid_names: dict[str, tuple[str | None, str, tuple[str, int]]] = field(default_factory=dict)
    outbid: dict[str, tuple[str, tuple[str, int]]] = field(default_factory=dict)
    other_freezes: dict[tuple[str, str], str] = field(default_factory=dict)  # (court, asset alias) → freeze id
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)
    _now: datetime | None = None
    courts: dict[str, Any] = field(default_factory=dict)  # court code → its Target (other cases' courts)
    case_courts: dict[str, str] = field(default_factory=dict)  # case number → its court's code
    local_courts: list[Any] = field(default_factory=list)  # other courts run here beside a court under test
    pending_cases: list[Any] = field(default_factory=list)  # other cases not filed yet, by filing time

    # ── the system under test ────────────────────────────────────────────────────────────────────
    @property
    def driver(self) -> Any:
        return self.target.driver

    @property
    def agencies(self) -> Any:
        """The agencies' side (the world, their behaviour): the runner arranges it, never through the court."""
        return self.target.agencies

    @property
    def court(self) -> Any:
        """zhixing's in-process court, or None when the court is reached over HTTP (engine internals unavailable)."""
        return None if self.target is None else self.target.court

    def driver_for(self, case_id: str) -> Any:
        """The driver of the court a case is at (the main court's, unless it is another court's case)."""
        code = self.case_courts.get(case_id)
        return self.target.driver if code is None else self.courts[code].driver

    def changed(self) -> None:
        self._cache.clear()
        self._now = None

    def advance(self, to: datetime | None = None) -> datetime:
        """Run the court to ``to`` (default: what is due at this instant)."""
        self.target.sync()
        self.changed()
        self._now = self.driver.advance(to if to is not None else self.now())
        for other in self.local_courts:  # other courts beside a court under test: at the same instant
            other.run_until(self._now)
        return self._now

    def command(self, case_id: str, type: str, **fields: Any) -> CommandResult:
        self.target.sync()
        self.changed()
        return self.driver_for(case_id).command(case_id, type, fields)

    def now(self) -> datetime:
        if self._now is None:
            self._now = self.driver.now()
        return self._now

    def _read(self, what: str, case_id: str, read: Any) -> Any:
        key = (what, case_id)
        if key not in self._cache:
            self.target.sync()
            self._cache[key] = read(case_id)
        return self._cache[key]

    # ── set-up ───────────────────────────────────────────────────────────────────────────────────
    def prepare_debtors(self) -> None:
        world = self.agencies.world
        for d in (d for c in (self.scenario.case, *self.scenario.cases) for d in c.debtors):
            if d.alias in self.subjects:
                continue  # the same debtor, in another case
            if d.world is not None:
                self.subjects[d.alias] = world.debtor(d.world).subject()
            else:
                kind = subject_kind_of(d.id)
                self.subjects[d.alias] = Subject(kind=SubjectKind(kind), name=d.name or d.alias, id_number=d.id)
            if d.nothing_elsewhere:
                for code in refs.queryable_agencies():
                    world.pin(self.subjects[d.alias].id_number, code, [])
            self.pin_holdings(d.alias, d.holdings)

    def pin_holdings(self, alias: str, holdings: list[HoldingSpec], agency: str | None = None) -> None:
        """Pin what the debtor holds, agency by agency (``agency`` given: exactly these there, maybe none)."""
        owner = self.subjects[alias].id_number
        by_agency: dict[str, list[Holding]] = defaultdict(list)
        if agency is not None:
            by_agency[agency] = []
        for h in holdings:
            self._seq[(h.agency, owner)] += 1
            number = account_number(h.agency, AssetKind(h.kind), owner, self._seq[(h.agency, owner)])
            by_agency[h.agency].append(Holding(account_no=number, kind=AssetKind(h.kind), description=h.description,
                                               balance_cents=h.amount, available_cents=h.amount,
                                               online_controllable=h.online))
            if h.alias:
                self.assets[h.alias] = (owner, h.agency, number)
                self.asset_amounts[h.alias] = h.amount
        for code, items in by_agency.items():
            self.agencies.world.pin(owner, code, items)

    def court_spec(self) -> Court:
        c = self.scenario.court
        return Court(c.code, c.name, c.region, c.intermediate, c.high)

    # ── what the court says (read back through the driver) ─────────────────────────────────────────
    def view(self, step: StepBase | None = None) -> CaseView:
        cid = self.case_id(step)
        return self._view(cid)

    def _view(self, cid: str) -> CaseView:
        try:
            return self._read("case", cid, lambda c: self.driver_for(c).case(c))
        except UserError as err:
            if err.code == "unknown_case":
                raise StepFailure(f"案件 {cid} 已立案 / case {cid} filed", "案件不存在 / no such case") from None
            raise

    def nodes(self, step: StepBase | None = None) -> list[NodeView]:
        self.view(step)  # the case exists
        return self._read("nodes", self.case_id(step), lambda c: self.driver_for(c).nodes(c))

    def node(self, step: StepBase | None, no: int, instance: str | None) -> NodeView | None:
        return next((n for n in self.nodes(step) if n.node == no and n.instance == (instance or "")), None)

    def events(self, step: StepBase | None = None) -> list[Event]:
        return self.case_events(self.case_id(step))

    def case_events(self, case_id: str) -> list[Event]:
        return self._read("events", case_id,
                          lambda cid: [event_from_dict(e) for e in self.driver_for(cid).events(cid)])

    def found_assets(self, case_id: str) -> list[Any]:
        return self._read("assets", case_id, lambda c: self.driver_for(c).assets(c))

    # ── names used by steps ──────────────────────────────────────────────────────────────────────
    def case_id(self, step: StepBase | None = None) -> str:
        main = self.scenario.case.number
        other = self.scenario.other_case(step.case) if step is not None else None
        if other is not None:
            return other.number
        if step is None or step.case is None or step.case not in RESUMED_CASE:
            return main
        resumed = self._view(main).resumed_as or self._filed_unanswered(main)
        if resumed is None:
            raise StepFailure("恢复执行案件已立案 / the resumed case is filed",
                              "尚无恢复执行案件 / no resumed case yet")
        return resumed

    @property
    def own_court(self) -> Any:
        """zhixing's own court, in process or on the real-time clock (its platform and filing system at hand); None
        for a system under test."""
        court = self.court if self.court is not None else getattr(self.driver, "court", None)
        return court if hasattr(court, "platform") else None  # a vendor's driver may have a "court" of its own

    def _filed_unanswered(self, case_id: str) -> str | None:
        """The 恢复执行 case zhixing's filing system filed for ``case_id`` while its answer is still on the way
        (``approve_resumption: {answered: …}``): at work already, not yet recorded on the 终本 case."""
        filing = getattr(getattr(self.own_court, "platform", None), "filing", None)
        return getattr(filing, "filed", {}).get(case_id)

    def debtor_id(self, alias: str | None, step: StepBase | None = None) -> str:
        """A debtor's ID number by alias, or the first debtor of the step's case."""
        return self.subjects[self.scenario.debtor(alias, step.case if step else None).alias].id_number

    def alias_of(self, debtor_id: str) -> str:
        return next((a for a, s in self.subjects.items() if s.id_number == debtor_id), debtor_id)

    def asset(self, case_id: str, ref: str) -> str:
        """The platform's asset id (``agency:account``) of an alias, an agency, or ``agency:account``."""
        if ref in self.assets:
            _, agency, number = self.assets[ref]
            return f"{agency}:{number}"
        agency, sep, number = ref.partition(":")
        code = refs.agency(agency)
        if sep:
            return f"{code}:{number}"
        found = sorted(a.asset for a in self.found_assets(case_id) if a.asset.startswith(f"{code}:"))
        if len(found) != 1:
            raise UserError(f"{code} 处有 {len(found)} 项已查得财产，须用别名指明",
                            f"{len(found)} assets found at {code}: name one by its alias", where="asset",
                            code="AMBIGUOUS_ASSET")
        return found[0]

    def instance(self, raw: str | None, step: StepBase | None = None) -> str | None:
        """A node instance: an asset alias of the holdings stands for the platform's ``agency:account`` id; a receipt's
        name for its id among the receipts of the step's case (a 恢复执行 case's own, with ``case:``). ``房产#2``: the
        asset's second price report (nodes 21–22 of a report after an upheld objection or a lapsed price: the
        instance ``agency:account#2``, core_flow.platform.disposal ``report_instance``); ``房产#1/2``: the second
        objection to its first report (node 22, ``objection_instance``)."""
        if raw and raw in self.assets:
            _, agency, number = self.assets[raw]
            return f"{agency}:{number}"
        base, sep, nth = (raw or "").rpartition("#")
        # ``房产#1/2``: the second objection to the first report (node 22: Disposal.objection_instance)
        if sep and all(p.isdigit() for p in nth.split("/", 1)) and base in self.assets:
            _, agency, number = self.assets[base]
            return f"{agency}:{number}#{nth}"
        if raw and raw in self.names:
            return self.names[raw]
        if raw and raw in self.receipt_names:
            found = self._named_receipt(self.view(step), raw)
            return found if found is not None else raw
        if raw and raw in self.outbid:
            self._outbid(raw, "instance")
        return raw

    def next_receipt(self, asset: str) -> int:
        """The slot among the asset's receipts the next named one takes (``deduct`` or ``bid`` ``as:``): one per
        receipt expected, an outbid bid's slot counted (the outbidding bid holds it)."""
        held = {n for named, n in self.receipt_names.values() if named == asset}
        held |= {n for _, (named, n) in self.outbid.values() if named == asset}
        return len(held)

    def _outbid(self, name: str, where: str) -> None:
        by = self.outbid[name][0]
        raise UserError(f"名为 {name} 的出价已被 {by} 超过：价款由后者的出价带来（以其 as 命名）",
                        f"the bid named {name} was outbid by {by}: the proceeds come with that bid (name it with its "
                        "as)", where=where, code="NO_RECEIPT")

    def _named_receipt(self, view: CaseView, name: str) -> str | None:
        asset, nth = self.receipt_names[name]
        mine = [r.id for r in view.receipts if r.asset == asset]
        return mine[nth] if nth < len(mine) else None

    def receipt(self, view: CaseView, ref: int | str | None) -> str:
        receipts = [r.id for r in view.receipts]
        if ref is None:
            if not receipts:
                raise UserError("本案尚无到账记录", "no receipt yet", where="receipt", code="NO_RECEIPT")
            return receipts[-1]
        if isinstance(ref, int):
            if not 1 <= ref <= len(receipts):
                raise UserError(f"没有第 {ref} 笔到账", f"no receipt #{ref}", where="receipt", code="NO_RECEIPT")
            return receipts[ref - 1]
        if ref in self.outbid:
            self._outbid(ref, "receipt")
        if ref in self.receipt_names:
            found = self._named_receipt(view, ref)
            if found is None:
                raise UserError(f"名为 {ref} 的到账尚未到达", f"the receipt named {ref} has not arrived yet",
                                where="receipt", code="NO_RECEIPT")
            return found
        return ref

    def scope(self, alias: str | None, step: StepBase | None = None) -> list[str]:
        """The 集约查询 scope the rules give this debtor at the step's court (from the agencies' directory)."""
        from core_flow.agency_directory import inquiry_scope

        ref = step.case if step is not None else None
        other = self.scenario.other_case(ref)
        subject = self.subjects[self.scenario.debtor(alias, ref).alias]
        region = (other.court if other is not None else self.scenario.court).region
        return [a.code for a in inquiry_scope(_directory(), subject.id_number, region, subject.kind)]

    # ── other cases: their courts, filed at their time ──────────────────────────────────────────────
    def prepare_cases(self) -> None:
        """Each other case's court: the main court when it is the same, else another court on the same agencies
        and clock (zhixing's engine in process only)."""
        main = self.scenario.court
        for case in sorted(self.scenario.cases, key=lambda c: c.filed):
            c = case.court
            if (c.code, c.name, c.region) != (main.code, main.name, main.region):
                if c.code not in self.courts:
                    self.courts[c.code] = self._another_court(Court(c.code, c.name, c.region, c.intermediate, c.high))
                self.case_courts[case.number] = c.code
            self.pending_cases.append(case)

    def _another_court(self, identity: Court) -> Any:
        from core_flow.assembly import CourtSpec, build_court
        from core_flow.driver import EngineDriver
        from scenarios.target import Target

        court = self.court
        beside = getattr(self.agencies, "another_court", None)  # the real-time runner builds it on its loop
        if court is None and beside is not None:
            return beside(identity)
        if court is None:
            return self._another_engine_court(identity)
        spec = CourtSpec(origin=court.spec.origin, seed=court.spec.seed, court=identity,
                         strict_calendar=court.spec.strict_calendar, counterpart=court.spec.counterpart)
        other = build_court(spec, clock=court.clock, counterpart=court.counterpart)  # one clock, one set of agencies
        return Target(EngineDriver(other), self.agencies, other, closer=lambda: None)  # the agencies are the main's

    def _another_engine_court(self, identity: Court) -> Any:
        """The court under test is reached by its driver only (``--court-url``): another court of the scenario is
        zhixing's engine here, with its own virtual clock kept at the runner's instants, on the same namespace of
        the mock agencies server (another court code on the same agencies)."""
        from core_flow.assembly import CounterpartSpec, CourtSpec, build_court
        from core_flow.driver import EngineDriver
        from scenarios.target import Target

        client = getattr(self.agencies, "client", None)
        if client is None:
            raise StepFailure("其他法院的案件在同一场景中运行 / another court's case runs in the scenario",
                              "多个法院需要进程内的 zhixing 引擎，或被测法院所连的模拟机构服务（--agencies-url）/ "
                              "several courts need zhixing's engine in process or served agencies (--agencies-url)")
        config = self.agencies.config
        spec = CourtSpec(origin=self.now(), seed=self.scenario.seed, court=identity,
                         counterpart=CounterpartSpec(kind="zhixing-http", url=client.base_url, profile=config.profile,
                                                     overrides=dict(config.overrides or {}),
                                                     options={"namespace": client.namespace, "attach": True}))
        other = build_court(spec)
        self.local_courts.append(other)
        return Target(EngineDriver(other), self.agencies, other, closer=other.close)

    def file_due(self, at: datetime) -> None:
        """File the other cases due by ``at``, each at its own filing time; a refusal fails the run."""
        from core_flow.driver.protocol import CaseFiling

        while self.pending_cases and self.pending_cases[0].filed <= at:
            case = self.pending_cases.pop(0)
            self.advance(case.filed)
            self.target.sync()
            self.changed()
            subjects = list({self.subjects[d.alias].id_number: self.subjects[d.alias] for d in case.debtors}.values())
            result = self.driver_for(case.number).file(CaseFiling(
                case_id=case.number, case_type=case.type, money=case.money, nonlitigation=case.nonlitigation,
                amount_cents=case.amount, debtors=subjects, previous_case=case.previous_case,
                previous_handler=case.previous_handler, shixin_eligible=case.shixin_eligible))
            if not result.accepted:
                raise StepFailure(f"案件 {case.number} 立案 / filed", f"拒绝 refused {result.code}: {result.message}")
            self.advance()
