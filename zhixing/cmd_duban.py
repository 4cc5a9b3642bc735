"""`zhixing duban --events FILE`: the open 督办 items of an event log (raised and not yet closed)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text

from zhixing.console import Table
from zhixing.console import console as plain_console


def open_items(path: Path) -> list[dict]:
    """The 督办 items raised and not closed in an event log — a JSON-lines log (``zhixing demo --events-out``, a live
    run) or ``zhixing simulate --events``' table — read as ``zhixing scenarios record`` reads it (a bad line
    located)."""
    from scenarios.record import read_log  # here, not at import: the other commands start faster

    items: dict[tuple[str, ...], dict] = {}
    for e in read_log(path):
        kind, data = e["kind"], e.get("data") or {}
        # a feedback 督办 names its debtor and agency; a late node (启动拍卖, 二拍) its node and instance
        key = (e["case_id"], str(data.get("debtor") or ""), str(data.get("agency") or ""), str(e.get("node") or ""),
               str(e.get("instance") or ""))
        if kind == "duban_raised":
            items[key] = {"case_id": key[0], "debtor": key[1], "agency": key[2], "raised_at": e["at"],
                          "due": data.get("due"), "node": key[3], "instance": key[4],
                          "what": data.get("node_name") or "集约查询反馈未查看 / feedback not opened"}
        elif kind == "duban_closed":
            items.pop(key, None)
    return sorted(items.values(), key=lambda i: (i["raised_at"], i["case_id"]))


def register(app: typer.Typer) -> None:
    @app.command("duban")
    def duban(
        events: Path = typer.Option(..., "--events", help=(
            "事件日志：JSONL（zhixing demo --events-out）或 zhixing simulate --events 的 CSV / event log: JSON "
            "lines or the per-event CSV of zhixing simulate --events")),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 / print JSON"),
    ) -> None:
        """未结督办：集约查询反馈财产三日内未查看；启动拍卖、二拍超期 / open 督办 items: property feedback not opened
        within 3 days; a sale or second auction started late."""
        items = open_items(events)
        if as_json:
            typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
            return
        if not items:  # said in words, not as an empty table
            plain_console(120).print(f"没有未结督办 / no open 督办 items（{events}）")
            return
        from sim.report import agency_name  # 工商银行 icbc, as the simulation's tables say it

        table = Table(title=f"未结督办 / open 督办 items: {len(items)}")
        for col in ("案号 Case", "事项 What", "被执行人/节点 Debtor/node", "协助单位/财产 Agency/asset",
                    "期限 Due", "督办时间 Raised"):
            table.add_column(col)
        for i in items:
            who = i["debtor"] or f"节点 node {i['node']}"
            cells = (i["case_id"], i["what"], who, agency_name(i["agency"]) if i["agency"] else i["instance"], i["due"],
                     i["raised_at"])
            table.add_row(*(Text(str(v)) for v in cells))  # plain text: a log's "[...]" is not rich markup
        plain_console(120).print(table)
