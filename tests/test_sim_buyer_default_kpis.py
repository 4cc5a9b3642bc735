"""悔拍 in the disposal KPIs (review R23 finding 7): a buyer's default counts in ``buyer_defaults``; the round held
again after it (the platform records the round's anchor again, ``reauction``) counts in ``reauctions`` — before, it
counted as one more first auction (or second, or 变卖) of the same lot, and ``auctions_first`` read as lots put up
twice. A re-auction withdrawn before its bidding comes back out of ``reauctions``, as a first auction withdrawn does
out of ``auctions_first``. The terminal and the report show the two rows only where a buyer defaulted."""

from __future__ import annotations

from datetime import datetime, timedelta

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from sim.kpi import DISPOSAL_KPIS, Collector
from sim.report import shown_kpis

T0 = datetime(2025, 3, 3, 9, tzinfo=CST)


def _anchor(days: float, anchor: str, asset: str = "房产#1", **data: object) -> Event:
    return Event(T0 + timedelta(days=days), "案1", EventKind.ANCHOR, None, asset, None, {"anchor": anchor, **data})


def _lots(*events: Event) -> dict[str, int]:
    c = Collector(T0, T0, disposal=True)
    for e in events:
        c(e)
    return dict(c.lots)


def test_a_default_and_the_round_held_again_count_apart_from_the_first_auctions() -> None:
    lots = _lots(_anchor(0, "reference_price_fixed"), _anchor(1, "auction_scheduled"),
                 _anchor(40, "buyer_defaulted"), _anchor(41, "auction_scheduled", reauction=True),
                 _anchor(80, "sale_paid"))
    assert lots == {"lots_priced": 1, "auctions_first": 1, "buyer_defaults": 1, "reauctions": 1,
                    "sold_first_auction": 1}


def test_a_re_auction_withdrawn_before_its_bidding_comes_out_of_the_re_auctions() -> None:
    lots = _lots(_anchor(0, "reference_price_fixed"), _anchor(1, "second_auction_scheduled"),
                 _anchor(40, "buyer_defaulted"), _anchor(41, "second_auction_scheduled", reauction=True),
                 _anchor(45, "listing_withdrawn"))
    assert lots == {"lots_priced": 1, "auctions_second": 1, "buyer_defaults": 1, "reauctions": 0,
                    "rounds_withdrawn": 1}


def test_the_keys_are_disposal_kpis() -> None:
    assert {"buyer_defaults", "reauctions"} <= set(DISPOSAL_KPIS)


def test_the_rows_are_shown_only_where_a_buyer_defaulted() -> None:
    keys = ("auctions_first", "buyer_defaults", "reauctions")
    none = {k: {"mean": 0} for k in keys} | {"auctions_first": {"mean": 12}}
    some = none | {"buyer_defaults": {"mean": 0.5}}
    assert shown_kpis(none, keys) == ["auctions_first"]
    assert shown_kpis(some, keys) == list(keys)


def test_a_forfeited_deposit_is_counted_apart_from_the_sale_proceeds() -> None:
    """Review R26 F8: the deposit a defaulted buyer forfeits reaches the case as a receipt of its own (H56, source
    ``deposit_forfeited``): not the sale's proceeds (``proceeds_yuan``, 变价款) but ``deposits_forfeited_yuan``."""
    c = Collector(T0, T0, disposal=True)
    for e in (Event(T0, "案1", EventKind.PROCEEDS_ARRIVED, None, "房产#1", None,
                    {"amount_cents": 56000000, "source": "auction"}),
              Event(T0, "案1", EventKind.PROCEEDS_ARRIVED, None, "房产#1", None,
                    {"amount_cents": 5600000, "source": "deposit_forfeited"})):
        c(e)
    assert (c.proceeds_cents, c.deposit_cents) == (56000000, 5600000)
