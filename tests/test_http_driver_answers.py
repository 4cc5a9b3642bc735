"""The HTTP court driver reads what a court under test answers. A court answering an HTML page or plain text where
JSON is due (a proxy's error page, a wrong route that falls through to a web UI) gave a ``JSONDecodeError`` stack
trace in the scenario report, its path percent-encoded (review R5). Now a located ``UserError``: the step, the
status and the content type, the case number as written."""

from __future__ import annotations

import httpx
import pytest

from core_flow.driver.http_driver import HttpDriver
from core_flow.errors import UserError


def _driver(status: int, body: bytes, content_type: str) -> HttpDriver:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type} if content_type else {})

    return HttpDriver("http://court.test", transport=httpx.MockTransport(answer))


def test_a_page_where_json_is_due_is_a_located_mistake_not_a_stack_trace() -> None:
    driver = _driver(200, b"<html><body>Welcome</body></html>", "text/html")
    with pytest.raises(UserError) as err:
        driver.case("(2025)豫0811执1号")
    assert "不是 JSON" in err.value.zh and "text/html" in err.value.zh and "did not answer JSON" in err.value.en
    assert err.value.where == "GET /cases/(2025)豫0811执1号"  # as written, not %282025%29…
    assert err.value.code == "court_error"


def test_an_error_said_to_be_json_that_is_not_keeps_its_status() -> None:
    driver = _driver(502, b"Bad Gateway", "application/json")
    with pytest.raises(UserError) as err:
        driver.now()
    assert "502" in err.value.zh and "502" in err.value.en and err.value.where == "GET /now"


def test_an_answer_without_a_content_type_says_so() -> None:
    driver = _driver(200, b"ok", "")
    with pytest.raises(UserError) as err:
        driver.now()
    assert "未注明类型" in err.value.zh and "no content type" in err.value.en
