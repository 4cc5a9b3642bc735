"""Agency-side check of the registries' transfer (过户, measure 15; AG-020, profile 0.4.0, 0.5.0 for equity and
securities): a sealed property is recorded under its new owner — a later query no longer reports it under the debtor,
the seal and the 轮候 seal queued behind it end, a second transfer and a new seal are refused; a transfer under a merely
queued seal or by another court is refused. Equity and securities (the fixtures' holding of kind ``equity`` or
``securities``) are frozen (01) for the holding's whole value instead of sealed (11), queued behind by a freeze and the
queued freeze's release is an unfreeze (04): the whole holding is transferred, so the same findings hold. An agency
that takes no 15 (a bank) refuses it as an unsupported measure (422)."""

from __future__ import annotations

from typing import Any

import httpx

from certify.agency_run import Run, hub_only, json_object, takes, ticket_id, transfer_agency
from certify.findings import CheckContext, shown
from certify.fixtures import FROZEN_KINDS, DebtorFixture


def check_transfer(run: Run, ctx: CheckContext) -> None:
    """Court 1 seals the fixtures' registry property, court 2 queues behind it; the queued court's transfer and
    another court's are refused; court 1 transfers naming the new owner: the answer ends the seal (``transferred``),
    a query no longer lists the property, the queued seal ended (its release is refused: nothing is left to release),
    a second transfer and a new seal are refused."""
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
    amount = {"amount_cents": h.balance_cents} if frozen else {}
    what_zh, what_en = ("冻结", "freeze") if frozen else ("查封", "seal")

    def controlling(court: int = 0) -> dict[str, Any]:
        return run.body(debtor, control, court=court, account_no=h.account_no, **amount)

    if not takes(run, "15", agency):
        _refuses_unsupported(run, ctx, agency, debtor, h.account_no, fx.new_owner)
        return
    if len(run.fixtures.courts) < 2:
        ctx.skip("AG-020", "过户检查需要两家法院（测试数据 courts：查封与轮候）",
                 "the transfer check needs two courts (fixtures: courts — the seal and the 轮候 seal)")
        return
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
                    ended: bool = False, what: str = "seal") -> None:
    """Refused: a 4xx at submission, or an answer that is not ok (nothing carried out)."""
    err = json_object(r).get("error")
    said = (err.get("zh") if isinstance(err, dict) else None) or (answer or {}).get("message")
    refused = 400 <= r.status_code < 500 or (answer is not None and not answer.get("ok"))
    got_zh = f"HTTP {r.status_code}" + (f"，答复 ok={shown(answer.get('ok'))}" if answer is not None else "")
    got_en = f"HTTP {r.status_code}" + (f", answer ok={shown(answer.get('ok'), True)}" if answer is not None else "")
    if ended and answer is not None and answer.get("ok"):
        got_zh += f"，状态 {shown(answer.get('freeze_state'))}"
        got_en += f", state {shown(answer.get('freeze_state'), True)}"
    ctx.expect("AG-020", refused,
               f"{zh}：{got_zh}（应拒绝{'：已无可解除的' + ('冻结' if what == 'freeze' else '查封') if ended else ''}）"
               + (f"；{str(said)[:200]}" if refused and said else ""),
               f"{en}: {got_en} (expected refused{f': no {what} is left to release' if ended else ''})")
