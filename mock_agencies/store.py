"""The durable store of the namespaces: one SQLite file (WAL), setting ``state_path``.

Each namespace's whole state — request numbers and tickets, the ledger overlay (freezes, queues, deductions), the
court accounts, pins, pending callbacks, the random streams and the clock's reading — is saved as one row
(:meth:`~mock_agencies.session.Session.snapshot`) *before* the response to a request that changed it goes out,
and after a real-time tick that changed it. So a request the server acknowledged survives ``kill -9``; a request
in flight when the process died either was saved (its repeat is recognised by its request number) or left no
trace. At start the service restores every saved namespace; their pending callbacks resume (at least once: the
receiver deduplicates by ``Idempotency-Key``).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from core_flow.errors import UserError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS namespaces (
    name TEXT PRIMARY KEY,
    state BLOB NOT NULL,
    saved INTEGER NOT NULL
)
"""


class StateStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against a killed process
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise UserError(
                f"无法打开状态文件 {self.path}：{err}",
                f"cannot open the state file {self.path}: {err}",
                where="ZHIXING_AGENCIES_STATE_PATH",
            ) from None
        self._lock = threading.Lock()
        self._saved = 0

    def save(self, name: str, state: bytes) -> None:
        with self._lock:
            self._saved += 1
            self._db.execute(
                "INSERT INTO namespaces (name, state, saved) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET state = excluded.state, saved = excluded.saved",
                (name, state, self._saved),
            )

    def delete(self, name: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM namespaces WHERE name = ?", (name,))

    def load(self) -> dict[str, bytes]:
        with self._lock:
            return {name: bytes(state) for name, state in self._db.execute("SELECT name, state FROM namespaces")}

    def close(self) -> None:
        with self._lock:
            self._db.close()
