"""The demo's table says why a case is still open and what it disposes of — for frozen 股权 and 证券 (disposed of as
other property rights since 079ed7a) as for sealed real estate and vehicles (sim/demo.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sim.demo import _disposal, _why_open


def _court(kind: str, stage: str, sold: int | None = None) -> SimpleNamespace:
    state = SimpleNamespace(closed_manner=None, closing_pending=False, receipts={}, assets={}, case_type="resumed")
    lot = SimpleNamespace(kind=kind, stage=stage, sold_price_cents=sold, round="second")
    return SimpleNamespace(runtime=SimpleNamespace(cases={"K": state}),
                           platform=SimpleNamespace(disposal=SimpleNamespace(lots={("K", "a1"): lot})))


@pytest.mark.parametrize(("kind", "name"), [("equity", "股权"), ("securities", "证券"), ("real_estate", "不动产")])
def test_a_lot_in_its_second_auction_is_a_disposal_under_way(kind: str, name: str) -> None:
    court = _court(kind, "relisted")
    assert _why_open(court, "K") == "财产处置中 / disposal under way"
    assert _disposal(court, "K") == f"{name} 二拍 2nd auction"


def test_a_sold_lot_names_its_price_and_a_finished_one_no_longer_holds_the_case_open() -> None:
    court = _court("equity", "handed_over", sold=12_345_600)
    assert _disposal(court, "K") == "股权 二拍成交 ¥123,456.00 已交付 handed over"
    assert _why_open(court, "K") == "恢复执行案件新立案，重新查控中 / resumed: a new round of inquiries"
