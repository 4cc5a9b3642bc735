"""`zhixing demo` (what `make run` runs): a batch of cases through live mock agencies on loopback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from core_flow.legal_calendar import provisional_note, provisional_years_in
from sim.demo import run_demo
from zhixing.cmd_calendar import strict_option, strict_setting

MANNER = {"completed": "执行完毕", "zhongben": "终本", "terminated": "终结", "": "办理中 open"}


def _yuan(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        cases: int = typer.Option(16, "--cases", min=1, max=200, help="案件数 / number of cases"),
        seed: int = typer.Option(2025, "--seed", help="随机种子 / seed"),
        scale: float = typer.Option(1_000_000.0, "--scale", min=1000.0, help="时间压缩倍数 / virtual s per real s"),
        profile: str = typer.Option("realistic", "--profile", help="机构行为配置 / agency profile"),
        events_out: Path | None = typer.Option(None, "--events-out", help="事件日志 JSONL / write the event log"),
        strict_calendar: bool = strict_option(),
    ) -> None:
        """演示：模拟机构在本机运行，一批案件经集约查询、控制、案款、结案、终本与恢复执行 / end-to-end demo."""
        console = Console(width=max(Console().width, 190))
        console.print(f"启动模拟机构（127.0.0.1，{profile}）并以 {scale:,.0f} 倍压缩时间运行 {cases} 件案件…"
                      f" / starting mock agencies on loopback ({profile}); {cases} cases at {scale:,.0f}× time")
        result = asyncio.run(run_demo(cases, seed=seed, scale=scale, profile=profile,
                                      strict_calendar=strict_setting(strict_calendar)))
        table = Table(title="案件汇总 / case summary")
        for col in ("案号 Case", "承办人 Handler", "被执行人 Debtor", "标的 Claim ¥", "集约查询 Inquiry",
                    "督办 Duban", "节点冻结 Freezes", "划拨 Deducted ¥", "处置 Disposal", "发放 Paid ¥", "结案 Closed",
                    "恢复为 Resumed as", "对账 Reconciled"):
            table.add_column(col, overflow="fold", no_wrap=col.startswith(("案号", "标的", "划拨", "发放")),
                             min_width=30 if col.startswith("处置") else None)
        for r in result.rows:
            note = f" ({r['planted']})" if r["planted"] else ""
            case = r["case"] + (" 恢复执行" if r["type"] == "resumed" else "")
            table.add_row(case, r["handler"], r["debtor"], _yuan(r["amount_cents"]), r["inquiry"],
                          str(r["duban"]), str(r["frozen_nodes"]), _yuan(r["deducted_cents"]), r["disposal"],
                          _yuan(r["paid_cents"]), MANNER.get(r["manner"], r["manner"]) + note, r["resumed_as"],
                          "✓" if r["reconciled"] else "✗")
        console.print(table)
        t = result.totals
        console.print(
            f"请求 requests {t['requests']}（重试 retries {t['retries']}，重复回调 duplicate answers "
            f"{t['duplicate_answers']}，失败 failed {t['failed']}）；集约查询全部完成 inquiries complete: "
            f"{'是 yes' if t['inquiries_complete'] else '否 no'}；预警 warnings {t['warnings']}，节点冻结 freezes "
            f"{t['node_freezes']}，督办 duban {t['duban_raised']}（未结 open {t['duban_open']}），统查 sweeps "
            f"{t['sweeps']}，恢复执行 resumptions {t['resumptions']}；处置成交 sold {t['sold']}，变价款 proceeds "
            f"¥{_yuan(t['proceeds_cents'])}。")
        console.print(
            f"资金 money: 发放 paid ¥{_yuan(t['paid_cents'])} = 一案一账号支出 court account paid out "
            f"¥{_yuan(t['court_account_paid_cents'])}；机构台账守恒 ledgers conserved: "
            f"{'是 yes' if t['ledger_conserved'] else '否 no'}。"
            f"虚拟 {t['virtual_days']} 天用时 {t['elapsed_s']:.1f} 秒 / {t['virtual_days']} virtual days in "
            f"{t['elapsed_s']:.1f} s.")
        flagged = [e.data["calendar_warnings"] for e in result.events if e.data and "calendar_warnings" in e.data]
        if flagged:
            console.print(provisional_note(len(flagged), provisional_years_in(w for ws in flagged for w in ws)))
        if result.duban:
            console.print("未结督办 / open 督办: " + "；".join(f"{d['case_id']} {d['agency']}" for d in result.duban))
        if events_out is not None:
            with events_out.open("w", encoding="utf-8") as fh:
                for e in result.events:
                    fh.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
            console.print(f"事件日志已写入 / event log written: {events_out}（{len(result.events)} 条 events）")
