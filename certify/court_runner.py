"""One run of the court side (``zhixing certify court``): serve the instrumented mock hub and agencies, let the
court under test work against them — by hand until Ctrl-C, or driven through the kit's cases over the court driver
interface (``--driver URL``) — then grade its traffic and write the evidence."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from certify import KIT_VERSION
from certify.court_server import FaultSchedule, Instrumented, create_court_lab
from certify.court_suite import COURT_REGIONS, grade_court
from certify.evidence import requirement_results, write_evidence
from certify.findings import Finding
from certify.runner import wall_clock
from certify.sut import check_base_url
from core_flow.errors import UserError
from core_flow.masking import mask_text
from core_flow.os_text import os_reason
from core_flow.profile import PROFILE_VERSION
from mock_agencies.settings import Settings


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if host.startswith("[") and host.endswith("]"):  # an IPv6 address, [::1]:8790
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or len(port) > 5 or not 0 <= int(port) <= 65535:
        raise UserError(f"监听地址应为 主机:端口：{listen}", f"--listen must be HOST:PORT: {listen}", where="--listen")
    return host, int(port)


WILDCARDS = frozenset({"0.0.0.0", "::"})  # listen on every interface: not an address anyone can call


def advertised_host(host: str, advertise: str | None) -> str:
    """The host the lab's URL names: ``--advertise`` when given, else the listening host — but never a wildcard
    (``0.0.0.0``, ``::``), which no court can call: loopback then (a court elsewhere needs ``--advertise``)."""
    if advertise is not None:
        bare = advertise.strip("[]")
        if not bare or any(c in bare for c in "/?#@ ,[]") or bare.count(":") == 1:  # (one colon: HOST:PORT)
            raise UserError(f"对外地址应为主机名或 IP 地址（不含端口）：{advertise!r}",
                            f"--advertise is a host name or IP address (no port): {advertise!r}", where="--advertise")
        return bare
    if host in WILDCARDS:
        return "::1" if host == "::" else "127.0.0.1"
    return host


def bind_listen(listen: str, advertise: str | None = None) -> tuple[socket.socket, str]:
    """A listening socket on ``--listen`` (port 0: any free port) and the lab's URL (its host: ``advertised_host``);
    an address that cannot be used — the port in use, a host that is not this machine's or does not resolve — is a
    located ``UserError`` at once (uvicorn, left to bind, logs and exits the process)."""
    host, port = parse_listen(listen)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise UserError(f"无法解析监听主机 {host}：{err}", f"cannot resolve the host {host} to listen on: {err}",
                        where="--listen") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        why_zh, why_en = os_reason(err)
        raise UserError(f"无法在 {listen} 监听：{why_zh}（端口已被占用？）",
                        f"cannot listen on {listen}: {why_en} (is the port in use?)",
                        where="--listen") from None
    sock.set_inheritable(True)
    bound = sock.getsockname()[1]
    named = advertised_host(host, advertise)
    shown = f"[{named}]" if ":" in named else named
    return sock, f"http://{shown}:{bound}"


def parse_regions(items: list[str]) -> dict[str, str]:
    regions = dict(COURT_REGIONS)
    for item in items:
        code, sep, region = item.partition("=")
        if not sep or not code or not (region.isdigit() and len(region) == 6):
            raise UserError(f"应为 法院代码=6位行政区划代码：{item}", f"expected COURT=REGION (6 digits): {item}",
                            where="--court-region")
        regions[code] = region
    return regions


def court_under_test(lab_url: str, driver_url: str | None = None) -> dict[str, Any]:
    """Who is under test, for the evidence: the court driven through its driver interface at ``driver_url`` (its
    URL), or — served by hand — the court system that connects to the kit at ``lab_url`` (no URL of its own is
    known: the kit's address is not the court's)."""
    if driver_url is not None:
        return {"url": driver_url,
                "description": f"经驱动接口 {driver_url} 驱动的法院系统（其机构为本工具 {lab_url}）/ the court system "
                               f"driven through its driver interface at {driver_url} (its agencies: the kit at "
                               f"{lab_url})"}
    return {"url": None,
            "description": f"连接本工具 {lab_url} 的法院系统（手工操作，地址未知）/ the court system that connects to "
                           f"the kit at {lab_url} (operated by hand; its own address is not known)"}


def court_evidence(lab: Instrumented, out: Path, *, started: str, finished: str, settings: dict[str, Any],
                   regions: dict[str, str] | None = None, unmasked: bool = False,
                   case_facts: dict[str, dict[str, str]] | None = None) -> tuple[str, list[Finding]]:
    """Grade what ``lab`` recorded and write the evidence; (digest, findings)."""
    findings = grade_court(lab.traffic.records, regions, lab.deliveries(), lab.horizons(), case_facts)
    under_test = court_under_test(str(settings.get("url") or settings.get("listen")), settings.get("driver"))
    manifest = {"kit": "zhixing certify", "kit_version": KIT_VERSION, "profile_version": PROFILE_VERSION,
                "sut": {**under_test, "identity": {
                    "role": "court", "exchanges": len(lab.traffic.records) + lab.traffic.dropped,
                    "exchanges_not_graded": lab.traffic.dropped}},  # beyond the lab's limit (a flood)
                "started": started, "finished": finished, "settings": settings}
    return write_evidence(out, findings, manifest, suite="court", unmasked=unmasked), findings


def lost_settings(schedule: FaultSchedule) -> dict[str, Any]:
    """The lost answers' schedule, for the evidence's settings (``lost_every`` 0: none — also when
    ``--fault-every`` is 0): the measures whose answers may be lost and (kit 0.6.0) those counted each on a counter of
    its own (``lost_apart``: 06)."""
    return {"lost_every": schedule.lost_every if schedule.every > 0 else 0,
            "lost_measures": sorted(schedule.lost_measures), "lost_apart": sorted(schedule.lost_apart)}


def lab_settings(host: str, port: int, callback_hosts: tuple[str, ...] = (), **extra: Any) -> Settings:
    """The lab's settings: zhixing's ``fast`` agencies on ``host``:``port``; callbacks go to loopback, and to the
    ``callback_hosts`` the user allows (``--allow-callback-host``: a court on another machine; ``*`` any)."""
    hosts = ("127.0.0.1", "::1", "localhost", *callback_hosts)
    bad = [h for h in callback_hosts if not h or any(c in h for c in "/?#@ ,")]
    if bad:
        raise UserError(f"回调主机应为主机名或地址：{bad[0]!r}",
                        f"a callback host is a host name or address: {bad[0]!r}", where="--allow-callback-host")
    return Settings(host=host, port=port, profile="fast", callback_hosts=hosts, **extra)


def serve_court(listen: str, out: Path, *, duration: float | None, fault_every: int, retry_after: int,
                regions: dict[str, str], unmasked: bool = False, log_level: str = "warning",
                callback_hosts: tuple[str, ...] = (),
                on_ready: Callable[[str], None] | None = None,
                clock: Callable[[], datetime] = wall_clock,
                advertise: str | None = None,
                on_cases: Callable[[str], None] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Serve until interrupted (Ctrl-C) or ``duration`` real seconds, then grade; (digest, requirement rows).
    ``on_cases`` is told, before serving, the cases to operate by hand with their debtors' names and ID numbers
    (``certify.court_manual``: the lab's own world, the cases' holdings pinned in it)."""
    import uvicorn

    host, _ = parse_listen(listen)
    sock, url = bind_listen(listen, advertise)
    port = sock.getsockname()[1]
    schedule = FaultSchedule(fault_every, retry_after)
    lab = create_court_lab(lab_settings(host, port, callback_hosts), schedule)
    server = uvicorn.Server(uvicorn.Config(lab, host=host, port=port, log_level=log_level, lifespan="on"))
    if on_cases is not None:
        from certify.court_manual import cases_text, manual_cases

        on_cases(cases_text(manual_cases(lab.state), url))
    started = clock().isoformat(timespec="seconds")
    timer = threading.Timer(duration, lambda: setattr(server, "should_exit", True)) if duration else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    if on_ready is not None:
        on_ready(url)
    try:
        server.run(sockets=[sock])
    finally:
        if timer is not None:
            timer.cancel()
        sock.close()
    settings = {"listen": listen, "url": url, "duration_seconds": duration, "fault_every": fault_every,
                "retry_after_seconds": retry_after, **lost_settings(schedule), "court_regions": regions,
                "unmasked": unmasked,
                "allowed_callback_hosts": list(callback_hosts)}
    digest, findings = court_evidence(lab, out, started=started, finished=clock().isoformat(timespec="seconds"),
                                      settings=settings, regions=regions, unmasked=unmasked)
    return digest, requirement_results(findings, "court")


def drive_court(driver_url: str, listen: str, out: Path, *, fault_every: int, retry_after: int,
                regions: dict[str, str], unmasked: bool = False, callback_hosts: tuple[str, ...] = (),
                clock: Callable[[], datetime] = wall_clock,
                advertise: str | None = None) -> tuple[str, list[dict[str, Any]], Any]:
    """Serve the instrumented agencies on ``listen``, drive the court at ``driver_url`` (the driver interface's HTTP
    form) through the kit's cases — it files each, takes its steps, advances the court's clock — then grade the
    traffic with the case facts the court's events gave; (digest, requirement rows, the drive's result)."""
    import uvicorn

    from certify.court_drive import drive_cases
    from scenarios.target import system_under_test

    check_base_url(driver_url, "--driver")
    host, _ = parse_listen(listen)
    sock, lab_url = bind_listen(listen, advertise)
    port = sock.getsockname()[1]
    schedule = FaultSchedule(fault_every, retry_after)
    lab = create_court_lab(lab_settings(host, port, callback_hosts, world_size=1000), schedule)
    server = uvicorn.Server(uvicorn.Config(lab, host=host, port=port, log_level="critical", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    started = clock().isoformat(timespec="seconds")
    thread.start()
    try:
        for _ in range(500):  # bounded readiness wait (≤ 10 s)
            if server.started or not thread.is_alive():
                break
            thread.join(timeout=0.02)
        if not server.started:
            raise UserError(f"无法在 {listen} 提供模拟机构服务", f"cannot serve the agencies on {listen}",
                            where="--listen")
        try:
            factory = system_under_test(agencies_url=lab_url, court_url=driver_url)
        except UserError as err:  # the court's URL is malformed or unreachable: say so against --driver
            raise UserError(err.zh, err.en, where="--driver", code=err.code) from None
        driven = drive_cases(factory)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    settings = {"listen": listen, "url": lab_url, "driver": driver_url, "fault_every": fault_every,
                "retry_after_seconds": retry_after, **lost_settings(schedule),
                "court_regions": regions, "unmasked": unmasked, "allowed_callback_hosts": list(callback_hosts),
                "cases_passed": driven.passed,
                "cases_failed": driven.failed,
                "cases_failed_why": {name: why if unmasked else mask_text(why) for name, why in driven.why.items()},
                "interrupted": driven.interrupted}
    digest, findings = court_evidence(lab, out, started=started, finished=clock().isoformat(timespec="seconds"),
                                      settings=settings, regions=regions, unmasked=unmasked, case_facts=driven.facts)
    return digest, requirement_results(findings, "court"), driven
