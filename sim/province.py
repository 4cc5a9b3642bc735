"""A province (or a 中院's district) as data: its courts, each a court profile, simulated together — each court's
KPIs and the province total (``sim.replicate.province``). What a higher court sizing its basic courts writes, where
``--courts C`` only repeats one profile C times.

A province file is a mapping with ``courts``: a list, or the name of a table of them (``courts: 各院.xlsx``, a row
per court, ``sim.province_table``). Each court is a profile file (``profile:``, relative to the
province file), fields written in place (any court profile field: ``intake: {yearly: 1800}``), or both, and
``count: N`` for N courts alike. What a court does not say comes from ``common`` (fields every court shares), then
from the embedded default (unless its profile file says ``base: none``)::

    name: 某中院辖区
    common: {origin: 2027年1月4日}
    courts:
      - {name: 甲区人民法院, profile: 甲区.yaml}
      - {name: 乙县人民法院, intake: {yearly: 1800}, staff: {承办法官: {count: 3}}}
      - {name: 丙县人民法院, count: 2, intake: {yearly: 900}}

The courts share one first instant and one warm-up: the province total adds their requests hour by hour on the
calendar and their counts over one window (``origin`` and ``warmup_days`` in ``common`` apply to all, over the
courts' own files). ``python -m sim.province`` writes the file's JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core_flow import yaml_text
from core_flow.errors import UserError, in_file_order, together
from core_flow.legal_calendar import to_cst
from sim.profile import (
    DATA,
    CourtProfile,
    FieldError,
    ProcessProblems,
    _located,
    deep_merge,
    default_data,
    profile_layer,
    read_mapping,
)

PROVINCE_TEMPLATE = DATA / "province_template.yaml"  # zhixing plan template --province
PROVINCE_SCHEMA = DATA / "province.schema.json"
MAX_COURTS = 500  # a province has ~100–200 basic courts; the whole country ~3,000 (run province by province)
WHAT = ("省级配置", "province file")
SHARED = ("origin", "warmup_days")  # one value for every court: the province total adds the courts over one window


def _same(field: str, a: Any, b: Any) -> bool:
    """Whether a court's own ``field`` and common's say the same — an origin as read (2026-12-07, 2026年12月7日 08:30
    and a YAML date are one instant), not as written."""
    if field == "origin":
        try:
            return to_cst(CourtProfile._local(a)) == to_cst(CourtProfile._local(b))
        except (UserError, ValueError, TypeError):
            pass  # (a value the profile refuses is said by its own check)
    return str(a) == str(b)


class CourtEntry(BaseModel):
    """One court (or ``count`` courts alike) of a province file; its other keys are court profile fields."""

    model_config = ConfigDict(extra="allow")
    name: str | None = Field(None, description="法院名称（缺省取其配置文件的 name，再缺省取文件名） / the court's name "
                                               "(default: its profile file's name, or the file's)")
    profile: str | None = Field(None, description="该院的法院配置文件（相对本文件） / the court's profile file "
                                                  "(relative to this file)")
    count: int = Field(1, ge=1, le=MAX_COURTS, description="同样的法院数（名称后加 #1、#2…） / courts alike (named "
                                                          "#1, #2…)")


class ProvinceFile(BaseModel):
    """The province file as written (its courts' profile fields are checked as court profiles)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("省 / province", description="省或辖区名称（报告标题） / the province's name (the report's "
                                                  "title)")
    common: dict[str, Any] = Field(default_factory=dict, description=(
        "各院共同的法院配置字段（如 origin、hours、actions），各院未写的取此处，再未写的取内置默认 / court profile "
        "fields every court shares (origin, hours, actions…): what a court omits comes from here, then from the "
        "embedded default"))
    courts: list[CourtEntry] | str = Field(min_length=1, description=(
        "各法院：逐个写出，或给出各院表（CSV 或 Excel .xlsx，相对本文件：法院、年收案、各角色人数…一院一行） / "
        "the courts: each written out, or a courts table (CSV or Excel .xlsx, relative to this file: name, yearly "
        "intake, headcount per role… a row per court)"))


@dataclass(frozen=True)
class Province:
    name: str
    courts: tuple[tuple[str, CourtProfile], ...]  # (name, profile), in the file's order, ``count`` expanded
    notes: tuple[str, ...] = ()  # how its courts table was read, where not as written (GBK, title rows…)


def is_province(path: str | Path | None) -> bool:
    """Whether ``path`` is a province file (a mapping with ``courts``); a file that cannot be read is not (loading it
    as a profile then says why)."""
    if path is None:
        return False
    try:
        data = yaml_text.load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "courts" in data


def load_province(path: str | Path) -> Province:
    """The province at ``path``, each court's profile merged (default ← ``common`` ← its profile file ← its fields
    in place) and validated; every mistake located at its file and line, all at once."""
    p = Path(path)
    tree, data = read_mapping(p, WHAT)
    try:
        spec = ProvinceFile.model_validate(data)
    except ValidationError as err:
        raise together(in_file_order([_at(loc, tree, p, _message(e)) for e in err.errors()
                                      if (loc := _branch(e["loc"], data.get("courts"))) is not None]), WHAT) from None
    common, common_base = profile_layer(spec.common, p, f"{p}:common")
    if common_base != "default":
        raise UserError("common 中不能写 base（base: none 只用于单个法院的配置文件）",
                        "common takes no base (base: none belongs in a court's own profile file)",
                        where=f"{p}:common.base")
    at_courts = f"{p}:{yaml_text.line_of(tree, ('courts',))}:courts"
    entries, problems, notes = _table_entries(p, spec.courts, at_courts) if isinstance(spec.courts, str) \
        else (_yaml_entries(p, tree, spec.courts), [], ())
    courts: list[tuple[str, CourtProfile]] = []
    first_at: dict[str, str] = {}
    said: list[str] = []
    for entry, place in entries:
        try:
            name, profile = _court(entry, place, common, p, tree, said)
        except UserError as err:
            problems.append(err)
            continue
        names = [name] if entry.count == 1 else [f"{name} #{k}" for k in range(1, entry.count + 1)]
        for n in names:
            if n in first_at:
                problems.append(UserError(
                    f"法院名称重复：{n}（{first_at[n]} 已有）；各院名称须不同（报告与表格按名称区分）",
                    f"court name given twice: {n} ({first_at[n]} has it); each court needs its own name (the "
                    "report and the tables tell the courts apart by it)", where=place.field("name")))
                continue
            first_at[n] = place.at
            courts.append((n, profile.model_copy(update={"name": n})))
    if problems:
        raise together(problems, WHAT, most=MAX_SHOWN)
    if len(courts) > MAX_COURTS:
        raise UserError(f"法院数 {len(courts)} 超过上限 {MAX_COURTS}（全国请按省分别运行）",
                        f"{len(courts)} courts exceed the limit of {MAX_COURTS} (run the country province by province)",
                        where=at_courts)
    _same_window(p, courts)
    return Province(spec.name, tuple(courts), (*notes, *said))


MAX_SHOWN = 20  # courts' mistakes listed in one message (the count says how many more)


@dataclass(frozen=True)
class _Place:
    """Where a court of the province is written: in the province file's list, or a row of its courts table."""

    file: Path  # the file it is written in: its paths (profile, start_state) are relative to it
    at: str  # file:line of the court, for its own mistakes
    field: Callable[[str], str]  # where one of its fields is written (name, profile, base)
    in_place: Callable[[Any, tuple[Any, ...]], UserError | None]  # a field's mistake, located where written here
    node: yaml.Node | None = None  # the court's entry in the province file's list (None: a row of a courts table)


def _yaml_entries(p: Path, tree: yaml.Node, courts: list[CourtEntry]) -> list[tuple[CourtEntry, _Place]]:
    out = []
    for i, entry in enumerate(courts):
        at = f"{p}:{yaml_text.line_of(tree, ('courts', i))}:courts.{i}"

        def in_place(e: Any, path: tuple[Any, ...], i: int = i) -> UserError | None:
            if not path or yaml_text.node_at(tree, ("courts", i, path[0])) is None:
                return None
            return _located(e, str(p), yaml_text.node_at(tree, ("courts", i)))

        def field(name: str, i: int = i) -> str:
            return f"{p}:{yaml_text.line_of(tree, ('courts', i, name))}:courts.{i}.{name}"

        out.append((entry, _Place(p, at, field, in_place, yaml_text.node_at(tree, ("courts", i)))))
    return out


def _table_entries(p: Path, name: str, at: str) -> tuple[list[tuple[CourtEntry, _Place]], list[UserError], list[str]]:
    """The courts of the table ``name`` (relative to the province file ``p``; named at ``at``): each row an entry,
    its mistakes at the row and column (``sim.province_table``)."""
    from sim.province_table import read_courts

    table = (p.parent / name).resolve()
    if not table.is_file():
        raise UserError(f"找不到各院表 {name}（相对 {p.parent}）", f"the courts table {name} is not found (relative to "
                        f"{p.parent})", where=at)
    rows, notes = read_courts(table)
    out, problems = [], []
    for row in rows:
        def column(path: tuple[Any, ...], row: Any = row) -> str | None:
            return next((col for field, col in row.columns.items()
                         if path[:len(field)] == field or field[:len(path)] == path), None) if path else None

        def in_place(e: Any, path: tuple[Any, ...], row: Any = row) -> UserError | None:
            col = column(path, row)
            if col is None:
                return None
            said = _located(e, "", None)
            return UserError(said.zh, said.en, where=f"{table}:{row.line}:{col}")

        try:
            entry = CourtEntry.model_validate(row.data)
        except ValidationError as err:
            problems += [UserError(f"各院表有误：{_message(e)[0]}", f"invalid courts table: {_message(e)[1]}",
                                   where=f"{table}:{row.line}:{column(tuple(e['loc'])) or _dotted(e['loc'])}")
                         for e in err.errors()]
            continue

        def field(name: str, row: Any = row) -> str:
            return f"{table}:{row.line}:{column((name,), row) or name}"

        out.append((entry, _Place(table, f"{table}:{row.line}", field, in_place)))
    return out, problems, notes


def _court(entry: CourtEntry, place: _Place, common: dict[str, Any], p: Path,
           tree: yaml.Node, said: list[str] | None = None) -> tuple[str, CourtProfile]:
    """One court: its name and validated profile (default ← ``common`` ← its profile file ← its fields in place).
    ``said`` gets a note for each value of its own file that ``common``'s window replaced (``SHARED``)."""
    at = place.at
    inline, inline_base = profile_layer(dict(entry.model_extra or {}), place.file, at)
    if inline_base != "default":
        raise UserError("省级配置中的法院不能写 base（base: none 只用于法院自己的配置文件）",
                        "a court in a province file takes no base (base: none belongs in a court's own profile file)",
                        where=place.field("base"))
    data = deep_merge(default_data(), common)
    own_tree: yaml.Node | None = None
    own = Path()
    own_name: str | None = None
    layer: dict[str, Any] = {}  # what the court's own file writes
    if entry.profile is not None:
        own = (place.file.parent / entry.profile).resolve()
        if not own.is_file():
            raise UserError(f"找不到该院的法院配置文件 {entry.profile}（相对 {place.file.parent}）",
                            f"the court's profile file {entry.profile} is not found (relative to {place.file.parent})",
                            where=place.field("profile"))
        own_tree, raw = read_mapping(own, ("法院配置", "court profile"))
        layer, base = profile_layer(raw, own)
        data = deep_merge(common if base == "none" else data, layer)
        own_name = str(layer.get("name") or own.stem)
    data = deep_merge(data, inline)
    replaced = []
    for field in SHARED:  # the province's window: common's, over what a court's own file says for its own runs
        if field in common and field not in inline:
            if field in layer and not _same(field, layer[field], common[field]):
                replaced.append(field)
            data[field] = common[field]
    name = entry.name or own_name  # never the default profile's name: unnamed in place and in its file, the file's stem
    if said is not None:  # a court's own origin (2026年12月7日) silently gave way to common's: said where it is read
        for field in replaced:
            said.append(f"{name}：其配置文件 {entry.profile} 的 {field}（{layer[field]}）由 common 的 {common[field]} "
                        f"代替（全省同一时段） / {name}: its profile file's {field} ({layer[field]}) gives way to "
                        f"common's {common[field]} (one window for the province)")
    if not name:
        raise UserError("每个法院须有 name（或其配置文件中的 name）", "each court needs a name (or its profile file's)",
                        where=at)
    data["name"] = name
    try:
        return name, CourtProfile.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            cause = (e.get("ctx") or {}).get("error")  # a check across fields names its field (FieldError.loc)
            if isinstance(cause, ProcessProblems):  # the process model's refusal: each problem, where it is written
                problems += [_process_problem({**e, "ctx": {"error": FieldError(
                    f"流程设置无效：{zh}", f"invalid process setting: {en}", tuple(loc))}}, ("process", *loc), place,
                    (own_tree, own), (tree, p)) for loc, zh, en in cause.problems]
                continue
            path = tuple(e["loc"]) + (cause.loc if isinstance(cause, FieldError) else ())
            key = path[0] if path else None
            if (here := place.in_place(e, path)) is not None:  # written in place
                problems.append(here)
            elif yaml_text.node_at(own_tree, (key,)) is not None:  # in the court's profile file
                problems.append(_located(e, str(own), own_tree))
            elif yaml_text.node_at(tree, ("common", key)) is not None:
                problems.append(_located(e, str(p), yaml_text.node_at(tree, ("common",))))
            else:
                problems.append(_located(e, at, None))
        named = [UserError(f"{name}：{u.zh}", f"{name}: {u.en}", where=u.where) for u in problems]
        raise together(named, ("法院配置", "the court profile")) from None


def _written(node: yaml.Node | None, path: tuple[Any, ...]) -> int:
    """How many keys of ``path`` one layer's YAML (``node``) writes, from the first: the deepest writer of a merged
    value is the layer it came from."""
    depth = 0
    for part in path:
        found = yaml_text.entry(node, part)
        if found is None:
            break
        node, depth = found[1], depth + 1
    return depth


def _process_problem(error: Any, path: tuple[Any, ...], place: _Place, own: tuple[yaml.Node | None, Path],
                     province: tuple[yaml.Node, Path]) -> UserError:
    """One problem of a court's merged ``process:`` at the layer that wrote it — the court in place, its profile
    file, or ``common`` (``process:`` merges key by key across them: a bad value of ``common`` was said at the
    court's own ``process:`` line, and only the first problem of a court was said)."""
    if place.node is None and (here := place.in_place(error, path)) is not None:  # a courts table's column
        return here
    tree, p = province
    own_tree, own_path = own
    common = yaml_text.node_at(tree, ("common",))
    layers = [(place.node, str(place.file)), (own_tree, str(own_path)), (common, str(p))]  # the last written first
    depth, node, where = max(((_written(n, path), n, w) for n, w in layers if n is not None),
                             key=lambda layer: layer[0], default=(0, None, ""))
    return _located(error, where, node) if depth else _located(error, place.at, None)


def _same_window(p: Path, courts: list[tuple[str, CourtProfile]]) -> None:
    """One first instant and one warm-up for every court (written in ``common``)."""
    first_name, first = courts[0]
    for field in SHARED:
        for name, profile in courts[1:]:
            a, b = getattr(first, field), getattr(profile, field)
            if a != b:
                raise UserError(
                    f"各院的 {field} 须相同（全省合计按同一时段逐小时相加）：{first_name} 为 {a}，{name} 为 {b}；"
                    "请只在 common 中写",
                    f"every court needs the same {field} (the province total adds the courts hour by hour over one "
                    f"window): {first_name} has {a}, {name} {b}; write it in common only", where=f"{p}:{field}")


def _branch(loc: tuple[Any, ...], courts: Any) -> tuple[Any, ...] | None:
    """A ``courts`` error of the branch the file wrote (a list of courts, or a table's name), its place without
    pydantic's branch name; None for the other branch's."""
    if len(loc) < 2 or loc[0] != "courts" or loc[1] not in ("str", "list[CourtEntry]"):
        return tuple(loc)
    if (loc[1] == "str") != isinstance(courts, str):
        return None
    return ("courts", *loc[2:])


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in loc)


def _message(error: Any) -> tuple[str, str]:
    from core_flow.validation import field_messages

    m = field_messages([error])[0]
    return m["zh"], m["en"]


def _at(loc: tuple[Any, ...], tree: yaml.Node, p: Path, message: tuple[str, str]) -> UserError:
    path = _dotted(loc)
    line = yaml_text.line_of(tree, loc)
    return UserError(f"省级配置有误（{path}）：{message[0]}", f"invalid province file ({path}): {message[1]}",
                     where=f"{p}:{line}:{path}" if path else str(p))


def schema() -> dict[str, Any]:
    s = ProvinceFile.model_json_schema()
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "zhixing province file / 省级配置"
    return s


def alike(courts: tuple[tuple[str, CourtProfile], ...]) -> list[tuple[list[str], CourtProfile]]:
    """The courts grouped where their profiles are the same but for the name (``count: N``, or written alike): a
    search run once answers for each. In the file's order; each group's profile is its first court's."""
    groups: dict[str, tuple[list[str], CourtProfile]] = {}
    for name, profile in courts:
        key = json.dumps({**profile.as_dict(), "name": ""}, sort_keys=True, ensure_ascii=False)
        groups.setdefault(key, ([], profile))[0].append(name)
    return list(groups.values())


if __name__ == "__main__":  # python -m sim.province > sim/data/province.schema.json
    print(json.dumps(schema(), ensure_ascii=False, indent=2))
