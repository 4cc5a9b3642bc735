"""A court's start state as a court's IT person gives it: every mistake at once, in the user's own column words; a
终本 case with a node beside its date; dates and headers as people write them."""

from __future__ import annotations

from datetime import datetime

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.start_state import load_start_state

START = datetime(2027, 1, 4, 8, 30, tzinfo=CST)
JUDGES = ("张三", "李四", "王五")
HEADER = "序号,案号,立案日期,执行标的（万元）,承办人,当前节点,终本日期\n"


def _mistake(f, judges=JUDGES) -> UserError:
    with pytest.raises(UserError) as info:
        load_start_state(f, START, judges)
    return info.value


def test_every_cells_mistake_and_the_unknown_handlers_come_in_one_report(tmp_path):
    """The planner's file took four runs: one mistake per row, and the unknown 承办人 only once the rows were right."""
    f = tmp_path / "ss.csv"
    f.write_text(HEADER + "1,（2026）豫0811执100号,2026年10月8日,5万,刘备,9,\n"
                 "4,（2026）豫0811执102号,2026/11/15,很多,张三,45,\n", encoding="utf-8")
    err = _mistake(f)
    assert err.zh.startswith("起始状态有 3 处错误") and err.en.startswith("3 mistakes in the start state")
    lines = err.zh.splitlines()[1:4]
    assert [line.strip().split(": ")[0] for line in lines] == [f"{f}:2:承办人", f"{f}:3:执行标的（万元）",
                                                                 f"{f}:3:当前节点"]  # file order, header order
    assert "刘备（第 2 行）" in err.zh and "'很多'" in lines[1] and "'45'" in lines[2]
    assert err.where == str(f)  # the file, not one of its three places


def test_the_unknown_handlers_are_shown_however_many_rows_are_wrong(tmp_path):
    f = tmp_path / "ss.csv"
    rows = [f"{i},执{i}号,昨天,5,张三,9," for i in range(1, 26)] + ["26,执26号,2026-10-08,5,刘备,9,"]
    f.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    err = _mistake(f)
    assert err.zh.startswith("起始状态有 26 处错误") and "另有 6 处 / … and 6 more" in err.zh
    assert "刘备（第 27 行）" in err.zh and err.zh.count(f"{f}:") == 20  # the 20 shown, the handlers among them


def test_mistakes_are_located_in_the_users_header_words_with_the_columns_unit(tmp_path):
    """ss_bad2.csv:3:filed, :amount_yuan, :zhongben_closed, and 标的须为金额（元） under a header 执行标的（万元）."""
    f = tmp_path / "ss.csv"
    f.write_text(HEADER + "1,执1号,2027/2/20,5块,,9,\n2,执2号,2023/3/1,30,,,2027/7/15\n", encoding="utf-8")
    err = _mistake(f)
    for col in ("立案日期", "执行标的（万元）", "终本日期"):
        assert f"{f}:" in err.zh and f":{col}: " in err.zh, col
    for key in ("filed", "amount_yuan", "zhongben_closed"):
        assert f":{key}:" not in err.zh and f"{key} must" not in err.en, key
    wan = next(line for line in err.zh.splitlines() if "执行标的（万元）:" in line)
    assert "以万元计" in wan and "counts in 万元" in wan and "金额（元）" not in wan
    f.write_text("案号,立案日期,标的金额（元）\n执1号,2026-10-08,abc\n", encoding="utf-8")
    err = _mistake(f)
    assert err.where == f"{f}:2:标的金额（元）" and "（元" in err.zh and "in yuan" in err.en
    f.write_text("案号,当前节点\nK1,9\n", encoding="utf-8")
    err = _mistake(f)
    assert "缺少列：立案日期" in err.zh and "立案日期 (filed)" in err.en


def test_a_zhongben_case_with_a_current_node_is_refused_unless_the_node_says_the_closing(tmp_path):
    """A row with both 当前节点 and 终本日期 was taken as a 终本 case, its node dropped without a word."""
    f = tmp_path / "ss.csv"
    f.write_text(HEADER + "8,（2023）豫0811执902号,2023/3/1,30,,17,2023/7/15\n", encoding="utf-8")
    err = _mistake(f)
    assert err.where == f"{f}:2:当前节点" and "既有当前节点 '17' 又有终本日期" in err.zh and "both" in err.en
    f.write_text(HEADER + "8,（2023）豫0811执902号,2023/3/1,30,,结案,2023/7/15\n"
                 "9,（2023）豫0811执903号,2023/3/1,30,,45,2023/7/15\n", encoding="utf-8")
    cases = load_start_state(f, START, JUDGES)  # the node says what the date says: a register case
    assert [(c.current_node, c.zhongben_closed.isoformat()) for c in cases] == [(None, "2023-07-15")] * 2


def test_what_a_court_it_person_writes_is_read_or_said_plainly(tmp_path):
    """A header cell with a line break (Alt+Enter in Excel), a day written 号, a date column Excel kept as serial
    numbers (said as such, not only "must be YYYY-MM-DD"), and one case number typed with full- and half-width
    brackets (taken as two cases)."""
    f = tmp_path / "ss.csv"
    f.write_text("案号,立案 日期,\"执行标的\n（万元）\"\n执1号,2026年10月8号,5\n", encoding="utf-8")
    (case,) = load_start_state(f, START)
    assert (case.filed.date().isoformat(), case.amount_cents) == ("2026-10-08", 5_000_000)
    f.write_text("案号,立案日期\n执1号,46303\n", encoding="utf-8")
    err = _mistake(f)
    assert err.where == f"{f}:2:立案日期" and "Excel 的日期序号" in err.zh and "serial number" in err.en
    f.write_text("案号,立案日期\n（2026）豫0811执1号,2026-10-08\n(2026)豫0811执1号,2026-10-08\n", encoding="utf-8")
    err = _mistake(f)  # one case typed twice, full- and half-width brackets
    assert err.where == f"{f}:3:案号" and "案号重复" in err.zh


def test_no_claim_as_a_spreadsheet_writes_it_and_a_unit_after_danwei(tmp_path):
    """A 行为类 case has no claim: exports write "-" or 无 (refused before, "leave it empty"); a header written
    执行标的（单位：万元） is the 万元 column (refused as unknown before)."""
    f = tmp_path / "ss.csv"
    f.write_text("案号,立案日期,执行标的（单位：万元）,承办人,当前节点\n"
                 "（2026）豫0811执100号,2026/10/8,-,张三,9\n（2026）豫0811执101号,2026/10/9,无,张三,9\n"
                 "（2026）豫0811执102号,2026/10/9,1.5,李四,9\n", encoding="utf-8")
    cases = load_start_state(f, START, JUDGES)
    assert [c.amount_cents for c in cases] == [0, 0, 1_500_000]
