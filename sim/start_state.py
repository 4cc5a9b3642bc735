"""An optional start state: the court's open cases and its 终本 register from a CSV or an Excel workbook (.xlsx, its
first sheet with a header: a court system's export as it is), so a planner starts from today's real caseload, not
from empty.

Columns (header required; UTF-8 — or GBK, as Excel on a Chinese Windows saves "CSV (逗号分隔)", read as GB18030
and said where the user looks, ``notes``; any order; a column not listed here is refused — a misspelt one
would be read as empty — and a court's Chinese export headers are taken as the columns they name, ``HEADER_ZH``:
案号, 立案日期, 案件类型, 当前节点, 承办人, 标的金额, 终本日期 …):

    case,filed,type,current_node,handler,amount_yuan,zhongben_closed

(plus the columns a court's export carries and the simulation does not use, ``IGNORED``: 序号, the parties and their
numbers, 案由, 备注… — passed over, their values not kept, and said; title rows above the header and 合计 rows are
skipped and said too)

* ``case`` — the case number (one in scientific notation, 1.23457E+11, is Excel's General format over a
  number-only column, its digits lost: refused saying so); ``filed`` — filing date (before the run starts;
  YYYY-MM-DD, or as a court's export writes it: YYYY/M/D, YYYY.M.D, YYYYMMDD, YYYY年M月D日; a time of day after it
  — 14:30, 9:00 AM, Excel zh-CN's 上午 09:00:00 or 下午2:30, 下午2时30分 (``_CLOCK``) — read, the date taken and the
  time said and passed over, a time that is none (25:00, 13:00 AM) refused; a short date — a two-digit year or the
  year last: 26/3/5 (a Chinese Windows' yy/M/d), 03/05/26 (a US M/d/yy), 05/03/2026 (a UK dd/MM/yyyy) — in the
  order the file's date columns prove together, or the profile's ``start_state_date_order`` (``--date-order``) gives,
  else refused naming the column and two cells (``date_order``); a long date's weekday, 2026年3月5日 星期四,
  checked and dropped);
* ``type`` — 首执 / 恢复 / 保全 (or first / resumed / preservation, or the process file's other names: 执恢, 执保…);
  without the column, each case's type is its number's mark (执, 执恢, 执保: ``type_from_number``), and that is said;
* ``current_node`` — for an open case, the node it stands at (1–43: 44–46 follow the closing), by number (17,
  节点17, 第17节点) or by its name in the process (查封、扣押、冻结); empty: node 1; the nodes before it count as done;
* ``handler`` — its 承办法官 (a name of the profile's judges; empty: assigned by the court; in a staffing search, a
  level without that judge shares that judge's cases among the judges it has, in file order — see ``reassign``);
* ``amount_yuan`` — the claim in yuan (12,000.50, ¥12,000, 12000元, 1.2万 also read: ``core_flow.amount_text``;
  as Excel writes it: a non-breaking space, full-width digits, the accounting format's zero ¥ - read; a negative in
  brackets, (1,000), and thousands separators out of place, 12,34, refused; scientific notation read as written
  and said, unless it is Excel's General format's rounding — 6 significant digits of 12 or more, 1.23457E+11 —
  refused, ``_excel_amount``);
  a header's unit in brackets is dropped (标的金额（元）), and a claim column headed （万元） reads its plain numbers
  as 万 (``AMOUNT_WAN``: never as yuan, 10,000 times too small), which is said;
* ``zhongben_closed`` — for a 终本 register case, the date it closed (else empty). A case closed by 终本 stands at
  no node: a ``current_node`` beside the date is refused (the user says which the case is: open, or in the
  register), unless it names the closing or what follows it (43 结案, 44 归档, 45 终本案件结案后财产统查).

The file may be separated by commas, tabs (Excel's Unicode text), semicolons (Excel's CSV where the comma is the
decimal mark) or bars (a case system's), told from its header line (``sim.sheet``); in a semicolon-separated file a
claim's decimal comma (1.234,56) is the decimal mark, and said. A row with more filled cells than the header (1,000
unquoted in a comma-separated file) is refused at its line, never read with its cells shifted.

A cell holding Excel's stand-in for a value — a formula's error value (#N/A, #REF!) or ##### (a column too
narrow, exported as shown) — is refused saying what it is; a workbook's formula whose result the file does not
hold (written by a program, never computed) is refused at its cell, "formula not computed" (``sim.sheet``). A
handler's name padded to line up (张  三) is the name.

Every mistake is said at once (each cell's of each row, then the handlers the profile lacks; the first
``MAX_SHOWN``, with the count), each at file:line:column in the user's own header words (``立案日期``, not
``filed``); nothing is run before. A workbook's merged cells below the header (a judge's name merged over his cases)
are filled down, and said (``sim.sheet``); a CSV Excel saved from such a workbook holds the name on the first row
only, the rows below it empty (the court then assigns them).

How it enters the run (documented approximation): each case is filed at the start with its real filing date, so
its deadlines count from that date (an overdue case warns and freezes at once, as it would today); the nodes
before ``current_node`` are entered as done at the start, with no staff time; the 集约查询 is not repeated for a
case past node 3. A 终本 register case is entered with its 终本 conditions met and closed on ``zhongben_closed`` (the
engine's closing entered after the fact, ``Close(closed_at=…)``): its 6-monthly sweeps count from that date — those
due before the run took place before it (recorded done, counted by the 10-sweep check), the rest come due in the run;
its post-closing deadlines due before the run are taken as met. Its debtor holds nothing its sweeps find (profile
``register_debtors: empty``, the default: the case is in the register because nothing could be found, and the seeded
world models no property acquired after 终本); ``world`` draws the debtor from the world like a new case's, and the
first sweep finds all it owns (a real register of 1,600 cases then resumed 864 times in six months).

A 保全 (preservation) case with a ``zhongben_closed`` date is refused: 终本 is a closing manner of 执行实施 cases
with a money claim, and a preservation case closes when its controls are taken (保全完毕), lifted or withdrawn —
《最高人民法院关于执行案件立案、结案若干问题的意见》(法发〔2014〕26号; article not confirmed here); the seed's
执行完毕 rule keeps a 保全 case's controls at closing (seed 004), and the simulated staff close a 保全 once its
controls are taken, never by 终本. Such a row is most likely a mistyped ``type``.

In the KPIs (``sim.kpi``) these cases are the carried-over caseload, not intake: cycle times count from ``filed``,
and deadlines already due when the run begins are reported apart (overdue at the start), not on the staff."""

from __future__ import annotations

import difflib
import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from core_flow.amount_text import amount_cents
from core_flow.errors import UserError, together
from core_flow.legal_calendar import CST, DATE_FORMS_EN, DATE_FORMS_ZH, parse_local
from core_flow.model import Process
from core_flow.process_loader import default_process
from sim.sheet import (
    Sheet,
    e_form,
    excel_shown,
    general_rounded,
    is_blank,
    is_total,
    read_sheet,
    reading_notes,
    refuse_overlong,
    totals_note,
)

OPEN_NODES = 43  # 44 归档, 45 终本 sweeps and 46 恢复执行 follow the closing (node 43): no open case stands there
COLUMNS = ("case", "filed", "type", "current_node", "handler", "amount_yuan", "zhongben_closed")
# The Chinese headers a court's own export uses, taken as the columns they name
HEADER_ZH = {"案号": "case", "执行案号": "case", "立案日期": "filed", "立案时间": "filed", "收案日期": "filed",
             "案件类型": "type", "类型": "type", "案件类别": "type",
             "当前节点": "current_node", "节点": "current_node", "所处节点": "current_node",
             "当前流程节点": "current_node",
             "承办人": "handler", "承办法官": "handler", "执行法官": "handler", "承办人员": "handler",
             "标的": "amount_yuan", "标的额": "amount_yuan", "标的金额": "amount_yuan", "申请执行标的": "amount_yuan",
             "申请执行标的额": "amount_yuan", "申请执行标的金额": "amount_yuan", "执行标的": "amount_yuan",
             "执行标的金额": "amount_yuan", "金额": "amount_yuan", "执行金额": "amount_yuan",
             "终本日期": "zhongben_closed", "终本时间": "zhongben_closed", "终本结案日期": "zhongben_closed"}
# 标的金额（元）, 执行标的（单位：万元）, 标的额(单位:元): the unit in brackets, "单位" before it or not
_UNIT = re.compile(r"\s*[（(](?:单位[:：]?)?(?P<unit>元|人民币元|万元|日期|yyyy-mm-dd)[)）]\s*$", re.IGNORECASE)
_NO_CLAIM = frozenset({"-", "--", "—", "——", "－", "/", "／", "无", "无标的", "n/a", "na"})  # a spreadsheet's "none"
AMOUNT_WAN = "amount_wan"  # the claim column of an export that counts in 万元: its plain numbers are ×10,000
_PLAIN_NUMBER = re.compile(r"[\d,]+(?:\.\d+)?(?:[eE][+-]?\d+)?")  # 5, 1.2, 1.2E+03 in a 万元 column: × 10,000


def header_name(cell: str) -> str:
    """A header cell as the column it names: its unit in brackets dropped (``标的金额（元）``), a Chinese name
    taken as its column; anything else as written (refused by ``_columns`` unless passed over, ``IGNORED``). A claim
    column in 万元 (``标的金额（万元）``) is ``AMOUNT_WAN``: read as 万 — never as yuan, 10,000 times too small."""
    cell = re.sub(r"\s+", "", cell)  # 立案 日期, 执行标的\n（万元）: a header cell's spaces and line breaks
    m = _UNIT.search(cell)
    name = _UNIT.sub("", cell)
    column = HEADER_ZH.get(name, name)
    if m is not None and m["unit"] == "万元" and column == "amount_yuan":
        return AMOUNT_WAN
    return column


# Columns a court's export carries that the simulation does not use: read past, and said (``notes``) — never the
# columns it uses misspelt, which are still refused. The parties' names and numbers among them are not kept.
IGNORED = ("序号", "编号", "申请执行人", "被执行人", "被执行人证件号", "证件号码", "身份证号", "统一社会信用代码",
           "案由", "执行依据", "执行依据文号", "执行依据案号", "执行法院", "承办部门", "立案人", "书记员", "法官助理",
           "备注", "联系电话", "地址")
IGNORED_COL = "_ignored"  # the column name an ignored header is read as


@dataclass(frozen=True)
class StartCase:
    case: str
    filed: datetime
    case_type: str
    current_node: int | None
    handler: str
    amount_cents: int
    zhongben_closed: date | None


def load_start_state(path: str | Path, before: datetime, judges: tuple[str, ...] = (), *,
                     reassign: bool = False, order: str | None = None) -> list[StartCase]:
    """The start state's cases, every mistake a located, bilingual ``UserError`` — all of them at once (each cell's
    of each row, then the handlers the profile lacks), at file:line:column in the user's own header words. ``judges``:
    the run's 承办法官 — a handler not among them is an error, or (``reassign``: a staffing level below today's
    headcount) the cases of handlers the level lacks go round-robin, in file order, to its judges. ``order``: the
    order of its short dates (ymd, dmy, mdy: the profile's ``start_state_date_order``), else the file's own
    (``date_order``)."""
    p = Path(path)
    table = _table(p)
    columns = _columns(table.header, p, table.header_line)
    refuse_overlong(p, table, WHAT)  # 1,000 unquoted in a comma-separated file: never read as 1 and 000
    missing = [c for c in ("case", "filed") if c not in columns]  # no type column: each case's from its number
    if missing:
        raise UserError(f"起始状态缺少列：{'、'.join(f'{_NAME_ZH[c]}（{c}）' for c in missing)}",
                        f"start state lacks columns: {', '.join(f'{_NAME_ZH[c]} ({c})' for c in missing)}",
                        where=f"{p}:{table.header_line}")
    labels: dict[str, str] = {}  # column → the user's header cell (mistakes are located in the user's words)
    for col, cell in zip(columns, table.header, strict=True):
        labels.setdefault(col, " ".join(cell.split()))
    out: list[StartCase] = []
    seen: set[str] = set()
    moved = 0
    strangers: dict[str, int] = {}  # handlers the profile lacks → the line each first appears on
    problems: list[UserError] = []  # every mistake of every row, reported together
    lines: list[int] = []  # the line of each
    dates = date_order(table, before, order)
    if dates.problem is not None:  # the short dates' order cannot be told: said first, their cells not each again
        zh, en, at, column = dates.problem
        problems.append(UserError(zh, en, where=f"{p}:{at}:{column}"))
        lines.append(at)
    how = _How(dates.order, table.delimiter == ";", dates.problem is not None)
    for line, cells in table.rows:
        if is_blank(cells) or is_total(cells):
            continue  # an empty line (a spreadsheet's trailing rows), or the export's 合计 row (said: ``notes``)
        row = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=False))
        if "handler" in row:
            row["handler"] = _name(row["handler"])
        case, found = _row(p, line, row, before, seen, labels, how)
        handler = row.get("handler") or ""
        stranger = bool(handler and judges and handler not in judges and excel_shown(handler) is None)
        if stranger and not reassign:  # every such handler is named at once (``_unknown_handlers``), a bad row's too
            strangers.setdefault(handler, line)
        if found or case is None:
            problems += found
            lines += [line] * len(found)
            continue
        if stranger and reassign:
            case = replace(case, handler=judges[moved % len(judges)])
            moved += 1
        out.append(case)
    if strangers:  # said among the rows' mistakes at the first one's line, within the shown ones however many
        at = sum(1 for n in lines if n <= min(strangers.values()))
        problems.insert(min(at, MAX_SHOWN - 1), _unknown_handlers(p, strangers, judges, labels["handler"]))
    if problems:  # all at once: a 3,000-row export with dates in a form not read took a run per row, then per cell
        raise together(problems, ("起始状态", "the start state"), most=MAX_SHOWN)
    return out


MAX_SHOWN = 20  # mistakes listed in one message (the count says how many more)
_NAME_ZH = {"case": "案号", "filed": "立案日期", "type": "案件类型", "current_node": "当前节点", "handler": "承办人",
            "amount_yuan": "标的金额", AMOUNT_WAN: "标的金额（万元）", "zhongben_closed": "终本日期"}
# a node that says the case is closed or after its closing: with a 终本 date, the same thing said twice
_CLOSED_NODES = (OPEN_NODES, OPEN_NODES + 1, OPEN_NODES + 2)  # 43 结案, 44 归档, 45 终本案件结案后财产统查


@dataclass(frozen=True)
class _How:
    """How the file's cells are read: its short dates' order (``date_order``; None: none, or not told — refused
    once for the file, not at each cell), and whether a claim's comma is the decimal mark (a semicolon-separated
    file: ``_decimal_comma``)."""
    order: str | None
    decimal_comma: bool
    untold: bool = False  # the order cannot be told (``date_order``'s problem, said once)


def _row(p: Path, line: int, row: dict[str, str], before: datetime, seen: set[str],
         labels: dict[str, str], how: _How = _How(None, False)) -> tuple[StartCase | None, list[UserError]]:
    """One row read and checked, every cell's mistake (its handler checked against the profile by the caller): the
    case, or None and the mistakes in the header's column order, each at file:line:column (the user's header cell)."""
    found: list[tuple[str, UserError]] = []
    said: set[str] = set()  # columns whose cell is Excel's stand-in for a value (#N/A, #####): said once, so

    def bad(col: str, zh: str, en: str) -> None:
        if col not in said:
            found.append((col, UserError(zh, en, where=f"{p}:{line}:{labels.get(col, _NAME_ZH.get(col, col))}")))

    for col, text in row.items():
        if col != IGNORED_COL and (shown := excel_shown(text or "")) is not None:
            bad(col, *shown)
            said.add(col)
    case = (row.get("case") or "").strip()
    if not case:
        bad("case", "案号为空", "empty case number")
    elif e_form(case):  # a case number is never a number: Excel held it as one and showed it in E-form
        bad("case", f"案号 {case!r} 是科学计数法的数字：像是 Excel 把此列当作数字（常规格式）显示，"
            "原有的数字已丢失——请将此列设为文本格式、重新填入案号后再导出",
            f"the case number {case!r} is a number in scientific notation: Excel, it seems, held the column as "
            "numbers (General format) and its digits are lost — format the column as text, enter the case numbers "
            "again and export")
        said.add("case")
    elif _same_number(case) in seen:
        bad("case", f"案号重复：{case!r}", f"repeated case number: {case!r}")
    seen.add(_same_number(case))
    filed_text = (row.get("filed") or "").strip()
    filed_d = _date(filed_text, how.order)
    filed = None
    if filed_d is None and not _untold(filed_text, how):
        bad("filed", f"立案日期应为 {DATE_FORMS_ZH}：{filed_text!r}{_date_hint(filed_text, how.order)[0]}",
            f"the filing date must be {DATE_FORMS_EN}: {filed_text!r}{_date_hint(filed_text, how.order)[1]}")
    elif filed_d is None:
        said.add("filed")
    else:
        filed = datetime(filed_d.year, filed_d.month, filed_d.day, 9, 0, tzinfo=CST)
        if filed >= before:
            bad("filed", f"立案日期须早于仿真开始（{before.date().isoformat()}）：{filed_text!r}"
                f"{_century_hint(filed_text, how.order)[0]}", f"the filing date must be before the run starts "
                f"({before.date().isoformat()}): {filed_text!r}{_century_hint(filed_text, how.order)[1]}")
    kind = None
    if "type" not in row:  # the case number's own mark says it: 执 / 执恢 / 执保
        kind = type_from_number(case)
        if kind is None and case and "case" not in said:
            bad("case", f"没有案件类型列，案号 {case!r} 也看不出类型（应含 执、执恢 或 执保，如 "
                "(2024)豫0811执1号）", f"no type column, and the case number {case!r} does not say it (执, 执恢 "
                "or 执保 expected, as in (2024)豫0811执1号)")
    else:
        try:
            kind = _process().case_type(row.get("type") or "")
        except UserError:
            kind = None
        if kind is None:
            bad("type", f"案件类型须为 首执/恢复/保全：{row.get('type')!r}",
                f"the case type must be 首执/恢复/保全 (first/resumed/preservation): {row.get('type')!r}")
    closed_col = labels.get("zhongben_closed", "终本日期")
    closed_text = (row.get("zhongben_closed") or "").strip()
    closed = None
    if closed_text:
        closed = _date(closed_text, how.order)
        if closed is None and _untold(closed_text, how):
            said.add("zhongben_closed")
        elif closed is None:
            hint = _date_hint(closed_text, how.order)
            bad("zhongben_closed", f"终本日期应为 {DATE_FORMS_ZH}：{closed_text!r}{hint[0]}",
                f"the 终本 date must be {DATE_FORMS_EN}: {closed_text!r}{hint[1]}")
        else:
            if filed_d is not None and closed < filed_d:
                bad("zhongben_closed", f"终本日期早于立案日期：{closed_text!r}",
                    f"the 终本 date is before the filing date: {closed_text!r}")
            if closed >= before.date():
                bad("zhongben_closed", f"终本日期须早于仿真开始（{before.date().isoformat()}）：{closed_text!r}"
                    f"{_century_hint(closed_text, how.order)[0]}", f"the 终本 date must be before the run starts "
                    f"({before.date().isoformat()}): {closed_text!r}{_century_hint(closed_text, how.order)[1]}")
        if kind == "preservation":  # see the module's note on 保全 cases
            bad("zhongben_closed",
                "财产保全案件不以终本结案（保全完毕、解除保全或销案），不在终本库中：请核对案件类型，或删去终本日期",
                "a 保全 (preservation) case does not close by 终本 (it closes when the preservation is done, "
                "lifted or withdrawn) and is not in the 终本 register: check its type, or remove its 终本 date")
    node_text = (row.get("current_node") or "").strip()
    node = None
    if closed_text:  # a 终本 register case stands at no node: one given too is refused unless it says the closing
        if node_text and _node(node_text) not in _CLOSED_NODES:
            bad("current_node", f"此行既有当前节点 {node_text!r} 又有{closed_col}：以终本结案的案件没有当前节点——"
                f"未结案件请删去{closed_col}，终本库案件请删去当前节点",
                f"this row has both a current node ({node_text!r}) and a 终本 date ({closed_col}): a case closed by "
                f"终本 stands at no node — for an open case remove the 终本 date, for a 终本 register case the node")
    else:
        node = _node(node_text) if node_text else 1
        if node is None or not 1 <= node <= OPEN_NODES:
            near = _near_nodes(node_text) if node is None else []  # 查封冻结扣押: 17 查封、扣押、冻结
            last = len(_process().nodes)
            number = re.fullmatch(r"(?:节点|第)?\s*(\d+)\s*(?:号?节点|号)?",
                                  unicodedata.normalize("NFKC", node_text.strip()))
            if node is not None:  # 44–46: after the closing (a 终本 register case has a date instead)
                why_zh = f"节点 {OPEN_NODES + 1}–{last} 在结案之后；终本库案件请填写{closed_col}"
                why_en = (f"nodes {OPEN_NODES + 1}–{last} come after closing; give a 终本 register case its 终本 "
                          f"date, {closed_col}")
            elif number:  # 99, 节点99: no such node (the reason said was 44–46's, a node the file cannot mean)
                why_zh = f"流程共 {last} 个节点，没有节点 {number[1]}"
                why_en = f"the process has {last} nodes, no node {number[1]}"
            else:  # a name the process does not know
                why_zh, why_en = "流程中没有这个节点名称", "the process has no node of that name"
            near_zh = f"；是否想写：{'、'.join(near)}" if near else ""
            near_en = f"; did you mean: {', '.join(near)}" if near else ""
            bad("current_node", f"未结案件的当前节点须为 1–{OPEN_NODES} 的节点号或节点名称（如 17、"
                f"节点17、查封、扣押、冻结）：{node_text!r}（{why_zh}）{near_zh}",
                f"an open case's current node must be a node number 1–{OPEN_NODES} or its name (17, "
                f"节点17, 查封、扣押、冻结): {node_text!r} ({why_en}){near_en}")
    handler = row.get("handler") or ""
    amount = _amount(row, bad, how.decimal_comma)
    if found or filed is None or kind is None or amount is None or (closed_text and closed is None):
        order = {col: i for i, col in enumerate(labels)}
        return None, [err for _, err in sorted(found, key=lambda f: order.get(f[0], len(order)))]
    return StartCase(case, filed, kind, node, handler, amount, closed), []


# A claim written with a decimal comma, as Excel writes it where the comma is the decimal mark (and the semicolon its
# list separator): 1234,56, 1.234,56, 1 234,56 — a comma before one or two last digits, the thousands dots or spaces
# in threes. Read so only in a semicolon-separated file (``_How.decimal_comma``); elsewhere refused as separators out
# of place (``_excel_amount``). 1,234 (three digits after the comma) is a thousands comma there too: a claim is to
# the cent.
_DECIMAL_COMMA = re.compile(r"(?P<pre>[¥￥]?\s*)(?P<int>\d{1,3}(?:[.\s\u00a0\u202f]\d{3})+|\d+),(?P<frac>\d{1,2})"
                            r"(?P<post>\s*(?:万元|元|万)?)")


def _decimal_comma(text: str) -> str | None:
    """A claim with a decimal comma (``_DECIMAL_COMMA``) as written with a point (1.234,56 → 1234.56); None when it
    has none."""
    m = _DECIMAL_COMMA.fullmatch(text.strip())
    if m is None:
        return None
    whole = re.sub(r"[.\s\u00a0\u202f]", "", m["int"])
    return f"{m['pre']}{whole}.{m['frac']}{m['post']}"


def _amount(row: dict[str, str], bad: Callable[[str, str, str], None], decimal_comma: bool = False) -> int | None:
    """The claim in cents, empty as 0; a column in 万元 reads its plain numbers as 万 (an amount with its unit,
    3000元, as written); in a semicolon-separated file a decimal comma is the decimal mark (``_DECIMAL_COMMA``). None,
    said through ``bad``, when it is not an amount."""
    wan = row.get(AMOUNT_WAN)
    col = AMOUNT_WAN if wan is not None else "amount_yuan"
    raw = ((wan if wan is not None else row.get("amount_yuan")) or "").strip()  # as written, in messages
    text = unicodedata.normalize("NFKC", raw)  # full-width as an input method types it (１２３４．５６, （1,000）)
    if not text or re.sub(r"[\s¥￥]", "", text).lower() in _NO_CLAIM:  # empty, a dash or 无: no claim (行为类)
        return 0  # (¥ - : Excel's accounting format shows a zero so)
    if decimal_comma and (pointed := _decimal_comma(text)) is not None:
        text = pointed
    if (excel := _excel_amount(text)) is not None:
        bad(col, f"标的金额 {raw!r} {excel[0]}", f"the claim {raw!r} {excel[1]}")
        return None
    try:
        if wan is not None and _PLAIN_NUMBER.fullmatch(text):  # 1.2E+03 as 1200: amount_cents reads 1200万
            return amount_cents(f"{format(Decimal(text.replace(',', '')), 'f')}万")
        return amount_cents(text)
    except (ValueError, InvalidOperation) as err:
        zh, _, en = str(err).partition(" / ")
    if wan is not None:
        bad(AMOUNT_WAN, f"标的须为金额，此列以万元计：数字按万元读（5 即 5万元，1.2 即 12,000元），带单位的按所写"
            f"（3000元）；无标的请留空或写“无”：{raw!r}",
            f"the claim must be an amount; this column counts in 万元 (10,000 yuan): a plain number is read in 万 "
            f"(5 is 50,000 yuan, 1.2 is 12,000), one with its unit as written (3000元); no claim: leave it empty or "
            f"write 无: {raw!r}")
    else:
        bad("amount_yuan", f"标的须为金额（元；无标的请留空或写“无”）：{zh}",
            f"the claim must be an amount in yuan (no claim: leave it empty or write 无): {en}")
    return None


def _same_number(case: str) -> str:
    """A case number as compared for repeats: half- and full-width brackets and digits alike, spaces dropped — the
    same case typed twice, (2026)豫0811执1号 and （2026）豫0811执1号, is one case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", case))


def _serial_hint(text: str) -> tuple[str, str]:
    """A five-digit number where a date belongs is most likely a date cell Excel kept as its serial number."""
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return ("（像是 Excel 的日期序号：请将此列设为日期格式后再导出）",
                " (an Excel date serial number, it seems: format the column as dates and export it again)")
    return "", ""


def _untold(text: str, how: _How) -> bool:
    """A short date of a file whose short dates' order cannot be told (refused once for the file: ``date_order``)."""
    return how.untold and bool(_cell(text).short)


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date_hint(text: str, order: str | None = None) -> tuple[str, str]:
    """Why a date cell was not read, where a form says more than "must be": a time after it that is no time (25:00,
    上午15时), a short date that is none in the file's order (``order``: 13/5/26 read month first) or in any, an
    Excel serial number, a weekday that is not the date's."""
    cell = _cell(text)
    if cell.bad_time:
        return ("（日期后的时刻不存在：时 0–23、分 0–59，上午/AM 的时 1–12，12 AM 即 0 时、12 PM 即中午）",
                " (the time after the date is no time: hours 0–23, minutes 0–59, 1–12 with AM/上午 or PM/下午; "
                "12 AM is midnight, 12 PM noon)")
    if cell.short is not None and order is not None:
        return (f"（此文件的短日期按{ORDER_NAMES[order][0]}读取，此格按此不是日期；请写出四位年份，如 2026-03-05）",
                f" (the file's short dates are read {ORDER_NAMES[order][1]}, and this is no date so; write the year "
                "in four digits, as in 2026-03-05)")
    if cell.short is not None:
        return ("（按年/月/日、日/月/年、月/日/年读都不是日期；请写作年在前的 2026-03-05 或 2026/3/5）",
                " (no date read year/month/day, day/month/year or month/day/year; write it year first, 2026-03-05 "
                "or 2026/3/5)")
    if (ymd := _YMD.match(_cell_text(text))) is not None:  # the form right, the date none: 2027/13/01, 2026-02-30
        y, mo, d = (int(g) for g in ymd.groups())
        if not 1 <= mo <= 12:
            return f"（没有 {mo} 月）", f" (there is no month {mo})"
        last = monthrange(y, mo)[1]
        if not 1 <= d <= last:
            return f"（{y} 年 {mo} 月只有 {last} 日）", f" ({y}-{mo:02d} has {last} days)"
    m = _WEEKDAY.search(text)
    if m is not None and (day := _date(text[:m.start()], order)) is not None:
        return (f"（{day.isoformat()} 是星期{_WEEKDAYS[day.weekday()]}，不是星期{m['w']}）",
                f" ({day.isoformat()} is a {day.strftime('%A')}, not 星期{m['w']})")
    return _serial_hint(text)


def _century_hint(text: str, order: str | None = None) -> tuple[str, str]:
    """A short date that lands after the run's start: say how it was read (its two-digit year as 20yy, in the
    file's order), and how to write it."""
    cell = _cell(text)
    if cell.short is None or order is None or order not in cell.short:
        return "", ""
    day = cell.short[order]
    return (f"（按{ORDER_NAMES[order][0]}读作 {day.isoformat()}，两位年份按 {day.year} 年读取；"
            "若不是，请写出四位年份）",
            f" ({ORDER_NAMES[order][1]}: {day.isoformat()}, the two-digit year read as {day.year}; if it is not, "
            "write the year in full)")


def _excel_amount(text: str) -> tuple[str, str] | None:
    """Why an amount cell, as Excel writes one, is not the claim (zh, en, after the cell's text) — never read as a
    wrong value: a negative in brackets (Excel's accounting and number formats: (1,000)), thousands separators out
    of place (12,34: a decimal comma, or digits lost), an E-form Excel's General format rounded (1.23457E+11 for
    123456789012: ``sim.sheet.general_rounded``). None when it is none of these (``amount_cents`` reads it)."""
    core = re.sub(r"^[¥￥]|人民币|(?:万元|亿元|元|万|亿)$", "", re.sub(r"[\s\u00a0]", "", text))
    if re.fullmatch(r"[-－]?[¥￥]?[（(][¥￥]?[\d,，.]+[)）]", core):
        return ("是括号写的负数（Excel 会计或数值格式以括号表示负数）：标的不能为负",
                "is a negative number in brackets (Excel's accounting or number format): a claim cannot be negative")
    whole, _, fraction = core.lstrip("+").partition(".")
    if (re.fullmatch(r"[\d,，]+", whole) and re.search(r"\d[,，]\d", core)
            and (not re.fullmatch(r"\d{1,3}(?:[,，]\d{3})+", whole) or re.search(r"[,，]", fraction))):
        return ("的千位分隔符位置不对（应每三位一个，如 1,234,567.00；若逗号是小数点，请改为点）",
                "has thousands separators out of place (one every three digits, as in 1,234,567.00; if the comma is "
                "a decimal point, write a point)")
    if general_rounded(core.lstrip("+")):
        return ("是 Excel 以科学计数法显示的数（常规格式只显示 6 位有效数字），原数的其余位数已舍入丢失，"
                "不是标的本身：请将此列设为数值格式（或文本）后再导出",
                "is a number Excel showed in scientific notation (the General format shows 6 significant digits): "
                "the rest of its digits were rounded away and it is not the claim — format the column as a number "
                "(or text) and export again")
    return None


def _unknown_handlers(p: Path, strangers: dict[str, int], judges: tuple[str, ...], column: str) -> UserError:
    """Handlers the profile does not have, all at once (a court's export names its real judges; the profile's are
    generated unless it lists them): which ones, where each first appears, and the two ways out."""
    shown = "、".join(f"{name}（第 {line} 行）" for name, line in list(strangers.items())[:10])
    shown_en = ", ".join(f"{name} (line {line})" for name, line in list(strangers.items())[:10])
    more = len(strangers) - 10
    if more > 0:
        shown, shown_en = f"{shown} 等 {len(strangers)} 人", f"{shown_en} and {more} more"
    names = ", ".join(strangers)
    first_line = min(strangers.values())
    return UserError(
        f"承办人不在配置的承办法官中：{shown}；配置中有 {'、'.join(judges[:3])}{'…' if len(judges) > 3 else ''} 共 "
        f"{len(judges)} 人。在配置中列出本院法官（staff: {{承办法官: {{count: N, names: [{names}, …]}}}}），"
        "或将承办人列留空由法院分配",
        f"handlers not among the profile's judges: {shown_en}; it has {', '.join(judges[:3])}"
        f"{'…' if len(judges) > 3 else ''} ({len(judges)}). List the court's judges in the profile (staff: {{承办法官: "
        f"{{count: N, names: [{names}, …]}}}}), or leave the handler column empty for the court to assign",
        where=f"{p}:{first_line}:{column}")


WHAT = ("起始状态", "start state")


def _table(p: Path) -> Sheet:
    """The start state's header and numbered rows (``sim.sheet.read_sheet``: CSV in UTF-8 or GBK, or a workbook;
    title rows above the header and 合计 rows below the cases, as a court system exports them)."""
    return read_sheet(p, _known, WHAT, used=_used)


def _known(cell: str) -> bool:
    name = cell.strip()
    return header_name(name) in (*COLUMNS, AMOUNT_WAN) or name in IGNORED


def _used(cell: str) -> bool:
    """A column the simulation reads (a formula's missing result refused there; one in 序号 or 备注 is passed over)."""
    return _known(cell) and cell.strip() not in IGNORED


def notes(path: str | Path | None, before: datetime | None = None, order: str | None = None) -> list[str]:
    """What the user is told about how the start state was read, where it was not as written: a CSV read as GBK,
    title rows above the header skipped, total rows (合计) skipped, the order its short dates were read in. Empty for
    a plain file, no start state, or one that cannot be read (the load itself says why). ``before`` and ``order``:
    the run's start and the order given (``load_start_state``'s); without ``before``, the dates are judged without
    the run's start."""
    if not path:
        return []
    p = Path(path)
    try:
        table = _table(p)
    except (OSError, UserError):
        return []
    said = reading_notes(p, table, WHAT)
    columns = [header_name(name) for name in table.header]
    if "type" not in columns and "case" in columns:
        said.append(f"起始状态 {p.name} 没有案件类型列：各案类型取自案号（执 首执、执恢 恢复、执保 保全） / the start "
                    f"state {p.name} has no type column: each case's type is read from its number (执, 执恢, 执保)")
    wan = [name.strip() for name in table.header if header_name(name) == AMOUNT_WAN]
    if wan:
        said.append(f"起始状态 {p.name} 的列 {wan[0]} 以万元计，其数值按万元读取（5 即 5万） / the start state "
                    f"{p.name}'s column {wan[0]} counts in 万元: its numbers are read as 万 (5 is 50,000 yuan)")
    passed = [name.strip() for name in table.header if name.strip() in IGNORED]
    if passed:
        said.append(f"起始状态 {p.name} 的列 {'、'.join(passed)} 仿真不用，已略过 / the start state {p.name}'s columns "
                    f"{', '.join(passed)} are not used by the simulation: passed over")
    said += _excel_forms_note(p, table)
    said += _dates_note(p, table, before, order)
    said += totals_note(p, table, WHAT)
    return said


def _dates_note(p: Path, table: Sheet, before: datetime | None, order: str | None) -> list[str]:
    """The order the short dates were read in and why (given, or what the file proves), the first as read; dates
    with a time of day, the time ignored (the columns take a date)."""
    said = []
    dates = date_order(table, before, order)
    if dates.order is not None and dates.first is not None:
        line, text = dates.first
        day = _date(text, dates.order)
        read = f"，如第 {line} 行 {text} 读作 {day.isoformat()}" if day else ""
        read_en = f"; line {line}'s {text} as {day.isoformat()}" if day else ""
        zh_o, en_o = ORDER_NAMES[dates.order]
        if dates.given:
            why = "（配置 start_state_date_order 或 --date-order 所定）"
            why_en = " (as start_state_date_order or --date-order says)"
        else:
            why, why_en = f"（{dates.proof[0]}）", f" ({dates.proof[1]})"
        said.append(f"起始状态 {p.name} 有 {dates.count} 个短日期（两位年份或年份在后），按{zh_o}读取{why}，"
                    f"两位年份按 20yy 年{read} / the start state {p.name} has {dates.count} short date(s) (a "
                    f"two-digit year or the year last): read {en_o}{why_en}, a two-digit year as 20yy{read_en}")
    cols = _header_columns(table.header)
    at = [i for i, col in enumerate(cols) if col in ("filed", "zhongben_closed")]
    timed = [(line, cells[i].strip()) for line, cells in table.rows for i in at
             if i < len(cells) and _cell(cells[i]).clock not in (None, time(0))]
    if timed:
        line, text = timed[0]
        said.append(f"起始状态 {p.name} 有 {len(timed)} 个日期带时刻（如第 {line} 行 {text}）：立案与终本日期只取日期，"
                    f"时刻略去 / the start state {p.name} has {len(timed)} date(s) with a time of day (line {line}'s "
                    f"{text}): the filing and 终本 dates take the date, the time is passed over")
    return said


_UNIT_OR_SIGN = re.compile(r"[,，¥￥\s]|(?:万元|亿元|元|万|亿)$")


def _excel_forms_note(p: Path, table: Sheet) -> list[str]:
    """Claims with a decimal comma (a semicolon-separated file) and claims in scientific notation read as written:
    said, with the first of each as read (the short dates: ``_dates_note``)."""
    cols = _header_columns(table.header)
    amounts = [i for i, col in enumerate(cols) if col in ("amount_yuan", AMOUNT_WAN)]
    comma: list[tuple[int, str]] = []
    sci: list[tuple[int, str]] = []
    for line, cells in table.rows:
        texts = [cell.strip() for cell in cells]
        if table.delimiter == ";":
            comma += [(line, texts[i]) for i in amounts
                      if i < len(texts) and _decimal_comma(unicodedata.normalize("NFKC", texts[i]))]
        sci += [(line, texts[i]) for i in amounts if i < len(texts) and _read_e_form(texts[i])]
    said = []
    if comma:
        line, text = comma[0]
        pointed = _decimal_comma(unicodedata.normalize("NFKC", text))  # as read (１．２３４，５６ too)
        said.append(f"起始状态 {p.name} 以分号分隔，其 {len(comma)} 个标的以逗号为小数点（以逗号为小数点的地区的"
                    f"写法），按此读取，如第 {line} 行 {text} 读作 {pointed} / the start state {p.name} "
                    f"is semicolon-separated and {len(comma)} claim(s) have a decimal comma (as written where the "
                    f"comma is the decimal mark): read so, line {line}'s {text} as {pointed}")
    if sci:
        said.append(f"起始状态 {p.name} 有 {len(sci)} 个标的以科学计数法写出，按所写读取，如第 {sci[0][0]} 行 "
                    f"{sci[0][1]} / the start state {p.name} has {len(sci)} claim(s) in scientific notation, read as "
                    f"written: line {sci[0][0]}'s {sci[0][1]}")
    return said


def _read_e_form(text: str) -> bool:
    """An amount in scientific notation that is read as written (one Excel rounded is refused, not read)."""
    bare = _UNIT_OR_SIGN.sub("", text)
    return bool(e_form(bare)) and not general_rounded(bare.lstrip("+"))


_NUMBER_MARK = re.compile(r"执(恢|保)?\d+号")
_MARK_TYPE = {None: "first", "恢": "resumed", "保": "preservation"}


def type_from_number(case: str) -> str | None:
    """A case's type from its number's mark (the case-number rules' 执 / 执恢 / 执保: (2024)豫0811执恢3号 is a 恢复
    执行 case); None when the number has none of them."""
    m = _NUMBER_MARK.search(case)
    return _MARK_TYPE[m[1]] if m else None


def _header_columns(header: list[str]) -> list[str]:
    """Each header cell's column (a Chinese header taken as the column it names; a passed-over one ``IGNORED_COL``),
    unchecked (``_columns`` checks them)."""
    return [IGNORED_COL if name.strip() in IGNORED else header_name(name) for name in header]


def _columns(header: list[str], p: Path, line: int = 1) -> list[str]:
    """The header's columns (a Chinese header taken as the column it names), every one known and none twice: a
    misspelt ``current_node`` would otherwise leave every open case at node 1 without a word. Every unknown column
    is named at once (a court's export with extra columns: remove them all in one go)."""
    cols = _header_columns(header)
    unknown = [name for name, col in zip(header, cols, strict=True)
               if col not in COLUMNS and col not in (IGNORED_COL, AMOUNT_WAN)]
    if unknown:
        near = {n: difflib.get_close_matches(n.strip(), COLUMNS + tuple(HEADER_ZH), n=1, cutoff=0.6) for n in unknown}
        hint_zh = "".join(f"；{n!r} 是否想写：{m[0]}" for n, m in near.items() if m)
        hint_en = "".join(f"; {n!r}: did you mean {m[0]}" for n, m in near.items() if m)
        raise UserError(f"起始状态有未知列 {'、'.join(map(repr, unknown))}（请删去或改名）；"
                        f"可用列：{', '.join(COLUMNS)}（或中文列名 {'、'.join(HEADER_ZH)}；导出中常见的 "
                        f"{'、'.join(IGNORED[:4])}… 等列读时略过）{hint_zh}",
                        f"the start state has unknown columns {', '.join(map(repr, unknown))} (remove or rename them); "
                        f"columns: {', '.join(COLUMNS)} (or their Chinese names){hint_en}",
                        where=f"{p}:{line}:{unknown[0]}")
    if AMOUNT_WAN in cols and "amount_yuan" in cols:
        raise UserError("起始状态有两个标的列（元与万元）：请只留一个",
                        "the start state has two claim columns (yuan and 万元): keep one",
                        where=f"{p}:{line}:{header[cols.index(AMOUNT_WAN)]}")
    for i, col in enumerate(cols):
        if col != IGNORED_COL and col in cols[:i]:
            first = header[cols.index(col)].strip()
            raise UserError(f"起始状态的列 {header[i].strip()!r} 与 {first!r} 是同一列（{_NAME_ZH[col]}，{col}），"
                            "出现两次：请只留一个",
                            f"the start state's columns {header[i].strip()!r} and {first!r} are the same column "
                            f"({_NAME_ZH[col]}, {col}), named twice: keep one", where=f"{p}:{line}:{header[i].strip()}")
    return cols


_HAO = re.compile(r"^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2})\s*号")
# A short date: three numbers, none of four digits first — Excel's Chinese short date with a two-digit year (Windows
# zh-CN: yy/M/d, yy-MM-dd, yy.M.d), a US one (M/d/yy, M/d/yyyy), a UK or German one (dd/MM/yy, d.M.yyyy). Which
# number is the year, the month, the day is not in the cell: the file's order (``date_order``) says it.
_SHORT = re.compile(r"(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<c>\d{1,2}|\d{4})")
DATE_ORDERS = ("ymd", "dmy", "mdy")
ORDER_NAMES = {"ymd": ("年/月/日", "year/month/day"), "dmy": ("日/月/年", "day/month/year"),
               "mdy": ("月/日/年", "month/day/year")}
# a weekday after the date, as Excel's long date writes it (2026年3月5日 星期四): checked, then dropped
_WEEKDAY = re.compile(r"\s*[（(]?\s*(?:星期|礼拜|周)(?P<w>[一二三四五六日天])\s*[)）]?$")
_WEEKDAYS = "一二三四五六日"
# A time of day after the date, as a spreadsheet or a case system writes it: 14:30, 14:30:00(.000), 9:00 AM,
# 12:30 p.m., Excel's zh-CN 上午/下午 (its AM/PM: 下午2:30, 上午 09:00:00, 2:30 下午), 下午2时30分, 凌晨1点; after a
# space, a T, or straight after the date when the part of the day leads (2026年3月5日下午2时).
_DAY_PART = r"上午|下午|中午|晚上|凌晨|早上|AM|PM|A\.M\.|P\.M\."
_CLOCK = re.compile(
    rf"(?P<head>.*?[\d日])(?:\s*T\s*|\s+|(?=(?:{_DAY_PART})))(?:(?P<p1>{_DAY_PART})\s*)?(?P<h>\d{{1,2}})"
    r"(?:(?P<colon>:)(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?|\s*(?P<hz>[时点])\s*(?:(?P<mi2>\d{1,2})\s*分\s*"
    rf"(?:(?P<s2>\d{{1,2}})\s*秒)?)?)?\s*(?P<p2>{_DAY_PART})?", re.IGNORECASE)
_MORNING = ("上午", "早上", "凌晨", "AM", "A.M.")
_EVENING = ("下午", "晚上", "PM", "P.M.")


def _clock(m: re.Match[str]) -> time | None:
    """The time of day a ``_CLOCK`` match writes, or None when it is none (25:00, 上午15时, 13:00 AM, both a leading
    and a trailing part of the day). With a part of the day the clock is 12-hour, as Excel's AM/PM and its zh-CN
    上午/下午 write it: 12 AM (上午12:30, 凌晨12点) is 00:xx, 12 PM (下午12:30, 中午12点) 12:xx, 下午2:30 14:30; an
    hour past 12 with PM/下午 is that hour (下午15时), 晚上12点 (midnight of which day?) none, 中午 1 or 2 o'clock
    13:00 / 14:00. Without one, 0–23."""
    if m["p1"] and m["p2"]:
        return None
    if not (m["colon"] or m["hz"] or m["p1"] or m["p2"]):
        return None  # a bare number after the date is no time (2026/3/5 9)
    part = (m["p1"] or m["p2"] or "").upper()
    hour, minute, second = int(m["h"]), int(m["mi"] or m["mi2"] or 0), int(m["s"] or m["s2"] or 0)
    if part in _MORNING:
        if hour > 12:
            return None
        hour = 0 if hour == 12 else hour
    elif part in _EVENING:
        if part == "晚上" and hour == 12:
            return None
        hour = hour + 12 if 1 <= hour < 12 else hour
    elif part == "中午":
        hour = hour + 12 if hour in (1, 2) else hour if hour in (11, 12, 13) else 99
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


@dataclass(frozen=True)
class _Cell:
    """A date cell taken apart: the date's text, the time of day after it (None: none written), whether a time was
    written that is no time (``bad_time``), the weekday after it, and a short date's readings (order → the date it
    is in that order; None: not a short date)."""
    head: str
    clock: time | None
    bad_time: bool
    weekday: str | None
    short: dict[str, date] | None


def _cell(text: str | None) -> _Cell:
    text = _HAO.sub(r"\1日", unicodedata.normalize("NFKC", text or "").strip())  # 2026年10月8号: 号 for the day
    text = text.replace("：", ":")
    weekday = _WEEKDAY.search(text)
    if weekday is not None:
        text = text[:weekday.start()]
    head, clock, bad_time = text, None, False
    m = _CLOCK.fullmatch(text)
    if m is not None:
        head, clock = m["head"].strip(), _clock(m)
        bad_time = clock is None
    short = None
    if (s := _SHORT.fullmatch(head)) is not None:
        short = {}
        a, b, c, four = int(s["a"]), int(s["b"]), int(s["c"]), len(s["c"]) == 4
        year = c if four else 2000 + c  # a court's open cases and its 终本 register are of this century
        for order, (y, mo, d) in (("ymd", (2000 + a, b, c)), ("dmy", (year, b, a)), ("mdy", (year, a, b))):
            if (order == "ymd" and (four or len(s["a"]) != 2)) or (order != "ymd" and len(s["c"]) == 1):
                continue  # a year is written in two digits or four (yy/M/d, M/d/yy), never one
            try:
                short[order] = date(y, mo, d)
            except ValueError:
                pass
    return _Cell(head, clock, bad_time, weekday["w"] if weekday else None, short)


def _date(text: str | None, order: str | None = None) -> date | None:
    """A date as a court's export writes it (``core_flow.legal_calendar.parse_local``'s forms: ISO, slashes, dots,
    eight digits, 年月日 or 年月号), or a short date (26/3/5, 3/5/26, 05/03/2026: ``_SHORT``) read in ``order`` —
    the file's (``date_order``; None: a short date is not read), or its long date with the weekday (2026年3月5日
    星期四: the weekday must be the date's). A time of day after it (``_CLOCK``: 14:30, 9:00 AM, 下午2:30) is the
    date's and ignored here — these columns take a date — but one that is no time (25:00, 上午15时) is no date.
    None when none of these."""
    cell = _cell(text)
    if cell.bad_time:
        return None
    if cell.short is not None:
        day = cell.short.get(order) if order else None
    else:
        try:  # a time this reader does not know (an offset, +08:00) is parse_local's, as before
            day = parse_local(cell.head if cell.clock is not None else _cell_text(text), "date").date()
        except UserError:
            return None
    if day is None:
        return None
    if cell.weekday is not None and _WEEKDAYS[day.weekday()] != cell.weekday.replace("天", "日"):
        return None
    return day


def _cell_text(text: str | None) -> str:
    """The cell as ``parse_local`` reads it: normalised, 号 for 日, the weekday dropped."""
    text = _HAO.sub(r"\1日", unicodedata.normalize("NFKC", text or "").strip())
    weekday = _WEEKDAY.search(text)
    return text[:weekday.start()] if weekday is not None else text


@dataclass(frozen=True)
class DateOrder:
    """The order a start state's short dates are read in (``date_order``): ``order`` (None: it has none, or cannot
    be told — ``problem`` says why), and how it was found (``given``: the profile's ``start_state_date_order`` or
    ``--date-order``; else proven by the file), with the cells that prove it (zh, en) and the first short date."""
    order: str | None
    given: bool = False
    proof: tuple[str, str] = ("", "")
    first: tuple[int, str] | None = None  # (line, text)
    count: int = 0
    problem: tuple[str, str, int, str] | None = None  # (zh, en, line, column label)


def date_order(table: Sheet, before: datetime | None, given: str | None = None) -> DateOrder:
    """The order of the file's short dates (26/3/5, 03/05/26, 5/3/2026) in its date columns — one export writes
    them one way, so the 立案 and 终本 columns decide together. ``given`` (ymd, dmy, mdy) is taken as said. Else an
    order is the file's when it alone reads every short date as a real date (a first number over 12 is no month, over
    31 no day, a 2-digit year first is 20yy) before the run's start (``before``: a start state's dates are refused on
    or after it, so an order putting one there is not the file's — said in the note with the cell, never taken
    silently). No order reading them all, or more than one: ``problem``, naming the column and two cells, and the
    ways out (write 4-digit years, or give the order)."""
    cols = _header_columns(table.header)
    labels = {i: " ".join(table.header[i].split()) for i, col in enumerate(cols) if col in ("filed", "zhongben_closed")}
    shorts: list[tuple[int, str, str, dict[str, date]]] = []  # (line, text, column label, readings)
    for line, cells in table.rows:
        for i, label in labels.items():
            if i < len(cells) and (readings := _cell(cells[i]).short):  # one no order reads: refused at its cell
                shorts.append((line, cells[i].strip(), label, readings))
    if not shorts:
        return DateOrder(None)
    first = (shorts[0][0], shorts[0][1])
    if given:
        return DateOrder(given, given=True, first=first, count=len(shorts))
    fits = [o for o in DATE_ORDERS if all(o in r for *_, r in shorts if r)]  # a cell no order reads: its own error
    proof: list[tuple[str, str]] = []
    against: dict[tuple[int, str], list[str]] = {}  # a cell → the orders it is no date in
    for o in DATE_ORDERS:
        if o not in fits:
            cell = next(s for s in shorts if s[3] and o not in s[3])
            against.setdefault((cell[0], cell[1]), []).append(o)
    for (line, text), orders in against.items():
        proof.append((f"第 {line} 行的 {text} 按{'、'.join(ORDER_NAMES[o][0] for o in orders)}"
                      f"{'都' if len(orders) > 1 else ''}不是日期",
                      f"line {line}'s {text} is no date read {' or '.join(ORDER_NAMES[o][1] for o in orders)}"))
    if len(fits) > 1 and before is not None:  # the run's start: an order putting a date on or after it is not it
        day = before.date()
        early = [o for o in fits if all(r[o] < day for *_, r in shorts if r)]
        for o in fits:
            if o not in early and early:
                cell = next(s for s in shorts if s[3] and s[3][o] >= day)
                proof.append((f"第 {cell[0]} 行的 {cell[1]} 按{ORDER_NAMES[o][0]}读是 {cell[3][o].isoformat()}，不早于"
                              f"仿真开始（{day.isoformat()}）", f"line {cell[0]}'s {cell[1]} read "
                              f"{ORDER_NAMES[o][1]} is {cell[3][o].isoformat()}, not before the run starts "
                              f"({day.isoformat()})"))
        fits = early or fits
    if len(fits) == 1:
        return DateOrder(fits[0], proof=("；".join(p[0] for p in proof), "; ".join(p[1] for p in proof)),
                         first=first, count=len(shorts))
    how_zh = ("请写出四位年份（2026-03-05 或 2026/3/5，或将日期列设为“yyyy/m/d”格式后再导出），或在配置中写明顺序 "
              "start_state_date_order: ymd（年/月/日）、dmy（日/月/年）或 mdy（月/日/年），或命令行 --date-order")
    how_en = ("write the year first, in four digits (2026-03-05 or 2026/3/5, or format the date columns yyyy/m/d and "
              "export again), or give the order: the profile's start_state_date_order: ymd, dmy or mdy, or "
              "--date-order")
    if not fits:  # each order fails a cell: two cells that no one order reads
        a = next(s for s in shorts if s[3])
        b = next((s for s in shorts if s[3] and not set(s[3]) & set(a[3])), a)
        return DateOrder(None, first=first, count=len(shorts), problem=(
            f"此列的日期不是同一种写法，没有一种顺序能读出所有日期：第 {a[0]} 行的 {a[1]} 只能是"
            f"{'或'.join(ORDER_NAMES[o][0] for o in a[3])}，第 {b[0]} 行的 {b[1]} 只能是"
            f"{'或'.join(ORDER_NAMES[o][0] for o in b[3])}——{how_zh}",
            f"the column's dates are not written one way, no one order reads them all: line {a[0]}'s {a[1]} can "
            f"only be {' or '.join(ORDER_NAMES[o][1] for o in a[3])}, line {b[0]}'s {b[1]} only "
            f"{' or '.join(ORDER_NAMES[o][1] for o in b[3])} — {how_en}", b[0], b[2]))
    shown = shorts[:2] if len(shorts) > 1 else shorts
    ways = "、".join(ORDER_NAMES[o][0] for o in fits)
    ways_en = ", ".join(ORDER_NAMES[o][1] for o in fits)
    cells_zh = "，".join(f"第 {s[0]} 行的 {s[1]}（" + "、".join(f"{ORDER_NAMES[o][0]} {s[3][o].isoformat()}"
                                                              for o in fits) + "）" for s in shown)
    cells_en = "; ".join(f"line {s[0]}'s {s[1]} (" + ", ".join(f"{ORDER_NAMES[o][1]} {s[3][o].isoformat()}"
                                                            for o in fits) + ")" for s in shown)
    return DateOrder(None, first=first, count=len(shorts), problem=(
        f"列 {shorts[0][2]} 的日期只有两位年份或年份在后，分不清是{ways}：如{cells_zh}——{how_zh}",
        f"the column {shorts[0][2]}'s dates have a two-digit year or the year last, and could be {ways_en}: "
        f"{cells_en} — {how_en}", shorts[0][0], shorts[0][2]))


def _name(text: str) -> str:
    """A handler's name as a spreadsheet pads it: spaces between its Chinese characters dropped (张  三, 张　三:
    a two-character name widened to line up with the three-character ones); a name in Latin letters kept."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text.strip())


def _node(text: str) -> int | None:
    """A node by its number (17, 节点17, 第17节点) or its name in the process (查封、扣押、冻结)."""
    try:
        return _process().node(text).no
    except UserError:
        return None


def _near_nodes(text: str) -> list[str]:
    """The open nodes whose names are nearest a name the process does not know (查封冻结扣押: 17 查封、扣押、冻结)."""
    names = {n.name: n.no for n in _process().nodes if n.no <= OPEN_NODES}
    return [f"{names[m]} {m}" for m in difflib.get_close_matches(text, list(names), n=2, cutoff=0.5)]


@cache
def _process() -> Process:
    return default_process()
