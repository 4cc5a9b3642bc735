"""A pool worker killed outright (the system's out-of-memory killer on a long province run, a segfault) sends no
exception back: the pool raised ``BrokenProcessPool`` and `zhixing simulate` ended in its raw stack trace, exit 1 —
not the crashed unit's one message and exit 3 (review R2). Now it is said as a crash: the unit whose future broke,
the seed, the trace's file."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import types

import pytest

from sim import replicate
from sim.replicate import CRASH_EXIT, UnitCrashed, make_units, run_units
from tests.sim_support import small_court
from zhixing.cli import main

# The kill is planted by a monkeypatch, which reaches the pool's workers only when they are forked (Linux's default
# before Python 3.14; forkserver and spawn start fresh interpreters that never see it).
_START = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]
needs_fork = pytest.mark.skipif(_START != "fork", reason="进程池不以 fork 启动，猴子补丁到不了工作进程 / the pool's "
                                                         "workers are not forked: the planted kill cannot reach them")


def _killed(replication: int):
    real = replicate.run_unit

    def run_unit(unit, progress=None):
        if unit.replication == replication:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(unit, progress)

    return run_unit


@needs_fork
def test_a_killed_worker_is_a_crashed_unit(monkeypatch, tmp_path):
    monkeypatch.setattr(replicate, "run_unit", _killed(1))
    units = make_units([("甲县", small_court(60))], years=0.05, replications=2, seed=5)
    with pytest.raises(UnitCrashed) as info:
        run_units(units, backend="process", workers=2, crash_dir=tmp_path)
    err = info.value
    assert "BrokenProcessPool" in err.zh and "内存不足" in err.zh and "out of memory" in err.en
    assert "--seed 5" in err.zh and err.path.parent == tmp_path and "Traceback" in err.path.read_text(encoding="utf-8")
    assert "减少 --workers" in err.zh and "This is a bug" not in err.en  # out of memory, most often: not a bug


@needs_fork
def test_the_cli_says_a_killed_worker_in_one_message_and_exits_3(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(replicate, "run_unit", _killed(0))
    profile = tmp_path / "court.yaml"
    profile.write_text("name: 丙县人民法院\nintake: {yearly: 60}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n",
                       encoding="utf-8")
    code = main(["simulate", str(profile), "--years", "0.05", "-r", "2", "-w", "2", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == CRASH_EXIT and "Traceback" not in err and "仿真单元崩溃：法院 丙县人民法院" in err


class _FakeRay(types.ModuleType):
    """Ray as ``sim.replicate._ray_run`` uses it, its worker dying on every task (a real kill cannot be arranged in
    a Ray worker from a test: a monkeypatch does not reach its fresh processes)."""

    class exceptions:  # noqa: N801 (ray's module name)
        class RayError(Exception):
            pass

        class WorkerCrashedError(RayError):
            pass

    def __init__(self) -> None:
        super().__init__("ray")

    def is_initialized(self) -> bool:
        return True

    def remote(self, fn):  # noqa: ANN001, ANN201
        return types.SimpleNamespace(remote=lambda unit: object())  # an object ref: hashable, opaque

    def wait(self, pending, num_returns=1):  # noqa: ANN001, ANN201
        return pending[:num_returns], pending[num_returns:]

    def get(self, ref):  # noqa: ANN001, ANN201
        raise self.exceptions.WorkerCrashedError("The worker died unexpectedly while executing this task.\n"
                                                 "Check python-core-worker-*.log files for more information.")

    def cancel(self, ref, force=False):  # noqa: ANN001, ANN201
        pass


def test_a_dead_ray_worker_is_a_crashed_unit(monkeypatch, tmp_path):
    """On Ray a dead worker was ``WorkerCrashedError``'s raw stack trace (``ray.get``), exit 1."""
    monkeypatch.setitem(sys.modules, "ray", _FakeRay())
    units = make_units([("丁县", small_court(60))], years=0.05, replications=2, seed=8)
    with pytest.raises(UnitCrashed) as info:
        run_units(units, backend="ray", workers=2, crash_dir=tmp_path)
    err = info.value
    assert "WorkerCrashedError: The worker died unexpectedly" in err.zh and "--seed 8" in err.en
    assert err.path == tmp_path / "crash-丁县-r1.txt" and "WorkerCrashedError" in err.path.read_text(encoding="utf-8")
