"""A planner's multi-year runs (`zhixing simulate --years 3`): the years side by side, the charts' year lines and the
weeks after the warm-up, the provisional holiday years said before the figures, and a crashed unit said in one
message (court, replication, seed, the trace's file) with exit status 3 — serial, in a process pool and on Ray."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST, HolidayCalendar
from sim import replicate
from sim.replicate import CRASH_EXIT, UnitCrashed, aggregate, make_units, run_units
from sim.report import line_chart, new_years, provisional_ahead, render_html, write_outputs
from tests.sim_support import small_court
from zhixing.cli import main

ORIGIN = datetime(2026, 12, 7, 8, 30, tzinfo=CST)


def _court(yearly: float = 120, warmup: float = 30):
    return small_court(yearly, judges=1, clerks=1, origin=ORIGIN, warmup_days=warmup)


@pytest.fixture(scope="module")
def two_years():
    """A small court over 2.2 years from 2026-12-07, a 30-day warm-up, two replications."""
    profile = _court()
    results = run_units(make_units([(profile.name, profile)], years=2.2, replications=2, seed=4), backend="serial")
    return profile, results


def test_each_year_of_the_run_adds_up_to_the_whole(two_years):
    """kpis.json's and the report's years (the run's years from its origin, counted after the warm-up): new cases,
    closings, 终本, resumptions and sweeps add up to the period's KPIs; year 1 loses the warm-up's days, the last is
    the run's remainder; the register at a year's end is the backlog sample of its last day. Before: no per-year
    figure anywhere — a planner could not see why year 3 differs from year 1."""
    profile, results = two_years
    for run in results:
        years = run["by_year"]
        assert [y["year"] for y in years] == [1, 2, 3]
        assert [y["from"] for y in years] == ["2026-12-07", "2027-12-07", "2028-12-07"]
        assert years[0]["days"] == pytest.approx(365 - 30)
        assert years[1]["days"] == pytest.approx(366)  # 2028 is a leap year
        assert years[2]["days"] == pytest.approx(2.2 * 365 - 365 - 366, abs=0.01)
        kpi = run["kpi"]
        for key, total in (("filed", "filed"), ("closed", "closed"), ("resumptions", "resumptions"),
                           ("sweeps", "sweeps")):
            assert sum(y[key] for y in years) == kpi[total], key
        assert sum(y["zhongben"] for y in years) == run["closed_by"].get("zhongben", 0)
        assert years[2]["register_at_end"] == run["series"]["zhongben"][-1]
        assert years[1]["sweeps"] > years[0]["sweeps"]  # the register grows: more sweeps in year 2
        assert all(0 <= y["compliance"] <= 1 for y in years)
    agg = aggregate(results)
    court = agg["courts"][profile.name]
    assert [y["year"] for y in court["by_year"]] == [1, 2, 3]
    filed = court["by_year"][1]["filed"]
    assert filed["n"] == 2 and filed["mean"] == pytest.approx(sum(r["by_year"][1]["filed"] for r in results) / 2)


def test_the_report_and_kpis_json_show_the_years(two_years, tmp_path):
    profile, results = two_years
    agg = aggregate(results)
    params = {"years": 2.2, "replications": 2, "seed": 4}
    paths = write_outputs(tmp_path, agg, profile, params)
    summary = json.loads(paths["json"].read_text(encoding="utf-8"))
    years = summary["courts"][profile.name]["by_year"]
    assert [y["year"] for y in years] == [1, 2, 3]
    assert set(years[0]) >= {"filed", "closed", "zhongben", "resumptions", "sweeps", "compliance", "open_at_end",
                             "register_at_end", "from", "to", "days"}
    page = paths["html"].read_text(encoding="utf-8")
    assert "逐年 / year by year" in page
    assert "第2年 2027-12-07 – 2028-12-07" in page
    assert "第1年 2026-12-07 – 2027-12-07（计 335 天 / 335 days counted）" in page
    # what the KPIs count, said under their heading: the warm-up left out
    assert "指标计自 2027-01-06 08:30 至 2029-02-17 08:30；此前 30 天（自 2026-12-07 08:30）为预热期" in page


def test_the_charts_mark_each_new_year_and_count_weeks_after_the_warm_up(two_years):
    """The backlog and weekly charts span the years with a dotted line and the year at each 1 January; the weekly
    lists start at the warm-up's end (``weekly_from``) and have a value for every week up to the run's end — before,
    the lists skipped the warm-up's weeks and any week without work, and the chart numbered them from 0, so week 10
    on the axis was week 14 of the run (more after a quiet week)."""
    profile, results = two_years
    run = results[0]
    assert run["weekly_from"] == 30 // 7
    weeks = math.ceil(2.2 * 365 / 7) - 30 // 7
    for role, values in run["weekly_utilisation"].items():
        assert len(values) == weeks, role
    for role, values in run["weekly_demand"].items():
        assert len(values) == weeks, role
    first = 24 + 15.5 / 24  # 2027-01-01 00:00 is 24 days and 15.5 hours after 2026-12-07 08:30
    assert new_years(ORIGIN, 1.0)[:2] == [(pytest.approx(first), "2027年"), (pytest.approx(first + 365), "2028年")]
    assert new_years(ORIGIN, 7.0)[0] == (pytest.approx(first / 7), "2027年")
    svg = line_chart({"a": ([0, 400, 700], [1, 2, 3])}, xlabel="x", ylabel="y", marks=new_years(ORIGIN, 1.0))
    assert svg.count("stroke-dasharray=\"2 3\"") == 2 and "2027年" in svg and "2028年" in svg and "2029年" not in svg
    page = render_html(aggregate(results), profile, {"years": 2.2, "replications": 2})
    assert "2028年" in page and "2029年" in page  # 2027-01-01 falls in the warm-up, before the charts begin
    assert "仿真第几周（自 2026-12-07） / week of the run (from 2026-12-07)" in page
    assert "虚线竖线为 1 月 1 日" in page and "预热期后开始" in page
    # the year table's resumptions are the register's (the intake's 恢复 cases are filed): said, not left to guess
    assert "终本恢复 resumed" in page and "新收中的恢复案件计入新收" in page and "the intake's 恢复 cases" in page
    # the work-arrived chart counts what arrived, queued or begun (tests/test_sim_staff.py)
    assert "期末仍在排队、尚未开始的事项也计入" in page and "items still queued and not begun" in page


def test_the_provisional_years_are_said_before_the_figures(tmp_path, capsys):
    """`zhixing simulate` from 2026-12-07 names the provisional holiday years (no State Council notice in the data)
    and what the KPIs count at the top of its output, before the KPI table — before, only a note after the table."""
    cal = HolidayCalendar(strict=False)
    expected = [y for y in range(2026, 2030) if not cal.is_official(y)]
    assert 2029 in expected
    assert provisional_ahead(ORIGIN, 3) == expected
    assert provisional_ahead(datetime(2026, 1, 5, 8, 30, tzinfo=CST), 0.5) == [y for y in [2026] if y in expected]
    profile = tmp_path / "court.yaml"
    profile.write_text("name: 小法院\nintake: {yearly: 60}\norigin: 2026年12月7日\nwarmup_days: 20\n"
                       "staff: {承办法官: {count: 1}, 书记员: {count: 1}}\n", encoding="utf-8")
    code = main(["simulate", str(profile), "--years", "1.1", "-r", "1", "--no-validate", "--out",
                 str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    flat = re.sub(r"\s+", "", out)
    ys = "、".join(str(y) for y in expected if y <= 2028)  # the run ends 2028-01-12
    top = flat.index(f"本次仿真进入{ys}年")
    counted = flat.index("指标计自2026-12-2708:30至2028-01-1220:30；此前20天")
    table = flat.index("关键指标")
    assert top < table and counted < table
    assert "逐年" in flat  # 1.1 years: two years of the run side by side


def _boom(replication: int):
    real = replicate.run_unit

    def run_unit(unit, progress=None):
        if unit.replication == replication:
            raise KeyError("no such bookkeeping")
        return real(unit, progress)

    return run_unit


@pytest.mark.parametrize("backend,workers", [("serial", 1), ("process", 2)])
def test_a_crashed_unit_names_its_court_replication_and_seed(monkeypatch, tmp_path, backend, workers):
    """A unit raising (a bug) is one message — the court, the replication, the seed, the exception in one line and
    the file holding the full trace (under the crash directory, the run's --out) — and the rest of the run stopped.
    Before: the raw stack trace (a pool's from its worker)."""
    monkeypatch.setattr(replicate, "run_unit", _boom(1))
    units = make_units([("甲区人民法院", small_court(60))], years=0.05, replications=2, seed=31)
    with pytest.raises(UnitCrashed) as info:
        run_units(units, backend=backend, workers=workers, crash_dir=tmp_path)
    err = info.value
    assert "法院 甲区人民法院，第 2 次重复（--seed 31" in err.zh and "KeyError: 'no such bookkeeping'" in err.zh
    assert "court 甲区人民法院, replication 2 (--seed 31" in err.en and "--workers 1" in err.en
    assert err.path == tmp_path / "crash-甲区人民法院-r2.txt" and str(err.path) in err.zh
    trace = err.path.read_text(encoding="utf-8")
    assert "Traceback" in trace and "KeyError" in trace and "seed (--seed): 31" in trace
    assert isinstance(err, UserError) and err.code == "crash"


def test_a_crash_without_a_directory_is_written_to_a_temporary_file(monkeypatch):
    monkeypatch.setattr(replicate, "run_unit", _boom(0))
    with pytest.raises(UnitCrashed) as info:
        run_units(make_units([("乙县", small_court(60))], years=0.05, replications=1, seed=3), backend="serial")
    assert info.value.path.name.startswith("zhixing-crash-乙县-r1-") and info.value.path.exists()
    info.value.path.unlink()


def test_a_rule_check_failing_in_a_pool_worker_is_said_as_itself(monkeypatch):
    """A ``UserError`` raised in a pool worker (a rule check failed, ``SimulationCheckFailed``) reaches the user as
    its own message: it does not pickle (its ``__init__`` takes zh and en), and unpickling it in the parent broke
    the pool with a stack trace."""
    from sim.invariants import SimulationCheckFailed

    def run_unit(unit, progress=None):
        raise SimulationCheckFailed([{"case": "(2027)豫0811执1号", "zh": "节点7未经申请即解冻",
                                      "en": "node 7 unfrozen without a request"}], "  timeline")

    monkeypatch.setattr(replicate, "run_unit", run_unit)
    units = make_units([("c", small_court(60))], years=0.05, replications=2, seed=3)
    with pytest.raises(UserError) as info:
        run_units(units, backend="process", workers=2)
    assert not isinstance(info.value, UnitCrashed)
    assert "节点7未经申请即解冻" in info.value.zh and info.value.code == "invariant"


def test_the_cli_says_a_crash_in_one_message_and_exits_3(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(replicate, "run_unit", _boom(1))
    profile = tmp_path / "court.yaml"
    profile.write_text("name: 丙县人民法院\nintake: {yearly: 60}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    code = main(["simulate", str(profile), "--years", "0.05", "-r", "2", "-w", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == CRASH_EXIT == 3
    assert "Traceback" not in err
    assert err.startswith("错误 / error: 仿真单元崩溃：法院 丙县人民法院，第 2 次重复（--seed 2025")
    assert str(out / "crash-丙县人民法院-r2.txt") in err and (out / "crash-丙县人民法院-r2.txt").exists()


def test_the_help_documents_the_exit_status(capsys):
    assert main(["simulate", "--help"]) == 0
    text = re.sub(r"[\s│]+", "", capsys.readouterr().out)
    assert "3仿真单元崩溃" in text and "exitstatus" in text


def test_a_crash_on_ray_is_said_the_same_way(tmp_path):
    """On Ray the workers are fresh processes (a monkeypatch does not reach them): the unit crashes of itself — its
    per-event table's directory is a file."""
    pytest.importorskip("ray")
    blocker = tmp_path / "events"
    blocker.write_text("not a directory", encoding="utf-8")
    units = make_units([("丁县", small_court(60))], years=0.05, replications=1, seed=8, events_dir=str(blocker))
    with pytest.raises(UnitCrashed) as info:
        run_units(units, backend="ray", workers=1, crash_dir=tmp_path / "crash")
    assert "FileExistsError" in info.value.zh or "NotADirectoryError" in info.value.zh
    assert (tmp_path / "crash" / "crash-丁县-r1.txt").exists()
    assert Path(info.value.path).read_text(encoding="utf-8").count("Traceback") == 1


def test_the_courts_table_keeps_a_courts_name_whole_and_folds_its_start_states_notes(tmp_path):
    """The province report's courts table: each court's name on one line (``td.name``: nowrap) and its start state's
    file with how it was read folded beneath it (<details>) — before, six notes in the cell squeezed the name beside
    it to four characters a line."""
    state = tmp_path / "state.csv"
    state.write_text("某县法院执行案件导出\n序号,案号,立案日期,当前节点,承办人,标的金额（万元）,终本日期,备注\n"
                     "1,(2026)豫0811执1号,2026/10/8 14:30,9,,5,,急\n合计,,,,,5,,\n", encoding="utf-8")
    long_name = "焦作市山阳区人民法院执行局（名称较长）"
    courts = [(long_name, _court().model_copy(update={"start_state": str(state)})),
              ("乙县人民法院", _court(200))]
    page = render_html({"courts": {}}, courts[0][1], {"years": 1}, courts=courts)
    table = page.split("<th>法院 / court</th>")[1].split("</table>")[0]
    assert f"<td class='name'>{long_name}</td>" in table and "<td class='name'>乙县人民法院</td>" in table
    cell = table.split(f"<td class='name'>{long_name}</td>")[1].split("</td>")[0]
    assert cell.startswith("<td class='text'>state.csv<details><summary>读取说明 6 条 / 6 notes on how it was read")
    assert cell.count("<li>") == 6 and "合计行" in cell and "万元" in cell
    assert "td.name{white-space:nowrap" in page
    assert "<td class='text'>无：从零案件开始 / none: from an empty court" in table


def test_plan_staffing_says_a_crash_in_one_message_and_exits_3(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(replicate, "run_unit", _boom(0))
    profile = tmp_path / "court.yaml"
    profile.write_text("name: 戊县人民法院\nintake: {yearly: 60}\nstaff: {承办法官: {count: 2}, 书记员: {count: 1}}\n",
                       encoding="utf-8")
    code = main(["plan", "staffing", str(profile), "--years", "0.05", "-r", "2", "--min", "1", "--max", "2"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert "仿真单元崩溃：法院 戊县人民法院，第 1 次重复" in err and "zhixing-crash-戊县人民法院-r1-" in err
    Path(re.search(r"(\S*zhixing-crash-\S*?\.txt)", err)[1]).unlink()


def test_cases_csv_says_a_register_cases_sweeps_before_the_run(tmp_path):
    """A start state's 终本 register case: ``sweeps_before`` (cases.csv, additive) holds the sweeps due before the run,
    so each unresumed case's row shows its 10 in 5 years with ``sweeps`` (the run's) — a (2022) case read "sweeps 1"
    with nothing saying the other nine were before the run."""
    example = Path(__file__).resolve().parent.parent / "sim" / "data" / "start_state_example.csv"
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 150}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
                 f"start_state: {example}\n", encoding="utf-8")
    from sim.profile import load_profile

    r = run_units(make_units([("c", load_profile(f))], years=0.6, replications=1, seed=2), backend="serial")[0]
    rows = {c["case"]: c for c in r["cases"]}
    # closed 2023-07-15: sweeps 2024-01 and 2024-07 before the run (from 2025-01-02), 2025-01 and 2025-07 in it
    assert (rows["(2023)豫0811执900号"]["sweeps_before"], rows["(2023)豫0811执900号"]["sweeps"]) == (2, 2)
    # closed 2022-09-30: four before (2023-03 … 2024-09), 2025-03 in the run
    assert (rows["(2022)豫0811执77号"]["sweeps_before"], rows["(2022)豫0811执77号"]["sweeps"]) == (4, 1)
    assert rows["(2024)豫0811执100号"]["sweeps_before"] == 0  # an open case


def test_plan_staffing_names_the_provisional_years_before_its_search(tmp_path, capsys):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: 测试法院\norigin: 2026年12月7日\nintake: {yearly: 120}\n"
                       "staff: {承办法官: {count: 1}, 书记员: {count: 1}}\n", encoding="utf-8")
    code = main(["plan", "staffing", str(profile), "--target", "compliance>=0.1", "--years", "0.1", "-r", "2",
                 "--min", "1", "--max", "1", "--backend", "serial"])
    flat = re.sub(r"\s+", "", capsys.readouterr().out)
    assert code == 0
    assert flat.index("本次仿真进入2027年") < flat.index("服务水平") and "本次仿真用到暂定节假日（2027" in flat
