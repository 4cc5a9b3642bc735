"""YAML text parsed by libyaml, PyYAML's C parser, where the installed PyYAML has it (its wheels do).

The pure-Python parser took about half a second of every process's start-up (the process file, the agency
catalogue, the court profile: ~0.9 s of a court's build under a profiler); libyaml reads the same documents about
ten times faster. Only the parser changes: the nodes (with their line marks, for located error messages) and the
constructed values are PyYAML's own safe ones either way. Without libyaml the pure-Python loader is used."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from core_flow.errors import UserError

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


# PyYAML's own patterns for the two types, less their base-60 alternatives
_NUMBERS = (
    (_INT, re.compile(r"""^(?:[-+]?0b[0-1_]+
                          |[-+]?0[0-7_]+
                          |[-+]?(?:0|[1-9][0-9_]*)
                          |[-+]?0x[0-9a-fA-F_]+)$""", re.X), "-+0123456789"),
    (_FLOAT, re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                            |[-+]?\.(?:inf|Inf|INF)
                            |\.(?:nan|NaN|NAN))$""", re.X), "-+0123456789."),
)


def without_base_60(loader: type) -> type:
    """``loader`` reading numbers as YAML 1.2 does: YAML 1.1's base-60 forms are text. An unquoted ``8:30`` in a
    court profile's working hours was the integer 510 ("should be a valid string" at a line reading 8:30) and
    ``12:00`` was 720, while ``08:30`` stayed text (a leading zero is not base-60)."""
    class Loader(loader):  # type: ignore[misc, valid-type]
        pass

    resolvers = {ch: [(tag, rx) for tag, rx in rs if tag not in (_INT, _FLOAT)]
                 for ch, rs in loader.yaml_implicit_resolvers.items()}
    for tag, rx, first in _NUMBERS:
        for ch in first:
            resolvers.setdefault(ch, []).append((tag, rx))
    Loader.yaml_implicit_resolvers = resolvers
    return Loader


SafeLoader: type = without_base_60(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load(text: Any) -> Any:
    """``yaml.safe_load``, by libyaml (``text``: a string or an open file)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 — a safe loader (CSafeLoader or SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """``yaml.compose`` with the safe loader: the node tree, with line marks."""
    return yaml.compose(text, Loader=SafeLoader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (line marks, for error messages) and the values, from one parse."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    """The value under ``key`` of a mapping node, or item ``key`` of a sequence node; None where there is none."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def node_at(tree: yaml.Node | None, path: Sequence[Any]) -> yaml.Node | None:
    """The node at ``path`` (keys and list indexes), None unless the whole path is in the document."""
    node = tree
    for part in path:
        node = child(node, part)
        if node is None:
            return None
    return node


def entry(node: yaml.Node | None, key: Any) -> tuple[yaml.Node | None, yaml.Node] | None:
    """``child``'s answer with the key's own node: (key node, value node) under ``key`` of a mapping node, (None,
    item) for item ``key`` of a sequence node; None where there is none."""
    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(key)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


def line_of(tree: yaml.Node | None, loc: Sequence[Any], *, within: bool = False, key: bool = False) -> int | None:
    """1-based line of the deepest YAML node reachable along ``loc`` (a validation error's location: keys and list
    indexes). A value is at its own line, but a mapping reached by its key is at the key's line: a block of fields
    starts at its first field, a line below (``amount_yuan:`` with min above median is at ``amount_yuan:``). ``key``:
    the error is about the last key itself (an unknown field): at the key's line whatever its value (``intak:``
    misspelt above its block is at ``intak:``). A list's item is at the item. ``within``: None unless at least
    ``loc``'s first key is in the document (a value that came from elsewhere, e.g. a default merged in, has no line
    here)."""
    node = tree
    line = node.start_mark.line + 1 if node is not None else None
    matched = 0
    for i, part in enumerate(loc):
        found = entry(node, part)
        if found is None:
            break
        name, node = found
        matched += 1
        by_key = isinstance(node, yaml.MappingNode) or (key and i == len(loc) - 1)
        line = (name if name is not None and by_key else node).start_mark.line + 1
    return None if within and not matched else line


def duplicate_keys(node: yaml.Node | None, prefix: str = "") -> list[tuple[str, int]]:
    """(dotted path, 1-based line) of every mapping key given twice: YAML loaders keep the last one silently."""
    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = str(getattr(k, "value", ""))
            path = f"{prefix}.{key}" if prefix else key
            if key in seen:
                found.append((path, k.start_mark.line + 1))
            seen.add(key)
            found.extend(duplicate_keys(v, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            found.extend(duplicate_keys(v, f"{prefix}.{i}" if prefix else str(i)))
    return found


_DIGITS = re.compile(r"[+-]?\d+(\.\d+)?")


def split_numbers(node: yaml.Node | None, prefix: str = "") -> list[tuple[str, int, str]]:
    """(dotted path, 1-based line, the number as written) of every number with a thousands comma inside braces:
    ``{yearly: 4,000}`` is, to YAML, ``{yearly: 4, 000: null}`` — a flow mapping's comma separates its entries —
    and would be read as 4. Found by its shape: a number, then a key of three digits without a value."""
    found: list[tuple[str, int, str]] = []
    if isinstance(node, yaml.MappingNode):
        pairs = node.value
        for i, (k, v) in enumerate(pairs):
            key = str(getattr(k, "value", ""))
            path = f"{prefix}.{key}" if prefix else key
            if node.flow_style and _plain(v) and _DIGITS.fullmatch(v.value):
                parts = [v.value]
                for k2, v2 in pairs[i + 1:]:
                    if not (_plain(k2) and re.fullmatch(r"\d{3}", k2.value)
                            and isinstance(v2, yaml.ScalarNode) and v2.tag.endswith(":null") and not v2.value):
                        break
                    parts.append(k2.value)
                if len(parts) > 1:
                    found.append((path, v.start_mark.line + 1, ",".join(parts)))
            found.extend(split_numbers(v, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            found.extend(split_numbers(v, f"{prefix}.{i}" if prefix else str(i)))
    return found


def _plain(node: yaml.Node) -> bool:
    """A scalar written without quotes (PyYAML says style None, libyaml '')."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def split_message(key: str, written: str) -> tuple[str, str]:
    """What to say of a number split by its thousands comma inside braces (``split_numbers``); the place (``key``)
    is said by the caller's ``where``."""
    whole = written.replace(",", "")
    leaf = key.rsplit(".", 1)[-1]
    first, rest = written.split(",", 1)
    return (f"{written} 写在花括号 {{…}} 中，逗号会把它拆成两项（{leaf}: {first} 与 {rest}）；请写 {whole}，"
            "或把该项写在单独一行",
            f"{written} inside braces {{…}}: the comma splits it into two entries ({leaf}: {first} and {rest}); "
            f"write {whole}, or put the entry on its own line")


def refuse_split_numbers(tree: yaml.Node | None, source: str, what: tuple[str, str]) -> None:
    """A located, bilingual error for the first number a thousands comma split inside braces (``split_numbers``)."""
    for key, line, written in split_numbers(tree)[:1]:
        zh, en = split_message(key, written)
        raise UserError(f"{what[0]}有误：{zh}", f"invalid {what[1]}: {en}", where=f"{source}:{line}:{key}")


def refuse_duplicates(tree: yaml.Node | None, source: str, what: tuple[str, str]) -> None:
    """A located, bilingual error for the first key given twice in ``source`` (``what``: the file, zh and en)."""
    for key, line in duplicate_keys(tree)[:1]:
        raise UserError(f"{what[0]}中键重复：{key}（同一键写了两次，后者会静默覆盖前者）",
                        f"duplicate key in the {what[1]}: {key} (given twice, the later would silently replace the "
                        "earlier)", where=f"{source}:{line}:{key}")
