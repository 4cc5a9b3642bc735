"""The simulated clerk disposes of real estate and vehicles (issue 12): a batch of cases whose debtors own only a flat
or a car, in virtual time — queried at the registries, sealed, priced, auctioned (again), paid, paid out, confirmed,
transferred and handed over; every case reconciles to the cent and the agencies' ledger creates no money."""

from __future__ import annotations

from datetime import datetime, timedelta

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _flats_and_cars(court) -> None:  # noqa: ANN001 - a VirtualCourt
    """Eight cases whose debtors own only a flat (even) or a car (odd), nothing at the banks."""
    world, p = court.session.world, court.platform
    for n in range(8):
        d = world.debtor(n)
        for a in inquiry_scope(p.directory, d.id_number, p.court.region, d.kind):
            world.pin(d.id_number, a.code, [])
        flat = n % 2 == 0
        reg, kind, value = (("real_estate_registry", AssetKind.REAL_ESTATE, 600_000_00) if flat
                            else ("vehicle_registry", AssetKind.VEHICLE, 90_000_00))
        world.pin(d.id_number, reg, [Holding(account_no=account_number(reg, kind, d.id_number, 1), kind=kind,
                                             balance_cents=value, available_cents=value)])
        world.pin(d.id_number, "vehicle_registry" if flat else "real_estate_registry", [])
        p.file(c.FileCase(f"K{n}", debtors=(d.id_number,), amount_cents=(50 + n * 10) * 1000_00), [d.subject()])


def test_the_clerk_sells_flats_and_cars_and_pays_out_to_the_cent():
    # a seed whose batch needs a first auction, a second one and a 变卖 (30 since H71: each round notified, node 24)
    court = build_virtual_court(ORIGIN, seed=30, dispose=True, diligence=0.9, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    p = court.platform
    before = court.session.ledger.total_cents()
    _flats_and_cars(court)
    court.run_for(timedelta(days=420))

    lots = p.disposal.lots
    assert len(lots) == 8 and all(lot.stage == "handed_over" for lot in lots.values())
    rounds = {lot.round for lot in lots.values()}
    assert {"first", "second", "sale"} <= rounds  # some needed the second auction (node 26), one a 变卖 (node 28)
    for k, state in court.runtime.cases.items():
        recon = p.reconcile(k)
        assert recon["ok"] and recon["court_account_cents"] == 0 and recon["frozen_cents"] == 0, recon
        assert state.closed_manner in ("completed", "zhongben")
        lot = next(lot for (case, _), lot in lots.items() if case == k)
        # the price covers the claim: 执行完毕 with the surplus returned to the debtor; it does not: paid, then 终本
        assert state.closed_manner == ("completed" if lot.sold_price_cents >= state.amount_cents else "zhongben")
        amounts = state.amounts()  # the applicant is paid up to the claim; the rest goes back, and is said to
        assert amounts["returned_cents"] == max(0, lot.sold_price_cents - state.amount_cents)
        assert amounts["paid_cents"] - amounts["returned_cents"] == min(lot.sold_price_cents, state.amount_cents)
        assert state.outstanding_cents() == max(0, state.amount_cents - lot.sold_price_cents)
        kinds = {e.kind for e in court.runtime.case_events(k)}
        assert {EventKind.FUNDS_FROZEN, EventKind.PROCEEDS_ARRIVED, EventKind.PAID_OUT,
                EventKind.FREEZE_RELEASED} <= kinds
        assert state.status(32, lot.receipt) == "done" and state.status(33, lot.receipt) == "done"
        assert all(state.status(n, lot.asset) == "done" for n in (17, 19, 20, 21, 23, 24, 25, 30))
    accounts = court.session.ledger.court_accounts
    assert accounts.inflow_cents == sum(lot.sold_price_cents for lot in lots.values())  # the buyers' money
    assert accounts.paid_out_cents == accounts.inflow_cents
    ledger = court.session.ledger
    assert ledger.total_cents() - before == ledger.origin_cents() - before  # no money created or destroyed
    assert p.disposal.stats.duplicates == 0 and court.clerk.disposal.sold == 8


def test_a_zhongben_sweep_that_finds_a_flat_seals_it_through_the_registry_and_freezes_nothing():
    """A 终本 case's sweep finds real estate: the clerk seals it (查封, the registry's seal code) like an inquiry's
    finding — no freeze is asked of the registry — and the seal brings the case back (恢复执行)."""
    court = build_virtual_court(ORIGIN, seed=3, dispose=True, diligence=1.0, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    world, p = court.session.world, court.platform
    d = world.debtor(0)
    for a in inquiry_scope(p.directory, d.id_number, p.court.region, d.kind):
        world.pin(d.id_number, a.code, [])
    for reg in ("real_estate_registry", "vehicle_registry"):
        world.pin(d.id_number, reg, [])
    p.file(c.FileCase("Z1", debtors=(d.id_number,), amount_cents=200_000_00), [d.subject()])
    court.run_for(timedelta(days=150))
    state = court.runtime.cases["Z1"]
    assert state.closed_manner == "zhongben" and not p.disposal.lots
    flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, d.id_number, 1),
                   kind=AssetKind.REAL_ESTATE, balance_cents=700_000_00, available_cents=700_000_00)
    world.pin(d.id_number, "real_estate_registry", [flat])
    court.run_for(timedelta(days=240))  # past the first 6-monthly sweep
    asset = f"real_estate_registry:{flat.account_no}"
    assert any(e.kind == EventKind.ANCHOR and e.data["anchor"] == "property_found_after_zhongben"
               for e in court.runtime.case_events("Z1"))
    assert p.disposal.lots[("Z1", asset)].stage != "found"
    sent = [e.data for e in court.runtime.case_events("Z1")
            if e.kind == EventKind.EXCHANGE and e.data["kind"] == "sent" and e.data["agency"] == "real_estate_registry"]
    assert [x["measure"] for x in sent if x["measure"] in ("seal", "freeze")] == ["seal"]
    sealed = [e for e in court.runtime.case_events("Z1") if e.kind == EventKind.FUNDS_FROZEN and e.instance == asset]
    assert sealed and sealed[0].data["measure"] == "seal"
    assert state.resumption is not None  # the seal brings the case back (恢复执行)


def test_a_late_clerk_still_asks_for_the_second_auction_and_the_sale_inside_their_windows():
    """A clerk late half the time (diligence 0.5) used to ask for the second auction or the 变卖 after the platform's
    window (30 days from the 流拍, 15 days from the creditor's refusal): refused, the lot waited for ever and the case
    never closed (seeds 10: a first 流拍 stuck; 11: a refused 以物抵债 stuck). Now a late clerk acts by the window's
    last day: every lot ends handed over, or unsold after its 变卖."""
    for seed in (10, 11):
        court = build_virtual_court(ORIGIN, seed=seed, dispose=True, diligence=0.5, identity_failure_rate=0.0,
                                    same_handler_rate=0.0)
        _flats_and_cars(court)
        court.run_for(timedelta(days=420))
        stages = {lot.stage for lot in court.platform.disposal.lots.values()}
        assert stages <= {"handed_over", "unsold"}, (seed, stages)
        assert court.clerk.stats.late > 0  # the clerk was late, yet no lot waits
