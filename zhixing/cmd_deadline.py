"""`zhixing deadline`: when does a period end? (the legal calendar from the command line)."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import typer

from core_flow.errors import UserError
from core_flow.legal_calendar import (
    HolidayCalendar,
    LegalCalendar,
    Period,
    Policy,
    default_calendar,
    parse_local,
)
from zhixing.cmd_calendar import PROVISIONAL, holidays_option, strict_option, strict_setting
from zhixing.when import day_words


def _policy(text: str) -> Policy:
    try:
        return Policy(text.strip().lower())
    except ValueError:
        raise UserError(
            f"计算规则无效：{text!r}（应为 cpl 或 natural）",
            f"invalid policy {text!r} (cpl or natural)",
            where="--policy",
        ) from None


def register(app: typer.Typer) -> None:
    @app.command("deadline")
    def deadline(
        from_: str = typer.Option(
            ...,
            "--from",
            help="起算时点（或 现在、今天）/ start, e.g. '2025-09-29 10:00' (CST, +08:00 unless an offset is given), "
                 "or now / today",
        ),
        period: str = typer.Option(..., "--period", help=(
            "期间 / period: 3d, 48h, 10wd, 6m, 1y, same_day（或 三日、四十八小时、十个工作日、六个月、一年、当天）")),
        policy: str = typer.Option("cpl", "--policy", help="计算规则 / policy: cpl (民诉法, default) | natural"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
        holidays: list[Path] = holidays_option(),
        strict_calendar: bool = strict_option(),
    ) -> None:
        """计算期间届满时刻 / compute when a period ends (民诉法 第八十五条)."""
        start = parse_local(day_words(from_), field="--from")  # 现在 / 今天: the wall clock, Beijing time
        per = Period.parse(period, field="--period")
        pol = _policy(policy)
        if holidays or strict_calendar:
            cal = LegalCalendar(HolidayCalendar(holidays, strict=strict_setting(strict_calendar)))
        else:
            cal = default_calendar()
        with warnings.catch_warnings():
            # the result carries the warnings; they are printed below in the command's own format
            warnings.simplefilter("ignore")
            try:
                result = cal.deadline(start, per, pol)
            except UserError as err:
                if err.where in ("date", "year"):  # the period runs past year 9999: the input is at fault
                    err.where = "--from / --period"
                raise
            if as_json:
                typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
                return
            lines = result.explain()
        mark = f"  [{PROVISIONAL}]" if result.provisional else ""
        typer.echo(f"最后一日 / last day: {result.last_day.isoformat()}{mark}")
        typer.echo(f"届满时刻 / due: {result.due.isoformat()} ({result.due_local}){mark}")
        if result.provisional:
            ys = ", ".join(str(y) for y in result.provisional_years)
            typer.echo(
                f"暂定 / provisional: 结果依赖 {ys} 年暂定日历（无国务院节假日通知，调休未知），见下方警告 / "
                f"the result depends on the provisional calendar of {ys} (no State Council notice, make-up days "
                "unknown); see the warning below"
            )
        typer.echo("说明 / explanation:")
        for line in lines:
            typer.echo(f"  {line}")
        if not sys.stdout.isatty():  # the explanation above carries the warnings; written to a file or a pipe, the
            for w in result.warnings:  # terminal still shows the guess (once, not twice, when both are the terminal)
                typer.echo(f"警告 / warning: {w}", err=True)
