"""Pushing an approved resumption to the local filing system (法明传〔2020〕849号 一（二）: "审批通过后，推送本地
立案系统进行恢复执行立案"), and zhixing's built-in reference receiver for it.

A push is an HTTP POST of a JSON body to the configured endpoint; the receiver files the 恢复执行 case and
answers with its number. ``HttpFilingPush`` posts through an injected ``httpx.AsyncClient`` (a real server or
an in-process ASGI app); ``LocalFilingPush`` calls a filing function on the clock, for virtual-time runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field

from core_flow.clocks import Clock
from core_flow.errors import UserError
from core_flow.validation import field_messages, validation_error_body

if TYPE_CHECKING:
    from fastapi import FastAPI

PushDone = Callable[[str | None, str], None]  # (new case id or None, detail)


class ResumptionPush(BaseModel):
    """What 终本管理 sends to the filing system once a resumption is approved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    court_code: str = Field(min_length=1, max_length=32)
    original_case: str = Field(min_length=1, max_length=64, description="终本案号 / the 终本 case")
    previous_handler: str | None = Field(default=None, max_length=64, description="原承办人 / its handler")
    debtors: tuple[str, ...] = Field(min_length=1, description="被执行人证件号码 / debtors' ID numbers")
    reason: str = Field(default="", max_length=500)


class FiledCase(BaseModel):
    case_id: str
    original_case: str


class FilingPush(Protocol):
    def push(self, payload: ResumptionPush, done: PushDone) -> None: ...


class HttpFilingPush:
    """POST to ``url`` (retried a few times on transport errors and 5xx; each attempt bounded)."""

    def __init__(self, client: httpx.AsyncClient, url: str, attempts: int = 5) -> None:
        self.client = client
        self.url = url
        self.attempts = attempts

    def push(self, payload: ResumptionPush, done: PushDone) -> None:
        if self.client.is_closed:  # the court is shutting down: nothing more is sent
            return
        asyncio.get_running_loop().create_task(self._push(payload, done))

    async def _push(self, payload: ResumptionPush, done: PushDone) -> None:
        detail = ""
        for _ in range(self.attempts):
            if self.client.is_closed:  # closed while retrying (the court shut down): dropped, not a failed filing
                return
            try:
                response = await self.client.post(self.url, json=payload.model_dump(mode="json"))
            except httpx.TransportError as err:
                detail = f"{type(err).__name__}: {err}"
                continue
            if response.status_code < 300:
                done(FiledCase.model_validate(response.json()).case_id, "filed")
                return
            detail = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code < 500:
                break
        done(None, detail)


class LocalFilingPush:
    """Files through ``file`` at the clock's next instant (no network): for virtual-time runs."""

    def __init__(self, clock: Clock, file: Callable[[ResumptionPush], str]) -> None:
        self.clock = clock
        self.file = file

    def push(self, payload: ResumptionPush, done: PushDone) -> None:
        def deliver() -> None:
            try:
                done(self.file(payload), "filed")
            except UserError as err:
                done(None, err.message)

        self.clock.call_at(self.clock.now(), deliver)


class AnsweredAt:
    """A filing push whose answer for a given original case reaches the court at a set instant: the filing system
    files the 恢复执行 case when the push arrives, as ``inner`` does, and its answer (the new case's number, on which
    the court records the filing on the 终本 case and hands its freezes and seals over) comes at ``at[case]`` — a
    replay of a live run whose filing system answered late (``approve_resumption: {answered: …}`` in scenarios).
    Each setting is used by the next push of its case; other cases are answered as ``inner`` answers them.
    ``filed``: the 恢复执行 case filed for each original case whose answer was held (known before the 终本 case
    records it)."""

    def __init__(self, inner: FilingPush, clock: Clock) -> None:
        self.inner = inner
        self.clock = clock
        self.at: dict[str, datetime] = {}
        self.filed: dict[str, str] = {}

    def push(self, payload: ResumptionPush, done: PushDone) -> None:
        at = self.at.pop(payload.original_case, None)
        if at is None:
            self.inner.push(payload, done)
            return

        def answer(new_case: str | None, detail: str) -> None:
            if new_case is not None:
                self.filed[payload.original_case] = new_case
            self.clock.call_at(max(at, self.clock.now()), lambda: done(new_case, detail))

        self.inner.push(payload, answer)


def create_filing_receiver(file: Callable[[ResumptionPush], str]) -> FastAPI:
    """The reference receiver: ``POST /filings/resumptions`` files the 恢复执行 case through ``file``. FastAPI is
    imported here, when a receiver is served: the in-process court never imports it."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    app = FastAPI(title="zhixing 本地立案系统（参考实现）/ local filing system (reference receiver)")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = field_messages(list(exc.errors()), drop_body=True)
        return JSONResponse(validation_error_body(fields, "推送内容无效：", "invalid push: "), status_code=422)

    @app.exception_handler(UserError)
    async def _user_error(_: Request, exc: UserError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": exc.as_dict()})

    @app.post("/filings/resumptions", response_model=FiledCase, status_code=201,
              summary="恢复执行立案 / file a resumed case")
    async def file_resumption(payload: ResumptionPush) -> dict[str, Any]:
        return {"case_id": file(payload), "original_case": payload.original_case}

    return app
