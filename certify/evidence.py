"""Evidence of a certification run, written to one directory: ``results.json`` (per requirement: pass / fail /
differs / skipped / not applicable, with the findings and the exchanges proving them), ``junit.xml`` (a requirement
that differs from an unconfirmed reading is a ``skipped`` case saying so), ``report.html`` (self-contained, offline,
Chinese first), ``manifest.json`` (kit and profile versions, the system under test, start and
end, settings) and ``SHA256SUMS`` (a SHA-256 per file; the digest of the run is the SHA-256 of that list).
``verify_evidence`` recomputes it: a changed, missing or added file is named. Personal data (ID and account numbers)
is masked unless the run was ``--unmasked`` (``core_flow.masking``)."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from certify.findings import STATUS_TEXT, Finding, verdict
from certify.report_html import render_html
from core_flow.errors import UserError, read_utf8
from core_flow.masking import mask_data, mask_text
from core_flow.profile import load_requirements
from core_flow.xml_text import xml_safe, xml_safe_tree

FILES = ("manifest.json", "results.json", "junit.xml", "report.html")
DIFFERS_MESSAGE = ("与 zhixing 的解读不同（未经确认）：未认证此项，亦非确认的缺陷 / differs from zhixing's unconfirmed "
                   "reading: not certified, nor a confirmed defect")
SUMS = "SHA256SUMS"


def json_safe(value: Any, key: Callable[[str], str] = str) -> Any:
    """``value`` as strict JSON (and the JUnit XML) can hold it, whatever a system under test answered: text with
    control characters or lone surrogates escaped (``core_flow.xml_text``: a lone surrogate, JSON's ``"\\ud800"``,
    is what no UTF-8 file can hold), a non-finite number (``NaN``,
    ``1e999``) becomes its text, an integer beyond the protocol's amounts (more than 10^15: an ID or account number
    sent as a number) its digits as text — so masking sees it —, and every key a string, through ``key`` (the
    masker, when masking: an account number may be a key too)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return str(value)
    if isinstance(value, dict):
        return {key(xml_safe(str(k))): json_safe(v, key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, key) for v in value]
    return value


def requirement_results(findings: list[Finding], side: str) -> list[dict[str, Any]]:
    """Every requirement of ``side`` (``agency`` / ``court``) with its status and findings."""
    by_req: dict[str, list[Finding]] = {}
    for f in findings:
        by_req.setdefault(f.requirement, []).append(f)
    rows = []
    for r in load_requirements():
        if r.side != side:
            continue
        mine = by_req.get(r.id, [])
        rows.append({"id": r.id, "level": r.level, "zh": r.zh, "en": r.en, "section": r.section,
                     "status": verdict(mine) if mine else "not_applicable",
                     "findings": [f.as_dict() for f in mine]
                     or [{"requirement": r.id, "check": "-", "status": "not_applicable",
                          "zh": "本套件未检查此项", "en": "not checked by this suite", "exchanges": []}]})
    return rows


def _junit(rows: list[dict[str, Any]], suite: str) -> bytes:
    counts = Counter(r["status"] for r in rows)
    root = ET.Element("testsuite", name=f"zhixing certify {suite}", tests=str(len(rows)),
                      failures=str(counts["fail"]),
                      skipped=str(counts["differs"] + counts["skipped"] + counts["not_applicable"]), errors="0")
    for r in rows:
        case = ET.SubElement(root, "testcase", classname=f"certify.{suite}", name=f"{r['id']} {r['zh']} / {r['en']}")
        lines = "\n".join(f"[{f['status']}] {f['check']}: {f['zh']} / {f['en']}" for f in r["findings"])
        if r["status"] == "fail":
            ET.SubElement(case, "failure", message=f"{r['id']} 未通过 / failed").text = lines
        elif r["status"] == "differs":  # neither a pass nor a failure: JUnit's nearest is skipped, saying why
            ET.SubElement(case, "skipped", message=f"{r['id']} {DIFFERS_MESSAGE}").text = lines
        elif r["status"] in ("skipped", "not_applicable"):
            zh, en = STATUS_TEXT[r["status"]]
            ET.SubElement(case, "skipped", message=f"{zh} / {en}").text = lines
        else:
            ET.SubElement(case, "system-out").text = lines
    return ET.tostring(xml_safe_tree(root), encoding="utf-8", xml_declaration=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_evidence_dir(out: Path, option: str = "--out") -> None:
    """Before a run: ``out``, if it exists, holds nothing but a former run's evidence (overwritten). Anything else
    there — a note, a file of another run — would be a file the digest does not list, and ``zhixing certify verify``
    would call the evidence not intact although the run had just reported its digest."""
    if not out.is_dir():
        return
    foreign = sorted(p.name + ("/" if p.is_dir() else "") for p in out.iterdir() if p.name not in (*FILES, SUMS))
    if foreign:
        shown = foreign[:5] + (["…"] if len(foreign) > 5 else [])
        raise UserError(f"证据目录 {out} 中已有不属于证据的文件（{'、'.join(shown)}）：证据目录只能含本工具写出的文件，"
                        "否则 zhixing certify verify 会判其不完整；请换一个目录，或移走这些文件",
                        f"the evidence directory {out} already holds files that are not evidence ({', '.join(shown)}):"
                        " it may hold only what the kit writes, or zhixing certify verify finds it not intact; choose "
                        "another directory or move them", where=option, code="evidence_dir_not_empty")


def write_evidence(out: Path, findings: list[Finding], manifest: dict[str, Any], *, suite: str,
                   unmasked: bool = False) -> str:
    """Write the evidence of a run of ``suite`` (``agency`` / ``court``) to ``out``; returns the digest."""
    out.mkdir(parents=True, exist_ok=True)
    rows = requirement_results(findings, suite)
    counts = Counter(r["status"] for r in rows)
    summary = {s: counts.get(s, 0) for s in STATUS_TEXT}
    manifest = dict(manifest, suite=suite, summary=summary, masked=not unmasked)
    results = json_safe({"suite": suite, "summary": summary, "requirements": rows}, str if unmasked else mask_text)
    manifest = json_safe(manifest)
    if not unmasked:  # the exchanges carry the personal data; the manifest names none (its digests stay whole)
        results = mask_data(results)
    dump = {"ensure_ascii": False, "indent": 2, "allow_nan": False}
    (out / "manifest.json").write_text(json.dumps(manifest, **dump) + "\n", encoding="utf-8")
    (out / "results.json").write_text(json.dumps(results, **dump) + "\n", encoding="utf-8")
    (out / "junit.xml").write_bytes(_junit(results["requirements"], suite))
    (out / "report.html").write_text(render_html(manifest, results), encoding="utf-8")
    sums = "".join(f"{_sha256(out / name)}  {name}\n" for name in FILES)
    (out / SUMS).write_text(sums, encoding="utf-8")
    return hashlib.sha256(sums.encode()).hexdigest()


class EvidenceNotIntact(UserError):
    """The evidence directory is not as written: every changed, missing and extra file (``problems``, each a
    located ``UserError``) — a verdict on the evidence (``certify verify`` exits 1), not a usage error."""

    def __init__(self, problems: list[UserError]) -> None:
        listed = "\n  ".join(p.message for p in problems)
        super().__init__(f"证据不完整，{len(problems)} 处问题：\n  {listed}\n",
                         f"evidence not intact: {len(problems)} problems (listed above)", where=problems[0].where,
                         code="evidence_not_intact")
        self.problems = problems


def verify_evidence(out: Path) -> str:
    """Check an evidence directory is as written; returns its digest. A directory that is none (no such directory,
    no digest file, a digest file that is not text) is a located ``UserError``; every changed, missing or added file
    at once is :class:`EvidenceNotIntact`."""
    if not out.is_dir():
        raise UserError("证据目录不存在", "no such evidence directory", where=str(out))
    sums_path = out / SUMS
    try:
        sums = read_utf8(sums_path, ("证据摘要文件", "evidence digest file"))  # not UTF-8: a located error too
    except OSError:
        raise UserError(f"没有证据摘要文件 {SUMS}", f"no evidence digest file {SUMS}", where=str(out)) from None
    problems: list[UserError] = []
    listed: dict[str, str] = {}
    for n, line in enumerate(sums.splitlines(), 1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            problems.append(UserError(f"摘要文件第 {n} 行格式错误", f"line {n} of the digest file is malformed",
                                      where=f"{sums_path}:{n}"))
            continue
        if name not in FILES:
            problems.append(UserError(f"摘要文件列出了证据以外的文件：{name}",
                                      f"the digest file lists a file that is no evidence file: {name}",
                                      where=f"{sums_path}:{n}"))
            continue
        listed[name] = digest
    for name in FILES:
        path = out / name
        if name not in listed:
            problems.append(UserError(f"摘要文件未列出证据文件：{name}", f"the digest file does not list {name}",
                                      where=str(sums_path)))
        if not path.is_file():
            problems.append(UserError(f"证据文件缺失：{name}", f"evidence file missing: {name}", where=str(path)))
        elif name in listed and _sha256(path) != listed[name]:
            problems.append(UserError(f"证据文件已被改动：{name}", f"evidence file changed: {name}", where=str(path)))
    for extra in sorted(p.name for p in out.iterdir() if p.name not in FILES and p.name != SUMS):
        problems.append(UserError(f"证据目录中有未列入摘要的文件：{extra}", f"a file not in the digest: {extra}",
                                  where=str(out / extra)))
    if problems:
        raise EvidenceNotIntact(problems)
    return hashlib.sha256(sums.encode()).hexdigest()
