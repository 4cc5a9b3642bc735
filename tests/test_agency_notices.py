"""轮候 notices: a queued freeze that takes effect later (or a partial one topped up) reaches the court.

The mock ledger promotes or tops up a freeze when earlier measures release money; the session turns each such
ledger event into a numbered notice about the answered freeze request (journalled, called back, handed to the
in-process port), and the court's platform confirms the newly controlled amount, so that the case and the
agency's ledger keep reconciling. Virtual time only: nothing here sleeps."""

from __future__ import annotations

import asyncio
import json
import warnings
from datetime import datetime, timedelta

import httpx

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, ControlRequest, Feedback, FreezeState, Holding, Measure
from mock_agencies.app import create_app
from mock_agencies.backend import CODE_NOTICE, CODE_QUEUED
from mock_agencies.catalogue import load_catalogue
from mock_agencies.namespaces import SessionManager
from mock_agencies.port import SessionPort
from mock_agencies.session import Session, SessionConfig
from mock_agencies.settings import Settings
from mock_agencies.timeline import SessionRunner
from mock_agencies.world import Debtor, account_number
from scenarios.remote import SESSION_HEADER, AgenciesClient, HttpAgencyPort, RemoteSession
from sim.assembly import build_virtual_court

ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # Monday
CB = "http://court.test/callbacks/feedback"
LATENCY = timedelta(seconds=60)  # every control answer comes one minute after its submit
SLOW_CONTROL = {"*": {"latency": {"control": {"dist": "fixed", "min_seconds": 60}}}}
CATALOGUE = load_catalogue()


# ── helpers ────────────────────────────────────────────────────────────────────────────────────────


def new_session(seed: int = 7) -> Session:
    settings = Settings(world_size=200, background=False, time_scale=0.0, profile="fast", origin=ORIGIN,
                        callback_hosts=("court.test",),
                        ticket_retention_seconds=None)  # the tests read tickets' records weeks later
    return SessionManager(settings, CATALOGUE).create(
        "notices", SessionConfig(seed=seed, profile="fast", overrides=SLOW_CONTROL, time_scale=0.0, origin=ORIGIN))


def person(session: Session, index: int = 0) -> Debtor:
    while (d := session.world.debtor(index)).kind != "person":
        index += 1
    return d


def pin_deposit(world, debtor: Debtor, cents: int, agency: str = "icbc") -> str:
    number = account_number(agency, AssetKind.DEPOSIT, debtor.id_number, 1)
    world.pin(debtor.id_number, agency, [Holding(account_no=number, kind=AssetKind.DEPOSIT, balance_cents=cents,
                                                 available_cents=cents)])
    return number


def freeze(no: str, debtor: Debtor, account: str, cents: int, court: str = "C1", *, callback: bool = True,
           term_days: int | None = None) -> ControlRequest:
    return ControlRequest(request_no=no, court_code=court, case_no=f"{court}-case", measure=Measure.FREEZE,
                          subject=debtor.subject(), account_no=account, amount_cents=cents, term_days=term_days,
                          callback_url=CB if callback else None)


def unfreeze(no: str, debtor: Debtor, freeze_id: str, court: str) -> ControlRequest:
    return ControlRequest(request_no=no, court_code=court, case_no=f"{court}-case", measure=Measure.UNFREEZE,
                          subject=debtor.subject(), freeze_id=freeze_id)


class Receiver:
    """The court's callback endpoint: every delivery (Idempotency-Key, body), acknowledged."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.headers["Idempotency-Key"], json.loads(request.content)))
        return httpx.Response(200)

    def notices(self) -> list[tuple[str, dict]]:
        return [(key, body) for key, body in self.calls if body.get("notice") is not None]


def advance(session: Session, to: datetime, receiver: Receiver) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as client:
            await SessionRunner(session).advance(to=to, client=client)

    asyncio.run(run())


def submit(session: Session, agency: str, request: ControlRequest) -> str:
    record, duplicate = session.submit(CATALOGUE.get(agency), request)
    assert not duplicate
    return record.ticket.ticket_id


def end_of_term(day: datetime, years: int = 1) -> datetime:
    """A deposit freeze effective on ``day`` lasts until 24:00 of the corresponding day a year later (LAW.md)."""
    last = day.date().replace(year=day.year + years)
    return datetime(last.year, last.month, last.day, tzinfo=CST) + timedelta(days=1)


# ── ledger / session level ─────────────────────────────────────────────────────────────────────────


def test_a_queued_freeze_is_noticed_when_the_earlier_one_is_released() -> None:
    session = new_session()
    receiver = Receiver()
    debtor = person(session)
    account = pin_deposit(session.world, debtor, 100_000)
    first = submit(session, "icbc", freeze("A-1", debtor, account, 100_000, "C1"))
    second = submit(session, "icbc", freeze("B-1", debtor, account, 60_000, "C2"))
    advance(session, ORIGIN + timedelta(hours=1), receiver)
    queued = session.tickets[second].feedback
    assert queued is not None and queued.code == CODE_QUEUED and queued.amount_controlled_cents == 0
    assert queued.queue_position == 1 and queued.expires_at is None  # a queued freeze has no term yet
    assert session.awaits_notices()

    # five days later the first court releases its freeze: the queued one takes effect at that instant
    released_at = ORIGIN + timedelta(days=5)
    advance(session, released_at, receiver)
    first_id = session.tickets[first].feedback.freeze_id
    submit(session, "icbc", unfreeze("A-2", debtor, first_id, "C1"))
    advance(session, released_at + timedelta(hours=1), receiver)

    record = session.tickets[second]
    (notice,) = record.notices
    view = session.ledger.get_freeze(queued.freeze_id)
    assert view.state is FreezeState.ACTIVE and view.controlled_cents == 60_000
    assert (notice.notice, notice.ticket_id, notice.request_no, notice.agency, notice.measure) == (
        1, second, "B-1", "icbc", Measure.FREEZE)
    assert notice.ok and notice.code == CODE_NOTICE and "轮候冻结已生效" in notice.message and " / " in notice.message
    assert notice.answered_at == released_at + LATENCY  # the unfreeze's answer instant, not the pump's
    assert notice.freeze_id == queued.freeze_id and notice.freeze_state is FreezeState.ACTIVE
    assert notice.amount_controlled_cents == 60_000 and notice.unsecured_remainder_cents == 0
    # the term counts from the day it took effect, not from the day it was registered
    assert notice.expires_at == view.expires_at == end_of_term(released_at)
    assert not session.tickets[first].notices  # the released freeze gets nothing
    assert not session.awaits_notices()  # all it asked for is controlled
    # a poll still answers with the original answer: notices are push-only
    assert session.ticket("icbc", second).feedback == queued
    # called back with a key per notice; journalled with the notice
    assert [(k, b["notice"], b["amount_controlled_cents"]) for k, b in receiver.notices()] == [
        (f"{second}:notice:1", 1, 60_000)]
    assert Feedback.model_validate(receiver.notices()[0][1]) == notice
    (entry,) = [e for e in session.journal.entries(kind="notice")]
    assert (entry["ticket_id"], entry["notice"], entry["event"], entry["at"]) == (
        second, 1, "promoted", notice.answered_at.isoformat())


def test_a_partial_freeze_is_topped_up_by_numbered_notices() -> None:
    session = new_session(seed=8)
    receiver = Receiver()
    debtor = person(session, 5)
    account = pin_deposit(session.world, debtor, 100_000)
    small = submit(session, "icbc", freeze("A-1", debtor, account, 10_000, "C1"))
    big = submit(session, "icbc", freeze("A-2", debtor, account, 60_000, "C1"))
    partial = submit(session, "icbc", freeze("B-1", debtor, account, 50_000, "C2"))
    queued = submit(session, "icbc", freeze("C-1", debtor, account, 40_000, "C3"))
    advance(session, ORIGIN + timedelta(hours=1), receiver)
    answer = session.tickets[partial].feedback
    assert answer.amount_controlled_cents == 30_000 and answer.unsecured_remainder_cents == 20_000
    assert session.tickets[queued].feedback.code == CODE_QUEUED

    t1, t2 = ORIGIN + timedelta(days=2), ORIGIN + timedelta(days=9)
    advance(session, t1, receiver)
    submit(session, "icbc", unfreeze("A-3", debtor, session.tickets[small].feedback.freeze_id, "C1"))
    advance(session, t2, receiver)
    submit(session, "icbc", unfreeze("A-4", debtor, session.tickets[big].feedback.freeze_id, "C1"))
    advance(session, t2 + timedelta(hours=1), receiver)

    # 10 000 released at t1 all go to the partial freeze (first in the queue); at t2 60 000 are released:
    # 10 000 complete it, 40 000 promote the queued one, 10 000 stay available
    notices = session.tickets[partial].notices
    assert [(n.notice, n.answered_at, n.amount_controlled_cents, n.unsecured_remainder_cents) for n in notices] == [
        (1, t1 + LATENCY, 10_000, 10_000), (2, t2 + LATENCY, 10_000, 0)]
    assert all("冻结已补足" in n.message for n in notices)
    assert all(n.expires_at == answer.expires_at for n in notices)  # topping up keeps the term
    view = session.ledger.get_freeze(answer.freeze_id)
    assert view.controlled_cents == answer.amount_controlled_cents + sum(n.amount_controlled_cents for n in notices)
    (promoted,) = session.tickets[queued].notices
    assert (promoted.notice, promoted.amount_controlled_cents, promoted.expires_at) == (
        1, 40_000, end_of_term(t2))
    assert session.ledger.holdings("icbc", debtor.id_number, t2 + timedelta(hours=1))[0].available_cents == 10_000
    assert [k for k, _ in receiver.notices()] == [
        f"{partial}:notice:1", f"{partial}:notice:2", f"{queued}:notice:1"]
    assert not session.awaits_notices()


def test_a_queued_freeze_released_before_it_took_effect_gets_no_notice() -> None:
    session = new_session()
    receiver = Receiver()
    debtor = person(session, 12)
    account = pin_deposit(session.world, debtor, 50_000)
    first = submit(session, "icbc", freeze("A-1", debtor, account, 50_000, "C1"))
    second = submit(session, "icbc", freeze("B-1", debtor, account, 30_000, "C2"))
    advance(session, ORIGIN + timedelta(hours=1), receiver)
    submit(session, "icbc", unfreeze("B-2", debtor, session.tickets[second].feedback.freeze_id, "C2"))
    advance(session, ORIGIN + timedelta(hours=2), receiver)
    assert not session.awaits_notices()  # the queued freeze ended
    submit(session, "icbc", unfreeze("A-2", debtor, session.tickets[first].feedback.freeze_id, "C1"))
    advance(session, ORIGIN + timedelta(hours=3), receiver)
    assert not session.tickets[second].notices and not receiver.notices()
    assert session.ledger.holdings("icbc", debtor.id_number, ORIGIN + timedelta(hours=3))[0].available_cents == 50_000


# ── the in-process port (simulated transport) ─────────────────────────────────────────────────────


def test_the_port_collects_notices_once_in_time_order_with_the_answers() -> None:
    session = new_session()
    port = SessionPort(session)
    debtor = person(session, 20)
    account = pin_deposit(session.world, debtor, 80_000)
    first = port.submit("icbc", freeze("A-1", debtor, account, 80_000, "C1", callback=False), ORIGIN)
    second = port.submit("icbc", freeze("B-1", debtor, account, 80_000, "C2", callback=False), ORIGIN)
    assert port.next_due() == ORIGIN + LATENCY
    answers = port.collect(ORIGIN + LATENCY)
    assert [(f.ticket_id, f.notice) for f in answers] == [(first.ticket_id, None), (second.ticket_id, None)]
    first_id = answers[0].freeze_id

    t1 = ORIGIN + timedelta(days=3)
    release = port.submit("icbc", unfreeze("A-2", debtor, first_id, "C1"), t1)
    assert port.next_due() == t1 + LATENCY
    assert port.collect(t1 + LATENCY / 2) == []
    got = port.collect(t1 + LATENCY)
    assert [(f.ticket_id, f.notice, f.amount_controlled_cents) for f in got] == [
        (release.ticket_id, None, None), (second.ticket_id, 1, 80_000)]
    assert port.collect(t1 + timedelta(days=1)) == []  # exactly once
    assert port.next_due() is None


def test_a_lapse_promotes_the_queued_freeze_and_the_port_wakes_for_it() -> None:
    """No request is pending: the port names the first freeze's expiry as due, and the notice comes then."""
    session = new_session()
    port = SessionPort(session)
    debtor = person(session, 30)
    account = pin_deposit(session.world, debtor, 40_000)
    port.submit("icbc", freeze("A-1", debtor, account, 40_000, "C1", callback=False, term_days=10), ORIGIN)
    second = port.submit("icbc", freeze("B-1", debtor, account, 25_000, "C2", callback=False), ORIGIN)
    answers = port.collect(ORIGIN + LATENCY)
    lapse = answers[0].expires_at
    assert lapse == datetime(2026, 3, 13, tzinfo=CST)  # 10 days from 3 March, to 24:00 of the 12th
    assert port.next_due() == lapse
    (notice,) = port.collect(lapse)
    assert (notice.ticket_id, notice.notice, notice.answered_at) == (second.ticket_id, 1, lapse)
    assert notice.amount_controlled_cents == 25_000 and notice.expires_at == end_of_term(lapse)
    assert port.next_due() is None  # nothing waits any more: no wake-up at later expiries


def test_without_a_waiting_freeze_the_port_does_not_wake_at_expiries() -> None:
    session = new_session()
    port = SessionPort(session)
    debtor = person(session, 40)
    account = pin_deposit(session.world, debtor, 40_000)
    port.submit("icbc", freeze("A-1", debtor, account, 40_000, "C1", callback=False, term_days=10), ORIGIN)
    port.collect(ORIGIN + LATENCY)
    assert session.ledger.next_expiry() is not None and port.next_due() is None


# ── end to end: the court's engine and the agency's ledger reconcile ──────────────────────────────


def court_with_two_cases(deposit: int, first: int, second: int):
    court = build_virtual_court(ORIGIN, seed=5, clerk=False, world_size=500)
    debtor = person(court.session, 50)
    for agency in CATALOGUE.agencies:  # nothing anywhere but one deposit
        if Measure.QUERY in agency.operations and agency.code != "zdz":
            court.session.world.pin(debtor.id_number, agency.code, [])
    pin_deposit(court.session.world, debtor, deposit)
    for case_id, amount in (("K1", first), ("K2", second)):
        assert court.platform.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=amount),
                                   [debtor.subject()]).accepted
        court.platform.submit(c.Assign(case_id, "张法官"))
        court.platform.submit(c.VerifyIdentity(case_id, debtor.id_number, True))
    court.run_for(timedelta(hours=1))
    asset = next(a for (k, a) in court.platform.assets if k == "K1")
    assert ("K2", asset) in court.platform.assets
    court.platform.freeze("K1", asset, first)
    court.run_for(timedelta(hours=1))
    court.platform.freeze("K2", asset, second)
    court.run_for(timedelta(hours=1))
    return court, asset


def ledger_frozen(court):
    def frozen_at(agency: str, freeze_id: str) -> int:
        view = court.session.ledger.find_freeze(freeze_id)
        return view.controlled_cents if view is not None else 0

    return frozen_at


def close_completed(court, case_id: str) -> None:
    for ns in court.runtime.cases[case_id].frozen_nodes():
        court.platform.submit(c.RequestUnfreeze(case_id, ns.no, ns.instance, by="张法官"))
        assert court.platform.submit(c.ApproveUnfreeze(case_id, ns.no, ns.unfreeze_by[0], ns.instance)).accepted
    assert court.platform.submit(c.Close(case_id, "执行完毕", reviewed_by="审判管理办公室")).accepted


def test_closing_the_first_case_gives_the_second_its_queued_freeze_and_a_renewal() -> None:
    court, asset = court_with_two_cases(100_000_00, 100_000_00, 50_000_00)
    k2 = court.runtime.cases["K2"]
    assert k2.assets[asset].frozen_cents == 0  # queued: registered (freeze_queued), nothing controlled yet
    assert court.platform.reconcile("K2", ledger_frozen(court))["ok"]
    first_id = court.runtime.cases["K1"].assets[asset].freeze_id

    closed_at = court.clock.now() + timedelta(days=20)
    court.run_until(closed_at)
    close_completed(court, "K1")
    court.run_for(timedelta(hours=1))

    assert court.session.ledger.get_freeze(first_id).state is FreezeState.RELEASED
    money = k2.assets[asset]
    assert money.frozen_cents == 50_000_00 and not money.released
    view = court.session.ledger.get_freeze(money.freeze_id)
    assert view.state is FreezeState.ACTIVE and view.controlled_cents == 50_000_00
    assert money.expires_at == view.expires_at == end_of_term(closed_at)
    recon = court.platform.reconcile("K2", ledger_frozen(court))
    assert recon["ok"] and recon["frozen_cents"] == recon["agencies_frozen_cents"] == 50_000_00
    assert court.platform.reconcile("K1", ledger_frozen(court))["ok"]
    frozen = [e for e in court.runtime.case_events("K2") if e.kind == EventKind.FUNDS_FROZEN]
    assert [(e.data["amount_cents"], e.at) for e in frozen] == [(50_000_00, closed_at)]
    exchanges = [e.data["kind"] for e in court.runtime.case_events("K2") if e.kind == EventKind.EXCHANGE]
    assert exchanges.count("notice") == 1 and court.gateway.stats()["notices"] == 1

    # the renewal follows the term that began with the promotion (a year after it, not after the first answer)
    term = money.expires_at
    court.run_until(term - timedelta(days=1))
    renewed = [e for e in court.runtime.case_events("K2") if e.kind == EventKind.FREEZE_RENEWED]
    assert len(renewed) == 1 and renewed[0].data["previous"] == term
    assert term - timedelta(days=31) <= renewed[0].at < term
    assert court.session.ledger.get_freeze(money.freeze_id).expires_at == money.expires_at > term
    assert court.platform.reconcile("K2", ledger_frozen(court))["ok"]


def test_releasing_part_of_the_money_tops_up_the_second_case() -> None:
    """Deposit 80 000; K1 freezes 50 000, K2 asks 60 000 and gets 30 000; K1's release tops K2 up by 30 000."""
    court, asset = court_with_two_cases(80_000_00, 50_000_00, 60_000_00)
    k2 = court.runtime.cases["K2"]
    assert k2.assets[asset].frozen_cents == 30_000_00
    assert court.platform.reconcile("K2", ledger_frozen(court))["ok"]
    court.platform.release("K1", asset)
    court.run_for(timedelta(hours=1))
    assert k2.assets[asset].frozen_cents == 60_000_00
    recon = court.platform.reconcile("K2", ledger_frozen(court))
    assert recon["ok"] and recon["agencies_frozen_cents"] == 60_000_00
    amounts = [e.data["amount_cents"] for e in court.runtime.case_events("K2") if e.kind == EventKind.FUNDS_FROZEN]
    assert amounts == [30_000_00, 30_000_00]


# ── over HTTP: the scenario runner's port reads the notices the namespace journalled ─────────────


def test_the_http_port_hands_over_notices_once() -> None:
    with warnings.catch_warnings():  # this starlette warns about its own httpx-based client at import
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    app = create_app(Settings(profile="fast", background=False, world_size=200))
    client = AgenciesClient("http://testserver", "remote-notices")
    client.http.close()
    client.http = TestClient(app, base_url="http://testserver", headers={SESSION_HEADER: client.namespace})
    try:
        remote = RemoteSession(client, SessionConfig(seed=7, profile="fast", overrides=SLOW_CONTROL, time_scale=0.0,
                                                     origin=ORIGIN), lambda: ORIGIN)
        remote.create()
        session = app.state.sessions.get(client.namespace)
        port = HttpAgencyPort(client)
        debtor = person(session, 60)
        account = pin_deposit(session.world, debtor, 70_000)
        port.submit("icbc", freeze("A-1", debtor, account, 70_000, "C1", callback=False), ORIGIN)
        second = port.submit("icbc", freeze("B-1", debtor, account, 20_000, "C2", callback=False), ORIGIN)
        answers = port.collect(ORIGIN + LATENCY)
        assert [f.code for f in answers] == ["0000", CODE_QUEUED]
        t1 = ORIGIN + timedelta(days=1)
        port.submit("icbc", unfreeze("A-2", debtor, answers[0].freeze_id, "C1"), t1)
        got = port.collect(t1 + LATENCY)
        assert [(f.measure, f.notice) for f in got] == [(Measure.UNFREEZE, None), (Measure.FREEZE, 1)]
        notice = got[1]
        assert notice == session.tickets[second.ticket_id].notices[0]
        assert notice.amount_controlled_cents == 20_000 and notice.answered_at == t1 + LATENCY
        assert port.collect(t1 + timedelta(hours=1)) == []  # once
    finally:
        client.close()
