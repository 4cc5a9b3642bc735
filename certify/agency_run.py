"""The state of one agency-side run (:class:`Run`: the system under test, the fixtures, the kit's callback
receiver, request numbers, every answer seen) and what the checks share; on zhixing with its admin API, the kit's own
namespace (:func:`prepare_zhixing`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from certify.findings import CheckContext
from certify.fixtures import DebtorFixture, Fixtures
from certify.receiver import CallbackReceiver
from certify.sut import Sut, SutMisbehaved
from core_flow.errors import UserError
from core_flow.protocol import CODE_NOTICE, CODE_OK, CODE_PENDING, CODE_QUEUED, MEASURE_NAMES, AssetKind, Measure

SUCCESS_CODES = frozenset({CODE_OK, CODE_QUEUED, CODE_PENDING, CODE_NOTICE})  # ok answers (profile section 8)
OVERBID_CENTS = 12_345  # a freeze asks this much more than the balance
CST_OFFSET = timedelta(hours=8)

# zhixing's mock server, when the kit has its admin API: a namespace of the kit's own in virtual time, no random
# faults, deductions settling an hour after receipt (so a release can be seen held), a registry with business hours.
ZHIXING_NAMESPACE_SPEC: dict[str, Any] = {
    "seed": 1,
    "profile": "fast",
    "time_scale": 0,
    "overrides": {
        "*": {"latency": {"deduct": {"dist": "fixed", "min_seconds": 3600}}},
        "registry": {"business_hours": {"start": "08:00", "end": "18:00", "workdays_only": True,
                                        "poll_every_minutes": 20},
                     "latency": {"query": {"dist": "fixed", "min_seconds": 60}}},
    },
}


@dataclass
class Run:
    sut: Sut
    fixtures: Fixtures
    receiver: CallbackReceiver
    agency: str
    hub: bool
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8].upper())
    target_account: str = ""
    resumed_account: str = ""  # the 恢复执行 case's sub-account (fixtures ``resumed``; zhixing: opened by the kit)
    feedbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (check, feedback) for AG-017
    published: dict[str, frozenset[str] | None] = field(default_factory=dict)  # agency → its operations (read once)
    _n: int = 0

    def request_no(self) -> str:
        self._n += 1
        return f"CK{self.run_id}-{self._n:03d}"

    def court(self, i: int = 0) -> Any:
        return self.fixtures.courts[i]

    def body(self, role_or_debtor: str | DebtorFixture, measure: str, court: int = 0, **extra: Any) -> dict[str, Any]:
        debtor = self.fixtures.debtors[role_or_debtor] if isinstance(role_or_debtor, str) else role_or_debtor
        c = self.court(court)
        body = {"request_no": self.request_no(), "court_code": c.code, "case_no": c.case_no, "measure": measure,
                "subject": {"kind": debtor.kind.value, "name": debtor.name, "id_number": debtor.id_number}}
        body.update({k: v for k, v in extra.items() if v is not None})
        return body

    def seen(self, check: str, feedback: dict[str, Any] | None) -> dict[str, Any] | None:
        if isinstance(feedback, dict):
            self.feedbacks.append((check, feedback))
        return feedback

    def submit_and_answer(self, check: str, body: dict[str, Any], agency: str | None = None
                          ) -> tuple[httpx.Response, dict[str, Any] | None]:
        agency = agency or self.agency
        r = self.sut.submit(agency, body)
        tid = ticket_id(r)
        if tid is None:
            return r, None
        fb = self.sut.answer(agency, tid, body["court_code"])
        return r, self.seen(check, fb)

    def holding(self, check: str, role: str, account_no: str, court: int = 0) -> dict[str, Any] | None:
        """The account as a query reports it now."""
        _, fb = self.submit_and_answer(check, self.body(role, "00", court))
        for h in (fb or {}).get("holdings") or ():
            if h.get("account_no") == account_no:
                return h
        return None

    def callback(self, path: str) -> str:
        return f"{self.receiver.url}{path}"


Check = Callable[[Run, CheckContext], None]


def json_object(r: httpx.Response) -> dict[str, Any]:
    """The response's JSON object; ``{}`` for a body that is not one (a list, ``null``, HTML, garbage)."""
    try:
        data = r.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def ticket_id(r: httpx.Response) -> str | None:
    """The ticket number a receipt (200 / 202) gives: a non-empty string, else ``None`` — a receipt of the wrong
    shape (no object, a ``ticket_id`` that is a list, a number, ``NaN``) is no receipt."""
    if r.status_code not in (200, 202):
        return None
    tid = json_object(r).get("ticket_id")
    return tid if isinstance(tid, str) and tid else None


def polled_ticket_id(r: httpx.Response) -> str | None:
    """The ticket number a poll by request number (200, ``{"ticket": {...}}``) gives, else ``None``."""
    ticket = json_object(r).get("ticket") if r.status_code == 200 else None
    tid = ticket.get("ticket_id") if isinstance(ticket, dict) else None
    return tid if isinstance(tid, str) and tid else None


def need_debtor(run: Run, ctx: CheckContext, role: str) -> DebtorFixture | None:
    debtor = run.fixtures.debtor(role)
    if debtor is None:
        for req in ctx.requirements:
            ctx.skip(req, f"测试数据缺少角色 {role} 的被执行人", f"the fixtures have no debtor for role {role}")
    return debtor


def hub_only(run: Run, ctx: CheckContext) -> bool:
    """In hub mode an agency-measure check does not apply."""
    if run.hub:
        for req in ctx.requirements:
            ctx.not_applicable(req, "被测系统为总对总（只受理查询）", "the system under test is the hub (queries only)")
    return run.hub


def published_operations(run: Run, agency: str | None = None) -> frozenset[str] | None:
    """The measures the agency publishes it takes (``GET /agencies/{code}``: ``operations``, the profile's catalogue
    entry), read once per run and agency; ``None`` when it does not say (no such route, an answer of another shape):
    the kit then judges it as taking every measure it is asked (as before agencies were judged by their kind)."""
    agency = agency or run.agency
    if agency not in run.published:
        try:
            r = run.sut.request("GET", f"/agencies/{agency}", note="the agency's published measures (operations)")
        except httpx.TransportError:
            return None  # not remembered: asked again by the next check
        except SutMisbehaved:  # an answer past the kit's limits (trickled, huge): it says nothing usable
            run.published[agency] = None
            return None
        ops = json_object(r).get("operations") if r.status_code == 200 else None
        run.published[agency] = frozenset(str(o) for o in ops) if isinstance(ops, list) else None
    return run.published[agency]


def takes(run: Run, measure: str, agency: str | None = None) -> bool:
    """The agency publishes ``measure`` (or does not say what it takes)."""
    ops = published_operations(run, agency)
    return ops is None or measure in ops


def seals(run: Run, agency: str | None = None) -> bool:
    """The agency controls property by sealing it (查封 11: a registry of real estate or vehicles), not by freezing an
    amount (01): it publishes 11 and not 01. A seal asks no amount (``amount_cents`` is a freeze's field); it takes
    the whole property."""
    ops = published_operations(run, agency)
    return ops is not None and "11" in ops and "01" not in ops


def measure_text(code: str, en: bool = False) -> str:
    """``06 扣划`` / ``06 deduct``: a measure code as the profile's table names it."""
    try:
        zh_name, en_name = MEASURE_NAMES[Measure(code)]
    except ValueError:
        return code
    return f"{code} {en_name if en else zh_name}"


# The legal limit of a measure's term by the kind of property (profile section 4: deposits 1 year, movables 2, real
# estate 3; 民诉法解释 第四百八十五条), and the kinds' names in findings.
TERM_LIMIT_YEARS: dict[AssetKind, int] = {AssetKind.DEPOSIT: 1, AssetKind.BALANCE: 1, AssetKind.WEALTH_PRODUCT: 1,
                                          AssetKind.VEHICLE: 2}  # every other kind (real estate, equity…): 3
KIND_TEXT: dict[AssetKind, tuple[str, str]] = {
    AssetKind.DEPOSIT: ("存款", "deposit"), AssetKind.BALANCE: ("余额", "balance"),
    AssetKind.WEALTH_PRODUCT: ("理财产品", "wealth product"), AssetKind.SECURITIES: ("证券", "securities"),
    AssetKind.REAL_ESTATE: ("不动产", "real estate"), AssetKind.VEHICLE: ("车辆", "vehicle"),
    AssetKind.EQUITY: ("股权", "equity"), AssetKind.OTHER: ("其他财产", "other property")}


def beyond_term_limit(kind: AssetKind) -> int:
    """A term (days) beyond the legal limit for ``kind``: 400 days for money, 770 for a vehicle, 1130 otherwise."""
    return {1: 400, 2: 770}.get(TERM_LIMIT_YEARS.get(kind, 3), 1130)


def transfer_agency(run: Run) -> str:
    """The registry of the transfer check (fixtures ``transfer.agency``; by default the agency under test)."""
    fx = run.fixtures.transfer
    return (fx.agency if fx is not None and fx.agency else None) or run.agency


# -- the checks ------------------------------------------------------------------------------------------------


def parse_dt(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


CST_TZ = timezone(CST_OFFSET)


def prepare_zhixing(run: Run) -> None:
    """On zhixing with the admin API: the kit's own namespace, the fixtures' holdings pinned, a case sub-account."""
    sut, fx = run.sut, run.fixtures
    sut.prepare_namespace(ZHIXING_NAMESPACE_SPEC)
    pins, owners = [], []
    for role, debtor, agency in ([(role, d, fx.agency) for role, d in fx.debtors.items()]
                                 + ([("hub.debtor", fx.hub.debtor, fx.agency)] if fx.hub else [])
                                 + ([("transfer.debtor", fx.transfer.debtor, transfer_agency(run))]
                                    if fx.transfer else [])):
        holdings = [{"account_no": h.account_no, "kind": h.kind.value, "balance_cents": h.balance_cents,
                     "available_cents": h.balance_cents} for h in debtor.holdings]
        pins.append({"agency": agency, "id_number": debtor.id_number, "holdings": holdings})
        owners.append(role)
    r = sut.request("POST", f"/admin/sessions/{sut.namespace}/pins/batch", json={"pins": pins}, admin=True,
                    note="pin the fixtures' holdings")
    _pins_accepted(r, owners)
    r = sut.request("POST", f"/admin/sessions/{sut.namespace}/court-accounts", admin=True,
                    json={"court_code": fx.courts[0].code, "case_no": fx.courts[0].case_no},
                    note="open a case sub-account")
    run.target_account = r.json().get("sub_account", fx.target_account or "")
    if fx.resumed is not None:
        r = sut.request("POST", f"/admin/sessions/{sut.namespace}/court-accounts", admin=True,
                        json={"court_code": fx.courts[0].code, "case_no": fx.resumed.case_no},
                        note="open the resumed case's sub-account")
        run.resumed_account = r.json().get("sub_account", fx.resumed.target_account)


class PinsRefused(UserError):
    """The system under test (zhixing, admin API) refused to pin the fixtures' holdings: no check could use them,
    so the run is refused before any check (``where``: the role whose holdings were refused)."""


def _pins_accepted(r: httpx.Response, owners: list[str]) -> None:
    """The answer to ``POST …/pins/batch`` says every pin was set, else :class:`PinsRefused` naming the role (a
    4xx: the fixtures are at fault — one bad pin refuses the batch, and every check would fail for it); an answer
    of the wrong shape is the admin API failing (``RuntimeError``: the run goes on as against any other system)."""
    if not 400 <= r.status_code < 500:
        body = r.json()  # garbage: a JSONDecodeError, as from any other admin call
        if r.status_code == 200 and isinstance(body, dict) and body.get("pins") == len(owners):
            return
        raise RuntimeError(f"pins/batch answered HTTP {r.status_code}: {str(body)[:200]}")
    try:
        body = r.json()
    except ValueError:
        body = None
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    where = str(err.get("where") or "")
    at = re.search(r"pins(?:\[|\.)(\d+)", where + " " + " ".join(
        str(f.get("field")) for f in err.get("fields") or () if isinstance(f, dict)))
    role = owners[int(at.group(1))] if at and int(at.group(1)) < len(owners) else None
    said_zh, said_en = str(err.get("zh") or "")[:300], str(err.get("en") or "")[:300]
    who_zh, who_en = (f"角色 {role} 的", f"role {role}'s") if role else ("", "the")
    raise PinsRefused(
        f"被测系统未接受测试数据中{who_zh}账户（POST …/pins/batch 答 HTTP {r.status_code}：{said_zh or '无说明'}），"
        "无法开始检查；请改正测试数据",
        f"the system under test did not accept {who_en} holdings of the fixtures (POST …/pins/batch answered HTTP "
        f"{r.status_code}: {said_en or 'no reason given'}): no check can start; mend the fixtures",
        where=f"debtors.{role}" if role and "." not in role else (role or "debtors"), code="pins_refused")
