"""Load and validate a process definition file into an immutable ``Process``.

A malformed file fails with a ``UserError`` naming the file and line, the node and the field.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core_flow import yaml_text
from core_flow.errors import UserError, read_utf8
from core_flow.model import CrossReferenceError, Process
from core_flow.os_text import os_reason

DEFAULT_PROCESS = "process.yaml"


def default_process_path() -> Path:
    return Path(str(resources.files("core_flow") / "data" / DEFAULT_PROCESS))


@lru_cache(maxsize=1)
def default_process() -> Process:
    """The bundled process (焦作市山阳区人民法院 guideline), loaded once."""
    return load_process(default_process_path())


def load_process(path: str | Path) -> Process:
    path = Path(path)
    try:
        text = read_utf8(path, ("流程文件", "process file"))
    except OSError as err:
        why_zh, why_en = os_reason(err)
        raise UserError(f"无法读取流程文件：{why_zh}", f"cannot read the process file: {why_en}",
                        where=str(path)) from None
    return parse_process(text, str(path))


def parse_process(text: str, source: str = "<process>") -> Process:
    try:
        tree, data = yaml_text.compose_and_load(text)
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        where = f"{source}:{line + 1}" if line is not None else source
        raise UserError("YAML 语法错误", f"YAML syntax error: {err}", where=where) from None
    yaml_text.refuse_duplicates(tree, source, ("流程文件", "process file"))
    if not isinstance(data, dict):
        raise UserError("流程文件应为映射（键: 值）", "the process file must be a mapping", where=source)
    try:
        return Process.model_validate(data)
    except ValidationError as err:
        raise _explain(err, tree, data, source) from None


def _explain(err: ValidationError, tree: yaml.Node | None, data: dict[str, Any], source: str) -> UserError:
    problems: list[tuple[tuple[Any, ...], str]] = []
    for e in err.errors():
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, CrossReferenceError):
            problems.extend(cause.problems)
        else:
            problems.append((tuple(e["loc"]), e["msg"]))
    lines_zh, lines_en = [], []
    first_where = source
    for n, (loc, msg) in enumerate(problems):
        line = yaml_text.line_of(tree, loc)
        where = f"{source}:{line}" if line else source
        if n == 0:
            first_where = where
        node_desc_zh, node_desc_en = _node_desc(data, loc)
        field = ".".join(str(p) for p in (loc[2:] if _is_node_loc(loc) else loc)) or "(整体 / whole)"
        lines_zh.append(f"{where}: {node_desc_zh}字段 {field}：{msg}")
        lines_en.append(f"{where}: {node_desc_en}field {field}: {msg}")
    zh = "流程定义文件无效：\n  " + "\n  ".join(lines_zh)
    en = "invalid process definition:\n  " + "\n  ".join(lines_en)
    return UserError(zh, en, where=first_where, code="invalid_process")


def _is_node_loc(loc: tuple[Any, ...]) -> bool:
    return len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int)


def _node_desc(data: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, str]:
    if not _is_node_loc(loc):
        return "", ""
    try:
        raw = data["nodes"][loc[1]]
        no, name = raw.get("node", "?"), raw.get("name", "?")
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"第{loc[1] + 1}个节点 ", f"node entry #{loc[1] + 1} "
    return f"节点 {no}（{name}）", f"node {no} ({name}) "


