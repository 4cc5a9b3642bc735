"""`zhixing nodes`: the process catalogue as a table, or JSON for machines."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from core_flow.errors import UserError
from zhixing.console import Table
from zhixing.console import console as plain_console


def register(app: typer.Typer) -> None:
    @app.command("nodes")
    def nodes(
        which: list[str] = typer.Argument(None, metavar="NODE", help=(
            "只列这些节点：编号或名称（17、节点三十六、查封扣押冻结）/ only these nodes, by number or name")),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 / print JSON"),
        process_file: Path | None = typer.Option(None, "--process", help="流程定义文件 / process definition file"),
    ) -> None:
        """节点目录，或只列给出的节点 / the 46-node catalogue, or only the nodes given (zhixing nodes 节点三十六 31).

        编号、名称、阶段、期限、冻结、解冻审批人、条件 / number, name, stage, deadline, freeze, unfreeze authority,
        conditions."""
        from core_flow.catalogue_text import node_as_dict  # here, not at import: the other commands start faster
        from core_flow.process_loader import default_process, load_process

        process = load_process(process_file) if process_file else default_process()
        chosen = process.nodes
        if which:
            try:
                numbers = {process.node(ref).no for ref in which}
            except UserError as err:
                err.where = "NODE"
                raise
            chosen = tuple(n for n in process.nodes if n.no in numbers)
        rows = [node_as_dict(process, n) for n in chosen]
        manners = [{"code": m.code, "name": m.name, "name_en": m.en, "aliases": list(m.aliases),
                    "case_types": list(m.case_types) or [t.code for t in process.case_types],
                    "releases_controls": m.releases_controls, "keeps_controls_for": list(m.keeps_controls_for),
                    "lifts_measures": m.lifts, "starts_sweep": m.starts_sweep} for m in process.closing_manners]
        if as_json:
            typer.echo(json.dumps({"process": process.name, "source": process.source, "nodes": rows,
                                   "closing_manners": manners}, ensure_ascii=False, indent=2))
            return
        table = Table(title=f"{process.name}（{process.source}）", show_lines=False)
        for col in ("节点 No.", "名称 Name", "阶段 Stage", "时限 Deadline", "冻结 Freeze", "解冻审批 Unfreeze by",
                    "条件 Conditions"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(str(r["no"]), f"{r['name']}\n{r['name_en']}", r["stage"], r["deadline_zh"],
                          "是 yes" if r["freeze"] else "—", "、".join(r["unfreeze"]) or "—",
                          "；".join(c["zh"] for c in r["conditions"]) or "—")
        console = plain_console(160)
        console.print(table)
        console.print("结案方式 / closing manners（按案件类型 / by case type）:")
        for t in process.case_types:
            usable = process.manners_for(t.code)
            console.print(f"  {t.name} / {t.code}: " + "、".join(f"{m.name} {m.code}" for m in usable))
