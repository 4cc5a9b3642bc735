"""The court's side of 过户 (node 30) for frozen equity: the equity registry takes 15 now, so the ruling's
协助执行通知书 goes to it naming the court's freeze and the buyer, and its answer ends the freeze (no 解除冻结 04 is
sent). Frozen whole, the shares leave the debtor (a later query finds nothing, the lot gives way: no memory needed);
frozen in part (the claim is less than the holding), the part is what is priced and sold, it leaves and a later query
reports the remainder — the debtor's, uncontrolled, a new lot if frozen again. Before: equity took no 15, the court
released its freeze (04) and the sold shares stayed the debtor's at the registry, hidden from the court only by its
own memory; and the whole holding was priced, though the court had frozen (and sold) part of it.
tests/fidelity_audit.md N30-TE.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import commands as c
from core_flow.protocol import AssetKind, FreezeState, Holding, Measure
from mock_agencies.auction import BidderModel
from mock_agencies.disposal_port import SessionDisposalPort
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court
from tests.test_disposal import CLAIM, ORIGIN, Case
from tests.test_transfer_disposal import _sent

EQ = "equity_registry"


class EquityCase(Case):
    """A case whose debtor holds equity worth ``value``: found by a query of the equity registry and frozen up to the
    claim (the whole holding if it is worth less), then disposed of as an other property right."""

    def __init__(self, value: int, *, seed: int = 5) -> None:  # (Case's, with a holding of equity)
        self.court = court = build_virtual_court(ORIGIN, seed=seed, clerk=False)
        self.p, self.d = court.platform, court.platform.disposal
        self.d.port = SessionDisposalPort(court.session)
        court.session.auction.model = BidderModel(max_bidders=0)
        world = court.session.world
        i = 0
        while (debtor := world.debtor(i)).kind != "person":
            i += 1
        self.debtor = debtor
        for a in inquiry_scope(self.p.directory, debtor.id_number, self.p.court.region, debtor.kind):
            world.pin(debtor.id_number, a.code, [])
        holding = Holding(account_no=account_number(EQ, AssetKind.EQUITY, debtor.id_number, 1), kind=AssetKind.EQUITY,
                          balance_cents=value, available_cents=value, description="有限公司股权 / shares of a company")
        world.pin(debtor.id_number, EQ, [holding])
        self.agency, self.value, self.holding = EQ, value, holding
        self.asset = f"{EQ}:{holding.account_no}"
        self.k = "K1"
        self.p.file(c.FileCase(self.k, debtors=(debtor.id_number,), amount_cents=CLAIM), [debtor.subject()])
        self.p.submit(c.Assign(self.k, "张法官"))
        self.p.submit(c.VerifyIdentity(self.k, debtor.id_number, True))
        court.run_for(timedelta(days=1))
        assert self.p.manual_query(self.k, debtor.id_number, EQ).accepted
        court.run_for(timedelta(days=1))

    def seal(self):  # a freeze (01) up to the claim: the lot starts sealed (Disposal.frozen)
        self.p.freeze(self.k, self.asset, min(CLAIM, self.value))
        self.court.run_for(timedelta(days=2))
        assert self.lot.stage == "sealed"
        return self


    def price(self):  # (the pricing platform may take longer to price shares than a flat: ask until reported)
        self.d.investigate(self.k, self.asset)
        self.d.price(self.k, self.asset)
        for _ in range(40):
            self.court.run_for(timedelta(days=1))
            if self.lot.stage == "reported":
                break
        assert self.lot.stage == "reported"
        self.d.serve_report(self.k, self.asset)
        return self


def _sold_and_transferred(case: EquityCase) -> EquityCase:
    case.fixed().listed()
    case.bid("B7")
    case.until_closed()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "paid"
    case.d.confirm_sale(case.k, case.asset)
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    return case


def _queried(case: EquityCase) -> tuple:
    assert case.p.manual_query(case.k, case.debtor.id_number, EQ).accepted
    case.court.run_for(timedelta(days=2))
    return case.p.holdings[(case.k, case.debtor.id_number, EQ)]


@pytest.mark.parametrize("value", [200_000_00, 800_000_00], ids=["whole", "part"])
def test_sold_equity_is_transferred_by_the_registry_and_the_freeze_ends_with_it(value):
    case = _sold_and_transferred(EquityCase(value))
    ledger = case.court.session.ledger
    # priced is what the freeze controls — the part sold, not the whole holding (mock_agencies/asset_value.py)
    assert 0.8 * min(value, CLAIM) < case.lot.reference_price_cents < 1.2 * min(value, CLAIM)
    freeze = ledger.find_freeze(case.state.assets[case.asset].freeze_id)
    assert freeze.state == FreezeState.TRANSFERRED  # ended by the registry's 过户, not released
    assert len(_sent(case, "transfer")) == 1 and _sent(case, "unfreeze") == []
    assert case.state.assets[case.asset].released and case.lot.registered
    case.d.hand_over(case.k, case.asset)
    recon = case.p.reconcile(case.k)
    assert recon["ok"] and recon["frozen_cents"] == 0
    assert ledger.total_cents() == ledger.origin_cents()
    left = _queried(case)
    if value <= CLAIM:  # frozen whole: the shares are the buyer's, not reported under the debtor
        assert ledger.transferred(EQ, case.holding.account_no)[0] == "买受人 B7"
        assert left == ()
    else:  # frozen in part: the part sold left; the remainder is reported, free
        assert ledger.transferred(EQ, case.holding.account_no) is None
        assert [(h.account_no, h.balance_cents, h.available_cents) for h in left] == [
            (case.holding.account_no, value - CLAIM, value - CLAIM)]


def test_the_remainder_frozen_again_is_a_new_lot():
    case = _sold_and_transferred(EquityCase(800_000_00))
    case.d.hand_over(case.k, case.asset)
    old = case.lot
    _queried(case)
    case.p.freeze(case.k, case.asset, 100_000_00)
    case.court.run_for(timedelta(days=2))
    assert case.lot is not old and case.lot.stage == "sealed"
    assert case.state.assets[case.asset].active


def test_where_the_registry_takes_no_transfer_the_freeze_is_released_and_the_sold_shares_are_no_new_lot(monkeypatch):
    """A catalogue whose equity registry takes no 15 (remove it from agencies.yaml): the court releases its freeze (04)
    as before, the registry still reports the sold shares under the debtor, and a freeze of them again makes no second
    lot — the court's record that they were sold counts (``Disposal.frozen`` asks what ``_gives_way`` asks)."""
    case = EquityCase(200_000_00)
    takes = case.p.can
    monkeypatch.setattr(case.p, "can", lambda agency, m: m != Measure.TRANSFER and takes(agency, m))
    _sold_and_transferred(case)
    assert _sent(case, "transfer") == [] and len(_sent(case, "unfreeze")) == 1
    assert case.state.assets[case.asset].released and not case.lot.registered
    case.d.hand_over(case.k, case.asset)
    sold = case.lot
    assert [h.account_no for h in _queried(case)] == [case.holding.account_no]  # still listed: no 过户 recorded
    case.p.freeze(case.k, case.asset, 100_000_00)
    case.court.run_for(timedelta(days=2))
    assert case.lot is sold and case.lot.stage == "handed_over"
