"""A province (or a 中院's district) as data: its courts, each a court profile, simulated together — each court's
KPIs and the province total (``sim.replicate.province``). What a higher court sizing its basic courts writes, where
``--courts C`` only repeats one profile C times.

A province file is a mapping with ``courts`` (a list); each court is a profile file (``profile:``, relative to the
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
calendar and their counts over one window. ``python -m sim.province --schema`` writes the file's JSON Schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core_flow import yaml_text
from core_flow.errors import UserError, together
from sim.profile import (
    DATA,
    CourtProfile,
    FieldError,
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
    courts: list[CourtEntry] = Field(min_length=1, description="各法院 / the courts")


@dataclass(frozen=True)
class Province:
    name: str
    courts: tuple[tuple[str, CourtProfile], ...]  # (name, profile), in the file's order, ``count`` expanded
    path: str


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
        raise together([_at(e["loc"], tree, p, _message(e)) for e in err.errors()], WHAT) from None
    common, common_base = profile_layer(spec.common, p, f"{p}:common")
    if common_base != "default":
        raise UserError("common 中不能写 base（base: none 只用于单个法院的配置文件）",
                        "common takes no base (base: none belongs in a court's own profile file)",
                        where=f"{p}:common.base")
    courts: list[tuple[str, CourtProfile]] = []
    problems: list[UserError] = []
    first_line: dict[str, int | None] = {}
    for i, entry in enumerate(spec.courts):
        try:
            name, profile = _court(p, tree, i, entry, common)
        except UserError as err:
            problems.append(err)
            continue
        names = [name] if entry.count == 1 else [f"{name} #{k}" for k in range(1, entry.count + 1)]
        for n in names:
            line = yaml_text.line_of(tree, ("courts", i))
            if n in first_line:
                problems.append(UserError(
                    f"法院名称重复：{n}（第 {first_line[n]} 行已有）；各院名称须不同（报告与表格按名称区分）",
                    f"court name given twice: {n} (line {first_line[n]} has it); each court needs its own name "
                    "(the report and the tables tell the courts apart by it)", where=f"{p}:{line}:courts.{i}.name"))
                continue
            first_line[n] = line
            courts.append((n, profile.model_copy(update={"name": n})))
    if problems:
        raise together(problems, WHAT)
    if len(courts) > MAX_COURTS:
        raise UserError(f"法院数 {len(courts)} 超过上限 {MAX_COURTS}（全国请按省分别运行）",
                        f"{len(courts)} courts exceed the limit of {MAX_COURTS} (run the country province by province)",
                        where=f"{p}:courts")
    _same_window(p, courts)
    return Province(spec.name, tuple(courts), str(p))


def _court(p: Path, tree: yaml.Node, i: int, entry: CourtEntry, common: dict[str, Any]) -> tuple[str, CourtProfile]:
    """Court ``i``: its name and validated profile."""
    at = f"{p}:{yaml_text.line_of(tree, ('courts', i))}:courts.{i}"
    inline, inline_base = profile_layer(dict(entry.model_extra or {}), p, at)
    if inline_base != "default":
        raise UserError("省级配置中的法院不能写 base（base: none 只用于法院自己的配置文件）",
                        "a court in a province file takes no base (base: none belongs in a court's own profile file)",
                        where=f"{at}.base")
    data = deep_merge(default_data(), common)
    own_tree: yaml.Node | None = None
    own = Path()
    own_name: str | None = None
    if entry.profile is not None:
        own = (p.parent / entry.profile).resolve()
        if not own.is_file():
            raise UserError(f"找不到该院的法院配置文件 {entry.profile}（相对 {p.parent}）",
                            f"the court's profile file {entry.profile} is not found (relative to {p.parent})",
                            where=f"{at}.profile")
        own_tree, raw = read_mapping(own, ("法院配置", "court profile"))
        layer, base = profile_layer(raw, own)
        data = deep_merge(common if base == "none" else data, layer)
        own_name = str(layer.get("name") or own.stem)
    data = deep_merge(data, inline)
    for field in SHARED:  # the province's window: common's, over what a court's own file says for its own runs
        if field in common and field not in inline:
            data[field] = common[field]
    name = entry.name or own_name  # never the default profile's name: unnamed in place and in its file, the file's stem
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
            path = tuple(e["loc"]) + (cause.loc if isinstance(cause, FieldError) else ())
            key = path[0] if path else None
            if yaml_text.node_at(tree, ("courts", i, key)) is not None:  # written in place
                problems.append(_located(e, str(p), yaml_text.node_at(tree, ("courts", i))))
            elif yaml_text.node_at(own_tree, (key,)) is not None:  # in the court's profile file
                problems.append(_located(e, str(own), own_tree))
            elif yaml_text.node_at(tree, ("common", key)) is not None:
                problems.append(_located(e, str(p), yaml_text.node_at(tree, ("common",))))
            else:
                problems.append(_located(e, at, None))
        named = [UserError(f"{name}：{u.zh}", f"{name}: {u.en}", where=u.where) for u in problems]
        raise together(named, ("法院配置", "the court profile")) from None


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


def _message(error: Any) -> tuple[str, str]:
    from core_flow.validation import field_messages

    m = field_messages([error])[0]
    return m["zh"], m["en"]


def _at(loc: tuple[Any, ...], tree: yaml.Node, p: Path, message: tuple[str, str]) -> UserError:
    path = ".".join(str(x) for x in loc)
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


if __name__ == "__main__":  # python -m sim.province --schema > sim/data/province.schema.json
    print(json.dumps(schema(), ensure_ascii=False, indent=2))
