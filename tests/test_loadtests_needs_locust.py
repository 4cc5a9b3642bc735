"""`make load` / `python loadtests/run.py` where locust is not installed (a user who installed the package with
`pip install -e .`, as certify/README says, has no locust: it is in the dev extras). It used to start the sharded
server, fail with ``No module named locust`` from the subprocess and exit 1 as if a load verdict had failed; now it
says what to install, exit 2, before any server starts. The absence is simulated (``sys.modules['locust'] = None``
makes ``importlib.util.find_spec`` answer None), so this runs with or without locust installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "loadtests" / "run.py"


def test_run_without_locust_says_what_to_install_before_starting_anything() -> None:
    code = ("import runpy, sys\n"
            "sys.modules['locust'] = None  # not installed\n"
            f"sys.argv = [{str(RUN)!r}, '--', '--rate', '5', '--duration', '1']\n"
            f"runpy.run_path({str(RUN)!r}, run_name='__main__')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "错误 / error: 未安装 locust" in done.stderr and "make venv" in done.stderr
    assert "pip install -e '.[dev]'" in done.stderr
    assert "模拟机构 / mock agencies" not in done.stdout  # no server was started
    assert "Traceback" not in done.stderr
