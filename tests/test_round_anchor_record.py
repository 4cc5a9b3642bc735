"""A round anchor (the release gate's ROUND_IN_BIDDING round_starts / round_ends) is per asset: a ``Record`` of one
without an instance is refused (ANCHOR_NEEDS_ASSET), bilingual, naming the asset as what is missing — before, the
engine took it and the release gate silently ignored it (review R20 F3). With the asset it is taken as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import commands as c
from core_flow.refusals import REFUSALS
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
FLAT = "real_estate_registry:F1"
ROUND_ANCHORS = ("auction_scheduled", "second_auction_scheduled", "sale_period_scheduled", "first_unsold",
                 "second_unsold", "listing_withdrawn", "sale_paid", "buyer_defaulted")


@pytest.fixture
def rt(make_runtime):
    runtime = make_runtime(FILED)
    assert runtime.submit(c.FileCase("K", debtors=("D1",), amount_cents=2_000_000_00)).accepted
    return runtime


def test_the_default_process_gates_on_these_rounds(rt):
    gate = [g for g in rt.engine.process.release_gate if g.round_starts]
    assert gate, "the default process has the release gate's round condition"
    assert set(ROUND_ANCHORS) == set(gate[0].round_starts) | set(gate[0].round_ends)


@pytest.mark.parametrize("anchor", ROUND_ANCHORS)
def test_a_round_anchor_without_the_asset_is_refused(rt, anchor):
    out = rt.submit(c.Record("K", anchor, None, at=rt.clock.now() + timedelta(days=20)))
    assert not out.accepted
    assert out.refusal is not None and out.refusal.code == "ANCHOR_NEEDS_ASSET", out.refusal
    assert anchor in out.refusal.zh and "财产" in out.refusal.zh
    assert anchor in out.refusal.en and "asset" in out.refusal.en and "instance" in out.refusal.en
    assert "ANCHOR_NEEDS_ASSET" in REFUSALS
    assert not rt.cases["K"].rounds


def test_with_the_asset_it_is_taken_and_the_round_kept(rt):
    at = rt.clock.now() + timedelta(days=20)
    out = rt.submit(c.Record("K", "auction_scheduled", FLAT, at=at))
    assert out.accepted, out.refusal
    assert rt.cases["K"].rounds[FLAT][0] == "auction_scheduled"


def test_other_anchors_still_need_no_instance(rt):
    assert rt.submit(c.Record("K", "announcement_scheduled", None, at=rt.clock.now())).accepted
