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

from core_flow.protocol import AssetKind, FreezeState, Measure
from tests.test_disposal import CLAIM, Case
from tests.test_transfer_disposal import _sent

EQ = "equity_registry"


class EquityCase(Case):
    """A case whose debtor holds equity worth ``value``: found by a query of the equity registry and frozen up to the
    claim (the whole holding if it is worth less), then disposed of as an other property right."""

    def __init__(self, value: int, *, seed: int = 5) -> None:
        super().__init__(seed=seed, holding_of=(EQ, AssetKind.EQUITY, value, "有限公司股权 / shares of a company"))

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
