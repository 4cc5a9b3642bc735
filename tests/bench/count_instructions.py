"""Work measured in instructions, which a busy machine does not move (the figures against e58837d in the README).

Run one workload under valgrind twice — with N cases and with 0 — and take the difference (start-up and imports
cancel out)::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m tests.bench.count_instructions engine 600
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m tests.bench.count_instructions engine 0

``engine N``: the engine bench's first N cases over their year (tests/bench/test_bench_engine.py).
``fanout N`` / ``filing N``: N cases filed and assigned, then (``fanout``) their 集约查询 via the 总对总 system in
process (tests/bench/test_bench_fanout.py); ``fanout`` minus ``filing`` is the fan-out alone. About a minute each
under valgrind for N = 600. ``court DAYS``: the default court-year's simulation for DAYS days (``court 55`` minus
``court 1``; a few minutes under valgrind). Set ``PYTHONHASHSEED=0`` for counts that repeat exactly. Not part of
``make test``.
"""

from __future__ import annotations

import sys

from core_flow.runtime import simulation_gc


def engine(n: int) -> int:
    from core_flow.engine import Engine
    from core_flow.legal_calendar import default_calendar
    from core_flow.process_loader import default_process
    from tests.bench import test_bench_engine as bench

    bench.CASES = n
    with simulation_gc():
        commands, _, _ = bench.run_year(Engine(default_process(), default_calendar()))
    return commands


def fanout(n: int, trigger: bool = True) -> int:
    from sim.assembly import build_virtual_court
    from tests.bench.test_bench_fanout import ORIGIN, _complete, _file, _trigger

    court = build_virtual_court(ORIGIN, seed=1, profile="fast", clerk=False, world_size=max(n, 1), keep_events=False)
    court.platform.inquiry_via = "hub"
    filed = _file(court.platform, court.session.world, n, "B")
    if not trigger:
        return len(filed)
    with simulation_gc():
        _trigger(court.platform, filed)
        court.run_until(ORIGIN.replace(hour=12))
    return _complete(court.runtime)


def court(days: int) -> int:
    """The default court profile simulated for ``days`` days (seed 2025, rule checks on): ``court 55`` minus
    ``court 1`` is the simulation's work beyond start-up."""
    from sim.profile import load_profile
    from sim.replicate import make_units
    from sim.run import run_unit

    unit = make_units([("默认", load_profile())], years=days / 365.0, replications=1, seed=2025)[0]
    return run_unit(unit)["meta"]["cases_filed"]


if __name__ == "__main__":
    what, n = sys.argv[1], int(sys.argv[2])
    done = {"engine": engine, "fanout": fanout, "filing": lambda k: fanout(k, trigger=False), "court": court}[what](n)
    print(f"{what} {n}: {done}")
