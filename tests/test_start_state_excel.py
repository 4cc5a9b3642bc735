"""A planner's start state as Excel really writes it (``sim.start_state``, ``sim.sheet``): long numbers in scientific
notation, a formula's result (or none), two-digit years, accounting brackets, #N/A and #####, padded names, a UTF-16
"Unicode 文本" — each read as meant, or refused at its cell saying what Excel did and how to export it instead."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.start_state import load_start_state, notes

START = datetime(2027, 1, 4, 8, 30, tzinfo=CST)
JUDGES = ("张三", "李四")


def _csv(f: Path, header: list[str], *rows: list[str], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])  # as Excel writes it
    f.write_text(buf.getvalue(), encoding=encoding)
    return f


def _mistake(f: Path, judges: tuple[str, ...] = ()) -> UserError:
    with pytest.raises(UserError) as info:
        load_start_state(f, START, judges)
    return info.value


def _claims(f: Path, *amounts: str, header: str = "标的金额") -> list[int]:
    rows = [[f"（2026）豫0811执{i}号", "2026/3/5", a] for i, a in enumerate(amounts, start=1)]
    return [c.amount_cents for c in load_start_state(_csv(f, ["案号", "立案日期", header], *rows), START)]


def test_amounts_in_scientific_notation_are_read_when_exact_and_refused_when_excel_rounded(tmp_path):
    """1.23457E+11 is what Excel's General format writes for 123,456,789,012 yuan: it was read as 123,457,000,000.
    An E-form with 7 or more digits, or below 10^11 (General shows those in full), is the value as written."""
    f = tmp_path / "ss.csv"
    assert _claims(f, "1.2E+07", "1.2e7", "1.23456789E+11", "1.5E+03元") == [
        1_200_000_000, 1_200_000_000, 12_345_678_900_000, 150_000]
    said = notes(f)
    assert any("4 个标的以科学计数法写出，按所写读取，如第 2 行 1.2E+07" in n and "scientific notation" in n
               for n in said), said
    for rounded in ("1.23457E+11", "1.2E+11", "1.23457e11"):
        err = _mistake(_csv(f, ["案号", "立案日期", "标的金额"], ["执1号", "2026/3/5", rounded]))
        assert err.where == f"{f}:2:标的金额", rounded
        assert "科学计数法" in err.zh and "6 位有效数字" in err.zh and "设为数值格式" in err.zh, err.zh
        assert "rounded away" in err.en and "format the column as a number" in err.en
    # the note counts only what is read: a rounded one beside them is refused, not "read as written"
    _csv(f, ["案号", "立案日期", "标的金额"], ["执1号", "2026/3/5", "1.23457E+11"], ["执2号", "2026/3/5", "1.2E+07"])
    said = notes(f)
    assert any("1 个标的以科学计数法写出，按所写读取，如第 3 行 1.2E+07" in n for n in said), said


def test_a_wan_column_in_scientific_notation_is_read_in_wan(tmp_path):
    """执行标的（万元） 1.2E+03 is 1,200 万: it was read as 1,200 yuan, 10,000 times too small, without a word."""
    assert _claims(tmp_path / "ss.csv", "1.2E+03", "5", header="执行标的（万元）") == [1_200_000_000, 5_000_000]


def test_a_case_number_excel_showed_in_scientific_notation_is_refused_saying_so(tmp_path):
    """A number-only case number kept in a General column becomes 1.23457E+11: with a type column it was taken as
    a case number; without one, refused only as "does not say its type"."""
    f = _csv(tmp_path / "ss.csv", ["案号", "案件类型", "立案日期"], ["1.23457E+11", "首执", "2026/3/5"])
    err = _mistake(f)
    assert err.where == f"{f}:2:案号" and "科学计数法" in err.zh and "设为文本格式" in err.zh
    assert "Excel" in err.en and "format the column as text" in err.en
    f = _csv(tmp_path / "ss.csv", ["案号", "立案日期"], ["4.10811E+17", "2026/3/5"])
    err = _mistake(f)  # one message, the cause: not also "the number does not say its type"
    assert err.where == f"{f}:2:案号" and "Excel" in err.zh and "类型" not in err.zh


def _workbook(f: Path, *rows: list[object]) -> Path:
    from openpyxl import Workbook  # writes formulas without their results, and marks the book to recompute

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(f)
    return f


def _as_excel_saves(src: Path, dst: Path, results: dict[str, str], recalc: bool = False) -> Path:
    """``src`` as Excel saves it: each formula cell's result beside it (``results``: the cell's XML as openpyxl
    wrote it → as Excel writes it) and no mark to recompute on opening (``recalc`` keeps it: XlsxWriter's 0s)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml" and not recalc:
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in results.items():
                    assert old.encode() in data, old
                    data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)
    return dst


HEADER = ["序号", "案号", "立案日期", "标的金额", "终本日期"]


def test_a_formula_the_workbook_holds_no_result_of_is_refused_at_its_cell(tmp_path):
    """A workbook a program wrote with formulas and never computed: openpyxl's ``data_only`` gives None, and the
    claim was read as none (0) and the 终本 date as empty — an open case — without a word."""
    f = _workbook(tmp_path / "导出.xlsx", HEADER, ["=ROW()-1", "（2026）豫0811执1号", "2026-03-05", "=1000*2", None],
                  ["=ROW()-1", "（2026）豫0811执2号", "2025-03-05", 5, "=DATE(2026,3,6)"])
    err = _mistake(f)
    assert err.zh.startswith("起始状态有 2 处错误") and err.where == str(f)
    assert f"{f}:2:标的金额: 单元格 D2 是公式（=1000*2）" in err.zh and f"{f}:3:终本日期: 单元格 E3" in err.zh
    assert "公式未计算" in err.zh and "打开并保存" in err.zh and "选择性粘贴—数值" in err.zh
    assert "formula not computed" in err.message and "paste it as values" in err.message
    assert "A2" not in err.zh  # 序号's =ROW()-1: a column the simulation does not read


def test_a_formulas_result_excel_saved_is_read_and_a_placeholder_to_recompute_is_not(tmp_path):
    """Excel saves each formula's result: read, an empty text result as empty. XlsxWriter writes 0 for every
    formula and marks the book to recompute on opening: that 0 was read as the claim."""
    src = _workbook(tmp_path / "程序.xlsx", HEADER, ["=ROW()-1", "（2026）豫0811执1号", "2026-03-05", "=1000*2", None],
                    ["=ROW()-1", "（2026）豫0811执2号", "2026-03-05", 5, '=IF(1,"","x")'])
    results = {'<c r="A2"><f>ROW()-1</f><v /></c>': '<c r="A2"><f>ROW()-1</f><v>1</v></c>',
               '<c r="D2"><f>1000*2</f><v /></c>': '<c r="D2"><f>1000*2</f><v>2000</v></c>',
               '<c r="A3"><f>ROW()-1</f><v /></c>': '<c r="A3"><f>ROW()-1</f><v>2</v></c>',
               '<c r="E3"><f>IF(1,"","x")</f><v /></c>': '<c r="E3" t="str"><f>IF(1,"","x")</f><v></v></c>'}
    saved = _as_excel_saves(src, tmp_path / "已保存.xlsx", results)
    one, two = load_start_state(saved, START)
    assert (one.amount_cents, two.amount_cents, two.zhongben_closed) == (200_000, 500, None)
    zeros = {old: new.replace("<v>2000</v>", "<v>0</v>") for old, new in results.items()}
    placeholder = _as_excel_saves(src, tmp_path / "xlsxwriter.xlsx", zeros, recalc=True)
    err = _mistake(placeholder)
    assert f"{placeholder}:2:标的金额: " in err.message and "D2" in err.zh and "formula not computed" in err.message


def test_a_computed_amounts_binary_fraction_is_read_as_excel_shows_it(tmp_path):
    """A claim computed in Excel (本金 + 利息) is saved with 17 significant digits, 1234.5600000000002; Excel shows
    1,234.56 (15 significant digits). It was refused as "not to the cent"."""
    src = _workbook(tmp_path / "s.xlsx", ["案号", "立案日期", "标的金额"], ["执1号", "2026-03-05", 1234.56],
                    ["执2号", "2026-03-05", 0.3])  # openpyxl writes them short: as Excel saves them below
    f = _as_excel_saves(src, tmp_path / "excel.xlsx", {"<v>1234.56</v>": "<v>1234.5600000000002</v>",
                                                       "<v>0.3</v>": "<v>0.30000000000000004</v>"})
    assert [c.amount_cents for c in load_start_state(f, START)] == [123_456, 30]


def test_dates_with_a_two_digit_year_read_year_first_and_the_year_last_refused(tmp_path):
    """Excel's Chinese short date (yy/M/d) is written so in a CSV: read as 20yy and said. A date with the year last
    (3/5/26, 05/03/2026: month or day first?) is refused saying how to write it; a two-digit year landing after the
    run's start says it was read as 20yy."""
    f = _csv(tmp_path / "ss.csv", ["案号", "立案日期", "终本日期"], ["执1号", "26/3/5", ""],
             ["执2号", "25-03-05 14:30", "26.1.6"], ["执3号", "2026年3月5日 星期四", ""])
    cases = load_start_state(f, START)
    assert [(c.filed.date().isoformat(), c.zhongben_closed) for c in cases][0] == ("2026-03-05", None)
    assert cases[1].zhongben_closed.isoformat() == "2026-01-06" and cases[1].filed.date().isoformat() == "2025-03-05"
    assert cases[2].filed.date().isoformat() == "2026-03-05"
    said = notes(f)
    assert any("3 个短日期" in n and "按年/月/日读取" in n and "第 2 行 26/3/5 读作 2026-03-05" in n
               and "two-digit year" in n for n in said), said
    for year_last in ("3/5/26", "05/03/2026"):
        err = _mistake(_csv(f, ["案号", "立案日期"], ["执1号", year_last]))
        assert err.where == f"{f}:2:立案日期" and "年份在后" in err.zh and "year first" in err.en, year_last
    err = _mistake(_csv(f, ["案号", "立案日期"], ["执1号", "27/3/5"]))
    assert "须早于仿真开始" in err.zh and "按 2027 年读取" in err.zh and "read as 2027" in err.en
    err = _mistake(_csv(f, ["案号", "立案日期"], ["执1号", "2026年3月5日 星期三"]))
    assert "2026-03-05 是星期四，不是星期三" in err.zh and "Thursday" in err.en


def test_amounts_as_excel_formats_them_are_read_or_refused_plainly(tmp_path):
    """Thousands separators, a non-breaking space (U+00A0) as one, full-width digits, ¥/￥, trailing spaces and
    Excel's accounting zero (¥ -) are read; a negative in brackets and separators out of place are refused saying
    so (12,34 was read as 1,234 yuan; 1.200,00 — a decimal comma — as 1.20)."""
    f = tmp_path / "ss.csv"
    assert _claims(f, "1,234,567.00", "1\u00a0234\u00a0567", "１２３４５", "￥1,000 ", " ¥12,000.50", "¥ -",
                   "1,000.00元") == [123_456_700, 123_456_700, 1_234_500, 100_000, 1_200_050, 0, 100_000]
    for negative in ("(1,000)", "（1,000.00）", "¥(1,000.00)"):
        err = _mistake(_csv(f, ["案号", "立案日期", "标的金额"], ["执1号", "2026/3/5", negative]))
        assert err.where == f"{f}:2:标的金额" and "括号写的负数" in err.zh and "negative" in err.en, negative
    for misplaced in ("12,34", "1.200,00", "1234,5678"):
        err = _mistake(_csv(f, ["案号", "立案日期", "标的金额"], ["执1号", "2026/3/5", misplaced]))
        assert "千位分隔符位置不对" in err.zh and "out of place" in err.en, misplaced


def test_excels_stand_ins_for_a_value_are_said_as_such(tmp_path):
    """#N/A where a VLOOKUP found no judge was "a handler the profile lacks"; without a judges list it was a judge
    named #N/A. ##### (a date in a column too narrow, exported as shown) was only "must be YYYY-MM-DD"."""
    f = _csv(tmp_path / "ss.csv", ["案号", "立案日期", "承办人", "标的金额"], ["执1号", "########", "#N/A", "#REF!"],
             ["执2号", "2026/3/5", "张三", "5"])
    err = _mistake(f, JUDGES)
    lines = err.zh.splitlines()[1:]
    assert err.zh.startswith("起始状态有 3 处错误") and "承办人不在" not in err.zh, err.zh
    assert lines[0].strip().startswith(f"{f}:2:立案日期: '########' 是 Excel 在列宽不足时显示的符号")
    assert lines[1].strip().startswith(f"{f}:2:承办人: '#N/A' 是 Excel 公式的错误值")
    assert lines[2].strip().startswith(f"{f}:2:标的金额: '#REF!' 是 Excel 公式的错误值")
    assert "widen the column" in err.en or "widen the column" in err.zh
    err = _mistake(_csv(f, ["案号", "立案日期", "承办人"], ["#N/A", "2026/3/5", "张三"]))
    assert err.where == f"{f}:2:案号" and "错误值" in err.zh and "执、执恢" not in err.zh


def test_a_judges_name_padded_to_line_up_is_the_judge(tmp_path):
    """张  三 and 张　三 (a two-character name widened to line up with three-character ones) were judges the
    profile lacks."""
    f = _csv(tmp_path / "ss.csv", ["案号", "立案日期", "承办人"], ["执1号", "2026/3/5", "张  三"],
             ["执2号", "2026/3/5", "李\u3000四"], ["执3号", "2026/3/5", " 张三\u00a0"])
    assert [c.handler for c in load_start_state(f, START, JUDGES)] == ["张三", "李四", "张三"]


def test_excels_unicode_text_and_tab_delimited_text_are_read_and_said(tmp_path):
    """Excel's "Unicode 文本 (*.txt)" is UTF-16 with tabs, its "文本文件(制表符分隔)" GBK with tabs: the first was
    refused as "neither UTF-8 nor GBK", the second's header taken as one unknown column."""
    header, row = ["案号", "立案日期", "标的金额"], ["（2026）豫0811执1号", "2026/3/5", "1,000"]
    for name, encoding in (("unicode.txt", "utf-16"), ("tab.txt", "gbk")):
        f = tmp_path / name
        f.write_bytes(("\t".join(header) + "\r\n" + "\t".join(row) + "\r\n").encode(encoding))
        (case,) = load_start_state(f, START)
        assert (case.case, case.amount_cents) == ("（2026）豫0811执1号", 100_000), name
        assert any("制表符分隔" in n and "tab-separated" in n for n in notes(f)), name


def test_a_workbooks_rows_hidden_by_a_filter_are_read_and_said(tmp_path):
    """A planner filters the export to 未结 before saving: the hidden rows are still in the file. They were read as
    cases without a word; they are still read (the file holds them) and the lines are said."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["案号", "立案日期", "标的金额"])
    for n in range(1, 5):
        sheet.append([f"（2026）豫0811执{n}号", "2026-03-05", 1000])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    f = tmp_path / "筛选.xlsx"
    book.save(f)
    assert len(load_start_state(f, START)) == 4
    assert any("第 3、5 行在 Excel 中是隐藏的" in n and "line(s) 3, 5 are hidden" in n for n in notes(f)), notes(f)


def test_a_systems_forced_text_and_full_width_typing_are_read(tmp_path):
    """A case system's CSV writes ="…" so that Excel keeps a value as text: the case number was (="(2026)豫0811执1号")
    with its quotes. Full-width typing (１２３４．５６, ２０２６／３／５) was refused."""
    f = tmp_path / "ss.csv"
    f.write_text('案号,立案日期,标的金额\n="（2026）豫0811执1号",２０２６／３／５,１２３４．５６\n', encoding="utf-8")
    (case,) = load_start_state(f, START)
    assert (case.case, case.filed.date().isoformat(), case.amount_cents) == ("（2026）豫0811执1号", "2026-03-05",
                                                                             123_456)
    err = _mistake(_csv(f, ["案号", "立案日期", "标的金额"], ["执1号", "2026/3/5", "（１，０００）"]))
    assert "'（１，０００）' 是括号写的负数" in err.zh  # the cell as written
