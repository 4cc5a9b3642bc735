"""The closing manners and the authorities the simulated staff name in their commands (a 报结, an approval): by their
code (process.yaml ``closing_manners``, ``authorities``), written as the run's process names them — the bundled
执行完毕, 终本, 院长…, or a court's own file's names for them. The staff once wrote the bundled Chinese names: a court's
file naming its manners or authorities otherwise refused every closing UNKNOWN_MANNER and every approval
WRONG_AUTHORITY — its cases never closed, nothing was paid out, and the rule checks passed."""

from __future__ import annotations

from typing import Any


def manner_ref(process: Any, code: str) -> str:
    """The name the run's ``process`` gives the manner ``code`` (the code itself where it has none)."""
    manner = process.manners.get(code)
    return manner.name if manner is not None else code


def authority_ref(process: Any, code: str) -> str:
    """The name the run's ``process`` gives the authority ``code`` (院长 for ``president`` in the bundled process), as
    the staff name an approver or a reviewer: by the bundled Chinese names, a court's file naming its authorities
    otherwise refused every approval WRONG_AUTHORITY (no payout, no 终本, no closing)."""
    found = process.authority_index.get(code)
    return found.name if found is not None else code


def closing(process: Any, case: str, code: str, **more: Any) -> Any:
    """The staff's 报结 of ``case`` by the manner ``code``, reviewed by the 审判管理办公室 — both named as the run's
    ``process`` names them."""
    from core_flow.engine import commands as c

    return c.Close(case, manner_ref(process, code), reviewed_by=authority_ref(process, "trial_management"), **more)
