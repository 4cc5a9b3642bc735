"""How the simulated court closes a 财产保全 case: by 法发〔2014〕26号's preservation manners (process.yaml
``closing_manners``) — 保全完毕 when the freezes and seals taken cover the amount to preserve, 部分保全 when property
was controlled but not enough ("因未查询到足额财产，致使保全事项未能全部实施完毕"), 无标的物可实施保全 when nothing
was. The controls stay in force after the closing either way (seed 004 执行完毕 第3项).

The staffed court-year does not send a preservation case's queries to the mock agencies (its handler records nodes
9–11 as work: ``StaffActor._investigate``): what it would have frozen is not modelled, so it closes such a case as
carried out (``UNMODELLED``, 保全完毕 — as cases.csv read its 执行完毕 before), not as "nothing found"."""

from __future__ import annotations

from core_flow.engine.state import CaseState

UNMODELLED = "保全完毕"


def preservation_manner(state: CaseState) -> str:
    """The preservation manner for ``state`` now (its Chinese name, as the Close command takes it)."""
    controlled = state.amounts()["frozen_cents"]  # what active freezes and seals hold
    if controlled <= 0:
        return "无标的物可实施保全"
    if 0 < state.amount_cents and controlled < state.amount_cents:
        return "部分保全"
    return "保全完毕"
