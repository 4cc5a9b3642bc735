"""A court's Excel export with merged cells (``sim.sheet``): a judge's name merged over his cases is his on each
row, and said."""

from __future__ import annotations

from datetime import datetime

from core_flow.legal_calendar import CST
from sim.start_state import load_start_state, notes

START = datetime(2027, 1, 4, 8, 30, tzinfo=CST)
JUDGES = ("张三", "李四", "王五")


def test_a_workbooks_merged_cells_are_filled_down_and_said(tmp_path):
    """承办人 G4:G6 = 张三 merged over three cases read 张三 once, then two cases without a handler (the court then
    assigned other judges). The title merged over the columns above the header is left as it is, and so is a range
    over several columns (columns mean different things: its first cell, as Excel's own CSV holds it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["某县人民法院执行案件清单"])
    sheet.merge_cells("A1:H1")
    sheet.append(["单位：万元"])
    sheet.append(["序号", "案号", "立案日期", "申请执行人", "被执行人", "执行标的（万元）", "承办人", "当前节点"])
    sheet.append([1, "（2026）豫0811执100号", datetime(2026, 10, 8), "甲公司", "王某", 5, "张三", 9])
    sheet.append([2, "（2026）豫0811执101号", None, "乙公司", "李某", 1.2, None, 3])
    sheet.append([3, "（2026）豫0811执102号", None, "丙某", "丁某", 0.8, None, 17])
    sheet.append([4, "（2026）豫0811执103号", datetime(2026, 11, 15), "戊某", "己公司", 12, "李四", 17])
    sheet.merge_cells("G4:G6")  # one judge's three cases
    sheet.merge_cells("C4:C6")  # filed the same day
    sheet.merge_cells("D7:E7")  # across two columns: not spread
    f = tmp_path / "导出.xlsx"
    book.save(f)
    cases = load_start_state(f, START, JUDGES)
    assert [c.handler for c in cases] == ["张三", "张三", "张三", "李四"]
    assert [c.filed.date().isoformat() for c in cases] == ["2026-10-08"] * 3 + ["2026-11-15"]
    assert [c.amount_cents for c in cases] == [5_000_000, 1_200_000, 800_000, 12_000_000]
    said = notes(f)
    assert any("合并单元格 C4:C6、G4:G6 已按其首格的值填入" in n and "cells C4:C6, G4:G6" in n for n in said), said
    assert any("表头在第 3 行" in n for n in said), said
