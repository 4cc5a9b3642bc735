"""The durable store of the namespaces: one SQLite file (WAL), setting ``state_path``.

Each namespace's state — request numbers and tickets, the ledger overlay (freezes, queues, deductions), the
court accounts, pins, pending callbacks, the random streams and the clock's reading — is saved
(:meth:`~mock_agencies.session.Session.snapshot`) *before* the response to a request that changed it goes out,
and after a real-time tick that changed it. So a request the server acknowledged survives ``kill -9``; a request
in flight when the process died either was saved (its repeat is recognised by its request number) or left no
trace. At start the service restores every saved namespace; their pending callbacks resume (at least once: the
receiver deduplicates by ``Idempotency-Key``).

Saving is incremental: the tickets — most of a busy namespace — are one row each (table ``tickets``), and a save
writes only the records that changed since the last one and deletes those retired; the rest of the namespace is
one row (``namespaces``). One transaction per save: a killed process leaves the previous save or this one.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from core_flow.errors import UserError
from mock_agencies.tickets import TicketChanges

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY, state BLOB NOT NULL, saved INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets (namespace TEXT NOT NULL, ticket_id TEXT NOT NULL, state BLOB NOT NULL, "
    "PRIMARY KEY (namespace, ticket_id)) WITHOUT ROWID",
)


class StateStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against a killed process
            for statement in _SCHEMA:
                self._db.execute(statement)
        except (OSError, sqlite3.Error) as err:
            raise UserError(
                f"无法打开状态文件 {self.path}：{err}",
                f"cannot open the state file {self.path}: {err}",
                where="ZHIXING_AGENCIES_STATE_PATH",
            ) from None
        self._lock = threading.Lock()
        self._saved = 0

    def save(self, name: str, state: bytes, tickets: TicketChanges | None = None) -> None:
        """Save ``name``: its state row and the ticket rows that changed (all of them, replacing any saved, when
        ``tickets.full``), in one transaction."""
        with self._lock:
            self._saved += 1
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO namespaces (name, state, saved) VALUES (?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET state = excluded.state, saved = excluded.saved",
                    (name, state, self._saved),
                )
                if tickets is not None:
                    if tickets.full:
                        db.execute("DELETE FROM tickets WHERE namespace = ?", (name,))
                    else:
                        db.executemany("DELETE FROM tickets WHERE namespace = ? AND ticket_id = ?",
                                       [(name, t) for t in tickets.removed])
                    db.executemany("INSERT OR REPLACE INTO tickets (namespace, ticket_id, state) VALUES (?, ?, ?)",
                                   [(name, t, row) for t, row in tickets.rows.items()])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def delete(self, name: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM namespaces WHERE name = ?", (name,))
            self._db.execute("DELETE FROM tickets WHERE namespace = ?", (name,))
            self._db.execute("COMMIT")

    def load(self) -> dict[str, tuple[bytes, dict[str, bytes]]]:
        """Every saved namespace: its state row and its ticket rows by ticket id."""
        with self._lock:
            saved = {name: (bytes(state), {}) for name, state in self._db.execute("SELECT name, state FROM namespaces")}
            for name, ticket_id, state in self._db.execute(
                    "SELECT namespace, ticket_id, state FROM tickets ORDER BY namespace, ticket_id"):
                if name in saved:
                    saved[name][1][ticket_id] = bytes(state)
            return saved

    def close(self) -> None:
        with self._lock:
            self._db.close()
