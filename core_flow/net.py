"""Loopback servers for the real-time court: a free port, and a uvicorn server started in this event loop."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Any

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Served:
    server: Any
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        try:
            await asyncio.wait_for(self.task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()


async def serve(app: Any, host: str, port: int) -> Served:
    """Start ``app`` under uvicorn on ``host:port`` in the running loop; bounded wait (≤ 5 s) until it listens."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                           lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # the caller owns signals
    task = asyncio.get_running_loop().create_task(server.serve())
    for _ in range(500):
        if server.started:
            return Served(server, task)
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    raise RuntimeError(f"server on port {port} did not start / 服务未能启动")
