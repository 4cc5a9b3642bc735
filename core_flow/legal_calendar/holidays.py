"""Rest days and working days of China (法定节假日、周末与调休上班日).

Official data sources, in increasing priority (a later source replaces a whole year of an earlier one):

1. the maintained package ``chinesecalendar`` (``import chinese_calendar``): the State Council's holiday
   notices for 2004–2026;
2. the shipped extension file ``core_flow/data/holidays_extension.yaml`` (its format is documented there);
3. the file named by the environment variable ``ZHIXING_HOLIDAYS``, if set;
4. extension files passed to :class:`HolidayCalendar` explicitly, in order.

An extension year is *complete* data for that year: its listed holidays are the rest days on top of the
weekends, its listed make-up working days (调休上班) are working days even on a Saturday or Sunday, and
nothing from a lower-priority source for that year is kept. So an extension year may also correct a
package year.

**Provisional years (暂定).** A year from 2025 on (《全国年节及纪念日放假办法》 as revised in 2024, in force
2025-01-01) with no official data gets a *provisional* year when a computation first needs it: the statutory
holidays (元旦 1 day, 春节 4 days from 除夕, 清明, 劳动节 2 days, 端午, 中秋, 国庆 3 days; lunar dates computed)
and their in-lieu days (补假) from the maintained package ``holidays`` (``holidays.China``), plus weekends.
The make-up working days (调休) of that year are unknown, so none are assumed. Official data for a year
always replaces its provisional year. Each computation that touches a provisional year carries the warning
text :func:`provisional_warning` (recognised by :func:`provisional_year_of`), and
:class:`ProvisionalCalendarWarning` is emitted once per year and calendar.

**Strict mode.** ``HolidayCalendar(strict=True)`` (CLI ``--strict-calendar``, environment
``ZHIXING_CALENDAR_STRICT=1``) uses no provisional year: a day in a year without official data raises
:class:`CalendarRangeError`, and the engine refuses the command with ``CALENDAR_RANGE``. Years before 2025
and after the ``holidays`` package's range have no provisional year and raise in either mode.

Lookups are O(1): one contiguous table over the years known to the calendar, indexed by date ordinal
(rest flag, next working day on or after, cumulative working-day rank, list of working days); a provisional
year is added to the table (rebuilt once) the first time it is needed.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from core_flow import yaml_text
from core_flow.errors import UserError, read_utf8, together
from core_flow.legal_calendar.tz import DATE_FORMS_EN, DATE_FORMS_ZH, parse_local

ENV_VAR = "ZHIXING_HOLIDAYS"
STRICT_ENV_VAR = "ZHIXING_CALENDAR_STRICT"
#: first year of 《全国年节及纪念日放假办法》 as revised in 2024 (国务院令第795号, in force 2025-01-01)
PROVISIONAL_FROM = 2025
DEFAULT_EXTENSION = Path(__file__).resolve().parent.parent / "data" / "holidays_extension.yaml"
WEEKEND = "周末 weekend"
WEEKEND_PROVISIONAL = "周末（暂定，调休未知）weekend (provisional, make-up days unknown)"

# chinesecalendar's English holiday names → "中文 English" reasons; also used for extension names.
_NAMES = (
    ("元旦", "New Year's Day"),
    ("春节", "Spring Festival"),
    ("清明节", "Tomb-sweeping Day"),
    ("劳动节", "Labour Day"),
    ("端午节", "Dragon Boat Festival"),
    ("中秋节", "Mid-autumn Festival"),
    ("国庆节", "National Day"),
    ("抗战胜利70周年纪念日", "Anti-Fascist 70th Day"),
)
_EN_TO_ZH = {en: zh for zh, en in _NAMES}
_ZH_TO_EN = {zh: en for zh, en in _NAMES}

_OFFICIAL, _PROVISIONAL, _MISSING = 0, 1, 2


class CalendarRangeError(UserError):
    """A computation needs a day in a year for which the calendar has no holiday data it may use."""


class ProvisionalCalendarWarning(UserWarning):
    """A computation used a provisional year (no State Council notice in the data); see the warning text."""


@dataclass(slots=True)
class YearData:
    """One year's data: holiday rest days (ordinal → reason) and make-up working days.

    ``provisional`` years are computed from the statutory rule (no notice); all others are official.
    """

    year: int
    source: str
    holidays: dict[int, str] = field(default_factory=dict)
    workdays: set[int] = field(default_factory=set)
    provisional: bool = False


def _reason_for(name: str, name_en: str | None = None) -> str:
    if name_en:
        return f"{name} {name_en}"
    if name in _EN_TO_ZH:
        return f"{_EN_TO_ZH[name]} {name}"
    if name in _ZH_TO_EN:
        return f"{name} {_ZH_TO_EN[name]}"
    return name


def _package_years() -> dict[int, YearData]:
    from chinese_calendar import constants

    years: dict[int, YearData] = {}
    first = min(constants.holidays).year
    last = max(constants.holidays).year
    for y in range(first, last + 1):
        years[y] = YearData(y, f"chinesecalendar {_package_version()}")
    for d, name in constants.holidays.items():
        years[d.year].holidays[d.toordinal()] = _reason_for(name)
    for d in constants.workdays:
        years[d.year].workdays.add(d.toordinal())
    return years


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("chinesecalendar")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return ""


def _year_ranges(years: Iterable[int]) -> str:
    out: list[str] = []
    ys = sorted(years)
    i = 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        out.append(str(ys[i]) if i == j else f"{ys[i]}–{ys[j]}")
        i = j + 1
    return ", ".join(out) or "无 none"


# --------------------------------------------------------------------------------------------------
# Provisional years: the statutory rule without a notice

# holidays.China's zh_CN names → (中文, English) used in reasons
_PROV_NAMES = {
    "元旦": ("元旦", "New Year's Day"),
    "农历除夕": ("春节·除夕", "Spring Festival, New Year's Eve"),
    "春节": ("春节", "Spring Festival"),
    "清明节": ("清明节", "Tomb-sweeping Day"),
    "劳动节": ("劳动节", "Labour Day"),
    "端午节": ("端午节", "Dragon Boat Festival"),
    "中秋节": ("中秋节", "Mid-autumn Festival"),
    "国庆节": ("国庆节", "National Day"),
}
_OBSERVED = "（补假）"
_PROVISIONAL_RE = re.compile(r"^(\d{4}) 年节假日为暂定")


def _holidays_version() -> str:
    try:
        from importlib.metadata import version

        return version("holidays")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return ""


def provisional_source() -> str:
    """The source text of every provisional year (used in reports and ``zhixing calendar show``)."""
    return (
        "《全国年节及纪念日放假办法》（2024年修订）法定节假日与补假，调休未知 / "
        "statutory holidays and in-lieu days of the National Holidays Regulation (2024 revision), "
        f"make-up working days unknown (computed by holidays {_holidays_version()})"
    )


def provisional_range() -> tuple[int, int]:
    """The years for which a provisional year can be computed."""
    import holidays

    return PROVISIONAL_FROM, int(holidays.China.end_year)


@functools.cache
def provisional_warning(year: int) -> str:
    """The warning carried by every computation that touches provisional ``year`` (stable text)."""
    fmt = f"core_flow/data/{DEFAULT_EXTENSION.name}"
    return (
        f"{year} 年节假日为暂定：数据中没有国务院办公厅 {year} 年节假日安排通知，按《全国年节及纪念日放假办法》"
        f"（2024年修订）推算法定节假日与补假，调休上班日未知；该年通知发布后写入扩展文件（{fmt}、--holidays 文件或"
        f"环境变量 {ENV_VAR}）即替换暂定数据 / "
        f"{year} holidays are provisional: no State Council holiday notice for {year} in the data; statutory "
        "holidays and in-lieu days follow the National Holidays Regulation (2024 revision), make-up working days "
        f"are unknown; put the notice in an extension file ({fmt}, --holidays FILE or {ENV_VAR}) to replace it"
    )


def provisional_year_of(text: str) -> int | None:
    """The year a :func:`provisional_warning` text is about, or None for any other text."""
    m = _PROVISIONAL_RE.match(text) if isinstance(text, str) else None
    return int(m[1]) if m else None


def provisional_years_in(texts: Iterable[str]) -> list[int]:
    """The provisional years named by warning texts (e.g. events' ``calendar_warnings``), sorted, unique."""
    return sorted({y for y in map(provisional_year_of, texts) if y is not None})


def provisional_note(count: int, years: Iterable[int]) -> str:
    """One bilingual line for a summary: ``count`` deadlines depend on the provisional ``years``."""
    ys = "、".join(str(y) for y in sorted(set(years)))
    ys_en = ", ".join(str(y) for y in sorted(set(years)))
    return (
        f"注意 / note: {count} 个期限依赖暂定日历（{ys} 年：数据中没有国务院节假日通知，按法定节假日推算，调休未知），"
        f"已在事件上标注 calendar_warnings；该年通知写入扩展文件即替换 / {count} deadlines depend on the provisional "
        f"calendar of {ys_en} (no State Council notice in the data: statutory holidays, make-up days unknown), "
        "flagged on their events as calendar_warnings; put the notice in an extension file to replace it"
    )


@functools.cache
def _provisional_items(year: int) -> tuple[tuple[int, str], ...]:
    import holidays

    out: list[tuple[int, str]] = []
    for d, name in sorted(holidays.China(years=year, language="zh_CN").items()):
        for part in name.split("; "):
            if "调休" in part:
                continue  # the package's own make-up arrangements (official data, never provisional)
            observed = part.endswith(_OBSERVED)
            base = part[: -len(_OBSERVED)] if observed else part
            zh, en = _PROV_NAMES.get(base, (base, base))
            if observed:
                out.append((d.toordinal(), f"{zh}（补假，暂定）{en} (in lieu, provisional)"))
            else:
                out.append((d.toordinal(), f"{zh}（暂定）{en} (provisional)"))
            break
    return tuple(out)


def provisional_year(year: int) -> YearData:
    """The provisional year ``year``: statutory holidays and 补假 from ``holidays.China``; no make-up days."""
    return YearData(year, provisional_source(), dict(_provisional_items(year)), set(), provisional=True)


def strict_from_env() -> bool:
    """``$ZHIXING_CALENDAR_STRICT``: 1/true/yes/on → strict; unset, empty, 0/false/no/off → not strict."""
    raw = os.environ.get(STRICT_ENV_VAR, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise UserError(
        f"环境变量 {STRICT_ENV_VAR} 的值无效：{raw!r}（应为 1/0、true/false、yes/no、on/off）",
        f"invalid value {raw!r} of {STRICT_ENV_VAR} (1/0, true/false, yes/no, on/off)",
        where=STRICT_ENV_VAR,
    )


# --------------------------------------------------------------------------------------------------
# Extension file loading (validated node by node so that every error names file:line and field)


_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")  # the notice's own form, within a year's block


class _Ext:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[UserError] = []  # each holiday's, make-up day's and year's mistake, said together

    def err(self, node: yaml.Node | None, fld: str, zh: str, en: str) -> UserError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return UserError(zh, en, where=f"{self.path}{line} ({fld})", code="bad_holidays_file")

    def load(self) -> dict[int, YearData]:
        try:
            text = read_utf8(self.path, ("节假日扩展文件", "holiday extension file"), "bad_holidays_file")
        except FileNotFoundError:
            raise UserError("节假日扩展文件不存在", "holiday extension file not found", where=str(self.path)) from None
        except OSError as exc:
            raise UserError(
                f"无法读取节假日扩展文件：{exc}",
                f"cannot read holiday extension file: {exc}",
                where=str(self.path),
            ) from None
        try:
            root = yaml_text.compose(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            raise UserError(
                f"YAML 语法错误：{exc.problem}",
                f"YAML syntax error: {exc.problem}",
                where=f"{self.path}{line}",
            ) from None
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            raise self.err(root, "<top>", "顶层应为映射（含 years:）", "top level must be a mapping with 'years:'")
        years_node = None
        for k, v in root.value:
            if k.value != "years":
                raise self.err(
                    k,
                    k.value,
                    f"未知的键 {k.value!r}（只允许 years）",
                    f"unknown key {k.value!r} (only 'years')",
                )
            years_node = v
        if years_node is None or (isinstance(years_node, yaml.ScalarNode) and years_node.tag.endswith(":null")):
            return {}
        if not isinstance(years_node, yaml.MappingNode):
            raise self.err(years_node, "years", "years 应为以年份为键的映射", "'years' must be a mapping keyed by year")
        out: dict[int, YearData] = {}
        for k, v in years_node.value:
            try:
                year = self._year_key(k)
                if year in out:
                    raise self.err(k, f"years.{year}", f"年份 {year} 重复", f"year {year} given twice")
                out[year] = self._year(year, k, v)
            except UserError as exc:
                self.problems.append(exc)
        if self.problems:
            raise together(self.problems, ("节假日扩展文件", "the holiday extension file"))
        return out

    def _each(self, fn: Callable[..., None], *args: object) -> None:
        """``fn(*args)``, its mistake kept for the list rather than stopping the file."""
        try:
            fn(*args)
        except UserError as exc:
            self.problems.append(exc)

    def _year_key(self, k: yaml.Node) -> int:
        if isinstance(k, yaml.ScalarNode) and (k.tag.endswith(":int") or k.value.strip().isdigit()):
            try:
                y = int(k.value)
            except ValueError:
                y = -1
            if 1900 <= y <= 9998:
                return y
        raise self.err(
            k,
            "years",
            f"年份键无效：{k.value!r}（应为 1900–9998 的整数）",
            f"invalid year key {k.value!r} (an integer 1900-9998)",
        )

    def _year(self, year: int, key_node: yaml.Node, node: yaml.Node) -> YearData:
        fld = f"years.{year}"
        if not isinstance(node, yaml.MappingNode):
            raise self.err(
                node,
                fld,
                "年份数据应为映射（source、holidays、workdays）",
                "a year must be a mapping (source, holidays, workdays)",
            )
        data = YearData(year, "")
        seen: set[str] = set()
        for k, v in node.value:
            key = k.value
            if key in seen:
                raise self.err(k, f"{fld}.{key}", f"键 {key} 重复", f"key {key} given twice")
            seen.add(key)
            if key == "source":
                if not (isinstance(v, yaml.ScalarNode) and v.tag.endswith(":str") and v.value.strip()):
                    raise self.err(
                        v,
                        f"{fld}.source",
                        "source 应为非空文本（通知名称与文号）",
                        "'source' must be non-empty text (the notice's title and number)",
                    )
                data.source = v.value.strip()
            elif key == "holidays":
                for i, item in enumerate(self._seq(v, f"{fld}.holidays")):
                    self._each(self._holiday, data, item, f"{fld}.holidays[{i}]")
            elif key == "workdays":
                for i, item in enumerate(self._seq(v, f"{fld}.workdays")):
                    self._each(self._workday, data, item, f"{fld}.workdays[{i}]")
            else:
                raise self.err(
                    k,
                    f"{fld}.{key}",
                    f"未知的键 {key!r}（允许 source、holidays、workdays）",
                    f"unknown key {key!r} (allowed: source, holidays, workdays)",
                )
        if not data.source:
            raise self.err(
                key_node,
                f"{fld}.source",
                "缺少 source（国务院办公厅通知名称与文号）",
                "missing 'source' (the State Council notice's title and number)",
            )
        return data

    def _workday(self, data: YearData, item: yaml.Node, fld: str) -> None:
        o = self._date(item, fld, data.year)
        if o in data.holidays:
            raise self.err(item, fld, "该日同时被列为节假日", "this day is also listed as a holiday")
        data.workdays.add(o)

    def _seq(self, node: yaml.Node, fld: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.err(node, fld, "应为列表", "must be a list")
        return list(node.value)

    def _date(self, node: yaml.Node, fld: str, year: int) -> int:
        """A date as the notice or a person writes it: ``2027-02-05``, ``2027/2/5``, ``2027年2月5日`` — or, the year
        being the block's, ``2月5日`` as the notice itself writes it."""
        d = None
        if isinstance(node, yaml.ScalarNode):
            text = node.value.strip()
            if m := _MONTH_DAY.fullmatch(text):
                try:
                    d = date(year, int(m[1]), int(m[2]))
                except ValueError:
                    d = None
            elif ":" not in text:
                try:
                    d = parse_local(text, fld).date()
                except UserError:
                    d = None
        if d is None:
            raise self.err(
                node,
                fld,
                f"日期无效：{getattr(node, 'value', '')!r}（应为 {DATE_FORMS_ZH}，或该年的 M月D日）",
                f"invalid date {getattr(node, 'value', '')!r} (expected {DATE_FORMS_EN}, or M月D日 of that year)",
            )
        if d.year != year:
            raise self.err(node, fld, f"日期 {d} 不在 {year} 年内", f"date {d} is not in year {year}")
        return d.toordinal()

    def _holiday(self, data: YearData, node: yaml.Node, fld: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise self.err(node, fld, "节假日应为映射 {name, from, to}", "a holiday must be a mapping {name, from, to}")
        vals: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if k.value not in ("name", "name_en", "from", "to"):
                raise self.err(
                    k,
                    f"{fld}.{k.value}",
                    f"未知的键 {k.value!r}（允许 name、name_en、from、to）",
                    f"unknown key {k.value!r} (allowed: name, name_en, from, to)",
                )
            vals[k.value] = v
        for req in ("name", "from"):
            if req not in vals:
                raise self.err(node, f"{fld}.{req}", f"缺少 {req}", f"missing '{req}'")
        name_node = vals["name"]
        if not (isinstance(name_node, yaml.ScalarNode) and name_node.value.strip()):
            raise self.err(name_node, f"{fld}.name", "name 应为非空文本", "'name' must be non-empty text")
        name_en = vals.get("name_en")
        en = name_en.value.strip() if isinstance(name_en, yaml.ScalarNode) else None
        start = self._date(vals["from"], f"{fld}.from", data.year)
        end = self._date(vals["to"], f"{fld}.to", data.year) if "to" in vals else start
        if end < start:
            raise self.err(vals["to"], f"{fld}.to", "to 早于 from", "'to' is before 'from'")
        reason = _reason_for(name_node.value.strip(), en)
        for o in range(start, end + 1):
            data.holidays[o] = reason


def load_extension(path: str | os.PathLike[str]) -> dict[int, YearData]:
    """Load and validate one extension YAML file; errors are :class:`UserError` with file:line (field)."""
    return _Ext(Path(path)).load()


# --------------------------------------------------------------------------------------------------


class HolidayCalendar:
    """Rest/working days with O(1) lookups. See the module docstring for sources, provisional years and
    strict mode. ``strict=None`` reads ``$ZHIXING_CALENDAR_STRICT`` (when ``use_env``), else not strict."""

    __slots__ = (
        "strict",
        "sources",
        "_official",
        "_provisional",
        "_warned",
        "_base",
        "_end",
        "_fast_end",
        "_lo_year",
        "_yidx",
        "_wcache",
        "_status",
        "_rest",
        "_next_work",
        "_rankp",
        "_work",
        "_reasons",
    )

    def __init__(
        self,
        extension_files: Iterable[str | os.PathLike[str]] = (),
        *,
        strict: bool | None = None,
        include_default_extension: bool = True,
        use_env: bool = True,
        include_package: bool = True,
    ) -> None:
        #: True: no provisional years, a day without official data raises CalendarRangeError
        self.strict: bool = bool(strict) if strict is not None else (use_env and strict_from_env())
        official: dict[int, YearData] = _package_years() if include_package else {}
        files: list[Path] = []
        if include_default_extension and DEFAULT_EXTENSION.is_file():
            files.append(DEFAULT_EXTENSION)
        env_file = os.environ.get(ENV_VAR, "").strip() if use_env else ""
        if env_file:
            if not Path(env_file).is_file():
                raise UserError(
                    f"环境变量 {ENV_VAR} 指定的节假日文件不存在：{env_file}",
                    f"holiday file named by {ENV_VAR} does not exist: {env_file}",
                    where=ENV_VAR,
                )
            files.append(Path(env_file))
        files.extend(Path(f) for f in extension_files)
        for f in files:
            official.update(load_extension(f))
        #: files loaded, in priority order (lowest first)
        self.sources: tuple[Path, ...] = tuple(files)
        self._official = official
        self._provisional: dict[int, YearData] = {}
        self._warned: set[int] = set()
        self._build()

    # ---- table construction -------------------------------------------------------------------

    def _build(self) -> None:
        known = set(self._official) | set(self._provisional)
        if not known:
            raise UserError("没有任何节假日数据", "no holiday data at all", where="HolidayCalendar")
        lo, hi = min(known), max(known)
        base = date(lo, 1, 1).toordinal()
        end = date(hi, 12, 31).toordinal()
        n = end - base + 1
        rest = bytearray(n)
        yidx = array("H")  # yidx[i]: year of base + i, minus lo
        status = bytearray(hi - lo + 1)
        reasons: dict[int, str] = {}
        fast_end = base - 1  # last day of the run of official years from the table's start: no checks there
        for y in range(lo, hi + 1):
            y0 = date(y, 1, 1).toordinal()
            y1 = date(y, 12, 31).toordinal()
            yidx.extend([y - lo] * (y1 - y0 + 1))
            data = self._official.get(y)
            if data is not None:
                status[y - lo] = _OFFICIAL
                if fast_end == y0 - 1:
                    fast_end = y1
            else:
                data = self._provisional.get(y)
                status[y - lo] = _MISSING if data is None else _PROVISIONAL
            for o in range(y0, y1 + 1):
                weekend = (o - 1) % 7 >= 5  # ordinal 1 (0001-01-01) is a Monday
                if data is None:
                    rest[o - base] = weekend  # never read: a missing year raises or becomes provisional first
                elif o in data.holidays:
                    rest[o - base] = 1
                else:
                    rest[o - base] = weekend and o not in data.workdays
            if data:
                reasons.update(data.holidays)
                if data.provisional:  # a weekend day of a provisional year might be a make-up working day
                    for o in range(y0, y1 + 1):
                        if rest[o - base] and o not in data.holidays:
                            reasons[o] = WEEKEND_PROVISIONAL
        next_work = [-1] * n
        nxt = -1
        for i in range(n - 1, -1, -1):
            if not rest[i]:
                nxt = base + i
            next_work[i] = nxt
        rankp = [0] * (n + 1)  # rankp[i]: working days strictly before base + i
        work: list[int] = []
        count = 0
        for i in range(n):
            rankp[i] = count
            if not rest[i]:
                work.append(base + i)
                count += 1
        rankp[n] = count
        self._base, self._end, self._fast_end, self._lo_year = base, end, fast_end, lo
        self._yidx = yidx
        self._wcache: dict[tuple[int, int], tuple[str, ...]] = {}  # (year index lo, hi) → warnings, all usable
        self._status = status
        self._rest, self._next_work, self._rankp, self._work = rest, next_work, rankp, work
        self._reasons = reasons

    # ---- coverage -------------------------------------------------------------------------------

    def covered_years(self) -> list[int]:
        """Years with official data (package or extension), sorted."""
        return sorted(self._official)

    def usable_years(self, strict: bool | None = None) -> tuple[int, int]:
        """The first and last year a period can be computed in: official data, and (not in strict mode; ``strict``
        None: this calendar's mode) the provisional years after it. Beyond the last no deadline can be computed."""
        official = sorted(self._official)
        first, last = official[0], official[-1]
        if not (self.strict if strict is None else strict):
            last = max(last, provisional_range()[1])
        return first, last

    def provisional_years(self) -> list[int]:
        """Provisional years computed so far (each one the first time a computation needed it), sorted."""
        return sorted(self._provisional)

    def is_official(self, year: int) -> bool:
        return year in self._official

    def source_of(self, year: int) -> str | None:
        """The source of a year's official data (package version or notice title), or None."""
        data = self._official.get(year)
        return data.source if data else None

    def year_data(self, year: int) -> YearData:
        """The data a computation in ``year`` uses: official, or else provisional (computing it if needed).

        Raises :class:`CalendarRangeError` in strict mode for a year without official data, and in any mode
        for a year that has neither official data nor a provisional year.
        """
        data = self._official.get(year)
        if data is not None:
            return data
        if not 1 <= year <= 9999:
            raise UserError("年份超出可表示范围（公元 1–9999 年）",
                            "year out of the representable range (years 1–9999)",
                            where="year")
        self._inspect(date(year, 1, 1).toordinal(), date(year, 1, 1).toordinal())
        return self._provisional[year]

    def span_ordinals(self) -> tuple[int, int]:
        """First and last date ordinal of the lookup tables (official years, gaps, provisional years)."""
        return self._base, self._end

    def _status_of(self, year: int) -> int:
        i = year - self._lo_year
        if 0 <= i < len(self._status):
            return self._status[i]
        return _MISSING

    def _range_error(self, o: int) -> CalendarRangeError:
        d = date.fromordinal(o)
        cov = _year_ranges(self._official)
        fmt = f"core_flow/data/{DEFAULT_EXTENSION.name}"
        add_zh = (
            "请把该年国务院办公厅节假日安排通知写入 YAML 扩展文件"
            f"（格式见 {fmt}；用 --holidays 文件 或环境变量 {ENV_VAR} 指定）"
        )
        add_en = (
            f"Add that year's State Council holiday notice to a YAML extension file (format: {fmt}; pass it "
            f"with --holidays FILE or the {ENV_VAR} environment variable)"
        )
        first, last = provisional_range()
        if self.strict and first <= d.year <= last:
            return CalendarRangeError(
                f"日期 {d} 所在的 {d.year} 年没有官方节假日数据（已覆盖年份：{cov}），严格模式不使用暂定日历。"
                f"{add_zh}，"
                f"或不用严格模式（去掉 --strict-calendar、{STRICT_ENV_VAR}=0）按暂定日历计算（结果带警告）",
                f"date {d} lies in {d.year}, for which there is no official holiday data (covered years: {cov}), "
                f"and strict mode uses no provisional calendar. {add_en}, or leave strict mode (no "
                f"--strict-calendar, {STRICT_ENV_VAR}=0) to compute on the provisional calendar (with a warning)",
                code="calendar_range",
            )
        return CalendarRangeError(
            f"日期 {d} 所在的 {d.year} 年没有节假日数据（已覆盖年份：{cov}；暂定日历只用于 {first}–{last} 年）。"
            f"{add_zh}",
            f"date {d} lies in {d.year}, for which there is no holiday data (covered years: {cov}; provisional "
            f"years only {first}-{last}). {add_en}",
            code="calendar_range",
        )

    def _add_provisional(self, year: int) -> None:
        self._provisional[year] = provisional_year(year)
        self._build()

    def _inspect(self, lo: int, hi: int) -> tuple[str, ...]:
        """Make sure every day in ordinals [lo, hi] has usable data; return warnings for provisional years.

        Raises CalendarRangeError at the first day without usable data (strict mode: without official data).
        """
        base = self._base
        if base <= lo and hi <= self._fast_end:
            return ()
        if base <= lo and hi <= self._end:  # a span already checked: the same warnings again
            found = self._wcache.get((self._yidx[lo - base], self._yidx[hi - base]))
            if found is not None:
                return found
        if lo < 1 or hi > date.max.toordinal():
            raise UserError("日期超出可表示范围（公元 1–9999 年）",
                            "date out of the representable range (years 1–9999)",
                            where="date")
        y0, y1 = date.fromordinal(lo).year, date.fromordinal(hi).year
        out: list[str] = []
        for y in range(y0, y1 + 1):
            st = self._status_of(y)
            if st == _OFFICIAL:
                continue
            if st == _MISSING:
                first, last = provisional_range()
                if self.strict or not first <= y <= last:
                    raise self._range_error(max(lo, date(y, 1, 1).toordinal()))
                self._add_provisional(y)
            text = provisional_warning(y)
            out.append(text)
            if y not in self._warned:
                self._warned.add(y)
                warnings.warn(text, ProvisionalCalendarWarning, stacklevel=4)
        res = tuple(out)
        self._wcache[(y0 - self._lo_year, y1 - self._lo_year)] = res  # every year in [y0, y1] is usable now
        return res

    # ---- ordinal-level primitives (used by periods.py) --------------------------------------------

    def roll_ord(self, o: int) -> tuple[int, tuple[str, ...]]:
        """The first working day on or after ordinal ``o``, with warnings."""
        i = o - self._base
        if 0 <= i and o <= self._fast_end:
            nxt = self._next_work[i]
            if 0 <= nxt <= self._fast_end:
                return nxt, ()
        warns = self._inspect(o, o)
        while True:
            nxt = self._next_work[o - self._base]
            if nxt >= 0:
                break
            # every day from o to the table's end is a rest day: the next year is needed
            warns += self._inspect(self._end + 1, self._end + 1)
        return nxt, _merge(warns, self._inspect(o, nxt))

    def nth_working_after_ord(self, o: int, n: int) -> tuple[int, tuple[str, ...]]:
        """The n-th (n ≥ 1) working day after ordinal ``o`` (``o`` not counted), with warnings."""
        i = o + 1 - self._base
        if 0 <= i and o < self._fast_end:
            k = self._rankp[i] + n - 1
            if k < len(self._work):
                res = self._work[k]
                if res <= self._fast_end:
                    return res, ()
        warns = self._inspect(o + 1, o + 1)
        while True:
            k = self._rankp[o + 1 - self._base] + n - 1
            if k < len(self._work):
                res = self._work[k]
                break
            warns += self._inspect(self._end + 1, self._end + 1)
        return res, _merge(warns, self._inspect(o + 1, res))

    def nth_working_before_ord(self, o: int, n: int) -> tuple[int, tuple[str, ...]]:
        """The n-th (n ≥ 1) working day before ordinal ``o`` (``o`` not counted), with warnings."""
        warns = self._inspect(o - 1, o - 1)
        while True:
            k = self._rankp[o - self._base] - n
            if k >= 0:
                res = self._work[k]
                break
            warns += self._inspect(self._base - 1, self._base - 1)
        return res, _merge(warns, self._inspect(res, o - 1))

    def is_rest_ord(self, o: int) -> bool:
        self._inspect(o, o)
        return bool(self._rest[o - self._base])

    def reason_ord(self, o: int) -> str | None:
        if not self.is_rest_ord(o):
            return None
        return self._reasons.get(o, WEEKEND)

    # ---- public date API --------------------------------------------------------------------------

    def is_rest_day(self, d: date) -> bool:
        """True for a weekend day that is not a make-up working day, and for a statutory holiday."""
        return self.is_rest_ord(d.toordinal())

    def is_working_day(self, d: date) -> bool:
        return not self.is_rest_ord(d.toordinal())

    def is_provisional_day(self, d: date) -> bool:
        """True when ``d`` lies in a provisional year (computing it if needed; strict mode raises)."""
        self._inspect(d.toordinal(), d.toordinal())
        return self._status_of(d.year) == _PROVISIONAL

    def rest_reason(self, d: date) -> str | None:
        """Why ``d`` is a rest day ("国庆节 National Day", "周末 weekend"), or None on a working day."""
        return self.reason_ord(d.toordinal())

    def next_working_day_on_or_after(self, d: date) -> date:
        return date.fromordinal(self.roll_ord(d.toordinal())[0])

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself is not counted); ``n`` ≥ 1."""
        if n < 1:
            raise UserError(f"工作日数应 ≥ 1，得到 {n}", f"number of working days must be ≥ 1, got {n}", where="n")
        return date.fromordinal(self.nth_working_after_ord(d.toordinal(), n)[0])


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not b:
        return a
    if not a or a == b:
        return b
    return tuple(dict.fromkeys(a + b))
