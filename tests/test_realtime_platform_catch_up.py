"""Real time under load: a platform act that submits nothing before it decides (a seal, a freeze, a deduction — sent
once the node governing it is found not frozen) meets the deadlines expired before it, as a command does
(``Runtime.submit``'s catch-up, now ``Runtime.catch_up`` for these acts too).

And the case of the live demo log behind review R25's ``make record-check`` 437/438 (case (2025)豫0811执3号): the
clerk's seal was due on a timer BEFORE node 17's deadline and the loop ran it a day and more after it, in due order —
so the seal went out before the expiry, rightly — but on a clock without logical time the seal is recorded at the
loop's instant, after the freeze; its replay, at that instant, refuses it (NODE_FROZEN). On logical time it is
recorded at its timer's due instant. Loops are faked (a busy loop whose time the test sets); nothing sleeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.agency_directory import AgencyDirectory
from core_flow.clocks import AsyncioClock, SimClock
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.gateway import Gateway
from core_flow.platform import Platform
from core_flow.platform.platform import NodeFrozenError
from core_flow.protocol import AssetKind, Holding, Subject, SubjectKind
from core_flow.runtime import Runtime
from tests.conftest import cst

ORIGIN = cst(2025, 3, 21, 9, 0)
DEBTOR = "330326198001011012"
REGISTRY = "real_estate_registry"
FLAT = Holding(account_no="BD480000000000000000006901", kind=AssetKind.REAL_ESTATE, balance_cents=900_000_00,
               available_cents=900_000_00)
ASSET = f"{REGISTRY}:{FLAT.account_no}"


class _Call:
    def __init__(self, when: float, callback) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class BusyLoop:
    """An event loop too busy to run anything until the test says so: its time is set by the test."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.calls: list[_Call] = []

    def time(self) -> float:
        return self.t

    def call_at(self, when: float, callback) -> _Call:
        self.calls.append(_Call(when, callback))
        return self.calls[-1]

    def run_due(self) -> None:
        """What the loop does when it gets round to it: every call due by now, in due order."""
        while due := sorted((call for call in self.calls if not call.cancelled and call.when <= self.t),
                            key=lambda call: call.when):
            due[0].cancelled = True
            due[0].callback()


class Silent:
    """A transport that takes every request and never answers (the seal's answer is not the point)."""

    def connect(self, deliver) -> None:
        pass

    def submit(self, agency, request, done, *, timeout=None) -> None:
        pass

    def poll(self, agency, ticket_id, done, *, timeout=None) -> None:
        pass


def court(engine, clock) -> tuple[Runtime, Platform, datetime]:
    """A case whose debtor's flat was just found online (node 17's 48-hour control deadline runs): the runtime, the
    platform, and the deadline."""
    rt = Runtime(engine, clock)
    platform = Platform(rt, Gateway(Silent(), clock), AgencyDirectory(()), auto_inquiry=False)
    subject = Subject(kind=SubjectKind.PERSON, name="被执行人", id_number=DEBTOR)
    platform.file(c.FileCase("K", debtors=(DEBTOR,)), [subject])
    rt.submit(c.StartNode("K", 3))
    rt.submit(c.Assign("K", "张三"))
    platform.assets[("K", ASSET)] = (REGISTRY, FLAT, DEBTOR)
    platform.disposal.found("K", DEBTOR, REGISTRY, (FLAT,))
    (due,) = [e.data["due"] for e in rt.events
              if e.kind == EventKind.DEADLINE_SET and e.node == 17 and e.instance == ASSET]
    return rt, platform, due


def sent(rt: Runtime) -> list[datetime]:
    """The instants the seal is recorded as sent at."""
    return [e.at for e in rt.events if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent"]


def frozen(rt: Runtime) -> list[datetime]:
    return [e.at for e in rt.events if e.kind == EventKind.NODE_FROZEN and e.node == 17]


@pytest.mark.parametrize("logical", [False, True])
def test_a_seal_asked_after_node_17s_deadline_is_refused_though_the_busy_loop_has_not_expired_it(engine, logical):
    """A seal asked for (a user on the HTTP driver, say) a day after node 17's deadline, the loop not having run its
    expiry yet: the deadline is missed and the node frozen first, and the seal refused with nothing sent — as on the
    virtual clock. Before, the platform read the case as the loop had left it and sent the seal."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    loop.t = clock.loop_time_of(due + timedelta(days=1))
    with pytest.raises(NodeFrozenError):
        platform.seal("K", ASSET)
    assert sent(rt) == []
    assert frozen(rt) == [due]
    assert platform.disposal.lots[("K", ASSET)].stage == "found"
    # and on the virtual clock, the same
    sim = SimClock(ORIGIN)
    rt, platform, due = court(engine, sim)
    sim.run_until(due + timedelta(days=1))
    with pytest.raises(NodeFrozenError):
        platform.seal("K", ASSET)
    assert sent(rt) == [] and frozen(rt) == [due]


@pytest.mark.parametrize("logical", [False, True])
def test_a_seal_asked_before_the_deadline_still_goes_out(engine, logical):
    """The catch-up runs only what was due before now: a seal an hour before node 17's deadline goes out."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    loop.t = clock.loop_time_of(due - timedelta(hours=1))
    platform.seal("K", ASSET)
    assert sent(rt) == [due - timedelta(hours=1)]
    assert frozen(rt) == []


def test_the_r25_log_a_clerks_seal_due_before_the_deadline_run_after_it_is_recorded_at_the_loops_instant(engine):
    """The R25 demo log's case (its seal, due on the clerk's timer before node 17's deadline of 03-23 23:00, sent
    live and logged at 03-25 00:53, the freeze logged after it): the loop, a day behind, runs the clerk's timer first
    — it was due first — so the seal goes out before the expiry, as on the virtual clock. What differs is the
    instant it is recorded at. Without logical time (the demo's clock: ``CourtSpec.logical_time`` is off) it is the
    loop's instant, after the freeze: a replay of the log seals there and is refused. With logical time it is the
    timer's due instant, where the replay seals before the deadline, as the live run did.

    This is a diagnosis, not a fix: it passes before and after ``Runtime.catch_up`` (the catch-up of a timer's own
    act stops at that timer's due instant, ``AsyncioClock.timer_instant``; nothing was due before it)."""
    at: dict[bool, tuple[list[datetime], list[datetime]]] = {}
    for logical in (False, True):
        loop = BusyLoop()
        clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
        rt, platform, due = court(engine, clock)
        clerk = due - timedelta(hours=10)  # the clerk's turn: before the deadline
        clock.call_at(clerk, lambda platform=platform: platform.seal("K", ASSET))
        loop.t = clock.loop_time_of(due + timedelta(days=1, hours=2))  # the loop gets round to it all late
        loop.run_due()
        assert frozen(rt) == [due]  # the node froze at its deadline, after the seal had gone out
        at[logical] = (sent(rt), frozen(rt))
    assert at[True][0] == [clerk]  # logical time: recorded when the clerk sealed, before the freeze
    late = at[False][0]
    assert len(late) == 1 and late[0] > at[False][1][0]  # the demo's clock: recorded after the freeze
