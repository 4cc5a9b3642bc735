"""A server's address checked before it starts: uvicorn reports a port in use as an English log line
(``ERROR: [Errno 98] … address already in use``) and exits 3; the command says it in both languages, exit 2."""

from __future__ import annotations

import errno
import socket

from core_flow.errors import UserError
from core_flow.os_text import os_reason


def check_listen(host: str, ports: list[int], option: str = "--port", host_option: str = "--host") -> None:
    """Each of ``ports`` on ``host`` can be listened on now (0: any free port, always); a refusal names ``option``
    (the port) or ``host_option`` (the address), as the user gave them."""
    for port in ports:
        if port == 0:
            continue
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            try:
                s.bind((host, port))
            except OSError as err:
                if err.errno == errno.EADDRINUSE:
                    raise UserError(f"端口 {port} 已被占用（另一个服务正在 {host}:{port} 监听）",
                                    f"port {port} is in use (another server listens on {host}:{port})",
                                    where=option, code="port_in_use") from None
                if err.errno in (errno.EACCES, errno.EPERM):
                    raise UserError(f"无权监听端口 {port}（1024 以下的端口需要管理员权限）",
                                    f"not allowed to listen on port {port} (ports below 1024 need privileges)",
                                    where=option, code="port_denied") from None
                why_zh, why_en = os_reason(err)
                raise UserError(f"无法监听 {host}:{port}：{why_zh}", f"cannot listen on {host}:{port}: "
                                f"{why_en}", where=host_option, code="bad_address") from None
            except UnicodeError as err:  # a host name IDNA cannot encode (a label over 63 characters)
                raise UserError(f"无法解析监听地址 {host!r}", f"cannot resolve the address {host!r}: {err}",
                                where=host_option, code="bad_address") from None
