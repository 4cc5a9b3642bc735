"""Reuse in scenario files: shared fixtures included by name (``use:``) and parametrised scenarios (``parameters:``).

* ``use: [山阳法院, 有存款的被执行人]`` merges named fixtures into the document before it is checked. Fixtures are
  documents with a ``fixture:`` name in ``*.fixture.yaml`` files inside a ``fixtures/`` folder next to the scenario
  file or in any folder above it (the nearest wins, as pytest's conftest). A fixture may give ``court``, ``seed``,
  ``profile``, ``agencies``, ``tags`` and ``case`` fields; its ``case.debtors`` are added after the scenario's own,
  its ``tags`` to the scenario's; its ``steps`` (an opening sequence: file, assign, verify…) come before the
  scenario's own steps, fixture by fixture in the order of ``use`` (a problem in one is reported at the ``use``
  line); any other field is used only when the scenario does not set it.
* ``parameters:`` a table — a list of rows (mappings), or ``{columns: [...], rows: [[...], ...]}`` — makes one
  scenario per row: every ``${name}`` in the document's text values is replaced by the row's value (a value that is
  exactly ``${name}`` takes the row's value with its type). The scenario's name should carry parameters (``name:
  限消 ${amount}``); otherwise the row is added to it (``[amount=100]``). Each row is one pytest item and one line
  of the console and reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from core_flow.errors import NotUtf8, read_utf8
from scenarios.yaml_size import MAX_NODES, expanded_size

FIXTURE_DIR = "fixtures"
FIXTURE_SUFFIX = ".fixture.yaml"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_FIXTURE_KEYS = ("court", "seed", "profile", "agencies", "tags", "case", "description", "steps")

# (loc, zh, en): a problem at a place of the document (loc as for pydantic: keys and indices)
Problem = tuple[tuple[Any, ...], str, str]


@dataclass(frozen=True)
class Row:
    index: int  # 0-based row of the table
    values: dict[str, Any]

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items())


# ── fixtures ─────────────────────────────────────────────────────────────────────────────────────────
def fixture_files(source: str) -> list[Path]:
    """``*.fixture.yaml`` in ``fixtures/`` folders from the scenario's folder upwards (nearest first)."""
    start = Path(source).resolve().parent if source and not source.startswith("<") else Path.cwd()
    found: list[Path] = []
    for folder in (start, *start.parents):
        d = folder / FIXTURE_DIR
        if d.is_dir():
            found.extend(sorted(d.rglob(f"*{FIXTURE_SUFFIX}")))
        if (folder / "pyproject.toml").exists():
            break  # the project's root: no higher
    return found


@lru_cache(maxsize=64)
def _read_fixtures(path: Path, mtime: float) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    from scenarios.loader import _Loader

    fixtures: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    try:
        text = read_utf8(path, ("夹具文件", "fixture file"))
        if any(tree is not None and expanded_size(tree) > MAX_NODES for tree in yaml.compose_all(text, Loader=_Loader)):
            return {}, (f"{path}: 夹具文件的别名（*名称）展开后超过 {MAX_NODES:,} 个值，无法读取：请直接写出内容 / "
                        f"the fixture file's aliases (*name) stand for more than {MAX_NODES:,} values, too many to "
                        "read: write the content out",)
        docs = list(yaml.load_all(text, Loader=_Loader))
    except (OSError, yaml.YAMLError) as err:
        return {}, (f"{path}: 无法读取夹具文件 / cannot read the fixture file: {err}",)
    except NotUtf8 as err:
        return {}, (err.message,)
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("fixture"), str):
            problems.append(f"{path}: 夹具须有名称 fixture: 名称 / a fixture needs a name (fixture: NAME)")
            continue
        name = doc["fixture"]
        extra = sorted(set(doc) - {"fixture", *_FIXTURE_KEYS})
        if extra:
            problems.append(f"{path}: 夹具 {name} 的键 {'、'.join(extra)} 不可用（可用：{'、'.join(_FIXTURE_KEYS)}）/ "
                            f"fixture {name}: keys {', '.join(extra)} are not allowed")
        # a key refused above is not merged either: its own mistakes would be said again at the scenario's lines
        # (a fixture's process: said at whatever line the scenario's tree gave, review R11)
        fixtures.setdefault(name, {k: v for k, v in doc.items() if k in _FIXTURE_KEYS})
    return fixtures, tuple(problems)


def fixtures_for(source: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every fixture visible from ``source`` by name (nearest folder first), and problems of the fixture files."""
    found: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for path in fixture_files(source):
        items, bad = _read_fixtures(path, path.stat().st_mtime)
        problems.extend(bad)
        for name, body in items.items():
            found.setdefault(name, body)
    return found, problems


def apply_fixtures(data: dict[str, Any], source: str) -> tuple[dict[str, Any], list[Problem]]:
    """``data`` with its ``use:`` fixtures merged in (``use`` removed)."""
    use = data.get("use")
    data = {k: v for k, v in data.items() if k != "use"}
    if use is None:
        return data, []
    names = [use] if isinstance(use, str) else use
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return data, [(("use",), "use 须为夹具名称或名称列表", "use must be a fixture name or a list of names")]
    fixtures, bad = fixtures_for(source)
    problems: list[Problem] = [(("use",), b.split(" / ")[0], b.split(" / ")[-1]) for b in bad]
    opening: list[Any] = []  # the fixtures' steps, in the order of use, before the scenario's own
    for i, name in enumerate(names):
        body = fixtures.get(name)
        if body is None:
            from scenarios.refs import did_you_mean

            zh, en = did_you_mean(name, list(fixtures))
            known = "、".join(fixtures) or "无"
            known_en = ", ".join(fixtures) or "none"
            problems.append((("use", i), f"未知夹具 {name!r}{zh}（fixtures/ 文件夹中的 *.fixture.yaml；已有：{known}）",
                             f"unknown fixture {name!r}{en} (a fixture: in fixtures/*.fixture.yaml; there are: "
                             f"{known_en})"))
            continue
        steps = body.get("steps")
        if steps is not None and not isinstance(steps, list):
            problems.append((("use", i), f"夹具 {name} 的 steps 须为步骤列表", f"fixture {name}: steps must be a list"))
            continue
        opening.extend(steps or [])
        data = _merge(data, {k: v for k, v in body.items() if k != "steps"})
    if opening:
        own = data.get("steps")
        data["steps"] = [*opening, *(own if isinstance(own, list) else [])]
    return data, problems


def _merge(data: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key, value in body.items():
        if key == "tags":
            out["tags"] = list(dict.fromkeys([*(out.get("tags") or []), *(value or [])]))
        elif key == "case" and isinstance(value, dict):
            case = dict(out.get("case") or {})
            for k, v in value.items():
                if k == "debtors":
                    case["debtors"] = [*(case.get("debtors") or []), *(v or [])]
                else:
                    case.setdefault(k, v)
            out["case"] = case
        elif key == "agencies" and isinstance(value, dict):
            out["agencies"] = {**value, **(out.get("agencies") or {})}
        else:
            out.setdefault(key, value)
    return out


# ── parameters ───────────────────────────────────────────────────────────────────────────────────────
def rows(data: dict[str, Any]) -> tuple[list[Row], list[Problem]]:
    """The table of ``parameters`` (none: one row without values)."""
    table = data.get("parameters")
    if table is None:
        return [Row(-1, {})], []
    if isinstance(table, dict) and set(table) == {"columns", "rows"}:
        cols, raw = table["columns"], table["rows"]
        if not (isinstance(cols, list) and isinstance(raw, list)):
            return [], [(("parameters",), "columns 与 rows 须为列表", "columns and rows must be lists")]
        out, problems = [], []
        for i, r in enumerate(raw):
            if not isinstance(r, list) or len(r) != len(cols):
                problems.append((("parameters", "rows", i),
                                 f"第 {i + 1} 行应有 {len(cols)} 个值（{'、'.join(map(str, cols))}）",
                                 f"row {i + 1} needs {len(cols)} values ({', '.join(map(str, cols))})"))
                continue
            out.append(Row(i, dict(zip(map(str, cols), r, strict=True))))
        return out, problems
    if isinstance(table, list) and table and all(isinstance(r, dict) for r in table):
        return [Row(i, {str(k): v for k, v in r.items()}) for i, r in enumerate(table)], []
    return [], [(("parameters",), "parameters 须为行的列表（每行一个映射）或 {columns, rows} 表",
                 "parameters must be a list of rows (mappings) or a {columns, rows} table")]


def placeholders(value: Any) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(loc, name) of every ``${name}`` in the document."""
    def walk(v: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
        if isinstance(v, str):
            for m in _PLACEHOLDER.finditer(v):
                yield loc, m.group(1).strip()
        elif isinstance(v, dict):
            for k, x in v.items():
                yield from walk(x, (*loc, k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from walk(x, (*loc, i))
    yield from walk(value, ())


def substitute(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole and whole.group(1).strip() in values:
            return values[whole.group(1).strip()]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1).strip(), m.group(0))), value)
    if isinstance(value, dict):
        return {k: substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, values) for v in value]
    return value


def expand(data: dict[str, Any], source: str) -> tuple[list[tuple[Row, dict[str, Any]]], list[Problem]]:
    """One document → one (row, data) per row of its table, fixtures merged; problems of the table itself."""
    data, problems = apply_fixtures(data, source)
    table, bad = rows(data)
    problems += bad
    body = {k: v for k, v in data.items() if k != "parameters"}
    if "parameters" not in data:
        return [(table[0], body)], problems
    if bad:
        return [], problems
    columns = {k for r in table for k in r.values}
    for loc, name in placeholders(body):
        if name not in columns:
            problems.append((loc, f"参数 ${{{name}}} 不在 parameters 中（已有：{'、'.join(sorted(columns))}）",
                             f"parameter ${{{name}}} is not a column of parameters ({', '.join(sorted(columns))})"))
    if problems:
        return [], problems
    out = []
    named = any(loc == ("name",) for loc, _ in placeholders(body))
    for r in table:
        one = substitute(body, r.values)
        if not named:
            one["name"] = f"{one.get('name', '')} [{r.label()}]"
        out.append((r, one))
    return out, problems
