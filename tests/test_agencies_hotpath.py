"""Shortcuts on the 查控 submit path (``make bench``) give what the long way gives: the per-agency "calm"
flag behind ``Session.draw_fault`` follows every profile change, the answered ticket is the copy
``model_copy`` makes, ``JSONBytes`` is the response ``Response(..., media_type="application/json")`` is,
the derived-holdings cache never hides a pin, ``answer_due`` without opening hours is an open instant, the
journal shows a ``datetime`` field in ISO 8601, and the fast path's one-pass header check hands duplicate
or unusual headers to FastAPI exactly as before."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import Response

from core_flow.protocol import AssetKind, ControlRequest, Holding, Measure, Ticket, TicketStatus
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import CST
from mock_agencies.journal import Journal
from mock_agencies.namespaces import SessionManager
from mock_agencies.profiles import FaultKind, load_profile
from mock_agencies.routers.control import JSONBytes
from mock_agencies.session import Session
from mock_agencies.settings import Settings
from mock_agencies.tickets import with_status as _with_status
from tests.test_agencies_fastpath import HANDED_ON, TAKEN, Twin, body, person

ORIGIN = datetime(2026, 3, 2, 10, 0, tzinfo=CST)  # a Monday


def _session(profile: str = "fast") -> Session:
    s = Settings(time_scale=0.0, world_size=500, background=False, profile=profile, origin=ORIGIN)
    return SessionManager(s, load_catalogue()).get_or_create("hot")


def test_draw_fault_follows_every_profile_change() -> None:
    session = _session("fast")
    icbc = session.catalogue.get("icbc")
    assert session.draw_fault(icbc) is None  # calm: no fault, no window
    session.set_profile(load_profile("fast", {"*": {"faults": {"error_5xx": 1.0}}}))
    fault = session.draw_fault(icbc)
    assert fault is not None and fault.kind is FaultKind.ERROR_5XX and fault.status in (500, 502, 503)
    monday = {"weekdays": [1], "start": "09:00", "end": "11:00"}
    session.profile = load_profile("fast", {"icbc": {"maintenance": [monday]}})  # plain assignment too
    fault = session.draw_fault(icbc)
    assert fault is not None and fault.kind is FaultKind.MAINTENANCE and fault.status == 503
    assert session.draw_fault(session.catalogue.get("ccb")) is None  # the window is icbc's only
    session.set_profile(load_profile("fast"))
    assert session.draw_fault(icbc) is None


def test_a_calm_agency_draws_no_random_numbers() -> None:
    """Calm submits leave the fault stream where it was: the faults drawn after a profile change are the
    ones a session that never was calm draws."""
    faulty = load_profile("fast", {"*": {"faults": {"error_5xx": 0.5, "timeout": 0.3}}})
    was_calm, always = _session("fast"), _session("fast")
    always.set_profile(faulty)
    icbc = was_calm.catalogue.get("icbc")
    for _ in range(20):
        assert was_calm.draw_fault(icbc) is None
    was_calm.set_profile(faulty)
    assert [was_calm.draw_fault(icbc) for _ in range(30)] == [always.draw_fault(icbc) for _ in range(30)]


@settings(max_examples=40, deadline=None)
@given(
    request_no=st.text(min_size=1, max_size=64),
    duplicate=st.booleans(),
    micros=st.integers(min_value=0, max_value=10**12),
)
def test_an_answered_ticket_is_the_model_copy(request_no: str, duplicate: bool, micros: int) -> None:
    kw: dict[str, Any] = dict(
        ticket_id="TK0000000007",
        request_no=request_no,
        agency="icbc",
        measure=Measure.QUERY,
        status=TicketStatus.ACCEPTED,
        accepted_at=ORIGIN + timedelta(microseconds=micros),
    )
    ticket = Ticket(**kw, duplicate=True) if duplicate else Ticket(**kw)
    expected = ticket.model_copy(update={"status": TicketStatus.ANSWERED})
    got = _with_status(ticket, TicketStatus.ANSWERED)
    assert got == expected and got.model_fields_set == expected.model_fields_set
    assert got.model_dump_json() == expected.model_dump_json()
    assert got.model_dump_json(exclude_unset=True) == expected.model_dump_json(exclude_unset=True)
    assert ticket.status is TicketStatus.ACCEPTED  # the original is untouched
    assert got.model_copy(update={"duplicate": True}).duplicate is True  # still a working model


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=300), status=st.sampled_from([200, 202, 404, 409, 422]))
def test_json_bytes_is_the_starlette_response(text: str, status: int) -> None:
    raw = text.encode()
    a, b = Response(raw, status_code=status, media_type="application/json"), JSONBytes(raw, status)
    assert (a.status_code, a.raw_headers, a.body, a.background) == (b.status_code, b.raw_headers, b.body, b.background)
    b.headers["x-extra"] = "1"  # FastAPI may add headers to a returned response: each has its own list
    assert JSONBytes(raw, status).raw_headers == a.raw_headers


def test_a_pin_wins_over_cached_derived_holdings_and_unpinning_restores_them() -> None:
    world = _session().world
    debtor = world.debtor(0)
    derived = world.holdings(debtor.id_number, "icbc")
    assert world.holdings(debtor.id_number, "icbc") == derived  # now cached
    pinned = (Holding(account_no="PIN9", kind=AssetKind.DEPOSIT, balance_cents=5, available_cents=5),)
    world.pin(debtor.id_number, "icbc", pinned)
    assert world.holdings(debtor.id_number, "icbc") == pinned
    world.unpin(debtor.id_number, "icbc")
    assert world.holdings(debtor.id_number, "icbc") == derived


def test_holdings_of_an_unknown_agency_are_still_an_error_after_caching() -> None:
    world = _session().world
    debtor = world.debtor(1)
    world.holdings(debtor.id_number, "icbc")
    with pytest.raises(Exception, match="nosuchbank"):
        world.holdings(debtor.id_number, "nosuchbank")


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.floats(min_value=0, max_value=5 * 86400, allow_nan=False),
    offset=st.integers(min_value=0, max_value=14 * 86400),
    hours=st.booleans(),
)
def test_answer_due_is_the_first_open_instant_after_the_latency(seconds: float, offset: int, hours: bool) -> None:
    overrides: dict[str, Any] = {"*": {"latency": {"query": {"dist": "fixed", "min_seconds": seconds}}}}
    if hours:
        overrides["*"]["business_hours"] = {"start": "09:00", "end": "17:00", "workdays_only": True}
    behaviour = load_profile("fast", overrides).behaviour("*", "icbc")
    submitted = ORIGIN + timedelta(seconds=offset)
    due = behaviour.answer_due(Measure.QUERY, submitted, random.Random(1))
    earliest = submitted + timedelta(seconds=math.ceil(seconds))
    assert due >= earliest
    assert behaviour.next_open(due) == due  # an instant the agency answers at
    if not hours:
        assert due == earliest  # always open: nothing to wait for
    else:
        assert time(9) <= due.timetz().replace(tzinfo=None) < time(17)


def test_the_journal_shows_datetime_fields_in_iso_8601() -> None:
    j = Journal(10)
    due = ORIGIN + timedelta(seconds=3)
    j.record(ORIGIN, "submit", due_at=due, outcome="accepted", n=1)
    (entry,) = j.entries()
    assert entry == {
        "seq": 1,
        "at": ORIGIN.isoformat(),
        "kind": "submit",
        "due_at": due.isoformat(),
        "outcome": "accepted",
        "n": 1,
    }


def test_a_submit_journals_its_due_instant_in_iso_8601() -> None:
    session = _session()
    d = session.world.debtor(0)
    req = ControlRequest.model_validate(
        {
            "request_no": "J-1",
            "court_code": "R410811",
            "case_no": "(2026)豫0811执1号",
            "measure": "00",
            "subject": {"kind": d.kind, "name": d.name, "id_number": d.id_number},
        }
    )
    record, _ = session.submit(session.catalogue.get("icbc"), req)
    (entry,) = session.journal.entries(kind="submit")
    assert entry["due_at"] == record.due_at.isoformat() and isinstance(entry["due_at"], str)


@pytest.mark.parametrize(
    ("headers", "taken"),
    [
        ([("Content-Type", "application/json")], TAKEN),
        ([("Content-Type", "Application/JSON ")], TAKEN),  # compared trimmed, case-insensitively
        ([("Content-Type", "application/json"), ("Content-Type", "application/json")], HANDED_ON),
        ([("Content-Type", "application/json"), ("X-Zhixing-Session", "default")], TAKEN),
        (
            [("Content-Type", "application/json"), ("X-Zhixing-Session", "default"), ("X-Zhixing-Session", "default")],
            HANDED_ON,
        ),
        ([("X-Zhixing-Session", "default")], HANDED_ON),  # no content type at all
    ],
)
async def test_one_pass_header_check_takes_exactly_the_plain_requests(
    headers: list[tuple[str, str]], taken: bool
) -> None:
    twin = Twin()
    try:
        await twin.setup("GET", "/admin/sessions/default")
        d = await person(twin, "default")
        raw = json.dumps(body(d, 1), ensure_ascii=False).encode()
        await twin.same("POST", "/agencies/icbc/requests", taken, content=raw, headers=headers)
        await twin.same_journal("default")
    finally:
        await twin.aclose()
