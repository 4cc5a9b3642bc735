"""A planner's walk through `zhixing simulate` and `zhixing plan staffing` (review R8): an 执行局 head writing a
smaller court's profile and start state from the docs, reading the report and the search's answer. Each friction
found is pinned here."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.profile import load_profile

START = datetime(2027, 1, 4, 8, 30, tzinfo=CST)


# --- the court profile: every mistake said at once, each saying what is expected ---------------------------------

def _refused_profile(tmp_path, text: str) -> str:
    f = tmp_path / "court.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    return str(info.value)


MISTAKES = """name: 某县人民法院
origin: 2027年1月4日
intake:
  yearly: 1800件
  seasonality: [0.08, 0.06, 0.085, 0.085, 0.085, 0.085, 0.085, 0.08, 0.085, 0.075, 0.09]
staff:
  承办法管: {count: 4}
  书记员: {count: 4}
hours:
  - 8:30-12:00
  - [14:30, 17:30]
"""


def test_a_misspelt_role_is_said_with_the_files_other_mistakes(tmp_path):
    """承办法管 beside an 11-month seasonality and hours written 8:30-12:00: three mistakes were said, then, once they
    were put right, a fourth — the role, checked only with a profile valid in every field."""
    said = _refused_profile(tmp_path, MISTAKES)
    assert "法院配置有 3 处错误" in said
    assert "court.yaml:7:staff.承办法管: 法院配置有误（staff.承办法管）：未知角色 '承办法管'" in said
    assert "是否想写：承办法官" in said
    # in the file's order: seasonality (line 5), the role (line 7), the hours (line 10)
    assert said.index(":5:intake.seasonality") < said.index(":7:staff.承办法管") < said.index(":10:hours.0")


def test_a_seasonality_short_of_a_month_says_how_many_were_written(tmp_path):
    said = _refused_profile(tmp_path, MISTAKES)
    assert "须为 12 个非负月度权重（1 月至 12 月各一个），和为正的有限数；所写为 11 个" in said
    assert "(January to December) with a positive, finite sum; 11 written" in said


def test_working_hours_written_as_a_range_are_told_the_pair_they_mean(tmp_path):
    """`- 8:30-12:00` was refused "应为数组 / Input should be a valid tuple": pydantic's English, and nothing of what
    a period is written as."""
    said = _refused_profile(tmp_path, MISTAKES)
    assert "court.yaml:10:hours.0: 法院配置有误（hours.0）：每个工作时段写成 [开始, 结束] 两个时刻" in said
    assert "'8:30-12:00' 请写成 [8:30, 12:00]" in said and "for '8:30-12:00' write [8:30, 12:00]" in said
    assert "valid tuple" not in said and "应为数组" not in said


def test_a_working_period_of_one_time_is_told_it_needs_its_end(tmp_path):
    said = _refused_profile(tmp_path, "name: c\nhours:\n  - [8:30, 12:00]\n  - [14:30]\n")
    assert "每个工作时段写成 [开始, 结束] 两个时刻" in said and "收到 ['14:30']" in said
    assert "Field required" not in said and "缺少必填字段" not in said


def test_a_role_given_right_still_reads(tmp_path):
    f = tmp_path / "court.yaml"
    f.write_text("name: c\nstaff:\n  法官: {count: 4}\n  法官助理: {count: 4}\nhours:\n  - [8:30, 12:00]\n",
                 encoding="utf-8")
    p = load_profile(f)
    assert p.staff["承办法官"].count == 4 and p.staff["书记员"].count == 4 and p.hours == (("8:30", "12:00"),)


# --- the start state ----------------------------------------------------------------------------------------------

def test_a_node_number_the_process_lacks_is_said_so(tmp_path):
    """当前节点 99 was told "节点 44–46 在结案之后", a reason about other nodes; the process has 46."""
    from sim.start_state import load_start_state

    f = tmp_path / "state.csv"
    f.write_text("案号,立案日期,当前节点\n(2026)豫0822执4号,2026年4月1日,99\n(2026)豫0822执5号,2026年4月1日,45\n",
                 encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    said = str(info.value)
    assert "'99'（流程共 46 个节点，没有节点 99）" in said and "(the process has 46 nodes, no node 99)" in said
    assert "'45'（节点 44–46 在结案之后；终本库案件请填写终本日期）" in said  # 45 keeps its own reason


# --- the report ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    from sim.replicate import aggregate, make_units, run_units
    from sim.report import render_html
    from tests.sim_support import small_court

    profile = small_court(250, judges=1, clerks=1)
    results = run_units(make_units([(profile.name, profile)], years=0.1, replications=2, seed=6), backend="serial")
    validation = {"mmc": [{"c": 5, "lambda": 4, "mu": 1, "theory_p_wait": 0.554, "p_wait": [0.57, 0.53, 0.61],
                           "theory_wq": 0.554, "wq": [0.6, 0.43, 0.78], "p_wait_ok": True, "wq_ok": True}],
                  "little": {"L": 304.0, "lambda_per_day": 10.6, "W_days": 28.7, "lambda_W": 303.6, "ratio": 0.999}}
    return render_html(aggregate(results), profile, {"years": 0.1, "replications": 2, "seed": 6,
                                                     "backend": "serial"}, validation)


def _section(html: str, heading: str) -> str:
    """The report from ``heading`` to the next heading."""
    start = html.index(heading)
    return html[start:html.find("<h", start + len(heading))]


def test_the_per_node_table_names_each_node(report):
    """The compliance per node listed 1, 2, 3, 17, 31 … — numbers a planner has to look up; the carried-over table
    beside it named them."""
    table = _section(report, "各节点期限遵守 / compliance per node")
    assert "<td>1 接收申请材料</td>" in table and "<td>17 查封、扣押、冻结</td>" in table
    assert not re.search(r"<tr><td>\d+</td>", table)


def test_the_staff_minutes_table_names_each_action_in_chinese():
    """filing, identity, control_start … hand_over: the profile's keys, English-only code in a Chinese report."""
    from sim.profile import ACTIONS, DISPOSAL_ACTIONS, load_profile
    from sim.report import ACTION_NAMES, _actions_html

    assert set(ACTIONS + DISPOSAL_ACTIONS) <= set(ACTION_NAMES)
    table = "".join(_actions_html(load_profile(), []))
    assert "<td>立案、分案（节点1、2、4） filing</td>" in table
    assert "<td>交付（节点30） hand_over</td>" in table
    assert "按冻结节点的审批权限" in table  # by_authority said, not the code alone


def test_the_kpi_table_says_what_its_interval_is(report):
    """"均值 [95% CI]" with 新收案件 932 [493, 1,370] beside it: nothing said why two replications give so wide a
    bracket, nor that a 0 or 1.000 bound is the clip."""
    kpis = _section(report, "关键指标 / KPIs")
    assert "方括号内为 95% 置信区间：由各次重复之间的差异估计" in report
    assert "2 次重复时，均值两侧各约为两次结果之差的 6 倍" in report and "增加重复次数（-r）" in report
    assert kpis  # the note sits after the table, in the KPIs' section
    assert report.index("方括号内为 95% 置信区间") < report.index("各节点期限遵守")


def test_the_charts_and_the_person_table_say_which_replication_they_show(report):
    for heading in ("积压 / backlog over time", "人员利用率（按周） / utilisation by week",
                    "各人利用率 / utilisation by person"):
        assert f"{heading}（第1次重复 / replication 1）" in report


def test_the_validation_is_explained_in_plain_words_with_units(report):
    part = report[report.index("验证 / validation"):]
    assert "规划人员可略过" in part and "须排队等候的概率" in part and "平均等候时间" in part
    assert "L = 304.0 件，λ = 10.6 件/天，W = 28.7 天" in part
    assert "L：平均在办（未结）案件数" in part
