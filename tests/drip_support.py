"""A server that never finishes its answer: the status line, then one header byte every 50 ms — no single read ever
waits long, so only a limit on the whole exchange ends it (the kit's ``Sut``, the court driver's ``HttpDriver``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def dripping_server(host: str = "127.0.0.1", status: bytes = b"HTTP/1.1 200 OK") -> Iterator[int]:
    """Serves one connection that way on ``host``; yields its port."""
    listener = socket.socket()
    listener.bind((host, 0))
    listener.listen(4)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(status + b"\r\n")
            while not stop.is_set():
                conn.sendall(b"X")
                stop.wait(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
