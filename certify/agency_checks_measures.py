"""Agency-side checks of the measures: freezes up to the balance, 轮候 and notices, renewal and terms, deductions
and the release held while one is pending. An agency that seals property (a registry: 查封 11, 继续查封 12, 解除查封
14; :func:`certify.agency_run.seals`) is checked by its seals: a seal asks no amount and takes the whole property, so
where its answer states amounts they are the property's value as a query reports it, nothing left unsecured."""

from __future__ import annotations

from typing import Any

from certify.agency_run import (
    KIND_TEXT,
    OVERBID_CENTS,
    Run,
    beyond_term_limit,
    hub_only,
    need_debtor,
    parse_dt,
    seals,
    ticket_id,
)
from certify.findings import CheckContext, cents, listed, shown
from certify.fixtures import DebtorFixture, HoldingFixture
from core_flow.protocol import CODE_NOTICE, CODE_PENDING


def control(run: Run, debtor: str | DebtorFixture, h: HoldingFixture, court: int = 0, *, amount_cents: int,
            **extra: Any) -> dict[str, Any]:
    """The request that controls the holding: a freeze of ``amount_cents`` (01), or — an agency that seals — a seal
    of the whole property (11, no amount)."""
    if seals(run):
        return run.body(debtor, "11", court, account_no=h.account_no, **extra)
    return run.body(debtor, "01", court, account_no=h.account_no, amount_cents=amount_cents, **extra)


def seal_amounts_ok(fb: dict[str, Any], h: HoldingFixture) -> bool:
    """A seal's answer: amounts, where stated, are the whole property's value (the fixtures' ``balance_cents``, as a
    query reports it) with nothing unsecured; a seal may state none (it asks for no amount)."""
    return (fb.get("amount_controlled_cents") in (None, h.balance_cents)
            and fb.get("unsecured_remainder_cents") in (None, 0))


def check_freeze_balance(run: Run, ctx: CheckContext) -> None:
    """A freeze beyond the balance controls the balance and reports the remainder (a registry: a seal controls the
    whole property, nothing unsecured); a query then shows the account fully frozen with the measure."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "freeze")) is None:
        return
    h = debtor.holdings[0]
    if seals(run):
        _, fb = run.submit_and_answer(ctx.name, control(run, "freeze", h, amount_cents=0))
        fb = fb or {}
        ctx.expect("AG-004", bool(fb.get("ok")) and fb.get("control_result") == "1"
                   and fb.get("freeze_state") == "active" and bool(fb.get("freeze_id")) and seal_amounts_ok(fb, h),
                   f"查封 {h.account_no}（查封及于整项财产，不写金额）：控制结果 "
                   f"{shown(fb.get('control_result'))}，状态 {shown(fb.get('freeze_state'))}，已控 "
                   f"{cents(fb.get('amount_controlled_cents'))}，未控 {cents(fb.get('unsecured_remainder_cents'))}"
                   f"（应为已控 1、active；写明金额的，应为财产价值 {cents(h.balance_cents)}、未控 0）",
                   f"sealing {h.account_no} (a seal takes the whole property, no amount asked): control result "
                   f"{shown(fb.get('control_result'), True)}, state {shown(fb.get('freeze_state'), True)}, controlled "
                   f"{cents(fb.get('amount_controlled_cents'), True)}, remainder "
                   f"{cents(fb.get('unsecured_remainder_cents'), True)} (expected controlled 1, active; amounts, where "
                   f"stated, the property's value {cents(h.balance_cents, True)} and no remainder)")
    else:
        asked = h.balance_cents + OVERBID_CENTS
        _, fb = run.submit_and_answer(ctx.name, run.body("freeze", "01", account_no=h.account_no,
                                                         amount_cents=asked))
        fb = fb or {}
        ctx.expect("AG-004", bool(fb.get("ok")) and fb.get("amount_controlled_cents") == h.balance_cents
                   and fb.get("unsecured_remainder_cents") == OVERBID_CENTS
                   and fb.get("amount_requested_cents") == asked,
                   f"冻结 {cents(asked)}：已控 {cents(fb.get('amount_controlled_cents'))}，未控 "
                   f"{cents(fb.get('unsecured_remainder_cents'))}"
                   f"（应为 {cents(h.balance_cents)} / {cents(OVERBID_CENTS)}）",
                   f"freeze of {cents(asked, True)}: controlled {cents(fb.get('amount_controlled_cents'), True)}, "
                   f"remainder {cents(fb.get('unsecured_remainder_cents'), True)} "
                   f"(expected {cents(h.balance_cents, True)} / {cents(OVERBID_CENTS, True)})")
    other = 1 if len(run.fixtures.courts) > 1 else 0
    seen = run.holding(ctx.name, "freeze", h.account_no, court=other) or {}
    existing = seen.get("existing_freezes") or ()
    zh, en = ("查封", "sealed") if seals(run) else ("冻结", "frozen")
    ctx.expect("AG-007", seen.get("balance_cents") == h.balance_cents and seen.get("available_cents") == 0
               and any(e.get("freeze_id") == fb.get("freeze_id") for e in existing),
               f"查询反馈已全额{zh}：余额 {cents(seen.get('balance_cents'))}，可控 {cents(seen.get('available_cents'))}"
               f"，已有措施 {len(existing)} 项",
               f"the query reports the account fully {en}: balance {cents(seen.get('balance_cents'), True)}, "
               f"available {cents(seen.get('available_cents'), True)}, {len(existing)} existing measures")


def check_queue(run: Run, ctx: CheckContext) -> None:
    """轮候: two other courts queue behind a full freeze, take effect in registration order, each with a numbered
    notice stating the amount newly controlled."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "queue")) is None:
        return
    if len(run.fixtures.courts) < 3:
        for req in ctx.requirements:
            ctx.skip(req, "轮候检查需要三家法院（测试数据 courts）",
                     "the 轮候 check needs three courts (fixtures: courts)")
        return
    h = debtor.holdings[0]
    freezes: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    sealed = seals(run)
    release = "14" if sealed else "04"
    for i in range(3):
        body = control(run, "queue", h, i, amount_cents=h.balance_cents,
                       callback_url=run.callback(f"/queue/{run.run_id}/{i}"))
        requests.append(body)
        _, fb = run.submit_and_answer(ctx.name, body)
        freezes.append(fb or {})
    a, b, c = freezes
    ctx.expect("AG-005", a.get("freeze_state") == "active"
               and b.get("freeze_state") == "queued" and b.get("queue_position") == 1
               and c.get("freeze_state") == "queued" and c.get("queue_position") == 2,
               f"轮候登记：{listed([f.get('freeze_state') for f in freezes])}，"
               f"顺位 {listed([f.get('queue_position') for f in freezes])}"
               "（应为 active、queued、queued，顺位 无、1、2）",
               f"queued: {listed([f.get('freeze_state') for f in freezes], True)}, positions "
               f"{listed([f.get('queue_position') for f in freezes], True)} (expected active, queued, queued at "
               "positions missing, 1, 2)")
    if not a.get("freeze_id"):  # nothing to release: the notices of AG-006 cannot come
        ctx.skip("AG-006", "第一家法院的冻结未成功（答复无 freeze_id），无法解除以观察轮候生效通知",
                 "the first court's freeze did not succeed (no freeze_id in its answer): it cannot be released to "
                 "see a queued freeze's notice")
        return
    run.submit_and_answer(ctx.name, run.body("queue", release, court=0, freeze_id=a["freeze_id"]))

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
        amount = notice.get("amount_controlled_cents")
        ctx.expect("AG-006", notice.get("notice") == 1 and notice.get("code") == CODE_NOTICE
                   and (amount == h.balance_cents or (sealed and amount is None))  # a seal may state no amount
                   and notice.get("request_no") == requests[i]["request_no"],
                   f"生效通知：编号 {shown(notice.get('notice'))}，代码 {shown(notice.get('code'))}，新增控制 "
                   f"{cents(notice.get('amount_controlled_cents'))}"
                   f"（应为 1 / {CODE_NOTICE} / {cents(h.balance_cents)}）",
                   f"notice: number {shown(notice.get('notice'), True)}, code {shown(notice.get('code'), True)}, "
                   "newly "
                   f"controlled {cents(notice.get('amount_controlled_cents'), True)} (expected 1 / {CODE_NOTICE} / "
                   f"{cents(h.balance_cents, True)})")
    else:
        ctx.expect("AG-006", False, "解除后没有收到生效通知", "no notice came after the release")
    if set(first) == {1} and b.get("freeze_id"):
        run.submit_and_answer(ctx.name, run.body("queue", release, court=1, freeze_id=b["freeze_id"]))
        later = run.sut.until(lambda: [x for x in run.receiver.at(f"/queue/{run.run_id}/2")
                                       if isinstance(x.body, dict) and x.body.get("notice")],
                              step=60.0, horizon=86400.0) or []
        ctx.expect("AG-005", len(later) >= 1, "第二家解除后第三家生效",
                   "after the second release the third took effect")


def check_renewal_and_terms(run: Run, ctx: CheckContext) -> None:
    """A freeze (a registry: a seal) for 30 days ends then; a renewal before the end extends it; a term beyond the
    legal limit for the kind of property (deposits 1 year, vehicles 2, real estate 3) is refused."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "renew")) is None:
        return
    h = debtor.holdings[0]
    sealed = seals(run)
    what_zh, what_en = ("查封", "seal") if sealed else ("冻结", "freeze")
    _, fb = run.submit_and_answer(ctx.name, control(run, "renew", h, amount_cents=max(1, h.balance_cents // 10),
                                                    term_days=30))
    fb = fb or {}
    start, end = parse_dt(fb.get("answered_at")), parse_dt(fb.get("expires_at"))
    days = round((end - start).total_seconds() / 86400, 2) if start and end else None
    ctx.expect("AG-008", days is not None and 29 <= days <= 31,
               f"30 天{what_zh}的期限：" + (f"{days:g} 天" if days is not None
                                         else "无（答复缺 answered_at / expires_at）"),
               f"a 30-day {what_en} runs " + (f"{days:g} days" if days is not None
                                             else "missing (no answered_at / expires_at in the answer)"))
    if fb.get("freeze_id"):
        _, renewed = run.submit_and_answer(ctx.name, run.body("renew", "12" if sealed else "02",
                                                              freeze_id=fb["freeze_id"], term_days=30))
        new_end = parse_dt((renewed or {}).get("expires_at"))
        ctx.expect("AG-008", bool(renewed and renewed.get("ok")) and new_end is not None and end is not None
                   and new_end > end,
                   f"续{'封' if sealed else '冻'}：期限由 {shown(end)} 延至 {shown(new_end)}",
                   f"renewal: the term moved from {shown(end, True)} to {shown(new_end, True)}")
    else:  # a measure that did not succeed (or an answer without its id): the renewal cannot be asked
        ctx.expect("AG-008", False, f"{what_zh}未成功（答复无 freeze_id），无法续{'封' if sealed else '冻'}",
                   f"the {what_en} did not succeed (no freeze_id in its answer): nothing to renew")
    too_many = beyond_term_limit(h.kind)
    kind_zh, kind_en = KIND_TEXT.get(h.kind, (h.kind.value, h.kind.value))
    too_long = control(run, "renew", h, amount_cents=1, term_days=too_many)
    r, over = run.submit_and_answer(ctx.name, too_long)
    refused = 400 <= r.status_code < 500 or (over is not None and not over.get("ok"))
    ctx.expect("AG-008", refused,
               f"{kind_zh}{what_zh} {too_many} 天：HTTP {r.status_code}，"
               f"{'无业务答复' if over is None else 'ok=' + shown(over.get('ok'))}（应拒绝）",
               f"a {too_many}-day {kind_en} {what_en}: HTTP {r.status_code}, "
               f"{'no answer' if over is None else 'ok=' + shown(over.get('ok'), True)} (expected refused)")


def check_deduction_and_release(run: Run, ctx: CheckContext) -> None:
    """A deduction takes only frozen money, is pending first, then succeeds; a release sent while it is pending is
    held until it settles."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "deduct")) is None:
        return
    if not run.target_account:
        for req in ctx.requirements:
            ctx.skip(req, "测试数据未给出一案一账号（target_account），无法扣划",
                     "the fixtures name no case sub-account (target_account): nothing to deduct into")
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
    tid = ticket_id(r)
    interim = run.sut.poll(run.agency, tid, body["court_code"], note="poll the deduction at once") if tid else None
    release = run.body("deduct", "04", freeze_id=fid)
    ru = run.sut.submit(run.agency, release, note="release while the deduction is pending")
    if interim and interim.get("ticket", {}).get("status") == "accepted" and interim.get("feedback"):
        pending = run.seen(ctx.name, interim["feedback"]) or {}
        ctx.expect("AG-010", pending.get("deduct_status") == "pending" and pending.get("code") == CODE_PENDING,
                   f"扣划先为待处理：{shown(pending.get('deduct_status'))} / {shown(pending.get('code'))}",
                   f"the deduction is pending first: {shown(pending.get('deduct_status'), True)} / "
                   f"{shown(pending.get('code'), True)}")
    else:
        ctx.skip("AG-010", "扣划受理时已办结，未见待处理状态", "the deduction settled at once: no pending state seen")
    done = run.seen(ctx.name, run.sut.answer(run.agency, tid, body["court_code"])) if tid else None
    ctx.expect("AG-010", bool(done) and done.get("deduct_status") == "success"
               and done.get("amount_deducted_cents") == part,
               f"扣划结果：{shown((done or {}).get('deduct_status'))}，扣划 "
               f"{cents((done or {}).get('amount_deducted_cents'))}（应为 success / {cents(part)}）",
               f"deduction: {shown((done or {}).get('deduct_status'), True)}, "
               f"{cents((done or {}).get('amount_deducted_cents'), True)} deducted (expected success / "
               f"{cents(part, True)})")
    uid = ticket_id(ru)
    released = run.seen(ctx.name, run.sut.answer(run.agency, uid, release["court_code"])) if uid else None
    t_release, t_deduct = parse_dt((released or {}).get("answered_at")), parse_dt((done or {}).get("answered_at"))
    if interim and interim.get("ticket", {}).get("status") == "accepted":
        ctx.expect("AG-009", bool(released) and released.get("freeze_state") == "released" and t_release is not None
                   and t_deduct is not None and t_release >= t_deduct,
                   f"解除在扣划办结后执行：解除 {shown(t_release)}，扣划 {shown(t_deduct)}",
                   f"the release was carried out after the deduction settled: release {shown(t_release, True)}, "
                   f"deduction {shown(t_deduct, True)}")
    else:
        ctx.skip("AG-009", "扣划已即时办结，无法观察暂缓", "the deduction settled at once: the hold cannot be seen")
    if run.sut.admin:
        r = run.sut.request("GET", f"/admin/sessions/{run.sut.namespace}/court-accounts/{target}", admin=True,
                            note="the case sub-account (zhixing admin)")
        balance = r.json().get("balance_cents") if r.status_code == 200 else None
        ctx.expect("AG-010", balance == part, f"一案一账号入账 {cents(balance)}（应为 {cents(part)}）",
                   f"the case sub-account received {cents(balance, True)} (expected {cents(part, True)})")


def check_carried_deduction(run: Run, ctx: CheckContext) -> None:
    """AG-019: the freeze a 终本 case took stays in force for its 恢复执行 case, which deducts it by naming the original
    case (``original_case_no``): the money goes into the resumed case's own sub-account. Asked without the original
    case, or naming another case, the agency refuses and deducts nothing."""
    if hub_only(run, ctx) or (debtor := need_debtor(run, ctx, "resume")) is None:
        return
    resumed = run.fixtures.resumed
    if resumed is None:
        ctx.skip("AG-019", "测试数据未给出恢复执行案件（resumed：案号与一案一账号）",
                 "the fixtures name no resumed case (resumed: its case number and sub-account)")
        return
    h = debtor.holdings[0]
    frozen = max(2, h.balance_cents // 2)
    _, fb = run.submit_and_answer(ctx.name, run.body(debtor, "01", account_no=h.account_no, amount_cents=frozen))
    fid = (fb or {}).get("freeze_id")
    if not fid:
        ctx.expect("AG-019", False, "原案冻结未成功，无法扣划", "the original case's freeze failed: nothing to deduct")
        return
    part = frozen // 2
    original = run.court(0).case_no

    def deduct(**extra: Any) -> tuple[int, dict[str, Any] | None]:
        body = run.body(debtor, "06", freeze_id=fid, amount_cents=part, target_account=run.resumed_account, **extra)
        body["case_no"] = resumed.case_no  # the 恢复执行 case asks
        r, answer = run.submit_and_answer(ctx.name, body)
        return r.status_code, answer

    for zh, en, extra in (("未写明原案号", "without the original case", {}),
                          ("原案号写作他案", "naming another case as the original",
                           {"original_case_no": f"{original}（他案）"})):
        status, answer = deduct(**extra)
        refused = 400 <= status < 500 or (answer is not None and (
            not answer.get("ok") or answer.get("deduct_status") == "refused"))
        ctx.expect("AG-019", refused, f"恢复执行案扣划原案冻结，{zh}：HTTP {status}（应拒绝）",
                   f"the resumed case deducts the original case's freeze {en}: HTTP {status} (expected refused)")
    status, done = deduct(original_case_no=original)
    ctx.expect("AG-019", status < 400 and bool(done) and done.get("deduct_status") == "success"
               and done.get("amount_deducted_cents") == part,
               f"写明原案号后扣划：HTTP {status}，{shown((done or {}).get('deduct_status'))}，扣划 "
               f"{cents((done or {}).get('amount_deducted_cents'))}（应为 success / {cents(part)}）",
               f"naming the original case: HTTP {status}, {shown((done or {}).get('deduct_status'), True)}, "
               f"{cents((done or {}).get('amount_deducted_cents'), True)} deducted (expected success / "
               f"{cents(part, True)})")
    if run.sut.admin:  # exactly one deduction landed, in the resumed case's own sub-account
        r = run.sut.request("GET", f"/admin/sessions/{run.sut.namespace}/court-accounts/{run.resumed_account}",
                            admin=True, note="the resumed case's sub-account (zhixing admin)")
        balance = r.json().get("balance_cents") if r.status_code == 200 else None
        ctx.expect("AG-019", balance == part, f"恢复执行案一案一账号入账 {cents(balance)}（应为 {cents(part)}）",
                   f"the resumed case's sub-account received {cents(balance, True)} (expected {cents(part, True)})")
