"""The local filing system's answer to a resumption push reaching the court later than the filing
(``core_flow.platform.AnsweredAt``; ``approve_resumption: {answered: …}`` in scenarios): the 恢复执行 case is filed
when the push arrives, the 终本 case records it and hands its measures over when the answer arrives. The scenario
``tests/data/answered_late.scenario.yaml`` shows it end to end: in process (collected by the pytest plugin) and on the
real-time clock (here)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core_flow.clocks import SimClock
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.platform import AnsweredAt, LocalFilingPush, ResumptionPush
from scenarios.actions import _approve_resumption
from scenarios.loader import load_paths, parse_text
from scenarios.model import ResumptionArgs
from scenarios.runner import run_scenario
from scenarios.target import system_under_test

T0 = datetime(2025, 12, 8, 23, 0, tzinfo=CST)


def _push(case: str) -> ResumptionPush:
    return ResumptionPush(court_code="410811", original_case=case, debtors=("110101199003074514",))


def test_an_answer_set_for_a_case_comes_at_its_instant_and_others_at_once() -> None:
    clock = SimClock(T0)
    filed_at: dict[str, datetime] = {}

    def file(push: ResumptionPush) -> str:
        filed_at[push.original_case] = clock.now()
        return f"{push.original_case}-恢1"

    filing = AnsweredAt(LocalFilingPush(clock, file), clock)
    answered: list[tuple[str | None, datetime]] = []
    filing.at["A"] = T0 + timedelta(hours=2)
    filing.push(_push("A"), lambda new, detail: answered.append((new, clock.now())))
    filing.push(_push("B"), lambda new, detail: answered.append((new, clock.now())))
    clock.run_until(T0 + timedelta(hours=1))
    assert filed_at == {"A": T0, "B": T0}  # both filed when the push arrived
    assert answered == [("B-恢1", T0)]  # only B's answer came back
    assert filing.filed == {"A": "A-恢1"}  # A's new case is known while its answer is on the way
    clock.run_until(T0 + timedelta(hours=3))
    assert answered == [("B-恢1", T0), ("A-恢1", T0 + timedelta(hours=2))]
    # the setting is used once: A's next push is answered at once
    filing.push(_push("A"), lambda new, detail: answered.append((new, clock.now())))
    clock.run_until(T0 + timedelta(hours=4))
    assert answered[-1] == ("A-恢1", T0 + timedelta(hours=3))


def test_an_answer_set_before_the_filing_comes_with_it() -> None:
    clock = SimClock(T0)
    filing = AnsweredAt(LocalFilingPush(clock, lambda push: "N"), clock)
    filing.at["A"] = T0 - timedelta(hours=1)
    answered: list[datetime] = []
    filing.push(_push("A"), lambda new, detail: answered.append(clock.now()))
    clock.run_until(T0 + timedelta(minutes=1))
    assert answered == [T0]


def test_an_answer_before_the_approval_is_refused_where_it_is_written() -> None:
    text = """\
name: 示例
case:
  number: (2025)豫0811执1号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - at: 2025-06-04 09:00
    approve_resumption: {authority: 执行局长, answered: '2025-06-03 09:00'}
  - at: 2025-06-05 09:00
    approve_resumption: {authority: 执行局长, answered: +2h}
"""
    _, problems = parse_text(text, "f.scenario.yaml")
    (problem,) = problems
    assert (problem.file, problem.line) == ("f.scenario.yaml", 8)  # the second (+2h) is fine
    assert "answered" in problem.key and "答复早于批准" in problem.zh
    assert "the answer comes before the approval" in problem.en


def test_a_system_under_test_is_told_the_answer_time_is_zhixings_own() -> None:
    run = SimpleNamespace(own_court=None, scenario=SimpleNamespace(file="f.scenario.yaml"))
    step = SimpleNamespace(line=12)
    args = ResumptionArgs.model_validate({"authority": "执行局长", "answered": "+2h"})
    with pytest.raises(UserError) as err:
        _approve_resumption(run, step, args)  # type: ignore[arg-type]
    assert err.value.code == "ANSWERED_REMOTE" and err.value.where == "f.scenario.yaml:12"
    assert "立案系统" in err.value.message and "own court only" in err.value.message


def test_the_late_answer_scenario_gives_the_same_verdicts_on_the_real_time_clock() -> None:
    """On the real-time court the push goes over HTTP to the filing receiver; the answer is held on the court's clock
    as on the virtual one: every step agrees (the answer's instant, the hand-over, the 划拨 deadline from it)."""
    (sc,) = load_paths([Path(__file__).parent / "data" / "answered_late.scenario.yaml"])
    virtual = run_scenario(sc)
    real = run_scenario(sc, system_under_test(realtime=True, scale=2_000_000.0))
    assert virtual.passed, virtual.explain()
    assert real.passed, real.explain()
    assert [(s.index, s.status) for s in real.steps] == [(s.index, s.status) for s in virtual.steps]
