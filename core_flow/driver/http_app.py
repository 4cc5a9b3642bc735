"""The driver interface over HTTP: the contract a vendor's adapter serves (its OpenAPI, Chinese and English), here
serving any :class:`~core_flow.driver.protocol.CourtDriver` (zhixing's reference court by default)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from core_flow.docs import offline_docs
from core_flow.driver.protocol import CaseFiling, CommandBody, CommandResult, CourtDriver, NodeView
from core_flow.errors import UserError

DRIVER_VERSION = "0.1.0"  # the driver interface's version (semver), independent of the package's
def create_driver_app(driver: CourtDriver) -> FastAPI:
    app = FastAPI(
        docs_url=None, redoc_url=None,  # /docs is served offline below (court intranets have no internet)
        title="zhixing court driver / 法院案件系统驱动接口", version=DRIVER_VERSION,
        description=("测试工具驱动被测法院案件系统、并读回其事件与节点状态的接口；"
                     "厂商的适配器实现同一接口即可运行 zhixing 的场景集与认证套件。 / "
                     "How a harness drives a court case system under test and reads back its events and node "
                     "states; a vendor's adapter serving this interface runs zhixing's scenario suites and "
                     "certification kit."))

    offline_docs(app)

    @app.exception_handler(UserError)
    async def _user_error(_: Request, err: UserError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"code": err.code or "invalid", "zh": err.zh, "en": err.en,
                                                      "where": err.where})

    @app.get("/now", summary="法院当前时间 / the court's now")
    def now() -> dict[str, datetime]:
        return {"now": driver.now()}

    @app.post("/cases", summary="立案 / file a case", response_model=CommandResult)
    def file(filing: CaseFiling) -> CommandResult:
        return driver.file(filing)

    @app.post("/cases/{case_id}/commands", summary="发送命令 / send a command", response_model=CommandResult)
    def command(case_id: str, body: CommandBody) -> CommandResult:
        return driver.command(case_id, body.type, body.fields)

    @app.get("/cases/{case_id}/events", summary="案件事件 / the case's events")
    def events(case_id: str) -> list[dict[str, Any]]:
        return driver.events(case_id)

    @app.get("/cases/{case_id}/nodes", summary="节点状态 / the case's node states", response_model=list[NodeView])
    def nodes(case_id: str) -> list[NodeView]:
        return driver.nodes(case_id)

    return app
