"""The simulated staff return the money a case still holds after a closing that does not enforce its title
(销案, 不予执行, 驳回申请: process.yaml ``returns_held``), within node 33's 30 days, which the closing no longer ends
(nodes 32–33 ``outlives_closing``). Before, the staff's payout to the applicant was refused RETURN_TO_DEBTOR and never
made again: the money stayed in the case's account for good."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from tests.sim_support import staffed_court

CLAIM = 30_000_00


def test_the_staff_return_money_held_at_a_cancellation_within_the_30_days():
    profile, court, actor, _ = staffed_court()
    world, p = court.session.world, court.platform
    d = world.debtor(0)
    world.pin(d.id_number, "icbc", [Holding(account_no=account_number("icbc", AssetKind.DEPOSIT, d.id_number, 1),
                                            kind=AssetKind.DEPOSIT, balance_cents=CLAIM, available_cents=CLAIM)])
    court.clock.call_at(profile.origin, lambda: p.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=CLAIM),
                                                       [d.subject()]))
    arrived, events = [], []

    def close_on_arrival(e):  # the money arrives; the case is transferred (销案) before the staff pay it out
        if e.kind == EventKind.FUNDS_ARRIVED and not arrived:
            arrived.append(e)
            court.clock.call_at(e.at, lambda: court.runtime.submit(c.Close("K", "销案", reviewed_by="审判管理办公室")))

    court.runtime.subscribe(close_on_arrival, [EventKind.FUNDS_ARRIVED])
    court.runtime.subscribe(events.append)
    court.run_until(profile.origin + timedelta(days=200))
    assert arrived, "no money arrived: the run does not test the return"
    state = court.runtime.cases["K"]
    assert state.closed_manner == "cancelled"
    receipt = arrived[0].data["receipt"]
    amounts = state.amounts()
    assert amounts["returned_cents"] == arrived[0].data["amount_cents"] and amounts["account_cents"] == 0
    assert state.status(33, receipt) == NodeStatus.DONE
    closed_at = next(e.at for e in events if e.kind == EventKind.CLOSED)
    done = [e for e in events if e.kind == EventKind.ITEM_DONE and e.node == 33]
    assert done and done[0].at >= closed_at  # returned after the closing
    assert [e.data["late"] for e in done] == [False]  # within the 30 days, as the staff's work
    assert "RETURN_TO_DEBTOR" not in actor.refused
