"""悔拍 in a simulated court-year (H49, review R20 F1): with the court profile's ``auction_default_rate`` above 0 some
winning buyers never pay; the staff re-auction the round (the old buyer kept out), the rule checks pass (the money
reconciles to the cent: nothing of a sale not made is booked; the forfeited deposit reaches the case as its own
receipt once the lot settles, H56), and no
lot is left defaulted — before, such a lot's round never ended (ROUND_IN_BIDDING) and its case was held for good.
The default rate is 0: the default court-year is unchanged (the digests in the session's brief). Virtual time."""

from __future__ import annotations

import collections
from datetime import timedelta

import pytest
from pydantic import ValidationError

import sim.court_for_run as court_for_run
from sim.profile import CourtProfile
from sim.replicate import make_units
from sim.run import run_unit
from tests.sim_support import small_court


def test_the_rate_is_a_profile_knob_default_zero() -> None:
    assert CourtProfile.model_fields["auction_default_rate"].default == 0.0
    assert small_court(100).auction_default_rate == 0.0
    data = small_court(100).model_dump(mode="json")
    assert CourtProfile.model_validate({**data, "auction_default_rate": 0.2}).auction_default_rate == 0.2
    with pytest.raises(ValidationError):
        CourtProfile.model_validate({**data, "auction_default_rate": 1.5})


def test_a_disposing_court_year_with_buyers_who_default_re_auctions_and_leaves_no_lot_held(monkeypatch) -> None:
    courts: list = []
    notices: collections.Counter = collections.Counter()
    deposits: list = []
    build = court_for_run.build

    def kept(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        court = build(*args, **kwargs)
        courts.append(court)
        court.platform.listeners.append(lambda kind, data: notices.update([kind]))
        court.platform.listeners.append(lambda kind, data: deposits.append(data) if kind == "deposit_arrived" else None)
        return court

    monkeypatch.setattr(court_for_run, "build", kept)
    profile = small_court(400, judges=3, clerks=3, disposal=True, disposal_share=1.0, auction_default_rate=0.3)
    out = run_unit(make_units([("测试法院", profile)], years=0.8, replications=1, seed=7)[0])
    assert out["invariants"]["violation_count"] == 0  # money reconciles; every rule check passes
    [court] = courts
    house, disposal = court.session.auction, court.platform.disposal
    assert house.model.default_rate == 0.3
    defaulted = [x for x in house._listings.values() if x.status.value == "defaulted"]
    again = [x for x in house._listings.values() if x.terms and x.terms[0] == "reauction"]
    assert notices["buyer_defaulted"] == len(defaulted) >= 5
    assert len(again) >= len(defaulted) - 3  # re-auctioned (a few defaulted near the year's end, or closed)
    assert not any(b.bidder_id in x.excluded for x in again for b in x.bids)  # the old buyer never bid again
    assert any(x.status.value == "sold" for x in again)
    assert notices["proceeds_arrived"] > 0
    # the KPIs (no warm-up: every anchor counted): each default, and each round held again, apart from the first and
    # second auctions and 变卖 — those count each lot's round once (review R23 finding 7)
    kpi = out["kpi"]
    assert kpi["buyer_defaults"] == notices["buyer_defaulted"]
    # the forfeited deposits that reached the cases (H56), apart from the sale proceeds (review R26 F8)
    assert kpi["deposits_forfeited_yuan"] * 100 == sum(d["amount"] for d in deposits) > 0
    assert kpi["reauctions"] == len(again) - sum(x.status.value == "withdrawn" and x.bids == [] for x in again)
    assert kpi["auctions_first"] + kpi["auctions_second"] + kpi["sale_periods"] + kpi["reauctions"] <= len(
        house._listings)
    # no lot is left defaulted while its case is open and the staff idle on it: each was re-auctioned (or its case
    # closed); a lot defaulted in the year's last days may still await its re-auction in the judge's queue
    end = court.clock.now()
    left = [lot for lot in disposal.lots.values() if lot.stage == "defaulted"
            and court.runtime.cases[lot.case_id].closed_manner is None
            and house.get(lot.listing_id).defaulted_at < end - timedelta(days=60)]
    assert left == []
