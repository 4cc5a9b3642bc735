"""`zhixing scenarios run`: scenario suites (YAML case timelines) in virtual time, with JUnit and HTML reports."""

from __future__ import annotations

from pathlib import Path

import typer

from zhixing.cmd_calendar import holiday_file_option, strict_option, strict_setting, use_holiday_file
from zhixing.outputs import output_file


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="场景文件：在虚拟时间中运行案件时间线 / scenario suites run in virtual time",
                      no_args_is_help=True)

    @sub.command("run")
    def run(
        paths: list[Path] = typer.Argument(..., help="场景文件或目录 / scenario files or directories"),
        junit: Path | None = typer.Option(None, "--junit", help="JUnit XML 报告 / JUnit XML report file"),
        html: Path | None = typer.Option(None, "--html", help="HTML 报告 / self-contained HTML report file"),
        agencies_url: str | None = typer.Option(
            None, "--agencies-url",
            help="外部模拟机构服务地址 / a running mock agencies server (zhixing agencies serve)"),
        court_url: str | None = typer.Option(
            None, "--court-url",
            help="被测法院系统（驱动接口的 HTTP 形式：zhixing court serve 或厂商适配器），须同时给出 --agencies-url / "
                 "the court system under test (the driver interface over HTTP: zhixing court serve or a vendor's "
                 "adapter); needs --agencies-url"),
        court_driver: str | None = typer.Option(
            None, "--court-driver",
            help="厂商驱动工厂（zhixing.drivers 入口点名或 模块:属性）/ a vendor's driver factory (an entry point of "
                 "zhixing.drivers, or module:attribute)"),
        realtime: bool = typer.Option(
            False, "--realtime",
            help="在实时时钟上运行（本机实时模拟机构服务），须给出 --scale / on the real-time clock against live "
                 "agencies on loopback; needs --scale"),
        scale: float | None = typer.Option(
            None, "--scale", help="实时压缩倍数（每真实秒的虚拟秒数）/ virtual seconds per real second (--realtime)"),
        strict_calendar: bool = strict_option(),
        holiday_file: Path | None = holiday_file_option(),
        process: Path | None = typer.Option(
            None, "--process",
            help="整个流程文件（法院自己的配置，如 core_flow/data/process.yaml 的副本），场景的 process: 并入其上；"
                 "不与 --court-url、--court-driver 同用 / a whole process file for zhixing's court (a court's own "
                 "configuration), each scenario's process: merged over it; not with --court-url or --court-driver"),
        tag: list[str] = typer.Option([], "--tag", help="只运行带此标签的场景（可多次）/ only scenarios with this tag "
                                                      "(repeatable; pytest: -m TAG)"),
        steps: bool = typer.Option(False, "--steps", help="列出每个场景的每一步：检查什么、期望、实际 / list every "
                                                          "step: what it checked, expected and actual"),
        show_exchanges: bool = typer.Option(False, "--show-exchanges",
                                            help="显示查控往来（脱敏，控制台与 HTML）/ show the 查控 exchanges "
                                                 "(masked; console and HTML)"),
    ) -> None:
        """运行场景 / run scenarios.

        退出码 / exit codes: 0 全部通过 all passed；1 有场景未通过 a scenario failed；2 场景文件或选项有误（运行前指明
        文件:行）a bad scenario file or option (said as file:line before anything runs)."""
        from scenarios.cli import run_command

        for path, option in ((junit, "--junit"), (html, "--html")):
            if path is not None:
                output_file(path, option)
        use_holiday_file(holiday_file)  # zhixing's own court: a court under test (--court-url) keeps its own
        code = run_command(paths, junit, html, agencies_url, strict_calendar=strict_setting(strict_calendar),
                           tags=tag or None, show_exchanges=show_exchanges, show_steps=steps,
                           court_url=court_url, court_driver=court_driver, realtime=realtime, scale=scale,
                           process=process)
        if code:
            raise typer.Exit(code)

    @sub.command("record")
    def record(
        events: Path = typer.Option(..., "--events", help="事件日志（JSON lines：zhixing demo --events-out、实时运行；"
                                    "或 zhixing simulate --events 的 CSV）/ an event log (JSON lines, or simulate's "
                                    "CSV)"),
        case: str = typer.Option(..., "--case", help="案号 / the case number in the log"),
        out: Path | None = typer.Option(None, "-o", "--out", help="写入场景文件（缺省：打印）/ write the scenario file "
                                                                 "(default: print it)"),
        process: Path | None = typer.Option(
            None, "--process",
            help="日志中的法院所用的流程文件：场景的 process: 写出它与内置流程的不同之处"
                 "（缺省：按日志推断执行申请费）/ "
                 "the process file the log's court ran: the scenario's process: says what it sets differently from "
                 "the bundled process (default: the application fee as the log shows it)"),
    ) -> None:
        """把事件日志中的一件案件录制为场景文件（回放其输入、断言其结果）/ record a case of an event log as a scenario
        that replays its inputs and asserts its outcomes."""
        from scenarios.record import record_file

        if out is not None:
            output_file(out, "--out")
        text = record_file(events, case, out, process)
        if out is None:
            typer.echo(text, nl=False)
        else:
            typer.echo(f"已写入 / written: {out}（运行 / run: zhixing scenarios run {out}）")
            notes = [line[4:] for line in text.splitlines() if line.startswith("# - ")]
            if notes:  # what was substituted, moved or left out — also in the file's comment
                typer.echo("说明 / notes:")
                typer.echo("\n".join(f"  - {n}" for n in notes))

    app.add_typer(sub, name="scenarios")
