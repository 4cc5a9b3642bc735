"""H45 (review R18, proposal 4): on a CLOSED case, the withdrawal of a round (``Disposal._withdraw_if_out``, H36) and
the lookups of what a platform holds (``Disposal._learn``, H39) were given up for good once the gateway's retries and
the retry rounds were spent (a platform down ~21 h: ``platform_refused``, gave_up) — and the round then stayed
announced, and could sell when its bidding opened, property whose seal the closing released. No handler asks them
again (the case is closed), so they are owed now (``_call`` ``owed``): asked again at every daily look until
answered, or until the round's bidding begins (``until``) — it then runs to its end (拍卖变卖规定 第二十条: withdrawn
only before the auction begins), told as given up (``bidding_begun``), and nothing more is asked.

Every test but the guards marked so fails on f552c00. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from tests.test_disposal import Case
from tests.test_disposal_closed import _case, _close, _sealed
from tests.test_disposal_retry import NO_FAULTS, _faults
from tests.test_disposal_withdraw_gaps import (
    DOWN,
    LOST,
    NONE,
    _first_listed_under,
    _gave_up,
    _no_buyer,
    _withdrawn_anchors,
)


def _exchanges(case: Case, measure: str) -> list[str]:
    return [e.data["kind"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("measure") == measure]


def test_a_withdrawal_given_up_at_the_closing_is_asked_again_daily_and_the_round_withdrawn_before_its_bidding() -> None:
    case = _case().fixed().listed()
    starts = case.listing().starts_at
    assert case.lot.stage == "listed" and starts - case.d.now > timedelta(days=10)
    _faults(case, "taobao", DOWN)
    _close(case, "执行完毕")
    case.court.run_for(timedelta(days=2))  # the gateway's retries and the 3 rounds (1 h, 4 h, 16 h) spent
    [told] = _gave_up(case, "auction:withdrawn")
    assert told["reason"] != "bidding_begun" and str(case.listing().status) == "announced"
    _faults(case, "taobao", NO_FAULTS)
    case.court.run_for(timedelta(days=4))  # back up days later: the next daily look withdraws it
    assert case.d.now < starts
    assert str(case.listing().status) == "withdrawn"  # f552c00: still announced, its bidding to open on the closed case
    assert case.lot.stage == "withdrawn" and _withdrawn_anchors(case) == [case.lot.listing_id]
    assert len(_gave_up(case, "auction:withdrawn")) == 1  # told once, not at every daily try
    assert len(case.court.session.auction.listings()) == 1  # nothing made on the platform
    _no_buyer(case, case.lot.listing_id)


def test_a_withdrawal_still_unanswered_when_the_bidding_begins_stops_there_and_the_round_runs() -> None:
    """The platform down from the closing until past the round's start: the daily tries stop at the start, told
    (``bidding_begun``) — no endless loop; the round runs to its end, as one begun before the closing does."""
    case = _case().fixed().listed()
    starts = case.listing().starts_at
    _faults(case, "taobao", DOWN)
    _close(case, "执行完毕")
    case.court.run_until(starts + timedelta(days=1))
    sent = len(_exchanges(case, "auction:withdrawn"))
    assert [t["reason"] for t in _gave_up(case, "auction:withdrawn")][-1] == "bidding_begun"  # f552c00: never told
    assert sent > 4  # (f552c00 gave up after the rounds: it asked once a round)
    _faults(case, "taobao", NO_FAULTS)
    case.court.run_for(timedelta(days=5))
    assert len(_exchanges(case, "auction:withdrawn")) == sent  # nothing asked after the start
    assert case.lot.stage != "withdrawn" and str(case.listing().status) != "withdrawn"


def test_a_round_lookup_given_up_at_the_closing_is_asked_again_and_the_round_withdrawn() -> None:
    """The first auction given up for good before the closing, every answer lost (the platform holds the round);
    the platform down at the closing, so its lookup (``auction:lookup``) was given up too — and the round stayed
    announced. Back up days later: the daily lookup finds it, and it is withdrawn before its bidding begins."""
    case = _first_listed_under(LOST)
    assert case.lot.pending is None and case.lot.stage == "fixed" and _gave_up(case, "auction:first")
    auction = case.court.session.auction
    [held] = list(auction._listings)
    starts = auction.get(held).starts_at
    _faults(case, "taobao", DOWN)
    _close(case, "终结")
    case.court.run_for(timedelta(days=2))
    assert _gave_up(case, "auction:lookup") and str(auction.get(held).status) == "announced"
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=3))
    assert case.d.now < starts
    assert str(auction.get(held).status) == "withdrawn"  # f552c00: still announced
    assert case.lot.stage == "withdrawn" and _withdrawn_anchors(case) == [held]
    assert len(auction.listings()) == 1  # looked up, not made again
    _no_buyer(case, held)


def test_a_pricing_lookup_given_up_at_the_closing_is_asked_again_and_the_request_withdrawn() -> None:
    """A pricing request the platform took, every answer lost, given up for good; at the closing the pricing
    platform is down, so its lookup (``pricing:lookup``) was given up — the request stayed pending, its report to be
    made for nothing. Back up days later: looked up again, withdrawn; nothing commissioned."""
    case = _sealed(_case())
    _faults(case, "pricing_platform", LOST)
    case.d.price(case.k, case.asset, "appraisal")
    case.court.run_for(timedelta(days=2))
    assert case.lot.pending is None and _gave_up(case, "appraisal")
    pricing = case.court.session.pricing
    [held] = list(pricing._requests)
    _faults(case, "pricing_platform", DOWN)
    assert case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室")).accepted
    case.court.run_for(timedelta(days=2))
    assert _gave_up(case, "pricing:lookup") and str(pricing.get(held).status) in ("pending", "extended")
    _faults(case, "pricing_platform", NONE)
    case.court.run_for(timedelta(days=3))
    assert str(pricing.get(held).status) == "withdrawn"  # f552c00: pending, its report to come
    assert list(pricing._requests) == [held] and case.lot.stage == "sealed"
    assert len(_gave_up(case, "pricing:lookup")) == 1


def test_an_open_cases_withdrawal_by_hand_is_not_owed() -> None:
    """Guard (passes on f552c00 too): the court's own withdrawal on an open case, given up, is told and left to the
    handler (who may ask again) — not asked daily."""
    case = _case().fixed().listed()
    _faults(case, "taobao", DOWN)
    case.d.withdraw_listing(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    assert _gave_up(case, "auction:withdrawn")
    sent = len(_exchanges(case, "auction:withdrawn"))
    _faults(case, "taobao", NO_FAULTS)
    case.court.run_for(timedelta(days=3))
    assert len(_exchanges(case, "auction:withdrawn")) == sent and str(case.listing().status) == "announced"
