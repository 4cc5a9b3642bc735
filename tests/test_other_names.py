"""Closing manners, asset kinds and authorities by the other names people write: the law's full name of 终本
(终结本次执行程序) was refused with the suggestion 终结 — a different closing manner, whose controls are released."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process
from core_flow.protocol import AssetKind
from scenarios import refs


@pytest.mark.parametrize(("written", "code"), [
    ("终本", "zhongben"), ("终结本次执行程序", "zhongben"), ("终结本次执行", "zhongben"), ("终本结案", "zhongben"),
    ("终结", "terminated"), ("终结执行", "terminated"), ("执行终结", "terminated"),
    ("执行完毕", "completed"), ("执行完毕结案", "completed"),
    ("销案", "cancelled"), ("不予执行", "not_enforced"), ("驳回申请", "dismissed"), ("保全完毕", "preservation_done"),
    ("部分保全", "preservation_partial"), ("无标的物可实施保全", "preservation_none"),
])
def test_a_closing_manner_by_its_names(written, code):
    assert refs.manner(written) == code
    assert default_process().manner(written).code == code


def test_an_unknown_manner_says_what_终本_stands_for():
    with pytest.raises(ValueError) as err:
        refs.manner("撤回申请")  # (不予执行 is a manner since 法发〔2014〕26号's were added)
    assert "终本即终结本次执行程序" in str(err.value)


@pytest.mark.parametrize(("written", "kind"), [
    ("房产", AssetKind.REAL_ESTATE), ("房屋", AssetKind.REAL_ESTATE), ("住房", AssetKind.REAL_ESTATE),
    ("汽车", AssetKind.VEHICLE), ("机动车", AssetKind.VEHICLE), ("股票", AssetKind.SECURITIES),
    ("理财", AssetKind.WEALTH_PRODUCT), ("银行存款", AssetKind.DEPOSIT), ("存款", AssetKind.DEPOSIT),
])
def test_an_asset_kind_by_its_everyday_name(written, kind):
    assert refs.asset_kind(written) == kind


def test_the_trial_management_office_by_its_short_name():
    assert refs.authority("审管办") == refs.authority("审判管理办公室") == "trial_management"


def test_roles_by_what_people_call_them_in_a_profile(tmp_path):
    """The issue's "法官助理 / 书记员" is one role; a profile naming it 法官助理 (or the judges 法官) was refused."""
    from sim.profile import load_profile

    f = tmp_path / "p.yaml"
    f.write_text("name: x\nstaff:\n  法官: {count: 5}\n  法官助理: {count: 4}\n"
                 "actions:\n  review: {role: 执行法官, minutes: [5, 10, 20]}\n", encoding="utf-8")
    profile = load_profile(f)
    assert (profile.staff["承办法官"].count, profile.staff["书记员"].count) == (5, 4)
    assert profile.actions["review"].role == "承办法官" and "法官" not in profile.staff
    f.write_text("name: x\nstaff:\n  法官: {count: 5}\n  承办法官: {count: 4}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert err.value.where.endswith("staff.承办法官") and "给了两次（法官、承办法官）" in err.value.zh


def test_roles_by_what_people_call_them_in_the_planner(capsys):
    from sim.planner import parse_target
    from zhixing.cli import main

    assert parse_target("utilisation.法官助理<=85%").targets[0].kpi == "utilisation.书记员"
    # 法官助理 is 书记员: given both, the role is given twice (the check before any run)
    profile = str(Path(__file__).resolve().parents[1] / "sim" / "data" / "court_profile.yaml")
    assert main(["plan", "staffing", profile, "--role", "法官助理", "--role", "书记员",
                 "--target", "compliance>=0.95"]) == 2
    assert "角色 书记员 给了两次" in capsys.readouterr().err


@pytest.mark.parametrize(("written", "code"), [
    ("首执", "first"), ("首次执行", "first"), ("首次执行案件", "first"), ("first", "first"),
    ("恢复", "resumed"), ("执恢", "resumed"), ("恢复执行案件", "resumed"),
    ("保全", "preservation"), ("执保", "preservation"), ("执行保全", "preservation"), ("财产保全执行", "preservation"),
])
def test_a_case_type_by_what_exports_and_people_write(written, code, tmp_path):
    """One list (the process file's case types and their aliases) for scenarios and a court's start-state export: the
    two had their own lists, the export's without 执行保全."""
    from sim.start_state import load_start_state

    assert refs.case_type(written) == code
    f = tmp_path / "s.csv"
    f.write_text(f"案号,立案日期,案件类型,当前节点\nK1,2024-01-01,{written},3\n", encoding="utf-8")
    (case,) = load_start_state(f, datetime(2025, 1, 2, 8, 30, tzinfo=CST))
    assert case.case_type == code


def test_an_unknown_case_type_names_the_known_ones():
    with pytest.raises(ValueError, match="未知案件类型 '执行'") as err:
        refs.case_type("执行")
    assert "首次执行" in str(err.value) and "unknown case type" in str(err.value)


def test_a_node_done_is_办结_too():
    """办结 (how court staff say a node is done) was refused with "did you mean 冻结" — the opposite."""
    from core_flow.engine import NodeStatus

    assert refs.node_state("办结") == refs.node_state("已办结") == refs.node_state("已完成") == NodeStatus.DONE


def test_a_profiles_case_mix_and_debtor_kinds_by_their_chinese_names(tmp_path):
    """`intake.mix: {首执: …}` was refused ("should be 'first', 'resumed' or 'preservation'") where the start state and
    the scenarios read the same names; and the report showed the weights as shares (50% / 20% / 12%, summing to 82%)."""
    from sim.profile import load_profile
    from sim.report import render_html

    f = tmp_path / "p.yaml"
    f.write_text("name: x\nintake:\n  mix: {首执: 0.5, 执恢: 0.2}\n  debtor_kind: {自然人: 1, 单位: 1}\n",
                 encoding="utf-8")
    profile = load_profile(f)
    # key by key over the default (its 保全 0.12 stays: the documented rule for a profile file)
    assert profile.intake.mix == {"first": 0.5, "resumed": 0.2, "preservation": 0.12}
    assert profile.intake.debtor_kind == {"person": 1, "company": 1}
    page = render_html({"courts": {}}, profile, {"years": 1, "replications": 1, "seed": 1})
    assert "首执 first 61%，恢复 resumed 24%，保全 preservation 15%" in page  # as the run draws them
    assert "自然人 person 50%，法人或非法人组织 company 50%" in page
    for text, where, said in [
        ("mix: {首执: 0.5, first: 0.2}", "intake.mix.first", "first 给了两次（首执、first）"),
        ("mix: {首发: 1}", "intake.mix.首发", "未知案件类型 '首发'（首次执行、恢复执行、财产保全）"),
        ("debtor_kind: {机关: 1}", "intake.debtor_kind.机关", "未知被执行人类别 '机关'"),
    ]:
        f.write_text(f"name: x\nintake:\n  {text}\n", encoding="utf-8")
        with pytest.raises(UserError) as err:
            load_profile(f)
        assert err.value.where.endswith(where) and said in err.value.zh, err.value.message


def test_the_profile_schema_lists_the_chinese_share_names():
    """An editor checking a profile against the JSON Schema flagged 首执 (the names are read since they are listed)."""
    from sim.profile import schema

    intake = schema()["$defs"]["Intake"]["properties"]
    assert {"first", "首执", "恢复", "保全", "执恢"} <= set(intake["mix"]["propertyNames"]["enum"])
    assert {"person", "company", "自然人", "单位"} <= set(intake["debtor_kind"]["propertyNames"]["enum"])


@pytest.mark.parametrize(("written", "yearly"), [("4,000", 4000), ("4000件", 4000), ("4千", 4000), ("四千", 4000),
                                                 ("1.2万", 12000), ("'1500.5'", 1500.5), ("3500", 3500)])
def test_a_profiles_intake_as_people_write_it(tmp_path, written, yearly):
    """`yearly: 4,000` (as the README and national figures write it) was "should be a valid number"."""
    from sim.profile import load_profile

    f = tmp_path / "p.yaml"
    f.write_text(f"name: x\nintake:\n  yearly: {written}\nstaff:\n  承办法官: {{count: 五人}}\n", encoding="utf-8")
    profile = load_profile(f)
    assert profile.intake.yearly == yearly and profile.staff["承办法官"].count == 5


def test_a_count_that_is_no_number_says_the_forms(tmp_path):
    from sim.profile import load_profile

    f = tmp_path / "p.yaml"
    f.write_text("name: x\nintake:\n  yearly: 很多\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert err.value.where.endswith(":3:intake.yearly") and "4,000" in err.value.zh and "很多" in err.value.en


@pytest.mark.parametrize(("written", "kpi", "threshold"), [
    ("期限遵守率>=95%", "compliance", 0.95), ("遵守率≥0.95", "compliance", 0.95),
    ("期限遵守率（全部节点）>=95%", "compliance", 0.95), ("利用率.法官<=85%", "utilisation.承办法官", 0.85),
    ("加班.法官助理<=100", "overtime_hours.书记员", 100), ("遵守率.节点十七>=0.9", "compliance.node17", 0.9),
    ("遵守率.17>=0.9", "compliance.node17", 0.9),
    ("结案周期中位数.终结本次执行程序<=120", "cycle_p50_days.zhongben", 120),
    ("人均年收案<=900", "cases_per_judge_year", 900), ("6个月内结案占比>=80%", "within_statutory_share", 0.8),
])
def test_a_target_names_its_kpi_as_the_report_does(written, kpi, threshold):
    """`--target "期限遵守率>=95%"` was "a target reads KPI>=number", where the planner's output names KPIs so."""
    from sim.planner import parse_target

    (target,) = parse_target(written).targets
    assert (target.kpi, target.threshold) == (kpi, pytest.approx(threshold))
    assert target.text.startswith(written.split(">")[0].split("<")[0].split("≥")[0])  # the planner's own words first
    assert target.text.endswith(f"（{kpi}{target.op}{threshold:.10g}）")  # then what they were read as


def test_an_unknown_kpi_lists_the_chinese_names():
    from sim.planner import parse_target

    with pytest.raises(UserError) as err:
        parse_target("好指标>=1")
    assert "期限遵守率" in err.value.zh and "利用率.<角色>" in err.value.zh and "compliance" in err.value.en
