"""The simulated court closes a 财产保全 case by 法发〔2014〕26号's manners as its controls stand
(sim/preservation.py; the staffed court's queries and freezes: tests/test_sim_preservation_staffed.py)."""

from __future__ import annotations

from datetime import datetime

from core_flow.engine.state import AssetMoney, CaseState
from core_flow.legal_calendar import CST
from sim.preservation import preservation_manner


def _case(amount_cents: int, *frozen: int) -> CaseState:
    state = CaseState("P", "preservation", True, False, datetime(2026, 3, 2, 9, tzinfo=CST), amount_cents)
    for n, cents in enumerate(frozen):
        state.assets[f"icbc:{n}"] = AssetMoney("icbc", frozen_cents=cents)
    return state


def test_the_manner_follows_what_the_controls_cover() -> None:
    assert preservation_manner(_case(100_000_00)) == "无标的物可实施保全"  # nothing controlled
    assert preservation_manner(_case(100_000_00, 30_000_00, 20_000_00)) == "部分保全"  # not enough
    assert preservation_manner(_case(100_000_00, 30_000_00, 70_000_00)) == "保全完毕"  # the amount covered
    assert preservation_manner(_case(0, 5_000_00)) == "保全完毕"  # no amount named: what was found is preserved


def test_a_released_freeze_does_not_count() -> None:
    state = _case(100_000_00, 100_000_00)
    state.assets["icbc:0"].released = True
    assert preservation_manner(state) == "无标的物可实施保全"
