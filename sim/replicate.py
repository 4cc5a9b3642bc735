"""Replications: R independent runs of each court (seeds from ``numpy.random.SeedSequence.spawn``), run serially,
in a process pool or on a Ray cluster — the same units, the same results — and each KPI as mean with its 95%
confidence interval.

A unit is one court × one replication (``sim.run.Unit``); a province or the whole country is many units."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from core_flow.errors import UserError
from sim.backends import BACKENDS
from sim.kpi import is_share, mean_ci
from sim.profile import CourtProfile
from sim.run import Unit, run_unit
from sim.start_state import load_start_state


def check_backend(backend: str, workers: int) -> None:
    """The backend and worker count, checked before anything runs (``run_units`` checks them again)."""
    if backend not in BACKENDS:
        raise UserError(f"未知后端 {backend!r}，可选：{', '.join(BACKENDS)}",
                        f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}", where="--backend")
    if workers < 1:
        raise UserError("工作进程数须至少为 1", "workers must be at least 1", where="--workers")


def check_start_state(profile: CourtProfile, *, reassign: bool = False) -> None:
    """The profile's start state CSV read and checked as the run will read it — before any run starts, so a mistake
    in it is reported at once, not by the first worker."""
    if profile.start_state:
        load_start_state(profile.start_state, profile.origin, profile.people("承办法官"), reassign=reassign,
                         order=profile.start_state_date_order)


def make_units(courts: Sequence[tuple[str, CourtProfile]], *, years: float, replications: int, seed: int,
               count_events: bool = False, check: bool = True, events_dir: str | None = None,
               reassign_handlers: bool = False) -> list[Unit]:
    """Court i, replication r gets child r of child i of ``SeedSequence(seed)``: the same seeds whatever runs them.
    With common random numbers (the staffing search) pass the same ``seed`` at every staffing level.
    ``reassign_handlers``: start-state cases of judges the profile lacks are shared among its judges (the staffing
    search below today's headcount; ``sim.start_state``) instead of being an error."""
    if replications < 1:
        raise UserError("重复次数须至少为 1", "replications must be at least 1", where="--replications")
    if not 0 < years <= 30:
        raise UserError("模拟年数须在 0 至 30 之间", "years must be in (0, 30]", where="--years")
    if seed < 0:
        raise UserError(f"随机种子须为非负整数，收到 {seed}", f"the seed must be a non-negative integer, got {seed}",
                        where="--seed")
    root = np.random.SeedSequence(seed)
    units = []
    checked: set[str] = set()
    extra: dict[str, Any] = {"events_dir": events_dir} if events_dir else {}
    if reassign_handlers:
        extra["reassign_handlers"] = True
    for (name, profile), court_seq in zip(courts, root.spawn(len(courts)), strict=True):
        if profile.warmup_days >= years * 365:
            days = years * 365
            raise UserError(f"预热期（{profile.warmup_days:g} 天）须短于模拟期（{days:g} 天）",
                            f"the warm-up ({profile.warmup_days:g} days) must be shorter than the run ({days:g} days)",
                            where="--warmup-days（或配置 warmup_days / or the profile's warmup_days）")
        data = profile.as_dict()
        if profile.start_state and profile.start_state not in checked:
            check_start_state(profile, reassign=reassign_handlers)
            checked.add(profile.start_state)
        for r, rep in enumerate(court_seq.spawn(replications)):
            units.append(Unit(data, years, int(rep.entropy), tuple(rep.spawn_key), court=name,
                              replication=r, count_events=count_events, check=check, extra=dict(extra)))
    return units


def _ray_run(units: list[Unit], workers: int, done: Callable[[int], None]) -> list[dict[str, Any]]:
    try:
        import ray
    except ImportError:  # pragma: no cover - ray is a declared dependency
        raise UserError("未安装 ray", "ray is not installed (pip install ray)", where="--backend") from None
    started = not ray.is_initialized()
    if started:
        root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        env = {"env_vars": {"PYTHONPATH": path}}  # workers import this very tree (under pytest: sys.path only)
        if os.environ.get("RAY_ADDRESS"):  # an existing cluster (its nodes must have zhixing installed)
            ray.init(address=os.environ["RAY_ADDRESS"], log_to_driver=False, configure_logging=False)
        else:  # a local cluster of ``workers`` CPUs
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False,
                     runtime_env=env)
    try:
        remote = ray.remote(run_unit)
        refs = [remote.remote(u) for u in units]
        index = {ref: i for i, ref in enumerate(refs)}
        out: list[dict[str, Any] | None] = [None] * len(refs)
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                out[index[ref]] = ray.get(ref)
                done(sum(1 for o in out if o is not None))
        return out  # type: ignore[return-value]
    finally:
        if started:
            ray.shutdown()


def run_units(units: list[Unit], *, backend: str = "process", workers: int = 1,
              progress: Callable[[float], None] | None = None) -> list[dict[str, Any]]:
    """Results in the order of ``units``, whichever backend ran them."""
    check_backend(backend, workers)
    n = len(units)

    def done(k: int) -> None:
        if progress is not None:
            progress(k / n)

    done(0)  # the bar from the start, its clock running: a pool reports only as its units finish (nothing for the
    # first replication's half minute, then 50%; a planner's next level showed the last one's 100% meanwhile)
    if backend == "ray":
        return _ray_run(units, workers, done)
    if backend == "serial" or workers == 1:
        out = []
        for i, u in enumerate(units):
            out.append(run_unit(u, None if progress is None else (lambda f, i=i: progress((i + f) / n))))
        return out
    results: list[dict[str, Any] | None] = [None] * n
    with ProcessPoolExecutor(max_workers=min(workers, n)) as pool:
        futures = {pool.submit(run_unit, u): i for i, u in enumerate(units)}
        for k, fut in enumerate(as_completed(futures), 1):
            results[futures[fut]] = fut.result()
            done(k)
    return results  # type: ignore[return-value]


# KPIs that add up across courts (counts, money, requests, overtime); shares, utilisation, cycle times and cases
# per judge do not, and stay per court
ADDITIVE = ("agency_requests_per_day", "carried_over", "closed", "court_requests_per_day", "deducted_yuan",
            "duban_closed", "duban_raised", "filed", "limit_extended", "node_freezes", "open_at_end",
            "overdue_at_start", "overtime_hours.", "proceeds_yuan", "recovered_yuan", "resumptions", "returned_yuan",
            "staff_items", "sweeps", "unfreeze_approvals", "warnings", "zhongben_register_at_end")


# shares that pool across courts (a province's compliance: all its courts' deadlines met ÷ all their deadlines);
# utilisation, cycle times and cases per judge stay per court
POOLED = ("compliance", "within_limit_share", "within_statutory_share", "zhongben_rate")


def pooled(k: str, runs: Sequence[dict[str, Any]]) -> float:
    """Share ``k`` of several courts' runs (one replication) taken together; NaN where none has a denominator.
    Compliance from the runs' deadlines per node (met and late); the closing shares weighted by cases closed."""
    if k == "compliance":
        deadlines = sum(v["deadlines"] for run in runs for v in run["per_node"].values())
        late = sum(v["late"] for run in runs for v in run["per_node"].values())
        return (deadlines - late) / deadlines if deadlines else math.nan
    pairs = [(run["kpi"].get(k), run["kpi"].get("closed", 0) or 0) for run in runs]
    closed = sum(n for share, n in pairs if share is not None and share == share and n)
    return sum(share * n for share, n in pairs if share is not None and share == share and n) / closed \
        if closed else math.nan


def _interval(k: str, values: list[float]) -> dict[str, float]:
    m, lo, hi = mean_ci(values)
    if lo == lo:  # an interval (none for one replication)
        lo = max(lo, 0.0)  # every KPI is a count, a share, a time or an amount: the interval stays in range
        if is_share(k):
            hi = min(hi, 1.0)
    return {"mean": m, "low": lo, "high": hi, "n": len(values)}


def province(by_court: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The courts summed, replication by replication (replication r of each court is the province's replication r:
    independent seeds), for the KPIs that add up (``ADDITIVE``); each sum's mean and 95% CI over replications. Each
    agency's load (``agencies`` per replication, ``agency_kpi`` over them) from the courts' requests hour by hour."""
    runs_of: dict[int, list[dict[str, Any]]] = {}
    for runs in by_court.values():
        for r in runs:
            runs_of.setdefault(r["meta"]["replication"], []).append(r)
    whole = {rep: runs for rep, runs in sorted(runs_of.items()) if len(runs) == len(by_court)}
    keys = sorted({k for runs in whole.values() for one in runs for k in one["kpi"] if k.startswith(ADDITIVE)})
    kpi = {k: _interval(k, [sum(one["kpi"].get(k, 0) or 0 for one in runs) for runs in whole.values()])
           for k in keys}
    for k in POOLED:  # a share of the province: its courts' numerators over their denominators, not a mean of shares
        values = [v for v in (pooled(k, runs) for runs in whole.values()) if v == v]
        if values:
            kpi[k] = _interval(k, values)
    agencies = {rep: province_agencies(runs) for rep, runs in whole.items()}
    return {"kpi": kpi, "replications": len(whole), "courts": len(by_court), "agencies": agencies,
            "agency_kpi": _agency_intervals(list(agencies.values()))}


def province_agencies(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """One replication's load on each agency from all the courts together: the courts' requests added hour by hour
    on the calendar (``agency_hours``), so the peak day and peak hour are the province's — what a bank's
    province-wide 查控 desk must handle — not the sum of each court's own peaks."""
    hours: dict[str, dict[int, int]] = {}
    per_day_mean: dict[str, float] = {}
    for run in runs:
        for agency, v in run["agencies"].items():
            per_day_mean[agency] = per_day_mean.get(agency, 0.0) + v["per_day_mean"]
        for agency, series in run.get("agency_hours", {}).items():
            acc = hours.setdefault(agency, {})
            for h, n in series.items():
                acc[h] = acc.get(h, 0) + n
    out = {}
    for agency in sorted(per_day_mean):
        series = hours.get(agency, {})
        days: dict[int, int] = {}
        for h, n in series.items():
            days[h // 24] = days.get(h // 24, 0) + n
        peak_at = max(series, key=lambda h: (series[h], -h)) if series else 0  # the earliest of equal peaks
        out[agency] = {"total": sum(series.values()), "per_day_mean": per_day_mean[agency],
                       "peak_day": max(days.values(), default=0), "peak_hour": series.get(peak_at, 0),
                       "peak_hour_of_day": peak_at % 24}
    return out


def _agency_intervals(reps: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, Any]]:
    """Each agency's province load over the replications: total, per day, peak day and peak hour as mean and 95% CI;
    the hour of day the peak hour fell in most often. The busiest agency first."""
    out: dict[str, dict[str, Any]] = {}
    for agency in sorted({a for rep in reps for a in rep}):
        vals = [rep[agency] for rep in reps if agency in rep]
        # a replication in which no court asked the agency anything counts as 0 requests (not left out: the mean of
        # a quiet agency asked in one replication of two was twice its true mean, its "interval" n = 1)
        out[agency] = {k: _interval(k, [float(rep[agency][k]) if agency in rep else 0.0 for rep in reps])
                       for k in ("total", "per_day_mean", "peak_day", "peak_hour")}
        hours_of_day = [int(v["peak_hour_of_day"]) for v in vals]
        out[agency]["peak_hour_of_day"] = max(sorted(set(hours_of_day)), key=hours_of_day.count)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["total"]["mean"]))  # the busiest first


def aggregate(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per court: each KPI's mean and 95% CI over its replications; plus the first replication's detail. More than
    one court: the province too (``province``)."""
    by_court: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_court.setdefault(r["meta"]["court"], []).append(r)
    courts = {}
    for name, runs in by_court.items():
        keys = sorted({k for r in runs for k in r["kpi"]})
        kpi = {}
        for k in keys:
            kpi[k] = _interval(k, [r["kpi"].get(k, math.nan) for r in runs])
        courts[name] = {"kpi": kpi, "replications": len(runs), "runs": runs}
    out: dict[str, Any] = {"courts": courts, "calendar": calendar_used(results)}
    if len(by_court) > 1:
        out["province"] = province(by_court)
    return out


def calendar_used(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The provisional holiday years any run relied on (its deadlines or its staff's working days), and how many
    deadlines depended on them in a replication (mean over the runs): shown wherever the results are. Also merges
    the planner's levels (each carries its own ``calendar``)."""
    cal = [r.get("calendar", {}) for r in results]
    years = sorted({y for c in cal for y in c.get("provisional_years", ())})
    counts = [c.get("provisional_deadlines", 0) for c in cal]
    return {"provisional_years": years, "provisional_deadlines": sum(counts) / len(counts) if counts else 0.0}


def strip(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results without their per-case rows (what the identity serial == parallel compares, minus timing)."""
    out = []
    for r in results:
        r = {k: v for k, v in r.items() if k != "cases"}
        r["meta"] = {k: v for k, v in r["meta"].items() if k != "wall_s"}
        out.append(r)
    return out
