"""`zhixing timeline`: case timelines in virtual time on the reference engine alone (``zhixing.engine_timeline``,
imported when the command runs: the engine's imports do not slow every other command)."""

from __future__ import annotations

import typer

from zhixing.cmd_calendar import strict_option, strict_setting


def register(app: typer.Typer) -> None:
    @app.command("timeline")
    def timeline(
        all_events: bool = typer.Option(False, "--all", help="显示全部事件 / show every event"),
        strict_calendar: bool = strict_option(),
    ) -> None:
        """引擎时间线：三件案件在虚拟时间中的节点、预警、冻结与审批 / the engine alone: three case timelines."""
        from zhixing.engine_timeline import show

        show(all_events, strict_setting(strict_calendar))
