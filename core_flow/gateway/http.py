"""HTTP transport over an injected ``httpx.AsyncClient``: real HTTP, or in-process ASGI with
``httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=...)`` — the class does not know which.

Submit: ``POST {base}/agencies/{code}/requests`` (202 new ticket, 200 the same ticket again). Poll:
``GET {base}/agencies/{code}/requests/{ticket_id}`` → ``{"ticket": …, "feedback": … | null}``. Each call
runs as an asyncio task and ends in exactly one ``done(result)``: timeouts, connection errors and resets,
5xx, 429 (+ Retry-After), other 4xx and malformed bodies all become results, never exceptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from core_flow.gateway.transport import FeedbackSink, Outcome, PollDone, PollResult, SubmitDone, SubmitResult
from core_flow.protocol import ControlRequest, Feedback, Ticket

log = logging.getLogger(__name__)

R = TypeVar("R", SubmitResult, PollResult)


def parse_retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds: delta-seconds, or an HTTP-date measured against the response's own
    ``Date`` header (so no local clock is read); None when absent or unusable."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    date = response.headers.get("date")
    if date is None:
        return None
    try:
        until, sent = parsedate_to_datetime(raw), parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    if until.tzinfo is None or sent.tzinfo is None:
        return None
    return max(0.0, (until - sent).total_seconds())


def _error_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return body if isinstance(body, dict) else None


def _failure_kind(response: httpx.Response) -> Outcome | None:
    status = response.status_code
    if status == 429:
        return Outcome.RATE_LIMITED
    if status >= 500:
        return Outcome.SERVER_ERROR
    if status >= 300:
        return Outcome.REJECTED
    return None


def _describe(response: httpx.Response, error: dict[str, Any] | None) -> str:
    message = (error or {}).get("message") if error else None
    return f"HTTP {response.status_code}" + (f": {message}" if message else "")


class HttpTransport:
    """See the module docstring. ``headers`` go with every call (e.g. ``X-Zhixing-Session``);
    ``timeout`` (real seconds) applies when a call gives none."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.client = client
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def connect(self, deliver: FeedbackSink) -> None:
        """Answers reach the gateway by callback (see ``receiver``) or by polling; nothing to connect."""

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    # -- the two calls -------------------------------------------------------------------------------

    def submit(
        self, agency: str, request: ControlRequest, done: SubmitDone, *, timeout: float | None = None
    ) -> None:
        body = request.model_dump(mode="json", exclude_none=True)
        url = f"/agencies/{quote(agency, safe='')}/requests"
        self._spawn(
            self._call(
                lambda t: self.client.post(url, json=body, headers=self.headers, timeout=t),
                timeout,
                self._submit_result,
                SubmitResult,
            ),
            done,
        )

    def poll(self, agency: str, ticket_id: str, done: PollDone, *, timeout: float | None = None) -> None:
        url = f"/agencies/{quote(agency, safe='')}/requests/{quote(ticket_id, safe='')}"
        self._spawn(
            self._call(
                lambda t: self.client.get(url, headers=self.headers, timeout=t),
                timeout,
                self._poll_result,
                PollResult,
            ),
            done,
        )

    async def drain(self) -> None:
        """Wait until no call is in flight — those started meanwhile (by the results' ``done``) too. For a caller
        that steps virtual time and must let every exchange of an instant finish before the next."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel calls still in flight (their ``done`` is not called); calls asked for afterwards (a retry or a poll
        a clock timer runs while the court shuts down) are dropped the same way, never sent on a closed client."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- plumbing ------------------------------------------------------------------------------------

    def _spawn(self, call: Coroutine[Any, Any, R], done: Callable[[R], None]) -> None:
        if self._closed or self.client.is_closed:  # shutting down: nothing more is sent, nothing answered
            call.close()
            return

        async def run() -> None:
            done(await call)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call(
        self,
        send: Callable[[Any], Awaitable[httpx.Response]],
        timeout: float | None,
        parse: Callable[[httpx.Response], R],
        kind: type[R],
    ) -> R:
        t = timeout if timeout is not None else self.timeout
        try:
            response = await send(httpx.USE_CLIENT_DEFAULT if t is None else t)
        except httpx.TimeoutException as err:
            return kind(Outcome.TIMEOUT, detail=f"{type(err).__name__}: {err}"[:300])
        except (httpx.TransportError, OSError) as err:  # refused, reset, dropped, protocol error
            return kind(Outcome.CONNECTION, detail=f"{type(err).__name__}: {err}"[:300])
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a failing in-process app: report it, the gateway decides
            log.warning("transport call failed: %r", err)
            return kind(Outcome.CONNECTION, detail=f"{type(err).__name__}: {err}"[:300])
        failure = _failure_kind(response)
        if failure is not None:
            error = _error_body(response)
            return kind(
                failure,
                status=response.status_code,
                retry_after=parse_retry_after(response),
                detail=_describe(response, error),
                error=error,
            )
        return parse(response)

    @staticmethod
    def _submit_result(response: httpx.Response) -> SubmitResult:
        try:
            ticket = Ticket.model_validate_json(response.content)
        except ValidationError as err:
            return SubmitResult(Outcome.BAD_RESPONSE, status=response.status_code, detail=str(err)[:300])
        return SubmitResult(Outcome.ACCEPTED, ticket=ticket, status=response.status_code)

    @staticmethod
    def _poll_result(response: httpx.Response) -> PollResult:
        try:
            body = response.json()
            ticket = Ticket.model_validate(body["ticket"])
            raw = body.get("feedback")
            feedback = None if raw is None else Feedback.model_validate(raw)
        except (ValueError, KeyError, TypeError, ValidationError) as err:
            return PollResult(Outcome.BAD_RESPONSE, status=response.status_code, detail=str(err)[:300])
        return PollResult(Outcome.ACCEPTED, ticket=ticket, feedback=feedback, status=response.status_code)
