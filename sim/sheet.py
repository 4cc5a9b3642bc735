"""A table a court keeps in Excel or exports from its systems: a CSV (UTF-8, or GBK as Excel on a Chinese Windows
saves "CSV (逗号分隔)") or a workbook (.xlsx, its first sheet with a header), with title rows above the header and
合计 rows below the data. Read here for the start state (``sim.start_state``) and a province's courts
(``sim.province_table``); each says which header cells it knows, and how it was read is said (``reading_notes``).
What Excel writes is taken as it writes it: its "Unicode 文本" (UTF-16, tab-separated) and tab-delimited text, its
CSV with semicolons where the comma is the decimal mark (and a case system's with bars: ``_delimited``), a
number to the 15 significant digits Excel shows; a formula whose result the workbook does not hold is refused at its
cell (``_scanned``), never read as empty, and rows hidden in Excel (a filter) are said; ``excel_shown`` and
``general_rounded`` tell a reader a cell holds Excel's stand-in for a value (#N/A, #####) or its rounded scientific
notation (1.23457E+11)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core_flow.errors import NotUtf8, UserError, read_utf8
from core_flow.os_text import os_reason

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
    delimiter: str = ","  # a CSV's: a tab for Excel's "Unicode 文本" and its tab-delimited text (``reading_notes``)
    hidden: tuple[int, ...] = ()  # a workbook's rows below the header hidden in Excel (filtered out): read, and said


def read_sheet(p: Path, known: Known, what: tuple[str, str], used: Known | None = None) -> Sheet:
    """The header and the numbered rows of a CSV (UTF-8 or GBK; separated by commas, tabs as Excel's text exports,
    semicolons as Excel's CSV where the comma is the decimal mark, or bars: ``_delimited``)
    or of the first sheet with a header of an Excel workbook (``.xlsx``; dates, numbers and text read as the CSV's
    would be). The header is the first of the top rows that names a column (``header_line``: title rows of an export
    stand above it). A workbook's formula whose result the file does not hold, in a column ``used`` names (default:
    every column ``known`` names), is refused at its cell (``_scanned``), never read as empty. ``what``: the
    table's name (zh, en) in messages."""
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise UserError("不支持旧版 Excel 文件（.xls）：请另存为 .xlsx 或 CSV（UTF-8）",
                        "an old Excel file (.xls) is not read: save it as .xlsx or CSV (UTF-8)", where=str(p))
    merged: list[tuple[int, int, int, int]] = []
    scan = _Scan({}, ())
    delimiter = ","
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows, sheet, merged, scan = _xlsx(p, known)
            encoding = "xlsx"
        else:
            sheet = None
            text, encoding = _csv_text(p, what)
            rows, delimiter = _delimited(p, text, known, what)
    except OSError as err:
        zh, en = os_reason(err)
        raise UserError(f"无法读取{what[0]} {p}：{zh}", f"cannot read the {what[1]} {p}: {en}", where=str(p)) from None
    at = header_line(rows, known) or 0  # none found: the first row's unknown columns are said by the reader
    header = list(rows[at][1]) if rows else []
    while header and not header[-1].strip():  # a sheet's empty columns to the right
        header = header[:-1]
    below = [(line, cells[:len(header)] if encoding == "xlsx" else cells) for line, cells in rows[at + 1:]]
    first = rows[at][0] if rows else 1
    if scan.formulas:
        _refuse_uncomputed(p, scan.formulas, header, first, used or known, what)
    hidden = tuple(line for line, cells in below if line in scan.hidden and not is_blank(cells))
    return Sheet(header, first, below, encoding, sheet, _fill_merged(below, merged, first), delimiter, hidden)


_FORCED_TEXT = re.compile(r'\s*="(.*)"\s*')  # ="0123", ="(2026)豫0811执1号": a system's CSV keeping Excel off a value


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The CSV's numbered rows; a cell a case system wrote as ="…" (so that Excel shows it as text, not as a number
    in E-form or without its leading zeros) is the text Excel shows."""
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    return [(reader.line_num, [m[1] if (m := _FORCED_TEXT.fullmatch(c)) else c for c in row]) for row in reader]


# The separators a CSV is read with: the comma; the tab of Excel's "Unicode 文本" and tab-delimited text; the semicolon
# Excel writes as its list separator where the comma is the decimal mark (de-DE, fr-FR, ru-RU…: "CSV" saved there is
# semicolon-separated) and some case systems export; the bar of others. Told from the header line (``_delimited``).
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": ("逗号", "comma"), "\t": ("制表符", "tab"), ";": ("分号", "semicolon"), "|": ("竖线", "bar")}


def _delimited(p: Path, text: str, known: Known, what: tuple[str, str]) -> tuple[list[tuple[int, list[str]]], str]:
    """The CSV's rows and its separator, told from the header: each of ``DELIMITERS`` the text holds splits it, and
    the one whose header names the most known columns is the file's (a comma inside a quoted field is the field's:
    ``csv`` reads quotes alike with each). Two separators whose headers name as many known columns but differ (a
    header line mixing them, 案号;立案日期,标的金额) cannot be told apart: refused at the header's line with what each
    reads. None finding a header: the separator splitting the first line into the most cells (the reader then names
    that line's unknown columns, split as the file means them), the comma when none is there."""
    found: dict[str, tuple[list[tuple[int, list[str]]], int, int]] = {}
    for d in DELIMITERS:
        if d != "," and d not in text:
            continue
        rows = _csv_rows(text, d)
        at = header_line(rows, known)
        if at is not None:
            found[d] = (rows, at, sum(known(c) for c in rows[at][1]))
    if not found:
        first = next((line for line in text.splitlines() if line.strip()), "")
        best = max(DELIMITERS, key=lambda d: (first.count(d), d == ","))
        return _csv_rows(text, best if first.count(best) else ","), best if first.count(best) else ","
    most = max(n for _, _, n in found.values())
    tied = [d for d, (rows, at, n) in found.items() if n == most]
    headers = {tuple(c.strip() for c in found[d][0][found[d][1]][1] if c.strip()) for d in tied}
    if len(headers) > 1:
        line = found[tied[0]][0][found[tied[0]][1]][0]
        seen = "；".join(f"按{DELIMITER_NAMES[d][0]}分开为 {' | '.join(found[d][0][found[d][1]][1])}" for d in tied)
        seen_en = "; ".join(f"split by the {DELIMITER_NAMES[d][1]}: {' | '.join(found[d][0][found[d][1]][1])}"
                            for d in tied)
        raise UserError(f"{what[0]}的分隔符无法判断：表头一行中有{'、'.join(DELIMITER_NAMES[d][0] for d in tied)}，"
                        f"按哪个分开都有同样多的已知列名（{seen}）——请只用一种分隔符（逗号、分号、制表符或竖线），"
                        "含分隔符的值请加英文双引号",
                        f"the {what[1]}'s separator cannot be told: its header line holds "
                        f"{' and '.join(DELIMITER_NAMES[d][1] for d in tied)}, and each splits it into as many known "
                        f"columns ({seen_en}) — use one separator (comma, semicolon, tab or bar) and quote a value "
                        "holding it", where=f"{p}:{line}")
    rows, _at, _n = found[tied[0]]  # the same header whichever: the first in DELIMITERS' order (a comma first)
    return rows, tied[0]


def refuse_overlong(p: Path, sheet: Sheet, what: tuple[str, str]) -> None:
    """A CSV row with more filled cells than the header has columns: a separator inside a value not quoted (1,000 in
    a comma-separated file, read as 1 and 000) — refused at each such line (the first 20, with the count), never
    read with its cells shifted or its last ones dropped. Empty cells past the header (a spreadsheet's trailing
    separators) are no mistake."""
    from core_flow.errors import together

    if sheet.encoding == "xlsx":  # a workbook's cells are its cells (those past the header's columns: not read)
        return
    header = sheet.header
    name_zh, name_en = DELIMITER_NAMES[sheet.delimiter]
    problems = []
    for line, cells in sheet.rows:
        extra = [c for c in cells[len(header):] if c.strip()]
        if not header or not extra:
            continue
        problems.append(UserError(
            f"此行有 {len(cells)} 格，表头只有 {len(header)} 列（多出 {', '.join(map(repr, extra[:3]))}）："
            f"像是某个值里有未加引号的{name_zh}（如 1,000 被分成 1 与 000）——含{name_zh}的值请用英文双引号括起"
            "（\"1,000\"，Excel 另存时自动加），或去掉其中的分隔符",
            f"this row has {len(cells)} cells, the header {len(header)} columns (more: "
            f"{', '.join(map(repr, extra[:3]))}): a value holding a {name_en} not quoted, it seems (1,000 split into "
            f"1 and 000) — quote a value holding a {name_en} (\"1,000\", as Excel writes it) or drop the separator "
            "from it",
            where=f"{p}:{line}"))
    if problems:
        raise together(problems, (what[0], f"the {what[1]}"), most=20)


def _refuse_uncomputed(p: Path, formulas: dict[tuple[int, int], str], header: list[str], header_line: int,
                       used: Known, what: tuple[str, str]) -> None:
    """Every formula cell below the header, in a column ``used`` names, whose result the workbook does not hold:
    refused at once, each at file:line:column (its header cell) with its cell (C5) — read as empty it would be a
    case without a claim or a date, without a word."""
    from openpyxl.utils import get_column_letter

    from core_flow.errors import together

    problems = []
    for (line, col), formula in sorted(formulas.items()):
        if line <= header_line or col > len(header) or not used(header[col - 1]):
            continue
        cell = f"{get_column_letter(col)}{line}"
        shown = f"（{formula}）" if formula else ""
        shown_en = f" ({formula})" if formula else ""
        problems.append(UserError(
            f"单元格 {cell} 是公式{shown}，文件中没有它的计算结果（工作簿由程序生成，未经 Excel 计算，或只存了待重算的"
            "占位值）：公式未计算——请在 Excel 或 WPS 中打开并保存后再用，或将此列复制后“选择性粘贴—数值”",
            f"cell {cell} is a formula{shown_en} the file holds no result of (the workbook was written by a program "
            "and never computed, or holds a placeholder marked to recompute): formula not computed — open and save "
            "it in Excel or WPS, or copy the column and paste it as values",
            where=f"{p}:{line}:{' '.join(header[col - 1].split())}"))
    if problems:
        raise together(problems, (what[0], f"the {what[1]}"), most=20)


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
    refused at its line). A GBK reading is not silent: ``reading_notes`` says it. A text with a UTF-16 byte-order
    mark — Excel's "Unicode 文本 (*.txt)", tab-separated — is read as UTF-16."""
    head = p.read_bytes()[:2]
    if head in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return p.read_bytes().decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UserError(f"{what[0]}文件以 UTF-16 标记开头，但其内容不是有效的 UTF-16 文本（请另存为 CSV UTF-8，"
                            "或直接给出 Excel 工作簿 .xlsx）",
                            f"the {what[1]} file starts with a UTF-16 mark but is not valid UTF-16 text (save it as "
                            "CSV UTF-8, or give the Excel workbook (.xlsx) itself)", where=str(p)) from None
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
                                         list[tuple[int, int, int, int]], _Scan]:
    """The rows of the workbook's first sheet that has a header, which sheet (number, title) when not the first
    (said: ``reading_notes``), its merged ranges (first column, first row, last column, last row) and its formula
    cells whose result it does not hold and its hidden rows (``_scan``)."""
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
                scan = _scanned(sheet, _recalculated(p))
                return rows, (None if n == 1 else (n, sheet.title)), _merged(p, sheet, n), scan
    finally:
        book.close()
    return first or [], None, [], _Scan({}, ())  # none has one: the first sheet's unknown columns are said


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


_RECALC = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=\"(?:1|true)\"")


def _recalculated(p: Path) -> bool:
    """Whether the workbook is marked to recompute every formula on opening (``fullCalcOnLoad``): what a program
    writes that saves formulas without their results (openpyxl, XlsxWriter); Excel and WPS, which save the results,
    drop the mark. Read from the workbook's XML: openpyxl's parsed ``calculation`` takes a missing mark as set."""
    import zipfile

    with zipfile.ZipFile(p) as z:
        name = next((n for n in z.namelist() if n.endswith("workbook.xml")), None)
        return name is not None and _RECALC.search(z.read(name)) is not None


@dataclass(frozen=True)
class _Scan:
    formulas: dict[tuple[int, int], str]  # formula cells whose result the file does not hold: (row, column) → text
    hidden: tuple[int, ...]  # rows hidden in Excel (a filter's, or by hand)


def _scanned(sheet: object, recalc: bool) -> _Scan:
    """The sheet's rows hidden in Excel (``hidden="1"``: a filter a user applied before saving — the rows are in the
    file, read, and said, so a filtered-out case is not taken unawares) and its formula cells whose result the file
    does not hold, (row, column) → the formula's text (empty for a shared formula's followers). Excel and WPS save
    each formula's result beside it (``<v>``), and openpyxl's ``data_only`` reads that; a program writing a workbook
    (openpyxl, a case system's export) may write the formula alone — no result, read as None, an empty cell — or a
    placeholder result with the workbook marked to recompute on opening (``fullCalcOnLoad``, as XlsxWriter writes 0
    for every formula): then no formula's result is taken. A formula whose result is text (``t="str"``), an empty
    text too, or an error value (``t="e"``), was computed. A sheet whose XML cannot be read here (an openpyxl
    without the read-only reader): none found."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils import coordinate_to_tuple

    found: dict[tuple[int, int], str] = {}
    hidden: list[int] = []
    try:
        src = sheet._get_source()  # type: ignore[attr-defined]
    except AttributeError:
        return _Scan(found, ())
    with src:
        row, col = 0, 0
        for _event, el in iterparse(src, events=("end",)):
            tag = el.tag.rpartition("}")[2]
            if tag == "row":
                row, col = int(el.get("r") or row + 1), 0
                if el.get("hidden") in ("1", "true"):
                    hidden.append(row)
                el.clear()
            elif tag == "c":
                ref = el.get("r")
                row, col = coordinate_to_tuple(ref) if ref else (row, col + 1)
                formula = next((e for e in el if e.tag.rpartition("}")[2] == "f"), None)
                value = next((e.text for e in el if e.tag.rpartition("}")[2] == "v"), None)
                if formula is not None and (recalc or (not value and el.get("t") not in ("str", "e", "s"))):
                    found[(row, col)] = "=" + formula.text if formula.text else ""
    return _Scan(found, tuple(hidden))


def cell_text(value: object) -> str:
    """A spreadsheet cell as the CSV would hold it: a date as YYYY-MM-DD, a whole number without ``.0``, a number
    to Excel's 15 significant digits (a computed 0.1 + 0.2 is the 0.3 Excel shows, not 0.30000000000000004)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return format(value, ".15g")
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
    if sheet.delimiter == "\t":
        said.append(f"{zh} 以制表符分隔（Excel 另存的“Unicode 文本”或“文本文件(制表符分隔)”），已按此读取 / {en} is "
                    "tab-separated (what Excel saves as Unicode Text or Text (Tab delimited)): read so")
    elif sheet.delimiter == ";":
        said.append(f"{zh} 以分号（;）分隔（以逗号为小数点的地区 Excel 另存的 CSV，或案件系统的导出），已按此读取 "
                    f"/ {en} is semicolon-separated (a CSV Excel saves where the comma is the decimal mark, or a case "
                    "system's export): read so")
    elif sheet.delimiter == "|":
        said.append(f"{zh} 以竖线（|）分隔（案件系统的导出），已按此读取 / {en} is bar-separated (|: a case system's "
                    "export): read so")
    if sheet.sheet is not None:
        number, title = sheet.sheet
        said.append(f"{zh} 读取第 {number} 张表「{title}」（其前的表没有表头） / {en}: sheet {number} ({title}) read, "
                    "the sheets before it have no header")
    if sheet.header_line > 1:
        above = sheet.header_line - 1
        said.append(f"{zh} 的表头在第 {sheet.header_line} 行，其上 {above} 行（标题等）已跳过 / {en}'s header is on "
                    f"line {sheet.header_line}: the {above} line(s) above it (a title) skipped")
    if sheet.hidden:
        more = len(sheet.hidden) - 10
        lines = "、".join(map(str, sheet.hidden[:10])) + (f" 等 {len(sheet.hidden)} 行" if more > 0 else "")
        lines_en = ", ".join(map(str, sheet.hidden[:10])) + (f" and {more} more" if more > 0 else "")
        said.append(f"{zh} 第 {lines} 行在 Excel 中是隐藏的（筛选或隐藏行），照样读取：不要的案件请删去这些行 / {en}'s "
                    f"line(s) {lines_en} are hidden in Excel (a filter, or hidden rows): read all the same — delete "
                    "the rows of cases not meant")
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


# What Excel writes in a cell's place when the cell cannot show its value: a formula's error value, and ##### in a
# column too narrow for a number or a date (a CSV holds the cells as Excel shows them).
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!")


def excel_shown(text: str) -> tuple[str, str] | None:
    """Why a cell holds Excel's stand-in for a value, not the value (zh, en): a formula's error value (#N/A of a
    VLOOKUP that found nothing, #REF!) or ##### (a number or date in a column too narrow, exported as shown); None
    for any other text."""
    cell = text.strip()
    if cell.upper() in EXCEL_ERRORS:
        return (f"{cell!r} 是 Excel 公式的错误值，不是数据：请在 Excel 中改正此格的公式，或填入其值",
                f"{cell!r} is an Excel formula's error value, not data: correct the cell's formula in Excel, or enter "
                "its value")
    if len(cell) >= 2 and set(cell) == {"#"}:
        return (f"{cell!r} 是 Excel 在列宽不足时显示的符号（另存为 CSV 时按显示写出）：请加宽此列后再导出，或直接给出"
                "工作簿 .xlsx",
                f"{cell!r} is what Excel shows in a column too narrow for its value (a CSV holds the cells as shown): "
                "widen the column and export again, or give the workbook (.xlsx) itself")
    return None


# Excel's General format writes a whole number of 12 or more digits in scientific notation with at most 6
# significant digits (123456789012 → 1.23457E+11), trailing zeros dropped (120000000001 → 1.2E+11); a CSV holds it
# so. Such an E-form is the rounded display, not the value; one showing 7 or more digits, or below 10^11 (General
# shows those in full), was written so on purpose (a number format, a program) and is read as written.
GENERAL_E_DIGITS = 6
GENERAL_E_FROM = 11  # the exponent from which General writes a whole number in E-form (12 digits)
E_FORM = re.compile(r"(?P<int>\d+)(?:\.(?P<frac>\d*))?[eE][+-]?\d+")


def general_rounded(number: str) -> bool:
    """Whether ``number`` (no sign, unit or separators) is Excel's General format's rounded E-form of a larger
    number: its digits beyond the 6 shown lost (``GENERAL_E_DIGITS``)."""
    from decimal import Decimal, InvalidOperation

    m = E_FORM.fullmatch(number)
    if m is None:
        return False
    shown = (m["int"] + (m["frac"] or "")).lstrip("0")
    try:
        exponent = Decimal(number).adjusted()
    except InvalidOperation:
        return False
    return len(shown) <= GENERAL_E_DIGITS and exponent >= GENERAL_E_FROM


def e_form(text: str) -> bool:
    """Whether ``text`` is a number in scientific notation (1.23E+11), as Excel writes a long number it holds as a
    number — a case number or an ID kept in a General column, its digits lost."""
    return E_FORM.fullmatch(text.strip().lstrip("+-")) is not None
