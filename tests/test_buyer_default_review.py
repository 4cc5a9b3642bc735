"""悔拍 learnt late (review R23 of H49): the court never learnt the sale — the auction platform unreachable, or every
answer of it lost, from the hammer past the balance's due date — and its first read finds the listing ``defaulted``.
The lot, still in its round (``listed``), takes the default (``buyer_defaulted`` recorded, the lot ``defaulted``, a
re-auction possible); before, the read was dropped as a repeat (``_defaulted`` took only a lot ``sold``): the lot
stayed ``listed`` in a round the platform had ended, the case held ROUND_IN_BIDDING for good. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import commands as c
from tests.test_disposal_closed import _case
from tests.test_disposal_retry import _faults
from tests.test_disposal_withdraw_gaps import DOWN, LOST, NONE


@pytest.mark.parametrize("faults", [DOWN, LOST], ids=["unreachable", "answers_lost"])
def test_a_default_first_read_after_its_due_date_ends_the_round_and_the_lot_is_re_auctioned(faults) -> None:
    case = _case().fixed().listed()
    view = case.listing()
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now,
                        pays_balance=False)
    auction.place_bid(view.listing_id, bidder_id="B1", amount_cents=view.starting_price_cents, now=now)
    _faults(case, "taobao", faults)
    case.court.run_until(view.ends_at + timedelta(days=7))  # won, and defaulted 5 days later: the court never knew
    assert str(auction.get(view.listing_id).status) == "defaulted" and case.lot.stage == "listed"
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=3))
    assert case.lot.stage == "defaulted" and case.lot.receipt is None
    assert case.anchors().count("buyer_defaulted") == 1 and "sale_paid" not in case.anchors()
    out = case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室"))  # the round ended: not held
    assert out.accepted, out.refusal


def test_a_default_learnt_late_is_re_auctioned() -> None:
    case = _case().fixed().listed()
    view = case.listing()
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now,
                        pays_balance=False)
    auction.place_bid(view.listing_id, bidder_id="B1", amount_cents=view.starting_price_cents, now=now)
    _faults(case, "taobao", DOWN)
    case.court.run_until(view.ends_at + timedelta(days=7))
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=3))
    case.d.relist(case.k, case.asset)
    new = case.listing()
    assert new.previous_id == view.listing_id and new.excluded_bidders == ("B1",) and case.lot.stage == "listed"


def test_a_sale_periods_default_first_read_after_its_due_date_ends_the_round_node_28_still_open() -> None:
    """The same for a 变卖 (the lot ``sale``): bought, the platform unreachable past the due date; the default taken
    once it answers — the round ended (the closing taken), node 28 not done (the 变卖 neither sold nor over: the lot
    is re-sold, and meanwhile the 终本 gate holds it, PROPERTY_IN_DISPOSAL)."""
    from tests.test_disposal_closed import _declined

    case = _declined(_case())
    case.d.start_sale(case.k, case.asset)
    view = case.listing()
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now,
                        pays_balance=False)
    _faults(case, "taobao", DOWN)
    auction.place_bid(view.listing_id, bidder_id="B1", amount_cents=view.starting_price_cents, now=now)
    case.court.run_for(timedelta(days=7))
    assert str(auction.get(view.listing_id).status) == "defaulted" and case.lot.stage == "sale"
    _faults(case, "taobao", NONE)
    case.court.run_for(timedelta(days=3))
    assert case.lot.stage == "defaulted" and case.anchors().count("buyer_defaulted") == 1
    assert case.status(28) == "in_progress"
    out = case.p.submit(c.Close(case.k, "终本", reviewed_by="审判管理办公室"))
    assert out.refusal is not None and "PROPERTY_IN_DISPOSAL" in out.refusal.details
    out = case.p.submit(c.Close(case.k, "终结", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
