"""The agency-side suite (``zhixing certify agency``): checks a system that plays an agency or the 总对总 hub against
the profile's AG- requirements, over HTTP, with the vendor's fixtures.

Each check declares the requirement IDs it can find on (``CHECKS``) and the measures it needs (``NEEDS``): an agency
is judged by the measures it publishes (``GET /agencies/{code}``: ``operations``) — a check whose measures it does not
publish is "not applicable", the reason naming them, and the refusal of each measure it does not publish (422, an
unsupported measure) is checked instead (AG-013; the transfer's, AG-020). A registry that seals (11) rather than
freezes (01) is checked by its seals. Every answer the suite sees is also audited against the profile's result codes
(AG-017). On zhixing's mock server with its admin API the suite works in its own
namespace in virtual time (no waiting) and runs the admin-only checks too (429 / Retry-After, business hours, the
hub's retries); elsewhere those are "not applicable". The checks: :mod:`certify.agency_checks_basic`,
:mod:`certify.agency_checks_measures`, :mod:`certify.agency_checks_transfer`, :mod:`certify.agency_checks_hub`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from certify.agency_checks_basic import (
    check_business_hours,
    check_callbacks,
    check_errors,
    check_idempotency,
    check_rate_limit,
    check_receipts,
)
from certify.agency_checks_hub import check_hub, check_hub_failure
from certify.agency_checks_measures import (
    check_carried_deduction,
    check_deduction_and_release,
    check_freeze_balance,
    check_queue,
    check_renewal_and_terms,
)
from certify.agency_checks_transfer import check_transfer
from certify.agency_run import (
    SUCCESS_CODES,
    Check,
    PinsRefused,
    Run,
    measure_text,
    prepare_zhixing,
    published_operations,
    transfer_agency,
)
from certify.findings import CheckContext, Finding, listed
from certify.fixtures import Fixtures
from certify.receiver import CallbackReceiver
from certify.sut import RECHECK_TIMEOUT, Sut, SutMisbehaved

CHECKS: tuple[tuple[str, tuple[str, ...], Check], ...] = (
    ("receipts", ("AG-001", "AG-018"), check_receipts),
    ("idempotency", ("AG-002", "AG-003"), check_idempotency),
    ("freeze_balance", ("AG-004", "AG-007"), check_freeze_balance),
    ("queue", ("AG-005", "AG-006"), check_queue),
    ("renewal_terms", ("AG-008",), check_renewal_and_terms),
    ("deduction_release", ("AG-009", "AG-010"), check_deduction_and_release),
    ("carried_deduction", ("AG-019",), check_carried_deduction),
    ("transfer", ("AG-020",), check_transfer),
    ("callbacks", ("AG-011",), check_callbacks),
    ("errors", ("AG-013",), check_errors),
    ("rate_limit", ("AG-012",), check_rate_limit),
    ("business_hours", ("AG-014",), check_business_hours),
    ("hub", ("AG-001", "AG-002", "AG-015"), check_hub),
    ("hub_failure", ("AG-016",), check_hub_failure),
)


@dataclass(frozen=True)
class Needs:
    """The measures a check needs the agency to take: ``ways`` are alternatives (a bank's freeze ``01``, a registry's
    seal ``11``), one of them published wholly or the check is not applicable; the check seals where the agency
    publishes 11 and not 01 (:func:`certify.agency_run.seals`), else it freezes.
    ``refused_in_check``: the check itself checks the refusal where the agency takes none (the transfer, AG-020).
    ``at``: the agency asked (by default the one under test; ``None`` from it: the check decides alone)."""

    ways: tuple[tuple[str, ...], ...] = ((),)
    refused_in_check: bool = False
    at: Callable[[Run], str | None] | None = None


MONEY_OR_SEAL = (("00", "01"), ("00", "11"))  # a freeze of money, or a registry's seal of property
NEEDS: dict[str, Needs] = {
    "receipts": Needs((("00",),)),
    "idempotency": Needs(MONEY_OR_SEAL),
    "freeze_balance": Needs(MONEY_OR_SEAL),
    "queue": Needs((("01", "04"), ("11", "14"))),
    "renewal_terms": Needs((("01", "02"), ("11", "12"))),
    "deduction_release": Needs((("01", "04", "06"),)),
    "carried_deduction": Needs((("01", "06"),)),
    # a registry's seal, or the freeze of equity / securities (kit 0.4.2; a part of it too, 0.4.3); the check judges 15
    # itself (refused_in_check)
    "transfer": Needs((("11", "15"), ("01", "04", "15")), refused_in_check=True, at=transfer_agency),
    "callbacks": Needs((("00",),)),
    "errors": Needs(),  # bad requests, refused before any measure (and the unpublished measures' refusal)
    "rate_limit": Needs(),  # refused before any measure
    "business_hours": Needs((("00",),), at=lambda run: run.fixtures.registry),
    "hub": Needs(),  # the hub (--hub): its own checks
    "hub_failure": Needs(),
}
RESULT_CODES_CHECK = ("result_codes", ("AG-017",))
MAX_EXCHANGES = 200  # of one check, kept in the evidence


def _audit_codes(run: Run) -> list[Finding]:
    """AG-017: every successful answer seen carries a result code of the profile's table."""
    ctx = CheckContext(*RESULT_CODES_CHECK)
    bad = [(check, fb) for check, fb in run.feedbacks if fb.get("ok") and fb.get("code") not in SUCCESS_CODES]
    successful = [fb for _, fb in run.feedbacks if fb.get("ok")]
    if not successful:  # nothing to judge (garbage posted as "answers" is not a successful answer)
        ctx.skip("AG-017", f"没有收到成功的业务反馈（共 {len(run.feedbacks)} 份反馈）",
                 f"no successful answers were seen ({len(run.feedbacks)} answers in all)")
    else:
        ctx.expect("AG-017", not bad,
                   f"{len(run.feedbacks)} 份反馈的结果代码均在规范表中" if not bad else
                   f"{len(bad)} 份成功反馈的结果代码不在规范表中："
                   f"{listed(sorted({str(fb.get('code')) for _, fb in bad}))}",
                   f"all {len(run.feedbacks)} answers carry a code of the profile's table" if not bad else
                   f"{len(bad)} successful answers carry a code outside the table: "
                   f"{sorted({str(fb.get('code')) for _, fb in bad})}")
    for f in ctx.findings:
        f.exchanges = [{"check": check, "feedback": fb} for check, fb in (bad or run.feedbacks[:5])]
    return ctx.findings


def run_agency_suite(sut: Sut, fixtures: Fixtures, *, agency: str | None, hub: bool,
                     receiver: CallbackReceiver, only: tuple[str, ...] = (),
                     progress: Callable[[str], None] | None = None) -> list[Finding]:
    """Run every check (or ``only`` those) against ``sut``; the findings, exchanges attached. ``progress`` is told
    each check as it starts (a run against a real system waits in real time: minutes, no line before the end)."""
    run = Run(sut, fixtures, receiver, agency or fixtures.agency, hub, target_account=fixtures.target_account or "",
              resumed_account=fixtures.resumed.target_account if fixtures.resumed else "")
    if sut.admin:
        try:
            prepare_zhixing(run)
        except PinsRefused:  # the fixtures' holdings cannot be set: refused before any check, not 19 failures
            raise
        except Exception as err:  # noqa: BLE001 — its admin API failing: run as against any other system
            sut.admin = False
            sut.identity["admin_api"] = False
            sut.identity["admin_api_error"] = f"{type(err).__name__}: {err}"[:500]
        sut.recorder.take()
    findings: list[Finding] = []
    chosen = [c for c in CHECKS if not only or c[0] in only]
    for i, (name, reqs, check) in enumerate(chosen, 1):
        if progress is not None and not sut.interrupted:  # after Ctrl-C the rest are skipped at once: no lines
            progress(f"[{i}/{len(chosen)}] 检查 / check {name}（{'、'.join(reqs)}）…")
        ctx = CheckContext(name, reqs)
        arrived = len(receiver.arrivals)
        if sut.interrupted:
            for req in reqs:
                ctx.skip(req, "运行被中断（Ctrl-C），未能检查", "the run was interrupted (Ctrl-C): not exercised")
        elif sut.down and not _answers_again(sut):
            for req in reqs:
                ctx.skip(req, f"被测系统已不再应答（{sut.down}），未能检查",
                         f"the system under test stopped answering ({sut.down}): not exercised")
        elif not _published(run, ctx, NEEDS[name]):
            pass  # not applicable: the agency does not publish the measures (the reason said)
        else:
            try:
                _run_check(check, run, ctx)
            except KeyboardInterrupt:  # the user stops a long run: what was found so far is still written
                sut.interrupted = True
                reached = {f.requirement for f in ctx.findings}
                for req in reqs:
                    if req not in reached:
                        ctx.skip(req, "运行被中断（Ctrl-C），未能检查完",
                                 "the run was interrupted (Ctrl-C) in this check")
        _unreached(ctx)
        exchanges = _bounded([e.as_dict() for e in sut.recorder.take()] + _callbacks_since(receiver, arrived))
        for f in ctx.findings:
            f.exchanges = exchanges
        findings.extend(ctx.findings)
    findings.extend(_audit_codes(run))
    return findings


def _published(run: Run, ctx: CheckContext, needs: Needs) -> bool:
    """Does the agency publish the measures of one of the check's ways? If not, every requirement of the check is
    not applicable, the reason naming the measures missing (and that their refusal is checked under AG-013). The hub
    (--hub) and an agency that does not say what it takes are judged as before: the check runs."""
    if run.hub or needs.refused_in_check or needs.ways == ((),):
        return True
    agency = needs.at(run) if needs.at is not None else run.agency
    if agency is None:
        return True
    ops = published_operations(run, agency)
    if ops is None or any(set(way) <= ops for way in needs.ways):
        return True
    missing = [[m for m in way if m not in ops] for way in needs.ways]
    zh = "，或".join("、".join(measure_text(m) for m in way) for way in missing)
    en = ", or ".join(", ".join(measure_text(m, True) for m in way) for way in missing)
    said = "、".join(sorted(ops)) or "无"
    under_test = agency == run.agency  # its refusal of them is checked (errors, AG-013)
    for req in ctx.requirements:
        ctx.not_applicable(req, f"{agency} 公布的措施（{said}）不含 {zh}：此项不适用"
                                + ("（不受理的措施应以 422 拒绝，见 AG-013）" if under_test else ""),
                           f"{agency} publishes no {en} (its measures: {', '.join(sorted(ops)) or 'none'}): not "
                           "applicable" + (" (a measure it does not take is refused 422: see AG-013)"
                                           if under_test else ""))
    return False


def _bounded(exchanges: list[dict[str, object]]) -> list[dict[str, object]]:
    """A check's exchanges as evidence: all of them, or — a system polled for minutes, a flood of callbacks — the
    first and last ``MAX_EXCHANGES // 2`` with a note of how many lie between."""
    if len(exchanges) <= MAX_EXCHANGES:
        return exchanges
    half = MAX_EXCHANGES // 2
    gap = len(exchanges) - 2 * half
    note = {"method": "-", "url": "-", "request": None, "status": None, "response": None,
            "note": f"省略 {gap} 次往来 / {gap} exchanges omitted"}
    return [*exchanges[:half], note, *exchanges[-half:]]


def _run_check(check: Check, run: Run, ctx: CheckContext) -> None:
    """Run one check; whatever the system under test did to break it off (an answer of the wrong shape, a lost
    connection, a time or size limit passed) is a failure of the check's first requirement, with the exchanges as
    evidence, and the requirements it had not reached yet are skipped — never a traceback."""
    try:
        check(run, ctx)
    except Exception as err:  # noqa: BLE001 — a misbehaving system under test is a finding, not a crash
        why = f"{type(err).__name__}: {err}"[:500]
        ctx.findings.append(Finding(ctx.requirements[0], ctx.name, "fail", f"检查中断：{why}",
                                    f"the check broke off: {why}"))
        reached = {f.requirement for f in ctx.findings}
        for req in ctx.requirements:
            if req not in reached:
                ctx.skip(req, "检查中断，未到达此项", "the check broke off before reaching this")


def _unreached(ctx: CheckContext) -> None:
    """A requirement the check declared but ended without judging (it stopped early: what it needed did not come)
    is skipped with that reason — never left to the evidence's "not checked by this suite"."""
    reached = {f.requirement for f in ctx.findings}
    for req in ctx.requirements:
        if req not in reached:
            ctx.skip(req, "检查提前结束（此前的步骤未成功），未到达此项",
                     "the check ended early (an earlier step did not succeed) before reaching this")


def _answers_again(sut: Sut) -> bool:
    """After the system stopped answering: does it answer again (one plain request, no retries)?"""
    try:
        sut.request("GET", "/health", record=False, timeout=RECHECK_TIMEOUT)
    except (httpx.TransportError, SutMisbehaved):
        return False
    sut.down = None
    return True


def _callbacks_since(receiver: CallbackReceiver, start: int) -> list[dict[str, object]]:
    """The callbacks the kit's receiver got during a check (every path, garbage too), as evidence exchanges."""
    with receiver.lock:
        arrivals = receiver.arrivals[start:]
    return [{"method": "CALLBACK", "url": a.path, "request": a.body, "status": a.status, "response": None,
             "note": f"callback received (Idempotency-Key {a.key or '-'})"} for a in arrivals]
