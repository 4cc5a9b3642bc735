"""Namespaces (test sessions) of one service: the :class:`SessionManager`.

Each namespace (header ``X-Zhixing-Session``) is one :class:`~mock_agencies.session.Session` (the domain) and
one :class:`~mock_agencies.timeline.SessionRunner` (its time passing and callback posts). ``default`` — and
any well-named namespace — is created on first use, up to ``max_sessions``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from typing import TYPE_CHECKING

from core_flow.errors import UserError
from mock_agencies.callback_policy import CallbackPolicy
from mock_agencies.clock import VirtualClock
from mock_agencies.session import Session, SessionConfig
from mock_agencies.store import StateStore, StateWriteError, shard_path
from mock_agencies.timeline import SessionRunner

if TYPE_CHECKING:
    import httpx

    from mock_agencies.catalogue import Catalogue
    from mock_agencies.settings import Settings

NAMESPACE_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
_NAMESPACE_RE = re.compile(NAMESPACE_PATTERN)
DEFAULT_NAMESPACE = "default"
# set by ``zhixing agencies serve --processes N`` for each shard process (mock_agencies.shards.ENV_INDEX / ENV_URLS)
_ENV_SHARD_INDEX, _ENV_SHARD_URLS = "ZHIXING_SHARD_INDEX", "ZHIXING_SHARD_URLS"
STORE_RETRY_SECONDS = 5.0  # while the state file cannot be written: real seconds between the ticks that try again

log = logging.getLogger(__name__)


def check_namespace(namespace: str) -> str:
    if not _NAMESPACE_RE.match(namespace):
        raise UserError(
            f"命名空间名称无效 {namespace!r}：1–64 个字母、数字、_ . -",
            f"invalid namespace {namespace!r}: 1-64 letters, digits, _ . -",
            where="header X-Zhixing-Session",
        )
    return namespace


class SessionManager:
    """All namespaces of one service; creates ``default`` (and any well-named namespace) on first use."""

    def __init__(self, settings: Settings, catalogue: Catalogue) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.sessions: dict[str, Session] = {}
        self.runners: dict[str, SessionRunner] = {}
        self.wake = asyncio.Event()  # set when something becomes due sooner than the ticker expects
        self._ticks: dict[str, asyncio.Task[None]] = {}  # each namespace's real-time tick in progress
        self._missed: set[str] = set()  # namespaces whose tick was still running when the ticker came by
        self.callbacks = CallbackPolicy(settings.callback_hosts, [(settings.host, settings.port)])
        self.store = StateStore(state_file(settings.state_path)) if settings.state_path else None
        self._saved_at: dict[str, int] = {}  # namespace → its journal's total when last saved
        self.degraded: StateWriteError | None = None  # the last save failed (GET /health says so): why
        self._retry_at = 0.0  # while degraded: the event loop's time of the next tick that tries to save
        if self.store is not None:
            for name, (blob, rows) in sorted(self.store.load().items()):
                self._restore(name, blob, rows)

    def _restore(self, name: str, blob: bytes, rows: dict[str, bytes]) -> None:
        session = Session.restore(name, blob, self.settings, self.catalogue, rows=rows, on_queued=self.wake.set,
                                  callback_policy=self.callbacks)
        self.sessions[name] = session
        self.runners[name] = SessionRunner(session)
        self._saved_at[name] = session.journal.total

    def default_config(self) -> SessionConfig:
        s = self.settings
        return SessionConfig(seed=s.seed, profile=s.profile, time_scale=s.time_scale, origin=s.origin)

    def get(self, namespace: str) -> Session | None:
        return self.sessions.get(namespace)

    def get_or_create(self, namespace: str) -> Session:
        found = self.sessions.get(namespace)
        if found is not None:
            return found
        return self.create(namespace, self.default_config())

    def create(self, namespace: str, config: SessionConfig, *, clock: VirtualClock | None = None) -> Session:
        """Create (or replace, i.e. reset) ``namespace`` with ``config``. ``clock``: a clock to use instead of
        one made from ``config`` (e.g. one that follows an in-process court's clock: ``VirtualClock(source=…)``)."""
        check_namespace(namespace)
        if namespace not in self.sessions and len(self.sessions) >= self.settings.max_sessions:
            raise UserError(
                f"命名空间已达上限 {self.settings.max_sessions}，请先删除不用的",
                f"at most {self.settings.max_sessions} namespaces; delete unused ones first",
                where="header X-Zhixing-Session",
                code="too_many_sessions",
            )
        session = Session(namespace, config, self.settings, self.catalogue, on_queued=self.wake.set, clock=clock,
                          callback_policy=self.callbacks)
        self.sessions[namespace] = session
        self.runners[namespace] = SessionRunner(session)
        self.persist(namespace, force=True)
        self.wake.set()
        return session

    def persist(self, namespace: str, *, force: bool = False) -> bool:
        """Save ``namespace`` in the durable store (if there is one) — when ``force``d or when something was
        journalled since it was last saved. Returns whether it was saved."""
        store = self.store
        session = self.sessions.get(namespace)
        if store is None or session is None:
            return False
        total = session.journal.total
        if not force and self._saved_at.get(namespace) == total:
            return False
        state, tickets = session.snapshot()
        try:
            store.save(namespace, state, tickets)
        except StateWriteError as err:
            self._failed(namespace, err)
            raise
        session.saved(tickets)
        self._saved_at[namespace] = total
        self._recovered()
        return True

    def _failed(self, namespace: str, err: StateWriteError) -> None:
        """A save of ``namespace`` failed: what it changed since its last save is undone — the namespace is read
        back from the file, as a restart would find it (gone if it was never saved) — so nothing the client is not
        told was saved stays in force (it gets a 503 and may send the same request again). The service is
        degraded (``GET /health``) until a save succeeds; said once in the log."""
        saved = self.store.load_one(namespace) if self.store is not None else None
        self.sessions.pop(namespace, None)
        self.runners.pop(namespace, None)
        self._saved_at.pop(namespace, None)
        if saved is not None:
            self._restore(namespace, *saved)
        if self.degraded is None:
            zh, en = ("回到上次保存的状态", "went back to its last save") if saved else ("从未保存，已移除",
                                                                                  "never saved, removed")
            log.error("状态文件写入失败，服务降级：%s（%s）；命名空间 %s %s / could not write the state file, service "
                      "degraded: %s (%s); namespace %s %s", err.zh_reason, err.path, namespace, zh, err.en_reason,
                      err.path, namespace, en)
        self.degraded = err
        try:
            self._retry_at = asyncio.get_running_loop().time() + STORE_RETRY_SECONDS
        except RuntimeError:  # no event loop (called from a thread): the next tick tries again
            self._retry_at = 0.0

    def _recovered(self) -> None:
        if self.degraded is not None:
            log.warning("状态文件恢复可写 / the state file can be written again: %s", self.degraded.path)
            self.degraded = None

    def runner(self, namespace: str) -> SessionRunner:
        """The time passing of an existing namespace (``not_found`` otherwise)."""
        self.require(namespace)
        return self.runners[namespace]

    def reset(self, namespace: str) -> Session:
        """A fresh namespace with the same seed, profile, overrides and clock settings."""
        old = self.require(namespace)
        config = SessionConfig(
            seed=old.config.seed,
            profile=old.config.profile,
            overrides=dict(old.config.overrides),
            time_scale=old.config.time_scale,
            origin=old.config.origin,
            simulated_bidders=getattr(old.config, "simulated_bidders", True),
        )
        return self.create(namespace, config)

    def drop(self, namespace: str) -> None:
        self.require(namespace)
        if self.store is not None:
            try:
                self.store.delete(namespace)
            except StateWriteError as err:
                self._failed(namespace, err)
                raise
            self._recovered()
        del self.sessions[namespace]
        del self.runners[namespace]
        self._saved_at.pop(namespace, None)

    def require(self, namespace: str) -> Session:
        found = self.sessions.get(namespace)
        if found is None:
            raise UserError(
                f"没有命名空间 {namespace!r}",
                f"no namespace {namespace!r}",
                where="path.namespace",
                code="not_found",
            )
        return found

    async def tick_all(self, slice_seconds: float = 0.05, client: httpx.AsyncClient | None = None) -> float:
        """Advance every namespace to its clock's now, each in its own task: a namespace whose callbacks wait on
        a slow or dead receiver keeps its task and delays no other (its next tick starts when this one ends).
        Waits at most ``slice_seconds`` for the ticks; returns real seconds until the next due item. ``client``: the
        service's one HTTP client for callbacks (kept-alive connections, one TLS set-up per receiver)."""
        if self.degraded is not None and asyncio.get_running_loop().time() < self._retry_at:
            return 1.0  # the state file cannot be written: time stands still (nothing done that is then undone)
        tasks = []
        for namespace, runner in list(self.runners.items()):
            task = self._ticks.get(namespace)
            if task is None or task.done():
                task = self._ticks[namespace] = asyncio.create_task(self._tick(namespace, runner, client),
                                                                    name=f"tick:{namespace}")
                task.add_done_callback(_log_failure)
            else:  # still busy (a slow receiver): look again as soon as it ends
                self._missed.add(namespace)
            tasks.append(task)
        for gone in set(self._ticks) - set(self.runners):  # dropped namespaces: their last tick may finish
            if self._ticks[gone].done():
                del self._ticks[gone]
        if tasks:
            await asyncio.wait(tasks, timeout=slice_seconds)
        wait = 1.0
        for runner in list(self.runners.values()):
            session = runner.session
            nxt = session.next_due()
            if nxt is not None:
                seconds = session.clock.real_seconds_until(nxt)
                if seconds is not None:
                    wait = min(wait, seconds)
        return max(wait, 0.005)

    async def _tick(self, namespace: str, runner: SessionRunner, client: httpx.AsyncClient | None = None) -> None:
        try:
            await runner.tick(client)
        finally:
            if namespace in self._missed:  # the ticker passed it by while it ran: look again at once
                self._missed.discard(namespace)
                self.wake.set()
        if self.runners.get(namespace) is runner:  # not dropped or replaced meanwhile
            with contextlib.suppress(StateWriteError):  # undone, logged, said at /health; tried again later
                self.persist(namespace)

    async def close(self) -> None:
        """Stop every namespace's tick (the service is shutting down)."""
        tasks = [t for t in self._ticks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        self._ticks.clear()
        if self.store is not None:
            for namespace in list(self.sessions):
                with contextlib.suppress(StateWriteError):  # logged: the file keeps the last save
                    self.persist(namespace)
            self.store.close()


def state_file(path: str) -> str:
    """The state file of this process: ``path``, or its shard's file (:func:`~mock_agencies.store.shard_path`) in a
    shard process of ``--processes N``."""
    urls = [u for u in os.environ.get(_ENV_SHARD_URLS, "").split(",") if u]
    if len(urls) <= 1:
        return path
    return str(shard_path(path, int(os.environ.get(_ENV_SHARD_INDEX, "0")), len(urls)))


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("namespace tick failed: %r", task.exception(), exc_info=task.exception())
