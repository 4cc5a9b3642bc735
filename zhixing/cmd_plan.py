"""`zhixing plan staffing` / `zhixing plan intake`: the smallest staff meeting a target, the intake a staff carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from core_flow.errors import UserError
from sim.backends import BACKENDS
from zhixing.cmd_calendar import holiday_file_option
from zhixing.cmd_simulate import (
    DATE_ORDER,
    EXIT_CODES,
    PROCESS,
    START,
    crash_exit,
    fmt_ci,
    profile_for_run,
    progress,
    start_state_counts,
)
from zhixing.console import Table
from zhixing.console import console as plain_console
from zhixing.numbers import number_option
from zhixing.outputs import output_file

plan_app = typer.Typer(help="人员规划（另有法院配置模板）/ staffing planner (and a starter court profile)",
                       no_args_is_help=True)

# The options both searches take (one definition each)
PROFILE = typer.Argument(..., metavar="PROFILE", help=(
    "法院配置 YAML（起步模板：zhixing plan template --out 本院.yaml），或省级配置（逐院测算） / court profile YAML (a "
    "starter: zhixing plan template --out 本院.yaml), or a province file (court by court)"))
TARGET = typer.Option("compliance>=0.95", "--target", help=(
    "目标，如 compliance>=0.95、期限遵守率>=95%、利用率.法官<=85%；多个目标以逗号分隔，须全部满足 / target, e.g. "
    "compliance>=0.95 or 期限遵守率>=95% (KPIs also by their Chinese names in the report); several separated by "
    "commas, all to be met (e.g. \"compliance>=0.95, utilisation.承办法官<=0.85\")"))
YEARS = typer.Option(1.0, "--years", help="每个水平的模拟年数，每年 365 天（可为小数） / years simulated per level, "
                                           "of 365 days each (fractions allowed)")
REPLICATIONS = typer.Option(3, "--replications", "-r", help="重复次数 / replications")
MOST = typer.Option(None, "--max-replications", help=(
    "未定的水平（区间跨过目标）加倍重复至至多此数，每次判断按查看次数作 Bonferroni 校正 / a level whose interval "
    "straddles the target is run again with twice the replications, up to this many, each look judged on a "
    "Bonferroni-adjusted interval"))
SEED = typer.Option(2025, "--seed", help="随机种子（各水平共用） / seed, common to all levels")
WORKERS = typer.Option(1, "--workers", "-w", help="并行进程数 / worker processes")
BACKEND = typer.Option("process", "--backend", help=f"后端 / backend: {', '.join(BACKENDS)}")
CSV_OUT = typer.Option(None, "--csv", help="各级的指标表（CSV，均值与95%区间、是否达标）/ every level run as CSV "
                       "(means, 95% intervals, met)")
DISPOSAL_SHARE = typer.Option(None, "--dispose", parser=number_option("--dispose", "share"),
                              help="处置查得的不动产、车辆（节点19–30）的比例 0–1（覆盖配置，"
                              "开启 disposal；可写 0.3、30%） / dispose of this share of the real estate and vehicles "
                              "found (overrides the profile; turns disposal on; 0.3 or 30%)")


@plan_app.command("staffing", epilog=EXIT_CODES)
def staffing(
    profile_path: Path = PROFILE,
    target: str = TARGET,
    roles: list[str] = typer.Option(["承办法官"], "--role", help=(
        "规划的角色；可多次给出，各角色一起测算（边际分配）/ role to size; repeat it to size several roles together "
        "(marginal allocation)")),
    years: float = YEARS,
    replications: int = REPLICATIONS,
    seed: int = SEED,
    workers: int = WORKERS,
    backend: str = BACKEND,
    intake: float | None = typer.Option(None, "--intake", parser=number_option("--intake", "count"), help=(
        "年收案（覆盖配置；可写 6000、6,000、6000件、6千） / yearly intake override (6000, 6,000, 6000件, 6千)")),
    disposal_share: float | None = DISPOSAL_SHARE,
    low: int | None = typer.Option(None, "--min", parser=number_option("--min", "people", whole=True),
                                   help=("起始人数（缺省：现有人数减 2，至少 1）/ first staff level (default: today's "
                                         "headcount − 2, at least 1)")),
    high: int | None = typer.Option(None, "--max", parser=number_option("--max", "people", whole=True),
                                    help=("最大人数（缺省：起始人数加 6 与现有人数加 4 中较大者）/ last staff level "
                                          "(default: the first level + 6 or today's headcount + 4, whichever is "
                                          "higher)")),
    out: Path | None = typer.Option(None, "--out", help="服务水平曲线 HTML / write the curve as HTML"),
    csv_out: Path | None = CSV_OUT,
    most: int | None = MOST,
    start: str | None = START,
    date_order: str | None = DATE_ORDER,
    holiday_file: Path | None = holiday_file_option(),
    process_file: Path | None = PROCESS,
) -> None:
    """满足目标的最少人数与服务水平曲线（共同随机数）；省级配置则逐院测算并汇总 / smallest staff meeting a target,
    service-level curve; a province file: court by court, then a summary."""
    from sim.planner import parse_target  # here, not at import: the other commands start faster
    from sim.profile import canonical_role
    from sim.province import is_province

    console = plain_console(120)
    goal = parse_target(target)
    for path, option in ((out, "--out"), (csv_out, "--csv")):
        if path is not None:
            output_file(path, option)
    roles = [canonical_role(r) for r in roles]  # 法官助理 is the 书记员 role, 法官 the 承办法官
    options = {"years": years, "replications": replications, "seed": seed, "backend": backend, "workers": workers,
               "low": low, "high": high, "most": most}
    if is_province(profile_path):
        _province_staffing(console, profile_path, holiday_file, goal, roles, out=out, csv_out=csv_out,
                           overrides={"start": start, "intake": intake, "disposal_share": disposal_share,
                                      "date_order": date_order, "process_file": process_file}, **options)
        return
    profile = profile_for_run(console, profile_path, holiday_file, process_file, start=start, intake=intake,
                              disposal_share=disposal_share, date_order=date_order)
    warnings = _horizon(console, [profile], years)
    result = _search(console, profile, goal, roles, **options)
    result["warnings"] = warnings
    _write(console, result, profile, out, csv_out)


def _horizon(console: Any, courts: list[Any], years: float) -> list[str]:
    """What the levels' figures leave out (an empty 终本 register, under a year counted), said before the search, after
    the provisional holiday years the levels go into (a guess said where the planner looks first)."""
    from sim.horizon import horizon_notes
    from sim.report import provisional_ahead_line

    if ahead := provisional_ahead_line((p.origin for p in courts), years):
        console.print(ahead)
    notes = horizon_notes(courts, years, warmup_option=False)  # plan has no --warmup-days: the profile's warmup_days
    for note in notes:
        console.print(note)
    return notes


def assumed(profile: Any, goal: Any, varied: list[str], *, years: float | None = None,
            replications: int | None = None, seed: int | None = None, **_: Any) -> str:
    """What a search holds fixed, said before it runs (the answer is only as good as these): the court, the target,
    the intake, the staff of every role not sized, the start state (its cases counted), the disposal, and the levels'
    run. ``varied``: the roles sized, or ``["intake"]``."""
    by_intake = varied == ["intake"]
    fixed = [(r, s.count) for r, s in profile.staff.items() if r not in varied]
    staff_zh = "、".join(f"{r} {n}" for r, n in fixed)
    staff_en = ", ".join(f"{r} {n}" for r, n in fixed)
    if by_intake:
        intake_zh, intake_en = "年收案逐级试算", "the yearly intake varied"
        staff_zh, staff_en = f"现有人员：{staff_zh}", f"today's staff: {staff_en}"
    else:
        intake_zh, intake_en = f"年收案 {profile.intake.yearly:,.0f} 件", f"{profile.intake.yearly:,.0f} cases a year"
        staff_zh = f"{'、'.join(varied)}逐级试算，其余人员不变：{staff_zh}"
        staff_en = f"{', '.join(varied)} varied, the rest fixed: {staff_en}"
    if counts := start_state_counts(profile):  # read as the search's first check reads it (today's judges)
        name, still_open, register = counts
        state_zh = f"起始状态 {name}（未结 {still_open} 件、终本库 {register} 件）"
        state_en = f"start state {name} ({still_open} open, {register} in the 终本 register)"
    else:
        state_zh, state_en = "无起始状态（从零案件开始）", "no start state (from an empty court)"
    if profile.disposal:
        share = f"{profile.disposal_share:.0%}"
        disposal_zh = f"处置查得不动产、车辆的 {share}"
        disposal_en = f"{share} of the real estate and vehicles disposed of"
    else:
        disposal_zh, disposal_en = "不模拟财产处置", "no disposal simulated"
    since = f"{profile.origin:%Y-%m-%d %H:%M}"
    warm = profile.warmup_days
    warm_zh, warm_en = ((f"（其中预热 {warm:g} 天不计入指标）", f" ({warm:g} days' warm-up not counted)") if warm
                        else ("", ""))
    run_zh = run_en = ""
    if years is not None and replications is not None:  # the levels' run (a caller in code may leave it unsaid)
        run_zh = f"；每级自 {since} 起 {years:g} 年{warm_zh} × {replications} 次重复，种子 {seed}（各级共用）"
        run_en = (f"; each level {years:g} years from {since}{warm_en} × {replications} replications, seed {seed} "
                  "(common to all levels)")
    return (f"测算条件：{profile.name}，目标 {goal.text}（按95%置信区间的界判断）；{intake_zh}；{staff_zh}；"
            f"{state_zh}；{disposal_zh}{run_zh} / assumed: {profile.name}, target {goal.text} (judged on the 95% "
            f"interval's bound); {intake_en}; {staff_en}; {state_en}; {disposal_en}{run_en}")


def _search(console: Any, profile: Any, goal: Any, roles: list[str], *, title: str = "",
            **options: Any) -> dict[str, Any]:
    """One court's staffing search, its curve printed and the answer said; ``title``: the courts it is for (a
    province's), said in the table's title."""
    said = assumed(profile, goal, roles, **options)
    console.print(said)
    if len(roles) > 1:
        return {**_joint(console, profile, goal, roles, title=title, **options), "assumed": said}
    from sim.planner import plan_staffing
    from sim.report import calendar_note, label

    role = roles[0]
    with crash_exit(), progress(console, "规划中 / planning") as update:
        result = plan_staffing(profile, goal, role=role, progress=lambda what, f: update(f, what), **options)
    table = Table(title=f"服务水平曲线 / service-level curve — {title}{role}（{options['replications']} 次重复，"
                        "共同随机数 / CRN）")
    table.add_column(f"{role} 人数 / staff", justify="right")
    for k in result["show"]:
        table.add_column(label(k), justify="right")
    table.add_column("达标 / met")
    for p in result["points"]:
        table.add_row(str(p["staff"]), *[" ".join(fmt_ci(p["kpi"][k], k)) if k in p["kpi"] else "–"
                                         for k in result["show"]], _met(p, goal))
    console.print(table)
    _sequential_note(console, result)
    _bound(console, result, goal)
    if result["answer"] is None:
        console.print(f"在 {result['points'][-1]['staff']} 人以内未达到目标 {goal.text} / target not met up to "
                      f"{result['points'][-1]['staff']} people (raise --max)")
    elif result.get("at_low"):
        n = result["answer"]
        console.print(f"{n} 人已满足 {goal.text}（95%置信），更少人数未测（已到 --min）：所需{role}至多 {n} 人 / "
                      f"{n} already meets {goal.text} with 95% confidence; fewer were not run (--min): at most {n}")
    else:
        console.print(f"满足 {goal.text}（95%置信）的最少{role}人数：{result['answer']} / smallest {role} staff "
                      f"meeting {goal.text} with 95% confidence: {result['answer']}")
    for other, used in result.get("busy", {}).items():
        console.print(f"⚠ 此时{other}利用率 {used:.3f}，已近饱和：只测算{role}时{other}可能才是瓶颈，"
                      f"可用 --role {role} --role {other} 一起测算 / the {other} are {used:.3f} utilised here, "
                      f"near saturation, and may be what limits the court: size both with --role {role} --role {other}")
    if note := calendar_note(result["calendar"]):
        console.print(note)
    result["assumed"] = said
    return result


def _province_staffing(console: Any, path: Path, holiday_file: Path | None, goal: Any, roles: list[str], *,
                       out: Path | None, csv_out: Path | None, overrides: dict[str, Any], **options: Any) -> None:
    """A province file: each court's search (courts alike — ``count: N`` — searched once), then one table of every
    court's staff today and the staff meeting the target."""
    from sim.province import alike
    from sim.report import province_curve_page, write_curves_csv
    from zhixing.cmd_simulate import courts_for_run

    province = courts_for_run(console, path, holiday_file, 1, **overrides)
    _horizon(console, [p for _, p in province.courts], options["years"])
    searched: list[tuple[list[str], Any, dict[str, Any]]] = []
    for names, profile in alike(province.courts):
        searched.append((names, profile, _search(console, profile, goal, roles, title=f"{'、'.join(names)}：",
                                                 **options)))
    table = Table(title=f"全省人员测算 / staffing court by court — {province.name}（{goal.text}）")
    table.add_column("法院 / court", no_wrap=True)
    for r in roles:
        table.add_column(f"{r} 现有 / now", justify="right")
        table.add_column(f"{r} 所需 / needed", justify="right")
    total_now = dict.fromkeys(roles, 0)
    total_need: dict[str, int | None] = dict.fromkeys(roles, 0)
    at_most = any(result.get("at_low") for _, _, result in searched)  # a court's "≤ n" makes the total "≤" too
    for names, profile, result in searched:
        need = _answer(result, roles)
        for name in names:
            cells = []
            for r in roles:
                now = profile.staff[r].count if r in profile.staff else 0
                total_now[r] += now
                n = need.get(r)
                total_need[r] = None if n is None or total_need[r] is None else total_need[r] + n  # type: ignore[operator]
                cells += [str(now), _needed(n, now, at_most=bool(result.get("at_low")))]
            table.add_row(name, *cells)
    table.add_row("合计 / total", *(c for r in roles for c in (str(total_now[r]), _needed(total_need[r], total_now[r],
                                                                                         at_most=at_most))))
    console.print(table)
    if any(v is None for v in total_need.values()):
        console.print("有法院在人数上限内未达到目标（表中“未达到”），故无所需合计；请提高 --max / a court did not meet "
                      "the target within the maximum (“not met”), so there is no total needed: raise --max")
    if out is not None:
        out.write_text(province_curve_page(province.name, searched), encoding="utf-8")
        console.print(f"曲线 / curves: {out}")
    if csv_out is not None:
        write_curves_csv(csv_out, [(n, r) for n, _, r in searched])
        console.print(f"各级指标 / levels: {csv_out}")


def _answer(result: dict[str, Any], roles: list[str]) -> dict[str, int | None]:
    answer = result["answer"]
    if isinstance(answer, dict):
        return {r: answer.get(r) for r in roles}
    return {roles[0]: answer}


def _needed(n: int | None, now: int, *, at_most: bool = False) -> str:
    """A court's staff needed beside today's: "4（-2）"; "≤ 4（-2）" when fewer were not run (the search's minimum)."""
    if n is None:
        return "未达到 / not met"
    said = f"≤ {n}" if at_most else str(n)
    return f"{said}（{n - now:+d}）" if n != now else said


def _write(console: Any, result: dict[str, Any], profile: Any, out: Path | None, csv_out: Path | None) -> None:
    from sim.report import curve_page, write_curve_csv

    if out is not None:
        out.write_text(curve_page(result, profile), encoding="utf-8")
        console.print(f"曲线 / curve: {out}")
    if csv_out is not None:
        write_curve_csv(csv_out, result)
        console.print(f"各级指标 / levels: {csv_out}")


def _joint(console: Any, profile: Any, goal: Any, roles: list[str], *, title: str = "",
           **options: Any) -> dict[str, Any]:
    """Several roles sized together: every staffing the search ran, its path, and the answer."""
    from sim.planner_joint import plan_roles
    from sim.report import calendar_note, label, step_text

    with crash_exit(), progress(console, "规划中 / planning") as update:
        result = plan_roles(profile, goal, roles, progress=lambda what, f: update(f, what), **options)
    table = Table(title=f"多角色人员测算 / staffing several roles — {title}{'、'.join(roles)}"
                        f"（{options['replications']} 次重复，共同随机数 / CRN）")
    for r in roles:
        table.add_column(f"{r} / staff", justify="right")
    for k in result["show"]:
        table.add_column(label(k), justify="right")
    table.add_column("路径 / path")
    table.add_column("达标 / met")
    for p in result["points"]:
        table.add_row(*(str(p["staff"][r]) for r in roles), *[" ".join(fmt_ci(p["kpi"][k], k)) if k in p["kpi"]
                                                              else "–" for k in result["show"]],
                      step_text(p), _met(p, goal))
    console.print(table)
    _sequential_note(console, result)
    _bound(console, result, goal)
    if result["answer"] is None:
        console.print(f"在人数上限内未达到目标 {goal.text} / target not met within the staff maximum (raise --max)")
    else:
        said_zh = "、".join(f"{r} {n} 人" for r, n in result["answer"].items())
        said_en = ", ".join(f"{r} {n}" for r, n in result["answer"].items())
        console.print(f"同时满足 {goal.text}（95%置信）的人员：{said_zh}（任一角色再减一人即不满足，或已到下限）"
                      f" / staffing meeting {goal.text} with 95% confidence: {said_en} (one fewer in any role misses "
                      "it, or is below the minimum)")
    if note := calendar_note(result["calendar"]):
        console.print(note)
    return result


@plan_app.command("intake", epilog=EXIT_CODES)
def intake_cmd(
    profile_path: Path = PROFILE,
    target: str = TARGET,
    years: float = YEARS,
    replications: int = REPLICATIONS,
    seed: int = SEED,
    workers: int = WORKERS,
    backend: str = BACKEND,
    low: float = typer.Option(500.0, "--low", parser=number_option("--low", "count"), help="收案下限 / lowest intake"),
    high: float | None = typer.Option(None, "--high", parser=number_option("--high", "count"),
                                      help=("收案上限（缺省：配置年收案的 2 倍）/ highest intake (default: twice "
                                            "the profile's)")),
    steps: int = typer.Option(5, "--steps", help="二分次数 / bisection steps"),
    disposal_share: float | None = DISPOSAL_SHARE,
    csv_out: Path | None = CSV_OUT,
    most: int | None = MOST,
    start: str | None = START,
    date_order: str | None = DATE_ORDER,
    holiday_file: Path | None = holiday_file_option(),
    process_file: Path | None = PROCESS,
) -> None:
    """现有人员能承担的最大年收案；省级配置则逐院测算并汇总 / the largest yearly intake the staff carries while
    meeting the target; a province file: court by court, then a summary."""
    from sim.planner import parse_target
    from sim.province import alike, is_province
    from zhixing.cmd_simulate import courts_for_run

    console = plain_console(120)
    goal = parse_target(target)
    if csv_out is not None:
        output_file(csv_out, "--csv")
    options = {"years": years, "replications": replications, "seed": seed, "backend": backend, "workers": workers,
               "low": low, "high": high, "steps": steps, "most": most}
    if not is_province(profile_path):
        profile = profile_for_run(console, profile_path, holiday_file, process_file, start=start,
                                  disposal_share=disposal_share, date_order=date_order)
        _horizon(console, [profile], years)
        _write(console, _carried(console, profile, goal, **options), profile, None, csv_out)
        return
    province = courts_for_run(console, profile_path, holiday_file, 1, process_file, start=start,
                              disposal_share=disposal_share, date_order=date_order)
    _horizon(console, [p for _, p in province.courts], years)
    searched = [(names, profile, _carried(console, profile, goal, title=f"{'、'.join(names)}：", **options))
                for names, profile in alike(province.courts)]
    table = Table(title=f"全省可承担收案 / intake carried, court by court — {province.name}（{goal.text}）")
    table.add_column("法院 / court", no_wrap=True)
    for col in ("现年收案 / intake now", "可承担 / carried"):
        table.add_column(col, justify="right")
    for names, profile, result in searched:
        answer = result["answer"]
        carried = (f"低于 {low:,.0f} / below {low:,.0f}" if answer is None
                   else f"≥ {answer:,}（上限 / the top）" if result.get("at_high") else f"{answer:,}")
        for name in names:
            table.add_row(name, f"{profile.intake.yearly:,.0f}", carried)
    console.print(table)
    if csv_out is not None:
        from sim.report import write_curves_csv

        write_curves_csv(csv_out, [(n, r) for n, _, r in searched])
        console.print(f"各级指标 / levels: {csv_out}")


def _carried(console: Any, profile: Any, goal: Any, *, title: str = "", low: float, **options: Any) -> dict[str, Any]:
    """One court's intake search, its table printed and the answer said."""
    from sim.planner import plan_intake
    from sim.report import calendar_note, label

    console.print(assumed(profile, goal, ["intake"], **options))
    with crash_exit(), progress(console, "规划中 / planning") as update:
        result = plan_intake(profile, goal, low=low, progress=lambda what, f: update(f, what), **options)
    names = "、".join(goal.kpis)
    table = Table(title=f"收案与 {names} / intake vs {', '.join(goal.kpis)} — {title.rstrip('：')}".rstrip(" —"))
    table.add_column("年收案 / intake", justify="right")
    for k in goal.kpis:
        table.add_column(label(k), justify="right")
    table.add_column("达标 / met")
    for p in result["points"]:
        table.add_row(f"{p['intake']:,.0f}", *[" ".join(fmt_ci(p["kpi"][k], k)) for k in goal.kpis], _met(p, goal))
    console.print(table)
    _sequential_note(console, result)
    _bound(console, result, goal)
    if result["answer"] is None:
        console.print(f"{title}收案 {low:,.0f} 时已不满足 {goal.text} / the target is not met even at {low:,.0f} cases "
                      "a year")
    elif result.get("at_high"):
        console.print(f"{title}搜索上限 {result['high']:,} 件仍满足 {goal.text}：可承担的年收案至少为此数"
                      f"（提高 --high 再测） / {goal.text} still met at the search's top, {result['high']:,} a year: "
                      "the staff carries at least that (raise --high)")
    else:  # the bracket the bisection left: how near "about" is (5 steps over 500–6,400: some 180 cases)
        answer = result["answer"]
        above = min((round(p["intake"]) for p in result["points"] if not p["met"] and p["intake"] > answer),
                    default=None)
        zh, en = (f"；{answer:,} 件达标、{above:,} 件未达标，加大 --steps 可细化", f"; {answer:,} meets it, {above:,} "
                  "does not: more --steps narrow it") if above is not None else ("", "")
        console.print(f"{title}满足 {goal.text}（95%置信）的最大年收案约 {answer:,} 件{zh} / largest yearly intake "
                      f"meeting {goal.text} with 95% confidence: about {answer:,}{en}")
    if note := calendar_note(result["calendar"]):
        console.print(note)
    return result


def _met(point: dict[str, Any], goal: Any) -> str:
    from sim.report import met_text

    return met_text(point, several=len(goal.targets) > 1)


def bound_note(points: list[dict[str, Any]], goal: Any) -> str | None:
    """Why a level whose mean passes the target is ✗ (the bound of the interval it was judged on does not), with the
    first such level's figures: the table read as "0.984 ≥ 0.9, yet ✗" with nothing beside it to say the bound
    decides. With sequential replications a level is judged on its interval at the look's level (``decision``,
    ``level``: ``sim.planner.judged``), wider than the table's 95% — a ✗ beside a 95% interval wholly on the target's
    side (review R28): that interval's bound is said, and its level."""
    from sim.kpi import fmt_value
    from sim.report import label

    for p in points:
        if p["met"]:
            continue
        level = p.get("level", 0.95)
        for t in goal.targets:
            ci = (p.get("decision") or {}).get(t.kpi) or p["kpi"].get(t.kpi)
            mean_met = bool(ci) and t.met({"low": ci["mean"], "high": ci["mean"]})  # as if the mean were certain
            if not mean_met or t.met(ci):
                continue
            low = t.op in (">=", ">")
            bound = ci["low"] if low else ci["high"]
            if "intake" in p:
                at_zh, at_en = f"年收案 {p['intake']:,.0f} 件", f"an intake of {p['intake']:,.0f}"
            elif isinstance(p["staff"], dict):
                at_zh = "、".join(f"{r} {n} 人" for r, n in p["staff"].items())
                at_en = ", ".join(f"{r} {n}" for r, n in p["staff"].items())
            else:
                at_zh, at_en = f"{p['staff']} 人", f"{p['staff']} people"
            mean, said_zh = fmt_value(ci["mean"], t.kpi), fmt_value(bound, t.kpi)
            said_en = said_zh
            if not low and ci.get("high_open"):  # the pooled time to sale's upper bound: beyond the run, no number
                said_zh, said_en = "长于所见", "beyond the run"
            side_zh, side_en = ("下限", "lower bound") if low else ("上限", "upper bound")
            zh_kpi, _, en_kpi = label(t.kpi).partition(" / ")
            at_level = "95%" if level == 0.95 else f"{level:.2%}"
            seq_zh = seq_en = ""
            if level != 0.95:
                n = p.get("replications", 0)
                seq_zh = (f"（该级按 {n} 次重复的 {at_level} 区间判断——逐次加跑按查看次数校正；表中列的是 95% 区间，"
                          "可能已在目标一侧）")
                seq_en = (f" (this level is judged on the {at_level} interval of its {n} replications — sequential "
                          "looks, Bonferroni-adjusted; the table shows the 95% interval, which may lie on the "
                          "target's side)")
            return (f"达标以{at_level}置信区间的界判断，不只看均值（目标为 ≥ 时看下限，≤ 时看上限）："
                    f"{at_zh}时{zh_kpi}的均值 {mean} 已满足 {t.text}，但{side_zh} {said_zh} 未满足，故记为 ✗{seq_zh}；"
                    "重复次数越多区间越窄（-r，或 --max-replications 只给未定的水平加跑） / "
                    f"met is judged on the {at_level} interval's bound, not the mean alone (the lower bound for ≥, "
                    f"the upper for ≤): at {at_en} the mean of "
                    f"“{en_kpi or zh_kpi}”, {mean}, meets {t.text} but its {side_en} {said_en} does not, hence ✗"
                    f"{seq_en}; more replications narrow the interval (-r, or --max-replications to run more only "
                    "where it is undecided)")
    return None


def _bound(console: Any, result: dict[str, Any], goal: Any) -> None:
    if said := bound_note(result["points"], goal):
        console.print(said)
        result["bound_note"] = said  # the curve page says it under its table too


def _sequential_note(console: Any, result: dict[str, Any]) -> None:
    """With ``--max-replications``: how the levels were judged (the table's intervals are 95% over all runs); with
    the time to sale among the targets, that it is judged on the pooled Kaplan–Meier median."""
    from sim.sequential import note

    if said := note(result.get("replications", 0), result.get("most", 0), result.get("kpis", ())):
        console.print(said)


@plan_app.command("template")
def template(
    out: Path | None = typer.Option(None, "--out", help="写入此文件（已存在则不覆盖）/ write to this file (never over "
                                                      "an existing one)"),
    province: bool = typer.Option(False, "--province", help="写省级配置模板（列出多个法院）/ a province file "
                                                            "listing several courts"),
    table: bool = typer.Option(False, "--table", help="写各院表模板（.xlsx 或 .csv，一院一行，供省级配置 courts: 引用）"
                                                      "/ a courts table (.xlsx or .csv, a row per court, for a "
                                                      "province file's courts:)"),
) -> None:
    """写出本院法院配置的起步模板（中文注释，只含常改的字段）；--province 写出省级配置（各院一起仿真）；--table 写出
    各院表 / a starter court profile to edit (Chinese comments, the fields a court usually changes); --province: a
    province file (its courts simulated together); --table: a courts table."""
    from sim.profile import TEMPLATE
    from sim.province import PROVINCE_TEMPLATE

    if table:
        _table_template(out)
        return
    text = (PROVINCE_TEMPLATE if province else TEMPLATE).read_text(encoding="utf-8")
    if out is None:
        typer.echo(text, nl=False)
        return
    output_file(out, "--out")
    try:
        with out.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise UserError(f"{out} 已存在，不覆盖", f"{out} exists: not overwritten", where="--out") from None
    then = f"zhixing simulate {out} --years 1 -r 3" + (" -w 2" if province else "")
    typer.echo(f"已写出 / written: {out}\n下一步 / next: {then}")


def _table_template(out: Path | None) -> None:
    from sim.province_table import template_csv, write_template

    if out is None:
        typer.echo(template_csv(), nl=False)
        return
    output_file(out, "--out")
    if out.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise UserError(f"各院表须为 .xlsx 或 .csv，收到 {out.name}",
                        f"a courts table is .xlsx or .csv, got {out.name}", where="--out")
    try:
        write_template(out)
    except FileExistsError:
        raise UserError(f"{out} 已存在，不覆盖", f"{out} exists: not overwritten", where="--out") from None
    typer.echo(f"已写出 / written: {out}\n下一步 / next: 在省级配置中写 courts: {out.name}（zhixing plan template "
               f"--province 写出省级配置），然后 zhixing simulate 省级配置.yaml / put courts: {out.name} in a province "
               "file, then zhixing simulate it")


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
