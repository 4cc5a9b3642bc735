"""A lean HTTP/1.1 load generator for `make bench`, run in its own process:

    python tests/bench/loadgen.py < spec.json      →  one JSON report on stdout

It keeps ``connections`` persistent keep-alive connections to one loopback server; each connection has at
most ``depth`` requests in flight (``depth`` > 1 pipelines) and sends the next request as soon as a response
is complete (status line, headers, ``Content-Length`` body). Requests are built before the clock starts
from ``templates`` (round-robin); ``marker`` in a template's body or path is replaced by the request's
serial number, so every request can carry a unique number. A warm-up phase (not counted) runs first on
the same connections. Each phase stops by itself: after its request count, or at its wall-clock cap, or
when every connection is gone.

The report: ``completed`` (2xx responses), ``errors`` (non-2xx responses + requests lost to a closed or
unparsable connection), ``statuses``, ``elapsed`` seconds, ``rps``, ``stopped_by`` (count | time |
connections), ``cpu_seconds`` of this process (to show the generator is not the bottleneck), ``loop``
(uvloop when installed, else asyncio) and the same figures for the warm-up under ``warmup``. Standard
library only (uvloop optional); only 127.0.0.1 is accepted.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

LOOPBACK = "127.0.0.1"
MAX_HEADER_BYTES = 64 * 1024
_BODYLESS = {204, 304}


@dataclass
class Spec:
    port: int
    templates: list[dict[str, Any]]
    host: str = LOOPBACK
    connections: int = 16
    depth: int = 1
    requests: int = 10_000
    max_seconds: float = 5.0
    warmup: int = 500
    warmup_seconds: float = 3.0
    marker: str = "@@N@@"
    first: int = 0  # serial number of the first (warm-up) request

    def __post_init__(self) -> None:
        if self.host != LOOPBACK:
            raise ValueError(f"loopback only / 只允许本机地址: {self.host!r}")
        if not self.templates:
            raise ValueError("no request templates / 缺少请求模板")
        if not (1 <= self.connections <= 1024 and 1 <= self.depth <= 64):
            raise ValueError("connections in 1..1024, depth in 1..64")
        if not (0 < self.max_seconds <= 600 and 0 < self.warmup_seconds <= 600):
            raise ValueError("max_seconds and warmup_seconds in (0, 600]")
        if self.requests < 1 or self.warmup < 0 or self.first < 0:
            raise ValueError("requests ≥ 1, warmup ≥ 0, first ≥ 0")


def build_requests(spec: Spec, start: int, count: int) -> list[bytes]:
    """``count`` raw requests numbered ``start``…, templates taken round-robin."""
    out = []
    marker = spec.marker
    for i in range(count):
        t = spec.templates[i % len(spec.templates)]
        n = str(start + i)
        method = t.get("method", "GET")
        path = t["path"].replace(marker, n)
        body = t.get("body", "").replace(marker, n).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {spec.host}:{spec.port}"]
        lines += [f"{k}: {v}" for k, v in t.get("headers", {}).items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        out.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return out


@dataclass
class Phase:
    """One counted run over the shared connections."""

    requests: list[bytes]
    next_index: int = 0
    completed: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    started: float = 0.0
    elapsed: float = 0.0
    stopped_by: str = ""
    done: asyncio.Future | None = None

    def take(self) -> bytes | None:
        if self.stopped_by or self.next_index >= len(self.requests):
            return None
        self.next_index += 1
        return self.requests[self.next_index - 1]

    def answered(self, status: int) -> None:
        if self.stopped_by:  # a late response after a time stop: not counted
            return
        self.statuses[status] += 1
        if 200 <= status < 300:
            self.completed += 1
        else:
            self.errors += 1
        if self.completed + self.errors >= len(self.requests):
            self.stop("count")

    def lost(self, count: int) -> None:
        self.errors += count
        self.statuses["lost"] += count
        if self.completed + self.errors >= len(self.requests):
            self.stop("count")

    def stop(self, why: str) -> None:
        if self.stopped_by:
            return
        self.elapsed = time.perf_counter() - self.started
        self.stopped_by = why
        if self.done is not None and not self.done.done():
            self.done.set_result(None)

    def report(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "errors": self.errors,
            "sent": self.next_index,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))},
            "elapsed": self.elapsed,
            "rps": self.completed / self.elapsed if self.elapsed > 0 else 0.0,
            "stopped_by": self.stopped_by,
        }


class Connection(asyncio.Protocol):
    """One keep-alive connection: parses responses, refills up to ``depth`` requests in flight."""

    def __init__(self, depth: int, on_closed: Any, on_idle: Any) -> None:
        self.depth = depth
        self.on_closed = on_closed
        self.on_idle = on_idle
        self.transport: asyncio.Transport | None = None
        self.phase: Phase | None = None
        self.buf = bytearray()
        self.need = -1  # total bytes of the response being read (-1: headers not complete)
        self.status = 0
        self.in_flight = 0
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def start(self, phase: Phase) -> None:
        self.phase = phase
        self.fill()

    def fill(self) -> None:
        phase, transport = self.phase, self.transport
        if phase is None or transport is None or self.closed:
            return
        chunks = []
        while self.in_flight < self.depth:
            req = phase.take()
            if req is None:
                break
            chunks.append(req)
            self.in_flight += 1
        if chunks:
            transport.write(b"".join(chunks))

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        while True:
            if self.need < 0:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEADER_BYTES:
                        self._fail()
                    return
                head = bytes(buf[:end]).lower()
                try:
                    self.status = int(head[9:12])
                    length = _content_length(head, self.status)
                except ValueError:
                    self._fail()
                    return
                self.need = end + 4 + length
            if len(buf) < self.need:
                return
            del buf[: self.need]
            self.need = -1
            self.in_flight -= 1
            if self.phase is not None:
                self.phase.answered(self.status)
            self.fill()
            if not self.in_flight:
                self.on_idle()

    def _fail(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.phase is not None and self.in_flight and not self.phase.stopped_by:
            self.phase.lost(self.in_flight)
        self.in_flight = 0
        self.on_closed(self)
        self.on_idle()


def _content_length(head: bytes, status: int) -> int:
    if status < 200 or status in _BODYLESS:
        return 0
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        raise ValueError("no content-length")
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17 : end if end >= 0 else len(head)])


async def run(spec: Spec) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    warm = build_requests(spec, spec.first, spec.warmup)
    measured = build_requests(spec, spec.first + spec.warmup, spec.requests)
    live: set[Connection] = set()
    current: list[Phase] = []
    drained = asyncio.Event()

    def idle() -> None:
        if not any(c.in_flight for c in live):
            drained.set()

    def closed(conn: Connection) -> None:
        live.discard(conn)
        if not live and current:
            current[0].stop("connections")

    conns = []
    for _ in range(spec.connections):
        _, proto = await asyncio.wait_for(
            loop.create_connection(lambda: Connection(spec.depth, closed, idle), spec.host, spec.port), timeout=10
        )
        conns.append(proto)
        live.add(proto)

    async def phase(requests: list[bytes], cap: float) -> Phase:
        p = Phase(requests, done=loop.create_future())
        current[:] = [p]
        if not requests:
            return p
        p.started = time.perf_counter()
        timer = loop.call_later(cap, p.stop, "time")
        for c in list(live):
            c.start(p)
        if not live:
            p.stop("connections")
        assert p.done is not None
        await p.done
        timer.cancel()
        return p

    cpu0 = _cpu()
    warm_phase = await phase(warm, spec.warmup_seconds)
    # the warm-up's outstanding responses (after a time stop) arrive before counting starts
    drained.clear()
    idle()
    await asyncio.wait_for(drained.wait(), timeout=30)
    cpu1 = _cpu()
    main_phase = await phase(measured, spec.max_seconds)
    cpu2 = _cpu()
    for c in conns:
        if c.transport is not None:
            c.transport.close()
    report = main_phase.report()
    report["cpu_seconds"] = cpu2 - cpu1
    report["connections"] = spec.connections
    report["depth"] = spec.depth
    report["warmup"] = {**warm_phase.report(), "cpu_seconds": cpu1 - cpu0}
    return report


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    spec = Spec(**json.load(sys.stdin))
    try:  # the leaner loop when installed (uvicorn[standard]): the generator stays ahead of the server
        import uvloop

        loop_name, new_loop = "uvloop", uvloop.new_event_loop
    except ImportError:
        loop_name, new_loop = "asyncio", asyncio.new_event_loop
    with asyncio.Runner(loop_factory=new_loop) as runner:
        report = runner.run(asyncio.wait_for(run(spec), timeout=spec.max_seconds + spec.warmup_seconds + 30))
    report["loop"] = loop_name
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
