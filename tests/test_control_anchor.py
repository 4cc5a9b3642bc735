"""What a control measure starts (core_flow/engine/money.py ``control_anchor``): node 31 划拨 only for money.

Node 31 "对已查封、扣押、冻结的被执行人财产应当进行划拨或提取…冻结之日起七日内" (seed 004 节点三十一) deducts money into
the court's account. A freeze of 股权, 证券 or other property has nothing to deduct: it is disposed of (nodes 19–20:
调查财产状况, 参考价), so it anchors ``property_controlled`` — before, every freeze that was not a seal started node
31's 7 days, which expired and froze the node for nothing. Which kinds are money is node 31's ``asset_kinds``
(process.yaml). And in a 财产保全 case node 31 does not apply (preserved money is held for the judgment: 民诉法 (2023)
第一百零六条; seed 004 执行完毕 第3项), nor do nodes 19–20 — process.yaml overrides a court may delete.
tests/fidelity_audit.md N31-K, N31-P.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import yaml

from core_flow.clocks import SimClock
from core_flow.engine import Engine, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST, default_calendar
from core_flow.process_loader import default_process_path, parse_process
from core_flow.protocol import AssetKind, Holding
from core_flow.runtime import Runtime
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court
from tests.sim_support import debtor_with_nothing, preserved_deposit

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # Monday


def _tree() -> dict:
    return yaml.safe_load(default_process_path().read_text(encoding="utf-8"))


def _runtime(tree: dict | None = None) -> Runtime:
    process = parse_process(yaml.safe_dump(tree or _tree(), allow_unicode=True), "test")
    return Runtime(Engine(process, default_calendar()), SimClock(ORIGIN))


def _deadlines(rt: Runtime, case: str, asset: str) -> dict[tuple[int, str], str]:
    return {(e.node, e.item): e.data["period"] for e in rt.case_events(case)
            if e.kind == EventKind.DEADLINE_SET and e.instance == asset}


def _filed(rt: Runtime, case_type: str = "first") -> None:
    assert rt.submit(c.FileCase("K", case_type=case_type, debtors=("D1",))).accepted
    assert rt.submit(c.Assign("K", "张法官")).accepted
    assert rt.submit(c.StartNode("K", 3)).accepted  # the first inquiry on the filing day (node 3 does not freeze)


# ── the engine ───────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("kind", ["deposit", "balance", "wealth_product", ""])
def test_a_freeze_of_money_starts_the_deduction(kind):
    rt = _runtime()
    _filed(rt)
    assert rt.submit(c.FreezeConfirmed("K", "a", "icbc", 100_00, "F1", kind=kind)).accepted
    assert _deadlines(rt, "K", "a") == {(31, "main"): "7d"}


@pytest.mark.parametrize("kind", ["securities", "equity", "other"])
def test_a_freeze_of_other_property_starts_the_disposal_not_the_deduction(kind):
    rt = _runtime()
    _filed(rt)
    out = rt.submit(c.FreezeConfirmed("K", "a", "csdc", 500_00, "F1", kind=kind))
    assert out.accepted
    assert _deadlines(rt, "K", "a") == {(19, "main"): "10d", (20, "start"): "15d"}
    assert rt.cases["K"].status(17, "a") == NodeStatus.DONE  # the control measure is taken all the same
    rt.clock.run_until(ORIGIN + timedelta(days=9))
    assert rt.cases["K"].node(31, "a") is None  # no 划拨 to miss: nothing froze (before: node 31 frozen on day 7)
    assert not [e for e in rt.case_events("K") if e.kind == EventKind.NODE_FROZEN and e.node in (19, 20, 31)]


def test_a_seal_starts_the_disposal_whatever_its_kind():
    rt = _runtime()
    _filed(rt)
    rt.submit(c.FreezeConfirmed("K", "flat", "real_estate_registry", 800_000_00, "S1", measure="seal",
                                kind="real_estate"))
    assert _deadlines(rt, "K", "flat") == {(19, "main"): "10d", (20, "start"): "15d"}


def test_which_kinds_are_money_is_data():
    """An empty ``asset_kinds`` makes every freeze a 划拨 (zhixing ≤ 0.1.x); a court adding securities deducts them."""
    tree = _tree()
    node31 = next(n for n in tree["nodes"] if n["node"] == 31)
    assert node31["asset_kinds"] == ["deposit", "balance", "wealth_product"]
    node31["asset_kinds"] = []
    rt = _runtime(tree)
    _filed(rt)
    rt.submit(c.FreezeConfirmed("K", "a", "csdc", 500_00, "F1", kind="securities"))
    assert _deadlines(rt, "K", "a") == {(31, "main"): "7d"}
    node31["asset_kinds"] = ["deposit", "securities"]
    rt = _runtime(tree)
    _filed(rt)
    rt.submit(c.FreezeConfirmed("K", "a", "csdc", 500_00, "F1", kind="securities"))
    rt.submit(c.FreezeConfirmed("K", "b", "equity_registry", 500_00, "F2", kind="equity"))
    assert _deadlines(rt, "K", "a") == {(31, "main"): "7d"}
    assert _deadlines(rt, "K", "b") == {(19, "main"): "10d", (20, "start"): "15d"}


def test_asset_kinds_are_validated():
    tree = _tree()
    next(n for n in tree["nodes"] if n["node"] == 31)["asset_kinds"] = ["deposit", "gold"]
    with pytest.raises(Exception, match="asset_kinds"):
        parse_process(yaml.safe_dump(tree, allow_unicode=True), "test")


# ── 财产保全 ──────────────────────────────────────────────────────────────────────────────────
def test_a_preservation_case_holds_its_frozen_money_no_deduction_deadline():
    rt = _runtime()
    _filed(rt, "preservation")
    assert rt.submit(c.FreezeConfirmed("K", "a", "icbc", 100_00, "F1", kind="deposit")).accepted
    rt.submit(c.FreezeConfirmed("K", "flat", "real_estate_registry", 800_000_00, "S1", measure="seal",
                                kind="real_estate"))
    rt.submit(c.FreezeConfirmed("K", "s", "csdc", 500_00, "F2", kind="securities"))
    assert _deadlines(rt, "K", "a") == {} and _deadlines(rt, "K", "flat") == {} and _deadlines(rt, "K", "s") == {}
    rt.clock.run_until(ORIGIN + timedelta(days=20))
    events = rt.case_events("K")
    assert not [e for e in events if e.node in (19, 20, 31, 32, 33) and e.kind in (
        EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN)]
    # it closes (保全完毕) with its controls kept (seed 004 执行完毕 第3项)
    for node in (9, 10, 11):
        rt.submit(c.CompleteNode("K", node))
    closed = rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室"))
    assert closed.accepted and closed.events[0].data["release"] == []


def test_a_court_may_deduct_preserved_money():
    """Without node 31's override (a court that 划拨s preserved money), its 7 days apply again."""
    tree = _tree()
    node31 = next(n for n in tree["nodes"] if n["node"] == 31)
    [item] = node31["items"]
    assert {"when": {"case_type": "preservation"}, "applies": False} in item["overrides"]
    item["overrides"] = [o for o in item["overrides"] if "applies" not in o]
    rt = _runtime(tree)
    _filed(rt, "preservation")
    rt.submit(c.FreezeConfirmed("K", "a", "icbc", 100_00, "F1", kind="deposit"))
    assert _deadlines(rt, "K", "a") == {(31, "main"): "7d"}


@pytest.mark.parametrize("case_type", ["first", "resumed"])
def test_other_cases_keep_node_31(case_type):
    rt = _runtime()
    rt.submit(c.FileCase("K", case_type=case_type, debtors=("D1",), previous_case="P" if case_type == "resumed"
                         else None, previous_handler="李法官" if case_type == "resumed" else None))
    rt.submit(c.FreezeConfirmed("K", "a", "icbc", 100_00, "F1", kind="deposit"))
    assert _deadlines(rt, "K", "a") == {(31, "main"): "7d"}


# ── the platform and the simulated court ──────────────────────────────────────────────────────
def _court_with_securities(**options):
    """A first-enforcement case whose 集约查询 finds only a securities account (csdc)."""
    court = build_virtual_court(ORIGIN, seed=3, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0,
                                **options)
    world, p = court.session.world, court.platform
    d = debtor_with_nothing(court)
    shares = Holding(account_no=account_number("csdc", AssetKind.SECURITIES, d.id_number, 1),
                     kind=AssetKind.SECURITIES, balance_cents=30_000_00, available_cents=30_000_00,
                     description="股票 / shares")
    world.pin(d.id_number, "csdc", [shares])
    p.file(c.FileCase("Z", debtors=(d.id_number,), amount_cents=200_000_00), [d.subject()])
    return court, f"csdc:{shares.account_no}"


def test_frozen_securities_are_disposed_of_by_the_simulated_court_not_deducted():
    court, asset = _court_with_securities(dispose=True)
    court.run_for(timedelta(days=40))
    rt = court.runtime
    events = rt.case_events("Z")
    [confirmed] = [e for e in events if e.kind == EventKind.FUNDS_FROZEN and e.instance == asset]
    assert rt.cases["Z"].node(31, asset) is None  # no 划拨 deadline for shares
    assert court.platform.disposal.lots[("Z", asset)].klass == "other_right"
    state = rt.cases["Z"]
    assert state.status(19, asset) == NodeStatus.DONE  # 调查财产状况
    assert state.node(20, asset).started_at is not None  # the reference price asked of the pricing platform
    assert not [e for e in events if e.kind == EventKind.NODE_FROZEN and e.node in (19, 20, 31)]
    assert not [e for e in events if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "deduct"]
    assert confirmed.at < state.node(20, asset).started_at


def test_without_disposal_the_simulated_court_records_securities_as_found_and_freezes_nothing():
    """A run that disposes of nothing does not freeze what can only be disposed of (nodes 19–20 would run from the
    freeze with nobody working on them): the handler records the holding (node 17), as real estate then."""
    court, asset = _court_with_securities()
    court.run_for(timedelta(days=40))
    events = court.runtime.case_events("Z")
    assert court.runtime.cases["Z"].status(17, asset) == NodeStatus.DONE
    assert not [e for e in events if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent"
                and e.data.get("measure") == "freeze"]
    assert not [e for e in events if e.node in (19, 20, 31) and e.kind == EventKind.DEADLINE_SET]


def test_the_simulated_clerk_does_not_deduct_preserved_money():
    court = build_virtual_court(ORIGIN, seed=3, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0)
    rt = court.runtime
    asset = preserved_deposit(court)
    court.run_for(timedelta(days=30))
    events = rt.case_events("P")
    assert [e for e in events if e.kind == EventKind.FUNDS_FROZEN and e.instance == asset]
    assert not [e for e in events if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "deduct"]
    assert not [e for e in events if e.kind in (EventKind.FUNDS_ARRIVED, EventKind.PAID_OUT)]
    assert rt.cases["P"].node(31, asset) is None
    assert rt.cases["P"].assets[asset].active  # still frozen for the judgment, after the case closed or not


@pytest.mark.parametrize(("kind", "expected"), [
    ("securities", {(19, "main"): "10d", (20, "start"): "15d"}), ("deposit", {(31, "main"): "7d"})])
def test_a_measure_a_resumed_case_takes_over_starts_what_its_kind_starts(kind, expected):
    rt = _runtime()
    rt.submit(c.FileCase("K", case_type="resumed", debtors=("D1",), previous_case="K0", previous_handler="李法官"))
    out = rt.submit(c.TakeOverMeasure("K", "K0", "a", "csdc", 500_00, "F1", kind=kind))
    assert out.accepted, out.refusal
    assert _deadlines(rt, "K", "a") == expected


def test_the_agencies_that_take_an_online_deduction_hold_exactly_the_kinds_that_are_money():
    """The process's 划拨 kinds and the mock agencies' measures agree: every agency holding money takes 06 (扣划);
    none holding 股权, 证券 or other property does — it is disposed of, and no 划拨 deadline runs for it."""
    from core_flow.process_loader import default_process
    from core_flow.protocol import Measure
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.world import _RULE_TABLE

    money = set(default_process().by_no[31].asset_kinds)
    kind_of = {row[0]: row[1] for row in _RULE_TABLE}  # group → the kind its holdings are
    for agency in load_catalogue().agencies:
        if agency.group in kind_of and kind_of[agency.group] not in (AssetKind.REAL_ESTATE, AssetKind.VEHICLE):
            assert (Measure.DEDUCT in agency.operations) == (kind_of[agency.group] in money), agency.code
