"""The court-side suite's server (``zhixing certify court``): zhixing's mock hub and agencies with the kit in front
— every 查控 exchange of the court under test recorded with the namespace's virtual instant, and faults injected on a
fixed schedule (the first attempt of every ``every``-th new request answered 503, of the next one 429 with a
Retry-After), so the grader can see how the court retries. A faulted attempt never reaches the agencies: it was not
accepted, as the profile says.

A *lost answer* (kit 0.5.0; profile 0.6.1's fault kind ``lost_answer``) is the other way round: the first attempt of
every ``lost_every``-th new freeze or seal the 503 / 429 schedule left alone IS passed to the agencies and carried
out (a ticket issued, the freeze in effect), and the court gets a 504 instead of the ticket — a bank's front end
timing out on a core system that went on. The record keeps the ticket the agency issued, for the grader: a correct
court comes back with the same request number and gets the same ticket; one that re-sends under a new number freezes
twice; one that gives up never learns of the freeze it made. Kit 0.6.0: deductions (06) lose their answers too,
counted on a counter of their own (so the freezes' and seals' lost slots stay where they were) — the costliest case:
the money moved to the court's account, and a court re-sending under a new number deducts it twice. Kit 0.6.1
(review R13): a lost-answer slot falling on a request the agency refuses (nothing done) passes to the next request of
its counter, and the first request re-sending a lost answer's content under a new number takes no slot of either
schedule — the faults the rest of the run meets do not depend on how the court met the lost answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_flow.protocol import ControlRequest
from mock_agencies.app import create_app
from mock_agencies.settings import Settings

SESSION = b"x-zhixing-session"
MAX_RECORDS = 100_000  # exchanges kept for grading (a court flooding the lab does not exhaust the kit's memory)


LOST_EVERY = 2  # the first, third, fifth… freeze or seal left alone by the 503 / 429 schedule loses its answer
# 冻结, 查封, 扣划: the measures whose double act is the harm (a double freeze, a double deduction); kit 0.6.0 adds 06
LOST_MEASURES = frozenset({"01", "06", "11"})
# measures counted each on a counter of its own (kit 0.6.0: 06 — the freezes' and seals' slots stay where they were in
# kit 0.5.x; the first, third… deduction loses its answer); the other lost measures share one counter
LOST_APART = frozenset({"06"})
LOST_ANSWER = "lost_answer"  # the record's ``fault`` for a lost answer (the profile's fault kind)


@dataclass
class FaultSchedule:
    """Which first attempts fail: of the new requests in order of arrival, number ``k`` (from 0) gets a 503 when
    ``k % every == 1`` and a 429 with ``retry_after`` seconds when ``k % every == 2``; ``every`` 0 = none.

    Lost answers are a schedule of their own, so that the 503 / 429 slots (and the evidence graded on them) stay as
    they were: of the new requests of ``lost_measures`` that the schedule above leaves alone, in order of arrival,
    number ``n`` (from 0) is carried out and its answer lost (504) when ``n % lost_every == 0``; ``lost_every`` 0 =
    none, and ``every`` 0 turns lost answers off too (no faults at all). ``n`` counts on the counter of
    ``lost_counter``: each measure of ``lost_apart`` has its own (deductions, kit 0.6.0), the others share one (01
    and 11, as in kit 0.5.x — adding a measure apart moves no freeze's or seal's lost slot)."""

    every: int = 3
    retry_after: int = 120
    measures: frozenset[str] = frozenset()  # the measures whose requests may be faulted (empty: all)
    lost_every: int = LOST_EVERY
    lost_measures: frozenset[str] = LOST_MEASURES
    lost_apart: frozenset[str] = LOST_APART

    def applies(self, body: dict[str, Any]) -> bool:
        return not self.measures or body.get("measure") in self.measures

    def may_lose(self, body: dict[str, Any]) -> bool:
        """Whether ``body`` (a new request the 503 / 429 schedule left alone) is one the lost answers count."""
        return self.every > 0 and self.lost_every > 0 and body.get("measure") in self.lost_measures

    def lost_counter(self, body: dict[str, Any]) -> str:
        """The counter ``body`` (a request ``may_lose``) counts on: its measure when counted apart, else the shared
        one (``""``)."""
        measure = str(body.get("measure"))
        return measure if measure in self.lost_apart else ""

    def lost(self, n: int) -> bool:
        return self.lost_every > 0 and n % self.lost_every == 0

    def fault(self, k: int) -> tuple[int, dict[str, str]] | None:
        if self.every <= 0:
            return None
        if k % self.every == 1:
            return 503, {}
        if k % self.every == 2:
            return 429, {"Retry-After": str(self.retry_after)}
        return None


@dataclass
class Traffic:
    """What the court sent, in order: one dict per exchange (``at`` the namespace's virtual instant)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    limit: int = MAX_RECORDS  # a flooding court: what comes after this many exchanges is served, counted, not kept
    dropped: int = 0
    callbacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # namespace → its deliveries
    horizons: dict[str, str] = field(default_factory=dict)  # namespace → how far its virtual clock went
    # the new requests the lost answers counted so far, per counter (``FaultSchedule.lost_counter``; ``lost``'s n)
    lost_candidates: dict[str, int] = field(default_factory=dict)
    # what the lost answers carried out (``lost_content``): the first new request number asking the same is the
    # court's re-send of a lost answer, which the schedules do not count (review R13)
    lost_contents: set[tuple[str, str, str]] = field(default_factory=set)
    _first_seen: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    _counted: int = 0

    def new_request_index(self, key: tuple[str, str, str], counted: bool = True) -> int | None:
        """The arrival index among the counted new requests of a request number seen for the first time; ``None``
        for a repeat, or for a new number the schedule does not count (``counted`` false: seen, no index taken)."""
        if key in self._first_seen:
            return None
        self._first_seen[key] = self._counted if counted else None
        self._counted += counted
        return self._first_seen[key]


def lost_content(namespace: str, agency: str, body: dict[str, Any]) -> tuple[str, str, str]:
    """What a request asks, whatever its number: the namespace, agency and body but the request number and the
    callback URL."""
    asked = {k: v for k, v in body.items() if k not in ("request_no", "callback_url")}
    return namespace, agency, json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)


def is_control_request(body: Any) -> bool:
    """Whether ``body`` is a 查控 request as the profile defines it (``ControlRequest``). What a court sends that is
    not (garbage, the wrong shape, wrong types) is recorded, answered by the agencies' own 4xx, and neither faulted
    nor graded as a request."""
    if not isinstance(body, dict):
        return False
    try:
        ControlRequest.model_validate(body)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def _error(status: int, limit: int = 0) -> bytes:
    zh, en = {429: ("请求过于频繁，请稍后重试", "too many requests; retry later"),
              413: (f"请求体超过上限 {limit} 字节", f"the request body is larger than the limit of {limit} bytes")
              }.get(status, ("机构系统维护中，请求未受理", "agency system unavailable; not accepted"))
    code = "body_too_large" if status == 413 else f"kit_fault_{status}"
    return _error_body(code, "body" if status == 413 else "request", zh, en)


LOST_TEXT = ("机构已受理并办理该请求，但答复未送达（超时）：请以同一请求编号重发，机构将答复同一工单",
             "the agency took and carried out the request, but its answer was lost (timed out): send it again with "
             "the same request number and the agency answers the same ticket")


def _error_body(code: str, where: str, zh: str, en: str) -> bytes:
    """The profile's bilingual error body."""
    return json.dumps({"error": {"code": code, "where": where, "zh": zh, "en": en, "message": f"{where}: {zh} / {en}",
                                 "fields": []}}, ensure_ascii=False).encode()


def _declared_length(scope: Scope) -> int:
    """The Content-Length the request declares (0: none, or not a number)."""
    value = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
    return int(value) if value.isdigit() else 0


async def _answer(send: Send, status: int, payload: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers]})
    await send({"type": "http.response.body", "body": payload})


def _from_this_machine(scope: Scope) -> bool:
    """A connection from loopback, or from the very address it reached (this machine calling its own interface —
    the kit driving a court with ``--advertise``); unknown peers are not this machine."""
    client, server = scope.get("client"), scope.get("server")
    if not client:
        return False
    host = client[0]
    if host in ("::1", "localhost", "testclient") or host.startswith(("127.", "::ffff:127.")):
        return True  # ("testclient": Starlette's in-process client, no network peer)
    return bool(server) and host == server[0]


class Instrumented:
    """ASGI middleware around the mock agencies: records ``/agencies/…`` exchanges, injects the scheduled faults."""

    def __init__(self, app: Any, schedule: FaultSchedule) -> None:
        self.app: ASGIApp = app
        self.schedule = schedule
        self.traffic = Traffic()
        self.state = app.state

    def _now(self, namespace: str) -> datetime | None:
        session = self.state.sessions.get(namespace)
        return None if session is None else session.now()

    def deliveries(self) -> dict[str, list[dict[str, Any]]]:
        """Every namespace's callback deliveries: those of namespaces deleted meanwhile (kept when they went) and
        those of the namespaces still there."""
        out = dict(self.traffic.callbacks)
        manager = self.state.sessions
        for namespace in list(getattr(manager, "sessions", {}) or {}):
            self._keep_callbacks(namespace)
        out.update(self.traffic.callbacks)
        return out

    def horizons(self) -> dict[str, str]:
        """How far each namespace's virtual clock went (those deleted meanwhile: when they went)."""
        for namespace in list(getattr(self.state.sessions, "sessions", {}) or {}):
            self._keep_callbacks(namespace)
        return dict(self.traffic.horizons)

    def _keep_callbacks(self, namespace: str) -> None:
        session = self.state.sessions.get(namespace)
        if session is not None:
            self.traffic.horizons[namespace] = session.now().isoformat()
            outbox = session.outbox
            self.traffic.callbacks[namespace] = [_delivered(d) for d in (*outbox.done, *outbox.pending())]

    async def _lose_answer(self, scope: Scope, body: bytes, record: dict[str, Any], send: Send) -> bool:
        """The agencies carry the request out; the court gets a 504 (the answer lost), the record the ticket. An
        answer other than a new ticket (a refusal: nothing was done, nothing to send again) is passed on as it is;
        whether the answer was lost."""
        status, raw = await _carry_out(self.app, scope, body)
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = None
        ticket = answer.get("ticket_id") if isinstance(answer, dict) else None
        if status != 202 or not isinstance(ticket, str):
            record.update(status=status, retry_after=None, response=answer if answer is not None
                          else raw[:500].decode("utf-8", "replace"))
            await _answer(send, status, raw)
            return False
        record.update(status=504, retry_after=None, injected=True, fault=LOST_ANSWER, response=None,
                      agency_status=status, ticket_id=ticket)
        parsed = record.get("request")
        if isinstance(parsed, dict):
            self.traffic.lost_contents.add(lost_content(record["namespace"], scope["path"].strip("/").split("/")[1],
                                                        parsed))
        await _answer(send, 504, _error_body("fault_lost_answer", "request", *LOST_TEXT),
                      ((b"x-zhixing-fault", LOST_ANSWER.encode()),))
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/admin") and not _from_this_machine(scope):
            # the lab's own controls (namespaces, clock, faults) are the kit's: a court under test on another machine
            # cannot reset or replace what is being graded
            await _answer(send, 403, _error_body("forbidden", "path", "认证实验环境的管理接口只接受本机访问",
                                                 "the lab's admin routes answer only this machine"))
            return
        if scope["type"] == "http" and scope["method"] in ("DELETE", "PUT") and scope["path"].startswith(
                "/admin/sessions/"):
            # a namespace about to go (or be replaced): keep what its callbacks did, for CT-008
            self._keep_callbacks(scope["path"][len("/admin/sessions/"):].split("/", 1)[0])
        if scope["type"] != "http" or not scope["path"].startswith("/agencies/"):
            await self.app(scope, receive, send)
            return
        namespace = next((v.decode("latin-1") for k, v in scope["headers"] if k == SESSION), "default")
        at = self._now(namespace)
        limit = self.state.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:  # buffered for the record, never beyond the agencies' own body limit (a court's 1 GB post)
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > limit or _declared_length(scope) > limit:
                if len(self.traffic.records) < self.traffic.limit:
                    self.traffic.records.append({"namespace": namespace, "at": at.isoformat() if at else None,
                                                 "method": scope["method"], "path": scope["path"], "query": "",
                                                 "request": f"<body beyond {limit} bytes>", "status": 413})
                await _answer(send, 413, _error(413, limit))
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        record: dict[str, Any] = {"namespace": namespace, "at": at.isoformat() if at else None,
                                  "method": scope["method"], "path": scope["path"],
                                  "query": scope.get("query_string", b"").decode("latin-1"), "request": parsed}
        if len(self.traffic.records) < self.traffic.limit:
            self.traffic.records.append(record)
        else:
            self.traffic.dropped += 1
        parts = scope["path"].strip("/").split("/")
        if scope["method"] == "POST" and len(parts) == 3 and parts[2] == "requests" and is_control_request(parsed):
            key = (namespace, parts[1], f"{parsed.get('court_code')}/{parsed.get('request_no')}")
            # a lost answer's content under a new number (the court re-sending what it did not know went through:
            # CT-006 / CT-015 / CT-011 judge it) takes no slot: it reaches the agency as sent, and every later request
            # meets the 503, 429 or lost answer it would have met had the court come back with the same number — the
            # rest of the run, and what it lets the grader judge, does not change with that one defect (review R13)
            asked = lost_content(namespace, parts[1], parsed)
            resend = asked in self.traffic.lost_contents
            self.traffic.lost_contents.discard(asked)  # the first such request is the re-send; later ones count
            k = self.traffic.new_request_index(key, not resend) if self.schedule.applies(parsed) else None
            fault = self.schedule.fault(k) if k is not None else None
            if k is not None and fault is None and self.schedule.may_lose(parsed):
                counter = self.schedule.lost_counter(parsed)
                n = self.traffic.lost_candidates.get(counter, 0)
                self.traffic.lost_candidates[counter] = n + 1
                if self.schedule.lost(n):
                    if not await self._lose_answer(scope, body, record, send):
                        # refused (a deduction beyond the frozen money…): nothing was done, nothing lost — the slot
                        # passes to the next request of its counter, never spent on a refusal (review R13)
                        self.traffic.lost_candidates[counter] = n
                    return
            if fault is not None:
                status, headers = fault
                payload = _error(status)
                record.update(status=status, retry_after=headers.get("Retry-After"), injected=True, response=None)
                await send({"type": "http.response.start", "status": status, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                    *((k.lower().encode(), v.encode()) for k, v in headers.items())]})
                await send({"type": "http.response.body", "body": payload})
                return
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
                record["retry_after"] = next((v.decode() for k, v in message.get("headers", [])
                                              if k.lower() == b"retry-after"), None)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _once(body), capture)
        finally:
            raw = b"".join(chunks)
            try:
                record["response"] = json.loads(raw) if raw else None
            except ValueError:
                record["response"] = raw[:500].decode("utf-8", "replace")


def _delivered(delivery: Any) -> dict[str, Any]:
    """A callback delivery as the grader reads it: the outbox's own fields and, once the court acknowledged it, the
    virtual instant it did (``acknowledged_at``: when the court had the answer — CT-015 asks what it knew, review
    R13)."""
    out = delivery.as_dict()
    acked = next((h.get("at") for h in getattr(delivery, "history", ()) or ()
                  if isinstance(h.get("status"), int) and 200 <= h["status"] < 300), None)
    if acked:
        out["acknowledged_at"] = acked
    return out


def _once(body: bytes) -> Receive:
    """A ``receive`` giving the request's ``body`` (read already) once, then a disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _carry_out(app: ASGIApp, scope: Scope, body: bytes) -> tuple[int, bytes]:
    """Pass one request to ``app`` and keep its answer (status, body) instead of sending it."""
    status = 0
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, _once(body), keep)
    return status, b"".join(chunks)


def create_court_lab(settings: Settings | None = None, schedule: FaultSchedule | None = None) -> Instrumented:
    """The instrumented mock agencies (an ASGI app; ``.traffic`` is what the court sent)."""
    return Instrumented(create_app(settings or Settings(profile="fast")), schedule or FaultSchedule())
