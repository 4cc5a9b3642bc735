"""The mock 总对总 hub (agency ``zdz``): one 集约查询 request per debtor fanned out to its scope, answered in
parts. Scope validation, agreement with direct queries (answer instants and holdings, pins and freezes
included), parts over several instants, idempotency, cumulative polls, callbacks per part over real HTTP,
``SessionPort.collect``, reproducibility and agency faults absorbed by the hub. Virtual time only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from core_flow.agency_directory import AgencyDirectory
from core_flow.agency_directory import inquiry_scope as court_scope
from core_flow.gateway.transport import Outcome, SubmitResult
from core_flow.protocol import (
    HUB,
    AgencyGroup,
    AssetKind,
    ControlRequest,
    Feedback,
    Holding,
    Measure,
    Ticket,
    TicketStatus,
)
from mock_agencies.catalogue import inquiry_scope as mock_scope
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import CST
from mock_agencies.namespaces import SessionManager
from mock_agencies.port import SessionPort
from mock_agencies.session import Session, SessionConfig
from mock_agencies.settings import Settings
from mock_agencies.world import World
from tests.test_agencies_api import NS, assert_bilingual, make_client, person
from tests.test_agencies_live import LiveServer, Receiver, free_port

ORIGIN = datetime(2026, 3, 2, 10, 0, tzinfo=CST)  # a Monday, outside every maintenance window
COURT, COURT_REGION, CASE = "R410811", "410811", "(2026)豫0811执1号"
ZERO_FAULTS = {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0, "rate_limit": 0}}
CATALOGUE = load_catalogue()
DIRECTORY = AgencyDirectory.from_json(CATALOGUE.as_json())


def make_session(
    profile: str = "fast", seed: int = 7, overrides: dict[str, Any] | None = None, **settings: Any
) -> Session:
    values: dict[str, Any] = {"time_scale": 0.0, "world_size": 2000, "background": False, "profile": profile}
    values.update(settings)
    manager = SessionManager(Settings(origin=ORIGIN, **values), CATALOGUE)
    config = SessionConfig(seed=seed, profile=profile, overrides=overrides or {}, time_scale=0.0, origin=ORIGIN)
    return manager.create("hub", config)


def scope_of(id_number: str) -> tuple[str, ...]:
    """The 集约查询 scope as the court side works it out."""
    return tuple(a.code for a in court_scope(DIRECTORY, id_number, COURT_REGION))


def hub_query(session: Session, debtor: int, n: int = 1, **fields: Any) -> ControlRequest:
    subject = session.world.debtor(debtor).subject()
    values: dict[str, Any] = {"scope": scope_of(subject.id_number)}
    values.update(fields)
    return ControlRequest(
        request_no=f"H{n}", court_code=COURT, case_no=CASE, measure=Measure.QUERY, subject=subject, **values
    )


def direct_query(session: Session, debtor: int, agency: str) -> ControlRequest:
    subject = session.world.debtor(debtor).subject()
    return ControlRequest(
        request_no=f"D{debtor}-{agency}", court_code=COURT, case_no=CASE, measure=Measure.QUERY, subject=subject
    )


def run_to(session: Session, at: datetime) -> None:
    session.clock.skip_to(at)
    session.pump(at)


def parts_of(session: Session, ticket_id: str) -> list[Feedback]:
    fanout = session.tickets[ticket_id].hub
    assert fanout is not None
    return list(fanout.parts)


def answers_by_agency(parts: list[Feedback]) -> dict[str, tuple[datetime, tuple[Holding, ...] | None]]:
    """agency → (instant of the part it came in, its holdings; ``None`` for a failed answer)."""
    out: dict[str, tuple[datetime, tuple[Holding, ...] | None]] = {}
    for part in parts:
        assert part.batch is not None
        for a in part.batch.found:
            assert a.agency not in out
            out[a.agency] = (part.answered_at, a.holdings if a.ok else None)
        for code in part.batch.none_found:
            assert code not in out
            out[code] = (part.answered_at, ())
    return out


def debtor_with_property(session: Session, start: int = 0) -> int:
    """A person debtor holding something (derived, not pinned) at two or more of its scope's agencies."""
    for i in range(start, start + 500):
        d = session.world.debtor(i)
        if (
            d.kind.value == "person"
            and sum(1 for c in scope_of(d.id_number) if session.world.holdings(d.id_number, c)) >= 2
        ):
            return i
    raise AssertionError("no such debtor among 500")


# ------------------------------------------------------------------------------------------- catalogue


def test_the_hub_is_in_the_catalogue_but_in_no_scope_and_holds_nothing() -> None:
    (hub,) = CATALOGUE.by_group(AgencyGroup.HUB)
    assert hub.code == HUB and hub.name == "总对总网络查控系统" and hub.profile == "hub"
    assert hub.operations == (Measure.QUERY,) and not hub.in_inquiry_scope and hub.source and hub.note
    world = World(3, size=300, catalogue=CATALOGUE)
    for i in range(300):
        d = world.debtor(i)
        assert HUB not in scope_of(d.id_number)
        assert HUB not in {a.code for a in mock_scope(CATALOGUE, d.id_number, COURT_REGION)}
        assert world.holdings(d.id_number, HUB) == ()


# ------------------------------------------------------------------------------------------ validation


async def test_scope_errors_name_the_item_bilingually_and_change_nothing() -> None:
    async with make_client() as client:
        ns = NS(client, "scope")
        d = await person(ns)
        scope = scope_of(d["id_number"])
        cases = [
            ("zdz", {}, "body.scope", "scope_required"),
            ("icbc", {"scope": list(scope)}, "body.scope", "scope_not_allowed"),
            ("zdz", {"scope": [scope[0], scope[1], "no_such_bank"]}, "body.scope[2]", "invalid_scope"),
            ("zdz", {"scope": [HUB, scope[0]]}, "body.scope[0]", "invalid_scope"),
            ("zdz", {"scope": [scope[0], "taobao"]}, "body.scope[1]", "invalid_scope"),  # no queries (00)
        ]
        for agency, extra, where, code in cases:
            r = await ns.submit(agency, ns.body(d, "00", **extra))
            assert r.status_code == 422, (agency, extra, r.text)
            error = r.json()["error"]
            assert error["where"] == where and error["code"] == code, error
            assert_bilingual(error, where)
        # the subject is validated as for any query; the protocol refuses a repeated agency
        bad = ns.body(d, "00", scope=list(scope))
        bad["subject"]["id_number"] = "110101199003070000"  # wrong check digit
        r = await ns.submit("zdz", bad)
        assert r.status_code == 422 and r.json()["error"]["where"] == "body.subject.id_number", r.text
        r = await ns.submit("zdz", ns.body(d, "00", scope=[scope[0], scope[0]]))
        assert r.status_code == 422
        assert_bilingual(r.json()["error"], "scope")
        r = await ns.submit("zdz", ns.body(d, "01", account_no="X", amount_cents=1, scope=list(scope)))
        assert r.status_code == 422  # a scope is for queries only
        assert (await client.get("/admin/sessions/scope")).json()["tickets"] == 0
        rejected = (await ns.journal(kind="submit"))["entries"]
        assert rejected and not [e for e in rejected if e.get("outcome") == "accepted"]


def test_the_port_rejects_a_bad_scope_as_final() -> None:
    session = make_session()
    port = SessionPort(session)
    request = hub_query(session, 0, scope=("icbc", "nope"))
    result = port.submit(HUB, request, ORIGIN)
    assert isinstance(result, SubmitResult) and result.outcome is Outcome.REJECTED and result.status == 422
    assert result.error is not None and result.error["where"] == "body.scope[1]"
    assert port.outstanding == 0 and session.tickets == {}


# --------------------------------------------------------------------------- agreement with direct queries


def _pin_and_freeze(session: Session, debtor: int) -> str:
    """Pin a deposit at icbc and freeze part of it (both sessions do the same); returns the account."""
    subject = session.world.debtor(debtor).subject()
    account = f"PIN{debtor:06d}01"
    session.world.pin(
        subject.id_number,
        "icbc",
        [Holding(account_no=account, kind=AssetKind.DEPOSIT, balance_cents=100_000, available_cents=100_000)],
    )
    freeze = ControlRequest(
        request_no=f"F{debtor}",
        court_code="R410802",
        case_no="(2026)豫0802执9号",
        measure=Measure.FREEZE,
        subject=subject,
        account_no=account,
        amount_cents=30_000,
    )
    record, _ = session.submit(CATALOGUE.get("icbc"), freeze)
    run_to(session, record.due_at)
    assert record.ticket.status is TicketStatus.ANSWERED and record.feedback is not None and record.feedback.ok
    return account


@pytest.mark.parametrize("profile", ["fast", "realistic"])
def test_the_hub_answers_what_direct_queries_answer_when_they_would(profile: str) -> None:
    overrides = {"*": ZERO_FAULTS}  # direct submits below go straight to the session: no transport faults
    via_hub, direct = make_session(profile, overrides=overrides), make_session(profile, overrides=overrides)
    i = debtor_with_property(via_hub)
    account = _pin_and_freeze(via_hub, i)
    assert _pin_and_freeze(direct, i) == account

    record, duplicate = via_hub.submit(CATALOGUE.get(HUB), hub_query(via_hub, i))
    assert not duplicate
    scope = record.request.scope or ()
    assert "icbc" in scope
    expected: dict[str, tuple[datetime, tuple[Holding, ...]]] = {}
    records = {code: direct.submit(CATALOGUE.get(code), direct_query(direct, i, code))[0] for code in scope}
    end = max(r.due_at for r in records.values())
    run_to(direct, end)
    for code, r in records.items():
        assert r.feedback is not None and r.feedback.ok
        expected[code] = (r.feedback.answered_at, r.feedback.holdings)
    run_to(via_hub, end)
    got = answers_by_agency(parts_of(via_hub, record.ticket.ticket_id))
    assert got == expected
    (pinned,) = got["icbc"][1] or ()
    assert pinned.account_no == account and pinned.balance_cents == 100_000
    assert pinned.available_cents == 70_000 and len(pinned.existing_freezes) == 1  # partly frozen
    assert sum(1 for _, holdings in got.values() if holdings) >= 2
    if profile == "realistic":
        assert len({at for at, _ in got.values()}) > 5  # several instants, each as the direct query's
    assert record.ticket.status is TicketStatus.ANSWERED


def test_a_fixed_latency_is_planned_as_answer_due_and_follows_profile_changes() -> None:
    session = make_session("fast", overrides={"*": {"latency": {"query": {"dist": "fixed", "min_seconds": 90.5}}}})
    twin = make_session("fast", overrides={"*": {"latency": {"query": {"dist": "fixed", "min_seconds": 90.5}}}})
    first, _ = session.submit(CATALOGUE.get(HUB), hub_query(session, 1, 1))
    icbc, _ = twin.submit(CATALOGUE.get("icbc"), direct_query(twin, 1, "icbc"))
    assert first.hub is not None and first.hub.instants() == [icbc.due_at] == [ORIGIN + timedelta(seconds=91)]
    assert first.ticket.status is TicketStatus.ACCEPTED and first.feedback is None
    # the same scope again after a profile change: planned under the new profile, not the remembered one
    session.set_profile(session.profile.with_overrides({"bank": {"latency": {"query": {"min_seconds": 5}}}}))
    again, _ = session.submit(CATALOGUE.get(HUB), hub_query(session, 1, 2))
    assert again.hub is not None and again.hub.instants() == [ORIGIN + timedelta(seconds=5), icbc.due_at]
    banks = {a.code for a in CATALOGUE if a.profile == "bank"}
    assert set(again.hub.groups[0][1]) == banks & set(again.request.scope or ())


# ----------------------------------------------------------------------------------- parts over time


def test_parts_arrive_at_several_instants_and_cover_the_scope_exactly_once() -> None:
    session = make_session("realistic", overrides={"*": ZERO_FAULTS})
    record, _ = session.submit(CATALOGUE.get(HUB), hub_query(session, 4))
    scope = record.request.scope or ()
    ticket_id = record.ticket.ticket_id
    assert record.ticket.status is TicketStatus.ACCEPTED and record.feedback is None
    seen: list[str] = []
    outstanding = [len(scope)]
    while record.ticket.status is TicketStatus.ACCEPTED:
        due = record.due_at
        run_to(session, due)
        parts = parts_of(session, ticket_id)
        part = parts[-1]
        assert part.batch is not None and part.answered_at == due and part.batch.part == len(parts)
        assert part.agency == HUB and part.ok and part.code == "0000" and part.measure is Measure.QUERY
        assert part.batch.agencies(), "an empty part"
        seen += part.batch.agencies()
        assert part.batch.outstanding == len(scope) - len(seen) < outstanding[-1]
        outstanding.append(part.batch.outstanding)
        done = part.batch.outstanding == 0
        assert (record.ticket.status is TicketStatus.ANSWERED) is done
    assert sorted(seen) == sorted(scope) and len(seen) == len(set(seen))
    parts = parts_of(session, ticket_id)
    assert len(parts) > 3 and outstanding[-1] == 0
    assert [p.answered_at for p in parts] == sorted({p.answered_at for p in parts})
    # the record keeps the cumulative answer: every part so far in one batch
    total = record.feedback
    assert total is not None and total.batch is not None
    assert total.batch.part == len(parts) and total.batch.outstanding == 0
    assert Counter(total.batch.agencies()) == Counter(scope)
    assert total.batch.found == tuple(a for p in parts for a in p.batch.found)  # type: ignore[union-attr]
    # journal: one submit, one answer per part (with counts)
    submits = [e for e in session.journal.entries(kind="submit") if e["agency"] == HUB]
    answers = [e for e in session.journal.entries(kind="answer") if e["agency"] == HUB]
    assert len(submits) == 1 and submits[0]["scope"] == len(scope) and submits[0]["instants"] == len(parts)
    assert [(e["part"], e["found"], e["none_found"], e["outstanding"]) for e in answers] == [
        (p.batch.part, len(p.batch.found), len(p.batch.none_found), p.batch.outstanding)  # type: ignore[union-attr]
        for p in parts
    ]


def test_same_seed_same_parts_other_seed_other_parts() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        session = make_session("realistic", seed=seed)  # with the profile's own agency faults and windows
        tickets = [session.submit(CATALOGUE.get(HUB), hub_query(session, i, i))[0] for i in range(5)]
        run_to(session, ORIGIN + timedelta(days=4))
        assert all(t.ticket.status is TicketStatus.ANSWERED for t in tickets)
        return [p.model_dump(mode="json") for t in tickets for p in parts_of(session, t.ticket.ticket_id)]

    first = run(11)
    assert run(11) == first
    assert run(12) != first


# ------------------------------------------------------------------------------ idempotency and polls


async def test_resubmit_is_idempotent_and_poll_is_cumulative_while_accepted() -> None:
    async with make_client(profile="realistic") as client:
        ns = NS(client, "hubpoll")
        await ns.create(profile="realistic", seed=4, overrides={"*": ZERO_FAULTS})
        d = await person(ns)
        scope = scope_of(d["id_number"])
        body = ns.body(d, "00", scope=list(scope))
        ticket = await ns.accepted(HUB, body)
        assert ticket["agency"] == HUB and ticket["status"] == "accepted"
        ticket_id = ticket["ticket_id"]
        assert (await ns.poll(HUB, ticket_id))["feedback"] is None

        async def due_at() -> datetime:
            r = await client.get(f"/admin/sessions/{ns.name}/tickets/{ticket_id}")
            return datetime.fromisoformat(r.json()["due_at"])

        answered: list[str] = []
        for part in (1, 2, 3):
            await ns.advance(to=await due_at())
            polled = await ns.poll(HUB, ticket_id)
            batch = polled["feedback"]["batch"]
            assert polled["ticket"]["status"] == "accepted"
            assert batch["part"] == part and batch["outstanding"] == len(scope) - len(
                [a["agency"] for a in batch["found"]] + batch["none_found"]
            )
            so_far = [a["agency"] for a in batch["found"]] + batch["none_found"]
            assert set(answered) < set(so_far)  # cumulative: what came before, and more
            answered = so_far
        # the same request again: the same ticket, nothing fanned out twice; other content: a conflict
        repeat = await ns.submit(HUB, body)
        assert repeat.status_code == 200 and repeat.json()["ticket_id"] == ticket_id and repeat.json()["duplicate"]
        other = dict(body, scope=list(scope[:-1]))
        conflict = await ns.submit(HUB, other)
        assert conflict.status_code == 409 and conflict.json()["error"]["where"] == "body.request_no"
        await ns.advance(seconds=4 * 86400)
        final = await ns.poll(HUB, ticket_id)
        batch = final["feedback"]["batch"]
        assert final["ticket"]["status"] == "answered" and batch["outstanding"] == 0
        assert Counter([a["agency"] for a in batch["found"]] + batch["none_found"]) == Counter(scope)
        by_no = await client.get(f"/agencies/{HUB}/requests", params={"request_no": body["request_no"]}, headers=ns.h)
        assert by_no.json() == final
        journal = await ns.journal()
        accepted = [e for e in journal["entries"] if e["kind"] == "submit" and e.get("outcome") == "accepted"]
        parts = [e for e in journal["entries"] if e["kind"] == "answer"]
        assert len(accepted) == 1 and len(parts) == batch["part"]


# ------------------------------------------------------------------------------------ callbacks (HTTP)


@pytest.fixture
def live() -> Iterator[LiveServer]:
    settings = Settings(port=free_port(), profile="fast", world_size=1000, time_scale=0.0, background=False)
    with LiveServer(settings) as server:
        yield server


@pytest.mark.slow
def test_each_part_is_posted_once_per_copy_keyed_by_part(live: LiveServer) -> None:
    overrides = {"*": ZERO_FAULTS, "hub": {"callbacks": {"duplicate_rate": 1.0, "reorder_rate": 0.0}}}
    # 60 s: a guard against a hang, not a speed check. The 4-day advance posts every part twice and answers when they
    # are delivered, ~2 s on a quiet machine; with the load average at 30 it took over 10 s (1 run in 10 timed out)
    with Receiver() as receiver, httpx.Client(base_url=live.url, timeout=60) as client:
        r = client.put("/admin/sessions/cb", json={"profile": "realistic", "seed": 9, "overrides": overrides})
        assert r.status_code == 200, r.text
        debtor = client.get("/admin/sessions/cb/debtors/2").json()
        subject = {k: debtor[k] for k in ("kind", "name", "id_number")}
        scope = scope_of(debtor["id_number"])
        body = {
            "request_no": "CB-1",
            "court_code": COURT,
            "case_no": CASE,
            "measure": "00",
            "subject": subject,
            "scope": list(scope),
            "callback_url": receiver.url,
        }
        headers = {"X-Zhixing-Session": "cb"}
        r = client.post(f"/agencies/{HUB}/requests", json=body, headers=headers)
        assert r.status_code == 202, r.text
        ticket_id = r.json()["ticket_id"]
        summary = client.post("/admin/sessions/cb/advance", json={"seconds": 4 * 86400}).json()
        assert summary["pending_callbacks"] == 0
        got: list[tuple[str, dict[str, Any]]] = []
        while not receiver.received.empty():
            hdrs, payload = receiver.received.get(timeout=5)
            got.append((hdrs["Idempotency-Key"], payload))
        final = client.get(f"/agencies/{HUB}/requests/{ticket_id}", headers=headers).json()
    parts = final["feedback"]["batch"]["part"]
    assert parts > 3
    keys = Counter(key for key, _ in got)
    assert keys == Counter({f"{ticket_id}:{n}": 2 for n in range(1, parts + 1)})  # the hub's duplicates apply
    by_key: dict[str, dict[str, Any]] = {}
    for key, payload in got:
        assert by_key.setdefault(key, payload) == payload  # a duplicate is the same part
        assert payload["batch"]["part"] == int(key.rsplit(":", 1)[1]) and payload["ticket_id"] == ticket_id
    agencies = [
        a for p in by_key.values() for a in [x["agency"] for x in p["batch"]["found"]] + p["batch"]["none_found"]
    ]
    assert Counter(agencies) == Counter(scope)  # each part carries its own agencies only


# --------------------------------------------------------------------------------------- SessionPort


def test_the_port_collects_each_part_once_in_time_order() -> None:
    session = make_session("realistic", overrides={"*": ZERO_FAULTS})
    port = SessionPort(session)
    tickets = []
    for i in range(3):
        got = port.submit(HUB, hub_query(session, i, i), ORIGIN)
        assert isinstance(got, Ticket) and got.status is TicketStatus.ACCEPTED
        tickets.append(got.ticket_id)
    collected: list[Feedback] = []
    steps = 0
    while (nxt := port.next_due()) is not None:
        batch = port.collect(nxt)
        assert batch and all(p.answered_at <= nxt for p in batch)
        assert [p.answered_at for p in batch] == sorted(p.answered_at for p in batch)
        collected += batch
        steps += 1
    assert port.outstanding == 0 and steps > 3
    for ticket_id in tickets:
        mine = [p for p in collected if p.ticket_id == ticket_id]
        assert mine == parts_of(session, ticket_id)  # every part, once, not the cumulative answer
        assert [p.batch.part for p in mine] == list(range(1, len(mine) + 1))  # type: ignore[union-attr]
    assert port.collect(ORIGIN + timedelta(days=5)) == []
    # a repeat of a collected query hands its parts over again, as a repeated direct query does
    again = port.submit(HUB, hub_query(session, 0, 0), ORIGIN + timedelta(days=5))
    assert isinstance(again, Ticket) and again.duplicate and again.ticket_id == tickets[0]
    assert port.collect(ORIGIN + timedelta(days=5)) == parts_of(session, tickets[0])


def test_with_the_fast_profile_one_part_answers_at_once() -> None:
    session = make_session("fast")
    port = SessionPort(session)
    got = port.submit(HUB, hub_query(session, 0), ORIGIN)
    assert isinstance(got, Ticket) and got.status is TicketStatus.ANSWERED
    (part,) = port.collect(ORIGIN)
    assert part.batch is not None and part.batch.part == 1 and part.batch.outstanding == 0
    assert sorted(part.batch.agencies()) == sorted(scope_of(session.world.debtor(0).id_number))
    assert port.next_due() is None


# ------------------------------------------------------------------------------------------- faults


def test_a_faulty_agency_is_retried_by_the_hub_and_answers_later() -> None:
    window = {"weekdays": [1], "start": "09:00", "end": "11:30"}  # icbc under maintenance at 10:00
    overrides = {"icbc": {"maintenance": [window]}, "ccb": {"faults": {"error_5xx": 0.6}}}
    session = make_session("fast", overrides=overrides, hub_retry_seconds=45)
    port = SessionPort(session)
    delays: Counter[float] = Counter()
    for i in range(6):
        got = port.submit(HUB, hub_query(session, i, i), ORIGIN)
        assert isinstance(got, Ticket), got  # the court-facing submit succeeds
        fanout = session.tickets[got.ticket_id].hub
        assert fanout is not None
        when = {code: at for at, codes in fanout.groups for code in codes}
        assert when["icbc"] == ORIGIN.replace(hour=11, minute=30)  # after the window
        delay = (when["ccb"] - ORIGIN).total_seconds()
        assert delay % 45 == 0
        delays[delay] += 1
        others = {c for c in when if c not in ("icbc", "ccb")}
        assert {when[c] for c in others} == {ORIGIN}
    assert delays[0] and len(delays) > 1  # some got through at once, some after retries
    run_to(session, ORIGIN + timedelta(hours=2))
    for collected in port.collect(ORIGIN + timedelta(hours=2)):
        assert collected.batch is not None and all(a.ok for a in collected.batch.found)


def test_an_agency_that_never_gets_through_is_reported_failed() -> None:
    session = make_session("fast", overrides={"ccb": {"faults": {"timeout": 1.0}}}, hub_max_attempts=3)
    record, _ = session.submit(CATALOGUE.get(HUB), hub_query(session, 0))
    run_to(session, ORIGIN + timedelta(minutes=5))
    assert record.ticket.status is TicketStatus.ANSWERED
    parts = parts_of(session, record.ticket.ticket_id)
    (failed,) = [a for p in parts for a in p.batch.found if a.agency == "ccb"]  # type: ignore[union-attr]
    assert not failed.ok and failed.code == "fault_timeout" and "/" in failed.message
    assert answers_by_agency(parts)["ccb"][0] == ORIGIN + timedelta(seconds=2 * 60)  # 3 tries, 60 s apart
    assert "失败 1 家" in parts[-1].message and "1 failed" in parts[-1].message


def test_faults_of_the_hub_link_itself_follow_the_star_override() -> None:
    session = make_session("fast", overrides={"*": {"faults": {"error_5xx": 1.0}}})
    port = SessionPort(session)
    result = port.submit(HUB, hub_query(session, 0), ORIGIN)
    assert isinstance(result, SubmitResult) and result.outcome is Outcome.SERVER_ERROR
    assert session.tickets == {}  # not accepted: nothing fanned out
    calm = make_session("fast", overrides={"*": {"faults": {"error_5xx": 1.0}}, "hub": ZERO_FAULTS})
    got = SessionPort(calm).submit(HUB, hub_query(calm, 0), ORIGIN)
    assert isinstance(got, Ticket)


def test_fixed_plans_of_several_scopes_each_answer_their_own_agencies() -> None:
    """A fixed plan's agencies are looked up once per scope (``Hub._agencies``): queries of other scopes on the same
    hub, and repeats of a scope, are answered by exactly their own agencies with what a direct query finds."""
    session = make_session("fast")
    port = SessionPort(session)
    scopes: Counter[tuple[str, ...]] = Counter()
    for debtor in range(60):
        subject = session.world.debtor(debtor).subject()
        scope = scope_of(subject.id_number)
        scopes[scope] += 1
        got = port.submit(HUB, hub_query(session, debtor, n=debtor), ORIGIN)
        assert isinstance(got, Ticket)
        (part,) = port.collect(ORIGIN)
        assert part.batch is not None and part.batch.outstanding == 0
        assert sorted(part.batch.agencies()) == sorted(scope)
        for answer in part.batch.found:
            assert answer.holdings == session.ledger.holdings(answer.agency, subject.id_number, ORIGIN)
        for code in part.batch.none_found:
            assert session.ledger.holdings(code, subject.id_number, ORIGIN) == ()
    assert len(scopes) >= 3 and max(scopes.values()) >= 2  # several scopes, and repeats of one


def test_a_fixed_plan_in_several_parts_answers_each_part_with_its_own_agencies() -> None:
    """A fixed plan of two delays (banks at 5 s, the rest at 91 s): each part answers exactly its group's agencies of
    the scope, with what a direct query finds — the plan's agencies are remembered per group (``Hub._agencies``), not
    per scope (review R29: the one-part test above passes with a scope's agencies given for each of its groups)."""
    session = make_session("fast", overrides={"*": {"latency": {"query": {"dist": "fixed", "min_seconds": 90.5}}},
                                              "bank": {"latency": {"query": {"min_seconds": 5}}}})
    port = SessionPort(session)
    banks = {a.code for a in CATALOGUE if a.profile == "bank"}
    scopes: set[tuple[str, ...]] = set()
    for debtor in range(24):
        subject = session.world.debtor(debtor).subject()
        scope = scope_of(subject.id_number)
        scopes.add(scope)
        at = ORIGIN + timedelta(hours=debtor)
        got = port.submit(HUB, hub_query(session, debtor, n=debtor), at)
        assert isinstance(got, Ticket)
        parts = [*port.collect(at + timedelta(seconds=5)), *port.collect(at + timedelta(seconds=91))]
        assert [p.batch.part for p in parts if p.batch is not None] == [1, 2]
        first, second = (sorted(p.batch.agencies()) for p in parts if p.batch is not None)
        assert first == sorted(banks & set(scope)) and second == sorted(set(scope) - banks)
        for part in parts:
            assert part.batch is not None
            for answer in part.batch.found:
                assert answer.holdings == session.ledger.holdings(answer.agency, subject.id_number, part.answered_at)
    assert len(scopes) >= 3
