"""Same seed ⇒ same run: the speed work (caches, fast paths, one GC setting per run) must not change what a
simulation does. Two runs in this process, and one in a fresh interpreter with another string-hash seed (a set or
dict whose order followed ``hash(str)`` would show here), give identical KPIs, series, events counted and case
rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sim.replicate import make_units, strip
from sim.run import run_unit
from tests.sim_support import small_court

ROOT = Path(__file__).resolve().parents[1]
RUN = r"""
import json, sys
from sim.replicate import make_units, strip
from sim.run import run_unit
from tests.sim_support import small_court
unit = make_units([("法院", small_court(400, judges=1, clerks=1))], years=0.3, replications=1, seed=7,
                  count_events=True)[0]
r = run_unit(unit)
print(json.dumps({"strip": strip([r])[0], "cases": r["cases"]}, ensure_ascii=False, sort_keys=True, default=str))
"""


def _once() -> dict:
    unit = make_units([("法院", small_court(400, judges=1, clerks=1))], years=0.3, replications=1, seed=7,
                      count_events=True)[0]
    r = run_unit(unit)
    return json.loads(json.dumps({"strip": strip([r])[0], "cases": r["cases"]}, ensure_ascii=False,
                                 sort_keys=True, default=str))


def test_same_seed_gives_the_same_run_in_process_and_in_a_fresh_interpreter():
    a, b = _once(), _once()
    # a real run, not an empty one (one SimPy timeout per staff work item since the staff queues were flattened)
    assert a["strip"]["meta"]["simpy_events"] > 2_000 and len(a["cases"]) > 50
    assert a == b
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    c = json.loads(proc.stdout.strip().splitlines()[-1])
    assert c == a


def test_another_seed_gives_another_run():
    unit = make_units([("法院", small_court(400, judges=1, clerks=1))], years=0.3, replications=1, seed=8)[0]
    assert strip([run_unit(unit)])[0]["kpi"] != _once()["strip"]["kpi"]


def test_the_simpy_events_counted_are_the_steps_simpy_took(monkeypatch):
    """``meta.simpy_events`` (what ``make bench`` divides by the run's time) is read off SimPy's event numbering, not
    by wrapping ``env.step``: it must equal the steps actually taken, counted here the old way."""
    import simpy

    steps = [0]
    step = simpy.Environment.step

    def counted(self):  # type: ignore[no-untyped-def]
        steps[0] += 1
        step(self)

    unit = make_units([("法院", small_court(300, judges=1, clerks=1))], years=0.2, replications=1, seed=11,
                      count_events=True)[0]
    monkeypatch.setattr(simpy.Environment, "step", counted)
    r = run_unit(unit)
    assert r["meta"]["simpy_events"] == steps[0] > 1_000
