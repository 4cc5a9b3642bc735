"""The closing manners the simulated staff name in a 报结 (``Close``): by their code (process.yaml
``closing_manners``), written as the run's process names them — the bundled 执行完毕, 终本…, or a court's own file's
names for them. The staff once wrote the bundled Chinese names: a court's file naming its manners otherwise refused
every closing UNKNOWN_MANNER, and its cases never closed."""

from __future__ import annotations

from typing import Any


def manner_ref(process: Any, code: str) -> str:
    """The name the run's ``process`` gives the manner ``code`` (the code itself where it has none)."""
    manner = process.manners.get(code)
    return manner.name if manner is not None else code
