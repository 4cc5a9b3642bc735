"""`zhixing agencies`: serve the mock agencies, list the catalogue."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

import typer

from core_flow.errors import UserError
from zhixing.listen import check_listen

SHUTDOWN_GRACE_SECONDS = 2.0

if TYPE_CHECKING:
    from mock_agencies.settings import Settings
    from mock_agencies.store import StateStore

agencies_app = typer.Typer(
    name="agencies",
    help="模拟协助执行单位 / mock agencies (banks, registries, auction and pricing platforms…)",
    no_args_is_help=True,
)


@agencies_app.command("serve")
def serve(
    # None: not given, so ZHIXING_AGENCIES_<SETTING> or the setting's default applies (option > environment > default)
    host: str | None = typer.Option(None, "--host", show_default="127.0.0.1", help="监听地址 / address to bind"),
    port: int | None = typer.Option(None, "--port", show_default="8700", help="端口 / port"),
    seed: int | None = typer.Option(None, "--seed", show_default="0",
                                    help="默认命名空间的种子 / seed of new namespaces"),
    profile: str | None = typer.Option(None, "--profile", show_default="realistic",
                                       help="行为配置 / profile: realistic | fast"),
    time_scale: float | None = typer.Option(
        None, "--time-scale", show_default="1.0",
        help="虚拟时间倍速，0 = 仅由 advance 推进 / virtual seconds per real second",
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn 日志级别 / uvicorn log level"),
    unmask: bool = typer.Option(
        False, "--unmask", help="日志与错误中显示完整身份证号与账号（本地调试）/ full ID and account numbers in logs"
    ),
    insecure_open: bool = typer.Option(
        False, "--insecure-open", help="未配置令牌也监听非本机地址 / bind beyond loopback without tokens"
    ),
    state: str | None = typer.Option(
        None,
        "--state",
        help="状态文件（SQLite），重启后恢复各命名空间；一个文件同时只供一个服务；--processes N 时每个分片一个文件"
        "（FILE-shardIofN）/ SQLite file keeping the namespaces across restarts; one server at a time per file; "
        "with --processes N one file per shard (FILE-shardIofN)",
    ),
    defect: list[str] = typer.Option(
        [],
        "--defect",
        help="故意缺陷，仅供认证工具自检（可重复；GET /health 显示）/ a deliberate defect for the certification kit's "
        "self-check (repeatable; shown at GET /health): double_freeze, ignore_request_no, wrong_result_code, "
        "no_callback_retry, freeze_beyond_balance, queue_out_of_order, any_case_deducts, transfer_keeps_holding, "
        "transfer_keeps_queued",
    ),
    processes: int = typer.Option(
        1,
        "--processes",
        min=1,
        max=64,
        help="进程数：N > 1 时按被执行人证件号分片，各进程占端口 port…port+N-1（GET /shards 给出分片表）"
        " / processes: with N > 1 debtors are sharded by ID number over ports port…port+N-1 (map at GET /shards)",
    ),
) -> None:
    """运行全部模拟机构（一个进程，或按被执行人分片的多个进程）/ run all mock agencies in one process, or in
    several processes sharded by debtor (OpenAPI docs at /docs)."""
    import uvicorn

    from mock_agencies.app import create_app
    from mock_agencies.profiles import load_profile
    from mock_agencies.settings import Settings

    given = {"host": host, "port": port, "seed": seed, "profile": profile, "time_scale": time_scale}
    overrides: dict[str, object] = {name: value for name, value in given.items() if value is not None}
    if state is not None:
        overrides["state_path"] = state
    if unmask:
        overrides["unmask"] = True
    if defect:
        from mock_agencies.defects import parse_defects

        try:
            overrides["defects"] = parse_defects(defect)
        except ValueError as err:
            raise UserError(str(err).split(" / ")[0], str(err).split(" / ")[-1], where="--defect") from None
    settings = Settings.from_env(**overrides)
    host, port = settings.host, settings.port
    try:
        load_profile(settings.profile)  # an unknown profile is a UserError before anything starts
    except UserError as err:
        err.where = "--profile" if profile is not None else "ZHIXING_AGENCIES_PROFILE"
        raise
    from mock_agencies.profiles import is_workday

    is_workday(settings.origin.date())  # a bad holiday file (ZHIXING_HOLIDAYS) is reported now, located, not later
    from mock_agencies.auth import is_loopback_host

    if not is_loopback_host(host) and not (settings.tokens_file or settings.admin_token) and not insecure_open:
        raise UserError(
            f"未配置令牌时拒绝监听非本机地址 {host}：设置 ZHIXING_AGENCIES_TOKENS_FILE"
            "（或 ZHIXING_AGENCIES_ADMIN_TOKEN），或明确加 --insecure-open",
            f"refusing to bind {host} (beyond loopback) without tokens: set ZHIXING_AGENCIES_TOKENS_FILE (or "
            "ZHIXING_AGENCIES_ADMIN_TOKEN), or say --insecure-open",
            where="--host" if given["host"] is not None else "ZHIXING_AGENCIES_HOST",
        )
    if settings.defects and processes > 1:
        raise UserError("故意缺陷只用于单进程服务", "deliberate defects are for one process only", where="--defect")
    state_where = "--state" if state is not None else "ZHIXING_AGENCIES_STATE_PATH"
    if processes > 1:
        _serve_sharded(settings, processes, log_level, state_where)
        return
    # the state file is opened (its schema checked, its lock taken) before anything else, and kept open — the lock
    # held — while the server runs: the server's own store in this process shares the lock
    store = _open_state(settings.state_path, state_where) if settings.state_path else None
    try:
        check_listen(host, [port], "--port" if given["port"] is not None else "ZHIXING_AGENCIES_PORT",
                     "--host" if given["host"] is not None else "ZHIXING_AGENCIES_HOST")
        typer.echo(
            f"模拟机构 / mock agencies: http://{host}:{port}/agencies  文档 / docs: http://{host}:{port}/docs  "
            f"(profile={settings.profile}, seed={settings.seed})"
        )
        if store is not None:
            typer.echo(_state_line(store))
        if settings.defects:
            typer.echo(f"注意：故意缺陷已开启 / WARNING deliberate defects on: {', '.join(settings.defects)}", err=True)
        uvicorn.run(
            partial(create_app, settings),
            factory=True,
            host=host,
            port=port,
            log_level=log_level,
            # SIGTERM / Ctrl-C: requests still running (a long advance) are cancelled after this, then the ticker
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
    finally:
        if store is not None:
            store.close()


def _open_state(path: str, where: str) -> StateStore:
    """The state file opened (a located exit-2 error when it cannot be, or another process holds it)."""
    from mock_agencies.store import StateStore

    try:
        return StateStore(path)
    except UserError as err:
        err.where = where
        raise


def _state_line(store: StateStore, shard: int | None = None) -> str:
    """The banner's line on a state file: which, and how many namespaces it restores."""
    count = store.count()
    restored = f"恢复 {count} 个命名空间 / {count} namespaces restored" if count else "新建 / new"
    who = f"分片 {shard} / shard {shard} " if shard is not None else ""
    return f"  {who}状态文件 / state file: {store.path.resolve()}  ({restored})"


def _serve_sharded(settings: Settings, processes: int, log_level: str, state_where: str) -> None:
    from mock_agencies.shards import serve_shards

    host, port = settings.host, settings.port
    if port == 0 or port + processes - 1 > 65535:
        raise UserError(
            f"分片进程需要 {processes} 个连续端口，自 --port 起：{port}",
            f"{processes} shard processes need consecutive ports from --port: {port}",
            where="--port",
        )
    ports = list(range(port, port + processes))
    env = {"ZHIXING_AGENCIES_SEED": str(settings.seed), "ZHIXING_AGENCIES_PROFILE": settings.profile,
           "ZHIXING_AGENCIES_TIME_SCALE": str(settings.time_scale)}
    lines = []
    if settings.state_path:  # each shard its own file (mock_agencies.namespaces.state_file), checked here
        from mock_agencies.store import shard_path

        env["ZHIXING_AGENCIES_STATE_PATH"] = settings.state_path
        for index in range(processes):
            store = _open_state(str(shard_path(settings.state_path, index, processes)), state_where)
            try:
                lines.append(_state_line(store, index))
            finally:
                store.close()  # the shard process takes the lock
    check_listen(host, ports)
    typer.echo(
        f"模拟机构 / mock agencies: {processes} 个分片进程 / shard processes on http://{host}:{ports[0]}…{ports[-1]}  "
        f"分片表 / shard map: http://{host}:{port}/shards  (profile={settings.profile}, seed={settings.seed})"
    )
    for line in lines:
        typer.echo(line)
    raise typer.Exit(serve_shards(host, ports, env, log_level))


@agencies_app.command("list")
def list_agencies(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    group: str | None = typer.Option(None, "--group", help=(
        "只列出某组，如 全国性银行 或 national_bank / only one group, e.g. 全国性银行 or national_bank")),
) -> None:
    """列出机构目录 / list the catalogue of agencies."""
    from core_flow.protocol import AGENCY_GROUP_NAMES, MEASURE_NAMES, AgencyGroup, Measure
    from mock_agencies.catalogue import load_catalogue

    catalogue = load_catalogue()
    agencies = catalogue.agencies
    if group is not None:
        named = {zh: g.value for g, (zh, _en) in AGENCY_GROUP_NAMES.items()}
        try:
            agencies = catalogue.by_group(named.get(group.strip(), group.strip()))
        except ValueError:
            choices = "、".join(f"{AGENCY_GROUP_NAMES[g][0]} {g.value}" for g in AgencyGroup)
            codes = ", ".join(g.value for g in AgencyGroup)
            raise UserError(
                f"未知的机构组 {group!r}，可选：{choices}", f"unknown group {group!r}; one of: {codes}", "--group"
            ) from None
    rows = [a.as_json() for a in agencies]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from zhixing.console import Table
    from zhixing.console import console as plain_console

    table = Table(title=f"机构目录 / agencies ({len(rows)})")
    for column in ("代码 / code", "名称 / name", "组 / group", "措施 / measures", "地区 / region"):
        table.add_column(column)
    known = {m.value for m in Measure}
    for row in rows:
        group_zh = AGENCY_GROUP_NAMES[AgencyGroup(row["group"])][0]
        measures = "、".join(MEASURE_NAMES[Measure(m)][0] for m in row["operations"] if m in known)
        table.add_row(row["code"], row["name"], f"{group_zh} {row['group']}", measures, row["region"] or "")
    plain_console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(agencies_app, name="agencies")
