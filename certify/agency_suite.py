"""The agency-side suite (``zhixing certify agency``): checks a system that plays an agency or the 总对总 hub against
the profile's AG- requirements, over HTTP, with the vendor's fixtures.

Each check declares the requirement IDs it can find on (``CHECKS``); every answer the suite sees is also audited
against the profile's result codes (AG-017). On zhixing's mock server with its admin API the suite works in its own
namespace in virtual time (no waiting) and runs the admin-only checks too (429 / Retry-After, business hours, the
hub's retries); elsewhere those are "not applicable".
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from certify.findings import CheckContext, Finding
from certify.fixtures import DebtorFixture, Fixtures
from certify.receiver import CallbackReceiver
from certify.sut import Sut
from core_flow.protocol import (
    CODE_NOTICE,
    CODE_OK,
    CODE_PENDING,
    CODE_QUEUED,
    HUB,
)

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
    feedbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (check, feedback) for AG-017
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
        if r.status_code not in (200, 202):
            return r, None
        fb = self.sut.answer(agency, r.json()["ticket_id"], body["court_code"])
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


def _need(run: Run, ctx: CheckContext, role: str) -> DebtorFixture | None:
    debtor = run.fixtures.debtor(role)
    if debtor is None:
        for req in ctx.requirements:
            ctx.skip(req, f"测试数据缺少角色 {role} 的被执行人", f"the fixtures have no debtor for role {role}")
    return debtor


def _hub_only(run: Run, ctx: CheckContext) -> bool:
    """In hub mode an agency-measure check does not apply."""
    if run.hub:
        for req in ctx.requirements:
            ctx.not_applicable(req, "被测系统为总对总（只受理查询）", "the system under test is the hub (queries only)")
    return run.hub


# -- the checks ------------------------------------------------------------------------------------------------


def check_receipts(run: Run, ctx: CheckContext) -> None:
    """A query is accepted at once with a ticket; the answer comes later and reports the debtor's holdings."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "query")) is None:
        return
    body = run.body("query", "00")
    r = run.sut.submit(run.agency, body)
    ticket = r.json() if r.status_code in (200, 202) else {}
    ctx.expect("AG-001", r.status_code == 202 and bool(ticket.get("ticket_id"))
               and ticket.get("request_no") == body["request_no"]
               and ticket.get("status") in ("accepted", "answered"),
               f"受理回执：HTTP {r.status_code}，工单 {ticket.get('ticket_id')}",
               f"receipt: HTTP {r.status_code}, ticket {ticket.get('ticket_id')}")
    if not ticket.get("ticket_id"):
        ctx.skip("AG-018", "未受理，无法检查答复", "not accepted: no answer to check")
        return
    fb = run.seen(ctx.name, run.sut.answer(run.agency, ticket["ticket_id"], body["court_code"]))
    ctx.expect("AG-001", fb is not None and fb.get("ticket_id") == ticket["ticket_id"]
               and fb.get("request_no") == body["request_no"],
               "业务结果随后反馈，且指向原工单与请求编号",
               "the answer came later, about the same ticket and request number")
    holdings = {h.get("account_no"): h for h in (fb or {}).get("holdings") or ()}
    for h in debtor.holdings:
        got = holdings.get(h.account_no) or {}
        ctx.expect("AG-018", bool(fb and fb.get("ok")) and got.get("balance_cents") == h.balance_cents
                   and got.get("available_cents") == h.balance_cents and got.get("kind") == h.kind.value,
                   f"查询反馈账户 {h.account_no}：余额 {got.get('balance_cents')}，可控 {got.get('available_cents')}"
                   f"（应为 {h.balance_cents}）",
                   f"the query reports account {h.account_no}: balance {got.get('balance_cents')}, available "
                   f"{got.get('available_cents')} (expected {h.balance_cents})")


def check_idempotency(run: Run, ctx: CheckContext) -> None:
    """The same request number again: the same ticket, carried out once; with other content: 409, nothing changed."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "replay")) is None:
        return
    h = debtor.holdings[0]
    amount = max(1, h.balance_cents // 4)
    body = run.body("replay", "01", account_no=h.account_no, amount_cents=amount)
    first = run.sut.submit(run.agency, body, note="freeze")
    second = run.sut.submit(run.agency, body, note="the same freeze again (a court's retry)")
    t1 = first.json().get("ticket_id") if first.status_code in (200, 202) else None
    t2 = second.json().get("ticket_id") if second.status_code in (200, 202) else None
    ctx.expect("AG-002", t1 is not None and t1 == t2 and second.status_code == 200,
               f"重复提交返回原工单：{t1} / {t2}（HTTP {second.status_code}）",
               f"the repeat returns the same ticket: {t1} / {t2} (HTTP {second.status_code})")
    if t1:
        run.seen(ctx.name, run.sut.answer(run.agency, t1, body["court_code"]))
    if t2 and t2 != t1:
        run.seen(ctx.name, run.sut.answer(run.agency, t2, body["court_code"]))
    now = run.holding(ctx.name, "replay", h.account_no)
    available = (now or {}).get("available_cents")
    ctx.expect("AG-002", available == h.balance_cents - amount,
               f"只冻结一次：可控余额 {available}（应为 {h.balance_cents - amount}）",
               f"frozen once: available {available} (expected {h.balance_cents - amount})")
    # the same request number with other content
    query = run.body("replay", "00")
    r1 = run.sut.submit(run.agency, query, note="query")
    other = dict(query, case_no=query["case_no"] + "-other")
    r2 = run.sut.submit(run.agency, other, note="the same request number, another case number")
    err = r2.json().get("error", {}) if r2.headers.get("content-type", "").startswith("application/json") else {}
    ctx.expect("AG-003", r2.status_code == 409 and bool(err.get("zh")) and bool(err.get("en")),
               f"同一请求编号、不同内容：HTTP {r2.status_code}（应为 409）",
               f"the same request number with other content: HTTP {r2.status_code} (expected 409)")
    polled = run.sut.request("GET", f"/agencies/{run.agency}/requests", court=query["court_code"],
                             params={"request_no": query["request_no"], "court_code": query["court_code"]},
                             note="poll by request number")
    got = polled.json().get("ticket", {}).get("ticket_id") if polled.status_code == 200 else None
    want = r1.json().get("ticket_id") if r1.status_code in (200, 202) else None
    ctx.expect("AG-003", got is not None and got == want,
               f"冲突未改变原请求：按请求编号查询得工单 {got}（应为 {want}）",
               f"the conflict changed nothing: polling the request number gives {got} (expected {want})")


def check_freeze_balance(run: Run, ctx: CheckContext) -> None:
    """A freeze beyond the balance controls the balance and reports the remainder; a query then shows the account
    fully frozen with the measure."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "freeze")) is None:
        return
    h = debtor.holdings[0]
    asked = h.balance_cents + OVERBID_CENTS
    _, fb = run.submit_and_answer(ctx.name, run.body("freeze", "01", account_no=h.account_no, amount_cents=asked))
    fb = fb or {}
    ctx.expect("AG-004", bool(fb.get("ok")) and fb.get("amount_controlled_cents") == h.balance_cents
               and fb.get("unsecured_remainder_cents") == OVERBID_CENTS
               and fb.get("amount_requested_cents") == asked,
               f"冻结 {asked} 分：已控 {fb.get('amount_controlled_cents')}，未控 {fb.get('unsecured_remainder_cents')}"
               f"（应为 {h.balance_cents} / {OVERBID_CENTS}）",
               f"freeze of {asked}: controlled {fb.get('amount_controlled_cents')}, remainder "
               f"{fb.get('unsecured_remainder_cents')} (expected {h.balance_cents} / {OVERBID_CENTS})")
    other = 1 if len(run.fixtures.courts) > 1 else 0
    seen = run.holding(ctx.name, "freeze", h.account_no, court=other) or {}
    existing = seen.get("existing_freezes") or ()
    ctx.expect("AG-007", seen.get("balance_cents") == h.balance_cents and seen.get("available_cents") == 0
               and any(e.get("freeze_id") == fb.get("freeze_id") for e in existing),
               f"查询反馈已全额冻结：余额 {seen.get('balance_cents')}，可控 {seen.get('available_cents')}，已有措施 "
               f"{len(existing)} 项",
               f"the query reports the account fully frozen: balance {seen.get('balance_cents')}, available "
               f" {seen.get('available_cents')}, {len(existing)} existing measures")


def check_queue(run: Run, ctx: CheckContext) -> None:
    """轮候: two other courts queue behind a full freeze, take effect in registration order, each with a numbered
    notice stating the amount newly controlled."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "queue")) is None:
        return
    if len(run.fixtures.courts) < 3:
        for req in ctx.requirements:
            ctx.skip(req, "轮候检查需要三家法院（测试数据 courts）",
                     "the 轮候 check needs three courts (fixtures: courts)")
        return
    h = debtor.holdings[0]
    freezes: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    for i in range(3):
        body = run.body("queue", "01", court=i, account_no=h.account_no, amount_cents=h.balance_cents,
                        callback_url=run.callback(f"/queue/{run.run_id}/{i}"))
        requests.append(body)
        _, fb = run.submit_and_answer(ctx.name, body)
        freezes.append(fb or {})
    a, b, c = freezes
    ctx.expect("AG-005", a.get("freeze_state") == "active"
               and b.get("freeze_state") == "queued" and b.get("queue_position") == 1
               and c.get("freeze_state") == "queued" and c.get("queue_position") == 2,
               f"轮候登记：{[f.get('freeze_state') for f in freezes]}，"
               f"顺位 {[f.get('queue_position') for f in freezes]}",
               f"queued: {[f.get('freeze_state') for f in freezes]}, positions "
               f"{[f.get('queue_position') for f in freezes]}")
    if not a.get("freeze_id"):
        return
    run.submit_and_answer(ctx.name, run.body("queue", "04", court=0, freeze_id=a["freeze_id"]))

    def notices() -> list[tuple[int, dict[str, Any]]]:
        return [(i, x.body) for i in (1, 2) for x in run.receiver.at(f"/queue/{run.run_id}/{i}")
                if isinstance(x.body, dict) and x.body.get("notice")]

    got = run.sut.until(notices, step=60.0, horizon=86400.0) or []
    first = {i: body for i, body in got}
    ctx.expect("AG-005", set(first) == {1},
               f"解除第一家后生效的轮候：法院 {sorted(first) or '无'}（应为第二家，登记顺序）",
               f"after the first release the freeze that took effect belongs to court(s) {sorted(first) or 'none'} "
               "(expected the second, in registration order)")
    if got:
        i, notice = got[0]
        run.seen(ctx.name, notice)
        ctx.expect("AG-006", notice.get("notice") == 1 and notice.get("code") == CODE_NOTICE
                   and notice.get("amount_controlled_cents") == h.balance_cents
                   and notice.get("request_no") == requests[i]["request_no"],
                   f"生效通知：编号 {notice.get('notice')}，代码 {notice.get('code')}，新增控制 "
                   f"{notice.get('amount_controlled_cents')}（应为 1 / {CODE_NOTICE} / {h.balance_cents}）",
                   f"notice: number {notice.get('notice')}, code {notice.get('code')}, newly controlled "
                   f"{notice.get('amount_controlled_cents')} (expected 1 / {CODE_NOTICE} / {h.balance_cents})")
    else:
        ctx.expect("AG-006", False, "解除后没有收到生效通知", "no notice came after the release")
    if set(first) == {1} and b.get("freeze_id"):
        run.submit_and_answer(ctx.name, run.body("queue", "04", court=1, freeze_id=b["freeze_id"]))
        later = run.sut.until(lambda: [x for x in run.receiver.at(f"/queue/{run.run_id}/2")
                                       if isinstance(x.body, dict) and x.body.get("notice")],
                              step=60.0, horizon=86400.0) or []
        ctx.expect("AG-005", len(later) >= 1, "第二家解除后第三家生效",
                   "after the second release the third took effect")


def check_renewal_and_terms(run: Run, ctx: CheckContext) -> None:
    """A freeze for 30 days ends then; a renewal before the end extends it; a term beyond the legal limit is
    refused."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "renew")) is None:
        return
    h = debtor.holdings[0]
    _, fb = run.submit_and_answer(ctx.name, run.body("renew", "01", account_no=h.account_no,
                                                     amount_cents=max(1, h.balance_cents // 10), term_days=30))
    fb = fb or {}
    start, end = _dt(fb.get("answered_at")), _dt(fb.get("expires_at"))
    days = (end - start).total_seconds() / 86400 if start and end else None
    ctx.expect("AG-008", days is not None and 29 <= days <= 31,
               f"30 天冻结的期限：{days and round(days, 2)} 天", f"a 30-day freeze runs {days and round(days, 2)} days")
    if not fb.get("freeze_id"):
        return
    _, renewed = run.submit_and_answer(ctx.name, run.body("renew", "02", freeze_id=fb["freeze_id"], term_days=30))
    new_end = _dt((renewed or {}).get("expires_at"))
    ctx.expect("AG-008", bool(renewed and renewed.get("ok")) and new_end is not None and end is not None
               and new_end > end,
               f"续冻：期限由 {end} 延至 {new_end}", f"renewal: the term moved from {end} to {new_end}")
    too_long = run.body("renew", "01", account_no=h.account_no, amount_cents=1, term_days=400)
    r, over = run.submit_and_answer(ctx.name, too_long)
    refused = 400 <= r.status_code < 500 or (over is not None and not over.get("ok"))
    ctx.expect("AG-008", refused,
               f"存款冻结 400 天：HTTP {r.status_code}，ok={None if over is None else over.get('ok')}（应拒绝）",
               f"a 400-day deposit freeze: HTTP {r.status_code}, "
               f"ok={None if over is None else over.get('ok')} (expected refused)")


def check_deduction_and_release(run: Run, ctx: CheckContext) -> None:
    """A deduction takes only frozen money, is pending first, then succeeds; a release sent while it is pending is
    held until it settles."""
    if _hub_only(run, ctx) or (debtor := _need(run, ctx, "deduct")) is None:
        return
    h = debtor.holdings[0]
    frozen = max(2, h.balance_cents // 2)
    _, fb = run.submit_and_answer(ctx.name, run.body("deduct", "01", account_no=h.account_no, amount_cents=frozen))
    fid = (fb or {}).get("freeze_id")
    if not fid:
        ctx.expect("AG-010", False, "冻结未成功，无法扣划", "the freeze failed: nothing to deduct")
        ctx.skip("AG-009", "冻结未成功", "the freeze failed")
        return
    target = run.target_account
    r, over = run.submit_and_answer(ctx.name, run.body("deduct", "06", freeze_id=fid, amount_cents=frozen + 1,
                                                       target_account=target))
    refused = 400 <= r.status_code < 500 or (over is not None and (not over.get("ok")
                                                                   or over.get("deduct_status") == "refused"))
    ctx.expect("AG-010", refused, f"扣划超过冻结金额：HTTP {r.status_code}（应拒绝）",
               f"a deduction beyond the frozen amount: HTTP {r.status_code} (expected refused)")
    part = frozen // 2
    body = run.body("deduct", "06", freeze_id=fid, amount_cents=part, target_account=target)
    r = run.sut.submit(run.agency, body)
    tid = r.json().get("ticket_id") if r.status_code in (200, 202) else None
    interim = run.sut.poll(run.agency, tid, body["court_code"], note="poll the deduction at once") if tid else None
    release = run.body("deduct", "04", freeze_id=fid)
    ru = run.sut.submit(run.agency, release, note="release while the deduction is pending")
    if interim and interim.get("ticket", {}).get("status") == "accepted" and interim.get("feedback"):
        pending = run.seen(ctx.name, interim["feedback"]) or {}
        ctx.expect("AG-010", pending.get("deduct_status") == "pending" and pending.get("code") == CODE_PENDING,
                   f"扣划先为待处理：{pending.get('deduct_status')} / {pending.get('code')}",
                   f"the deduction is pending first: {pending.get('deduct_status')} / {pending.get('code')}")
    else:
        ctx.skip("AG-010", "扣划受理时已办结，未见待处理状态", "the deduction settled at once: no pending state seen")
    done = run.seen(ctx.name, run.sut.answer(run.agency, tid, body["court_code"])) if tid else None
    ctx.expect("AG-010", bool(done) and done.get("deduct_status") == "success"
               and done.get("amount_deducted_cents") == part,
               f"扣划结果：{(done or {}).get('deduct_status')}，扣划 {(done or {}).get('amount_deducted_cents')}（应为 "
               f"success / {part}）", f"deduction: {(done or {}).get('deduct_status')}, "
               f"{(done or {}).get('amount_deducted_cents')} deducted (expected success / {part})")
    uid = ru.json().get("ticket_id") if ru.status_code in (200, 202) else None
    released = run.seen(ctx.name, run.sut.answer(run.agency, uid, release["court_code"])) if uid else None
    t_release, t_deduct = _dt((released or {}).get("answered_at")), _dt((done or {}).get("answered_at"))
    if interim and interim.get("ticket", {}).get("status") == "accepted":
        ctx.expect("AG-009", bool(released) and released.get("freeze_state") == "released" and t_release is not None
                   and t_deduct is not None and t_release >= t_deduct,
                   f"解除在扣划办结后执行：解除 {t_release}，扣划 {t_deduct}",
                   f"the release was carried out after the deduction settled: release {t_release}, "
                   f"deduction {t_deduct}")
    else:
        ctx.skip("AG-009", "扣划已即时办结，无法观察暂缓", "the deduction settled at once: the hold cannot be seen")
    if run.sut.admin:
        r = run.sut.request("GET", f"/admin/sessions/{run.sut.namespace}/court-accounts/{target}", admin=True,
                            note="the case sub-account (zhixing admin)")
        balance = r.json().get("balance_cents") if r.status_code == 200 else None
        ctx.expect("AG-010", balance == part, f"一案一账号入账 {balance}（应为 {part}）",
                   f"the case sub-account received {balance} (expected {part})")


def check_callbacks(run: Run, ctx: CheckContext) -> None:
    """An answer is posted to the callback URL and retried until acknowledged (the kit refuses the first two
    posts), then no more; the ticket can be polled, by ticket and by request number."""
    if run.hub:
        debtor = run.fixtures.hub.debtor if run.fixtures.hub else None
        agency = HUB
    else:
        debtor, agency = run.fixtures.debtor("callback"), run.agency
    if debtor is None:
        ctx.skip("AG-011", "测试数据缺少角色 callback 的被执行人", "the fixtures have no debtor for role callback")
        return
    path = f"/flaky/2/{run.run_id}-cb"
    extra: dict[str, Any] = {"callback_url": run.callback(path)}
    if run.hub and run.fixtures.hub:
        extra["scope"] = list(run.fixtures.hub.scope)
    body = run.body(debtor, "00", **extra)
    r = run.sut.submit(agency, body)
    tid = r.json().get("ticket_id") if r.status_code in (200, 202) else None
    acked = run.sut.until(lambda: [a for a in run.receiver.at(path) if a.status == 200], step=30.0,
                          horizon=86400.0)
    arrivals = run.receiver.at(path)
    refused = [a for a in arrivals if a.status != 200]
    ctx.expect("AG-011", bool(acked) and len(refused) >= 2 and all(
                   any(x.status == 200 and x.body == a.body for x in arrivals) for a in refused),
               f"回调：{len(arrivals)} 次投递，其中 {len(refused)} 次被拒后重试至确认",
               f"callback: {len(arrivals)} posts, {len(refused)} refused then retried until acknowledged")
    if not tid:
        return
    polled = run.sut.answer(agency, tid, body["court_code"])
    last = [a.body for a in run.receiver.at(path) if a.status == 200]
    ctx.expect("AG-011", polled is not None and (run.hub or (bool(last) and last[-1] == polled)),
               "按工单轮询得到与回调相同的反馈", "polling the ticket gives the answer the callback carried")
    by_no = run.sut.request("GET", f"/agencies/{agency}/requests", court=body["court_code"],
                            params={"request_no": body["request_no"], "court_code": body["court_code"]},
                            note="poll by request number")
    ctx.expect("AG-011", by_no.status_code == 200 and by_no.json().get("ticket", {}).get("ticket_id") == tid,
               f"按请求编号轮询：HTTP {by_no.status_code}", f"polling by request number: HTTP {by_no.status_code}")


def check_errors(run: Run, ctx: CheckContext) -> None:
    """Bad requests get a 4xx with a bilingual error body naming the field, and change nothing."""
    debtor = run.fixtures.debtor("errors") or next(iter(run.fixtures.debtors.values()), None)
    if debtor is None:
        ctx.skip("AG-013", "测试数据没有被执行人", "the fixtures have no debtor")
        return
    agency = HUB if run.hub else run.agency
    bad_id = run.body(debtor, "00")
    bad_id["subject"] = dict(bad_id["subject"], id_number="12345")
    no_account = run.body(debtor, "01", amount_cents=100)
    cases: list[tuple[str, str, dict[str, Any] | None, bytes | None, tuple[int, ...], str]] = [
        ("身份证号过短", "an ID number too short", bad_id, None, (400, 422), "id_number"),
        ("冻结缺账号", "a freeze without an account", no_account, None, (400, 422), "account_no"),
        ("未知机构", "an unknown agency", run.body(debtor, "00"), None, (404,), ""),
        ("请求体不是 JSON", "a body that is not JSON", None, b"{not json", (400, 422), ""),
    ]
    for zh, en, body, raw, statuses, field_name in cases:
        path = "/agencies/zz_no_such_agency/requests" if zh == "未知机构" else f"/agencies/{agency}/requests"
        r = run.sut.request("POST", path, court=run.court().code, json=body, content=raw, note=en)
        try:
            err = r.json().get("error", {})
        except ValueError:
            err = {}
        named = not field_name or field_name in json.dumps(err, ensure_ascii=False)
        ctx.expect("AG-013", r.status_code in statuses and bool(err.get("zh")) and bool(err.get("en")) and named,
                   f"{zh}：HTTP {r.status_code}，错误体{'含' if err.get('zh') and err.get('en') else '缺'}中英文"
                   f"{'，指明字段' if named else '，未指明字段'}",
                   f"{en}: HTTP {r.status_code}, error body {'with' if err.get('en') else 'without'} both languages"
                   f"{', naming the field' if named else ', not naming the field'}")
        if body is not None and zh != "未知机构":
            polled = run.sut.request("GET", f"/agencies/{agency}/requests", court=body["court_code"],
                                     params={"request_no": body["request_no"], "court_code": body["court_code"]},
                                     note="the rejected request is unknown")
            ctx.expect("AG-013", polled.status_code == 404, f"被拒请求未留下工单：HTTP {polled.status_code}",
                       f"the rejected request left no ticket: HTTP {polled.status_code}")


def check_rate_limit(run: Run, ctx: CheckContext) -> None:
    """Rate limiting answers 429 with Retry-After and accepts nothing (zhixing: injected through the admin API)."""
    if not run.sut.admin:
        ctx.not_applicable("AG-012", "需要 zhixing 管理接口注入限流",
                           "needs zhixing's admin API to inject rate limiting")
        return
    agency = HUB if run.hub else run.agency
    debtor = run.fixtures.hub.debtor if run.hub and run.fixtures.hub else next(iter(run.fixtures.debtors.values()))
    faults = f"/admin/sessions/{run.sut.namespace}/faults"
    run.sut.request("PUT", faults, json={"scope": agency, "rate_limit": 1.0}, admin=True, note="inject 429")
    extra = {"scope": list(run.fixtures.hub.scope)} if run.hub and run.fixtures.hub else {}
    body = run.body(debtor, "00", **extra)
    try:
        r = run.sut.request("POST", f"/agencies/{agency}/requests", court=body["court_code"], json=body,
                            note="submit while rate limited")
    finally:
        run.sut.request("PUT", faults, json={"scope": agency}, admin=True, note="faults off")
    retry_after = r.headers.get("Retry-After", "")
    ctx.expect("AG-012", r.status_code == 429 and retry_after.isdigit(),
               f"限流：HTTP {r.status_code}，Retry-After {retry_after or '无'}",
               f"rate limited: HTTP {r.status_code}, Retry-After {retry_after or 'none'}")
    polled = run.sut.request("GET", f"/agencies/{agency}/requests", court=body["court_code"],
                             params={"request_no": body["request_no"], "court_code": body["court_code"]},
                             note="the refused request was not accepted")
    ctx.expect("AG-012", polled.status_code == 404, f"被限流的请求未受理：HTTP {polled.status_code}",
               f"the rate-limited request was not accepted: HTTP {polled.status_code}")


def check_business_hours(run: Run, ctx: CheckContext) -> None:
    """A registry answers only at its polling instants in business hours (zhixing: a Saturday query)."""
    registry = run.fixtures.registry
    if run.hub or not registry or not run.sut.admin:
        ctx.not_applicable("AG-014", "需要登记机构与 zhixing 管理接口（推进到周六）",
                           "needs a registry and zhixing's admin API (to move to a Saturday)")
        return
    now = run.sut.now()
    assert now is not None
    local = now.astimezone(_CST)
    saturday = (local + timedelta(days=(5 - local.weekday()) % 7 or 7)).replace(hour=10, minute=7, second=0,
                                                                                 microsecond=0)
    run.sut.request("POST", f"/admin/sessions/{run.sut.namespace}/advance", json={"to": saturday.isoformat()},
                    admin=True, note="advance to a Saturday, 10:07")
    debtor = next(iter(run.fixtures.debtors.values()))
    _, fb = run.submit_and_answer(ctx.name, run.body(debtor, "00"), agency=registry)
    at = _dt((fb or {}).get("answered_at"))
    local_at = at.astimezone(_CST) if at else None
    ok = local_at is not None and local_at.weekday() < 5 and 8 <= local_at.hour < 18 and local_at.minute % 20 == 0
    ctx.expect("AG-014", ok, f"周六提交，答复于 {local_at}（应在工作日 8–18 时的轮询时点）",
               f"submitted on a Saturday, answered at {local_at} (expected a polling instant in business hours)")


def check_hub(run: Run, ctx: CheckContext) -> None:
    """The hub fans out to exactly the scope: each agency answers in exactly one part; a poll is cumulative; a
    resubmit gives the same ticket."""
    if not run.hub or run.fixtures.hub is None:
        for req in ctx.requirements:
            ctx.not_applicable(req, "被测系统不是总对总（未给 --hub）",
                               "the system under test is not the hub (no --hub)")
        return
    hub = run.fixtures.hub
    body = run.body(hub.debtor, "00", scope=list(hub.scope), callback_url=run.callback(f"/hub/{run.run_id}"))
    r = run.sut.submit(HUB, body)
    tid = r.json().get("ticket_id") if r.status_code in (200, 202) else None
    again = run.sut.submit(HUB, body, note="resubmit")
    ctx.expect("AG-002", tid is not None and again.status_code == 200 and again.json().get("ticket_id") == tid,
               f"重复提交返回原工单（HTTP {again.status_code}）", f"the resubmit returns the same ticket (HTTP "
               f"{again.status_code})")
    ctx.expect("AG-001", r.status_code == 202 and tid is not None, f"受理回执：HTTP {r.status_code}",
               f"receipt: HTTP {r.status_code}")
    if not tid:
        return
    final = run.sut.answer(HUB, tid, body["court_code"])
    run.sut.pass_time(60.0)
    parts = [a.body for a in run.receiver.at(f"/hub/{run.run_id}") if a.status == 200 and isinstance(a.body, dict)]
    seen_parts: dict[int, list[str]] = {}
    for p in parts:
        run.seen(ctx.name, p)
        batch = p.get("batch") or {}
        seen_parts[batch.get("part", 0)] = [a.get("agency") for a in batch.get("found") or ()] + list(
            batch.get("none_found") or ())
    answered = [a for agencies in seen_parts.values() for a in agencies]
    ctx.expect("AG-015", sorted(answered) == sorted(hub.scope),
               f"分批反馈覆盖范围：{len(answered)} 家次，范围 {len(hub.scope)} 家，{len(seen_parts)} 批",
               f"the parts cover the scope: {len(answered)} answers for {len(hub.scope)} agencies in "
               f"{len(seen_parts)} parts")
    batch = (final or {}).get("batch") or {}
    cumulative = [a.get("agency") for a in batch.get("found") or ()] + list(batch.get("none_found") or ())
    ctx.expect("AG-015", sorted(cumulative) == sorted(hub.scope) and batch.get("outstanding") == 0,
               "轮询返回累计结果", "a poll returns everything so far")


def check_hub_failure(run: Run, ctx: CheckContext) -> None:
    """The hub retries an agency's faults and reports it failed in the end (zhixing: faults injected)."""
    if not run.hub or run.fixtures.hub is None or not run.sut.admin:
        ctx.not_applicable("AG-016", "需要 --hub 与 zhixing 管理接口注入故障", "needs --hub and zhixing's admin API")
        return
    hub = run.fixtures.hub
    victim = hub.scope[0]
    faults = f"/admin/sessions/{run.sut.namespace}/faults"
    run.sut.request("PUT", faults, json={"scope": victim, "error_5xx": 1.0}, admin=True, note=f"{victim} fails")
    try:
        _, fb = run.submit_and_answer(ctx.name, run.body(hub.debtor, "00", scope=list(hub.scope)), agency=HUB)
    finally:
        run.sut.request("PUT", faults, json={"scope": victim}, admin=True, note="faults off")
    found = {a.get("agency"): a for a in ((fb or {}).get("batch") or {}).get("found") or ()}
    ctx.expect("AG-016", victim in found and found[victim].get("ok") is False,
               f"故障机构 {victim} 报为查询失败", f"the failing agency {victim} is reported failed")


CHECKS: tuple[tuple[str, tuple[str, ...], Check], ...] = (
    ("receipts", ("AG-001", "AG-018"), check_receipts),
    ("idempotency", ("AG-002", "AG-003"), check_idempotency),
    ("freeze_balance", ("AG-004", "AG-007"), check_freeze_balance),
    ("queue", ("AG-005", "AG-006"), check_queue),
    ("renewal_terms", ("AG-008",), check_renewal_and_terms),
    ("deduction_release", ("AG-009", "AG-010"), check_deduction_and_release),
    ("callbacks", ("AG-011",), check_callbacks),
    ("errors", ("AG-013",), check_errors),
    ("rate_limit", ("AG-012",), check_rate_limit),
    ("business_hours", ("AG-014",), check_business_hours),
    ("hub", ("AG-001", "AG-002", "AG-015"), check_hub),
    ("hub_failure", ("AG-016",), check_hub_failure),
)
RESULT_CODES_CHECK = ("result_codes", ("AG-017",))


def _dt(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


_CST = timezone(CST_OFFSET)


def _audit_codes(run: Run) -> list[Finding]:
    """AG-017: every successful answer seen carries a result code of the profile's table."""
    ctx = CheckContext(*RESULT_CODES_CHECK)
    bad = [(check, fb) for check, fb in run.feedbacks if fb.get("ok") and fb.get("code") not in SUCCESS_CODES]
    if not run.feedbacks:
        ctx.skip("AG-017", "没有收到业务反馈", "no answers were seen")
    else:
        ctx.expect("AG-017", not bad,
                   f"{len(run.feedbacks)} 份反馈的结果代码均在规范表中" if not bad else
                   f"{len(bad)} 份成功反馈的结果代码不在规范表中：{sorted({fb.get('code') for _, fb in bad})}",
                   f"all {len(run.feedbacks)} answers carry a code of the profile's table" if not bad else
                   f"{len(bad)} successful answers carry a code outside the table: "
                   f"{sorted({str(fb.get('code')) for _, fb in bad})}")
    for f in ctx.findings:
        f.exchanges = [{"check": check, "feedback": fb} for check, fb in (bad or run.feedbacks[:5])]
    return ctx.findings


def prepare_zhixing(run: Run) -> None:
    """On zhixing with the admin API: the kit's own namespace, the fixtures' holdings pinned, a case sub-account."""
    sut, fx = run.sut, run.fixtures
    sut.prepare_namespace(ZHIXING_NAMESPACE_SPEC)
    pins = []
    for debtor in list(fx.debtors.values()) + ([fx.hub.debtor] if fx.hub else []):
        holdings = [{"account_no": h.account_no, "kind": h.kind.value, "balance_cents": h.balance_cents,
                     "available_cents": h.balance_cents} for h in debtor.holdings]
        pins.append({"agency": fx.agency, "id_number": debtor.id_number, "holdings": holdings})
    sut.request("POST", f"/admin/sessions/{sut.namespace}/pins/batch", json={"pins": pins}, admin=True,
                note="pin the fixtures' holdings")
    r = sut.request("POST", f"/admin/sessions/{sut.namespace}/court-accounts", admin=True,
                    json={"court_code": fx.courts[0].code, "case_no": fx.courts[0].case_no},
                    note="open a case sub-account")
    run.target_account = r.json().get("sub_account", fx.target_account)


def run_agency_suite(sut: Sut, fixtures: Fixtures, *, agency: str | None, hub: bool,
                     receiver: CallbackReceiver, only: tuple[str, ...] = ()) -> list[Finding]:
    """Run every check (or ``only`` those) against ``sut``; the findings, exchanges attached."""
    run = Run(sut, fixtures, receiver, agency or fixtures.agency, hub, target_account=fixtures.target_account)
    if sut.admin:
        prepare_zhixing(run)
        sut.recorder.take()
    findings: list[Finding] = []
    for name, reqs, check in CHECKS:
        if only and name not in only:
            continue
        ctx = CheckContext(name, reqs)
        try:
            check(run, ctx)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as err:
            ctx.findings.append(Finding(reqs[0], name, "fail", f"检查中断：{type(err).__name__}: {err}",
                                        f"the check broke off: {type(err).__name__}: {err}"))
        exchanges = [e.as_dict() for e in sut.recorder.take()]
        for f in ctx.findings:
            f.exchanges = exchanges
        findings.extend(ctx.findings)
    findings.extend(_audit_codes(run))
    return findings
