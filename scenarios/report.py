"""Reports of a scenario run: JUnit XML (for CI) and one self-contained HTML page (no external assets)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from core_flow.masking import mask_text
from core_flow.xml_text import xml_safe_tree
from scenarios.describe import STATUS, checked, expected_actual
from scenarios.runner import ScenarioResult, StepResult


def step_rows(r: ScenarioResult) -> list[tuple[StepResult, str, str, str]]:
    """(result, what was checked or done, expected, actual) of every step of a run, skipped ones included."""
    rows = []
    for s in r.steps:
        step = r.scenario.steps[s.index] if 0 <= s.index < len(r.scenario.steps) else None
        if step is None:  # filing on its own (no file step): it failed
            rows.append((s, "动作 act 立案 file `file`", s.expected, s.actual))
            continue
        expected, actual = expected_actual(step, s)
        rows.append((s, checked(step), expected, actual))
    return rows


def console_steps(r: ScenarioResult) -> list[str]:
    """One line per step for the console: status, line, time, what was checked, expected → actual."""
    marks = {"passed": "✔", "failed": "✘", "error": "✘", "skipped": "·"}
    out = []
    for s, what, expected, actual in step_rows(r):
        line = f"{marks.get(s.status, '?')} {STATUS.get(s.status, s.status)}  :{s.line}  {s.at:%Y-%m-%d %H:%M}  {what}"
        if s.status != "skipped":
            line += f"  — 期望 expected: {expected}；实际 actual: {actual}"
        out.append(line)
    return out


def calendar_properties(r: ScenarioResult) -> list[tuple[str, str]]:
    """JUnit properties of a run whose deadlines depended on a provisional calendar year (else none)."""
    if not r.provisional_years:
        return []
    return [("calendar_provisional", ",".join(map(str, r.provisional_years))),
            ("calendar_warning", r.provisional_note())]


def scenario_properties(r: ScenarioResult) -> list[tuple[str, str]]:
    """JUnit properties every scenario carries: its file and line (kept in xunit2 too), tags, failed step's line."""
    props = [("scenario_file", r.scenario.file), ("scenario_line", str(r.scenario.line))]
    if r.scenario.tags:
        props.append(("tags", ",".join(r.scenario.tags)))
    f = r.failure
    if f is not None:
        props.append(("failed_step", f"{r.scenario.file}:{f.line}"))
    return props


def _error_message(error: str) -> str:
    """The JUnit ``error`` message of a scenario that did not run to a verdict: what stopped it — the setup's
    located mistake, Ctrl-C, or the exception a traceback ends with — not 'scenario raised an exception' for all."""
    lines = error.strip().splitlines() or ["?"]
    if lines[0].startswith("Traceback"):
        return f"场景运行异常 / the scenario raised: {lines[-1]}"
    return lines[0]


def junit_xml(results: Sequence[ScenarioResult], suite: str = "zhixing-scenarios") -> str:
    failures = sum(1 for r in results if r.failed and not r.error)
    errors = sum(1 for r in results if r.error)
    skipped = sum(1 for r in results if r.skipped)
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(failures), errors=str(errors),
                      skipped=str(skipped), time=f"{sum(r.seconds for r in results):.3f}")
    by_file: dict[str, list[ScenarioResult]] = {}
    for r in results:
        by_file.setdefault(r.scenario.file, []).append(r)
    for file, group in by_file.items():
        ts = ET.SubElement(root, "testsuite", name=file, tests=str(len(group)),
                           failures=str(sum(1 for r in group if r.failed and not r.error)),
                           errors=str(sum(1 for r in group if r.error)),
                           skipped=str(sum(1 for r in group if r.skipped)), time=f"{sum(r.seconds for r in group):.3f}")
        for r in group:
            tc = ET.SubElement(ts, "testcase", classname=Path(file).stem.replace(".scenario", ""), name=r.scenario.name,
                               file=file, line=str(r.scenario.line), time=f"{r.seconds:.3f}")
            props = ET.SubElement(tc, "properties")
            for name, value in [*scenario_properties(r), *calendar_properties(r)]:
                ET.SubElement(props, "property", name=name, value=value)
            if r.skipped:
                ET.SubElement(tc, "skipped", message=r.skipped)
            elif r.error:
                ET.SubElement(tc, "error", message=_error_message(r.error)).text = r.explain()
            elif not r.passed:
                f = r.failure
                msg = f"{file}:{f.line} {f.key}: expected {f.expected}; actual {f.actual}" if f else "failed"
                ET.SubElement(tc, "failure", message=msg).text = r.explain()
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(xml_safe_tree(root), encoding="unicode")


_CSS = """body{font:14px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}.pass{color:#17693b}.fail{color:#b3261e}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
details{margin:.6em 0;border:1px solid #ddd;border-radius:6px;padding:.4em .8em}summary{cursor:pointer}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:12px}.skipped{color:#888}
.warn{color:#8a5a00;background:#fff6e0;padding:.2em .5em;border-radius:4px}
.tag{font-size:12px;background:#eef3fb;color:#1f4e8c;border-radius:3px;padding:0 .4em;margin-left:.2em}"""


def html_report(results: Sequence[ScenarioResult], title: str = "zhixing 场景报告 / scenario report",
                exchanges: bool = False) -> str:
    """One self-contained page: per scenario its tags, and per step what was checked, expected and actual; the
    case's timeline; the 查控 exchanges with ``exchanges``. ID and account numbers are masked."""
    e = html.escape
    passed = sum(1 for r in results if r.passed)
    skipped = sum(1 for r in results if r.skipped)
    tags = sorted({t for r in results for t in r.scenario.tags})
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>",
             f"<p>共 {len(results)} 个场景 / scenarios: <span class='pass'>{passed} 通过 passed</span>, "
             f"<span class='fail'>{len(results) - passed - skipped} 失败 failed</span>"
             + (f", <span class='skipped'>{skipped} 跳过 skipped</span>" if skipped else "") + "; "
             f"{sum(r.seconds for r in results):.2f} s</p>"]
    if tags:
        parts.append("<p>标签 tags: " + " ".join(f"<span class='tag'>{e(t)}</span>" for t in tags) + "</p>")
    flagged = sum(1 for r in results if r.provisional_years)
    if flagged:
        parts.append(f"<p class='warn'>⚠ {flagged} 个场景的期限依赖暂定日历 / scenarios with deadlines on a "
                     "provisional calendar year (无国务院节假日通知，调休未知 / no State Council notice, make-up days "
                     "unknown)</p>")
    for r in results:
        sc = r.scenario
        cls, word = (("skipped", "⏭ 跳过 skipped") if r.skipped else ("pass", "✔ 通过 passed") if r.passed
                     else ("fail", "✘ 失败 failed"))
        warn = " <span class='warn'>⚠ 暂定 provisional</span>" if r.provisional_years else ""
        chips = "".join(f" <span class='tag'>{e(t)}</span>" for t in sc.tags)
        parts.append(f"<details{' open' if r.failed else ''}><summary><b class='{cls}'>{word}</b> {e(sc.name)}{chips}"
                     f"{warn} <small>{e(sc.where)} · {r.seconds:.2f} s</small></summary>")
        if r.provisional_years:
            parts.append(f"<p class='warn'>⚠ {e(r.provisional_note())}</p>")
        if r.skipped:
            parts.append(f"<p class='skipped'>{e(r.skipped)}</p>")
        if sc.description:
            parts.append(f"<p>{e(sc.description)}</p>")
        parts.append("<table><tr><th>#</th><th>行 line</th><th>时间 time</th><th>检查或动作 checked</th>"
                     "<th>期望 expected</th><th>实际 actual</th><th>结果 result</th><th>说明 note</th></tr>")
        for s, what, expected, actual in step_rows(r):
            parts.append(f"<tr class='{'fail' if s.status in ('failed', 'error') else s.status}'><td>{s.index}</td>"
                         f"<td>{s.line}</td><td>{s.at:%Y-%m-%d %H:%M}</td><td>{e(what)}</td><td>{e(expected)}</td>"
                         f"<td>{e(actual)}</td><td>{e(STATUS.get(s.status, s.status))}</td><td>{e(s.note)}</td></tr>")
        parts.append("</table>")
        if r.error:
            parts.append(f"<pre>{e(mask_text(r.error))}</pre>")
        parts.append(f"<details><summary>案件时间线 case timeline ({len(r.timeline)})</summary><pre>"
                     f"{e(chr(10).join(r.timeline))}</pre></details>")
        if exchanges:
            parts.append(f"<details><summary>查控往来 exchanges ({len(r.exchanges)})</summary><pre>"
                         f"{e(chr(10).join(r.exchanges))}</pre></details>")
        parts.append("</details>")
    parts.append("</body></html>")
    return "\n".join(parts)
