"""Checks while simulating: the rules hold over every case of a multi-year run, and a broken rule fails the run
with the case's timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process
from sim.invariants import Checker, SimulationCheckFailed
from sim.replicate import make_units, run_units
from tests.sim_support import small_court

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def ev(hours: float, kind: EventKind, node: int | None = None, item: str | None = None, **data) -> Event:
    return Event(T0 + timedelta(hours=hours), "K1", kind, node, "", item, data or None)


def test_a_five_year_run_sweeps_each_zhongben_case_ten_times_and_keeps_every_rule():
    r = run_units(make_units([("c", small_court(40, judges=1, clerks=1))], years=5.7, replications=1, seed=7),
                  backend="serial")[0]
    inv = r["invariants"]
    assert inv["violation_count"] == 0 and inv["ledger_conserved"]
    assert inv["sweeps_checked"] > 50
    # cases closed by 终本 in the first half-year and never resumed: exactly 10 sweeps each
    early = [c for c in r["cases"] if c["manner"] == "zhongben" and c["closed"] < "2025-07-01" and not c["resumed_as"]]
    assert early and all(c["sweeps"] == 10 for c in early)
    assert r["kpi"]["resumptions"] > 0


def _checker() -> Checker:
    return Checker(default_process())


def test_a_freeze_without_its_deadline_expiring_is_a_violation():
    ch = _checker()
    ch(ev(0, EventKind.FILED))
    ch(ev(30, EventKind.NODE_FROZEN, 7, reason="DEADLINE:main", unfreeze_by=["bureau_head"]))
    assert ch.violations and "期限未届满" in ch.violations[0]["zh"]
    with pytest.raises(SimulationCheckFailed) as info:
        ch.raise_if_violated()
    assert "K1" in info.value.where and "node_frozen 7" in info.value.zh  # the case's timeline


def test_an_unfreeze_without_request_or_without_reporting_up_is_a_violation():
    ch = _checker()
    ch(ev(1, EventKind.DEADLINE_MISSED, 43, "limit"))
    ch(ev(1, EventKind.NODE_FROZEN, 43, reason="DEADLINE:limit", unfreeze_by=["high_court"]))
    ch(ev(2, EventKind.UNFREEZE_APPROVED, 43, authority="high_court"))  # no request, no 中院 step
    assert {v["en"] for v in ch.violations} == {"node 43 unfrozen without a request",
                                                "node 43 unfrozen without reporting up (层报)"}
    ok = _checker()
    for e in (ev(1, EventKind.DEADLINE_MISSED, 43, "limit"),
              ev(1, EventKind.NODE_FROZEN, 43, reason="DEADLINE:limit", unfreeze_by=["high_court"]),
              ev(2, EventKind.UNFREEZE_REQUESTED, 43), ev(3, EventKind.UNFREEZE_FORWARDED, 43),
              ev(4, EventKind.UNFREEZE_APPROVED, 43)):
        ok(e)
    assert ok.violations == []


def test_a_deadline_that_came_due_silently_is_a_lost_timer():
    ch = _checker()
    ch(ev(0, EventKind.DEADLINE_SET, 7, "main", due=T0 + timedelta(days=10)))
    ch(ev(0, EventKind.DEADLINE_SET, 5, "main", due=T0 + timedelta(days=3)))
    ch(ev(5, EventKind.ITEM_DONE, 5, "main", late=False))
    court = SimpleNamespace(runtime=SimpleNamespace(cases={}), platform=SimpleNamespace(pushes=[]),
                            session=SimpleNamespace(ledger=SimpleNamespace(
                                total_cents=lambda: 0, origin_cents=lambda: 0,
                                court_accounts=SimpleNamespace(paid_out_cents=0))))
    ch.finish(court, T0 + timedelta(days=30))
    assert [v["en"] for v in ch.violations] == ["node 7 deadline main came due without a miss reported (timer lost)"]
