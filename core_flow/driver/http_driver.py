"""A :class:`~core_flow.driver.protocol.CourtDriver` over HTTP (``--court-url``): a vendor's adapter serving
``core_flow.driver.http_app``'s contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from core_flow.driver.protocol import CaseFiling, CommandResult, NodeView
from core_flow.errors import UserError


class HttpDriver:
    def __init__(self, base_url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            response = self.http.request(method, path, **kw)
        except httpx.HTTPError as err:
            raise UserError(f"无法连接被测法院系统：{err}", f"cannot reach the court system under test: {err}",
                            where=f"--court-url {self.base_url}", code="court_unreachable") from None
        if response.status_code >= 400:
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            raise UserError(body.get("zh") or f"被测系统返回 {response.status_code}",
                            body.get("en") or f"the system under test answered {response.status_code}",
                            where=f"{method} {path}", code=body.get("code") or "court_error")
        return response.json()

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/now")["now"])

    def file(self, filing: CaseFiling) -> CommandResult:
        return CommandResult.model_validate(self._call("POST", "/cases", json=filing.model_dump(mode="json")))

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult:
        body = {"type": type, "fields": {k: (v.isoformat() if isinstance(v, datetime) else v)
                                         for k, v in fields.items()}}
        return CommandResult.model_validate(self._call("POST", f"/cases/{case_id}/commands", json=body))

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/cases/{case_id}/events")

    def nodes(self, case_id: str) -> list[NodeView]:
        return [NodeView.model_validate(n) for n in self._call("GET", f"/cases/{case_id}/nodes")]

    def close(self) -> None:
        self.http.close()
