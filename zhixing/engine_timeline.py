"""What `zhixing timeline` shows: case timelines in virtual time on the reference engine alone (no agencies).

Three cases of the 焦作市山阳区人民法院 guideline run on a SimPy clock — a year passes in well under a
second — and their events are printed as one timeline: deadlines on the legal calendar (across the 2025
国庆 break), warnings, an automatic node freeze and its approval, a refused 终本 with every unmet condition,
a 终本 closing with its 6-monthly sweeps, and a resumed case whose handler was not changed (node 46).
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from core_flow.clocks import SimClock
from core_flow.engine import Engine, Event, EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST, HolidayCalendar, LegalCalendar, provisional_note, provisional_years_in
from core_flow.process_loader import default_process
from core_flow.runtime import Runtime
from zhixing.console import Table
from zhixing.console import console as plain_console

ORIGIN = datetime(2025, 9, 29, 9, 0, tzinfo=CST)

KIND_WORDS = {
    EventKind.FILED: "立案 filed",
    EventKind.ASSIGNED: "分案 assigned",
    EventKind.IDENTITY_VERIFIED: "身份验证通过 identity verified",
    EventKind.INQUIRY_TRIGGERED: "集约查询发起 inquiry started",
    EventKind.NODE_STARTED: "节点开始 node started",
    EventKind.NODE_DONE: "节点完成 node done",
    EventKind.WARNING: "预警 warning",
    EventKind.DEADLINE_MISSED: "超期 deadline missed",
    EventKind.NODE_FROZEN: "节点冻结 node frozen",
    EventKind.UNFREEZE_REQUESTED: "申请解冻 unfreeze requested",
    EventKind.UNFREEZE_APPROVED: "批准解冻 unfreeze approved",
    EventKind.REFUSED: "拒绝 refused",
    EventKind.CLOSED: "结案 closed",
    EventKind.SWEEP_DUE: "终本统查 sweep",
    EventKind.ANCHOR: "事件 event",
}
SHOWN = set(KIND_WORDS) - {EventKind.ANCHOR}


def _script() -> list[tuple[timedelta, Any]]:
    d = timedelta(days=1)
    h = timedelta(hours=1)
    a, b, r = "(2025)豫0811执1号", "(2025)豫0811执2号", "(2026)豫0811执恢1号"
    acct = "工商银行-6222"
    return [
        # A: a diligent case filed the Monday before the 国庆 break; fully enforced (执行完毕)
        (0 * d, c.FileCase(a, debtors=("王某",), amount_cents=12_000_000)),
        (1 * h, c.StartNode(a, 3)), (2 * h, c.CompleteNode(a, 1)), (2 * h, c.CompleteNode(a, 2)),
        (1 * d, c.Assign(a, "张法官")), (1 * d, c.VerifyIdentity(a, "王某", True)),
        (1 * d + 1 * h, c.CompleteNode(a, 3)), (1 * d + 2 * h, c.CompleteNode(a, 4)),
        (1 * d + 3 * h, c.Record(a, "property_found_online", acct)),
        (2 * d, c.CompleteNode(a, 17, acct)), (2 * d, c.Record(a, "freeze_effective", acct)),
        (2 * d + 1 * h, c.CompleteNode(a, 5)), (2 * d + 1 * h, c.CompleteNode(a, 6)),
        (2 * d + 2 * h, c.StartNode(a, 9)), (2 * d + 2 * h, c.StartNode(a, 10)),
        (10 * d, c.CompleteNode(a, 7)), (10 * d, c.CompleteNode(a, 31, acct)),
        (10 * d + 1 * h, c.Record(a, "money_arrived", "到账1")), (11 * d, c.CompleteNode(a, 32, "到账1")),
        (20 * d, c.CompleteNode(a, 9)), (20 * d, c.CompleteNode(a, 10)), (20 * d, c.CompleteNode(a, 11)),
        (20 * d, c.CompleteNode(a, 33, "到账1")), (21 * d, c.Close(a, "执行完毕", reviewed_by="审判管理办公室")),
        (22 * d, c.CompleteItem(a, 43, "completed_upload")), (25 * d, c.CompleteNode(a, 44)),
        # B: node 7 lapses and freezes; unfreeze refused to the wrong approver, then approved; an early 终本
        # is refused with every unmet condition; later closed by 终本, swept every 6 months for 5 years
        (0 * d, c.FileCase(b, debtors=("李某",))),
        (2 * h, c.StartNode(b, 3)), (2 * h, c.CompleteNode(b, 1)), (2 * h, c.CompleteNode(b, 2)),
        (1 * d, c.Assign(b, "赵法官")), (1 * d, c.VerifyIdentity(b, "李某", True)),
        (1 * d + 1 * h, c.CompleteNode(b, 3)), (1 * d + 2 * h, c.CompleteNode(b, 4)),
        (2 * d, c.CompleteNode(b, 5)), (2 * d, c.CompleteNode(b, 6)),
        (2 * d + 1 * h, c.StartNode(b, 9)), (2 * d + 1 * h, c.StartNode(b, 10)),
        (16 * d, c.RequestUnfreeze(b, 7, by="赵法官", reason="送达地址有误 / wrong service address")),
        (17 * d, c.ApproveUnfreeze(b, 7, "院长")),
        (17 * d + 1 * h, c.ApproveUnfreeze(b, 7, "执行局长")),
        (18 * d, c.CompleteNode(b, 7)),
        (25 * d, c.CompleteNode(b, 9)), (30 * d, c.CompleteNode(b, 10)), (30 * d, c.CompleteNode(b, 11)),
        (31 * d, c.Close(b, "终本", reviewed_by="审判管理办公室")),
        (35 * d, c.CompleteNode(b, 36, authority="院长")), (36 * d, c.Record(b, "no_property_found")),
        (40 * d, c.CompleteNode(b, 18)),
        (95 * d, c.Close(b, "终本", reviewed_by="审判管理办公室")),
        (96 * d, c.CompleteItem(b, 43, "zhongben_publish")), (100 * d, c.CompleteNode(b, 44)),
        # R: a sweep found property; B is resumed with the same handler → its filing node freezes (node 46)
        (400 * d, c.FileCase(r, case_type="resumed", previous_case=b, previous_handler="赵法官")),
        (400 * d + 1 * h, c.Assign(r, "赵法官")),
        (400 * d + 2 * h, c.RequestUnfreeze(r, 2, by="立案庭", reason="承办人将调整 / handler to be changed")),
        (400 * d + 6 * h, c.ApproveUnfreeze(r, 2, "执行局局长")),
        (400 * d + 6 * h, c.Assign(r, "钱法官")),
        (400 * d + 7 * h, c.StartNode(r, 3)), (400 * d + 7 * h, c.CompleteNode(r, 1)),
        (400 * d + 7 * h, c.CompleteNode(r, 2)),
        (401 * d, c.CompleteNode(r, 3)), (401 * d, c.CompleteNode(r, 4)),
        (401 * d + 1 * h, c.CompleteNode(r, 5)), (401 * d + 1 * h, c.CompleteNode(r, 6)),
        (403 * d, c.CompleteNode(r, 7)), (410 * d, c.Close(r, "执行完毕", reviewed_by="审判管理办公室")),
        (412 * d, c.CompleteItem(r, 43, "completed_upload")), (414 * d, c.CompleteNode(r, 44)),
    ]


def _detail(process, e: Event) -> str:
    data = e.data or {}
    if e.kind == EventKind.REFUSED:
        return str(data.get("zh", ""))
    if e.kind in (EventKind.WARNING, EventKind.DEADLINE_MISSED):
        return f"期限 due {data['due'].strftime('%Y-%m-%d %H:%M')}"
    if e.kind == EventKind.NODE_FROZEN:
        who = "、".join(process.authority(a).name for a in data.get("unfreeze_by", []))
        return f"解冻须 {who} 批准 / unfreeze by {', '.join(data.get('unfreeze_by', []))}"
    if e.kind == EventKind.CLOSED:
        text = f"{data['name']}；解除控制措施 release controls: {'是 yes' if data['release_controls'] else '否 no'}"
        held = sum(int(h["amount_cents"]) for h in data.get("held") or ())
        if held:  # money still in the case account: where it goes (process.yaml returns_held)
            debtor = data.get("held_to") == "debtor"
            to = "退还被执行人 back to the debtor" if debtor else "发放申请执行人 to the applicant"
            text += f"；账户尚存 held ¥{held / 100:,.2f} {to}"
        running = sorted({int(r[0]) for r in data.get("running") or ()})
        if running:  # the money's deadlines outlive the closing (process.yaml ``outlives_closing``)
            names = "、".join(process.by_no[n].name for n in running)
            text += f"，{names}期限照常 deadlines run on (node {', '.join(map(str, running))})"
        return text
    if e.kind == EventKind.SWEEP_DUE:
        return f"第{data['round']}次 round {data['round']}/10"
    if e.kind == EventKind.UNFREEZE_APPROVED:
        return process.authority(data["authority"]).name
    if e.kind in (EventKind.ASSIGNED,):
        return str(data.get("handler", ""))
    return ""


def run_demo(years: float = 6.0, strict_calendar: bool | None = None) -> tuple[Runtime, float]:
    process = default_process()
    # Years run past the official holiday data (chinesecalendar ends with 2026): the deadlines there use the
    # provisional calendar and are flagged on their events (counted in the summary), never silent. Strict:
    # the engine refuses such commands (CALENDAR_RANGE) instead.
    engine = Engine(process, LegalCalendar(HolidayCalendar(strict=strict_calendar)))
    clock = SimClock(ORIGIN)
    rt = Runtime(engine, clock)
    for offset, cmd in _script():
        clock.call_at(ORIGIN + offset, lambda cmd=cmd: rt.submit(cmd))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clock.run_until(ORIGIN + timedelta(days=365 * years))
    return rt, time.perf_counter() - t0


def show(all_events: bool, strict_calendar: bool | None) -> None:
    """Run the three cases and print their timeline (``zhixing timeline``)."""
    rt, elapsed = run_demo(strict_calendar=strict_calendar)
    process = rt.engine.process
    console = plain_console(150)
    table = Table(title="案件时间线（虚拟时间）/ case timeline (virtual time)")
    for col in ("时间 Time (+08:00)", "案号 Case", "事件 Event", "节点 Node", "说明 Detail"):
        table.add_column(col, overflow="fold")
    for e in rt.events:
        if not all_events and e.kind not in SHOWN:
            continue
        node = ""
        if e.node is not None:
            node = f"{e.node} {process.by_no[e.node].name}" + (f" [{e.instance}]" if e.instance else "")
        table.add_row(e.at.strftime("%Y-%m-%d %H:%M"), e.case_id, KIND_WORDS.get(e.kind, str(e.kind)),
                      node, _detail(process, e))
    console.print(table)
    counts = Counter(e.kind for e in rt.events)
    flagged = [e.data["calendar_warnings"] for e in rt.events if e.data and "calendar_warnings" in e.data]
    span = rt.clock.now() - ORIGIN
    console.print(
        f"{len(rt.cases)} 件案件 cases, {rt.commands_handled} 条命令 commands, {len(rt.events)} 个事件 events; "
        f"预警 warnings {counts[EventKind.WARNING]}, 冻结 freezes {counts[EventKind.NODE_FROZEN]}, "
        f"拒绝 refusals {counts[EventKind.REFUSED]}, 统查 sweeps {counts[EventKind.SWEEP_DUE]}. "
        f"虚拟时间 {span.days} 天 / {span.days} virtual days in {elapsed * 1000:.0f} ms."
    )
    if flagged:
        console.print(provisional_note(len(flagged), provisional_years_in(w for ws in flagged for w in ws)))
