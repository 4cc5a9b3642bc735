"""`zhixing certify …`: the certification kit for vendors — the agency-side suite and the check of an evidence
directory (see certify/README.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from core_flow.masking import mask_text
from zhixing.outputs import output_dir

certify_app = typer.Typer(help="查控接口认证工具 / the certification kit for vendors", no_args_is_help=True)

_STATUS = {"pass": "通过 pass", "fail": "未通过 FAIL", "differs": "与解读不同 DIFFERS", "skipped": "跳过 skipped",
           "not_applicable": "不适用 n/a"}


def _summary(rows: list[dict]) -> str:
    """The run's one-line count of the requirements by status (the agency and the court run alike); those differing
    from an unconfirmed reading (kit 0.4.3) are counted only when there are any."""
    n = {s: sum(1 for r in rows if r["status"] == s) for s in _STATUS}
    differs_zh, differs_en = (f"与解读不同 {n['differs']}，", f"differs {n['differs']}, ") if n["differs"] else ("", "")
    return (f"通过 {n['pass']}，未通过 {n['fail']}，{differs_zh}跳过 {n['skipped']}，不适用 {n['not_applicable']} / "
            f"pass {n['pass']}, fail {n['fail']}, {differs_en}skipped {n['skipped']}, "
            f"not applicable {n['not_applicable']}")


NOTHING_PASSED = 3  # the exit code of a run in which no requirement passed (a CI must not read it as certified)
DIFFERS = 4  # no requirement failed, some differ from zhixing's unconfirmed reading: not certified-clean, no defect


def _exit_for(rows: list[dict], interrupted: bool = False) -> None:
    """1 when a requirement failed or the run was interrupted; 4 when none failed but some differ from zhixing's
    unconfirmed reading of the law (certified neither clean nor defective), said on stderr naming them; 3 when none
    passed (all skipped or not applicable: the run certified nothing — a court that never connected, ``--only`` a
    check the system does not take), said on stderr; else 0."""
    if interrupted or any(row["status"] == "fail" for row in rows):
        raise typer.Exit(1)
    differing = [row["id"] for row in rows if row["status"] == "differs"]
    if differing:
        typer.echo(f"{'、'.join(differing)} 与 zhixing 对法律的解读不同（该解读未经确认，见各项发现）：此项未认证，亦不"
                   f"认定为缺陷，以退出码 4 结束 / {', '.join(differing)} differ from zhixing's reading of the law, "
                   "which is unconfirmed (see the findings): not certified, nor found defective — exit code 4",
                   err=True)
        raise typer.Exit(DIFFERS)
    if not any(row["status"] == "pass" for row in rows):
        typer.echo("没有任何要求通过（全部跳过或不适用）：本次运行未认证任何内容，以退出码 3 结束 / no requirement "
                   "passed (all skipped or not applicable): this run certified nothing — exit code 3", err=True)
        raise typer.Exit(NOTHING_PASSED)


def _row_lines(row: dict) -> list[str]:
    """A requirement's line, and under one not passed why: its failing findings (at most two), or the reason it was
    skipped or is not applicable — masked as the evidence is (the whole text is in report.html and results.json)."""
    lines = [f"{row['id']}  {_STATUS[row['status']]:<14} {row['zh']} / {row['en']}"]
    if row["status"] != "pass":
        found = [f for f in row["findings"] if f["status"] == row["status"]][:2] or row["findings"][:1]
        lines += [f"        └ {mask_text(f['zh'])} / {mask_text(f['en'])}" for f in found]
    return lines


def register(app: typer.Typer) -> None:
    @certify_app.command("agency")
    def agency(
        base_url: str = typer.Option(..., "--base-url", help="被测系统地址 / the system under test, e.g. "
                                                             "http://127.0.0.1:8700"),
        fixtures: Path = typer.Option(..., "--fixtures", help="测试数据（YAML）/ the fixtures file (YAML)"),
        agency_code: str | None = typer.Option(None, "--agency", help="被测机构代码，缺省取测试数据 / the agency "
                                                                       "code (default: the fixtures')"),
        hub: bool = typer.Option(False, "--hub", help="被测系统为总对总 / the system plays the 总对总 hub"),
        token: str | None = typer.Option(None, "--token", help="法院令牌 / a court's bearer token"),
        admin_token: str | None = typer.Option(None, "--admin-token", help="zhixing 管理令牌（可选）/ zhixing's "
                                                                          "admin token (optional)"),
        namespace: str | None = typer.Option(None, "--namespace", help="zhixing 命名空间 / zhixing namespace"),
        out: Path = typer.Option(Path("certify-evidence"), "--out", help="证据目录 / the evidence directory"),
        unmasked: bool = typer.Option(False, "--unmasked", help="证据中不遮蔽身份证号与账号 / do not mask ID and "
                                                                "account numbers in the evidence"),
        answer_timeout: float = typer.Option(60.0, "--answer-timeout", min=1.0, max=86400.0,
                                             help="等待一次答复的真实秒数上限（非 zhixing）/ real seconds to wait for "
                                                  "an answer (not zhixing)"),
        http_timeout: float = typer.Option(30.0, "--http-timeout", min=0.1, max=3600.0, help="一次请求与应答（含"
                                           "完整应答体）的真实秒数上限 / real seconds one exchange may take in all, "
                                           "the whole answer body included"),
        poll_interval: float = typer.Option(0.5, "--poll-interval", min=0.05, max=3600.0,
                                            help="两次查看答复之间的真实秒数（非 zhixing；规范要求法院至多每分钟"
                                                 "轮询一次，被测系统限流时调大）/ real seconds between two looks "
                                                 "for an answer (not zhixing; raise it for a system whose rate "
                                                 "limits refuse frequent polls)"),
        only: list[str] = typer.Option([], "--only", help="只运行某项检查（可重复）/ run only this check"),
        callback_host: str | None = typer.Option(None, "--callback-host", help="被测系统回调本工具所用的本机地址"
                                                  "[:端口]（在所有网卡上接收；缺省只在回环上）/ this machine's "
                                                  "ADDR[:PORT] as the system under test reaches it for callbacks "
                                                  "(listens on every interface; default: loopback only)"),
    ) -> None:
        """认证协助执行单位或总对总一侧 / certify a system playing an agency or the 总对总 hub.

        退出码 / exit codes: 0 通过 passed；1 有要求未通过或运行被中断 a requirement failed, or
        interrupted；2 用法或输入错误 a usage or input mistake；3 无一通过（全部跳过或不适用）nothing passed；
        4 无未通过、但有与 zhixing 未经确认的解读不同者 none failed, some differ from zhixing's unconfirmed reading
        (certify/README.md)."""
        from certify.evidence import check_evidence_dir
        from certify.runner import run_agency
        from certify.sut import check_base_url

        check_base_url(base_url)  # a malformed URL before the evidence directory is made
        output_dir(out, "--out", make=False)  # made when the evidence is written: a mistake leaves no empty folder
        check_evidence_dir(out)  # a former run's evidence is overwritten; anything else there would fail `verify`
        result = run_agency(base_url, fixtures, out, agency=agency_code, hub=hub, token=token,
                            admin_token=admin_token, namespace=namespace, unmasked=unmasked,
                            answer_timeout=answer_timeout, http_timeout=http_timeout, only=tuple(only),
                            callback_host=callback_host, poll_interval=poll_interval,
                            progress=lambda line: typer.echo(line, err=True))
        from certify.evidence import requirement_results

        rows = requirement_results(result.findings, "agency")
        for row in rows:
            typer.echo("\n".join(_row_lines(row)))
        typer.echo(_summary(rows))
        typer.echo(f"证据 / evidence: {out}  (report.html, results.json, junit.xml, manifest.json)")
        typer.echo(f"摘要 / digest (SHA-256): {result.digest}")
        if result.interrupted:
            typer.echo("运行被中断（Ctrl-C）：证据只含此前的检查 / the run was interrupted (Ctrl-C): the evidence "
                       "holds the checks until then", err=True)
        if result.failed:  # a failing finding outside the requirements' rows too
            raise typer.Exit(1)
        _exit_for(rows, result.interrupted)

    @certify_app.command("court")
    def court(
        listen: str = typer.Option("127.0.0.1:8790", "--listen", help="监听 主机:端口 / HOST:PORT to serve on"),
        out: Path = typer.Option(Path("certify-evidence-court"), "--out", help="证据目录 / the evidence directory"),
        duration: float | None = typer.Option(None, "--duration", min=1.0, help="服务多少真实秒后评分（缺省到 Ctrl-C）"
                                              " / real seconds to serve before grading (default: until Ctrl-C)"),
        fault_every: int = typer.Option(3, "--fault-every", min=0, help="每 N 个新请求中注入一次 503 与一次 429"
                                        "（N 为 1 时不注入 503 / 429，为 2 时只有 503）；"
                                        "另按固定计划对新冻结、查封（01、11）及扣划（06，单独计数）注入答复丢失"
                                        "（机构已办理，法院收到 504）；0 一概不注入 / "
                                        "of every N new requests one gets a 503 and one a 429 (N 1: neither; 2: "
                                        "503s only); lost answers (carried out, the court gets a 504) of new freezes "
                                        "and seals (01, 11) and deductions (06, counted apart) on a schedule of their "
                                        "own; 0: no faults at all"),
        retry_after: int = typer.Option(120, "--retry-after", min=1, help="注入 429 的 Retry-After 秒数 / seconds"),
        court_region: list[str] = typer.Option([], "--court-region", help="法院代码=所在地区划代码（可重复）/ "
                                               "COURT=REGION, the court's 6-digit place (repeatable)"),
        driver: str | None = typer.Option(None, "--driver", help="被测法院的驱动接口地址：按认证案例立案、推进时间"
                                          "并评分 / the court's driver interface URL: file the kit's cases, advance "
                                          "time, grade"),
        unmasked: bool = typer.Option(False, "--unmasked", help="证据中不遮蔽身份证号与账号 / unmasked evidence"),
        allow_callback_host: list[str] = typer.Option([], "--allow-callback-host", help="模拟机构可向其回调的主机"
                                                      "（可重复；缺省只有本机回环；* 为任意）/ a host the agencies "
                                                      "may post callbacks to (repeatable; default loopback; * any)"),
        advertise: str | None = typer.Option(None, "--advertise", help="法院系统访问模拟机构所用的本机地址（监听"
                                             " 0.0.0.0 时须给出，否则用本机回环）/ this machine's address as the court "
                                             "reaches it (with --listen 0.0.0.0; default loopback)"),
    ) -> None:
        """认证法院一侧：提供带检查的模拟总对总与机构，评分法院系统的往来 / certify a court system: serve the
        instrumented mock hub and agencies, grade the court's traffic.

        退出码 / exit codes: 0 通过 passed；1 有要求未通过或运行被中断 a requirement failed, or
        interrupted；2 用法或输入错误 a usage or input mistake；3 无一通过（全部跳过或不适用，如法院从未连接）
        nothing passed (e.g. the court never connected)."""
        from certify.court_runner import (
            WILDCARDS,
            advertised_host,
            drive_court,
            lab_settings,
            parse_listen,
            parse_regions,
            serve_court,
        )
        from certify.evidence import check_evidence_dir
        from certify.sut import check_base_url

        regions = parse_regions(court_region)
        host, port = parse_listen(listen)
        lab_settings(host, port, tuple(allow_callback_host))  # a bad host before anything runs
        named = advertised_host(host, advertise)  # a bad --advertise before anything runs
        if host in WILDCARDS and advertise is None:
            typer.echo(f"监听所有网卡（{host}）；本机以外的法院系统须用本机地址访问，请以 --advertise 指定，"
                       f"此处暂用 {named} / listening on every interface ({host}): a court on another machine must "
                       f"use this machine's address — give it with --advertise; {named} is used meanwhile", err=True)
        if driver is not None:
            check_base_url(driver, "--driver")
        output_dir(out, "--out", make=False)  # made when the evidence is written: a mistake leaves no empty folder
        check_evidence_dir(out)  # a former run's evidence is overwritten; anything else there would fail `verify`
        if driver is not None:
            digest, rows, driven = drive_court(driver, listen, out, fault_every=fault_every, retry_after=retry_after,
                                               regions=regions, unmasked=unmasked,
                                               callback_hosts=tuple(allow_callback_host), advertise=advertise)
            typer.echo(f"认证案例 / kit cases: {driven.passed} 通过 passed, {len(driven.failed)} 未完成 did not "
                       f"complete{'：' + '；'.join(driven.failed) if driven.failed else ''}")
            for name in driven.failed:  # why, in the court's own words (masked like the evidence)
                why = driven.why.get(name, "")
                typer.echo(f"  - {name}: {why if unmasked else mask_text(why)}")
        else:
            digest, rows = serve_court(listen, out, duration=duration, fault_every=fault_every, retry_after=retry_after,
                                       regions=regions, unmasked=unmasked,
                                       callback_hosts=tuple(allow_callback_host), advertise=advertise,
                                       on_cases=typer.echo,
                                       on_ready=lambda url: typer.echo(f"认证用模拟机构 / instrumented agencies: "
                                                                       f"{url}（Ctrl-C 结束并评分 / Ctrl-C to grade）"))
        for row in rows:
            typer.echo("\n".join(_row_lines(row)))
        typer.echo(_summary(rows))
        typer.echo(f"证据 / evidence: {out}\n摘要 / digest (SHA-256): {digest}")
        interrupted = driver is not None and driven.interrupted
        if interrupted:  # as the agency side: graded so far, the evidence written, exit 1
            typer.echo("运行被中断（Ctrl-C）：其余认证案例未运行，证据只含此前的往来 / the run was interrupted "
                       "(Ctrl-C): the remaining kit cases did not run; the evidence holds the traffic until then",
                       err=True)
        _exit_for(rows, interrupted)

    @certify_app.command("verify")
    def verify(directory: Path = typer.Argument(..., help="证据目录 / the evidence directory")) -> None:
        """校验证据目录未被改动 / check an evidence directory is unchanged.

        退出码 / exit codes: 0 证据完整 intact；1 证据不完整（列出每处改动、缺失或多出的文件）not intact, every changed,
        missing or added file listed；2 用法错误（目录不存在、没有摘要文件）a usage mistake (no such directory, no
        digest file)."""
        from certify.evidence import EvidenceNotIntact, verify_evidence

        try:
            digest = verify_evidence(directory)
        except EvidenceNotIntact as err:  # a verdict on the evidence (exit 1); a usage error stays exit 2
            for problem in err.problems:
                typer.echo(problem.message, err=True)
            typer.echo(f"证据不完整 / evidence not intact: {directory}（{len(err.problems)} 处 / "
                       f"{len(err.problems)} problems）", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"证据完整 / evidence intact: {directory}\n摘要 / digest (SHA-256): {digest}")

    app.add_typer(certify_app, name="certify")
