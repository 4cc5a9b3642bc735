"""The pytest plugin through ``pytester``: scenario files collected as items (one per document), a failure
naming the file and step with expected vs actual and the timeline, a bad file failing at collection."""

from __future__ import annotations

pytest_plugins = ["pytester"]

GOOD = """\
name: 执行通知按期完成
case:
  number: (2025)豫0811执9001号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - at: 2025-03-04 09:00
    assign: 张法官
  - expect_deadline: {node: 执行通知, last_day: 2025-03-14}
---
name: 执行通知逾期冻结
case:
  number: (2025)豫0811执9002号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - at: 2025-03-04 09:00
    assign: 张法官
  - at: 2025-03-15 00:00
    expect_node: {node: 7, state: 已冻结}
"""

WRONG = """\
name: 错误的期望
case:
  number: (2025)豫0811执9003号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - at: 2025-03-04 09:00
    assign: 张法官
  - at: 2025-03-10 00:00
    expect_node: {node: 7, state: 已冻结}
"""

BAD = """\
name: 坏文件
case:
  number: X
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - approve_unfreeze: {node: 节点99, authority: 院长}
"""


def test_each_document_is_an_item_and_passes(pytester):
    pytester.makefile(".scenario.yaml", good=GOOD)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*good.scenario.yaml::执行通知按期完成 PASSED*",
                                 "*good.scenario.yaml::执行通知逾期冻结 PASSED*"])


def test_a_failure_names_file_and_step_with_expected_actual_and_timeline(pytester):
    pytester.makefile(".scenario.yaml", wrong=WRONG)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*失败步骤 failed step: *wrong.scenario.yaml:9*steps?1? expect_node*",
        "*期望 expected: 节点7 已冻结 frozen*",
        "*实际 actual:   节点7 未开始 not_started*",
        "*案件时间线 case timeline*",
        "*2025-03-04 09:00*分案 assigned handler=张法官*",
    ])
    # the timeline stops at the failure: no event stamped after 2025-03-10 00:00 (node 7's warning is 03-14)
    assert "2025-03-14 00:00  (2025)" not in result.stdout.str()
    assert "预警 warning 节点7" not in result.stdout.str()


def test_a_bad_file_fails_at_collection_with_file_line_and_key(pytester):
    pytester.makefile(".scenario.yaml", bad=BAD, good=GOOD)
    result = pytester.runpytest("-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "bad.scenario.yaml:7: [steps.0.approve_unfreeze.node] 未知节点 '节点99'" in out
    assert "unknown node" in out
    assert result.ret != 0
    result.assert_outcomes(errors=1)  # nothing ran: not even the good file's scenarios


def test_junitxml_keeps_file_and_line_and_exchanges_come_on_demand(pytester):
    pytester.makefile(".scenario.yaml", wrong=WRONG)
    result = pytester.runpytest("-p", "no:cacheprovider", "--junitxml=j.xml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*✘ 失败 failed*:9*检查 check 节点状态 node state*"])
    assert "查控往来 exchanges (" not in result.stdout.str()
    xml = (pytester.path / "j.xml").read_text(encoding="utf-8")
    assert 'name="scenario_file"' in xml and 'name="scenario_line" value="1"' in xml
    assert 'name="failed_step" value="' in xml and 'wrong.scenario.yaml:9"' in xml
    shown = pytester.runpytest("-p", "no:cacheprovider", "--show-exchanges")
    assert "查控往来 exchanges (" in shown.stdout.str()
