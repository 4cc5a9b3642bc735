"""The kit's own callback receiver on loopback: records every post; a path ``/flaky/N/<name>`` refuses (HTTP 500)
the first N posts of each idempotency key before acknowledging, so the suite sees the sender retry.

The sender is the system under test and may post anything: a body that is not JSON is recorded as its text, one
without a usable Content-Length or beyond ``MAX_BODY`` is answered 400 / 413 (and recorded as such), a sender that
stalls is cut off after ``TIMEOUT`` seconds, and nothing it does prints a traceback."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core_flow.errors import UserError
from core_flow.os_text import os_reason

MAX_BODY = 2**20  # bytes of one callback's body
MAX_ARRIVALS = 10_000  # callbacks kept; beyond, a flood: answered 503 and only counted
TIMEOUT = 10.0  # seconds a sender may take to send its request


def _why(err: OSError | OverflowError) -> tuple[str, str]:
    """An OSError's reason in both languages; a port out of range (OverflowError) as Python says it."""
    return os_reason(err) if isinstance(err, OSError) else (str(err), str(err))


@dataclass(frozen=True)
class Arrival:
    path: str
    key: str
    status: int  # what the receiver answered
    body: Any


class CallbackReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, advertise: str | None = None) -> None:
        """Listen on ``host``:``port`` (0: any free port); the callback URLs given to the system under test name
        ``advertise`` (a host it can reach: this machine's address on the vendor's network; default ``host``). A port
        in use or an address not of this machine is a located ``UserError`` (``--callback-host``)."""
        self.arrivals: list[Arrival] = []
        self.flooded = 0  # posts refused because MAX_ARRIVALS had come already
        self.lock = threading.Lock()
        self._seen: dict[tuple[str, str], int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            timeout = TIMEOUT  # a stalled sender does not hold a thread for ever

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw_length = self.headers.get("Content-Length", "0") or "0"
                length = int(raw_length) if raw_length.isdigit() else -1
                if length < 0 or length > MAX_BODY:
                    status = receiver._record(self.path, self.headers.get("Idempotency-Key", ""),
                                              f"<Content-Length {raw_length[:40]!r}: not read>", refuse=400
                                              if length < 0 else 413)
                    self.close_connection = True
                else:
                    raw = self.rfile.read(length) if length else b""
                    try:
                        body: Any = json.loads(raw or b"null")
                    except (ValueError, RecursionError):  # not JSON, or nested beyond what Python parses
                        body = raw[:2000].decode("utf-8", "replace")
                    status = receiver._record(self.path, self.headers.get("Idempotency-Key", ""), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a sender that hangs up or times out mid-request: nothing to answer, nothing to print

        try:
            self._server = Server((host, port), Handler)
        except (OSError, OverflowError) as err:
            zh, en = _why(err)
            raise UserError(f"回调接收端无法在 {host}:{port} 监听：{zh}",
                            f"the callback receiver cannot listen on {host}:{port}: {en}",
                            where="--callback-host") from None
        self._server.daemon_threads = True
        shown = advertise or host
        self.url = f"http://{f'[{shown}]' if ':' in shown else shown}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _record(self, path: str, key: str, body: Any, refuse: int | None = None) -> int:
        with self.lock:
            if len(self.arrivals) >= MAX_ARRIVALS:
                self.flooded += 1
                return 503
            if refuse is not None:
                self.arrivals.append(Arrival(path, key, refuse, body))
                return refuse
            status = 200
            parts = path.strip("/").split("/")
            if len(parts) >= 2 and parts[0] == "flaky" and parts[1].isdigit():
                seen = self._seen.get((path, key), 0)
                self._seen[(path, key)] = seen + 1
                status = 500 if seen < int(parts[1]) else 200
            self.arrivals.append(Arrival(path, key, status, body))
            return status

    def at(self, path: str) -> list[Arrival]:
        with self.lock:
            return [a for a in self.arrivals if a.path == path]

    def __enter__(self) -> CallbackReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
