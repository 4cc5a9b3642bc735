"""Agency-side checks of the 总对总 hub (``--hub``): the fan-out to exactly the scope, cumulative polls, the
hub's retries of a failing agency."""

from __future__ import annotations

from certify.agency_run import Run, ticket_id
from certify.findings import CheckContext
from core_flow.protocol import HUB


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
    tid = ticket_id(r)
    again = run.sut.submit(HUB, body, note="resubmit")
    ctx.expect("AG-002", tid is not None and again.status_code == 200 and ticket_id(again) == tid,
               f"重复提交返回原工单（HTTP {again.status_code}）", f"the resubmit returns the same ticket (HTTP "
               f"{again.status_code})")
    ctx.expect("AG-001", r.status_code == 202 and tid is not None, f"受理回执：HTTP {r.status_code}",
               f"receipt: HTTP {r.status_code}")
    if not tid:
        ctx.skip("AG-015", "未受理（无有效工单号），无法检查分批反馈", "not accepted (no valid ticket number): no "
                 "parts to check")
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


