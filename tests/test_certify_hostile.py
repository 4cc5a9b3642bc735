"""The certification kit against a hostile or broken system under test, and against the user's mistakes: whatever
the system does — answers of the wrong shape, NaN, huge or trickled bodies, answers past the time limit, a server
that goes away or hangs up, callbacks to the wrong place with garbage — the run ends in bounded time with a verdict
and its evidence (strict JSON, masked), never a traceback; the user's mistakes are located bilingual errors (exit 2).

The systems under test here are small Starlette apps on a real uvicorn server on loopback; the kit's time limits
are set small (``http_timeout``, ``answer_timeout``) and its back-off sleeps are cut short, so nothing waits long."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from certify.court_runner import bind_listen, drive_court
from certify.court_server import FaultSchedule, create_court_lab
from certify.court_suite import grade_court
from certify.evidence import FILES, verify_evidence, write_evidence
from certify.findings import Finding
from certify.fixtures import load_fixtures
from certify.receiver import CallbackReceiver
from certify.runner import run_agency
from core_flow.errors import UserError
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port
from zhixing.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "certify" / "fixtures_examples" / "zhixing.yaml"
TICKET = {"ticket_id": "T1", "request_no": "x", "status": "accepted"}


def _short(seconds: float) -> None:
    """The kit's back-off and polling pauses, cut short (the limits under test are the HTTP ones)."""
    time.sleep(min(seconds, 0.01))  # noqa: TID251 (a real server on loopback; a hundredth of a second)


class Hostile:
    """A system under test that answers every request as ``self.mode`` says."""

    def __init__(self) -> None:
        self.mode = "list"
        self.posts = 0
        self.server: LiveServer | None = None

    async def handle(self, request: Request) -> Response:
        mode = self.mode
        if mode == "list":
            return JSONResponse([1, 2, 3], status_code=202)
        if mode == "null":
            return Response("null", media_type="application/json", status_code=202)
        if mode == "nan":
            return Response('{"ticket_id": NaN, "status": "accepted", "request_no": 1e999}',
                            media_type="application/json", status_code=202)
        if mode == "types":
            return JSONResponse({"ticket_id": ["T"], "status": 5, "ticket": [], "feedback": "x"}, status_code=202)
        if mode == "html":
            return Response("<html><body>维护中 maintenance</body></html>", media_type="text/html", status_code=200)
        if mode == "digits":  # more digits than Python converts from text
            return Response('{"ticket_id": ' + "9" * 5000 + "}", media_type="application/json", status_code=202)
        if mode == "500":
            return Response("Internal Server Error", status_code=500)
        if mode == "plain":  # a plain static file server (python -m http.server): 404 pages, POST not supported
            if request.method == "GET":
                return Response("<html><body>404 File not found</body></html>", media_type="text/html",
                                status_code=200 if request.url.path == "/health" else 404)
            return Response("<html><body>501 Unsupported method</body></html>", media_type="text/html",
                            status_code=501)
        if mode == "redirect":
            return Response(status_code=307, headers={"Location": "http://127.0.0.1:9/elsewhere"})
        if mode == "slow":  # an answer past the kit's time limit
            await asyncio.sleep(2)
            return JSONResponse(TICKET, status_code=202)
        if mode == "trickle":  # a body of one byte now and then: each read is quick, the whole never ends
            async def drip() -> Any:
                for _ in range(30):
                    yield b" "
                    await asyncio.sleep(0.1)

            return StreamingResponse(drip(), media_type="application/json", status_code=202)
        if mode == "huge":  # 50 MB, made as it is sent
            async def lots() -> Any:
                yield b'{"ticket_id": "'
                for _ in range(50):
                    yield b"x" * 2**20
                yield b'"}'

            return StreamingResponse(lots(), media_type="application/json", status_code=202)
        if mode == "die":  # accepts the first request, then goes away: later connections are refused
            assert self.server is not None
            self.server.server.should_exit = True
            return JSONResponse(TICKET, status_code=202)
        if mode.startswith("busy") and request.method == "POST":  # 429 with Retry-After: N, then accepted
            body = await request.json()
            self.posts += 1
            if self.posts == 1:
                return JSONResponse({"error": {"code": "rate_limited", "zh": "稍后", "en": "later"}}, status_code=429,
                                    headers={"Retry-After": mode[4:]})
            return JSONResponse(dict(TICKET, request_no=body.get("request_no")), status_code=202)
        if mode.startswith("busy"):  # answered at once (the test is about the submission)
            return JSONResponse({"ticket": {"ticket_id": "T1", "status": "answered"},
                                 "feedback": {"ticket_id": "T1", "ok": True, "code": "0000", "holdings": []}})
        if mode == "mute":  # accepts everything, answers nothing
            if request.method == "POST":
                body = await request.json()
                return JSONResponse(dict(TICKET, request_no=body.get("request_no")), status_code=202)
            return JSONResponse({"ticket": {"ticket_id": "T1", "status": "accepted"}})
        if mode == "twice" and request.method == "POST":  # retried until acknowledged, then once more
            body = await request.json()
            answer = {"ticket_id": "T1", "request_no": body.get("request_no"), "ok": True, "code": "0000"}
            async with httpx.AsyncClient() as client:
                for _ in range(4):  # the kit refuses two, acknowledges the third; the fourth is one too many
                    await client.post(body["callback_url"], json=answer, headers={"Idempotency-Key": "k1"})
            return JSONResponse(dict(TICKET, request_no=body.get("request_no")), status_code=202)
        if mode == "twice" and request.method == "GET":
            return JSONResponse({"ticket": {"ticket_id": "T1", "status": "answered"},
                                 "feedback": {"ticket_id": "T1", "ok": True, "code": "0000"}})
        if mode == "wrong_callback" and request.method == "POST":
            body = await request.json()
            if body.get("callback_url"):
                async with httpx.AsyncClient() as client:  # garbage to a path the court never gave, twice
                    for _ in range(2):
                        await client.post(body["callback_url"] + "-elsewhere", content=b"\xff{garbage")
                    await client.post(body["callback_url"], json={"account_no": 6222024100000000007})
            return JSONResponse(dict(TICKET, request_no=body.get("request_no")), status_code=202)
        return JSONResponse({"error": {"code": "not_found", "zh": "无", "en": "none"}}, status_code=404)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST", "PUT", "DELETE"])])


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    sut = Hostile()
    with LiveServer(app=sut.app(), port=free_port()) as server:
        sut.server = server
        yield sut


def _run(url: str, out: Path, only: tuple[str, ...] = ("receipts",), **options: Any) -> Any:
    options = {"answer_timeout": 0.3, "http_timeout": 1.0, "sleep": _short, **options}
    return run_agency(url, FIXTURES, out, only=only, **options)


def _results(out: Path) -> dict[str, Any]:
    def strict(constant: str) -> None:
        raise AssertionError(f"results.json is not strict JSON: {constant}")

    return json.loads((out / "results.json").read_text(encoding="utf-8"), parse_constant=strict)


def _row(out: Path, requirement: str) -> dict[str, Any]:
    return next(r for r in _results(out)["requirements"] if r["id"] == requirement)


def _evidence_complete(result: Any) -> None:
    assert all((result.out / name).is_file() for name in FILES)
    assert verify_evidence(result.out) == result.digest


@pytest.mark.parametrize(("mode", "failed"), [
    ("list", ["AG-001"]), ("null", ["AG-001"]), ("html", ["AG-001"]), ("digits", ["AG-001"]), ("500", ["AG-001"]),
    ("redirect", ["AG-001"]), ("nan", ["AG-001"]), ("types", ["AG-001"]),  # a ticket number NaN / a list: none
])
def test_an_answer_of_the_wrong_shape_is_a_finding_with_evidence(hostile: Hostile, mode: str, failed: list[str],
                                                                 tmp_path: Path) -> None:
    hostile.mode = mode
    result = _run(hostile.server.url, tmp_path)  # type: ignore[union-attr]
    assert result.failed == failed, mode
    receipt = _row(tmp_path, "AG-001")
    assert receipt["status"] == "fail" and receipt["findings"][0]["exchanges"], mode  # the exchange proving it
    answer = _row(tmp_path, "AG-018")  # skipped with the reason — not "not checked by this suite"
    assert answer["status"] == "skipped" and answer["findings"][0]["check"] == "receipts", mode
    _evidence_complete(result)


def test_a_slow_answer_is_cut_off_and_a_silent_system_is_not_waited_for_again(hostile: Hostile,
                                                                              tmp_path: Path) -> None:
    hostile.mode = "slow"
    started = time.monotonic()
    result = _run(hostile.server.url, tmp_path, only=("receipts", "idempotency"),  # type: ignore[union-attr]
                  http_timeout=0.2)
    assert time.monotonic() - started < 10
    assert result.failed == ["AG-001"]
    assert "Timeout" in _row(tmp_path, "AG-001")["findings"][0]["zh"]
    later = _row(tmp_path, "AG-002")  # the next check: one quick look, then skipped with the reason
    assert later["status"] == "skipped" and "不再应答" in later["findings"][0]["zh"]
    _evidence_complete(result)


def test_the_kit_honours_retry_after_as_a_court_must_and_does_not_wait_beyond_its_limit(hostile: Hostile,
                                                                                       tmp_path: Path) -> None:
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)

    hostile.mode, hostile.posts = "busy7", 0
    _run(hostile.server.url, tmp_path / "a", answer_timeout=10.0, sleep=sleep)  # type: ignore[union-attr]
    assert hostile.posts == 2 and 7.0 in waited  # waited the whole Retry-After (was cut to 5 s), then again
    hostile.mode, hostile.posts, waited[:] = "busy3600", 0, []
    result = _run(hostile.server.url, tmp_path / "b", answer_timeout=10.0, sleep=sleep)  # type: ignore[union-attr]
    assert hostile.posts == 1 and not waited  # an hour: not retried early, not waited for
    assert result.failed == ["AG-001"] and "HTTP 429" in _row(tmp_path / "b", "AG-001")["findings"][0]["zh"]


def test_a_system_that_accepts_but_never_answers_is_waited_for_only_the_answer_timeout(hostile: Hostile,
                                                                                       tmp_path: Path) -> None:
    hostile.mode = "mute"
    started = time.monotonic()
    result = _run(hostile.server.url, tmp_path, answer_timeout=0.5)  # type: ignore[union-attr]
    assert time.monotonic() - started < 5
    assert result.failed == ["AG-001", "AG-018"]  # the receipt came, the answer never did


@pytest.mark.parametrize(("mode", "why"), [("trickle", "not complete within"), ("huge", "beyond")])
def test_a_trickled_or_huge_body_is_cut_off_at_the_kits_limits(hostile: Hostile, tmp_path: Path, mode: str,
                                                              why: str) -> None:
    hostile.mode = mode
    started = time.monotonic()
    result = _run(hostile.server.url, tmp_path, http_timeout=0.3)  # type: ignore[union-attr]
    assert time.monotonic() - started < 10
    assert result.failed == ["AG-001"]
    assert why in _row(tmp_path, "AG-001")["findings"][0]["en"]
    assert (tmp_path / "results.json").stat().st_size < 200_000  # the evidence keeps no 50 MB body
    _evidence_complete(result)


def test_a_system_that_goes_away_mid_run_gives_a_verdict_not_an_abort(tmp_path: Path) -> None:
    sut = Hostile()
    sut.mode = "die"
    with LiveServer(app=sut.app(), port=free_port()) as server:
        sut.server = server
        result = _run(server.url, tmp_path, only=("receipts", "idempotency", "freeze_balance"))
    assert "AG-001" in result.failed
    statuses = {r["id"]: r["status"] for r in _results(tmp_path)["requirements"]}
    assert statuses["AG-004"] == statuses["AG-007"] == "skipped"  # not exercised: the system had gone
    assert "ConnectError" in json.dumps(_row(tmp_path, "AG-002"), ensure_ascii=False)
    _evidence_complete(result)


def test_a_system_that_hangs_up_on_every_request_is_a_finding(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def hang_up() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.recv(1024)
            conn.close()  # no answer at all

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        result = _run(f"http://127.0.0.1:{listener.getsockname()[1]}", tmp_path)
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert result.failed == ["AG-001"]
    why = _row(tmp_path, "AG-001")["findings"][0]["en"]
    assert any(name in why for name in ("RemoteProtocolError", "ReadError", "WriteError")), why  # hung up / reset
    _evidence_complete(result)


def test_callbacks_to_the_wrong_path_with_garbage_are_evidence_and_masked(hostile: Hostile, tmp_path: Path) -> None:
    hostile.mode = "wrong_callback"
    result = _run(hostile.server.url, tmp_path, only=("callbacks",))  # type: ignore[union-attr]
    assert result.failed == ["AG-011"]
    exchanges = _row(tmp_path, "AG-011")["findings"][0]["exchanges"]
    callbacks = [e for e in exchanges if e["method"] == "CALLBACK"]
    assert [e["url"].endswith("-elsewhere") for e in callbacks] == [True, True, False]
    assert callbacks[0]["request"].endswith("{garbage")
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    assert "6222024100000000007" not in text and "6222***********0007" in text  # a number, masked all the same


def test_an_answer_posted_again_after_it_was_acknowledged_fails_the_callback_requirement(hostile: Hostile,
                                                                                          tmp_path: Path) -> None:
    hostile.mode = "twice"
    result = _run(hostile.server.url, tmp_path, only=("callbacks",))  # type: ignore[union-attr]
    assert result.failed == ["AG-011"]
    findings = _row(tmp_path, "AG-011")["findings"]
    posts = [f for f in findings if "acknowledged" in f["en"] and not f["en"].startswith("polling")]
    assert [f["status"] for f in posts] == ["pass", "fail"]  # retried, then again
    assert "1 posts of an acknowledged answer came again" in findings[1]["en"]


def test_the_callback_receiver_can_be_reached_from_elsewhere_at_a_named_address(hostile: Hostile,
                                                                                  tmp_path: Path) -> None:
    hostile.mode = "twice"
    port = free_port()
    _run(hostile.server.url, tmp_path, only=("callbacks",), callback_host=f"127.0.0.1:{port}")  # type: ignore
    callbacks = [e for e in _row(tmp_path, "AG-011")["findings"][0]["exchanges"] if e["method"] == "CALLBACK"]
    assert len(callbacks) == 4  # the system posted to the address given, at the port given
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["callback_host"] == f"127.0.0.1:{port}"
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 — the port the receiver would want, taken
        with pytest.raises(UserError) as err:
            _run(hostile.server.url, tmp_path, callback_host=f"127.0.0.1:{taken.getsockname()[1]}")  # type: ignore
        assert err.value.where == "--callback-host"
    with pytest.raises(UserError) as err:
        _run(hostile.server.url, tmp_path, callback_host="host:port")  # type: ignore[union-attr]
    assert err.value.where == "--callback-host"


def test_garbage_posted_as_answers_does_not_pass_the_result_code_audit(hostile: Hostile, tmp_path: Path) -> None:
    hostile.mode = "wrong_callback"  # as the hub: one "part" acknowledged, with no result code at all
    _run(hostile.server.url, tmp_path, only=("hub",), hub=True)  # type: ignore[union-attr]
    assert _row(tmp_path, "AG-015")["status"] == "fail"
    audit = _row(tmp_path, "AG-017")
    assert audit["status"] == "skipped" and "no successful answers" in audit["findings"][0]["en"]


def test_the_callback_receiver_survives_garbage_without_a_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    with CallbackReceiver() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1])
        for head in (b"Content-Length: abc", b"Content-Length: -5", b"Content-Length: 999999999"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"POST /x HTTP/1.1\r\nHost: k\r\n" + head + b"\r\n\r\n{")
                assert conn.recv(64).split()[1] in (b"400", b"413")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"POST /y HTTP/1.1\r\nHost: k\r\nContent-Length: 100\r\n\r\n{")  # then hangs up
        deep = httpx.post(f"{receiver.url}/z", content=b"[" * 100_000)  # nested beyond what Python parses
        assert deep.status_code == 200
    assert [a.status for a in receiver.arrivals if a.path == "/x"] == [400, 400, 413]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("url", ["127.0.0.1:8700", "http://[::1", "http://127.0.0.1:99999", "ftp://x", "http://"])
def test_a_malformed_base_url_is_a_located_error_at_once(url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(UserError) as err:
        run_agency(url, FIXTURES, tmp_path / "out")
    assert err.value.where == "--base-url" and time.monotonic() - started < 8  # was ~17 s of retries; a margin for CI
    assert not (tmp_path / "out").exists()


def test_nothing_answering_is_a_located_error_and_the_command_exits_2(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(UserError) as err:
        run_agency(url, FIXTURES, tmp_path / "out")
    assert err.value.where == "--base-url" and "ConnectError" in err.value.en
    assert time.monotonic() - started < 8  # no back-off on a system that is not there at all (was ~17 s)
    assert main(["certify", "agency", "--base-url", "localhost:8700", "--fixtures", str(FIXTURES),
                 "--out", str(tmp_path / "cli")]) == 2
    printed = capsys.readouterr().err
    assert printed.index("被测系统地址") < printed.index("the system under test") and "Traceback" not in printed
    assert not (tmp_path / "cli").exists()  # options first, then the evidence directory


def test_an_agency_code_the_system_does_not_have_is_a_located_error(tmp_path: Path) -> None:
    with LiveServer(Settings(port=free_port(), profile="fast", world_size=100)) as server:
        with pytest.raises(UserError) as err:
            run_agency(server.url, FIXTURES, tmp_path, agency="no_such_bank")
        assert err.value.where == "--agency" and "no_such_bank" in err.value.en
    with pytest.raises(UserError) as err:
        run_agency("http://127.0.0.1:9", FIXTURES, tmp_path, agency="../admin")
    assert err.value.where == "--agency"
    for bad in ("令牌", "a b", "a\nb", ""):  # not a header value: the user's mistake, not every check failing
        with pytest.raises(UserError) as err:
            run_agency("http://127.0.0.1:9", FIXTURES, tmp_path, token=bad)
        assert err.value.where == "--token"
    with pytest.raises(UserError) as err:
        run_agency("http://127.0.0.1:9", FIXTURES, tmp_path, namespace="我的/空间")
    assert err.value.where == "--namespace"


@pytest.mark.parametrize(("text", "where"), [
    ("agency: icbc\ncourts:\n  - {code: R1, case_no: c}\ntarget_account: A\ndebtors:\n  query:\n    name: x\n"
     "    id_number: '410811198001010119'\n    holdings: [{account_no: '1', balance_cents: nan}]\n", ":9: "),
    ("agency: icbc\ncourts: [\n  {code: R1\n", ":4"),
    ('{"agency": "../admin", "courts": [], "target_account": "A", "debtors": {}}', ":1: agency"),
    ("agency: icbc\ncourts:\n  - {code: R1, case_no: c}\ntarget_account: A\ndebtors:\n  janitor:\n    name: x\n"
     "    id_number: '410811198001010119'\n    holdings: [{account_no: '1', balance_cents: 1}]\n",
     ":6: debtors.janitor"),
    # a balance with a thousands comma inside braces: YAML splits it ({balance_cents: 1, 000: null})
    ("agency: icbc\ncourts:\n  - {code: R1, case_no: c}\ntarget_account: A\ndebtors:\n  query:\n    name: x\n"
     "    id_number: '410811198001010119'\n    holdings: [{account_no: '1', balance_cents: 1,000}]\n",
     ":9:debtors.query.holdings.0.balance_cents"),
])
def test_bad_fixtures_are_located_at_file_and_line(text: str, where: str, tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_fixtures(path)
    assert err.value.where.startswith(str(path)) and f"{path}{where}" in err.value.message, err.value.message


def test_the_court_grader_ignores_garbage_and_the_lab_does_not_fault_it() -> None:
    lab = create_court_lab(Settings(profile="fast"), FaultSchedule(every=2))  # every second new request faulted
    from starlette.testclient import TestClient

    client = TestClient(lab)
    for body in (b"garbage", b"[1]", b"null", b'{"request_no": [], "court_code": {}, "measure": 5, "subject": "x"}',
                 b'{"request_no": "A", "court_code": "R410811", "case_no": "c", "measure": "01", "amount_cents": "x",'
                 b' "subject": {"kind": "person", "name": "x", "id_number": "410811198001010119"}}'):
        status = client.post("/agencies/icbc/requests", content=body,
                             headers={"content-type": "application/json"}).status_code
        assert status in (400, 422)  # the agencies' own answer: not faulted as if it were a request
    big = client.post("/agencies/icbc/requests", content=b"[" + b"0," * 2**20 + b"0]")  # 2 MB: past the limit
    assert big.status_code == 413 and lab.traffic.records[-1]["request"].startswith("<body beyond")
    findings = grade_court(lab.traffic.records, None, lab.deliveries(), lab.horizons())
    assert findings and all(f.status in ("skipped", "not_applicable") for f in findings)
    assert not any(f.check == "grading" for f in findings)


def test_listen_in_use_or_unresolvable_is_located_and_port_0_is_any_free_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(UserError) as err:
            bind_listen(f"127.0.0.1:{taken.getsockname()[1]}")
        assert err.value.where == "--listen" and "in use" in err.value.en
    with pytest.raises(UserError) as err:
        bind_listen("no-such-host.invalid:8790")
    assert err.value.where == "--listen"
    sock, url = bind_listen("127.0.0.1:0")
    with sock:
        assert url == f"http://127.0.0.1:{sock.getsockname()[1]}" and not url.endswith(":0")


def test_a_malformed_driver_url_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        drive_court("http://[::1", f"127.0.0.1:{free_port()}", tmp_path, fault_every=3, retry_after=120, regions={})
    assert err.value.where == "--driver"


def test_the_evidence_is_strict_json_and_masks_numbers_sent_as_numbers_or_keys(tmp_path: Path) -> None:
    exchanges = [{"response": {"balance": float("nan"), "big": float("inf"), "account_no": 6222024100000000001,
                               "6222024100000000002": "as a key", "amount_cents": 10**15,
                               "ticket_id": json.loads('"\\ud800\\u001b[31m\\u0000"')}}]  # no UTF-8 can hold it
    finding = Finding("AG-001", "receipts", "fail", "工单 \x1b[31m", "ticket \x00", exchanges)
    write_evidence(tmp_path, [finding], {"kit": "t"}, suite="agency")  # was a UnicodeEncodeError: no evidence
    from xml.dom.minidom import parse

    parse(str(tmp_path / "junit.xml"))  # well-formed XML for CI: no raw control characters
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    _results(tmp_path)  # strict
    assert "6222024100000000001" not in text and "6222024100000000002" not in text
    assert '"nan"' in text and '"inf"' in text and "1000000000000000" in text  # an amount stays a number


def test_a_flooding_court_is_served_but_only_so_much_is_kept_and_the_manifest_says_so(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from certify.court_runner import court_evidence

    lab = create_court_lab(Settings(profile="fast"), FaultSchedule(every=0))
    lab.traffic.limit = 5
    client = TestClient(lab)
    for i in range(12):
        assert client.get(f"/agencies/icbc/requests/T{i}").status_code == 404  # served all the same
    assert len(lab.traffic.records) == 5 and lab.traffic.dropped == 7
    court_evidence(lab, tmp_path, started="s", finished="f", settings={"listen": "x"})
    identity = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["sut"]["identity"]
    assert identity == {"role": "court", "exchanges": 12, "exchanges_not_graded": 7}


def _pretender() -> Starlette:
    """Says it is zhixing's mock server and its admin API, and the court driver with no run yet; answers everything
    else with HTML."""

    async def handle(request: Request) -> Response:
        path = request.url.path
        if path == "/health":
            return JSONResponse({"service": "zhixing-mock-agencies", "defects": "not a list"})
        if path == "/admin/profiles":
            return JSONResponse({})
        if path == "/now":
            return JSONResponse({"code": "no_court", "zh": "尚未开始", "en": "no run yet"}, status_code=422)
        return Response("<html>维护中</html>", media_type="text/html")

    return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST", "PUT", "DELETE"])])


def test_a_pretender_of_zhixing_and_of_the_court_driver_gets_a_verdict_with_reasons(tmp_path: Path) -> None:
    with LiveServer(app=_pretender(), port=free_port()) as server:
        result = _run(server.url, tmp_path / "agency", namespace="kit")  # its admin API answers garbage
        assert result.identity["admin_api"] is False and "JSONDecodeError" in result.identity["admin_api_error"]
        assert result.failed == ["AG-001"]
        digest, rows, driven = drive_court(server.url, f"127.0.0.1:{free_port()}", tmp_path / "court",
                                           fault_every=3, retry_after=120, regions={})
    assert driven.passed == 0 and driven.failed and set(driven.why) == set(driven.failed)
    # the court's garbage, said per case (the driver's located "not JSON" since e50e242, no longer JSONDecodeError)
    assert all("不是 JSON" in why and "JSONDecodeError" not in why for why in driven.why.values()), driven.why
    manifest = json.loads((tmp_path / "court" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["cases_failed_why"] == driven.why
    assert verify_evidence(tmp_path / "court") == digest and not any(r["status"] == "pass" for r in rows)


def test_a_digest_file_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "SHA256SUMS").write_bytes(b"ok\n\xff\xfe garbage\n")
    with pytest.raises(UserError) as err:
        verify_evidence(tmp_path)
    assert err.value.where == f"{tmp_path / 'SHA256SUMS'}:2"


def test_a_checks_evidence_keeps_its_first_and_last_exchanges_when_there_are_many() -> None:
    from certify.agency_suite import MAX_EXCHANGES, _bounded

    many = [{"n": i} for i in range(MAX_EXCHANGES * 3)]  # a system polled for minutes
    kept = _bounded(many)
    assert len(kept) == MAX_EXCHANGES + 1 and kept[0] == {"n": 0} and kept[-1] == many[-1]
    assert f"{MAX_EXCHANGES * 2} exchanges omitted" in str(kept[MAX_EXCHANGES // 2]["note"])
    assert _bounded(many[:MAX_EXCHANGES]) == many[:MAX_EXCHANGES]


def test_a_court_on_another_machine_can_be_allowed_its_callbacks() -> None:
    from starlette.testclient import TestClient

    from certify.court_runner import lab_settings

    query = {"request_no": "Q1", "court_code": "R410811", "case_no": "(2026)豫0811执1号", "measure": "00",
             "subject": {"kind": "person", "name": "测试甲", "id_number": "410811198001010119"},
             "callback_url": "http://10.1.2.3:8080/cb"}
    refused = TestClient(create_court_lab(lab_settings("127.0.0.1", 0))).post("/agencies/icbc/requests", json=query)
    assert refused.status_code == 422  # loopback only, by default: the remote court's every request refused
    allowed = TestClient(create_court_lab(lab_settings("127.0.0.1", 0, ("10.1.2.3",))))
    assert allowed.post("/agencies/icbc/requests", json=query).status_code == 202
    with pytest.raises(UserError) as err:
        lab_settings("127.0.0.1", 0, ("http://10.1.2.3/",))
    assert err.value.where == "--allow-callback-host"


def test_a_flood_of_callbacks_is_counted_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("certify.receiver.MAX_ARRIVALS", 5)
    with CallbackReceiver() as receiver, httpx.Client() as client:
        statuses = [client.post(f"{receiver.url}/cb", json={"n": i}).status_code for i in range(8)]
    assert statuses == [200] * 5 + [503] * 3 and len(receiver.arrivals) == 5 and receiver.flooded == 3


def test_ctrl_c_in_a_long_run_still_writes_the_evidence_of_what_was_found(hostile: Hostile, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import certify.agency_suite as suite

    def pressed(run: Any, ctx: Any) -> None:
        raise KeyboardInterrupt

    checks = list(suite.CHECKS)
    checks[1] = (checks[1][0], checks[1][1], pressed)  # Ctrl-C during the second check
    monkeypatch.setattr(suite, "CHECKS", tuple(checks))
    hostile.mode = "list"
    code = main(["certify", "agency", "--base-url", hostile.server.url, "--fixtures", str(FIXTURES),  # type: ignore
                 "--out", str(tmp_path), "--only", "receipts", "--only", "idempotency", "--only", "freeze_balance",
                 "--answer-timeout", "1", "--http-timeout", "1"])
    assert code == 1 and "Ctrl-C" in capsys.readouterr().err
    statuses = {r["id"]: r["status"] for r in _results(tmp_path)["requirements"]}
    assert statuses["AG-001"] == "fail"  # the first check's finding is kept
    assert statuses["AG-002"] == statuses["AG-003"] == statuses["AG-004"] == "skipped"
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["sut"]["identity"]["interrupted"]
    assert verify_evidence(tmp_path)


def test_headers_dripped_byte_by_byte_are_cut_off_at_the_exchanges_total_limit() -> None:
    from certify.sut import Sut
    from tests.drip_support import dripping_server

    with dripping_server(status=b"HTTP/1.1 202 Accepted") as port:
        sut = Sut(f"http://127.0.0.1:{port}", http_timeout=0.3)
        started = time.monotonic()
        try:
            with pytest.raises(httpx.TimeoutException):
                sut.request("GET", "/health")
            assert time.monotonic() - started < 5  # was: as long as the system kept dripping (64 KB of headers)
        finally:
            sut.close()


def test_the_kit_looks_for_an_answer_at_the_poll_interval_given() -> None:
    """A real system is looked at every --poll-interval seconds (0.5 by default; the profile's courts poll at most
    once a minute, and a vendor's rate limits may refuse the kit's faster looks)."""
    from certify.sut import POLL_INTERVAL, Sut

    slept: list[float] = []
    looks = iter([None, None, {"answered": True}])
    sut = Sut("http://127.0.0.1:9", sleep=slept.append, answer_timeout=60.0, poll_interval=7.5)
    try:
        assert sut.until(lambda: next(looks)) == {"answered": True}
    finally:
        sut.close()
    assert slept == [7.5, 7.5]
    default = Sut("http://127.0.0.1:9")
    default.close()
    assert default.poll_interval == POLL_INTERVAL == 0.5


def test_a_wildcard_listen_is_never_the_address_handed_out() -> None:
    """``--listen 0.0.0.0:PORT`` binds every interface; the URL printed, recorded and given to the driven court is
    loopback, or the address ``--advertise`` names (a court on another machine)."""
    sock, url = bind_listen("0.0.0.0:0")
    with sock:
        assert url == f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock, url = bind_listen("0.0.0.0:0", advertise="10.1.2.3")
    with sock:
        assert url == f"http://10.1.2.3:{sock.getsockname()[1]}"
    for bad in ("10.1.2.3:8790", "http://x", ""):
        with pytest.raises(UserError) as err:
            bind_listen("127.0.0.1:0", advertise=bad)
        assert err.value.where == "--advertise"


def test_a_bad_advertise_is_refused_before_anything_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zhixing.cli import main

    code = main(["certify", "court", "--listen", "0.0.0.0:8790", "--advertise", "a:1", "--out", str(tmp_path / "ev")])
    err = capsys.readouterr().err
    assert code == 2 and "--advertise" in err and "Traceback" not in err and not (tmp_path / "ev").exists()


def test_the_labs_admin_routes_answer_only_this_machine() -> None:
    """A court under test on another machine cannot reset or replace the namespaces being graded."""
    import asyncio

    from certify.court_runner import lab_settings
    from certify.court_server import FaultSchedule, create_court_lab

    lab = create_court_lab(lab_settings("0.0.0.0", 8790), FaultSchedule(0, 120))

    def call(client: str, server: str, path: str = "/admin/sessions/x", method: str = "DELETE") -> tuple[int, dict]:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": [], "client": (client, 50000), "server": (server, 8790), "scheme": "http",
                 "http_version": "1.1", "root_path": ""}
        asyncio.run(lab(scope, receive, send))
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], json.loads(body or b"{}")

    status, body = call("10.9.8.7", "10.1.2.3")
    assert status == 403 and body["error"]["code"] == "forbidden" and "this machine" in body["error"]["en"]
    assert call("10.9.8.7", "10.1.2.3", "/admin/sessions", "GET")[0] == 403
    assert call("127.0.0.1", "127.0.0.1")[0] != 403  # the kit itself, on loopback
    assert call("10.1.2.3", "10.1.2.3")[0] != 403  # this machine through its own interface (--advertise)


def test_fixtures_mistakes_are_all_said_in_chinese(tmp_path: Path) -> None:
    """A vendor's fixtures file: every mistake at once, each at its line, in Chinese beside pydantic's English (the
    Chinese half was pydantic's English)."""
    import yaml as pyyaml

    data = pyyaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    data["debtors"]["replay"]["holdings"][0]["balance_cents"] = -5
    data["courts"][0]["code"] = ""
    path = tmp_path / "fixtures.yaml"
    path.write_text(pyyaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_fixtures(path)
    zh = err.value.zh
    assert zh.startswith("测试数据文件有 2 处错误") and "courts.0.code: 测试数据无效：" in zh
    assert "debtors.replay.holdings.0.balance_cents: 测试数据无效：应不小于 1" in zh
    assert "holdings: 测试数据无效" not in zh  # the tuple's own error follows from its item's: not said again
    data["debtors"]["replay"]["holdings"][0]["balance_cents"] = 5
    data["courts"][0]["code"] = "R410811"
    path.write_text(pyyaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_fixtures(path).agency == "icbc"  # mended, it loads


@pytest.fixture(scope="module")
def judged_against_the_mock(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The requirements the agency suite judges (pass, fail or skipped — not "not applicable") against zhixing's
    mock server, but for those needing its admin API (a garbage system has none: those are truly not checked)."""
    from tests.test_certify_agency import ADMIN_ONLY, _server

    out = tmp_path_factory.mktemp("mock")
    with _server() as server:
        run_agency(server.url, FIXTURES, out)
    return {r["id"] for r in _results(out)["requirements"] if r["status"] != "not_applicable"} - ADMIN_ONLY


@pytest.mark.parametrize("mode", ["plain", "mute", "list", "twice"])
def test_no_requirement_the_suite_judges_comes_out_not_applicable_against_garbage(
        hostile: Hostile, judged_against_the_mock: set[str], mode: str, tmp_path: Path) -> None:
    """A check that breaks off early (what it needed did not come) skips what it had not reached, with the reason:
    against garbage every requirement the suite judges against the mock is pass / fail / skipped, never n/a."""
    hostile.mode = mode
    result = _run(hostile.server.url, tmp_path, only=())  # type: ignore[union-attr]
    rows = {r["id"]: r for r in _results(tmp_path)["requirements"]}
    assert result.failed, mode
    na = sorted(r for r in judged_against_the_mock if rows[r]["status"] == "not_applicable")
    assert not na, (mode, na)
    for r in judged_against_the_mock:  # every skip says why, in both languages
        for f in rows[r]["findings"]:
            assert f["status"] != "skipped" or (f["zh"] and f["en"] and f["check"] != "-"), (mode, r, f)
    texts = [f"{f['zh']} / {f['en']}" for row in rows.values() for f in row["findings"]]
    assert not [t for t in texts if re.search(r"\bNone\b", t)], mode  # what did not come is "无 / missing"
    _evidence_complete(result)


def test_the_hub_checks_against_garbage_skip_what_they_did_not_reach(hostile: Hostile, tmp_path: Path) -> None:
    hostile.mode = "plain"
    _run(hostile.server.url, tmp_path, only=("hub",), hub=True)  # type: ignore[union-attr]
    parts = _row(tmp_path, "AG-015")
    assert parts["status"] == "skipped" and parts["findings"][0]["check"] == "hub"
