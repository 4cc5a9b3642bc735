"""One server per state file: a second ``zhixing agencies serve --state FILE`` on a file another process serves is
refused (exit 2, located at ``--state``, naming the holder's PID) — two servers each kept their own copy of every
namespace, a freeze through each doubled the frozen amount and an acknowledged request was lost to the other's
saves. The lock is the kernel's: once the holder is killed (``kill -9``, no clean-up) the file serves again. The
banner names the state file and how many namespaces it restored. Real processes on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_agencies_live import free_port
from tests.test_agencies_restart import ROOT, Server

pytestmark = pytest.mark.slow


def _serve(state: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "zhixing", "agencies", "serve", "--port", str(port), "--time-scale", "0",
         "--state", str(state), "--log-level", "warning"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_a_second_server_on_the_same_state_file_is_refused_until_the_first_dies(tmp_path: Path) -> None:
    state = tmp_path / "agencies.sqlite"
    first = Server(state, free_port(), tmp_path / "first.log")
    first.start()
    try:
        assert "状态文件 / state file: " + str(state) in first.log.read_text() and "新建 / new" in first.log.read_text()
        with httpx.Client(base_url=first.url, timeout=10) as client:
            assert client.put("/admin/sessions/one", json={"profile": "fast", "seed": 1}).is_success
            assert client.put("/admin/sessions/two", json={"profile": "fast", "seed": 2}).is_success
        assert first.proc is not None
        second = _serve(state, free_port())  # would keep serving; refused at once instead
        assert second.returncode == 2, second.stdout + second.stderr
        assert "Traceback" not in second.stderr and "模拟机构 / mock agencies" not in second.stdout
        assert (f"--state: 状态文件 {state} 正被另一进程（PID {first.proc.pid}）使用 / state file {state} is in use "
                f"by another process (PID {first.proc.pid})") in second.stderr
        first.kill9()  # no clean-up runs: the lock goes with the process
        again = Server(state, free_port(), tmp_path / "again.log")
        again.start()
        try:
            banner = again.log.read_text()
            assert f"状态文件 / state file: {state}  (恢复 2 个命名空间 / 2 namespaces restored)" in banner, banner
            with httpx.Client(base_url=again.url, timeout=10) as client:
                assert client.get("/admin/sessions/two").json()["seed"] == 2
        finally:
            again.stop()
    finally:
        first.stop()
