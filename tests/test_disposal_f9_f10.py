"""Review R28 F9 and F10 (H78).

F9: a round listed on the auction platform before the announcement date its node 24 notice planned — the listing is
the announcement in fact (the platform publishes it at once) — has its notice counted from the listing: given later
than 3 days before it (by 24:00 of the third day before), node 24 is missed. Before, the notice counted on time
against the planned date whatever the listing's.

F10: a round bidding at the 终本 (a court whose process lets 终本 pass property being disposed of) whose buyer
defaults after the case was resumed: the lot follows its seal into the 恢复执行 case (``_follow_resumed``), and the
forfeited deposit follows the lot — 网络司法拍卖规定 第二十四条 uses it for the re-auction's shortfall below the
defaulted price, then the debt, and both are where the lot is sold now. Before, it was remitted to the closed 终本
case at once, and the resumed case's sale reckoned no shortfall. Virtual time only."""

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


def _defaulted_after_resumption() -> tuple[Case, str, object, object]:
    """The flat's first auction bidding at the 终本, won by B1, who never pays; the case resumed meanwhile: the
    default comes in the 终本 case after the resumption — (case, the 恢复执行 case, its lot, the round's view)."""
    from core_flow.engine import commands as c
    from tests.test_disposal_closed import _close
    from tests.test_disposal_closed_review import _without_disposal_gate, ready_for_zhongben

    case = Case(process=_without_disposal_gate())
    ready_for_zhongben(case)
    case.fixed().listed()
    view = case.listing()
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now, pays_balance=False)
    auction.place_bid(view.listing_id, bidder_id="B1", amount_cents=view.starting_price_cents, now=now)
    _close(case, "终本")
    assert case.state.closed_manner == "zhongben" and case.lot.stage == "listed"
    assert case.p.submit(c.RequestResumption(case.k, "恢复执行")).accepted
    assert case.p.submit(c.ApproveResumption(case.k, "执行局长")).accepted
    case.court.run_for(timedelta(hours=3))
    [new] = [k for k in case.court.runtime.cases if k != case.k]
    case.until_closed()
    case.court.run_for(timedelta(days=6))  # past the balance's due date
    assert case.lot.stage == "moved"  # the default: the lot followed its seal
    return case, new, case.d.lots[(new, case.asset)], view


def _deposits(case: Case, k: str) -> list:
    return [e for e in case.court.runtime.case_events(k)
            if e.kind == EventKind.PROCEEDS_ARRIVED and e.data["source"] == "deposit_forfeited"]


def test_a_deposit_forfeited_after_the_resumption_follows_the_lot_into_the_resumed_case() -> None:
    from tests.test_disposal_closed_review import listed_anew

    case, new, lot, view = _defaulted_after_resumption()
    assert not _deposits(case, case.k)  # not the closed 终本 case's
    assert lot.forfeits == {view.listing_id: (view.starting_price_cents, view.deposit_cents)}
    assert not case.lot.forfeits
    told = []
    case.p.listeners.append(lambda kind, data: told.append(data) if kind == "deposit_arrived" else None)
    listed_anew(case, new, lot)
    again = case.court.session.auction.get(lot.listing_id)
    case.court.run_until(again.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(again.listing_id, bidder_id="B2", amount_cents=again.deposit_cents, now=now)
    auction.place_bid(again.listing_id, bidder_id="B2", amount_cents=again.starting_price_cents, now=now)
    case.court.run_until(again.ends_at + timedelta(days=6))
    assert lot.stage == "paid"
    [deposit] = _deposits(case, new)  # the resumed case's, with its sale
    assert deposit.data["amount_cents"] == view.deposit_cents and not _deposits(case, case.k)
    [note] = told
    assert note["case_id"] == new and note["why"] == "resold"
    assert note["shortfall_cents"] == min(view.deposit_cents,
                                          max(0, view.starting_price_cents - again.starting_price_cents))



def test_a_notice_planned_less_than_three_days_ahead_is_late() -> None:
    """The same miss without an early listing: the notice names an announcement a day away. The engine armed the
    deadline (already past) and had it completed in the same instant, before its expiry could fire: recorded on time.
    Now it is given late, and the round listed at the planned date keeps that notice (no second instance)."""
    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=1))
    case.court.run_for(timedelta(hours=1))
    item = case.state.node(24, case.asset).items["main"]
    assert item.done and item.overdue
    [done] = [e for e in _node24_events(case) if e.kind == EventKind.ITEM_DONE]
    assert done.data["late"] is True
    case.court.run_for(timedelta(days=1))
    case.d.list(case.k, case.asset)
    assert case.lot.notices == 1 and case.state.node(24, Disposal.notice_instance(case.asset, 2)) is None


def test_a_short_notice_is_recorded_at_the_instant_it_was_given_and_replays_green() -> None:
    """The recorder takes node 24 done as the handler's ``notify_parties``: a late notice, done a second after it
    was given, is recorded at the instant given (its anchor's), as the handler acted."""
    import json

    from scenarios.record_check import check_case

    case = Case().fixed()
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=1))
    case.court.run_for(timedelta(days=1, hours=1))
    case.d.list(case.k, case.asset)
    case.until_closed()
    events = [json.loads(json.dumps(e.as_dict(), default=str)) for e in case.court.runtime.case_events(case.k)]
    checked = check_case(events, case.k, "short-notice")
    assert checked.passed, checked.failure
    assert f"- at: {now:%Y-%m-%d %H:%M}\n  notify_parties:" in checked.text  # not a second on, when it was done


def test_a_short_notice_listed_before_its_planned_instant_is_missed_once() -> None:
    """Review R30: a notice planned a day ahead (late for its own plan) with the round listed before that planned
    instant — at once, or hours later — counted the round's notice missed twice (the plan's instance and the
    listing's ``<asset>#2``). One notice, one announcement: one miss."""
    for wait in (timedelta(0), timedelta(hours=12)):
        case = Case().fixed()
        now = case.court.clock.now()
        case.d.notify_parties(case.k, case.asset, announce_at=now + timedelta(days=1))
        case.court.run_for(wait)
        case.d.list(case.k, case.asset)
        case.court.run_for(timedelta(hours=2))
        missed = [e.instance for e in _node24_events(case) if e.kind == EventKind.DEADLINE_MISSED]
        assert missed == [case.asset], (wait, missed)
        assert case.lot.notices == 1 and str(case.state.node(24, case.asset).status) == "done"
