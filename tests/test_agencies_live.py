"""The mock agencies served by uvicorn on loopback: a real HTTP round trip, a callback to a small receiver
on loopback, a dropped connection, and a clean shutdown. Readiness and arrivals are awaited with bounded
waits on events — virtual time is never slept through."""

from __future__ import annotations

import json
import queue
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn

from mock_agencies.app import create_app
from mock_agencies.settings import Settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn server on loopback in a thread: the mock agencies of ``settings``, or any ``app`` on ``port``."""

    def __init__(self, settings: Settings | None = None, *, app: object = None, port: int | None = None,
                 **config_options: Any) -> None:
        port = settings.port if settings is not None else port
        app = create_app(settings) if app is None else app
        options = {"log_level": "critical", "lifespan": "on", **config_options}  # uvicorn.Config's own keywords
        config = uvicorn.Config(app, host="127.0.0.1", port=port, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        for _ in range(500):  # bounded readiness wait (≤ 10 s)
            if self.server.started:
                return self
            self.thread.join(timeout=0.02)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "server did not shut down"


class Receiver:
    """A callback receiver on loopback: acknowledges with 200 and queues what it got."""

    def __init__(self) -> None:
        received: queue.Queue[tuple[dict[str, str], Any]] = queue.Queue()
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                received.put((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live() -> Iterator[LiveServer]:
    settings = Settings(port=free_port(), profile="fast", world_size=1000, time_scale=1.0)
    with LiveServer(settings) as server:
        yield server


def test_round_trip_with_callback_over_loopback(live: LiveServer) -> None:
    with Receiver() as receiver, httpx.Client(base_url=live.url, timeout=10) as client:
        agencies = client.get("/agencies").json()
        assert any(a["code"] == "icbc" for a in agencies)
        assert client.get("/docs").status_code == 200
        assert "/agencies/{code}/requests" in client.get("/openapi.json").json()["paths"]
        debtor = client.get("/admin/sessions/live/debtors/0").json()
        body = {
            "request_no": "LIVE-1",
            "court_code": "R410811",
            "case_no": "(2026)豫0811执1号",
            "measure": "00",
            "subject": {"kind": debtor["kind"], "name": debtor["name"], "id_number": debtor["id_number"]},
            "callback_url": receiver.url,
        }
        headers = {"X-Zhixing-Session": "live"}
        r = client.post("/agencies/icbc/requests", json=body, headers=headers)
        assert r.status_code == 202, r.text
        ticket = r.json()
        got_headers, payload = receiver.received.get(timeout=10)  # posted by the server's ticker
        assert payload["ticket_id"] == ticket["ticket_id"] and payload["ok"] is True
        assert got_headers["Idempotency-Key"] == ticket["ticket_id"]
        polled = client.get(f"/agencies/icbc/requests/{ticket['ticket_id']}", headers=headers).json()
        assert polled["feedback"] == payload
        repeat = client.post("/agencies/icbc/requests", json=body, headers=headers)
        assert repeat.status_code == 200 and repeat.json()["ticket_id"] == ticket["ticket_id"]
        assert receiver.received.empty()  # a repeated request is not answered twice


def test_connection_reset_fault_over_real_http(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        r = client.put("/admin/sessions/resets/faults", json={"reset": 1.0})
        assert r.status_code == 200
        debtor = client.get("/admin/sessions/resets/debtors/0").json()
        body = {
            "request_no": "RESET-1",
            "court_code": "R410811",
            "case_no": "X",
            "measure": "00",
            "subject": {"kind": debtor["kind"], "name": debtor["name"], "id_number": debtor["id_number"]},
        }
        with pytest.raises(httpx.TransportError):
            client.post("/agencies/icbc/requests", json=body, headers={"X-Zhixing-Session": "resets"})
        assert client.get("/admin/sessions/resets").json()["tickets"] == 0  # the server is still up
