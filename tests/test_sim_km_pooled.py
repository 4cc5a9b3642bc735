"""H64: the time to sale's Kaplan–Meier median over a court's replications pooled (``sim.kpi.pooled_km``,
``sim.replicate.km_pooled``) — one curve of every replication's lots, not a mean of each one's median (with ``-r 2``
the mean's t-interval was 189 d [101, 276] and an undefined replication left it resting on the other) — with its 95%
interval: a bootstrap over whole replications from ``BOOTSTRAP_MIN`` of them, Brookmeyer–Crowley over the lots
below."""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest

from sim.kpi import BOOTSTRAP_MIN, km_curve, km_median, km_median_ci, pooled_km, resampled_medians
from sim.replicate import aggregate


def _naive_curve(lots: list[tuple[float, float, bool]]) -> list[tuple[float, float]]:
    """The product-limit survival by its definition, loop by loop: at each distinct event time t, the lots at risk
    (entered before t, not out before t) and those disposed of at t."""
    out, s = [], 1.0
    for t in sorted({x for _a, x, ev in lots if ev}):
        n = sum(1 for a, x, _ev in lots if a < t <= x)
        d = sum(1 for _a, x, ev in lots if ev and x == t)
        s *= 1 - d / n
        out.append((t, s))
    return out


def _naive_median(curve: list[tuple[float, float]]) -> float | None:
    for j, (t, s) in enumerate(curve):
        if s <= 0.5 + 1e-9:
            if abs(s - 0.5) <= 1e-9 and j + 1 < len(curve):
                return (t + curve[j + 1][0]) / 2
            return t
    return None


def _tables(rng: random.Random, reps: int, n: int, late: bool = True) -> list[list[tuple[float, float, float]]]:
    """Replications of lots with whole-day times (ties), censoring and, with ``late``, late entries."""
    out = []
    for _ in range(reps):
        rows = []
        for _ in range(n):
            entry = float(rng.randrange(0, 10)) if late and rng.random() < 0.3 else 0.0
            exit_ = entry + float(rng.randrange(1, 60))
            rows.append((entry, exit_, 1.0 if rng.random() < 0.7 else 0.0))
        out.append(rows)
    return out


def test_the_pooled_curve_is_the_product_limit_of_every_replications_lots():
    """The pooled median is the product-limit median of all the replications' lots together — checked against the
    estimator written out loop by loop (late entries, censoring, ties), on random replications."""
    rng = random.Random(64)
    for reps, n in [(1, 5), (2, 30), (3, 17), (5, 40), (2, 3)] * 4:
        tables = _tables(rng, reps, n)
        lots = [(a, x, ev > 0) for t in tables for a, x, ev in t]
        want = _naive_curve(lots)
        times, _deaths, _at_risk, survival = km_curve([x for _a, x, _e in lots], [e for _a, _x, e in lots],
                                                      [a for a, _x, _e in lots])
        assert list(times) == [t for t, _s in want]
        assert list(survival) == pytest.approx([s for _t, s in want])
        got = pooled_km(tables)
        assert got["median"] == (None if _naive_median(want) is None else pytest.approx(_naive_median(want)))
        assert got["lots"] == len(lots) and got["disposed"] == sum(1 for *_x, e in lots if e)
        assert got["method"] == "brookmeyer_crowley" and got["replications"] == reps


def test_the_resamples_medians_are_those_of_the_lots_concatenated():
    """The bootstrap's medians, computed at once from each replication's counts (``resampled_medians``), are exactly
    ``km_median`` of the drawn replications' lots concatenated — ties, late entries, censoring, an exact 0.5 (the
    midpoint), an undefined median (+inf) included."""
    rng = random.Random(5)
    gen = np.random.default_rng(5)
    for reps, n in [(3, 4), (5, 9), (10, 30), (4, 2)] * 5:
        tables = [np.asarray(t, dtype=float) for t in _tables(rng, reps, n)]
        picks = gen.integers(0, reps, (60, reps))
        got = resampled_medians(tables, picks, chunk=7)
        for row, m in zip(picks, got, strict=True):
            lots = np.concatenate([tables[i] for i in row])
            want = km_median(lots[:, 1], lots[:, 2] > 0, lots[:, 0])
            assert m == (math.inf if want is None else want), (row, m, want)
    exact = [np.array([[0.0, 10.0, 1.0], [0.0, 30.0, 1.0]]), np.array([[0.0, 20.0, 0.0]])]
    # twice the first: S(10) = 0.5 exactly, the midpoint to 30; the second twice: no sale; both: 2/3 at 10, 0 at 30
    assert list(resampled_medians(exact, np.array([[0, 0], [1, 1], [0, 1]]))) == [20.0, math.inf, 30.0]


def test_the_brookmeyer_crowley_interval_is_scipys_log_log_one_inverted():
    """Without late entries the lot-level interval is where scipy's pointwise log-log (Greenwood) interval of the
    survival first reaches 0.5: its lower bound for the median's low, its upper bound for the median's high."""
    from scipy.stats import CensoredData, ecdf

    rng = random.Random(11)
    checked = 0
    for n in list(range(8, 60, 3)) * 3:
        xs = [float(rng.randrange(1, 50)) for _ in range(n)]
        seen = [rng.random() < 0.75 for _ in range(n)]
        if not any(seen):
            continue
        sf = ecdf(CensoredData(uncensored=[x for x, s in zip(xs, seen, strict=True) if s],
                               right=[x for x, s in zip(xs, seen, strict=True) if not s])).sf
        with warnings.catch_warnings():  # scipy warns where its bound is undefined (survival 0)
            warnings.simplefilter("ignore", RuntimeWarning)
            ci = sf.confidence_interval(0.95, method="log-log")
        events = sorted({x for x, s in zip(xs, seen, strict=True) if s})
        lo_s = [float(ci.low.evaluate(t)) for t in events]
        hi_s = [float(ci.high.evaluate(t)) for t in events]
        surv = [float(sf.evaluate(t)) for t in events]

        def first(bounds: list[float], surv: list[float] = surv, events: list[float] = events) -> float | None:
            # scipy leaves the bound undefined (NaN) where the survival is 0: the bound is 0 there
            return next((t for t, b, s in zip(events, bounds, surv, strict=True)
                         if (b if b == b else (0.0 if s == 0 else 1.0)) <= 0.5 + 1e-9), None)

        low, high = km_median_ci(xs, seen)
        assert low == first(lo_s) and high == first(hi_s), (xs, seen)
        if km_median(xs, seen) is not None:
            checked += 1
            assert low is not None and low <= km_median(xs, seen)
            assert high is None or high >= km_median(xs, seen)
    assert checked > 30


def _exponential_replications(seed: int, reps: int, n: int, spread: float = 0.0) -> list[np.ndarray]:
    """Lots whose time to sale is exponential with mean 100 days (median 100·ln 2), censored at a uniform end in
    [0, 300] days, a third entering late (seen from a uniform age in [0, 30], those already out unseen);
    ``spread``: each replication's times scaled by exp(N(0, spread)) — a replication's staff faster or slower, so its
    lots move together."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(reps):
        scale = 100.0 * math.exp(rng.normal(0, spread)) if spread else 100.0
        t = rng.exponential(scale, n)
        c = rng.uniform(0, 300, n)
        a = np.where(rng.random(n) < 1 / 3, rng.uniform(0, 30, n), 0.0)
        x = np.minimum(t, c)
        keep = x > a
        out.append(np.column_stack([a, x, (t <= c).astype(float)])[keep])
    return out


def test_the_bootstrap_interval_covers_the_true_median():
    """Twenty replications of 300 lots from a known distribution (exponential, mean 100 d: median 69.3 d), censored
    and entering late: the bootstrap over replications is used (20 ≥ ``BOOTSTRAP_MIN``), its interval holds the true
    median, the point estimate is within the interval's width of it, and — the lots being independent here — its
    width is the lot-level Brookmeyer–Crowley interval's within a factor of 1.6 either way."""
    true = 100 * math.log(2)
    tables = _exponential_replications(2025, 20, 300)
    got = pooled_km(tables, seed=[7, 1])
    assert got["method"] == "bootstrap" and got["draws"] > 0 and got["replications"] == 20
    low, high = got["low"], got["high"]
    assert low <= true <= high, got
    assert abs(got["median"] - true) <= high - low
    lots = np.concatenate(tables)
    bc_low, bc_high = km_median_ci(lots[:, 1], lots[:, 2] > 0, lots[:, 0])
    assert bc_low <= true <= bc_high
    assert 1 / 1.6 <= (high - low) / (bc_high - bc_low) <= 1.6
    assert pooled_km(tables, seed=[7, 1]) == got  # the same seed, the same interval


def test_the_bootstrap_over_replications_widens_when_their_lots_move_together():
    """Why whole replications are resampled: where a replication's lots share its pace (a slower staff: all its
    times longer), the lots are not independent and the lot-level interval is too narrow; the bootstrap over the
    replications sees the spread between them."""
    tables = _exponential_replications(11, 20, 300, spread=0.3)
    got = pooled_km(tables, seed=[11, 0])
    lots = np.concatenate(tables)
    bc_low, bc_high = km_median_ci(lots[:, 1], lots[:, 2] > 0, lots[:, 0])
    assert (got["high"] - got["low"]) > 2 * (bc_high - bc_low)


def _runs(tables: list, court: str = "甲院") -> list[dict]:
    return [{"meta": {"court": court, "replication": i},
             "kpi": {"sale_days_km_p50": km_median(t[:, 1], t[:, 2] > 0, t[:, 0]) or math.nan},
             "sale_km": {"table": [tuple(row) for row in t], "median": km_median(t[:, 1], t[:, 2] > 0, t[:, 0]),
                         "undefined": km_median(t[:, 1], t[:, 2] > 0, t[:, 0]) is None}} for i, t in enumerate(tables)]


def test_aggregate_shows_the_pooled_median_few_replications_by_lot():
    """``aggregate``: the court's ``sale_days_km_p50`` is the pooled median (not the mean of the replications'),
    ``n`` the replications, each one's own median kept; with two the interval is Brookmeyer–Crowley's (said in the
    cell and the note, zh and en), with ``BOOTSTRAP_MIN`` the bootstrap's, seeded from the run's seed."""
    from sim.report import _ci, km_pooled_cells, km_pooled_note

    two = _exponential_replications(3, 2, 200)
    v = aggregate(_runs(two), seed=5)["courts"]["甲院"]["kpi"]["sale_days_km_p50"]
    lots = np.concatenate(two)
    assert v["mean"] == km_median(lots[:, 1], lots[:, 2] > 0, lots[:, 0]) and v["n"] == 2
    own = [km_median(t[:, 1], t[:, 2] > 0, t[:, 0]) for t in two]
    assert v["pooled"]["per_replication"] == own and v["mean"] != pytest.approx(sum(own) / 2)
    assert (v["low"], v["high"]) == km_median_ci(lots[:, 1], lots[:, 2] > 0, lots[:, 0])
    mean, cell = km_pooled_cells(v)
    assert cell.startswith("[") and cell.endswith("（合并 / pooled）")
    note = km_pooled_note(v)
    assert "合为一条曲线" in note and "pooled into one curve" in note and f"-r {BOOTSTRAP_MIN}" in note
    assert "Brookmeyer–Crowley" in note and "以单件财产为独立单位" in note and "the lots taken as independent" in note
    assert "合并 / pooled" in _ci(v, "sale_days_km_p50")
    many = _exponential_replications(4, BOOTSTRAP_MIN, 100)
    a = aggregate(_runs(many), seed=5)["courts"]["甲院"]["kpi"]["sale_days_km_p50"]
    assert a["pooled"]["method"] == "bootstrap" and "合并 / pooled" in km_pooled_cells(a)[1]
    assert "整次重复有放回重抽" in km_pooled_note(a) and "whole replications" in km_pooled_note(a)
    assert aggregate(_runs(many), seed=5)["courts"]["甲院"]["kpi"]["sale_days_km_p50"] == a
    assert aggregate(_runs(many), seed=6)["courts"]["甲院"]["kpi"]["sale_days_km_p50"] != a  # another stream


def test_an_undefined_pooled_median_and_an_open_upper_bound_are_said_so():
    """Fewer than half of all the lots disposed of: no median (undefined, zh and en); a median whose interval's upper
    end is past the longest time seen: the bound said as such, not a number."""
    from zhixing.cmd_simulate import fmt_ci

    few = [np.array([[0.0, 10.0, 1.0], [0.0, 50.0, 0.0], [0.0, 50.0, 0.0]]),
           np.array([[0.0, 12.0, 0.0], [0.0, 50.0, 0.0]])]
    v = aggregate(_runs(few))["courts"]["甲院"]["kpi"]["sale_days_km_p50"]
    assert v["mean"] != v["mean"]
    mean, cell = fmt_ci(v, "sale_days_km_p50")
    assert mean == "未定义 / undefined" and "中位数未定义" in cell and "no median" in cell
    barely = [np.array([[0.0, 10.0, 1.0], [0.0, 20.0, 1.0], [0.0, 50.0, 0.0]]),
              np.array([[0.0, 15.0, 1.0], [0.0, 50.0, 0.0]])]
    v = aggregate(_runs(barely))["courts"]["甲院"]["kpi"]["sale_days_km_p50"]
    assert v["mean"] == 20 and v["high_open"] and v["high"] != v["high"]
    assert "长于所见 / beyond the run" in fmt_ci(v, "sale_days_km_p50")[1]


def test_serial_and_parallel_pool_the_same_lots(tmp_path):
    """The lots travel back with each unit's results (``sale_km``'s ``table``): the pooled median and its interval
    are the same run serially or in a process pool — the bootstrap's too (the replications' tables repeated up to
    ``BOOTSTRAP_MIN`` to reach it without ten runs)."""
    from sim.profile import load_profile
    from sim.replicate import make_units, run_units

    path = tmp_path / "p.yaml"
    path.write_text("name: 测试法院\nintake: {yearly: 400}\nstaff: {承办法官: {count: 3}, 书记员: {count: 3}}\n"
                    "disposal: true\nwarmup_days: 20\n", encoding="utf-8")
    profile = load_profile(str(path))
    units = make_units([(profile.name, profile)], years=0.4, replications=2, seed=9, check=False)
    serial = run_units(units, backend="serial")
    pool = run_units(units, backend="process", workers=2)
    assert [r["sale_km"]["table"] for r in serial] == [r["sale_km"]["table"] for r in pool]
    assert all(r["sale_km"]["table"] for r in serial)
    key = "sale_days_km_p50"
    assert aggregate(serial, seed=9)["courts"][profile.name]["kpi"][key] == \
        aggregate(pool, seed=9)["courts"][profile.name]["kpi"][key]

    def repeated(results: list[dict]) -> list[dict]:
        return [{**results[i % 2], "meta": {**results[i % 2]["meta"], "replication": i}}
                for i in range(BOOTSTRAP_MIN)]

    a = aggregate(repeated(serial), seed=9)["courts"][profile.name]["kpi"][key]
    assert a["pooled"]["method"] == "bootstrap"
    assert a == aggregate(repeated(pool), seed=9)["courts"][profile.name]["kpi"][key]
