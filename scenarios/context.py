"""One scenario's run: the virtual court it acts on, its debtors in the world and the names steps use."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core_flow.engine import CaseState, Event
from core_flow.errors import UserError
from core_flow.platform import Court
from core_flow.protocol import AssetKind, Holding, Subject, SubjectKind
from mock_agencies.identity import subject_kind_of
from mock_agencies.world import account_number
from scenarios import refs
from scenarios.model import HoldingSpec, Scenario, StepBase
from scenarios.schedule import RESUMED_CASE


class StepFailure(Exception):
    """An expectation that does not hold (or an action refused unexpectedly): expected vs actual."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"expected: {expected}; actual: {actual}")


@dataclass
class Run:
    scenario: Scenario
    court: Any  # sim.assembly.VirtualCourt (or the live equivalent)
    subjects: dict[str, Subject] = field(default_factory=dict)  # alias -> subject
    assets: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # alias -> (debtor id, agency, account)
    _seq: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    other_courts: dict[str, Any] = field(default_factory=dict)  # court code → its port on the same agencies
    names: dict[str, str] = field(default_factory=dict)  # a scenario's name (as:) → the platform's id (clue)
    receipt_names: dict[str, tuple[str, int]] = field(default_factory=dict)  # name → (asset id, nth receipt of it)
    other_freezes: dict[tuple[str, str], str] = field(default_factory=dict)  # (court, asset alias) → freeze id

    # ── set-up ───────────────────────────────────────────────────────────────────────────────────
    def prepare_debtors(self) -> None:
        world = self.court.session.world
        for d in self.scenario.case.debtors:
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
        for code, items in by_agency.items():
            self.court.session.world.pin(owner, code, items)

    def court_spec(self) -> Court:
        c = self.scenario.court
        return Court(c.code, c.name, c.region, c.intermediate, c.high)

    # ── names used by steps ──────────────────────────────────────────────────────────────────────
    @property
    def platform(self) -> Any:
        return self.court.platform

    @property
    def runtime(self) -> Any:
        return self.court.runtime

    def now(self) -> datetime:
        return self.court.clock.now()

    def case_id(self, step: StepBase | None = None) -> str:
        main = self.scenario.case.number
        if step is None or step.case is None or step.case not in RESUMED_CASE:
            return main
        state = self.runtime.cases.get(main)
        if state is None or state.resumed_as is None:
            raise StepFailure("恢复执行案件已立案 / the resumed case is filed",
                              "尚无恢复执行案件 / no resumed case yet")
        return state.resumed_as

    def state(self, step: StepBase | None = None) -> CaseState:
        cid = self.case_id(step)
        state = self.runtime.cases.get(cid)
        if state is None:
            raise StepFailure(f"案件 {cid} 已立案 / case {cid} filed", "案件不存在 / no such case")
        return state

    def debtor_id(self, alias: str | None) -> str:
        return self.subjects[self.scenario.debtor(alias).alias].id_number

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
        found = sorted(a for (cid, a) in self.platform.assets if cid == case_id and a.startswith(f"{code}:"))
        if len(found) != 1:
            raise UserError(f"{code} 处有 {len(found)} 项已查得财产，须用别名指明",
                            f"{len(found)} assets found at {code}: name one by its alias", where="asset",
                            code="AMBIGUOUS_ASSET")
        return found[0]

    def instance(self, raw: str | None) -> str | None:
        """A node instance: an asset alias of the holdings stands for the platform's ``agency:account`` id."""
        if raw and raw in self.assets:
            _, agency, number = self.assets[raw]
            return f"{agency}:{number}"
        if raw and raw in self.names:
            return self.names[raw]
        if raw and raw in self.receipt_names:
            found = self._named_receipt(self.state(), raw)
            return found if found is not None else raw
        return raw

    def _named_receipt(self, state: CaseState, name: str) -> str | None:
        asset, nth = self.receipt_names[name]
        mine = [r for r, rec in state.receipts.items() if rec.asset == asset]
        return mine[nth] if nth < len(mine) else None

    def receipt(self, state: CaseState, ref: int | str | None) -> str:
        receipts = list(state.receipts)
        if ref is None:
            if not receipts:
                raise UserError("本案尚无到账记录", "no receipt yet", where="receipt", code="NO_RECEIPT")
            return receipts[-1]
        if isinstance(ref, int):
            if not 1 <= ref <= len(receipts):
                raise UserError(f"没有第 {ref} 笔到账", f"no receipt #{ref}", where="receipt", code="NO_RECEIPT")
            return receipts[ref - 1]
        if ref in self.receipt_names:
            found = self._named_receipt(state, ref)
            if found is None:
                raise UserError(f"名为 {ref} 的到账尚未到达", f"the receipt named {ref} has not arrived yet",
                                where="receipt", code="NO_RECEIPT")
            return found
        return ref

    def events(self, step: StepBase | None = None) -> list[Event]:
        return self.runtime.case_events(self.case_id(step))

    def scope(self, alias: str | None) -> list[str]:
        from core_flow.agency_directory import inquiry_scope

        subject = self.subjects[self.scenario.debtor(alias).alias]
        return [a.code for a in inquiry_scope(self.platform.directory, subject.id_number,
                                              self.platform.court.region, subject.kind)]
