"""One certification run of the agency side, from the command line's options to the evidence directory."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from certify import KIT_VERSION
from certify.agency_suite import CHECKS, run_agency_suite
from certify.evidence import write_evidence
from certify.findings import Finding
from certify.fixtures import load_fixtures
from certify.receiver import CallbackReceiver
from certify.sut import Sut
from core_flow.errors import UserError
from core_flow.profile import PROFILE_VERSION


@dataclass
class AgencyRunResult:
    digest: str
    out: Path
    findings: list[Finding]
    summary: dict[str, int]
    failed: list[str]  # requirement IDs that failed
    identity: dict[str, Any]


def wall_clock() -> datetime:
    """The real instant, for the manifest's start and end only (what happened when, for the record)."""
    return datetime.now(UTC)  # noqa: TID251 (evidence is stamped with real time; no check depends on it)


def run_agency(base_url: str, fixtures_path: Path, out: Path, *, agency: str | None = None, hub: bool = False,
               token: str | None = None, admin_token: str | None = None, namespace: str | None = None,
               unmasked: bool = False, answer_timeout: float = 60.0, only: tuple[str, ...] = (),
               transport: httpx.BaseTransport | None = None,
               clock: Callable[[], datetime] = wall_clock,
               sleep: Callable[[float], None] | None = None) -> AgencyRunResult:
    """Run the agency-side suite against ``base_url`` and write the evidence to ``out``."""
    if agency and hub:
        raise UserError("--agency 与 --hub 只能给出一个", "give --agency or --hub, not both", where="--hub")
    unknown = [name for name in only if name not in {c[0] for c in CHECKS}]
    if unknown:
        raise UserError(f"未知检查：{'、'.join(unknown)}", f"unknown checks: {', '.join(unknown)}", where="--only")
    fixtures = load_fixtures(fixtures_path)
    if hub and fixtures.hub is None:
        raise UserError("--hub 需要测试数据中的 hub 部分", "--hub needs the fixtures' hub section",
                        where=str(fixtures_path))
    tokens = {c.code: c.token for c in fixtures.courts if c.token}
    if token:
        tokens["*"] = token
    if namespace is None and not tokens:
        namespace = f"certify-{uuid.uuid4().hex[:8]}"
    started = clock().isoformat(timespec="seconds")
    sut = Sut(base_url, tokens=tokens, namespace=namespace, admin_token=admin_token, transport=transport,
              answer_timeout=answer_timeout, **({"sleep": sleep} if sleep is not None else {}))
    try:
        try:
            identity = sut.probe()
        except httpx.HTTPError as err:
            raise UserError(f"被测系统无法连接：{err}", f"the system under test cannot be reached: {err}",
                            where=base_url) from None
        with CallbackReceiver() as receiver:
            findings = run_agency_suite(sut, fixtures, agency=agency, hub=hub, receiver=receiver, only=only)
    except httpx.ConnectError as err:
        raise UserError(f"被测系统无法连接：{err}", f"the system under test cannot be reached: {err}",
                        where=base_url) from None
    finally:
        sut.close()
    manifest = {
        "kit": "zhixing certify", "kit_version": KIT_VERSION, "profile_version": PROFILE_VERSION,
        "sut": {"url": base_url, "identity": identity, "role": "hub" if hub else (agency or fixtures.agency)},
        "started": started, "finished": clock().isoformat(timespec="seconds"),
        "settings": {"fixtures": str(fixtures_path),
                     "fixtures_sha256": hashlib.sha256(fixtures_path.read_bytes()).hexdigest(),
                     "namespace": namespace, "token": bool(tokens), "admin_api": identity.get("admin_api"),
                     "answer_timeout_seconds": answer_timeout, "only": list(only), "unmasked": unmasked,
                     "defects_in_force": identity.get("health", {}).get("defects", [])},
    }
    digest = write_evidence(out, findings, manifest, suite="agency", unmasked=unmasked)
    statuses: dict[str, list[str]] = {}
    for f in findings:
        statuses.setdefault(f.requirement, []).append(f.status)
    failed = sorted(r for r, s in statuses.items() if "fail" in s)
    from certify.evidence import requirement_results

    rows = requirement_results(findings, "agency")
    summary = {s: sum(1 for r in rows if r["status"] == s) for s in ("pass", "fail", "skipped", "not_applicable")}
    return AgencyRunResult(digest, out, findings, summary, failed, identity)
