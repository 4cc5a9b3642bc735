"""A court's process options: the bundled process (``core_flow/data/process.yaml``), or a whole process file for the
run (``--process FILE``, a court's own configuration), with ``process:`` overrides merged over it — one
implementation for every place a user sets them: a scenario document's ``process:`` (``scenarios``), a court
profile's ``process:`` and ``zhixing simulate`` / ``zhixing plan staffing --process`` (``sim``).

The merge is deep for mappings (``process: {fees: {application_fee: {enabled: true}}}`` changes that one key and
keeps every other of the base); a list, like any other value, is replaced whole (``nodes:`` written in overrides is
the whole node list). The merged data is validated by the process model (``core_flow.model.Process``) when the
document that holds the overrides is loaded: each thing the model refuses is a problem (location, 中文, English) the
caller puts at its own ``file:line [process.key]``. A process is built once per base and overrides (documents with
the same ``process:`` share it, and whatever the engine caches on it).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core_flow import yaml_text
from core_flow.errors import UserError, in_file_order, read_utf8, together
from core_flow.model import CrossReferenceError, Process
from core_flow.os_text import os_reason
from core_flow.process_loader import default_process, default_process_path, parse_process
from core_flow.validation import ZH
from core_flow.yaml_size import MAX_NODES, expanded_size

OPTION = "--process"


@dataclass(eq=False)
class BaseProcess:
    """A whole process definition a run starts from: its data (to merge overrides into) and its model."""

    source: str  # the file, for messages
    data: dict[str, Any]
    process: Process
    bundled: bool = False
    _merged: dict[str, Process] = field(default_factory=dict, repr=False)

    def with_overrides(self, overrides: dict[str, Any] | None) -> Process:
        """The process of ``overrides`` merged over this base (built once per distinct overrides). Raises
        :class:`InvalidOverrides` with the model's problems, each at its location in the merged data."""
        if not overrides:
            return self.process
        key = json.dumps(overrides, sort_keys=True, ensure_ascii=False, default=str)
        found = self._merged.get(key)
        if found is None:
            merged = merge(self.data, overrides)
            try:
                found = Process.model_validate(merged)
            except ValidationError as err:
                raise InvalidOverrides(_problems(err, merged, self.data)) from None
            self._merged[key] = found
        return found


class InvalidOverrides(ValueError):
    """``problems``: (location in the process data, 中文, English) of each thing the model refused."""

    def __init__(self, problems: list[tuple[tuple[Any, ...], str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, loc))}: {en}" for loc, _, en in problems))


def merge(base: Any, over: Any) -> Any:
    """``over`` merged into ``base``: mappings key by key, recursively; anything else (a list, a number, a text,
    null) replaces the base's value whole. Neither argument is changed."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return over


@lru_cache(maxsize=1)
def bundled() -> BaseProcess:
    """The bundled process (焦作市山阳区人民法院 guideline), as data and model."""
    path = default_process_path()
    return BaseProcess(str(path), yaml_text.load(Path(path).read_text(encoding="utf-8")), default_process(),
                       bundled=True)


def load_base(path: str | Path | None, option: str = OPTION) -> BaseProcess:
    """``--process FILE``: the whole file checked now by the process model (a bad file is a ``UserError`` naming its
    ``file:line``, before anything runs); None: the bundled process. ``option``: what named the file, as its
    messages say it (a court profile's ``process_file``, not ``--process``, where the profile named it)."""
    if path is None:
        return bundled()
    p = Path(path)
    try:
        text = read_utf8(p, ("流程文件", "process file"))
    except OSError as err:
        why_zh, why_en = os_reason(err)
        raise UserError(f"无法读取流程文件（{option}）：{why_zh}", f"cannot read the process file ({option}): {why_en}",
                        where=str(p), code="invalid_process") from None
    try:
        tree = yaml_text.compose(text)
    except (yaml.YAMLError, RecursionError):
        tree = None  # parse_process (or the handler below) says it
    if tree is not None and expanded_size(tree) > MAX_NODES:  # an alias bomb: every walk of it would hang the run
        raise UserError(f"流程文件（{option}）的别名（*名称）展开后超过 {MAX_NODES:,} 个值，无法读取：请直接写出内容",
                        f"the process file's ({option}) aliases (*name) stand for more than {MAX_NODES:,} values, too "
                        "many to read: write the content out", where=str(p), code="invalid_process")
    try:
        process = parse_process(text, str(p))  # located errors: file:line, node and field
        data = yaml_text.load(text)
    except RecursionError:  # PyYAML composes recursively: a file nested thousands deep is a mistake, not a crash
        raise UserError(f"流程文件（{option}）嵌套过深，无法读取", f"the process file ({option}) is nested too deep to "
                        "read", where=str(p), code="invalid_process") from None
    except UserError as err:
        if err.code != "invalid_process":
            raise
        raise _said_in_both(text, str(p)) or err from None
    return BaseProcess(str(p), data, process)


def _said_in_both(text: str, source: str) -> UserError | None:
    """The process model's refusal of a whole ``--process`` file, each problem at its ``file:line [key]`` with the
    Chinese said in Chinese (``parse_process`` gives the model's English in both halves), all of them together as
    for a scenario's ``process:``. None: the model did not refuse (another mistake; the caller's error stands)."""
    tree, data = yaml_text.compose_and_load(text)
    try:
        Process.model_validate(data)
    except ValidationError as err:
        said = [UserError(f"流程定义文件无效：[{'.'.join(map(str, loc))}] {zh}",
                          f"invalid process definition: [{'.'.join(map(str, loc))}] {en}",
                          where=f"{source}:{yaml_text.line_of(tree, loc) or 1}", code="invalid_process")
                for loc, zh, en in _problems(err, data, data)]
        return together(in_file_order(said), ("流程文件", "the process file")) if said else None
    return None


# ── the model's complaints, Chinese first with English beside ───────────────────────────────────────────────
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _halves(msg: str) -> tuple[str, str]:
    """A validator's ``English / 中文`` (the process model's way) or ``中文 / English`` → (中文, English)."""
    msg = msg.removeprefix("Value error, ")
    for m in re.finditer(r"\s/\s", msg):
        left, right = msg[: m.start()].strip(), msg[m.end():].strip()
        if _CJK.search(right) and not _CJK.search(left):
            return right, left
        if _CJK.search(left) and not _CJK.search(right):
            return left, right
    return ("取值无效：" + msg if not _CJK.search(msg) else msg), msg


def _problems(err: ValidationError, merged: dict[str, Any], base: dict[str, Any]) -> list[tuple[tuple[Any, ...], str,
                                                                                                   str]]:
    out: list[tuple[tuple[Any, ...], str, str]] = []
    for e in err.errors():
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, CrossReferenceError):
            for loc, msg in cause.problems:
                zh, en = _halves(msg)
                got = _value_at(merged, tuple(loc))
                if isinstance(got, int | str) and str(got) in en and str(got) not in zh:
                    zh += f"，收到 {got!r}"  # the model's Chinese half names no value ("unknown node 3 / 未知节点")
                out.append((tuple(loc), zh, en))
            continue
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        kind = e["type"]
        if kind == "value_error":
            zh, en = _halves(e["msg"])
        elif kind == "extra_forbidden":
            bad = str(loc[-1]) if loc else ""
            known = _keys_at(base, loc[:-1])
            guess = near(bad, known) if known else []
            zh = f"未知键 {bad!r}" + (f"；是否想写：{'、'.join(guess)}" if guess else "")
            en = f"unknown key {bad!r}" + (f"; did you mean: {', '.join(guess)}" if guess else "")
        else:
            template = ZH.get(kind, "取值无效")
            ctx = {k: v.replace("' or '", "' 或 '") if isinstance(v, str) else v  # pydantic's "'a' or 'b'"
                   for k, v in (e.get("ctx") or {}).items()}
            try:
                zh = template.format(**ctx)
            except (KeyError, IndexError, ValueError):
                zh = template
            got = _value_at(merged, loc)
            if got is not _MISSING and kind != "missing":
                zh += f"，收到 {got!r}"
            en = e["msg"] + (f", got {got!r}" if got is not _MISSING and kind != "missing" else "")
        out.append((loc, zh, en))
    return out


_MISSING = object()


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def _keys_at(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys the bundled data has at ``loc`` (what a misspelt key was probably meant to be)."""
    found = _value_at(data, loc)
    if isinstance(found, dict):
        return [str(k) for k in found]
    return []


def near(ref: Any, choices: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """The choices closest to a misspelt name (spelling, or one containing the other: ``冻结`` → ``已冻结``)."""
    text = str(ref).strip()
    if not text:
        return []
    found = difflib.get_close_matches(text, list(choices), n=n, cutoff=0.6)
    low = text.lower()
    for c in choices:
        if len(found) >= n:
            break
        if c not in found and len(low) >= 2 and (low in c.lower() or (len(c) >= 2 and c.lower() in low)):
            found.append(c)
    if not found:
        found = difflib.get_close_matches(text, list(choices), n=n, cutoff=0.45)
    return found


def not_a_mapping(got: Any) -> tuple[str, str]:
    """What ``process:`` takes, said where it is not a mapping (``process: [1]``): process.yaml's keys and the values
    that change them — not a bare 取值无效."""
    keys = "、".join(bundled().data)
    return (f"process 须为映射：流程文件（process.yaml）的键及要改的值，如 "
            f"{{fees: {{application_fee: {{enabled: true}}}}}}（可用的键：{keys}），收到 {got!r}",
            f"process must be a mapping of process.yaml's keys to the values that change them, e.g. "
            f"{{fees: {{application_fee: {{enabled: true}}}}}} (keys: {', '.join(bundled().data)}), got {got!r}")


def override_problems(base: BaseProcess, overrides: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """What the process model refuses of ``overrides`` merged over ``base`` — (location in the process data, 中文,
    English) each; empty when they are good (or absent). Not a mapping: one problem at its own place (``()``)."""
    if overrides is None or overrides == {}:
        return []
    if not isinstance(overrides, dict):
        zh, en = not_a_mapping(overrides)
        return [((), zh, en)]
    try:
        base.with_overrides(overrides)
    except InvalidOverrides as err:
        return err.problems
    return []


def described(overrides: Any, prefix: str = "") -> list[str]:
    """``overrides`` as the settings they change, one ``key.path=value`` each (JSON values: ``true``, ``3``,
    ``"text"``, a list whole): what a report says a planner set."""
    if isinstance(overrides, dict) and overrides:
        return [line for key, value in overrides.items() for line in described(value, f"{prefix}{key}.")]
    return [f"{prefix.rstrip('.')}={json.dumps(overrides, ensure_ascii=False, default=str)}"] if prefix else []


_BUILT: dict[str, Process] = {}


def process_of(data: dict[str, Any]) -> Process:
    """The process of a merged definition's data (what crosses to a simulation worker, picklable), built once per
    distinct data in this process — a worker running many units of one court builds it once."""
    key = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= 8:  # a few courts' processes at most: the oldest goes
            _BUILT.pop(next(iter(_BUILT)))
        found = _BUILT[key] = Process.model_validate(data)
    return found
