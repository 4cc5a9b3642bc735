"""Sequential replications in the staffing search (`--max-replications`): a level whose interval straddles the target
is run again with twice the replications — the first ones kept — and each look is judged on a Bonferroni-adjusted
interval; a clear-cut level is not run again."""

from __future__ import annotations

import math

import pytest

from core_flow.errors import UserError
from sim.kpi import mean_ci
from sim.planner import parse_target, plan_staffing
from sim.sequential import confidence, decision_kpis, looks_between
from tests.sim_support import fake_planner_runs, small_court

# compliance by (judges, replication): one judge clearly short; two judges around 0.97, too noisy to tell from 3
# replications at 95% but clear from 6; three judges clearly enough
NOISE = (0.01, -0.01, 0.0, 0.005, -0.005, 0.002, -0.002, 0.004, -0.004, 0.001, -0.001, 0.003)
MEAN = {1: 0.5, 2: 0.972, 3: 0.995}


def _compliance(judges: int, r: int, court: str) -> dict:
    value = min(1.0, MEAN[judges] + NOISE[r] * (4 if judges == 1 else 1))
    return {"meta": {"court": court, "replication": r}, "kpi": {"compliance": value},
            "calendar": {"provisional_years": [], "provisional_deadlines": 0}}


@pytest.fixture()
def fake(monkeypatch):
    """run_units replaced: each unit's compliance from its staffing and replication; records the units run."""
    return fake_planner_runs(monkeypatch, _compliance)


def test_the_looks_double_up_to_the_most():
    assert looks_between(3, 3) == [3]
    assert looks_between(3, 12) == [3, 6, 12]
    assert looks_between(3, 10) == [3, 6, 10]
    assert confidence(1) == pytest.approx(0.95) and confidence(3) == pytest.approx(1 - 0.05 / 3)


def test_one_look_is_the_95_percent_interval_and_more_looks_are_wider():
    runs = [{"kpi": {"compliance": v}} for v in (0.96, 0.97, 0.98, 0.975)]
    m, lo, hi = mean_ci([0.96, 0.97, 0.98, 0.975])
    one = decision_kpis(["compliance"], runs, 1)["compliance"]
    assert one["mean"] == pytest.approx(m) and one["low"] == pytest.approx(lo, abs=1e-4)
    three = decision_kpis(["compliance"], runs, 3)["compliance"]
    assert three["low"] < one["low"] and three["high"] > one["high"]  # wider
    near_one = [{"kpi": {"compliance": v}} for v in (0.99, 1.0, 0.995)]
    assert decision_kpis(["compliance"], near_one, 3)["compliance"]["high"] == 1.0  # kept in [0, 1]
    assert math.isnan(decision_kpis(["compliance"], runs[:1], 3)["compliance"]["low"])  # one run: no interval


def test_a_straddling_level_gets_more_replications_and_the_answer_is_sharper(fake):
    target = parse_target("compliance>=0.95")
    fixed = plan_staffing(small_court(1000), target, replications=3, seed=1, backend="serial", low=1, high=3)
    assert fixed["answer"] == 3  # three replications cannot tell 0.972 from 0.95
    fake.clear()
    seq = plan_staffing(small_court(1000), target, replications=3, most=12, seed=1, backend="serial", low=1, high=3)
    assert seq["answer"] == 2
    by_level = {n: sorted(r for j, r in fake if j == n) for n in (1, 2, 3)}
    assert by_level[1] == [0, 1, 2]  # clearly short: not run again
    assert by_level[2] == list(range(len(by_level[2]))) and len(by_level[2]) > 3  # the first ones kept, none twice
    assert [p["replications"] for p in seq["points"]][:2] == [3, len(by_level[2])]
    assert seq["most"] == 12 and fixed["most"] == 3
    from sim.report import curve_page

    page = curve_page(seq, small_court(1000))  # the page says how the levels were judged, and each level's runs
    assert "98.33%" in page and "Bonferroni" in page and f"✓ n={len(by_level[2])}" in page
    assert "Bonferroni" not in curve_page(fixed, small_court(1000))


def test_fewer_most_than_replications_is_refused(fake):
    with pytest.raises(UserError) as info:
        plan_staffing(small_court(1000), parse_target("compliance>=0.95"), replications=4, most=2, backend="serial")
    assert info.value.where == "--max-replications"
