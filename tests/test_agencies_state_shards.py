"""``--state FILE`` with ``--processes N``: each shard keeps its own state file (``FILE-shardIofN``, named in the
banner with what it restored) and restores it on restart — the option was silently ignored (the shard processes got
no state path, every restart began empty). Real processes on loopback."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from mock_agencies.shards import shard_of
from tests.test_agencies_restart import ROOT

pytestmark = pytest.mark.slow

SUBJECT = {"kind": "person", "name": "张三", "id_number": "110101199003077002"}


def _port_pair() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two consecutive free ports")


class Sharded:
    def __init__(self, state: Path, port: int, log: Path) -> None:
        self.state, self.port, self.log = state, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHIXING_AGENCIES_WORLD_SIZE": "200"}
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "zhixing", "agencies", "serve", "--processes", "2", "--port", str(self.port),
                 "--time-scale", "0", "--profile", "fast", "--state", str(self.state), "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        for port in (self.port, self.port + 1):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
                for _ in range(1200):  # bounded readiness wait (≤ 60 s: a loaded 2-core CI machine)
                    assert self.proc.poll() is None, self.log.read_text()
                    try:
                        if client.get("/shards").status_code == 200:
                            break
                    except httpx.HTTPError:
                        threading.Event().wait(0.05)
                else:
                    raise RuntimeError("a shard did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the parent stops its shards
            self.proc.wait(timeout=30)


def test_each_shard_keeps_and_restores_its_own_state_file(tmp_path: Path) -> None:
    state = tmp_path / "agencies.sqlite"
    owner = shard_of(SUBJECT["id_number"], 2)
    files = [tmp_path / f"agencies-shard{i}of2.sqlite" for i in range(2)]
    port = _port_pair()
    server = Sharded(state, port, tmp_path / "server.log")
    server.start()
    try:
        banner = server.log.read_text()
        for i, f in enumerate(files):
            assert f"分片 {i} / shard {i} 状态文件 / state file: {f}  (新建 / new)" in banner, banner
        url = f"http://127.0.0.1:{port + owner}"
        body = {"request_no": "SH-1", "court_code": "R410811", "case_no": "(2026)豫0811执1号", "measure": "00",
                "subject": SUBJECT}
        with httpx.Client(base_url=url, timeout=10) as client:
            first = client.post("/agencies/icbc/requests", json=body)
            assert first.status_code == 202, first.text
    finally:
        server.stop()
    with sqlite3.connect(files[owner]) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    assert not state.exists()  # no file of the unsharded name: nothing that a one-process server would pick up

    server.start()  # a restart: the owning shard finds its ticket again
    try:
        banner = server.log.read_text().split("模拟机构")[-1]
        assert f"分片 {owner} / shard {owner} 状态文件 / state file: {files[owner]}  (恢复 1 个命名空间" in banner
        with httpx.Client(base_url=f"http://127.0.0.1:{port + owner}", timeout=10) as client:
            again = client.get("/agencies/icbc/requests", params={"request_no": "SH-1"})
            assert again.status_code == 200 and again.json()["ticket"]["ticket_id"] == first.json()["ticket_id"]
    finally:
        server.stop()
