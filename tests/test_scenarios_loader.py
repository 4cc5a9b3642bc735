"""Scenario files: every schema problem reported with file:line and the offending key before anything runs;
unknown nodes, authorities, agencies and events named as such; times (absolute and relative) resolved."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.legal_calendar import CST
from scenarios.loader import ScenarioFileError, load_paths, parse_text
from scenarios.model import json_schema
from scenarios.schedule import calendar
from scenarios.timespec import Offset, parse_time, resolve

HEAD = """\
name: 示例
case:
  number: (2025)豫0811执1号
  filed: 2025-09-29 10:00
  debtors: [{as: 甲, world: 1}]
steps:
"""


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_text(text, "f.scenario.yaml")[1]]


def test_a_good_document_loads_with_step_lines_and_times():
    text = HEAD + "  - assign: 张法官\n  - at: +3wd\n    expect_node: {node: 执行通知, state: 进行中}\n"
    (sc,), bad = parse_text(text, "f.scenario.yaml")
    assert not bad
    assert [s.line for s in sc.steps] == [7, 8]
    # 3 working days after Mon 09-29: 09-30, then 国庆 (10-01..08) → 10-09, 10-10
    assert sc.steps[1].when == datetime(2025, 10, 10, 10, 0, tzinfo=CST)
    assert sc.steps[1].args.node == 7 and sc.steps[1].args.state == "in_progress"


@pytest.mark.parametrize(("step", "line", "key", "words"), [
    ("  - approve_unfreeze: {node: 节点99, authority: 院长}\n", 7, "steps.0.approve_unfreeze.node", "未知节点"),
    ("  - approve_unfreeze: {node: 7, authority: 村长}\n", 7, "steps.0.approve_unfreeze.authority", "未知审批主体"),
    ("  - open_feedback: 火星银行\n", 7, "steps.0.open_feedback.agency", "未知协助单位"),
    ("  - record: 天降横财\n", 7, "steps.0.record.event", "未知事件"),
    ("  - close: 撤诉\n", 7, "steps.0.close.manner", "未知结案方式"),
    ("  - expect_node: {node: 7, state: 半冻结}\n", 7, "steps.0.expect_node.state", "未知节点状态"),
    ("  - assign: 张\n    start_node: 3\n", 7, "steps.0", "有且仅有一个"),
    ("  - assign: 张\n    colour: red\n", 8, "steps.0.colour", "未知键 'colour'"),
    ("  - open_feedback: {agency: icbc, debtor: 乙}\n", 7, "steps.0.open_feedback.debtor", "未知被执行人"),
    ("  - freeze: 不存在的存款\n", 7, "steps.0.freeze.asset", "未知财产"),
    ("  - at: 2025-09-01\n    assign: 张\n", 7, "steps.0.at", "时间倒流"),
    ("  - complete_item: {node: 7, item: nope}\n", 7, "steps.0.complete_item.item", "无工作事项"),
    ("  - command: {type: Teleport}\n", 7, "steps.0.command.type", "未知引擎命令"),
    ("  - command: {type: ManualQuery, agency: icbc, colour: red}\n", 7, "steps.0.command.colour", "没有字段"),
    ("  - freeze: {asset: 甲的存款, amount: 1e30}\n", 7, "steps.0.freeze.amount", "金额过大"),  # was a run-time trace
    # a thousands comma inside braces: YAML reads {amount: 50, 000: null} ("Keys should be strings")
    ("  - freeze: {asset: 甲的存款, amount: 50,000}\n", 7, "steps.0.freeze.amount", "请写 50000"),
])
def test_each_problem_names_file_line_and_key(step, line, key, words):
    found = problems(HEAD + step)
    assert len(found) == 1, found
    assert found[0].startswith(f"f.scenario.yaml:{line}: [{key}] ") and words in found[0]
    assert " / " in found[0]  # Chinese first, English beside it


def test_missing_keys_duplicates_and_bad_values_in_several_documents_are_all_reported():
    text = (HEAD + "  - assign: 张\n---\nname: 二\ncase:\n  number: X\n  number: Y\n  filed: 2025-13-01\n"
            "  amount: 12.345\n  debtors: [{as: 甲}]\n")
    found = problems(text)
    lines = {p.split(": [")[0]: p for p in found}
    assert "f.scenario.yaml:12" in lines and "键重复" in lines["f.scenario.yaml:12"]  # duplicate `number`
    assert any("[case.filed]" in p and "2025-13-01" in p for p in found)
    assert any("[case.amount]" in p and "精确到分" in p for p in found)
    assert any("[case.debtors.0]" in p and "world" in p for p in found)
    assert any("[steps]" in p and "缺少必填键" in p for p in found)


def test_yaml_syntax_errors_carry_their_line():
    assert problems(HEAD + "  - assign: [张\n")[0].startswith("f.scenario.yaml:8: ")


def test_load_paths_lists_problems_of_every_file_and_returns_nothing(tmp_path: Path):
    (tmp_path / "a.scenario.yaml").write_text(HEAD + "  - close: 撤诉\n", encoding="utf-8")
    (tmp_path / "b.scenario.yaml").write_text(HEAD + "  - record: 天降横财\n", encoding="utf-8")
    (tmp_path / "c.scenario.yaml").write_text(HEAD + "  - assign: 张\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError) as err:
        load_paths([tmp_path])
    assert [Path(p.file).name for p in err.value.problems] == ["a.scenario.yaml", "b.scenario.yaml"]


def test_the_shipped_suite_loads_and_is_large_enough():
    suite = load_paths([Path(__file__).parent.parent / "scenarios" / "suite"])
    assert len(suite) >= 40
    assert len({s.name for s in suite}) == len(suite)


def test_the_shipped_schema_is_the_models_schema():
    shipped = json.loads((Path(__file__).parent.parent / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    assert shipped == json_schema()
    assert {"name", "case", "steps"} <= set(shipped["required"])


BASE = datetime(2025, 3, 3, 10, 0, tzinfo=CST)


def test_times_absolute_and_relative():
    assert parse_time("2025-09-29 10:00") == datetime(2025, 9, 29, 10, 0, tzinfo=CST)
    assert parse_time("2025-09-29") == datetime(2025, 9, 29, tzinfo=CST)
    assert resolve(parse_time("+30m"), BASE, calendar()) == BASE + timedelta(minutes=30)
    assert resolve(parse_time("+1d2h"), BASE, calendar()) == BASE + timedelta(days=1, hours=2)
    assert resolve(parse_time("+1mo"), datetime(2025, 1, 31, tzinfo=CST), calendar()) == datetime(2025, 2, 28,
                                                                                                   tzinfo=CST)
    assert resolve(parse_time("+2个工作日"), datetime(2025, 9, 30, 9, tzinfo=CST), calendar()) == datetime(
        2025, 10, 10, 9, tzinfo=CST)
    # as the law writes them: Chinese numerals (+三日, +十个工作日); a year-first written date
    assert parse_time("+三日").terms == parse_time("+3d").terms
    assert parse_time("+十个工作日").terms == parse_time("+10wd").terms
    assert parse_time("+四十八小时一个月").terms == parse_time("+1mo48h").terms
    assert parse_time("2025年9月29日 10:00") == parse_time("2025/9/29 10:00") == datetime(2025, 9, 29, 10, tzinfo=CST)
    for bad in ("+3x", "tomorrow", "+", 5, "+四八日", "29/09/2025"):
        with pytest.raises(Exception, match="无法识别的时间"):
            parse_time(bad)
    with pytest.raises(Exception, match="日期不存在.*2025年2月只有28日"):  # written right, no such day (review R5)
        parse_time("2025-02-30 10:00")


@settings(max_examples=60, deadline=None)
@given(d=st.integers(0, 400), h=st.integers(0, 100), m=st.integers(0, 600))
def test_fixed_offsets_are_plain_durations(d, h, m):
    spec = parse_time(f"+{d}d{h}h{m}m")
    assert isinstance(spec, Offset)
    assert resolve(spec, BASE, calendar()) == BASE + timedelta(days=d, hours=h, minutes=m)


@settings(max_examples=40, deadline=None)
@given(start=st.dates(datetime(2025, 1, 1).date(), datetime(2026, 10, 31).date()), n=st.integers(1, 20))
def test_working_day_offsets_land_on_working_days_after_n_of_them(start, n):
    base = datetime(start.year, start.month, start.day, 9, tzinfo=CST)
    at = resolve(parse_time(f"+{n}wd"), base, calendar())
    hc = calendar().holidays
    assert at.time() == base.time() and hc.is_working_day(at.date())
    days = [base.date() + timedelta(days=k) for k in range(1, (at.date() - base.date()).days + 1)]
    assert sum(hc.is_working_day(d) for d in days) == n


def _problems_of(text: str) -> list[str]:
    _, problems = parse_text(text, "t.scenario.yaml")
    return [str(p) for p in problems]


ONE_STEP = """name: t
case:
  number: X1
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - assign: 张法官
"""


def test_a_misspelt_action_is_named_on_its_line_with_the_closest_names() -> None:
    lines = _problems_of(ONE_STEP + "  - request_unfreez: {node: 7}\n")
    hit = next(line for line in lines if "request_unfreez" in line)
    assert "t.scenario.yaml:8:" in hit and "did you mean: request_unfreeze" in hit and "是否想写" in hit


def test_refusal_codes_are_checked_against_the_catalogue() -> None:
    lines = _problems_of(ONE_STEP + "  - close: 终本\n    refused: ZHONGBEN_GAT\n")
    hit = next(line for line in lines if "ZHONGBEN_GAT" in line)
    assert "t.scenario.yaml:9:" in hit and "did you mean: ZHONGBEN_GATE" in hit
    bare = _problems_of(ONE_STEP + "  - close: 终本\n    refused:\n")
    assert any("write the refusal code, or any on purpose" in line for line in bare)
    assert _problems_of(ONE_STEP + "  - close: 终本\n    refused: any\n") == []
    assert _problems_of(ONE_STEP + "  - close: 终本\n    refused: ZHONGBEN_GATE\n") == []


def test_a_misspelt_key_gets_suggestions() -> None:
    lines = _problems_of(ONE_STEP + "  - expect_node: {node: 7, stat: 已冻结}\n")
    assert any("unknown key 'stat'" in line and "did you mean: state" in line for line in lines)


def test_what_cannot_be_set_up_is_said_without_a_traceback():
    from scenarios.runner import run_scenario

    (sc,), bad = parse_text(HEAD.replace("world: 1", "world: 99999999999") + "  - assign: 张法官\n", "f.scenario.yaml")
    assert not bad  # the world's size is the agencies' (known when the run is set up)
    result = run_scenario(sc)
    assert result.error is not None and "Traceback" not in result.error
    assert "被执行人序号" in result.error and "debtor index" in result.error


@pytest.mark.parametrize(("debtors", "shown"), [
    ("[{as: 甲, world: 1}, {as: 乙, world: 1}]", "world: 1"),
    ('[{as: 甲, id: "110101199003077715", name: 甲某}, {as: 乙, id: "110101199003077715", name: 乙某}]',
     "id: 110101********7715"),
])
def test_the_same_debtor_twice_in_a_case_is_refused_at_load(debtors: str, shown: str):
    """The court refuses one person twice in a filing (the driver's 422); the runner showed that as a traceback."""
    text = HEAD.replace("[{as: 甲, world: 1}]", debtors) + "  - assign: 张法官\n"
    (found,) = problems(text)
    assert "f.scenario.yaml:5" in found and "[case.debtors]" in found
    assert f"第 0 项与第 1 项是同一人（{shown}）" in found and "110101199003077715" not in found
