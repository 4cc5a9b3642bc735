"""Agency-side checks of the exchange itself: receipts and query answers, idempotency, callbacks and polling, error
bodies, rate limiting, business hours."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from certify.agency_run import (
    CST_TZ,
    Run,
    hub_only,
    json_object,
    measure_text,
    need_debtor,
    parse_dt,
    polled_ticket_id,
    published_operations,
    seals,
    ticket_id,
)
from certify.findings import CheckContext, cents, shown
from core_flow.protocol import HUB


def check_receipts(run: Run, ctx: CheckContext) -> None:
    """A query is accepted at once with a ticket; the answer comes later and reports the debtor's holdings."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "query")) is None:
        return
    body = run.body("query", "00")
    r = run.sut.submit(run.agency, body)
    ticket, tid = json_object(r), ticket_id(r)
    ctx.expect("AG-001", r.status_code == 202 and tid is not None
               and ticket.get("request_no") == body["request_no"]
               and ticket.get("status") in ("accepted", "answered"),
               f"受理回执：HTTP {r.status_code}，工单 {shown(ticket.get('ticket_id'), quoted=True)}",
               f"receipt: HTTP {r.status_code}, ticket {shown(ticket.get('ticket_id'), True, quoted=True)}")
    if tid is None:
        ctx.skip("AG-018", "未受理（无有效工单号），无法检查答复",
                 "not accepted (no valid ticket number): no answer to check")
        return
    fb = run.seen(ctx.name, run.sut.answer(run.agency, tid, body["court_code"]))
    ctx.expect("AG-001", fb is not None and fb.get("ticket_id") == tid
               and fb.get("request_no") == body["request_no"],
               "业务结果随后反馈，且指向原工单与请求编号",
               "the answer came later, about the same ticket and request number")
    holdings = {h.get("account_no"): h for h in (fb or {}).get("holdings") or ()}
    for h in debtor.holdings:
        got = holdings.get(h.account_no) or {}
        ctx.expect("AG-018", bool(fb and fb.get("ok")) and got.get("balance_cents") == h.balance_cents
                   and got.get("available_cents") == h.balance_cents and got.get("kind") == h.kind.value,
                   f"查询反馈账户 {h.account_no}：余额 {cents(got.get('balance_cents'))}，可控 "
                   f"{cents(got.get('available_cents'))}（应为 {cents(h.balance_cents)}）",
                   f"the query reports account {h.account_no}: balance {cents(got.get('balance_cents'), True)}, "
                   f"available {cents(got.get('available_cents'), True)} (expected {cents(h.balance_cents, True)})")


def check_idempotency(run: Run, ctx: CheckContext) -> None:
    """The same request number again: the same ticket, carried out once; with other content: 409, nothing changed."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "replay")) is None:
        return
    h = debtor.holdings[0]
    amount = max(1, h.balance_cents // 4)
    sealed = seals(run)  # a registry: the same seal (11) twice — it takes the whole property, no amount
    body = (run.body("replay", "11", account_no=h.account_no) if sealed
            else run.body("replay", "01", account_no=h.account_no, amount_cents=amount))
    what = "seal" if sealed else "freeze"
    first = run.sut.submit(run.agency, body, note=what)
    second = run.sut.submit(run.agency, body, note=f"the same {what} again (a court's retry)")
    t1, t2 = ticket_id(first), ticket_id(second)
    ctx.expect("AG-002", t1 is not None and t1 == t2 and second.status_code == 200,
               f"重复提交返回原工单：{shown(t1)} / {shown(t2)}（HTTP {second.status_code}）",
               f"the repeat returns the same ticket: {shown(t1, True)} / {shown(t2, True)} (HTTP {second.status_code})")
    if t1:
        run.seen(ctx.name, run.sut.answer(run.agency, t1, body["court_code"]))
    if t2 and t2 != t1:
        run.seen(ctx.name, run.sut.answer(run.agency, t2, body["court_code"]))
    now = run.holding(ctx.name, "replay", h.account_no)
    if sealed:  # a second seal would be a 轮候 seal behind the first: one measure on the property, not two
        measures = [e for e in (now or {}).get("existing_freezes") or () if isinstance(e, dict)]
        ctx.expect("AG-002", now is not None and len(measures) == 1,
                   f"只查封一次：财产 {h.account_no} 上的措施 {len(measures)} 项（应为 1）",
                   f"sealed once: {len(measures)} measures on {h.account_no} (expected 1)")
    else:
        available = (now or {}).get("available_cents")
        ctx.expect("AG-002", available == h.balance_cents - amount,
                   f"只冻结一次：可控余额 {cents(available)}（应为 {cents(h.balance_cents - amount)}）",
                   f"frozen once: available {cents(available, True)} (expected "
                   f"{cents(h.balance_cents - amount, True)})")
    # the same request number with other content
    query = run.body("replay", "00")
    r1 = run.sut.submit(run.agency, query, note="query")
    other = dict(query, case_no=query["case_no"] + "-other")
    r2 = run.sut.submit(run.agency, other, note="the same request number, another case number")
    err = json_object(r2).get("error") if r2.headers.get("content-type", "").startswith("application/json") else {}
    err = err if isinstance(err, dict) else {}
    ctx.expect("AG-003", r2.status_code == 409 and bool(err.get("zh")) and bool(err.get("en")),
               f"同一请求编号、不同内容：HTTP {r2.status_code}（应为 409）",
               f"the same request number with other content: HTTP {r2.status_code} (expected 409)")
    polled = run.sut.request("GET", f"/agencies/{run.agency}/requests", court=query["court_code"],
                             params={"request_no": query["request_no"], "court_code": query["court_code"]},
                             note="poll by request number")
    got, want = polled_ticket_id(polled), ticket_id(r1)
    ctx.expect("AG-003", got is not None and got == want,
               f"冲突未改变原请求：按请求编号查询得工单 {shown(got)}（应为 {shown(want)}）",
               f"the conflict changed nothing: polling the request number gives {shown(got, True)} (expected "
               f"{shown(want, True)})")


CALLBACK_WAITS = 3  # the answer's first post and its two retries after the kit's refusals: one answer timeout each


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
    tid = ticket_id(r)
    # in real time the answer and its two retries each get an answer timeout (a 30 s then 60 s backoff passes at the
    # default 60 s): CALLBACK_WAITS
    acked = run.sut.until(lambda: [a for a in run.receiver.at(path) if a.status == 200], step=30.0,
                          horizon=86400.0, waits=CALLBACK_WAITS)
    arrivals = run.receiver.at(path)
    refused = [a for a in arrivals if a.status != 200]
    retried = bool(acked) and len(refused) >= 2 and all(
        any(x.status == 200 and x.body == a.body for x in arrivals) for a in refused)
    ok_zh, ok_en = _callback_outcome(run, len(arrivals), len(refused), len(arrivals) - len(refused), retried)
    ctx.expect("AG-011", retried, ok_zh, ok_en)
    if not tid:
        return
    polled = run.sut.answer(agency, tid, body["court_code"])
    _expect_no_post_after_ack(ctx, run.receiver.at(path))
    last = [a.body for a in run.receiver.at(path) if a.status == 200]
    same = polled is not None and (run.hub or (bool(last) and last[-1] == polled))
    if same:
        zh, en = "按工单轮询得到与回调相同的反馈", "polling the ticket gives the answer the callback carried"
    else:  # say what was missing or different, not what was expected as if it had happened
        zh = ("按工单轮询：" + ("无答复" if polled is None else "有答复") + "，确认的回调："
              + ("无" if not last else ("反馈相同" if last[-1] == polled else "反馈不同"))
              + "（应为轮询所得与确认的回调所载反馈相同）")
        en = ("polling the ticket: " + ("no answer" if polled is None else "answered") + ", acknowledged callback: "
              + ("none" if not last else ("the same answer" if last[-1] == polled else "another answer"))
              + " (expected the answer the acknowledged callback carried)")
    ctx.expect("AG-011", same, zh, en)
    by_no = run.sut.request("GET", f"/agencies/{agency}/requests", court=body["court_code"],
                            params={"request_no": body["request_no"], "court_code": body["court_code"]},
                            note="poll by request number")
    ctx.expect("AG-011", polled_ticket_id(by_no) == tid,
               f"按请求编号轮询：HTTP {by_no.status_code}", f"polling by request number: HTTP {by_no.status_code}")


def _callback_outcome(run: Run, posts: int, refused: int, acknowledged: int, retried: bool) -> tuple[str, str]:
    """What the callback check saw, said as observed: on a failure, the counts against what was expected and, when
    nothing was acknowledged, how long the kit waited (in real time: ``CALLBACK_WAITS`` × ``--answer-timeout``,
    which must cover the system's answer and its first two retry intervals, since the kit refuses the first two
    posts)."""
    if retried:
        return (f"回调：{posts} 次投递，其中 {refused} 次被拒后重试至确认",
                f"callback: {posts} posts, {refused} refused then retried until acknowledged")
    zh = (f"回调：{posts} 次投递，被拒 {refused} 次，确认 {acknowledged} 次"
          "（应为：本工具拒绝前两次投递，被拒的反馈重试至确认）")
    en = (f"callback: {posts} posts, {refused} refused, {acknowledged} acknowledged (expected: the kit refuses the "
          "first two posts, and a refused answer is retried until acknowledged)")
    if acknowledged == 0 and posts and not run.sut.admin:
        wait, total = f"{run.sut.answer_timeout:g}", f"{run.sut.answer_timeout * CALLBACK_WAITS:g}"
        zh += (f"；{CALLBACK_WAITS} × --answer-timeout {wait} 秒（共 {total} 秒）内未收到可确认的投递：被测系统的答复与"
               "前两次重试的间隔之和超过该时间时，调大 --answer-timeout 再运行")
        en += (f"; no post to acknowledge within {CALLBACK_WAITS} × --answer-timeout {wait} s ({total} s): if the "
               "system's answer and its first two retry intervals add up to more, run again with a larger "
               "--answer-timeout")
    elif acknowledged == 0 and posts:
        zh += "；虚拟时间一日内未再收到投递"
        en += "; no further post within a virtual day"
    return zh, en


def _expect_no_post_after_ack(ctx: CheckContext, arrivals: list[Any]) -> None:
    """Retried *until* acknowledged: an answer posted again after the kit acknowledged it is a fault (seen in
    what arrived by now, the polls done meanwhile)."""
    acked: list[Any] = []
    again = 0
    for a in arrivals:
        if any(a.body == b for b in acked):
            again += 1
        if a.status == 200:
            acked.append(a.body)
    ctx.expect("AG-011", again == 0, f"确认后不再投递：确认后又收到 {again} 次同一反馈",
               f"no more posts once acknowledged: {again} posts of an acknowledged answer came again")


def check_errors(run: Run, ctx: CheckContext) -> None:
    """Bad requests get a 4xx with a bilingual error body naming the field, and change nothing."""
    debtor = run.fixtures.debtor("errors") or next(iter(run.fixtures.debtors.values()), None)
    if debtor is None:
        ctx.skip("AG-013", "测试数据没有被执行人", "the fixtures have no debtor")
        return
    agency = HUB if run.hub else run.agency
    bad_id = run.body(debtor, "00")
    bad_id["subject"] = dict(bad_id["subject"], id_number="12345")
    sealed = not run.hub and seals(run)
    no_account = run.body(debtor, "11") if sealed else run.body(debtor, "01", amount_cents=100)
    cases: list[tuple[str, str, dict[str, Any] | None, bytes | None, tuple[int, ...], str]] = [
        ("身份证号过短", "an ID number too short", bad_id, None, (400, 422), "id_number"),
        ("查封缺财产编号" if sealed else "冻结缺账号",
         "a seal without the property's number" if sealed else "a freeze without an account", no_account, None,
         (400, 422), "account_no"),
        ("未知机构", "an unknown agency", run.body(debtor, "00"), None, (404,), ""),
        ("请求体不是 JSON", "a body that is not JSON", None, b"{not json", (400, 422), ""),
    ]
    for zh, en, body, raw, statuses, field_name in cases:
        path = "/agencies/zz_no_such_agency/requests" if zh == "未知机构" else f"/agencies/{agency}/requests"
        r = run.sut.request("POST", path, court=run.court().code, json=body, content=raw, note=en)
        err = json_object(r).get("error")
        err = err if isinstance(err, dict) else {}
        named = not field_name or field_name in json.dumps(err, ensure_ascii=False)
        ctx.expect("AG-013", r.status_code in statuses and bool(err.get("zh")) and bool(err.get("en")) and named,
                   f"{zh}：HTTP {r.status_code}，错误体{'含' if err.get('zh') and err.get('en') else '缺'}中英文"
                   f"{'，指明字段' if named else '，未指明字段'}",
                   f"{en}: HTTP {r.status_code}, error body {'with' if err.get('en') else 'without'} both languages"
                   f"{', naming the field' if named else ', not naming the field'}")
        if body is not None and zh != "未知机构":
            _expect_no_ticket(run, ctx, "AG-013", agency, body, "被拒请求未留下工单",
                              "the rejected request left no ticket")
    if not run.hub:
        _expect_unpublished_refused(run, ctx, debtor)


# The measures the agency checks use, whose refusal is checked where the agency does not publish them (the transfer,
# 15, is checked by its own check, AG-020).
CHECKED_MEASURES = ("01", "02", "04", "06", "11", "12", "14")


def _expect_unpublished_refused(run: Run, ctx: CheckContext, debtor: Any) -> None:
    """AG-013 (profile sections 4 and 8: an agency refuses a measure it does not take as an unsupported measure, 422,
    the field named): each measure the kit uses that the agency does not publish (``GET /agencies/{code}``), asked in
    a well-formed request, is refused 422 with a bilingual error naming ``measure``, and leaves no ticket."""
    ops = published_operations(run)
    if ops is None:
        return  # it does not say what it takes: nothing to hold it to
    h = debtor.holdings[0]
    for code in (m for m in CHECKED_MEASURES if m not in ops):
        extra: dict[str, Any] = ({"account_no": h.account_no} if code in ("01", "11")
                                 else {"freeze_id": f"CK{run.run_id}-NONE"})
        if code in ("01", "06"):
            extra["amount_cents"] = 100
        if code == "06":
            extra["target_account"] = run.target_account or f"CK{run.run_id}-SUB"
        body = run.body(debtor, code, **extra)
        r = run.sut.submit(run.agency, body, note=f"a measure the agency does not publish ({code})")
        err = json_object(r).get("error")
        err = err if isinstance(err, dict) else {}
        named = any(str(w).split(".")[-1] == "measure" for w in [err.get("where")] + [
            f.get("field") for f in err.get("fields") or () if isinstance(f, dict)])  # ``measure``, ``body.measure``
        ctx.expect("AG-013", r.status_code == 422 and ticket_id(r) is None and bool(err.get("zh"))
                   and bool(err.get("en")) and named,
                   f"{run.agency} 未公布措施 {measure_text(code)}：提交答 HTTP {r.status_code}，错误代码 "
                   f"{shown(err.get('code'))}{'，指明 measure' if named else '，未指明 measure'}"
                   "（应为 422，不支持的措施）",
                   f"{run.agency} publishes no {measure_text(code, True)}: it answered HTTP {r.status_code}, error "
                   f"code {shown(err.get('code'), True)}{', naming measure' if named else ', not naming measure'} "
                   "(expected 422, an unsupported measure)")
        if ticket_id(r) is None:
            _expect_no_ticket(run, ctx, "AG-013", run.agency, body, "不受理的措施未留下工单",
                              "the unsupported measure left no ticket")


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
    _expect_no_ticket(run, ctx, "AG-012", agency, body, "被限流的请求未受理",
                      "the rate-limited request was not accepted")


def _expect_no_ticket(run: Run, ctx: CheckContext, requirement: str, agency: str, body: dict, zh: str,
                      en: str) -> None:
    """A refused request left nothing behind: polling it by its number is 404."""
    polled = run.sut.request("GET", f"/agencies/{agency}/requests", court=body["court_code"],
                             params={"request_no": body["request_no"], "court_code": body["court_code"]},
                             note=en)
    ctx.expect(requirement, polled.status_code == 404, f"{zh}：HTTP {polled.status_code}",
               f"{en}: HTTP {polled.status_code}")


def check_business_hours(run: Run, ctx: CheckContext) -> None:
    """A registry answers only at its polling instants in business hours (zhixing: a Saturday query)."""
    registry = run.fixtures.registry
    if run.hub or not registry or not run.sut.admin:
        ctx.not_applicable("AG-014", "需要登记机构与 zhixing 管理接口（推进到周六）",
                           "needs a registry and zhixing's admin API (to move to a Saturday)")
        return
    now = run.sut.now()
    assert now is not None
    local = now.astimezone(CST_TZ)
    saturday = (local + timedelta(days=(5 - local.weekday()) % 7 or 7)).replace(hour=10, minute=7, second=0,
                                                                                 microsecond=0)
    run.sut.request("POST", f"/admin/sessions/{run.sut.namespace}/advance", json={"to": saturday.isoformat()},
                    admin=True, note="advance to a Saturday, 10:07")
    debtor = next(iter(run.fixtures.debtors.values()))
    _, fb = run.submit_and_answer(ctx.name, run.body(debtor, "00"), agency=registry)
    at = parse_dt((fb or {}).get("answered_at"))
    local_at = at.astimezone(CST_TZ) if at else None
    ok = local_at is not None and local_at.weekday() < 5 and 8 <= local_at.hour < 18 and local_at.minute % 20 == 0
    ctx.expect("AG-014", ok, f"周六提交，答复于 {shown(local_at)}（应在工作日 8–18 时的轮询时点）",
               f"submitted on a Saturday, answered at {shown(local_at, True)} (expected a polling instant in business "
               "hours)")


