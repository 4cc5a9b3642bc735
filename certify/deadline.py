"""A total time limit on one HTTP exchange, the response's *headers* included.

httpx's timeouts bound each network operation, not an exchange: a system under test that sends its status line and
then one header byte every few tenths of a second never trips a read timeout, and h11 waits for up to 64 KB of
headers. The kit's transport reads through a stream that gives every read and write only the time left before the
exchange's deadline (``exchange_deadline``, set by :class:`certify.sut.Sut` around each exchange; per thread), so a
dripping answer ends as a ``ReadTimeout`` at the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx


class _Deadline(threading.local):
    at: float | None = None


_DEADLINE = _Deadline()


@contextmanager
def exchange_deadline(seconds: float) -> Iterator[None]:
    """Every read and write of the kit's transport within the block ends by ``seconds`` from now."""
    _DEADLINE.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _DEADLINE.at = None


def _left(timeout: float | None) -> float | None:
    at = _DEADLINE.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the exchange's total time limit passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(super().connect_tcp(host, port, _left(timeout), local_address, socket_options))


def limited_transport() -> httpx.HTTPTransport:
    """httpx's own transport, its connections read through the deadline (when this httpx keeps its pool where
    expected; otherwise the per-operation timeouts and the body's own check still apply)."""
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = _Backend()  # noqa: SLF001 — httpx does not expose the backend
    return transport
