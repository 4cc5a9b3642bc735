"""The state file cannot be written (a full disk): the request that could not be saved gets a bilingual 503 JSON
("状态文件写入失败：磁盘已满 / could not write the state file: disk full"), not a plain-text 500; what it changed is
undone in memory (the namespace reads back its last save, as a restart would find it), so nothing stays in force
that the client was not told was saved; ``GET /health`` says degraded and why; the log says it once, without
SQLite's "cannot rollback - no transaction is active" hiding the real error. When the disk has room again the same
request goes through and the service is healthy.

The full disk is SQLite's own answer on the store's connection (``database or disk is full``, the transaction
already rolled back, as SQLite does), not a tiny file system (no mounts in CI)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from mock_agencies.app import create_app
from mock_agencies.settings import Settings

NS = {"X-Zhixing-Session": "full"}
ACCOUNT = "PIN00000001"
BALANCE = 715_200  # 7,152 yuan


class FullDisk:
    """The store's connection on a full disk: every write fails as SQLite fails it (rolled back already)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.refused = 0

    def _write(self, sql: str) -> bool:
        return sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))

    def execute(self, sql: str, *args: Any) -> Any:
        if self._write(sql):
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")  # SQLite rolls back itself on SQLITE_FULL
            self.refused += 1
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self.execute(sql) if self._write(sql) else self.db.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def _settings(path: Path) -> Settings:
    return Settings(background=False, world_size=200, time_scale=0.0, profile="fast", state_path=str(path))


def _freeze(subject: dict[str, str], n: int) -> dict[str, Any]:
    return {"request_no": f"F-{n}", "court_code": "R410811", "case_no": "(2026)豫0811执1号", "measure": "01",
            "subject": subject, "account_no": ACCOUNT, "amount_cents": 100_000}


async def test_a_freeze_the_full_disk_cannot_keep_is_refused_undone_and_said(tmp_path: Path, caplog) -> None:
    path = tmp_path / "state.sqlite"
    app = create_app(_settings(path))
    manager = app.state.sessions
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test") as client:
        assert (await client.put("/admin/sessions/full", json={"profile": "fast", "seed": 2})).is_success
        d = (await client.get("/admin/sessions/full/debtors/0")).json()
        subject = {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}
        holding = {"account_no": ACCOUNT, "kind": "deposit", "balance_cents": BALANCE, "available_cents": BALANCE}
        pin = {"agency": "icbc", "id_number": d["id_number"], "holdings": [holding]}
        assert (await client.put("/admin/sessions/full/pins", json=pin)).is_success
        assert (await client.post("/agencies/icbc/requests", json=_freeze(subject, 1), headers=NS)).status_code == 202
        assert (await client.post("/admin/sessions/full/advance", json={"seconds": 600})).is_success
        clock = (await client.get("/admin/sessions/full/clock")).json()["now"]

        healthy = manager.store._db
        manager.store._db = FullDisk(healthy)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            refused = await client.post("/agencies/icbc/requests", json=_freeze(subject, 2), headers=NS)
            assert refused.status_code == 503 and refused.headers["content-type"] == "application/json"
            error = refused.json()["error"]
            assert error["code"] == "state_write_failed"
            assert error["zh"] == "状态文件写入失败：磁盘已满"
            assert error["en"] == "could not write the state file: disk full"
            # undone in memory: the request number is unknown, the account holds the one saved freeze
            poll = await client.get("/agencies/icbc/requests", params={"request_no": "F-2"}, headers=NS)
            assert poll.status_code == 404, poll.text
            held = (await client.get(f"/admin/sessions/full/holdings/icbc/{d['id_number']}")).json()
            assert [f["amount_cents"] for f in held[0]["existing_freezes"]] == [100_000]
            # time passing that cannot be saved is undone too
            assert (await client.post("/admin/sessions/full/advance", json={"seconds": 600})).status_code == 503
            assert (await client.get("/admin/sessions/full/clock")).json()["now"] == clock
            health = await client.get("/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert health.json()["reason"]["zh"] == "状态文件写入失败：磁盘已满"
            assert health.json()["reason"]["en"] == "could not write the state file: disk full"
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(said) == 1 and "磁盘已满" in said[0] and "disk full" in said[0], said  # once, clearly
        assert not any("rollback" in r.getMessage() for r in caplog.records)

        manager.store._db = healthy  # room again: the same request goes through, the service is healthy
        again = await client.post("/agencies/icbc/requests", json=_freeze(subject, 2), headers=NS)
        assert again.status_code == 202, again.text
        assert (await client.post("/admin/sessions/full/advance", json={"seconds": 600})).is_success
        assert (await client.get("/health")).json()["status"] == "ok"

    restarted = create_app(_settings(path))  # the file holds exactly what was acknowledged
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=restarted),
                                 base_url="http://agencies.test") as client:
        held = (await client.get(f"/admin/sessions/full/holdings/icbc/{d['id_number']}")).json()
        assert [f["amount_cents"] for f in held[0]["existing_freezes"]] == [100_000, 100_000]
        assert held[0]["available_cents"] == BALANCE - 200_000


async def test_a_namespace_whose_creation_cannot_be_saved_does_not_exist(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path / "state.sqlite"))
    store = app.state.sessions.store
    store._db = FullDisk(store._db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test") as client:
        created = await client.put("/admin/sessions/never", json={"profile": "fast", "seed": 2})
        assert created.status_code == 503 and created.json()["error"]["code"] == "state_write_failed"
        assert "never" not in app.state.sessions.sessions
        # a GET creates a missing namespace: refused as well while nothing can be saved
        assert (await client.get("/admin/sessions/never")).status_code == 503
        assert "never" not in app.state.sessions.sessions


async def test_a_tick_the_full_disk_cannot_keep_is_undone_said_once_and_tried_again_later(tmp_path: Path,
                                                                                         caplog) -> None:
    """The real-time ticker: the change is undone, said once (no "namespace tick failed" every tick), and the
    ticks wait before trying again instead of redoing and undoing the same work (and its callbacks) each time."""
    app = create_app(_settings(tmp_path / "state.sqlite"))
    manager = app.state.sessions
    session = manager.get_or_create("ticked")
    store = manager.store
    healthy = store._db
    store._db = full = FullDisk(healthy)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        session.journal.record(session.now(), "submit", path="/agencies/icbc/requests", outcome="test")
        await manager.tick_all()
        assert full.refused == 1 and manager.degraded is not None
        assert manager.sessions["ticked"].journal.total == manager._saved_at["ticked"] == 0  # undone: as saved
        for _ in range(2):  # within the retry interval: no tick redoes (and undoes) the work
            session = manager.sessions["ticked"]
            session.journal.record(session.now(), "submit", path="/agencies/icbc/requests", outcome="test")
            await manager.tick_all()
        assert full.refused == 1
        manager._retry_at = 0.0  # the retry is due: tried again, undone again, not said again
        await manager.tick_all()
        assert full.refused == 2
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(said) == 1 and "磁盘已满" in said[0] and "disk full" in said[0], said
    assert not any("tick failed" in r.getMessage() or "rollback" in r.getMessage() for r in caplog.records)
    store._db = healthy
    manager._retry_at = 0.0
    session = manager.sessions["ticked"]
    session.journal.record(session.now(), "submit", path="/agencies/icbc/requests", outcome="test")
    await manager.tick_all()
    assert manager.degraded is None and manager._saved_at["ticked"] == session.journal.total == 1


async def test_sqlite_s_own_full_database_is_the_same_503(tmp_path: Path) -> None:
    """SQLite itself answering SQLITE_FULL (its page limit reached: ``PRAGMA max_page_count``) — its own rollback
    done, as on a full disk — is the same bilingual 503 and the request leaves no trace."""
    app = create_app(_settings(tmp_path / "state.sqlite"))
    db = app.state.sessions.store._db
    subject = {"kind": "person", "name": "张三", "id_number": "110101199003077002"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agencies.test") as client:
        assert (await client.put("/admin/sessions/full", json={"profile": "fast", "seed": 2})).is_success
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute(f"PRAGMA max_page_count={db.execute('PRAGMA page_count').fetchone()[0] + 3}")
        for n in range(1000):
            query = {**_freeze(subject, n), "measure": "00"}
            del query["account_no"], query["amount_cents"]
            r = await client.post("/agencies/icbc/requests", json=query, headers=NS)
            if r.status_code != 202:
                break
        assert r.status_code == 503 and r.json()["error"]["zh"] == "状态文件写入失败：磁盘已满", r.text
        poll = await client.get("/agencies/icbc/requests", params={"request_no": f"F-{n}"}, headers=NS)
        assert poll.status_code == 404
        assert (await client.get("/health")).json()["status"] == "degraded"
