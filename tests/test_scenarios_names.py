"""Stable names: a freeze, an auction listing and a resumed case named by the scenario (``as:``) stand for what
they name; a name used before it is given, or given twice, is a located error; the suite uses no platform ids."""

from __future__ import annotations

import re
from pathlib import Path

from scenarios.loader import parse_text

HEAD = """\
name: 名称
case:
  number: (2025)豫0811执1号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1, holdings: [{agency: 工商银行, amount: 2500, as: 工行存款}]}]
steps:
"""


def test_names_stand_for_their_asset_and_the_resumed_case() -> None:
    text = HEAD + ("  - freeze: {asset: 工行存款, as: 冻结一}\n  - release: 冻结一\n"
                   "  - expect_node: {node: 17, instance: 冻结一, state: 已完成}\n"
                   "  - approve_resumption: {authority: 执行局长, as: 恢复案}\n  - case: 恢复案\n    assign: 李法官\n")
    (sc,), problems = parse_text(text, "n.scenario.yaml")
    assert not problems
    assert sc.steps[1].args.asset == "工行存款" and sc.steps[2].args.instance == "工行存款"
    assert sc.steps[4].case == "resumed"


def test_a_name_used_before_it_is_given_or_given_twice_is_located() -> None:
    early = HEAD + "  - case: 恢复案\n    assign: 李法官\n  - approve_resumption: {authority: 执行局长, as: 恢复案}\n"
    (problem,) = parse_text(early, "n.scenario.yaml")[1]
    assert (problem.line, problem.key) == (7, "steps.0.case") and "未知案件" in problem.zh
    twice = HEAD + "  - freeze: {asset: 工行存款, as: 工行存款}\n"
    (problem,) = parse_text(twice, "n.scenario.yaml")[1]
    assert (problem.line, problem.key) == (7, "steps.0.freeze.as") and "名称已被使用" in problem.zh


def test_the_suite_names_no_internal_ids() -> None:
    suite = Path(__file__).parents[1] / "scenarios" / "suite"
    for path in suite.rglob("*.scenario.yaml"):
        text = path.read_text(encoding="utf-8")
        # receipts R000001, tickets TK…, freezes F000000001, clues clue-N, listings: the platform's numbers
        assert not re.search(r"\bR0\d{5}\b|\bTK\d+|\bF\d{9}\b|clue-\d+", text), path


def test_a_misspelt_debtor_asset_or_case_name_gets_the_closest() -> None:
    text = HEAD + ("  - freeze: 工行存 \n  - open_feedback: {agency: icbc, debtor: 乙}\n"
                   "  - approve_resumption: {authority: 执行局长, as: 恢复案}\n  - case: 恢复按\n    assign: 李法官\n")
    found = {p.key: p for p in parse_text(text, "n.scenario.yaml")[1]}
    assert "是否想写：工行存款" in found["steps.0.freeze.asset"].zh
    assert "未知被执行人 '乙'" in found["steps.1.open_feedback.debtor"].zh
    assert "是否想写：恢复案" in found["steps.3.case"].zh and "did you mean: 恢复案" in found["steps.3.case"].en
