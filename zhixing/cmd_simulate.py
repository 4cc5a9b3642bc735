"""`zhixing simulate`: year-scale runs of a court profile with replications, KPIs with 95% CIs and an offline
HTML report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from core_flow.errors import UserError
from sim.backends import BACKENDS
from zhixing.cmd_calendar import holiday_file_option, use_holiday_file
from zhixing.console import Table
from zhixing.console import console as plain_console
from zhixing.numbers import number_option
from zhixing.outputs import output_dir
from zhixing.when import day_words

HEADLINE = ("compliance", "filed", "carried_over", "carried_over_closed", "overdue_at_start",
            "node_freezes_at_start", "unfreeze_approvals_at_start", "closed", "within_limit_share",
            "within_statutory_share", "zhongben_rate", "cycle_p50_days", "cycle_p90_days", "warnings", "node_freezes",
            "unfreeze_approvals", "duban_raised", "duban_closed", "resumptions", "sweeps", "recovered_yuan",
            "fees_yuan", "proceeds_yuan", "returned_yuan", "lots_priced", "auctions_first", "sold_first_auction",
            "sold_second_auction", "sold_sale_period", "sales_confirmed", "in_kind", "rounds_withdrawn",
            "buyer_defaults", "reauctions", "deposits_forfeited_yuan",
            "sale_days_p50", "sale_days_km_p50", "lots_in_disposal_end", "open_at_end", "zhongben_register_at_end",
            "utilisation.承办法官", "utilisation.书记员", "utilisation.执行局长", "overtime_hours.承办法官",
            "agency_requests_per_day", "court_requests_per_day", "cases_per_judge_year")


# a KPI only one replication has a value for (one run, or sale_days_p50 where the other runs sold nothing; review R17
# F6: "1 次重复" read as if the run had had one replication)
NO_CI = "无区间（仅 1 次有值）/ no CI (1 value)"
ONE_REPLICATION = ("只有 1 次重复：没有置信区间，均值即该次结果；规划请至少 2 次（默认 3 次，-r） / "
                   "one replication: no confidence interval, the mean is that run's figure; plan with at least 2 "
                   "(default 3, -r)")

# two replications: the interval is the t-interval over two values (t = 12.7), some 6 times their difference either side
# of the mean — 新收案件 932 [493, 1,370] read as though the intake itself were that uncertain
TWO_REPLICATIONS = ("只有 2 次重复：95% 置信区间由两次结果之差估计，均值两侧各约为其差的 6 倍，故很宽（不是收案本身"
                    "有这么大的波动）；要更窄的区间请增加重复次数（-r 5 等），区间的含义见报告关键指标表下的说明 / two "
                    "replications: the 95% interval is estimated from the two results' difference, some 6 times it "
                    "either side of the mean, hence wide (not that the intake itself varies so much); for a narrower "
                    "one run more (-r 5, say); the report says what the interval is under its KPI table")


def fmt_ci(v: dict[str, float], key: str) -> tuple[str, str]:
    """Mean and interval as text: a share (``sim.kpi.is_share(key)``) to three decimals; a count, an amount or days
    to one below 100 (67.5 resumptions, not 67.500) and whole from 100."""
    from sim.kpi import fmt_value
    from sim.report import KM_UNDEFINED_SHORT, km_pooled_cells, km_undefined, no_interval

    if "pooled" in v:  # the time to sale's Kaplan–Meier median, the replications' lots pooled: its own interval
        return km_pooled_cells(v, key)
    # the time to sale's Kaplan–Meier median undefined in some replications (fewer than half the lots disposed of)
    undefined = km_undefined(v)
    if undefined and v["mean"] != v["mean"]:  # in all of them
        return KM_UNDEFINED_SHORT, undefined
    ci = NO_CI if no_interval(v) else f"[{fmt_value(v['low'], key)}, {fmt_value(v['high'], key)}]"
    return fmt_value(v["mean"], key), f"{ci}；{undefined}" if undefined else ci


def kpi_table(kpi: dict[str, dict[str, float]], title: str, keys: tuple[str, ...] = HEADLINE) -> Table:
    table = Table(title=title)
    table.add_column("指标 / KPI")
    table.add_column("均值 mean", justify="right")
    table.add_column("95% CI", justify="right")
    from sim.report import label, shown_kpis

    for k in shown_kpis(kpi, keys):
        table.add_row(label(k), *fmt_ci(kpi[k], k))
    return table


def courts_table(courts: dict[str, dict[str, Any]]) -> Table:
    """Several courts, a row each: the KPIs a higher court compares them by, as means; every KPI of every court with
    its interval is in the report."""
    from sim.report import OVERVIEW

    table = Table(title="各院概览（均值；各院全部指标与95%置信区间见报告） / the courts at a glance (means; every "
                        "KPI of each court with its 95% CI in the report)")
    table.add_column("法院 / court", no_wrap=True)  # a court's name whole; the figures' columns give way
    for _, header in OVERVIEW:
        table.add_column(header, justify="right")
    for name, data in courts.items():
        kpi = data["kpi"]
        table.add_row(name, *("–" if k not in kpi else fmt_ci(kpi[k], k)[0] for k, _ in OVERVIEW))
    return table


def year_table(years: list[dict[str, Any]]) -> Table:
    """The run's years side by side (``sim.replicate.by_year``), means: why year 3 differs from year 1 (the report has
    the intervals)."""
    from sim.report import BY_YEAR_HEAD, BY_YEAR_SHORT

    table = Table(title="逐年（均值；不计预热期；未结与终本库为年末数；区间见报告） / year by year (means; the warm-up "
                        "left out; open and register at the year's end; intervals in the report)")
    table.add_column("年 / year", no_wrap=True)
    table.add_column("起 / from", no_wrap=True)
    table.add_column("计入天数\ndays", justify="right", no_wrap=True)
    for key, header in BY_YEAR_HEAD:  # Chinese over English: each column as wide as its longer word
        table.add_column(BY_YEAR_SHORT.get(key, header).replace(" ", "\n", 1), justify="right", no_wrap=True)
    for row in years:
        table.add_row(f"第{row['year']}年", row["from"], f"{row['days']:.0f}",
                      *(fmt_ci(row[k], k)[0] for k, _ in BY_YEAR_HEAD))
    return table


def agency_table(agency_kpi: dict[str, dict[str, Any]], top: int = 8) -> Table:
    """The busiest agencies province-wide (``sim.replicate.province``): the courts' requests added hour by hour."""
    from sim.report import AGENCY_LOAD_NOTE, agency_name

    table = Table(title=f"全省请求量最大的 {top} 个机构（各院逐小时相加后的峰值） / the {top} busiest agencies "
                        "province-wide (peaks of the courts' requests added hour by hour)", caption=AGENCY_LOAD_NOTE)
    for col in ("机构 / agency", "日均 / per day", "峰值日 / peak day", "峰值小时 / peak hour", "时段 / at"):
        table.add_column(col, justify="left" if col.startswith("机构") else "right")
    for agency, v in list(agency_kpi.items())[:top]:  # the busiest first
        table.add_row(agency_name(agency), *(" ".join(fmt_ci(v[k], k)) for k in ("per_day_mean", "peak_day",
                                                                                  "peak_hour")),
                      f"{v['peak_hour_of_day']:02d}:00")
    return table


class RunElapsedColumn(TimeElapsedColumn):
    """The time since the bar started. rich's own column stops at the time the task first reached 100% — a planner's
    bar, back to 0% at each staff level, then showed 0:00:00 (its first level finished at once) for the whole search."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        if elapsed is None:
            return Text("-:--:--", style="progress.elapsed")
        return Text(str(timedelta(seconds=int(elapsed))), style="progress.elapsed")


def progress_bar(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    RunElapsedColumn(), console=console, transient=True)


@contextmanager
def progress(console: Console, first: str) -> Iterator[Callable[..., None]]:
    """``update(fraction, description=None)`` for a transient progress bar on a terminal, shown from the first
    report: a mistake found before any work (a planner's checks run inside the search) leaves no blank line above
    its error, and output piped to a file or a log gets no bar (rich wrote an empty line there)."""
    shown: list[tuple[Progress, TaskID]] = []

    def update(fraction: float, description: str | None = None) -> None:
        if not console.is_terminal:  # piped to a file or a CI log: a bar there is only a blank line
            return
        if not shown:
            bar = progress_bar(console)
            bar.start()
            shown.append((bar, bar.add_task(first, total=1.0)))
        bar, task = shown[0]
        bar.update(task, completed=fraction, **({"description": description} if description else {}))

    try:
        yield update
    finally:
        for bar, _ in shown:
            bar.stop()


@contextmanager
def crash_exit() -> Iterator[None]:
    """A unit that crashed (a bug, ``sim.replicate.UnitCrashed``: court, replication, seed, the exception in one line,
    the trace's file) said in one message, no stack trace, and the command ends with exit status 3
    (``CRASH_EXIT``; a user's mistake is 2)."""
    from sim.replicate import CRASH_EXIT, UnitCrashed

    try:
        yield
    except UnitCrashed as err:
        typer.echo(f"错误 / error: {err.message}", err=True)
        raise typer.Exit(CRASH_EXIT) from None


EXIT_CODES = ("退出码 / exit status: 0 完成 / done；2 输入或选项有误、规则核查失败 / a mistake in the input or "
              "options, a rule check failed；3 仿真单元崩溃（程序缺陷：法院、重复次数、种子与完整堆栈所在文件"
              "已指明） / a simulation unit crashed (a bug: the court, replication, seed and the file with the full "
              "trace are named)；130 被 Ctrl-C 中断 / interrupted by Ctrl-C")


START = typer.Option(None, "--start", help=(
    "首个仿真时刻（覆盖配置的 origin）：YYYY-MM-DD[ HH:MM] 或 今天、明天，北京时间；只写日期即当日 08:30 / the first "
    "simulated instant (overrides the profile's origin), Beijing time, or today / tomorrow; a date alone starts at "
    "08:30"))


DATE_ORDER = typer.Option(None, "--date-order", metavar="ymd|dmy|mdy", help=(
    "起始状态中短日期（两位年份或年份在后，如 03/05/26、5/3/2026）的顺序：ymd 年/月/日、dmy 日/月/年、"
    "mdy 月/日/年（覆盖配置的 start_state_date_order；缺省由文件本身判断） / the order of the start state's short "
    "dates (a two-digit year or the year last): ymd, dmy or mdy (overrides the profile's start_state_date_order; "
    "unset: told from the file)"))


PROCESS = typer.Option(None, "--process", metavar="FILE", help=(
    "本院完整的流程文件（与内置 core_flow/data/process.yaml 同格式；缺省为内置流程），法院配置的 process: 覆盖再并入"
    "其上；文件有误即报 文件:行 并退出（2） / the court's whole process file (the format of the bundled "
    "core_flow/data/process.yaml; default: the bundled process), the profile's process: overrides merged over it; a "
    "bad file is said at its file:line (exit 2)"))


def overridden(profile: Any, *, start: str | None = None, warmup_days: float | None = None,
               intake: float | None = None, disposal_share: float | None = None,
               date_order: str | None = None) -> Any:
    """The profile with the command line's overrides, each validated as the file's field would be, named by its
    option when wrong."""
    if date_order is not None:
        profile = profile.with_date_order(date_order.strip().lower())
    if start is not None:
        profile = profile.with_origin(day_words(start))  # 今天, 明天: the date, Beijing time
    if warmup_days is not None:
        profile = profile.with_warmup(warmup_days)
    if intake is not None:
        profile = profile.with_intake(intake)
    if disposal_share is not None:
        profile = profile.with_disposal(disposal_share)
    return profile


def profile_for_run(console: Any, profile_path: Path | None, holiday_file: Path | None,
                    process_file: Path | None = None, **overrides: Any) -> Any:
    """The profile a simulation or a planner runs: ``--holidays FILE`` taken first (checked, then used by this
    process and its workers), the file loaded with the court's process file (``--process FILE``: its ``process:``
    checked over it, each problem at the profile's line) and the command line's overrides (``overridden``), and how
    its start state was read, where not as written (an Excel CSV in GBK, title rows, 合计 rows…), said before the run,
    as is the process it runs (``sim.report.process_note``)."""
    from sim.profile import load_profile  # here, not at import: the other commands start faster
    from sim.report import process_note
    from sim.start_state import notes

    use_holiday_file(holiday_file)
    profile = overridden(load_profile(profile_path, process_file), **overrides)
    for note in notes(profile.start_state, profile.origin, profile.start_state_date_order):
        console.print(note)
    console.print(process_note(profile))
    return profile


def start_state_counts(profile: Any) -> tuple[str, int, int] | None:
    """A profile's start state as the run reads it (today's judges): its file name, the cases open and those in the
    终本 register; None without one. A mistake in it is the one the run would say."""
    if not profile.start_state:
        return None
    from sim.start_state import load_start_state

    cases = load_start_state(profile.start_state, profile.origin, profile.people("承办法官"),
                             order=profile.start_state_date_order)
    register = sum(1 for c in cases if c.zhongben_closed is not None)
    return Path(profile.start_state).name, len(cases) - register, register


def start_state_read(profile: Any) -> str | None:
    """How many cases a profile's start state holds, open and in the 终本 register, as the run reads them — a planner's
    check that the export was read whole (a 3,000-row export read as 2,400 shows here, before the run); None
    without one."""
    counts = start_state_counts(profile)
    if counts is None:
        return None
    name, still_open, register = counts
    total = still_open + register
    return (f"起始状态 {name}：读入 {total:,} 件，其中未结 {still_open:,} 件、终本库 {register:,} 件 / "
            f"start state {name}: {total:,} cases read, {still_open:,} open and {register:,} in the 终本 register")


def courts_for_run(console: Any, path: Path | None, holiday_file: Path | None, courts: int,
                   process_file: Path | None = None, **overrides: Any) -> Any:
    """The courts a simulation runs (``sim.province.Province``): a province file's (``courts:``, each court its own
    profile; ``--start``, ``--warmup-days``, ``--dispose`` and ``--process`` apply to every court), or one profile,
    ``courts`` times alike (``--courts``)."""
    from sim.province import Province, is_province, load_province

    if not is_province(path):
        profile = profile_for_run(console, path, holiday_file, process_file, **overrides)
        names = [profile.name] if courts == 1 else [f"{profile.name} #{i + 1}" for i in range(courts)]
        return Province(profile.name, tuple((n, profile) for n in names))
    from sim.start_state import notes

    if courts != 1:
        raise UserError("省级配置已列出各法院，不能再用 --courts；同样的法院请在该院下写 count: N",
                        "a province file lists its courts: --courts does not apply; for N courts alike write count: N "
                        "under the court", where="--courts")
    if overrides.get("intake") is not None:
        raise UserError("省级配置的各院收案不同，--intake 不适用；请在各院写 intake: {yearly: …}",
                        "a province's courts have their own intake: --intake does not apply; write intake: {yearly: …} "
                        "under each court", where="--intake")
    use_holiday_file(holiday_file)
    province = load_province(path)  # type: ignore[arg-type]
    for note in province.notes:  # how its courts table was read (GBK, title rows…)
        console.print(note)
    each = tuple((name, overridden(profile if process_file is None else profile.with_process_file(process_file),
                                   **overrides)) for name, profile in province.courts)
    from sim.report import process_note

    processes = {name: process_note(profile) for name, profile in each}  # which process each court runs
    if len(set(processes.values())) == 1:
        console.print(next(iter(processes.values())))
    else:
        for name, note in processes.items():
            console.print(f"{name}：{note}")
    said: set[str] = set()
    for name, profile in each:
        if profile.start_state and profile.start_state not in said:  # courts alike share theirs: said once
            said.add(profile.start_state)
            for note in notes(profile.start_state, profile.origin, profile.start_state_date_order):
                console.print(f"{name}：{note}")
    return replace(province, courts=each)


def register(app: typer.Typer) -> None:
    @app.command("simulate", epilog=EXIT_CODES)
    def simulate(
        profile_path: Path | None = typer.Argument(
            None, metavar="PROFILE", help="法院配置 YAML（缺省为内置默认法院；本院的起步模板：zhixing plan "
            "template --out 本院.yaml），或列出各院的省级配置（courts:） / court profile YAML (a starter for your "
            "court: zhixing plan template --out 本院.yaml), or a province file listing its courts (courts:)"),
        years: float = typer.Option(1.0, "--years", help=(
            "模拟年数，每年 365 天（可为小数，如 0.4）；其间每有一个 2 月 29 日，结束时刻即比周年早一天 / years "
            "simulated, of 365 days each (fractions allowed: 0.4); the run ends a day before its anniversary for each "
            "29 February in it")),
        replications: int = typer.Option(3, "--replications", "-r", help="重复次数 / replications"),
        seed: int = typer.Option(2025, "--seed", help="随机种子 / seed"),
        workers: int = typer.Option(1, "--workers", "-w", help="并行进程数 / worker processes"),
        backend: str = typer.Option("process", "--backend", help=f"后端 / backend: {', '.join(BACKENDS)}"),
        warmup_days: float | None = typer.Option(None, "--warmup-days", parser=number_option("--warmup-days", "days"),
                                                 help="预热期（天，不计入指标；可写 30、30天） / warm-up days"),
        intake: float | None = typer.Option(None, "--intake", parser=number_option("--intake", "count"), help=(
            "年收案（覆盖配置；可写 6000、6,000、6000件、6千） / yearly intake override (6000, 6,000, 6000件, 6千)")),
        disposal_share: float | None = typer.Option(
            None, "--dispose", parser=number_option("--dispose", "share"), help=(
                "处置查得的不动产、车辆（节点19–30）的比例 0–1（覆盖配置，开启 disposal；可写 0.3、30%） / dispose of "
                "this share of the real estate and vehicles found (overrides the profile; turns disposal on; 0.3 or "
                "30%)")),
        out: Path = typer.Option(Path("simulate-out"), "--out", help="输出目录 / output directory"),
        validate: bool = typer.Option(True, "--validate/--no-validate",
                                      help="报告含排队论验证 / add the queueing-theory validation"),
        check: bool = typer.Option(True, "--check/--no-check",
                                   help="仿真同时核查规则（违规即失败） / rule checks while simulating"),
        courts: int = typer.Option(1, "--courts", min=1, help="同配置法院数（各院不同时用省级配置） / courts of this "
                                   "profile (courts that differ: a province file)"),
        events: bool = typer.Option(False, "--events", help="另写逐事件表（CSV，已脱敏） / also write per-event CSV"),
        start: str | None = START,
        date_order: str | None = DATE_ORDER,
        holiday_file: Path | None = holiday_file_option(),
        process_file: Path | None = PROCESS,
    ) -> None:
        """年度仿真：按法院配置运行多次重复，输出带95%置信区间的指标与离线报告 / year-scale simulation with CIs."""
        console = plain_console(120)
        from sim.replicate import aggregate, check_backend, make_units, run_units
        from sim.report import write_outputs

        check_backend(backend, workers)
        province = courts_for_run(console, profile_path, holiday_file, courts, process_file, start=start,
                                  warmup_days=warmup_days, intake=intake, disposal_share=disposal_share,
                                  date_order=date_order)
        profile = province.courts[0][1]
        read: set[str] = set()
        for name, each in province.courts:  # courts alike share their start state: said once
            if each.start_state and each.start_state not in read and (said := start_state_read(each)):
                read.add(each.start_state)
                console.print(said if len(province.courts) == 1 else f"{name}：{said}")
        units = make_units(list(province.courts), years=years, replications=replications, seed=seed,
                           check=check, events_dir=str(out / "events") if events else None)
        output_dir(out, "--out")  # made (or refused) before the run, after the options are known good
        since = profile.origin.strftime("%Y-%m-%d %H:%M")
        console.print(f"仿真 {province.name}{_count(province)}：自 {since} 起 {years:g} 年 × {replications} 次重复，"
                      f"种子 {seed}，后端 {backend} × {workers} / simulating {years:g} years from {since} × "
                      f"{replications} replications")
        from sim.report import provisional_ahead_line, warmup_note

        # said before the figures (a planner reads the top of the terminal): the provisional holiday years the run goes
        # into, and what the KPIs count (the warm-up left out)
        if note := provisional_ahead_line((p.origin for _, p in province.courts), years):
            console.print(note)
        console.print(warmup_note(profile.origin, years, profile.warmup_days))
        t0 = time.perf_counter()
        with crash_exit(), progress(console, "仿真中 / simulating") as update:
            results = run_units(units, backend=backend, workers=workers, progress=update, crash_dir=out)
        wall = time.perf_counter() - t0
        agg = aggregate(results, seed=seed)
        if len(agg["courts"]) == 1:
            for name, data in agg["courts"].items():
                console.print(kpi_table(data["kpi"], f"关键指标（均值与95%置信区间） / KPIs, mean and 95% CI — {name}"))
                if "pooled" in data["kpi"].get("sale_days_km_p50", {}):  # not a mean: what it is, its interval's how
                    from sim.report import km_pooled_note

                    console.print(km_pooled_note(data["kpi"]["sale_days_km_p50"]))
                if len(data.get("by_year") or ()) > 1:
                    console.print(year_table(data["by_year"]))
        else:  # a province: a row per court (a hundred courts' full tables were a wall of text); each in the report
            console.print(courts_table(agg["courts"]))
        if "province" in agg:  # the courts summed, replication by replication
            n = len(province.courts)
            console.print(kpi_table(agg["province"]["kpi"], f"全省合计（{n} 个法院；遵守率与占比按全省合计计算，"
                                    f"利用率与周期见各院） / province total ({n} courts; compliance and shares of the "
                                    "province as a whole; utilisation and cycle times: per court)"))
            console.print(agency_table(agg["province"]["agency_kpi"]))
        if replications == 1:
            console.print(ONE_REPLICATION)
        elif replications == 2:
            console.print(TWO_REPLICATIONS)
        from sim.report import calendar_note

        if note := calendar_note(agg["calendar"]):
            console.print(note)
        from sim.horizon import horizon_notes

        warnings = horizon_notes([p for _, p in province.courts], years)
        for w in warnings:
            console.print(w)
        invariants = None
        if check:
            invariants = {"cases": sum(r["invariants"]["cases"] for r in results), "violations": []}
            console.print(f"规则核查通过：{invariants['cases']:,} 件案件，0 处违规 / rule checks passed: "
                          f"{invariants['cases']:,} cases, no violation")
        validation = _validation(results) if validate else None
        from sim.profile import process_lines
        from sim.report import counted_window

        lo, hi = counted_window(profile.origin, years, profile.warmup_days)
        params: dict[str, Any] = {"years": years, "replications": replications, "seed": seed, "backend": backend,
                                  "workers": workers, "wall_s": round(wall, 2),
                                  "kpi_window": {"from": lo.isoformat(), "to": hi.isoformat(),
                                                 "warmup_days": profile.warmup_days},
                                  "process": {name: dict(zip(("base", "overrides"), process_lines(each), strict=True))
                                              for name, each in province.courts}}
        paths = write_outputs(out, agg, profile, params, validation, invariants=invariants,
                              courts=province.courts, title=province.name, notes=province.notes, warnings=warnings)
        cases = sum(r["meta"]["cases_filed"] for r in results)
        carried = sum(r["meta"].get("start_cases", 0) for r in results)
        plus_zh, plus_en = (f"，另有旧存 {carried:,} 件", f" and {carried:,} carried over") if carried else ("", "")
        console.print(f"用时 {wall:.1f} 秒（新收 {cases:,} 件{plus_zh}） / {wall:.1f} s for {cases:,} cases filed"
                      f"{plus_en}")
        console.print(f"报告 / report: {paths['html']}；指标 / KPIs: {paths['json']}；"
                      f"案件表 / cases: {paths['cases']}")


def _count(province: Any) -> str:
    n = len(province.courts)
    return f"（{n} 个法院 / {n} courts）" if n > 1 else ""


def _validation(results: list[dict[str, Any]]) -> dict[str, Any]:
    from sim.validate import little, mmc

    return {"mmc": [mmc(9, 1, 10, hours=1000, replications=8).as_dict(),
                    mmc(4, 1, 5, hours=1000, replications=8).as_dict()],
            "little": little(results[0])}
