"""The gateway on virtual time: SimClock + SimulatedTransport + SessionPort over a real mock-agency Session.

Answers arrive at the virtual instants the behaviour profile says (no latency in ``fast``; registry poll
instants in business hours in ``realistic``); with 30 % of submits failing (5xx, 504, resets, 429) every
request is still answered exactly once and the ledger ends as it would without faults."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core_flow.clocks import SimClock
from core_flow.gateway import (
    Gateway,
    GatewayConfig,
    GatewayEvent,
    RequestState,
    RetryPolicy,
    SimulatedTransport,
)
from core_flow.gateway.transport import Outcome, SubmitResult
from core_flow.protocol import AssetKind, ControlRequest, Feedback, Holding, Measure, Ticket
from mock_agencies.catalogue import load_catalogue
from mock_agencies.clock import CST
from mock_agencies.namespaces import SessionManager
from mock_agencies.port import SessionPort
from mock_agencies.session import Session, SessionConfig
from mock_agencies.settings import Settings

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
NO_FAULTS = {"*": {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0, "rate_limit": 0}, "maintenance": []}}
FAULTS_30 = {"*": {"faults": {"error_5xx": 0.1, "timeout": 0.05, "reset": 0.05, "rate_limit": 0.1}}}
BANKS = ("icbc", "ccb", "abc", "boc")
CATALOGUE = load_catalogue()


@dataclass
class Sim:
    session: Session
    clock: SimClock
    port: SessionPort
    gateway: Gateway
    events: list[GatewayEvent] = field(default_factory=list)
    answers: list[tuple[datetime, Feedback]] = field(default_factory=list)  # (delivered at, answer)


def build(
    profile: str,
    overrides: dict[str, Any] | None = None,
    *,
    origin: datetime = MONDAY,
    seed: int = 3,
    network_delay: timedelta = timedelta(0),
    config: GatewayConfig | None = None,
) -> Sim:
    settings = Settings(world_size=2000, background=False, time_scale=0.0, profile=profile, origin=origin)
    manager = SessionManager(settings, CATALOGUE)
    session = manager.create(
        "sim",
        SessionConfig(seed=seed, profile=profile, overrides=overrides or {}, time_scale=0.0, origin=origin),
    )
    clock = SimClock(origin)
    port = SessionPort(session)
    sim = Sim(session, clock, port, None)  # type: ignore[arg-type]
    sim.gateway = Gateway(
        SimulatedTransport(port, clock, network_delay=network_delay),
        clock,
        config=config or GatewayConfig(retry=RetryPolicy(attempts=12, base=1, cap=120)),
        seed=seed,
        on_event=sim.events.append,
        on_answer=lambda fb: sim.answers.append((clock.now(), fb)),
    )
    return sim


def query(n: int, sim: Sim, debtor: int = 0) -> ControlRequest:
    subject = sim.session.world.debtor(debtor).subject()
    return ControlRequest(
        request_no=f"Q{n}",
        court_code="R410811",
        case_no="(2026)豫0811执1号",
        measure=Measure.QUERY,
        subject=subject,
    )


def pinned_freezes(sim: Sim, per_bank: int = 6) -> list[tuple[str, ControlRequest]]:
    """One debtor per bank with ``per_bank`` pinned accounts; one freeze per account (order-independent)."""
    out = []
    for b, bank in enumerate(BANKS):
        debtor = sim.session.world.debtor(10 + b)
        accounts = [f"PIN{b:02d}{i:04d}" for i in range(per_bank)]
        sim.session.world.pin(
            debtor.id_number,
            bank,
            [
                Holding(
                    account_no=a,
                    kind=AssetKind.DEPOSIT,
                    balance_cents=100_000 + i,
                    available_cents=100_000 + i,
                )
                for i, a in enumerate(accounts)
            ],
        )
        for i, account in enumerate(accounts):
            out.append(
                (
                    bank,
                    ControlRequest(
                        request_no=f"F-{bank}-{i}",
                        court_code="R410811",
                        case_no="(2026)豫0811执7号",
                        measure=Measure.FREEZE,
                        subject=debtor.subject(),
                        account_no=account,
                        amount_cents=60_000 + i,
                    ),
                )
            )
    return out


def test_fast_profile_answers_at_the_instant_of_submission() -> None:
    sim = build("fast")
    sent = [(bank, query(n, sim, debtor=n)) for n, bank in enumerate(BANKS * 5)]
    for bank, req in sent:
        sim.gateway.send(bank, req)
    sim.clock.run_until(MONDAY + timedelta(hours=1))
    assert sorted(fb.request_no for _, fb in sim.answers) == sorted(r.request_no for _, r in sent)
    for delivered, fb in sim.answers:
        assert fb.answered_at == MONDAY and delivered == MONDAY  # no latency in ``fast``
        assert fb.ok
    assert sim.gateway.pending == 0 and sim.port.outstanding == 0 and sim.port.next_due() is None


def test_network_delay_is_virtual_time() -> None:
    delay = timedelta(seconds=7)
    sim = build("fast", network_delay=delay)
    sim.gateway.send("icbc", query(1, sim))
    sim.clock.run_until(MONDAY + delay - timedelta(seconds=1))
    assert not sim.answers and sim.gateway.state_of("icbc", "Q1") is RequestState.IN_FLIGHT
    sim.clock.run_until(MONDAY + delay)
    ((delivered, fb),) = sim.answers
    assert fb.answered_at == delivered == MONDAY + delay


def test_realistic_answers_come_when_the_profile_says() -> None:
    friday_evening = datetime(2026, 3, 6, 17, 50, tzinfo=CST)
    sim = build("realistic", NO_FAULTS, origin=friday_evening)
    for n in range(6):
        sim.gateway.send("real_estate_registry", query(n, sim, debtor=n))
        sim.gateway.send("icbc", query(100 + n, sim, debtor=n))
    sim.clock.run_until(friday_evening + timedelta(hours=1))
    assert not any(fb.agency == "real_estate_registry" for _, fb in sim.answers)  # registry closed at 18:00
    sim.clock.run_until(friday_evening + timedelta(days=10))
    assert len(sim.answers) == 12 and sim.gateway.pending == 0
    for delivered, fb in sim.answers:
        assert delivered == fb.answered_at  # collected at the very instant the agency answered
        if fb.agency == "real_estate_registry":  # LAW.md: polled every 20 minutes, 08:00-17:59, Mon-Fri
            assert fb.answered_at >= datetime(2026, 3, 9, 8, 0, tzinfo=CST)
            assert fb.answered_at.isoweekday() <= 5 and 8 <= fb.answered_at.hour < 18
            assert fb.answered_at.minute % 20 == 0 and fb.answered_at.second == 0
        else:  # bank queries: 10 minutes to a day
            assert (
                friday_evening + timedelta(minutes=10) <= fb.answered_at <= friday_evening + timedelta(days=1)
            )


def run_freezes(overrides: dict[str, Any]) -> tuple[Sim, list[tuple[str, ControlRequest]]]:
    sim = build("realistic", {**overrides}, seed=11)
    work = pinned_freezes(sim) + [("icbc", query(n, sim, debtor=n)) for n in range(10)]
    for bank, req in work:
        sim.gateway.send(bank, req)
    sim.clock.run_until(MONDAY + timedelta(days=10))
    return sim, work


def ledger_view(sim: Sim) -> dict[tuple[str, str], tuple[int, int]]:
    view = {}
    for b, bank in enumerate(BANKS):
        debtor = sim.session.world.debtor(10 + b)
        for h in sim.session.ledger.holdings(bank, debtor.id_number, sim.session.now()):
            view[(bank, h.account_no)] = (h.balance_cents, h.available_cents)
    return view


def test_thirty_percent_faults_every_request_answered_once_and_ledger_unchanged() -> None:
    clean, work = run_freezes(NO_FAULTS)
    faulty, _ = run_freezes(FAULTS_30)
    assert clean.port.faults == 0 and faulty.port.faults >= 10  # faults really were drawn
    stats = faulty.gateway.stats()
    assert stats["retries"] >= faulty.port.faults and stats.get("gave_up", 0) == 0 and not stats["failed"]
    expected = sorted(r.request_no for _, r in work)
    for sim in (clean, faulty):
        delivered = Counter(fb.request_no for _, fb in sim.answers)
        assert sorted(delivered) == expected and set(delivered.values()) == {1}  # each exactly once
        assert all(fb.ok for _, fb in sim.answers)
        for bank, req in work:
            if req.measure is Measure.FREEZE:  # frozen once, however many attempts it took
                assert len(sim.session.ledger.freezes_of(bank, req.account_no)) == 1
    assert ledger_view(faulty) == ledger_view(clean)
    assert faulty.session.ledger.total_cents() == clean.session.ledger.total_cents()
    outcomes = Counter(e["outcome"] for e in faulty.session.journal.entries(kind="submit"))
    assert outcomes["accepted"] == len(work) and outcomes["duplicate"] == 0  # each request acted on once
    assert sum(n for o, n in outcomes.items() if o.startswith("fault:")) == faulty.port.faults


def test_the_same_seed_gives_the_same_run() -> None:
    def trace() -> list[tuple[Any, ...]]:
        sim, _ = run_freezes(FAULTS_30)
        return [(e.at, e.kind, e.agency, e.request_no, e.attempt, e.ticket_id) for e in sim.events]

    first = trace()
    assert first == trace()
    assert {"retry_scheduled", "accepted", "answer"} <= {kind for _, kind, *_ in first}


def test_port_repeats_an_answered_request_and_rejects_bad_ones() -> None:
    sim = build("fast")
    port = sim.port
    req = query(1, sim)
    ticket = port.submit("icbc", req, MONDAY)
    assert isinstance(ticket, Ticket) and not ticket.duplicate
    (fb,) = port.collect(MONDAY)
    assert port.collect(MONDAY) == []  # collected once
    again = port.submit("icbc", req, MONDAY + timedelta(minutes=1))
    assert isinstance(again, Ticket) and again.duplicate and again.ticket_id == ticket.ticket_id
    assert port.collect(MONDAY + timedelta(minutes=1)) == [fb]  # the answer again, for a repeated request
    unknown = port.submit("no_such_bank", req, MONDAY + timedelta(minutes=1))
    assert isinstance(unknown, SubmitResult) and unknown.outcome is Outcome.REJECTED and unknown.status == 404
    assert unknown.error is not None and unknown.error["zh"] and unknown.error["en"]
    # through the gateway: a 4xx-like rejection is final, not retried
    sim.gateway.send("no_such_bank", query(2, sim))
    sim.clock.run_until(MONDAY + timedelta(hours=1))
    assert sim.gateway.state_of("no_such_bank", "Q2") is RequestState.REJECTED
    assert [e.kind for e in sim.events if e.request_no == "Q2"] == ["sent", "rejected"]
