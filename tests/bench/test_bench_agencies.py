"""`make bench`: requests per second the mock agencies sustain with the `fast` profile on uvicorn loopback,
against a bare uvicorn JSON endpoint measured in the same run with the same load generator (concurrent
httpx clients). Prints both figures and the ratio (target ≥ 0.5); no timing asserts."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 16
REQUESTS = 2000

BARE_APP = """
import uvicorn

BODY = b'{"ticket_id":"TK0000000001","status":"accepted"}'

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 202,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})

uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, url: str) -> None:
    for _ in range(400):  # bounded: ≤ 20 s
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        try:
            proc.wait(timeout=0.05)  # also notices a server that died
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"server exited with {proc.returncode}")
    raise RuntimeError(f"server at {url} not ready")


def _start(args: list[str], env: dict[str, str], ready_path: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    args = [a.replace("{port}", str(port)) for a in args]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url + ready_path)
    except Exception:
        proc.kill()
        raise
    return proc, url


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    mock_args = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "mock_agencies.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    mock_env = {
        "ZHIXING_AGENCIES_PROFILE": "fast",
        "ZHIXING_AGENCIES_TIME_SCALE": "0",
        "ZHIXING_AGENCIES_WORLD_SIZE": "100000",
    }
    bare_args = [sys.executable, "-c", BARE_APP]
    procs = []
    try:
        mock, mock_url = _start(mock_args, mock_env, "/agencies")
        procs.append(mock)
        bare, bare_url = _start(bare_args, {}, "/")
        procs.append(bare)
        yield {"mock": mock_url, "bare": bare_url}
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def _subject() -> dict:
    from mock_agencies.world import World

    debtor = World(0, size=1000).debtor(0)
    return {"kind": debtor.kind.value, "name": debtor.name, "id_number": debtor.id_number}


async def _load(base_url: str, path: str, bodies: Iterator[dict], n: int, concurrency: int) -> float:
    """Send ``n`` POSTs with ``concurrency`` clients; returns requests per second (2xx only counted)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        counter = itertools.count()
        ok = 0

        async def worker() -> None:
            nonlocal ok
            while next(counter) < n:
                r = await client.post(path, json=next(bodies))
                ok += 200 <= r.status_code < 300

        await asyncio.gather(*(worker() for _ in range(min(concurrency, 4))))  # warm-up connections
        counter, ok = itertools.count(), 0
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    assert ok == n, f"{n - ok} requests failed"
    return n / elapsed


def test_bench_mock_vs_bare_uvicorn(benchmark: pytest.FixtureRequest, servers: dict[str, str]) -> None:
    subject = _subject()
    numbers = itertools.count()

    def control_bodies() -> Iterator[dict]:
        while True:
            yield {
                "request_no": f"B{next(numbers)}",
                "court_code": "R410811",
                "case_no": "(2026)豫0811执1号",
                "measure": "00",
                "subject": subject,
            }

    bodies = control_bodies()
    results: dict[str, float] = {}

    def run() -> None:
        results["bare"] = asyncio.run(_load(servers["bare"], "/", bodies, REQUESTS, CONCURRENCY))
        results["mock"] = asyncio.run(_load(servers["mock"], "/agencies/icbc/requests", bodies, REQUESTS, CONCURRENCY))

    benchmark.pedantic(run, rounds=1, iterations=1)
    ratio = results["mock"] / results["bare"]
    benchmark.extra_info.update({"mock_rps": results["mock"], "bare_rps": results["bare"], "ratio": ratio})
    print(
        f"\n模拟机构 / mock agencies (fast): {results['mock']:.0f} req/s; "
        f"bare uvicorn JSON endpoint: {results['bare']:.0f} req/s; ratio {ratio:.2f} (target ≥ 0.5)"
    )
