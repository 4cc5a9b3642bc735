"""Incremental persistence of the agencies' namespaces (issue 13 point 4): a ticket is one row, a save writes only
the records that changed and deletes the retired ones, a namespace created again replaces its rows, and a restart
restores exactly what was saved. (The real kill -9 test is tests/test_agencies_restart.py.)"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

from core_flow.protocol import ControlRequest
from mock_agencies.catalogue import load_catalogue
from mock_agencies.namespaces import SessionManager
from mock_agencies.session import Session
from mock_agencies.settings import Settings

CATALOGUE = load_catalogue()


def _manager(path: Path, **extra: object) -> SessionManager:
    return SessionManager(Settings(profile="fast", time_scale=0.0, world_size=200, background=False,
                                   state_path=str(path), **extra), CATALOGUE)


def _query(session: Session, i: int) -> ControlRequest:
    d = session.world.debtor(i)
    return ControlRequest(request_no=f"Q{i}", court_code="R410811", case_no="C1", measure="00",
                          subject={"kind": d.kind.value, "name": d.name, "id_number": d.id_number})


def _rows(path: Path, namespace: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM tickets WHERE namespace = ?", (namespace,)).fetchone()[0]


def test_a_save_writes_only_the_changed_tickets_and_a_restart_restores_them(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    manager = _manager(path)
    session = manager.get_or_create("ns")
    bank = CATALOGUE.get("icbc")
    for i in range(30):
        session.submit(bank, _query(session, i))
    manager.persist("ns", force=True)
    assert _rows(path, "ns") == 30
    record, _ = session.submit(bank, _query(session, 30))
    _, changes = session.snapshot()
    assert set(changes.rows) == {record.ticket.ticket_id} and not changes.removed and not changes.full
    manager.persist("ns", force=True)
    before = {t: (r.ticket, r.request, r.feedback, r.agency.code) for t, r in session.book.tickets.items()}

    restarted = _manager(path).get("ns")
    assert restarted is not None
    after = {t: (r.ticket, r.request, r.feedback, r.agency.code) for t, r in restarted.book.tickets.items()}
    assert after == before and list(after) == list(before)  # the same tickets, in issue order
    again, duplicate = restarted.submit(bank, _query(restarted, 3))  # a request number is still recognised
    assert duplicate and again.ticket.ticket_id == before["TK0000000004"][0].ticket_id
    assert restarted.snapshot()[1].rows == {}  # nothing changed since the restore


def test_retired_tickets_leave_the_store(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    manager = _manager(path, ticket_retention_seconds=0.0)
    session = manager.get_or_create("ns")
    for i in range(10):
        session.submit(CATALOGUE.get("icbc"), _query(session, i))
    manager.persist("ns", force=True)
    assert _rows(path, "ns") == 10
    asyncio.run(manager.runner("ns").advance(by=timedelta(hours=1)))  # answered
    for ticket_id in list(session.book.tickets)[:6]:
        session.ticket("icbc", ticket_id)  # polled: the answer was handed over, so the ticket may retire
    asyncio.run(manager.runner("ns").advance(by=timedelta(hours=1)))
    manager.persist("ns", force=True)
    assert len(session.book.tickets) == _rows(path, "ns") == 4
    assert _manager(path).get("ns").book.retired == session.book.retired  # their numbers still recognised


def test_a_namespace_created_again_replaces_its_ticket_rows(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    manager = _manager(path)
    session = manager.get_or_create("ns")
    for i in range(5):
        session.submit(CATALOGUE.get("icbc"), _query(session, i))
    manager.persist("ns", force=True)
    manager.reset("ns")
    assert _rows(path, "ns") == 0 and len(_manager(path).get("ns").book.tickets) == 0
    manager.drop("ns")
    assert _manager(path).get("ns") is None
