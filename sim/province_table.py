"""A province's courts as a table (``courts: 各院.xlsx`` in a province file): one row per court, as a higher court
keeps its basic courts' figures in Excel — name, yearly intake, headcount per role — instead of a YAML entry each.

Columns (header required, any order; a CSV in UTF-8 or GBK or a workbook's first sheet with a header; title rows and
合计 rows skipped and said, ``sim.sheet``):

* 法院 (法院名称, 单位, name) — required;
* 年收案 (收案, 新收案件, 执行实施案件, intake) — ``intake.yearly`` (4,000, 4000件, 4千, 1.2万 read);
* a role by its name or what people call it (承办法官 / 法官 / 执行法官, 书记员 / 法官助理, 执行局长, 分管副院长,
  院长, 审管办, 中院; 人数 after it and a unit in brackets dropped: 承办法官人数, 法官（人）) — ``staff.<role>.count``;
* 法院代字 (court_code), 配置文件 (profile: that court's profile file), 起始状态 (start_state), 数量 (count);
* 序号, 编号, 备注, 说明 — passed over.

An empty cell leaves the field to ``common`` and the default. Paths in the table are relative to the table. A
column not listed is refused (all at once, with the columns read): a misspelt role would otherwise leave the default
headcount without a word. ``zhixing plan template --table`` writes a starter (``write_template``)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core_flow.errors import UserError
from sim.profile import ROLE_ALIASES, ROLES, canonical_role
from sim.sheet import Sheet, is_blank, is_total, read_sheet, reading_notes, refuse_overlong, totals_note

WHAT = ("各院表", "courts table")
FIELDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("法院", "法院名称", "单位", "单位名称", "name"), ("name",)),
    **dict.fromkeys(("年收案", "收案", "年收案数", "收案数", "新收案件", "新收", "执行实施案件", "intake", "yearly"),
                    ("intake", "yearly")),
    **dict.fromkeys(("法院代字", "代字", "court_code"), ("court_code",)),
    **dict.fromkeys(("配置文件", "法院配置", "profile"), ("profile",)),
    **dict.fromkeys(("起始状态", "start_state"), ("start_state",)),
    **dict.fromkeys(("数量", "法院数", "count"), ("count",)),
}
IGNORED = ("序号", "编号", "备注", "说明")
_UNIT = re.compile(r"[（(][^）)]*[）)]")  # 法官（人）, 年收案(件)


def field_of(cell: str) -> tuple[str, ...] | None:
    """The profile field a header cell names (a role: ``("staff", role, "count")``), or None."""
    name = _UNIT.sub("", cell).replace(" ", "").strip()
    for candidate in (name, name.removesuffix("人数"), name.removesuffix("数")):
        if candidate in FIELDS:
            return FIELDS[candidate]
        role = canonical_role(candidate)
        if role in ROLES:
            return ("staff", role, "count")
    return None


def _known(cell: str) -> bool:
    return field_of(cell) is not None or cell.strip() in IGNORED


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, Any]  # the entry as a province file's court would be written
    columns: dict[tuple[str, ...], str]  # field path → the header cell it came from (mistakes say the column)


def read_courts(p: Path) -> tuple[list[Row], list[str]]:
    """The table's courts and how it was read (``sim.sheet.reading_notes``); every unknown or repeated column named
    at once."""
    sheet = read_sheet(p, _known, WHAT)
    refuse_overlong(p, sheet, WHAT)  # 1,900 unquoted: never read as 1 case a year and 900 judges
    paths = _columns(p, sheet)
    if ("name",) not in paths:
        raise UserError("各院表缺少“法院”列（法院名称）", "the courts table lacks the 法院 (name) column",
                        where=f"{p}:{sheet.header_line}")
    rows = []
    for line, cells in sheet.rows:
        if is_blank(cells) or is_total(cells):
            continue
        data: dict[str, Any] = {}
        columns: dict[tuple[str, ...], str] = {}
        for path, header, cell in zip(paths, sheet.header, cells, strict=False):
            if path is None or not cell.strip():
                continue
            holder = data
            for key in path[:-1]:
                holder = holder.setdefault(key, {})
            holder[path[-1]] = cell.strip()
            columns[path] = header.strip()
        rows.append(Row(line, data, columns))
    if not rows:
        raise UserError("各院表没有法院（表头下没有数据行）", "the courts table has no court (no row below its header)",
                        where=f"{p}:{sheet.header_line}")
    return rows, reading_notes(p, sheet, WHAT) + totals_note(p, sheet, WHAT)


def _columns(p: Path, sheet: Sheet) -> list[tuple[str, ...] | None]:
    paths = [None if cell.strip() in IGNORED else field_of(cell) for cell in sheet.header]
    unknown = [cell for cell, path in zip(sheet.header, paths, strict=True) if path is None
               and cell.strip() not in IGNORED]
    if unknown:
        names = (*FIELDS, *ROLES, *ROLE_ALIASES)
        near = {n: difflib.get_close_matches(n.strip(), names, n=1, cutoff=0.5) for n in unknown}
        hint_zh = "".join(f"；{n!r} 是否想写：{m[0]}" for n, m in near.items() if m)
        hint_en = "".join(f"; {n!r}: did you mean {m[0]}" for n, m in near.items() if m)
        raise UserError(f"各院表有未知列 {'、'.join(map(repr, unknown))}（请删去或改名）；可用列：法院、年收案、"
                        f"{'、'.join(ROLES)}（或 法官、法官助理 等）、法院代字、配置文件、起始状态、数量{hint_zh}",
                        f"the courts table has unknown columns {', '.join(map(repr, unknown))} (remove or rename "
                        "them); columns: 法院 (name), 年收案 (intake), the roles (承办法官, 书记员…), 法院代字, "
                        f"配置文件 (profile), 起始状态 (start_state), 数量 (count){hint_en}",
                        where=f"{p}:{sheet.header_line}:{unknown[0]}")
    for i, path in enumerate(paths):
        if path is not None and path in paths[:i]:
            first = sheet.header[paths.index(path)]
            raise UserError(f"各院表的列 {sheet.header[i]!r} 与 {first!r} 是同一项（{'.'.join(path)}）：请只留一个",
                            f"the courts table's columns {sheet.header[i]!r} and {first!r} are the same field "
                            f"({'.'.join(path)}): keep one", where=f"{p}:{sheet.header_line}:{sheet.header[i]}")
    return paths


# a starter courts table (zhixing plan template --table): the columns read above, two courts as examples
TEMPLATE_HEADER = ("序号", "法院", "年收案", "承办法官", "书记员", "执行局长", "分管副院长", "法院代字", "配置文件",
                   "起始状态", "数量", "备注")
TEMPLATE_ROWS = (
    (1, "甲区人民法院", 4000, 6, 6, 2, 1, "豫0801", "", "", 1,
     "空格取 common 与内置默认 / empty: common, then the default"),
    (2, "乙县人民法院", 1800, 3, 3, 1, 1, "豫0802", "", "", 1,
     "配置文件、起始状态相对本表 / paths relative to this table"),
    (3, "丙县人民法院", 900, 2, 2, 1, 1, "", "", "", 2, "数量 2：两个同样的县院 / two courts alike"),
)


def template_csv() -> str:
    """The starter table as CSV text."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows(TEMPLATE_ROWS)
    return buf.getvalue()


def write_template(path: Path) -> None:
    """The starter table at ``path``: a workbook (.xlsx) or a CSV (UTF-8 with a byte-order mark, which Excel and WPS
    open without garbling); never over an existing file (``FileExistsError``)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "各院"
        sheet.append(TEMPLATE_HEADER)
        for row in TEMPLATE_ROWS:
            sheet.append(row)
        for column, width in zip("ABCDEFGHIJKL", (6, 16, 9, 9, 9, 9, 10, 9, 12, 12, 6, 40), strict=True):
            sheet.column_dimensions[column].width = width
        with path.open("xb") as f:  # never over an existing file
            book.save(f)
        return
    with path.open("x", encoding="utf-8-sig", newline="") as f:
        f.write(template_csv())
