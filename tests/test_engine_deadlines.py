"""Every node's deadline, computed by the engine from its anchor event.

Expected dates are worked out by hand from the seed's rules and the official 2025 calendar (not from the
code): day periods start the day after the event, a last day on a rest day rolls to the next working day
and ends at 24:00 (shown as the next midnight); hour periods start at the next full hour.
"""

from __future__ import annotations

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
RECEIVED = cst(2025, 3, 4, 9, 0)  # Tuesday
EVENT = cst(2025, 3, 10, 9, 0)  # Monday: anchor events below happen here unless said otherwise


def deadlines(out) -> dict[tuple[int, str, str], object]:
    return {(e.node, e.item, e.instance): e.data["due"].isoformat() for e in out.events
            if e.kind == EventKind.DEADLINE_SET}


@pytest.fixture
def filed(engine):
    state, out = engine.handle(None, c.FileCase("K", debtors=("D",)), FILED)
    return state, deadlines(out)


@pytest.mark.parametrize(
    ("node", "item", "due"),
    [
        (1, "main", "2025-03-04T00:00:00+08:00"),  # 立案当天
        (2, "main", "2025-03-04T00:00:00+08:00"),
        (3, "initiate", "2025-03-04T00:00:00+08:00"),  # items 1–2 on the filing day
        (3, "control", "2025-03-05T11:00:00+08:00"),  # 48 h from 11:00
        (4, "main", "2025-03-07T00:00:00+08:00"),  # 3 days → Thu 03-06, 24:00
        (43, "limit", "2025-09-04T00:00:00+08:00"),  # 6 months → Wed 09-03
    ],
)
def test_filing_deadlines(filed, node, item, due):
    _, dues = filed
    assert dues[(node, item, "")] == due


def test_nonlitigation_limit_is_three_months(engine):
    _, out = engine.handle(None, c.FileCase("N", nonlitigation=True), FILED)
    assert deadlines(out)[(43, "limit", "")] == "2025-06-04T00:00:00+08:00"


def test_preservation_controls_on_the_filing_day(engine):
    _, out = engine.handle(None, c.FileCase("P", case_type="preservation"), FILED)
    assert deadlines(out)[(3, "control", "")] == "2025-03-04T00:00:00+08:00"


@pytest.mark.parametrize(
    ("node", "item", "due"),
    [
        (5, "main", "2025-03-08T00:00:00+08:00"),  # 3 days from 收案 → Fri 03-07
        (6, "main", "2025-03-08T00:00:00+08:00"),
        (7, "main", "2025-03-15T00:00:00+08:00"),  # 10 days → Fri 03-14
        (10, "start", "2025-03-15T00:00:00+08:00"),  # start traditional inquiry within 10 days
    ],
)
def test_deadlines_from_receipt(engine, filed, node, item, due):
    state, _ = filed
    _, out = engine.handle(state, c.Assign("K", "张法官"), RECEIVED)
    assert deadlines(out)[(node, item, "")] == due


ANCHORED = [
    # (anchor, attrs, node, item, instance, due)
    ("clue_received", {}, 8, "check", "x", "2025-03-18T00:00:00+08:00"),  # 7 days → Mon 03-17
    ("clue_received", {"urgent": True}, 8, "check", "x", "2025-03-14T00:00:00+08:00"),  # urgent: 3 days
    ("debtor_report_received", {}, 8, "check", "x", "2025-03-18T00:00:00+08:00"),
    ("written_application", {}, 15, "decide", "x", "2025-03-21T00:00:00+08:00"),
    ("order_application", {}, 16, "decide", "x", "2025-03-18T00:00:00+08:00"),  # 5 days → Sat 03-15 → Mon
    ("property_found_offline", {}, 17, "offline", "x", "2025-03-21T00:00:00+08:00"),  # 10 days → Thu 03-20
    ("no_property_found", {}, 18, "main", "", "2025-03-21T00:00:00+08:00"),
    ("property_controlled", {}, 19, "main", "x", "2025-03-21T00:00:00+08:00"),
    ("property_controlled", {}, 20, "start", "x", "2025-03-26T00:00:00+08:00"),  # 15 days
    ("report_received", {}, 21, "main", "x", "2025-03-14T00:00:00+08:00"),
    ("objection_received", {}, 22, "main", "x", "2025-03-26T00:00:00+08:00"),
    ("reference_price_fixed", {}, 23, "main", "x", "2025-03-21T00:00:00+08:00"),
    ("first_unsold", {}, 26, "start", "x", "2025-04-10T00:00:00+08:00"),  # 30 days → Wed 04-09
    ("sale_paid", {}, 27, "main", "x", "2025-03-21T00:00:00+08:00"),
    ("creditor_refused", {}, 28, "announce", "x", "2025-03-26T00:00:00+08:00"),
    ("second_unsold", {}, 29, "ask", "x", "2025-03-21T00:00:00+08:00"),
    ("sale_confirmed", {}, 30, "ruling", "x", "2025-03-21T00:00:00+08:00"),
    ("freeze_effective", {}, 31, "main", "x", "2025-03-18T00:00:00+08:00"),  # 7 days → Mon 03-17
    ("money_arrived", {}, 32, "main", "r1", "2025-03-14T00:00:00+08:00"),
    ("money_arrived", {}, 33, "main", "r1", "2025-04-10T00:00:00+08:00"),
    ("goods_seized", {}, 35, "custody", "x", "2025-04-10T00:00:00+08:00"),
    ("shixin_error_found", {}, 38, "main", "x", "2025-03-14T00:00:00+08:00"),  # 3 working days → Thu
]


@pytest.mark.parametrize(("anchor", "attrs", "node", "item", "instance", "due"), ANCHORED)
def test_anchored_deadlines(engine, filed, anchor, attrs, node, item, instance, due):
    state, _ = filed
    inst = instance or "x"
    _, out = engine.handle(state, c.Record("K", anchor, inst, attrs=attrs), EVENT)
    assert out.accepted
    assert deadlines(out)[(node, item, instance)] == due


def test_online_control_counts_48_hours_from_the_next_full_hour(engine, filed):
    state, _ = filed
    _, out = engine.handle(state, c.Record("K", "property_found_online", "acct-1"), cst(2025, 3, 5, 14, 30))
    assert deadlines(out)[(17, "online", "acct-1")] == "2025-03-07T15:00:00+08:00"


def test_a_thirty_day_period_rolls_over_qingming(engine, filed):
    # 2025-03-05 + 30 days = Fri 04-04, 清明 (rest Apr 4–6) → Mon 04-07.
    state, _ = filed
    _, out = engine.handle(state, c.StartNode("K", 9), cst(2025, 3, 5, 9, 0))
    dues = deadlines(out)
    assert dues[(9, "main", "")] == "2025-04-08T00:00:00+08:00"
    assert dues[(11, "main", "")] == "2025-04-08T00:00:00+08:00"  # 11 counts from the start of 9


@pytest.mark.parametrize(
    ("node", "item", "due"),
    [(10, "main", "2025-04-10T00:00:00+08:00"), (20, "main", "2025-04-10T00:00:00+08:00")],
)
def test_completion_counts_from_the_start(engine, filed, node, item, due):
    state, _ = filed
    instance = "x" if node == 20 else ""
    _, out = engine.handle(state, c.StartNode("K", node, instance), EVENT)  # 03-10 + 30 days = Wed 04-09
    assert deadlines(out)[(node, item, instance)] == due


def test_work_item_chains(engine, filed):
    state, _ = filed
    engine.handle(state, c.Record("K", "clue_received", "clue-1"), EVENT)
    _, out = engine.handle(state, c.CompleteItem("K", 8, "check", "clue-1"), cst(2025, 3, 12, 9, 0))
    # 03-12 + 3 days = Sat 03-15, a rest day → rolls to Mon 03-17 under CPL
    assert deadlines(out)[(8, "notify", "clue-1")] == "2025-03-18T00:00:00+08:00"


@pytest.mark.parametrize(
    ("anchor", "kind", "node", "item", "due"),
    [
        ("announcement_scheduled", "movable", 24, "main", "2025-03-30T00:00:00+08:00"),  # by 03-29 24:00
        ("auction_scheduled", "movable", 25, "main", "2025-04-17T00:00:00+08:00"),  # ≥15 days before 05-01
        ("auction_scheduled", "real_estate", 25, "main", "2025-04-02T00:00:00+08:00"),  # ≥30 days
        ("second_auction_scheduled", "movable", 26, "announce", "2025-04-25T00:00:00+08:00"),  # ≥7 days
        ("second_auction_scheduled", "real_estate", 26, "announce", "2025-04-17T00:00:00+08:00"),  # ≥15 days
        ("sale_period_scheduled", "movable", 28, "lead_time", "2025-04-25T00:00:00+08:00"),
        ("sale_period_scheduled", "other_right", 28, "lead_time", "2025-04-17T00:00:00+08:00"),
    ],
)
def test_deadlines_before_a_scheduled_event(engine, filed, anchor, kind, node, item, due):
    state, _ = filed
    at = cst(2025, 4, 1, 10, 0) if anchor == "announcement_scheduled" else cst(2025, 5, 1, 10, 0)
    _, out = engine.handle(state, c.Record("K", anchor, "x", at=at, attrs={"asset_kind": kind}), EVENT)
    assert deadlines(out)[(node, item, "x")] == due


def test_handover_counts_from_the_ruling(engine, filed):
    state, _ = filed
    engine.handle(state, c.Record("K", "sale_confirmed", "x"), EVENT)
    _, out = engine.handle(state, c.CompleteItem("K", 30, "ruling", "x"), cst(2025, 3, 12, 9, 0))
    assert deadlines(out)[(30, "handover", "x")] == "2025-03-28T00:00:00+08:00"  # 03-12 + 15 = Thu 03-27


def test_each_asset_and_receipt_has_its_own_instance(engine, filed):
    state, _ = filed
    engine.handle(state, c.Record("K", "property_controlled", "house"), EVENT)
    engine.handle(state, c.Record("K", "property_controlled", "car"), cst(2025, 3, 12, 9, 0))
    engine.handle(state, c.Record("K", "money_arrived", "r1"), EVENT)
    engine.handle(state, c.Record("K", "money_arrived", "r2"), cst(2025, 3, 12, 9, 0))
    for no in (19, 20):
        assert {inst for (n, inst) in state.nodes if n == no} == {"house", "car"}
    for no in (32, 33):
        assert {inst for (n, inst) in state.nodes if n == no} == {"r1", "r2"}
    assert state.nodes[(19, "house")].items["main"].due != state.nodes[(19, "car")].items["main"].due


def test_closing_deadlines(engine, filed):
    state, _ = filed
    closed_at = cst(2025, 4, 1, 10, 0)
    _, out = engine.handle(state, c.Close("K", "执行完毕", reviewed_by="审判管理办公室"), closed_at)
    dues = deadlines(out)
    assert dues[(44, "main", "")] == "2025-04-17T00:00:00+08:00"  # archive within 15 days → Wed 04-16
    assert dues[(43, "completed_upload", "")] == "2025-04-09T00:00:00+08:00"  # 7 days → Tue 04-08


def test_resumption_review_deadline_after_zhongben(engine):
    # node 46: review within 10 days of discovering the clue — recorded on the closed 终本 case
    state, _ = engine.handle(None, c.FileCase("Z"), FILED)
    state.closed_manner = "zhongben"  # closing through the gate is tested in test_engine_rules
    _, out = engine.handle(state, c.Record("Z", "property_found_after_zhongben", "p1"), EVENT)
    assert deadlines(out)[(46, "review", "p1")] == "2025-03-21T00:00:00+08:00"


def test_unknown_anchor_is_refused_and_changes_nothing(engine, filed):
    state, _ = filed
    before = dict(state.nodes)
    _, out = engine.handle(state, c.Record("K", "moon_landing", "x"), EVENT)
    assert out.refusal.code == "UNKNOWN_ANCHOR"
    assert state.nodes == before
