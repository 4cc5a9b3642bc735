"""Settings of the mock-agencies service (one object, built by the caller — never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core_flow.errors import UserError
from mock_agencies.clock import CST, as_cst
from mock_agencies.defects import Defect, parse_defects

ENV_PREFIX = "ZHIXING_AGENCIES_"

# A Monday, 09:00 CST: the default origin of every namespace's virtual clock (reproducible runs).
DEFAULT_ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)


# the options of `zhixing agencies serve` whose names are not the setting's (the others: --host, --port, --seed …)
_OPTION = {"state_path": "--state", "defects": "--defect"}


class Settings(BaseModel):
    """Service settings. ``from_env`` reads ``ZHIXING_AGENCIES_<FIELD>`` (used by ``uvicorn --factory``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, le=65535)
    seed: int = Field(default=0, ge=0, description="默认命名空间的种子 / seed of new namespaces")
    profile: str = Field(default="realistic", description="默认行为配置 / default behaviour profile")
    world_size: int = Field(default=1_000_000, ge=1, description="合成世界的被执行人数 / debtors in the world")
    journal_size: int = Field(default=1000, ge=1, description="每个命名空间的请求日志条数 / journal bound")
    time_scale: float = Field(
        default=1.0, ge=0, description="虚拟时间倍速，0 = 仅由 advance 推进 / virtual seconds per real second"
    )
    origin: datetime = Field(default=DEFAULT_ORIGIN, description="虚拟时钟起点 / virtual clock origin")
    max_sessions: int = Field(default=64, ge=1, description="命名空间上限 / most namespaces kept at once")
    callback_max_attempts: int = Field(
        default=12,
        ge=1,
        le=1000,
        description="回调最多尝试次数，此后在日志中记为失败（仍可轮询）/ attempts before a callback is marked failed",
    )
    callback_hosts: tuple[str, ...] = Field(
        default=("127.0.0.1", "::1", "localhost"),
        max_length=256,
        description="回调地址允许的主机（逗号分隔；* 为任意）/ hosts callbacks may go to (comma-separated; * any)",
    )
    callback_backoff_seconds: float = Field(default=30.0, gt=0, description="首次重试间隔（虚拟秒）")
    callback_backoff_cap_seconds: float = Field(default=3600.0, gt=0)
    callback_timeout_seconds: float = Field(default=5.0, gt=0, description="回调 HTTP 超时（真实秒）")
    callback_concurrency: int = Field(
        default=16, ge=1, le=256, description="同一时刻到期的回调最多同时发出几个 / callbacks posted at once"
    )
    ticket_retention_seconds: float | None = Field(
        default=7 * 86400.0,
        ge=0,
        le=3660 * 86400.0,
        description="已答复工单的保留期（虚拟秒），此后只留请求编号的紧凑记录；None 为永久保留 / virtual seconds an "
        "answered ticket (callbacks settled) is kept whole; then only a compact record of its request number",
    )
    idempotency_retention_seconds: float = Field(
        default=90 * 86400.0,
        ge=0,
        le=3660 * 86400.0,
        description="退役工单的请求编号仍被识别的期限（虚拟秒）/ virtual seconds a retired ticket's request number "
        "is still recognised",
    )
    tokens_file: str | None = Field(
        default=None,
        max_length=4096,
        description="令牌文件（JSON）：各法院令牌绑定法院与命名空间，及管理令牌 / JSON file of court tokens "
        "(each bound to a court and a namespace) and the admin token",
    )
    admin_token: str | None = Field(
        default=None, min_length=16, max_length=256, repr=False, description="管理令牌 / the admin token"
    )
    unmask: bool = Field(
        default=False,
        description="日志、请求日志与错误中显示完整身份证号与账号（仅供本地调试）/ show full ID and account numbers in "
        "logs, the journal and error bodies (local debugging only)",
    )
    state_path: str | None = Field(
        default=None,
        max_length=4096,
        description="状态文件（SQLite，WAL）：各命名空间的状态在此持久保存，重启后恢复；缺省只在内存 / the SQLite "
        "file keeping every namespace's state across restarts; default: memory only",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=256 * 1_048_576,
        description="请求体上限（字节），超过答 413 / the largest request body accepted (bytes); larger: 413",
    )
    background: bool = Field(default=True, description="实时推进后台任务 / run the real-time ticker")
    hub_retry_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86400,
        description="总对总重试故障机构的间隔（虚拟秒）/ the hub's retry after an agency's fault (virtual s)",
    )
    hub_max_attempts: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="总对总对一家机构最多尝试次数 / the hub's attempts at an agency before reporting it failed",
    )

    defects: tuple[Defect, ...] = Field(
        default=(),
        description="故意缺陷（仅供认证工具自检；只能由 --defect 明确开启，不读环境变量，GET /health 显示）"
        "/ deliberate defects for the certification kit's self-check: only the explicit --defect turns one on "
        "(never the environment); shown at GET /health",
    )

    @field_validator("defects", mode="before")
    @classmethod
    def _defects(cls, value: object) -> object:
        return parse_defects(value)

    @field_validator("callback_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment: "127.0.0.1,court.example"
            return tuple(h.strip() for h in value.split(",") if h.strip())
        return value

    @field_validator("origin")
    @classmethod
    def _cst(cls, value: datetime) -> datetime:
        return as_cst(value)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            if name == "defects":  # never from the environment: a defect cannot be switched on by accident
                continue
            key = ENV_PREFIX + name.upper()
            if key in env:
                values[name] = env[key]
        values.update(overrides)
        try:
            return cls.model_validate(values)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            top = str(first["loc"][0]) if first["loc"] else ""
            # a value given as an option (``--seed``) is named as the option, one from the environment by its name
            option = _OPTION.get(top, f"--{top.replace('_', '-')}")
            where = option if top in overrides else f"{ENV_PREFIX}{field.upper()}"
            raise UserError(
                f"服务设置无效：{first['msg']}",
                f"invalid service setting: {first['msg']}",
                where=where,
            ) from None
