"""The fast path of the 查控 endpoints (``mock_agencies.fastpath``) against the FastAPI routes it stands in
front of: two apps built from the same settings — one with the fast path, one with it switched off — get
the very same requests and must give byte-identical responses (status, headers, body) and end with the same
journal. Each request also states whether the fast path should answer it itself or hand it to FastAPI, so
the comparison is not vacuous. Also: a simulated connection reset drops the connection without a traceback
in uvicorn's log. Virtual time is stopped (``time_scale`` 0): both apps see the same instants."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core_flow.protocol import ControlRequest
from mock_agencies.app import AgenciesApp, _ResetLogFilter, create_app, install_reset_log_filter, serving_gc
from mock_agencies.routers.control import SimulatedConnectionReset
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port

SETTINGS: dict[str, Any] = {"time_scale": 0.0, "world_size": 2000, "background": False, "profile": "fast"}
NO_FAULTS = {"*": {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0, "rate_limit": 0}, "maintenance": []}}
TAKEN, HANDED_ON = True, False


class Twin:
    """The same requests to an app with the fast path and to one without; responses compared."""

    def __init__(self, **overrides: Any) -> None:
        s = Settings(**{**SETTINGS, **overrides})
        self.fast_app: AgenciesApp = create_app(s)
        routed = create_app(s)
        routed.fast_path = None  # the FastAPI stack only
        fast_path = self.fast_app.fast_path
        assert fast_path is not None
        self.handed_on = 0
        inner = fast_path.fallback

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.handed_on += 1
            await inner(scope, receive, send)

        fast_path.fallback = counting
        base = "http://agencies.test"
        self.fast = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.fast_app), base_url=base)
        self.routed = httpx.AsyncClient(transport=httpx.ASGITransport(app=routed), base_url=base)

    async def aclose(self) -> None:
        await self.fast.aclose()
        await self.routed.aclose()

    async def same(self, method: str, url: str, taken: bool, **kw: Any) -> httpx.Response:
        before = self.handed_on
        a = await self.fast.request(method, url, **kw)
        b = await self.routed.request(method, url, **kw)
        assert (a.status_code, a.headers.multi_items(), a.content) == (
            b.status_code,
            b.headers.multi_items(),
            b.content,
        ), (method, url)
        assert (self.handed_on == before) is taken, ("fast path" if taken else "FastAPI", method, url, a.text)
        return a

    async def setup(self, method: str, url: str, **kw: Any) -> httpx.Response:
        r = await self.same(method, url, HANDED_ON, **kw)
        assert r.status_code == 200, r.text
        return r

    async def same_journal(self, namespace: str) -> list[dict[str, Any]]:
        url = f"/admin/sessions/{namespace}/journal"
        a, b = (await self.fast.get(url)).json(), (await self.routed.get(url)).json()
        assert a == b
        return a["entries"]


@pytest.fixture
async def twin() -> AsyncIterator[Twin]:
    t = Twin()
    yield t
    await t.aclose()


async def person(t: Twin, ns: str) -> dict[str, Any]:
    for i in range(50):
        d = (await t.setup("GET", f"/admin/sessions/{ns}/debtors/{i}")).json()
        if d["kind"] == "person":
            return d
    raise AssertionError("no person among 50 debtors")


def body(d: dict[str, Any], n: int, measure: str = "00", **fields: Any) -> dict[str, Any]:
    subject = {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}
    base = {"request_no": f"FP-{n}", "court_code": "R410811", "case_no": "(2026)豫0811执1号"}
    return {**base, "measure": measure, "subject": subject, **fields}


async def test_submit_and_poll_answer_exactly_as_the_routes(twin: Twin) -> None:
    t, ns = twin, "fp"
    h = {"X-Zhixing-Session": ns}
    await t.setup("PUT", f"/admin/sessions/{ns}", json={"profile": "fast", "seed": 3})
    d = await person(t, ns)
    holdings = [{"account_no": "PIN01", "kind": "deposit", "balance_cents": 90_000, "available_cents": 90_000}]
    pin = {"agency": "icbc", "id_number": d["id_number"], "holdings": holdings}
    await t.setup("PUT", f"/admin/sessions/{ns}/pins", json=pin)

    query = body(d, 1)
    r = await t.same("POST", "/agencies/icbc/requests", TAKEN, json=query, headers=h)
    assert r.status_code == 202
    ticket = r.json()["ticket_id"]
    assert (await t.same("POST", "/agencies/icbc/requests", TAKEN, json=query, headers=h)).status_code == 200
    other = {**query, "case_no": "(2026)豫0811执2号"}
    conflict = await t.same("POST", "/agencies/icbc/requests", TAKEN, json=other, headers=h)
    assert conflict.status_code == 409 and conflict.json()["error"]["where"] == "body.request_no"
    freeze = body(d, 2, "01", account_no="PIN01", amount_cents=10_000)
    assert (await t.same("POST", "/agencies/icbc/requests", TAKEN, json=freeze, headers=h)).status_code == 202
    unsupported = body(d, 3, "06", freeze_id="F1", amount_cents=1, target_account="X")
    r = await t.same("POST", "/agencies/csdc/requests", TAKEN, json=unsupported, headers=h)
    assert r.status_code == 422 and r.json()["error"]["where"] == "body.measure"
    bad_check = body(d, 4)
    bad_check["subject"]["id_number"] = "110101199003070000"  # well-formed, wrong check digit: the backend's
    r = await t.same("POST", "/agencies/icbc/requests", TAKEN, json=bad_check, headers=h)
    assert r.status_code == 422 and "id_number" in r.json()["error"]["where"]

    polled = await t.same("GET", f"/agencies/icbc/requests/{ticket}", TAKEN, headers=h)
    assert polled.status_code == 200 and polled.json()["feedback"]["ok"] is True
    assert (await t.same("GET", "/agencies/icbc/requests/TK404", TAKEN, headers=h)).status_code == 404
    assert (await t.same("GET", f"/agencies/ccb/requests/{ticket}", TAKEN, headers=h)).status_code == 404
    assert (await t.same("GET", f"/agencies/icbc/requests/{'T' * 65}", HANDED_ON, headers=h)).status_code == 422
    assert (await t.same("GET", "/agencies/nosuchbank/requests/TK1", HANDED_ON, headers=h)).status_code == 404
    by_no = await t.same("GET", "/agencies/icbc/requests", HANDED_ON, params={"request_no": "FP-1"}, headers=h)
    assert by_no.json()["ticket"]["ticket_id"] == ticket
    entries = await t.same_journal(ns)
    outcomes = [e["outcome"] for e in entries if e["kind"] == "submit"]
    assert outcomes == ["accepted", "duplicate", "conflict", "accepted", "rejected", "rejected", "invalid"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (lambda b: b.pop("court_code"), 422),
        (lambda b: b.update(measure="99"), 422),
        (lambda b: b.update(amount_cents=-5), 422),
        (lambda b: b.update(amount_cents="lots"), 422),
        (lambda b: b.update(unexpected=1), 422),
        (lambda b: b["subject"].update(id_number="12345"), 422),
        (lambda b: b.update(measure="01"), 422),  # a freeze without account_no and amount_cents
    ],
)
async def test_invalid_bodies_go_to_fastapi_and_get_its_field_messages(twin: Twin, change: Any, status: int) -> None:
    h = {"X-Zhixing-Session": "bad"}
    await twin.setup("PUT", "/admin/sessions/bad", json={"profile": "fast"})
    b = body(await person(twin, "bad"), 1)
    change(b)
    r = await twin.same("POST", "/agencies/icbc/requests", HANDED_ON, json=b, headers=h)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["code"] == "validation" and error["fields"] and all(f["zh"] and f["en"] for f in error["fields"])
    await twin.same_journal("bad")  # the rejection is journalled alike


@pytest.mark.parametrize(
    ("path", "content", "headers", "status"),
    [
        ("/agencies/icbc/requests", b"{", {"Content-Type": "application/json"}, 422),  # not JSON
        ("/agencies/icbc/requests", b"", {"Content-Type": "application/json"}, 422),  # no body
        ("/agencies/icbc/requests", b"[1, 2]", {"Content-Type": "application/json"}, 422),
        ("/agencies/icbc/requests", None, {"Content-Type": "text/plain"}, 422),
        ("/agencies/icbc/requests", None, {"Content-Type": "application/json; charset=utf-8"}, 202),
        ("/agencies/nosuchbank/requests", None, {"Content-Type": "application/json"}, 404),
        ("/agencies/icbc/requests", None, {"Content-Type": "application/json", "X-Zhixing-Session": "x y"}, 422),
        ("/agencies/icbc/requests/", None, {"Content-Type": "application/json"}, None),
    ],
)
async def test_unusual_requests_go_to_fastapi(
    twin: Twin, path: str, content: bytes | None, headers: dict[str, str], status: int | None
) -> None:
    await twin.setup("GET", "/admin/sessions/default")  # the namespace exists: only the request is unusual
    d = await person(twin, "default")
    raw = json.dumps(body(d, 1), ensure_ascii=False).encode() if content is None else content
    r = await twin.same("POST", path, HANDED_ON, content=raw, headers=headers)
    assert status is None or r.status_code == status, r.text
    await twin.same_journal("default")


async def test_a_new_namespace_is_created_by_fastapi_then_served_fast(twin: Twin) -> None:
    d = (await twin.setup("GET", "/admin/sessions/default/debtors/0")).json()
    h = {"X-Zhixing-Session": "fresh"}
    first = await twin.same("POST", "/agencies/icbc/requests", HANDED_ON, json=body(d, 1), headers=h)
    second = await twin.same("POST", "/agencies/icbc/requests", TAKEN, json=body(d, 2), headers=h)
    assert first.status_code == second.status_code == 202
    await twin.same_journal("fresh")


@pytest.mark.parametrize(
    ("rates", "statuses"),
    [
        ({"error_5xx": 1.0}, {500, 502, 503}),
        ({"timeout": 1.0}, {504}),
        ({"rate_limit": 1.0, "retry_after_min_seconds": 5, "retry_after_max_seconds": 9}, {429}),
        ({"error_5xx": 0.3, "rate_limit": 0.3}, {202, 429, 500, 502, 503}),
    ],
)
async def test_faults_are_the_same_fault_responses(twin: Twin, rates: dict[str, Any], statuses: set[int]) -> None:
    h = {"X-Zhixing-Session": "faulty"}
    await twin.setup("PUT", "/admin/sessions/faulty", json={"profile": "fast", "seed": 9})
    await twin.setup("PUT", "/admin/sessions/faulty/faults", json=rates)
    d = await person(twin, "faulty")
    seen = set()
    for n in range(12):
        r = await twin.same("POST", "/agencies/icbc/requests", TAKEN, json=body(d, n), headers=h)
        seen.add(r.status_code)
        if r.status_code != 202:
            assert r.headers["X-Zhixing-Fault"] and r.json()["error"]["where"] == "request"
        if r.status_code == 429:
            lo, hi = rates.get("retry_after_min_seconds", 1), rates.get("retry_after_max_seconds", 86_400)
            assert lo <= int(r.headers["Retry-After"]) <= hi
    assert seen <= statuses and seen & (statuses - {202})
    await twin.same_journal("faulty")


async def test_maintenance_window_is_the_same_503(twin: Twin) -> None:
    h = {"X-Zhixing-Session": "maint"}
    spec = {"profile": "realistic", "overrides": {"*": {"faults": NO_FAULTS["*"]["faults"]}}}
    await twin.setup("PUT", "/admin/sessions/maint", json={**spec, "origin": "2026-03-08T01:00:00+08:00"})
    d = await person(twin, "maint")
    r = await twin.same("POST", "/agencies/icbc/requests", TAKEN, json=body(d, 1), headers=h)
    assert r.status_code == 503 and r.headers["Retry-After"] == str(3 * 3600)


async def test_a_reset_drops_the_connection_on_both_paths(twin: Twin) -> None:
    h = {"X-Zhixing-Session": "resets"}
    await twin.setup("PUT", "/admin/sessions/resets", json={"profile": "fast"})
    await twin.setup("PUT", "/admin/sessions/resets/faults", json={"reset": 1.0})
    d = await person(twin, "resets")
    before = twin.handed_on
    for client in (twin.fast, twin.routed):
        with pytest.raises(SimulatedConnectionReset):
            await client.post("/agencies/icbc/requests", json=body(d, 1), headers=h)
    assert twin.handed_on == before  # the fast path dropped it itself
    entries = await twin.same_journal("resets")
    assert entries[-1]["outcome"] == "fault:reset"


# --- the body parse of the fast path accepts nothing FastAPI would refuse ------------------------------------

_ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_NUMBERS = st.one_of(
    st.integers(-3, 10**12), st.integers(1, 99).map(float), st.sampled_from(["5", " 7 ", "1e3", "0x10", "1_000"])
)
_TEXT = st.one_of(
    st.text(min_size=1, max_size=70), st.integers(0, 99), st.sampled_from(["", " ", "\x00", "😀", "执行"])
)
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "request_no": _TEXT,
    "court_code": _TEXT,
    "case_no": _TEXT,
    "measure": st.sampled_from(["00", "01", "02", "03", "06", "10", "11", "99", 0, "0"]),
    "account_no": st.one_of(st.none(), _TEXT),
    "amount_cents": st.one_of(st.none(), st.booleans(), _NUMBERS),
    "term_days": st.one_of(st.none(), _NUMBERS),
    "callback_url": st.one_of(st.none(), _TEXT),
    "extra": _ODD,
}
_SUBJECT = {
    "kind": st.sampled_from(["person", "company", "PERSON", 1]),
    "name": _TEXT,
    "id_number": st.sampled_from(["11010119900307001X", "91350100M000100Y43", "12345", "11010119900307001x"]),
}


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Mostly-valid ``ControlRequest`` bodies with a few fields changed to plausible or odd values."""
    doc: dict[str, Any] = {"request_no": "R1", "court_code": "C", "case_no": "N", "measure": "00"}
    doc["subject"] = {"kind": "person", "name": "张三", "id_number": "11010119900307001X"}
    for name in draw(st.lists(st.sampled_from(sorted(_FIELDS)), max_size=3, unique=True)):
        doc[name] = draw(st.one_of(_FIELDS[name], _ODD) if draw(st.booleans()) else _FIELDS[name])
    for name in draw(st.lists(st.sampled_from(sorted(_SUBJECT)), max_size=2, unique=True)):
        doc["subject"][name] = draw(st.one_of(_SUBJECT[name], _ODD))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return text.encode() + draw(st.one_of(st.just(b""), st.sampled_from([b" ", b"\n", b"x", b"}", b"\xff"])))


@settings(max_examples=300, deadline=None)
@given(bodies())
def test_one_pass_validation_accepts_only_what_fastapi_accepts(raw: bytes) -> None:
    try:
        fast = ControlRequest.model_validate_json(raw)
    except ValidationError:
        return  # the fast path hands the body on to FastAPI
    assert ControlRequest.model_validate(json.loads(raw)) == fast


# --- no traceback for a simulated reset -------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_reset_filter_drops_only_simulated_resets() -> None:
    install_reset_log_filter("zhixing.test.resets")
    install_reset_log_filter("zhixing.test.resets")  # idempotent
    logger = logging.getLogger("zhixing.test.resets")
    assert len(logger.filters) == 1
    records = _Records()
    logger.addHandler(records)
    try:
        for exc in (SimulatedConnectionReset("simulated"), RuntimeError("a real failure")):
            try:
                raise exc
            except Exception:
                logger.exception("Exception in ASGI application")
    finally:
        logger.removeHandler(records)
    assert [r.exc_info[1].__class__ for r in records.records if r.exc_info] == [RuntimeError]


@pytest.fixture
def live_reset_server() -> Iterator[tuple[str, _Records]]:
    port = free_port()
    records = _Records()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(records)
    try:
        # log_config=None: uvicorn leaves logging as it is, so this handler sees what uvicorn logs
        with LiveServer(Settings(**{**SETTINGS, "time_scale": 1.0}, port=port), log_config=None, log_level="info",
                        access_log=False) as server:
            yield server.url, records
    finally:
        logger.removeHandler(records)


@pytest.mark.slow
def test_a_reset_logs_no_traceback_and_the_client_sees_a_dropped_connection(
    live_reset_server: tuple[str, _Records],
) -> None:
    url, records = live_reset_server
    h = {"X-Zhixing-Session": "resets"}
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.put("/admin/sessions/resets/faults", json={"reset": 1.0}).status_code == 200
        d = client.get("/admin/sessions/resets/debtors/0").json()
        for n in range(3):
            with pytest.raises(httpx.TransportError):
                client.post("/agencies/icbc/requests", json=body(d, n), headers=h)
        journal = client.get("/admin/sessions/resets/journal", params={"kind": "submit"}).json()
        assert [e["outcome"] for e in journal["entries"]] == ["fault:reset"] * 3
        assert not [r for r in records.records if r.exc_info or r.levelno >= logging.ERROR], [
            r.getMessage() for r in records.records
        ]
        # the control: without the filter the same reset is logged with its traceback
        logger = logging.getLogger("uvicorn.error")
        (installed,) = [f for f in logger.filters if isinstance(f, _ResetLogFilter)]
        logger.removeFilter(installed)
        try:
            with pytest.raises(httpx.TransportError):
                client.post("/agencies/icbc/requests", json=body(d, 9), headers=h)
            assert client.get("/admin/sessions/resets").status_code == 200  # the record is out by now
        finally:
            logger.addFilter(installed)
    logged = [r.exc_info[1] for r in records.records if r.exc_info]
    assert len(logged) == 1 and isinstance(logged[0], SimulatedConnectionReset)


def test_serving_gc_applies_while_any_service_runs_and_restores_after_the_last() -> None:
    before = gc.get_threshold()
    outer, inner = serving_gc(gen0=50_000), serving_gc(gen0=50_000)
    outer.__enter__()
    inner.__enter__()
    assert gc.get_threshold()[0] == max(50_000, before[0]) and gc.get_freeze_count() > 0
    outer.__exit__(None, None, None)  # the first one stops; the other still runs
    assert gc.get_threshold()[0] == max(50_000, before[0])
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
