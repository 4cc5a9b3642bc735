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

One process at a time: the store holds an exclusive lock (``flock``) on ``FILE.lock`` (which names the holder's
PID) for as long as it is open, so a second server on the same file is refused (:func:`state_in_use`) instead of
keeping its own copy of every namespace and overwriting the first's saves. The lock is the kernel's: it goes with
the process, ``kill -9`` included; the file left behind is no lock. Stores opened on one file within one process
share the lock (a server and its command line's check, tests building a second app on the same file).

A save that fails (a full disk, an I/O error) raises :class:`StateWriteError` — one clear reason, Chinese and
English; the rollback SQLite may already have done is not reported as a second failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
from pathlib import Path

from core_flow.errors import UserError
from core_flow.os_text import os_reason
from mock_agencies.tickets import TicketChanges

try:
    import fcntl
except ImportError:  # not POSIX (Windows): no cross-process lock
    fcntl = None  # type: ignore[assignment]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY, state BLOB NOT NULL, saved INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets (namespace TEXT NOT NULL, ticket_id TEXT NOT NULL, state BLOB NOT NULL, "
    "PRIMARY KEY (namespace, ticket_id)) WITHOUT ROWID",
)
WHERE = "ZHIXING_AGENCIES_STATE_PATH"
STATE_WRITE_FAILED = "state_write_failed"


class StateWriteError(UserError):
    """A save of the state file failed: the service answers 503 (nothing was acknowledged that is not saved)."""

    def __init__(self, path: Path, zh_reason: str, en_reason: str) -> None:
        super().__init__(f"状态文件写入失败：{zh_reason}", f"could not write the state file: {en_reason}",
                         code=STATE_WRITE_FAILED)
        self.path, self.zh_reason, self.en_reason = path, zh_reason, en_reason


def _sqlite_reason(err: sqlite3.Error) -> tuple[str, str]:
    """Why SQLite failed, in Chinese and in English."""
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(err).lower()
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "磁盘已满", "disk full"
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return "文件或文件系统只读", "the file or its file system is read-only"
    if primary == sqlite3.SQLITE_NOTADB or "not a database" in text:
        return "不是 SQLite 数据库文件", "not an SQLite database"
    if primary == sqlite3.SQLITE_CORRUPT or "malformed" in text:
        return "数据库文件已损坏", "the database file is damaged"
    if primary == sqlite3.SQLITE_IOERR or "disk i/o" in text:
        return "磁盘读写错误（I/O）", "disk I/O error"
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return "数据库被锁定", "the database is locked"
    return f"SQLite 错误（代码 {code if code is not None else '未知'}）", str(err)


def open_reason(path: Path, err: OSError | sqlite3.Error) -> tuple[str, str]:
    """Why ``path`` cannot be opened as the state file (SQLite says only "unable to open database file")."""
    if isinstance(err, OSError):
        if err.errno == errno.EEXIST:  # making the state file's folder: a part of its path is a file
            return "路径中有一段不是目录", "a part of the path is not a directory"
        return os_reason(err)
    if path.is_dir():
        return os_reason(IsADirectoryError(errno.EISDIR, "Is a directory"))
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return "没有读写权限", "permission denied (read and write needed)"
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        return f"目录 {path.parent} 不可写（没有权限）", f"the folder {path.parent} is not writable (permission denied)"
    return _sqlite_reason(err)


def shard_path(path: str | Path, index: int, count: int) -> Path:
    """The state file of shard ``index`` of ``count`` (``--processes N``): ``ag.sqlite`` → ``ag-shard0of2.sqlite``.
    The count is in the name: with another number of shards a debtor's owner changes, so those are other files."""
    p = Path(path)
    return p.with_name(f"{p.stem}-shard{index}of{count}{p.suffix}")


_held_guard = threading.Lock()
_held: dict[str, list[int]] = {}  # lock file (real path) → [descriptor, stores of this process using it]


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _acquire(path: Path) -> str | None:
    """Lock ``path`` for this process (shared by its stores); :class:`UserError` when another process holds it."""
    if fcntl is None:
        return None
    lock = _lock_path(path)
    key = os.path.realpath(lock)
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            held[1] += 1
            return key
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            zh, en = state_in_use(path, holder)
            raise UserError(zh, en, where=WHERE, code="state_in_use") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[key] = [fd, 1]
        return key


def state_in_use(path: Path, pid: str) -> tuple[str, str]:
    return (f"状态文件 {path} 正被另一进程（PID {pid}）使用",
            f"state file {path} is in use by another process (PID {pid})")


def _release(key: str | None) -> None:
    if key is None:
        return
    with _held_guard:
        held = _held.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del _held[key]
            os.close(held[0])  # closing the descriptor releases the flock


class StateStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._key: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory", str(self.path))
            self._key = _acquire(self.path)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against a killed process
            for statement in _SCHEMA:
                self._db.execute(statement)
        except (OSError, sqlite3.Error) as err:
            _release(self._key)
            zh, en = open_reason(self.path, err)
            raise UserError(f"无法打开状态文件 {self.path}：{zh}", f"cannot open the state file {self.path}: {en}",
                            where=WHERE) from None
        except BaseException:
            _release(self._key)
            raise
        self._lock = threading.Lock()
        self._saved = 0

    def save(self, name: str, state: bytes, tickets: TicketChanges | None = None) -> None:
        """Save ``name``: its state row and the ticket rows that changed (all of them, replacing any saved, when
        ``tickets.full``), in one transaction. :class:`StateWriteError` when it cannot be written (nothing of it
        is then in the file)."""
        with self._lock:
            self._saved += 1
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
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
            except sqlite3.Error as err:
                self._rollback()
                raise StateWriteError(self.path, *_sqlite_reason(err)) from err
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Undo an unfinished transaction — unless SQLite already did (it does after a full disk or an I/O error):
        a ``ROLLBACK`` then fails with "no transaction is active" and would hide the real error."""
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def delete(self, name: str) -> None:
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM namespaces WHERE name = ?", (name,))
                db.execute("DELETE FROM tickets WHERE namespace = ?", (name,))
                db.execute("COMMIT")
            except sqlite3.Error as err:
                self._rollback()
                raise StateWriteError(self.path, *_sqlite_reason(err)) from err

    def load(self) -> dict[str, tuple[bytes, dict[str, bytes]]]:
        """Every saved namespace: its state row and its ticket rows by ticket id."""
        with self._lock:
            saved = {name: (bytes(state), {}) for name, state in self._db.execute("SELECT name, state FROM namespaces")}
            for name, ticket_id, state in self._db.execute(
                    "SELECT namespace, ticket_id, state FROM tickets ORDER BY namespace, ticket_id"):
                if name in saved:
                    saved[name][1][ticket_id] = bytes(state)
            return saved

    def load_one(self, name: str) -> tuple[bytes, dict[str, bytes]] | None:
        """One saved namespace (as in :meth:`load`), ``None`` when it was never saved."""
        with self._lock:
            row = self._db.execute("SELECT state FROM namespaces WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            tickets = {t: bytes(s) for t, s in self._db.execute(
                "SELECT ticket_id, state FROM tickets WHERE namespace = ? ORDER BY ticket_id", (name,))}
            return bytes(row[0]), tickets

    def count(self) -> int:
        """How many namespaces are saved."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM namespaces").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
            _release(self._key)
            self._key = None
