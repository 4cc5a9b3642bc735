"""过户 (measure 15) of frozen equity and securities: the 成交 / 抵债 ruling's 协助执行通知书 (seed 004 节点三十,
"标的物所有权自裁定送达买受人或者接受抵债物的债权人时转移") reaches the equity registry (市场监管) and 中国结算 too.
Their freeze (01) holds an amount, which may be part of the holding: a freeze of the whole transfers the holding (it
leaves the debtor's holdings, the 轮候 freezes behind it end, as for a flat); a freeze of part transfers that part —
the holding's value is reduced by it and stays the debtor's (a later query reports the remainder, a new freeze on it
is taken), the freeze ends ``transferred`` and the other measures on the holding stay: an active one keeps what it
holds, a 轮候 one keeps waiting on the remainder (unconfirmed: mock_agencies/ledger.py "Transfer of a frozen part").
Money is still deducted, never transferred. The deliberate defects ``transfer_keeps_holding`` /
``transfer_keeps_queued`` show on equity too. Before: equity and securities refused 15 (422) and the court released
their freeze (04) after the sale — the sold shares stayed the debtor's at the registry. tests/fidelity_audit.md N30-TE.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core_flow.errors import UserError
from core_flow.protocol import AssetKind, FreezeState, Holding, Measure
from mock_agencies.backend import CODE_OK, CODE_REFUSED, AgencyBackend
from mock_agencies.catalogue import load_catalogue
from mock_agencies.identity import make_id_number
from mock_agencies.ledger import CST, Ledger
from mock_agencies.world import World
from tests.test_agencies_api import NS, make_client, person
from tests.test_transfer_registry import _answered, req, run, ticket, transfer

T0 = datetime(2025, 6, 2, 9, 30, tzinfo=CST)
DEBTOR = make_id_number("410811", date(1982, 7, 1), 33)  # (the debtor test_transfer_registry's req names)
EQ, SEC = "equity_registry", "csdc"
SHARES, STOCK, ACC = "GQ-410811-0001", "ZQ-A-0001", "6222020000000001"
VALUE = 10_000_000  # 100,000 yuan of equity


@pytest.fixture
def backend() -> AgencyBackend:
    catalogue = load_catalogue()
    world = World(seed=3, size=10, catalogue=catalogue)
    world.pin(DEBTOR, EQ, [Holding(account_no=SHARES, kind=AssetKind.EQUITY, balance_cents=VALUE,
                                   available_cents=VALUE)])
    world.pin(DEBTOR, SEC, [Holding(account_no=STOCK, kind=AssetKind.SECURITIES, balance_cents=VALUE,
                                    available_cents=VALUE)])
    world.pin(DEBTOR, "icbc", [Holding(account_no=ACC, kind=AssetKind.DEPOSIT, balance_cents=100_000,
                                       available_cents=100_000)])
    return AgencyBackend(catalogue, world, Ledger(world))


def freeze(agency: str, account: str, amount: int, court: str = "J1"):
    return req(Measure.FREEZE, court=court, account_no=account, amount_cents=amount)


@pytest.mark.parametrize("agency", [EQ, SEC])
def test_equity_and_securities_publish_the_transfer(backend, agency):
    assert backend.catalogue.get(agency).supports(Measure.TRANSFER)


def test_a_freeze_of_the_whole_holding_transfers_it_and_ends_the_freezes_queued_behind(backend):
    ledger = backend.ledger
    whole = run(backend, EQ, freeze(EQ, SHARES, VALUE))
    queued = run(backend, EQ, freeze(EQ, SHARES, 3_000_000, court="J2"))
    assert (whole.amount_controlled_cents, queued.freeze_state) == (VALUE, FreezeState.QUEUED)
    fb = run(backend, EQ, transfer(whole.freeze_id, owner="买受人 B1", account_no=SHARES), T0 + timedelta(days=1))
    assert (fb.ok, fb.code, fb.freeze_state) == (True, CODE_OK, FreezeState.TRANSFERRED)
    assert [v.state for v in ledger.freezes_of(EQ, SHARES)] == [FreezeState.TRANSFERRED] * 2
    assert ledger.transferred(EQ, SHARES)[0] == "买受人 B1"
    assert ledger.holdings(EQ, DEBTOR, T0 + timedelta(days=2)) == ()
    query = run(backend, EQ, req(Measure.QUERY), T0 + timedelta(days=2))
    assert query.ok and query.holdings == ()
    with pytest.raises(UserError) as err:  # a new freeze of the sold shares
        backend.validate(EQ, freeze(EQ, SHARES, 1_000, court="J3"))
    assert err.value.code == "conflict" and "过户至 买受人 B1" in err.value.zh


def test_a_freeze_of_part_transfers_that_part_the_remainder_stays_the_debtors(backend):
    ledger = backend.ledger
    total = ledger.total_cents()
    part = run(backend, EQ, freeze(EQ, SHARES, 4_000_000))
    assert part.amount_controlled_cents == 4_000_000
    fb = run(backend, EQ, transfer(part.freeze_id, owner="买受人 B2", account_no=SHARES), T0 + timedelta(days=1))
    assert (fb.ok, fb.freeze_state) == (True, FreezeState.TRANSFERRED)
    assert "4000000" in fb.message and "6000000" in fb.message and "remain the debtor's" in fb.message
    assert ledger.transferred(EQ, SHARES) is None  # the holding is still the debtor's
    # a later query (a 终本 sweep's) reports the remainder, all of it free
    (left,) = ledger.holdings(EQ, DEBTOR, T0 + timedelta(days=2))
    assert (left.account_no, left.balance_cents, left.available_cents, left.existing_freezes) == (
        SHARES, 6_000_000, 6_000_000, ())
    query = run(backend, EQ, req(Measure.QUERY), T0 + timedelta(days=2))
    assert [(h.account_no, h.balance_cents) for h in query.holdings] == [(SHARES, 6_000_000)]
    # the sold part's value is the buyer's: it stays in the ledger (conserved), not in the debtor's holding
    assert ledger.total_cents() == ledger.origin_cents()
    assert total == 0 and ledger.total_cents() == VALUE + ledger.court_accounts.total_cents()
    # the remainder can be frozen (and sold) anew; the transferred freeze cannot be transferred again
    again = run(backend, EQ, freeze(EQ, SHARES, 9_000_000, court="J3"), T0 + timedelta(days=3))
    assert (again.amount_controlled_cents, again.unsecured_remainder_cents) == (6_000_000, 3_000_000)
    with pytest.raises(UserError):
        backend.validate(EQ, transfer(part.freeze_id, owner="王五"))
    second = run(backend, EQ, transfer(again.freeze_id, court="J3", owner="买受人 B3"), T0 + timedelta(days=4))
    assert second.ok and ledger.transferred(EQ, SHARES)[0] == "买受人 B3"  # the whole remainder: it leaves
    assert ledger.holdings(EQ, DEBTOR, T0 + timedelta(days=5)) == ()


def test_after_a_part_transfer_the_other_courts_measures_stay_on_the_remainder_and_queued_ones_keep_waiting(backend):
    """Court J1 froze 4/10, J2 the other 6/10, J3 queued for 2/10 behind them: J1 sells its part. J2 keeps its 6, J3
    keeps waiting (first in the queue) and takes effect when J2's freeze is released."""
    ledger = backend.ledger
    j1 = run(backend, SEC, freeze(SEC, STOCK, 4_000_000))
    j2 = run(backend, SEC, freeze(SEC, STOCK, 6_000_000, court="J2"))
    j3 = run(backend, SEC, freeze(SEC, STOCK, 2_000_000, court="J3"))
    assert (j2.amount_controlled_cents, j3.freeze_state, j3.queue_position) == (6_000_000, FreezeState.QUEUED, 1)
    fb = run(backend, SEC, transfer(j1.freeze_id, owner="买受人 B4"), T0 + timedelta(days=1))
    assert fb.ok and fb.freeze_state == FreezeState.TRANSFERRED
    assert [(e.freeze_id, e.state, e.amount_cents) for e in fb.existing_freezes] == [
        (j2.freeze_id, FreezeState.ACTIVE, 6_000_000), (j3.freeze_id, FreezeState.QUEUED, 2_000_000)]
    views = {v.freeze_id: v for v in ledger.freezes_of(SEC, STOCK)}
    assert views[j1.freeze_id].state == FreezeState.TRANSFERRED
    assert (views[j2.freeze_id].state, views[j2.freeze_id].controlled_cents) == (FreezeState.ACTIVE, 6_000_000)
    assert (views[j3.freeze_id].state, views[j3.freeze_id].queue_position) == (FreezeState.QUEUED, 1)
    (left,) = ledger.holdings(SEC, DEBTOR, T0 + timedelta(days=1))
    assert (left.balance_cents, left.available_cents) == (6_000_000, 0)
    run(backend, SEC, req(Measure.UNFREEZE, court="J2", freeze_id=j2.freeze_id), T0 + timedelta(days=2))
    promoted = ledger.get_freeze(j3.freeze_id)
    assert (promoted.state, promoted.controlled_cents) == (FreezeState.ACTIVE, 2_000_000)


def test_money_is_still_deducted_not_transferred(backend):
    frozen = run(backend, "icbc", freeze("icbc", ACC, 50_000))
    assert not backend.catalogue.get("icbc").supports(Measure.TRANSFER)
    with pytest.raises(UserError) as err:  # at the ledger, whatever an agency publishes
        backend.ledger.transfer(agency="icbc", freeze_id=frozen.freeze_id, new_owner="李四", request_no="X1", now=T0)
    assert err.value.code == "conflict" and "扣划" in err.value.zh and "deducted" in err.value.en


def test_the_transfer_defects_show_on_equity(backend):
    ledger = backend.ledger
    ledger.transfer_keeps_holding = True  # a part: the remainder is reported as if nothing were sold
    part = run(backend, EQ, freeze(EQ, SHARES, 4_000_000))
    assert run(backend, EQ, transfer(part.freeze_id)).ok
    (kept,) = ledger.holdings(EQ, DEBTOR, T0)
    assert kept.balance_cents == VALUE
    ledger.transfer_keeps_holding, ledger.transfer_keeps_queued = False, True  # the whole: the 轮候 freeze stays
    whole = run(backend, SEC, freeze(SEC, STOCK, VALUE))
    queued = run(backend, SEC, freeze(SEC, STOCK, 1_000, court="J2"))
    assert run(backend, SEC, transfer(whole.freeze_id)).ok
    assert ledger.get_freeze(queued.freeze_id).state == FreezeState.QUEUED
    release = run(backend, SEC, req(Measure.UNFREEZE, court="J2", freeze_id=queued.freeze_id))
    assert release.ok and release.freeze_state == FreezeState.RELEASED  # releasable: it was never ended


def test_a_transfer_answered_again_after_the_part_left_changes_nothing(backend):
    part = run(backend, EQ, freeze(EQ, SHARES, 4_000_000))
    r = transfer(part.freeze_id)
    first = run(backend, EQ, r)
    again = backend.answer(EQ, r, ticket(EQ, r), T0 + timedelta(hours=1))  # the same request answered twice
    assert again is not None and again.ok and again.message == first.message
    (left,) = backend.ledger.holdings(EQ, DEBTOR, T0 + timedelta(hours=2))
    assert left.balance_cents == 6_000_000
    other = transfer(part.freeze_id, owner="王五")  # another request under the ended freeze: refused at submission
    with pytest.raises(UserError) as err:
        backend.validate(EQ, other)
    assert err.value.code == "conflict" and "已过户" in err.value.zh
    late = backend.answer(EQ, other, ticket(EQ, other), T0 + timedelta(hours=3))  # (accepted before: on answer)
    assert late is not None and not late.ok and late.code == CODE_REFUSED


# ── over the agencies' HTTP API ─────────────────────────────────────────────────────────────────
async def test_part_of_the_equity_transferred_over_the_api_the_remainder_is_reported() -> None:
    async with make_client() as client:
        ns = NS(client, "transfer-equity")
        await ns.create(profile="fast", seed=3)
        d = await person(ns)
        shares = {"account_no": "GQ-HTTP-1", "kind": "equity", "balance_cents": VALUE, "available_cents": VALUE}
        r = await ns.c.put(f"/admin/sessions/{ns.name}/pins", json={"agency": EQ, "id_number": d["id_number"],
                                                                     "holdings": [shares]})
        assert r.status_code == 200, r.text
        frozen = await _answered(ns, EQ, ns.body(d, "01", account_no="GQ-HTTP-1", amount_cents=2_500_000))
        assert frozen["ok"] and frozen["amount_controlled_cents"] == 2_500_000
        fb = await _answered(ns, EQ, ns.body(d, "15", freeze_id=frozen["freeze_id"], new_owner="买受人 B5",
                                             account_no="GQ-HTTP-1"))
        assert fb["ok"] and fb["code"] == "0000" and fb["freeze_state"] == "transferred"
        held = await ns.holdings(EQ, d)
        assert [(h["account_no"], h["balance_cents"]) for h in held] == [("GQ-HTTP-1", 7_500_000)]
        query = await _answered(ns, EQ, ns.body(d, "00"))
        assert [h["balance_cents"] for h in query["holdings"]] == [7_500_000]
        again = await ns.submit(EQ, ns.body(d, "15", freeze_id=frozen["freeze_id"], new_owner="王五"))
        assert again.status_code == 409


def test_a_freeze_released_before_its_ruling_was_registered_transfers_the_part_it_held_as_far_as_it_is_free(backend):
    """The case closed (执行完毕) and released its freeze before the 过户 reached the registry: the ruling still
    transfers the part the freeze held when released — as far as no other measure took it meanwhile; all taken:
    refused."""
    ledger = backend.ledger
    part = run(backend, EQ, freeze(EQ, SHARES, 4_000_000))
    run(backend, EQ, req(Measure.UNFREEZE, freeze_id=part.freeze_id))
    fb = run(backend, EQ, transfer(part.freeze_id, owner="买受人 B6"), T0 + timedelta(days=1))
    assert fb.ok and fb.freeze_state == FreezeState.RELEASED  # stays released, as a seal does
    (left,) = ledger.holdings(EQ, DEBTOR, T0 + timedelta(days=1))
    assert left.balance_cents == 6_000_000 and ledger.total_cents() == ledger.origin_cents()
    # its part left with that ruling: another request under the same ended freeze moves nothing more
    twice = run(backend, EQ, transfer(part.freeze_id, owner="王五"), T0 + timedelta(days=2))
    assert not twice.ok and twice.code == CODE_REFUSED and "gone" in twice.message
    (still,) = ledger.holdings(EQ, DEBTOR, T0 + timedelta(days=2))
    assert still.balance_cents == 6_000_000 and ledger.total_cents() == ledger.origin_cents()
    # at 中国结算: released, then another court froze everything: nothing of the part is free
    sold = run(backend, SEC, freeze(SEC, STOCK, 4_000_000))
    run(backend, SEC, req(Measure.UNFREEZE, freeze_id=sold.freeze_id))
    run(backend, SEC, freeze(SEC, STOCK, VALUE, court="J2"))
    late = run(backend, SEC, transfer(sold.freeze_id), T0 + timedelta(days=1))
    assert not late.ok and late.code == CODE_REFUSED and "held by other measures" in late.message
    (kept,) = ledger.holdings(SEC, DEBTOR, T0 + timedelta(days=1))
    assert kept.balance_cents == VALUE
