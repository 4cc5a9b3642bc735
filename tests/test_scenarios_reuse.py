"""Reuse: parametrised scenarios (one scenario and one pytest item per row) and fixtures included by name."""

from __future__ import annotations

from pathlib import Path

from scenarios.loader import parse_file
from scenarios.runner import run_scenario

FIXTURES = """\
fixture: 有存款的吴某
case:
  debtors:
    - {as: 吴某, world: 7, holdings: [{agency: 工商银行, amount: 2500, as: 工行存款}]}
---
fixture: 坏的被执行人
case:
  debtors: [{as: 钱某}]
"""

TABLE = """\
name: 执行通知 第${days}日
use: [有存款的吴某]
parameters:
  - {days: 10, state: 已预警}
  - {days: 12, state: 已冻结}
case:
  number: (2025)豫0811执1号
  filed: 2025-03-03 10:00
steps:
  - at: 2025-03-04 09:00
    assign: 张法官
  - at: +${days}d
    expect_node: {node: 7, state: "${state}"}
"""


def write(tmp_path: Path, text: str, fixtures: str = FIXTURES) -> Path:
    (tmp_path / "fixtures").mkdir(exist_ok=True)
    (tmp_path / "fixtures" / "f.fixture.yaml").write_text(fixtures, encoding="utf-8")
    path = tmp_path / "t.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_row_is_a_scenario_with_its_values_and_the_fixture_debtor(tmp_path: Path) -> None:
    found, problems = parse_file(write(tmp_path, TABLE))
    assert not problems
    assert [sc.name for sc in found] == ["执行通知 第10日", "执行通知 第12日"]
    assert [sc.line for sc in found] == [4, 5]  # each row's own line
    assert [sc.steps[1].args.state for sc in found] == ["warned", "frozen"]
    assert all(sc.case.debtors[0].alias == "吴某" and sc.case.debtors[0].holdings[0].amount == 250000 for sc in found)
    assert [run_scenario(sc).passed for sc in found] == [True, True]


def test_a_row_with_a_wrong_expectation_fails_alone(tmp_path: Path) -> None:
    text = TABLE.replace("{days: 12, state: 已冻结}", "{days: 12, state: 进行中}")
    found, _ = parse_file(write(tmp_path, text))
    assert [run_scenario(sc).passed for sc in found] == [True, False]


def test_a_table_with_columns_and_rows_and_an_unnamed_scenario_gets_the_row_in_its_name(tmp_path: Path) -> None:
    text = TABLE.replace("name: 执行通知 第${days}日", "name: 执行通知").replace(
        "  - {days: 10, state: 已预警}\n  - {days: 12, state: 已冻结}\n",
        "  columns: [days, state]\n  rows:\n    - [10, 已预警]\n    - [12, 已冻结]\n")
    found, problems = parse_file(write(tmp_path, text))
    assert not problems
    assert [sc.name for sc in found] == ["执行通知 [days=10, state=已预警]", "执行通知 [days=12, state=已冻结]"]


def test_an_unknown_parameter_a_short_row_and_an_unknown_fixture_are_located(tmp_path: Path) -> None:
    text = TABLE.replace('state: "${state}"', 'state: "${stat}"').replace("use: [有存款的吴某]", "use: [有存款的吴]")
    _, problems = parse_file(write(tmp_path, text))
    by_key = {p.key: p for p in problems}
    assert by_key["use.0"].line == 2 and "是否想写：有存款的吴某" in by_key["use.0"].zh
    assert by_key["steps.1.expect_node.state"].line == 13 and "${stat}" in by_key["steps.1.expect_node.state"].zh
    text = TABLE.replace("  - {days: 10, state: 已预警}\n  - {days: 12, state: 已冻结}\n",
                         "  columns: [days, state]\n  rows:\n    - [9]\n")
    (problem,) = parse_file(write(tmp_path, text))[1]
    assert (problem.key, problem.line) == ("parameters.rows.0", 6) and "2 个值" in problem.zh


def test_a_problem_in_a_row_names_the_row_and_a_bad_fixture_debtor_points_at_use(tmp_path: Path) -> None:
    text = TABLE.replace("{days: 12, state: 已冻结}", "{days: 12, state: 半冻结}")
    (problem,) = parse_file(write(tmp_path, text))[1]
    assert problem.line == 13 and problem.zh.startswith("参数行 2（days=12, state=半冻结）")
    (problem, *_) = parse_file(write(tmp_path, TABLE.replace("有存款的吴某", "坏的被执行人")))[1]
    assert problem.line == 2 and problem.key.startswith("use → case.debtors.0")


def test_a_fixtures_own_keys_are_said_at_use_with_the_key_and_in_chinese(tmp_path: Path) -> None:
    """A fixture's ``agencies:`` (a key the scenario did not write) was said at line 1 with no ``use →``, its
    behaviour's unknown key unnamed and "Extra inputs are not permitted" in both halves; a value out of range said
    only "取值无效" in Chinese."""
    fixtures = FIXTURES + "---\nfixture: 慢工行\nagencies:\n  工商银行: {delay: 不知道}\n" \
        "---\nfixture: 负的世界\ncase:\n  debtors: [{as: 孙某, world: -3}]\n"
    (problem, *_) = parse_file(write(tmp_path, TABLE.replace("[有存款的吴某]", "[有存款的吴某, 慢工行]"), fixtures))[1]
    assert (problem.line, problem.key) == (2, "use → agencies"), problem
    assert "[delay]：不允许的字段" in problem.zh and "Extra inputs" not in problem.zh, problem.zh
    assert "[delay]: Extra inputs are not permitted" in problem.en, problem.en
    (problem, *_) = parse_file(write(tmp_path, TABLE.replace("[有存款的吴某]", "[负的世界]"), fixtures))[1]
    assert (problem.line, problem.key) == (2, "use → case.debtors.0.world"), problem
    assert problem.zh.endswith("取值无效：应不小于 0"), problem.zh


def test_the_shipped_reuse_examples_expand_to_one_item_per_row() -> None:
    found, problems = parse_file(Path(__file__).parents[1] / "scenarios" / "suite" / "reuse" / "reuse.scenario.yaml")
    assert not problems and len(found) == 6 and len({sc.name for sc in found}) == 6  # a table of 4 rows and 2 scenarios
    assert all(sc.court.name == "焦作市山阳区人民法院" for sc in found[:4])


OPENING = FIXTURES + """\
---
fixture: 开局
steps:
  - at: +1h
    assign: 张法官
  - verify_identity: 通过
---
fixture: 坏的开局
steps:
  - assing: 张法官
"""

WITH_OPENING = """\
name: 夹具的步骤在前
use: [有存款的吴某, 开局]
case:
  number: (2025)豫0811执2号
  filed: 2025-03-03 10:00
steps:
  - expect_case: {handler: 张法官}
  - expect_event: {kind: identity_verified, debtor: 吴某}
"""


def test_a_fixtures_steps_come_before_the_scenarios_own(tmp_path: Path) -> None:
    (sc,), problems = parse_file(write(tmp_path, WITH_OPENING, OPENING))
    assert not problems
    assert [s.key for s in sc.steps] == ["assign", "verify_identity", "expect_case", "expect_event"]
    assert [s._line for s in sc.steps] == [2, 2, 7, 8]  # the fixture's at the use line, the own at their lines
    assert run_scenario(sc).passed
    # without the fixture's steps the scenario's own expectations fail: the steps really ran first
    (bare,), _ = parse_file(write(tmp_path, WITH_OPENING.replace(", 开局]", "]"), OPENING))
    assert not run_scenario(bare).passed


def test_a_problem_in_a_fixtures_step_points_at_use_and_the_own_steps_keep_their_lines(tmp_path: Path) -> None:
    text = WITH_OPENING.replace(", 开局]", ", 坏的开局]").replace("expect_case: {handler: 张法官}", "expect_cas: {}")
    problems = parse_file(write(tmp_path, text, OPENING))[1]
    lines = {(p.line, p.key.split(".")[0]) for p in problems}
    assert (2, "use → steps") in lines and any(p.line == 7 and "expect_case" in p.zh for p in problems), problems
