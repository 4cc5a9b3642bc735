"""The demo's table says why a case is still open and what it disposes of — for frozen 股权 and 证券 (disposed of as
other property rights since 079ed7a) as for sealed real estate and vehicles (sim/demo.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core_flow.engine import NodeStatus
from sim.demo import _disposal, _why_open


def _state(case_type: str = "resumed", nodes: dict[int, NodeStatus] | None = None) -> SimpleNamespace:
    nodes = nodes or {}
    return SimpleNamespace(closed_manner=None, closing_pending=False, receipts={}, assets={}, case_type=case_type,
                           node=lambda no: SimpleNamespace(status=nodes[no]) if no in nodes else None,
                           status=lambda no: nodes.get(no, NodeStatus.NOT_STARTED))


def _court(kind: str, stage: str, sold: int | None = None) -> SimpleNamespace:
    state = _state()
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


ZHONGBEN = "终本程序中（终本约谈）/ on its way to 终本 (the interview)"


@pytest.mark.parametrize(("case_type", "nodes", "why"), [
    # a resumed case before its inquiries are analysed (node 11) is doing them again
    ("resumed", {}, "恢复执行案件新立案，重新查控中 / resumed: a new round of inquiries"),
    # … and after them, with its 终本约谈 (node 18) under way or held, it is on its way to 终本 — what 执恢2号 / 执恢3号
    # of ``make run`` waited for when the demo ended before its closing (review R20, 2026-12-07)
    ("resumed", {11: NodeStatus.DONE, 18: NodeStatus.NOT_STARTED}, ZHONGBEN),
    ("resumed", {11: NodeStatus.DONE, 18: NodeStatus.DONE}, ZHONGBEN),
    ("first", {11: NodeStatus.DONE, 18: NodeStatus.DONE}, ZHONGBEN),
    ("resumed", {11: NodeStatus.DONE}, "在审限内办理中 / within its time limit"),
])
def test_an_open_case_says_where_it_stands(case_type: str, nodes: dict[int, NodeStatus], why: str) -> None:
    court = SimpleNamespace(runtime=SimpleNamespace(cases={"K": _state(case_type, nodes)}),
                            platform=SimpleNamespace(disposal=SimpleNamespace(lots={})))
    assert _why_open(court, "K") == why


@pytest.mark.parametrize(("stage", "label", "short"), [
    # H49's 悔拍: the buyer did not pay the balance, the round is to be auctioned again (重新拍卖)
    ("defaulted", "悔拍 buyer defaulted", "股权 悔拍"),
    # a 终本 case's seal carried over to its 恢复执行 case (``Disposal.carry_over``)
    ("moved", "移交恢复执行 moved to the resumed case", "股权 移交恢复执行"),
])
def test_every_lot_stage_has_a_label(stage: str, label: str, short: str) -> None:
    """The disposal column names the stage in words, not its code (``defaulted`` showed as itself)."""
    from zhixing.cmd_demo import _short

    court = _court("equity", stage)
    assert _disposal(court, "K") == f"股权 {label}"
    assert _short(_disposal(court, "K")) == short


def test_a_case_whose_buyer_defaulted_is_disposing_still() -> None:
    assert _why_open(_court("real_estate", "defaulted"), "K") == "财产处置中 / disposal under way"  # 重新拍卖 to come
