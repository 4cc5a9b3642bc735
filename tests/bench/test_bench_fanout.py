"""`make bench`: 集约查询 fan-out in cases per second — in-process (simulated transport, virtual time) and over
HTTP on loopback (live mock agencies, `fast` profile).

Cases are filed and assigned first; the timed part is the fan-out itself: from the identity verification that
triggers the 集约查询 until every agency of the scope has answered and the engine has recorded it (a case counts
when no agency of its debtor is outstanding). The court sends one query per debtor to the 总对总 system, which
fans it out (``inquiry_via="hub"``); the baseline measured in the same run sends one query per agency
(``"direct"``). Targets (issue 4): ≥ 5,000 cases/s in-process, ≥ 100 cases/s over HTTP. Figures are printed;
no timing asserts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from datetime import datetime
from typing import Any

from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.runtime import simulation_gc
from sim.assembly import build_virtual_court
from sim.live import live_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _file(platform, world, n: int, prefix: str) -> list[tuple[str, str]]:
    cases = []
    for i in range(n):
        d = world.debtor(i)
        k = f"{prefix}{i}"
        platform.file(c.FileCase(k, debtors=(d.id_number,), amount_cents=10_000_00), [d.subject()])
        platform.submit(c.Assign(k, "张法官"))
        cases.append((k, d.id_number))
    return cases


def _trigger(platform, cases: list[tuple[str, str]]) -> None:
    for k, debtor in cases:
        platform.submit(c.VerifyIdentity(k, debtor, True))


def _complete(runtime) -> int:
    return sum(1 for st in runtime.cases.values()
               if st.inquiries and not any(st.outstanding(d) for d in st.identity))


def _in_process(cases: int, via: str, barrier: Any = None, seed: int = 1) -> tuple[int, float, int]:
    court = build_virtual_court(ORIGIN, seed=seed, profile="fast", clerk=False, world_size=cases, keep_events=False)
    court.platform.inquiry_via = via
    filed = _file(court.platform, court.session.world, cases, "B")
    if barrier is not None:
        barrier.wait()  # every worker's court is ready: the fan-outs start together
    t0 = time.perf_counter()
    with simulation_gc():  # as VirtualCourt.run_until runs (the trigger too)
        _trigger(court.platform, filed)
        court.run_until(ORIGIN.replace(hour=12))
    elapsed = time.perf_counter() - t0
    return _complete(court.runtime), elapsed, court.gateway.stats()["requests"]


def _worker(cases: int, seed: int, barrier: Any, results: Any) -> None:
    results.put(_in_process(cases, "hub", barrier, seed))


def _in_processes(workers: int, cases: int) -> tuple[int, float]:
    """``workers`` courts (one process each, as a planner's run splits a province by court) fanning out at once:
    all their cases over the slowest one's time."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(cases, 100 + i, barrier, results)) for i in range(workers)]
    for proc in procs:
        proc.start()
    got = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    return sum(g[0] for g in got), max(g[1] for g in got)


def test_fanout_in_process(benchmark):
    cases = 5_000
    results = []
    benchmark.pedantic(lambda: results.append(_in_process(cases, "hub")), rounds=3, iterations=1)
    done, elapsed, requests = min(results, key=lambda r: r[1])
    base_done, base_elapsed, base_requests = _in_process(500, "direct")
    rate, base_rate = done / elapsed, base_done / base_elapsed
    benchmark.extra_info.update({"cases": done, "requests": requests, "cases_per_s": round(rate),
                                 "direct_cases_per_s": round(base_rate), "ratio": round(rate / base_rate, 1)})
    workers = max(1, min(os.cpu_count() or 1, 4))
    par_done, par_elapsed = min((_in_processes(workers, cases) for _ in range(3)), key=lambda r: r[1])  # best of 3
    par_rate = par_done / par_elapsed
    benchmark.extra_info.update({"workers": workers, "parallel_cases_per_s": round(par_rate)})
    print(f"\n[bench] 集约查询 fan-out in-process via 总对总: {done} cases ({requests} requests) in {elapsed:.2f} s "
          f"→ {rate:,.0f} cases/s in one process; {workers} courts in {workers} processes: {par_done} cases in "
          f"{par_elapsed:.2f} s → {par_rate:,.0f} cases/s (target ≥ 5,000); baseline one request per agency: "
          f"{base_rate:,.0f} cases/s ({base_requests} requests) → ×{rate / base_rate:.1f}")
    assert done == cases and base_done == 500 and par_done == workers * cases


async def _over_http(cases: int, via: str) -> tuple[int, float, int]:
    async with live_court(ORIGIN, scale=1_000.0, seed=1, profile="fast", clerk=False, world_size=cases) as lc:
        lc.platform.inquiry_via = via
        filed = _file(lc.platform, lc.session.world, cases, "H")
        t0 = time.perf_counter()
        _trigger(lc.platform, filed)
        ok = await lc.wait_for(lambda: _complete(lc.runtime) == cases, timeout=300)
        elapsed = time.perf_counter() - t0
        assert ok
        return _complete(lc.runtime), elapsed, lc.gateway.stats()["requests"]


def test_fanout_over_http(benchmark):
    cases = 1_000
    results = []
    benchmark.pedantic(lambda: results.append(asyncio.run(_over_http(cases, "hub"))), rounds=1, iterations=1)
    done, elapsed, requests = results[0]
    base_done, base_elapsed, base_requests = asyncio.run(_over_http(40, "direct"))
    rate, base_rate = done / elapsed, base_done / base_elapsed
    benchmark.extra_info.update({"cases": done, "requests": requests, "cases_per_s": round(rate, 1),
                                 "direct_cases_per_s": round(base_rate, 1), "ratio": round(rate / base_rate, 1)})
    print(f"\n[bench] 集约查询 fan-out over HTTP (loopback, fast) via 总对总: {done} cases ({requests} requests) in "
          f"{elapsed:.2f} s → {rate:,.1f} cases/s (target ≥ 100); baseline one request per agency: "
          f"{base_rate:,.1f} cases/s ({base_requests} requests) → ×{rate / base_rate:.1f}")
