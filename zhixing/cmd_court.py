"""`zhixing court …`: the court driver interface — its published contract, and zhixing's reference court serving it."""

from __future__ import annotations

import json

import typer

court_app = typer.Typer(help="法院案件系统驱动接口 / the court driver interface", no_args_is_help=True)


def _reference_app(origin: str | None):  # noqa: ANN202
    from core_flow.assembly import CourtSpec, build_court
    from core_flow.driver import EngineDriver
    from core_flow.driver.http_app import create_driver_app
    from core_flow.legal_calendar import parse_local

    at = parse_local(origin, "--origin") if origin else parse_local("2025-03-03 09:00")
    return create_driver_app(EngineDriver(build_court(CourtSpec(origin=at))))


@court_app.command("openapi")
def openapi() -> None:
    """打印驱动接口的 OpenAPI（厂商适配器实现此契约）/ print the driver interface's OpenAPI (a vendor's adapter serves
    this contract)."""
    typer.echo(json.dumps(_reference_app(None).openapi(), ensure_ascii=False, indent=2))


@court_app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address"),
    port: int = typer.Option(8710, "--port", min=1, max=65535, help="端口 / port"),
    origin: str | None = typer.Option(None, "--origin", help="虚拟时钟起点 / the virtual clock's origin"),
) -> None:
    """以驱动接口提供 zhixing 参考法院（虚拟时间；每次运行 PUT /court 新建法院，连接进程内模拟机构
    或运行中的模拟机构服务的一个命名空间）/ serve zhixing's reference court through the driver interface
    (virtual time; each run, PUT /court, builds a fresh court reaching in-process mock agencies or a namespace of a
    running mock agencies server)."""
    import uvicorn

    from zhixing.listen import check_listen

    check_listen(host, [port])
    app = _reference_app(origin)  # built (its --origin checked) before the banner
    typer.echo(f"参考法院（驱动接口）/ reference court (driver interface): http://{host}:{port}  "
               f"文档 / docs: http://{host}:{port}/docs  (每次运行 PUT /court 新建法院 / PUT /court builds a fresh "
               "court)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(court_app, name="court")
