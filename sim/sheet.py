"""A table a court keeps in Excel or exports from its systems: a CSV (UTF-8, or GBK as Excel on a Chinese Windows
saves "CSV (逗号分隔)") or a workbook (.xlsx, its first sheet with a header), with title rows above the header and
合计 rows below the data. Read here for the start state (``sim.start_state``) and a province's courts
(``sim.province_table``); each says which header cells it knows, and how it was read is said (``reading_notes``)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core_flow.errors import NotUtf8, UserError, read_utf8

TITLE_ROWS = 10  # a header is looked for this far down (a court's export: its title, date and unit rows above it)

Known = Callable[[str], bool]  # whether a header cell names a column the reader takes


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    header_line: int  # 1 unless title rows stand above it
    rows: list[tuple[int, list[str]]]  # (line, cells) below the header
    encoding: str  # UTF-8, GBK, or xlsx
    sheet: tuple[int, str] | None = None  # a workbook's sheet read (number, title), when not its first
    filled: tuple[str, ...] = ()  # a workbook's merged cells below the header, filled down (``_fill_merged``)


def read_sheet(p: Path, known: Known, what: tuple[str, str]) -> Sheet:
    """The header and the numbered rows of a CSV (UTF-8 or GBK) or of the first sheet with a header of an Excel
    workbook (``.xlsx``; dates, numbers and text read as the CSV's would be). The header is the first of the top rows
    that names a column (``header_line``: title rows of an export stand above it). ``what``: the table's name (zh,
    en) in messages."""
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise UserError("不支持旧版 Excel 文件（.xls）：请另存为 .xlsx 或 CSV（UTF-8）",
                        "an old Excel file (.xls) is not read: save it as .xlsx or CSV (UTF-8)", where=str(p))
    merged: list[tuple[int, int, int, int]] = []
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows, sheet, merged = _xlsx(p, known)
            encoding = "xlsx"
        else:
            sheet = None
            text, encoding = _csv_text(p, what)
            reader = csv.reader(text.splitlines())
            rows = [(reader.line_num, row) for row in reader]
    except OSError as err:
        raise UserError(f"无法读取{what[0]} {p}：{err.strerror}", f"cannot read the {what[1]} {p}: {err.strerror}",
                        where=str(p)) from None
    at = header_line(rows, known) or 0  # none found: the first row's unknown columns are said by the reader
    header = list(rows[at][1]) if rows else []
    while header and not header[-1].strip():  # a sheet's empty columns to the right
        header = header[:-1]
    below = [(line, cells[:len(header)] if encoding == "xlsx" else cells) for line, cells in rows[at + 1:]]
    first = rows[at][0] if rows else 1
    return Sheet(header, first, below, encoding, sheet, _fill_merged(below, merged, first))


def _fill_merged(rows: list[tuple[int, list[str]]], merged: list[tuple[int, int, int, int]],
                 header_line: int) -> tuple[str, ...]:
    """A workbook's merged cells below the header filled down: Excel keeps a merged range's value in its first cell
    only and shows it over the range — a judge's name merged over his cases (G4:G6 张三) read 张三, then two rows
    without a handler. A range in one column is filled into each row it spans (``rows`` changed in place); a range
    over several columns is not (its columns mean different things: left as Excel's own CSV would hold it), nor one
    at or above the header (the title rows, the header itself). The ranges filled, as Excel names them (said:
    ``reading_notes``)."""
    from openpyxl.utils import get_column_letter  # only a workbook has merged cells

    at = {line: cells for line, cells in rows}
    filled = []
    for col, top, last_col, bottom in sorted(merged, key=lambda m: (m[1], m[0])):
        if col != last_col or top <= header_line or bottom == top or top not in at or col > len(at[top]):
            continue
        value = at[top][col - 1]
        for line in range(top + 1, bottom + 1):
            cells = at.get(line)
            if cells is not None and col <= len(cells) and not cells[col - 1].strip():
                cells[col - 1] = value
        letter = get_column_letter(col)
        filled.append(f"{letter}{top}:{letter}{bottom}")
    return tuple(filled)


def header_line(rows: list[tuple[int, list[str]]], known: Known) -> int | None:
    """Which of ``rows`` is the header: the first if it names a column, else the first of the next rows (within
    ``TITLE_ROWS``) that names two or more — the title rows of a court's export stand above it; None when none does."""
    for i, (_line, cells) in enumerate(rows[:TITLE_ROWS]):
        if sum(known(c) for c in cells) >= (1 if i == 0 else 2):
            return i
    return None


def _csv_text(p: Path, what: tuple[str, str]) -> tuple[str, str]:
    """The CSV's text and its encoding: UTF-8 (a byte-order mark allowed), else GBK — what Excel and WPS on a Chinese
    Windows save as "CSV (逗号分隔)" — read as GB18030, its superset, strictly (a byte sequence neither decodes is
    refused at its line). A GBK reading is not silent: ``reading_notes`` says it."""
    try:
        return read_utf8(p, (f"{what[0]} CSV", f"{what[1]} CSV")), "UTF-8"
    except NotUtf8 as err:
        try:
            return p.read_bytes().decode("gb18030"), "GBK"
        except UnicodeDecodeError:
            raise UserError(f"{what[0]} CSV 须为 UTF-8 或 GBK 编码的文本：此行有两种编码都无法解码的字节"
                            "（请另存为 UTF-8，或直接给出 Excel 工作簿 .xlsx）",
                            f"the {what[1]} CSV must be UTF-8 or GBK text: this line has bytes that decode as "
                            "neither (save it as UTF-8, or give the Excel workbook (.xlsx) itself)",
                            where=err.where) from None


def _xlsx(p: Path, known: Known) -> tuple[list[tuple[int, list[str]]], tuple[int, str] | None,
                                         list[tuple[int, int, int, int]]]:
    """The rows of the workbook's first sheet that has a header, which sheet (number, title) when not the first
    (said: ``reading_notes``), and its merged ranges (first column, first row, last column, last row)."""
    import zipfile

    from openpyxl import load_workbook  # here: only a workbook needs it

    try:
        book = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise UserError(f"不是有效的 Excel 工作簿（.xlsx）：{err}", f"not a valid Excel workbook (.xlsx): {err}",
                        where=str(p)) from None
    first: list[tuple[int, list[str]]] | None = None
    try:
        for n, sheet in enumerate(book.worksheets, start=1):
            rows = list(enumerate(([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)),
                                  start=1))
            first = rows if first is None else first
            if header_line(rows, known) is not None:  # a cover or notes sheet before the table (说明): passed
                return rows, (None if n == 1 else (n, sheet.title)), _merged(p, sheet, n)
    finally:
        book.close()
    return first or [], None, []  # none has one: the first sheet's unknown columns are said


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+\d+:[A-Z]+\d+)\"")


def _merged(p: Path, sheet: object, n: int) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges. A read-only sheet (how a large export is read quickly) does not parse them, so they
    are read from its XML, where they stand after the cells; an openpyxl without that reader: the full load's."""
    from openpyxl.utils import range_boundaries

    try:
        with sheet._get_source() as src:  # type: ignore[attr-defined]
            found = _MERGE.findall(src.read())
    except AttributeError:
        from openpyxl import load_workbook

        full = load_workbook(p, data_only=True)
        try:
            return [(r.min_col, r.min_row, r.max_col, r.max_row) for r in full.worksheets[n - 1].merged_cells.ranges]
        finally:
            full.close()
    return [range_boundaries(ref.decode()) for ref in found]  # (min col, min row, max col, max row)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the CSV would hold it: a date as YYYY-MM-DD, a whole number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_total(cells: list[str]) -> bool:
    """A total row of an export (合计 / 总计 / 小计 in its first filled cell): not data."""
    first = next((c.strip() for c in cells if c.strip()), "")
    return first.replace(" ", "").startswith(("合计", "总计", "小计"))


def is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def reading_notes(p: Path, sheet: Sheet, what: tuple[str, str]) -> list[str]:
    """How the table was read where not as written: a CSV read as GBK, a later sheet of a workbook, title rows above
    the header skipped, merged cells filled down — said in the terminal and the report, never silent (the total rows:
    ``totals_note``)."""
    said = []
    zh, en = f"{what[0]} {p.name}", f"the {what[1]} {p.name}"
    if sheet.encoding == "GBK":
        said.append(f"{zh} 不是 UTF-8，已按 GBK 编码读取（Excel 另存的“CSV (逗号分隔)”即此编码） / {en} is not UTF-8: "
                    "read as GBK (what Excel saves as CSV on a Chinese Windows)")
    if sheet.sheet is not None:
        number, title = sheet.sheet
        said.append(f"{zh} 读取第 {number} 张表「{title}」（其前的表没有表头） / {en}: sheet {number} ({title}) read, "
                    "the sheets before it have no header")
    if sheet.header_line > 1:
        above = sheet.header_line - 1
        said.append(f"{zh} 的表头在第 {sheet.header_line} 行，其上 {above} 行（标题等）已跳过 / {en}'s header is on "
                    f"line {sheet.header_line}: the {above} line(s) above it (a title) skipped")
    if sheet.filled:
        shown = "、".join(sheet.filled[:5]) + (f" 等 {len(sheet.filled)} 处" if len(sheet.filled) > 5 else "")
        shown_en = ", ".join(sheet.filled[:5]) + (f" and {len(sheet.filled) - 5} more" if len(sheet.filled) > 5 else "")
        said.append(f"{zh} 的合并单元格 {shown} 已按其首格的值填入所合并的每一行（如承办人合并于其所办各案） / {en}'s "
                    f"merged cells {shown_en}: their first cell's value filled into each row they span (a judge's "
                    "name merged over the cases, say)")
    return said


def totals_note(p: Path, sheet: Sheet, what: tuple[str, str]) -> list[str]:
    """The total rows (合计) skipped, said (none: nothing)."""
    zh, en = f"{what[0]} {p.name}", f"the {what[1]} {p.name}"
    said = []
    totals = [line for line, cells in sheet.rows if is_total(cells)]
    if totals:
        said.append(f"{zh} 第 {'、'.join(map(str, totals))} 行为合计行，已跳过 / {en}'s total row(s) (合计) on line "
                    f"{', '.join(map(str, totals))} skipped")
    return said
