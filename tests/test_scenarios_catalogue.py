"""Names a scenario may write are published (README catalogue, JSON Schema enums) and a misspelt one is refused at
load on its own line with the closest names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scenarios.catalogue import BEGIN, END, markdown, schema_defs
from scenarios.loader import parse_text

ROOT = Path(__file__).resolve().parents[1]
HEAD = """\
name: 示例
case:
  number: (2025)豫0811执1号
  filed: 2025-09-29 10:00
  debtors: [{as: 甲, world: 1}]
steps:
"""


@pytest.mark.parametrize(("step", "key", "wanted"), [
    ("  - expect_event: {kind: node_frozn}\n", "steps.0.expect_event.kind", "node_frozen"),
    ("  - expect_event: {kind: 节点冻}\n", "steps.0.expect_event.kind", "节点冻结"),
    ("  - expect_node: {node: 7, state: frozn}\n", "steps.0.expect_node.state", "frozen"),
    ("  - expect_node: {node: 7, state: 已完}\n", "steps.0.expect_node.state", "已完成"),
    ("  - approve_unfreeze: {node: 7, authority: 院 长}\n", "steps.0.approve_unfreeze.authority", "院长"),
    ("  - approve_unfreeze: {node: 7, authority: presidnt}\n", "steps.0.approve_unfreeze.authority", "president"),
    ("  - open_feedback: 工商银\n", "steps.0.open_feedback.agency", "工商银行"),
    ("  - open_feedback: icbcc\n", "steps.0.open_feedback.agency", "icbc"),
    ("  - start_node: 执行通\n", "steps.0.start_node.node", "执行通知"),
])
def test_a_misspelt_name_gets_the_closest_names_on_its_line(step: str, key: str, wanted: str) -> None:
    (problem,) = parse_text(HEAD + step, "f.scenario.yaml")[1]
    assert (problem.line, problem.key) == (7, key)
    assert "是否想写" in problem.zh and wanted in problem.zh.split("是否想写")[1]
    assert "did you mean" in problem.en and wanted in problem.en.split("did you mean")[1]


def test_nothing_close_gets_no_suggestion() -> None:
    (problem,) = parse_text(HEAD + "  - expect_event: {kind: 完全不相干的东西}\n", "f.scenario.yaml")[1]
    assert "是否想写" not in problem.zh and "未知事件类型" in problem.zh


def test_the_readme_carries_the_generated_catalogue() -> None:
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    assert readme[readme.index(BEGIN): readme.index(END) + len(END)] == markdown(), \
        "regenerate: python -m scenarios.catalogue, between the catalogue markers of scenarios/README.md"


def test_the_schema_enumerates_the_catalogues() -> None:
    schema = json.loads((ROOT / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    defs = schema_defs()
    for name in ("EventKind", "NodeState", "Authority", "Agency"):
        assert schema["$defs"][name] == defs[name]
    assert "node_frozen" in defs["EventKind"]["enum"] and "节点冻结" in defs["EventKind"]["enum"]
    assert "icbc" in defs["Agency"]["enum"] and "工商银行" in defs["Agency"]["enum"]
    validator = jsonschema.Draft202012Validator(schema)

    def doc(step: dict) -> dict:
        return {"name": "x", "case": {"number": "1", "filed": "2025-01-01", "debtors": [{"as": "a", "world": 1}]},
                "steps": [step]}

    good = [{"expect_event": {"kind": "节点冻结"}}, {"expect_node": {"node": 7, "state": "frozen"}},
            {"approve_unfreeze": {"node": 7, "authority": "院长"}}, {"open_feedback": {"agency": "工商银行"}}]
    bad = [{"expect_event": {"kind": "node_frozn"}}, {"expect_node": {"node": 7, "state": "frozn"}},
           {"approve_unfreeze": {"node": 7, "authority": "村长"}}, {"open_feedback": {"agency": "火星银行"}}]
    for step in good:
        assert not list(validator.iter_errors(doc(step))), step
    for step in bad:
        assert list(validator.iter_errors(doc(step))), step
