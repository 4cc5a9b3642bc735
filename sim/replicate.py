"""Replications: R independent runs of each court (seeds from ``numpy.random.SeedSequence.spawn``), run serially,
in a process pool or on a Ray cluster — the same units, the same results — and each KPI as mean with its 95%
confidence interval.

A unit is one court × one replication (``sim.run.Unit``); a province or the whole country is many units."""

from __future__ import annotations

import math
import os
import re
import tempfile
import traceback
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core_flow.errors import UserError
from core_flow.masking import mask_text
from sim.backends import BACKENDS
from sim.kpi import DISPOSAL_KPIS, is_share, mean_ci, pooled_km
from sim.profile import CourtProfile, process_data
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
        process = process_data(profile)  # the court's own process options as data (None: the bundled process)
        if profile.start_state and profile.start_state not in checked:
            check_start_state(profile, reassign=reassign_handlers)
            checked.add(profile.start_state)
        for r, rep in enumerate(court_seq.spawn(replications)):
            units.append(Unit(data, years, int(rep.entropy), tuple(rep.spawn_key), court=name,
                              replication=r, count_events=count_events, check=check, extra=dict(extra),
                              process=process))
    return units


CRASH_EXIT = 3  # the exit status of `zhixing simulate` / `plan` when a unit crashed (a mistake of the user's: 2)


class UnitCrashed(UserError):
    """A unit (one court × one replication) failed with an exception that is no user's mistake — a bug. Said in one
    bilingual message naming the court, the replication and the seed (to reproduce with ``--workers 1``), the
    exception in one line and the file holding the full trace (``path``); the CLI exits with ``CRASH_EXIT``."""

    def __init__(self, unit: Unit, exception: str, path: Path, killed: bool = False) -> None:
        self.unit, self.exception, self.path = unit, exception, path
        court, r = unit.court or "—", unit.replication
        # a worker killed from outside (``killed``) is most often out of memory, not a bug: said so
        zh, en = (("工作进程被结束多为内存不足：减少 --workers 再试；仍如此请连同该文件报告",
                   "a worker ended from outside is most often out of memory: try fewer --workers; if it persists, "
                   "please report it with that file") if killed else
                  ("以同样的参数加 --workers 1 可复现。这是程序缺陷，请连同该文件报告",
                   "the same options with --workers 1 reproduce it. This is a bug: please report it with that file"))
        super().__init__(
            f"仿真单元崩溃：法院 {court}，第 {r + 1} 次重复（--seed {unit.entropy}，单元 {list(unit.spawn_key)}）："
            f"{exception}。完整堆栈已写入 {path}；{zh}",
            f"a simulation unit crashed: court {court}, replication {r + 1} (--seed {unit.entropy}, unit "
            f"{list(unit.spawn_key)}): {exception}. The full trace is in {path}; {en}", code="crash")


@dataclass(frozen=True)
class _Failed:
    """What a unit raised, as a worker sends it back: a ``UserError`` (a rule check failed, a start state refused)
    by its parts — it does not pickle (its ``__init__`` takes zh and en: unpickling it in the parent broke the pool
    with a stack trace) — or any other exception as one line and its formatted trace."""

    zh: str = ""
    en: str = ""
    where: str | None = None
    code: str = "invalid"
    user: bool = False
    exception: str = ""
    trace: str = ""


def _one_line(e: BaseException) -> str:
    """The exception in one line, ID and account numbers masked (an exception's text may hold a debtor's)."""
    text = mask_text(" ".join(str(e).split()))
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _guarded(unit: Unit, progress: Callable[[float], None] | None = None) -> dict[str, Any] | _Failed:
    """``run_unit`` in a worker: a failure returned as ``_Failed`` (the parent raises it: ``_raise``)."""
    try:
        return run_unit(unit, progress)
    except UserError as e:
        return _Failed(e.zh, e.en, e.where, e.code, user=True)
    except Exception as e:
        return _Failed(exception=_one_line(e), trace=traceback.format_exc())


def _raise(unit: Unit, failed: _Failed, crash_dir: Path | None, backend: str) -> None:
    if failed.user:
        raise UserError(failed.zh, failed.en, where=failed.where, code=failed.code)
    raise UnitCrashed(unit, failed.exception, write_trace(unit, failed.trace, crash_dir, backend))


def write_trace(unit: Unit, trace: str, crash_dir: Path | None, backend: str) -> Path:
    """The full trace of a crashed unit, with what reproduces it, in ``crash_dir`` (the run's ``--out``) or, without
    one or where it cannot be written, the system's temporary directory. ID and account numbers in the trace are
    masked, as in every other output of the run (the file is sent with a bug report)."""
    name = re.sub(r"[^\w.-]+", "_", unit.court or "court").strip("_") or "court"
    text = (f"zhixing: 仿真单元崩溃 / a simulation unit crashed\ncourt: {unit.court}\nreplication: "
            f"{unit.replication + 1} (index {unit.replication})\nseed (--seed): {unit.entropy}\nspawn key: "
            f"{list(unit.spawn_key)}\nyears: {unit.years}\nbackend: {backend}\n"
            "reproduce: the same command with --workers 1 (or --backend serial)\n\n" + mask_text(trace))
    if crash_dir is not None:
        try:
            crash_dir.mkdir(parents=True, exist_ok=True)
            path = crash_dir / f"crash-{name}-r{unit.replication + 1}.txt"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(prefix=f"zhixing-crash-{name}-r{unit.replication + 1}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(tmp)


def _ray_run(units: list[Unit], workers: int, done: Callable[[int], None],
             crash_dir: Path | None = None) -> list[dict[str, Any]]:
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
        remote = ray.remote(_guarded)
        refs = [remote.remote(u) for u in units]
        index = {ref: i for i, ref in enumerate(refs)}
        out: list[dict[str, Any] | None] = [None] * len(refs)
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                try:
                    got = ray.get(ref)
                except ray.exceptions.RayError as e:  # the worker died (out of memory, killed): nothing sent back
                    for other in pending:
                        ray.cancel(other, force=True)
                    unit = units[index[ref]]
                    said = _one_line(e)
                    raise UnitCrashed(unit, said if len(said) <= 300 else said[:299] + "…",
                                      write_trace(unit, traceback.format_exc(), crash_dir, "ray"),
                                      killed=True) from None
                if isinstance(got, _Failed):
                    for other in pending:  # the rest is moot: the run fails
                        ray.cancel(other, force=True)
                    _raise(units[index[ref]], got, crash_dir, "ray")
                out[index[ref]] = got
                done(sum(1 for o in out if o is not None))
        return out  # type: ignore[return-value]
    finally:
        if started:
            ray.shutdown()


def run_units(units: list[Unit], *, backend: str = "process", workers: int = 1,
              progress: Callable[[float], None] | None = None, crash_dir: Path | None = None) -> list[dict[str, Any]]:
    """Results in the order of ``units``, whichever backend ran them. A unit's ``UserError`` (a rule check failed)
    is raised as it is; any other exception (a bug) as ``UnitCrashed``, its full trace written to ``crash_dir`` (or
    a temporary file), the other units stopped."""
    check_backend(backend, workers)
    n = len(units)

    def done(k: int) -> None:
        if progress is not None:
            progress(k / n)

    done(0)  # the bar from the start, its clock running: a pool reports only as its units finish (nothing for the
    # first replication's half minute, then 50%; a planner's next level showed the last one's 100% meanwhile)
    if backend == "ray":
        return _ray_run(units, workers, done, crash_dir)
    if backend == "serial" or workers == 1:
        out = []
        for i, u in enumerate(units):
            try:
                out.append(run_unit(u, None if progress is None else (lambda f, i=i: progress((i + f) / n))))
            except UserError:
                raise
            except Exception as e:
                raise UnitCrashed(u, _one_line(e), write_trace(u, traceback.format_exc(), crash_dir, backend)) from e
        return out
    results: list[dict[str, Any] | None] = [None] * n
    pool = ProcessPoolExecutor(max_workers=min(workers, n))
    try:
        futures = {pool.submit(_guarded, u): i for i, u in enumerate(units)}
        pending, k = set(futures), 0
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                try:
                    got = fut.result()
                except BrokenProcessPool:  # a worker ended with no exception to send back (killed: out of memory)
                    _stop(pool)
                    unit = units[futures[fut]]
                    raise UnitCrashed(unit, KILLED, write_trace(unit, traceback.format_exc(), crash_dir, "process"),
                                      killed=True) from None
                if isinstance(got, _Failed):
                    _stop(pool)
                    _raise(units[futures[fut]], got, crash_dir, "process")
                results[futures[fut]] = got
                k += 1
                done(k)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results  # type: ignore[return-value]


KILLED = ("BrokenProcessPool: 工作进程被异常终止（如内存不足被系统结束；可能是同时运行的另一单元）/ a worker process "
          "was ended abruptly (e.g. killed when out of memory; it may have been another unit running at the time)")


def _stop(pool: ProcessPoolExecutor) -> None:
    """The pool's other units stopped at once when one crashed (they would run to their end, minutes, before the
    message): what is queued cancelled, the running workers ended."""
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):  # no public way before Python 3.14
        proc.terminate()


# KPIs that add up across courts (counts, money, requests, overtime); shares, utilisation, cycle times and cases
# per judge do not, and stay per court
ADDITIVE = ("agency_requests_per_day", "carried_over", "closed", "court_requests_per_day", "deducted_yuan",
            "duban_closed", "duban_raised", "fees_yuan", "filed", "limit_extended", "node_freezes", "open_at_end",
            "overdue_at_start", "overtime_hours.", "proceeds_yuan", "recovered_yuan", "resumptions", "returned_yuan",
            "staff_items", "sweeps", "unfreeze_approvals", "warnings", "zhongben_register_at_end",
            "lots_in_disposal_end", "deposits_forfeited_yuan", *DISPOSAL_KPIS)


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
    # n: the replications the figure comes from (a replication without one — no case closed, no cycle time — is not)
    return {"mean": m, "low": lo, "high": hi, "n": sum(1 for v in values if v is not None and v == v)}


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


def aggregate(results: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Per court: each KPI's mean and 95% CI over its replications; plus the first replication's detail. More than
    one court: the province too (``province``). The time to sale's Kaplan–Meier median (``sale_days_km_p50``) is not
    a mean over the replications but their lots pooled into one curve (``km_pooled``); ``seed`` (the run's) seeds
    its bootstrap."""
    by_court: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_court.setdefault(r["meta"]["court"], []).append(r)
    courts = {}
    for name, runs in by_court.items():
        keys = sorted({k for r in runs for k in r["kpi"]})
        kpi = {}
        for k in keys:
            kpi[k] = _interval(k, [r["kpi"].get(k, math.nan) for r in runs])
        if "sale_days_km_p50" in kpi:
            if (km := court_km(runs, seed, name)) is not None:  # the lots of every replication: one pooled curve
                kpi["sale_days_km_p50"] = km
            else:  # the replications whose median is undefined (under half disposed of): said
                kpi["sale_days_km_p50"]["undefined"] = sum(1 for r in runs
                                                           if (r.get("sale_km") or {}).get("undefined"))
        courts[name] = {"kpi": kpi, "replications": len(runs), "runs": runs, "by_year": by_year(runs)}
    out: dict[str, Any] = {"courts": courts, "calendar": calendar_used(results)}
    if len(by_court) > 1:
        out["province"] = province(by_court)
    return out


def court_km(runs: Sequence[dict[str, Any]], seed: int, court: str, level: float = 0.95, *,
             low_if_undefined: bool = False) -> dict[str, Any] | None:
    """A court's pooled time to sale (``km_pooled``) at ``level``, its bootstrap seeded from the run's ``seed`` and
    the court's name (each court of a province its own draws; the same whichever backend ran the units): what the
    tables show (95%, ``aggregate``) and what the staffing search judges a look on (``sim.sequential``). None where a
    replication has no lots table to pool (results written before the tables were). ``low_if_undefined``: as
    ``sim.kpi.pooled_km``'s (the staffing search's)."""
    if not runs or any((r.get("sale_km") or {}).get("table") is None for r in runs):
        return None
    return km_pooled(runs, [seed, zlib.crc32(court.encode("utf-8"))], level, low_if_undefined=low_if_undefined)


def km_pooled(runs: Sequence[dict[str, Any]], seed: Sequence[int], level: float = 0.95, *,
              low_if_undefined: bool = False) -> dict[str, Any]:
    """A court's time to sale (``sale_days_km_p50``) from its replications' lots pooled (``sim.kpi.pooled_km``):
    ``mean`` is the pooled curve's median (NaN: undefined, fewer than half the lots of all the replications disposed
    of), ``low``/``high`` its ``level`` interval (95% unless told; ``high`` NaN with ``high_open``: beyond the
    longest time seen), ``n`` the replications pooled; ``pooled`` says how (lots, method: a replication bootstrap
    or, with few replications, Brookmeyer–Crowley over the lots) and keeps each replication's own median (None:
    undefined); ``undefined`` is how many of those are undefined. The interval is the pooled median's, not a mean's:
    no ``_interval``."""
    est = pooled_km([r["sale_km"]["table"] for r in runs], seed, level, low_if_undefined=low_if_undefined)
    own = [r["sale_km"].get("median") for r in runs]
    nan = math.nan
    return {"mean": nan if est["median"] is None else est["median"],
            "low": nan if est["low"] is None else est["low"],
            "high": nan if est["high"] is None else est["high"], "n": len(runs),
            "high_open": est["median"] is not None and est["high"] is None,
            "undefined": sum(1 for r in runs if r["sale_km"].get("undefined")),
            "pooled": {k: est[k] for k in ("lots", "disposed", "method", "draws", "replications")}
            | {"per_replication": own}}


BY_YEAR = ("filed", "closed", "zhongben", "resumptions", "sweeps", "compliance", "open_at_end", "register_at_end")


def by_year(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A court's years of the run (``sim.kpi.Collector.by_year``), each figure's mean and 95% CI over its
    replications (every replication has the same years: the same origin and length)."""
    out = []
    for rows in zip(*(r.get("by_year", []) for r in runs), strict=False):
        first = rows[0]
        out.append({"year": first["year"], "from": first["from"], "to": first["to"], "days": first["days"],
                    **{k: _interval(k, [row[k] for row in rows]) for k in BY_YEAR}})
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
