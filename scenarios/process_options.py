"""The court's process options a scenario runs under — ``core_flow.process_options`` (one implementation with the
simulator's court profile): the bundled process (``core_flow/data/process.yaml``), or a whole process file for the
run (``zhixing scenarios run --process FILE``, a court's own configuration), with a scenario document's ``process:``
overrides merged over it (mappings key by key, lists whole), validated by the process model when the scenario file is
loaded, each problem at the scenario's own ``file:line`` of that key. Here: the names a scenario's steps resolve
against that process (``names_of``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core_flow.model import Process
from core_flow.process_options import (
    OPTION,
    BaseProcess,
    InvalidOverrides,
    bundled,
    load_base,
    merge,
    not_a_mapping,
    override_problems,
)

__all__ = ["OPTION", "BaseProcess", "InvalidOverrides", "bundled", "load_base", "merge", "names_of", "not_a_mapping",
           "override_problems"]


# ── the process a scenario's names are resolved against (scenarios.refs) ─────────────────────────────────────
@contextmanager
def names_of(process: Process | None) -> Iterator[None]:
    """Within: ``scenarios.refs.process()`` is ``process`` (None: the bundled one)."""
    from scenarios import refs

    token = refs.CURRENT.set(process)
    try:
        yield
    finally:
        refs.CURRENT.reset(token)
