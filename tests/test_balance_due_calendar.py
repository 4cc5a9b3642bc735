"""The buyer's balance is due on the legal calendar (H71): the announcement's "成交后 5 日内" is a period the court
set (人民法院指定的期间), counted by 民事诉讼法 第八十五条 (LAW.md, confirmed) — the hammer's day not counted, a last
day that is a rest day moved to the first working day after it, the period ending at 24:00
(``AuctionRules.balance_due_policy``, default ``Policy.CPL``). Before, the balance was due exactly 5 × 24 hours after
the hammer, a Saturday or a 国庆 day included. Dates from the calendar data: 2025-03-08 is a Saturday (03-10 the
Monday after); 2025-10-01 – 10-08 is the 国庆 and 中秋 break (10-09 a Thursday at work). Virtual time only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.legal_calendar import CST, Policy
from mock_agencies.auction import AuctionHouse, AuctionRules, ListingStatus
from tests.test_auction import NOBODY, first
from tests.test_auction_api import advance_to, app, client, listing_body  # noqa: F401 (fixtures)


def _won(h: AuctionHouse, hammer: datetime, *, pays: bool = True):
    """A round whose bidding ends — and is won — at ``hammer`` (bidding 24 hours, one bid at its start)."""
    starts = hammer - timedelta(hours=24)
    x = first(h, now=starts - timedelta(days=40), bidding_starts=starts)
    h.pay_deposit(x.listing_id, bidder_id="B1", amount_cents=x.deposit_cents, now=starts, pays_balance=pays)
    h.place_bid(x.listing_id, bidder_id="B1", amount_cents=x.starting_price_cents, now=starts)
    [notice] = h.advance(hammer)
    assert notice.payload["event"] == "auction.sold"
    view = h.get(x.listing_id)
    assert view.closed_at == hammer and view.status is ListingStatus.SOLD
    return view


@pytest.mark.parametrize(("hammer", "due"), [
    # Monday: the 5th day is Saturday 03-08 → the Monday after, 03-10, to 24:00
    (datetime(2025, 3, 3, 15, 0, tzinfo=CST), datetime(2025, 3, 11, 0, 0, tzinfo=CST)),
    # Monday before 国庆: the 5th day 10-04 is in the break (10-01 – 10-08) → 10-09, to 24:00
    (datetime(2025, 9, 29, 15, 0, tzinfo=CST), datetime(2025, 10, 10, 0, 0, tzinfo=CST)),
    # Tuesday: the 5th day, Sunday 2025-03-09 → Monday 03-10
    (datetime(2025, 3, 4, 10, 0, tzinfo=CST), datetime(2025, 3, 11, 0, 0, tzinfo=CST)),
    # Wednesday: the 5th day is Monday 03-10, a working day: no rollover, to its 24:00
    (datetime(2025, 3, 5, 10, 0, tzinfo=CST), datetime(2025, 3, 11, 0, 0, tzinfo=CST)),
])
def test_the_balance_falls_due_on_the_next_working_day_after_a_rest_day(hammer: datetime, due: datetime) -> None:
    h = AuctionHouse(7, bidders=NOBODY)
    assert AuctionRules().balance_due_policy is Policy.CPL and AuctionRules().balance_due_days == 5
    view = _won(h, hammer)
    assert view.balance_due_at == due and view.balance_due_days == 5


def test_a_buyer_who_does_not_pay_defaults_at_the_rolled_over_due_date_not_on_the_holiday() -> None:
    h = AuctionHouse(7, bidders=NOBODY)
    hammer = datetime(2025, 9, 29, 15, 0, tzinfo=CST)
    view = _won(h, hammer, pays=False)
    due = datetime(2025, 10, 10, 0, 0, tzinfo=CST)
    assert h.next_due(view.listing_id) == due
    assert h.advance(hammer + timedelta(days=5)) == []  # the 5th day, in 国庆: not yet
    assert h.advance(due - timedelta(seconds=1)) == []  # 10-09, its last working day: still not
    [notice] = h.advance(due)
    assert notice.payload["event"] == "auction.buyer_defaulted" and notice.payload["balance_due_at"] == due.isoformat()
    assert h.get(view.listing_id).defaulted_at == due


def test_the_counting_is_configurable_natural_days_or_the_exact_duration() -> None:
    hammer = datetime(2025, 9, 29, 15, 0, tzinfo=CST)
    natural = _won(AuctionHouse(7, rules=AuctionRules(balance_due_policy=Policy.NATURAL), bidders=NOBODY), hammer)
    assert natural.balance_due_at == datetime(2025, 10, 5, 0, 0, tzinfo=CST)  # the 5th day's 24:00, no rollover
    exact = _won(AuctionHouse(7, rules=AuctionRules(balance_due_policy=None), bidders=NOBODY), hammer)
    assert exact.balance_due_at == hammer + timedelta(days=5)  # zhixing ≤ 0.5.x


async def test_over_http_the_listing_shows_the_balance_due_after_the_national_day_break(client) -> None:  # noqa: F811
    """The auction platform's HTTP view (``GET /agencies/{platform}/listings/{id}``): a round hammered on Monday
    2025-09-29 shows its balance due 2025-10-10 00:00 (10-09 24:00), not 10-04 15:00 in the break."""
    origin = datetime(2025, 8, 1, 9, 0, tzinfo=CST)
    r = await client.put("/admin/sessions/due", json={"seed": 5, "profile": "fast", "time_scale": 0,
                                                       "origin": origin.isoformat()})
    assert r.status_code == 200, r.text
    h = {"X-Zhixing-Session": "due"}
    starts = datetime(2025, 9, 28, 15, 0, tzinfo=CST)
    x = (await client.post("/agencies/taobao/listings", json=listing_body(bidding_starts=starts.isoformat()),
                           headers=h)).json()
    base = f"/agencies/taobao/listings/{x['listing_id']}"
    dep = {"bidder_id": "buyer-1", "name": "李四", "amount_cents": x["deposit_cents"]}
    await advance_to(client, "due", starts)
    assert (await client.post(f"{base}/deposits", json=dep, headers=h)).status_code == 200
    bid = {"bidder_id": "buyer-1", "amount_cents": x["starting_price_cents"]}
    assert (await client.post(f"{base}/bids", json=bid, headers=h)).status_code == 200
    await advance_to(client, "due", datetime.fromisoformat(x["ends_at"]))
    view = (await client.get(base, headers=h)).json()
    assert view["status"] == "sold" and view["closed_at"] == "2025-09-29T15:00:00+08:00"
    assert view["balance_due_at"] == "2025-10-10T00:00:00+08:00" and view["balance_due_days"] == 5
