"""Node 7 执行通知 does not apply to a 财产保全 case: it executes a preservation ruling at once (seed 004 节点三
"财产保全案件应当立即采取网络冻结措施"); the 执行通知书 and 报告财产令 belong to enforcing an effective judgment. No
deadline is set (no warning, no freeze) — process.yaml node 7's override ``{when: {case_type: preservation},
applies: false}``, which a court may delete. tests/fidelity_audit.md N7-P."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import yaml

from core_flow.clocks import SimClock
from core_flow.engine import Engine, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST, default_calendar
from core_flow.process_loader import default_process_path, parse_process
from core_flow.runtime import Runtime

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # Monday


def _assigned(rt: Runtime, case_type: str) -> None:
    """Filed and assigned (收案: node 7's 10 days count from here), the filing-day work done on time."""
    assert rt.submit(c.FileCase("K", case_type=case_type)).accepted
    assert rt.submit(c.Assign("K", "张法官")).accepted
    for node in range(1, 7):
        assert rt.submit(c.CompleteNode("K", node)).accepted


def _node7(rt: Runtime, kind: EventKind) -> list:
    return [e for e in rt.case_events("K") if e.kind == kind and e.node == 7]


def test_a_preservation_case_gets_no_enforcement_notice_deadline(make_runtime):
    rt = make_runtime(ORIGIN)
    _assigned(rt, "preservation")
    assert _node7(rt, EventKind.DEADLINE_SET) == []
    rt.clock.run_until(ORIGIN + timedelta(days=20))
    assert _node7(rt, EventKind.WARNING) == [] and _node7(rt, EventKind.NODE_FROZEN) == []
    assert rt.cases["K"].status(7) == NodeStatus.NOT_STARTED
    # nothing node 7 governs is held up, and the case closes (保全完毕, recorded as 执行完毕 with its controls kept)
    for node in (9, 10, 11):
        assert rt.submit(c.CompleteNode("K", node)).accepted
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted


def test_a_preservation_case_may_still_complete_node_7_by_hand(make_runtime):
    """The node is not refused: a court that sends a notice anyway records it (the simulation's clerk does)."""
    rt = make_runtime(ORIGIN)
    _assigned(rt, "preservation")
    assert rt.submit(c.CompleteNode("K", 7)).accepted
    assert rt.cases["K"].status(7) == NodeStatus.DONE


@pytest.mark.parametrize("case_type", ["first", "resumed"])
def test_other_cases_keep_the_ten_day_notice_that_freezes(make_runtime, case_type):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K", case_type=case_type, previous_case="P" if case_type == "resumed" else None,
                         previous_handler="李法官" if case_type == "resumed" else None))
    rt.submit(c.Assign("K", "张法官"))
    [deadline] = _node7(rt, EventKind.DEADLINE_SET)
    assert deadline.data["period"] == "10d"
    rt.clock.run_until(ORIGIN + timedelta(days=20))
    assert rt.cases["K"].status(7) == NodeStatus.FROZEN


def test_a_court_may_notify_in_preservation_cases_too():
    """Without the override (a court whose rules notify in 保全 cases), node 7's 10 days apply and freeze again."""
    tree = yaml.safe_load(default_process_path().read_text(encoding="utf-8"))
    node7 = next(n for n in tree["nodes"] if n["node"] == 7)
    [item] = node7["items"]
    assert {"when": {"case_type": "preservation"}, "applies": False} in item["overrides"]
    item["overrides"] = [o for o in item["overrides"] if "applies" not in o]
    process = parse_process(yaml.safe_dump(tree, allow_unicode=True), "test")
    rt = Runtime(Engine(process, default_calendar()), SimClock(ORIGIN))
    _assigned(rt, "preservation")
    assert len(_node7(rt, EventKind.DEADLINE_SET)) == 1
    rt.clock.run_until(ORIGIN + timedelta(days=20))
    assert rt.cases["K"].status(7) == NodeStatus.FROZEN


def test_applies_is_validated_as_a_boolean():
    tree = yaml.safe_load(default_process_path().read_text(encoding="utf-8"))
    node7 = next(n for n in tree["nodes"] if n["node"] == 7)
    node7["items"][0]["overrides"] = [{"when": {"case_type": "preservation"}, "applies": "sometimes"}]
    with pytest.raises(Exception, match="applies"):
        parse_process(yaml.safe_dump(tree, allow_unicode=True), "test")
