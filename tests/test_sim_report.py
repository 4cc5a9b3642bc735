"""The planner's report: self-contained HTML (no network), Chinese first, masked numbers, renders in headless
Chromium; KPIs as JSON and tables as CSV."""

from __future__ import annotations

import csv
import json
import re
import subprocess

import pytest

from sim.replicate import aggregate, make_units, run_units
from sim.report import line_chart, mask, nice_ticks, render_html, write_outputs
from sim.validate import mmc
from tests.sim_support import chromium, rendered_dom, small_court


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    profile = small_court(250, judges=1, clerks=1)
    results = run_units(make_units([(profile.name, profile)], years=0.25, replications=2, seed=6), backend="serial")
    validation = {"mmc": [mmc(4, 1, 5, hours=200, replications=3).as_dict()], "little": None}
    out = tmp_path_factory.mktemp("report")
    paths = write_outputs(out, aggregate(results), profile, {"years": 0.25, "replications": 2, "seed": 6,
                                                            "backend": "serial"}, validation)
    return paths


def test_html_is_self_contained_and_chinese_first(outputs):
    text = outputs["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "no external resources"
    assert "<script src" not in text and "@import" not in text
    for heading in ("输入 / Inputs", "关键指标 / KPIs", "积压 / backlog", "人员利用率", "机构请求量",
                    "每周到达的工作量 ÷ 工作时间", "验证 / validation", "校准 / calibration"):
        assert heading in text
    assert text.count("<svg") >= 3  # backlog, utilisation and work arrived by week
    assert "928" in text  # the national cases per judge, beside the simulated figure
    assert "经总对总分发的" in text and "forwards" in text  # what an agency's request count is said beside its table
    assert "旧存案件" not in text and "起始时已超期" not in text  # no start state: no carried-over rows or section


def test_unfreeze_approvers_are_named_in_chinese_first():
    from sim.report import _approver

    assert _approver("bureau_head") == "执行局长 bureau_head"
    assert _approver("intermediate_court (层报)") == "中院 intermediate_court (层报)"


def test_no_identity_or_account_number_reaches_the_outputs(outputs):
    for path in outputs.values():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\d.])\d{17}[\dX](?![\d])", text), path  # 18-digit ID numbers
        assert not re.search(r"(?<![\w.])[0-9A-Z]{28}(?!\w)", text), path  # account numbers
    assert mask("110101199003074514") == "110101********4514"  # the project's one rule: region kept, person not


def test_json_and_csv_tables(outputs):
    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    kpi = next(iter(data["courts"].values()))["kpi"]
    assert {"mean", "low", "high", "n"} <= set(kpi["compliance"])
    rows = list(csv.DictReader(outputs["cases"].open(encoding="utf-8-sig")))
    assert rows and {"case", "type", "handler", "filed", "manner", "amount_yuan"} <= set(rows[0])
    assert {r["replication"] for r in rows} == {"0", "1"}
    names = {"first": "首执", "resumed": "恢复", "preservation": "保全"}
    assert all(r["type_name"] == names[r["type"]] for r in rows)  # the Chinese beside the code
    from core_flow.process_loader import default_process

    process = default_process()
    assert all(r["manner_name"] == ("保全完毕" if (r["type"], r["manner"]) == ("preservation", "completed")
                                    else process.manner(r["manner"]).name if r["manner"] else "") for r in rows)
    # a 保全 case closes by a preservation manner (sim.preservation), not 执行完毕
    assert {r["manner"] for r in rows if r["type"] == "preservation" and r["manner"]} <= {
        "preservation_done", "preservation_partial", "preservation_none"}
    nodes = list(csv.DictReader(outputs["nodes"].open(encoding="utf-8-sig")))
    assert any(r["node"] == "3" for r in nodes)
    # names beside the numbers and codes, as a planner reads them in a spreadsheet
    assert {r["node_name"] for r in nodes if r["node"] == "1"} == {"接收申请材料"}
    agencies = list(csv.DictReader(outputs["agencies"].open(encoding="utf-8-sig")))
    assert {r["agency_name"] for r in agencies if r["agency"] == "icbc"} == {"工商银行"}
    assert "工商银行 icbc" in outputs["html"].read_text(encoding="utf-8")


def test_the_tables_open_in_a_chinese_excel(outputs):
    """Excel and WPS on a Chinese Windows read a CSV as GBK unless it starts with UTF-8's byte-order mark: every
    table carries it, so 测试法院 reads as written, not as GBK mojibake."""
    for name in ("cases", "nodes", "agencies"):
        raw = outputs[name].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert raw.count(b"\xef\xbb\xbf") == 1, name  # once, at the start: not a mark per court or per row
    rows = list(csv.DictReader(outputs["cases"].read_bytes()[3:].decode("utf-8").splitlines()))
    assert rows[0]["court"] == "测试法院"  # the first column's name clean of the mark, its Chinese cells intact


def test_line_chart_is_inline_svg():
    svg = line_chart({"a": ([0, 1, 2], [1, 3, 2])}, xlabel="x", ylabel="y")
    assert svg.startswith("<svg") and "polyline" in svg
    assert "无数据" in line_chart({"a": ([], [])}, xlabel="x", ylabel="y")


def test_chart_ticks_are_round_and_staff_levels_whole():
    """A staff axis read 4.0, 4.8, 5.5 (a fifth of the range each) and a share axis 0.997 at the top."""
    svg = line_chart({"a": ([4, 5, 6, 7], [0.5, 0.6, 0.8, 0.9])}, xlabel="staff", ylabel="KPI", hline=0.95)
    labels = re.findall(r'text-anchor="(?:middle|end)">([^<]+)</text>', svg)
    assert {"4", "5", "6", "7"} <= set(labels) and not any("." in t and t.startswith(("4", "5", "6")) for t in labels)
    assert {"0", "0.25", "0.5", "0.75", "1"} <= set(labels)
    assert nice_ticks(0, 364, integer=True) == [0, 100, 200, 300, 400]
    assert nice_ticks(0, 1735) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(1, 30, integer=True) == [0, 10, 20, 30]


def test_chart_legend_is_never_cut(tmp_path):
    """Long KPI labels (the service-level curve's) once ran past the SVG's right edge, cut mid-word. Rendered in
    Chromium: every legend text lies inside the SVG, and entries do not overlap."""
    names = ["期限遵守率 / compliance", "人员利用率 承办法官 / utilisation.承办法官",
             "六个月内结案比例 / closed within the 6-month limit", "人员利用率 书记员 / utilisation.书记员"]
    svg = line_chart({n: ([0, 1, 2], [0.5 + i / 10, 0.6, 0.7]) for i, n in enumerate(names)}, xlabel="x", ylabel="y")
    page = tmp_path / "chart.html"
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'></head><body>{svg}<pre id='out'></pre><script>"
        "const svg=document.querySelector('svg'), W=svg.width.baseVal.value, H=svg.height.baseVal.value;"
        "const boxes=[...svg.querySelectorAll('text')].slice(-4).map(t=>t.getBBox());"
        "const inside=boxes.every(b=>b.x>=0&&b.x+b.width<=W&&b.y>=0&&b.y+b.height<=H);"
        "const apart=boxes.every((a,i)=>boxes.every((b,j)=>i>=j||a.x+a.width<=b.x||b.x+b.width<=a.x"
        "||a.y+a.height<=b.y||b.y+b.height<=a.y));"
        "document.getElementById('out').textContent='inside='+inside+' apart='+apart;</script></body></html>",
        encoding="utf-8")
    dom = rendered_dom(page, tmp_path)
    assert "inside=true apart=true" in dom, dom[-400:]


def test_report_renders_in_headless_chromium(outputs, tmp_path):
    dom = rendered_dom(outputs["html"], tmp_path)
    assert "关键指标 / KPIs" in dom and "<svg" in dom
    browser = chromium()
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={shot}", "--window-size=1200,2000",
                    outputs["html"].as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000


def test_render_html_without_optional_sections():
    profile = small_court()
    results = run_units(make_units([("c", profile)], years=0.05, replications=1, seed=1), backend="serial")
    text = render_html(aggregate(results), profile, {"years": 0.05})
    assert "验证 / validation" not in text and "</html>" in text
    # the planner sees the order the staff work in (it changes every deadline figure)
    assert "deadline first, work without one due 10 days after it came" in text
    fifo = profile.model_copy(update={"queue": "fifo"})
    assert "first come, first served" in render_html(aggregate(results), fifo, {"years": 0.05})
    # when the simulated period starts, and from what caseload (a run from today's register reads differently)
    assert "2025-01-02 08:30" in text and "none: from an empty court" in text
    carried = profile.model_copy(update={"start_state": "/courts/today.csv"})
    assert "<td>today.csv</td>" in render_html(aggregate(results), carried, {"years": 0.05})


def test_a_preservation_case_closes_as_baoquan_wanbi_in_the_case_table():
    from sim.report import _named

    assert _named({"type": "preservation", "manner": "completed"})["manner_name"] == "保全完毕"
    assert _named({"type": "first", "manner": "completed"})["manner_name"] == "执行完毕"
    assert _named({"manner": "zhongben", "type": "first"})["manner_name"] == "终本"
