"""A planner's walk through `zhixing simulate` and `zhixing plan staffing` (review R8): an 执行局 head writing a
smaller court's profile and start state from the docs, reading the report and the search's answer. Each friction
found is pinned here."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from rich.console import Console

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


# --- the staffing search: what it assumed, and why a level whose mean passes is ✗ ----------------------------------

def _court_with_state(tmp_path):
    state = tmp_path / "未结与终本.csv"
    state.write_text("案号,立案日期,当前节点,承办人,执行标的（万元）,终本日期\n"
                     "(2026)豫0822执1号,2026年3月5日,17,王建国,5.2,\n"
                     "(2025)豫0822执88号,2025年5月9日,,王建国,20,2025年11月2日\n", encoding="utf-8")
    f = tmp_path / "small.yaml"
    f.write_text("name: 某县人民法院\norigin: 2027年1月4日\nintake: {yearly: 1800件}\nwarmup_days: 30\n"
                 "staff:\n  承办法官: {count: 4, names: [王建国, 李红, 赵强, 刘洋]}\n  书记员: {count: 4}\n"
                 f"start_state: {state.name}\n", encoding="utf-8")
    return load_profile(f)


def _said(out: io.StringIO) -> str:
    return " ".join(out.getvalue().split())  # the console's wrapping undone


def test_the_staffing_search_says_what_it_assumed(tmp_path, monkeypatch):
    """The answer "最少承办法官人数：3" came with nothing of what it rests on: the intake, the 书记员 held at 4, the
    start state's cases, the horizon and replications of each level."""
    import sim.planner
    from sim.planner import parse_target
    from zhixing.cmd_plan import _search

    goal = parse_target("compliance>=0.9")
    kpi = {"compliance": {"mean": 0.99, "low": 0.98, "high": 1.0, "n": 2}}
    monkeypatch.setattr(sim.planner, "plan_staffing", lambda *a, **k: {
        "answer": 3, "points": [{"staff": 3, "kpi": kpi, "met": True}], "show": ["compliance"], "calendar": {},
        "replications": 2, "most": 2})
    out = io.StringIO()
    result = _search(Console(file=out, width=200), _court_with_state(tmp_path), goal, ["承办法官"], years=0.5,
                     replications=2, seed=2025, backend="serial", workers=1, low=None, high=None, most=None)
    said = _said(out)
    assert said.startswith("测算条件：某县人民法院，目标 compliance>=0.9（按95%置信区间的界判断）；年收案 1,800 件；")
    assert "承办法官逐级试算，其余人员不变：书记员 4、执行局长 2" in said
    assert "起始状态 未结与终本.csv（未结 1 件、终本库 1 件）" in said and "不模拟财产处置" in said
    assert "每级自 2027-01-04 08:30 起 0.5 年（其中预热 30 天不计入指标） × 2 次重复，种子 2025（各级共用）" in said
    assert "assumed: 某县人民法院" in said and "书记员 4" in said and "(1 open, 1 in the 终本 register)" in said
    assert said.index("测算条件") < said.index("服务水平曲线")  # before the search, not after
    assert result["assumed"].startswith("测算条件")

    from sim.report import curve_page

    page = curve_page({**result, "role": "承办法官", "target": goal.text, "warnings": []},
                      _court_with_state(tmp_path))
    assert "测算条件：某县人民法院" in page  # the curve page says it too


def test_the_intake_search_says_the_staff_it_assumed(tmp_path, monkeypatch):
    import sim.planner
    from sim.planner import parse_target
    from zhixing.cmd_plan import _carried

    goal = parse_target("compliance>=0.9")
    kpi = {"compliance": {"mean": 0.99, "low": 0.98, "high": 1.0, "n": 2}}
    monkeypatch.setattr(sim.planner, "plan_intake", lambda *a, **k: {
        "answer": 3212, "points": [{"intake": 3212, "kpi": kpi, "met": True}], "calendar": {}, "replications": 2,
        "most": 2})
    out = io.StringIO()
    _carried(Console(file=out, width=200), _court_with_state(tmp_path), goal, low=500, years=0.5, replications=2,
             seed=2025)
    said = _said(out)
    assert "测算条件：某县人民法院" in said and "年收案逐级试算；现有人员：承办法官 4、书记员 4" in said


def test_a_level_whose_mean_passes_but_bound_does_not_is_explained(tmp_path, monkeypatch):
    """2 judges: compliance 0.984 [0.876, 1.000] against compliance>=0.9, marked ✗ with nothing said — the mean
    passes; the lower bound decides."""
    import sim.planner
    from sim.planner import parse_target
    from zhixing.cmd_plan import _search, bound_note

    goal = parse_target("compliance>=0.9")
    points = [{"staff": 2, "kpi": {"compliance": {"mean": 0.984, "low": 0.876, "high": 1.0, "n": 2}}, "met": False},
              {"staff": 3, "kpi": {"compliance": {"mean": 0.992, "low": 0.983, "high": 1.0, "n": 2}}, "met": True}]
    monkeypatch.setattr(sim.planner, "plan_staffing", lambda *a, **k: {
        "answer": 3, "points": points, "show": ["compliance"], "calendar": {}, "replications": 2, "most": 2})
    out = io.StringIO()
    _search(Console(file=out, width=200), _court_with_state(tmp_path), goal, ["承办法官"], years=0.5,
            replications=2, seed=2025, backend="serial", workers=1, low=None, high=None, most=None)
    said = _said(out)
    assert ("达标以95%置信区间的界判断，不只看均值（目标为 ≥ 时看下限，≤ 时看上限）："
            "2 人时期限遵守率（全部节点）的均值 "
            "0.984 已满足 compliance>=0.9，但下限 0.876 未满足，故记为 ✗") in said
    assert "at 2 people the mean of “deadline compliance, all nodes”, 0.984, meets compliance>=0.9 but its lower " \
           "bound 0.876 does not, hence ✗" in said

    from sim.report import curve_page

    result = {"role": "承办法官", "target": goal.text, "answer": 3, "points": points, "show": ["compliance"],
              "warnings": [], "bound_note": bound_note(points, goal)}
    page = curve_page(result, _court_with_state(tmp_path))
    assert "但下限 0.876 未满足，故记为 ✗" in page  # the --out page says it under its table too
    assert page.index("但下限 0.876") > page.index("<table")


def test_no_bound_note_where_the_mean_misses_too():
    from sim.planner import parse_target
    from zhixing.cmd_plan import bound_note

    goal = parse_target("compliance>=0.9")
    missed = [{"staff": 1, "kpi": {"compliance": {"mean": 0.85, "low": 0.8, "high": 0.9, "n": 2}}, "met": False}]
    assert bound_note(missed, goal) is None


def test_simulate_says_how_many_start_state_cases_it_read(tmp_path):
    """`simulate` said how the export was read (title row, 万元, 合计) but not what it came to: the count of open and
    register cases appeared only as 旧存案件 8.0 [8.0, 8.0] in the figures, after the run."""
    from zhixing.cmd_simulate import start_state_read

    said = start_state_read(_court_with_state(tmp_path))
    assert said == ("起始状态 未结与终本.csv：读入 2 件，其中未结 1 件、终本库 1 件 / "
                    "start state 未结与终本.csv: 2 cases read, 1 open and 1 in the 终本 register")
    assert start_state_read(load_profile()) is None  # no start state: nothing said


def test_two_replications_say_why_their_intervals_are_wide(tmp_path, capsys):
    """`simulate -r 2` printed 新收案件 932 [493, 1,370] with nothing to say the bracket is the two runs' spread
    times 6, not the intake's own; with 3 or more nothing more is said."""
    from zhixing.cli import main

    f = tmp_path / "small.yaml"
    f.write_text("name: 测试法院\nintake: {yearly: 250}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n",
                 encoding="utf-8")
    for reps, said in (("2", True), ("3", False)):
        code = main(["simulate", str(f), "--years", "0.02", "-r", reps, "--backend", "serial", "--no-validate",
                     "--out", str(tmp_path / f"out{reps}")])
        text = " ".join(capsys.readouterr().out.split())
        assert code == 0
        assert ("只有 2 次重复：95% 置信区间由两次结果之差估计，均值两侧各约为其差的 6 倍，故很宽" in text) is said
        assert ("hence wide (not that the intake itself varies so much)" in text) is said


def test_the_profile_argument_points_to_the_template(capsys):
    """`simulate --help` / `plan staffing --help`: PROFILE said "court profile YAML" and nothing of how to start one."""
    from zhixing.cli import main

    for command in (["simulate"], ["plan", "staffing"]):
        main([*command, "--help"])
        text = "".join(capsys.readouterr().out.split())  # rich's box and wrapping undone
        assert "zhixingplantemplate--out本院.yaml" in text.replace("│", "")


def test_the_reports_intake_and_calibration_carry_their_unit(report):
    """年收案 4,000 and 每名承办法官年收案 621.0 | 928.0: numbers without their unit, a count shown to a tenth."""
    inputs = _section(report, "输入 / Inputs")
    assert "<td>年收案（件） / yearly intake (cases)</td><td>250</td>" in inputs
    calibration = _section(report, "校准 / calibration")
    assert "每名承办法官年收案（件）" in calibration and "<td>928</td>" in calibration
    assert not re.search(r"<td>\d+\.\d</td>", calibration)
