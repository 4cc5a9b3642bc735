"""A court profile: the inputs of a year-scale run as data (YAML, JSON Schema), with an embedded default.

The model is parsed and validated once and is immutable (Ciw's convention: the model is separate from the
engine that runs it). ``load_profile(path)`` turns every mistake into a located, bilingual ``UserError``.
``court_profile.schema.json`` is generated from these models (``python -m sim.profile --schema``)."""

from __future__ import annotations

import difflib
import errno
import json
import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from core_flow import yaml_text
from core_flow.amount_text import amount_cents
from core_flow.errors import UserError, in_file_order, read_utf8, together
from core_flow.legal_calendar import CST, parse_local, to_cst
from core_flow.legal_calendar.periods import zh_number
from core_flow.protocol import MAX_CENTS
from core_flow.validation import field_messages

DATA = Path(__file__).parent / "data"
DEFAULT_PROFILE = DATA / "court_profile.yaml"
TEMPLATE = DATA / "court_profile_template.yaml"  # a starter for a court's own profile (zhixing plan template)
SCHEMA = DATA / "court_profile.schema.json"

ROLES = ("承办法官", "书记员", "执行局长", "分管副院长", "院长", "审管办", "中院")
# what people call the roles too (the issue's "法官助理 / 书记员" is one role: the judge's assistant staff)
ROLE_ALIASES = {"法官": "承办法官", "执行法官": "承办法官", "承办人": "承办法官", "法官助理": "书记员",
                "执行局局长": "执行局长", "局长": "执行局长", "副院长": "分管副院长", "分管院领导": "分管副院长",
                "主管院领导": "分管副院长", "审判管理办公室": "审管办", "中级人民法院": "中院"}


def unknown_role(role: str) -> tuple[str, str]:
    """An unknown role's message: the roles, what people also call them, and the nearest to what was written (法宫助理:
    法官助理, i.e. 书记员) — the list alone left a planner to spot a one-character slip among seven roles."""
    names = [*ROLES, *ROLE_ALIASES]
    near = difflib.get_close_matches(role, names, n=2, cutoff=0.5)
    shown = [f"{n}（即{ROLE_ALIASES[n]}）" if n in ROLE_ALIASES else n for n in near]
    shown_en = [f"{n} (the {ROLE_ALIASES[n]} role)" if n in ROLE_ALIASES else n for n in near]
    zh = f"未知角色 {role!r}，可选：{'、'.join(ROLES)}（或常用称呼，如 法官、法官助理、局长）"
    en = f"unknown role {role!r}; roles: {', '.join(ROLES)} (or what people call them: 法官, 法官助理, 局长…)"
    if near:
        zh += f"；是否想写：{'、'.join(shown)}"
        en += f"; did you mean: {', '.join(shown_en)}"
    return zh, en


# the debtor kinds by what people call them (the law's 自然人 and 法人或者非法人组织; 单位 as court forms say)
DEBTOR_KIND_ALIASES = {"自然人": "person", "个人": "person", "公民": "person", "法人": "company", "单位": "company",
                       "公司": "company", "企业": "company", "非法人组织": "company", "法人或非法人组织": "company",
                       "法人或者非法人组织": "company"}


def _case_type_code(name: str) -> str:
    from core_flow.process_loader import default_process  # the process file's case types and their aliases

    try:
        return default_process().case_type(name)
    except UserError as err:
        raise FieldError(err.zh, err.en, (name,)) from None


def _debtor_kind_code(name: str) -> str:
    code = DEBTOR_KIND_ALIASES.get(name, name)
    if code not in ("person", "company"):
        raise FieldError(f"未知被执行人类别 {name!r}（自然人 person、法人或非法人组织 company）",
                         f"unknown debtor kind {name!r} (person 自然人, company 法人或非法人组织)", (name,))
    return code


def _kind_names(kind: str) -> list[str]:
    """Every key a share map of ``kind`` takes: the codes, then their Chinese names and aliases (the JSON Schema's
    list, so an editor does not flag 首执)."""
    if kind == "debtor_kind":
        return ["person", "company", *DEBTOR_KIND_ALIASES]
    from core_flow.process_loader import default_process

    types = default_process().case_types
    return [t.code for t in types] + [n for t in types for n in (t.name, *t.aliases)]


def canonical_keys(v: Any, canonical: Any, label: tuple[str, str] = ("", "")) -> Any:
    """A mapping's keys as ``canonical`` reads them (法官助理 → 书记员, 首执 → first); one key given under two names is
    refused naming both (``label``: what a key is, 角色 / the role)."""
    if not isinstance(v, dict):
        return v
    out: dict[Any, Any] = {}
    written: dict[Any, Any] = {}  # the name each key was given under
    for key, value in v.items():
        code = canonical(key.strip()) if isinstance(key, str) else key
        if code in out:
            raise FieldError(f"{label[0]}{code} 给了两次（{written[code]}、{key}）",
                             f"{label[1]}{code} is given twice ({written[code]}, {key})", (str(key),))
        out[code], written[code] = value, key
    return out


def canonical_shares(kind: str, v: Any) -> Any:
    """A share map's keys by their codes — case types by the process file's names and aliases (首执, 恢复, 执保…),
    debtor kinds by theirs (自然人, 法人, 单位…)."""
    return canonical_keys(v, _case_type_code if kind == "mix" else _debtor_kind_code)


def canonical_role(name: str) -> str:
    """A role by its name or what people call it (法官助理 → 书记员); anything else as given (checked later)."""
    name = name.strip()
    return ROLE_ALIASES.get(name, name)
# who approves an unfreeze, by the process file's authority codes (core_flow/data/process.yaml)
AUTHORITY_ROLE = {"court_leader": "分管副院长", "bureau_head": "执行局长", "president": "院长",
                  "vice_president": "分管副院长", "trial_management": "审管办", "intermediate_court": "中院",
                  "intermediate_bureau_head": "中院", "high_court": "中院"}
ACTIONS = ("filing", "identity", "control_start", "review", "notice", "inquiry", "onsite", "analysis", "feedback",
           "control", "deduct", "receipt", "payout_bureau", "payout_vice", "pay", "interview", "restrict", "close",
           "close_review", "upload", "archive", "unfreeze_ask", "limit_ask", "limit_approve", "resume_ask",
           "resume_approve", "resume_node", "unfreeze_approve")
# the disposal of real estate and vehicles (nodes 9's registries, 17, 19–30): needed when ``disposal`` is on
DISPOSAL_ACTIONS = ("registry_query", "seal", "investigate", "pricing", "serve_report", "notify_parties", "list",
                    "relist", "in_kind", "sale", "confirm", "transfer", "hand_over", "price_objection")
# actions a profile may leave out, taking these timings (added after profiles were written that list every action
# and say ``base: none``): the review of an objection to a price report (node 22) — our assumption, as the default
# file says
OPTIONAL_ACTIONS: dict[str, dict[str, Any]] = {"price_objection": {"role": "承办法官", "minutes": (30, 60, 120)}}

NATIONAL_CASES_PER_JUDGE_2024 = 928  # shared/domain/LAW.md, volumes (2024 report)
NATIONAL_CONCLUDED_2024 = 9_118_200  # 911.82万 (LAW.md, volumes)


class FieldError(ValueError):
    """A profile check's message, Chinese and English; ``loc`` is where, below the field the check runs on, it is
    reported (and located in the file): a check across fields belongs to one of them."""

    def __init__(self, zh: str, en: str, loc: tuple[str, ...] = ()) -> None:
        super().__init__(f"{en} / {zh}")
        self.zh, self.en, self.loc = zh, en, loc


class ProcessProblems(FieldError):
    """What the process model refused of a profile's ``process:`` — every problem, each (location below ``process``,
    中文, English); ``profile_from_dict`` says each at its own ``file:line`` of ``process.key``."""

    def __init__(self, problems: list[tuple[tuple[Any, ...], str, str]]) -> None:
        loc, zh, en = problems[0]
        super().__init__(f"流程设置无效：{zh}", f"invalid process setting: {en}", tuple(loc))
        self.problems = problems


def _checking(info: ValidationInfo) -> bool:
    """Whether this validation checks the process options: not in a run's worker (``profile_from_dict(...,
    check_process=False)``), whose unit carries the process data checked when the profile was loaded."""
    return (info.context or {}).get("check_process", True) is not False


_BASES: dict[tuple[str, int, int], Any] = {}


def process_base(path: str | Path | None, option: str = "--process") -> Any:
    """The court's base process (``core_flow.process_options.BaseProcess``): the whole file at ``path`` (read and
    checked by the process model; a bad file a ``UserError`` at its ``file:line``), or the bundled process. A file is
    read once while it is unchanged. ``option``: what named the file, as a message says it."""
    from core_flow.process_options import bundled, load_base

    if not path:
        return bundled()
    try:
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return load_base(path, option)  # says why it cannot be read
    found = _BASES.get(key)
    if found is None:
        found = _BASES[key] = load_base(path, option)
    return found


def process_data(profile: CourtProfile) -> dict[str, Any] | None:
    """The process a run of ``profile`` uses, as data (what a simulation unit carries to its worker: picklable, the
    ``Process`` built there once): its ``process:`` merged over its base (``process_file`` or the bundled process);
    None: the bundled process as it is (the run builds nothing)."""
    if not profile.process and not profile.process_file:
        return None
    from core_flow.process_options import merge

    return merge(process_base(profile.process_file).data, profile.process)


def process_lines(profile: CourtProfile) -> tuple[str, list[str]]:
    """Which process a run of ``profile`` uses, as a planner reads it: the base (``内置流程 / bundled process`` or the
    file) and each override (``fees.application_fee.enabled=true``), never left unsaid."""
    from core_flow.process_options import described

    base = (f"流程文件 {profile.process_file} / process file {profile.process_file}" if profile.process_file
            else "内置流程（core_flow/data/process.yaml） / the bundled process (core_flow/data/process.yaml)")
    return base, described(profile.process)


def _process_keys() -> list[str]:
    """The keys ``process:`` takes: the bundled process file's top-level keys."""
    from core_flow.process_options import bundled

    return [str(k) for k in bundled().data]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


MAX_YUAN = MAX_CENTS // 100  # the protocol's largest amount, in yuan
DAY_START = time(8, 30)  # a date alone as the first simulated instant: the working day's start


# What a number of each kind of field may end with (its unit), what it is called, and how it is written. A number
# reads the same everywhere it is asked for — a profile's field and the command line's option of the same kind
# (``--intake 6,000``, ``--dispose 30%``): thousands commas, 千 and 万, Chinese numerals, full-width forms.
QUANTITIES: dict[str, tuple[tuple[str, ...], tuple[str, str], str]] = {
    "count": (("件",), ("件数", "a count of cases"), "4000、4,000、4000件、4千、1.2万、四千"),
    "people": (("人", "名"), ("人数", "a number of people"), "5、5人、5名、五人"),
    "days": (("天", "日"), ("天数", "a number of days"), "30、30天、30日、三十天"),
    "share": (("%",), ("比例（0–1）", "a share (0–1)"), "0.85、85%、百分之八十五"),
    "weight": (("%",), ("比例或权重", "a share or weight"), "0.85、85%、85"),
    "yuan": (("元", "万元", "亿元", "万", "亿"), ("金额（元）", "an amount in yuan"), "60000、60,000元、6万、¥60,000"),
}
# every unit a number may be written with: one of another kind's is refused (warmup_days: 30件)
_UNITS = ("万元", "亿元", "元", "件", "人", "名", "天", "日", "%", "‰", "个", "户", "小时", "分钟", "周", "月", "年",
          "岁")
_SCALED = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+))(百|千|万|亿)")  # 1.2千, 1.2万: a decimal times its unit
_SCALE = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def _plain_number(text: str) -> float | None:
    """A number without its unit: digits (``4000``, ``0.85``, ``1e3``), Chinese numerals and digits with Chinese
    units (``四千``, ``4千``, ``12万5千``), a decimal times 百/千/万/亿 (``1.2千``, ``1.2万``); None when not one."""
    if not text:
        return None
    whole = zh_number(text)
    if whole is not None:
        return whole
    try:
        number = float(text)
        return number if math.isfinite(number) else None
    except ValueError:
        pass
    if m := _SCALED.fullmatch(text):
        return float(Decimal(m[1]) * _SCALE[m[2]])
    return None


def read_quantity(value: Any, kind: str) -> Any:
    """A number of ``kind`` (``QUANTITIES``) as people write it: a number as it is; text with thousands commas, its
    unit (件 of a count, 人 or 名 of people, 天 or 日 of days, % of a share, 元 or 万元 of money), 千 and 万, Chinese
    numerals and full-width forms (``4,000``, ``4000件``, ``1.2千``, ``四千``, ``30天``, ``85%``, ``８５％``). A unit of
    another kind (``30件`` of days) or text that is no number is a ``FieldError``, saying what the field takes."""
    if not isinstance(value, str):
        if kind == "share" and isinstance(value, int) and not isinstance(value, bool) and 1 < value <= 100:  # 85
            return _share_hint(value, value)
        return value
    units, (what_zh, what_en), forms = QUANTITIES[kind]
    text = re.sub(r"[,_\s]", "", unicodedata.normalize("NFKC", value))  # ，８５％ → ,85%
    percent = text.startswith("百分之") and "%" in units  # 百分之八十五
    text = text.removeprefix("百分之") if percent else text
    unit = next((u for u in _UNITS if text.endswith(u)), None)
    if unit is not None and unit not in units:
        raise FieldError(f"单位不符：此处应为{what_zh}（单位 {'、'.join(units) or '无'}），收到 {value!r}",
                         f"wrong unit: {what_en} goes here (unit {', '.join(units) or 'none'}), got {value!r}")
    if kind == "yuan":
        try:
            return amount_cents(text) / 100
        except ValueError as err:
            zh, _, en = str(err).partition(" / ")
            raise FieldError(zh, en) from None
    if unit is not None:
        text, percent = text.removesuffix(unit), percent or unit == "%"
    number = _plain_number(text)
    if number is None:
        raise FieldError(f"应为数字（{what_zh}），如 {forms}，收到 {value!r}",
                         f"should be a valid number ({what_en}), e.g. {forms.replace('、', ', ')}, got {value!r}")
    if percent:
        return number / 100
    if kind == "share" and 1 < number <= 100:
        return _share_hint(value, number)
    return number


def _share_hint(value: Any, number: float) -> Any:
    """85 where a share (0–1) goes: a percentage meant, said how to write it (not refused as "at most 1" alone)."""
    raise FieldError(f"比例应在 0 到 1 之间：{value!r} 若指百分比，请写 {number:g}% 或 {number / 100:g}",
                     f"a share lies between 0 and 1: if {value!r} is a percentage, write {number:g}% or "
                     f"{number / 100:g}")


def _reads(kind: str) -> Any:
    """A field's number of ``kind``, read by ``read_quantity``."""
    return BeforeValidator(partial(read_quantity, kind=kind))


def _or_text(number: dict[str, Any]) -> Any:
    """A field's JSON Schema: ``number``, or text (``4,000``, ``30天``, ``85%``): an editor flags neither."""
    return WithJsonSchema({"anyOf": [number, {"type": "string"}]})


Yuan = Annotated[float, _reads("yuan"), _or_text({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_YUAN})]
Share = Annotated[float, _reads("share"), _or_text({"type": "number", "minimum": 0, "maximum": 1})]
Weight = Annotated[float, _reads("weight"), _or_text({"type": "number", "minimum": 0})]
Days = Annotated[float, _reads("days"), _or_text({"type": "number", "minimum": 0})]


class Amount(_Model):
    median: Yuan = Field(60_000, gt=0, le=MAX_YUAN, description=(
        "中位标的（元，可写 6万） / median claim in yuan (log-normal; 6万 = 60,000)"))
    sigma: float = Field(1.3, ge=0, le=4, description="对数标准差 / sigma of log(claim)")
    min: Yuan = Field(1_000, gt=0, le=MAX_YUAN, description="最小标的（元） / smallest claim")
    max: Yuan = Field(20_000_000, gt=0, le=MAX_YUAN, description="最大标的（元） / largest claim")

    @model_validator(mode="after")
    def _ordered(self) -> Amount:
        if not self.min <= self.median <= self.max:
            raise FieldError("须 最小 ≤ 中位 ≤ 最大", "need min ≤ median ≤ max")
        return self


class Intake(_Model):
    yearly: Annotated[float, _reads("count"), _or_text({"type": "number", "minimum": 0, "maximum": 2_000_000})] = Field(
        4000, ge=0, le=2_000_000, description="年收案数（可写 4,000、4000件、4千） / new 执行实施 cases a year")
    seasonality: tuple[float, ...] = Field((1.0,) * 12, description="月度权重 Jan..Dec / monthly weights")
    mix: dict[Literal["first", "resumed", "preservation"], Weight] = Field(
        default_factory=lambda: {"first": 0.85, "resumed": 0.03, "preservation": 0.12},
        description="首执 / 恢复 / 保全 比例 / shares (first, resumed, preservation)",
        json_schema_extra=lambda schema: schema.update(propertyNames={"enum": _kind_names("mix")}))
    money_share: Share = Field(1.0, ge=0, le=1, description="金钱给付案件比例 / 金钱给付 share")
    nonlitigation_share: Share = Field(0.05, ge=0, le=1, description=(
        "非诉执行案件比例（审限3个月） / "
        "非诉执行 share (3-month limit)"))
    debtor_kind: dict[Literal["person", "company"], Weight] = Field(
        default_factory=lambda: {"person": 0.7, "company": 0.3}, description=(
            "被执行人类别比例（自然人、法人） / "
            "debtor kind shares (person, company)"),
        json_schema_extra=lambda schema: schema.update(propertyNames={"enum": _kind_names("debtor_kind")}))
    amount_yuan: Amount = Field(default_factory=Amount)
    shixin_share: Share = Field(0.4, ge=0, le=1, description=(
        "可纳入失信名单的被执行人比例 / "
        "失信-eligible debtors' share"))

    @field_validator("seasonality")
    @classmethod
    def _twelve(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 12 or any(w < 0 for w in v) or not 0 < sum(v) < math.inf:
            # how many were written: a month left out (11 weights) is the usual slip, and the file does not count them
            zh, en = (f"；所写为 {len(v)} 个", f"; {len(v)} written") if len(v) != 12 else ("", "")
            raise FieldError(f"须为 12 个非负月度权重（1 月至 12 月各一个），和为正的有限数{zh}",
                             f"12 non-negative monthly weights (January to December) with a positive, finite sum{en}")
        return v

    @field_validator("mix", "debtor_kind", mode="before")
    @classmethod
    def _share_names(cls, v: Any, info: ValidationInfo) -> Any:
        return canonical_shares(info.field_name or "", v)

    @field_validator("mix", "debtor_kind")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if any(x < 0 for x in v.values()) or not 0 < sum(v.values()) < math.inf:
            raise FieldError("比例须非负且和为正的有限数", "shares must be non-negative with a positive, finite sum")
        return v


class Agencies(_Model):
    profile: Literal["fast", "realistic"] = Field("fast", description=(
        "模拟机构的行为配置 / "
        "mock agencies' behaviour profile"))
    overrides: dict[str, Any] = Field(default_factory=dict, description=(
        "按机构覆盖行为配置 / "
        "per-agency overrides of the profile"))
    world_size: int = Field(200_000, ge=1000, description="合成世界中的被执行人数 / debtors in the seeded world")


class Role(_Model):
    count: Annotated[int, _reads("people"), _or_text({"type": "integer", "minimum": 0, "maximum": 10_000})] = Field(
        1, ge=0, le=10_000, description="人数（可写 5人、五人） / people in the role")
    names: tuple[str, ...] = Field((), description="姓名（可选） / names (generated when absent)")


MAX_ACTION_MINUTES = 10_000  # one work item: at most ~24 working days of one person's time


class Action(_Model):
    role: str = Field(description=(
        "由谁做：一个角色，或 by_authority（冻结节点的审批人） / "
        "who does it: a role, or by_authority (the frozen node's approver)"))
    minutes: tuple[float, float, float] = Field(description=(
        "三角分布（最小, 众数, 最大）人员分钟 / "
        "triangular (min, mode, max) staff minutes"))

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: Any) -> Any:
        return canonical_role(v) if isinstance(v, str) else v

    @field_validator("minutes")
    @classmethod
    def _ordered(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if not 0 <= v[0] <= v[1] <= v[2] or not 0 < v[2] <= MAX_ACTION_MINUTES:
            raise FieldError(f"须 0 ≤ 最小 ≤ 众数 ≤ 最大，0 < 最大 ≤ {MAX_ACTION_MINUTES:,} 分钟",
                             f"need 0 ≤ min ≤ mode ≤ max, 0 < max ≤ {MAX_ACTION_MINUTES:,} minutes")
        return v


class CourtProfile(_Model):
    name: str = Field("court", description="法院名称 / the court's name (reports)")
    court_code: str = Field("豫0811", pattern=r"^\S+$", description="案号中的法院代字 / court code in case numbers")
    origin: Annotated[datetime, WithJsonSchema({"type": "string"})] = Field(description=(
        "首个仿真时刻（北京时间）：2026-12-07 08:30、2026/12/7、2026年12月7日…；只写日期即当日 08:30 / first simulated "
        "instant (Asia/Shanghai): 2026-12-07 08:30, 2026/12/7, 2026年12月7日…; a date alone starts at 08:30"))
    intake: Intake = Field(default_factory=Intake)
    agencies: Agencies = Field(default_factory=Agencies)
    hours: tuple[tuple[str, str], ...] = Field((("08:30", "12:00"), ("14:30", "17:30")),
                                               description=(
                                                   "工作日的工作时段（HH:MM 起止对） / "
                                                   "working hours of a working day (HH:MM pairs)"))
    staff: dict[str, Role] = Field(description="各角色人员：" + "、".join(ROLES) + " / people per role")
    actions: dict[str, Action] = Field(description="各类动作耗用的人员时间 / staff time per action type")
    disposal: bool = Field(False, description="处置不动产、车辆（节点19–30：登记查询、查封、询价评估、拍卖、变卖、"
                                             "以物抵债、过户交付） / dispose of real estate and vehicles (nodes 19–30)")
    disposal_share: Share = Field(1.0, ge=0, le=1, description=(
        "查得的不动产、车辆中实际处置的比例（其余如唯一住房、抵押超值、下落不明：记为已查得，不查封拍卖） / share of "
        "the real estate and vehicles found that is disposed of (the rest is recorded as found, not sealed)"))
    auction_default_rate: Share = Field(0.0, ge=0, le=1, description=(
        "拍卖（变卖）成交后买受人悔拍（付款期限届满未付余款）的比例：保证金不予退还，法院重新拍卖，原买受人不得参加竞买"
        "（网络司法拍卖规定 第二十四条 通行文本，未经确认）。无数据来源，缺省 0（买受人均付款），请按本院经验设置 / "
        "share of the winning buyers (auction or 变卖) who never pay the balance (悔拍): the deposit is forfeited and "
        "the court re-auctions the round, the old buyer kept out (网络司法拍卖规定 第二十四条 as commonly published, "
        "unconfirmed). No source gives a rate: the default 0 has every buyer pay — set the court's own"))
    price_objection_share: Share = Field(0.1, ge=0, le=1, description=(
        "处置时当事人对参考价报告（网络询价或评估报告）提出异议的比例（节点22；每份报告各自抽取，异议成立后的新报告"
        "亦然）。无数据来源，缺省 0.1 为假设，请按本院经验设置 / share of the price reports (network inquiry or "
        "appraisal) a party objects to in a disposal (node 22; drawn for each report, the new one after an upheld "
        "objection too). No source gives a rate: the default 0.1 is an assumption — set the court's own"))
    price_objection_upheld: Share = Field(0.2, ge=0, le=1, description=(
        "参考价异议中经审查成立的比例（成立则重新委托评估，新报告另行送达、可再异议）。无数据来源，缺省 0.2 为假设 / "
        "share of the objections to a price report the review upholds (then a new appraisal, served and objectable "
        "in turn). No source gives a rate: the default 0.2 is an assumption"))
    notice_period_days: Annotated[int, _reads("days"), _or_text({"type": "integer", "minimum": 1, "maximum": 90})
                                  ] | None = Field(None, ge=1, le=90, description=(
        "执行通知书责令履行的期间（日，按民诉法期间计算，登记为 performance_due；限消须待其届满：种子 节点三十六）；"
        "缺省不登记 / "
        "the period the enforcement notice gives to perform (days, counted as procedural periods, recorded as "
        "performance_due: 限消 waits for its end, seed node 36); unset: not recorded"))
    unfreeze_ask: Literal["node", "instance"] = Field("node", description=(
        "解冻申请的单位：node（默认）——案件某节点在申请前冻结的全部实例（如一次查询查得多项财产，节点 17 各自的 48 小时"
        "期限同时届满）一份申请、一次审批；instance——每个冻结实例各一份 / one unfreeze ask per: node (default) — "
        "every instance of a case's node frozen before the ask is made (node 17's per-property deadlines of one "
        "finding expire together) on one form, approved once; instance — one form per frozen instance"))
    queue: Literal["deadline", "fifo"] = Field("deadline", description=(
        "每人待办的顺序：deadline（默认）——空闲时先办法定期限最早届满的事项（节点期限、三日查看、拍卖的法定期间）；"
        "无期限的事项以其到达时间加 undated_days 排序，不会被无限推后；fifo——先到先办 / the order each person works "
        "through their queue: deadline (default) — when free, the item whose legal deadline falls first (the node's "
        "deadline, the 3-day view rule, an auction's legal window); work no deadline governs is ordered by its arrival "
        "plus undated_days, so it is never put off indefinitely; fifo — first come, first served"))
    undated_days: Days = Field(10, ge=0, le=365, description=(
        "queue: deadline 时，无期限事项视为在到达后多少天“到期” / with queue: deadline, the days after its arrival at "
        "which work without a deadline counts as due"))
    warmup_days: Days = Field(0, ge=0, description="预热期天数，不计入指标 / days excluded from the KPIs")
    start_state: str | None = Field(None, description=(
        "起始状态：未结案件与终本库的 CSV 或 Excel 工作簿 .xlsx（相对本文件） / "
        "start state: CSV or Excel workbook (.xlsx) of open cases and the 终本 register (relative to the file)"))
    start_state_date_order: Literal["ymd", "dmy", "mdy"] | None = Field(None, description=(
        "起始状态中短日期（两位年份或年份在后，如 03/05/26、5/3/2026）的顺序：ymd 年/月/日（中文 Windows 的 "
        "yy/M/d）、dmy 日/月/年、mdy 月/日/年（美国）；缺省时由文件本身判断，判断不了即报错（命令行 --date-order "
        "亦可） / the order of the start state's short dates (a two-digit year or the year last, 03/05/26, "
        "5/3/2026): ymd (a Chinese Windows' yy/M/d), dmy, mdy (US); unset: told from the file itself, refused where "
        "it cannot be (or --date-order)"))
    register_debtors: Literal["empty", "world"] = Field("empty", description=(
        "起始状态中终本库案件的被执行人：empty（默认）——统查查不到任何财产（案件正因查无可供执行财产而终本；"
        "合成世界不模拟终本后新得的财产）；world——与其他案件一样取自合成世界，首次统查即查得其全部财产"
        "（用于测试终本管理的恢复执行） / the debtors of the start state's 终本 register cases: empty (default) — "
        "nothing any sweep finds (the cases are in the register because nothing could be found; the synthetic world "
        "models no property acquired after 终本); world — drawn from the seeded world like any other, their whole "
        "property found by the first sweep (to test resumption from 终本管理)"))

    process_file: str | None = Field(None, description=(
        "本院完整的流程文件（与内置 core_flow/data/process.yaml 同格式，相对本文件）；缺省为内置流程。命令行 "
        "--process FILE 亦可（优先于此处） / the court's whole process file (the format of the bundled "
        "core_flow/data/process.yaml, relative to this file); unset: the bundled process. Or --process FILE on the "
        "command line (which wins)"))
    process: dict[str, Any] = Field(default_factory=dict, description=(
        "本院的流程设置覆盖，并入内置流程（或 process_file、--process 的文件）：映射逐键合并，列表整体替换；加载配置"
        "时按流程模型校验，如 {fees: {application_fee: {enabled: true}}} 即收取执行申请费。报告与输出列明所用流程及各"
        "项覆盖 / the court's process options merged over the bundled process (or the process_file / --process "
        "file): mappings key by key, lists replaced whole; checked by the process model when the profile is loaded, "
        "e.g. {fees: {application_fee: {enabled: true}}} charges the 执行申请费. The report and the output say "
        "which process ran and each override"),
        json_schema_extra=lambda schema: schema.update(propertyNames={"enum": _process_keys()}))

    @field_validator("origin", mode="before")
    @classmethod
    def _local(cls, v: Any) -> Any:
        """Written as ``--start`` takes it: 2026-12-07 08:30, 2026/12/7, 2026年12月7日 …; a date alone starts at 08:30,
        the working day's start (not at midnight)."""
        if isinstance(v, datetime):
            return v
        if isinstance(v, date):  # YAML reads 2026-12-07 as a date
            return datetime.combine(v, DAY_START, tzinfo=CST)
        if isinstance(v, str):
            try:
                return parse_local(v, "origin", day_start=DAY_START)
            except UserError as err:
                raise FieldError(err.zh, err.en) from None
        return v

    @field_validator("origin")
    @classmethod
    def _cst(cls, v: datetime) -> datetime:
        return to_cst(v)

    @field_validator("process_file")
    @classmethod
    def _process_file(cls, v: str | None, info: ValidationInfo) -> str | None:
        """The file read and checked by the process model now (a bad file is a ``UserError`` at its ``file:line``),
        not by the run's first worker; a run's worker (``check_process=False``) takes the data its unit carries."""
        if v and _checking(info):
            try:
                process_base(v, "process_file")
            except UserError as err:
                if err.where != str(v):  # a mistake inside the file: at its own file:line
                    raise
                # the file cannot be read as a process (missing, a directory, empty, an alias bomb): said at the
                # profile's process_file line, which named it — was at the file alone, as if --process had named it
                raise FieldError(f"{err.zh}（{v}）", f"{err.en} ({v})") from None
        return v or None

    @field_validator("process", mode="before")
    @classmethod
    def _process_mapping(cls, v: Any) -> Any:
        if v is None:
            return {}
        if not isinstance(v, dict):  # process: [1] — what it takes, not a bare "not a valid dictionary"
            from core_flow.process_options import not_a_mapping

            raise FieldError(*not_a_mapping(v))
        return v

    @field_validator("process")
    @classmethod
    def _process_checked(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """The overrides merged over the court's base process (``process_file``, or the bundled one) and checked by
        the process model: every problem at its own ``process.key`` (``ProcessProblems``)."""
        if not v or not _checking(info) or "process_file" not in info.data:  # its base refused: said there
            return v
        from core_flow.process_options import override_problems

        problems = override_problems(process_base(info.data.get("process_file")), v)
        if problems:
            raise ProcessProblems(problems)
        return v

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        last = -1.0
        for a, b in v:
            ta, tb = _hm(a), _hm(b)
            if not last <= ta < tb:
                raise FieldError(f"工作时间须递增且不重叠：{a}-{b}",
                                 f"working hours must be increasing, non-overlapping: {a}-{b}")
            last = tb
        if not v:
            raise FieldError("至少一个工作时段", "at least one working period")
        return v

    @field_validator("actions", mode="before")
    @classmethod
    def _optional_actions(cls, v: Any) -> Any:
        """The actions a profile may leave out (``OPTIONAL_ACTIONS``) at their default timings."""
        if isinstance(v, dict) and any(a not in v for a in OPTIONAL_ACTIONS):
            return {**v, **{a: t for a, t in OPTIONAL_ACTIONS.items() if a not in v}}
        return v

    @field_validator("staff", mode="before")
    @classmethod
    def _role_names(cls, v: Any) -> Any:
        """Roles by what people call them (法官助理: 书记员); one role given under two names is refused."""
        return canonical_keys(v, canonical_role, ("角色 ", "the role "))

    @field_validator("staff")
    @classmethod
    def _known_roles(cls, v: dict[str, Role]) -> dict[str, Role]:
        """A role the court has not (a misspelt 承办法管), said with the file's other mistakes: checked with the whole
        profile (``_roles``), it was said only once those were put right."""
        for role in v:
            if role not in ROLES:
                zh, en = unknown_role(role)
                raise FieldError(zh, en, (role,))
        return v

    @model_validator(mode="after")
    def _roles(self) -> CourtProfile:
        for role in self.staff:
            if role not in ROLES:
                zh, en = unknown_role(role)
                raise FieldError(zh, en, ("staff", role))
        seen: dict[str, str] = {}
        for role, r in self.staff.items():
            for name in r.names:
                if name in seen:
                    raise FieldError(f"姓名重复：{name!r} 出现两次（{seen[name]}、{role}），一人一名",
                                     f"{name!r} is named twice ({seen[name]}, {role}); one person, one name",
                                     ("staff", role, "names"))
                seen[name] = role
        for role in ("承办法官", "书记员"):
            if self.staff.get(role, Role(count=0)).count < 1:
                loc = ("staff", role, "count") if role in self.staff else ("staff",)
                raise FieldError(f"{role} 至少一人", f"{role} needs at least one person", loc)
        missing = [a for a in ACTIONS + (DISPOSAL_ACTIONS if self.disposal else ()) if a not in self.actions]
        if missing:
            only_disposal = set(missing) <= set(DISPOSAL_ACTIONS)
            raise FieldError(f"缺少动作耗时：{'、'.join(missing)}" + ("（或设 disposal: false）" * only_disposal),
                             f"actions missing: {', '.join(missing)}" + (" (or disposal: false)" * only_disposal),
                             ("actions",))
        for name, a in self.actions.items():
            if name not in ACTIONS + DISPOSAL_ACTIONS:
                raise FieldError(f"未知动作 {name!r}，可选：{'、'.join(ACTIONS + DISPOSAL_ACTIONS)}",
                                 f"unknown action {name!r}; one of {', '.join(ACTIONS + DISPOSAL_ACTIONS)}",
                                 ("actions", name))
            if a.role != "by_authority" and (a.role not in self.staff or self.staff[a.role].count < 1):
                raise FieldError(f"动作 {name} 的角色 {a.role!r} 未配置人员",
                                 f"action {name}: role {a.role!r} has nobody in staff", ("actions", name, "role"))
        return self

    @cached_property
    def periods(self) -> tuple[tuple[float, float], ...]:
        """Working periods as seconds after midnight."""
        return tuple((_hm(a), _hm(b)) for a, b in self.hours)

    def people(self, role: str) -> tuple[str, ...]:
        r = self.staff.get(role)
        if r is None:
            return ()
        names = list(r.names[: r.count])
        names += [f"{role}{i + 1:02d}" for i in range(len(names), r.count)]
        return tuple(names)

    def with_staff(self, **counts: int) -> CourtProfile:
        staff = dict(self.staff)
        for role, n in counts.items():
            staff[role] = Role(count=n, names=staff[role].names if role in staff else ())
        return self.model_copy(update={"staff": staff})

    def with_intake(self, yearly: float, *, where: str = "--intake") -> CourtProfile:
        """The profile with another yearly intake, validated as the file's would be (``where``: the option)."""
        return self._updated({"intake": {**self.intake.model_dump(mode="json"), "yearly": yearly}}, where)

    def with_disposal(self, share: float, *, where: str = "--dispose") -> CourtProfile:
        """The profile disposing of ``share`` of the real estate and vehicles found (``disposal: true``), validated as
        the file's would be (0 ≤ share ≤ 1; the disposal's action timings present)."""
        return self._updated({"disposal": True, "disposal_share": share}, where)

    def with_warmup(self, days: float, *, where: str = "--warmup-days") -> CourtProfile:
        return self._updated({"warmup_days": days}, where)

    def with_date_order(self, order: str, *, where: str = "--date-order") -> CourtProfile:
        """The profile reading its start state's short dates in ``order`` (ymd, dmy, mdy)."""
        return self._updated({"start_state_date_order": order}, where)

    def with_origin(self, text: str, *, where: str = "--start") -> CourtProfile:
        """The profile starting at ``text`` (``YYYY-MM-DD[ HH:MM]``, Beijing time; a date alone: 08:30, the working
        day's start) — a planner's "from today" without editing the file."""
        return self._updated({"origin": text}, where)  # read as the profile's own origin is (``_local``)

    def with_process_file(self, path: str | Path, *, where: str = "--process") -> CourtProfile:
        """The profile running the court's whole process file at ``path`` (``--process FILE``, in place of its own
        ``process_file``), its ``process:`` overrides checked again over that file: each problem at its
        ``process.key``, named by the option."""
        process_base(path, where)  # the file's own mistakes said as the option's
        return profile_from_dict({**self.as_dict(), "process_file": str(Path(path).resolve())},
                                 where=f"{where} {path}")

    def _updated(self, update: dict[str, Any], where: str) -> CourtProfile:
        try:
            return CourtProfile.model_validate({**self.as_dict(), **update})
        except ValidationError as err:
            first = err.errors()[0]
            zh, en = _messages(first, (first.get("ctx") or {}).get("error"), ())
            raise UserError(f"取值无效：{zh}", f"invalid value: {en}", where=where) from None

    def as_dict(self) -> dict[str, Any]:
        return json.loads(self.model_dump_json())


_HM = re.compile(r"\s*([01]?\d|2[0-3])\s*[:：]\s*([0-5]\d)\s*")


def _hm(text: str) -> float:
    """A time of day: 08:30, 8:30, 8：30 (full-width colon) → seconds after midnight."""
    m = _HM.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise FieldError(f"时间须为 HH:MM（如 08:30、8:30），收到 {text!r}",
                         f"time must be HH:MM (08:30, 8:30), got {text!r}")
    return int(m[1]) * 3600 + int(m[2]) * 60


def profile_from_dict(data: Any, where: str = "profile", tree: yaml.Node | None = None, *,
                      check_process: bool = True) -> CourtProfile:
    """The validated profile; a mistake is a ``UserError`` at ``where`` (the file), its line when ``tree`` (the
    file's YAML nodes) has the field, and the field's path: ``court.yaml:37:staff.承办法官.count``. Its ``process:``
    is checked by the process model with the rest (each problem at its own ``process.key``); ``check_process``
    False: not (a run's worker, whose unit carries the process data checked when the profile was loaded)."""
    if not isinstance(data, dict):
        raise UserError("法院配置须为映射（YAML 对象）", "a court profile must be a mapping", where=where)
    try:
        return CourtProfile.model_validate(data, context={"check_process": check_process})
    except ValidationError as err:
        # every field's mistake at once, each at its line
        raise together(in_file_order([one for e in err.errors() for one in located_all(e, where, tree)]),
                       ("法院配置", "the court profile")) from None


def located_all(error: Any, where: str, tree: yaml.Node | None) -> list[UserError]:
    """One pydantic error as the user reads it (``_located``) — or, for the process model's refusal of ``process:``,
    each of its problems at its own line and ``process.key``."""
    cause = (error.get("ctx") or {}).get("error")
    if not isinstance(cause, ProcessProblems):
        return [_located(error, where, tree)]
    return [_located({**error, "ctx": {"error": FieldError(f"流程设置无效：{zh}", f"invalid process setting: {en}",
                                                           tuple(loc))}}, where, tree)
            for loc, zh, en in cause.problems]


def _located(error: Any, where: str, tree: yaml.Node | None) -> UserError:
    """One pydantic error as the user reads it: at the file's line and the field's path, in both languages."""
    cause = (error.get("ctx") or {}).get("error")
    path = _as_written(tree, error["loc"] + (cause.loc if isinstance(cause, FieldError) else ()))
    loc = ".".join(str(p) for p in path)
    zh, en = _messages(error, cause, path)
    at_zh, at_en = (f"（{loc}）", f" ({loc})") if loc else ("", "")
    line = (yaml_text.line_of(tree, path, within=True, key=error["type"] == "extra_forbidden")
            if tree is not None and loc else None)
    at = where + (f":{line}" if line else "") + (f":{loc}" if loc else "")
    return UserError(f"法院配置有误{at_zh}：{zh}", f"invalid court profile{at_en}: {en}", where=at)


def _as_written(tree: yaml.Node | None, path: tuple[Any, ...]) -> tuple[Any, ...]:
    """``path`` with the file's own keys where the profile reads them by another name: ``intake.mix.首执`` for the
    case type ``first``, ``staff.法官助理`` for the role 书记员 (an error names the key the user wrote)."""
    node, out = tree, []
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str) and yaml_text.child(node, part) is None:
            part = next((k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)
                         and part in _codes(str(k.value))), part)
        out.append(part)
        node = yaml_text.child(node, part)
    return tuple(out)


def _codes(key: str) -> set[str]:
    """What a key written in a file may stand for: a role, a case type, a debtor kind (by its names and aliases)."""
    codes = {canonical_role(key), DEBTOR_KIND_ALIASES.get(key.strip(), key)}
    try:
        codes.add(_case_type_code(key.strip()))
    except FieldError:
        pass
    return codes


def _messages(error: Any, cause: Any, path: tuple[Any, ...]) -> tuple[str, str]:
    """The Chinese and English of one pydantic error: a profile check's own two halves; an unknown key with the keys
    its place takes (and the closest); pydantic's own checks with their Chinese beside pydantic's English."""
    if isinstance(cause, FieldError):
        return cause.zh, cause.en
    if error["type"] == "extra_forbidden" and path:
        keys = _keys_at(path[:-1])
        if keys:
            near = difflib.get_close_matches(str(path[-1]), keys, n=2, cutoff=0.7)
            zh = f"未知字段 {path[-1]!r}；此处可用：{'、'.join(keys)}"
            en = f"unknown field {path[-1]!r}; fields here: {', '.join(keys)}"
            if near:
                zh, en = f"{zh}；是否想写：{'、'.join(near)}", f"{en}; did you mean: {', '.join(near)}"
            return zh, en
    if error["type"] in ("tuple_type", "too_short", "too_long", "missing") and len(path) in (2, 3) \
            and path[0] == "hours":  # a period not a pair (8:30-12:00), or one time alone ([18:00]: its end missing)
        return _period_message(error.get("input"))
    field = field_messages([error])[0]
    return field["zh"], field["en"]


def _period_message(written: Any) -> tuple[str, str]:
    """A working period not written as a pair: what one is, and ``8:30-12:00`` (a clock's range, the way a court
    writes its hours) as the pair it means."""
    zh = "每个工作时段写成 [开始, 结束] 两个时刻，如 - [8:30, 12:00]"
    en = "write each working period as two times, [start, end]: - [8:30, 12:00]"
    parts = re.split(r"\s*(?:-|–|—|~|～|至|到)\s*", written.strip()) if isinstance(written, str) else []
    if len(parts) == 2 and all(_HM.fullmatch(part) for part in parts):
        zh += f"；{written!r} 请写成 [{parts[0]}, {parts[1]}]"
        en += f"; for {written!r} write [{parts[0]}, {parts[1]}]"
    elif written is not None:
        zh, en = f"{zh}；收到 {written!r}", f"{en}; got {written!r}"
    return zh, en


def _keys_at(path: tuple[Any, ...]) -> list[str]:
    """The fields the profile takes at ``path`` (a mapping of roles or actions: its fields for any key), from the
    profile's JSON Schema; empty where the place is not a fixed set of fields."""
    root = _model_schema()

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        return root["$defs"][node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node

    node: dict[str, Any] = root
    for part in path:
        node = deref(node)
        props = node.get("properties", {})
        if isinstance(part, str) and part in props:
            node = props[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return []
    return list(deref(node).get("properties", {}))


def load_profile(path: str | Path | None = None, process_file: str | Path | None = None) -> CourtProfile:
    """The profile at ``path``, or the embedded default. A file overrides the default: what it omits comes from
    ``sim/data/court_profile.yaml`` (mappings merged key by key), unless it says ``base: none``. ``process_file``
    (``--process FILE``): the court's whole process file, in place of the profile's own ``process_file`` — its
    ``process:`` overrides are then checked over that file."""
    p = Path(path) if path is not None else DEFAULT_PROFILE
    tree, data = read_mapping(p, ("法院配置", "court profile"))
    if "courts" in data:  # a province file (sim.province): several courts, not one court's profile
        raise UserError("这是省级配置（courts 下列出多个法院），不是单个法院的配置：zhixing simulate 与 plan 命令可直接"
                        "给出；程序中以 sim.province.load_province 读取",
                        "this is a province file (its courts listed under courts), not one court's profile: zhixing "
                        "simulate and the plan commands take it as it is; in code, read it with "
                        "sim.province.load_province", where=f"{p}:{yaml_text.line_of(tree, ('courts',))}:courts")
    data, base = profile_layer(data, p)
    if path is not None and base == "default":  # what the file omits comes from the embedded default
        data = deep_merge(default_data(), data)
    if process_file is not None:
        process_base(process_file)  # --process FILE: its own mistakes said as the option's, not the profile's
        # the file as the report and kpis.json name it: absolute, as a profile's own process_file is (relative to the
        # directory the run started in, it named no file once the report was read elsewhere)
        data = {**data, "process_file": str(Path(process_file).resolve())}
    return profile_from_dict(data, where=str(p), tree=tree)


def read_mapping(p: Path, what: tuple[str, str]) -> tuple[yaml.Node, dict[str, Any]]:
    """A YAML file that must hold a mapping (a profile, a province): its nodes (for lines) and its data; every
    mistake located (unreadable, not YAML, a key given twice, not a mapping)."""
    try:
        text = read_utf8(p, what)
    except OSError as err:
        zh, en = os_reason(err)
        raise UserError(f"无法读取{what[0]} {p}：{zh}", f"cannot read the {what[1]} {p}: {en}", where=str(p)) from None
    try:
        tree, data = yaml_text.compose_and_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise UserError(f"{what[0]}不是有效的 YAML", f"the {what[1]} is not valid YAML: {err}", where=where) from None
    from core_flow.yaml_size import MAX_NODES, expanded_size

    if tree is not None and expanded_size(tree) > MAX_NODES:  # an alias bomb: every walk of it would hang the run
        raise UserError(f"{what[0]}的别名（*名称）展开后超过 {MAX_NODES:,} 个值，无法读取：请直接写出内容",
                        f"the {what[1]}'s aliases (*name) stand for more than {MAX_NODES:,} values, too many to read: "
                        "write the content out", where=str(p))
    yaml_text.refuse_duplicates(tree, str(p), what)
    yaml_text.refuse_split_numbers(tree, str(p), what)
    if not isinstance(data, dict):
        raise UserError(f"{what[0]}须为映射（YAML 对象）", f"a {what[1]} must be a mapping", where=str(p))
    return tree, data


_OS_REASONS = {errno.ENOENT: ("找不到文件", "file not found"), errno.EACCES: ("无权读取", "permission denied"),
               errno.EPERM: ("无权读取", "permission denied"),
               errno.EISDIR: ("这是目录，不是文件", "a directory, not a file"),
               errno.ENOTDIR: ("路径中有一段不是目录", "a part of the path is not a directory")}


def os_reason(err: OSError) -> tuple[str, str]:
    """Why a file could not be read, Chinese and English (the system says it in English only: No such file or
    directory); a reason not known here in the system's words on both sides."""
    return _OS_REASONS.get(err.errno or 0, (err.strerror or str(err), err.strerror or str(err)))


def profile_layer(data: dict[str, Any], p: Path, where: str | None = None) -> tuple[dict[str, Any], str]:
    """One layer of a profile as written in ``p`` (a profile file, or a province file's part of it) made ready to
    merge: its ``base`` taken out (``default`` unless it says ``none``), its keys read by what people call them
    (a file's 法官助理 and the default's 书记员 would otherwise be two roles, its 首执 and the default's first two case
    types) and its start state's path made absolute (relative to ``p``). ``where``: how mistakes name the place
    (``p`` unless told)."""
    where = where or str(p)
    data = dict(data)
    base = data.pop("base", "default")
    if base not in ("default", "none", None):
        raise UserError(f"base 须为 default 或 none，收到 {base!r}", f"base must be default or none, got {base!r}",
                        where=f"{where}:base")
    for section, key, canonical in (("", "staff", CourtProfile._role_names),
                                    ("intake", "mix", partial(canonical_shares, "mix")),
                                    ("intake", "debtor_kind", partial(canonical_shares, "debtor_kind"))):
        holder = data.get(section) if section else data
        if not isinstance(holder, dict) or not isinstance(holder.get(key), dict):
            continue
        field = f"{section}.{key}".lstrip(".")
        try:
            named = {**holder, key: canonical(holder[key])}
        except FieldError as err:
            raise UserError(f"法院配置有误（{field}）：{err.zh}", f"invalid court profile ({field}): {err.en}",
                            where=f"{where}:{field}.{err.loc[0]}") from None
        data = {**data, section: named} if section else named
    for key in ("start_state", "process_file"):  # relative to the file that names them
        if isinstance(data.get(key), str) and data[key]:
            data[key] = str((p.parent / data[key]).resolve())
    return data, "none" if base == "none" else "default"


def default_data() -> dict[str, Any]:
    """The embedded default profile as data (what a file's omissions are filled from)."""
    return yaml_text.load(DEFAULT_PROFILE.read_text(encoding="utf-8"))


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings merge key by key, everything else is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@cache
def _model_schema() -> dict[str, Any]:
    return CourtProfile.model_json_schema()


def schema() -> dict[str, Any]:
    s = dict(_model_schema())
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "zhixing court profile / 法院配置"
    return s


def month_weights(profile: CourtProfile) -> list[float]:
    total = math.fsum(profile.intake.seasonality)
    return [w / total for w in profile.intake.seasonality]


if __name__ == "__main__":  # python -m sim.profile --schema > sim/data/court_profile.schema.json
    print(json.dumps(schema(), ensure_ascii=False, indent=2))
