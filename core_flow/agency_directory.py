"""The agencies a court talks to, and the scope of a 集约查询 (最高人民法院 法明传〔2020〕849号 一（一）1).

The directory is data the court side receives (``GET /agencies`` of an agency endpoint, or the mock
catalogue in-process): code, name, group, region, operations. The scope rule is the notice's own:
the 21 national banks, the 3 internet-finance providers, securities, the local banks of the debtor's
household-registration place and the local banks of the executing court's place. A person's registration
place is the first 6 digits of the ID number (GB/T 2260 code); a company's, characters 3–8 of its unified
social credit code (the registration authority's region, GB 32100).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core_flow.errors import UserError
from core_flow.identity import is_valid_id_number
from core_flow.protocol import INQUIRY_SCOPE_GROUPS, AgencyGroup, Measure, SubjectKind, in_inquiry_scope

IN_SCOPE_GROUPS = tuple(AgencyGroup(g) for g in INQUIRY_SCOPE_GROUPS)
_ID = re.compile(r"^\d{17}[\dX]$")
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_REGION = re.compile(r"^\d{2}(\d{2}){0,2}$")


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    code: str
    name: str
    group: AgencyGroup
    region: str | None = None
    operations: tuple[Measure, ...] = ()


class AgencyDirectory:
    def __init__(self, agencies: Iterable[AgencyInfo]) -> None:
        self.agencies = tuple(agencies)
        self._by_code = {a.code: a for a in self.agencies}
        # (debtor region, court region, groups, local banks) → scope
        self._scopes: dict[tuple[str, str, tuple[str, ...], bool], tuple[AgencyInfo, ...]] = {}
        self._nationwide = tuple(a for a in self.agencies if a.group in IN_SCOPE_GROUPS)
        self._local_index: dict[str, list[int]] = {}  # a local bank's region (2, 4 or 6 digits) → positions
        for i, a in enumerate(self.agencies):
            if a.group == AgencyGroup.LOCAL_BANK and a.region:
                self._local_index.setdefault(a.region, []).append(i)

    def scope_for(self, debtor_region: str, court_region: str, groups: tuple[str, ...] = INQUIRY_SCOPE_GROUPS,
                  local_banks: bool = True) -> tuple[AgencyInfo, ...]:
        """The 集约查询 scope for a debtor registered in ``debtor_region`` and a court in ``court_region`` (both
        checked by the caller): the rule of ``core_flow.protocol.in_inquiry_scope``, the agencies of ``groups``
        first, then the local banks, in directory order; remembered, as a court's scopes repeat."""
        key = (debtor_region, court_region, groups, local_banks)
        found = self._scopes.get(key)
        if found is None:
            nationwide = (self._nationwide if groups == INQUIRY_SCOPE_GROUPS
                          else tuple(a for a in self.agencies if a.group in groups))
            local: tuple[AgencyInfo, ...] = ()
            if local_banks:
                index = self._local_index  # local banks by region prefix: the rule, without a scan
                matched = {i for region in (debtor_region, court_region)
                           for prefix in {region[:2], region[:4], region[:6]} for i in index.get(prefix, ())}
                local = tuple(self.agencies[i] for i in sorted(matched)
                              if in_inquiry_scope(self.agencies[i].group, self.agencies[i].region, debtor_region,
                                                  court_region, groups, local_banks))
            if len(self._scopes) >= 65_536:
                self._scopes.clear()  # bounded: a cache
            found = self._scopes[key] = nationwide + local
        return found

    @classmethod
    def from_json(cls, rows: Iterable[Mapping[str, Any]]) -> AgencyDirectory:
        """From the catalogue as ``GET /agencies`` serves it (code, name, group, operations, region)."""
        return cls(
            AgencyInfo(str(r["code"]), str(r["name"]), AgencyGroup(r["group"]), r.get("region") or None,
                       tuple(Measure(m) for m in r.get("operations", ())))
            for r in rows
        )

    def get(self, code: str) -> AgencyInfo:
        try:
            return self._by_code[code]
        except KeyError:
            raise UserError(f"未知机构代码 {code!r}", f"unknown agency code {code!r}", where="agency",
                            code="unknown_agency") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def by_group(self, group: AgencyGroup) -> tuple[AgencyInfo, ...]:
        return tuple(a for a in self.agencies if a.group == group)


def registration_region(debtor_id: str, kind: SubjectKind | None = None) -> str:
    """The 6-digit registration region of an 18-digit ID number or an 18-character credit code.

    Without ``kind`` the number's type is told by its form: a valid ID check digit means a person (an all-digit
    credit code can look like an ID number otherwise)."""
    value = (debtor_id or "").strip().upper()
    person = kind == SubjectKind.PERSON if kind is not None else is_valid_id_number(value)
    if person and _ID.match(value):
        return value[:6]
    if not person and _USCC.match(value):
        return value[2:8]
    raise UserError(
        f"被执行人证件号码应为18位身份证号或统一社会信用代码：{debtor_id!r}",
        f"the debtor's number must be an 18-digit ID number or unified social credit code: {debtor_id!r}",
        where="debtor_id",
    )


def inquiry_scope(directory: AgencyDirectory, debtor_id: str, court_region: str,
                  kind: SubjectKind | None = None, groups: tuple[str, ...] = INQUIRY_SCOPE_GROUPS,
                  local_banks: bool = True) -> tuple[AgencyInfo, ...]:
    """Exactly the agencies a 集约查询 reaches, in directory order: the nationwide ones first, then the local
    banks whose region (2-, 4- or 6-digit prefix) covers the debtor's registration place or the court's place."""
    debtor_region = registration_region(debtor_id, kind)
    if not _REGION.match(court_region or ""):
        raise UserError(
            f"法院所在地区划代码须为2、4或6位数字：{court_region!r}",
            f"the court's region must be a 2-, 4- or 6-digit GB/T 2260 code: {court_region!r}",
            where="court_region",
        )
    return directory.scope_for(debtor_region, court_region, groups, local_banks)


def sweep_scope(directory: AgencyDirectory, debtor_id: str, court_region: str, kind: SubjectKind | None = None,
                groups: tuple[str, ...] = INQUIRY_SCOPE_GROUPS, local_banks: bool = True,
                sweep_groups: tuple[str, ...] = ()) -> tuple[AgencyInfo, ...]:
    """The whole online scope a 终本 sweep asks 总对总 for: the 集约 scope plus every agency of ``sweep_groups``
    that takes a query (registries, vehicles, equity, housing fund…)."""
    scope = inquiry_scope(directory, debtor_id, court_region, kind, groups, local_banks)
    have = {a.code for a in scope}
    extra = tuple(a for a in directory.agencies if a.group in sweep_groups and a.code not in have
                  and Measure.QUERY in a.operations)
    return scope + extra
