"""`zhixing demo` (what `make run` runs): a batch of cases through live mock agencies on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from core_flow.legal_calendar import provisional_note, provisional_years_in
from zhixing.cmd_calendar import holiday_file_option, strict_option, strict_setting, use_holiday_file
from zhixing.console import Table
from zhixing.console import console as plain_console
from zhixing.when import day_words


def _yuan(cents: int) -> str:
    return f"{cents / 100:,.2f}"


COLUMNS = (
    ("案号 Case", "执行案号（恢复执行案件注明）/ case number"),
    ("标的 Claim ¥", "申请执行标的 / the claim"),
    ("集约查询 Inquiry", "已反馈机构/范围内机构，如 29/29 = 范围内 29 家全部反馈 / agencies answered of the scope"),
    ("冻结 Frozen", "节点冻结次数（原因见下）/ node freezes (why: below)"),
    ("督办 Duban", "三日内未查看反馈或启动拍卖超期而生成的督办 / 督办 items raised"),
    ("划拨 Deducted ¥", "扣划至一案一账号 / deducted into the case account"),
    ("处置 Disposal", "查封财产的处置进度与成交价 / disposal of sealed property"),
    ("发放 Paid ¥", "发放给申请执行人；退还被执行人的余款另列为“退” / paid to the applicant; a sale's surplus "
                   "returned to the debtor as 退 (wide terminal; total below)"),
    ("结案 Closed", "结案方式；办理中的原因见下 / closing manner; why open: below"),
    ("对账 Reconciled", "案件、一案一账号与机构台账逐分相符 / case, court account and ledgers agree to the cent"),
)
REASONS = {"initiate": "立案当日未发起首次网络查询 / first inquiry not started on filing day",
           "main": "期限内未完成 / not done in time", "online": "48小时内未控制线上财产 / online property not "
           "controlled in 48 h", "offline": "10日内未线下控制 / not controlled offline in 10 days",
           "limit": "审限届满未结案 / time limit passed", "start": "期限内未启动 / not started in time",
           "HANDLER_NOT_CHANGED": "恢复执行未更换承办人 / resumed with the same handler"}
NEXT = ("\n接下来可以试 / next, try:\n"
        "  zhixing timeline                      # 仅引擎的三件案件时间线 / three case timelines, engine only\n"
        "  zhixing scenarios run scenarios/suite  # 全部场景 / every scenario (pytest scenarios/ too)\n"
        "  zhixing simulate --years 1 -r 2        # 年度仿真与置信区间 / a court-year with confidence intervals\n"
        "  zhixing nodes                          # 46 个节点及其时限 / the 46 nodes and their deadlines\n"
        "  zhixing demo --events-out e.jsonl && zhixing duban --events e.jsonl  # 未结督办 / open 督办\n"
        "  make test                              # 全部测试 / all tests")


def _table(console: Console, rows: list[dict], wide: bool, year: int) -> None:
    from sim.kpi import manner_name  # here, not at import: every other command starts faster
    table = Table(title="案件汇总 / case summary", expand=False)
    cols = COLUMNS if wide else tuple(c for c in COLUMNS if not c[0].startswith(("督办", "划拨")))
    for name, _ in cols:  # narrow: the Chinese heading only (each column is explained in both languages below)
        table.add_column(name if wide else name.split(" ")[0], overflow="fold",
                         no_wrap=name.startswith(("标的", "划拨", "发放", "集约", "案号")))
    for r in rows:
        note = f"（{r['planted']}）" if r["planted"] else ""
        manner = manner_name(r["manner"]) if r["manner"] else "办理中 open"
        case = r["case"].replace(f"({year})豫0811", "") + (" 恢复" if r["type"] == "resumed" else "")
        money = _yuan if wide else (lambda cents: f"{round(cents / 100):,}")  # narrow: whole yuan
        values = {"案号": case, "标的": money(r["amount_cents"]), "集约查询": r["inquiry"],
                  "冻结": str(r["frozen_nodes"]), "督办": str(r["duban"]), "划拨": money(r["deducted_cents"]),
                  "处置": (r["disposal"] if wide else _short(r["disposal"])) or "—", "发放": _paid(r, money, wide),
                  "结案": manner + (note if wide else _short(note)),
                  "对账": "✓" if r["reconciled"] else "✗"}
        table.add_row(*(values[name.split(" ")[0]] for name, _ in cols))
    console.print(table)
    console.print(f"案号前缀均为 ({year})豫0811" + ("" if wide else "；金额为元（取整）") + " / case numbers are "
                  f"({year})豫0811…" + ("" if wide else "; amounts in whole yuan"))


def _paid(row: dict, money: Callable[[int], str], wide: bool) -> str:
    """Paid to the applicant and, on a wide terminal, below it what went back to the debtor (a surplus): not one sum
    dwarfing the claim (a narrow terminal has the surplus in the totals line only)."""
    returned = row.get("returned_cents", 0)
    return money(row["paid_cents"] - returned) + (f"\n退 {money(returned)}" if returned and wide else "")


def _short(disposal: str) -> str:
    """A disposal for a narrow terminal: the Chinese words only (the price and English are in the wide table)."""
    return "；".join(" ".join(w for w in part.split() if not w.isascii() and not w.startswith("¥"))
                    for part in disposal.split("；"))


def _explain(console: Console, rows: list[dict]) -> None:
    console.print("\n各列 / columns:")
    for name, meaning in COLUMNS:
        console.print(f"  {name}：{meaning}")
    froze: dict[tuple[int, str], int] = {}
    for r in rows:
        for node, reason in r["freezes"]:
            froze[(node, reason)] = froze.get((node, reason), 0) + 1
    if froze:
        console.print("节点冻结 / node freezes (节点 node × 次数 times: 原因 why):")
        for (node, reason), n in sorted(froze.items()):
            console.print(f"  节点 {node} × {n}：{REASONS.get(reason, reason)}")
    open_rows = [r for r in rows if r["why_open"]]
    if open_rows:
        console.print("办理中的案件 / open cases:")
        for r in open_rows:
            console.print(f"  {r['case']}：{r['why_open']}")


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        cases: int = typer.Option(16, "--cases", min=1, max=200, help="案件数 / number of cases"),
        seed: int = typer.Option(2025, "--seed", min=0, help="随机种子（非负） / seed (non-negative)"),
        scale: float = typer.Option(1_000_000.0, "--scale", min=1000.0, help="时间压缩倍数 / virtual s per real s"),
        profile: str = typer.Option("realistic", "--profile", help="机构行为配置 / agency profile"),
        events_out: Path | None = typer.Option(None, "--events-out", help="事件日志 JSONL（边运行边写）/ write the "
                                                                        "event log (as it happens)"),
        unmasked: bool = typer.Option(False, "--unmasked", help="事件日志中显示完整身份证号与账号（本地调试）/ "
                                                                "full ID and account numbers in the event log"),
        strict_calendar: bool = strict_option(),
        holiday_file: Path | None = holiday_file_option(),
        start: str | None = typer.Option(None, "--start", help=(
            "首件案件立案时刻：YYYY-MM-DD[ HH:MM] 或 今天，北京时间；只写日期即当日 09:00；缺省 2025-03-03 09:00；"
            "不在工作时间（节假日、夜间）则顺延至下一个工作时段，其后各案逐个工作小时立案 / "
            "when the first case is filed, Beijing time, or today; a date alone at 09:00; default 2025-03-03 09:00; "
            "outside working hours (a rest day, the night) it moves to the next working period, and the other cases "
            "follow on the working hours after it")),
    ) -> None:
        """演示：模拟机构在本机运行，一批案件经集约查询、控制、案款、结案、终本与恢复执行 / end-to-end demo."""
        from core_flow.eventlog import EventLog  # here, not at import: every other command starts faster
        from core_flow.legal_calendar import parse_local
        from sim.demo import ORIGIN, run_demo

        use_holiday_file(holiday_file)
        start = day_words(start)  # 今天, 明天: the date, Beijing time; a date alone at the demo's 09:00
        origin = ORIGIN if start is None else parse_local(start, "--start", day_start=ORIGIN.time())
        console = plain_console()
        wide = console.width >= 150
        console.print(f"启动模拟机构（127.0.0.1，{profile}）并以 {scale:,.0f} 倍压缩时间运行 {cases} 件案件，自 "
                      f"{origin:%Y-%m-%d %H:%M} 起… / starting mock agencies on loopback ({profile}); {cases} cases at "
                      f"{scale:,.0f}× time from {origin:%Y-%m-%d %H:%M}")
        with Progress(TextColumn("{task.description}"), BarColumn(bar_width=None if wide else 20),
                      TextColumn("{task.fields[status]}"), console=console, transient=True) as bar:
            task = bar.add_task("虚拟时间 / virtual time", total=420, status="")

            def progress(now, closed: int, filed: int) -> None:  # noqa: ANN001
                bar.update(task, completed=(now - origin).days,
                           status=f"{now:%Y-%m-%d} 结案 closed {closed}/{filed}")

            log = EventLog(events_out, unmasked=unmasked) if events_out is not None else None
            try:
                result = asyncio.run(run_demo(cases, seed=seed, scale=scale, profile=profile, progress=progress,
                                              strict_calendar=strict_setting(strict_calendar), event_log=log,
                                              origin=origin))
            finally:
                if log is not None:
                    log.close()
        _table(console, result.rows, wide, origin.year)
        t = result.totals
        console.print(
            f"请求 requests {t['requests']}（重试 retries {t['retries']}，重复回调 duplicate answers "
            f"{t['duplicate_answers']}，失败 failed {t['failed']}）；集约查询全部完成 inquiries complete: "
            f"{'是 yes' if t['inquiries_complete'] else '否 no'}；预警 warnings {t['warnings']}，节点冻结 freezes "
            f"{t['node_freezes']}，督办 duban {t['duban_raised']}（未结 open {t['duban_open']}），统查 sweeps "
            f"{t['sweeps']}，恢复执行 resumptions {t['resumptions']}；处置成交 sold {t['sold']}，变价款 proceeds "
            f"¥{_yuan(t['proceeds_cents'])}。")
        console.print(
            f"资金 money: 发放 paid ¥{_yuan(t['paid_cents'])}（其中余款退还 returned to debtors "
            f"¥{_yuan(t['returned_cents'])}）= 一案一账号支出 court account paid out "
            f"¥{_yuan(t['court_account_paid_cents'])}；机构台账守恒 ledgers conserved: "
            f"{'是 yes' if t['ledger_conserved'] else '否 no'}。"
            f"虚拟 {t['virtual_days']} 天用时 {t['elapsed_s']:.1f} 秒 / {t['virtual_days']} virtual days in "
            f"{t['elapsed_s']:.1f} s.")
        flagged = [e.data["calendar_warnings"] for e in result.events if e.data and "calendar_warnings" in e.data]
        if flagged:
            console.print(provisional_note(len(flagged), provisional_years_in(w for ws in flagged for w in ws)))
        if result.duban:
            console.print("未结督办 / open 督办: " + "；".join(f"{d['case_id']} {d['agency']}" for d in result.duban))
        _explain(console, result.rows)
        if log is not None:
            masked = "" if unmasked else "，身份证号与账号已脱敏 / ID and account numbers masked"
            console.print(f"事件日志已写入 / event log written: {events_out}（{log.count} 条 events{masked}）")
        console.print(NEXT)
