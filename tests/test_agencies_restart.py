"""State survives a restart (issue 13, point 4): ``zhixing agencies serve --state FILE`` keeps every namespace in
SQLite; a real ``kill -9`` of the server process in the middle of a run of 1,000 freezes, a restart on the same
file, and the run goes on — every request number has exactly one ticket, no ticket id is used twice, the account
holds exactly the 1,000 freezes (nothing lost, nothing duplicated), the virtual clock reads where it stopped.

Readiness is awaited with bounded polls; virtual time is skipped with ``advance``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.test_agencies_live import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = 1000
KILL_AT = 437  # the killer strikes while the run is under way, independently of the client
BALANCE = 1_000_000
ACCOUNTS = 100
AMOUNT = 1_000
NS = {"X-Zhixing-Session": "restart"}


class Server:
    def __init__(self, state: Path, port: int, log: Path) -> None:
        self.state, self.port, self.log = state, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHIXING_AGENCIES_WORLD_SIZE": "200"}
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "zhixing", "agencies", "serve", "--port", str(self.port), "--time-scale",
                 "0", "--profile", "fast", "--state", str(self.state), "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        with httpx.Client(base_url=self.url, timeout=2) as client:
            for _ in range(1200):  # bounded readiness wait (≤ 60 s: a loaded 2-core CI machine)
                assert self.proc.poll() is None, self.log.read_text()
                try:
                    if client.get("/agencies").status_code == 200:
                        return
                except httpx.HTTPError:
                    threading.Event().wait(0.05)
        raise RuntimeError("the server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def test_kill_9_in_the_middle_of_a_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    server = Server(tmp_path / "agencies.sqlite", free_port(), tmp_path / "server.log")
    server.start()
    killed = threading.Event()
    sent = [0]
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.put("/admin/sessions/restart", json={"profile": "fast", "seed": 2}).status_code == 200
            debtor = client.get("/admin/sessions/restart/debtors/0").json()
            subject = {"kind": debtor["kind"], "name": debtor["name"], "id_number": debtor["id_number"]}
            accounts = [f"PIN{n:08d}" for n in range(ACCOUNTS)]  # the freezes spread over 100 accounts
            holdings = [{"account_no": a, "kind": "deposit", "balance_cents": BALANCE, "available_cents": BALANCE}
                        for a in accounts]
            pin = {"agency": "icbc", "id_number": debtor["id_number"], "holdings": holdings}
            assert client.put("/admin/sessions/restart/pins", json=pin).status_code == 200

            def killer() -> None:
                while sent[0] < KILL_AT:
                    threading.Event().wait(0.001)
                server.kill9()
                killed.set()

            threading.Thread(target=killer, daemon=True).start()
            restarts = 0
            i = 0
            clock_before = None
            while i < OPERATIONS:
                body = {"request_no": f"K{i:04d}", "court_code": "R410811", "case_no": "(2026)豫0811执1号",
                        "measure": "01", "subject": subject, "account_no": accounts[i % ACCOUNTS],
                        "amount_cents": AMOUNT}
                try:
                    sent[0] = i
                    r = client.post("/agencies/icbc/requests", json=body, headers=NS)
                    assert r.status_code in (200, 202), r.text
                    if i % 100 == 99:
                        assert client.post("/admin/sessions/restart/advance", json={"seconds": 60}).status_code == 200
                        clock_before = client.get("/admin/sessions/restart/clock").json()["now"]
                    i += 1
                except httpx.HTTPError:  # the server died under this request: restart it, send the same again
                    assert killed.wait(timeout=10) and restarts == 0
                    restarts += 1
                    server.start()
                    now = client.get("/admin/sessions/restart/clock").json()["now"]
                    assert clock_before is not None and now >= clock_before  # the clock reads on from the save
            assert restarts == 1 and killed.is_set()

            assert client.post("/admin/sessions/restart/advance", json={"seconds": 3600}).status_code == 200
            tickets = []
            for n in range(OPERATIONS):
                r = client.get("/agencies/icbc/requests", params={"request_no": f"K{n:04d}"}, headers=NS)
                assert r.status_code == 200, (n, r.text)
                assert r.json()["ticket"]["status"] == "answered" and r.json()["feedback"]["ok"], (n, r.text)
                tickets.append(r.json()["ticket"]["ticket_id"])
            assert len(set(tickets)) == OPERATIONS  # one ticket per request number, none reused after the restart
            held = client.get(f"/admin/sessions/restart/holdings/icbc/{debtor['id_number']}").json()
            assert [h["account_no"] for h in held] == accounts
            for h in held:  # each account holds exactly its 10 freezes: nothing lost, nothing twice
                freezes = h["existing_freezes"]
                assert len(freezes) == OPERATIONS // ACCOUNTS and {f["amount_cents"] for f in freezes} == {AMOUNT}
                assert h["available_cents"] == BALANCE - OPERATIONS // ACCOUNTS * AMOUNT
            ledger = client.get("/admin/sessions/restart/ledger").json()
            assert ledger["total_cents"] == ledger["origin_cents"]  # money conserved
    finally:
        server.stop()


async def test_pending_callbacks_and_retired_numbers_resume_after_a_restart(tmp_path: Path) -> None:
    """In process: the same state file read by a second service (as after a restart)."""
    import respx

    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings

    settings = Settings(background=False, world_size=200, time_scale=0.0, profile="fast",
                        state_path=str(tmp_path / "state.sqlite"), callback_hosts=("court.test",))
    url = "http://court.test/cb"
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url).mock(return_value=httpx.Response(503))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                                     base_url="http://agencies.test") as client:
            assert (await client.put("/admin/sessions/cb", json={"profile": "fast", "seed": 2})).is_success
            d = (await client.get("/admin/sessions/cb/debtors/0")).json()
            body = {"request_no": "CB-1", "court_code": "R410811", "case_no": "(2026)豫0811执1号", "measure": "00",
                    "subject": {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]},
                    "callback_url": url}
            first = await client.post("/agencies/icbc/requests", json=body, headers={"X-Zhixing-Session": "cb"})
            assert first.status_code == 202
            assert (await client.post("/admin/sessions/cb/advance", json={"seconds": 60})).is_success
            assert route.call_count >= 1  # the receiver is down: the callback waits for its next attempt
        route.mock(return_value=httpx.Response(200))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                                     base_url="http://agencies.test") as client:
            pending = (await client.get("/admin/sessions/cb/callbacks")).json()["pending"]
            assert [p["key"] for p in pending] == [first.json()["ticket_id"]]
            summary = (await client.post("/admin/sessions/cb/advance", json={"seconds": 3600})).json()
            assert summary["callbacks_acknowledged"] == 1 and summary["pending_callbacks"] == 0
            again = await client.post("/agencies/icbc/requests", json=body, headers={"X-Zhixing-Session": "cb"})
            assert again.status_code == 200 and again.json()["ticket_id"] == first.json()["ticket_id"]
