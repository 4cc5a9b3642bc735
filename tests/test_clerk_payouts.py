"""The simulated clerk leaves no money in a case's account: a payout refused for now is paid later.

A late payout freezes node 33 and is refused (NODE_FROZEN); a payout that comes before its 到账登记 (itself waiting
for an unfreeze) is refused (RECEIPT_NOT_REGISTERED). The clerk pays again once the nodes are unfrozen, or a little
later. Before, such money stayed in the case's account for good — 4 of ``make run``'s 16 cases were left "案款待发放"
after 420 days. Virtual time; the clerk's lateness is seeded."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from sim.assembly import build_virtual_court
from sim.demo import ORIGIN

DAYS = 300


def _court_year(cases: int, seed: int):
    court = build_virtual_court(ORIGIN, seed=seed, profile="realistic", diligence=0.85)
    world = court.session.world
    for n in range(1, cases + 1):
        d = world.debtor(n)
        amount = (5 + (n * 7919) % 95) * 1_000_00  # 5,000–99,000 yuan, as the demo's
        court.platform.file(c.FileCase(f"(2025)豫0811执{n}号", debtors=(d.id_number,), amount_cents=amount),
                            [d.subject()])
        court.run_until(court.clock.now() + timedelta(hours=2))
    court.run_until(ORIGIN + timedelta(days=DAYS))
    return court


def test_money_in_a_case_account_is_paid_out_even_when_the_payout_was_refused_first():
    court = _court_year(40, seed=2025)
    runtime = court.runtime
    refused_first = 0
    unpaid = []
    last = ORIGIN + timedelta(days=DAYS - 60)  # money that arrived in the last 60 days may still be on its way
    for k, state in runtime.cases.items():
        events = runtime.case_events(k)
        arrived = {e.data["receipt"]: e.at for e in events if e.kind == EventKind.FUNDS_ARRIVED}
        frozen_33 = {e.instance for e in events if e.kind == EventKind.NODE_FROZEN and e.node == 33}
        for receipt, r in state.receipts.items():
            if receipt in frozen_33:
                refused_first += 1
            if r.paid_cents < r.amount_cents and not r.escrowed and arrived.get(receipt, last) < last:
                unpaid.append((k, receipt, r.amount_cents - r.paid_cents))
    assert refused_first, "no payout came late: the run does not test the retry"
    assert unpaid == []
    # and every such payout did go out: node 33 done for each receipt whose node froze
    for k, state in runtime.cases.items():
        for e in runtime.case_events(k):
            if e.kind == EventKind.NODE_FROZEN and e.node == 33:
                assert state.receipts[e.instance].paid_cents == state.receipts[e.instance].amount_cents, (k, e.instance)
