"""`zhixing profile …`: the published interface profile's OpenAPI files (written, or checked against what is served)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from zhixing.outputs import output_dir

profile_app = typer.Typer(help="查控接口规范 / the interface profile", no_args_is_help=True)


def served_openapis() -> dict[str, dict[str, Any]]:
    """What zhixing serves today: the mock agencies' interface and the court driver interface."""
    from mock_agencies.app import create_app
    from mock_agencies.settings import Settings
    from zhixing.cmd_court import _reference_app

    agencies = create_app(Settings(background=False, world_size=100)).openapi()
    return {"openapi-agencies.json": agencies, "openapi-court-driver.json": _reference_app(None).openapi()}


def _text(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def register(app: typer.Typer) -> None:
    @profile_app.command("export")
    def export(
        check: bool = typer.Option(False, "--check", help="只检查，不写入 / only check, write nothing"),
        out: Path | None = typer.Option(None, "--out", help="目录，缺省 core_flow/profile / the directory"),
    ) -> None:
        """写出（或核对）规范目录中的 OpenAPI 文件 / write (or check) the profile's OpenAPI files."""
        from core_flow.errors import UserError
        from core_flow.profile import HERE

        folder = out or HERE
        if out is not None and not check:
            output_dir(out, "--out")
        stale = []
        for name, spec in served_openapis().items():
            path = folder / name
            text = _text(spec)
            if check:
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    stale.append(name)
            else:
                path.write_text(text, encoding="utf-8")
                typer.echo(f"写出 / wrote {path}")
        if stale:
            raise UserError(f"已提交的 OpenAPI 与服务实际提供的不一致：{'、'.join(stale)}"
                            "（运行 zhixing profile export）",
                            f"the committed OpenAPI differs from what is served: {', '.join(stale)} "
                            "(run zhixing profile export)", where=str(folder), code="openapi_drift")
        if check:
            typer.echo("一致 / up to date")

    app.add_typer(profile_app, name="profile")
