"""A simulated peak day replayed by the load test (loadtests/README.md, "银行查控专席" step 5): `zhixing simulate`
writes each agency's peak day hour by hour (``agency_peak_days.csv``), and ``loadtests/sim_rate.py --rate-file-out``
turns it into the ``seconds,rate`` file ``run.py -- --rate-file`` replays, compressed in time. Before, the hourly
series was in no output file and nothing wrote such a file.

A tiny simulation in virtual time (two small courts, a few weeks, two replications); the file is read back through
the load test's own option checks (``loadtests/loadoptions.py``, no locust, no server): it replays as it is, and the
printed ``--min-rate`` makes the verdict judge the peak hour's stage.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sim.replicate import aggregate, make_units, run_units
from sim.report import write_outputs
from tests.sim_support import small_court

ROOT = Path(__file__).resolve().parents[1]
SIM_RATE = ROOT / "loadtests" / "sim_rate.py"
PROVINCE = "全省合计 / province total"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sim_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`zhixing simulate --courts 2 -r 2` of two small courts over ~6 weeks, written as the command writes it."""
    out = tmp_path_factory.mktemp("sim")
    courts = [(f"测试法院 #{i}", small_court(400, judges=1, clerks=1)) for i in (1, 2)]
    agg = aggregate(run_units(make_units(courts, years=0.12, replications=2, seed=7), backend="serial"))
    write_outputs(out, agg, courts[0][1], {"years": 0.12, "replications": 2, "seed": 7})
    return out


def _loadoptions() -> ModuleType:
    """loadtests/loadoptions.py (pure: no locust, no gevent), as run.py loads it."""
    sys.path.insert(0, str(ROOT / "loadtests"))
    spec = importlib.util.spec_from_file_location("loadoptions", ROOT / "loadtests" / "loadoptions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sim_rate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, str(SIM_RATE), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_simulate_writes_each_agencys_peak_day_hour_by_hour(sim_out: Path) -> None:
    """The province's rows agree with agencies.csv: the peak day's 24 hours add up to its peak day, the peak hour's
    day holds its peak hour at its hour of day (old code: no agency_peak_days.csv)."""
    days = _rows(sim_out / "agency_peak_days.csv")
    table = {(r["replication"], r["agency"]): r for r in _rows(sim_out / "agencies.csv") if r["court"] == PROVINCE}
    assert {r["court"] for r in days} == {PROVINCE}  # a province: the courts added hour by hour
    series: dict[tuple[str, str, str], list[int]] = {}
    for r in days:
        series.setdefault((r["replication"], r["agency"], r["kind"]), []).append(int(r["requests"]))
    assert {(rep, a) for rep, a, _ in series} == set(table) and len(table) > 10
    for (rep, agency, kind), hours in series.items():
        row = table[(rep, agency)]
        assert len(hours) == 24
        if kind == "peak_day":
            assert sum(hours) == int(float(row["peak_day"])), (agency, hours, row)
        else:
            assert kind == "peak_hour_day"
            assert max(hours) == int(float(row["peak_hour"])), (agency, hours, row)
            assert hours.index(max(hours)) == int(row["peak_hour_of_day"]), (agency, hours, row)


@pytest.mark.parametrize(("agency", "day", "compress"), [("icbc", "peak-day", 60), ("zdz", "peak-hour", 120)])
def test_sim_rate_writes_the_peak_day_as_a_rate_file_the_load_test_replays(sim_out: Path, tmp_path: Path,
                                                                            agency: str, day: str,
                                                                            compress: int) -> None:
    """`sim_rate.py DIR --agency icbc --courts 100 --rate-file-out F --compress N`: 24 stages of 3600/N s, each
    sending its hour's requests × 50 (100 courts for the 2 simulated); the file passes the load test's checks as it is
    and the printed command's --min-rate makes the verdict judge the peak hour's stage (old code: no such option)."""
    out = tmp_path / "day.csv"
    done = _sim_rate(str(sim_out), "--agency", agency, "--courts", "100", "--rate-file-out", str(out),
                     "--compress", str(compress), "--day", day)
    assert done.returncode == 0, done.stderr
    kind = {"peak-day": "peak_day", "peak-hour": "peak_hour_day"}[day]
    reps: dict[str, list[int]] = {}
    for r in _rows(sim_out / "agency_peak_days.csv"):
        if r["agency"] == agency and r["kind"] == kind:
            reps.setdefault(r["replication"], []).append(int(r["requests"]))
    measure = sum if day == "peak-day" else max
    hours = max(reps.values(), key=measure)  # the highest replication's day
    assert measure(hours) > 0

    lo = _loadoptions()
    assert lo.read_rate_file(str(out)) == [(3600 / compress, pytest.approx(n * 50 * compress / 3600, rel=1e-5))
                                           for n in hours]
    command = next(line for line in done.stdout.splitlines()
                   if line.startswith("  python loadtests/run.py --") and "--rate-file" in line)
    options = command.split("#")[0].split()[3:]  # after `python loadtests/run.py --`
    assert ("--agency" in options) == (agency != "zdz")  # the hub's row: the fan-out, no --agency
    parser = lo.argparse.ArgumentParser()
    lo.add_options(parser)
    o = parser.parse_args(options)
    plan = lo.check_options(o)  # replays as it is: the load test's own checks
    measured = plan.measured()
    assert len(measured) == 24 and all(s.seconds == 3600 / compress for s in measured)
    assert sum(s.rate * s.seconds for s in measured) == pytest.approx(sum(hours) * 50, rel=1e-4)
    threshold = lo.threshold_rate(o, plan)
    judged = min((s for s in measured if s.rate >= threshold), key=lambda s: s.rate)  # loadplan.judge's choice
    assert judged.rate == max(s.rate for s in measured) and judged.index == hours.index(max(hours)) + 1
    assert re.search(rf"--min-rate {threshold:g} 为峰值钟点 {hours.index(max(hours)):02d}:00 这一级", done.stdout)


def test_sim_rate_replay_refuses_what_it_cannot_do(sim_out: Path, tmp_path: Path) -> None:
    """A simulation written before the hourly file, and a compression giving stages under a second: said, exit 2."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "agencies.csv").write_bytes((sim_out / "agencies.csv").read_bytes())
    done = _sim_rate(str(old), "--agency", "icbc", "--rate-file-out", str(tmp_path / "d.csv"))
    assert done.returncode == 2 and "agency_peak_days.csv" in done.stderr and "重新运行仿真" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "d.csv").exists()
    done = _sim_rate(str(sim_out), "--agency", "icbc", "--rate-file-out", str(tmp_path / "d.csv"), "--compress", "7200")
    assert done.returncode == 2 and "--compress: 应在 1–3600 之间" in done.stderr, done.stderr
