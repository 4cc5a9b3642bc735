"""H53 (review R18; the stop date H45 gave the rounds): a closed case's owed pricing lookup and the withdrawal it leads
to (H45: asked again daily once the gateway's retries and the rounds are spent) had no end when the platform never
answered. They stop once the request's longest legal term ended (网络询价 3 days + 3, 委托评估 30 days + 2 × 15: LAW.md
"Reference price"; by then the platform has given its result and nothing is left to withdraw), told (``pricing_due``,
bilingual).

The first two tests fail on 6e8a720 (the base); the third (review R25: a stop date the calendar cannot count) on
4e436ed. Virtual time only."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import LegalCalendar
from core_flow.legal_calendar.holidays import HolidayCalendar
from core_flow.platform.disposal import PortFault
from tests.test_disposal import Case
from tests.test_disposal_closed import _case, _sealed
from tests.test_disposal_retry import _faults
from tests.test_disposal_withdraw_gaps import DOWN, LOST, NONE, _gave_up


# ── a closed case's owed pricing lookup and withdrawal stop at the request's longest legal term ──────────────
def _exchanges(case: Case, measure: str) -> int:
    return sum(1 for e in case.court.runtime.case_events(case.k)
               if e.kind == EventKind.EXCHANGE and e.data.get("measure") == measure and e.data["kind"] == "sent")


def _closed_with_an_appraisal_lost(case: Case) -> datetime:
    _faults(case, "pricing_platform", LOST)
    case.d.price(case.k, case.asset, "appraisal")
    case.court.run_for(timedelta(days=2))
    assert case.lot.pending is None and _gave_up(case, "appraisal")
    return case.d.now


def test_a_pricing_lookup_the_platform_never_answers_stops_at_the_requests_longest_legal_term() -> None:
    """The platform down from the closing on: the owed lookup is asked daily until the request's longest legal term
    (委托评估: 30 days + two 15-day extensions, counted from the lookup) ends, then told (``pricing_due``, zh and en)
    and asked no more — 6e8a720 asked it daily for ever."""
    case = _sealed(_case())
    _closed_with_an_appraisal_lost(case)
    _faults(case, "pricing_platform", DOWN)
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    closed = case.d.now
    case.court.run_for(timedelta(days=50))
    assert len(_gave_up(case, "pricing:lookup")) == 1  # told once, still asked daily (H45)
    case.court.run_for(timedelta(days=25))  # 75 days: past 30 + 15 + 15 (and any rest-day rollover)
    told = _gave_up(case, "pricing:lookup")
    assert [t.get("reason") for t in told][-1] == "pricing_due"  # 6e8a720: never told, asked for ever
    assert "法定最长期限" in told[-1]["zh"] and "longest legal term" in told[-1]["en"]
    due = case.d._pricing_due("appraisal", closed)
    assert timedelta(days=60) <= due - closed <= timedelta(days=66)
    sent = _exchanges(case, "pricing:lookup")
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(days=10))
    assert _exchanges(case, "pricing:lookup") == sent  # nothing asked after it


def test_a_withdrawal_the_platform_never_answers_stops_at_the_requests_longest_legal_term() -> None:
    """The lookup answered (the platform holds the request pending), its withdrawal never: asked daily until the
    request's longest legal term from the platform's acceptance ends, then told (``pricing_due``) — 6e8a720 asked
    it for ever."""
    case = _sealed(_case())
    _closed_with_an_appraisal_lost(case)
    [held] = list(case.court.session.pricing._requests)
    taken = case.court.session.pricing.get(held).requested_at
    _faults(case, "pricing_platform", NONE)
    port = case.d.port

    class NoWithdrawal:  # the platform answers reads, and faults on every withdrawal
        def __getattr__(self, name: str) -> Any:
            return getattr(port, name)

        def withdraw_pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
            raise PortFault("withdrawal: HTTP 503")

    case.d.port = NoWithdrawal()
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    case.court.run_for(timedelta(days=75))
    told = _gave_up(case, "pricing:withdrawn")
    assert [t.get("reason") for t in told][-1] == "pricing_due"  # 6e8a720: never told, asked for ever
    due = case.d._pricing_due("appraisal", taken)
    sent = _exchanges(case, "pricing:withdrawn")
    assert case.d.now > due and sent > 20  # daily until then
    case.court.run_for(timedelta(days=10))
    assert _exchanges(case, "pricing:withdrawn") == sent


def test_a_term_the_calendar_cannot_count_leaves_the_lookup_asked_until_answered(tmp_path: Path) -> None:
    """Review R25: a strict calendar (``--strict-calendar``: no provisional years) whose data ends before the request's
    longest term does — a closing in the last ~66 days of the data (the package holds 2004–2026: a strict court
    closing from mid-November 2026) — cannot count the stop date. H53 raised ``CalendarRangeError`` in the closing's
    reaction: the simulation stopped, a live court's lookup was dropped (``lot.unanswered`` cleared before the raise).
    Now there is no stop: the owed lookup is asked daily until answered, as before H53. The engine's calendar is
    replaced after the closing by a strict one holding 2020 only (the case's year past its data)."""
    case = _sealed(_case())
    _closed_with_an_appraisal_lost(case)
    _faults(case, "pricing_platform", DOWN)
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    year = tmp_path / "holidays.yaml"
    year.write_text("years:\n  2020:\n    source: test\n    holidays: []\n", encoding="utf-8")
    case.p.runtime.engine.calendar = LegalCalendar(HolidayCalendar(
        [year], strict=True, include_package=False, include_default_extension=False, use_env=False))
    case.court.run_for(timedelta(days=5))  # H53: CalendarRangeError out of the closing's reaction
    assert _exchanges(case, "pricing:lookup") >= 3  # asked, and again daily (owed)
    assert "pricing_due" not in [t.get("reason") for t in _gave_up(case, "pricing:lookup")]
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(days=2))
    assert any(e.kind == EventKind.EXCHANGE and e.data.get("measure") == "pricing:lookup"
               and e.data["kind"] == "answer" for e in case.court.runtime.case_events(case.k))
