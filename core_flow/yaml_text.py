"""YAML text parsed by libyaml, PyYAML's C parser, where the installed PyYAML has it (its wheels do).

The pure-Python parser took about half a second of every process's start-up (the process file, the agency
catalogue, the court profile: ~0.9 s of a court's build under a profiler); libyaml reads the same documents about
ten times faster. Only the parser changes: the nodes (with their line marks, for located error messages) and the
constructed values are PyYAML's own safe ones either way. Without libyaml the pure-Python loader is used."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
