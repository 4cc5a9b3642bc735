"""The ``http`` counterpart: any server speaking zhixing's published 查控 interface at a URL, in real time.

The court reaches it with the gateway's HTTP transport (answers by callback to the court's receiver, or by
polling). Nothing else is assumed of the server: ``GET /agencies`` gives the directory. Where the server is
zhixing's own mock (it answers ``GET /admin/sessions``), its admin API is used once, when the court's clock starts
(``clock_started``), to align the namespace's virtual clock with the court's (one time source); against any other
implementation ``admin`` is None and every feature that needs zhixing's admin API (virtual time, pinned holdings,
the court's 一案一账号 kept by the mock) is refused with :func:`needs_admin`'s message instead of failing later.
"""

from __future__ import annotations

from typing import Any

import httpx

from core_flow.errors import UserError

SESSION_HEADER = "X-Zhixing-Session"


def needs_admin(counterpart: Any, feature_zh: str, feature_en: str) -> Any:
    """The counterpart's admin API, or a clear refusal naming the feature that needs it."""
    admin = getattr(counterpart, "admin", None)
    if admin is None:
        raise UserError(
            f"{feature_zh}需要 zhixing 模拟机构服务的管理接口；当前对端（{getattr(counterpart, 'base_url', '?')}）"
            "不是 zhixing 模拟机构，或未提供管理接口",
            f"{feature_en} needs the admin API of zhixing's mock agencies server; the counterpart "
            f"({getattr(counterpart, 'base_url', '?')}) is another implementation of the interface",
            where="counterpart", code="needs_admin")
    return admin


class HttpCounterpart:
    name = "http"
    accounts = None  # the court's own account system is not the agencies'

    def __init__(self, spec: Any, clock: Any = None) -> None:
        url = (spec.counterpart.url or "").rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise UserError(f"对端地址无效：{url!r}（应为 http://主机:端口）",
                            f"invalid counterpart address {url!r} (expected http://host:port)",
                            where="counterpart.url", code="bad_counterpart_url")
        self.base_url = url
        self.namespace = spec.counterpart.options.get("namespace", "default")
        self.admin: dict[str, Any] | None = None
        self._rows: list[dict[str, Any]] = []
        self._admin_ns: str | None = None  # zhixing's mock: the namespace whose clock follows the court's

    def directory_rows(self) -> list[dict[str, Any]]:
        return self._rows

    async def start(self, clock: Any) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
            try:
                agencies = await client.get("/agencies")
            except httpx.HTTPError as err:
                raise UserError(f"无法连接对端：{err}", f"cannot reach the counterpart: {err}",
                                where=self.base_url, code="counterpart_unreachable") from None
            if agencies.status_code != 200:
                raise UserError(f"对端 GET /agencies 返回 {agencies.status_code}",
                                f"the counterpart answered GET /agencies with {agencies.status_code}",
                                where=self.base_url, code="counterpart_not_profile")
            self._rows = agencies.json()
            probe = await client.get("/admin/sessions")
            if probe.status_code != 200:
                return  # another implementation: no admin API
            ns = f"/admin/sessions/{self.namespace}"
            if (await client.get(ns)).status_code == 404:
                await client.put(ns, json={})
            self._admin_ns = ns

    async def clock_started(self, clock: Any) -> None:
        """The court's clock runs (``open_court`` starts it once its servers are up): the namespace's clock is aligned
        with it once; the server anchors it at receipt (off by the request's latency)."""
        if self._admin_ns is None:
            return
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
            # the connection is made first: the court's now is read as the PUT leaves on it, so the server's anchor
            # lags by one request's latency, not a TCP set-up's too (milliseconds: hours at 1,000,000×)
            await client.get(self._admin_ns)
            aligned = await client.put(f"{self._admin_ns}/clock",
                                       json={"now": clock.now().isoformat(), "time_scale": clock.scale})
        if aligned.status_code == 200:
            self.admin = {"namespace": self.namespace, "clock": aligned.json()}

    async def stop(self) -> None:
        return None

    def port(self, now: Any) -> Any:
        raise UserError("http 对端只用于实时时钟；虚拟时间请用 zhixing 模拟机构服务（zhixing-http）",
                        "the http counterpart serves a real-time court; in virtual time use zhixing's mock server "
                        "(zhixing-http)", where="counterpart.kind", code="bad_clock")

    def close(self) -> None:
        return None
