"""Runner semantics: steps at their instants, refusals expected or not, windows of event expectations, the
first failing step ends the run with expected vs actual — and suite scenarios fail when the rule they show
breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_flow.engine import Engine
from core_flow.engine.spc import SpcRules
from scenarios.loader import load_paths, parse_text
from scenarios.runner import run_scenario

HEAD = """\
name: 示例
case:
  number: (2025)豫0811执7001号
  amount: 1000
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
"""
SUITE = Path(__file__).parent.parent / "scenarios" / "suite"


def run(steps: str):
    (sc,), bad = parse_text(HEAD + steps, "t.scenario.yaml")
    assert not bad, bad
    return run_scenario(sc)


def test_an_unexpected_refusal_fails_the_step_with_its_code():
    r = run("  - approve_unfreeze: {node: 7, authority: 院长}\n  - assign: 张法官\n")
    f = r.failure
    assert not r.passed and f.index == 0 and f.line == 8
    assert "NO_UNFREEZE_REQUEST" in f.actual and "accepted" in f.expected
    assert [s.status for s in r.steps] == ["failed", "skipped"]


def test_expected_refusals_must_match_their_code():
    assert run("  - approve_unfreeze: {node: 7, authority: 院长}\n    refused: NO_UNFREEZE_REQUEST\n").passed
    assert run("  - approve_unfreeze: {node: 7, authority: 院长}\n    refused: any\n").passed
    wrong = run("  - approve_unfreeze: {node: 7, authority: 院长}\n    refused: WRONG_AUTHORITY\n").failure
    assert "WRONG_AUTHORITY" in wrong.expected and "NO_UNFREEZE_REQUEST" in wrong.actual
    accepted = run("  - assign: 张法官\n    refused: any\n").failure
    assert "accepted" in accepted.actual


def test_event_windows_look_forward_from_the_step():
    # node 7's warning fires at 03-14 00:00 (10 days from 03-04 → due 03-15 00:00, warned a day before)
    steps = "  - at: 2025-03-04 09:00\n    assign: 张法官\n  - at: 2025-03-13 01:00\n"
    assert run(steps + "    expect_event: {kind: warning, node: 7, within: 23h}\n").passed
    late = run(steps + "    expect_event: {kind: warning, node: 7, within: 22h}\n")
    assert not late.passed and "未出现" in late.failure.actual
    assert run(steps + "    expect_no_event: {kind: warning, node: 7, within: 22h}\n").passed
    assert run(steps + "    expect_event: {kind: warning, node: 7, time: 2025-03-14 00:00}\n").passed


def test_relative_times_count_from_where_the_previous_step_left_the_clock():
    r = run("  - expect_no_event: {kind: closed, within: 2d}\n  - at: +1h\n    assign: 张法官\n")
    assert r.passed
    assert r.steps[1].at.isoformat() == "2025-03-05T11:00:00+08:00"


def test_wrong_deadline_reports_expected_and_actual_dates():
    r = run("  - at: 2025-03-04 09:00\n    assign: 张法官\n  - expect_deadline: {node: 7, last_day: 2025-03-13}\n")
    assert "2025-03-13" in r.failure.expected and "2025-03-14" in r.failure.actual
    assert "2025-03-04 09:00" in r.explain() and "t.scenario.yaml:10" in r.explain()


def test_timeline_stops_at_the_failure():
    r = run("  - at: 2025-03-05 00:00\n    expect_node: {node: 3, state: 已完成}\n  - at: +60d\n    assign: 张\n")
    assert r.failure.index == 0
    assert all(line < "2025-03-05 00:01" for line in r.timeline if line[:4] == "2025")


@pytest.mark.parametrize("name", ["节点7 执行通知10日未完成即冻结；驳回后再申请，由本院主管院领导批准",
                                  "三日查看规则：反馈财产后3日未点击查看即生成督办，查看后督办关闭"])
def test_suite_scenarios_fail_when_their_rule_breaks(monkeypatch, name):
    sc = next(s for s in load_paths([SUITE]) if s.name == name)
    assert run_scenario(sc).passed
    monkeypatch.setattr(Engine, "_freeze", lambda *a, **k: None)  # nodes no longer freeze
    monkeypatch.setattr(SpcRules, "_fire_view", lambda *a, **k: None)  # no 督办
    broken = run_scenario(sc)
    assert not broken.passed and broken.failure is not None


def test_a_scenario_that_breaks_the_harness_reports_the_error_not_a_pass(monkeypatch):
    import scenarios.actions as actions

    monkeypatch.setitem(actions._ACTIONS, "assign", lambda *a: 1 / 0)
    r = run("  - assign: 张法官\n")
    assert not r.passed and "ZeroDivisionError" in r.error


def test_refused_any_passes_and_the_report_shows_the_code_that_came():
    r = run("  - approve_unfreeze: {node: 7, authority: 院长}\n    refused: any\n")
    assert r.passed and "NO_UNFREEZE_REQUEST" in r.steps[0].actual


def test_lists_match_as_a_tester_thinks_and_before_bounds_a_window():
    steps = "  - assign: 张法官\n  - verify_identity: 通过\n"
    passing = {"contains": "[psbc, icbc]", "same_set": None, "excludes": "[real_estate_registry]"}
    for op, items in passing.items():
        if items:
            assert run(steps + f"  - expect_event: {{kind: inquiry_started, data: {{agencies: {{{op}: {items}}}}}}}\n"
                       ).passed, op
    assert not run(steps + "  - expect_event: {kind: inquiry_started, data: {agencies: {contains: [mars_bank]}}}\n"
                   ).passed
    assert not run(steps + "  - expect_event: {kind: inquiry_started, data: {agencies: {excludes: [icbc]}}}\n"
                   ).passed
    assert not run(steps + "  - expect_event: {kind: inquiry_started, data: {agencies: {same_set: [icbc]}}}\n"
                   ).passed
    assert run(steps + "  - expect_event: {kind: inquiry_triggered, before: 2025-03-03 11:00}\n").passed
    late = run(steps + "  - at: 2025-03-04 09:00\n    complete_node: 5\n"
               "  - expect_event: {kind: node_done, node: 5, before: 2025-03-04 08:00}\n")
    assert not late.passed
