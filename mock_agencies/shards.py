"""The mock agencies as several processes: each process (a *shard*) owns the debtors whose ID number hashes
to it, so a debtor's ledger — holdings, freezes, 轮候 queues, deductions — lives in exactly one process and the
service as a whole uses every core.

* :func:`shard_of` is the routing rule, published with the shard map: ``crc32(id_number) mod count`` (zlib's
  CRC-32 of the ASCII number, upper-case). It is stable across processes, runs and machines (Python's own
  ``hash`` is not).
* ``GET /shards`` (every shard serves it) returns the map: ``{"count", "index", "hash", "shards": [{"index",
  "url", "pid"}]}``. A client sends a debtor's requests to ``shards[shard_of(id_number, count)].url``.
* :class:`ShardGuard` (in front of the app) refuses a request about a debtor another shard owns with
  ``421 Misdirected Request`` and the owning shard's URL (``error.shard_url``): a wrong route never creates a
  second ledger for a debtor. The debtor number in that error body is masked (``core_flow.masking``) unless the
  server's ``unmask`` setting is on. It checks every debtor number a request carries — ``subject.id_number`` /
  ``id_number`` in a JSON body (a 查控 submit, pins) and a number in the path (holdings). Requests about no
  debtor (the catalogue, polls by ticket, admin, auction and pricing) are served by whichever shard gets
  them: tickets, namespaces, the auction and pricing platforms are per process — poll a ticket at the shard
  that issued it.
* :func:`serve_shards` starts ``count`` uvicorn processes on consecutive ports (``zhixing agencies serve
  --processes N``), each built by :func:`create_shard_app` from the environment.

Routing is the client's (as with Redis Cluster's slot map) rather than a proxy's: on a 2-core machine a proxy
process would spend a core relaying bytes, and the limit measured would be the proxy's.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import zlib
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.errors import UserError
from core_flow.masking import mask_data
from mock_agencies.fastpath import replay_messages

ENV_INDEX = "ZHIXING_SHARD_INDEX"
ENV_URLS = "ZHIXING_SHARD_URLS"  # comma-separated base URLs of every shard, in index order
HASH_NAME = "crc32"

_BODY_ID = re.compile(rb'"id_number"\s*:\s*"([^"\\]{1,64})"')
_PATH_ID = re.compile(r"^/admin/sessions/[^/]+/holdings/[^/]+/([^/]+)$")


def shard_of(id_number: str, count: int) -> int:
    """The shard that owns ``id_number`` among ``count`` shards."""
    if count <= 1:
        return 0
    return zlib.crc32(id_number.strip().upper().encode("ascii", "replace")) % count


class ShardMap:
    """This process's place among the shards."""

    def __init__(self, index: int, urls: Sequence[str], pids: Sequence[int | None] | None = None) -> None:
        if not urls or not 0 <= index < len(urls):
            raise UserError(
                f"分片序号 {index} 不在 0 至 {len(urls) - 1} 之间",
                f"shard index {index} is not within 0..{len(urls) - 1}",
                where=ENV_INDEX,
            )
        self.index = index
        self.urls = tuple(u.rstrip("/") for u in urls)
        self.pids = list(pids) if pids is not None else [None] * len(self.urls)
        self.pids[index] = os.getpid()

    @property
    def count(self) -> int:
        return len(self.urls)

    def owner(self, id_number: str) -> int:
        return shard_of(id_number, self.count)

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "index": self.index,
            "hash": HASH_NAME,
            "rule": "zlib.crc32(id_number.upper().encode('ascii')) % count",
            "shards": [{"index": i, "url": u, "pid": self.pids[i]} for i, u in enumerate(self.urls)],
        }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ShardMap | None:
        env = os.environ if environ is None else environ
        urls = [u for u in env.get(ENV_URLS, "").split(",") if u]
        if not urls:
            return None
        try:
            index = int(env.get(ENV_INDEX, "0"))
        except ValueError:
            index = -1
        return cls(index, urls)


class ShardGuard:
    """ASGI wrapper: answers ``GET /shards`` and refuses requests about debtors of another shard (421)."""

    def __init__(self, app: ASGIApp, shards: ShardMap, *, unmask: bool = False) -> None:
        self.app = app
        self.shards = shards
        self.unmask = unmask  # the server's explicit unmask setting; error bodies are masked otherwise
        self._map_body = json.dumps(shards.as_json()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/shards" and scope["method"] == "GET":
            await _send_json(send, 200, self._map_body)
            return
        if self.shards.count > 1:
            match = _PATH_ID.match(path)
            if match is not None and not await self._check(send, [match.group(1)]):
                return
            if scope["method"] in ("POST", "PUT", "PATCH") and path.startswith(("/agencies/", "/admin/")):
                messages, body = await _read(receive)
                ids = [m.decode("ascii", "replace") for m in _BODY_ID.findall(body)]
                if ids and not await self._check(send, ids):
                    return
                receive = replay_messages(messages, receive)
        await self.app(scope, receive, send)

    async def _check(self, send: Send, ids: list[str]) -> bool:
        """True when this shard owns every number; otherwise a 421 naming the owner is sent."""
        mine = self.shards.index
        for id_number in ids:
            owner = self.shards.owner(id_number)
            if owner != mine:
                url = self.shards.urls[owner]
                body = {
                    "error": {
                        "code": "misdirected",
                        "where": "subject.id_number",
                        "zh": f"被执行人 {id_number} 的台账在分片 {owner}（{url}），本分片为 {mine}",
                        "en": f"debtor {id_number} belongs to shard {owner} ({url}); this is shard {mine}",
                        "message": f"subject.id_number: 分片错误 / misdirected to shard {mine}, owner {owner}",
                        "fields": [],
                        "shard": owner,
                        "shard_url": url,
                    }
                }
                if not self.unmask:
                    body = mask_data(body)
                await _send_json(send, 421, json.dumps(body, ensure_ascii=False).encode())
                return False
        return True


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")],
    })
    await send({"type": "http.response.body", "body": body})


async def _read(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return messages, body



def create_shard_app() -> ASGIApp:
    """``uvicorn --factory mock_agencies.shards:create_shard_app``: the app of one shard, settings from
    ``ZHIXING_AGENCIES_*`` and the shard from ``ZHIXING_SHARD_INDEX`` / ``ZHIXING_SHARD_URLS`` (one shard when
    unset)."""
    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings

    settings = Settings.from_env()
    shards = ShardMap.from_env() or ShardMap(0, [f"http://{settings.host}:{settings.port}"])
    app = create_app(settings)
    app.state.shards = shards
    return ShardGuard(app, shards, unmask=settings.unmask)


def shard_commands(host: str, ports: Sequence[int], log_level: str = "warning") -> list[tuple[list[str], dict]]:
    """The command and extra environment of every shard process."""
    urls = ",".join(f"http://{host}:{p}" for p in ports)
    out = []
    for i, port in enumerate(ports):
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "mock_agencies.shards:create_shard_app",
               "--host", host, "--port", str(port), "--log-level", log_level, "--no-access-log"]
        env = {ENV_INDEX: str(i), ENV_URLS: urls, "ZHIXING_AGENCIES_HOST": host, "ZHIXING_AGENCIES_PORT": str(port)}
        out.append((cmd, env))
    return out


def serve_shards(host: str, ports: Sequence[int], settings_env: dict[str, str], log_level: str = "warning") -> int:
    """Run one uvicorn process per port until interrupted (or one of them exits); returns an exit code."""
    procs: list[subprocess.Popen] = []
    for cmd, env in shard_commands(host, ports, log_level):
        procs.append(subprocess.Popen(cmd, env={**os.environ, **settings_env, **env}))

    def stop(*_: Any) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while True:
            for p in procs:
                try:
                    rc = p.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    continue
                code = rc or code
                raise SystemExit
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        signal.signal(signal.SIGTERM, previous)
    return code
