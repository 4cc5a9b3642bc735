"""轮候 across courts: a deposit one court froze whole is still reported to another court's 集约查询 (balance,
available 0, the measures on it), that court registers a queued freeze, and when the first court releases or
deducts, the queued freeze takes effect at the bank and the later court's case learns of it at that very instant;
cases and the bank's ledger reconcile to the cent.

Two (or three) courts — each its own engine, platform and gateway, each its own court code — on ONE agencies
session and ONE clock: in-process (simulated transport, SimClock), and over real HTTP (a uvicorn mock agencies
server on loopback, each court with its own HTTP gateway and callback receiver, the same SimClock stepped from
one instant to the next by the test). Virtual time only: nothing here sleeps."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from core_flow.agency_directory import AgencyDirectory
from core_flow.clocks import SimClock
from core_flow.engine import Engine, EventKind
from core_flow.engine import commands as c
from core_flow.gateway import Gateway, GatewayConfig, HttpTransport, RetryPolicy, create_receiver_app
from core_flow.legal_calendar import CST, HolidayCalendar, LegalCalendar
from core_flow.platform import DEFAULT_COURT, Court, Platform
from core_flow.process_loader import default_process
from core_flow.protocol import HUB, AssetKind, ControlRequest, FreezeState, Holding, Measure, Subject
from core_flow.runtime import Runtime
from mock_agencies.accounts_port import SessionAccounts
from mock_agencies.app import create_app
from mock_agencies.catalogue import load_catalogue
from mock_agencies.port import SessionPort
from mock_agencies.session import Session
from mock_agencies.settings import Settings
from mock_agencies.world import Debtor, account_number
from scenarios.remote import SESSION_HEADER
from sim.assembly import VirtualCourt, build_virtual_court
from sim.live import HOST, _serve, free_port

ORIGIN = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # Monday
CONTROL = timedelta(seconds=60)  # every freeze, renewal and unfreeze is carried out a minute after its submit
DEDUCT = timedelta(hours=2)  # a deduction settles two hours after its submit
LATENCY = {"*": {"latency": {"query": {"dist": "fixed", "min_seconds": 600},
                             "control": {"dist": "fixed", "min_seconds": 60},
                             "deduct": {"dist": "fixed", "min_seconds": 7200}}}}
CATALOGUE = load_catalogue()
COURT_A = DEFAULT_COURT  # R410811 焦作市山阳区人民法院
COURT_B = Court("R410802", "焦作市解放区人民法院", "410802", "焦作市中级人民法院", "河南省高级人民法院")
COURT_C = Court("R410803", "焦作市中站区人民法院", "410803", "焦作市中级人民法院", "河南省高级人民法院")
DEPOSIT = 100_000_00


# ── helpers ────────────────────────────────────────────────────────────────────────────────────────


def person(session: Session, index: int = 0) -> Debtor:
    while (d := session.world.debtor(index)).kind != "person":
        index += 1
    return d


def only_a_deposit(world, debtor: Debtor, cents: int) -> str:
    """The debtor holds nothing anywhere but one deposit at 工商银行."""
    for agency in CATALOGUE.agencies:
        if Measure.QUERY in agency.operations and agency.code != HUB:
            world.pin(debtor.id_number, agency.code, [])
    number = account_number("icbc", AssetKind.DEPOSIT, debtor.id_number, 1)
    world.pin(debtor.id_number, "icbc", [Holding(account_no=number, kind=AssetKind.DEPOSIT, balance_cents=cents,
                                                 available_cents=cents)])
    return number


def courts(n: int = 2, *, inquiry_via: str = "hub") -> list[VirtualCourt]:
    """``n`` courts on one agencies session and one SimClock."""
    first = build_virtual_court(ORIGIN, seed=5, clerk=False, world_size=500, overrides=LATENCY)
    out = [first]
    for court, seed in ((COURT_B, 6), (COURT_C, 7))[: n - 1]:
        out.append(build_virtual_court(ORIGIN, seed=seed, clerk=False, court=court, session=first.session,
                                       clock=first.clock))
    for vc in out:
        vc.platform.inquiry_via = inquiry_via
    return out


def file_case(vc: VirtualCourt, case_id: str, debtor: Debtor, amount: int) -> None:
    p = vc.platform
    assert p.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=amount), [debtor.subject()]).accepted
    assert p.submit(c.Assign(case_id, "张法官")).accepted
    assert p.submit(c.VerifyIdentity(case_id, debtor.id_number, True)).accepted  # → 集约查询


def run(vc: VirtualCourt, delta: timedelta) -> None:
    vc.run_for(delta)  # one clock: every court's timers fire


def events(vc: VirtualCourt, case_id: str, kind: EventKind) -> list:
    return [e for e in vc.runtime.case_events(case_id) if e.kind == kind]


def ledger_reader(session: Session) -> Callable[[str, str], int]:
    """What the bank holds for a freeze: controlled, plus deductions still pending (the case counts them frozen
    until they are confirmed)."""

    def held(agency: str, freeze_id: str) -> int:
        view = session.ledger.find_freeze(freeze_id)
        return 0 if view is None else view.controlled_cents + view.pending_deduction_cents

    return held


def ledger_instants(session: Session, kind: str, freeze_id: str) -> list[datetime]:
    """The instants at which the bank's ledger recorded ``kind`` for a freeze (from the session's journal)."""
    return [datetime.fromisoformat(e["at"]) for e in session.journal.entries(kind="ledger")
            if e["event"]["kind"] == kind and e["event"]["freeze_id"] == freeze_id]


def assert_reconciled(vc: VirtualCourt, case_id: str, frozen: int) -> None:
    report = vc.platform.reconcile(case_id, ledger_reader(vc.session))
    assert report["ok"], report
    assert report["frozen_cents"] == report["agencies_frozen_cents"] == frozen, report


def a_froze_everything(a: VirtualCourt, b: VirtualCourt, b_amount: int = 50_000_00) -> tuple[Debtor, str, str]:
    """Court A files, finds the deposit and freezes all of it; then court B files against the same debtor.
    Returns (debtor, account, asset)."""
    debtor = person(a.session, 50)
    account = only_a_deposit(a.session.world, debtor, DEPOSIT)
    file_case(a, "KA", debtor, 150_000_00)
    run(a, timedelta(hours=1))
    asset = f"icbc:{account}"
    assert ("KA", asset) in a.platform.assets
    a.platform.freeze("KA", asset, DEPOSIT)
    run(a, timedelta(hours=1))
    assert a.runtime.cases["KA"].assets[asset].frozen_cents == DEPOSIT
    file_case(b, "KB", debtor, b_amount)
    run(b, timedelta(hours=1))
    return debtor, account, asset


# ── the agencies report a fully frozen account, directly and through 总对总 ─────────────────────────


@pytest.mark.parametrize("via", ["hub", "direct"])
def test_a_fully_frozen_account_is_reported_with_its_measures(via: str) -> None:
    a, b = courts(inquiry_via=via)
    debtor, account, asset = a_froze_everything(a, b)
    (holding,) = b.platform.holdings[("KB", debtor.id_number, "icbc")]
    assert (holding.account_no, holding.balance_cents, holding.available_cents) == (account, DEPOSIT, 0)
    (measure,) = holding.existing_freezes
    a_freeze = a.runtime.cases["KA"].assets[asset].freeze_id
    assert (measure.freeze_id, measure.court_code, measure.case_no, measure.amount_cents, measure.state) == (
        a_freeze, COURT_A.code, "KA", DEPOSIT, FreezeState.ACTIVE)
    assert measure.queue_position is None and measure.expires_at is not None
    # property found: an asset of B's case, online controllable, with nothing available; node 17 runs for it
    assert b.platform.assets[("KB", asset)][1] == holding and holding.online_controllable
    (answered,) = events(b, "KB", EventKind.INQUIRY_ANSWERED)
    assert (answered.data["agency"], answered.data["holdings"], answered.data["amount_cents"]) == ("icbc", 1, 0)
    (anchor,) = [e for e in b.runtime.case_events("KB") if e.kind == EventKind.ANCHOR and e.instance == asset]
    assert anchor.data["anchor"] == "property_found_online" and anchor.data["amount_cents"] == 0
    (control,) = [e for e in events(b, "KB", EventKind.DEADLINE_SET) if e.node == 17 and e.instance == asset]
    assert control.item == "online" and control.data["period"] == "48h"
    assert events(b, "KB", EventKind.INQUIRY_COMPLETED)


def test_a_balance_held_only_by_the_case_itself_is_not_found_again() -> None:
    """After its own freeze, A's manual query sees the account with nothing available: nothing new for A; B's
    query (another court's measure holds the money) finds it."""
    a, b = courts()
    debtor, _, asset = a_froze_everything(a, b)
    assert a.platform.manual_query("KA", debtor.id_number, "icbc").accepted
    assert b.platform.manual_query("KB", debtor.id_number, "icbc").accepted
    run(a, timedelta(hours=1))
    assert a.platform.holdings[("KA", debtor.id_number, "icbc")] == ()
    (found,) = b.platform.holdings[("KB", debtor.id_number, "icbc")]
    assert found.available_cents == 0 and found.existing_freezes[0].court_code == COURT_A.code


# ── the queued freeze takes effect: the later court learns at that instant ─────────────────────────


def b_queues(a: VirtualCourt, b: VirtualCourt, amount: int = 50_000_00) -> tuple[Debtor, str, str, list]:
    """A froze the whole deposit; B's freeze is registered in the 轮候 queue. Returns (debtor, asset, B's freeze,
    B's platform notices)."""
    seen: list[tuple[str, dict]] = []
    b.platform.listeners.append(lambda kind, data: seen.append((kind, data)))
    debtor, _, asset = a_froze_everything(a, b, amount)
    b.platform.freeze("KB", asset, amount)
    run(b, timedelta(hours=1))
    (answer,) = [d for k, d in seen if k == "freeze_answered"]
    assert answer["controlled"] == 0 and answer["queue_position"] == 1 and answer["ok"]
    assert b.runtime.cases["KB"].assets[asset].frozen_cents == 0  # registered in the queue, nothing controlled yet
    (queued,) = [v for v in a.session.ledger.freezes_of("icbc", asset.split(":")[1]) if v.court_code == COURT_B.code]
    assert (queued.state, queued.queue_position, queued.controlled_cents, queued.case_no) == (
        FreezeState.QUEUED, 1, 0, "KB")
    assert_reconciled(b, "KB", 0)
    return debtor, asset, queued.freeze_id, seen


def test_released_first_freeze_gives_the_later_court_its_queued_freeze_at_that_instant() -> None:
    a, b = courts()
    debtor, asset, b_freeze, seen = b_queues(a, b)
    a_freeze = a.runtime.cases["KA"].assets[asset].freeze_id

    t = ORIGIN + timedelta(days=5, hours=1)  # five days on, court A releases (its debtor paid, say)
    a.run_until(t)
    a.platform.release("KA", asset)
    run(a, timedelta(hours=1))

    released_at = t + CONTROL  # the bank carries out the unfreeze a minute after it arrives
    assert ledger_instants(a.session, "released", a_freeze) == [released_at]
    assert ledger_instants(a.session, "promoted", b_freeze) == [released_at]
    (a_released,) = events(a, "KA", EventKind.FREEZE_RELEASED)
    (b_frozen,) = events(b, "KB", EventKind.FUNDS_FROZEN)
    assert a_released.at == b_frozen.at == released_at
    assert (b_frozen.instance, b_frozen.data["amount_cents"], b_frozen.data["freeze_id"]) == (
        asset, 50_000_00, b_freeze)
    view = b.session.ledger.get_freeze(b_freeze)
    assert view.state is FreezeState.ACTIVE and view.controlled_cents == 50_000_00 and view.effective_at == released_at
    # its term runs from the day it took effect; the renewal is planned on that term
    assert b.runtime.cases["KB"].assets[asset].expires_at == view.expires_at == datetime(2027, 3, 8, tzinfo=CST)
    exchanges = [e.data["kind"] for e in b.runtime.case_events("KB") if e.kind == EventKind.EXCHANGE]
    assert exchanges.count("notice") == 1 and b.gateway.stats()["notices"] == 1
    assert a.gateway.stats().get("notices", 0) == 0  # B's notice is B's: A's gateway never saw it
    assert [(d["controlled"], d["notice"]) for k, d in seen if k == "freeze_answered"] == [(0, None), (50_000_00, 1)]
    assert_reconciled(a, "KA", 0)
    assert_reconciled(b, "KB", 50_000_00)
    (holding,) = b.session.ledger.holdings("icbc", debtor.id_number, released_at)
    assert holding.available_cents == DEPOSIT - 50_000_00
    assert [(m.court_code, m.amount_cents) for m in holding.existing_freezes] == [(COURT_B.code, 50_000_00)]


def test_a_deduction_followed_by_release_gives_the_rest_to_the_queued_court_when_it_settles() -> None:
    """A deducts 30 000 and releases the rest; the bank holds the release until the deduction settles (two hours
    later), and at that instant B's queued freeze takes the 70 000 left (it asked for 80 000)."""
    a, b = courts()
    _, asset, b_freeze, _ = b_queues(a, b, 80_000_00)
    a_freeze = a.runtime.cases["KA"].assets[asset].freeze_id

    t = ORIGIN + timedelta(days=9, hours=2)
    a.run_until(t)
    for ns in a.runtime.cases["KA"].frozen_nodes():  # 9 days after the freeze node 31 (7 days) froze: unfreeze it
        a.platform.submit(c.RequestUnfreeze("KA", ns.no, ns.instance, by="张法官"))
        assert a.platform.submit(c.ApproveUnfreeze("KA", ns.no, ns.unfreeze_by[0], ns.instance)).accepted
    a.platform.deduct("KA", asset, 30_000_00)
    a.platform.release("KA", asset)
    run(a, timedelta(hours=1))
    assert ledger_instants(a.session, "unfreeze_held", a_freeze) == [t + CONTROL]
    assert not events(b, "KB", EventKind.FUNDS_FROZEN)  # the money is still A's until the deduction settles
    assert_reconciled(a, "KA", DEPOSIT)
    run(a, timedelta(hours=3))

    settled_at = t + DEDUCT
    assert ledger_instants(a.session, "deduction_settled", a_freeze) == [settled_at]
    assert ledger_instants(a.session, "released", a_freeze) == [settled_at]
    (arrived,) = events(a, "KA", EventKind.FUNDS_ARRIVED)
    (b_frozen,) = events(b, "KB", EventKind.FUNDS_FROZEN)
    assert arrived.at == b_frozen.at == settled_at
    assert (b_frozen.data["amount_cents"], b_frozen.data["freeze_id"]) == (70_000_00, b_freeze)
    (a_released,) = events(a, "KA", EventKind.FREEZE_RELEASED)
    assert a_released.at >= settled_at and a_released.data["released_cents"] == 70_000_00
    view = b.session.ledger.get_freeze(b_freeze)
    assert (view.state, view.controlled_cents, view.shortfall_cents, view.queue_position) == (
        FreezeState.ACTIVE, 70_000_00, 10_000_00, 1)
    assert_reconciled(a, "KA", 0)
    assert_reconciled(b, "KB", 70_000_00)
    report = a.platform.reconcile("KA")
    assert report["court_account_cents"] == report["account_cents"] == 30_000_00


def test_two_queued_courts_take_effect_in_queue_order() -> None:
    """Deposit 100 000, all frozen by A; B queues 80 000, then C 50 000. A's release gives B its 80 000 and C the
    20 000 left (in the order the measures were registered); B's release later tops C up by 30 000."""
    a, b, c3 = courts(3)
    debtor, _, asset = a_froze_everything(a, b, 80_000_00)
    file_case(c3, "KC", debtor, 50_000_00)
    run(c3, timedelta(hours=1))
    b.platform.freeze("KB", asset, 80_000_00)
    run(b, timedelta(hours=1))
    c3.platform.freeze("KC", asset, 50_000_00)
    run(c3, timedelta(hours=1))
    # C's inquiry saw A's measure; its freeze answer names both earlier measures, B's waiting first
    (held,) = c3.platform.holdings[("KC", debtor.id_number, "icbc")]
    assert [(m.court_code, m.state) for m in held.existing_freezes] == [(COURT_A.code, FreezeState.ACTIVE)]
    views = {v.court_code: v for v in a.session.ledger.freezes_of("icbc", asset.split(":")[1])}
    assert (views[COURT_B.code].queue_position, views[COURT_C.code].queue_position) == (1, 2)
    # asked again, the bank reports every measure: which court and case, the money held or waited for, the queue
    assert c3.platform.manual_query("KC", debtor.id_number, "icbc").accepted
    run(c3, timedelta(hours=1))
    (again,) = c3.platform.holdings[("KC", debtor.id_number, "icbc")]
    assert again.available_cents == 0 and [
        (m.court_code, m.case_no, m.state, m.amount_cents, m.queue_position) for m in again.existing_freezes] == [
        (COURT_A.code, "KA", FreezeState.ACTIVE, DEPOSIT, None),
        (COURT_B.code, "KB", FreezeState.QUEUED, 80_000_00, 1),
        (COURT_C.code, "KC", FreezeState.QUEUED, 50_000_00, 2)]

    t1 = ORIGIN + timedelta(days=3, hours=1)
    a.run_until(t1)
    a.platform.release("KA", asset)
    t2 = ORIGIN + timedelta(days=20, hours=1)
    a.run_until(t2)
    b.platform.release("KB", asset)
    run(a, timedelta(hours=1))

    b_frozen = [(e.data["amount_cents"], e.at) for e in events(b, "KB", EventKind.FUNDS_FROZEN)]
    c_frozen = [(e.data["amount_cents"], e.at) for e in events(c3, "KC", EventKind.FUNDS_FROZEN)]
    assert b_frozen == [(80_000_00, t1 + CONTROL)]
    assert c_frozen == [(20_000_00, t1 + CONTROL), (30_000_00, t2 + CONTROL)]
    assert [e.data["frozen_cents"] for e in events(c3, "KC", EventKind.FUNDS_FROZEN)] == [20_000_00, 50_000_00]
    assert_reconciled(a, "KA", 0)
    assert_reconciled(b, "KB", 0)
    assert_reconciled(c3, "KC", 50_000_00)
    assert [vc.gateway.stats().get("notices", 0) for vc in (a, b, c3)] == [0, 1, 2]


# ── the in-process port: each court's port takes its own notices, and is woken for them ──────────


def test_ports_on_one_session_take_only_their_own_notices_and_wake_for_them() -> None:
    from sim.assembly import virtual_spec
    from sim.counterparts import InProcess

    # the ports are driven at their own instants here, with no court: the agencies keep their own time
    session = InProcess(virtual_spec(ORIGIN, seed=5, clerk=False, world_size=500, overrides=LATENCY)).session
    debtor = person(session, 70)
    account = only_a_deposit(session.world, debtor, 40_000)
    port_a, port_b = SessionPort(session), SessionPort(session)
    woken: list[str] = []
    port_a.wake, port_b.wake = (lambda: woken.append("A")), (lambda: woken.append("B"))

    def freeze(no: str, court: str, cents: int) -> ControlRequest:
        return ControlRequest(request_no=no, court_code=court, case_no=f"{court}-1", measure=Measure.FREEZE,
                              subject=debtor.subject(), account_no=account, amount_cents=cents)

    port_a.submit("icbc", freeze("A-1", "C1", 40_000), ORIGIN)
    second = port_b.submit("icbc", freeze("B-1", "C2", 25_000), ORIGIN)
    (first,) = port_a.collect(ORIGIN + CONTROL)
    (queued,) = port_b.collect(ORIGIN + CONTROL)
    assert queued.amount_controlled_cents == 0 and queued.queue_position == 1
    assert port_b.next_due() == first.expires_at  # B waits: A's lapse would promote it
    assert port_a.next_due() is None  # A waits for nothing

    t = ORIGIN + timedelta(days=2)
    port_a.submit("icbc", ControlRequest(request_no="A-2", court_code="C1", case_no="C1-1",
                                         measure=Measure.UNFREEZE, subject=debtor.subject(),
                                         freeze_id=first.freeze_id), t)
    assert woken == []
    assert [f.measure for f in port_a.collect(t + CONTROL)] == [Measure.UNFREEZE]  # not B's notice
    assert woken == ["B"]  # made during A's collect: B's transport is told at once
    assert port_b.next_due() == t + CONTROL
    (notice,) = port_b.collect(t + CONTROL)
    assert (notice.ticket_id, notice.notice, notice.amount_controlled_cents, notice.answered_at) == (
        second.ticket_id, 1, 25_000, t + CONTROL)
    assert port_b.collect(t + timedelta(days=1)) == [] and port_b.next_due() is None


# ── over real HTTP: one mock agencies server, each court its own HTTP gateway and callback receiver ──


@dataclass
class HttpCourt:
    court: Court
    runtime: Runtime
    gateway: Gateway
    platform: Platform
    transport: HttpTransport


class Agencies:
    """The namespace of the mock agencies server that the courts share, read and moved through its admin API."""

    def __init__(self, http: httpx.AsyncClient, namespace: str) -> None:
        self.http = http
        self.admin = f"/admin/sessions/{namespace}"

    async def call(self, method: str, path: str, **kwargs) -> dict:
        response = await self.http.request(method, self.admin + path, **kwargs)
        assert response.status_code < 400, response.text
        return response.json()

    async def person(self, index: int) -> dict:
        while (d := await self.call("GET", f"/debtors/{index}"))["kind"] != "person":
            index += 1
        return d

    async def only_a_deposit(self, id_number: str, cents: int) -> str:
        number = account_number("icbc", AssetKind.DEPOSIT, id_number, 1)
        pins = [{"agency": a.code, "id_number": id_number, "holdings": []} for a in CATALOGUE.agencies
                if Measure.QUERY in a.operations and a.code != HUB]
        pins.append({"agency": "icbc", "id_number": id_number, "holdings": [Holding(
            account_no=number, kind=AssetKind.DEPOSIT, balance_cents=cents, available_cents=cents).model_dump(
            mode="json")]})
        await self.call("POST", "/pins/batch", json={"pins": pins})
        return number

    async def freeze(self, freeze_id: str) -> dict:
        return await self.call("GET", f"/freezes/{freeze_id}")

    async def ledger_instants(self, kind: str, freeze_id: str) -> list[datetime]:
        entries = (await self.call("GET", "/journal", params={"kind": "ledger"}))["entries"]
        return [datetime.fromisoformat(e["at"]) for e in entries
                if e["event"]["kind"] == kind and e["event"]["freeze_id"] == freeze_id]

    async def reader(self, *courts: HttpCourt) -> Callable[[str, str], int]:
        """``reconcile``'s reader: what the bank holds for each freeze of the courts' cases, fetched over HTTP."""
        held = {}
        for hc in courts:
            for state in hc.runtime.cases.values():
                for money in state.assets.values():
                    view = await self.freeze(money.freeze_id)
                    held[money.freeze_id] = view["controlled_cents"] + view["pending_deduction_cents"]
        return lambda agency, freeze_id: held[freeze_id]


class Stepper:
    """Steps the courts' one SimClock from instant to instant — the next court timer or the next thing due at the
    agencies (``GET …/clock``), whichever is first — and at each instant lets everything happen before moving on:
    the courts' HTTP calls finish, the agencies' namespace is moved to the instant (``POST …/advance``: the answers
    and notices due are made and called back to the receivers, which hand them to the gateways), and the platforms'
    reactions run — until nothing more happens at that instant."""

    def __init__(self, clock: SimClock, agencies: Agencies, courts: list[HttpCourt]) -> None:
        self.clock = clock
        self.agencies = agencies
        self.courts = courts
        self.steps = 0

    def _timers_now(self) -> bool:
        return self.clock.env.peek() <= self.clock.env.now

    async def settle(self) -> None:
        for _ in range(200):
            busy = False
            for hc in self.courts:
                if hc.transport.in_flight:
                    busy = True
                    await hc.transport.drain()
            moved = await self.agencies.call("POST", "/advance", json={"to": self.clock.now().isoformat()})
            busy = busy or bool(moved["answered"] or moved["callback_attempts"])
            if self._timers_now():
                busy = True
                self.clock.run_until(self.clock.now())
            if not busy:
                return
        raise AssertionError(f"no end to what happens at {self.clock.now()}")

    async def run_until(self, target: datetime) -> None:
        with warnings.catch_warnings():  # dates beyond the holiday data are flagged on their events
            warnings.simplefilter("ignore")
            await self.settle()
            while True:
                due = (await self.agencies.call("GET", "/clock"))["next_due"]
                court = self.clock.env.peek()
                candidates = [t for t in (datetime.fromisoformat(due) if due else None,
                                          None if court == float("inf") else self.clock.origin + timedelta(
                                              seconds=court)) if t is not None]
                nxt = min(candidates, default=None)
                if nxt is None or nxt > target:
                    break
                assert nxt > self.clock.now(), (nxt, self.clock.now())  # settled: nothing is left at this instant
                self.steps += 1
                self.clock.run_until(nxt)
                await self.settle()
            self.clock.run_until(target)
            await self.settle()

    async def run_for(self, delta: timedelta) -> None:
        await self.run_until(self.clock.now() + delta)


@asynccontextmanager
async def http_courts(n: int = 2) -> AsyncIterator[tuple[Agencies, Stepper, list[HttpCourt]]]:
    port = free_port()
    app = create_app(Settings(host=HOST, port=port, seed=5, profile="fast", time_scale=0.0, origin=ORIGIN,
                              world_size=500, background=False, journal_size=10_000))
    servers = [await _serve(app, port)]
    base = f"http://{HOST}:{port}"
    namespace = "two-courts"
    admin = httpx.AsyncClient(base_url=base, timeout=10.0, trust_env=False)
    clients = [admin]
    try:
        agencies = Agencies(admin, namespace)
        response = await admin.put(f"/admin/sessions/{namespace}", json={
            "seed": 5, "profile": "fast", "overrides": LATENCY, "time_scale": 0.0, "origin": ORIGIN.isoformat()})
        assert response.status_code < 400, response.text
        session = app.state.sessions.get(namespace)  # the courts' 一案一账号 (the court's own system, in-process)
        directory = AgencyDirectory.from_json((await admin.get("/agencies")).json())
        clock = SimClock(ORIGIN)
        courts = []
        for court, seed in ((COURT_A, 5), (COURT_B, 6), (COURT_C, 7))[:n]:
            receiver_port = free_port()
            client = httpx.AsyncClient(base_url=base, timeout=10.0, trust_env=False)
            clients.append(client)
            transport = HttpTransport(client, headers={SESSION_HEADER: namespace}, timeout=10.0)
            gateway = Gateway(transport, clock, seed=seed, config=GatewayConfig(
                retry=RetryPolicy(attempts=12, base=1, cap=300),
                callback_url=f"http://{HOST}:{receiver_port}/callbacks/feedback"))
            runtime = Runtime(Engine(default_process(), LegalCalendar(HolidayCalendar(strict=False))), clock,
                              keep_events=True)
            platform = Platform(runtime, gateway, directory, court=court, accounts=SessionAccounts(session))
            servers.append(await _serve(create_receiver_app(gateway), receiver_port))
            courts.append(HttpCourt(court, runtime, gateway, platform, transport))
        yield agencies, Stepper(clock, agencies, courts), courts
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, task in servers:
            await asyncio.wait_for(task, timeout=5)
        for client in clients:
            await client.aclose()


def http_events(hc: HttpCourt, case_id: str, kind: EventKind) -> list:
    return [e for e in hc.runtime.case_events(case_id) if e.kind == kind]


async def http_a_froze_everything(agencies: Agencies, stepper: Stepper, a: HttpCourt, b: HttpCourt,
                                  b_amount: int) -> tuple[dict, str]:
    debtor = await agencies.person(50)
    subject = Subject(kind=debtor["kind"], name=debtor["name"], id_number=debtor["id_number"])
    account = await agencies.only_a_deposit(subject.id_number, DEPOSIT)
    asset = f"icbc:{account}"
    for hc, case_id, amount in ((a, "KA", 150_000_00), (b, "KB", b_amount)):
        p = hc.platform
        assert p.file(c.FileCase(case_id, debtors=(subject.id_number,), amount_cents=amount), [subject]).accepted
        assert p.submit(c.Assign(case_id, "张法官")).accepted
        assert p.submit(c.VerifyIdentity(case_id, subject.id_number, True)).accepted
        await stepper.run_for(timedelta(hours=1))
        if hc is a:
            a.platform.freeze("KA", asset, DEPOSIT)
            await stepper.run_for(timedelta(hours=1))
            assert a.runtime.cases["KA"].assets[asset].frozen_cents == DEPOSIT
    return debtor, asset


@pytest.mark.parametrize("path", ["release", "deduct"])
async def test_over_http_the_later_court_learns_at_the_banks_instant(path: str) -> None:
    async with http_courts() as (agencies, stepper, (a, b)):
        debtor, asset = await http_a_froze_everything(agencies, stepper, a, b, 80_000_00)
        # B's 集约查询 (through 总对总, answered by callback) reported the account: available 0, A's measure on it
        (holding,) = b.platform.holdings[("KB", debtor["id_number"], "icbc")]
        a_freeze = a.runtime.cases["KA"].assets[asset].freeze_id
        assert (holding.balance_cents, holding.available_cents) == (DEPOSIT, 0)
        assert [(m.freeze_id, m.court_code, m.case_no, m.amount_cents) for m in holding.existing_freezes] == [
            (a_freeze, COURT_A.code, "KA", DEPOSIT)]
        b.platform.freeze("KB", asset, 80_000_00)
        await stepper.run_for(timedelta(hours=1))
        assert b.runtime.cases["KB"].assets[asset].frozen_cents == 0  # queued: nothing controlled yet
        b_freeze = next(f for f in (await agencies.call("GET", "/journal", params={"kind": "ledger"}))["entries"]
                        if f["event"]["kind"] == "queued")["event"]["freeze_id"]
        assert (await agencies.freeze(b_freeze))["queue_position"] == 1

        t = ORIGIN + timedelta(days=5, hours=1)
        await stepper.run_until(t)
        if path == "deduct":
            a.platform.deduct("KA", asset, 30_000_00)
        a.platform.release("KA", asset)
        await stepper.run_for(timedelta(hours=4))

        effective = t + (DEDUCT if path == "deduct" else CONTROL)  # the release waits for the deduction to settle
        assert await agencies.ledger_instants("released", a_freeze) == [effective]
        assert await agencies.ledger_instants("promoted", b_freeze) == [effective]
        (b_frozen,) = http_events(b, "KB", EventKind.FUNDS_FROZEN)
        got = 70_000_00 if path == "deduct" else 80_000_00
        assert (b_frozen.at, b_frozen.instance, b_frozen.data["amount_cents"], b_frozen.data["freeze_id"]) == (
            effective, asset, got, b_freeze)
        (a_released,) = http_events(a, "KA", EventKind.FREEZE_RELEASED)
        if path == "deduct":
            (arrived,) = http_events(a, "KA", EventKind.FUNDS_ARRIVED)
            assert arrived.at == effective and arrived.data["amount_cents"] == 30_000_00
            assert a_released.at >= effective
        else:
            assert a_released.at == effective
        # the notice came by callback to B's receiver, once; A's gateway never saw it
        assert b.gateway.stats().get("notices", 0) == 1 and a.gateway.stats().get("notices", 0) == 0
        exchanges = [(e.at, e.data["kind"]) for e in b.runtime.case_events("KB") if e.kind == EventKind.EXCHANGE]
        assert (effective, "notice") in exchanges
        view = await agencies.freeze(b_freeze)
        assert (view["state"], view["controlled_cents"], datetime.fromisoformat(view["effective_at"])) == (
            "active", got, effective)
        assert b.runtime.cases["KB"].assets[asset].expires_at == datetime.fromisoformat(view["expires_at"])
        reader = await agencies.reader(a, b)
        for hc, case_id, frozen in ((a, "KA", 0), (b, "KB", got)):
            report = hc.platform.reconcile(case_id, reader)
            assert report["ok"] and report["frozen_cents"] == report["agencies_frozen_cents"] == frozen, report
        assert stepper.steps < 200  # instant to instant, not second by second


async def test_over_http_two_queued_courts_take_effect_in_queue_order() -> None:
    async with http_courts(3) as (agencies, stepper, (a, b, c3)):
        debtor, asset = await http_a_froze_everything(agencies, stepper, a, b, 80_000_00)
        subject = Subject(kind=debtor["kind"], name=debtor["name"], id_number=debtor["id_number"])
        assert c3.platform.file(c.FileCase("KC", debtors=(subject.id_number,), amount_cents=50_000_00),
                                [subject]).accepted
        c3.platform.submit(c.Assign("KC", "张法官"))
        c3.platform.submit(c.VerifyIdentity("KC", subject.id_number, True))
        await stepper.run_for(timedelta(hours=1))
        b.platform.freeze("KB", asset, 80_000_00)
        await stepper.run_for(timedelta(hours=1))
        c3.platform.freeze("KC", asset, 50_000_00)
        await stepper.run_for(timedelta(hours=1))

        t1, t2 = ORIGIN + timedelta(days=3, hours=1), ORIGIN + timedelta(days=20, hours=1)
        await stepper.run_until(t1)
        a.platform.release("KA", asset)
        await stepper.run_until(t2)
        b.platform.release("KB", asset)
        await stepper.run_for(timedelta(hours=1))

        def frozen(hc: HttpCourt, case_id: str) -> list[tuple[int, datetime]]:
            return [(e.data["amount_cents"], e.at) for e in http_events(hc, case_id, EventKind.FUNDS_FROZEN)]

        assert frozen(b, "KB") == [(80_000_00, t1 + CONTROL)]
        assert frozen(c3, "KC") == [(20_000_00, t1 + CONTROL), (30_000_00, t2 + CONTROL)]
        reader = await agencies.reader(a, b, c3)
        for hc, case_id, held in ((a, "KA", 0), (b, "KB", 0), (c3, "KC", 50_000_00)):
            report = hc.platform.reconcile(case_id, reader)
            assert report["ok"] and report["frozen_cents"] == report["agencies_frozen_cents"] == held, report
        assert [hc.gateway.stats().get("notices", 0) for hc in (a, b, c3)] == [0, 1, 2]


def test_the_simulated_clerk_registers_a_queued_freeze_on_a_fully_frozen_account() -> None:
    """The simulated handler of court B opens the feedback and, nothing being available, queues a freeze for its
    claim (up to the balance); it takes effect when A releases, and B's clerk goes on to deduct it."""
    a, _ = courts()
    b = build_virtual_court(ORIGIN, seed=8, court=COURT_C, session=a.session, clock=a.clock, diligence=1.0)
    debtor, _, asset = a_froze_everything(a, b, 60_000_00)
    run(b, timedelta(days=3))
    (queued,) = [v for v in a.session.ledger.freezes_of("icbc", asset.split(":")[1]) if v.court_code == COURT_C.code]
    assert (queued.state, queued.requested_cents, queued.queue_position) == (FreezeState.QUEUED, 60_000_00, 1)
    t = a.clock.now()
    a.platform.release("KA", asset)
    run(a, timedelta(days=20))
    (frozen,) = events(b, "KB", EventKind.FUNDS_FROZEN)
    assert (frozen.at, frozen.data["amount_cents"]) == (t + CONTROL, 60_000_00)
    (arrived,) = events(b, "KB", EventKind.FUNDS_ARRIVED)  # the clerk deducted what took effect
    assert arrived.data["amount_cents"] == 60_000_00
    assert_reconciled(b, "KB", 0)
    assert b.platform.reconcile("KB")["court_account_cents"] == 60_000_00 - b.runtime.cases["KB"].amounts()[
        "paid_cents"]
