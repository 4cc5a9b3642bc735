"""The demo clerk (sim/clerk.py) reviews every finding after 终本 (node 46, 10 days), resumed or not — before, only a
resumption completed node 46, so a finding the clerk does not act on (real estate, no disposal) lapsed and froze."""

from __future__ import annotations

from datetime import datetime, timedelta

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court
from tests.sim_support import debtor_with_nothing

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _zhongben_case_then_a_flat(diligence: float) -> tuple:  # noqa: ANN001
    court = build_virtual_court(ORIGIN, seed=3, diligence=diligence, identity_failure_rate=0.0, same_handler_rate=0.0)
    world, p = court.session.world, court.platform
    d = debtor_with_nothing(court)
    p.file(c.FileCase("Z1", debtors=(d.id_number,), amount_cents=200_000_00), [d.subject()])
    court.run_for(timedelta(days=150))
    assert court.runtime.cases["Z1"].closed_manner == "zhongben"
    flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, d.id_number, 1),
                   kind=AssetKind.REAL_ESTATE, balance_cents=700_000_00, available_cents=700_000_00)
    world.pin(d.id_number, "real_estate_registry", [flat])  # no disposal clerk: nobody seals it, no resumption
    court.run_for(timedelta(days=240))  # past the first 6-monthly sweep
    return court, court.runtime.case_events("Z1")


def test_the_clerk_reviews_a_finding_that_brings_no_resumption_within_ten_days():
    court, events = _zhongben_case_then_a_flat(diligence=1.0)
    found = [e for e in events if e.kind == EventKind.ANCHOR and e.data["anchor"] == "property_found_after_zhongben"]
    assert found  # the sweep found the flat
    state = court.runtime.cases["Z1"]
    assert state.resumption is None and state.closed_manner == "zhongben"  # not resumed
    reviews = [(no, inst) for (no, inst) in state.nodes if no == 46]
    assert reviews and all(state.nodes[r].status == "done" for r in reviews)
    done = [e for e in events if e.kind == EventKind.ITEM_DONE and e.node == 46]
    assert len(done) == len(reviews) and not any(e.data["late"] for e in done)
    assert not any(e.kind in (EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN) and e.node == 46 for e in events)
    assert all(d.at - f.at <= timedelta(days=10) for d, f in zip(done, found, strict=False))


def test_a_late_clerk_reviews_it_late_but_still_reviews_it():
    court, events = _zhongben_case_then_a_flat(diligence=0.0)
    state = court.runtime.cases["Z1"]
    reviews = [(no, inst) for (no, inst) in state.nodes if no == 46]
    assert reviews
    done = [e for e in events if e.kind == EventKind.ITEM_DONE and e.node == 46]
    missed = [e for e in events if e.kind == EventKind.DEADLINE_MISSED and e.node == 46]
    assert missed and done  # late (the coin toss), yet the handler did review it


def test_freezing_more_of_an_account_controlled_before_does_not_enter_node_17_again():
    """A sweep can report value again on an account the case controls in part (the court-year had 8 such securities
    accounts): the clerk freezes the rest, and node 17 of the account stays done — before, the clerk entered it
    again and the system refused it (NODE_DONE). (A securities account is frozen only where the run disposes of
    property — it is not money to deduct, tests/test_control_anchor.py: here a bank account.)"""
    court = build_virtual_court(ORIGIN, seed=3, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0)
    world, p = court.session.world, court.platform
    d = world.debtor(0)
    for a in inquiry_scope(p.directory, d.id_number, p.court.region, d.kind):
        world.pin(d.id_number, a.code, [])
    account = Holding(account_no=account_number("icbc", AssetKind.DEPOSIT, d.id_number, 1),
                      kind=AssetKind.DEPOSIT, balance_cents=30_000_00, available_cents=30_000_00)
    world.pin(d.id_number, "icbc", [account])
    p.file(c.FileCase("Z2", debtors=(d.id_number,), amount_cents=200_000_00), [d.subject()])
    court.run_for(timedelta(days=3))
    asset = f"icbc:{account.account_no}"
    assert court.runtime.cases["Z2"].status(17, asset) == "done"
    court.clerk._freeze("Z2", asset, 10_000_00)  # the clerk's step for a reported holding it decided to freeze
    court.run_for(timedelta(days=1))
    events = court.runtime.case_events("Z2")
    sent = [e for e in events if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent"
            and e.data.get("measure") == "freeze"]
    assert len(sent) == 2  # frozen again …
    assert not [e for e in events if e.kind == EventKind.REFUSED and e.data.get("code") == "NODE_DONE"]  # … quietly
