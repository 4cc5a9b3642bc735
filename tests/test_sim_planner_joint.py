"""Sizing several roles together (`zhixing plan staffing --role A --role B`): marginal allocation — a person added
where the shortfall shrinks most until the target is met, then anyone who can be spared taken away — on a model
whose answer is known, and on the real court."""

from __future__ import annotations

import math
import re

import pytest

import sim.planner_joint as joint
from core_flow.errors import UserError
from sim.planner import parse_target
from sim.planner_joint import plan_roles, shortfall
from tests.sim_support import rendered_dom, small_court
from zhixing.cli import main


def _ci(mean: float, half: float = 0.01) -> dict[str, float]:
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": 3}


def test_the_shortfall_is_each_targets_gap_at_its_bound_relative_to_its_threshold():
    goal = parse_target("compliance>=0.9, utilisation.书记员<=0.8")
    kpi = {"compliance": _ci(0.85), "utilisation.书记员": _ci(0.9)}
    assert shortfall(goal, kpi) == pytest.approx((0.9 - 0.84) / 0.9 + (0.91 - 0.8) / 0.8)
    kpi = {"compliance": _ci(0.95), "utilisation.书记员": _ci(0.5)}
    assert shortfall(goal, kpi) == 0
    assert shortfall(goal, kpi, on="mean") == pytest.approx((0.9 - 0.95) / 0.9 + (0.5 - 0.8) / 0.8)  # slack < 0
    assert shortfall(goal, {"compliance": {"mean": 1, "low": math.nan, "high": math.nan},
                            "utilisation.书记员": _ci(0.5)}) == math.inf


@pytest.fixture()
def model(monkeypatch):
    """A court whose compliance is set by its scarcer role: judges carry 0.25 each, clerks 0.2 each (capped at 1):
    compliance ≥ 0.95 needs 4 judges and 5 clerks. Records every staffing run."""
    runs: list[dict[str, int]] = []

    def evaluate(profile, **_):
        staff = {r: profile.staff[r].count for r in ("承办法官", "书记员")}
        runs.append(staff)
        value = min(1.0, 0.25 * staff["承办法官"], 0.2 * staff["书记员"])
        return {"kpi": {"compliance": _ci(value), "utilisation.承办法官": _ci(0.5), "utilisation.书记员": _ci(0.5)},
                "calendar": {"provisional_years": [], "provisional_deadlines": 0}}

    monkeypatch.setattr(joint, "evaluate", evaluate)
    monkeypatch.setattr(joint, "preflight", lambda *a, **k: None)
    return runs


def test_the_search_adds_where_it_helps_and_meets_both_roles_needs(model):
    result = plan_roles(small_court(1000), parse_target("compliance>=0.95"), ["承办法官", "书记员"], low=1, high=8,
                        replications=3, backend="serial")
    assert result["answer"] == {"承办法官": 4, "书记员": 5}
    path = result["path"]
    assert path[0] == {"承办法官": 1, "书记员": 1} and path[-1] == result["answer"]
    for a, b in zip(path, path[1:], strict=False):  # one person a step
        assert sum(abs(a[r] - b[r]) for r in a) == 1
    assert len({tuple(s.values()) for s in model}) == len(model)  # no staffing run twice
    on_path = {tuple(p["staff"].values()): p["step"] for p in result["points"] if p["step"]}
    assert on_path == {tuple(s.values()): i for i, s in enumerate(path, start=1)}  # each run knows its step
    # one fewer in either role misses the target: both were tried and refused
    tried = {tuple(p["staff"].values()): p["met"] for p in result["points"]}
    assert tried[(3, 5)] is False and tried[(4, 4)] is False


def test_someone_added_on_the_way_and_not_needed_at_the_end_is_taken_away(monkeypatch):
    """A second judge is the best first step (0.1 → 0.5, a second clerk only 0.3); a third clerk then unlocks the
    target, and the second judge is no longer needed: the search spares him (monotone table, compliance by judges ×
    clerks)."""
    table = {(1, 1): 0.1, (2, 1): 0.5, (1, 2): 0.3, (3, 1): 0.6, (2, 2): 0.7, (3, 2): 0.8, (2, 3): 0.99,
             (1, 3): 0.98, (3, 3): 0.99}

    def evaluate(profile, **_):
        value = table[(profile.staff["承办法官"].count, profile.staff["书记员"].count)]
        return {"kpi": {"compliance": _ci(value)}, "calendar": {"provisional_years": [], "provisional_deadlines": 0}}

    monkeypatch.setattr(joint, "evaluate", evaluate)
    monkeypatch.setattr(joint, "preflight", lambda *a, **k: None)
    result = plan_roles(small_court(1000), parse_target("compliance>=0.95"), ["承办法官", "书记员"], low=1, high=3,
                        replications=3, backend="serial")
    assert [tuple(p.values()) for p in result["path"]] == [(1, 1), (2, 1), (2, 2), (2, 3), (1, 3)]
    assert result["answer"] == {"承办法官": 1, "书记员": 3}


def test_a_step_is_judged_on_the_bound_the_target_is_judged_on(monkeypatch):
    """A second judge raises the mean more (0.6) but so unevenly that its 95% low end is 0.3; a second clerk gives
    0.55 ± 0.01: the clerk is the step that brings the target closer, as it is judged."""
    table = {(1, 1): (0.2, 0.01), (2, 1): (0.6, 0.3), (1, 2): (0.55, 0.01), (2, 2): (0.99, 0.01),
             (1, 3): (0.97, 0.01)}

    def evaluate(profile, **_):
        mean, half = table[(profile.staff["承办法官"].count, profile.staff["书记员"].count)]
        return {"kpi": {"compliance": _ci(mean, half)},
                "calendar": {"provisional_years": [], "provisional_deadlines": 0}}

    monkeypatch.setattr(joint, "evaluate", evaluate)
    monkeypatch.setattr(joint, "preflight", lambda *a, **k: None)
    result = plan_roles(small_court(1000), parse_target("compliance>=0.95"), ["承办法官", "书记员"], low=1, high=3,
                        replications=3, backend="serial")
    assert [tuple(p.values()) for p in result["path"]][:2] == [(1, 1), (1, 2)]
    assert result["answer"] == {"承办法官": 2, "书记员": 2}  # both next steps meet it: the higher mean is taken


def test_the_joint_search_page_renders_in_headless_chromium(model, tmp_path):
    from sim.report import curve_page

    result = plan_roles(small_court(1000), parse_target("compliance>=0.95"), ["承办法官", "书记员"], low=1, high=8,
                        replications=3, backend="serial")
    page = tmp_path / "joint.html"
    page.write_text(curve_page(result, small_court(1000)), encoding="utf-8")
    dom = rendered_dom(page, tmp_path)
    assert "多角色人员测算" in dom and dom.count("<tr>") == 1 + len(result["points"])
    assert "承办法官 4、书记员 5" in dom  # the answer


def test_the_bounds_reached_first_give_no_answer(model):
    result = plan_roles(small_court(1000), parse_target("compliance>=0.95"), ["承办法官", "书记员"], low=1, high=3,
                        replications=3, backend="serial")
    assert result["answer"] is None and result["path"][-1] == {"承办法官": 3, "书记员": 3}


@pytest.mark.parametrize("roles", [["承办法官", "法警"], ["书记员", "书记员"]])
def test_an_unknown_or_repeated_role_is_refused(model, roles):
    with pytest.raises(UserError) as info:
        plan_roles(small_court(1000), parse_target("compliance>=0.95"), roles, replications=3, backend="serial")
    assert info.value.where == "--role"


def test_the_real_court_sized_in_two_roles(tmp_path, capsys):
    """1,300 cases a year: the answer meets the target, and one fewer judge or clerk (where tried) does not."""
    page = tmp_path / "joint.html"
    profile = tmp_path / "c.yaml"
    profile.write_text("name: 两角色法院\nintake: {yearly: 1300}\nstaff: {承办法官: {count: 2}, 书记员: {count: 2}}\n",
                       encoding="utf-8")
    code = main(["plan", "staffing", str(profile), "--role", "承办法官", "--role", "书记员", "--target",
                 "compliance>=0.97", "--years", "0.1", "-r", "2", "--seed", "5", "--backend", "serial", "--min", "1",
                 "--max", "4", "--out", str(page), "--csv", str(tmp_path / "joint.csv")])
    text = capsys.readouterr().out
    assert code == 0 and "同时满足 compliance>=0.97" in text
    answer = re.search(r"的人员：承办法官 (\d+) 人、书记员 (\d+) 人", text)
    assert answer
    j, c = int(answer.group(1)), int(answer.group(2))
    html = page.read_text(encoding="utf-8")
    assert "自 2025-01-02 08:30 起" in html  # when the levels' runs start
    assert "多角色人员测算" in html and "<table" in html and not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""",
                                                                          html)
    rows = {(int(m.group(1)), int(m.group(2))): m.group(3) for m in
            re.finditer(r"<tr><td>(\d+)</td><td>(\d+)</td>.*?<td>([✓✗])[^<]*</td></tr>", html)}
    assert rows[(j, c)] == "✓"
    for fewer in ((j - 1, c), (j, c - 1)):
        assert min(fewer) < 1 or rows.get(fewer) == "✗"
    table = (tmp_path / "joint.csv").read_text(encoding="utf-8-sig").splitlines()
    assert table[0].startswith("承办法官,书记员,compliance_mean") and f"{j},{c}," in "\n".join(table)
    assert len(table) == 1 + len(rows)  # a row per staffing run
