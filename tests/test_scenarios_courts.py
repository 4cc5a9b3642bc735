"""Several courts and cases in one scenario (``cases:``), sharing the agencies and one clock: the suite's example
passes and fails when its expectations are wrong; the loader names bad case references; beside a court reached
through the driver alone, another court runs as zhixing's engine on a served namespace (``--court-url``,
tests/test_scenarios_both_ways.py) and is refused, saying so, when the agencies are not served."""

from __future__ import annotations

from pathlib import Path

from core_flow.driver import EngineDriver
from scenarios.loader import parse_text
from scenarios.runner import build_court, run_scenario
from scenarios.target import Target

FILE = Path(__file__).resolve().parent.parent / "scenarios" / "suite" / "courts" / "two_courts.scenario.yaml"
TEXT = FILE.read_text(encoding="utf-8")


def _one(text: str, n: int = 0):  # noqa: ANN202
    found, problems = parse_text(text, "t.scenario.yaml")
    assert not problems, problems
    return found[n]


def test_two_courts_freeze_one_account_and_the_queued_one_takes_effect_at_the_release() -> None:
    result = run_scenario(_one(TEXT))
    assert result.passed, result.explain()
    courts = {line.split()[2] for line in result.timeline}
    assert {"(2026)豫0811执951号", "(2026)豫0802执77号"} <= courts  # both cases on the one timeline


def test_a_wrong_instant_for_the_other_courts_freeze_fails_at_that_step() -> None:
    wrong = TEXT.replace("time: 2026-03-05 10:00, data: {amount_cents: 5000000}",
                         "time: 2026-03-05 10:01, data: {amount_cents: 5000000}")
    assert wrong != TEXT
    result = run_scenario(_one(wrong))
    assert not result.passed and result.failure.key == "expect_event" and "10:01" in result.failure.expected


def test_the_other_case_keeps_its_own_amounts() -> None:
    wrong = TEXT.replace("expect_amounts: {frozen: 50000, agencies_frozen: 50000",
                         "expect_amounts: {frozen: 100000, agencies_frozen: 50000")
    assert wrong != TEXT
    result = run_scenario(_one(wrong))
    assert not result.passed and "frozen 100,000.00元" in result.failure.expected
    assert "frozen 50,000.00元" in result.failure.actual


def test_bad_case_references_are_located() -> None:
    text = TEXT.split("\n---")[0]
    bad = text.replace("  - case: 他院案\n    verify_identity", "  - case: 她院案\n    verify_identity")
    assert bad != text
    _, problems = parse_text(bad, "t.scenario.yaml")
    assert any("未知案件 '她院案'" in p.zh and "他院案" in p.zh for p in problems), problems
    _, problems = parse_text(text.replace("filed: 2026-03-03 09:00", "filed: 2026-03-01 09:00"), "t.scenario.yaml")
    assert any("不得早于本案" in p.zh for p in problems), problems
    _, problems = parse_text(text.replace("debtors: [{as: 酉某, world: 92}]", "debtors: [{as: 酉某, world: 93}]"),
                             "t.scenario.yaml")
    assert any("已指另一被执行人" in p.zh for p in problems), problems


def test_another_court_beside_a_driver_needs_served_agencies() -> None:
    def driver_only(sc, identity):  # noqa: ANN001, ANN202 - a court reached through the driver alone
        court = build_court(sc, identity)
        return Target(driver=EngineDriver(court), agencies=court.session, court=None, closer=lambda: None)

    result = run_scenario(_one(TEXT), driver_only)
    assert not result.passed and not result.error
    assert "several courts need zhixing's engine in process or served agencies" in result.failure.actual
    assert run_scenario(_one(TEXT, 1), driver_only).passed  # two cases of one court: fine through the driver
