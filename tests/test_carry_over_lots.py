"""Review R26 F5: a 终本 case's lot whose rounds ended without a sale moves to its 恢复执行 case (``carry_over``).

Only a court whose process drops the 终本 gate's ``PROPERTY_IN_DISPOSAL`` closes 终本 with such a lot (the bundled one
refuses 终本 meanwhile). Before, ``carry_over`` moved a lot sealed, priced or withdrawn and left one in ``unsold1``,
``unsold2``, ``declined`` or ``defaulted`` in the 终本 case, where nothing is sold (``case_closed_disposal``), while the
seal went over to the resumed case, which had no lot ("no property to dispose of"): the flat could be sold in neither.
Now it moves, sealed, and is priced anew in the resumed case; a defaulted lot's forfeited deposit stays the 终本 case's
(remitted to it at the closing, H56). Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from tests.test_disposal import Case
from tests.test_disposal_closed import _close, _declined, _unsold1, _unsold2
from tests.test_disposal_closed_review import (
    _without_disposal_gate,
    listed_anew,
    ready_for_zhongben,
    resumed_with_the_lot,
)
from tests.test_round_terms import buyer_defaults


def _defaulted(case: Case) -> Case:
    """The first auction won by B1, who never pays: the lot ``defaulted`` (悔拍)."""
    buyer_defaults(case.fixed().listed())
    return case


STAGES = {"unsold1": _unsold1, "unsold2": _unsold2, "declined": _declined, "defaulted": _defaulted}


def _deposits(case: Case, k: str) -> list:
    return [e for e in case.court.runtime.case_events(k)
            if e.kind == EventKind.PROCEEDS_ARRIVED and e.data["source"] == "deposit_forfeited"]


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_lot_whose_rounds_ended_unsold_in_a_zhongben_case_is_sold_in_its_resumed_case(stage: str) -> None:
    case = Case(process=_without_disposal_gate())
    ready_for_zhongben(case)
    STAGES[stage](case)
    _close(case, "终本")
    new, lot = resumed_with_the_lot(case)
    assert lot.stage == "sealed" and lot.reference_price_cents is None and not lot.listings  # priced anew
    if stage == "defaulted":  # the deposit forfeited in the 终本 case is that case's: remitted to it at the closing
        [deposit] = _deposits(case, case.k)
        assert deposit.data["amount_cents"] == case.listing().deposit_cents
        assert not _deposits(case, new) and not lot.forfeits
    listed_anew(case, new, lot)
    assert lot.listing_id not in case.lot.listings  # a first auction of the new case
    view = case.court.session.auction.get(lot.listing_id)
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B2", amount_cents=view.deposit_cents, now=now)
    auction.place_bid(view.listing_id, bidder_id="B2", amount_cents=view.starting_price_cents, now=now)
    case.court.run_until(view.ends_at + timedelta(days=6))
    assert lot.stage == "paid"
    paid = [e for e in case.court.runtime.case_events(new) if e.kind == EventKind.PROCEEDS_ARRIVED]
    assert [e.data["amount_cents"] for e in paid] == [view.starting_price_cents]  # the new case's, no deposit of it
