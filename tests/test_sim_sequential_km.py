"""H70: the staffing search judges the time to sale (``sale_days_km_p50``) on the estimate its tables show — the
Kaplan–Meier median of all the replications' lots pooled (``sim.replicate.km_pooled``) with its interval at the
look's level — not on a mean of each replication's median with a Student t interval. A replication whose median is
undefined (fewer than half its lots sold: the staff saturated) dropped out of the mean, so the decision read "met"
while the pooled median the table showed was far past the target."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kpi import BOOTSTRAP_DRAWS, km_median, km_median_ci, pooled_km, resampled_medians
from sim.planner import evaluate, parse_target, plan_staffing
from sim.replicate import court_km
from sim.sequential import confidence, decision_kpis, note
from tests.sim_support import fake_planner_runs, small_court


def _quick(shift: float) -> list[tuple[float, float, float]]:
    """Ten lots all sold between day 15 and day 24 (+ ``shift``): a median of 19.5 (+ ``shift``)."""
    return [(0.0, 15.0 + i + shift, 1.0) for i in range(10)]


# a saturated replication: 60 lots, a third sold at day 100, the rest still in disposal at day 120 — its own median
# undefined (survival 2/3), so the mean of medians leaves it out; pooled, its lots hold the median at day 100
SLOW = [(0.0, 100.0, 1.0)] * 20 + [(0.0, 120.0, 0.0)] * 40


def _table(judges: int, r: int) -> list[tuple[float, float, float]]:
    """One judge: every fourth replication saturated; two judges: every replication quick."""
    if judges == 1 and r % 4 == 3:
        return SLOW
    return _quick(((r * 7) % 5 - 2) * 0.1)


def _run(judges: int, r: int, court: str = "测试法院", table: list | None = None) -> dict:
    table = _table(judges, r) if table is None else table
    arr = np.asarray(table, dtype=float)
    median = km_median(arr[:, 1], arr[:, 2] > 0, arr[:, 0])
    return {"meta": {"court": court, "replication": r},
            "kpi": {"sale_days_km_p50": math.nan if median is None else median},
            "sale_km": {"table": table, "median": median, "undefined": median is None},
            "calendar": {"provisional_years": [], "provisional_deadlines": 0}}


def _tables(seed: int, reps: int, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(reps):
        entry = np.where(rng.random(n) < 0.3, rng.integers(0, 10, n), 0).astype(float)
        out.append(np.column_stack([entry, entry + rng.integers(1, 60, n), (rng.random(n) < 0.7).astype(float)]))
    return out


@pytest.fixture()
def fake(monkeypatch):
    """run_units replaced: each unit's lots from its staffing and replication; records the units run."""
    return fake_planner_runs(monkeypatch, _run)


def test_the_decision_is_the_pooled_median_not_the_mean_of_medians(fake):
    """Four replications, up to eight (two looks, each on the 97.5% interval): three quick ones (medians 19.3–19.7)
    and a saturated one (undefined). The mean of the three defined medians, 19.5 [18.8, 20.2] at 97.5%, read "met"
    for ≤ 30 days; the pooled median is 100 days, its interval [100, beyond the run] — clearly missed, at the first
    look."""
    goal = parse_target("sale_days_km_p50<=30")
    data = evaluate(small_court(1000), years=1, replications=4, seed=3, backend="serial", workers=1, progress=None,
                    goal=goal, most=8)
    decided = data["decision"]["sale_days_km_p50"]
    assert decided["mean"] == 100.0 and decided["low"] > 30  # the pooled median and its 97.5% interval
    assert not goal.met(data["decision"]) and goal.clearly_missed(data["decision"])
    assert data["replications"] == 4  # clear-cut at the first look: not run again
    # the decision's estimate is the table's (the same pooled median), its interval at the look's level
    assert decided["mean"] == data["kpi"]["sale_days_km_p50"]["mean"]
    runs = [_run(1, r) for r in range(4)]
    assert decided == court_km(runs, 3, "测试法院", confidence(2))
    # what the old way judged on: the mean of the defined medians, with a t interval narrow enough to read "met"
    medians = [v for r in runs if (v := r["kpi"]["sale_days_km_p50"]) == v]
    assert len(medians) == 3 and max(medians) < 20


def test_the_staffing_answer_follows_the_pooled_median(fake):
    """One judge leaves a replication in four saturated (its lots unsold): the pooled time to sale is 100 days and
    one judge is not enough; two judges are. The mean of medians answered one judge."""
    seq = plan_staffing(small_court(1000), parse_target("sale_days_km_p50<=30"), replications=4, most=8, seed=3,
                        backend="serial", low=1, high=2)
    assert [p["met"] for p in seq["points"]] == [False, True] and seq["answer"] == 2
    assert seq["kpis"] == ["sale_days_km_p50"]


def test_decision_kpis_pools_the_lots_at_the_looks_level_with_a_bootstrap():
    """Twelve replications (a bootstrap over them): the decision is the pooled median and the bootstrap interval at
    the look's level from the same draws as the table's 95% one — so it holds it."""
    runs = [_run(1, r, table=t.tolist()) for r, t in enumerate(_tables(4, 12, 30))]
    for looks in (2, 3):
        got = decision_kpis(["sale_days_km_p50"], runs, looks, seed=7)["sale_days_km_p50"]
        table = court_km(runs, 7, "测试法院")
        assert got["pooled"]["method"] == "bootstrap" and got["mean"] == table["mean"]
        assert got["low"] <= table["low"] <= table["high"] <= got["high"]
        assert (got["low"], got["high"]) != (table["low"], table["high"])  # wider here
        assert got == court_km(runs, 7, "测试法院", confidence(looks))
    # the other KPIs as before: a t interval over the replications
    runs = [{**r, "kpi": {**r["kpi"], "compliance": 0.9 + 0.01 * i}} for i, r in enumerate(runs)]
    assert "pooled" not in decision_kpis(["compliance"], runs, 2)["compliance"]


@pytest.mark.parametrize("reps", [3, 12])
def test_a_higher_level_is_at_least_as_wide_and_95_percent_is_the_old_default(reps):
    """Brookmeyer–Crowley (3 replications) and the replication bootstrap (12): the 95% interval is the one
    ``pooled_km`` always gave — the 2.5% and 97.5% order statistics of the seeded draws, z = 1.959964 — and a higher
    level's holds it, the median unchanged."""
    for seed in range(6):
        tables = _tables(seed, reps, 25)
        default = pooled_km(tables, [seed, 1])
        assert pooled_km(tables, [seed, 1], level=0.95) == default
        lots = np.concatenate(tables)
        if reps >= 10:
            rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
            draws = np.sort(resampled_medians(tables, rng.integers(0, reps, (BOOTSTRAP_DRAWS, reps))))
            want = (draws[int(0.025 * BOOTSTRAP_DRAWS)], draws[int(0.975 * BOOTSTRAP_DRAWS) - 1])
        else:
            want = km_median_ci(lots[:, 1], lots[:, 2] > 0, lots[:, 0], z=1.959964)
        assert (default["low"], default["high"]) == tuple(None if not math.isfinite(x) else x for x in want)
        for level in (1 - 0.05 / 2, 1 - 0.05 / 3, 0.99):
            wide = pooled_km(tables, [seed, 1], level=level)
            assert wide["median"] == default["median"]
            assert wide["low"] <= default["low"]
            assert wide["high"] is None or (default["high"] is not None and wide["high"] >= default["high"])
        narrow = pooled_km(tables, [seed, 1], level=0.8)
        assert narrow["low"] >= default["low"]
    with pytest.raises(ValueError):
        pooled_km(_tables(0, 3, 5), level=1.0)


def test_the_note_says_how_the_time_to_sale_was_judged():
    seq = note(4, 8, ["sale_days_km_p50"])
    assert "97.50%" in seq and "Bonferroni" in seq and "Kaplan–Meier" in seq and "合并" in seq
    one = note(4, 4, ["compliance", "sale_days_km_p50"])
    assert "95.00%" in one and "Bonferroni" not in one
    assert note(4, 4, ["compliance"]) is None and "Kaplan" not in note(4, 8, ["compliance"])


# one judge: every replication's eight lots sold on days 16, 19, …, 37 — pooled over eight replications the median is
# 26.5, its 95% Brookmeyer–Crowley interval [22, 28] (inside ≤ 30, as the table shows it) but its 97.5% one, the
# looks' level, [22, 31]: the level is ✗ beside a 95% interval wholly on the target's side
EDGE = [(0.0, 16.0 + 3 * j, 1.0) for j in range(8)]


def test_the_bound_note_of_a_sequential_level_reads_the_interval_it_was_judged_on(monkeypatch):
    """Review R28: ``bound_note`` read the table's 95% interval, so a level ✗ on its 97.5% look beside a 95% interval
    meeting the target was left unexplained (no note: the 95% bound "meets" it) — and a note said 95% where the
    decision was at 97.5%. The point now carries what it was judged on (``decision``, ``level``) and the note says
    that bound and level."""
    from zhixing.cmd_plan import bound_note

    fake_planner_runs(monkeypatch, lambda judges, r, court: _run(1, r, court, table=EDGE if judges == 1 else None))
    goal = parse_target("sale_days_km_p50<=30")
    seq = plan_staffing(small_court(1000), goal, replications=4, most=8, seed=3, backend="serial", low=1, high=2)
    one = seq["points"][0]
    assert one["staff"] == 1 and not one["met"] and one["replications"] == 8
    shown = one["kpi"]["sale_days_km_p50"]
    assert (shown["mean"], shown["low"], shown["high"]) == (26.5, 22.0, 28.0) and goal.targets[0].met(shown)
    assert one["level"] == confidence(2) and one["decision"]["sale_days_km_p50"]["high"] == 31.0
    said = bound_note(seq["points"], goal)
    assert said is not None  # before: None — the 95% bound 28 meets ≤ 30, so nothing said of the ✗
    assert "达标以97.50%置信区间的界判断" in said and "1 人时" in said and "但上限 31.0 未满足，故记为 ✗" in said
    assert "8 次重复的 97.50% 区间" in said and "表中列的是 95% 区间" in said
    assert "met is judged on the 97.50% interval's bound" in said and "upper bound 31.0 does not" in said
    # without sequential replications the note is the 95% one, as before
    plain = [{**one, "decision": None, "level": 0.95, "kpi": {"sale_days_km_p50": {**shown, "high": 31.0}}}]
    assert "达标以95%置信区间的界判断" in bound_note(plain, goal) and "97.50%" not in bound_note(plain, goal)


# every replication saturated: 10 of 60 lots sold by day 100, the rest still in disposal at day 365 — the pooled
# median undefined (survival 5/6 at the end), and so no interval
SATURATED = [(0.0, 100.0, 1.0)] * 10 + [(0.0, 365.0, 0.0)] * 50


def test_a_saturated_level_is_clearly_missed_at_its_first_look(monkeypatch):
    """Review R28 F8: a level whose pooled time to sale is undefined (fewer than half the lots sold within the run)
    read as straddling the target — neither bound defined — and doubled its replications up to the most (4, 8, 16)
    before ✗. The median lies beyond the longest time seen (365 days), past a 30-day target: clearly missed at the
    first look, and the note says why."""
    fake = fake_planner_runs(monkeypatch, lambda judges, r, court: _run(judges, r, court, SATURATED))
    goal = parse_target("sale_days_km_p50<=30")
    data = evaluate(small_court(1000), years=1, replications=4, seed=3, backend="serial", workers=1, progress=None,
                    goal=goal, most=16)
    assert data["replications"] == 4 and len(fake) == 4  # not run again (before: 4, 8, 16 — 16 runs)
    decided = data["decision"]["sale_days_km_p50"]
    assert math.isnan(decided["mean"]) and math.isnan(decided["low"]) and decided["beyond"] == 365.0
    assert not goal.met(data["decision"]) and goal.clearly_missed(data["decision"])
    text = note(4, 16, ["sale_days_km_p50"])
    assert "中位数无定义" in text and "undefined pooled median" in text


def test_a_target_beyond_the_longest_time_seen_is_not_decided_by_an_undefined_median():
    """The curve says nothing of a time past its last: a 400-day target with every lot followed for at most 365 days
    stays undecided (the planner runs more replications); ``>=`` targets are not read this way at all."""
    from sim.sequential import undefined_missed

    ci = {"mean": math.nan, "low": math.nan, "high": math.nan, "beyond": 365.0}
    assert undefined_missed(ci, "<=", 30) and undefined_missed(ci, "<", 365)
    assert not undefined_missed(ci, "<=", 400)
    assert not undefined_missed(ci, ">=", 30)
    assert not undefined_missed({**ci, "low": 20.0}, "<=", 30)  # a lower bound under the target: undecided
    assert not undefined_missed({**ci, "beyond": None}, "<=", 30)  # no lots table: as before


# half the lots all but sold: 29 of 60 by day 10, the rest still in disposal at day 365 — the pooled median undefined
# (survival 31/60), but its interval reaches day 10: the median may well be within a 30-day target
NEARLY_HALF = [(0.0, 10.0, 1.0)] * 29 + [(0.0, 365.0, 0.0)] * 31


def test_a_level_with_an_undefined_median_whose_interval_reaches_under_the_target_is_run_again(monkeypatch):
    """Review R30: the pooled median undefined by a whisker (48% sold by day 10) is no clear miss of ≤ 30 days — the
    interval's lower end (Brookmeyer–Crowley at the look's level, day 10) is under the target. ebc90d2 judged it on
    the point estimate alone (``pooled_km`` gives an undefined median no interval) and stopped at the first look."""
    fake = fake_planner_runs(monkeypatch, lambda judges, r, court: _run(judges, r, court, NEARLY_HALF))
    goal = parse_target("sale_days_km_p50<=30")
    evaluate(small_court(1000), years=1, replications=4, seed=3, backend="serial", workers=1, progress=None,
             goal=goal, most=16)
    assert len(fake) > 4  # run again (before: judged missed at the first look, 4 runs)
    first = decision_kpis(["sale_days_km_p50"], [_run(1, r, "测试法院", NEARLY_HALF) for r in range(4)], 3, 3)
    decided = first["sale_days_km_p50"]
    assert math.isnan(decided["mean"]) and decided["low"] == 10.0 and math.isnan(decided["high"])
    assert not goal.clearly_missed(first)
