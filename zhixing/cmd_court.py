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
    insecure_open: bool = typer.Option(
        False, "--insecure-open", help="监听非本机地址（接口无身份验证）/ bind beyond loopback (no authentication)"
    ),
) -> None:
    """以驱动接口提供 zhixing 参考法院（虚拟时间；每次运行 PUT /court 新建法院，连接进程内模拟机构
    或运行中的模拟机构服务的一个命名空间）/ serve zhixing's reference court through the driver interface
    (virtual time; each run, PUT /court, builds a fresh court reaching in-process mock agencies or a namespace of a
    running mock agencies server)."""
    import uvicorn

    from core_flow.errors import UserError
    from mock_agencies.auth import is_loopback_host
    from zhixing.listen import check_listen

    check_listen(host, [port])  # an address that is none is said so first
    open_beyond_loopback = not is_loopback_host(host)
    if open_beyond_loopback and not insecure_open:  # the court has no tokens: whoever reaches it runs it
        raise UserError(
            f"驱动接口没有身份验证，拒绝监听非本机地址 {host}：能连到它的任何人都可重建（PUT /court）或结束"
            "（DELETE /court）运行、立案和发送命令；确需如此请明确加 --insecure-open",
            f"refusing to bind {host} (beyond loopback): the driver interface has no authentication, anyone who "
            "reaches it can start (PUT /court) or end (DELETE /court) the run, file cases and send commands; say "
            "--insecure-open if you mean it",
            where="--host", code="insecure_host")
    app = _reference_app(origin)  # built (its --origin checked) before the banner
    typer.echo(f"参考法院（驱动接口）/ reference court (driver interface): http://{host}:{port}  "
               f"文档 / docs: http://{host}:{port}/docs  (每次运行 PUT /court 新建法院 / PUT /court builds a fresh "
               "court)")
    if open_beyond_loopback:
        typer.echo(f"警告：--insecure-open，{host} 上无身份验证，能连到它的任何人都可操作本法院 / warning: "
                   f"--insecure-open, no authentication on {host}: anyone who reaches it can drive this court",
                   err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(court_app, name="court")
