"""The certification report as one self-contained HTML page (no scripts or styles from elsewhere: it opens
offline), Chinese first, English beside."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from certify.findings import STATUS_TEXT

_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top}
th{background:#f0f0f0;text-align:left}.pass{color:#176317}.fail{color:#b00020;font-weight:bold}
.differs{color:#8a5a00;font-weight:bold}
.skipped,.not_applicable{color:#777}details pre{white-space:pre-wrap;font-size:12px;background:#f8f8f8;padding:6px}
.summary span{margin-right:1.5em}
"""


def _status(status: str) -> str:
    zh, en = STATUS_TEXT[status]
    return f'<span class="{status}">{zh} / {en}</span>'


class _Html(str):
    """Text already escaped (the meta table writes it as it is)."""


def _fields(values: dict[str, Any]) -> _Html:
    """A manifest's mapping (the system's identity, the run's settings) as one ``name: value`` line each — not a
    line of JSON; a nested value stays JSON, an absent one is a dash."""
    lines = []
    for name, value in values.items():
        shown = "—" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"<code>{escape(str(name))}</code>: {escape(str(shown))}")
    return _Html("<br>".join(lines) or "—")


def render_html(manifest: dict[str, Any], results: dict[str, Any]) -> str:
    sut = manifest.get("sut", {})
    summary = results["summary"]
    head = "".join(f"<span>{_status(s)}：{n}</span>" for s, n in summary.items())
    meta = [
        ("套件 / suite", manifest.get("suite")),
        ("工具版本 / kit version", manifest.get("kit_version")),
        ("规范版本 / profile version", manifest.get("profile_version")),
        ("被测系统 / system under test", " — ".join(str(v) for v in (sut.get("url"), sut.get("description")) if v)),
        ("被测系统标识 / identity", _fields(sut.get("identity") or {})),
        ("开始 / started", manifest.get("started")),
        ("结束 / finished", manifest.get("finished")),
        ("设置 / settings", _fields(manifest.get("settings") or {})),
        ("个人信息 / personal data", "已遮蔽 / masked" if manifest.get("masked") else "未遮蔽 / unmasked"),
    ]
    rows = []
    for r in results["requirements"]:
        details = []
        for f in r["findings"]:
            exchanges = json.dumps(f.get("exchanges", []), ensure_ascii=False, indent=1)
            details.append(f"<li>{_status(f['status'])} <code>{escape(f['check'])}</code> {escape(f['zh'])}<br>"
                           f"<small>{escape(f['en'])}</small>"
                           + (f"<details><summary>交换记录 / exchanges ({len(f.get('exchanges', []))})</summary>"
                              f"<pre>{escape(exchanges)}</pre></details>" if f.get("exchanges") else "") + "</li>")
        rows.append(f"<tr><td><b>{escape(r['id'])}</b><br>{escape(r['level'])}</td><td>{_status(r['status'])}</td>"
                    f"<td>{escape(r['zh'])}<br><small>{escape(r['en'])}</small></td><td><ul>{''.join(details)}"
                    "</ul></td></tr>")
    meta_rows = "".join(f"<tr><th>{escape(k)}</th><td>{v if isinstance(v, _Html) else escape(str(v))}</td></tr>"
                        for k, v in meta)
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>zhixing 查控接口认证报告 / certification report</title><style>{_STYLE}</style></head><body>"
        "<h1>zhixing 查控接口认证报告 <small>/ 查控 interface certification report</small></h1>"
        f"<p class=\"summary\">{head}</p><table>{meta_rows}</table>"
        "<h2>逐项要求 / requirements</h2><table><tr><th>编号 ID</th><th>结果 result</th><th>要求 requirement</th>"
        f"<th>发现与证据 findings and evidence</th></tr>{''.join(rows)}</table>"
        "<p><small>证据摘要见 SHA256SUMS，可用 <code>zhixing certify verify 目录</code> 校验 / the evidence digest is "
        "in SHA256SUMS; check it with <code>zhixing certify verify DIR</code></small></p></body></html>\n"
    )
