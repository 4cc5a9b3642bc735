"""One certification run of the agency side, from the command line's options to the evidence directory."""

from __future__ import annotations

import difflib
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from certify import KIT_VERSION
from certify.agency_run import PinsRefused
from certify.agency_suite import CHECKS, run_agency_suite
from certify.evidence import write_evidence
from certify.findings import STATUS_TEXT, Finding
from certify.fixtures import load_fixtures
from certify.receiver import CallbackReceiver
from certify.sut import HTTP_TIMEOUT, POLL_INTERVAL, Sut, check_base_url
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
    interrupted: bool = False  # Ctrl-C: the evidence holds what was found until then
    differs: list[str] = field(default_factory=list)  # requirement IDs differing from an unconfirmed reading


def wall_clock() -> datetime:
    """The real instant, for the manifest's start and end only (what happened when, for the record)."""
    return datetime.now(UTC)  # noqa: TID251 (evidence is stamped with real time; no check depends on it)


AGENCY_CODE = re.compile(r"[a-z0-9_]{1,64}")  # the profile's pattern of an agency code (a path segment)
TOKEN = re.compile(r"[\x21-\x7e]{1,4096}")  # a bearer token as an HTTP header carries it
NAMESPACE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # the profile's X-Zhixing-Session


def parse_callback_host(value: str | None) -> tuple[str, int, str | None]:
    """``--callback-host ADDR[:PORT]``: the receiver listens on every interface at PORT (default: any free one)
    and gives the system under test ``http://ADDR:PORT/…``; without it, loopback only (a system on this machine)."""
    if value is None:
        return "127.0.0.1", 0, None
    if value.startswith("["):  # [IPv6]:PORT or [IPv6]
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("0" if not rest else "?")
    elif value.count(":") == 1:  # HOST:PORT
        host, port = value.split(":")
    else:  # HOST, or a bare IPv6 address
        host, port = value, "0"
    if not host or not port.isdigit() or len(port) > 5 or int(port) > 65535 or any(c in host for c in "/?#@ "):
        raise UserError(f"应为 地址[:端口]（被测系统可达的本机地址）：{value}",
                        f"expected ADDR[:PORT] (this machine's address as the system under test reaches it): {value}",
                        where="--callback-host")
    return ("::" if ":" in host else "0.0.0.0"), int(port), host  # noqa: S104 — reached from the vendor's network


def _known_agency(sut: Sut, code: str, where: str) -> None:
    """The profile's ``GET /agencies/{code}``: a 404 with an error body means the system under test has no such
    agency — a mistake in ``--agency`` or the fixtures, not a finding. Any other answer (a system that does not serve
    the operation, or fails it) leaves the checks to find out."""
    try:
        r = sut.request("GET", f"/agencies/{code}", record=False)
        error = r.json().get("error") if r.status_code == 404 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return
    if isinstance(error, dict) and error.get("code") == "unknown_agency":
        raise UserError(f"被测系统没有机构 {code}（GET /agencies/{code} 答 404）",
                        f"the system under test has no agency {code} (GET /agencies/{code} answered 404)",
                        where=where)


def run_agency(base_url: str, fixtures_path: Path, out: Path, *, agency: str | None = None, hub: bool = False,
               token: str | None = None, admin_token: str | None = None, namespace: str | None = None,
               unmasked: bool = False, answer_timeout: float = 60.0, http_timeout: float = HTTP_TIMEOUT,
               only: tuple[str, ...] = (), callback_host: str | None = None,
               poll_interval: float = POLL_INTERVAL,
               transport: httpx.BaseTransport | None = None,
               clock: Callable[[], datetime] = wall_clock,
               sleep: Callable[[float], None] | None = None,
               progress: Callable[[str], None] | None = None) -> AgencyRunResult:
    """Run the agency-side suite against ``base_url`` and write the evidence to ``out``. ``progress`` is told, for
    a system that is not zhixing (waited for in real time: minutes), that the run waits so and each check as it
    starts; zhixing's mock, on virtual time, is done in seconds and says nothing before the verdict.

    The user's mistakes (a malformed ``--base-url``, nothing answering there at all, an agency code the system does
    not know or the profile does not allow, bad fixtures) are located ``UserError``s before anything runs; whatever
    the system under test does once it answers is a finding in the evidence."""
    check_base_url(base_url)
    if agency and hub:
        raise UserError("--agency 与 --hub 只能给出一个", "give --agency or --hub, not both", where="--hub")
    if agency is not None and not AGENCY_CODE.fullmatch(agency):
        raise UserError(f"机构代码应为 1–64 个小写字母、数字或下划线：{agency!r}",
                        f"an agency code is 1–64 lower-case letters, digits or underscores: {agency!r}",
                        where="--agency")
    names = [c[0] for c in CHECKS]
    unknown = [name for name in only if name not in names]
    if unknown:  # the checks are named nowhere else on the command line: say them, and the nearest
        near = sorted({m for u in unknown for m in difflib.get_close_matches(u, names, n=2, cutoff=0.6)})
        raise UserError(f"未知检查：{'、'.join(unknown)}" + (f"；是否想写：{'、'.join(near)}" if near else "")
                        + f"（可用的检查：{'、'.join(names)}）",
                        f"unknown checks: {', '.join(unknown)}" + (f"; did you mean: {', '.join(near)}" if near else "")
                        + f" (the checks: {', '.join(names)})", where="--only")
    receiver_at = parse_callback_host(callback_host)
    fixtures = load_fixtures(fixtures_path)
    if hub and fixtures.hub is None:
        raise UserError("--hub 需要测试数据中的 hub 部分", "--hub needs the fixtures' hub section",
                        where=str(fixtures_path))
    tokens = {c.code: c.token for c in fixtures.courts if c.token}
    for value, where in ([(token, "--token"), (admin_token, "--admin-token")]
                         + [(c.token, f"{fixtures_path}: courts.{i}.token") for i, c in enumerate(fixtures.courts)]):
        if value is not None and not TOKEN.fullmatch(value):
            raise UserError("令牌须为可打印 ASCII 字符，不含空白", "a token is printable ASCII without whitespace",
                            where=where)
    if namespace is not None and not NAMESPACE.fullmatch(namespace):
        raise UserError("命名空间须为 1–64 个字母、数字或 _ . -", "a namespace is 1–64 letters, digits or _ . -",
                        where="--namespace")
    if token:
        tokens["*"] = token
    if namespace is None and not tokens:
        namespace = f"certify-{uuid.uuid4().hex[:8]}"
    started = clock().isoformat(timespec="seconds")
    sut = Sut(base_url, tokens=tokens, namespace=namespace, admin_token=admin_token, transport=transport,
              answer_timeout=answer_timeout, http_timeout=http_timeout, poll_interval=poll_interval,
              **({"sleep": sleep} if sleep is not None else {}))
    try:
        identity = sut.probe()
        if "unreachable" in identity:
            raise UserError(f"{base_url} 无人应答（{identity['unreachable']}）：被测系统是否在运行？地址是否正确？",
                            f"nothing answers at {base_url} ({identity['unreachable']}): is the system running, is "
                            "the URL right?", where="--base-url")
        if not hub:
            _known_agency(sut, agency or fixtures.agency, "--agency" if agency else f"{fixtures_path}: agency")
        if identity.get("zhixing"):
            progress = None
        elif progress is not None:
            progress(f"被测系统不是 zhixing 模拟机构：按真实时间等待答复（每次至多 --answer-timeout "
                     f"{answer_timeout:g} 秒），银行一次运行约需 3 分钟 / the system is not zhixing's mock: answers "
                     f"are waited for in real time (each at most --answer-timeout {answer_timeout:g} s); a bank's "
                     "run takes about 3 minutes")
        with CallbackReceiver(*receiver_at) as receiver:
            try:
                findings = run_agency_suite(sut, fixtures, agency=agency, hub=hub, receiver=receiver, only=only,
                                            progress=progress)
            except PinsRefused as err:  # the fixtures' fault, said against the fixtures file
                raise UserError(err.zh, err.en, where=f"{fixtures_path}: {err.where}", code=err.code) from None
        identity["interrupted"] = sut.interrupted
        identity["callbacks_received"] = len(receiver.arrivals) + receiver.flooded
        identity["callbacks_refused_as_flood"] = receiver.flooded
    finally:
        sut.close()
    manifest = {
        "kit": "zhixing certify", "kit_version": KIT_VERSION, "profile_version": PROFILE_VERSION,
        "sut": {"url": base_url, "identity": identity, "role": "hub" if hub else (agency or fixtures.agency)},
        "started": started, "finished": clock().isoformat(timespec="seconds"),
        "settings": {"fixtures": str(fixtures_path),
                     "fixtures_sha256": hashlib.sha256(fixtures_path.read_bytes()).hexdigest(),
                     "namespace": namespace, "token": bool(tokens), "admin_api": identity.get("admin_api"),
                     "answer_timeout_seconds": answer_timeout, "http_timeout_seconds": http_timeout,
                     "poll_interval_seconds": poll_interval,
                     "only": list(only), "unmasked": unmasked,
                     "callback_host": callback_host,
                     "defects_in_force": identity.get("health", {}).get("defects", [])},
    }
    digest = write_evidence(out, findings, manifest, suite="agency", unmasked=unmasked)
    interrupted = sut.interrupted
    statuses: dict[str, list[str]] = {}
    for f in findings:
        statuses.setdefault(f.requirement, []).append(f.status)
    failed = sorted(r for r, s in statuses.items() if "fail" in s)
    from certify.evidence import requirement_results

    rows = requirement_results(findings, "agency")
    summary = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_TEXT}
    differs = [r["id"] for r in rows if r["status"] == "differs"]
    return AgencyRunResult(digest, out, findings, summary, failed, identity, interrupted, differs)
