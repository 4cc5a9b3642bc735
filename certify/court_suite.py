"""The court-side grader: reads the traffic a court system sent to the kit's mock hub and agencies
(:mod:`certify.court_server`) and finds on the CT- requirements it can judge from the wire —

* CT-001 the first 总对总 query of each debtor of a case asks exactly the 集约查询 scope (法明传〔2020〕849号);
* CT-002 one hub request per debtor (no second request number for the same debtor, case and scope within 30 days);
* CT-006 an attempt the kit failed (503 / 429) is retried with the same request number, never under a new one,
  and after a 5xx not at the failure's instant (backoff); so is a freeze whose answer the kit lost (a 504 after the
  agency carried it out, kit 0.5.0): the court comes back with the same request number (re-sent, or polled by it)
  and gets the same ticket — under a new number it freezes twice, and a court that never comes back never sees the
  freeze it made; kit 0.6.0: deductions (06) too — under a new number the money is deducted twice (or, the frozen
  money gone, the second refused: CT-011), and a court that never comes back never learns the money moved;
* CT-007 after a 429 with Retry-After the same request comes back no earlier than it said (virtual time);
* CT-011 a deduction asks no more than its freeze controls (as the agency's answers said), less what was deducted;
* CT-008 every answer posted to the court's callback URL is acknowledged (2xx), not retried to exhaustion;
* CT-016 a ticket is polled at most once per virtual minute;
* CT-015 no second freeze of the same account for the same case under a new request number while the first stands
  when it is sent (not released, deducted in full nor lapsed by then) — nor (profile 0.6.4, kit 0.6.2) a second seal
  (11) of the same property (``account_no``) at the same registry for the same case while the first stands (not
  released, refused, transferred nor past its term) — nor (profile 0.6.3, kit 0.6.0) a second
  deduction of the same amount from the same freeze into the same sub-account for the same case while the first has
  not failed and its result had not reached the court (kit 0.6.1, review R13: polled, or its callback acknowledged,
  before the second was sent) — a deduction whose answer was lost and that was re-sent under a new number; monthly
  instalments, each sent after the last one's answer, pass;
* CT-009, CT-010, CT-012 (renewal before the term ends, release on 执行完毕, 终本 sweeps every six months): see
  :mod:`certify.court_lifecycle`.

The 集约查询 of a debtor is the first hub query whose scope stays within the 集约查询 groups (by content: a hub query
reaching registries, vehicles or equity is a 终本 sweep, whatever its place in the case).

Requirements it cannot judge from the traffic are "not applicable" in the evidence (see certify/README.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from certify.court_lifecycle import (
    CaseFacts,
    feedbacks,
    first_attempts,
    freeze_lives,
    grade_freeze_life,
    grade_sweeps,
    is_sweep,
    sweep_agencies,
)
from certify.court_server import LOST_ANSWER, is_control_request
from certify.findings import CheckContext, Finding
from core_flow.errors import UserError
from core_flow.protocol import HUB
from mock_agencies.catalogue import inquiry_scope, load_catalogue

SAME_INQUIRY_WINDOW = timedelta(days=30)
RETRY_WINDOW = timedelta(days=1)  # a request of the same content this soon after a failed attempt is its retry
COURT_REGIONS = {"R410811": "410811"}  # the default court of the seed guideline (synthetic code)
_CONTENT = ("court_code", "case_no", "measure", "account_no", "freeze_id", "amount_cents", "target_account")


def _submits(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 查控 requests among the records: only bodies that are requests as the profile defines them (garbage a
    court sends is answered 4xx by the agencies and is not a request to grade)."""
    out = []
    for r in records:
        parts = r["path"].strip("/").split("/")
        if r["method"] == "POST" and len(parts) == 3 and parts[2] == "requests" \
                and is_control_request(r.get("request")):
            out.append(dict(r, agency=parts[1]))
    return out


def _at(r: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(r["at"]) if r.get("at") else None


def _content(r: dict[str, Any]) -> tuple[Any, ...]:
    body = r["request"]
    subject = (body.get("subject") or {}).get("id_number")
    scope = tuple(sorted(body.get("scope") or ()))
    return (r["namespace"], r["agency"], subject, scope, *(body.get(k) for k in _CONTENT))


def _exchange(r: dict[str, Any]) -> dict[str, Any]:
    out = {"at": r.get("at"), "method": r["method"], "url": r["path"], "request": r.get("request"),
           "status": r.get("status"), "retry_after": r.get("retry_after"), "injected": r.get("injected", False)}
    if r.get("fault") == LOST_ANSWER:  # what the agency did with it, which the court never heard
        out.update(fault=LOST_ANSWER, agency_status=r.get("agency_status"), ticket_id=r.get("ticket_id"))
    return out


def grade_scope(submits: list[dict[str, Any]], court_regions: dict[str, str]) -> list[Finding]:
    ctx = CheckContext("inquiry_scope", ("CT-001", "CT-002"))
    catalogue = load_catalogue()
    first: dict[tuple[str, str, str], dict[str, Any]] = {}
    numbers: dict[tuple[str, str, str], list[tuple[datetime | None, str, tuple[str, ...]]]] = defaultdict(list)
    extra = sweep_agencies()
    for r in submits:
        if r["agency"] != HUB or is_sweep(r["request"], extra):
            continue
        body = r["request"]
        key = (r["namespace"], body.get("case_no", ""), (body.get("subject") or {}).get("id_number", ""))
        first.setdefault(key, r)
        numbers[key].append((_at(r), body.get("request_no", ""), tuple(sorted(body.get("scope") or ()))))
    if not first:
        ctx.skip("CT-001", "未见集约查询", "no 集约查询 was seen")
        ctx.skip("CT-002", "未见集约查询", "no 集约查询 was seen")
    exchanges: list[dict[str, Any]] = []
    for (namespace, case_no, id_number), r in first.items():
        court = r["request"].get("court_code", "")
        region = court_regions.get(court)
        if region is None:
            ctx.skip("CT-001", f"不知法院 {court} 所在地（--court-region）", f"court {court}'s place is unknown")
            continue
        try:
            want = sorted(a.code for a in inquiry_scope(catalogue, id_number, region))
        except UserError as err:
            ctx.skip("CT-001", f"无法计算范围：{err.zh}", f"cannot compute the scope: {err.en}")
            continue
        got = sorted(r["request"].get("scope") or ())
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        exchanges.append(_exchange(r))
        ctx.expect("CT-001", not missing and not extra,
                   f"{case_no} 被执行人集约查询范围 {len(got)} 家（应 {len(want)} 家）；"
                   f"缺 {missing or '无'}，多 {extra or '无'}",
                   f"{case_no}: the debtor's 集约查询 asks {len(got)} agencies (expected {len(want)}); missing "
                   f"{missing or 'none'}, extra {extra or 'none'}")
        seen = numbers[(namespace, case_no, id_number)]
        start, scope0 = seen[0][0], seen[0][2]
        distinct = {no for at, no, scope in seen
                    if scope == scope0 and (start is None or at is None or at - start <= SAME_INQUIRY_WINDOW)}
        ctx.expect("CT-002", len(distinct) == 1,
                   f"{case_no} 同一被执行人的集约查询使用 {len(distinct)} 个请求编号（应 1 个）",
                   f"{case_no}: {len(distinct)} request numbers for one debtor's 集约查询 (expected 1)")
    for f in ctx.findings:
        f.exchanges = exchanges[:20]
    return ctx.findings


def _span(delta: timedelta) -> tuple[str, str]:
    """A virtual duration, in days, hours and minutes (zh, en)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return f"{days} 天 {hours} 小时 {minutes} 分", f"{days} d {hours} h {minutes} min"


def _polled_by_number(records: list[dict[str, Any]], namespace: str, agency: str, number: str,
                      since: datetime | None) -> int:
    """How often the court asked for ``number``'s answer by its request number (``GET …/requests?request_no=``)."""
    n = 0
    for r in records:
        if r["method"] != "GET" or r.get("namespace") != namespace or r["path"].rstrip("/") != \
                f"/agencies/{agency}/requests":
            continue
        asked = parse_qs(str(r.get("query") or "")).get("request_no", [])
        at = _at(r)
        if number in asked and (since is None or at is None or at >= since):
            n += 1
    return n


# what a second act of a measure is, said in a lost answer's CT-006 finding (zh, en)
_DOUBLE = {"01": ("重复冻结", "a double freeze"), "11": ("重复查封", "a double seal"),
           "06": ("重复扣划", "a double deduction")}
_ONCE = frozenset({"01", "11"})  # CT-015's measures judged by what stands: a freeze, a seal (profile 0.6.4)
# what a court that never came back does not know (zh, en); a deduction: the money already in the court's account
_UNKNOWN = {"06": ("法院始终不知款项已划至本案账户", "the court never learned the money moved to its case account")}


def _refused(attempt: dict[str, Any]) -> bool:
    """An attempt the agency refused (a 4xx other than the 429 "later"): nothing was done."""
    status = attempt.get("status")
    return isinstance(status, int) and 400 <= status < 500 and status != 429


def _judge_lost(ctx: CheckContext, number: str, attempts: list[dict[str, Any]], others: set[str], immediate: int,
                records: list[dict[str, Any]], horizons: dict[str, str],
                deliveries: dict[str, list[dict[str, Any]]] | None = None,
                other_attempts: list[dict[str, Any]] | None = None) -> None:
    """CT-006 on a lost answer: the agency carried the request out (the ticket in the record), the court got a 504.
    It must come back with the same request number (re-sent — the agency answers the same ticket — or polled by
    it); the same content under a new number is a second act (a double freeze, a double deduction; ``other_attempts``
    are its attempts — a deduction the agency refused for want of frozen money did not move it twice, but the court
    never got the answer of the one that did), never coming back loses the ticket."""
    first = attempts[0]
    measure = str(first["request"].get("measure"))
    agency, request_no, ticket = first["agency"], str(first["request"].get("request_no")), first.get("ticket_id")
    t_first = _at(first)
    resent = attempts[1:]
    # the tickets the re-sends were answered with — a refusal (a 4xx: the same number with other content, 409) has
    # none: it is said as refused, never as "another ticket None" (review R12)
    got = [t for a in resent if isinstance(a.get("response"), dict) and isinstance(t := a["response"].get("ticket_id"),
                                                                                   str)]
    other_tickets = sorted({t for t in got if t != ticket})
    refused = [a for a in resent if _refused(a)]  # (a 429 is the agency's "later", retried as a 5xx is: not a refusal)
    polled = _polled_by_number(records, first["namespace"], agency, request_no, t_first)
    # back: the ticket heard again (re-sent, or polled by the number) — or re-sent and not refused (still trying
    # through the agency's own 5xx or 429); re-sends all refused (other content under the number) never reached the
    # ticket
    came_back = ticket in got or polled > 0 or (bool(resent) and not refused)
    zh = f"{agency} {number}：机构已办理（工单 {ticket}），答复丢失（工具注入 504）"
    en = f"{agency} {number}: the agency carried it out (ticket {ticket}), its answer lost (the kit's 504)"
    if others:
        double_zh, double_en = _DOUBLE.get(measure, ("重复办理", "a double act"))
        zh += f"；同样内容以新请求编号 {'、'.join(sorted(others))} 发出（原编号 {request_no}）："
        en += (f"; the same content came under the new request number {', '.join(sorted(others))} (the first: "
               f"{request_no}): ")
        tried = other_attempts or []
        if measure == "06" and not any(isinstance(a.get("status"), int) and 200 <= a["status"] < 300 for a in tried) \
                and any(_refused(a) for a in tried):
            # the second deduction refused (the first took the frozen money): not moved twice, but a court taking the
            # refusal for its deduction's fate records it failed — money in its account its ledger never sees
            why = "、".join(sorted({f"HTTP {a['status']} {_error_code(a)}".rstrip() for a in tried if _refused(a)}))
            zh += (f"机构拒绝新编号的扣划（{why}：冻结款项已由原编号扣划划走），原编号的扣划已办理而法院未得其答复，"
                   "款项已划至本案账户")
            en += (f"the agency refused the deduction under the new number ({why}: the frozen money went with the "
                   "first number's deduction), which was carried out while the court never had its answer — the money "
                   "is in the case's account")
        elif tried and not any(isinstance(s, int) and 200 <= s < 300
                               for a in tried for s in (a.get("status"), a.get("agency_status"))):
            # the copy under the new number was not carried out (an injected 503, never sent again): no second act in
            # the agency's ledger — the defect is the new number, which would have made one (kit 0.6.5: this said
            # "the agency acted twice" of a copy the agency never took)
            statuses = "、".join(sorted({f"HTTP {a.get('status')}" for a in tried}))
            zh += f"新编号的请求未获机构办理（{statuses}），若获办理即为{double_zh}"
            en += f"the agency did not carry out the new number's request ({statuses}); had it, that was {double_en}"
        else:
            zh += f"机构再办理一次（{double_zh}）"
            en += f"the agency acted twice ({double_en})"
    if not resent and not polled and not others:
        horizon = _horizon(horizons, records, first["namespace"], t_first)
        waited_zh, waited_en = _span(horizon - t_first) if horizon and t_first else ("—", "—")
        zh += f"；法院此后未以该编号重发或按编号查询：工具在虚拟时间中等待 {waited_zh}（至 {horizon}）"
        en += (f"; the court never came back with that number (re-sent or polled by it): the kit waited "
               f"{waited_en} of virtual time (to {horizon})")
        # the agency's answer posted to the court's callback and acknowledged (CT-008 shows it): the court had the
        # answer, only not by the retry CT-006 asks of a timeout — said so, not "never learned" (review R12)
        heard = any(d.get("key") == ticket and d.get("state") == "acknowledged"
                    for d in (deliveries or {}).get(first["namespace"], []))
        if heard:
            zh += f"；其答复以回调送达并经法院确认（{ticket}），但超时（504）须以同一请求编号重试"
            en += (f"; its answer was posted to the court's callback and acknowledged ({ticket}), but a timeout (504) "
                   "is retried with the same request number")
        else:
            never_zh, never_en = _UNKNOWN.get(measure, ("法院始终不知其办理的措施",
                                                        "the court never learned of the measure it made"))
            zh += f"，{never_zh}"
            en += f"; {never_en}"
    elif resent or polled:
        said: list[tuple[str, str]] = []
        if resent:
            why = sorted({f"HTTP {a['status']} {_error_code(a)}".rstrip() for a in refused})
            said.append((f"法院以同一请求编号重发 {len(resent)} 次"
                         + (f"，得到同一工单 {ticket}" if ticket in got else "")
                         + (f"，得到另一工单 {'、'.join(other_tickets)}" if other_tickets else "")
                         + (f"，其中 {len(refused)} 次被机构拒绝（{'、'.join(why)}）" if refused else "")
                         + ("，始终未得到机构的工单" if refused and not came_back else ""),
                         f"the court sent it again with the same request number {len(resent)} times"
                         + (f", answered the same ticket {ticket}" if ticket in got else "")
                         + (f", answered another ticket {', '.join(other_tickets)}" if other_tickets else "")
                         + (f", {len(refused)} of them refused by the agency ({', '.join(why)})" if refused else "")
                         + (", never reaching the agency's ticket" if refused and not came_back else "")))
        if polled:
            said.append((f"法院按该请求编号查询 {polled} 次", f"the court polled by the request number {polled} times"))
        zh += "；" + "，".join(z for z, _ in said)
        en += "; " + ", ".join(e for _, e in said)
        if not came_back and not others:
            # every re-send refused (other content under the number): the measure stands as the lost attempt made it,
            # unknown to the court — said as for a court that never came back (review R13)
            heard = any(d.get("key") == ticket and d.get("state") == "acknowledged"
                        for d in (deliveries or {}).get(first["namespace"], []))
            if not heard:
                never_zh, never_en = _UNKNOWN.get(measure, ("法院始终不知其办理的措施",
                                                            "the court never learned of the measure it made"))
                zh += f"，{never_zh}"
                en += f"; {never_en}"
    if immediate:
        zh += f"，{immediate} 次在失败的同一时刻立即重试（未退避）"
        en += f", {immediate} at the instant of the failure (no backoff)"
    ctx.expect("CT-006", came_back and not others and not immediate and not other_tickets, zh, en)


def _error_code(attempt: dict[str, Any]) -> str:
    """The agency's error code in a refused attempt's answer (``conflict``…), or nothing."""
    response = attempt.get("response")
    error = response.get("error") if isinstance(response, dict) else None
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def _horizon(horizons: dict[str, str], records: list[dict[str, Any]], namespace: str,
             since: datetime | None) -> datetime | None:
    """How far ``namespace``'s virtual clock went: its horizon, else its last exchange."""
    if horizons.get(namespace):
        return datetime.fromisoformat(horizons[namespace])
    return max((at for r in records if r.get("namespace") == namespace and (at := _at(r)) is not None),
               default=since)


def _too_late(first: dict[str, Any], records: list[dict[str, Any]], horizons: dict[str, str]) -> bool:
    """The run ended within ``RETRY_WINDOW`` of ``first``'s fault with no attempt after it, nor (a lost answer) a
    poll by its number: a court whose backoff outlasts what was left of the run is not failed for it."""
    t_first = _at(first)
    if t_first is None:
        return False
    if first.get("fault") == LOST_ANSWER and _polled_by_number(
            records, first["namespace"], first["agency"], str(first["request"].get("request_no")), t_first):
        return False
    horizon = _horizon(horizons, records, first["namespace"], t_first)
    return horizon is not None and horizon - t_first < RETRY_WINDOW


def grade_retries(submits: list[dict[str, Any]], records: list[dict[str, Any]] | None = None,
                  horizons: dict[str, str] | None = None,
                  deliveries: dict[str, list[dict[str, Any]]] | None = None) -> list[Finding]:
    ctx = CheckContext("retries", ("CT-006", "CT-007"))
    by_number: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    by_content: dict[tuple[Any, ...], list[tuple[datetime | None, str]]] = defaultdict(list)
    for r in submits:
        body = r["request"]
        by_number[(r["namespace"], r["agency"], f"{body.get('court_code')}/{body.get('request_no')}")].append(r)
        by_content[_content(r)].append((_at(r), str(body.get("request_no"))))
    # where each request number was first sent, and first accepted (2xx), in the order of the traffic
    sent_at: dict[tuple[str, str, str], int] = {}
    accepted_at: dict[tuple[str, str, str], int] = {}
    for i, r in enumerate(submits):
        key = (r["namespace"], r["agency"], f"{r['request'].get('court_code')}/{r['request'].get('request_no')}")
        sent_at.setdefault(key, i)
        if isinstance(r.get("status"), int) and 200 <= r["status"] < 300:
            accepted_at.setdefault(key, i)
    injected = [(key, attempts) for key, attempts in by_number.items() if attempts[0].get("injected")]
    if not injected:
        ctx.skip("CT-006", "未注入故障（没有足够的请求）", "no fault was injected (too few requests)")
        ctx.skip("CT-007", "未注入限流", "no 429 was injected")
    exchanges: list[dict[str, Any]] = []
    known: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None
    for (_, agency, number), attempts in injected:
        first = attempts[0]
        exchanges.extend(_exchange(a) for a in attempts[:3])
        t_first = _at(first)  # the same content much later is a new request (a 终本 sweep six months on), no retry
        others = {no for at, no in by_content[_content(first)] if t_first is None or at is None
                  or timedelta(0) <= at - t_first <= RETRY_WINDOW} - {first["request"].get("request_no")}
        # backoff: a retry after a 5xx waits (any positive wait — a jittered backoff may be short), never the same
        # instant as the failure; a 429's wait is Retry-After's (CT-007)
        immediate = sum(1 for a, b in zip(attempts, attempts[1:], strict=False)
                        if (a.get("status") or 0) >= 500 and _at(a) is not None and _at(b) is not None
                        and _at(b) <= _at(a))
        if len(attempts) == 1 and not others and _too_late(first, records or [], horizons or {}):
            ctx.skip("CT-006", f"{agency} {number}：首次 {first.get('status')} 后不足一日运行即结束（虚拟时间），"
                     "无从判断是否重试，未判",
                     f"{agency} {number}: the run ended less than a day (virtual time) after its "
                     f"{first.get('status')}: too soon to tell whether it is retried, not judged")
            continue
        if first.get("fault") == LOST_ANSWER:
            # a number first sent after the court had the lost one's result (polled by its number, or its callback
            # acknowledged) is a measure of its own, not a re-send of what the court did not know (review R13; CT-015
            # asks the same)
            known = known or _results_known(records or [], deliveries or {})
            court = first["request"].get("court_code")
            others = {no for no in others if not (tried := by_number.get((first["namespace"], agency, f"{court}/{no}")))
                      or not known(first, tried[0])}
            other_attempts = [a for (ns, ag, no), tried in by_number.items() if ns == first["namespace"]
                              and ag == agency and no.split("/", 1)[1] in others for a in tried]
            _judge_lost(ctx, number, attempts, others, immediate, records or [], horizons or {}, deliveries,
                        other_attempts)
            continue
        # the same content under a new number first sent after this number was accepted is no retry of it (the
        # court had its ticket): a second act — CT-015 judges a second freeze or seal, CT-002 a second 集约查询 (kit
        # 0.6.2: a seal retried after a 429 with its number, then sent twice by a bug, failed CT-006 as "a retry under
        # a new number")
        done = accepted_at.get((first["namespace"], agency, number))
        court = first["request"].get("court_code")
        others = {no for no in others if done is None
                  or sent_at.get((first["namespace"], agency, f"{court}/{no}"), -1) < done}
        ctx.expect("CT-006", len(attempts) >= 2 and not others and not immediate,
                   f"{agency} {number}：首次 {first.get('status')} 后以同一编号重试 {len(attempts) - 1} 次"
                   f"{'，另用新编号 ' + str(sorted(others)) if others else ''}"
                   f"{f'，{immediate} 次在失败的同一时刻立即重试（未退避）' if immediate else ''}",
                   f"{agency} {number}: after {first.get('status')} retried {len(attempts) - 1} times with the same "
                   f"number{', and under new numbers ' + str(sorted(others)) if others else ''}"
                   f"{f', {immediate} at the instant of the failure (no backoff)' if immediate else ''}")
        if first.get("status") == 429 and first.get("retry_after") and len(attempts) > 1:  # (none: CT-006's)
            wait = timedelta(seconds=int(first["retry_after"]))
            t0 = _at(first)
            t1 = _at(attempts[1]) if len(attempts) > 1 else None
            ok = t0 is not None and t1 is not None and t1 - t0 >= wait
            ctx.expect("CT-007", ok, f"{agency} {number}：Retry-After {first['retry_after']} 秒，重试于 "
                       f"{(t1 - t0).total_seconds() if t0 and t1 else '—'} 秒后",
                       f"{agency} {number}: Retry-After {first['retry_after']} s, retried after "
                       f"{(t1 - t0).total_seconds() if t0 and t1 else '—'} s")
    if injected and not any(f.requirement == "CT-007" for f in ctx.findings):
        ctx.skip("CT-007", "未注入限流", "no 429 was injected")
    for f in ctx.findings:
        f.exchanges = exchanges[:30]
    return ctx.findings




def grade_measures(records: list[dict[str, Any]], submits: list[dict[str, Any]],
                   deliveries: dict[str, list[dict[str, Any]]] | None = None) -> list[Finding]:
    ctx = CheckContext("measures", ("CT-011", "CT-015"))
    answers = feedbacks(records)
    life = freeze_lives(submits, records)
    frozen: dict[tuple[str, str], int] = {}
    for (namespace, _), fb in answers.items():
        if fb.get("measure") == "01" and fb.get("ok") and fb.get("freeze_id"):
            key = (namespace, fb["freeze_id"])
            frozen[key] = max(frozen.get(key, 0), int(fb.get("amount_controlled_cents") or 0))
    firsts = first_attempts(submits)
    accepted = {(r["namespace"], r["agency"], str(r["request"].get("request_no"))) for r in submits
                if any(isinstance(s, int) and 200 <= s < 300 for s in (r.get("status"), r.get("agency_status")))}
    # (a lost answer's attempt was accepted too: the agency carried it out, the court got a 504)
    deducted: dict[tuple[str, str], int] = defaultdict(int)
    exchanges: list[dict[str, Any]] = []
    sent_before: dict[tuple[Any, ...], str] = {}  # a deduction's content → the request number it first went under
    for r in firsts:
        body = r["request"]
        if body.get("measure") != "06":
            continue
        key = (r["namespace"], str(body.get("freeze_id")))
        amount = int(body.get("amount_cents") or 0)
        room = frozen.get(key, 0) - deducted[key]
        exchanges.append(_exchange(r))
        same = _deduction(r)
        before = sent_before.setdefault(same, str(body.get("request_no")))
        again_zh, again_en = ((f"；同一扣划此前以请求编号 {before} 发出（重复扣划）",
                               f"; the same deduction went before under request number {before} (a double deduction)")
                              if before != str(body.get("request_no")) else ("", ""))
        ctx.expect("CT-011", key in frozen and amount <= room,
                   f"扣划 {amount} 分，冻结 {body.get('freeze_id')} 尚余已冻结 "
                   f"{room if key in frozen else '（未见该冻结）'} 分{again_zh}",
                   f"deduction of {amount} cents; freeze {body.get('freeze_id')} still holds "
                   f"{room if key in frozen else '(freeze not seen)'} cents{again_en}")
        if (r["namespace"], r["agency"], str(body.get("request_no"))) in accepted and (answers.get(
                (r["namespace"], str(body.get("request_no")))) or {}).get("ok") is not False:
            deducted[key] += amount  # (a refused or failed deduction took nothing: review R13)
    if not any(f.requirement == "CT-011" for f in ctx.findings):
        ctx.skip("CT-011", "未见扣划", "no deduction was seen")
    # freezes (01) and, profile 0.6.4 (kit 0.6.2, review R13), seals (11) of real estate or vehicles at a registry: the
    # same case, agency and property (``account_no``, the profile's 账户/财产编号: the registry's id of the property —
    # a 不动产单元号, a vehicle's plate or the registry's asset id) — a second seal while the first stands is a 轮候查封
    # against the court's own seal, muddling the registry's queue and the release after it
    freezes: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in firsts:
        body = r["request"]
        if body.get("measure") in _ONCE and (r["namespace"], r["agency"], str(body.get("request_no"))) in accepted:
            freezes[(r["namespace"], r["agency"], str(body.get("measure")), body.get("case_no"),
                     body.get("account_no"))].append(r)
    for (namespace, agency, measure, case_no, account), sent in freezes.items():
        # a freeze (a seal) sent while an earlier one of the account (the property) stood — answered in effect or
        # queued (or unanswered), and not released, deducted in full, transferred nor past its term when the later
        # one was sent (review R13: one released or lapsed before is no double; one standing is, whatever the court
        # knew: one freeze covers the account, one seal the property)
        standing = [r for i, r in enumerate(sent[1:], 1) if any(
            _stood(answers, life, namespace, earlier, _at(r)) for earlier in sent[:i])]
        exchanges.extend(_exchange(r) for r in sent[:3])
        if measure == "01":
            ctx.expect("CT-015", not standing,
                       f"{case_no} 对 {agency} 账户 {account} 发出冻结 {len(sent)} 次"
                       f"（前一冻结仍有效时重复 {len(standing)} 次）",
                       f"{case_no}: {len(sent)} freezes of {agency} account {account} ({len(standing)} while an "
                       "earlier one stood)")
            continue
        numbers = [str(r["request"].get("request_no")) for r in sent]
        said_zh, said_en = (("：重复查封，请求编号 " + "、".join(numbers),
                             ": a double seal, request numbers " + ", ".join(numbers)) if standing else ("", ""))
        ctx.expect("CT-015", not standing,
                   f"{case_no} 对 {agency} 财产 {account} 发出查封 {len(sent)} 次"
                   f"（前一查封仍有效时以新请求编号重复 {len(standing)} 次{said_zh}）",
                   f"{case_no}: {len(sent)} seals of {agency} property {account} ({len(standing)} under a new request "
                   f"number while an earlier one stood{said_en})")
    # profile 0.6.3: a deduction too is sent once — the same deduction (case, freeze, amount, sub-account) again under
    # a new request number while the first has not failed (accepted, its answer not a failure; a lost answer's was
    # carried out) and its result had not reached the court deducts twice, within the frozen money unseen by CT-011
    deductions: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in firsts:
        body = r["request"]
        if body.get("measure") == "06" and (r["namespace"], r["agency"], str(body.get("request_no"))) in accepted:
            deductions[_deduction(r)].append(r)
    known = _results_known(records, deliveries or {})
    for (namespace, agency, case_no, freeze_id, amount, _), sent in deductions.items():
        # a deduction sent while an earlier identical one had not failed and its result had not reached the court
        # (review R13): the court re-sending what it did not know went through. Sent after the court had the earlier
        # one's result (polled, or its callback acknowledged) it is a deduction of its own — equal monthly
        # instalments from a frozen wage or pension, a second deduction ordered after the first was paid
        standing = [r for i, r in enumerate(sent[1:], 1) if any(
            (answers.get((namespace, str(e["request"].get("request_no")))) or {"ok": True}).get("ok") is not False
            and not known(e, r) for e in sent[:i])]
        numbers = [str(r["request"].get("request_no")) for r in sent]
        said_zh, said_en = (("：重复扣划，请求编号 " + "、".join(numbers),
                             ": a double deduction, request numbers " + ", ".join(numbers)) if standing else ("", ""))
        exchanges.extend(_exchange(r) for r in sent[:3])
        ctx.expect("CT-015", not standing,
                   f"{case_no} 以冻结 {freeze_id} 向 {agency} 扣划 {amount} 分，发出 {len(sent)} 次"
                   f"（前一扣划未失败时以新请求编号重复 {len(standing)} 次{said_zh}）",
                   f"{case_no}: {len(sent)} deductions of {amount} cents from freeze {freeze_id} at {agency} "
                   f"({len(standing)} under a new request number while an earlier one had not failed{said_en})")
    if not freezes and not deductions:
        ctx.skip("CT-015", "未见冻结、查封或扣划", "no freeze, seal or deduction was seen")
    elif not any(measure == "11" for _, _, measure, _, _ in freezes):
        ctx.skip("CT-015", "未见查封：查封未评判", "no seal was seen: seals not judged")
    for f in ctx.findings:
        f.exchanges = exchanges[:30]
    return ctx.findings


def _stood(answers: dict[tuple[str, str], dict[str, Any]], life: dict[tuple[str, str], Any], namespace: str,
           earlier: dict[str, Any], at: datetime | None) -> bool:
    """Whether the freeze (or seal) ``earlier`` stood at ``at``: its answer (if the court polled it) in effect or
    queued, and its freeze neither released, deducted in full, transferred (15) nor past its last term by then
    (``court_lifecycle``'s record)."""
    answer = answers.get((namespace, str(earlier["request"].get("request_no")))) or {"ok": True,
                                                                                      "freeze_state": "active"}
    if answer.get("freeze_state") not in ("active", "queued"):
        return False
    f = life.get((namespace, str(answer.get("freeze_id"))))
    if f is None or at is None:
        return True
    ended = [t for t in (f.released, f.emptied, f.transferred) if t is not None]
    if f.terms:
        ended.append(max(f.terms))
    return not any(t <= at for t in ended)


def _results_known(records: list[dict[str, Any]], deliveries: dict[str, list[dict[str, Any]]]
                   ) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    """``known(earlier, later)``: whether the court had ``earlier``'s result when it sent ``later`` — a poll answered
    with its feedback (by ticket or by request number) recorded before ``later``, or its answer posted to the court's
    callback and acknowledged no later than ``later``'s instant (virtual time)."""
    first_at: dict[tuple[str, str, str], int] = {}  # a request's body → where it was first recorded
    polled: dict[tuple[str, str, str], int] = {}  # (namespace, agency, request number) → its first answered poll
    for i, r in enumerate(records):
        parts = r["path"].strip("/").split("/")
        if len(parts) < 3 or parts[0] != "agencies":
            continue
        if r["method"] == "POST" and isinstance(r.get("request"), dict):
            first_at.setdefault((r["namespace"], r["path"], json.dumps(r["request"], sort_keys=True, default=str)), i)
        response = r.get("response")
        if r["method"] == "GET" and isinstance(response, dict) and isinstance(fb := response.get("feedback"), dict):
            polled.setdefault((r["namespace"], parts[1], str(fb.get("request_no"))), i)
    acked: dict[tuple[str, str], datetime] = {}  # (namespace, ticket) → when the court acknowledged its callback
    for namespace, items in deliveries.items():
        for d in items:
            if d.get("state") == "acknowledged" and d.get("acknowledged_at"):
                at = datetime.fromisoformat(d["acknowledged_at"])
                key = (namespace, str(d.get("key")))
                acked[key] = min(at, acked.get(key, at))

    def known(earlier: dict[str, Any], later: dict[str, Any]) -> bool:
        namespace, agency = earlier["namespace"], earlier["agency"]
        sent = first_at.get((later["namespace"], later["path"], json.dumps(later["request"], sort_keys=True,
                                                                           default=str)), len(records))
        if polled.get((namespace, agency, str(earlier["request"].get("request_no"))), len(records)) < sent:
            return True
        response = earlier.get("response")
        ticket = earlier.get("ticket_id") or (response.get("ticket_id") if isinstance(response, dict) else None)
        at, heard = _at(later), acked.get((namespace, str(ticket))) if ticket else None
        return heard is not None and at is not None and heard <= at

    return known


def _deduction(r: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two deductions the same one: the namespace, agency, case, freeze, amount and sub-account."""
    body = r["request"]
    return (r["namespace"], r["agency"], body.get("case_no"), str(body.get("freeze_id")), body.get("amount_cents"),
            body.get("target_account"))


POLL_INTERVAL = timedelta(seconds=60)
POLL_EXAMPLES = 5  # the worst tickets named in CT-016's finding


def grade_polling(records: list[dict[str, Any]]) -> list[Finding]:
    ctx = CheckContext("polling", ("CT-016",))
    polls: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for r in records:
        parts = r["path"].strip("/").split("/")
        if r["method"] == "GET" and len(parts) == 4 and parts[2] == "requests" and (at := _at(r)) is not None:
            polls[(r["namespace"], r["path"])].append(at)
    if not polls:
        ctx.skip("CT-016", "未见轮询", "no poll was seen")
        return ctx.findings
    # one finding for the requirement, however many tickets were polled (a court polling thousands of tickets, or
    # a flood of distinct paths, does not make thousands of findings): the count and the worst few as examples
    offenders: list[tuple[int, int, str]] = []  # (polls too close, polls, path)
    for (_, path), times in polls.items():
        times.sort()
        close = sum(1 for a, b in zip(times, times[1:], strict=False) if b - a < POLL_INTERVAL)
        if close:
            offenders.append((close, len(times), path))
    if not offenders:
        ctx.expect("CT-016", True, f"轮询 {len(polls)} 个回执，间隔均不少于 60 秒",
                   f"{len(polls)} tickets polled, none within 60 s of its previous poll")
        return ctx.findings
    worst = sorted(offenders, key=lambda o: (-o[0], o[2]))[:POLL_EXAMPLES]
    zh = "；".join(f"{path} 轮询 {n} 次，{close} 次间隔不足 60 秒" for close, n, path in worst)
    en = "; ".join(f"{path} polled {n} times, {close} times within 60 s of the previous poll"
                   for close, n, path in worst)
    ctx.expect("CT-016", False, f"{len(polls)} 个回执中 {len(offenders)} 个轮询过密，例：{zh}",
               f"{len(offenders)} of {len(polls)} tickets polled too often, e.g. {en}")
    return ctx.findings


def grade_callbacks(deliveries: dict[str, list[dict[str, Any]]]) -> list[Finding]:
    ctx = CheckContext("callbacks", ("CT-008",))
    tried = [(ns, d) for ns, items in deliveries.items() for d in items if d.get("attempts")]
    if not tried:
        ctx.skip("CT-008", "被测法院未使用回调（只轮询）", "the court used no callbacks (it polls)")
    for _, d in tried:
        acked = d.get("state") == "acknowledged"
        refused = d.get("state") == "abandoned" or (not acked and int(d.get("attempts") or 0) >= 2)
        if not acked and not refused:
            continue  # one attempt, still pending: not yet judged
        ctx.expect("CT-008", acked, f"回调 {d.get('key')}：{d.get('attempts')} 次投递，状态 {d.get('state')}，"
                   f"最后应答 {d.get('last_status')}", f"callback {d.get('key')}: {d.get('attempts')} attempts, "
                   f"{d.get('state')}, last answer {d.get('last_status')}")
    for f in ctx.findings:
        f.exchanges = [d for _, d in tried[:30]]
    return ctx.findings


COURT_CHECKS = (("inquiry_scope", ("CT-001", "CT-002")), ("retries", ("CT-006", "CT-007")),
                ("measures", ("CT-011", "CT-015")), ("polling", ("CT-016",)), ("callbacks", ("CT-008",)),
                ("freeze_life", ("CT-009", "CT-010")), ("sweeps", ("CT-012",)))


def grade_court(records: list[dict[str, Any]], court_regions: dict[str, str] | None = None,
                deliveries: dict[str, list[dict[str, Any]]] | None = None, horizons: dict[str, str] | None = None,
                case_facts: CaseFacts | None = None) -> list[Finding]:
    """Every finding the traffic (and the callbacks the agencies posted to the court) supports; ``horizons`` how
    far each namespace's virtual clock went, ``case_facts`` when cases reached 执行完毕 / 终本."""
    submits = _submits(records)
    horizons = horizons or {}
    facts = case_facts or {}
    graders: list[tuple[tuple[str, ...], Callable[[], list[Finding]]]] = [
        (("CT-001", "CT-002"), lambda: grade_scope(submits, court_regions or COURT_REGIONS)),
        (("CT-006", "CT-007"), lambda: grade_retries(submits, records, horizons, deliveries)),
        (("CT-011", "CT-015"), lambda: grade_measures(records, submits, deliveries)),
        (("CT-016",), lambda: grade_polling(records)),
        (("CT-008",), lambda: grade_callbacks(deliveries or {})),
        (("CT-009", "CT-010"), lambda: grade_freeze_life(submits, records, horizons, facts)),
        (("CT-012",), lambda: grade_sweeps(submits, horizons, facts)),
    ]
    findings: list[Finding] = []
    for requirements, grade in graders:
        try:
            findings.extend(grade())
        except Exception as err:  # noqa: BLE001 — traffic the grader did not foresee: say so, never a traceback
            why = f"{type(err).__name__}: {err}"[:500]
            findings.extend(Finding(req, "grading", "skipped", f"无法从往来评分：{why}",
                                    f"the traffic could not be graded: {why}") for req in requirements)
    return findings
