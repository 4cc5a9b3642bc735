"""The release gate's rounds are ordered by instant, not by arrival (review R20 F2). ``CaseState.rounds`` kept only the
round anchor recorded last, so a ``Record`` back-dated through the driver opened or closed ROUND_IN_BIDDING wrongly:
a 流拍 entered after the next round was listed ended that round too (a closing taken during its bidding, the seal
lifted under the buyer), and a start entered after its round's 流拍 began the round again (a closing refused with no
round running). The rule (gate.rounds_in_bidding): a start is listed when recorded (or at its start, if that came
first); an end ends the latest start listed at or before its ``at`` — not "the latest ``at`` wins", which a round
withdrawn before it began would break (its end before its start). Through the engine, each ``Record`` with an explicit
``at``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import commands as c
from tests.test_completion_gate import FLAT, close, file, in_bidding, listed, unmet


@pytest.fixture
def rt(make_runtime):
    from tests.test_completion_gate import FILED

    runtime = make_runtime(FILED)
    file(runtime)
    return runtime


def ok(rt, *cmds):
    for cmd in cmds:
        out = rt.submit(cmd)
        assert out.accepted, (cmd, out.refusal)


def days(rt, n: float) -> None:
    rt.clock.run_until(rt.clock.now() + timedelta(days=n))


def list_lot(rt):
    """Listed (tests.test_completion_gate.listed): the first auction's bidding 40 days after the listing; its start."""
    start = rt.clock.now() + timedelta(days=40)
    listed(rt)
    return start


def second_listed(rt, *, reauction: bool = False) -> c.Record:
    """The second auction of the flat listed now, its bidding 20 days on (a re-auction of it: ``reauction``)."""
    attrs = {"asset_kind": "real_estate", "reauction": True} if reauction else {"asset_kind": "real_estate"}
    return c.Record("K", "second_auction_scheduled", FLAT, at=rt.clock.now() + timedelta(days=20), attrs=attrs)


def test_a_fluepai_entered_after_the_next_round_was_listed_does_not_end_that_round(rt):
    """The first auction began and failed; the driver listed the second auction before entering the 流拍, then entered
    it with its own instant (the bidding's end, before the second round was listed). The 流拍 ends the first round, not
    the second: once the second auction's bidding begins, a closing waits (before: taken, the last anchor an end)."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    in_bidding(close(rt))
    days(rt, 2)  # the second auction listed, its bidding in 20 days; the 流拍 entered after it, back-dated
    ok(rt, second_listed(rt),
       c.Record("K", "first_unsold", FLAT, at=start1 + timedelta(days=1)))
    assert unmet(rt) == []  # the second round listed, not begun: a closing would withdraw it
    days(rt, 21)
    text = in_bidding(close(rt))
    assert "二拍竞价" in text and "the second auction's bidding" in text
    assert rt.cases["K"].closed_manner is None and rt.cases["K"].assets[FLAT].active


def test_a_start_entered_after_its_rounds_fluepai_does_not_begin_the_round_again(rt):
    """The 流拍 was recorded when the bidding failed; the round's listing entered afterwards (a correction, or a start
    the driver entered late) with its own start, before the 流拍: the round is over, a closing is taken (before:
    refused ROUND_IN_BIDDING, the last anchor a start that had come)."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    ok(rt, c.Record("K", "first_unsold", FLAT))
    days(rt, 3)
    ok(rt, c.Record("K", "auction_scheduled", FLAT, at=start1, attrs={"asset_kind": "real_estate"}))
    assert unmet(rt) == []
    assert close(rt).accepted


def test_an_earlier_rounds_start_entered_late_does_not_displace_the_round_listed_after_it(rt):
    """The second auction listed (its bidding in 20 days), then the first auction's start entered late, back-dated: the
    round that counts is the one listed last, not begun — nothing holds the closing (before: refused, the first
    auction's start the last anchor and come)."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=2))
    ok(rt, c.Record("K", "first_unsold", FLAT),
       second_listed(rt))
    days(rt, 1)
    ok(rt, c.Record("K", "auction_scheduled", FLAT, at=start1, attrs={"asset_kind": "real_estate"}))
    assert unmet(rt) == []
    assert close(rt).accepted


def test_a_round_withdrawn_before_it_began_stays_ended_though_its_end_is_before_its_start(rt):
    """Not "the latest ``at`` wins": the withdrawal (entered late, with its instant ten days after the listing) comes
    before the round's start, and ends it — the start's instant passed, nothing holds the closing."""
    listed_at = rt.clock.now()
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=5))
    ok(rt, c.Record("K", "listing_withdrawn", FLAT, at=listed_at + timedelta(days=10)))
    assert unmet(rt) == []
    assert close(rt).accepted


def test_a_fluepai_and_the_next_listing_at_one_instant_are_ordered_by_arrival(rt):
    """The 流拍 polled at the bidding's end and the second auction listed at that same instant: the 流拍, recorded
    first, ends the first round only."""
    rt.clock.run_until(list_lot(rt) + timedelta(days=1))
    now = rt.clock.now()
    ok(rt, c.Record("K", "first_unsold", FLAT, at=now),
       c.Record("K", "second_auction_scheduled", FLAT, at=now + timedelta(days=20),
                attrs={"asset_kind": "real_estate"}))
    assert unmet(rt) == []
    days(rt, 20)
    in_bidding(close(rt))
    ok(rt, c.Record("K", "second_unsold", FLAT, at=rt.clock.now()))
    assert unmet(rt) == []


def test_a_round_paid_for_stays_ended_when_an_earlier_end_is_entered_after(rt):
    """Ends entered out of order: the price paid (the round's end), then the 流拍 of nothing — an earlier instant — does
    not reopen the round."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=8))
    ok(rt, c.Record("K", "sale_paid", FLAT, attrs={"price_cents": 600_000_00}))
    ok(rt, c.Record("K", "listing_withdrawn", FLAT, at=start1 - timedelta(days=1)))
    assert "ROUND_IN_BIDDING" not in unmet(rt)


@pytest.mark.parametrize("ahead", [timedelta(minutes=5), timedelta(days=3)])
def test_an_end_dated_after_its_recording_does_not_end_a_round_listed_after_it(rt, ahead):
    """An end whose ``at`` is after the engine's ``now`` (the platform's clock ahead of the engine's — its
    ``closed_at`` a few minutes on — or an instant entered wrongly): it ends the round listed before it, and no round
    listed after it was recorded. Before (12649da), its ``at`` ordered it after the second auction's listing: that
    round taken as over, a closing accepted during its bidding (R21; before 12649da the last anchor recorded — the
    second auction's start — held it, as now)."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    ok(rt, c.Record("K", "first_unsold", FLAT, at=rt.clock.now() + ahead))
    assert unmet(rt) == []  # the first round is over
    rt.clock.run_until(rt.clock.now() + timedelta(minutes=1))  # relisted at once, the 流拍's instant still ahead
    ok(rt, second_listed(rt))
    assert unmet(rt) == []  # listed, not begun
    days(rt, 21)
    text = in_bidding(close(rt))
    assert "二拍竞价" in text and "the second auction's bidding" in text
    assert rt.cases["K"].closed_manner is None


@pytest.mark.parametrize("default_entered_late", [False, True])
def test_a_re_auction_after_a_buyers_default_holds_once_its_bidding_begins(rt, default_entered_late):
    """悔拍 (H49's buyer_defaulted, its ``at`` the balance's due date): the round won ends at the default, the
    re-auction (the round's start recorded again) holds a closing once its bidding begins — also when the default is
    entered only after the re-auction was listed (its instant, the due date, before that listing)."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))  # won at the hammer, the balance due in 5 days
    in_bidding(close(rt))
    due = rt.clock.now() + timedelta(days=5)
    rt.clock.run_until(due + timedelta(days=1))
    default = c.Record("K", "buyer_defaulted", FLAT, at=due)
    relisted = c.Record("K", "auction_scheduled", FLAT, at=rt.clock.now() + timedelta(days=30),
                        attrs={"asset_kind": "real_estate", "reauction": True})
    ok(rt, *((relisted, default) if default_entered_late else (default, relisted)))
    assert unmet(rt) == []  # the re-auction listed, not begun
    days(rt, 31)
    assert "一拍竞价" in in_bidding(close(rt))
    ok(rt, c.Record("K", "first_unsold", FLAT))
    assert unmet(rt) == []


# ── an end ends only the rounds it belongs to (review R21 F2) ──────────────────────────────────────────────────────
def test_an_undated_fluepai_entered_after_the_relisting_does_not_end_the_second_auctions_round(rt):
    """The court relisted (the second auction recorded), and a minute later the first auction's 流拍 is entered
    through the driver without its instant (``at`` now). By instants it would end the round listed before it — the
    second auction's (as a withdrawal recorded then would): a closing was accepted during the second auction's bidding
    (R21 F2). ``round_ends`` names the starts each end ends: first_unsold ends the first auction's round only."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    in_bidding(close(rt))
    days(rt, 2)
    ok(rt, second_listed(rt))
    rt.clock.run_until(rt.clock.now() + timedelta(minutes=1))
    ok(rt, c.Record("K", "first_unsold", FLAT))  # undated: at = now, after the second auction's listing
    assert unmet(rt) == []  # the second round listed, not begun
    days(rt, 21)
    text = in_bidding(close(rt))
    assert "二拍竞价" in text and "the second auction's bidding" in text
    assert rt.cases["K"].closed_manner is None and rt.cases["K"].assets[FLAT].active
    ok(rt, c.Record("K", "second_unsold", FLAT))  # its own 流拍 ends it
    assert unmet(rt) == []


def test_an_undated_second_fluepai_entered_after_the_sale_period_was_listed_does_not_end_the_sale_period(rt):
    """Likewise a 二拍流拍 entered undated after the 变卖 was listed: the 变卖 period holds a closing once it begins (a
    second_unsold ends the second auction's round, not the 变卖's); node 28 done ends it."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    ok(rt, c.Record("K", "first_unsold", FLAT),
       second_listed(rt),
       c.CompleteNode("K", 26, FLAT))
    days(rt, 21)
    in_bidding(close(rt))
    ok(rt, c.Record("K", "creditor_refused", FLAT),
       c.Record("K", "sale_period_scheduled", FLAT, at=rt.clock.now() + timedelta(days=16),
                attrs={"asset_kind": "real_estate"}))
    rt.clock.run_until(rt.clock.now() + timedelta(minutes=1))
    ok(rt, c.Record("K", "second_unsold", FLAT))  # undated, after the 变卖's listing
    assert unmet(rt) == []
    days(rt, 17)
    text = in_bidding(close(rt))
    assert "变卖期" in text and "the 变卖 sale period" in text
    ok(rt, c.CompleteNode("K", 28, FLAT))
    assert unmet(rt) == []


def test_a_re_auctioned_second_round_ends_at_its_own_fluepai_not_at_a_stale_first_one(rt):
    """H49's re-auction of the second auction after a buyer's default (second_auction_scheduled recorded again at the
    new start): a 一拍流拍 entered undated after it does not end it; the re-auction's own 流拍 (second_unsold) does."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    ok(rt, c.Record("K", "first_unsold", FLAT),
       second_listed(rt))
    days(rt, 21)  # won at the hammer, the balance due in 5 days
    due = rt.clock.now() + timedelta(days=5)
    rt.clock.run_until(due + timedelta(days=1))
    ok(rt, c.Record("K", "buyer_defaulted", FLAT, at=due))
    assert unmet(rt) == []
    ok(rt, second_listed(rt, reauction=True))
    rt.clock.run_until(rt.clock.now() + timedelta(minutes=1))
    ok(rt, c.Record("K", "first_unsold", FLAT))  # stale, undated
    days(rt, 21)
    assert "二拍竞价" in in_bidding(close(rt))
    ok(rt, c.Record("K", "second_unsold", FLAT))
    assert unmet(rt) == []


def test_a_withdrawal_or_a_default_still_ends_any_round(rt):
    """``any``: a withdrawal ends the second auction's round (before it began) as it ends the first's."""
    start1 = list_lot(rt)
    rt.clock.run_until(start1 + timedelta(days=1))
    ok(rt, c.Record("K", "first_unsold", FLAT),
       second_listed(rt))
    days(rt, 3)
    ok(rt, c.Record("K", "listing_withdrawn", FLAT))
    days(rt, 20)
    assert unmet(rt) == []
    assert close(rt).accepted


# ── a start sent twice is the same round (review R21 F3) ──────────────────────────────────────────────────────────
def test_a_start_sent_again_after_its_withdrawal_is_the_same_round_withdrawn(rt):
    """The round withdrawn before it began; the driver then sends its listing again (the same anchor, the same start —
    a retry): the same round, not a relisting — its start passes, nothing holds the closing (before: taken as listed
    anew after the withdrawal, refused ROUND_IN_BIDDING once its start passed)."""
    start1 = list_lot(rt)
    days(rt, 10)
    ok(rt, c.Record("K", "listing_withdrawn", FLAT))
    days(rt, 1)
    ok(rt, c.Record("K", "auction_scheduled", FLAT, at=start1, attrs={"asset_kind": "real_estate"}))
    rt.clock.run_until(start1 + timedelta(days=1))
    assert unmet(rt) == []
    assert close(rt).accepted


def test_a_relisting_after_a_withdrawal_with_a_start_of_its_own_holds_once_it_begins(rt):
    """Guard: a relisting has its own start — it is a round, and holds a closing once its bidding begins."""
    start1 = list_lot(rt)
    days(rt, 10)
    ok(rt, c.Record("K", "listing_withdrawn", FLAT))
    days(rt, 1)
    ok(rt, c.Record("K", "auction_scheduled", FLAT, at=start1 + timedelta(days=5), attrs={"asset_kind": "real_estate"}))
    rt.clock.run_until(start1 + timedelta(days=1))
    assert unmet(rt) == []  # its start not come
    rt.clock.run_until(start1 + timedelta(days=6))
    assert "一拍竞价" in in_bidding(close(rt))


def test_a_start_sent_twice_while_listed_holds_once_it_begins(rt):
    """Guard: the listing sent twice before its start, nothing withdrawn — one round, held once it begins, ended by its
    流拍."""
    start1 = list_lot(rt)
    days(rt, 2)
    ok(rt, c.Record("K", "auction_scheduled", FLAT, at=start1, attrs={"asset_kind": "real_estate"}))
    rt.clock.run_until(start1 + timedelta(hours=1))
    in_bidding(close(rt))
    ok(rt, c.Record("K", "first_unsold", FLAT))
    assert close(rt).accepted
