"""`zhixing court serve` (the driver interface over the reference court) as a court IT engineer found it: concurrent
advances corrupted the court (500s, a clock months past the latest ``to``), a refused ``PUT /court`` destroyed the
running court, a debtor's number with a wrong check character was filed (the case then stalled unseen), case numbers
and names with control, bidi or path characters were taken, out-of-range instants were 500s, a body of any size was
read, a JSON body sent as text/plain was "应为对象", and the server bound any address without a word. Each is now a
located, bilingual 4xx (or served in turn), on a real server where concurrency or the socket matters."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from core_flow.driver import EngineDriver
from core_flow.driver.http_app import create_driver_app
from tests.test_agencies_live import LiveServer, free_port

ORIGIN = "2026-03-02T09:00:00+08:00"
ID = "110101199003077002"  # synthetic, check digit valid
DEBTOR = {"kind": "person", "name": "张三", "id_number": ID}
ZH_EN = ("zh", "en")


def _error(r: httpx.Response, status: int, code: str, where: str | None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert (body["code"], body["where"]) == (code, where), body
    assert all(body[k] for k in ZH_EN) and "Traceback" not in r.text
    return body


@pytest.fixture()
def client() -> TestClient:
    c = TestClient(create_driver_app(EngineDriver()), raise_server_exceptions=False)
    assert c.put("/court", json={"origin": ORIGIN}).status_code == 200
    return c


def _file(client, case_id: str = "K", **extra) -> httpx.Response:
    return client.post("/cases", json={"case_id": case_id, "amount_cents": 100_000, "debtors": [DEBTOR], **extra})


# ── 1. requests that touch the court are served one at a time ──

def test_concurrent_advances_are_served_in_turn_on_a_real_server() -> None:
    """19 advances at once, the court reaching its agencies over HTTP (as the IT engineer ran it): before, some were
    500s (``assert not until.triggered``, StopSimulation, EmptySchedule) and the clock ran months past the latest."""
    from mock_agencies.settings import Settings

    settings = Settings(port=free_port(), world_size=200, profile="fast", time_scale=0.0)
    court = LiveServer(app=create_driver_app(EngineDriver()), port=free_port())
    with LiveServer(settings) as agencies, court as live, \
            httpx.Client(base_url=live.url, timeout=120, limits=httpx.Limits(max_connections=64)) as c:
        setup = {"origin": ORIGIN, "agencies": {"url": agencies.url, "namespace": "race", "profile": "fast"}}
        assert c.put("/court", json=setup).status_code == 200
        for case_id in ("K", "K2", "K3", "K4"):  # each case's 集约查询 keeps the agencies busy on the way
            assert _file(c, case_id).json()["accepted"]
            for command in ({"type": "Assign", "fields": {"handler": "甲"}},
                            {"type": "VerifyIdentity", "fields": {"debtor": ID, "passed": True}}):
                assert c.post(f"/cases/{case_id}/commands", json=command).json()["accepted"]
        start = datetime.fromisoformat(ORIGIN)
        targets = [start + timedelta(hours=12 * d) for d in range(1, 41)]

        def advance(to: datetime) -> httpx.Response:
            return c.post("/clock/advance", json={"to": to.isoformat()})

        with ThreadPoolExecutor(max_workers=len(targets) + 6) as pool:
            advances = list(pool.map(advance, targets))
            reads = list(pool.map(lambda path: c.get(path), ["/now", "/cases/K/nodes", "/cases/K"] * 2))
        statuses = [r.status_code for r in advances + reads]
        final = c.get("/now").json()["now"]
        assert statuses == [200] * len(statuses), (statuses, final, [r.text[:300] for r in advances + reads
                                                                     if r.status_code != 200])
        for r, to in zip(advances, targets, strict=True):  # each ran to its own instant, or found the court past it
            assert datetime.fromisoformat(r.json()["now"]) >= to
        assert datetime.fromisoformat(c.get("/now").json()["now"]) == max(targets)
        assert c.get("/cases/K/nodes").status_code == 200


# ── 2. a refused PUT /court leaves the running court ──

def test_a_refused_setup_leaves_the_running_court_and_its_cases(client) -> None:
    assert _file(client).json()["accepted"]
    refused = client.put("/court", json={"origin": ORIGIN, "agencies": {"profile": "no-such-profile"}})
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_profile", refused.text
    assert client.get("/cases/K").status_code == 200  # the run goes on: its case is there
    assert client.post("/clock/advance", json={"to": "2026-03-03T09:00:00+08:00"}).status_code == 200
    # an accepted setup does end it: a fresh court, without the case
    assert client.put("/court", json={"origin": ORIGIN}).status_code == 200
    _error(client.get("/cases/K"), 422, "unknown_case", "case_id")


def test_a_new_run_on_the_namespace_of_the_running_one_keeps_that_namespace() -> None:
    """The new court is built before the old one closes — but a new run on the running one's own namespace of a mock
    agencies server frees it first (a namespace in use is refused to a new court): PUT /court again works, as before,
    and the namespace is the new run's (not deleted by the old court's closing)."""
    from mock_agencies.settings import Settings

    settings = Settings(port=free_port(), world_size=200, profile="fast", time_scale=0.0)
    with LiveServer(settings) as agencies, httpx.Client(base_url=agencies.url, timeout=30) as ag:
        client = TestClient(create_driver_app(EngineDriver()), raise_server_exceptions=False)
        setup = {"origin": ORIGIN, "agencies": {"url": agencies.url, "namespace": "again", "profile": "fast"}}
        assert client.put("/court", json=setup).status_code == 200
        assert _file(client).json()["accepted"]
        assert client.put("/court", json=setup).status_code == 200
        _error(client.get("/cases/K"), 422, "unknown_case", "case_id")  # a fresh court
        assert _file(client, "K2").json()["accepted"]
        assign = {"type": "Assign", "fields": {"handler": "甲"}}
        assert client.post("/cases/K2/commands", json=assign).status_code == 200
        assert client.post("/clock/advance", json={"to": "2026-03-04T09:00:00+08:00"}).status_code == 200
        assert ag.get("/admin/sessions/again").status_code == 200
        assert client.delete("/court").status_code == 204


# ── 3. a debtor's number with a wrong check character is refused at filing ──

@pytest.mark.parametrize(("debtor", "says"), [
    ({"kind": "person", "name": "张三", "id_number": "110101199003077003"}, "校验位"),  # right: …7002
    ({"kind": "company", "name": "某公司", "id_number": "91410800MA44XXXX1A"}, "统一社会信用代码"),
    ({"kind": "company", "name": "某公司", "id_number": ID}, "kind"),  # a person's number as a company's
])
def test_a_debtor_number_that_fails_its_check_is_refused_at_filing(client, debtor, says) -> None:
    other = {"kind": "person", "name": "李四", "id_number": "410811198506120049"}  # valid
    r = client.post("/cases", json={"case_id": "K", "amount_cents": 1, "debtors": [other, debtor]})
    body = _error(r, 422, "bad_id_number", "debtors.1.id_number")
    assert says in body["zh"] and debtor["id_number"] not in r.text  # masked, as the duplicate check masks it
    _error(client.get("/cases/K"), 422, "unknown_case", "case_id")  # nothing filed


# ── 4. case numbers and names ──

@pytest.mark.parametrize("case_id", ["a/b", "a\\b", "   ", "A\u0000B", "\u202eevil", " K", "K\n", "K\u200b1",
                                     "K\u2028"])
def test_a_case_number_with_control_bidi_or_path_characters_is_refused(client, case_id) -> None:
    body = _error(_file(client, case_id), 422, "validation", "case_id")
    assert body["fields"][0]["field"] == "case_id"


def test_a_plain_case_number_and_name_are_filed_and_read_back(client) -> None:
    case_id = "（2026）豫0811执 1号"  # a space inside is fine
    assert _file(client, case_id, previous_handler="阿依古丽·买买提").json()["accepted"]
    assert client.get(f"/cases/{case_id}").json()["case_id"] == case_id


@pytest.mark.parametrize("name", ["张\u202e三", "张\u0000三", "\u200b", " 张三"])
def test_a_name_with_control_or_format_characters_is_refused(client, name) -> None:
    r = client.post("/cases", json={"case_id": "K", "amount_cents": 1, "debtors": [{**DEBTOR, "name": name}]})
    _error(r, 422, "bad_name", "debtors.0.name")
    _error(_file(client, previous_handler=name), 422, "validation", "previous_handler")


# ── 5. instants with no China time ──

def test_an_instant_out_of_range_is_calendar_range_not_a_500(client) -> None:
    _error(client.put("/court", json={"origin": "0001-01-01T00:00:00+08:00"}), 422, "calendar_range", "origin")
    _error(client.post("/clock/advance", json={"to": "9999-12-31T23:59:59-10:00"}), 422, "calendar_range", "to")
    _error(_file(client, filed_at="0001-01-01T00:30:00+09:00"), 422, "calendar_range", "filed_at")
    assert _file(client).json()["accepted"]
    r = client.post("/cases/K/commands", json={"type": "NotifyParties", "fields": {
        "asset": "icbc:1", "announce": "9999-12-31T23:59:59-10:00"}})
    _error(r, 422, "calendar_range", "fields.announce")
    assert client.get("/now").json()["now"] == ORIGIN


# ── 7. the body size limit ──

def test_a_body_over_1_mib_is_refused_with_413_unread_on_a_real_server() -> None:
    with LiveServer(app=create_driver_app(EngineDriver()), port=free_port()) as live:
        with httpx.Client(base_url=live.url, timeout=30) as c:
            c.put("/court", json={"origin": ORIGIN}).raise_for_status()
            big = b'{"case_id": "K", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
            body = _error(c.post("/cases", content=big, headers={"content-type": "application/json"}), 413,
                          "body_too_large", "body")
            assert "1048576" in body["zh"] and "1048576" in body["en"]

            def chunks():
                for _ in range(40):
                    yield b" " * 65536

            _error(c.post("/clock/advance", content=chunks(), headers={"content-type": "application/json"}), 413,
                   "body_too_large", "body")
            assert _file(c).json()["accepted"]  # a body within the limit as before
        # declared too large, the body never sent: answered at once, not after waiting for 2 MiB
        port = int(live.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            started = time.monotonic()
            s.sendall(b"POST /cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2097152\r\n\r\n{")
            answer = b""
            while b"body_too_large" not in answer:  # the socket's timeout bounds the wait
                chunk = s.recv(65536)
                assert chunk, answer  # not closed before the answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 5


# ── 8. what a body that is not JSON is told ──

@pytest.mark.parametrize("kwargs", [
    {"content": b'{"to": "2026-03-03T09:00:00+08:00"}', "headers": {"content-type": "text/plain"}},
    {"data": {"to": "2026-03-03T09:00:00+08:00"}},
])
def test_a_json_body_sent_with_another_content_type_is_told_so(client, kwargs) -> None:
    body = _error(client.post("/clock/advance", **kwargs), 415, "content_type", "Content-Type")
    assert "Content-Type 应为 application/json" in body["zh"]
    assert "expected Content-Type: application/json" in body["en"]
    assert "应为对象" not in body["zh"]


def test_a_body_that_is_not_utf8_is_told_so_in_chinese_and_english(client) -> None:
    r = client.post("/clock/advance", content=b'{"to": "\xff\xfe"}', headers={"content-type": "application/json"})
    body = _error(r, 400, "bad_body", "body")
    assert "UTF-8" in body["zh"] and "UTF-8" in body["en"]
    assert "error parsing" not in body["zh"] and not any(c.isascii() and c.isalpha() for c in
                                                          body["zh"].replace("UTF", "").replace("JSON", ""))


# ── 6. the server binds loopback unless told otherwise ──

def test_court_serve_refuses_beyond_loopback_unless_insecure_open(monkeypatch, capsys) -> None:
    import uvicorn

    from zhixing.cli import main

    served: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    port = free_port()
    assert main(["court", "serve", "--host", "0.0.0.0", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "--host" in err and "拒绝" in err and "refusing" in err and "--insecure-open" in err and not served
    assert main(["court", "serve", "--host", "0.0.0.0", "--port", str(port), "--insecure-open"]) == 0
    out = capsys.readouterr()
    assert "警告" in out.err and "warning" in out.err and "0.0.0.0" in out.err
    assert served["host"] == "0.0.0.0" and f":{port}" in out.out  # the banner as before
    served.clear()
    assert main(["court", "serve", "--host", "localhost", "--port", str(port)]) == 0  # loopback: no warning
    assert served["host"] == "localhost" and "警告" not in capsys.readouterr().err

