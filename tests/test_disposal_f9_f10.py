"""Review R28 F9 and F10 (H78).

F9: a round listed on the auction platform before the announcement date its node 24 notice planned — the listing is
the announcement in fact (the platform publishes it at once) — has its notice counted from the listing: given later
than 3 days before it (by 24:00 of the third day before), node 24 is missed. Before, the notice counted on time
against the planned date whatever the listing's. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.legal_calendar import to_cst
from core_flow.platform.disposal import Disposal
from tests.test_disposal import Case


def _node24_events(case: Case) -> list:
    return [e for e in case.court.runtime.case_events(case.k) if e.node == 24]


def test_a_round_listed_before_its_planned_announcement_counts_its_notice_from_the_listing() -> None:
    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=10))  # planned 10 days on
    assert case.state.node(24, case.asset).items["main"].done  # on time for the plan
    case.court.run_for(timedelta(days=1))
    listed_at = case.court.clock.now()
    case.d.list(case.k, case.asset)  # published the day after the notice: not 3 days after it
    case.court.run_for(timedelta(hours=2))
    events = _node24_events(case)
    actual = Disposal.notice_instance(case.asset, 2)
    [missed] = [e for e in events if e.kind == EventKind.DEADLINE_MISSED]
    assert missed.instance == actual and to_cst(missed.data["due"]) < to_cst(listed_at)
    [late] = [e for e in events if e.kind == EventKind.ITEM_DONE and e.instance == actual]
    assert late.data["late"] is True  # the parties were told, too late: given, not left open
    [anchor] = [e for e in case.court.runtime.case_events(case.k) if e.kind == EventKind.ANCHOR
                and e.instance == actual and e.data["anchor"] == "announcement_scheduled"]
    assert to_cst(anchor.data["at"]) == to_cst(listed_at)  # counted from the listing
    assert case.lot.notices == 2 and case.lot.announce_at is None
    assert str(case.state.node(24, actual).status) == "done"  # nothing left open for the 终本 gate


def test_a_round_listed_early_but_three_days_after_its_notice_keeps_the_notice_on_time() -> None:
    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=10))
    case.court.run_for(timedelta(days=4))
    case.d.list(case.k, case.asset)  # before the planned date, but 4 days after the notice: in time for it
    case.court.run_for(timedelta(hours=2))
    events = _node24_events(case)
    assert not [e for e in events if e.kind == EventKind.DEADLINE_MISSED
                or (e.kind == EventKind.ITEM_DONE and e.data.get("late"))]
    assert case.lot.notices == 1 and case.state.node(24, Disposal.notice_instance(case.asset, 2)) is None


def test_the_next_round_after_an_early_listing_is_notified_under_its_own_instance() -> None:
    """The early listing's miss takes an instance (``<asset>#2``): the second auction's notice is the next one,
    timed on its own and met."""
    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=10))
    case.court.run_for(timedelta(days=1))
    case.d.list(case.k, case.asset)
    case.until_closed()
    assert case.lot.stage == "unsold1"
    case.d.notify_parties(case.k, case.asset)
    third = case.state.node(24, Disposal.notice_instance(case.asset, 3))
    assert third is not None and third.items["main"].done and not third.items["main"].overdue
    case.court.run_for(timedelta(days=3, hours=1))
    case.d.relist(case.k, case.asset, cut_pct=20)
    case.court.run_for(timedelta(hours=2))
    assert case.lot.notices == 3
    assert not [e for e in _node24_events(case) if e.instance == Disposal.notice_instance(case.asset, 3)
                and e.kind == EventKind.DEADLINE_MISSED]


def test_an_early_listing_is_recorded_and_replays_green() -> None:
    """The recorder (``scenarios.record``) takes node 24 done as the handler's ``notify_parties``; the early
    listing's own late notice (the platform's, ``Disposal._announced``) is not one: recorded so, its replay was
    refused DISPOSAL_STAGE (a notice with the round listed)."""
    import json

    from scenarios.record_check import check_case

    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=10))
    case.court.run_for(timedelta(days=1))
    case.d.list(case.k, case.asset)
    case.until_closed()
    events = [json.loads(json.dumps(e.as_dict(), default=str)) for e in case.court.runtime.case_events(case.k)]
    checked = check_case(events, case.k, "early-listing")
    assert checked.passed, checked.failure
    assert checked.text.count("notify_parties") == 1
