"""Integration: the platform against the live mock agencies (uvicorn on loopback, real HTTP, callbacks to the
platform's receiver), realistic profile, with and without 30% injected submit faults. Every 集约查询 completes
exactly once, and the case, the agencies' ledgers and the court's 一案一账号 reconcile to the cent.

Time is compressed (1,000,000×); the tests wait for conditions (bounded), never for a fixed time."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import EventKind, answered_agencies
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from sim.live import live_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)
FAULTS_30 = {"*": {"faults": {"error_5xx": 0.1, "timeout": 0.05, "reset": 0.05, "rate_limit": 0.1}}}
CASES = 6

pytestmark = pytest.mark.slow


def _inquiries_done(lc) -> bool:
    cases = lc.runtime.cases
    return len(cases) >= CASES and all(
        st.inquiries and not any(st.outstanding(d) for d in st.identity) for st in cases.values()
        if st.case_type == "first")


def _settled(lc) -> bool:
    """Every request answered and every receipt paid out."""
    return not lc.gateway.pending and all(r.paid_cents == r.amount_cents for st in lc.runtime.cases.values()
                                          for r in st.receipts.values())


@pytest.mark.parametrize("overrides", [None, FAULTS_30], ids=["realistic", "realistic+30%faults"])
async def test_inquiries_complete_exactly_once_and_money_reconciles(overrides):
    async with live_court(ORIGIN, scale=1_000_000, seed=11, profile="realistic", overrides=overrides,
                          world_size=20_000, diligence=1.0, identity_failure_rate=0.0) as lc:
        before = lc.session.ledger.total_cents()
        for n in range(CASES):
            d = lc.session.world.debtor(n)
            lc.platform.file(c.FileCase(f"IT{n}", debtors=(d.id_number,), amount_cents=30_000_00), [d.subject()])
        assert await lc.wait_for(lambda: _inquiries_done(lc), timeout=60), lc.gateway.stats()

        # every in-scope agency answered exactly once, for every case; nothing outside the scope was asked
        for k, st in lc.runtime.cases.items():
            debtor = next(iter(st.identity))
            scope = [a.code for a in inquiry_scope(lc.platform.directory, debtor, "410811",
                                                   lc.platform.subjects[debtor].kind)]
            started = [e.data["agencies"] for e in lc.runtime.case_events(k) if e.kind == EventKind.INQUIRY_STARTED]
            answered = Counter(a for e in lc.runtime.case_events(k) for a in answered_agencies(e))
            assert started == [scope]
            assert answered == Counter(scope), k
        # the agencies accepted each request number once, however often it was retried
        per_request = Counter(rec.request.request_no for rec in lc.session.tickets.values())
        assert per_request and max(per_request.values()) == 1
        if overrides is not None:
            exchanges = Counter(e.data["kind"] for e in lc.runtime.events if e.kind == EventKind.EXCHANGE)
            assert exchanges["retry_scheduled"] > 0  # the faults happened, and were retried

        # 90 days on (8 s at this speed) the clerk has frozen, deducted and paid what it could
        horizon = ORIGIN + timedelta(days=90)
        assert await lc.wait_for(lambda: lc.clock.now() >= horizon and _settled(lc), timeout=60), (
            lc.gateway.stats()["by_state"], lc.gateway.stats()["failed"])
        # reconcile: case ↔ agencies' ledgers ↔ court account, to the cent
        ledger, accounts = lc.session.ledger, lc.session.ledger.court_accounts
        paid = 0
        for k, st in lc.runtime.cases.items():
            for asset in st.assets.values():
                view = ledger.get_freeze(asset.freeze_id)
                assert view.deducted_cents == asset.deducted_cents, (k, asset)
                if not asset.released:
                    assert view.controlled_cents + view.pending_deduction_cents == \
                        asset.frozen_cents - asset.deducted_cents, (k, asset)
            amounts = st.amounts()
            assert accounts.balance(lc.platform.sub_accounts[k]) == amounts["account_cents"], k
            assert lc.platform.reconcile(k)["ok"]
            paid += amounts["paid_cents"]
        assert accounts.paid_out_cents == paid
        assert paid > 0 and any(st.assets for st in lc.runtime.cases.values())  # money really flowed
        assert ledger.total_cents() == ledger.origin_cents()  # no money created or destroyed
        assert ledger.total_cents() >= before
