"""The optional start state: today's open cases and 终本 register from a CSV."""

from __future__ import annotations

from datetime import datetime

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.kpi import percentile
from sim.profile import DATA, load_profile
from sim.replicate import aggregate, make_units, run_units
from sim.report import render_html
from sim.start_state import load_start_state
from zhixing.cmd_simulate import kpi_table

EXAMPLE = DATA / "start_state_example.csv"
START = datetime(2025, 1, 2, 8, 30, tzinfo=CST)


def test_the_example_parses():
    cases = load_start_state(EXAMPLE, START, ("承办法官01",))
    assert [c.current_node for c in cases] == [9, 3, 7, None, None]
    assert cases[2].case_type == "preservation" and cases[0].amount_cents == 5_000_000
    assert cases[3].zhongben_closed.isoformat() == "2023-07-15"


def test_a_run_starts_from_todays_caseload(tmp_path):
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 150}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
                 f"start_state: {EXAMPLE}\n", encoding="utf-8")
    r = run_units(make_units([("c", load_profile(f))], years=0.6, replications=1, seed=2), backend="serial")[0]
    assert r["meta"]["start_cases"] == 5 and r["invariants"]["violation_count"] == 0
    rows = {c["case"]: c for c in r["cases"]}
    assert rows["(2023)豫0811执900号"]["manner"] == "zhongben" and rows["(2023)豫0811执900号"]["sweeps"] == 2
    # closed on its real 终本 day (the engine's closing entered after the fact): sweeps 1–2 (2024-01, 2024-07) before
    # the run, the 2025-01-16 and 2025-07-16 ones in it (finding nothing: register_debtors empty)
    assert rows["(2023)豫0811执900号"]["closed"].startswith("2023-07-15")
    assert rows["(2022)豫0811执77号"]["closed"].startswith("2022-09-30")
    assert rows["(2024)豫0811执100号"]["handler"] == "承办法官01"
    assert all(rows[k]["closed"] for k in ("(2024)豫0811执100号", "(2024)豫0811执保5号"))  # taken up and closed
    # the start cases are the carried-over caseload, not intake of the simulated period
    assert r["kpi"]["filed"] == sum(1 for c in r["cases"] if datetime.fromisoformat(c["filed"]) >= START)
    assert r["kpi"]["filed"] >= r["meta"]["cases_filed"]  # arrivals, and the resumed cases they led to
    assert (r["kpi"]["carried_over"], r["kpi"]["carried_over_zhongben"]) == (5, 2)
    assert r["kpi"]["carried_over_closed"] >= 2
    # cycle times count from each case's real filing date (the rows' filed), the 6-month share too
    cyc = sorted((datetime.fromisoformat(c["closed"]) - datetime.fromisoformat(c["filed"])).total_seconds() / 86400
                 for c in r["cases"] if c["closed"] and datetime.fromisoformat(c["closed"]) >= START)
    assert r["kpi"]["cycle_p90_days"] == pytest.approx(percentile(cyc, 0.9))
    assert max(cyc) > 90  # (2024)豫0811执100号, filed 2024-10-08, closed in the run
    # 执101号 stood at node 3 (48 hours from 2024-12-20): already overdue when the run began, reported apart
    assert r["kpi"]["overdue_at_start"] >= 1 and r["carried_over"]["overdue_by_node"].get("3", 0) >= 1
    # the report shows the carried-over caseload apart; the CLI's table too, only when there is a start state
    page = render_html(aggregate([r]), load_profile(f), {"years": 0.6, "replications": 1, "seed": 2})
    assert "旧存案件 / carried-over caseload" in page and "起始时已超期的期限" in page
    agg = aggregate([r])["courts"]["c"]["kpi"]
    rows = [row for row in kpi_table(agg, "t").columns[0]._cells]
    assert any(x.startswith("旧存案件") for x in rows) and any(x.startswith("起始时已超期") for x in rows)
    agg0 = {k: {**v, "mean": 0.0} if k == "carried_over" else v for k, v in agg.items()}
    assert not any(x.startswith("旧存") for x in kpi_table(agg0, "t").columns[0]._cells)


@pytest.mark.parametrize(("debtors", "expect_found"), [("empty", False), ("world", True)])
def test_register_cases_are_swept_and_by_default_find_nothing(tmp_path, debtors, expect_found):
    """A register of 60 cases closed in 2024 (sweeps due in the run's first half year): each is swept. Their debtors
    used to be drawn from the world like a new case's, so the first sweep found their whole property and half a
    real register resumed within six months (1,600 cases: 864 resumptions, 4,252 node-46 reviews, compliance 0.53);
    by default (``register_debtors: empty``) they hold nothing the sweeps find."""
    rows = ["case,filed,type,current_node,handler,amount_yuan,zhongben_closed"]
    rows += [f"(2024)豫0811执{900 + i}号,2024-01-10,首执,,,50000,2024-{1 + i % 12:02d}-20" for i in range(60)]
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    profile = load_profile(DATA / "small_court.yaml").model_copy(
        update={"start_state": str(csv_file), "register_debtors": debtors})
    r = run_units(make_units([("c", profile)], years=0.5, replications=1, seed=3), backend="serial")[0]
    ids = {row.split(",")[0] for row in rows[1:]}
    register = [c for c in r["cases"] if c["case"] in ids]
    assert len(register) == 60 and sum(int(c["sweeps"]) for c in register) >= 60  # every case swept in the run
    found = sum(1 for c in register if c["resumed_as"]) + r["work"].get("resume_node", {}).get("items", 0)
    assert (found > 0) == expect_found
    assert r["invariants"]["violation_count"] == 0


@pytest.mark.parametrize(("row", "col"), [
    ("K1,2025-13-01,首执,3,,100,", "filed"),
    ("K1,2026-01-01,首执,3,,100,", "filed"),
    ("K1,2024-01-01,执行,3,,100,", "type"),
    ("K1,2024-01-01,首执,50,,100,", "current_node"),
    ("K1,2024-01-01,首执,45,,100,", "current_node"),  # 终本 sweeps: a register case, with its 终本 date
    ("K1,2024-01-01,首执,,,100,2030-01-01", "zhongben_closed"),  # closed after the run starts
    ("K1,2024-01-01,首执,3,某法官,100,", "handler"),
    ("K1,2024-01-01,首执,3,,abc,", "amount_yuan"),
    ("K1,2024-01-01,首执,3,,nan,", "amount_yuan"),
    ("K1,2024-01-01,首执,3,,inf,", "amount_yuan"),
    ("K1,2024-01-01,首执,,,100,2023-01-01", "zhongben_closed"),
    ("K1,2024-01-01,保全,,,100,2024-06-01", "zhongben_closed"),  # a 保全 case does not close by 终本
])
def test_bad_rows_are_located(tmp_path, row, col):
    f = tmp_path / "s.csv"
    f.write_text("case,filed,type,current_node,handler,amount_yuan,zhongben_closed\n" + row + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START, ("承办法官01",))
    assert info.value.where == f"{f}:2:{col}" and info.value.zh and info.value.en


def test_a_courts_chinese_export_headers_are_taken_as_the_columns_they_name(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("案号,立案日期,案件类型,当前节点,承办人,标的金额,终本日期\n"
                 "K1,2024-01-01,首执,9,承办法官01,\"12,000\",\nK2,2023-03-01,首执,,,500,2023-09-01\n", encoding="utf-8")
    k1, k2 = load_start_state(f, START, ("承办法官01",))
    assert (k1.current_node, k1.handler, k1.amount_cents) == (9, "承办法官01", 1_200_000)
    assert k2.zhongben_closed.isoformat() == "2023-09-01" and k2.current_node is None


def test_dates_amounts_and_nodes_are_read_as_a_courts_export_writes_them(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("案号,立案日期,案件类型,当前节点,标的金额,终本日期\n"
                 "K1,2024/10/8,首执,查封、扣押、冻结,\"¥12,000.50\",\n"
                 "K2,2024年3月5日,首执,节点9,1.2万,\n"
                 "K3,20231101 00:00:00,首执,,3万元,2024.2.29\n", encoding="utf-8")
    k1, k2, k3 = load_start_state(f, START)
    assert (k1.filed.date().isoformat(), k1.current_node, k1.amount_cents) == ("2024-10-08", 17, 1_200_050)
    assert (k2.filed.date().isoformat(), k2.current_node, k2.amount_cents) == ("2024-03-05", 9, 1_200_000)
    assert (k3.filed.date().isoformat(), k3.zhongben_closed.isoformat(), k3.amount_cents) == \
        ("2023-11-01", "2024-02-29", 3_000_000)


@pytest.mark.parametrize(("row", "col"), [
    ("K1,10/08/2024,首执,3,100,", "filed"),  # month and day in doubt: refused, not guessed
    ("K1,2023年2月29日,首执,3,100,", "filed"),  # no such day
    ("K1,2024-01-01,首执,查封,100,", "current_node"),  # not a node's name
    ("K1,2024-01-01,首执,第44节点,100,", "current_node"),
    ("K1,2024-01-01,首执,3,1.2亿万,", "amount_yuan"),
    ("K1,2024-01-01,首执,3,12000.555,", "amount_yuan"),  # not to the cent: was rounded without a word
    ("K1,2024-01-01,首执,3,-100,", "amount_yuan"),
])
def test_what_a_court_export_cannot_mean_is_still_refused(tmp_path, row, col):
    f = tmp_path / "s.csv"
    f.write_text("case,filed,type,current_node,amount_yuan,zhongben_closed\n" + row + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    assert info.value.where == f"{f}:2:{col}" and info.value.zh and info.value.en


@pytest.mark.parametrize(("header", "col", "named"), [
    # a misspelt column was read as empty: every open case at node 1, without a word
    ("case,filed,type,current_nod,handler,amount_yuan,zhongben_closed", "current_nod", "current_node"),
    ("case,filed,type,node_now,handler,amount_yuan,zhongben_closed", "node_now", ""),
    # every unknown column named at once (an export's extra columns: removed in one go; 序号, the parties, 备注… are
    # passed over, see below)
    ("case,filed,type,current_node,财产线索,结案方式", "财产线索", "结案方式"),
    ("case,filed,type,current_node,当前节点", "当前节点", "twice"),
])
def test_a_column_it_does_not_know_is_refused_on_the_header(tmp_path, header, col, named):
    f = tmp_path / "s.csv"
    f.write_text(header + "\nK1,2024-01-01,首执,9,,100,\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START, ("承办法官01",))
    assert info.value.where == f"{f}:1:{col}" and named in info.value.en and info.value.zh


def test_a_courts_excel_export_is_read_as_its_csv_would_be(tmp_path):
    """The first sheet of an .xlsx: dates as date cells, amounts as numbers, Chinese headers, empty trailing rows and
    columns (as a spreadsheet leaves them) — the same cases as the CSV; a mistake located at its row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["案号", "立案日期", "案件类型", "当前节点", "承办人", "标的金额", "终本日期", None])
    sheet.append(["K1", datetime(2024, 10, 8), "首执", 17, "承办法官01", 12000.5, None])
    sheet.append(["K2", datetime(2023, 3, 1), "首执", None, None, 300000, datetime(2023, 9, 1)])
    sheet.append([None] * 7)
    book.save(tmp_path / "s.xlsx")
    k1, k2 = load_start_state(tmp_path / "s.xlsx", START, ("承办法官01",))
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("案号,立案日期,案件类型,当前节点,承办人,标的金额,终本日期\n"
                        "K1,2024-10-08,首执,17,承办法官01,12000.5,\nK2,2023-03-01,首执,,,300000,2023-09-01\n",
                        encoding="utf-8")
    assert [k1, k2] == load_start_state(csv_file, START, ("承办法官01",))
    sheet.append(["K3", "2024-13-01", "首执", 3, None, 100, None])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(UserError) as info:
        load_start_state(tmp_path / "bad.xlsx", START, ("承办法官01",))
    assert info.value.where == f"{tmp_path / 'bad.xlsx'}:5:立案日期"  # the user's header, not an internal key


@pytest.mark.parametrize(("name", "content", "said"), [
    ("old.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),  # the old binary format: save as .xlsx or CSV
    ("broken.xlsx", b"not a zip", "Excel"),
])
def test_a_workbook_that_cannot_be_read_is_said_so(tmp_path, name, content, said):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(UserError) as info:
        load_start_state(tmp_path / name, START)
    assert info.value.where == str(tmp_path / name) and said in info.value.en and info.value.zh


def test_the_command_counts_the_carried_over_cases_it_ran(tmp_path, capsys):
    """`zhixing simulate` said "0.3 s for 11 cases" though it also ran today's caseload: both are counted."""
    from zhixing.cli import main

    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 150}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
                 f"start_state: {EXAMPLE}\n", encoding="utf-8")
    assert main(["simulate", str(f), "--years", "0.05", "-r", "1", "--backend", "serial", "--no-validate", "--out",
                 str(tmp_path / "out")]) == 0
    assert "另有旧存 5 件" in capsys.readouterr().out


def test_an_excel_csv_in_gbk_is_read_and_said(tmp_path):
    """Excel and WPS on a Chinese Windows save "CSV (逗号分隔)" in GBK: the court's export is read as it is (it was
    refused, asking for UTF-8), the same cases as its UTF-8 copy, and the reading is said, not guessed silently."""
    from sim.start_state import notes

    text = ("案号,立案日期,案件类型,当前节点,承办人,标的金额\n"
            "（2024）京0105执1号,2024年6月3日,首执,查封、扣押、冻结,,1.2万\n")
    gbk, utf8 = tmp_path / "gbk.csv", tmp_path / "utf8.csv"
    gbk.write_bytes(text.encode("gbk"))
    utf8.write_text(text, encoding="utf-8")
    (case,) = load_start_state(gbk, START)
    assert load_start_state(utf8, START) == [case]
    assert case.case == "（2024）京0105执1号" and case.current_node == 17 and case.amount_cents == 1_200_000
    (note,) = notes(gbk)
    assert "GBK" in note and "gbk.csv" in note
    assert notes(utf8) == [] and notes(None) == []


def test_a_csv_neither_utf8_nor_gbk_is_located(tmp_path):
    f = tmp_path / "s.csv"  # a 0xFF neither reading takes (Excel's UTF-16 "Unicode 文本" is read: its mark says it)
    f.write_bytes("case,filed,type\nK1,2024-01-01,首执\n".encode() + b"K2,2024-01-01,\xff\n")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    assert info.value.where == f"{f}:3" and "GBK" in info.value.zh and "GBK" in info.value.en
    assert ".xlsx" in info.value.zh and ".xlsx" in info.value.en  # the workbook itself would do


def test_the_terminal_and_the_report_say_a_gbk_start_state(tmp_path, capsys):
    from zhixing.cli import main

    state = tmp_path / "旧存.csv"
    state.write_bytes("case,filed,type,current_node\nK1,2024-06-03,首执,9\n".encode("gbk"))
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 150}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
                 f"start_state: {state}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["simulate", str(f), "--years", "0.05", "-r", "1", "--backend", "serial", "--no-validate", "--out",
                 str(out)]) == 0
    said = capsys.readouterr().out
    assert "已按 GBK 编码读取" in said and "read as GBK" in said
    assert "已按 GBK 编码读取" in (out / "report.html").read_text(encoding="utf-8")


def test_a_staffing_level_below_todays_headcount_shares_the_missing_judges_cases(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("case,filed,type,current_node,handler\n" + "".join(
        f"K{i},2024-06-0{i},首执,9,承办法官0{h}\n" for i, h in enumerate((3, 1, 3, 2, 3), start=1)), encoding="utf-8")
    judges = ("承办法官01", "承办法官02")
    with pytest.raises(UserError) as info:
        load_start_state(f, START, judges)  # a simulation: a handler the profile lacks is a mistake
    assert info.value.where == f"{f}:2:handler"
    cases = load_start_state(f, START, judges, reassign=True)  # a staffing level: shared, round robin in file order
    assert [c.handler for c in cases] == ["承办法官01", "承办法官01", "承办法官02", "承办法官02", "承办法官01"]


def test_every_rows_mistake_is_said_at_once(tmp_path):
    """A 3,000-row export with dates in a form not read stopped at the first row: one run per mistake."""
    f = tmp_path / "s.csv"
    rows = ["K1,2024-06-01,首执,9", "K2,6月1日,首执,9", "K3,2024-06-03,首发,9", "K4,2024-06-04,首执,9"]
    rows += [f"B{i},昨天,首执,9" for i in range(25)]
    f.write_text("case,filed,type,current_node\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    err = info.value
    assert err.where == str(f) and err.zh.splitlines()[1].strip().startswith(f"{f}:3:filed")  # the file; the first
    assert err.zh.startswith("起始状态有 27 处错误") and err.en.startswith("27 mistakes in the start state")
    assert f"{f}:4:type: 案件类型须为" in err.zh and "(first/resumed/preservation): '首发'" in err.zh  # each located
    assert err.zh.count(f"{f}:") == 20 and "另有 7 处 / … and 7 more" in err.zh
    f.write_text("case,filed,type,current_node\nK1,2024-06-01,首执,9\nK2,6月1日,首执,9\n", encoding="utf-8")
    with pytest.raises(UserError) as info:  # one alone reads as before
        load_start_state(f, START)
    assert info.value.where == f"{f}:3:filed" and not info.value.zh.startswith("起始状态有")


def test_every_handler_the_profile_lacks_is_named_at_once_with_the_way_out(tmp_path):
    """A court's export names its real judges; the profile's are generated (承办法官01…) unless it lists them. The load
    stopped at the first (张三), so a register of 30 judges took 30 runs; now all at once, and what to do."""
    f = tmp_path / "s.csv"
    f.write_text("case,filed,type,current_node,handler\n" + "".join(
        f"K{i},2024-06-0{i},首执,9,{h}\n" for i, h in enumerate(("承办法官01", "张三", "李四", "张三"), start=1)),
        encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START, ("承办法官01", "承办法官02"))
    assert info.value.where == f"{f}:3:handler"  # where the first of them is
    assert "张三（第 3 行）、李四（第 4 行）" in info.value.zh and "张三 (line 3), 李四 (line 4)" in info.value.en
    assert "names: [张三, 李四, …]" in info.value.zh and "留空" in info.value.zh and "empty" in info.value.en
    cases = load_start_state(f, START, ("承办法官01", "张三", "李四"))  # the way out: the profile lists them
    assert [c.handler for c in cases] == ["承办法官01", "张三", "李四", "张三"]


def test_the_staffing_search_runs_below_todays_headcount(tmp_path):
    from sim.planner import parse_target, plan_staffing
    from sim.profile import load_profile

    csv_file = tmp_path / "s.csv"
    csv_file.write_text("case,filed,type,current_node,handler,amount_yuan\n"
                        "K1,2024-10-08,首执,9,承办法官03,50000\nK2,2024-11-08,首执,7,承办法官01,8000\n",
                        encoding="utf-8")
    f = tmp_path / "court.yaml"
    f.write_text("name: 三名法官\nintake: {yearly: 60}\nstaff: {承办法官: {count: 3}, 书记员: {count: 1}}\n"
                 f"start_state: {csv_file}\n", encoding="utf-8")
    profile = load_profile(f)
    result = plan_staffing(profile, parse_target("compliance>=0"), years=0.05, replications=2, seed=1,
                           backend="serial", low=1, high=1)
    assert result["points"][0]["kpi"]["carried_over"]["mean"] == 2  # both cases, with the one judge left
    bad = tmp_path / "bad.csv"
    bad.write_text("case,filed,type,current_node,handler\nK1,2024-10-08,首执,9,承办法官09\n", encoding="utf-8")
    with pytest.raises(UserError) as info:  # checked against today's staff before any level runs
        plan_staffing(profile.model_copy(update={"start_state": str(bad)}), parse_target("compliance>=0"),
                      years=0.05, replications=2, backend="serial", low=1, high=1)
    assert info.value.where == f"{bad}:2:handler"


def test_cases_entered_at_the_first_stage_are_taken_up_and_closed(tmp_path):
    """A start-state case at node 3, 5, 6 or 7 has the rest of the first stage done in the run (identity and 控制启动,
    立案审查, the 执行通知, the inquiries) and closes like any other. Before, nobody did that work: such a case could
    neither close nor go to 终本 (its 终本 refused ZHONGBEN_GATE: no notice, no restriction) for as long as the run."""
    csv = tmp_path / "open.csv"
    rows = ["case,filed,type,current_node,handler,amount_yuan,zhongben_closed"]
    rows += [f"(2024)豫0811执{300 + n}号,2024-12-{10 + n},首执,{n},承办法官01,20000," for n in (3, 5, 6, 7)]
    rows += ["(2024)豫0811执保9号,2024-12-16,保全,3,承办法官01,8000,"]
    rows += ["(2024)豫0811执318号,2024-11-20,首执,18,承办法官01,20000,"]  # past its inquiries: not done again
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 20}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
                 f"start_state: {csv}\n", encoding="utf-8")
    r = run_units(make_units([("c", load_profile(f))], years=0.6, replications=1, seed=3), backend="serial")[0]
    assert r["invariants"]["violation_count"] == 0
    rows_by_case = {c["case"]: c for c in r["cases"]}
    entered = [line.split(",")[0] for line in rows[1:]]
    assert {k: rows_by_case[k]["manner"] for k in entered if not rows_by_case[k]["closed"]} == {}
    assert "ZHONGBEN_GATE" not in r["meta"]["refusals"]
    # nodes 9–11 entered done are not worked again (the handler's investigation skips them: it was refused NODE_DONE)
    assert "NODE_DONE" not in r["meta"]["refusals"], r["meta"]["refusals"]


def test_a_court_exports_title_rows_and_total_row_are_skipped_and_said(tmp_path):
    """A court system's export puts a title and a date above the header and a 合计 row below the cases: the header
    was taken from line 1 (every column "unknown") and the total row was a case without a filing date."""
    from openpyxl import Workbook

    from sim.start_state import notes

    rows = [["XX人民法院执行案件清单"], ["导出日期：2024年12月6日"], [],
            ["案号", "立案日期", "案件类型", "当前节点", "标的金额"],
            ["（2024）豫0811执1号", "2024-10-08", "首执", "17", "5万"],
            ["（2024）豫0811执2号", "2024-10-09", "首执", "7", "3万"],
            ["合计", "", "", "", "8万"]]
    csv_file = tmp_path / "导出.csv"
    csv_file.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    book = Workbook()
    for r in rows:
        book.active.append(r)
    xlsx = tmp_path / "导出.xlsx"
    book.save(xlsx)
    for f in (csv_file, xlsx):
        cases = load_start_state(f, START)
        assert [c.case for c in cases] == ["（2024）豫0811执1号", "（2024）豫0811执2号"], f
        assert [c.current_node for c in cases] == [17, 7]
        said = notes(f)
        assert any("表头在第 4 行，其上 3 行（标题等）已跳过" in n and "header is on line 4" in n for n in said), said
        assert any("第 7 行为合计行，已跳过" in n for n in said), said
    # a first row naming no column and no header below it: the unknown columns are said, at line 1
    f = tmp_path / "none.csv"
    f.write_text("标题\n说明\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    assert info.value.where.startswith(f"{f}:1:")
    # a mistake below a header on line 4 is located on its own line
    bad = tmp_path / "bad.csv"
    bad.write_text("清单\n\n\n案号,立案日期,案件类型\nK1,昨天,首执\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(bad, START)
    assert info.value.where == f"{bad}:5:立案日期"


def test_a_start_states_provisional_deadlines_leave_no_python_warning(tmp_path):
    """A start state's cases touched 2027 before the staff's calendar (which keeps its warnings quiet): Python's
    warning text, with a source path, reached the planner's terminal beside the run's own calendar note."""
    import warnings

    from sim.profile import load_profile
    from sim.replicate import make_units
    from sim.run import run_unit

    state = tmp_path / "s.csv"
    state.write_text("case,filed,type,current_node\nK1,2026-11-20,首执,7\n", encoding="utf-8")
    f = tmp_path / "p.yaml"
    f.write_text(f"name: x\nintake: {{yearly: 50}}\norigin: 2026-12-28\nstart_state: {state}\n", encoding="utf-8")
    (unit,) = make_units([("x", load_profile(f))], years=0.05, replications=1, seed=1, check=False)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = run_unit(unit)
    assert not [w for w in seen if "暂定" in str(w.message)], [str(w.message)[:80] for w in seen]
    assert 2027 in out["calendar"]["provisional_years"]  # said the run's own way


def test_an_exports_columns_the_simulation_does_not_use_are_passed_over_and_said(tmp_path):
    """序号, the parties and their numbers, 案由… are in every court export: each had to be deleted by hand ("unknown
    column"). They are read past now (their values not kept) and said; a misspelt column the simulation uses is still
    refused."""
    from sim.start_state import notes

    f = tmp_path / "导出.csv"
    f.write_text("序号,案号,申请执行人,被执行人,身份证号,案由,立案日期,案件类型,当前节点\n"
                 "1,K1,甲公司,张三,110101199003074514,借款合同纠纷,2024-10-08,首执,17\n", encoding="utf-8")
    (case,) = load_start_state(f, START)
    assert (case.case, case.current_node) == ("K1", 17)
    assert "110101199003074514" not in repr(case) and "张三" not in repr(case)  # the parties are not kept
    assert any("序号、申请执行人、被执行人、身份证号、案由 仿真不用，已略过" in n for n in notes(f)), notes(f)
    f.write_text("序号,案号,立案日期,案件类型,当前节电\n1,K1,2024-10-08,首执,17\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    assert "'当前节电'" in info.value.zh and "当前节点" in info.value.zh  # refused, with the near name


def test_a_workbooks_cover_sheet_is_passed_for_the_sheet_with_the_cases(tmp_path):
    """An export whose first sheet is 说明 (what the file is, who exported it): the cases are on the next sheet."""
    from openpyxl import Workbook

    from sim.start_state import notes

    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表由执行案件管理系统导出"])
    cases = book.create_sheet("案件清单")
    cases.append(["案号", "立案日期", "案件类型", "当前节点"])
    cases.append(["K1", "2024-10-08", "首执", "17"])
    f = tmp_path / "导出.xlsx"
    book.save(f)
    (case,) = load_start_state(f, START)
    assert (case.case, case.current_node) == ("K1", 17)
    assert any("读取第 2 张表「案件清单」" in n for n in notes(f)), notes(f)


def test_an_exports_header_names_as_court_systems_write_them(tmp_path):
    """立案时间, 执行法官, 标的金额（元） were "unknown columns"; and a claim column in 万元 must not be read as yuan
    (10,000 times too small, silently): its plain numbers are 万, and that is said."""
    from sim.start_state import notes

    f = tmp_path / "导出.csv"
    f.write_text("执行案号,立案时间,案件类别,所处节点,执行法官,标的金额（元）\n"
                 "K1,2024-10-08,首执,17-查封、扣押、冻结,,12000\n", encoding="utf-8")
    (case,) = load_start_state(f, START)
    assert (case.case, case.current_node, case.amount_cents) == ("K1", 17, 1_200_000)
    f.write_text("案号,立案日期,案件类型,标的金额（万元）\nK1,2024-10-08,首执,5\nK2,2024-10-09,首执,1.5\n"
                 "K3,2024-10-10,首执,3000元\n", encoding="utf-8")
    assert [c.amount_cents for c in load_start_state(f, START)] == [5_000_000, 1_500_000, 300_000]  # 3000元 as written
    assert any("以万元计" in n for n in notes(f)), notes(f)
    f.write_text("案号,立案日期,案件类型,标的,标的金额（万元）\nK1,2024-10-08,首执,5,5\n", encoding="utf-8")
    with pytest.raises(UserError, match="两个标的列"):
        load_start_state(f, START)


def test_without_a_type_column_each_cases_type_is_its_numbers_mark(tmp_path):
    """An export without 案件类型: the case number says it (执 / 执恢 / 执保, the case-number rules' marks)."""
    from sim.start_state import notes

    f = tmp_path / "导出.csv"
    f.write_text("案号,立案日期,当前节点\n(2024)豫0811执1号,2024-10-08,17\n(2024)豫0811执恢2号,2024-10-09,7\n"
                 "(2024)豫0811执保3号,2024-10-10,17\n", encoding="utf-8")
    assert [c.case_type for c in load_start_state(f, START)] == ["first", "resumed", "preservation"]
    assert any("各案类型取自案号" in n for n in notes(f)), notes(f)
    f.write_text("案号,立案日期\nK1,2024-10-08\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_start_state(f, START)
    assert info.value.where == f"{f}:2:案号" and "执恢" in info.value.zh
