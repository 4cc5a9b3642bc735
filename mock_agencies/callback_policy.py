"""Where callbacks may go: a ``callback_url`` is checked when the request naming it is accepted.

It must be an absolute ``http`` or ``https`` URL, well formed, whose host is on the allow-list (setting
``callback_hosts``: loopback by default; ``*`` allows any host) — and never this server itself (its own port on
a loopback or bound address: a callback must not drive the server's own routes). Refusals are located
bilingual ``UserError`` s (``invalid_callback_url``, HTTP 422).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import httpx

from core_flow.errors import UserError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackPolicy:
    """The allow-list and this server's own addresses (``(host, port)``: from the settings and, once the
    server runs, from each request's ``server`` — the address it was really reached at)."""

    def __init__(self, allowed_hosts: Iterable[str], own: Iterable[tuple[str, int]] = ()) -> None:
        hosts = tuple(h.strip().lower().strip("[]") for h in allowed_hosts if h.strip())
        self.any_host = "*" in hosts
        self.allowed = frozenset(h for h in hosts if h != "*")
        self.own: set[tuple[str, int]] = {(h.lower().strip("[]"), p) for h, p in own if p}

    def note_own(self, host: str, port: int) -> None:
        """This server was reached at ``host:port``."""
        key = (host.lower().strip("[]"), port)
        if key not in self.own:
            self.own.add(key)

    def _allowed(self, host: str) -> bool:
        if self.any_host or host in self.allowed:
            return True
        return _is_loopback(host) and any(_is_loopback(h) for h in self.allowed)  # 127.0.0.2 is loopback too

    def _own(self, host: str, port: int) -> bool:
        for own_host, own_port in self.own:
            if port != own_port:
                continue
            if host == own_host or _is_loopback(host) or host in ANY_ADDRESS or own_host in ANY_ADDRESS:
                return True
        return False

    def check(self, url: str | None, where: str = "body.callback_url") -> None:
        """Refuse ``url`` unless callbacks may go there (``None``: no callback)."""
        if url is None:
            return
        try:
            parsed = httpx.URL(url)
            scheme, host = parsed.scheme, parsed.host.lower().strip("[]")
            port = parsed.port or _DEFAULT_PORTS.get(scheme, 0)
        except Exception:  # noqa: BLE001 - httpx raises several kinds for a malformed URL
            scheme = host = ""
            port = 0
        if scheme not in _DEFAULT_PORTS or not host:
            raise UserError(
                f"回调地址须为完整的 http 或 https 网址：{url[:200]!r}",
                f"the callback URL must be an absolute, well-formed http or https URL: {url[:200]!r}",
                where=where,
                code="invalid_callback_url",
            )
        if self._own(host, port):
            raise UserError(
                f"回调地址不能是本服务自身（{host}:{port}）",
                f"the callback URL cannot be this server itself ({host}:{port})",
                where=where,
                code="invalid_callback_url",
            )
        if not self._allowed(host):
            shown = ", ".join(sorted(self.allowed)) or "-"
            raise UserError(
                f"回调地址的主机 {host!r} 不在允许列表中（{shown}；设置 callback_hosts）",
                f"the callback host {host!r} is not on the allow-list ({shown}; setting callback_hosts)",
                where=where,
                code="invalid_callback_url",
            )
