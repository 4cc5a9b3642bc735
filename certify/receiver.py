"""The kit's own callback receiver on loopback: records every post; a path ``/flaky/N/<name>`` refuses (HTTP 500)
the first N posts of each idempotency key before acknowledging, so the suite sees the sender retry."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Arrival:
    path: str
    key: str
    status: int  # what the receiver answered
    body: Any


class CallbackReceiver:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                status = receiver._record(self.path, self.headers.get("Idempotency-Key", ""), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _record(self, path: str, key: str, body: Any) -> int:
        with self._lock:
            status = 200
            parts = path.strip("/").split("/")
            if len(parts) >= 2 and parts[0] == "flaky" and parts[1].isdigit():
                seen = self._seen.get((path, key), 0)
                self._seen[(path, key)] = seen + 1
                status = 500 if seen < int(parts[1]) else 200
            self.arrivals.append(Arrival(path, key, status, body))
            return status

    def at(self, path: str) -> list[Arrival]:
        with self._lock:
            return [a for a in self.arrivals if a.path == path]

    def __enter__(self) -> CallbackReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
