"""The court-side grader's lifecycle checks, judged from the recorded traffic in the namespace's virtual time:

* CT-009 a freeze still holding money is renewed (02) before its term ends — unless it was released, deducted in
  full or transferred (15), or its case reached 执行完毕 first — and never renewed after 执行完毕;
* CT-010 once a case reached 执行完毕, every freeze of it still standing is released (04) — or transferred (15) —
  after it; one released, deducted in full, transferred or past its term before then stood no more (kit 0.6.3: one
  released before 执行完毕 was failed "never released", and so was a seal the court had transferred);
* seals (查封 11/12/14) alike;
* CT-012 a 终本 case is swept through 总对总 every six months (a sweep is a hub query whose scope reaches beyond the
  集约查询 groups: registries, vehicles, equity…), for five years and no longer.

A 过户 (15) the registry took ends the seal (or freeze) it names — the property is the new owner's — and, a seal being
of the whole property, every other seal on it at that registry (the 轮候 seals queued behind it, a second case's of
the same court too): the registry's interface (``POST /agencies/{code}/requests``, mock_agencies/operation_doc.py:
"the seal ends with every 轮候 seal queued behind it (state transferred)"), AGENCIES.md (the registries take 15) and
mock_agencies/ledger.py (查封规定 第二十七条 as we read it, unconfirmed, not in LAW.md). So nothing is left to renew
(CT-009) or release (CT-010) — kit 0.6.3: before, CT-015 alone read the transfer, and a correct court that sold a flat,
had it transferred and reached 执行完毕 was failed CT-010 "never released", and one whose seal's term ended after the
transfer CT-009 "not renewed". A 15 refused (not 2xx) or answered as failed ended nothing, nor one whose answer said
the seal still stands (``freeze_state`` active or queued: a registry that kept it — the court is to release it, 14, as
zhixing's does). A transfer counts from the instant the court sent it (its answer, if polled, says only whether it
ended the seal); one never polled ended it all the same (the agency took it).

After the transfer a release (04/14) of the seal is no defect: the registry answers it ended (refused, state
transferred), nothing changes, and a court may release what it holds at 执行完毕 without waiting for the 15's answer.
A renewal (02/12) after the transfer is pointless — the registry refuses it, nothing is extended — and no defect
either: CT-009 asks a renewal of what still holds money and forbids one only after 执行完毕 (its wording; such a
renewal still fails, transferred or not), and a court may renew while the 15's answer is pending (the transfer could
be refused and the seal lapse). Judging it would be a new rule of the profile, not this requirement's.

Time is the virtual instant each exchange was recorded at; ``horizons`` is how far each namespace's clock went (a
term that ends after it is not judged yet). 执行完毕 and 终本 are not on the wire: ``case_facts`` says when a case
reached them (``{case_no: {"completed": iso, "zhongben": iso}}``), from the driver or the script of cases; without
them CT-010 is skipped and a case's first sweep starts the six-month count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from certify.findings import CheckContext, Finding
from core_flow.protocol import HUB
from mock_agencies.catalogue import load_catalogue

SWEEP_GROUPS = frozenset({"real_estate", "vehicle", "equity", "other"})  # = process.yaml sweep_groups (a test)
SWEEP_EVERY = timedelta(days=183)  # six months
SWEEP_GRACE = timedelta(days=7)  # a sweep may come this much later than six months (weekends, batching)
SWEEP_YEARS = timedelta(days=5 * 365 + 2)
CaseFacts = dict[str, dict[str, str]]
FREEZE, RENEW, RELEASE = frozenset({"01", "11"}), frozenset({"02", "12"}), frozenset({"04", "14"})  # 冻结/查封 alike
TRANSFER = "15"  # 过户: ends the seal or freeze it names


def _t(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def sweep_agencies() -> frozenset[str]:
    """The agencies only a 终本 sweep asks for (the groups beyond the 集约查询 scope)."""
    return frozenset(a.code for a in load_catalogue().agencies if a.group.value in SWEEP_GROUPS)


def is_sweep(body: dict[str, Any], extra: frozenset[str] | None = None) -> bool:
    """A hub query is a 终本 sweep when its scope reaches an agency no 集约查询 asks (by content, not by order)."""
    return bool(set(body.get("scope") or ()) & (sweep_agencies() if extra is None else extra))


def first_attempts(submits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first attempt of each request (by namespace, agency and court/request number), in order."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in submits:
        body = r["request"]
        key = (r["namespace"], r["agency"], f"{body.get('court_code')}/{body.get('request_no')}")
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def feedbacks(records: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every answer the court polled, by (namespace, request number)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        response = r.get("response")
        if r["method"] == "GET" and isinstance(response, dict) and isinstance(response.get("feedback"), dict):
            fb = response["feedback"]
            out[(r["namespace"], str(fb.get("request_no")))] = fb
    return out


class _Freeze:
    def __init__(self, namespace: str, freeze_id: str, case_no: str, at: datetime | None, agency: str = "",
                 measure: str = "", account_no: str = "") -> None:
        self.namespace, self.freeze_id, self.case_no, self.at = namespace, freeze_id, case_no, at
        self.agency, self.measure, self.account_no = agency, measure, account_no  # the property (a seal's: whole)
        self.terms: list[datetime] = []  # the term ends the answers gave (01, then each 02)
        self.controlled = 0
        self.deducted = 0
        self.renewals: list[tuple[datetime, str]] = []  # (sent at, request number)
        self.released: datetime | None = None
        self.emptied: datetime | None = None  # deducted in full
        self.transferred: datetime | None = None  # 过户 (15) taken under it (or, a seal, under another seal of the
        # property): the property left the debtor, the measure ended (CT-015; CT-009 and CT-010 since kit 0.6.3)


def _freezes(submits: list[dict[str, Any]], records: list[dict[str, Any]]) -> dict[tuple[str, str], _Freeze]:
    polled = feedbacks(records)
    firsts = first_attempts(submits)
    out: dict[tuple[str, str], _Freeze] = {}
    for r in firsts:
        body = r["request"]
        if body.get("measure") not in FREEZE:
            continue
        fb = polled.get((r["namespace"], str(body.get("request_no")))) or {}
        if fb.get("ok") and fb.get("freeze_id") and fb.get("freeze_state") in ("active", "queued"):
            f = out.setdefault((r["namespace"], fb["freeze_id"]),
                               _Freeze(r["namespace"], fb["freeze_id"], str(body.get("case_no")), _t(r.get("at")),
                                       str(r.get("agency") or ""), str(body.get("measure")),
                                       str(body.get("account_no") or "")))
            f.controlled = max(f.controlled, int(fb.get("amount_controlled_cents") or 0))
            if (end := _t(fb.get("expires_at"))) is not None:
                f.terms.append(end)
    # the deductions the agency took (an attempt answered 2xx, or a lost answer's: carried out) and did not answer as
    # failed: a refused one (beyond the frozen money…) takes nothing and empties no freeze (review R13: it did, and a
    # freeze "deducted in full" by a refusal was never judged for its renewal, nor as standing for CT-015)
    taken = {(r["namespace"], r["agency"], str(r["request"].get("request_no"))) for r in submits
             if any(isinstance(s, int) and 200 <= s < 300 for s in (r.get("status"), r.get("agency_status")))}
    for r in firsts:
        body = r["request"]
        f = out.get((r["namespace"], str(body.get("freeze_id"))))
        at = _t(r.get("at"))
        if f is None or at is None:
            continue
        if body.get("measure") in RENEW:
            f.renewals.append((at, str(body.get("request_no"))))
            fb = polled.get((r["namespace"], str(body.get("request_no")))) or {}
            if fb.get("ok") and (end := _t(fb.get("expires_at"))) is not None:
                f.terms.append(end)
        elif body.get("measure") in RELEASE and f.released is None:
            f.released = at
        elif body.get("measure") == TRANSFER:
            answer = polled.get((r["namespace"], str(body.get("request_no")))) or {}
            if (r["namespace"], r["agency"], str(body.get("request_no"))) not in taken or answer.get("ok") is False \
                    or answer.get("freeze_state") in ("active", "queued"):
                continue  # refused, failed, or the registry kept the seal: nothing ended
            for g in _ended_by_transfer(out, f):
                g.transferred = at if g.transferred is None else min(g.transferred, at)
        elif body.get("measure") == "06":
            if (r["namespace"], r["agency"], str(body.get("request_no"))) not in taken or (
                    polled.get((r["namespace"], str(body.get("request_no")))) or {}).get("ok") is False:
                continue
            f.deducted += int(body.get("amount_cents") or 0)
            if f.controlled and f.deducted >= f.controlled and f.emptied is None:
                f.emptied = at
    for f in out.values():
        f.terms.sort()
        f.renewals.sort()
    return out


def _ended_by_transfer(freezes: dict[tuple[str, str], _Freeze], named: _Freeze) -> list[_Freeze]:
    """The measures a 过户 under ``named`` ends: it, and — a seal (11) being of the whole property — every other seal
    the court holds on that property at that registry (轮候 behind it, or another case's); a freeze (01) of equity or
    securities may hold part of the holding: it alone (the rest stays the debtor's, with the measures on it)."""
    if named.measure != "11" or not named.account_no:
        return [named]
    where = (named.namespace, named.agency, named.account_no)
    return [g for g in freezes.values() if g is named or (g.measure == "11" and (g.namespace, g.agency, g.account_no)
                                                          == where)]


def freeze_lives(submits: list[dict[str, Any]], records: list[dict[str, Any]]) -> dict[tuple[str, str], _Freeze]:
    """Each freeze the court made (by namespace and freeze id): its terms, renewals, release, deduction in full."""
    return _freezes(submits, records)


def grade_freeze_life(submits: list[dict[str, Any]], records: list[dict[str, Any]], horizons: dict[str, str],
                      case_facts: CaseFacts) -> list[Finding]:
    ctx = CheckContext("freeze_life", ("CT-009", "CT-010"))
    freezes = _freezes(submits, records)
    for f in freezes.values():
        horizon = _t(horizons.get(f.namespace))
        completed = _t((case_facts.get(f.case_no) or {}).get("completed"))
        ended = min((t for t in (f.released, f.emptied, f.transferred) if t is not None), default=None)
        late = [no for at, no in f.renewals if completed is not None and at >= completed]
        if late:
            ctx.expect("CT-009", False, f"{f.case_no} 冻结 {f.freeze_id} 在执行完毕（{completed}）后仍续冻 {late}",
                       f"{f.case_no}: freeze {f.freeze_id} renewed after 执行完毕 ({completed}): {late}")
        _judge_renewal(ctx, f, horizon, min((t for t in (ended, completed) if t is not None), default=None))
        # standing at 执行完毕: taken before it, and neither released, transferred nor past its term by then (kit
        # 0.6.3: a release or 过户 before it was not read — "never released"), nor ever deducted in full
        standing = completed is not None and (not f.terms or f.terms[-1] > completed) and not any(
            t is not None and t < completed for t in (f.released, f.transferred))
        if completed is not None and standing and f.emptied is None and (f.at is None or f.at < completed):
            if horizon is None or horizon < completed + timedelta(days=1):
                ctx.skip("CT-010", f"{f.case_no} 执行完毕后时间不足一日，未判", f"{f.case_no}: less than a day "
                         "after 执行完毕 was observed")
                continue
            # ended after 执行完毕 (one before it left the freeze not standing): the first of its release and 过户
            at, by = min(((t, by) for t, by in ((f.released, "release"), (f.transferred, "transfer")) if t is not None),
                         default=(None, ""))
            ok = at is not None
            said_zh = (f"于 {at} 解除" if by == "release" else f"于 {at} 过户（随之解除）") if ok else "未解除"
            said_en = (f"released at {at}" if by == "release" else f"transferred at {at} (ended with it)") if ok \
                else "was never released"
            ctx.expect("CT-010", ok, f"{f.case_no} 执行完毕（{completed}）后冻结 {f.freeze_id} {said_zh}",
                       f"{f.case_no}: after 执行完毕 ({completed}) freeze {f.freeze_id} {said_en}")
    if not any(f.requirement == "CT-009" for f in ctx.findings):
        ctx.skip("CT-009", "未见到期前可判断的冻结（虚拟时间未到期限）", "no freeze whose term ended within the run")
    if not any(f.requirement == "CT-010" for f in ctx.findings):
        if any(_t(facts.get("completed")) for facts in case_facts.values()):
            ctx.skip("CT-010", "执行完毕时没有仍有效的冻结、查封（已解除、已全额扣划、已过户或已届期限）",
                     "no freeze or seal stood at 执行完毕 (released, deducted in full, transferred or past its term)")
        else:
            ctx.skip("CT-010", "未见执行完毕的案件（或无案件事实）", "no case reached 执行完毕 (or no case facts)")
    return ctx.findings


def _judge_renewal(ctx: CheckContext, f: _Freeze, horizon: datetime | None, stop: datetime | None) -> None:
    """Walk the freeze's terms: each one that ended within the run needs a renewal sent before it ended."""
    if not f.terms:
        return
    end, since = f.terms[0], f.at
    while True:
        if horizon is None or end > horizon or (stop is not None and stop <= end):
            return  # not over yet, or no longer needed
        renewal = next(((at, no) for at, no in f.renewals if at < end and (since is None or at >= since)), None)
        if renewal is None:
            ctx.expect("CT-009", False, f"{f.case_no} 冻结 {f.freeze_id} 期限 {end} 届满前未续冻",
                       f"{f.case_no}: freeze {f.freeze_id} was not renewed before its term ended at {end}")
            return
        later = [t for t in f.terms if t > end]
        ctx.expect("CT-009", True, f"{f.case_no} 冻结 {f.freeze_id} 于 {renewal[0]} 续冻（期限 {end}）",
                   f"{f.case_no}: freeze {f.freeze_id} renewed at {renewal[0]} (term ended {end})")
        if not later:
            return
        end, since = later[0], renewal[0]


def grade_sweeps(submits: list[dict[str, Any]], horizons: dict[str, str], case_facts: CaseFacts) -> list[Finding]:
    ctx = CheckContext("sweeps", ("CT-012",))
    extra = sweep_agencies()
    sweeps: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for r in first_attempts(submits):
        if r["agency"] == HUB and is_sweep(r["request"], extra) and (at := _t(r.get("at"))) is not None:
            sweeps[(r["namespace"], str(r["request"].get("case_no")))].append(at)
    cases = set(sweeps)
    namespaces = {ns for ns, _ in cases} or set(horizons)
    for case_no, facts in case_facts.items():
        if facts.get("zhongben"):
            cases |= {(ns, case_no) for ns in namespaces}
    for namespace, case_no in sorted(cases):
        times = sorted(sweeps.get((namespace, case_no), []))
        zhongben = _t((case_facts.get(case_no) or {}).get("zhongben"))
        horizon = _t(horizons.get(namespace)) or (times[-1] if times else None)
        start = zhongben or (times[0] if times else None)
        if start is None or horizon is None:
            continue
        points = [start, *[t for t in times if t > start or zhongben is None][1 if zhongben is None else 0:]]
        end = min(horizon, start + SWEEP_YEARS)
        gaps = [b - a for a, b in zip(points, [*points[1:], end], strict=False)]
        late = [g for g in gaps if g > SWEEP_EVERY + SWEEP_GRACE]
        after = [t for t in times if t > start + SWEEP_YEARS + SWEEP_GRACE]
        ok = not late and not after
        ctx.expect("CT-012", ok, f"{case_no} 终本统查 {len(times)} 次（至 {end.date()}）；最长间隔 "
                   f"{max(gaps).days if gaps else 0} 天；五年后仍统查 {len(after)} 次",
                   f"{case_no}: {len(times)} 终本 sweeps (to {end.date()}); longest gap "
                   f"{max(gaps).days if gaps else 0} days; {len(after)} sweeps after five years")
    if not ctx.findings:
        ctx.skip("CT-012", "未见终本统查", "no 终本 sweep was seen")
    return ctx.findings
