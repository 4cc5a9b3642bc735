"""Reports of a scenario run: JUnit XML (for CI) and one self-contained HTML page (no external assets)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from scenarios.runner import ScenarioResult


def calendar_properties(r: ScenarioResult) -> list[tuple[str, str]]:
    """JUnit properties of a run whose deadlines depended on a provisional calendar year (else none)."""
    if not r.provisional_years:
        return []
    return [("calendar_provisional", ",".join(map(str, r.provisional_years))),
            ("calendar_warning", r.provisional_note())]


def junit_xml(results: Sequence[ScenarioResult], suite: str = "zhixing-scenarios") -> str:
    failures = sum(1 for r in results if not r.passed and not r.error)
    errors = sum(1 for r in results if r.error)
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(failures), errors=str(errors),
                      time=f"{sum(r.seconds for r in results):.3f}")
    by_file: dict[str, list[ScenarioResult]] = {}
    for r in results:
        by_file.setdefault(r.scenario.file, []).append(r)
    for file, group in by_file.items():
        ts = ET.SubElement(root, "testsuite", name=file, tests=str(len(group)),
                           failures=str(sum(1 for r in group if not r.passed and not r.error)),
                           errors=str(sum(1 for r in group if r.error)), time=f"{sum(r.seconds for r in group):.3f}")
        for r in group:
            tc = ET.SubElement(ts, "testcase", classname=Path(file).stem.replace(".scenario", ""), name=r.scenario.name,
                               file=file, line=str(r.scenario.line), time=f"{r.seconds:.3f}")
            if r.provisional_years:
                props = ET.SubElement(tc, "properties")
                for name, value in calendar_properties(r):
                    ET.SubElement(props, "property", name=name, value=value)
            if r.error:
                ET.SubElement(tc, "error", message="scenario raised an exception").text = r.explain()
            elif not r.passed:
                f = r.failure
                msg = f"{file}:{f.line} {f.key}: expected {f.expected}; actual {f.actual}" if f else "failed"
                ET.SubElement(tc, "failure", message=msg).text = r.explain()
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


_CSS = """body{font:14px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}.pass{color:#17693b}.fail{color:#b3261e}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
details{margin:.6em 0;border:1px solid #ddd;border-radius:6px;padding:.4em .8em}summary{cursor:pointer}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:12px}.skipped{color:#888}
.warn{color:#8a5a00;background:#fff6e0;padding:.2em .5em;border-radius:4px}"""


def html_report(results: Sequence[ScenarioResult], title: str = "zhixing 场景报告 / scenario report") -> str:
    e = html.escape
    passed = sum(1 for r in results if r.passed)
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>",
             f"<p>共 {len(results)} 个场景 / scenarios: <span class='pass'>{passed} 通过 passed</span>, "
             f"<span class='fail'>{len(results) - passed} 失败 failed</span>; "
             f"{sum(r.seconds for r in results):.2f} s</p>"]
    flagged = sum(1 for r in results if r.provisional_years)
    if flagged:
        parts.append(f"<p class='warn'>⚠ {flagged} 个场景的期限依赖暂定日历 / scenarios with deadlines on a "
                     "provisional calendar year (无国务院节假日通知，调休未知 / no State Council notice, make-up days "
                     "unknown)</p>")
    for r in results:
        sc = r.scenario
        cls, word = ("pass", "✔ 通过 passed") if r.passed else ("fail", "✘ 失败 failed")
        warn = " <span class='warn'>⚠ 暂定 provisional</span>" if r.provisional_years else ""
        parts.append(f"<details{'' if r.passed else ' open'}><summary><b class='{cls}'>{word}</b> {e(sc.name)}{warn} "
                     f"<small>{e(sc.where)} · {r.seconds:.2f} s</small></summary>")
        if r.provisional_years:
            parts.append(f"<p class='warn'>⚠ {e(r.provisional_note())}</p>")
        if sc.description:
            parts.append(f"<p>{e(sc.description)}</p>")
        parts.append("<table><tr><th>#</th><th>行 line</th><th>时间 time</th><th>步骤 step</th><th>结果 result</th>"
                     "<th>说明 note</th></tr>")
        for s in r.steps:
            detail = (f"期望 expected: {s.expected}<br>实际 actual: {s.actual}" if s.status == "failed"
                      else f"实际 actual: {s.actual}" if s.actual else "")  # e.g. the refusal that came
            parts.append(f"<tr class='{'fail' if s.status in ('failed', 'error') else s.status}'><td>{s.index}</td>"
                         f"<td>{s.line}</td><td>{s.at:%Y-%m-%d %H:%M}</td><td>{e(s.key)}</td><td>{e(s.status)}</td>"
                         f"<td>{e(s.note)}{'<br>' if s.note and detail else ''}"
                         f"{detail and e(detail).replace('&lt;br&gt;', '<br>')}</td></tr>")
        parts.append("</table>")
        if r.error:
            parts.append(f"<pre>{e(r.error)}</pre>")
        parts.append(f"<details><summary>案件时间线 case timeline ({len(r.timeline)})</summary><pre>"
                     f"{e(chr(10).join(r.timeline))}</pre></details></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
