"""A planner following the README end to end (brief H10): what the walk found, each pinned."""

from __future__ import annotations

from datetime import datetime

from core_flow.legal_calendar import CST
from sim.profile import load_profile
from sim.replicate import make_units, run_units

START = datetime(2025, 3, 3, 8, 30, tzinfo=CST)


def _court_with_open_cases(tmp_path):
    """A court profile whose start state holds this year's open cases (2025)豫0811执1号 … 30号."""
    state = tmp_path / "state.csv"
    rows = [f"(2025)豫0811执{n}号,2025-01-10,首执,3,,50000," for n in range(1, 31)]
    state.write_text("case,filed,type,current_node,handler,amount_yuan,zhongben_closed\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\norigin: 2025-03-03 08:30\nintake: {yearly: 600}\n"
                 f"staff: {{承办法官: {{count: 2}}, 书记员: {{count: 2}}}}\nstart_state: {state}\n", encoding="utf-8")
    return f


def test_new_cases_are_numbered_past_the_start_states_numbers_of_the_same_year(tmp_path):
    """A court's export holds this year's open cases, (2025)豫0811执1号…: the run's new cases took the same numbers
    from 1, were refused as duplicates and silently never filed (60 of 203 in the walk's first 18 days)."""
    f = _court_with_open_cases(tmp_path)
    r = run_units(make_units([("c", load_profile(f))], years=0.05, replications=1, seed=2), backend="serial")[0]
    new = [c["case"] for c in r["cases"] if datetime.fromisoformat(c["filed"]) >= START]
    assert r["meta"]["cases_filed"] > 0 and len(new) >= r["meta"]["cases_filed"]  # every arrival filed
    assert r["kpi"]["filed"] >= r["meta"]["cases_filed"]
    first = [c for c in new if c.startswith("(2025)豫0811执") and "执恢" not in c and "执保" not in c]
    numbers = sorted(int(c.split("执")[1].rstrip("号")) for c in first)
    assert numbers and numbers[0] == 31  # the register counts on from the file's highest


def test_new_cases_are_numbered_from_1_again_in_a_new_year(tmp_path):
    """A court's register starts again each year: a run from late December numbered its first case of the new year
    after the old year's last ((2026)豫0811执38号), as no court does."""
    f = tmp_path / "court.yaml"
    f.write_text("name: 跨年法院\norigin: 2025-12-15 08:30\nintake: {yearly: 1500}\n"
                 "staff: {承办法官: {count: 3}, 书记员: {count: 3}}\n", encoding="utf-8")
    r = run_units(make_units([("c", load_profile(f))], years=0.08, replications=1, seed=3), backend="serial")[0]
    by_year: dict[str, list[int]] = {}
    for case in (c["case"] for c in r["cases"]):
        if "执恢" not in case and "执保" not in case:
            by_year.setdefault(case[1:5], []).append(int(case.split("执")[1].rstrip("号")))
    assert sorted(by_year) == ["2025", "2026"]
    for year, numbers in by_year.items():  # each year's register: 1, 2, 3 … with no gap
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), year


def test_a_new_case_refused_at_filing_fails_the_rule_check(tmp_path, monkeypatch):
    """Whatever the cause (here the numbering fix above undone: new cases collide with the start state's), an arrival
    refused at filing is a rule-check violation naming the case and the refusal — never silently short intake."""
    import pytest

    from core_flow.case_number import CaseNumbers
    from sim.invariants import SimulationCheckFailed

    f = _court_with_open_cases(tmp_path)
    monkeypatch.setattr(CaseNumbers, "top", lambda self, year, court, mark: 0)
    with pytest.raises(SimulationCheckFailed) as info:
        run_units(make_units([("c", load_profile(f))], years=0.05, replications=1, seed=2), backend="serial")
    first = info.value.violations[0]
    assert first["case"].startswith("(2025)豫0811执") and "新收案件立案被拒（ALREADY_FILED）" in first["zh"]


def test_the_terminal_shows_what_the_courts_own_gateway_sends_a_day():
    """The report and kpis.json had 本院发出查控请求/日 (court_requests_per_day); the terminal's table, what a planner
    sizing the court's side reads first, had only the agencies' 查控请求/日."""
    from zhixing.cmd_simulate import kpi_table

    kpi = {"agency_requests_per_day": {"mean": 342.0, "low": 336.0, "high": 347.0},
           "court_requests_per_day": {"mean": 54.7, "low": 53.6, "high": 55.7}}
    cells = kpi_table(kpi, "t").columns[0]._cells
    assert any(c.startswith("本院发出查控请求/日") for c in cells) and any(c.startswith("查控请求/日") for c in cells)
    assert "54.7" in kpi_table(kpi, "t").columns[1]._cells


def test_the_bar_shows_from_the_start_of_a_pools_run(tmp_path):
    """`simulate -r 3 -w 2` showed no bar for the first replication's half minute, then 33%; a planner's next level
    showed the last one's 100% meanwhile: the first report is 0, before any unit finishes."""
    f = tmp_path / "court.yaml"
    f.write_text("name: 小院\nintake: {yearly: 100}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n",
                 encoding="utf-8")
    seen: list[float] = []
    run_units(make_units([("c", load_profile(f))], years=0.02, replications=2, seed=2), backend="process", workers=2,
              progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_the_bars_clock_runs_on_after_a_level_reached_100_percent():
    """rich's elapsed column stops when the task first reaches 100%: a planner's bar, back to 0% at each level,
    showed 0:00:00 for the whole search (its first level's two replications finished together)."""
    from rich.progress import Progress

    from zhixing.cmd_simulate import RunElapsedColumn

    now = [0.0]
    bar = Progress(RunElapsedColumn(), get_time=lambda: now[0])
    task = bar.add_task("承办法官=3", total=1.0)
    bar.update(task, completed=1.0)  # the first level done at once
    now[0] = 75.0
    bar.update(task, completed=0.5, description="承办法官=4")
    assert RunElapsedColumn().render(bar.tasks[0]).plain == "0:01:15"


def test_a_misspelt_role_is_told_the_role_it_is_nearest(tmp_path):
    """法宫助理 for 法官助理 was told only the seven roles' list, which lacks 法官助理 itself (an alias of 书记员)."""
    import pytest

    from core_flow.errors import UserError
    from sim.planner import staff_bounds

    f = tmp_path / "court.yaml"
    f.write_text("name: 小院\nstaff:\n  承办法官: {count: 2}\n  法宫助理: {count: 2}\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    assert info.value.where.endswith("court.yaml:4:staff.法宫助理")
    assert "是否想写：法官助理（即书记员）" in info.value.zh
    assert "did you mean: 法官助理 (the 书记员 role)" in info.value.en
    g = tmp_path / "ok.yaml"
    g.write_text("name: 小院\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        staff_bounds(load_profile(g), ["书计员"], None, None)
    assert info.value.where == "--role" and "是否想写：书记员" in info.value.zh


def test_a_start_states_notes_read_from_the_left_in_the_reports_inputs():
    """The inputs' start-state cell, five notes long, was right-aligned as figures are: each wrapped line began at a
    different place. Prose reads from the left; a figure stays right."""
    from sim.report import CSS, _table

    notes = "山阳.xlsx（" + "表头在第 3 行；" * 10 + "）"
    rows = [["起始状态 / start state", notes], ["年收案 / yearly intake", "3,200"]]
    page = _table(["参数 / parameter", "值 / value"], rows)
    assert "<td class='text'>山阳.xlsx" in page and "<td>3,200</td>" in page
    assert "td.text{text-align:left}" in CSS


def test_a_courts_own_origin_replaced_by_the_provinces_is_said(tmp_path):
    """A planner's own profile (origin: 2026年12月7日) listed in a province file whose common gives 2027年1月4日 ran
    from 2027-01-04 without a word: the replacement is said (terminal and report, as the table's notes are)."""
    from sim.province import load_province

    (tmp_path / "本院.yaml").write_text("name: 本院\norigin: 2026年12月7日\n", encoding="utf-8")
    (tmp_path / "省.yaml").write_text("name: 省\ncommon: {origin: 2027年1月4日}\ncourts:\n"
                                      "  - {profile: 本院.yaml}\n  - {name: 乙县, intake: {yearly: 900}}\n",
                                      encoding="utf-8")
    province = load_province(tmp_path / "省.yaml")
    assert all(p.origin.date().isoformat() == "2027-01-04" for _, p in province.courts)
    said = [n for n in province.notes if "origin" in n]
    assert len(said) == 1
    assert said[0].startswith("本院：其配置文件 本院.yaml 的 origin（2026年12月7日）由 common 的 2027年1月4日 代替")


def test_the_same_origin_written_another_way_is_not_said_replaced(tmp_path):
    """The note compared the texts: a court's 2027年1月4日 beside common's 2027-01-04 (a YAML date) was said to give
    way to it, though the run's window is the same."""
    from sim.province import load_province

    (tmp_path / "本院.yaml").write_text("name: 本院\norigin: 2027年1月4日\n", encoding="utf-8")
    (tmp_path / "省.yaml").write_text("name: 省\ncommon: {origin: 2027-01-04}\ncourts:\n  - {profile: 本院.yaml}\n",
                                      encoding="utf-8")
    assert [n for n in load_province(tmp_path / "省.yaml").notes if "origin" in n] == []


def test_plan_intakes_answer_says_its_bracket_and_its_confidence(tmp_path, monkeypatch):
    """`plan intake` answered "约 3,634 件" — five bisection steps over 500–6,400 leave some 180 cases between the
    last level met and the first missed, and the answer, judged on the 95% interval as staffing's is, did not say
    either: the bracket and the confidence are said."""
    import io

    from rich.console import Console

    import sim.planner
    from sim.planner import parse_target
    from zhixing.cmd_plan import _carried

    goal = parse_target("compliance>=0.95")
    kpi = {"compliance": {"mean": 0.99, "low": 0.98, "high": 1.0, "n": 2}}
    points = [{"intake": i, "kpi": kpi, "met": m} for i, m in ((500, True), (3450, True), (3634, True),
                                                               (3819, False), (4925, False))]
    monkeypatch.setattr(sim.planner, "plan_intake", lambda *a, **k: {"answer": 3634, "points": points,
                                                                      "calendar": {}, "replications": 2, "most": 2})
    out = io.StringIO()
    _carried(Console(file=out, width=200), load_profile(_small(tmp_path)), goal, low=500)
    said = " ".join(out.getvalue().split())  # the console's wrapping undone
    assert "满足 compliance>=0.95（95%置信）的最大年收案约 3,634 件；3,634 件达标、3,819 件未达标" in said
    assert "with 95% confidence: about 3,634; 3,634 meets it, 3,819 does not" in said


def _small(tmp_path):
    f = tmp_path / "small.yaml"
    f.write_text("name: 小院\n", encoding="utf-8")
    return f


def _refused(tmp_path, rows: str) -> str:
    """What a start state of ``rows`` (案号, 立案日期, 当前节点) is refused with."""
    import pytest

    from core_flow.errors import UserError
    from sim.start_state import load_start_state

    f = tmp_path / "state.csv"
    f.write_text("案号,立案日期,当前节点\n" + rows, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    return str(info.value)


def test_a_start_state_node_name_misspelt_is_told_the_nearest_node(tmp_path):
    """查封冻结扣押 (the three words in another order) was refused with the rule alone; the nearest node is named."""
    said = _refused(tmp_path, "(2024)豫0811执1号,2024-10-08,查封冻结扣押\n(2024)豫0811执2号,2024-10-08,节点99\n")
    assert "state.csv:2:当前节点: 未结案件的当前节点须为" in said
    assert "（流程中没有这个节点名称）；是否想写：17 查封、扣押、冻结" in said  # R8: not 44–46's reason
    assert "did you mean: 17 查封、扣押、冻结" in said
    assert said.count("是否想写") == 1  # none near 节点99


def test_a_peak_hour_at_midnight_is_said_to_be_the_sweeps_batch():
    """Every bank's peak hour read 00:00 (19 requests for one court, 75 province-wide) with nothing saying why: the
    终本 sweeps all fall due at 0:00. The agency tables' note says so, in the report and on the terminal."""
    from sim.report import AGENCY_LOAD_NOTE
    from zhixing.cmd_simulate import agency_table

    assert "终本统查在到期日 0 时成批发出" in AGENCY_LOAD_NOTE and "a peak at 00:00 is that batch" in AGENCY_LOAD_NOTE
    assert agency_table({}).caption == AGENCY_LOAD_NOTE


def test_a_preservation_closed_as_it_stood_before_its_queries_were_sent_does_not_crash_the_run(tmp_path):
    """`plan staffing` of a province (a county court of 1,800 cases, tried with 1 judge) died with a stack trace,
    KeyError '(2027)豫0802执保111号': the overloaded handler's review closed a 保全 case as it stood (its bookkeeping
    dropped) before his queued queries ran, the close waiting, and the queries then looked for the bookkeeping."""
    f = tmp_path / "county.yaml"
    f.write_text("name: 乙县人民法院\ncourt_code: 豫0802\norigin: 2027年1月4日\nintake: {yearly: 1800}\n"
                 "staff: {承办法官: {count: 1}, 书记员: {count: 3}, 执行局长: {count: 1}, 分管副院长: {count: 1}}\n",
                 encoding="utf-8")
    u = make_units([("乙县人民法院", load_profile(f))], years=1, replications=1, seed=2025, reassign_handlers=True)
    r = run_units(u, backend="serial")[0]
    assert r["invariants"]["violation_count"] == 0 and r["kpi"]["filed"] > 1500


def test_a_date_in_the_right_form_that_is_no_date_says_why(tmp_path):
    """2027/13/01 was told the date must be YYYY/M/D — which it is; what is wrong is month 13 (or 30 February)."""
    said = _refused(tmp_path, "(2024)豫0811执1号,2024/13/01,3\n(2024)豫0811执2号,2024-02-30,3\n")
    assert "'2024/13/01'（没有 13 月）" in said and "'2024-02-30'（2024 年 2 月只有 29 日）" in said
    assert "(there is no month 13)" in said and "(2024-02 has 29 days)" in said
