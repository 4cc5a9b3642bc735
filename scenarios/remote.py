"""A scenario's court against a running mock agencies server (``--agencies-url URL``), in virtual time.

The court is the in-process one of ``sim.assembly.build_virtual_court`` — SimClock, engine runtime, gateway on
the simulated transport, platform — except that the agencies are a namespace of the server at ``URL``
(``zhixing agencies serve``), reached with a synchronous ``httpx.Client``:

* the namespace (header ``X-Zhixing-Session``, a unique name per scenario run) is created through the admin
  API with the scenario's seed, profile, overrides, ``time_scale`` 0 and the filing time as origin, and
  deleted when the scenario ends (:meth:`RemoteCourt.close`);
* :class:`HttpAgencyPort` is the simulated transport's ``AgencyPort`` over HTTP: 查控 requests go through the
  real protocol (``POST /agencies/{code}/requests``, answers collected with ``GET …/requests/{ticket}``),
  and the transport wakes at the instants the server says answers are due (``GET /admin/…/tickets/{id}``),
  exactly as it does in-process — so a scenario passes or fails the same way on both; later notices about
  answered freezes (轮候生效, 补足 — push-only, never in a poll) are read from the namespace's journal
  (``GET /admin/…/journal?kind=notice``) while a freeze answered with an unsecured remainder waits;
* before anything is sent at a virtual instant the namespace's clock is moved there
  (``POST /admin/sessions/{ns}/advance``: what is due on the way is produced at its own instant); the
  server's clock never runs ahead of the court's;
* :class:`RemoteSession` offers what steps touch directly: ``world.debtor`` / ``world.pin``, ``config`` /
  ``set_profile``, ``ledger.find_freeze`` — and :class:`RemoteAccounts` the court's 一案一账号.

Errors of the server come back as ``UserError`` (Chinese and English, naming where); an unreachable or
wrong URL is reported against ``--agencies-url``.
"""

from __future__ import annotations

import heapq
import itertools
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import TypeAdapter, ValidationError

from core_flow.assembly import CounterpartSpec, Court, CourtSpec, build_court
from core_flow.errors import UserError
from core_flow.gateway import GatewayConfig
from core_flow.gateway.http import _describe, _error_body, _failure_kind, parse_retry_after
from core_flow.gateway.transport import Outcome, SubmitResult
from core_flow.platform import DEFAULT_COURT
from core_flow.platform import Court as CourtIdentity
from core_flow.platform.disposal_http import HttpDisposalPort
from core_flow.protocol import ControlRequest, Feedback, Holding, Measure, SubjectKind, Ticket, TicketStatus
from mock_agencies.auction import ListingView
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import as_cst
from mock_agencies.identity import subject_kind_of
from mock_agencies.ledger import FreezeView
from mock_agencies.profiles import Profile
from mock_agencies.session import SessionConfig
from mock_agencies.world import Debtor

SESSION_HEADER = "X-Zhixing-Session"
WHERE = "--agencies-url"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)  # real seconds; a virtual-time server answers in milliseconds
_FREEZE_VIEW = TypeAdapter(FreezeView)
_runs = itertools.count(1)
_RELEASING = frozenset({Measure.UNFREEZE, Measure.DEDUCT, Measure.UNSEAL})  # answers that may make a 轮候 notice


# ── the HTTP client of one namespace ─────────────────────────────────────────────────────────────


def check_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an ``http(s)://host[:port]`` address; else a UserError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise UserError(f"模拟机构服务地址无效：{url!r}（应为 http://主机:端口）",
                        f"invalid mock agencies address {url!r} (expected http://host:port)", where=WHERE,
                        code="bad_agencies_url")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise UserError(f"模拟机构服务地址的端口无效：{url!r}", f"invalid port in the mock agencies address {url!r}",
                        where=WHERE, code="bad_agencies_url") from None
    return url.strip().rstrip("/")


UNREACHABLE = "agencies_unreachable"


def _unreachable(url: str, err: Exception) -> UserError:
    return UserError(f"无法连接模拟机构服务 {url}（{type(err).__name__}）；请先运行 zhixing agencies serve",
                     f"cannot reach the mock agencies server at {url} ({type(err).__name__}: {err}); "
                     "start it with `zhixing agencies serve`", where=WHERE, code=UNREACHABLE)


def check_server(url: str, *, timeout: float = 5.0) -> str:
    """The normalised ``url`` of a reachable zhixing mock agencies server (``GET /admin/profiles``); a bilingual
    ``UserError`` naming ``--agencies-url`` when the address is malformed, unreachable or something else."""
    base = check_url(url)
    try:
        with httpx.Client(base_url=base, timeout=timeout, trust_env=False) as client:
            response = client.get("/admin/profiles")
    except httpx.HTTPError as err:
        raise _unreachable(base, err) from None
    try:
        ok = response.status_code == 200 and isinstance(response.json(), list)
    except ValueError:
        ok = False
    if not ok:
        raise UserError(f"{base} 不是 zhixing 模拟机构服务（GET /admin/profiles 返回 HTTP {response.status_code}）",
                        f"{base} is not a zhixing mock agencies server (GET /admin/profiles gave HTTP "
                        f"{response.status_code})", where=WHERE, code="not_agencies_server")
    return base


class AgenciesClient:
    """One namespace of the server: synchronous calls with bounded timeouts; its errors become ``UserError``."""

    def __init__(self, base_url: str, namespace: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base_url = base_url
        self.namespace = namespace
        self.admin = f"/admin/sessions/{namespace}"
        self.http = httpx.Client(base_url=base_url, timeout=timeout, trust_env=False,
                                 headers={SESSION_HEADER: namespace})
        self.server_now: datetime | None = None  # the namespace's clock, as last moved
        self.pins: list[dict[str, Any]] = []  # pins not sent yet: they go, in order, before any other call
        self.requests = 0
        self.ports: list[HttpAgencyPort] = []  # the 查控 ports on this namespace (one per court of the scenario)

    def flush(self) -> None:
        """Send the pins waiting (one ``POST …/pins/batch``) — every call does this first."""
        if self.pins:
            batch = self.pins
            response = self._send("POST", f"{self.admin}/pins/batch", json={"pins": batch})  # unreachable: kept
            self.pins = self.pins[len(batch):]
            if response.status_code >= 400:
                raise _server_error(response, "POST pins/batch")

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call (after the pins waiting); connection problems become a ``UserError``."""
        self.flush()
        return self._send(method, path, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise _unreachable(self.base_url, err) from None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An admin call: its JSON answer, or the server's error as a ``UserError``."""
        response = self.send(method, path, **kwargs)
        if response.status_code >= 400:
            raise _server_error(response, f"{method} {path}")
        return None if response.status_code == 204 or not response.content else response.json()

    def move_to(self, at: datetime) -> None:
        """Move the namespace's clock to ``at`` (never back), producing what is due on the way."""
        at = as_cst(at)
        if self.server_now is not None and at <= self.server_now:
            return
        answer = self.call("POST", f"{self.admin}/advance", json={"to": at.isoformat()})
        self.server_now = datetime.fromisoformat(answer["now"])

    def close(self) -> None:
        self.http.close()


def _server_error(response: httpx.Response, request: str) -> UserError:
    error = _error_body(response) or {}
    zh, en = error.get("zh"), error.get("en")
    if not (isinstance(zh, str) and isinstance(en, str)):
        status = response.status_code
        zh, en = f"模拟机构服务返回 HTTP {status}", f"the mock agencies answered HTTP {status}"
    where = error.get("where") if isinstance(error.get("where"), str) else None
    code = error.get("code") if isinstance(error.get("code"), str) else "invalid"
    return UserError(zh, en, where=where or request, code=code)


# ── the agencies as the simulated transport's port ───────────────────────────────────────────────


class HttpAgencyPort:
    """``AgencyPort`` (core_flow/gateway/simulated.py) over HTTP: submit and collect through the 查控 API,
    due instants from the admin API. Mirrors ``mock_agencies.port.SessionPort`` (answered tickets are handed
    to ``collect`` at once, repeats of answered requests again, held answers re-filed at their new instant).

    Later notices about answered freezes come by callback only (a poll returns the original answer), and this
    port takes no callbacks: while a freeze it collected still waits for money (answered with an unsecured
    remainder), each ``collect`` also reads the notices the namespace journalled since the previous read
    (``GET /admin/…/journal?kind=notice``, entries carrying the notice's ``feedback``) and hands over those about
    its tickets, once each (the journal keeps the last ``journal_size`` entries).

    A notice is made when money is released or deducted — by a request of any court on the namespace. So a port
    that collected a release or deduction at an instant tells the other ports on the namespace (``client.ports``):
    those with a freeze waiting become due at that instant and call ``wake`` (set by the simulated transport, as
    ``SessionPort`` does in process), so a 轮候 notice is collected at the very instant the other court's release
    was answered, not at the next collect. A freeze lapsing unrenewed may promote a queued one without any request:
    while a freeze here waits, the port is also due at the namespace's next lapse (``ledger_next_expiry`` of
    ``GET /admin/sessions/{ns}``), so that notice is collected at the lapse's instant too."""

    def __init__(self, client: AgenciesClient) -> None:
        self.client = client
        self._pending: dict[str, str] = {}  # ticket id → agency code, not yet collected
        self._heap: list[tuple[datetime, int, str]] = []  # (due, seq, ticket id)
        self._seq = 0
        self._passed: dict[str, set[str]] = {}  # 总对总 ticket → agencies whose answers were collected
        self._waiting: dict[str, str] = {}  # freeze id → ticket id: answered with an unsecured remainder
        self._journal_seq = 0  # the last journal entry read for notices
        self._poked: datetime | None = None  # another port released money then: notices may be due
        self._lapse: datetime | None = None  # the namespace's next freeze lapse while a freeze here waits
        self.wake: Callable[[], None] | None = None  # the transport's: something became due outside its calls
        client.ports.append(self)

    def _released(self, at: datetime) -> None:
        """This port collected a release or deduction answered by ``at``: the other ports on the namespace waiting
        for a notice become due then (the notice, if any, was journalled by then)."""
        for port in self.client.ports:
            if port is not self and port._waiting and (port._poked is None or at < port._poked):
                port._poked = at
                if port.wake is not None:
                    port.wake()

    def _watch(self, ticket_id: str, agency: str, at: datetime) -> None:
        self._pending[ticket_id] = agency
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, ticket_id))

    def _due_at(self, ticket_id: str) -> datetime:
        info = self.client.call("GET", f"{self.client.admin}/tickets/{quote(ticket_id, safe='')}")
        return datetime.fromisoformat(info["due_at"])

    def submit(self, agency: str, request: ControlRequest, now: datetime) -> Ticket | SubmitResult:
        client = self.client
        try:
            client.move_to(now)
            client.flush()
        except UserError as err:  # the server unreachable: a connection failure the gateway retries, never an
            if err.code != UNREACHABLE:  # exception out of the court's step (the request left unanswered for good)
                raise
            return SubmitResult(Outcome.CONNECTION, detail=err.en[:300])
        body = request.model_dump(mode="json", exclude_none=True)
        client.requests += 1
        try:
            response = client.http.post(f"/agencies/{quote(agency, safe='')}/requests", json=body)
        except httpx.TimeoutException as err:
            return SubmitResult(Outcome.TIMEOUT, detail=f"{type(err).__name__}: {err}"[:300])
        except httpx.HTTPError as err:  # refused, reset (a simulated one too), dropped, protocol error
            return SubmitResult(Outcome.CONNECTION, detail=f"{type(err).__name__}: {err}"[:300])
        failure = _failure_kind(response)
        if failure is not None:
            error = _error_body(response)
            return SubmitResult(failure, status=response.status_code, retry_after=parse_retry_after(response),
                                detail=_describe(response, error), error=error)
        try:
            ticket = Ticket.model_validate_json(response.content)
        except ValidationError as err:
            return SubmitResult(Outcome.BAD_RESPONSE, status=response.status_code, detail=str(err)[:300])
        if ticket.status is TicketStatus.ANSWERED or (request.scope is not None
                                                      and ticket.ticket_id not in self._pending):
            # answered at once, or a repeat: hand it (again); a 总对总 query: collect what answered at once
            self._watch(ticket.ticket_id, agency, now)
        elif ticket.ticket_id not in self._pending:
            due = self._due_at(ticket.ticket_id)
            self._watch(ticket.ticket_id, agency, due)
        return ticket

    def next_due(self) -> datetime | None:
        heap = self._heap
        while heap and heap[0][2] not in self._pending:
            heapq.heappop(heap)
        due = heap[0][0] if heap else None
        for also in (self._poked, self._lapse if self._waiting else None):
            if also is not None:
                due = also if due is None else min(due, also)
        return due

    def collect(self, now: datetime) -> list[Feedback]:
        """What became final by ``now``. The server unreachable (an outage): what was collected before it, the rest
        left due — the transport looks again a moment later (it never spins at one instant) — not an exception out
        of the court's step, which lost the tickets popped and left the simulation's run half done."""
        out: list[Feedback] = []
        try:
            self._collect(now, out)
        except UserError as err:
            if err.code != UNREACHABLE:
                raise
        out.sort(key=lambda f: f.answered_at)
        return out

    def _collect(self, now: datetime, out: list[Feedback]) -> None:
        client = self.client
        client.move_to(now)
        if self._poked is not None and self._poked <= now:
            self._poked = None
        heap = self._heap
        while heap and heap[0][0] <= now:
            ticket_id = heap[0][2]
            agency = self._pending.get(ticket_id)
            if agency is None:
                heapq.heappop(heap)
                continue
            answer = client.call("GET", f"/agencies/{quote(agency, safe='')}/requests/{quote(ticket_id, safe='')}")
            heapq.heappop(heap)  # answered: off the heap (an outage before this line leaves it due)
            ticket = Ticket.model_validate(answer["ticket"])
            feedback = answer.get("feedback")
            if feedback is not None and feedback.get("batch") is not None:
                self._collect_part(ticket, Feedback.model_validate(feedback), out, now)
                continue
            if ticket.status is TicketStatus.ANSWERED and feedback is not None:
                del self._pending[ticket_id]
                final = Feedback.model_validate(answer["feedback"])
                self._watch_freeze(final)
                out.append(final)
                continue
            self._requeue(ticket_id, now)  # held: not final at its instant, due again later
        if self._waiting:
            self._collect_notices(out)
        if self._waiting:  # a freeze lapsing unrenewed (no request at all) may promote one waiting here: be due then
            lapse = client.call("GET", client.admin).get("ledger_next_expiry")
            self._lapse = datetime.fromisoformat(lapse) if lapse else None
        if any(f.ok and f.measure in _RELEASING for f in out):
            self._released(now)  # money released or deducted: another court's 轮候 freeze may have taken effect

    def _watch_freeze(self, feedback: Feedback) -> None:
        """A freeze answered with an unsecured remainder may be noticed later; one released or unsealed may not."""
        freeze_id = feedback.freeze_id
        if not freeze_id or not feedback.ok:
            return
        if feedback.measure in (Measure.FREEZE, Measure.SEAL) and feedback.unsecured_remainder_cents:
            self._waiting[freeze_id] = feedback.ticket_id
        elif feedback.measure in (Measure.UNFREEZE, Measure.UNSEAL):
            self._waiting.pop(freeze_id, None)

    def check_notices(self, at: datetime) -> bool:
        """Whether the namespace journalled a notice this port has not collected about a freeze it waits for (made
        by a request of a court in another process, e.g. the scenario runner's other court under ``--court-url``);
        if so the port is due at ``at`` and ``wake`` is called."""
        if not self._waiting:
            return False
        entries = self.client.call("GET", f"{self.client.admin}/journal", params={"kind": "notice"})["entries"]
        if not any(e.get("seq", 0) > self._journal_seq and e.get("feedback") is not None
                   and self._waiting.get(e.get("freeze_id")) == e.get("ticket_id") for e in entries):
            return False
        if self._poked is None or at < self._poked:
            self._poked = at
        if self.wake is not None:
            self.wake()
        return True

    def _collect_notices(self, out: list[Feedback]) -> None:
        """The notices journalled since the previous read about freezes this port watches, once each."""
        entries = self.client.call("GET", f"{self.client.admin}/journal", params={"kind": "notice"})["entries"]
        last = self._journal_seq
        for entry in entries:
            seq = entry.get("seq", 0)
            if seq <= last:
                continue
            self._journal_seq = max(self._journal_seq, seq)
            data = entry.get("feedback")
            freeze_id = entry.get("freeze_id")
            if data is None or self._waiting.get(freeze_id) != entry.get("ticket_id"):
                continue  # an auction or pricing notice, or about a request of someone else
            notice = Feedback.model_validate(data)
            if not notice.unsecured_remainder_cents:
                del self._waiting[freeze_id]  # all it asked for is controlled: nothing more can come
            out.append(notice)

    def _collect_part(self, ticket: Ticket, cumulative: Feedback, out: list[Feedback], now: datetime) -> None:
        """A 总对总 ticket polled at one of its instants: the answers not collected before make this instant's
        part (as ``SessionPort`` hands them over in-process); then wait for its next instant, if any."""
        ticket_id = ticket.ticket_id
        batch = cumulative.batch
        assert batch is not None
        passed = self._passed.setdefault(ticket_id, set())
        found = tuple(a for a in batch.found if a.agency not in passed)
        none_found = tuple(a for a in batch.none_found if a not in passed)
        if found or none_found:
            passed.update(a.agency for a in found)
            passed.update(none_found)
            out.append(cumulative.model_copy(update={"batch": batch.model_copy(
                update={"found": found, "none_found": none_found})}))
        if ticket.status is TicketStatus.ANSWERED:
            del self._pending[ticket_id]
            return
        self._requeue(ticket_id, now)

    def _requeue(self, ticket_id: str, now: datetime) -> None:
        """``ticket_id`` due again at its next instant (asked of the server) — or at once if the server cannot be
        asked (an outage): never off the heap while pending."""
        due = now
        try:
            due = self._due_at(ticket_id)
        finally:
            self._seq += 1
            heapq.heappush(self._heap, (max(due, now + timedelta(microseconds=1)), self._seq, ticket_id))

    @property
    def outstanding(self) -> int:
        return len(self._pending)


# ── what steps touch directly: world, profile, ledger, court accounts ────────────────────────────


class RemoteWorld:
    def __init__(self, client: AgenciesClient, now: Callable[[], datetime]) -> None:
        self.client = client
        self._now = now

    def debtor(self, index: int) -> Debtor:
        self.client.move_to(self._now())
        d = self.client.call("GET", f"{self.client.admin}/debtors/{index}")
        return Debtor(d["index"], SubjectKind(d["kind"]), d["name"], d["id_number"], d["region"], d["address"],
                      d["phone"])

    def pin(self, id_number: str, agency_code: str, holdings: list[Holding] | tuple[Holding, ...]) -> None:
        """Queued, sent with the others before the next call (a debtor with ``nothing_elsewhere`` pins every
        queryable agency: one request instead of a hundred). The agency and the number are checked here."""
        load_catalogue().get(agency_code)  # the packaged catalogue, cached
        subject_kind_of(id_number)
        self.client.pins.append({"agency": agency_code, "id_number": id_number,
                                 "holdings": [h.model_dump(mode="json") for h in holdings]})


class RemoteLedger:
    def __init__(self, client: AgenciesClient, now: Callable[[], datetime]) -> None:
        self.client = client
        self._now = now

    def find_freeze(self, freeze_id: str) -> FreezeView | None:
        self.client.move_to(self._now())
        response = self.client.send("GET", f"{self.client.admin}/freezes/{quote(freeze_id, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise _server_error(response, f"GET freezes/{freeze_id}")
        return _FREEZE_VIEW.validate_python(response.json())


class RemoteSession:
    """The parts of ``mock_agencies.session.Session`` a scenario uses, over the admin API."""

    def __init__(self, client: AgenciesClient, config: SessionConfig, now: Callable[[], datetime]) -> None:
        self.client = client
        self.namespace = client.namespace
        self.config = config
        self.world = RemoteWorld(client, now)
        self.ledger = RemoteLedger(client, now)
        self._now = now

    def create(self) -> None:
        c = self.config
        self.client.call("PUT", self.client.admin, json={
            "seed": c.seed, "profile": c.profile, "overrides": c.overrides or {}, "time_scale": 0.0,
            "origin": as_cst(c.origin).isoformat() if c.origin else None,
            "simulated_bidders": False})  # a scenario's bidders are its ``bid`` steps (as in process)
        self.client.server_now = as_cst(c.origin) if c.origin else None

    def set_profile(self, profile: Profile) -> None:
        self.client.move_to(self._now())
        info = self.client.call("PATCH", f"{self.client.admin}/profile", json={
            "profile": profile.name, "overrides": profile.overrides, "replace": True})
        self.config.profile = info["profile"]
        self.config.overrides = info["overrides"]

    def info(self) -> dict[str, Any]:
        return self.client.call("GET", self.client.admin)

    def disposal_port(self) -> HttpDisposalPort:
        """The namespace's pricing and auction platforms as the court's disposal port (over HTTP, its clock moved to
        the court's before each call, its next change read from the namespace), and :attr:`auction` for ``bid``."""
        port = HttpDisposalPort(self.client.send, before=self.client.move_to, next_due=self._platforms_next_due)
        self.auction = RemoteAuction(self.client, port, self._now)
        return port

    def _platforms_next_due(self, now: datetime) -> datetime | None:
        self.client.move_to(now)
        due = self.client.call("GET", self.client.admin).get("platforms_next_due")
        return datetime.fromisoformat(due) if due else None

    def delete(self) -> None:
        self.client.pins.clear()  # nobody will look at them
        self.client.call("DELETE", self.client.admin)


class RemoteAuction:
    """The namespace's auction platforms as a scenario's ``bid`` step uses them (``get``, ``pay_deposit``,
    ``place_bid``): a human bidder over HTTP, on a listing the court's disposal port listed."""

    def __init__(self, client: AgenciesClient, port: HttpDisposalPort, now: Callable[[], datetime]) -> None:
        self.client, self.port, self._now = client, port, now

    def get(self, listing_id: str) -> ListingView:
        self.client.move_to(self._now())
        return ListingView.model_validate(self.client.call("GET", self._path(listing_id)))

    def _path(self, listing_id: str) -> str:
        """The listing's path: known to the port if this process listed it; else (a court under test listed it,
        ``--court-url``) found on the namespace's auction platforms (directory group ``auction``)."""
        try:
            return self.port.path_of(listing_id)
        except UserError:
            pass
        for row in self.client.call("GET", "/agencies"):
            if row.get("group") != "auction":
                continue
            response = self.client.send("GET", f"/agencies/{quote(row['code'], safe='')}/listings/"
                                               f"{quote(listing_id, safe='')}")
            if response.status_code == 200:
                self.port._view(response.json())  # remembered: listing id → its platform
                return self.port.path_of(listing_id)
        return self.port.path_of(listing_id)  # unknown everywhere: the port's error

    def pay_deposit(self, listing_id: str, *, bidder_id: str, amount_cents: int, name: str = "",
                    now: datetime | None = None, pays_balance: bool = True) -> ListingView:
        self.client.move_to(now or self._now())
        return ListingView.model_validate(self.client.call("POST", f"{self._path(listing_id)}/deposits", json={
            "bidder_id": bidder_id, "amount_cents": amount_cents, **({"name": name} if name else {}),
            **({} if pays_balance else {"pays_balance": False})}))

    def place_bid(self, listing_id: str, *, bidder_id: str, amount_cents: int,
                  now: datetime | None = None) -> ListingView:
        self.client.move_to(now or self._now())
        return ListingView.model_validate(self.client.call("POST", f"{self._path(listing_id)}/bids", json={
            "bidder_id": bidder_id, "amount_cents": amount_cents}))


class RemoteAccounts:
    """The platform's ``CourtAccounts`` (一案一账号) kept by the server's namespace."""

    def __init__(self, client: AgenciesClient, now: Callable[[], datetime]) -> None:
        self.client = client
        self._now = now

    def open(self, court_code: str, case_id: str) -> str:
        self.client.move_to(self._now())
        answer = self.client.call("POST", f"{self.client.admin}/court-accounts",
                                  json={"court_code": court_code, "case_no": case_id[:64]})
        return answer["sub_account"]

    def balance(self, sub: str) -> int:
        self.client.move_to(self._now())
        return self.client.call("GET", f"{self.client.admin}/court-accounts/{quote(sub, safe='')}")["balance_cents"]

    def pay_out(self, sub: str, amount_cents: int, payee: str) -> None:
        self.client.move_to(self._now())
        self.client.call("POST", f"{self.client.admin}/court-accounts/{quote(sub, safe='')}/payouts",
                         json={"amount_cents": amount_cents, "payee": payee})


# ── the court ────────────────────────────────────────────────────────────────────────────────────


class RemoteCounterpart:
    """A namespace of zhixing's mock agencies server at ``spec.counterpart.url``, as the composition root's
    counterpart ``zhixing-http`` on the virtual clock: created with the scenario's seed, profile and overrides,
    reached through :class:`HttpAgencyPort`, moved along with the court's clock (one time source), deleted at
    :meth:`close`. With option ``attach`` the namespace is one that exists already (another court of a scenario
    whose main court is a system under test, ``--court-url``): it is neither created nor deleted here."""

    name = "zhixing-http"

    def __init__(self, spec: Any, clock: Any) -> None:
        cp = spec.counterpart
        client = AgenciesClient(check_url(cp.url or ""), cp.options.get("namespace") or namespace_name())
        try:
            config = SessionConfig(seed=spec.seed, profile=cp.profile, overrides=dict(cp.overrides), time_scale=0.0,
                                   origin=spec.origin)
            self.session = RemoteSession(client, config, clock.now)
            self.attached = bool(cp.options.get("attach"))
            if self.attached:
                client.server_now = datetime.fromisoformat(self.session.info()["now"])
            else:
                if cp.options.get("namespace"):
                    _not_taken(client)
                self.session.create()
            self._rows = client.call("GET", "/agencies")
        except BaseException:
            if client.server_now is not None and not cp.options.get("attach"):  # created: do not leave it behind
                try:
                    client.call("DELETE", client.admin)
                except UserError:
                    pass
            client.close()
            raise
        self.accounts = RemoteAccounts(client, clock.now)
        self.clock = clock
        self.admin = self.session
        self.last_port: HttpAgencyPort | None = None

    def directory_rows(self) -> list[dict[str, Any]]:
        return self._rows

    def port(self, now: Callable[[], datetime]) -> HttpAgencyPort:
        self.last_port = HttpAgencyPort(self.session.client)
        return self.last_port

    def moved_to(self, at: datetime) -> None:
        """The court's clock reached ``at``: the server's namespace follows (it never runs ahead). A 轮候 notice
        made meanwhile by another process's request is collected at ``at`` (the court's transport is woken)."""
        self.session.client.move_to(at)
        port = self.last_port
        if port is not None and port.check_notices(at):
            self.clock.run_until(at)

    def close(self) -> None:
        """Delete the namespace on the server (unless attached) and close the connection."""
        try:
            if not self.attached:
                self.session.delete()
        finally:
            self.session.client.close()


def _not_taken(client: AgenciesClient) -> None:
    """A namespace named for a new court must not exist yet: creating it replaced it — another court's (or test's)
    freezes and tickets wiped without a word. (Listed, not read: reading one creates it.)"""
    names = {s.get("namespace") for s in client.call("GET", "/admin/sessions")}
    if client.namespace in names:
        raise UserError(
            f"模拟机构服务上已有命名空间 {client.namespace}（另一法院或测试在用）：新建法院会清空它。请换一个名称，"
            "或以 attach 接入已有的命名空间",
            f"the mock agencies server already has a namespace {client.namespace} (another court's or test's): a new "
            "court would wipe it. Choose another name, or attach to the existing one",
            where="agencies.namespace", code="namespace_exists")


def namespace_name() -> str:
    """A namespace name unique to one scenario run (``^[A-Za-z0-9_.-]{1,64}$``)."""
    return f"scenario-{os.getpid()}-{next(_runs)}-{uuid.uuid4().hex[:8]}"


def build_remote_court(url: str, origin: datetime, *, seed: int = 0, profile: str = "fast",
                       overrides: dict[str, Any] | None = None, court: CourtIdentity = DEFAULT_COURT,
                       namespace: str | None = None, gateway_config: GatewayConfig | None = None,
                       strict_calendar: bool | None = None, process: Any = None) -> Court:
    """A fresh namespace on the server at ``url`` and a court on a SimClock from ``origin`` talking to it, built by
    the composition root. ``strict_calendar`` as for ``HolidayCalendar(strict=…)``; ``process``: the court's process
    (``core_flow.model.Process``; None: the bundled one)."""
    spec = CourtSpec(origin=origin, seed=seed, court=court, gateway=gateway_config, strict_calendar=strict_calendar,
                     process=process,
                     counterpart=CounterpartSpec(kind="zhixing-http", url=url, profile=profile,
                                                 overrides=overrides or {},
                                                 options={"namespace": namespace} if namespace else {}))
    return build_court(spec)


def court_factory(url: str, strict_calendar: bool | None = None) -> Callable[[Any, CourtIdentity], Court]:
    """For ``run_scenario(sc, court_factory=…)``: each scenario on its own namespace of the server at ``url``."""
    base = check_url(url)

    def build(sc: Any, court: CourtIdentity) -> Court:
        return build_remote_court(base, sc.case.filed, seed=sc.seed, profile=sc.profile,
                                  overrides=sc.agencies or None, court=court, strict_calendar=strict_calendar,
                                  process=sc.court_process)

    build.takes_process = True  # type: ignore[attr-defined]  # zhixing's engine: the scenario's process (runner)
    return build
