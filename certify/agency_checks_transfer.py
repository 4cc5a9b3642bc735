"""Agency-side check of the registries' transfer (过户, measure 15; AG-020, profile 0.4.0, 0.5.0 for equity and
securities): a sealed property is recorded under its new owner — a later query no longer reports it under the debtor,
the seal and the 轮候 seal queued behind it end, a second transfer and a new seal are refused; a transfer under a merely
queued seal or by another court is refused. Equity and securities (the fixtures' holding of kind ``equity`` or
``securities``) are frozen (01) instead of sealed (11), queued behind by a freeze and the queued freeze's release is
an unfreeze (04). Their freeze holds an amount, so first (kit 0.4.3; three courts) a PART is checked: court 1 freezes
part of the holding (``part_cents``, by default a third), court 2 the rest, court 3 queues (轮候); court 1's transfer
moves that part only — the holding stays the debtor's with the remainder (a query), the 轮候 freeze keeps waiting on it
(the query lists it queued, its release is carried out), a second transfer under the same freeze is refused. That rule
is zhixing's reading, unconfirmed (profile section 4; mock_agencies/ledger.py "Transfer of a frozen part"): an answer
otherwise is a ``differs`` finding, not a failure. Then the remainder is frozen whole and transferred: the whole
holding's findings as for a flat. An agency that takes no 15 (a bank) refuses it as an unsupported measure (422)."""

from __future__ import annotations

from typing import Any

import httpx

from certify.agency_run import Run, hub_only, json_object, takes, ticket_id, transfer_agency
from certify.findings import CheckContext, cents, shown
from certify.fixtures import FROZEN_KINDS, DebtorFixture, HoldingFixture


def check_transfer(run: Run, ctx: CheckContext) -> None:
    """Court 1 seals the fixtures' registry property, court 2 queues behind it; the queued court's transfer and
    another court's are refused; court 1 transfers naming the new owner: the answer ends the seal (``transferred``),
    a query no longer lists the property, the queued seal ended (its release is refused: nothing is left to release),
    a second transfer and a new seal are refused. Equity and securities: freezes instead of seals, and first the
    transfer of a frozen part (:func:`_part_transfer`), then the whole of what is left as above."""
    if hub_only(run, ctx):
        return
    fx = run.fixtures.transfer
    if fx is None:
        ctx.not_applicable("AG-020", "测试数据未给出登记机构的不动产或车辆（transfer），过户不适用",
                           "the fixtures name no registry property (transfer): the transfer does not apply")
        return
    agency, debtor, h = transfer_agency(run), fx.debtor, fx.debtor.holdings[0]
    # equity, securities: frozen (01) for the whole holding, released by 04; real estate, vehicles: sealed (11), 14
    frozen = h.kind in FROZEN_KINDS
    control, release_code = ("01", "04") if frozen else ("11", "14")
    what_zh, what_en = ("冻结", "freeze") if frozen else ("查封", "seal")

    if not takes(run, "15", agency):
        _refuses_unsupported(run, ctx, agency, debtor, h.account_no, fx.new_owner)
        return
    if len(run.fixtures.courts) < 2:
        ctx.skip("AG-020", "过户检查需要两家法院（测试数据 courts：查封与轮候）",
                 "the transfer check needs two courts (fixtures: courts — the seal and the 轮候 seal)")
        return
    whole = h.balance_cents
    if frozen:  # a part first (kit 0.4.3): the whole holding is then what is left of it
        left = _part_transfer(run, ctx, agency, debtor, h, fx.part(), fx.new_owner)
        if left is None:
            return
        whole = left
    amount = {"amount_cents": whole} if frozen else {}

    def controlling(court: int = 0) -> dict[str, Any]:
        return run.body(debtor, control, court=court, account_no=h.account_no, **amount)

    _, sealed = run.submit_and_answer(ctx.name, controlling(), agency=agency)
    sealed = sealed or {}
    seal = sealed.get("freeze_id")
    if not (sealed.get("ok") and isinstance(seal, str) and seal):
        ctx.expect("AG-020", False,
                   f"{agency} {what_zh} {h.account_no} 未成功（答复 {shown(sealed.get('message'))}），无法过户",
                   f"{agency}: {'freezing' if frozen else 'sealing'} {h.account_no} did not succeed (answer "
                   f"{shown(sealed.get('message'), True)}): nothing to transfer")
        return
    _, queued = run.submit_and_answer(ctx.name, controlling(1), agency=agency)
    queued = queued or {}
    behind = queued.get("freeze_id")
    ctx.expect("AG-020", queued.get("freeze_state") == "queued" and isinstance(behind, str) and bool(behind),
               f"第二家法院轮候{what_zh}：状态 {shown(queued.get('freeze_state'))}（应为 queued）",
               f"the second court's {what_en}: state {shown(queued.get('freeze_state'), True)} (expected queued)")

    def transfer(court: int, freeze_id: Any, owner: str) -> tuple[httpx.Response, dict[str, Any] | None]:
        body = run.body(debtor, "15", court=court, freeze_id=freeze_id, account_no=h.account_no, new_owner=owner)
        return run.submit_and_answer(ctx.name, body, agency=agency)

    if isinstance(behind, str) and behind:
        _expect_refused(ctx, *transfer(1, behind, fx.new_owner), f"仅为轮候的{what_zh}据以过户",
                        f"a transfer under a {what_en} that is only queued")
    _expect_refused(ctx, *transfer(1, seal, fx.new_owner), f"他院据第一家法院的{what_zh}过户",
                    f"another court transferring under the first court's {what_en}")
    r, done = transfer(0, seal, fx.new_owner)
    done = done or {}
    ctx.expect("AG-020", r.status_code < 400 and bool(done.get("ok")) and done.get("freeze_id") == seal
               and done.get("freeze_state") == "transferred",
               f"过户至 {fx.new_owner}：HTTP {r.status_code}，ok={shown(done.get('ok'))}，{what_zh}状态 "
               f"{shown(done.get('freeze_state'))}（应为 transferred）",
               f"the transfer to {fx.new_owner}: HTTP {r.status_code}, ok={shown(done.get('ok'), True)}, the "
               f"{what_en}'s state {shown(done.get('freeze_state'), True)} (expected transferred)")
    if not done.get("ok"):
        return  # nothing was transferred: what follows would judge an untransferred property
    _, found = run.submit_and_answer(ctx.name, run.body(debtor, "00"), agency=agency)
    listed_now = [x.get("account_no") for x in (found or {}).get("holdings") or () if isinstance(x, dict)]
    ctx.expect("AG-020", bool(found and found.get("ok")) and h.account_no not in listed_now,
               f"过户后查询：被执行人名下{'仍有' if h.account_no in listed_now else '不再有'} {h.account_no}"
               f"（答复 {'成功' if found and found.get('ok') else '未成功'}）",
               f"a query after the transfer: {h.account_no} is {'still' if h.account_no in listed_now else 'no longer'}"
               f" listed under the debtor (the answer {'succeeded' if found and found.get('ok') else 'failed'})")
    if isinstance(behind, str) and behind:
        release = run.body(debtor, release_code, court=1, freeze_id=behind)
        _expect_refused(ctx, *run.submit_and_answer(ctx.name, release, agency=agency),
                        f"轮候{what_zh}随过户失效：其解除", f"the 轮候 {what_en} ended with the transfer: its release",
                        ended=True, what=what_en)
    _expect_refused(ctx, *transfer(0, seal, f"{fx.new_owner}（再次）"), "再次过户", "a second transfer")
    other = 2 if len(run.fixtures.courts) > 2 else 1
    _expect_refused(ctx, *run.submit_and_answer(ctx.name, controlling(other), agency=agency),
                    f"对已过户财产的新{what_zh}", f"a new {what_en} on the transferred property")


def _part_transfer(run: Run, ctx: CheckContext, agency: str, debtor: DebtorFixture, h: HoldingFixture, part: int,
                   owner: str) -> int | None:
    """Equity, securities: court 1 freezes ``part`` of the holding, court 2 the rest, court 3 queues (轮候); court 1
    transfers its part. zhixing's reading (unconfirmed: a finding otherwise ``differs``): the part alone leaves — the
    holding stays the debtor's with the remainder (a query), the 轮候 freeze keeps waiting on it (listed queued, its
    release carried out) — and a second transfer under the same freeze is refused. Court 2's freeze is released
    after, so the remainder is free for the whole-holding check. Returns the value left to check the whole transfer
    on (the holding's, when the part check could not run), or ``None`` when nothing is left to check (the holding left
    the debtor, or the setup did not succeed: said in a finding)."""
    value, account = h.balance_cents, h.account_no
    if len(run.fixtures.courts) < 3 or part < 1:
        why_zh, why_en = (("需要三家法院（测试数据 courts：部分冻结、其余的冻结、轮候冻结）",
                           "needs three courts (fixtures: courts — the part's freeze, the rest's, the 轮候 freeze)")
                          if part >= 1 else (f"价值 {value} 分不足以分出三分之一", f"a value of {value} cents has no "
                                             "third to freeze"))
        ctx.skip("AG-020", f"部分过户检查未运行：{why_zh}；只检查整项过户",
                 f"the part transfer is not checked: {why_en}; the whole holding's transfer only")
        return value

    def freeze(court: int, cents: int) -> tuple[dict[str, Any], str | None]:
        _, answer = run.submit_and_answer(ctx.name, run.body(debtor, "01", court=court, account_no=account,
                                                             amount_cents=cents), agency=agency)
        answer = answer or {}
        fid = answer.get("freeze_id")
        return answer, fid if isinstance(fid, str) and fid else None

    first, sold = freeze(0, part)
    rest, holder = freeze(1, value - part)
    ok = (bool(first.get("ok")) and sold is not None and first.get("amount_controlled_cents") == part
          and bool(rest.get("ok")) and holder is not None and rest.get("amount_controlled_cents") == value - part)
    ctx.expect("AG-020", ok,
               f"部分冻结 {account}：第一家法院冻结 {cents(part)}，已控 {cents(first.get('amount_controlled_cents'))}"
               f"（答复 ok={shown(first.get('ok'))}）；第二家冻结其余 {cents(value - part)}，已控 "
               f"{cents(rest.get('amount_controlled_cents'))}（答复 ok={shown(rest.get('ok'))}）（应各控其数）",
               f"a part of {account} frozen: the first court froze {cents(part, True)}, controlled "
               f"{cents(first.get('amount_controlled_cents'), True)} (answer ok={shown(first.get('ok'), True)}); the "
               f"second froze the rest, {cents(value - part, True)}, controlled "
               f"{cents(rest.get('amount_controlled_cents'), True)} (answer ok={shown(rest.get('ok'), True)}) "
               "(expected each to control its amount)")
    if not ok:
        return None  # the holding is not as the check set it: nothing further is judged on it
    queued, behind = freeze(2, part)
    waits = queued.get("freeze_state") == "queued" and behind is not None
    ctx.expect("AG-020", waits,
               f"第三家法院轮候冻结：状态 {shown(queued.get('freeze_state'))}（应为 queued：持有已全部被冻结）",
               f"the third court's freeze: state {shown(queued.get('freeze_state'), True)} (expected queued: the "
               "holding is frozen in full)")

    def transfer(new_owner: str) -> tuple[httpx.Response, dict[str, Any] | None]:
        body = run.body(debtor, "15", freeze_id=sold, account_no=account, new_owner=new_owner)
        return run.submit_and_answer(ctx.name, body, agency=agency)

    r, done = transfer(owner)
    done = done or {}
    moved = (r.status_code < 400 and bool(done.get("ok")) and done.get("freeze_id") == sold
             and done.get("freeze_state") == "transferred")
    ctx.differs("AG-020", moved,
                f"据部分冻结（{cents(part)}）过户至 {owner}：HTTP {r.status_code}，ok={shown(done.get('ok'))}，"
                f"冻结状态 {shown(done.get('freeze_state'))}（应办理，该冻结 transferred）",
                f"a transfer to {owner} under the freeze of a part ({cents(part, True)}): HTTP {r.status_code}, "
                f"ok={shown(done.get('ok'), True)}, the freeze's state {shown(done.get('freeze_state'), True)} "
                "(expected carried out, the freeze transferred)")
    _, found = run.submit_and_answer(ctx.name, run.body(debtor, "00"), agency=agency)
    mine = next((x for x in (found or {}).get("holdings") or () if isinstance(x, dict)
                 and x.get("account_no") == account), None)
    remainder = value - part if moved else value
    left = mine.get("balance_cents") if mine is not None else None
    seen_zh = f"仍有 {account}，价值 {cents(left)}" if mine is not None else f"不再有 {account}"
    seen_en = f"still listed, its value {cents(left, True)}" if mine is not None else "no longer listed"
    answered = bool(found and found.get("ok"))
    ctx.differs("AG-020", answered and left == remainder,
                f"部分过户后查询：被执行人名下{seen_zh}（答复 {'成功' if answered else '未成功'}；应仍有，价值为余额 "
                f"{cents(remainder)}）",
                f"a query after the part's transfer: {account} is {seen_en} under the debtor (the answer "
                f"{'succeeded' if answered else 'failed'}; expected listed, its value the remainder, "
                f"{cents(remainder, True)})")
    if moved:
        _expect_refused(ctx, *transfer(f"{owner}（再次）"), "据同一部分冻结再次过户",
                        "a second transfer under the same freeze of a part", unconfirmed=True)
    if waits:
        listed_as = next((m.get("state") for m in (mine or {}).get("existing_freezes") or ()
                          if isinstance(m, dict) and m.get("freeze_id") == behind), None)
        listing = bool((mine or {}).get("existing_freezes"))  # a query that lists the holding's measures
        r, released = run.submit_and_answer(ctx.name, run.body(debtor, "04", court=2, freeze_id=behind), agency=agency)
        released = released or {}
        ctx.differs("AG-020", (listed_as == "queued" or not listing) and bool(released.get("ok")),
                    f"轮候冻结在部分过户后：查询中状态 {shown(listed_as) if listing else '（查询未列出措施）'}，其解除 "
                    f"HTTP {r.status_code}，ok={shown(released.get('ok'))}，状态 {shown(released.get('freeze_state'))}"
                    "（应仍在余额上轮候：查询列为 queued，解除照常办理）",
                    f"the 轮候 freeze after the part's transfer: state in the query "
                    f"{shown(listed_as, True) if listing else '(the query lists no measures)'}, its release HTTP "
                    f"{r.status_code}, ok={shown(released.get('ok'), True)}, state "
                    f"{shown(released.get('freeze_state'), True)} (expected still waiting on the remainder: listed "
                    "queued, its release carried out)")
    elif behind is not None:  # not queued (a failure said above), yet registered: released, not judged
        run.submit_and_answer(ctx.name, run.body(debtor, "04", court=2, freeze_id=behind), agency=agency)
    run.submit_and_answer(ctx.name, run.body(debtor, "04", court=1, freeze_id=holder), agency=agency)  # (not judged)
    if not moved:  # the part is still frozen: released, so that the whole holding is free again
        run.submit_and_answer(ctx.name, run.body(debtor, "04", freeze_id=sold), agency=agency)
    if mine is None or not isinstance(left, int) or left < 1:
        ctx.skip("AG-020", f"整项过户未检查：部分过户后被执行人名下已无 {account}",
                 f"the whole holding's transfer is not checked: after the part's transfer {account} is no longer the "
                 "debtor's")
        return None
    return left


def _refuses_unsupported(run: Run, ctx: CheckContext, agency: str, debtor: DebtorFixture, account_no: str,
                         owner: str) -> None:
    """An agency that takes no 15 refuses a transfer as an unsupported measure: 422, nothing accepted."""
    body = run.body(debtor, "15", freeze_id=f"CK{run.run_id}-NOSEAL", account_no=account_no, new_owner=owner)
    r = run.sut.submit(agency, body, note="a transfer (15) to an agency that takes none")
    err = json_object(r).get("error")
    err = err if isinstance(err, dict) else {}
    ctx.expect("AG-020", r.status_code == 422 and ticket_id(r) is None and bool(err.get("zh")) and bool(err.get("en")),
               f"{agency} 不受理过户（15）：提交过户答 HTTP {r.status_code}，错误代码 {shown(err.get('code'))}"
               "（应为 422，不支持的措施）",
               f"{agency} takes no transfer (15): a transfer answered HTTP {r.status_code}, error code "
               f"{shown(err.get('code'), True)} (expected 422, an unsupported measure)")


def _expect_refused(ctx: CheckContext, r: httpx.Response, answer: dict[str, Any] | None, zh: str, en: str, *,
                    ended: bool = False, what: str = "seal", unconfirmed: bool = False) -> None:
    """Refused: a 4xx at submission, or an answer that is not ok (nothing carried out). ``unconfirmed``: the refusal
    is zhixing's unconfirmed reading — not refused ``differs`` rather than fails."""
    err = json_object(r).get("error")
    said = (err.get("zh") if isinstance(err, dict) else None) or (answer or {}).get("message")
    refused = 400 <= r.status_code < 500 or (answer is not None and not answer.get("ok"))
    got_zh = f"HTTP {r.status_code}" + (f"，答复 ok={shown(answer.get('ok'))}" if answer is not None else "")
    got_en = f"HTTP {r.status_code}" + (f", answer ok={shown(answer.get('ok'), True)}" if answer is not None else "")
    if ended and answer is not None and answer.get("ok"):
        got_zh += f"，状态 {shown(answer.get('freeze_state'))}"
        got_en += f", state {shown(answer.get('freeze_state'), True)}"
    (ctx.differs if unconfirmed else ctx.expect)(
               "AG-020", refused,
               f"{zh}：{got_zh}（应拒绝{'：已无可解除的' + ('冻结' if what == 'freeze' else '查封') if ended else ''}）"
               + (f"；{str(said)[:200]}" if refused and said else ""),
               f"{en}: {got_en} (expected refused{f': no {what} is left to release' if ended else ''})")
