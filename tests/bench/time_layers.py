"""Where a court-year's time goes, by layer (the README's "where the time goes"). Not part of ``make test``::

    python -m tests.bench.time_layers [DAYS]

Runs the default court profile for DAYS days (365 unless told; ``count_instructions.court``: seed 2025, rule
checks on) with a timer around each layer's entry point: the engine (``Engine.handle``: pure, it calls nothing
outside itself), the mock agencies (``SessionPort.submit`` and ``collect``: their answers, ledgers and the 总对总
hub), the KPI collector and the rule checker (per event). The rest is the staff queues, SimPy, the runtime, the
platform and the gateway. The timers add ~0.3 µs per call."""

from __future__ import annotations

import functools
import sys
from collections import Counter
from time import perf_counter
from typing import Any

from core_flow.engine.engine import Engine
from mock_agencies.port import SessionPort
from sim.invariants import Checker
from sim.kpi import Collector
from tests.bench.count_instructions import court

LAYERS = ((Engine, "handle", "引擎 engine (Engine.handle)"),
          (SessionPort, "submit", "模拟机构 mock agencies (SessionPort.submit)"),
          (SessionPort, "collect", "模拟机构 mock agencies (SessionPort.collect)"),
          (Collector, "__call__", "KPI 统计 KPI collector"),
          (Checker, "__call__", "规则核查 rule checker (per event)"))


def timed(days: int = 365) -> tuple[float, Counter[str], Counter[str]]:
    spent: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    originals = [(cls, name, getattr(cls, name)) for cls, name, _ in LAYERS]

    def wrap(f: Any, label: str) -> Any:
        @functools.wraps(f)
        def w(*args: Any, **kwargs: Any) -> Any:
            t = perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[label] += perf_counter() - t
                calls[label] += 1
        return w

    for (cls, name, label), (_, _, f) in zip(LAYERS, originals, strict=True):
        setattr(cls, name, wrap(f, label))
    try:
        t0 = perf_counter()
        court(days)
        return perf_counter() - t0, spent, calls
    finally:
        for cls, name, f in originals:
            setattr(cls, name, f)


if __name__ == "__main__":
    total, spent, calls = timed(int(sys.argv[1]) if len(sys.argv) > 1 else 365)
    print(f"合计 total {total:.2f} s")
    for label, s in spent.most_common():
        print(f"{s:8.2f} s {100 * s / total:5.1f}% {calls[label]:>9,} 次调用 calls  {label}")
    rest = total - sum(spent.values())
    print(f"{rest:8.2f} s {100 * rest / total:5.1f}%  其余 the rest (staff, SimPy, runtime, platform, gateway)")
