"""The process definition: all 46 nodes of the guideline, their rules, and clear errors for bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.model import Per
from core_flow.process_loader import default_process_path, load_process, parse_process

PROCESS_MD = Path(__file__).resolve().parents[2] / "shared" / "domain" / "PROCESS.md"


def _table_rows():
    """(number, name, freeze column) for each node row of shared/domain/PROCESS.md, if it is at hand."""
    if not PROCESS_MD.exists():
        pytest.skip("shared/domain/PROCESS.md not beside the checkout")
    rows = []
    for line in PROCESS_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (\d+) \| ([^|]+) \|", line)
        if m:
            cells = [x.strip() for x in line.strip("|").split("|")]
            rows.append((int(m.group(1)), m.group(2).strip(), cells[-1]))
    return rows


def test_all_46_nodes_in_order(process):
    assert [n.no for n in process.nodes] == list(range(1, 47))


SEED = PROCESS_MD.parents[1] / "seeds" / "004_d71da288d0c8fd31.txt"


def test_node_names_are_the_seeds_words(process):
    if not SEED.exists():
        pytest.skip("the seed is not beside the checkout")
    seed = SEED.read_text(encoding="utf-8")
    assert len(_table_rows()) == 46
    for node in process.nodes:
        assert node.name in seed, node.no


def test_freezing_nodes_match_the_guideline_table(process):
    names = {
        "本院主管院领导": "court_leader",
        "执行局长": "bureau_head",
        "本院主管领导": "court_leader",
        "执行局局长": "bureau_head",
        "中院执行局长": "intermediate_bureau_head",
        "中院 (辖区所在地中院)": "intermediate_court",
        "省法院 (reported up level by level)": "high_court",
    }
    expected = {}
    for no, _, freeze in _table_rows():
        if "unfreeze" in freeze:
            who = freeze.split("unfreeze:")[1].strip()
            expected[no] = {names[w.strip()] for w in re.split(r" or ", who)}
    assert 46 in expected  # the handler rule, which freezes node 2
    rule = process.resumption
    assert set(rule.unfreeze) == expected.pop(46) and rule.freezes_node == 2
    freezing = {n.no for n in process.nodes if n.freezes}
    assert freezing == set(expected)
    for no, authorities in expected.items():
        assert set(process.by_no[no].unfreeze) == authorities, no


def test_work_items_with_their_own_deadlines(process):
    for no in (3, 8, 10, 20, 22, 30):
        assert process.by_no[no].items, no
    for no in (3, 8, 10, 30):
        assert len(process.by_no[no].items) == 2, no
    # node 20: start, main, and restart — the new price after an upheld objection (H25, fidelity N20-R)
    assert [it.key for it in process.by_no[20].items] == ["start", "main", "restart"]


def test_per_asset_and_per_receipt_nodes(process):
    assert all(process.by_no[n].per == Per.ASSET for n in range(19, 32))
    assert all(process.by_no[n].per == Per.RECEIPT for n in (32, 33))


def test_closing_manners_and_limits(process):
    assert [m.name for m in process.closing_manners] == ["执行完毕", "终本", "终结", "销案", "不予执行", "驳回申请",
                                                         "保全完毕", "部分保全", "无标的物可实施保全"]
    limit = process.by_no[43].items[0]
    assert str(limit.period) == "6m" and str(limit.period_for({"nonlitigation": True})) == "3m"
    assert process.by_no[45].sweep.count * process.by_no[45].sweep.every.amount == 60  # 5 years of 6 months


def test_node_lookup_by_number_or_name(process):
    assert process.node(7).name == "执行通知"
    assert process.node("执行通知").no == 7
    assert process.node("节点17").no == 17
    assert process.node("第17节点").no == process.node("17号节点").no == process.node(" 17 ").no == 17
    # the seeds write a node's number in Chinese (节点三十六: seed 004), and a name may lose its punctuation
    assert process.node("节点十七").no == process.node("第十七个节点").no == 17
    assert process.node("节点三十六").no == 36 and process.node("第四十六节点").no == 46
    assert process.node("查封扣押冻结").no == process.node("查封、扣押、冻结").no == 17
    for bad in ("不存在", "第99节点", "节点", "1 7", "节点四十七", "节点四六", "节点零"):
        with pytest.raises(UserError, match="未知节点"):
            process.node(bad)
    with pytest.raises(UserError, match="unknown authority"):
        process.authority("村长")


@pytest.mark.parametrize("written", ["17-查封、扣押、冻结", "17 查封、扣押、冻结", "节点17：查封、扣押、冻结",
                                     "（17）查封扣押冻结", "17.查封、扣押、冻结", "查封、扣押、冻结（17）",
                                     "第十七节点 查封扣押冻结"])
def test_a_node_by_its_number_and_its_name_as_case_systems_export_it(process, written):
    assert process.node(written).no == 17


def test_a_number_and_a_name_that_disagree_are_not_guessed(process):
    with pytest.raises(UserError) as err:
        process.node("17-执行通知")
    assert "节点 17 是「查封、扣押、冻结」，「执行通知」是节点 7" in err.value.zh and "disagree" in err.value.en
    with pytest.raises(UserError, match="未知节点"):
        process.node("17-不存在的名称")


def _broken(old: str, new: str) -> str:
    text = default_process_path().read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bad_period_names_file_line_node_and_field():
    text = _broken("anchor: received\n        period: 10d\n", "anchor: received\n        period: 10x\n")  # node 7
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    msg = err.value.message
    assert f"court.yaml:{_line_of(text, 'period: 10x')}" in msg
    assert "节点 7（执行通知）" in msg and "node 7" in msg and "items.0.period" in msg


def test_unknown_authority_is_named():
    text = _broken("unfreeze: [intermediate_bureau_head]", "unfreeze: [village_head]")
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    assert "village_head" in err.value.message and "node 20" in err.value.message
    assert f"court.yaml:{_line_of(text, 'village_head')}" in err.value.message


def test_missing_field_and_unknown_anchor():
    text = _broken("    name: 执行通知\n", "")
    with pytest.raises(UserError, match=r"field name"):
        parse_process(text, "court.yaml")
    text = _broken("anchor: freeze_effective", "anchor: freeze_effectiv")
    with pytest.raises(UserError, match="freeze_effectiv"):
        parse_process(text, "court.yaml")
    text = _broken("\n     not_before: [performance_due]}", "\n     not_before: [performance_du]}")
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    assert "performance_du" in err.value.message and "not_before" in err.value.message
    assert f"court.yaml:{_line_of(text, 'performance_du]')}" in err.value.message


def test_yaml_syntax_error_and_missing_file(tmp_path):
    with pytest.raises(UserError, match=r"bad.yaml:\d+"):
        parse_process("nodes: [\n  {node: 1", "bad.yaml")
    with pytest.raises(UserError, match="cannot read"):
        load_process(tmp_path / "nope.yaml")


def test_models_are_immutable(process):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        process.by_no[7].name = "x"
