"""Engine throughput: commands per second over 10,000 cases in virtual time (`make bench`).

Each case is filed on a working day of 2025 and runs a typical life: first inquiry, assignment, the start
nodes, an online freeze, deduction, receipt, payout and closing; one case in ten lets node 7 lapse and goes
through warning, freeze, unfreeze request and approval. Timer firings count as commands (the engine handles
them like any other), the stale ones too: a timer whose item was done before it fell due is dropped by the runtime
without a command (``Runtime.timers_stale``, since 2026-12-04), so the count — the script's work — stays comparable
with earlier figures. Figures are printed; CI never fails on a timing.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from core_flow.clocks import SimClock
from core_flow.engine import commands as c
from core_flow.runtime import Runtime, simulation_gc
from tests.conftest import cst

CASES = 10_000
ORIGIN = cst(2025, 1, 2, 9, 0)


def script(i: int) -> list[tuple[float, object]]:
    k = f"(2025)豫0811执{i}号"
    late = i % 10 == 0
    day = 86400.0
    steps = [
        (0, c.FileCase(k, debtors=(f"D{i}",))), (600, c.StartNode(k, 3)), (3600, c.CompleteNode(k, 1)),
        (3600, c.CompleteNode(k, 2)), (day, c.Assign(k, f"H{i % 40}")), (day, c.VerifyIdentity(k, f"D{i}", True)),
        (day, c.CompleteNode(k, 3)), (1.5 * day, c.CompleteNode(k, 4)), (2 * day, c.CompleteNode(k, 5)),
        (2 * day, c.CompleteNode(k, 6)), (3 * day, c.Record(k, "property_found_online", "acct")),
        (3.5 * day, c.CompleteNode(k, 17, "acct")), (3.5 * day, c.Record(k, "freeze_effective", "acct")),
        (6 * day, c.CompleteNode(k, 31, "acct")), (6 * day, c.Record(k, "money_arrived", "r1")),
        (7 * day, c.CompleteNode(k, 32, "r1")), (20 * day, c.CompleteNode(k, 33, "r1")),
    ]
    if late:
        steps += [(25 * day, c.RequestUnfreeze(k, 7, by="H")), (26 * day, c.ApproveUnfreeze(k, 7, "执行局长")),
                  (26 * day, c.CompleteNode(k, 7)), (27 * day, c.Close(k, "执行完毕", reviewed_by="审判管理办公室"))]
    else:
        steps += [(8 * day, c.CompleteNode(k, 7)), (27 * day, c.Close(k, "执行完毕", reviewed_by="审判管理办公室"))]
    return sorted(steps, key=lambda s: s[0])


def run_year(engine) -> tuple[int, float, Runtime]:
    """Run all cases; each case's next step is scheduled when its previous one ran (as a user would act)."""
    clock = SimClock(ORIGIN)
    rt = Runtime(engine, clock, keep_events=False)

    def step(steps: list[tuple[float, object]], start: float, k: int) -> None:
        rt.submit(steps[k][1])
        if k + 1 < len(steps):
            at = ORIGIN + timedelta(seconds=start + steps[k + 1][0])
            clock.call_at(at, lambda: step(steps, start, k + 1))

    for i in range(CASES):
        start = (i % 250) * 86400.0 + (i // 250) * 60.0  # ~40 filings a working day over the year
        steps = script(i)
        clock.call_at(ORIGIN + timedelta(seconds=start), lambda steps=steps, start=start: step(steps, start, 0))
    t0 = time.perf_counter()
    clock.run_until(ORIGIN + timedelta(days=400))
    elapsed = time.perf_counter() - t0
    return rt.commands_handled + rt.timers_stale, elapsed, rt


@pytest.mark.parametrize("gc_mode", ["default", "simulation"])
def test_engine_commands_per_second(benchmark, engine, gc_mode):
    """``default``: CPython's GC thresholds; ``simulation``: ``simulation_gc()``, as year-scale runs use."""
    results = []

    def once():
        if gc_mode == "simulation":
            with simulation_gc():
                results.append(run_year(engine))
        else:
            results.append(run_year(engine))

    benchmark.pedantic(once, rounds=2, iterations=1)
    commands, _, rt = results[-1]
    best = min(r[1] for r in results)
    rate = commands / best
    benchmark.extra_info.update({"cases": CASES, "commands": commands, "commands_per_s": round(rate)})
    print(f"\n[bench] engine ({gc_mode} GC): {CASES} cases, {commands} commands (incl. timer firings) in "
          f"{best:.2f} s of virtual-time run → {rate:,.0f} commands/s on one core (target ≥ 50,000)")
    assert len(rt.cases) == CASES and all(s.closed_manner == "completed" for s in rt.cases.values())
