"""The driver interface's command fields are checked by type before the court acts: a wrong field is a 422 naming
it (``fields.<name>``), never a 500, and the case is left as it was. (Before, ``{"node": {}}`` reached the engine:
a 500, and some wrong values were stored and broke reading the case back.)"""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from core_flow.assembly import CourtSpec, build_court
from core_flow.driver import COMMANDS, EngineDriver
from core_flow.driver.engine_driver import REFERENCE_ONLY
from core_flow.driver.fields import OPERATION_TYPES, _model
from core_flow.driver.http_app import create_driver_app
from core_flow.driver.protocol import OPERATION_FIELDS
from core_flow.legal_calendar import CST

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)
DEBTOR = {"kind": "person", "name": "张三", "id_number": "110101199003077774"}  # synthetic, check digit valid
WEIRD = [None, -1, 0, 17, 10**30, 1.5, "", "x" * 5000, "2025-13-01", "17", [], [1, 2], {}, {"a": 1}, True,
         "2025-03-05T09:00:00+08:00", "2025-03-05T09:00:00"]


@pytest.fixture()
def client():
    c = TestClient(create_driver_app(EngineDriver(build_court(CourtSpec(origin=ORIGIN)))),
                   raise_server_exceptions=False)
    assert c.post("/cases", json={"case_id": "K1", "amount_cents": 100_000, "debtors": [DEBTOR]}).status_code == 200
    return c


def _snapshot(client) -> tuple:
    return tuple(client.get(f"/cases/K1/{what}").text for what in ("events", "nodes", "assets", "amounts", "lots"))


def test_the_operations_checked_are_the_operations_published():
    assert {k: set(v) for k, v in OPERATION_TYPES.items()} == {k: set(v) for k, v in OPERATION_FIELDS.items()}


@pytest.mark.parametrize("command", [n for n in COMMANDS + REFERENCE_ONLY if _model(n).model_fields])
def test_a_field_of_the_wrong_type_is_a_422_naming_it(client, command):
    before = _snapshot(client)
    name, info = next((n, f) for n, f in _model(command).model_fields.items() if "dict" not in str(f.annotation))
    r = client.post("/cases/K1/commands", json={"type": command, "fields": {name: {"not": "this"}}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "bad_fields" and body["where"] == f"fields.{name}" and body["zh"] and body["en"]
    assert _snapshot(client) == before  # nothing stored was changed


def test_hostile_fields_never_make_a_server_error(client):
    rng = random.Random(7)
    for command in COMMANDS + REFERENCE_ONLY:
        names = list(_model(command).model_fields)
        for _ in range(25):
            fields = {n: rng.choice(WEIRD) for n in names if rng.random() < 0.8}
            r = client.post("/cases/K1/commands", json={"type": command, "fields": fields})
            assert r.status_code < 500, (command, fields, r.text)
    for what in ("events", "nodes", "assets", "amounts", "lots", ""):
        assert client.get(f"/cases/K1/{what}".rstrip("/")).status_code == 200  # the case still reads back


def test_a_date_time_without_an_offset_is_china_time(client):
    r = client.post("/clock/advance", json={"to": "2025-03-04T09:00:00"})  # was a 500 (naive vs aware)
    assert r.status_code == 200 and r.json()["now"] == "2025-03-04T09:00:00+08:00"
    r = client.post("/cases", json={"case_id": "K2", "filed_at": "2025-03-04T09:00:00", "debtors": [DEBTOR]})
    assert r.status_code == 200 and r.json()["accepted"]
    filed = client.get("/cases/K2/events").json()[0]
    assert filed["kind"] == "filed" and filed["at"].startswith("2025-03-04T09:00:00+08:00")


@pytest.mark.parametrize("year", [1, 1990, 2101, 9999])
def test_a_clock_beyond_the_calendars_years_is_refused_and_the_run_goes_on(client, year):
    """Beyond the legal calendar's usable years no deadline can be computed: advancing there (or starting a run
    there) was accepted and every later command refused; now it is a 422 at once and nothing changes."""
    from core_flow.legal_calendar.holidays import HolidayCalendar

    first, last = HolidayCalendar(strict=False).usable_years()
    assert first <= 2004 and last >= 2100  # official data from 2004; provisional years up to the holidays package's
    before = _snapshot(client), client.get("/now").json()
    r = client.post("/clock/advance", json={"to": f"{year:04d}-06-01T09:00:00+08:00"})
    assert r.status_code == 422 and r.json()["code"] == "calendar_range" and r.json()["where"] == "to"
    assert f"{first}–{last}" in r.json()["zh"]
    r = client.put("/court", json={"origin": f"{year:04d}-06-01T09:00:00+08:00"})
    assert r.status_code == 422 and r.json()["where"] == "origin"
    assert (_snapshot(client), client.get("/now").json()) == before  # the run in progress is as it was


def test_the_last_usable_year_still_runs(client):
    last = f"{2100}-12-31T09:00:00+08:00"
    assert client.post("/clock/advance", json={"to": last}).json()["now"].startswith("2100-12-31")


def test_a_debtor_named_twice_in_one_filing_is_refused(client):
    """Accepted before: one identity, but a 集约查询 per copy of the debtor."""
    r = client.post("/cases", json={"case_id": "K2", "amount_cents": 100, "debtors": [DEBTOR, DEBTOR]})
    assert r.status_code == 422 and r.json()["where"] == "debtors"
    assert "被执行人重复（第 0 项与第 1 项）：110101********7774" in r.json()["zh"]
    assert DEBTOR["id_number"] not in r.text  # masked
    assert client.get("/cases/K2").status_code == 422  # nothing filed
