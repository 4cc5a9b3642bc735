"""The single-role staffing search's levels, on a model whose answer is known: it once stopped at its first level
(today's headcount − 2) when that already met the target and called it the smallest — a court of 13 judges told it
needs 11 when 9 would do; and it said nothing of another role saturated at the answer."""

from __future__ import annotations

import pytest

import sim.planner as planner
from sim.planner import parse_target, plan_staffing
from tests.sim_support import small_court
from zhixing.cmd_plan import _needed


def _ci(mean: float, half: float = 0.01) -> dict[str, float]:
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": 3}


@pytest.fixture()
def model(monkeypatch):
    """Compliance 0.2 a judge (capped at 1): ≥ 0.95 needs 5 judges. Clerks 0.95 utilised whatever the judges."""
    runs: list[int] = []

    def evaluate(profile, **_):
        n = profile.staff["承办法官"].count
        runs.append(n)
        return {"kpi": {"compliance": _ci(min(1.0, 0.2 * n)), "utilisation.承办法官": _ci(0.5),
                        "utilisation.书记员": _ci(0.95)},
                "calendar": {"provisional_years": [], "provisional_deadlines": 0}}

    monkeypatch.setattr(planner, "evaluate", evaluate)
    monkeypatch.setattr(planner, "preflight", lambda *a, **k: None)
    return runs


def test_a_first_level_already_met_is_searched_downward(model):
    goal = parse_target("compliance>=0.9")
    result = plan_staffing(small_court(1000, judges=10), goal, backend="serial")  # starts at 8, which meets
    assert result["answer"] == 5 and not result["at_low"]
    assert model == [8, 9, 7, 6, 5, 4]  # up one for the curve, then down to the first level missing it
    assert [p["staff"] for p in result["points"]] == [4, 5, 6, 7, 8, 9]


def test_below_a_given_minimum_the_answer_is_at_most(model):
    result = plan_staffing(small_court(1000, judges=10), parse_target("compliance>=0.9"), low=7, backend="serial")
    assert result["answer"] == 7 and result["at_low"] and min(model) == 7
    assert _needed(7, 10, at_most=True) == "≤ 7（-3）"


def test_the_searched_role_reached_from_below_is_the_smallest(model):
    result = plan_staffing(small_court(1000, judges=3), parse_target("compliance>=0.9"), backend="serial")
    assert result["answer"] == 5 and not result["at_low"] and model == [1, 2, 3, 4, 5, 6]


def test_another_role_saturated_at_the_answer_is_said(model):
    result = plan_staffing(small_court(1000, judges=3), parse_target("compliance>=0.9"), backend="serial")
    assert result["busy"] == {"书记员": pytest.approx(0.95)}


def test_the_command_says_at_most_and_the_saturated_role(model, tmp_path, capsys):
    from zhixing.cli import main

    court = tmp_path / "court.yaml"
    court.write_text("name: 十人院\nstaff:\n  承办法官: {count: 10}\n", encoding="utf-8")
    main(["plan", "staffing", str(court), "--target", "compliance>=0.9", "--backend", "serial", "--min", "7"])
    out = capsys.readouterr().out
    assert "至多 7" in out and "at most 7" in out
    assert "书记员利用率 0.950" in out and "--role 承办法官 --role 书记员" in out
