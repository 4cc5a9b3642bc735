"""A start state in the forms other locales and case systems write (``sim.start_state``, ``sim.sheet``): a CSV
separated by semicolons (Excel where the comma is the decimal mark) or bars, a decimal comma in such a file, a comma
inside a value unquoted; a time of day after a date in AM/PM or 上午/下午; short dates (03/05/26, 5/3/2026) whose
order — year, month or day first — the file proves, or the planner gives (``start_state_date_order``,
``--date-order``), or else refused naming the column and two cells."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.start_state import load_start_state, notes

START = datetime(2026, 12, 7, 8, 30, tzinfo=CST)


def _file(f: Path, text: str, encoding: str = "utf-8") -> Path:
    f.write_text(text, encoding=encoding)
    return f


def _mistake(f: Path, **kw: object) -> UserError:
    with pytest.raises(UserError) as info:
        load_start_state(f, START, **kw)  # type: ignore[arg-type]
    return info.value


def _filed(f: Path, **kw: object) -> list[str]:
    return [c.filed.date().isoformat() for c in load_start_state(f, START, **kw)]  # type: ignore[arg-type]


# --- separators -------------------------------------------------------------------------------------------------


def test_a_semicolon_separated_file_is_read_its_decimal_commas_as_decimal_marks(tmp_path):
    """Excel in a locale whose decimal mark is the comma saves "CSV" with semicolons and writes 1.234,56: the file is
    read (it was refused as one unknown column '案号;立案日期;标的金额'), each decimal comma as the decimal mark, a
    quoted semicolon inside a value the value's; both said."""
    f = _file(tmp_path / "ss.csv", "案号;立案日期;标的金额;备注\r\n"
              "执1号;2026/3/5;1.234,56;\r\n执2号;2026/3/6;1234,5;\r\n执3号;2026/3/7;\"¥ 12.000,00\";\"a;b\"\r\n"
              "执4号;2026/3/8;1,234;\r\n执5号;2026/3/9;800;\r\n")
    assert [c.amount_cents for c in load_start_state(f, START)] == [123_456, 123_450, 1_200_000, 123_400, 80_000]
    said = notes(f, START)
    assert any("以分号（;）分隔" in n and "semicolon-separated" in n for n in said), said
    assert any("3 个标的以逗号为小数点" in n and "1.234,56 读作 1234.56" in n and "decimal comma" in n
               for n in said), said


def test_a_full_width_decimal_comma_is_said_as_read(tmp_path):
    """The note showed 读作 None for a claim an input method typed full-width (１．２３４，５６), though it was read."""
    f = _file(tmp_path / "ss.csv", "案号;立案日期;标的金额\n执1号;2026/3/5;１．２３４，５６\n")
    assert [c.amount_cents for c in load_start_state(f, START)] == [123_456]
    assert any("１．２３４，５６ 读作 1234.56" in n and "as 1234.56" in n for n in notes(f, START)), notes(f, START)


def test_a_decimal_comma_in_a_comma_or_tab_file_stays_refused(tmp_path):
    """Only a semicolon file is of a decimal-comma locale: in a comma-separated file 1234,56 (quoted) is still
    separators out of place, never 123,456 yuan."""
    f = _file(tmp_path / "ss.csv", '案号,立案日期,标的金额\r\n执1号,2026/3/5,"1234,56"\r\n')
    err = _mistake(f)
    assert err.where == f"{f}:2:标的金额" and "千位分隔符位置不对" in err.zh and "out of place" in err.en


def test_a_bar_separated_export_is_read(tmp_path):
    f = _file(tmp_path / "ss.csv", "案号|立案日期|标的金额\n执1号|2026/3/5|1,000\n")
    assert [c.amount_cents for c in load_start_state(f, START)] == [100_000]
    assert any("以竖线（|）分隔" in n and "bar-separated" in n for n in notes(f, START))


def test_a_header_whose_separator_cannot_be_told_is_refused_with_what_each_reads(tmp_path):
    f = _file(tmp_path / "ss.csv", "案号;立案日期,标的金额\n执1号;2026/3/5,1\n")
    err = _mistake(f)
    assert err.where == f"{f}:1" and "分隔符无法判断" in err.zh and "按逗号分开为 案号;立案日期 | 标的金额" in err.zh
    assert "按分号分开为 案号 | 立案日期,标的金额" in err.zh and "cannot be told" in err.en


def test_a_comma_inside_a_value_is_read_quoted_and_refused_unquoted(tmp_path):
    """1,000 unquoted in a comma-separated file was read as a claim of 1 yuan, its 000 dropped without a word: the
    row has more cells than the header, refused at its line; quoted, as Excel writes it, it is 1,000 yuan. Empty
    cells past the header (trailing commas) are no mistake."""
    f = _file(tmp_path / "ss.csv", '案号,立案日期,标的金额\n执1号,2026/3/5,"1,000",,\n')
    assert [c.amount_cents for c in load_start_state(f, START)] == [100_000]
    f = _file(tmp_path / "ss.csv", '案号,立案日期,标的金额\n执1号,2026/3/5,1,000\n执2号,2026/3/5,"1,000"\n')
    err = _mistake(f)
    assert err.where == f"{f}:2" and "未加引号的逗号" in err.zh and "'000'" in err.zh and "not quoted" in err.en


# --- times of day ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "clock"), [
    ("2026/3/5 9:00 AM", time(9)), ("2026/3/5 12:30 AM", time(0, 30)), ("2026/3/5 12:30 PM", time(12, 30)),
    ("2026/3/5 9:05 p.m.", time(21, 5)), ("2026/3/5 下午2:30", time(14, 30)), ("2026/3/5 2:30 下午", time(14, 30)),
    ("2026/3/5 上午 09:00:00", time(9)), ("2026/3/5 上午12:15", time(0, 15)), ("2026/3/5 下午12:15", time(12, 15)),
    ("2026-03-05 14:30:00", time(14, 30)), ("2026-03-05 14:30:00.000", time(14, 30)), ("2026/3/5 9:00", time(9)),
    ("2026年3月5日下午2时30分", time(14, 30)), ("2026/3/5 凌晨1点", time(1)), ("2026/3/5 中午12点", time(12)),
    ("2026/3/5 中午1点", time(13)), ("2026-03-05T14:30", time(14, 30)),
    ("2026/3/5 13:00 AM", None), ("2026/3/5 25:00", None), ("2026/3/5 上午15时", None), ("2026/3/5 晚上12点", None),
    ("2026/3/5 上午9:00 AM", None), ("2026/3/5 9:75", None),
])
def test_a_time_of_day_as_spreadsheets_write_it(written, clock):
    """12 AM is 00:xx and 12 PM noon, as Excel's AM/PM and its zh-CN 上午/下午 write a 12-hour clock (上午12:15 is a
    quarter past midnight); a time that is none is no time."""
    from sim.start_state import _CLOCK, _clock

    m = _CLOCK.fullmatch(written)
    assert m is not None and _clock(m) == clock


def test_a_date_with_a_time_of_day_is_the_date_and_the_time_is_said(tmp_path):
    """The filing and 终本 dates take a date: a time after one in AM/PM or 上午/下午 (refused before: 9:00 AM, 2:30
    下午) is the date's, passed over, and said; midnight (Excel's 2026/3/5 0:00) is not said; a time that is none
    (13:00 AM) makes the cell no date, said why."""
    f = _file(tmp_path / "ss.csv", "案号,立案日期,终本日期\n执1号,2026/3/5 9:00 AM,\n执2号,2026/3/6 2:30 下午,\n"
              "执3号,2026/3/7 上午 09:00:00,2026/9/1 12:00 AM\n执4号,2026/3/8 0:00,\n")
    assert _filed(f) == ["2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"]
    said = notes(f, START)
    assert any("3 个日期带时刻（如第 2 行 2026/3/5 9:00 AM）" in n and "time of day" in n for n in said), said
    err = _mistake(_file(f, "案号,立案日期\n执1号,2026/3/5 13:00 AM\n"))
    assert err.where == f"{f}:2:立案日期" and "时刻不存在" in err.zh and "12 AM is midnight" in err.en


# --- the order of year, month and day ------------------------------------------------------------------------------


def test_a_column_of_short_dates_no_cell_of_which_tells_the_order_is_refused_naming_two(tmp_path):
    """03/05/26 was read 2003-05-26 (year first) without a word: it is 5 March 2026 in a US export, 3 May in a UK one.
    A column whose short dates every order reads is refused once, naming the column, two cells and their readings,
    and the ways out (four-digit years, or the order given)."""
    f = _file(tmp_path / "ss.csv", "案号,立案日期\n执1号,03/05/26\n执2号,04/06/25\n执3号,2026/3/5\n")
    err = _mistake(f)
    assert err.where == f"{f}:2:立案日期" and "列 立案日期" in err.zh
    assert "第 2 行的 03/05/26（年/月/日 2003-05-26、日/月/年 2026-05-03、月/日/年 2026-03-05）" in err.zh
    assert "第 3 行的 04/06/25" in err.zh and "start_state_date_order" in err.zh and "--date-order" in err.en
    assert "year first, in four digits" in err.en
    assert _filed(f, order="mdy") == ["2026-03-05", "2025-04-06", "2026-03-05"]
    assert _filed(f, order="dmy") == ["2026-05-03", "2025-06-04", "2026-03-05"]
    assert _filed(f, order="ymd") == ["2003-05-26", "2004-06-25", "2026-03-05"]


def test_the_order_a_column_proves_is_taken_and_said(tmp_path):
    """A US export (M/d/yy): 12/31/25 has no 31st month and no year 2012 with a 31st month — month first; the
    other cells, ambiguous alone, follow the column. Day first proven by 13/5/2026; a 2-digit year first by a day of
    one digit (26/3/5: Excel writes a year in two digits, never one)."""
    us = _file(tmp_path / "us.csv", "案号,立案日期,终本日期\n执1号,03/05/26,\n执2号,12/31/25,04/06/26\n")
    cases = load_start_state(us, START)
    assert [c.filed.date().isoformat() for c in cases] == ["2026-03-05", "2025-12-31"]
    assert cases[1].zhongben_closed.isoformat() == "2026-04-06"  # the 终本 column: the file's one order
    said = notes(us, START)
    assert any("3 个短日期" in n and "按月/日/年读取" in n and "第 3 行的 12/31/25 按年/月/日、日/月/年都不是日期" in n
               and "line 2's 03/05/26 as 2026-03-05" in n for n in said), said
    uk = _file(tmp_path / "uk.csv", "案号,立案日期\n执1号,05/03/2026\n执2号,13/5/2026\n")
    assert _filed(uk) == ["2026-03-05", "2026-05-13"]
    zh = _file(tmp_path / "zh.csv", "案号,立案日期\n执1号,25/03/05\n执2号,26/3/5\n")
    assert _filed(zh) == ["2025-03-05", "2026-03-05"]


def test_the_runs_start_rules_out_an_order_putting_a_date_after_it_and_says_so(tmp_path):
    """Excel's zh-CN yy/MM/dd: 24/03/05 and 25/11/28 read day first are 2005-03-24 and 2028-11-25 — after the run's
    start, which a start state's dates never are (refused there): so year first, and the note names the cell."""
    f = _file(tmp_path / "ss.csv", "案号,立案日期\n执1号,24/03/05\n执2号,25/11/28\n")
    assert _filed(f) == ["2024-03-05", "2025-11-28"]
    early = "第 3 行的 25/11/28 按日/月/年读是 2028-11-25，不早于仿真开始（2026-12-07）"
    assert any("按年/月/日读取" in n and early in n for n in notes(f, START))
    assert "分不清" in _mistake(_file(f, "案号,立案日期\n执1号,24/03/05\n")).zh  # alone: 2024-03-05 or 2005-03-24


def test_short_dates_no_one_order_reads_are_refused_and_a_cell_none_is_at_its_cell(tmp_path):
    f = _file(tmp_path / "ss.csv", "案号,立案日期\n执1号,13/05/2026\n执2号,05/13/2026\n")
    err = _mistake(f)
    assert "不是同一种写法" in err.zh and "13/05/2026 只能是日/月/年" in err.zh
    assert "05/13/2026 only month/day/year" in err.en
    assert _filed(_file(f, "案号,立案日期\n执1号,03/05/26\n"), order="ymd") == ["2003-05-26"]  # given: read so
    err = _mistake(_file(f, "案号,立案日期\n执1号,03/15/26\n"), order="dmy")
    assert err.where == f"{f}:2:立案日期" and "按日/月/年读取，此格按此不是日期" in err.zh
    err = _mistake(_file(f, "案号,立案日期\n执1号,13/13/26\n执2号,2026/3/5\n"))  # no order: at its own cell
    assert err.where == f"{f}:2:立案日期" and "按年/月/日、日/月/年、月/日/年读都不是日期" in err.zh


def test_the_order_given_in_the_profile_or_on_the_command_line(tmp_path, capsys, monkeypatch):
    """``start_state_date_order`` in the profile (``--date-order`` overrides it): checked as the file's field, named
    by its option when wrong; both simulate and plan staffing take it; the report's note says the order the run read
    the file in (the profile's)."""
    from sim.profile import load_profile
    from zhixing.cli import main
    from zhixing.cmd_simulate import overridden

    f = _file(tmp_path / "ss.csv", "案号,立案日期\n执1号,03/05/26\n")
    p = _file(tmp_path / "court.yaml", f"start_state: {f.name}\nstart_state_date_order: mdy\n")
    profile = load_profile(p)
    assert profile.start_state_date_order == "mdy"
    assert overridden(profile, date_order="DMY").start_state_date_order == "dmy"
    with pytest.raises(UserError) as info:
        overridden(profile, date_order="myd")
    assert info.value.where == "--date-order"
    with pytest.raises(UserError):
        load_profile(_file(tmp_path / "bad.yaml", "start_state_date_order: 月日年\n"))
    from sim.report import _start_state

    assert "按月/日/年读取（配置 start_state_date_order 或 --date-order 所定）" in _start_state(profile)  # the report's
    assert "按月/日/年读取" not in _start_state(overridden(profile, date_order="dmy"))  # the order the profile gives
    monkeypatch.setenv("COLUMNS", "200")
    for command in (["simulate", "--help"], ["plan", "staffing", "--help"], ["plan", "intake", "--help"]):
        main(command)
        assert "--date-order" in capsys.readouterr().out, command
