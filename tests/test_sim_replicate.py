"""Replications: seeds from SeedSequence.spawn, the same results serial, in a process pool and on Ray."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from core_flow.errors import UserError
from sim.replicate import aggregate, make_units, run_units, strip
from tests.sim_support import small_court

PROFILE = small_court(250, judges=1, clerks=1)


def _units(reps: int = 2, courts: int = 1):
    return make_units([(f"法院{i}", PROFILE.model_copy(update={"name": f"法院{i}"})) for i in range(courts)],
                      years=0.15, replications=reps, seed=99)


def test_serial_and_process_pool_give_identical_results():
    units = _units(reps=2)
    serial = run_units(units, backend="serial")
    pooled = run_units(units, backend="process", workers=2)
    assert strip(serial) == strip(pooled)
    assert serial[0]["cases"] == pooled[0]["cases"]
    # independent replications differ
    assert serial[0]["kpi"] != serial[1]["kpi"]


def test_a_province_is_its_courts_summed_replication_by_replication(tmp_path):
    """Several courts (`--courts`, a province): the counts, money, requests and overtime summed over the courts in
    each replication, then the mean and 95% CI over replications — a higher court's totals; compliance and the closing
    shares pooled (the province's own); utilisation and cycle times stay per court. One court: no province."""
    import json
    import math

    from sim.kpi import mean_ci
    from sim.report import write_outputs

    results = run_units(_units(reps=3, courts=2), backend="serial")
    agg = aggregate(results)
    total = agg["province"]
    assert (total["courts"], total["replications"]) == (2, 3)
    for k in ("filed", "closed", "recovered_yuan", "agency_requests_per_day", "open_at_end"):
        sums = [sum(r["kpi"][k] for r in results if r["meta"]["replication"] == rep) for rep in range(3)]
        m, lo, hi = mean_ci(sums)
        assert total["kpi"][k]["mean"] == pytest.approx(m) and total["kpi"][k]["high"] == pytest.approx(hi)
        assert total["kpi"][k]["low"] == pytest.approx(max(lo, 0.0))
        courts = sum(agg["courts"][c]["kpi"][k]["mean"] for c in ("法院0", "法院1"))
        assert math.isclose(total["kpi"][k]["mean"], courts, rel_tol=1e-9)
    assert not {"utilisation.承办法官", "cycle_p50_days", "cases_per_judge_year"} & set(total["kpi"])
    # compliance: the province's deadlines met ÷ its deadlines, replication by replication
    pooled = []
    for rep in range(3):
        nodes = [v for r in results if r["meta"]["replication"] == rep for v in r["per_node"].values()]
        pooled.append(1 - sum(v["late"] for v in nodes) / sum(v["deadlines"] for v in nodes))
    assert total["kpi"]["compliance"]["mean"] == pytest.approx(mean_ci(pooled)[0])
    paths = write_outputs(tmp_path, agg, PROFILE, {"years": 0.15, "replications": 3, "seed": 99})
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["province"]["kpi"]["filed"]["n"] == 3
    assert "全省合计 / province total" in paths["html"].read_text(encoding="utf-8")
    import csv

    rows = list(csv.DictReader(paths["agencies"].open(encoding="utf-8-sig")))
    whole = [row for row in rows if row["court"] == "全省合计 / province total"]
    assert whole
    for one in whole:
        parts = [row for row in rows if row["court"] != one["court"] and row["agency"] == one["agency"]
                 and row["replication"] == one["replication"]]
        assert 1 <= len(parts) <= 2 and int(one["total"]) == sum(int(row["total"]) for row in parts)
        for peak in ("peak_day", "peak_hour"):  # the province's own peak: at least each court's, at most their sum
            assert max(int(r[peak]) for r in parts) <= int(one[peak]) <= sum(int(r[peak]) for r in parts)
    # recomputed from the courts' hourly series: the busiest hour of the courts together
    for rep in range(3):
        runs = [r for r in results if r["meta"]["replication"] == rep]
        for agency, v in total["agencies"][rep].items():
            together = Counter()
            for r in runs:
                together.update(r["agency_hours"].get(agency, {}))
            assert v["peak_hour"] == max(together.values()) and v["total"] == sum(together.values())
    assert "全省机构请求量" in paths["html"].read_text(encoding="utf-8")
    totals = [v["total"]["mean"] for v in total["agency_kpi"].values()]
    assert len(totals) > 1 and totals == sorted(totals, reverse=True)  # the busiest first (report, CLI)
    assert "province" not in aggregate([r for r in results if r["meta"]["court"] == "法院0"])


def test_a_province_peak_is_the_busiest_hour_of_the_courts_together_not_the_sum_of_their_peaks():
    """Two courts whose busiest hours for one bank differ: the province's peak hour is the busiest hour of both
    together (11), not their peaks added (20); its peak day likewise; the hour of day is the peak's."""
    from sim.replicate import province_agencies

    day = 739_000 * 24  # a calendar day's first hour
    a = {"agencies": {"工行": {"per_day_mean": 1.5}}, "agency_hours": {"工行": {day + 9: 10, day + 15: 1}}}
    b = {"agencies": {"工行": {"per_day_mean": 1.0}}, "agency_hours": {"工行": {day + 15: 10, day + 24 + 9: 3}}}
    load = province_agencies([a, b])["工行"]
    assert (load["peak_hour"], load["peak_hour_of_day"], load["peak_day"], load["total"]) == (11, 15, 21, 24)
    assert load["per_day_mean"] == 2.5


def test_a_runs_hourly_agency_series_adds_up_to_its_agency_totals():
    r = run_units(_units(reps=1), backend="serial")[0]
    assert r["agency_hours"] and set(r["agency_hours"]) == set(r["agencies"])
    for agency, v in r["agencies"].items():
        series = r["agency_hours"][agency]
        assert sum(series.values()) == v["total"] and max(series.values()) == v["peak_hour"]
        days = Counter()
        for h, n in series.items():
            days[h // 24] += n
        assert max(days.values()) == v["peak_day"]


def test_aggregate_reports_mean_and_ci_per_court():
    results = run_units(_units(reps=3), backend="serial")
    agg = aggregate(results)
    kpi = agg["courts"]["法院0"]["kpi"]
    c = kpi["compliance"]
    assert c["n"] == 3 and c["low"] <= c["mean"] <= c["high"]
    values = [r["kpi"]["compliance"] for r in results]
    assert min(values) <= c["mean"] <= max(values)


def test_bad_arguments_are_user_errors():
    with pytest.raises(UserError, match="replications"):
        make_units([("c", PROFILE)], years=1, replications=0, seed=1)
    with pytest.raises(UserError, match="years"):
        make_units([("c", PROFILE)], years=0, replications=1, seed=1)
    with pytest.raises(UserError, match=r"warm-up \(400 days\) must be shorter than the run \(365 days\)") as info:
        make_units([("c", PROFILE.model_copy(update={"warmup_days": 400}))], years=1, replications=1, seed=1)
    assert info.value.where.startswith("--warmup-days")
    with pytest.raises(UserError) as info:
        run_units(_units(1), backend="spark")
    assert info.value.where == "--backend"


@pytest.mark.slow  # local Ray takes ~12–20 s to start on 2 shared cores; kept in `make test`
def test_ray_backend_gives_the_same_results_as_serial():
    """Local Ray (2 CPUs), started and shut down by the run; one unit = one court × one replication."""
    pytest.importorskip("ray")
    units = _units(reps=1, courts=2)
    serial = run_units(units, backend="serial")
    t0 = time.perf_counter()
    on_ray = run_units(units, backend="ray", workers=2)
    assert strip(on_ray) == strip(serial)
    assert [r["meta"]["court"] for r in on_ray] == ["法院0", "法院1"]
    assert time.perf_counter() - t0 < 120
    import ray

    assert not ray.is_initialized()


def test_a_replication_without_requests_to_an_agency_counts_zero():
    """A quiet agency asked in one replication of two: its mean was taken over that one (6 requests, "n = 1"), twice
    the true mean of 3 over both."""
    from sim.replicate import _agency_intervals

    load = {"total": 6, "per_day_mean": 0.1, "peak_day": 4, "peak_hour": 2, "peak_hour_of_day": 10}
    got = _agency_intervals([{"广州银行": load}, {}])["广州银行"]
    assert got["total"]["mean"] == 3.0 and got["total"]["n"] == 2 and got["peak_hour"]["mean"] == 1.0
    assert got["peak_hour_of_day"] == 10


def test_an_intervals_n_counts_the_replications_the_figure_comes_from():
    """A replication without the figure (no case closed that way: no cycle time) is left out of the mean and the
    interval; kpis.json's n counted it all the same (3 where the figure came from 2)."""
    from sim.replicate import _interval

    got = _interval("cycle_p50_days", [10.0, float("nan"), 14.0])
    assert got["n"] == 2 and got["mean"] == 12.0 and got["low"] < 12.0 < got["high"]
    assert _interval("cycle_p50_days", [float("nan")])["n"] == 0
