"""Callbacks are safe (issue 13, point 1): a ``callback_url`` is validated at submit (http/https, well formed,
allow-listed host — loopback by default —, never the server itself); an undeliverable callback is retried with
capped backoff up to a limit and then marked failed, quickly; one namespace's dead receiver delays no other
namespace; SIGTERM stops the server within seconds even in the middle of a long ``advance``.

Real uvicorn servers and receivers on loopback; virtual time is skipped; real waits are bounded waits on events."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mock_agencies.settings import Settings
from tests.test_agencies_api import NS, make_client, person
from tests.test_agencies_live import LiveServer, Receiver, free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1", "well-formed"),
        ("ftp://127.0.0.1/x", "http or https"),
        ("/callbacks/feedback", "absolute"),
        ("http://court.example/cb", "allow-list"),
        ("http://10.0.0.8:9000/cb", "allow-list"),
        ("http://agencies.test/admin/sessions/victim/reset", "this server itself"),
    ],
)
async def test_a_bad_callback_url_is_refused_at_submit_with_a_located_bilingual_error(url: str, why: str) -> None:
    async with make_client() as client:
        ns = NS(client, "cb-refused")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        r = await ns.submit("icbc", ns.body(d, "00", callback_url=url))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "invalid_callback_url" and error["where"] == "body.callback_url"
        assert error["zh"] and why.split()[-1] in error["en"]
        assert (await client.get("/admin/sessions/cb-refused")).json()["tickets"] == 0  # nothing accepted
        (entry,) = (await ns.journal(kind="submit"))["entries"]
        assert entry["outcome"] == "rejected"


async def test_loopback_callbacks_are_allowed_by_default_and_the_allow_list_is_a_setting() -> None:
    async with make_client() as client:
        ns = NS(client, "cb-ok")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        for url in ("http://127.0.0.1:9/cb", "http://localhost:9/cb", "https://[::1]:9/cb"):
            assert (await ns.submit("icbc", ns.body(d, "00", callback_url=url))).status_code in (200, 201, 202)
    async with make_client(callback_hosts=("court.example",)) as client:
        ns = NS(client, "cb-listed")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        assert (await ns.submit("icbc", ns.body(d, "00", callback_url="http://court.example/cb"))).is_success
    assert Settings.from_env({"ZHIXING_AGENCIES_CALLBACK_HOSTS": "a.example, b.example"}).callback_hosts == (
        "a.example", "b.example")


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    return free_port()


async def test_a_dead_receiver_is_tried_a_bounded_number_of_times_and_a_year_of_advance_is_quick() -> None:
    dead = f"http://127.0.0.1:{closed_port()}/cb"
    async with make_client() as client:
        ns = NS(client, "cb-dead")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        ticket = await ns.accepted("icbc", ns.body(d, "00", callback_url=dead))
        started = time.monotonic()
        summary = await ns.advance(seconds=365 * 86400)
        assert time.monotonic() - started < 10  # issue 13 measured 193 s (8,760 attempts) for this
        assert summary["callback_attempts"] == 12 and summary["pending_callbacks"] == 0
        (failed,) = (await ns.journal(kind="callback_failed"))["entries"]
        assert failed["key"] == ticket["ticket_id"] and "Connect" in failed["error"]
        assert (await ns.poll("icbc", ticket["ticket_id"]))["feedback"]["ok"] is True


@contextmanager
def hanging_receiver() -> Iterator[str]:
    """Accepts connections and never answers (a receiver that hangs)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/cb"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        sock.close()


def _submit_body(client: httpx.Client, namespace: str, url: str, n: int) -> dict:
    client.put(f"/admin/sessions/{namespace}", json={"profile": "fast", "seed": 2}).raise_for_status()
    d = client.get(f"/admin/sessions/{namespace}/debtors/0").json()
    subject = {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}
    return {"request_no": f"{namespace}-{n}", "court_code": "R410811", "case_no": "(2026)豫0811执1号",
            "measure": "00", "subject": subject, "callback_url": url}


def test_one_namespaces_hanging_receiver_delays_no_other_namespace() -> None:
    settings = Settings(port=free_port(), world_size=200, time_scale=1000.0, profile="fast",
                        callback_timeout_seconds=30.0)
    with hanging_receiver() as hang, Receiver() as good, LiveServer(settings) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        slow = _submit_body(client, "slow", hang, 1)
        assert client.post("/agencies/icbc/requests", json=slow, headers={"X-Zhixing-Session": "slow"}).is_success
        fast = _submit_body(client, "fast", good.url, 1)
        started = time.monotonic()
        assert client.post("/agencies/icbc/requests", json=fast, headers={"X-Zhixing-Session": "fast"}).is_success
        headers, body = good.received.get(timeout=20)  # bounded wait on the arrival
        # not behind the 30 s the other namespace's post may take (15 s: room for a loaded machine, still half of it)
        assert time.monotonic() - started < 15
        assert body["request_no"] == "fast-1"
        pending = client.get("/admin/sessions/slow/callbacks").json()
        assert not [d for d in pending["done"] if d["state"] == "acknowledged"]  # still hanging over there


def test_sigterm_stops_the_server_within_seconds_during_a_long_advance(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHIXING_AGENCIES_CALLBACK_TIMEOUT_SECONDS": "30",
           "ZHIXING_AGENCIES_WORLD_SIZE": "200"}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhixing", "agencies", "serve", "--port", str(port), "--time-scale", "0",
         "--profile", "fast", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=5) as client:
            for _ in range(1200):  # bounded readiness wait (≤ 60 s: a loaded 2-core CI machine)
                try:
                    if client.get("/agencies").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                proc.wait(timeout=0.05) if proc.poll() is not None else threading.Event().wait(0.05)
            with hanging_receiver() as hang:
                body = _submit_body(client, "long", hang, 1)
                assert client.post("/agencies/icbc/requests", json=body,
                                   headers={"X-Zhixing-Session": "long"}).is_success

                def long_advance() -> None:  # 12 attempts × 30 s on the hanging receiver: minutes
                    with httpx.Client(base_url=url, timeout=120) as other, \
                            pytest.raises(httpx.HTTPError):  # cut off by the shutdown
                        other.post("/admin/sessions/long/advance", json={"seconds": 365 * 86400}).raise_for_status()

                worker = threading.Thread(target=long_advance, daemon=True)
                worker.start()
                worker.join(timeout=1.0)  # the advance is under way (its first post hangs)
                assert worker.is_alive()
                started = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
                assert time.monotonic() - started < 15  # the advance left alone takes minutes; 15 s: a loaded machine
                worker.join(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_an_advance_survives_a_failing_callback_client_error() -> None:
    """A URL that passes validation but that the client then rejects is that attempt's failure, not a 500."""

    async def run() -> None:
        async with make_client(callback_max_attempts=2) as client:
            ns = NS(client, "cb-client-error")
            await ns.create(profile="fast", seed=2)
            d = await person(ns)
            await ns.accepted("icbc", ns.body(d, "00", callback_url=f"http://127.0.0.1:{closed_port()}/cb"))
            session = client._transport.app.state.sessions.require("cb-client-error")  # type: ignore[attr-defined]
            for _, _, delivery in session.outbox._heap:
                delivery.url = "http://[::1"  # as if stored before validation existed
            r = await client.post("/admin/sessions/cb-client-error/advance", json={"seconds": 86400})
            assert r.status_code == 200 and r.json()["callback_attempts"] == 2

    asyncio.run(run())


def test_a_bad_setting_is_named_where_it_was_given() -> None:
    from core_flow.errors import UserError

    with pytest.raises(UserError) as info:
        Settings.from_env({}, seed=-1)  # zhixing agencies serve --seed -1
    assert info.value.where == "--seed"
    with pytest.raises(UserError) as info:
        Settings.from_env({}, time_scale=-1)
    assert info.value.where == "--time-scale"
    with pytest.raises(UserError) as info:
        Settings.from_env({"ZHIXING_AGENCIES_TIME_SCALE": "-2"})
    assert info.value.where == "ZHIXING_AGENCIES_TIME_SCALE"


def test_serve_takes_a_setting_from_the_environment_unless_given_as_an_option(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`zhixing agencies serve`: option > ZHIXING_AGENCIES_<SETTING> > default. Each case is refused before anything
    binds, so the refusal names where the effective value came from."""
    from zhixing.cli import main

    monkeypatch.setenv("ZHIXING_AGENCIES_PROFILE", "nope")
    assert main(["agencies", "serve"]) == 2
    assert "ZHIXING_AGENCIES_PROFILE: 未知的行为配置 'nope'" in capsys.readouterr().err
    monkeypatch.setenv("ZHIXING_AGENCIES_SEED", "-3")
    assert main(["agencies", "serve", "--profile", "fast"]) == 2  # the option's profile is used, the env's seed
    assert "ZHIXING_AGENCIES_SEED: 服务设置无效" in capsys.readouterr().err
    assert main(["agencies", "serve", "--profile", "nope2", "--seed", "1"]) == 2
    assert "--profile: 未知的行为配置 'nope2'" in capsys.readouterr().err
    monkeypatch.delenv("ZHIXING_AGENCIES_SEED")
    monkeypatch.delenv("ZHIXING_AGENCIES_PROFILE")
    monkeypatch.setenv("ZHIXING_AGENCIES_HOST", "0.0.0.0")  # beyond loopback, no tokens: refused, named by its source
    assert main(["agencies", "serve"]) == 2
    assert "ZHIXING_AGENCIES_HOST: 未配置令牌时拒绝监听非本机地址 0.0.0.0" in capsys.readouterr().err


def test_serve_names_a_state_file_it_cannot_open_before_it_starts(tmp_path, monkeypatch, capsys) -> None:
    """A state file that is not a database was reported against ZHIXING_AGENCIES_STATE_PATH although given as --state,
    and only after the server had announced itself."""
    from zhixing.cli import main

    bad = tmp_path / "state.db"
    bad.write_text("not a database", encoding="utf-8")
    assert main(["agencies", "serve", "--state", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "--state: 无法打开状态文件" in captured.err and "模拟机构 / mock agencies" not in captured.out
    monkeypatch.setenv("ZHIXING_AGENCIES_STATE_PATH", str(bad))
    assert main(["agencies", "serve"]) == 2
    assert "ZHIXING_AGENCIES_STATE_PATH: 无法打开状态文件" in capsys.readouterr().err
    assert bad.read_text(encoding="utf-8") == "not a database"  # nothing already there is changed
