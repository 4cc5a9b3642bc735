"""A ``command:`` step whose fields the driver interface does not take is the scenario's mistake (review R5): a wrong
type is said when the file is read, at the step's line, as an unknown field is; one the system under test still
refuses as a field (``bad_fields`` from a remote court) fails the step naming its line — not a court's refusal under a
code outside the refusal catalogue (``BAD_FIELDS``, which no scenario could expect), passed by ``refused: any``."""

from __future__ import annotations

import pytest

from core_flow.errors import UserError
from scenarios import actions
from scenarios.context import StepFailure
from scenarios.loader import parse_text
from scenarios.runner import run_scenario

TEXT = """\
name: 字段有误
case:
  number: (2025)豫0811执7001号
  amount: 1000
  filed: 2025-03-03 10:00
  debtors:
    - {{as: 甲, name: 甲某, id: "410811198001010119"}}
steps:
  - assign: 张法官
  - command: {{type: StartNode, node: 9, {field}}}
    refused: {refused}
"""


@pytest.mark.parametrize(("field", "said"), [("instance: 17", "instance"), ("bogus: 1", "bogus"),
                                             ("instance: [a]", "instance")])
def test_a_command_steps_wrong_field_is_said_when_the_file_is_read(field: str, said: str) -> None:
    scenarios, problems = parse_text(TEXT.format(field=field, refused="any"), "f.scenario.yaml")
    assert not scenarios and len(problems) == 1
    p = problems[0]
    assert p.line == 10 and p.key == f"steps.1.command.{said}" and "StartNode" in p.zh and said in p.en


def test_fields_the_run_translates_and_right_ones_still_reach_the_court() -> None:
    text = TEXT.format(field='instance: "x"', refused="NODE_STARTED").replace("node: 9", "node: 节点9")
    scenarios, problems = parse_text(text, "f.scenario.yaml")
    assert not problems, problems
    step = run_scenario(scenarios[0]).steps[-1]
    assert "场景的错误" not in step.actual


@pytest.mark.parametrize("code", ["bad_fields", "unknown_field"])
def test_a_field_a_court_refuses_at_run_time_fails_the_step_not_as_a_refusal(monkeypatch, code: str) -> None:
    scenarios, _ = parse_text(TEXT.format(field='instance: "x"', refused="any"), "f.scenario.yaml")
    step = scenarios[0].steps[-1]

    def refused_as_a_field(*_: object) -> None:
        raise UserError("命令 StartNode 的字段 instance 无效", "command StartNode: field instance is invalid",
                        where="fields.instance", code=code)

    monkeypatch.setitem(actions._ACTIONS, "command", refused_as_a_field)
    with pytest.raises(StepFailure) as info:
        actions.perform(run=None, step=step)  # type: ignore[arg-type]
    assert "场景的错误" in info.value.actual and "scenario's mistake" in info.value.actual
    assert f"第 {step.line} 行" in info.value.expected and "fields.instance" in info.value.actual
