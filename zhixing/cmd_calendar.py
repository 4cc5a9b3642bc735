"""`zhixing calendar show YEAR`: a year's rest days and make-up working days, each with its source.

Also the calendar settings shared by the commands that build a legal calendar (``--strict-calendar``).
"""

from __future__ import annotations

import json
import os
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import typer

from core_flow.legal_calendar import (
    ENV_VAR,
    STRICT_ENV_VAR,
    HolidayCalendar,
    default_calendar,
    load_extension,
    provisional_warning,
)

_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OFFICIAL = "官方 official"
PROVISIONAL = "暂定 provisional"


def strict_option() -> Any:
    """The ``--strict-calendar`` flag of every command that builds a legal calendar."""
    return typer.Option(
        False,
        "--strict-calendar",
        help=(
            "严格日历：没有国务院通知的年份不用暂定日历，引擎以 CALENDAR_RANGE 拒绝（亦可设环境变量 "
            f"{STRICT_ENV_VAR}=1）/ strict calendar: no provisional years, the engine refuses with CALENDAR_RANGE "
            f"(or set {STRICT_ENV_VAR}=1)"
        ),
    )


def strict_setting(flag: bool) -> bool | None:
    """The flag turns strict mode on; without it ``$ZHIXING_CALENDAR_STRICT`` decides (None)."""
    return True if flag else None


def holidays_option() -> Any:
    return typer.Option(
        [], "--holidays", help="节假日扩展 YAML 文件（可多次）/ holiday extension YAML file (repeatable)"
    )


def holiday_file_option() -> Any:
    """``--holidays FILE`` of a command that runs zhixing's engine (simulate, plan, scenarios run, demo)."""
    return typer.Option(
        None, "--holidays", help=(
            f"节假日扩展 YAML 文件（如新一年的国务院通知；亦可设环境变量 {ENV_VAR}），本进程与工作进程均使用 / a "
            f"holiday extension YAML file (next year's State Council notice, say; or set {ENV_VAR}), used by this "
            "process and its workers"))


def use_holiday_file(path: Path | None) -> None:
    """The command's ``--holidays FILE``: checked now (its mistakes located before anything runs), then the
    calendar of this process and of every worker it starts (they inherit ``$ZHIXING_HOLIDAYS``) adds it."""
    if path is None:
        return
    load_extension(path)
    os.environ[ENV_VAR] = str(Path(path).resolve())
    default_calendar.cache_clear()  # built before the option was read (a calendar warmed at import)


def _day(d: date) -> str:
    return f"{d.isoformat()} {_WEEKDAYS_ZH[d.weekday()]} {_WEEKDAYS_EN[d.weekday()]}"


def year_report(hc: HolidayCalendar, year: int) -> dict[str, Any]:
    """One year of ``hc`` as a JSON-ready dict (raises CalendarRangeError where the year cannot be used)."""
    with warnings.catch_warnings():  # the provisional warning is part of the report itself
        warnings.simplefilter("ignore")
        data = hc.year_data(year)
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        rest = [o for o in range(first, last + 1) if hc.is_rest_ord(o)]
    kind = PROVISIONAL if data.provisional else OFFICIAL
    holidays = sorted(data.holidays)
    weekend_rest = [o for o in rest if o not in data.holidays]
    return {
        "year": year,
        "provisional": data.provisional,
        "source_kind": kind,
        "source": data.source,
        "warnings": [provisional_warning(year)] if data.provisional else [],
        "holidays": [
            {"date": date.fromordinal(o).isoformat(), "day": _day(date.fromordinal(o)), "name": data.holidays[o],
             "source_kind": kind}
            for o in holidays
        ],
        "workdays": [
            {"date": date.fromordinal(o).isoformat(), "day": _day(date.fromordinal(o)), "source_kind": kind}
            for o in sorted(data.workdays)
        ],
        "workdays_known": not data.provisional,
        "weekend_rest_days": [date.fromordinal(o).isoformat() for o in weekend_rest],
        "rest_days": len(rest),
        "working_days": last - first + 1 - len(rest),
    }


def _text(r: dict[str, Any], weekends: bool) -> list[str]:
    y = r["year"]
    lines = [
        f"{y} 年节假日 / holidays of {y}",
        f"来源 / source: {r['source_kind']} — {r['source']}",
    ]
    lines += [f"警告 / warning: {w}" for w in r["warnings"]]
    lines.append(f"节假日休息日 / holiday rest days ({len(r['holidays'])}):")
    lines += [f"  {h['day']}  {h['name']}  [{h['source_kind']}]" for h in r["holidays"]]
    lines.append(f"调休上班日 / make-up working days ({len(r['workdays'])}):")
    if r["workdays"]:
        lines += [f"  {w['day']}  调休上班 make-up working day  [{w['source_kind']}]" for w in r["workdays"]]
    elif not r["workdays_known"]:
        lines.append(f"  未知 unknown — 调休未知 make-up days unknown  [{PROVISIONAL}]")
    else:
        lines.append("  无 none")
    n_weekend = len(r["weekend_rest_days"])
    hint = "" if weekends else "（--weekends 列出 / lists them）"
    lines.append(f"周末休息日 / weekend rest days: {n_weekend} 天 days{hint}")
    if weekends:
        days = r["weekend_rest_days"]
        lines += ["  " + "  ".join(days[i : i + 8]) for i in range(0, len(days), 8)]
    lines.append(
        f"合计 / total: 休息日 {r['rest_days']} 天，工作日 {r['working_days']} 天 / "
        f"{r['rest_days']} rest days, {r['working_days']} working days"
    )
    return lines


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="法定日历：节假日与调休 / the legal calendar: holidays and make-up days",
                      no_args_is_help=True)

    @sub.command("show")
    def show(
        year: int = typer.Argument(..., help="年份 / year, e.g. 2027"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
        weekends: bool = typer.Option(False, "--weekends", help="列出周末休息日 / list the weekend rest days"),
        holidays: list[Path] = holidays_option(),
        strict_calendar: bool = strict_option(),
    ) -> None:
        """列出一年的休息日与调休上班日及其来源（官方 / 暂定）/ a year's rest and make-up days with their source."""
        hc = HolidayCalendar(holidays, strict=strict_setting(strict_calendar))
        report = year_report(hc, year)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for line in _text(report, weekends):
            typer.echo(line)

    app.add_typer(sub, name="calendar")
