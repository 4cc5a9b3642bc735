"""The catalogue of external agencies as data (``data/agencies.yaml``), and the scope of a 集约查询.

A 集约查询 (法明传〔2020〕849号) covers the 21 national banks, the 3 internet-finance providers,
securities, the local banks of the debtor's registration place (ID digits 1-6 / credit-code characters
3-8) and the local banks of the executing court's place. A local bank's ``region`` is a GB/T 2260 prefix
(2 digits: province-wide, 4: a prefecture, 6: a county); it is in scope when that prefix is a prefix of the
debtor's region or of the court's region.

A malformed catalogue file is a ``UserError`` that names the file (and line), the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core_flow import yaml_text
from core_flow.errors import UserError, read_utf8
from core_flow.protocol import DEFAULT_COURT as DEFAULT_COURT  # the court model is the protocol's (one for both sides)
from core_flow.protocol import AgencyGroup, Measure, SubjectKind, in_inquiry_scope
from core_flow.protocol import Court as Court
from mock_agencies.identity import region_of

DEFAULT_CATALOGUE_FILE = Path(__file__).parent / "data" / "agencies.yaml"

CODE_RE = re.compile(r"^[a-z0-9_]+$")
REGION_RE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


class UnknownAgencyError(UserError):
    """A code that names no agency of the catalogue."""

    def __init__(self, code: str, where: str | None = "agency") -> None:
        super().__init__(
            f"未知的协助单位代码：{code!r}",
            f"unknown agency code: {code!r}",
            where=where,
            code="unknown_agency",
        )
        self.agency_code = code


@dataclass(frozen=True, slots=True)
class Agency:
    code: str  # stable, lowercase ascii; used in URLs /agencies/{code}/...
    name: str  # Chinese name (for banks in 集约查询: exactly as the SPC notice names them)
    name_en: str
    group: AgencyGroup
    operations: tuple[Measure, ...]
    region: str | None  # 2-, 4- or 6-digit GB/T 2260 prefix (local banks only)
    profile: str  # behaviour-profile class: bank, internet_finance, securities, registry, auction, ...
    in_inquiry_scope: bool
    services: tuple[str, ...] = ()  # non-measure activities (auction, pricing, court account)
    full_name: str = ""
    aliases: tuple[str, ...] = ()  # what people call it too (工行, 支付宝): scenario files may name it so
    source: str = ""  # where the name / membership is confirmed
    unconfirmed: bool = False  # believed, not checked (LAW.md's rule)
    synthetic: bool = False  # invented for the harness
    note: str = ""

    def supports(self, measure: Measure) -> bool:
        return measure in self.operations

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "group": self.group.value,
            "operations": [m.value for m in self.operations],
            "region": self.region,
        }


class Catalogue:
    """An immutable, ordered set of agencies (file order)."""

    def __init__(self, agencies: tuple[Agency, ...], source: str = "<memory>") -> None:
        self.agencies = agencies
        self.source = source
        self._by_code = {a.code: a for a in agencies}
        if len(self._by_code) != len(agencies):
            raise UserError("协助单位代码重复", "duplicate agency codes", where=source)
        named: dict[str, str] = {}
        for a in agencies:  # a name, full name or alias stands for one agency only
            for key in {a.code, a.name, a.full_name, *a.aliases} - {""}:
                if named.setdefault(key, a.code) != a.code:
                    raise UserError(f"名称 {key!r} 同时指 {named[key]} 与 {a.code}",
                                    f"the name {key!r} stands for both {named[key]} and {a.code}", where=source)
        self._by_name = named

    def find(self, ref: str) -> Agency | None:
        """An agency by code, name, full name or alias (``icbc``, ``工商银行``, ``中国工商银行股份有限公司``,
        ``工行``)."""
        code = self._by_name.get(ref.strip())
        return None if code is None else self._by_code[code]

    def names(self) -> tuple[str, ...]:
        """Every code, name, full name and alias (for "did you mean")."""
        return tuple(self._by_name)

    def get(self, code: str) -> Agency:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownAgencyError(code) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    def by_group(self, group: AgencyGroup | str) -> tuple[Agency, ...]:
        group = AgencyGroup(group)
        return tuple(a for a in self.agencies if a.group == group)

    def as_json(self) -> list[dict[str, Any]]:
        return [a.as_json() for a in self.agencies]


def inquiry_scope(catalogue: Catalogue, debtor_id: str, court_region: str) -> tuple[Agency, ...]:
    """The agencies a 集约查询 for ``debtor_id`` (ID number or credit code) by a court at ``court_region``
    (GB/T 2260 code) reaches: national banks, internet finance, securities (every agency flagged
    ``in_inquiry_scope`` outside the local banks), then the local banks of the two places, in catalogue
    order."""
    debtor_region = region_of(debtor_id)
    if not REGION_RE.match(court_region or ""):
        raise UserError(
            f"法院所在地区划代码须为2、4或6位数字：{court_region!r}",
            f"the court's region must be a 2-, 4- or 6-digit GB/T 2260 code: {court_region!r}",
            where="court_region",
        )
    # the same rule as the court's (core_flow.protocol.in_inquiry_scope); ``in_inquiry_scope`` marks the catalogue's
    # agencies that take part at all
    rule = [a for a in catalogue.agencies
            if a.in_inquiry_scope and in_inquiry_scope(a.group, a.region, debtor_region, court_region)]
    return tuple(a for a in rule if a.group != AgencyGroup.LOCAL_BANK) + tuple(
        a for a in rule if a.group == AgencyGroup.LOCAL_BANK)


def inquiry_scope_for_subject(
    catalogue: Catalogue, id_number: str, kind: SubjectKind, court_region: str
) -> tuple[Agency, ...]:
    """As ``inquiry_scope``, with the kind of number known (no detection)."""
    region_of(id_number, kind)  # validates against the stated kind
    return inquiry_scope(catalogue, id_number, court_region)


# --- loading -------------------------------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    group: AgencyGroup
    operations: tuple[Measure, ...]
    region: str | None = None
    profile: str = Field(min_length=1)
    in_inquiry_scope: bool
    services: tuple[str, ...] = ()
    full_name: str = ""
    aliases: tuple[str, ...] = ()
    source: str = ""
    unconfirmed: bool = False
    synthetic: bool = False
    note: str = ""

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError("代码只能含小写字母、数字和下划线 / code must match ^[a-z0-9_]+$")
        return v

    @field_validator("operations", mode="before")
    @classmethod
    def _ops(cls, v: Any) -> Any:
        if isinstance(v, list | tuple):
            for item in v:
                if not isinstance(item, str):
                    raise ValueError(
                        f'措施代码须加引号写成字符串（如 "01"），得到 {item!r} / '
                        f'measure codes must be quoted strings such as "01", got {item!r}'
                    )
        return v

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None and not REGION_RE.match(v):
            raise ValueError(f"区划代码须为2、4或6位数字 / region must be 2, 4 or 6 digits: {v!r}")
        return v


def _line_index(text: str, source: str) -> tuple[int | None, list[tuple[int, dict[str, int]]]]:
    """Line of the ``agencies`` key and, per entry, its line and the lines of its keys (1-based); a key given twice
    is an error."""
    try:
        root = yaml_text.compose(text)
    except yaml.YAMLError:
        return None, []
    yaml_text.refuse_duplicates(root, source, ("协助单位目录", "agency catalogue"))
    if not isinstance(root, yaml.MappingNode):
        return None, []
    for key, value in root.value:
        if key.value == "agencies" and isinstance(value, yaml.SequenceNode):
            entries = []
            for item in value.value:
                keys = {}
                if isinstance(item, yaml.MappingNode):
                    keys = {k.value: k.start_mark.line + 1 for k, _ in item.value}
                entries.append((item.start_mark.line + 1, keys))
            return key.start_mark.line + 1, entries
    return None, []


def parse_catalogue(text: str, source: str) -> Catalogue:
    """Parse catalogue YAML text; errors name ``source`` (file), line, entry and field."""
    try:
        doc = yaml_text.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise UserError(f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}", where=where) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("agencies"), list):
        raise UserError(
            "目录文件须为含 agencies 列表的映射",
            "the catalogue must be a mapping with an 'agencies' list",
            where=source,
        )
    _, lines = _line_index(text, source)
    defaults = doc.get("group_defaults") or {}
    if not isinstance(defaults, dict) or not all(isinstance(v, dict) for v in defaults.values()):
        raise UserError(
            "group_defaults 须为 组→映射",
            "group_defaults must map group → mapping",
            where=f"{source}: group_defaults",
        )
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(doc["agencies"]):
        line, key_lines = lines[i] if i < len(lines) else (None, {})
        label = f"agencies[{i}]"
        if isinstance(raw, dict) and isinstance(raw.get("code"), str):
            label += f" ({raw['code']})"

        def where(field: str | None, _line: int | None = line, _keys: dict = key_lines, _label: str = label) -> str:
            at = _keys.get(field, _line) if field else _line
            loc = f"{source}:{at}" if at else source
            return f"{loc}: {_label}" + (f".{field}" if field else "")

        if not isinstance(raw, dict):
            raise UserError("每个条目须为映射", "each entry must be a mapping", where=where(None))
        merged = {**defaults.get(raw.get("group"), {}), **raw}
        try:
            entry = _Entry.model_validate(merged)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            top = str(err["loc"][0]) if err["loc"] else None
            raise UserError(
                f"字段无效：{err['msg']}",
                f"invalid field: {err['msg']}",
                where=where(top) if top else where(field),
            ) from None
        if entry.code in seen:
            raise UserError(
                f"代码 {entry.code!r} 与 agencies[{seen[entry.code]}] 重复",
                f"code {entry.code!r} duplicates agencies[{seen[entry.code]}]",
                where=where("code"),
            )
        seen[entry.code] = i
        if (entry.group == AgencyGroup.LOCAL_BANK) != (entry.region is not None):
            raise UserError(
                "地方性银行必须有 region，其他单位不得有",
                "local banks need a region; other agencies must not have one",
                where=where("region"),
            )
        agencies.append(Agency(**entry.model_dump()))
    return Catalogue(tuple(agencies), source=source)


def _load(path: Path) -> Catalogue:
    try:
        text = read_utf8(path, ("机构目录文件", "agency catalogue file"))
    except OSError as exc:
        raise UserError(f"无法读取目录文件：{exc}", f"cannot read the catalogue file: {exc}", where=str(path)) from None
    return parse_catalogue(text, str(path))


@lru_cache(maxsize=1)
def _default() -> Catalogue:
    return _load(DEFAULT_CATALOGUE_FILE)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue from ``path``, or the packaged one (cached) when ``path`` is None."""
    return _default() if path is None else _load(Path(path))
