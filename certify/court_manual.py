"""The court side operated by hand (``zhixing certify court`` without ``--driver``): what the vendor is to enter in
its court system. The kit's cases (``certify/court_cases.scenario.yaml``) name their debtors by their index in the
mock agencies' synthetic world (``world: 6``, in the world of the case's ``seed``: the same people a driven run
files against); a vendor filing a case needs the debtor's name and ID number. The holdings each case lists are pinned
in the lab's ``default`` namespace — the one a court without a namespace header reaches —, so the court finds what the
case expects. The debtors are test data of the synthetic world, not real people: shown unmasked, to be typed in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from certify.court_drive import CASES
from core_flow.protocol import AssetKind, Holding, SubjectKind
from mock_agencies.catalogue import load_catalogue
from mock_agencies.identity import subject_kind_of
from mock_agencies.namespaces import DEFAULT_NAMESPACE
from mock_agencies.world import World, account_number

KIND_ZH = {"deposit": "存款", "wealth_product": "理财", "balance": "余额", "securities": "证券",
           "real_estate": "不动产", "vehicle": "车辆", "equity": "股权"}


@dataclass
class ManualDebtor:
    alias: str  # the name the script's steps use (马某某)
    name: str  # the debtor's name in the lab's world
    kind: str  # person / company
    id_number: str
    holdings: list[tuple[str, str, str, int]] = field(default_factory=list)  # (agency code, its name, kind, cents)


@dataclass
class ManualCase:
    title: str  # the script's name of the case
    number: str
    claim_cents: int
    filed: str
    debtors: list[ManualDebtor] = field(default_factory=list)


def manual_cases(state: Any, paths: list[Path] | None = None) -> list[ManualCase]:
    """The kit's cases with their debtors as the lab's ``default`` namespace knows them (``state``: the lab's
    ``app.state``), the holdings the cases list pinned there."""
    from scenarios.loader import load_paths

    session = state.sessions.get_or_create(DEFAULT_NAMESPACE)
    world = session.world  # where the court's requests go: the cases' holdings pinned here
    names = {a.code: a.name for a in load_catalogue().agencies}
    seq: dict[tuple[str, str], int] = defaultdict(int)
    seen: dict[tuple[int, int | None, str | None], ManualDebtor] = {}
    out = []
    for sc in load_paths(paths or [CASES]):
        people = World(sc.seed, size=state.settings.world_size, catalogue=session.catalogue)  # the case's world
        for case in (sc.case, *sc.cases):
            mc = ManualCase(sc.name, case.number, case.amount, case.filed.strftime("%Y-%m-%d %H:%M"))
            for d in case.debtors:
                key = (sc.seed, d.world, d.id)
                if key not in seen:
                    if d.world is not None:
                        w = people.debtor(d.world)
                        seen[key] = ManualDebtor(d.alias, w.name, w.kind.value, w.id_number)
                    else:
                        kind = SubjectKind(subject_kind_of(str(d.id)))
                        seen[key] = ManualDebtor(d.alias, d.name or d.alias, kind.value, str(d.id))
                debtor = seen[key]
                by_agency: dict[str, list[Holding]] = defaultdict(list)
                for h in d.holdings:
                    seq[(h.agency, debtor.id_number)] += 1
                    number = account_number(h.agency, AssetKind(h.kind), debtor.id_number,
                                            seq[(h.agency, debtor.id_number)])
                    by_agency[h.agency].append(Holding(account_no=number, kind=AssetKind(h.kind),
                                                       description=h.description, balance_cents=h.amount,
                                                       available_cents=h.amount, online_controllable=h.online))
                    debtor.holdings.append((h.agency, names.get(h.agency, h.agency), str(h.kind), h.amount))
                for code, items in by_agency.items():
                    world.pin(debtor.id_number, code, items)
                mc.debtors.append(debtor)
            out.append(mc)
    return out


def _yuan(cents: int) -> str:
    return f"{cents / 100:,.2f} 元"


def cases_text(cases: list[ManualCase], lab_url: str) -> str:
    """The cases to operate, for the terminal: each case number, claim and filing time, each debtor's name and
    (unmasked) ID number, the holdings the lab has for them."""
    lines = [f"请在被测法院系统中按 {CASES.name} 的步骤办理以下案例（机构地址 {lab_url}，不加命名空间头）。"
             "被执行人为本工具合成世界中的测试数据，并非真实人员，证件号未遮蔽以便录入 / "
             "operate these cases in the court system under "
             f"test, following the steps of {CASES.name} (agencies at {lab_url}, no namespace header). The debtors "
             "are test data of the kit's synthetic world, not real people: their ID numbers are shown unmasked to be "
             "typed in."]
    for c in cases:
        lines.append(f"  {c.title}")
        lines.append(f"    案号 / case: {c.number}  申请执行标的 / claim: {_yuan(c.claim_cents)}  "
                     f"立案 / filed: {c.filed}")
        for d in c.debtors:
            kind = "自然人 person" if d.kind == SubjectKind.PERSON.value else "单位 company"
            lines.append(f"    被执行人 / debtor: {d.name}（{kind}）证件号 / ID: {d.id_number}"
                         f"（脚本中为 / in the script: {d.alias}）")
            for _, name, kind_en, cents in d.holdings:
                lines.append(f"      财产 / holding: {name} {KIND_ZH.get(kind_en, kind_en)} {kind_en} {_yuan(cents)}")
    return "\n".join(lines)
