"""终本 gate, 终本规定 第一条第（三）项 ("nothing found, or what was found cannot be disposed of"): property found and
controlled that is still being disposed of — a sealed flat priced, listed, auctioned again, offered in kind, in 变卖 —
or deposits frozen and not yet 划拨'd hold up 终本 (PROPERTY_IN_DISPOSAL, naming the asset and its open nodes); the
property proved not disposable (two 流拍, refused in kind, 变卖 ended unsold), its measure released or lapsed, or
a 轮候 that controls nothing, do not. The engine's 终本 took every such case before (only money in the case account
held it up)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import commands as c
from core_flow.model import GateCondition
from core_flow.process_loader import parse_process
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
READY = cst(2025, 6, 4, 10, 0)  # more than 3 months since filing
FLAT = "real_estate_registry:F1"
DEPOSIT = "icbc:6222"


@pytest.fixture
def rt(make_runtime):
    runtime = make_runtime(FILED)
    assert runtime.submit(c.FileCase("K", debtors=("D1",), amount_cents=2_000_000_00)).accepted
    for node in (3, 7, 9, 10, 18):
        assert runtime.submit(c.CompleteNode("K", node)).accepted
    assert runtime.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    return runtime


def zhongben(rt):
    return rt.submit(c.Close("K", "终本", reviewed_by="审判管理办公室"))


def refused_for_disposal(out) -> str:
    assert out.refusal is not None and out.refusal.code == "ZHONGBEN_GATE", out.refusal
    assert out.refusal.details == ("PROPERTY_IN_DISPOSAL",), out.refusal.details
    return out.refusal.zh + " | " + out.refusal.en


def ok(rt, *cmds):
    for cmd in cmds:
        out = rt.submit(cmd)
        assert out.accepted, (cmd, out.refusal)


def seal(rt, asset=FLAT, expires_at=None):
    ok(rt, c.FreezeConfirmed("K", asset, asset.split(":")[0], 800_000_00, freeze_id="S1", measure="seal",
                             expires_at=expires_at or cst(2028, 3, 1)))


def to_second_unsold(rt, asset=FLAT):
    """Sealed, investigated, priced, listed, two 流拍 (each step as the disposal platform drives the engine)."""
    seal(rt, asset)
    ok(rt, c.CompleteNode("K", 19, asset), c.StartNode("K", 20, asset),
       c.Record("K", "report_received", asset), c.CompleteNode("K", 21, asset),
       c.Record("K", "reference_price_fixed", asset), c.CompleteNode("K", 20, asset),
       c.Record("K", "announcement_scheduled", asset, at=rt.clock.now() + timedelta(days=3)),
       c.CompleteNode("K", 24, asset), c.CompleteNode("K", 23, asset),
       c.Record("K", "auction_scheduled", asset, at=rt.clock.now() + timedelta(days=40),
                attrs={"asset_kind": "real_estate"}),
       c.CompleteNode("K", 25, asset))
    listed = zhongben(rt)
    ok(rt, c.Record("K", "first_unsold", asset), c.StartNode("K", 26, asset),
       c.Record("K", "second_auction_scheduled", asset, at=rt.clock.now() + timedelta(days=20),
                attrs={"asset_kind": "real_estate"}),
       c.CompleteNode("K", 26, asset), c.Record("K", "second_unsold", asset))
    return listed


def test_a_sealed_flat_waiting_for_its_disposal_is_not_closed_by_zhongben(rt):
    rt.clock.run_until(READY)
    seal(rt)
    text = refused_for_disposal(zhongben(rt))  # sealed, its investigation and price to come
    assert FLAT in text and "节点19" in text and "节点20" in text and "node 20" in text
    assert rt.cases["K"].closed_manner is None


def test_a_flat_in_an_open_auction_is_not_closed_by_zhongben(rt):
    rt.clock.run_until(READY)
    listed = to_second_unsold(rt)
    # listed, waiting for the bidding: no node has work open, but the disposal has not ended (28 / 30)
    text = refused_for_disposal(listed)
    assert FLAT in text and "处置尚未终结" in text and "node 30" in text
    # after the second 流拍: 以物抵债 asked (29) — still open
    assert "节点29" in refused_for_disposal(zhongben(rt))
    assert rt.cases["K"].closed_manner is None


def test_zhongben_after_two_unsold_auctions_the_refusal_in_kind_and_an_unsold_sale(rt):
    rt.clock.run_until(READY)
    to_second_unsold(rt)
    ok(rt, c.CompleteNode("K", 29, FLAT), c.Record("K", "creditor_refused", FLAT))
    assert "节点28" in refused_for_disposal(zhongben(rt))  # 变卖 to be announced within 15 days
    ok(rt, c.CompleteItem("K", 28, "announce", FLAT),
       c.Record("K", "sale_period_scheduled", FLAT, at=rt.clock.now() + timedelta(days=16),
                attrs={"asset_kind": "real_estate"}),
       c.CompleteItem("K", 28, "lead_time", FLAT))
    assert "节点28" in refused_for_disposal(zhongben(rt))  # the 变卖 period runs
    ok(rt, c.CompleteNode("K", 28, FLAT))  # 变卖 ended unsold: the flat cannot be disposed of
    assert zhongben(rt).accepted
    assert rt.cases["K"].assets[FLAT].active  # the seal continues after 终本 (seed 004 终本案件 第6项)


def test_a_flat_taken_in_kind_holds_zhongben_until_handed_over(rt):
    rt.clock.run_until(READY)
    to_second_unsold(rt)
    ok(rt, c.CompleteNode("K", 29, FLAT), c.Record("K", "sale_confirmed", FLAT),
       c.SatisfiedInKind("K", FLAT, 500_000_00))
    assert "节点30" in refused_for_disposal(zhongben(rt))
    ok(rt, c.CompleteNode("K", 30, FLAT))
    assert zhongben(rt).accepted


def test_a_released_seal_no_longer_holds_zhongben(rt):
    rt.clock.run_until(READY)
    seal(rt)
    refused_for_disposal(zhongben(rt))
    ok(rt, c.FreezeReleased("K", FLAT))
    assert zhongben(rt).accepted


def test_a_lapsed_seal_no_longer_holds_zhongben(rt):
    rt.clock.run_until(READY)
    seal(rt, expires_at=READY + timedelta(days=2))
    refused_for_disposal(zhongben(rt))
    rt.clock.run_until(READY + timedelta(days=3))  # not renewed: it lapsed (查封扣押冻结规定 第二十七条)
    assert zhongben(rt).accepted


def test_deposits_frozen_and_not_deducted_hold_zhongben_until_deducted_and_paid_out(rt):
    rt.clock.run_until(READY)
    ok(rt, c.FreezeConfirmed("K", DEPOSIT, "icbc", 30_000_00, freeze_id="F1", expires_at=cst(2026, 6, 1)))
    text = refused_for_disposal(zhongben(rt))
    assert DEPOSIT in text and "节点31" in text and "node 31" in text
    ok(rt, c.DeductionConfirmed("K", DEPOSIT, 10_000_00, "R1"))  # part of it
    out = zhongben(rt)
    assert set(out.refusal.details) == {"PROPERTY_IN_DISPOSAL", "MONEY_IN_ACCOUNT"}
    assert "2000000 分未扣划" in out.refusal.zh and "2000000 cents frozen not deducted" in out.refusal.en
    ok(rt, c.DeductionConfirmed("K", DEPOSIT, 20_000_00, "R2"))
    for receipt, amount in (("R1", 10_000_00), ("R2", 20_000_00)):
        ok(rt, c.RegisterReceipt("K", receipt), c.ApprovePayout("K", receipt, "执行局长"),
           c.ApprovePayout("K", receipt, "分管副院长"), c.PayOut("K", receipt, amount))
    assert zhongben(rt).accepted


def test_a_released_freeze_no_longer_holds_zhongben(rt):
    rt.clock.run_until(READY)
    ok(rt, c.FreezeConfirmed("K", DEPOSIT, "icbc", 30_000_00, freeze_id="F1"))
    refused_for_disposal(zhongben(rt))
    ok(rt, c.FreezeReleased("K", DEPOSIT))
    assert zhongben(rt).accepted


def test_a_queued_freeze_and_property_not_yet_controlled_do_not_hold_zhongben(rt):
    """A 轮候 controls nothing until the measure before it ends (the first court disposes of the property); property
    found and not yet controlled is node 17's (its own deadline freezes it when missed)."""
    rt.clock.run_until(READY)
    ok(rt, c.FreezeQueued("K", DEPOSIT, "icbc", "Q1", queue_position=2),
       c.Record("K", "property_found_online", "icbc:other"))
    assert zhongben(rt).accepted


def test_the_condition_is_data(process):
    cond = next(g for g in process.zhongben_gate if g.code == "PROPERTY_IN_DISPOSAL")
    assert cond.disposal_nodes == (19, 31) and cond.disposal_ends == (28, 30)
    with pytest.raises(ValueError, match="first ≤ last"):
        GateCondition(code="X", zh="x", en="x", disposal_nodes=(31, 19))
    with pytest.raises(ValueError, match="disposal_ends"):
        GateCondition(code="X", zh="x", en="x", disposal_nodes=(19, 29), disposal_ends=(30,))
    with pytest.raises(ValueError, match="exactly one"):
        GateCondition(code="X", zh="x", en="x", disposal_nodes=(19, 31), node=18)


def test_unknown_disposal_nodes_are_refused_at_load():
    from pathlib import Path

    import core_flow

    text = (Path(core_flow.__file__).parent / "data" / "process.yaml").read_text(encoding="utf-8")
    bad = text.replace("disposal_nodes: [19, 31], disposal_ends: [28, 30]", "disposal_nodes: [19, 99]")
    assert bad != text
    with pytest.raises(Exception, match="99"):
        parse_process(bad, "<bad>")
