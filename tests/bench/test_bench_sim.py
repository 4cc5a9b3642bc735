"""Year-scale simulation figures (`make bench`); printed, never asserted in CI.

* the default court-year (≈4,000 cases plus the 终本 tail that builds up during the year) in one process;
* SimPy events processed per second inside that run ÷ bare SimPy's timeout events per second. An event is one
  ``env.step()``: a timeout (engine timers, staff work, arrivals), a process start or resumption, a resource or
  store request / release — whatever SimPy takes off its queue;
* scaling of a 10-court province from 1 to 2 workers, process pool and Ray: efficiency = T₁ / (2 · T₂);
* memory per simulated court: the peak resident size of a process that ran one default court-year, less that of
  the same process before the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import simpy

from sim.profile import load_profile
from sim.replicate import make_units, run_units

ROOT = Path(__file__).resolve().parents[2]
COURT_YEAR = r"""
import json, resource, time
from sim.profile import load_profile
from sim.replicate import make_units
from sim.run import run_unit

def peak_kb():
    # This process's own peak (VmHWM, Linux). Not ru_maxrss: Linux carries the pre-exec peak of the forking
    # process into it, so a child of a large pytest process reported the parent's size as its base (growth 0 MB).
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

import sys
profile = load_profile()
if "--disposal" in sys.argv:  # the same court with real estate and vehicles disposed of (profile ``disposal: true``)
    profile = profile.model_copy(update={"disposal": True})
unit = make_units([("默认", profile)], years=1.0, replications=1, seed=2025, count_events=True)[0]
base = peak_kb()
t0, c0 = time.perf_counter(), time.process_time()
r = run_unit(unit)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = peak_kb()
print(json.dumps({"wall": wall, "cpu": cpu, "meta": r["meta"], "open": r["kpi"]["open_at_end"],
                  "register": r["kpi"]["zhongben_register_at_end"], "rss_base_kb": base, "rss_peak_kb": peak}))
"""


def bare_simpy_events_per_second(n: int = 400_000) -> float:
    env = simpy.Environment()

    def ticker():
        while True:
            yield env.timeout(1)

    for _ in range(100):
        env.process(ticker())
    steps = 0
    t0 = time.perf_counter()
    while steps < n:
        env.step()
        steps += 1
    return steps / (time.perf_counter() - t0)


def _court_year(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", COURT_YEAR, *args], cwd=ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_bench_default_court_year(benchmark):
    out: list[dict] = []

    def once():
        out.append(_court_year())

    benchmark.pedantic(once, rounds=1, iterations=1)
    r = out[-1]
    meta = r["meta"]
    sim_rate = meta["simpy_events"] / r["wall"]
    bare = bare_simpy_events_per_second()
    mem_mb = (r["rss_peak_kb"] - r["rss_base_kb"]) / 1024
    benchmark.extra_info.update({"wall_s": r["wall"], "cpu_s": r["cpu"], "simpy_events": meta["simpy_events"],
                                 "ratio": sim_rate / bare, "memory_mb": mem_mb})
    print(f"\n[bench] default court-year: {meta['cases_filed']:,} cases filed (+ {r['register']:,} in the 终本 "
          f"register, {r['open']:,} open at the end) in {r['wall']:.1f} s single process (target ≤ 10 s; "
          f"CPU {r['cpu']:.1f} s — wall above CPU is other load on the machine); "
          f"{meta['engine_events']:,} engine events, {meta['engine_commands']:,} engine commands")
    print(f"[bench] SimPy events inside the run: {meta['simpy_events']:,} → {sim_rate:,.0f}/s; bare SimPy timeouts "
          f"{bare:,.0f}/s; ratio {sim_rate / bare:.3f} (target ≥ 0.4)")
    print(f"[bench] memory per simulated court (peak RSS growth of one court-year): {mem_mb:,.0f} MB")


def test_bench_court_year_with_disposal(benchmark):
    """The default court-year with ``disposal: true`` (registries, seals, pricing, auctions as staff work): recorded,
    no target; its cost over the plain court-year is the disposal's."""
    out: list[dict] = []
    benchmark.pedantic(lambda: out.append(_court_year("--disposal")), rounds=1, iterations=1)
    r = out[-1]
    benchmark.extra_info.update({"wall_s": r["wall"], "cpu_s": r["cpu"]})
    print(f"\n[bench] default court-year with disposal (disposal: true): {r['meta']['cases_filed']:,} cases filed in "
          f"{r['wall']:.1f} s single process (CPU {r['cpu']:.1f} s); {r['meta']['engine_commands']:,} engine commands")


CPU: dict[int, float] = {}


def _province(workers: int, backend: str) -> float:
    profile = load_profile().with_intake(500).with_staff(承办法官=1, 书记员=1)
    units = make_units([(f"法院{i}", profile) for i in range(10)], years=1.0, replications=1, seed=11)
    c0 = os.times()
    t0 = time.perf_counter()
    run_units(units, backend=backend, workers=workers)
    c1 = os.times()
    # CPU seconds of this process and its pool workers: unchanged from 1 to 2 workers = no parallel overhead
    CPU[workers] = (c1.user + c1.system + c1.children_user + c1.children_system
                    - c0.user - c0.system - c0.children_user - c0.children_system)
    return time.perf_counter() - t0


@pytest.mark.parametrize("backend", ["process", "ray"])
def test_bench_province_scaling(benchmark, backend):
    """10 courts of 500 cases a year each, one replication: 1 worker vs 2 workers."""
    if backend == "ray":
        ray = pytest.importorskip("ray")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        times: dict[int, float] = {}

        def once():
            times[1] = _province(1, "serial") if backend == "process" else _ray_one_worker()
            times[2] = _province(2, backend)

        benchmark.pedantic(once, rounds=1, iterations=1)
        eff = times[1] / (2 * times[2])
        benchmark.extra_info.update({"t1_s": times[1], "t2_s": times[2], "efficiency": eff})
        # CPU efficiency CPU₁ / CPU₂: 1.0 = the pool adds no work (pickling, start-up); a wall efficiency below it is
        # the machine not giving the second worker a whole core (other load), not the simulator
        cpu = (f"; CPU s 1 worker {CPU[1]:.1f}, 2 workers {CPU[2]:.1f} → CPU efficiency {CPU[1] / CPU[2]:.2f}"
               if backend == "process" else "")
        print(f"\n[bench] 10-court province ({backend}): 1 worker {times[1]:.1f} s, 2 workers {times[2]:.1f} s → "
              f"efficiency {eff:.2f} (target ≥ 0.8){cpu}; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
    finally:
        if backend == "ray":
            ray.shutdown()


def _ray_one_worker() -> float:
    """The same 10 units on the running Ray cluster, one at a time (a single-worker baseline on Ray)."""
    import ray

    from sim.run import run_unit

    profile = load_profile().with_intake(500).with_staff(承办法官=1, 书记员=1)
    units = make_units([(f"法院{i}", profile) for i in range(10)], years=1.0, replications=1, seed=11)
    remote = ray.remote(run_unit)
    t0 = time.perf_counter()
    for u in units:
        ray.get(remote.remote(u))
    return time.perf_counter() - t0
