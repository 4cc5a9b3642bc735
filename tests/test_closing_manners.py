"""The closing manners of 法发〔2014〕26号 beside the seed's three: 销案, 不予执行 and 驳回申请 for 执行实施 cases;
保全完毕, 部分保全 and 无标的物可实施保全 for 财产保全 cases (process.yaml ``closing_manners``, fidelity_audit.md
JA-*). A vendor's court closing a 执保 case as 保全完毕 was refused as an unknown manner; a manner is now refused only
for a case type it does not belong to, naming the manners that type may use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.process_loader import default_process_path, parse_process
from tests.conftest import cst

FILED = cst(2025, 3, 3, 10, 0)  # Monday
REVIEWER = "审判管理办公室"
PRESERVATION = ("保全完毕", "部分保全", "无标的物可实施保全")
NOTHING_LEFT = ("销案", "不予执行", "驳回申请")


def _case(make_runtime, case_type="first"):
    """A case holding a deposit frozen (F1) and a 限消 (node 36) — what a closing releases or keeps, and lifts."""
    rt = make_runtime(FILED)
    rt.submit(c.FileCase("K", case_type=case_type, debtors=("D1",)))
    rt.submit(c.StartNode("K", 3))
    assert rt.submit(c.FreezeConfirmed("K", "icbc-1", "icbc", 100_00, freeze_id="F1")).accepted
    rt.submit(c.CompleteNode("K", 7))
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    return rt


def _events(rt, kind, case="K"):
    return [e for e in rt.case_events(case) if e.kind == kind]


@pytest.mark.parametrize(("written", "code"), [("保全完毕", "preservation_done"), ("执保完毕", None),
                                               ("部分保全", "preservation_partial"),
                                               ("无标的物可实施保全", "preservation_none"),
                                               ("无可供保全财产", "preservation_none")])
def test_a_preservation_case_closes_by_its_own_manners_keeping_its_controls(make_runtime, written, code):
    """保全完毕 / 部分保全 / 无标的物可实施保全 (法发〔2014〕26号): accepted for a 保全 case — its freezes stay (seed
    004 执行完毕 第3项), a 限消 it holds is lifted, no 终本 sweep; before, each was UNKNOWN_MANNER (which now lists
    the manners there are)."""
    rt = _case(make_runtime, "preservation")
    out = rt.submit(c.Close("K", written, reviewed_by=REVIEWER))
    if code is None:  # not a name of any manner
        assert out.refusal.code == "UNKNOWN_MANNER" and "保全完毕" in out.refusal.zh
        return
    assert out.accepted, out.refusal
    closed = out.events[0]
    assert closed.kind == EventKind.CLOSED and closed.data["manner"] == code and closed.data["name"] in PRESERVATION
    assert closed.data["release_controls"] is False and closed.data["release"] == []
    assert closed.data["lift"] == ["限制消费"]
    assert [(e.node, e.data["reason"]) for e in _events(rt, EventKind.MEASURE_LIFTED)] == [(36, f"closed_{code}")]
    state = rt.cases["K"]
    assert state.closed_manner == code and state.assets["icbc-1"].active
    assert state.status(45) == NodeStatus.NOT_STARTED  # only 终本 starts the sweeps
    # node 44 归档 runs from the closing whatever its manner; the 意见 gives these manners no deadline of their own
    due = {(e.node, e.item) for e in out.events if e.kind == EventKind.DEADLINE_SET}
    assert {no for no, _ in due} == {44}


@pytest.mark.parametrize("manner", NOTHING_LEFT)
def test_cancelled_not_enforced_and_dismissed_release_the_controls_and_lift_the_measures(make_runtime, manner):
    """销案, 不予执行, 驳回申请: the debtor owes nothing enforceable in this case — its freezes are released and 限消 /
    失信 lifted (our choice, process.yaml), no sweep, no resumption."""
    rt = _case(make_runtime)
    out = rt.submit(c.Close("K", manner, reviewed_by=REVIEWER))
    assert out.accepted, out.refusal
    closed = out.events[0].data
    assert closed["release_controls"] is True and [r["freeze_id"] for r in closed["release"]] == ["F1"]
    assert closed["lift"] == ["限制消费"]
    assert rt.cases["K"].status(45) == NodeStatus.NOT_STARTED
    assert rt.submit(c.RequestResumption("K")).refusal.code == "NOT_ZHONGBEN"


@pytest.mark.parametrize("manner", PRESERVATION)
def test_a_preservation_manner_in_an_enforcement_case_is_refused_naming_the_usable_manners(make_runtime, manner):
    rt = _case(make_runtime, "first")
    out = rt.submit(c.Close("K", manner, reviewed_by=REVIEWER))
    assert out.refusal.code == "MANNER_NOT_FOR_CASE_TYPE" and rt.cases["K"].closed_manner is None
    assert out.refusal.zh == (f"首次执行案件不能以“{manner}”方式结案；可用的结案方式：执行完毕、"
                              "终本即终结本次执行程序、终结即终结执行、销案、不予执行、驳回申请")
    assert manner in out.refusal.en and "zhongben" in out.refusal.en
    assert out.refusal.details == ("completed", "zhongben", "terminated", "cancelled", "not_enforced", "dismissed")
    assert rt.cases["K"].assets["icbc-1"].active and rt.cases["K"].closing_pending is None


@pytest.mark.parametrize("manner", ["终本", "终结", *NOTHING_LEFT])
def test_an_enforcement_manner_in_a_preservation_case_is_refused(make_runtime, manner):
    """终本 was refused by the 终本 gate (PRESERVATION_CASE), 终结 accepted; the 意见 gives a 保全 case three manners
    (and 执行完毕 stays accepted)."""
    rt = _case(make_runtime, "preservation")
    out = rt.submit(c.Close("K", manner, reviewed_by=REVIEWER))
    assert out.refusal.code == "MANNER_NOT_FOR_CASE_TYPE"
    assert out.refusal.zh.endswith("可用的结案方式：执行完毕、保全完毕、部分保全、无标的物可实施保全")


def test_a_closing_under_review_is_checked_for_the_case_type(make_runtime):
    """A 报结 awaiting review is refused at filing already (no pending request is left behind)."""
    rt = _case(make_runtime, "preservation")
    assert rt.submit(c.Close("K", "驳回申请")).refusal.code == "MANNER_NOT_FOR_CASE_TYPE"
    assert rt.cases["K"].closing_pending is None
    assert rt.submit(c.Close("K", "保全完毕")).accepted and rt.cases["K"].closing_pending == "preservation_done"
    assert rt.submit(c.ApproveClosing("K", REVIEWER)).accepted
    assert rt.cases["K"].closed_manner == "preservation_done"


def test_completed_stays_accepted_for_preservation_and_the_data_can_refuse_it(make_runtime, tmp_path):
    """The simulated clerk and recorded scenarios close a 保全 case as 执行完毕: accepted (controls kept). Dropping
    ``preservation`` from 执行完毕's case_types refuses it, naming the preservation manners."""
    rt = _case(make_runtime, "preservation")
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by=REVIEWER)).events[0].data["release_controls"] is False

    from core_flow.clocks import SimClock
    from core_flow.engine import Engine
    from core_flow.legal_calendar import default_calendar
    from core_flow.runtime import Runtime

    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    completed = next(m for m in data["closing_manners"] if m["code"] == "completed")
    completed["case_types"] = ["first", "resumed"]
    strict = parse_process(yaml.safe_dump(data, allow_unicode=True))
    rt = Runtime(Engine(strict, default_calendar()), SimClock(FILED))
    rt.submit(c.FileCase("P", case_type="preservation"))
    out = rt.submit(c.Close("P", "执行完毕", reviewed_by=REVIEWER))
    assert out.refusal.code == "MANNER_NOT_FOR_CASE_TYPE"
    assert out.refusal.details == ("preservation_done", "preservation_partial", "preservation_none")


@pytest.mark.parametrize(("change", "message"), [
    (lambda ms: ms[6].update(case_types=["preservaton"]), "unknown case type 'preservaton'"),
    (lambda ms: ms[0].update(keeps_controls_for=["bogus"]), "unknown case type 'bogus'"),
    (lambda ms: ms[3].update(aliases=["终结执行"]), "'终结执行' names both terminated and cancelled"),
    (lambda ms: [m.update(case_types=["first", "resumed"]) for m in ms], "case type 'preservation' has no closing"),
])
def test_the_process_file_is_checked(change, message):
    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    change(data["closing_manners"])
    with pytest.raises(Exception) as err:
        parse_process(yaml.safe_dump(data, allow_unicode=True))
    assert message in str(err.value)


def test_names_in_the_simulation_report_come_from_the_process():
    from sim.kpi import manner_name
    from sim.report import _named, label

    assert [manner_name(x) for x in ("preservation_done", "cancelled", "zhongben", "bogus")] == [
        "保全完毕", "销案", "终本", "bogus"]
    assert _named({"type": "preservation", "manner": "preservation_partial"})["manner_name"] == "部分保全"
    assert _named({"type": "preservation", "manner": "completed"})["manner_name"] == "保全完毕"
    assert _named({"type": "first", "manner": "not_enforced"})["manner_name"] == "不予执行"
    assert label("cycle_p50_days.preservation_none").startswith("结案周期p50（天）无标的物可实施保全 / ")
