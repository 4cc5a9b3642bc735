"""The driver interface over HTTP: the contract a vendor's adapter serves (its OpenAPI, Chinese and English), here
serving any :class:`~core_flow.driver.protocol.CourtDriver` (zhixing's reference court by default)."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from core_flow.body_limit import declared_length, limited
from core_flow.docs import offline_docs
from core_flow.driver.http_doc import APP_STATUSES, allowed_methods, describe
from core_flow.driver.protocol import (
    AdvanceBody,
    AmountsView,
    AssetView,
    CaseFiling,
    CaseView,
    Clock,
    CommandBody,
    CommandResult,
    CourtDriver,
    EventView,
    LotView,
    NodeView,
    RunSetup,
)
from core_flow.errors import UserError
from core_flow.validation import field_messages, validation_error_body

DRIVER_VERSION = "0.6.1"  # the driver interface's version (semver), independent of the package's
# 0.6.1: the reference court times node 24 from a round's listing when it comes before the announcement its notice
#        planned (a notice given less than 3 days before the listing: missed under the round's next <asset>#n); a
#        deposit forfeited after a 终本 case's resumption goes with the lot to the 恢复执行 case (review R28 F9, F10);
#        a notice naming an announcement less than 3 days ahead is late (notice_late).
# 0.4.3: Close and ApproveClosing refuse RELEASE_GATE also while a lot's round has begun and not ended (bidding or a
#        变卖 sale period running, or won and the balance unpaid: detail ROUND_IN_BIDDING).
# 0.4.0: a new operation WithdrawListing (撤回拍卖: the lot's round whose bidding or sale period has not begun,
#        拍卖变卖规定 第二十条 as commonly published; 第二十四条 in some sources) beside StartSale.
# 0.3.1: the amounts may give fee_cents and fee_settled_cents (执行申请费, where the court charges it: the reference
#        court's process.yaml ``fees``, off by default); a new refusal code FEE_UNSETTLED.
# 0.3.0: a new operation AgreeInKind (以物抵债 by agreement without auction, seed 004 节点二十九 第2项: asset,
#        price_cents, applicant_consents, debtor_consents, others_consent) beside OfferInKind; new refusal codes.
# 0.2.5: the reference court's money rules after a closing: held money returned to the debtor after 销案 / 不予执行 /
#        驳回申请 (RETURN_TO_DEBTOR), nodes 32–33 deadlines outlive the closing and are unfrozen after it, an escrow
#        on a frozen node 33 refused NODE_FROZEN.
# 0.2.4: what the contract stated is checked (debtor ID check digits, case numbers and names, instants beyond the
#        calendar, 1 MiB bodies, application/json); requests served in turn; a refused PUT /court keeps the run.
# 0.2.3: each node item says the provisional holiday years its due relies on (calendar_provisional).
# 0.2.2: PayOut's surplus (余款退还) is paid to the debtor and kept apart; the amounts give returned_cents.
# 0.2.1: values that could never work are refused at once (422): a field of the wrong JSON type (bad_fields), an
#        unknown debtor (unknown_debtor), a debtor twice in one filing, an origin or clock beyond the legal
#        calendar's years (calendar_range).
# 0.2.0: a run (PUT/DELETE /court), the clock (POST /clock/advance), the case's summary, assets, amounts and lots,
#        the court's operations on property (EnterClue, Freeze, …, ListAuction, …) as commands; CommandResult.id.


MAX_BODY_BYTES = 1024 * 1024  # a request body over 1 MiB is refused (413), as the mock agencies refuse it


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={
        "code": "body_too_large", "zh": f"请求体超过上限 {limit} 字节", "en": f"the request body is larger than the "
        f"limit of {limit} bytes", "where": "body"})


class _BodyLimit:
    """A request body over ``limit`` bytes is refused with 413 (``body_too_large``): before it is read when its
    ``Content-Length`` says so, else as soon as the bytes received pass the limit (a chunked body:
    ``core_flow.body_limit``, as the mock agencies limit theirs)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        await self.app(scope, limited(receive, self.limit), send)


def _json_content(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _unparsable(cause: BaseException | None) -> dict[str, Any]:
    """The 400 body for a request body FastAPI could not parse (``cause``: why, as it raised it)."""
    if isinstance(cause, UnicodeDecodeError):
        at = cause.start
        return {"code": "bad_body",
                "zh": f"请求体不是 UTF-8 编码的文本（偏移 {at} 字节处无法解码），应为 UTF-8 的 JSON",
                "en": f"the request body is not UTF-8 text (undecodable at byte offset {at}): expected JSON in UTF-8",
                "where": "body"}
    return {"code": "bad_body", "zh": "请求体无法解析，应为 UTF-8 的 JSON", "en": "the request body cannot be parsed: "
            "expected JSON in UTF-8", "where": "body"}


def create_driver_app(driver: CourtDriver, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The driver interface serving ``driver``. Every request that touches the court is served alone, in turn (the
    engine and its virtual clock are not thread-safe: two advances at once would corrupt the run), a body over
    ``max_body_bytes`` is refused unread."""
    lock = threading.Lock()
    app = FastAPI(
        docs_url=None, redoc_url=None,  # /docs is served offline below (court intranets have no internet)
        title="zhixing court driver / 法院案件系统驱动接口", version=DRIVER_VERSION,
        description=("测试工具驱动被测法院案件系统、并读回其事件与节点状态的接口；"
                     "厂商的适配器实现同一接口即可运行 zhixing 的场景集与认证套件。"
                     "一次运行：PUT /court 开始（新法院，时钟起点），POST /clock/advance 推进时间，"
                     "POST /cases 立案，POST /cases/{id}/commands 办理，GET /cases/{id}/… 读回，DELETE /court 结束。 / "
                     "How a harness drives a court case system under test and reads back its events and node "
                     "states; a vendor's adapter serving this interface runs zhixing's scenario suites and "
                     "certification kit. One run: PUT /court starts it (a fresh court, its clock's origin), "
                     "POST /clock/advance moves time, POST /cases files, POST /cases/{id}/commands acts, "
                     "GET /cases/{id}/… reads back, DELETE /court ends it. " + APP_STATUSES))

    offline_docs(app)
    app.add_middleware(_BodyLimit, limit=max_body_bytes)

    @app.exception_handler(UserError)
    async def _user_error(_: Request, err: UserError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"code": err.code or "invalid", "zh": err.zh, "en": err.en,
                                                      "where": err.where})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if not _json_content(request) and any(tuple(e.get("loc", ())) == ("body",) and e.get("type") != "missing"
                                               for e in errors):  # a JSON body sent as text/plain or a form
            got = request.headers.get("content-type") or "无 / none"
            return JSONResponse(status_code=415, content={
                "code": "content_type", "zh": f"Content-Type 应为 application/json（收到：{got}）",
                "en": f"expected Content-Type: application/json (got: {got})", "where": "Content-Type"})
        fields = field_messages(errors, drop_body=True)
        error = validation_error_body(fields, "请求无效：", "invalid request: ")["error"]
        return JSONResponse(status_code=422, content={"code": "validation", "zh": error["zh"], "en": error["en"],
                                                      "where": error["where"], "fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 405:
            body = {"code": "method_not_allowed", "zh": f"此路径不支持 {request.method} 方法",
                    "en": f"{request.method} is not allowed here", "where": "method"}
        elif exc.status_code == 404:
            body = {"code": "not_found", "zh": f"没有该路径：{request.url.path}",
                    "en": f"no such path: {request.url.path}", "where": "path"}
        elif exc.status_code == 400:
            body = _unparsable(exc.__cause__)
        elif exc.status_code == 413:
            return _too_large(max_body_bytes)
        else:
            body = {"code": "http_error", "zh": f"请求失败（{exc.status_code}）",
                    "en": f"request failed ({exc.status_code}): {exc.detail}", "where": None}
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
            headers["Allow"] = allowed_methods(request.app.routes, request.url.path)
        return JSONResponse(status_code=exc.status_code, content=body, headers=headers or None)

    @app.put("/court", summary="开始一次运行（新法院）/ start a run (a fresh court)", response_model=Clock)
    def reset(setup: RunSetup) -> Clock:
        with lock:
            return driver.reset(setup)

    @app.delete("/court", summary="结束本次运行 / end the run", status_code=204)
    def close() -> None:
        with lock:
            driver.close()

    @app.get("/now", summary="法院当前时间 / the court's now", response_model=Clock)
    def now() -> Clock:
        with lock:
            return Clock(now=driver.now())

    @app.post("/clock/advance", summary="推进法院时钟（虚拟时间）/ run the court's clock to an instant",
              response_model=Clock)
    def advance(body: AdvanceBody) -> Clock:
        with lock:
            return Clock(now=driver.advance(body.to))

    @app.post("/cases", summary="立案 / file a case", response_model=CommandResult)
    def file(filing: CaseFiling) -> CommandResult:
        with lock:
            return driver.file(filing)

    @app.post("/cases/{case_id}/commands", summary="发送命令 / send a command", response_model=CommandResult)
    def command(case_id: str, body: CommandBody) -> CommandResult:
        with lock:
            return driver.command(case_id, body.type, body.fields)

    @app.get("/cases/{case_id}", summary="案件概要 / the case's summary", response_model=CaseView)
    def case(case_id: str) -> CaseView:
        with lock:
            return driver.case(case_id)

    @app.get("/cases/{case_id}/events", summary="案件事件 / the case's events", response_model=list[EventView])
    def events(case_id: str) -> list[dict[str, Any]]:
        with lock:
            return driver.events(case_id)

    @app.get("/cases/{case_id}/nodes", summary="节点状态 / the case's node states", response_model=list[NodeView])
    def nodes(case_id: str) -> list[NodeView]:
        with lock:
            return driver.nodes(case_id)

    @app.get("/cases/{case_id}/assets", summary="已查得财产 / the case's found property",
             response_model=list[AssetView])
    def assets(case_id: str) -> list[AssetView]:
        with lock:
            return driver.assets(case_id)

    @app.get("/cases/{case_id}/amounts", summary="金额对账 / the case's amounts, reconciled",
             response_model=AmountsView)
    def amounts(case_id: str) -> AmountsView:
        with lock:
            return driver.amounts(case_id)

    @app.get("/cases/{case_id}/lots", summary="处置中的财产 / assets being disposed of", response_model=list[LotView])
    def lots(case_id: str) -> list[LotView]:
        with lock:
            return driver.lots(case_id)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
