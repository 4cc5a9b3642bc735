"""The callback check (AG-011) says what it saw when it fails — found by a vendor walking certify/README.md against a
real-time system whose retries come 30 s and then 60 s apart (zhixing's own mock's backoff): with the default
``--answer-timeout`` of 60 s the third post never came within the wait, and the failing finding read "2 posts, 2
refused then retried until acknowledged", as if it had passed, with nothing on the timeout to raise."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from certify.runner import run_agency
from tests.test_agencies_live import LiveServer, free_port
from tests.test_certify_agency import FIXTURES, _server
from tests.test_certify_hostile import _short

ANSWER = {"ticket_id": "T1", "ok": True, "code": "0000", "holdings": []}


async def _slow_retries(request: Request) -> Response:
    """A system that posts its answer, is refused, retries once at once and then waits longer than the kit does
    (its next retry would come after the answer timeout); a poll gives the answer."""
    if request.method == "POST":
        body = await request.json()
        async with httpx.AsyncClient() as client:
            for _ in range(2):  # both refused by the kit's receiver
                await client.post(body["callback_url"], json=dict(ANSWER, request_no=body.get("request_no")),
                                  headers={"Idempotency-Key": "T1"})
        return JSONResponse({"ticket_id": "T1", "request_no": body.get("request_no"), "status": "accepted"},
                            status_code=202)
    if request.url.path.endswith("/requests"):  # polled by request number
        return JSONResponse({"ticket": {"ticket_id": "T1", "status": "answered"}, "feedback": ANSWER})
    if request.url.path.startswith("/agencies/") and "/requests/" in request.url.path:
        return JSONResponse({"ticket": {"ticket_id": "T1", "status": "answered"}, "feedback": ANSWER})
    return JSONResponse({"error": {"code": "not_found", "zh": "无", "en": "none"}}, status_code=404)


@pytest.fixture(scope="module")
def slow() -> Iterator[LiveServer]:
    app = Starlette(routes=[Route("/{path:path}", _slow_retries, methods=["GET", "POST"])])
    with LiveServer(app=app, port=free_port()) as server:
        yield server


def _ag011(out: Path) -> list[dict[str, Any]]:
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return next(r for r in data["requirements"] if r["id"] == "AG-011")["findings"]


def test_callbacks_not_acknowledged_within_the_answer_timeout_say_so_and_what_to_raise(slow: LiveServer,
                                                                                    tmp_path: Path) -> None:
    result = run_agency(slow.url, FIXTURES, tmp_path, only=("callbacks",), answer_timeout=0.3, http_timeout=2.0,
                        sleep=_short)
    assert result.failed == ["AG-011"]
    failed = [f for f in _ag011(tmp_path) if f["status"] == "fail"]
    posts = failed[0]
    assert "retried until acknowledged" not in posts["en"].split(" (")[0]  # what was seen, not claimed
    assert "重试至确认" not in posts["zh"].split("（")[0]
    assert posts["en"].startswith("callback: 2 posts, 2 refused, 0 acknowledged (expected")
    assert posts["zh"].startswith("回调：2 次投递，被拒 2 次，确认 0 次（应为")
    assert "--answer-timeout 0.3 s" in posts["en"] and "--answer-timeout 0.3 秒" in posts["zh"]
    polled = failed[1]  # the poll answered, but no callback was acknowledged to compare it with
    assert polled["en"] == ("polling the ticket: answered, acknowledged callback: none (expected the answer the "
                            "acknowledged callback carried)")
    assert polled["zh"].startswith("按工单轮询：有答复，确认的回调：无（应为")


def test_a_callback_never_retried_on_zhixing_says_it_waited_a_virtual_day(tmp_path: Path) -> None:
    with _server(defects=("no_callback_retry",)) as server:
        result = run_agency(server.url, FIXTURES, tmp_path, only=("callbacks",))
    assert result.failed == ["AG-011"]
    posts = next(f for f in _ag011(tmp_path) if f["status"] == "fail" and f["en"].startswith("callback:"))
    assert posts["en"] == ("callback: 1 posts, 1 refused, 0 acknowledged (expected: the kit refuses the first two "
                           "posts, and a refused answer is retried until acknowledged); no further post within a "
                           "virtual day")
    assert "--answer-timeout" not in posts["zh"]  # virtual time: nothing to raise


async def _backoff_retries(request: Request) -> Response:
    """A system that retries a refused callback after a backoff (as zhixing's mock: 30 s, then 60 s), scaled down:
    the third post comes about 0.9 s after the answer, beyond one answer timeout of 0.6 s, well within three (1.8 s:
    a loaded CI machine's delays have 0.9 s to fit in)."""
    if request.method == "POST":
        body = await request.json()

        async def post_until_acknowledged() -> None:
            async with httpx.AsyncClient() as client:
                for pause in (0.3, 0.6, None):
                    r = await client.post(body["callback_url"], json=ANSWER, headers={"Idempotency-Key": "T1"})
                    if r.status_code == 200 or pause is None:
                        return
                    await asyncio.sleep(pause)  # noqa: TID251 (the system's own backoff, in real time on loopback)

        _TASKS.add(task := asyncio.get_running_loop().create_task(post_until_acknowledged()))
        task.add_done_callback(_TASKS.discard)
        return JSONResponse({"ticket_id": "T1", "request_no": body.get("request_no"), "status": "accepted"},
                            status_code=202)
    return await _slow_retries(request)


_TASKS: set[asyncio.Task[None]] = set()


def test_a_callback_retried_after_a_backoff_longer_than_one_answer_timeout_passes(tmp_path: Path) -> None:
    """The answer's post and its two retries each get an answer timeout (``CALLBACK_WAITS``): a 30 s + 60 s backoff
    passes at the default 60 s. Before, the third post had to come within one, and such a system failed AG-011."""
    app = Starlette(routes=[Route("/{path:path}", _backoff_retries, methods=["GET", "POST"])])
    with LiveServer(app=app, port=free_port()) as server:
        result = run_agency(server.url, FIXTURES, tmp_path, only=("callbacks",), answer_timeout=0.6,
                            http_timeout=2.0, sleep=_short)
    posts = next(f for f in _ag011(tmp_path) if f["en"].startswith("callback:"))
    assert posts["status"] == "pass" and posts["en"] == "callback: 3 posts, 2 refused then retried until acknowledged"
    assert "AG-011" not in result.failed, [f["en"] for f in _ag011(tmp_path) if f["status"] != "pass"]
