"""The planner's report: one self-contained HTML file (no network, no CDN — court intranets are offline; charts
are inline SVG), Chinese first; the KPIs as JSON and the per-case / per-node / per-agency tables as CSV.

No identity or account number is written: case rows carry the case number, type, handler and amounts only; any
ID-like string that reaches a table goes through ``mask`` (``core_flow.masking``)."""

from __future__ import annotations

import csv
import html
import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core_flow.errors import UserError
from core_flow.legal_calendar import to_cst
from core_flow.masking import mask_text
from sim.kpi import BOOTSTRAP_MIN, fmt_value, manner_name
from sim.profile import (
    AUTHORITY_ROLE,
    NATIONAL_CASES_PER_JUDGE_2024,
    NATIONAL_CONCLUDED_2024,
    CourtProfile,
    process_data,
    process_lines,
)

# The tables' encoding: UTF-8 with a byte-order mark. Excel and WPS on a Chinese Windows read a CSV without one as GBK
# (code page 936) — every Chinese cell garbled when a planner double-clicks cases.csv; with it they read UTF-8. Python
# (``utf-8-sig``), pandas and zhixing's own readers (``core_flow.errors.read_utf8``) take the mark.
CSV_ENCODING = "utf-8-sig"

KPI_LABELS: dict[str, tuple[str, str]] = {
    "compliance": ("期限遵守率（全部节点）", "deadline compliance, all nodes"),
    "filed": ("新收案件（仿真期内）", "new cases filed in the period"),
    "carried_over": ("旧存案件（起始状态）", "carried-over caseload (start state)"),
    "carried_over_open": ("旧存未结案件", "carried over, open"),
    "carried_over_zhongben": ("旧存终本库", "carried over, 终本 register"),
    "carried_over_closed": ("旧存案件期内结案", "carried over, closed in the period"),
    "overdue_at_start": ("起始时已超期的期限（不计入遵守率）", "deadlines overdue at the start (not in compliance)"),
    "node_freezes_at_start": ("起始时已超期引起的节点冻结", "node freezes from deadlines overdue at the start"),
    "unfreeze_approvals_at_start": ("其中期内解冻审批", "of them, unfreeze approvals in the period"),
    "closed": ("结案数", "cases closed"),
    "warnings": ("预警", "warnings"),
    "node_freezes": ("节点冻结", "node freezes"),
    "unfreeze_approvals": ("解冻审批", "unfreeze approvals"),
    "duban_raised": ("督办发起", "督办 raised"),
    "duban_closed": ("督办办结", "督办 closed"),
    "limit_extended": ("期限变更（延长）", "time limit extended"),
    "resumptions": ("恢复执行", "resumptions"),
    "sweeps": ("终本统查", "终本 sweeps"),
    "zhongben_rate": ("终本率", "终本 rate"),
    "within_limit_share": ("审限内结案占比（含期限变更）", "share closed within the time limit, 期限变更 included"),
    "within_statutory_share": ("6个月内结案占比（非诉3个月，不计延长）",
                               "share closed within 6 months (非诉 3), extensions not counted"),
    "recovered_yuan": ("执行到位（元）", "money paid to applicants (yuan)"),
    "fees_yuan": ("结算执行申请费（元，不含于执行到位）",
                  "application fees settled (yuan, not in the money paid to applicants)"),
    "deducted_yuan": ("划拨到账（元）", "money deducted (yuan)"),
    "proceeds_yuan": ("变价款到账（元）", "sale proceeds (yuan)"),
    "returned_yuan": ("余款退还被执行人（元）", "surplus returned to debtors (yuan)"),
    "lots_priced": ("处置：确定参考价（件）", "disposal: reference prices fixed"),
    "price_objections": ("处置：对评估报告的异议", "disposal: objections to a pricing report"),
    "price_objections_upheld": ("处置：其中异议成立", "disposal: of them upheld"),
    "auctions_first": ("处置：一拍（不含竞价前撤回的）", "disposal: first auctions (those withdrawn not counted)"),
    "unsold_first": ("处置：一拍流拍", "disposal: first auctions unsold"),
    "auctions_second": ("处置：二拍（不含竞价前撤回的）", "disposal: second auctions (those withdrawn not counted)"),
    "unsold_second": ("处置：二拍流拍", "disposal: second auctions unsold"),
    "sale_periods": ("处置：变卖（不含变卖期前撤回的）", "disposal: sales by 变卖 (those withdrawn not counted)"),
    "sold_first_auction": ("处置：一拍成交", "disposal: sold at the first auction"),
    "sold_second_auction": ("处置：二拍成交", "disposal: sold at the second auction"),
    "sold_sale_period": ("处置：变卖成交", "disposal: sold by 变卖"),
    "sales_confirmed": ("处置：成交确认裁定", "disposal: sales confirmed (成交确认 ruling)"),
    "in_kind": ("处置：以物抵债", "disposal: taken in kind (以物抵债)"),
    "rounds_withdrawn": ("处置：撤回拍卖（竞价开始前）", "disposal: rounds withdrawn before their bidding"),
    "buyer_defaults": ("处置：买受人悔拍（逾期未付余款）", "disposal: buyers who defaulted (悔拍, balance unpaid)"),
    "deposits_forfeited_yuan": ("处置：悔拍保证金划入案款（元，不含于变价款）",
                                "disposal: forfeited deposits remitted to the cases (yuan, not in the sale proceeds)"),
    "reauctions": ("处置：悔拍后重新拍卖（不计入一拍、二拍、变卖）",
                   "disposal: rounds held again after a default (not in the first, second or 变卖 counts)"),
    "sale_days_p50": ("处置：参考价至成交价款到账（天，中位数，仅期内成交的）",
                      "disposal: days, price to sale paid (p50, the sales made only)"),
    "sale_days_km_p50": ("处置：参考价至成交价款到账（天，中位数，计入尚未成交的：Kaplan–Meier）",
                         "disposal: days, price to sale paid (p50, the lots not sold included: Kaplan–Meier)"),
    # review R22: counted from the reference price on, as the time to sale — a lot still being priced is not in it
    "lots_in_disposal_end": ("处置：期末仍在处置中的财产（已定参考价的）",
                             "disposal: lots still in disposal at the end (priced)"),
    "open_at_end": ("期末未结案件", "open cases at the end"),
    "zhongben_register_at_end": ("期末终本库", "终本 register at the end"),
    "cycle_p50_days": ("结案周期中位数（天）", "cycle time p50 (days)"),
    "cycle_p90_days": ("结案周期90分位（天）", "cycle time p90 (days)"),
    "staff_items": ("工作事项", "work items done"),
    "agency_requests_per_day": ("查控请求/日", "查控 requests per day"),
    "court_requests_per_day": ("本院发出查控请求/日（含重发）", "查控 requests the court sent per day (re-sends)"),
    "cases_per_judge_year": ("人均年收案（承办法官）", "cases per 承办法官 per year"),
}
START_STATE_KPIS = {"carried_over", "carried_over_open", "carried_over_zhongben", "carried_over_closed",
                    "overdue_at_start", "node_freezes_at_start", "unfreeze_approvals_at_start"}


# the 悔拍 rows: shown only where a buyer defaulted (a profile's ``auction_default_rate``, 0 by default) — every other
# disposing court would show two rows of 0; kpis.json has them always
DEFAULT_KPIS = {"buyer_defaults", "reauctions", "deposits_forfeited_yuan"}


def shown_kpis(kpi: dict[str, Any], keys: Any) -> list[str]:
    """``keys`` present in ``kpi`` (the aggregated KPIs), the start-state rows only when the run had a start state,
    the 悔拍 rows only when a buyer defaulted."""
    carried = kpi.get("carried_over", {}).get("mean", 0) or 0
    defaulted = (kpi.get("buyer_defaults", {}).get("mean", 0) or 0) > 0
    return [k for k in keys if k in kpi and (carried or k not in START_STATE_KPIS)
            and (defaulted or k not in DEFAULT_KPIS)]
TYPE_ZH = {"first": "首执", "resumed": "恢复", "preservation": "保全"}
TYPES = {code: f"{zh} {code}" for code, zh in TYPE_ZH.items()}
DEBTOR_KINDS = {"person": "自然人 person", "company": "法人或非法人组织 company"}


def _shares(weights: dict[str, float], names: dict[str, str]) -> str:
    """A share map as the run draws from it: each weight over their sum (a file's ``mix: {首执: 0.5, 恢复: 0.2}``
    merged with the default's 保全 0.12 is drawn 61% / 24% / 15%, not shown as 50% / 20% / 12%)."""
    total = math.fsum(weights.values())
    return "，".join(f"{names.get(k, k)} {v / total:.0%}" for k, v in weights.items())
_ORDER = list(KPI_LABELS)


def _order(key: str) -> tuple[int, str]:
    head = key.partition(".")[0]
    return (_ORDER.index(key) if key in _ORDER else len(_ORDER) + (head != "utilisation"), key)


def _named(row: dict[str, Any], process: Any = None) -> dict[str, Any]:
    """A case row as a planner reads it in a spreadsheet: the Chinese of its codes beside them (type_name after type:
    首执; manner_name after manner: 终本), its instants as Excel and WPS read a date and time (``2027-01-04 09:13:35``,
    Beijing time: the ISO form with its offset and microseconds stayed text, not to be sorted or subtracted) and its
    money in yuan (``amount_yuan`` 22538.05, exact to the fen, for ``amount_cents`` 2253805). ``process``: the
    court's own (``run_process``), whose names its manners take; None: the bundled process."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("filed", "closed") and value:
            out[key] = to_cst(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
        elif key.endswith("_cents") and isinstance(value, int):
            yuan, fen = divmod(abs(value), 100)  # integers: exact at any size, where value / 100 is not
            out[key.removesuffix("_cents") + "_yuan"] = f"{'-' if value < 0 else ''}{yuan}.{fen:02d}"
        else:
            out[key] = value
        if key == "type":
            out["type_name"] = TYPE_ZH.get(value, value)
        elif key == "manner":
            # a preservation case closed as 执行完毕 (the simulated clerk's way, kept accepted: process.yaml) is named
            # 保全完毕, 法发〔2014〕26号's manner for it; the preservation manners by their own names
            preserved = value == "completed" and row.get("type") == "preservation"
            out["manner_name"] = "保全完毕" if preserved else manner_name(value, process)
    return out


def agency_title(code: str) -> str:
    """An agency's Chinese name in the catalogue (农业银行 for abc); "" for a code not in it."""
    from mock_agencies.catalogue import load_catalogue

    found = load_catalogue().find(code)
    return found.name if found is not None and found.name != code else ""


def agency_name(code: str) -> str:
    """An agency as a planner knows it: its Chinese name before its code (农业银行 abc); a code not in the
    catalogue as it is."""
    title = agency_title(code)
    return f"{title} {code}" if title else code


def run_process(profile: CourtProfile | None) -> Any:
    """The process a court's run used (``sim.profile.process_data``: its ``process:`` over its file), whose node and
    manner names the report and tables give; None: the bundled process. A court whose file names its nodes or
    manners otherwise had the bundled names beside its own numbers."""
    data = process_data(profile) if profile is not None else None
    if data is None:
        return None
    from core_flow.process_options import process_of

    return process_of(data)


def node_name(node: Any, process: Any = None) -> str:
    """A node's name in the process file (查封、扣押、冻结 for 17); "" for one the file lacks. ``process``: the court's
    own (``run_process``); None: the bundled process."""
    from core_flow.process_loader import default_process

    try:
        return (process or default_process()).node(int(node)).name
    except (ValueError, TypeError, KeyError, UserError):
        return ""


def label(key: str) -> str:
    if key in KPI_LABELS:
        zh, en = KPI_LABELS[key]
        return f"{zh} / {en}"
    head, _, tail = key.partition(".")
    if head == "compliance":
        return f"期限遵守率 节点{tail[4:]} / compliance, node {tail[4:]}"
    if head == "utilisation":
        return f"人员利用率 {tail} / utilisation, {tail}"
    if head == "overtime_hours":
        return f"所需加班（小时）{tail} / overtime needed (h), {tail}"
    if head.startswith("cycle_p"):
        q = head[7:9]
        return f"结案周期p{q}（天）{manner_name(tail)} / cycle time p{q} (days), {tail}"
    return key


def _approver(code: str) -> str:
    """An approver's authority code with its role in Chinese first: ``执行局长 bureau_head``."""
    head, _, via = code.partition(" ")
    zh = AUTHORITY_ROLE.get(head)
    return f"{zh} {code}" if zh else code


def mask(text: str) -> str:
    """ID card, credit code and account numbers masked, by the project's one rule (``core_flow.masking``)."""
    return mask_text(text)


def fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) < 1 and x != 0:
            return f"{x:.3f}"
        return f"{x:.1f}"
    return html.escape(mask(str(x)))


# a cell of prose (a start state's notes: several lines) reads from the left; right-aligned, as figures are, each of
# its lines began at a different place
LONG_TEXT = 60
LONG = " class='text'"


class Cell(str):
    """A table cell already written as HTML (escaped and masked by its maker), with its own class: ``_table`` puts it
    in as it is."""

    css = ""

    def __new__(cls, markup: str, css: str = "") -> Cell:
        cell = super().__new__(cls, markup)
        cell.css = css
        return cell


def _td(c: Any) -> str:
    if isinstance(c, Cell):
        return f"<td class='{c.css}'>{c}</td>" if c.css else f"<td>{c}</td>"
    if not isinstance(c, str):
        return f"<td>{fmt(c)}</td>"
    return f"<td{LONG if len(c) > LONG_TEXT else ''}>{html.escape(mask(c))}</td>"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(_td(c) for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def line_chart(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, xlabel: str, ylabel: str,
               width: int = 760, height: int = 260, hline: float | None = None,
               marks: Sequence[tuple[float, str]] = ()) -> str:
    """An inline SVG line chart (no script, no network). The legend runs below the plot, entries side by side and
    wrapped to the chart's width, so a long KPI label ("人员利用率 承办法官 / utilisation.承办法官") is never cut.
    ``marks``: vertical lines at those x values, each labelled at the plot's top (a multi-year run's New Years)."""
    pts = [(x, y) for xs, ys in series.values() for x, y in zip(xs, ys, strict=False)
           if y is not None and not (isinstance(y, float) and math.isnan(y))]
    if not pts:
        return "<p>（无数据 / no data）</p>"
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    if x1 == x0:
        x1 = x0 + 1
    xticks = [t for t in nice_ticks(x0, x1, integer=all(float(p[0]).is_integer() for p in pts)) if x0 <= t <= x1]
    yticks = nice_ticks(0.0, max(max(p[1] for p in pts), hline or 0) or 1.0)
    y0, y1 = 0.0, yticks[-1]
    ml, mr, mt, mb = 60, 16, 12, 36
    w, h = width - ml - mr, height - mt - mb

    def sx(x: float) -> float:
        return ml + (x - x0) / (x1 - x0) * w

    def sy(y: float) -> float:
        return mt + h - (y - y0) / (y1 - y0) * h

    legend = _legend_rows(list(series), ml, width - mr)
    full = height + (10 + 18 * (legend[-1][2] + 1) if legend else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{full}" role="img" '
             f'aria-label="{html.escape(ylabel)}">',
             f'<rect x="{ml}" y="{mt}" width="{w}" height="{h}" fill="#fafafa" stroke="#ccc"/>']
    for yv in yticks:
        parts.append(f'<text x="{ml - 6}" y="{sy(yv) + 4:.1f}" font-size="11" text-anchor="end">{_tick(yv)}</text>')
        parts.append(f'<line x1="{ml}" x2="{ml + w}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" stroke="#eee"/>')
    for xv in xticks:
        parts.append(f'<text x="{sx(xv):.1f}" y="{mt + h + 16}" font-size="11" text-anchor="middle">{_tick(xv)}</text>')
    parts.append(f'<text x="{ml + w / 2}" y="{height - 4}" font-size="12" text-anchor="middle">'
                 f'{html.escape(xlabel)}</text>')
    parts.append(f'<text x="14" y="{mt + h / 2}" font-size="12" text-anchor="middle" '
                 f'transform="rotate(-90 14 {mt + h / 2})">{html.escape(ylabel)}</text>')
    if hline is not None:
        parts.append(f'<line x1="{ml}" x2="{ml + w}" y1="{sy(hline):.1f}" y2="{sy(hline):.1f}" stroke="#999" '
                     f'stroke-dasharray="4 3"/>')
    for xv, text in marks:
        if x0 < xv < x1:
            parts.append(f'<line x1="{sx(xv):.1f}" x2="{sx(xv):.1f}" y1="{mt}" y2="{mt + h}" stroke="#888" '
                         f'stroke-dasharray="2 3"/>')
            parts.append(f'<text x="{sx(xv) + 3:.1f}" y="{mt + 12}" font-size="11" fill="#555">'
                         f'{html.escape(text)}</text>')
    for i, (name, (xs, ys)) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=False)
                        if y is not None and not (isinstance(y, float) and math.isnan(y)))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}"/>')
        lx, _, row = legend[i]
        ly = height + 12 + row * 18
        parts.append(f'<rect x="{lx}" y="{ly - 4}" width="12" height="3" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="{ly}" font-size="11">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def nice_ticks(lo: float, hi: float, n: int = 5, *, integer: bool = False) -> list[float]:
    """About ``n`` axis ticks at round steps (1, 2, 2.5 or 5 × 10^k; whole numbers when ``integer``) covering
    [``lo``, ``hi``]: staff levels read 4, 5, 6, 7 — not 4.8 — and shares 0, 0.25 … 1."""
    span = hi - lo if hi > lo else abs(hi) or 1.0
    raw = span / max(n - 1, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in steps if m * mag >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(math.ceil(step)))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _tick(v: float) -> str:
    """A tick's label: as few decimals as its value needs (0.25, 1, 1,500)."""
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.6f}".rstrip("0").rstrip(".")


def _text_width(text: str, size: float = 11.0) -> float:
    """About how wide ``text`` is drawn at ``size`` px: a CJK character a full em, Latin about 0.6 em."""
    return sum(size if ord(c) >= 0x2E80 else 0.6 * size for c in text)


def _legend_rows(names: Sequence[str], left: float, right: float) -> list[tuple[float, float, int]]:
    """Each legend entry's (x, width, row): side by side, wrapped at ``right``."""
    out: list[tuple[float, float, int]] = []
    x, row = left, 0
    for name in names:
        w = 16 + _text_width(name) + 18  # swatch, text, gap
        if x > left and x + w > right:
            x, row = left, row + 1
        out.append((x, w, row))
        x += w
    return out


CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child,td.text{text-align:left}.ok{color:#2a7d2a}
.bad{color:#b00}.note{color:#666;font-size:12px}
.warn{background:#fff4d6;border:1px solid #e0b040;padding:6px 10px;font-size:13px}
td.name{white-space:nowrap;text-align:left}td.text ul{margin:4px 0;padding-left:18px}
details summary{cursor:pointer;color:#555}"""


def no_interval(v: dict[str, float]) -> bool:
    """A mean without an interval: one replication with a value (``sim.kpi.mean_ci`` gives NaN bounds) — the run's only
    one, or the only one of several where the KPI has a value (``sale_days_p50`` where the others sold nothing)."""
    return v["low"] != v["low"] and v["mean"] == v["mean"]


def _ci(v: dict[str, float], key: str = "") -> str:
    """Mean [low, high], each as the terminal shows it (``sim.kpi.fmt_value``): a share to three decimals throughout
    (1.000 beside 0.991, not 1.0), a count or days to one decimal below 100 and whole from 100."""
    if "pooled" in v:  # the time to sale's pooled Kaplan–Meier median: its own interval and method
        mean, ci = km_pooled_cells(v, key)
        return f"{mean}（{ci}）" if mean == KM_UNDEFINED_SHORT else f"{mean} {ci}"
    if (undefined := km_undefined(v)) and v["mean"] != v["mean"]:
        return f"{KM_UNDEFINED_SHORT}（{undefined}）"
    if no_interval(v):  # the terminal's words (``zhixing.cmd_simulate.NO_CI``: 无区间（仅 1 次有值）)
        text = f"{fmt_value(v['mean'], key)}（无区间，仅 1 次有值 / no CI, n=1: one replication with a value）"
    else:
        text = f"{fmt_value(v['mean'], key)} [{fmt_value(v['low'], key)}, {fmt_value(v['high'], key)}]"
    return f"{text}（{undefined}）" if undefined else text


KM_UNDEFINED_SHORT = "未定义 / undefined"


def km_undefined(v: dict[str, Any]) -> str:
    """What the time to sale's Kaplan–Meier median (``sale_days_km_p50``: ``sim.kpi.Collector.sale_km``) cannot say:
    the replications in which fewer than half the lots were disposed of by the end (the survival never fell to 0.5:
    no median, longer than the run could see) — all of them, or some, the mean then of the others and short; "" if
    none."""
    undefined = int(v.get("undefined") or 0)
    if not undefined:
        return ""
    if v["mean"] != v["mean"]:
        return ("中位数未定义：处置完毕的财产不足一半（生存曲线始终高于 0.5），中位数长于模拟所见" +
                ("，各次重复均如此" if undefined > 1 else "") +
                " / no median: fewer than half the lots disposed of (survival never below 0.5), the median longer "
                "than the run could see" + (" — in every replication" if undefined > 1 else ""))
    return (f"另 {undefined} 次重复中位数未定义（处置完毕的不足一半），均值只含有值的 {v.get('n', 0)} 次，偏短 / "
            f"{undefined} more replication{'s' if undefined > 1 else ''} with no median (fewer than half "
            f"disposed of): the mean is of the {v.get('n', 0)} with one, so short")


KM_BEYOND = "长于所见 / beyond the run"
KM_POOLED_TAG = "合并 / pooled"  # in the cell: the note under the table (``km_pooled_note``) says how


def km_pooled_cells(v: dict[str, Any], key: str = "sale_days_km_p50") -> tuple[str, str]:
    """The pooled time to sale (``sim.replicate.km_pooled``) as the KPI table's two cells: the pooled median, and its
    interval marked as the pooled curve's (how it was had — a bootstrap over the replications, or with few of them
    Brookmeyer–Crowley over the lots — in ``km_pooled_note`` under the table: the cell kept short, the labels beside
    it unbroken). An upper bound beyond the longest time seen is said so, not as a number."""
    pooled = v["pooled"]
    if v["mean"] != v["mean"]:
        return KM_UNDEFINED_SHORT, (f"中位数未定义：{v['n']} 次重复合并的 {pooled['lots']:,} 件财产中处置完毕的不足一半"
                                    "（生存曲线始终高于 0.5），中位数长于模拟所见 / no median: fewer than half of the "
                                    f"{v['n']} replications' {pooled['lots']:,} lots pooled disposed of (survival "
                                    "never below 0.5), the median longer than the run could see")
    high = KM_BEYOND if v.get("high_open") else fmt_value(v["high"], key)
    return fmt_value(v["mean"], key), f"[{fmt_value(v['low'], key)}, {high}]（{KM_POOLED_TAG}）"


def km_pooled_note(v: dict[str, Any]) -> str:
    """What the pooled time to sale is and how its interval was had, as a sentence (under the terminal's KPI table and
    in the report's note): the lots of all the replications in one curve, each replication's own median beside; the
    interval by a bootstrap over the replications or — fewer than ``sim.kpi.BOOTSTRAP_MIN`` — Brookmeyer–Crowley over
    the lots, which takes the lots as independent (said: they are not quite)."""
    pooled = v["pooled"]
    own = "、".join(KM_UNDEFINED_SHORT.split(" / ")[0] if m is None else fmt_value(m, "sale_days_km_p50")
                   for m in pooled["per_replication"])
    own_en = ", ".join("undefined" if m is None else fmt_value(m, "sale_days_km_p50")
                       for m in pooled["per_replication"])
    n, lots = v["n"], pooled["lots"]
    if pooled["method"] == "bootstrap":
        zh_ci = (f"95% 区间按重复自助法：整次重复有放回重抽 {pooled['draws']:,} 次，各取合并曲线的中位数，"
                 "取其 2.5% 与 97.5% 分位（同一次重复的财产共用人员与排队，并不相互独立，故整次重抽；种子取自 --seed）")
        en_ci = (f"the 95% interval by a bootstrap over the replications: {pooled['draws']:,} resamples of whole "
                 "replications with replacement, each pooled curve's median, their 2.5% and 97.5% quantiles (the lots "
                 "of one replication share its staff and queues and are not independent, hence whole replications; "
                 "seeded from --seed)")
    else:
        zh_ci = (f"重复少于 {BOOTSTRAP_MIN} 次，按重复的自助法退化（2 次重复只有 3 种重抽），95% 区间改用合并曲线的 "
                 "Brookmeyer–Crowley 区间（Greenwood 方差，log-log 变换），以单件财产为独立单位——同一次重复的财产"
                 f"共用人员与排队，并不完全独立，区间可能偏窄；按重复估计区间请用 -r {BOOTSTRAP_MIN} 或以上")
        en_ci = (f"with fewer than {BOOTSTRAP_MIN} replications a bootstrap over them is degenerate (two have three "
                 "distinct resamples): the 95% interval is the pooled curve's Brookmeyer–Crowley one (Greenwood "
                 "variance, log-log), the lots taken as independent — those of one replication share its staff and "
                 f"queues, so it may be narrow; for an interval over the replications run -r {BOOTSTRAP_MIN} or more")
    beyond = ("；区间上界长于模拟所见" if v.get("high_open") else "",
              "; its upper bound is beyond the longest time seen" if v.get("high_open") else "")
    return (f"Kaplan–Meier 中位数：{n} 次重复的 {lots:,} 件财产合为一条曲线（各次重复独立同分布）取中位数，不是各次"
            f"中位数的均值（各次自身：{own}）；{zh_ci}{beyond[0]}。 / The Kaplan–Meier median: the {n} replications' "
            f"{lots:,} lots pooled into one curve (the replications are independent and identically distributed), "
            f"not a mean of each one's median (each one's own: {own_en}); {en_ci}{beyond[1]}.")


def km_counts(run: dict[str, Any]) -> str:
    """The lots of one replication's Kaplan–Meier time to sale (``sale_km``), as a sentence; "" without one."""
    km = run.get("sale_km")
    if not km:
        return ""
    unsold = km.get("censored_unsold", 0)  # 变卖 ended unsold (review R22)
    return (f" 第1次重复：{km['lots']:,} 件财产，处置完毕 {km['disposed']:,}，期末仍在处置 "
            f"{km['censored_at_end']:,}，撤回 {km['censored_withdrawn']:,}，结案 {km['censored_closed']:,}，变卖不成 "
            f"{unsold:,}（后四者删失）；其中预热期内确定参考价的 {km['entered_late']:,} 件 / replication 1: "
            f"{km['lots']:,} lots, {km['disposed']:,} disposed of, "
            f"{km['censored_at_end']:,} still in disposal at the end, {km['censored_withdrawn']:,} withdrawn, "
            f"{km['censored_closed']:,} closed, {unsold:,} unsold by 变卖 (the last four censored); "
            f"{km['entered_late']:,} of them priced in the warm-up.")


# under a court's KPI table where the time to sale with the lots not sold is one (``sim.kpi.Collector.sale_km``)
KM_NOTE = ("参考价至成交价款到账（以物抵债：至其确认）的天数有两个中位数：“仅期内成交的”只含模拟期内成交的财产，期末"
           "尚未成交的不在其中，人员饱和时偏短；“计入尚未成交的”为 Kaplan–Meier 估计：期末仍在处置中的财产计到期末"
           "（删失），拍卖被撤回、案件结案（执行完毕、和解、终本）或变卖不成的财产计到撤回、结案或变卖结束之时（删失，视为"
           "与其售出所需时间无关），预热期内确定参考价的财产自预热期结束时计入（左截断）。处置完毕的不足一半时中位数未定义（长于模拟所"
           "见）。 / "
           "The days from the reference price to the sale's payment (in kind: its confirmation) have two medians: "
           "'the sales made only' counts the lots sold in the run, not those still unsold at its end, so it reads "
           "short where the staff are saturated; 'the lots not sold included' is the Kaplan–Meier estimate: a lot "
           "still in disposal at the end counts up to the end (censored), a lot whose round was withdrawn, whose "
           "case closed (paid, settled, 终本) or whose 变卖 ended unsold up to then (censored, taken as unrelated to "
           "how long it would take to sell), a lot priced in the warm-up from the warm-up's end (left truncation). "
           "With fewer than half the lots disposed of the median is undefined (longer than the run could see).")


PROVINCE = "全省合计 / province total"
# what an agency's row counts (sim.kpi.Collector): the requests it receives — the court's own and those the
# 总对总 system forwards (a 集约查询 or 终本 sweep counts at every agency of its scope); the hub's row is the court's
AGENCY_LOAD_NOTE = ("各机构收到的请求：法院直接发出的，以及经总对总分发的（集约查询、终本统查计入所列范围内每家"
                    "机构）；总对总（zdz）一行为法院发给总对总的请求，不计入“查控请求/日”合计。终本统查在到期日 0 时"
                    "成批发出（每案每 6 个月一次）：峰值时段为 00:00 的即此批量，不是工作时间的查询。 / What each "
                    "agency receives: the court's own requests and those the 总对总 system forwards (a 集约查询 or "
                    "终本 sweep counts at every agency of its scope); the 总对总 row (zdz) is what the court sent the "
                    "system, not counted again in 查控 requests per day. 终本 sweeps go out as a batch at 0:00 on "
                    "their due day (each case every 6 months): a peak at 00:00 is that batch, not the working day's "
                    "queries.")
AGENCIES_SHOWN = 12  # the province's busiest agencies in the open; the rest folded


# what "overtime needed" counts (``sim.kpi``: the work done and the work still queued at the end, by the day it came)
OVERTIME_NOTE = ("所需加班：每人每天到达（排队）的工作超出一个工作日工时的部分之和，按工作到达之日计；期末仍在排队、"
                 "尚未完成的工作也计入（角色共用的待办平均分给该角色各人）——人手不足时，要跟上到达的工作需要这么多加班"
                 "（或相应增加人员） / overtime needed: the sum, per person and day, of the work that arrived (was "
                 "queued) that day beyond a working day's hours, by the day it arrived; work still queued and not "
                 "done at the run's end included (a role's shared queue spread over its people) — with too few "
                 "people, the overtime it takes to keep up with the work arriving (or the staff to add)")


# what the bracket beside each mean is, in a planner's words (``sim.kpi.mean_ci``: Student's t over the replications,
# clipped to the KPI's range)
CI_NOTE = ("均值为各次重复的平均；方括号内为 95% 置信区间：由各次重复之间的差异估计，表示真实均值有 95% 的把握"
           "落在其中。重复次数少时区间很宽（2 次重复时，均值两侧各约为两次结果之差的 6 倍），区间截断到指标的取值"
           "范围（比例在 0 到 1 之间、件数不小于 0），故下限为 0 或上限为 1.000 的多为截断；要更窄的区间请增加重复"
           "次数（-r）。 / Each mean is over the replications; the bracket is its 95% confidence interval, estimated "
           "from how much the replications differ: the true mean lies in it with 95% confidence. Few replications "
           "give wide intervals (with 2, some 6 times the two results' difference either side of the mean), clipped "
           "to the KPI's range (a share between 0 and 1, a count not below 0), so a bound of 0 or 1.000 is mostly "
           "the clip; for narrower ones run more replications (-r).")


def calendar_note(calendar: dict[str, Any] | None) -> str | None:
    """One bilingual warning when the runs relied on a provisional holiday year (``sim.replicate.calendar_used``),
    else None: the guess is shown on the terminal, in the report and in ``kpis.json``."""
    years = (calendar or {}).get("provisional_years") or []
    if not years:
        return None
    ys, ys_en = "、".join(map(str, years)), ", ".join(map(str, years))
    n = (calendar or {}).get("provisional_deadlines", 0)
    # (a run that reaches the year only at its end has no deadline due in it: "about 0 deadlines" said nothing)
    what = (f"人员工作日与每次重复约 {n:,.0f} 个期内到期的期限", f"the staff's working days and about {n:,.0f} "
            "deadlines per replication falling due in the run") if round(n) >= 1 else (
            "人员工作日（期内没有期限在该年到期）", "the staff's working days (no deadline fell due in it in the run)")
    return (f"注意 / note: 本次仿真用到暂定节假日（{ys} 年：数据中没有国务院节假日安排通知，按法定节假日推算，"
            f"调休上班日未知），{what[0]}依此计算；该年通知发布后写入扩展文件"
            "（core_flow/data/holidays_extension.yaml、--holidays 文件或环境变量 ZHIXING_HOLIDAYS）即替换 / this "
            "simulation used "
            f"provisional holidays for {ys_en} (no State Council notice in the data: statutory holidays, make-up "
            f"working days unknown) for {what[1]}; put the notice in an extension file "
            "(core_flow/data/holidays_extension.yaml, --holidays FILE or ZHIXING_HOLIDAYS) to replace it")


def provisional_ahead(origin: datetime, years: float) -> list[int]:
    """The years a run from ``origin`` over ``years`` (of 365 days) goes into whose holidays are provisional (no State
    Council notice in the data, ``$ZHIXING_HOLIDAYS`` and ``--holidays`` included): known before it runs, so the
    terminal says them at its top, before the figures (the count of deadlines resting on them comes after the run,
    ``calendar_note``)."""
    from core_flow.legal_calendar import HolidayCalendar

    end = origin + timedelta(days=years * 365)
    cal = HolidayCalendar(strict=False)
    return [y for y in range(origin.year, end.year + 1) if not cal.is_official(y)]


def provisional_ahead_note(years: Sequence[int]) -> str | None:
    """One bilingual line naming the provisional holiday years a run goes into (``provisional_ahead``); None when
    none."""
    if not years:
        return None
    ys, ys_en = "、".join(map(str, years)), ", ".join(map(str, years))
    return (f"⚠ 注意 / note: 本次仿真进入 {ys} 年，数据中没有这些年份的国务院节假日安排通知：节假日为暂定（按法定节假日"
            f"推算，调休上班日未知），人员工作日与期限依此计算；依此计算的期限数见结尾 / this run goes into {ys_en}, "
            "years without a State Council holiday notice in the data: their holidays are provisional (statutory "
            "holidays, make-up working days unknown) and the staff's working days and deadlines rest on them; how many "
            "deadlines did is said at the end")


def provisional_ahead_line(origins: Iterable[datetime], years: float) -> str | None:
    """The line ``simulate`` and the ``plan`` commands say first: the provisional holiday years runs from
    ``origins`` (a court's each) over ``years`` go into (``provisional_ahead_note``), None when none — one function,
    both commands call it."""
    return provisional_ahead_note(sorted({y for origin in origins for y in provisional_ahead(origin, years)}))


def counted_window(origin: datetime, years: float, warmup_days: float) -> tuple[datetime, datetime]:
    """The instants the KPIs count between: the end of the warm-up and the end of the run (``sim.run``: years of
    365 days)."""
    return origin + timedelta(days=warmup_days), origin + timedelta(days=years * 365)


def warmup_note(origin: datetime, years: float, warmup_days: float) -> str:
    """What the KPIs count, said where they are read: from the warm-up's end to the run's end; the warm-up left out."""
    lo, hi = (t.strftime("%Y-%m-%d %H:%M") for t in counted_window(origin, years, warmup_days))
    if not warmup_days:
        return f"指标计入整个仿真期 {lo} 至 {hi}（无预热期） / the KPIs count the whole run, {lo} to {hi} (no warm-up)"
    start = origin.strftime("%Y-%m-%d %H:%M")
    return (f"指标计自 {lo} 至 {hi}；此前 {warmup_days:g} 天（自 {start}）为预热期，不计入指标 / the KPIs count "
            f"{lo} to {hi}; the {warmup_days:g} days before (from {start}) are the warm-up, left out of them")


def finite(x: Any) -> Any:
    """``x`` with every NaN or infinity replaced by None (JSON null): standard JSON has no NaN, and a KPI without
    data (no case closed that way) or an interval of one replication has none."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite(v) for v in x]
    return x


NO_START_STATE = "无：从零案件开始 / none: from an empty court"


def _start_state_said(profile: CourtProfile) -> list[str]:
    """How the run read the profile's start state, where not as written (title rows, GBK, 万元…)."""
    from sim.start_state import notes

    return notes(profile.start_state, profile.origin, profile.start_state_date_order) if profile.start_state else []


def _start_state(profile: CourtProfile) -> str:
    path = profile.start_state
    if not path:
        return NO_START_STATE
    said = _start_state_said(profile)  # as the run read it
    return Path(path).name + (f"（{'；'.join(said)}）" if said else "")


def _start_state_cell(profile: CourtProfile) -> Cell:
    """A court's start state in the courts' table: its file's name, and how it was read folded beneath it (a
    <details>, no script) — written in the cell, six notes were a wall of text that squeezed the court's name beside
    it to four characters a line."""
    if not profile.start_state:
        return Cell(html.escape(NO_START_STATE), "text")
    name = html.escape(mask(Path(profile.start_state).name))
    said = _start_state_said(profile)
    if not said:
        return Cell(name, "text")
    items = "".join(f"<li>{html.escape(mask(n))}</li>" for n in said)
    return Cell(f"{name}<details><summary>读取说明 {len(said)} 条 / {len(said)} notes on how it was read</summary>"
                f"<ul>{items}</ul></details>", "text")


def _input_rows(profile: CourtProfile, params: dict[str, Any]) -> list[list[str]]:
    """The inputs table's rows for one court: [label, value]."""
    i = profile.intake
    return [
        ["起始时刻 / first simulated instant", profile.origin.strftime("%Y-%m-%d %H:%M") + "（北京时间 / CST）"],
        ["起始状态 / start state", _start_state(profile)],
        ["年收案（件） / yearly intake (cases)", f"{i.yearly:,.0f}"],
        ["案件构成 / mix", _shares(i.mix, TYPES)],
        ["金钱给付 / money share", f"{i.money_share:.0%}"], ["非诉 / non-litigation", f"{i.nonlitigation_share:.0%}"],
        ["被执行人 / debtor kind", _shares(i.debtor_kind, DEBTOR_KINDS)],
        ["标的中位数（元） / median claim", f"{i.amount_yuan.median:,.0f}"],
        ["工作时间 / working hours",
         "，".join(f"{a}–{b}" for a, b in profile.hours) + "（法定节假日与调休 / legal calendar）"],
        ["工作顺序 / queue order",
         f"deadline：先办期限早到的事项，无期限的事项按到达后 {profile.undated_days:g} 天计 / deadline first, work "
         f"without one due {profile.undated_days:g} days after it came" if profile.queue == "deadline"
         else "fifo：先到先办 / first come, first served"],
        ["机构配置 / agency profile", profile.agencies.profile],
        *_process_rows(profile),
        *_disposal_rows(profile),
        ["年数 / years", str(params.get("years"))], ["重复次数 / replications", str(params.get("replications"))],
        ["种子 / seed", str(params.get("seed"))], ["预热期（天） / warm-up days", str(profile.warmup_days)],
        ["后端 / backend", str(params.get("backend"))],
    ]


def _process_rows(profile: CourtProfile) -> list[list[str]]:
    """Which process the court ran: the bundled one or its file, and each of its ``process:`` overrides — a planner's
    setting (the 执行申请费 charged, say) never silent."""
    base, overrides = process_lines(profile)
    return [["流程 / process", base],
            ["流程选项覆盖 / process overrides", "；".join(overrides) if overrides else "无 / none"]]


def process_note(profile: CourtProfile) -> str:
    """The process a run uses, one line for the terminal: ``流程 / process: …`` and, where the profile sets any,
    ``流程选项覆盖 / process overrides: fees.application_fee.enabled=true…``."""
    base, overrides = process_lines(profile)
    line = f"流程 / process: {base}"
    if overrides:
        line += f"；流程选项覆盖 / process overrides: {'; '.join(overrides)}"
    return line


def _disposal_rows(profile: CourtProfile) -> list[list[str]]:
    """The disposal's inputs: whether the court disposes of property and of what share; with it, the objections to
    price reports (node 22), rates no source gives — said as our assumption where the planner reads the inputs."""
    if not profile.disposal:
        return [["财产处置 / disposal", "不模拟（disposal: false） / not simulated"]]
    share = f"{profile.disposal_share:.0%}"
    return [["财产处置 / disposal", f"处置查得不动产、车辆的 {share} / {share} of the real estate and vehicles found "
             "disposed of"],
            ["参考价异议比例 / price reports objected to",
             f"{profile.price_objection_share:.0%}，其中成立 {profile.price_objection_upheld:.0%}（假设：无数据来源，"
             f"price_objection_share / price_objection_upheld） / {profile.price_objection_share:.0%}, of them "
             f"{profile.price_objection_upheld:.0%} upheld (assumed: no source gives a rate)"]]


DIFFERS = "各院不同，见下表 / differs by court: see below"


def _inputs_html(profile: CourtProfile, params: dict[str, Any],
                 courts: Sequence[tuple[str, CourtProfile]] | None) -> list[str]:
    """The inputs: one court's table; several courts (a province file), what they share once and what differs by
    court in a table of the courts — their intake, staff and start states side by side."""
    rows = _input_rows(profile, params)
    if not courts or len({json.dumps({**c.as_dict(), "name": ""}, sort_keys=True) for _, c in courts}) < 2:
        # one court, or courts alike (--courts C)
        return [_table(["参数 / parameter", "值 / value"], rows),
                _table(["角色 / role", "人数 / people"], [[r, str(v.count)] for r, v in profile.staff.items()]),
                *_actions_html(profile, [])]
    each = [(name, _input_rows(c, params)) for name, c in courts]
    differ = [j for j in range(len(rows)) if len({r[j][1] for _, r in each}) > 1]
    out = [_table(["参数 / parameter", "值 / value"],
                  [[lab, DIFFERS if j in differ else val] for j, (lab, val) in enumerate(rows)])]
    roles = list(dict.fromkeys(r for _, c in courts for r in c.staff))
    head = ["法院 / court", *(rows[j][0] for j in differ), *(f"{r} / people" for r in roles)]
    state = next((j for j, (lab, _) in enumerate(rows) if lab.startswith("起始状态")), None)

    def cell(j: int, r: list[list[str]], c: CourtProfile) -> Any:
        return _start_state_cell(c) if j == state else r[j][1]

    # the court's name whole on its line (never squeezed by a long cell beside it)
    out.append(_table(head, [[Cell(html.escape(mask(name)), "name"), *(cell(j, r, c) for j in differ),
                              *(str(c.staff[role].count) if role in c.staff else "0" for role in roles)]
                             for (name, r), (_, c) in zip(each, courts, strict=True)]))
    other = [name for name, c in courts[1:] if c.actions != profile.actions]
    out += _actions_html(profile, other, courts[0][0])
    return out


# each staff action in the planner's words (the profile's keys are code): the court's own name and the node(s) it
# serves, as sim/data/court_profile.yaml's comments describe them
ACTION_NAMES: dict[str, str] = {
    "filing": "立案、分案（节点1、2、4）", "identity": "身份验证", "control_start": "启动网络查控（节点3）",
    "review": "审核材料、执行前审查（节点5、6）", "notice": "执行通知、报告财产令（节点7）",
    "inquiry": "网络查控（节点9）", "onsite": "传统查控（节点10）", "analysis": "查控结果分析（节点11）",
    "feedback": "阅看集约查询反馈、决定冻结", "control": "网络冻结（节点17）", "deduct": "划拨（节点31）",
    "receipt": "到账登记（节点32）", "payout_bureau": "案款发放审批：局长（节点33）",
    "payout_vice": "案款发放审批：分管副院长（节点33）", "pay": "案款发放（节点33）", "interview": "终本约谈（节点18）",
    "restrict": "签发限制消费令（节点36）", "close": "报结（结案裁定）", "close_review": "审管办审核报结",
    "upload": "结案后上传、公开（节点43）", "archive": "归档（节点44）", "unfreeze_ask": "申请节点解冻",
    "limit_ask": "申请期限变更（节点42）", "limit_approve": "批准期限变更", "resume_ask": "申请恢复执行",
    "resume_approve": "批准恢复执行", "resume_node": "终本后财产线索审查（节点46）",
    "unfreeze_approve": "审批节点解冻", "registry_query": "不动产、车辆登记查询（节点9）",
    "seal": "查封、扣押（节点17）", "investigate": "调查财产状况（节点19）", "pricing": "询价评估（节点20）",
    "serve_report": "送达参考价报告（节点21）", "notify_parties": "拍卖事项通知当事人（节点24）",
    "list": "拍卖公告、上拍（节点23、25）", "relist": "二拍（节点26）", "in_kind": "以物抵债（节点29）",
    "sale": "变卖（节点28）", "confirm": "成交确认裁定（节点27）", "transfer": "过户（节点30）",
    "hand_over": "交付（节点30）", "price_objection": "参考价异议审查（节点22）",
}
# who does an action: by_authority is the approver the frozen node names
ACTION_ROLES = {"by_authority": "按冻结节点的审批权限（本院领导、中院） by_authority"}


def action_name(code: str) -> str:
    """An action as the planner reads it: its Chinese name before its key (``立案、分案（节点1、2、4） filing``)."""
    zh = ACTION_NAMES.get(code)
    return f"{zh} {code}" if zh else code


def _actions_html(profile: CourtProfile, other: list[str], first: str = "") -> list[str]:
    note = (f"<p class='note'>以下为{html.escape(first)}的设置；{html.escape('、'.join(other))}不同，见其配置文件 / "
            f"{html.escape(first)}'s; {html.escape(', '.join(other))} differ: see their profiles</p>" if other else "")
    return ["<details><summary>每项工作耗时（分钟，三角分布） / staff minutes per action</summary>", note,
            _table(["动作 / action", "角色 / role", "最小 min", "众数 mode", "最大 max"],
                   [[action_name(k), ACTION_ROLES.get(a.role, a.role), *a.minutes]
                    for k, a in profile.actions.items()]),
            "</details>"]


# the KPIs a higher court compares its courts by (the terminal's and the report's courts at a glance), short headers
OVERVIEW = (("filed", "新收 / filed"), ("compliance", "遵守率 / compliance"),
            ("within_limit_share", "审限内结案 / in limit"), ("open_at_end", "期末未结 / open"),
            ("utilisation.承办法官", "利用率 承办法官"), ("utilisation.书记员", "利用率 书记员"),
            ("cases_per_judge_year", "人均年收案 / per judge"))


def _overview_html(courts: dict[str, dict[str, Any]]) -> str:
    """Several courts, a row each with its KPIs' means and intervals, each court's name a link to its section."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ("法院 / court", *(h for _, h in OVERVIEW)))
    rows = "".join(
        f"<tr><td class='name'><a href='#court-{i}'>{html.escape(name)}</a></td>"
        + "".join(f"<td>{html.escape(_ci(data['kpi'][k], k)) if k in data['kpi'] else '–'}</td>" for k, _ in OVERVIEW)
        + "</tr>" for i, (name, data) in enumerate(courts.items()))
    return ("<h2>各院概览 / the courts at a glance（均值 [95% 置信区间]；点法院名看其全部指标 / mean [95% CI]; a "
            f"court's name leads to all its KPIs）</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            "</table>")


def render_html(agg: dict[str, Any], profile: CourtProfile, params: dict[str, Any],
                validation: dict[str, Any] | None = None, curve: dict[str, Any] | None = None,
                invariants: dict[str, Any] | None = None, *,
                courts: Sequence[tuple[str, CourtProfile]] | None = None, title: str | None = None,
                notes: Sequence[str] = (), warnings: Sequence[str] = ()) -> str:
    """``courts``: the courts of a province file (``sim.province``), their inputs side by side; ``title``: the
    province's name (the profile's unless told); ``notes``: how its courts table was read, where not as written;
    ``warnings``: what the figures leave out (``sim.horizon``), at the top."""
    out = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>执行局年度仿真报告 / "
           f"year-scale simulation report</title><style>{CSS}</style></head><body>",
           f"<h1>执行局年度仿真报告 / Year-scale simulation report — {html.escape(title or profile.name)}</h1>",
           "<p class='note'>本报告离线可读，不引用任何外部资源；不含身份证号与账号。 / Self-contained and offline; no "
           "ID or account numbers.</p>"]
    out.append(_calendar_warn(agg.get("calendar")))
    out += [f"<p class='warn'>{html.escape(w)}</p>" for w in warnings]
    if len(agg["courts"]) > 1:  # a province: its courts at a glance first, each name a link to its section
        out.append(_overview_html(agg["courts"]))
    out.append("<h2>输入 / Inputs</h2>")
    out += [f"<p class='note'>{html.escape(n)}</p>" for n in notes]
    out += _inputs_html(profile, params, courts)
    if "province" in agg:  # the courts summed, replication by replication (sim.replicate.province)
        total = agg["province"]
        out.append(f"<h2>{PROVINCE} — {total['courts']} 个法院（{total['replications']} 次重复，"
                   f"均值 [95% 置信区间] / {total['courts']} courts, mean [95% CI]）</h2>")
        out.append("<p class='note'>件数、金额、请求量、加班为各院相加；期限遵守率与结案占比按全省合计计算（各院按期"
                   "完成的期限之和 ÷ 期限之和，结案占比按结案数加权），不是各院比例的平均；利用率、周期与人均收案见各"
                   "法院。 / Counts, money, requests and overtime are the courts' sums; compliance and the closing "
                   "shares are the province's own (all its courts' deadlines met ÷ all their deadlines; the closing "
                   "shares weighted by cases closed), not a mean of the courts' shares; utilisation, cycle times and "
                   "cases per judge are per court.</p>")
        out.append(_table(["指标 / KPI", "均值 [95% CI]"], [[label(k), _ci(total["kpi"][k], k)]
                                                         for k in sorted(shown_kpis(total["kpi"], total["kpi"]),
                                                                         key=_order)]))
        if total.get("agency_kpi"):
            out.append("<h3>全省机构请求量 / agency request volumes, province-wide</h3>")
            out.append("<p class='note'>各法院的请求按日历逐小时相加后取峰值（一家银行全省查控席位须承受的负荷），"
                       "不是各院峰值之和；峰值时段为多数重复中峰值小时所在的时段。 / The courts' requests added "
                       "hour by hour on the calendar, then the peaks taken (what a bank's province-wide 查控 desk must "
                       "handle), not the sum of each court's peaks; “peak at” is the hour of day the peak hour fell "
                       "in, in most replications.</p>")
            head = ["机构 / agency", "总请求 / total", "日均 / per day", "峰值日 / peak day", "峰值小时 / peak hour",
                    "峰值时段 / peak at"]
            rows = [[agency_name(a), _ci(v["total"]), _ci(v["per_day_mean"]), _ci(v["peak_day"]), _ci(v["peak_hour"]),
                     f"{v['peak_hour_of_day']:02d}:00"] for a, v in total["agency_kpi"].items()]  # the busiest first
            out.append(_table(head, rows[:AGENCIES_SHOWN]))
            if len(rows) > AGENCIES_SHOWN:  # a hundred agencies' rows folded (no script: <details>)
                out.append(f"<details><summary>其余 {len(rows) - AGENCIES_SHOWN} 家机构 / the other "
                           f"{len(rows) - AGENCIES_SHOWN} agencies</summary>{_table(head, rows[AGENCIES_SHOWN:])}"
                           "</details>")
    for i, (court, data) in enumerate(agg["courts"].items()):
        runs = data["runs"]
        first = runs[0]
        out.append(f"<h2 id='court-{i}'>关键指标 / KPIs — {html.escape(court)}（{data['replications']} 次重复，"
                   "均值 [95% 置信区间] / mean [95% CI]）</h2>")
        own = dict(courts or ()).get(court, profile)  # the court's warm-up: what its KPIs leave out
        names = run_process(own)  # its nodes and manners by its own process's names
        counted = warmup_note(own.origin, float(params.get("years") or 1), own.warmup_days)
        out.append(f"<p class='note'>{html.escape(counted)}</p>")
        detail = ("compliance.", "cycle_p50_days.", "cycle_p90_days.")
        main = sorted(shown_kpis(data["kpi"], (k for k in data["kpi"] if not k.startswith(detail))), key=_order)
        out.append(_table(["指标 / KPI", "均值 [95% CI]"], [[label(k), _ci(data["kpi"][k], k)] for k in main]))
        out.append(f"<p class='note'>{CI_NOTE}</p>")
        if "sale_days_km_p50" in main:
            pooled = km_pooled_note(data["kpi"]["sale_days_km_p50"]) if "pooled" in data["kpi"]["sale_days_km_p50"] \
                else ""
            out.append(f"<p class='note'>{html.escape(KM_NOTE)}{html.escape(km_counts(first))}"
                       f"{' ' + html.escape(pooled) if pooled else ''}</p>")
        if any(k.startswith("overtime_hours.") for k in main):
            out.append(f"<p class='note'>{OVERTIME_NOTE}</p>")
        out += by_year_html(data.get("by_year") or [])
        nodes = sorted((k for k in data["kpi"] if k.startswith("compliance.node")),
                       key=lambda k: int(k.removeprefix("compliance.node")))
        per_node = first["per_node"]
        out.append("<h3>各节点期限遵守 / compliance per node</h3>")
        out.append(_table(["节点 / node", "遵守率 [95% CI]", "期限数(第1次) / deadlines (rep 1)", "超期 / late",
                           "预警 / warnings", "冻结 / freezes"],
                          [[f"{(n := k.removeprefix('compliance.node'))} {node_name(n, names)}".strip(),
                            _ci(data["kpi"][k], k),
                            per_node.get(n, {}).get("deadlines"), per_node.get(n, {}).get("late"),
                            per_node.get(n, {}).get("warnings"), per_node.get(n, {}).get("frozen")] for k in nodes]))
        out.append("<h3>结案周期 / cycle time by closing manner（第1次重复 / replication 1）</h3>")
        out.append(_table(["结案方式 / manner", "件数 / n", "中位数（天） / p50", "90分位 / p90", "均值 / mean"],
                          [[manner_name(m, names), v["n"], v["p50"], v["p90"], v["mean"]]
                           for m, v in first["cycle"].items()]))
        carried = first.get("carried_over") or {}
        if carried.get("cases"):
            at_start = carried.get("at_start", {})
            out.append("<h3>旧存案件 / carried-over caseload（第1次重复 / replication 1）</h3>")
            out.append("<p class='note'>起始状态中的案件不计入新收案件；其结案周期与审限内、6个月内结案占比按真实"
                       "立案日期计算；仿真开始前已届满的期限单列，不计入期限遵守率，也不计为仿真人员的超期。 / "
                       "Start-state cases are not intake; their cycle times and closing shares count from the real "
                       "filing date; deadlines already due before the run are reported here, not in compliance.</p>")
            out.append(_table(["项目 / item", "件数 / count"], [
                ["旧存案件 / carried over", carried["cases"]],
                ["其中终本库 / of which 终本 register", carried.get("zhongben_register", 0)],
                *[[f"期内结案 {manner_name(m, names)} / closed in the period, {m}", v]
                  for m, v in sorted(carried.get("closed_in_run", {}).items())],
                ["起始时已超期的期限 / deadlines overdue at the start", at_start.get("overdue", 0)],
                ["起始时录入为已完成的事项 / items entered as done", at_start.get("entered_done", 0)],
                ["由此引起的预警 / warnings from them", at_start.get("warnings", 0)],
                ["由此引起的节点冻结 / node freezes from them", at_start.get("node_freezes", 0)],
                ["其中期内解冻审批 / of them, unfreeze approvals in the period", at_start.get("unfreeze_approvals", 0)],
                ["由此引起的督办 / 督办 raised from them", at_start.get("duban_raised", 0)],
            ]))
            by_node = carried.get("overdue_by_node", {})
            if by_node:
                out.append(_table(["节点 / node", "起始时已超期 / overdue at the start"],
                                  [[f"{n} {node_name(n, names)}", v] for n, v in by_node.items()]))
        out.append(_table(["解冻审批人 / unfreeze approver", "次数 / approvals"],
                          [[_approver(k), v] for k, v in sorted(first["unfreeze_by"].items())]))
        s = first["series"]
        origin = _origin(first, own)
        since = f"{origin:%Y-%m-%d}"
        warm_zh, warm_en = ("，预热期后开始", ", from the warm-up's end") if own.warmup_days else ("", "")
        axis = "仿真第几{}（自 {}） / {} of the run (from {})"
        out.append("<h3>积压 / backlog over time（第1次重复 / replication 1）</h3>")
        out.append(f"<p class='note'>横轴为自 {since} 起的天数与周数{warm_zh}；虚线竖线为 1 月 1 日，标注年份 / "
                   f"the axes count days and weeks from {since}{warm_en}; a dotted line marks 1 January, labelled "
                   "with its year.</p>")
        out.append(line_chart({"未结案件 open": (s["day"], s["open"]),
                               "终本库 终本 register": (s["day"], s["zhongben"])},
                              xlabel=axis.format("天", since, "day", since),
                              ylabel="件 / cases", marks=new_years(origin, 1.0)))
        shown = ("承办法官", "书记员", "执行局长", "分管副院长")
        wk = first["weekly_utilisation"]
        w0 = first.get("weekly_from", 0)  # the week of the run the lists start at (after the warm-up)
        week_label = axis.format("周", since, "week", since)
        out.append("<h3>人员利用率（按周） / utilisation by week（第1次重复 / replication 1）</h3>")
        out.append(line_chart({r: (list(range(w0, w0 + len(v))), v) for r, v in wk.items() if r in shown},
                              xlabel=week_label, ylabel="利用率 / utilisation", hline=1.0,
                              marks=new_years(origin, 7.0)))
        demand = first.get("weekly_demand")
        if demand:
            out.append("<h3>每周到达的工作量 ÷ 工作时间 / work arrived each week ÷ working time"
                       "（第1次重复 / replication 1）</h3>")
            out.append("<p class='note'>按工作事项到达（排队）的周计，期末仍在排队、尚未开始的事项也计入；高于 1 "
                       "表示该周到达的工作多于该角色该周的工作时间，积压随之增加 / by the week each work item arrived "
                       "(was queued), items still queued and not begun at the run's end included; above 1, more work "
                       "arrived than the role's working time that week, and its backlog grew.</p>")
            out.append(line_chart({r: (list(range(w0, w0 + len(v))), v) for r, v in demand.items() if r in shown},
                                  xlabel=week_label, ylabel="到达 ÷ 能力 / arrived ÷ capacity", hline=1.0,
                                  marks=new_years(origin, 7.0)))
        out.append("<h3>各人利用率 / utilisation by person（第1次重复 / replication 1）</h3>")
        out.append(_table(["人员 / person", "利用率 / utilisation"],
                          [[p, u] for p, u in first["utilisation"]["person"].items()]))
        out.append("<h3>机构请求量 / agency request volumes（第1次重复）</h3>")
        out.append(f"<p class='note'>{AGENCY_LOAD_NOTE}</p>")
        ag = sorted(first["agencies"].items(), key=lambda kv: -kv[1]["total"])
        out.append(_table(["机构 / agency", "总请求 / total", "日均 / per day", "峰值日 / peak day",
                           "峰值小时 / peak hour", "峰值时段 / peak at"],
                          [[agency_name(a), v["total"], v["per_day_mean"], v["peak_day"], v["peak_hour"],
                            f"{v['peak_hour_of_day']:02d}:00"] for a, v in ag]))
        # calibration
        cpj = data["kpi"].get("cases_per_judge_year", {}).get("mean", math.nan)
        out.append("<h3>校准 / calibration</h3>")
        out.append(_table(["指标 / measure", "本模拟 / simulated", "全国 / national (2024)"], [
            # whole cases a year (621.0 read as a measurement to a tenth), the unit said
            ["每名承办法官年收案（件） / cases per 承办法官 per year", f"{cpj:,.0f}" if cpj == cpj else "–",
             f"{NATIONAL_CASES_PER_JUDGE_2024:,}"],
            ["全国年结案 / concluded nationally", "–", f"{NATIONAL_CONCLUDED_2024:,}（911.82万）"]]))
        out.append("<p class='note'>全国数字见 shared/domain/LAW.md / national figures from LAW.md (volumes).</p>")
    if curve:
        out.append(curve_html(curve))
    if validation:
        out.append(validation_html(validation))
    if invariants is not None:
        bad = invariants.get("violations", [])
        cls = "ok" if not bad else "bad"
        out.append("<h2>规则核查 / rule checks while simulating</h2>")
        out.append(f"<p class='{cls}'>核查案件 {invariants.get('cases', 0)} 件，违规 {len(bad)} 处 / "
                   f"{invariants.get('cases', 0)} cases checked, {len(bad)} violations</p>")
    out.append("</body></html>")
    return "".join(out)


def _origin(run: dict[str, Any], profile: CourtProfile) -> datetime:
    """A run's first simulated instant (China time): its own record, else the profile's."""
    at = run.get("meta", {}).get("origin")
    return to_cst(datetime.fromisoformat(at)) if at else to_cst(profile.origin)


def new_years(origin: datetime, unit_days: float, years: int = 31) -> list[tuple[float, str]]:
    """Each 1 January after ``origin`` on a chart counting from it in units of ``unit_days`` (days: 1, weeks: 7),
    labelled with its year: where a multi-year run's years begin on the axis (the line_chart draws those in range)."""
    out = []
    for y in range(origin.year + 1, origin.year + years + 1):
        at = datetime(y, 1, 1, tzinfo=origin.tzinfo)
        out.append(((at - origin).total_seconds() / 86400 / unit_days, f"{y}年"))
    return out


BY_YEAR_HEAD = (("filed", "新收 filed"), ("closed", "结案 closed"), ("zhongben", "其中终本 终本"),
                ("resumptions", "终本恢复 resumed"), ("sweeps", "统查 sweeps"), ("compliance", "遵守率 compliance"),
                ("open_at_end", "年末未结 open"), ("register_at_end", "年末终本库 register"))
# the terminal's narrower headers: the title says they are at the year's end
BY_YEAR_SHORT = {"open_at_end": "未结 open", "register_at_end": "终本库 register"}


def year_span(row: dict[str, Any]) -> str:
    """A year of the run as a planner reads it: 第2年 2027-12-07 – 2028-12-07, and the days counted where the warm-up
    (or the run's end) cuts it short."""
    span = f"第{row['year']}年 {row['from']} – {row['to']}"
    days = row.get("days", 0)
    full = (datetime.fromisoformat(row["to"]) - datetime.fromisoformat(row["from"])).days
    return span + (f"（计 {days:.0f} 天 / {days:.0f} days counted）" if days < full - 1 else "")


def by_year_html(years: Sequence[dict[str, Any]]) -> list[str]:
    """The run's years side by side (``sim.replicate.by_year``), for a run of more than one year: what changes year
    on year — the 终本 register grows, and with it its sweeps and the resumptions they find."""
    if len(years) < 2:
        return []
    return ["<h3>逐年 / year by year（均值 [95% 置信区间] / mean [95% CI]）</h3>",
            "<p class='note'>按仿真年（自起始时刻起每满一年）计，与上表同样不计预热期；年末未结与终本库取该年最后一天的"
            "数；终本恢复为终本案件恢复执行的次数（新收中的恢复案件计入新收）。终本库逐年增长，其每 6 个月一次的"
            "统查与由此恢复执行的案件随之增加。 / By year of the run (from the "
            "first simulated instant, a year at a time), counted as above (the warm-up left out); open cases and the "
            "register at the year's last day; resumed counts 终本 cases resumed (the intake's 恢复 cases are in "
            "filed). The 终本 register grows year on year, and with it its 6-monthly "
            "sweeps and the resumptions they find.</p>",
            _table(["年 / year", *(h for _, h in BY_YEAR_HEAD)],
                   [[year_span(row), *(_ci(row[k], k) for k, _ in BY_YEAR_HEAD)] for row in years])]


def _curve_process(searches: Sequence[tuple[Sequence[str], CourtProfile, dict[str, Any]]]) -> str:
    """Which process each level ran (the bundled one or the court's file, and each ``process:`` override), on the
    staffing page as on the simulation's report: a staffing answer for a court that charges the 执行申请费 or runs
    its own file never reads as the bundled court's (the page said nothing of it)."""
    said = [(names, process_note(court)) for names, court, _ in searches]
    if len({note for _, note in said}) == 1:
        return f"<p class='note'>{html.escape(said[0][1])}</p>"
    return "<p class='note'>" + "<br>".join(html.escape(f"{'、'.join(names)}：{note}") for names, note in said) + "</p>"


def curve_page(curve: dict[str, Any], profile: CourtProfile) -> str:
    """The staffing search as a self-contained page (`zhixing plan staffing --out`)."""
    return province_curve_page(profile.name, [([profile.name], profile, curve)])


def province_curve_page(title: str, searches: Sequence[tuple[Sequence[str], CourtProfile, dict[str, Any]]]) -> str:
    """Staffing searches as one self-contained page: one court's, or a province's court by court (``searches``: the
    courts each search answers for, their profile and the search), the province's summary first: each court's staff
    now and the staff meeting the target."""
    from sim.replicate import calendar_used
    from sim.sequential import note as sequential_note  # here: scipy is loaded only for a search's page

    _, profile, curve = searches[0]
    judged = sequential_note(curve.get("replications", 0), curve.get("most", 0), curve.get("kpis", ()))
    since = profile.origin.strftime("%Y-%m-%d %H:%M")
    note = (f"自 {since} 起，{curve.get('replications')} 次重复，种子 {curve.get('seed')}，"
            f"每级 {curve.get('years')} 年，各级人数使用共同随机数 / from {since}; replications, seed, years per "
            "level; common random numbers across levels")
    body = [f"<h1>人员测算 / Staffing search — {html.escape(title)}</h1>", f"<p class='note'>{note}</p>",
            _curve_process(searches), _calendar_warn(calendar_used([s for _, _, s in searches]))]
    if len(searches) == 1:
        body.append(curve_html(curve))
    else:
        roles = list(curve["roles"]) if "roles" in curve else [curve["role"]]
        rows = []
        for names, court, search in searches:
            answer = search.get("answer")
            got = answer if isinstance(answer, dict) else {roles[0]: answer}
            cells = [c for r in roles for c in (str(court.staff[r].count) if r in court.staff else "0",
                                                "–" if got.get(r) is None else str(got[r]))]
            rows += [[name, *cells] for name in names]
        body.append("<h2>各院现有与满足目标所需的人数 / staff now and meeting the target, court by court</h2>")
        body.append(f"<p>目标 / target: <b>{html.escape(curve['target'])}</b>（“–”：上限内未达到 / not met within "
                    "the maximum）</p>")
        body.append(_table(["法院 / court", *(f"{r} {w}" for r in roles for w in ("现有 / now", "所需 / needed"))],
                           rows))
        for names, _, search in searches:
            body.append(f"<h2>{html.escape('、'.join(names))}</h2>" + curve_html(search))
    if judged:
        body.append(f"<p class='note'>{html.escape(judged)}</p>")
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>人员测算 / staffing search"
            f"</title><style>{CSS}</style></head><body>" + "".join(body) + "</body></html>")


def _calendar_warn(calendar: dict[str, Any] | None) -> str:
    note = calendar_note(calendar)
    return f"<p class='warn'>⚠ {html.escape(note)}</p>" if note else ""


def met_text(point: dict[str, Any], *, several: bool = True) -> str:
    """✓ or ✗ for a level; ✗ names the targets it missed (when there are several to tell apart); with sequential
    replications, how many the level took."""
    runs = f" n={point['replications']}" if point.get("looks", 1) > 1 else ""
    if point.get("met"):
        return "✓" + runs
    missed = point.get("missed") or []
    return "✗" + runs + (f" {', '.join(missed)}" if several and missed else "")


def step_text(point: dict[str, Any]) -> str:
    """Where a staffing of the joint search stands on its path, or that it was only tried."""
    step = point.get("step")
    return f"第 {step} 步 / step {step}" if step else "试算 / tried"


def write_curve_csv(path: Path, search: dict[str, Any]) -> None:
    """A staffing or intake search as a table a spreadsheet opens: one row per level run (its staff per role, or its
    intake), each KPI shown as mean, low and high of the 95% interval, whether the target was met and what it missed."""
    head, rows = _curve_rows(search)
    with path.open("w", newline="", encoding=CSV_ENCODING) as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)


def write_curves_csv(path: Path, searches: Sequence[tuple[Sequence[str], dict[str, Any]]]) -> None:
    """A province's searches (``zhixing plan staffing`` of a province file) in one table: ``write_curve_csv``'s
    columns after the court's; courts searched together (alike) each get the rows."""
    with path.open("w", newline="", encoding=CSV_ENCODING) as f:
        w = csv.writer(f)
        said: list[str] | None = None
        for names, search in searches:
            head, rows = _curve_rows(search)
            if said is None:
                said = head
                w.writerow(["court", *head])
            elif head != said:  # the same search for every court: the same columns
                raise ValueError(f"columns differ: {head} vs {said}")
            w.writerows([name, *row] for name in names for row in rows)


def _curve_rows(search: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    points = search["points"]
    keys = search.get("show") or search.get("kpis") or []
    if "roles" in search:
        levels, level = list(search["roles"]), (lambda p: [p["staff"][r] for r in search["roles"]])
    elif "role" in search:
        levels, level = [search["role"]], (lambda p: [p["staff"]])
    else:
        levels, level = ["intake"], (lambda p: [round(p["intake"])])
    head = [*levels, *(f"{k}_{part}" for k in keys for part in ("mean", "low", "high")), "met", "missed",
            "replications"]
    rows = []
    for p in points:
        cells = [p["kpi"].get(k, {}).get(part, "") for k in keys for part in ("mean", "low", "high")]
        rows.append([*level(p), *cells, int(bool(p["met"])), "; ".join(p.get("missed") or []),
                     p.get("replications", "")])
    return head, rows


def _said_html(search: dict[str, Any], key: str) -> list[str]:
    """A line the terminal said about the search, as a note on its page: ``assumed`` (what it held fixed,
    ``zhixing.cmd_plan.assumed``) or ``bound_note`` (why a level whose mean meets the target is ✗,
    ``zhixing.cmd_plan.bound_note``)."""
    said = search.get(key)
    return [f"<p class='note'>{html.escape(said)}</p>"] if said else []


def joint_html(search: dict[str, Any]) -> str:
    """Several roles sized together (``sim.planner_joint``): every staffing evaluated, in the order run, the search's
    path marked, and the answer."""
    roles = search["roles"]
    answer = search.get("answer")
    said = "、".join(f"{r} {n}" for r, n in answer.items()) if answer else "未达到 / not met"
    parts = [f"<h2>多角色人员测算 / staffing several roles — {html.escape('、'.join(roles))}</h2>",
             f"<p>目标 / target: <b>{html.escape(search['target'])}</b>；同时满足目标的人员 / staffing meeting it: "
             f"<b>{html.escape(said)}</b>（以95%置信界判断；边际分配：每步给最能缩小差距的角色加一人，达标后逐一"
             "尝试减人 / judged on the 95% bound; marginal allocation: each step adds a person where it helps most, "
             "then tries removing one at a time）</p>"]
    parts += _said_html(search, "assumed")
    keys = search["show"]
    head = [f"{r} 人数 / staff" for r in roles] + [label(k) for k in keys] + ["路径 / path", "达标 / met"]
    rows = []
    for p in search["points"]:
        rows.append([*(p["staff"][r] for r in roles), *[_ci(p["kpi"][k], k) if k in p["kpi"] else "–" for k in keys],
                     step_text(p), met_text(p)])
    parts.append(_table(head, rows))
    parts += _said_html(search, "bound_note")
    return "".join(parts)


def curve_html(curve: dict[str, Any]) -> str:
    if "roles" in curve:
        return joint_html(curve)
    role = curve["role"]
    parts = [f"<h2>服务水平曲线 / service-level curve — {html.escape(role)}</h2>",
             f"<p>目标 / target: <b>{html.escape(curve['target'])}</b>；"
             "满足目标的最少人数 / smallest staff meeting it: "
             f"<b>{'≤ ' if curve.get('at_low') else ''}{curve.get('answer', '–')}</b>"
             f"（以95%置信下限判断 / judged on the 95% CI's bound"
             f"{'；更少人数未测（--min） / fewer not run (--min)' if curve.get('at_low') else ''}）</p>"]
    parts += _said_html(curve, "assumed")
    parts += [f"<p class='warn'>{html.escape(w)}</p>" for w in curve.get("warnings", ())]
    for other, used in curve.get("busy", {}).items():
        parts.append(f"<p class='warn'>此时{html.escape(other)}利用率 {used:.3f}，已近饱和：可能才是瓶颈，宜一起测算 / "
                     f"the {html.escape(other)} are {used:.3f} utilised at this level, near saturation: they may be "
                     f"what limits the court — size both roles together</p>")
    pts = curve["points"]
    keys = curve.get("show", ["compliance", f"utilisation.{role}", "within_limit_share"])
    parts.append(line_chart({label(k): ([p["staff"] for p in pts], [p["kpi"][k]["mean"] for p in pts]) for k in keys
                             if all(k in p["kpi"] for p in pts)}, xlabel=f"{role} 人数 / staff", ylabel="KPI",
                            hline=curve.get("threshold")))
    head = [f"{role} 人数 / staff"] + [label(k) for k in keys] + ["达标 / met"]
    parts.append(_table(head, [[p["staff"]] + [_ci(p["kpi"][k], k) if k in p["kpi"] else "–" for k in keys]
                               + [met_text(p)] for p in pts]))
    parts += _said_html(curve, "bound_note")
    return "".join(parts)


# the validation in a planner's words: what it checks and that planning needs none of it
VALIDATION_NOTE = ("本节供技术人员核对仿真本身是否可靠，规划人员可略过：把人员排队机制单独按排队论的标准模型运行"
                   "（M/M/c：c 名人员、每小时平均到达 λ 件、每人每小时平均办结 μ 件），与理论公式（Erlang C）比较"
                   "“须排队等候的概率”P(等待)与“平均等候时间”Wq（小时）；模拟值的区间包含理论值即为一致（✓）。 / "
                   "For the technically minded, to check the simulation itself; a planner may skip it: the staff "
                   "queue run alone as queueing theory's standard model (M/M/c: c people, λ items arriving an hour, "
                   "each person finishing μ an hour) and compared with the formula (Erlang C) for the chance an item "
                   "waits, P(wait), and its mean wait Wq (hours); ✓ where the simulated interval holds the theory.")


def validation_html(v: dict[str, Any]) -> str:
    rows = []
    for r in v.get("mmc", []):
        rows.append([f"M/M/{r['c']} λ={r['lambda']} μ={r['mu']}", r["theory_p_wait"],
                     f"{fmt(r['p_wait'][0])} [{fmt(r['p_wait'][1])}, {fmt(r['p_wait'][2])}]", r["theory_wq"],
                     f"{fmt(r['wq'][0])} [{fmt(r['wq'][1])}, {fmt(r['wq'][2])}]",
                     "✓" if r["p_wait_ok"] and r["wq_ok"] else "✗"])
    parts = ["<h2>验证 / validation</h2>",
             f"<p class='note'>{VALIDATION_NOTE}</p>",
             "<p>人员排队机制按普通 M/M/c 运行，与 Erlang C 公式比较 / the staff queue run as a plain M/M/c queue vs "
             "Erlang C:</p>",
             _table(["模型 / model", "P(等待) 理论 / theory", "P(等待) 模拟 [95% CI]", "Wq 理论（时） / theory (h)",
                     "Wq 模拟（时） [95% CI] / simulated (h)", "一致 / agrees"], rows)]
    lt = v.get("little")
    if lt:
        parts.append("<p>利特尔法则（法院模型自身输出） / Little's law on the court model's own output: "
                     f"L = {fmt(lt['L'])} 件，λ = {fmt(lt['lambda_per_day'])} 件/天，W = {fmt(lt['W_days'])} 天，"
                     f"λW = {fmt(lt['lambda_W'])} 件，λW/L = {lt['ratio']:.3f}</p>")
        parts.append("<p class='note'>L：平均在办（未结）案件数；λ：每天新收案件数；W：案件平均在办天数。三者应满足 "
                     "L = λW（比值接近 1） / L: cases open on average; λ: cases filed a day; W: the days a case is "
                     "open on average; they must satisfy L = λW (a ratio near 1).</p>")
    return "".join(parts)


def write_outputs(out_dir: Path, agg: dict[str, Any], profile: CourtProfile, params: dict[str, Any],
                  validation: dict[str, Any] | None = None, curve: dict[str, Any] | None = None,
                  invariants: dict[str, Any] | None = None, *,
                  courts: Sequence[tuple[str, CourtProfile]] | None = None, title: str | None = None,
                  notes: Sequence[str] = (), warnings: Sequence[str] = ()) -> dict[str, Path]:
    """The report, ``kpis.json`` and the tables; ``courts``, ``title``, ``notes`` and ``warnings`` as
    ``render_html``'s (the warnings also in ``kpis.json``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": out_dir / "report.html", "json": out_dir / "kpis.json", "cases": out_dir / "cases.csv",
             "nodes": out_dir / "nodes.csv", "agencies": out_dir / "agencies.csv"}
    paths["html"].write_text(render_html(agg, profile, params, validation, curve, invariants,
                                         courts=courts, title=title, notes=notes, warnings=warnings),
                             encoding="utf-8")
    summary = {"params": params, "profile": title or profile.name,
               "courts": {c: {"kpi": d["kpi"], "replications": d["replications"],
                              **({"by_year": d["by_year"]} if d.get("by_year") else {})}
                          for c, d in agg["courts"].items()},
               **({"province": agg["province"]} if "province" in agg else {}),
               "calendar": {**agg.get("calendar", {}), "note": calendar_note(agg.get("calendar"))},
               "validation": validation, "curve": curve, "invariants": invariants, "warnings": list(warnings)}
    paths["json"].write_text(json.dumps(finite(summary), ensure_ascii=False, indent=2, default=str, allow_nan=False),
                             encoding="utf-8")
    with paths["cases"].open("w", newline="", encoding=CSV_ENCODING) as f:
        w = None
        # the columns of every run's rows (a court charging the 执行申请费 has its fee columns; a province's other
        # courts leave them empty), in the order first seen
        columns = list(dict.fromkeys(k for d in agg["courts"].values() for run in d["runs"]
                                     for k in (_named(run["cases"][0]) if run.get("cases") else {})))
        for court, d in agg["courts"].items():
            names = run_process(dict(courts or ()).get(court, profile))
            for run in d["runs"]:
                for row in run.get("cases", []):
                    row = {"court": court, "replication": run["meta"]["replication"], **_named(row, names)}
                    if w is None:
                        w = csv.DictWriter(f, fieldnames=["court", "replication", *columns], restval="")
                        w.writeheader()
                    w.writerow({k: mask(str(v)) for k, v in row.items()})
    with paths["nodes"].open("w", newline="", encoding=CSV_ENCODING) as f:
        w2 = csv.writer(f)
        w2.writerow(["court", "replication", "node", "node_name", "deadlines", "late", "compliance", "warnings",
                     "frozen"])
        for court, d in agg["courts"].items():
            names = run_process(dict(courts or ()).get(court, profile))
            for run in d["runs"]:
                for node, v in run["per_node"].items():
                    w2.writerow([court, run["meta"]["replication"], node, node_name(node, names), v["deadlines"],
                                 v["late"],
                                 v["compliance"], v["warnings"], v["frozen"]])
    with paths["agencies"].open("w", newline="", encoding=CSV_ENCODING) as f:
        w3 = csv.writer(f)
        w3.writerow(["court", "replication", "agency", "agency_name", "total", "per_day_mean", "peak_day", "peak_hour",
                     "peak_hour_of_day"])
        rows = [(court, run["meta"]["replication"], run["agencies"])
                for court, d in agg["courts"].items() for run in d["runs"]]
        # an agency's province-wide load: the courts' requests added hour by hour (sim.replicate.province_agencies)
        rows += [(PROVINCE, rep, load) for rep, load in agg.get("province", {}).get("agencies", {}).items()]
        for court, rep, load in rows:
            for a, v in load.items():
                w3.writerow([court, rep, a, agency_title(a) or a, v["total"], v["per_day_mean"],
                             v["peak_day"], v["peak_hour"], v["peak_hour_of_day"]])
    # each agency's busiest days hour by hour, for a load test replaying one (loadtests/sim_rate.py --rate-file-out):
    # per replication, the province's courts added hour by hour (one court: its own), its peak day (most requests)
    # and the day of its peak hour, 24 rows each (the whole hourly series would be millions of rows for a province)
    paths["agency_days"] = out_dir / "agency_peak_days.csv"
    with paths["agency_days"].open("w", newline="", encoding=CSV_ENCODING) as f:
        w4 = csv.writer(f)
        w4.writerow(["court", "replication", "agency", "agency_name", "kind", "date", "hour", "requests"])
        scopes: dict[tuple[str, Any], dict[str, dict[int, int]]] = {}
        for court, d in agg["courts"].items():
            for run in d["runs"]:
                acc = scopes.setdefault((PROVINCE if "province" in agg else court, run["meta"]["replication"]), {})
                for a, series in run.get("agency_hours", {}).items():
                    for h, n in series.items():
                        acc.setdefault(a, {})[h] = acc.get(a, {}).get(h, 0) + n
        for (court, rep), hours in scopes.items():
            for a, series in sorted(hours.items()):
                days: dict[int, int] = {}
                for h, n in series.items():
                    days[h // 24] = days.get(h // 24, 0) + n
                peak_day = max(days, key=lambda day: (days[day], -day))  # the earliest of equal peaks
                peak_hour = max(series, key=lambda h: (series[h], -h))
                for kind, day in (("peak_day", peak_day), ("peak_hour_day", peak_hour // 24)):
                    when = datetime.fromordinal(day).date().isoformat()
                    w4.writerows([court, rep, a, agency_title(a) or a, kind, when, hour, series.get(day * 24 + hour, 0)]
                                 for hour in range(24))
    return paths
