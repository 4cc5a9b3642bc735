"""A :class:`~core_flow.driver.protocol.CourtDriver` over HTTP (``--court-url``): a vendor's adapter serving
``core_flow.driver.http_app``'s contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

import httpx

from core_flow.driver.deadline import exchange_deadline, limited_transport
from core_flow.driver.protocol import (
    AmountsView,
    AssetView,
    CaseFiling,
    CaseView,
    Clock,
    CommandResult,
    LotView,
    NodeView,
    RunSetup,
)
from core_flow.errors import UserError


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


EXCHANGE_LIMIT = 300.0  # seconds for one whole exchange, headers and body: an ``advance`` over a long span takes long


class HttpDriver:
    def __init__(self, base_url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 exchange_limit: float = EXCHANGE_LIMIT) -> None:
        """``timeout`` bounds each read and write; ``exchange_limit`` the whole exchange — a court that drips its
        answer a byte at a time never trips a read timeout (``core_flow.driver.deadline``)."""
        self.base_url = base_url.rstrip("/")
        self.exchange_limit = exchange_limit
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False,
                                 transport=transport if transport is not None else limited_transport())

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            with exchange_deadline(self.exchange_limit):
                response = self.http.request(method, path, **kw)
        except httpx.HTTPError as err:
            raise UserError(f"无法连接被测法院系统：{err}", f"cannot reach the court system under test: {err}",
                            where=f"--court-url {self.base_url}", code="court_unreachable") from None
        where = f"{method} {unquote(path)}"  # the case number as written, not percent-encoded
        if response.status_code >= 400:
            body: Any = {}
            if response.headers.get("content-type", "").startswith("application/json"):
                try:
                    body = response.json()
                except ValueError:  # said to be JSON, and not: the status is what there is to say
                    body = {}
            body = body if isinstance(body, dict) else {}
            raise UserError(body.get("zh") or f"被测系统返回 {response.status_code}",
                            body.get("en") or f"the system under test answered {response.status_code}",
                            where=where, code=body.get("code") or "court_error")
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:  # a court answering an HTML page or plain text: a located mistake, not a stack trace
            kind = response.headers.get("content-type", "")
            raise UserError(f"被测系统的答复不是 JSON（HTTP {response.status_code}，{kind or '未注明类型'}）",
                            f"the system under test did not answer JSON (HTTP {response.status_code}, "
                            f"{kind or 'no content type'})", where=where, code="court_error") from None

    def reset(self, setup: RunSetup) -> Clock:
        return Clock.model_validate(self._call("PUT", "/court", json=setup.model_dump(mode="json")))

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/now")["now"])

    def advance(self, to: datetime) -> datetime:
        return datetime.fromisoformat(self._call("POST", "/clock/advance", json={"to": to.isoformat()})["now"])

    def file(self, filing: CaseFiling) -> CommandResult:
        return CommandResult.model_validate(self._call("POST", "/cases", json=filing.model_dump(mode="json")))

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult:
        body = {"type": type, "fields": _plain(fields)}
        return CommandResult.model_validate(self._call("POST", f"/cases/{_q(case_id)}/commands", json=body))

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/cases/{_q(case_id)}/events")

    def nodes(self, case_id: str) -> list[NodeView]:
        return [NodeView.model_validate(n) for n in self._call("GET", f"/cases/{_q(case_id)}/nodes")]

    def case(self, case_id: str) -> CaseView:
        return CaseView.model_validate(self._call("GET", f"/cases/{_q(case_id)}"))

    def assets(self, case_id: str) -> list[AssetView]:
        return [AssetView.model_validate(a) for a in self._call("GET", f"/cases/{_q(case_id)}/assets")]

    def amounts(self, case_id: str) -> AmountsView:
        return AmountsView.model_validate(self._call("GET", f"/cases/{_q(case_id)}/amounts"))

    def lots(self, case_id: str) -> list[LotView]:
        return [LotView.model_validate(x) for x in self._call("GET", f"/cases/{_q(case_id)}/lots")]

    def close(self) -> None:
        """End the run on the server (its court and agencies' namespace); the connection stays usable."""
        self._call("DELETE", "/court")

    def disconnect(self) -> None:
        self.http.close()


def _q(case_id: str) -> str:
    from urllib.parse import quote

    return quote(case_id, safe="")
