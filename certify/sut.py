"""The system under test as the kit sees it: an HTTP client that records every exchange (for the evidence), the
profile's retry rule on the kit's own requests (same request number, Retry-After honoured), and the passing of time —
zhixing's admin API skips virtual time when the capability probe finds it, otherwise the kit waits in real time
(bounded).

A system under development misbehaves, and the kit must still finish with a verdict: every exchange has a total time
limit (``http_timeout``: connecting, the headers *and* the whole body — a body trickled byte by byte is cut off too)
and a body size limit (``max_body``); what goes past either is a :class:`SutMisbehaved` (a finding of the check, not
retried). Once the system stops answering altogether (its connection refused after every retry) the Sut is ``down``
and later submissions try once instead of backing off again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from core_flow.driver.deadline import exchange_deadline, limited_transport
from core_flow.errors import UserError

SESSION_HEADER = "X-Zhixing-Session"
RETRIED = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 6
HTTP_TIMEOUT = 30.0  # seconds, one exchange in total (connect, headers, body)
RECHECK_TIMEOUT = 5.0  # seconds for the one look whether a system that stopped answering is back
MAX_BODY = 5 * 2**20  # bytes of one answer's body; a larger one is a finding
EVIDENCE_BODY = 64 * 2**10  # bytes of a body kept whole in the evidence; a larger one is kept as its head


# Real seconds between two looks at a system that is not zhixing (a poll, or the callbacks received so far). The
# profile asks a court to poll a ticket at most once a minute (CT-016); a vendor's test system answers in seconds,
# so the kit looks sooner by default — `--poll-interval` for a system whose rate limits make that too often.
POLL_INTERVAL = 0.5


class SutMisbehaved(httpx.HTTPError):
    """The system under test broke the exchange itself: an answer past the time limit or beyond the size limit."""


def check_base_url(base_url: str, option: str = "--base-url") -> str:
    """``base_url`` (the value of ``option``) as an absolute http(s) URL with a host and a valid port; else a
    located ``UserError``."""
    try:
        url = httpx.URL(base_url)
        ok = url.scheme in ("http", "https") and bool(url.host)
    except (httpx.InvalidURL, TypeError, ValueError):
        ok = False
    if not ok:
        raise UserError(f"被测系统地址应为 http(s)://主机[:端口][/路径]：{base_url!r}",
                        f"the system under test must be an http(s)://HOST[:PORT][/PATH] URL: {base_url!r}",
                        where=option)
    return base_url


@dataclass
class Exchange:
    method: str
    url: str
    request: Any
    status: int | None
    response: Any
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "request": self.request, "status": self.status,
                "response": self.response, "note": self.note}


@dataclass
class Recorder:
    """The exchanges of the check running now."""

    exchanges: list[Exchange] = field(default_factory=list)

    def take(self) -> list[Exchange]:
        out, self.exchanges = self.exchanges, []
        return out


def _body(response: httpx.Response) -> Any:
    """A response body as evidence: its JSON, or its text; a large one only its head (the evidence stays small)."""
    if len(response.content) > EVIDENCE_BODY:
        return {"truncated_bytes": len(response.content), "head": response.content[:2000].decode("utf-8", "replace")}
    try:
        return response.json()
    except ValueError:  # also a number of more digits than Python converts (int_max_str_digits)
        return response.text[:2000]


class Sut:
    """``base_url`` the system under test; ``tokens`` a bearer token per court code (``"*"``: any court);
    ``namespace`` the ``X-Zhixing-Session`` to send (zhixing's mock server only)."""

    def __init__(self, base_url: str, *, tokens: dict[str, str] | None = None, namespace: str | None = None,
                 admin_token: str | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,  # noqa: TID251 (a real SUT's answers take real time)
                 answer_timeout: float = 60.0, http_timeout: float = HTTP_TIMEOUT, max_body: int = MAX_BODY,
                 poll_interval: float = POLL_INTERVAL) -> None:
        self.base_url = check_base_url(base_url).rstrip("/")
        self.tokens = tokens or {}
        self.namespace = namespace
        self.admin_token = admin_token
        self.http_timeout = http_timeout
        self.max_body = max_body
        self.client = httpx.Client(base_url=self.base_url, timeout=http_timeout,
                                   transport=transport if transport is not None else limited_transport())
        self.down: str | None = None  # why the system stopped answering (set after a submission's retries)
        self.interrupted = False  # the user pressed Ctrl-C: the rest is skipped, the evidence still written
        self.recorder = Recorder()
        self.sleep = sleep
        self.answer_timeout = answer_timeout
        self.poll_interval = poll_interval
        self.admin = False  # set by probe()
        self.identity: dict[str, Any] = {}

    def close(self) -> None:
        self.client.close()

    # -- plain requests -------------------------------------------------------------------------------------

    def _headers(self, court: str | None, admin: bool = False) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.namespace:
            headers[SESSION_HEADER] = self.namespace
        token = self.admin_token if admin else (self.tokens.get(court or "") or self.tokens.get("*"))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def request(self, method: str, path: str, *, court: str | None = None, json: Any = None,
                content: bytes | None = None, params: dict[str, str] | None = None, admin: bool = False,
                note: str = "", record: bool = True, timeout: float | None = None) -> httpx.Response:
        headers = self._headers(court, admin)
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._exchange(method, path, timeout, json=json, content=content, params=params,
                                      headers=headers)
        except httpx.HTTPError as err:
            if record:
                self.recorder.exchanges.append(Exchange(method, path, json, None, f"{type(err).__name__}: {err}",
                                                        note))
            raise
        if record:
            self.recorder.exchanges.append(Exchange(method, str(response.request.url.copy_with(query=None).path)
                                                    + (f"?{response.request.url.query.decode()}"
                                                       if response.request.url.query else ""),
                                                    json if content is None else content.decode("utf-8", "replace"),
                                                    response.status_code, _body(response), note))
        return response

    def _exchange(self, method: str, path: str, timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        """One exchange within the total time limit (``timeout``, default ``http_timeout``) and the body size limit
        (read as a stream, so neither a body trickled slowly nor a huge one can hold the run)."""
        limit = self.http_timeout if timeout is None else min(timeout, self.http_timeout)
        deadline = time.monotonic() + limit
        request = self.client.build_request(method, path, timeout=limit, **kwargs)
        with exchange_deadline(limit):  # the headers too: a status line and then a byte now and then
            response = self.client.send(request, stream=True)
        try:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise SutMisbehaved(f"answer body beyond {self.max_body} bytes (HTTP {response.status_code})")
                if time.monotonic() > deadline:
                    raise SutMisbehaved(f"answer not complete within {limit:g} s "
                                        f"(HTTP {response.status_code}, {size} bytes so far)")
                chunks.append(chunk)
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items()  # the body is decoded already
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)

    def submit(self, agency: str, body: dict[str, Any], note: str = "") -> httpx.Response:
        """Submit a 查控 request as a court does: 429 / 5xx / a lost connection retried with the *same* request
        number, Retry-After honoured (in virtual time when zhixing's clock is reachable)."""
        last: httpx.Response | None = None
        error: httpx.TransportError | None = None
        attempts = 1 if self.down else MAX_ATTEMPTS
        for attempt in range(attempts):
            if attempt:
                retry_after = last.headers.get("Retry-After", "") if last is not None else ""
                if not retry_after.isdigit():
                    self.pass_time(2.0 ** (attempt - 1))
                elif self.admin or int(retry_after) <= self.answer_timeout:
                    self.pass_time(float(retry_after), cap=None)  # honoured, as the profile asks of a court
                else:  # longer than the kit waits for anything: the refusal stands as the answer (a finding)
                    return last
            try:
                last = self.request("POST", f"/agencies/{agency}/requests", court=body.get("court_code"), json=body,
                                    note=note or f"submit {body.get('measure')}")
            except httpx.TransportError as err:  # a lost connection: the same request number again
                last, error = None, err
                continue
            self.down = None
            if last.status_code not in RETRIED:
                return last
        if last is None:  # no answer at all after every attempt: the finding of the check that tried
            assert error is not None
            self.down = f"{type(error).__name__}: {error}"
            raise error
        return last

    # -- time -----------------------------------------------------------------------------------------------

    def pass_time(self, seconds: float, cap: float | None = 5.0) -> None:
        """Let ``seconds`` pass: skipped on zhixing's virtual clock, waited for (at most ``cap``) otherwise."""
        if self.admin:
            self.advance(seconds)
        else:
            self.sleep(seconds if cap is None else min(seconds, cap))

    def advance(self, seconds: float) -> None:
        self.request("POST", f"/admin/sessions/{self.namespace}/advance", json={"seconds": seconds}, admin=True,
                     note="advance virtual time", record=False)

    def now(self) -> datetime | None:
        if not self.admin:
            return None
        r = self.request("GET", f"/admin/sessions/{self.namespace}/clock", admin=True, record=False)
        return datetime.fromisoformat(r.json()["now"])

    def until(self, done: Callable[[], Any], *, step: float = 60.0, horizon: float = 10 * 86400.0,
              waits: int = 1) -> Any:
        """Poll ``done()`` until it gives something truthy: virtual time moves by ``step`` up to ``horizon`` on
        zhixing, real time up to ``waits`` answer timeouts otherwise (what needs several exchanges of the system's
        own, as a callback retried twice). ``None`` when it never came."""
        if self.admin:
            waited = 0.0
            while waited <= horizon:
                got = done()
                if got:
                    return got
                self.advance(step)
                waited += step
                step = min(step * 2, 86400.0)
            return None
        deadline = time.monotonic() + self.answer_timeout * waits
        while True:
            got = done()
            if got or time.monotonic() > deadline:
                return got or None
            self.sleep(self.poll_interval)

    # -- polling --------------------------------------------------------------------------------------------

    def poll(self, agency: str, ticket_id: str, court: str, note: str = "poll") -> dict[str, Any] | None:
        r = self.request("GET", f"/agencies/{agency}/requests/{ticket_id}", court=court, note=note)
        if r.status_code != 200:
            return None
        try:
            got = r.json()
        except ValueError:
            return None
        return got if isinstance(got, dict) else None  # a poll of the wrong shape is no answer

    def answer(self, agency: str, ticket_id: str, court: str, *, step: float = 60.0) -> dict[str, Any] | None:
        """The feedback of a ticket once answered (polled; time passes between polls)."""

        def answered() -> dict[str, Any] | None:
            got = self.poll(agency, ticket_id, court) or {}
            ticket, feedback = got.get("ticket"), got.get("feedback")
            if isinstance(ticket, dict) and ticket.get("status") == "answered" and isinstance(feedback, dict):
                return feedback
            return None

        return self.until(answered, step=step)

    # -- capability probe -----------------------------------------------------------------------------------

    def probe(self, want_admin: bool = True) -> dict[str, Any]:
        """Who the system under test is: ``GET /health`` (zhixing's service name, version, defects in force) and
        whether zhixing's admin API answers for the namespace (only then are admin-only checks run)."""
        identity: dict[str, Any] = {"base_url": self.base_url}
        try:
            r = self.request("GET", "/health", record=False)
            if r.status_code == 200 and isinstance(r.json(), dict):
                identity.update({"health": r.json()})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as err:
            identity["unreachable"] = f"{type(err).__name__}: {err}"  # nothing answers there at all
        except (httpx.HTTPError, ValueError):
            pass
        zhixing = identity.get("health", {}).get("service") == "zhixing-mock-agencies"
        identity["zhixing"] = zhixing
        self.admin = False
        if zhixing and want_admin and self.namespace:
            try:
                r = self.request("GET", "/admin/profiles", admin=True, record=False)
                self.admin = r.status_code == 200
            except httpx.HTTPError:
                self.admin = False
        identity["admin_api"] = self.admin
        self.identity = identity
        return identity

    def prepare_namespace(self, spec: dict[str, Any]) -> None:
        """On zhixing with the admin API: a fresh namespace of the kit's own (virtual time, no random faults)."""
        r = self.request("PUT", f"/admin/sessions/{self.namespace}", json=spec, admin=True, note="prepare namespace")
        if r.status_code >= 300:
            raise UserError(f"无法创建测试命名空间：HTTP {r.status_code}", f"cannot create the test namespace: HTTP "
                            f"{r.status_code}", where=f"/admin/sessions/{self.namespace}")
