"""Load scenario files: YAML (several documents per file) with line numbers; every problem of every file is
reported as ``file:line`` with the offending key before anything runs.

Dates and times stay text in YAML (``2025-09-29 10:00`` is not turned into a timestamp): the scenario format
parses them itself, in China Standard Time.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core_flow import yaml_text
from core_flow.errors import NotUtf8, UserError, read_utf8
from core_flow.os_text import os_reason
from core_flow.validation import ZH
from scenarios import reuse, schedule
from scenarios.model import STEP_KEYS, Scenario, field_names, field_places
from scenarios.process_options import BaseProcess, InvalidOverrides, bundled, names_of
from scenarios.yaml_size import MAX_NODES, expanded_size

_COMMON = ("at", "note", "case", "refused")  # keys any step may carry besides its action or expectation
_FIELDS = field_names()  # every key the format knows, for "did you mean"

SUFFIX = ".scenario.yaml"


_Base = yaml_text.without_base_60(yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader without the implicit timestamp type, numbers as YAML 1.2 reads them (no base-60)."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    key: str
    zh: str
    en: str

    def __str__(self) -> str:
        key = f"[{self.key}] " if self.key else ""
        return f"{self.file}:{self.line}: {key}{self.zh} / {self.en}"


class ScenarioFileError(UserError):
    """Every problem found in the files, each with file:line and key."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        lines = "\n  ".join(str(p) for p in problems)
        n = len(problems)
        super().__init__(f"场景文件有 {n} 处错误：\n  {lines}\n",  # the English summary on a line of its own
                         f"{n} problem{'s' if n > 1 else ''} in scenario files (listed above)",
                         where=f"{first.file}:{first.line}", code="invalid_scenario")


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(x for x in p.rglob(f"*{SUFFIX}") if x.is_file()))
        elif p.exists():
            found.append(p)
        else:
            raise UserError(f"路径不存在：{p}", f"no such path: {p}", where=str(p), code="no_such_path")
    return found


def load_paths(paths: Iterable[str | Path], base: BaseProcess | None = None) -> list[Scenario]:
    """Every scenario of every file; raises :class:`ScenarioFileError` listing all problems. ``base``: the process
    the scenarios' courts run (``--process FILE``, ``scenarios.process_options.load_base``), their own ``process:``
    merged over it; None: the bundled process."""
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for path in find_files(paths):
        found, bad = parse_file(path, base)
        scenarios.extend(found)
        problems.extend(bad)
    if problems:
        raise ScenarioFileError(problems)
    return scenarios


def load_file(path: str | Path, base: BaseProcess | None = None) -> list[Scenario]:
    found, bad = parse_file(path, base)
    if bad:
        raise ScenarioFileError(bad)
    return found


def parse_file(path: str | Path, base: BaseProcess | None = None) -> tuple[list[Scenario], list[Problem]]:
    path = Path(path)
    try:
        text = read_utf8(path, ("场景文件", "scenario file"))
    except OSError as err:
        why_zh, why_en = os_reason(err)
        return [], [Problem(str(path), 0, "", f"无法读取：{why_zh}", f"cannot read: {why_en}")]
    except NotUtf8 as err:
        return [], [Problem(str(path), err.line, "", err.zh, err.en)]
    return parse_text(text, str(path), base)


# PyYAML's problems as a tester reads them: the parser says them in English only ("expected ',' or '}', but got
# ':'"), which the Chinese half of the message left out
_YAML_ZH = (
    ("expected ',' or '}'", "花括号 { } 中的映射未闭合，或两项之间缺逗号"),
    ("expected ',' or ']'", "方括号 [ ] 中的列表未闭合，或两项之间缺逗号"),
    ("unexpected end of stream", "文件意外结束：引号或括号未闭合"),
    ("cannot start any token", "此处的字符不能开始一个值：缩进请用空格而不是制表符（Tab），"
                               "以 @ 或 ` 开头的文本须加引号"),
    ("expected <block end>", "缩进不一致：此行与同一层的其他键没有对齐"),
    ("could not find expected ':'", "找不到应有的“:”：键后缺冒号，或多行文本的缩进不一致"),
    ("did not find expected key", "缩进不一致：同一层的键须左对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一列表的“- ”须左对齐"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("found unknown escape character", "双引号文本中有未知的转义（\\ 后的字符）；写反斜杠请用单引号"),
)


def _yaml_problem_zh(problem: str) -> str:
    return next((zh for en, zh in _YAML_ZH if en in problem),
                "常见原因：缩进不一致、引号或括号未闭合、冒号后缺空格")


def parse_text(text: str, source: str = "<scenario>",
               base: BaseProcess | None = None) -> tuple[list[Scenario], list[Problem]]:
    try:
        return _parse_text(text, source, base)
    except RecursionError:  # PyYAML (and the walks over its nodes) recurse: nesting thousands deep is a mistake
        return [], [Problem(source, _deepest_line(text), "", "嵌套过深（映射或列表层层相套），无法读取",
                            "nested too deep (mappings or lists within each other) to read")]


def _deepest_line(text: str) -> int:
    """The line where the file's nesting is deepest: flow brackets still open, else block indentation (a rough
    reading of the text, for where to look: the parser gave up before it could say)."""
    best, best_line, depth = -1, 0, 0
    for n, line in enumerate(text.splitlines(), 1):
        peak = depth
        for ch in line:
            depth += (ch in "{[") - (ch in "}]")
            peak = max(peak, depth)
        here = peak * 1000 + len(line) - len(line.lstrip(" -"))
        if here > best:
            best, best_line = here, n
    return best_line


def _too_large(trees: list[Any], source: str) -> list[Problem]:
    """A document whose aliases stand for more than ``MAX_NODES`` nodes: said at its largest top-level key."""
    problems = []
    for tree in trees:
        memo: dict[int, int] = {}
        if tree is None or expanded_size(tree, memo) <= MAX_NODES:
            continue
        line, key = tree.start_mark.line + 1, ""
        if isinstance(tree, yaml.MappingNode) and tree.value:
            k, _ = max(tree.value, key=lambda kv: memo.get(id(kv[1]), 1))
            line, key = k.start_mark.line + 1, str(k.value)
        problems.append(Problem(source, line, key,
                                f"别名（*名称）展开后超过 {MAX_NODES:,} 个值，无法读取：请直接写出内容",
                                f"its aliases (*name) stand for more than {MAX_NODES:,} values, too many to read: "
                                "write the content out"))
    return problems


def _parse_text(text: str, source: str, base: BaseProcess | None) -> tuple[list[Scenario], list[Problem]]:
    try:
        trees = list(yaml.compose_all(text, Loader=_Loader))
        if huge := _too_large(trees, source):
            return [], huge
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = str(getattr(err, "problem", err))
        zh, en = f"YAML 语法错误：{_yaml_problem_zh(problem)}", f"YAML syntax error: {problem}"
        if "mapping values are not allowed" in problem and line:
            # the usual cause: a text (a note, a name) holding ": " — YAML reads it as a key; quoting it is the fix
            zh = "YAML 语法错误：该行文本中含“: ”（冒号加空格），YAML 会读作键——把整段文本加引号（note: \"… : …\"）"
            en += (" — the text on this line holds ': ' (a colon and a space), which YAML reads as a key: quote the "
                   "whole text (note: \"… : …\")")
        return [], [Problem(source, line, "", zh, en)]
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for tree, data in zip(trees, docs, strict=True):
        if tree is None or data is None:
            continue  # an empty document (e.g. a trailing ---)
        hidden = _control_characters(tree, source)
        found, bad = _documents(tree, data, source, base)  # its other mistakes too, in the same run (review R5)
        problems.extend(sorted(hidden + bad, key=lambda p: p.line))
        if not hidden:
            scenarios.extend(found)
    if not scenarios and not problems:
        problems.append(Problem(source, 1, "", "文件中没有场景", "no scenario in the file"))
    return scenarios, problems


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and line breaks are text


def _control_characters(tree: yaml.Node, source: str) -> list[Problem]:
    """Text with a control character (an escape such as ``"\\u001b"``, or pasted from a terminal): invisible, it
    would reach the console (as a terminal escape), the JUnit file (which XML 1.0 then cannot hold) and reports."""
    problems: list[Problem] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            m = CONTROL.search(node.value)
            if m:
                code = f"U+{ord(m.group()):04X}"
                problems.append(Problem(source, node.start_mark.line + 1, "", f"文本含不可见的控制字符 {code}",
                                        f"the text holds an invisible control character {code}"))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: p.line)


def _documents(tree: yaml.Node, data: Any, source: str,
               base: BaseProcess | None = None) -> tuple[list[Scenario], list[Problem]]:
    """A document: its fixtures merged (``use:``), one scenario per row of its ``parameters:`` table."""
    start = tree.start_mark.line + 1
    if not isinstance(data, dict):
        return [], [Problem(source, start, "", "场景应为映射（键: 值）", "a scenario must be a mapping")]
    if "use" not in data and "parameters" not in data:
        found, bad = _document(tree, data, source, base=base)
        return ([found] if found is not None else []), bad
    own = len((data.get("case") or {}).get("debtors") or []) if isinstance(data.get("case"), dict) else 0
    own_steps = len(data["steps"]) if isinstance(data.get("steps"), list) else 0
    expanded, bad = reuse.expand(data, source)
    problems = [Problem(source, _line_of(tree, loc), ".".join(map(str, loc)), zh, en) for loc, zh, en in bad]
    scenarios: list[Scenario] = []
    for row, one in expanded:
        offset = len(one["steps"]) - own_steps if isinstance(one.get("steps"), list) else 0  # a fixture's steps
        found, more = _document(tree, one, source, duplicates=row.index <= 0, offset=offset, base=base)
        for p in more:
            line, key = p.line, p.key
            if key.startswith("case.debtors.") and key.split(".")[2].isdigit() and int(key.split(".")[2]) >= own:
                line, key = _line_of(tree, ("use",)), f"use → {key}"  # a fixture's debtor
            elif key and not key.startswith("use") and key.split(".")[0] not in data:
                line, key = _line_of(tree, ("use",)), f"use → {key}"  # a key only a fixture wrote (agencies:…)
            zh, en = p.zh, p.en
            if row.index >= 0:
                zh = f"参数行 {row.index + 1}（{row.label()}）：{zh}"
                en = f"parameter row {row.index + 1} ({row.label()}): {en}"
            problems.append(Problem(source, line, key, zh, en))
        if found is not None:
            if row.index >= 0:  # a row of the table: the scenario is that row (pytest, JUnit and reports say so)
                table = data["parameters"]
                loc = ("parameters", "rows", row.index) if isinstance(table, dict) else ("parameters", row.index)
                found._line = _line_of(tree, loc)
            scenarios.append(found)
    return ([] if problems else scenarios), problems


def _document(tree: yaml.Node, data: Any, source: str, duplicates: bool = True, offset: int = 0,
              base: BaseProcess | None = None) -> tuple[Scenario | None, list[Problem]]:
    """One scenario; ``offset``: the number of steps its fixtures put before its own (located at the ``use`` line);
    ``base``: the process its ``process:`` options are merged over (None: the bundled one)."""
    start = tree.start_mark.line + 1
    if not isinstance(data, dict):
        return None, [Problem(source, start, "", "场景应为映射（键: 值）", "a scenario must be a mapping")]
    problems = [Problem(source, line, key, f"键重复：{key}", f"duplicate key: {key}")
                for key, line in (yaml_text.duplicate_keys(tree) if duplicates else [])]
    split = [Problem(source, line, key, *yaml_text.split_message(key, written))
             for key, line, written in (yaml_text.split_numbers(tree) if duplicates else [])]
    if split:  # {amount: 50,000}: the model's own complaints (a key 000) would only follow from it
        return None, problems + split
    court_process, bad = _court_process(tree, data, source, base or bundled())
    problems += bad  # said with the document's other mistakes
    with names_of(court_process):  # the step's names (nodes, items, anchors…) as the scenario's court knows them
        try:
            sc = Scenario.model_validate(data)
        except ValidationError as err:
            for e in err.errors():
                problems.append(_shifted(source, tree, data, tuple(e["loc"]), e["msg"], e["type"], offset,
                                         e.get("ctx")))
            return None, problems
        for loc, msg in schedule.check(sc):
            problems.append(_shifted(source, tree, data, loc, msg, "cross", offset))
    sc._court_process = None if court_process is bundled().process else court_process
    sc._process_line = _line_of(tree, ("process",)) if "process" in data else 0
    sc._file = source
    sc._line = start
    steps_node = yaml_text.child(tree, "steps")
    for i, step in enumerate(sc.steps):
        if i < offset:  # a fixture's step: at the use line
            step._line = _line_of(tree, ("use",))
            continue
        item = steps_node.value[i - offset] if isinstance(steps_node, yaml.SequenceNode) else None
        step._line = item.start_mark.line + 1 if item is not None else start
    return (None if problems else sc), problems


def _court_process(tree: yaml.Node, data: dict[str, Any], source: str, base: BaseProcess) -> tuple[Any, list[Problem]]:
    """The process of the document's court: its ``process:`` merged over ``base`` and checked by the process model;
    each thing the model refuses is a problem at the document's own line of that key (``process.fees…``)."""
    overrides = data.get("process")
    if not isinstance(overrides, dict):  # absent; not a mapping: the scenario model says so
        return base.process, []
    try:
        return base.with_overrides(overrides), []
    except InvalidOverrides as err:
        problems = []
        for loc, zh, en in err.problems:
            where = ("process", *loc)
            key = ".".join(map(str, where))
            problems.append(Problem(source, _line_of(tree, where), key, f"流程设置无效：{zh}",
                                    f"invalid process setting: {en}"))
        return base.process, problems


def _shifted(source: str, tree: yaml.Node, data: Any, loc: tuple[Any, ...], msg: str, kind: str,
             offset: int, ctx: dict[str, Any] | None = None) -> Problem:
    """A problem of a step when fixtures put ``offset`` steps first: theirs at the ``use`` line, the scenario's own
    at their own lines."""
    if offset and len(loc) > 1 and loc[0] == "steps" and isinstance(loc[1], int):
        if loc[1] < offset:
            p = _problem(source, tree, data, loc, msg, kind, ctx)
            return Problem(source, _line_of(tree, ("use",)), f"use → {p.key}", p.zh, p.en)
        own = {**data, "steps": data["steps"][offset:]}
        return _problem(source, tree, own, ("steps", loc[1] - offset, *loc[2:]), msg, kind, ctx)
    return _problem(source, tree, data, loc, msg, kind, ctx)


def _problem(source: str, tree: yaml.Node, data: Any, loc: tuple[Any, ...], msg: str, kind: str,
             ctx: dict[str, Any] | None = None) -> Problem:
    loc = loc if kind == "cross" else _clean(loc)
    line = _line_of(tree, loc)
    key = ".".join(str(p) for p in loc)
    msg = msg.removeprefix("Value error, ")
    if "拒绝代码" in msg and loc and loc[-1] != "refused":  # point at the ``refused:`` line itself
        loc = (*loc, "refused")
        line = _line_of(tree, loc)
        key = ".".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        bad = str(loc[-1])
        places = field_places().get(bad, [])  # where it may be written (a key at the wrong level)
        # a key of the format written at the wrong level (``debtors:`` beside ``case:``, not under it)
        if places and _place(loc[:-1]) not in places:
            here = _place(loc[:-1])
            shown = places[:3] + (["…"] if len(places) > 3 else [])
            zh = (f"键 {bad!r} 不能写在{'顶层' if not here else ' ' + here + ' 下'}；它应写在 "
                  f"{'、'.join(p or '顶层' for p in shown)} 下（检查缩进）")
            en = (f"the key {bad!r} does not belong {'at the top level' if not here else 'under ' + here}; it belongs "
                  f"under {', '.join(p or 'the top level' for p in shown)} (check the indentation)")
            return Problem(source, line, key, zh, en)
        guess = difflib.get_close_matches(bad, _FIELDS, n=3, cutoff=0.6)
        zh = f"未知键 {bad!r}" + (f"；是否想写：{'、'.join(guess)}" if guess else "")
        en = f"unknown key {bad!r}" + (f"; did you mean: {', '.join(guess)}" if guess else "")
    elif kind == "missing":
        zh, en = f"缺少必填键 {loc[-1]!r}", f"missing required key {loc[-1]!r}"
    elif kind == "step_kind":
        step = _at(data, loc)
        keys = [k for k in step if k in STEP_KEYS] if isinstance(step, dict) else []
        unknown = [k for k in step if k not in STEP_KEYS and k not in _COMMON] if isinstance(step, dict) else []
        near = {k: difflib.get_close_matches(str(k), STEP_KEYS, n=3, cutoff=0.6) for k in unknown}
        if unknown and not keys:  # a misspelt action or expectation: name it, on its own line, with the closest
            bad = unknown[0]
            line = _line_of(tree, (*loc, bad))
            key = ".".join(str(p) for p in (*loc, bad))
            guess = near[bad]
            zh = f"未知的动作或期望 {bad!r}" + (f"；是否想写：{'、'.join(guess)}" if guess
                                               else f"（可选：{'、'.join(STEP_KEYS)}）")
            en = f"unknown action or expectation {bad!r}" + (f"; did you mean: {', '.join(guess)}" if guess
                                                              else f" (one of: {', '.join(STEP_KEYS)})")
            return Problem(source, line, key, zh, en)
        found = "、".join(keys) if keys else "无 / none"
        zh = f"每一步须有且仅有一个动作或期望键（此步有：{found}）；可选：{'、'.join(STEP_KEYS)}"
        en = f"each step needs exactly one action or expectation key (this one has: {', '.join(keys) or 'none'}); " \
             f"one of: {', '.join(STEP_KEYS)}"
    else:
        zh, en = _split(msg)
        if zh == _INVALID:  # pydantic's own English: its Chinese from the shared table (应不小于 0, 应为整数…)
            zh = _pydantic_zh(kind, ctx)
    return Problem(source, line, key, zh, en)


def _pydantic_zh(kind: str, ctx: dict[str, Any] | None) -> str:
    template = ZH.get(kind)
    if template is None:
        return _INVALID
    try:
        return f"{_INVALID}：{template.format(**(ctx or {}))}"
    except (KeyError, IndexError, ValueError):
        return f"{_INVALID}：{template}"


def _place(loc: tuple[Any, ...]) -> str:
    """A location as ``field_places`` writes it: ``("case", "debtors", 0)`` → ``case.debtors[]``."""
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            if parts:
                parts[-1] += "[]"
        else:
            parts.append(str(p))
    return ".".join(parts)


_SEP = re.compile(r"\s*/ (?=[A-Za-z])")


def _split(msg: str) -> tuple[str, str]:
    """``中文 / English`` → the two halves (the first ``/`` followed by English after some Chinese)."""
    for m in _SEP.finditer(msg):
        if any("\u4e00" <= ch <= "\u9fff" for ch in msg[: m.start()]):
            return msg[: m.start()], msg[m.end():]
    return _INVALID, msg


_INVALID = "取值无效"


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's internal tags (``function-before[…]``) and the discriminator's tag of a step
    (``steps.3.assign.assign.handler`` → ``steps.3.assign.handler``, ``steps.3.assign.colour`` → ``steps.3.colour``)."""
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    if len(parts) >= 3 and parts[0] == "steps" and isinstance(parts[1], int) and parts[2] in STEP_KEYS:
        del parts[2]
    return tuple(parts)


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _line_of(tree: yaml.Node, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest YAML node along ``loc`` (a missing key: its parent's line)."""
    node = tree
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + 1  # the key's line
            node = pair[1]
            if isinstance(node, yaml.ScalarNode):
                break
            continue
        nxt = yaml_text.child(node, part)
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line
