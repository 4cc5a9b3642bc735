"""网络司法拍卖事项通知 (node 24) for every auction round announced (H71).

网络司法拍卖规定 (2016) 第十六条 (LAW.md, confirmed: the parties are notified 3 days before the announcement) reads
for each 拍卖公告: the first auction's, the second's (第二十六条, node 26) and a re-auction's after a buyer's default
(悔拍, 第二十四条 as commonly published). Before, node 24 was timed for the first auction only: ``notify_parties``
refused any later round (``disposal_stage``) and a later round listed with no notice left no trace. Now each round's
notice runs under its own node 24 instance (``Disposal.notice_instance``: ``<asset>#n``), 3 days before that round's
announcement; a round listed with no notice of its own has the deadline counted from the listing — missed. A 变卖
(node 28) is no 拍卖: no notice. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.errors import UserError
from core_flow.legal_calendar import to_cst
from core_flow.legal_calendar.periods import Period
from core_flow.platform.disposal import Disposal
from tests.test_disposal import Case


def _unsold1() -> Case:
    case = Case().fixed().listed()
    case.until_closed()
    assert case.lot.stage == "unsold1"
    return case


def _node24(case: Case, n: int):
    return case.state.node(24, Disposal.notice_instance(case.asset, n))


def test_the_second_auction_is_notified_three_days_before_its_announcement_under_its_own_instance() -> None:
    case = _unsold1()
    first = _node24(case, 1)
    assert first.items["main"].done and case.lot.notices == 1 and case.lot.announce_at is None
    now = case.court.clock.now()
    case.d.notify_parties(case.k, case.asset)  # refused disposal_stage before (only the first auction was notified)
    second = _node24(case, 2)
    assert second is not None and second.instance == f"{case.asset}#2"
    item = second.items["main"]
    assert item.done and not item.overdue
    planned = case.lot.announce_at
    assert to_cst(planned) == to_cst(now) + timedelta(days=3)
    expected, _ = case.p.runtime.engine.calendar.latest_before_warned(planned, Period.parse("3d"))
    assert item.due == expected and to_cst(item.due) < to_cst(planned) - timedelta(days=2)  # 3 days before it
    case.court.run_for(timedelta(days=3))
    case.d.relist(case.k, case.asset, cut_pct=20)
    assert case.lot.stage == "relisted" and case.lot.announce_at is None and case.lot.notices == 2
    case.court.run_for(timedelta(days=2))
    events = [e for e in case.court.runtime.case_events(case.k) if e.node == 24]
    assert not any(e.kind == EventKind.NODE_FROZEN or (e.kind == EventKind.ITEM_DONE and e.data.get("late"))
                   for e in events)
    assert {e.instance for e in events if e.kind == EventKind.DEADLINE_SET} == {case.asset, f"{case.asset}#2"}


def test_a_second_auction_listed_with_no_notice_of_its_own_misses_node_24() -> None:
    case = _unsold1()
    case.d.relist(case.k, case.asset, cut_pct=20)  # no notice for this round: the first auction's does not count
    listed_at = case.court.clock.now()
    second = _node24(case, 2)
    assert second is not None, "the second round's notice is timed"
    item = second.items["main"]
    assert not item.done and to_cst(item.due) < to_cst(listed_at)  # 3 days before the announcement made now
    case.court.run_for(timedelta(days=1))
    assert _node24(case, 2).items["main"].overdue
    assert case.lot.notices == 2
    # the court tells the parties late: that round's notice is given (late), not a third round's
    case.d.notify_parties(case.k, case.asset)
    assert case.lot.notices == 2 and _node24(case, 3) is None and case.lot.announce_at is None
    [done] = [e for e in case.court.runtime.case_events(case.k)
              if e.kind == EventKind.ITEM_DONE and e.node == 24 and e.instance == f"{case.asset}#2"]
    assert done.data["late"] is True



def test_a_late_notice_given_when_the_next_round_is_due_notifies_that_round_too() -> None:
    """Review R28: the first auction listed with no notice (node 24 missed) and ended 流拍; the court then tells the
    parties of the second auction 3 days before listing it. The call gave the first round's notice late and nothing
    more — the second auction, listed 3 days later, was recorded with no notice of its own: missed too, a court
    charged twice for one forgotten notice. Now the same call is the second round's notice as well, in time."""
    case = Case().fixed()
    case.d.list(case.k, case.asset)  # no notice to the parties: node 24 of the first round missed
    case.until_closed()
    assert case.lot.stage == "unsold1" and not _node24(case, 1).items["main"].done
    case.d.notify_parties(case.k, case.asset)
    events = case.court.runtime.case_events(case.k)
    [late] = [e for e in events if e.kind == EventKind.ITEM_DONE and e.node == 24 and e.instance == case.asset]
    assert late.data["late"] is True  # the first round's, late
    second = _node24(case, 2)
    assert second is not None and second.items["main"].done and not second.items["main"].overdue
    assert case.lot.notices == 2 and case.lot.announce_at is not None
    case.court.run_for(timedelta(days=3, hours=1))
    case.d.relist(case.k, case.asset, cut_pct=20)
    case.court.run_for(timedelta(days=1))
    events = case.court.runtime.case_events(case.k)
    assert not [e for e in events if e.node == 24 and e.instance == f"{case.asset}#2"
                and (e.kind == EventKind.DEADLINE_MISSED or (e.kind == EventKind.ITEM_DONE and e.data.get("late")))]
    assert case.lot.notices == 2 and _node24(case, 3) is None

def test_a_re_auction_after_the_buyers_default_is_notified_anew() -> None:
    from tests.test_buyer_default import _defaulting_case

    case, view = _defaulting_case()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "defaulted" and case.lot.round == "first"
    assert _node24(case, 2) is None
    case.d.notify_parties(case.k, case.asset)
    again = _node24(case, 2).items["main"]
    assert again.done and not again.overdue
    case.court.run_for(timedelta(days=3))
    case.d.relist(case.k, case.asset)
    assert case.lot.stage == "listed" and case.lot.listing_id != view.listing_id
    assert case.lot.notices == 2 and case.lot.announce_at is None
    anchors = [e for e in case.court.runtime.case_events(case.k)
               if e.kind == EventKind.ANCHOR and e.data["anchor"] == "announcement_scheduled"]
    assert [e.instance for e in anchors] == [case.asset, f"{case.asset}#2"]


def test_notified_twice_before_its_listing_a_round_keeps_one_deadline() -> None:
    case = _unsold1()
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(hours=2))
    case.d.notify_parties(case.k, case.asset)  # re-planned: the same round, the same instance
    assert case.lot.notices == 2 and _node24(case, 3) is None


def test_a_bianmai_re_auctioned_after_a_default_takes_no_auction_notice() -> None:
    """A 变卖 is no 拍卖 (its announcement is node 28's): notifying the parties of its re-auction is refused, saying
    why (the lot put in that stage by hand: a 变卖 sold and defaulted takes a long walk)."""
    case = Case().fixed()
    case.lot.stage, case.lot.round = "defaulted", "sale"
    with pytest.raises(UserError) as err:
        case.d.notify_parties(case.k, case.asset)
    assert err.value.code == "disposal_stage" and "变卖不是拍卖" in err.value.zh and "node 28" in err.value.en
    assert case.lot.notices == 0 and case.state.node(24, case.asset) is None


def test_a_later_rounds_notice_is_the_assets_for_the_zhongben_gate() -> None:
    """The second auction's notice (node 24 under ``<asset>#2``) is the asset's disposal: once the asset's disposal
    ended unsold (two 流拍, the creditor refusing it in kind, the 变卖 finding no buyer) the 终本 gate's
    PROPERTY_IN_DISPOSAL names nothing — before (core_flow/engine/gate.py ``open_disposals``) the round's instance
    counted as an asset of its own whose disposal never ended, and held the 终本 for good."""
    from core_flow.engine.gate import open_disposals

    case = _unsold1()
    case.d.notify_parties(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    case.d.relist(case.k, case.asset, cut_pct=20)
    case.until_closed()
    assert case.lot.stage == "unsold2"
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    case.d.start_sale(case.k, case.asset)
    case.until_closed()
    assert case.lot.stage == "unsold" and case.status(28) == "done"
    process = case.p.process
    cond = next(g for g in process.zhongben_gate if g.disposal_nodes is not None)
    assert open_disposals(process, case.state, case.court.clock.now(), cond) == []


def test_a_round_bidding_at_the_zhongben_that_ends_unsold_follows_its_seal_into_the_resumed_case() -> None:
    """A court whose process lets 终本 pass property being disposed of (no PROPERTY_IN_DISPOSAL): the flat's first
    auction is bidding at the 终本, so the lot stays in the 终本 case (a round begun runs to its end) while the
    resumption hands its seal to the 恢复执行 case. When the round then ends unsold, the lot follows the seal there,
    sealed, to be priced and sold anew (``Disposal._follow_resumed``) — before, it stayed 一拍流拍 in the 终本 case,
    where nothing is sold, and the resumed case had the seal and no lot: the flat sellable in neither."""
    from core_flow.engine import commands as c
    from tests.test_disposal_closed_review import _close, _without_disposal_gate, ready_for_zhongben

    case = Case(process=_without_disposal_gate())
    ready_for_zhongben(case)
    case.fixed().listed()
    case.court.run_until(case.listing().starts_at + timedelta(hours=1))  # bidding (no bidder: it will fail)
    _close(case, "终本")
    assert case.state.closed_manner == "zhongben" and case.lot.stage == "listed"
    assert case.p.submit(c.RequestResumption(case.k, "恢复执行")).accepted
    assert case.p.submit(c.ApproveResumption(case.k, "执行局长")).accepted
    case.court.run_for(timedelta(hours=3))
    [new] = [k for k in case.court.runtime.cases if k != case.k]
    assert case.state.assets[case.asset].moved_to == new  # the seal went over with the resumption
    assert case.lot.stage == "listed" and (new, case.asset) not in case.d.lots  # still bidding: it stays
    case.until_closed()
    assert case.lot.stage == "moved"  # 流拍 in the 终本 case: handed over
    lot = case.d.lots[(new, case.asset)]
    assert lot.stage == "sealed" and lot.reference_price_cents is None
    case.d.investigate(new, case.asset)
    case.d.price(new, case.asset)  # priced anew in the resumed case
    assert lot.stage == "pricing"
