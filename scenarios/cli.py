"""``zhixing scenarios run PATH… [--junit FILE] [--html FILE] [--agencies-url URL] [--court-url URL]
[--court-driver NAME] [--realtime --scale X] [--process FILE] [--tag T] [--steps] [--show-exchanges]``.

The console names each scenario with its tags and result (通过 passed / 失败 failed); a failed scenario (every
scenario with ``--steps``) lists each step — what it checked or did, expected and actual; ``--show-exchanges``
adds the 查控 exchanges (masked) to the console and the HTML report.

Every file is loaded and checked first: a schema error anywhere stops the run before any scenario starts.
With ``--agencies-url`` the server is checked next (a bad or unreachable address stops the run, exit 2), then
each scenario runs on its own namespace of that server (``scenarios.remote``). With ``--court-url`` (and
``--agencies-url``) the court under test is any system serving the court driver interface's HTTP form
(``zhixing court serve`` or a vendor's adapter); ``--court-driver NAME`` loads a vendor's driver factory
(``scenarios.target``). ``--realtime --scale X`` runs zhixing's engine on the real-time clock, X virtual seconds per
real second, against live agencies on loopback (``scenarios.realtime``). ``--process FILE``: the whole process
file zhixing's court runs (a court's own configuration; checked first, a bad file is said at its ``file:line``), a
scenario's ``process:`` merged over it (``scenarios.process_options``); a court system under test has its own, so
``--process`` does not go with ``--court-url`` / ``--court-driver``, and a scenario with ``process:`` is skipped
there (counted as skipped, never passed).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import typer

from core_flow.errors import UserError
from core_flow.xml_text import escaped
from scenarios.loader import CONTROL, load_paths
from scenarios.process_options import load_base
from scenarios.report import console_steps, html_report, junit_xml
from scenarios.runner import Interrupted, run_scenario
from scenarios.target import check_process_option, system_under_test


def _visible(echo: Any) -> Any:
    """``echo`` of text whose control characters are shown as ``\\x1b`` escapes: the lines quote what a court
    under test answered, and an escape sequence there would act on the tester's terminal."""
    def visible(text: str = "", **kwargs: Any) -> None:
        echo(escaped(CONTROL, text), **kwargs)

    return visible


def run_command(paths: list[Path], junit: Path | None = None, html: Path | None = None,
                agencies_url: str | None = None, echo=typer.echo,  # noqa: ANN001
                strict_calendar: bool | None = None, tags: list[str] | None = None,
                show_exchanges: bool = False, show_steps: bool = False, court_url: str | None = None,
                court_driver: str | None = None, realtime: bool = False, scale: float | None = None,
                process: Path | None = None) -> int:
    echo = _visible(echo)
    check_process_option(process, court_url=court_url, court_driver=court_driver)
    base = load_base(process)  # --process FILE: checked whole (file:line) before the scenarios
    scenarios = load_paths(paths, base)  # raises ScenarioFileError (a UserError) listing every problem
    if not scenarios:  # a folder with no scenario is a mistake, not a pass
        raise UserError(f"没有找到场景文件（*.scenario.yaml）：{'、'.join(map(str, paths))}",
                        f"no scenario files (*.scenario.yaml) found in: {', '.join(map(str, paths))}",
                        where="PATH", code="no_scenarios")
    if tags:  # scenarios carrying any of the tags (the same tags are pytest markers: pytest -m)
        known = sorted({t for sc in scenarios for t in sc.tags})
        scenarios = [sc for sc in scenarios if set(sc.tags) & set(tags)]
        if not scenarios:
            near = sorted({m for t in tags for m in difflib.get_close_matches(t, known, n=3, cutoff=0.5)})
            raise UserError(f"没有带标签 {'、'.join(tags)} 的场景（已有标签：{'、'.join(known)}）"
                            + (f"；是否想写：{'、'.join(near)}" if near else ""),
                            f"no scenario tagged {', '.join(tags)} (tags: {', '.join(known)})"
                            + (f"; did you mean: {', '.join(near)}" if near else ""), where="--tag",
                            code="no_scenarios")
    # the system under test: a bad or unreachable URL stops here (exit 2)
    factory = system_under_test(agencies_url=agencies_url, court_url=court_url, court_driver=court_driver,
                                strict_calendar=strict_calendar, realtime=realtime, scale=scale)
    results = []
    interrupted = False
    for sc in scenarios:
        try:
            result = run_scenario(sc, factory, strict_calendar=strict_calendar)
        except Interrupted as stop:  # Ctrl-C: what ran is reported (console, JUnit, HTML), the rest said not run
            result, interrupted = stop.result, True
        results.append(result)
        mark = ("⏹ 中断 interrupted" if interrupted else "⏭ 跳过 skipped" if result.skipped
                else "✔ 通过 passed" if result.passed else "✘ 失败 failed")
        tagged = f"  [{', '.join(sc.tags)}]" if sc.tags else ""
        echo(f"{mark}  {sc.name}{tagged}  ({sc.where}, {result.seconds:.2f} s)")
        if result.skipped:
            echo(f"    {result.skipped}")
            continue
        if result.provisional_years:
            echo(f"    ⚠ 警告 / warning: {result.provisional_note()}")
        if interrupted:  # stopped by the user: no failure to explain
            break
        if show_steps or not result.passed:  # what each step checked, expected and got
            echo("\n".join("    " + line for line in console_steps(result)))
        if not result.passed:
            echo("\n".join("    " + line for line in result.explain().splitlines()))
        if show_exchanges:
            echo(f"    查控往来 exchanges ({len(result.exchanges)}):")
            echo("\n".join("      " + line for line in result.exchanges) or "      —")
    failed = sum(1 for r in results if r.failed)
    skipped = sum(1 for r in results if r.skipped)
    passed = len(results) - failed - skipped
    echo(f"\n共 {len(results)} 个场景，{passed} 通过，{failed} 失败"
         + (f"，{skipped} 跳过" if skipped else "") + f" / {len(results)} scenarios, {passed} passed, {failed} failed"
         + (f", {skipped} skipped" if skipped else ""))
    if interrupted:
        left = len(scenarios) - len(results)
        echo(f"⏹ 运行被中断（Ctrl-C）：最后一个场景未运行完，其余 {left} 个未运行；报告只含已运行的场景，退出码 130 / "
             f"the run was interrupted (Ctrl-C): the last scenario did not finish, {left} more did not run; the "
             "reports hold those that ran — exit code 130")
    flagged = [r for r in results if r.provisional_years]
    if flagged:
        years = sorted({y for r in flagged for y in r.provisional_years})
        ys = "、".join(map(str, years))
        echo(f"⚠ 警告 / warning: {len(flagged)} 个场景的期限依赖 {ys} 年暂定日历（无国务院节假日通知，调休未知；"
             f"通知写入节假日扩展文件即替换）/ {len(flagged)} scenarios have deadlines on the provisional calendar of "
             f"{', '.join(map(str, years))} (no State Council notice, make-up days unknown; put the notice in a "
             "holiday extension file to replace it)")
    if junit:
        junit.write_text(junit_xml(results), encoding="utf-8")
        echo(f"JUnit: {junit}")
    if html:
        html.write_text(html_report(results, exchanges=show_exchanges), encoding="utf-8")
        echo(f"HTML: {html}")
    return 130 if interrupted else 1 if failed else 0
