"""CT-006's finding on a lost answer whose content came again under a new number (certify/court_suite.py
``_judge_lost``): it says what the agency did with that copy — acted twice when it took it, and not when every attempt
of the copy failed (an injected 503, never sent again: kit 0.6.5; before, "the agency acted twice" of a copy the agency
never took — review of kit case 7, the reference court's ``seal_sent_twice`` defect)."""

from __future__ import annotations

from certify.court_suite import _judge_lost
from certify.findings import CheckContext


def _attempt(no: str, status: int, at: str, ticket: str | None = None) -> dict:
    return {"namespace": "ns", "agency": "real_estate_registry", "at": at, "status": status, "ticket_id": ticket,
            "request": {"measure": "11", "request_no": no, "case_no": "(2026)豫0811执907号"},
            "response": {"ticket_id": ticket} if ticket else {"error": {"code": "unavailable"}}}


def _finding(copy_status: int) -> tuple[str, str, str]:
    ctx = CheckContext("lost", ("CT-006",))
    first = _attempt("S-1", 504, "2026-03-02T09:00:00+08:00", "T-1")
    copy = _attempt("S-1D", copy_status, "2026-03-02T09:00:05+08:00", "T-2" if copy_status < 300 else None)
    _judge_lost(ctx, "S-1", [first], {"S-1D"}, 0, [], {"ns": "2026-03-09T09:00:00+08:00"}, other_attempts=[copy])
    (f,) = ctx.findings
    return f.status, f.zh, f.en


def test_a_copy_the_agency_took_is_said_as_a_second_act() -> None:
    status, zh, en = _finding(200)
    assert status == "fail"
    assert "机构再办理一次（重复查封）" in zh and "the agency acted twice (a double seal)" in en


def test_a_copy_the_agency_never_took_is_not_said_as_a_second_act_but_still_fails() -> None:
    status, zh, en = _finding(503)
    assert status == "fail"  # the new number is the defect, whatever became of it
    assert "再办理一次" not in zh and "acted twice" not in en
    assert "新编号的请求未获机构办理（HTTP 503），若获办理即为重复查封" in zh
    assert "the agency did not carry out the new number's request (HTTP 503); had it, that was a double seal" in en
